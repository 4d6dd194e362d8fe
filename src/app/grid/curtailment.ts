/**
 * One grid event while it runs on the live platform: the plan applied to the running jobs of the scheduler generation
 * in force (pause deferrable jobs through the executor, cap flexible ones, requeue preemptible ones), the job history
 * and audit of every command, the site's grid import sampled from the live twin for the delivered figure, and the
 * release at the end (paused jobs resumed, caps lifted; requeued jobs wait in their queue and are admitted again once
 * the event no longer holds them). The report counts jobs and lost work by flexibility class.
 */

import { type CurtailCandidate, capLossGpuHours, planCurtailment } from "../../flex/live-plan.ts";
import { type FlexClass, flexClasses, rackFallbackClass } from "../../model/flexibility.ts";
import type { Job } from "../../scheduler/jobs.ts";
import { profileOf } from "../../twin/layout.ts";
import type { JobsEngine } from "../jobs/engine.ts";
import { type Generation, placementOf } from "../jobs/generation.ts";
import type { JobRecord } from "../jobs/records.ts";
import type { GridEventReport, GridEventRow } from "./model.ts";

/** A sample of the site's power from the live twin, on the wall clock. */
export interface PowerSample {
  readonly atMs: number;
  readonly gridKw: number;
  readonly itKw: number;
}

/** A command applied to one job. */
interface Applied {
  readonly record: JobRecord;
  readonly kind: "suspend" | "cap" | "requeue";
  readonly flexClass: FlexClass;
  readonly share: number;
  readonly gpus: number;
  readonly atMs: number;
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
 */
export function dynamicKwOf(generation: Generation, job: Job, rackPowerKw: ArrayLike<number> | undefined): number {
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
    const designKw = (Number(type.designPower) - Number(type.idlePower)) * (jobMilli / (type.gpusPerRack * 1000));
    const drawnKw = rackPowerKw?.[rackIndex];
    if (drawnKw === undefined || rackPowerKw!.length !== generation.site.racks.length) {
      kw += designKw;
      continue;
    }
    let allocated = 0;
    for (let node = rackLevel.childStart[rackIndex]!; node < rackLevel.childStart[rackIndex + 1]!; node++)
      allocated += inventory.nodeGpuCount[node]! * 1000 - state.nodeFreeMilli[node]!;
    const dynamicNow = Math.max(0, drawnKw - Number(type.idlePower));
    kw += allocated > 0 ? Math.min(designKw, (dynamicNow * jobMilli) / allocated) : 0;
  }
  return kw;
}

/** The live side of one active event (see the module comment). */
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
  #report: GridEventReport;
  #released = false;

  /**
   * Applies the plan for `row` now. `recent`: the twin's samples before the start (the baseline is their mean over
   * the last `baselineWindowMs`); `rackPowerKw`: each rack's power in the twin's last step.
   */
  constructor(
    row: GridEventRow,
    engine: JobsEngine,
    recent: readonly PowerSample[],
    rackPowerKw: ArrayLike<number> | undefined,
    nowMs: number,
  ) {
    const began = performance.now();
    this.row = row;
    this.#engine = engine;
    this.#startMs = Math.max(Date.parse(row.starts_at), Math.min(nowMs, Date.parse(row.ends_at)));
    this.#endMs = Date.parse(row.ends_at);
    const latest = recent[recent.length - 1];
    const window = recent.filter(
      (sample) => sample.atMs >= this.#startMs - baselineWindowMs && sample.atMs < this.#startMs,
    );
    const baselineSamples = window.length > 0 ? window : latest === undefined ? [] : [latest];
    this.#baselineKw =
      baselineSamples.length === 0
        ? null
        : baselineSamples.reduce((sum, sample) => sum + sample.gridKw, 0) / baselineSamples.length;
    const itNowKw = latest?.itKw ?? 0;
    this.#requestedKw = row.reduce_mw !== null ? row.reduce_mw * 1000 : (row.reduce_fraction ?? 0) * itNowKw;
    this.ceilingItKw = Math.max(0, itNowKw - this.#requestedKw);
    const generation = engine.generation;
    const live = generation.live;
    const nowS = live.nowS();
    const remainingS = ((this.#endMs - nowMs) / 1000) * speedOf(live);
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
        dynamicKw: dynamicKwOf(generation, job, rackPowerKw) * live.powerShareOf(job),
        slackOk: deadline === undefined || nowS + remainingS + leftS <= deadline,
        runGpuHours: (job.spec.gpus * job.spec.members * (job.spec.gpuMilli / 1000) * (nowS - job.startS)) / 3600,
      });
    }
    const plan = planCurtailment(candidates, this.#requestedKw, row.minimum_cap);
    const counts = { capped: zeroByClass(), suspended: zeroByClass(), requeued: zeroByClass() };
    const workLost = zeroByClass();
    for (const action of plan.actions) {
      const record = running.get(action.key)!;
      const job = record.job;
      const flexClass = classOfRunning(generation, job);
      const gpus = (job.spec.gpus * job.spec.members * job.spec.gpuMilli) / 1000;
      const why = `grid event ${row.id} (${row.reason}) until ${row.ends_at}`;
      if (action.kind === "suspend") {
        if (!live.suspend(job)) continue;
        counts.suspended[flexClass]++;
        this.#note(record, "job.suspended", { reason: `suspended: ${why}`, gridEventId: row.id });
      } else if (action.kind === "cap") {
        if (!live.cap(job, action.share)) continue;
        counts.capped[flexClass]++;
        this.#note(record, "job.capped", {
          reason: `GPU power capped: ${why}`,
          share: action.share,
          gridEventId: row.id,
        });
      } else {
        const lost = (gpus * (nowS - job.startS)) / 3600;
        const racks = placementOf(generation, job).racks;
        const reason = `preempted: ${why}`;
        live.displace(job, reason);
        workLost[flexClass] += Math.max(0, lost);
        counts.requeued[flexClass]++;
        if (!record.synthetic) {
          generation.lastState.set(job.index, job.state);
          void engine.persist(record.id, { state: job.state, reason }, "job.preempted", {
            state: job.state,
            reason,
            racks,
            gridEventId: row.id,
          });
        }
      }
      this.#applied.set(record.id, {
        record,
        kind: action.kind,
        flexClass,
        share: action.kind === "cap" ? action.share : action.kind === "suspend" ? 0 : 1,
        gpus,
        atMs: nowMs,
      });
    }
    this.#report = {
      requestedMW: this.#requestedKw / 1000,
      baselineMW: this.#baselineKw === null ? null : this.#baselineKw / 1000,
      duringMW: null,
      deliveredMW: null,
      deliveredShare: null,
      responseS: null,
      applyS: (performance.now() - began) / 1000,
      plannedMW: plan.plannedKw / 1000,
      shortMW: plan.shortKw / 1000,
      capShare: plan.capShare,
      jobs: counts,
      resumed: 0,
      workLostGpuHours: workLost,
      deferredGpuHours: 0,
      protectedWorkLost: workLost.protected,
      samples: 0,
      releasedAt: null,
    };
    live.kick();
  }

  /** Records a command in an API job's history and the audit trail (demo jobs have neither). */
  #note(record: JobRecord, action: string, detail: Record<string, unknown>): void {
    if (record.synthetic) return;
    void this.#engine.persist(record.id, { state: record.job.state }, action, { state: record.job.state, ...detail });
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
    const baseline = this.#baselineKw;
    if (this.#responseS === null && baseline !== null && baseline - sample.gridKw >= 0.9 * this.#requestedKw)
      this.#responseS = (sample.atMs - this.#startMs) / 1000;
  }

  /** The report so far (final once released). */
  get report(): GridEventReport {
    if (this.#released) return this.#report;
    return { ...this.#report, ...this.#measured() };
  }

  #measured(): Pick<GridEventReport, "duringMW" | "deliveredMW" | "deliveredShare" | "responseS" | "samples"> {
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
    const generation = this.#engine.generation;
    const live = generation.live;
    const workLost = { ...this.#report.workLostGpuHours };
    let deferred = 0;
    let resumed = 0;
    for (const applied of this.#applied.values()) {
      const hours = Math.max(0, nowMs - applied.atMs) / 3_600_000;
      const { record } = applied;
      const current = record.generation === generation ? record.job : undefined;
      if (applied.kind === "suspend") {
        deferred += applied.gpus * hours;
        if (current !== undefined && live.resume(current)) {
          resumed++;
          this.#note(record, "job.resumed", {
            reason: `resumed: grid event ${this.row.id} ended`,
            gridEventId: this.row.id,
          });
        }
      } else if (applied.kind === "cap") {
        workLost[applied.flexClass] += capLossGpuHours(applied.gpus, applied.share, hours);
        if (current !== undefined && live.cap(current, 1)) {
          resumed++;
          this.#note(record, "job.uncapped", {
            reason: `GPU power cap lifted: grid event ${this.row.id} ended`,
            gridEventId: this.row.id,
          });
        }
      }
    }
    this.#report = {
      ...this.#report,
      ...measured,
      resumed,
      workLostGpuHours: workLost,
      deferredGpuHours: deferred,
      protectedWorkLost: workLost.protected,
      releasedAt: new Date(nowMs).toISOString(),
    };
    live.kick();
    return this.#report;
  }
}

/** Simulated seconds per wall-clock second of a live scheduler. */
function speedOf(live: { nowS(): number; epochMsOf(timeS: number): number }): number {
  const span = live.epochMsOf(1000) - live.epochMsOf(0);
  return span > 0 ? 1_000_000 / span : 1;
}
