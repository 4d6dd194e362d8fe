/**
 * Event-driven replay of a job trace against a scheduler: time jumps from one event to the next (arrivals, starts,
 * completions, cancellations, deferral wake-ups, changes of facility limits or drains), never by a fixed step. After
 * every batch of events at one instant the scheduler runs one cycle and a sample of the cluster's state is recorded.
 */
import { MinHeap } from "./heap.ts";
import type { Job, JobSpec } from "./jobs.ts";
import { RackTimeline } from "./rack-timeline.ts";
import type { Scheduler } from "./scheduler.ts";

/** Options of a replay. */
export interface ReplayOptions {
  /**
   * Whether runs end after their duration and waiting jobs are withdrawn at their cancellation time (default).
   * Without departures nobody leaves: the ATC'23 experiment that fills a cluster in arrival order and measures what
   * could be allocated.
   */
  readonly departures?: boolean;
  /** Delay between admission and start (image pull, container start). Default 0. */
  readonly startDelayS?: number;
  /** Record per-rack utilisation for the twin (site inventories only). Default false. */
  readonly recordRacks?: boolean;
  /** Called now and then with the number of jobs submitted so far. */
  readonly progress?: (submitted: number, total: number) => void;
  /** Called at every admission, with the job placed (an audit trail, or invariant checks in tests). */
  readonly onAdmitted?: (job: Job, nowS: number) => void;
}

/** Columnar samples taken after every event instant. */
export interface Timeline {
  readonly timeS: Float64Array;
  /** Allocated GPU milli over installed GPU milli. */
  readonly gpuAllocation: Float64Array;
  /** Expected fragment against the target workload, in GPUs. */
  readonly fragmentedGpus: Float64Array;
  readonly queued: Float64Array;
  readonly running: Float64Array;
}

/** What a replay produced. */
export interface ReplayResult {
  readonly scheduler: Scheduler;
  readonly jobs: readonly Job[];
  readonly timeline: Timeline;
  /** Wall-clock time of the replay loop, milliseconds. */
  readonly wallMs: number;
  readonly racks: RackTimeline | undefined;
}

const startEvent = 1;
const finishEvent = 2;
const cancelEvent = 3;
const wakeEvent = 4;
const changeEvent = 5;

class Columns {
  private readonly data: Float64Array[];
  length = 0;
  constructor(columns: number) {
    this.data = Array.from({ length: columns }, () => new Float64Array(1024));
  }
  push(values: readonly number[]): void {
    if (this.length === this.data[0]!.length) {
      for (let c = 0; c < this.data.length; c++) {
        const grown = new Float64Array(this.length * 2);
        grown.set(this.data[c]!);
        this.data[c] = grown;
      }
    }
    values.forEach((value, column) => {
      this.data[column]![this.length] = value;
    });
    this.length++;
  }
  overwriteLast(values: readonly number[]): void {
    values.forEach((value, column) => {
      this.data[column]![this.length - 1] = value;
    });
  }
  column(index: number): Float64Array {
    return this.data[index]!.slice(0, this.length);
  }
}

/** Replays `specs` (any order; stable by submission time) on `scheduler` until no event is left. */
export function replay(scheduler: Scheduler, specs: readonly JobSpec[], options: ReplayOptions = {}): ReplayResult {
  const started = performance.now();
  const departures = options.departures ?? true;
  const startDelayS = options.startDelayS ?? 0;
  const order = specs.map((_, index) => index).sort((a, b) => specs[a]!.submitS - specs[b]!.submitS || a - b);
  const events = new MinHeap();
  const eventKind: number[] = [];
  const eventJob: number[] = [];
  const eventSerial: number[] = [];
  const schedule = (timeS: number, kind: number, job: number, serial: number) => {
    events.push(timeS, eventKind.length);
    eventKind.push(kind);
    eventJob.push(job);
    eventSerial.push(serial);
  };
  const inventory = scheduler.inventory;
  const racks =
    options.recordRacks === true && inventory.facility !== undefined ? new RackTimeline(inventory) : undefined;
  const recorded: boolean[] = [];
  const jobs = scheduler.jobs;
  let changeScheduledAt = Number.POSITIVE_INFINITY;
  scheduler.listener = {
    admitted: (job, nowS) => {
      options.onAdmitted?.(job, nowS);
      schedule(nowS + startDelayS, startEvent, job.index, job.serial);
    },
    stopped: (job, nowS) => {
      if (recorded[job.index] === true) {
        racks?.record(job, nowS, -1);
        recorded[job.index] = false;
      }
    },
    wakeAt: (job, timeS) => schedule(timeS, wakeEvent, job.index, job.serial),
  };
  const totalGpuMilli = Math.max(1, inventory.gpuCount * 1000);
  const samples = new Columns(5);
  let next = 0;
  let lastSampleS = Number.NaN;
  const progressEvery = Math.max(1, Math.floor(order.length / 200));
  for (;;) {
    const arrivalS = next < order.length ? specs[order[next]!]!.submitS : Number.POSITIVE_INFINITY;
    const nowS = Math.min(arrivalS, events.peekKey);
    if (nowS === Number.POSITIVE_INFINITY) break;
    while (next < order.length && specs[order[next]!]!.submitS === nowS) {
      const spec = specs[order[next]!]!;
      const job = scheduler.submit(spec, nowS);
      if (departures && spec.cancelAtS !== undefined && job.state === "queued") {
        schedule(spec.cancelAtS, cancelEvent, job.index, 0);
      }
      next++;
      if (next % progressEvery === 0) options.progress?.(next, order.length);
    }
    while (events.peekKey === nowS) {
      const event = events.pop();
      const kind = eventKind[event]!;
      if (kind === changeEvent) continue;
      const job = jobs[eventJob[event]!]!;
      switch (kind) {
        case startEvent:
          if (job.state === "admitted" && job.serial === eventSerial[event]) {
            scheduler.run(job, nowS);
            racks?.record(job, nowS, 1);
            recorded[job.index] = true;
            if (departures && Number.isFinite(job.spec.durationS)) {
              schedule(nowS + job.spec.durationS, finishEvent, job.index, job.serial);
            }
          }
          break;
        case finishEvent:
          if (job.state === "running" && job.serial === eventSerial[event])
            scheduler.finish(job, nowS, job.spec.outcome);
          break;
        case cancelEvent:
          // The trace's deletion withdraws a job only while it still waits.
          if (job.state === "queued") scheduler.cancel(job, nowS);
          break;
        default:
          scheduler.wake(job);
          break;
      }
    }
    scheduler.cycle(nowS);
    const change = scheduler.nextChangeS(nowS);
    if (Number.isFinite(change) && change !== changeScheduledAt) {
      changeScheduledAt = change;
      schedule(change, changeEvent, 0, 0);
    }
    const sample = [
      nowS,
      scheduler.state.allocatedGpuMilli / totalGpuMilli,
      scheduler.state.fragmentMilli / 1000,
      scheduler.queuedCount,
      scheduler.placedCount,
    ];
    if (nowS === lastSampleS) samples.overwriteLast(sample);
    else samples.push(sample);
    lastSampleS = nowS;
  }
  options.progress?.(order.length, order.length);
  return {
    scheduler,
    jobs,
    timeline: {
      timeS: samples.column(0),
      gpuAllocation: samples.column(1),
      fragmentedGpus: samples.column(2),
      queued: samples.column(3),
      running: samples.column(4),
    },
    wallMs: performance.now() - started,
    racks,
  };
}
