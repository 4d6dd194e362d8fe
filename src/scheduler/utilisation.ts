/**
 * Coupling to the twin: a replay on a site records, for every run, when it started and stopped and how much of each
 * rack it used; `ReplayUtilisation` turns that timeline back into per-rack utilisation at any time, which is the
 * `UtilisationSource` the twin consumes (`alixan simulate --jobs TRACE`). A rack's utilisation is the share of its GPUs
 * allocated (or of its CPUs for racks without GPUs), 0 idle to 1 at design power.
 */
import type { Site } from "../model/site.ts";
import type { UtilisationSource } from "../model/utilisation.ts";
import { inventoryFromSite } from "./inventory.ts";
import type { Job, JobSpec } from "./jobs.ts";
import { type ReplayMetrics, summarise } from "./metrics.ts";
import type { QueueSetConfig } from "./queues.ts";
import type { RackChanges } from "./rack-timeline.ts";
import type { ReplayResult } from "./replay.ts";
import type { PolicyName } from "./scheduler.ts";
import { runReplay, type SiteCheckOptions, standardChecks } from "./setup.ts";
import { readTraceFile, type TraceFormat } from "./traces/index.ts";

/**
 * Per-rack utilisation from a recorded replay. `fill` moves a cursor over the changes, so a twin stepping forward
 * in time pays only for the changes it crosses; going back in time restarts from the beginning.
 */
export class ReplayUtilisation implements UtilisationSource {
  /** What the replay ran on, for messages. */
  readonly origin: string;
  /** The recorded changes, with the job of each (the twin's curtailment plan reads whose work runs where). */
  readonly changes: RackChanges;
  private readonly times: Float64Array;
  private readonly racks: Int32Array;
  private readonly deltas: Float64Array;
  private readonly current: Float64Array;
  private cursor = 0;
  private lastTimeS = Number.NEGATIVE_INFINITY;

  constructor(changes: RackChanges, origin: string) {
    this.changes = changes;
    this.times = changes.times;
    this.racks = changes.racks;
    this.deltas = changes.deltas;
    this.current = new Float64Array(changes.rackCount);
    this.origin = origin;
  }

  /** Time of the last recorded change (the end of the replay's activity). */
  get endS(): number {
    return this.times.length === 0 ? 0 : this.times[this.times.length - 1]!;
  }

  fill(timeS: number, out: Float64Array): void {
    if (timeS < this.lastTimeS) {
      this.current.fill(0);
      this.cursor = 0;
    }
    this.lastTimeS = timeS;
    while (this.cursor < this.times.length && this.times[this.cursor]! <= timeS) {
      const rack = this.racks[this.cursor]!;
      this.current[rack]! += this.deltas[this.cursor]!;
      this.cursor++;
    }
    const count = Math.min(out.length, this.current.length);
    for (let rack = 0; rack < count; rack++) {
      // Sums of deltas leave rounding dust: clamp to the contract's 0–1.
      const value = this.current[rack]!;
      out[rack] = value < 1e-9 ? 0 : Math.min(1, value);
    }
  }
}

/** The utilisation source of a replay run with `recordRacks` on a site inventory, or undefined otherwise. */
export function utilisationFromReplay(result: ReplayResult): ReplayUtilisation | undefined {
  if (result.racks === undefined) return undefined;
  return new ReplayUtilisation(result.racks.changes(), result.scheduler.inventory.name);
}

/** Options of `utilisationFromTrace`. */
export interface TraceUtilisationOptions extends SiteCheckOptions {
  readonly format?: TraceFormat;
  /** Default `alixan`. */
  readonly policy?: PolicyName;
  /** Default: one queue per queue name of the trace, no quota. */
  readonly queues?: QueueSetConfig;
}

/** A schedule of a trace on a site, ready to drive the twin, or the reason it could not be made. */
export type TraceUtilisation =
  | {
      readonly ok: true;
      readonly source: ReplayUtilisation;
      /** The scheduled jobs, by the index `source.changes.jobs` gives. */
      readonly jobs: readonly Job[];
      readonly metrics: ReplayMetrics;
      /** Rows of the trace that were skipped, with their line numbers. */
      readonly diagnostics: readonly string[];
    }
  | { readonly ok: false; readonly error: string; readonly diagnostics: readonly string[] };

/**
 * Schedules the jobs of a trace file on a site and returns per-rack utilisation over time: the entry point for
 * `alixan simulate --jobs TRACE`. Errors (unreadable or rejected trace, bad drain target) are values.
 */
export function utilisationFromTrace(
  site: Site,
  tracePath: string,
  options: TraceUtilisationOptions = {},
): TraceUtilisation {
  const trace = readTraceFile(tracePath, options.format);
  const diagnostics = trace.diagnostics.map((item) => item.message);
  if (trace.rejected || trace.jobs.length === 0) {
    return { ok: false, error: `${tracePath}: no usable job`, diagnostics };
  }
  return utilisationFromJobs(site, trace.jobs, options, diagnostics);
}

/** Schedules jobs on a site and returns per-rack utilisation over time (see `utilisationFromTrace`). */
export function utilisationFromJobs(
  site: Site,
  jobs: readonly JobSpec[],
  options: TraceUtilisationOptions = {},
  diagnostics: readonly string[] = [],
): TraceUtilisation {
  const inventory = inventoryFromSite(site);
  const checks = standardChecks(inventory, options);
  if (typeof checks === "string") return { ok: false, error: checks, diagnostics };
  const result = runReplay(
    {
      inventory,
      policy: options.policy ?? "alixan",
      checks,
      ...(options.queues === undefined ? {} : { queues: options.queues }),
      replay: { recordRacks: true },
    },
    jobs,
  );
  if (typeof result === "string") return { ok: false, error: result, diagnostics };
  return {
    ok: true,
    source: utilisationFromReplay(result)!,
    jobs: result.jobs,
    metrics: summarise(result),
    diagnostics,
  };
}
