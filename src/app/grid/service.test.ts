/**
 * A grid event planned right after work started (or resumed), before the live twin's next step: the service asks for
 * a fresh reading first, so the plan counts what the twin draws for that work, not the design-power guess a reading
 * older than the placements calls for.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadSite } from "../../model/load.ts";
import { type Job, jobSpec } from "../../scheduler/jobs.ts";
import { singleQueueConfig } from "../../scheduler/queues.ts";
import { openStore, type Store } from "../../store/database.ts";
import { systemPrincipal } from "../../tenancy/service.ts";
import { LiveTwin } from "../../twin/live.ts";
import { JobsEngine } from "../jobs/engine.ts";
import type { JobRecord } from "../jobs/records.ts";
import { GridEventService } from "./service.ts";

const site = loadSite("lab").site!;
/** Tuesday 17 July 2029, 15:00 in Paris: the lab's training racks run steadily, below design power. */
const startMs = Date.UTC(2029, 6, 17, 13);

let store: Store;
let engine: JobsEngine;
let service: GridEventService;
let twin: LiveTwin;
let freshReadings = 0;
const logged: string[] = [];

/** What the live feature does on each tick: the twin's step, handed to the service. */
function deliver(): void {
  const snapshot = twin.snapshot();
  service.sample(snapshot.kpis.facilityKW, snapshot.kpis.itKW, snapshot.racks.powerKW);
}

before(async () => {
  store = await openStore({ kind: "pglite", dataDir: "memory" });
  engine = new JobsEngine(store, site, 1, { queues: singleQueueConfig(), log: (line) => logged.push(line) });
  twin = new LiveTwin(site, { startMs, utilisation: engine.utilisation(site), utilisationRefreshS: 10 });
  service = new GridEventService(store, {
    engine: () => engine,
    // The live feature's `freshen`: one step now when the placements moved since the last.
    freshReading: () => {
      freshReadings++;
      if (twin.utilisationStale) {
        twin.advanceTo(twin.timeMs + twin.stepS * 1000);
        deliver();
      }
      return !twin.utilisationStale;
    },
    log: (line) => logged.push(line),
  });
  await service.load();
  service.start();
  deliver();
});
after(async () => {
  await service.stop();
  await engine.stop();
  await store.close();
});

describe("a grid event planned right after work started", () => {
  it("plans from a twin step that draws that work", async () => {
    const generation = engine.generation;
    const jobs = ["a", "b"].map((name) => {
      const job = generation.live.submit(
        jobSpec({
          id: `deferrable-${name}`,
          queue: "default",
          submitS: 0,
          durationS: 3600,
          gpus: 8,
          gpuModels: ["H200"],
          flexibility: "deferrable",
        }),
      );
      const record: JobRecord = {
        id: job.spec.id,
        tenantId: "tenant",
        projectId: "project",
        userId: "user",
        name: job.spec.id,
        synthetic: true,
        job,
        generation,
      };
      engine.add(record);
      assert.equal(job.state, "running", job.reason);
      return job;
    });
    assert.ok(twin.utilisationStale, "the twin's last step is from before the jobs started");

    const created = await service.create(
      { principal: systemPrincipal("test"), requestId: "test" },
      { reduceMW: 1, durationS: 600, reason: "right after the start" },
    );
    assert.equal(freshReadings, 1, "the plan asked for a fresh reading");
    assert.ok(!twin.utilisationStale);

    // What the step taken for the plan drew for the two jobs: each rack's power above idle, by the jobs' GPU share.
    const racks = twin.snapshot().racks.powerKW;
    const rackLevel = generation.inventory.levels[generation.inventory.facility!.rackLevel]!;
    const state = generation.live.scheduler.state;
    let drawnKw = 0;
    let designKw = 0;
    for (const job of jobs) {
      const rack = rackLevel.groupOfNode[job.nodes[0]!]!;
      const type = site.rackTypes[site.racks[rack]!.typeIndex]!;
      let allocated = 0;
      for (let node = rackLevel.childStart[rack]!; node < rackLevel.childStart[rack + 1]!; node++)
        allocated += generation.inventory.nodeGpuCount[node]! * 1000 - state.nodeFreeMilli[node]!;
      drawnKw += ((racks[rack]! - Number(type.idlePower)) * 8000) / allocated;
      designKw += (Number(type.designPower) - Number(type.idlePower)) * (8 / type.gpusPerRack);
    }
    assert.ok(drawnKw > 0 && drawnKw < designKw * 0.99, `drawn ${drawnKw} kW of ${designKw}: the test needs less`);

    await service.flush();
    const report = (await service.get(created.id)).report!;
    assert.equal(report.jobs.suspended.deferrable, 2);
    assert.ok(
      Math.abs(report.plannedMW * 1000 - drawnKw) < 1e-6,
      `planned ${report.plannedMW * 1000} kW, drawn ${drawnKw} kW (design ${designKw} kW)`,
    );
  });
});

describe("a grid event's notice holds work from its first millisecond", () => {
  it("holds new work as soon as the notice begins, before the timer runs, and lets it go at the end", async () => {
    // The view's `issuedAt` says work waits from then; the timer that works the holding out again fires a few ms later
    // (later on a busy event loop), and a job placed in between started under the event. The clock here is moved by
    // hand and no timer fires: the scheduler's read of the version alone must see the notice begin.
    const own = await openStore({ kind: "pglite", dataDir: "memory" });
    let nowMs = startMs;
    const held = new GridEventService(own, { engine: () => undefined, clock: () => nowMs });
    try {
      await held.load();
      held.start();
      const made = await held.create(
        { principal: systemPrincipal("grid-test"), requestId: "req-grid-notice" },
        {
          reduceFraction: 0.2,
          start: new Date(startMs + 120_000).toISOString(),
          durationS: 600,
          noticeS: 60,
          reason: "RTE test",
        },
      );
      // Only its spec is read while the event is not yet planned (no protection declared: it is held).
      const job = { spec: jobSpec({ id: "batch", queue: "default", submitS: 0, durationS: 600 }) } as Pick<
        Job,
        "spec"
      > as Job;
      const version = held.version;
      assert.equal(held.holdReason(job), undefined, "nothing held before the notice");
      nowMs = Date.parse(made.issuedAt);
      assert.ok(held.version > version, "the version moves at the notice, so the grid check reads again");
      assert.match(held.holdReason(job) ?? "", new RegExp(`grid event ${made.id} starts at`));
      const during = held.version;
      nowMs = Date.parse(made.endsAt);
      assert.ok(held.version > during, "the version moves at the end");
      assert.equal(held.holdReason(job), undefined, "nothing held from the end");
    } finally {
      await held.stop();
      await own.close();
    }
  });
});
