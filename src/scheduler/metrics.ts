/**
 * Replay metrics: GPU allocation ratio and fragmentation over time (time-weighted means, peaks, final values), job
 * completion time and queueing delay per tenant (mean and 95th percentile), Jain's fairness index across tenants,
 * preemptions, and the estimated energy of each tenant's jobs on a site.
 */
import type { ReplayResult, Timeline } from "./replay.ts";

/** Mean and 95th percentile of a set of durations, seconds (NaN when empty). */
export interface Spread {
  readonly meanS: number;
  readonly p95S: number;
}

/** Per-tenant figures. */
export interface TenantMetrics {
  readonly tenant: string;
  readonly jobs: number;
  readonly completed: number;
  readonly completion: Spread;
  readonly queueing: Spread;
  readonly gpuHours: number;
  /** Estimated from the racks' design power per GPU; 0 on inventories without facility data. */
  readonly energyKwh: number;
}

/** The summary of one replay. */
export interface ReplayMetrics {
  readonly policy: string;
  readonly inventory: string;
  readonly jobs: {
    readonly submitted: number;
    readonly rejected: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly cancelled: number;
    readonly preempted: number;
    readonly queued: number;
    readonly running: number;
  };
  readonly preemptions: number;
  readonly placements: number;
  readonly placementAttempts: number;
  readonly cycles: number;
  readonly horizonS: number;
  readonly gpuAllocation: { readonly mean: number; readonly peak: number; readonly final: number };
  readonly fragmentation: {
    /** Time-weighted mean of the expected fragment against the target workload, GPUs. */
    readonly meanGpus: number;
    readonly finalGpus: number;
    /** Final fragment over final free GPUs. */
    readonly finalRate: number;
    /** GPUs left unallocated at the end. */
    readonly finalFreeGpus: number;
  };
  readonly completion: Spread;
  readonly queueing: Spread;
  /** Jain's index over tenants of 1 / mean bounded slowdown: 1 when every tenant waits alike relative to its work. */
  readonly jainFairness: number;
  readonly tenants: readonly TenantMetrics[];
  readonly energyKwh: number;
  readonly wallMs: number;
  /** Admissions per second of wall time. */
  readonly placementsPerSecond: number;
}

function spread(values: number[]): Spread {
  if (values.length === 0) return { meanS: Number.NaN, p95S: Number.NaN };
  values.sort((a, b) => a - b);
  let sum = 0;
  for (const value of values) sum += value;
  const rank = Math.min(values.length - 1, Math.ceil(0.95 * values.length) - 1);
  return { meanS: sum / values.length, p95S: values[Math.max(0, rank)]! };
}

/** Time-weighted mean of a step series over its own time span (the last sample has no width). */
export function timeWeightedMean(times: Float64Array, values: Float64Array): number {
  if (times.length === 0) return Number.NaN;
  if (times.length === 1) return values[0]!;
  let area = 0;
  for (let i = 0; i + 1 < times.length; i++) area += values[i]! * (times[i + 1]! - times[i]!);
  const span = times[times.length - 1]! - times[0]!;
  return span > 0 ? area / span : values[values.length - 1]!;
}

/** Jain's fairness index of positive values: (Σx)² / (n Σx²). */
export function jainIndex(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  let squares = 0;
  for (const value of values) {
    sum += value;
    squares += value * value;
  }
  return squares > 0 ? (sum * sum) / (values.length * squares) : 1;
}

/** Bounded slowdown uses at least this run time, so very short jobs do not dominate. */
const slowdownFloorS = 10;

/** Summarises a replay. */
export function summarise(result: ReplayResult): ReplayMetrics {
  const scheduler = result.scheduler;
  const tree = scheduler.quota;
  const timeline: Timeline = result.timeline;
  const counts = {
    submitted: 0,
    rejected: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    preempted: 0,
    queued: 0,
    running: 0,
  };
  const completionAll: number[] = [];
  const queueingAll: number[] = [];
  const perTenant = new Map<
    string,
    {
      jobs: number;
      completion: number[];
      queueing: number[];
      slowdowns: number[];
      gpuMilliSeconds: number;
      energy: number;
    }
  >();
  let energy = 0;
  for (const job of result.jobs) {
    counts.submitted++;
    if (job.state === "failed" && job.reason.startsWith("rejected:")) {
      counts.rejected++;
      continue;
    }
    if (job.state === "admitted") counts.running++;
    else counts[job.state]++;
    const tenant = tree.queueConfig(job.queue).tenant;
    let entry = perTenant.get(tenant);
    if (entry === undefined) {
      entry = { jobs: 0, completion: [], queueing: [], slowdowns: [], gpuMilliSeconds: 0, energy: 0 };
      perTenant.set(tenant, entry);
    }
    entry.jobs++;
    entry.gpuMilliSeconds += job.gpuMilliSeconds;
    entry.energy += job.energyKwh;
    energy += job.energyKwh;
    const spec = job.spec;
    if (!Number.isNaN(job.firstStartS)) {
      const wait = job.firstStartS - spec.submitS;
      entry.queueing.push(wait);
      queueingAll.push(wait);
      const run = Number.isFinite(spec.durationS) ? spec.durationS : 0;
      entry.slowdowns.push(Math.max(1, (wait + run) / Math.max(run, slowdownFloorS)));
    }
    if ((job.state === "succeeded" || job.state === "failed") && !Number.isNaN(job.endS)) {
      const completion = job.endS - spec.submitS;
      entry.completion.push(completion);
      completionAll.push(completion);
    }
  }
  const tenants: TenantMetrics[] = [...perTenant.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([tenant, entry]) => ({
      tenant,
      jobs: entry.jobs,
      completed: entry.completion.length,
      completion: spread(entry.completion),
      queueing: spread(entry.queueing),
      gpuHours: entry.gpuMilliSeconds / 1000 / 3600,
      energyKwh: entry.energy,
    }));
  const slowdownInverse = [...perTenant.values()]
    .filter((entry) => entry.slowdowns.length > 0)
    .map((entry) => entry.slowdowns.length / entry.slowdowns.reduce((sum, value) => sum + value, 0));
  const times = timeline.timeS;
  const last = times.length - 1;
  let peak = 0;
  for (const value of timeline.gpuAllocation) peak = Math.max(peak, value);
  const inventory = scheduler.inventory;
  const freeGpus = inventory.gpuCount - scheduler.state.allocatedGpuMilli / 1000;
  const finalFragment = last >= 0 ? timeline.fragmentedGpus[last]! : 0;
  const placements = scheduler.counters.placements;
  return {
    policy: scheduler.policy,
    inventory: inventory.name,
    jobs: counts,
    preemptions: scheduler.counters.preemptions,
    placements,
    placementAttempts: scheduler.counters.attempts,
    cycles: scheduler.counters.cycles,
    horizonS: last >= 0 ? times[last]! - times[0]! : 0,
    gpuAllocation: {
      mean: timeWeightedMean(times, timeline.gpuAllocation),
      peak,
      final: last >= 0 ? timeline.gpuAllocation[last]! : 0,
    },
    fragmentation: {
      meanGpus: timeWeightedMean(times, timeline.fragmentedGpus),
      finalGpus: finalFragment,
      finalRate: freeGpus > 0 ? finalFragment / freeGpus : 0,
      finalFreeGpus: freeGpus,
    },
    completion: spread(completionAll),
    queueing: spread(queueingAll),
    jainFairness: jainIndex(slowdownInverse),
    tenants,
    energyKwh: energy,
    wallMs: result.wallMs,
    placementsPerSecond: result.wallMs > 0 ? placements / (result.wallMs / 1000) : 0,
  };
}
