import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { demoQueues, demoWorkload } from "./demo.ts";
import { inventoryFromOpenbNodes, inventoryFromSite } from "./inventory.ts";
import { jobSpec } from "./jobs.ts";
import { jainIndex, summarise, timeWeightedMean } from "./metrics.ts";
import { runReplay, standardChecks } from "./setup.ts";
import { readOpenbPods } from "./traces/openb.ts";
import { readSwf } from "./traces/swf.ts";
import { utilisationFromJobs, utilisationFromTrace } from "./utilisation.ts";

const openbFolder = join(import.meta.dirname, "..", "..", "..", "shared", "data", "traces", "openb");
const nodes = inventoryFromOpenbNodes(readFileSync(join(openbFolder, "openb_node_list_gpu_node.csv"), "utf8"))
  .inventory!;
const pods = readOpenbPods(readFileSync(join(openbFolder, "openb_pod_list_default.csv"), "utf8"));

describe("openb default trace, end to end", () => {
  it("reads all 8,152 pods", () => {
    assert.deepEqual(pods.diagnostics, []);
    assert.equal(pods.jobs.length, 8152);
  });

  it("fills the 6,212-GPU cluster: alixan's fragmentation-aware placement leaves fewer GPUs unallocated than first-fit", (t) => {
    const results = (["first-fit", "alixan"] as const).map((policy) => {
      const result = runReplay({ inventory: nodes, policy, replay: { departures: false } }, pods.jobs);
      assert.ok(typeof result !== "string");
      return summarise(result);
    });
    const [firstFit, alixan] = results as [(typeof results)[0], (typeof results)[0]];
    for (const metrics of results) {
      t.diagnostic(
        `${metrics.policy}: GPU allocation ${(metrics.gpuAllocation.final * 100).toFixed(2)} %, ` +
          `unallocated ${metrics.fragmentation.finalFreeGpus.toFixed(1)} GPUs, fragmented ${metrics.fragmentation.finalGpus.toFixed(1)} GPUs ` +
          `(${(metrics.fragmentation.finalRate * 100).toFixed(1)} % of free), ${metrics.jobs.queued} pods left waiting`,
      );
      assert.equal(metrics.jobs.submitted, 8152);
      assert.equal(metrics.jobs.rejected, 0);
      assert.ok(metrics.gpuAllocation.final > 0.9);
    }
    assert.ok(alixan.fragmentation.finalFreeGpus < firstFit.fragmentation.finalFreeGpus);
    assert.ok(alixan.fragmentation.finalGpus < firstFit.fragmentation.finalGpus);
  });

  it("on every openb pod list in fill mode, alixan allocates at least as much GPU as first-fit", (t) => {
    const variants = readdirSync(openbFolder).filter((file) => /^openb_pod_list_.*\.csv$/.test(file));
    assert.ok(variants.length >= 3, "the openb variants are beside the default list");
    for (const file of variants) {
      const variant = readOpenbPods(readFileSync(join(openbFolder, file), "utf8"), file);
      const [firstFit, alixan] = (["first-fit", "alixan"] as const).map((policy) => {
        const result = runReplay({ inventory: nodes, policy, replay: { departures: false } }, variant.jobs);
        assert.ok(typeof result !== "string");
        return summarise(result).gpuAllocation.final;
      }) as [number, number];
      t.diagnostic(`${file}: first-fit ${(firstFit * 100).toFixed(2)} %, alixan ${(alixan * 100).toFixed(2)} %`);
      assert.ok(alixan >= firstFit, `${file}: alixan ${alixan} below first-fit ${firstFit}`);
    }
  });

  it("replays the trace's own timing: every pod runs and ends, or is withdrawn", (t) => {
    const result = runReplay({ inventory: nodes, policy: "alixan" }, pods.jobs);
    assert.ok(typeof result !== "string");
    const metrics = summarise(result);
    t.diagnostic(
      `timed: mean GPU allocation ${(metrics.gpuAllocation.mean * 100).toFixed(3)} %, peak ${(metrics.gpuAllocation.peak * 100).toFixed(2)} %, ` +
        `mean queueing ${metrics.queueing.meanS.toFixed(1)} s`,
    );
    assert.equal(metrics.jobs.queued + metrics.jobs.running, 0);
    assert.equal(metrics.jobs.succeeded + metrics.jobs.failed + metrics.jobs.cancelled, 8152);
    // The trace's pods ask far less than the cluster holds at any moment.
    assert.ok(metrics.gpuAllocation.peak < 0.05);
  });
});

describe("other traces and the twin coupling", () => {
  it("replays an SWF sample on a small cluster with per-tenant metrics", () => {
    const swf = readSwf(
      [
        "; written for this test",
        "1 0 0 100 8 -1 -1 8 200 -1 1 1 1 -1 1 -1 -1 -1",
        "2 10 0 100 8 -1 -1 8 200 -1 1 2 2 -1 1 -1 -1 -1",
        "3 20 0 50 8 -1 -1 8 100 -1 1 2 2 -1 1 -1 -1 -1",
      ].join("\n"),
    );
    const cluster = inventoryFromOpenbNodes("sn,cpu_milli,memory_mib,gpu,model\nn0,96000,393216,8,H200\n").inventory!;
    const result = runReplay({ inventory: cluster, policy: "alixan" }, swf.jobs);
    assert.ok(typeof result !== "string");
    const metrics = summarise(result);
    assert.deepEqual(
      metrics.tenants.map((tenant) => [tenant.tenant, tenant.completed, tenant.queueing.meanS]),
      [
        ["group-1", 1, 0],
        ["group-2", 2, (90 + 180) / 2],
      ],
    );
  });

  it("turns a site replay into per-rack utilisation for the twin", () => {
    const site = loadSite("lab").site!;
    const jobs = [
      jobSpec({
        id: "tray",
        queue: "q",
        submitS: 0,
        durationS: 100,
        gpus: 4,
        gpuModels: ["GB300"],
        cpuMilli: 1000,
        memoryMib: 1024,
      }),
      jobSpec({
        id: "rack",
        queue: "q",
        submitS: 50,
        durationS: 100,
        members: 18,
        gpus: 4,
        gpuModels: ["GB300"],
        topology: { scope: "nvlink", required: true },
      }),
    ];
    const scheduled = utilisationFromJobs(site, jobs);
    assert.ok(scheduled.ok);
    const source = scheduled.source;
    const out = new Float64Array(site.racks.length);
    const busy = () => Array.from(out).map((value) => Math.round(value * 72));
    source.fill(10, out);
    assert.equal(
      busy().reduce((sum, value) => sum + value, 0),
      4,
    );
    source.fill(60, out);
    assert.deepEqual(
      busy()
        .filter((value) => value > 0)
        .sort(),
      [4, 72],
    );
    source.fill(120, out);
    assert.deepEqual(
      busy().filter((value) => value > 0),
      [72],
    );
    // Going back in time replays from the start.
    source.fill(10, out);
    assert.equal(
      busy().reduce((sum, value) => sum + value, 0),
      4,
    );
    source.fill(1000, out);
    assert.ok(out.every((value) => value === 0));
  });

  it("runs the demo tenants on the lab with every check and estimates energy per tenant", () => {
    const site = loadSite("lab").site!;
    const inventory = inventoryFromSite(site);
    const checks = standardChecks(inventory);
    assert.ok(typeof checks !== "string");
    const result = runReplay(
      { inventory, policy: "alixan", queues: demoQueues(inventory), checks },
      demoWorkload(inventory, { jobs: 400, seed: 3 }),
    );
    assert.ok(typeof result !== "string");
    const metrics = summarise(result);
    assert.equal(metrics.jobs.rejected, 0);
    assert.ok(metrics.energyKwh > 0);
    const health = result.jobs.filter((job) => job.spec.dataClass === "health" && !Number.isNaN(job.firstStartS));
    assert.ok(health.length > 0);
    assert.ok(metrics.tenants.some((tenant) => tenant.tenant === "training-campus"));
  });
});

describe("metric helpers", () => {
  it("weights a step series by time and computes Jain's index", () => {
    assert.equal(timeWeightedMean(Float64Array.of(0, 10, 40), Float64Array.of(1, 0, 5)), 0.25);
    assert.equal(jainIndex([1, 1, 1]), 1);
    assert.equal(jainIndex([1, 0, 0]), 1 / 3);
  });
});

describe("utilisation from a trace file", () => {
  it("reports an unreadable trace as a value", () => {
    const result = utilisationFromTrace(loadSite("lab").site!, "/nonexistent/trace.json");
    assert.equal(result.ok, false);
    assert.deepEqual(result.diagnostics, ["cannot read /nonexistent/trace.json: no such file"]);
  });
});

describe("bursts are never stranded", () => {
  const burst = (count: number, submitS: number, prefix: string) =>
    Array.from({ length: count }, (_, index) =>
      jobSpec({ id: `${prefix}${index}`, queue: "burst", submitS, durationS: 86_400, gpus: 1, cpuMilli: 1000 }),
    );

  it("2,000 one-GPU jobs submitted at once on the openb GPU nodes all start within 10 scheduler seconds", (t) => {
    // One burst at 0 (the first pass is a full pass), one at 100 s (arrivals only): both exceed a pass's budget.
    const jobs = [...burst(2000, 0, "a"), ...burst(2000, 100, "b")];
    const result = runReplay({ inventory: nodes, policy: "alixan" }, jobs);
    assert.ok(typeof result !== "string");
    let latest = 0;
    for (const job of result.jobs) {
      assert.ok(!Number.isNaN(job.firstStartS), `${job.spec.id} never started (${job.reason})`);
      latest = Math.max(latest, job.firstStartS - job.spec.submitS);
    }
    t.diagnostic(`latest start ${latest} s after submission, ${result.scheduler.counters.cycles} cycles`);
    assert.ok(latest <= 10, `a job waited ${latest} s`);
    // The pass budget (500 searches) was hit: the bursts took several passes, not one unbounded one.
    assert.ok(latest > 0);
  });

  it("first-fit resumes a cut pass the same way", () => {
    const result = runReplay({ inventory: nodes, policy: "first-fit" }, burst(2000, 0, "c"));
    assert.ok(typeof result !== "string");
    assert.ok(result.jobs.every((job) => job.firstStartS <= 10));
  });
});
