/**
 * A site change does not rewrite what the floor shows: the live twin is rebuilt at each change, and the new one goes
 * on from the old one's state. Racks tripped behind failed CDUs stay tripped under their new ids, their loop stays
 * hot, and the history keeps its points.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

const dataDir = mkdtempSync(join(tmpdir(), "alixan-live-carry-"));
let app: ComposedApp;
let url: string;
let operator: string;

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

before(async () => {
  // A simulated minute per second: the failed CDUs' racks trip within seconds.
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed: true,
    features: platformFeatures({ speed: 60, telemetryInMemory: true }).features,
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  operator = app.demoKeys!.find((key) => key.role === "facility-operator")!.token;
});
after(async () => {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the live twin across a site change", () => {
  it("keeps the racks tripped behind failed CDUs tripped, under their row's new id, with its loop and history", async () => {
    for (const id of ["cdu:h1-r01-01", "cdu:h1-r01-02"]) {
      assert.equal((await call("POST", "/v1/state/events", { action: "fail-cdu", id })).status, 200);
    }
    // The row's four NVL72 racks trip once their loop passes their limit: a few simulated minutes.
    let tripped = 0;
    for (let attempt = 0; attempt < 300 && tripped < 4; attempt++) {
      await sleep(100);
      tripped = (await call("GET", "/v1/state/site")).body.kpis.trippedRacks;
    }
    assert.equal(tripped, 4, "the row's racks tripped");
    const historyBefore = (await call("GET", "/v1/state/history")).body;
    assert.ok(historyBefore.time.length >= 2, `${historyBefore.time.length} history points`);

    // A row added at the head of hall 1: h1-r01 becomes h1-r02, its racks and CDUs take new ids.
    const document = (await call("GET", "/v1/site/document")).body;
    document.halls[0].rows.unshift({ pattern: "gpu-row", racks: [{ type: "hgx", count: 2 }] });
    const changed = await call("POST", "/v1/site/changes", { summary: "a row at the head of hall 1", site: document });
    assert.equal(changed.status, 201, JSON.stringify(changed.body));

    const state = (await call("GET", "/v1/state/site")).body;
    assert.equal(state.kpis.trippedRacks, 4, "still tripped after the change");
    const loop = (await call("GET", "/v1/state/tcs/tcs:h1-r02")).body;
    assert.deepEqual(loop.failedCdus, ["cdu:h1-r02-01", "cdu:h1-r02-02"]);
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
