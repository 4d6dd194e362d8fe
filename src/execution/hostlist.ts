/**
 * Slurm host lists: `h1-r002-01-n[01-04],h1-r002-02-n01` ⇄ the names they stand for. Slurm writes every node list
 * this way (squeue, sinfo, slurm.conf), with one bracketed range of zero-padded numbers per name part; we compress on
 * the last number of a name, which is how rack and node names vary.
 */

const lastNumber = /^(.*?)(\d+)(\D*)$/;

/** Compresses names into a Slurm host list, keeping their order of first appearance per group. */
export function compressHostlist(names: readonly string[]): string {
  interface Group {
    readonly prefix: string;
    readonly suffix: string;
    readonly width: number;
    readonly numbers: number[];
  }
  const groups: (Group | string)[] = [];
  const byKey = new Map<string, Group>();
  for (const name of names) {
    const match = lastNumber.exec(name);
    if (match === null) {
      groups.push(name);
      continue;
    }
    const [, prefix = "", digits = "", suffix = ""] = match;
    const key = `${prefix}\u0000${suffix}\u0000${digits.length}`;
    let group = byKey.get(key);
    if (group === undefined) {
      group = { prefix, suffix, width: digits.length, numbers: [] };
      byKey.set(key, group);
      groups.push(group);
    }
    group.numbers.push(Number(digits));
  }
  const parts: string[] = [];
  for (const group of groups) {
    if (typeof group === "string") {
      parts.push(group);
      continue;
    }
    const numbers = [...new Set(group.numbers)].sort((a, b) => a - b);
    const pad = (value: number) => String(value).padStart(group.width, "0");
    if (numbers.length === 1) {
      parts.push(`${group.prefix}${pad(numbers[0]!)}${group.suffix}`);
      continue;
    }
    const ranges: string[] = [];
    for (let i = 0; i < numbers.length; ) {
      let j = i;
      while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
      ranges.push(i === j ? pad(numbers[i]!) : `${pad(numbers[i]!)}-${pad(numbers[j]!)}`);
      i = j + 1;
    }
    parts.push(`${group.prefix}[${ranges.join(",")}]${group.suffix}`);
  }
  return parts.join(",");
}

/**
 * Expands a Slurm host list (`a[01-03,07],b5`) into names. Brackets may appear more than once in a name (their
 * product is taken, as Slurm does). Returns an error message instead when the list is malformed.
 */
export function expandHostlist(list: string): string[] | string {
  const names: string[] = [];
  let depth = 0;
  let start = 0;
  const pieces: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    if (char === "[") depth++;
    else if (char === "]") depth--;
    if (depth < 0) return `host list "${list}": unmatched "]" at ${i + 1}`;
    if (char === "," && depth === 0) {
      pieces.push(list.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return `host list "${list}": unmatched "["`;
  pieces.push(list.slice(start));
  for (const piece of pieces) {
    if (piece === "") continue;
    const expanded = expandOne(piece);
    if (typeof expanded === "string") return `host list "${list}": ${expanded}`;
    names.push(...expanded);
  }
  return names;
}

function expandOne(pattern: string): string[] | string {
  const open = pattern.indexOf("[");
  if (open < 0) return [pattern];
  const close = pattern.indexOf("]", open);
  const head = pattern.slice(0, open);
  const tails = expandOne(pattern.slice(close + 1));
  if (typeof tails === "string") return tails;
  const result: string[] = [];
  for (const range of pattern.slice(open + 1, close).split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (match === null) return `"${range}" is not a number or a range`;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) return `range "${range}" runs backwards`;
    if (to - from > 1_000_000) return `range "${range}" is too large`;
    const width = match[1]!.length;
    for (let value = from; value <= to; value++) {
      const number = String(value).padStart(width, "0");
      for (const tail of tails) result.push(`${head}${number}${tail}`);
    }
  }
  return result;
}
