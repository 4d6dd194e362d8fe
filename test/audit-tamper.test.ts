/**
 * Tampering with the audit log as an attacker with database access (but not the audit key or the head checkpoint
 * file) would: straight SQL on the store, the append-only trigger disabled for the edit and enabled again to hide
 * it. `alixan audit verify` must exit 1 naming the first bad record and the kind of tampering in each case, exit 0
 * on an intact store, and a writer must refuse to start on a tail cut short or forged. Runs on PGlite on disk, and
 * on PostgreSQL when it is installed.
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { canonicalRecord, recordOfRow, type StoredAuditFields } from "../src/store/audit.ts";
import { openStore, type StoreLocation } from "../src/store/database.ts";
import { systemPrincipal, TenancyService } from "../src/tenancy/service.ts";
import { runCliInProcess } from "./support/cli.ts";
import { startTestPostgres } from "./support/postgres.ts";

/** Raw SQL on the store, bypassing the platform. */
interface Attacker {
  query<Row = Record<string, unknown>>(text: string, parameters?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** A store to tamper with: where it is, how the CLI reaches it, and a raw connection. */
interface Target {
  readonly location: StoreLocation;
  readonly cliArguments: readonly string[];
  readonly environment: Record<string, string>;
  attacker(): Promise<Attacker>;
}

interface AuditRow extends StoredAuditFields {
  prev_hash: string;
  hash: string;
}

const context = { principal: systemPrincipal("tamper-test"), requestId: "req-tamper" };

/** Writes a dozen audited mutations through the platform and closes (the head is checkpointed on close). */
async function populate(location: StoreLocation): Promise<number> {
  const store = await openStore(location);
  const tenancy = new TenancyService(store.db);
  await tenancy.createTenant(context, { id: "hospital", name: "Hospital", kind: "hospital" });
  for (let index = 0; index < 6; index++)
    await tenancy.createProject(context, { tenantId: "hospital", name: `p${index}` });
  const user = await tenancy.createUser(context, {
    tenantId: "hospital",
    name: "Hana",
    email: "hana@hospital.example",
    role: "tenant-member",
  });
  const { key } = await tenancy.createApiKey(context, { userId: user.id, name: "laptop" });
  await tenancy.revokeApiKey(context, key.id);
  const head = await store.db.selectFrom("audit_head").select("seq").executeTakeFirstOrThrow();
  await store.close();
  return Number(head.seq);
}

/** Runs `alixan audit verify` in this process and returns its exit code and standard output. */
function verify(target: Target): Promise<{ code: number; stdout: string }> {
  return runCliInProcess(["audit", "verify", ...target.cliArguments], target.environment);
}

/** Recomputes the chain from `fromSeq` as an attacker must: with a key of their own, since the real one is elsewhere. */
async function rechain(attacker: Attacker, fromSeq: number, chain: "hmac-sha256" | "sha256" = "hmac-sha256") {
  const guessedKey = randomBytes(32);
  const rows = await attacker.query<AuditRow>("select * from audit_log where seq >= $1 order by seq", [fromSeq]);
  const previous = await attacker.query<{ hash: string }>("select hash from audit_log where seq = $1", [fromSeq - 1]);
  let prev = previous[0]?.hash ?? "0".repeat(64);
  for (const row of rows) {
    const content = canonicalRecord(recordOfRow(row));
    const hash = createHmac("sha256", guessedKey).update(prev).update(content).digest("hex");
    await attacker.query("update audit_log set prev_hash = $1, hash = $2, chain = $3 where seq = $4", [
      prev,
      hash,
      chain,
      Number(row.seq),
    ]);
    prev = hash;
  }
  const last = await attacker.query<{ seq: number | string }>("select max(seq) as seq from audit_log");
  await attacker.query("update audit_head set seq = $1, hash = $2 where id = 1", [Number(last[0]!.seq), prev]);
}

/** Runs `tamper` with the append-only trigger off, then switches it back on to cover the tracks. */
async function tamper(target: Target, change: (attacker: Attacker) => Promise<void>): Promise<void> {
  const attacker = await target.attacker();
  try {
    await attacker.query("alter table audit_log disable trigger audit_log_no_rewrite");
    await change(attacker);
    await attacker.query("alter table audit_log enable trigger audit_log_no_rewrite");
  } finally {
    await attacker.close();
  }
}

function firstBad(stdout: string): { where: string; kind: string } {
  const match = /audit log TAMPERED: first bad: (record \d+|the store) \((\w+)\)/.exec(stdout);
  assert.ok(match, `no first-bad line in:\n${stdout}`);
  return { where: match[1]!, kind: match[2]! };
}

/** How one driver makes stores to tamper with. */
interface Targets {
  /** A new, empty store. */
  fresh(): Target;
  /** A new store holding what `template` (closed) holds: its data, audit key and head checkpoint. */
  copy(template: Target): Target;
}

/**
 * The tamper cases, for one driver. The intact case populates a store of its own; each tampering case edits a copy of
 * one populated store (what `populate` writes, copied with its key and checkpoint), not a store populated again: the
 * same records, without a store's creation, migrations and writes per case.
 */
function tamperCases(driver: string, targets: Targets, teardown: () => void): void {
  describe(`audit tampering on ${driver}`, () => {
    let template: Target | undefined;
    let populated = 0;
    /** A copy of the populated store, and the last seq `populate` wrote to it. */
    const populatedCopy = async (): Promise<{ target: Target; last: number }> => {
      if (template === undefined) {
        template = targets.fresh();
        populated = await populate(template.location);
      }
      return { target: targets.copy(template), last: populated };
    };
    after(teardown);

    it("an intact store verifies (exit 0) with every record keyed and checkpointed", async () => {
      const target = targets.fresh();
      const last = await populate(target.location);
      const run = await verify(target);
      assert.equal(run.code, 0, run.stdout);
      assert.match(
        run.stdout,
        new RegExp(`intact: ${last} records chained \\(${last} keyed\\), head checkpoint at seq ${last}`),
      );
      // The copies the tampering cases edit verify the same before any edit: what they find is the edit's doing.
      const copy = await populatedCopy();
      const copyRun = await verify(copy.target);
      assert.equal(copyRun.code, 0, copyRun.stdout);
      assert.match(copyRun.stdout, new RegExp(`intact: ${copy.last} records chained \\(${copy.last} keyed\\)`));
    });

    it("an edited record with the chain recomputed (without the key) fails at that record: edited", async () => {
      const { target } = await populatedCopy();
      await tamper(target, async (attacker) => {
        await attacker.query("update audit_log set actor = 'mallory' where seq = 3");
        await rechain(attacker, 3);
      });
      const run = await verify(target);
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(firstBad(run.stdout), { where: "record 3", kind: "edited" });
      assert.match(run.stdout, /MAC mismatch/);
    });

    it("a chain rewritten as legacy SHA-256 records from an edit on fails there: downgrade", async () => {
      const { target } = await populatedCopy();
      await tamper(target, async (attacker) => {
        await attacker.query('update audit_log set after = \'{"id":"forged"}\' where seq = 5');
        await rechain(attacker, 5, "sha256");
      });
      const run = await verify(target);
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(firstBad(run.stdout), { where: "record 5", kind: "downgrade" });
    });

    it("a deleted record with the rest renumbered and rechained fails at the gap it closed", async () => {
      const { target, last } = await populatedCopy();
      await tamper(target, async (attacker) => {
        await attacker.query("delete from audit_log where seq = 4");
        for (let seq = 5; seq <= last; seq++)
          await attacker.query("update audit_log set seq = $1 where seq = $2", [seq - 1, seq]);
        await rechain(attacker, 4);
      });
      const run = await verify(target);
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(firstBad(run.stdout), { where: "record 4", kind: "edited" });
      assert.match(run.stdout, new RegExp(`\\[truncated\\]: the head checkpoint says the log reached seq ${last}`));
    });

    it("a tail cut off (head row rewound to match) fails at the first missing record: truncated", async () => {
      const { target, last } = await populatedCopy();
      await tamper(target, async (attacker) => {
        await attacker.query("delete from audit_log where seq > $1", [last - 2]);
        const kept = await attacker.query<{ hash: string }>("select hash from audit_log where seq = $1", [last - 2]);
        await attacker.query("update audit_head set seq = $1, hash = $2 where id = 1", [last - 2, kept[0]!.hash]);
      });
      const run = await verify(target);
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(firstBad(run.stdout), { where: `record ${last - 1}`, kind: "truncated" });
      await assert.rejects(openStore(target.location), /says the audit log reached seq \d+ but the store ends at/);
    });

    it("a record appended behind the platform's back fails at that record: forged", async () => {
      const { target, last } = await populatedCopy();
      await tamper(target, async (attacker) => {
        const head = await attacker.query<{ hash: string }>("select hash from audit_head where id = 1");
        const content = canonicalRecord({
          seq: last + 1,
          at: new Date().toISOString(),
          actor: "system:cli",
          action: "tenant.create",
          resource: "tenant:shadow",
          before: null,
          after: { id: "shadow" },
          requestId: "cli-1",
          clientRequestId: null,
        });
        const hash = createHmac("sha256", randomBytes(32)).update(head[0]!.hash).update(content).digest("hex");
        await attacker.query(
          `insert into audit_log (seq, at, actor, action, resource, before, after, request_id, chain, prev_hash, hash)
           values ($1, $2, 'system:cli', 'tenant.create', 'tenant:shadow', 'null', '{"id":"shadow"}', 'cli-1',
                   'hmac-sha256', $3, $4)`,
          [last + 1, new Date().toISOString(), head[0]!.hash, hash],
        );
        await attacker.query("update audit_head set seq = $1, hash = $2 where id = 1", [last + 1, hash]);
      });
      const run = await verify(target);
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(firstBad(run.stdout), { where: `record ${last + 1}`, kind: "forged" });
      await assert.rejects(openStore(target.location), /fails verification at seq \d+ \(forged/);
    });

    it("a dropped append-only trigger fails on the catalog check, with every record intact", async () => {
      const { target } = await populatedCopy();
      const attacker = await target.attacker();
      await attacker.query("drop trigger audit_log_no_rewrite on audit_log");
      await attacker.close();
      const run = await verify(target);
      assert.equal(run.code, 1, run.stdout);
      assert.deepEqual(firstBad(run.stdout), { where: "the store", kind: "trigger" });
      assert.match(run.stdout, /audit_log_no_rewrite .* was dropped/);
    });
  });
}

const root = mkdtempSync(join(tmpdir(), "alixan-tamper-"));
let pgliteStores = 0;
/** A PGlite store on disk in `dataDir`, its audit directory beside it (the default). */
function pgliteTarget(dataDir: string): Target {
  return {
    location: { kind: "pglite", dataDir },
    cliArguments: ["--data-dir", dataDir],
    environment: {},
    async attacker() {
      const database = new PGlite(dataDir);
      return {
        async query<Row>(text: string, parameters: unknown[] = []) {
          return (await database.query<Row>(text, parameters)).rows;
        },
        close: () => database.close(),
      };
    },
  };
}
tamperCases(
  "PGlite (on disk)",
  {
    fresh: () => pgliteTarget(join(root, `pglite-${++pgliteStores}`)),
    copy(template) {
      const from = (template.location as { dataDir: string }).dataDir;
      const dataDir = join(root, `pglite-${++pgliteStores}`);
      cpSync(from, dataDir, { recursive: true });
      cpSync(`${from}.audit`, `${dataDir}.audit`, { recursive: true });
      return pgliteTarget(dataDir);
    },
  },
  () => rmSync(root, { recursive: true, force: true }),
);

const postgres = await startTestPostgres();
if ("skipped" in postgres) {
  describe("audit tampering on PostgreSQL", () => {
    it(`skipped: ${postgres.skipped}`, { skip: postgres.skipped }, () => {});
  });
} else {
  const pgRoot = mkdtempSync(join(tmpdir(), "alixan-tamper-pg-"));
  let databases = 0;
  const indexOf = new Map<Target, number>();
  /** The PostgreSQL database `tamper_<index>` (created from `template` when given) and its audit directory. */
  const postgresTarget = (template?: number): Target => {
    const index = ++databases;
    const url = postgres.createDatabase(`tamper_${index}`, template === undefined ? undefined : `tamper_${template}`);
    const auditDir = join(pgRoot, `audit-${index}`);
    if (template !== undefined) cpSync(join(pgRoot, `audit-${template}`), auditDir, { recursive: true });
    const target: Target = {
      location: { kind: "postgres", url, auditDir },
      cliArguments: [],
      environment: { DATABASE_URL: url, ALIXAN_AUDIT_DIR: auditDir },
      async attacker() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        return {
          async query<Row>(text: string, parameters: unknown[] = []) {
            return (await client.query(text, parameters)).rows as Row[];
          },
          close: () => client.end(),
        };
      },
    };
    indexOf.set(target, index);
    return target;
  };
  tamperCases(
    "PostgreSQL",
    {
      fresh: () => postgresTarget(),
      copy: (template) => postgresTarget(indexOf.get(template) ?? assert.fail("not a PostgreSQL target of this file")),
    },
    () => {
      postgres.stop();
      rmSync(pgRoot, { recursive: true, force: true });
    },
  );
}
