/**
 * What loading a site reads of each rack (its type, row, hall and zone) as columns indexed by rack, plus the number
 * of leak detectors. Validation, the capacity analysis and the summary read only these, so a command that loads a
 * site to check or summarise it (`alixan site show`) never builds the 40,000 `Rack` objects: the loader (expand.ts)
 * registers the columns of the site it expands and builds `site.racks` and `site.leakDetectors` on first access.
 * Any other site (written by hand, or a copy with changed fields) gets its columns read from its racks.
 */
import type { ZoneId } from "./ids.ts";
import type { Site } from "./site.ts";

/** Per-rack figures in rack order (index i is `site.racks[i]`). */
export interface RackColumns {
  readonly count: number;
  readonly typeIndex: Int32Array;
  readonly rowIndex: Int32Array;
  readonly hallIndex: Int32Array;
  readonly zoneId: readonly (ZoneId | undefined)[];
  readonly leakDetectorCount: number;
}

/** Columns of the sites the loader expanded, which hold the same figures as their (lazily built) racks. */
const registered = new WeakMap<Site, RackColumns>();

/** Records the columns of a site just expanded; `columns` must describe exactly the racks `site.racks` yields. */
export function registerRackColumns(site: Site, columns: RackColumns): void {
  registered.set(site, columns);
}

/** The per-rack columns of `site`: those its loader registered, else read from its racks. */
export function rackColumns(site: Site): RackColumns {
  const found = registered.get(site);
  if (found !== undefined) return found;
  const count = site.racks.length;
  const typeIndex = new Int32Array(count);
  const rowIndex = new Int32Array(count);
  const hallIndex = new Int32Array(count);
  const zoneId = new Array<ZoneId | undefined>(count);
  for (let r = 0; r < count; r++) {
    const rack = site.racks[r]!;
    typeIndex[r] = rack.typeIndex;
    rowIndex[r] = rack.rowIndex;
    hallIndex[r] = rack.hallIndex;
    zoneId[r] = rack.zoneId;
  }
  return { count, typeIndex, rowIndex, hallIndex, zoneId, leakDetectorCount: site.leakDetectors.length };
}
