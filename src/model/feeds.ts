/**
 * What a piece of equipment feeds: the racks that lose power or cooling when it is taken out for maintenance. A hall
 * feeds its racks, a row its racks; a row's busways (both sides of a 2N pair) feed every rack of the row, and its CDUs
 * all serve the row's one technology loop in parallel, so each of them "feeds" the whole row.
 */
import type { Site } from "./site.ts";

/** The kinds of target a maintenance drain may name. */
export const drainTargetKinds = ["rack", "row", "hall", "cdu", "busway"] as const;
/** One kind of drain target. */
export type DrainTargetKind = (typeof drainTargetKinds)[number];

/** The part of the site a piece of equipment feeds, by index into the site's halls, rows or racks. */
export type FedArea =
  | { readonly level: "hall"; readonly index: number }
  | { readonly level: "row"; readonly index: number }
  | { readonly level: "rack"; readonly index: number };

/** Per-site lookup of the ids a drain may name; built once per site object. */
const lookups = new WeakMap<Site, Map<string, FedArea>>();

function lookupOf(site: Site): Map<string, FedArea> {
  let lookup = lookups.get(site);
  if (lookup !== undefined) return lookup;
  lookup = new Map();
  for (const hall of site.halls) lookup.set(hall.id, { level: "hall", index: hall.index });
  for (const row of site.rows) {
    const area: FedArea = { level: "row", index: row.index };
    lookup.set(row.id, area);
    for (const cdu of row.tcs.ids) lookup.set(cdu, area);
    for (const busway of row.busways.ids) lookup.set(busway, area);
  }
  for (const rack of site.racks) lookup.set(rack.id, { level: "rack", index: rack.index });
  lookups.set(site, lookup);
  return lookup;
}

/** What `id` (a hall, row, rack, CDU or busway of `site`) feeds, or undefined when the site has no such equipment. */
export function areaFedBy(site: Site, id: string): FedArea | undefined {
  return lookupOf(site).get(id);
}

/** The kind of a drain target id (`cdu:h1-r01-01` → `cdu`), or undefined for another kind. */
export function drainTargetKind(id: string): DrainTargetKind | undefined {
  const kind = id.slice(0, id.indexOf(":"));
  return (drainTargetKinds as readonly string[]).includes(kind) ? (kind as DrainTargetKind) : undefined;
}

/** The rack indexes of an area, in site order. */
export function racksOfArea(site: Site, area: FedArea): number[] {
  const { start, count } =
    area.level === "rack"
      ? { start: area.index, count: 1 }
      : area.level === "row"
        ? { start: site.rows[area.index]!.rackStart, count: site.rows[area.index]!.rackCount }
        : { start: site.halls[area.index]!.rackStart, count: site.halls[area.index]!.rackCount };
  return Array.from({ length: count }, (_, offset) => start + offset);
}

/** The hall, row or rack id of an area. */
export function areaId(site: Site, area: FedArea): string {
  if (area.level === "hall") return site.halls[area.index]!.id;
  if (area.level === "row") return site.rows[area.index]!.id;
  return site.racks[area.index]!.id;
}
