/**
 * One grid event while it runs on the live platform: the plan applied to the running jobs of the scheduler generation
 * in force (pause deferrable jobs through the executor, cap flexible ones, requeue preemptible ones), the job history
 * and audit of every command, the site's grid import sampled from the live twin for the delivered figure, and the
 * release at the end (paused jobs resumed, caps lifted; requeued jobs wait in their queue and are admitted again once
 * the event no longer holds them). The report counts jobs and lost work by flexibility class.
 *
 * The plan is decided first and its ledger (the figures it was made against, every command) stored before any
 * command is issued (`plan`, then `apply`), so a process that restarts knows what a stopped one did: `takeBack`
 * finds the jobs as the plan left them (a job Slurm shows SUSPENDED is paused already, a requeued one waits held) and
 * re-applies the rest while the event lasts, or releases everything when it has ended or was cancelled meanwhile. A
 * site change during the event goes the same way (`rebind`): the jobs engine carries pauses and caps into its new
 * scheduler generation, and the event finds them there without commanding anything twice.
 */

import { type CurtailAction, type CurtailCandidate, capLossGpuHours, planCurtailment } from "../../flex/live-plan.ts";
import { type FlexClass, flexClasses, rackFallbackClass } from "../../model/flexibility.ts";
import type { Job } from "../../scheduler/jobs.ts";
import { profileOf } from "../../twin/layout.ts";
import type { JobsEngine } from "../jobs/engine.ts";
import { type Generation, placementOf } from "../jobs/generation.ts";
import { isActive, type JobRecord } from "../jobs/records.ts";
import {
  type GridEventReport,
  type GridEventRestart,
  type GridEventRow,
  type GridEventSiteChange,
  type GridPlanLedger,
  releasedJobsListed,
  type StoredGridReport,
} from "./model.ts";

/** A sample of the site's power from the live twin, on the wall clock. */
export interface PowerSample {
  readonly atMs: number;
  readonly gridKw: number;
  readonly itKw: number;
}

/** A command applied to one job. */
interface Applied {
  readonly id: string;
  readonly record: JobRecord;
  readonly kind: "suspend" | "cap" | "requeue";
  readonly flexClass: FlexClass;
  readonly share: number;
  readonly gpus: number;
  readonly atMs: number;
}

/** An applied command as the ledger stores it (what a restart or a site change takes back). */
function ledgerActionOf(applied: Applied): GridPlanLedger["actions"][number] {
  const { id, kind, flexClass, share, gpus, atMs } = applied;
  return { jobId: id, kind, flexClass, share, gpus, atMs };
}

/**
 * The baseline is the site's grid import over the 10 s before the start: the live twin is deterministic and steps
 * every second, and the scheduler's placements change every few seconds, so a longer window mixes in load that was
 * no longer there when the event began.
 */
const baselineWindowMs = 10_000;

const zeroByClass = () => Object.fromEntries(flexClasses.map((name) => [name, 0])) as Record<FlexClass, number>;

/** The class a running job answers a curtailment with: its own (job or queue), else its first rack's. */
export function classOfRunning(generation: Generation, job: Job): FlexClass {
  if (job.spec.flexibility !== undefined) return job.spec.flexibility;
  if (job.spec.dataClass === "health") return "protected";
  const inventory = generation.inventory;
  const rackIndex = inventory.levels[inventory.facility!.rackLevel]!.groupOfNode[job.nodes[0]!]!;
  const rack = generation.site.racks[rackIndex]!;
  const type = generation.site.rackTypes[rack.typeIndex]!;
  return rackFallbackClass(profileOf(generation.site, rack.typeIndex, rack.rowIndex), type.gpusPerRack);
}

/**
 * Dynamic power (kW) a running job's GPUs draw: on each of its racks, its share of the GPUs allocated there times the
 * rack's power above idle as the live twin last drew it (`rackPowerKw`, site rack order), so the plan sheds what the
 * work really draws (jobs rarely run at design power); without a twin reading, the rack type's design dynamic power.
 * `current`: the reading was drawn from the placements in force (the twin stepped after the last change, a cap
 * included; see `GridEventServiceOptions.freshReading`), so a rack it drew at idle under allocated GPUs draws nothing
 * now. `share`: the job's power share in the live twin (a cap in force, `LiveScheduler.powerShareOf`); a current
 * reading shows it already, so it only bounds the figures that do not: design power, and an older reading (which
 * may have been drawn before or after the cap, so it is held under the capped design power, never scaled twice).
 */
export function dynamicKwOf(
  generation: Generation,
  job: Job,
  rackPowerKw: ArrayLike<number> | undefined,
  current = false,
  share = 1,
): number {
  const inventory = generation.inventory;
  const rackLevel = inventory.levels[inventory.facility!.rackLevel]!;
  const state = generation.live.scheduler.state;
  let kw = 0;
  for (let member = 0; member < job.nodes.length; member++) {
    const rackIndex = rackLevel.groupOfNode[job.nodes[member]!]!;
    const rack = generation.site.racks[rackIndex]!;
    const type = generation.site.rackTypes[rack.typeIndex]!;
    if (type.gpusPerRack === 0) continue;
    const jobMilli = job.spec.gpus * job.spec.gpuMilli;
    const fullKw = (Number(type.designPower) - Number(type.idlePower)) * (jobMilli / (type.gpusPerRack * 1000));
    const designKw = fullKw * share;
    const drawnKw = rackPowerKw?.[rackIndex];
    if (drawnKw === undefined || rackPowerKw!.length !== generation.site.racks.length) {
      kw += designKw;
      continue;
    }
    let allocated = 0;
    for (let node = rackLevel.childStart[rackIndex]!; node < rackLevel.childStart[rackIndex + 1]!; node++)
      allocated += inventory.nodeGpuCount[node]! * 1000 - state.nodeFreeMilli[node]!;
    const dynamicNow = Math.max(0, drawnKw - Number(type.idlePower));
    const readKw = (dynamicNow * jobMilli) / allocated;
    if (allocated > 0 && current) kw += Math.min(fullKw, readKw);
    else if (allocated > 0 && dynamicNow > 0) kw += Math.min(designKw, readKw);
    // A reading older than the placements that drew the rack at idle under allocated GPUs says nothing of this job:
    // it started or resumed after that step (an event declared right after another ended, the twin asked to step
    // first but unable to). Design power rather than a plan to shed nothing. With a current reading, idle is idle
    // (a training rack between runs draws nothing now).
    else kw += designKw;
  }
  return kw;
}

/**
 * Dynamic power (kW) a plan counts for a running job: `dynamicKwOf` with the power share the live twin holds it to
 * (a cap from an earlier command), which a current reading already shows and the other figures do not.
 */
export function runningDynamicKw(
  generation: Generation,
  job: Job,
  rackPowerKw: ArrayLike<number> | undefined,
  current: boolean,
): number {
  return dynamicKwOf(generation, job, rackPowerKw, current, generation.live.powerShareOf(job));
}

/** What a curtailment starts from: planned now, or taken back from a ledger after a restart. */
interface CurtailmentStart {
  readonly startMs: number;
  readonly requestedKw: number;
  readonly baselineKw: number | null;
  readonly ceilingItKw: number;
  readonly report: GridEventReport;
  readonly measured?: GridPlanLedger["measured"];
}

/** A command decided by the plan and not yet issued. */
interface Planned {
  readonly record: JobRecord;
  readonly action: CurtailAction;
  readonly flexClass: FlexClass;
  readonly gpus: number;
}

/** The live side of one event in force (see the module comment). */
export class Curtailment {
  readonly row: GridEventRow;
  readonly #engine: JobsEngine;
  readonly #applied = new Map<string, Applied>();
  readonly #startMs: number;
  readonly #endMs: number;
  readonly #requestedKw: number;
  /** The site's IT power the event holds admissions under: IT at the start minus the request. */
  readonly ceilingItKw: number;
  readonly #baselineKw: number | null;
  #duringSumKw = 0;
  #samples = 0;
  #responseS: number | null = null;
  /** Sampled time of earlier processes, ms; and the first and last sample of this one. */
  #sampledBeforeMs = 0;
  #firstAtMs: number | undefined;
  #lastAtMs: number | undefined;
  /** Deferred GPU-hours of pauses that ended with a stopped process (counted at the release). */
  #deferredBeforeH = 0;
  #report: GridEventReport;
  /** Commands decided and not yet issued (until `apply`). */
  #planned: Planned[] | undefined;
  #released = false;

  constructor(row: GridEventRow, engine: JobsEngine, from: CurtailmentStart) {
    this.row = row;
    this.#engine = engine;
    this.#startMs = from.startMs;
    this.#endMs = Date.parse(row.ends_at);
    this.#requestedKw = from.requestedKw;
    this.#baselineKw = from.baselineKw;
    this.ceilingItKw = from.ceilingItKw;
    this.#report = from.report;
    const measured = from.measured;
    if (measured !== undefined) {
      this.#duringSumKw = measured.duringSumKw;
      this.#samples = measured.samples;
      this.#responseS = measured.responseS;
      this.#sampledBeforeMs = measured.sampledMs;
    }
  }

  /**
   * Decides the plan for `row` now, without issuing a command (`apply` does, once the ledger is stored). `recent`:
   * the twin's samples before the start (the baseline is their mean over the last `baselineWindowMs`); `rackPowerKw`:
   * each rack's power in the twin's last step, `rackPowerCurrent` when that step drew the placements in force (see
   * `dynamicKwOf`).
   */
  static plan(
    row: GridEventRow,
    engine: JobsEngine,
    recent: readonly PowerSample[],
    rackPowerKw: ArrayLike<number> | undefined,
    rackPowerCurrent: boolean,
    nowMs: number,
  ): Curtailment {
    const began = performance.now();
    const startMs = Math.max(Date.parse(row.starts_at), Math.min(nowMs, Date.parse(row.ends_at)));
    const endMs = Date.parse(row.ends_at);
    const latest = recent[recent.length - 1];
    const window = recent.filter((sample) => sample.atMs >= startMs - baselineWindowMs && sample.atMs < startMs);
    const baselineSamples = window.length > 0 ? window : latest === undefined ? [] : [latest];
    const baselineKw =
      baselineSamples.length === 0
        ? null
        : baselineSamples.reduce((sum, sample) => sum + sample.gridKw, 0) / baselineSamples.length;
    const itNowKw = latest?.itKw ?? 0;
    const requestedKw = row.reduce_mw !== null ? row.reduce_mw * 1000 : (row.reduce_fraction ?? 0) * itNowKw;
    const generation = engine.generation;
    const live = generation.live;
    const nowS = live.nowS();
    const remainingS = ((endMs - nowMs) / 1000) * speedOf(live);
    const candidates: CurtailCandidate[] = [];
    const running = new Map<string, JobRecord>();
    for (const record of engine.records.values()) {
      const job = record.job;
      if (record.generation !== generation || job.state !== "running" || job.spec.gpus === 0) continue;
      const flexClass = classOfRunning(generation, job);
      if (flexClass === "protected") continue;
      running.set(record.id, record);
      const leftS = Math.max(0, job.spec.expectedDurationS - (nowS - job.startS));
      const deadline = job.spec.deadlineS;
      candidates.push({
        key: record.id,
        flexClass,
        dynamicKw: runningDynamicKw(generation, job, rackPowerKw, rackPowerCurrent),
        slackOk: deadline === undefined || nowS + remainingS + leftS <= deadline,
        runGpuHours: (job.spec.gpus * job.spec.members * (job.spec.gpuMilli / 1000) * (nowS - job.startS)) / 3600,
      });
    }
    const plan = planCurtailment(candidates, requestedKw, row.minimum_cap);
    const curtailment = new Curtailment(row, engine, {
      startMs,
      requestedKw,
      baselineKw,
      ceilingItKw: Math.max(0, itNowKw - requestedKw),
      report: {
        requestedMW: requestedKw / 1000,
        baselineMW: baselineKw === null ? null : baselineKw / 1000,
        duringMW: null,
        deliveredMW: null,
        deliveredShare: null,
        responseS: null,
        applyS: (performance.now() - began) / 1000,
        plannedMW: plan.plannedKw / 1000,
        shortMW: plan.shortKw / 1000,
        capShare: plan.capShare,
        jobs: { capped: zeroByClass(), suspended: zeroByClass(), requeued: zeroByClass() },
        resumed: 0,
        workLostGpuHours: zeroByClass(),
        deferredGpuHours: 0,
        protectedWorkLost: 0,
        samples: 0,
        sampledS: null,
        restarts: [],
        siteChanges: [],
        releasedAt: null,
      },
    });
    curtailment.#planned = plan.actions.map((action) => {
      const record = running.get(action.key)!;
      const spec = record.job.spec;
      return {
        record,
        action,
        flexClass: classOfRunning(generation, record.job),
        gpus: (spec.gpus * spec.members * spec.gpuMilli) / 1000,
      };
    });
    return curtailment;
  }

  /**
   * Takes back an event a stopped process had applied, from its stored report and ledger, at `nowMs`. While the
   * event is `active`, jobs the plan paused or requeued and found so (paused in Slurm, waiting) are kept without a
   * second command, those running again get the plan's command again (caps are held in this process and always are);
   * otherwise the caller releases it, and the plan's caps on jobs still running are taken back as in force (the site's
   * tool holds them) so that the release lifts them. The report gains a `restarts` entry.
   */
  static takeBack(
    row: GridEventRow,
    stored: GridEventReport,
    ledger: GridPlanLedger,
    engine: JobsEngine,
    nowMs: number,
    active: boolean,
  ): Curtailment {
    const curtailment = new Curtailment(row, engine, {
      startMs: ledger.startMs,
      requestedKw: ledger.requestedKw,
      baselineKw: ledger.baselineKw,
      ceilingItKw: ledger.ceilingItKw,
      report: { ...stored, releasedAt: null },
      measured: ledger.measured,
    });
    curtailment.#takeBack(ledger, nowMs, active);
    return curtailment;
  }

  #takeBack(ledger: GridPlanLedger, nowMs: number, active: boolean): void {
    const generation = this.#engine.generation;
    const bound = ledger.actions.map((action) => {
      const found = this.#engine.records.get(action.jobId);
      return { action, record: found?.generation === generation ? found : undefined };
    });
    // Time of the stopped process ends at its last recorded sample (the stop itself was not recorded).
    const stoppedMs = Math.max(ledger.startMs, ledger.measured.lastAtMs ?? ledger.startMs);
    const why = `grid event ${this.row.id} (${this.row.reason}) until ${this.row.ends_at}, re-applied after a platform restart`;
    const counts = this.#rebind(bound, { stoppedMs, nowMs, active, restart: true, why });
    // The start's record went down with the process (only the plan's ledger was stored): count the plan's commands.
    const jobs = this.#report.jobs;
    const counted = [jobs.suspended, jobs.capped, jobs.requeued].some((byClass) =>
      Object.values(byClass).some((count) => count > 0),
    );
    if (!counted)
      for (const action of ledger.actions)
        jobs[action.kind === "suspend" ? "suspended" : action.kind === "cap" ? "capped" : "requeued"][
          action.flexClass
        ]++;
    const restart: GridEventRestart = {
      at: new Date(nowMs).toISOString(),
      outcome: active ? "reapplied" : "released",
      lastSampleAt: ledger.measured.lastAtMs === null ? null : new Date(ledger.measured.lastAtMs).toISOString(),
      kept: counts.kept,
      reapplied: counts.reapplied,
      gone: counts.released.length,
    };
    this.#report = { ...this.#report, restarts: [...this.#report.restarts, restart] };
    if (active) generation.live.kick();
  }

  /**
   * Follows the event's commands into the scheduler generation now in force, after the jobs engine carried the jobs
   * over (a site change, a queue change, a lapsed certification): the carry kept each run paused or capped where it
   * still runs (`LiveScheduler.adoptHeld`), so the same path as a restart's take-back finds them as the plan left
   * them and commands nothing again. A job displaced by the change (its racks gone, its zone no longer allowed) is
   * let go by the event like any displaced job: its pause or cap counted until now, nothing resumed at the end, and
   * the report's `siteChanges` entry names it with the displacement's reason. Nothing to do before the plan is
   * applied (`apply` reads each record's job then) or after the release.
   */
  rebind(nowMs: number, why: string): GridEventSiteChange | undefined {
    if (this.#planned !== undefined || this.#released) return undefined;
    const generation = this.#engine.generation;
    const bound = [...this.#applied.values()].map((applied) => ({
      action: ledgerActionOf(applied),
      // Records follow their job into the new generation; one left in the old one had ended.
      record: applied.record.generation === generation ? applied.record : undefined,
      ended: applied.record,
    }));
    const active = this.covers(nowMs);
    const counts = this.#rebind(bound, {
      stoppedMs: nowMs,
      nowMs,
      active,
      restart: false,
      why: `grid event ${this.row.id} (${this.row.reason}) until ${this.row.ends_at}, re-applied after a ${why}`,
    });
    const change: GridEventSiteChange = {
      at: new Date(nowMs).toISOString(),
      siteVersion: generation.version,
      why,
      kept: counts.kept,
      reapplied: counts.reapplied,
      released: counts.released.length,
      releasedJobs: counts.released.slice(0, releasedJobsListed),
    };
    this.#report = { ...this.#report, siteChanges: [...this.#report.siteChanges, change] };
    return change;
  }

  /**
   * Binds the plan's commands (`bound`: each with its job's record in the generation in force, if it is there) to
   * the jobs as they are now: a job found as the plan left it (paused, capped at its share, requeued and waiting) is
   * kept without a command; one running free again while the event is `active` gets the command again; the rest are
   * let go, their pause or cap counted until `stoppedMs`. After a `restart` a requeued job running again is
   * requeued again (the stopped process's hold was lost); in process it was admitted under the event's ceiling.
   */
  #rebind(
    bound: readonly { action: GridPlanLedger["actions"][number]; record: JobRecord | undefined; ended?: JobRecord }[],
    how: { stoppedMs: number; nowMs: number; active: boolean; restart: boolean; why: string },
  ): { kept: number; reapplied: number; released: GridEventSiteChange["releasedJobs"] } {
    const live = this.#engine.generation.live;
    const nowS = live.nowS();
    const { stoppedMs, nowMs, active, why } = how;
    const workLost = { ...this.#report.workLostGpuHours };
    const counts = { kept: 0, reapplied: 0, released: [] as GridEventSiteChange["releasedJobs"] };
    this.#applied.clear();
    for (const { action, record, ended } of bound) {
      const job = record?.job;
      const isRunning = job?.state === "running";
      const beforeH = Math.max(0, stoppedMs - action.atMs) / 3_600_000;
      const keep = (atMs: number) => {
        this.#applied.set(action.jobId, { id: action.jobId, record: record!, ...action, atMs });
        if (action.kind !== "requeue") this.#mark(record!, true);
      };
      const letGo = () => {
        const left = record ?? ended;
        if (left !== undefined) this.#mark(left, false);
        counts.released.push({ jobId: action.jobId, kind: action.kind, reason: leftReason(record, ended) });
      };
      if (action.kind === "suspend") {
        if (isRunning && live.isPaused(job)) {
          keep(action.atMs);
          counts.kept++;
          continue;
        }
        // Not paused any more (requeued by a restart or a site change, ended): deferred until then.
        this.#deferredBeforeH += action.gpus * beforeH;
        if (active && isRunning && live.suspend(job)) {
          keep(nowMs);
          counts.reapplied++;
          this.#note(record!, "job.suspended", { reason: `suspended: ${why}`, gridEventId: this.row.id });
        } else letGo();
      } else if (action.kind === "cap") {
        if (isRunning && live.held(job)?.share === action.share) {
          keep(action.atMs);
          counts.kept++;
          continue;
        }
        // The event ended while the platform was stopped: nothing lifted the cap the stopped process had the site's
        // tool set (it holds until told otherwise). The run is taken back capped, as a suspended one is, so that the
        // release lifts it (the power-cap command with share 1) and counts its loss until then.
        if (how.restart && !active && isRunning && !live.isPaused(job)) {
          live.adoptHeld(job, { paused: false, share: action.share, leftS: undefined });
          keep(action.atMs);
          counts.kept++;
          continue;
        }
        // A cap lost (with a stopped process, or with a run displaced by a site change) is counted until then.
        workLost[action.flexClass] += capLossGpuHours(action.gpus, action.share, beforeH);
        if (active && isRunning && live.cap(job, action.share)) {
          keep(nowMs);
          counts.reapplied++;
          this.#note(record!, "job.capped", {
            reason: `GPU power capped: ${why}`,
            share: action.share,
            gridEventId: this.row.id,
          });
        } else letGo();
      } else if (job?.state === "queued" || (job !== undefined && !how.restart)) {
        // Requeued and waiting (Slurm holds its run): the event's admission check keeps it waiting while it lasts.
        // In process, one placed again was admitted under the event's ceiling: it stays so.
        keep(action.atMs);
        counts.kept++;
      } else if (active && isRunning) {
        workLost[action.flexClass] += Math.max(0, (action.gpus * (nowS - job.startS)) / 3600);
        this.#requeue(record!, job, `preempted: ${why}`);
        keep(nowMs);
        counts.reapplied++;
      } else letGo();
    }
    this.#report = { ...this.#report, workLostGpuHours: workLost, protectedWorkLost: workLost.protected };
    return counts;
  }

  /** Marks (or unmarks) the record of a job the event pauses or caps: its view names the event. */
  #mark(record: JobRecord, on: boolean): void {
    if (!on) {
      if (record.gridEvent?.id === this.row.id) record.gridEvent = undefined;
      return;
    }
    record.gridEvent = { id: this.row.id, endsAt: this.row.ends_at };
  }

  /** Forgets the commands not yet issued and releases nothing: the process stops as a crash would leave it. */
  abandon(): void {
    this.#planned = undefined;
    this.#released = true;
  }

  /** Whether the plan's commands were issued (a plan is decided, stored, then applied). */
  get applied(): boolean {
    return this.#planned === undefined;
  }

  /** Issues the plan's commands; false when there was nothing to issue (applied already, or released first). */
  apply(nowMs: number): boolean {
    const planned = this.#planned;
    if (planned === undefined || this.#released) return false;
    this.#planned = undefined;
    const began = performance.now();
    const live = this.#engine.generation.live;
    const counts = this.#report.jobs;
    const workLost = { ...this.#report.workLostGpuHours };
    const why = `grid event ${this.row.id} (${this.row.reason}) until ${this.row.ends_at}`;
    for (const { record, action, flexClass, gpus } of planned) {
      const job = record.job;
      // A job that ended or was moved by a new generation since the plan is left alone.
      if (record.generation !== this.#engine.generation) continue;
      if (action.kind === "suspend") {
        if (!live.suspend(job)) continue;
        counts.suspended[flexClass]++;
        this.#mark(record, true);
        this.#note(record, "job.suspended", { reason: `suspended: ${why}`, gridEventId: this.row.id });
      } else if (action.kind === "cap") {
        if (!live.cap(job, action.share)) continue;
        counts.capped[flexClass]++;
        this.#mark(record, true);
        this.#note(record, "job.capped", {
          reason: `GPU power capped: ${why}`,
          share: action.share,
          gridEventId: this.row.id,
        });
      } else {
        if (job.state !== "running") continue;
        workLost[flexClass] += Math.max(0, (gpus * (live.nowS() - job.startS)) / 3600);
        this.#requeue(record, job, `preempted: ${why}`);
        counts.requeued[flexClass]++;
      }
      this.#applied.set(record.id, {
        id: record.id,
        record,
        kind: action.kind,
        flexClass,
        share: action.kind === "cap" ? action.share : action.kind === "suspend" ? 0 : 1,
        gpus,
        atMs: nowMs,
      });
    }
    this.#report = {
      ...this.#report,
      applyS: this.#report.applyS + (performance.now() - began) / 1000,
      workLostGpuHours: workLost,
      protectedWorkLost: workLost.protected,
    };
    live.kick();
    return true;
  }

  /** Requeues a running job for the event (Slurm: `scontrol requeuehold`), recorded as `job.preempted`. */
  #requeue(record: JobRecord, job: Job, reason: string): void {
    const generation = record.generation;
    const racks = placementOf(generation, job).racks;
    generation.live.displace(job, reason);
    if (record.synthetic) return;
    generation.lastState.set(job.index, job.state);
    void this.#engine.persist(record.id, { state: job.state, reason }, "job.preempted", {
      state: job.state,
      reason,
      racks,
      gridEventId: this.row.id,
    });
  }

  /** Records a command in an API job's history and the audit trail (demo jobs have neither). */
  #note(record: JobRecord, action: string, detail: Record<string, unknown>): void {
    if (record.synthetic) return;
    void this.#engine.persist(record.id, { state: record.job.state }, action, { state: record.job.state, ...detail });
  }

  /** What a restarted process needs to take the event back (see `GridPlanLedger`). */
  get ledger(): GridPlanLedger {
    const actions: GridPlanLedger["actions"] = [];
    if (this.#planned !== undefined)
      for (const { record, action, flexClass, gpus } of this.#planned)
        actions.push({
          jobId: record.id,
          kind: action.kind,
          flexClass,
          share: action.kind === "cap" ? action.share : action.kind === "suspend" ? 0 : 1,
          gpus,
          atMs: this.#startMs,
        });
    // Demo jobs do not survive a restart: only API jobs are worth taking back.
    for (const applied of this.#applied.values()) if (!applied.record.synthetic) actions.push(ledgerActionOf(applied));
    return {
      startMs: this.#startMs,
      requestedKw: this.#requestedKw,
      baselineKw: this.#baselineKw,
      ceilingItKw: this.ceilingItKw,
      actions,
      measured: this.measuredSums,
    };
  }

  /** The running sums of the sampled site power (stored every 30 s while the event runs). */
  get measuredSums(): GridPlanLedger["measured"] {
    return {
      duringSumKw: this.#duringSumKw,
      samples: this.#samples,
      responseS: this.#responseS,
      sampledMs: this.#sampledMs(),
      lastAtMs: this.#lastAtMs ?? null,
    };
  }

  /** The report with its ledger, as the `report` column holds it while the plan is in force. */
  get stored(): StoredGridReport {
    return { ...this.report, ledger: this.ledger };
  }

  /** Whether `atMs` is within the event. */
  covers(atMs: number): boolean {
    return !this.#released && atMs >= this.#startMs && atMs < this.#endMs;
  }

  /** Takes one step of the twin's site power during the event. */
  sample(sample: PowerSample): void {
    if (!this.covers(sample.atMs)) return;
    this.#duringSumKw += sample.gridKw;
    this.#samples++;
    this.#firstAtMs ??= sample.atMs;
    this.#lastAtMs = sample.atMs;
    const baseline = this.#baselineKw;
    if (this.#responseS === null && baseline !== null && baseline - sample.gridKw >= 0.9 * this.#requestedKw)
      this.#responseS = (sample.atMs - this.#startMs) / 1000;
  }

  #sampledMs(): number {
    const first = this.#firstAtMs;
    return this.#sampledBeforeMs + (first === undefined ? 0 : this.#lastAtMs! - first);
  }

  /** The report so far (final once released). */
  get report(): GridEventReport {
    if (this.#released) return this.#report;
    return { ...this.#report, ...this.#measured() };
  }

  #measured(): Pick<
    GridEventReport,
    "duringMW" | "deliveredMW" | "deliveredShare" | "responseS" | "samples" | "sampledS"
  > {
    const during = this.#samples === 0 ? null : this.#duringSumKw / this.#samples / 1000;
    const baseline = this.#report.baselineMW;
    const delivered = during === null || baseline === null ? null : baseline - during;
    const requested = this.#report.requestedMW;
    return {
      duringMW: during,
      deliveredMW: delivered,
      deliveredShare: delivered === null || requested <= 0 ? null : delivered / requested,
      responseS: this.#responseS,
      samples: this.#samples,
      sampledS: this.#samples === 0 ? null : this.#sampledMs() / 1000,
    };
  }

  /**
   * Ends the event at `nowMs`: paused jobs resume and caps are lifted (where they still run in the generation in
   * force); lost and deferred work are counted; the scheduler looks again at the work the event held.
   */
  release(nowMs: number): GridEventReport {
    if (this.#released) return this.#report;
    const measured = this.#measured();
    this.#released = true;
    this.#planned = undefined;
    const generation = this.#engine.generation;
    const live = generation.live;
    const workLost = { ...this.#report.workLostGpuHours };
    let deferred = this.#deferredBeforeH;
    let resumed = 0;
    const late = this.#report.restarts.at(-1)?.outcome === "released";
    const ended =
      this.row.cancelled_at === null ? `ended at ${this.row.ends_at}` : `cancelled at ${this.row.cancelled_at}`;
    const resumedWhy = late
      ? `resumed after a platform restart: grid event ${this.row.id} ${ended} while the platform was stopped`
      : `resumed: grid event ${this.row.id} ended`;
    for (const applied of this.#applied.values()) {
      const hours = Math.max(0, nowMs - applied.atMs) / 3_600_000;
      const { record } = applied;
      const current = record.generation === generation ? record.job : undefined;
      this.#mark(record, false);
      if (applied.kind === "suspend") {
        deferred += applied.gpus * hours;
        if (current !== undefined && live.resume(current)) {
          resumed++;
          this.#note(record, "job.resumed", { reason: resumedWhy, gridEventId: this.row.id });
        }
      } else if (applied.kind === "cap") {
        workLost[applied.flexClass] += capLossGpuHours(applied.gpus, applied.share, hours);
        // Lifted where it still holds: a run that lost its cap (ended, requeued) is not uncapped twice.
        if (current !== undefined && live.held(current) !== undefined && live.cap(current, 1)) {
          resumed++;
          this.#note(record, "job.uncapped", {
            reason: late
              ? `GPU power cap lifted after a platform restart: grid event ${this.row.id} ${ended} while the platform was stopped`
              : `GPU power cap lifted: grid event ${this.row.id} ended`,
            gridEventId: this.row.id,
          });
        }
      }
    }
    this.#report = {
      ...this.#report,
      ...measured,
      resumed: this.#report.resumed + resumed,
      workLostGpuHours: workLost,
      deferredGpuHours: deferred,
      protectedWorkLost: workLost.protected,
      releasedAt: new Date(nowMs).toISOString(),
    };
    live.kick();
    return this.#report;
  }
}

/**
 * Why a job left an event's ledger: its reason in the generation in force (a displacement names the rack or zone),
 * else how it ended, or that the new generation did not take it (demo work stopped with the change).
 */
function leftReason(record: JobRecord | undefined, ended: JobRecord | undefined): string {
  if (record !== undefined) return record.job.reason || `${record.job.state} again`;
  if (ended === undefined) return "no longer known to the scheduler";
  const job = ended.job;
  if (isActive(job)) return "not carried to the new scheduler (demo work stopped)";
  return job.reason === "" ? `ended: ${job.state}` : `ended: ${job.state} (${job.reason})`;
}

/** Simulated seconds per wall-clock second of a live scheduler. */
function speedOf(live: { nowS(): number; epochMsOf(timeS: number): number }): number {
  const span = live.epochMsOf(1000) - live.epochMsOf(0);
  return span > 0 ? 1_000_000 / span : 1;
}
