import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadSite, parseSite } from "../model/load.ts";
import type { Site } from "../model/site.ts";
import type { UtilisationSource } from "../model/utilisation.ts";
import { carryMap } from "./carry.ts";
import { PartitionKernel, rackRestartS } from "./kernel.ts";
import { buildPartition } from "./layout.ts";
import { type LiveSnapshot, LiveTwin } from "./live.ts";
import type { RackLoad } from "./profiles.ts";
import { simulate } from "./run.ts";
import { parseScenario, type TwinEvent } from "./scenario.ts";
import { epochOfYearTime, secondsPer, yearTimeOf } from "./time.ts";
import { valenceTypicalYear } from "./weather.ts";

const lab = loadSite("lab");
const site = lab.site!;
/** Monday 1 January 2029, midnight in Paris: the start of the twin's typical year, on a Monday like its calendar. */
const newYear2029 = Date.UTC(2028, 11, 31, 23);
/** Tuesday 17 July 2029, 15:00 in Paris (summer time, UTC+2). */
const julyAfternoon = Date.UTC(2029, 6, 17, 13);

const labPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "sites", "lab.yaml");
/** The lab with `edits` (text replaced) applied to its file. */
function labWith(...edits: [string, string][]): Site {
  let text = readFileSync(labPath, "utf8");
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `the lab file has ${from}`);
    text = text.replace(from, to);
  }
  const loaded = parseSite(text, { fileName: labPath });
  assert.ok(loaded.ok && loaded.site !== undefined, JSON.stringify(loaded.diagnostics));
  return loaded.site;
}
/** Hall 1 without its rear-door row: at full load with its air handlers out, its racks trip and latch. */
const noDoors: [string, string] = ["      - { pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }\n", ""];

function close(actual: number, expected: number, what: string, tolerance = 1e-9): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance * scale, `${what}: ${actual} ≠ ${expected}`);
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < values.length; index++) total += values[index]!;
  return total;
}

describe("live twin: shared physics", () => {
  it("gives the batch runner's site and plant figures over the same seconds, through a CDU failure", async () => {
    const minutes = 10;
    const failAtS = 300;
    const failed = ["cdu:h1-r01-01", "cdu:h1-r01-02"];
    const scenario = parseScenario(
      `events:\n  - { at: ${failAtS}, fail: [${failed.join(", ")}] }\n`,
      "t",
      site,
      lab.file,
    );
    assert.ok(scenario.ok);
    const batch = await simulate({
      site,
      weather: valenceTypicalYear(1),
      durationS: minutes * secondsPer.m,
      stepS: 1,
      seriesIntervalS: secondsPer.m,
      seed: 1,
      threads: 1,
      scenario: scenario.value.scenario,
    });
    assert.ok(batch.ok);

    // Defaults throughout: the Valence year at the Paris wall clock, synthetic load aligned on the weekday.
    const twin = new LiveTwin(site, { startMs: newYear2029 });
    const plantFields = ["heatKW", "dryCoolerKW", "chillerKW", "fanKW", "pumpKW", "fwsSupplyC"] as const;
    const perMinute = {
      plant: plantFields.map(() => new Float64Array(minutes)),
      it: new Float64Array(minutes),
      facility: new Float64Array(minutes),
      maxTcs: new Float64Array(minutes).fill(Number.NEGATIVE_INFINITY),
    };
    const record = (snapshot: LiveSnapshot, second: number) => {
      const minute = Math.floor((second - 1) / 60);
      plantFields.forEach((field, index) => {
        perMinute.plant[index]![minute]! += snapshot.plants[0]![field] / 60;
      });
      perMinute.it[minute]! += snapshot.kpis.itKW / 60;
      perMinute.facility[minute]! += snapshot.kpis.facilityKW / 60;
      for (const loop of snapshot.tcs) perMinute.maxTcs[minute] = Math.max(perMinute.maxTcs[minute]!, loop.supplyC);
    };
    record(twin.snapshot(), 1);
    for (let second = 2; second <= minutes * 60; second++) {
      if (second === failAtS + 1) for (const id of failed) assert.ok(twin.failCdu(id).ok);
      assert.equal(twin.advanceTo(newYear2029 + second * 1000), 1);
      record(twin.snapshot(), second);
    }

    const { plants, site: siteFrame } = batch.value;
    const plantFrame = plants[0]!.fields;
    const batchFields = [
      "heatToLoopKw",
      "dryCoolerHeatKw",
      "chillerHeatKw",
      "dryCoolerFanKw",
      "fwsPumpKw",
      "fwsSupplyC",
    ];
    const history = twin.history();
    assert.equal(history.time.length, minutes);
    for (let minute = 0; minute < minutes; minute++) {
      plantFields.forEach((field, index) => {
        close(perMinute.plant[index]![minute]!, plantFrame[batchFields[index]!]![minute]!, `${field} minute ${minute}`);
      });
      close(perMinute.it[minute]!, siteFrame.fields.itKw![minute]!, `itKW minute ${minute}`);
      close(perMinute.facility[minute]!, siteFrame.fields.gridKw![minute]!, `facilityKW minute ${minute}`);
      close(perMinute.maxTcs[minute]!, siteFrame.fields.maxTcsSupplyC![minute]!, `max TCS minute ${minute}`);
      assert.equal(history.time[minute], newYear2029 + minute * 60_000);
      close(history.itKW[minute]!, siteFrame.fields.itKw![minute]!, `history itKW ${minute}`);
      close(history.facilityKW[minute]!, siteFrame.fields.gridKw![minute]!, `history facilityKW ${minute}`);
      close(history.pue[minute]!, siteFrame.fields.pue![minute]!, `history pue ${minute}`);
      close(history.coolingKW[minute]!, siteFrame.fields.coolingKw![minute]!, `history coolingKW ${minute}`);
      const losses =
        siteFrame.fields.upsLossKw![minute]! +
        siteFrame.fields.transformerLossKw![minute]! +
        siteFrame.fields.substationLossKw![minute]! +
        siteFrame.fields.houseKw![minute]!;
      close(history.lossesKW[minute]!, losses, `history lossesKW ${minute}`);
      close(history.dryBulbC[minute]!, siteFrame.fields.outdoorDryBulbC![minute]!, `history dryBulbC ${minute}`);
      close(history.fwsSupplyC[minute]!, siteFrame.fields.fwsSupplyC![minute]!, `history fwsSupplyC ${minute}`);
    }
    // The comparison covered the failure: the NVL72 loop overheated and its racks throttled.
    assert.ok(perMinute.maxTcs[9]! > 45, `max TCS ${perMinute.maxTcs[9]}`);
    assert.ok(batch.value.kpis.throttledGpuHours > 0);
  });
});

describe("live twin: snapshot", () => {
  it("has the contract's shapes and consistent units", () => {
    const twin = new LiveTwin(site, { startMs: julyAfternoon });
    twin.advanceTo(julyAfternoon + 90_500);
    const snapshot = twin.snapshot();
    assert.equal(snapshot.time, julyAfternoon + 90_000, "whole steps; the half second waits");
    assert.deepEqual(Object.keys(snapshot.kpis).sort(), [
      "carbonKgPerH",
      "coolingKW",
      "facilityKW",
      "gpuUtilisation",
      "itKW",
      "latchedRacks",
      "lossesKW",
      "makeUpWaterLPerH",
      "pue",
      "throttledRacks",
      "trippedRacks",
    ]);
    const { kpis, racks } = snapshot;
    assert.ok(snapshot.weather.dryBulbC > 20 && snapshot.weather.dryBulbC < 42, "a July afternoon in Valence");
    assert.ok(snapshot.weather.relativeHumidity > 5 && snapshot.weather.relativeHumidity < 100);
    close(kpis.pue, kpis.facilityKW / kpis.itKW, "PUE");
    assert.ok(kpis.pue > 1.02 && kpis.pue < 1.2, `PUE ${kpis.pue}`);
    close(kpis.facilityKW, kpis.itKW + kpis.coolingKW + kpis.lossesKW, "facility = IT + cooling + losses");
    close(kpis.carbonKgPerH, (kpis.facilityKW * 30) / 1000, "carbon at 30 g/kWh");
    close(kpis.makeUpWaterLPerH, (0.02 * 1000) / 24, "the loop's make-up only: adiabatic assist is off");
    assert.ok(kpis.gpuUtilisation > 0.3 && kpis.gpuUtilisation < 1);
    assert.equal(kpis.throttledRacks, 0);
    assert.equal(kpis.trippedRacks, 0);
    assert.equal(kpis.latchedRacks, 0);
    assert.ok(
      racks.running.every((share) => share === 1),
      "every rack in service",
    );

    assert.deepEqual(
      snapshot.plants.map((plant) => Object.keys(plant).sort()),
      [
        [
          "adiabaticOn",
          "chillerKW",
          "chillersRunning",
          "dryCoolerKW",
          "failedUnits",
          "fanKW",
          "fwsReturnC",
          "fwsSupplyC",
          "fwsSupplySetpointC",
          "heatKW",
          "id",
          "pumpKW",
        ],
      ],
    );
    const plant = snapshot.plants[0]!;
    assert.equal(plant.id, "plant:lab");
    assert.equal(plant.fwsSupplySetpointC, site.plants[0]!.supplySetpoint, "the site's set-point until one is set");
    assert.ok(plant.fwsReturnC > plant.fwsSupplyC + 5, "about the 10 K design rise");
    close(plant.dryCoolerKW + plant.chillerKW, plant.heatKW, "heat rejected at a held set-point", 1e-6);

    assert.equal(snapshot.tcs.length, site.rows.length);
    for (const [index, loop] of snapshot.tcs.entries()) {
      const row = site.rows[index]!;
      assert.equal(loop.id, row.tcs.id);
      assert.deepEqual(loop.failedCdus, []);
      assert.equal(loop.supplyC, row.tcs.supplySetpoint);
      close(loop.headroomKW, loop.capacityKW - loop.heatKW, `${loop.id} headroom`);
      assert.ok(loop.returnC > loop.supplyC && loop.flowLpm > 0);
      let headroom = 0;
      for (let rack = row.rackStart; rack < row.rackStart + row.rackCount; rack++) headroom += racks.headroomKW[rack]!;
      close(headroom, loop.headroomKW, `${loop.id}: the racks' shares add up`, 1e-6);
    }

    for (const array of Object.values(racks)) {
      assert.ok(array instanceof Float32Array);
      assert.equal(array.length, site.racks.length);
    }
    close(sum(racks.powerKW), kpis.itKW, "the racks add up to IT", 1e-6);
    const nvl72 = site.racks.findIndex((rack) => site.rackTypes[rack.typeIndex]!.id === "nvl72");
    assert.ok(racks.powerKW[nvl72]! > 30 && racks.powerKW[nvl72]! <= 132);
    assert.ok(racks.tcsReturnC[nvl72]! > racks.tcsSupplyC[nvl72]! + 5);
    assert.equal(racks.throttle[nvl72], 1);
  });

  it("reads a rack-level utilisation source with seconds since the start and keeps each rack's own value", () => {
    const times: number[] = [];
    const source: UtilisationSource = {
      fill(timeS, out) {
        times.push(timeS);
        for (let rack = 0; rack < site.racks.length; rack++) out[rack] = rack % 2 === 0 ? 0.2 : 0.8;
      },
    };
    const twin = new LiveTwin(site, {
      startMs: julyAfternoon,
      utilisation: source,
      utilisationRefreshS: 10,
      utilisationIsActivity: true,
    });
    twin.advanceTo(julyAfternoon + 30_000);
    assert.deepEqual(times, [0, 10, 20]);
    const { racks, kpis } = twin.snapshot();
    assert.ok(Math.abs(racks.utilisation[0]! - 0.2) < 1e-6 && Math.abs(racks.utilisation[1]! - 0.8) < 1e-6);
    assert.ok(racks.powerKW[1]! > racks.powerKW[0]!);
    close(sum(racks.powerKW), kpis.itKW, "the racks add up to IT", 1e-6);
    // As allocation (the scheduler's), each rack draws what its job's activity makes it: at most the allocation.
    const allocated = new LiveTwin(site, { startMs: julyAfternoon, utilisation: source, utilisationRefreshS: 10 });
    const live = allocated.snapshot().racks;
    for (let rack = 0; rack < site.racks.length; rack++) {
      assert.ok(live.utilisation[rack]! <= (rack % 2 === 0 ? 0.2 : 0.8) + 1e-6, `rack ${rack}`);
    }
    assert.ok(live.utilisation.some((value, rack) => value < (rack % 2 === 0 ? 0.2 : 0.8) - 1e-3));
  });

  it("covers the full 40,000-rack site cheaply enough to step every second", () => {
    const alixan = loadSite("alixan").site!;
    const twin = new LiveTwin(alixan, { startMs: julyAfternoon });
    const started = performance.now();
    twin.advanceTo(julyAfternoon + 601_000);
    const perSecondMs = (performance.now() - started) / 600;
    const snapshot = twin.snapshot();
    assert.equal(snapshot.racks.powerKW.length, 40_000);
    assert.equal(snapshot.tcs.length, 800);
    assert.equal(snapshot.plants.length, 8);
    assert.ok(snapshot.kpis.itKW > 500_000 && snapshot.kpis.itKW < 1_000_000, `${snapshot.kpis.itKW} kW IT`);
    // Every rack is stepped; the bound only catches a change of kind (allocation or objects in the step loop).
    assert.ok(perSecondMs < 5, `${perSecondMs.toFixed(3)} ms per simulated second`);
  });
});

describe("live twin: events", () => {
  it("heats a loop over the following minutes when its CDUs fail, and cools it when they return", () => {
    const twin = new LiveTwin(site, { startMs: julyAfternoon });
    const loopAfter = (seconds: number) => {
      twin.advanceTo(twin.timeMs + seconds * 1000);
      return twin.snapshot().tcs[0]!;
    };
    assert.equal(loopAfter(60).supplyC, 39.5);
    assert.ok(twin.failCdu("cdu:h1-r01-02").ok);
    assert.ok(twin.failCdu("cdu:h1-r01-01").ok);
    const first = loopAfter(10);
    assert.deepEqual(first.failedCdus, ["cdu:h1-r01-01", "cdu:h1-r01-02"]);
    assert.equal(first.capacityKW, 0);
    assert.equal(first.headroomKW, 0);
    const oneMinute = loopAfter(50);
    const warm = twin.snapshot().kpis;
    assert.deepEqual([warm.throttledRacks, warm.trippedRacks], [4, 0], "a minute in, the row's racks throttle");
    const fiveMinutes = loopAfter(240);
    assert.ok(first.supplyC > 39.5 && oneMinute.supplyC > first.supplyC + 1, `${first.supplyC}, ${oneMinute.supplyC}`);
    assert.ok(fiveMinutes.supplyC >= oneMinute.supplyC, `${oneMinute.supplyC} then ${fiveMinutes.supplyC}`);
    // The four NVL72 racks of the row (the site's first four) throttled after a minute and have tripped since: each
    // counted once, as tripped, with its running share 0.
    const nvl72 = [0, 1, 2, 3];
    const hot = twin.snapshot();
    assert.deepEqual([hot.kpis.throttledRacks, hot.kpis.trippedRacks], [0, 4]);
    assert.deepEqual(
      nvl72.map((rack) => [hot.racks.running[rack], hot.racks.powerKW[rack]]),
      nvl72.map(() => [0, 0]),
    );
    assert.equal(hot.tcs[1]!.supplyC, 39.5, "the next row is untouched");

    assert.ok(twin.repairCdu("cdu:h1-r01-01").ok);
    assert.ok(twin.repairCdu("cdu:h1-r01-02").ok);
    const repaired = loopAfter(600);
    assert.ok(Math.abs(repaired.supplyC - 39.5) < 1e-6, `${repaired.supplyC}`);
    // Racks that tripped while the loop was hot restart once it is back under their limit, over `rackRestartS`:
    // tripped until they are fully back.
    const restarting = twin.snapshot();
    assert.equal(restarting.kpis.trippedRacks, 4);
    for (const rack of nvl72) {
      const share = restarting.racks.running[rack]!;
      assert.ok(share > 0 && share < 1, `rack ${rack} running ${share} while it restarts`);
    }
    loopAfter(rackRestartS);
    const back = twin.snapshot();
    assert.deepEqual([back.kpis.throttledRacks, back.kpis.trippedRacks], [0, 0]);
    assert.deepEqual(
      nvl72.map((rack) => back.racks.running[rack]),
      nvl72.map(() => 1),
    );
  });

  it("shows a hall's air, racks' mass and slab and walls warming when its air handlers fail, and cooling back", () => {
    const twin = new LiveTwin(site, { startMs: julyAfternoon });
    twin.advanceTo(twin.timeMs + 60_000);
    const before = twin.snapshot().halls;
    assert.deepEqual(
      before.map((hall) => hall.id),
      site.halls.map((hall) => hall.id),
    );
    // In normal operation the three are at what the air handlers hold: supply + containment leakage.
    const holdC = before[0]!.airC;
    assert.ok(holdC > 20 && holdC < 27, `hall air ${holdC} °C`);
    assert.deepEqual([before[0]!.rackMassC, before[0]!.slabAndWallsC, before[0]!.envelopeLossKW], [holdC, holdC, 0]);
    assert.ok(twin.failUnit("crah:h1-01").ok);
    assert.ok(twin.failUnit("crah:h1-02").ok);
    twin.advanceTo(twin.timeMs + 10 * 60_000);
    // Ten minutes on: the air leads, the racks' mass trails it, the slab and walls barely move; the rear doors and
    // the envelope take heat from the warm room; hall 2 holds.
    const warm = twin.snapshot().halls;
    const { airC, rackMassC, slabAndWallsC } = warm[0]!;
    assert.ok(airC > holdC + 2 && rackMassC > holdC + 1 && rackMassC < airC, `${airC}, ${rackMassC} °C`);
    assert.ok(slabAndWallsC > holdC && slabAndWallsC < holdC + 0.5, `slab and walls ${slabAndWallsC} °C`);
    assert.ok(warm[0]!.rearDoorExtraKW > 0 && warm[0]!.envelopeLossKW > 0, JSON.stringify(warm[0]));
    assert.deepEqual(warm[1], before[1]);
    assert.ok(twin.repairUnit("crah:h1-01").ok);
    assert.ok(twin.repairUnit("crah:h1-02").ok);
    twin.advanceTo(twin.timeMs + 5 * 60_000);
    const repaired = twin.snapshot().halls[0]!;
    assert.equal(repaired.airC, holdC);
    assert.ok(repaired.slabAndWallsC > holdC, "the slab and walls still hold heat");
  });

  it("counts racks latched off after repeated trips as tripped, until an operator restarts their row", () => {
    // Hall 1 without its rear-door row, at full load: with both air handlers out its racks trip, restart once, trip
    // again and stay off (`rackAutoRestarts`) while the hall stays hot.
    const path = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "sites", "lab.yaml");
    const text = readFileSync(path, "utf8").replace(
      "      - { pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }\n",
      "",
    );
    const loaded = parseSite(text, { fileName: path });
    assert.ok(loaded.ok && loaded.site !== undefined, "the lab without hall 1's rear-door row loads");
    const noDoors = loaded.site;
    const full: UtilisationSource = { fill: (_timeS, out) => out.fill(1) };
    const twin = new LiveTwin(noDoors, {
      startMs: julyAfternoon,
      stepS: 5,
      utilisation: full,
      utilisationIsActivity: true,
    });
    assert.ok(twin.failUnit("crah:h1-01").ok);
    assert.ok(twin.failUnit("crah:h1-02").ok);
    twin.advanceTo(twin.timeMs + 90 * 60_000);
    const hall1 = noDoors.racks.flatMap((rack, index) => (rack.hallIndex === 0 ? [index] : []));
    const latched = twin.snapshot();
    assert.ok(
      hall1.every((rack) => latched.racks.running[rack] === 0),
      "hall 1's racks are off",
    );
    assert.ok(latched.kpis.trippedRacks >= hall1.length, `${latched.kpis.trippedRacks} racks tripped`);
    // The KPI counts the per-rack state it serves: hall 1's racks, latched behind the failed air handlers.
    assert.equal(
      latched.kpis.latchedRacks,
      latched.racks.latched.reduce((sum, value) => sum + value, 0),
    );
    assert.equal(latched.kpis.latchedRacks, hall1.length);
    assert.ok(
      hall1.every((rack) => latched.racks.latched[rack] === 1),
      "hall 1's racks are latched",
    );
    const row = noDoors.rows.find((candidate) => candidate.hallIndex === 0)!;
    const rowRacks = hall1.filter((rack) => noDoors.racks[rack]!.rowIndex === row.index);
    // Still off ten minutes on, though the air has long cooled below the 40 °C restart with every rack off.
    twin.advanceTo(twin.timeMs + 10 * 60_000);
    assert.ok(
      rowRacks.every((rack) => twin.snapshot().racks.running[rack] === 0),
      "latched racks stay off",
    );
    assert.deepEqual(twin.restartRacks(row.id), { ok: true, value: rowRacks.length });
    assert.deepEqual(twin.restartRacks(row.id), {
      ok: false,
      error: `no rack of ${row.id} is latched off after repeated trips`,
    });
    const unknown = twin.restartRacks("row:h9-r01");
    assert.ok(!unknown.ok && unknown.error.startsWith("no row row:h9-r01 in site lab"), JSON.stringify(unknown));
    twin.advanceTo(twin.timeMs + 60_000);
    const restarted = twin.snapshot();
    assert.ok(
      rowRacks.every((rack) => restarted.racks.running[rack]! > 0 && restarted.racks.latched[rack] === 0),
      "the row's racks restart",
    );
  });

  it("fails and repairs a hall's air handlers, listed under the hall's plant", () => {
    const twin = new LiveTwin(site, { startMs: julyAfternoon });
    assert.ok(twin.failUnit("crah:h2-01").ok);
    assert.ok(twin.failUnit("pump:lab-air-02").ok);
    twin.advanceTo(twin.timeMs + 60_000);
    // The lab's one plant lists hall 2's air handler (hall index 1), not only units of plant index 0.
    assert.deepEqual(twin.snapshot().plants[0]!.failedUnits, ["crah:h2-01", "pump:lab-air-02"]);
    assert.ok(twin.repairUnit("crah:h2-01").ok);
    assert.deepEqual(twin.snapshot().plants[0]!.failedUnits, ["pump:lab-air-02"]);
    assert.deepEqual(twin.repairUnit("crah:h2-01"), { ok: false, error: "crah:h2-01 is not failed" });
  });

  it("moves a plant's supply set-point, with its loops keeping their margin", () => {
    const twin = new LiveTwin(site, { startMs: julyAfternoon });
    assert.ok(twin.setFacilitySupplyC("plant:lab", 40).ok);
    twin.advanceTo(twin.timeMs + 3_600_000);
    const snapshot = twin.snapshot();
    assert.ok(Math.abs(snapshot.plants[0]!.fwsSupplyC - 40) < 0.05, `${snapshot.plants[0]!.fwsSupplyC}`);
    assert.ok(Math.abs(snapshot.tcs[0]!.supplyC - 43.5) < 0.05, `${snapshot.tcs[0]!.supplyC}`);
  });

  it("answers an unknown or impossible change with an error naming it", () => {
    const twin = new LiveTwin(site, { startMs: julyAfternoon });
    assert.deepEqual(twin.failCdu("cdu:h1-r01-1"), {
      ok: false,
      error: 'no CDU cdu:h1-r01-1 in site lab (did you mean "cdu:h1-r01-01"?)',
    });
    assert.deepEqual(twin.failCdu("pump:lab-fws-01"), { ok: false, error: "no CDU pump:lab-fws-01 in site lab" });
    assert.deepEqual(twin.repairCdu("cdu:h1-r01-01"), { ok: false, error: "cdu:h1-r01-01 is not failed" });
    assert.ok(twin.failCdu("cdu:h1-r01-01").ok);
    assert.deepEqual(twin.failCdu("cdu:h1-r01-01"), { ok: false, error: "cdu:h1-r01-01 is already failed" });
    assert.deepEqual(twin.setFacilitySupplyC("plant:lb", 30), {
      ok: false,
      error: 'no plant plant:lb in site lab (did you mean "plant:lab"?)',
    });
    assert.deepEqual(twin.setFacilitySupplyC("plant:lab", 90), {
      ok: false,
      error: "facility supply 90 °C is outside 5…70 °C",
    });
  });
});

describe("live twin: history", () => {
  it("keeps one point per interval for the last 24 hours and no more", () => {
    const twin = new LiveTwin(site, { startMs: newYear2029, stepS: 60 });
    twin.advanceTo(newYear2029 + 25 * 3_600_000);
    const history = twin.history();
    assert.equal(history.time.length, 1_440);
    assert.equal(history.time.at(-1), twin.timeMs - 60_000, "the newest point is the minute just ended");
    assert.equal(history.time[0], twin.timeMs - 24 * 3_600_000);
    for (let point = 1; point < history.time.length; point++) {
      assert.equal(history.time[point]! - history.time[point - 1]!, 60_000);
    }
    for (const values of Object.values(history)) assert.equal(values.length, 1_440);
    assert.equal(twin.history(30).time.length, 30);
    close(history.pue[100]!, history.facilityKW[100]! / history.itKW[100]!, "PUE of a point");
    // The day's weather cycle is in it: 25 hours from midnight on 1 January.
    assert.ok(Math.max(...history.dryBulbC) - Math.min(...history.dryBulbC) > 3);
  });

  it("takes its interval and span from the options", () => {
    const twin = new LiveTwin(site, { startMs: newYear2029, historyIntervalS: 300, historySpanS: 3_600 });
    twin.advanceTo(newYear2029 + 2 * 3_600_000);
    const history = twin.history();
    assert.equal(history.time.length, 12);
    assert.equal(history.time[1]! - history.time[0]!, 300_000);
    assert.throws(() => new LiveTwin(site, { stepS: 7, historyIntervalS: 60 }), /not a whole number of 7 s steps/);
  });
});

describe("live twin: calendar", () => {
  it("places an instant on the typical year by the site's wall clock, and back", () => {
    // 17 July is day 197 from 1 January; 2029 is not a leap year.
    assert.deepEqual(yearTimeOf(julyAfternoon, "Europe/Paris"), {
      yearTimeS: 197 * secondsPer.d + 15 * secondsPer.h,
      weekday: 1,
      year: 2029,
    });
    assert.equal(epochOfYearTime(2029, 197 * secondsPer.d + 15 * secondsPer.h, "Europe/Paris"), julyAfternoon);
    assert.deepEqual(yearTimeOf(newYear2029, "Europe/Paris"), { yearTimeS: 0, weekday: 0, year: 2029 });
    // In a leap year 29 February repeats 28 February, so 1 March keeps its day of the typical year.
    const marchFirst2028 = Date.UTC(2028, 2, 1, 11);
    assert.equal(yearTimeOf(marchFirst2028, "Europe/Paris").yearTimeS, 59 * secondsPer.d + 12 * secondsPer.h);
    assert.equal(epochOfYearTime(2028, 59 * secondsPer.d + 12 * secondsPer.h, "Europe/Paris"), marchFirst2028);
    assert.equal(
      yearTimeOf(Date.UTC(2028, 1, 29, 11), "Europe/Paris").yearTimeS,
      58 * secondsPer.d + 12 * secondsPer.h,
    );
  });

  it("starts live weather and load at today's date and weekday", () => {
    const january = new LiveTwin(site, { startMs: newYear2029 + 5 * secondsPer.h * 1000 }).snapshot();
    const july = new LiveTwin(site, { startMs: julyAfternoon }).snapshot();
    assert.ok(
      july.weather.dryBulbC > january.weather.dryBulbC + 15,
      `${january.weather.dryBulbC} → ${july.weather.dryBulbC}`,
    );
    // Saturday 20 July 2030 is day 200 of the typical year, a Friday on its calendar (1 January a Monday): only the
    // weekday shift makes the health suite (office hours) quiet, as on the real Saturday.
    const friday = new LiveTwin(site, { startMs: Date.UTC(2030, 6, 19, 13) }).snapshot();
    const saturday = new LiveTwin(site, { startMs: Date.UTC(2030, 6, 20, 13) }).snapshot();
    const office = site.racks.findIndex((rack) => rack.hallIndex === 1);
    assert.ok(friday.racks.utilisation[office]! > 0.6, `Friday ${friday.racks.utilisation[office]}`);
    assert.ok(saturday.racks.utilisation[office]! < 0.2, `Saturday ${saturday.racks.utilisation[office]}`);
  });
});

describe("live twin: carried across a site change", () => {
  it("goes on exactly as the twin before would have, through a change that touches nothing thermal", () => {
    // Hall 1 without its rear-door row at full load, both air handlers out: its air, rack mass and slab warm and its
    // racks trip once (their trip window opens) and restart; a CDU of hall 2 fails and returns (its restart ramp is
    // under way); then the site changes the name of hall 2.
    const before = labWith(noDoors);
    const after = labWith(noDoors, ["name: Lab health suite", "name: Lab health suite (renamed)"]);
    const full: UtilisationSource = { fill: (_timeS, out) => out.fill(1) };
    const options = { stepS: 5, utilisation: full, utilisationIsActivity: true };
    const old = new LiveTwin(before, { startMs: julyAfternoon, ...options });
    assert.ok(old.failUnit("crah:h1-01").ok);
    assert.ok(old.failUnit("crah:h1-02").ok);
    old.advanceTo(old.timeMs + 30 * 60_000);
    assert.ok(old.failCdu("cdu:h2-r01-01").ok);
    old.advanceTo(old.timeMs + 5_000);
    assert.ok(old.repairCdu("cdu:h2-r01-01").ok);
    old.advanceTo(old.timeMs + 5_000);
    const last = old.snapshot();
    const restarting = last.racks.running[0]!;
    assert.ok(restarting > 0 && restarting < 1 && last.kpis.latchedRacks === 0, `running ${restarting}`);
    assert.ok(last.halls[0]!.rackMassC > last.halls[1]!.rackMassC + 5, "hall 1 is warm");

    const twin = new LiveTwin(after, { continues: old, ...options });
    assert.ok(twin.failUnit("crah:h1-01").ok, "what the operator holds, applied before the state is carried");
    assert.ok(twin.failUnit("crah:h1-02").ok);
    twin.carryFrom(old);
    assert.equal(twin.timeMs, old.timeMs);
    assert.deepEqual(twin.snapshot(), last, "the first snapshot is the last one before the change");
    assert.deepEqual(twin.history(), old.history());
    // Every state that moves the next steps came across: the racks trip a second time within their window and
    // latch, the CDU's ramp ends, the hall's masses go on warming and cooling.
    for (let minute = 1; minute <= 30; minute++) {
      old.advanceTo(old.timeMs + 60_000);
      twin.advanceTo(twin.timeMs + 60_000);
      assert.deepEqual(twin.snapshot(), old.snapshot(), `minute ${minute} after the change`);
    }
    assert.ok(twin.snapshot().kpis.latchedRacks > 0, "latched after their second trip");
    assert.deepEqual(twin.history(), old.history());
  });

  it("keeps a renamed row's trips and loop under its new ids; racks the change adds start cold", () => {
    // A row of two HGX racks added at the head of hall 1: the NVL72 row h1-r01 becomes h1-r02, every rack id shifts.
    const after = labWith([
      "    rows:\n      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n",
      "    rows:\n      - { pattern: gpu-row, racks: [{ type: hgx, count: 2 }], busways: { ratingKW: 400 } }\n" +
        "      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n",
    ]);
    assert.equal(after.racks[2]!.id, "rack:h1-r02-01");
    const old = new LiveTwin(site, { startMs: julyAfternoon });
    old.advanceTo(old.timeMs + 60_000);
    assert.ok(old.failCdu("cdu:h1-r01-01").ok);
    assert.ok(old.failCdu("cdu:h1-r01-02").ok);
    old.advanceTo(old.timeMs + 300_000);
    const last = old.snapshot();
    assert.deepEqual(
      [last.kpis.trippedRacks, ...[0, 1, 2, 3].map((rack) => last.racks.running[rack])],
      [4, 0, 0, 0, 0],
    );

    const twin = new LiveTwin(after, { continues: old });
    assert.ok(twin.failCdu("cdu:h1-r02-01").ok);
    assert.ok(twin.failCdu("cdu:h1-r02-02").ok);
    twin.carryFrom(old);
    const first = twin.snapshot();
    assert.equal(first.time, last.time);
    assert.deepEqual(
      [first.kpis.trippedRacks, first.kpis.throttledRacks, first.kpis.latchedRacks],
      [last.kpis.trippedRacks, last.kpis.throttledRacks, last.kpis.latchedRacks],
    );
    // Every rack of the site before is two places on, with its state (its load is the new site's: the synthetic
    // profiles draw by site index, so its power and outlet may differ).
    for (const field of ["running", "throttle", "latched"] as const) {
      assert.deepEqual(Array.from(first.racks[field].subarray(2)), Array.from(last.racks[field]), field);
    }
    last.tcs.forEach((loop, row) => {
      const carried = first.tcs[row + 1]!;
      assert.equal(carried.id, loop.id === "tcs:h1-r01" ? "tcs:h1-r02" : carried.id);
      close(carried.supplyC, loop.supplyC, `${loop.id} supply`);
      close(carried.heatKW, loop.heatKW, `${loop.id} heat`);
    });
    assert.ok(first.tcs[1]!.supplyC > 45, `the renamed row's loop is still hot: ${first.tcs[1]!.supplyC}`);
    // The row added starts as a new twin's: at its set-point, its racks running unthrottled.
    assert.equal(first.tcs[0]!.supplyC, 39.5);
    assert.deepEqual([first.racks.running[0], first.racks.running[1], first.racks.throttle[0]], [1, 1, 1]);
    close(first.halls[0]!.airC, last.halls[0]!.airC, "hall 1 air");
    close(first.plants[0]!.fwsSupplyC, last.plants[0]!.fwsSupplyC, "facility supply");
    assert.deepEqual(twin.history(), old.history(), "the trend goes on without a hole");
    // Minutes on, the renamed row's racks are still off behind its failed CDUs.
    twin.advanceTo(twin.timeMs + 120_000);
    assert.deepEqual(
      [2, 3, 4, 5].map((rack) => twin.snapshot().racks.running[rack]),
      [0, 0, 0, 0],
    );
  });
});

describe("kernel state carried into another kernel", () => {
  const fullLoad: RackLoad = { fill: (_timeS, out) => out.fill(1) };
  /** 17 July, 15:00 on the typical year. */
  const julyS = (197 * 24 + 15) * 3600;
  const stepS = 5;
  const partitionOf = (of: Site) =>
    buildPartition(
      of,
      of.plants.map((plant) => plant.index),
    );
  const kernelOf = (of: Site, startS: number) =>
    new PartitionKernel(partitionOf(of), valenceTypicalYear(1), fullLoad, [], [], stepS, startS);
  const unit = (event: TwinEvent & { kind: "unit" }): TwinEvent => event;
  const crahOut = (timeS: number) => [0, 1].map(() => unit({ timeS, kind: "unit", unit: "crah", index: 0, delta: -1 }));

  it("takes every state that moves the next steps: trip windows, latches, alarms, restart ramps, hall masses", () => {
    const site = labWith(noDoors);
    const old = kernelOf(site, julyS);
    old.applyNow(crahOut(old.timeS));
    // 45 minutes: hall 1's racks tripped, restarted and tripped again, latched, their operator alarm waiting.
    for (let step = 0; step < (45 * 60) / stepS; step++) old.step();
    // A CDU of hall 2 fails and returns: its restart ramp is under way.
    old.applyNow([unit({ timeS: old.timeS, kind: "unit", unit: "cdu", index: 2, delta: -1 })]);
    old.step();
    old.applyNow([unit({ timeS: old.timeS, kind: "unit", unit: "cdu", index: 2, delta: 1 })]);
    old.step();
    const state = old.exportState();
    assert.ok(old.latched.some((value) => value === 1) && old.hallMassRiseK[0]! > 1, "latched, hall 1 warm");
    assert.ok(Array.from(state.rows.alarmS!).some(Number.isFinite), "an operator alarm waits");
    assert.ok(old.cduInService[2]! < 2, `CDUs in service ${old.cduInService[2]}`);

    // The new kernel re-takes the old one's last step from cold, is given what is held, then the state.
    const next = kernelOf(site, old.timeS - stepS);
    next.step();
    next.applyNow(crahOut(next.timeS));
    next.importState(state, carryMap({ site, partition: old.partition }, { site, partition: next.partition }));
    assert.deepEqual(next.exportState(), state);
    // 40 minutes on: the operator's round falls due (the alarm was raised before the change), racks restart and trip.
    for (let step = 0; step < (40 * 60) / stepS; step++) {
      old.step();
      next.step();
    }
    assert.deepEqual(next.exportState(), old.exportState());
    assert.deepEqual(next.hallCrahInletC, old.hallCrahInletC);
    assert.deepEqual(next.hallGridKw, old.hallGridKw);
  });

  it("maps racks and rows as the site change reads them, halls and plants by id; what is new maps to nothing", () => {
    const before = labWith();
    // A row of two HGX racks at the head of hall 1, and hall 2's CPU row gone.
    const after = labWith(
      [
        "    rows:\n      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n",
        "    rows:\n      - { pattern: gpu-row, racks: [{ type: hgx, count: 2 }], busways: { ratingKW: 400 } }\n" +
          "      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n",
      ],
      ["      - { pattern: cpu-row, racks: [{ type: cpu, count: 6 }] }\n", ""],
    );
    const map = carryMap(
      { site: before, partition: partitionOf(before) },
      { site: after, partition: partitionOf(after) },
    );
    // Rows before: h1-r01 (NVL72), h1-r02, h1-r03, h2-r01, h2-r02; after, the new row first and no h2-r02.
    assert.deepEqual(Array.from(map.rows), [-1, 0, 1, 2, 3]);
    const rackCount = before.racks.length - 6;
    assert.deepEqual(Array.from(map.racks), [-1, -1, ...Array.from({ length: rackCount }, (_, rack) => rack)]);
    assert.deepEqual([Array.from(map.halls), Array.from(map.plants)], [[0, 1], [0]]);
  });
});
