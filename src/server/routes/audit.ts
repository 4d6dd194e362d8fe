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
import { Nullable, type Reply } from "../schemas.ts";

/** One audit record as `/v1/audit` lists it. */
const AuditRecordSchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ description: "ISO 8601 UTC" }),
  actor: Type.String(),
  action: Type.String(),
  resource: Type.String(),
  before: Type.Unknown({ description: "the resource before the change (JSON), or null" }),
  after: Type.Unknown({ description: "the resource after the change (JSON), or null" }),
  requestId: Type.String(),
  clientRequestId: Nullable(Type.String()),
  chain: Type.String({ description: "sha256 (legacy records) or hmac-sha256" }),
  hash: Type.String(),
});

const AuditProblemSchema = Type.Object({
  seq: Nullable(Type.Integer()),
  kind: Type.String({ description: "edited, forged, missing, checkpoint, trigger..." }),
  problem: Type.String(),
});

/** The outcome of `/v1/audit/verify`. */
const AuditVerificationSchema = Type.Object({
  ok: Type.Boolean(),
  records: Type.Integer(),
  keyedRecords: Type.Integer(),
  checkpoint: Nullable(Type.Object({ seq: Type.Integer(), at: Type.String() })),
  problems: Type.Array(AuditProblemSchema),
  firstProblem: Nullable(AuditProblemSchema),
});

/** Registers /v1/audit routes. */
export function registerAuditRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Querystring: { after?: number; limit?: number; resource?: string; actor?: string } }>(
    "/v1/audit",
    {
      schema: {
        tags: ["audit"],
        operationId: "listAuditRecords",
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
        response: { 200: Type.Array(AuditRecordSchema) },
      },
    },
    async (request): Promise<Reply<typeof AuditRecordSchema>[]> => {
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
        operationId: "verifyAudit",
        summary: "Recompute the keyed chain, compare it with the head checkpoint, check the append-only triggers",
        response: { 200: AuditVerificationSchema },
      },
    },
    async (request): Promise<Reply<typeof AuditVerificationSchema>> => {
      authorize(contextOf(request).principal, "audit:read");
      return verifyAuditChain(db);
    },
  );
}
