import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const root = join(import.meta.dirname, "..", "..", "..");
const directory = mkdtempSync(join(tmpdir(), "alixan-report-"));
after(() => rmSync(directory, { recursive: true, force: true }));

const alixan = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin", "alixan.js"), ...args], { cwd: root, encoding: "utf8" });

describe("alixan report eed", () => {
  it("simulates the year on the lab site and writes JSON, CSV and HTML with declarations applied", () => {
    const declarations = join(directory, "declarations.yaml");
    writeFileSync(declarations, "renewableGuaranteesOfOriginKWh: 4000000\nwasteHeatReusedKWh: 0\n");
    const run = alixan(
      "report",
      "eed",
      "--year",
      "2026",
      "--site",
      "lab",
      "--step",
      "15m",
      "--declarations",
      declarations,
      "--out",
      directory,
    );
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(readFileSync(join(directory, "eed-lab-2026.json"), "utf8"));
    const pue = report.annexIII.PUE;
    assert.equal(pue.status, "reported");
    assert.ok(pue.value > 1 && pue.value < 1.2, `PUE ${pue.value}`);
    assert.equal(report.annexIII.REF.value, 4_000_000 / report.annexII.E_DC.value);
    assert.equal(report.annexIII.ERF.value, 0);
    assert.equal(report.annexII.E_BACKUP.status, "missing");
    assert.equal(report.monthly.length, 12);
    const csv = readFileSync(join(directory, "eed-lab-2026.csv"), "utf8");
    assert.match(csv, /^II,E_IT,\d+(\.\d+)?,kWh,reported,simulated,/m);
    assert.match(
      readFileSync(join(directory, "eed-lab-2026.html"), "utf8"),
      /<svg role="img" aria-label="PUE by month"/,
    );
  });

  it("rejects a bad declarations file naming the field, and bad options with exit code 2", () => {
    const bad = join(directory, "bad.yaml");
    writeFileSync(bad, "renewablePpaKWh: -5\nsolarPanels: 3\n");
    const run = alixan("report", "eed", "--year", "2026", "--site", "lab", "--declarations", bad);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /renewablePpaKWh: must be at least 0, got -5/);
    assert.match(run.stderr, /unknown field "solarPanels"/);
    assert.equal(alixan("report", "eed", "--year", "twenty").status, 2);
    assert.equal(alixan("report", "eed", "--year", "2026", "--source", "guess").status, 2);
  });
});
