import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { simulatedGeneration } from "../../../test/support/generation.ts";
import { loadSite } from "../../model/load.ts";
import { type Job, jobSpec } from "../../scheduler/jobs.ts";
import type { JobsEngine } from "../jobs/engine.ts";
import type { JobRecord } from "../jobs/records.ts";
import { Curtailment, dynamicKwOf, runningDynamicKw } from "./curtailment.ts";
import type { GridEventReport, GridEventRow, GridPlanLedger } from "./model.ts";

const site = loadSite("lab").site!;
const generation = simulatedGeneration(site);
after(() => generation.live.dispose());

const job = generation.live.submit(
  jobSpec({ id: "train", queue: "default", submitS: 0, durationS: 3600, gpus: 2, gpuModels: ["H200"] }),
);
const rackLevel = generation.inventory.levels[generation.inventory.facility!.rackLevel]!;
const rackIndex = rackLevel.groupOfNode[job.nodes[0]!]!;
const type = site.rackTypes[site.racks[rackIndex]!.typeIndex]!;
const idleKw = Number(type.idlePower);
const designKw = (Number(type.designPower) - idleKw) * (2 / type.gpusPerRack);
const racksAt = (kw: number) => site.racks.map((_, index) => (index === rackIndex ? kw : idleKw));

describe("the power a curtailment plan counts for a running job", () => {
  it("is the job's share of what the twin drew above idle on its rack", () => {
    assert.equal(job.state, "running");
    assert.ok(Math.abs(dynamicKwOf(generation, job, racksAt(idleKw + 1)) - 1) < 1e-9, "alone on its rack");
  });

  it("is never more than the job's design power", () => {
    assert.ok(Math.abs(dynamicKwOf(generation, job, racksAt(idleKw + 1000)) - designKw) < 1e-9);
  });

  it("is design power without a twin reading, or with one taken before the work on its rack drew anything", () => {
    assert.ok(designKw > 0);
    assert.equal(dynamicKwOf(generation, job, undefined), designKw);
    assert.equal(dynamicKwOf(generation, job, racksAt(idleKw)), designKw, "a job just resumed is not free to pause");
    assert.equal(dynamicKwOf(generation, job, [idleKw]), designKw, "a reading of another site's racks");
  });

  it("is what the twin drew, idle included, with a reading of the placements in force", () => {
    assert.equal(dynamicKwOf(generation, job, racksAt(idleKw), true), 0, "a rack between runs draws nothing now");
    assert.ok(Math.abs(dynamicKwOf(generation, job, racksAt(idleKw + 1), true) - 1) < 1e-9);
    assert.equal(dynamicKwOf(generation, job, undefined, true), designKw, "no reading: design power");
  });

  it("counts a cap in force once: a current reading shows it, design power and older readings are held under it", () => {
    assert.ok(generation.live.cap(job, 0.5));
    try {
      // The twin drew 1 kW above idle with the cap in force: that is what the job draws, not half of it.
      assert.ok(Math.abs(runningDynamicKw(generation, job, racksAt(idleKw + 1), true) - 1) < 1e-9);
      assert.ok(Math.abs(runningDynamicKw(generation, job, undefined, true) - designKw / 2) < 1e-9, "no reading");
      assert.ok(Math.abs(runningDynamicKw(generation, job, undefined, false) - designKw / 2) < 1e-9, "no reading");
      // An older reading may predate the cap: never more than the capped design power, never scaled again.
      const stale = runningDynamicKw(generation, job, racksAt(idleKw + 1000), false);
      assert.ok(Math.abs(stale - designKw / 2) < 1e-9);
      assert.ok(Math.abs(runningDynamicKw(generation, job, racksAt(idleKw + 1), false) - 1) < 1e-9);
    } finally {
      generation.live.cap(job, 1);
    }
  });
});

describe("a platform restart during a grid event that capped a job", () => {
  const live = generation.live;
  let capped: Job;
  let record: JobRecord;
  let engine: JobsEngine;
  // Every share the live scheduler is asked to hold the job to (it hands each to the executor: Slurm's power-cap tool).
  const shares: number[] = [];
  // Placed once the suite above is done: a second job on its rack would change the share it checks.
  before(() => {
    capped = live.submit(
      jobSpec({
        id: "finetune",
        queue: "default",
        submitS: 0,
        durationS: 3600,
        gpus: 2,
        gpuModels: ["H200"],
        flexibility: "flexible",
      }),
    );
    record = {
      id: "finetune",
      tenantId: "tenant",
      projectId: "project",
      userId: "user",
      name: "finetune",
      synthetic: true,
      job: capped,
      generation,
    };
    // What the curtailment reads of the jobs engine: the generation in force and its records.
    engine = { generation, records: new Map([[record.id, record]]) } as unknown as JobsEngine;
    const cap = live.cap.bind(live);
    live.cap = (job: Job, share: number) => {
      if (job === capped) shares.push(share);
      return cap(job, share);
    };
  });
  const nowMs = Date.now();
  const startMs = nowMs - 120_000;
  const row = (endMs: number): GridEventRow => ({
    id: "gev-test",
    reduce_mw: 0.1,
    reduce_fraction: null,
    starts_at: new Date(startMs).toISOString(),
    ends_at: new Date(endMs).toISOString(),
    notice_s: 0,
    reason: "restart test",
    minimum_cap: 0.3,
    owner: "test",
    created_at: new Date(startMs).toISOString(),
    cancelled_at: null,
    cancelled_by: null,
    report: null,
  });
  const zero = { protected: 0, flexible: 0, deferrable: 0, preemptible: 0 };
  const stored: GridEventReport = {
    requestedMW: 0.1,
    baselineMW: 0.5,
    duringMW: null,
    deliveredMW: null,
    deliveredShare: null,
    responseS: null,
    applyS: 0,
    plannedMW: 0.1,
    shortMW: 0,
    capShare: 0.3,
    jobs: { capped: { ...zero, flexible: 1 }, suspended: zero, requeued: zero },
    resumed: 0,
    workLostGpuHours: zero,
    deferredGpuHours: 0,
    protectedWorkLost: 0,
    samples: 0,
    sampledS: null,
    restarts: [],
    siteChanges: [],
    releasedAt: null,
  };
  const ledger: GridPlanLedger = {
    startMs,
    requestedKw: 100,
    baselineKw: 500,
    ceilingItKw: 400,
    actions: [{ jobId: "finetune", kind: "cap", flexClass: "flexible", share: 0.3, gpus: 2, atMs: startMs }],
    measured: { duringSumKw: 0, samples: 0, responseS: null, sampledMs: 0, lastAtMs: startMs + 30_000 },
  };

  it("lifts the cap at once when the event ended while the platform was stopped", () => {
    assert.equal(capped.state, "running");
    shares.length = 0;
    const curtailment = Curtailment.takeBack(row(nowMs - 30_000), stored, ledger, engine, nowMs, false);
    const report = curtailment.release(nowMs);
    assert.deepEqual(shares, [1], "the site's tool is told to lift the cap the stopped process set");
    assert.deepEqual(
      { outcome: report.restarts[0]!.outcome, kept: report.restarts[0]!.kept, gone: report.restarts[0]!.gone },
      { outcome: "released", kept: 1, gone: 0 },
    );
    assert.equal(report.resumed, 1);
    assert.ok(report.workLostGpuHours.flexible > 0, "the cap's loss is counted");
    assert.equal(live.held(capped), undefined, "the job runs free");
    assert.equal(record.gridEvent, undefined);
  });

  it("caps the job again while the event lasts, and lifts the cap at its end", () => {
    shares.length = 0;
    const curtailment = Curtailment.takeBack(row(nowMs + 60_000), stored, ledger, engine, nowMs, true);
    assert.deepEqual(shares, [0.3]);
    assert.equal(live.held(capped)?.share, 0.3);
    assert.equal(curtailment.report.restarts[0]!.reapplied, 1);
    curtailment.release(nowMs + 60_000);
    assert.deepEqual(shares, [0.3, 1]);
    assert.equal(live.held(capped), undefined);
  });
});
