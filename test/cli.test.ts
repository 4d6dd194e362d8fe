/**
 * The `alixan` command as a user runs it: a real process through bin/alixan.js, checking output and exit codes
 * (0 ok, 1 invalid input, 2 bad usage).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const root = join(import.meta.dirname, "..");
const broken = join(root, "test", "fixtures", "broken");

function alixan(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "bin", "alixan.js"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ALIXAN_DEBUG: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("alixan CLI", () => {
  it("site show alixan prints the 40,000-rack summary", () => {
    const run = alixan("site", "show", "alixan");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /racks\s+40,000/);
    assert.match(run.stdout, /IT power\s+1,020 MW/);
    assert.match(run.stdout, /CDUs\s+800\s+1,680\s+N\+1\s+800\/800/);
  });

  it("--json site show gives machine-readable counts", () => {
    const run = alixan("--json", "site", "show", "lab");
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.counts.racks, 36);
    assert.equal(summary.designItMW, 1.332);
  });

  for (const [file, pattern] of [
    [
      "undersized-cdu.yaml",
      /halls\[0\]\.rows\[0\]\.cdus: CDUs of row:h1-r01: capacity 800 kW < connected design heat 950 kW/,
    ],
    [
      "dangling-rack-type.yaml",
      /:\d+:\d+: error \[ref\.unknown\] halls\[0\]\.rows\[1\]\.racks\[0\]\.type: unknown rack type "hgx-h100"/,
    ],
    ["yaml-unclosed-flow.yaml", /:11:3: error \[yaml\.syntax\] /],
  ] as const) {
    it(`site validate ${file} fails with a one-line, path-naming error and exit code 1`, () => {
      const run = alixan("site", "validate", join(broken, file));
      assert.equal(run.code, 1);
      const line = run.stderr.split("\n").find((text) => pattern.test(text));
      assert.ok(line, `no line matching ${pattern} in:\n${run.stderr}`);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    });
  }

  it("a shipped site validates with exit code 0", () => {
    const run = alixan("site", "validate", "phase-1");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /valid, 4,000 racks, 0 warning\(s\)/);
  });

  it("bad usage exits with code 2", () => {
    assert.equal(alixan("site", "frobnicate").code, 2);
    assert.equal(alixan("site", "export", "lab", "--format", "xml").code, 2);
    assert.equal(alixan("--no-such-flag").code, 2);
  });

  it("--help works on every command", () => {
    for (const args of [[], ["site"], ["site", "show"], ["site", "validate"], ["site", "export"], ["start"]]) {
      const run = alixan(...args, "--help");
      assert.equal(run.code, 0, `${args.join(" ")} --help`);
      assert.match(run.stdout, /Usage: alixan/);
    }
  });

  it("a missing site names the shipped ones and exits 1", () => {
    const run = alixan("site", "show", "atlantis");
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no shipped site or file named "atlantis" \(shipped: alixan, phase-1, lab\)/);
  });

  it("exported sites validate again: normalised and expanded", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-export-"));
    const normalised = join(directory, "lab.json");
    assert.equal(alixan("site", "export", "lab", "--format", "json", "-o", normalised).code, 0);
    const again = alixan("site", "validate", normalised);
    assert.equal(again.code, 0, again.stderr);
    const expanded = alixan("--json", "site", "export", "lab", "--expanded");
    assert.equal(expanded.code, 0, expanded.stderr);
    const inventory = JSON.parse(expanded.stdout);
    assert.equal(inventory.racks.length, 36);
    assert.equal(inventory.racks[0].id, "rack:h1-r01-01");
    assert.equal(inventory.racks[0].tcsLoop, "tcs:h1-r01");
    const yamlFile = join(directory, "edited.yaml");
    writeFileSync(
      yamlFile,
      alixan("site", "export", "lab").stdout.replace("gridConnectionMW: 2.5", "gridConnectionMW: 1"),
    );
    const edited = alixan("site", "validate", yamlFile);
    assert.equal(edited.code, 1);
    assert.match(
      edited.stderr,
      /capacity\.grid-connection\] site\.gridConnectionMW: grid connection 1 MW < design grid demand/,
    );
  });

  it("schedule replay says why jobs were rejected (GPU models no node has), and bounds a demo workload", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-replay-"));
    const nodes = join(directory, "nodes.csv");
    writeFileSync(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn1,96000,786432,8,V100M32\n");
    const pods = join(directory, "pods.csv");
    writeFileSync(
      pods,
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\np1,1000,1024,1,1000,Z100\np2,1000,1024,1,1000,Z100|Y9\np3,1000,1024,1,1000,V100M32\n",
    );
    const run = alixan("schedule", "replay", "--openb-nodes", nodes, "--trace", pods, "--policy", "first-fit");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /rejected at submission\s+2\n/);
    assert.match(run.stdout, /rejected at submission: 1 job\(s\): GPU models Z100 not in .* \(it has V100M32\)/);
    assert.match(run.stdout, /rejected at submission: 1 job\(s\): GPU models Z100\|Y9 not in/);
    const demo = alixan("schedule", "replay", "--site", "lab", "--demo", "1e9");
    assert.equal(demo.code, 2);
    assert.match(demo.stderr, /--demo: expected a number of jobs from 1 to 1,000,000, got "1e9"/);
    rmSync(directory, { recursive: true, force: true });
  });

  it("schedule replay --protocol atc23 reports allocation at 100 % and 130 % of capacity per policy", () => {
    const openb = join(root, "..", "shared", "data", "traces", "openb");
    const args = [
      "schedule",
      "replay",
      "--openb-nodes",
      join(openb, "openb_node_list_gpu_node.csv"),
      "--trace",
      join(openb, "openb_pod_list_gpuspec25.csv"),
      "--compare",
      "first-fit,alixan",
      "--protocol",
      "atc23",
    ];
    const run = alixan("--json", ...args, "--seeds", "1");
    assert.equal(run.code, 0, run.stderr);
    const results = JSON.parse(run.stdout).results as {
      policy: string;
      seeds: number[];
      meanAt100: number;
      meanAt130: number;
    }[];
    assert.deepEqual(
      results.map((result) => [result.policy, result.seeds]),
      [
        ["first-fit", [42]],
        ["alixan", [42]],
      ],
    );
    assert.ok(results[1]!.meanAt100 > results[0]!.meanAt100 && results[1]!.meanAt130 >= results[1]!.meanAt100);
    const bad = alixan(...args, "--seeds", "0");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--seeds: expected a number of seeds from 1 to 100, got "0"/);
  });
});
