/**
 * Composition helpers: the default queue configuration for a trace, the target workload for fragmentation, the
 * standard admission checks of a site, and one call that builds a scheduler and replays a trace on it.
 */
import type { AdmissionCheck, Drain, DrainFeed, HourlySignal } from "./checks.ts";
import { CoolingCheck, DeferralCheck, DrainCheck, PowerCheck, ZoneCheck } from "./checks.ts";
import { DesignFacilityView, type FacilityDerates, type FacilityView, unknownDerateIds } from "./facility.ts";
import { type TaskShape, type WorkloadClass, workloadClasses } from "./fragmentation.ts";
import type { Inventory } from "./inventory.ts";
import type { JobSpec } from "./jobs.ts";
import { defaultPriorityClasses, type QueueSetConfig } from "./queues.ts";
import { type ReplayOptions, type ReplayResult, replay } from "./replay.ts";
import { type PolicyName, Scheduler } from "./scheduler.ts";

/** One ungoverned queue per queue name the jobs use (tenant = queue name): fair share without quotas. */
export function queueConfigForJobs(jobs: readonly JobSpec[]): QueueSetConfig {
  const names = [...new Set(jobs.map((job) => job.queue))].sort();
  if (names.length === 0) names.push("default");
  return {
    fairShareHalfLifeHours: 168,
    priorityClasses: defaultPriorityClasses,
    cohorts: [],
    queues: names.map((name) => ({
      name,
      tenant: name,
      cohort: undefined,
      weight: 1,
      priorityClass: "normal",
      quota: {},
    })),
    defaultQueue: undefined,
  };
}

/** The member shapes of a trace's jobs (one per member), GPU models as inventory indexes. */
export function taskShapesOf(jobs: readonly JobSpec[], inventory: Inventory): TaskShape[] {
  const models = inventory.gpuModels;
  const shapes: TaskShape[] = [];
  for (const job of jobs) {
    const shape: TaskShape = {
      gpus: job.gpus,
      gpuMilli: job.gpus > 0 ? job.gpuMilli : 0,
      cpuMilli: job.cpuMilli,
      memoryMib: job.memoryMib,
      models: job.gpuModels.map((model) => models.indexOf(model)).filter((index) => index >= 0),
    };
    for (let member = 0; member < job.members; member++) shapes.push(shape);
  }
  return shapes;
}

/** The target workload of a trace for fragmentation: its most popular member shapes. */
export function workloadOf(jobs: readonly JobSpec[], inventory: Inventory): WorkloadClass[] {
  return workloadClasses(taskShapesOf(jobs, inventory));
}

/** What facility-aware checks a site replay uses. */
export interface SiteCheckOptions {
  /** Facility limits; the design-based view of the site by default. */
  readonly facility?: FacilityView;
  /** Reductions of the design limits (ignored when `facility` is given). */
  readonly derates?: FacilityDerates;
  readonly drains?: readonly Drain[];
  /** Drains that change at run time (the live platform); replaces `drains`. */
  readonly drainFeed?: DrainFeed | undefined;
  /** Carbon or temperature signal for deferrable jobs; no deferral without it. */
  readonly signal?: HourlySignal;
  /** Jobs whose data class no zone hosts now wait instead of being refused (the live platform). */
  readonly holdForZones?: boolean;
}

/**
 * The admission checks: certified zones always; on a site also maintenance drains, power caps and cooling headroom;
 * deferral when a signal is given. Fails with a message when a drain or a derate names an unknown target.
 */
export function standardChecks(inventory: Inventory, options: SiteCheckOptions = {}): AdmissionCheck[] | string {
  const checks: AdmissionCheck[] = [new ZoneCheck(inventory, { hold: options.holdForZones ?? false })];
  const facility = inventory.facility;
  if (facility !== undefined) {
    const drains =
      options.drainFeed === undefined
        ? DrainCheck.create(inventory, options.drains ?? [])
        : DrainCheck.live(inventory, options.drainFeed);
    if (typeof drains === "string") return drains;
    const unknown = unknownDerateIds(facility.site, options.derates ?? {});
    if (unknown.length > 0)
      return `derates name no rack, row, technology loop or hall of ${facility.site.id}: ${unknown.join(", ")}`;
    const view = options.facility ?? new DesignFacilityView(facility.site, options.derates);
    checks.push(drains, new PowerCheck(inventory, view), new CoolingCheck(inventory, view));
  }
  if (options.signal !== undefined) checks.push(new DeferralCheck(options.signal));
  return checks;
}

/** Everything a replay needs besides the jobs. */
export interface ReplaySetup {
  readonly inventory: Inventory;
  readonly policy: PolicyName;
  /** Queue configuration; one ungoverned queue per queue name of the jobs by default. */
  readonly queues?: QueueSetConfig;
  /** Admission checks; `standardChecks(inventory)` by default. */
  readonly checks?: readonly AdmissionCheck[];
  /** Target workload for fragmentation; the trace's own by default. */
  readonly workload?: readonly WorkloadClass[];
  /** Tasks the per-model constrained GPU demand is estimated from; the trace's own with its own workload, else the classes. */
  readonly demand?: readonly TaskShape[];
  readonly replay?: ReplayOptions;
}

/** Builds a scheduler for `setup` and replays `jobs` on it. Fails with a message on a bad drain target. */
export function runReplay(setup: ReplaySetup, jobs: readonly JobSpec[]): ReplayResult | string {
  const checks = setup.checks ?? standardChecks(setup.inventory);
  if (typeof checks === "string") return checks;
  const scheduler = new Scheduler(setup.inventory, {
    policy: setup.policy,
    queues: setup.queues ?? queueConfigForJobs(jobs),
    checks,
    workload: setup.workload ?? workloadOf(jobs, setup.inventory),
    ...(setup.demand !== undefined
      ? { demand: setup.demand }
      : setup.workload === undefined
        ? { demand: taskShapesOf(jobs, setup.inventory) }
        : {}),
  });
  return replay(scheduler, jobs, setup.replay);
}
