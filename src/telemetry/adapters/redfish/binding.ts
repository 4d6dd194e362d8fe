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
import { type Static, Type } from "typebox";
import { closedObject, describeValue } from "../../../model/schema-check.ts";
import { decodeEntries, envName, httpUrl, nonEmptyText, seriesName, stringMap } from "../../schema-parts.ts";
import type { Result } from "../../types.ts";

// ---------------------------------------------------------------------------------------------------------------
// The shape of the `redfish` section: one schema, the source of its TS type, of schemas/telemetry.schema.json and of
// the run-time check.

/** One bound resource as the file writes it. */
export const RedfishResourceSchema = closedObject({
  uri: Type.String({
    pattern: "^/redfish/v1(/\\S*)?$",
    patternErrorMessage: "expected a Redfish path starting with /redfish/v1",
  }),
  equipment: Type.Optional(
    nonEmptyText("site id (cdu:h2-r08-01): the equipment label of every series read through this binding"),
  ),
  labels: stringMap("extra labels for every series read through this binding", true),
  walk: Type.Boolean({ default: true, description: "follow subordinate resources and collection members" }),
  series: Type.Optional(seriesName("series name for the reading of this very resource (a sensor)")),
  rename: Type.Record(Type.String(), seriesName(), {
    default: {},
    description: "default series names → the names wanted instead",
  }),
});

/** A push subscription as the file writes it. */
export const RedfishSubscriptionSchema = closedObject({
  destination: Type.String({
    pattern: "^https?://[^\\s/?#]+[^\\s?#]*$",
    patternErrorMessage:
      "expected alixan's http(s) base URL as the service reaches it (no query), such as https://alixan.example:8443",
    format: "uri",
  }),
  metricReports: Type.Boolean({ default: false, description: "also push TelemetryService metric reports" }),
  eventTypes: Type.Optional(
    Type.Array(nonEmptyText(), {
      minItems: 1,
      description: "EventTypes to ask for, such as Alert, StatusChange (older services require them)",
    }),
  ),
});

const seconds = (fallback: number, description: string) =>
  Type.Number({ exclusiveMinimum: 0, default: fallback, description });

/** One Redfish service as the file writes it. */
export const RedfishTargetSchema = closedObject({
  name: nonEmptyText("unique among the services"),
  url: httpUrl("scheme, host and port of the service, such as https://10.20.8.11"),
  intervalSeconds: seconds(10, "time between polls"),
  timeoutSeconds: seconds(5, "per request"),
  username: Type.Optional(Type.String()),
  passwordEnv: Type.Optional(envName("environment variable holding the password")),
  auth: Type.Enum(["session", "basic"], {
    default: "session",
    description: "session: SessionService login and X-Auth-Token; basic: HTTP Basic on every request",
  }),
  caFile: Type.Optional(nonEmptyText("PEM file of the CA that signs the service's certificate (https only)")),
  insecure: Type.Optional(Type.Boolean({ description: "no certificate check at all (https only; logged)" })),
  events: Type.Boolean({ default: false, description: "follow the EventService's server-sent events" }),
  subscription: Type.Optional(RedfishSubscriptionSchema),
  metricReports: Type.Boolean({ default: false, description: "read TelemetryService metric reports at each poll" }),
  maxResources: Type.Integer({
    minimum: 1,
    default: 500,
    description: "resources walked per poll at most (a guard against a service that links forever)",
  }),
  maxDepth: Type.Integer({
    minimum: 0,
    default: 12,
    description: "links followed in a row from a bound resource at most (a guard against links that nest forever)",
  }),
  resources: Type.Array(RedfishResourceSchema, {
    default: [],
    description: "at least one, unless metricReports or a subscription brings the readings",
  }),
});

/** The `redfish` section: the services to read. */
export const RedfishConfigSchema = Type.Array(RedfishTargetSchema);

/** One Redfish service as the file writes it. */
export type RedfishTargetConfig = Static<typeof RedfishTargetSchema>;

/** One bound resource: the file's entry, its URI without a trailing slash. */
export type ResourceBinding = Readonly<Static<typeof RedfishResourceSchema>>;

/**
 * How a service pushes to alixan (an EventService subscription whose Destination is alixan's receiver route): the
 * file's entry, its destination without a trailing slash (the receiver path is appended).
 */
export type PushSubscription = Readonly<Static<typeof RedfishSubscriptionSchema>>;

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
  readonly auth: RedfishTargetConfig["auth"];
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
  /** Stop following links this many links away from a bound resource (its own links are depth 1). */
  readonly maxDepth: number;
  readonly resources: readonly ResourceBinding[];
}

/**
 * Decodes the list of Redfish targets: each entry's shape by `RedfishTargetSchema`, then what a schema cannot say
 * (names unique, https-only settings, the CA file readable, resources unless reports or a subscription bring the
 * readings); fails with every problem, each naming its path.
 */
export function decodeRedfishTargets(value: unknown, path = "redfish"): Result<RedfishTarget[]> {
  return decodeEntries(
    RedfishConfigSchema,
    value,
    path,
    { name: "name", schema: RedfishTargetSchema.properties.name },
    resolveTarget,
  );
}

/** The target a checked entry gives; the rules between its fields go to `problems`. */
function resolveTarget(item: RedfishTargetConfig, at: string, problems: string[]): RedfishTarget {
  let origin = "";
  try {
    origin = new URL(item.url).origin;
  } catch {
    problems.push(`${at}.url: expected an http(s) URL, got ${describeValue(item.url)}`);
  }
  const subscription =
    item.subscription === undefined ? undefined : resolveSubscription(item.subscription, at, problems);
  // Metric reports or pushed events alone are enough: resources to walk are then optional.
  if (item.resources.length === 0 && !item.metricReports && item.subscription === undefined) {
    problems.push(`${at}.resources: must list at least one resource (or read metricReports, or push a subscription)`);
  }
  return {
    name: item.name,
    url: origin,
    intervalMs: item.intervalSeconds * 1000,
    timeoutMs: item.timeoutSeconds * 1000,
    events: item.events,
    metricReports: item.metricReports,
    maxResources: item.maxResources,
    maxDepth: item.maxDepth,
    resources: item.resources.map(
      (resource): ResourceBinding => ({
        uri: resource.uri.replace(/\/$/, ""),
        labels: resource.labels,
        walk: resource.walk,
        rename: resource.rename,
        ...(resource.equipment === undefined ? {} : { equipment: resource.equipment }),
        ...(resource.series === undefined ? {} : { series: resource.series }),
      }),
    ),
    ...resolveSecurity(item, at, origin.startsWith("https:"), problems),
    ...(subscription === undefined ? {} : { subscription }),
    ...(item.username === undefined ? {} : { username: item.username }),
    ...(item.passwordEnv === undefined ? {} : { passwordEnv: item.passwordEnv }),
  };
}

/** `auth`, `caFile` (read and checked here, so a wrong path stops the start) and `insecure`. */
function resolveSecurity(
  item: RedfishTargetConfig,
  at: string,
  https: boolean,
  problems: string[],
): Pick<RedfishTarget, "auth" | "ca" | "caFile" | "insecure"> {
  const decoded = { auth: item.auth };
  if (item.insecure === true && !https) problems.push(`${at}.insecure: only means something for an https URL`);
  const insecure = item.insecure === true && https ? { insecure: true } : {};
  const caFile = item.caFile;
  if (caFile === undefined) return { ...decoded, ...insecure };
  if (!https) {
    problems.push(`${at}.caFile: only means something for an https URL`);
    return decoded;
  }
  if (item.insecure === true) {
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

/** A push subscription with its destination normalised (no trailing slash: the receiver path is appended). */
function resolveSubscription(
  item: NonNullable<RedfishTargetConfig["subscription"]>,
  at: string,
  problems: string[],
): PushSubscription | undefined {
  let destination: string;
  try {
    destination = new URL(item.destination).href.replace(/\/$/, "");
  } catch {
    problems.push(`${at}.subscription.destination: expected an http(s) URL, got ${describeValue(item.destination)}`);
    return undefined;
  }
  return {
    destination,
    metricReports: item.metricReports,
    ...(item.eventTypes === undefined ? {} : { eventTypes: item.eventTypes }),
  };
}

/**
 * The binding that covers a URI: the bound resource with the longest path-segment prefix of it. A query (the next
 * page of a collection) or fragment (a member of a legacy array) does not change which resource it is.
 */
export function bindingFor(target: RedfishTarget, uri: string): ResourceBinding | undefined {
  const path = uri.replace(/[?#].*$/, "").replace(/\/+$/, "");
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
