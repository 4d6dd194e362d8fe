/**
 * SNMP devices (UPS, PDUs) and their OID profiles, as the telemetry configuration writes them. A profile is the list
 * of OIDs a device model answers, each bound to a series; a device names its profile and its site equipment:
 *
 * ```yaml
 * snmp:
 *   profiles:                      # optional; ups-mib and apc-rpdu are built in (below)
 *     my-pdu:
 *       - { metric: pdu_power_watts, oid: 1.3.6.1.4.1.318.1.1.12.1.16.0, unit: W }
 *       - { metric: pdu_load_current_amperes, oid: 1.3.6.1.4.1.318.1.1.12.2.3.1.1.2, walk: true, indexLabel: load, scale: 0.1 }
 *   devices:
 *     - name: ups-h1-01
 *       host: 10.20.1.5            # port 161 unless given
 *       version: 2c
 *       communityEnv: UPS_COMMUNITY     # secrets never sit in the file
 *       profile: ups-mib
 *       equipment: ups:h1-01
 *     - name: pdu-h1-r01-012
 *       host: 10.20.1.40
 *       version: 3
 *       user: { name: monitor, authProtocol: sha256, authKeyEnv: PDU_AUTH, privProtocol: aes, privKeyEnv: PDU_PRIV }
 *       profile: apc-rpdu
 *       equipment: rack:h1-r01-012
 * ```
 *
 * A `walk` point reads a table column: every row becomes a series, the row index (what follows the column's OID)
 * becoming the `indexLabel` label (a UPS output line, a PDU phase).
 */
import { type Static, Type } from "typebox";
import { formatPath } from "../../../model/diagnostics.ts";
import { checkSchema, closedObject } from "../../../model/schema-check.ts";
import { failure, type Labels, type Result, success } from "../../types.ts";

/** One OID bound to a series. */
export interface SnmpPoint {
  readonly metric: string;
  /** Numeric OID without a leading dot: a scalar instance (`….0`), or a table column when `walk`. */
  readonly oid: string;
  readonly walk: boolean;
  /** Label that carries a walked row's index (default `index`). */
  readonly indexLabel: string;
  /** Reading = raw × scale + offset. */
  readonly scale: number;
  readonly offset: number;
  readonly unit?: string;
  readonly labels: Labels;
}

/** Security of an SNMPv3 user: authNoPriv without `privProtocol`, authPriv with it. */
export interface SnmpUser {
  readonly name: string;
  readonly authProtocol: "md5" | "sha" | "sha224" | "sha256" | "sha384" | "sha512";
  readonly authKeyEnv: string;
  readonly privProtocol?: "des" | "aes" | "aes256b" | "aes256r";
  readonly privKeyEnv?: string;
}

/** One SNMP agent. */
export interface SnmpDevice {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly version: "2c" | "3";
  /** v2c: the environment variable holding the community. */
  readonly communityEnv?: string;
  /** v3: the user. */
  readonly user?: SnmpUser;
  readonly profile: string;
  readonly equipment?: string;
  readonly labels: Labels;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Re-sends of an unanswered request (UDP loses packets) before the poll fails. */
  readonly retries: number;
  readonly staleAfterMs: number;
  readonly maxBackoffMs: number;
  readonly points: readonly SnmpPoint[];
}

function point(metric: string, oid: string, extra: Partial<Omit<SnmpPoint, "metric" | "oid">> = {}): SnmpPoint {
  return { metric, oid, walk: false, indexLabel: "index", scale: 1, offset: 0, labels: {}, ...extra };
}

/**
 * Built-in profiles.
 *
 * `ups-mib`: UPS-MIB, RFC 1628 (upsMIB = 1.3.6.1.2.1.33, objects under upsObjects .1): upsBatteryStatus (.1.2.1:
 * unknown 1, batteryNormal 2, batteryLow 3, batteryDepleted 4), upsSecondsOnBattery (.1.2.2), upsEstimatedMinutes-
 * Remaining (.1.2.3), upsEstimatedChargeRemaining (.1.2.4, percent), upsBatteryTemperature (.1.2.7, °C),
 * upsOutputSource (.1.4.1: other 1, none 2, normal 3, bypass 4, battery 5, booster 6, reducer 7), and the
 * upsOutputTable (.1.4.4.1) columns upsOutputVoltage (.2, RMS V), upsOutputCurrent (.3, 0.1 RMS A), upsOutputPower
 * (.4, W) and upsOutputPercentLoad (.5) per output line, and upsInputVoltage (.1.3.3.1.3, RMS V) per input line.
 *
 * `apc-rpdu`: APC PowerNet-MIB rack PDU objects (enterprise 318, rPDU = 1.3.6.1.4.1.318.1.1.12), for PDUs that
 * implement no standard power MIB: rPDUIdentDevicePowerWatts (.1.16.0, W), rPDULoadStatusLoad (.2.3.1.1.2, 0.1 A
 * per phase or bank) and rPDULoadStatusLoadState (.2.3.1.1.3: lowLoad 1, normal 2, nearOverload 3, overload 4).
 * PDUs with ENTITY-SENSOR-MIB (RFC 3433, entPhySensorValue 1.3.6.1.2.1.99.1.1.1.4) take a custom profile walking
 * that column, with the scale their entPhySensorScale gives.
 */
export const builtInProfiles: Readonly<Record<string, readonly SnmpPoint[]>> = {
  "ups-mib": [
    point("ups_battery_status", "1.3.6.1.2.1.33.1.2.1.0"),
    point("ups_seconds_on_battery", "1.3.6.1.2.1.33.1.2.2.0", { unit: "s" }),
    point("ups_battery_minutes_remaining", "1.3.6.1.2.1.33.1.2.3.0", { unit: "min" }),
    point("ups_battery_charge_percent", "1.3.6.1.2.1.33.1.2.4.0", { unit: "%" }),
    point("ups_battery_temperature_celsius", "1.3.6.1.2.1.33.1.2.7.0", { unit: "celsius" }),
    point("ups_output_source", "1.3.6.1.2.1.33.1.4.1.0"),
    point("ups_output_voltage_volts", "1.3.6.1.2.1.33.1.4.4.1.2", { walk: true, indexLabel: "line", unit: "V" }),
    point("ups_output_current_amperes", "1.3.6.1.2.1.33.1.4.4.1.3", {
      walk: true,
      indexLabel: "line",
      scale: 0.1,
      unit: "A",
    }),
    point("ups_output_power_watts", "1.3.6.1.2.1.33.1.4.4.1.4", { walk: true, indexLabel: "line", unit: "W" }),
    point("ups_output_load_percent", "1.3.6.1.2.1.33.1.4.4.1.5", { walk: true, indexLabel: "line", unit: "%" }),
    point("ups_input_voltage_volts", "1.3.6.1.2.1.33.1.3.3.1.3", { walk: true, indexLabel: "line", unit: "V" }),
  ],
  "apc-rpdu": [
    point("pdu_power_watts", "1.3.6.1.4.1.318.1.1.12.1.16.0", { unit: "W" }),
    point("pdu_load_current_amperes", "1.3.6.1.4.1.318.1.1.12.2.3.1.1.2", {
      walk: true,
      indexLabel: "load",
      scale: 0.1,
      unit: "A",
    }),
    point("pdu_load_state", "1.3.6.1.4.1.318.1.1.12.2.3.1.1.3", { walk: true, indexLabel: "load" }),
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// Decoding the configuration.

const envName = (description: string) =>
  Type.String({
    pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
    patternErrorMessage: "expected the name of an environment variable",
    description,
  });
const seconds = (description: string) => Type.Optional(Type.Number({ exclusiveMinimum: 0, description }));
const authProtocols = ["md5", "sha", "sha224", "sha256", "sha384", "sha512"] as const;
const privProtocols = ["des", "aes", "aes256b", "aes256r"] as const;

/**
 * One OID point of a profile as the file writes it. Its defaults are applied by `resolvePoint`: TypeBox fills
 * defaults of list items but not of a mapping's values (the `profiles` map).
 */
export const SnmpPointSchema = closedObject({
  metric: Type.String({
    pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$",
    patternErrorMessage: "expected a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*",
  }),
  oid: Type.String({
    pattern: "^\\.?1(\\.\\d+){3,127}$",
    patternErrorMessage: "expected a numeric OID such as 1.3.6.1.2.1.33.1.2.1.0",
  }),
  walk: Type.Optional(Type.Boolean({ default: false, description: "read a table column: a series per row" })),
  indexLabel: Type.Optional(
    Type.String({
      pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$",
      patternErrorMessage: "expected a label name",
      default: "index",
      description: "label carrying a walked row's index",
    }),
  ),
  scale: Type.Optional(Type.Number({ default: 1, description: "reading = raw × scale + offset" })),
  offset: Type.Optional(Type.Number({ default: 0 })),
  unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: "such as W or celsius" })),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
});

/** An SNMPv3 user: authNoPriv without `privProtocol`, authPriv with it (and `privKeyEnv`). */
export const SnmpUserSchema = closedObject({
  name: Type.String({ minLength: 1, maxLength: 32 }),
  authProtocol: Type.Enum(authProtocols, { default: "sha" }),
  authKeyEnv: envName("environment variable holding the authentication key"),
  privProtocol: Type.Optional(Type.Enum(privProtocols)),
  privKeyEnv: Type.Optional(envName("environment variable holding the privacy key")),
});

/** One SNMP agent as the file writes it. */
export const SnmpDeviceSchema = closedObject({
  name: Type.String({ pattern: "\\S" }),
  host: Type.String({ pattern: "^[a-zA-Z0-9.:[\\]-]+$", patternErrorMessage: "expected a host name or IP address" }),
  port: Type.Integer({ minimum: 1, maximum: 65_535, default: 161 }),
  version: Type.Enum(["2c", "3", 3], {
    default: "2c",
    description: "2c or 3 (SNMPv1 carries no 64-bit counters nor security)",
  }),
  communityEnv: Type.Optional(envName("version 2c: environment variable holding the community")),
  user: Type.Optional(SnmpUserSchema),
  profile: Type.String({ pattern: "\\S", description: "a profile under snmp.profiles, or ups-mib, apc-rpdu" }),
  equipment: Type.Optional(Type.String({ pattern: "\\S", description: "site id such as ups:h1-01" })),
  labels: Type.Record(Type.String(), Type.String(), { default: {} }),
  intervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 15 }),
  timeoutSeconds: seconds("per request (default: the smaller of 2 and half the interval)"),
  retries: Type.Integer({ minimum: 0, maximum: 5, default: 1, description: "re-sends of an unanswered request" }),
  staleAfterSeconds: seconds("no good read this long: readings are stale (3.5 intervals)"),
  maxBackoffSeconds: seconds("longest wait between attempts while failing (300, or the interval)"),
});

/** The `snmp` section of the telemetry configuration: custom OID profiles and devices. */
export const SnmpConfigSchema = closedObject({
  profiles: Type.Record(Type.String(), Type.Array(SnmpPointSchema, { minItems: 1 }), {
    default: {},
    description: "profile name → its OID points (ups-mib and apc-rpdu are built in)",
  }),
  devices: Type.Array(SnmpDeviceSchema),
});

function resolvePoint(item: Static<typeof SnmpPointSchema>): SnmpPoint {
  return {
    metric: item.metric,
    oid: item.oid.replace(/^\./, ""),
    walk: item.walk ?? false,
    indexLabel: item.indexLabel ?? "index",
    scale: item.scale ?? 1,
    offset: item.offset ?? 0,
    ...(item.unit === undefined ? {} : { unit: item.unit }),
    labels: item.labels ?? {},
  };
}

/** The device a checked entry gives; the rules between its fields go to `problems`. */
function resolveDevice(
  item: Static<typeof SnmpDeviceSchema>,
  at: string,
  profiles: ReadonlyMap<string, readonly SnmpPoint[]>,
  problems: string[],
): SnmpDevice {
  const version = item.version === "2c" ? "2c" : "3";
  if (version === "2c") {
    if (item.communityEnv === undefined) {
      problems.push(`${at}.communityEnv: version 2c needs the environment variable holding the community`);
    }
    if (item.user !== undefined) problems.push(`${at}.user: only for version 3`);
  } else {
    if (item.user === undefined) {
      problems.push(`${at}.user: version 3 needs user: { name, authProtocol, authKeyEnv, privProtocol, privKeyEnv }`);
    } else if ((item.user.privProtocol === undefined) !== (item.user.privKeyEnv === undefined)) {
      problems.push(`${at}.user.privKeyEnv: privProtocol and privKeyEnv go together (authPriv)`);
    }
    if (item.communityEnv !== undefined) problems.push(`${at}.communityEnv: only for version 2c`);
  }
  if (!profiles.has(item.profile)) {
    problems.push(`${at}.profile: must name a profile (${[...profiles.keys()].join(", ")})`);
  }
  const interval = item.intervalSeconds;
  const timeout = item.timeoutSeconds ?? Math.min(2, interval / 2);
  const stale = item.staleAfterSeconds ?? interval * 3.5;
  if (timeout * (item.retries + 1) > interval) {
    problems.push(`${at}.timeoutSeconds: timeout × (retries + 1) must not exceed intervalSeconds (${interval})`);
  }
  if (stale <= interval) problems.push(`${at}.staleAfterSeconds: must exceed intervalSeconds (${interval})`);
  const user = item.user;
  return {
    name: item.name,
    host: item.host,
    port: item.port,
    version,
    ...(version === "2c" && item.communityEnv !== undefined ? { communityEnv: item.communityEnv } : {}),
    ...(version === "3" && user !== undefined
      ? {
          user: {
            name: user.name,
            authProtocol: user.authProtocol,
            authKeyEnv: user.authKeyEnv,
            ...(user.privProtocol === undefined || user.privKeyEnv === undefined
              ? {}
              : { privProtocol: user.privProtocol, privKeyEnv: user.privKeyEnv }),
          },
        }
      : {}),
    profile: item.profile,
    ...(item.equipment === undefined ? {} : { equipment: item.equipment }),
    labels: item.labels,
    intervalMs: interval * 1000,
    timeoutMs: timeout * 1000,
    retries: item.retries,
    staleAfterMs: stale * 1000,
    maxBackoffMs: (item.maxBackoffSeconds ?? Math.max(300, interval)) * 1000,
    points: profiles.get(item.profile) ?? [],
  };
}

/**
 * Decodes the `snmp` section: its shape by `SnmpConfigSchema`, then the rules between fields (security per version,
 * known profiles, unique names, timeouts within the interval); fails with every problem by its path.
 */
export function decodeSnmpConfig(value: unknown, path = "snmp"): Result<SnmpDevice[]> {
  const checked = checkSchema(SnmpConfigSchema, value, { path: [path] });
  if (!checked.ok) {
    return failure(checked.problems.map((problem) => `${formatPath(problem.path)}: ${problem.message}`).join("\n"));
  }
  const profiles = new Map<string, readonly SnmpPoint[]>(Object.entries(builtInProfiles));
  for (const [name, list] of Object.entries(checked.value.profiles)) profiles.set(name, list.map(resolvePoint));
  const problems: string[] = [];
  const names = new Set<string>();
  const devices = checked.value.devices.map((item, index) => {
    const at = formatPath([path, "devices", index]);
    if (names.has(item.name)) problems.push(`${at}.name: ${item.name} is used twice`);
    names.add(item.name);
    return resolveDevice(item, at, profiles, problems);
  });
  return problems.length > 0 ? failure(problems.join("\n")) : success(devices);
}
