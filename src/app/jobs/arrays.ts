/**
 * Job arrays in Slurm's `--array` syntax: comma-separated indexes and ranges, a range with a step (`0-15:4`), and an
 * optional `%N` limit on how many tasks run at once (`0-99%10`). Parsing is bounded before anything is expanded, so
 * `0-4000000000` is refused by arithmetic, never by allocating its indexes.
 */

/** Most tasks one array may have (Slurm's MaxArraySize is a per-cluster setting; this is the platform's). */
export const maxArrayTasks = 10_000;
/** Highest task index accepted (Slurm's default MaxArraySize is 1001; indexes stay within a tenant's reach). */
export const maxArrayIndex = 999_999;

/** A parsed array: its task indexes in ascending order and the limit on tasks running at once, if any. */
export interface ArraySpec {
  readonly indexes: readonly number[];
  /** At most this many tasks placed at once (`%N`); undefined: no limit beyond quota. */
  readonly maxRunning: number | undefined;
}

const rangePattern = /^(\d{1,7})(?:-(\d{1,7})(?::(\d{1,7}))?)?$/;

/**
 * Parses an array expression; answers the problem in a sentence when it is not one (unknown syntax, a range
 * running backwards, a zero step, an index above `maxArrayIndex`, more than `maxArrayTasks` tasks, `%0`).
 */
export function parseArray(text: string): ArraySpec | string {
  if (text.length > 400) return "is longer than 400 characters";
  const [list, throttle, extra] = text.split("%");
  if (extra !== undefined) return "has more than one %";
  let maxRunning: number | undefined;
  if (throttle !== undefined) {
    if (!/^\d{1,5}$/.test(throttle) || Number(throttle) < 1)
      return `%${throttle}: the limit of tasks running at once must be a whole number from 1`;
    maxRunning = Number(throttle);
  }
  if (list === undefined || list === "") return "names no task index";
  const ranges: [number, number, number][] = [];
  let count = 0;
  for (const part of list.split(",")) {
    const match = rangePattern.exec(part);
    if (match === null) return `${part || "(empty)"}: expected an index, a range a-b or a range with a step a-b:s`;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    const step = match[3] === undefined ? 1 : Number(match[3]);
    if (last < first) return `${part}: the range runs backwards`;
    if (step < 1) return `${part}: the step must be at least 1`;
    if (last > maxArrayIndex) return `${part}: task indexes go up to ${maxArrayIndex}`;
    count += Math.floor((last - first) / step) + 1;
    if (count > maxArrayTasks) return `has more than ${maxArrayTasks} tasks`;
    ranges.push([first, last, step]);
  }
  const indexes = new Set<number>();
  for (const [first, last, step] of ranges) for (let index = first; index <= last; index += step) indexes.add(index);
  return { indexes: [...indexes].sort((a, b) => a - b), maxRunning };
}

/** The Slurm-style name of an array's expression after expansion (`0-3,8,10-12`, plus `%N`). */
export function formatArray(spec: ArraySpec): string {
  const parts: string[] = [];
  const indexes = spec.indexes;
  for (let at = 0; at < indexes.length; ) {
    let end = at;
    while (end + 1 < indexes.length && indexes[end + 1] === indexes[end]! + 1) end++;
    parts.push(end === at ? `${indexes[at]}` : `${indexes[at]}-${indexes[end]}`);
    at = end + 1;
  }
  return `${parts.join(",")}${spec.maxRunning === undefined ? "" : `%${spec.maxRunning}`}`;
}
