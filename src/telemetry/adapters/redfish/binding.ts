/**
 * The binding of Redfish services to the site model: which resources of which service to read, and which site
 * equipment (and so which series labels) each one is. Written in YAML or JSON, for example:
 *
 * ```yaml
 * redfish:
 *   - name: cdu-h2-r08-01
 *     url: https://10.20.8.11
 *     intervalSeconds: 10
 *     username: monitor
 *     passwordEnv: CDU_H2_R08_01_PASSWORD     # the password itself never sits in the file
 *     events: true                             # subscribe to the EventService (server-sent events)
 *     resources:
 *       - uri: /redfish/v1/ThermalEquipment/CDUs/1       # walked: connectors, pumps, filters, leak detection…
 *         equipment: cdu:h2-r08-01
 *       - uri: /redfish/v1/Chassis/CDU/Sensors
 *         equipment: cdu:h2-r08-01
 *       - uri: /redfish/v1/Chassis/CDU/Sensors/PrimaryFlow
 *         equipment: cdu:h2-r08-01
 *         series: cdu_primary_flow_lpm                 # the name for this sensor's reading
 * ```
 *
 * A walked resource's subordinates inherit its binding unless bound themselves: the most specific binding (longest
 * URI prefix, by path segment) wins, for readings and for the origin of alarms alike.
 */
import { failure, type Labels, type Result, success } from "../../types.ts";

/** One bound resource. */
export interface ResourceBinding {
  readonly uri: string;
  /** Site id of the equipment (`cdu:h2-r08-01`); becomes the `equipment` label. */
  readonly equipment?: string;
  /** Extra labels for every series read through this binding. */
  readonly labels: Labels;
  /** Follow subordinate resources and collection members (default true). */
  readonly walk: boolean;
  /** Series name for the reading of this very resource (a sensor). */
  readonly series?: string;
  /** Default series names to the names wanted instead. */
  readonly rename: Readonly<Record<string, string>>;
}

/** One Redfish service. */
export interface RedfishTarget {
  readonly name: string;
  /** Scheme, host and port of the service; resource URIs are resolved against it. */
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly username?: string;
  /** Environment variable holding the password. */
  readonly passwordEnv?: string;
  readonly events: boolean;
  /** Stop walking after this many resources per poll (a guard against a service that links forever). */
  readonly maxResources: number;
  readonly resources: readonly ResourceBinding[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === "string");
}

const targetKeys = [
  "name",
  "url",
  "intervalSeconds",
  "timeoutSeconds",
  "username",
  "passwordEnv",
  "events",
  "maxResources",
  "resources",
];
const resourceKeys = ["uri", "equipment", "labels", "walk", "series", "rename"];

/** Decodes the list of Redfish targets; fails with every problem, each naming its path. */
export function decodeRedfishTargets(value: unknown, path = "redfish"): Result<RedfishTarget[]> {
  if (!Array.isArray(value)) return failure(`${path}: must be a list of Redfish services`);
  const problems: string[] = [];
  const targets: RedfishTarget[] = [];
  const names = new Set<string>();
  value.forEach((item: unknown, index) => {
    const at = `${path}[${index}]`;
    if (!isRecord(item)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const before = problems.length;
    for (const key of Object.keys(item)) {
      if (!targetKeys.includes(key)) problems.push(`${at}.${key}: unknown (allowed: ${targetKeys.join(", ")})`);
    }
    const name = item["name"];
    if (typeof name !== "string" || name.length === 0) problems.push(`${at}.name: must be a non-empty string`);
    else if (names.has(name)) problems.push(`${at}.name: ${name} is used twice`);
    else names.add(name);
    const url = item["url"];
    let origin = "";
    try {
      const parsed = new URL(String(url));
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme");
      origin = parsed.origin;
    } catch {
      problems.push(`${at}.url: must be an http(s) URL such as https://10.20.8.11`);
    }
    const seconds = (key: string, fallback: number): number => {
      const given = item[key];
      if (given === undefined) return fallback;
      if (typeof given !== "number" || !(given > 0)) {
        problems.push(`${at}.${key}: must be a positive number of seconds`);
        return fallback;
      }
      return given;
    };
    const intervalMs = seconds("intervalSeconds", 10) * 1000;
    const timeoutMs = seconds("timeoutSeconds", 5) * 1000;
    for (const key of ["username", "passwordEnv"]) {
      if (item[key] !== undefined && typeof item[key] !== "string") problems.push(`${at}.${key}: must be a string`);
    }
    if (item["events"] !== undefined && typeof item["events"] !== "boolean")
      problems.push(`${at}.events: must be true or false`);
    const maxResources = item["maxResources"] ?? 500;
    if (typeof maxResources !== "number" || !Number.isInteger(maxResources) || maxResources < 1) {
      problems.push(`${at}.maxResources: must be a positive integer`);
    }
    const resources: ResourceBinding[] = [];
    const listed = item["resources"];
    if (!Array.isArray(listed) || listed.length === 0)
      problems.push(`${at}.resources: must list at least one resource`);
    else {
      listed.forEach((entry: unknown, resourceIndex) => {
        const resourceAt = `${at}.resources[${resourceIndex}]`;
        if (!isRecord(entry)) {
          problems.push(`${resourceAt}: must be an object with uri and equipment`);
          return;
        }
        for (const key of Object.keys(entry)) {
          if (!resourceKeys.includes(key))
            problems.push(`${resourceAt}.${key}: unknown (allowed: ${resourceKeys.join(", ")})`);
        }
        const uri = entry["uri"];
        if (typeof uri !== "string" || !uri.startsWith("/redfish/v1")) {
          problems.push(`${resourceAt}.uri: must be a Redfish path starting with /redfish/v1`);
          return;
        }
        const equipment = entry["equipment"];
        if (equipment !== undefined && typeof equipment !== "string")
          problems.push(`${resourceAt}.equipment: must be a site id`);
        const labels = entry["labels"] ?? {};
        if (!isStringRecord(labels)) problems.push(`${resourceAt}.labels: must be an object of strings`);
        const rename = entry["rename"] ?? {};
        if (!isStringRecord(rename)) problems.push(`${resourceAt}.rename: must map series names to series names`);
        const series = entry["series"];
        if (series !== undefined && typeof series !== "string")
          problems.push(`${resourceAt}.series: must be a series name`);
        const walk = entry["walk"] ?? true;
        if (typeof walk !== "boolean") problems.push(`${resourceAt}.walk: must be true or false`);
        resources.push({
          uri: uri.replace(/\/$/, ""),
          labels: isStringRecord(labels) ? labels : {},
          walk: walk === true,
          rename: isStringRecord(rename) ? rename : {},
          ...(typeof equipment === "string" ? { equipment } : {}),
          ...(typeof series === "string" ? { series } : {}),
        });
      });
    }
    if (problems.length > before) return;
    targets.push({
      name: name as string,
      url: origin,
      intervalMs,
      timeoutMs,
      events: item["events"] === true,
      maxResources: maxResources as number,
      resources,
      ...(typeof item["username"] === "string" ? { username: item["username"] } : {}),
      ...(typeof item["passwordEnv"] === "string" ? { passwordEnv: item["passwordEnv"] } : {}),
    });
  });
  return problems.length > 0 ? failure(problems.join("\n")) : success(targets);
}

/** The binding that covers a URI: the bound resource with the longest path-segment prefix of it. */
export function bindingFor(target: RedfishTarget, uri: string): ResourceBinding | undefined {
  const path = uri.replace(/\/$/, "");
  let best: ResourceBinding | undefined;
  for (const binding of target.resources) {
    if (
      (path === binding.uri || path.startsWith(`${binding.uri}/`)) &&
      (best === undefined || binding.uri.length > best.uri.length)
    ) {
      best = binding;
    }
  }
  return best;
}
