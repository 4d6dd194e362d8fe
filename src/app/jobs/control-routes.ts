/**
 * The job controls API: hold and release a waiting job, requeue a placed one (Slurm's `scontrol hold`, `release`,
 * `requeue`/`requeuehold`), read, hold, release and cancel a whole array. The roles that may cancel a job may do these
 * (its owner, tenant admins for their tenant, platform operators and admins); a hold put by platform staff is released
 * only by staff. Every change is audited and lands in the job's history.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sql, type Transaction } from "kysely";
import { type Static, Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { appendAudit } from "../../store/audit.ts";
import type { Store } from "../../store/database.ts";
import type { Database } from "../../store/schema.ts";
import { authorize, type Principal, withinScope } from "../../tenancy/service.ts";
import { type ArraySpec, formatArray } from "./arrays.ts";
import type { Hold, JobControl } from "./controls.ts";
import { isFinal } from "./dependencies.ts";
import type { JobsEngine } from "./engine.ts";
import { isActive, type JobRecord, jobView } from "./records.ts";
import { DependencySchema, JobSchema } from "./schemas.ts";

/** Tasks shown in full in an array's submission answer (the rest are read with GET /v1/job-arrays/:id). */
const tasksShown = 100;

/** The answer to an array submission: the array id, its expression, and its first tasks. */
export function arrayView(arrayJobId: string, array: ArraySpec, records: readonly JobRecord[]) {
  return {
    arrayJobId,
    array: formatArray(array),
    taskCount: records.length,
    maxRunning: array.maxRunning ?? null,
    tasks: records.slice(0, tasksShown).map(jobView),
  };
}

/**
 * The job `id` a control (cancel, hold, release, requeue) names, live: a job that ended is no longer among the live
 * records once a site or queue change rebuilt the scheduler (`engine.ended`) or the platform restarted (the store),
 * yet `GET /v1/jobs/:id` shows it. On such a job the control is refused as on a job that ended under the scheduler in
 * force: 404 outside the caller's scope, 403 to a role that may not act on it, else 409 naming its state.
 */
export async function liveJobOf(
  engine: JobsEngine,
  store: Store,
  principal: Principal,
  id: string,
): Promise<JobRecord> {
  const mayRead = (owner: { tenantId: string; userId: string }) =>
    withinScope(principal, authorize(principal, "jobs:read"), owner);
  const record = engine.records.get(id);
  if (record !== undefined && mayRead(record)) {
    authorize(principal, "jobs:cancel", { tenantId: record.tenantId, userId: record.userId });
    return record;
  }
  let ended: { tenantId: string; userId: string; state: string } | undefined;
  const frozen = record === undefined ? engine.ended.get(id) : undefined;
  if (frozen !== undefined) ended = { tenantId: frozen.tenantId, userId: frozen.userId, state: frozen.view.state };
  else if (record === undefined) {
    const row = await store.db
      .selectFrom("jobs")
      .select(["tenant_id", "user_id", "state"])
      .where("id", "=", id)
      .executeTakeFirst();
    // A stored job still waiting or running has a live record (or is being submitted): only ended ones count here.
    if (row !== undefined && isFinal(row.state))
      ended = { tenantId: row.tenant_id, userId: row.user_id, state: row.state };
  }
  if (ended === undefined || !mayRead(ended)) throw new AppError("notFound", `no job ${id}`, { field: "params.id" });
  authorize(principal, "jobs:cancel", { tenantId: ended.tenantId, userId: ended.userId });
  throw new AppError("conflict", `job ${id} is already ${ended.state}`);
}

const idParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const reasonBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
  Type.Null(),
]);
const requeueBody = Type.Union([
  Type.Object(
    {
      reason: Type.Optional(Type.String({ maxLength: 500 })),
      hold: Type.Optional(Type.Boolean({ description: "hold it once requeued (Slurm's requeuehold)" })),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
type RequeueBody = Static<typeof requeueBody>;

/** Rows written per statement when a call changes many tasks of an array. */
const rowsPerStatement = 500;

/** The hold a principal puts: a tenant's is a user hold, platform staff's an administrator's. */
function holdBy(principal: Principal): Hold {
  return { by: principal.userId, staff: principal.tenantId === null, at: new Date().toISOString() };
}

/** Why a job cannot be held now (it is not waiting, or already held); undefined when it can. */
function holdRefusal(job: JobRecord): string | undefined {
  if (job.job.state !== "queued")
    return `job ${job.id} is ${job.job.state}: only a waiting job can be held (requeue it with hold: true)`;
  const hold = job.control?.hold;
  return hold === undefined ? undefined : `job ${job.id} is already held by ${hold.by}`;
}

/** Why the principal cannot release a job (not held: conflict; held by staff and asked by a tenant: forbidden). */
function releaseRefusal(job: JobRecord, principal: Principal): AppError | undefined {
  const hold = job.control?.hold;
  if (hold === undefined || !isActive(job.job)) return new AppError("conflict", `job ${job.id} is not held`);
  if (hold.staff && principal.tenantId !== null)
    return new AppError("forbidden", `job ${job.id} was held by platform staff (${hold.by}): only staff release it`);
  return undefined;
}

/**
 * The steps of a hold, a release and their record, shared by the routes on one job and those on a whole array (which
 * mirror them in Slurm and record them once for all their tasks).
 */
function holdSteps(engine: JobsEngine, store: Store) {
  /** The job's control object, made (and followed by the engine) on its first hold. */
  const controlOf = (job: JobRecord): JobControl => {
    if (job.control !== undefined) return job.control;
    const control: JobControl = {};
    job.control = control;
    engine.controls.add(job.id, control, job.job.state);
    return control;
  };
  /** Holds a waiting job in alixan (the caller checked `holdRefusal`): never admitted, its reason says why. */
  const hold = (job: JobRecord, principal: Principal, held: Hold = holdBy(principal)): Hold => {
    controlOf(job).hold = held;
    job.job.reason = engine.controls.gate(job.job)?.reason ?? job.job.reason;
    return held;
  };
  /** Lifts a job's hold (the caller checked `releaseRefusal`), answering it; the caller wakes the job. */
  const release = (job: JobRecord): Hold => {
    const was = job.control!.hold!;
    job.control!.hold = undefined;
    job.job.reason = "released: waiting for the next scheduling cycle";
    return was;
  };
  /**
   * Stores the jobs' controls and reasons with one history event each (`detail`), and one audit record for the call
   * (its `after` gains the tenant and whether staff acted), in one transaction.
   */
  const recordAll = (
    request: FastifyRequest,
    jobs: readonly JobRecord[],
    action: string,
    detail: (job: JobRecord) => Record<string, unknown>,
    audit: { resource: string; before: unknown; after: Record<string, unknown> },
  ) => {
    const context = contextOf(request);
    const now = new Date().toISOString();
    // Demo work has no stored row or history: staff acting on it is audited all the same.
    const stored = jobs.filter((job) => !job.synthetic);
    return store.db.transaction().execute(async (trx) => {
      for (let at = 0; at < stored.length; at += rowsPerStatement)
        await storeChanges(trx, stored.slice(at, at + rowsPerStatement));
      await appendAudit(trx, {
        actor: context.principal.userId,
        action,
        resource: audit.resource,
        before: audit.before,
        after: { ...audit.after, tenantId: jobs[0]!.tenantId, byStaff: context.principal.tenantId === null },
        requestId: context.requestId,
      });
    });
    /** One statement for the rows (each its own controls), one for their history events. */
    async function storeChanges(trx: Transaction<Database>, chunk: readonly JobRecord[]) {
      const rows = chunk.map((job) => {
        const controls = job.control === undefined ? null : JSON.stringify(job.control);
        return sql`(${job.id}, ${controls}, ${job.job.state}, ${job.job.reason})`;
      });
      await sql`
        update jobs
        set controls = changed.controls::jsonb, state = changed.state, reason = changed.reason, updated_at = ${now}
        from (values ${sql.join(rows)}) as changed(id, controls, state, reason)
        where jobs.id = changed.id`.execute(trx);
      await trx
        .insertInto("job_events")
        .values(
          chunk.map((job) => ({
            job_id: job.id,
            at: now,
            kind: action,
            state: job.job.state,
            detail: JSON.stringify(detail(job)),
          })),
        )
        .execute();
    }
  };
  /** Stores one job's change, its history event and its audit record. */
  const record = (
    request: FastifyRequest,
    job: JobRecord,
    action: string,
    before: unknown,
    after: Record<string, unknown>,
  ) => recordAll(request, [job], action, () => after, { resource: `job:${job.id}`, before, after });
  return { controlOf, hold, release, record, recordAll };
}

/** The shared steps of a hold and a release (see `holdSteps`). */
type HoldSteps = ReturnType<typeof holdSteps>;

/** Registers the hold, release, requeue and array routes. */
export function registerJobControlRoutes(app: FastifyInstance, engine: JobsEngine, store: Store): void {
  const visible = (principal: Principal, owner: { tenantId: string; userId: string }) =>
    withinScope(principal, authorize(principal, "jobs:read"), owner);
  /** The job named in the path, if the caller may see it and may act on it (as on a cancel). */
  const actionable = (request: FastifyRequest<{ Params: { id: string } }>): Promise<JobRecord> =>
    liveJobOf(engine, store, contextOf(request).principal, request.params.id);
  const steps = holdSteps(engine, store);
  const { record, controlOf, hold, release } = steps;

  app.post<{ Params: { id: string }; Body: Static<typeof reasonBody> }>(
    "/v1/jobs/:id/hold",
    {
      schema: {
        tags: ["jobs"],
        operationId: "holdJob",
        ...problems(404, 409),
        response: { 200: JobSchema },
        summary: "Hold a waiting job: it is not started until released",
        params: idParams,
        body: reasonBody,
      },
    },
    async (request) => {
      const job = await actionable(request);
      const refused = holdRefusal(job);
      if (refused !== undefined) throw new AppError("conflict", refused);
      const held = hold(job, contextOf(request).principal);
      // A job Slurm already has (a held requeue, a task of a native array) is held there too: uhold for a tenant.
      const slurmJobId = await engine.holdInSlurm(job, held.staff ? "staff" : "user");
      await record(
        request,
        job,
        "job.hold",
        { held: null },
        { held, reason: request.body?.reason ?? null, slurmJobId: slurmJobId ?? null },
      );
      return jobView(job);
    },
  );

  app.post<{ Params: { id: string }; Body: Static<typeof reasonBody> }>(
    "/v1/jobs/:id/release",
    {
      schema: {
        tags: ["jobs"],
        operationId: "releaseJob",
        ...problems(404, 409),
        response: { 200: JobSchema },
        summary: "Release a held job: it waits for its turn again",
        params: idParams,
        body: reasonBody,
      },
    },
    async (request) => {
      const job = await actionable(request);
      const refused = releaseRefusal(job, contextOf(request).principal);
      if (refused !== undefined) throw refused;
      const was = release(job);
      // In Slurm it goes back under alixan's own hold: released there only where alixan places it.
      const slurmJobId = await engine.holdInSlurm(job, "released");
      await record(
        request,
        job,
        "job.release",
        { held: was },
        { held: null, reason: request.body?.reason ?? null, slurmJobId: slurmJobId ?? null },
      );
      engine.wake(job);
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      return jobView(job);
    },
  );

  app.post<{ Params: { id: string }; Body: RequeueBody }>(
    "/v1/jobs/:id/requeue",
    {
      schema: {
        tags: ["jobs"],
        operationId: "requeueJob",
        ...problems(404, 409),
        response: { 200: JobSchema },
        summary:
          "Requeue a placed job: its resources go back and it waits again (history kept); hold: true also holds it",
        params: idParams,
        body: requeueBody,
      },
    },
    async (request) => {
      const job = await actionable(request);
      const principal = contextOf(request).principal;
      if (!job.job.placed)
        throw new AppError(
          "conflict",
          `job ${job.id} is ${job.job.state}: only an admitted or running job can be requeued`,
        );
      const before = { state: job.job.state, placement: jobView(job).placement };
      const why = `requeued by ${principal.userId}${request.body?.reason ? `: ${request.body.reason}` : ""}`;
      if (request.body?.hold === true) controlOf(job).hold = holdBy(principal);
      // The scheduler takes its resources back and tells the executor (Slurm: requeuehold, then release where placed next).
      job.generation.live.displace(job.job, why);
      // Slurm: requeuehold (an administrator's hold); a tenant's hold is then a user hold there, as with hold.
      if (request.body?.hold === true && principal.tenantId !== null) await engine.holdInSlurm(job, "user");
      const held = engine.controls.gate(job.job);
      if (request.body?.hold === true && held !== undefined) job.job.reason = `${held.reason} (${why})`;
      await record(request, job, "job.requeue", before, {
        state: job.job.state,
        reason: why,
        held: job.control?.hold ?? null,
      });
      job.generation.live.kick();
      return jobView(job);
    },
  );

  registerArrayRoutes(app, engine, store, steps, visible);
}

/** The tasks of the array named in the path still waiting or running, each checked as a cancel of it would be. */
type ActiveTasks = (request: FastifyRequest<{ Params: { id: string } }>) => Promise<JobRecord[]>;

/** Most tasks listed by GET /v1/job-arrays/:id per page. */
const maxTaskPage = 1000;

/** An array as GET /v1/job-arrays/:id answers. */
const arraySchema = Type.Object({
  arrayJobId: Type.String(),
  taskCount: Type.Integer(),
  maxRunning: Type.Union([Type.Integer(), Type.Null()]),
  dependsOn: Type.Array(DependencySchema),
  states: Type.Record(Type.String(), Type.Integer(), { description: "tasks per state" }),
  held: Type.Integer({ description: "waiting tasks held (released with POST /v1/job-arrays/:id/release)" }),
  tasks: Type.Array(
    Type.Object({
      id: Type.String(),
      arrayTaskId: Type.Union([Type.Integer(), Type.Null()]),
      state: Type.String(),
      reason: Type.String(),
    }),
  ),
});

function registerArrayRoutes(
  app: FastifyInstance,
  engine: JobsEngine,
  store: Store,
  steps: HoldSteps,
  visible: (principal: Principal, owner: { tenantId: string; userId: string }) => boolean,
): void {
  /**
   * The tasks of an array the caller may see, in task order: each with its record (current generation), its ended
   * view, or (ended before the platform last started) its stored state.
   */
  const tasksOf = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const ids = engine.controls.tasksOf(request.params.id);
    const principal = contextOf(request).principal;
    const missing = ids.filter((id) => !engine.records.has(id) && !engine.ended.has(id));
    const stored = new Map<string, { tenantId: string; userId: string; state: string; reason: string }>();
    for (let at = 0; at < missing.length; at += 1000) {
      const rows = await store.db
        .selectFrom("jobs")
        .select(["id", "tenant_id", "user_id", "state", "reason"])
        .where("id", "in", missing.slice(at, at + 1000))
        .execute();
      for (const row of rows)
        stored.set(row.id, { tenantId: row.tenant_id, userId: row.user_id, state: row.state, reason: row.reason });
    }
    const first =
      ids[0] === undefined ? undefined : (engine.records.get(ids[0]) ?? engine.ended.get(ids[0]) ?? stored.get(ids[0]));
    if (first === undefined || !visible(principal, first))
      throw new AppError("notFound", `no job array ${request.params.id}`, { field: "params.id" });
    return ids.map((id) => ({
      id,
      record: engine.records.get(id),
      ended: engine.ended.get(id),
      stored: stored.get(id),
    }));
  };

  const activeTasks: ActiveTasks = async (request) => {
    const tasks = await tasksOf(request);
    const principal = contextOf(request).principal;
    const active = tasks.flatMap((task) =>
      task.record !== undefined && isActive(task.record.job) ? [task.record] : [],
    );
    for (const task of active) authorize(principal, "jobs:cancel", { tenantId: task.tenantId, userId: task.userId });
    return active;
  };

  app.get<{ Params: { id: string }; Querystring: { offset?: number; limit?: number } }>(
    "/v1/job-arrays/:id",
    {
      schema: {
        tags: ["jobs"],
        operationId: "getJobArray",
        ...problems(404),
        summary: "A job array: its tasks' states, counted and listed in task order (offset/limit page the list)",
        params: idParams,
        querystring: Type.Object(
          {
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxTaskPage })),
          },
          { additionalProperties: false },
        ),
        response: { 200: arraySchema },
      },
    },
    async (request) => {
      const tasks = await tasksOf(request);
      const counts: Record<string, number> = {};
      let held = 0;
      const rows = tasks.map((task) => {
        if (task.record !== undefined && isActive(task.record.job) && task.record.control?.hold !== undefined) held++;
        const view = task.record === undefined ? task.ended?.view : jobView(task.record);
        const state = view?.state ?? task.stored?.state ?? "unknown";
        counts[state] = (counts[state] ?? 0) + 1;
        return {
          id: task.id,
          arrayTaskId: engine.controls.get(task.id)?.arrayTaskId ?? null,
          state,
          reason: view?.reason ?? task.stored?.reason ?? "",
        };
      });
      const offset = request.query.offset ?? 0;
      const limit = request.query.limit ?? maxTaskPage;
      const control = engine.controls.get(tasks[0]!.id);
      return {
        arrayJobId: request.params.id,
        taskCount: tasks.length,
        maxRunning: control?.arrayMaxRunning ?? null,
        dependsOn: [...(control?.dependsOn ?? [])],
        states: counts,
        held,
        tasks: rows.slice(offset, offset + limit),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: Static<typeof reasonBody> }>(
    "/v1/job-arrays/:id/cancel",
    {
      schema: {
        tags: ["jobs"],
        operationId: "cancelJobArray",
        ...problems(404, 409),
        summary: "Cancel every waiting or running task of a job array",
        params: idParams,
        body: reasonBody,
        response: { 200: Type.Object({ arrayJobId: Type.String(), cancelled: Type.Integer() }) },
      },
    },
    async (request) => {
      const active = await activeTasks(request);
      const context = contextOf(request);
      if (active.length === 0)
        throw new AppError("conflict", `job array ${request.params.id} has no task waiting or running`);
      // A native Slurm array is cancelled there at once, all tasks with one scancel of its ArrayJobId.
      const slurmArrayJobId = await engine.cancelArrayInSlurm(request.params.id, active);
      for (const task of active) task.generation.live.cancel(task.job);
      await store.db.transaction().execute((trx) =>
        appendAudit(trx, {
          actor: context.principal.userId,
          action: "job.cancel",
          resource: `job:${request.params.id}`,
          before: { tasks: active.length },
          after: {
            state: "cancelled",
            tasks: active.map((task) => task.id),
            tenantId: active[0]!.tenantId,
            byStaff: context.principal.tenantId === null,
            reason: request.body?.reason ?? null,
            slurmArrayJobId: slurmArrayJobId ?? null,
          },
          requestId: context.requestId,
        }),
      );
      return { arrayJobId: request.params.id, cancelled: active.length };
    },
  );

  registerArrayHoldRoutes(app, engine, steps, activeTasks);
}

/**
 * Holding and releasing a whole array, as `scontrol hold|release <ArrayJobId>`: each task as the routes on one job
 * would (same checks, same hold, its history event), mirrored in Slurm with one command for the tasks waiting in its
 * native Slurm array, audited once for the call.
 */
function registerArrayHoldRoutes(
  app: FastifyInstance,
  engine: JobsEngine,
  steps: HoldSteps,
  activeTasks: ActiveTasks,
): void {
  app.post<{ Params: { id: string }; Body: Static<typeof reasonBody> }>(
    "/v1/job-arrays/:id/hold",
    {
      schema: {
        tags: ["jobs"],
        operationId: "holdJobArray",
        ...problems(404, 409),
        summary:
          "Hold every waiting task of a job array not held yet (running and ended tasks are left alone): none starts until released",
        params: idParams,
        body: reasonBody,
        response: {
          200: Type.Object({
            arrayJobId: Type.String(),
            held: Type.Integer({ description: "tasks held by this call" }),
          }),
        },
      },
    },
    async (request) => {
      const arrayJobId = request.params.id;
      const principal = contextOf(request).principal;
      const waiting = (await activeTasks(request)).filter((task) => holdRefusal(task) === undefined);
      if (waiting.length === 0)
        throw new AppError("conflict", `job array ${arrayJobId} has no waiting task that is not held already`);
      const held = holdBy(principal);
      for (const task of waiting) steps.hold(task, principal, held);
      // A native Slurm array: one uhold (a tenant's) or hold (staff's) for the tasks waiting in it.
      const slurm = await engine.holdArrayInSlurm(arrayJobId, waiting, held.staff ? "staff" : "user");
      const reason = request.body?.reason ?? null;
      await steps.recordAll(
        request,
        waiting,
        "job.hold",
        (task) => ({ held, reason, arrayJobId, slurmJobId: slurm.get(task.id) ?? null }),
        {
          resource: `job:${arrayJobId}`,
          before: { held: null, tasks: waiting.length },
          after: { held, tasks: waiting.map((task) => task.id), reason, slurmJobIds: [...new Set(slurm.values())] },
        },
      );
      return { arrayJobId, held: waiting.length };
    },
  );

  app.post<{ Params: { id: string }; Body: Static<typeof reasonBody> }>(
    "/v1/job-arrays/:id/release",
    {
      schema: {
        tags: ["jobs"],
        operationId: "releaseJobArray",
        ...problems(404, 409),
        summary:
          "Release every held waiting task of a job array; a tenant's call leaves tasks held by platform staff held (keptHeld), 403 when all are",
        params: idParams,
        body: reasonBody,
        response: {
          200: Type.Object({
            arrayJobId: Type.String(),
            released: Type.Integer({ description: "tasks released by this call" }),
            keptHeld: Type.Integer({
              description: "held tasks left held: held by platform staff, whom only staff release",
            }),
          }),
        },
      },
    },
    async (request) => {
      const arrayJobId = request.params.id;
      const principal = contextOf(request).principal;
      const held = (await activeTasks(request)).filter((task) => task.control?.hold !== undefined);
      if (held.length === 0) throw new AppError("conflict", `job array ${arrayJobId} has no held task`);
      // As Slurm answers a user's release of an array: the tasks they may release are, the others are refused.
      const releasable = held.filter((task) => releaseRefusal(task, principal) === undefined);
      if (releasable.length === 0)
        throw new AppError(
          "forbidden",
          `the held tasks of job array ${arrayJobId} were held by platform staff: only staff release them`,
        );
      const holds = new Map<string, Hold>();
      for (const task of releasable) {
        const was = steps.release(task);
        holds.set(`${was.by} ${was.staff} ${was.at}`, was);
      }
      // In Slurm they go back under alixan's own hold: released there only where alixan places each.
      const slurm = await engine.holdArrayInSlurm(arrayJobId, releasable, "released");
      const reason = request.body?.reason ?? null;
      await steps.recordAll(
        request,
        releasable,
        "job.release",
        (task) => ({ held: null, reason, arrayJobId, slurmJobId: slurm.get(task.id) ?? null }),
        {
          resource: `job:${arrayJobId}`,
          before: { held: [...holds.values()], tasks: releasable.length },
          after: {
            held: null,
            tasks: releasable.map((task) => task.id),
            keptHeld: held.length - releasable.length,
            reason,
            slurmJobIds: [...new Set(slurm.values())],
          },
        },
      );
      for (const task of releasable) engine.wake(task);
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      return { arrayJobId, released: releasable.length, keptHeld: held.length - releasable.length };
    },
  );
}
