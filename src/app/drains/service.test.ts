/**
 * The drain service on both store drivers (PGlite in memory, and PostgreSQL 15 when it can be started): drains are
 * stored with their window and policy, listed newest first by state with a total and a cursor, resumed once, read back
 * by a new service (a restart), and every creation and resumption is in the audit chain. The service feeds the
 * scheduler the drains in force only.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestPostgres } from "../../../test/support/postgres.ts";
import { loadSite, parseSite } from "../../model/load.ts";
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

    it("feeds a scheduled drain from its start and drops it at its end, before its timer runs", async () => {
      // The view says `active` from startsAt on; the timer that works the drains out again fires a few ms later (later
      // on a busy event loop), and a job placed in between landed on the drained racks. No timer runs here (never
      // started): the scheduler's reads alone must see each boundary.
      const drains = service();
      await drains.load();
      const startsAt = nowMs + 60_000;
      const made = await drains.create(context, {
        target: "row:h1-r01",
        reason: "pump swap",
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 60_000).toISOString(),
      });
      const version = drains.version;
      assert.ok(!drains.drains.some((drain) => drain.id === made.id), "not in force before its start");
      nowMs = startsAt;
      assert.equal((await drains.get(made.id)).state, "active");
      assert.ok(drains.version > version, "the version moves at the start, so the drain check reads again");
      assert.ok(
        drains.drains.some((drain) => drain.id === made.id),
        "in force from its start",
      );
      nowMs = startsAt + 60_000;
      assert.equal((await drains.get(made.id)).state, "ended");
      assert.ok(!drains.drains.some((drain) => drain.id === made.id), "out of force from its end");
    });
  });
}

runDrainStoreTests("PGlite", () => openStore({ kind: "pglite", dataDir: "memory" }));

describe("drain service: site changes and the units drained", () => {
  const lab = readFileSync(new URL("../../../sites/lab.yaml", import.meta.url), "utf8");
  const gpuCdus = "cdus: { model: cdu-800, count: 2, redundancy: N+1 }";
  /** The lab with its GPU rows' CDUs `count` each (and `unitDigits` when given). */
  const labWith = (count: number, digits = "") => {
    assert.ok(lab.includes(gpuCdus), "the lab line this test edits");
    return parseSite(lab.replace(gpuCdus, gpuCdus.replace("count: 2", `count: ${count}${digits}`)), {
      today: "2026-11-25",
    }).site!;
  };
  let store: Store;
  before(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory" });
  });
  after(async () => {
    await store.close();
  });

  it("lets a CDU's group grow past 99 under its drain, and reads a change of its digits as such", async () => {
    const [ninetyNine, hundred, threeDigits] = [labWith(99), labWith(100), labWith(100, ", unitDigits: 3")];
    const drains = new DrainService(store, { engine: () => undefined, site: () => ninetyNine });
    await drains.load();
    await drains.create(context, { target: "cdu:h1-r01-99", reason: "pump seal" });
    // The 100th CDU is added; the drained one keeps its name (it was cdu:h1-r01-099 before session 18: refused).
    drains.checkSiteChange(ninetyNine, hundred);
    // Three digits stated: the drained CDU would be renamed, and the refusal says it is only the digits.
    assert.throws(
      () => drains.checkSiteChange(hundred, threeDigits),
      (error: Error) =>
        /cdu:h1-r01-99 would be cdu:h1-r01-099/.test(error.message) &&
        /Only the digits of the ids change \(.*unitDigits/.test(error.message),
    );
  });
});

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
