/**
 * The site's units that can fail and be repaired (CDUs, plant pumps, dry coolers, chillers, the air side's pumps
 * and chillers, hall air handlers), by id: one list for the twin's scenarios and live twin and for the alarms that
 * name them.
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
