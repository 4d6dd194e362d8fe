/**
 * From partition outputs to what people read: columnar series frames (one typed array per field, as Grafana frames)
 * for the site, each plant, each hall and a rack on request, and the run's KPIs: PUE and partial PUEs as annual
 * energy ratios (EN 50600-4-2), WUE, energies, water, peak grid demand, chiller hours, hours above limits,
 * throttled GPU-hours and CO2.
 */
import type { Site } from "../model/site.ts";
import { demandFields, hallFields, type PartitionResult, plantFields, type RunSettings, rackFields } from "./kernel.ts";
import { inletBands, inletThresholdNames, inletThresholdsC } from "./plant.ts";
import { secondsPer } from "./time.ts";

/** A time series frame: point start times and one array per field. */
export interface SeriesFrame {
  readonly name: string;
  /** Seconds from the start of the run at which each point's interval starts. */
  readonly timeS: Float64Array;
  /** Length of each point's interval, seconds (the last may be shorter). */
  readonly spanS: Float64Array;
  readonly fields: Readonly<Record<string, Float64Array>>;
}

/** Fields of the site frame. */
export const siteFields = [
  "outdoorDryBulbC",
  "outdoorWetBulbC",
  "itKw",
  "conversionLossKw",
  "upsLossKw",
  "transformerLossKw",
  "substationLossKw",
  "houseKw",
  "electricalCoolingKw",
  "cduPumpKw",
  "crahFanKw",
  "fwsPumpKw",
  "dryCoolerFanKw",
  "chillerPowerKw",
  "airSidePowerKw",
  "coolingKw",
  "gridKw",
  "heatRejectedKw",
  "storedHeatKwh",
  "pue",
  "waterL",
  "gpuHours",
  "throttledGpuHours",
  "throttledRackHours",
  "trippedRackHours",
  "latchedRackHours",
  "fwsSupplyC",
  "maxFwsSupplyC",
  "maxTcsSupplyC",
] as const;

/** The run's key figures. Energies in MWh, water in m³, demand in MW, times in hours. */
export interface Kpis {
  readonly durationHours: number;
  readonly itEnergyMWh: number;
  readonly totalEnergyMWh: number;
  /** Pumps, fans and chillers of the loops and plants, and the electrical rooms' cooling. */
  readonly coolingEnergyMWh: number;
  /** UPS, hall transformer and HV substation losses. */
  readonly powerLossEnergyMWh: number;
  /** Of the cooling: the electrical rooms' fans and DX compressors. */
  readonly electricalCoolingMWh: number;
  /** Of the cooling: the air-side chilled-water loops (pumps, free-cooling fans, compressors). */
  readonly airSideCoolingMWh: number;
  /** Of the air side: its chillers' compressors. */
  readonly airSideCompressorMWh: number;
  /** Of the losses: the HV substation's transformers. */
  readonly substationLossMWh: number;
  /** Lighting, offices, security, BMS (in the PUE, in neither partial PUE). */
  readonly houseEnergyMWh: number;
  /** Server power supply and rectifier losses, part of IT energy (ExaDigiT RAPS chain). */
  readonly conversionLossMWh: number;
  readonly heatRejectedMWh: number;
  readonly pue: number;
  readonly pPueCooling: number;
  readonly pPuePower: number;
  readonly wueLitersPerKWh: number;
  readonly waterM3: number;
  readonly evaporatedWaterM3: number;
  readonly makeUpWaterM3: number;
  /** Highest 10-minute mean grid demand (the interval French transmission and distribution meters use). */
  readonly peakGridDemandMW: number;
  /**
   * Hours at least one plant ran its facility-water trim chillers. Not the air side's compressors (their energy is in
   * the air-side cooling figures): a campus whose air side runs compressors all year can show 0 here.
   */
  readonly chillerHours: number;
  readonly hoursAboveLimit: number;
  readonly gpuHours: number;
  /** Busy GPU-hours lost to throttling and to trips (a tripped rack's busy GPUs deliver nothing). */
  readonly throttledGpuHours: number;
  /** Hours installed racks of every type (GPU, CPU, storage) ran throttled, summed over racks. */
  readonly throttledRackHours: number;
  /** Hours installed racks of every type spent tripped (off, or the share not yet back while restarting). */
  readonly trippedRackHours: number;
  /**
   * Of the tripped hours: those racks spent latched off after repeated trips (`rackAutoRestarts`), waiting for a
   * repair or the operator (`operatorResponseS`); counted in the kernel's rack pass from its `latched` state.
   */
  readonly latchedRackHours: number;
  /** Busy rack-hours lost to throttling and trips, every type: the sum of `TwinResult.lostBusyRackHoursByType`. */
  readonly lostBusyRackHours: number;
  /**
   * Busy CPU core-hours lost to throttling and trips: each type's lost busy rack-hours × servers × CPU cores per server
   * (0 for types whose site file gives no core count).
   */
  readonly lostCpuCoreHours: number;
  readonly co2Tonnes: number;
  readonly gridIntensityGPerKWh: number;
  readonly maxFwsSupplyC: number;
  readonly maxTcsSupplyC: number;
  /** Largest |grid − rejected − stored| / grid over any simulated day (or the run, if shorter). */
  readonly worstDailyEnergyImbalance: number;
}

/** Per-plant highlights. */
export interface PlantKpis {
  readonly id: string;
  readonly chillerHours: number;
  readonly hoursAboveLimit: number;
  readonly maxFwsSupplyC: number;
  readonly coolingEnergyMWh: number;
}

/**
 * Server inlet air of one rack type against the ASHRAE TC9.9 (2021) envelopes. Hours are per installed rack (its
 * rack-hours in the band over its installed racks), so 8,760 means every rack all year.
 */
export interface InletKpis {
  readonly rackType: string;
  readonly airCooling: string;
  /** Installed rack-hours of the type over the run. */
  readonly rackHours: number;
  readonly hoursBelowRecommended: number;
  /** Hours above 27 °C (recommended), 32 (A1), 35 (A2), 40 (A3), 45 (A4). */
  readonly hoursAbove: Readonly<Record<(typeof inletThresholdNames)[number], number>>;
}

/** Everything a run produces. */
export interface TwinResult {
  readonly siteId: string;
  readonly weather: string;
  readonly scenario: string;
  readonly stepS: number;
  readonly durationS: number;
  readonly seed: number;
  readonly threads: number;
  readonly kpis: Kpis;
  readonly plantKpis: readonly PlantKpis[];
  /** Server inlet hours per rack type present on the site. */
  readonly airInlet: readonly InletKpis[];
  readonly site: SeriesFrame;
  readonly plants: readonly SeriesFrame[];
  readonly halls: readonly SeriesFrame[];
  /** Series of the racks asked for, in the order asked. */
  readonly racks: readonly SeriesFrame[];
  /** Hours racks spent throttled over the run, per rack type of the site (every type, zeros included). */
  readonly throttledRackHoursByType: readonly { readonly rackType: string; readonly rackHours: number }[];
  /** Hours racks spent tripped over the run, per rack type of the site (every type, zeros included). */
  readonly trippedRackHoursByType: readonly { readonly rackType: string; readonly rackHours: number }[];
  /** Of those, hours racks spent latched off, per rack type of the site (every type, zeros included). */
  readonly latchedRackHoursByType: readonly { readonly rackType: string; readonly rackHours: number }[];
  /** Hours racks spent tripped over the run, per hall of the site in site order (the sum of its frame's series). */
  readonly trippedRackHoursByHall: readonly { readonly hall: string; readonly rackHours: number }[];
  /** Of those, hours racks spent latched off, per hall of the site in site order (the sum of its frame's series). */
  readonly latchedRackHoursByHall: readonly { readonly hall: string; readonly rackHours: number }[];
  /**
   * Busy rack-hours lost to throttling and trips, per rack type of the site (every type, zeros included): utilisation
   * × the share of dynamic power a rack could not draw × hours. Lost GPU-hours' counterpart for CPU and storage racks.
   */
  readonly lostBusyRackHoursByType: readonly { readonly rackType: string; readonly rackHours: number }[];
  /** Rack-steps computed (every rack of the site, every step). */
  readonly rackSteps: number;
}

/** Grid carbon intensity: an annual mean (France about 30 gCO2/kWh, RTE éCO2mix) or an hourly profile. */
export type GridIntensity = number | Float64Array;

/** Default grid intensity for France, gCO2/kWh (annual mean of recent years, RTE). */
export const defaultGridIntensity = 30;

function timeAxis(points: number, intervalS: number, durationS: number): { timeS: Float64Array; spanS: Float64Array } {
  const timeS = new Float64Array(points);
  const spanS = new Float64Array(points);
  for (let point = 0; point < points; point++) {
    timeS[point] = point * intervalS;
    spanS[point] = Math.min(intervalS, durationS - point * intervalS);
  }
  return { timeS, spanS };
}

function frameOf(
  name: string,
  names: readonly string[],
  series: Float64Array,
  entity: number,
  entities: number,
  points: number,
  axis: { timeS: Float64Array; spanS: Float64Array },
): SeriesFrame {
  const fields: Record<string, Float64Array> = {};
  names.forEach((field, index) => {
    const start = (index * entities + entity) * points;
    fields[field] = series.subarray(start, start + points);
  });
  return { name, ...axis, fields };
}

function field(frame: SeriesFrame, name: string): Float64Array {
  const values = frame.fields[name];
  if (values === undefined) throw new Error(`frame ${frame.name} has no field ${name}`);
  return values;
}

/** Energy (kWh) of a power field over a frame: Σ mean kW × interval hours. */
function energyKwh(frame: SeriesFrame, name: string): number {
  const values = field(frame, name);
  let total = 0;
  for (let point = 0; point < values.length; point++) total += (values[point]! * frame.spanS[point]!) / secondsPer.h;
  return total;
}

function sumOf(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function maxOf(values: Float64Array): number {
  let highest = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > highest) highest = value;
  return highest;
}

/**
 * Relative energy imbalance per simulated day: |grid − heat rejected − Δ stored| / grid, from the site frame.
 * The twin closes energy by construction; this is the check that every input is accounted for.
 */
export function dailyEnergyImbalance(site: SeriesFrame): Float64Array {
  const grid = field(site, "gridKw");
  const rejected = field(site, "heatRejectedKw");
  const stored = field(site, "storedHeatKwh");
  const days = Math.max(1, Math.ceil((site.timeS[site.timeS.length - 1]! + 1) / secondsPer.d));
  const gridKwh = new Float64Array(days);
  const rejectedKwh = new Float64Array(days);
  const storedAtEnd = new Float64Array(days);
  for (let point = 0; point < grid.length; point++) {
    const day = Math.min(days - 1, Math.floor(site.timeS[point]! / secondsPer.d));
    const hoursSpan = site.spanS[point]! / secondsPer.h;
    gridKwh[day]! += grid[point]! * hoursSpan;
    rejectedKwh[day]! += rejected[point]! * hoursSpan;
    storedAtEnd[day] = stored[point]!;
  }
  const imbalance = new Float64Array(days);
  for (let day = 0; day < days; day++) {
    const storedChange = storedAtEnd[day]! - (day === 0 ? 0 : storedAtEnd[day - 1]!);
    imbalance[day] = Math.abs(gridKwh[day]! - rejectedKwh[day]! - storedChange) / gridKwh[day]!;
  }
  return imbalance;
}

/** Per-rack-type rack-hours summed over partitions (throttled, tripped, latched, lost while busy). */
interface TypeRackHours {
  readonly throttled: Float64Array;
  readonly tripped: Float64Array;
  readonly latched: Float64Array;
  readonly lostBusy: Float64Array;
}

/** The frames of every hall, plant and recorded rack in site order, rack-steps, and rack-hours by rack type. */
function gatherFrames(
  site: Site,
  partitions: readonly PartitionResult[],
  settings: RunSettings,
  axis: { timeS: Float64Array; spanS: Float64Array },
): { halls: SeriesFrame[]; plants: SeriesFrame[]; racks: SeriesFrame[]; rackSteps: number; byType: TypeRackHours } {
  const points = partitions[0]!.points;
  const halls: SeriesFrame[] = new Array(site.halls.length);
  const plants: SeriesFrame[] = new Array(site.plants.length);
  const racks: SeriesFrame[] = [];
  let rackSteps = 0;
  const typeThrottledRackHours = new Float64Array(site.rackTypes.length);
  const typeTrippedRackHours = new Float64Array(site.rackTypes.length);
  const typeLatchedRackHours = new Float64Array(site.rackTypes.length);
  const typeLostBusyRackHours = new Float64Array(site.rackTypes.length);
  for (const partition of partitions) {
    rackSteps += partition.rackSteps;
    partition.typeThrottledRackHours.forEach((hours, type) => {
      typeThrottledRackHours[type]! += hours;
    });
    partition.typeTrippedRackHours.forEach((hours, type) => {
      typeTrippedRackHours[type]! += hours;
    });
    partition.typeLatchedRackHours.forEach((hours, type) => {
      typeLatchedRackHours[type]! += hours;
    });
    partition.typeLostBusyRackHours.forEach((hours, type) => {
      typeLostBusyRackHours[type]! += hours;
    });
    partition.hallGlobal.forEach((global, local) => {
      halls[global] = frameOf(
        site.halls[global]!.id,
        hallFields,
        partition.hallSeries,
        local,
        partition.hallGlobal.length,
        points,
        axis,
      );
    });
    partition.plantGlobal.forEach((global, local) => {
      plants[global] = frameOf(
        site.plants[global]!.id,
        plantFields,
        partition.plantSeries,
        local,
        partition.plantGlobal.length,
        points,
        axis,
      );
    });
    partition.rackGlobal.forEach((global, local) => {
      const frame = frameOf(
        site.racks[global]!.id,
        rackFields,
        partition.rackSeries,
        local,
        partition.rackGlobal.length,
        points,
        axis,
      );
      racks[settings.rackIndexes.indexOf(global)] = frame;
    });
  }

  return {
    halls,
    plants,
    racks,
    rackSteps,
    byType: {
      throttled: typeThrottledRackHours,
      tripped: typeTrippedRackHours,
      latched: typeLatchedRackHours,
      lostBusy: typeLostBusyRackHours,
    },
  };
}

/** The site's frame: halls' and plants' series summed (means and maxima where the field is one), cooling and PUE. */
function siteFrameOf(
  site: Site,
  halls: readonly SeriesFrame[],
  plants: readonly SeriesFrame[],
  points: number,
  axis: { timeS: Float64Array; spanS: Float64Array },
): SeriesFrame {
  const siteColumns: Record<string, Float64Array> = {};
  for (const name of siteFields) siteColumns[name] = new Float64Array(points);
  const column = (name: (typeof siteFields)[number]) => siteColumns[name]!;
  for (const hall of halls) {
    for (const name of [
      "itKw",
      "conversionLossKw",
      "upsLossKw",
      "transformerLossKw",
      "substationLossKw",
      "houseKw",
      "electricalCoolingKw",
      "cduPumpKw",
      "crahFanKw",
    ] as const) {
      const source = field(hall, name);
      const target = column(name);
      for (let point = 0; point < points; point++) target[point]! += source[point]!;
    }
    for (const name of [
      "gridKw",
      "gpuHours",
      "throttledGpuHours",
      "throttledRackHours",
      "trippedRackHours",
      "latchedRackHours",
    ] as const) {
      const source = field(hall, name);
      const target = column(name);
      for (let point = 0; point < points; point++) target[point]! += source[point]!;
    }
  }
  column("maxTcsSupplyC").fill(Number.NEGATIVE_INFINITY);
  column("maxFwsSupplyC").fill(Number.NEGATIVE_INFINITY);
  for (const hall of halls) {
    const source = field(hall, "maxTcsSupplyC");
    const target = column("maxTcsSupplyC");
    for (let point = 0; point < points; point++) target[point] = Math.max(target[point]!, source[point]!);
  }
  for (const plant of plants) {
    const add = (to: (typeof siteFields)[number], from: string, scale = 1) => {
      const source = field(plant, from);
      const target = column(to);
      for (let point = 0; point < points; point++) target[point]! += source[point]! * scale;
    };
    add("fwsPumpKw", "fwsPumpKw");
    add("dryCoolerFanKw", "dryCoolerFanKw");
    add("chillerPowerKw", "chillerPowerKw");
    add("airSidePowerKw", "airSidePumpKw");
    add("airSidePowerKw", "airSideFanKw");
    add("airSidePowerKw", "airSideChillerPowerKw");
    for (const part of [
      "dryCoolerHeatKw",
      "chillerHeatKw",
      "chillerPowerKw",
      "dryCoolerFanKw",
      "directHeatKw",
      "airSideRejectedKw",
    ]) {
      add("heatRejectedKw", part);
    }
    add("storedHeatKwh", "storedHeatKwh");
    add("waterL", "evaporatedWaterL");
    add("waterL", "makeUpWaterL");
    add("fwsSupplyC", "fwsSupplyC", 1 / plants.length);
    const maxSource = field(plant, "maxFwsSupplyC");
    const maxTarget = column("maxFwsSupplyC");
    for (let point = 0; point < points; point++) maxTarget[point] = Math.max(maxTarget[point]!, maxSource[point]!);
  }
  column("outdoorDryBulbC").set(field(plants[0]!, "outdoorDryBulbC"));
  column("outdoorWetBulbC").set(field(plants[0]!, "outdoorWetBulbC"));
  for (let point = 0; point < points; point++) {
    column("coolingKw")[point] =
      column("cduPumpKw")[point]! +
      column("crahFanKw")[point]! +
      column("electricalCoolingKw")[point]! +
      column("fwsPumpKw")[point]! +
      column("dryCoolerFanKw")[point]! +
      column("chillerPowerKw")[point]! +
      column("airSidePowerKw")[point]!;
    column("pue")[point] = column("gridKw")[point]! / column("itKw")[point]!;
  }
  return { name: site.id, ...axis, fields: siteColumns };
}

/** Demand-interval figures: each plant's KPIs, the site's peak demand, CO2 and grid energy, chiller and limit time. */
function demandFigures(
  site: Site,
  partitions: readonly PartitionResult[],
  plants: readonly SeriesFrame[],
  settings: RunSettings,
  durationS: number,
  intensity: GridIntensity,
): {
  plantKpis: PlantKpis[];
  peakKw: number;
  co2Grams: number;
  gridKwh: number;
  chillerSeconds: Float64Array;
  limitSeconds: Float64Array;
} {
  const first = partitions[0]!;
  // Demand-interval figures across partitions: site grid energy, and per interval the longest chiller / over-limit
  // time of any plant (so "chiller hours" counts time when at least one plant ran its chillers, to 10 minutes).
  const demandPoints = first.demandPoints;
  const demandGrid = new Float64Array(demandPoints);
  const chillerSeconds = new Float64Array(demandPoints);
  const limitSeconds = new Float64Array(demandPoints);
  const plantKpis: PlantKpis[] = new Array(site.plants.length);
  const gridKind = demandFields.indexOf("gridKwh");
  const chillerKind = demandFields.indexOf("chillerSeconds");
  const limitKind = demandFields.indexOf("limitSeconds");
  // In site plant order, so the sums do not depend on how plants were grouped into partitions (bit-identical runs).
  const plantPlaces: { partition: PartitionResult; local: number }[] = [];
  for (const partition of partitions) {
    partition.plantGlobal.forEach((global, local) => {
      plantPlaces[global] = { partition, local };
    });
  }
  for (const [global, place] of plantPlaces.entries()) {
    const { partition, local } = place;
    const plantCount = partition.plantGlobal.length;
    {
      let plantChiller = 0;
      let plantLimit = 0;
      for (let interval = 0; interval < demandPoints; interval++) {
        const at = (kind: number) => partition.plantDemand[(kind * plantCount + local) * demandPoints + interval]!;
        demandGrid[interval]! += at(gridKind);
        chillerSeconds[interval] = Math.max(chillerSeconds[interval]!, at(chillerKind));
        limitSeconds[interval] = Math.max(limitSeconds[interval]!, at(limitKind));
        plantChiller += at(chillerKind);
        plantLimit += at(limitKind);
      }
      const frame = plants[global]!;
      plantKpis[global] = {
        id: site.plants[global]!.id,
        chillerHours: plantChiller / secondsPer.h,
        hoursAboveLimit: plantLimit / secondsPer.h,
        maxFwsSupplyC: maxOf(field(frame, "maxFwsSupplyC")),
        coolingEnergyMWh:
          (energyKwh(frame, "fwsPumpKw") +
            energyKwh(frame, "dryCoolerFanKw") +
            energyKwh(frame, "chillerPowerKw") +
            energyKwh(frame, "airSidePumpKw") +
            energyKwh(frame, "airSideFanKw") +
            energyKwh(frame, "airSideChillerPowerKw")) /
          1000,
      };
    }
  }
  let peakKw = 0;
  let co2Grams = 0;
  let gridKwh = 0;
  for (let interval = 0; interval < demandPoints; interval++) {
    const spanS = Math.min(settings.demandIntervalS, durationS - interval * settings.demandIntervalS);
    peakKw = Math.max(peakKw, (demandGrid[interval]! * secondsPer.h) / spanS);
    const hourOfYear = Math.floor(((settings.startS ?? 0) + interval * settings.demandIntervalS) / secondsPer.h);
    const grams = typeof intensity === "number" ? intensity : intensity[hourOfYear % intensity.length]!;
    co2Grams += demandGrid[interval]! * grams;
    gridKwh += demandGrid[interval]!;
  }
  return { plantKpis, peakKw, co2Grams, gridKwh, chillerSeconds, limitSeconds };
}

/** Assembles frames and KPIs from the partitions of a run. */
export function assembleResult(
  site: Site,
  partitions: readonly PartitionResult[],
  settings: RunSettings,
  meta: { weather: string; scenario: string; seed: number; threads: number; gridIntensity: GridIntensity },
): TwinResult {
  const durationS = settings.steps * settings.stepS;
  const points = partitions[0]!.points;
  const axis = timeAxis(points, settings.seriesIntervalS, durationS);
  const { halls, plants, racks, rackSteps, byType } = gatherFrames(site, partitions, settings, axis);
  const typeThrottledRackHours = byType.throttled;
  const typeTrippedRackHours = byType.tripped;
  const typeLatchedRackHours = byType.latched;
  const typeLostBusyRackHours = byType.lostBusy;
  const siteFrame = siteFrameOf(site, halls, plants, points, axis);
  const column = (name: (typeof siteFields)[number]) => siteFrame.fields[name]!;
  const { plantKpis, peakKw, co2Grams, gridKwh, chillerSeconds, limitSeconds } = demandFigures(
    site,
    partitions,
    plants,
    settings,
    durationS,
    meta.gridIntensity,
  );
  const it = energyKwh(siteFrame, "itKw");
  const total = energyKwh(siteFrame, "gridKw");
  const cooling = energyKwh(siteFrame, "coolingKw");
  const losses =
    energyKwh(siteFrame, "upsLossKw") +
    energyKwh(siteFrame, "transformerLossKw") +
    energyKwh(siteFrame, "substationLossKw");
  const evaporated = plants.reduce((sum, plant) => sum + sumOf(field(plant, "evaporatedWaterL")), 0);
  const makeUp = plants.reduce((sum, plant) => sum + sumOf(field(plant, "makeUpWaterL")), 0);
  const kpis: Kpis = {
    durationHours: durationS / secondsPer.h,
    itEnergyMWh: it / 1000,
    totalEnergyMWh: total / 1000,
    coolingEnergyMWh: cooling / 1000,
    powerLossEnergyMWh: losses / 1000,
    electricalCoolingMWh: energyKwh(siteFrame, "electricalCoolingKw") / 1000,
    airSideCoolingMWh: energyKwh(siteFrame, "airSidePowerKw") / 1000,
    airSideCompressorMWh: plants.reduce((sum, plant) => sum + energyKwh(plant, "airSideChillerPowerKw"), 0) / 1000,
    substationLossMWh: energyKwh(siteFrame, "substationLossKw") / 1000,
    houseEnergyMWh: energyKwh(siteFrame, "houseKw") / 1000,
    conversionLossMWh: energyKwh(siteFrame, "conversionLossKw") / 1000,
    heatRejectedMWh: energyKwh(siteFrame, "heatRejectedKw") / 1000,
    pue: total / it,
    pPueCooling: (it + cooling) / it,
    pPuePower: (it + losses) / it,
    wueLitersPerKWh: (evaporated + makeUp) / it,
    waterM3: (evaporated + makeUp) / 1000,
    evaporatedWaterM3: evaporated / 1000,
    makeUpWaterM3: makeUp / 1000,
    peakGridDemandMW: peakKw / 1000,
    chillerHours: sumOf(chillerSeconds) / secondsPer.h,
    hoursAboveLimit: sumOf(limitSeconds) / secondsPer.h,
    gpuHours: sumOf(column("gpuHours")),
    throttledGpuHours: sumOf(column("throttledGpuHours")),
    throttledRackHours: sumOf(column("throttledRackHours")),
    trippedRackHours: sumOf(column("trippedRackHours")),
    latchedRackHours: sumOf(column("latchedRackHours")),
    lostBusyRackHours: sumOf(typeLostBusyRackHours),
    lostCpuCoreHours: site.rackTypes.reduce(
      (sum, type, index) => sum + typeLostBusyRackHours[index]! * type.servers * type.cpuCoresPerServer,
      0,
    ),
    co2Tonnes: co2Grams / 1e6,
    gridIntensityGPerKWh: gridKwh > 0 ? co2Grams / gridKwh : 0,
    maxFwsSupplyC: maxOf(column("maxFwsSupplyC")),
    maxTcsSupplyC: maxOf(column("maxTcsSupplyC")),
    worstDailyEnergyImbalance: maxOf(dailyEnergyImbalance(siteFrame)),
  };
  return {
    airInlet: inletKpis(site, partitions, durationS),
    siteId: site.id,
    weather: meta.weather,
    scenario: meta.scenario,
    stepS: settings.stepS,
    durationS,
    seed: meta.seed,
    threads: meta.threads,
    kpis,
    plantKpis,
    site: siteFrame,
    plants,
    halls,
    racks,
    rackSteps,
    throttledRackHoursByType: site.rackTypes.map((type, index) => ({
      rackType: type.id,
      rackHours: typeThrottledRackHours[index]!,
    })),
    trippedRackHoursByType: site.rackTypes.map((type, index) => ({
      rackType: type.id,
      rackHours: typeTrippedRackHours[index]!,
    })),
    latchedRackHoursByType: site.rackTypes.map((type, index) => ({
      rackType: type.id,
      rackHours: typeLatchedRackHours[index]!,
    })),
    trippedRackHoursByHall: halls.map((hall) => ({
      hall: hall.name,
      rackHours: sumOf(field(hall, "trippedRackHours")),
    })),
    latchedRackHoursByHall: halls.map((hall) => ({
      hall: hall.name,
      rackHours: sumOf(field(hall, "latchedRackHours")),
    })),
    lostBusyRackHoursByType: site.rackTypes.map((type, index) => ({
      rackType: type.id,
      rackHours: typeLostBusyRackHours[index]!,
    })),
  };
}

/** Inlet hours per rack type, summed over partitions (each holds its types' rack-seconds per `inletBands`). */
function inletKpis(site: Site, partitions: readonly PartitionResult[], durationS: number): InletKpis[] {
  const totals = new Float64Array(site.rackTypes.length * inletBands);
  for (const partition of partitions) {
    const counts = partition.inletRackSeconds;
    for (let index = 0; index < Math.min(counts.length, totals.length); index++) totals[index]! += counts[index]!;
  }
  const kpis: InletKpis[] = [];
  site.rackTypes.forEach((type, typeIndex) => {
    const base = typeIndex * inletBands;
    const rackSeconds = totals[base]!;
    if (rackSeconds <= 0) return;
    const hours = (seconds: number) => (seconds / rackSeconds) * (durationS / secondsPer.h);
    const hoursAbove = Object.fromEntries(
      inletThresholdNames.map((name, band) => [name, hours(totals[base + 2 + band]!)]),
    ) as InletKpis["hoursAbove"];
    kpis.push({
      rackType: type.id,
      airCooling: type.airCooling,
      rackHours: rackSeconds / secondsPer.h,
      hoursBelowRecommended: hours(totals[base + 1]!),
      hoursAbove,
    });
  });
  return kpis;
}

/** The inlet thresholds, °C, by name (for reports). */
export const inletThresholdByName = Object.fromEntries(
  inletThresholdNames.map((name, index) => [name, inletThresholdsC[index]!]),
) as Readonly<Record<(typeof inletThresholdNames)[number], number>>;
