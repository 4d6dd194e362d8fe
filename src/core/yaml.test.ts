import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { checkConfigText } from "../config/file.ts";
import { decodeGridEvents } from "../flex/events.ts";
import { loadSite, parseSite } from "../model/load.ts";
import { parseQueueConfig } from "../scheduler/queues.ts";
import { parseScenario } from "../twin/scenario.ts";
import { parseYamlDocument, yamlValue } from "./yaml.ts";

/** A "billion laughs" file: six levels of nine aliases each, 9^6 = 531,441 strings once expanded. */
const aliasBomb = [
  'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
  ..."bcdef".split("").map((name, index) => {
    const previous = "abcdef"[index]!;
    return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`;
  }),
].join("\n");
const refused = /aliases \(\*name\) expand past [\d,]+ copies: refused/;

describe("YAML values", () => {
  it("builds a document with a few aliases, and refuses one whose aliases would fill the memory", () => {
    const small = yamlValue(parseDocument("a: &a [1, 2]\nb: *a\n"));
    assert.deepEqual(small, { ok: true, value: { a: [1, 2], b: [1, 2] } });
    const bomb = yamlValue(parseDocument(aliasBomb));
    assert.ok(!bomb.ok);
    assert.match(bomb.error, refused);
  });

  it("every file reader names the alias bomb in one line instead of throwing", () => {
    const site = parseSite(aliasBomb);
    assert.equal(site.ok, false);
    assert.match(site.diagnostics[0]!.message, refused);
    const lab = loadSite("lab");
    const scenario = parseScenario(aliasBomb, "s.yaml", lab.site!, lab.file);
    assert.ok(!scenario.ok);
    assert.match(scenario.error, /^s\.yaml: aliases/);
    const queues = parseQueueConfig(aliasBomb);
    assert.equal(queues.config, undefined);
    assert.match(queues.diagnostics[0]!.message, refused);
    const events = decodeGridEvents(aliasBomb, "g.yaml");
    assert.ok(!events.ok);
    assert.match(events.error, /^g\.yaml: aliases/);
    assert.match(checkConfigText(aliasBomb, ".")[0]!.message, refused);
  });

  it("reads CR-only line breaks as line breaks, as YAML 1.2 does, keeping line numbers", () => {
    const lab = readFileSync(join(import.meta.dirname, "..", "..", "sites", "lab.yaml"), "utf8");
    const site = parseSite(lab.replaceAll("\n", "\r"));
    assert.ok(site.ok, site.diagnostics.map((item) => item.message).join("\n"));
    assert.equal(site.site?.racks.length, 36);
    // A configuration whose first line is a comment parsed as one comment line: empty, and "valid".
    const problems = checkConfigText("# platform\rsite: lab\rbogus: 1\r", ".");
    assert.deepEqual(
      problems.map((problem) => [problem.line, problem.path]),
      [[3, "bogus"]],
    );
    assert.equal(parseYamlDocument("a: 1\r\nb: 2\r").toJS().b, 2);
  });
});
