/**
 * What operators hold on the live twin stays held: a CDU or pump failed through a live event, and a plant's supply
 * set-point, survive a site change (the twin is rebuilt at each) and a restart of the platform on the same store; a
 * unit the change renames keeps its failure under its new id, one it removes loses it; a repair forgets it. The alarm
 * of a failed CDU follows it too: a rename leaves it the same alarm (acknowledged, one `renamed` event, no clearing
 * or second raise), restored under the new key after a restart; the alarm of a CDU removed ends, saying so. What
 * follows from them stays too: the twin a change builds goes on from the one before (racks tripped stay tripped).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import { until as waitFor } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

const dataDir = mkdtempSync(join(tmpdir(), "alixan-live-equipment-"));
let app: ComposedApp;
let url: string;
let operator: string;

/**
 * The lab platform on the store in `dataDir` (seeded at its first start), telemetry (and so the alarm log) beside it,
 * listening on a free port.
 */
async function boot(): Promise<void> {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed: true,
    features: platformFeatures({ speed: 60 }).features,
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
}

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${operator}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
};
const event = (action: string, id: string, supplyC?: number) =>
  call("POST", "/v1/state/events", { action, id, ...(supplyC === undefined ? {} : { supplyC }) });
const failedCdus = async (loop: string) => (await call("GET", `/v1/state/tcs/${loop}`)).body.failedCdus as string[];
const plant = async () => (await call("GET", "/v1/state/plants/plant:lab")).body;
/** Applies `edit` to the site document in force as a new version. */
const changeSite = async (summary: string, edit: (document: Json) => void) => {
  const document = (await call("GET", "/v1/site/document")).body;
  edit(document);
  return call("POST", "/v1/site/changes", { summary, site: document });
};
const activeAlarms = async () => (await call("GET", "/v1/alarms?state=active")).body as unknown as Json[];
/** Waits (10 s at most) for an active alarm matching `test`. */
const waitForAlarm = (what: string, test: (alarm: Json) => boolean) =>
  waitFor(what, async () => (await activeAlarms()).find(test), 10_000);
const alarmEvents = async (alarm?: string) =>
  (await call("GET", `/v1/alarms/history${alarm === undefined ? "" : `?alarm=${alarm}`}`)).body as unknown as Json[];
/** The id of the failed CDU's alarm, acknowledged before the site change renames the CDU. */
let cduAlarm: Json;

before(async () => {
  await boot();
  operator = app.demoKeys!.find((key) => key.role === "facility-operator")!.token;
});
after(async () => {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  // The audit key the first start made beside the store.
  rmSync(`${dataDir}.audit`, { recursive: true, force: true });
});

describe("live equipment held by operators", () => {
  it("keeps failed units and a set-point across a site change that does not touch them", async () => {
    assert.equal((await event("fail-cdu", "cdu:h1-r01-02")).status, 200);
    assert.equal((await event("fail-unit", "pump:lab-fws-01")).status, 200);
    assert.equal((await event("fail-unit", "cdu:h2-r02-02")).status, 200);
    assert.equal((await event("set-supply", "plant:lab", 30)).status, 200);
    // A set-point out of range names the number; an unknown plant names the id.
    const outOfRange = await event("set-supply", "plant:lab", 90);
    assert.equal(outOfRange.status, 400);
    assert.equal(outOfRange.body.errors[0].field, "body.supplyC");
    assert.equal((await event("set-supply", "plant:nowhere", 30)).body.errors[0].field, "body.id");

    const renamedHall = await changeSite("rename hall 2", (document) => {
      document.halls[1].name = "Lab health suite (renamed)";
    });
    assert.equal(renamedHall.status, 201, JSON.stringify(renamedHall.body));
    assert.deepEqual(await failedCdus("tcs:h1-r01"), ["cdu:h1-r01-02"]);
    assert.deepEqual(await failedCdus("tcs:h2-r02"), ["cdu:h2-r02-02"]);
    const after = await plant();
    assert.deepEqual(after.failedUnits, ["pump:lab-fws-01"]);
    assert.equal(after.fwsSupplySetpointC, 30);

    cduAlarm = await waitForAlarm("the failed CDU's alarm", (alarm) => alarm.equipment === "cdu:h1-r01-02");
    assert.equal(cduAlarm.key, "facility-unit-failed|cdu:h1-r01-02");
    const acknowledged = await call("POST", `/v1/alarms/${cduAlarm.id}/acknowledge`, { comment: "crew on the way" });
    assert.equal(acknowledged.status, 200, JSON.stringify(acknowledged.body));
    await waitForAlarm("the removed row's CDU alarm", (alarm) => alarm.equipment === "cdu:h2-r02-02");
  });

  it("carries a failure to a unit's new id and drops the failure of a unit the change removes", async () => {
    const changed = await changeSite("three-digit CDU ids in GPU rows; hall 2 loses its CPU row", (document) => {
      document.rowPatterns["gpu-row"].cdus.unitDigits = 3;
      document.halls[1].rows.pop();
    });
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    assert.deepEqual(await failedCdus("tcs:h1-r01"), ["cdu:h1-r01-002"]);
    assert.equal((await call("GET", "/v1/state/tcs/tcs:h2-r02")).status, 404);
    const held = await app.store.db
      .selectFrom("live_equipment")
      .select(["kind", "subject"])
      .orderBy("subject")
      .execute();
    assert.deepEqual(held, [
      { kind: "failed", subject: "cdu:h1-r01-002" },
      { kind: "supply", subject: "plant:lab" },
      { kind: "failed", subject: "pump:lab-fws-01" },
    ]);

    // The CDU's alarm is the same alarm under the new id, still acknowledged; the next steps name the new id.
    const moved = await waitForAlarm("the alarm reported under the new id", (alarm) =>
      /h1-r01-002/.test(alarm.message),
    );
    assert.equal(moved.id, cduAlarm.id, "the same alarm");
    assert.equal(moved.key, "facility-unit-failed|cdu:h1-r01-002");
    assert.equal(moved.equipment, "cdu:h1-r01-002");
    assert.equal(moved.acknowledged?.comment, "crew on the way", "still acknowledged");
    assert.equal(moved.raisedAt, cduAlarm.raisedAt);
    const history = await alarmEvents(cduAlarm.id);
    assert.deepEqual(
      history.map((event) => event.type).reverse(),
      ["raised", "acknowledged", "renamed"],
      "no clearing, no second raise",
    );
    assert.equal(history[0]!.alarm.key, "facility-unit-failed|cdu:h1-r01-002");
    const raisedForCdus = (await alarmEvents())
      .filter((event) => event.type === "raised" && event.alarm.equipment?.startsWith("cdu:h1-r01-"))
      .map((event) => event.alarmId);
    assert.deepEqual(raisedForCdus, [cduAlarm.id], "no other alarm raised for the CDU");
    // The removed CDU's alarm ended with the change, saying why.
    const removed = (await alarmEvents()).find(
      (event) => event.type === "cleared" && event.alarm.equipment === "cdu:h2-r02-02",
    );
    assert.match(removed?.alarm.message ?? "", /^cdu:h2-r02-02 was removed from the site by a site change/);
    // An alarm raised after the change on an id only the new site has is placed on it (telemetry follows the site).
    const leak = await call("POST", "/v1/telemetry/samples", {
      samples: [
        { name: "leak_detector_state", labels: { equipment: "cdu:h1-r01-001", detector: "Moisture" }, value: 2 },
      ],
    });
    assert.equal(leak.status, 200, JSON.stringify(leak.body));
    const leakAlarm = await waitForAlarm("the leak alarm", (alarm) => alarm.equipment === "cdu:h1-r01-001");
    assert.deepEqual(leakAlarm.rows, ["row:h1-r01"], "placed on the site in force");
  });

  it("restores what is held after a restart on the same store, and a repair forgets it", async () => {
    // A held failure of a unit the site does not have (a store written under another site file) is forgotten.
    await app.store.db
      .insertInto("live_equipment")
      .values({
        kind: "failed",
        subject: "cdu:h9-r99-01",
        supply_c: null,
        actor: "x",
        updated_at: "2026-12-07T00:00:00Z",
      })
      .execute();
    await app.close();
    await boot();
    assert.deepEqual(await failedCdus("tcs:h1-r01"), ["cdu:h1-r01-002"]);
    const restoredAlarm = (await activeAlarms()).find((alarm) => alarm.id === cduAlarm.id);
    assert.equal(restoredAlarm?.key, "facility-unit-failed|cdu:h1-r01-002", "restored under the new key");
    assert.equal(restoredAlarm.acknowledged?.comment, "crew on the way");
    const forgotten = async () =>
      (
        await app.store.db
          .selectFrom("live_equipment")
          .select("subject")
          .where("subject", "=", "cdu:h9-r99-01")
          .execute()
      ).length === 0;
    const until = Date.now() + 10_000;
    while (!(await forgotten())) {
      assert.ok(Date.now() < until, "the unknown unit's held failure is still in the store");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const restored = await plant();
    assert.deepEqual(restored.failedUnits, ["pump:lab-fws-01"]);
    assert.equal(restored.fwsSupplySetpointC, 30);
    assert.equal((await event("repair-cdu", "cdu:h1-r01-002")).status, 200);
    // The state reads serve the twin's last step: the repair shows from the next one (a tick a second).
    const deadline = Date.now() + 10_000;
    while ((await failedCdus("tcs:h1-r01")).length > 0) {
      assert.ok(Date.now() < deadline, "the repaired CDU still shows failed after 10 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const held = await app.store.db.selectFrom("live_equipment").select("subject").orderBy("subject").execute();
    assert.deepEqual(
      held.map((row) => row.subject),
      ["plant:lab", "pump:lab-fws-01"],
    );
    // The watch of the restarted platform kept the restored alarm until the repair cleared it: nothing in between.
    const cleared = await waitFor("the repaired CDU's alarm cleared", async () => {
      const events = await alarmEvents(cduAlarm.id);
      return events[0]?.type === "cleared" ? events : undefined;
    });
    assert.deepEqual(cleared.map((event) => event.type).reverse(), ["raised", "acknowledged", "renamed", "cleared"]);
  });

  it("keeps the racks tripped behind failed CDUs tripped across a change renaming their row, loop and history too", async () => {
    // The twin is rebuilt at each site change and goes on from the one before (`LiveTwin.carryFrom`).
    for (const id of ["cdu:h1-r01-001", "cdu:h1-r01-002"]) assert.equal((await event("fail-cdu", id)).status, 200);
    // The row's four NVL72 racks trip once their loop passes their limit: a few simulated minutes.
    let tripped = 0;
    for (let attempt = 0; attempt < 300 && tripped < 4; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      tripped = (await call("GET", "/v1/state/site")).body.kpis.trippedRacks;
    }
    assert.equal(tripped, 4, "the row's racks tripped");
    const historyBefore = (await call("GET", "/v1/state/history")).body;
    assert.ok(historyBefore.time.length >= 2, `${historyBefore.time.length} history points`);

    // A row added at the head of hall 1: h1-r01 becomes h1-r02, its racks and CDUs take new ids.
    const changed = await changeSite("a row at the head of hall 1", (document) => {
      document.halls[0].rows.unshift({ pattern: "gpu-row", racks: [{ type: "hgx", count: 2 }] });
    });
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    const state = (await call("GET", "/v1/state/site")).body;
    assert.equal(state.kpis.trippedRacks, 4, "still tripped after the change");
    const loop = (await call("GET", "/v1/state/tcs/tcs:h1-r02")).body;
    assert.deepEqual(loop.failedCdus, ["cdu:h1-r02-001", "cdu:h1-r02-002"]);
    assert.ok(loop.supplyC > 45, `the renamed row's loop is still hot: ${loop.supplyC} °C`);
    assert.equal((await call("GET", "/v1/state/racks/rack:h1-r02-01")).body.running, 0);
    assert.equal((await call("GET", "/v1/state/tcs/tcs:h1-r01")).body.supplyC, 39.5, "the new row starts cold");
    const historyAfter = (await call("GET", "/v1/state/history")).body;
    assert.deepEqual(
      historyAfter.time.slice(0, historyBefore.time.length),
      historyBefore.time,
      "the history keeps its points",
    );
  });
});
