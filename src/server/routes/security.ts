/**
 * The security log, for platform admins: failed authentications, throttled addresses and authorisation denials,
 * newest first, paged by id.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { Type } from "typebox";
import type { Database } from "../../store/schema.ts";
import { authorize } from "../../tenancy/service.ts";
import { contextOf } from "../auth.ts";
import { Nullable, type Reply } from "../schemas.ts";
import { securityEventKinds } from "../security.ts";

/** One page of `/v1/security/events`. */
const SecurityEventsSchema = Type.Object({
  events: Type.Array(
    Type.Object({
      id: Type.Integer(),
      at: Type.String({ description: "ISO 8601 UTC" }),
      kind: Type.String({ description: securityEventKinds.join(", ") }),
      address: Type.String(),
      actor: Nullable(Type.String()),
      method: Nullable(Type.String()),
      route: Nullable(Type.String()),
      detail: Type.Unknown(),
      count: Type.Integer({ description: "events this row stands for (more than 1 for a suppressed summary)" }),
    }),
  ),
  next: Nullable(Type.Integer({ description: "`before` for the next page, or null on the last page" })),
});

/** Registers GET /v1/security/events. */
export function registerSecurityRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Querystring: { before?: number; limit?: number; kind?: string; address?: string } }>(
    "/v1/security/events",
    {
      schema: {
        tags: ["audit"],
        operationId: "listSecurityEvents",
        summary: "Security events (failed authentications, throttling, denials), newest first; page with `before`",
        querystring: Type.Object(
          {
            // A safe integer at most: a larger one would pass the schema yet overflow the bigint column (a 500).
            before: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: Number.MAX_SAFE_INTEGER,
                description: "only events with a smaller id",
              }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            kind: Type.Optional(Type.Unsafe<string>({ type: "string", enum: [...securityEventKinds] })),
            address: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SecurityEventsSchema },
      },
    },
    async (request): Promise<Reply<typeof SecurityEventsSchema>> => {
      authorize(contextOf(request).principal, "security:read");
      const limit = request.query.limit ?? 100;
      let query = db.selectFrom("security_events").selectAll().orderBy("id", "desc").limit(limit);
      if (request.query.before !== undefined) query = query.where("id", "<", request.query.before);
      if (request.query.kind !== undefined) query = query.where("kind", "=", request.query.kind);
      if (request.query.address !== undefined) query = query.where("address", "=", request.query.address);
      const rows = await query.execute();
      const events = rows.map((row) => ({
        id: Number(row.id),
        at: row.at,
        kind: row.kind,
        address: row.address,
        actor: row.actor,
        method: row.method,
        route: row.route,
        detail: row.detail,
        count: row.count,
      }));
      const last = events[events.length - 1];
      return { events, next: events.length === limit && last !== undefined ? last.id : null };
    },
  );
}
