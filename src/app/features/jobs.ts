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
import type { LiveShiftFactory } from "../../flex/shift-live.ts";
import type { DrainFeed } from "../../scheduler/checks.ts";
import { inventoryFromSite } from "../../scheduler/inventory.ts";
import type { QueueSetConfig } from "../../scheduler/queues.ts";
import { authorize, type RequestContext, systemPrincipal, withinScope } from "../../tenancy/service.ts";
import type { CoreServices, Feature } from "../compose.ts";
import type { GridFeed } from "../grid/check.ts";
import { DemoLoad } from "../jobs/demo-load.ts";
import { JobsEngine } from "../jobs/engine.ts";
import { isActive } from "../jobs/records.ts";
import { registerJobRoutes } from "../jobs/routes.ts";
import { refuseRenamesUnderWork } from "../jobs/site-guard.ts";
import { initialQueueSet } from "../queues/defaults.ts";
import { registerQueueRoutes } from "../queues/routes.ts";
import { QueueService } from "../queues/service.ts";
import type { LiveCoupling } from "./live.ts";
import { schedulerFamilies } from "./scheduler-metrics.ts";

/** Options of the jobs feature. */
export interface JobsOptions {
  /** Simulated seconds per wall-clock second; keep equal to the live twin's (default 1). */
  readonly speed?: number;
  /** Demo load at start as a share of the site's GPUs (default 0: off; an admin can start it later). */
  readonly demoLoad?: number;
  /** A queue configuration from a file (`serve --queues`): stored as a new version when it differs. */
  readonly queues?: { readonly config: QueueSetConfig; readonly source: string };
  /** Where admitted jobs run (default: all simulated). */
  readonly execution?: ExecutionConfig;
  /** Jobs one tenant may have waiting at once (default 1,000). */
  readonly maxQueuedPerTenant?: number;
  /** The wall clock zone certifications are judged on (epoch ms; tests move it). */
  readonly clock?: () => number;
  /** Maintenance drains the scheduler follows. */
  readonly drainFeed?: DrainFeed;
  /** Price- and carbon-aware shifting of deferrable jobs (`serve --grid-signals --shift`). */
  readonly shift?: LiveShiftFactory;
  /** Grid events the scheduler follows. */
  readonly gridFeed?: GridFeed;
}

/** The jobs feature and its coupling to the live twin. */
export function jobsFeature(
  options: JobsOptions = {},
): Feature & { coupling: LiveCoupling; engine(): JobsEngine | undefined } {
  let engine: JobsEngine | undefined;
  return {
    name: "jobs",
    engine: () => engine,
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
      if (options.execution !== undefined && engine === undefined && (options.speed ?? 1) !== 1) {
        const slurm = Object.values(options.execution.halls).includes("slurm") || options.execution.backend === "slurm";
        if (slurm) throw new Error("execution: jobs run on Slurm in real time; the live speed must be 1");
      }
      const context: RequestContext = { principal: systemPrincipal("queues"), requestId: "start" };
      let jobs: JobsEngine | undefined;
      const queueService = await QueueService.open(
        {
          db: core.store.db,
          tenancy: core.tenancy,
          activeJobs: (queue) => (jobs === undefined ? 0 : activeJobsIn(jobs, queue)),
        },
        context,
        (tenants) => initialQueueSet(inventoryFromSite(current.site), tenants),
        options.queues,
      );
      jobs = new JobsEngine(core.store, current.site, current.version, {
        queues: queueService.config,
        log: core.log.sink("jobs"),
        ...(options.execution === undefined ? {} : { execution: options.execution }),
        ...(options.speed === undefined ? {} : { speed: options.speed }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        drainFeed: options.drainFeed,
        ...(options.shift === undefined ? {} : { shift: options.shift }),
        gridFeed: options.gridFeed,
      });
      engine = jobs;
      await jobs.restore();
      const demo = new DemoLoad(jobs, queueService.config, { speed: options.speed ?? 1 });
      queueService.onChange((config, why) => demo.applyStored(config, why));
      // The site in force decides where jobs may run: every accepted change takes effect at once.
      const removeListener = core.inventory.onChange((changed) =>
        jobs.rebuild(changed.site, changed.version, "site change"),
      );
      // ...unless it would rename racks under running work (the engine's rack indexes are its generation's site's).
      const removeGuard = core.inventory.addChangeGuard((before, after) => {
        const live = jobs.generation.site;
        const index = live === before ? undefined : new Map(live.racks.map((rack) => [rack.id as string, rack.index]));
        refuseRenamesUnderWork(before, after, (rack) => {
          const at = index === undefined ? rack : index.get(before.racks[rack]!.id);
          return at === undefined ? [] : jobs.jobsOnRack(at);
        });
      });
      const log = core.log.sink("queues");
      const removeTenantListener = core.tenancy.onTenantCreated(async (tenantContext, tenant) => {
        try {
          await queueService.tenantCreated(tenantContext, tenant);
        } catch (error) {
          log(`tenant ${tenant.id} got no queue: ${(error as Error).message}`);
        }
      });
      jobs.startClock();
      if ((options.demoLoad ?? 0) > 0) demo.start(options.demoLoad!);
      return {
        // Read at each scrape from the generation in force (a site change replaces the scheduler).
        metrics: () => schedulerFamilies(jobs.generation.live.scheduler),
        routes: (app) => {
          registerJobRoutes(app, {
            store: core.store,
            engine: jobs,
            queues: () => jobs.queues,
            speed: options.speed ?? 1,
            maxQueuedPerTenant: options.maxQueuedPerTenant ?? 1000,
          });
          registerQueueRoutes(app, { engine: jobs, service: queueService, demo });
        },
        async stop() {
          removeListener();
          removeGuard();
          removeTenantListener();
          demo.stop();
          await jobs.stop();
        },
      };
    },
  };
}

/** Jobs of a queue that are waiting or running (a queue may not be taken away from under them). */
function activeJobsIn(engine: JobsEngine, queue: string): number {
  let count = 0;
  for (const record of engine.records.values()) if (record.job.spec.queue === queue && isActive(record.job)) count++;
  return count;
}
