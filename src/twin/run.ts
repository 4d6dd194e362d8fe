/**
 * Runs the twin over a site: checks the run settings, lays out the site by cooling plant, and simulates on the
 * current thread (small sites, tests, a rack-level load source that cannot cross threads) or across worker threads,
 * one group of whole plants per worker (plants are independent within a step). Workers are always terminated,
 * including on error.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { startTypeScriptWorker } from "../core/worker.ts";
import type { Site } from "../model/site.ts";
import type { UtilisationSource } from "../model/utilisation.ts";
import { type PartitionKernel, type PartitionResult, type RunSettings, rackCsvHeader, runPartition } from "./kernel.ts";
import { buildPartition, type Partition, partitionPlants } from "./layout.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import type { PlantAssumptions } from "./plant.ts";
import { type RackLoad, RackSourceLoad, SyntheticLoad } from "./profiles.ts";
import { assembleResult, defaultGridIntensity, type GridIntensity, type TwinResult } from "./results.ts";
import { emptyScenario, type OccupancyRamp, type Scenario, type TwinEvent } from "./scenario.ts";
import { formatDuration, secondsPer } from "./time.ts";
import { type Weather, withHeatWave } from "./weather.ts";

/** What to simulate. */
export interface SimulationOptions {
  readonly site: Site;
  readonly weather: Weather;
  readonly durationS: number;
  readonly stepS: number;
  /** Start, seconds into the typical year (default 0, 1 January); scenario times count from the year's start too. */
  readonly startS?: number;
  /** Seed of the synthetic load profiles (default 1). */
  readonly seed?: number;
  readonly scenario?: Scenario;
  /** Series resolution, a multiple of the step (default about an hour). */
  readonly seriesIntervalS?: number;
  /** Record these racks' series too. */
  readonly rackIds?: readonly string[];
  /** Stream every rack's series to this CSV file (`time,rack,powerKW,utilisation,returnC,throttle`). */
  readonly racksCsvPath?: string;
  /** Drive the racks from this source instead of synthetic profiles (runs on the current thread). */
  readonly load?: UtilisationSource;
  /**
   * The source's values are measured activity, not allocation: take them as they are instead of multiplying each
   * rack's allocation by its job's activity profile.
   */
  readonly loadIsActivity?: boolean;
  /** How often a source without `nextChangeS` is refilled (default every step). */
  readonly loadRefreshS?: number;
  /** Worker threads; 1 runs on the current thread. Default: one per core up to the plant count on large sites. */
  readonly threads?: number;
  readonly gridIntensity?: GridIntensity;
  /** Plant figures beyond the site file (default `defaultAssumptions`, `plant.ts`). */
  readonly assumptions?: PlantAssumptions;
  readonly onProgress?: (stepsDone: number, steps: number) => void;
  /**
   * Wraps the racks' load with a controller (grid curtailment: per-rack power caps and pauses, `src/flex`); the run
   * then stays on the current thread, since a controller sees the whole site.
   */
  readonly rackControl?: (inner: RackLoad, partition: Partition) => RackLoad;
  /** Called after every step with the kernel (per-step site figures, e.g. the grid import of a curtailment). */
  readonly onStep?: (kernel: PartitionKernel) => void;
}

/** A job for a worker. */
export interface WorkerJob {
  readonly mode: "simulate" | "floor";
  readonly partition: Partition;
  readonly weather: Weather;
  readonly events: readonly TwinEvent[];
  readonly ramps: readonly OccupancyRamp[];
  readonly settings: RunSettings;
  readonly seed: number;
}

/** What a worker posts back. */
export type WorkerReply =
  | { readonly kind: "progress"; readonly steps: number }
  | { readonly kind: "result"; readonly result: PartitionResult }
  | { readonly kind: "floor"; readonly seconds: number; readonly checksum: number }
  | { readonly kind: "error"; readonly message: string };

/** Sites from this many racks up use worker threads by default. */
const parallelFromRacks = 2_000;
/** Series points a run may hold in memory. */
const maximumPoints = 1_000_000;

/** A multiple of the step close to `targetS`. */
function alignedInterval(stepS: number, targetS: number): number {
  return stepS * Math.max(1, Math.round(targetS / stepS));
}

/** Run settings from options, or the first problem with them as one line. */
export function runSettings(options: SimulationOptions): Outcome<RunSettings> {
  const { stepS, durationS, site } = options;
  if (!(stepS > 0) || stepS > secondsPer.h) return failure(`step ${stepS} s must be above 0 and at most 1h`);
  if (!(durationS >= stepS)) return failure(`duration ${formatDuration(durationS)} is shorter than the step`);
  const startS = options.startS ?? 0;
  if (!(startS >= 0 && Number.isFinite(startS))) return failure(`start ${startS} s must be a time ≥ 0`);
  const steps = Math.round(durationS / stepS);
  if (Math.abs(steps * stepS - durationS) > 1e-6 * stepS) {
    return failure(`duration ${formatDuration(durationS)} is not a whole number of ${formatDuration(stepS)} steps`);
  }
  const seriesIntervalS = options.seriesIntervalS ?? alignedInterval(stepS, Math.min(secondsPer.h, durationS));
  if (seriesIntervalS < stepS || Math.abs(seriesIntervalS / stepS - Math.round(seriesIntervalS / stepS)) > 1e-9) {
    return failure(
      `resolution ${formatDuration(seriesIntervalS)} must be a whole number of ${formatDuration(stepS)} steps`,
    );
  }
  if (durationS / seriesIntervalS > maximumPoints) {
    return failure(
      `resolution ${formatDuration(seriesIntervalS)} gives more than ${maximumPoints} points over the run`,
    );
  }
  const rackIndexes: number[] = [];
  if (options.rackIds !== undefined && options.rackIds.length > 0) {
    const byId = new Map<string, number>(site.racks.map((rack, index) => [rack.id, index]));
    for (const id of options.rackIds) {
      const index = byId.get(id);
      if (index === undefined) return failure(`--rack: no rack ${id} in site ${site.id}`);
      if (!rackIndexes.includes(index)) rackIndexes.push(index);
    }
  }
  return success({
    stepS,
    steps,
    seriesIntervalS,
    demandIntervalS: alignedInterval(stepS, 600),
    rackIndexes,
    startS,
    ...(options.assumptions === undefined ? {} : { assumptions: options.assumptions }),
  });
}

/** Starts `racks.csv` with its header line (the runners append to it). */
function writeHeader(path: string): void {
  const fd = openSync(path, "w");
  writeSync(fd, `${rackCsvHeader}\n`);
  closeSync(fd);
}

/** Appends file `part` to `path` in 4 MB chunks and removes it (a worker's share of `racks.csv`). */
function appendFile(path: string, part: string): void {
  const target = openSync(path, "a");
  const source = openSync(part, "r");
  const buffer = Buffer.allocUnsafe(4 << 20);
  try {
    for (;;) {
      const read = readSync(source, buffer, 0, buffer.length, null);
      if (read === 0) break;
      writeSync(target, buffer, 0, read);
    }
  } finally {
    closeSync(source);
    closeSync(target);
  }
  rmSync(part);
}

/** Starts a worker on `worker.ts`. */
function startWorker(): Worker {
  return startTypeScriptWorker(new URL("./worker.ts", import.meta.url));
}

/**
 * Runs jobs in one worker each and resolves with their final replies in job order. `onProgress` receives each
 * job's steps done. Every worker is terminated before this settles.
 */
export async function runWorkerJobs(
  jobs: readonly WorkerJob[],
  onProgress: (job: number, steps: number) => void = () => {},
): Promise<WorkerReply[]> {
  const workers = jobs.map(() => startWorker());
  try {
    return await Promise.all(
      jobs.map(
        (job, index) =>
          new Promise<WorkerReply>((resolve, reject) => {
            const worker = workers[index]!;
            worker.on("message", (reply: WorkerReply) => {
              if (reply.kind === "progress") onProgress(index, reply.steps);
              else if (reply.kind === "error") reject(new Error(`twin worker ${index}: ${reply.message}`));
              else resolve(reply);
            });
            worker.once("error", reject);
            worker.once("exit", (code) => reject(new Error(`twin worker ${index} exited with code ${code}`)));
            worker.postMessage(job);
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Threads a run will use. */
function threadsFor(options: SimulationOptions): number {
  if (options.load !== undefined || options.rackControl !== undefined || options.onStep !== undefined) return 1;
  const requested = options.threads ?? (options.site.racks.length >= parallelFromRacks ? availableParallelism() : 1);
  return Math.max(1, Math.min(requested, options.site.plants.length));
}

/** Simulates a site. Bad settings come back as an error value; a worker crash rejects. */
export async function simulate(options: SimulationOptions): Promise<Outcome<TwinResult>> {
  const settings = runSettings(options);
  if (!settings.ok) return settings;
  const scenario = options.scenario ?? emptyScenario;
  const seed = options.seed ?? 1;
  let weather = options.weather;
  for (const wave of scenario.heatWaves) weather = withHeatWave(weather, wave);
  const threads = threadsFor(options);
  const steps = settings.value.steps;
  const progress = options.onProgress ?? (() => {});
  const groups =
    threads === 1 ? [options.site.plants.map((plant) => plant.index)] : partitionPlants(options.site, threads);
  let partitions: PartitionResult[];
  const csvPath = options.racksCsvPath;
  const rackIds = csvPath === undefined ? [] : options.site.racks.map((rack) => rack.id);
  const partPath = (index: number) => (groups.length === 1 ? csvPath! : `${csvPath}.part${index}`);
  const settingsFor = (index: number): RunSettings =>
    csvPath === undefined ? settings.value : { ...settings.value, racksCsv: { path: partPath(index), rackIds } };
  if (csvPath !== undefined) writeHeader(csvPath);
  if (groups.length === 1) {
    const partition = buildPartition(options.site, groups[0]!);
    const inner =
      options.load === undefined
        ? new SyntheticLoad(partition.racks, seed)
        : new RackSourceLoad(options.load, partition.racks, options.site.racks.length, {
            refreshS: options.loadRefreshS ?? options.stepS,
            asActivity: options.loadIsActivity === true,
            seed,
          });
    const load = options.rackControl === undefined ? inner : options.rackControl(inner, partition);
    partitions = [
      runPartition(
        partition,
        weather,
        load,
        scenario.events,
        scenario.ramps,
        settingsFor(0),
        (done) => progress(done, steps),
        options.onStep,
      ),
    ];
  } else {
    const done = new Float64Array(groups.length);
    if (csvPath !== undefined)
      for (let index = 0; index < groups.length; index++) rmSync(partPath(index), { force: true });
    const jobs: WorkerJob[] = groups.map((plants, jobIndex) => ({
      mode: "simulate",
      partition: buildPartition(options.site, plants),
      weather,
      events: scenario.events,
      ramps: scenario.ramps,
      settings: settingsFor(jobIndex),
      seed,
    }));
    const replies = await runWorkerJobs(jobs, (job, stepsDone) => {
      done[job] = stepsDone;
      let slowest = steps;
      for (const value of done) slowest = Math.min(slowest, value);
      progress(slowest, steps);
    });
    partitions = replies.map((reply) => {
      if (reply.kind !== "result") throw new Error(`twin worker replied ${reply.kind} to a simulation job`);
      return reply.result;
    });
    if (csvPath !== undefined) {
      for (let index = 0; index < groups.length; index++) appendFile(csvPath, partPath(index));
    }
  }
  return success(
    assembleResult(options.site, partitions, settings.value, {
      weather: weather.name,
      scenario: scenario.name,
      seed,
      threads: groups.length,
      gridIntensity: options.gridIntensity ?? defaultGridIntensity,
    }),
  );
}
