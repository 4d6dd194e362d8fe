/**
 * The demo load: a seeded synthetic workload that keeps a demonstration site busy. It is opt-in (`--demo`), an admin
 * starts and stops it at run time, and it runs only under its own tenants (`demo:pharma`, `demo:diagnostics`…: the
 * colon keeps them apart from every real tenant id) in its own queues, which hold no quota of their own: they borrow
 * idle capacity from the root of the cohort tree at the lowest priority, so real tenants' queues take it back
 * (reclaim) and the demo never counts in a real tenant's quota, job list or usage. Its queues are an overlay on the
 * stored configuration, never stored.
 */
import { AppError } from "../../core/errors.ts";
import { demoQueues, demoWorkload } from "../../scheduler/demo.ts";
import type { Inventory } from "../../scheduler/inventory.ts";
import type { JobSpec } from "../../scheduler/jobs.ts";
import type { QueueConfig, QueueSetConfig } from "../../scheduler/queues.ts";
import type { JobsEngine } from "./engine.ts";
import type { JobRecord } from "./records.ts";
import { instantOn, specClockOf } from "./spec-clock.ts";

/** Prefix of demo tenants' and queues' names (never a real tenant's: tenant ids are slugs without colons). */
export const demoPrefix = "demo:";

/** What the demo load is doing. */
export interface DemoStatus {
  readonly running: boolean;
  /** Offered GPU load as a share of the site's GPUs. */
  readonly load: number;
  readonly startedAt: string | null;
  /** Demo jobs submitted since it started. */
  readonly submitted: number;
  /** Demo jobs waiting or running now. */
  readonly active: number;
}

/**
 * The stored configuration with the demo's queues added under the root cohort, or a message saying why the demo
 * cannot borrow there (no cohort tree).
 */
export function withDemoQueues(config: QueueSetConfig, inventory: Inventory): QueueSetConfig | string {
  const root = config.cohorts.find((cohort) => cohort.parent === undefined);
  if (root === undefined) {
    return "the queue configuration has no cohort: demo queues borrow idle capacity from the root cohort, so there is nothing for them to borrow";
  }
  const lowest = [...config.priorityClasses].sort((a, b) => a.value - b.value)[0]!;
  const queues: QueueConfig[] = demoQueues(inventory).queues.map((queue) => ({
    name: `${demoPrefix}${queue.name}`,
    tenant: `${demoPrefix}${queue.tenant}`,
    cohort: root.name,
    weight: 1,
    priorityClass: lowest.name,
    quota: {},
  }));
  return { ...config, queues: [...config.queues, ...queues] };
}

/** Options of the demo load. */
export interface DemoLoadOptions {
  /** Simulated seconds per wall-clock second (arrivals are spread on the scheduler's clock). */
  readonly speed: number;
}

/** Starts and stops the demo load on a jobs engine. */
export class DemoLoad {
  readonly #engine: JobsEngine;
  readonly #options: DemoLoadOptions;
  /** The stored configuration (without demo queues). */
  #stored: QueueSetConfig;
  #running = false;
  #load = 0;
  #startedAt: string | null = null;
  #submitted = 0;
  #timers: ReturnType<typeof setTimeout>[] = [];

  constructor(engine: JobsEngine, stored: QueueSetConfig, options: DemoLoadOptions) {
    this.#engine = engine;
    this.#stored = stored;
    this.#options = options;
  }

  /** What it is doing now. */
  get status(): DemoStatus {
    let active = 0;
    if (this.#running) for (const record of this.#engine.records.values()) if (record.synthetic) active++;
    return { running: this.#running, load: this.#load, startedAt: this.#startedAt, submitted: this.#submitted, active };
  }

  /** Applies a new stored configuration (keeping the demo's queues while it runs). */
  applyStored(config: QueueSetConfig, why: string): void {
    this.#stored = config;
    const effective = this.#running ? withDemoQueues(config, this.#engine.generation.inventory) : config;
    if (typeof effective === "string") {
      // The new configuration has no cohort tree left to borrow from: the demo stops rather than take real quota.
      this.#running = false;
      this.#clearTimers();
      this.#engine.setQueues(config, `${why}; demo load stopped (${effective})`, (record) => !record.synthetic);
      return;
    }
    this.#engine.setQueues(effective, why);
  }

  /** Starts the demo load at `load` (a share of the site's GPUs); restarts it when it runs. */
  start(load: number): void {
    if (!(load > 0 && load <= 1))
      throw new AppError("invalid", "load must be above 0 and at most 1", { field: "body.load" });
    if (this.#engine.slurmMode) {
      throw new AppError("conflict", "jobs on this site run on Slurm: a synthetic load would run real batch jobs");
    }
    if (this.#running) this.stop();
    const effective = withDemoQueues(this.#stored, this.#engine.generation.inventory);
    if (typeof effective === "string") throw new AppError("conflict", effective);
    this.#engine.setQueues(effective, "demo load started");
    this.#running = true;
    this.#load = load;
    this.#startedAt = new Date().toISOString();
    this.#submitted = 0;
    this.#submitWorkload(load);
  }

  /** Stops the demo load: its jobs are dropped (they have no record in the store) and its queues removed. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#clearTimers();
    this.#engine.setQueues(this.#stored, "demo load stopped", (record) => !record.synthetic);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
  }

  /** Part of the workload at once so the site starts busy, the rest on its arrival times. */
  #submitWorkload(load: number): void {
    const inventory = this.#engine.generation.inventory;
    const specs = demoWorkload(inventory, { jobs: Math.max(20, Math.ceil(inventory.gpuCount / 12)), load, seed: 7 });
    const half = Math.floor(specs.length / 2);
    const offsetS = specs[half]?.submitS ?? 0;
    for (const spec of specs.slice(0, half)) this.#submit(spec);
    for (const spec of specs.slice(half)) {
      const delayMs = ((spec.submitS - offsetS) * 1000) / this.#options.speed;
      const timer = setTimeout(() => this.#submit(spec), Math.min(2 ** 31 - 1, Math.max(0, delayMs)));
      timer.unref();
      this.#timers.push(timer);
    }
  }

  #submit(spec: JobSpec): void {
    if (!this.#running) return;
    const generation = this.#engine.generation;
    const queue = `${demoPrefix}${spec.queue}`;
    const job = generation.live.submit({ ...spec, queue });
    const tenant = generation.live.scheduler.quota.config.queues.find((candidate) => candidate.name === queue)?.tenant;
    const record: JobRecord = {
      id: spec.id,
      tenantId: tenant ?? `${demoPrefix}load`,
      projectId: "demo",
      projectName: "demo load",
      userId: "system:demo",
      name: spec.id,
      synthetic: true,
      job,
      generation,
      deadline: instantOn(specClockOf(generation.live), job.spec.deadlineS),
    };
    this.#engine.add(record);
    this.#submitted++;
  }
}
