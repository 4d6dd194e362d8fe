/**
 * Creating the jobs of an accepted submission: one job, or every task of an array (ids `<array id>_<task index>`,
 * as Slurm names array tasks). Rows, history events and one audit record are written in one transaction before
 * any task reaches the scheduler; then every task is queued and one scheduling cycle runs for all of them.
 */
import type { JobSpec } from "../../scheduler/jobs.ts";
import { appendAudit } from "../../store/audit.ts";
import type { Store } from "../../store/database.ts";
import { type ArraySpec, formatArray } from "./arrays.ts";
import type { Hold, JobControl } from "./controls.ts";
import type { Dependency } from "./dependencies.ts";
import type { JobsEngine } from "./engine.ts";
import { demandOf, type JobRecord } from "./records.ts";
import { instantOn, specClockOf } from "./spec-clock.ts";

/** What an accepted submission creates. */
export interface Creation {
  readonly id: string;
  readonly tenantId: string;
  readonly projectId: string;
  readonly projectName: string;
  readonly userId: string;
  readonly name: string;
  readonly spec: JobSpec;
  readonly command: string | undefined;
  readonly array: ArraySpec | undefined;
  readonly dependsOn: readonly Dependency[];
  /** Submitted held (every task of an array is held). */
  readonly hold: Hold | undefined;
  /** The submission as the caller sent it, for the audit record. */
  readonly body: unknown;
  readonly requestId: string;
}

/** Rows written per insert (a row has 16 parameters; PostgreSQL allows 65,535 per statement). */
const rowsPerInsert = 1000;

/** The jobs of a creation: ids, task indexes and controls. */
function plan(creation: Creation): { id: string; name: string; control: JobControl | undefined }[] {
  const dependsOn = creation.dependsOn.length === 0 ? undefined : creation.dependsOn;
  const hold = creation.hold;
  const array = creation.array;
  if (array === undefined)
    return [
      {
        id: creation.id,
        name: creation.name,
        control:
          dependsOn === undefined && hold === undefined
            ? undefined
            : { dependsOn, ...(hold === undefined ? {} : { hold: { ...hold } }) },
      },
    ];
  return array.indexes.map((index) => ({
    id: `${creation.id}_${index}`,
    name: `${creation.name}[${index}]`,
    control: {
      arrayJobId: creation.id,
      arrayTaskId: index,
      arrayMaxRunning: array.maxRunning,
      dependsOn,
      // Each task its own hold: tasks are released one by one.
      ...(hold === undefined ? {} : { hold: { ...hold } }),
    },
  }));
}

/** Stores and queues the jobs of an accepted submission; returns their records in task order. */
export async function createJobs(engine: JobsEngine, store: Store, creation: Creation): Promise<JobRecord[]> {
  const jobs = plan(creation);
  const now = new Date().toISOString();
  const demand = demandOf(creation.spec);
  const clock = specClockOf(engine.generation.live);
  // The instant asked for, read as a restart reads it back from the stored spec and its clock.
  const deadline = instantOn(clock, creation.spec.deadlineS);
  await store.db.transaction().execute(async (trx) => {
    for (let at = 0; at < jobs.length; at += rowsPerInsert) {
      const chunk = jobs.slice(at, at + rowsPerInsert);
      await trx
        .insertInto("jobs")
        .values(
          chunk.map((job) => ({
            id: job.id,
            tenant_id: creation.tenantId,
            project_id: creation.projectId,
            user_id: creation.userId,
            queue: creation.spec.queue,
            name: job.name,
            state: "queued",
            reason: "",
            // With the clock its times are on: a restart re-expresses them on its own (spec-clock.ts).
            spec: JSON.stringify({ ...creation.spec, id: job.id, clock }),
            placement: null,
            submitted_at: now,
            command: creation.command ?? null,
            started_at: null,
            ended_at: null,
            updated_at: now,
            controls: job.control === undefined ? null : JSON.stringify(job.control),
          })),
        )
        .execute();
      await trx
        .insertInto("job_events")
        .values(
          chunk.map((job) => ({
            job_id: job.id,
            at: now,
            kind: "job.submit",
            state: "queued",
            detail: JSON.stringify({
              queue: creation.spec.queue,
              userId: creation.userId,
              ...demand,
              ...(job.control ?? {}),
            }),
          })),
        )
        .execute();
    }
    await appendAudit(trx, {
      actor: creation.userId,
      action: "job.submit",
      resource: `job:${creation.id}`,
      before: null,
      after:
        creation.array === undefined
          ? creation.body
          : { ...(creation.body as object), tasks: jobs.length, array: formatArray(creation.array) },
      requestId: creation.requestId,
    });
  });
  // The generation may have been replaced while the store wrote: queue in the one in force now.
  const generation = engine.generation;
  const live = generation.live;
  const nowS = live.nowS();
  const records: JobRecord[] = [];
  for (const job of jobs) {
    if (job.control !== undefined) engine.controls.add(job.id, job.control, "queued");
    const spec = { ...creation.spec, id: job.id, submitS: nowS };
    const record: JobRecord = {
      id: job.id,
      tenantId: creation.tenantId,
      projectId: creation.projectId,
      projectName: creation.projectName,
      userId: creation.userId,
      name: job.name,
      synthetic: false,
      job: live.carry(spec),
      generation,
      command: creation.command,
      control: job.control,
      // The stored time: the same before and after a restart, which starts the scheduler's clock again.
      submittedAt: now,
      deadline,
    };
    engine.add(record);
    records.push(record);
  }
  // One cycle for all of them: an array's tasks start together, within its %N.
  live.kick();
  return records;
}
