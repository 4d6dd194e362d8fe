/**
 * The flexibility class of each rack of the twin when its load is a scheduled job trace (`simulate --jobs`): taken
 * from the jobs running on the rack at each moment, by the live platform's rule (`src/model/flexibility.ts`: a job's
 * declared class checked against its queue's, health jobs protected by default, a job with neither takes its rack's
 * `rackFallbackClass`), not from the synthetic fleet shares (which stay for the synthetic load).
 *
 * The controller acts per rack, so a rack answers with the most protected class of the jobs on it: one protected job
 * and the rack is never touched; it is paused only when every job on it may be paused and can wait out the event and
 * its release and still end by its deadline; preempted only when every job on it is preemptible. A job spanning racks
 * of different classes is paused or capped rack by rack (the live plan acts per job).
 */
import { type FlexClass, flexClasses, flexRank, jobFlexClass, rackFallbackClass } from "../model/flexibility.ts";
import type { JobSpec } from "../scheduler/jobs.ts";
import type { QueueSetConfig } from "../scheduler/queues.ts";
import type { RackChanges } from "../scheduler/rack-timeline.ts";
import type { Partition } from "../twin/layout.ts";
import { profileClasses } from "../twin/layout.ts";

/** A scheduled trace as the twin's curtailment plan reads it. */
export interface JobPlacements {
  /** Who runs where, when (trace time; `source.changes` of the schedule). */
  readonly changes: RackChanges;
  /** The scheduled jobs' specs, by the index the changes give. */
  readonly jobs: readonly JobSpec[];
  /** The queue configuration the trace was scheduled with (undefined: queues without a class). */
  readonly queues: QueueSetConfig | undefined;
  /** Twin time of the trace's time 0 (the run's start). */
  readonly offsetS: number;
}

/** The classes the trace's jobs got, as the flexibility report gives them. */
export interface JobClassCounts {
  /** Jobs by the class they got (job, queue or health rule). */
  readonly byClass: Record<FlexClass, number>;
  /** Jobs with no class of their own: they take their rack's (`rackFallbackClass`). */
  readonly fromRack: number;
  /** Declarations more protected than the job's queue allows: ignored (the job got its queue's class, or its rack's). */
  readonly refused: number;
  /** The first refusals, with the job and the reason. */
  readonly refusals: readonly string[];
}

/** Each job's class (undefined: its rack's), and the declarations refused (see `JobClassCounts`). */
export function resolveJobClasses(
  jobs: readonly JobSpec[],
  queues: QueueSetConfig | undefined,
): { classes: (FlexClass | undefined)[]; counts: JobClassCounts } {
  const queueClass = new Map<string, FlexClass>();
  for (const queue of queues?.queues ?? [])
    if (queue.flexibility !== undefined) queueClass.set(queue.name, queue.flexibility);
  const byClass = Object.fromEntries(flexClasses.map((name) => [name, 0])) as Record<FlexClass, number>;
  let fromRack = 0;
  const refusals: string[] = [];
  let refused = 0;
  const classes = jobs.map((spec) => {
    const inputs = { declared: spec.flexibility, queueClass: queueClass.get(spec.queue), dataClass: spec.dataClass };
    let outcome = jobFlexClass(inputs);
    if ("refused" in outcome) {
      refused++;
      if (refusals.length < 5) refusals.push(`job ${spec.id} (queue ${spec.queue}): flexibility ${outcome.refused}`);
      outcome = jobFlexClass({ ...inputs, declared: undefined });
    }
    const flexClass = "refused" in outcome ? undefined : outcome.class;
    if (flexClass === undefined) fromRack++;
    else byClass[flexClass]++;
    return flexClass;
  });
  return { classes, counts: { byClass, fromRack, refused, refusals } };
}

/** One job on one rack: its members there and when its run began (trace time). */
interface RackJob {
  readonly job: number;
  members: number;
  readonly startS: number;
}

/**
 * Per rack of a partition, the jobs running on it as the twin's clock moves forward (`advance`), their rack class
 * (index in `flexClasses`), the deadline slack of a pause and the GPUs at work.
 */
export class JobRackClasses {
  readonly #placements: JobPlacements;
  readonly #jobClass: (FlexClass | undefined)[];
  readonly #racks: Partition["racks"];
  /** Partition rack of each site rack (-1: another partition's). */
  readonly #localOf: Int32Array;
  readonly #onRack: RackJob[][];
  #cursor = 0;
  #lastS = Number.NEGATIVE_INFINITY;
  /** Per rack: class index of the work on it now (`flexClasses` order). */
  readonly classes: Uint8Array;
  /**
   * Per rack: how long the work on it may be paused and still end by every deadline, s (deadline − start of its run
   * − expected duration, the least over its jobs; infinite when none has a deadline).
   */
  readonly slackS: Float64Array;
  /** Per rack: GPUs its jobs hold (whole or shared). */
  readonly gpus: Float64Array;
  /** The classes the trace's jobs got. */
  readonly counts: JobClassCounts;

  /** Classes of `partition`'s racks under the jobs of `placements`. */
  constructor(placements: JobPlacements, partition: Partition) {
    this.#placements = placements;
    const resolved = resolveJobClasses(placements.jobs, placements.queues);
    this.#jobClass = resolved.classes;
    this.counts = resolved.counts;
    const racks = partition.racks;
    this.#racks = racks;
    this.#localOf = new Int32Array(placements.changes.rackCount).fill(-1);
    for (let rack = 0; rack < racks.count; rack++) {
      const site = racks.globalIndex[rack]!;
      if (site < this.#localOf.length) this.#localOf[site] = rack;
    }
    this.#onRack = Array.from({ length: racks.count }, () => []);
    this.classes = new Uint8Array(racks.count);
    this.slackS = new Float64Array(racks.count).fill(Number.POSITIVE_INFINITY);
    this.gpus = new Float64Array(racks.count);
    for (let rack = 0; rack < racks.count; rack++) this.#refresh(rack);
  }

  /** The class of a rack with no job of its own class: its profile's fallback (GPU-less racks protected). */
  #fallback(rack: number): FlexClass {
    const racks = this.#racks;
    return rackFallbackClass(profileClasses[racks.profile[rack]!]!, racks.gpus[rack]!);
  }

  /** Recomputes a rack's class, slack and GPUs from its jobs. */
  #refresh(rack: number): void {
    const fallback = this.#fallback(rack);
    // Racks without GPUs carry everything else's service: never curtailed, whatever runs on them.
    const jobs = this.#onRack[rack]!;
    let rank = this.#racks.gpus[rack] === 0 ? 0 : jobs.length === 0 ? flexRank(fallback) : flexClasses.length - 1;
    let slack = Number.POSITIVE_INFINITY;
    let gpus = 0;
    const specs = this.#placements.jobs;
    for (const entry of jobs) {
      const spec = specs[entry.job]!;
      rank = Math.min(rank, flexRank(this.#jobClass[entry.job] ?? fallback));
      if (spec.deadlineS !== undefined) {
        slack = Math.min(slack, spec.deadlineS - entry.startS - spec.expectedDurationS);
      }
      gpus += (entry.members * spec.gpus * spec.gpuMilli) / 1000;
    }
    this.classes[rack] = rank;
    this.slackS[rack] = slack;
    this.gpus[rack] = Math.min(gpus, this.#racks.gpus[rack]!);
  }

  /**
   * Moves to twin time `timeS` (forward; going back starts again) and calls `changed` with every rack whose jobs
   * changed, after its class is recomputed.
   */
  advance(timeS: number, changed: (rack: number) => void): void {
    const traceS = timeS - this.#placements.offsetS;
    const changes = this.#placements.changes;
    if (traceS < this.#lastS) {
      this.#cursor = 0;
      for (const list of this.#onRack) list.length = 0;
      for (let rack = 0; rack < this.#onRack.length; rack++) this.#refresh(rack);
    }
    this.#lastS = traceS;
    const touched = new Set<number>();
    while (this.#cursor < changes.times.length && changes.times[this.#cursor]! <= traceS) {
      const index = this.#cursor++;
      const rack = this.#localOf[changes.racks[index]!]!;
      if (rack < 0) continue;
      const job = changes.jobs[index]!;
      const list = this.#onRack[rack]!;
      const at = list.findIndex((entry) => entry.job === job);
      if (changes.deltas[index]! > 0) {
        if (at < 0) list.push({ job, members: 1, startS: changes.times[index]! });
        else list[at]!.members++;
      } else if (at >= 0 && --list[at]!.members === 0) list.splice(at, 1);
      touched.add(rack);
    }
    for (const rack of touched) {
      this.#refresh(rack);
      changed(rack);
    }
  }
}
