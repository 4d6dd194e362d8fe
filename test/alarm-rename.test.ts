/**
 * An alarm follows its equipment across a rename: a CDU failed through a live event raises its facility alarm; an
 * operator acknowledges it; a site change gives the CDU another id (its group's digits). The alarm is then the same
 * alarm under the new id, still acknowledged, with one `renamed` event and no clearing or second raise; and a restart
 * of the platform on the same store restores it under the new key.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import { callApi } from "./support/api.ts";
import { until } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

const dataDir = mkdtempSync(join(tmpdir(), "alixan-alarm-rename-"));
let app: ComposedApp;
let url: string;
let operator: string;

/** The lab platform on the store in `dataDir`, telemetry (and so the alarm log) beside it on disk. */
async function boot(): Promise<void> {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed: true,
    features: platformFeatures({ speed: 60 }).features,
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
}

const call = (method: string, path: string, body?: unknown) => callApi(url, method, path, operator, body);
/** Applies `edit` to the site document in force as a new version. */
const changeSite = async (summary: string, edit: (document: Json) => void) => {
  const document = (await call("GET", "/v1/site/document")).body;
  edit(document);
  return call("POST", "/v1/site/changes", { summary, site: document });
};
const activeAlarms = async () => (await call("GET", "/v1/alarms?state=active")).body as Json[];
/** Waits (10 s at most) for an active alarm matching `test`. */
const waitForAlarm = (what: string, test: (alarm: Json) => boolean) =>
  until(what, async () => (await activeAlarms()).find(test), 10_000);

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

describe("an alarm across a rename of its equipment", () => {
  let id: string;

  it("stays the same acknowledged alarm under the CDU's new id, with one renamed event", async () => {
    assert.equal((await call("POST", "/v1/state/events", { action: "fail-cdu", id: "cdu:h1-r01-02" })).status, 200);
    const raised = await waitForAlarm("alarm of the failed CDU", (alarm) => alarm.equipment === "cdu:h1-r01-02");
    id = raised.id;
    assert.equal(raised.key, "facility-unit-failed|cdu:h1-r01-02");
    const acknowledged = await call("POST", `/v1/alarms/${id}/acknowledge`, { comment: "crew on the way" });
    assert.equal(acknowledged.status, 200, JSON.stringify(acknowledged.body));

    const changed = await changeSite("three-digit CDU ids in GPU rows", (document) => {
      document.rowPatterns["gpu-row"].cdus.unitDigits = 3;
    });
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    // The next steps of the rebuilt twin report the failure under the new id: the alarm's message names it.
    const moved = await waitForAlarm("alarm under the new id", (alarm) => /h1-r01-002/.test(alarm.message));
    assert.equal(moved.id, id, "the same alarm");
    assert.equal(moved.key, "facility-unit-failed|cdu:h1-r01-002");
    assert.equal(moved.equipment, "cdu:h1-r01-002");
    assert.equal(moved.acknowledged?.comment, "crew on the way", "still acknowledged");
    assert.equal(moved.raisedAt, raised.raisedAt);
    assert.equal((await activeAlarms()).filter((alarm) => alarm.source === "facility-unit-failed").length, 1);

    const history = (await call("GET", `/v1/alarms/history?alarm=${id}`)).body as Json[];
    assert.deepEqual(
      history.map((event) => event.type).reverse(),
      ["raised", "acknowledged", "renamed"],
      "no clearing, no second raise",
    );
    assert.equal(history[0]!.alarm.key, "facility-unit-failed|cdu:h1-r01-002");
    const all = (await call("GET", "/v1/alarms/history")).body as Json[];
    assert.deepEqual(
      all
        .filter((event) => event.type === "raised" && event.alarm.source === "facility-unit-failed")
        .map((e) => e.alarmId),
      [id],
      "no other alarm raised for the CDU",
    );
  });

  it("is restored under the new key after a restart on the same store", async () => {
    await app.close();
    await boot();
    const restored = (await activeAlarms()).find((alarm) => alarm.id === id);
    assert.ok(restored, "the alarm is active after the restart");
    assert.equal(restored.key, "facility-unit-failed|cdu:h1-r01-002");
    assert.equal(restored.acknowledged?.comment, "crew on the way");
    // The watch of the restarted platform reports the CDU (still failed) under that key: the same alarm stays.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const after = (await activeAlarms()).filter((alarm) => alarm.source === "facility-unit-failed");
    assert.deepEqual(
      after.map((alarm) => alarm.id),
      [id],
    );
    const history = (await call("GET", `/v1/alarms/history?alarm=${id}`)).body as Json[];
    assert.equal(history.filter((event) => event.type === "cleared").length, 0);
  });
});
