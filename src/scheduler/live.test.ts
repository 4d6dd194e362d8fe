import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inventoryFromOpenbNodes } from "./inventory.ts";
import { jobSpec } from "./jobs.ts";
import { LiveScheduler } from "./live.ts";
import { queueConfigForJobs } from "./setup.ts";

const openbFolder = join(import.meta.dirname, "..", "..", "..", "shared", "data", "traces", "openb");
const nodes = inventoryFromOpenbNodes(readFileSync(join(openbFolder, "openb_node_list_gpu_node.csv"), "utf8"))
  .inventory!;

describe("live scheduler", () => {
  it("a burst of 2,000 carried-over jobs all start within 10 scheduler seconds: cut passes resume on the timer", async () => {
    const specs = Array.from({ length: 2000 }, (_, index) =>
      jobSpec({ id: `j${index}`, queue: "burst", submitS: 0, durationS: 86_400, gpus: 1, cpuMilli: 1000 }),
    );
    // Real time: scheduler seconds are wall seconds, so the passes' own compute time counts too.
    const live = new LiveScheduler({ inventory: nodes, queues: queueConfigForJobs(specs), checks: [] });
    try {
      const jobs = specs.map((spec) => live.carry(spec));
      const kickedS = live.nowS();
      live.kick();
      // One pass stops at 500 searches: the first cycle cannot start them all.
      assert.ok(jobs.some((job) => job.state === "queued"));
      const deadline = Date.now() + 15_000;
      while (jobs.some((job) => job.state === "queued") && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
      const latest = Math.max(...jobs.map((job) => job.firstStartS));
      assert.ok(
        jobs.every((job) => job.state === "running"),
        `${jobs.filter((job) => job.state === "queued").length} still queued`,
      );
      assert.ok(latest - kickedS <= 10, `the last started ${latest - kickedS} scheduler seconds after the kick`);
    } finally {
      live.dispose();
    }
  });

  it("takes a job whose deadline and withdrawal time passed (a restart's) with them at now, instead of refusing it", () => {
    const spec = jobSpec({ id: "late", queue: "late", submitS: 0, durationS: 600, gpus: 1, deferrable: true });
    // Started 10 scheduler seconds ago: its deadline and withdrawal at 1 s passed.
    const live = new LiveScheduler({
      inventory: nodes,
      queues: queueConfigForJobs([spec]),
      checks: [],
      epochMs: Date.now() - 10_000,
    });
    try {
      const job = live.submit({ ...spec, deadlineS: 1, cancelAtS: 1 });
      assert.equal(job.state, "running", job.reason);
      assert.ok(job.spec.deadlineS! >= job.spec.submitS && job.spec.deadlineS! >= 10, `${job.spec.deadlineS}`);
      assert.ok(job.spec.cancelAtS! >= job.spec.submitS, `${job.spec.cancelAtS}`);
    } finally {
      live.dispose();
    }
  });
});
