/**
 * Sovereignty follows the site in force (lab site, through the API and the inventory service): a site change or a
 * lapsed certification re-checks running health jobs at once (displaced, requeued, audited), waiting ones wait with
 * a reason naming the zone, and every `job.start` names the zone its racks have in the site in force. A property
 * test interleaves site changes, certification lapses and health submissions at random.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import fc from "fast-check";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import type { JobsEngine } from "../src/app/jobs/engine.ts";
import { zoneRefusal } from "../src/model/zones.ts";
import { systemPrincipal } from "../src/tenancy/service.ts";
import { callApi } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers and site documents are read field by field from JSON.
type Json = any;

const dayMs = 86_400_000;
let now = Date.parse("2027-01-10T12:00:00Z");
let app: ComposedApp;
let engine: JobsEngine;
let url: string;
let original: Json;
const keys: Record<string, string> = {};

const call = (method: string, path: string, key: string, body?: unknown) => callApi(url, method, path, key, body);
const lea = () => keys["lea.martin@valdiag.example"]!;
const admin = () => keys["admin@alixan.local"]!;
const auditor = () => keys["audit@alixan.local"]!;

/** Applies a change to the site document in force. */
async function change(summary: string, mutate: (doc: Json) => void): Promise<void> {
  const doc = structuredClone(app.inventory.current.file) as Json;
  mutate(doc);
  await app.inventory.applyChange({ principal: systemPrincipal("test"), requestId: "test" }, { summary, site: doc });
}

async function submitHealth(gpus = 8): Promise<Json> {
  const projects = await call("GET", "/v1/projects", lea());
  const submitted = await call("POST", "/v1/jobs", lea(), {
    projectId: projects.body[0].id,
    name: "pathology inference",
    gpus,
    durationS: 30 * 86_400,
    dataClass: "health",
  });
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  return submitted.body;
}

const job = async (id: string) => (await call("GET", `/v1/jobs/${id}`, lea())).body;

/** Every running health job runs on racks of a zone that may host health data now, in the site in force. */
async function assertSovereign(): Promise<void> {
  const site = app.inventory.current.site;
  const racks = new Map(site.racks.map((rack) => [rack.id as string, rack]));
  const running = await call("GET", "/v1/jobs?state=running&includeDemo=false&limit=1000", admin());
  for (const listed of running.body) {
    if (listed.dataClass !== "health") continue;
    for (const id of listed.placement.racks) {
      const rack = racks.get(id);
      assert.ok(rack !== undefined, `${listed.id} runs on ${id}, which is not in the site in force`);
      const zone = site.zones.find((candidate) => candidate.id === rack.zoneId);
      assert.ok(zone !== undefined, `${listed.id} runs on ${id}, outside any zone`);
      assert.equal(zoneRefusal(zone, "health", now), undefined, `${listed.id} runs on ${id} in ${zone.id}`);
      assert.equal(listed.placement.zoneId, zone.id);
    }
  }
}

async function cancelAll(): Promise<void> {
  for (const record of [...engine.records.values()]) {
    if (!record.synthetic && ["queued", "running", "admitted"].includes(record.job.state))
      await call("POST", `/v1/jobs/${record.id}/cancel`, admin());
  }
}

before(async () => {
  const { features, jobs } = platformFeatures({ speed: 1, demoLoad: 0, telemetryInMemory: true, clock: () => now });
  app = await composeApp({ site: "lab", store: { kind: "pglite", dataDir: "memory" }, seed: true, features });
  engine = jobs.engine()!;
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  for (const key of app.demoKeys!) keys[key.email] = key.token;
  original = structuredClone(app.inventory.current.file);
});
after(async () => {
  await app.close();
});
beforeEach(async () => {
  await cancelAll();
  now = Date.parse("2027-01-10T12:00:00Z");
  await change("reset", (doc) => {
    for (const key of Object.keys(doc)) delete doc[key];
    Object.assign(doc, structuredClone(original));
  });
});

describe("sovereignty follows the site in force", () => {
  it("displaces a running health job when its zone stops listing health, audits it, and new ones wait naming the zone", async () => {
    const running = await submitHealth();
    assert.equal(running.state, "running");
    assert.equal(running.placement.zoneId, "zone:hds");
    await change("HDS suite closed to health data", (doc) => {
      doc.zones[0].dataClasses = ["public", "confidential"];
    });
    const displaced = await job(running.id);
    assert.equal(displaced.state, "queued", JSON.stringify(displaced));
    assert.match(displaced.reason, /zone:hds hosts public, confidential/);
    const audit = await call("GET", `/v1/audit?resource=job:${running.id}`, auditor());
    const preempted = audit.body.find((record: Json) => record.action === "job.preempted");
    assert.ok(preempted, JSON.stringify(audit.body.map((record: Json) => record.action)));
    assert.match(preempted.after.reason, /zone:hds/);
    assert.ok(preempted.after.racks.length > 0);

    const waiting = await submitHealth(1);
    assert.equal(waiting.state, "queued");
    const later = await job(waiting.id);
    assert.match(later.reason, /zone:hds hosts public, confidential/);
    await assertSovereign();
  });

  it("moves health work with the zone: the next start names the new racks and zone:hds", async () => {
    const running = await submitHealth();
    assert.ok(running.placement.racks.every((rack: string) => rack.startsWith("rack:h2-")));
    await change("HDS suite moved to hall 1", (doc) => {
      doc.halls[0].zone = "zone:hds";
      delete doc.halls[1].zone;
    });
    const moved = await job(running.id);
    assert.equal(moved.state, "running", JSON.stringify(moved));
    assert.ok(
      moved.placement.racks.every((rack: string) => rack.startsWith("rack:h1-")),
      JSON.stringify(moved.placement),
    );
    const audit = await call("GET", `/v1/audit?resource=job:${running.id}`, auditor());
    const starts = audit.body.filter((record: Json) => record.action === "job.start");
    assert.equal(starts.length, 2, JSON.stringify(audit.body.map((record: Json) => record.action)));
    const last = starts.find((record: Json) => record.after.racks[0].startsWith("rack:h1-"));
    assert.equal(last.after.zoneId, "zone:hds");
    assert.equal(last.after.siteVersion, app.inventory.current.version);
    await assertSovereign();
  });

  it("requeues health work when every certified hall is removed, and it waits naming the zone", async () => {
    const running = await submitHealth();
    await change("hall 2 decommissioned", (doc) => {
      doc.halls = doc.halls.filter((hall: Json) => hall.id !== "hall:h2");
    });
    const requeued = await job(running.id);
    assert.equal(requeued.state, "queued", JSON.stringify(requeued));
    assert.match(requeued.reason, /zone:hds, which has no racks/);
    const audit = await call("GET", `/v1/audit?resource=job:${running.id}`, auditor());
    const preempted = audit.body.find((record: Json) => record.action === "job.preempted");
    assert.match(preempted?.after.reason ?? "", /rack:h2-.* is not in the site any more/);
    await assertSovereign();
  });

  it("keeps running jobs where they are through a change that does not concern them", async () => {
    const running = await submitHealth();
    const startS = engine.records.get(running.id)!.job.startS;
    await change("renamed the suite", (doc) => {
      doc.zones[0].name = "Suite HDS";
    });
    const kept = await job(running.id);
    assert.equal(kept.state, "running");
    assert.deepEqual(kept.placement, running.placement);
    assert.equal(kept.startedAt, running.startedAt);
    // The same run: expected to end its announced duration after its start, not after the change.
    const carried = engine.records.get(running.id)!.job;
    assert.equal(carried.startS, startS);
    assert.equal(engine.generation.live.scheduler.expectedEndS(carried), startS + 30 * 86_400);
  });

  it("stops hosting health data when the certification lapses on the clock, within seconds", async () => {
    const running = await submitHealth();
    now = Date.parse(`${original.zones[0].validUntil}T23:59:00Z`);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal((await job(running.id)).state, "running", "valid through its last day");
    now += 2 * 60_000;
    const deadline = Date.now() + 10_000;
    let state = await job(running.id);
    while (state.state === "running" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      state = await job(running.id);
    }
    assert.equal(state.state, "queued", JSON.stringify(state));
    assert.match(state.reason, /certification expired on/);
    const fresh = await submitHealth(1);
    assert.equal(fresh.state, "queued");
    await assertSovereign();
  });

  it("refuses hosting health data in a zone without HDS certification", async () => {
    await change("HDS certification withdrawn", (doc) => {
      doc.zones[0].certifications = ["ISO-27001"];
    });
    const waiting = await submitHealth(1);
    assert.equal(waiting.state, "queued");
    assert.match((await job(waiting.id)).reason, /does not hold HDS certification/);
  });

  it("never leaves a health job outside a currently valid certified zone (random interleavings)", async () => {
    const command = fc.oneof(
      fc.record({ kind: fc.constant("submit" as const), gpus: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ kind: fc.constant("listHealth" as const), on: fc.boolean() }),
      fc.record({ kind: fc.constant("zoneHall" as const), hall: fc.constantFrom(0, 1) }),
      fc.record({ kind: fc.constant("removeHall2" as const) }),
      fc.record({ kind: fc.constant("restore" as const) }),
      fc.record({ kind: fc.constant("validUntil" as const), days: fc.integer({ min: -3, max: 3 }) }),
      fc.record({ kind: fc.constant("certified" as const), on: fc.boolean() }),
      fc.record({ kind: fc.constant("clock" as const), days: fc.integer({ min: 0, max: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 8 }), async (commands) => {
        await cancelAll();
        now = Date.parse("2027-01-10T12:00:00Z");
        await change("reset", (doc) => {
          for (const key of Object.keys(doc)) delete doc[key];
          Object.assign(doc, structuredClone(original));
        });
        for (const step of commands) {
          switch (step.kind) {
            case "submit":
              await submitHealth(step.gpus);
              break;
            case "listHealth":
              await change("data classes", (doc) => {
                doc.zones[0].dataClasses = step.on ? ["public", "confidential", "health"] : ["public"];
              });
              break;
            case "zoneHall":
              await change("zone moved", (doc) => {
                for (const hall of doc.halls) delete hall.zone;
                (doc.halls[step.hall] ?? doc.halls[0]).zone = "zone:hds";
              });
              break;
            case "removeHall2":
              await change("hall 2 removed", (doc) => {
                if (doc.halls.length > 1) doc.halls = doc.halls.filter((hall: Json) => hall.id !== "hall:h2");
              });
              break;
            case "restore":
              await change("restored", (doc) => {
                doc.halls = structuredClone(original.halls);
              });
              break;
            case "validUntil":
              await change("certificate date", (doc) => {
                doc.zones[0].validUntil = new Date(now + step.days * dayMs).toISOString().slice(0, 10);
              });
              break;
            case "certified":
              await change("certifications", (doc) => {
                doc.zones[0].certifications = step.on ? ["HDS", "ISO-27001"] : ["ISO-27001"];
              });
              break;
            case "clock":
              now += step.days * dayMs;
              // What the engine's one-second timer does.
              engine.checkClock();
              break;
          }
          await assertSovereign();
        }
      }),
      { numRuns: 25 },
    );
  });
});
