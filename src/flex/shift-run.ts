/**
 * Price- and carbon-aware shifting in the twin: the same workload scheduled twice on the site, once with every job
 * started as soon as it can (the baseline) and once with deferrable jobs held for their cheapest hours
 * (`ShiftCheck`), then both schedules run through the twin with the same weather and seed. Savings are the
 * difference of the site's grid import (IT and every overhead, recorded every step) priced hour by hour, so cooler
 * nights and a lower PUE count as well as the price itself.
 *
 * Clocks: the trace's time 0 is the start of the run (`--from`); the series are cut into the site's wall-clock
 * hours. Series cover the run only, so no job is planned to start or run beyond it, and every run of both schedules
 * must end inside the window (else the comparison would count work in one run that the other did after the end).
 */
import type { Site } from "../model/site.ts";
import { OffsetUtilisation } from "../model/utilisation.ts";
import { inventoryFromSite } from "../scheduler/inventory.ts";
import type { Job, JobSpec } from "../scheduler/jobs.ts";
import { type ReplayMetrics, summarise } from "../scheduler/metrics.ts";
import { runReplay, standardChecks } from "../scheduler/setup.ts";
import { type ReplayUtilisation, utilisationFromReplay } from "../scheduler/utilisation.ts";
import { failure, type Outcome, success } from "../twin/outcome.ts";
import type { GridIntensity, TwinResult } from "../twin/results.ts";
import { type SimulationOptions, simulate } from "../twin/run.ts";
import { secondsPer } from "../twin/time.ts";
import { formatClock, type GridEvents } from "./events.ts";
import { type FlexibilityReport, gridRecorder, simulateWithGridEvents } from "./metrics.ts";
import {
  CostCurve,
  costSeries,
  type HourlySeries,
  hourlyFromPoints,
  hourS,
  ShiftLedger,
  type ShiftObjective,
} from "./shift.ts";
import { jobGpus, ShiftCheck, withDeferralRules } from "./shift-check.ts";

/** Hours in the typical year (the twin's carbon profile is indexed by hour of the year). */
const hoursPerYear = 8_760;

/** The price and carbon series of a run, on the trace's clock (0 = run start), in the site's wall-clock hours. */
export interface RunSignals {
  readonly price: HourlySeries;
  readonly carbon: HourlySeries;
  /** Whether every hour of the run has a price (else € figures are not given). */
  readonly priced: boolean;
  /** Hours of the run whose carbon intensity came from `--grid-intensity` (the file had none for them). */
  readonly carbonFallbackHours: number;
  /** The year's hourly intensity for the twin's CO2 KPI: the file's values over the run, the fallback elsewhere. */
  readonly intensityProfile: Float64Array;
  /** First hour of the year the series start at. */
  readonly firstYearHour: number;
}

/**
 * The run's hourly signals from a grid-events file. Prices are required for `price` and `both` (a gap is an error
 * naming the first hour without one); carbon falls back, hour by hour, on `fallback` (the run's `--grid-intensity`).
 */
export function runSignals(
  events: GridEvents,
  startS: number,
  durationS: number,
  fallback: GridIntensity,
  objective: ShiftObjective,
): Outcome<RunSignals> {
  const firstYearHour = Math.floor(startS / hourS);
  const hours = Math.ceil((startS + durationS) / hourS) - firstYearHour;
  const originS = firstYearHour * hourS - startS;
  const toRun = <Item extends { atS: number }>(items: readonly Item[], value: (item: Item) => number) =>
    items.map((item) => ({ atS: item.atS - startS, value: value(item) }));
  const price = hourlyFromPoints(
    toRun(events.prices, (item) => item.eurPerMWh),
    originS,
    hours,
  );
  const missing = price.values.findIndex((value) => !Number.isFinite(value));
  if (missing >= 0 && objective !== "carbon") {
    return failure(
      `prices: no day-ahead price for ${formatClock((firstYearHour + missing) * hourS)}; --shift ${objective} needs one for every hour of the run (a value holds until the next one, for at most a day)`,
    );
  }
  const carbon = hourlyFromPoints(
    toRun(events.carbon, (item) => item.gCO2PerKWh),
    originS,
    hours,
  );
  const fallbackAt = (yearHour: number) =>
    typeof fallback === "number" ? fallback : fallback[yearHour % fallback.length]!;
  const intensityProfile = Float64Array.from({ length: hoursPerYear }, (_, hour) => fallbackAt(hour));
  let carbonFallbackHours = 0;
  for (let hour = 0; hour < hours; hour++) {
    if (!Number.isFinite(carbon.values[hour]!)) {
      carbon.values[hour] = fallbackAt(firstYearHour + hour);
      carbonFallbackHours++;
    }
    intensityProfile[(firstYearHour + hour) % hoursPerYear] = carbon.values[hour]!;
  }
  return success({ price, carbon, priced: missing < 0, carbonFallbackHours, intensityProfile, firstYearHour });
}

/** `flexibility.shifting` of `simulate --shift`. */
export interface ShiftingFigures {
  readonly objective: ShiftObjective;
  /** Jobs that could wait (deferrable with a deadline), and those held past their submission and then run. */
  readonly deferrableJobs: number;
  readonly jobsShifted: number;
  /** GPU-hours of the shifted jobs' runs. */
  readonly gpuHoursShifted: number;
  /** Grid energy cost and emissions of the baseline run minus the shifted run (null without a price every hour). */
  readonly eurSaved: number | null;
  readonly tCO2Saved: number;
  /** Mean start delay of the shifted jobs against the baseline schedule, hours. */
  readonly meanDelayH: number;
  /**
   * Jobs not shifted that started later than in the baseline (held jobs running at their hour took the GPUs they
   * would have had), and their mean extra wait, hours: the cost of shifting to other work, shown rather than hidden.
   */
  readonly otherJobsDelayed: number;
  readonly otherMeanDelayH: number;
  /** Deferrable jobs that ended after their deadline, in the shifted and in the baseline schedule. */
  readonly deadlinesMissed: number;
  readonly baselineDeadlinesMissed: number;
  readonly baseline: { readonly eur: number | null; readonly tCO2: number; readonly gridMWh: number };
  readonly shifted: { readonly eur: number | null; readonly tCO2: number; readonly gridMWh: number };
  readonly carbonFallbackHours: number;
}

/** One schedule of the workload on the site, with or without the shift check. */
interface Schedule {
  readonly jobs: readonly Job[];
  readonly source: ReplayUtilisation;
  readonly metrics: ReplayMetrics;
  readonly check: ShiftCheck | undefined;
}

function schedule(site: Site, jobs: readonly JobSpec[], check: (gpuCount: number) => ShiftCheck | undefined) {
  const inventory = inventoryFromSite(site);
  const checks = standardChecks(inventory);
  if (typeof checks === "string") return failure<Schedule>(checks);
  const shift = check(inventory.gpuCount);
  if (shift !== undefined) checks.push(shift);
  const result = runReplay({ inventory, policy: "alixan", checks, replay: { recordRacks: true } }, jobs);
  if (typeof result === "string") return failure<Schedule>(result);
  return success<Schedule>({
    jobs: result.jobs,
    source: utilisationFromReplay(result)!,
    metrics: summarise(result),
    check: shift,
  });
}

/** Both schedules of a workload: at submission, and with deferrable jobs shifted on the run's signals. */
export function scheduleBoth(
  site: Site,
  specs: readonly JobSpec[],
  events: GridEvents,
  signals: RunSignals,
  objective: ShiftObjective,
  startS: number,
): Outcome<{ baseline: Schedule; shifted: Schedule }> {
  const jobs = withDeferralRules(specs, events.shifting.deferrable);
  const baseline = schedule(site, jobs, () => undefined);
  if (!baseline.ok) return baseline;
  const settings = events.shifting;
  const cost = costSeries(objective, signals.price, signals.carbon, settings);
  const curve = new CostCurve(cost, objective === "carbon" ? "gCO2/kWh" : "€/MWh");
  const what = { price: "energy price", carbon: "carbon intensity", both: "price and carbon cost" }[objective];
  const shifted = schedule(
    site,
    jobs,
    (gpuCount) =>
      new ShiftCheck(curve, {
        what,
        minimumGain: settings.minimumGain,
        ledger: new ShiftLedger(cost, gpuCount * settings.capacityShare),
        describeTime: (timeS) => formatClock(startS + timeS),
      }),
  );
  if (!shifted.ok) return shifted;
  return success({ baseline: baseline.value, shifted: shifted.value });
}

/** When the last run of a schedule ends (scheduler clock; 0 when nothing ran). */
function lastEnd(jobs: readonly Job[]): number {
  let last = 0;
  for (const job of jobs) if (Number.isFinite(job.endS)) last = Math.max(last, job.endS);
  return last;
}

/** Euros and tonnes of CO2 of a grid-import series (kW per step, from the run's start). */
function costOf(gridKw: Float64Array, stepS: number, signals: RunSignals): { eur: number; tCO2: number; mwh: number } {
  let eur = 0;
  let grams = 0;
  let kwh = 0;
  const { originS } = signals.price;
  for (let step = 0; step < gridKw.length; step++) {
    const energy = (gridKw[step]! * stepS) / secondsPer.h;
    const hour = Math.floor((step * stepS - originS) / hourS);
    eur += (energy * (signals.price.values[hour] ?? Number.NaN)) / 1000;
    grams += energy * signals.carbon.values[hour]!;
    kwh += energy;
  }
  return { eur, tCO2: grams / 1e6, mwh: kwh / 1000 };
}

/** Shifting figures from the two schedules and the two runs' grid import. */
export function shiftingFigures(
  objective: ShiftObjective,
  schedules: { baseline: Schedule; shifted: Schedule },
  grid: { baseline: Float64Array; shifted: Float64Array },
  stepS: number,
  signals: RunSignals,
): ShiftingFigures {
  const baselineStart = new Map(schedules.baseline.jobs.map((job) => [job.spec.id, job.firstStartS]));
  const plans = schedules.shifted.check?.plans ?? new Map();
  let shifted = 0;
  let gpuHours = 0;
  let delayS = 0;
  let othersDelayed = 0;
  let otherDelayS = 0;
  for (const job of schedules.shifted.jobs) {
    const plan = plans.get(job.index);
    if (Number.isNaN(job.firstStartS)) continue;
    if (plan?.verdict !== "shifted") {
      const before = baselineStart.get(job.spec.id) ?? job.firstStartS;
      if (job.firstStartS > before + 1e-6) {
        othersDelayed++;
        otherDelayS += job.firstStartS - before;
      }
      continue;
    }
    shifted++;
    gpuHours += (jobGpus(job.spec) * job.spec.durationS) / secondsPer.h;
    delayS += job.firstStartS - (baselineStart.get(job.spec.id) ?? job.spec.submitS);
  }
  const missed = (jobs: readonly Job[]) =>
    jobs.filter(
      (job) =>
        job.spec.deferrable &&
        job.spec.deadlineS !== undefined &&
        job.state !== "cancelled" &&
        !(job.endS <= job.spec.deadlineS + 1e-6),
    ).length;
  const base = costOf(grid.baseline, stepS, signals);
  const moved = costOf(grid.shifted, stepS, signals);
  const eur = (value: number) => (signals.priced ? value : null);
  return {
    objective,
    deferrableJobs: schedules.shifted.jobs.filter((job) => job.spec.deferrable && job.spec.deadlineS !== undefined)
      .length,
    jobsShifted: shifted,
    gpuHoursShifted: gpuHours,
    eurSaved: eur(base.eur - moved.eur),
    tCO2Saved: base.tCO2 - moved.tCO2,
    meanDelayH: shifted > 0 ? delayS / shifted / secondsPer.h : 0,
    otherJobsDelayed: othersDelayed,
    otherMeanDelayH: othersDelayed > 0 ? otherDelayS / othersDelayed / secondsPer.h : 0,
    deadlinesMissed: missed(schedules.shifted.jobs),
    baselineDeadlinesMissed: missed(schedules.baseline.jobs),
    baseline: { eur: eur(base.eur), tCO2: base.tCO2, gridMWh: base.mwh },
    shifted: { eur: eur(moved.eur), tCO2: moved.tCO2, gridMWh: moved.mwh },
    carbonFallbackHours: signals.carbonFallbackHours,
  };
}

/** What `simulateShifting` returns: the shifted run (with its grid requests answered) and every figure. */
export interface ShiftingRun {
  readonly result: TwinResult;
  readonly flexibility: FlexibilityReport & { readonly shifting: ShiftingFigures };
  readonly metrics: { readonly baseline: ReplayMetrics; readonly shifted: ReplayMetrics };
}

/**
 * Schedules `specs` both ways, runs the twin on each (the shifted schedule through `simulateWithGridEvents`, so the
 * file's curtailments are answered on it) and compares them. `options.load` is ignored: the schedules drive it.
 */
export async function simulateShifting(
  options: SimulationOptions,
  specs: readonly JobSpec[],
  events: GridEvents,
  objective: ShiftObjective,
  fallback: GridIntensity,
): Promise<Outcome<ShiftingRun>> {
  const startS = options.startS ?? 0;
  const signals = runSignals(events, startS, options.durationS, fallback, objective);
  if (!signals.ok) return signals;
  const schedules = scheduleBoth(options.site, specs, events, signals.value, objective, startS);
  if (!schedules.ok) return schedules;
  // Work running past the end would be counted in one run and not the other: both schedules must end inside it.
  const lastEndS = Math.max(lastEnd(schedules.value.baseline.jobs), lastEnd(schedules.value.shifted.jobs));
  if (lastEndS > options.durationS) {
    return failure(
      `--duration: the workload runs until ${formatClock(startS + lastEndS)} (${(lastEndS / secondsPer.h).toFixed(1)} h after the start), after the end of the run; both schedules must end inside it to compare them: use --duration ${Math.ceil(lastEndS / secondsPer.h)}h or more, or a shorter trace`,
    );
  }
  // A rack's utilisation is its allocated share: a job draws the same whenever it runs. The synthetic activity
  // profiles (inference by time of day, office hours) would otherwise make a moved job draw more or less by itself.
  const common = { ...options, gridIntensity: signals.value.intensityProfile, loadIsActivity: true };
  // The file's curtailments take each rack's class from the shifted schedule's jobs (default queues: no queue class).
  const shifted = schedules.value.shifted;
  const shiftedRun = await simulateWithGridEvents(
    { ...common, load: new OffsetUtilisation(shifted.source, startS) },
    events,
    { changes: shifted.source.changes, jobs: shifted.jobs.map((job) => job.spec), queues: undefined, offsetS: startS },
  );
  if (!shiftedRun.ok) return shiftedRun;
  const recorder = gridRecorder(shiftedRun.value.quietGridKw.length);
  const baselineRun = await simulate({
    ...common,
    load: new OffsetUtilisation(schedules.value.baseline.source, startS),
    onStep: recorder.onStep,
  });
  if (!baselineRun.ok) return baselineRun;
  const shifting = shiftingFigures(
    objective,
    schedules.value,
    { baseline: recorder.grid, shifted: shiftedRun.value.quietGridKw },
    options.stepS,
    signals.value,
  );
  return success({
    result: shiftedRun.value.result,
    flexibility: { ...shiftedRun.value.flexibility, shifting },
    metrics: { baseline: schedules.value.baseline.metrics, shifted: schedules.value.shifted.metrics },
  });
}
