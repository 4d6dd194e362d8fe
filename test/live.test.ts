/**
 * Live mode: the twin runs accelerated on the lab site and every /v1/state endpoint, the SSE stream, live events
 * and what-if answer from it; its figures reach telemetry through the same path as equipment.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Value } from "typebox/value";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import type { liveFeature } from "../src/app/features/live.ts";
import { WhatIfResultSchema } from "../src/app/features/live-schemas.ts";
import { whatIfWorkers } from "../src/app/features/whatif-pool.ts";
import { jobSpec } from "../src/scheduler/jobs.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

let app: ComposedApp;
let url: string;
let operator: string;
let member: string;
let features: ReturnType<typeof platformFeatures>;

const get = async (path: string, key = operator) => {
  const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Json };
};
const post = async (path: string, body: unknown, key = operator) => {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
};
const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

/** The platform on the lab site in memory, seeded, listening on a free port. */
async function labPlatform(platform: ReturnType<typeof platformFeatures>): Promise<{ app: ComposedApp; url: string }> {
  const started = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: platform.features,
  });
  return { app: started, url: await started.server.listen({ port: 0, host: "127.0.0.1" }) };
}

before(async () => {
  features = platformFeatures({ speed: 120, telemetryInMemory: true, demoLoad: 0.5 });
  ({ app, url } = await labPlatform(features));
  operator = app.demoKeys!.find((key) => key.role === "facility-operator")!.token;
  member = app.demoKeys!.find((key) => key.role === "tenant-member")!.token;
});
after(async () => {
  await app.close();
});

describe("live state", () => {
  it("serves site KPIs, plants, racks, loops and history to staff only", async () => {
    const site = await get("/v1/state/site");
    assert.equal(site.status, 200);
    assert.equal(site.body.mode, "simulated");
    assert.ok(
      site.body.kpis.itKW > 0 && site.body.kpis.pue > 1 && site.body.kpis.pue < 1.5,
      JSON.stringify(site.body.kpis),
    );
    assert.equal(site.body.plants[0].id, "plant:lab");
    // Each hall's air, racks' mass and slab and walls, all at what its air handlers hold in normal operation.
    assert.deepEqual(
      site.body.halls.map((hall: { id: string }) => hall.id),
      ["hall:h1", "hall:h2"],
    );
    const { airC, rackMassC, slabAndWallsC, envelopeLossKW } = site.body.halls[0];
    assert.ok(airC > 20 && airC < 27 && rackMassC === airC && slabAndWallsC === airC, JSON.stringify(site.body.halls));
    assert.equal(envelopeLossKW, 0);
    assert.equal((await get("/v1/state/site", member)).status, 403);

    const racks = await get("/v1/state/racks?field=powerKW");
    assert.equal(racks.body.values.length, 36);
    assert.equal(racks.body.unit, "kW");
    assert.equal((await get("/v1/state/racks?field=voltage")).status, 400);

    const rack = await get("/v1/state/racks/rack:h1-r01-01");
    assert.equal(rack.body.designPowerKW, 132);
    assert.ok(rack.body.powerKW >= 30 && rack.body.powerKW <= 132);
    assert.equal(rack.body.tcs.id, "tcs:h1-r01");
    assert.equal((await get("/v1/state/racks/rack:h9-r01-01")).status, 404);

    const loop = await get("/v1/state/tcs/cdu:h1-r01-01");
    assert.equal(loop.body.id, "tcs:h1-r01");
    assert.equal(loop.body.plantId, "plant:lab");
    const plant = await get("/v1/state/plants/plant:lab");
    assert.equal(plant.body.tcs.length, 5);

    await until(async () => (await get("/v1/state/history?minutes=60")).body.time.length >= 2, "two history points");
  });

  it("streams site and rack events every second over SSE with the key as a query parameter", async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/v1/state/stream?field=tcsSupplyC&access_token=${operator}`, {
      signal: controller.signal,
    });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk as Uint8Array);
      if ((text.match(/event: racks/g) ?? []).length >= 2) break;
    }
    controller.abort();
    const racks = JSON.parse(/event: racks\ndata: (.*)\n/.exec(text)![1]!);
    assert.equal(racks.field, "tcsSupplyC");
    assert.equal(racks.values.length, 36);
    assert.match(text, /event: site\ndata: \{"time"/);
  });

  it("fails both CDUs of a row through a live event: the loop warms, the action is audited", async () => {
    const before = (await get("/v1/state/tcs/tcs:h1-r01")).body.supplyC;
    for (const cdu of ["cdu:h1-r01-01", "cdu:h1-r01-02"]) {
      const applied = await post("/v1/state/events", { action: "fail-cdu", id: cdu });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
    }
    await until(async () => (await get("/v1/state/tcs/tcs:h1-r01")).body.supplyC > before + 1, "the loop to warm");
    const loop = (await get("/v1/state/tcs/tcs:h1-r01")).body;
    assert.deepEqual(loop.failedCdus, ["cdu:h1-r01-01", "cdu:h1-r01-02"]);
    // Minutes later (seconds at this speed) the row's four NVL72 racks trip: the site counts them as tripped, not as
    // throttled, and each rack says so.
    await until(async () => (await get("/v1/state/site")).body.kpis.trippedRacks === 4, "the row's racks to trip");
    assert.equal((await get("/v1/state/site")).body.kpis.throttledRacks, 0);
    const rack = (await get("/v1/state/racks/rack:h1-r01-01")).body;
    assert.deepEqual([rack.tripped, rack.running, rack.powerKW, rack.latched], [true, 0, 0, false]);
    const running = (await get("/v1/state/racks?field=running")).body;
    assert.equal(running.unit, "fraction");
    assert.deepEqual(running.values.slice(0, 5), [0, 0, 0, 0, 1], "the row's four racks off, the next row's running");
    const unknown = await post("/v1/state/events", { action: "fail-cdu", id: "cdu:h1-r01-1" });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.detail, /did you mean "cdu:h1-r01-01"/);
    // Tripped once, they restart by themselves when the loop recovers: an operator's restart has nothing to release.
    const restart = await post("/v1/state/events", { action: "restart-racks", id: "row:h1-r01" });
    assert.equal(restart.status, 400);
    assert.equal(restart.body.detail, "no rack of row:h1-r01 is latched off after repeated trips");
    const admin = app.demoKeys!.find((key) => key.role === "platform-admin")!.token;
    const audit = await get("/v1/audit?limit=1000", admin);
    assert.ok((audit.body as unknown as { action: string }[]).some((record) => record.action === "live.fail-cdu"));
    assert.equal((await post("/v1/state/events", { action: "repair-cdu", id: "cdu:h1-r01-01" }, member)).status, 403);
  });

  it("publishes twin figures as telemetry, queryable like equipment readings", async () => {
    await until(async () => {
      const query = await get("/v1/telemetry/query?name=tcs_supply_celsius&row=row:h1-r01&from=-1h");
      return query.status === 200 && query.body.frames.length > 0;
    }, "published telemetry");
    // Every published figure is one series per site, plant or loop, located in the site by its labels.
    const site = app.inventory.current.site;
    const series = async (name: string) => {
      const answer = await fetch(`${url}/v1/telemetry/series?name=${name}`, {
        headers: { authorization: `Bearer ${operator}` },
      });
      return (await answer.json()) as unknown as Json[];
    };
    const pue = await series("site_pue");
    assert.deepEqual(
      pue.map((entry) => entry.labels),
      [{ site: site.id }],
    );
    assert.ok(pue[0]!.value > 1 && pue[0]!.value < 1.5, JSON.stringify(pue));
    assert.equal((await series("chiller_heat_kw")).length, site.plants.length);
    const headroom = await series("tcs_headroom_kw");
    assert.equal(headroom.length, site.rows.length);
    assert.deepEqual(headroom[0]!.labels, { row: site.rows[0]!.id, equipment: site.rows[0]!.tcs.id });
    assert.equal(headroom[0]!.location.row, site.rows[0]!.id);
  });

  it("steps the twin at once when the placements changed since its last step, so a grid plan reads them drawn", () => {
    const live = features.features.find((feature) => feature.name === "live") as ReturnType<typeof liveFeature>;
    const scheduler = features.jobs.engine()!.generation.live;
    const twin = live.twin();
    let delivered = 0;
    const stop = live.onSnapshot(() => delivered++);
    try {
      // No await from here on: the twin's clock cannot step in between.
      const job = scheduler.submit(
        jobSpec({ id: "freshen", queue: "campus-research", submitS: 0, durationS: 3600, gpus: 1, dataClass: "public" }),
      );
      assert.equal(job.state, "running", job.reason);
      assert.ok(twin.utilisationStale, "the last step drew the placements before the start");
      const timeMs = twin.timeMs;
      assert.equal(live.freshen(), true);
      assert.equal(twin.timeMs, timeMs + twin.stepS * 1000, "one step now, ahead of the clock");
      assert.ok(!twin.utilisationStale);
      assert.equal(delivered, 1, "every listener (the grid service's sample) has the new step");
      assert.equal(live.freshen(), true, "nothing changed since: nothing to step");
      assert.equal(twin.timeMs, timeMs + twin.stepS * 1000);
      assert.equal(delivered, 1);
      scheduler.cancel(job);
    } finally {
      stop();
    }
  });

  it("runs a what-if in a worker and compares it with the baseline", async () => {
    const result = await post("/v1/whatif", { heatWave: { peakC: 40, days: 2, nightMinimumC: 24 }, days: 2 });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.ok(result.body.variant.pue > result.body.baseline.pue);
    assert.equal(result.body.series.time.length, 48);
    assert.ok(Value.Check(WhatIfResultSchema, result.body), "the answer is what its schema says");
    assert.deepEqual([result.body.baseline.trippedRackHours, result.body.variant.trippedRackHours], [0, 0]);
    // What if a row loses both CDUs: its racks trip, and the answer says how long, where, and what work was lost.
    const cdus = await post("/v1/whatif", { fail: ["cdu:h1-r01-01", "cdu:h1-r01-02"], days: 1 });
    assert.equal(cdus.status, 200, JSON.stringify(cdus.body));
    assert.ok(Value.Check(WhatIfResultSchema, cdus.body), "the answer is what its schema says");
    const { baseline, variant, throttling, trippedByHall } = cdus.body;
    assert.equal(baseline.trippedRackHours, 0);
    assert.ok(variant.trippedRackHours > 4 * 20, `${variant.trippedRackHours} tripped rack-hours`);
    assert.ok(variant.lostBusyRackHours > 0, `${variant.lostBusyRackHours} busy rack-hours lost`);
    const nvl72 = (throttling as Json[]).find((line) => line.rackType === "nvl72")!;
    assert.ok(Math.abs(nvl72.variantTrippedRackHours - variant.trippedRackHours) < 1e-9 * variant.trippedRackHours);
    assert.ok(nvl72.variantLostBusyRackHours > 0);
    assert.deepEqual(
      (trippedByHall as Json[]).map((line) => [line.hall, line.variantRackHours > 0]),
      [
        ["hall:h1", true],
        ["hall:h2", false],
      ],
    );
    assert.equal((await post("/v1/whatif", { scenario: "meteor" })).status, 400);
    // A unit the site does not have is refused naming its place in the list, before anything runs.
    const unknown = await post("/v1/whatif", { fail: ["cdu:h1-r01-01", "cdu:h9-r99-01"] });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors[0].field, "body.fail[1]", JSON.stringify(unknown.body));
    // The shipped scenarios are the Alixan campus's: on the lab, the answer says so instead of running something else.
    const shipped = await post("/v1/whatif", { scenario: "heat-wave", days: 2 });
    assert.equal(shipped.status, 400);
    assert.match(shipped.body.errors[0].message, /does not apply to site lab/);
    // The scenario's operator response: a value none of its forms takes is named, with the forms it may take.
    const response = await post("/v1/whatif", { operatorResponseS: "soon", days: 1 });
    assert.equal(response.status, 400);
    assert.deepEqual(
      response.body.errors.map((error: Json) => [error.field, error.message]),
      [["body.operatorResponseS", 'expected a number from 0 to 604800 or "off", got "soon"']],
    );
    const off = await post("/v1/whatif", { operatorResponseS: "off", days: 1 });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.match(off.body.changes.at(-1), /^no operator response/);
  });

  it("runs at most two what-ifs at once and refuses a third with 429, then takes new ones; one asking nothing takes no slot", async () => {
    const request = { heatWave: { peakC: 40, days: 1, nightMinimumC: 24 }, days: 1 };
    const answers = await Promise.all([1, 2, 3].map(() => post("/v1/whatif", request)));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 200, 429]);
    assert.match(answers.find((answer) => answer.status === 429)!.body.detail, /at most 2/);
    assert.equal((await post("/v1/whatif", request)).status, 200);
    // A request that asks for nothing is refused before a worker starts: three at once take no slot (no 429).
    const empty = await Promise.all([{}, { days: 2 }, { startDay: 30 }].map((body) => post("/v1/whatif", body)));
    assert.deepEqual(
      empty.map((answer) => [answer.status, answer.body.errors?.[0]?.field]),
      [
        [400, "body.scenario"],
        [400, "body.scenario"],
        [400, "body.scenario"],
      ],
    );
  });
});

describe("warm what-if workers", () => {
  const day = { heatWave: { peakC: 40, days: 1, nightMinimumC: 24 }, days: 1 };

  it("runs consecutive what-ifs on a warm worker instead of starting one each", async () => {
    assert.equal((await post("/v1/whatif", day)).status, 200);
    const { started, workers } = whatIfWorkers();
    assert.ok(workers.length >= 1 && workers.length <= 2, `${workers.length} what-if workers`);
    assert.equal((await post("/v1/whatif", day)).status, 200);
    assert.equal(whatIfWorkers().started, started, "the second what-if started no worker");
  });

  it("answers a 500 problem without a stack when its worker stops mid-run, and runs the next on a replacement", async () => {
    const answer = post("/v1/whatif", { ...day, days: 14 });
    // Checked at every turn of the event loop, not every 200 ms: on a warm worker and an idle machine the fortnight
    // runs in a fraction of a second, and a coarse poll saw it only once it had answered (CI, session 19).
    let busy: ReturnType<typeof whatIfWorkers>["workers"][number] | undefined;
    const deadline = Date.now() + 20_000;
    for (;;) {
      busy = whatIfWorkers().workers.find((worker) => worker.busy);
      if (busy !== undefined) break;
      assert.ok(Date.now() < deadline, "timed out waiting for a what-if to start");
      await new Promise((resolve) => setImmediate(resolve));
    }
    await busy.thread.terminate();
    const { status, body } = await answer;
    assert.equal(status, 500, JSON.stringify(body));
    assert.equal(body.detail, "an unexpected error occurred; the request id finds it in the logs");
    assert.doesNotMatch(JSON.stringify(body), /exit code|worker|\bat /);
    assert.equal((await post("/v1/whatif", day)).status, 200);
  });
});

describe("what-if time limit", () => {
  let limited: ComposedApp;
  let limitedUrl: string;
  before(async () => {
    // A limit no run can keep: every what-if is stopped, and must hand its slot back.
    const platform = platformFeatures({ speed: 60, telemetryInMemory: true, demoLoad: 0, whatIfTimeoutMs: 5 });
    ({ app: limited, url: limitedUrl } = await labPlatform(platform));
  });
  after(async () => {
    await limited.close();
  });

  it("stops a what-if past its wall-clock limit with a 503 naming the limit, and frees its slot", async () => {
    const key = limited.demoKeys!.find((demo) => demo.role === "facility-operator")!.token;
    const others = new Set(whatIfWorkers().workers.map((worker) => worker.thread));
    // Three in a row, more than the two slots: a run stopped by the limit must not keep its slot (no 429).
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${limitedUrl}/v1/whatif`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ days: 14, heatWave: { peakC: 40, days: 2, nightMinimumC: 24 } }),
      });
      const body = (await response.json()) as Json;
      assert.equal(response.status, 503, JSON.stringify(body));
      assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.match(body.detail, /longer than its limit of 0\.005 s \(whatif\.timeoutSeconds in alixan\.yaml\)/);
    }
    assert.equal((await fetch(`${limitedUrl}/health`)).status, 200);
    // Each stopped worker was replaced in the background; closing the platform stops the replacement.
    const mine = whatIfWorkers().workers.filter((worker) => !others.has(worker.thread));
    assert.equal(mine.length, 1);
    await limited.close();
    assert.ok(
      mine.every((worker) => worker.thread.threadId === -1),
      "the worker thread has exited",
    );
    assert.equal(whatIfWorkers().workers.filter((worker) => !others.has(worker.thread)).length, 0);
  });
});
