/**
 * Reads one Modbus TCP device through `modbus-serial`: its register map in as few requests as the protocol allows,
 * scaled into readings. Health, backoff and staleness are the shared device loop's (../device-poller.ts).
 *
 * A Modbus exception (illegal address, say) fails one read block, not the device: the device answered. A timeout or
 * a reset fails the poll, and the connection is rebuilt: a timed-out Modbus TCP connection may still carry the late
 * answer, which would be taken for the next request's.
 */
import ModbusModule from "modbus-serial";
import type { AlarmBook } from "../../alarms/book.ts";
import type { Interner } from "../../samples.ts";
import { DevicePoller, type DeviceReader, type DeviceSink, describeCause, type Reading } from "../device-poller.ts";
import { decodeWords, type ModbusDevice, planReads, type ReadBlock } from "./registers.ts";

/** The part of the `modbus-serial` client used here (its bundled types mis-declare the default export). */
interface ModbusClient {
  connectTCP(host: string, options: { port: number; timeout?: number }): Promise<void>;
  setID(id: number): void;
  setTimeout(duration: number): void;
  readHoldingRegisters(address: number, length: number): Promise<{ data: number[] }>;
  readInputRegisters(address: number, length: number): Promise<{ data: number[] }>;
  readCoils(address: number, length: number): Promise<{ data: boolean[] }>;
  readDiscreteInputs(address: number, length: number): Promise<{ data: boolean[] }>;
  destroy(callback?: () => void): void;
  on(event: "error", listener: (error: unknown) => unknown): unknown;
  readonly isOpen: boolean;
}

const ModbusClientClass = ModbusModule as unknown as new () => ModbusClient;

/** Reads a device's register map over one kept-open TCP connection. */
export class ModbusReader implements DeviceReader {
  readonly device: ModbusDevice;
  /** The read requests one poll makes. */
  readonly blocks: readonly ReadBlock[];
  readonly #decode: typeof decodeWords;
  #client: ModbusClient | undefined;

  /** `decode` turns a point's registers into its raw value (decodeWords; tests give one that fails). */
  constructor(device: ModbusDevice, decode: typeof decodeWords = decodeWords) {
    this.device = device;
    this.blocks = planReads(device.points);
    this.#decode = decode;
  }

  /** Reads every block; throws when the link fails. */
  async read(problems: string[]): Promise<Reading[]> {
    const client = await this.#connect();
    const readings: Reading[] = [];
    for (const block of this.blocks) {
      let words: number[];
      try {
        words = await this.#read(client, block);
      } catch (cause) {
        if (typeof cause === "object" && cause !== null && "modbusCode" in cause) {
          problems.push(`${block.function} ${block.address}+${block.count}: ${describeCause(cause)}`);
          continue;
        }
        throw cause;
      }
      for (const point of block.points) {
        const at = point.address - block.address;
        let raw: number;
        try {
          raw = this.#decode(words.slice(at, at + 2), point.type, point.wordOrder);
        } catch (cause) {
          // A point that cannot be decoded is that point's problem: the device answered, its other points stand.
          problems.push(`${point.function} ${point.address} (${point.metric}): not decoded: ${describeCause(cause)}`);
          continue;
        }
        readings.push({
          metric: point.metric,
          labels: point.unit === undefined ? point.labels : { ...point.labels, unit: point.unit },
          value: raw * point.scale + point.offset,
        });
      }
    }
    return readings;
  }

  async #connect(): Promise<ModbusClient> {
    if (this.#client?.isOpen) return this.#client;
    this.reset();
    const client = new ModbusClientClass();
    // The socket reports errors as events too; the failed request already carries them.
    client.on("error", () => undefined);
    this.#client = client;
    const { host, port, timeoutMs } = this.device;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connectTCP(host, { port, timeout: timeoutMs }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    client.setID(this.device.unitId);
    client.setTimeout(timeoutMs);
    return client;
  }

  async #read(client: ModbusClient, block: ReadBlock): Promise<number[]> {
    switch (block.function) {
      case "holding":
        return (await client.readHoldingRegisters(block.address, block.count)).data;
      case "input":
        return (await client.readInputRegisters(block.address, block.count)).data;
      case "coil":
        return (await client.readCoils(block.address, block.count)).data.map(Number);
      case "discrete":
        return (await client.readDiscreteInputs(block.address, block.count)).data.map(Number);
    }
  }

  /** Drops the connection. */
  reset(): void {
    const client = this.#client;
    this.#client = undefined;
    try {
      client?.destroy(() => undefined);
    } catch {
      // Already closed.
    }
  }
}

/** The device loop of one Modbus TCP device. */
export function modbusPoller(
  device: ModbusDevice,
  intern: Interner,
  sink: DeviceSink,
  book: AlarmBook,
  now: () => number,
): DevicePoller {
  return new DevicePoller(
    { device, job: "modbus", endpoint: `${device.host}:${device.port}`, reader: new ModbusReader(device) },
    intern,
    sink,
    book,
    now,
  );
}
