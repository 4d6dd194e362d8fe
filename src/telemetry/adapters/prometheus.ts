/**
 * Prometheus text exposition format (version 0.0.4, and the OpenMetrics `# EOF` terminator): the parser, and a
 * scraper that fetches targets on an interval and records `up` for each, as Prometheus does.
 *
 * `name{label="value",...} value [timestamp_ms]`; `# HELP` and `# TYPE` lines are checked and otherwise ignored
 * (every series is stored as a plain series). Label values may escape `\\`, `\"` and `\n`. NaN and infinite values
 * are reported and not stored: history aggregates would turn them into noise.
 */
import { type Interner, maxTimestamp, SampleBuffer } from "../samples.ts";
import { type Labels, RejectionList, truncate } from "../types.ts";

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

/** Parses a sample value: decimal floats, NaN and ±Inf as Go's ParseFloat spells them. */
function parsePrometheusValue(text: string): number | undefined {
  switch (text.toLowerCase()) {
    case "nan":
      return Number.NaN;
    case "+inf":
    case "inf":
      return Number.POSITIVE_INFINITY;
    case "-inf":
      return Number.NEGATIVE_INFINITY;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

interface ParsedLine {
  readonly seriesText: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestamp: number | undefined;
}

/** Parses one sample line; a problem string when it is malformed. */
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

const openMetricsTimestamp = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseSampleLine(line: string, format: ExpositionFormat = "prometheus"): ParsedLine | string {
  let i = 0;
  if (!isNameStart(line.charCodeAt(0)))
    return `a sample line must start with a metric name, not ${JSON.stringify(truncate(line, 20))}`;
  while (i < line.length && isNameChar(line.charCodeAt(i))) i++;
  const name = line.slice(0, i);
  const labels: Record<string, string> = {};
  if (line.charCodeAt(i) === 123 /* { */) {
    i++;
    for (;;) {
      while (isBlank(line.charCodeAt(i))) i++;
      if (line.charCodeAt(i) === 125 /* } */) {
        i++;
        break;
      }
      const labelStart = i;
      if (!isNameStart(line.charCodeAt(i)) || line.charCodeAt(i) === 58)
        return `label name expected at column ${i + 1}`;
      while (i < line.length && isNameChar(line.charCodeAt(i)) && line.charCodeAt(i) !== 58) i++;
      const labelName = line.slice(labelStart, i);
      while (isBlank(line.charCodeAt(i))) i++;
      if (line.charCodeAt(i) !== 61 /* = */) return `"=" expected after label ${labelName}`;
      i++;
      while (isBlank(line.charCodeAt(i))) i++;
      if (line.charCodeAt(i) !== 34 /* " */) return `label ${labelName}: the value must be in double quotes`;
      i++;
      let value = "";
      let closed = false;
      while (i < line.length) {
        const code = line.charCodeAt(i);
        if (code === 34) {
          closed = true;
          i++;
          break;
        }
        if (code === 92 /* \ */) {
          const escaped = line[i + 1];
          if (escaped === "n") value += "\n";
          else if (escaped === "\\" || escaped === '"') value += escaped;
          else return `label ${labelName}: unknown escape \\${escaped ?? ""} (only \\\\, \\" and \\n)`;
          i += 2;
          continue;
        }
        value += line[i];
        i++;
      }
      if (!closed) return `label ${labelName}: the value has no closing quote`;
      if (labelName in labels) return `label ${labelName} appears twice`;
      labels[labelName] = value;
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
  }
  const seriesText = line.slice(0, i);
  if (!isBlank(line.charCodeAt(i)))
    return `a space and a value are expected after ${JSON.stringify(truncate(seriesText, 40))}`;
  let tail = line.slice(i);
  if (format === "openmetrics") {
    // An exemplar (`# {trace_id="…"} 0.67 1700000000.1`) belongs to the sample but is not a sample: drop it.
    const exemplar = tail.indexOf("#");
    if (exemplar >= 0) {
      if (!/^#[ \t]*\{/.test(tail.slice(exemplar))) return `an exemplar must look like # {labels} value [timestamp]`;
      tail = tail.slice(0, exemplar);
    }
  }
  const rest = tail.trim().split(/[ \t]+/);
  if (rest.length > 2)
    return `unexpected text after the timestamp: ${JSON.stringify(truncate(rest.slice(2).join(" "), 30))}`;
  const value = parsePrometheusValue(rest[0]!);
  if (value === undefined) return `${JSON.stringify(truncate(rest[0]!, 30))} is not a number`;
  let timestamp: number | undefined;
  if (rest[1] !== undefined && format === "openmetrics") {
    if (!openMetricsTimestamp.test(rest[1])) {
      return `timestamp ${JSON.stringify(truncate(rest[1], 30))} must be a number of seconds (OpenMetrics)`;
    }
    timestamp = Math.round(Number(rest[1]) * 1000);
    if (!(timestamp >= 0 && timestamp <= maxTimestamp)) return `timestamp ${rest[1]} is outside 1970 to 275760`;
  } else if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) {
      return `timestamp ${JSON.stringify(truncate(rest[1], 30))} must be an integer of ms (Prometheus text format; send Content-Type application/openmetrics-text for seconds)`;
    }
    timestamp = Number(rest[1]);
    if (timestamp < 0 || timestamp > maxTimestamp) return `timestamp ${rest[1]} is outside 1970 to 275760`;
  }
  return { seriesText, name, labels, value, timestamp };
}

/** Parses exposition text into samples, caching series across calls. Never throws on any input. */
export class PrometheusParser {
  readonly #intern: Interner;
  #series = new Map<string, number>();

  constructor(intern: Interner) {
    this.#intern = intern;
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
    const lines = text.split("\n");
    const extraKey = JSON.stringify(extraLabels);
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index]!.trim();
      const lineNumber = index + 1;
      if (line.length === 0) continue;
      if (line.startsWith("#")) {
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
      const parsed = parseSampleLine(line, format);
      if (typeof parsed === "string") {
        rejections.add({ line: lineNumber, path: "sample", problem: parsed });
        continue;
      }
      if (!Number.isFinite(parsed.value)) {
        rejections.add({
          line: lineNumber,
          path: parsed.seriesText,
          problem: `${parsed.value} is not stored (not finite)`,
        });
        continue;
      }
      const cacheKey = `${extraKey}${parsed.seriesText}`;
      let series = this.#series.get(cacheKey);
      if (series === undefined) {
        const interned = this.#intern(parsed.name, { ...parsed.labels, ...extraLabels });
        if (!interned.ok) {
          rejections.add({ line: lineNumber, path: parsed.seriesText, problem: interned.problem });
          continue;
        }
        series = interned.value;
        if (this.#series.size > 1_000_000) this.#series = new Map();
        this.#series.set(cacheKey, series);
      }
      out.push(series, parsed.timestamp ?? now, parsed.value);
    }
  }
}

/** One scrape target. */
export interface ScrapeTarget {
  readonly url: string;
  /** Labels added to every scraped series, e.g. `{ equipment: "plant:h1" }`; `job` defaults to `prometheus`. */
  readonly labels?: Labels;
  readonly timeoutMs?: number;
}

/** What a scrape hands to the ingest pipeline. */
export type ScrapeSink = (samples: SampleBuffer, rejections: RejectionList) => Promise<void>;

/** The outcome of one scrape, for status pages and tests. */
export interface ScrapeStatus {
  readonly url: string;
  readonly up: boolean;
  readonly at: number;
  readonly samples: number;
  readonly problem?: string;
}

/**
 * Fetches a target, parses it and hands the samples to `sink`, adding `up{job,instance}` = 1 on success and 0 on
 * failure (so a dead exporter shows as a series, and a staleness or threshold rule can alarm on it).
 */
export async function scrapeTarget(
  target: ScrapeTarget,
  parser: PrometheusParser,
  intern: Interner,
  sink: ScrapeSink,
  now: number,
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
      parser.parse(await response.text(), now, labels, samples, rejections, format);
    }
  } catch (cause) {
    problem = cause instanceof Error ? cause.message : String(cause);
  }
  const up = intern("up", labels);
  if (up.ok) samples.push(up.value, now, problem === undefined ? 1 : 0);
  await sink(samples, rejections);
  return {
    url: target.url,
    up: problem === undefined,
    at: now,
    samples: samples.count,
    ...(problem === undefined ? {} : { problem }),
  };
}
