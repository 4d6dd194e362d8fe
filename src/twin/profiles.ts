/**
 * What drives the twin's IT load: utilisation per segment (a run of identical racks in a row, see `layout.ts`).
 * Synthetic profiles (training, inference, office hours) are generated per segment from a seed; any rack-level
 * `UtilisationSource` (the scheduler's replay, telemetry) is averaged into segments instead.
 */
import type { UtilisationSource } from "../model/utilisation.ts";
import type { SegmentTable } from "./layout.ts";
import { hashUniform } from "./random.ts";
import { secondsPer } from "./time.ts";

/** Utilisation as the kernel reads it: the mean over each segment's racks. */
export interface SegmentLoad {
  /** Writes the mean utilisation (0–1) of every segment of the partition at `timeS`. Must not allocate. */
  fillSegments(timeS: number, out: Float64Array): void;
  /** Utilisation of one rack (site index) as of the last `fillSegments`, for the per-rack series. */
  rackUtilisation(rackIndex: number): number;
}

/** A rack-level source that can say when its utilisation next changes (an event-driven replay can). */
export interface ChangeAwareSource extends UtilisationSource {
  /** The next time, after `timeS`, at which any rack's utilisation changes. */
  nextChangeS(timeS: number): number;
}

/** Length of a synthetic noise slot: utilisation noise and job interruptions change every 15 minutes. */
export const profileSlotS = 900;

// Shapes of the three classes. Training: large jobs keep GPUs near 90 % busy, with interruptions (restart from a
// checkpoint, job boundaries) about 2 % of the time. Inference: follows the users' day, lowest at 04:00, highest at
// 16:00, a quarter lower at weekends. Office hours: campus and hospital work on weekdays from 08:00 to 19:00.
const trainingLevel = 0.92;
const trainingNoise = 0.03;
const trainingInterruptionProbability = 0.02;
const trainingInterruptedLevel = 0.3;
const inferenceFloor = 0.3;
const inferenceSwing = 0.5;
const inferenceWeekendFactor = 0.75;
const inferenceNoise = 0.06;
const officeBusy = 0.75;
const officeQuiet = 0.12;
const officeNoise = 0.05;

/** Base utilisation of each class at `timeS` (the year starts on a Monday), written into `out[0..2]`. */
export function profileBases(timeS: number, out: Float64Array): void {
  const day = Math.floor(timeS / secondsPer.d);
  const hour = (timeS - day * secondsPer.d) / secondsPer.h;
  const weekend = day % 7 >= 5;
  out[0] = trainingLevel;
  const diurnal = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24);
  out[1] = inferenceFloor + inferenceSwing * diurnal * (weekend ? inferenceWeekendFactor : 1);
  // One-hour ramps at the start (08:00) and end (19:00) of the working day.
  const working = weekend ? 0 : Math.min(1, Math.max(0, hour - 7), Math.max(0, 20 - hour));
  out[2] = officeQuiet + (officeBusy - officeQuiet) * working;
}

/**
 * Seeded synthetic utilisation for the segments of a partition. Every rack of a segment shares one value; each
 * segment has its own noise and interruptions, hashed from (seed, segment, 15-minute slot), so the values do not
 * depend on the step, on the partition or on which worker computes them. Also a rack-level `UtilisationSource`.
 */
export class SyntheticLoad implements SegmentLoad, UtilisationSource {
  readonly #segments: SegmentTable;
  readonly #seed: number;
  readonly #bases = new Float64Array(3);
  readonly #noise: Float64Array;
  readonly #current: Float64Array;
  #slot = -1;

  /** Profiles for `segments` (their `profile` class and site-wide index) with `seed`. */
  constructor(segments: SegmentTable, seed: number) {
    this.#segments = segments;
    this.#seed = seed | 0;
    this.#noise = new Float64Array(segments.count);
    this.#current = new Float64Array(segments.count);
  }

  #refreshNoise(slot: number): void {
    const { count, globalIndex, profile } = this.#segments;
    const noise = this.#noise;
    const seed = this.#seed;
    for (let segment = 0; segment < count; segment++) {
      const key = globalIndex[segment]!;
      const centred = 2 * hashUniform(seed, key, slot) - 1;
      const kind = profile[segment]!;
      if (kind === 0) {
        const interrupted = hashUniform(seed ^ 0x1f2e3d4c, key, slot) < trainingInterruptionProbability;
        noise[segment] = interrupted ? trainingInterruptedLevel - trainingLevel : trainingNoise * centred;
      } else {
        noise[segment] = (kind === 1 ? inferenceNoise : officeNoise) * centred;
      }
    }
    this.#slot = slot;
  }

  /** Writes every segment's utilisation at `timeS`. */
  fillSegments(timeS: number, out: Float64Array): void {
    const slot = Math.floor(timeS / profileSlotS);
    if (slot !== this.#slot) this.#refreshNoise(slot);
    const bases = this.#bases;
    profileBases(timeS, bases);
    const noise = this.#noise;
    const profile = this.#segments.profile;
    const current = this.#current;
    for (let segment = 0; segment < out.length; segment++) {
      const value = bases[profile[segment]!]! + noise[segment]!;
      const clamped = Math.min(1, Math.max(0, value));
      current[segment] = clamped;
      out[segment] = clamped;
    }
  }

  /** A rack shares its segment's value. */
  rackUtilisation(rackIndex: number): number {
    const segment = segmentOfRack(this.#segments, rackIndex);
    return segment < 0 ? 0 : this.#current[segment]!;
  }

  /** Rack-level view: writes each rack's utilisation (its segment's) for racks of this partition's segments. */
  fill(timeS: number, out: Float64Array): void {
    this.fillSegments(timeS, this.#current);
    const { count, rackStart, rackCount } = this.#segments;
    for (let segment = 0; segment < count; segment++) {
      out.fill(this.#current[segment]!, rackStart[segment]!, rackStart[segment]! + rackCount[segment]!);
    }
  }
}

/** Index of the segment holding a site rack, or −1 (binary search: segments are in rack order). */
export function segmentOfRack(segments: SegmentTable, rackIndex: number): number {
  let low = 0;
  let high = segments.count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const start = segments.rackStart[middle]!;
    if (rackIndex < start) high = middle - 1;
    else if (rackIndex >= start + segments.rackCount[middle]!) low = middle + 1;
    else return middle;
  }
  return -1;
}

/**
 * Adapts a rack-level `UtilisationSource` to segments: fills the site's rack array and averages each segment. Every
 * rack is touched at each refresh, so refreshes are rationed: at `nextChangeS` when the source offers it, otherwise
 * every `refreshS` seconds (the step by default).
 */
export class RackSourceLoad implements SegmentLoad {
  readonly #source: UtilisationSource;
  readonly #segments: SegmentTable;
  readonly #racks: Float64Array;
  readonly #means: Float64Array;
  readonly #refreshS: number;
  #nextRefreshS = Number.NEGATIVE_INFINITY;

  /** Wraps `source` for `segments` of a site with `rackCount` racks, refreshing at most every `refreshS`. */
  constructor(source: UtilisationSource, segments: SegmentTable, rackCount: number, refreshS: number) {
    this.#source = source;
    this.#segments = segments;
    this.#racks = new Float64Array(rackCount);
    this.#means = new Float64Array(segments.count);
    this.#refreshS = refreshS;
  }

  /** Refreshes the rack values when due and writes segment means. */
  fillSegments(timeS: number, out: Float64Array): void {
    if (timeS >= this.#nextRefreshS) {
      this.#source.fill(timeS, this.#racks);
      const { count, rackStart, rackCount } = this.#segments;
      for (let segment = 0; segment < count; segment++) {
        const start = rackStart[segment]!;
        const end = start + rackCount[segment]!;
        let sum = 0;
        for (let rack = start; rack < end; rack++) {
          const value = this.#racks[rack]!;
          sum += Math.min(1, Math.max(0, value));
        }
        this.#means[segment] = sum / (end - start);
      }
      const source = this.#source as Partial<ChangeAwareSource>;
      this.#nextRefreshS =
        typeof source.nextChangeS === "function" ? source.nextChangeS(timeS) : timeS + this.#refreshS;
    }
    out.set(this.#means);
  }

  /** The rack's own value from the last refresh. */
  rackUtilisation(rackIndex: number): number {
    return this.#racks[rackIndex] ?? 0;
  }
}
