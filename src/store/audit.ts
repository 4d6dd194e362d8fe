/**
 * The audit log: every mutation appends a record (who, what, when, before/after) in the same transaction, chained
 * by SHA-256 to the record before it. `verifyAuditChain` recomputes the chain and names every record that was
 * edited, reordered or deleted.
 */
import { createHash } from "node:crypto";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";

/** What a mutation reports to the audit log. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string;
}

/** JSON with object keys sorted, so jsonb round trips (which reorder keys) hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

interface HashedFields {
  seq: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
  requestId: string;
  prevHash: string;
}

/** Hash of a record's content and the hash of the record before it. */
export function recordHash(fields: HashedFields): string {
  return createHash("sha256").update(canonicalJson(fields)).digest("hex");
}

/** Appends an audit record inside `trx`; the chain head row lock orders concurrent appends. */
export async function appendAudit(trx: Transaction<Database>, entry: AuditEntry): Promise<number> {
  const head = await trx.selectFrom("audit_head").selectAll().where("id", "=", 1).forUpdate().executeTakeFirstOrThrow();
  const seq = Number(head.seq) + 1;
  const at = new Date().toISOString();
  const before = entry.before === undefined ? null : entry.before;
  const after = entry.after === undefined ? null : entry.after;
  const hash = recordHash({
    seq,
    at,
    actor: entry.actor,
    action: entry.action,
    resource: entry.resource,
    before,
    after,
    requestId: entry.requestId,
    prevHash: head.hash,
  });
  await trx
    .insertInto("audit_log")
    .values({
      seq,
      at,
      actor: entry.actor,
      action: entry.action,
      resource: entry.resource,
      before: JSON.stringify(before),
      after: JSON.stringify(after),
      request_id: entry.requestId,
      prev_hash: head.hash,
      hash,
    })
    .execute();
  await trx.updateTable("audit_head").set({ seq, hash }).where("id", "=", 1).execute();
  return seq;
}

/** One problem found in the chain. */
export interface AuditProblem {
  readonly seq: number;
  readonly problem: string;
}

/** The outcome of a verification. */
export interface AuditVerification {
  readonly ok: boolean;
  readonly records: number;
  readonly problems: readonly AuditProblem[];
}

/** Recomputes the whole chain in order; reports edited, reordered, missing and truncated records. */
export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  let expectedSeq = 1;
  let previousHash = "0".repeat(64);
  let records = 0;
  const pageSize = 5000;
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    for (const row of page) {
      const seq = Number(row.seq);
      records++;
      if (seq !== expectedSeq) {
        problems.push({ seq, problem: `records ${expectedSeq}–${seq - 1} are missing (deleted)` });
      }
      if (row.prev_hash !== previousHash) {
        problems.push({ seq, problem: "does not chain to the record before it (a record was deleted or reordered)" });
      }
      const hash = recordHash({
        seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        resource: row.resource,
        before: row.before,
        after: row.after,
        requestId: row.request_id,
        prevHash: row.prev_hash,
      });
      if (hash !== row.hash) problems.push({ seq, problem: "content does not match its hash (the record was edited)" });
      previousHash = row.hash;
      expectedSeq = seq + 1;
    }
    if (page.length < pageSize) break;
    after = Number(page[page.length - 1]!.seq);
  }
  const head = await db.selectFrom("audit_head").selectAll().where("id", "=", 1).executeTakeFirst();
  if (head !== undefined && (Number(head.seq) !== expectedSeq - 1 || head.hash !== previousHash)) {
    problems.push({
      seq: Number(head.seq),
      problem: `the chain ends at record ${expectedSeq - 1} but its head says ${Number(head.seq)} (records were removed from the end)`,
    });
  }
  return { ok: problems.length === 0, records, problems };
}

/** Disables the append-only trigger: only for tests that play an attacker with database access. */
export async function disableAuditProtection(db: Kysely<Database>): Promise<void> {
  await sql`alter table audit_log disable trigger audit_log_no_rewrite`.execute(db);
}
