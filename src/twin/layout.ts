/**
 * The twin's view of a site: structure-of-arrays tables (one typed array per quantity) for the segments, rows, halls
 * and plants that one runner simulates. A partition holds whole cooling plants, because plants are independent within
 * a step; it is plain data, so it crosses to a worker thread by structured clone.
 *
 * Granularity: the kernel computes per *rack* (`RackTable`, one entry per rack of the partition, grouped by row).
 * Each rack carries its own utilisation, power, liquid and air heat, outlet temperature and throttle; rows, halls and
 * plants are exact sums of their racks. *Segments* (runs of one rack type in a row) remain as the unit of scenario
 * occupancy ramps: a segment's occupancy installs its first racks, whole racks only.
 */
import { airSideRows } from "../model/capacity.ts";
import { fluidProperties, interpolate } from "../model/physics.ts";
import { facilityWaterClassLimitC } from "../model/schema.ts";
import type { Site } from "../model/site.ts";
import { copTablePoints, upsTablePoints } from "./tables.ts";

/** Utilisation classes of the synthetic profiles; the numbers index the profile tables of `profiles.ts`. */
export const profileClasses = ["training", "inference", "office-hours"] as const;
/** One utilisation class. */
export type ProfileClass = (typeof profileClasses)[number];

// Assumptions the site model does not (yet) carry; each is stated where it is used.
/** Technology-loop coolant per kW of connected heat (CDU tank, row manifolds, rack cold plates): about 0.5 L/kW. */
export const tcsLitersPerKilowatt = 0.5;
/** Smallest technology loop volume, litres (a CDU reservoir and its row piping). */
export const tcsMinimumLiters = 200;
/**
 * Seconds from a rack latching off (its second trip within the hour, `rackAutoRestarts` in kernel.ts) until the
 * site's operator restarts its row, when no failure is open in its scope and the site file does not set
 * `site.operatorResponseS`. Assumption: a site staffed on site around the clock, as Uptime Institute's Tier Standard:
 * Operational Sustainability expects of Tier III and IV sites; 30 minutes to see the BMS alarm, walk to the row,
 * check that its loop and inlet are back within limits and power its racks on through their BMCs (which then take
 * `rackRestartS` to full duty). A site answered by an on-call engineer from home should set about 1–2 hours; `off`
 * in the site file (null here) turns the response off: latched racks then wait for a repair or a scenario's
 * `restartRacks`, as before the operator was modelled.
 */
export const defaultOperatorResponseS = 1800;

/** Racks: runs of one rack type within a row. Per-rack figures are per rack of the segment. */
export interface SegmentTable {
  readonly count: number;
  readonly globalIndex: Int32Array;
  /** Site index of the first rack; the racks of a segment are contiguous. */
  readonly rackStart: Int32Array;
  readonly rackCount: Float64Array;
  readonly row: Int32Array;
  readonly hall: Int32Array;
  readonly typeIndex: Int32Array;
  readonly idleKw: Float64Array;
  /** Design minus idle power, kW per rack. */
  readonly dynamicKw: Float64Array;
  /** Share of rack heat into the row's technology loop: liquid capture, plus the air side on a rear door. */
  readonly tcsShare: Float64Array;
  readonly gpusPerRack: Float64Array;
  readonly serversPerRack: Float64Array;
  /** Weight per rack, kg (the site's `weightKg`): its air-cooled share is thermal mass for the hall air. */
  readonly weightKg: Float64Array;
  /**
   * Share of a rack's heat its air carries (1 − liquid capture), rear-door racks included (their `tcsShare` is 1: the
   * door puts that air's heat on the loop): the share of its weight taken to warm with the hall air.
   */
  readonly airCooledShare: Float64Array;
  readonly maxCoolantC: Float64Array;
  readonly profile: Int32Array;
  /** 1 when the rack type's air side goes through a rear door on the row's loop (`rdhx`), 0 for hall air handlers. */
  readonly rearDoor: Uint8Array;
  /**
   * Rated heat a rack's rear door takes, kW (`rdhxCapacityKW`): its rack's exhaust heat plus what it takes from a
   * warmer room stay within it. +∞ without a rear door or a rating.
   */
  readonly rdhxCapacityKw: Float64Array;
  /** Share of the segment's racks installed and powered (scenario occupancy and "more racks"). Mutable. */
  readonly occupancy: Float64Array;
}

/**
 * Racks of a partition, grouped by row in site order (the racks of local row r are rows.rackStart[r] …
 * rows.rackStart[r + 1] − 1). Per-rack constants of the rack's type; what changes per step lives in the kernel.
 */
export interface RackTable {
  readonly count: number;
  /** Site index of each rack (`site.racks` order). */
  readonly globalIndex: Int32Array;
  readonly row: Int32Array;
  /** Local segment: its occupancy decides whether the rack is installed. */
  readonly segment: Int32Array;
  readonly typeIndex: Int32Array;
  /** Position of the rack in its segment, (k + 0.5) / n: installed when ≤ the segment's occupancy. */
  readonly installPosition: Float64Array;
  readonly idleKw: Float64Array;
  /** Design minus idle power, kW. */
  readonly dynamicKw: Float64Array;
  /** Share of the rack's heat into the row's technology loop (liquid capture, or all of it behind a rear door). */
  readonly tcsShare: Float64Array;
  readonly gpus: Float64Array;
  readonly servers: Float64Array;
  /** Highest coolant supply of the rack type at design power. Mutable (scenario). */
  readonly maxCoolantC: Float64Array;
  /** Utilisation class (index into `profileClasses`). */
  readonly profile: Int32Array;
}

/** Rows and their technology loops (CDU groups). */
export interface RowTable {
  readonly count: number;
  readonly globalIndex: Int32Array;
  /** Segments of row r are segmentStart[r] … segmentStart[r + 1] − 1. */
  readonly segmentStart: Int32Array;
  /** Racks of row r are rackStart[r] … rackStart[r + 1] − 1 (`RackTable`). */
  readonly rackStart: Int32Array;
  readonly hall: Int32Array;
  readonly plant: Int32Array;
  readonly cduInstalled: Int32Array;
  /** CDUs in service (installed minus failed). Mutable. */
  readonly cduAvailable: Float64Array;
  readonly cduCapacityKw: Float64Array;
  readonly cduApproachK: Float64Array;
  readonly cduPumpKw: Float64Array;
  readonly cduRatedFlowLpm: Float64Array;
  /** TCS supply set-point. Mutable (scenario). */
  readonly tcsSetpointC: Float64Array;
  readonly designRiseK: Float64Array;
  /** Volumetric heat capacity of the coolant, kJ/(L·K). */
  readonly coolantKjPerLiterK: Float64Array;
  readonly heatCapacityKjPerK: Float64Array;
  /** Lowest coolant limit of the row's rack types: above it some rack throttles. */
  readonly minimumLimitC: Float64Array;
  /** 1 when the row's CDUs draw from its plant's air-side chilled water (rear-door rows), 0 for facility water. */
  readonly airSide: Uint8Array;
}

/** Halls: UPS, transformers, air handlers. */
export interface HallTable {
  readonly count: number;
  readonly globalIndex: Int32Array;
  readonly plant: Int32Array;
  readonly upsInstalledKw: Float64Array;
  /** UPS efficiency at load fractions 0, 0.01, … 1.2 (121 points), tabulated from the hall's curve. */
  readonly upsEfficiencyTable: Float64Array;
  readonly transformerCount: Float64Array;
  readonly transformerUnitKw: Float64Array;
  readonly transformerNoLoadKw: Float64Array;
  readonly transformerLoadLossKw: Float64Array;
  /** Air handlers in service and their unit capacity and fan power (0 when the hall has none). */
  readonly crahAvailable: Float64Array;
  /** Air handlers installed: fewer available is a failure open in the hall. */
  readonly crahInstalled: Int32Array;
  readonly crahUnitKw: Float64Array;
  readonly crahFanKw: Float64Array;
  /** White space, m² (the hall's air volume is this times `PlantAssumptions.hallAirHeightM`). */
  readonly whiteSpaceM2: Float64Array;
  /** Building area the hall carries house loads for: the site's building area shared by white space, m². */
  readonly houseAreaM2: Float64Array;
  /**
   * The hall's share of the HV substation's rating, kVA (its share of the site's design rack power); 0 when the
   * site is fed at medium voltage (≤ 36 kV), where the hall transformers are the only stage.
   */
  readonly substationKva: Float64Array;
  /** Site power factor (grid kVA per kW). */
  readonly powerFactor: Float64Array;
}

/** Highest voltage of a medium-voltage feed, kV (IEC 60076 and EU 548/2014: medium power transformers ≤ 36 kV). */
export const mediumVoltageLimitKv = 36;

/** Cooling plants: the closed facility water loop, its pumps, dry coolers and trim chillers. */
export interface PlantTable {
  readonly count: number;
  readonly globalIndex: Int32Array;
  /** FWS supply set-point and the class limit above which the loop is out of its class. Mutable. */
  readonly supplySetpointC: Float64Array;
  readonly classLimitC: Float64Array;
  readonly designDeltaTK: Float64Array;
  readonly heatCapacityKjPerK: Float64Array;
  /**
   * Units installed per plant (facility water pumps, dry coolers, trim chillers, air-side pumps and chillers): fewer
   * available is a failure open in the plant.
   */
  readonly pumpsInstalled: Int32Array;
  readonly dryCoolersInstalled: Int32Array;
  readonly chillersInstalled: Int32Array;
  readonly airPumpsInstalled: Int32Array;
  readonly airChillersInstalled: Int32Array;
  readonly pumpsAvailable: Float64Array;
  readonly pumpRatedFlowLpm: Float64Array;
  readonly pumpUnitKw: Float64Array;
  readonly dryCoolersAvailable: Float64Array;
  readonly dryCoolerUnitKw: Float64Array;
  readonly dryCoolerApproachK: Float64Array;
  readonly dryCoolerFanKw: Float64Array;
  /** Extra approach from coil fouling, K. Mutable. */
  readonly foulingK: Float64Array;
  readonly chillersAvailable: Float64Array;
  readonly chillerUnitKw: Float64Array;
  /** Chiller COP at lifts 0, 1, … 60 K (61 points), tabulated from the plant's curve. */
  readonly copTable: Float64Array;
  /** 1 when the adiabatic sprays may run. Mutable. */
  readonly adiabaticEnabled: Float64Array;
  readonly adiabaticEffectiveness: Float64Array;
  readonly adiabaticStartAboveC: Float64Array;
  readonly makeUpM3PerDay: Float64Array;
  /**
   * The air-side chilled-water loop (air handler coils, rear-door rows' CDUs): 1 when the plant has one. Its supply
   * set-point, design ΔT, thermal mass, pumps, and air-cooled chillers with free-cooling coils (`airChillers…`,
   * units available mutable; COP table like `copTable`; free-cooling coil conductance per unit, kW/K; fans per unit).
   */
  readonly airSide: Uint8Array;
  readonly airSupplySetpointC: Float64Array;
  readonly airDesignDeltaTK: Float64Array;
  readonly airHeatCapacityKjPerK: Float64Array;
  readonly airPumpsAvailable: Float64Array;
  readonly airPumpRatedFlowLpm: Float64Array;
  readonly airPumpUnitKw: Float64Array;
  readonly airChillersAvailable: Float64Array;
  readonly airChillerUnitKw: Float64Array;
  readonly airCopTable: Float64Array;
  readonly airFreeCoolingKwPerK: Float64Array;
  readonly airChillerFanKw: Float64Array;
}

/** Whole plants of a site with their halls, rows and segments, as typed arrays. */
export interface Partition {
  readonly segments: SegmentTable;
  readonly racks: RackTable;
  readonly rows: RowTable;
  readonly halls: HallTable;
  readonly plants: PlantTable;
  /**
   * Seconds after a rack latches off with no failure open in its scope until the site's operator restarts its row
   * (the site file's `site.operatorResponseS`, default `defaultOperatorResponseS`); null (`off`): no response.
   */
  readonly operatorResponseS: number | null;
}

/**
 * The utilisation class of a segment, by zone and rack type: rows in a zone hosting health data follow office hours
 * (hospital and diagnostics work); large NVLink racks train (steady, high); other GPU racks serve inference
 * (diurnal); CPU and storage racks follow the inference day they support.
 */
export function profileOf(site: Site, typeIndex: number, rowIndex: number): ProfileClass {
  const row = site.rows[rowIndex]!;
  const zone = site.zones.find((candidate) => candidate.id === row.zoneId);
  if (zone?.dataClasses.includes("health") === true) return "office-hours";
  const type = site.rackTypes[typeIndex]!;
  if (type.nvlinkDomainSize >= 32) return "training";
  return "inference";
}

/** Segments of a site in rack order: maximal runs of one rack type within a row. */
export function siteSegments(site: Site): { rackStart: number; rackCount: number; rowIndex: number }[] {
  const segments: { rackStart: number; rackCount: number; rowIndex: number }[] = [];
  for (const row of site.rows) {
    let start = row.rackStart;
    for (let rack = row.rackStart + 1; rack <= row.rackStart + row.rackCount; rack++) {
      const ended = rack === row.rackStart + row.rackCount;
      if (ended || site.racks[rack]!.typeIndex !== site.racks[start]!.typeIndex) {
        segments.push({ rackStart: start, rackCount: rack - start, rowIndex: row.index });
        start = rack;
      }
    }
  }
  return segments;
}

/** Builds the partition holding `plantIndexes` (site plant indexes), with every segment numbered site-wide. */
export function buildPartition(site: Site, plantIndexes: readonly number[]): Partition {
  const plantLocal = new Map<number, number>(plantIndexes.map((plant, local) => [plant, local]));
  const halls = site.halls.filter((hall) => plantLocal.has(hall.plantIndex));
  const hallLocal = new Map<number, number>(halls.map((hall, local) => [hall.index, local]));
  const rows = site.rows.filter((row) => hallLocal.has(row.hallIndex));
  const segmentsGlobal = siteSegments(site)
    .map((segment, globalIndex) => ({ ...segment, globalIndex }))
    .filter((segment) => hallLocal.has(site.rows[segment.rowIndex]!.hallIndex));
  const rowTable = emptyRowTable(rows.length);
  const rowLocal = new Map<number, number>(rows.map((row, local) => [row.index, local]));
  const { segments, rowDesignHeat } = segmentTableOf(site, segmentsGlobal, rowLocal, hallLocal, rowTable);
  fillRowTable(site, rows, rowDesignHeat, hallLocal, plantLocal, rowTable);
  return {
    segments,
    racks: rackTableOf(site, segments, rowTable),
    rows: rowTable,
    halls: hallTableOf(site, halls, plantLocal),
    plants: plantTableOf(site, plantIndexes),
    operatorResponseS: site.operatorResponseS === undefined ? defaultOperatorResponseS : site.operatorResponseS,
  };
}

/** A segment of the site (`siteSegments`) with its site-wide index. */
type GlobalSegment = ReturnType<typeof siteSegments>[number] & { readonly globalIndex: number };

/**
 * The segment table of a partition's segments; as it walks them it fills each row's segment range and lowest coolant
 * limit in `rowTable`, and returns each row's design heat into its technology loop (which sizes the loop's volume).
 */
function segmentTableOf(
  site: Site,
  segmentsGlobal: readonly GlobalSegment[],
  rowLocal: ReadonlyMap<number, number>,
  hallLocal: ReadonlyMap<number, number>,
  rowTable: RowTable,
): { segments: SegmentTable; rowDesignHeat: Float64Array } {
  const segmentCount = segmentsGlobal.length;
  const segments: SegmentTable = {
    count: segmentCount,
    globalIndex: new Int32Array(segmentCount),
    rackStart: new Int32Array(segmentCount),
    rackCount: new Float64Array(segmentCount),
    row: new Int32Array(segmentCount),
    hall: new Int32Array(segmentCount),
    typeIndex: new Int32Array(segmentCount),
    idleKw: new Float64Array(segmentCount),
    dynamicKw: new Float64Array(segmentCount),
    tcsShare: new Float64Array(segmentCount),
    gpusPerRack: new Float64Array(segmentCount),
    serversPerRack: new Float64Array(segmentCount),
    weightKg: new Float64Array(segmentCount),
    airCooledShare: new Float64Array(segmentCount),
    maxCoolantC: new Float64Array(segmentCount),
    profile: new Int32Array(segmentCount),
    rearDoor: new Uint8Array(segmentCount),
    rdhxCapacityKw: new Float64Array(segmentCount),
    occupancy: new Float64Array(segmentCount).fill(1),
  };
  const rowDesignHeat = new Float64Array(rowTable.count);
  segmentsGlobal.forEach((segment, local) => {
    const row = rowLocal.get(segment.rowIndex)!;
    const rack = site.racks[segment.rackStart]!;
    const type = site.rackTypes[rack.typeIndex]!;
    const tcsShare = type.airCooling === "rdhx" ? 1 : type.liquidCaptureFraction;
    segments.globalIndex[local] = segment.globalIndex;
    segments.rackStart[local] = segment.rackStart;
    segments.rackCount[local] = segment.rackCount;
    segments.row[local] = row;
    segments.hall[local] = hallLocal.get(rack.hallIndex)!;
    segments.typeIndex[local] = rack.typeIndex;
    segments.idleKw[local] = type.idlePower;
    segments.dynamicKw[local] = type.designPower - type.idlePower;
    segments.tcsShare[local] = tcsShare;
    segments.gpusPerRack[local] = type.gpusPerRack;
    segments.serversPerRack[local] = type.servers;
    segments.weightKg[local] = type.weight;
    segments.airCooledShare[local] = 1 - type.liquidCaptureFraction;
    segments.maxCoolantC[local] = type.maxCoolantSupply;
    segments.profile[local] = profileClasses.indexOf(profileOf(site, rack.typeIndex, segment.rowIndex));
    segments.rearDoor[local] = type.airCooling === "rdhx" ? 1 : 0;
    segments.rdhxCapacityKw[local] =
      type.airCooling === "rdhx" && type.rdhxCapacity !== undefined ? type.rdhxCapacity : Number.POSITIVE_INFINITY;
    rowTable.minimumLimitC[row] = Math.min(rowTable.minimumLimitC[row]!, type.maxCoolantSupply);
    rowTable.segmentStart[row + 1] = local + 1;
    rowDesignHeat[row]! += segment.rackCount * type.designPower * tcsShare;
  });
  return { segments, rowDesignHeat };
}

/** A row table of `rowCount` rows, zeroed, with no coolant limit yet (+∞, lowered by each segment). */
function emptyRowTable(rowCount: number): RowTable {
  return {
    count: rowCount,
    globalIndex: new Int32Array(rowCount),
    segmentStart: new Int32Array(rowCount + 1),
    rackStart: new Int32Array(rowCount + 1),
    hall: new Int32Array(rowCount),
    plant: new Int32Array(rowCount),
    cduInstalled: new Int32Array(rowCount),
    cduAvailable: new Float64Array(rowCount),
    cduCapacityKw: new Float64Array(rowCount),
    cduApproachK: new Float64Array(rowCount),
    cduPumpKw: new Float64Array(rowCount),
    cduRatedFlowLpm: new Float64Array(rowCount),
    tcsSetpointC: new Float64Array(rowCount),
    designRiseK: new Float64Array(rowCount),
    coolantKjPerLiterK: new Float64Array(rowCount),
    heatCapacityKjPerK: new Float64Array(rowCount),
    minimumLimitC: new Float64Array(rowCount).fill(Number.POSITIVE_INFINITY),
    airSide: new Uint8Array(rowCount),
  };
}

/** Fills the per-row loop fields (CDUs, set-point, coolant, volume from the row's design heat) of `rowTable`. */
function fillRowTable(
  site: Site,
  rows: readonly Site["rows"][number][],
  rowDesignHeat: Float64Array,
  hallLocal: ReadonlyMap<number, number>,
  plantLocal: ReadonlyMap<number, number>,
  rowTable: RowTable,
): void {
  const rowCount = rows.length;
  const onAirSide = airSideRows(site);
  rows.forEach((row, local) => {
    const coolant = fluidProperties(row.tcs.fluid) ?? fluidProperties("PG25")!;
    const kjPerLiterK = (coolant.densityKgPerM3 / 1000) * coolant.specificHeatKJPerKgK;
    const liters = Math.max(tcsMinimumLiters, tcsLitersPerKilowatt * rowDesignHeat[local]!);
    rowTable.globalIndex[local] = row.index;
    rowTable.hall[local] = hallLocal.get(row.hallIndex)!;
    rowTable.plant[local] = plantLocal.get(row.tcs.plantIndex)!;
    rowTable.cduInstalled[local] = row.tcs.ids.length;
    rowTable.cduAvailable[local] = row.tcs.ids.length;
    rowTable.cduCapacityKw[local] = row.tcs.model.capacity;
    rowTable.cduApproachK[local] = row.tcs.model.approach;
    rowTable.cduPumpKw[local] = row.tcs.model.pumpPower;
    rowTable.cduRatedFlowLpm[local] = row.tcs.model.ratedFlow;
    rowTable.tcsSetpointC[local] = row.tcs.supplySetpoint;
    rowTable.designRiseK[local] = row.tcs.designRise;
    rowTable.coolantKjPerLiterK[local] = kjPerLiterK;
    rowTable.heatCapacityKjPerK[local] = liters * kjPerLiterK;
    rowTable.airSide[local] = onAirSide[row.index]!;
  });
  // Rows without segments (none in valid sites) keep an empty range.
  for (let row = 1; row <= rowCount; row++) {
    if (rowTable.segmentStart[row]! < rowTable.segmentStart[row - 1]!) {
      rowTable.segmentStart[row] = rowTable.segmentStart[row - 1]!;
    }
  }
}

/** The hall table of a partition's halls: UPS curve, transformers, CRAHs, house area and substation share. */
function hallTableOf(
  site: Site,
  halls: readonly Site["halls"][number][],
  plantLocal: ReadonlyMap<number, number>,
): HallTable {
  const hallCount = halls.length;
  const hallTable: HallTable = {
    count: hallCount,
    globalIndex: new Int32Array(hallCount),
    plant: new Int32Array(hallCount),
    upsInstalledKw: new Float64Array(hallCount),
    upsEfficiencyTable: new Float64Array(hallCount * upsTablePoints),
    transformerCount: new Float64Array(hallCount),
    transformerUnitKw: new Float64Array(hallCount),
    transformerNoLoadKw: new Float64Array(hallCount),
    transformerLoadLossKw: new Float64Array(hallCount),
    crahAvailable: new Float64Array(hallCount),
    crahInstalled: new Int32Array(hallCount),
    crahUnitKw: new Float64Array(hallCount),
    crahFanKw: new Float64Array(hallCount),
    whiteSpaceM2: new Float64Array(hallCount),
    houseAreaM2: new Float64Array(hallCount),
    substationKva: new Float64Array(hallCount),
    powerFactor: new Float64Array(hallCount).fill(site.powerFactor),
  };
  const totalWhiteSpace = site.halls.reduce((sum, hall) => sum + hall.whiteSpace, 0);
  const houseArea = site.buildingArea ?? totalWhiteSpace;
  const hallDesignKw = site.halls.map(() => 0);
  for (const rack of site.racks) hallDesignKw[rack.hallIndex]! += site.rackTypes[rack.typeIndex]!.designPower;
  const siteDesignKw = hallDesignKw.reduce((sum, value) => sum + value, 0);
  // One transformer bank per HV feed, rated for the feed (2N feeds each carry half the load in normal operation).
  const substationKva = site.gridFeeds
    .filter((feed) => feed.voltageKV > mediumVoltageLimitKv)
    .reduce((sum, feed) => sum + feed.capacity / site.powerFactor, 0);
  halls.forEach((hall, local) => {
    hallTable.houseAreaM2[local] = totalWhiteSpace > 0 ? (houseArea * hall.whiteSpace) / totalWhiteSpace : 0;
    hallTable.substationKva[local] = siteDesignKw > 0 ? (substationKva * hallDesignKw[hall.index]!) / siteDesignKw : 0;
  });
  halls.forEach((hall, local) => {
    hallTable.globalIndex[local] = hall.index;
    hallTable.plant[local] = plantLocal.get(hall.plantIndex)!;
    hallTable.upsInstalledKw[local] = hall.ups.ids.length * hall.ups.unitCapacity;
    const curve = hall.ups.efficiencyCurve.map((point) => ({ x: point.load, y: point.efficiency }));
    for (let point = 0; point < upsTablePoints; point++) {
      hallTable.upsEfficiencyTable[local * upsTablePoints + point] = interpolate(curve, point / 100);
    }
    hallTable.transformerCount[local] = hall.transformers.ids.length;
    hallTable.transformerUnitKw[local] = hall.transformers.unitCapacity;
    hallTable.transformerNoLoadKw[local] = hall.transformers.noLoadLoss;
    hallTable.transformerLoadLossKw[local] = hall.transformers.loadLoss;
    hallTable.crahAvailable[local] = hall.crah?.ids.length ?? 0;
    hallTable.crahInstalled[local] = hall.crah?.ids.length ?? 0;
    hallTable.crahUnitKw[local] = hall.crah?.unitCapacity ?? 0;
    hallTable.crahFanKw[local] = hall.crah?.fanPower ?? 0;
    hallTable.whiteSpaceM2[local] = hall.whiteSpace;
  });

  return hallTable;
}

/** The plant table of a partition's plants: facility loop, pumps, dry coolers, chillers, sprays and the air side. */
function plantTableOf(site: Site, plantIndexes: readonly number[]): PlantTable {
  const plantCount = plantIndexes.length;
  const water = fluidProperties("water")!;
  const plantTable: PlantTable = {
    count: plantCount,
    globalIndex: Int32Array.from(plantIndexes),
    supplySetpointC: new Float64Array(plantCount),
    classLimitC: new Float64Array(plantCount),
    designDeltaTK: new Float64Array(plantCount),
    heatCapacityKjPerK: new Float64Array(plantCount),
    pumpsInstalled: new Int32Array(plantCount),
    dryCoolersInstalled: new Int32Array(plantCount),
    chillersInstalled: new Int32Array(plantCount),
    airPumpsInstalled: new Int32Array(plantCount),
    airChillersInstalled: new Int32Array(plantCount),
    pumpsAvailable: new Float64Array(plantCount),
    pumpRatedFlowLpm: new Float64Array(plantCount),
    pumpUnitKw: new Float64Array(plantCount),
    dryCoolersAvailable: new Float64Array(plantCount),
    dryCoolerUnitKw: new Float64Array(plantCount),
    dryCoolerApproachK: new Float64Array(plantCount),
    dryCoolerFanKw: new Float64Array(plantCount),
    foulingK: new Float64Array(plantCount),
    chillersAvailable: new Float64Array(plantCount),
    chillerUnitKw: new Float64Array(plantCount),
    copTable: new Float64Array(plantCount * copTablePoints),
    adiabaticEnabled: new Float64Array(plantCount),
    adiabaticEffectiveness: new Float64Array(plantCount),
    adiabaticStartAboveC: new Float64Array(plantCount),
    makeUpM3PerDay: new Float64Array(plantCount),
    airSide: new Uint8Array(plantCount),
    airSupplySetpointC: new Float64Array(plantCount),
    airDesignDeltaTK: new Float64Array(plantCount),
    airHeatCapacityKjPerK: new Float64Array(plantCount),
    airPumpsAvailable: new Float64Array(plantCount),
    airPumpRatedFlowLpm: new Float64Array(plantCount),
    airPumpUnitKw: new Float64Array(plantCount),
    airChillersAvailable: new Float64Array(plantCount),
    airChillerUnitKw: new Float64Array(plantCount),
    airCopTable: new Float64Array(plantCount * copTablePoints),
    airFreeCoolingKwPerK: new Float64Array(plantCount),
    airChillerFanKw: new Float64Array(plantCount),
  };
  plantIndexes.forEach((plantIndex, local) => {
    const plant = site.plants[plantIndex]!;
    plantTable.supplySetpointC[local] = plant.supplySetpoint;
    plantTable.classLimitC[local] = facilityWaterClassLimitC[plant.waterClass];
    plantTable.designDeltaTK[local] = plant.designDeltaT;
    plantTable.heatCapacityKjPerK[local] = plant.waterVolume * water.densityKgPerM3 * water.specificHeatKJPerKgK;
    plantTable.pumpsAvailable[local] = plant.pumps.ids.length;
    plantTable.pumpsInstalled[local] = plant.pumps.ids.length;
    plantTable.dryCoolersInstalled[local] = plant.dryCoolers.ids.length;
    plantTable.chillersInstalled[local] = plant.chillers.ids.length;
    plantTable.pumpRatedFlowLpm[local] = plant.pumps.ratedFlow;
    plantTable.pumpUnitKw[local] = plant.pumps.unitPower;
    plantTable.dryCoolersAvailable[local] = plant.dryCoolers.ids.length;
    plantTable.dryCoolerUnitKw[local] = plant.dryCoolers.unitCapacity;
    plantTable.dryCoolerApproachK[local] = plant.dryCoolers.approach;
    plantTable.dryCoolerFanKw[local] = plant.dryCoolers.fanPower;
    plantTable.chillersAvailable[local] = plant.chillers.ids.length;
    plantTable.chillerUnitKw[local] = plant.chillers.unitCapacity;
    const cop = [...plant.chillers.copCurve].sort((a, b) => a.liftK - b.liftK).map((p) => ({ x: p.liftK, y: p.cop }));
    for (let lift = 0; lift < copTablePoints; lift++) {
      plantTable.copTable[local * copTablePoints + lift] = interpolate(cop, lift);
    }
    plantTable.adiabaticEnabled[local] = plant.adiabatic.enabled ? 1 : 0;
    plantTable.adiabaticEffectiveness[local] = plant.adiabatic.effectiveness;
    plantTable.adiabaticStartAboveC[local] = plant.adiabatic.startAbove;
    plantTable.makeUpM3PerDay[local] = plant.makeUpLossM3PerDay;
    const air = plant.airSide;
    if (air !== undefined) {
      plantTable.airSide[local] = 1;
      plantTable.airSupplySetpointC[local] = air.supplySetpoint;
      plantTable.airDesignDeltaTK[local] = air.designDeltaT;
      plantTable.airHeatCapacityKjPerK[local] = air.waterVolume * water.densityKgPerM3 * water.specificHeatKJPerKgK;
      plantTable.airPumpsAvailable[local] = air.pumps.ids.length;
      plantTable.airPumpsInstalled[local] = air.pumps.ids.length;
      plantTable.airChillersInstalled[local] = air.chillers.ids.length;
      plantTable.airPumpRatedFlowLpm[local] = air.pumps.ratedFlow;
      plantTable.airPumpUnitKw[local] = air.pumps.unitPower;
      plantTable.airChillersAvailable[local] = air.chillers.ids.length;
      plantTable.airChillerUnitKw[local] = air.chillers.unitCapacity;
      // A unit's free-cooling coil rejects its rated capacity at `freeCoolingDifference` (return water − air).
      plantTable.airFreeCoolingKwPerK[local] = air.chillers.unitCapacity / air.chillers.freeCoolingDifference;
      plantTable.airChillerFanKw[local] = air.chillers.fanPower;
      const airCop = [...air.chillers.copCurve]
        .sort((a, b) => a.liftK - b.liftK)
        .map((p) => ({ x: p.liftK, y: p.cop }));
      for (let lift = 0; lift < copTablePoints; lift++) {
        plantTable.airCopTable[local * copTablePoints + lift] = interpolate(airCop, lift);
      }
    }
  });
  return plantTable;
}

/** The per-rack table of a partition's segments (whose racks are contiguous and in row order); fills rows.rackStart. */
function rackTableOf(site: Site, segments: SegmentTable, rows: RowTable): RackTable {
  let count = 0;
  for (let segment = 0; segment < segments.count; segment++) count += segments.rackCount[segment]!;
  const racks: RackTable = {
    count,
    globalIndex: new Int32Array(count),
    row: new Int32Array(count),
    segment: new Int32Array(count),
    typeIndex: new Int32Array(count),
    installPosition: new Float64Array(count),
    idleKw: new Float64Array(count),
    dynamicKw: new Float64Array(count),
    tcsShare: new Float64Array(count),
    gpus: new Float64Array(count),
    servers: new Float64Array(count),
    maxCoolantC: new Float64Array(count),
    profile: new Int32Array(count),
  };
  let rack = 0;
  for (let row = 0; row < rows.count; row++) {
    rows.rackStart[row] = rack;
    for (let segment = rows.segmentStart[row]!; segment < rows.segmentStart[row + 1]!; segment++) {
      const size = segments.rackCount[segment]!;
      const type = site.rackTypes[segments.typeIndex[segment]!]!;
      for (let k = 0; k < size; k++, rack++) {
        racks.globalIndex[rack] = segments.rackStart[segment]! + k;
        racks.row[rack] = row;
        racks.segment[rack] = segment;
        racks.typeIndex[rack] = segments.typeIndex[segment]!;
        racks.installPosition[rack] = (k + 0.5) / size;
        racks.idleKw[rack] = segments.idleKw[segment]!;
        racks.dynamicKw[rack] = segments.dynamicKw[segment]!;
        racks.tcsShare[rack] = segments.tcsShare[segment]!;
        racks.gpus[rack] = type.gpusPerRack;
        racks.servers[rack] = type.servers;
        racks.maxCoolantC[rack] = segments.maxCoolantC[segment]!;
        racks.profile[rack] = segments.profile[segment]!;
      }
    }
  }
  rows.rackStart[rows.count] = rack;
  return racks;
}

/** Splits a site's plants into at most `parts` groups with about the same number of racks each. */
export function partitionPlants(site: Site, parts: number): number[][] {
  const racksPerPlant = site.plants.map((plant) =>
    plant.hallIndexes.reduce((sum, hall) => sum + site.halls[hall]!.rackCount, 0),
  );
  const order = site.plants.map((plant) => plant.index).sort((a, b) => racksPerPlant[b]! - racksPerPlant[a]!);
  const groups: number[][] = Array.from({ length: Math.max(1, Math.min(parts, site.plants.length)) }, () => []);
  const loads = new Float64Array(groups.length);
  for (const plant of order) {
    let lightest = 0;
    for (let group = 1; group < groups.length; group++) if (loads[group]! < loads[lightest]!) lightest = group;
    groups[lightest]!.push(plant);
    loads[lightest]! += racksPerPlant[plant]!;
  }
  return groups.map((group) => group.sort((a, b) => a - b)).filter((group) => group.length > 0);
}
