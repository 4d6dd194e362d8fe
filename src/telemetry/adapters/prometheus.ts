/**
 * Prometheus text exposition format (version 0.0.4, and the OpenMetrics `# EOF` terminator): the parser, and a
 * scraper that fetches targets on an interval and records `up` for each, as Prometheus does.
 *
 * `name{label="value",...} value [timestamp_ms]`; `# HELP` and `# TYPE` lines are checked and otherwise ignored
 * (every series is stored as a plain series). Label values may escape `\\`, `\"` and `\n`. NaN and infinite values
 * are reported and not stored: history aggregates would turn them into noise.
 */
import { type Static, Type } from "typebox";
import { type Interner, maxTimestamp, SampleBuffer } from "../samples.ts";
import { type Labels, RejectionList, sanitizeMetricName, truncate } from "../types.ts";

const metricTypes = new Set([
  "counter",
  "gauge",
  "histogram",
  "summary",
  "untyped",
  "info",
  "stateset",
  "gaugehistogram",
  "unknown",
]);

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 58;
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 48 && code <= 57);
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/**
 * The two exposition formats: Prometheus text (timestamps are integer ms) and OpenMetrics (timestamps are float
 * seconds, samples may carry an exemplar after ` # `). Told apart by the Content-Type.
 */
export type ExpositionFormat = "prometheus" | "openmetrics";

/** The format a Content-Type names: OpenMetrics for `application/openmetrics-text`, Prometheus text otherwise. */
export function formatOfContentType(contentType: string | undefined): ExpositionFormat {
  return contentType !== undefined && /^\s*application\/openmetrics-text\b/i.test(contentType)
    ? "openmetrics"
    : "prometheus";
}

/** Checks a decimal float token (`[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`) without a regular expression. */
function isDecimal(text: string, start: number, end: number, signed: boolean): boolean {
  let i = start;
  const first = text.charCodeAt(i);
  if (first === 43 /* + */ || first === 45 /* - */) {
    if (!signed && first === 43) return false;
    i++;
  }
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < end && text.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < end && (text.charCodeAt(i) | 32) === 101 /* e */) {
    i++;
    if (i < end && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
    const exponentStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === exponentStart) return false;
  }
  return i === end;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A sample value: decimal floats, NaN and ±Inf as Go's ParseFloat spells them; undefined when not a number. */
function parseValue(text: string, start: number, end: number): number | undefined {
  if (isDecimal(text, start, end, true)) return Number(text.slice(start, end));
  switch (text.slice(start, end).toLowerCase()) {
    case "nan":
      return Number.NaN;
    case "+inf":
    case "inf":
      return Number.POSITIVE_INFINITY;
    case "-inf":
      return Number.NEGATIVE_INFINITY;
  }
  return undefined;
}

/** FNV-1a of the series text `seriesEnd` last scanned (30 bits), so a known line is read once before its lookup. */
let scannedHash = 0;

/**
 * The end of the series text (`name`, `name{…}` or `{"name",…}`) starting at `start`: the index after the name or
 * the closing brace, skipping quoted strings with their escapes; -1 when the line has no well-formed end. This
 * is all a sample of a known series needs before its cache lookup; it leaves the text's hash (as `hashRange` gives
 * it) in `scannedHash`.
 */
function seriesEnd(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  let i = start;
  let code = text.charCodeAt(i);
  if (isNameStart(code)) {
    while (i < end && isNameChar(code)) {
      hash = Math.imul(hash ^ code, 16777619);
      code = text.charCodeAt(++i);
    }
    if (code !== 123 /* { */) {
      scannedHash = hash & 0x3fffffff;
      return i;
    }
  } else if (code !== 123) return -1;
  hash = Math.imul(hash ^ code, 16777619);
  i++;
  while (i < end) {
    code = text.charCodeAt(i);
    hash = Math.imul(hash ^ code, 16777619);
    if (code === 125 /* } */) {
      scannedHash = hash & 0x3fffffff;
      return i + 1;
    }
    if (code === 34 /* " */) {
      i++;
      while (i < end) {
        code = text.charCodeAt(i);
        hash = Math.imul(hash ^ code, 16777619);
        if (code === 34) break;
        if (code === 92 /* \ */ && i + 1 < end) {
          i++;
          hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
        }
        i++;
      }
    }
    i++;
  }
  return -1;
}

/** A quoted name (Prometheus 3 UTF-8 names) as the store spells it: Prometheus' "underscores" escaping. */
function legacyLabelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Reads a double-quoted string at `start` (the quote); the text and the index after the closing quote. */
function quoted(line: string, start: number): { text: string; next: number } | string {
  let i = start + 1;
  let text = "";
  let from = i;
  while (i < line.length) {
    const code = line.charCodeAt(i);
    if (code === 34) return { text: text + line.slice(from, i), next: i + 1 };
    if (code === 92) {
      const escaped = line[i + 1];
      text += line.slice(from, i);
      if (escaped === "n") text += "\n";
      else if (escaped === "\\" || escaped === '"') text += escaped;
      else return `unknown escape \\${escaped ?? ""} at column ${i + 1} (only \\\\, \\" and \\n)`;
      i += 2;
      from = i;
      continue;
    }
    i++;
  }
  return `a quoted string opened at column ${start + 1} has no closing quote`;
}

interface ParsedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly end: number;
}

/**
 * Parses the series part of a line: a name and labels, either `name{a="1"}` or, with Prometheus 3 quoted UTF-8
 * names, `{"my.metric", "label.x"="v"}`. Quoted names are stored with "underscores" escaping (`my_metric`), as
 * Prometheus does for storage without UTF-8 names. A problem string when malformed.
 */
function parseSeries(line: string): ParsedSeries | string {
  let i = 0;
  let name = "";
  if (isNameStart(line.charCodeAt(0))) {
    while (i < line.length && isNameChar(line.charCodeAt(i))) i++;
    name = line.slice(0, i);
  } else if (line.charCodeAt(0) !== 123) {
    return `a sample line must start with a metric name, not ${JSON.stringify(truncate(line, 20))}`;
  }
  // A Map, not an object: label names such as "toString" or "__proto__" must be plain keys.
  const labels = new Map<string, string>();
  if (line.charCodeAt(i) !== 123) return { name, labels: {}, end: i };
  i++;
  let first = true;
  for (;;) {
    while (isBlank(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) === 125) {
      i++;
      break;
    }
    let labelName: string;
    const labelStart = i;
    if (line.charCodeAt(i) === 34) {
      const read = quoted(line, i);
      if (typeof read === "string") return read;
      i = read.next;
      while (isBlank(line.charCodeAt(i))) i++;
      if (line.charCodeAt(i) !== 61 && first && name === "") {
        // A quoted string alone, first in the braces, is the metric name.
        if (read.text.length === 0) return `the quoted metric name at column ${labelStart + 1} is empty`;
        name = sanitizeMetricName(read.text);
        first = false;
        if (line.charCodeAt(i) === 44) {
          i++;
          continue;
        }
        if (line.charCodeAt(i) === 125) {
          i++;
          break;
        }
        return `"," or "}" expected after the metric name at column ${i + 1}`;
      }
      if (read.text.length === 0) return `the quoted label name at column ${labelStart + 1} is empty`;
      labelName = legacyLabelName(read.text);
    } else {
      if (!isNameStart(line.charCodeAt(i)) || line.charCodeAt(i) === 58)
        return `label name expected at column ${i + 1}`;
      while (i < line.length && isNameChar(line.charCodeAt(i)) && line.charCodeAt(i) !== 58) i++;
      labelName = line.slice(labelStart, i);
    }
    first = false;
    while (isBlank(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 61 /* = */) return `"=" expected after label ${labelName}`;
    i++;
    while (isBlank(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 34 /* " */) return `label ${labelName}: the value must be in double quotes`;
    const value = quoted(line, i);
    if (typeof value === "string") return `label ${labelName}: ${value}`;
    i = value.next;
    if (labels.has(labelName)) return `label ${labelName} appears twice`;
    labels.set(labelName, value.text);
    while (isBlank(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) === 44 /* , */) {
      i++;
      continue;
    }
    if (line.charCodeAt(i) === 125) {
      i++;
      break;
    }
    return `"," or "}" expected after label ${labelName}`;
  }
  if (name === "") return "the sample has no metric name (unquoted before the braces, or quoted first inside them)";
  return { name, labels: Object.fromEntries(labels), end: i };
}

/** The value and timestamp of one sample, read by `readTail`. */
interface Tail {
  value: number;
  timestamp: number | undefined;
}

/**
 * Reads what follows the series text on `[start, end)`: a blank, the value, an optional timestamp and, in
 * OpenMetrics, an optional exemplar (`# {trace_id="…"} 0.67 1700000000.1`: it belongs to the sample but is not one).
 * Fills `tail`; a problem string when malformed.
 */
function readTail(
  text: string,
  seriesStart: number,
  start: number,
  end: number,
  format: ExpositionFormat,
  tail: Tail,
): string | undefined {
  let i = start;
  if (i >= end || !isBlank(text.charCodeAt(i))) {
    return `a space and a value are expected after ${JSON.stringify(truncate(text.slice(seriesStart, start), 40))}`;
  }
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  // Up to three blank-separated tokens (value, timestamp, extra), stopping at an OpenMetrics exemplar.
  let valueStart = -1;
  let valueEnd = -1;
  let stampStart = -1;
  let stampEnd = -1;
  let extraStart = -1;
  while (i < end) {
    if (format === "openmetrics" && text.charCodeAt(i) === 35 /* # */) {
      let j = i + 1;
      while (j < end && isBlank(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 123) return "an exemplar must look like # {labels} value [timestamp]";
      break;
    }
    const tokenStart = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    if (valueStart < 0) {
      valueStart = tokenStart;
      valueEnd = i;
    } else if (stampStart < 0) {
      stampStart = tokenStart;
      stampEnd = i;
    } else {
      extraStart = tokenStart;
      break;
    }
    while (i < end && isBlank(text.charCodeAt(i))) i++;
  }
  if (valueStart < 0) return "a value is expected after the series";
  if (extraStart >= 0) {
    return `unexpected text after the timestamp: ${JSON.stringify(truncate(text.slice(extraStart, end), 30))}`;
  }
  const value = parseValue(text, valueStart, valueEnd);
  if (value === undefined) return `${JSON.stringify(truncate(text.slice(valueStart, valueEnd), 30))} is not a number`;
  tail.value = value;
  tail.timestamp = undefined;
  if (stampStart < 0) return undefined;
  if (format === "openmetrics") {
    const stampText = text.slice(stampStart, stampEnd);
    if (!isDecimal(text, stampStart, stampEnd, false)) {
      return `timestamp ${JSON.stringify(truncate(stampText, 30))} must be a number of seconds (OpenMetrics)`;
    }
    const timestamp = Math.round(Number(stampText) * 1000);
    if (!(timestamp >= 0 && timestamp <= maxTimestamp)) return `timestamp ${stampText} is outside 1970 to 275760`;
    tail.timestamp = timestamp;
    return undefined;
  }
  // Integer ms, read digit by digit: exact below 2^53, and no string is made for a well-formed one.
  let digit = stampStart;
  const negative = text.charCodeAt(digit) === 45;
  if (negative) digit++;
  let timestamp = 0;
  let digits = 0;
  while (digit < stampEnd && isDigit(text.charCodeAt(digit)) && digits < 17) {
    timestamp = timestamp * 10 + (text.charCodeAt(digit) - 48);
    digit++;
    digits++;
  }
  if (digits > 0 && digit === stampEnd && !negative && timestamp <= maxTimestamp) {
    tail.timestamp = timestamp;
    return undefined;
  }
  const stampText = text.slice(stampStart, stampEnd);
  if (!/^-?\d+$/.test(stampText)) {
    return `timestamp ${JSON.stringify(truncate(stampText, 30))} must be an integer of ms (Prometheus text format; send Content-Type application/openmetrics-text for seconds)`;
  }
  const exact = Number(stampText);
  if (exact < 0 || exact > maxTimestamp) return `timestamp ${stampText} is outside 1970 to 275760`;
  tail.timestamp = exact;
  return undefined;
}

/** FNV-1a over the characters of `[start, end)`: the cache key of a series text without making its string. */
function hashRange(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  // 30 bits: a small integer to V8, so a lookup allocates no heap number.
  return hash & 0x3fffffff;
}

/** A string that shares no storage with the text it came from. */
function flatCopy(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

/** A cached series: its text, its id, and the next entry of the same hash. */
interface CacheEntry {
  readonly key: string;
  readonly id: number;
  next: CacheEntry | undefined;
}

function isBlankOrReturn(code: number): boolean {
  return code === 32 || code === 9 || code === 13;
}

/**
 * Default bound of the series-text cache: the registry's default series limit. A cache smaller than the series a
 * sender cycles through misses on nearly every line (it is emptied when full), which cost 10× at 1.2 M series when
 * this was 1 M; the service sizes it from its own series limit.
 */
export const defaultMaxCachedSeries = 2_000_000;

/**
 * Parses exposition text into samples, caching series across calls. A line of a known series costs a scan to the
 * end of its series text and one map lookup; labels are parsed only for series not seen before. Never throws on
 * any input: every problem is a rejection naming its line.
 */
export class PrometheusParser {
  readonly #intern: Interner;
  #caches = new Map<string, Map<number, CacheEntry>>();
  #cached = 0;
  readonly #maxCached: number;
  readonly #tail: Tail = { value: 0, timestamp: undefined };

  /** `maxCachedSeries` bounds the series texts remembered (a sender spelling one series many ways adds entries). */
  constructor(intern: Interner, options: { readonly maxCachedSeries?: number } = {}) {
    this.#intern = intern;
    this.#maxCached = options.maxCachedSeries ?? defaultMaxCachedSeries;
  }

  /** Forgets every cached series id (the registry withdrew series, so some may no longer be valid). */
  forget(): void {
    this.#caches = new Map();
    this.#cached = 0;
  }

  /**
   * Parses `text`; samples without a timestamp get `now`. `extraLabels` (a target's labels) are added to every
   * series and win over scraped labels of the same name.
   */
  parse(
    text: string,
    now: number,
    extraLabels: Labels,
    out: SampleBuffer,
    rejections: RejectionList,
    format: ExpositionFormat = "prometheus",
  ): void {
    const extraKey = JSON.stringify(extraLabels);
    let cache = this.#caches.get(extraKey);
    if (cache === undefined) {
      cache = new Map();
      this.#caches.set(extraKey, cache);
    }
    const tail = this.#tail;
    let lineNumber = 0;
    for (let position = 0; position <= text.length; ) {
      let end = text.indexOf("\n", position);
      if (end < 0) end = text.length;
      let start = position;
      position = end + 1;
      lineNumber++;
      while (start < end && isBlankOrReturn(text.charCodeAt(start))) start++;
      while (end > start && isBlankOrReturn(text.charCodeAt(end - 1))) end--;
      if (start === end) continue;
      if (text.charCodeAt(start) === 35 /* # */) {
        const line = text.slice(start, end);
        if (line === "# EOF") return;
        const parts = line.split(/[ \t]+/);
        if (parts[1] === "TYPE" && (parts.length !== 4 || !metricTypes.has(parts[3]!))) {
          rejections.add({
            line: lineNumber,
            path: "TYPE",
            problem: `expected "# TYPE name counter|gauge|histogram|summary|untyped"`,
          });
        }
        continue;
      }
      const seriesStop = seriesEnd(text, start, end);
      let entry = seriesStop < 0 ? undefined : cache.get(scannedHash);
      while (entry !== undefined && !(entry.key.length === seriesStop - start && text.startsWith(entry.key, start))) {
        entry = entry.next;
      }
      let series = entry?.id;
      if (series === undefined) {
        // A new series, or a malformed line: the full parse says which, naming the problem.
        const line = text.slice(start, end);
        const parsed = parseSeries(line);
        if (typeof parsed === "string") {
          rejections.add({ line: lineNumber, path: "sample", problem: parsed });
          continue;
        }
        const problem = readTail(line, 0, parsed.end, line.length, format, tail);
        if (problem !== undefined) {
          rejections.add({ line: lineNumber, path: "sample", problem });
          continue;
        }
        if (!Number.isFinite(tail.value)) {
          rejections.add({
            line: lineNumber,
            path: line.slice(0, parsed.end),
            problem: `${tail.value} is not stored (not finite)`,
          });
          continue;
        }
        const interned = this.#intern(parsed.name, { ...parsed.labels, ...extraLabels });
        if (!interned.ok) {
          rejections.add({ line: lineNumber, path: line.slice(0, parsed.end), problem: interned.problem });
          continue;
        }
        series = interned.value;
        if (this.#cached >= this.#maxCached) {
          cache = new Map();
          this.#caches = new Map([[extraKey, cache]]);
          this.#cached = 0;
        }
        // A copy, not a slice: a slice would keep the whole request body alive as long as the cache entry.
        const key = flatCopy(line.slice(0, parsed.end));
        const hash = hashRange(key, 0, key.length);
        cache.set(hash, { key, id: series, next: cache.get(hash) });
        this.#cached++;
        out.push(series, tail.timestamp ?? now, tail.value);
        continue;
      }
      const problem = readTail(text, start, seriesStop, end, format, tail);
      if (problem !== undefined) {
        rejections.add({ line: lineNumber, path: "sample", problem });
        continue;
      }
      if (!Number.isFinite(tail.value)) {
        rejections.add({
          line: lineNumber,
          path: text.slice(start, seriesStop),
          problem: `${tail.value} is not stored (not finite)`,
        });
        continue;
      }
      out.push(series, tail.timestamp ?? now, tail.value);
    }
  }
}

/** One scrape target. */
export interface ScrapeTarget {
  readonly url: string;
  /** Labels added to every scraped series, e.g. `{ equipment: "plant:h1" }`; `job` defaults to `prometheus`. */
  readonly labels?: Labels;
  readonly timeoutMs?: number;
  /** Largest body read (default `defaultScrapeBodyLimitBytes`); a larger one fails the scrape, as Prometheus' `body_size_limit`. */
  readonly bodySizeLimitBytes?: number;
}

/** Default largest scrape body: 64 MiB, about a million series of exposition text. */
export const defaultScrapeBodyLimitBytes = 64 * 1024 * 1024;

/** The body as text, read no further than `limit` bytes; throws naming the limit past it. */
async function boundedText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new Error(`the body (${declared} bytes) is larger than bodySizeLimitBytes (${limit})`);
  }
  if (response.body === null) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new Error(`the body is larger than bodySizeLimitBytes (${limit})`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** What a scrape hands to the ingest pipeline; it answers why the batch was not stored, when it was not. */
export type ScrapeSink = (samples: SampleBuffer, rejections: RejectionList) => Promise<string | undefined>;

/** The outcome of one scrape, for status pages and tests (`GET /v1/telemetry/status`). */
export const ScrapeStatusSchema = Type.Object({
  url: Type.String(),
  up: Type.Boolean(),
  at: Type.Number({ description: "time of the scrape, ms" }),
  samples: Type.Integer(),
  problem: Type.Optional(Type.String()),
});
/** The outcome of one scrape, for status pages and tests. */
export type ScrapeStatus = Static<typeof ScrapeStatusSchema>;

/**
 * Fetches a target, parses it and hands the samples to `sink`, adding `up{job,instance}` = 1 on success and 0 on
 * failure (so a dead exporter shows as a series, and a staleness or threshold rule can alarm on it). `around` wraps
 * the parse, so the caller can note the series it creates. A body over the target's size limit fails the scrape
 * unread; a batch the sink refuses (a source limit) makes the scrape's status down with the sink's reason.
 */
export async function scrapeTarget(
  target: ScrapeTarget,
  parser: PrometheusParser,
  intern: Interner,
  sink: ScrapeSink,
  now: number,
  around: (work: () => void) => void = (work) => work(),
): Promise<ScrapeStatus> {
  const instance = new URL(target.url).host;
  const labels: Labels = { job: "prometheus", instance, ...target.labels };
  const samples = new SampleBuffer();
  const rejections = new RejectionList();
  let problem: string | undefined;
  try {
    const response = await fetch(target.url, {
      signal: AbortSignal.timeout(target.timeoutMs ?? 10_000),
      headers: { accept: "text/plain;version=0.0.4" },
    });
    if (!response.ok) problem = `HTTP ${response.status} ${response.statusText}`;
    else {
      const format = formatOfContentType(response.headers.get("content-type") ?? undefined);
      const text = await boundedText(response, target.bodySizeLimitBytes ?? defaultScrapeBodyLimitBytes);
      // `around` lets the caller note the series this parse creates (withdrawn if the batch is not stored).
      around(() => parser.parse(text, now, labels, samples, rejections, format));
    }
  } catch (cause) {
    problem = cause instanceof Error ? cause.message : String(cause);
  }
  const up = intern("up", labels);
  if (up.ok) samples.push(up.value, now, problem === undefined ? 1 : 0);
  const refused = (await sink(samples, rejections)) ?? undefined;
  if (refused !== undefined) {
    problem ??= refused;
    // As Prometheus does for a scrape over its limits: the batch is dropped but `up` says 0. Interned again, since
    // the refused batch withdrew the series it created.
    const down = intern("up", labels);
    if (down.ok) {
      const alone = new SampleBuffer(1);
      alone.push(down.value, now, 0);
      await sink(alone, new RejectionList());
    }
  }
  return {
    url: target.url,
    up: problem === undefined,
    at: now,
    samples: samples.count,
    ...(problem === undefined ? {} : { problem }),
  };
}
