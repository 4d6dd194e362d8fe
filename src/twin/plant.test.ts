import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import type { Site } from "../model/site.ts";
import { PartitionKernel } from "./kernel.ts";
import { buildPartition } from "./layout.ts";
import { defaultAssumptions, substationLosses } from "./plant.ts";
import { type RackLoad, SyntheticLoad } from "./profiles.ts";
import type { TwinResult } from "./results.ts";
import { simulate } from "./run.ts";
import { parseScenario, type Scenario } from "./scenario.ts";
import { secondsPer } from "./time.ts";
import { constantWeather } from "./weather.ts";

const lab = loadSite("lab");
const labSite = lab.site!;

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

/** The lab site fed at 63 kV, so it has an HV substation stage. */
const hvLab: Site = { ...labSite, gridFeeds: labSite.gridFeeds.map((feed) => ({ ...feed, voltageKV: 63 })) };

describe("plant: HV substation", () => {
  it("meets its peak efficiency index at the load where no-load and load losses are equal", () => {
    const ratedKva = 100_000;
    const { noLoadKw, loadKw } = substationLosses(ratedKva, 0.99737, 0.15);
    const peakLoad = Math.sqrt(noLoadKw / loadKw);
    assert.ok(Math.abs(peakLoad - Math.sqrt(0.15)) < 1e-12);
    const efficiency = 1 - (noLoadKw + loadKw * peakLoad * peakLoad) / (peakLoad * ratedKva);
    assert.ok(Math.abs(efficiency - 0.99737) < 1e-12, `efficiency ${efficiency}`);
    // Any other load is less efficient.
    for (const load of [0.1, 0.25, 0.6, 1]) {
      assert.ok(1 - (noLoadKw + loadKw * load * load) / (load * ratedKva) < efficiency);
    }
  });

  it("adds losses only to sites fed above 36 kV, growing with the square of the load", async () => {
    const run = (site: Site, hours: number) =>
      simulateOk({ site, weather: constantWeather(10, 60), durationS: hours * secondsPer.h, stepS: 60, threads: 1 });
    const mv = await run(labSite, 2);
    assert.equal(mv.kpis.substationLossMWh, 0);
    const hv = await run(hvLab, 2);
    assert.ok(hv.kpis.substationLossMWh > 0);
    const share = hv.kpis.substationLossMWh / hv.kpis.totalEnergyMWh;
    // 2N feeds of 2.5 MW each carry about 1.1 MW: below the peak-efficiency load, so the loss share is above
    // 1 − PEI but of its order.
    assert.ok(share > 0.0026 && share < 0.01, `substation share ${share}`);
  });
});

describe("plant: energy balance with every plant term", () => {
  it("grid import is IT plus every overhead and all of it leaves as heat, at each step, substation included", () => {
    const { scenario } = compile(
      "events:\n  - { at: 1h, fail: [cdu:h1-r01-01, cdu:h1-r01-02] }\n  - { at: 2h, repair: [cdu:h1-r01-01, cdu:h1-r01-02] }\n",
    );
    const partition = buildPartition(
      hvLab,
      hvLab.plants.map((plant) => plant.index),
    );
    const stepS = 20;
    const kernel = new PartitionKernel(
      partition,
      constantWeather(31, 40),
      new SyntheticLoad(partition.racks, 3),
      scenario.events,
      scenario.ramps,
      stepS,
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
    let before = storedKj();
    for (let step = 0; step < (4 * secondsPer.h) / stepS; step++) {
      kernel.step();
      let grid = 0;
      let accounted = 0;
      for (let hall = 0; hall < partition.halls.count; hall++) {
        grid += kernel.hallGridKw[hall]!;
        accounted +=
          kernel.hallItKw[hall]! +
          kernel.hallUpsLossKw[hall]! +
          kernel.hallTransformerLossKw[hall]! +
          kernel.hallSubstationLossKw[hall]! +
          kernel.hallHouseKw[hall]! +
          kernel.hallElectricalCoolingKw[hall]! +
          kernel.hallCduPumpKw[hall]! +
          kernel.hallCrahFanKw[hall]!;
        assert.ok(kernel.hallSubstationLossKw[hall]! > 0);
      }
      let rejected = 0;
      for (let plant = 0; plant < partition.plants.count; plant++) {
        accounted +=
          kernel.plantPumpKw[plant]! +
          kernel.plantFanKw[plant]! +
          kernel.plantChillerPowerKw[plant]! +
          kernel.plantAirPumpKw[plant]! +
          kernel.plantAirFanKw[plant]! +
          kernel.plantAirChillerPowerKw[plant]!;
        rejected += kernel.plantRejectedKw(plant);
      }
      const after = storedKj();
      const storedKw = (after - before) / stepS;
      before = after;
      assert.ok(Math.abs(accounted - grid) < 1e-9 * grid, `step ${step}: IT + overheads ${accounted} vs ${grid}`);
      assert.ok(Math.abs(grid - rejected - storedKw) < 1e-6 * grid, `step ${step}: ${grid} vs ${rejected}+${storedKw}`);
    }
  });
});

describe("plant: electrical rooms", () => {
  it("cool UPS and transformer losses with fans only in cold weather and with compressors in hot weather", async () => {
    const run = (dryBulbC: number) =>
      simulateOk({ site: labSite, weather: constantWeather(dryBulbC, 40), durationS: secondsPer.h, stepS: 60 });
    const cold = await run(5);
    const hot = await run(35);
    const coldHeat = cold.kpis.powerLossEnergyMWh;
    const ratioCold = cold.kpis.electricalCoolingMWh / coldHeat;
    assert.ok(Math.abs(ratioCold - defaultAssumptions.electricalRoomFanKwPerKw) < 1e-9, `cold ratio ${ratioCold}`);
    const ratioHot = hot.kpis.electricalCoolingMWh / hot.kpis.powerLossEnergyMWh;
    // At 35 °C the DX lift is 35 + 12 − 14 = 33 K: COP about 3 on the lab's curve, so about 0.3 kW per kW more.
    assert.ok(ratioHot > ratioCold + 0.2 && ratioHot < ratioCold + 0.5, `hot ratio ${ratioHot}`);
  });
});

describe("plant: server inlet air", () => {
  it("counts every rack-hour above A3 with the air side on 36 °C facility water, none outside the recommended band on the air side's chilled water", async () => {
    const hours = 6;
    // The lab as it was designed before the air side: CRAH coils on the facility loop, rear doors on a 39.5 °C TCS.
    const { scenario: warmDoors } = compile("events:\n  - { at: 0, setpoint: { tcsSupplyC: 39.5 } }\n", withoutAirSide);
    const warm = await simulateOk({
      site: withoutAirSide,
      weather: constantWeather(10, 60),
      durationS: hours * secondsPer.h,
      stepS: 60,
      threads: 1,
      scenario: warmDoors,
    });
    assert.deepEqual(
      warm.airInlet.map((row) => row.rackType),
      labSite.rackTypes.map((type) => type.id),
    );
    for (const row of warm.airInlet) {
      // CRAH racks: 36 + 4 + 1.5 = 41.5 °C; rear doors on the 39.5 °C loop: 39.5 + ¼ × 15 K × load.
      assert.ok(Math.abs(row.hoursAbove.A3 - hours) < 1e-9, `${row.rackType} above A3 ${row.hoursAbove.A3}`);
      assert.equal(row.hoursAbove.A4, 0);
      assert.equal(row.hoursBelowRecommended, 0);
    }
    for (const dryBulbC of [5, 30]) {
      const shipped = await simulateOk({
        site: labSite,
        weather: constantWeather(dryBulbC, 60),
        durationS: hours * secondsPer.h,
        stepS: 60,
        threads: 1,
      });
      for (const row of shipped.airInlet) {
        assert.equal(row.hoursAbove.recommended, 0, `${row.rackType} above 27 °C at ${dryBulbC} °C outdoors`);
        assert.equal(row.hoursBelowRecommended, 0, `${row.rackType} below 18 °C at ${dryBulbC} °C outdoors`);
        assert.ok(Math.abs(row.rackHours - hours * countOf(row.rackType)) < 1e-6);
      }
      assert.ok(shipped.kpis.airSideCoolingMWh > 0);
    }
  });

  it("gives a rear-door rack on the design air-side supply an inlet within A1 allowable (and recommended) at design load", () => {
    const kernel = fullLoadKernel(labSite, constantWeather(33, 40), "");
    const rows = kernel.partition.rows;
    for (let step = 0; step < 120; step++) kernel.step();
    let doorRows = 0;
    for (let row = 0; row < rows.count; row++) {
      if (rows.airSide[row] !== 1) continue;
      doorRows++;
      const inletC = kernel.rowRearDoorInletC[row]!;
      // TCS 22 °C + (1 − 0.8)/0.8 × 15 K = 25.75 °C at design power.
      assert.ok(Math.abs(inletC - 25.75) < 0.05, `rear-door inlet ${inletC} °C`);
      assert.ok(inletC <= 27 && inletC <= 32);
    }
    assert.equal(doorRows, 2);
    for (let hall = 0; hall < kernel.partition.halls.count; hall++) {
      assert.ok(Math.abs(kernel.hallCrahInletC[hall]! - 23.5) < 1e-6, `CRAH inlet ${kernel.hallCrahInletC[hall]} °C`);
    }
    // At 33 °C outdoors the compressors carry it: no free cooling above the 24 °C return.
    assert.ok(kernel.plantAirChillerPowerKw[0]! > 0 && kernel.plantAirFanKw[0]! === 0);
  });

  it("lets the inlet air rise above the recommended band when the air-side chillers fail", () => {
    const failed = fullLoadKernel(
      labSite,
      constantWeather(30, 40),
      "events:\n  - { at: 10m, fail: [chiller:lab-air-01, chiller:lab-air-02, chiller:lab-air-03] }\n",
    );
    const rows = failed.partition.rows;
    const maxInlet = () => {
      let highest = Number.NEGATIVE_INFINITY;
      for (let row = 0; row < rows.count; row++) {
        if (rows.airSide[row] === 1) highest = Math.max(highest, failed.rowRearDoorInletC[row]!);
      }
      for (let hall = 0; hall < failed.partition.halls.count; hall++) {
        highest = Math.max(highest, failed.hallCrahInletC[hall]!);
      }
      return highest;
    };
    for (let step = 0; step < 10; step++) failed.step();
    assert.ok(maxInlet() <= 27, `before the failure ${maxInlet()} °C`);
    for (let step = 0; step < 20; step++) failed.step();
    assert.ok(failed.airSupplyC[0]! > 18 + 5, `air-side supply ${failed.airSupplyC[0]} °C`);
    assert.ok(maxInlet() > 27, `20 minutes after the failure ${maxInlet()} °C`);
  });
});

/** The lab with its plant's air side removed (its CRAHs and rear-door rows back on facility water). */
const withoutAirSide: Site = {
  ...labSite,
  plants: labSite.plants.map((plant) => ({ ...plant, airSide: undefined })),
};

/** A kernel over the whole of `site` with every rack at design power (utilisation 1). */
function fullLoadKernel(site: Site, weather: ReturnType<typeof constantWeather>, events: string): PartitionKernel {
  const { scenario } = compile(events === "" ? "events: []\n" : events, site);
  const partition = buildPartition(
    site,
    site.plants.map((plant) => plant.index),
  );
  const full: RackLoad = { fill: (_timeS, out) => out.fill(1) };
  return new PartitionKernel(partition, weather, full, scenario.events, scenario.ramps, 60);
}

function countOf(typeId: string): number {
  return labSite.racks.filter((rack) => labSite.rackTypes[rack.typeIndex]!.id === typeId).length;
}

describe("plant: recovery dynamics", () => {
  it("brings repaired CDUs back over their restart time, so the loop cools back gradually", () => {
    const { scenario } = compile(
      "events:\n  - { at: 60, fail: [cdu:h1-r01-01, cdu:h1-r01-02] }\n  - { at: 180, repair: [cdu:h1-r01-01, cdu:h1-r01-02] }\n",
    );
    const kernelWith = (cduRestartS: number) => {
      const partition = buildPartition(
        labSite,
        labSite.plants.map((plant) => plant.index),
      );
      return new PartitionKernel(
        partition,
        constantWeather(20, 50),
        new SyntheticLoad(partition.racks, 2),
        scenario.events,
        scenario.ramps,
        1,
        0,
        { ...defaultAssumptions, cduRestartS },
      );
    };
    const ramped = kernelWith(defaultAssumptions.cduRestartS);
    const instant = kernelWith(1e-3);
    for (let step = 0; step < 180; step++) {
      ramped.step();
      instant.step();
    }
    assert.equal(ramped.cduInService[0], 0, "both CDUs failed at once");
    const peakC = ramped.tcsC[0]!;
    ramped.step();
    instant.step();
    assert.ok(ramped.cduInService[0]! > 0 && ramped.cduInService[0]! < 0.05, `${ramped.cduInService[0]}`);
    assert.equal(instant.cduInService[0], 2);
    for (let step = 1; step < 30; step++) {
      ramped.step();
      instant.step();
    }
    // 30 s after the repair the instant return is back at its set-point; the ramped loop is still warm.
    assert.ok(instant.tcsC[0]! < ramped.tcsC[0]! - 1, `instant ${instant.tcsC[0]} vs ramped ${ramped.tcsC[0]}`);
    assert.ok(ramped.tcsC[0]! < peakC + 1, "and no longer heating fast");
    for (let step = 30; step < defaultAssumptions.cduRestartS + 60; step++) ramped.step();
    assert.equal(ramped.cduInService[0], 2, "both CDUs in service after their restart time");
    assert.ok(Math.abs(ramped.tcsC[0]! - labSite.rows[0]!.tcs.supplySetpoint) < 0.05, `${ramped.tcsC[0]}`);
  });
});

describe("plant: calibrated loop laws (simulate --loop-params)", () => {
  // Phase 1's first plant: its facility pumps leave their minimum speed near full load (the lab's plant is
  // oversized and runs at minimum speed whatever the law).
  const phase1 = loadSite("phase-1").site!;
  const partition = buildPartition(phase1, [0]);

  /** Plant 0's facility and air-side pump power and loop rise after 30 minutes at a constant `load`. */
  function pumps(load: number, assumptions = defaultAssumptions): { facilityKw: number; airKw: number; riseK: number } {
    const constant: RackLoad = { fill: (_timeS, out) => out.fill(load) };
    const kernel = new PartitionKernel(partition, constantWeather(20, 14), constant, [], [], 60, 0, assumptions);
    for (let step = 0; step < 30; step++) kernel.step();
    return {
      facilityKw: kernel.plantPumpKw[0]!,
      airKw: kernel.plantAirPumpKw[0]!,
      riseK: kernel.plantReturnC[0]! - kernel.supplyC[0]!,
    };
  }
  const near = (actual: number, wanted: number, what: string) =>
    assert.ok(Math.abs(actual - wanted) <= 1e-9 * Math.abs(wanted), `${what}: ${actual} against ${wanted}`);

  it("anchors a law at the plant's design point: e = 1, h = 0 is the twin's own law", () => {
    const law = { heatExponent: 1, supplyTracking: 0 };
    for (const load of [0.6, 0.9]) {
      const own = pumps(load);
      const anchored = pumps(load, { ...defaultAssumptions, facilityLoopLaw: law, airLoopLaw: law });
      near(anchored.facilityKw, own.facilityKw, `facility pumps at ${load}`);
      near(anchored.airKw, own.airKw, `air-side pumps at ${load}`);
      near(anchored.riseK, own.riseK, `rise at ${load}`);
    }
  });

  it("follows the law's shape: constant flow (e = 0) keeps the pumps' power and lets the rise follow the heat", () => {
    const constantFlow = { ...defaultAssumptions, facilityLoopLaw: { heatExponent: 0, supplyTracking: 0 } };
    const low = pumps(0.3, constantFlow);
    const high = pumps(0.9, constantFlow);
    near(low.facilityKw, high.facilityKw, "constant flow");
    assert.ok(high.riseK > 1.8 * low.riseK, `rise ${low.riseK} → ${high.riseK} K`);
    // The twin's law moves the flow with the heat, so its pumps draw less below design; a flow growing as
    // heat^0.6 (what the ESIF liquid loop shows) lies between the two.
    const own = pumps(0.9);
    const measured = pumps(0.9, { ...defaultAssumptions, facilityLoopLaw: { heatExponent: 0.6, supplyTracking: 0 } });
    assert.ok(
      own.facilityKw < measured.facilityKw && measured.facilityKw < high.facilityKw,
      `${own.facilityKw} < ${measured.facilityKw} < ${high.facilityKw}`,
    );
    // The air side keeps its own law when only the facility loop's is given.
    near(high.airKw, own.airKw, "air side unchanged");
  });

  it("holds the return when h = 1: a supply raised above the design one lowers the rise, so the pumps move more water", () => {
    const held = { ...defaultAssumptions, facilityLoopLaw: { heatExponent: 1, supplyTracking: 1 } };
    const designC = partition.plants.supplySetpointC[0]!;
    const { scenario } = compile(`events:\n  - { at: 0, setpoint: { fwsSupplyC: ${designC + 4} } }\n`, phase1);
    const run = (events: typeof scenario.events, assumptions = defaultAssumptions) => {
      const constant: RackLoad = { fill: (_timeS, out) => out.fill(0.9) };
      const kernel = new PartitionKernel(
        buildPartition(phase1, [0]),
        constantWeather(20, 14),
        constant,
        events,
        [],
        60,
        0,
        assumptions,
      );
      for (let step = 0; step < 60; step++) kernel.step();
      return { pumpKw: kernel.plantPumpKw[0]!, riseK: kernel.plantReturnC[0]! - kernel.supplyC[0]! };
    };
    // At the design supply the held return is the design rise; 4 K warmer, it takes 4 K off the rise.
    near(run([], held).pumpKw, run([]).pumpKw, "at the design supply");
    const warmHeld = run(scenario.events, held);
    const warmOwn = run(scenario.events);
    assert.ok(warmHeld.pumpKw > warmOwn.pumpKw, `${warmHeld.pumpKw} > ${warmOwn.pumpKw}`);
    assert.ok(warmHeld.riseK < warmOwn.riseK - 2, `rise ${warmHeld.riseK} against ${warmOwn.riseK} K`);
  });
});
