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
import { decodeCursor, pageHeaders, pagingQuery } from "../paging.ts";
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
  app.get<{
    Querystring: {
      before?: number;
      limit?: number;
      cursor?: string;
      kind?: string;
      address?: string;
      from?: string;
      to?: string;
    };
  }>(
    "/v1/security/events",
    {
      schema: {
        tags: ["audit"],
        operationId: "listSecurityEvents",
        summary:
          "Security events (failed authentications, throttling, denials), newest first, filtered by kind, address and time; X-Total-Count and X-Next-Cursor (or `before`) page through them",
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
            ...pagingQuery,
            from: Type.Optional(Type.String({ format: "date-time" })),
            to: Type.Optional(Type.String({ format: "date-time", description: "exclusive" })),
            kind: Type.Optional(Type.Unsafe<string>({ type: "string", enum: [...securityEventKinds] })),
            address: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SecurityEventsSchema },
      },
    },
    async (request, reply): Promise<Reply<typeof SecurityEventsSchema>> => {
      authorize(contextOf(request).principal, "security:read");
      const { kind, address, from, to, cursor } = request.query;
      const limit = request.query.limit ?? 100;
      let base = db.selectFrom("security_events");
      if (kind !== undefined) base = base.where("kind", "=", kind);
      if (address !== undefined) base = base.where("address", "=", address);
      if (from !== undefined) base = base.where("at", ">=", new Date(from).toISOString());
      if (to !== undefined) base = base.where("at", "<", new Date(to).toISOString());
      const total = await base.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
      const before = cursor === undefined ? request.query.before : decodeCursor(cursor, ["n"] as const)[0];
      let query = base
        .selectAll()
        .orderBy("id", "desc")
        .limit(limit + 1);
      if (before !== undefined) query = query.where("id", "<", before);
      const fetched = await query.execute();
      const rows = fetched.slice(0, limit);
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
      const more = fetched.length > limit && last !== undefined;
      pageHeaders(reply, Number(total.count), more ? [last.id] : undefined);
      return { events, next: more ? last.id : null };
    },
  );
}
