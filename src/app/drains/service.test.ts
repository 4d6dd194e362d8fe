/**
 * The drain service on both store drivers (PGlite in memory, and PostgreSQL 15 when it can be started): drains are
 * stored with their window and policy, listed newest first by state with a total and a cursor, resumed once, read back
 * by a new service (a restart), and every creation and resumption is in the audit chain. The service feeds the
 * scheduler the drains in force only.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestPostgres } from "../../../test/support/postgres.ts";
import { loadSite } from "../../model/load.ts";
import { verifyAuditChain } from "../../store/audit.ts";
import { openStore, type Store } from "../../store/database.ts";
import { type RequestContext, systemPrincipal } from "../../tenancy/service.ts";
import { DrainService } from "./service.ts";

const site = loadSite("lab").site!;
const context: RequestContext = { principal: systemPrincipal("drains-test"), requestId: "req-drains" };

function runDrainStoreTests(driver: string, open: () => Promise<Store>, teardown?: () => void): void {
  describe(`drain service: ${driver}`, () => {
    let store: Store;
    let nowMs = Date.parse("2026-06-01T08:00:00.000Z");
    const service = () => new DrainService(store, { engine: () => undefined, site: () => site, clock: () => nowMs });

    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
      teardown?.();
    });

    it("stores, lists by state with totals and cursors, resumes, and reads drains back after a restart", async () => {
      const drains = service();
      await drains.load();
      const hour = 3_600_000;
      const active = await drains.create(context, { target: "busway:h1-r02-b", reason: "retorque", policy: "requeue" });
      nowMs += 1000;
      const scheduled = await drains.create(context, {
        target: "hall:h2",
        reason: "UPS test",
        startsAt: new Date(nowMs + 2 * hour).toISOString(),
        endsAt: new Date(nowMs + 4 * hour).toISOString(),
      });
      nowMs += 1000;
      const windowed = await drains.create(context, {
        target: "rack:h1-r03-05",
        reason: "PSU swap",
        endsAt: new Date(nowMs + hour).toISOString(),
        policy: "deadline",
        deadline: new Date(nowMs + hour / 2).toISOString(),
      });
      assert.deepEqual([active.state, scheduled.state, windowed.state], ["active", "scheduled", "active"]);
      assert.deepEqual([active.area, active.racks, scheduled.racks], ["row:h1-r02", 8, 12]);
      assert.deepEqual(
        drains.drains.map((drain) => drain.id),
        [active.id, windowed.id],
        "the scheduler is fed the drains in force only",
      );

      const all = await drains.list({ limit: 2 });
      assert.equal(all.total, 3);
      assert.deepEqual(
        all.items.map((item) => item.id),
        [windowed.id, scheduled.id],
      );
      const rest = await drains.list({ limit: 2, cursor: all.nextCursor });
      assert.deepEqual(
        rest.items.map((item) => item.id),
        [active.id],
      );
      assert.equal(rest.nextCursor, undefined);
      assert.equal((await drains.list({ limit: 10, state: "scheduled" })).total, 1);
      assert.equal((await drains.list({ limit: 10, state: "active" })).total, 2);

      const versionBefore = drains.version;
      const resumed = await drains.resume(context, active.id);
      assert.equal(resumed.state, "ended");
      assert.equal(resumed.resumedBy, context.principal.userId);
      assert.ok(drains.version > versionBefore);
      await assert.rejects(drains.resume(context, active.id), /already ended/);
      await assert.rejects(drains.get("drn_000000000000"), /no drain/);

      // Later: the windowed drain has ended by its window, the scheduled one is in force.
      nowMs += 3 * hour;
      const restarted = service();
      await restarted.load();
      assert.deepEqual(
        restarted.drains.map((drain) => drain.id),
        [scheduled.id],
      );
      assert.equal((await restarted.get(windowed.id)).state, "ended");
      assert.equal((await restarted.list({ limit: 10, state: "ended" })).total, 2);
      assert.equal((await restarted.list({ limit: 10, state: "active" })).total, 1);
      assert.equal((await restarted.list({ limit: 10, state: "scheduled" })).total, 0);

      const actions = await store.db
        .selectFrom("audit_log")
        .select(["action", "resource"])
        .where("action", "like", "drain.%")
        .orderBy("seq")
        .execute();
      assert.deepEqual(
        actions.map((row) => `${row.action} ${row.resource}`),
        [
          `drain.create drain:${active.id}`,
          `drain.create drain:${scheduled.id}`,
          `drain.create drain:${windowed.id}`,
          `drain.resume drain:${active.id}`,
        ],
      );
      assert.equal((await verifyAuditChain(store.db)).ok, true);
    });
  });
}

runDrainStoreTests("PGlite", () => openStore({ kind: "pglite", dataDir: "memory" }));

const postgres = await startTestPostgres();
if ("skipped" in postgres) {
  describe("drain service: PostgreSQL", () => {
    it(`skipped: ${postgres.skipped}`, { skip: postgres.skipped }, () => {});
  });
} else {
  const auditRoot = mkdtempSync(join(tmpdir(), "alixan-pg-drains-"));
  runDrainStoreTests(
    "PostgreSQL",
    async () => openStore({ kind: "postgres", url: postgres.createDatabase("drains"), auditDir: auditRoot }),
    () => {
      postgres.stop();
      rmSync(auditRoot, { recursive: true, force: true });
    },
  );
}
