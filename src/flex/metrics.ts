/**
 * Flexibility figures of a run with grid events: the same site, weather, seed and load run twice, once as it would
 * have been and once with the controller answering the requests; both record the site's grid import every step.
 * A request's delivered MW is the mean of (baseline − curtailed) over the event, its response the time from the
 * start to the end of the first step at which the reduction reached 90 % of the request, and the rebound the
 * highest import in the hour after release (and its excess over the baseline).
 */
import type { PartitionKernel } from "../twin/kernel.ts";
import type { Outcome } from "../twin/outcome.ts";
import { failure, success } from "../twin/outcome.ts";
import type { TwinResult } from "../twin/results.ts";
import { type SimulationOptions, simulate } from "../twin/run.ts";
import { secondsPer } from "../twin/time.ts";
import type { GridEvents } from "./events.ts";
import type { JobClassCounts, JobPlacements } from "./job-classes.ts";
import { type AvailableHour, type ClassSource, type EventRecord, FlexController } from "./plan.ts";

/** One request's figures, as `simulate --grid-events --json` prints them. */
export interface EventFigures {
  readonly id: string;
  readonly startS: number;
  readonly requestedMW: number;
  readonly deliveredMW: number;
  /** Lowest 1-minute mean of the reduction over the event (after the response), MW. */
  readonly minimumMinuteMW: number;
  readonly responseS: number | null;
  readonly durationS: number;
  readonly protectedWorkLost: number;
  readonly flexibleWorkLost: number;
  readonly preemptedWorkLost: number;
  readonly deferredGpuHours: number;
  readonly reboundPeakMW: number;
  readonly reboundExcessMW: number;
  readonly gridConnectionMW: number;
  readonly cappedRacks: number;
  readonly pausedRacks: number;
  readonly preemptedRacks: number;
  readonly lowestCap: number;
  readonly shortSteps: number;
}

/** The `flexibility` block. */
export interface FlexibilityReport {
  /**
   * Where the racks' flexibility classes came from: `fleet` (the file's shares by utilisation profile, synthetic load)
   * or `jobs` (the jobs of the `--jobs` trace running on each rack, their queues' classes and their own).
   */
  readonly classSource: ClassSource;
  /** With `jobs`: the classes the trace's jobs got. */
  readonly jobClasses?: JobClassCounts;
  readonly events: EventFigures[];
  readonly available: AvailableHour[];
  /** KPIs of the run without the events, for comparison. */
  readonly baseline: TwinResult["kpis"];
}

/** Time after release in which the rebound peak is looked for. */
const reboundWindowS = secondsPer.h;

/** Site grid import per step (kW), filled by `onStep`. */
export function gridRecorder(steps: number): { grid: Float64Array; onStep: (kernel: PartitionKernel) => void } {
  const grid = new Float64Array(steps);
  let index = 0;
  return {
    grid,
    onStep: (kernel) => {
      let sum = 0;
      for (const value of kernel.plantGridKw) sum += value;
      if (index < steps) grid[index++] = sum;
    },
  };
}

/** Figures of one request from the two grid series (kW per step). */
export function eventFigures(
  record: EventRecord,
  baseline: Float64Array,
  curtailed: Float64Array,
  runStartS: number,
  stepS: number,
  gridConnectionMW: number,
): EventFigures {
  const first = Math.max(0, Math.round((record.startS - runStartS) / stepS));
  const last = Math.min(baseline.length, Math.round((record.endS - runStartS) / stepS));
  const requestedKw = record.requestedMW * 1000;
  let sum = 0;
  let responseS: number | null = null;
  for (let step = first; step < last; step++) {
    const reduction = baseline[step]! - curtailed[step]!;
    sum += reduction;
    if (responseS === null && reduction >= 0.9 * requestedKw) {
      responseS = Math.max(0, runStartS + (step + 1) * stepS - record.startS);
    }
  }
  const perMinute = Math.max(1, Math.round(60 / stepS));
  let minimumMinute = Number.POSITIVE_INFINITY;
  const settled = responseS === null ? last : first + Math.ceil(responseS / stepS);
  for (let step = settled; step + perMinute <= last; step += perMinute) {
    let minute = 0;
    for (let inner = step; inner < step + perMinute; inner++) minute += baseline[inner]! - curtailed[inner]!;
    minimumMinute = Math.min(minimumMinute, minute / perMinute);
  }
  let peak = 0;
  let excess = Number.NEGATIVE_INFINITY;
  const reboundEnd = Math.min(curtailed.length, last + Math.round(reboundWindowS / stepS));
  for (let step = last; step < reboundEnd; step++) {
    peak = Math.max(peak, curtailed[step]!);
    excess = Math.max(excess, curtailed[step]! - baseline[step]!);
  }
  return {
    id: record.id,
    startS: record.startS,
    requestedMW: record.requestedMW,
    deliveredMW: last > first ? sum / (last - first) / 1000 : 0,
    minimumMinuteMW: Number.isFinite(minimumMinute) ? minimumMinute / 1000 : 0,
    responseS,
    durationS: record.endS - record.startS,
    protectedWorkLost: record.protectedWorkLost,
    flexibleWorkLost: record.flexibleWorkLost,
    preemptedWorkLost: record.preemptedWorkLost,
    deferredGpuHours: record.deferredGpuHours,
    reboundPeakMW: peak / 1000,
    reboundExcessMW: Number.isFinite(excess) ? excess / 1000 : 0,
    gridConnectionMW,
    cappedRacks: record.cappedRacks,
    pausedRacks: record.pausedRacks,
    preemptedRacks: record.preemptedRacks,
    lowestCap: record.lowestCap,
    shortSteps: record.shortSteps,
  };
}

/**
 * Runs the site without and with the grid events (same seed, weather and load; one thread each, the controller sees
 * the whole site) and returns the curtailed run with its flexibility report. `jobs`: the load is that scheduled
 * trace, and the racks' classes come from its jobs (`job-classes.ts`) rather than the fleet shares.
 */
export async function simulateWithGridEvents(
  options: SimulationOptions,
  events: GridEvents,
  jobs?: JobPlacements,
): Promise<Outcome<{ result: TwinResult; flexibility: FlexibilityReport; quietGridKw: Float64Array }>> {
  const steps = Math.round(options.durationS / options.stepS);
  const seed = options.seed ?? 1;
  const startS = options.startS ?? 0;
  const quiet: GridEvents = { ...events, curtailments: [] };
  const runs: { result: TwinResult; grid: Float64Array; controller: FlexController }[] = [];
  for (const plan of [quiet, events]) {
    const recorder = gridRecorder(steps);
    let controller: FlexController | undefined;
    const outcome = await simulate({
      ...options,
      rackControl: (inner, partition) => {
        controller = new FlexController(inner, partition, plan, seed, jobs);
        return controller;
      },
      onStep: (kernel) => {
        controller?.observe(kernel);
        recorder.onStep(kernel);
      },
    });
    if (!outcome.ok) return outcome;
    if (controller === undefined) return failure("grid events: the run did not use the controller");
    runs.push({ result: outcome.value, grid: recorder.grid, controller });
  }
  const [base, curtailed] = runs as [(typeof runs)[0], (typeof runs)[0]];
  const connectionMW = options.site.gridConnection / 1000;
  const figures = curtailed.controller.records.map((record) =>
    eventFigures(record, base.grid, curtailed.grid, startS, options.stepS, connectionMW),
  );
  return success({
    result: curtailed.result,
    flexibility: {
      classSource: curtailed.controller.classSource,
      ...(curtailed.controller.jobClasses === undefined ? {} : { jobClasses: curtailed.controller.jobClasses.counts }),
      events: figures,
      available: base.controller.available,
      baseline: base.result.kpis,
    },
    quietGridKw: base.grid,
  });
}
