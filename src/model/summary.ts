/**
 * The site summary that `alixan site show` prints and the API will serve: counts, design power and heat,
 * cooling capacity, and per level of the power and cooling chains the redundancy met and the headroom left.
 */
import { type CapacityAnalysis, type CapacityLevel, capacityLevels } from "./capacity.ts";
import { addRepeated, rackRuns } from "./rack-runs.ts";
import type { Site } from "./site.ts";

/** Redundancy and headroom of one level across all its groups. */
export interface LevelSummary {
  readonly level: CapacityLevel;
  readonly unit: "kW" | "L/min";
  readonly groups: number;
  readonly units: number;
  /** Declared redundancies at this level (usually one). */
  readonly redundancy: readonly string[];
  /** Groups whose load fits with the declared redundancy. */
  readonly redundancyMet: number;
  readonly totalLoad: number;
  readonly totalAvailable: number;
  /** Smallest headroom (available − load) of any group, and where. */
  readonly minHeadroom: number;
  readonly minHeadroomFraction: number;
  readonly minHeadroomAt: string;
}

/** Counts and design figures of a site. */
export interface SiteSummary {
  readonly id: string;
  readonly name: string;
  readonly counts: {
    readonly halls: number;
    readonly rows: number;
    readonly racks: number;
    readonly servers: number;
    readonly gpus: number;
    readonly plants: number;
    readonly cdus: number;
    readonly dryCoolers: number;
    readonly chillers: number;
    readonly fwsPumps: number;
    readonly transformers: number;
    readonly upsModules: number;
    readonly busways: number;
    readonly crahUnits: number;
    readonly leakDetectors: number;
  };
  readonly racksByType: Readonly<Record<string, number>>;
  readonly gpusByModel: Readonly<Record<string, number>>;
  readonly zones: readonly { readonly id: string; readonly racks: number; readonly gpus: number }[];
  readonly designItMW: number;
  readonly designHeatMW: number;
  readonly designGridDemandMW: number;
  /** Grid demand over IT at design: a design-point PUE, not an annual one (the twin computes that). */
  readonly designPue: number;
  readonly gridConnectionMW: number;
  /** Dry coolers at design ambient plus trim chillers, everything installed. */
  readonly coolingInstalledMW: number;
  readonly coolingAvailableMW: number;
  readonly levels: readonly LevelSummary[];
}

/** Summarises a validated site from its capacity analysis. */
export function summariseSite(site: Site, analysis: CapacityAnalysis): SiteSummary {
  const racksByType: Record<string, number> = {};
  const gpusByModel: Record<string, number> = {};
  const zoneRacks = new Map<string, { racks: number; gpus: number }>();
  let servers = 0;
  let gpus = 0;
  const racks = rackRuns(site);
  for (const run of racks.runs) {
    const type = site.rackTypes[run.typeIndex]!;
    racksByType[type.id] = (racksByType[type.id] ?? 0) + run.count;
    servers = addRepeated(servers, type.servers, run.count);
    gpus = addRepeated(gpus, type.gpusPerRack, run.count);
    if (type.gpuModel !== undefined) {
      gpusByModel[type.gpuModel] = addRepeated(gpusByModel[type.gpuModel] ?? 0, type.gpusPerRack, run.count);
    }
    if (run.zoneId !== undefined) {
      const entry = zoneRacks.get(run.zoneId) ?? { racks: 0, gpus: 0 };
      entry.racks += run.count;
      entry.gpus = addRepeated(entry.gpus, type.gpusPerRack, run.count);
      zoneRacks.set(run.zoneId, entry);
    }
  }

  const levels: LevelSummary[] = [];
  for (const level of capacityLevels) {
    const checks = analysis.checks.filter((check) => check.level === level);
    if (checks.length === 0) continue;
    let minHeadroom = Number.POSITIVE_INFINITY;
    let minHeadroomFraction = Number.POSITIVE_INFINITY;
    let minHeadroomAt = "";
    let totalLoad = 0;
    let totalAvailable = 0;
    let met = 0;
    let units = 0;
    const redundancy = new Set<string>();
    for (const check of checks) {
      const headroom = check.available - check.load;
      if (headroom < minHeadroom) {
        minHeadroom = headroom;
        minHeadroomFraction = check.available > 0 ? headroom / check.available : -1;
        minHeadroomAt = check.owner;
      }
      totalLoad += check.load;
      totalAvailable += check.available;
      units += check.unitCount;
      if (check.available >= check.load) met++;
      redundancy.add(check.redundancy);
    }
    levels.push({
      level,
      unit: checks[0]!.unit,
      groups: checks.length,
      units,
      redundancy: [...redundancy],
      redundancyMet: met,
      totalLoad,
      totalAvailable,
      minHeadroom,
      minHeadroomFraction,
      minHeadroomAt,
    });
  }

  const figures = analysis.figures;
  let heat = 0;
  for (const value of figures.plantHeat) heat += value;
  let coolingInstalled = 0;
  let coolingAvailable = 0;
  for (const check of analysis.checks) {
    if (check.level === "dry coolers" || check.level === "chillers") {
      coolingInstalled += check.installed;
      coolingAvailable += check.available;
    }
  }
  const count = (pick: (plantOrHall: number) => number, length: number) => {
    let total = 0;
    for (let i = 0; i < length; i++) total += pick(i);
    return total;
  };
  return {
    id: site.id,
    name: site.name,
    counts: {
      halls: site.halls.length,
      rows: site.rows.length,
      racks: racks.count,
      servers,
      gpus,
      plants: site.plants.length,
      cdus: count((i) => site.rows[i]!.tcs.ids.length, site.rows.length),
      dryCoolers: count((i) => site.plants[i]!.dryCoolers.ids.length, site.plants.length),
      chillers: count((i) => site.plants[i]!.chillers.ids.length, site.plants.length),
      fwsPumps: count((i) => site.plants[i]!.pumps.ids.length, site.plants.length),
      transformers: count((i) => site.halls[i]!.transformers.ids.length, site.halls.length),
      upsModules: count((i) => site.halls[i]!.ups.ids.length, site.halls.length),
      busways: count((i) => site.rows[i]!.busways.ids.length, site.rows.length),
      crahUnits: count((i) => site.halls[i]!.crah?.ids.length ?? 0, site.halls.length),
      leakDetectors: racks.leakDetectorCount,
    },
    racksByType,
    gpusByModel,
    zones: site.zones.map((zone) => ({ id: zone.id, ...(zoneRacks.get(zone.id) ?? { racks: 0, gpus: 0 }) })),
    designItMW: figures.totalIt / 1000,
    designHeatMW: heat / 1000,
    designGridDemandMW: figures.totalGridDemand / 1000,
    designPue: figures.totalIt > 0 ? figures.totalGridDemand / figures.totalIt : 0,
    gridConnectionMW: site.gridConnection / 1000,
    coolingInstalledMW: coolingInstalled / 1000,
    coolingAvailableMW: coolingAvailable / 1000,
    levels,
  };
}
