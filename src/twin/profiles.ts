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
import { hashUniform } from "./random.ts";
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
// Inference burstiness.
const burstSlotMinM = 5;
const burstSlotSpanM = 10;
const burstProbability = 0.08;
const burstFactor = 1.5;
const burstLow = 0.7;
const burstSpan = 0.6;
/** Width of the buckets racks are filed in by the time their activity next changes, seconds. */
const dueBucketS = 60;
/** Office-hours noise slot. */
export const officeSlotS = 900;
const officeLow = 0.85;
const officeSpan = 0.3;
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
  // Per rack, the current training job (its index, gap, checkpoint period and dip, steady level), recomputed only
  // when the job changes, so a refresh within a job costs no hashing.
  readonly #job: Float64Array;
  readonly #gapS: Float64Array;
  readonly #cycleS: Float64Array;
  readonly #dipS: Float64Array;
  readonly #steady: Float64Array;
  #lastS = Number.NEGATIVE_INFINITY;
  // Racks by the time their level next changes, in a ring of `dueBucketS` buckets (singly linked lists in typed
  // arrays), so a step touches only the racks whose level changes instead of checking every rack's time.
  readonly #bucketHead: Int32Array;
  readonly #nextInBucket: Int32Array;
  /** Absolute bucket (⌊time / dueBucketS⌋) up to which every due rack has been refreshed; NaN before the first fill. */
  #doneBucket = Number.NaN;
  readonly #bucketMask: number;
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
      this.#offsetS[rack] = kind === 2 ? 0 : hashUniform(this.#seed ^ streamB, key, kind) * periodS;
    }
    // A level never holds longer than its rack's period (a training job, a slot), so the ring spans the longest.
    let longestS = officeSlotS;
    for (let rack = 0; rack < count; rack++) longestS = Math.max(longestS, this.#periodS[rack]!);
    // A power of two, so the ring index is a mask.
    const buckets = 2 ** Math.ceil(Math.log2(Math.ceil(longestS / dueBucketS) + 2));
    this.#bucketHead = new Int32Array(buckets).fill(-1);
    this.#bucketMask = buckets - 1;
    this.#nextInBucket = new Int32Array(count).fill(-1);
    this.#levels = { level: this.level, bases: this.#bases };
  }

  /** Files rack `rack` under the bucket of its `nextS`. */
  #schedule(rack: number): void {
    const heads = this.#bucketHead;
    // Times are below 2³¹ buckets (4,000 years), so the bucket is an int32 and the ring index a mask.
    const bucket = (Math.floor(this.nextS[rack]! / dueBucketS) | 0) & this.#bucketMask;
    this.#nextInBucket[rack] = heads[bucket]!;
    heads[bucket] = rack;
  }

  /** Brings every rack's `level` up to `timeS` and returns it with the classes' bases at `timeS` (reused arrays). */
  levelsAt(timeS: number): { readonly level: Float64Array; readonly bases: Float64Array } {
    if (timeS < this.#lastS || Number.isNaN(this.#doneBucket)) this.#refreshAll(timeS);
    else this.#refreshDue(timeS);
    this.#lastS = timeS;
    profileBases(timeS, this.#bases);
    return this.#levels;
  }

  /** Refreshes every rack (first fill, or time went back) and files each under its next change. */
  #refreshAll(timeS: number): void {
    this.#bucketHead.fill(-1);
    for (let rack = 0; rack < this.#racks.count; rack++) {
      this.#refresh(rack, timeS);
      this.#schedule(rack);
    }
    this.#doneBucket = Math.floor(timeS / dueBucketS);
  }

  /** Refreshes the racks whose level changes by `timeS`: those filed in the buckets passed since the last fill. */
  #refreshDue(timeS: number): void {
    const heads = this.#bucketHead;
    const nextInBucket = this.#nextInBucket;
    const nextS = this.nextS;
    const level = this.level;
    const profile = this.#racks.profile;
    const key = this.#racks.globalIndex;
    const periodS = this.#periodS;
    const offsetS = this.#offsetS;
    const slot = this.#slot;
    const stream = this.#seed ^ streamC;
    const lastBucket = Math.floor(timeS / dueBucketS);
    // Past the ring's span every bucket holds due racks: each ring slot is visited once.
    const firstBucket = Math.max(this.#doneBucket, lastBucket - heads.length + 1);
    for (let absolute = firstBucket; absolute <= lastBucket; absolute++) {
      const bucket = absolute & this.#bucketMask;
      let rack = heads[bucket]!;
      heads[bucket] = -1;
      while (rack >= 0) {
        const following = nextInBucket[rack]!;
        const dueS = nextS[rack]!;
        if (timeS >= dueS) {
          const kind = profile[rack]!;
          // Inference and office slots usually just move on to the next slot: one draw, no division.
          if (kind !== 0 && timeS < dueS + periodS[rack]!) {
            const next = slot[rack]! + 1;
            slot[rack] = next;
            // The boundary as `#refresh` computes it (same rounding), so values do not depend on the start.
            nextS[rack] = (next + 1) * periodS[rack]! - offsetS[rack]!;
            level[rack] = slotLevel(kind, hashUniform(stream, key[rack]!, next));
          } else {
            this.#refresh(rack, timeS);
          }
        }
        // Re-filed: under its new time when refreshed (always after `timeS`), or in this bucket again.
        this.#schedule(rack);
        rack = following;
      }
    }
    this.#doneBucket = lastBucket;
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
    this.level[rack] = slotLevel(kind, hashUniform(seed ^ streamC, key, slot));
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
