/**
 * The features `alixan start` runs on top of the core services, in start order.
 */

import type { ExecutionConfig } from "../../execution/config.ts";
import type { LiveShiftFactory } from "../../flex/shift-live.ts";
import { consoleRoutes } from "../../server/routes/console.ts";
import type { ConfiguredOptions } from "../../telemetry/config.ts";
import type { Feature } from "../compose.ts";
import type { UsagePrices } from "../usage/prices.ts";
import { alarmsFeature } from "./alarms.ts";
import { drainsFeature } from "./drains.ts";
import { gridFeature } from "./grid.ts";
import { jobsFeature } from "./jobs.ts";
import { liveFeature } from "./live.ts";
import { telemetryFeature } from "./telemetry.ts";
import { usageFeature } from "./usage.ts";

/** Options of the platform's features. */
export interface FeatureOptions {
  /** Simulated seconds per wall-clock second for the live twin (default 1). */
  readonly speed?: number;
  /** Background demo workload as a share of the site's GPUs (default 0.5; 0 for none). */
  readonly demoLoad?: number;
  /** Keep telemetry history in memory only (tests, demos). */
  readonly telemetryInMemory?: boolean;
  /** Telemetry history directory and sections from alixan.yaml. */
  readonly telemetry?: { readonly historyDir?: string; readonly options: ConfiguredOptions };
  /** Where admitted jobs run (default: all simulated). */
  readonly execution?: ExecutionConfig;
  /** The wall clock zone certifications and admin key expiries are judged on (epoch ms; tests move it). */
  readonly clock?: () => number;
  /** Jobs one tenant may have waiting at once (default 1,000). */
  readonly maxQueuedPerTenant?: number;
  /** Wall-clock milliseconds between writes of metered usage (default 60,000; tests shorten it). */
  readonly usageFlushMs?: number;
  /** Prices of monthly usage statements (ALIXAN_USAGE_PRICES). */
  readonly usagePrices?: UsagePrices | undefined;
  /** Wall-clock limit of one what-if run (alixan.yaml `whatif.timeoutSeconds`; default 300 s). */
  readonly whatIfTimeoutMs?: number;
  /** Warn when every working platform-admin key expires within this many days (alixan.yaml; default 14). */
  readonly adminKeyWarningDays?: number;
  /** Price- and carbon-aware shifting of deferrable jobs (`serve --grid-signals --shift`). */
  readonly shift?: LiveShiftFactory | undefined;
}

/** A fresh set of the platform's features (each start gets its own instances: no shared state between apps). */
export function defaultFeatures(options: FeatureOptions = {}): Feature[] {
  return platformFeatures(options).features;
}

/** The platform's features, with the jobs and grid features kept apart for callers (tests) that reach them. */
export function platformFeatures(options: FeatureOptions = {}): {
  features: Feature[];
  jobs: ReturnType<typeof jobsFeature>;
  grid: ReturnType<typeof gridFeature>;
} {
  const telemetry = telemetryFeature({
    ...(options.telemetryInMemory === true ? { inMemory: true } : {}),
    ...(options.telemetry?.historyDir === undefined ? {} : { historyDir: options.telemetry.historyDir }),
    ...(options.telemetry === undefined ? {} : { configured: options.telemetry.options }),
  });
  const speed = options.speed === undefined ? {} : { speed: options.speed };
  // Drains start before jobs (restored jobs keep off drained racks) and reach the engine once it runs.
  const drains = drainsFeature({ engine: () => jobs.engine() });
  // Grid events, like drains, start before jobs (every generation holds work through their feed).
  const grid = gridFeature({
    engine: () => jobs.engine(),
    onSnapshot: (listener) => live.onSnapshot(listener),
    freshReading: () => live.freshen(),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const jobs = jobsFeature({
    ...speed,
    drainFeed: drains.feed,
    gridFeed: grid.feed,
    ...(options.demoLoad === undefined ? {} : { demoLoad: options.demoLoad }),
    ...(options.execution === undefined ? {} : { execution: options.execution }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.maxQueuedPerTenant === undefined ? {} : { maxQueuedPerTenant: options.maxQueuedPerTenant }),
    ...(options.shift === undefined ? {} : { shift: options.shift }),
  });
  const live = liveFeature({
    telemetry,
    coupling: jobs.coupling,
    ...speed,
    ...(options.whatIfTimeoutMs === undefined ? {} : { whatIfTimeoutMs: options.whatIfTimeoutMs }),
  });
  const console: Feature = { name: "console", start: async () => ({ routes: consoleRoutes() }) };
  // Jobs start before the twin: the twin reads its rack utilisation from the scheduler's placements.
  const usage = usageFeature({
    engine: () => jobs.engine(),
    twin: () => live.twin(),
    onSnapshot: (listener) => live.onSnapshot(listener),
    ...(options.usageFlushMs === undefined ? {} : { flushMs: options.usageFlushMs }),
    prices: options.usagePrices,
  });
  // Alarms last: they watch the twin's steps and read the scheduler's placements for each alarm's impact.
  const alarms = alarmsFeature(() => ({
    telemetry,
    live,
    jobsOnRack: (rack) => jobs.engine()?.jobsOnRack(rack) ?? [],
    ...(options.adminKeyWarningDays === undefined ? {} : { adminKeyWarningDays: options.adminKeyWarningDays }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  }));
  return { features: [telemetry, drains, grid, jobs, live, usage, alarms, console], jobs, grid };
}
