/**
 * Influx line protocol: `measurement[,tag=value...] field=value[,field=value...] [timestamp]`, one point per line.
 * Each numeric field becomes a series named `measurement_field` (a field called `value` gives the bare measurement
 * name, as Telegraf's Prometheus output does), labelled with the tags. Names that Prometheus would not accept are
 * cleaned to `_`, as VictoriaMetrics does.
 *
 * A line with a syntax error is rejected whole, with its line number; a string field is skipped and reported while
 * the line's numeric fields are kept. Hand-written scanner: the hot loop looks up each line's `measurement,tags`
 * text in a cache, so a known series costs one map lookup and a number parse.
 */
import { type Interner, maxTimestamp, type SampleBuffer } from "../samples.ts";
import { type Labels, type RejectionList, sanitizeMetricName, truncate } from "../types.ts";

/** Timestamp precisions of the protocol (InfluxDB 2 and this platform's own route). */
export const precisions = ["ns", "us", "ms", "s"] as const;
/** Every precision the parser knows: InfluxDB 1 also has minutes and hours. */
export type Precision = (typeof precisions)[number] | "m" | "h";

const toMilliseconds: Record<Precision, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

interface SeriesPrefix {
  readonly name: string;
  readonly labels: Labels;
  /** Field key → series id, filled as fields are first seen. */
  readonly fields: Map<string, number>;
  /**
   * Field keys of the last line with this prefix, in order. Senders repeat the same fields in the same order, so
   * the next line's keys are matched in place against these instead of being cut out of the text.
   */
  order: string[];
}

/** Cached prefixes beyond this many are dropped and rebuilt (bounds memory under a cardinality attack). */
const maxCachedPrefixes = 2_000_000;

const backslash = 92;
const space = 32;
const tab = 9;
const comma = 44;
const equals = 61;
const quote = 34;
const carriageReturn = 13;
const hash = 35;

// Scratch for the fields of the line being parsed: a line is only kept once all of it parsed.
const lineKeys: string[] = [];
const lineValues: number[] = [];

/** Parses line protocol into samples, caching series prefixes across calls. */
export class InfluxParser {
  readonly #intern: Interner;
  #prefixes = new Map<string, SeriesPrefix | string>();

  constructor(intern: Interner) {
    this.#intern = intern;
  }

  /** Forgets every cached series id (the registry withdrew series, so some may no longer be valid). */
  forget(): void {
    this.#prefixes = new Map();
  }

  /**
   * Parses `text`, appending samples to `out` and problems to `rejections` (with 1-based line numbers). Points
   * without a timestamp get `now`. Never throws on any input.
   */
  parse(text: string, precision: Precision, now: number, out: SampleBuffer, rejections: RejectionList): void {
    const scale = toMilliseconds[precision];
    let lineNumber = 0;
    let position = 0;
    while (position <= text.length) {
      lineNumber++;
      let end = text.indexOf("\n", position);
      if (end < 0) end = text.length;
      const next = end + 1;
      if (end > position && text.charCodeAt(end - 1) === carriageReturn) end--;
      this.#line(text, position, end, lineNumber, scale, now, out, rejections);
      position = next;
    }
  }

  #line(
    text: string,
    start: number,
    end: number,
    line: number,
    scale: number,
    now: number,
    out: SampleBuffer,
    rejections: RejectionList,
  ): void {
    while (start < end && isBlank(text.charCodeAt(start))) start++;
    if (start === end || text.charCodeAt(start) === hash) return;
    let cursor = prefixEnd(text, start, end);
    if (cursor >= end) {
      rejections.add({
        line,
        path: "line",
        problem: "no fields: expected `measurement[,tag=value] field=value [timestamp]`",
      });
      return;
    }
    const prefix = this.#prefix(text.slice(start, cursor));
    if (typeof prefix === "string") {
      rejections.add({ line, path: "measurement", problem: prefix });
      return;
    }
    while (cursor < end && text.charCodeAt(cursor) === space) cursor++;
    lineKeys.length = 0;
    lineValues.length = 0;
    const skipped: string[] = [];
    // Fields: key=value pairs separated by commas, ended by a space or the end of the line.
    const order = prefix.order;
    let inOrder = true;
    for (let field = 0; ; field++) {
      const keyStart = cursor;
      const expected = inOrder ? order[field] : undefined;
      if (
        expected !== undefined &&
        text.startsWith(expected, cursor) &&
        text.charCodeAt(cursor + expected.length) === equals
      ) {
        cursor += expected.length;
      } else inOrder = false;
      let keyEscaped = false;
      while (cursor < end) {
        const code = text.charCodeAt(cursor);
        if (code === backslash) {
          keyEscaped = true;
          cursor += 2;
        } else if (code === equals || code === comma || code === space) break;
        else cursor++;
      }
      if (cursor >= end || text.charCodeAt(cursor) !== equals) {
        rejections.add({
          line,
          path: "fields",
          problem: `field ${quoteText(text.slice(keyStart, cursor))} has no "=value"`,
        });
        return;
      }
      if (cursor === keyStart) {
        rejections.add({ line, path: "fields", problem: "a field has an empty name" });
        return;
      }
      const key =
        inOrder && expected !== undefined
          ? expected
          : keyEscaped
            ? unescapeText(text.slice(keyStart, cursor))
            : text.slice(keyStart, cursor);
      if (keyEscaped) inOrder = false;
      cursor++;
      const valueStart = cursor;
      if (cursor < end && text.charCodeAt(cursor) === quote) {
        cursor++;
        while (cursor < end && text.charCodeAt(cursor) !== quote)
          cursor += text.charCodeAt(cursor) === backslash ? 2 : 1;
        if (cursor >= end) {
          rejections.add({ line, path: `field ${quoteText(key)}`, problem: "string value has no closing quote" });
          return;
        }
        cursor++;
        skipped.push(key);
      } else {
        while (cursor < end) {
          const code = text.charCodeAt(cursor);
          if (code === comma || code === space) break;
          cursor++;
        }
        const value = parseFieldValue(text, valueStart, cursor);
        if (value === undefined) {
          rejections.add({
            line,
            path: `field ${quoteText(key)}`,
            problem: `${quoteText(text.slice(valueStart, cursor))} is not a number, integer (1i), unsigned (1u), boolean or string`,
          });
          return;
        }
        lineKeys.push(key);
        lineValues.push(value);
      }
      if (cursor >= end) break;
      if (text.charCodeAt(cursor) === comma) {
        cursor++;
        continue;
      }
      break;
    }
    const timestamp = lineTimestamp(text, cursor, end, line, scale, now, rejections);
    if (timestamp === undefined) return;
    for (const key of skipped) {
      rejections.add({ line, path: `field ${quoteText(key)}`, problem: "string values are not stored as samples" });
    }
    if (!inOrder || order.length !== lineKeys.length || skipped.length > 0) {
      // Keys that needed escaping are never matched in place (their text differs from the key).
      prefix.order = skipped.length > 0 || lineKeys.some((key) => /[ ,="\\]/.test(key)) ? [] : [...lineKeys];
    }
    this.#emit(prefix, line, timestamp, out, rejections);
  }

  /**
   * Appends the line's numeric fields (`lineKeys`, `lineValues`) as samples at `timestamp`, naming and interning each
   * field's series the first time its prefix sees it; a series the registry refuses is rejected alone.
   */
  #emit(prefix: SeriesPrefix, line: number, timestamp: number, out: SampleBuffer, rejections: RejectionList): void {
    for (let i = 0; i < lineKeys.length; i++) {
      const key = lineKeys[i]!;
      let series = prefix.fields.get(key);
      if (series === undefined) {
        const name = key === "value" ? prefix.name : sanitizeMetricName(`${prefix.name}_${key}`);
        const interned = this.#intern(name, prefix.labels);
        if (!interned.ok) {
          rejections.add({ line, path: `field ${quoteText(key)}`, problem: interned.problem });
          continue;
        }
        series = interned.value;
        prefix.fields.set(key, series);
      }
      out.push(series, timestamp, lineValues[i]!);
    }
  }

  #prefix(text: string): SeriesPrefix | string {
    const cached = this.#prefixes.get(text);
    if (cached !== undefined) return cached;
    const parsed = parsePrefix(text);
    if (this.#prefixes.size >= maxCachedPrefixes) this.#prefixes = new Map();
    this.#prefixes.set(text, parsed);
    return parsed;
  }
}

/** Where a line's `measurement,tags` text ends: its first unescaped space, or at or past `end` when it has none. */
function prefixEnd(text: string, start: number, end: number): number {
  let cursor = start;
  while (cursor < end) {
    const code = text.charCodeAt(cursor);
    if (code === backslash) cursor += 2;
    else if (code === space) break;
    else cursor++;
  }
  return cursor;
}

/**
 * The line's timestamp in milliseconds, read from `cursor` (after its fields) to `end`: `now` when the line has none;
 * undefined, with the line rejected, when it is not an integer or falls outside the sample range.
 */
function lineTimestamp(
  text: string,
  cursor: number,
  end: number,
  line: number,
  scale: number,
  now: number,
  rejections: RejectionList,
): number | undefined {
  while (cursor < end && isBlank(text.charCodeAt(cursor))) cursor++;
  if (cursor >= end) return now;
  const parsed = parseTimestamp(text, cursor, end);
  if (parsed === undefined) {
    rejections.add({
      line,
      path: "timestamp",
      problem: `${quoteText(text.slice(cursor, end))} is not an integer timestamp`,
    });
    return undefined;
  }
  const timestamp = parsed * scale;
  if (!(timestamp >= 0 && timestamp <= maxTimestamp)) {
    rejections.add({ line, path: "timestamp", problem: `${text.slice(cursor, end)} is outside 1970 to 275760` });
    return undefined;
  }
  return timestamp;
}

/** Splits `measurement,tag=value,...` on unescaped commas and equals signs. */
function parsePrefix(text: string): SeriesPrefix | string {
  const parts = splitUnescaped(text, comma);
  const measurement = unescapeText(parts[0]!);
  if (measurement.length === 0) return "the measurement name is empty";
  const labels: Record<string, string> = {};
  for (const part of parts.slice(1)) {
    const pair = splitUnescaped(part, equals);
    if (pair.length !== 2) return `tag ${quoteText(unescapeText(part))} must be key=value`;
    const key = sanitizeMetricName(unescapeText(pair[0]!)).replace(/:/g, "_");
    const value = unescapeText(pair[1]!);
    if (key.length === 0 || value.length === 0) return `tag ${quoteText(unescapeText(part))} has an empty key or value`;
    if (key.startsWith("__")) return `tag ${quoteText(key)} is reserved (starts with "__")`;
    if (key in labels) return `tag ${quoteText(key)} appears twice`;
    labels[key] = value;
  }
  // Frozen: the registry then checks, keys and locates this label set once for all the line's fields.
  return { name: sanitizeMetricName(measurement), labels: Object.freeze(labels), fields: new Map(), order: [] };
}

function splitUnescaped(text: string, separator: number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === backslash) i++;
    else if (code === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unescapeText(text: string): string {
  return text.includes("\\") ? text.replace(/\\([,= "\\])/g, "$1") : text;
}

function isBlank(code: number): boolean {
  return code === space || code === tab;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Parses a field value: float, `1i`, `1u` or a boolean. Undefined when it is none of those. */
function parseFieldValue(text: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  const last = text.charCodeAt(end - 1);
  if (last === 105 /* i */ || last === 117 /* u */) {
    let i = start;
    if (last === 105 && (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43)) i++;
    if (i >= end - 1) return undefined;
    for (let j = i; j < end - 1; j++) if (!isDigit(text.charCodeAt(j))) return undefined;
    return Number(text.slice(start, end - 1));
  }
  const first = text.charCodeAt(start);
  if (!isDigit(first) && first !== 45 && first !== 43 && first !== 46) return booleanValue(text.slice(start, end));
  const fast = shortDecimal(text, start, end);
  if (fast !== undefined) return fast;
  if (!isFloat(text, start, end)) return undefined;
  return Number(text.slice(start, end));
}

const powersOfTen = Array.from({ length: 16 }, (_, exponent) => 10 ** exponent);

/**
 * `[-]d+[.d+]` with at most 15 digits, without making a string: the digits form an integer below 2^53 and the
 * power of ten is exact, so one IEEE division is correctly rounded, which is exactly what Number() returns.
 * Undefined for anything else (exponents, signs, long numbers), which takes the general path.
 */
function shortDecimal(text: string, start: number, end: number): number | undefined {
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  let digits = 0;
  let integer = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      integer = integer * 10 + (code - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (code === 46 && fraction < 0) fraction = 0;
    else return undefined;
  }
  if (digits === 0 || digits > 15 || fraction === 0) return undefined;
  const value = fraction > 0 ? integer / powersOfTen[fraction]! : integer;
  return negative ? -value : value;
}

function booleanValue(text: string): number | undefined {
  switch (text) {
    case "t":
    case "T":
    case "true":
    case "True":
    case "TRUE":
      return 1;
    case "f":
    case "F":
    case "false":
    case "False":
    case "FALSE":
      return 0;
    default:
      return undefined;
  }
}

/** Strict decimal float: `[+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?` — no hex, no Infinity, no blanks. */
function isFloat(text: string, start: number, end: number): boolean {
  let i = start;
  const sign = text.charCodeAt(i);
  if (sign === 45 || sign === 43) i++;
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < end && (text.charCodeAt(i) | 32) === 101) {
    i++;
    const exponentSign = text.charCodeAt(i);
    if (exponentSign === 45 || exponentSign === 43) i++;
    let exponentDigits = 0;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      exponentDigits++;
    }
    if (exponentDigits === 0) return false;
  }
  return i === end;
}

function parseTimestamp(text: string, start: number, end: number): number | undefined {
  let stop = end;
  while (stop > start && isBlank(text.charCodeAt(stop - 1))) stop--;
  let i = start;
  if (text.charCodeAt(i) === 45) i++;
  if (i >= stop) return undefined;
  for (let j = i; j < stop; j++) if (!isDigit(text.charCodeAt(j))) return undefined;
  return Number(text.slice(start, stop));
}

function quoteText(text: string): string {
  return JSON.stringify(truncate(text));
}
