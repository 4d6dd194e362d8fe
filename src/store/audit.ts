/**
 * The audit log: every mutation appends a record (who, what, when, before/after) in the same transaction, chained
 * to the record before it. Records are keyed: chain value = HMAC-SHA256(key, previous chain value || canonical
 * record), with the key kept outside the database (see audit-trail.ts); records written before keying (plain
 * SHA-256, `chain = 'sha256'`) still verify, and the first keyed record anchors on their head. `verifyAuditChain`
 * recomputes the chain, compares it with the head checkpoint kept outside the store, checks the append-only triggers
 * in the catalog, and names every record that was edited, deleted, renumbered, cut off or forged.
 */
import { createHash } from "node:crypto";
import { type Kysely, sql, type Transaction } from "kysely";
import { type AuditTrail, auditTrailOf, type CheckpointLog, chainKinds } from "./audit-trail.ts";
import type { AuditRecord, Database } from "./schema.ts";

/** What a mutation reports to the audit log. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The server's id of the request (never the caller's). */
  readonly requestId: string;
  /** The caller's `x-request-id`, kept beside the server's; found from the running request when not given. */
  readonly clientRequestId?: string | null;
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

/** The fields of an audit record its chain value covers, as the API shows them. */
export interface AuditFields {
  seq: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
  requestId: string;
  clientRequestId: string | null;
}

/** The same fields as a stored row holds them (snake case; a driver may give `seq` back as text). */
export interface StoredAuditFields {
  seq: number | string;
  at: string;
  actor: string;
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
  request_id: string;
  client_request_id: string | null;
}

/** What a legacy (pre-key) record's hash covers: its fields but the caller's id, and the hash before it. */
type HashedFields = Omit<AuditFields, "clientRequestId"> & { prevHash: string };

/** Hash of a legacy (pre-key) record's content and the hash of the record before it. */
export function recordHash(fields: HashedFields): string {
  return createHash("sha256").update(canonicalJson(fields)).digest("hex");
}

/** The canonical text of a keyed record: every field but the chain values, keys sorted. */
export function canonicalRecord(record: AuditFields): string {
  return canonicalJson(record);
}

/** A stored audit row's fields as the API shows them and the MAC covers them (camel case, numeric seq). */
export function recordOfRow(row: StoredAuditFields): AuditFields {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    clientRequestId: row.client_request_id,
  };
}

function keyedMac(trail: AuditTrail, row: AuditRecord): string {
  return trail.mac(row.prev_hash, canonicalRecord(recordOfRow(row)));
}

function legacyHash(row: AuditRecord): string {
  // Legacy records predate the caller's id: their hash covers every other field and the hash before them.
  const { clientRequestId: _, ...fields } = recordOfRow(row);
  return recordHash({ ...fields, prevHash: row.prev_hash });
}

/** Appends a keyed audit record inside `trx`; the chain head row lock orders concurrent appends. */
export async function appendAudit(trx: Transaction<Database>, entry: AuditEntry): Promise<number> {
  const trail = auditTrailOf(trx);
  const head = await trx.selectFrom("audit_head").selectAll().where("id", "=", 1).forUpdate().executeTakeFirstOrThrow();
  const seq = Number(head.seq) + 1;
  const at = new Date().toISOString();
  const before = entry.before === undefined ? null : entry.before;
  const after = entry.after === undefined ? null : entry.after;
  const clientRequestId = entry.clientRequestId ?? trail.clientRequestIdOf(entry.requestId) ?? null;
  const hash = trail.mac(
    head.hash,
    canonicalRecord({
      seq,
      at,
      actor: entry.actor,
      action: entry.action,
      resource: entry.resource,
      // What jsonb gives back (undefined members dropped), so the MAC verifies after the round trip.
      before: JSON.parse(JSON.stringify(before)),
      after: JSON.parse(JSON.stringify(after)),
      requestId: entry.requestId,
      clientRequestId,
    }),
  );
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
      client_request_id: clientRequestId,
      chain: chainKinds.keyed,
      prev_hash: head.hash,
      hash,
    })
    .execute();
  await trx.updateTable("audit_head").set({ seq, hash }).where("id", "=", 1).execute();
  trail.noteAppend(seq);
  return seq;
}

/** What kind of tampering (or missing evidence) a problem shows. */
export type AuditProblemKind =
  | "edited"
  | "forged"
  | "missing"
  | "chain"
  | "downgrade"
  | "checkpoint"
  | "truncated"
  | "head"
  | "trigger"
  | "key";

/** One problem found in the chain; `seq` is null for problems of the store as a whole (a dropped trigger). */
export interface AuditProblem {
  readonly seq: number | null;
  readonly kind: AuditProblemKind;
  readonly problem: string;
}

/** The outcome of a verification. */
export interface AuditVerification {
  readonly ok: boolean;
  readonly records: number;
  /** Records chained with the key (the rest are legacy SHA-256 records from before keying). */
  readonly keyedRecords: number;
  /** The newest head checkpointed outside the store, if any. */
  readonly checkpoint: { readonly seq: number; readonly at: string } | null;
  readonly problems: readonly AuditProblem[];
  /** The first problem, by record order (store-wide problems last): what to look at first. */
  readonly firstProblem: AuditProblem | null;
}

/** Walks the records in order and checks each one's place, chain value and checkpoint. */
class ChainWalker {
  readonly problems: AuditProblem[] = [];
  expectedSeq = 1;
  previousHash = "0".repeat(64);
  records = 0;
  keyedRecords = 0;
  #missingKeyReported = false;
  readonly #trail: AuditTrail;
  readonly #checkpoints: CheckpointLog;

  constructor(trail: AuditTrail, checkpoints: CheckpointLog) {
    this.#trail = trail;
    this.#checkpoints = checkpoints;
  }

  visit(row: AuditRecord): void {
    const seq = Number(row.seq);
    this.records++;
    if (seq !== this.expectedSeq) {
      this.problems.push({
        seq,
        kind: "missing",
        problem: `records ${this.expectedSeq}–${seq - 1} are missing (deleted)`,
      });
    }
    if (row.prev_hash !== this.previousHash) {
      this.problems.push({
        seq,
        kind: "chain",
        problem: "does not chain to the record before it (a record was deleted, renumbered or reordered)",
      });
    }
    if (row.chain === chainKinds.keyed) this.#visitKeyed(seq, row);
    else if (row.chain === chainKinds.legacy) {
      if (this.keyedRecords > 0) {
        this.problems.push({
          seq,
          kind: "downgrade",
          problem: "a legacy SHA-256 record after keyed records began: the chain was rewritten without the key",
        });
      } else if (legacyHash(row) !== row.hash) {
        this.problems.push({ seq, kind: "edited", problem: "content does not match its hash (the record was edited)" });
      }
    } else {
      this.problems.push({ seq, kind: "edited", problem: `unknown chain kind "${row.chain}"` });
    }
    const checkpointed = this.#checkpoints.bySeq.get(seq);
    if (checkpointed?.some((mac) => mac !== row.hash)) {
      this.problems.push({
        seq,
        kind: "checkpoint",
        problem: "its chain value differs from the head checkpoint kept outside the store (the record was rewritten)",
      });
    }
    this.previousHash = row.hash;
    this.expectedSeq = seq + 1;
  }

  #visitKeyed(seq: number, row: AuditRecord): void {
    this.keyedRecords++;
    if (!this.#trail.hasKey) {
      if (!this.#missingKeyReported) {
        this.#missingKeyReported = true;
        this.problems.push({
          seq,
          kind: "key",
          problem: `keyed records cannot be verified: no audit key at ${this.#trail.keyFile ?? "(in memory)"}`,
        });
      }
      return;
    }
    if (keyedMac(this.#trail, row) === row.hash) return;
    const last = this.#checkpoints.last;
    if (last !== undefined && seq > last.seq) {
      this.problems.push({
        seq,
        kind: "forged",
        problem: `appended after the last checkpoint (seq ${last.seq}) with a MAC the audit key did not make: a forged record`,
      });
    } else {
      this.problems.push({
        seq,
        kind: "edited",
        problem: "MAC mismatch: the record was edited, renumbered or rewritten without the audit key",
      });
    }
  }
}

/** Reads the records after `afterSeq` in order, a page at a time. */
async function walkRecords(db: Kysely<Database>, afterSeq: number, visit: (row: AuditRecord) => void): Promise<void> {
  const pageSize = 5000;
  for (let after = afterSeq; ; ) {
    const page = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    for (const row of page) visit(row);
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1]!.seq);
  }
}

/** Checks the append-only triggers in the catalog: present, enabled, unconditional, and raising. */
async function triggerProblems(db: Kysely<Database>): Promise<AuditProblem[]> {
  const rows = await sql<{ tgname: string; tgenabled: string; tgtype: number; qualified: boolean; source: string }>`
    select t.tgname, t.tgenabled::text as tgenabled, t.tgtype::int as tgtype, t.tgqual is not null as qualified,
           p.prosrc as source
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_proc p on p.oid = t.tgfoid
    where c.relname = 'audit_log' and n.nspname = current_schema() and not t.tgisinternal`.execute(db);
  const problems: AuditProblem[] = [];
  // pg_trigger.tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32.
  const expected = [
    { name: "audit_log_no_rewrite", type: 1 | 2 | 8 | 16, what: "row updates and deletes" },
    { name: "audit_log_no_truncate", type: 2 | 32, what: "truncation" },
  ];
  for (const trigger of expected) {
    const row = rows.rows.find((candidate) => candidate.tgname === trigger.name);
    const problem =
      row === undefined
        ? "was dropped"
        : !["O", "A"].includes(row.tgenabled)
          ? "is disabled"
          : row.tgtype !== trigger.type || row.qualified
            ? "was altered (events or condition)"
            : !/raise\s+exception/i.test(row.source)
              ? "no longer raises (its function was replaced)"
              : undefined;
    if (problem !== undefined) {
      problems.push({
        seq: null,
        kind: "trigger",
        problem: `the append-only trigger ${trigger.name} (against ${trigger.what}) ${problem}: someone with database access bypassed the protection`,
      });
    }
  }
  return problems;
}

/**
 * Verifies the whole audit log: every record's place, chain value and MAC, the head row, the head checkpoint kept
 * outside the store, and the append-only triggers. `trail` defaults to the one attached to `db`.
 */
export async function verifyAuditChain(
  db: Kysely<Database>,
  trail: AuditTrail = auditTrailOf(db),
): Promise<AuditVerification> {
  await trail.flush();
  const checkpoints = trail.checkpoints();
  const walker = new ChainWalker(trail, checkpoints);
  const problems = walker.problems;
  for (const line of checkpoints.malformedLines) {
    problems.push({ seq: null, kind: "checkpoint", problem: `line ${line} of the head checkpoint is malformed` });
  }
  if (checkpoints.keyFingerprint !== undefined && trail.hasKey && checkpoints.keyFingerprint !== trail.keyFingerprint) {
    problems.push({
      seq: null,
      kind: "key",
      problem: `the audit key (fingerprint ${trail.keyFingerprint}) is not the one the head checkpoint was written with (${checkpoints.keyFingerprint})`,
    });
  }
  await walkRecords(db, 0, (row) => walker.visit(row));
  const lastSeq = walker.expectedSeq - 1;
  const last = checkpoints.last;
  if (last !== undefined && last.seq > lastSeq) {
    problems.push({
      seq: lastSeq + 1,
      kind: "truncated",
      problem: `the head checkpoint says the log reached seq ${last.seq} (at ${last.at}) but the store ends at ${lastSeq}: records were removed from the end`,
    });
  }
  if (!checkpoints.present && walker.keyedRecords > 0 && trail.headFile !== undefined) {
    problems.push({
      seq: null,
      kind: "checkpoint",
      problem: `the head checkpoint ${trail.headFile} is missing: a cut-off tail cannot be ruled out`,
    });
  }
  const head = await db.selectFrom("audit_head").selectAll().where("id", "=", 1).executeTakeFirst();
  if (head !== undefined && (Number(head.seq) !== lastSeq || head.hash !== walker.previousHash)) {
    problems.push({
      seq: Math.min(Number(head.seq), lastSeq) + 1,
      kind: "head",
      problem: `the chain ends at record ${lastSeq} but its head row says ${Number(head.seq)} (records were removed from the end, or the head was rewritten)`,
    });
  }
  problems.push(...(await triggerProblems(db)));
  const ordered = [...problems].sort(
    (a, b) => (a.seq ?? Number.POSITIVE_INFINITY) - (b.seq ?? Number.POSITIVE_INFINITY),
  );
  return {
    ok: problems.length === 0,
    records: walker.records,
    keyedRecords: walker.keyedRecords,
    checkpoint: last === undefined ? null : { seq: last.seq, at: last.at },
    problems: ordered,
    firstProblem: ordered[0] ?? null,
  };
}

/**
 * Checks the records appended since the last checkpoint before a writer starts: a writer must not extend, and
 * checkpoint, a tail forged while it was stopped. Throws with the first problem.
 */
export async function assertTailIntact(db: Kysely<Database>, trail: AuditTrail): Promise<void> {
  const checkpoints = trail.checkpoints();
  const fromSeq = checkpoints.last?.seq ?? 0;
  const walker = new ChainWalker(trail, checkpoints);
  if (fromSeq > 0) {
    const anchor = await db.selectFrom("audit_log").selectAll().where("seq", "=", fromSeq).executeTakeFirst();
    if (anchor === undefined) return; // bind() already refused a store cut short of its checkpoint
    walker.expectedSeq = fromSeq;
    walker.previousHash = anchor.prev_hash;
    walker.visit(anchor);
  }
  await walkRecords(db, fromSeq, (row) => walker.visit(row));
  const first = walker.problems[0];
  if (first !== undefined) {
    throw new Error(
      `the audit log fails verification at seq ${first.seq} (${first.kind}: ${first.problem}); run \`alixan audit verify\` ` +
        "and investigate before starting the platform on this store",
    );
  }
}

/** Disables the append-only trigger: only for tests that play an attacker with database access. */
export async function disableAuditProtection(db: Kysely<Database>): Promise<void> {
  await sql`alter table audit_log disable trigger audit_log_no_rewrite`.execute(db);
}
