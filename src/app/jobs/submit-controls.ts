/**
 * The array and dependency parts of a job submission: their schema, and their checks against what the platform
 * knows (a dependency must name a job or array of the submitting tenant that can still satisfy it).
 *
 * Cycles cannot form: a dependency names a job that exists before the dependent, and dependencies are never added
 * later, so every dependency points back in time. Long chains cost nothing extra: each dependent looks only at the
 * jobs it names, and a chain broken by a failure unwinds one link per microtask.
 */
import { Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import type { QueueConfig, QueueSetConfig } from "../../scheduler/queues.ts";
import { StringEnum } from "../../server/schemas.ts";
import type { Store } from "../../store/database.ts";
import { type ArraySpec, maxArrayTasks, parseArray } from "./arrays.ts";
import { type Dependency, dependencyKinds, judge, maxDependencies } from "./dependencies.ts";
import type { JobsEngine } from "./engine.ts";

/**
 * The priority classes a job of `queue` may ask for, highest first: none above the queue's own (so a tenant cannot
 * make its work preempt others' by asking).
 */
export function priorityClassesOpenTo(config: QueueSetConfig, queue: QueueConfig): string[] {
  const ceiling = config.priorityClasses.find((entry) => entry.name === queue.priorityClass);
  return config.priorityClasses
    .filter((entry) => ceiling === undefined || entry.value <= ceiling.value)
    .sort((a, b) => b.value - a.value)
    .map((entry) => entry.name);
}

/** The submission fields of arrays and dependencies (one schema source, spread into the submit body). */
export const controlFields = {
  array: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 400,
      pattern: "^[0-9,:%-]+$",
      description: `Slurm --array syntax: indexes, ranges a-b, steps a-b:s, and %N tasks at once (at most ${maxArrayTasks} tasks)`,
    }),
  ),
  hold: Type.Optional(Type.Boolean({ description: "submit it held (Slurm's sbatch --hold): it waits until released" })),
  dependsOn: Type.Optional(
    Type.Array(
      Type.Object(
        {
          kind: StringEnum(dependencyKinds),
          jobId: Type.String({ minLength: 1, maxLength: 200, description: "a job or array id of the same tenant" }),
        },
        { additionalProperties: false },
      ),
      { maxItems: maxDependencies, description: "Slurm's afterok, afterany, afternotok" },
    ),
  ),
};

/** The array of a submission, or undefined for a single job; a bad expression is a 400 naming `body.array`. */
export function arrayOf(text: string | undefined): ArraySpec | undefined {
  if (text === undefined) return undefined;
  const parsed = parseArray(text);
  if (typeof parsed === "string") throw new AppError("invalid", `array ${text} ${parsed}`, { field: "body.array" });
  return parsed;
}

/** The tenant that owns a job or array id the platform knows, and its state, if it knows it. */
async function ownerOf(
  engine: JobsEngine,
  store: Store,
  id: string,
): Promise<{ tenantId: string; state?: string } | undefined> {
  const record = engine.records.get(id);
  if (record !== undefined) return { tenantId: record.tenantId, state: record.job.state };
  const ended = engine.ended.get(id);
  if (ended !== undefined) return { tenantId: ended.tenantId, state: ended.view.state };
  const firstTask = engine.controls.tasksOf(id)[0];
  if (firstTask !== undefined) {
    const owner = await ownerOf(engine, store, firstTask);
    return owner === undefined ? undefined : { tenantId: owner.tenantId };
  }
  const row = await store.db.selectFrom("jobs").select(["tenant_id", "state"]).where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : { tenantId: row.tenant_id, state: row.state };
}

/**
 * Checks a submission's dependencies: each names a job or array of `tenantId` (another tenant's is answered as
 * unknown, so ids of others cannot be probed), none twice, and none already unable to be met. 400 naming the entry.
 */
export async function checkDependencies(
  engine: JobsEngine,
  store: Store,
  tenantId: string,
  dependsOn: readonly Dependency[] | undefined,
): Promise<Dependency[]> {
  const result: Dependency[] = [];
  const seen = new Set<string>();
  for (const [index, dependency] of (dependsOn ?? []).entries()) {
    const field = `body.dependsOn[${index}].jobId`;
    const key = `${dependency.kind}:${dependency.jobId}`;
    if (seen.has(key)) throw new AppError("invalid", `${key} is listed twice`, { field });
    seen.add(key);
    const owner = await ownerOf(engine, store, dependency.jobId);
    if (owner === undefined || owner.tenantId !== tenantId)
      throw new AppError("invalid", `tenant ${tenantId} has no job or array ${dependency.jobId}`, { field });
    if (owner.state !== undefined) engine.controls.noteState(dependency.jobId, owner.state);
    const target = engine.controls.target(dependency.jobId);
    const verdict = target === undefined ? undefined : judge(dependency, target);
    if (verdict?.kind === "never")
      throw new AppError("invalid", `this dependency can never be satisfied: ${verdict.why}`, { field });
    result.push({ kind: dependency.kind, jobId: dependency.jobId });
  }
  return result;
}
