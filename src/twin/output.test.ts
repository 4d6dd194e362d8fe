import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { framesToCsv, readIntensityProfile, summaryOf } from "./output.ts";
import { renderCharts } from "./plot.ts";
import { simulate } from "./run.ts";
import { secondsPer } from "./time.ts";
import { valenceTypicalYear } from "./weather.ts";

const site = loadSite("lab").site!;

describe("outputs", () => {
  it("reads an hourly carbon-intensity profile and reports a bad line by number", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-intensity-"));
    try {
      const good = join(directory, "good.csv");
      writeFileSync(
        good,
        `hour,gCO2PerKWh\n${Array.from({ length: 24 }, (_, hour) => `${hour},${hour < 12 ? 20 : 60}`).join("\n")}\n`,
      );
      const profile = readIntensityProfile(good);
      assert.ok(profile.ok);
      assert.equal(profile.value.length, 24);
      // The same profile with CR-only line breaks (old Mac tools): one line each, not one line of 24 commas.
      const carriageReturns = join(directory, "cr.csv");
      writeFileSync(carriageReturns, readFileSync(good, "utf8").replaceAll("\n", "\r"));
      assert.deepEqual(readIntensityProfile(carriageReturns), profile);
      const bad = join(directory, "bad.csv");
      writeFileSync(bad, "20\n21\nlots\n");
      assert.deepEqual(readIntensityProfile(bad), {
        ok: false,
        error: `${bad}:3: "lots" is not a carbon intensity in gCO2/kWh`,
      });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("applies an hourly intensity profile hour by hour", async () => {
    const base = { site, weather: valenceTypicalYear(1), durationS: secondsPer.d, stepS: 300, threads: 1 };
    const flat = await simulate({ ...base, gridIntensity: 40 });
    const profile = Float64Array.from({ length: 24 }, (_, hour) => (hour < 12 ? 20 : 60));
    const hourly = await simulate({ ...base, gridIntensity: profile });
    assert.ok(flat.ok && hourly.ok);
    assert.ok(Math.abs(flat.value.kpis.co2Tonnes - (flat.value.kpis.totalEnergyMWh * 40) / 1000) < 1e-9);
    // Afternoons draw more power than nights, so the mean intensity weighted by energy is above 40 g/kWh.
    assert.ok(hourly.value.kpis.gridIntensityGPerKWh > 40 && hourly.value.kpis.gridIntensityGPerKWh < 60);
  });

  it("writes frames as CSV and draws three well-formed SVG charts", async () => {
    const outcome = await simulate({
      site,
      weather: valenceTypicalYear(1),
      durationS: 3 * secondsPer.d,
      stepS: 600,
      threads: 1,
    });
    assert.ok(outcome.ok);
    const csv = framesToCsv(outcome.value.halls).trim().split("\n");
    assert.equal(csv.length, 1 + 2 * 72, "a header, then 72 hourly rows per hall");
    assert.match(csv[1]!, /^0,hall:h1,\d/);
    const charts = renderCharts(outcome.value);
    assert.deepEqual(Object.keys(charts), ["temperatures.svg", "pue.svg", "power-stack.svg"]);
    for (const svg of Object.values(charts)) {
      assert.match(svg, /^<svg [^>]*>/);
      assert.match(svg, /<\/svg>\n$/);
      assert.doesNotMatch(svg, /NaN|Infinity/);
    }
    assert.match(charts["pue.svg"]!, /daily energy ratio/);
    // The summary (kpis.json, simulate --json) carries the per-type and per-hall rack-hours, every type and hall.
    const summary = summaryOf(outcome.value);
    assert.deepEqual(
      ["throttledRackHoursByType", "trippedRackHoursByType", "lostBusyRackHoursByType"].map((key) =>
        (summary[key] as { rackType: string }[]).map((line) => line.rackType),
      ),
      Array.from({ length: 3 }, () => site.rackTypes.map((type) => type.id)),
    );
    assert.deepEqual(
      (summary["trippedRackHoursByHall"] as { hall: string }[]).map((line) => line.hall),
      site.halls.map((hall) => hall.id),
    );
  });
});
