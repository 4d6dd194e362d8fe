/**
 * The audit log, for auditors and platform admins: list records and verify the keyed chain against the checkpoint.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { type Static, Type } from "typebox";
import { recordOfRow, verifyAuditChain } from "../../store/audit.ts";
import type { Database } from "../../store/schema.ts";
import { authorize } from "../../tenancy/service.ts";
import { contextOf } from "../auth.ts";
import { decodeCursor, pageHeaders, pagingQuery } from "../paging.ts";
import { Nullable, type Reply } from "../schemas.ts";

/** `%`, `_` and `\\` match themselves in a LIKE prefix. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

const auditListQuery = Type.Object(
  {
    // A safe integer at most: a larger one would pass the schema yet overflow the bigint column (a 500).
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    ...pagingQuery,
    resource: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    resourcePrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: "e.g. job: or tenant:" })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Type.String({ format: "date-time" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "exclusive" })),
  },
  { additionalProperties: false },
);

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
  app.get<{ Querystring: Static<typeof auditListQuery> }>(
    "/v1/audit",
    {
      schema: {
        tags: ["audit"],
        operationId: "listAuditRecords",
        summary:
          "Audit records in sequence order after `after` (or the cursor), filtered by resource, resource prefix, actor, action and time; X-Total-Count and X-Next-Cursor page through them",
        querystring: auditListQuery,
        response: { 200: Type.Array(AuditRecordSchema) },
      },
    },
    async (request, reply): Promise<Reply<typeof AuditRecordSchema>[]> => {
      authorize(contextOf(request).principal, "audit:read");
      const { resource, resourcePrefix, actor, action, from, to, cursor } = request.query;
      const limit = request.query.limit ?? 100;
      let base = db.selectFrom("audit_log");
      if (resource !== undefined) base = base.where("resource", "=", resource);
      if (resourcePrefix !== undefined) base = base.where("resource", "like", `${escapeLike(resourcePrefix)}%`);
      if (actor !== undefined) base = base.where("actor", "=", actor);
      if (action !== undefined) base = base.where("action", "=", action);
      if (from !== undefined) base = base.where("at", ">=", new Date(from).toISOString());
      if (to !== undefined) base = base.where("at", "<", new Date(to).toISOString());
      const total = await base.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
      const [afterSeq] = cursor === undefined ? [request.query.after ?? 0] : decodeCursor(cursor, ["n"] as const);
      const rows = await base
        .selectAll()
        .where("seq", ">", afterSeq)
        .orderBy("seq")
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      pageHeaders(
        reply,
        Number(total.count),
        rows.length > limit && last !== undefined ? [Number(last.seq)] : undefined,
      );
      return page.map((row) => ({
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
