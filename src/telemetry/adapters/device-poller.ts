/**
 * The polling loop shared by field-bus adapters (Modbus TCP, SNMP): a reader fetches one device's readings; this
 * loop turns them into samples labelled with the bound equipment and keeps the device's health visible.
 *
 * - `up{job,instance}` is 1 after a good read and 0 after a failed one (the built-in target-down rule raises an
 *   alarm on 0); `decode_errors` and `decode_ok` (decodeHealth) say how many points of an answering device could not
 *   be read, the target-undecodable rule raising an alarm when none could;
 * - a failing device is retried with exponential backoff (interval, 2×, 4×… up to `maxBackoffMs`) so a dead gateway
 *   is not hammered, and the reader is reset (a timed-out connection may still carry a late answer);
 * - when no good read happened for `staleAfterMs`, the device's readings are stale: `<job>_stale{instance}` is 1,
 *   its status says so and a `stale` alarm is raised on the equipment, cleared by the next good read. Staleness is
 *   checked on its own deadline, so a long backoff does not delay the alarm.
 */
import { type Static, Type } from "typebox";
import type { AlarmBook } from "../alarms/book.ts";
import { type Interner, SampleBuffer } from "../samples.ts";
import { type Labels, RejectionList } from "../types.ts";

/** One reading of a device: a series name, the labels the point adds, and the value. */
export interface Reading {
  readonly metric: string;
  readonly labels: Labels;
  readonly value: number;
}

/** Reads a device; throws when the device or the link failed (timeout, refused, reset). */
export interface DeviceReader {
  /** Readings of one poll; `problems` collects points the device refused while answering the rest. */
  read(problems: string[]): Promise<Reading[]>;
  /** Drops the connection or session, so the next read starts afresh. */
  reset(): void;
}

/** What the loop needs to know of a device, whatever its protocol. */
export interface PolledDevice {
  readonly name: string;
  /** Site id of the equipment; becomes the `equipment` label and the alarm's equipment. */
  readonly equipment?: string;
  readonly labels: Labels;
  readonly intervalMs: number;
  readonly staleAfterMs: number;
  readonly maxBackoffMs: number;
}

/** Where a poll's samples go (the ingest pipeline); it answers why the batch was not stored, when it was not. */
export type DeviceSink = (samples: SampleBuffer, rejections: RejectionList) => Promise<string | undefined>;

/** The state of a device, for status pages and tests (`GET /v1/telemetry/status`). */
export const DeviceStatusSchema = Type.Object({
  device: Type.String(),
  at: Type.Number({ description: "time of the last attempt, ms" }),
  ok: Type.Boolean(),
  samples: Type.Integer(),
  decodeErrors: Type.Integer({
    description: "points of the last answered poll that could not be read as numbers (the decode_errors series)",
  }),
  lastSuccessAt: Type.Optional(Type.Number()),
  consecutiveFailures: Type.Integer(),
  stale: Type.Boolean({ description: "no good read for staleAfterMs" }),
  nextAttemptAt: Type.Number({
    description: "when the next attempt is due (later than the interval while backing off)",
  }),
  problems: Type.Array(Type.String()),
});
/** The state of a device, for status pages and tests. */
export type DeviceStatus = Static<typeof DeviceStatusSchema>;

/** A problem's text, from errors and the error-like objects some libraries reject with. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === "object" && cause !== null && "message" in cause) return String(cause.message);
  return String(cause);
}

/**
 * The series that show how well an answering device's readings decode, beside `up` and with the same labels:
 * `decode_errors` counts the readings of the last poll that the device answered but that could not be turned into
 * a number (undecodable, refused, null, in a unit that does not fit), and `decode_ok` is 0 when every reading
 * failed so (nothing decoded, something failed), 1 otherwise. The built-in target-undecodable rule raises an alarm
 * on `decode_ok` 0, as target-down does on `up` 0: a device that answers but gives nothing usable is as blind as
 * one that does not answer, while `up` stays 1. Only sent for a poll the device answered.
 */
export function decodeHealth(decoded: number, errors: number): { readonly name: string; readonly value: number }[] {
  return [
    { name: "decode_errors", value: errors },
    { name: "decode_ok", value: decoded === 0 && errors > 0 ? 0 : 1 },
  ];
}

/** Polls one device on its own timer until stopped. */
export class DevicePoller {
  readonly device: PolledDevice;
  /** Protocol name: the `job` label of `up` and the prefix of the stale series and alarm key. */
  readonly job: string;
  /** Where the device is, for messages (`10.20.8.11:502`). */
  readonly endpoint: string;
  readonly #reader: DeviceReader;
  readonly #intern: Interner;
  readonly #sink: DeviceSink;
  readonly #book: AlarmBook;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #startedAt = 0;
  #lastSuccessAt: number | undefined;
  #failures = 0;
  #nextAttemptAt = 0;
  #stale = false;
  /** The last attempt's outcome. */
  status: DeviceStatus | undefined;

  constructor(
    parts: { device: PolledDevice; job: string; endpoint: string; reader: DeviceReader },
    intern: Interner,
    sink: DeviceSink,
    book: AlarmBook,
    now: () => number,
  ) {
    this.device = parts.device;
    this.job = parts.job;
    this.endpoint = parts.endpoint;
    this.#reader = parts.reader;
    this.#intern = intern;
    this.#sink = sink;
    this.#book = book;
    this.#now = now;
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
        const staleAt = (this.#lastSuccessAt ?? this.#startedAt) + this.device.staleAfterMs;
        const next = this.#stale ? this.#nextAttemptAt : Math.min(this.#nextAttemptAt, staleAt);
        this.#schedule(Math.max(0, next - this.#now()));
      });
    }, delay);
  }

  async #wake(): Promise<void> {
    try {
      if (this.#now() >= this.#nextAttemptAt) await this.poll();
      else await this.#checkStale(this.#now(), new SampleBuffer(2));
    } catch (cause) {
      // The sink refused the batch (disk full, closing), or something past the reader failed: the next attempt
      // tries again, and the status says why this one did not end.
      if (this.status !== undefined)
        this.status = { ...this.status, problems: [...this.status.problems, `poll: ${describeCause(cause)}`] };
    }
  }

  /** One attempt: reads the device, hands the samples to the sink, updates health; resolves with the status. */
  async poll(): Promise<DeviceStatus> {
    const now = this.#now();
    const samples = new SampleBuffer(64);
    const rejections = new RejectionList();
    const problems: string[] = [];
    let ok = false;
    let decodeErrors = 0;
    try {
      const readings = await this.#reader.read(problems);
      for (const reading of readings)
        this.#push(reading.metric, reading.labels, now, reading.value, samples, rejections);
      ok = true;
      // Every problem of an answering device is a point it did not give as a number (refused, undecodable).
      decodeErrors = problems.length + rejections.count;
      for (const health of decodeHealth(readings.length - rejections.count, decodeErrors))
        this.#push(health.name, { job: this.job }, now, health.value, samples, new RejectionList());
    } catch (cause) {
      // Whatever the reader threw (a failed link, or a reading it could not make) fails this attempt only: the
      // device is retried with backoff, the other devices' loops are their own.
      problems.push(`${this.endpoint}: ${describeCause(cause)}`);
      this.#resetReader(problems);
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
    this.#push("up", { job: this.job }, now, ok ? 1 : 0, samples, rejections);
    for (const rejection of rejections.items) problems.push(`${rejection.path}: ${rejection.problem}`);
    this.status = {
      device: this.device.name,
      at: now,
      ok,
      samples: samples.count,
      decodeErrors,
      ...(this.#lastSuccessAt === undefined ? {} : { lastSuccessAt: this.#lastSuccessAt }),
      consecutiveFailures: this.#failures,
      stale: this.#stale,
      nextAttemptAt: this.#nextAttemptAt,
      problems,
    };
    await this.#checkStale(now, samples);
    return this.status;
  }

  /** Marks the device stale (or fresh again), raising or clearing its alarm, and sends the samples. */
  async #checkStale(now: number, samples: SampleBuffer): Promise<void> {
    const since = this.#lastSuccessAt ?? this.#startedAt;
    const stale = now - since >= this.device.staleAfterMs;
    const key = `${this.job}|${this.device.name}|stale`;
    if (stale && !this.#stale) {
      const seconds = Math.round((now - since) / 1000);
      this.#book.raise({
        key,
        source: this.job,
        kind: "stale",
        severity: "warning",
        title: "Readings stale",
        message: `no good ${this.job} read from ${this.device.name} (${this.endpoint}) for ${seconds} s: its readings are stale`,
        at: now,
        ...(this.device.equipment === undefined ? {} : { equipment: this.device.equipment }),
      });
    } else if (!stale && this.#stale) {
      this.#book.clear(key, now, `${this.device.name} answers again`);
    }
    this.#stale = stale;
    if (this.status !== undefined && this.status.stale !== stale) this.status = { ...this.status, stale };
    this.#push(`${this.job}_stale`, {}, now, stale ? 1 : 0, samples, new RejectionList());
    await this.#sink(samples, new RejectionList());
  }

  #push(
    name: string,
    labels: Labels,
    now: number,
    value: number,
    samples: SampleBuffer,
    rejections: RejectionList,
  ): void {
    const all: Record<string, string> = { ...labels, ...this.device.labels, instance: this.device.name };
    if (this.device.equipment !== undefined) all["equipment"] = this.device.equipment;
    const series = this.#intern(name, all);
    if (!series.ok) rejections.add({ path: name, problem: series.problem });
    else if (!Number.isFinite(value)) rejections.add({ path: name, problem: `not a finite number (${value})` });
    else samples.push(series.value, now, value);
  }

  /** Drops the reader's connection; a reader that fails even at that must not leave the attempt half done. */
  #resetReader(problems: string[]): void {
    try {
      this.#reader.reset();
    } catch (cause) {
      problems.push(`${this.endpoint}: reset failed: ${describeCause(cause)}`);
    }
  }

  /** Stops polling, waits for an attempt in progress and drops the connection. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#resetReader([]);
  }
}
