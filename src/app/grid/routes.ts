/**
 * The grid events API (platform admins and facility operators write; staff read): `POST /v1/grid/events`,
 * `GET /v1/grid/events` (paged, newest first, X-Total-Count and X-Next-Cursor), `GET /v1/grid/events/:id` (with the
 * report), `POST /v1/grid/events/:id/cancel`.
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { newestFirstPaging } from "../../server/paging.ts";
import { StringEnum } from "../../server/schemas.ts";
import { authorize } from "../../tenancy/service.ts";
import {
  type GridEventRequest,
  type GridEventState,
  gridEventRequestSchema,
  gridEventStates,
  gridEventViewSchema,
} from "./model.ts";
import type { GridEventService } from "./service.ts";

const idParams = Type.Object({ id: Type.String({ pattern: "^gev_[0-9a-f]{12}$" }) });

const listQuery = Type.Object(
  {
    ...newestFirstPaging("gev"),
    state: Type.Optional(StringEnum(gridEventStates)),
  },
  { additionalProperties: false },
);

/** Registers the grid event routes. */
export function registerGridRoutes(app: FastifyInstance, grid: GridEventService): void {
  app.post<{ Body: GridEventRequest }>(
    "/v1/grid/events",
    {
      schema: {
        tags: ["grid"],
        operationId: "createGridEvent",
        ...problems(409),
        summary:
          "A grid curtailment request: from its notice new non-protected work waits; at its start deferrable jobs are suspended, flexible ones GPU-capped and preemptible ones requeued; all released at its end",
        body: gridEventRequestSchema,
        response: { 201: gridEventViewSchema },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      authorize(context.principal, "grid:write");
      return reply.code(201).send(await grid.create(context, request.body));
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; state?: GridEventState } }>(
    "/v1/grid/events",
    {
      schema: {
        tags: ["grid"],
        operationId: "listGridEvents",
        summary:
          "Grid events, newest first, optionally in one state; X-Total-Count and X-Next-Cursor page through them",
        querystring: listQuery,
        response: { 200: Type.Array(gridEventViewSchema) },
      },
    },
    async (request, reply) => {
      authorize(contextOf(request).principal, "grid:read");
      const page = await grid.list({
        limit: request.query.limit ?? 200,
        cursor: request.query.cursor,
        state: request.query.state,
      });
      reply.header("x-total-count", String(page.total));
      if (page.nextCursor !== undefined) reply.header("x-next-cursor", page.nextCursor);
      return page.items;
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/grid/events/:id",
    {
      schema: {
        tags: ["grid"],
        operationId: "getGridEvent",
        ...problems(404),
        summary:
          "One grid event with its report: requested and delivered MW, jobs capped, suspended, requeued and work lost by class",
        params: idParams,
        response: { 200: gridEventViewSchema },
      },
    },
    async (request) => {
      authorize(contextOf(request).principal, "grid:read");
      return grid.get(request.params.id);
    },
  );

  app.post<{ Params: { id: string } }>(
    "/v1/grid/events/:id/cancel",
    {
      schema: {
        tags: ["grid"],
        operationId: "cancelGridEvent",
        ...problems(404, 409),
        summary: "Cancel a grid event: a scheduled one never runs; an active one is released now",
        params: idParams,
        response: { 200: gridEventViewSchema },
      },
    },
    async (request) => {
      const context = contextOf(request);
      authorize(context.principal, "grid:write");
      return grid.cancel(context, request.params.id);
    },
  );
}
