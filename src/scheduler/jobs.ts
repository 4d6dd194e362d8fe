/**
 * Jobs: what a tenant asks for (a gang of identical members, each with whole or fractional GPUs, CPU and memory),
 * its constraints (GPU models, topology, data class, deferral window) and its life in the scheduler:
 * queued → admitted → running → succeeded | failed | preempted | cancelled, with a human reason while it waits.
 */

import type { FlexClass } from "../model/flexibility.ts";

/** Data classes; `health` data runs only in zones certified for it. */
export const dataClasses = ["public", "confidential", "health"] as const;
/** One data class. */
export type DataClass = (typeof dataClasses)[number];

/** Topology scopes a gang may ask to share, narrowest first. `nvlink`: one NVLink domain. */
export const topologyScopes = ["nvlink", "rack", "row", "block", "hall"] as const;
/** One topology scope. */
export type TopologyScope = (typeof topologyScopes)[number];

/** A topology wish: `required` scopes are all-or-nothing; preferred ones fall back to any placement. */
export interface TopologyConstraint {
  readonly scope: TopologyScope;
  readonly required: boolean;
}

/** `Job.model` while a search may use any GPU model (single-member jobs without per-model quota). */
export const anyModel = -2;

/** States of a job. */
export type JobState = "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";

/** How a run ends when it reaches its duration (traces record failed runs too). */
export type JobOutcome = "succeeded" | "failed";

/** What a job asks for. Durations and times are seconds from the start of the replay. */
export interface JobSpec {
  readonly id: string;
  /** Queue (tenant queue) the job is submitted to. */
  readonly queue: string;
  readonly submitS: number;
  /** How long it runs once started (what the trace recorded). */
  readonly durationS: number;
  /** What the user announced; backfill plans with it. Defaults to `durationS`. */
  readonly expectedDurationS: number;
  /** Gang size: all members start together or none does. */
  readonly members: number;
  /** GPUs per member. */
  readonly gpus: number;
  /** Milli of each GPU: 1000 for whole GPUs; below 1000 shares one GPU (then `gpus` is 1). */
  readonly gpuMilli: number;
  /** Accepted GPU models (openb `gpu_spec`); empty accepts any. */
  readonly gpuModels: readonly string[];
  readonly cpuMilli: number;
  readonly memoryMib: number;
  readonly topology: TopologyConstraint | undefined;
  /** Priority class name; the queue's default when undefined. */
  readonly priorityClass: string | undefined;
  /** May wait for cooler or lower-carbon hours, as long as it still ends by `deadlineS`. */
  readonly deferrable: boolean;
  readonly deadlineS: number | undefined;
  readonly dataClass: DataClass;
  /**
   * What a grid curtailment may do to it (`src/model/flexibility.ts`), decided at submission from what it declares,
   * its queue and its data class; undefined: the class of the rack it runs on.
   */
  readonly flexibility?: FlexClass | undefined;
  readonly outcome: JobOutcome;
  /** Withdrawn by its owner at this time if it has not started (openb pods deleted while pending). */
  readonly cancelAtS: number | undefined;
}

/** Fills the optional parts of a job spec with their defaults (whole GPUs when it asks GPUs). */
export function jobSpec(fields: Pick<JobSpec, "id" | "queue" | "submitS" | "durationS"> & Partial<JobSpec>): JobSpec {
  return {
    expectedDurationS: fields.durationS,
    members: 1,
    gpus: 0,
    gpuMilli: (fields.gpus ?? 0) > 0 ? 1000 : 0,
    gpuModels: [],
    cpuMilli: 1000,
    memoryMib: 1024,
    topology: undefined,
    priorityClass: undefined,
    deferrable: false,
    deadlineS: undefined,
    dataClass: "public",
    outcome: "succeeded",
    cancelAtS: undefined,
    ...fields,
  };
}

/** Checks the internal consistency of a spec; returns problems as `field: message` strings. */
export function specProblems(spec: JobSpec): string[] {
  const problems: string[] = [];
  const integer = (name: keyof JobSpec, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) problems.push(`${name}: expected an integer ≥ ${min}, got ${value}`);
  };
  if (spec.id === "") problems.push("id: empty");
  if (spec.queue === "") problems.push("queue: empty");
  if (!Number.isFinite(spec.submitS) || spec.submitS < 0) problems.push(`submitS: expected ≥ 0, got ${spec.submitS}`);
  if (!(spec.durationS >= 0)) problems.push(`durationS: expected ≥ 0, got ${spec.durationS}`);
  if (!(spec.expectedDurationS >= 0)) problems.push(`expectedDurationS: expected ≥ 0, got ${spec.expectedDurationS}`);
  integer("members", spec.members, 1);
  integer("gpus", spec.gpus, 0);
  integer("cpuMilli", spec.cpuMilli, 0);
  integer("memoryMib", spec.memoryMib, 0);
  if (spec.gpus === 0 && spec.gpuMilli !== 0) problems.push(`gpuMilli: must be 0 without GPUs, got ${spec.gpuMilli}`);
  if (spec.gpus > 0 && (!Number.isInteger(spec.gpuMilli) || spec.gpuMilli < 1 || spec.gpuMilli > 1000)) {
    problems.push(`gpuMilli: expected an integer from 1 to 1000, got ${spec.gpuMilli}`);
  }
  if (spec.gpus > 1 && spec.gpuMilli !== 1000) {
    problems.push(`gpuMilli: a share of a GPU (${spec.gpuMilli}) needs gpus 1, got ${spec.gpus}`);
  }
  if (spec.gpus === 0 && spec.cpuMilli === 0 && spec.memoryMib === 0) problems.push("asks for no resource at all");
  if (spec.deadlineS !== undefined && !(spec.deadlineS >= spec.submitS)) {
    problems.push(`deadlineS: ${spec.deadlineS} is before submitS ${spec.submitS}`);
  }
  if (spec.cancelAtS !== undefined && !(spec.cancelAtS >= spec.submitS)) {
    problems.push(`cancelAtS: ${spec.cancelAtS} is before submitS ${spec.submitS}`);
  }
  return problems;
}

/** A job inside the scheduler: its spec, state and placement. */
export class Job {
  readonly index: number;
  readonly spec: JobSpec;
  state: JobState = "queued";
  /** Why it waits (or why it ended), for people. */
  reason = "";
  /** Queue index in the quota tree. */
  queue = -1;
  priority = 0;
  /** Whether its priority class may preempt lower-priority work. */
  preempts = false;
  /** Interned shape of its demand: jobs of one shape fail placement together. */
  shape = -1;
  /** First admission time (queueing delay), last start and end. */
  firstStartS = Number.NaN;
  startS = Number.NaN;
  endS = Number.NaN;
  /** Run serial: bumps at every start so that stale completion events are ignored after a preemption. */
  serial = 0;
  preemptions = 0;
  /** GPU model index of the current run or search (-1 CPU-only, `anyModel` while searching every model). */
  model = -1;
  /** Position in the scheduler's list of placed jobs, -1 when not placed. */
  placedSlot = -1;
  /** Pools (inventory indexes) the job may use, resolved at submission. */
  pools: readonly number[] = [];
  /** Releases in its pools (and limit changes) when it last failed for capacity: until they change, it still fails. */
  blockedStamp = Number.NaN;
  /** GPU models (inventory indexes) the job accepts, resolved at submission. */
  modelOptions: readonly number[] = [];
  /** When the current run was admitted. */
  admittedS = Number.NaN;
  /** Nodes of the members of the current run (length = members). */
  nodes: Int32Array;
  /** GPUs of the current run, `gpus` per member in member order. */
  gpus: Int32Array;
  /** Estimated IT power of the current run (kW), from the racks' design power per GPU. */
  powerKw = 0;
  /** Estimated energy of all runs so far (kWh). */
  energyKwh = 0;
  /** GPU milli-seconds received, for usage reports. */
  gpuMilliSeconds = 0;
  /** Cycle-skip marker: the scheduler epoch at which it last failed (nothing was released since, so it still fails). */
  blockedEpoch = -1;
  /** What blocked it then (the scheduler's outcome code). */
  blockedOutcome = 0;
  /** The quota resource and availability its quota reason was written for, to rewrite it only when they change. */
  quotaShort = -1;
  quotaAvailable = Number.NaN;
  /** Start of the interval whose energy and GPU time are not yet accounted. */
  usageSinceS = Number.NaN;
  /** Earliest time to look at it again (deferral). */
  notBeforeS = 0;

  constructor(index: number, spec: JobSpec) {
    this.index = index;
    this.spec = spec;
    this.nodes = new Int32Array(spec.members).fill(-1);
    this.gpus = new Int32Array(spec.members * spec.gpus).fill(-1);
  }

  /** Whether the job holds resources. */
  get placed(): boolean {
    return this.state === "admitted" || this.state === "running";
  }

  /** Whether the job is over. */
  get finished(): boolean {
    return (
      this.state === "succeeded" || this.state === "failed" || this.state === "cancelled" || this.state === "preempted"
    );
  }

  /** GPU milli the whole gang holds while placed. */
  get gpuMilliTotal(): number {
    return this.spec.members * this.spec.gpus * this.spec.gpuMilli;
  }
}
