/**
 * What the platform keeps of a job besides the scheduler's state: who submitted it, its command, what a real
 * executor reported, and the views the API reads (usage is metered apart, in app/usage). A job that ended under an
 * earlier scheduler generation is kept as a frozen view, so a site change neither forgets it nor holds the old
 * generation in memory.
 */
import type { SlurmJob } from "../../execution/slurm-cli.ts";
import type { Job, JobSpec } from "../../scheduler/jobs.ts";
import type { JobControl } from "./controls.ts";
import { type Generation, type JobPlacement, placementOf } from "./generation.ts";

/** A job the platform knows, bound to the scheduler generation that holds it now. */
export interface JobRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly projectId: string;
  /** The project's name, read once at submission or restore (projects are never renamed). */
  readonly projectName?: string | undefined;
  readonly userId: string;
  readonly name: string;
  readonly synthetic: boolean;
  /** The job in its generation's scheduler (replaced when a site change carries it over). */
  job: Job;
  generation: Generation;
  /** The batch script body for a real executor. */
  readonly command?: string | undefined;
  /** What a real executor reported of the run (Slurm job id, exit code, real start and end). */
  run?: SlurmJob;
  /** Where the job last ran: an ended job still says where its data was processed. */
  lastPlacement?: JobPlacement;
  /** Its array, dependencies and hold (the object the engine's controls hold), when it has any. */
  control?: JobControl | undefined;
  /**
   * The grid event that paused or capped it, while it does (set and cleared by the event's curtailment; the record,
   * not the scheduler's job, so it survives a site change).
   */
  gridEvent?: { readonly id: string; readonly endsAt: string } | undefined;
  /** When it was submitted, as stored (a restart starts the scheduler's clock again; demo jobs have none). */
  submittedAt?: string | undefined;
  /**
   * Its deadline, the wall-clock instant asked for (ISO 8601): the same at any speed and after a restart, where the
   * scheduler takes one that passed while the platform was stopped as now. Undefined when it has none.
   */
  readonly deadline?: string | undefined;
}

/**
 * What a grid curtailment holds a running job to now, read from its scheduler (the truth of the run), with the event
 * that did it: null when it runs free.
 */
export function curtailmentView(record: JobRecord) {
  const held = record.generation.live.held(record.job);
  if (held === undefined) return null;
  return {
    kind: held.paused ? ("suspended" as const) : ("capped" as const),
    powerShare: held.share,
    gridEventId: record.gridEvent?.id ?? null,
    until: record.gridEvent?.endsAt ?? null,
  };
}

/** A job's array, dependencies and hold as the API shows them. */
export function controlView(control: JobControl | undefined) {
  return {
    arrayJobId: control?.arrayJobId ?? null,
    arrayTaskId: control?.arrayTaskId ?? null,
    dependsOn: [...(control?.dependsOn ?? [])],
    held: control?.hold === undefined ? null : { ...control.hold },
  };
}

/** What a job asks for, as the API shows it (live jobs and jobs read from the store alike). */
export function demandOf(spec: JobSpec) {
  return {
    gpus: spec.gpus * spec.members,
    gpuMilli: spec.gpuMilli,
    gpuModel: spec.gpuModels[0] ?? null,
    gpuModels: [...spec.gpuModels],
    priorityClass: spec.priorityClass ?? null,
    members: spec.members,
    dataClass: spec.dataClass,
    flexibility: spec.flexibility ?? null,
  };
}

/** Whether a job is still waiting or placed. */
export function isActive(job: Job): boolean {
  return job.state === "queued" || job.state === "admitted" || job.state === "running";
}

/** Where a job is: placed, where it runs now; ended, where it last ran; waiting (even after a requeue), nowhere. */
export function placementNow(record: JobRecord): JobPlacement | null {
  const job = record.job;
  if (job.state === "running" || job.state === "admitted") return placementOf(record.generation, job);
  return isActive(job) ? null : (record.lastPlacement ?? null);
}

/** The API's view of a job. */
export function jobView(record: JobRecord) {
  const job = record.job;
  const live = record.generation.live;
  // To the millisecond: a time taken back after a restart goes through the scheduler's clock and back.
  const iso = (timeS: number) =>
    Number.isFinite(timeS) ? new Date(Math.round(live.epochMsOf(timeS))).toISOString() : null;
  const isoMs = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const run = record.run;
  return {
    id: record.id,
    tenantId: record.tenantId,
    projectId: record.projectId,
    projectName: record.projectName ?? null,
    userId: record.userId,
    name: record.name,
    queue: job.spec.queue,
    state: job.state,
    reason: job.reason,
    ...demandOf(job.spec),
    ...controlView(record.control),
    submittedAt: record.submittedAt ?? iso(job.spec.submitS),
    ...(record.deadline === undefined ? {} : { deadline: record.deadline }),
    // When it first started: a requeued job keeps its first start, and an ended job its start.
    startedAt: run?.startMs !== undefined ? isoMs(run.startMs) : iso(job.firstStartS),
    endedAt: isActive(job) ? null : run?.endMs !== undefined ? isoMs(run.endMs) : iso(job.endS),
    placement: placementNow(record),
    curtailment: curtailmentView(record),
    synthetic: record.synthetic,
    execution:
      run === undefined
        ? null
        : {
            backend: "slurm" as const,
            externalId: String(run.id),
            state: run.state,
            exitCode: run.exitCode,
            signal: run.signal,
            startedAt: isoMs(run.startMs),
            endedAt: isoMs(run.endMs),
            nodes: run.nodes,
            restarts: run.restarts,
          },
  };
}

/** The API's view of a job. */
export type JobView = ReturnType<typeof jobView>;

/** A job that ended under an earlier generation: what the API keeps of it. */
export interface EndedJob {
  readonly tenantId: string;
  readonly userId: string;
  readonly synthetic: boolean;
  readonly view: JobView;
}

/** Freezes an ended job's views. */
export function endedJob(record: JobRecord): EndedJob {
  return {
    tenantId: record.tenantId,
    userId: record.userId,
    synthetic: record.synthetic,
    view: jobView(record),
  };
}
