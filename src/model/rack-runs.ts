/**
 * What loading a site reads of its racks (type, row, hall and zone) as runs of consecutive racks alike in all four,
 * plus the number of leak detectors. Validation, the capacity analysis and the summary read only these, so a command
 * that loads a site to check or summarise it (`alixan site show`) never builds the 40,000 `Rack` objects, and walks
 * about one run per row segment instead of every rack: the loader (expand.ts) registers the runs of the site it
 * expands and builds `site.racks` and `site.leakDetectors` on first access. Any other site (written by hand, or a
 * copy with changed fields) gets its runs read from its racks.
 */
import type { ZoneId } from "./ids.ts";
import type { Site } from "./site.ts";

/** Racks `start` … `start + count − 1`, all of one type, row, hall and zone. */
export interface RackRun {
  readonly start: number;
  readonly count: number;
  readonly typeIndex: number;
  readonly rowIndex: number;
  readonly hallIndex: number;
  readonly zoneId: ZoneId | undefined;
}

/** A site's racks as runs, in rack order, with its rack and leak detector counts. */
export interface RackRuns {
  readonly count: number;
  readonly runs: readonly RackRun[];
  readonly leakDetectorCount: number;
}

/** Runs of the sites the loader expanded, which describe the same racks their (lazily built) `racks` hold. */
const registered = new WeakMap<Site, RackRuns>();

/** Records the runs of a site just expanded; `runs` must describe exactly the racks `site.racks` yields. */
export function registerRackRuns(site: Site, runs: RackRuns): void {
  registered.set(site, runs);
}

/** The rack runs of `site`: those its loader registered, else read from its racks. */
export function rackRuns(site: Site): RackRuns {
  const found = registered.get(site);
  if (found !== undefined) return found;
  // Runs by position in `site.racks`, which is what a rack index means to every reader of these runs.
  const runs: { -readonly [Key in keyof RackRun]: RackRun[Key] }[] = [];
  const racks = site.racks;
  for (let position = 0; position < racks.length; position++) {
    const rack = racks[position]!;
    const last = runs[runs.length - 1];
    if (
      last !== undefined &&
      rack.typeIndex === last.typeIndex &&
      rack.rowIndex === last.rowIndex &&
      rack.hallIndex === last.hallIndex &&
      rack.zoneId === last.zoneId
    ) {
      last.count++;
      continue;
    }
    runs.push({
      start: position,
      count: 1,
      typeIndex: rack.typeIndex,
      rowIndex: rack.rowIndex,
      hallIndex: rack.hallIndex,
      zoneId: rack.zoneId,
    });
  }
  return { count: site.racks.length, runs, leakDetectorCount: site.leakDetectors.length };
}

/** The runs holding racks `from` … `to − 1`, in order (a run across either end included). */
export function runsWithin(racks: RackRuns, from: number, to: number): RackRun[] {
  const runs = racks.runs;
  // First run ending after `from`: runs are sorted by start and do not overlap.
  let low = 0;
  let high = runs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const run = runs[middle]!;
    if (run.start + run.count <= from) low = middle + 1;
    else high = middle;
  }
  const found: RackRun[] = [];
  for (let index = low; index < runs.length && runs[index]!.start < to; index++) found.push(runs[index]!);
  return found;
}

/**
 * `total + value + value + …` (`times` additions, in that order) in one step when that is exact: whole numbers whose
 * sums stay below 2^53 add up exactly whichever way, anything else is added one by one as a per-rack loop would.
 */
export function addRepeated(total: number, value: number, times: number): number {
  if (
    Number.isInteger(total) &&
    Number.isInteger(value) &&
    Math.abs(total) + Math.abs(value) * times <= Number.MAX_SAFE_INTEGER
  ) {
    return total + value * times;
  }
  let sum = total;
  for (let i = 0; i < times; i++) sum += value;
  return sum;
}
