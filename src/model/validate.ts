/**
 * Semantic validation of an expanded site: unit sanity beyond single fields, capacity and redundancy at every level
 * of the power and cooling chains, set-points that the plant can reach, and certified-zone consistency.
 * Every finding names the path and the numbers.
 */
import { airSideRows, analyseCapacity, type CapacityAnalysis, type GroupCheck } from "./capacity.ts";
import type { DiagnosticSink } from "./diagnostics.ts";
import { fluidProperties, knownFluids } from "./physics.ts";
import { rackRuns, runsWithin } from "./rack-runs.ts";
import { facilityWaterClassLimitC } from "./schema.ts";
import type { Site } from "./site.ts";
import { formatNumber } from "./units.ts";

const levelNoun: Readonly<Record<GroupCheck["level"], string>> = {
  "grid feeds": "grid feeds",
  transformers: "transformers",
  UPS: "UPS modules",
  busways: "busways",
  CDUs: "CDUs",
  CRAH: "CRAH units",
  "FWS pumps": "facility water pumps",
  "dry coolers": "dry coolers",
  chillers: "trim chillers",
  "air-side pumps": "air-side chilled-water pumps",
  "air-side chillers": "air-side chillers",
};

const loadNoun: Readonly<Record<GroupCheck["level"], string>> = {
  "grid feeds": "design grid demand",
  transformers: "design load",
  UPS: "design IT load",
  busways: "design IT load",
  CDUs: "connected design heat",
  CRAH: "design air-side heat",
  "FWS pumps": "design flow",
  "dry coolers": "heat to reject at design ambient",
  chillers: "trim heat at design ambient",
  "air-side pumps": "design air-side flow",
  "air-side chillers": "air-side heat at design ambient",
};

function amount(value: number, unit: string): string {
  return `${formatNumber(Math.round(value))} ${unit}`;
}

function capacityDiagnostics(check: GroupCheck, sink: DiagnosticSink): void {
  const noun = levelNoun[check.level];
  const owner = check.owner === "site" ? "" : ` of ${check.owner}`;
  const load = `${loadNoun[check.level]} ${amount(check.load, check.unit)}`;
  if (check.unitCount === 0 && check.load > 0) {
    sink.error(
      `capacity.${check.level.replace(/ /g, "-").toLowerCase()}`,
      check.path,
      `no ${noun}${owner} for ${load}`,
    );
    return;
  }
  if (check.installed < check.load) {
    sink.error(
      `capacity.${check.level.replace(/ /g, "-").toLowerCase()}`,
      check.path,
      `${noun}${owner}: capacity ${amount(check.installed, check.unit)} < ${load}`,
    );
    return;
  }
  if (check.redundancy === "2N" && check.unitCount % 2 !== 0) {
    sink.warning(
      "redundancy.odd",
      check.path,
      `${noun}${owner}: 2N with an odd count (${check.unitCount}) leaves one unit outside both sides`,
    );
  }
  if (check.available < check.load) {
    const lost =
      check.redundancy === "2N"
        ? "with one side lost"
        : check.redundancy === "N+2"
          ? "with two units lost"
          : "with one unit lost";
    sink.warning(
      "redundancy.unmet",
      check.path,
      `${noun}${owner}: ${check.redundancy} not met: ${lost} ${amount(check.available, check.unit)} < ${load}`,
    );
  }
}

function validateRackTypes(site: Site, sink: DiagnosticSink): void {
  for (const type of site.rackTypes) {
    const path = `rackTypes[${type.index}]`;
    if (type.idlePower > type.designPower) {
      sink.error(
        "range.idle",
        `${path}.idlePowerKW`,
        `idle power ${formatNumber(type.idlePower)} kW exceeds design power ${formatNumber(type.designPower)} kW`,
      );
    }
    if (type.gpusPerRack > 0 && type.gpuModel === undefined) {
      sink.error(
        "field.missing",
        `${path}.gpuModel`,
        `rack type ${type.id} has ${type.gpusPerRack} GPUs but no gpuModel`,
      );
    }
    if (type.gpusPerRack > 0 && (type.nvlinkDomainSize < 1 || type.gpusPerRack % type.nvlinkDomainSize !== 0)) {
      sink.error(
        "range.nvlink",
        `${path}.nvlinkDomainSize`,
        `NVLink domain of ${type.nvlinkDomainSize} GPUs must divide the ${type.gpusPerRack} GPUs of the rack`,
      );
    }
    if (type.gpusPerRack === 0 && type.nvlinkDomainSize !== 0) {
      sink.error("range.nvlink", `${path}.nvlinkDomainSize`, `a rack without GPUs has no NVLink domain (set 0)`);
    }
    const airHeat = type.designPower * (1 - type.liquidCaptureFraction);
    if (type.airCooling === "rdhx") {
      if (type.rdhxCapacity === undefined) {
        sink.error(
          "field.missing",
          `${path}.rdhxCapacityKW`,
          `rack type ${type.id} uses rdhx but has no rdhxCapacityKW`,
        );
      } else if (type.rdhxCapacity < airHeat) {
        sink.error(
          "capacity.rdhx",
          `${path}.rdhxCapacityKW`,
          `rear door ${formatNumber(type.rdhxCapacity)} kW < air-side heat ${formatNumber(airHeat)} kW of rack type ${type.id}`,
        );
      }
    }
    if (type.weight > 3500) {
      sink.warning(
        "range.weight",
        `${path}.weightKg`,
        `${formatNumber(type.weight)} kg per rack exceeds typical raised-floor ratings`,
      );
    }
  }
}

function validatePlants(site: Site, sink: DiagnosticSink): void {
  for (const plant of site.plants) {
    if (plant.hallIndexes.length === 0) {
      sink.warning("plant.unused", plant.path, `plant ${plant.id} cools no hall`);
      continue;
    }
    const limit = facilityWaterClassLimitC[plant.waterClass];
    if (plant.supplySetpoint > limit) {
      sink.error(
        "setpoint.class",
        `${plant.path}.fws.supplySetpointC`,
        `supply set-point ${plant.supplySetpoint} °C exceeds the ${plant.waterClass} class limit of ${limit} °C`,
      );
    }
    if (
      plant.chillers.ids.length === 0 &&
      plant.supplySetpoint < plant.dryCoolers.designAmbient + plant.dryCoolers.approach
    ) {
      sink.warning(
        "setpoint.unreachable",
        `${plant.path}.fws.supplySetpointC`,
        `without chillers, supply ${plant.supplySetpoint} °C cannot be held at design ambient ${plant.dryCoolers.designAmbient} °C + approach ${plant.dryCoolers.approach} K`,
      );
    }
    const airCurve = plant.airSide?.chillers.copCurve ?? [];
    for (let i = 1; i < airCurve.length; i++) {
      if (airCurve[i]!.liftK <= airCurve[i - 1]!.liftK) {
        sink.error(
          "curve.order",
          `${plant.path}.airSide.chillers.copCurve[${i}]`,
          `lift points must increase (${airCurve[i - 1]!.liftK} K then ${airCurve[i]!.liftK} K)`,
        );
      }
    }
    const curve = plant.chillers.copCurve;
    for (let i = 1; i < curve.length; i++) {
      if (curve[i]!.liftK <= curve[i - 1]!.liftK) {
        sink.error(
          "curve.order",
          `${plant.path}.chillers.copCurve[${i}]`,
          `lift points must increase (${curve[i - 1]!.liftK} K then ${curve[i]!.liftK} K)`,
        );
      }
    }
  }
}

function validateRows(site: Site, sink: DiagnosticSink): void {
  const throttling = new Map<string, { path: string; rows: number; message: string }>();
  const onAirSide = airSideRows(site);
  const racks = rackRuns(site);
  for (const row of site.rows) {
    const plant = site.plants[row.tcs.plantIndex]!;
    // Rear-door rows of a plant with an air-side loop draw from it, the others from facility water.
    const primary =
      onAirSide[row.index] === 1
        ? { name: "air-side", supplyC: plant.airSide!.supplySetpoint }
        : { name: "facility", supplyC: plant.supplySetpoint };
    const reachable = primary.supplyC + row.tcs.model.approach;
    if (row.tcs.supplySetpoint < reachable - 1e-9) {
      sink.error(
        "setpoint.unreachable",
        `${row.path}.tcs.supplySetpointC`,
        `TCS supply ${row.tcs.supplySetpoint} °C is below ${primary.name} supply ${primary.supplyC} °C + CDU approach ${row.tcs.model.approach} K`,
      );
    }
    if (fluidProperties(row.tcs.fluid) === undefined) {
      sink.error(
        "ref.unknown",
        `${row.path}.tcs.fluid`,
        `unknown coolant "${row.tcs.fluid}"; known: ${knownFluids.join(", ")}`,
      );
    }
    if (row.busways.redundancy === "2N" && row.busways.ids.length % 2 !== 0) continue;
    const seenTypes = new Set<number>();
    for (const run of runsWithin(racks, row.rackStart, row.rackStart + row.rackCount)) seenTypes.add(run.typeIndex);
    for (const typeIndex of seenTypes) {
      const type = site.rackTypes[typeIndex]!;
      if (type.maxCoolantSupply < row.tcs.supplySetpoint) {
        const key = `${type.id}@${row.tcs.supplySetpoint}`;
        const entry = throttling.get(key);
        if (entry !== undefined) entry.rows++;
        else
          throttling.set(key, {
            path: `${row.path}.tcs.supplySetpointC`,
            rows: 1,
            message: `TCS supply ${row.tcs.supplySetpoint} °C exceeds the ${type.maxCoolantSupply} °C limit of rack type ${type.id}: GPUs throttle at design`,
          });
      }
    }
  }
  for (const entry of throttling.values()) {
    sink.warning("setpoint.throttle", entry.path, `${entry.message}${entry.rows > 1 ? ` (${entry.rows} rows)` : ""}`);
  }
}

function validateHalls(site: Site, sink: DiagnosticSink): void {
  for (const hall of site.halls) {
    const curve = hall.ups.efficiencyCurve;
    for (let i = 1; i < curve.length; i++) {
      if (curve[i]!.load === curve[i - 1]!.load) {
        sink.error("curve.order", `${hall.path}.power.ups.efficiencyCurve`, `two points at load ${curve[i]!.load}`);
      }
    }
  }
}

function validateZones(site: Site, sink: DiagnosticSink, today: string): void {
  const racksPerZone = new Map<string, number>();
  for (const run of rackRuns(site).runs) {
    if (run.zoneId !== undefined) racksPerZone.set(run.zoneId, (racksPerZone.get(run.zoneId) ?? 0) + run.count);
  }
  site.zones.forEach((zone, index) => {
    const path = `zones[${index}]`;
    if ((racksPerZone.get(zone.id) ?? 0) === 0) sink.warning("zone.empty", path, `zone ${zone.id} contains no racks`);
    if (zone.certifications.length === 0)
      sink.warning("zone.uncertified", `${path}.certifications`, `zone ${zone.id} lists no certification`);
    if (zone.dataClasses.includes("health") && !zone.certifications.includes("HDS")) {
      sink.warning(
        "zone.health",
        `${path}.dataClasses`,
        `zone ${zone.id} accepts health data without HDS certification (required for health data hosted in France)`,
      );
    }
    if (zone.validUntil !== undefined && zone.validUntil < today) {
      sink.warning("zone.expired", `${path}.validUntil`, `certification of ${zone.id} expired on ${zone.validUntil}`);
    }
  });
}

/** Options for `validateSite`. */
export interface ValidateOptions {
  /** ISO date used to check certificate expiry; today by default. */
  readonly today?: string;
}

/** Runs every semantic check; returns the capacity analysis so callers can summarise without recomputing. */
export function validateSite(site: Site, sink: DiagnosticSink, options: ValidateOptions = {}): CapacityAnalysis {
  validateRackTypes(site, sink);
  validateHalls(site, sink);
  const analysis = analyseCapacity(site);
  for (const check of analysis.checks) capacityDiagnostics(check, sink);
  validatePlants(site, sink);
  validateRows(site, sink);
  validateZones(site, sink, options.today ?? new Date().toISOString().slice(0, 10));
  if (analysis.figures.totalGridDemand > site.gridConnection) {
    sink.error(
      "capacity.grid-connection",
      "site.gridConnectionMW",
      `grid connection ${formatNumber(site.gridConnection / 1000)} MW < design grid demand ${formatNumber(analysis.figures.totalGridDemand / 1000)} MW`,
    );
  }
  return analysis;
}
