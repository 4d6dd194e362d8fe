/**
 * The live twin follows the scheduler's placements at its next step: a job that starts, is paused, resumes or ends
 * shows in the step after, not at the twin's 10 s refresh; a burst of starts is one read of the placements.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { simulatedGeneration } from "../../../test/support/generation.ts";
import { loadSite } from "../../model/load.ts";
import type { VersionedUtilisationSource } from "../../model/utilisation.ts";
import { jobSpec } from "../../scheduler/jobs.ts";
import { singleQueueConfig } from "../../scheduler/queues.ts";
import { openStore } from "../../store/database.ts";
import { LiveTwin } from "../../twin/live.ts";
import { JobsEngine } from "../jobs/engine.ts";

const site = loadSite("lab").site!;
const startMs = Date.UTC(2029, 6, 17, 13);
const generation = simulatedGeneration(site);
after(() => generation.live.dispose());

/** The scheduler's utilisation source, counting its reads. */
const placements = generation.live.utilisationSource(site);
let reads = 0;
const counted: VersionedUtilisationSource = {
  get version() {
    return placements.version;
  },
  fill(timeS, out) {
    reads++;
    placements.fill(timeS, out);
  },
};
// The live feature's refresh (10 s); the allocation as activity, so a rack's utilisation is exactly its allocated share.
const twin = new LiveTwin(site, {
  startMs,
  utilisation: counted,
  utilisationRefreshS: 10,
  utilisationIsActivity: true,
});
const step = () => twin.advanceTo(twin.timeMs + twin.stepS * 1000);
const rackLevel = generation.inventory.levels[generation.inventory.facility!.rackLevel]!;

describe("the live twin and the scheduler's placements", () => {
  it("draws a job's rack at the step after it starts, at idle the step after it is paused, again once resumed or capped", () => {
    assert.equal(reads, 1, "read when the twin was built");
    const idle = twin.snapshot().kpis.itKW;
    const job = generation.live.submit(
      jobSpec({ id: "train", queue: "default", submitS: 0, durationS: 3600, gpus: 8, gpuModels: ["H200"] }),
    );
    assert.equal(job.state, "running");
    const rack = rackLevel.groupOfNode[job.nodes[0]!]!;
    const type = site.rackTypes[site.racks[rack]!.typeIndex]!;
    const share = 8 / type.gpusPerRack;
    assert.ok(twin.utilisationStale, "the twin knows its step drew the placements before");
    assert.equal(twin.snapshot().racks.utilisation[rack], 0, "not drawn before the next step");

    step();
    let racks = twin.snapshot().racks;
    assert.ok(Math.abs(racks.utilisation[rack]! - share) < 1e-6, `utilisation ${racks.utilisation[rack]}`);
    const drawnKw = Number(type.idlePower) + share * (Number(type.designPower) - Number(type.idlePower));
    assert.ok(Math.abs(racks.powerKW[rack]! - drawnKw) < 1e-3, `${racks.powerKW[rack]} kW, ${drawnKw} expected`);
    assert.ok(!twin.utilisationStale);
    assert.equal(reads, 2, "one read, at the step after the start");

    assert.ok(generation.live.suspend(job));
    step();
    racks = twin.snapshot().racks;
    assert.equal(racks.utilisation[rack], 0, "a paused job draws no dynamic power");
    assert.ok(Math.abs(racks.powerKW[rack]! - Number(type.idlePower)) < 1e-3);

    assert.ok(generation.live.resume(job));
    step();
    assert.ok(Math.abs(twin.snapshot().racks.utilisation[rack]! - share) < 1e-6, "drawn again once resumed");

    assert.ok(generation.live.cap(job, 0.5));
    step();
    assert.ok(Math.abs(twin.snapshot().racks.utilisation[rack]! - share / 2) < 1e-6, "capped to half its power");

    generation.live.cancel(job);
    step();
    assert.equal(twin.snapshot().racks.utilisation[rack], 0, "its rack is idle the step after it ended");
    assert.ok(Math.abs(twin.snapshot().kpis.itKW - idle) < 1e-3 * idle, "the site is back to idle");
    assert.equal(reads, 6, "one read per step that followed a change");
  });

  it("no longer draws a job moved off its rack (displaced, requeued) at the next step", () => {
    const job = generation.live.submit(
      jobSpec({ id: "moved", queue: "default", submitS: 0, durationS: 3600, gpus: 8, gpuModels: ["H200"] }),
    );
    const rack = rackLevel.groupOfNode[job.nodes[0]!]!;
    step();
    assert.ok(twin.snapshot().racks.utilisation[rack]! > 0);
    generation.live.displace(job, "its rack left the zone");
    assert.equal(job.state, "queued", "requeued");
    step();
    assert.equal(twin.snapshot().racks.utilisation[rack], 0, "not drawn while it waits");
    generation.live.cancel(job);
    step();
  });

  it("reads the placements once for a burst of 2,000 starts, and only on its 10 s refresh while nothing changes", () => {
    const before = reads;
    const jobs = Array.from({ length: 2000 }, (_, index) =>
      generation.live.submit(
        jobSpec({
          id: `burst-${index}`,
          queue: "default",
          submitS: 0,
          durationS: 3600,
          gpus: 1,
          gpuMilli: 250,
          cpuMilli: 0,
          memoryMib: 0,
        }),
      ),
    );
    const started = jobs.filter((job) => job.state === "running").length;
    assert.ok(started >= 1000, `${started} of the burst started`);
    step();
    assert.equal(reads, before + 1, "one read for the whole burst");
    const itKw = twin.snapshot().kpis.itKW;
    // Nothing moves: the next read is the safety net's, 10 s after the last.
    for (let second = 1; second < 10; second++) step();
    assert.equal(reads, before + 1);
    step();
    assert.equal(reads, before + 2, "the 10 s refresh still reads");
    assert.ok(itKw > 0);
    for (const job of jobs) generation.live.cancel(job);
    step();
    assert.equal(reads, before + 3, "2,000 ends, one read");
    assert.ok(twin.snapshot().kpis.itKW < itKw);
  });
});

describe("the jobs engine's placements for the live twin", () => {
  it("move when a new scheduler generation takes over, so the twin draws the new one at its next step", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory" });
    const engine = new JobsEngine(store, site, 1, { queues: singleQueueConfig(), log: () => {} });
    try {
      const source = engine.utilisation(site);
      const live = new LiveTwin(site, {
        startMs,
        utilisation: source,
        utilisationRefreshS: 10,
        utilisationIsActivity: true,
      });
      // A job the generation runs with no record of the engine's: a new generation does not carry it over.
      const job = engine.generation.live.submit(
        jobSpec({ id: "unrecorded", queue: "default", submitS: 0, durationS: 3600, gpus: 8, gpuModels: ["H200"] }),
      );
      const rack = rackLevel.groupOfNode[job.nodes[0]!]!;
      assert.ok(live.utilisationStale);
      live.advanceTo(live.timeMs + 1000);
      assert.ok(live.snapshot().racks.utilisation[rack]! > 0);
      const before = source.version;
      engine.rebuild(site, 2, "test");
      assert.ok(source.version > before, `${source.version} after ${before}`);
      live.advanceTo(live.timeMs + 1000);
      assert.equal(live.snapshot().racks.utilisation[rack], 0, "the new generation runs nothing there");
    } finally {
      await engine.stop();
      await store.close();
    }
  });
});
