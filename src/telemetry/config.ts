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
 */
import { parse } from "yaml";
import { decodeModbusConfig } from "./adapters/modbus/registers.ts";
import type { ScrapeTarget } from "./adapters/prometheus.ts";
import { decodeRedfishTargets } from "./adapters/redfish/binding.ts";
import { decodeSnmpConfig } from "./adapters/snmp/targets.ts";
import type { AlarmEventType } from "./alarms/book.ts";
import { decodeRules } from "./alarms/rules.ts";
import type { WebhookTarget } from "./alarms/webhook.ts";
import type { RemoteWriteOptions } from "./export/remote-write.ts";
import { defaultRetention } from "./history.ts";
import { decodeLimits } from "./limits.ts";
import type { TelemetryOptions } from "./service.ts";
import { failure, type Result, type Severity, severities, success } from "./types.ts";

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

const topLevel = [
  "hotWindowSamples",
  "retention",
  "redfish",
  "modbus",
  "snmp",
  "prometheus",
  "rules",
  "webhooks",
  "remoteWrite",
  "limits",
];
const eventTypes: readonly AlarmEventType[] = [
  "raised",
  "escalated",
  "deescalated",
  "cleared",
  "acknowledged",
  "shelved",
  "unshelved",
];
const day = 86_400_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === "string");
}

/** Parses and decodes a configuration file's text; fails with every problem found, one per line. */
export function parseTelemetryConfig(text: string): Result<ConfiguredOptions> {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (cause) {
    return failure(
      `the configuration is not valid YAML: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`,
    );
  }
  return decodeTelemetryConfig(raw);
}

/** Decodes an already parsed configuration. */
export function decodeTelemetryConfig(raw: unknown): Result<ConfiguredOptions> {
  if (!isRecord(raw)) return failure("the configuration must be a mapping of sections");
  const problems: string[] = [];
  const options: { -readonly [K in keyof ConfiguredOptions]: ConfiguredOptions[K] } = {};
  for (const key of Object.keys(raw)) {
    if (!topLevel.includes(key)) problems.push(`${key}: unknown section (allowed: ${topLevel.join(", ")})`);
  }
  const hot = raw["hotWindowSamples"];
  if (hot !== undefined) {
    if (typeof hot === "number" && Number.isInteger(hot) && hot >= 2) options.hotCapacity = hot;
    else problems.push("hotWindowSamples: must be an integer ≥ 2");
  }
  const retention = raw["retention"];
  if (retention !== undefined) {
    if (!isRecord(retention)) problems.push("retention: must be { rawDays, minuteDays, hourDays }");
    else {
      const days = (key: string, fallback: number): number => {
        const value = retention[key];
        if (value === undefined) return fallback;
        if (typeof value === "number" && value > 0) return value * day;
        problems.push(`retention.${key}: must be a positive number of days`);
        return fallback;
      };
      const decoded = {
        rawMs: days("rawDays", defaultRetention.rawMs),
        minuteMs: days("minuteDays", defaultRetention.minuteMs),
        hourMs: days("hourDays", defaultRetention.hourMs),
      };
      if (!(decoded.rawMs <= decoded.minuteMs && decoded.minuteMs <= decoded.hourMs)) {
        problems.push("retention: rawDays ≤ minuteDays ≤ hourDays, since each resolution is rolled into the next");
      }
      options.retention = decoded;
    }
  }
  if (raw["redfish"] !== undefined) {
    const targets = decodeRedfishTargets(raw["redfish"]);
    if (targets.ok) options.redfish = targets.value;
    else problems.push(targets.problem);
  }
  if (raw["modbus"] !== undefined) {
    const devices = decodeModbusConfig(raw["modbus"]);
    if (devices.ok) options.modbus = devices.value;
    else problems.push(devices.problem);
  }
  if (raw["snmp"] !== undefined) {
    const devices = decodeSnmpConfig(raw["snmp"]);
    if (devices.ok) options.snmp = devices.value;
    else problems.push(devices.problem);
  }
  if (raw["rules"] !== undefined) {
    const rules = decodeRules(raw["rules"]);
    if (rules.ok) options.rules = rules.value;
    else problems.push(rules.problem);
  }
  const prometheus = raw["prometheus"];
  if (prometheus !== undefined) {
    if (!isRecord(prometheus) || !Array.isArray(prometheus["targets"])) {
      problems.push("prometheus: must be { intervalSeconds, targets: [{ url, labels }] }");
    } else {
      const interval = prometheus["intervalSeconds"] ?? 15;
      if (typeof interval !== "number" || interval <= 0)
        problems.push("prometheus.intervalSeconds: must be a positive number");
      const targets: ScrapeTarget[] = [];
      prometheus["targets"].forEach((target: unknown, index) => {
        const at = `prometheus.targets[${index}]`;
        if (!isRecord(target) || !isHttpUrl(target["url"])) {
          problems.push(`${at}.url: must be an http(s) URL`);
          return;
        }
        if (target["labels"] !== undefined && !isStringRecord(target["labels"])) {
          problems.push(`${at}.labels: must be an object of strings`);
          return;
        }
        targets.push({
          url: target["url"],
          ...(target["labels"] === undefined ? {} : { labels: target["labels"] as Record<string, string> }),
        });
      });
      options.prometheus = { intervalMs: (typeof interval === "number" ? interval : 15) * 1000, targets };
    }
  }
  const webhooks = raw["webhooks"];
  if (webhooks !== undefined) {
    if (!Array.isArray(webhooks)) problems.push("webhooks: must be a list of { url, minimumSeverity, events }");
    else {
      const decoded: WebhookTarget[] = [];
      webhooks.forEach((hook: unknown, index) => {
        const at = `webhooks[${index}]`;
        if (!isRecord(hook) || !isHttpUrl(hook["url"])) {
          problems.push(`${at}.url: must be an http(s) URL`);
          return;
        }
        const severity = hook["minimumSeverity"];
        if (severity !== undefined && !(severities as readonly unknown[]).includes(severity)) {
          problems.push(`${at}.minimumSeverity: must be one of ${severities.join(", ")}`);
          return;
        }
        const events = hook["events"];
        if (
          events !== undefined &&
          !(Array.isArray(events) && events.every((event) => eventTypes.includes(event as AlarmEventType)))
        ) {
          problems.push(`${at}.events: must list some of ${eventTypes.join(", ")}`);
          return;
        }
        if (hook["headers"] !== undefined && !isStringRecord(hook["headers"])) {
          problems.push(`${at}.headers: must be an object of strings`);
          return;
        }
        decoded.push({
          url: hook["url"],
          ...(severity === undefined ? {} : { minimumSeverity: severity as Severity }),
          ...(events === undefined ? {} : { events: events as AlarmEventType[] }),
          ...(hook["headers"] === undefined ? {} : { headers: hook["headers"] as Record<string, string> }),
        });
      });
      options.webhooks = decoded;
    }
  }
  const remote = raw["remoteWrite"];
  if (remote !== undefined) {
    if (!isRecord(remote) || !isHttpUrl(remote["url"])) problems.push("remoteWrite.url: must be an http(s) URL");
    else {
      const interval = remote["intervalSeconds"] ?? 5;
      if (typeof interval !== "number" || interval <= 0)
        problems.push("remoteWrite.intervalSeconds: must be a positive number");
      const decoded: RemoteWriteOptions = {
        url: remote["url"],
        intervalMs: (typeof interval === "number" ? interval : 5) * 1000,
        ...(isStringRecord(remote["headers"]) ? { headers: remote["headers"] } : {}),
      };
      options.remoteWrite = decoded;
    }
  }
  if (raw["limits"] !== undefined) {
    const limits = decodeLimits(raw["limits"]);
    problems.push(...limits.problems);
    Object.assign(options, limits.value);
  }
  return problems.length > 0 ? failure(problems.join("\n")) : success(options);
}
