/**
 * The worst racks of a field, ties collapsed: a partial selection over a typed array (no sort of 40,000 values) that
 * keeps the `count` worst distinct values, each with how many racks hold it. Eight CPU racks at 0 % are one line
 * "28,000 racks at 0 %", not eight lines that say nothing.
 */

/** Racks sharing one value. */
export interface RankGroup {
  readonly value: number;
  /** Racks with this value. */
  readonly count: number;
  /** The first few of them (at most `examples`), in rack order. */
  readonly racks: readonly number[];
}

/** Racks listed per group. */
const examples = 3;

/**
 * The `count` worst distinct values (highest, or lowest when `lowIsWorst`), worst first, with their racks; NaN is
 * skipped. A group once pushed out never returns (later values equal to it are worse than every kept group), so the
 * counts of the groups kept are complete.
 */
export function rankWorstGroups(values: ArrayLike<number>, count: number, lowIsWorst: boolean): RankGroup[] {
  const sign = lowIsWorst ? -1 : 1;
  const groupValues: number[] = [];
  const groupCounts: number[] = [];
  const groupRacks: number[][] = [];
  if (count <= 0) return [];
  for (let rack = 0; rack < values.length; rack++) {
    const value = values[rack]!;
    if (Number.isNaN(value)) continue;
    const score = sign * value;
    const kept = groupValues.length;
    if (kept === count && score < sign * groupValues[kept - 1]!) continue;
    let found = -1;
    for (let group = 0; group < kept; group++) {
      if (groupValues[group] === value) {
        found = group;
        break;
      }
    }
    if (found >= 0) {
      groupCounts[found]!++;
      const racks = groupRacks[found]!;
      if (racks.length < examples) racks.push(rack);
      continue;
    }
    let position = kept;
    while (position > 0 && score > sign * groupValues[position - 1]!) position--;
    groupValues.splice(position, 0, value);
    groupCounts.splice(position, 0, 1);
    groupRacks.splice(position, 0, [rack]);
    if (groupValues.length > count) {
      groupValues.pop();
      groupCounts.pop();
      groupRacks.pop();
    }
  }
  return groupValues.map((value, group) => ({ value, count: groupCounts[group]!, racks: groupRacks[group]! }));
}
