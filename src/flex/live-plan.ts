/**
 * The curtailment plan of the live platform: which running jobs to pause, cap or requeue to shed a target of IT
 * power, in the twin's order of lost work (`plan.ts`): (1) pause deferrable jobs that can wait out the event and still
 * meet their deadline (no work lost); (2) one common GPU power cap on flexible jobs and on deferrable jobs without
 * that slack, no lower than the minimum cap (throughput lost by the power-to-throughput curve); (3) requeue
 * preemptible jobs, those losing the fewest GPU-hours per kW first (their run since it started is lost). Protected
 * jobs are never candidates.
 */
import type { FlexClass } from "../model/flexibility.ts";
import { throughputAt } from "./plan.ts";

/** A running job the plan may act on. */
export interface CurtailCandidate {
  /** The job's id. */
  readonly key: string;
  readonly flexClass: FlexClass;
  /** Dynamic power its GPUs draw at full power, kW (what pausing it sheds). */
  readonly dynamicKw: number;
  /** Whether it may be paused for the rest of the event and still end by its deadline. */
  readonly slackOk: boolean;
  /** GPU-hours done since its current run started: lost if it is requeued. */
  readonly runGpuHours: number;
}

/** One command of a plan. */
export type CurtailAction =
  | { readonly key: string; readonly kind: "suspend" }
  | { readonly key: string; readonly kind: "cap"; readonly share: number }
  | { readonly key: string; readonly kind: "requeue" };

/** What the plan decided and what it expects to shed. */
export interface CurtailPlan {
  readonly actions: readonly CurtailAction[];
  /** IT power the actions shed, kW (dynamic power; idle power stays). */
  readonly plannedKw: number;
  /** What the plan could not find, kW (0 when the target is met). */
  readonly shortKw: number;
  /** The common cap share of dynamic power, when caps were used. */
  readonly capShare: number | null;
}

/** Cap shares above this are not worth a command (less than 0.5 % of dynamic power). */
const capDeadband = 0.995;

/** Plans the shedding of `targetKw` of IT power over `candidates` (see the module comment). */
export function planCurtailment(
  candidates: readonly CurtailCandidate[],
  targetKw: number,
  minimumCap: number,
): CurtailPlan {
  const actions: CurtailAction[] = [];
  let remaining = targetKw;
  let planned = 0;
  const shed = (kw: number) => {
    remaining -= kw;
    planned += kw;
  };
  const pausable = candidates
    .filter((job) => job.flexClass === "deferrable" && job.slackOk && job.dynamicKw > 0)
    .sort((a, b) => b.dynamicKw - a.dynamicKw || a.key.localeCompare(b.key));
  const paused = new Set<string>();
  for (const job of pausable) {
    if (remaining <= 0) break;
    actions.push({ key: job.key, kind: "suspend" });
    paused.add(job.key);
    shed(job.dynamicKw);
  }
  let capShare: number | null = null;
  const cappable = candidates.filter(
    (job) =>
      job.dynamicKw > 0 && (job.flexClass === "flexible" || (job.flexClass === "deferrable" && !paused.has(job.key))),
  );
  const cappableKw = cappable.reduce((sum, job) => sum + job.dynamicKw, 0);
  if (remaining > 0 && cappableKw > 0) {
    // One common share for all: what it sheds is linear in the share, so it is solved, not searched.
    const share = Math.max(minimumCap, 1 - remaining / cappableKw);
    if (share < capDeadband) {
      capShare = share;
      for (const job of cappable) actions.push({ key: job.key, kind: "cap", share });
      shed(cappableKw * (1 - share));
    }
  }
  const preemptible = candidates
    .filter((job) => job.flexClass === "preemptible" && job.dynamicKw > 0)
    .sort((a, b) => a.runGpuHours / a.dynamicKw - b.runGpuHours / b.dynamicKw || a.key.localeCompare(b.key));
  for (const job of preemptible) {
    if (remaining <= 0) break;
    actions.push({ key: job.key, kind: "requeue" });
    shed(job.dynamicKw);
  }
  return { actions, plannedKw: planned, shortKw: Math.max(0, remaining), capShare };
}

/** GPU-hours at full speed lost by running `gpus` GPUs capped to `share` for `hours`. */
export function capLossGpuHours(gpus: number, share: number, hours: number): number {
  return gpus * hours * (1 - throughputAt(share));
}
