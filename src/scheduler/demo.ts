/**
 * Demo tenants and a synthetic workload for a site, seeded so that runs repeat: pharma and generative-AI start-ups
 * (commercial cohort), a diagnostics company and a hospital consortium (health data, certified zone only), and the
 * training campus (a course queue of 8 GPUs, a research queue). Quotas scale with the site's GPUs; the root cohort
 * holds what no tenant is guaranteed, so idle capacity can always be borrowed.
 */
import type { Inventory } from "./inventory.ts";
import { type JobSpec, jobSpec, type TopologyConstraint } from "./jobs.ts";
import { defaultPriorityClasses, type QueueSetConfig, type ResourceQuota, resolvePreemption } from "./queues.ts";

/** A small seeded pseudo-random generator (mulberry32): deterministic demo data without dependencies. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** GPUs per model, all zones and inside zones hosting health data. */
function gpuCounts(inventory: Inventory): { all: Map<string, number>; health: Map<string, number> } {
  const all = new Map<string, number>();
  const health = new Map<string, number>();
  for (let node = 0; node < inventory.nodeCount; node++) {
    const pool = inventory.pools[inventory.nodePool[node]!]!;
    if (pool.model < 0) continue;
    const model = inventory.gpuModels[pool.model]!;
    const gpus = inventory.nodeGpuCount[node]!;
    all.set(model, (all.get(model) ?? 0) + gpus);
    if (pool.zone >= 0 && inventory.zones[pool.zone]!.dataClasses.includes("health")) {
      health.set(model, (health.get(model) ?? 0) + gpus);
    }
  }
  return { all, health };
}

function quota(nominal: number, borrowingLimit?: number, lendingLimit?: number): ResourceQuota {
  return { nominal: Math.floor(nominal), borrowingLimit, lendingLimit };
}

/** Every demo tenant takes back the quota it lent, whatever the borrower's priority (Kueue `reclaimWithinCohort: Any`). */
const reclaimLent = resolvePreemption({ reclaimWithinCohort: "Any" });

/** The demo queue configuration for an inventory. */
export function demoQueues(inventory: Inventory): QueueSetConfig {
  const { all, health } = gpuCounts(inventory);
  const models = [...all.keys()];
  const share = (fractions: Record<string, number>, borrow?: number, lend?: number) => {
    const result: Record<string, ResourceQuota> = {};
    for (const model of models) {
      const nominal = (all.get(model) ?? 0) * (fractions[model] ?? fractions["*"] ?? 0);
      result[`gpu.${model}`] = quota(
        nominal,
        borrow === undefined ? undefined : Math.floor(nominal * borrow),
        lend === undefined ? undefined : Math.floor(nominal * lend),
      );
    }
    return result;
  };
  const healthShare = (fraction: number) => {
    const result: Record<string, ResourceQuota> = {};
    for (const model of models) result[`gpu.${model}`] = quota((health.get(model) ?? 0) * fraction, undefined, 0);
    return result;
  };
  const queueShares = {
    pharma: 0.2,
    genai: 0.35,
    research: 0.01,
  };
  // The root keeps the unassigned remainder so that it can be lent to whoever borrows, and every GPU for the
  // any-model `gpu` resource that only the course queue limits.
  let total = 0;
  for (const count of all.values()) total += count;
  const root: Record<string, ResourceQuota> = { gpu: quota(total) };
  for (const model of models) {
    const assigned =
      (all.get(model) ?? 0) * (queueShares.pharma + queueShares.genai + queueShares.research) +
      (health.get(model) ?? 0) * 0.9;
    root[`gpu.${model}`] = quota(Math.max(0, (all.get(model) ?? 0) - assigned));
  }
  return {
    fairShareHalfLifeHours: 72,
    priorityClasses: defaultPriorityClasses,
    cohorts: [
      { name: "alixan", parent: undefined, quota: root },
      { name: "commercial", parent: "alixan", quota: {} },
      { name: "health", parent: "alixan", quota: {} },
      { name: "education", parent: "alixan", quota: {} },
    ],
    queues: [
      {
        name: "pharma",
        tenant: "pharma",
        cohort: "commercial",
        weight: 2,
        priorityClass: "normal",
        preemption: reclaimLent,
        quota: share({ "*": queueShares.pharma }, 0.5, 0.5),
      },
      {
        name: "genai-startups",
        tenant: "genai-startups",
        cohort: "commercial",
        weight: 3,
        priorityClass: "normal",
        preemption: reclaimLent,
        quota: share({ "*": queueShares.genai }),
      },
      // Health tenants lend nothing: certified capacity stays theirs.
      {
        name: "diagnostics",
        tenant: "diagnostics",
        cohort: "health",
        weight: 1,
        priorityClass: "high",
        preemption: reclaimLent,
        quota: healthShare(0.5),
      },
      {
        name: "hospital-consortium",
        tenant: "hospital-consortium",
        cohort: "health",
        weight: 1,
        priorityClass: "high",
        preemption: reclaimLent,
        quota: healthShare(0.4),
      },
      {
        name: "campus-course",
        tenant: "training-campus",
        cohort: "education",
        weight: 1,
        priorityClass: "low",
        preemption: reclaimLent,
        quota: { gpu: quota(8, 0, 0) },
      },
      {
        name: "campus-research",
        tenant: "training-campus",
        cohort: "education",
        weight: 1,
        priorityClass: "low",
        preemption: reclaimLent,
        quota: share({ "*": queueShares.research }, 1),
      },
    ],
    defaultQueue: undefined,
  };
}

/** Options of the demo workload. */
export interface DemoWorkloadOptions {
  readonly jobs: number;
  readonly seed?: number;
  /** Offered GPU load as a share of the site's GPUs (default 0.9). */
  readonly load?: number;
}

/**
 * A seeded mix of the demo tenants' jobs on an inventory's GPU models: single-GPU to 8-GPU jobs and GPU shares,
 * multi-node gangs preferring one row, NVL72 training needing a whole NVLink domain, health-data jobs, CPU-only
 * preprocessing and deferrable student jobs with deadlines. Arrivals are Poisson at the rate that offers `load`.
 */
export function demoWorkload(inventory: Inventory, options: DemoWorkloadOptions): JobSpec[] {
  const random = seededRandom(options.seed ?? 1);
  const models = inventory.gpuModels;
  // Models by GPUs per node: the largest NVLink-domain model carries the NVL72 gangs.
  const nodeGpus = new Map<string, number>();
  const domainGpus = new Map<string, number>();
  for (let node = 0; node < inventory.nodeCount; node++) {
    const model = inventory.pools[inventory.nodePool[node]!]!.model;
    if (model < 0) continue;
    nodeGpus.set(models[model]!, inventory.nodeGpuCount[node]!);
  }
  for (let node = 0, start = 0; node < inventory.nodeCount; node++) {
    if (node > 0 && inventory.nodeDomain[node] !== inventory.nodeDomain[node - 1]) start = node;
    const model = inventory.pools[inventory.nodePool[node]!]!.model;
    if (model >= 0) domainGpus.set(models[model]!, (node - start + 1) * inventory.nodeGpuCount[node]!);
  }
  const byDomain = [...domainGpus.entries()].sort((a, b) => b[1] - a[1]);
  const big = byDomain[0]?.[0];
  const server = byDomain.find(([model]) => (nodeGpus.get(model) ?? 0) >= 8)?.[0] ?? big;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const logUniform = (low: number, high: number) => Math.round(low * (high / low) ** random());
  const specs: Omit<JobSpec, "submitS" | "id">[] = [];
  for (let index = 0; index < options.jobs; index++) {
    const roll = random();
    const base = {
      queue: "pharma",
      durationS: logUniform(600, 12 * 3600),
      members: 1,
      gpus: 1,
      gpuMilli: 1000,
      gpuModels: [] as string[],
      cpuMilli: 8000,
      memoryMib: 32_768,
      topology: undefined as TopologyConstraint | undefined,
      priorityClass: undefined as string | undefined,
      deferrable: false,
      deadlineS: undefined as number | undefined,
      dataClass: "public" as JobSpec["dataClass"],
    };
    if (roll < 0.3 && server !== undefined) {
      base.queue = pick(["pharma", "genai-startups", "genai-startups"]);
      base.gpus = pick([1, 1, 2, 4, 8].filter((gpus) => gpus <= (nodeGpus.get(server) ?? 1)));
      base.gpuModels = [server];
      base.dataClass = base.queue === "pharma" ? "confidential" : "public";
    } else if (roll < 0.4 && server !== undefined) {
      base.queue = pick(["genai-startups", "campus-research"]);
      base.gpuMilli = pick([250, 500]);
      base.cpuMilli = 4000;
      base.memoryMib = 16_384;
    } else if (roll < 0.5) {
      base.queue = pick(["pharma", "genai-startups"]);
      base.gpus = 0;
      base.gpuMilli = 0;
      base.cpuMilli = pick([16_000, 32_000, 64_000]);
      base.memoryMib = base.cpuMilli * 4;
    } else if (roll < 0.63 && server !== undefined) {
      base.queue = pick(["pharma", "genai-startups"]);
      base.members = pick([2, 4, 8]);
      base.gpus = nodeGpus.get(server) ?? 8;
      base.gpuModels = [server];
      base.cpuMilli = 64_000;
      base.memoryMib = 262_144;
      base.durationS = logUniform(3600, 24 * 3600);
      base.topology = { scope: pick(["row", "block"] as const), required: false };
    } else if (roll < 0.66 && big !== undefined) {
      // Training on a whole NVLink domain (an NVL72 rack): all 18 trays or nothing.
      base.queue = "genai-startups";
      base.gpus = nodeGpus.get(big) ?? 4;
      base.members = Math.max(1, Math.floor((domainGpus.get(big) ?? 4) / base.gpus));
      base.gpuModels = [big];
      base.cpuMilli = 64_000;
      base.memoryMib = 262_144;
      base.durationS = logUniform(3600, 24 * 3600);
      base.topology = { scope: "nvlink", required: true };
      if (random() < 0.1) base.priorityClass = "critical";
    } else if (roll < 0.72 && big !== undefined) {
      base.queue = pick(["pharma", "genai-startups"]);
      base.gpus = nodeGpus.get(big) ?? 4;
      base.members = random() < 0.5 ? 1 : 2 + Math.floor(random() * 8);
      base.gpuModels = [big];
      base.cpuMilli = 32_000;
      base.memoryMib = 131_072;
      base.topology = base.members > 1 ? { scope: "rack", required: false } : undefined;
    } else if (roll < 0.88 && server !== undefined) {
      base.queue = pick(["diagnostics", "hospital-consortium"]);
      base.dataClass = "health";
      base.gpus = pick([1, 2, 4, 8].filter((gpus) => gpus <= (nodeGpus.get(server) ?? 1)));
      base.members = random() < 0.2 ? 2 : 1;
      base.gpuModels = [server];
    } else if (roll < 0.9) {
      base.queue = "campus-course";
      base.gpus = 1;
      base.gpuMilli = pick([500, 1000]);
      base.cpuMilli = 4000;
      base.memoryMib = 16_384;
      base.durationS = logUniform(600, 3 * 3600);
      base.deferrable = true;
    } else {
      base.queue = "campus-research";
      base.gpus = pick([1, 2]);
      base.gpuModels = server === undefined ? [] : [server];
      base.durationS = logUniform(600, 6 * 3600);
    }
    // Users announce more time than they use.
    const expectedDurationS = Math.round(base.durationS * (1 + random()));
    specs.push({ ...base, expectedDurationS, outcome: "succeeded", cancelAtS: undefined });
  }
  let gpuSeconds = 0;
  for (const spec of specs) gpuSeconds += (spec.members * spec.gpus * spec.gpuMilli * spec.durationS) / 1000;
  const meanGpuSeconds = gpuSeconds / Math.max(1, specs.length);
  const rate = ((options.load ?? 0.9) * Math.max(1, inventory.gpuCount)) / Math.max(1, meanGpuSeconds);
  let timeS = 0;
  return specs.map((spec, index) => {
    timeS += -Math.log(1 - random()) / rate;
    const submitS = Math.round(timeS);
    // Student jobs may wait up to a day for cooler or cleaner hours.
    const deadlineS = spec.deferrable ? submitS + spec.expectedDurationS + 24 * 3600 : undefined;
    return jobSpec({ ...spec, id: `demo-${index + 1}`, submitS, deadlineS });
  });
}
