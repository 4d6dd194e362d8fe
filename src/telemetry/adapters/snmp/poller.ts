/**
 * Reads one SNMP agent (v2c or v3) through `net-snmp`: scalar OIDs in batched GETs, table columns by walking them
 * (GETBULK), values scaled into readings. Health, backoff and staleness are the shared device loop's
 * (../device-poller.ts).
 *
 * An OID the agent does not have (noSuchObject, noSuchInstance) is a problem of that point, not of the device: the
 * agent answered. A timeout or an authentication failure (a v3 Report: wrong digest, unknown user) fails the poll.
 */
import snmp, { type Session, type Varbind } from "net-snmp";
import type { AlarmBook } from "../../alarms/book.ts";
import type { Interner } from "../../samples.ts";
import { DevicePoller, type DeviceReader, type DeviceSink, describeCause, type Reading } from "../device-poller.ts";
import type { SnmpDevice, SnmpPoint } from "./targets.ts";

/** Scalar OIDs asked for in one GET (agents refuse large PDUs with tooBig). */
const getBatch = 24;
/** Rows asked for per GETBULK while walking a column. */
const maxRepetitions = 20;
/** Rows kept per walked column (a guard against an agent that lists forever). */
const maxRows = 4096;

/** A varbind's numeric value: integers, counters, gauges, time ticks, 64-bit counters and numeric strings. */
export function varbindNumber(varbind: Varbind): number | undefined {
  const value = varbind.value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (Buffer.isBuffer(value)) {
    // Counter64 arrives as big-endian bytes; an OctetString as text (some PDUs print their readings).
    if (varbind.type === snmp.ObjectType["Counter64"]) {
      let result = 0;
      for (const byte of value) result = result * 256 + byte;
      return result;
    }
    const text = value.toString("latin1").trim();
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  }
  return undefined;
}

/** The session options and credentials of a device (secrets read from the environment at connect time). */
function openSession(device: SnmpDevice): Session {
  const options = {
    port: device.port,
    retries: device.retries,
    timeout: device.timeoutMs,
    transport: device.host.includes(":") ? ("udp6" as const) : ("udp4" as const),
    backwardsGetNexts: false,
  };
  if (device.version === "2c") {
    const community = process.env[device.communityEnv!] ?? "";
    return snmp.createSession(device.host, community, { ...options, version: snmp.Version2c });
  }
  const user = device.user!;
  const privacy = user.privProtocol !== undefined;
  return snmp.createV3Session(
    device.host,
    {
      name: user.name,
      level: privacy ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
      authProtocol: snmp.AuthProtocols[user.authProtocol],
      authKey: process.env[user.authKeyEnv] ?? "",
      ...(privacy
        ? { privProtocol: snmp.PrivProtocols[user.privProtocol!], privKey: process.env[user.privKeyEnv!] ?? "" }
        : {}),
    },
    { ...options, version: snmp.Version3 },
  );
}

/** Reads a device's profile over one session. */
export class SnmpReader implements DeviceReader {
  readonly device: SnmpDevice;
  readonly #decode: typeof varbindNumber;
  #session: Session | undefined;

  /** `decode` turns a varbind into a number (varbindNumber; tests give one that fails). */
  constructor(device: SnmpDevice, decode: typeof varbindNumber = varbindNumber) {
    this.device = device;
    this.#decode = decode;
  }

  /** Reads every point; throws when the agent does not answer or refuses the credentials. */
  async read(problems: string[]): Promise<Reading[]> {
    this.#session ??= this.#open();
    const session = this.#session;
    const readings: Reading[] = [];
    const scalars = this.device.points.filter((point) => !point.walk);
    for (let start = 0; start < scalars.length; start += getBatch) {
      const batch = scalars.slice(start, start + getBatch);
      const varbinds = await new Promise<Varbind[]>((resolve, reject) =>
        session.get(
          batch.map((point) => point.oid),
          (error, result) => (error === null ? resolve(result) : reject(error)),
        ),
      );
      batch.forEach((point, index) => {
        const varbind = varbinds[index];
        if (varbind === undefined || snmp.isVarbindError(varbind)) {
          problems.push(
            `${point.oid} (${point.metric}): ${varbind === undefined ? "no answer" : snmp.varbindError(varbind)}`,
          );
          return;
        }
        this.#reading(point, varbind, undefined, readings, problems);
      });
    }
    for (const point of this.device.points) {
      if (!point.walk) continue;
      const prefix = `${point.oid}.`;
      let rows = 0;
      await new Promise<void>((resolve, reject) =>
        session.subtree(
          point.oid,
          maxRepetitions,
          (varbinds) => {
            // This runs in net-snmp's socket handler: an exception here would be uncaught (ending the process)
            // and the walk would never end. Stop the walk instead and name why.
            try {
              for (const varbind of varbinds) {
                if (snmp.isVarbindError(varbind) || !varbind.oid.startsWith(prefix)) continue;
                this.#reading(point, varbind, varbind.oid.slice(prefix.length), readings, problems);
                rows++;
              }
              return rows >= maxRows;
            } catch (cause) {
              problems.push(`${point.oid} (${point.metric}): walk stopped: ${describeCause(cause)}`);
              return true;
            }
          },
          (error) => (error === null ? resolve() : reject(error)),
        ),
      );
      if (rows === 0) problems.push(`${point.oid} (${point.metric}): the agent has no rows under this column`);
    }
    return readings;
  }

  /**
   * One varbind's reading. It never throws: while walking it runs inside net-snmp's socket handler, where an
   * exception would escape as an uncaught one (ending the process) and leave the walk's promise unsettled.
   */
  #reading(point: SnmpPoint, varbind: Varbind, index: string | undefined, readings: Reading[], problems: string[]) {
    let raw: number | undefined;
    try {
      raw = this.#decode(varbind);
    } catch (cause) {
      problems.push(`${String(varbind?.oid)} (${point.metric}): not decoded: ${describeCause(cause)}`);
      return;
    }
    if (raw === undefined) {
      problems.push(`${varbind.oid} (${point.metric}): not a number`);
      return;
    }
    const labels: Record<string, string> = { ...point.labels };
    if (point.unit !== undefined) labels["unit"] = point.unit;
    if (index !== undefined) labels[point.indexLabel] = index;
    readings.push({ metric: point.metric, labels, value: raw * point.scale + point.offset });
  }

  #open(): Session {
    const session = openSession(this.device);
    // Socket errors also fail the request in flight, which reports them.
    session.on("error", () => undefined);
    return session;
  }

  /** Closes the session (a v3 session discovers the engine again on the next read). */
  reset(): void {
    const session = this.#session;
    this.#session = undefined;
    try {
      session?.close();
    } catch {
      // Already closed.
    }
  }
}

/** The device loop of one SNMP agent. */
export function snmpPoller(
  device: SnmpDevice,
  intern: Interner,
  sink: DeviceSink,
  book: AlarmBook,
  now: () => number,
): DevicePoller {
  return new DevicePoller(
    { device, job: "snmp", endpoint: `${device.host}:${device.port}`, reader: new SnmpReader(device) },
    intern,
    sink,
    book,
    now,
  );
}
