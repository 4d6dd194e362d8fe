/**
 * Where a piece of equipment sits in the site model: its rack, row, hall and cooling plant, the rows it feeds and
 * its capacity. Telemetry labels carry site ids (`cdu:h2-r08-01`); this index turns them into locations so history
 * can be queried by rack, row, hall or plant and an alarm can name the rows (and so the tenants) it affects.
 */
import { unitsAvailable } from "../model/physics.ts";
import type { Site } from "../model/site.ts";

/** The place of a series or an alarm in the site. Every field is a site id. */
export interface Location {
  /** The most specific piece of equipment named (`cdu:h1-r07-01`, `rack:h1-r07-012`, `leak:…`). */
  readonly equipment?: string;
  readonly rack?: string;
  readonly row?: string;
  readonly hall?: string;
  readonly plant?: string;
}

/** What a capacity rule compares a reading against. */
export type CapacityKind = "power" | "cooling";

/** Lookups from site ids to locations, fed rows and capacities. */
export interface SiteIndex {
  /** The location of a known site id; undefined for ids the site does not have. */
  locate(id: string): Location | undefined;
  /** The rows a piece of equipment feeds or sits in (a CDU: its row; a plant: every row of its halls). */
  rowsFed(id: string): readonly string[];
  /** Usable capacity in kW of an equipment for power or cooling, under its redundancy; undefined if unknown. */
  capacityKilowatts(id: string, kind: CapacityKind): number | undefined;
}

interface Entry {
  readonly location: Location;
  readonly rows: readonly string[];
  readonly power?: number;
  readonly cooling?: number;
}

/**
 * The index of a site, built once per site (linear in racks, rows and detectors: 25–110 ms for the 40,000-rack
 * campus): a site change has telemetry re-place its alarms and series and the alarms follow renames on the same new
 * site, and sites are immutable once built, so both read one index.
 */
export function indexSite(site: Site): SiteIndex {
  let index = indexes.get(site);
  if (index === undefined) {
    index = buildIndex(site);
    indexes.set(site, index);
  }
  return index;
}
const indexes = new WeakMap<Site, SiteIndex>();

/** `indexSite` itself, uncached. */
function buildIndex(site: Site): SiteIndex {
  const entries = new Map<string, Entry>();
  const hallRows: string[][] = site.halls.map(() => []);
  for (const row of site.rows) hallRows[row.hallIndex]!.push(row.id);
  const plantRows: string[][] = site.plants.map(() => []);

  for (const plant of site.plants) {
    for (const hallIndex of plant.hallIndexes) plantRows[plant.index]!.push(...hallRows[hallIndex]!);
    const rows = plantRows[plant.index]!;
    const location = { plant: plant.id };
    const dryCoolerCapacity =
      unitsAvailable(plant.dryCoolers.ids.length, plant.dryCoolers.redundancy) * plant.dryCoolers.unitCapacity;
    entries.set(plant.id, { location: { equipment: plant.id, ...location }, rows, cooling: dryCoolerCapacity });
    for (const id of [...plant.pumps.ids, ...plant.chillers.ids]) {
      entries.set(id, { location: { equipment: id, ...location }, rows });
    }
    for (const id of plant.dryCoolers.ids) {
      entries.set(id, { location: { equipment: id, ...location }, rows, cooling: plant.dryCoolers.unitCapacity });
    }
  }
  for (const hall of site.halls) {
    const plant = site.plants[hall.plantIndex]!.id;
    const rows = hallRows[hall.index]!;
    const location = { hall: hall.id, plant };
    const upsCapacity = unitsAvailable(hall.ups.ids.length, hall.ups.redundancy) * hall.ups.unitCapacity;
    entries.set(hall.id, { location: { equipment: hall.id, ...location }, rows, power: upsCapacity });
    for (const id of hall.transformers.ids) {
      entries.set(id, { location: { equipment: id, ...location }, rows, power: hall.transformers.unitCapacity });
    }
    for (const id of hall.ups.ids) {
      entries.set(id, { location: { equipment: id, ...location }, rows, power: hall.ups.unitCapacity });
    }
  }
  for (const row of site.rows) {
    const hall = site.halls[row.hallIndex]!;
    const location = { row: row.id, hall: hall.id, plant: site.plants[hall.plantIndex]!.id };
    const rows = [row.id];
    const buswayCapacity = unitsAvailable(row.busways.ids.length, row.busways.redundancy) * row.busways.unitCapacity;
    const cduCapacity = unitsAvailable(row.tcs.ids.length, row.tcs.redundancy) * row.tcs.model.capacity;
    entries.set(row.id, {
      location: { equipment: row.id, ...location },
      rows,
      power: buswayCapacity,
      cooling: cduCapacity,
    });
    entries.set(row.tcs.id, { location: { equipment: row.tcs.id, ...location }, rows, cooling: cduCapacity });
    for (const id of row.tcs.ids) {
      entries.set(id, { location: { equipment: id, ...location }, rows, cooling: row.tcs.model.capacity });
    }
    for (const id of row.busways.ids) {
      entries.set(id, { location: { equipment: id, ...location }, rows, power: row.busways.unitCapacity });
    }
  }
  for (const rack of site.racks) {
    const row = site.rows[rack.rowIndex]!;
    const hall = site.halls[rack.hallIndex]!;
    const type = site.rackTypes[rack.typeIndex]!;
    entries.set(rack.id, {
      location: {
        equipment: rack.id,
        rack: rack.id,
        row: row.id,
        hall: hall.id,
        plant: site.plants[hall.plantIndex]!.id,
      },
      rows: [row.id],
      power: type.designPower,
      cooling: type.designPower,
    });
  }
  for (const detector of site.leakDetectors) {
    const row = site.rows[detector.rowIndex]!;
    const rack = detector.rackIndex === undefined ? undefined : site.racks[detector.rackIndex];
    const base = entries.get(rack?.id ?? row.id)!;
    entries.set(detector.id, { location: { ...base.location, equipment: detector.id }, rows: [row.id] });
  }

  return {
    locate: (id) => entries.get(id)?.location,
    rowsFed: (id) => entries.get(id)?.rows ?? [],
    capacityKilowatts: (id, kind) => (kind === "power" ? entries.get(id)?.power : entries.get(id)?.cooling),
  };
}

const locationLabels = ["rack", "row", "hall", "plant"] as const;
const specificity: Record<string, number> = { rack: 4, leak: 3, cdu: 3, busway: 3, tcs: 3, row: 2, hall: 1 };

/**
 * The location a label set points at. With a site index, any label value that is a known site id counts, and the
 * most specific one (a rack over a CDU over a row) fills in the levels above it. Labels named `rack`, `row`, `hall`
 * or `plant` are taken as given either way, and `equipment` names the equipment when present.
 */
export function locateLabels(labels: Readonly<Record<string, string>>, index: SiteIndex | undefined): Location {
  let found: Location | undefined;
  let foundRank = -1;
  if (index !== undefined) {
    for (const value of Object.values(labels)) {
      const colon = value.indexOf(":");
      if (colon <= 0) continue;
      const location = index.locate(value);
      if (location === undefined) continue;
      const rank = specificity[value.slice(0, colon)] ?? 0;
      if (rank > foundRank) {
        found = location;
        foundRank = rank;
      }
    }
  }
  const result: { -readonly [K in keyof Location]: Location[K] } = { ...found };
  for (const name of locationLabels) {
    const value = labels[name];
    if (value !== undefined && result[name] === undefined) result[name] = value;
  }
  const equipment = labels["equipment"];
  if (equipment !== undefined) result.equipment = equipment;
  return result;
}
