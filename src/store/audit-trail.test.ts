/**
 * The audit trail's files and their failure modes: where the key and checkpoint go and with which permissions, an
 * operator's key, the publish command (arguments, no shell, bounded, failures logged), a legacy SHA-256 store
 * upgraded in place, and the refusals that keep a writer from papering over evidence.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, Migrator, sql } from "kysely";
import { systemPrincipal, TenancyService } from "../tenancy/service.ts";
import { recordHash, verifyAuditChain } from "./audit.ts";
import { AuditTrail, parsePublishCommand } from "./audit-trail.ts";
import { openStore } from "./database.ts";
import { migrationProvider } from "./migrations.ts";
import { PgliteDialect } from "./pglite-dialect.ts";
import type { Database } from "./schema.ts";

const context = { principal: systemPrincipal("trail-test"), requestId: "req-trail" };
const root = mkdtempSync(join(tmpdir(), "alixan-trail-"));
let directories = 0;
const fresh = () => join(root, `store-${++directories}`);

async function addTenant(dataDir: string, id: string, environment: NodeJS.ProcessEnv = {}) {
  const store = await openStore({ kind: "pglite", dataDir }, { environment });
  await new TenancyService(store.db).createTenant(context, { id, name: id, kind: "campus" });
  await store.close();
}

describe("audit trail files", () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it("creates the key 0600 and the head checkpoint beside the data directory, never inside it", async () => {
    const dataDir = fresh();
    await addTenant(dataDir, "first");
    const key = `${dataDir}.audit/key`;
    const head = `${dataDir}.audit/head.log`;
    assert.equal(statSync(key).mode & 0o777, 0o600);
    assert.equal(statSync(head).mode & 0o777, 0o600);
    assert.equal(statSync(`${dataDir}.audit`).mode & 0o777, 0o700);
    assert.match(readFileSync(key, "utf8"), /^[0-9a-f]{64}\n$/);
    const lines = readFileSync(head, "utf8").trim().split("\n");
    assert.match(lines[0]!, /^# alixan audit head checkpoint: .* key [0-9a-f]{16}$/);
    assert.match(lines.at(-1)!, /^1 [0-9a-f]{64} \d{4}-\d\d-\d\dT/);
    assert.ok(!existsSync(join(dataDir, "key")) && !existsSync(join(dataDir, "head.log")));
    // The same key is used on the next start: the chain keeps verifying.
    await addTenant(dataDir, "second");
    const store = await openStore({ kind: "pglite", dataDir }, { audit: "verify" });
    const verification = await verifyAuditChain(store.db);
    await store.close();
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
    assert.equal(verification.keyedRecords, 2);
    assert.equal(verification.checkpoint?.seq, 2);
  });

  it("takes an operator's key file, and refuses one other users can read", async () => {
    const dataDir = fresh();
    const keyFile = join(root, `operator-${directories}.key`);
    writeFileSync(keyFile, `${"ab".repeat(32)}\n`, { mode: 0o644 });
    chmodSync(keyFile, 0o644);
    await assert.rejects(
      addTenant(dataDir, "loose", { ALIXAN_AUDIT_KEY_FILE: keyFile }),
      /audit key file .* is open to other users \(mode 0644\): run chmod 600/,
    );
    chmodSync(keyFile, 0o600);
    await addTenant(dataDir, "tight", { ALIXAN_AUDIT_KEY_FILE: keyFile });
    assert.ok(!existsSync(`${dataDir}.audit/key`), "no key generated when the operator gives one");
    const without = await openStore({ kind: "pglite", dataDir }, { audit: "verify" });
    const missing = await verifyAuditChain(without.db);
    await without.close();
    assert.equal(missing.ok, false, "without the operator's key, keyed records cannot be verified");
    assert.equal(missing.firstProblem?.kind, "key");
    const withKey = await openStore(
      { kind: "pglite", dataDir },
      { audit: "verify", environment: { ALIXAN_AUDIT_KEY_FILE: keyFile } },
    );
    assert.equal((await verifyAuditChain(withKey.db)).ok, true);
    await withKey.close();
  });

  it("verification creates nothing: no key, no checkpoint", async () => {
    const dataDir = fresh();
    const store = await openStore({ kind: "pglite", dataDir }, { audit: "verify" });
    assert.equal((await verifyAuditChain(store.db)).ok, true);
    await store.close();
    assert.ok(!existsSync(`${dataDir}.audit`));
  });

  it("refuses to start when the checkpoint is gone but keyed records exist; an empty file starts it again", async () => {
    const dataDir = fresh();
    await addTenant(dataDir, "one");
    rmSync(`${dataDir}.audit/head.log`);
    await assert.rejects(addTenant(dataDir, "two"), /head checkpoint .* is missing .* create it empty/);
    writeFileSync(`${dataDir}.audit/head.log`, "", { mode: 0o600 });
    await addTenant(dataDir, "two");
    const store = await openStore({ kind: "pglite", dataDir }, { audit: "verify" });
    const verification = await verifyAuditChain(store.db);
    await store.close();
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
    assert.equal(verification.checkpoint?.seq, 2);
  });

  it("refuses a key that is not the one the checkpoint was written with, and never replaces a lost key", async () => {
    const dataDir = fresh();
    await addTenant(dataDir, "one");
    const original = readFileSync(`${dataDir}.audit/key`, "utf8");
    writeFileSync(`${dataDir}.audit/key`, `${"cd".repeat(32)}\n`, { mode: 0o600 });
    await assert.rejects(addTenant(dataDir, "two"), /is not the key the head checkpoint .* was written with/);
    rmSync(`${dataDir}.audit/key`);
    await assert.rejects(
      addTenant(dataDir, "two"),
      /audit key file .* is missing but the audit log holds keyed records/,
    );
    assert.ok(!existsSync(`${dataDir}.audit/key`), "no new key was written in its place");
    writeFileSync(`${dataDir}.audit/key`, original, { mode: 0o600 });
    await addTenant(dataDir, "two");
  });

  it("runs the publish command with seq, mac and time as arguments (no shell), and survives it failing", async () => {
    const dataDir = fresh();
    const published = join(root, `published-${directories}.txt`);
    const script = join(root, `publish-${directories}.sh`);
    writeFileSync(script, `#!/bin/sh\necho "$@" >> '${published}'\n`, { mode: 0o700 });
    // A shell would run the `touch`: spawned with arguments, it is only an odd argument.
    const injected = join(root, `injected-${directories}`);
    const command = JSON.stringify([script, `; touch ${injected}`]);
    await addTenant(dataDir, "one", { ALIXAN_AUDIT_PUBLISH_COMMAND: command });
    await addTenant(dataDir, "two", { ALIXAN_AUDIT_PUBLISH_COMMAND: command });
    const lines = readFileSync(published, "utf8").trim().split("\n");
    const head = readFileSync(`${dataDir}.audit/head.log`, "utf8").trim().split("\n").at(-1)!;
    assert.equal(lines.at(-1), `; touch ${injected} ${head}`);
    assert.ok(!existsSync(injected));
    const logged: string[] = [];
    const trail = AuditTrail.open(
      "write",
      { keyFile: undefined, headFile: undefined, publishCommand: [join(root, "no-such-command")] },
      (line) => logged.push(line),
    );
    const failing = await openStore({ kind: "pglite", dataDir: "memory" });
    await trail.bind(failing.db);
    await trail.startCheckpointing();
    await sql`update audit_head set seq = 1 where id = 1`.execute(failing.db);
    trail.noteAppend(1);
    await trail.close();
    await failing.close();
    assert.match(logged.join("\n"), /publishing head 1 failed: spawn .*no-such-command ENOENT/);
    assert.deepEqual(parsePublishCommand("/usr/local/bin/publish-head"), ["/usr/local/bin/publish-head"]);
    assert.throws(() => parsePublishCommand("[1, 2]"), /JSON array of strings/);
  });

  it("upgrades a legacy SHA-256 store in place: old records verify, the first keyed one anchors on their head", async () => {
    const dataDir = fresh();
    // The store as the previous release left it: migrations up to 0003, records chained with plain SHA-256.
    const database = new PGlite(dataDir);
    const legacy = new Kysely<Database>({ dialect: new PgliteDialect(database) });
    const migrated = await new Migrator({ db: legacy, provider: migrationProvider }).migrateTo("0003_job_execution");
    assert.equal(migrated.error, undefined);
    let prevHash = "0".repeat(64);
    for (let seq = 1; seq <= 3; seq++) {
      const fields = {
        seq,
        at: `2026-01-0${seq}T00:00:00.000Z`,
        actor: "system:cli",
        action: "tenant.create",
        resource: `tenant:old-${seq}`,
        before: null,
        after: { id: `old-${seq}` },
        requestId: `cli-${seq}`,
        prevHash,
      };
      const hash = recordHash(fields);
      await sql`insert into audit_log (seq, at, actor, action, resource, before, after, request_id, prev_hash, hash)
        values (${seq}, ${fields.at}, ${fields.actor}, ${fields.action}, ${fields.resource}, 'null',
                ${JSON.stringify(fields.after)}, ${fields.requestId}, ${prevHash}, ${hash})`.execute(legacy);
      await sql`update audit_head set seq = ${seq}, hash = ${hash} where id = 1`.execute(legacy);
      prevHash = hash;
    }
    await legacy.destroy();
    await addTenant(dataDir, "new");
    let store = await openStore({ kind: "pglite", dataDir }, { audit: "verify" });
    const verification = await verifyAuditChain(store.db);
    const first = await store.db.selectFrom("audit_log").selectAll().where("seq", "=", 4).executeTakeFirstOrThrow();
    await store.close();
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
    assert.deepEqual([verification.records, verification.keyedRecords], [4, 1]);
    assert.equal(first.chain, "hmac-sha256");
    assert.equal(first.prev_hash, prevHash, "the first keyed record anchors on the legacy head");
    // An edit to a legacy record, with the legacy chain recomputed, is caught at the checkpoint and where the keyed
    // chain begins.
    const attacker = new Kysely<Database>({ dialect: new PgliteDialect(new PGlite(dataDir)) });
    await sql`alter table audit_log disable trigger audit_log_no_rewrite`.execute(attacker);
    let previous = "0".repeat(64);
    for (const row of await attacker
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", "<=", 3)
      .orderBy("seq")
      .execute()) {
      const actor = Number(row.seq) === 2 ? "mallory" : row.actor;
      const hash = recordHash({
        seq: Number(row.seq),
        at: row.at,
        actor,
        action: row.action,
        resource: row.resource,
        before: row.before,
        after: row.after,
        requestId: row.request_id,
        prevHash: previous,
      });
      await sql`update audit_log set actor = ${actor}, prev_hash = ${previous}, hash = ${hash} where seq = ${row.seq}`.execute(
        attacker,
      );
      previous = hash;
    }
    await sql`alter table audit_log enable trigger audit_log_no_rewrite`.execute(attacker);
    await attacker.destroy();
    store = await openStore({ kind: "pglite", dataDir }, { audit: "verify" });
    const tampered = await verifyAuditChain(store.db);
    await store.close();
    assert.equal(tampered.ok, false);
    // The legacy head was checkpointed at the upgrade, and the first keyed record's MAC covers it.
    assert.deepEqual(
      tampered.problems.map((problem) => [problem.seq, problem.kind]),
      [
        [3, "checkpoint"],
        [4, "chain"],
      ],
    );
  });
});
