/**
 * Uncertainty of a twin run (`simulate --uncertainty N`): N runs with the uncertain plant figures (`plant.ts`) drawn
 * from their ranges (the site file's `uncertainty:` section, else the cited defaults), and the P10/P50/P90 of PUE,
 * WUE, peak grid demand and chiller hours over them.
 *
 * Sampling is a Latin hypercube (each figure's range cut into N equal strata, one draw in each, strata paired at
 * random between figures), seeded: the same seed and N give the same samples and the same answer, whatever the
 * threads. Weather and load keep the run's seed, so the spread is that of the plant figures alone. Samples run as
 * whole-site jobs on the twin's worker threads, as many at once as threads.
 */
import { availableParallelism } from "node:os";
import type { UncertainParameter } from "../model/schema.ts";
import { uncertainParameters } from "../model/schema.ts";
import type { Site } from "../model/site.ts";
import { buildPartition } from "./layout.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import { assumptionRanges, defaultAssumptions, type PlantAssumptions } from "./plant.ts";
import { seededUniform } from "./random.ts";
import { assembleResult, defaultGridIntensity, type Kpis } from "./results.ts";
import { runSettings, runWorkerJobs, type SimulationOptions, simulate, type WorkerJob } from "./run.ts";
import { emptyScenario } from "./scenario.ts";
import { withHeatWave } from "./weather.ts";

/** Most samples one uncertainty run may take. */
export const maximumSamples = 1_000;
/** The KPIs summarised, with their units. */
export const uncertainKpis = {
  pue: "",
  wueLitersPerKWh: "L/kWh",
  peakGridDemandMW: "MW",
  chillerHours: "h",
} as const satisfies Partial<Record<keyof Kpis, string>>;
/** One summarised KPI. */
export type UncertainKpi = keyof typeof uncertainKpis;

/** Tenth, fiftieth and ninetieth percentiles. */
export interface Percentiles {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

/** A sampled figure's range and where it came from. */
export interface SampledRange {
  readonly name: UncertainParameter;
  readonly low: number;
  readonly high: number;
  readonly source: "site file" | "default";
  readonly why: string;
}

/** What an uncertainty run gives. */
export interface UncertaintySummary {
  readonly samples: number;
  readonly seed: number;
  readonly ranges: readonly SampledRange[];
  readonly percentiles: Readonly<Record<UncertainKpi, Percentiles>>;
  /** Each sample's figures and KPIs, in sample order. */
  readonly runs: readonly {
    readonly assumptions: Readonly<Partial<Record<UncertainParameter, number>>>;
    readonly kpis: Readonly<Record<UncertainKpi, number>>;
  }[];
}

/** The ranges sampled for a site: its file's where given, the defaults otherwise. */
export function rangesFor(site: Site): SampledRange[] {
  return (Object.keys(uncertainParameters) as UncertainParameter[]).map((name) => {
    const fromSite = site.uncertainty[name];
    const fallback = assumptionRanges[name];
    return fromSite === undefined
      ? { name, low: fallback.low, high: fallback.high, source: "default", why: fallback.why }
      : { name, low: fromSite.low, high: fromSite.high, source: "site file", why: "the site file's range" };
  });
}

/**
 * `samples` sets of assumptions by Latin hypercube over `ranges`, deterministic from `seed`. Figures not sampled
 * keep their defaults.
 */
export function sampleAssumptions(ranges: readonly SampledRange[], samples: number, seed: number): PlantAssumptions[] {
  const uniform = seededUniform(seed);
  const drawn: Partial<Record<UncertainParameter, number>>[] = Array.from({ length: samples }, () => ({}));
  for (const range of ranges) {
    // A random pairing of strata to samples (Fisher–Yates), one uniform draw within each stratum.
    const strata = Array.from({ length: samples }, (_, index) => index);
    for (let index = samples - 1; index > 0; index--) {
      const other = Math.floor(uniform() * (index + 1));
      [strata[index], strata[other]] = [strata[other]!, strata[index]!];
    }
    for (let sample = 0; sample < samples; sample++) {
      const position = (strata[sample]! + uniform()) / samples;
      drawn[sample]![range.name] = range.low + (range.high - range.low) * position;
    }
  }
  return drawn.map((values) => ({ ...defaultAssumptions, ...values }));
}

/** The `fraction` quantile of `values` (linear between order statistics, as R's type 7). */
export function quantile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * fraction;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** P10, P50 and P90 of `values`. */
export function percentilesOf(values: readonly number[]): Percentiles {
  return { p10: quantile(values, 0.1), p50: quantile(values, 0.5), p90: quantile(values, 0.9) };
}

/**
 * Runs `samples` twin runs of `options` with sampled plant figures and summarises their KPIs. Per-rack outputs are
 * not available here. A rack-level load source runs the samples one after another on this thread.
 */
export async function simulateUncertainty(
  options: SimulationOptions,
  samples: number,
  seed: number,
  onSample: (done: number, samples: number) => void = () => {},
): Promise<Outcome<UncertaintySummary>> {
  if (!Number.isInteger(samples) || samples < 2 || samples > maximumSamples) {
    return failure(`--uncertainty: ${samples} samples must be a whole number from 2 to ${maximumSamples}`);
  }
  if (options.racksCsvPath !== undefined || (options.rackIds?.length ?? 0) > 0) {
    return failure("--uncertainty: per-rack outputs (--rack, --racks) are not written by uncertainty runs");
  }
  const settings = runSettings(options);
  if (!settings.ok) return settings;
  const ranges = rangesFor(options.site);
  // The calibrated loop laws given with the run (`--loop-params`) hold in every sample; they are not sampled.
  const laws = {
    ...(options.assumptions?.facilityLoopLaw === undefined
      ? {}
      : { facilityLoopLaw: options.assumptions.facilityLoopLaw }),
    ...(options.assumptions?.airLoopLaw === undefined ? {} : { airLoopLaw: options.assumptions.airLoopLaw }),
  };
  const sampled = sampleAssumptions(ranges, samples, seed).map((assumptions) => ({ ...assumptions, ...laws }));
  const kpis: Kpis[] = [];
  if (options.load !== undefined || options.threads === 1) {
    for (const assumptions of sampled) {
      const outcome = await simulate({ ...options, assumptions, threads: 1, onProgress: () => {} });
      if (!outcome.ok) return outcome;
      kpis.push(outcome.value.kpis);
      onSample(kpis.length, samples);
    }
  } else {
    const scenario = options.scenario ?? emptyScenario;
    let weather = options.weather;
    for (const wave of scenario.heatWaves) weather = withHeatWave(weather, wave);
    const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), samples));
    const partition = buildPartition(
      options.site,
      options.site.plants.map((plant) => plant.index),
    );
    const runSeed = options.seed ?? 1;
    for (let first = 0; first < samples; first += threads) {
      const batch = sampled.slice(first, first + threads);
      const jobs: WorkerJob[] = batch.map((assumptions) => ({
        mode: "simulate",
        partition,
        weather,
        events: scenario.events,
        ramps: scenario.ramps,
        settings: { ...settings.value, assumptions },
        seed: runSeed,
      }));
      const replies = await runWorkerJobs(jobs);
      for (const reply of replies) {
        if (reply.kind !== "result") throw new Error(`twin worker replied ${reply.kind} to an uncertainty sample`);
        const result = assembleResult(options.site, [reply.result], settings.value, {
          weather: weather.name,
          scenario: scenario.name,
          seed: runSeed,
          threads: 1,
          gridIntensity: options.gridIntensity ?? defaultGridIntensity,
        });
        kpis.push(result.kpis);
        onSample(kpis.length, samples);
      }
    }
  }
  const names = Object.keys(uncertainKpis) as UncertainKpi[];
  const percentiles = Object.fromEntries(
    names.map((name) => [name, percentilesOf(kpis.map((run) => run[name]))]),
  ) as Record<UncertainKpi, Percentiles>;
  const runs = sampled.map((assumptions, index) => ({
    assumptions: Object.fromEntries(ranges.map((range) => [range.name, assumptions[range.name]])),
    kpis: Object.fromEntries(names.map((name) => [name, kpis[index]![name]])) as Record<UncertainKpi, number>,
  }));
  return success({ samples, seed, ranges, percentiles, runs });
}
