/**
 * A kernel's state carried into another kernel: the live twin is rebuilt at every site change, and what it showed
 * (loops warm, racks tripped or latched, restarts and repairs under way, halls warm) must not reset because a row was
 * renamed or added. `PartitionKernel.exportState` copies its state out; `importState` writes it into the kernel of
 * the new site's twin, each rack, row, hall and plant into the one it is after the change (`carryMap`). The state is
 * structure of arrays per level, in partition order, by name; the map says, per entity of the new kernel, its index
 * in the old one (or -1: new, it keeps its starting state).
 */
import { sitePartners } from "../model/continuity.ts";
import type { Site } from "../model/site.ts";
import type { Partition } from "./layout.ts";

/** Typed arrays of one level (racks, rows, halls or plants), by name, in partition order. */
export type Columns = Readonly<Record<string, Float64Array | Uint8Array>>;

/** What a group of units (a row's CDUs, a plant's pumps…) is counted per. */
export type UnitLevel = "rows" | "halls" | "plants";

/** One group of units of a kernel: per row, hall or plant, those in service, those available (their target), rates. */
export interface UnitGroupState {
  readonly level: UnitLevel;
  /** Units in service as the physics sees them (below `available` while repaired units ramp up). */
  readonly inService: Float64Array;
  readonly available: Float64Array;
  /** Restart rate of the ramp under way, units per second (0: none). */
  readonly rate: Float64Array;
}

/** A kernel's state between steps, copied out (`PartitionKernel.exportState`); nothing in it is the kernel's own. */
export interface KernelState {
  /** Time of the next step, seconds after the start of the typical year: the time base of the timers inside. */
  readonly timeS: number;
  readonly racks: Columns;
  readonly rows: Columns;
  readonly halls: Columns;
  readonly plants: Columns;
  /** In the kernel's own order of unit groups. */
  readonly units: readonly UnitGroupState[];
}

/** Per rack, row, hall and plant of a kernel (partition order): its index in the kernel a state came from, or -1. */
export interface KernelStateMap {
  readonly racks: Int32Array;
  readonly rows: Int32Array;
  readonly halls: Int32Array;
  readonly plants: Int32Array;
}

/** A copy of every array of `columns`. */
export function copyColumns(columns: Columns): Columns {
  return Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, values.slice()]));
}

const nothingExcepted: ReadonlySet<string> = new Set();

/**
 * Writes each array of `from` into the array of the same name in `to`: index i of `to` takes `from`'s value at
 * `map[i]`, and keeps its own where that is -1. Names in `except` are the caller's to carry.
 */
export function carryColumns(
  to: Columns,
  from: Columns,
  map: Int32Array,
  except: ReadonlySet<string> = nothingExcepted,
): void {
  for (const [name, target] of Object.entries(to)) {
    if (except.has(name)) continue;
    const source = from[name];
    if (source === undefined) throw new Error(`carried state has no ${name}`);
    for (let index = 0; index < map.length; index++) {
      const old = map[index]!;
      if (old >= 0) target[index] = source[old]!;
    }
  }
}

/** A site and the partition of it a kernel steps. */
export interface SitePartition {
  readonly site: Site;
  readonly partition: Partition;
}

/**
 * For each site index of `after`'s racks, the rack of `before` it is (-1: new). Racks follow the site-change reading
 * of `continuity.ts` (`sitePartners`, which `rackRenames` reads), so a rack renamed by a row removed before it keeps
 * its state under its new id; a rack that reading leaves unmatched on both sides under one id and of the same type
 * (a hall too large to align) is the same rack. A rack whose type changed where it stood is a new one.
 */
function rackOrigins(before: Site, after: Site): Int32Array {
  const origin = new Int32Array(after.racks.length).fill(-1);
  if (before === after) {
    for (let rack = 0; rack < origin.length; rack++) origin[rack] = rack;
    return origin;
  }
  const partners = sitePartners(before, after).racks;
  partners.forEach((to, from) => {
    if (to >= 0) origin[to] = from;
  });
  const unmatched = new Map<string, number>();
  for (const rack of before.racks) if (partners[rack.index] === -1) unmatched.set(rack.id, rack.index);
  for (const rack of after.racks) {
    if (origin[rack.index] !== -1) continue;
    const old = unmatched.get(rack.id);
    if (
      old !== undefined &&
      before.rackTypes[before.racks[old]!.typeIndex]!.id === after.rackTypes[rack.typeIndex]!.id
    ) {
      origin[rack.index] = old;
    }
  }
  return origin;
}

/** For each site index of `after`'s rows, the row of `before` it is, as the racks read it (-1: new). */
function rowOrigins(before: Site, after: Site): Int32Array {
  const origin = new Int32Array(after.rows.length).fill(-1);
  if (before === after) {
    for (let row = 0; row < origin.length; row++) origin[row] = row;
    return origin;
  }
  sitePartners(before, after).rows.forEach((to, from) => {
    if (to >= 0) origin[to] = from;
  });
  return origin;
}

/** Per local index of `after` (a partition's `globalIndex`): the local index in `before` of the site entity it was. */
function localMap(afterGlobal: Int32Array, beforeGlobal: Int32Array, origin: ArrayLike<number>): Int32Array {
  let size = 0;
  for (const global of beforeGlobal) size = Math.max(size, global + 1);
  const beforeLocal = new Int32Array(size).fill(-1);
  beforeGlobal.forEach((global, local) => {
    beforeLocal[global] = local;
  });
  const map = new Int32Array(afterGlobal.length);
  for (let local = 0; local < afterGlobal.length; local++) {
    const old = origin[afterGlobal[local]!]!;
    map[local] = old >= 0 && old < size ? beforeLocal[old]! : -1;
  }
  return map;
}

/** Site indexes of `after`'s entities in `before`, by id (halls and plants keep the ids the site file gives them). */
function originsById(before: readonly { readonly id: string }[], after: readonly { readonly id: string }[]): number[] {
  const byId = new Map(before.map((entity, index) => [entity.id, index]));
  return after.map((entity) => byId.get(entity.id) ?? -1);
}

/**
 * The map for carrying the state of a kernel of `before` into one of `after` (`PartitionKernel.importState`): racks
 * and rows as the site change reads them (renamed ones keep their state), halls and plants by id. What is new
 * after the change maps to -1 and starts as a new twin does.
 */
export function carryMap(before: SitePartition, after: SitePartition): KernelStateMap {
  const [old, next] = [before.partition, after.partition];
  return {
    racks: localMap(next.racks.globalIndex, old.racks.globalIndex, rackOrigins(before.site, after.site)),
    rows: localMap(next.rows.globalIndex, old.rows.globalIndex, rowOrigins(before.site, after.site)),
    halls: localMap(next.halls.globalIndex, old.halls.globalIndex, originsById(before.site.halls, after.site.halls)),
    plants: localMap(
      next.plants.globalIndex,
      old.plants.globalIndex,
      originsById(before.site.plants, after.site.plants),
    ),
  };
}
