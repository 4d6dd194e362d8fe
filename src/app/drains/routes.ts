/**
 * The drains API: `POST /v1/drains` (platform admins and facility operators), `GET /v1/drains` (paged, newest
 * first, X-Total-Count and X-Next-Cursor; filtered by state, target kind and target prefix), `GET /v1/drains/:id`, `POST /v1/drains/:id/resume` (ends it).
 */
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { drainTargetKinds } from "../../model/feeds.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { newestFirstPaging } from "../../server/paging.ts";
import { StringEnum } from "../../server/schemas.ts";
import { authorize } from "../../tenancy/service.ts";
import { type DrainRequest, drainListStates, drainRequestSchema, drainViewSchema } from "./model.ts";
import type { DrainService } from "./service.ts";

const idParams = Type.Object({ id: Type.String({ pattern: "^drn_[0-9a-f]{12}$" }) });

const listQuery = Type.Object(
  {
    ...newestFirstPaging("drn"),
    state: Type.Optional(StringEnum(drainListStates, { description: "a state, or open (scheduled or active)" })),
    kind: Type.Optional(StringEnum(drainTargetKinds, { description: "drains of targets of this kind" })),
    targetPrefix: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "drains whose target begins with this text" }),
    ),
  },
  { additionalProperties: false },
);

/** Registers the drain routes. */
export function registerDrainRoutes(app: FastifyInstance, drains: DrainService): void {
  app.post<{ Body: DrainRequest }>(
    "/v1/drains",
    {
      schema: {
        tags: ["drains"],
        operationId: "createDrain",
        ...problems(409),
        summary:
          "Drain a hall, row, rack, or what a CDU or busway feeds, for maintenance: no new work there in the window; running work finishes, is requeued now, or by a deadline",
        body: drainRequestSchema,
        response: { 201: drainViewSchema },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      authorize(context.principal, "drains:write");
      const created = await drains.create(context, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get<{ Querystring: Static<typeof listQuery> }>(
    "/v1/drains",
    {
      schema: {
        tags: ["drains"],
        operationId: "listDrains",
        summary:
          "Drains, newest first, filtered by state (or open: scheduled and active), target kind and target prefix; X-Total-Count and X-Next-Cursor page through them",
        querystring: listQuery,
        response: { 200: Type.Array(drainViewSchema) },
      },
    },
    async (request, reply) => {
      authorize(contextOf(request).principal, "drains:read");
      const page = await drains.list({
        limit: request.query.limit ?? 200,
        cursor: request.query.cursor,
        state: request.query.state,
        kind: request.query.kind,
        targetPrefix: request.query.targetPrefix,
      });
      reply.header("x-total-count", String(page.total));
      if (page.nextCursor !== undefined) reply.header("x-next-cursor", page.nextCursor);
      return page.items;
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/drains/:id",
    {
      schema: {
        tags: ["drains"],
        operationId: "getDrain",
        ...problems(404),
        summary: "One drain, with the racks it covers and the jobs it moves",
        params: idParams,
        response: { 200: drainViewSchema },
      },
    },
    async (request) => {
      authorize(contextOf(request).principal, "drains:read");
      return drains.get(request.params.id);
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/drains/:id/resume",
    {
      schema: {
        tags: ["drains"],
        operationId: "resumeDrain",
        ...problems(404, 409),
        summary: "End a drain now: its racks take new work again",
        params: idParams,
        response: { 200: drainViewSchema },
      },
    },
    async (request) => {
      const context = contextOf(request);
      authorize(context.principal, "drains:write");
      return drains.resume(context, request.params.id);
    },
  );
}
