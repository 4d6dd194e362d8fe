/**
 * `alixan.yaml`: one configuration file with a section per part of the platform, checked by `alixan config check`.
 * Its shape is one TypeBox schema (`PlatformConfigSchema`, published as schemas/alixan-config.schema.json) made of
 * the parts' own schemas (execution, queue file, telemetry configuration), so the file accepts exactly what those
 * accept; the parts' rules beyond shape (the site loads, queue references, retention order) follow. Problems come
 * back with their full path (`telemetry.retention.rawDays`) and the line and column of the YAML node they point at.
 *
 * ```yaml
 * site: alixan                      # shipped site name, or a site file (relative to this file)
 * store: { url: postgres://alixan@db/alixan }   # or { dataDir: /var/lib/alixan } for the embedded store
 * telemetry: { historyDir: /var/lib/alixan/telemetry, retention: { rawDays: 7 } }   # + telemetry config sections
 * execution: { backend: slurm, slurm: { conf: /etc/slurm/slurm.conf } }
 * queues: { queues: [ ... ] }       # the queue file format (src/scheduler/queues.example.yaml)
 * logging: { level: info }
 * whatif: { timeoutSeconds: 300 }   # wall-clock limit of one what-if run
 * apiKeys: { adminExpiryWarningDays: 14 }   # alarm when every working platform-admin key expires within it
 * ```
 * With a PostgreSQL store, `telemetry.historyDir` is required: telemetry history is never kept silently in memory.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { type Static, Type } from "typebox";
import { LineCounter } from "yaml";
import { isRecord } from "../core/records.ts";
import { parseYamlDocument, readBoundedText, yamlValue } from "../core/yaml.ts";
import { decodeExecution, type ExecutionConfig, ExecutionFileSchema, powerCapProblems } from "../execution/config.ts";
import { formatPath, parsePath } from "../model/diagnostics.ts";
import { loadSite, resolveSite, shippedSites } from "../model/load.ts";
import { checkSchema, closedObject } from "../model/schema-check.ts";
import { QueueFileSchema, type QueueSetConfig, readQueueConfig } from "../scheduler/queues.ts";
import { logLevels } from "../server/logging.ts";
import type { StoreLocation } from "../store/database.ts";
import { type ConfiguredOptions, decodeTelemetryConfig, telemetryConfigProperties } from "../telemetry/config.ts";
import { maxKeyLifetimeDays } from "../tenancy/service.ts";

const path = (description: string) =>
  Type.String({ pattern: "\\S", patternErrorMessage: "expected a path", description });

/** Where the platform keeps its state: PostgreSQL (`url`) or the embedded store (`dataDir`), not both. */
const StoreSchema = closedObject(
  {
    url: Type.Optional(
      Type.String({
        pattern: "^postgres(ql)?://\\S+$",
        patternErrorMessage: "expected a postgres:// URL",
        description: "PostgreSQL connection URL",
      }),
    ),
    dataDir: Type.Optional(path("embedded store directory (PGlite), or memory")),
  },
  { description: "url (PostgreSQL) or dataDir (embedded store), not both" },
);

/** The shape of `alixan.yaml`: each section is its part's own schema (telemetry adds `historyDir`). */
export const PlatformConfigSchema = closedObject(
  {
    site: Type.Optional(
      Type.String({
        pattern: "\\S",
        patternErrorMessage: `expected a shipped site (${shippedSites.join(", ")}) or a site file path`,
        description: `a shipped site (${shippedSites.join(", ")}) or a site file, relative to this file`,
      }),
    ),
    store: Type.Optional(StoreSchema),
    telemetry: Type.Optional(
      closedObject({
        historyDir: Type.Optional(path("telemetry history (DuckDB) directory; required with store.url")),
        ...telemetryConfigProperties,
      }),
    ),
    execution: Type.Optional(ExecutionFileSchema),
    queues: Type.Optional(QueueFileSchema),
    logging: Type.Optional(
      closedObject({ level: Type.Optional(Type.Enum(logLevels, { description: "LOG_LEVEL overrides it" })) }),
    ),
    whatif: Type.Optional(
      closedObject({
        timeoutSeconds: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 3600,
            description:
              "wall-clock limit of one POST /v1/whatif run (default 300); past it the run is stopped and answered 503",
          }),
        ),
      }),
    ),
    apiKeys: Type.Optional(
      closedObject({
        adminExpiryWarningDays: Type.Optional(
          Type.Integer({
            minimum: 1,
            // Keys live at most 366 days: a longer warning would always be on.
            maximum: maxKeyLifetimeDays,
            description:
              "warn (an alarm) when every working platform-admin API key expires within this many days (default 14)",
          }),
        ),
      }),
    ),
  },
  { title: "alixan platform configuration (alixan.yaml)" },
);

/** An `alixan.yaml` after its check, defaults filled in. */
type PlatformFile = Static<typeof PlatformConfigSchema>;

/** The sections of `alixan.yaml`. */
export const configSections = Object.keys(PlatformConfigSchema.properties) as readonly (keyof PlatformFile)[];

/** One problem in the file: the path of the field, what is wrong, and where it is when the path resolves. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

type Problem = { path: string; message: string };
type Raw = Record<string, unknown>;

/** Splits "a.b: message" (the style of the telemetry readers) into path and message under `prefix`. */
function prefixed(problem: string, prefix: string): Problem {
  const match = /^([A-Za-z0-9_.[\]"-]+|\(root\)): (.*)$/s.exec(problem);
  if (match === null) return { path: prefix, message: problem };
  const inner = match[1] === "(root)" ? "" : match[1]!;
  return { path: inner === "" ? prefix : `${prefix}.${inner}`, message: match[2]! };
}

/** A site is named by a plain shipped name, or a file path (relative to the configuration file). */
function sitePath(value: string, baseDirectory: string): { shipped: boolean; path: string } {
  const shipped = resolveSite(value) !== undefined && !value.includes("/");
  return { shipped, path: shipped || isAbsolute(value) ? value : join(baseDirectory, value) };
}

function checkSite(value: string, baseDirectory: string): Problem[] {
  const { shipped, path } = sitePath(value, baseDirectory);
  if (!shipped && !existsSync(path)) return [{ path: "site", message: `no shipped site or file named "${value}"` }];
  const loaded = loadSite(path);
  if (loaded.ok) return [];
  const errors = loaded.diagnostics.filter((item) => item.severity === "error");
  const first = errors[0];
  return [
    {
      path: "site",
      message: `${value}: ${errors.length} error(s)${first === undefined ? "" : `, first: ${first.path}: ${first.message}`} (alixan site validate ${value} lists them)`,
    },
  ];
}

/** The telemetry section without `historyDir`: what the telemetry configuration file holds. */
function telemetrySections(telemetry: Raw): Raw {
  const { historyDir: _, ...sections } = telemetry;
  return sections;
}

/**
 * The rules beyond each section's shape: the site loads, the store is one kind, telemetry history is durable with
 * PostgreSQL, the telemetry adapters' and the queue file's own rules.
 */
function sectionRules(raw: Raw, baseDirectory: string): Problem[] {
  const problems: Problem[] = [];
  const site = raw["site"];
  if (typeof site === "string" && site.trim() !== "") problems.push(...checkSite(site, baseDirectory));
  const store = raw["store"];
  if (isRecord(store) && store["url"] !== undefined && store["dataDir"] !== undefined) {
    problems.push({ path: "store", message: "set url (PostgreSQL) or dataDir (embedded store), not both" });
  }
  const telemetry = raw["telemetry"];
  if (
    isRecord(store) &&
    store["url"] !== undefined &&
    !(isRecord(telemetry) && telemetry["historyDir"] !== undefined)
  ) {
    problems.push({
      path: "telemetry.historyDir",
      message:
        "required with a PostgreSQL store (store.url): the telemetry history (DuckDB) needs a durable directory, never memory",
    });
  }
  if (isRecord(telemetry)) {
    const decoded = decodeTelemetryConfig(telemetrySections(telemetry));
    if (!decoded.ok) problems.push(...decoded.problem.split("\n").map((line) => prefixed(line, "telemetry")));
  }
  if (raw["queues"] !== undefined) problems.push(...readQueueConfig(raw["queues"], "queues").diagnostics);
  for (const problem of powerCapProblems(raw["execution"]))
    problems.push({ path: `execution.${problem.path}`, message: problem.message });
  return problems;
}

/**
 * Checks the text of an `alixan.yaml`; `baseDirectory` resolves relative site paths. Never throws: an empty list
 * means the file is valid. The shape is checked by `PlatformConfigSchema`, then each part's rules; one problem per
 * path, in file order.
 */
export function checkConfigText(text: string, baseDirectory: string): ConfigProblem[] {
  const lineCounter = new LineCounter();
  const document = parseYamlDocument(text, "config", lineCounter);
  if (document.errors.length > 0) {
    return document.errors.map((error) => {
      const at = lineCounter.linePos(error.pos[0]);
      return { path: "", message: error.message.split("\n")[0]!, line: at.line, column: at.col };
    });
  }
  const built = yamlValue(document);
  if (!built.ok) return [{ path: "", message: built.error }];
  const raw: unknown = built.value ?? {};
  const problems: Problem[] = checkSchema(PlatformConfigSchema, raw).problems.map((problem) => ({
    path: formatPath(problem.path),
    message: problem.message,
  }));
  if (isRecord(raw)) {
    // A part's reader re-checks its section's shape: what the file's check said at a path is said once.
    const said = new Set(problems.map((problem) => problem.path));
    for (const problem of sectionRules(raw, baseDirectory)) {
      if (said.has(problem.path)) continue;
      said.add(problem.path);
      problems.push(problem);
    }
  }
  const located: ConfigProblem[] = problems.map((problem) => {
    const segments = parsePath(problem.path);
    for (let depth = segments.length; depth > 0; depth--) {
      const node = document.getIn(segments.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) {
        const at = lineCounter.linePos(node.range[0]);
        return { ...problem, line: at.line, column: at.col };
      }
    }
    return problem;
  });
  return located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
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
  /** Wall-clock limit of one what-if run (`whatif.timeoutSeconds`). */
  readonly whatIfTimeoutMs?: number;
  /** Days ahead of the last platform-admin key's expiry the alarm is raised (`apiKeys.adminExpiryWarningDays`). */
  readonly adminKeyWarningDays?: number;
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
    text = readBoundedText(path, "config");
  } catch (error) {
    return { problems: [{ path: "", message: `cannot read the file: ${(error as Error).message}` }] };
  }
  const baseDirectory = configDirectory(path);
  const problems = checkConfigText(text, baseDirectory);
  if (problems.length > 0) return { problems };
  // Checked above: the shape holds and every section decodes.
  const checked = checkSchema(PlatformConfigSchema, parseYamlDocument(text, "config").toJS() ?? {});
  if (!checked.ok)
    return { problems: checked.problems.map((problem) => ({ ...problem, path: formatPath(problem.path) })) };
  const file = checked.value;
  const config: {
    -readonly [Key in keyof PlatformConfig]: PlatformConfig[Key];
  } = {};
  if (file.site !== undefined) {
    const site = sitePath(file.site, baseDirectory);
    config.site = site.shipped ? file.site : site.path;
  }
  if (file.store?.url !== undefined) config.store = { kind: "postgres", url: file.store.url };
  else if (file.store?.dataDir !== undefined) {
    config.store = { kind: "pglite", dataDir: resolvedPath(file.store.dataDir, baseDirectory) };
  }
  if (file.telemetry !== undefined) {
    const decoded = decodeTelemetryConfig(telemetrySections(file.telemetry));
    const historyDir = file.telemetry.historyDir;
    if (decoded.ok) {
      config.telemetry = {
        options: decoded.value,
        ...(historyDir === undefined ? {} : { historyDir: resolvedPath(historyDir, baseDirectory) }),
      };
    }
  }
  if (file.execution !== undefined) {
    const decoded = decodeExecution(file.execution);
    if ("config" in decoded) config.execution = decoded.config;
  }
  if (file.queues !== undefined) {
    const read = readQueueConfig(file.queues, "queues");
    if (read.config !== undefined) config.queues = read.config;
  }
  if (file.logging?.level !== undefined) config.logLevel = file.logging.level;
  if (file.whatif?.timeoutSeconds !== undefined) config.whatIfTimeoutMs = file.whatif.timeoutSeconds * 1000;
  if (file.apiKeys?.adminExpiryWarningDays !== undefined) {
    config.adminKeyWarningDays = file.apiKeys.adminExpiryWarningDays;
  }
  return { config };
}
