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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === "string");
}

const oidPattern = /^\.?1(\.\d+){3,127}$/;
const envPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const pointKeys = ["metric", "oid", "walk", "indexLabel", "scale", "offset", "unit", "labels"];
const deviceKeys = [
  "name",
  "host",
  "port",
  "version",
  "communityEnv",
  "user",
  "profile",
  "equipment",
  "labels",
  "intervalSeconds",
  "timeoutSeconds",
  "retries",
  "staleAfterSeconds",
  "maxBackoffSeconds",
];
const authProtocols = ["md5", "sha", "sha224", "sha256", "sha384", "sha512"] as const;
const privProtocols = ["des", "aes", "aes256b", "aes256r"] as const;

function decodePoint(item: unknown, at: string, problems: string[]): SnmpPoint | undefined {
  if (!isRecord(item)) {
    problems.push(`${at}: must be { metric, oid }`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(item)) {
    if (!pointKeys.includes(key)) problems.push(`${at}.${key}: unknown (allowed: ${pointKeys.join(", ")})`);
  }
  const metric = item["metric"];
  if (typeof metric !== "string" || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) {
    problems.push(`${at}.metric: must be a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*`);
  }
  const oid = item["oid"];
  if (typeof oid !== "string" || !oidPattern.test(oid)) {
    problems.push(`${at}.oid: must be a numeric OID such as 1.3.6.1.2.1.33.1.2.1.0`);
  }
  const walk = item["walk"] ?? false;
  if (typeof walk !== "boolean") problems.push(`${at}.walk: must be true or false`);
  const indexLabel = item["indexLabel"] ?? "index";
  if (typeof indexLabel !== "string" || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(indexLabel)) {
    problems.push(`${at}.indexLabel: must be a label name`);
  }
  const number = (key: string, fallback: number): number => {
    const value = item[key] ?? fallback;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      problems.push(`${at}.${key}: must be a finite number`);
      return fallback;
    }
    return value;
  };
  const scale = number("scale", 1);
  const offset = number("offset", 0);
  const unit = item["unit"];
  if (unit !== undefined && (typeof unit !== "string" || unit.length === 0 || unit.length > 32)) {
    problems.push(`${at}.unit: must be a short string such as W or celsius`);
  }
  const labels = item["labels"] ?? {};
  if (!isStringRecord(labels)) problems.push(`${at}.labels: must be an object of strings`);
  if (problems.length > before) return undefined;
  return {
    metric: metric as string,
    oid: (oid as string).replace(/^\./, ""),
    walk: walk as boolean,
    indexLabel: indexLabel as string,
    scale,
    offset,
    ...(unit === undefined ? {} : { unit: unit as string }),
    labels: labels as Labels,
  };
}

function decodeUser(value: unknown, at: string, problems: string[]): SnmpUser | undefined {
  if (!isRecord(value)) {
    problems.push(`${at}: version 3 needs user: { name, authProtocol, authKeyEnv, privProtocol, privKeyEnv }`);
    return undefined;
  }
  const before = problems.length;
  const allowed = ["name", "authProtocol", "authKeyEnv", "privProtocol", "privKeyEnv"];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${at}.${key}: unknown (allowed: ${allowed.join(", ")})`);
  }
  const name = value["name"];
  if (typeof name !== "string" || name.length === 0 || name.length > 32) {
    problems.push(`${at}.name: must be the user name (1–32 characters)`);
  }
  const auth = value["authProtocol"] ?? "sha";
  if (!(authProtocols as readonly unknown[]).includes(auth)) {
    problems.push(`${at}.authProtocol: must be one of ${authProtocols.join(", ")}`);
  }
  const authKeyEnv = value["authKeyEnv"];
  if (typeof authKeyEnv !== "string" || !envPattern.test(authKeyEnv)) {
    problems.push(`${at}.authKeyEnv: must name the environment variable holding the authentication key`);
  }
  const priv = value["privProtocol"];
  const privKeyEnv = value["privKeyEnv"];
  if (priv !== undefined && !(privProtocols as readonly unknown[]).includes(priv)) {
    problems.push(`${at}.privProtocol: must be one of ${privProtocols.join(", ")}`);
  }
  if ((priv === undefined) !== (privKeyEnv === undefined)) {
    problems.push(`${at}.privKeyEnv: privProtocol and privKeyEnv go together (authPriv)`);
  } else if (privKeyEnv !== undefined && (typeof privKeyEnv !== "string" || !envPattern.test(privKeyEnv))) {
    problems.push(`${at}.privKeyEnv: must name the environment variable holding the privacy key`);
  }
  if (problems.length > before) return undefined;
  return {
    name: name as string,
    authProtocol: auth as SnmpUser["authProtocol"],
    authKeyEnv: authKeyEnv as string,
    ...(priv === undefined
      ? {}
      : { privProtocol: priv as NonNullable<SnmpUser["privProtocol"]>, privKeyEnv: privKeyEnv as string }),
  };
}

/** Decodes the `snmp` section: custom profiles and devices; fails with every problem by its path. */
export function decodeSnmpConfig(value: unknown, path = "snmp"): Result<SnmpDevice[]> {
  if (!isRecord(value)) return failure(`${path}: must be { profiles: { <name>: [points] }, devices: [...] }`);
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (key !== "profiles" && key !== "devices") problems.push(`${path}.${key}: unknown (allowed: profiles, devices)`);
  }
  const profiles = new Map<string, readonly SnmpPoint[]>(Object.entries(builtInProfiles));
  const rawProfiles = value["profiles"] ?? {};
  if (!isRecord(rawProfiles)) problems.push(`${path}.profiles: must map profile names to lists of OID points`);
  else {
    for (const [name, list] of Object.entries(rawProfiles)) {
      const at = `${path}.profiles.${name}`;
      if (!Array.isArray(list) || list.length === 0) {
        problems.push(`${at}: must list at least one OID point`);
        continue;
      }
      const points: SnmpPoint[] = [];
      list.forEach((item: unknown, index) => {
        const decoded = decodePoint(item, `${at}[${index}]`, problems);
        if (decoded !== undefined) points.push(decoded);
      });
      profiles.set(name, points);
    }
  }
  const rawDevices = value["devices"];
  if (!Array.isArray(rawDevices)) {
    problems.push(`${path}.devices: must be a list of devices`);
    return failure(problems.join("\n"));
  }
  const devices: SnmpDevice[] = [];
  const names = new Set<string>();
  rawDevices.forEach((item: unknown, index) => {
    const at = `${path}.devices[${index}]`;
    const device = decodeDevice(item, at, profiles, problems);
    if (device === undefined) return;
    if (names.has(device.name)) problems.push(`${at}.name: ${device.name} is used twice`);
    else {
      names.add(device.name);
      devices.push(device);
    }
  });
  return problems.length > 0 ? failure(problems.join("\n")) : success(devices);
}

function decodeDevice(
  item: unknown,
  at: string,
  profiles: ReadonlyMap<string, readonly SnmpPoint[]>,
  problems: string[],
): SnmpDevice | undefined {
  if (!isRecord(item)) {
    problems.push(`${at}: must be an object`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(item)) {
    if (!deviceKeys.includes(key)) problems.push(`${at}.${key}: unknown (allowed: ${deviceKeys.join(", ")})`);
  }
  const name = item["name"];
  if (typeof name !== "string" || name.length === 0) problems.push(`${at}.name: must be a non-empty string`);
  const host = item["host"];
  if (typeof host !== "string" || !/^[a-zA-Z0-9.:[\]-]+$/.test(host)) {
    problems.push(`${at}.host: must be a host name or IP address`);
  }
  const port = item["port"] ?? 161;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) {
    problems.push(`${at}.port: must be an integer 1–65535`);
  }
  const version = String(item["version"] ?? "2c");
  let communityEnv: string | undefined;
  let user: SnmpUser | undefined;
  if (version === "2c") {
    const given = item["communityEnv"];
    if (typeof given !== "string" || !envPattern.test(given)) {
      problems.push(`${at}.communityEnv: version 2c needs the environment variable holding the community`);
    } else communityEnv = given;
    if (item["user"] !== undefined) problems.push(`${at}.user: only for version 3`);
  } else if (version === "3") {
    user = decodeUser(item["user"], `${at}.user`, problems);
    if (item["communityEnv"] !== undefined) problems.push(`${at}.communityEnv: only for version 2c`);
  } else problems.push(`${at}.version: must be 2c or 3 (SNMPv1 carries no 64-bit counters nor security)`);
  const profile = item["profile"];
  if (typeof profile !== "string" || !profiles.has(profile)) {
    problems.push(`${at}.profile: must name a profile (${[...profiles.keys()].join(", ")})`);
  }
  const equipment = item["equipment"];
  if (equipment !== undefined && (typeof equipment !== "string" || equipment.length === 0)) {
    problems.push(`${at}.equipment: must be a site id such as ups:h1-01`);
  }
  const labels = item["labels"] ?? {};
  if (!isStringRecord(labels)) problems.push(`${at}.labels: must be an object of strings`);
  const seconds = (key: string, fallback: number): number => {
    const given = item[key];
    if (given === undefined) return fallback;
    if (typeof given !== "number" || !(given > 0)) {
      problems.push(`${at}.${key}: must be a positive number of seconds`);
      return fallback;
    }
    return given;
  };
  const interval = seconds("intervalSeconds", 15);
  const retries = item["retries"] ?? 1;
  if (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0 || retries > 5) {
    problems.push(`${at}.retries: must be an integer 0–5`);
  }
  const timeout = seconds("timeoutSeconds", Math.min(2, interval / 2));
  const stale = seconds("staleAfterSeconds", interval * 3.5);
  const maxBackoff = seconds("maxBackoffSeconds", Math.max(300, interval));
  if (typeof retries === "number" && timeout * (retries + 1) > interval) {
    problems.push(`${at}.timeoutSeconds: timeout × (retries + 1) must not exceed intervalSeconds (${interval})`);
  }
  if (stale <= interval) problems.push(`${at}.staleAfterSeconds: must exceed intervalSeconds (${interval})`);
  if (problems.length > before) return undefined;
  return {
    name: name as string,
    host: host as string,
    port: port as number,
    version: version as "2c" | "3",
    ...(communityEnv === undefined ? {} : { communityEnv }),
    ...(user === undefined ? {} : { user }),
    profile: profile as string,
    ...(equipment === undefined ? {} : { equipment: equipment as string }),
    labels: labels as Labels,
    intervalMs: interval * 1000,
    timeoutMs: timeout * 1000,
    retries: retries as number,
    staleAfterMs: stale * 1000,
    maxBackoffMs: maxBackoff * 1000,
    points: profiles.get(profile as string)!,
  };
}
