/**
 * The jobs engine of the live platform: the scheduler generation over the site in force, every job's record, the
 * rack index the console reads, persistence and audit of API jobs, and the demo workload.
 *
 * Sovereignty follows the site in force. When the site changes, or a zone's certification lapses on the clock
 * (checked every second), the engine builds a new generation and carries every job over: a waiting job keeps its
 * place in its queue; a placed job is adopted where it runs when its racks still exist, or requeued (its Slurm run
 * held) when they do not; then every placed job whose racks are no longer in a zone that may host its data class is
 * displaced (requeued with the reason, audited as `job.preempted`). Health jobs that no zone may host wait with a
 * reason naming the zone, instead of being refused. The `zoneId` of a `job.start` is thus always the zone of the
 * racks in the site in force when it started.
 */
import { type Selectable, sql, type Updateable } from "kysely";
import { type ExecutionConfig, simulatedExecution, usesSlurm } from "../../execution/config.ts";
import {
  freeGpusOn,
  type NativeArrays,
  type Reconciled,
  type SlurmHooks,
  type StoredRun,
} from "../../execution/slurm.ts";
import { slurmNodeName, slurmNodeNames } from "../../execution/slurm-config.ts";
import type { LiveShiftFactory } from "../../flex/shift-live.ts";
import type { Site } from "../../model/site.ts";
import type { VersionedUtilisationSource } from "../../model/utilisation.ts";
import { nextLapseMs, zonePolicyKey } from "../../model/zones.ts";
import type { DrainFeed } from "../../scheduler/checks.ts";
import type { Job, JobSpec, jobSpec } from "../../scheduler/jobs.ts";
import type { QueueSetConfig } from "../../scheduler/queues.ts";
import { appendAudit } from "../../store/audit.ts";
import type { Store } from "../../store/database.ts";
import type { JobsTable } from "../../store/schema.ts";
import type { LiveSnapshot } from "../../twin/live.ts";
import { GridCheck, type GridFeed } from "../grid/check.ts";
import { formatArray } from "./arrays.ts";
import { carryJobs } from "./carry.ts";
import { type JobControl, JobControls } from "./controls.ts";
import { isFinal } from "./dependencies.ts";
import { buildGeneration, type Generation, placementOf, racksOf, zoneViolation } from "./generation.ts";
import { type EndedJob, endedJob, isActive, type JobRecord } from "./records.ts";
import { specOnClock, storedDeadline } from "./spec-clock.ts";

/** Options of the engine. */
export interface JobsEngineOptions {
  readonly queues: QueueSetConfig;
  readonly execution?: ExecutionConfig;
  /** Simulated seconds per wall-clock second (default 1). */
  readonly speed?: number;
  /** The wall clock certifications are judged on (epoch ms; tests move it). Default `Date.now`. */
  readonly clock?: () => number;
  /** Where failures to record jobs and Slurm messages go (default: stderr lines); `serve` gives its JSON logger. */
  readonly log?: (message: string) => void;
  /** Maintenance drains every generation's scheduler follows. */
  readonly drainFeed?: DrainFeed | undefined;
  /** Price- and carbon-aware shifting of deferrable jobs, per generation. */
  readonly shift?: LiveShiftFactory | undefined;
  /** Grid events every generation's scheduler follows (they hold non-protected work). */
  readonly gridFeed?: GridFeed | undefined;
}

/** Order of stored jobs by submission time, tasks of one array (submitted together) by task index. */
function submissionOrder(
  a: { submitted_at: string; controls: unknown },
  b: { submitted_at: string; controls: unknown },
): number {
  if (a.submitted_at !== b.submitted_at) return a.submitted_at < b.submitted_at ? -1 : 1;
  const first = (a.controls ?? undefined) as JobControl | undefined;
  const second = (b.controls ?? undefined) as JobControl | undefined;
  if (first?.arrayJobId === undefined || first.arrayJobId !== second?.arrayJobId) return 0;
  return (first.arrayTaskId ?? 0) - (second.arrayTaskId ?? 0);
}

/**
 * Where a simulated run stands on the wall clock, kept in its stored placement (`run`) so that a restart of the
 * platform adopts it as it was: when this run started, and when it ends or, while a grid event pauses it, the run
 * time it has left (its end is off the clock then), with the speed those instants were written at (a restart at
 * another speed keeps the simulated run time, not the wall-clock end).
 */
interface SimulatedRunClock {
  readonly startedAt: string;
  readonly dueAt: string | null;
  /** Simulated seconds left to a paused run. */
  readonly leftS: number | null;
  /** Simulated seconds per wall-clock second the run went at; null: stored before it was kept (the speed in force). */
  readonly speed: number | null;
}

/** The run clock of a stored placement, when it has a well-formed one. */
function storedRunClock(placement: unknown): SimulatedRunClock | undefined {
  const run = (placement as { run?: Partial<SimulatedRunClock> } | null)?.run;
  if (typeof run?.startedAt !== "string" || !Number.isFinite(Date.parse(run.startedAt))) return undefined;
  const due = typeof run.dueAt === "string" && Number.isFinite(Date.parse(run.dueAt)) ? run.dueAt : null;
  const left = typeof run.leftS === "number" && run.leftS >= 0 ? run.leftS : null;
  const speed = typeof run.speed === "number" && run.speed > 0 && Number.isFinite(run.speed) ? run.speed : null;
  return due === null && left === null ? undefined : { startedAt: run.startedAt, dueAt: due, leftS: left, speed };
}

/** Why a simulated run waits again after a restart: where it ran may no longer take it. */
function movedReason(why: string): string {
  return `preempted: ${why} (after a platform restart)`;
}

/** A job row as the store holds it, read back by `JobsEngine.restore`. */
type StoredJobRow = Selectable<JobsTable>;

/** A stored job as Slurm's reconciliation matches it: its Slurm id, spec, stored nodes and array task. */
function storedRunOf(row: StoredJobRow): StoredRun {
  const placement = row.placement as { nodes?: unknown } | null;
  const control = (row.controls ?? undefined) as JobControl | undefined;
  return {
    id: row.id,
    state: row.state,
    slurmId: row.external_id === null ? undefined : Number(row.external_id),
    spec: row.spec as ReturnType<typeof jobSpec>,
    nodes: Array.isArray(placement?.nodes) ? (placement.nodes as string[]) : undefined,
    // Its array's waiting tasks are taken back from the Slurm array they wait in.
    array:
      control?.arrayJobId === undefined || control.arrayTaskId === undefined
        ? undefined
        : { arrayJobId: control.arrayJobId, taskId: control.arrayTaskId },
  };
}

/** A stored job that waits again after a restart, with its held Slurm job, or where its simulated run moved from. */
interface RestoredWaiting {
  readonly row: StoredJobRow;
  readonly heldSlurmId: number | undefined;
  readonly moved?: { why: string; racks: readonly string[] };
}

/** What a restart does with a simulated run the store says was running (see `JobsEngine.restore`). */
type SimulatedTakeBack =
  | { readonly kind: "adopt"; readonly job: Job; readonly clock: SimulatedRunClock }
  | { readonly kind: "ended"; readonly atMs: number }
  | { readonly kind: "moved"; readonly why: string; readonly racks: readonly string[] };

/** Jobs, their scheduler generation, persistence and audit. */
export class JobsEngine {
  readonly #store: Store;
  readonly #options: JobsEngineOptions;
  readonly #clock: () => number;
  #generation: Generation;
  /** The queue configuration in force (the stored one, plus demo queues while the demo load runs). */
  #queues: QueueSetConfig;
  /** Jobs of the current generation, by id. */
  readonly records = new Map<string, JobRecord>();
  /** Jobs that ended under an earlier generation, by id. */
  readonly ended = new Map<string, EndedJob>();
  /** Running jobs by rack of the current generation, in job order (rack reads are hot: kept up to date). */
  readonly #rackJobs = new Map<number, JobRecord[]>();
  readonly #listedRacks = new Map<number, readonly number[]>();
  /** Holds, dependencies and array throttles of the jobs (every generation applies them). */
  readonly controls = new JobControls((id) => this.records.get(id)?.job.state ?? this.ended.get(id)?.view.state);
  /** Native Slurm arrays by alixan array id (each generation's Slurm executor shares them). */
  readonly #slurmArrays: NativeArrays = { arrays: new Map(), refs: new Map() };
  /** The Slurm job id of every API job handed to Slurm (a dependent's `--dependency` names them). */
  readonly #slurmIds = new Map<string, number>();
  #writes = Promise.resolve();
  #policyTimer: NodeJS.Timeout | undefined;
  /** What `placementVersion` counted under the generations before this one (each rebuild adds one more). */
  #earlierPlacements = 0;
  #nextLapseMs = Number.POSITIVE_INFINITY;

  constructor(store: Store, site: Site, version: number, options: JobsEngineOptions) {
    this.#store = store;
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#queues = options.queues;
    // A dependency that can never be met ends its dependent (after the change that decided it has been applied).
    this.controls.onInvalid = (jobId, why) => queueMicrotask(() => this.#cancelInvalid(jobId, why));
    this.controls.onReady = (jobId) => this.#wakeSoon(jobId);
    this.#generation = this.#build(site, version, undefined);
    this.#nextLapseMs = nextLapseMs(site, this.#clock());
  }

  /** The generation in force. */
  get generation(): Generation {
    return this.#generation;
  }

  /** Whether jobs run on Slurm in some hall. */
  get slurmMode(): boolean {
    return usesSlurm(this.#options.execution ?? simulatedExecution);
  }

  #build(site: Site, version: number, epochMs: number | undefined): Generation {
    return buildGeneration(site, version, {
      queues: this.#queues,
      execution: this.#options.execution ?? simulatedExecution,
      speed: this.#options.speed,
      epochMs,
      nowMs: this.#clock(),
      onChange: (generation, job) => {
        if (generation === this.#generation) this.controls.observe(job.spec.id, job.state);
        // A task of a native Slurm array that ends here without its Slurm task released: cancelled there too.
        if (isFinal(job.state) && generation.slurm !== undefined && this.controls.get(job.spec.id)?.arrayJobId)
          generation.slurm.discard(job);
        const record = generation.byJobIndex[job.index];
        if (record === undefined || record.generation !== this.#generation) return;
        this.#relist(record);
        this.#recordTransition(record);
      },
      onHold: (generation, job) => {
        const record = generation.byJobIndex[job.index];
        if (record !== undefined && record.generation === this.#generation) this.#storeRunClock(record);
      },
      slurmHooks: (generation) => this.#slurmHooks(generation),
      slurmArrays: this.#slurmArrays,
      drainFeed: this.#options.drainFeed,
      platformChecks:
        this.#options.gridFeed === undefined ? [this.controls] : [this.controls, new GridCheck(this.#options.gridFeed)],
      shift: this.#options.shift,
    });
  }

  /** Jobs to wake after the change being applied (woken together, then one cycle). */
  readonly #toWake = new Set<string>();

  /** Wakes a waiting job once the scheduler's current change is over: the next cycle looks at it again. */
  #wakeSoon(jobId: string): void {
    if (this.#toWake.size === 0)
      queueMicrotask(() => {
        const ids = [...this.#toWake];
        this.#toWake.clear();
        const generation = this.#generation;
        for (const id of ids) {
          const record = this.records.get(id);
          if (record?.job.state === "queued" && record.generation === generation)
            generation.live.scheduler.wake(record.job);
        }
        generation.live.kick();
      });
    this.#toWake.add(jobId);
  }

  /** Wakes a waiting job now (a hold released) and runs a cycle. */
  wake(record: JobRecord): void {
    this.#wakeSoon(record.id);
  }

  /** Ends a job whose dependency can never be met (Slurm's kill_invalid_depend), with the reason. */
  #cancelInvalid(jobId: string, why: string): void {
    const record = this.records.get(jobId);
    if (record === undefined || !isActive(record.job)) return;
    const generation = record.generation;
    // Recorded once, below, with the dependency's reason rather than the owner's wording of a cancel.
    generation.lastState.set(record.job.index, "cancelled");
    generation.live.cancel(record.job);
    record.job.reason = why;
    generation.lastState.delete(record.job.index);
    this.#recordTransition(record);
  }

  /** The stored controls of a job (submission, hold, release), for the jobs table's `controls` column. */
  controlOf(jobId: string): JobControl | undefined {
    return this.controls.get(jobId);
  }

  /** Checks the zones' certifications on the clock every second: a lapse rebuilds the generation. */
  startClock(): void {
    this.#policyTimer = setInterval(() => this.checkClock(), 1000);
    this.#policyTimer.unref();
  }

  /** Rebuilds the generation if what some zone may host changed since it was built (a certification lapsed). */
  checkClock(): void {
    const now = this.#clock();
    if (now < this.#nextLapseMs) return;
    const generation = this.#generation;
    this.#nextLapseMs = nextLapseMs(generation.site, now);
    if (zonePolicyKey(generation.site, now) !== generation.policyKey) {
      this.rebuild(generation.site, generation.version, "a zone certification lapsed");
    }
  }

  /** The queue configuration in force. */
  get queues(): QueueSetConfig {
    return this.#queues;
  }

  /**
   * Takes a new queue configuration into force: a new generation over the same site, every job carried over (the
   * caller has made sure no queue with work in flight disappeared) except those `keep` refuses.
   */
  setQueues(queues: QueueSetConfig, why: string, keep?: (record: JobRecord) => boolean): void {
    this.#queues = queues;
    this.rebuild(this.#generation.site, this.#generation.version, why, keep);
  }

  /** Takes a new site version into force: a new generation, every job carried over (see the file's comment). */
  rebuild(site: Site, version: number, why: string, keep?: (record: JobRecord) => boolean): void {
    const old = this.#generation;
    old.live.dispose();
    const generation = this.#build(site, version, old.live.epochMs);
    this.#nextLapseMs = nextLapseMs(site, this.#clock());
    // Jobs not kept (demo load being stopped) are left behind with the old generation, which is dropped.
    const records = [...this.records.values()].filter((record) => keep?.(record) ?? true);
    // Jobs whose racks are gone, or may no longer host their data, are displaced in the old generation first (its
    // executor holds their runs), then wait in the new one with the reason.
    const carried = carryJobs(old, generation, records, version, why);
    // The new generation's count starts again from what the old one reached: the version only ever moves forward.
    this.#earlierPlacements += old.live.placementVersion + 1;
    this.#generation = generation;
    this.#rackJobs.clear();
    this.#listedRacks.clear();
    this.records.clear();
    for (const outcome of carried) {
      const record = outcome.record;
      if (outcome.ended) {
        if (!record.synthetic) this.ended.set(record.id, endedJob(record));
        continue;
      }
      this.#register(record);
      if (outcome.displaced !== undefined) this.#auditDisplacement(record, outcome.displaced, outcome.racks, version);
      // The new site may refuse it outright (its GPU model gone): it failed while it had no record to tell, so it is
      // stored and audited now; otherwise the store still says it waits, and a restart would queue it again.
      else this.#recordTransition(record);
    }
    // Before the first cycle: a grid event in force re-binds its commands to the carried jobs (see `onRebuild`).
    for (const listener of this.#rebuildListeners) listener(generation, why);
    generation.live.kick();
    if (generation.slurm !== undefined) {
      void generation.slurm.pollNodes().catch(() => undefined);
      generation.slurm.start();
    }
    void old.slurm?.close();
  }

  readonly #rebuildListeners = new Set<(generation: Generation, why: string) => void>();

  /**
   * Calls `listener` after each new generation took the jobs over (site change, queue change, lapsed certification),
   * before its first cycle; answers the function that stops it.
   */
  onRebuild(listener: (generation: Generation, why: string) => void): () => void {
    this.#rebuildListeners.add(listener);
    return () => this.#rebuildListeners.delete(listener);
  }

  #auditDisplacement(record: JobRecord, reason: string, racks: readonly string[], version: number): void {
    if (record.synthetic) return;
    record.generation.lastState.set(record.job.index, record.job.state);
    this.#audit(record, "job.preempted", { state: record.job.state, reason, racks, siteVersion: version });
  }

  /** Makes a job known to the routes and the rack lists (its admission may have come before its record). */
  #register(record: JobRecord): void {
    this.records.set(record.id, record);
    this.controls.observe(record.id, record.job.state);
    record.generation.byJobIndex[record.job.index] = record;
    this.#relist(record);
  }

  /** Adds a new job's record and audits where it started if it already did. */
  add(record: JobRecord): void {
    this.#register(record);
    // An admission during `submit` found no record yet: record where the job started now.
    this.#recordTransition(record);
  }

  /** Puts a job back in the rack lists according to its state (every change of state relists it). */
  #relist(record: JobRecord): void {
    const job = record.job;
    for (const rack of this.#listedRacks.get(job.index) ?? []) {
      const list = this.#rackJobs.get(rack)!;
      list.splice(list.indexOf(record), 1);
      if (list.length === 0) this.#rackJobs.delete(rack);
    }
    this.#listedRacks.delete(job.index);
    if (job.state !== "running") return;
    const racks = racksOf(record.generation, job);
    for (const rack of racks) {
      const list = this.#rackJobs.get(rack);
      if (list === undefined) {
        this.#rackJobs.set(rack, [record]);
        continue;
      }
      let at = list.length;
      while (at > 0 && list[at - 1]!.job.index > job.index) at--;
      list.splice(at, 0, record);
    }
    this.#listedRacks.set(job.index, racks);
  }

  /** Running jobs on a rack of the current generation, in job order. */
  jobsOnRack(rack: number): readonly JobRecord[] {
    return this.#rackJobs.get(rack) ?? [];
  }

  /** Updates a stored job, adds the event to its history and appends the audit record, after the writes before it. */
  persist(id: string, fields: Updateable<JobsTable>, action: string, after: unknown): Promise<void> {
    const db = this.#store.db;
    this.#writes = this.#writes
      .then(() =>
        db.transaction().execute(async (trx) => {
          await trx
            .updateTable("jobs")
            .set({ ...fields, updated_at: new Date().toISOString() })
            .where("id", "=", id)
            .execute();
          await trx
            .insertInto("job_events")
            .values({
              job_id: id,
              at: new Date().toISOString(),
              kind: action,
              state: String(fields.state ?? ""),
              detail: JSON.stringify(after ?? {}),
            })
            .execute();
          await appendAudit(trx, {
            actor: "system:scheduler",
            action,
            resource: `job:${id}`,
            before: null,
            after,
            requestId: id,
          });
        }),
      )
      .catch((error: Error) => {
        this.#log(`cannot record ${action} of ${id}: ${error.message}`);
      });
    return this.#writes;
  }

  /** Reports a failure of this engine (jobs: prefixed on stderr when no log was given). */
  #log(message: string): void {
    if (this.#options.log !== undefined) this.#options.log(message);
    else process.stderr.write(`jobs: ${message}\n`);
  }

  /** Waits for every queued store write. */
  flush(): Promise<void> {
    return this.#writes;
  }

  #audit(record: JobRecord, action: string, after: unknown): Promise<void> {
    const run = record.run;
    const job = record.job;
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    const simulatedIso = (timeS: number) =>
      Number.isFinite(timeS) ? new Date(Math.round(record.generation.live.epochMsOf(timeS))).toISOString() : null;
    // A simulated run's clock goes with its placement (not into the audit record): a restart adopts it from there.
    const clock = action === "job.start" ? this.#runClockOf(record) : undefined;
    return this.persist(
      record.id,
      {
        state: job.state,
        reason: job.reason,
        ...(action === "job.start"
          ? { placement: JSON.stringify(clock === undefined ? after : { ...(after as object), run: clock }) }
          : {}),
        ...(run === undefined
          ? // A simulated run's times are the scheduler's: the first start (a requeued job keeps it) and the end.
            action === "job.start"
            ? { started_at: simulatedIso(job.firstStartS) }
            : isActive(job)
              ? {}
              : { ended_at: simulatedIso(job.endS) }
          : {
              executor: "slurm",
              external_id: String(run.id),
              exit_code: run.exitCode,
              started_at: iso(run.startMs),
              ended_at: iso(run.endMs),
            }),
      },
      action,
      after,
    );
  }

  /**
   * The wall-clock run of a simulated running job (undefined for runs a real executor holds): its start, and its due
   * end, or the run time it has left while paused. At its start the end is not on the clock yet: start + duration.
   */
  #runClockOf(record: JobRecord): SimulatedRunClock | undefined {
    const job = record.job;
    const generation = record.generation;
    const live = generation.live;
    if (job.state !== "running" || record.run !== undefined) return undefined;
    if (!(job.nodes[0]! >= 0 && generation.simulatedOn(job.nodes[0]!)) || !Number.isFinite(job.startS))
      return undefined;
    const iso = (timeS: number) => new Date(Math.round(live.epochMsOf(timeS))).toISOString();
    const held = live.held(job);
    if (held?.paused === true)
      return held.leftS === undefined
        ? undefined
        : { startedAt: iso(job.startS), dueAt: null, leftS: held.leftS, speed: live.speed };
    const dueS = live.finishDueS(job) ?? job.startS + job.spec.durationS;
    return { startedAt: iso(job.startS), dueAt: iso(dueS), leftS: null, speed: live.speed };
  }

  /** Stores the run clock of a simulated run again after a pause or resume moved its end (see `#runClockOf`). */
  #storeRunClock(record: JobRecord): void {
    if (record.synthetic) return;
    const clock = this.#runClockOf(record);
    if (clock === undefined) return;
    const db = this.#store.db;
    const run = JSON.stringify({ run: clock });
    this.#writes = this.#writes
      .then(() =>
        db
          .updateTable("jobs")
          .set({
            placement: sql<string>`coalesce(placement, '{}'::jsonb) || ${run}::jsonb`,
            updated_at: new Date().toISOString(),
          })
          .where("id", "=", record.id)
          .execute(),
      )
      .then(
        () => undefined,
        (error: Error) => this.#log(`cannot record the run clock of ${record.id}: ${error.message}`),
      );
  }

  /** Audits an API job's start (with zone and racks, as the site in force has them) and end, once per state. */
  #recordTransition(record: JobRecord): void {
    const job = record.job;
    const generation = record.generation;
    if (record.synthetic || generation.lastState.get(job.index) === job.state) return;
    generation.lastState.set(job.index, job.state);
    if (job.state === "running") {
      record.lastPlacement = placementOf(generation, job);
      void this.#audit(record, "job.start", {
        state: job.state,
        ...record.lastPlacement,
        nodes: Array.from(job.nodes, (node) => slurmNodeName(generation.inventory, node)),
        dataClass: job.spec.dataClass,
        siteVersion: generation.version,
        ...(record.run === undefined ? {} : { slurmJobId: record.run.id }),
      });
    } else if (!isActive(job)) {
      void this.#audit(record, `job.${job.state}`, {
        state: job.state,
        reason: job.reason,
        ...(record.run === undefined ? {} : { slurmJobId: record.run.id, exitCode: record.run.exitCode }),
      });
    }
  }

  #slurmHooks(generation: Generation): SlurmHooks {
    const db = this.#store.db;
    return {
      describe: (job) => {
        const record = generation.byJobIndex[job.index];
        if (record === undefined) return undefined;
        const control = record.control;
        const arrayJobId = control?.arrayJobId;
        return {
          id: record.id,
          account: record.tenantId,
          name: record.name,
          command: record.command,
          array:
            arrayJobId === undefined || control?.arrayTaskId === undefined
              ? undefined
              : {
                  arrayJobId,
                  taskId: control.arrayTaskId,
                  pending: () => this.#pendingTasks(arrayJobId, control.arrayMaxRunning),
                },
          dependencies: () =>
            (control?.dependsOn ?? []).map((dependency) => ({
              kind: dependency.kind,
              slurmIds: (this.controls.isArray(dependency.jobId)
                ? this.controls.tasksOf(dependency.jobId)
                : [dependency.jobId]
              ).flatMap((id) => this.#slurmIds.get(id) ?? []),
            })),
        };
      },
      submitted: (job, slurmId) => {
        const record = generation.byJobIndex[job.index];
        if (record === undefined || record.synthetic) return;
        this.#slurmIds.set(record.id, slurmId);
        this.#writes = this.#writes
          .then(() =>
            db
              .updateTable("jobs")
              .set({ executor: "slurm", external_id: String(slurmId), updated_at: new Date().toISOString() })
              .where("id", "=", record.id)
              .execute(),
          )
          .then(
            () => undefined,
            (error: Error) => {
              this.#log(`cannot record Slurm id: ${error.message}`);
            },
          );
      },
      reported: (job, slurmJob) => {
        const record = generation.byJobIndex[job.index];
        if (record !== undefined) record.run = slurmJob;
      },
      log: (message) => (this.#options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(message),
    };
  }

  /**
   * The tasks of an array not yet handed to Slurm (waiting, or placed in this cycle and not submitted), in
   * `--array` syntax with its `%N`: what a native Slurm array is submitted with.
   */
  #pendingTasks(arrayJobId: string, maxRunning: number | undefined): string {
    const indexes: number[] = [];
    for (const id of this.controls.tasksOf(arrayJobId)) {
      const state = this.records.get(id)?.job.state;
      const taskId = this.controls.get(id)?.arrayTaskId;
      if (state === undefined || isFinal(state) || this.#slurmIds.has(id) || taskId === undefined) continue;
      indexes.push(taskId);
    }
    return formatArray({ indexes, maxRunning });
  }

  /**
   * Mirrors a hold or release of a waiting job in Slurm when it has a Slurm job there (see
   * `SlurmExecutor.holdInSlurm`); answers the Slurm id, or undefined when Slurm has nothing of it. A failure is logged:
   * alixan's own hold is what keeps the job from starting.
   */
  async holdInSlurm(record: JobRecord, hold: "user" | "staff" | "released"): Promise<string | undefined> {
    const slurm = record.generation.slurm;
    if (slurm === undefined || record.synthetic) return undefined;
    try {
      return await slurm.holdInSlurm(record.job, hold);
    } catch (error) {
      this.#log(`slurm: cannot mirror the ${hold} hold of ${record.id}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Mirrors a hold or release of waiting tasks of an array in Slurm: the tasks waiting in its native Slurm array with
   * one command on its ArrayJobId (see `SlurmExecutor.holdArray`), any other on its own (`holdInSlurm`). Answers the
   * Slurm reference each task was held or released under; empty when Slurm has nothing of them (simulated execution).
   */
  async holdArrayInSlurm(
    arrayJobId: string,
    tasks: readonly JobRecord[],
    hold: "user" | "staff" | "released",
  ): Promise<Map<string, string>> {
    const refs = new Map<string, string>();
    const done = new Set<Job>();
    const slurm = this.#generation.slurm;
    const current = tasks.filter((task) => !task.synthetic && task.generation === this.#generation);
    if (slurm !== undefined && current.length > 0) {
      try {
        const whole = await slurm.holdArray(
          arrayJobId,
          current.map((task) => task.job),
          hold,
        );
        for (const job of whole?.tasks ?? []) done.add(job);
        if (whole?.ref !== undefined) for (const task of current) if (done.has(task.job)) refs.set(task.id, whole.ref);
      } catch (error) {
        this.#log(`slurm: cannot mirror the ${hold} hold of array ${arrayJobId}: ${(error as Error).message}`);
      }
    }
    for (const task of tasks) {
      if (done.has(task.job)) continue;
      const id = await this.holdInSlurm(task, hold);
      if (id !== undefined) refs.set(task.id, id);
    }
    return refs;
  }

  /** Cancels a native Slurm array with one scancel (see `SlurmExecutor.cancelArray`); its ArrayJobId, if native. */
  async cancelArrayInSlurm(arrayJobId: string, tasks: readonly JobRecord[]): Promise<number | undefined> {
    const slurm = this.#generation.slurm;
    if (slurm === undefined) return undefined;
    try {
      return await slurm.cancelArray(
        arrayJobId,
        tasks.map((task) => task.job),
      );
    } catch (error) {
      this.#log(`slurm: cannot cancel array ${arrayJobId} in Slurm: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Takes back the API jobs that were waiting or running when the platform stopped: with Slurm, matched with what
   * Slurm knows (adopted where they run, or given Slurm's outcome, or lost); otherwise back to their queue.
   */
  async restore(): Promise<void> {
    const generation = this.#generation;
    const slurm = generation.slurm;
    // Slurm first: nodes it will not run new work on are out of placement before anything is placed.
    if (slurm !== undefined) await slurm.pollNodes();
    const unfinished = await this.#store.db
      .selectFrom("jobs")
      .selectAll()
      .where((eb) => eb.or([eb("state", "in", ["queued", "admitted", "running"]), eb("external_id", "is not", null)]))
      .orderBy("submitted_at")
      .execute();
    for (const row of unfinished) if (row.external_id !== null) this.#slurmIds.set(row.id, Number(row.external_id));
    const storedRuns: StoredRun[] = unfinished.map((row) => storedRunOf(row));
    const decisions = slurm === undefined ? undefined : await slurm.reconcile(storedRuns);
    const projectNames = await this.#projectNames(unfinished);
    await this.#restoreControls();
    const active = unfinished.filter((row) => ["queued", "admitted", "running"].includes(row.state));
    // Every control first: an array's %N counts each task stored as placed before any task may be placed again (its
    // record corrects the count if it is not adopted).
    for (const row of active) {
      const control = (row.controls ?? undefined) as JobControl | undefined;
      if (control !== undefined) this.controls.add(row.id, control, row.state);
    }
    // What runs is bound where it runs before anything waiting is queued again: every submission below runs a
    // scheduling cycle, which must neither hand out those nodes nor let a task past its array's %N.
    const waiting: RestoredWaiting[] = [];
    for (const row of active) {
      const waits = await this.#takeBackActive(row, decisions?.get(row.id), generation, projectNames);
      if (waits !== undefined) waiting.push(waits);
    }
    this.#requeueRestored(waiting, generation, projectNames);
    slurm?.start();
  }

  /** One read of the names of the projects the stored jobs belong to (a job view names its project). */
  async #projectNames(rows: readonly StoredJobRow[]): Promise<Map<string, string>> {
    const projectIds = [...new Set(rows.map((row) => row.project_id))];
    const projectNames = new Map<string, string>();
    if (projectIds.length > 0) {
      const projects = await this.#store.db
        .selectFrom("projects")
        .select(["id", "name"])
        .where("id", "in", projectIds)
        .execute();
      for (const project of projects) projectNames.set(project.id, project.name);
    }
    return projectNames;
  }

  /** The record of a stored job taken back as `job`, registered, with its stored state as the last one seen. */
  #restoredRecord(
    row: StoredJobRow,
    job: Job,
    generation: Generation,
    projectNames: ReadonlyMap<string, string>,
  ): JobRecord {
    const record: JobRecord = {
      id: row.id,
      tenantId: row.tenant_id,
      projectId: row.project_id,
      projectName: projectNames.get(row.project_id),
      userId: row.user_id,
      name: row.name,
      synthetic: false,
      job,
      generation,
      command: row.command ?? undefined,
      control: (row.controls ?? undefined) as JobControl | undefined,
      submittedAt: row.submitted_at,
      deadline: storedDeadline(row.spec, row.submitted_at, generation.live.speed),
    };
    this.#register(record);
    generation.lastState.set(job.index, row.state);
    return record;
  }

  /**
   * Takes back one job stored as queued, admitted or running, given Slurm's decision on it (none without Slurm):
   * adopted where it runs, ended, or failed as lost; answers how it waits again when it does.
   */
  async #takeBackActive(
    row: StoredJobRow,
    decision: Reconciled | undefined,
    generation: Generation,
    projectNames: ReadonlyMap<string, string>,
  ): Promise<RestoredWaiting | undefined> {
    const scheduler = generation.live;
    const slurm = generation.slurm;
    // A simulated run (no Slurm job, with its run clock stored) is taken back as Slurm's are: where it ran.
    if (
      row.state === "running" &&
      row.external_id === null &&
      (decision === undefined || (decision.kind === "requeue" && decision.heldSlurmId === undefined))
    ) {
      const taken = this.#takeBackSimulated(row);
      if (taken?.kind === "adopt") {
        const record = this.#restoredRecord(row, taken.job, generation, projectNames);
        // At another speed its instants moved on the wall clock: stored again, so the next restart finds them.
        if (taken.clock.speed !== scheduler.speed) this.#storeRunClock(record);
        return undefined;
      }
      if (taken?.kind === "ended") {
        await this.#endedWhileStopped(row, taken.atMs);
        return undefined;
      }
      if (taken?.kind === "moved") return { row, heldSlurmId: undefined, moved: taken };
    }
    if (decision === undefined || decision.kind === "requeue") return { row, heldSlurmId: decision?.heldSlurmId };
    if (decision.kind === "lost") {
      // Nothing runs and nothing will: it ends in the store (where GET /v1/jobs/:id reads ended jobs), and no
      // longer counts against its array's %N.
      const ended = { state: "failed", reason: decision.why };
      this.controls.observe(row.id, "failed");
      await this.persist(row.id, { ...ended, ended_at: new Date().toISOString() }, "job.failed", ended);
      return undefined;
    }
    const spec = specOnClock(row.spec, row.submitted_at, scheduler, scheduler.nowS());
    const gpus = freeGpusOn(generation.inventory, scheduler.scheduler.state.gpuFree, decision.nodes, spec.gpus);
    const job = scheduler.adopt(spec, decision.nodes, gpus, decision.kind === "adopt" && decision.running);
    const record = this.#restoredRecord(row, job, generation, projectNames);
    if (job.state === "failed") {
      job.reason = `after a restart, Slurm job ${decision.slurm.id} could not be matched: ${job.reason}`;
      generation.lastState.set(job.index, "running");
      this.#recordTransition(record);
      await slurm!.cancelRun(decision.slurm);
      return undefined;
    }
    slurm!.applyFound(job, decision.slurm);
    // Suspended by a grid event before the restart: paused here too, until the grid service resumes it.
    if (decision.slurm.state === "SUSPENDED") scheduler.adoptPaused(job);
    return undefined;
  }

  /**
   * Queues the restored waiting work again in the order it was submitted (tasks of one array in task order), so FIFO
   * and an array's order hold across the restart; each says why it waits.
   */
  #requeueRestored(
    waiting: RestoredWaiting[],
    generation: Generation,
    projectNames: ReadonlyMap<string, string>,
  ): void {
    const scheduler = generation.live;
    const slurm = generation.slurm;
    waiting.sort((a, b) => submissionOrder(a.row, b.row));
    for (const { row, heldSlurmId, moved } of waiting) {
      // Before its first cycle: it keeps its first start, and a start in that cycle finds its record to be audited.
      let record: JobRecord | undefined;
      const job = scheduler.submit(
        specOnClock(row.spec, row.submitted_at, scheduler, scheduler.nowS()),
        (submitted) => {
          if (row.started_at !== null) submitted.firstStartS = scheduler.timeOf(Date.parse(row.started_at));
          record = this.#restoredRecord(row, submitted, generation, projectNames);
          if (heldSlurmId !== undefined) slurm!.track(submitted, heldSlurmId);
          if (moved === undefined || submitted.state !== "queued") return;
          // Its run cannot go on where it was: it waits again, audited as a displaced run is.
          submitted.reason = movedReason(moved.why);
          this.#auditDisplacement(record, submitted.reason, moved.racks, generation.version);
        },
      );
      // Refused outright by the site in force (its GPU model gone): it failed before its record could tell the store.
      if (!isActive(job)) this.#recordTransition(record!);
      // Why it waits now, after why it waits again (until a later cycle tells why it still waits).
      const why = moved === undefined ? "requeued after a platform restart" : movedReason(moved.why);
      if (job.state === "queued")
        job.reason = moved === undefined ? `${job.reason ? `${job.reason}; ` : ""}${why}` : `${why}; ${job.reason}`;
    }
  }

  /**
   * Takes back a simulated run stored as running, from its stored placement and run clock: adopted on the same nodes
   * with its start, its end at the due time on this scheduler's clock (paused with the run time it had left, when a
   * grid event paused it); ended at its due time when that passed while the platform was stopped. The run's instants
   * are taken as simulated seconds from now at the speed it went at (the stop counted at that speed, its due time
   * holding when it passed), so at another speed it keeps the simulated run time it had left. Or, when its nodes
   * are gone or may no longer take it (site change, zone, GPU model), moved: it waits again. Undefined when the store
   * has no run clock of it (stored before it was kept): it waits again, as before.
   */
  #takeBackSimulated(row: {
    spec: unknown;
    placement: unknown;
    submitted_at: string;
    started_at: string | null;
  }): SimulatedTakeBack | undefined {
    const clock = storedRunClock(row.placement);
    const names = (row.placement as { nodes?: unknown } | null)?.nodes;
    if (clock === undefined || !Array.isArray(names) || names.some((name) => typeof name !== "string"))
      return undefined;
    const generation = this.#generation;
    const live = generation.live;
    const racks = ((row.placement as { racks?: unknown }).racks as string[] | undefined) ?? [];
    const nowMs = Date.now();
    const nowS = live.timeOf(nowMs);
    const ranAt = clock.speed ?? live.speed;
    const onThisClock = (iso: string) => nowS + ((Date.parse(iso) - nowMs) / 1000) * ranAt;
    const dueS = clock.dueAt === null ? undefined : onThisClock(clock.dueAt);
    const spec = specOnClock(row.spec, row.submitted_at, live, nowS);
    if (dueS !== undefined && dueS <= nowS) return { kind: "ended", atMs: Date.parse(clock.dueAt!) };
    if (names.length !== spec.members) return { kind: "moved", why: "its stored nodes do not match its gang", racks };
    const inventory = generation.inventory;
    const nodes: number[] = [];
    for (const name of names as string[]) {
      const node = this.#nodeNamed(name);
      if (node === undefined) return { kind: "moved", why: `node ${name} is not in the site any more`, racks };
      const rack = generation.site.racks[inventory.levels[inventory.facility!.rackLevel]!.groupOfNode[node]!]!;
      if (!generation.simulatedOn(node)) return { kind: "moved", why: `${rack.id} now runs its work on Slurm`, racks };
      const model = inventory.gpuModels[inventory.pools[inventory.nodePool[node]!]!.model];
      if (spec.gpus > 0 && spec.gpuModels.length > 0 && (model === undefined || !spec.gpuModels.includes(model)))
        return {
          kind: "moved",
          why: `${rack.id} has ${model ?? "no"} GPUs, not ${spec.gpuModels.join(" or ")}`,
          racks,
        };
      if (inventory.nodeGpuCount[node]! < spec.gpus)
        return { kind: "moved", why: `${rack.id} changed: ${name} has fewer GPUs than it uses`, racks };
      nodes.push(node);
    }
    const violation = zoneViolation(generation, nodes, spec.dataClass);
    if (violation !== undefined) return { kind: "moved", why: violation, racks };
    const gpus = freeGpusOn(inventory, live.scheduler.state.gpuFree, nodes, spec.gpus);
    // A refused adoption is not the job's end (its array would count a failure, its dependents be cancelled): it is
    // reported only when it takes; refused, the job waits again.
    const job = live.tryAdopt(spec, nodes, gpus, true);
    if (job.state !== "running")
      return { kind: "moved", why: `its resources on ${racks.join(", ")} are taken or refused (${job.reason})`, racks };
    // The same run: its start and first start as they were, its end where its clock says.
    // Its first start is the instant the API shows; this run's start is what its run time and expected end (for
    // reservations) are counted from.
    live.scheduler.backdateStart(job, onThisClock(clock.startedAt));
    job.firstStartS = row.started_at === null ? job.startS : live.timeOf(Date.parse(row.started_at));
    if (dueS !== undefined) live.finishAt(job, dueS);
    else live.adoptHeld(job, { paused: true, share: 0, leftS: clock.leftS ?? undefined });
    return { kind: "adopt", job, clock };
  }

  /** Node indexes by stored node name, for the generation they were built for. */
  #nodeIndex: { generation: Generation; index: Map<string, number> } | undefined;

  /** The node of the generation in force with this stored (Slurm-style) name. */
  #nodeNamed(name: string): number | undefined {
    const generation = this.#generation;
    if (this.#nodeIndex?.generation !== generation)
      this.#nodeIndex = { generation, index: new Map(slurmNodeNames(generation.inventory).map((n, i) => [n, i])) };
    return this.#nodeIndex.index.get(name);
  }

  /**
   * Ends a simulated run whose due time passed while the platform was stopped, as its end would have been recorded:
   * its outcome, ended at its due time, with its event and audit record.
   */
  async #endedWhileStopped(row: { id: string; spec: unknown }, atMs: number): Promise<void> {
    const state = (row.spec as JobSpec).outcome;
    const at = new Date(atMs).toISOString();
    const ended = { state, reason: `ended at ${at}, its due time, while the platform was stopped` };
    this.controls.observe(row.id, state);
    await this.persist(row.id, { ...ended, ended_at: at }, `job.${state}`, ended);
  }

  /**
   * Reads back the controls of jobs that ended before the restart (arrays count their ended tasks) and the states of
   * the jobs unfinished ones depend on, so a dependency on work done before the restart is still judged.
   */
  async #restoreControls(): Promise<void> {
    const db = this.#store.db;
    const rows = await db
      .selectFrom("jobs")
      .select(["id", "state", "controls"])
      .where("controls", "is not", null)
      .where("state", "not in", ["queued", "admitted", "running"])
      .execute();
    for (const row of rows) this.controls.add(row.id, row.controls as JobControl, row.state);
    const pending = await db
      .selectFrom("jobs")
      .select("controls")
      .where("controls", "is not", null)
      .where("state", "in", ["queued", "admitted", "running"])
      .execute();
    const targets = new Set<string>();
    for (const row of pending)
      for (const dependency of (row.controls as JobControl).dependsOn ?? []) targets.add(dependency.jobId);
    const ids = [...targets];
    for (let at = 0; at < ids.length; at += 1000) {
      const found = await db
        .selectFrom("jobs")
        .select(["id", "state"])
        .where("id", "in", ids.slice(at, at + 1000))
        .execute();
      for (const row of found) this.controls.noteState(row.id, row.state);
    }
  }

  /**
   * Moves whenever the work placed on the racks, or the power it may draw, may have changed: in the generation in
   * force (`LiveScheduler.placementVersion`) or by a new generation taking over.
   */
  get placementVersion(): number {
    return this.#earlierPlacements + this.#generation.live.placementVersion;
  }

  /**
   * Per-rack utilisation for the twin of `site`, read from whichever generation runs that site; its `version` is
   * `placementVersion`, so the twin reads it again at its next step after any change rather than on its timer.
   */
  utilisation(site: Site): VersionedUtilisationSource {
    const engine = this;
    return {
      get version() {
        return engine.placementVersion;
      },
      fill: (timeS, out) => {
        const generation = this.#generation;
        if (generation.site !== site) {
          out.fill(0);
          return;
        }
        generation.utilisation ??= generation.live.utilisationSource(site);
        generation.utilisation.fill(timeS, out);
      },
    };
  }

  /** The twin's new state: the cooling headroom the scheduler reads. */
  onSnapshot(snapshot: LiveSnapshot): void {
    this.#generation.facility.update(snapshot);
  }

  /** Stops the clock and the scheduler, and waits for the executor and the store writes. */
  async stop(): Promise<void> {
    if (this.#policyTimer !== undefined) clearInterval(this.#policyTimer);
    this.#generation.live.dispose();
    await this.#generation.slurm?.close();
    await this.#writes;
  }
}
