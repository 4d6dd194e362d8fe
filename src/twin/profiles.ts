/**
 * What drives the twin's IT load: the utilisation of every rack, the busy share of its dynamic power (design minus
 * idle). Utilisation comes from *job activity*, not allocation: an allocated GPU draws what its job makes it do.
 *
 * `JobActivity` gives each rack the activity of the job it runs, by class (deterministic from a seed, hashed from the
 * seed, the rack and the time, so a value does not depend on the step, the start, the partition or the worker):
 * - training: jobs of 6–18 h on a per-rack grid, a 5–25 min gap between jobs (restart, scheduling), a steady level
 *   of 86–96 % within a job, and checkpoint dips to 25 % for 2–6 min every 30–90 min (the GPUs wait on storage);
 * - inference: the users' day (lowest at 04:00, highest at 16:00, a quarter lower at weekends) times a bursty factor
 *   0.7–1.3 that changes every 5–15 min per rack, with bursts of 1.5× 8 % of the time;
 * - office hours (health zones): weekdays 08:00–19:00, ±15 % per 15 minutes.
 * Each rack refreshes only when its own activity changes (`nextS`): racks are filed by that time, so a step touches
 * only the racks whose activity changes.
 *
 * `SyntheticLoad` runs every installed rack fully allocated; `RackSourceLoad` takes the allocation from a rack-level
 * `UtilisationSource` (the scheduler's replay or live state) and multiplies it by the activity (or, with
 * `asActivity`, takes the source as measured activity: telemetry, tests).
 */
import type { UtilisationSource, VersionedUtilisationSource } from "../model/utilisation.ts";
import type { RackTable } from "./layout.ts";
import { hashKey, hashUniform, hashUniformKeyed } from "./random.ts";
import { secondsPer } from "./time.ts";

/** Utilisation as the kernel reads it: one value per rack of the partition. */
export interface RackLoad {
  /** Writes the utilisation (0–1) of every rack of the partition (`RackTable` order) at `timeS`. Must not allocate. */
  fill(timeS: number, out: Float64Array): void;
  /**
   * Optional, for loads that are job activity alone: brings each rack's `level` up to `timeS` and returns it with
   * the base of each profile class, so the kernel computes utilisation min(1, base[class] × level) in its own rack
   * pass instead of `fill` writing it first. Must not allocate.
   */
  levelsAt?(timeS: number): { readonly level: Float64Array; readonly bases: Float64Array };
}

/** A rack-level source that can say when its utilisation next changes (an event-driven replay can). */
export interface ChangeAwareSource extends UtilisationSource {
  /** The next time, after `timeS`, at which any rack's utilisation changes. */
  nextChangeS(timeS: number): number;
}

// Inference day and office hours: the base level of the class at a time of the week.
const inferenceFloor = 0.3;
const inferenceSwing = 0.5;
const inferenceWeekendFactor = 0.75;
const officeBusy = 0.75;
const officeQuiet = 0.12;
// Training jobs (minutes and hours as stated above).
const trainingJobMinH = 6;
const trainingJobSpanH = 12;
const trainingGapMinM = 5;
const trainingGapSpanM = 20;
const trainingSteadyMin = 0.86;
const trainingSteadySpan = 0.1;
const checkpointPeriodMinM = 30;
const checkpointPeriodSpanM = 60;
const checkpointDipMinM = 2;
const checkpointDipSpanM = 4;
const checkpointLevel = 0.25;
// Inference burstiness: slot lengths (the levels are in `slotLevel`).
const burstSlotMinM = 5;
const burstSlotSpanM = 10;
/** Width of the buckets racks are filed in by the time their activity next changes, seconds. */
const dueBucketS = 60;
/**
 * Bucket of a time: ⌈timeS × (1 / dueBucketS)⌉ (a product, cheaper than a division). The rounding moves a time by
 * at most a bucket at a boundary and is monotonic, so a rack due by a time (change ≤ time) is never filed past that
 * time's bucket: the due check itself compares the exact times.
 */
function bucketOf(timeS: number): number {
  return Math.ceil(timeS * perBucket);
}
const perBucket = 1 / dueBucketS;
/** Buckets in the ring of near changes (a power of two, so the ring index is a mask), and its mask. */
const ringBuckets = 64;
const ringMask = ringBuckets - 1;
/** Office-hours noise slot. */
export const officeSlotS = 900;
// Independent hash streams.
const [streamA, streamB, streamC, streamD, streamE, streamF] = [
  0x2545f491, 0x1f2e3d4c, 0x68e31da4, 0x3c6ef372, 0x5be0cd19, 0x7f4a7c15,
];

/**
 * Base level of each class at `timeS` (the year starts on a Monday), written into `out[0..2]`: training 1 (its level
 * is the job's own), inference the users' day, office hours the working day.
 */
export function profileBases(timeS: number, out: Float64Array): void {
  const day = Math.floor(timeS / secondsPer.d);
  const hour = (timeS - day * secondsPer.d) / secondsPer.h;
  const weekend = ((day % 7) + 7) % 7 >= 5;
  out[0] = 1;
  const diurnal = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24);
  out[1] = inferenceFloor + inferenceSwing * diurnal * (weekend ? inferenceWeekendFactor : 1);
  // One-hour ramps at the start (08:00) and end (19:00) of the working day.
  const working = weekend ? 0 : Math.min(1, Math.max(0, hour - 7), Math.max(0, 20 - hour));
  out[2] = officeQuiet + (officeBusy - officeQuiet) * working;
}

/** Per-rack job activity (see the module comment): a level per rack and the time it next changes. */
export class JobActivity {
  readonly #racks: RackTable;
  readonly #seed: number;
  readonly #bases = new Float64Array(3);
  /** Per rack: the job's level (training: absolute; other classes: a factor on the class's base). */
  readonly level: Float64Array;
  /** Per rack: when `level` next changes, seconds. */
  readonly nextS: Float64Array;
  // Per rack, fixed: the length of a training job or an inference slot, and the rack's offset on that grid.
  readonly #periodS: Float64Array;
  readonly #offsetS: Float64Array;
  /** Per rack: the index of its current slot (training: its job) on its grid. */
  readonly #slot: Float64Array;
  /**
   * Per rack: `hashKey` of its slot draws (stream C, its site-wide index), so drawing a slot's level hashes the slot
   * only: half the hash, on the path of every rack that moves to its next slot.
   */
  readonly #slotKey: Int32Array;
  // Per rack, the current training job (its index, gap, checkpoint period and dip, steady level), recomputed only
  // when the job changes, so a refresh within a job costs no hashing.
  readonly #job: Float64Array;
  readonly #gapS: Float64Array;
  readonly #cycleS: Float64Array;
  readonly #dipS: Float64Array;
  readonly #steady: Float64Array;
  #lastS = Number.NEGATIVE_INFINITY;
  // Racks by the time their level next changes: bucket b (`bucketOf(nextS)`) holds the racks that change in
  // ((b − 1)·dueBucketS, b·dueBucketS] (to rounding), so a fill visits only the racks whose level changes. The next `ringBuckets`
  // buckets are a ring of bitmaps (one bit per rack), so a fill visits its due racks in rack order, nearly
  // sequentially through the per-rack arrays; racks that change later (training jobs, hours ahead) wait in `#far`
  // until the ring reaches them.
  readonly #ring: Int32Array;
  /** Words of one bucket's bitmap. */
  readonly #words: number;
  readonly #far: Int32Array;
  #farSize = 0;
  /**
   * Every bucket up to this one has been refreshed (NaN before the first fill); the ring holds the buckets
   * `#doneBucket` + 1 … `#doneBucket` + `ringBuckets`.
   */
  #doneBucket = Number.NaN;
  /** `#doneBucket` at the last sweep of `#far` into the ring. */
  #sweptBucket = Number.NaN;
  /** The bucket the current fill reaches: no rack is filed below it (see `#schedule`). */
  #lowestBucket = Number.NaN;
  readonly #levels: { readonly level: Float64Array; readonly bases: Float64Array };

  /** Activity for the racks of a partition with `seed`. */
  constructor(racks: RackTable, seed: number) {
    this.#racks = racks;
    this.#seed = seed | 0;
    const count = racks.count;
    this.level = new Float64Array(count);
    this.nextS = new Float64Array(count).fill(Number.NEGATIVE_INFINITY);
    this.#periodS = new Float64Array(count);
    this.#offsetS = new Float64Array(count);
    this.#slot = new Float64Array(count);
    this.#slotKey = new Int32Array(count);
    this.#job = new Float64Array(count).fill(Number.NaN);
    this.#gapS = new Float64Array(count);
    this.#cycleS = new Float64Array(count);
    this.#dipS = new Float64Array(count);
    this.#steady = new Float64Array(count);
    for (let rack = 0; rack < count; rack++) {
      const key = racks.globalIndex[rack]!;
      const kind = racks.profile[rack]!;
      const periodS =
        kind === 0
          ? (trainingJobMinH + trainingJobSpanH * hashUniform(this.#seed ^ streamA, key, 0)) * secondsPer.h
          : kind === 1
            ? (burstSlotMinM + burstSlotSpanM * hashUniform(this.#seed ^ streamA, key, 1)) * secondsPer.m
            : officeSlotS;
      this.#periodS[rack] = periodS;
      this.#slotKey[rack] = hashKey(this.#seed ^ streamC, key);
      this.#offsetS[rack] = kind === 2 ? 0 : hashUniform(this.#seed ^ streamB, key, kind) * periodS;
    }
    this.#words = Math.ceil(count / 32);
    this.#ring = new Int32Array(ringBuckets * this.#words);
    this.#far = new Int32Array(count);
    this.#levels = { level: this.level, bases: this.#bases };
  }

  /** Files rack `rack` under the bucket of its `nextS`: in the ring when within its span, else in `#far`. */
  #schedule(rack: number): void {
    // A refreshed rack changes after the fill's time, so in its last bucket or later; the floor only guards that
    // against rounding, so that such a rack is checked (and found due) at the next fill.
    const bucket = Math.max(bucketOf(this.nextS[rack]!), this.#lowestBucket);
    if (bucket > this.#doneBucket + ringBuckets) {
      this.#far[this.#farSize++] = rack;
      return;
    }
    // Times are below 2³¹ buckets (4,000 years), so the bucket is an int32 and the ring index a mask.
    this.#ring[((bucket | 0) & ringMask) * this.#words + (rack >>> 5)]! |= 1 << (rack & 31);
  }

  /** Brings every rack's `level` up to `timeS` and returns it with the classes' bases at `timeS` (reused arrays). */
  levelsAt(timeS: number): { readonly level: Float64Array; readonly bases: Float64Array } {
    if (timeS < this.#lastS || Number.isNaN(this.#doneBucket)) {
      for (let rack = 0; rack < this.#racks.count; rack++) this.#refresh(rack, timeS);
      this.#fileAll(timeS);
    } else if (bucketOf(timeS) - this.#doneBucket > ringBuckets / 2) {
      // A long jump (beyond half the ring): check every rack.
      for (let rack = 0; rack < this.#racks.count; rack++) {
        if (timeS >= this.nextS[rack]!) this.#advance(rack, timeS);
      }
      this.#fileAll(timeS);
    } else {
      this.#refreshDue(timeS);
    }
    this.#lastS = timeS;
    profileBases(timeS, this.#bases);
    return this.#levels;
  }

  /** Empties the ring and files every rack anew, all refreshed up to `timeS`. */
  #fileAll(timeS: number): void {
    this.#ring.fill(0);
    this.#farSize = 0;
    this.#lowestBucket = bucketOf(timeS);
    this.#doneBucket = this.#lowestBucket - 1;
    this.#sweptBucket = this.#doneBucket;
    for (let rack = 0; rack < this.#racks.count; rack++) this.#schedule(rack);
  }

  /**
   * Refreshes the racks whose level changes by `timeS`: those in the buckets up to `bucketOf(timeS)` (at most
   * half the ring ahead). The last bucket may hold racks not yet due (when `timeS` is not on a bucket boundary):
   * they are filed there again and checked at the next fill.
   */
  #refreshDue(timeS: number): void {
    // Every half ring, the racks of `#far` that the ring now spans move into it; none is due before then.
    if (this.#doneBucket - this.#sweptBucket >= ringBuckets / 2) this.#sweep();
    const lastBucket = bucketOf(timeS);
    this.#lowestBucket = lastBucket;
    const nextS = this.nextS;
    const level = this.level;
    const profile = this.#racks.profile;
    const slotKey = this.#slotKey;
    const periodS = this.#periodS;
    const offsetS = this.#offsetS;
    const slot = this.#slot;
    const ring = this.#ring;
    const words = this.#words;
    const horizon = this.#doneBucket + ringBuckets;
    for (let bucket = this.#doneBucket + 1; bucket <= lastBucket; bucket++) {
      const first = ((bucket | 0) & ringMask) * words;
      for (let word = 0; word < words; word++) {
        let bits = ring[first + word]!;
        if (bits === 0) continue;
        // Racks filed again in this bucket set their bit again; this pass has read the word already.
        ring[first + word] = 0;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          const rack = (word << 5) | (31 - Math.clz32(low));
          const dueS = nextS[rack]!;
          if (timeS >= dueS) {
            const kind = profile[rack]!;
            // Inference and office slots usually just move on to the next slot: one draw, no division.
            if (kind !== 0 && timeS < dueS + periodS[rack]!) {
              const next = slot[rack]! + 1;
              slot[rack] = next;
              // The boundary as `#refresh` computes it (same rounding), so values do not depend on the start.
              const changeS = (next + 1) * periodS[rack]! - offsetS[rack]!;
              nextS[rack] = changeS;
              level[rack] = slotLevel(kind, hashUniformKeyed(slotKey[rack]!, next));
              // Filed as `#schedule` files it: a slot is shorter than the ring, so within it.
              const filed = Math.max(bucketOf(changeS), lastBucket);
              if (filed <= horizon) {
                ring[((filed | 0) & ringMask) * words + word]! |= low;
                continue;
              }
            } else {
              this.#refresh(rack, timeS);
            }
          }
          this.#schedule(rack);
        }
      }
    }
    this.#doneBucket = lastBucket - 1;
  }

  /** A due rack's next level: the next slot when it follows on (inference, office hours), else recomputed. */
  #advance(rack: number, timeS: number): void {
    const kind = this.#racks.profile[rack]!;
    const dueS = this.nextS[rack]!;
    const periodS = this.#periodS[rack]!;
    if (kind !== 0 && timeS < dueS + periodS) {
      const next = this.#slot[rack]! + 1;
      this.#slot[rack] = next;
      this.nextS[rack] = (next + 1) * periodS - this.#offsetS[rack]!;
      this.level[rack] = slotLevel(kind, hashUniformKeyed(this.#slotKey[rack]!, next));
    } else {
      this.#refresh(rack, timeS);
    }
  }

  /** Moves the racks of `#far` whose bucket the ring now spans into it. */
  #sweep(): void {
    const far = this.#far;
    const farSize = this.#farSize;
    this.#farSize = 0;
    // Filed again: into the ring when it spans their bucket, else back into `#far` (never past this index).
    for (let index = 0; index < farSize; index++) this.#schedule(far[index]!);
    this.#sweptBucket = this.#doneBucket;
  }

  /** Recomputes rack `rack`'s level at `timeS` and when it next changes. */
  #refresh(rack: number, timeS: number): void {
    const seed = this.#seed;
    const key = this.#racks.globalIndex[rack]!;
    const kind = this.#racks.profile[rack]!;
    const periodS = this.#periodS[rack]!;
    const offsetS = this.#offsetS[rack]!;
    const slot = Math.floor((timeS + offsetS) / periodS);
    const slotStartS = slot * periodS - offsetS;
    this.#slot[rack] = slot;
    if (kind === 0) {
      if (this.#job[rack] !== slot) {
        this.#job[rack] = slot;
        this.#gapS[rack] = (trainingGapMinM + trainingGapSpanM * hashUniform(seed ^ streamC, key, slot)) * secondsPer.m;
        this.#cycleS[rack] =
          (checkpointPeriodMinM + checkpointPeriodSpanM * hashUniform(seed ^ streamD, key, slot)) * secondsPer.m;
        this.#dipS[rack] =
          (checkpointDipMinM + checkpointDipSpanM * hashUniform(seed ^ streamE, key, slot)) * secondsPer.m;
        this.#steady[rack] = trainingSteadyMin + trainingSteadySpan * hashUniform(seed ^ streamF, key, slot);
      }
      const gapS = this.#gapS[rack]!;
      const sinceS = timeS - slotStartS;
      if (sinceS < gapS) {
        this.level[rack] = 0;
        this.nextS[rack] = slotStartS + gapS;
        return;
      }
      const cycleS = this.#cycleS[rack]!;
      const dipS = this.#dipS[rack]!;
      const cycleStartS = slotStartS + gapS + Math.floor((sinceS - gapS) / cycleS) * cycleS;
      let nextS: number;
      if (timeS - cycleStartS < cycleS - dipS) {
        this.level[rack] = this.#steady[rack]!;
        nextS = cycleStartS + cycleS - dipS;
      } else {
        this.level[rack] = checkpointLevel;
        nextS = cycleStartS + cycleS;
      }
      this.nextS[rack] = Math.min(nextS, slotStartS + periodS);
      return;
    }
    this.level[rack] = slotLevel(kind, hashUniformKeyed(this.#slotKey[rack]!, slot));
    this.nextS[rack] = slotStartS + periodS;
  }

  /**
   * Writes each rack's utilisation at `timeS`: its activity, times `allocation[rack]` when given (0–1, the share of
   * the rack its jobs hold). Racks refresh only when their activity changes; going back in time refreshes all.
   */
  fill(timeS: number, out: Float64Array, allocation?: Float64Array): void {
    const { bases, level } = this.levelsAt(timeS);
    const profile = this.#racks.profile;
    const count = this.#racks.count;
    for (let rack = 0; rack < count; rack++) {
      const value = bases[profile[rack]!]! * level[rack]!;
      out[rack] = Math.min(value, 1);
    }
    if (allocation !== undefined) for (let rack = 0; rack < count; rack++) out[rack]! *= allocation[rack]!;
  }
}

/** The level of an inference (`kind` 1) or office-hours rack for a slot's uniform draw. */
function slotLevel(kind: number, draw: number): number {
  // The levels are local constants, not module ones: the optimiser folds local literals, while it read module
  // constants as boxed values and so boxed the burst level it returned (an allocation per slot change, every step).
  const officeLow = 0.85;
  const officeSpan = 0.3;
  const burstProbability = 0.08;
  const burstFactor = 1.5;
  const burstLow = 0.7;
  const burstSpan = 0.6;
  if (kind !== 1) return officeLow + officeSpan * draw;
  // Below `burstProbability` a burst, otherwise a level spread over the rest of the draw.
  return draw < burstProbability
    ? burstFactor
    : burstLow + (burstSpan * (draw - burstProbability)) / (1 - burstProbability);
}

/** Seeded synthetic load: every rack fully allocated, busy as its job's activity says. */
export class SyntheticLoad implements RackLoad {
  readonly #activity: JobActivity;

  /** Profiles for `racks` (their `profile` class and site-wide index) with `seed`. */
  constructor(racks: RackTable, seed: number) {
    this.#activity = new JobActivity(racks, seed);
  }

  /** Writes every rack's utilisation at `timeS`. */
  fill(timeS: number, out: Float64Array): void {
    this.#activity.fill(timeS, out);
  }

  /** Every rack's activity level and the classes' bases at `timeS` (see `RackLoad.levelsAt`). */
  levelsAt(timeS: number): { readonly level: Float64Array; readonly bases: Float64Array } {
    return this.#activity.levelsAt(timeS);
  }
}

/** Options of `RackSourceLoad`. */
export interface RackSourceOptions {
  /**
   * How often a source without `nextChangeS` is read, seconds. A source with a `version` is also read at the first
   * fill after it moved: the timer is then only a safety net.
   */
  readonly refreshS: number;
  /** Take the source's values as activity (measured utilisation) instead of allocation times job activity. */
  readonly asActivity?: boolean;
  /** Seed of the job activity (default 1). */
  readonly seed?: number;
}

/**
 * Adapts a rack-level `UtilisationSource` (site rack order) to a partition's racks. Reading the source touches every
 * rack, so reads are rationed: at `nextChangeS` when the source offers it, otherwise every `refreshS` seconds and, for
 * a source with a `version` (a live scheduler's placements), at the first fill after it moved — once, however many
 * jobs started or stopped since the last. The values read are allocations, multiplied by each rack's job activity
 * every step (unless `asActivity`).
 */
export class RackSourceLoad implements RackLoad {
  readonly #source: UtilisationSource;
  readonly #racks: RackTable;
  readonly #site: Float64Array;
  readonly #allocation: Float64Array;
  readonly #refreshS: number;
  readonly #activity: JobActivity | undefined;
  #nextRefreshS = Number.NEGATIVE_INFINITY;
  /** The source's `version` at the last read (undefined before the first, or for a source without one). */
  #readVersion: number | undefined;

  /** Wraps `source` for `racks` of a site with `siteRackCount` racks. */
  constructor(source: UtilisationSource, racks: RackTable, siteRackCount: number, options: RackSourceOptions) {
    this.#source = source;
    this.#racks = racks;
    this.#site = new Float64Array(siteRackCount);
    this.#allocation = new Float64Array(racks.count);
    this.#refreshS = options.refreshS;
    this.#activity = options.asActivity === true ? undefined : new JobActivity(racks, options.seed ?? 1);
  }

  /** Whether the source's values changed since the last read (its `version` moved): the next fill reads them. */
  get stale(): boolean {
    const version = (this.#source as Partial<VersionedUtilisationSource>).version;
    return version !== undefined && version !== this.#readVersion;
  }

  /** Reads the source when due and writes each rack's utilisation. */
  fill(timeS: number, out: Float64Array): void {
    if (timeS >= this.#nextRefreshS || this.stale) {
      // Taken before the read: a change during it moves the version past this one, and the next fill reads again.
      this.#readVersion = (this.#source as Partial<VersionedUtilisationSource>).version;
      this.#source.fill(timeS, this.#site);
      const { count, globalIndex } = this.#racks;
      for (let rack = 0; rack < count; rack++) {
        const value = this.#site[globalIndex[rack]!]!;
        this.#allocation[rack] = value > 0 ? Math.min(value, 1) : 0;
      }
      const source = this.#source as Partial<ChangeAwareSource>;
      this.#nextRefreshS =
        typeof source.nextChangeS === "function" ? source.nextChangeS(timeS) : timeS + this.#refreshS;
    }
    if (this.#activity === undefined) out.set(this.#allocation);
    else this.#activity.fill(timeS, out, this.#allocation);
  }
}
