/**
 * Jobs and queues in the platform: tenants submit GPU jobs through the API; the scheduler (live, on the wall clock)
 * admits and places them with every admission check on — certified zones as the site in force has them, power
 * caps, and cooling headroom read from the live twin — while a seeded background workload of the demo tenants keeps
 * the site busy. API jobs are stored and audited (submission, start with zone and racks, end), so a tenant's
 * compliance officer can see where data was processed. The placement drives the twin's rack utilisation.
 *
 * The pieces live in `src/app/jobs/`: the engine (generations, carrying jobs over site changes, persistence),
 * the records and their views, and the routes. This file wires them as a feature.
 */
import type { ExecutionConfig } from "../../execution/config.ts";
import type { DrainFeed } from "../../scheduler/checks.ts";
import { demoQueues, demoWorkload } from "../../scheduler/demo.ts";
import { inventoryFromSite } from "../../scheduler/inventory.ts";
import type { QueueSetConfig } from "../../scheduler/queues.ts";
import { authorize, withinScope } from "../../tenancy/service.ts";
import type { CoreServices, Feature } from "../compose.ts";
import { JobsEngine } from "../jobs/engine.ts";
import type { JobRecord, JobUsageRecord } from "../jobs/records.ts";
import { registerJobRoutes } from "../jobs/routes.ts";
import type { LiveCoupling } from "./live.ts";
import { schedulerFamilies } from "./scheduler-metrics.ts";

export type { JobUsageRecord } from "../jobs/records.ts";

/** The demo scheduler's tenant names mapped to the seeded demo tenants. */
const demoTenantIds: Readonly<Record<string, string>> = {
  pharma: "rhone-pharma",
  "genai-startups": "atelier-genai",
  diagnostics: "valdiag",
  "hospital-consortium": "hopitaux-drome",
  "training-campus": "campus-valence",
};

/** Options of the jobs feature. */
export interface JobsOptions {
  /** Simulated seconds per wall-clock second; keep equal to the live twin's (default 1). */
  readonly speed?: number;
  /** Background demo workload as a share of the site's GPUs (default 0.5, or 0 when any hall runs on Slurm). */
  readonly demoLoad?: number;
  /** Where admitted jobs run (default: all simulated). */
  readonly execution?: ExecutionConfig;
  /** Jobs one tenant may have waiting at once (default 1,000). */
  readonly maxQueuedPerTenant?: number;
  /** The wall clock zone certifications are judged on (epoch ms; tests move it). */
  readonly clock?: () => number;
  /** Maintenance drains the scheduler follows. */
  readonly drainFeed?: DrainFeed;
}

/** The jobs feature and its coupling to the live twin. */
export function jobsFeature(
  options: JobsOptions = {},
): Feature & { coupling: LiveCoupling; usage(): JobUsageRecord[]; engine(): JobsEngine | undefined } {
  let engine: JobsEngine | undefined;
  return {
    name: "jobs",
    engine: () => engine,
    usage: () => engine?.usage() ?? [],
    coupling: {
      utilisation: (site) => engine?.utilisation(site),
      jobsOnRack: (rackIndex, request) => {
        if (engine === undefined || request.principal === null) return [];
        const principal = request.principal;
        const found: { id: string; name: string; tenantId: string; gpus: number }[] = [];
        for (const record of engine.jobsOnRack(rackIndex)) {
          if (!withinScope(principal, authorize(principal, "jobs:read"), record)) continue;
          found.push({
            id: record.id,
            name: record.name,
            tenantId: record.tenantId,
            gpus: record.job.spec.gpus * record.job.spec.members,
          });
          if (found.length >= 50) break;
        }
        return found;
      },
      onSnapshot: (snapshot) => engine?.onSnapshot(snapshot),
    },
    async start(core: CoreServices) {
      const current = core.inventory.current;
      const demo = demoQueues(inventoryFromSite(current.site));
      const queues: QueueSetConfig = {
        ...demo,
        queues: demo.queues.map((queue) => ({ ...queue, tenant: demoTenantIds[queue.tenant] ?? queue.tenant })),
      };
      if (options.execution !== undefined && engine === undefined && (options.speed ?? 1) !== 1) {
        const slurm = Object.values(options.execution.halls).includes("slurm") || options.execution.backend === "slurm";
        if (slurm) throw new Error("execution: jobs run on Slurm in real time; the live speed must be 1");
      }
      const jobs = new JobsEngine(core.store, current.site, current.version, {
        queues,
        log: core.log.sink("jobs"),
        ...(options.execution === undefined ? {} : { execution: options.execution }),
        ...(options.speed === undefined ? {} : { speed: options.speed }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        drainFeed: options.drainFeed,
      });
      engine = jobs;
      await jobs.restore();
      // The site in force decides where jobs may run: every accepted change takes effect at once.
      const removeListener = core.inventory.onChange((changed) =>
        jobs.rebuild(changed.site, changed.version, "site change"),
      );
      jobs.startClock();
      const arrivals = startDemo(jobs, queues, options);
      return {
        // Read at each scrape from the generation in force (a site change replaces the scheduler).
        metrics: () => schedulerFamilies(jobs.generation.live.scheduler),
        routes: (app) =>
          registerJobRoutes(app, {
            store: core.store,
            engine: jobs,
            queues,
            speed: options.speed ?? 1,
            maxQueuedPerTenant: options.maxQueuedPerTenant ?? 1000,
          }),
        async stop() {
          removeListener();
          for (const timer of arrivals) clearTimeout(timer);
          await jobs.stop();
        },
      };
    },
  };
}

/** Background workload of the demo tenants: part at once so the site starts busy, the rest on its arrival times. */
function startDemo(engine: JobsEngine, queues: QueueSetConfig, options: JobsOptions): ReturnType<typeof setTimeout>[] {
  const demoLoad = options.demoLoad ?? (engine.slurmMode ? 0 : 0.5);
  const arrivals: ReturnType<typeof setTimeout>[] = [];
  if (demoLoad <= 0) return arrivals;
  const inventory = engine.generation.inventory;
  const specs = demoWorkload(inventory, {
    jobs: Math.max(20, Math.ceil(inventory.gpuCount / 12)),
    load: demoLoad,
    seed: 7,
  });
  const submitDemo = (spec: (typeof specs)[number]) => {
    const generation = engine.generation;
    const job = generation.live.submit(spec);
    const queue = queues.queues.find((candidate) => candidate.name === spec.queue);
    const record: JobRecord = {
      id: spec.id,
      tenantId: queue?.tenant ?? "alixan",
      projectId: "demo",
      userId: "system:demo",
      name: spec.id,
      synthetic: true,
      job,
      generation,
    };
    engine.add(record);
  };
  const half = Math.floor(specs.length / 2);
  const offsetS = specs[half]?.submitS ?? 0;
  specs.slice(0, half).forEach(submitDemo);
  for (const spec of specs.slice(half)) {
    const delayMs = ((spec.submitS - offsetS) * 1000) / (options.speed ?? 1);
    const timer = setTimeout(() => submitDemo({ ...spec }), Math.min(2 ** 31 - 1, Math.max(0, delayMs)));
    timer.unref();
    arrivals.push(timer);
  }
  return arrivals;
}
