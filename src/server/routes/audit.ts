/**
 * The audit log, for auditors and platform admins: list records and verify the keyed chain against the checkpoint.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { Type } from "typebox";
import { recordOfRow, verifyAuditChain } from "../../store/audit.ts";
import type { Database } from "../../store/schema.ts";
import { authorize } from "../../tenancy/service.ts";
import { contextOf } from "../auth.ts";

/** Registers /v1/audit routes. */
export function registerAuditRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Querystring: { after?: number; limit?: number; resource?: string; actor?: string } }>(
    "/v1/audit",
    {
      schema: {
        tags: ["audit"],
        summary: "Audit records in order, after a sequence number",
        querystring: Type.Object(
          {
            // A safe integer at most: a larger one would pass the schema yet overflow the bigint column (a 500).
            after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            resource: Type.Optional(Type.String()),
            actor: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      authorize(contextOf(request).principal, "audit:read");
      let query = db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", ">", request.query.after ?? 0)
        .orderBy("seq")
        .limit(request.query.limit ?? 100);
      if (request.query.resource !== undefined) query = query.where("resource", "=", request.query.resource);
      if (request.query.actor !== undefined) query = query.where("actor", "=", request.query.actor);
      return (await query.execute()).map((row) => ({
        ...recordOfRow(row),
        chain: row.chain,
        hash: row.hash,
      }));
    },
  );
  app.get(
    "/v1/audit/verify",
    {
      schema: {
        tags: ["audit"],
        summary: "Recompute the keyed chain, compare it with the head checkpoint, check the append-only triggers",
      },
    },
    async (request) => {
      authorize(contextOf(request).principal, "audit:read");
      return verifyAuditChain(db);
    },
  );
}
