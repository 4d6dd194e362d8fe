/**
 * The telemetry configuration file (YAML, or JSON which YAML reads too): equipment bindings, alarm rules,
 * notifications, exports and retention, decoded into service options with every problem named by its path.
 *
 * ```yaml
 * hotWindowSamples: 360          # per series in memory (one hour at 10 s)
 * retention: { rawDays: 7, minuteDays: 90, hourDays: 1825 }
 * redfish: [ ... ]               # see adapters/redfish/binding.ts
 * modbus: { models: { ... }, devices: [ ... ] }   # see adapters/modbus/registers.ts
 * snmp: [ ... ]                  # see adapters/snmp/targets.ts
 * prometheus: { intervalSeconds: 15, targets: [{ url: http://10.0.0.9:9100/metrics, labels: { equipment: plant:h1 } }] }
 * rules: [ ... ]                 # see alarms/rules.ts
 * webhooks: [{ url: https://ops.example/hook, minimumSeverity: critical }]
 * remoteWrite: { url: http://127.0.0.1:8428/api/v1/write, intervalSeconds: 5 }
 * limits: { series: 2000000, seriesPerSource: 250000, newSeriesPerBatch: 100000, samplesPerSecond: 1000000, burstSamples: 5000000 }
 * ```
 * Its shape is `TelemetryConfigSchema` (schemas/telemetry.schema.json), made of each section's own schema; a section's
 * decoder adds the rules a schema cannot express (names unique, rules between fields, files to read).
 */
import { Type } from "typebox";
import { parseYamlText } from "../core/yaml.ts";
import { formatPath } from "../model/diagnostics.ts";
import { checkSchema, closedObject } from "../model/schema-check.ts";
import { decodeModbusConfig, ModbusConfigSchema } from "./adapters/modbus/registers.ts";
import { defaultScrapeBodyLimitBytes, type ScrapeTarget } from "./adapters/prometheus.ts";
import { decodeRedfishTargets, RedfishConfigSchema } from "./adapters/redfish/binding.ts";
import { decodeSnmpConfig, SnmpConfigSchema } from "./adapters/snmp/targets.ts";
import { alarmEventTypes } from "./alarms/book.ts";
import { AlarmRulesSchema, decodeRules } from "./alarms/rules.ts";
import type { WebhookTarget } from "./alarms/webhook.ts";
import type { RemoteWriteOptions } from "./export/remote-write.ts";
import { defaultRetention } from "./history.ts";
import { LimitsSchema, resolveLimits } from "./limits.ts";
import { httpUrl, stringMap } from "./schema-parts.ts";
import type { TelemetryOptions } from "./service.ts";
import { failure, type Result, severities, success } from "./types.ts";

/** The options a configuration file can set. */
export type ConfiguredOptions = Pick<
  TelemetryOptions,
  | "hotCapacity"
  | "retention"
  | "redfish"
  | "modbus"
  | "snmp"
  | "prometheus"
  | "rules"
  | "webhooks"
  | "remoteWrite"
  | "maxSeries"
  | "maxSeriesPerSource"
  | "limits"
>;

const day = 86_400_000;
const dayMs = (days: number) => days * day;

const positiveSeconds = (fallback: number) => Type.Number({ exclusiveMinimum: 0, default: fallback });
const days = (fallback: number) => Type.Number({ exclusiveMinimum: 0, default: fallback / day });

/** How long each resolution of the history is kept, in days; each must not be shorter than the one before. */
const RetentionSchema = closedObject({
  rawDays: days(defaultRetention.rawMs),
  minuteDays: days(defaultRetention.minuteMs),
  hourDays: days(defaultRetention.hourMs),
});

/** The telemetry configuration file (`ALIXAN_TELEMETRY_CONFIG`, or alixan.yaml's `telemetry` section). */
export const telemetryConfigProperties = {
  hotWindowSamples: Type.Optional(
    Type.Integer({ minimum: 2, description: "samples kept in memory per series (360 = one hour at 10 s)" }),
  ),
  retention: Type.Optional(RetentionSchema),
  redfish: Type.Optional(RedfishConfigSchema),
  modbus: Type.Optional(ModbusConfigSchema),
  snmp: Type.Optional(SnmpConfigSchema),
  prometheus: Type.Optional(
    closedObject({
      intervalSeconds: positiveSeconds(15),
      targets: Type.Array(
        closedObject({
          url: httpUrl(),
          labels: Type.Optional(stringMap("labels added to every scraped series")),
          bodySizeLimitBytes: Type.Optional(
            Type.Integer({
              minimum: 1024,
              maximum: 1024 * 1024 * 1024,
              description: `largest body read; a larger one fails the scrape (default ${defaultScrapeBodyLimitBytes}, 64 MiB)`,
            }),
          ),
        }),
        { maxItems: 1000 },
      ),
    }),
  ),
  rules: Type.Optional(AlarmRulesSchema),
  webhooks: Type.Optional(
    Type.Array(
      closedObject({
        url: httpUrl(),
        minimumSeverity: Type.Optional(Type.Enum(severities)),
        events: Type.Optional(Type.Array(Type.Enum(alarmEventTypes))),
        headers: Type.Optional(stringMap("HTTP headers sent with each notification")),
      }),
    ),
  ),
  remoteWrite: Type.Optional(
    closedObject({
      url: httpUrl(),
      intervalSeconds: positiveSeconds(5),
      headers: Type.Optional(stringMap("HTTP headers sent with each write")),
    }),
  ),
  limits: Type.Optional(LimitsSchema),
};

/** The telemetry configuration file's shape. */
export const TelemetryConfigSchema = closedObject(telemetryConfigProperties, {
  title: "alixan telemetry configuration",
});

/** Parses and decodes a configuration file's text; fails with every problem found, one per line. */
export function parseTelemetryConfig(text: string): Result<ConfiguredOptions> {
  const parsed = parseYamlText(text, "telemetry");
  if (!parsed.ok) return failure(`the configuration is not valid YAML: ${parsed.error}`);
  return decodeTelemetryConfig(parsed.value ?? {});
}

/**
 * Decodes an already parsed configuration: its shape by `TelemetryConfigSchema`, then each section with a decoder of
 * its own by that decoder (always, so one pass lists every problem, the rules between fields included). Problems are
 * `path: message` lines.
 */
export function decodeTelemetryConfig(raw: unknown): Result<ConfiguredOptions> {
  const checked = checkSchema(TelemetryConfigSchema, raw);
  const problems = checked.problems.map((problem) => `${formatPath(problem.path) || "(root)"}: ${problem.message}`);
  const sections = (typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<
    string,
    unknown
  >;
  const options: { -readonly [K in keyof ConfiguredOptions]: ConfiguredOptions[K] } = {};
  const read = <T>(key: string, decode: (value: unknown) => Result<T>, set: (value: T) => void) => {
    if (sections[key] === undefined) return;
    const decoded = decode(sections[key]);
    if (decoded.ok) set(decoded.value);
    // A reader re-checks its section's shape, which the file's schema has reported already: each problem once.
    else problems.push(...decoded.problem.split("\n").filter((line) => !problems.includes(line)));
  };
  read("redfish", decodeRedfishTargets, (value) => {
    options.redfish = value;
  });
  read("modbus", decodeModbusConfig, (value) => {
    options.modbus = value;
  });
  read("snmp", decodeSnmpConfig, (value) => {
    options.snmp = value;
  });
  read("rules", decodeRules, (value) => {
    options.rules = value;
  });
  // Checked apart so that the rule between its fields is reported with the rest of the file's problems.
  const retention =
    sections["retention"] === undefined ? undefined : checkSchema(RetentionSchema, sections["retention"]);
  if (retention?.ok === true) {
    const { rawDays, minuteDays, hourDays } = retention.value;
    if (!(rawDays <= minuteDays && minuteDays <= hourDays)) {
      problems.push("retention: rawDays ≤ minuteDays ≤ hourDays, since each resolution is rolled into the next");
    }
    options.retention = { rawMs: dayMs(rawDays), minuteMs: dayMs(minuteDays), hourMs: dayMs(hourDays) };
  }
  if (!checked.ok) return failure(problems.join("\n"));
  const file = checked.value;
  if (file.hotWindowSamples !== undefined) options.hotCapacity = file.hotWindowSamples;
  if (file.prometheus !== undefined) {
    options.prometheus = {
      intervalMs: file.prometheus.intervalSeconds * 1000,
      targets: file.prometheus.targets.map(
        (target): ScrapeTarget => ({
          url: target.url,
          ...(target.labels === undefined ? {} : { labels: target.labels }),
          ...(target.bodySizeLimitBytes === undefined ? {} : { bodySizeLimitBytes: target.bodySizeLimitBytes }),
        }),
      ),
    };
  }
  if (file.webhooks !== undefined) {
    options.webhooks = file.webhooks.map(
      (hook): WebhookTarget => ({
        url: hook.url,
        ...(hook.minimumSeverity === undefined ? {} : { minimumSeverity: hook.minimumSeverity }),
        ...(hook.events === undefined ? {} : { events: hook.events }),
        ...(hook.headers === undefined ? {} : { headers: hook.headers }),
      }),
    );
  }
  if (file.remoteWrite !== undefined) {
    const remote = file.remoteWrite;
    options.remoteWrite = {
      url: remote.url,
      intervalMs: remote.intervalSeconds * 1000,
      ...(remote.headers === undefined ? {} : { headers: remote.headers }),
    } satisfies RemoteWriteOptions;
  }
  if (file.limits !== undefined) {
    const limits = resolveLimits(file.limits);
    problems.push(...limits.problems);
    Object.assign(options, limits.value);
  }
  return problems.length > 0 ? failure(problems.join("\n")) : success(options);
}
