/**
 * The time-stepped physics of one partition (whole cooling plants), from rack utilisation to outdoor air, over
 * typed arrays with no allocation in the step loop. One step, in order:
 *
 * 1. Racks (each one, structure of arrays): IT power from its own utilisation (job activity, `profiles.ts`), idle →
 *    design, for installed racks only; the ExaDigiT RAPS power-conversion chain is reported as losses *inside* IT
 *    (the site's design power is metered at the rack input, EN 50600-4-2).
 * 2. Rows: the technology loop (TCS) takes the liquid share (and rear-door heat); CDUs in service hold the supply
 *    set-point if they can (capacity scales with the temperature difference to facility water, equal to the model's
 *    capacity at its approach, and with the share of design facility-water flow the plant's pumps in service can
 *    move); pumps follow the flow for the design rise (the flow law of `loop.ts`, which the calibration fits to
 *    measured loops), power on the ASHRAE 90.1 part-load curve (`partLoadPower`). The loop's coolant is a
 *    thermal mass solved implicitly, so a lost CDU group heats it within the step's physics. Each rack throttles on
 *    its *own* coolant outlet (supply + its liquid heat over its design flow, set by balancing valves at
 *    commissioning): above its type's envelope (`maxCoolantSupply` + the loop's design rise, what a rack at design
 *    power sees at the highest allowed supply) its *dynamic* power (above idle) falls linearly, to zero
 *    `throttleSpanK` above. A busy rack therefore throttles before an idle one on the same loop (the outlet stands in
 *    for the chip temperature, which rises with power over the cold-plate resistance). A running rack never draws
 *    less than idle: when even idle power leaves its outlet above limit + span, it trips (0 kW) and stays off until
 *    its loop's supply is back below its type's supply limit, then restarts over `rackRestartS`; a second trip within
 *    the hour latches it off until a repair (`rackAutoRestarts`), or, with no failure open in its scope, until the
 *    site's operator restarts its row (`Partition.operatorResponseS`).
 * 3. Halls: UPS losses from the efficiency curve at the load fraction; the air side of `crah` racks goes to the hall
 *    air handlers on facility water, fans on the part-load curve. When they fall short, the hall's air, its racks'
 *    mass and its slab and walls warm (`#hallAirStep`), every rack's inlet with the air, rear doors taking more.
 * 4. Plants: the closed facility water loop (one well-mixed mass at the supply temperature, solved implicitly) takes
 *    the CDU and CRAH heat plus its pumps; dry coolers reject heat in proportion to the initial temperature
 *    difference (return water − air) and fan speed, fans on the part-load curve, so the fan power climbs steeply as
 *    the approach narrows (4 % of heat at design, §6); trim chillers take what the dry coolers cannot, COP from the
 *    curve at refrigerant lift (`condenserApproachK`, `evaporatorApproachK`);
 *    adiabatic pads cool the inlet air by effectiveness × wet-bulb depression and evaporate 1.48 L per kWh of that
 *    cooling; when all of it falls short, the supply temperature rises.
 * 5. Halls again: plant mechanical power shared by heat, transformer no-load and load losses (∝ loading²), grid.
 *
 * Energy closes by construction: every electrical input ends in the TCS, the loop, or the outdoor air, and the
 * loops' temperatures move by exactly what they store. `twin.test.ts` checks it from the recorded series and
 * `racks.test.ts` at every step.
 *
 * `PartitionKernel.step()` is that step, the only copy of the physics: the batch runner (`runPartition`) integrates
 * its per-step figures into series, the live twin (`live.ts`) reads them between steps.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import {
  type Columns,
  carryColumns,
  copyColumns,
  type KernelState,
  type KernelStateMap,
  type UnitLevel,
} from "./carry.ts";
import type { HallTable, Partition, PlantTable, RackTable, RowTable, SegmentTable } from "./layout.ts";
import { anchoredLaw, type FlowLaw, implicitMixedC, type LoopLawShape, pumpSpeed, relativeDemand } from "./loop.ts";
import {
  defaultAssumptions,
  hallEnvelope,
  inletBands,
  inletRecommendedLowC,
  inletRestartC,
  inletThresholdsC,
  inletTripC,
  type PlantAssumptions,
  substationLosses,
} from "./plant.ts";
import type { RackLoad } from "./profiles.ts";
import type { OccupancyRamp, TwinEvent, UnitKind } from "./scenario.ts";
import { copTablePoints, upsTablePoints } from "./tables.ts";
import { secondsPer } from "./time.ts";
import type { Weather } from "./weather.ts";
import { sampleHourly } from "./weather.ts";

/**
 * Outlet temperature above a rack type's limit at which its dynamic power has throttled to zero; above it, with only
 * idle power left, the rack trips (protective shutdown).
 */
export const throttleSpanK = 5;
/**
 * Time for a tripped rack to reach full duty again once its loop is back within limits: servers re-POST, the fabric
 * and the GPUs initialise and the jobs resume from their checkpoints, as a linear ramp like a repaired CDU's
 * (`rampToward`). 10 min is the order NVIDIA's DGX GB200 rack reboot sequence implies (user guide, "Rack Reboot
 * Sequence": 3–5 min for the power shelves to discharge, 2 min for the trays' BMCs, then the NVLink switch trays
 * before the compute trays boot), before any job restart; a site with slower recovery should read tripped hours as
 * a lower bound.
 */
export const rackRestartS = 600;
/**
 * Automatic restarts a tripped rack gets within `rackAutoRestartWindowS` of its first trip; the trip after them
 * latches it: it stays off until a repair in its scope ends the failure (`#releaseLatched`), or the site's operator
 * restarts its row when no failure is open there (`#operatorRound`). Servers do not cycle
 * after a thermal shutdown: a critical-temperature shutdown is a hardware power-off that leaves the server off "until
 * directed to power on" (HPE iLO 5 user guide, "Using the power and thermal features"; its Auto Power-On setting
 * acts only when AC power returns), and a BMC that powers on again once the temperature recovers does so only when
 * told to (openUBMC's "high temperature recovery auto power-on" flag). One automatic retry stands for a facility or
 * BMC policy that restarts once after a transient (a pump's failover); a second trip within the hour says the cause
 * persists, and operators stop servers flapping on and off rather than let them cycle (an assumption, not a
 * standard: ASHRAE TC9.9 gives envelopes, not restart rules).
 */
export const rackAutoRestarts = 1;
/** Window from a rack's first trip within which `rackAutoRestarts` counts its automatic restarts, seconds. */
export const rackAutoRestartWindowS = 3600;
/** Pumps and CRAH fans keep a minimum speed for control and even distribution. */
export const minimumSpeed = 0.3;
/** Heat held by a cubic metre of hall air per kelvin, kJ/(m³·K): ρ 1.2 kg/m³ × c_p 1.006 kJ/(kg·K), about 20 °C. */
const airKjPerM3K = 1.2 * 1.006;
/** Air temperature rise through a dry cooler at design (sizes its air flow, hence the adiabatic water use). */
export const dryCoolerAirRiseK = 10;
/** Water evaporated per kWh of heat taken up by evaporation (latent heat about 2.43 MJ/kg, §6: 1.48 L/kWh). */
export const litersPerEvaporatedKwh = 1.48;
/** ExaDigiT RAPS conversion chain: node (P + 13 W) / 0.98, rectifier (P + 17 W) / 0.96, per server. */
const conversionEfficiency = 0.98 * 0.96;
const conversionFixedKwPerServer = 0.017 * 0.98 + 0.013;
/**
 * Power of a variable-speed fan or pump at `speed` (flow fraction), as a fraction of its design power: the ASHRAE
 * 90.1 Appendix G part-load curve for variable-speed fans (Table G3.1.3.15, Method 2),
 * 0.0013 + 0.1470·x + 0.9506·x² − 0.0998·x³. At half flow it gives 0.30, the most §6.5.4.2 allows a variable-flow
 * pump to draw at 50 % flow: system static head and motor/drive losses keep part-load power well above the
 * pure cube law (0.125 at half flow, 0.027 at the 30 % minimum speed, where this curve gives 0.13).
 */
export function partLoadPower(speed: number): number {
  return 0.0013 + speed * (0.147 + speed * (0.9506 - 0.0998 * speed));
}
/**
 * Trim chillers: the lift their COP curve reads is refrigerant lift, condensing minus evaporating temperature. An
 * air-cooled condenser condenses about 10–15 K above the entering air (12 K taken); a flooded or plate evaporator
 * evaporates about 1–3 K below the leaving chilled water (2 K taken), per typical AHRI 550/590 selections.
 */
export const condenserApproachK = 12;
/** Evaporating temperature below the chilled-water leaving temperature, K (see `condenserApproachK`). */
export const evaporatorApproachK = 2;
/**
 * Electrical rooms run on outdoor air (fans only) while the outdoor dry bulb is at least this far below their supply
 * air; above, their DX compressors run.
 */
export const economiserMarginK = 3;
/** How often occupancy ramps advance. */
const rampIntervalS = 900;

/** Per-hall series fields: interval means in kW unless the name says otherwise. */
export const hallFields = [
  "itKw",
  "conversionLossKw",
  "upsLossKw",
  "transformerLossKw",
  "substationLossKw",
  "houseKw",
  "electricalCoolingKw",
  "cduPumpKw",
  "crahFanKw",
  "plantShareKw",
  "gridKw",
  "maxTcsSupplyC",
  "gpuHours",
  "throttledGpuHours",
  "throttledRackHours",
  "trippedRackHours",
  "latchedRackHours",
] as const;
/** Per-plant series fields. Water in litres and stored heat in kWh (since the start) per interval. */
export const plantFields = [
  "heatToLoopKw",
  "dryCoolerHeatKw",
  "chillerHeatKw",
  "chillerPowerKw",
  "dryCoolerFanKw",
  "fwsPumpKw",
  "fwsSupplyC",
  "maxFwsSupplyC",
  "coolerAirC",
  "evaporatedWaterL",
  "makeUpWaterL",
  "storedHeatKwh",
  "directHeatKw",
  "outdoorDryBulbC",
  "outdoorWetBulbC",
  "airSideSupplyC",
  "airSideHeatKw",
  "airSidePumpKw",
  "airSideFanKw",
  "airSideChillerPowerKw",
  "airSideRejectedKw",
] as const;
/** Per-rack series fields (racks on request): interval means. */
export const rackFields = ["utilisation", "powerKw", "tcsSupplyC", "returnC", "throttle"] as const;
/** Columns of `racks.csv` (`--racks all`), one line per rack and series point. */
export const rackCsvHeader = "time,rack,powerKW,utilisation,returnC,throttle";
/** Per-plant fields at the demand interval (10 minutes): grid energy, seconds with chillers, seconds over a limit. */
export const demandFields = ["gridKwh", "chillerSeconds", "limitSeconds"] as const;

const [demandGrid, demandChiller, demandLimit] = [0, 1, 2] as const;

const hallField = Object.fromEntries(hallFields.map((name, index) => [name, index])) as Record<
  (typeof hallFields)[number],
  number
>;
const plantField = Object.fromEntries(plantFields.map((name, index) => [name, index])) as Record<
  (typeof plantFields)[number],
  number
>;

/** Run settings shared by all partitions. Intervals are whole multiples of the step. */
export interface RunSettings {
  readonly stepS: number;
  readonly steps: number;
  readonly seriesIntervalS: number;
  readonly demandIntervalS: number;
  /** Site indexes of the racks whose series are recorded (may be empty). */
  readonly rackIndexes: readonly number[];
  /**
   * Stream every rack's interval means to this CSV file (`rackCsvHeader` columns, no header line) at the series
   * resolution; `rackIds` are the site's rack ids. Nothing per rack is kept beyond one interval.
   */
  readonly racksCsv?: { readonly path: string; readonly rackIds: readonly string[] };
  /** Simulated time of the first step, seconds after the start of the typical year (default 0, 1 January). */
  readonly startS?: number;
  /** Plant figures beyond the site file (default `defaultAssumptions`). */
  readonly assumptions?: PlantAssumptions;
}

/** What a partition hands back: columnar series as flat arrays, indexed [field][entity][point]. */
export interface PartitionResult {
  readonly plantGlobal: Int32Array;
  readonly hallGlobal: Int32Array;
  readonly points: number;
  readonly hallSeries: Float64Array;
  readonly plantSeries: Float64Array;
  readonly demandPoints: number;
  readonly plantDemand: Float64Array;
  /** Site indexes of the recorded racks in this partition, and their series [field][rack][point]. */
  readonly rackGlobal: Int32Array;
  readonly rackSeries: Float64Array;
  /** Rack-steps computed: racks of the partition × steps. */
  readonly rackSteps: number;
  /** Hours racks spent throttled over the run, by site rack type index (shorter when the last types are absent). */
  readonly typeThrottledRackHours: Float64Array;
  /** Hours racks spent tripped (off) over the run, by site rack type index (as `typeThrottledRackHours`). */
  readonly typeTrippedRackHours: Float64Array;
  /** Of those, hours racks spent latched off, by site rack type index (as `typeThrottledRackHours`). */
  readonly typeLatchedRackHours: Float64Array;
  /** Busy rack-hours lost to throttling and trips over the run, by site rack type index (see the kernel's field). */
  readonly typeLostBusyRackHours: Float64Array;
  /** Server inlet rack-seconds per rack type (site type index), `inletBands` each (see `PartitionKernel.inlet…`). */
  readonly inletRackSeconds: Float64Array;
}

/** Number of series points and demand intervals for run settings. */
function pointCounts(settings: RunSettings): { points: number; demandPoints: number } {
  const durationS = settings.steps * settings.stepS;
  return {
    points: Math.ceil(durationS / settings.seriesIntervalS),
    demandPoints: Math.ceil(durationS / settings.demandIntervalS),
  };
}

function localIndex(global: Int32Array): Map<number, number> {
  return new Map<number, number>(Array.from(global, (value, local) => [value, local]));
}

/** Events and ramps of a scenario translated to this partition's local indexes (others dropped). */
function localise(
  partition: Partition,
  events: readonly TwinEvent[],
  ramps: readonly OccupancyRamp[],
): { events: TwinEvent[]; ramps: { ramp: OccupancyRamp; segments: Int32Array }[] } {
  const rows = localIndex(partition.rows.globalIndex);
  const halls = localIndex(partition.halls.globalIndex);
  const plants = localIndex(partition.plants.globalIndex);
  const segments = localIndex(partition.segments.globalIndex);
  const local: TwinEvent[] = [];
  for (const event of events) {
    if (event.kind === "unit") {
      const index = (event.unit === "cdu" ? rows : event.unit === "crah" ? halls : plants).get(event.index);
      if (index !== undefined) local.push({ ...event, index });
    } else if (event.kind === "coolantLimit") {
      local.push(event);
    } else if (event.kind === "restartRacks") {
      const row = rows.get(event.row);
      if (row !== undefined) local.push({ ...event, row });
    } else {
      const plant = plants.get(event.plant);
      if (plant !== undefined) local.push({ ...event, plant });
    }
  }
  const localRamps = ramps
    .map((ramp) => ({
      ramp,
      segments: Int32Array.from(
        [...ramp.segments].map((segment) => segments.get(segment) ?? -1).filter((segment) => segment >= 0),
      ),
    }))
    .filter((entry) => entry.segments.length > 0);
  return { events: local, ramps: localRamps };
}

function applyEvent(event: TwinEvent, partition: Partition): void {
  const { segments, racks, rows, halls, plants } = partition;
  switch (event.kind) {
    case "unit": {
      const counts = {
        cdu: rows.cduAvailable,
        pump: plants.pumpsAvailable,
        dryCooler: plants.dryCoolersAvailable,
        chiller: plants.chillersAvailable,
        airChiller: plants.airChillersAvailable,
        airPump: plants.airPumpsAvailable,
        crah: halls.crahAvailable,
      }[event.unit];
      counts[event.index] = Math.max(0, counts[event.index]! + event.delta);
      return;
    }
    case "setpoint": {
      const shift = Number.isNaN(event.fwsSupplyC) ? 0 : event.fwsSupplyC - plants.supplySetpointC[event.plant]!;
      if (!Number.isNaN(event.fwsSupplyC)) plants.supplySetpointC[event.plant] = event.fwsSupplyC;
      if (!Number.isNaN(event.classLimitC)) plants.classLimitC[event.plant] = event.classLimitC;
      for (let row = 0; row < rows.count; row++) {
        if (rows.plant[row] !== event.plant) continue;
        // A facility-water shift moves the TCS of rows on facility water; rows on the air side keep theirs.
        if (Number.isNaN(event.tcsSupplyC)) {
          if (rows.airSide[row] === 0) rows.tcsSetpointC[row] = rows.tcsSetpointC[row]! + shift;
        } else {
          rows.tcsSetpointC[row] = event.tcsSupplyC;
        }
      }
      return;
    }
    case "fouling":
      plants.foulingK[event.plant] = event.approachIncreaseK;
      return;
    case "adiabatic":
      plants.adiabaticEnabled[event.plant] = event.enabled ? 1 : 0;
      return;
    case "coolantLimit":
      for (let segment = 0; segment < segments.count; segment++) {
        if (event.typeIndex < 0 || segments.typeIndex[segment] === event.typeIndex) {
          segments.maxCoolantC[segment] = event.maxCoolantSupplyC;
        }
      }
      for (let rack = 0; rack < racks.count; rack++) {
        if (event.typeIndex < 0 || racks.typeIndex[rack] === event.typeIndex) {
          racks.maxCoolantC[rack] = event.maxCoolantSupplyC;
        }
      }
      for (let row = 0; row < rows.count; row++) {
        let lowest = Number.POSITIVE_INFINITY;
        for (let segment = rows.segmentStart[row]!; segment < rows.segmentStart[row + 1]!; segment++) {
          lowest = Math.min(lowest, segments.maxCoolantC[segment]!);
        }
        rows.minimumLimitC[row] = lowest;
      }
      return;
    case "restartRacks":
      // Latching is the kernel's state, not the site's: `PartitionKernel.#apply` restarts the row's racks.
      return;
  }
}

function rampValue(ramp: OccupancyRamp, timeS: number): number {
  if (timeS <= ramp.startS) return timeS < ramp.startS || ramp.endS > ramp.startS ? ramp.from : ramp.to;
  if (timeS >= ramp.endS) return ramp.to;
  return ramp.from + ((ramp.to - ramp.from) * (timeS - ramp.startS)) / (ramp.endS - ramp.startS);
}

/**
 * The rows of each hall that `keep` accepts, as a compressed index: hall h's are `rows[start[h]]` … before
 * `rows[start[h + 1]]`, in ascending row order.
 */
function hallRowIndex(
  rowHall: Int32Array,
  hallCount: number,
  keep: (row: number) => boolean,
): { start: Int32Array; rows: Int32Array } {
  const start = new Int32Array(hallCount + 1);
  for (let row = 0; row < rowHall.length; row++) if (keep(row)) start[rowHall[row]! + 1]!++;
  for (let hall = 0; hall < hallCount; hall++) start[hall + 1]! += start[hall]!;
  const rows = new Int32Array(start[hallCount]!);
  const next = start.slice(0, hallCount);
  for (let row = 0; row < rowHall.length; row++) if (keep(row)) rows[next[rowHall[row]!]!++] = row;
  return { start, rows };
}

/**
 * Moves `current` toward `target` over a step of `dt` seconds: down at once; up at `rate` units per second, set when
 * units return so that every unit repaired together reaches full duty `restartS` after its repair (in parallel).
 */
function rampToward(
  current: Float64Array,
  target: Float64Array,
  rate: Float64Array,
  dt: number,
  restartS: number,
): void {
  for (let index = 0; index < current.length; index++) {
    const goal = target[index]!;
    const now = current[index]!;
    if (goal <= now) {
      current[index] = goal;
      rate[index] = 0;
      continue;
    }
    const perSecond = Math.max(rate[index]!, (goal - now) / restartS);
    rate[index] = perSecond;
    const next = now + perSecond * dt;
    current[index] = next >= goal - 1e-9 ? goal : next;
  }
}

/** Losses of `count` transformers of `unitKw` carrying `loadKw`: no-load plus load losses ∝ loading². */
function transformerLossKw(
  count: number,
  unitKw: number,
  noLoadKw: number,
  loadLossKw: number,
  loadKw: number,
): number {
  const loading = count > 0 ? loadKw / (count * unitKw) : 0;
  return count * (noLoadKw + loadLossKw * loading * loading);
}

/** Tabulated curve lookup: `table[offset + x]` for integer x in 0 … points − 1, linear between, clamped. */
function tableAt(table: Float64Array, offset: number, points: number, x: number): number {
  if (x <= 0) return table[offset]!;
  if (x >= points - 1) return table[offset + points - 1]!;
  const index = Math.floor(x);
  const fraction = x - index;
  return table[offset + index]! * (1 - fraction) + table[offset + index + 1]! * fraction;
}

/**
 * Share f of a rack's *dynamic* power (above idle) left by throttling when its loop supplies coolant at
 * `temperatureC`: 1 while its outlet (supply + `riseKPerKw` × liquid heat) is within `limitC`, then linear to 0 at
 * `throttleSpanK` above. The rack draws idle + f × (power − idle), so its liquid heat is idle liquid + f × dynamic
 * liquid and the outlet falls as it throttles: the fixed point of f = 1 − (T + rise × (idle + f × dynamic) − L)/span
 * is f = (1 − (T + rise × idle − L)/span) / (1 + rise × dynamic/span), capped at 1. Negative (not clamped) when
 * even idle power leaves the outlet above L + span: the rack then trips.
 */
export function rackThrottle(
  temperatureC: number,
  liquidKw: number,
  idleLiquidKw: number,
  limitC: number,
  riseKPerKw: number,
): number {
  if (temperatureC + riseKPerKw * liquidKw <= limitC) return 1;
  const idleRiseK = riseKPerKw * idleLiquidKw;
  const dynamicRiseK = riseKPerKw * (liquidKw - idleLiquidKw);
  const factor = (1 - (temperatureC + idleRiseK - limitC) / throttleSpanK) / (1 + dynamicRiseK / throttleSpanK);
  return Math.min(factor, 1);
}

/**
 * Per-rack arrays the throttle solve reads (unthrottled and idle power, liquid share, outlet limit and rise per kW,
 * and the share of the rack running: 0 tripped, 1 in service, between while it restarts).
 */
interface ThrottleArrays {
  readonly power: Float64Array;
  readonly idleKw: Float64Array;
  readonly tcsShare: Float64Array;
  readonly limitC: Float64Array;
  readonly riseKPerKw: Float64Array;
  readonly running: Float64Array;
}

/**
 * Heat into a row's TCS (racks `first` … `last` − 1) at coolant temperature `temperatureC`, throttled, plus pumps.
 * Each rack's heat does not rise with the temperature: it falls continuously to idle as the rack throttles, then
 * steps down to 0 where the rack would trip, so the solve's residual below still increases.
 */
function throttledHeat(
  first: number,
  last: number,
  temperatureC: number,
  pumpKw: number,
  racks: ThrottleArrays,
): number {
  const { power, idleKw, tcsShare, limitC, riseKPerKw, running } = racks;
  let heat = pumpKw;
  for (let rack = first; rack < last; rack++) {
    const on = running[rack]!;
    if (on === 0) continue;
    const share = tcsShare[rack]!;
    const liquid = power[rack]! * share;
    const idleLiquid = idleKw[rack]! * share;
    const factor = rackThrottle(temperatureC, liquid, idleLiquid, limitC[rack]!, riseKPerKw[rack]!);
    if (factor < 0) continue;
    heat += on * (idleLiquid + factor * (liquid - idleLiquid));
  }
  return heat;
}

/**
 * The TCS temperature at which the implicit step balances with throttling racks, between `lowC` (residual ≤ 0) and
 * `highC` (≥ 0): regula falsi with the Illinois modification, exact on a linear piece, so a few iterations suffice.
 * The residual (stored + removed − heat in, kW) increases with the temperature: stored and removed heat rise with it
 * and heat in never does (`throttledHeat`; a rack that trips is a downward step), so the bracket holds; at a trip's
 * step the solve closes on the temperature where the rack trips.
 */
function throttledTemperature(
  first: number,
  last: number,
  oldC: number,
  facilityC: number,
  pumpKw: number,
  conductance: number,
  capacity: number,
  lowC: number,
  highC: number,
  racks: ThrottleArrays,
): number {
  // One closure per solve (only when racks throttle), so the evaluations below read as the maths does.
  const residualAt = (temperatureC: number) =>
    capacity * (temperatureC - oldC) +
    (temperatureC > facilityC ? conductance * (temperatureC - facilityC) : 0) -
    throttledHeat(first, last, temperatureC, pumpKw, racks);
  let low = lowC;
  let high = highC;
  let lowResidual = residualAt(low);
  let highResidual = residualAt(high);
  if (lowResidual >= 0) return low;
  if (highResidual <= 0) return high;
  let kept = 0;
  for (let iteration = 0; iteration < 100 && high - low > 1e-10; iteration++) {
    const guess = (low * highResidual - high * lowResidual) / (highResidual - lowResidual);
    const residual = residualAt(guess);
    if (residual === 0) return guess;
    if (residual > 0) {
      high = guess;
      highResidual = residual;
      if (kept === 1) lowResidual /= 2;
      kept = 1;
    } else {
      low = guess;
      lowResidual = residual;
      if (kept === -1) highResidual /= 2;
      kept = -1;
    }
  }
  return 0.5 * (low + high);
}

/**
 * Per-rack figures over installed racks (a rack is installed when its position in its segment is within the
 * segment's occupancy, whole racks only), and per row the fixed conversion losses; refreshed when occupancy changes.
 */
function refreshInstalled(
  partition: Partition,
  installedIdleKw: Float64Array,
  installedDynamicKw: Float64Array,
  installedGpus: Float64Array,
  installedFixedKw: Float64Array,
  rowFixedKw: Float64Array,
  installedFlag: Float64Array,
): void {
  const { racks, rows, segments } = partition;
  rowFixedKw.fill(0);
  for (let rack = 0; rack < racks.count; rack++) {
    const installed = racks.installPosition[rack]! <= segments.occupancy[racks.segment[rack]!]! + 1e-12 ? 1 : 0;
    installedFlag[rack] = installed;
    installedIdleKw[rack] = installed * racks.idleKw[rack]!;
    installedDynamicKw[rack] = installed * racks.dynamicKw[rack]!;
    installedGpus[rack] = installed * racks.gpus[rack]!;
    const fixedKw = installed * racks.servers[rack]! * conversionFixedKwPerServer;
    installedFixedKw[rack] = fixedKw;
    rowFixedKw[racks.row[rack]!]! += fixedKw;
  }
  for (let row = 0; row < rows.count; row++) if (rows.rackStart[row + 1] === rows.rackStart[row]) rowFixedKw[row] = 0;
}

/**
 * Each rack's outlet limit (its type's supply limit plus the loop's design rise) and outlet rise per kW of liquid
 * heat at its design flow; refreshed when a scenario changes a coolant limit. A rack with no liquid heat at design
 * (air only) throttles on the supply itself.
 */
function refreshLimits(partition: Partition, limitC: Float64Array, riseKPerKw: Float64Array): void {
  const { racks, rows } = partition;
  for (let rack = 0; rack < racks.count; rack++) {
    const designLiquidKw = (racks.idleKw[rack]! + racks.dynamicKw[rack]!) * racks.tcsShare[rack]!;
    const designRiseK = designLiquidKw > 0 ? rows.designRiseK[racks.row[rack]!]! : 0;
    limitC[rack] = racks.maxCoolantC[rack]! + designRiseK;
    riseKPerKw[rack] = designLiquidKw > 0 ? designRiseK / designLiquidKw : 0;
  }
}

/**
 * Each segment's sum of its installed racks' utilisation min(1, base of its class × level), rack by rack in order
 * (so the same bits as one loop per segment). Four segments are summed side by side: each sum is a chain of
 * dependent additions, and four independent chains keep the core busy while one alone waits on its last addition.
 */
function segmentBusySums(
  level: Float64Array,
  bases: Float64Array,
  profile: Int32Array,
  rackStart: Int32Array,
  installed: Float64Array,
  out: Float64Array,
): void {
  const count = out.length;
  let segment = 0;
  for (; segment + 3 < count; segment += 4) {
    const startA = rackStart[segment]!;
    const startB = rackStart[segment + 1]!;
    const startC = rackStart[segment + 2]!;
    const startD = rackStart[segment + 3]!;
    const baseA = bases[profile[segment]!]!;
    const baseB = bases[profile[segment + 1]!]!;
    const baseC = bases[profile[segment + 2]!]!;
    const baseD = bases[profile[segment + 3]!]!;
    const countA = installed[segment]!;
    const countB = installed[segment + 1]!;
    const countC = installed[segment + 2]!;
    const countD = installed[segment + 3]!;
    const common = Math.min(countA, countB, countC, countD);
    let sumA = 0;
    let sumB = 0;
    let sumC = 0;
    let sumD = 0;
    for (let offset = 0; offset < common; offset++) {
      sumA += Math.min(baseA * level[startA + offset]!, 1);
      sumB += Math.min(baseB * level[startB + offset]!, 1);
      sumC += Math.min(baseC * level[startC + offset]!, 1);
      sumD += Math.min(baseD * level[startD + offset]!, 1);
    }
    // Segments longer than the shortest finish alone.
    for (let rack = startA + common; rack < startA + countA; rack++) sumA += Math.min(baseA * level[rack]!, 1);
    for (let rack = startB + common; rack < startB + countB; rack++) sumB += Math.min(baseB * level[rack]!, 1);
    for (let rack = startC + common; rack < startC + countC; rack++) sumC += Math.min(baseC * level[rack]!, 1);
    for (let rack = startD + common; rack < startD + countD; rack++) sumD += Math.min(baseD * level[rack]!, 1);
    out[segment] = sumA;
    out[segment + 1] = sumB;
    out[segment + 2] = sumC;
    out[segment + 3] = sumD;
  }
  for (; segment < count; segment++) {
    const start = rackStart[segment]!;
    const base = bases[profile[segment]!]!;
    let sum = 0;
    for (let rack = start; rack < start + installed[segment]!; rack++) sum += Math.min(base * level[rack]!, 1);
    out[segment] = sum;
  }
}

/** Volumetric heat capacity of facility water near 30 °C (model/physics.ts): 0.9957 kg/L × 4.178 kJ/(kg·K). */
const waterKjPerLiterK = 0.9957 * 4.178;

/** Per plant, the calibrated law `shape` anchored at the loop's design flow, rise and supply (undefined: none). */
function plantLaws(
  shape: LoopLawShape | undefined,
  designFlowLpm: Float64Array,
  designRiseK: Float64Array,
  designSupplyC: Float64Array,
): readonly (FlowLaw | undefined)[] {
  return Array.from(designFlowLpm, (flowLpm, plant) =>
    anchoredLaw(
      shape,
      (flowLpm / 60) * waterKjPerLiterK * designRiseK[plant]!,
      designRiseK[plant]!,
      designSupplyC[plant]!,
    ),
  );
}

/** Columns `importState` carries itself rather than copying them (a hall's rack mass by heat, an air side's water). */
const carriedApart: ReadonlySet<string> = new Set(["hallMassRiseK", "airSupplyC"]);

/**
 * The typed arrays a partition publishes per rack, row, hall, plant and rack type: the state carried from step to
 * step, what the last step produced, accumulators since the start and the units in service, which the batch
 * recorder, the live twin and tests read between steps. Sized from the layout here, apart from the constants and
 * working arrays the kernel derives for its physics (`PartitionKernel`, which extends it).
 */
class PartitionFigures {
  /**
   * Per rack: share of its unthrottled power it draws, 0–1: idle + throttled dynamic power while it runs (times the
   * share running while it restarts), 0 while tripped.
   */
  readonly throttle: Float64Array;
  /** Per rack: share of the rack running: 1 in service, 0 tripped, between while it restarts (`rackRestartS`). */
  readonly running: Float64Array;
  /**
   * Per rack: 1 while a rack that tripped more often than `rackAutoRestarts` allows within `rackAutoRestartWindowS`
   * stays off, whatever its loop and inlet, until a repair in its row, hall or plant (`#releaseLatched`), an
   * operator's restart of its row (`restartLatched`), or the site's operator response (`#operatorRound`).
   */
  readonly latched: Uint8Array;
  /** Per rack: 1 when installed (its segment's occupancy). */
  readonly installed: Float64Array;
  /** Per rack: outlet temperature above which it throttles, °C. */
  readonly rackLimitC: Float64Array;
  /** Per rack: outlet rise per kW of liquid heat at its design flow, K/kW. */
  readonly rackRiseKPerKw: Float64Array;
  /** Per row: TCS supply temperature, °C. */
  readonly tcsC: Float64Array;
  /** Per row: the TCS temperature its racks saw while throttling within the last step (the supply otherwise), °C. */
  readonly rowThrottleC: Float64Array;
  /** Per plant: facility water supply temperature, °C. */
  readonly supplyC: Float64Array;
  /** Per rack, 0 unless installed: idle power. */
  readonly installedIdleKw: Float64Array;
  /** Per rack, 0 unless installed: design minus idle power. */
  readonly installedDynamicKw: Float64Array;
  /** Per rack, 0 unless installed: GPUs. */
  readonly installedGpus: Float64Array;
  /** Per rack, 0 unless installed: the fixed part of the power-conversion losses of its servers. */
  readonly installedFixedKw: Float64Array;
  /** Per row: the fixed conversion losses of its installed racks. */
  readonly rowFixedKw: Float64Array;
  /** Per row: 1 when some rack throttled in the last step. */
  readonly rowThrottled: Uint8Array;

  /** Per row: heat into the TCS, the racks' liquid share (throttled) and the CDU pumps. */
  readonly rowHeatKw: Float64Array;
  /** Per row: heat the CDUs in service can remove while holding the TCS set-point, at the step's facility supply. */
  readonly rowCduCapacityKw: Float64Array;
  /** Per row: coolant flow of the CDU pumps, L/min. */
  readonly rowFlowLpm: Float64Array;

  /** Per hall: IT power (rack input, conversion losses included). */
  readonly hallItKw: Float64Array;
  /** Per hall: server power supply and rectifier losses, part of IT. */
  readonly hallConversionLossKw: Float64Array;
  /** Per hall: air-side heat of `crah` racks, to the hall air handlers. */
  readonly hallCrahHeatKw: Float64Array;
  /** Per hall: CDU pumps. */
  readonly hallCduPumpKw: Float64Array;
  /** Per hall: air handler fans. */
  readonly hallCrahFanKw: Float64Array;
  /** Per hall: UPS losses. */
  readonly hallUpsLossKw: Float64Array;
  /** Per hall: transformer losses. */
  readonly hallTransformerLossKw: Float64Array;
  /** Per hall: its share of the HV substation's losses (no-load + load losses at its loading). */
  readonly hallSubstationLossKw: Float64Array;
  /** Per hall: house loads (lighting, offices, security, BMS) on its share of the building area. */
  readonly hallHouseKw: Float64Array;
  /** Per hall: cooling of its electrical rooms (UPS and transformer losses): fans, and DX compressors when warm. */
  readonly hallElectricalCoolingKw: Float64Array;
  /** Per hall: its share of the plant's mechanical power (pumps, dry cooler fans, chillers). */
  readonly hallPlantShareKw: Float64Array;
  /** Per hall: drawn from the grid. */
  readonly hallGridKw: Float64Array;
  /** Per hall: highest TCS supply of its rows, °C. */
  readonly hallMaxTcsC: Float64Array;
  /** Per hall: GPU-hours delivered during the step. */
  readonly hallGpuHours: Float64Array;
  /** Per hall: busy GPU-hours lost to throttling and trips during the step. */
  readonly hallThrottledGpuHours: Float64Array;
  /** Per hall: hours its installed racks (every type: GPU, CPU, storage) spent throttled during the step. */
  readonly hallThrottledRackHours: Float64Array;
  /** Per site rack type index: hours its racks spent throttled since the start of the run (what-if by type). */
  readonly typeThrottledRackHours: Float64Array;
  /** Per hall: hours its installed racks spent tripped during the step (a restarting rack by its share still off). */
  readonly hallTrippedRackHours: Float64Array;
  /** Per site rack type index: hours its racks spent tripped since the start of the run. */
  readonly typeTrippedRackHours: Float64Array;
  /**
   * Per hall: hours its installed racks spent latched off during the step (`latched`; part of its tripped hours,
   * counted in the same pass from the same state).
   */
  readonly hallLatchedRackHours: Float64Array;
  /** Per site rack type index: of its tripped hours since the start of the run, those spent latched off. */
  readonly typeLatchedRackHours: Float64Array;
  /**
   * Per site rack type index, since the start: busy rack-hours lost to throttling and trips (utilisation × the share
   * of its dynamic power a rack could not draw × hours): the counterpart of lost GPU-hours for every rack type, CPU
   * and storage racks included, which have no GPUs to count.
   */
  readonly typeLostBusyRackHours: Float64Array;

  /** Per plant: heat into the facility loop (CDUs, air handlers, its own pumps). */
  readonly plantHeatKw: Float64Array;
  /** Per plant: facility water return temperature (supply plus the rise over the loads at the pumps' flow), °C. */
  readonly plantReturnC: Float64Array;
  /** Per plant: facility water pumps. */
  readonly plantPumpKw: Float64Array;
  /** Per plant: heat rejected by the dry coolers. */
  readonly plantDryCoolerHeatKw: Float64Array;
  /** Per plant: heat taken by the trim chillers. */
  readonly plantChillerHeatKw: Float64Array;
  /** Per plant: electrical power of the trim chillers. */
  readonly plantChillerPowerKw: Float64Array;
  /** Per plant: dry cooler fans. */
  readonly plantFanKw: Float64Array;
  /** Per plant: air temperature at the dry cooler coils (after any adiabatic pre-cooling), °C. */
  readonly plantCoolerAirC: Float64Array;
  /** Per plant: heat taken up by evaporation in the adiabatic pads. */
  readonly plantEvaporativeKw: Float64Array;
  /** Per plant: 1 when the adiabatic sprays ran. */
  readonly plantSprays: Float64Array;
  /** Per plant: 1 when some loop, air handler or the facility water was above its limit. */
  readonly plantOverLimit: Float64Array;
  /** Per plant: grid power of its halls. */
  readonly plantGridKw: Float64Array;
  /**
   * Per plant: heat that leaves to the outdoor air without the facility loop: its halls' UPS and transformer losses
   * and their electrical-room cooling power (rejected by the rooms' DX units or economiser), house loads and the
   * substation's losses; and what its halls' envelopes lose beyond normal while they are warm (`hallEnvelopeLossKw`).
   */
  readonly plantDirectHeatKw: Float64Array;
  /**
   * Units in service as the physics sees them (fractional while a repaired unit ramps up; a failure acts at once):
   * per row CDUs, per plant pumps, dry coolers and chillers. The partition's `…Available` arrays are the targets.
   */
  readonly cduInService: Float64Array;
  /** Facility water pumps in service per plant (see `cduInService`). */
  readonly pumpsInService: Float64Array;
  /** Dry coolers in service per plant (see `cduInService`). */
  readonly dryCoolersInService: Float64Array;
  /** Trim chillers in service per plant (see `cduInService`). */
  readonly chillersInService: Float64Array;
  /** Per row: server inlet air of its rear-door racks (the aisle's mixed rear-door leaving air), °C; NaN without. */
  readonly rowRearDoorInletC: Float64Array;
  /**
   * Per hall: server inlet air of its `crah` racks (air handler supply + containment leakage, + `hallAirRiseK` when
   * the air handlers fall short), °C.
   */
  readonly hallCrahInletC: Float64Array;
  /** Air handlers in service per hall (see `cduInService`). */
  readonly crahInService: Float64Array;
  /**
   * Per hall: how far its air is above what the air handlers in service hold, K: 0 while they carry the air-side heat
   * of its `crah` racks, rising when they cannot (failed units, no coil water flow; `#hallAirStep`).
   */
  readonly hallAirRiseK: Float64Array;
  /**
   * Per hall: how far the air-cooled mass of its racks breathing hall air is above what the air handlers hold, K: it
   * trails `hallAirRiseK` while the air warms and keeps the hall off its handlers' supply after a repair until it has
   * given its heat back (`#hallAirStep`).
   */
  readonly hallMassRiseK: Float64Array;
  /**
   * Per hall: how far its floor slab and walls (the envelope's heat-storing layer) are above what the air handlers
   * hold, K: the third, slowest node of `#hallAirStep`, which takes the air's heat while the hall is warm and loses
   * it to the outdoors and the ground.
   */
  readonly hallEnvelopeRiseK: Float64Array;
  /**
   * Per hall, last step: heat its envelope lost to the outdoors and the ground beyond what it loses with the hall at
   * its air handlers' supply (roof from the air, walls and slab from their node), kW; part of `plantDirectHeatKw`.
   */
  readonly hallEnvelopeLossKw: Float64Array;
  /**
   * Per hall, last step: heat the rear doors of its running rear-door racks took from its air beyond their racks' own
   * (the air they breathe is warmer than what they are room-neutral at), kW; onto their rows' loops.
   */
  readonly hallDoorKw: Float64Array;
  /** Air-side chilled-water pumps in service per plant (see `cduInService`). */
  readonly airPumpsInService: Float64Array;
  /** Per plant: air-side chilled-water supply temperature, °C (NaN without an air side). */
  readonly airSupplyC: Float64Array;
  /** Air-side chillers in service per plant (see `cduInService`). */
  readonly airChillersInService: Float64Array;
  /** Per plant: heat into the air-side loop (air handlers and their fans, rear-door rows' CDUs, its pumps). */
  readonly plantAirHeatKw: Float64Array;
  /** Per plant: air-side chilled-water pumps. */
  readonly plantAirPumpKw: Float64Array;
  /** Per plant: air-side free-cooling coil fans. */
  readonly plantAirFanKw: Float64Array;
  /** Per plant: heat the air-side chillers' compressors took (evaporator side). */
  readonly plantAirCompressorHeatKw: Float64Array;
  /** Per plant: electrical power of the air-side chillers' compressors (condenser fans included in their COP). */
  readonly plantAirChillerPowerKw: Float64Array;
  /** Per plant: heat the air side rejected to outdoor air (free cooling, compressor heat and power, coil fans). */
  readonly plantAirRejectedKw: Float64Array;
  /**
   * Per plant, this step: the share of the air side's design flow its pumps can move (at most 1); the air-side
   * rows' CDUs pass heat in proportion.
   */
  readonly airFlowShare: Float64Array;
  /**
   * Per rack type (site type index), `inletBands` accumulators since the start: installed rack-seconds, rack-seconds
   * with the server inlet below 18 °C, then above each of `inletThresholdsC` (ASHRAE TC9.9 recommended, A1–A4).
   */
  readonly inletRackSeconds: Float64Array;
  /**
   * Per plant, this step: the share of the design facility-water flow the pumps in service can move (at most 1).
   * Each CDU's heat transfer scales with it, so losing every pump stops the CDUs' heat removal at once and the small
   * technology loops heat within seconds, instead of the whole facility loop absorbing the heat as if it circulated.
   */
  readonly plantFlowShare: Float64Array;

  /** Every figure sized for `partition`, at its value before the kernel's `#startAt` sets the starting state. */
  constructor(partition: Partition, assumptions: PlantAssumptions) {
    const { segments, racks, rows, halls, plants } = partition;
    this.throttle = new Float64Array(racks.count).fill(1);
    this.running = new Float64Array(racks.count).fill(1);
    this.latched = new Uint8Array(racks.count);
    this.installed = new Float64Array(racks.count);
    this.rackLimitC = new Float64Array(racks.count);
    this.rackRiseKPerKw = new Float64Array(racks.count);
    this.tcsC = new Float64Array(rows.count);
    this.rowThrottleC = new Float64Array(rows.count);
    this.supplyC = new Float64Array(plants.count);
    this.installedIdleKw = new Float64Array(racks.count);
    this.installedDynamicKw = new Float64Array(racks.count);
    this.installedGpus = new Float64Array(racks.count);
    this.installedFixedKw = new Float64Array(racks.count);
    this.rowFixedKw = new Float64Array(rows.count);
    this.rowThrottled = new Uint8Array(rows.count);
    this.rowHeatKw = new Float64Array(rows.count);
    this.rowCduCapacityKw = new Float64Array(rows.count);
    this.rowFlowLpm = new Float64Array(rows.count);
    this.hallItKw = new Float64Array(halls.count);
    this.hallConversionLossKw = new Float64Array(halls.count);
    this.hallCrahHeatKw = new Float64Array(halls.count);
    this.hallCduPumpKw = new Float64Array(halls.count);
    this.hallCrahFanKw = new Float64Array(halls.count);
    this.hallUpsLossKw = new Float64Array(halls.count);
    this.hallTransformerLossKw = new Float64Array(halls.count);
    this.hallSubstationLossKw = new Float64Array(halls.count);
    this.hallHouseKw = Float64Array.from(halls.houseAreaM2, (area) => (area * assumptions.houseWPerM2) / 1000);
    this.hallElectricalCoolingKw = new Float64Array(halls.count);
    this.hallCrahInletC = new Float64Array(halls.count);
    this.crahInService = Float64Array.from(halls.crahAvailable);
    this.hallAirRiseK = new Float64Array(halls.count);
    this.hallMassRiseK = new Float64Array(halls.count);
    this.hallEnvelopeRiseK = new Float64Array(halls.count);
    this.hallEnvelopeLossKw = new Float64Array(halls.count);
    this.hallDoorKw = new Float64Array(halls.count);
    this.airPumpsInService = Float64Array.from(plants.airPumpsAvailable);
    this.cduInService = Float64Array.from(rows.cduAvailable);
    this.pumpsInService = Float64Array.from(plants.pumpsAvailable);
    this.dryCoolersInService = Float64Array.from(plants.dryCoolersAvailable);
    this.chillersInService = Float64Array.from(plants.chillersAvailable);
    this.airChillersInService = Float64Array.from(plants.airChillersAvailable);
    this.airSupplyC = new Float64Array(plants.count);
    this.plantAirHeatKw = new Float64Array(plants.count);
    this.plantAirPumpKw = new Float64Array(plants.count);
    this.plantAirFanKw = new Float64Array(plants.count);
    this.plantAirCompressorHeatKw = new Float64Array(plants.count);
    this.plantAirChillerPowerKw = new Float64Array(plants.count);
    this.plantAirRejectedKw = new Float64Array(plants.count);
    this.airFlowShare = new Float64Array(plants.count).fill(1);
    this.rowRearDoorInletC = new Float64Array(rows.count).fill(Number.NaN);
    let typeCount = 0;
    for (let segment = 0; segment < segments.count; segment++) {
      typeCount = Math.max(typeCount, segments.typeIndex[segment]! + 1);
    }
    this.inletRackSeconds = new Float64Array(typeCount * inletBands);
    this.hallPlantShareKw = new Float64Array(halls.count);
    this.hallGridKw = new Float64Array(halls.count);
    this.hallMaxTcsC = new Float64Array(halls.count);
    this.hallGpuHours = new Float64Array(halls.count);
    this.hallThrottledGpuHours = new Float64Array(halls.count);
    this.hallThrottledRackHours = new Float64Array(halls.count);
    this.typeThrottledRackHours = new Float64Array(
      partition.racks.typeIndex.reduce((most, type) => Math.max(most, type), 0) + 1,
    );
    this.hallTrippedRackHours = new Float64Array(halls.count);
    this.hallLatchedRackHours = new Float64Array(halls.count);
    this.typeTrippedRackHours = new Float64Array(this.typeThrottledRackHours.length);
    this.typeLatchedRackHours = new Float64Array(this.typeThrottledRackHours.length);
    this.typeLostBusyRackHours = new Float64Array(this.typeThrottledRackHours.length);
    this.plantHeatKw = new Float64Array(plants.count);
    this.plantReturnC = new Float64Array(plants.count);
    this.plantPumpKw = new Float64Array(plants.count);
    this.plantDryCoolerHeatKw = new Float64Array(plants.count);
    this.plantChillerHeatKw = new Float64Array(plants.count);
    this.plantChillerPowerKw = new Float64Array(plants.count);
    this.plantFanKw = new Float64Array(plants.count);
    this.plantCoolerAirC = new Float64Array(plants.count);
    this.plantEvaporativeKw = new Float64Array(plants.count);
    this.plantSprays = new Float64Array(plants.count);
    this.plantOverLimit = new Float64Array(plants.count);
    this.plantGridKw = new Float64Array(plants.count);
    this.plantDirectHeatKw = new Float64Array(plants.count);
    this.plantFlowShare = new Float64Array(plants.count).fill(1);
  }
}

/**
 * One partition between steps: the state carried from step to step (utilisation, throttling, loop temperatures) and
 * what the last step produced, as typed arrays. `step()` is the one implementation of the physics, shared by the
 * batch runner (`runPartition` integrates the per-step figures into series) and the live twin (which reads them
 * between steps). Per-step figures are instantaneous, the value during the last step, in kW unless the name says
 * otherwise. The partition's mutable arrays (availability, set-points, occupancy) follow the events as time goes.
 * The arrays it publishes are declared and sized in `PartitionFigures`, which it extends; its own constructor sets
 * up the scenario and derives the physics' constants and working arrays.
 */
export class PartitionKernel extends PartitionFigures {
  /** The tables stepped. */
  readonly partition: Partition;
  /** Length of a step, seconds. */
  readonly stepS: number;
  /** Simulated time of the first step, seconds after the start of the typical year. */
  readonly startS: number;
  /** Steps taken. */
  stepsDone = 0;
  /** Outdoor dry bulb at the middle of the last step. */
  dryBulbC = Number.NaN;
  /** Outdoor wet bulb at the middle of the last step. */
  wetBulbC = Number.NaN;

  /**
   * Per rack (partition order): utilisation, 0–1, the busy share of its dynamic power, as of the last step. Read the
   * property after each step: a step driven by job activity fills the array when it is first read (see `#fillRacks`),
   * so a reference kept from an earlier read may lag.
   */
  get utilisation(): Float64Array {
    if (this.#racksPending) this.#fillRacks(0, this.partition.segments.count);
    return this.#utilisation;
  }
  /** Per rack: what it draws unthrottled (0 when not installed), as of the last step (read as `utilisation`). */
  get rackPowerKw(): Float64Array {
    if (this.#racksPending) this.#fillRacks(0, this.partition.segments.count);
    return this.#rackPowerKw;
  }
  /** Plant figures beyond the site file this kernel runs with. */
  readonly assumptions: PlantAssumptions;

  readonly #load: RackLoad;
  readonly #utilisation: Float64Array;
  readonly #rackPowerKw: Float64Array;
  /**
   * A step driven by job activity sums each segment's utilisation without storing it per rack (the two stores took
   * about a third of the rack pass's time, and the batch run reads neither array): the per-rack arrays then lag until
   * `#fillRacks` computes them, when read, from the step's levels (`#pendingLevel`, unchanged until the next step)
   * and class bases (`#pendingBases`).
   */
  #racksPending = false;
  #pendingLevel: Float64Array | undefined;
  readonly #pendingBases: Float64Array;
  readonly #hourlyDryBulbC: Float64Array;
  readonly #hourlyWetBulbC: Float64Array;
  readonly #firstSampleS: number;
  readonly #events: TwinEvent[];
  readonly #ramps: { ramp: OccupancyRamp; segments: Int32Array }[];
  readonly #rampDone: Uint8Array;
  #nextEvent = 0;
  #nextRampS: number;
  // Per-row constants: pump speed per kW carried by one CDU (flow for the design rise over rated flow), the heat a
  // CDU passes per kelvin between TCS and facility supply (its capacity at its approach), the loop's thermal mass
  // per step (kW per K).
  readonly #rowSpeedPerKw: Float64Array;
  readonly #cduConductanceKwPerK: Float64Array;
  readonly #rowStorageKwPerK: Float64Array;
  // Per-step working arrays.
  readonly #plantHallHeat: Float64Array;
  readonly #plantMechanical: Float64Array;
  readonly #plantHallCount: Float64Array;
  readonly #throttleArrays: ThrottleArrays;
  readonly #hallSubstationNoLoadKw: Float64Array;
  /** Restart rates (units per second) of the CDUs, pumps, dry coolers and chillers returning to service. */
  readonly #restartRates: Float64Array[];
  /** Per rack: the share running it ramps toward (0 while tripped), and its restart rate per second. */
  readonly #runTarget: Float64Array;
  readonly #runRate: Float64Array;
  /** Per rack: when its current trip window began (−∞: none), and its trips within it (`#recordTrip`). */
  readonly #tripWindowStartS: Float64Array;
  readonly #tripsInWindow: Uint8Array;
  /**
   * Per row: when the first of its racks latched off now latched, the alarm the site's operator answers
   * (`Partition.operatorResponseS` later, `#operatorRound`); +∞ while none waits for the operator.
   */
  readonly #rowAlarmS: Float64Array;
  /** Earliest time an operator response falls due (+∞: none), so a step without one costs one comparison. */
  #operatorDueS = Number.POSITIVE_INFINITY;
  /** Per row: racks not fully running (tripped or restarting); and their number in the partition. */
  readonly #rowStopped: Int32Array;
  /** Per segment: its racks' server inlet air at the last step, °C (`#countInlets`), for the restart check. */
  readonly #segmentInletC: Float64Array;
  #stoppedRacks = 0;
  readonly #hallSubstationLoadLossKw: Float64Array;
  /** Per hall: heat its air holds per kelvin (white space × `hallAirHeightM` of air), kJ/K. */
  readonly #hallAirKjPerK: Float64Array;
  /**
   * Per hall: heat its installed racks breathing hall air hold per kelvin (weight × air-cooled share × specific heat),
   * kJ/K, and their conductance to the air (that over `rackMassTimeConstantS`), kW/K; set as racks are installed.
   */
  readonly #hallMassKjPerK: Float64Array;
  readonly #hallMassKwPerK: Float64Array;
  /**
   * Per hall, from its white space and `PlantAssumptions` (`hallEnvelope` in plant.ts): heat its slab and walls
   * store per kelvin, kJ/K; their conductance to the air and from them to the outdoors and ground, and the roof's from
   * the air, kW/K.
   */
  readonly #hallEnvelopeKjPerK: Float64Array;
  readonly #hallEnvelopeKwPerK: Float64Array;
  readonly #hallEnvelopeLossKwPerK: Float64Array;
  readonly #hallRoofKwPerK: Float64Array;
  /**
   * Per rack, the step's scratch on a hall's shortfall path (`#doorConductance`): air its rear door cools per kelvin
   * of hall air rise, kW/K (0 without a door or while tripped); what its rating leaves above its rack's own exhaust
   * heat, kW; and 1 once the door is at its rating this step (`#cappedDoorRise`).
   */
  readonly #doorKwPerK: Float64Array;
  readonly #doorHeadroomKw: Float64Array;
  readonly #doorCapped: Uint8Array;
  /** Per row: drawn power of its racks in the last step, and design power of its installed rear-door racks. */
  readonly #rowDrawnKw: Float64Array;
  readonly #rowRearDoorDesignKw: Float64Array;
  readonly #rowHasRearDoor: Uint8Array;
  /**
   * Per hall, built once from the layout (rows never change hall): its rows are `#hallRows[#hallRowStart[h]]` …
   * before `#hallRowStart[h + 1]`, and its rows holding rear-door racks `#hallDoorRows` from `#hallDoorRowStart`,
   * each in ascending row order (so sums run in the order a scan of every row took). The shortfall path walks these
   * instead of every row of the partition, several times a step.
   */
  readonly #hallRowStart: Int32Array;
  readonly #hallRows: Int32Array;
  readonly #hallDoorRowStart: Int32Array;
  readonly #hallDoorRows: Int32Array;
  /** Per segment: racks installed (its first ones), and its first rack in partition order. */
  readonly #segmentInstalled: Float64Array;
  readonly #segmentRackStart: Int32Array;
  /** Per segment, this step: the sum of its installed racks' utilisation. */
  readonly #segmentBusy: Float64Array;
  /** Per row: CDU pump design power and per plant: dry cooler approach, with the assumptions applied. */
  readonly #cduPumpKw: Float64Array;
  readonly #dryCoolerApproachK: Float64Array;
  /** Per plant: facility water flow for the design power of its racks at the design ΔT, L/min. */
  readonly #plantDesignFlowLpm: Float64Array;
  /** Per plant: air-side chilled-water flow for its design air-side heat at the air side's design ΔT, L/min. */
  readonly #airDesignFlowLpm: Float64Array;
  /**
   * Per plant: the facility and air-side loops' calibrated flow laws (`PlantAssumptions.facilityLoopLaw`,
   * `airLoopLaw`) anchored at the plant's design point; undefined where the twin's design-rise law applies.
   */
  readonly #facilityLaws: readonly (FlowLaw | undefined)[];
  readonly #airLaws: readonly (FlowLaw | undefined)[];

  /**
   * A partition ready to step from `startS`: the scenario's changes up to then are the starting configuration, and
   * the loops start at their set-points. Events and ramps use site-wide indexes; those of other partitions are
   * dropped.
   */
  constructor(
    partition: Partition,
    weather: Weather,
    load: RackLoad,
    events: readonly TwinEvent[],
    ramps: readonly OccupancyRamp[],
    stepS: number,
    startS = 0,
    assumptions: PlantAssumptions = defaultAssumptions,
  ) {
    super(partition, assumptions);
    this.partition = partition;
    this.assumptions = assumptions;
    this.stepS = stepS;
    this.startS = startS;
    this.#load = load;
    this.#hourlyDryBulbC = weather.dryBulbC;
    this.#hourlyWetBulbC = weather.wetBulbC;
    this.#firstSampleS = weather.firstSampleS;
    const local = localise(partition, events, ramps);
    this.#events = local.events;
    this.#ramps = local.ramps;
    this.#rampDone = new Uint8Array(local.ramps.length);
    this.#nextRampS = (Math.floor(startS / rampIntervalS) + 1) * rampIntervalS;
    const { segments, racks, rows, halls, plants } = partition;
    this.#utilisation = new Float64Array(racks.count);
    this.#rackPowerKw = new Float64Array(racks.count);
    // One base per profile class (training, inference, office hours).
    this.#pendingBases = new Float64Array(3);
    this.#runTarget = new Float64Array(racks.count).fill(1);
    this.#runRate = new Float64Array(racks.count);
    this.#tripWindowStartS = new Float64Array(racks.count).fill(Number.NEGATIVE_INFINITY);
    this.#tripsInWindow = new Uint8Array(racks.count);
    this.#rowAlarmS = new Float64Array(rows.count).fill(Number.POSITIVE_INFINITY);
    this.#rowStopped = new Int32Array(rows.count);
    this.#segmentInletC = new Float64Array(segments.count);
    this.#throttleArrays = {
      power: this.#rackPowerKw,
      idleKw: this.installedIdleKw,
      tcsShare: racks.tcsShare,
      limitC: this.rackLimitC,
      riseKPerKw: this.rackRiseKPerKw,
      running: this.running,
    };
    this.#hallSubstationNoLoadKw = Float64Array.from(
      halls.substationKva,
      (kva) => hallSubstation(kva, assumptions).noLoadKw,
    );
    this.#hallSubstationLoadLossKw = Float64Array.from(
      halls.substationKva,
      (kva) => hallSubstation(kva, assumptions).loadKw,
    );
    this.#hallMassKjPerK = new Float64Array(halls.count);
    this.#hallMassKwPerK = new Float64Array(halls.count);
    const envelopes = Array.from(halls.whiteSpaceM2, (area) => hallEnvelope(area, assumptions));
    this.#hallEnvelopeKjPerK = Float64Array.from(envelopes, (envelope) => envelope.storedKjPerK);
    this.#hallEnvelopeKwPerK = Float64Array.from(envelopes, (envelope) => envelope.exchangeKwPerK);
    this.#hallEnvelopeLossKwPerK = Float64Array.from(envelopes, (envelope) => envelope.lossKwPerK);
    this.#hallRoofKwPerK = Float64Array.from(envelopes, (envelope) => envelope.roofKwPerK);
    this.#doorKwPerK = new Float64Array(racks.count);
    this.#doorHeadroomKw = new Float64Array(racks.count);
    this.#doorCapped = new Uint8Array(racks.count);
    this.#hallAirKjPerK = Float64Array.from(
      halls.whiteSpaceM2,
      (area) => area * assumptions.hallAirHeightM * airKjPerM3K,
    );
    this.#restartRates = [
      rows.count,
      plants.count,
      plants.count,
      plants.count,
      plants.count,
      plants.count,
      halls.count,
    ].map((n) => new Float64Array(n));
    this.#rowDrawnKw = new Float64Array(rows.count);
    this.#rowRearDoorDesignKw = new Float64Array(rows.count);
    this.#rowHasRearDoor = new Uint8Array(rows.count);
    for (let segment = 0; segment < segments.count; segment++) {
      if (segments.rearDoor[segment] === 1) this.#rowHasRearDoor[segments.row[segment]!] = 1;
    }
    const hallIndex = hallRowIndex(rows.hall, halls.count, () => true);
    this.#hallRowStart = hallIndex.start;
    this.#hallRows = hallIndex.rows;
    const doorIndex = hallRowIndex(rows.hall, halls.count, (row) => this.#rowHasRearDoor[row] === 1);
    this.#hallDoorRowStart = doorIndex.start;
    this.#hallDoorRows = doorIndex.rows;
    this.#segmentInstalled = new Float64Array(segments.count);
    this.#segmentRackStart = new Int32Array(segments.count).fill(-1);
    this.#segmentBusy = new Float64Array(segments.count);
    for (let rack = racks.count - 1; rack >= 0; rack--) this.#segmentRackStart[racks.segment[rack]!] = rack;
    this.#cduPumpKw = Float64Array.from(rows.cduPumpKw, (kw) => kw * assumptions.pumpFanPowerScale);
    this.#dryCoolerApproachK = Float64Array.from(
      plants.dryCoolerApproachK,
      (approach) => assumptions.dryCoolerApproachK ?? approach,
    );
    this.#plantHallHeat = new Float64Array(plants.count);
    this.#plantMechanical = new Float64Array(plants.count);
    this.#plantHallCount = new Float64Array(plants.count);
    const flows = designFlowsLpm(partition);
    this.#plantDesignFlowLpm = flows.facility;
    this.#airDesignFlowLpm = flows.air;
    // A calibrated law keeps the design point (design flow at design heat, rise and supply) and changes the shape.
    this.#facilityLaws = plantLaws(
      assumptions.facilityLoopLaw,
      this.#plantDesignFlowLpm,
      plants.designDeltaTK,
      plants.supplySetpointC,
    );
    this.#airLaws = plantLaws(
      assumptions.airLoopLaw,
      this.#airDesignFlowLpm,
      plants.airDesignDeltaTK,
      plants.airSupplySetpointC,
    );
    for (let hall = 0; hall < halls.count; hall++) this.#plantHallCount[halls.plant[hall]!]! += 1;
    this.#rowSpeedPerKw = Float64Array.from(
      rows.coolantKjPerLiterK,
      (kjPerLiterK, row) => 60 / (kjPerLiterK * rows.designRiseK[row]! * rows.cduRatedFlowLpm[row]!),
    );
    this.#cduConductanceKwPerK = Float64Array.from(rows.cduCapacityKw, (kw, row) => kw / rows.cduApproachK[row]!);
    this.#rowStorageKwPerK = Float64Array.from(rows.heatCapacityKjPerK, (kjPerK) => kjPerK / stepS);
    this.#startAt(startS);
  }

  /**
   * The state at `startS`: the scenario's changes up to then applied as the starting configuration, ramps at their
   * value then, units in service as the scenario left them with no restart under way, loops at their set-points.
   */
  #startAt(startS: number): void {
    const partition = this.partition;
    const { segments, rows, plants } = partition;
    while (this.#nextEvent < this.#events.length && this.#events[this.#nextEvent]!.timeS <= startS) {
      applyEvent(this.#events[this.#nextEvent++]!, partition);
    }
    for (const { ramp, segments: rampSegments } of this.#ramps) {
      const value = rampValue(ramp, startS);
      for (const segment of rampSegments) segments.occupancy[segment] = value;
    }
    this.#refreshInstalled();
    refreshLimits(partition, this.rackLimitC, this.rackRiseKPerKw);
    // Units start as the scenario left them at the start, with no restart under way.
    this.cduInService.set(rows.cduAvailable);
    this.pumpsInService.set(plants.pumpsAvailable);
    this.dryCoolersInService.set(plants.dryCoolersAvailable);
    this.chillersInService.set(plants.chillersAvailable);
    this.airChillersInService.set(plants.airChillersAvailable);
    this.airPumpsInService.set(plants.airPumpsAvailable);
    this.crahInService.set(partition.halls.crahAvailable);
    for (let plant = 0; plant < plants.count; plant++) {
      this.airSupplyC[plant] = plants.airSide[plant] === 1 ? plants.airSupplySetpointC[plant]! : Number.NaN;
    }
    this.tcsC.set(rows.tcsSetpointC);
    this.rowThrottleC.set(rows.tcsSetpointC);
    this.supplyC.set(plants.supplySetpointC);
  }

  /** Simulated time of the next step's start, seconds after the start of the typical year. */
  get timeS(): number {
    return this.startS + this.stepsDone * this.stepS;
  }

  /** Applies events (site-wide indexes) now, before the next step, whatever their time; others' are dropped. */
  applyNow(events: readonly TwinEvent[]): void {
    for (const event of localise(this.partition, events, []).events) this.#apply(event);
  }

  #apply(event: TwinEvent): void {
    applyEvent(event, this.partition);
    if (event.kind === "coolantLimit") refreshLimits(this.partition, this.rackLimitC, this.rackRiseKPerKw);
    if (event.kind === "unit" && event.delta > 0) this.#releaseLatched(event.unit, event.index);
    if (event.kind === "restartRacks") this.restartLatched(event.row);
  }

  /**
   * A trip of rack `rack` at `timeS`: counted in its window (which starts at its first trip and lasts
   * `rackAutoRestartWindowS`); beyond `rackAutoRestarts` automatic restarts in it the rack latches off.
   */
  #recordTrip(rack: number, timeS: number): void {
    if (timeS - this.#tripWindowStartS[rack]! >= rackAutoRestartWindowS) {
      this.#tripWindowStartS[rack] = timeS;
      this.#tripsInWindow[rack] = 0;
    }
    this.#tripsInWindow[rack]!++;
    if (this.#tripsInWindow[rack]! > rackAutoRestarts && this.latched[rack] === 0) {
      this.latched[rack] = 1;
      this.#raiseAlarm(this.partition.racks.row[rack]!, timeS);
    }
  }

  /**
   * A rack of row `row` latched at `timeS`: with an operator response set, the row's alarm starts (unless one is
   * already waiting) and falls due `operatorResponseS` later.
   */
  #raiseAlarm(row: number, timeS: number): void {
    const responseS = this.partition.operatorResponseS;
    if (responseS === null || this.#rowAlarmS[row] !== Number.POSITIVE_INFINITY) return;
    this.#rowAlarmS[row] = timeS;
    if (timeS + responseS < this.#operatorDueS) this.#operatorDueS = timeS + responseS;
  }

  /**
   * The site's operator answers the alarms due by `timeS`: a row whose racks latched with no failure open in their
   * scope (weather, a set-point, fouling) is restarted as an operator's `restartRacks` restarts it
   * (`restartLatched`); they then restart once their loop and inlet are within limits, and latch again if the cause
   * remains. A row with a failure open in its scope waits for the repair, which releases it (`#releaseLatched`):
   * restarting racks onto a loop or into a hall whose unit is still out would only trip them again, and the operator's
   * work there is the repair.
   */
  #operatorRound(timeS: number): void {
    const responseS = this.partition.operatorResponseS!;
    const alarmS = this.#rowAlarmS;
    let dueS = Number.POSITIVE_INFINITY;
    for (let row = 0; row < alarmS.length; row++) {
      const since = alarmS[row]!;
      if (since === Number.POSITIVE_INFINITY) continue;
      if (since + responseS > timeS) {
        dueS = Math.min(dueS, since + responseS);
      } else if (this.#failureOpen(row)) {
        alarmS[row] = Number.POSITIVE_INFINITY;
      } else {
        this.restartLatched(row);
      }
    }
    this.#operatorDueS = dueS;
  }

  /**
   * Whether a unit serving row `row` is out of service now: one of its CDUs, an air handler of its hall, or a pump,
   * dry cooler or chiller of its plant (facility water or air side) — the scopes a repair releases (`#releaseLatched`).
   */
  #failureOpen(row: number): boolean {
    const { rows, halls, plants } = this.partition;
    const hall = rows.hall[row]!;
    const plant = rows.plant[row]!;
    return (
      rows.cduAvailable[row]! < rows.cduInstalled[row]! ||
      halls.crahAvailable[hall]! < halls.crahInstalled[hall]! ||
      plants.pumpsAvailable[plant]! < plants.pumpsInstalled[plant]! ||
      plants.dryCoolersAvailable[plant]! < plants.dryCoolersInstalled[plant]! ||
      plants.chillersAvailable[plant]! < plants.chillersInstalled[plant]! ||
      plants.airPumpsAvailable[plant]! < plants.airPumpsInstalled[plant]! ||
      plants.airChillersAvailable[plant]! < plants.airChillersInstalled[plant]!
    );
  }

  /**
   * A repaired unit ends the failure: the latched racks it serves (a CDU's row, an air handler's hall, a plant unit's
   * plant) may restart once their loop and inlet are within limits, as after a first trip, with a fresh trip window.
   */
  #releaseLatched(unit: UnitKind, index: number): void {
    const rows = this.partition.rows;
    for (let row = 0; row < rows.count; row++) {
      const served =
        unit === "cdu" ? row === index : unit === "crah" ? rows.hall[row] === index : rows.plant[row] === index;
      // The row's racks, as an operator's restart of it releases them.
      if (served) this.restartLatched(row);
    }
  }

  /**
   * An operator restarts the latched racks of row `row` (partition index): they restart as after a first trip, once
   * their loop and inlet are within limits, with a fresh trip window. Returns how many were latched.
   */
  restartLatched(row: number): number {
    const rackStart = this.partition.rows.rackStart;
    // Whoever restarts the row (an operator, a repair) answers its alarm.
    this.#rowAlarmS[row] = Number.POSITIVE_INFINITY;
    let released = 0;
    for (let rack = rackStart[row]!; rack < rackStart[row + 1]!; rack++) {
      if (this.latched[rack] === 0) continue;
      this.#release(rack);
      released++;
    }
    return released;
  }

  #release(rack: number): void {
    this.latched[rack] = 0;
    this.#tripsInWindow[rack] = 0;
    this.#tripWindowStartS[rack] = Number.NEGATIVE_INFINITY;
  }

  /**
   * The kernel's state between steps, copied: per rack its throttle, trip, latch and restart state; per row its loop
   * (temperatures, last step's heat, capacity and flow) and its operator alarm; per hall its air, rack mass and
   * envelope nodes and last step's figures; per plant its loops' temperatures and last step's figures; every group of
   * units in service with its restart ramp. What `importState` carries into another kernel.
   */
  exportState(): KernelState {
    return {
      timeS: this.timeS,
      racks: copyColumns(this.#rackColumns()),
      rows: copyColumns(this.#rowColumns()),
      halls: copyColumns({ ...this.#hallColumns(), massKjPerK: this.#hallMassKjPerK }),
      plants: copyColumns(this.#plantColumns()),
      units: this.#unitGroups().map((group) => ({
        level: group.level,
        inService: group.inService.slice(),
        available: group.available.slice(),
        rate: group.rate.slice(),
      })),
    };
  }

  /**
   * Takes `state` (another kernel's, `exportState`) between steps, each rack, row, hall and plant from its entry in
   * `map` (-1: it keeps its own). Timers move to this kernel's time base; a hall's rack mass keeps its heat whatever
   * racks came or went; a unit group keeps its shortfall under a restart ramp (not the count: the site or a failure
   * held by an operator sets what is available). Not carried: the per-rack load (this kernel's own, at its time), the
   * accumulators since the start (`type…RackHours`, `inletRackSeconds`: the batch run's, which a live twin does not
   * read), and scenario events and ramps (a live twin has none).
   */
  importState(state: KernelState, map: KernelStateMap): void {
    const shiftS = this.timeS - state.timeS;
    const shift = (values: Float64Array, levelMap: Int32Array) => {
      // Infinite times (no trip window, no alarm) stay so.
      for (let index = 0; index < levelMap.length; index++) if (levelMap[index]! >= 0) values[index]! += shiftS;
    };
    carryColumns(this.#rackColumns(), state.racks, map.racks);
    shift(this.#tripWindowStartS, map.racks);
    carryColumns(this.#rowColumns(), state.rows, map.rows);
    shift(this.#rowAlarmS, map.rows);
    carryColumns(this.#hallColumns(), state.halls, map.halls, carriedApart);
    this.#carryHallMass(state.halls, map.halls);
    carryColumns(this.#plantColumns(), state.plants, map.plants, carriedApart);
    const oldAirC = state.plants.airSupplyC!;
    map.plants.forEach((old, plant) => {
      // A plant with an air side on both sides keeps its chilled water; one gaining it starts at its set-point.
      if (old >= 0 && Number.isFinite(oldAirC[old]) && Number.isFinite(this.airSupplyC[plant])) {
        this.airSupplyC[plant] = oldAirC[old]!;
      }
    });
    const groups = this.#unitGroups();
    if (state.units.length !== groups.length) throw new Error("carried state has other unit groups");
    groups.forEach((group, index) => {
      const old = state.units[index]!;
      const levelMap = map[group.level];
      for (let entity = 0; entity < levelMap.length; entity++) {
        const from = levelMap[entity]!;
        const shortfall = from < 0 ? 0 : old.available[from]! - old.inService[from]!;
        if (shortfall > 0) {
          group.inService[entity] = Math.max(0, group.available[entity]! - shortfall);
          group.rate[entity] = old.rate[from]!;
        } else if (group.inService[entity]! > group.available[entity]!) {
          // A unit held failed since this kernel's last step is out now, as that step would have taken it.
          group.inService[entity] = group.available[entity]!;
          group.rate[entity] = 0;
        }
      }
    });
    this.#settleCarried();
  }

  /** Per rack, by name: what `importState` carries. */
  #rackColumns(): Columns {
    return {
      throttle: this.throttle,
      running: this.running,
      latched: this.latched,
      runTarget: this.#runTarget,
      runRate: this.#runRate,
      tripWindowStartS: this.#tripWindowStartS,
      tripsInWindow: this.#tripsInWindow,
    };
  }

  /** Per row, by name: what `importState` carries. */
  #rowColumns(): Columns {
    return {
      tcsC: this.tcsC,
      rowThrottleC: this.rowThrottleC,
      rowThrottled: this.rowThrottled,
      rowHeatKw: this.rowHeatKw,
      rowCduCapacityKw: this.rowCduCapacityKw,
      rowFlowLpm: this.rowFlowLpm,
      drawnKw: this.#rowDrawnKw,
      alarmS: this.#rowAlarmS,
    };
  }

  /** Per hall, by name: what `importState` carries (`hallMassRiseK` apart: by its heat). */
  #hallColumns(): Columns {
    return {
      hallAirRiseK: this.hallAirRiseK,
      hallMassRiseK: this.hallMassRiseK,
      hallEnvelopeRiseK: this.hallEnvelopeRiseK,
      hallEnvelopeLossKw: this.hallEnvelopeLossKw,
      hallDoorKw: this.hallDoorKw,
      hallItKw: this.hallItKw,
      hallConversionLossKw: this.hallConversionLossKw,
      hallCrahHeatKw: this.hallCrahHeatKw,
      hallCduPumpKw: this.hallCduPumpKw,
      hallCrahFanKw: this.hallCrahFanKw,
      hallUpsLossKw: this.hallUpsLossKw,
      hallTransformerLossKw: this.hallTransformerLossKw,
      hallSubstationLossKw: this.hallSubstationLossKw,
      hallElectricalCoolingKw: this.hallElectricalCoolingKw,
      hallPlantShareKw: this.hallPlantShareKw,
      hallGridKw: this.hallGridKw,
      hallMaxTcsC: this.hallMaxTcsC,
      hallGpuHours: this.hallGpuHours,
      hallThrottledGpuHours: this.hallThrottledGpuHours,
      hallThrottledRackHours: this.hallThrottledRackHours,
      hallTrippedRackHours: this.hallTrippedRackHours,
      hallLatchedRackHours: this.hallLatchedRackHours,
    };
  }

  /** Per plant, by name: what `importState` carries (`airSupplyC` apart: only between two air sides). */
  #plantColumns(): Columns {
    return {
      supplyC: this.supplyC,
      airSupplyC: this.airSupplyC,
      plantFlowShare: this.plantFlowShare,
      airFlowShare: this.airFlowShare,
      plantHeatKw: this.plantHeatKw,
      plantReturnC: this.plantReturnC,
      plantPumpKw: this.plantPumpKw,
      plantDryCoolerHeatKw: this.plantDryCoolerHeatKw,
      plantChillerHeatKw: this.plantChillerHeatKw,
      plantChillerPowerKw: this.plantChillerPowerKw,
      plantFanKw: this.plantFanKw,
      plantCoolerAirC: this.plantCoolerAirC,
      plantEvaporativeKw: this.plantEvaporativeKw,
      plantSprays: this.plantSprays,
      plantOverLimit: this.plantOverLimit,
      plantGridKw: this.plantGridKw,
      plantDirectHeatKw: this.plantDirectHeatKw,
      plantAirHeatKw: this.plantAirHeatKw,
      plantAirPumpKw: this.plantAirPumpKw,
      plantAirFanKw: this.plantAirFanKw,
      plantAirCompressorHeatKw: this.plantAirCompressorHeatKw,
      plantAirChillerPowerKw: this.plantAirChillerPowerKw,
      plantAirRejectedKw: this.plantAirRejectedKw,
    };
  }

  /** The groups of units in service, in `#restartRates` order (`#rampUnits`). */
  #unitGroups(): { level: UnitLevel; inService: Float64Array; available: Float64Array; rate: Float64Array }[] {
    const { rows, halls, plants } = this.partition;
    const rates = this.#restartRates;
    return [
      { level: "rows", inService: this.cduInService, available: rows.cduAvailable, rate: rates[0]! },
      { level: "plants", inService: this.pumpsInService, available: plants.pumpsAvailable, rate: rates[1]! },
      { level: "plants", inService: this.dryCoolersInService, available: plants.dryCoolersAvailable, rate: rates[2]! },
      { level: "plants", inService: this.chillersInService, available: plants.chillersAvailable, rate: rates[3]! },
      {
        level: "plants",
        inService: this.airChillersInService,
        available: plants.airChillersAvailable,
        rate: rates[4]!,
      },
      { level: "plants", inService: this.airPumpsInService, available: plants.airPumpsAvailable, rate: rates[5]! },
      { level: "halls", inService: this.crahInService, available: halls.crahAvailable, rate: rates[6]! },
    ];
  }

  /**
   * Each carried hall's rack mass keeps the heat it held above what the air handlers hold, over this kernel's mass
   * (racks added or removed by the change), as an occupancy change keeps it (`#refreshHallMass`).
   */
  #carryHallMass(halls: Columns, map: Int32Array): void {
    const oldRiseK = halls.hallMassRiseK!;
    const oldKjPerK = halls.massKjPerK!;
    map.forEach((old, hall) => {
      if (old < 0) return;
      const heldKj = oldRiseK[old]! * oldKjPerK[old]!;
      if (oldKjPerK[old] === this.#hallMassKjPerK[hall]) {
        // The same racks: the same rise, to the bit (the heat over the mass may round differently).
        this.hallMassRiseK[hall] = oldRiseK[old]!;
      } else if (this.#hallMassKjPerK[hall]! > 0) {
        this.hallMassRiseK[hall] = heldKj / this.#hallMassKjPerK[hall]!;
      } else {
        this.hallMassRiseK[hall] = 0;
        this.hallAirRiseK[hall]! += heldKj / this.#hallAirKjPerK[hall]!;
      }
    });
  }

  /**
   * What follows from a carried state: rows with a rack below full throttle are marked throttled (their next
   * unthrottled step resets them), the counts of racks not fully running, when the next operator response falls
   * due, and the inlets its racks breathe (the restart check reads them).
   */
  #settleCarried(): void {
    const { racks, rows } = this.partition;
    for (let row = 0; row < rows.count; row++) {
      for (let rack = rows.rackStart[row]!; rack < rows.rackStart[row + 1]!; rack++) {
        if (this.throttle[rack] !== 1) this.rowThrottled[row] = 1;
      }
    }
    this.#rowStopped.fill(0);
    this.#stoppedRacks = 0;
    for (let rack = 0; rack < racks.count; rack++) {
      if (this.running[rack]! < 1) {
        this.#rowStopped[racks.row[rack]!]!++;
        this.#stoppedRacks++;
      }
    }
    const responseS = this.partition.operatorResponseS;
    this.#operatorDueS = Number.POSITIVE_INFINITY;
    if (responseS !== null) {
      for (const sinceS of this.#rowAlarmS) this.#operatorDueS = Math.min(this.#operatorDueS, sinceS + responseS);
    }
    this.#airInlets();
  }

  #refreshInstalled(): void {
    refreshInstalled(
      this.partition,
      this.installedIdleKw,
      this.installedDynamicKw,
      this.installedGpus,
      this.installedFixedKw,
      this.rowFixedKw,
      this.installed,
    );
    const { racks, segments } = this.partition;
    const segmentInstalled = this.#segmentInstalled;
    const rearDoorDesign = this.#rowRearDoorDesignKw;
    segmentInstalled.fill(0);
    rearDoorDesign.fill(0);
    for (let rack = 0; rack < racks.count; rack++) {
      const segment = racks.segment[rack]!;
      const installed = this.installed[rack]!;
      segmentInstalled[segment]! += installed;
      // The step writes the power (and, from job activity, the utilisation) of installed racks only.
      if (installed === 0) {
        this.#rackPowerKw[rack] = 0;
        if (this.#load.levelsAt !== undefined) this.#utilisation[rack] = 0;
      }
      if (segments.rearDoor[segment] === 1) {
        rearDoorDesign[racks.row[rack]!]! += installed * (racks.idleKw[rack]! + racks.dynamicKw[rack]!);
      }
    }
    this.#refreshHallMass();
  }

  /**
   * The thermal mass of each hall's installed racks (all breathe its air), and its conductance to the air. A mass
   * warmer than the air handlers hold keeps its heat as racks come or go (its rise scales inversely with the mass;
   * with no rack left, the hall air takes the heat), so the energy balance holds across an occupancy change.
   */
  #refreshHallMass(): void {
    const { segments, halls } = this.partition;
    const a = this.assumptions;
    const massKjPerK = this.#hallMassKjPerK;
    const massRiseK = this.hallMassRiseK;
    // The heat each hall's mass holds, kJ, in its rise's place until the new mass is known (no allocation in a step).
    for (let hall = 0; hall < halls.count; hall++) massRiseK[hall]! *= massKjPerK[hall]!;
    massKjPerK.fill(0);
    // Every rack breathes the hall air: `crah` racks, and rear-door racks (their doors cool the exhaust, not inlet).
    for (let segment = 0; segment < segments.count; segment++) {
      const airCooledKg = segments.weightKg[segment]! * segments.airCooledShare[segment]!;
      massKjPerK[segments.hall[segment]!]! +=
        this.#segmentInstalled[segment]! * airCooledKg * a.rackSpecificHeatKjPerKgK;
    }
    for (let hall = 0; hall < halls.count; hall++) {
      this.#hallMassKwPerK[hall] = massKjPerK[hall]! / a.rackMassTimeConstantS;
      const heldKj = massRiseK[hall]!;
      if (heldKj === 0) continue;
      if (massKjPerK[hall]! > 0) {
        massRiseK[hall] = heldKj / massKjPerK[hall]!;
      } else {
        this.hallAirRiseK[hall]! += heldKj / this.#hallAirKjPerK[hall]!;
        massRiseK[hall] = 0;
      }
    }
  }

  /**
   * Writes the utilisation and power of the installed racks of segments `first` … `last` − 1 from the last step's
   * levels, as the step's rack pass computes them (the same operations, so the same bits).
   */
  #fillRacks(first: number, last: number): void {
    const level = this.#pendingLevel!;
    const bases = this.#pendingBases;
    const segments = this.partition.segments;
    const utilisation = this.#utilisation;
    const rackPower = this.#rackPowerKw;
    for (let segment = first; segment < last; segment++) {
      const start = this.#segmentRackStart[segment]!;
      const end = start + this.#segmentInstalled[segment]!;
      const idleKw = segments.idleKw[segment]!;
      const dynamicKw = segments.dynamicKw[segment]!;
      const base = bases[segments.profile[segment]!]!;
      for (let rack = start; rack < end; rack++) {
        const busy = Math.min(base * level[rack]!, 1);
        utilisation[rack] = busy;
        rackPower[rack] = idleKw + busy * dynamicKw;
      }
    }
    if (first === 0 && last === segments.count) this.#racksPending = false;
  }

  /**
   * Heat plant `plant` rejected outdoors in the last step, kW: dry coolers, trim chillers (heat and power), their fans,
   * the electrical and house heat it rejects directly, and its air side — the parts results.ts sums as heatRejected.
   */
  plantRejectedKw(plant: number): number {
    return (
      this.plantDryCoolerHeatKw[plant]! +
      this.plantChillerHeatKw[plant]! +
      this.plantChillerPowerKw[plant]! +
      this.plantFanKw[plant]! +
      this.plantDirectHeatKw[plant]! +
      this.plantAirRejectedKw[plant]!
    );
  }

  /** Outlet (return) temperature of rack `rack` (partition order) in the last step, °C. */
  rackOutletC(rack: number): number {
    const racks = this.partition.racks;
    const liquid = this.throttle[rack]! * this.rackPowerKw[rack]! * racks.tcsShare[rack]!;
    return this.rowThrottleC[racks.row[rack]!]! + this.rackRiseKPerKw[rack]! * liquid;
  }

  /** Advances one step: scenario changes due, weather and load at this time, then the physics. No allocation. */
  step(): void {
    const dt = this.stepS;
    const timeS = this.timeS;
    this.#applyDue(timeS, dt);
    const middleS = timeS + dt / 2;
    const dryBulbC = sampleHourly(this.#hourlyDryBulbC, this.#firstSampleS, middleS);
    const wetBulbC = sampleHourly(this.#hourlyWetBulbC, this.#firstSampleS, middleS);
    this.dryBulbC = dryBulbC;
    this.wetBulbC = wetBulbC;
    const fused = this.#rackActivity(timeS);
    this.#beginSums();
    this.#rowsStep(timeS, fused);
    this.#hallsStep(dt);
    this.#plantsStep(dt, dryBulbC, wetBulbC);
    this.#hallsToGrid(dryBulbC);
    this.#countInlets(dt);
    this.stepsDone++;
  }

  /** Scenario changes due by now, occupancy ramps, the operator's round, recovery ramps and rack restarts. */
  #applyDue(timeS: number, dt: number): void {
    const partition = this.partition;
    const segmentTable: SegmentTable = partition.segments;
    // Scenario changes due by now, and occupancy ramps every `rampIntervalS`.
    const events = this.#events;
    while (this.#nextEvent < events.length && events[this.#nextEvent]!.timeS <= timeS) {
      this.#apply(events[this.#nextEvent++]!);
    }
    if (timeS >= this.#nextRampS) {
      const ramps = this.#ramps;
      const rampDone = this.#rampDone;
      let changed = false;
      for (let index = 0; index < ramps.length; index++) {
        const { ramp, segments } = ramps[index]!;
        if (timeS < ramp.startS || rampDone[index] === 1) continue;
        const value = rampValue(ramp, timeS);
        for (const segment of segments) segmentTable.occupancy[segment] = value;
        if (timeS >= ramp.endS) rampDone[index] = 1;
        changed = true;
      }
      if (changed) this.#refreshInstalled();
      this.#nextRampS += rampIntervalS * Math.max(1, Math.ceil((timeS + dt - this.#nextRampS) / rampIntervalS));
    }
    if (timeS >= this.#operatorDueS) this.#operatorRound(timeS);
    this.#rampUnits(dt);
    if (this.#stoppedRacks > 0) this.#restartRacks();
  }

  /**
   * Job activity at `timeS`, and each segment's busy sum (and, from a rack-level load, each rack's power) for the
   * rows; true when the load gives levels and the rack pass fills racks on demand (`#fillRacks`).
   */
  #rackActivity(timeS: number): boolean {
    const partition = this.partition;
    const segmentTable: SegmentTable = partition.segments;
    const segmentRackStart = this.#segmentRackStart;
    const segmentInstalled = this.#segmentInstalled;
    const segmentIdleKw = segmentTable.idleKw;
    const segmentDynamicKw = segmentTable.dynamicKw;
    const segmentProfile = segmentTable.profile;
    const utilisation = this.#utilisation;
    const rackPower = this.#rackPowerKw;
    const segmentBusy = this.#segmentBusy;
    // Job activity alone: the rack pass below computes each installed rack's utilisation from its level.
    const levels = this.#load.levelsAt?.(timeS);
    if (levels === undefined) this.#load.fill(timeS, utilisation);
    const fused = levels !== undefined;
    if (levels !== undefined) {
      this.#pendingLevel = levels.level;
      this.#pendingBases.set(levels.bases);
    }
    this.#racksPending = fused;
    const activityLevel = levels?.level ?? utilisation;
    const classBase = levels?.bases ?? utilisation;

    // Racks: each segment's busy sum (and, from a rack-level load, each rack's power), for the rows below.
    if (fused) {
      segmentBusySums(activityLevel, classBase, segmentProfile, segmentRackStart, segmentInstalled, segmentBusy);
    } else {
      for (let segment = 0; segment < segmentTable.count; segment++) {
        const start = segmentRackStart[segment]!;
        const end = start + segmentInstalled[segment]!;
        const idleKw = segmentIdleKw[segment]!;
        const dynamicKw = segmentDynamicKw[segment]!;
        let busySum = 0;
        for (let rack = start; rack < end; rack++) {
          const busy = utilisation[rack]!;
          rackPower[rack] = idleKw + busy * dynamicKw;
          busySum += busy;
        }
        segmentBusy[segment] = busySum;
      }
    }

    return fused;
  }

  /** Clears the step's hall and plant sums and sets each plant's flow shares from its pumps in service. */
  #beginSums(): void {
    const partition = this.partition;
    const plantTable: PlantTable = partition.plants;
    const plantCount = plantTable.count;
    const pumpsAvailable = this.pumpsInService;
    const pumpRatedFlowLpm = plantTable.pumpRatedFlowLpm;
    const hallIt = this.hallItKw;
    const hallConversion = this.hallConversionLossKw;
    const hallCrahHeat = this.hallCrahHeatKw;
    const hallCduPump = this.hallCduPumpKw;
    const hallMaxTcs = this.hallMaxTcsC;
    const hallGpuHours = this.hallGpuHours;
    const hallLostGpuHours = this.hallThrottledGpuHours;
    const hallThrottledRackHours = this.hallThrottledRackHours;
    const hallTrippedRackHours = this.hallTrippedRackHours;
    const hallLatchedRackHours = this.hallLatchedRackHours;
    const plantHeatIn = this.plantHeatKw;
    const plantOverLimit = this.plantOverLimit;
    const plantGrid = this.plantGridKw;
    const plantDirect = this.plantDirectHeatKw;
    const plantHallHeat = this.#plantHallHeat;
    const plantFlowShare = this.plantFlowShare;
    const plantDesignFlowLpm = this.#plantDesignFlowLpm;
    const airFlowShare = this.airFlowShare;
    const airDesignFlowLpm = this.#airDesignFlowLpm;
    const plantAirHeat = this.plantAirHeatKw;
    hallIt.fill(0);
    hallConversion.fill(0);
    hallCrahHeat.fill(0);
    hallCduPump.fill(0);
    hallMaxTcs.fill(Number.NEGATIVE_INFINITY);
    hallGpuHours.fill(0);
    hallLostGpuHours.fill(0);
    hallThrottledRackHours.fill(0);
    hallTrippedRackHours.fill(0);
    hallLatchedRackHours.fill(0);
    plantHeatIn.fill(0);
    plantHallHeat.fill(0);
    plantOverLimit.fill(0);
    plantGrid.fill(0);
    plantDirect.fill(0);

    plantAirHeat.fill(0);
    for (let plant = 0; plant < plantCount; plant++) {
      const designLpm = plantDesignFlowLpm[plant]!;
      const availableLpm = pumpsAvailable[plant]! * pumpRatedFlowLpm[plant]!;
      plantFlowShare[plant] = designLpm > 0 ? Math.min(1, availableLpm / designLpm) : 1;
      const airDesignLpm = airDesignFlowLpm[plant]!;
      const airAvailableLpm = this.airPumpsInService[plant]! * plantTable.airPumpRatedFlowLpm[plant]!;
      airFlowShare[plant] = airDesignLpm > 0 ? Math.min(1, airAvailableLpm / airDesignLpm) : 1;
    }
  }

  /**
   * Rows: the technology loop, CDUs, every rack's throttle; adds the rows' heat, power and hours to their halls and
   * plants.
   */
  #rowsStep(timeS: number, fused: boolean): void {
    const partition = this.partition;
    const segmentTable: SegmentTable = partition.segments;
    const rowTable: RowTable = partition.rows;
    const rackTable: RackTable = partition.racks;
    const tcsShare = rackTable.tcsShare;
    const rowCount = rowTable.count;
    const rackStart = rowTable.rackStart;
    const rowHall = rowTable.hall;
    const rowPlant = rowTable.plant;
    const cduAvailable = this.cduInService;
    const cduPumpKw = this.#cduPumpKw;
    const cduRatedFlowLpm = rowTable.cduRatedFlowLpm;
    const tcsSetpointC = rowTable.tcsSetpointC;
    const minimumLimitC = rowTable.minimumLimitC;
    const rowSpeedPerKw = this.#rowSpeedPerKw;
    const segmentStart = rowTable.segmentStart;
    const segmentInstalled = this.#segmentInstalled;
    const segmentIdleKw = segmentTable.idleKw;
    const segmentDynamicKw = segmentTable.dynamicKw;
    const segmentTcsShare = segmentTable.tcsShare;
    const segmentGpus = segmentTable.gpusPerRack;
    const cduConductanceKwPerK = this.#cduConductanceKwPerK;
    const rowStorageKwPerK = this.#rowStorageKwPerK;
    const rackPower = this.#rackPowerKw;
    const tcsC = this.tcsC;
    const rowThrottleC = this.rowThrottleC;
    const supplyC = this.supplyC;
    const rowHeatKw = this.rowHeatKw;
    const rowCduCapacityKw = this.rowCduCapacityKw;
    const rowFlowLpm = this.rowFlowLpm;
    const hallCduPump = this.hallCduPumpKw;
    const hallMaxTcs = this.hallMaxTcsC;
    const running = this.running;
    const rowStopped = this.#rowStopped;
    const plantHeatIn = this.plantHeatKw;
    const plantOverLimit = this.plantOverLimit;
    const plantFlowShare = this.plantFlowShare;
    const airFlowShare = this.airFlowShare;
    const airSupplyC = this.airSupplyC;
    const plantAirHeat = this.plantAirHeatKw;
    const rowAirSide = rowTable.airSide;
    const segmentBusy = this.#segmentBusy;
    // Rows: the technology loop, CDUs, every rack's throttle.
    for (let row = 0; row < rowCount; row++) {
      const first = rackStart[row]!;
      const last = rackStart[row + 1]!;
      const plant = rowPlant[row]!;
      const hall = rowHall[row]!;
      // Rear-door rows of a plant with an air side draw from its chilled water, the others from facility water.
      const onAirSide = rowAirSide[row] === 1;
      const facilityC = onAirSide ? airSupplyC[plant]! : supplyC[plant]!;
      // The row's power, liquid heat and busy GPUs from its segments' sums (one rack type each). Racks not installed
      // are the last of each segment and keep power 0 (`#refreshInstalled`).
      let rackHeat = 0;
      let rowPower = 0;
      let rowBusyGpus = 0;
      for (let segment = segmentStart[row]!; segment < segmentStart[row + 1]!; segment++) {
        const busySum = segmentBusy[segment]!;
        const segmentPower =
          segmentInstalled[segment]! * segmentIdleKw[segment]! + busySum * segmentDynamicKw[segment]!;
        rowPower += segmentPower;
        rackHeat += segmentPower * segmentTcsShare[segment]!;
        rowBusyGpus += busySum * segmentGpus[segment]!;
      }
      const stopped = rowStopped[row]! > 0;
      if (stopped) {
        // Tripped or restarting racks draw only their running share (exactly so in the rack pass below).
        if (fused) this.#fillRacks(segmentStart[row]!, segmentStart[row + 1]!);
        for (let rack = first; rack < last; rack++) {
          const offKw = (1 - running[rack]!) * rackPower[rack]!;
          rowPower -= offKw;
          rackHeat -= offKw * tcsShare[rack]!;
        }
      }
      const available = cduAvailable[row]!;
      let pumpKw = 0;
      let flowLpm = 0;
      if (available > 0) {
        const speed = pumpSpeed((rackHeat * rowSpeedPerKw[row]!) / available, minimumSpeed);
        pumpKw = available * cduPumpKw[row]! * partLoadPower(speed);
        flowLpm = available * cduRatedFlowLpm[row]! * speed;
      }
      // The CDU passes heat only as far as facility water flows through it (see `facilityFlowShare`).
      const conductance =
        available * cduConductanceKwPerK[row]! * (onAirSide ? airFlowShare[plant]! : plantFlowShare[plant]!);
      const capacity = rowStorageKwPerK[row]!;
      const oldC = tcsC[row]!;
      const setpointC = tcsSetpointC[row]!;
      const limitC = minimumLimitC[row]!;
      const heatIn = rackHeat + pumpKw;
      let newC: number;
      let removed: number;
      const holdRemoval = heatIn + capacity * (oldC - setpointC);
      const maximumAtSetpoint = setpointC > facilityC ? conductance * (setpointC - facilityC) : 0;
      if (holdRemoval <= 0) {
        removed = 0;
        newC = oldC + heatIn / capacity;
      } else if (holdRemoval <= maximumAtSetpoint) {
        removed = holdRemoval;
        newC = setpointC;
      } else {
        newC = implicitMixedC(oldC, heatIn, conductance, facilityC, capacity);
        removed = newC > facilityC ? conductance * (newC - facilityC) : 0;
        if (removed === 0) newC = oldC + heatIn / capacity;
      }
      // The lowest supply at which some rack throttles: the row's lowest limit bounds it (`#throttleOnsetC`).
      const onsetC = newC > limitC ? this.#throttleOnsetC(row, fused) : limitC;
      const throttling = newC > onsetC || stopped;
      if (throttling) {
        // Some racks throttle: their heat falls as the coolant warms, so the loop settles lower than unthrottled.
        removed = this.#throttledLoop(row, oldC, facilityC, pumpKw, conductance, onsetC, newC);
        newC = tcsC[row]!;
      } else {
        tcsC[row] = newC;
        rowThrottleC[row] = newC;
        rowHeatKw[row] = heatIn;
      }
      rowCduCapacityKw[row] = maximumAtSetpoint;
      rowFlowLpm[row] = flowLpm;
      if (onAirSide) plantAirHeat[plant]! += removed;
      else plantHeatIn[plant]! += removed;
      hallCduPump[hall]! += pumpKw;
      if (newC > hallMaxTcs[hall]!) hallMaxTcs[hall] = newC;
      if (newC > limitC + 1e-9) plantOverLimit[plant] = 1;
      if (throttling) this.#throttledRow(row, first, last, hall, rowThrottleC[row]!, timeS);
      else this.#unthrottledRow(row, first, last, hall, rowPower, rackHeat, rowBusyGpus);
    }
  }

  /**
   * The lowest loop temperature at which some rack of `row` throttles. No rack at or below design power throttles at
   * or below its type's supply limit (its outlet is then within its envelope), so the row's lowest limit is a bound
   * and this exact onset is needed only above it.
   */
  #throttleOnsetC(row: number, fused: boolean): number {
    const rows = this.partition.rows;
    const racks = this.partition.racks;
    if (fused) this.#fillRacks(rows.segmentStart[row]!, rows.segmentStart[row + 1]!);
    const rackLimitC = this.rackLimitC;
    const rackRiseKPerKw = this.rackRiseKPerKw;
    const rackPower = this.#rackPowerKw;
    const tcsShare = racks.tcsShare;
    let onsetC = Number.POSITIVE_INFINITY;
    for (let rack = rows.rackStart[row]!; rack < rows.rackStart[row + 1]!; rack++) {
      const rackOnsetC = rackLimitC[rack]! - rackRiseKPerKw[rack]! * rackPower[rack]! * tcsShare[rack]!;
      if (rackOnsetC < onsetC) onsetC = rackOnsetC;
    }
    return onsetC;
  }

  /** A row where no rack throttles: the row's sums from the segment pass are exact; into its hall. */
  #unthrottledRow(
    row: number,
    first: number,
    last: number,
    hall: number,
    rowPower: number,
    rackHeat: number,
    rowBusyGpus: number,
  ): void {
    if (this.rowThrottled[row] === 1) {
      this.throttle.fill(1, first, last);
      this.rowThrottled[row] = 0;
    }
    this.#rowDrawnKw[row] = rowPower;
    this.hallItKw[hall]! += rowPower;
    this.hallConversionLossKw[hall]! += rowPower * (1 - conversionEfficiency) + this.rowFixedKw[row]!;
    this.hallCrahHeatKw[hall]! += rowPower - rackHeat;
    this.hallGpuHours[hall]! += rowBusyGpus * (this.stepS / secondsPer.h);
  }

  /**
   * The technology loop of a row where some racks throttle (or some are off): their heat falls as the coolant warms,
   * so the loop settles lower than unthrottled (`newC`, from `oldC`). Solves the temperature the racks see within the
   * step (the implicit solution), stores the row's loop temperature, that temperature and its heat, and returns the
   * heat the CDUs removed.
   */
  #throttledLoop(
    row: number,
    oldC: number,
    facilityC: number,
    pumpKw: number,
    conductance: number,
    onsetC: number,
    newC: number,
  ): number {
    const first = this.partition.rows.rackStart[row]!;
    const last = this.partition.rows.rackStart[row + 1]!;
    const capacity = this.#rowStorageKwPerK[row]!;
    const throttleArrays = this.#throttleArrays;
    let heatIn: number;
    let removed: number;
    let throttleC = newC;
    if (newC <= this.partition.rows.tcsSetpointC[row]!) {
      heatIn = throttledHeat(first, last, newC, pumpKw, throttleArrays);
      removed = Math.max(0, heatIn + capacity * (oldC - newC));
    } else {
      const solvedC = throttledTemperature(
        first,
        last,
        oldC,
        facilityC,
        pumpKw,
        conductance,
        capacity,
        Math.min(onsetC, newC),
        newC,
        throttleArrays,
      );
      heatIn = throttledHeat(first, last, solvedC, pumpKw, throttleArrays);
      removed = solvedC > facilityC ? conductance * (solvedC - facilityC) : 0;
      throttleC = solvedC;
    }
    this.tcsC[row] = oldC + (heatIn - removed) / capacity;
    this.rowThrottleC[row] = throttleC;
    this.rowHeatKw[row] = heatIn;
    return removed;
  }

  /**
   * A throttling row's racks: each rack's own factor at the temperature it saw (`throttleC`), trips, and the row's
   * sums into its hall.
   */
  #throttledRow(row: number, first: number, last: number, hall: number, throttleC: number, timeS: number): void {
    const dt = this.stepS;
    const hours = dt / secondsPer.h;
    const partition = this.partition;
    const rackTable: RackTable = partition.racks;
    const tcsShare = rackTable.tcsShare;
    const utilisation = this.#utilisation;
    const rackPower = this.#rackPowerKw;
    const throttle = this.throttle;
    const rackLimitC = this.rackLimitC;
    const rackRiseKPerKw = this.rackRiseKPerKw;
    const rowThrottled = this.rowThrottled;
    const installedGpus = this.installedGpus;
    const installedFixedKw = this.installedFixedKw;
    const hallIt = this.hallItKw;
    const hallConversion = this.hallConversionLossKw;
    const hallCrahHeat = this.hallCrahHeatKw;
    const hallGpuHours = this.hallGpuHours;
    const hallLostGpuHours = this.hallThrottledGpuHours;
    const hallThrottledRackHours = this.hallThrottledRackHours;
    const typeThrottledRackHours = this.typeThrottledRackHours;
    const hallTrippedRackHours = this.hallTrippedRackHours;
    const typeTrippedRackHours = this.typeTrippedRackHours;
    const hallLatchedRackHours = this.hallLatchedRackHours;
    const typeLatchedRackHours = this.typeLatchedRackHours;
    const latched = this.latched;
    const typeLostBusyRackHours = this.typeLostBusyRackHours;
    const running = this.running;
    const rowStopped = this.#rowStopped;
    const installedIdleKw = this.installedIdleKw;
    const rackTypeIndex = this.partition.racks.typeIndex;
    const rowDrawnKw = this.#rowDrawnKw;
    // Every rack's own factor at the temperature it saw.
    let rowIt = 0;
    let rowConversion = 0;
    let rowAirHeat = 0;
    let rowGpuHours = 0;
    let rowLostGpuHours = 0;
    let rowThrottledRacks = 0;
    let rowTrippedRackHours = 0;
    let rowLatchedRackHours = 0;
    for (let rack = first; rack < last; rack++) {
      const power = rackPower[rack]!;
      const idle = installedIdleKw[rack]!;
      const share = tcsShare[rack]!;
      const factor = rackThrottle(throttleC, power * share, idle * share, rackLimitC[rack]!, rackRiseKPerKw[rack]!);
      let on = running[rack]!;
      if (factor < 0 && on > 0 && power > 0) {
        // Even idle power leaves its outlet above limit + span: the rack trips, off until its loop recovers.
        if (on === 1) {
          rowStopped[row]!++;
          this.#stoppedRacks++;
        }
        on = 0;
        running[rack] = 0;
        this.#runTarget[rack] = 0;
        this.#recordTrip(rack, timeS);
      }
      const dynamicShare = Math.max(factor, 0);
      const full = dynamicShare === 1 && on === 1;
      const drawn = full ? power : on * (idle + dynamicShare * (power - idle));
      throttle[rack] = full || power === 0 ? on : drawn / power;
      rowIt += drawn;
      rowConversion += drawn * (1 - conversionEfficiency) + on * installedFixedKw[rack]!;
      rowAirHeat += drawn * (1 - share);
      // Busy GPUs compute on the dynamic power: a throttled rack delivers its share of it, a tripped one nothing.
      const busyGpuHours = installedGpus[rack]! * utilisation[rack]! * hours;
      const delivered = on * dynamicShare;
      rowGpuHours += busyGpuHours * delivered;
      rowLostGpuHours += busyGpuHours * (1 - delivered);
      if (power > 0) {
        typeLostBusyRackHours[rackTypeIndex[rack]!]! += utilisation[rack]! * hours * (1 - delivered);
        if (on > 0 && dynamicShare < 1 && power > idle) {
          rowThrottledRacks++;
          typeThrottledRackHours[rackTypeIndex[rack]!]! += hours;
        }
        if (on < 1) {
          rowTrippedRackHours += (1 - on) * hours;
          typeTrippedRackHours[rackTypeIndex[rack]!]! += (1 - on) * hours;
          // A latched rack is off (it latches as it trips and restarts only once released): tripped, whole.
          if (latched[rack] === 1) {
            rowLatchedRackHours += hours;
            typeLatchedRackHours[rackTypeIndex[rack]!]! += hours;
          }
        }
      }
    }
    rowThrottled[row] = 1;
    rowDrawnKw[row] = rowIt;
    hallIt[hall]! += rowIt;
    hallConversion[hall]! += rowConversion;
    hallCrahHeat[hall]! += rowAirHeat;
    hallGpuHours[hall]! += rowGpuHours;
    hallLostGpuHours[hall]! += rowLostGpuHours;
    hallThrottledRackHours[hall]! += rowThrottledRacks * hours;
    hallTrippedRackHours[hall]! += rowTrippedRackHours;
    hallLatchedRackHours[hall]! += rowLatchedRackHours;
  }

  /** Halls: UPS losses and air handlers; their heat into the plants' loops. */
  #hallsStep(dt: number): void {
    const partition = this.partition;
    const hallTable: HallTable = partition.halls;
    const plantTable: PlantTable = partition.plants;
    const hallCount = hallTable.count;
    const hallPlant = hallTable.plant;
    const upsInstalledKw = hallTable.upsInstalledKw;
    const upsEfficiencyTable = hallTable.upsEfficiencyTable;
    const crahAvailable = this.crahInService;
    const crahUnitKw = hallTable.crahUnitKw;
    const crahFanKw = hallTable.crahFanKw;
    const hallIt = this.hallItKw;
    const hallCrahHeat = this.hallCrahHeatKw;
    const hallCduPump = this.hallCduPumpKw;
    const hallCrahFan = this.hallCrahFanKw;
    const hallAirRiseK = this.hallAirRiseK;
    const hallMassRiseK = this.hallMassRiseK;
    const hallEnvelopeRiseK = this.hallEnvelopeRiseK;
    const hallUpsLoss = this.hallUpsLossKw;
    const plantHeatIn = this.plantHeatKw;
    const plantOverLimit = this.plantOverLimit;
    const plantDirect = this.plantDirectHeatKw;
    const plantHallHeat = this.#plantHallHeat;
    const assumptions = this.assumptions;
    const powerScale = assumptions.pumpFanPowerScale;
    const upsLossScale = assumptions.upsLossScale;
    const plantFlowShare = this.plantFlowShare;
    const airFlowShare = this.airFlowShare;
    const plantAirHeat = this.plantAirHeatKw;
    const plantAirSide = plantTable.airSide;
    // Halls: UPS losses and air handlers.
    for (let hall = 0; hall < hallCount; hall++) {
      const it = hallIt[hall]!;
      const plant = hallPlant[hall]!;
      const efficiency = tableAt(
        upsEfficiencyTable,
        hall * upsTablePoints,
        upsTablePoints,
        (it / upsInstalledKw[hall]!) * 100,
      );
      hallUpsLoss[hall] = (it / efficiency - it) * upsLossScale;
      const airHeat = hallCrahHeat[hall]!;
      this.hallEnvelopeLossKw[hall] = 0;
      this.hallDoorKw[hall] = 0;
      const units = crahAvailable[hall]!;
      // Air handler coils are on the air side's chilled water when the plant has one, and pass heat only as far as
      // that water flows (as the CDUs do, `plantFlowShare`): their full-speed capacity now.
      const onAirSide = plantAirSide[plant] === 1;
      const fullKw = units * crahUnitKw[hall]! * (onAirSide ? airFlowShare[plant]! : plantFlowShare[plant]!);
      let fanKw = 0;
      let removedKw: number;
      const atSupply = hallAirRiseK[hall] === 0 && hallMassRiseK[hall] === 0 && hallEnvelopeRiseK[hall] === 0;
      if ((airHeat <= fullKw && atSupply) || crahUnitKw[hall] === 0) {
        // The units in service carry it (a hall without air handlers passes its air heat straight to the loop).
        if (units > 0 && airHeat > 0) {
          const speed = Math.min(1, Math.max(minimumSpeed, airHeat / fullKw));
          fanKw = units * crahFanKw[hall]! * powerScale * partLoadPower(speed);
        }
        removedKw = airHeat + fanKw;
      } else {
        // They cannot, or the hall is not back at their supply yet (`#hallAirStep`).
        const fullFanKw = units > 0 ? units * crahFanKw[hall]! * powerScale * partLoadPower(1) : 0;
        removedKw = this.#hallAirStep(hall, airHeat + fullFanKw, fullKw, dt);
        if (removedKw >= 0) {
          // Fans at full speed, and the hall's air is warmer than they hold.
          plantOverLimit[plant] = 1;
          fanKw = fullFanKw;
        } else {
          // They hold the air at their supply again, and carry what the still-warm rack mass gives back.
          const loadKw = airHeat + this.#hallAirHold(hall, dt);
          if (units > 0 && loadKw > 0) {
            const speed = Math.min(1, Math.max(minimumSpeed, loadKw / fullKw));
            fanKw = units * crahFanKw[hall]! * powerScale * partLoadPower(speed);
          }
          removedKw = loadKw + fanKw;
        }
      }
      hallCrahFan[hall] = fanKw;
      // What the envelope lost outdoors this step (0 on the ordinary path) leaves without the loops.
      plantDirect[plant]! += this.hallEnvelopeLossKw[hall]!;
      if (onAirSide) plantAirHeat[plant]! += removedKw;
      else plantHeatIn[plant]! += removedKw;
      plantHallHeat[plant]! += it + hallCduPump[hall]! + fanKw;
    }
  }

  /** Plants: facility water loop, pumps, dry coolers, chillers, adiabatic assist, the air side. */
  #plantsStep(dt: number, dryBulbC: number, wetBulbC: number): void {
    const partition = this.partition;
    const plantTable: PlantTable = partition.plants;
    const plantCount = plantTable.count;
    const supplySetpointC = plantTable.supplySetpointC;
    const classLimitC = plantTable.classLimitC;
    const designDeltaTK = plantTable.designDeltaTK;
    const plantHeatCapacity = plantTable.heatCapacityKjPerK;
    const pumpsAvailable = this.pumpsInService;
    const pumpRatedFlowLpm = plantTable.pumpRatedFlowLpm;
    const pumpUnitKw = plantTable.pumpUnitKw;
    const dryCoolersAvailable = this.dryCoolersInService;
    const dryCoolerUnitKw = plantTable.dryCoolerUnitKw;
    const dryCoolerApproachK = this.#dryCoolerApproachK;
    const dryCoolerFanKw = plantTable.dryCoolerFanKw;
    const foulingK = plantTable.foulingK;
    const chillersAvailable = this.chillersInService;
    const chillerUnitKw = plantTable.chillerUnitKw;
    const copTable = plantTable.copTable;
    const adiabaticEnabled = plantTable.adiabaticEnabled;
    const adiabaticEffectiveness = plantTable.adiabaticEffectiveness;
    const adiabaticStartAboveC = plantTable.adiabaticStartAboveC;
    const supplyC = this.supplyC;
    const plantHeatIn = this.plantHeatKw;
    const plantReturnC = this.plantReturnC;
    const plantPumpKw = this.plantPumpKw;
    const plantDryCoolerHeat = this.plantDryCoolerHeatKw;
    const plantChillerHeat = this.plantChillerHeatKw;
    const plantChillerPower = this.plantChillerPowerKw;
    const plantFan = this.plantFanKw;
    const plantCoolerAirC = this.plantCoolerAirC;
    const plantEvaporative = this.plantEvaporativeKw;
    const plantSprays = this.plantSprays;
    const plantOverLimit = this.plantOverLimit;
    const plantMechanical = this.#plantMechanical;
    const assumptions = this.assumptions;
    const powerScale = assumptions.pumpFanPowerScale;
    const copScale = assumptions.copScale;
    const plantDesignFlowLpm = this.#plantDesignFlowLpm;
    const facilityLaws = this.#facilityLaws;
    // Plants: facility water loop, pumps, dry coolers, chillers, adiabatic assist.
    for (let plant = 0; plant < plantCount; plant++) {
      let heatIn = plantHeatIn[plant]!;
      const pumps = pumpsAvailable[plant]!;
      const maximumFlowLpm = pumps * pumpRatedFlowLpm[plant]!;
      let pumpKw = 0;
      let flowLpm = 0;
      if (maximumFlowLpm > 0) {
        const law = facilityLaws[plant];
        const neededLpm =
          law === undefined
            ? (heatIn / (waterKjPerLiterK * designDeltaTK[plant]!)) * 60
            : plantDesignFlowLpm[plant]! * relativeDemand(law, heatIn, supplyC[plant]!);
        const speed = pumpSpeed(neededLpm / maximumFlowLpm, minimumSpeed);
        pumpKw = pumps * pumpUnitKw[plant]! * powerScale * partLoadPower(speed);
        flowLpm = speed * maximumFlowLpm;
      }
      heatIn += pumpKw;
      const waterRiseK = flowLpm > 0 ? heatIn / ((waterKjPerLiterK * flowLpm) / 60) : 0;
      const sprays = adiabaticEnabled[plant]! > 0 && dryBulbC > adiabaticStartAboveC[plant]!;
      const airC = sprays ? dryBulbC - adiabaticEffectiveness[plant]! * (dryBulbC - wetBulbC) : dryBulbC;
      const coolers = flowLpm > 0 ? dryCoolersAvailable[plant]! : 0;
      // Heat the dry coolers pass at full fan speed per kelvin of initial temperature difference (return − air):
      // their rated capacity at the design difference (loop ΔT + approach, plus any fouling).
      const fullConductance =
        (coolers * dryCoolerUnitKw[plant]!) / (designDeltaTK[plant]! + dryCoolerApproachK[plant]! + foulingK[plant]!);
      const chillerCapacity = flowLpm > 0 ? chillersAvailable[plant]! * chillerUnitKw[plant]! : 0;
      const capacity = plantHeatCapacity[plant]! / dt;
      const oldC = supplyC[plant]!;
      const setpointC = supplySetpointC[plant]!;
      const holdRejection = heatIn + capacity * (oldC - setpointC);
      const coolersAtSetpoint = fullConductance * Math.max(0, setpointC + waterRiseK - airC);
      let coolerKw: number;
      let chillerKw: number;
      if (holdRejection <= 0) {
        coolerKw = 0;
        chillerKw = 0;
      } else if (holdRejection <= coolersAtSetpoint) {
        coolerKw = holdRejection;
        chillerKw = 0;
      } else if (holdRejection <= coolersAtSetpoint + chillerCapacity) {
        coolerKw = coolersAtSetpoint;
        chillerKw = holdRejection - coolersAtSetpoint;
      } else {
        chillerKw = chillerCapacity;
        const shortC =
          (capacity * oldC + heatIn - chillerKw - fullConductance * (waterRiseK - airC)) / (capacity + fullConductance);
        coolerKw = fullConductance * Math.max(0, shortC + waterRiseK - airC);
      }
      const newC = oldC + (heatIn - coolerKw - chillerKw) / capacity;
      supplyC[plant] = newC;
      const coolersFull = fullConductance * Math.max(0, newC + waterRiseK - airC);
      const fanSpeed = coolersFull > 0 ? Math.min(1, coolerKw / coolersFull) : 0;
      const fanKw = fanSpeed > 0 ? coolers * dryCoolerFanKw[plant]! * powerScale * partLoadPower(fanSpeed) : 0;
      let chillerPowerKw = 0;
      if (chillerKw > 0) {
        // Refrigerant lift: condensing above the coil air, evaporating below the water it chills.
        const liftK = airC + condenserApproachK - (newC - evaporatorApproachK);
        chillerPowerKw = chillerKw / (copScale * tableAt(copTable, plant * copTablePoints, copTablePoints, liftK));
      }
      plantEvaporative[plant] = sprays
        ? (fanSpeed * coolers * dryCoolerUnitKw[plant]! * (dryBulbC - airC)) / dryCoolerAirRiseK
        : 0;
      plantMechanical[plant] = pumpKw + fanKw + chillerPowerKw + this.#airSideStep(plant, dt, dryBulbC);
      if (newC > classLimitC[plant]!) plantOverLimit[plant] = 1;
      plantHeatIn[plant] = heatIn;
      plantReturnC[plant] = newC + waterRiseK;
      plantPumpKw[plant] = pumpKw;
      plantDryCoolerHeat[plant] = coolerKw;
      plantChillerHeat[plant] = chillerKw;
      plantChillerPower[plant] = chillerPowerKw;
      plantFan[plant] = fanKw;
      plantCoolerAirC[plant] = airC;
      plantSprays[plant] = sprays ? 1 : 0;
    }
  }

  /**
   * The air-side chilled-water loop of `plant` for this step (nothing without one), from the heat the rows and halls
   * put into it; returns its electrical power (pumps, free-cooling fans, compressors). One well-mixed mass at the
   * supply temperature, solved implicitly like the facility loop. The return water first crosses the chillers'
   * free-cooling coils, which pass heat in proportion to (return − outdoor air), each its rated capacity at
   * `freeCoolingDifferenceK`, fans on the part-load curve; the compressors take the rest up to their capacity, COP at
   * refrigerant lift (condensing `condenserApproachK` above the outdoor air, evaporating `evaporatorApproachK` below
   * the supply). When both fall short the loop warms, and with it the server inlet air. Everything it takes, and its
   * compressors' and fans' power, leaves to outdoor air.
   */
  #airSideStep(plant: number, dt: number, airC: number): number {
    const plants = this.partition.plants;
    if (plants.airSide[plant] !== 1) return 0;
    const a = this.assumptions;
    const pumps = this.airPumpsInService[plant]!;
    const maximumFlowLpm = pumps * plants.airPumpRatedFlowLpm[plant]!;
    let heatIn = this.plantAirHeatKw[plant]!;
    let pumpKw = 0;
    let flowLpm = 0;
    if (maximumFlowLpm > 0) {
      const law = this.#airLaws[plant];
      const neededLpm =
        law === undefined
          ? (heatIn / (waterKjPerLiterK * plants.airDesignDeltaTK[plant]!)) * 60
          : this.#airDesignFlowLpm[plant]! * relativeDemand(law, heatIn, this.airSupplyC[plant]!);
      const speed = pumpSpeed(neededLpm / maximumFlowLpm, minimumSpeed);
      pumpKw = pumps * plants.airPumpUnitKw[plant]! * a.pumpFanPowerScale * partLoadPower(speed);
      flowLpm = speed * maximumFlowLpm;
    }
    heatIn += pumpKw;
    const riseK = flowLpm > 0 ? heatIn / ((waterKjPerLiterK * flowLpm) / 60) : 0;
    const units = flowLpm > 0 ? this.airChillersInService[plant]! : 0;
    const freeConductance = units * plants.airFreeCoolingKwPerK[plant]!;
    const compressorCapacity = units * plants.airChillerUnitKw[plant]!;
    const capacity = plants.airHeatCapacityKjPerK[plant]! / dt;
    const oldC = this.airSupplyC[plant]!;
    const setpointC = plants.airSupplySetpointC[plant]!;
    const hold = heatIn + capacity * (oldC - setpointC);
    const freeAtSetpoint = freeConductance * Math.max(0, setpointC + riseK - airC);
    let freeKw: number;
    let compressorKw: number;
    if (hold <= 0) {
      freeKw = 0;
      compressorKw = 0;
    } else if (hold <= freeAtSetpoint) {
      freeKw = hold;
      compressorKw = 0;
    } else if (hold <= freeAtSetpoint + compressorCapacity) {
      freeKw = freeAtSetpoint;
      compressorKw = hold - freeAtSetpoint;
    } else {
      compressorKw = compressorCapacity;
      const shortC =
        (capacity * oldC + heatIn - compressorKw - freeConductance * (riseK - airC)) / (capacity + freeConductance);
      freeKw = freeConductance * Math.max(0, shortC + riseK - airC);
    }
    const newC = oldC + (heatIn - freeKw - compressorKw) / capacity;
    this.airSupplyC[plant] = newC;
    const freeFull = freeConductance * Math.max(0, newC + riseK - airC);
    const fanSpeed = freeFull > 0 ? Math.min(1, freeKw / freeFull) : 0;
    const fanKw =
      fanSpeed > 0 ? units * plants.airChillerFanKw[plant]! * a.pumpFanPowerScale * partLoadPower(fanSpeed) : 0;
    let chillerPowerKw = 0;
    if (compressorKw > 0) {
      const liftK = airC + condenserApproachK - (newC - evaporatorApproachK);
      chillerPowerKw =
        compressorKw / (a.copScale * tableAt(plants.airCopTable, plant * copTablePoints, copTablePoints, liftK));
    }
    this.plantAirHeatKw[plant] = heatIn;
    this.plantAirPumpKw[plant] = pumpKw;
    this.plantAirFanKw[plant] = fanKw;
    this.plantAirCompressorHeatKw[plant] = compressorKw;
    this.plantAirChillerPowerKw[plant] = chillerPowerKw;
    this.plantAirRejectedKw[plant] = freeKw + compressorKw + chillerPowerKw + fanKw;
    return pumpKw + fanKw + chillerPowerKw;
  }

  /**
   * One step of a hall whose air handlers cannot carry its racks' air-side heat (`heatKw`, their fans' at full speed
   * included), or whose air, racks or envelope are still warmer than they hold, from the coils' full-speed capacity
   * at design (`designKw`: units in service × rating × coil water flow share). Returns the heat the coils removed at
   * full speed, kW, or −1 when they can hold the air at their supply this step (nothing changed: `#hallAirHold`).
   *
   * Three lumped nodes, each a rise above what the air handlers hold. As Khankari's loss-of-cooling analysis has it
   * (ASHRAE Transactions 117(1), 2011: the room heats at first at heat ÷ air mass, then, with a time constant set by
   * the heat capacities and the surfaces between them, as the masses follow): the hall's air (white space ×
   * `hallAirHeightM`, well mixed); the air-cooled mass of its installed racks (`#hallMassKjPerK`), which exchanges
   * with the air through `#hallMassKwPerK` (mass ÷ `rackMassTimeConstantS`, each rack's part by its running share:
   * `#massExchangeKwPerK`); and the first 10 cm of its slab and
   * walls (`hallEnvelope` in plant.ts), reached through the surface resistance and losing heat through the walls'
   * and slab's U-values, while the roof loses the air's. The rises are perturbations: what the envelope loses with
   * the hall at its handlers' supply is in the design they carry (not modelled, as before); the extra loss, U·A ×
   * rise, leaves outdoors (`hallEnvelopeLossKw`). All three are solved implicitly together (the mass and envelope
   * eliminated into the air's equation), stable at any step, and the stored heat moves by exactly what comes in
   * minus what the coils, doors and envelope take.
   *
   * At full fan speed a coil passes heat in proportion to entering air − entering water (fixed flows, fixed
   * effectiveness: ε-NTU), which at design is the coil approach + containment leakage + the servers' air rise
   * (about 20 K); air warmer by ΔT lets the units in service carry design × (1 + ΔT / that difference). Rear-door
   * racks breathe the hall air too, and their doors, room-neutral at their water, take ε × the air flow of their
   * running racks × ΔT more from a warmer room (leaving air = air in − ε × (air in − water in)); that heat goes onto
   * their rows' loops (`#doorHeat`), each door up to its rating (`rdhxCapacityKW`, less its rack's own exhaust heat:
   * `#cappedDoorRise`), the rest staying in the air. The lab's hall 1 at full load (120 kW of `crah` racks' air heat,
   * 144 kW of rear-door racks whose doors cool 7.7 kW/K) settles about 10 K up instead of tripping its racks
   * (docs/twin.md). After a repair the masses give their heat back through the air: the coils carry
   * it while they hold the air at their supply (`#hallAirHold`), or the air stays warm until they can; the hall
   * leaves this path only when air, racks and envelope are all back.
   */
  #hallAirStep(hall: number, heatKw: number, designKw: number, dt: number): number {
    const a = this.assumptions;
    const airKwPerK = this.#hallAirKjPerK[hall]! / dt;
    const massKwPerK = this.#hallMassKjPerK[hall]! / dt;
    const exchangeKwPerK = this.#massExchangeKwPerK(hall);
    const envelopeKwPerK = this.#hallEnvelopeKjPerK[hall]! / dt;
    const envelopeExchangeKwPerK = this.#hallEnvelopeKwPerK[hall]!;
    const envelopeLossKwPerK = this.#hallEnvelopeLossKwPerK[hall]!;
    const roofKwPerK = this.#hallRoofKwPerK[hall]!;
    const perK = designKw / (a.crahApproachK + a.containmentRiseK + a.serverAirRiseK);
    const oldAirK = this.hallAirRiseK[hall]!;
    const oldMassK = this.hallMassRiseK[hall]!;
    const oldEnvelopeK = this.hallEnvelopeRiseK[hall]!;
    // Air: storage × (new − old) = heat − design − (perK + roof + doors) × new − exchange × (new − mass new)
    //   − envelope exchange × (new − envelope new);
    // mass: storage × (mass new − mass old) = exchange × (new − mass new);
    // envelope: storage × (env new − env old) = envelope exchange × (new − env new) − loss × env new.
    // Eliminating the mass's and envelope's new rises leaves the air facing each through a series conductance.
    const seriesKwPerK = massKwPerK > 0 ? (exchangeKwPerK * massKwPerK) / (exchangeKwPerK + massKwPerK) : 0;
    const envelopeDenominator = envelopeKwPerK + envelopeExchangeKwPerK + envelopeLossKwPerK;
    // (A hall is never without area, but assumptions without an envelope leave the two nodes of air and racks.)
    const envelopeShare = envelopeDenominator > 0 ? envelopeExchangeKwPerK / envelopeDenominator : 0;
    const envelopeSeriesKwPerK = envelopeShare * (envelopeKwPerK + envelopeLossKwPerK);
    const envelopeGivesKw = envelopeShare * envelopeKwPerK * oldEnvelopeK;
    const numeratorKw = airKwPerK * oldAirK + heatKw - designKw + seriesKwPerK * oldMassK + envelopeGivesKw;
    const otherKwPerK = airKwPerK + perK + roofKwPerK + seriesKwPerK + envelopeSeriesKwPerK;
    // Every conductance is positive, so the sign of the new rise is the numerator's: a hall its handlers hold again
    // (`#hallAirHold`, for the hours its envelope gives its heat back) skips the walk over its rear-door racks.
    if (numeratorKw <= 0) return -1;
    const doorKwPerK = this.#doorConductance(hall);
    let newAirK = numeratorKw / (otherKwPerK + doorKwPerK);
    if (doorKwPerK > 0) newAirK = this.#cappedDoorRise(hall, numeratorKw, otherKwPerK, doorKwPerK, newAirK);
    this.hallAirRiseK[hall] = newAirK;
    if (massKwPerK > 0) {
      this.hallMassRiseK[hall] = (massKwPerK * oldMassK + exchangeKwPerK * newAirK) / (massKwPerK + exchangeKwPerK);
    }
    const newEnvelopeK =
      envelopeDenominator > 0
        ? (envelopeKwPerK * oldEnvelopeK + envelopeExchangeKwPerK * newAirK) / envelopeDenominator
        : 0;
    this.hallEnvelopeRiseK[hall] = newEnvelopeK;
    this.hallEnvelopeLossKw[hall] = roofKwPerK * newAirK + envelopeLossKwPerK * newEnvelopeK;
    if (doorKwPerK > 0) this.#doorHeat(hall, newAirK, dt);
    return designKw + perK * newAirK;
  }

  /**
   * Air per kelvin the doors of hall `hall`'s running rear-door racks cool beyond room-neutral, kW/K, per rack into
   * `#doorKwPerK`: ε × each running rack's air flow (design power over `serverAirRiseK`, the fans' design flow, as
   * `#countInlets` takes it). A tripped rack's fans stop: it moves no air. Each door's headroom (`#doorHeadroomKw`)
   * is its rating less its rack's own exhaust heat this step (drawn power × its air-cooled share). Runs only on a
   * hall's shortfall path.
   */
  #doorConductance(hall: number): number {
    const { rows, racks, segments } = this.partition;
    const a = this.assumptions;
    const perDesignKw = a.rearDoorEffectiveness / a.serverAirRiseK;
    const doorKwPerK = this.#doorKwPerK;
    const headroomKw = this.#doorHeadroomKw;
    const doorRows = this.#hallDoorRows;
    let hallKwPerK = 0;
    for (let entry = this.#hallDoorRowStart[hall]!; entry < this.#hallDoorRowStart[hall + 1]!; entry++) {
      const row = doorRows[entry]!;
      // The step's drawn power: a step driven by job activity leaves the per-rack power to be filled when read.
      if (this.#racksPending) this.#fillRacks(rows.segmentStart[row]!, rows.segmentStart[row + 1]!);
      for (let rack = rows.rackStart[row]!; rack < rows.rackStart[row + 1]!; rack++) {
        const segment = racks.segment[rack]!;
        this.#doorCapped[rack] = 0;
        if (segments.rearDoor[segment] !== 1) {
          doorKwPerK[rack] = 0;
          continue;
        }
        const kwPerK =
          perDesignKw * this.installed[rack]! * this.running[rack]! * (racks.idleKw[rack]! + racks.dynamicKw[rack]!);
        const ownKw = this.throttle[rack]! * this.#rackPowerKw[rack]! * segments.airCooledShare[segment]!;
        doorKwPerK[rack] = kwPerK;
        headroomKw[rack] = Math.max(0, segments.rdhxCapacityKw[segment]! - ownKw);
        hallKwPerK += kwPerK;
      }
    }
    return hallKwPerK;
  }

  /**
   * The hall air's rise `airK` (solved with every door of hall `hall` uncapped) once each door is held to its rating:
   * a door whose extra heat at that rise would pass its headroom takes its headroom instead, and the air, left with
   * the remainder, solves again (`numeratorKw` over `otherKwPerK` plus the uncapped doors' conductance, as
   * `#hallAirStep`), until no door passes. Capping only raises the rise, so each round caps more doors or ends: at
   * most one round per door.
   */
  #cappedDoorRise(hall: number, numeratorKw: number, otherKwPerK: number, doorKwPerK: number, airK: number): number {
    const { rows } = this.partition;
    const kwPerK = this.#doorKwPerK;
    const headroomKw = this.#doorHeadroomKw;
    const capped = this.#doorCapped;
    let cappedKwPerK = 0;
    let cappedKw = 0;
    const doorRows = this.#hallDoorRows;
    const firstEntry = this.#hallDoorRowStart[hall]!;
    const lastEntry = this.#hallDoorRowStart[hall + 1]!;
    let riseK = airK;
    for (;;) {
      let more = false;
      for (let entry = firstEntry; entry < lastEntry; entry++) {
        const row = doorRows[entry]!;
        for (let rack = rows.rackStart[row]!; rack < rows.rackStart[row + 1]!; rack++) {
          if (capped[rack] === 1 || kwPerK[rack] === 0 || kwPerK[rack]! * riseK <= headroomKw[rack]!) continue;
          capped[rack] = 1;
          cappedKwPerK += kwPerK[rack]!;
          cappedKw += headroomKw[rack]!;
          more = true;
        }
      }
      if (!more) return riseK;
      riseK = (numeratorKw - cappedKw) / (otherKwPerK + Math.max(0, doorKwPerK - cappedKwPerK));
    }
  }

  /**
   * The heat the rear doors of hall `hall` took from its air `airRiseK` above room-neutral this step onto their rows'
   * loops, each door the air it cools × the rise up to its headroom (`#cappedDoorRise`): each loop's coolant holds it
   * (its temperature moves by heat × step ÷ its heat capacity, so the energy balance is exact) and its CDUs remove it
   * from the next step.
   */
  #doorHeat(hall: number, airRiseK: number, dt: number): void {
    const rows = this.partition.rows;
    const kwPerK = this.#doorKwPerK;
    const doorRows = this.#hallDoorRows;
    let hallKw = 0;
    for (let entry = this.#hallDoorRowStart[hall]!; entry < this.#hallDoorRowStart[hall + 1]!; entry++) {
      const row = doorRows[entry]!;
      let kw = 0;
      for (let rack = rows.rackStart[row]!; rack < rows.rackStart[row + 1]!; rack++) {
        if (kwPerK[rack] === 0) continue;
        kw += this.#doorCapped[rack] === 1 ? this.#doorHeadroomKw[rack]! : kwPerK[rack]! * airRiseK;
      }
      this.tcsC[row]! += (kw * dt) / rows.heatCapacityKjPerK[row]!;
      this.rowHeatKw[row]! += kw;
      hallKw += kw;
    }
    this.hallDoorKw[hall] = hallKw;
  }

  /**
   * Conductance between hall `hall`'s air and its racks' mass this step, kW/K: each installed rack's part of
   * `#hallMassKwPerK` times its running share. The time constant (`rackMassTimeConstantS`) is the servers' own with
   * their fans moving air through them; a tripped server's fans stop, and what natural convection and conduction
   * still pass is neglected, so a tripped rack keeps its heat until it restarts. All running: the hall's whole figure.
   */
  #massExchangeKwPerK(hall: number): number {
    const fullKwPerK = this.#hallMassKwPerK[hall]!;
    if (this.#stoppedRacks === 0) return fullKwPerK;
    const { rows, racks, segments } = this.partition;
    const perKg = this.assumptions.rackSpecificHeatKjPerKgK / this.assumptions.rackMassTimeConstantS;
    const hallRows = this.#hallRows;
    let stoppedKwPerK = 0;
    for (let entry = this.#hallRowStart[hall]!; entry < this.#hallRowStart[hall + 1]!; entry++) {
      const row = hallRows[entry]!;
      if (this.#rowStopped[row] === 0) continue;
      for (let rack = rows.rackStart[row]!; rack < rows.rackStart[row + 1]!; rack++) {
        const off = this.installed[rack]! * (1 - this.running[rack]!);
        if (off === 0) continue;
        const segment = racks.segment[rack]!;
        stoppedKwPerK += off * segments.weightKg[segment]! * segments.airCooledShare[segment]! * perKg;
      }
    }
    if (stoppedKwPerK === 0) return fullKwPerK;
    // Every rack off leaves the difference of two equal sums: rounding, not a conductance.
    const leftKwPerK = fullKwPerK - stoppedKwPerK;
    return leftKwPerK > 1e-9 * fullKwPerK ? leftKwPerK : 0;
  }

  /**
   * One step of a hall whose air handlers hold its air at their supply again while its racks' mass or its envelope
   * is still warm (`#hallAirStep` returned −1): the air's heat above the supply and what the mass and envelope give
   * it (implicitly, toward the held air; the envelope also loses to the outdoors) go to the coils; returns that heat,
   * kW. A node within a microkelvin gives the rest at once, so the hall is back at its handlers' supply (and on their
   * ordinary path) after a finite time.
   */
  #hallAirHold(hall: number, dt: number): number {
    const airKwPerK = this.#hallAirKjPerK[hall]! / dt;
    const massKwPerK = this.#hallMassKjPerK[hall]! / dt;
    const oldMassK = this.hallMassRiseK[hall]!;
    let givenKw = airKwPerK * this.hallAirRiseK[hall]!;
    this.hallAirRiseK[hall] = 0;
    if (oldMassK > 0) {
      const exchangeKwPerK = this.#massExchangeKwPerK(hall);
      const newMassK = (massKwPerK * oldMassK) / (massKwPerK + exchangeKwPerK);
      const settled = newMassK < 1e-6;
      givenKw += settled ? massKwPerK * oldMassK : exchangeKwPerK * newMassK;
      this.hallMassRiseK[hall] = settled ? 0 : newMassK;
    }
    const oldEnvelopeK = this.hallEnvelopeRiseK[hall]!;
    if (oldEnvelopeK > 0) {
      const envelopeKwPerK = this.#hallEnvelopeKjPerK[hall]! / dt;
      const exchangeKwPerK = this.#hallEnvelopeKwPerK[hall]!;
      const lossKwPerK = this.#hallEnvelopeLossKwPerK[hall]!;
      const newEnvelopeK = (envelopeKwPerK * oldEnvelopeK) / (envelopeKwPerK + exchangeKwPerK + lossKwPerK);
      const settled = newEnvelopeK < 1e-6;
      givenKw += settled ? envelopeKwPerK * oldEnvelopeK : exchangeKwPerK * newEnvelopeK;
      this.hallEnvelopeLossKw[hall] = settled ? 0 : lossKwPerK * newEnvelopeK;
      this.hallEnvelopeRiseK[hall] = settled ? 0 : newEnvelopeK;
    }
    return givenKw;
  }

  /**
   * Heat the halls of plant `plant` hold above what their air handlers hold: their air (`hallAirRiseK`), their
   * racks' air-cooled mass (`hallMassRiseK`) and their slab and walls (`hallEnvelopeRiseK`), kJ.
   */
  hallStoredKj(plant: number): number {
    const halls = this.partition.halls;
    let storedKj = 0;
    for (let hall = 0; hall < halls.count; hall++) {
      if (halls.plant[hall] === plant) {
        storedKj +=
          this.#hallAirKjPerK[hall]! * this.hallAirRiseK[hall]! +
          this.#hallMassKjPerK[hall]! * this.hallMassRiseK[hall]! +
          this.#hallEnvelopeKjPerK[hall]! * this.hallEnvelopeRiseK[hall]!;
      }
    }
    return storedKj;
  }

  /**
   * Units in service move toward the partition's availability: a failure acts at once, a repaired unit returns over
   * its restart time (`PlantAssumptions.…RestartS`), so a loop that overheated recovers at the pace of its units.
   */
  #rampUnits(dt: number): void {
    const { rows, plants } = this.partition;
    const a = this.assumptions;
    const rates = this.#restartRates;
    rampToward(this.cduInService, rows.cduAvailable, rates[0]!, dt, a.cduRestartS);
    rampToward(this.pumpsInService, plants.pumpsAvailable, rates[1]!, dt, a.pumpRestartS);
    rampToward(this.dryCoolersInService, plants.dryCoolersAvailable, rates[2]!, dt, a.dryCoolerRestartS);
    rampToward(this.chillersInService, plants.chillersAvailable, rates[3]!, dt, a.chillerRestartS);
    rampToward(this.airChillersInService, plants.airChillersAvailable, rates[4]!, dt, a.chillerRestartS);
    rampToward(this.airPumpsInService, plants.airPumpsAvailable, rates[5]!, dt, a.pumpRestartS);
    rampToward(this.crahInService, this.partition.halls.crahAvailable, rates[6]!, dt, a.crahRestartS);
  }

  /**
   * Tripped racks: each restarts once its loop's supply is back below its type's supply limit and its inlet below
   * `inletRestartC`, unless latched (`rackAutoRestarts`), and ramps to full duty over `rackRestartS` as repaired units
   * do (`rampToward`); then the per-row counts of racks not fully running. Runs
   * only while some rack is off, so a step without trips never loops over the racks here.
   */
  #restartRacks(): void {
    const racks = this.partition.racks;
    const running = this.running;
    const target = this.#runTarget;
    const rowStopped = this.#rowStopped;
    const segmentInletC = this.#segmentInletC;
    const latched = this.latched;
    for (let rack = 0; rack < racks.count; rack++) {
      if (
        target[rack] === 0 &&
        latched[rack] === 0 &&
        this.tcsC[racks.row[rack]!]! < racks.maxCoolantC[rack]! &&
        segmentInletC[racks.segment[rack]!]! < inletRestartC
      ) {
        target[rack] = 1;
      }
    }
    rampToward(running, target, this.#runRate, this.stepS, rackRestartS);
    rowStopped.fill(0);
    let stopped = 0;
    for (let rack = 0; rack < racks.count; rack++) {
      if (running[rack]! < 1) {
        rowStopped[racks.row[rack]!]!++;
        stopped++;
      }
    }
    this.#stoppedRacks = stopped;
  }

  /**
   * Halls to the grid: plant mechanical power shared by heat; house loads; electrical-room cooling of the UPS and
   * transformer losses (fans, plus DX compressors above the economiser limit, COP from the plant's curve at their
   * lift); hall transformers (no-load + load losses ∝ loading²); the hall's share of the HV substation (same law).
   */
  #hallsToGrid(dryBulbC: number): void {
    const { halls, plants } = this.partition;
    const a = this.assumptions;
    const plantHallHeat = this.#plantHallHeat;
    const plantMechanical = this.#plantMechanical;
    const plantHallCount = this.#plantHallCount;
    const economiser = dryBulbC <= a.electricalRoomAirC - economiserMarginK;
    for (let hall = 0; hall < halls.count; hall++) {
      const plant = halls.plant[hall]!;
      const it = this.hallItKw[hall]!;
      const ups = this.hallUpsLossKw[hall]!;
      const hallHeat = it + this.hallCduPumpKw[hall]! + this.hallCrahFanKw[hall]!;
      // With no heat at all (every rack off), the plant's own consumption is shared equally.
      const share = plantHallHeat[plant]! > 0 ? hallHeat / plantHallHeat[plant]! : 1 / plantHallCount[plant]!;
      const mechanicalShare = share * plantMechanical[plant]!;
      const house = this.hallHouseKw[hall]!;
      const baseKw = it + ups + this.hallCduPumpKw[hall]! + this.hallCrahFanKw[hall]! + mechanicalShare + house;
      let coolingPerKw = a.electricalRoomFanKwPerKw;
      if (!economiser) {
        const liftK = dryBulbC + condenserApproachK - (a.electricalRoomAirC - a.electricalRoomEvaporatorK);
        coolingPerKw += 1 / (a.copScale * tableAt(plants.copTable, plant * copTablePoints, copTablePoints, liftK));
      }
      const count = halls.transformerCount[hall]!;
      const unitKw = halls.transformerUnitKw[hall]!;
      const noLoadKw = halls.transformerNoLoadKw[hall]!;
      const loadLossKw = halls.transformerLoadLossKw[hall]!;
      // The cooling of the transformer losses loads the transformers: a fixed point, converged in three rounds
      // (the cooling is about 5–30 % of 1–2 % of the load).
      let cooling = ups * coolingPerKw;
      let transformerLoss = transformerLossKw(count, unitKw, noLoadKw, loadLossKw, baseKw + cooling);
      for (let round = 0; round < 3; round++) {
        cooling = (ups + transformerLoss) * coolingPerKw;
        transformerLoss = transformerLossKw(count, unitKw, noLoadKw, loadLossKw, baseKw + cooling);
      }
      const hallKw = baseKw + cooling + transformerLoss;
      const substationKva = halls.substationKva[hall]!;
      let substationLoss = 0;
      if (substationKva > 0) {
        const loading = hallKw / halls.powerFactor[hall]! / substationKva;
        substationLoss =
          this.#hallSubstationNoLoadKw[hall]! + this.#hallSubstationLoadLossKw[hall]! * loading * loading;
      }
      const gridKw = hallKw + substationLoss;
      this.hallTransformerLossKw[hall] = transformerLoss;
      this.hallElectricalCoolingKw[hall] = cooling;
      this.hallSubstationLossKw[hall] = substationLoss;
      this.hallPlantShareKw[hall] = mechanicalShare;
      this.hallGridKw[hall] = gridKw;
      this.plantGridKw[plant]! += gridKw;
      this.plantDirectHeatKw[plant]! += ups + transformerLoss + cooling + house + substationLoss;
    }
  }

  /**
   * Trips the running racks of a segment whose server inlet air is above `inletTripC` (they shut down to protect
   * themselves); they take effect from the next step and restart as liquid trips do (`#restartRacks`).
   */
  #tripSegment(segment: number): void {
    const start = this.#segmentRackStart[segment]!;
    const end = start + this.#segmentInstalled[segment]!;
    const row = this.partition.segments.row[segment]!;
    for (let rack = start; rack < end; rack++) {
      if (this.running[rack] === 0) continue;
      if (this.running[rack] === 1) {
        this.#rowStopped[row]!++;
        this.#stoppedRacks++;
      }
      this.running[rack] = 0;
      this.#runTarget[rack] = 0;
      this.#recordTrip(rack, this.timeS);
    }
  }

  /**
   * Server inlet air of the state now: per hall (`hallCrahInletC`), per rear-door row (`rowRearDoorInletC`) and per
   * installed segment (`#segmentInletC`, which the restart check reads). `crah` racks breathe the hall air handlers'
   * supply (facility water supply + coil approach) plus containment leakage. Rear-door racks breathe the aisle's air,
   * the mix of the doors' leaving air: room-neutral doors at effectiveness ε give inlet = water + (1 − ε)/ε × the
   * servers' air rise, which scales with the row's drawn over design power (the loop's supply stands for the water
   * entering the doors); plus the hall air's rise when its air handlers fall short (`#hallAirStep`). Apart from
   * `#countInlets` so that a carried state (`importState`) gives its racks the inlets it implies.
   */
  #airInlets(): void {
    const { segments, rows, halls } = this.partition;
    const a = this.assumptions;
    const plantAirSide = this.partition.plants.airSide;
    for (let hall = 0; hall < halls.count; hall++) {
      const plant = halls.plant[hall]!;
      const coilWaterC = plantAirSide[plant] === 1 ? this.airSupplyC[plant]! : this.supplyC[plant]!;
      this.hallCrahInletC[hall] = coilWaterC + a.crahApproachK + a.containmentRiseK + this.hallAirRiseK[hall]!;
    }
    const doorFactor = ((1 - a.rearDoorEffectiveness) / a.rearDoorEffectiveness) * a.serverAirRiseK;
    for (let row = 0; row < rows.count; row++) {
      const designKw = this.#rowRearDoorDesignKw[row]!;
      if (this.#rowHasRearDoor[row] === 0) continue;
      const fraction = designKw > 0 ? Math.min(1, this.#rowDrawnKw[row]! / designKw) : 0;
      // The racks breathe the room; their doors return it about room-neutral at their water, so the hall air's rise
      // above what its air handlers hold (when they fall short) reaches their inlet whole.
      this.rowRearDoorInletC[row] = this.tcsC[row]! + doorFactor * fraction + this.hallAirRiseK[rows.hall[row]!]!;
    }
    for (let segment = 0; segment < segments.count; segment++) {
      if (this.#segmentInstalled[segment] === 0) continue;
      this.#segmentInletC[segment] =
        segments.rearDoor[segment] === 1
          ? this.rowRearDoorInletC[segments.row[segment]!]!
          : this.hallCrahInletC[segments.hall[segment]!]!;
    }
  }

  /** The step's inlets (`#airInlets`): segments above `inletTripC` trip, rack-seconds per band into `inletRackSeconds`. */
  #countInlets(dt: number): void {
    const segments = this.partition.segments;
    this.#airInlets();
    const counts = this.inletRackSeconds;
    for (let segment = 0; segment < segments.count; segment++) {
      const installed = this.#segmentInstalled[segment]!;
      if (installed === 0) continue;
      const inletC = this.#segmentInletC[segment]!;
      if (inletC > inletTripC) this.#tripSegment(segment);
      const base = segments.typeIndex[segment]! * inletBands;
      const rackSeconds = installed * dt;
      counts[base]! += rackSeconds;
      if (inletC < inletRecommendedLowC) counts[base + 1]! += rackSeconds;
      // The thresholds ascend: the bands exceeded are the first ones.
      for (let band = 0; band < inletThresholdsC.length && inletC > inletThresholdsC[band]!; band++) {
        counts[base + 2 + band]! += rackSeconds;
      }
    }
  }
}

/** A hall's HV substation losses (no-load and at full load), from its share of the transformers' rating. */
function hallSubstation(kva: number, assumptions: PlantAssumptions): { noLoadKw: number; loadKw: number } {
  return substationLosses(kva, assumptions.substationPei, assumptions.substationLossRatio);
}

/**
 * Each plant's design flow, L/min, of its facility loop and of its air side: design heat over the loop's design rise.
 * With an air side, rear-door rows and the air handlers' share are its heat, the rest the facility loop's.
 */
function designFlowsLpm(partition: Partition): { facility: Float64Array; air: Float64Array } {
  const { racks, rows, plants } = partition;
  const facility = new Float64Array(plants.count);
  const air = new Float64Array(plants.count);
  for (let rack = 0; rack < racks.count; rack++) {
    const row = racks.row[rack]!;
    const plant = rows.plant[row]!;
    const designKw = racks.idleKw[rack]! + racks.dynamicKw[rack]!;
    const airKw =
      plants.airSide[plant] === 1 ? (rows.airSide[row] === 1 ? designKw : designKw * (1 - racks.tcsShare[rack]!)) : 0;
    facility[plant]! += designKw - airKw;
    air[plant]! += airKw;
  }
  for (let plant = 0; plant < plants.count; plant++) {
    facility[plant] = (facility[plant]! / (waterKjPerLiterK * plants.designDeltaTK[plant]!)) * 60;
    air[plant] =
      plants.airSide[plant] === 1 ? (air[plant]! / (waterKjPerLiterK * plants.airDesignDeltaTK[plant]!)) * 60 : 0;
  }
  return { facility, air };
}

/**
 * Runs one partition through the whole run, stepping a `PartitionKernel` and integrating what each step produced
 * into interval series (`SeriesRecorder`). `onProgress(stepsDone)` is called about 200 times.
 */
export function runPartition(
  partition: Partition,
  weather: Weather,
  load: RackLoad,
  scenarioEvents: readonly TwinEvent[],
  scenarioRamps: readonly OccupancyRamp[],
  settings: RunSettings,
  onProgress: (stepsDone: number) => void = () => {},
  onStep?: (kernel: PartitionKernel) => void,
): PartitionResult {
  const kernel = new PartitionKernel(
    partition,
    weather,
    load,
    scenarioEvents,
    scenarioRamps,
    settings.stepS,
    settings.startS ?? 0,
    settings.assumptions,
  );
  const recorder = new SeriesRecorder(partition, kernel, settings);
  const steps = settings.steps;
  const progressEvery = Math.max(1, Math.floor(steps / 200));
  for (let step = 0; step < steps; step++) {
    kernel.step();
    onStep?.(kernel);
    recorder.accumulate(step);
    if ((step + 1) % recorder.stepsPerPoint === 0 || step === steps - 1) recorder.closePoint(step);
    if ((step + 1) % progressEvery === 0 || step === steps - 1) onProgress(step + 1);
  }
  return recorder.finish();
}

/**
 * What a partition's run records: each step's hall, plant, demand and recorded racks' figures integrated into
 * accumulators, closed into a series point (means over the interval, maxima and counts as they are, stored heat at
 * its end) every `stepsPerPoint` steps, and the racks' CSV when asked.
 */
class SeriesRecorder {
  readonly #partition: Partition;
  readonly #kernel: PartitionKernel;
  readonly #settings: RunSettings;
  /** Steps per series point. */
  readonly stepsPerPoint: number;
  readonly #stepsPerDemand: number;
  readonly #points: number;
  readonly #demandPoints: number;
  readonly #hallSeries: Float64Array;
  readonly #plantSeries: Float64Array;
  readonly #plantDemand: Float64Array;
  readonly #hallAccumulator: Float64Array;
  readonly #plantAccumulator: Float64Array;
  /** Recorded racks: site indexes, and partition order; their accumulators are [field][recorded rack]. */
  readonly #recordedGlobal: Int32Array;
  readonly #recordedLocal: Int32Array;
  readonly #rackSeries: Float64Array;
  readonly #rackAccumulator: Float64Array;
  readonly #csv: RackCsvWriter | undefined;
  /** Loop temperatures at the start, from which the heat stored in the loops is counted. */
  readonly #initialTcsC: Float64Array;
  readonly #initialSupplyC: Float64Array;
  readonly #initialAirSupplyC: Float64Array;

  constructor(partition: Partition, kernel: PartitionKernel, settings: RunSettings) {
    this.#partition = partition;
    this.#kernel = kernel;
    this.#settings = settings;
    const dt = settings.stepS;
    const hallCount = partition.halls.count;
    const plantCount = partition.plants.count;
    const { points, demandPoints } = pointCounts(settings);
    this.#points = points;
    this.#demandPoints = demandPoints;
    this.#hallSeries = new Float64Array(hallFields.length * hallCount * points);
    this.#plantSeries = new Float64Array(plantFields.length * plantCount * points);
    this.#plantDemand = new Float64Array(demandFields.length * plantCount * demandPoints);
    this.#hallAccumulator = new Float64Array(hallFields.length * hallCount);
    this.#plantAccumulator = new Float64Array(plantFields.length * plantCount);
    this.stepsPerPoint = Math.round(settings.seriesIntervalS / dt);
    this.#stepsPerDemand = Math.round(settings.demandIntervalS / dt);
    for (let hall = 0; hall < hallCount; hall++) {
      this.#hallAccumulator[hallField.maxTcsSupplyC * hallCount + hall] = Number.NEGATIVE_INFINITY;
    }
    for (let plant = 0; plant < plantCount; plant++) {
      this.#plantAccumulator[plantField.maxFwsSupplyC * plantCount + plant] = Number.NEGATIVE_INFINITY;
    }
    const rackTable = partition.racks;
    const localRack = new Map<number, number>(Array.from(rackTable.globalIndex, (global, local) => [global, local]));
    this.#recordedGlobal = Int32Array.from(settings.rackIndexes.filter((global) => localRack.has(global)));
    this.#recordedLocal = Int32Array.from(this.#recordedGlobal, (global) => localRack.get(global)!);
    this.#rackSeries = new Float64Array(rackFields.length * this.#recordedLocal.length * points);
    this.#rackAccumulator = new Float64Array(rackFields.length * this.#recordedLocal.length);
    this.#csv = settings.racksCsv === undefined ? undefined : new RackCsvWriter(settings.racksCsv, kernel);
    this.#initialTcsC = kernel.tcsC.slice();
    this.#initialSupplyC = kernel.supplyC.slice();
    this.#initialAirSupplyC = kernel.airSupplyC.slice();
  }

  /** Integrates step `step`'s figures (the kernel has just stepped it). */
  accumulate(step: number): void {
    const kernel = this.#kernel;
    const dt = this.#settings.stepS;
    const demandIndex = Math.floor(step / this.#stepsPerDemand);
    this.#accumulatePlants(dt, demandIndex);
    this.#accumulateHalls(dt);
    const hours = dt / secondsPer.h;
    const plantCount = this.#partition.plants.count;
    const demandPoints = this.#demandPoints;
    const plantDemand = this.#plantDemand;
    const plantAccumulator = this.#plantAccumulator;
    const plantGrid = kernel.plantGridKw;
    const plantDirect = kernel.plantDirectHeatKw;
    for (let plant = 0; plant < plantCount; plant++) {
      plantDemand[(demandGrid * plantCount + plant) * demandPoints + demandIndex]! += plantGrid[plant]! * hours;
      plantAccumulator[plantField.directHeatKw * plantCount + plant]! += plantDirect[plant]! * dt;
    }

    this.#accumulateRacks(dt);
    this.#csv?.accumulate(dt);
  }

  /** Plant figures of the step, and the demand series (chiller and over-limit seconds). */
  #accumulatePlants(dt: number, demandIndex: number): void {
    const kernel = this.#kernel;
    const plants = this.#partition.plants;
    const plantCount = plants.count;
    const hours = dt / secondsPer.h;
    const demandPoints = this.#demandPoints;
    const plantDemand = this.#plantDemand;
    const plantAccumulator = this.#plantAccumulator;
    const makeUpM3PerDay = plants.makeUpM3PerDay;
    const plantAirSide = plants.airSide;
    const supplyC = kernel.supplyC;
    const plantHeatIn = kernel.plantHeatKw;
    const plantDryCoolerHeat = kernel.plantDryCoolerHeatKw;
    const plantChillerHeat = kernel.plantChillerHeatKw;
    const plantChillerPower = kernel.plantChillerPowerKw;
    const plantFan = kernel.plantFanKw;
    const plantPump = kernel.plantPumpKw;
    const plantCoolerAirC = kernel.plantCoolerAirC;
    const plantEvaporative = kernel.plantEvaporativeKw;
    const plantOverLimit = kernel.plantOverLimit;
    const dryBulbC = kernel.dryBulbC;
    const wetBulbC = kernel.wetBulbC;
    for (let plant = 0; plant < plantCount; plant++) {
      const newC = supplyC[plant]!;
      const stride = plantCount;
      plantAccumulator[plantField.heatToLoopKw * stride + plant]! += plantHeatIn[plant]! * dt;
      plantAccumulator[plantField.dryCoolerHeatKw * stride + plant]! += plantDryCoolerHeat[plant]! * dt;
      plantAccumulator[plantField.chillerHeatKw * stride + plant]! += plantChillerHeat[plant]! * dt;
      plantAccumulator[plantField.chillerPowerKw * stride + plant]! += plantChillerPower[plant]! * dt;
      plantAccumulator[plantField.dryCoolerFanKw * stride + plant]! += plantFan[plant]! * dt;
      plantAccumulator[plantField.fwsPumpKw * stride + plant]! += plantPump[plant]! * dt;
      plantAccumulator[plantField.fwsSupplyC * stride + plant]! += newC * dt;
      const maxIndex = plantField.maxFwsSupplyC * stride + plant;
      if (newC > plantAccumulator[maxIndex]!) plantAccumulator[maxIndex] = newC;
      plantAccumulator[plantField.coolerAirC * stride + plant]! += plantCoolerAirC[plant]! * dt;
      plantAccumulator[plantField.evaporatedWaterL * stride + plant]! +=
        plantEvaporative[plant]! * hours * litersPerEvaporatedKwh;
      plantAccumulator[plantField.makeUpWaterL * stride + plant]! +=
        (makeUpM3PerDay[plant]! * 1000 * dt) / secondsPer.d;
      plantAccumulator[plantField.outdoorDryBulbC * stride + plant]! += dryBulbC * dt;
      plantAccumulator[plantField.outdoorWetBulbC * stride + plant]! += wetBulbC * dt;
      if (plantAirSide[plant] === 1) {
        plantAccumulator[plantField.airSideSupplyC * stride + plant]! += kernel.airSupplyC[plant]! * dt;
        plantAccumulator[plantField.airSideHeatKw * stride + plant]! += kernel.plantAirHeatKw[plant]! * dt;
        plantAccumulator[plantField.airSidePumpKw * stride + plant]! += kernel.plantAirPumpKw[plant]! * dt;
        plantAccumulator[plantField.airSideFanKw * stride + plant]! += kernel.plantAirFanKw[plant]! * dt;
        plantAccumulator[plantField.airSideChillerPowerKw * stride + plant]! +=
          kernel.plantAirChillerPowerKw[plant]! * dt;
        plantAccumulator[plantField.airSideRejectedKw * stride + plant]! += kernel.plantAirRejectedKw[plant]! * dt;
      }
      if (plantChillerHeat[plant]! > 0) {
        plantDemand[(demandChiller * plantCount + plant) * demandPoints + demandIndex]! += dt;
      }
      if (plantOverLimit[plant]! > 0) {
        plantDemand[(demandLimit * plantCount + plant) * demandPoints + demandIndex]! += dt;
      }
    }
  }

  /** Hall figures of the step. */
  #accumulateHalls(dt: number): void {
    const kernel = this.#kernel;
    const hallCount = this.#partition.halls.count;
    const hallAccumulator = this.#hallAccumulator;
    const hallIt = kernel.hallItKw;
    const hallConversion = kernel.hallConversionLossKw;
    const hallUpsLoss = kernel.hallUpsLossKw;
    const hallTransformerLoss = kernel.hallTransformerLossKw;
    const hallSubstationLoss = kernel.hallSubstationLossKw;
    const hallHouse = kernel.hallHouseKw;
    const hallElectricalCooling = kernel.hallElectricalCoolingKw;
    const hallCduPump = kernel.hallCduPumpKw;
    const hallCrahFan = kernel.hallCrahFanKw;
    const hallPlantShare = kernel.hallPlantShareKw;
    const hallGrid = kernel.hallGridKw;
    const hallMaxTcs = kernel.hallMaxTcsC;
    const hallGpuHours = kernel.hallGpuHours;
    const hallLostGpuHours = kernel.hallThrottledGpuHours;
    const hallThrottledRackHours = kernel.hallThrottledRackHours;
    const hallTrippedRackHours = kernel.hallTrippedRackHours;
    const hallLatchedRackHours = kernel.hallLatchedRackHours;
    for (let hall = 0; hall < hallCount; hall++) {
      const stride = hallCount;
      hallAccumulator[hallField.itKw * stride + hall]! += hallIt[hall]! * dt;
      hallAccumulator[hallField.conversionLossKw * stride + hall]! += hallConversion[hall]! * dt;
      hallAccumulator[hallField.upsLossKw * stride + hall]! += hallUpsLoss[hall]! * dt;
      hallAccumulator[hallField.transformerLossKw * stride + hall]! += hallTransformerLoss[hall]! * dt;
      hallAccumulator[hallField.substationLossKw * stride + hall]! += hallSubstationLoss[hall]! * dt;
      hallAccumulator[hallField.houseKw * stride + hall]! += hallHouse[hall]! * dt;
      hallAccumulator[hallField.electricalCoolingKw * stride + hall]! += hallElectricalCooling[hall]! * dt;
      hallAccumulator[hallField.cduPumpKw * stride + hall]! += hallCduPump[hall]! * dt;
      hallAccumulator[hallField.crahFanKw * stride + hall]! += hallCrahFan[hall]! * dt;
      hallAccumulator[hallField.plantShareKw * stride + hall]! += hallPlantShare[hall]! * dt;
      hallAccumulator[hallField.gridKw * stride + hall]! += hallGrid[hall]! * dt;
      const maxIndex = hallField.maxTcsSupplyC * stride + hall;
      if (hallMaxTcs[hall]! > hallAccumulator[maxIndex]!) hallAccumulator[maxIndex] = hallMaxTcs[hall]!;
      hallAccumulator[hallField.gpuHours * stride + hall]! += hallGpuHours[hall]!;
      hallAccumulator[hallField.throttledGpuHours * stride + hall]! += hallLostGpuHours[hall]!;
      hallAccumulator[hallField.throttledRackHours * stride + hall]! += hallThrottledRackHours[hall]!;
      hallAccumulator[hallField.trippedRackHours * stride + hall]! += hallTrippedRackHours[hall]!;
      hallAccumulator[hallField.latchedRackHours * stride + hall]! += hallLatchedRackHours[hall]!;
    }
  }

  /** The recorded racks' figures of the step. */
  #accumulateRacks(dt: number): void {
    const kernel = this.#kernel;
    const rackTable = this.#partition.racks;
    const recordedLocal = this.#recordedLocal;
    const recordedCount = recordedLocal.length;
    const rackAccumulator = this.#rackAccumulator;
    const throttle = kernel.throttle;
    const tcsC = kernel.tcsC;
    for (let recorded = 0; recorded < recordedCount; recorded++) {
      const rack = recordedLocal[recorded]!;
      const factor = throttle[rack]!;
      rackAccumulator[0 * recordedCount + recorded]! += kernel.utilisation[rack]! * dt;
      rackAccumulator[1 * recordedCount + recorded]! += factor * kernel.rackPowerKw[rack]! * dt;
      rackAccumulator[2 * recordedCount + recorded]! += tcsC[rackTable.row[rack]!]! * dt;
      rackAccumulator[3 * recordedCount + recorded]! += kernel.rackOutletC(rack) * dt;
      rackAccumulator[4 * recordedCount + recorded]! += factor * dt;
    }
  }

  /** Closes the series point that ends with step `step`. */
  closePoint(step: number): void {
    const kernel = this.#kernel;
    const partition = this.#partition;
    const settings = this.#settings;
    const dt = settings.stepS;
    const stepsPerPoint = this.stepsPerPoint;
    const points = this.#points;
    const hallCount = partition.halls.count;
    const plantCount = partition.plants.count;
    const hallFieldCount = hallFields.length;
    const plantFieldCount = plantFields.length;
    const hallSeries = this.#hallSeries;
    const plantSeries = this.#plantSeries;
    const hallAccumulator = this.#hallAccumulator;
    const plantAccumulator = this.#plantAccumulator;
    const rackSeries = this.#rackSeries;
    const rackAccumulator = this.#rackAccumulator;
    const fieldCount = rackFields.length;
    const recordedCount = this.#recordedLocal.length;
    const rowTable = partition.rows;
    const rowCount = rowTable.count;
    const rowPlant = rowTable.plant;
    const rowHeatCapacity = rowTable.heatCapacityKjPerK;
    const plantHeatCapacity = partition.plants.heatCapacityKjPerK;
    const plantAirSide = partition.plants.airSide;
    const airHeatCapacity = partition.plants.airHeatCapacityKjPerK;
    const tcsC = kernel.tcsC;
    const supplyC = kernel.supplyC;
    const initialTcsC = this.#initialTcsC;
    const initialSupplyC = this.#initialSupplyC;
    const initialAirSupplyC = this.#initialAirSupplyC;
    const point = Math.floor(step / stepsPerPoint);
    const spanS = (step - point * stepsPerPoint + 1) * dt;
    for (let field = 0; field < hallFieldCount; field++) {
      const asIs = field === hallField.maxTcsSupplyC || field >= hallField.gpuHours;
      for (let hall = 0; hall < hallCount; hall++) {
        const index = field * hallCount + hall;
        hallSeries[index * points + point] = asIs ? hallAccumulator[index]! : hallAccumulator[index]! / spanS;
        hallAccumulator[index] = field === hallField.maxTcsSupplyC ? Number.NEGATIVE_INFINITY : 0;
      }
    }
    for (let plant = 0; plant < plantCount; plant++) {
      let storedKj = plantHeatCapacity[plant]! * (supplyC[plant]! - initialSupplyC[plant]!);
      if (plantAirSide[plant] === 1) {
        storedKj += airHeatCapacity[plant]! * (kernel.airSupplyC[plant]! - initialAirSupplyC[plant]!);
      }
      for (let row = 0; row < rowCount; row++) {
        if (rowPlant[row] === plant) storedKj += rowHeatCapacity[row]! * (tcsC[row]! - initialTcsC[row]!);
      }
      // The halls' air and racks start at what their air handlers hold (no rise).
      storedKj += kernel.hallStoredKj(plant);
      plantAccumulator[plantField.storedHeatKwh * plantCount + plant] = storedKj / secondsPer.h;
    }
    for (let field = 0; field < plantFieldCount; field++) {
      const asIs =
        field === plantField.maxFwsSupplyC ||
        field === plantField.evaporatedWaterL ||
        field === plantField.makeUpWaterL ||
        field === plantField.storedHeatKwh;
      for (let plant = 0; plant < plantCount; plant++) {
        const index = field * plantCount + plant;
        plantSeries[index * points + point] = asIs ? plantAccumulator[index]! : plantAccumulator[index]! / spanS;
        plantAccumulator[index] = field === plantField.maxFwsSupplyC ? Number.NEGATIVE_INFINITY : 0;
      }
    }
    for (let index = 0; index < fieldCount * recordedCount; index++) {
      rackSeries[index * points + point] = rackAccumulator[index]! / spanS;
      rackAccumulator[index] = 0;
    }
    this.#csv?.write(point * settings.seriesIntervalS, spanS);
  }

  /** Closes the racks' CSV and returns the partition's result. */
  finish(): PartitionResult {
    const kernel = this.#kernel;
    const partition = this.#partition;
    this.#csv?.close();
    return {
      plantGlobal: partition.plants.globalIndex,
      hallGlobal: partition.halls.globalIndex,
      points: this.#points,
      hallSeries: this.#hallSeries,
      plantSeries: this.#plantSeries,
      demandPoints: this.#demandPoints,
      plantDemand: this.#plantDemand,
      rackGlobal: this.#recordedGlobal,
      rackSeries: this.#rackSeries,
      rackSteps: partition.racks.count * this.#settings.steps,
      typeThrottledRackHours: kernel.typeThrottledRackHours,
      typeTrippedRackHours: kernel.typeTrippedRackHours,
      typeLatchedRackHours: kernel.typeLatchedRackHours,
      typeLostBusyRackHours: kernel.typeLostBusyRackHours,
      inletRackSeconds: kernel.inletRackSeconds,
    };
  }
}

/** Bytes buffered before a write to `racks.csv`. */
const csvBufferBytes = 1 << 20;

/**
 * Streams every rack's interval means to a CSV file: four accumulators per rack, one buffered write per megabyte, so
 * a year of 40,000 racks never sits in memory. Lines are `time,rack,powerKW,utilisation,returnC,throttle`, time in
 * seconds from the start of the run at the start of the interval.
 */
class RackCsvWriter {
  readonly #kernel: PartitionKernel;
  readonly #ids: readonly string[];
  readonly #fd: number;
  readonly #power: Float64Array;
  readonly #utilisation: Float64Array;
  readonly #returnC: Float64Array;
  readonly #throttle: Float64Array;
  #pending: string[] = [];
  #pendingBytes = 0;

  constructor(target: { readonly path: string; readonly rackIds: readonly string[] }, kernel: PartitionKernel) {
    const count = kernel.partition.racks.count;
    this.#kernel = kernel;
    this.#ids = target.rackIds;
    this.#fd = openSync(target.path, "a");
    this.#power = new Float64Array(count);
    this.#utilisation = new Float64Array(count);
    this.#returnC = new Float64Array(count);
    this.#throttle = new Float64Array(count);
  }

  /** Adds the last step (of `dt` seconds) to every rack's sums. */
  accumulate(dt: number): void {
    const kernel = this.#kernel;
    const { throttle, rackPowerKw, utilisation } = kernel;
    for (let rack = 0; rack < this.#power.length; rack++) {
      const factor = throttle[rack]!;
      this.#power[rack]! += factor * rackPowerKw[rack]! * dt;
      this.#utilisation[rack]! += utilisation[rack]! * dt;
      this.#returnC[rack]! += kernel.rackOutletC(rack) * dt;
      this.#throttle[rack]! += factor * dt;
    }
  }

  /** Writes the interval starting at `timeS` (means over `spanS` seconds) and clears the sums. */
  write(timeS: number, spanS: number): void {
    const globalIndex = this.#kernel.partition.racks.globalIndex;
    const time = String(timeS);
    for (let rack = 0; rack < this.#power.length; rack++) {
      const line = `${time},${this.#ids[globalIndex[rack]!]},${csvNumber(this.#power[rack]! / spanS)},${csvNumber(this.#utilisation[rack]! / spanS)},${csvNumber(this.#returnC[rack]! / spanS)},${csvNumber(this.#throttle[rack]! / spanS)}\n`;
      this.#pending.push(line);
      this.#pendingBytes += line.length;
      if (this.#pendingBytes >= csvBufferBytes) this.#flush();
    }
    this.#power.fill(0);
    this.#utilisation.fill(0);
    this.#returnC.fill(0);
    this.#throttle.fill(0);
  }

  #flush(): void {
    if (this.#pending.length > 0) writeSync(this.#fd, this.#pending.join(""));
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Writes what is buffered and closes the file. */
  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }
}

/** A number for the CSV: at most four decimals, no exponent for ordinary values. */
function csvNumber(value: number): string {
  return String(Math.round(value * 10_000) / 10_000);
}
