import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { loadQueues } from "../cli/commands/schedule.ts";
import { checkConfigText, loadPlatformConfig } from "../config/file.ts";
import { loadExecutionFile } from "../execution/config.ts";
import { decodeGridEvents } from "../flex/events.ts";
import { loadSite, loadSiteFile, parseSite } from "../model/load.ts";
import { readDeclarations } from "../reports/sources.ts";
import { kueueImport } from "../scheduler/kueue-yaml.ts";
import { parseQueueConfig, singleQueueConfig } from "../scheduler/queues.ts";
import { readTraceFile } from "../scheduler/traces/index.ts";
import { parseTelemetryConfig } from "../telemetry/config.ts";
import { readIntensityProfile } from "../twin/output.ts";
import { parseScenario } from "../twin/scenario.ts";
import { fileByteLimits, fileTooLarge, parseYamlDocument, readBoundedText, yamlValue } from "./yaml.ts";

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
    // Kueue objects come over the API (POST /v1/queue-config/kueue): a throw there was a 500.
    const kueue = kueueImport(aliasBomb, singleQueueConfig());
    assert.equal(kueue.config, undefined);
    assert.match(kueue.diagnostics[0]!.message, refused);
  });

  it("names an alias whose anchor is missing as such, not as an alias bomb, in every reader", () => {
    const unresolved = yamlValue(parseDocument("a: *b\n"));
    assert.ok(!unresolved.ok);
    assert.match(unresolved.error, /^cannot build the document: Unresolved alias/);
    const kueue = kueueImport("*-", singleQueueConfig());
    assert.equal(kueue.config, undefined);
    assert.deepEqual(
      kueue.diagnostics.map((item) => item.path),
      ["documents[0]"],
    );
    assert.match(kueue.diagnostics[0]!.message, /Unresolved alias/);
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
    assert.equal(parseYamlDocument("a: 1\r\nb: 2\r", "config").toJS().b, 2);
  });

  it("refuses a file past its kind's size before parsing it, in one named line, quickly", () => {
    // 200,000 events: 7.5 MB, 17-23 s of parsing before the scenario's "at most 10,000 events".
    const events = Array.from({ length: 200_000 }, (_, index) => `  - at: ${index % 300}d\n    fail: cdu:a`);
    const huge = `name: big\nevents:\n${events.join("\n")}\n`;
    const started = performance.now();
    const lab = loadSite("lab");
    const scenario = parseScenario(huge, "s.yaml", lab.site!, lab.file);
    assert.ok(!scenario.ok);
    assert.match(scenario.error, /^s\.yaml:1: file\.tooLarge: 5\.\d MiB, more than the 1\.0 MiB a scenario may be/);
    const site = parseSite(huge);
    assert.equal(site.diagnostics[0]!.code, "file.tooLarge");
    assert.match(site.diagnostics[0]!.message, /^5\.\d MiB, more than the 2\.0 MiB a site file may be/);
    assert.match(parseQueueConfig(huge).diagnostics[0]!.message, /file\.tooLarge: .* a queue configuration may be/);
    assert.match(checkConfigText(huge, ".")[0]!.message, /file\.tooLarge: .* a platform configuration may be/);
    assert.match(kueueImport(huge, singleQueueConfig()).diagnostics[0]!.message, /file\.tooLarge: .* a Kueue/);
    const grid = `version: 1\nprices:\n${"  - { at: '+1h', eurPerMWh: 40 }\n".repeat(300_000)}`;
    const gridEvents = decodeGridEvents(grid, "g.yaml");
    assert.ok(!gridEvents.ok);
    assert.match(
      gridEvents.error,
      /^g\.yaml:1: file\.tooLarge: 9\.\d MiB, more than the 8\.0 MiB a grid-events file may be/,
    );
    assert.ok(performance.now() - started < 5000, `${Math.round(performance.now() - started)} ms`);
  });

  it("counts bytes, not characters, and lets through a file at its bound", () => {
    const limit = fileByteLimits.json;
    assert.equal(fileTooLarge("x".repeat(limit), "json"), undefined);
    assert.match(fileTooLarge("x".repeat(limit + 1), "json")!, /^file\.tooLarge: /);
    // Two bytes per "é": half as many characters are past the bound.
    assert.match(fileTooLarge("é".repeat(limit / 2 + 1), "json")!, /^file\.tooLarge: /);
  });

  it("the execution, telemetry and declarations readers read CR-only line breaks and refuse a file past its bound", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-yaml-"));
    try {
      const execution = join(directory, "execution.yaml");
      // yaml's parse read this as one comment line: an empty file, then "backend: required".
      writeFileSync(execution, "# the lab runs on Slurm\rbackend: kubernetes\r");
      assert.match(String(loadExecutionFile(execution)), /backend: must be one of: simulated, slurm; got "kubernetes"/);
      writeFileSync(execution, `backend: simulated\n${"# padding\n".repeat(200_000)}`);
      assert.match(String(loadExecutionFile(execution)), /execution\.yaml: file\.tooLarge: .*refused before reading/);
      const telemetry = parseTelemetryConfig("# collectors\rredfish: 3\r");
      assert.ok(!telemetry.ok);
      assert.match(telemetry.problem, /redfish: expected a list/);
      assert.ok(!parseTelemetryConfig("a: 1\na: 2\n").ok);
      const declarations = join(directory, "declarations.yaml");
      writeFileSync(declarations, `${"# padding\n".repeat(200_000)}`);
      assert.match(readDeclarations(declarations).diagnostics[0]!.message, /file\.tooLarge: .*refused before reading/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("refuses a file past its bound from its size on disk, before reading it, in every file reader", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-yaml-"));
    try {
      // A sparse 3 GiB file (no disk used): read whole, it would fail as past Node's 2 GiB buffer, or fill memory.
      const huge = join(directory, "huge.yaml");
      writeFileSync(huge, "");
      truncateSync(huge, 3 * 1024 ** 3);
      const refused = /file\.tooLarge: 3072\.0 MiB, more than the .* \(refused before reading\)/;
      assert.throws(() => readBoundedText(huge, "site"), refused);
      const site = loadSiteFile(huge);
      assert.ok(!site.ok);
      assert.match(site.diagnostics[0]!.message, refused);
      const config = loadPlatformConfig(huge);
      assert.ok("problems" in config);
      assert.match(config.problems[0]!.message, refused);
      assert.match(String(loadExecutionFile(huge)), refused);
      assert.match(readDeclarations(huge).diagnostics[0]!.message, refused);
      const profile = readIntensityProfile(huge);
      assert.ok(!profile.ok);
      assert.match(profile.error, refused);
      // Job traces (openb, SWF, JSON) and the scheduler command's node list and queue file: one line naming the file
      // and the limit.
      const trace = readTraceFile(huge, "openb");
      assert.ok(trace.rejected);
      assert.equal(
        trace.diagnostics[0]!.message,
        `cannot read ${huge}: file.tooLarge: 3072.0 MiB, more than the 500.0 MiB a trace file may be (refused before reading)`,
      );
      assert.throws(
        () => loadQueues(huge),
        new RegExp(`^CliError: cannot read ${huge}: file\\.tooLarge: .* a queue configuration`),
      );
      // At its bound a file is read as before.
      const atBound = join(directory, "at-bound.json");
      writeFileSync(atBound, "x".repeat(fileByteLimits.json));
      assert.equal(readBoundedText(atBound, "json").length, fileByteLimits.json);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
