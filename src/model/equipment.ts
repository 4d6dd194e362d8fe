/**
 * The site's units that can fail and be repaired (CDUs, plant pumps, dry coolers, chillers, the air side's pumps
 * and chillers, hall air handlers), by id: one list for the twin's scenarios and live twin and for the alarms that
 * name them; and every numbered group of units, for reading what a site change does to their ids (continuity.ts).
 */
import type { Site } from "./site.ts";

/** Kinds of unit a scenario can fail and repair. */
export type UnitKind = "cdu" | "pump" | "dryCooler" | "chiller" | "airChiller" | "airPump" | "crah";

/** Unit ids of the site by kind, with the row (CDU), hall (CRAH) or plant they belong to, in declaration order. */
export function siteUnits(site: Site): Map<string, { kind: UnitKind; index: number }> {
  const units = new Map<string, { kind: UnitKind; index: number }>();
  for (const row of site.rows) for (const id of row.tcs.ids) units.set(id, { kind: "cdu", index: row.index });
  for (const plant of site.plants) {
    for (const id of plant.pumps.ids) units.set(id, { kind: "pump", index: plant.index });
    for (const id of plant.dryCoolers.ids) units.set(id, { kind: "dryCooler", index: plant.index });
    for (const id of plant.chillers.ids) units.set(id, { kind: "chiller", index: plant.index });
    for (const id of plant.airSide?.pumps.ids ?? []) units.set(id, { kind: "airPump", index: plant.index });
    for (const id of plant.airSide?.chillers.ids ?? []) units.set(id, { kind: "airChiller", index: plant.index });
  }
  for (const hall of site.halls)
    for (const id of hall.crah?.ids ?? []) units.set(id, { kind: "crah", index: hall.index });
  return units;
}

/**
 * A group of numbered units as the site file gives it (`cdus` of a row, `dryCoolers` of a plant): the owner that
 * names it (a plant, hall or row, by index) and the field, with its units' ids in order.
 */
export interface NamedUnitGroup {
  readonly level: "plant" | "hall" | "row";
  readonly index: number;
  /** The field of its owner in the site file (`power.ups`, `airSide.pumps`). */
  readonly field: string;
  readonly ids: readonly string[];
}

/** Every group of units with their own ids (transformers, UPS, busways, CDUs, pumps, coolers, air handlers). */
export function unitGroups(site: Site): NamedUnitGroup[] {
  const groups: NamedUnitGroup[] = [];
  for (const plant of site.plants) {
    const add = (field: string, ids: readonly string[] | undefined) => {
      if (ids !== undefined) groups.push({ level: "plant", index: plant.index, field, ids });
    };
    add("fws.pumps", plant.pumps.ids);
    add("dryCoolers", plant.dryCoolers.ids);
    add("chillers", plant.chillers.ids);
    add("airSide.pumps", plant.airSide?.pumps.ids);
    add("airSide.chillers", plant.airSide?.chillers.ids);
  }
  for (const hall of site.halls) {
    groups.push({ level: "hall", index: hall.index, field: "power.transformers", ids: hall.transformers.ids });
    groups.push({ level: "hall", index: hall.index, field: "power.ups", ids: hall.ups.ids });
    if (hall.crah !== undefined) groups.push({ level: "hall", index: hall.index, field: "crah", ids: hall.crah.ids });
  }
  for (const row of site.rows) {
    groups.push({ level: "row", index: row.index, field: "busways", ids: row.busways.ids });
    groups.push({ level: "row", index: row.index, field: "cdus", ids: row.tcs.ids });
  }
  return groups;
}
