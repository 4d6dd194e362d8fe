/**
 * Prometheus remote-write (protocol 1.0) to a configured URL, for scale-out to VictoriaMetrics or Mimir.
 *
 * The body is a protobuf `prometheus.WriteRequest`, snappy-compressed, hand-encoded (no protobuf library):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 *
 * Labels are `__name__` plus the series labels, sorted by name, as the protocol requires. Samples queue after they
 * are durable here and are sent in batches on an interval; 5xx, 429 and network errors are retried with backoff,
 * other 4xx answers drop the batch (the receiver will never take it). A full queue drops the oldest samples and
 * counts them.
 */

import { SampleBuffer } from "../samples.ts";
import type { SeriesRegistry } from "../series.ts";
import { snappyEncode } from "./snappy.ts";

/** Options of the remote writer. */
export interface RemoteWriteOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send interval (default 5 s). */
  readonly intervalMs?: number;
  /** Most samples per request (default 50,000). */
  readonly batchSamples?: number;
  /** Most samples queued; older ones are dropped past this (default 5,000,000). */
  readonly maxQueuedSamples?: number;
  /** Attempts per batch (default 5) and first backoff (default 500 ms, doubling). */
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
}

/** Growable protobuf output. */
class ProtoWriter {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  readonly #scratch = new ArrayBuffer(8);
  readonly #float = new Float64Array(this.#scratch);
  readonly #floatBytes = new Uint8Array(this.#scratch);

  #reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  varint(value: number): void {
    this.#reserve(10);
    let remaining = value;
    while (remaining >= 0x80) {
      this.bytes[this.length++] = (remaining % 128) | 0x80;
      remaining = Math.floor(remaining / 128);
    }
    this.bytes[this.length++] = remaining;
  }

  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  double(value: number): void {
    this.#reserve(8);
    this.#float[0] = value;
    this.bytes.set(this.#floatBytes, this.length);
    this.length += 8;
  }
}

const encoder = new TextEncoder();

function lengthDelimited(field: number, content: Uint8Array, out: ProtoWriter): void {
  out.varint((field << 3) | 2);
  out.varint(content.length);
  out.raw(content);
}

/** Encodes the `labels` part of a TimeSeries (field 1 entries) for `__name__` and the series labels. */
export function encodeLabels(name: string, labels: Readonly<Record<string, string>>): Uint8Array {
  const entries: [string, string][] = [["__name__", name], ...Object.entries(labels)];
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = new ProtoWriter();
  for (const [labelName, value] of entries) {
    const label = new ProtoWriter();
    lengthDelimited(1, encoder.encode(labelName), label);
    lengthDelimited(2, encoder.encode(value), label);
    lengthDelimited(1, label.bytes.subarray(0, label.length), out);
  }
  return out.bytes.slice(0, out.length);
}

/** One time series to encode: its encoded labels and its samples as parallel arrays. */
export interface EncodableSeries {
  readonly labels: Uint8Array;
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

/** Encodes a WriteRequest (uncompressed protobuf). */
export function encodeWriteRequest(series: readonly EncodableSeries[]): Uint8Array {
  const out = new ProtoWriter();
  const timeseries = new ProtoWriter();
  const sample = new ProtoWriter();
  for (const item of series) {
    timeseries.length = 0;
    timeseries.raw(item.labels);
    for (let i = 0; i < item.values.length; i++) {
      sample.length = 0;
      sample.varint((1 << 3) | 1);
      sample.double(item.values[i]!);
      sample.varint((2 << 3) | 0);
      sample.varint(Math.max(0, Math.round(item.timestamps[i]!)));
      lengthDelimited(2, sample.bytes.subarray(0, sample.length), timeseries);
    }
    lengthDelimited(1, timeseries.bytes.subarray(0, timeseries.length), out);
  }
  return out.bytes.slice(0, out.length);
}

/** Counters of the writer. */
export interface RemoteWriteCounts {
  sent: number;
  failed: number;
  dropped: number;
  requests: number;
}

/** Queues durable samples and sends them to a remote-write receiver. */
export class RemoteWriter {
  readonly #options: RemoteWriteOptions;
  readonly #registry: SeriesRegistry;
  readonly #labels: (Uint8Array | undefined)[] = [];
  #queue = new SampleBuffer(4096);
  #sending: Promise<void> | undefined;
  #closed = false;
  readonly counts: RemoteWriteCounts = { sent: 0, failed: 0, dropped: 0, requests: 0 };
  /** The last failure, for status pages. */
  lastProblem: string | undefined;

  constructor(options: RemoteWriteOptions, registry: SeriesRegistry) {
    this.#options = options;
    this.#registry = registry;
  }

  /** Samples waiting to be sent. */
  get queued(): number {
    return this.#queue.count;
  }

  /** Queues samples (copied). */
  enqueue(series: Uint32Array, timestamps: Float64Array, values: Float64Array, count: number): void {
    this.#queue.pushColumns(series, timestamps, values, count);
    const limit = this.#options.maxQueuedSamples ?? 5_000_000;
    if (this.#queue.count > limit) {
      const excess = this.#queue.count - limit;
      const kept = new SampleBuffer(limit);
      kept.pushColumns(
        this.#queue.series.subarray(excess),
        this.#queue.timestamps.subarray(excess),
        this.#queue.values.subarray(excess),
        limit,
      );
      this.#queue = kept;
      this.counts.dropped += excess;
    }
  }

  /** Sends everything queued now (one send at a time). */
  flush(): Promise<void> {
    if (this.#sending === undefined) this.#sending = this.#sendAll().finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  async #sendAll(): Promise<void> {
    const batchSamples = this.#options.batchSamples ?? 50_000;
    while (this.#queue.count > 0) {
      const queue = this.#queue;
      const take = Math.min(batchSamples, queue.count);
      const body = snappyEncode(this.#encode(queue, take));
      const rest = new SampleBuffer(Math.max(4096, queue.count - take));
      rest.pushColumns(
        queue.series.subarray(take),
        queue.timestamps.subarray(take),
        queue.values.subarray(take),
        queue.count - take,
      );
      this.#queue = rest;
      const delivered = await this.#post(body);
      if (delivered) this.counts.sent += take;
      else this.counts.failed += take;
    }
  }

  #encode(queue: SampleBuffer, take: number): Uint8Array {
    const bySeries = new Map<number, { timestamps: number[]; values: number[] }>();
    for (let i = 0; i < take; i++) {
      const id = queue.series[i]!;
      let entry = bySeries.get(id);
      if (entry === undefined) {
        entry = { timestamps: [], values: [] };
        bySeries.set(id, entry);
      }
      entry.timestamps.push(queue.timestamps[i]!);
      entry.values.push(queue.values[i]!);
    }
    const series: EncodableSeries[] = [];
    for (const [id, entry] of bySeries) {
      let labels = this.#labels[id];
      if (labels === undefined) {
        const info = this.#registry.info(id);
        if (info === undefined) continue;
        labels = encodeLabels(info.name, info.labels);
        this.#labels[id] = labels;
      }
      series.push({ labels, timestamps: entry.timestamps, values: entry.values });
    }
    return encodeWriteRequest(series);
  }

  async #post(body: Uint8Array): Promise<boolean> {
    const attempts = this.#options.attempts ?? 5;
    let delay = this.#options.backoffMs ?? 500;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      this.counts.requests++;
      try {
        const response = await fetch(this.#options.url, {
          method: "POST",
          headers: {
            "content-type": "application/x-protobuf",
            "content-encoding": "snappy",
            "x-prometheus-remote-write-version": "0.1.0",
            "user-agent": "alixan-telemetry",
            ...this.#options.headers,
          },
          body,
          signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
        });
        const text = await response.text().catch(() => "");
        if (response.ok) return true;
        this.lastProblem = `HTTP ${response.status} ${text.slice(0, 200)}`;
        if (response.status < 500 && response.status !== 429) return false;
      } catch (cause) {
        this.lastProblem = cause instanceof Error ? cause.message : String(cause);
      }
      if (attempt === attempts || this.#closed) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
    return false;
  }

  /** Sends what is queued (without retrying past the first failure) and stops. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#sending;
    await this.flush();
  }
}
