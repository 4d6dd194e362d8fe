/**
 * A growable batch of samples held as parallel typed arrays (series id, time in ms, value): the shape every adapter
 * produces and the write-ahead log, hot buffers and history consume, with no object per sample.
 */
import type { Labels, Result } from "./types.ts";

/** Interns a series name and labels into a series id (or says why it cannot). */
export type Interner = (name: string, labels: Labels) => Result<number>;

/** Parallel columns of samples that grow as they are filled. */
export class SampleBuffer {
  series: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
  count = 0;

  constructor(capacity = 1024) {
    this.series = new Uint32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** Appends one sample. */
  push(series: number, timestamp: number, value: number): void {
    if (this.count === this.series.length) this.#grow(this.count * 2);
    this.series[this.count] = series;
    this.timestamps[this.count] = timestamp;
    this.values[this.count] = value;
    this.count++;
  }

  /** Appends the first `count` samples of parallel columns. */
  pushColumns(series: Uint32Array, timestamps: Float64Array, values: Float64Array, count: number): void {
    if (this.count + count > this.series.length) this.#grow(Math.max(this.count + count, this.series.length * 2));
    this.series.set(series.subarray(0, count), this.count);
    this.timestamps.set(timestamps.subarray(0, count), this.count);
    this.values.set(values.subarray(0, count), this.count);
    this.count += count;
  }

  #grow(capacity: number): void {
    const series = new Uint32Array(capacity);
    const timestamps = new Float64Array(capacity);
    const values = new Float64Array(capacity);
    series.set(this.series.subarray(0, this.count));
    timestamps.set(this.timestamps.subarray(0, this.count));
    values.set(this.values.subarray(0, this.count));
    this.series = series;
    this.timestamps = timestamps;
    this.values = values;
  }
}

/** Largest time accepted, in ms (the ECMAScript Date limit, year 275760). */
export const maxTimestamp = 8.64e15;
