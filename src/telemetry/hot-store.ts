/**
 * Hot store: the recent window of every series in typed-array ring buffers (one Float64Array of timestamps and one
 * of values), so the console's "last hour of this rack" never touches the database.
 *
 * Layout: series are grouped in blocks of 4,096, and each block stores its rings slot-major (slot 0 of every series
 * of the block, then slot 1, ...). A scrape writes one sample to each of many series at the same slot, so writes
 * walk memory in order instead of jumping 2.9 KB per series; and since the operating system only backs pages that
 * are written, a large capacity costs memory only as the window actually fills.
 */

/** Series per block. A power of two so the block and offset come from a shift and a mask. */
const blockShift = 12;
const blockSize = 1 << blockShift;
const blockMask = blockSize - 1;

interface Block {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** Ring buffers for the recent samples of every series, indexed by series id. */
export class HotStore {
  /** Samples kept per series. */
  readonly capacity: number;
  readonly #blocks: Block[] = [];
  #heads = new Uint32Array(0);
  #counts = new Uint32Array(0);
  #latestTimestamps = new Float64Array(0);
  #latestValues = new Float64Array(0);
  /** Per series, the newest timestamp overwritten so far: the ring is complete only after it. */
  #evictedUntil = new Float64Array(0);

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError("hot store capacity must be an integer ≥ 2");
    this.capacity = capacity;
  }

  #ensure(series: number): void {
    const needed = series + 1;
    if (needed > this.#heads.length) {
      const length = Math.max(needed, this.#heads.length * 2, 1024);
      this.#heads = grow(this.#heads, new Uint32Array(length));
      this.#counts = grow(this.#counts, new Uint32Array(length));
      this.#latestTimestamps = grow(this.#latestTimestamps, new Float64Array(length).fill(Number.NEGATIVE_INFINITY));
      this.#latestValues = grow(this.#latestValues, new Float64Array(length).fill(Number.NaN));
      this.#evictedUntil = grow(this.#evictedUntil, new Float64Array(length).fill(Number.NEGATIVE_INFINITY));
    }
    while (this.#blocks.length <= series >>> blockShift) {
      this.#blocks.push({
        timestamps: new Float64Array(blockSize * this.capacity),
        values: new Float64Array(blockSize * this.capacity),
      });
    }
  }

  /** Appends one sample to a series' ring, evicting its oldest sample when full. */
  append(series: number, timestamp: number, value: number): void {
    if (series >= this.#heads.length || series >>> blockShift >= this.#blocks.length) this.#ensure(series);
    const block = this.#blocks[series >>> blockShift]!;
    const head = this.#heads[series]!;
    const position = head * blockSize + (series & blockMask);
    if (this.#counts[series] === this.capacity) {
      const evicted = block.timestamps[position]!;
      if (evicted > this.#evictedUntil[series]!) this.#evictedUntil[series] = evicted;
    } else this.#counts[series]!++;
    block.timestamps[position] = timestamp;
    block.values[position] = value;
    this.#heads[series] = head + 1 === this.capacity ? 0 : head + 1;
    if (timestamp >= this.#latestTimestamps[series]!) {
      this.#latestTimestamps[series] = timestamp;
      this.#latestValues[series] = value;
    }
  }

  /** Appends `count` samples given as parallel columns. */
  appendColumns(series: Uint32Array, timestamps: Float64Array, values: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) this.append(series[i]!, timestamps[i]!, values[i]!);
  }

  /** Number of samples held for a series. */
  count(series: number): number {
    return this.#counts[series] ?? 0;
  }

  /** Timestamp of the newest sample of a series, or -Infinity when it has none. */
  latestTimestamp(series: number): number {
    return this.#latestTimestamps[series] ?? Number.NEGATIVE_INFINITY;
  }

  /** Value of the newest sample of a series, or NaN when it has none. */
  latestValue(series: number): number {
    return this.#latestValues[series] ?? Number.NaN;
  }

  /**
   * True when the ring still holds every sample this process received for the series from `from` on: nothing at or
   * after `from` has been overwritten.
   */
  holdsSince(series: number, from: number): boolean {
    return from > (this.#evictedUntil[series] ?? Number.NEGATIVE_INFINITY);
  }

  /**
   * Calls `visit` for each sample of a series with `from ≤ timestamp < to`, oldest arrival first. Arrival order is
   * time order unless a sender delivered late samples; callers that need order sort what they collect.
   */
  scan(series: number, from: number, to: number, visit: (timestamp: number, value: number) => void): void {
    const count = this.#counts[series] ?? 0;
    if (count === 0) return;
    const block = this.#blocks[series >>> blockShift]!;
    const offset = series & blockMask;
    const head = this.#heads[series]!;
    let slot = count === this.capacity ? head : 0;
    for (let i = 0; i < count; i++) {
      const position = slot * blockSize + offset;
      const timestamp = block.timestamps[position]!;
      if (timestamp >= from && timestamp < to) visit(timestamp, block.values[position]!);
      slot = slot + 1 === this.capacity ? 0 : slot + 1;
    }
  }

  /**
   * The newest sample of a series at or before `timestamp`, for rates of change; undefined when the ring holds
   * nothing that old.
   */
  sampleAtOrBefore(
    series: number,
    timestamp: number,
  ): { readonly timestamp: number; readonly value: number } | undefined {
    const count = this.#counts[series] ?? 0;
    if (count === 0) return undefined;
    const block = this.#blocks[series >>> blockShift]!;
    const offset = series & blockMask;
    // Walk back from the newest arrival: for samples arriving in time order the answer is a few slots away.
    let slot = this.#heads[series]!;
    for (let i = 0; i < count; i++) {
      slot = slot === 0 ? this.capacity - 1 : slot - 1;
      const position = slot * blockSize + offset;
      const sampleTimestamp = block.timestamps[position]!;
      if (sampleTimestamp <= timestamp) return { timestamp: sampleTimestamp, value: block.values[position]! };
    }
    return undefined;
  }
}

function grow<T extends Uint32Array | Float64Array>(old: T, fresh: T): T {
  fresh.set(old as never);
  return fresh;
}
