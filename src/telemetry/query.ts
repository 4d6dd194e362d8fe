/**
 * Queries over series: what a caller asks (a selector, a time range, an optional step with aggregations) and the
 * columnar frames it gets back. Both sources, the hot buffers and DuckDB history, reduce samples to the same
 * per-series, per-bucket partial aggregates (count, sum, min, max, last), and this module finishes them, so the two
 * paths give identical answers by construction.
 */
import type { SeriesInfo, SeriesSelector } from "./series.ts";
import type { Labels, Result } from "./types.ts";
import { failure, success } from "./types.ts";

/** Aggregations over the samples of one series in one time bucket. */
export const aggregations = ["avg", "min", "max", "last", "sum", "count"] as const;
/** One aggregation. */
export type Aggregation = (typeof aggregations)[number];

/** How series are grouped before combining. */
export const groupings = ["series", "equipment", "rack", "row", "hall", "plant", "all"] as const;
/** One grouping. */
export type Grouping = (typeof groupings)[number];

/** How the per-series values of a group are combined in each bucket. */
export const combinations = ["sum", "avg", "min", "max", "last"] as const;
/** One combination. */
export type Combination = (typeof combinations)[number];

/** A query. Times are milliseconds since the epoch; the range is `[from, to)`. */
export interface SeriesQuery {
  readonly selector: SeriesSelector;
  readonly from: number;
  readonly to: number;
  /** Bucket width in ms. Absent: raw samples. Buckets are aligned on multiples of the step since the epoch. */
  readonly step?: number;
  /** Per series and bucket (default avg). */
  readonly aggregation?: Aggregation;
  /** Default: series. */
  readonly groupBy?: Grouping;
  /** Across the series of a group, per bucket (default sum, the usual need: power of a row). */
  readonly combine?: Combination;
}

/** One series or group as columns. */
export interface Frame {
  /** The series key, or the group's value (`row:h1-r07`, `all`). */
  readonly name: string;
  readonly labels: Labels;
  readonly seriesCount: number;
  readonly timestamps: number[];
  readonly values: number[];
}

/** A query's answer. */
export interface QueryResult {
  /** Where the samples came from: hot buffers or history (DuckDB). */
  readonly source: "hot" | "history";
  /** The finest stored resolution used: raw samples, 1-minute or 1-hour rollups. */
  readonly resolution: "raw" | "1m" | "1h";
  readonly step?: number;
  readonly frames: Frame[];
}

/** Most raw samples one query may return. */
export const maxRawPoints = 2_000_000;
/** Most buckets per series one query may ask for. */
export const maxBuckets = 100_000;

/** Checks a query's time range, step and options. */
export function checkQuery(query: SeriesQuery): Result<SeriesQuery> {
  if (!Number.isFinite(query.from) || !Number.isFinite(query.to)) return failure("from and to must be finite times");
  if (query.to <= query.from) return failure(`to (${query.to}) must be after from (${query.from})`);
  if (query.step !== undefined) {
    if (!Number.isFinite(query.step) || query.step <= 0) return failure("step must be a positive number of ms");
    const buckets = (query.to - query.from) / query.step;
    if (buckets > maxBuckets) {
      return failure(`the range holds ${Math.ceil(buckets).toLocaleString("en-US")} steps; at most ${maxBuckets}`);
    }
  } else if ((query.groupBy ?? "series") !== "series") {
    return failure("grouping needs a step: raw samples are returned per series");
  }
  return success(query);
}

/**
 * Per-series, per-bucket partial aggregates as parallel columns, sorted by series then bucket. `last` is the value
 * of the sample with the greatest timestamp `lastTimestamp`.
 */
export interface Partials {
  series: number[];
  buckets: number[];
  counts: number[];
  sums: number[];
  minimums: number[];
  maximums: number[];
  lasts: number[];
  lastTimestamps: number[];
}

/** An empty partials table. */
export function emptyPartials(): Partials {
  return { series: [], buckets: [], counts: [], sums: [], minimums: [], maximums: [], lasts: [], lastTimestamps: [] };
}

function finish(partials: Partials, row: number, aggregation: Aggregation): number {
  switch (aggregation) {
    case "avg":
      return partials.sums[row]! / partials.counts[row]!;
    case "min":
      return partials.minimums[row]!;
    case "max":
      return partials.maximums[row]!;
    case "last":
      return partials.lasts[row]!;
    case "sum":
      return partials.sums[row]!;
    case "count":
      return partials.counts[row]!;
  }
}

function groupOf(info: SeriesInfo, grouping: Grouping): string | undefined {
  switch (grouping) {
    case "series":
      return info.key;
    case "all":
      return "all";
    default:
      return info.location[grouping];
  }
}

interface GroupAccumulator {
  readonly name: string;
  readonly members: Set<number>;
  readonly buckets: Map<number, { value: number; count: number; lastTimestamp: number }>;
}

/**
 * Turns partials into frames: finishes each series' buckets with the aggregation, then combines the series of each
 * group. Series without the grouping's location (a `row` grouping and a series with no row) are left out.
 */
export function framesFromPartials(
  partials: Partials,
  query: SeriesQuery,
  infoOf: (id: number) => SeriesInfo,
): Frame[] {
  const aggregation = query.aggregation ?? "avg";
  const grouping = query.groupBy ?? "series";
  const combination = query.combine ?? "sum";
  if (grouping === "series") {
    const frames: Frame[] = [];
    let current: Frame | undefined;
    let currentSeries = -1;
    for (let row = 0; row < partials.series.length; row++) {
      const series = partials.series[row]!;
      if (series !== currentSeries) {
        const info = infoOf(series);
        current = { name: info.key, labels: info.labels, seriesCount: 1, timestamps: [], values: [] };
        frames.push(current);
        currentSeries = series;
      }
      current!.timestamps.push(partials.buckets[row]!);
      current!.values.push(finish(partials, row, aggregation));
    }
    return frames;
  }
  const groups = new Map<string, GroupAccumulator>();
  for (let row = 0; row < partials.series.length; row++) {
    const series = partials.series[row]!;
    const name = groupOf(infoOf(series), grouping);
    if (name === undefined) continue;
    let group = groups.get(name);
    if (group === undefined) {
      group = { name, members: new Set(), buckets: new Map() };
      groups.set(name, group);
    }
    group.members.add(series);
    const value = finish(partials, row, aggregation);
    const lastTimestamp = partials.lastTimestamps[row]!;
    const bucket = partials.buckets[row]!;
    const cell = group.buckets.get(bucket);
    if (cell === undefined) {
      group.buckets.set(bucket, { value, count: 1, lastTimestamp });
      continue;
    }
    switch (combination) {
      case "sum":
      case "avg":
        cell.value += value;
        break;
      case "min":
        cell.value = Math.min(cell.value, value);
        break;
      case "max":
        cell.value = Math.max(cell.value, value);
        break;
      case "last":
        if (lastTimestamp >= cell.lastTimestamp) cell.value = value;
        break;
    }
    cell.count++;
    cell.lastTimestamp = Math.max(cell.lastTimestamp, lastTimestamp);
  }
  return [...groups.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((group) => {
      const buckets = [...group.buckets.keys()].sort((a, b) => a - b);
      return {
        name: group.name,
        labels: grouping === "all" ? {} : { [grouping]: group.name },
        seriesCount: group.members.size,
        timestamps: buckets,
        values: buckets.map((bucket) => {
          const cell = group.buckets.get(bucket)!;
          return combination === "avg" ? cell.value / cell.count : cell.value;
        }),
      };
    });
}

/** Sorts a raw frame's samples by time when a sender delivered some late. */
export function sortFrame(timestamps: number[], values: number[]): void {
  for (let i = 1; i < timestamps.length; i++) {
    if (timestamps[i]! < timestamps[i - 1]!) {
      const order = timestamps.map((_, index) => index).sort((a, b) => timestamps[a]! - timestamps[b]!);
      const sortedTimestamps = order.map((index) => timestamps[index]!);
      const sortedValues = order.map((index) => values[index]!);
      for (let j = 0; j < order.length; j++) {
        timestamps[j] = sortedTimestamps[j]!;
        values[j] = sortedValues[j]!;
      }
      return;
    }
  }
}

/** What the hot path reads: the scan of one series' ring. */
export interface RingReader {
  scan(series: number, from: number, to: number, visit: (timestamp: number, value: number) => void): void;
}

/** Reduces the hot buffers of the given series to partials over `[from, to)` in buckets of `step`. */
export function partialsFromRings(
  rings: RingReader,
  ids: readonly number[],
  from: number,
  to: number,
  step: number,
): Partials {
  const firstBucket = Math.floor(from / step);
  const bucketCount = Math.floor((to - 1) / step) - firstBucket + 1;
  const counts = new Float64Array(bucketCount);
  const sums = new Float64Array(bucketCount);
  const minimums = new Float64Array(bucketCount);
  const maximums = new Float64Array(bucketCount);
  const lasts = new Float64Array(bucketCount);
  const lastTimestamps = new Float64Array(bucketCount);
  const touched: number[] = [];
  const partials = emptyPartials();
  const visit = (timestamp: number, value: number): void => {
    const bucket = Math.floor(timestamp / step) - firstBucket;
    if (counts[bucket] === 0) {
      touched.push(bucket);
      sums[bucket] = value;
      minimums[bucket] = value;
      maximums[bucket] = value;
      lasts[bucket] = value;
      lastTimestamps[bucket] = timestamp;
    } else {
      sums[bucket]! += value;
      if (value < minimums[bucket]!) minimums[bucket] = value;
      if (value > maximums[bucket]!) maximums[bucket] = value;
      if (timestamp >= lastTimestamps[bucket]!) {
        lasts[bucket] = value;
        lastTimestamps[bucket] = timestamp;
      }
    }
    counts[bucket]!++;
  };
  for (const series of ids) {
    rings.scan(series, from, to, visit);
    touched.sort((a, b) => a - b);
    for (const bucket of touched) {
      partials.series.push(series);
      partials.buckets.push((bucket + firstBucket) * step);
      partials.counts.push(counts[bucket]!);
      partials.sums.push(sums[bucket]!);
      partials.minimums.push(minimums[bucket]!);
      partials.maximums.push(maximums[bucket]!);
      partials.lasts.push(lasts[bucket]!);
      partials.lastTimestamps.push(lastTimestamps[bucket]!);
      counts[bucket] = 0;
    }
    touched.length = 0;
  }
  return partials;
}

/** Raw samples of the given series from the hot buffers, one frame per series with data, sorted by time. */
export function rawFramesFromRings(
  rings: RingReader,
  ids: readonly number[],
  from: number,
  to: number,
  infoOf: (id: number) => SeriesInfo,
): Result<Frame[]> {
  const frames: Frame[] = [];
  let points = 0;
  for (const series of ids) {
    const timestamps: number[] = [];
    const values: number[] = [];
    rings.scan(series, from, to, (timestamp, value) => {
      timestamps.push(timestamp);
      values.push(value);
    });
    if (timestamps.length === 0) continue;
    points += timestamps.length;
    if (points > maxRawPoints) return failure(tooManyPoints);
    sortFrame(timestamps, values);
    const info = infoOf(series);
    frames.push({ name: info.key, labels: info.labels, seriesCount: 1, timestamps, values });
  }
  return success(frames);
}

/** The problem reported when a raw query would return more than `maxRawPoints`. */
export const tooManyPoints = `more than ${maxRawPoints.toLocaleString("en-US")} raw samples: narrow the range or the selection, or give a step`;
