/**
 * The store conformance suite: one set of tests that every driver must pass (PGlite in memory, PGlite on disk,
 * PostgreSQL). Each driver's test file calls `runStoreConformance` with a way to open a fresh store.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { AppError } from "../core/errors.ts";
import { type RequestContext, systemPrincipal, TenancyService } from "../tenancy/service.ts";
import { disableAuditProtection, recordHash, verifyAuditChain } from "./audit.ts";
import type { Store } from "./database.ts";

const context: RequestContext = { principal: systemPrincipal("conformance"), requestId: "req-conformance" };

/** The store a driver's suite opened in its `before` hook, and the tenancy service over it. */
interface Opened {
  readonly store: Store;
  readonly tenancy: TenancyService;
}

/** Registers the conformance tests for a driver. `open` must return a fresh, empty, migrated store. */
export function runStoreConformance(driver: string, open: () => Promise<Store>, teardown?: () => void): void {
  describe(`store conformance: ${driver}`, () => {
    let store: Store;
    let tenancy: TenancyService;

    before(async () => {
      store = await open();
      tenancy = new TenancyService(store.db);
    });
    after(async () => {
      await store.close();
      teardown?.();
    });

    // Registered in order on one store: the audit tests check the chain the tenancy tests wrote.
    const opened = (): Opened => ({ store, tenancy });
    tenancyConformance(opened);
    auditConformance(opened);
  });
}

/** A new user of the tenant the suite creates (email: their name, lower case, at pharma.example) and a key of theirs. */
async function userWithKey(tenancy: TenancyService, name: string, role: string, keyName: string) {
  const user = await tenancy.createUser(context, {
    tenantId: "pharma-rhone",
    name,
    email: `${name.toLowerCase()}@pharma.example`,
    role,
  });
  return { user, ...(await tenancy.createApiKey(context, { userId: user.id, name: keyName })) };
}

/** Tenants, projects, users and API keys: creation, duplicates refused, keys authenticated and revoked. */
function tenancyConformance(opened: () => Opened): void {
  it("creates tenants, projects, users and keys, and authenticates the key", async () => {
    const { store, tenancy } = opened();
    await tenancy.createTenant(context, { id: "pharma-rhone", name: "Pharma Rhône", kind: "pharma" });
    const project = await tenancy.createProject(context, { tenantId: "pharma-rhone", name: "docking" });
    const { user, key, token } = await userWithKey(tenancy, "Ana", "tenant-member", "laptop");
    assert.match(token, /^alx_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    const principal = await tenancy.authenticate(token);
    assert.deepEqual(principal, {
      userId: user.id,
      tenantId: "pharma-rhone",
      role: "tenant-member",
      name: "Ana",
      keyId: key.id,
    });
    const wrong = `${token.slice(0, -1)}${token.endsWith("x") ? "y" : "x"}`;
    assert.equal(await tenancy.authenticate(wrong), undefined, "a wrong secret is refused");
    const stored = await store.db.selectFrom("api_keys").selectAll().where("id", "=", key.id).executeTakeFirstOrThrow();
    // The secret is everything after `alx_<12 hex>_` (base64url, so it may itself contain `_`).
    const secret = token.slice("alx_".length + 12 + 1);
    assert.equal(secret.length, 32);
    assert.ok(!JSON.stringify(stored).includes(secret), "the secret is not stored");
    assert.equal((await tenancy.listProjects(context, { limit: 10 }, "pharma-rhone")).items[0]?.id, project.id);
  });

  it("refuses duplicates with a conflict naming the field, and writes nothing", async () => {
    const { store, tenancy } = opened();
    const before = await verifyAuditChain(store.db);
    await assert.rejects(
      tenancy.createTenant(context, { id: "pharma-rhone", name: "Again", kind: "pharma" }),
      (error: unknown) => error instanceof AppError && error.kind === "conflict" && error.field === "id",
    );
    const afterwards = await verifyAuditChain(store.db);
    assert.equal(afterwards.records, before.records, "a failed mutation leaves no audit record");
  });

  it("revoked keys stop authenticating", async () => {
    const { tenancy } = opened();
    const { key, token } = await userWithKey(tenancy, "Bo", "tenant-admin", "ci");
    assert.ok(await tenancy.authenticate(token));
    await tenancy.revokeApiKey(context, key.id);
    assert.equal(await tenancy.authenticate(token), undefined);
  });
}

/** The newest record of the store's audit log. */
function lastAuditRecord(store: Store) {
  return store.db.selectFrom("audit_log").selectAll().orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
}

/**
 * The audit chain after the tenancy tests' mutations: order under concurrency, append-only protection, the keyed MAC
 * and its checkpoint, and tamper detection once protection is bypassed (last: it breaks the chain).
 */
function auditConformance(opened: () => Opened): void {
  it("chains audit records and verifies them", async () => {
    const { store } = opened();
    const verification = await verifyAuditChain(store.db);
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
    assert.ok(verification.records >= 6);
    const last = await lastAuditRecord(store);
    assert.equal(last.action, "key.revoke");
    assert.equal(last.actor, "system:conformance");
    assert.equal(last.request_id, "req-conformance");
  });

  it("keeps the chain in order under concurrent mutations", async () => {
    const { store, tenancy } = opened();
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        tenancy.createProject(context, { tenantId: "pharma-rhone", name: `parallel-${index}` }),
      ),
    );
    const verification = await verifyAuditChain(store.db);
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
  });

  it("refuses to update, delete or truncate audit records", async () => {
    const { store } = opened();
    await assert.rejects(sql`update audit_log set actor = 'mallory' where seq = 1`.execute(store.db), /append-only/);
    await assert.rejects(sql`delete from audit_log where seq = 1`.execute(store.db), /append-only/);
    await assert.rejects(sql`truncate audit_log`.execute(store.db), /append-only/);
  });

  it("chains records with a keyed MAC and checkpoints the head outside the store", async () => {
    const { store } = opened();
    await store.audit.flush();
    const last = await lastAuditRecord(store);
    assert.equal(last.chain, "hmac-sha256");
    // Plain SHA-256 of the same content (what an attacker without the key would compute) is not the chain value.
    assert.notEqual(
      last.hash,
      recordHash({
        seq: Number(last.seq),
        at: last.at,
        actor: last.actor,
        action: last.action,
        resource: last.resource,
        before: last.before,
        after: last.after,
        requestId: last.request_id,
        prevHash: last.prev_hash,
      }),
    );
    const checkpoints = store.audit.checkpoints();
    assert.equal(checkpoints.last?.seq, Number(last.seq));
    assert.equal(checkpoints.last?.mac, last.hash);
  });

  it("detects edited, deleted and reordered records once protection is bypassed", async () => {
    const { store } = opened();
    await disableAuditProtection(store.db);
    await sql`update audit_log set actor = 'mallory' where seq = 2`.execute(store.db);
    let verification = await verifyAuditChain(store.db);
    assert.equal(verification.ok, false);
    assert.deepEqual(
      verification.problems.map((problem) => [problem.seq, problem.kind]),
      [
        [2, "edited"],
        [null, "trigger"],
      ],
      "exactly the edited record is named, and the disabled trigger",
    );
    assert.match(verification.problems[0]!.problem, /edited/);
    assert.deepEqual(verification.firstProblem, verification.problems[0]);
    await sql`delete from audit_log where seq = 4`.execute(store.db);
    verification = await verifyAuditChain(store.db);
    assert.ok(verification.problems.some((problem) => problem.seq === 5 && /missing/.test(problem.problem)));
    const maximum = await store.db
      .selectFrom("audit_log")
      .select(sql<number>`max(seq)`.as("seq"))
      .executeTakeFirstOrThrow();
    await sql`delete from audit_log where seq = ${Number(maximum.seq)}`.execute(store.db);
    verification = await verifyAuditChain(store.db);
    assert.ok(verification.problems.some((problem) => /removed from the end/.test(problem.problem)));
    assert.ok(verification.problems.some((problem) => problem.kind === "truncated"));
  });
}
