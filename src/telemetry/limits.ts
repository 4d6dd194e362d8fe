/**
 * Per-source ingest limits: what one sender (an API key, a Redfish push target) may send, checked after a batch is
 * parsed and before it is logged, so a refused batch leaves nothing behind (its new series are withdrawn).
 *
 * - `newSeriesPerBatch`: a batch that would create more series than this is refused whole (413: split it, or it is a
 *   runaway label). The lifetime count per source is the registry's `maxSeriesPerSource`.
 * - `samplesPerSecond` with `burstSamples`: a token bucket per source. A batch larger than the burst can never pass
 *   (413); one larger than the tokens left is refused with 429 and the seconds until it would pass.
 */
import { type Static, Type } from "typebox";
import { closedObject } from "../model/schema-check.ts";

/** Limits applied to each source. */
export interface SourceLimits {
  /** New series one batch may create (default 100,000). */
  readonly newSeriesPerBatch: number;
  /** Sustained samples per second per source (default 1,000,000). */
  readonly samplesPerSecond: number;
  /** Samples one source may send at once, and the bucket's size (default 5,000,000: a 64 MiB Influx body). */
  readonly burstSamples: number;
}

/** The defaults: generous for one collector of a large hall, tight enough to stop a runaway sender. */
export const defaultSourceLimits: SourceLimits = {
  newSeriesPerBatch: 100_000,
  samplesPerSecond: 1_000_000,
  burstSamples: 5_000_000,
};

/** A refusal at a limit, as the routes answer it. */
export interface LimitRefusal {
  /** The configuration key of the limit (`limits.samplesPerSecond`). */
  readonly limit: string;
  /** 413 when the batch can never pass as sent, 429 when it can later. */
  readonly status: 413 | 429;
  readonly problem: string;
  /** For 429: seconds until the same batch would pass. */
  readonly retryAfterSeconds?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Sources remembered at most; past it the fullest buckets (idle senders) are dropped, which only grants them a burst. */
const maxBuckets = 10_000;

/** The buckets and per-batch checks of every source. */
export class SourceLimiter {
  readonly limits: SourceLimits;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limits: Partial<SourceLimits> = {}) {
    this.limits = { ...defaultSourceLimits, ...limits };
  }

  /**
   * Checks a parsed batch of `source` at `now` (ms); on success its samples are taken from the source's bucket
   * (give them back with `refund` if the batch is then not stored).
   */
  admit(source: string, samples: number, newSeries: number, now: number): LimitRefusal | undefined {
    const { newSeriesPerBatch, samplesPerSecond, burstSamples } = this.limits;
    if (newSeries > newSeriesPerBatch) {
      return {
        limit: "limits.newSeriesPerBatch",
        status: 413,
        problem: `the batch would create ${newSeries} new series; a source may create at most ${newSeriesPerBatch} in one batch (split it)`,
      };
    }
    if (samples > burstSamples) {
      return {
        limit: "limits.burstSamples",
        status: 413,
        problem: `the batch has ${samples} samples; a source may send at most ${burstSamples} at once (split it)`,
      };
    }
    const bucket = this.#bucket(source, now);
    if (samples > bucket.tokens) {
      const retryAfterSeconds = Math.max(1, Math.ceil((samples - bucket.tokens) / samplesPerSecond));
      return {
        limit: "limits.samplesPerSecond",
        status: 429,
        problem: `this source may send ${samplesPerSecond} samples per second; the batch of ${samples} would pass in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      };
    }
    bucket.tokens -= samples;
    return undefined;
  }

  /** Gives back the samples of an admitted batch that was not stored (a failed log write). */
  refund(source: string, samples: number): void {
    const bucket = this.#buckets.get(source);
    if (bucket !== undefined) bucket.tokens = Math.min(this.limits.burstSamples, bucket.tokens + samples);
  }

  #bucket(source: string, now: number): Bucket {
    let bucket = this.#buckets.get(source);
    if (bucket === undefined) {
      if (this.#buckets.size >= maxBuckets) this.#dropIdle(now);
      bucket = { tokens: this.limits.burstSamples, at: now };
      this.#buckets.set(source, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.limits.burstSamples, bucket.tokens + (elapsed / 1000) * this.limits.samplesPerSecond);
    bucket.at = now;
    return bucket;
  }

  #dropIdle(now: number): void {
    for (const [source, bucket] of this.#buckets) {
      const tokens = bucket.tokens + ((now - bucket.at) / 1000) * this.limits.samplesPerSecond;
      if (tokens >= this.limits.burstSamples) this.#buckets.delete(source);
    }
    // Every sender busy: forget the oldest (insertion order), which at worst grants it a fresh burst.
    if (this.#buckets.size >= maxBuckets) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}

/** The `limits:` section of the telemetry configuration, as service options. */
export interface ConfiguredLimits {
  readonly maxSeries?: number;
  readonly maxSeriesPerSource?: number;
  readonly limits?: Partial<SourceLimits>;
}

const limit = (description: string) => Type.Optional(Type.Integer({ minimum: 1, description }));

/** The `limits:` section of the telemetry configuration (every key optional, each a positive integer). */
export const LimitsSchema = closedObject({
  series: limit("series the platform holds at most"),
  seriesPerSource: limit("series one source (API key, Redfish target) may create at most"),
  newSeriesPerBatch: limit("new series one batch may create (a batch over it is refused whole, 413)"),
  samplesPerSecond: limit("samples per second one source may send, sustained (429 with Retry-After above)"),
  burstSamples: limit("samples one source may send at once (at least samplesPerSecond; a larger batch is 413)"),
});

/**
 * The service options of a schema-checked `limits:` section, and the rule the schema cannot state (burst at least
 * the sustained rate); problems name the key.
 */
export function resolveLimits(section: Static<typeof LimitsSchema>): { value: ConfiguredLimits; problems: string[] } {
  const problems: string[] = [];
  const source: { -readonly [K in keyof SourceLimits]?: number } = {};
  for (const key of ["newSeriesPerBatch", "samplesPerSecond", "burstSamples"] as const) {
    const value = section[key];
    if (value !== undefined) source[key] = value;
  }
  const burst = source.burstSamples ?? defaultSourceLimits.burstSamples;
  const rate = source.samplesPerSecond ?? defaultSourceLimits.samplesPerSecond;
  if (burst < rate) problems.push(`limits.burstSamples: must be at least samplesPerSecond (${rate})`);
  return {
    value: {
      ...(section.series === undefined ? {} : { maxSeries: section.series }),
      ...(section.seriesPerSource === undefined ? {} : { maxSeriesPerSource: section.seriesPerSource }),
      ...(Object.keys(source).length === 0 ? {} : { limits: source }),
    },
    problems,
  };
}
