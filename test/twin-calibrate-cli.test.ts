/**
 * `alixan twin calibrate | validate` as a user runs them: a real process through bin/alixan.js on the ESIF extracts
 * (cut from ../shared/data at run time) for the happy path, then the one-line errors and exit codes (1 invalid input, 2 bad usage)
 * through `runCli` in this process (each spawned CLI costs seconds on a shared machine).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../src/cli/main.ts";
import { type FlowLaw, steadyRiseK } from "../src/twin/loop.ts";
import { esifExtract } from "./support/esif.ts";

const root = join(import.meta.dirname, "..");
const directory = mkdtempSync(join(tmpdir(), "alixan-calibrate-"));
after(() => rmSync(directory, { recursive: true, force: true }));
const september = join(directory, "esif-2016-09-11.csv");
const december = join(directory, "esif-2016-12-05.csv");
writeFileSync(september, esifExtract("esif-2016-09-11.csv"));
writeFileSync(december, esifExtract("esif-2016-12-05.csv"));

function alixan(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "bin", "alixan.js"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ALIXAN_DEBUG: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Two hours of the lab site at 15 min with a calibration's loop law (`simulate --loop-params`), as a process. */
function simulateLab(params: string, ...more: string[]) {
  return alixan("simulate", "--site", "lab", "--duration", "2h", "--step", "15m", "--loop-params", params, ...more);
}

/**
 * Runs the CLI in this process for a failing command, capturing standard error (standard output is left alone: the
 * test runner reports through it).
 */
async function inProcess(...args: string[]) {
  const err: string[] = [];
  const writeErr = process.stderr.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    const code = await runCli(args);
    return { code, stderr: err.join("") };
  } finally {
    process.stderr.write = writeErr;
  }
}

function fails(run: { code: number | null; stderr: string }, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit ${run.code}: ${run.stderr}`);
  assert.match(run.stderr, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
}

describe("alixan twin calibrate / validate", () => {
  const params = join(directory, "params.json");

  it("fits the liquid loop on two September days and scores it on a December day", async () => {
    const fit = alixan(
      "twin",
      "calibrate",
      "--history",
      september,
      "--format",
      "nrel-esif",
      "--loop",
      "liquid",
      "--out",
      params,
    );
    assert.equal(fit.code, 0, fit.stderr);
    assert.match(fit.stdout, /48 hours used/);
    assert.match(fit.stdout, /dropped: 1 implausible/);
    assert.match(fit.stdout, /heat exponent e\s+0\.\d+/);
    assert.match(fit.stdout, /note: .*thermal lag/);
    // The default law is auto; two September days hold no month of 14 days, so it falls back and says so.
    assert.match(fit.stdout, /law auto: fitted: no calendar month has 14 days of used hours/);
    const written = JSON.parse(readFileSync(params, "utf8"));
    assert.equal(written.kind, "alixan/loop-calibration");
    assert.equal(written.loop, "liquid");
    assert.equal(written.lawForm, "fitted");
    assert.deepEqual(written.selection.months, [{ month: "2016-09", hours: 48 }]);
    assert.match(written.selection.note, /leave-one-month-out needs two: the fitted law is used without selection/);
    // With no month of 14 days, stability across months is not checked, and the output says so.
    assert.equal(written.stability.stable, null);
    assert.match(
      fit.stdout,
      /stability: no calendar month has 14 days of used hours: whether the law holds .* not checked/,
    );

    const check = alixan(
      "twin",
      "validate",
      "--params",
      params,
      "--history",
      december,
      "--format",
      "nrel-esif",
      "--loop",
      "liquid",
      "--json",
    );
    assert.equal(check.code, 0, check.stderr);
    const result = JSON.parse(check.stdout);
    assert.equal(result.hours, 24);
    // One month: its entry is the whole; the calibration's stability was not checked.
    assert.deepEqual(result.months, [{ month: "2016-12", hours: 24, cvRmse: result.cvRmse, nmbe: result.nmbe }]);
    assert.equal(result.calibrationStable, null);
    for (const value of [result.cvRmse, result.nmbe, result.baseline.cvRmse, result.baseline.nmbe]) {
      assert.equal(typeof value, "number");
      assert.ok(Number.isFinite(value));
    }
    assert.deepEqual(Object.keys(result.rows.dropped).sort(), [
      "duplicateTime",
      "implausible",
      "missing",
      "noHeat",
      "noRise",
    ]);
    const table = alixan(
      "twin",
      "validate",
      "--params",
      params,
      "--history",
      december,
      "--format",
      "nrel-esif",
      "--loop",
      "liquid",
    );
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /constant-rise baseline\s+\d+\.\d+ %/);
    // December is unseen: the targets are checked and no hour is flagged as in the calibration period.
    assert.equal(result.hoursInCalibrationPeriod, 0);
    assert.deepEqual(Object.keys(result.targets).sort(), ["cvRmse", "cvRmseMet", "met", "nmbe", "nmbeMet"]);
    assert.equal(result.targets.met, result.targets.cvRmseMet && result.targets.nmbeMet && result.beatsBaseline);
    assert.match(
      table.stdout,
      /targets on unseen months \(CV\(RMSE\) ≤ 12 %, \|NMBE\| ≤ 5 %, no worse than the baseline\): (met|not met \(.+\))\n/,
    );
    assert.doesNotMatch(table.stdout, /lie in the calibration period/);
    assert.doesNotMatch(table.stdout, /per month|did not behave alike/);
    // Scored on its own September days, the output says so.
    const own = alixan(
      ...["twin", "validate", "--params", params, "--history", september, "--format", "nrel-esif", "--loop", "liquid"],
    );
    assert.equal(own.code, 0, own.stderr);
    assert.match(
      own.stdout,
      /note: 48 of the 48 hours lie in the calibration period: the scores are not \(wholly\) on unseen months/,
    );
  });

  it("warns when the calibration months disagree, and validate shows each month and carries the warning", () => {
    // Two months at 10-minute steps from the loop's steady law: January with h 0.4, February 10 % warmer, holding
    // its return (h 1), as a loop whose control was changed at the turn of the month.
    const january: FlowLaw = {
      referenceHeatKw: 650,
      referenceSupplyC: 22.5,
      referenceRiseK: 10,
      heatExponent: 0.6,
      supplyTracking: 0.4,
    };
    const february: FlowLaw = { ...january, referenceRiseK: 11, supplyTracking: 1 };
    const lines = ["time,supply,return,heat"];
    for (let minute = 0; minute < 60 * 1440; minute += 10) {
      const hours = minute / 60;
      const time = new Date(Date.UTC(2024, 0, 1) + minute * 60_000);
      const heat = 650 + 90 * Math.sin((2 * Math.PI * hours) / 24) + 60 * Math.sin((2 * Math.PI * hours) / 7.3);
      const supply = 22.5 + 1.2 * Math.sin((2 * Math.PI * hours) / 77) + 0.4 * Math.sin((2 * Math.PI * hours) / 9.5);
      const law = time.getUTCMonth() === 0 ? january : february;
      const ret = supply + steadyRiseK(law, heat, supply);
      lines.push(`${time.toISOString()},${supply.toFixed(3)},${ret.toFixed(3)},${heat.toFixed(2)}`);
    }
    const history = join(directory, "changed.csv");
    writeFileSync(history, lines.join("\n"));
    const mapped = ["--format", "csv", "--columns", "time=time,supply=supply,return=return,heat=heat", "--loop", "air"];
    const changed = join(directory, "changed.json");
    const fit = alixan("twin", "calibrate", "--history", history, ...mapped, "--law", "fitted", "--out", changed);
    assert.equal(fit.code, 0, fit.stderr);
    assert.match(fit.stdout, /month out \(fitted law, CV\(RMSE\) \/ NMBE\): 2024-01 [\d.]+ % \/ -[\d.]+ %, 2024-02 /);
    assert.match(fit.stdout, /month 2024-02 alone \(fitted law, 696 hours\): e 0\.6\d*.*, h (1\.0|0\.99)/);
    assert.match(
      fit.stdout,
      /warning: the fitted law, fitted on the other months, misses the unseen-month targets on 2 of 2/,
    );
    assert.match(
      fit.stdout,
      /supply tracking h 0\.4\d* ± [\d.e-]+ in 2024-01 against (1|0\.99\d*) ± [\d.e-]+ in 2024-02/,
    );
    const check = alixan("twin", "validate", "--params", changed, "--history", history, ...mapped);
    assert.equal(check.code, 0, check.stderr);
    assert.match(
      check.stdout,
      /per month \(CV\(RMSE\) \/ NMBE\): 2024-01 [\d.]+ % \/ -[\d.]+ %, 2024-02 [\d.]+ % \/ [\d.]+ %/,
    );
    assert.match(check.stdout, /note: the calibration's own months did not behave alike/);

    // Calibrated on February alone (--from), the law is February's, and no stability check runs on one month.
    const februaryParams = join(directory, "february.json");
    const recent = alixan(
      ...["twin", "calibrate", "--history", history, ...mapped, "--law", "fitted"],
      "--from",
      "2024-02",
      "--out",
      februaryParams,
    );
    assert.equal(recent.code, 0, recent.stderr);
    assert.match(recent.stdout, /air loop \(fitted law, p = 4\), 2024-02-01T00:00 → 2024-03-01T00:00: 696 hours used/);
    const written = JSON.parse(readFileSync(februaryParams, "utf8"));
    assert.ok(Math.abs(written.flowLaw.supplyTracking - 1) < 0.01, `h ${written.flowLaw.supplyTracking}`);
    assert.equal(written.stability.stable, null);
    // Validated on January only (--to), January is the one month scored.
    const janOnly = alixan(
      ...["twin", "validate", "--params", februaryParams, "--history", history, ...mapped],
      "--to",
      "2024-02-01",
      "--json",
    );
    assert.equal(janOnly.code, 0, janOnly.stderr);
    const scored = JSON.parse(janOnly.stdout);
    assert.deepEqual(
      scored.months.map((month: { month: string }) => month.month),
      ["2024-01"],
    );
    assert.equal(scored.hours, 744);
  });

  it("takes --law auto by name and --law integral; an integral params.json validates and drives simulate", () => {
    const autoParams = join(directory, "auto.json");
    const auto = alixan(
      "twin",
      "calibrate",
      ...["--history", september, "--format", "nrel-esif", "--loop", "liquid", "--law", "auto", "--out", autoParams],
    );
    assert.equal(auto.code, 0, auto.stderr);
    // The same calibration as the default's.
    assert.deepEqual(JSON.parse(readFileSync(autoParams, "utf8")), JSON.parse(readFileSync(params, "utf8")));

    const integralParams = join(directory, "integral.json");
    const fit = alixan(
      "twin",
      "calibrate",
      ...["--history", september, "--format", "nrel-esif", "--loop", "liquid", "--law", "integral"],
      ...["--out", integralParams],
    );
    assert.equal(fit.code, 0, fit.stderr);
    assert.match(fit.stdout, /liquid loop \(integral law, p = 5\)/);
    assert.match(fit.stdout, /integral time\s+(∞|\d+(\.\d)? d)\s+.*return set-point \d+\.\d\d °C/);
    assert.match(fit.stdout, /note: integral time /);
    const written = JSON.parse(readFileSync(integralParams, "utf8"));
    assert.equal(written.lawForm, "integral");
    assert.equal(written.selection, undefined);
    assert.ok(written.integralControl.integralTimeS === null || written.integralControl.integralTimeS > 0);

    const check = alixan(
      "twin",
      "validate",
      ...["--params", integralParams, "--history", december, "--format", "nrel-esif", "--loop", "liquid", "--json"],
    );
    assert.equal(check.code, 0, check.stderr);
    assert.ok(Number.isFinite(JSON.parse(check.stdout).cvRmse));

    const run = simulateLab(integralParams);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /loop laws: facility water e \d\.\d{3}, h -?\d\.\d{3} \(.*integral\.json; its integral time .* is not applied: the twin's plants hold their set-points\)/,
    );
  });

  it("reads a mapped CSV and rejects a loop that does not match the parameters", async () => {
    const csv = join(directory, "hall.csv");
    const lines = ["Timestamp,Supply,Return,Heat"];
    for (let minute = 0; minute < 24 * 60; minute++) {
      const heat = 600 + 100 * Math.sin(minute / 200);
      const supply = 22 + Math.sin(minute / 500);
      lines.push(
        `${new Date(Date.UTC(2024, 0, 1) + minute * 60_000).toISOString()},${supply},${supply + heat / 45},${heat}`,
      );
    }
    writeFileSync(csv, lines.join("\n"));
    const run = await inProcess(
      "--json",
      "twin",
      "validate",
      "--params",
      params,
      "--history",
      csv,
      "--format",
      "csv",
      "--columns",
      "time=Timestamp,supply=Supply,return=Return,heat=Heat",
      "--loop",
      "air",
    );
    fails(run, 1, /--loop air does not match the calibration's loop \(liquid\)/);
  });

  it("names the problem in one line: bad format, unknown loop, missing column, empty file, bad parameters", async () => {
    const base = ["twin", "calibrate", "--history", september, "--out", join(directory, "x.json")];
    fails(
      await inProcess(...base, "--format", "xls", "--loop", "liquid"),
      2,
      /--format: "xls" is not one of nrel-esif, csv/,
    );
    fails(
      await inProcess(...base, "--format", "nrel-esif", "--loop", "water"),
      2,
      /--loop: "water" is not one of liquid, air/,
    );
    fails(await inProcess(...base, "--loop", "liquid"), 2, /--format is required/);
    fails(
      await inProcess(...base, "--format", "nrel-esif", "--loop", "liquid", "--law", "guess"),
      2,
      /--law: "guess" is not one of auto, fitted, integral, held-return, design-rise/,
    );
    fails(await inProcess(...base, "--format", "csv", "--loop", "liquid"), 2, /--format csv needs --columns/);
    const esif = [...base, "--format", "nrel-esif", "--loop", "liquid"];
    fails(
      await inProcess(...esif, "--from", "2016-13"),
      2,
      /--from: "2016-13" is not a date \(YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM\)/,
    );
    fails(await inProcess(...esif, "--to", "2016-02-30"), 2, /--to: "2016-02-30" is not a date/);
    fails(
      await inProcess(...esif, "--from", "2016-10", "--to", "2016-09"),
      2,
      /--from 2016-10 must come before --to 2016-09/,
    );
    // A period the history does not reach: it says what the history covers.
    fails(
      await inProcess(...esif, "--from", "2017-01"),
      1,
      /--from\/--to: no sample of the history lies in the period \(the history runs 2016-09-11T00:00 → 2016-09-12T23:5\d\)/,
    );
    fails(
      await inProcess(
        ...base,
        "--format",
        "csv",
        "--loop",
        "liquid",
        "--columns",
        "time=Time,supply=Tin,return=Tout,heat=Q",
      ),
      1,
      /esif-2016-09-11\.csv:1: column "Tin" \(supply\) is not in the header/,
    );
    const empty = join(directory, "empty.csv");
    writeFileSync(empty, "");
    fails(
      await inProcess(
        "twin",
        "calibrate",
        "--history",
        empty,
        "--format",
        "nrel-esif",
        "--loop",
        "air",
        "--out",
        params,
      ),
      1,
      /empty\.csv: empty file/,
    );
    // Every row has its return below its supply: the error says why no hour is left.
    const reversed = join(directory, "reversed.csv");
    writeFileSync(reversed, "ts,Tsup,Tret,Q\n2026-01-01T00:00,30,25,100\n2026-01-01T00:01,30,25,100\n");
    fails(
      await inProcess(
        ...["twin", "calibrate", "--history", reversed, "--format", "csv", "--loop", "liquid", "--out", params],
        ...["--columns", "time=ts,supply=Tsup,return=Tret,heat=Q"],
      ),
      1,
      /only 0 complete hours in the history \(0 hours too sparse, 2 rows read, dropped 2 noRise\)/,
    );
    fails(
      await inProcess(
        "twin",
        "calibrate",
        "--history",
        join(directory, "nope.csv"),
        "--format",
        "nrel-esif",
        "--loop",
        "air",
        "--out",
        params,
      ),
      1,
      /--history: cannot read ".*nope\.csv": no such file/,
    );
    const bad = join(directory, "bad-params.json");
    writeFileSync(
      bad,
      JSON.stringify({ ...JSON.parse(readFileSync(params, "utf8")), flowLaw: { heatExponent: "one" } }),
    );
    fails(
      await inProcess(
        "twin",
        "validate",
        "--params",
        bad,
        "--history",
        december,
        "--format",
        "nrel-esif",
        "--loop",
        "liquid",
      ),
      1,
      /bad-params\.json: params\.flowLaw/,
    );
    fails(
      await inProcess("twin", "validate", "--history", december, "--format", "nrel-esif", "--loop", "liquid"),
      2,
      /--params is required/,
    );
  });

  it("refuses a history too large to fit in bounded time and memory, before reading it", async () => {
    const calibrate = ["twin", "calibrate", "--format", "nrel-esif", "--loop", "liquid", "--out", params];
    // A sparse file: 300 MiB long, no disk used, refused on its size alone.
    const huge = join(directory, "huge.csv");
    writeFileSync(huge, "");
    truncateSync(huge, 300 * 1024 * 1024);
    fails(
      await inProcess(...calibrate, "--history", huge),
      1,
      /--history: cannot read ".*huge\.csv": file\.tooLarge: 300\.0 MiB, more than the 256\.0 MiB .*refused before reading/,
    );
    const paramsHuge = join(directory, "params-huge.json");
    writeFileSync(paramsHuge, "");
    truncateSync(paramsHuge, 2 * 1024 * 1024);
    fails(
      await inProcess(
        ...["twin", "validate", "--params", paramsHuge],
        ...["--history", december, "--format", "nrel-esif", "--loop", "liquid"],
      ),
      1,
      /--params: cannot read ".*params-huge\.json": file\.tooLarge: 2\.0 MiB, more than the 1\.0 MiB .*refused before reading/,
    );
    // 600,001 one-minute rows (more than a year): refused at the row past the bound, not fitted for an hour.
    const long = join(directory, "long.csv");
    const rows = Array.from({ length: 600_001 }, (_, minute) => `${1_451_606_400 + 60 * minute},20,30,100`);
    writeFileSync(long, `t,s,r,q\n${rows.join("\n")}\n`);
    fails(
      await inProcess(
        ...["twin", "calibrate", "--history", long, "--format", "csv", "--loop", "liquid", "--out", params],
        ...["--columns", "time=t,supply=s,return=r,heat=q"],
      ),
      1,
      /long\.csv:600002: more than 600,000 data rows in the history/,
    );
  });

  it("runs the twin with the fitted law: simulate --loop-params, one calibration per loop", async () => {
    const calibration = JSON.parse(readFileSync(params, "utf8"));
    const run = simulateLab(params, "--json");
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.deepEqual(result.loopLaws, {
      facilityWater: {
        heatExponent: calibration.flowLaw.heatExponent,
        supplyTracking: calibration.flowLaw.supplyTracking,
        params,
      },
    });
    assert.ok(result.kpis.pue > 1);
    assert.doesNotMatch(run.stderr, /warning/);
    fails(
      await inProcess(
        "simulate",
        "--site",
        "lab",
        "--duration",
        "2h",
        "--loop-params",
        params,
        "--loop-params",
        params,
      ),
      2,
      /--loop-params: .*params\.json: a second liquid-loop calibration/,
    );
    const broken = join(directory, "broken-params.json");
    writeFileSync(
      broken,
      JSON.stringify({ ...calibration, flowLaw: { ...calibration.flowLaw, heatExponent: "steep" } }),
    );
    fails(
      await inProcess("simulate", "--site", "lab", "--duration", "2h", "--loop-params", broken),
      1,
      /broken-params\.json: params\.flowLaw\.heatExponent: /,
    );
  });

  it("warns about a hand-edited law outside what a loop's control can produce, and still runs", () => {
    const calibration = JSON.parse(readFileSync(params, "utf8"));
    const steep = join(directory, "steep-params.json");
    writeFileSync(
      steep,
      JSON.stringify({ ...calibration, flowLaw: { ...calibration.flowLaw, heatExponent: 1e6, supplyTracking: -5 } }),
    );
    const run = simulateLab(steep, "--json");
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /--loop-params: .*steep-params\.json: warning: flowLaw\.heatExponent 1000000 is outside 0–2/,
    );
    assert.match(run.stderr, /steep-params\.json: warning: flowLaw\.supplyTracking -5 is outside -1–2/);
    assert.equal(JSON.parse(run.stdout).loopLaws.facilityWater.heatExponent, 1e6);
    const check = alixan(
      ...["twin", "validate", "--params", steep, "--history", december, "--format", "nrel-esif", "--loop", "liquid"],
    );
    assert.equal(check.code, 1, check.stdout);
    assert.match(check.stderr, /steep-params\.json: warning: flowLaw\.heatExponent 1000000 is outside 0–2/);
    assert.match(
      check.stderr,
      /params\.flowLaw: the law predicts no finite rise on these hours \(.*heatExponent 1000000/,
    );
    assert.doesNotMatch(check.stdout + check.stderr, /NaN|at .*\.ts:\d+/);
  });

  it("warns that an air-loop law has no effect on a site without an air side", () => {
    const air = join(directory, "air.json");
    const fit = alixan(
      ...["twin", "calibrate", "--history", september, "--format", "nrel-esif", "--loop", "air", "--out", air],
    );
    assert.equal(fit.code, 0, fit.stderr);
    // The lab site without its plant's air side (its rear-door rows then run on facility water, above its supply).
    const lab = readFileSync(join(root, "sites", "lab.yaml"), "utf8");
    const noAir = lab
      .replace(/\n {4}airSide:\n(?: {6}.*\n)+/, "\n")
      .replace("tcs: { supplySetpointC: 22,", "tcs: { supplySetpointC: 39.5,");
    assert.notEqual(noAir, lab);
    const site = join(directory, "lab-no-air.yaml");
    writeFileSync(site, noAir);
    const run = alixan("simulate", "--site", site, "--duration", "2h", "--step", "15m", "--loop-params", air);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /air\.json: warning: site lab has no air-side loop .*: this air-loop law has no effect/);
    const withAir = alixan("simulate", "--site", "lab", "--duration", "2h", "--step", "15m", "--loop-params", air);
    assert.equal(withAir.code, 0, withAir.stderr);
    assert.doesNotMatch(withAir.stderr, /no air-side loop/);
  });
});
