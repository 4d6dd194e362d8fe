import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { secondsPer } from "./time.ts";
import { runWhatIf, type WhatIfResult, type WhatIfScenario } from "./whatif.ts";

const lab = loadSite("lab");
const site = lab.site!;

async function whatIf(scenario: WhatIfScenario, days = 7): Promise<WhatIfResult> {
  const outcome = await runWhatIf(site, scenario, days);
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
  return outcome.value;
}

describe("what-if", () => {
  it("answers a heat wave with a higher PUE and chiller hours, over the summer week holding it", async () => {
    const result = await whatIf("heatwave");
    assert.equal(result.scenario, "heatwave");
    assert.equal(result.days, 7);
    assert.match(result.description, /from 20 July, 19 July to 25 July$/);
    const { baseline, variant, series } = result;
    assert.ok(variant.pue > baseline.pue, `PUE ${baseline.pue} → ${variant.pue}`);
    assert.ok(variant.chillerHours > baseline.chillerHours, `${baseline.chillerHours} → ${variant.chillerHours} h`);
    assert.ok(variant.peakGridMW > baseline.peakGridMW);
    assert.equal(baseline.itMWh, variant.itMWh, "same load: the racks did not throttle");
    assert.ok(Math.abs(baseline.facilityMWh / baseline.itMWh - baseline.pue) < 1e-12);

    assert.equal(series.time.length, 7 * 24);
    for (let hour = 1; hour < series.time.length; hour++) {
      assert.equal(series.time[hour]! - series.time[hour - 1]!, secondsPer.h * 1000);
    }
    const start = new Date(series.time[0]!);
    assert.deepEqual(
      [start.getUTCMonth(), start.getUTCDate(), start.getUTCHours()],
      [6, 18, 22],
      "19 July, 00:00 in Paris",
    );
    for (const run of [series.baseline, series.variant]) {
      for (const values of Object.values(run)) assert.equal(values.length, 7 * 24);
    }
    // The third afternoon (21 July, 15:00) is inside the wave: the facility draws more.
    const afternoon = 2 * 24 + 15;
    assert.ok(series.variant.facilityKW[afternoon]! > series.baseline.facilityKW[afternoon]!);
    assert.ok(series.variant.pue[afternoon]! > series.baseline.pue[afternoon]!);
    // A window shorter than the wave starts with it.
    assert.match((await whatIf("heatwave", 2)).description, /, 20 July to 21 July$/);
  });

  it("needs fewer chiller hours with W45 water than with W32 through the same hot week", async () => {
    const w32 = await whatIf("w32");
    const w45 = await whatIf("w45");
    assert.deepEqual(w32.baseline, w45.baseline, "the same baseline week");
    assert.ok(
      w45.variant.chillerHours < w32.variant.chillerHours,
      `${w45.variant.chillerHours} vs ${w32.variant.chillerHours}`,
    );
    assert.ok(w32.variant.chillerHours > w32.baseline.chillerHours);
    assert.ok(w45.variant.pue < w32.variant.pue);
    assert.equal(w45.variant.maxFwsSupplyC, 45);
  });

  it("fails two CDUs of a GPU row at the start, raising its coolant temperature", async () => {
    const result = await whatIf("cdu-failure", 2);
    assert.match(
      result.description,
      /^cdu:h1-r01-01 and cdu:h1-r01-02 of tcs:h1-r01 \(2 CDUs, N\+1\) fail at the start/,
    );
    assert.equal(result.baseline.maxTcsSupplyC, 39.5);
    assert.ok(result.variant.maxTcsSupplyC > 45, `${result.variant.maxTcsSupplyC} °C`);
    assert.ok(result.variant.throttledGpuHours > 0);
    assert.equal(result.series.time.length, 48);
  });

  it("reports what it cannot compare as an error value", async () => {
    assert.deepEqual(await runWhatIf(site, "heatwave", 0), {
      ok: false,
      error: "days: 0 is not a whole number of days from 1 to 14",
    });
    assert.equal((await runWhatIf(site, "w45", 15)).ok, false);
    assert.deepEqual(await runWhatIf(site, "heat-wave" as WhatIfScenario), {
      ok: false,
      error:
        'unknown what-if "heat-wave" (did you mean "heatwave"?); one of heatwave, cdu-failure, w32, w45, more-racks',
    });
    const withoutFile = await runWhatIf(site, "more-racks");
    assert.ok(!withoutFile.ok && withoutFile.error.startsWith("more-racks: the growth scenario adds rows"));
    // The shipped growth scenario adds rows to the Alixan campus's hall 8, which the lab does not have.
    const lab8 = await runWhatIf(site, "more-racks", 7, 1, lab.file);
    assert.ok(
      !lab8.ok && /does not apply to site lab: .*unknown hall "hall:h8"/.test(lab8.error),
      lab8.ok ? "" : lab8.error,
    );
  });
});
