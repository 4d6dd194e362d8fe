/**
 * `alixan.yaml`: one configuration file with a section per part of the platform, checked by `alixan config check`.
 * Each section is decoded by the part's own reader (telemetry, execution and queue readers, the site loader, the log
 * level parser), so the file accepts exactly what those accept; problems come back with their full path
 * (`telemetry.retention.rawDays`) and the line and column of the YAML node they point at.
 *
 * ```yaml
 * site: alixan                      # shipped site name, or a site file (relative to this file)
 * store: { url: postgres://alixan@db/alixan }   # or { dataDir: /var/lib/alixan } for the embedded store
 * telemetry: { historyDir: /var/lib/alixan/telemetry, retention: { rawDays: 7 } }   # + telemetry config sections
 * execution: { backend: slurm, slurm: { conf: /etc/slurm/slurm.conf } }
 * queues: { queues: [ ... ] }       # the queue file format (src/scheduler/queues.example.yaml)
 * logging: { level: info }
 * ```
 * With a PostgreSQL store, `telemetry.historyDir` is required: telemetry history is never kept silently in memory.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { LineCounter, parseDocument, stringify } from "yaml";
import { decodeExecution, type ExecutionConfig } from "../execution/config.ts";
import { loadSite, resolveSite, shippedSites } from "../model/load.ts";
import { parseQueueConfig, type QueueSetConfig, readQueueConfig } from "../scheduler/queues.ts";
import { parseLogLevel } from "../server/logging.ts";
import type { StoreLocation } from "../store/database.ts";
import { type ConfiguredOptions, decodeTelemetryConfig } from "../telemetry/config.ts";

/** The sections of `alixan.yaml`. */
export const configSections = ["site", "store", "telemetry", "execution", "queues", "logging"] as const;

/** One problem in the file: the path of the field, what is wrong, and where it is when the path resolves. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Edit distance, for "did you mean" on section and field names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Problems for keys of `value` outside `allowed`, with the nearest allowed name when it is close. */
function unknownKeys(value: Raw, allowed: readonly string[], prefix: string): { path: string; message: string }[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => {
      const near = allowed.find((name) => distance(name.toLowerCase(), key.toLowerCase()) <= 2);
      const hint = near === undefined ? `expected one of ${allowed.join(", ")}` : `did you mean ${near}?`;
      return { path: `${prefix}${key}`, message: `unknown field (${hint})` };
    });
}

/** Splits "a.b: message" (the style of the telemetry and execution readers) into path and message under `prefix`. */
function prefixed(problem: string, prefix: string): { path: string; message: string } {
  const match = /^([A-Za-z0-9_.[\]"-]+|\(root\)): (.*)$/s.exec(problem);
  if (match === null) return { path: prefix, message: problem };
  const inner = match[1] === "(root)" ? "" : match[1]!;
  return { path: inner === "" || prefix === "" ? inner || prefix : `${prefix}.${inner}`, message: match[2]! };
}

function checkSite(value: unknown, baseDirectory: string): { path: string; message: string }[] {
  if (typeof value !== "string" || value === "") {
    return [{ path: "site", message: `expected a shipped site (${shippedSites.join(", ")}) or a site file path` }];
  }
  const shipped = resolveSite(value) !== undefined && !value.includes("/");
  const path = shipped || isAbsolute(value) ? value : join(baseDirectory, value);
  if (!shipped && !existsSync(path)) return [{ path: "site", message: `no shipped site or file named "${value}"` }];
  const loaded = loadSite(path);
  const errors = loaded.diagnostics.filter((item) => item.severity === "error");
  if (loaded.ok) return [];
  const first = errors[0];
  return [
    {
      path: "site",
      message: `${value}: ${errors.length} error(s)${first === undefined ? "" : `, first: ${first.path}: ${first.message}`} (alixan site validate ${value} lists them)`,
    },
  ];
}

function checkStore(value: unknown): { path: string; message: string }[] {
  if (!isRecord(value)) return [{ path: "store", message: "expected a mapping with url (PostgreSQL) or dataDir" }];
  const problems = unknownKeys(value, ["url", "dataDir"], "store.");
  const url = value["url"];
  if (url !== undefined) {
    let protocol = "";
    try {
      protocol = typeof url === "string" ? new URL(url).protocol : "";
    } catch {
      // reported below
    }
    if (protocol !== "postgres:" && protocol !== "postgresql:") {
      problems.push({ path: "store.url", message: `expected a postgres:// URL, got ${JSON.stringify(url)}` });
    }
  }
  const dataDir = value["dataDir"];
  if (dataDir !== undefined && (typeof dataDir !== "string" || dataDir === "")) {
    problems.push({ path: "store.dataDir", message: "expected a directory path (or memory)" });
  }
  if (url !== undefined && dataDir !== undefined) {
    problems.push({ path: "store", message: "set url (PostgreSQL) or dataDir (embedded store), not both" });
  }
  return problems;
}

function checkTelemetry(value: unknown, postgres: boolean): { path: string; message: string }[] {
  if (!isRecord(value)) return [{ path: "telemetry", message: "expected a mapping of telemetry sections" }];
  const { historyDir, ...sections } = value;
  const problems: { path: string; message: string }[] = [];
  if (historyDir !== undefined && (typeof historyDir !== "string" || historyDir === "")) {
    problems.push({ path: "telemetry.historyDir", message: "expected a directory path" });
  }
  if (postgres && historyDir === undefined) {
    problems.push({
      path: "telemetry.historyDir",
      message:
        "required with a PostgreSQL store (store.url): the telemetry history (DuckDB) needs a durable directory, never memory",
    });
  }
  const decoded = decodeTelemetryConfig(sections);
  if (!decoded.ok) {
    for (const line of decoded.problem.split("\n")) {
      const problem = prefixed(line, "telemetry");
      // The telemetry reader lists its own sections; historyDir is this file's addition.
      problems.push(
        problem.message.startsWith("unknown section")
          ? { ...problem, message: `${problem.message.replace(/\)$/, "")}, historyDir)` }
          : problem,
      );
    }
  }
  return problems;
}

function checkQueues(value: unknown): { path: string; message: string }[] {
  const result = parseQueueConfig(stringify(value));
  return result.diagnostics.map((item) => ({
    path: item.path === "" ? "queues" : `queues.${item.path}`,
    message: item.message,
  }));
}

function checkLogging(value: unknown): { path: string; message: string }[] {
  if (!isRecord(value)) return [{ path: "logging", message: "expected a mapping with level" }];
  const problems = unknownKeys(value, ["level"], "logging.");
  const level = value["level"];
  if (level !== undefined) {
    const parsed = parseLogLevel(typeof level === "string" ? level : String(level), "logging.level");
    if (typeof parsed === "object") problems.push(prefixed(parsed.problem, ""));
  }
  return problems;
}

/** Splits a problem path (`queues.queues[2].quota`, `telemetry.rules[0].when`) into YAML path segments. */
function segmentsOf(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/\[(\d+)\]|\["([^"]+)"\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else segments.push(match[2] ?? match[3]!);
  }
  return segments;
}

/**
 * Checks the text of an `alixan.yaml`; `baseDirectory` resolves relative site paths. Never throws: an empty list
 * means the file is valid.
 */
export function checkConfigText(text: string, baseDirectory: string): ConfigProblem[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return document.errors.map((error) => {
      const at = lineCounter.linePos(error.pos[0]);
      return { path: "", message: error.message.split("\n")[0]!, line: at.line, column: at.col };
    });
  }
  const raw: unknown = document.toJS() ?? {};
  if (!isRecord(raw)) return [{ path: "", message: `expected a mapping of sections (${configSections.join(", ")})` }];
  const problems = unknownKeys(raw, configSections, "");
  const postgres = isRecord(raw["store"]) && raw["store"]["url"] !== undefined;
  if (raw["site"] !== undefined) problems.push(...checkSite(raw["site"], baseDirectory));
  if (raw["store"] !== undefined) problems.push(...checkStore(raw["store"]));
  if (raw["telemetry"] !== undefined || postgres) problems.push(...checkTelemetry(raw["telemetry"] ?? {}, postgres));
  if (raw["execution"] !== undefined) {
    const decoded = decodeExecution(raw["execution"]);
    if ("problems" in decoded) problems.push(...decoded.problems.map((problem) => prefixed(problem, "execution")));
  }
  if (raw["queues"] !== undefined) problems.push(...checkQueues(raw["queues"]));
  if (raw["logging"] !== undefined) problems.push(...checkLogging(raw["logging"]));
  return problems.map((problem) => {
    const segments = segmentsOf(problem.path);
    for (let depth = segments.length; depth > 0; depth--) {
      const node = document.getIn(segments.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) {
        const at = lineCounter.linePos(node.range[0]);
        return { ...problem, line: at.line, column: at.col };
      }
    }
    return problem;
  });
}

/** The directory relative paths in the file at `path` are resolved against. */
export function configDirectory(path: string): string {
  return dirname(path);
}

/** What `serve` takes from an `alixan.yaml`: each section decoded by its part's reader; absent sections are absent. */
export interface PlatformConfig {
  /** A shipped site name, or a site file path resolved against the file's directory. */
  readonly site?: string;
  readonly store?: StoreLocation;
  readonly telemetry?: { readonly historyDir?: string; readonly options: ConfiguredOptions };
  readonly execution?: ExecutionConfig;
  readonly queues?: QueueSetConfig;
  readonly logLevel?: string;
}

/** Resolves `path` against `baseDirectory` unless it is absolute (or "memory", the in-memory store). */
function resolvedPath(path: string, baseDirectory: string): string {
  return isAbsolute(path) || path === "memory" ? path : join(baseDirectory, path);
}

/**
 * Reads and checks the `alixan.yaml` at `path` for `serve`: the decoded sections, or every problem named by its path
 * and line (the same checks as `alixan config check`). Relative paths in the file are relative to the file.
 */
export function loadPlatformConfig(path: string): { config: PlatformConfig } | { problems: readonly ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { problems: [{ path: "", message: `cannot read the file: ${(error as Error).message}` }] };
  }
  const baseDirectory = configDirectory(path);
  const problems = checkConfigText(text, baseDirectory);
  if (problems.length > 0) return { problems };
  // Checked above: every section decodes.
  const raw = (parseDocument(text).toJS() ?? {}) as Raw;
  const config: {
    -readonly [Key in keyof PlatformConfig]: PlatformConfig[Key];
  } = {};
  const site = raw["site"];
  if (typeof site === "string") {
    const shipped = resolveSite(site) !== undefined && !site.includes("/");
    config.site = shipped ? site : resolvedPath(site, baseDirectory);
  }
  const store = raw["store"];
  if (isRecord(store)) {
    if (typeof store["url"] === "string") config.store = { kind: "postgres", url: store["url"] };
    else if (typeof store["dataDir"] === "string") {
      config.store = { kind: "pglite", dataDir: resolvedPath(store["dataDir"], baseDirectory) };
    }
  }
  const telemetry = raw["telemetry"];
  if (isRecord(telemetry)) {
    const { historyDir, ...sections } = telemetry;
    const decoded = decodeTelemetryConfig(sections);
    if (decoded.ok) {
      config.telemetry = {
        options: decoded.value,
        ...(typeof historyDir === "string" ? { historyDir: resolvedPath(historyDir, baseDirectory) } : {}),
      };
    }
  }
  if (raw["execution"] !== undefined) {
    const decoded = decodeExecution(raw["execution"]);
    if ("config" in decoded) config.execution = decoded.config;
  }
  if (raw["queues"] !== undefined) {
    const read = readQueueConfig(raw["queues"], "queues");
    if (read.config !== undefined) config.queues = read.config;
  }
  const logging = raw["logging"];
  if (isRecord(logging) && logging["level"] !== undefined) config.logLevel = String(logging["level"]);
  return { config };
}
