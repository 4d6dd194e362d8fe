/**
 * Polls one Modbus TCP device (through `modbus-serial`): reads its register map in as few requests as the protocol
 * allows, scales the values into samples labelled with the bound equipment, and keeps the device's health visible:
 *
 * - `up{job="modbus",instance=<device>}` is 1 after a good read and 0 after a failed one (the built-in
 *   target-down rule raises an alarm on 0);
 * - a device that fails is retried with exponential backoff (interval, 2×, 4×… up to `maxBackoffMs`) so a dead
 *   gateway is not hammered, and the connection is rebuilt (a timed-out Modbus TCP connection may still carry the
 *   late answer, which would be taken for the next request's);
 * - when no good read happened for `staleAfterMs`, the device's readings are stale: `modbus_stale{instance}` is 1, its
 *   status says so and a `stale` alarm is raised on the equipment, cleared by the next good read.
 *
 * A Modbus exception (illegal address, say) fails one read block, not the device: the device answered.
 */
import ModbusModule from "modbus-serial";
import type { AlarmBook } from "../../alarms/book.ts";
import { type Interner, SampleBuffer } from "../../samples.ts";
import { type Labels, RejectionList } from "../../types.ts";
import { decodeWords, type ModbusDevice, planReads, type ReadBlock, type RegisterPoint } from "./registers.ts";

/** The part of the `modbus-serial` client this poller uses (its bundled types mis-declare the default export). */
interface ModbusClient {
  connectTCP(host: string, options: { port: number; timeout?: number }): Promise<void>;
  setID(id: number): void;
  setTimeout(duration: number): void;
  readHoldingRegisters(address: number, length: number): Promise<{ data: number[] }>;
  readInputRegisters(address: number, length: number): Promise<{ data: number[] }>;
  readCoils(address: number, length: number): Promise<{ data: boolean[] }>;
  readDiscreteInputs(address: number, length: number): Promise<{ data: boolean[] }>;
  close(callback?: () => void): void;
  destroy(callback?: () => void): void;
  on(event: "error", listener: (error: unknown) => unknown): unknown;
  readonly isOpen: boolean;
}

const ModbusClientClass = ModbusModule as unknown as new () => ModbusClient;

/** Where a poll's samples go (the ingest pipeline). */
export type ModbusSink = (samples: SampleBuffer, rejections: RejectionList) => Promise<void>;

/** The state of a device, for status pages and tests. */
export interface ModbusStatus {
  readonly device: string;
  /** Time of the last attempt, ms. */
  readonly at: number;
  readonly ok: boolean;
  readonly samples: number;
  readonly lastSuccessAt?: number;
  readonly consecutiveFailures: number;
  /** No good read for `staleAfterMs`. */
  readonly stale: boolean;
  /** When the next attempt is due (later than the interval while backing off). */
  readonly nextAttemptAt: number;
  readonly problems: readonly string[];
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === "object" && cause !== null && "message" in cause) return String(cause.message);
  return String(cause);
}

/** Polls one device on its own timer until stopped. */
export class ModbusPoller {
  readonly device: ModbusDevice;
  readonly #intern: Interner;
  readonly #sink: ModbusSink;
  readonly #book: AlarmBook;
  readonly #now: () => number;
  readonly #blocks: readonly ReadBlock[];
  #client: ModbusClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #startedAt = 0;
  #lastSuccessAt: number | undefined;
  #failures = 0;
  #nextAttemptAt = 0;
  #stale = false;
  /** The last attempt's outcome. */
  status: ModbusStatus | undefined;

  constructor(device: ModbusDevice, intern: Interner, sink: ModbusSink, book: AlarmBook, now: () => number) {
    this.device = device;
    this.#intern = intern;
    this.#sink = sink;
    this.#book = book;
    this.#now = now;
    this.#blocks = planReads(device.points);
  }

  /** The read requests one poll makes. */
  get blocks(): readonly ReadBlock[] {
    return this.#blocks;
  }

  /** Polls now and then on the interval (or the backoff), checking staleness in between. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#startedAt = this.#now();
    this.#nextAttemptAt = this.#startedAt;
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#wake().finally(() => {
        this.#running = undefined;
        if (this.#stopped) return;
        const now = this.#now();
        const staleAt = (this.#lastSuccessAt ?? this.#startedAt) + this.device.staleAfterMs;
        const next = this.#stale ? this.#nextAttemptAt : Math.min(this.#nextAttemptAt, staleAt);
        this.#schedule(Math.max(0, next - now));
      });
    }, delay);
  }

  async #wake(): Promise<void> {
    if (this.#now() >= this.#nextAttemptAt) await this.poll();
    else await this.#checkStale(this.#now(), new SampleBuffer(2));
  }

  /** One attempt: reads every block, hands the samples to the sink, updates health; resolves with the status. */
  async poll(): Promise<ModbusStatus> {
    const now = this.#now();
    const samples = new SampleBuffer(this.device.points.length + 4);
    const rejections = new RejectionList();
    const problems: string[] = [];
    let ok = false;
    try {
      const client = await this.#connect();
      for (const block of this.#blocks) {
        try {
          this.#record(block, await this.#read(client, block), now, samples, rejections);
        } catch (cause) {
          // An exception response is the device answering "not that"; anything else (timeout, reset) is the link.
          if (typeof cause === "object" && cause !== null && "modbusCode" in cause) {
            problems.push(`${block.function} ${block.address}+${block.count}: ${describe(cause)}`);
            continue;
          }
          throw cause;
        }
      }
      ok = true;
    } catch (cause) {
      problems.push(`${this.device.host}:${this.device.port}: ${describe(cause)}`);
      this.#disconnect();
      samples.count = 0;
    }
    if (ok) {
      this.#failures = 0;
      this.#lastSuccessAt = now;
      this.#nextAttemptAt = now + this.device.intervalMs;
    } else {
      this.#failures++;
      const backoff = Math.min(this.device.intervalMs * 2 ** (this.#failures - 1), this.device.maxBackoffMs);
      this.#nextAttemptAt = now + backoff;
    }
    this.#push("up", { job: "modbus" }, now, ok ? 1 : 0, samples);
    await this.#checkStale(now, samples);
    for (const rejection of rejections.items) problems.push(`${rejection.path}: ${rejection.problem}`);
    this.status = this.#statusAt(now, ok, samples.count, problems);
    return this.status;
  }

  #statusAt(now: number, ok: boolean, count: number, problems: readonly string[]): ModbusStatus {
    return {
      device: this.device.name,
      at: now,
      ok,
      samples: count,
      ...(this.#lastSuccessAt === undefined ? {} : { lastSuccessAt: this.#lastSuccessAt }),
      consecutiveFailures: this.#failures,
      stale: this.#stale,
      nextAttemptAt: this.#nextAttemptAt,
      problems,
    };
  }

  /** Marks the device stale (or fresh again), raising or clearing its alarm, and sends the samples. */
  async #checkStale(now: number, samples: SampleBuffer): Promise<void> {
    const since = this.#lastSuccessAt ?? this.#startedAt;
    const stale = now - since >= this.device.staleAfterMs;
    const key = `modbus|${this.device.name}|stale`;
    if (stale && !this.#stale) {
      const seconds = Math.round((now - since) / 1000);
      this.#book.raise({
        key,
        source: "modbus",
        kind: "stale",
        severity: "warning",
        title: "Readings stale",
        message: `no good Modbus read from ${this.device.name} (${this.device.host}:${this.device.port}) for ${seconds} s: its readings are stale`,
        at: now,
        ...(this.device.equipment === undefined ? {} : { equipment: this.device.equipment }),
      });
    } else if (!stale && this.#stale) {
      this.#book.clear(key, now, `${this.device.name} answers again`);
    }
    const changed = stale !== this.#stale;
    this.#stale = stale;
    this.#push("modbus_stale", {}, now, stale ? 1 : 0, samples);
    if (this.status !== undefined && changed) this.status = { ...this.status, stale };
    await this.#sink(samples, new RejectionList());
  }

  #push(name: string, extra: Labels, now: number, value: number, samples: SampleBuffer): void {
    const labels: Record<string, string> = { ...extra, instance: this.device.name };
    if (this.device.equipment !== undefined) labels["equipment"] = this.device.equipment;
    const series = this.#intern(name, labels);
    if (series.ok) samples.push(series.value, now, value);
  }

  async #connect(): Promise<ModbusClient> {
    if (this.#client?.isOpen) return this.#client;
    this.#disconnect();
    const client = new ModbusClientClass();
    // The socket reports errors as events too; the failed request already carries them.
    client.on("error", () => undefined);
    this.#client = client;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connectTCP(this.device.host, { port: this.device.port, timeout: this.device.timeoutMs }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`connect timed out after ${this.device.timeoutMs} ms`)),
            this.device.timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    client.setID(this.device.unitId);
    client.setTimeout(this.device.timeoutMs);
    return client;
  }

  #disconnect(): void {
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    try {
      client.destroy(() => undefined);
    } catch {
      // Already closed.
    }
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

  #record(block: ReadBlock, words: number[], now: number, samples: SampleBuffer, rejections: RejectionList): void {
    for (const point of block.points) {
      const at = point.address - block.address;
      const raw = decodeWords(words.slice(at, at + 2), point.type, point.wordOrder);
      const value = raw * point.scale + point.offset;
      const series = this.#intern(point.metric, this.#labelsOf(point));
      if (!series.ok) rejections.add({ path: `${point.function} ${point.address}`, problem: series.problem });
      else if (Number.isFinite(value)) samples.push(series.value, now, value);
      else rejections.add({ path: `${point.function} ${point.address}`, problem: `not a finite number (${raw})` });
    }
  }

  #labelsOf(point: RegisterPoint): Labels {
    return {
      ...point.labels,
      ...this.device.labels,
      ...(point.unit === undefined ? {} : { unit: point.unit }),
      ...(this.device.equipment === undefined ? {} : { equipment: this.device.equipment }),
    };
  }

  /** Stops polling, waits for an attempt in progress and closes the connection. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#disconnect();
  }
}
