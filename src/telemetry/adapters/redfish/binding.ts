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
 *     auth: session                            # (default) SessionService login, X-Auth-Token; or basic
 *     caFile: /etc/alixan/bmc-ca.pem           # trust anchor for this service's certificate
 *     # insecure: true                         # no certificate check at all: never the default, logged as a warning
 *     events: true                             # follow the EventService's server-sent events
 *     subscription:                            # or have the service push events to alixan (EventService)
 *       destination: https://alixan.example:8443   # alixan's address as the service reaches it
 *       metricReports: true                    # also push TelemetryService metric reports
 *     metricReports: true                      # read TelemetryService metric reports at each poll
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
import { readFileSync } from "node:fs";
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

/** How a service pushes to alixan (an EventService subscription whose Destination is alixan's receiver route). */
export interface PushSubscription {
  /** alixan's base URL as the service reaches it; the receiver path is appended. */
  readonly destination: string;
  /** Also subscribe to metric reports (a second subscription with EventFormatType MetricReport). */
  readonly metricReports: boolean;
  /** `EventTypes` to ask for (older services require them; newer ones deprecate them): none sent when absent. */
  readonly eventTypes?: readonly string[];
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
  /** `session` (SessionService login, the default) or `basic` (HTTP Basic on every request). */
  readonly auth: "session" | "basic";
  /** PEM text of the CA bundle that signs the service's certificate (read from `caFile`). */
  readonly ca?: string;
  /** The file `ca` was read from (for messages). */
  readonly caFile?: string;
  /** Skip certificate verification (explicit opt-in only). */
  readonly insecure?: boolean;
  readonly events: boolean;
  /** Push subscription: the service posts events (and metric reports) to alixan. */
  readonly subscription?: PushSubscription;
  /** Read TelemetryService metric reports at each poll. */
  readonly metricReports: boolean;
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
  "auth",
  "caFile",
  "insecure",
  "events",
  "subscription",
  "metricReports",
  "maxResources",
  "resources",
];
const subscriptionKeys = ["destination", "metricReports", "eventTypes"];
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
    const security = decodeSecurity(item, at, origin, problems);
    const subscription = decodeSubscription(item["subscription"], `${at}.subscription`, problems);
    const metricReports = item["metricReports"] ?? false;
    if (typeof metricReports !== "boolean") problems.push(`${at}.metricReports: must be true or false`);
    const resources: ResourceBinding[] = [];
    const listed = item["resources"] ?? [];
    // Metric reports or pushed events alone are enough: resources to walk are then optional.
    const needsResources = metricReports !== true && subscription === undefined;
    if (!Array.isArray(listed) || (listed.length === 0 && needsResources))
      problems.push(`${at}.resources: must list at least one resource (or read metricReports, or push a subscription)`);
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
      metricReports: metricReports === true,
      maxResources: maxResources as number,
      resources,
      ...security,
      ...(subscription === undefined ? {} : { subscription }),
      ...(typeof item["username"] === "string" ? { username: item["username"] } : {}),
      ...(typeof item["passwordEnv"] === "string" ? { passwordEnv: item["passwordEnv"] } : {}),
    });
  });
  return problems.length > 0 ? failure(problems.join("\n")) : success(targets);
}

/** Decodes `auth`, `caFile` (read and checked here, so a wrong path stops the start) and `insecure`. */
function decodeSecurity(
  item: Record<string, unknown>,
  at: string,
  origin: string,
  problems: string[],
): { auth: "session" | "basic"; ca?: string; caFile?: string; insecure?: boolean } {
  const auth = item["auth"] ?? "session";
  if (auth !== "session" && auth !== "basic") problems.push(`${at}.auth: must be session or basic`);
  const decoded: { auth: "session" | "basic"; ca?: string; caFile?: string; insecure?: boolean } = {
    auth: auth === "basic" ? "basic" : "session",
  };
  const https = origin.startsWith("https:");
  const insecure = item["insecure"];
  if (insecure !== undefined) {
    if (typeof insecure !== "boolean") problems.push(`${at}.insecure: must be true or false`);
    else if (insecure && !https) problems.push(`${at}.insecure: only means something for an https URL`);
    else if (insecure) decoded.insecure = true;
  }
  const caFile = item["caFile"];
  if (caFile === undefined) return decoded;
  if (typeof caFile !== "string" || caFile === "") {
    problems.push(`${at}.caFile: must be the path of a PEM file`);
    return decoded;
  }
  if (!https) {
    problems.push(`${at}.caFile: only means something for an https URL`);
    return decoded;
  }
  if (decoded.insecure === true) {
    problems.push(`${at}.caFile: give caFile or insecure: true, not both`);
    return decoded;
  }
  let text: string;
  try {
    text = readFileSync(caFile, "utf8");
  } catch (cause) {
    problems.push(`${at}.caFile: cannot read ${caFile} (${(cause as { code?: string }).code ?? String(cause)})`);
    return decoded;
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    problems.push(`${at}.caFile: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return decoded;
  }
  return { ...decoded, ca: text, caFile };
}

/** Decodes a push subscription (`destination` is alixan's base URL, reachable from the service). */
function decodeSubscription(value: unknown, at: string, problems: string[]): PushSubscription | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.push(`${at}: must be { destination, metricReports, eventTypes }`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(value)) {
    if (!subscriptionKeys.includes(key))
      problems.push(`${at}.${key}: unknown (allowed: ${subscriptionKeys.join(", ")})`);
  }
  let destination = "";
  try {
    const parsed = new URL(String(value["destination"]));
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme");
    if (parsed.search !== "" || parsed.hash !== "") throw new Error("query");
    destination = parsed.href.replace(/\/$/, "");
  } catch {
    problems.push(
      `${at}.destination: must be alixan's http(s) base URL as the service reaches it, such as https://alixan.example:8443`,
    );
  }
  const metricReports = value["metricReports"] ?? false;
  if (typeof metricReports !== "boolean") problems.push(`${at}.metricReports: must be true or false`);
  const eventTypes = value["eventTypes"];
  if (
    eventTypes !== undefined &&
    !(Array.isArray(eventTypes) && eventTypes.length > 0 && eventTypes.every((type) => typeof type === "string"))
  ) {
    problems.push(`${at}.eventTypes: must list event types such as Alert, StatusChange`);
  }
  if (problems.length > before) return undefined;
  return {
    destination,
    metricReports: metricReports === true,
    ...(eventTypes === undefined ? {} : { eventTypes: eventTypes as string[] }),
  };
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
