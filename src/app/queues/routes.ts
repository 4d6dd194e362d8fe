/**
 * The queues API: tenants read their queues with quota and usage (in GPUs, cores and GiB, as configured); platform
 * admins read and change the whole configuration (JSON or YAML in the queue file's shape, or Kueue objects), one
 * queue or cohort at a time, read its versions, and start or stop the demo load. Every change is audited.
 */
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { flexClasses } from "../../model/flexibility.ts";
import { kueueExport } from "../../scheduler/kueue-yaml.ts";
import { queueSetDocument, queueSetYaml } from "../../scheduler/queue-file.ts";
import { QueueFileSchema, QueuePreemptionSchema, QuotaSchema } from "../../scheduler/queues.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { Nullable, type Reply, StringEnum } from "../../server/schemas.ts";
import { authorize, type Principal, withinScope } from "../../tenancy/service.ts";
import type { DemoLoad } from "../jobs/demo-load.ts";
import type { JobsEngine } from "../jobs/engine.ts";
import { priorityClassesOpenTo } from "../jobs/submit-controls.ts";
import type { QueueService } from "./service.ts";

/** What the queue routes need. */
export interface QueueRoutesSettings {
  readonly engine: JobsEngine;
  readonly service: QueueService;
  readonly demo: DemoLoad;
}

/** Names of queues and cohorts: DNS labels, as Kueue's objects need. */
const nameParams = Type.Object({ name: Type.String({ pattern: "^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$" }) });

const queueBody = Type.Object(
  {
    tenant: Type.String({ minLength: 1, maxLength: 100 }),
    cohort: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    priorityClass: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    quota: Type.Optional(QuotaSchema),
    preemption: Type.Optional(QueuePreemptionSchema),
    flexibility: Type.Optional(
      StringEnum(flexClasses, {
        description: "the most protected flexibility class its jobs may have, and their default (absent: none)",
      }),
    ),
  },
  { additionalProperties: false },
);

const cohortBody = Type.Object(
  {
    parent: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    quota: Type.Optional(QuotaSchema),
  },
  { additionalProperties: false },
);

const configBody = Type.Object(
  {
    // The queue file's own schema (one source), so the OpenAPI document and the console's client carry its bounds;
    // the rules between entries (a cohort's parent exists, no cycle…) are the service's to check.
    config: QueueFileSchema,
    summary: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const kueueBody = Type.Object(
  {
    yaml: Type.String({ minLength: 1, maxLength: 2_000_000, description: "Kueue objects, multi-document YAML" }),
    summary: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const changeAnswer = Type.Object({ version: Type.Integer({ description: "the configuration version now in force" }) });

/** One queue as `GET /v1/queues` shows it; quantities in configuration units (GPUs, cores, GiB) by resource. */
const QueueViewSchema = Type.Object({
  name: Type.String(),
  tenantId: Type.String(),
  cohort: Nullable(Type.String()),
  priorityClass: Type.String(),
  priorityClasses: Type.Array(Type.String(), {
    description: "the classes a job of this queue may ask for (priorityClass of POST /v1/jobs), highest first",
  }),
  flexibility: Nullable(
    StringEnum(flexClasses, { description: "most protected class its jobs may have, and their default" }),
  ),
  nominal: Type.Record(Type.String(), Type.Number(), { description: "by resource: gpu:<model>, cpu, memory" }),
  borrowingLimit: Type.Record(Type.String(), Nullable(Type.Number()), { description: "null: no limit" }),
  usage: Type.Record(Type.String(), Type.Number()),
  pending: Type.Integer(),
  running: Type.Integer(),
});

/** The queue configuration in force, in the queue file's shape. */
const QueueConfigAnswer = Type.Object({
  version: Type.Integer(),
  config: QueueFileSchema,
});

const QueueConfigVersionSchema = Type.Object({
  version: Type.Integer(),
  summary: Type.String(),
  actor: Type.String(),
  createdAt: Type.String(),
});

/** Whether the demo load runs, and how much it offers. */
const DemoStatusSchema = Type.Object({
  running: Type.Boolean(),
  load: Type.Number({ description: "offered GPU load as a share of the site's GPUs" }),
  startedAt: Nullable(Type.String()),
  submitted: Type.Integer({ description: "demo jobs submitted since it started" }),
  active: Type.Integer({ description: "demo jobs waiting or running now" }),
});

const demoBody = Type.Object(
  {
    running: Type.Boolean(),
    load: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "share of the site's GPUs" })),
  },
  { additionalProperties: false },
);

/** Staff who read the whole configuration: platform admins, operators and auditors. */
function requireWholeRead(principal: Principal): void {
  if (authorize(principal, "queues:read") !== "all") {
    throw new AppError("forbidden", "the whole queue configuration is for platform staff; GET /v1/queues lists yours");
  }
}

/** Configuration units of a resource from the scheduler's internal ones (milli-GPUs and cores, MiB). */
function toConfigUnits(resource: string, value: number): number {
  const scaled = value / (resource === "memory" ? 1024 : 1000);
  return Math.round(scaled * 1000) / 1000;
}

function registerQueueList(app: FastifyInstance, engine: JobsEngine): void {
  app.get(
    "/v1/queues",
    {
      schema: {
        tags: ["queues"],
        operationId: "listQueues",
        summary: "Queues, quotas and usage (GPUs, cores, GiB)",
        response: { 200: Type.Array(QueueViewSchema) },
      },
    },
    async (request): Promise<Reply<typeof QueueViewSchema>[]> => {
      const principal = contextOf(request).principal;
      const scope = authorize(principal, "queues:read");
      const scheduler = engine.generation.live.scheduler;
      const quota = scheduler.quota;
      const width = quota.resources.length;
      const counts = new Map<string, { pending: number; running: number }>();
      for (const job of scheduler.jobs) {
        const entry = counts.get(job.spec.queue) ?? { pending: 0, running: 0 };
        if (job.state === "queued") entry.pending++;
        else if (job.state === "running" || job.state === "admitted") entry.running++;
        counts.set(job.spec.queue, entry);
      }
      return quota.config.queues
        .filter((queue) => withinScope(principal, scope, { tenantId: queue.tenant }))
        .map((queue) => {
          const node = quota.queueIndex(queue.name);
          const nominal: Record<string, number> = {};
          const borrowingLimit: Record<string, number | null> = {};
          const usage: Record<string, number> = {};
          quota.resources.forEach((resource, r) => {
            const cell = node * width + r;
            if (quota.nominal[cell] === 0 && quota.usage[cell] === 0 && queue.quota[resource] === undefined) return;
            nominal[resource] = toConfigUnits(resource, quota.nominal[cell]!);
            const limit = quota.borrowingLimit[cell]!;
            borrowingLimit[resource] = Number.isFinite(limit) ? toConfigUnits(resource, limit) : null;
            usage[resource] = toConfigUnits(resource, quota.usage[cell]!);
          });
          return {
            name: queue.name,
            tenantId: queue.tenant,
            cohort: queue.cohort ?? null,
            priorityClass: queue.priorityClass,
            priorityClasses: priorityClassesOpenTo(quota.config, queue),
            flexibility: queue.flexibility ?? null,
            nominal,
            borrowingLimit,
            usage,
            ...(counts.get(queue.name) ?? { pending: 0, running: 0 }),
          };
        });
    },
  );
}

function registerConfigRoutes(app: FastifyInstance, service: QueueService): void {
  app.get<{ Querystring: { format?: "json" | "yaml" | "kueue" } }>(
    "/v1/queue-config",
    {
      schema: {
        tags: ["queues"],
        operationId: "getQueueConfig",
        summary: "The queue configuration in force (staff): JSON, YAML or Kueue objects",
        querystring: Type.Object(
          { format: Type.Optional(StringEnum(["json", "yaml", "kueue"] as const)) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: "JSON by default; YAML (the queue file, or Kueue objects) with format=yaml or kueue",
            content: {
              "application/json": { schema: QueueConfigAnswer },
              "application/yaml": { schema: Type.String() },
            },
          },
        },
      },
    },
    async (request, reply) => {
      requireWholeRead(contextOf(request).principal);
      reply.header("x-queue-config-version", String(service.version));
      const format = request.query.format ?? "json";
      if (format === "yaml") return reply.type("application/yaml").send(queueSetYaml(service.config));
      if (format === "kueue") return reply.type("application/yaml").send(kueueExport(service.config));
      const answer: Reply<typeof QueueConfigAnswer> = {
        version: service.version,
        config: queueSetDocument(service.config),
      };
      return answer;
    },
  );
  app.get<{ Querystring: { limit?: number; before?: number } }>(
    "/v1/queue-config/versions",
    {
      schema: {
        tags: ["queues"],
        operationId: "listQueueConfigVersions",
        summary: "Versions of the queue configuration, newest first (staff)",
        response: { 200: Type.Array(QueueConfigVersionSchema) },
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            // Versions are a PostgreSQL `integer`: a larger bound fails in the store (a 500), not here.
            before: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request): Promise<Reply<typeof QueueConfigVersionSchema>[]> => {
      requireWholeRead(contextOf(request).principal);
      return service.versions(request.query.limit ?? 50, request.query.before);
    },
  );
  app.put<{ Body: Static<typeof configBody> }>(
    "/v1/queue-config",
    {
      schema: {
        tags: ["queues"],
        operationId: "replaceQueueConfig",
        ...problems(409),
        summary: "Replace the whole queue configuration (platform admins)",
        body: configBody,
        response: { 200: changeAnswer },
      },
    },
    async (request) => {
      const context = contextOf(request);
      authorize(context.principal, "queues:write");
      return { version: await service.replace(context, request.body.config, request.body.summary) };
    },
  );
  app.post<{ Body: Static<typeof kueueBody> }>(
    "/v1/queue-config/kueue",
    {
      schema: {
        tags: ["queues"],
        operationId: "importKueueConfig",
        ...problems(409),
        summary: "Replace the queue configuration by Kueue objects (platform admins)",
        body: kueueBody,
        response: { 200: changeAnswer },
      },
      bodyLimit: 3_000_000,
    },
    async (request) => {
      const context = contextOf(request);
      authorize(context.principal, "queues:write");
      return { version: await service.importKueue(context, request.body.yaml, request.body.summary) };
    },
  );
}

function registerEntityRoutes(app: FastifyInstance, service: QueueService): void {
  for (const [kind, body, noun, Noun] of [
    ["queues", queueBody, "queue", "Queue"],
    ["cohorts", cohortBody, "cohort", "Cohort"],
  ] as const) {
    app.put<{ Params: Static<typeof nameParams>; Body: Record<string, unknown> }>(
      `/v1/${kind}/:name`,
      {
        schema: {
          tags: ["queues"],
          operationId: `put${Noun}`,
          ...problems(409),
          summary: `Create or replace a ${noun} (platform admins)`,
          params: nameParams,
          body,
          response: { 200: changeAnswer },
        },
      },
      async (request) => {
        const context = contextOf(request);
        authorize(context.principal, "queues:write");
        return { version: await service.put(context, kind, request.params.name, request.body) };
      },
    );
    app.delete<{ Params: Static<typeof nameParams> }>(
      `/v1/${kind}/:name`,
      {
        schema: {
          tags: ["queues"],
          operationId: `delete${Noun}`,
          ...problems(404, 409),
          summary: `Remove a ${noun} (platform admins; refused while it is in use)`,
          params: nameParams,
          response: { 200: changeAnswer },
        },
      },
      async (request) => {
        const context = contextOf(request);
        authorize(context.principal, "queues:write");
        return { version: await service.remove(context, kind, request.params.name) };
      },
    );
  }
}

function registerDemoRoutes(app: FastifyInstance, demo: DemoLoad, service: QueueService): void {
  const requireAdmin = (principal: Principal) => {
    if (principal.role !== "platform-admin") throw new AppError("forbidden", "the demo load is for platform admins");
  };
  app.get(
    "/v1/demo",
    {
      schema: {
        tags: ["queues"],
        operationId: "getDemoLoad",
        summary: "Whether the demo load runs (platform admins)",
        response: { 200: DemoStatusSchema },
      },
    },
    async (request): Promise<Reply<typeof DemoStatusSchema>> => {
      requireAdmin(contextOf(request).principal);
      return demo.status;
    },
  );
  app.put<{ Body: Static<typeof demoBody> }>(
    "/v1/demo",
    {
      schema: {
        tags: ["queues"],
        operationId: "setDemoLoad",
        ...problems(409),
        summary: "Start or stop the demo load (platform admins)",
        body: demoBody,
        response: { 200: DemoStatusSchema },
      },
    },
    async (request): Promise<Reply<typeof DemoStatusSchema>> => {
      const context = contextOf(request);
      requireAdmin(context.principal);
      const before = demo.status;
      const { running, load } = request.body;
      // The change and its audit record go together: refused changes leave no record, accepted ones always do.
      await service.audited(context, running ? "demo.start" : "demo.stop", async () => {
        if (running) demo.start(load ?? 0.5);
        else demo.stop();
        return { before: { running: before.running, load: before.load }, after: { running, load: demo.status.load } };
      });
      return demo.status;
    },
  );
}

/** Registers the queue routes. */
export function registerQueueRoutes(app: FastifyInstance, settings: QueueRoutesSettings): void {
  registerQueueList(app, settings.engine);
  registerConfigRoutes(app, settings.service);
  registerEntityRoutes(app, settings.service);
  registerDemoRoutes(app, settings.demo, settings.service);
}
