import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { secondsPer } from "./time.ts";
import {
  nothingAsked,
  runWhatIf,
  type WhatIfRequest,
  type WhatIfResult,
  whatIfProblemOf,
  whatIfScenarios,
} from "./whatif.ts";

const lab = loadSite("lab");
const site = lab.site!;

async function whatIf(request: WhatIfRequest): Promise<WhatIfResult> {
  const outcome = await runWhatIf(site, request, 1, lab.file);
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
  return outcome.value;
}

async function refused(request: WhatIfRequest): Promise<{ field: string; message: string }> {
  const outcome = await runWhatIf(site, request, 1, lab.file);
  assert.ok(!outcome.ok, "refused");
  return whatIfProblemOf(outcome.error);
}

const canicule = { peakC: 40, days: 4, nightMinimumC: 24 };

describe("what-if", () => {
  it("answers a heat wave against the typical weather of the same week, and says so", async () => {
    const result = await whatIf({ heatWave: canicule });
    assert.equal(result.days, 7);
    assert.equal(result.startDay, 200);
    assert.deepEqual(result.changes, ["heat wave from 20 July, 4 days at 40 °C by day, not below 24 °C at night"]);
    assert.equal(result.weather.baseline, "Valence typical year");
    assert.match(result.weather.variant, /with heat wave from 20 July \(40 °C peak\)/);
    assert.match(result.description, /19 July to 25 July \(7 days\), baseline: Valence typical year$/);
    const { baseline, variant, series } = result;
    assert.ok(variant.pue > baseline.pue, `PUE ${baseline.pue} → ${variant.pue}`);
    assert.ok(variant.chillerHours > baseline.chillerHours, `${baseline.chillerHours} → ${variant.chillerHours} h`);
    assert.ok(variant.maxOutdoorC > baseline.maxOutdoorC + 5, `${baseline.maxOutdoorC} → ${variant.maxOutdoorC} °C`);
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
    // The first morning is before the wave (its warming starts the evening before): the same outdoor air in both
    // runs; the third afternoon is inside it.
    assert.deepEqual(series.variant.outdoorC.slice(0, 12), series.baseline.outdoorC.slice(0, 12));
    const afternoon = 2 * 24 + 15;
    assert.ok(series.variant.outdoorC[afternoon]! > series.baseline.outdoorC[afternoon]!);
    assert.ok(series.variant.facilityKW[afternoon]! > series.baseline.facilityKW[afternoon]!);
    // Every rack type has a throttling line, zeros included.
    assert.deepEqual(
      result.throttling.map((line) => line.rackType),
      site.rackTypes.map((type) => type.id),
    );
    // A window shorter than the wave starts with it.
    const short = await whatIf({ heatWave: canicule, days: 2, startDay: 201 });
    assert.match(short.description, /heat wave from 20 July.*20 July to 21 July \(2 days\)/);
  });

  it("compares water classes against a baseline of the same weather, and never re-rates racks unasked", async () => {
    const w32 = await whatIf({ waterClass: "W32" });
    const w45 = await whatIf({ waterClass: "W45" });
    assert.deepEqual(w32.baseline, w45.baseline, "the same baseline week");
    assert.equal(w32.weather.baseline, w32.weather.variant, "no heat wave in one run only");
    assert.deepEqual(w45.changes, ["facility water class W45 (45 °C supply) at every plant from the start"]);
    assert.equal(w45.variant.maxFwsSupplyC, 45);
    assert.ok(w45.variant.chillerHours <= w32.variant.chillerHours);
    // W45 water is hotter than the lab's racks accept: they throttle, and each type says how much.
    const lost = w45.throttling.reduce((sum, line) => sum + line.variantRackHours, 0);
    assert.ok(lost > 0, JSON.stringify(w45.throttling));
    assert.ok(Math.abs(lost - w45.variant.throttledRackHours) < 1e-6, `${lost} vs ${w45.variant.throttledRackHours}`);
    // They throttle without tripping: busy rack-hours are lost, no rack-hour is tripped.
    assert.ok(w45.variant.lostBusyRackHours > 0, `${w45.variant.lostBusyRackHours} busy rack-hours lost`);
    assert.equal(w45.variant.trippedRackHours, 0);
    assert.ok(w45.trippedByHall.every((line) => line.variantRackHours === 0 && line.baselineRackHours === 0));
    // Rating the racks for hotter coolant is a change of its own, listed as such.
    const rated = await whatIf({ waterClass: "W45", rackRatings: [{ maxCoolantSupplyC: 50 }] });
    assert.deepEqual(rated.changes.slice(1), ["racks of every type rated for coolant up to 50 °C from the start"]);
    assert.ok(rated.variant.throttledRackHours < w45.variant.throttledRackHours);

    // Under the same heat wave in both runs, only the water class differs.
    const hot = await whatIf({ waterClass: "W32", heatWave: canicule, heatWaveInBaseline: true });
    assert.equal(hot.weather.baseline, hot.weather.variant);
    assert.deepEqual(hot.changes, ["facility water class W32 (32 °C supply) at every plant from the start"]);
    assert.match(hot.description, /both runs: Valence typical year with heat wave from 20 July/);
  });

  it("runs the scenario with its own operator response, a change of its own", async () => {
    const alone = await whatIf({ operatorResponseS: "off", days: 1 });
    assert.deepEqual(alone.changes, [
      "no operator response: racks latched after repeated trips stay off until a repair",
    ]);
    const slower = await whatIf({ operatorResponseS: 4 * 3600, waterClass: "W40", days: 1 });
    assert.equal(
      slower.changes.at(-1),
      "the operator restarts racks latched with no failure behind them 4h after their alarm",
    );
  });

  it("says which of the tripped rack-hours were latched off after repeated trips", async () => {
    // Both air-side pumps out for a day: the rear-door rows' loops heat, their racks trip, restart once the loop has
    // cooled with them off, trip again within the hour and latch until a repair (none comes in a what-if).
    const { baseline, variant, throttling } = await whatIf({
      fail: ["pump:lab-air-01", "pump:lab-air-02"],
      days: 1,
    });
    assert.equal(baseline.latchedRackHours, 0);
    assert.ok(variant.latchedRackHours > 0, `${variant.latchedRackHours} latched rack-hours`);
    assert.ok(variant.latchedRackHours < variant.trippedRackHours, "latched hours are part of the tripped ones");
    // By rack type: the types' latched hours add up to the total, each within its type's tripped hours.
    const byType = throttling.reduce((sum, line) => sum + line.variantLatchedRackHours, 0);
    assert.ok(Math.abs(byType - variant.latchedRackHours) <= 1e-9 * byType, `${byType} by type`);
    for (const line of throttling) {
      assert.equal(line.baselineLatchedRackHours, 0, line.rackType);
      assert.ok(line.variantLatchedRackHours <= line.variantTrippedRackHours + 1e-9, line.rackType);
    }
  });

  it("fails exactly the units named, and the throttling it causes shows for every rack type", async () => {
    const one = await whatIf({ fail: ["cdu:h1-r01-01"], days: 2 });
    assert.deepEqual(one.changes, ["1 unit out of service from the start: cdu:h1-r01-01"]);
    const both = await whatIf({ fail: ["cdu:h1-r01-01", "cdu:h1-r01-02"], days: 2 });
    assert.deepEqual(both.changes, ["2 units out of service from the start: cdu:h1-r01-01, cdu:h1-r01-02"]);
    assert.equal(both.baseline.maxTcsSupplyC, 39.5);
    assert.ok(both.variant.maxTcsSupplyC > 45, `${both.variant.maxTcsSupplyC} °C`);
    assert.ok(both.variant.throttledRackHours > 0);
    const byType = Object.fromEntries(both.throttling.map((line) => [line.rackType, line.variantRackHours]));
    assert.ok((byType["nvl72"] ?? 0) > 0, JSON.stringify(byType));
    assert.equal(both.series.time.length, 48);
    // With no CDU the row's NVL72 racks trip: the answer says how long, by type and by hall, and the busy rack-hours
    // lost; the baseline, with its CDUs, trips nothing.
    const { baseline, variant, throttling, trippedByHall } = both;
    assert.deepEqual([baseline.trippedRackHours, baseline.lostBusyRackHours], [0, 0]);
    assert.ok(variant.trippedRackHours > 4 * 24, `${variant.trippedRackHours} tripped rack-hours`);
    assert.ok(variant.trippedRackHours <= 4 * 48 + 1e-9, "no more than the row's four racks all along");
    // Off while their loop stays out of limits, they never restart, so never trip twice: none of it is latched.
    assert.deepEqual([baseline.latchedRackHours, variant.latchedRackHours], [0, 0]);
    const nvl72 = throttling.find((line) => line.rackType === "nvl72")!;
    assert.ok(Math.abs(nvl72.variantTrippedRackHours - variant.trippedRackHours) < 1e-9 * variant.trippedRackHours);
    assert.ok(nvl72.variantLostBusyRackHours > 0 && nvl72.variantLostBusyRackHours < nvl72.variantTrippedRackHours);
    for (const line of throttling) {
      assert.equal(line.baselineTrippedRackHours, 0, line.rackType);
      if (line.rackType !== "nvl72") assert.equal(line.variantTrippedRackHours, 0, line.rackType);
    }
    const lost = throttling.reduce((sum, line) => sum + line.variantLostBusyRackHours, 0);
    assert.ok(Math.abs(lost - variant.lostBusyRackHours) < 1e-9 * lost, `${lost} vs ${variant.lostBusyRackHours}`);
    // In CPU core-hours: only the NVL72 racks lose, 18 trays of 144 Grace cores each (the lab's site file).
    const cores = nvl72.variantLostBusyRackHours * 18 * 144;
    assert.ok(Math.abs(variant.lostCpuCoreHours - cores) < 1e-9 * cores, `${variant.lostCpuCoreHours} vs ${cores}`);
    assert.equal(baseline.lostCpuCoreHours, 0);
    assert.deepEqual(
      trippedByHall.map((line) => [line.hall, line.baselineRackHours, line.variantRackHours > 0]),
      [
        ["hall:h1", 0, true],
        ["hall:h2", 0, false],
      ],
    );
    const byHall = trippedByHall.reduce((sum, line) => sum + line.variantRackHours, 0);
    assert.ok(Math.abs(byHall - variant.trippedRackHours) < 1e-9 * byHall, `${byHall} vs ${variant.trippedRackHours}`);
  });

  it("a heat wave hot enough to pass the coolant limit shows the racks it throttles, of every type", async () => {
    // With the air side on its own chilled water the facility loop carries less heat: the lab's trim chillers must
    // all be out for a 46 °C wave to pass the coolant limit.
    const result = await whatIf({
      heatWave: { peakC: 46, days: 3, nightMinimumC: 30 },
      days: 5,
      fail: ["chiller:lab-01", "chiller:lab-02", "chiller:lab-03"],
    });
    assert.ok(result.variant.hoursAboveLimit > 0, `${result.variant.hoursAboveLimit} h above the limit`);
    const throttled = result.throttling.reduce((sum, line) => sum + line.variantRackHours, 0);
    assert.ok(
      throttled > 0,
      `above the limit for ${result.variant.hoursAboveLimit} h: ${JSON.stringify(result.throttling)}`,
    );
  });

  it("knows a request with nothing to compare before any run, as the twin refuses it", async () => {
    // What the route answers before starting a worker is what the twin answers.
    for (const request of [{}, { days: 3, startDay: 100, heatWaveInBaseline: true }, { fail: [], rackRatings: [] }]) {
      assert.deepEqual(nothingAsked(request), await refused(request), JSON.stringify(request));
    }
    // Every change alone asks for something.
    const asking: WhatIfRequest[] = [
      { scenario: whatIfScenarios[0] },
      { heatWave: canicule },
      { fail: ["chiller:lab-01"] },
      { waterClass: "W45" },
      { rackRatings: [{ maxCoolantSupplyC: 40 }] },
      { moreRacks: { hall: "hall:h1", pattern: "hgx", rows: 1 } },
      { operatorResponseS: "off" },
    ];
    for (const request of asking) assert.equal(nothingAsked(request), undefined, JSON.stringify(request));
  });

  it("starts from a shipped scenario by its command-line name, and refuses what does not apply", async () => {
    assert.deepEqual(await refused({ days: 0 }), {
      field: "days",
      message: "0 is not a whole number of days from 1 to 14",
    });
    assert.deepEqual(await refused({}), {
      field: "scenario",
      message: "nothing to compare: name a shipped scenario or set at least one change",
    });
    assert.match((await refused({ scenario: "heatwave" as never })).message, /did you mean "heat-wave"/);
    const unit = await refused({ fail: ["cdu:h1-r01-01", "cdu:h1-r01-*"] });
    assert.equal(unit.field, "fail[1]");
    assert.match(unit.message, /name each unit/);
    assert.equal((await refused({ fail: ["cdu:h1-r01-01", "cdu:h1-r01-01"] })).field, "fail[1]");
    assert.equal(
      (await refused({ rackRatings: [{ rackType: "nvl27", maxCoolantSupplyC: 50 }] })).field,
      "rackRatings[0].rackType",
    );
    assert.equal((await refused({ heatWave: { ...canicule, nightMinimumC: 41 } })).field, "heatWave.nightMinimumC");
    assert.equal(
      (await refused({ moreRacks: { hall: "hall:h9", pattern: "gpu-row", rows: 1 } })).field,
      "moreRacks.hall",
    );
    assert.equal((await refused({ startDay: 360 })).field, "startDay");
    assert.equal((await refused({ operatorResponseS: -1 })).field, "operatorResponseS");
    assert.equal((await refused({ operatorResponseS: "soon" as never })).field, "operatorResponseS");
    assert.deepEqual(await refused({ heatWave: canicule, heatWaveInBaseline: true }), {
      field: "heatWaveInBaseline",
      message: "with the heat wave in both runs, the scenario changes nothing else",
    });
    // The shipped scenarios name the Alixan campus's units and halls: on the lab they are refused, not approximated.
    const shipped = await refused({ scenario: "heat-wave" });
    assert.equal(shipped.field, "scenario");
    assert.match(shipped.message, /does not apply to site lab: .*cdu:h1-r001-01/);
  });
});
