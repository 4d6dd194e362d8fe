/**
 * Job dependencies in Slurm's terms: `afterok` (the job it waits for succeeded), `afterany` (it ended, however),
 * `afternotok` (it ended without success: failed, cancelled, preempted for good). A dependency that can no longer be
 * satisfied (afterok on a failed job, afternotok on a succeeded one) ends the dependent as cancelled, with the reason:
 * Slurm's `kill_invalid_depend` behaviour, chosen so that nothing waits for ever on what cannot happen.
 */
import type { JobState } from "../../scheduler/jobs.ts";

/** Dependency kinds, Slurm's names. */
export const dependencyKinds = ["afterok", "afterany", "afternotok"] as const;
/** One dependency kind. */
export type DependencyKind = (typeof dependencyKinds)[number];

/** One dependency: wait until job (or every task of array) `jobId` ended as `kind` says. */
export interface Dependency {
  readonly kind: DependencyKind;
  readonly jobId: string;
}

/** Most dependencies one job may list (Slurm has no such limit; a bound keeps every check cheap). */
export const maxDependencies = 16;

/** What is known of what a dependency names: a job's state, or an array's task counts. */
export interface DependencyTarget {
  /** Tasks (1 for a plain job). */
  readonly total: number;
  /** Tasks that ended as succeeded. */
  readonly succeeded: number;
  /** Tasks that ended otherwise (failed, cancelled, preempted). */
  readonly unsuccessful: number;
}

/** Whether a job state is final. */
export function isFinal(state: JobState | string): boolean {
  return state === "succeeded" || state === "failed" || state === "cancelled" || state === "preempted";
}

/** The target view of one job in `state`. */
export function singleTarget(state: JobState | string): DependencyTarget {
  return {
    total: 1,
    succeeded: state === "succeeded" ? 1 : 0,
    unsuccessful: isFinal(state) && state !== "succeeded" ? 1 : 0,
  };
}

/** Where a dependency stands: met, still open, or never to be met (with why). */
export type DependencyVerdict =
  | { readonly kind: "met" }
  | { readonly kind: "open" }
  | { readonly kind: "never"; readonly why: string };

/** Judges one dependency on what its target is now. */
export function judge(dependency: Dependency, target: DependencyTarget): DependencyVerdict {
  const ended = target.succeeded + target.unsuccessful;
  const all = ended >= target.total;
  switch (dependency.kind) {
    case "afterok":
      if (target.unsuccessful > 0)
        return { kind: "never", why: `job ${dependency.jobId} ended without success (afterok)` };
      return all ? { kind: "met" } : { kind: "open" };
    case "afterany":
      return all ? { kind: "met" } : { kind: "open" };
    case "afternotok":
      if (!all) return { kind: "open" };
      return target.unsuccessful > 0
        ? { kind: "met" }
        : { kind: "never", why: `job ${dependency.jobId} succeeded (afternotok)` };
  }
}

/** What a job waits for under a dependency still open, for its waiting reason. */
export function waitingReason(dependency: Dependency): string {
  const what =
    dependency.kind === "afterok" ? "to succeed" : dependency.kind === "afterany" ? "to end" : "to end without success";
  return `waiting for job ${dependency.jobId} ${what} (${dependency.kind})`;
}

/** Parses Slurm's `--dependency` text (`afterok:ID[:ID…][,afterany:ID…]`) into dependencies, or the problem. */
export function parseDependencyOption(text: string): Dependency[] | string {
  const result: Dependency[] = [];
  for (const part of text.split(",")) {
    const [kind, ...ids] = part.split(":");
    if (!dependencyKinds.includes(kind as DependencyKind))
      return `${part}: expected ${dependencyKinds.join(", ")} followed by :JOB_ID`;
    if (ids.length === 0 || ids.some((id) => id === "")) return `${part}: name at least one job id after the kind`;
    for (const jobId of ids) result.push({ kind: kind as DependencyKind, jobId });
  }
  if (result.length > maxDependencies) return `lists more than ${maxDependencies} dependencies`;
  return result;
}
