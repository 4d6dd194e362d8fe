/**
 * Design-load analysis of a site: for every group of paralleled units at every level of the power and cooling
 * chains, the design load it carries, what is installed and what remains available under its declared redundancy.
 * Validation turns this into errors and warnings; `site show` aggregates it into the summary table.
 */
import { flowForHeat, fluidProperties, interpolate, unitsAvailable, unitsNeeded } from "./physics.ts";
import { rackRuns } from "./rack-runs.ts";
import type { Redundancy } from "./schema.ts";
import type { Hall, Plant, Site } from "./site.ts";
import { type Kilowatts, kelvin, kilowatts } from "./units.ts";

/** Levels of the power and cooling chains, upstream first. */
export const capacityLevels = [
  "grid feeds",
  "transformers",
  "UPS",
  "busways",
  "CDUs",
  "CRAH",
  "FWS pumps",
  "dry coolers",
  "chillers",
  "air-side pumps",
  "air-side chillers",
] as const;
/** One level. */
export type CapacityLevel = (typeof capacityLevels)[number];

/** One group's design check. `unit` is kW except for pumps (L/min). */
export interface GroupCheck {
  readonly level: CapacityLevel;
  /** The object the group serves: a row, hall, plant or the site. */
  readonly owner: string;
  readonly path: string;
  readonly unit: "kW" | "L/min";
  readonly load: number;
  readonly installed: number;
  readonly available: number;
  readonly redundancy: Redundancy;
  readonly unitCount: number;
  readonly unitCapacity: number;
}

/** Per-hall and per-plant design figures derived on the way. */
export interface DesignFigures {
  readonly rowItLoad: Float64Array;
  readonly rowLiquidHeat: Float64Array;
  readonly hallItLoad: Float64Array;
  readonly hallCrahHeat: Float64Array;
  readonly hallUpsLoss: Float64Array;
  readonly hallMechanical: Float64Array;
  readonly hallGridDemand: Float64Array;
  readonly plantHeat: Float64Array;
  readonly plantMechanical: Float64Array;
  /** Heat the dry coolers alone can reject at design ambient under their redundancy. */
  readonly plantDryCoolerAvailable: Float64Array;
  readonly totalIt: Kilowatts;
  readonly totalGridDemand: Kilowatts;
}

/** The full design analysis. */
export interface CapacityAnalysis {
  readonly checks: readonly GroupCheck[];
  readonly figures: DesignFigures;
}

/**
 * Share of a plant's heat that trim chillers must take at an outdoor dry bulb: the part of the loop's design
 * temperature drop below what the dry coolers reach (ambient + approach), clamped to 0–1.
 */
export function trimShareAt(plant: Plant, ambientC: number): number {
  const reachable = ambientC + plant.dryCoolers.approach;
  return Math.min(1, Math.max(0, (reachable - plant.supplySetpoint) / plant.designDeltaT));
}

/** UPS efficiency at a load fraction, from the curve (points sorted by load). */
export function upsEfficiency(hall: Hall, loadFraction: number): number {
  return interpolate(
    hall.ups.efficiencyCurve.map((point) => ({ x: point.load, y: point.efficiency })),
    loadFraction,
  );
}

/** Chiller COP at a lift (K), from the plant's curve. */
export function chillerCop(plant: Plant, liftK: number): number {
  const points = [...plant.chillers.copCurve]
    .sort((a, b) => a.liftK - b.liftK)
    .map((point) => ({ x: point.liftK, y: point.cop }));
  return interpolate(points, liftK);
}

function check(
  level: CapacityLevel,
  owner: string,
  path: string,
  load: number,
  unitCount: number,
  unitCapacity: number,
  redundancy: Redundancy,
  unit: "kW" | "L/min" = "kW",
): GroupCheck {
  return {
    level,
    owner,
    path,
    unit,
    load,
    installed: unitCount * unitCapacity,
    available: unitsAvailable(unitCount, redundancy) * unitCapacity,
    redundancy,
    unitCount,
    unitCapacity,
  };
}

/**
 * Per row (site index): 1 when its CDUs draw from its plant's air-side chilled-water loop. A row holding a rear-door
 * rack runs its technology loop cool enough for the doors to give an ASHRAE inlet (about 18–22 °C), which the warm
 * facility loop cannot supply; rows of only direct-liquid racks stay on facility water.
 */
export function airSideRows(site: Site): Uint8Array {
  const flags = new Uint8Array(site.rows.length);
  for (const run of rackRuns(site).runs) {
    if (site.rackTypes[run.typeIndex]!.airCooling !== "rdhx") continue;
    const row = site.rows[run.rowIndex]!;
    if (site.plants[row.tcs.plantIndex]?.airSide !== undefined) flags[row.index] = 1;
  }
  return flags;
}

/** Air-side chiller COP at a lift (K), from the plant's air-side curve. */
export function airSideCop(plant: Plant, liftK: number): number {
  const points = [...(plant.airSide?.chillers.copCurve ?? [])]
    .sort((a, b) => a.liftK - b.liftK)
    .map((point) => ({ x: point.liftK, y: point.cop }));
  return interpolate(points, liftK);
}

/**
 * Design checks of a plant's air-side loop carrying `heat` kW at design ambient (no free cooling then: the outdoor air
 * is above the return water), and its electrical power there: pumps plus compressors at the design lift.
 */
function airSideDesign(plant: Plant, heat: number, checks: GroupCheck[]): number {
  const air = plant.airSide!;
  const water = fluidProperties("water")!;
  const flow = flowForHeat(kilowatts(heat), air.designDeltaT, water);
  const pumpPower = unitsNeeded(flow, air.pumps.ratedFlow) * air.pumps.unitPower;
  const path = `${plant.path}.airSide`;
  const { pumps, chillers } = air;
  checks.push(
    check(
      "air-side pumps",
      plant.id,
      `${path}.pumps`,
      flow,
      pumps.ids.length,
      pumps.ratedFlow,
      pumps.redundancy,
      "L/min",
    ),
  );
  const load = heat + pumpPower;
  checks.push(
    check(
      "air-side chillers",
      plant.id,
      `${path}.chillers`,
      load,
      chillers.ids.length,
      chillers.unitCapacity,
      chillers.redundancy,
    ),
  );
  // Refrigerant lift at design ambient: condensing about 12 K above the air, evaporating about 2 K below the water.
  const liftK = plant.dryCoolers.designAmbient + 12 - (air.supplySetpoint - 2);
  return pumpPower + load / airSideCop(plant, liftK);
}

/** Design IT load and heat summed from the racks, per row and per hall. */
interface RackLoads {
  readonly rowItLoad: Float64Array;
  readonly rowLiquidHeat: Float64Array;
  readonly hallItLoad: Float64Array;
  readonly hallCrahHeat: Float64Array;
}

/** Sums every rack's design power and its liquid, rear-door and CRAH heat into its row and hall. */
function rackLoads(site: Site): RackLoads {
  const rowItLoad = new Float64Array(site.rows.length);
  const rowLiquidHeat = new Float64Array(site.rows.length);
  const hallItLoad = new Float64Array(site.halls.length);
  const hallCrahHeat = new Float64Array(site.halls.length);
  for (const run of rackRuns(site).runs) {
    const type = site.rackTypes[run.typeIndex]!;
    const liquid = type.designPower * type.liquidCaptureFraction;
    const air = type.designPower - liquid;
    // Rear-door exchangers sit on the row's technology loop, so their heat goes through the CDUs.
    const rowHeat = type.airCooling === "rdhx" ? type.designPower : liquid;
    const crah = type.airCooling === "crah";
    // Rack by rack, in rack order: each sum is the one a loop over the racks makes, to the last bit.
    let rowIt = rowItLoad[run.rowIndex]!;
    let rowLiquid = rowLiquidHeat[run.rowIndex]!;
    let hallCrah = hallCrahHeat[run.hallIndex]!;
    let hallIt = hallItLoad[run.hallIndex]!;
    for (let rack = 0; rack < run.count; rack++) {
      rowIt += type.designPower;
      rowLiquid += rowHeat;
      if (crah) hallCrah += air;
      hallIt += type.designPower;
    }
    // A run lies in one row of one hall, so these are that row's and that hall's sums so far.
    rowItLoad[run.rowIndex] = rowIt;
    rowLiquidHeat[run.rowIndex] = rowLiquid;
    hallCrahHeat[run.hallIndex] = hallCrah;
    hallItLoad[run.hallIndex] = hallIt;
  }
  return { rowItLoad, rowLiquidHeat, hallItLoad, hallCrahHeat };
}

/** What the rows and halls add per hall: CDU pumps, heat the air-side loops take, UPS losses, CRAH fans. */
interface HallFigures {
  readonly hallUpsLoss: Float64Array;
  readonly hallCduPumps: Float64Array;
  readonly hallCrahFans: Float64Array;
  readonly hallAirSideHeat: Float64Array;
}

/** Checks each row's busways and CDUs; sums its CDU pumps and the heat an air-side loop takes into its hall. */
function checkRows(site: Site, loads: RackLoads, checks: GroupCheck[], figures: HallFigures): void {
  const { rowItLoad, rowLiquidHeat } = loads;
  const { hallCduPumps, hallAirSideHeat } = figures;
  // Heat the air-side loops take (rear-door rows through their CDUs, air handlers), per hall.
  const onAirSide = airSideRows(site);
  for (const row of site.rows) {
    checks.push(
      check(
        "busways",
        row.id,
        `${row.path}.busways`,
        rowItLoad[row.index]!,
        row.busways.ids.length,
        row.busways.unitCapacity,
        row.busways.redundancy,
      ),
    );
    checks.push(
      check(
        "CDUs",
        row.id,
        `${row.path}.cdus`,
        rowLiquidHeat[row.index]!,
        row.tcs.ids.length,
        row.tcs.unitCapacity,
        row.tcs.redundancy,
      ),
    );
    // Pumps of the CDUs that must run, at the power for their share of design flow (affinity: P ∝ Q³).
    const running = Math.max(1, unitsNeeded(rowLiquidHeat[row.index]!, row.tcs.unitCapacity));
    const shareOfRated = rowLiquidHeat[row.index]! / (running * row.tcs.unitCapacity);
    const cduPumps = running * row.tcs.model.pumpPower * shareOfRated ** 3;
    hallCduPumps[row.hallIndex]! += cduPumps;
    if (onAirSide[row.index] === 1) hallAirSideHeat[row.hallIndex]! += rowLiquidHeat[row.index]! + cduPumps;
  }
}

/** Checks each hall's UPS and air handlers; its UPS losses, CRAH fans and the CRAH heat an air-side loop takes. */
function checkHalls(site: Site, loads: RackLoads, checks: GroupCheck[], figures: HallFigures): void {
  const { hallItLoad, hallCrahHeat } = loads;
  const { hallUpsLoss, hallCrahFans, hallAirSideHeat } = figures;
  for (const hall of site.halls) {
    const it = hallItLoad[hall.index]!;
    const upsCapacity = unitsAvailable(hall.ups.ids.length, hall.ups.redundancy) * hall.ups.unitCapacity;
    const efficiency = upsEfficiency(hall, upsCapacity > 0 ? it / (hall.ups.ids.length * hall.ups.unitCapacity) : 1);
    hallUpsLoss[hall.index] = it / efficiency - it;
    checks.push(
      check(
        "UPS",
        hall.id,
        `${hall.path}.power.ups`,
        it,
        hall.ups.ids.length,
        hall.ups.unitCapacity,
        hall.ups.redundancy,
      ),
    );
    if (hall.crah !== undefined) {
      const air = hallCrahHeat[hall.index]!;
      checks.push(
        check(
          "CRAH",
          hall.id,
          `${hall.path}.crah`,
          air,
          hall.crah.ids.length,
          hall.crah.unitCapacity,
          hall.crah.redundancy,
        ),
      );
      hallCrahFans[hall.index] = unitsNeeded(air, hall.crah.unitCapacity) * hall.crah.fanPower;
      if (site.plants[hall.plantIndex]?.airSide !== undefined) {
        hallAirSideHeat[hall.index]! += air + hallCrahFans[hall.index]!;
      }
    } else if (hallCrahHeat[hall.index]! > 0) {
      checks.push(check("CRAH", hall.id, `${hall.path}.crah`, hallCrahHeat[hall.index]!, 0, 0, "N"));
    }
  }
}

/** Per plant: the heat it rejects at design and the power of its pumps, fans and chillers; dry coolers available. */
interface PlantFigures {
  readonly plantHeat: Float64Array;
  readonly plantMechanical: Float64Array;
  readonly plantDryCoolerAvailable: Float64Array;
}

/** Checks each plant's pumps, dry coolers, chillers (and air side) at design ambient. */
function checkPlants(site: Site, loads: RackLoads, halls: HallFigures, checks: GroupCheck[]): PlantFigures {
  const { hallItLoad } = loads;
  const { hallUpsLoss, hallCduPumps, hallCrahFans, hallAirSideHeat } = halls;
  const plantHeat = new Float64Array(site.plants.length);
  const plantMechanical = new Float64Array(site.plants.length);
  const plantDryCoolerAvailable = new Float64Array(site.plants.length);
  const water = fluidProperties("water")!;
  for (const plant of site.plants) {
    let heat = 0;
    let airSideHeat = 0;
    for (const hallIndex of plant.hallIndexes) {
      heat += hallItLoad[hallIndex]! + hallUpsLoss[hallIndex]! + hallCduPumps[hallIndex]! + hallCrahFans[hallIndex]!;
      airSideHeat += hallAirSideHeat[hallIndex]!;
    }
    // What the air-side loop takes leaves the facility loop: its chillers reject it (and their power) outdoors.
    heat -= airSideHeat;
    const airSideMechanical = plant.airSide === undefined ? 0 : airSideDesign(plant, airSideHeat, checks);
    const flow = flowForHeat(kilowatts(heat), plant.designDeltaT, water);
    const pumpsRunning = unitsNeeded(flow, plant.pumps.ratedFlow);
    const pumpPower = pumpsRunning * plant.pumps.unitPower;
    heat += pumpPower;
    plantHeat[plant.index] = heat;
    checks.push(
      check(
        "FWS pumps",
        plant.id,
        `${plant.path}.fws.pumps`,
        flow,
        plant.pumps.ids.length,
        plant.pumps.ratedFlow,
        plant.pumps.redundancy,
        "L/min",
      ),
    );
    const dry = plant.dryCoolers;
    const dryAvailable = unitsAvailable(dry.ids.length, dry.redundancy) * dry.unitCapacity;
    plantDryCoolerAvailable[plant.index] = dryAvailable;
    // Dry coolers bring the return water down to ambient + approach at best; below that, trim chillers take the
    // rest of the loop's temperature drop, so at design ambient they carry that share of the heat.
    const trimShare = trimShareAt(plant, dry.designAmbient);
    const trim = heat * trimShare;
    checks.push(
      check(
        "dry coolers",
        plant.id,
        `${plant.path}.dryCoolers`,
        heat - trim,
        dry.ids.length,
        dry.unitCapacity,
        dry.redundancy,
      ),
    );
    if (trim > 0 || plant.chillers.ids.length > 0) {
      checks.push(
        check(
          "chillers",
          plant.id,
          `${plant.path}.chillers`,
          trim,
          plant.chillers.ids.length,
          plant.chillers.unitCapacity,
          plant.chillers.redundancy,
        ),
      );
    }
    const lift = kelvin(dry.designAmbient + dry.approach - plant.supplySetpoint);
    const chillerPower = trim > 0 ? trim / chillerCop(plant, lift) : 0;
    const fans = Math.min(dry.ids.length, unitsNeeded(heat - trim, dry.unitCapacity)) * dry.fanPower;
    plantMechanical[plant.index] = pumpPower + fans + chillerPower + airSideMechanical;
  }
  return { plantHeat, plantMechanical, plantDryCoolerAvailable };
}

/** Checks each hall's transformers against its IT, UPS losses and share of mechanical power; grid demand per hall. */
function checkTransformers(
  site: Site,
  loads: RackLoads,
  halls: HallFigures,
  plants: PlantFigures,
  checks: GroupCheck[],
): { hallMechanical: Float64Array; hallGridDemand: Float64Array; totalGridDemand: number } {
  const { hallItLoad } = loads;
  const { hallUpsLoss, hallCduPumps, hallCrahFans } = halls;
  const { plantHeat, plantMechanical } = plants;
  const hallMechanical = new Float64Array(site.halls.length);
  const hallGridDemand = new Float64Array(site.halls.length);
  let totalGridDemand = 0;
  for (const hall of site.halls) {
    const plant = site.plants[hall.plantIndex]!;
    const plantShare =
      plantHeat[plant.index]! > 0 ? (hallItLoad[hall.index]! + hallUpsLoss[hall.index]!) / plantHeat[plant.index]! : 0;
    const mechanical =
      hallCduPumps[hall.index]! + hallCrahFans[hall.index]! + plantMechanical[plant.index]! * plantShare;
    hallMechanical[hall.index] = mechanical;
    const load = hallItLoad[hall.index]! + hallUpsLoss[hall.index]! + mechanical;
    checks.push(
      check(
        "transformers",
        hall.id,
        `${hall.path}.power.transformers`,
        load,
        hall.transformers.ids.length,
        hall.transformers.unitCapacity,
        hall.transformers.redundancy,
      ),
    );
    // Transformer losses: no-load losses of every energised unit plus load losses scaling with loading².
    const count = hall.transformers.ids.length;
    const loading = count > 0 ? load / (count * hall.transformers.unitCapacity) : 0;
    const losses = count * (hall.transformers.noLoadLoss + hall.transformers.loadLoss * loading * loading);
    hallGridDemand[hall.index] = load + losses;
    totalGridDemand += load + losses;
  }
  return { hallMechanical, hallGridDemand, totalGridDemand };
}

/** Computes design loads and capacity checks at every level. Linear in the number of racks. */
export function analyseCapacity(site: Site): CapacityAnalysis {
  const loads = rackLoads(site);
  const checks: GroupCheck[] = [];
  const halls: HallFigures = {
    hallUpsLoss: new Float64Array(site.halls.length),
    hallCduPumps: new Float64Array(site.halls.length),
    hallCrahFans: new Float64Array(site.halls.length),
    hallAirSideHeat: new Float64Array(site.halls.length),
  };
  checkRows(site, loads, checks, halls);
  checkHalls(site, loads, checks, halls);
  const plants = checkPlants(site, loads, halls, checks);
  const { hallMechanical, hallGridDemand, totalGridDemand } = checkTransformers(site, loads, halls, plants, checks);
  const feedCapacity = site.gridFeeds[0]?.capacity ?? 0;
  const uniformFeeds = site.gridFeeds.every((feed) => feed.capacity === feedCapacity);
  const gridCheck = check(
    "grid feeds",
    "site",
    "power.gridFeeds",
    totalGridDemand,
    site.gridFeeds.length,
    uniformFeeds ? feedCapacity : Math.min(...site.gridFeeds.map((feed) => feed.capacity)),
    site.gridRedundancy,
  );
  checks.unshift({
    ...gridCheck,
    installed: site.gridFeeds.reduce((sum, feed) => sum + feed.capacity, 0),
  });

  let totalIt = 0;
  for (const value of loads.hallItLoad) totalIt += value;
  return {
    checks,
    figures: {
      ...loads,
      hallUpsLoss: halls.hallUpsLoss,
      hallMechanical,
      hallGridDemand,
      ...plants,
      totalIt: kilowatts(totalIt),
      totalGridDemand: kilowatts(totalGridDemand),
    },
  };
}
