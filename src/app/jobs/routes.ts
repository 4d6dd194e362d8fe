import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Selectable, sql } from "kysely";
import { type Static, Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { dataClasses, type JobSpec } from "../../scheduler/jobs.ts";
import type { QueueSetConfig } from "../../scheduler/queues.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { type Reply, StringEnum } from "../../server/schemas.ts";
import { appendAudit } from "../../store/audit.ts";
import type { Store } from "../../store/database.ts";
import type { JobsTable } from "../../store/schema.ts";
import { authorize, type Principal, withinScope } from "../../tenancy/service.ts";
import { arrayView, liveJobOf, registerJobControlRoutes } from "./control-routes.ts";
import type { JobControl } from "./controls.ts";
import type { JobsEngine } from "./engine.ts";
import { controlView, demandOf, isActive, type JobRecord, jobView, placementNow } from "./records.ts";
import { JobArraySubmissionSchema, JobEventSchema, JobSchema, jobStates } from "./schemas.ts";
import { storedDeadline } from "./spec-clock.ts";
import { type SubmitBody, submitBody, submitJob } from "./submit.ts";

/** Settings of the jobs API. */
export interface JobRoutesSettings {
  readonly store: Store;
  readonly engine: JobsEngine;
  /** The queue configuration in force (it changes live). */
  readonly queues: () => QueueSetConfig;
  /** Simulated seconds per wall-clock second (the clock of a stored spec kept without its own). */
  readonly speed: number;
  /** Jobs one tenant may have waiting at once; a submission beyond it is answered 429. */
  readonly maxQueuedPerTenant: number;
}

/** Registers the jobs routes. */
export function registerJobRoutes(app: FastifyInstance, settings: JobRoutesSettings): void {
  const { engine } = settings;
  const db = settings.store.db;

  const visible = (principal: Principal, owner: { tenantId: string; userId: string }) => {
    const scope = authorize(principal, "jobs:read");
    return withinScope(principal, scope, owner);
  };
  const findVisible = (request: FastifyRequest<{ Params: { id: string } }>): JobRecord => {
    const record = engine.records.get(request.params.id);
    const principal = contextOf(request).principal;
    if (record === undefined || !visible(principal, record))
      throw new AppError("notFound", `no job ${request.params.id}`);
    return record;
  };

  app.post<{ Body: SubmitBody }>(
    "/v1/jobs",
    {
      schema: {
        tags: ["jobs"],
        operationId: "submitJob",
        ...problems(404, 409),
        summary: "Submit a GPU job (tenant roles)",
        body: submitBody,
        response: { 201: Type.Union([JobSchema, JobArraySubmissionSchema]) },
      },
    },
    async (request, reply) => {
      const { id, array, records } = await submitJob(settings, contextOf(request), request.body);
      if (array === undefined) return reply.status(201).send(jobView(records[0]!));
      return reply.status(201).send(arrayView(id, array, records));
    },
  );

  registerJobReads(app, settings, visible, findVisible);
  registerJobControlRoutes(app, engine, settings.store);

  app.post<{ Params: { id: string }; Body: { reason?: string } | null | undefined }>(
    "/v1/jobs/:id/cancel",
    {
      schema: {
        tags: ["jobs"],
        operationId: "cancelJob",
        ...problems(404, 409),
        summary: "Cancel a waiting or running job (its owner, tenant admins, staff)",
        params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
        response: { 200: JobSchema },
        // Why, for the audit record: staff cancelling a tenant's job should say so.
        // No body at all (null) stays valid: existing callers send none.
        body: Type.Union([
          Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
          Type.Null(),
        ]),
      },
    },
    async (request): Promise<Reply<typeof JobSchema>> => {
      const context = contextOf(request);
      const record = await liveJobOf(engine, settings.store, context.principal, request.params.id);
      if (!isActive(record.job)) throw new AppError("conflict", `job ${record.id} is already ${record.job.state}`);
      const before = { state: record.job.state };
      record.generation.live.cancel(record.job);
      // Every cancel by a person is audited: a tenant's own, and staff cancelling anyone's (demo work included).
      await db.transaction().execute((trx) =>
        appendAudit(trx, {
          actor: context.principal.userId,
          action: "job.cancel",
          resource: `job:${record.id}`,
          before,
          after: {
            state: "cancelled",
            tenantId: record.tenantId,
            byStaff: context.principal.tenantId === null,
            reason: request.body?.reason ?? null,
          },
          requestId: context.requestId,
        }),
      );
      return jobView(record);
    },
  );
}

/** Filters of the job list besides state: who, where, what and when (all given ones must hold). */
const jobFilterQuery = {
  tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  queue: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  zoneId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "where it runs or last ran" })),
  hallId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "where it runs or last ran" })),
  rack: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "where it runs or last ran" })),
  dataClass: Type.Optional(StringEnum(dataClasses)),
  namePrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  submittedFrom: Type.Optional(Type.String({ format: "date-time" })),
  submittedTo: Type.Optional(Type.String({ format: "date-time", description: "exclusive" })),
};

/** The job list's query string: paging, demo work, state and the filters. */
const jobListQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(jobStates)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    includeDemo: Type.Optional(Type.Boolean()),
    arrays: Type.Optional(
      StringEnum(["tasks", "collapse"] as const, {
        description: "tasks (default): every task a row; collapse: one row per array, its first task with arrayTasks",
      }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200, pattern: "^[0-9]+:[A-Za-z0-9_.:-]+$" })),
    ...jobFilterQuery,
  },
  { additionalProperties: false },
);

/** The job list's query string, as the route gets it. */
type JobListQuery = Static<typeof jobListQuery>;

/** What the list filters look at in a job; the placement is only worked out when a place filter asks for it. */
interface JobFacts {
  readonly tenantId: string;
  readonly queue: string;
  readonly dataClass: string;
  readonly name: string;
  readonly submittedMs: number;
  readonly placement: () => { racks: string[]; zoneId: string | null; halls?: string[] } | null;
}

/** The predicate of a job list query's filters. */
function jobFilterOf(query: JobListQuery): (job: JobFacts) => boolean {
  const fromMs = query.submittedFrom === undefined ? -Infinity : Date.parse(query.submittedFrom);
  const toMs = query.submittedTo === undefined ? Infinity : Date.parse(query.submittedTo);
  const byPlace = query.zoneId !== undefined || query.hallId !== undefined || query.rack !== undefined;
  return (job) => {
    if (query.tenantId !== undefined && job.tenantId !== query.tenantId) return false;
    if (query.queue !== undefined && job.queue !== query.queue) return false;
    if (query.dataClass !== undefined && job.dataClass !== query.dataClass) return false;
    if (query.namePrefix !== undefined && !job.name.startsWith(query.namePrefix)) return false;
    if (job.submittedMs < fromMs || job.submittedMs >= toMs) return false;
    if (!byPlace) return true;
    const placement = job.placement();
    if (placement === null) return false;
    if (query.zoneId !== undefined && placement.zoneId !== query.zoneId) return false;
    if (query.hallId !== undefined && !(placement.halls ?? []).includes(query.hallId)) return false;
    return query.rack === undefined || placement.racks.includes(query.rack);
  };
}

/** The API's view of a job read from the store (one that ended before the platform last started). */
function storedJobView(row: Selectable<JobsTable>, projectName: string | null, speed: number): Reply<typeof JobSchema> {
  const spec = row.spec as JobSpec;
  const deadline = storedDeadline(row.spec, row.submitted_at, speed);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    projectId: row.project_id,
    projectName,
    userId: row.user_id,
    name: row.name,
    queue: row.queue,
    state: row.state as (typeof jobStates)[number],
    reason: row.reason,
    ...demandOf(spec),
    ...controlView((row.controls ?? undefined) as JobControl | undefined),
    submittedAt: row.submitted_at,
    ...(deadline === undefined ? {} : { deadline }),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    placement: storedPlacement(row.placement),
    // Read from the store: the job is not running in this process, so nothing holds it.
    curtailment: null,
    synthetic: false,
    execution:
      row.external_id === null
        ? null
        : { backend: row.executor ?? "slurm", externalId: row.external_id, exitCode: row.exit_code },
  };
}

/** The name of a project (null when it is unknown). */
async function projectNameOf(db: Store["db"], projectId: string): Promise<string | null> {
  const project = await db.selectFrom("projects").select("name").where("id", "=", projectId).executeTakeFirst();
  return project?.name ?? null;
}

/** A stored placement as the API shows it (null when the job never ran). */
function storedPlacement(stored: unknown): { racks: string[]; zoneId: string | null; halls: string[] } | null {
  const placement = stored as { racks?: string[]; zoneId?: string | null; halls?: string[] } | null;
  return placement?.racks === undefined
    ? null
    : { racks: placement.racks, zoneId: placement.zoneId ?? null, halls: placement.halls ?? [] };
}

const finalStates = ["succeeded", "failed", "cancelled", "preempted"];

/**
 * The list entries of jobs that ended before the platform last started (in the store only): the filters that are
 * columns narrow the query, the rest (data class, place, scope) are judged on the light columns read; the full row of
 * a job is read only when its page is answered.
 */
async function storedEntries(
  store: Store,
  engine: JobsEngine,
  principal: Principal,
  query: JobListQuery,
  matches: (job: JobFacts) => boolean,
  visible: Visible,
): Promise<ListEntry[]> {
  if (query.state !== undefined && !finalStates.includes(query.state)) return [];
  if (query.tenantId !== undefined && principal.tenantId !== null && query.tenantId !== principal.tenantId) return [];
  let select = store.db
    .selectFrom("jobs")
    .select(["id", "tenant_id", "user_id", "queue", "name", "state", "submitted_at", "placement"])
    .select(sql<string>`spec->>'dataClass'`.as("data_class"))
    .select(sql<string | null>`controls->>'arrayJobId'`.as("array_job_id"))
    .where("state", "in", query.state === undefined ? finalStates : [query.state]);
  // A tenant's people see their own tenant's jobs at most: the store answers only those.
  const tenantId = principal.tenantId ?? query.tenantId;
  if (tenantId !== undefined && tenantId !== null) select = select.where("tenant_id", "=", tenantId);
  if (query.queue !== undefined) select = select.where("queue", "=", query.queue);
  const rows = await select.execute();
  const entries: ListEntry[] = [];
  for (const row of rows) {
    if (engine.records.has(row.id) || engine.ended.has(row.id)) continue;
    if (!visible(principal, { tenantId: row.tenant_id, userId: row.user_id })) continue;
    const submittedMs = Date.parse(row.submitted_at);
    const facts = {
      tenantId: row.tenant_id,
      queue: row.queue,
      dataClass: row.data_class,
      name: row.name,
      submittedMs,
      placement: () => storedPlacement(row.placement),
    };
    if (!matches(facts)) continue;
    entries.push({
      submittedMs,
      id: row.id,
      stored: true,
      state: row.state,
      arrayJobId: row.array_job_id,
      view: () => undefined,
    });
  }
  return entries;
}

/** Newest-first paging key of a job: submission time, then id. */
interface ListEntry {
  readonly submittedMs: number;
  readonly id: string;
  /** Ended before the platform last started: its view is read from the store with its page. */
  readonly stored?: boolean;
  readonly state: string;
  /** The array the job is a task of. */
  readonly arrayJobId: string | null;
  /** When the entry stands for its array's matching tasks (`arrays=collapse`): their count by state. */
  readonly arrayTasks?: { count: number; states: Record<string, number> };
  readonly view: () => Reply<typeof JobSchema> | undefined;
}

/**
 * One entry per array (its first in list order, standing for the array's matching tasks, counted by state); jobs
 * that are no array's task stay as they are. Done before paging, so cursors and totals count rows as shown.
 */
function collapseArrays(entries: readonly ListEntry[]): ListEntry[] {
  const counts = new Map<string, { count: number; states: Record<string, number> }>();
  const kept: ListEntry[] = [];
  for (const entry of entries) {
    if (entry.arrayJobId === null) {
      kept.push(entry);
      continue;
    }
    let summary = counts.get(entry.arrayJobId);
    if (summary === undefined) {
      summary = { count: 0, states: {} };
      counts.set(entry.arrayJobId, summary);
      kept.push({ ...entry, arrayTasks: summary });
    }
    summary.count++;
    summary.states[entry.state] = (summary.states[entry.state] ?? 0) + 1;
  }
  return kept;
}

/** Who may see a job: its tenant's people by role, or platform staff. */
type Visible = (principal: Principal, owner: { tenantId: string; userId: string }) => boolean;

/** The job read routes: the list, one job, and its history. */
function registerJobReads(
  app: FastifyInstance,
  settings: JobRoutesSettings,
  visible: Visible,
  findVisible: (request: FastifyRequest<{ Params: { id: string } }>) => JobRecord,
): void {
  registerJobList(app, settings, visible);
  registerJobGet(app, settings, visible, findVisible);
  registerJobHistory(app, settings.store.db, visible);
}

/**
 * The list entries of the jobs this process holds (running, waiting, and ended since it started) that the caller
 * may see and the query's filters keep.
 */
function liveEntries(
  engine: JobsEngine,
  principal: Principal,
  query: JobListQuery,
  matches: (job: JobFacts) => boolean,
  visible: Visible,
): ListEntry[] {
  const { state } = query;
  const includeDemo = query.includeDemo ?? true;
  const entries: ListEntry[] = [];
  for (const [id, ended] of engine.ended) {
    if ((ended.synthetic && !includeDemo) || (state !== undefined && ended.view.state !== state)) continue;
    if (!visible(principal, ended)) continue;
    const submittedMs = Date.parse(ended.view.submittedAt ?? "");
    const view = ended.view;
    if (!matches({ ...view, submittedMs, placement: () => view.placement })) continue;
    entries.push({ submittedMs, id, state: view.state, arrayJobId: view.arrayJobId, view: () => view });
  }
  for (const record of engine.records.values()) {
    if ((record.synthetic && !includeDemo) || (state !== undefined && record.job.state !== state)) continue;
    if (!visible(principal, record)) continue;
    // The stored submission time when it has one: a job taken back after a restart was submitted before it.
    const submittedMs =
      record.submittedAt === undefined
        ? Math.floor(record.generation.live.epochMsOf(record.job.spec.submitS))
        : Date.parse(record.submittedAt);
    const facts = {
      tenantId: record.tenantId,
      queue: record.job.spec.queue,
      dataClass: record.job.spec.dataClass,
      name: record.name,
      submittedMs,
      placement: () => placementNow(record),
    };
    if (!matches(facts)) continue;
    entries.push({
      submittedMs,
      id: record.id,
      state: record.job.state,
      arrayJobId: record.control?.arrayJobId ?? null,
      view: () => jobView(record),
    });
  }
  return entries;
}

/** The index of the first entry after `cursor` (`submittedMs:id` of the last row of the page before) in list order. */
function pageStart(entries: readonly ListEntry[], cursor: string | undefined): number {
  let start = 0;
  if (cursor !== undefined) {
    const [ms, id] = [Number(cursor.slice(0, cursor.indexOf(":"))), cursor.slice(cursor.indexOf(":") + 1)];
    while (
      start < entries.length &&
      (entries[start]!.submittedMs > ms || (entries[start]!.submittedMs === ms && entries[start]!.id >= id))
    )
      start++;
  }
  return start;
}

/** `GET /v1/jobs`: every job the caller may see, live and stored, filtered, newest first, paged by cursor. */
function registerJobList(app: FastifyInstance, settings: JobRoutesSettings, visible: Visible): void {
  const { engine } = settings;
  const db = settings.store.db;
  app.get<{ Querystring: JobListQuery }>(
    "/v1/jobs",
    {
      schema: {
        tags: ["jobs"],
        operationId: "listJobs",
        response: { 200: Type.Array(JobSchema) },
        summary:
          "Jobs the caller may see, newest first, filtered by state, tenant, queue, zone, hall, rack, data class, name prefix and submission time, arrays as one row each with arrays=collapse; X-Total-Count and X-Next-Cursor headers page through them",
        querystring: jobListQuery,
      },
    },
    async (request, reply): Promise<Reply<typeof JobSchema>[]> => {
      const principal = contextOf(request).principal;
      authorize(principal, "jobs:read");
      const { cursor } = request.query;
      const limit = request.query.limit ?? 200;
      const matches = jobFilterOf(request.query);
      let entries = liveEntries(engine, principal, request.query, matches, visible);
      entries.push(...(await storedEntries(settings.store, engine, principal, request.query, matches, visible)));
      entries.sort((a, b) => b.submittedMs - a.submittedMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      if (request.query.arrays === "collapse") entries = collapseArrays(entries);
      const start = pageStart(entries, cursor);
      const page = entries.slice(start, start + limit);
      reply.header("x-total-count", String(entries.length));
      const last = page[page.length - 1];
      if (last !== undefined && start + limit < entries.length)
        reply.header("x-next-cursor", `${last.submittedMs}:${last.id}`);
      const storedIds = page.filter((entry) => entry.stored === true).map((entry) => entry.id);
      const stored = new Map<string, Reply<typeof JobSchema>>();
      if (storedIds.length > 0)
        for (const row of await db.selectFrom("jobs").selectAll().where("id", "in", storedIds).execute())
          stored.set(row.id, storedJobView(row, await projectNameOf(db, row.project_id), settings.speed));
      return page.flatMap((entry) => {
        const view = entry.view() ?? stored.get(entry.id);
        if (view === undefined) return [];
        return entry.arrayTasks === undefined ? [view] : [{ ...view, arrayTasks: entry.arrayTasks }];
      });
    },
  );
}

/** `GET /v1/jobs/:id`: one job, live, ended since the start, or read from the store. */
function registerJobGet(
  app: FastifyInstance,
  settings: JobRoutesSettings,
  visible: Visible,
  findVisible: (request: FastifyRequest<{ Params: { id: string } }>) => JobRecord,
): void {
  const { engine } = settings;
  const db = settings.store.db;
  app.get<{ Params: { id: string } }>(
    "/v1/jobs/:id",
    {
      schema: {
        tags: ["jobs"],
        operationId: "getJob",
        ...problems(404),
        summary: "One job, live or ended (also from before the last restart)",
        params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
        response: { 200: JobSchema },
      },
    },
    async (request): Promise<Reply<typeof JobSchema>> => {
      if (engine.records.has(request.params.id)) return jobView(findVisible(request));
      const principal = contextOf(request).principal;
      const ended = engine.ended.get(request.params.id);
      if (ended !== undefined) {
        if (!visible(principal, ended)) throw new AppError("notFound", `no job ${request.params.id}`);
        return ended.view;
      }
      // Jobs that ended before the platform last started are read from the store.
      const row = await db.selectFrom("jobs").selectAll().where("id", "=", request.params.id).executeTakeFirst();
      if (row === undefined || !visible(principal, { tenantId: row.tenant_id, userId: row.user_id }))
        throw new AppError("notFound", `no job ${request.params.id}`);
      return storedJobView(row, await projectNameOf(db, row.project_id), settings.speed);
    },
  );
}

/** `GET /v1/jobs/:id/history`: a job's stored events, oldest first, paged by event id. */
function registerJobHistory(app: FastifyInstance, db: Store["db"], visible: Visible): void {
  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    "/v1/jobs/:id/history",
    {
      schema: {
        tags: ["jobs"],
        operationId: "getJobHistory",
        ...problems(404),
        response: { 200: Type.Array(JobEventSchema) },
        summary:
          "A job's history, oldest first: submission, each start with its racks, zone and halls, preemptions, end and exit; X-Next-Cursor pages",
        params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            cursor: Type.Optional(
              // At most 18 digits: always within the bigint id column, so a huge cursor is a 400, not a database error.
              Type.String({ maxLength: 18, pattern: "^[0-9]{1,18}$" }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply): Promise<Reply<typeof JobEventSchema>[]> => {
      const principal = contextOf(request).principal;
      authorize(principal, "jobs:read");
      // Every submitted job has its row (synthetic demo work has none, and no history): it says whose job it is.
      const owner = await db
        .selectFrom("jobs")
        .select(["tenant_id", "user_id"])
        .where("id", "=", request.params.id)
        .executeTakeFirst();
      if (owner === undefined || !visible(principal, { tenantId: owner.tenant_id, userId: owner.user_id }))
        throw new AppError("notFound", `no job ${request.params.id}`);
      const limit = request.query.limit ?? 200;
      let query = db
        .selectFrom("job_events")
        .selectAll()
        .where("job_id", "=", request.params.id)
        .orderBy("id")
        .limit(limit + 1);
      if (request.query.cursor !== undefined) query = query.where("id", ">", request.query.cursor);
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      if (rows.length > limit) reply.header("x-next-cursor", String(page[page.length - 1]!.id));
      return page.map((row) => ({ at: row.at, event: row.kind, state: row.state, detail: row.detail }));
    },
  );
}
