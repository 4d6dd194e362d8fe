/**
 * A measured EED report end to end: a year of meter readings sent through the collectors' receivers (Influx
 * `/write` gzip for the grid counter and heat offtake, Prometheus remote-write for UPS output power and the water
 * counter) into a telemetry directory on disk, then `alixan report eed --source telemetry --compare twin` read it
 * back. Expected figures come from the generators here, not from the report code: a counter's year is its last
 * reading less the previous year's last; a gauge's is the sum of its readings times their interval.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import Fastify from "fastify";
import { loadSite } from "../model/load.ts";
import { encodeLabels, encodeWriteRequest } from "../telemetry/export/remote-write.ts";
import { snappyEncode } from "../telemetry/export/snappy.ts";
import { registerTelemetryRoutes } from "../telemetry/routes.ts";
import { TelemetryService } from "../telemetry/service.ts";
import type { Field } from "./eed.ts";
import type { MeasuredEedReport, MonthComparison } from "./measured.ts";

const root = join(import.meta.dirname, "..", "..");
const directory = mkdtempSync(join(tmpdir(), "alixan-eed-measured-"));
after(() => rmSync(directory, { recursive: true, force: true }));

const hour = 3_600_000;
const quarter = 15 * 60_000;
const yearStart = Date.UTC(2025, 0, 1);
const yearEnd = Date.UTC(2026, 0, 1);
const historyStart = Date.UTC(2024, 11, 25);

/** UPS output, kW: a daily swing and a slow seasonal drift, different per UPS. */
const upsPower = (ups: "a" | "b", t: number) =>
  (ups === "a" ? 140 : 120) +
  25 * Math.sin((2 * Math.PI * t) / 86_400_000) +
  10 * Math.cos((2 * Math.PI * t) / (365 * 86_400_000));
/** Grid import, kW: IT with losses and cooling that follow the season. */
const gridPower = (t: number) =>
  1.12 * (upsPower("a", t) + upsPower("b", t)) +
  18 +
  12 * Math.sin((2 * Math.PI * (t - yearStart)) / (365 * 86_400_000));
const upsGap = { from: Date.UTC(2025, 2, 10, 10), to: Date.UTC(2025, 2, 10, 14) };
const gridGap = { from: Date.UTC(2025, 5, 10), to: Date.UTC(2025, 5, 12) };
const heatEnd = Date.UTC(2025, 11, 21);
const waterReset = Date.UTC(2025, 6, 1);

const expected = { itKWh: 0, gridKWh: 0, heatKWh: 0, waterM3: 0 };
let report: MeasuredEedReport & { comparison: MonthComparison[] };
let stdout = "";

before(async () => {
  const siteFile = join(directory, "site.yaml");
  writeFileSync(
    siteFile,
    `${readFileSync(join(root, "sites", "lab.yaml"), "utf8")}
meters:
  - { id: "meter:grid-main", kind: gridImport, metric: grid_import_energy_kwh, labels: { meter: main }, unit: kWh }
  - { id: "meter:it-ups", kind: itOutput, metric: ups_output_power_kw, unit: kW }
  - { id: "meter:makeup", kind: waterMakeUp, metric: water_makeup_m3_total, unit: m3 }
  - { id: "meter:heat-offtake", kind: heatReuse, metric: heat_offtake_kw, labels: { loop: district }, unit: kW }
`,
  );
  const loaded = loadSite(siteFile);
  assert.ok(loaded.ok, JSON.stringify(loaded.diagnostics.slice(0, 3)));
  assert.equal(loaded.site!.meters.length, 4);

  const telemetryDir = join(directory, "telemetry");
  const opened = await TelemetryService.open({ dataDirectory: telemetryDir, site: loaded.site!, onProblem: () => {} });
  assert.ok(opened.ok);
  const service = opened.value;
  const app = Fastify();
  registerTelemetryRoutes(app, service, {});
  await app.ready();

  // Grid import counter (kWh) and heat offtake (kW), as Telegraf would send them: Influx 1 /write, gzip, seconds.
  const lines: string[] = [];
  let counter = 5_000_000;
  let lastOf2024 = 0;
  for (let t = historyStart; t < yearEnd; t += quarter) {
    counter += gridPower(t) * 0.25;
    if (t < yearStart) lastOf2024 = counter;
    if (t >= gridGap.from && t < gridGap.to) continue;
    lines.push(`grid,meter=main import_energy_kwh=${counter} ${t / 1000}`);
  }
  expected.gridKWh = counter - lastOf2024;
  for (let t = yearStart + hour / 2; t < heatEnd; t += hour) {
    const kw = 60 + 20 * Math.sin((2 * Math.PI * t) / 86_400_000);
    expected.heatKWh += kw;
    lines.push(`heat,loop=district offtake_kw=${kw} ${t / 1000}`);
  }
  const influx = await app.inject({
    method: "POST",
    url: "/write?db=telegraf&precision=s",
    headers: { "content-type": "text/plain", "content-encoding": "gzip" },
    payload: gzipSync(lines.join("\n")),
  });
  assert.equal(influx.statusCode, 204, influx.body);

  // UPS output power (kW, gauges) and the water make-up counter (m³), remote-written.
  const ups = (["a", "b"] as const).map((name) => {
    const timestamps: number[] = [];
    const values: number[] = [];
    for (let t = yearStart; t < yearEnd; t += quarter) {
      expected.itKWh += upsPower(name, t) * 0.25;
      if (name === "b" && t >= upsGap.from && t < upsGap.to) continue;
      timestamps.push(t);
      values.push(upsPower(name, t));
    }
    return { labels: encodeLabels("ups_output_power_kw", { ups: `ups:${name}` }), timestamps, values };
  });
  const water = {
    labels: encodeLabels("water_makeup_m3_total", { site: "lab" }),
    timestamps: [] as number[],
    values: [] as number[],
  };
  let cubicMetres = 81_234;
  for (let t = historyStart + hour / 2; t < yearEnd; t += hour) {
    // 2 m³/h; the register restarts from zero at the reset, losing the half hour counted before it.
    cubicMetres = t - hour / 2 === waterReset ? 1 : cubicMetres + 2;
    water.timestamps.push(t);
    water.values.push(cubicMetres);
  }
  expected.waterM3 = 2 * 8760 - 1;
  const remote = await app.inject({
    method: "POST",
    url: "/api/v1/write",
    headers: {
      "content-type": "application/x-protobuf",
      "content-encoding": "snappy",
      "x-prometheus-remote-write-version": "0.1.0",
    },
    payload: Buffer.from(snappyEncode(encodeWriteRequest([...ups, water]))),
  });
  assert.equal(remote.statusCode, 204, remote.body);
  await app.close();
  await service.close();

  const run = spawnSync(
    process.execPath,
    [
      join(root, "bin", "alixan.js"),
      "report",
      "eed",
      "--year",
      "2025",
      "--source",
      "telemetry",
      "--telemetry-dir",
      telemetryDir,
      "--site",
      siteFile,
      "--compare",
      "twin",
      "--step",
      "60m",
      "--out",
      directory,
    ],
    { cwd: root, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  stdout = run.stdout;
  report = JSON.parse(readFileSync(join(directory, "eed-lab-2025.json"), "utf8"));
});

/** A reported field's number (the assertion fails on a missing one). */
function numberOf(field: Field | undefined): number {
  assert.ok(field?.status === "reported" && typeof field.value === "number", JSON.stringify(field));
  return field.value as number;
}

const close = (actual: number, wanted: number, relative: number, what: string) =>
  assert.ok(Math.abs(actual - wanted) <= relative * wanted, `${what}: ${actual} against ${wanted}`);

describe("EED report from measured telemetry", () => {
  it("totals match the readings sent: counters exactly, gauges within the interpolated hours", () => {
    assert.equal(report.source, "measured");
    close(numberOf(report.annexII.E_DC), expected.gridKWh, 1e-9, "E_DC");
    close(numberOf(report.annexII.E_IT), expected.itKWh, 1e-4, "E_IT");
    close(numberOf(report.annexII.W_IN), expected.waterM3, 1e-9, "W_IN");
    close(numberOf(report.annexII.E_REUSE), expected.heatKWh, 1e-9, "E_REUSE");
    for (const field of ["E_DC", "E_IT", "W_IN", "E_REUSE"])
      assert.equal((report.annexII[field] as { source?: string }).source, "measured");
    close(numberOf(report.annexIII.PUE), expected.gridKWh / expected.itKWh, 1e-4, "PUE");
    close(numberOf(report.annexIII.WUE), (1000 * expected.waterM3) / expected.itKWh, 1e-4, "WUE");
    close(numberOf(report.annexIII.ERF), expected.heatKWh / expected.gridKWh, 1e-9, "ERF");
    assert.equal(report.annexIII["REF"]?.status, "missing", "no renewables metered or declared");
  });

  it("the data-quality section names the gaps, the interpolated hours and the reset", () => {
    const meters = Object.fromEntries(report.dataQuality.meters.map((line) => [line.id, line]));
    const grid = meters["meter:grid-main"]!;
    assert.equal(grid.hoursEstimated, 48, "the counter's two silent days are spread, so estimated");
    assert.equal(grid.hoursMissing, 0);
    const it = meters["meter:it-ups"]!;
    assert.equal(it.series, 2);
    assert.equal(it.hoursEstimated, 4);
    assert.equal(it.estimatedIntervals, 1);
    assert.equal(it.gaps[0]?.from, "2025-03-10T10:00:00.000Z");
    const water = meters["meter:makeup"]!;
    assert.equal(water.counterResets, 1);
    assert.equal(water.coverage, 1);
    const heat = meters["meter:heat-offtake"]!;
    assert.equal(heat.hoursMissing, 11 * 24, "the last eleven days are not interpolated: longer than 6 h");
    assert.equal(heat.longestGapH, 11 * 24);
    assert.ok(heat.coverage < 0.97);
    const flags = report.dataQuality.flags.join("\n");
    assert.match(flags, /meter:heat-offtake: 264 of 8760 h missing/);
    assert.match(flags, /meter:it-ups: 4 h in 1 interval\(s\) estimated by interpolation/);
    assert.match(flags, /meter:makeup: 1 counter reset/);
    assert.match((report.annexII["E_REUSE"] as { note?: string }).note ?? "", /coverage 97\.0 %/);
    assert.match(stdout, /data quality \(8760 h in 2025\)/);
    const html = readFileSync(join(directory, "eed-lab-2025.html"), "utf8");
    assert.match(html, /<h2>Data quality \(8760 h in 2025\)<\/h2>/);
    assert.match(html, /<h2>Measured against simulated \(twin\), per month<\/h2>/);
  });

  it("--compare twin shows twelve months measured beside simulated", () => {
    assert.equal(report.comparison.length, 12);
    for (const month of report.comparison) {
      assert.ok(month.simulatedTotalKWh > 0 && month.simulatedItKWh > 0, `month ${month.month} simulated`);
      assert.ok(
        (month.measuredPue ?? 0) > 1.1 && (month.measuredPue ?? 0) < 1.3,
        `month ${month.month} PUE ${month.measuredPue}`,
      );
    }
    assert.equal(report.comparison[5]?.measuredCoverage, 1);
    assert.match(stdout, /measured against simulated \(twin\), per month/);
  });
});
