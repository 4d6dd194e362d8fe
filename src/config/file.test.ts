import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ConfigProblem, checkConfigText, loadPlatformConfig } from "./file.ts";

const root = join(import.meta.dirname, "..", "..");
const directory = mkdtempSync(join(tmpdir(), "alixan-config-"));
after(() => rmSync(directory, { recursive: true, force: true }));

function problemAt(problems: readonly ConfigProblem[], path: string): ConfigProblem {
  const found = problems.find((problem) => problem.path === path);
  assert.ok(found, `no problem at ${path}; got ${JSON.stringify(problems)}`);
  return found;
}

describe("alixan.yaml", () => {
  it("accepts the documented example", () => {
    const text = readFileSync(join(root, "docs", "alixan.example.yaml"), "utf8");
    assert.deepEqual(checkConfigText(text, join(root, "docs")), []);
  });

  it("names every bad field by its path, line and column, in every section", () => {
    const text = [
      "site: lab", //                                       1
      "store:", //                                          2
      "  url: postgres://alixan@127.0.0.1/alixan", //       3
      "  dataDirr: x", //                                   4
      "telemetry:", //                                      5
      "  retention: { rawDays: -1 }", //                    6
      "  rulez: []", //                                     7
      "execution:", //                                      8
      "  backend: slurmm", //                               9
      "queues:", //                                         10
      "  queues:", //                                       11
      "    - name: a", //                                   12
      "      weight: -1", //                                13
      "logging:", //                                        14
      "  level: loud", //                                   15
      "sitez: 1", //                                        16
    ].join("\n");
    const problems = checkConfigText(text, directory);
    assert.match(problemAt(problems, "sitez").message, /unknown field "sitez" \(did you mean "site"\?\)/);
    assert.equal(problemAt(problems, "sitez").line, 16);
    assert.match(problemAt(problems, "store.dataDirr").message, /did you mean "dataDir"\?/);
    assert.equal(problemAt(problems, "store.dataDirr").line, 4);
    assert.equal(problemAt(problems, "telemetry.retention.rawDays").line, 6);
    assert.equal(problemAt(problems, "telemetry.retention.rawDays").column, 25);
    assert.match(problemAt(problems, "telemetry.rulez").message, /unknown field "rulez" \(did you mean "rules"\?\)/);
    assert.match(problemAt(problems, "telemetry.historyDir").message, /PostgreSQL/);
    assert.match(problemAt(problems, "execution.backend").message, /must be one of: simulated, slurm; got "slurmm"/);
    assert.equal(problemAt(problems, "execution.backend").line, 9);
    assert.equal(problemAt(problems, "queues.queues[0].weight").line, 13);
    assert.match(problemAt(problems, "logging.level").message, /must be one of: fatal/);
    assert.equal(problems.length, 8, JSON.stringify(problems, null, 2));
  });

  it("names an unknown placeholder of the execution's powerCap command by its path and line", () => {
    const text = [
      "execution:", //                                       1
      "  backend: slurm", //                                 2
      "  powerCap:", //                                      3
      "    command: [/usr/local/sbin/gpu-cap, '{jobid}']", // 4
    ].join("\n");
    const problems = checkConfigText(text, directory);
    assert.deepEqual(
      problems.map((problem) => [problem.path, problem.line, problem.message]),
      [["execution.powerCap.command[1]", 4, 'unknown placeholder "{jobid}" (known: {job}, {nodes}, {share}, {watts})']],
    );
  });

  it("keeps telemetry history durable on PostgreSQL, but not on the embedded store", () => {
    const postgres = checkConfigText("store: { url: 'postgresql://db/alixan' }\n", directory);
    assert.deepEqual(
      postgres.map((problem) => problem.path),
      ["telemetry.historyDir"],
    );
    assert.deepEqual(
      checkConfigText("store: { url: 'postgresql://db/alixan' }\ntelemetry: { historyDir: /srv/t }\n", directory),
      [],
    );
    assert.deepEqual(checkConfigText("store: { dataDir: /srv/alixan }\n", directory), []);
    assert.equal(problemAt(checkConfigText("store: { url: 'mysql://db' }\n", directory), "store.url").line, 1);
  });

  it("bounds the what-if time limit and hands it to serve in milliseconds", () => {
    assert.equal(
      problemAt(checkConfigText("whatif: { timeoutSeconds: 0 }\n", directory), "whatif.timeoutSeconds").line,
      1,
    );
    assert.ok(checkConfigText("whatif: { timeoutSeconds: 86400 }\n", directory).length > 0, "a day is too long");
    const file = join(directory, "whatif.yaml");
    writeFileSync(file, "whatif: { timeoutSeconds: 120 }\n");
    const loaded = loadPlatformConfig(file);
    assert.ok("config" in loaded, JSON.stringify(loaded));
    assert.equal(loaded.config.whatIfTimeoutMs, 120_000);
  });

  it("bounds the admin-key warning to a key's longest life and hands it to serve", () => {
    const at = (text: string) => problemAt(checkConfigText(text, directory), "apiKeys.adminExpiryWarningDays");
    assert.match(at("apiKeys: { adminExpiryWarningDays: 0 }\n").message, /at least 1/);
    assert.match(at("apiKeys: { adminExpiryWarningDays: 367 }\n").message, /at most 366/);
    const file = join(directory, "keys.yaml");
    writeFileSync(file, "apiKeys: { adminExpiryWarningDays: 30 }\n");
    const loaded = loadPlatformConfig(file);
    assert.ok("config" in loaded, JSON.stringify(loaded));
    assert.equal(loaded.config.adminKeyWarningDays, 30);
  });

  it("checks the site a file names, relative to the file", () => {
    writeFileSync(join(directory, "broken-site.yaml"), "id: broken\nhalls: 3\n");
    const broken = problemAt(checkConfigText("site: broken-site.yaml\n", directory), "site");
    assert.match(broken.message, /error\(s\)/);
    assert.match(problemAt(checkConfigText("site: nowhere.yaml\n", directory), "site").message, /no shipped site/);
    assert.deepEqual(checkConfigText("site: lab\n", directory), []);
  });

  it("reports YAML syntax errors with their position, and a non-mapping file", () => {
    const syntax = checkConfigText("site: lab\nstore: { url: x\n", directory);
    assert.ok(syntax.length > 0 && syntax[0]!.line !== undefined, JSON.stringify(syntax));
    assert.equal(checkConfigText("- a\n- b\n", directory)[0]!.path, "");
  });

  it("`alixan config check` prints file:line:col per problem and exits 1; 0 when valid; ALIXAN_CONFIG names the file", () => {
    const bad = join(directory, "bad.yaml");
    writeFileSync(bad, "logging:\n  level: loud\n");
    const cli = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [join(root, "bin", "alixan.js"), ...args], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
    const failed = cli(["config", "check", bad]);
    assert.equal(failed.status, 1, failed.stderr);
    assert.match(failed.stderr, new RegExp(`${bad}:2:10: error logging\\.level: must be one of:`));
    const valid = cli(["config", "check"], { ALIXAN_CONFIG: join(root, "docs", "alixan.example.yaml") });
    assert.equal(valid.status, 0, valid.stderr);
    assert.match(valid.stdout, /alixan\.example\.yaml: valid/);
    const none = cli(["config", "check"], { ALIXAN_CONFIG: "" });
    assert.equal(none.status, 2, none.stderr);
  });
});
