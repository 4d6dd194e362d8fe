import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadSite, parseSite } from "../model/load.ts";
import type { Site } from "../model/site.ts";
import type { UtilisationSource } from "../model/utilisation.ts";
import {
  PartitionKernel,
  rackAutoRestartWindowS,
  rackCsvHeader,
  rackRestartS,
  rackThrottle,
  throttleSpanK,
} from "./kernel.ts";
import { buildPartition, defaultOperatorResponseS } from "./layout.ts";
import { defaultAssumptions, type HallEnvelope, hallEnvelope, type PlantAssumptions } from "./plant.ts";
import { JobActivity, type RackLoad, RackSourceLoad, SyntheticLoad } from "./profiles.ts";
import type { TwinResult } from "./results.ts";
import { simulate } from "./run.ts";
import { parseScenario, type Scenario } from "./scenario.ts";
import { secondsPer } from "./time.ts";
import { constantWeather, valenceTypicalYear } from "./weather.ts";

const lab = loadSite("lab");
const labSite = lab.site!;

/**
 * The lab with hall 1's rear-door row cut to `cpuRacks` racks (0: the row left out), from the shipped file: without
 * doors, hall 1's air has only its air handlers, racks and envelope (the closed forms below); with one, a single
 * rear-door rack breathes the warming hall and its door cannot hold it.
 */
function labWithHall1RearDoors(cpuRacks: number): Site {
  const path = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "sites", "lab.yaml");
  const row = "      - { pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }\n";
  const text = readFileSync(path, "utf8");
  assert.ok(text.includes(row), "the lab's hall 1 has its rear-door row");
  const loaded = parseSite(text.replace(row, cpuRacks === 0 ? "" : row.replace("count: 12", `count: ${cpuRacks}`)), {
    fileName: path,
  });
  assert.ok(loaded.ok && loaded.site !== undefined, "the cut lab loads");
  return loaded.site;
}
const labNoDoors = labWithHall1RearDoors(0);
const labOneDoor = labWithHall1RearDoors(1);

/** The lab with its CPU racks' rear doors rated `kw` (the shipped file says 20 kW; the validator asks ≥ 12 kW). */
function labWithDoorRating(kw: number): Site {
  const path = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "sites", "lab.yaml");
  const text = readFileSync(path, "utf8");
  assert.equal(text.split("rdhxCapacityKW: 20").length, 2, "one rated door type in the lab");
  const loaded = parseSite(text.replace("rdhxCapacityKW: 20", `rdhxCapacityKW: ${kw}`), { fileName: path });
  assert.ok(loaded.ok && loaded.site !== undefined, "the lab with re-rated doors loads");
  return loaded.site;
}

/** Racks of `site` whose id starts with `prefix` (a row: `rack:h1-r02-`). */
function racksOf(site: Site, prefix: string): number[] {
  return site.racks.flatMap((rack, index) => (rack.id.startsWith(prefix) ? [index] : []));
}

/** A source that holds `busy` racks at 1 and every other rack at 0. */
function fixedSource(site: Site, busy: readonly number[]): UtilisationSource {
  const values = new Float64Array(site.racks.length);
  for (const rack of busy) values[rack] = 1;
  return {
    fill(_timeS, out) {
      out.set(values);
    },
  };
}

function compile(text: string, site: Site = labSite): { site: Site; scenario: Scenario } {
  const parsed = parseScenario(text, "test.yaml", site, lab.file);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  return parsed.value;
}

async function simulateOk(options: Parameters<typeof simulate>[0]): Promise<TwinResult> {
  const outcome = await simulate(options);
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
  return outcome.value;
}

describe("per-rack twin: a row with busy and idle racks", () => {
  it("throttles the busy racks of a hot loop and not the idle ones, and the hall is the sum of its racks", async () => {
    // Row h1-r02: eight HGX racks; the first four at full activity, the last four idle. The TCS set-point is raised
    // 2 K above the HGX supply limit (44 °C): a rack at design power then leaves at 56 °C, above its 54 °C envelope,
    // an idle one at about 48 °C.
    const row = racksOf(labSite, "rack:h1-r02-");
    assert.equal(row.length, 8);
    const { scenario } = compile("events:\n  - { at: 0, setpoint: { tcsSupplyC: 46 } }\n");
    const hall = racksOf(labSite, "rack:h1-");
    const result = await simulateOk({
      site: labSite,
      weather: constantWeather(20, 50),
      durationS: 6 * secondsPer.h,
      stepS: 60,
      threads: 1,
      scenario,
      load: fixedSource(labSite, row.slice(0, 4)),
      loadIsActivity: true,
      rackIds: hall.map((index) => labSite.racks[index]!.id),
    });
    const byId = new Map(result.racks.map((frame) => [frame.name, frame]));
    const point = 3;
    for (const [position, index] of row.entries()) {
      const frame = byId.get(labSite.racks[index]!.id)!;
      const throttle = frame.fields.throttle![point]!;
      if (position < 4) {
        assert.ok(throttle < 0.95 && throttle > 0.5, `busy rack ${frame.name} throttle ${throttle}`);
        assert.ok(frame.fields.returnC![point]! > 54, `busy rack returns ${frame.fields.returnC![point]} °C`);
      } else {
        assert.equal(throttle, 1, `idle rack ${frame.name} must not throttle`);
        assert.ok(Math.abs(frame.fields.powerKw![point]! - 9) < 1e-9, "an idle HGX rack draws its 9 kW");
      }
    }
    // A busy rack's own fixed point on its dynamic power (33 of its 42 kW; idle 9 kW): 10 K at 42 kW, so the outlet
    // is 46 + 10 K × (9 + 33 f) / 42 and f = 1 − (outlet − 54) / span; it draws (9 + 33 f) / 42 of its power.
    const dynamic = rackThrottle(46, 42 * 0.8, 9 * 0.8, 54, 10 / (42 * 0.8));
    const idleRiseK = (10 * 9) / 42;
    const dynamicRiseK = (10 * 33) / 42;
    const closedForm = (1 - (46 + idleRiseK - 54) / throttleSpanK) / (1 + dynamicRiseK / throttleSpanK);
    assert.ok(Math.abs(dynamic - closedForm) < 1e-12, `${dynamic} vs ${closedForm}`);
    const expected = (9 + 33 * dynamic) / 42;
    const busyFrame = byId.get(labSite.racks[row[0]!]!.id)!;
    assert.ok(Math.abs(busyFrame.fields.throttle![point]! - expected) < 1e-6, `${busyFrame.fields.throttle![point]}`);
    // Never below idle: the busy rack draws more than its 9 kW.
    assert.ok(busyFrame.fields.powerKw![point]! > 9 + 1e-6);
    // Rows and halls aggregate exactly: hall 1's IT power is the sum of its racks' power at every point.
    const hallIt = result.halls[0]!.fields.itKw!;
    for (let index = 0; index < hallIt.length; index++) {
      let sum = 0;
      for (const frame of result.racks) sum += frame.fields.powerKw![index]!;
      assert.ok(Math.abs(sum - hallIt[index]!) < 1e-9 * hallIt[index]!, `point ${index}: ${sum} vs ${hallIt[index]}`);
    }
    assert.ok(result.kpis.throttledGpuHours > 0, "the busy racks lose GPU-hours");
    // Exactly the four busy racks throttle, once the loop has warmed to its new set-point.
    const rackHours = result.kpis.throttledRackHours;
    assert.ok(rackHours > 4 * 5 && rackHours <= 4 * 6 + 1e-9, `${rackHours} rack-hours throttled`);
  });
});

describe("per-rack twin: occupancy", () => {
  it("4 installed HGX racks at 100 % draw 168 kW and deliver 128 GPU-hours an hour", async () => {
    // Hall 1 at half HGX occupancy: the first 4 of the 8 HGX racks are installed; every HGX rack of the hall is busy
    // (the others are not installed, so they draw nothing), every other rack idle.
    const { site, scenario } = compile(
      "events:\n  - { at: 0, occupancy: { from: 0.5, rackType: hgx, hall: hall:h1 } }\n",
    );
    const hgx = racksOf(site, "rack:h1-r02-");
    const result = await simulateOk({
      site,
      weather: constantWeather(15, 50),
      durationS: 3 * secondsPer.h,
      stepS: 60,
      threads: 1,
      scenario,
      load: fixedSource(site, hgx),
      loadIsActivity: true,
    });
    const hall = result.halls[0]!.fields;
    const idleOthers = 4 * 30 + 12 * 4; // four NVL72 and twelve CPU racks at idle power
    for (let point = 0; point < 3; point++) {
      assert.ok(Math.abs(hall.itKw![point]! - idleOthers - 168) < 1e-6, `hall 1 IT ${hall.itKw![point]} kW`);
      assert.ok(Math.abs(hall.gpuHours![point]! - 128) < 1e-6, `hall 1 GPU-hours ${hall.gpuHours![point]}`);
    }
  });
});

describe("per-rack twin: energy balance every step", () => {
  it("grid import is IT plus overheads, and heat removed plus heat stored is heat produced, at each step", () => {
    const { site, scenario } = compile(
      [
        "events:",
        "  - { at: 0, heatWave: { days: 1, peakC: 40, nightMinimumC: 28 } }",
        "  - { at: 2h, setpoint: { tcsSupplyC: 45.5 } }",
        "  - { at: 3h, fail: [drycooler:lab-01, drycooler:lab-02] }",
        "  - { at: 4h, fail: [cdu:h1-r01-01, cdu:h1-r01-02] }",
        "  - { at: 5h, repair: [cdu:h1-r01-01, cdu:h1-r01-02] }",
      ].join("\n"),
    );
    const partition = buildPartition(
      site,
      site.plants.map((plant) => plant.index),
    );
    const stepS = 30;
    const kernel = new PartitionKernel(
      partition,
      valenceTypicalYear(1),
      new SyntheticLoad(partition.racks, 4),
      scenario.events,
      scenario.ramps,
      stepS,
      180 * secondsPer.d,
    );
    const storedKj = () => {
      let sum = 0;
      for (let row = 0; row < partition.rows.count; row++) {
        sum += partition.rows.heatCapacityKjPerK[row]! * kernel.tcsC[row]!;
      }
      for (let plant = 0; plant < partition.plants.count; plant++) {
        sum += partition.plants.heatCapacityKjPerK[plant]! * kernel.supplyC[plant]!;
        if (partition.plants.airSide[plant] === 1) {
          sum += partition.plants.airHeatCapacityKjPerK[plant]! * kernel.airSupplyC[plant]!;
        }
      }
      return sum;
    };
    let throttledSteps = 0;
    let before = storedKj();
    for (let step = 0; step < (7 * secondsPer.h) / stepS; step++) {
      kernel.step();
      let grid = 0;
      let it = 0;
      let overheads = 0;
      let rackSum = 0;
      for (let hall = 0; hall < partition.halls.count; hall++) {
        grid += kernel.hallGridKw[hall]!;
        it += kernel.hallItKw[hall]!;
        overheads +=
          kernel.hallUpsLossKw[hall]! +
          kernel.hallTransformerLossKw[hall]! +
          kernel.hallSubstationLossKw[hall]! +
          kernel.hallHouseKw[hall]! +
          kernel.hallElectricalCoolingKw[hall]! +
          kernel.hallCduPumpKw[hall]! +
          kernel.hallCrahFanKw[hall]!;
        // Every new plant term is there and positive: house loads, electrical-room cooling.
        assert.ok(kernel.hallHouseKw[hall]! > 0 && kernel.hallElectricalCoolingKw[hall]! > 0);
      }
      let rejected = 0;
      for (let plant = 0; plant < partition.plants.count; plant++) {
        overheads +=
          kernel.plantPumpKw[plant]! +
          kernel.plantFanKw[plant]! +
          kernel.plantChillerPowerKw[plant]! +
          kernel.plantAirPumpKw[plant]! +
          kernel.plantAirFanKw[plant]! +
          kernel.plantAirChillerPowerKw[plant]!;
        rejected += kernel.plantRejectedKw(plant);
      }
      for (let rack = 0; rack < partition.racks.count; rack++) {
        rackSum += kernel.throttle[rack]! * kernel.rackPowerKw[rack]!;
        if (kernel.throttle[rack]! < 1) throttledSteps++;
      }
      const after = storedKj();
      const storedKw = (after - before) / stepS;
      before = after;
      assert.ok(Math.abs(rackSum - it) < 1e-9 * it, `step ${step}: racks ${rackSum} vs IT ${it}`);
      assert.ok(
        Math.abs(it + overheads - grid) < 1e-9 * grid,
        `step ${step}: IT + overheads ${it + overheads} vs ${grid}`,
      );
      assert.ok(
        Math.abs(grid - rejected - storedKw) < 1e-6 * grid,
        `step ${step}: grid ${grid} vs rejected ${rejected} + stored ${storedKw}`,
      );
    }
    assert.ok(throttledSteps > 0, "racks throttled during the run");
  });
});

describe("per-rack twin: job activity", () => {
  it("gives training dips and bursty inference, deterministic from the seed and independent of the start", () => {
    const partition = buildPartition(
      labSite,
      labSite.plants.map((plant) => plant.index),
    );
    const racks = partition.racks;
    const training = Array.from(racks.profile).indexOf(0);
    const inference = Array.from(racks.profile).indexOf(1);
    assert.ok(training >= 0 && inference >= 0);
    const activity = new JobActivity(racks, 7);
    const out = new Float64Array(racks.count);
    const trainingValues: number[] = [];
    const inferenceValues: number[] = [];
    for (let timeS = 0; timeS < 2 * secondsPer.d; timeS += 60) {
      activity.fill(timeS, out);
      trainingValues.push(out[training]!);
      inferenceValues.push(out[inference]!);
    }
    const steady = trainingValues.filter((value) => value > 0.85).length / trainingValues.length;
    assert.ok(steady > 0.8, `training steady ${steady}`);
    assert.ok(
      trainingValues.some((value) => value === 0.25),
      "checkpoint dips",
    );
    const changes = inferenceValues.filter((value, index) => index > 0 && value !== inferenceValues[index - 1]).length;
    assert.ok(changes > 2 * 24 * 4, `inference changes ${changes} times in two days`);
    // Same seed, started later: the same values at the same times.
    const later = new JobActivity(racks, 7);
    const again = new Float64Array(racks.count);
    later.fill(secondsPer.d + 600, again);
    activity.fill(secondsPer.d + 600, out);
    assert.deepEqual(Array.from(again), Array.from(out));
    const other = new JobActivity(racks, 8);
    other.fill(secondsPer.d + 600, again);
    assert.notDeepEqual(Array.from(again), Array.from(out));
  });

  it("refreshes every rack whose activity changed, whatever the step: the same values at the same times", () => {
    const partition = buildPartition(
      labSite,
      labSite.plants.map((plant) => plant.index),
    );
    const racks = partition.racks;
    // Filled every minute (one bucket a fill), about every 7 s (several fills a bucket, off its edges), every 25 min
    // and every 70 min (several buckets a fill, and past half the ring), over two days: each must agree with the
    // one-minute fills at the times they share, hours after the first fill (training racks come back from afar).
    const everyMinute = new JobActivity(racks, 3);
    const others = [7, 25 * 60, 70 * 60].map((stepS) => ({ stepS, activity: new JobActivity(racks, 3) }));
    const reference = new Float64Array(racks.count);
    const out = new Float64Array(racks.count);
    let compared = 0;
    for (let timeS = 0; timeS <= 2 * secondsPer.d; timeS += 60) {
      everyMinute.fill(timeS, reference);
      for (const { stepS, activity } of others) {
        if (stepS < 60) {
          for (let fillS = timeS - 60 + stepS; fillS < timeS; fillS += stepS) if (fillS > 0) activity.fill(fillS, out);
        }
        if (timeS % stepS !== 0) continue;
        activity.fill(timeS, out);
        assert.deepEqual(Array.from(out), Array.from(reference), `filled every ${stepS} s, at ${timeS} s`);
        compared++;
      }
    }
    assert.ok(compared > 500, `compared ${compared} times`);
  });

  it("multiplies a source's allocation by the activity unless the source is measured activity", () => {
    const partition = buildPartition(
      labSite,
      labSite.plants.map((plant) => plant.index),
    );
    const half: UtilisationSource = {
      fill(_timeS, out) {
        out.fill(0.5);
      },
    };
    const out = new Float64Array(partition.racks.count);
    new RackSourceLoad(half, partition.racks, labSite.racks.length, { refreshS: 60, asActivity: true }).fill(0, out);
    assert.ok(out.every((value) => value === 0.5));
    new RackSourceLoad(half, partition.racks, labSite.racks.length, { refreshS: 60, seed: 3 }).fill(3600, out);
    assert.ok(out.every((value) => value <= 0.5));
    assert.ok(out.some((value) => value < 0.5));
  });
});

describe("per-rack twin: racks.csv", () => {
  it("streams every rack at the series resolution, on one thread or several", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-racks-"));
    try {
      for (const threads of [1, 2]) {
        const path = join(directory, `racks-${threads}.csv`);
        const result = await simulateOk({
          site: labSite,
          weather: valenceTypicalYear(1),
          durationS: 2 * secondsPer.h,
          stepS: 60,
          seriesIntervalS: 30 * 60,
          threads,
          racksCsvPath: path,
        });
        const lines = readFileSync(path, "utf8").trim().split("\n");
        assert.equal(lines[0], rackCsvHeader);
        assert.equal(lines.length - 1, 4 * labSite.racks.length);
        const ids = new Set(lines.slice(1).map((line) => line.split(",")[1]));
        assert.equal(ids.size, labSite.racks.length);
        // The racks' power at the first point adds up to the site's IT power.
        let sum = 0;
        for (const line of lines.slice(1)) if (line.startsWith("0,")) sum += Number(line.split(",")[2]);
        const it = result.site.fields.itKw![0]!;
        assert.ok(Math.abs(sum - it) < 1e-3 * it, `${sum} vs ${it}`);
        assert.equal(result.rackSteps, labSite.racks.length * 120);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("per-rack twin: facility water pumps lost", () => {
  it("heats the technology loops within seconds, not the whole facility loop", () => {
    const { site, scenario } = compile("events:\n  - { at: 60, fail: [pump:lab-fws-01, pump:lab-fws-02] }\n");
    const partition = buildPartition(
      site,
      site.plants.map((plant) => plant.index),
    );
    const kernel = new PartitionKernel(
      partition,
      constantWeather(25, 50),
      new SyntheticLoad(partition.racks, 2),
      scenario.events,
      scenario.ramps,
      1,
      0,
    );
    for (let step = 0; step < 60; step++) kernel.step();
    const tcsBefore = kernel.tcsC[0]!;
    const fwsBefore = kernel.supplyC[0]!;
    assert.equal(kernel.plantFlowShare[0], 1);
    for (let step = 0; step < 30; step++) kernel.step();
    assert.equal(kernel.plantFlowShare[0], 0, "no facility water flows");
    assert.equal(kernel.rowCduCapacityKw[0], 0, "the CDUs can pass no heat");
    // 30 s later: the NVL72 row's loop (about 0.5 L per kW) has warmed by kelvins, the 12 m³ facility loop hardly.
    assert.ok(kernel.tcsC[0]! > tcsBefore + 2, `TCS ${tcsBefore} → ${kernel.tcsC[0]}`);
    assert.ok(kernel.supplyC[0]! < fwsBefore + 0.2, `FWS ${fwsBefore} → ${kernel.supplyC[0]}`);
    for (let step = 0; step < 600; step++) kernel.step();
    assert.ok(
      Array.from(kernel.throttle).some((factor) => factor < 1),
      "within ten minutes, racks throttle",
    );
  });
});

/** Heat the loops of `kernel` hold now (capacity × temperature), and its halls' air above its handlers', kJ. */
function loopsStoredKj(kernel: PartitionKernel): number {
  const { rows, plants } = kernel.partition;
  let storedKj = 0;
  for (let row = 0; row < rows.count; row++) storedKj += rows.heatCapacityKjPerK[row]! * kernel.tcsC[row]!;
  for (let plant = 0; plant < plants.count; plant++) {
    storedKj += plants.heatCapacityKjPerK[plant]! * kernel.supplyC[plant]!;
    if (plants.airSide[plant] === 1) storedKj += plants.airHeatCapacityKjPerK[plant]! * kernel.airSupplyC[plant]!;
    storedKj += kernel.hallStoredKj(plant);
  }
  return storedKj;
}

/**
 * Over the last step of `kernel`: grid import against heat rejected plus heat stored in the loops (`storedBeforeKj`:
 * what they held before it), and the racks' drawn power against the halls' IT power. Returns the loops' heat now.
 */
function assertStepBalance(kernel: PartitionKernel, step: number, storedBeforeKj: number): number {
  const { plants, halls, racks } = kernel.partition;
  let grid = 0;
  let it = 0;
  for (let hall = 0; hall < halls.count; hall++) {
    grid += kernel.hallGridKw[hall]!;
    it += kernel.hallItKw[hall]!;
  }
  let rejected = 0;
  for (let plant = 0; plant < plants.count; plant++) {
    rejected += kernel.plantRejectedKw(plant);
  }
  let rackSum = 0;
  for (let rack = 0; rack < racks.count; rack++) rackSum += kernel.throttle[rack]! * kernel.rackPowerKw[rack]!;
  // Relative, with a floor: a hall whose racks are all off has IT 0.
  assert.ok(Math.abs(rackSum - it) <= 1e-9 * Math.max(it, 1), `step ${step}: racks ${rackSum} vs IT ${it}`);
  const storedKj = loopsStoredKj(kernel);
  const storedKw = (storedKj - storedBeforeKj) / kernel.stepS;
  assert.ok(
    Math.abs(grid - rejected - storedKw) < 1e-6 * grid,
    `step ${step}: grid ${grid} vs rejected ${rejected} + stored ${storedKw}`,
  );
  return storedKj;
}

/** The lab over its first hour with a scenario, 25 °C outdoors, 5 s steps, on one thread. */
function labHour(text: string): Promise<TwinResult> {
  return simulateOk({
    site: labSite,
    weather: constantWeather(25, 50),
    durationS: secondsPer.h,
    stepS: 5,
    threads: 1,
    scenario: compile(text).scenario,
  });
}

/** A kernel over every plant of the lab with a scenario, synthetic load (seed 3), 25 °C outdoors, at `stepS`. */
function scenarioKernel(text: string, stepS: number, site: Site = labSite): PartitionKernel {
  const { scenario } = compile(text, site);
  const partition = buildPartition(
    site,
    site.plants.map((plant) => plant.index),
  );
  const load = new SyntheticLoad(partition.racks, 3);
  return new PartitionKernel(partition, constantWeather(25, 50), load, scenario.events, scenario.ramps, stepS, 0);
}

describe("per-rack twin: throttling keeps idle power, beyond that racks trip", () => {
  // Both facility water pumps of the lab lost for 5 minutes: the NVL72 loop overheats far past its envelope.
  const pumpFailure =
    "events:\n  - { at: 30m, fail: [pump:lab-fws-01, pump:lab-fws-02] }\n  - { at: 35m, repair: [pump:lab-fws-01, pump:lab-fws-02] }\n";

  it("never draws less than idle while running, trips when idle overheats, restarts after repair, and balances", () => {
    const stepS = 5;
    const kernel = scenarioKernel(pumpFailure, stepS);
    const partition = kernel.partition;
    const racks = partition.racks;
    const trippedAtS = new Float64Array(racks.count).fill(-1);
    const backAtS = new Float64Array(racks.count).fill(-1);
    let throttledAboveIdle = 0;
    let trippedRackHours = 0;
    let stored = loopsStoredKj(kernel);
    for (let step = 0; step < (2 * secondsPer.h) / stepS; step++) {
      const timeS = kernel.timeS;
      kernel.step();
      stored = assertStepBalance(kernel, step, stored);
      for (let hall = 0; hall < partition.halls.count; hall++) trippedRackHours += kernel.hallTrippedRackHours[hall]!;
      const power = kernel.rackPowerKw;
      for (let rack = 0; rack < racks.count; rack++) {
        if (power[rack] === 0) continue;
        const drawnKw = kernel.throttle[rack]! * power[rack]!;
        const idleKw = kernel.installedIdleKw[rack]!;
        const running = kernel.running[rack]!;
        if (running === 1) {
          assert.ok(drawnKw >= idleKw - 1e-9, `${timeS} s, rack ${rack}: ${drawnKw} kW below its idle ${idleKw} kW`);
          if (kernel.throttle[rack]! < 1 && drawnKw > idleKw + 1) throttledAboveIdle++;
          if (trippedAtS[rack]! >= 0 && backAtS[rack]! < 0) backAtS[rack] = timeS;
        } else if (running === 0) {
          assert.equal(drawnKw, 0, `a tripped rack draws nothing (rack ${rack})`);
          if (trippedAtS[rack]! < 0) trippedAtS[rack] = timeS;
        }
      }
    }
    assert.ok(throttledAboveIdle > 0, "racks throttled between idle and full power");
    const tripped = Array.from(trippedAtS.keys()).filter((rack) => trippedAtS[rack]! >= 0);
    assert.ok(tripped.length > 0, "some rack tripped");
    assert.ok(trippedRackHours > 0, `${trippedRackHours} tripped rack-hours`);
    // Each tripped rack comes back: not before the repair, at full duty a restart after the supply recovered.
    const repairS = 35 * 60;
    for (const rack of tripped) {
      assert.ok(trippedAtS[rack]! >= 30 * 60, `rack ${rack} tripped at ${trippedAtS[rack]} s`);
      assert.ok(backAtS[rack]! >= repairS + rackRestartS, `rack ${rack} back at ${backAtS[rack]} s`);
      assert.ok(backAtS[rack]! <= repairS + rackRestartS + 600, `rack ${rack} back at ${backAtS[rack]} s`);
      assert.equal(kernel.running[rack], 1);
    }
  });

  it("latches a rack on a second trip within the hour of its first, not on one after the window", () => {
    // The pumps fail twice for 5 minutes; a rack trips in each. The first trips are in 30–35 min, so a window ends by
    // 95 min: a second failure at 60 min trips within it, one at 100 min after it. Read just before its repair (which
    // would release the latch).
    const twice = (againMin: number): { trippedTwice: number; latched: number } => {
      const stepS = 5;
      const kernel = scenarioKernel(
        `events:\n  - { at: 30m, fail: [pump:lab-fws-01, pump:lab-fws-02] }\n  - { at: 35m, repair: [pump:lab-fws-01, pump:lab-fws-02] }\n  - { at: ${againMin}m, fail: [pump:lab-fws-01, pump:lab-fws-02] }\n  - { at: ${againMin + 5}m, repair: [pump:lab-fws-01, pump:lab-fws-02] }\n`,
        stepS,
      );
      const racks = kernel.partition.racks;
      const trips = new Uint8Array(racks.count);
      const wasRunning = new Float64Array(racks.count).fill(1);
      while (kernel.timeS + stepS < (againMin + 5) * 60) {
        kernel.step();
        for (let rack = 0; rack < racks.count; rack++) {
          if (kernel.running[rack] === 0 && wasRunning[rack]! > 0) trips[rack]!++;
          wasRunning[rack] = kernel.running[rack]!;
        }
      }
      let latched = 0;
      for (let rack = 0; rack < racks.count; rack++) latched += kernel.latched[rack]!;
      return { trippedTwice: trips.filter((count) => count >= 2).length, latched };
    };
    assert.ok(rackAutoRestartWindowS === 3600, "the windows below assume an hour");
    const within = twice(60);
    assert.ok(within.trippedTwice > 0 && within.latched === within.trippedTwice, JSON.stringify(within));
    const after = twice(100);
    assert.ok(after.trippedTwice > 0 && after.latched === 0, JSON.stringify(after));
  });

  it("counts tripped rack-hours per hall and per type, and the busy GPU-hours of tripped racks as lost", async () => {
    const result = await labHour(pumpFailure);
    const tripped = result.kpis.trippedRackHours;
    assert.ok(tripped > 0, `${tripped} tripped rack-hours`);
    const byType = result.trippedRackHoursByType.reduce((sum, line) => sum + line.rackHours, 0);
    assert.ok(Math.abs(byType - tripped) < 1e-9 * tripped, `by type ${byType} vs ${tripped}`);
    // Per hall: each hall's line is the sum of its frame's series, in site order.
    assert.deepEqual(
      result.trippedRackHoursByHall.map((line) => [line.hall, line.rackHours]),
      result.halls.map((hall) => [hall.name, hall.fields.trippedRackHours!.reduce((a, b) => a + b, 0)]),
    );
    const byHall = result.trippedRackHoursByHall.reduce((sum, line) => sum + line.rackHours, 0);
    assert.ok(Math.abs(byHall - tripped) < 1e-9 * tripped, `by hall ${byHall} vs ${tripped}`);
    const lost = result.lostBusyRackHoursByType.reduce((sum, line) => sum + line.rackHours, 0);
    assert.ok(lost > 0 && Math.abs(result.kpis.lostBusyRackHours - lost) < 1e-9 * lost, `${lost} busy rack-hours`);
    // Only the hot loop's racks (NVL72, and any HGX) trip; a tripped busy rack loses its GPU-hours.
    const nvl72 = result.trippedRackHoursByType.find((line) => line.rackType === "nvl72")!.rackHours;
    assert.ok(nvl72 > 0, `${nvl72} NVL72 rack-hours tripped`);
    assert.ok(result.kpis.throttledGpuHours > 0);
  });
});

describe("per-rack twin: racks on air that the air side cannot cool trip on their inlet", () => {
  it("stops heating the air loop once the hall's racks trip above A4, and balances", () => {
    // Every air-side chiller of the lab lost from the start: nothing rejects the air loop's heat.
    const stepS = 60;
    const kernel = scenarioKernel(
      "events:\n  - { at: 0, fail: [chiller:lab-air-01, chiller:lab-air-02, chiller:lab-air-03] }\n",
      stepS,
    );
    const partition = kernel.partition;
    let stored = loopsStoredKj(kernel);
    let firstAirHeatKw = Number.NaN;
    let trippedRackHours = 0;
    for (let step = 0; step < (6 * secondsPer.h) / stepS; step++) {
      kernel.step();
      stored = assertStepBalance(kernel, step, stored);
      if (step === 0) firstAirHeatKw = kernel.plantAirHeatKw[0]!;
      for (let hall = 0; hall < partition.halls.count; hall++) trippedRackHours += kernel.hallTrippedRackHours[hall]!;
    }
    assert.ok(trippedRackHours > 0, `${trippedRackHours} tripped rack-hours`);
    // Once the racks are off, only pumps warm the loop: a few kW of the first step's ~100 kW (the old twin kept
    // adding the racks' air heat and passed 1,000 °C in two days).
    const lastAirHeatKw = kernel.plantAirHeatKw[0]!;
    assert.ok(lastAirHeatKw < 0.1 * firstAirHeatKw, `air-side heat ${lastAirHeatKw} kW after ${firstAirHeatKw} kW`);
    assert.ok(kernel.airSupplyC[0]! < 60, `air-side supply ${kernel.airSupplyC[0]} °C after 6 h`);
    const off = Array.from(kernel.running).filter((share) => share === 0).length;
    assert.ok(off > 0, "racks are off while the room is above A4");
  });
});

/** Installed racks of `kernel` breathing hall air (`crah`) or behind rear doors, by hall index. */
function airRacks(kernel: PartitionKernel, rearDoor: boolean, hall: number): number[] {
  const { racks, segments } = kernel.partition;
  const chosen: number[] = [];
  for (let rack = 0; rack < racks.count; rack++) {
    const segment = racks.segment[rack]!;
    if ((segments.rearDoor[segment] === 1) === rearDoor && segments.hall[segment] === hall && kernel.installed[rack]) {
      chosen.push(rack);
    }
  }
  return chosen;
}

/**
 * Steps `kernel` for `durationS`, checking the energy balance at every step; returns per rack when it first tripped
 * (−1: never) and when it was first back at full duty after that (−1: not yet), and the hall air rise per step.
 */
function runWithTrips(
  kernel: PartitionKernel,
  durationS: number,
): { trippedAtS: Float64Array; backAtS: Float64Array; fanKw: number[][]; riseK: number[][]; doorKw: number[][] } {
  const count = kernel.partition.racks.count;
  const trippedAtS = new Float64Array(count).fill(-1);
  const backAtS = new Float64Array(count).fill(-1);
  const fanKw: number[][] = [];
  const riseK: number[][] = [];
  const doorKw: number[][] = [];
  let stored = loopsStoredKj(kernel);
  for (let step = 0; step < durationS / kernel.stepS; step++) {
    const timeS = kernel.timeS;
    kernel.step();
    stored = assertStepBalance(kernel, step, stored);
    fanKw.push(Array.from(kernel.hallCrahFanKw));
    riseK.push(Array.from(kernel.hallAirRiseK));
    doorKw.push(Array.from(kernel.hallDoorKw));
    for (let rack = 0; rack < count; rack++) {
      const running = kernel.running[rack]!;
      if (running === 0 && trippedAtS[rack]! < 0) trippedAtS[rack] = timeS;
      if (running === 1 && trippedAtS[rack]! >= 0 && backAtS[rack]! < 0) backAtS[rack] = timeS;
    }
  }
  return { trippedAtS, backAtS, fanKw, riseK, doorKw };
}

describe("per-rack twin: failed hall air handlers and air-side pumps", () => {
  const failS = 30 * 60;
  const lossAndRepair =
    "events:\n  - { at: 30m, fail: crah:h1-* }\n  - { at: 60m, repair: [crah:h1-01, crah:h1-02] }\n";

  it("holds hall 1 a few kelvins up on its rear doors when both its air handlers fail: no trip, back after repair", () => {
    const kernel = scenarioKernel(lossAndRepair, 5);
    const { trippedAtS, riseK, doorKw } = runWithTrips(kernel, 2 * secondsPer.h);
    assert.ok(
      trippedAtS.every((at) => at === -1),
      "no rack trips",
    );
    // The room warms until the doors of its 12 CPU racks, room-neutral at their water, take what the air handlers
    // left: ε / 15 K × 144 kW = 7.7 kW/K beside the slab and walls' 4.6 kW/K, far below the 45 °C trip (21.5 K up).
    const highestK = Math.max(...riseK.map((halls) => halls[0]!));
    assert.ok(highestK > 3 && highestK < 15, `hall air at most ${highestK} K up`);
    assert.ok(Math.max(...doorKw.map((halls) => halls[0]!)) > 20, "the doors took the warm room's heat");
    assert.equal(kernel.hallAirRiseK[0], 0);
    assert.ok(
      riseK.every((halls) => halls[1] === 0),
      "hall 2's air holds",
    );
  });

  it("counts the hall's warmed air, racks and envelope as stored heat in the run's series", async () => {
    const result = await labHour("events:\n  - { at: 30m, fail: crah:h1-* }\n");
    const stored = result.site.fields.storedHeatKwh!;
    assert.ok(stored[stored.length - 1]! > 10, `${stored[stored.length - 1]} kWh stored`);
    const imbalance = result.kpis.worstDailyEnergyImbalance;
    assert.ok(imbalance < 1e-6, `imbalance ${imbalance}`);
  });

  it("runs the remaining air handler harder when one of two fails, within redundancy: no trip", () => {
    const text = "events:\n  - { at: 30m, fail: crah:h1-01 }\n";
    const failed = runWithTrips(scenarioKernel(text, 5), secondsPer.h);
    const baseline = runWithTrips(scenarioKernel("events: []\n", 5), secondsPer.h);
    assert.ok(
      failed.trippedAtS.every((at) => at === -1),
      "no rack trips",
    );
    assert.ok(
      failed.riseK.every((halls) => halls.every((rise) => rise === 0)),
      "the hall air holds",
    );
    const fanAfterFailure = (run: { fanKw: number[][] }) =>
      run.fanKw.slice(failS / 5).reduce((sum, halls) => sum + halls[0]!, 0);
    assert.ok(
      fanAfterFailure(failed) > fanAfterFailure(baseline),
      `fans ${fanAfterFailure(failed)} vs ${fanAfterFailure(baseline)} kW·steps`,
    );
  });

  it("trips the rear-door racks when every air-side pump fails", () => {
    const kernel = scenarioKernel("events:\n  - { at: 30m, fail: [pump:lab-air-01, pump:lab-air-02] }\n", 5);
    const { trippedAtS } = runWithTrips(kernel, secondsPer.h);
    const rearDoor = [...airRacks(kernel, true, 0), ...airRacks(kernel, true, 1)];
    assert.ok(rearDoor.length > 0, "the lab has rear-door racks");
    for (const rack of rearDoor) {
      assert.ok(
        trippedAtS[rack]! >= failS && trippedAtS[rack]! <= failS + 15 * 60,
        `rack ${rack} tripped at ${trippedAtS[rack]} s`,
      );
    }
    assert.equal(kernel.airFlowShare[0], 0);
  });

  it("holds each rear door to its rating, the rest of a warm room's heat staying in the hall air", () => {
    // Rated 14 kW, a CPU rack's door has 2 kW above its rack's 12 kW at full load: its 0.64 kW/K of cooled air reach
    // that 3.1 K up. At 20 kW (the shipped rating) the doors take 8 kW each only 12.5 K up, beyond what hall 1 reaches.
    const text = "events:\n  - { at: 30m, fail: crah:h1-* }\n";
    const run = (site: Site) => {
      const kernel = fullLoadKernel(text, 60, site);
      const door = airRacks(kernel, true, 0);
      let stored = loopsStoredKj(kernel);
      let highestRiseK = 0;
      let highestDoorKw = 0;
      let atRating = 0;
      const ratedKw = site.rackTypes.find((type) => type.id === "cpu")!.rdhxCapacity!;
      for (let step = 0; step < (2 * secondsPer.h) / 60; step++) {
        // A rack's door cools while it runs in the step: it may have restarted at its start, or tripped on its
        // inlet at its end (off from the next step).
        const before = door.map((rack) => kernel.running[rack]!);
        kernel.step();
        stored = assertStepBalance(kernel, step, stored);
        // What the running doors may still take: their rating less their racks' own exhaust heat.
        let headroomKw = 0;
        door.forEach((rack, index) => {
          if (before[index]! > 0 || kernel.running[rack]! > 0) {
            headroomKw += ratedKw - kernel.throttle[rack]! * kernel.rackPowerKw[rack]!;
          }
        });
        const doorKw = kernel.hallDoorKw[0]!;
        assert.ok(doorKw <= headroomKw + 1e-9, `step ${step}: the doors took ${doorKw} kW, headroom ${headroomKw} kW`);
        if (doorKw > 0 && doorKw > headroomKw - 1e-9) atRating++;
        highestRiseK = Math.max(highestRiseK, kernel.hallAirRiseK[0]!);
        highestDoorKw = Math.max(highestDoorKw, doorKw);
      }
      return { highestRiseK, highestDoorKw, atRating };
    };
    const rated14 = run(labWithDoorRating(14));
    const rated20 = run(labSite);
    assert.ok(rated14.atRating > 30, `the 14 kW doors were at their rating for ${rated14.atRating} steps`);
    assert.equal(rated20.atRating, 0, "the 20 kW doors never reach theirs");
    assert.ok(rated20.highestDoorKw > 24 + 20, `the 20 kW doors took up to ${rated20.highestDoorKw} kW`);
    // The heat the doors cannot take stays in the room: it warms further than with the 20 kW doors.
    assert.ok(
      rated14.highestRiseK > rated20.highestRiseK + 2,
      `${rated14.highestRiseK} K up with 14 kW doors, ${rated20.highestRiseK} K with 20 kW`,
    );
  });

  it("trips a rear-door rack that breathes a warming hall, before the hall's crah racks", () => {
    // One CPU rack left in hall 1: its door cools 0.64 kW/K, too little to hold the room. It breathes the room at
    // its door's neutral 25.75 °C + the hall air's rise, so it passes 45 °C 2.25 K before the crah racks (23.5 °C).
    const kernel = fullLoadKernel("events:\n  - { at: 30m, fail: crah:h1-* }\n", 5, labOneDoor);
    const door = airRacks(kernel, true, 0);
    const crah = airRacks(kernel, false, 0);
    assert.equal(door.length, 1);
    const row = kernel.partition.racks.row[door[0]!]!;
    let inletAtTripC = Number.NaN;
    let inletBeforeC = Number.NaN;
    while (kernel.timeS < 2 * secondsPer.h && Number.isNaN(inletAtTripC)) {
      kernel.step();
      // The inlet is the door's neutral air plus the hall's rise: the rise reaches it whole.
      const neutralC = kernel.rowRearDoorInletC[row]! - kernel.hallAirRiseK[0]!;
      assert.ok(Math.abs(neutralC - 25.75) < 0.5, `door-neutral inlet ${neutralC} °C`);
      // A rack trips in the step its inlet passes 45 °C.
      if (kernel.running[door[0]!] === 0) inletAtTripC = kernel.rowRearDoorInletC[row]!;
      else inletBeforeC = kernel.rowRearDoorInletC[row]!;
    }
    assert.ok(inletBeforeC <= 45, `ran at an inlet of ${inletBeforeC} °C`);
    assert.ok(inletAtTripC > 45, `tripped at an inlet of ${inletAtTripC} °C`);
    assert.ok(kernel.hallCrahInletC[0]! < 45, `crah inlet ${kernel.hallCrahInletC[0]} °C`);
    assert.ok(
      crah.every((rack) => kernel.running[rack] === 1),
      "the crah racks still run",
    );
  });
});

/** A kernel over every plant of the lab with a scenario, every rack at full load, 25 °C outdoors, at `stepS`. */
function fullLoadKernel(
  text: string,
  stepS: number,
  site: Site = labSite,
  assumptions: PlantAssumptions = defaultAssumptions,
): PartitionKernel {
  const { scenario } = compile(text, site);
  const partition = buildPartition(
    site,
    site.plants.map((plant) => plant.index),
  );
  const full: RackLoad = { fill: (_timeS, out) => out.fill(1) };
  return new PartitionKernel(
    partition,
    constantWeather(25, 50),
    full,
    scenario.events,
    scenario.ramps,
    stepS,
    0,
    assumptions,
  );
}

/** Hall 1's nodes by hand from the site file (kJ/K, kW/K): what the kernel's three-node step should integrate. */
interface HallNodes {
  /** White space × 4 m × 1.2 kg/m³ × 1.006 kJ/(kg·K). */
  readonly airKjPerK: number;
  /** Every installed rack's air-cooled mass: weight × (1 − liquid capture) × specific heat. */
  readonly massKjPerK: number;
  readonly exchangeKwPerK: number;
  /** Slab and walls (`hallEnvelope`), 0 for the air and racks alone. */
  readonly envelope: HallEnvelope;
}

/** Lab hall 1 of `site` (`withEnvelope` false: the two nodes of air and racks alone). */
function labHall1(site: Site = labSite, withEnvelope = true): HallNodes {
  const a = defaultAssumptions;
  let massKjPerK = 0;
  for (const rack of site.racks) {
    const type = site.rackTypes[rack.typeIndex]!;
    if (rack.hallIndex === 0) massKjPerK += type.weight * (1 - type.liquidCaptureFraction) * a.rackSpecificHeatKjPerKgK;
  }
  const whiteSpaceM2 = site.halls[0]!.whiteSpace;
  const airKjPerK = whiteSpaceM2 * a.hallAirHeightM * 1.2 * 1.006;
  const envelope = withEnvelope
    ? hallEnvelope(whiteSpaceM2, a)
    : { storedKjPerK: 0, exchangeKwPerK: 0, lossKwPerK: 0, roofKwPerK: 0 };
  return { airKjPerK, massKjPerK, exchangeKwPerK: massKjPerK / a.rackMassTimeConstantS, envelope };
}

/**
 * Seconds after losing every air handler until the hall air is `riseK` up, from the two-node closed form: heat
 * `heatKw` into the air, none removed, air and mass exchanging through the conductance. Sum and difference decouple:
 * Ca·x + Cm·y = Q·t and x − y = d∞·(1 − e^(−t/τ)), τ = Ca·Cm / (UA·(Ca + Cm)), d∞ = Q·τ / Ca; x rises monotonically,
 * so bisection finds the time.
 */
function twoNodeSecondsTo(riseK: number, heatKw: number, hall: HallNodes): number {
  const { airKjPerK, massKjPerK, exchangeKwPerK } = hall;
  const tauS = (airKjPerK * massKjPerK) / (exchangeKwPerK * (airKjPerK + massKjPerK));
  const leadK = (heatKw * tauS) / airKjPerK;
  const airRiseK = (t: number) =>
    (heatKw * t + massKjPerK * leadK * (1 - Math.exp(-t / tauS))) / (airKjPerK + massKjPerK);
  let low = 0;
  let high = 1e5;
  for (let iteration = 0; iteration < 100; iteration++) {
    const middle = (low + high) / 2;
    if (airRiseK(middle) > riseK) high = middle;
    else low = middle;
  }
  return low;
}

/**
 * The same with the slab and walls: the continuous three-node equations (air, racks, envelope; the roof and the
 * envelope losing to the outdoors), integrated by classical Runge-Kutta at 0.05 s (its error, O(h⁴), is far below a
 * millisecond here), independently of the kernel's implicit step. Seconds until the air is `riseK` up.
 */
function threeNodeSecondsTo(riseK: number, heatKw: number, hall: HallNodes): number {
  const { airKjPerK, massKjPerK, exchangeKwPerK, envelope } = hall;
  const slope = (x: readonly number[]): number[] => {
    const [air, mass, wall] = x as [number, number, number];
    const toMass = exchangeKwPerK * (air - mass);
    const toWall = envelope.exchangeKwPerK * (air - wall);
    return [
      (heatKw - toMass - toWall - envelope.roofKwPerK * air) / airKjPerK,
      toMass / massKjPerK,
      (toWall - envelope.lossKwPerK * wall) / envelope.storedKjPerK,
    ];
  };
  const h = 0.05;
  let x = [0, 0, 0];
  for (let t = 0; t < 1e5; t += h) {
    const k1 = slope(x);
    const k2 = slope(x.map((v, i) => v + (h / 2) * k1[i]!));
    const k3 = slope(x.map((v, i) => v + (h / 2) * k2[i]!));
    const k4 = slope(x.map((v, i) => v + h * k3[i]!));
    const next = x.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
    if (next[0]! > riseK) return t + (h * (riseK - x[0]!)) / (next[0]! - x[0]!);
    x = next;
  }
  return Number.NaN;
}

/**
 * Steps `kernel` until hall 1's air rise passes `riseK`; returns when it did, interpolated within the step (seconds
 * from `fromS`), the hall's air-side heat at that step, and whether its first rack tripped within a step of it.
 */
function secondsToRise(
  kernel: PartitionKernel,
  riseK: number,
  fromS: number,
): { seconds: number; heatKw: number; tripped: boolean } {
  let before = 0;
  while (kernel.timeS < fromS + 3600) {
    kernel.step();
    const rise = kernel.hallAirRiseK[0]!;
    if (rise > riseK) {
      const seconds = kernel.timeS - fromS - (kernel.stepS * (rise - riseK)) / (rise - before);
      const heatKw = kernel.hallCrahHeatKw[0]!;
      kernel.step();
      return { seconds, heatKw, tripped: kernel.running[0] === 0 };
    }
    before = rise;
  }
  return { seconds: Number.NaN, heatKw: Number.NaN, tripped: false };
}

/** Heat hall 1 holds above what its air handlers hold, by node, kJ (from `labHall1`'s figures). */
function hall1StoredKj(kernel: PartitionKernel, hall: HallNodes): { air: number; mass: number; envelope: number } {
  return {
    air: hall.airKjPerK * kernel.hallAirRiseK[0]!,
    mass: hall.massKjPerK * kernel.hallMassRiseK[0]!,
    envelope: hall.envelope.storedKjPerK * kernel.hallEnvelopeRiseK[0]!,
  };
}

describe("per-rack twin: racks, slab and walls of a hall that loses its air handlers", () => {
  // Hall 1 without its rear-door row: nothing but its air handlers, racks and envelope takes its air's heat.
  const loss = "events:\n  - { at: 30m, fail: crah:h1-* }\n";
  const lossAndRepair =
    "events:\n  - { at: 30m, fail: crah:h1-* }\n  - { at: 60m, repair: [crah:h1-01, crah:h1-02] }\n";
  // From the 23.5 °C inlet (18 °C air-side water + 4 K coil approach + 1.5 K containment) to the 45 °C trip (A4).
  const tripRiseK = 45 - 23.5;

  it("trips when the three-node equations say, within a second at 1 s steps, later than air and racks alone", () => {
    const hall = labHall1(labNoDoors);
    const { seconds, heatKw, tripped } = secondsToRise(fullLoadKernel(loss, 1, labNoDoors), tripRiseK, 30 * 60);
    assert.ok(tripped, "the racks trip the step after the air passes 45 °C");
    // Full load: 4 NVL72 × 132 kW × 0.1 + 8 HGX × 42 kW × 0.2 on the air side, no fans left.
    assert.ok(Math.abs(heatKw - 120) < 1e-6, `air-side heat ${heatKw} kW`);
    const expectedS = threeNodeSecondsTo(tripRiseK, heatKw, hall);
    const withoutEnvelopeS = twoNodeSecondsTo(tripRiseK, heatKw, labHall1(labNoDoors, false));
    // Backward Euler at 1 s against the fastest time constant (about 3 minutes): a fraction of a step.
    assert.ok(Math.abs(seconds - expectedS) < 1, `trip after ${seconds} s, three nodes ${expectedS} s`);
    // The slab and walls take 4.6 kW/K from the air: the trip comes minutes later than with air and racks alone.
    assert.ok(seconds > withoutEnvelopeS + 300, `${seconds} s with the envelope, ${withoutEnvelopeS} s without`);
    // The limiting case: no storing layer and no U-values leave the two nodes' closed form, within a second.
    const bare = { ...defaultAssumptions, envelopeThicknessM: 0, wallUWPerM2K: 0, floorUWPerM2K: 0, roofUWPerM2K: 0 };
    const twoNodes = secondsToRise(fullLoadKernel(loss, 1, labNoDoors, bare), tripRiseK, 30 * 60);
    assert.ok(
      Math.abs(twoNodes.seconds - withoutEnvelopeS) < 1,
      `${twoNodes.seconds} s, closed form ${withoutEnvelopeS} s`,
    );
  });

  it("trips at the same time at 1 s and 60 s steps", () => {
    const fine = secondsToRise(fullLoadKernel(loss, 1, labNoDoors), tripRiseK, 30 * 60);
    const coarse = secondsToRise(fullLoadKernel(loss, 60, labNoDoors), tripRiseK, 30 * 60);
    const expectedS = threeNodeSecondsTo(tripRiseK, fine.heatKw, labHall1(labNoDoors));
    // Implicit in all three nodes: stable at any step. Near 45 °C the air rises slowly (slab and walls take most of the
    // heat), so the coarse steps' small lag in temperature is tens of seconds in time: within one 60 s step of 21 min.
    assert.ok(Math.abs(coarse.seconds - fine.seconds) < 60, `${coarse.seconds} s at 60 s, ${fine.seconds} s at 1 s`);
    assert.ok(Math.abs(coarse.seconds - expectedS) < 60, `${coarse.seconds} s at 60 s, three nodes ${expectedS} s`);
  });

  it("closes the energy balance at every step with doors, racks and envelope, at 60 s steps", () => {
    // The whole lab: hall 1's rear doors put what they take from its air on their rows' loops.
    const kernel = fullLoadKernel(lossAndRepair, 60);
    let stored = loopsStoredKj(kernel);
    let doorKw = 0;
    let lossKw = 0;
    for (let step = 0; step < (3 * secondsPer.h) / 60; step++) {
      kernel.step();
      stored = assertStepBalance(kernel, step, stored);
      doorKw = Math.max(doorKw, kernel.hallDoorKw[0]!);
      lossKw = Math.max(lossKw, kernel.hallEnvelopeLossKw[0]!);
    }
    assert.ok(doorKw > 20 && lossKw > 0.3, `doors ${doorKw} kW, envelope loss ${lossKw} kW`);
  });

  it("closes the energy balance while its racks trip and restart, the envelope keeping the heat after repair", () => {
    const kernel = fullLoadKernel(lossAndRepair, 60, labNoDoors);
    const hall = labHall1(labNoDoors);
    let stored = loopsStoredKj(kernel);
    let trips = 0;
    for (let step = 0; step < (3 * secondsPer.h) / 60; step++) {
      kernel.step();
      stored = assertStepBalance(kernel, step, stored);
      if (kernel.running[0] === 0) trips++;
    }
    assert.ok(trips > 0, "hall 1's racks tripped");
    // Two hours after the repair the racks' mass has given its heat back; the slab and walls still hold theirs.
    const held = hall1StoredKj(kernel, hall);
    assert.ok(held.air === 0 && held.envelope > 0.9 * (held.envelope + held.mass), JSON.stringify(held));
  });

  it("keeps the heat of tripped racks, whose fans stopped, in their mass while the air cools", () => {
    // Every rack of hall 1 off after its first trip: their mass no longer exchanges with the air (its time constant
    // is the servers' with their fans running), so it holds its rise while the slab and walls cool the air.
    const stepS = 5;
    const kernel = fullLoadKernel(loss, stepS, labNoDoors);
    const crah = airRacks(kernel, false, 0);
    let offSteps = 0;
    let stored = loopsStoredKj(kernel);
    for (let step = 0; step < (2 * secondsPer.h) / stepS; step++) {
      const offBefore = crah.every((rack) => kernel.running[rack] === 0);
      const massBeforeK = kernel.hallMassRiseK[0]!;
      const airBeforeK = kernel.hallAirRiseK[0]!;
      kernel.step();
      stored = assertStepBalance(kernel, step, stored);
      if (!offBefore || !crah.every((rack) => kernel.running[rack] === 0)) continue;
      offSteps++;
      assert.equal(kernel.hallMassRiseK[0], massBeforeK, `step ${step}: the stopped racks' mass moved`);
      assert.ok(kernel.hallAirRiseK[0]! < airBeforeK, `step ${step}: the air warmed with every rack off`);
    }
    assert.ok(offSteps * stepS > 60, `every rack of hall 1 was off for ${offSteps} steps`);
  });

  it("restarts its racks once after a trip, then keeps them off until its air handlers are repaired", () => {
    // Without a latch the racks cycled: off at 45 °C, the slab and walls cooled the air below 40 °C within minutes,
    // back at full duty 10 minutes later and off again about 7 minutes after that, for as long as the loss lasted.
    const repairS = 4 * secondsPer.h;
    const stepS = 60;
    const text = "events:\n  - { at: 30m, fail: crah:h1-* }\n  - { at: 4h, repair: [crah:h1-01, crah:h1-02] }\n";
    const kernel = fullLoadKernel(text, stepS, labNoDoors);
    const crah = airRacks(kernel, false, 0);
    assert.equal(crah.length, 12, "hall 1's 4 NVL72 and 8 HGX racks");
    const trips = new Map(crah.map((rack) => [rack, [] as number[]]));
    const wasOn = new Map(crah.map((rack) => [rack, true]));
    let latchedSteps = 0;
    let stored = loopsStoredKj(kernel);
    for (let step = 0; step < (5 * secondsPer.h) / stepS; step++) {
      const timeS = kernel.timeS;
      // An inlet trip acts from the next step: racks latched before this one are off for all of it.
      const latchedBefore = crah.every((rack) => kernel.latched[rack] === 1);
      kernel.step();
      stored = assertStepBalance(kernel, step, stored);
      for (const rack of crah) {
        const on = kernel.running[rack]! > 0;
        if (wasOn.get(rack) && !on) trips.get(rack)!.push(timeS);
        wasOn.set(rack, on);
      }
      if (latchedBefore && crah.every((rack) => kernel.latched[rack] === 1)) {
        latchedSteps++;
        // Latched racks are off whatever the hall does, and count as tripped: every rack for the whole step.
        assert.ok(
          crah.every((rack) => kernel.running[rack] === 0),
          `${timeS} s: a latched rack runs`,
        );
        const hours = stepS / secondsPer.h;
        assert.ok(Math.abs(kernel.hallTrippedRackHours[0]! - 12 * hours) < 1e-12, `${timeS} s: tripped rack-hours`);
      }
    }
    for (const [rack, times] of trips) {
      // One automatic restart, then the second trip (within the hour of the first) latches it until the repair.
      assert.equal(times.length, 2, `rack ${rack} tripped at ${times.join(", ")} s`);
      assert.ok(times[1]! - times[0]! < rackAutoRestartWindowS, `rack ${rack} tripped at ${times.join(", ")} s`);
      assert.equal(kernel.latched[rack], 0, `rack ${rack} released by the repair`);
      assert.equal(kernel.running[rack], 1, `rack ${rack} back at full duty after the repair`);
    }
    const lastTripS = Math.max(...[...trips.values()].map((times) => times[1]!));
    assert.ok(latchedSteps * stepS >= repairS - lastTripS - stepS, `latched for ${latchedSteps} steps`);
  });

  it("restarts latched racks when a scenario's operator does, and names a row that does not exist", () => {
    const text = "events:\n  - { at: 30m, fail: crah:h1-* }\n  - { at: 2h, restartRacks: row:h1-* }\n";
    const kernel = fullLoadKernel(text, 60, labNoDoors);
    const crah = airRacks(kernel, false, 0);
    while (kernel.timeS < 2 * secondsPer.h) kernel.step();
    assert.ok(
      crah.every((rack) => kernel.latched[rack] === 1 && kernel.running[rack] === 0),
      "latched before the restart",
    );
    kernel.step();
    assert.ok(
      crah.every((rack) => kernel.latched[rack] === 0 && kernel.running[rack]! > 0),
      "restarting: the air has cooled below 40 °C with every rack off",
    );
    const parsed = parseScenario(
      "events:\n  - { at: 1h, restartRacks: [row:h1-r01, row:h7-r01] }\n",
      "t.yaml",
      labSite,
      lab.file,
    );
    assert.ok(!parsed.ok && parsed.error.includes('no row matches "row:h7-r01"'), JSON.stringify(parsed));
    assert.ok(!parsed.ok && parsed.error.includes("events[0].restartRacks[1]"), parsed.ok ? "" : parsed.error);
  });

  it("keeps each rack's heat as racks leave a hall that is still warm", () => {
    // Every crah rack of hall 1 leaves while its air and mass are warm (15-minute ramp steps): what the mass held
    // goes to the remaining racks' mass, then, with none left, to the air, and the balance still closes.
    const text =
      "events:\n  - { at: 30m, fail: crah:h1-* }\n" +
      "  - { at: 30m, occupancy: { from: 1, to: 0, until: 75m, rackType: hgx } }\n" +
      "  - { at: 30m, occupancy: { from: 1, to: 0, until: 105m, rackType: nvl72 } }\n";
    const kernel = fullLoadKernel(text, 60, labNoDoors);
    let stored = loopsStoredKj(kernel);
    let warmMassLeft = false;
    for (let step = 0; step < (2 * secondsPer.h) / 60; step++) {
      const massBefore = kernel.hallMassRiseK[0]!;
      kernel.step();
      stored = assertStepBalance(kernel, step, stored);
      if (massBefore > 0 && kernel.hallMassRiseK[0] === 0 && kernel.hallAirRiseK[0]! > 0) warmMassLeft = true;
    }
    assert.ok(warmMassLeft, "the last racks left while their mass was warm");
  });

  it("cools slowly through its envelope once its racks are gone and its air handlers are still out", () => {
    // Every rack of hall 1 leaves by 60 min (15-minute ramp steps) while its air handlers stay failed: nothing heats
    // it, and only the roof and the slab and walls' U-values take its heat, to the outdoors and the ground.
    const text =
      "events:\n  - { at: 30m, fail: crah:h1-* }\n" +
      "  - { at: 45m, occupancy: { from: 1, to: 0, until: 60m, rackType: hgx } }\n" +
      "  - { at: 45m, occupancy: { from: 1, to: 0, until: 60m, rackType: nvl72 } }\n";
    const stepS = 60;
    const kernel = fullLoadKernel(text, stepS, labNoDoors);
    const hall = labHall1(labNoDoors);
    const total = (held: ReturnType<typeof hall1StoredKj>) => held.air + held.mass + held.envelope;
    while (kernel.timeS < 2 * secondsPer.h) kernel.step();
    const startKj = total(hall1StoredKj(kernel, hall));
    const startAirK = kernel.hallAirRiseK[0]!;
    let lostKj = 0;
    let previousKj = startKj;
    while (kernel.timeS < 26 * secondsPer.h) {
      kernel.step();
      const nowKj = total(hall1StoredKj(kernel, hall));
      assert.ok(nowKj < previousKj, `the hall's heat rose to ${nowKj} kJ`);
      previousKj = nowKj;
      lostKj += kernel.hallEnvelopeLossKw[0]! * stepS;
    }
    // What it lost is what left through the envelope, to rounding...
    assert.ok(Math.abs(startKj - previousKj - lostKj) < 1e-9 * startKj, `lost ${startKj - previousKj} vs ${lostKj}`);
    // ...at the pace of its slowest mode: air and envelope nearly together (4.6 kW/K between them), losing through
    // roof and envelope (0.08 + 0.23 kW/K) what air and slab hold (1,932 + 172,800 kJ/K): τ ≈ 6.5 days.
    const { airKjPerK, envelope } = hall;
    const tauS = (airKjPerK + envelope.storedKjPerK) / (envelope.roofKwPerK + envelope.lossKwPerK);
    const ratio = previousKj / startKj;
    const expected = Math.exp(-(24 * secondsPer.h) / tauS);
    assert.ok(Math.abs(ratio - expected) < 0.01, `kept ${ratio} of its heat in a day, slowest mode ${expected}`);
    assert.ok(kernel.hallAirRiseK[0]! < startAirK, `air ${kernel.hallAirRiseK[0]} K up, ${startAirK} K before`);
  });

  it("cools air, racks and envelope back after the repair, each at its pace, then leaves the shortfall path", () => {
    const stepS = 5;
    const kernel = fullLoadKernel(lossAndRepair, stepS, labNoDoors);
    const hall = labHall1(labNoDoors);
    const repairS = 60 * 60;
    const crah = airRacks(kernel, false, 0);
    const airBack: number[] = [];
    const massRise: number[] = [];
    const envelopeRise: number[] = [];
    const allRunning: boolean[] = [];
    while (kernel.timeS < repairS + 3 * secondsPer.h) {
      kernel.step();
      if (kernel.timeS > repairS) {
        airBack.push(kernel.hallAirRiseK[0]!);
        massRise.push(kernel.hallMassRiseK[0]!);
        envelopeRise.push(kernel.hallEnvelopeRiseK[0]!);
        allRunning.push(crah.every((rack) => kernel.running[rack] === 1));
      }
    }
    // The repaired handlers (60 s restart) bring the air to their supply within three minutes...
    const airAtSupply = airBack.indexOf(0);
    assert.ok(airAtSupply >= 0 && airAtSupply * stepS < 180, `air back ${airAtSupply * stepS} s after the repair`);
    assert.ok(
      airBack.slice(airAtSupply).every((rise) => rise === 0),
      "the air stays at the supply",
    );
    // ...while the racks' mass is still warm, and gives its heat to the held air over its 300 s time constant once
    // the racks that tripped run again, their fans moving air through them (backward Euler at 5 s: e^(−1) within 1 %)...
    const massAtAirBackK = massRise[airAtSupply]!;
    assert.ok(massAtAirBackK > 5, `mass ${massAtAirBackK} K up when the air is back`);
    const runningAgain = allRunning.indexOf(true, airAtSupply);
    assert.ok(runningAgain >= airAtSupply && massRise[runningAgain]! > 1, `racks back ${runningAgain * stepS} s after`);
    const ratio = massRise[runningAgain + 300 / stepS]! / massRise[runningAgain]!;
    assert.ok(Math.abs(ratio - Math.exp(-1)) < 0.01 * Math.exp(-1), `mass fell to ${ratio} in 300 s`);
    // ...and the slab and walls give theirs to the air and lose it outdoors over C / (exchange + loss), about 10 h.
    const { storedKjPerK, exchangeKwPerK, lossKwPerK } = hall.envelope;
    const envelopeTauS = storedKjPerK / (exchangeKwPerK + lossKwPerK);
    const hourSteps = secondsPer.h / stepS;
    const envelopeRatio = envelopeRise[airAtSupply + hourSteps]! / envelopeRise[airAtSupply]!;
    const expected = Math.exp(-secondsPer.h / envelopeTauS);
    assert.ok(Math.abs(envelopeRatio - expected) < 1e-3, `envelope kept ${envelopeRatio} in an hour, ${expected}`);
    // Within a microkelvin each gives the rest at once: after about τ × ln(rise / 1 µK) (5 days for the envelope,
    // stepped at 10 min here) the hall is back on its handlers' ordinary path.
    const envelopeK = kernel.hallEnvelopeRiseK[0]!;
    const coarse = fullLoadKernel(lossAndRepair, 600, labNoDoors);
    let settledS = Number.NaN;
    while (coarse.timeS < 20 * secondsPer.d && Number.isNaN(settledS)) {
      coarse.step();
      if (coarse.timeS > repairS + secondsPer.h && coarse.hallEnvelopeRiseK[0] === 0) settledS = coarse.timeS;
    }
    const expectedS = repairS + 3 * secondsPer.h + envelopeTauS * Math.log(envelopeK / 1e-6);
    assert.ok(Math.abs(settledS - expectedS) < 0.05 * expectedS, `settled at ${settledS} s, about ${expectedS} s`);
    assert.ok(coarse.hallMassRiseK[0] === 0 && coarse.hallAirRiseK[0] === 0, "air and racks back too");
  });
});

/** The lab with its operator's response to latched racks set in the site file (`response`: seconds, or `off`). */
function labWithOperator(response: string): Site {
  const path = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "sites", "lab.yaml");
  const line = "  buildingAreaM2: 1600\n";
  const text = readFileSync(path, "utf8");
  assert.ok(text.includes(line), "the lab's site section ends with its building area");
  const loaded = parseSite(text.replace(line, `${line}  operatorResponseS: ${response}\n`), { fileName: path });
  assert.ok(loaded.ok && loaded.site !== undefined, "the lab with an operator response loads");
  return loaded.site;
}

/** What a run of the lab's kernel did to its latches, step by step. */
interface LatchLog {
  readonly kernel: PartitionKernel;
  /** Per rack: times (start of the step) it latched, and times it was released. */
  readonly latchedAtS: Map<number, number[]>;
  readonly releasedAtS: Map<number, number[]>;
  /** Per row: the start of the step in which its first latch of each alarm happened. */
  readonly rowAlarmS: Map<number, number[]>;
  /** Latched rack-hours as the kernel counted them (its halls), and from its `latched` state after each step. */
  readonly latchedRackHours: number;
  readonly latchedFromState: number;
}

/** Steps the lab's kernel through `text` for `hours` at 60 s, logging every latch and release. */
function latchLog(text: string, hours: number, site: Site): LatchLog {
  const stepS = 60;
  const kernel = scenarioKernel(text, stepS, site);
  const { racks } = kernel.partition;
  const latchedAtS = new Map<number, number[]>();
  const releasedAtS = new Map<number, number[]>();
  const rowAlarmS = new Map<number, number[]>();
  const rowLatched = new Int32Array(kernel.partition.rows.count);
  const was = new Uint8Array(racks.count);
  let latchedRackHours = 0;
  let latchedFromState = 0;
  for (let step = 0; step < (hours * secondsPer.h) / stepS; step++) {
    const timeS = kernel.timeS;
    kernel.step();
    for (let hall = 0; hall < kernel.partition.halls.count; hall++)
      latchedRackHours += kernel.hallLatchedRackHours[hall]!;
    for (let rack = 0; rack < racks.count; rack++) {
      const now = kernel.latched[rack]!;
      if (now === 1 && kernel.installed[rack] === 1) latchedFromState += stepS / secondsPer.h;
      if (now === was[rack]) continue;
      const row = racks.row[rack]!;
      if (now === 1) {
        if (rowLatched[row] === 0) rowAlarmS.set(row, [...(rowAlarmS.get(row) ?? []), timeS]);
        rowLatched[row]!++;
        latchedAtS.set(rack, [...(latchedAtS.get(rack) ?? []), timeS]);
      } else {
        rowLatched[row]!--;
        releasedAtS.set(rack, [...(releasedAtS.get(rack) ?? []), timeS]);
      }
      was[rack] = now;
    }
  }
  return { kernel, latchedAtS, releasedAtS, rowAlarmS, latchedRackHours, latchedFromState };
}

describe("per-rack twin: the operator restarts racks latched with no failure behind them", () => {
  // The facility water set-point raised 25 K for 15 minutes at each start: the GPU rows' loops follow it past their
  // racks' trip limit (outlet above limit + 5 K even at idle), the racks trip, restart once their loop has cooled
  // below its limit, and trip again within the hour: latched, with no unit failed.
  const excursions = (startsMin: readonly number[]) =>
    `events:\n${startsMin
      .map(
        (m) =>
          `  - { at: ${m}m, setpoint: { fwsSupplyC: 61 } }\n  - { at: ${m + 15}m, setpoint: { fwsSupplyC: 36 } }\n`,
      )
      .join("")}`;
  const once = excursions([10]);
  const responseS = defaultOperatorResponseS;

  it("restarts them after the response time, once the set-point is back; without a response they stay off", () => {
    assert.equal(responseS, 1800, "the lab sets none: the default, 30 minutes");
    const answered = latchLog(once, 4, labSite);
    const latchedRacks = [...answered.latchedAtS.keys()];
    assert.ok(latchedRacks.length >= 4, `${latchedRacks.length} racks latched`);
    const { racks } = answered.kernel.partition;
    for (const rack of latchedRacks) {
      const alarmS = answered.rowAlarmS.get(racks.row[rack]!)![0]!;
      const [releasedS] = answered.releasedAtS.get(rack) ?? [];
      assert.ok(releasedS !== undefined, `rack ${rack} released`);
      // Restarted at the first step at or after the row's alarm + the response, not before.
      assert.ok(
        releasedS >= alarmS + responseS && releasedS <= alarmS + responseS + 60,
        `rack ${rack}: ${releasedS} s`,
      );
      assert.equal(answered.latchedAtS.get(rack)!.length, 1, `rack ${rack} latched once`);
      assert.equal(answered.kernel.running[rack], 1, `rack ${rack} back at full duty`);
    }
    const unanswered = latchLog(once, 4, labWithOperator("off"));
    assert.deepEqual([...unanswered.latchedAtS.keys()], latchedRacks, "the same racks latch");
    assert.equal(unanswered.releasedAtS.size, 0, "nothing releases them");
    for (const rack of latchedRacks) assert.equal(unanswered.kernel.running[rack], 0, `rack ${rack} still off`);
    // Latched rack-hours: the kernel's count is the state's (liquid trips latch within the pass that counts them).
    for (const log of [answered, unanswered]) {
      assert.ok(log.latchedRackHours > 0);
      assert.ok(Math.abs(log.latchedRackHours - log.latchedFromState) < 1e-9 * log.latchedFromState);
    }
    assert.ok(unanswered.latchedRackHours > 2 * answered.latchedRackHours, "the operator cut the latched hours");
  });

  it("latches them again when the cause remains, and the operator restarts them again", () => {
    // An excursion every 40 minutes: after each restart the racks trip twice within an hour again.
    const log = latchLog(excursions([10, 50, 90, 130, 170, 210]), 4, labSite);
    const again = [...log.latchedAtS.entries()].filter(([, times]) => times.length >= 2);
    assert.ok(again.length >= 4, `${again.length} racks latched more than once`);
    for (const [rack, times] of again) {
      const released = log.releasedAtS.get(rack)!;
      // Each latch but perhaps the last was answered before the next.
      for (let index = 0; index + 1 < times.length; index++) {
        assert.ok(released[index]! > times[index]! && released[index]! < times[index + 1]!, `rack ${rack}`);
      }
    }
    const unanswered = latchLog(excursions([10, 50, 90, 130, 170, 210]), 4, labWithOperator("off"));
    assert.ok(
      [...unanswered.latchedAtS.values()].every((times) => times.length === 1),
      "without a response: latched once",
    );
  });

  it("leaves racks latched behind a failed unit for its repair, however long it takes", () => {
    // Both facility water pumps lost twice within the hour; the second loss lasts until 3 h, far past the response.
    const pumps = "[pump:lab-fws-01, pump:lab-fws-02]";
    const text = `events:\n  - { at: 30m, fail: ${pumps} }\n  - { at: 35m, repair: ${pumps} }\n  - { at: 60m, fail: ${pumps} }\n  - { at: 3h, repair: ${pumps} }\n`;
    const log = latchLog(text, 4, labSite);
    assert.ok(log.latchedAtS.size > 0, "racks latched");
    for (const [rack, times] of log.latchedAtS) {
      assert.equal(times.length, 1, `rack ${rack}`);
      assert.deepEqual(log.releasedAtS.get(rack), [3 * secondsPer.h], `rack ${rack} released by the repair only`);
      assert.equal(log.kernel.running[rack], 1, `rack ${rack} back after the repair`);
    }
  });

  it("reports latched rack-hours per hall, per rack type and in total, within the tripped ones", async () => {
    let fromState = 0;
    const site = labWithOperator("off");
    const typeFromState = new Float64Array(site.rackTypes.length);
    const result = await simulateOk({
      site,
      weather: constantWeather(25, 50),
      durationS: 2 * secondsPer.h,
      stepS: 60,
      threads: 1,
      scenario: compile(once).scenario,
      onStep: (kernel) => {
        for (let rack = 0; rack < kernel.latched.length; rack++) {
          fromState += kernel.latched[rack]! / 60;
          typeFromState[kernel.partition.racks.typeIndex[rack]!]! += kernel.latched[rack]! / 60;
        }
      },
    });
    const latched = result.kpis.latchedRackHours;
    assert.ok(latched > 0 && latched < result.kpis.trippedRackHours, `${latched} of ${result.kpis.trippedRackHours}`);
    assert.ok(Math.abs(latched - fromState) < 1e-9 * fromState, `${latched} vs ${fromState} from the state`);
    assert.deepEqual(
      result.latchedRackHoursByHall.map((line) => [line.hall, line.rackHours]),
      result.halls.map((hall) => [hall.name, hall.fields.latchedRackHours!.reduce((a, b) => a + b, 0)]),
    );
    const byHall = result.latchedRackHoursByHall.reduce((sum, line) => sum + line.rackHours, 0);
    assert.ok(Math.abs(byHall - latched) < 1e-9 * latched, `by hall ${byHall} vs ${latched}`);
    // Per type: each type's latched hours from the state, and never more than its tripped hours.
    assert.deepEqual(
      result.latchedRackHoursByType.map((line) => line.rackType),
      site.rackTypes.map((type) => type.id),
    );
    result.latchedRackHoursByType.forEach((line, type) => {
      const expected = typeFromState[type]!;
      assert.ok(
        Math.abs(line.rackHours - expected) <= 1e-9 * expected,
        `${line.rackType}: ${line.rackHours} vs ${expected}`,
      );
      const tripped = result.trippedRackHoursByType[type]!.rackHours;
      assert.ok(line.rackHours <= tripped + 1e-9, `${line.rackType}: latched ${line.rackHours} of ${tripped} tripped`);
    });
    assert.ok(
      result.latchedRackHoursByType.some((line) => line.rackHours > 0),
      "some type latched",
    );
  });

  it("takes a scenario's operator response in place of the site's", async () => {
    const run = async (scenarioText: string, site: Site) => {
      const compiled = compile(scenarioText, site);
      return simulateOk({
        site: compiled.site,
        weather: constantWeather(25, 50),
        durationS: 4 * secondsPer.h,
        stepS: 60,
        threads: 1,
        scenario: compiled.scenario,
      });
    };
    assert.equal(compile(`operatorResponseS: off\n${once}`).site.operatorResponseS, null);
    assert.equal(compile(`operatorResponseS: 7200\n${once}`).site.operatorResponseS, 7200);
    assert.equal(compile(once).site.operatorResponseS, undefined, "none given: the site's");
    const answered = (await run(once, labSite)).kpis.latchedRackHours;
    const siteOff = (await run(once, labWithOperator("off"))).kpis.latchedRackHours;
    const scenarioOff = (await run(`operatorResponseS: off\n${once}`, labSite)).kpis.latchedRackHours;
    const slower = (await run(`operatorResponseS: 7200\n${once}`, labSite)).kpis.latchedRackHours;
    const sooner = (await run(`operatorResponseS: 1800\n${once}`, labWithOperator("off"))).kpis.latchedRackHours;
    assert.ok(answered > 0 && siteOff > answered, `${answered} answered, ${siteOff} off`);
    assert.equal(scenarioOff, siteOff, "the scenario's off is the site's off");
    assert.equal(sooner, answered, "the scenario's 30 minutes overrides the site's off");
    assert.ok(slower > answered && slower < siteOff, `two hours: ${slower}`);
    const bad = parseScenario(`operatorResponseS: soon\n${once}`, "test.yaml", labSite, lab.file);
    assert.ok(!bad.ok && /operatorResponseS/.test(bad.error), bad.ok ? "" : bad.error);
  });
});

describe("per-rack twin: throttling counts every rack type", () => {
  it("reports CPU racks that throttle, which lose no GPU-hours", async () => {
    // 8.5 K below the rear-door rows' 22 °C TCS, as 31 °C was below the 39.5 °C loop they had before the air side.
    const { scenario } = compile("events:\n  - { at: 0, coolantLimit: { rackType: cpu, maxCoolantSupplyC: 13.5 } }\n");
    const result = await simulateOk({
      site: labSite,
      weather: constantWeather(20, 50),
      durationS: 2 * secondsPer.h,
      stepS: 60,
      threads: 1,
      scenario,
    });
    assert.equal(result.kpis.throttledGpuHours, 0);
    const cpuRacks = labSite.racks.filter((rack) => labSite.rackTypes[rack.typeIndex]!.id === "cpu").length;
    assert.ok(result.kpis.throttledRackHours > 0.5 * cpuRacks * 2, `${result.kpis.throttledRackHours} rack-hours`);
    assert.ok(result.kpis.throttledRackHours <= cpuRacks * 2 + 1e-9);
    // What they lose is counted, in busy rack-hours: the CPU type's, and no other type's here.
    const lost = Object.fromEntries(result.lostBusyRackHoursByType.map((line) => [line.rackType, line.rackHours]));
    assert.ok(lost["cpu"]! > 0, `${lost["cpu"]} busy CPU rack-hours lost`);
    assert.ok(lost["cpu"]! <= result.kpis.throttledRackHours, "no more than the rack-hours they throttled");
    for (const [type, hours] of Object.entries(lost)) if (type !== "cpu") assert.equal(hours, 0, type);
    // And in CPU core-hours: the lab's CPU servers carry 128 cores each (its site file), 16 servers a rack.
    const cpuType = labSite.rackTypes.find((type) => type.id === "cpu")!;
    assert.equal(cpuType.cpuCoresPerServer, 128);
    assert.ok(result.kpis.lostCpuCoreHours > 0);
    assert.ok(Math.abs(result.kpis.lostCpuCoreHours - lost["cpu"]! * 16 * 128) < 1e-6 * result.kpis.lostCpuCoreHours);
  });
});
