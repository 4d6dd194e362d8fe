/**
 * The scheduler on the wall clock: jobs arrive through the API (and, in the demo, from a seeded background workload),
 * are admitted and handed to an executor, which reports when they start and end; a timer sleeps until the next
 * event (a simulated end, a deferred job's wake-up, a change of the facility's limits) rather than polling. The
 * default executor is the simulation (a job runs for its duration); `src/execution/` runs them on Slurm. Also the
 * coupling to the live twin: per-rack utilisation from what is placed where.
 */
import type { Site } from "../model/site.ts";
import type { VersionedUtilisationSource } from "../model/utilisation.ts";
import type { AdmissionCheck } from "./checks.ts";
import { MinHeap } from "./heap.ts";
import type { Inventory } from "./inventory.ts";
import type { Job, JobOutcome, JobSpec } from "./jobs.ts";
import type { QueueSetConfig } from "./queues.ts";
import { type PolicyName, Scheduler } from "./scheduler.ts";

/** Runs admitted jobs. It reports back through the live scheduler: `started`, `ended`. */
export interface JobExecutor {
  /** A job got its resources at `nowS`: start it where `job.nodes` and `job.gpus` say. */
  launch(job: Job, nowS: number): void;
  /**
   * alixan takes a placed job's resources back: `cancelled` by its owner, or `preempted` (it waits in its queue
   * again, or has ended as preempted, as `job.state` tells).
   */
  stop(job: Job, why: "cancelled" | "preempted", nowS: number): void;
  /** A grid curtailment pauses a running job; it keeps its resources (Slurm: `scontrol suspend`). */
  suspend?(job: Job, nowS: number): void;
  /** A paused job runs again (Slurm: `scontrol resume`). */
  resume?(job: Job, nowS: number): void;
  /**
   * A grid curtailment holds a running job's GPUs to `share` of their dynamic power (1: no cap). The live twin draws
   * the capped power in any case; an executor that can enforce a GPU power limit does so here.
   */
  cap?(job: Job, share: number, nowS: number): void;
}

/** The simulated executor: a job starts when admitted and ends after its duration, on the scheduler's clock. */
export class SimulatedExecutor implements JobExecutor {
  readonly #live: LiveScheduler;
  constructor(live: LiveScheduler) {
    this.#live = live;
  }
  launch(job: Job, nowS: number): void {
    this.#live.started(job);
    this.#live.finishAt(job, nowS + job.spec.durationS);
  }
  stop(): void {
    // Nothing runs outside the scheduler: its finish event is stale once the job is off its resources.
  }
  /** A paused job's clock stops: it ends its run time later, as a suspended Slurm job's time limit does. */
  suspend(job: Job, nowS: number): void {
    this.#live.holdFinish(job, nowS);
  }
  resume(job: Job, nowS: number): void {
    this.#live.releaseFinish(job, nowS);
  }
}

/**
 * What a grid curtailment holds a running job to, as one scheduler generation hands it to the next (a site change):
 * paused, with the run time a simulated run had left, or held to a share of its GPUs' dynamic power.
 */
export interface HeldRun {
  readonly paused: boolean;
  readonly share: number;
  /** Seconds a paused simulated run had left (undefined for runs a real executor holds). */
  readonly leftS: number | undefined;
}

const finishEvent = 0;
const wakeEvent = 1;
const changeEvent = 2;

/** How the live scheduler runs. */
export interface LiveSchedulerOptions {
  readonly inventory: Inventory;
  readonly queues: QueueSetConfig;
  readonly checks: readonly AdmissionCheck[];
  readonly policy?: PolicyName;
  /** Simulated seconds per wall-clock second (default 1). */
  readonly speed?: number;
  /** Called whenever a job changes state (persistence, audit). */
  readonly onChange?: (job: Job) => void;
  /** Runs admitted jobs (default: the simulation). */
  readonly executor?: (live: LiveScheduler) => JobExecutor;
  /** Wall-clock epoch (ms) of scheduler time 0: a scheduler that takes over from another keeps its clock. */
  readonly epochMs?: number;
  /**
   * Called when a running job is paused or resumed (a grid curtailment): a simulated run's due end moved, which the
   * owner stores so a restart of the platform finds the run as it was.
   */
  readonly onHold?: (job: Job) => void;
}

/** A scheduler driven by the wall clock. */
export class LiveScheduler {
  readonly scheduler: Scheduler;
  readonly inventory: Inventory;
  readonly #speed: number;
  readonly #epochMs: number;
  readonly #events = new MinHeap();
  readonly #eventKind: number[] = [];
  readonly #eventJob: number[] = [];
  readonly #eventSerial: number[] = [];
  /** Tells the owner of a change; `moved`: the change may have moved what racks draw (see `placementVersion`). */
  readonly #onChange: (job: Job, moved?: boolean) => void;
  readonly #onHold: (job: Job) => void;
  #placementVersion = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAtS = Number.POSITIVE_INFINITY;
  #disposed = false;
  #changeScheduledAt = Number.NaN;
  readonly #executor: JobExecutor;
  /** When each simulated run ends (by job index): a finish event at another time is stale (the job was paused). */
  readonly #finishDueS = new Map<number, number>();
  /**
   * Running jobs a grid curtailment holds below full power: the share of their GPUs' dynamic power they draw (0 while
   * paused). The twin's utilisation reads it.
   */
  readonly #powerShare = new Map<Job, number>();
  readonly #paused = new Set<Job>();
  /**
   * Run time left to paused simulated runs, seconds: their finish is off the clock until they resume. Kept here
   * rather than in the executor so a site change can hand it to the next generation (`held`, `adoptHeld`).
   */
  readonly #pausedLeftS = new Map<Job, number>();

  constructor(options: LiveSchedulerOptions) {
    this.inventory = options.inventory;
    this.#speed = options.speed ?? 1;
    this.#epochMs = options.epochMs ?? Date.now();
    const onChange = options.onChange ?? (() => {});
    this.#onHold = options.onHold ?? (() => {});
    this.#onChange = (job, moved = true) => {
      // A job that stops running (ends, is requeued) leaves any cap or pause behind.
      if (job.state !== "running") {
        this.#powerShare.delete(job);
        this.#paused.delete(job);
        this.#pausedLeftS.delete(job);
      }
      if (moved) this.#placementVersion++;
      onChange(job);
    };
    this.scheduler = new Scheduler(options.inventory, {
      policy: options.policy ?? "alixan",
      queues: options.queues,
      checks: options.checks,
    });
    this.#executor = options.executor?.(this) ?? new SimulatedExecutor(this);
    this.scheduler.listener = {
      admitted: (job, nowS) => {
        this.#onChange(job);
        this.#executor.launch(job, nowS);
      },
      // The executor hears of a preemption at once: a later admission in this cycle launches the job again after.
      preempted: (job, nowS) => {
        this.#onChange(job);
        this.#executor.stop(job, "preempted", nowS);
      },
      wakeAt: (job, timeS) => this.#schedule(timeS, wakeEvent, job),
    };
  }

  /** The executor reports that an admitted job runs (now). */
  started(job: Job): void {
    if (job.state !== "admitted") return;
    this.scheduler.run(job, this.nowS());
    this.#onChange(job);
  }

  /**
   * The executor reports that a placed job ended: resources go back, the job takes its final state, with `reason`
   * (exit code, what the backend said) when given.
   */
  ended(job: Job, outcome: JobOutcome | "cancelled", reason = ""): void {
    if (!job.placed) return;
    const nowS = this.nowS();
    if (outcome === "cancelled") this.scheduler.cancel(job, nowS);
    else this.scheduler.finish(job, nowS, outcome);
    if (reason !== "") job.reason = reason;
    this.#onChange(job);
    this.#advance(nowS);
  }

  /** Ends `job` at scheduler time `timeS` with its spec's outcome, unless it was stopped or restarted before. */
  finishAt(job: Job, timeS: number): void {
    this.#finishDueS.set(job.index, timeS);
    this.#schedule(timeS, finishEvent, job);
  }

  /** When a simulated run ends, on this scheduler's clock (undefined: not on the clock, e.g. paused or not simulated). */
  finishDueS(job: Job): number | undefined {
    return job.state === "running" ? this.#finishDueS.get(job.index) : undefined;
  }

  /** Takes the simulated end of a paused job off the clock, keeping the run time it had left. */
  holdFinish(job: Job, nowS: number): void {
    const due = this.#finishDueS.get(job.index);
    if (due === undefined) return;
    this.#finishDueS.delete(job.index);
    this.#pausedLeftS.set(job, Math.max(0, due - nowS));
  }

  /** Puts the simulated end of a resumed job back on the clock, after the run time it had left. */
  releaseFinish(job: Job, nowS: number): void {
    const left = this.#pausedLeftS.get(job);
    if (left === undefined) return;
    this.#pausedLeftS.delete(job);
    this.finishAt(job, nowS + left);
  }

  /** Pauses a running job (its executor suspends it; it keeps its resources); false if it does not run or is paused. */
  suspend(job: Job): boolean {
    if (job.state !== "running" || this.#paused.has(job)) return false;
    this.#paused.add(job);
    this.#powerShare.set(job, 0);
    this.#placementVersion++;
    this.#executor.suspend?.(job, this.nowS());
    this.#onHold(job);
    return true;
  }

  /**
   * Marks a running job its executor found paused after a restart of the platform (Slurm shows it SUSPENDED): it
   * draws no dynamic power and `resume` lets it run again. No command is sent: it is paused already.
   */
  adoptPaused(job: Job): boolean {
    if (job.state !== "running" || this.#paused.has(job)) return false;
    this.#paused.add(job);
    this.#powerShare.set(job, 0);
    this.#placementVersion++;
    return true;
  }

  /** What a grid curtailment holds a running job to, or undefined when it runs free (see `HeldRun`). */
  held(job: Job): HeldRun | undefined {
    if (job.state !== "running") return undefined;
    const paused = this.#paused.has(job);
    const share = this.#powerShare.get(job);
    if (!paused && share === undefined) return undefined;
    return { paused, share: paused ? 0 : share!, leftS: this.#pausedLeftS.get(job) };
  }

  /**
   * Takes over a pause or cap from the generation before (a site change carried the running job over): the run is
   * paused or capped in its executor already, so no command is sent (Slurm would refuse a second suspend). A paused
   * simulated run gets its end back when it resumes; the caller does not put it on the clock.
   */
  adoptHeld(job: Job, held: HeldRun): boolean {
    if (job.state !== "running") return false;
    if (held.paused) {
      this.#paused.add(job);
      this.#powerShare.set(job, 0);
      if (held.leftS !== undefined) this.#pausedLeftS.set(job, held.leftS);
    } else if (held.share < 1) this.#powerShare.set(job, Math.max(0, held.share));
    this.#placementVersion++;
    return true;
  }

  /** Lets a paused job run again, at full power; false if it was not paused (or no longer runs). */
  resume(job: Job): boolean {
    if (!this.#paused.delete(job)) return false;
    this.#powerShare.delete(job);
    this.#placementVersion++;
    if (job.state !== "running") return false;
    this.#executor.resume?.(job, this.nowS());
    this.#onHold(job);
    this.#advance(this.nowS());
    return true;
  }

  /** Holds a running job's GPUs to `share` (0–1) of their dynamic power; 1 lifts the cap. Paused jobs stay paused. */
  cap(job: Job, share: number): boolean {
    if (job.state !== "running" || this.#paused.has(job)) return false;
    const bounded = Math.min(1, Math.max(0, share));
    if (bounded >= 1) this.#powerShare.delete(job);
    else this.#powerShare.set(job, bounded);
    this.#placementVersion++;
    this.#executor.cap?.(job, bounded, this.nowS());
    return true;
  }

  /**
   * Moves whenever what the racks draw may have changed other than with time: a job admitted, started, ended,
   * cancelled, preempted, requeued or displaced (moved), paused, resumed or capped. The live twin reads the placements
   * again at its next step when it moved (`utilisationSource`'s `version`), however many changes came meanwhile.
   */
  get placementVersion(): number {
    return this.#placementVersion;
  }

  /** Whether a grid curtailment has paused the job. */
  isPaused(job: Job): boolean {
    return this.#paused.has(job);
  }

  /** The share of its GPUs' dynamic power a running job may draw (1: uncapped, 0: paused). */
  powerShareOf(job: Job): number {
    return this.#powerShare.get(job) ?? 1;
  }

  /**
   * Binds a job an executor found running (or waiting to start) after a restart, where it runs; see
   * `Scheduler.adopt`. The executor is not asked to launch it again.
   */
  adopt(spec: JobSpec, nodes: ArrayLike<number>, gpus: ArrayLike<number>, running: boolean): Job {
    const job = this.#bind(spec, nodes, gpus, running);
    this.#onChange(job);
    return job;
  }

  /**
   * Adopts a run where it ran, as `adopt`, but reports it only when its nodes take it: refused (`failed`, its reason
   * saying why), the caller queues the job again (a site change, a restart of simulated runs), so the refusal is not
   * the job's end, which its array's count and its dependents would otherwise take it for.
   */
  tryAdopt(spec: JobSpec, nodes: ArrayLike<number>, gpus: ArrayLike<number>, running: boolean): Job {
    const job = this.#bind(spec, nodes, gpus, running);
    if (job.state !== "failed") this.#onChange(job);
    return job;
  }

  /** The scheduler's adoption of a run (started again when it was running), not yet reported. */
  #bind(spec: JobSpec, nodes: ArrayLike<number>, gpus: ArrayLike<number>, running: boolean): Job {
    const nowS = this.nowS();
    const job = this.scheduler.adopt({ ...spec, submitS: Math.min(spec.submitS, nowS) }, nodes, gpus, nowS);
    if (running && job.state === "admitted") this.scheduler.run(job, nowS);
    return job;
  }

  /** Takes nodes out of service or puts them back; waiting jobs are looked at again when room comes back. */
  setNodesOffline(changes: Iterable<readonly [node: number, offline: boolean]>): number {
    let changed = 0;
    for (const [node, offline] of changes) if (this.scheduler.setNodeOffline(node, offline)) changed++;
    if (changed > 0) this.#advance(this.nowS());
    return changed;
  }

  /** Seconds since the scheduler started, on its (possibly accelerated) clock. */
  nowS(): number {
    return ((Date.now() - this.#epochMs) / 1000) * this.#speed;
  }

  /** The scheduler time of an epoch ms (negative before this scheduler started: a run adopted after a restart). */
  timeOf(epochMs: number): number {
    return ((epochMs - this.#epochMs) / 1000) * this.#speed;
  }

  /** Epoch ms of a scheduler time. */
  epochMsOf(timeS: number): number {
    return this.#epochMs + (timeS * 1000) / this.#speed;
  }

  /**
   * Submits a job now (its `submitS` is replaced by the current time) and runs a cycle; `prepare` sees the job before
   * the cycle (a restart gives it back its history and its owner's record, so a start in this cycle is recorded). A
   * deadline or withdrawal time already passed is now: a job taken back after a restart may carry one that passed
   * while the platform was stopped, and is not refused for it.
   */
  submit(spec: Omit<JobSpec, "submitS">, prepare?: (job: Job) => void): Job {
    const nowS = this.nowS();
    const notBefore = (timeS: number | undefined) => (timeS === undefined ? undefined : Math.max(nowS, timeS));
    const job = this.scheduler.submit(
      { ...spec, submitS: nowS, deadlineS: notBefore(spec.deadlineS), cancelAtS: notBefore(spec.cancelAtS) } as JobSpec,
      nowS,
    );
    prepare?.(job);
    // Waiting holds nothing: the cycle below reports an admission itself.
    this.#onChange(job, job.placed);
    this.#advance(nowS);
    return job;
  }

  /** Simulated seconds per wall-clock second. */
  get speed(): number {
    return this.#speed;
  }

  /** Wall-clock epoch (ms) of scheduler time 0. */
  get epochMs(): number {
    return this.#epochMs;
  }

  /**
   * Takes over a waiting job from another scheduler (a site change): it keeps its `submitS`, so its place in the
   * queue. No cycle runs: call `kick()` once everything is carried over.
   */
  carry(spec: JobSpec): Job {
    const job = this.scheduler.submit(spec, this.nowS());
    this.#onChange(job, job.placed);
    return job;
  }

  /** Runs a scheduling cycle now (after jobs were carried over or displaced). */
  kick(): void {
    this.#advance(this.nowS());
  }

  /** Takes a placed job off resources it may no longer use, with `reason`; the executor stops it; it waits again. */
  displace(job: Job, reason: string): void {
    if (!job.placed) return;
    // The scheduler's listener tells the executor (stop) and the owner (onChange) of the preemption.
    this.scheduler.displace(job, this.nowS(), reason);
  }

  /** Cancels a waiting or running job; a placed one is stopped by its executor. */
  cancel(job: Job): void {
    const nowS = this.nowS();
    const placed = job.placed;
    this.scheduler.cancel(job, nowS);
    if (placed) this.#executor.stop(job, "cancelled", nowS);
    this.#onChange(job, placed);
    this.#advance(nowS);
  }

  /** Stops the timer; the scheduler keeps its state but time no longer moves. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Per-rack utilisation from the GPUs (or, on CPU racks, the CPU) allocated there: the twin's load. Its `version` is
   * `placementVersion`.
   */
  utilisationSource(site: Site): VersionedUtilisationSource {
    const live = this;
    const inventory = this.inventory;
    const state = this.scheduler.state;
    const facility = inventory.facility;
    if (facility === undefined) throw new Error("utilisation needs an inventory built from a site");
    const rackLevel = inventory.levels[facility.rackLevel]!;
    if (facility.rackLevel !== inventory.levels.length - 1) throw new Error("utilisation needs racks to hold nodes");
    const racks = site.racks.length;
    // A rack's nodes are the contiguous range [nodeStart[rack], nodeStart[rack + 1]).
    const nodeStart = rackLevel.childStart;
    const gpuCount = inventory.nodeGpuCount;
    const cpuMilli = inventory.nodeCpuMilli;
    const capacity = new Float64Array(racks);
    const cpuCapacity = new Float64Array(racks);
    const powerShare = this.#powerShare;
    const rackOfNode = rackLevel.groupOfNode;
    for (let rack = 0; rack < racks; rack++) {
      for (let node = nodeStart[rack]!; node < nodeStart[rack + 1]!; node++) {
        capacity[rack]! += gpuCount[node]! * 1000;
        cpuCapacity[rack]! += cpuMilli[node]!;
      }
    }
    return {
      get version() {
        return live.#placementVersion;
      },
      // Rack by rack over its node range, with no per-node rack lookup: this runs over every node of the campus
      // (hundreds of thousands) on the event loop at each refresh.
      fill(_timeS: number, out: Float64Array) {
        const gpuFree = state.nodeFreeMilli;
        const cpuFree = state.nodeCpuFree;
        for (let rack = 0; rack < racks; rack++) {
          const first = nodeStart[rack]!;
          const end = nodeStart[rack + 1]!;
          let used = 0;
          let total = capacity[rack]!;
          if (total > 0) {
            for (let node = first; node < end; node++) used += gpuCount[node]! * 1000 - gpuFree[node]!;
          } else {
            total = cpuCapacity[rack]!;
            for (let node = first; node < end; node++) used += cpuMilli[node]! - cpuFree[node]!;
          }
          out[rack] = total > 0 ? Math.min(1, used / total) : 0;
        }
        // Capped and paused GPUs draw only their share of dynamic power (a few jobs, during a curtailment).
        for (const [job, share] of powerShare) {
          if (job.state !== "running" || job.spec.gpus === 0) continue;
          const milli = job.spec.gpus * job.spec.gpuMilli * (1 - share);
          for (let member = 0; member < job.nodes.length; member++) {
            const rack = rackOfNode[job.nodes[member]!]!;
            if (capacity[rack]! > 0) out[rack] = Math.max(0, out[rack]! - milli / capacity[rack]!);
          }
        }
      },
    };
  }

  #schedule(timeS: number, kind: number, job: Job | undefined): void {
    this.#events.push(timeS, this.#eventKind.length);
    this.#eventKind.push(kind);
    this.#eventJob.push(job?.index ?? -1);
    this.#eventSerial.push(job?.serial ?? 0);
    this.#arm();
  }

  /** Processes every event due by `nowS`, runs a cycle, and sleeps until the next one. */
  #advance(nowS: number): void {
    const jobs = this.scheduler.jobs;
    while (this.#events.size > 0 && this.#events.peekKey <= nowS) {
      const dueS = this.#events.peekKey;
      const event = this.#events.pop();
      const kind = this.#eventKind[event]!;
      const job = jobs[this.#eventJob[event]!];
      if (
        kind === finishEvent &&
        job !== undefined &&
        job.state === "running" &&
        job.serial === this.#eventSerial[event] &&
        this.#finishDueS.get(job.index) === dueS
      ) {
        this.#finishDueS.delete(job.index);
        this.scheduler.finish(job, nowS, job.spec.outcome);
        this.#onChange(job);
      } else if (kind === wakeEvent && job !== undefined) {
        this.scheduler.wake(job);
      }
    }
    this.scheduler.cycle(nowS);
    const change = this.scheduler.nextChangeS(nowS);
    if (Number.isFinite(change) && change !== this.#changeScheduledAt) {
      this.#changeScheduledAt = change;
      this.#schedule(change, changeEvent, undefined);
    }
    this.#arm();
  }

  #arm(): void {
    if (this.#disposed || this.#events.size === 0) return;
    const nextS = this.#events.peekKey;
    if (nextS >= this.#timerAtS && this.#timer !== undefined) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAtS = nextS;
    const delayMs = Math.max(0, Math.min(2 ** 31 - 1, this.epochMsOf(nextS) - Date.now()));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAtS = Number.POSITIVE_INFINITY;
      this.#advance(this.nowS());
    }, delayMs);
    this.#timer.unref();
  }
}
