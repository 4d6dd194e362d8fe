import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { constrainedDemandShares } from "./fragmentation.ts";
import { inventoryFromOpenbNodes } from "./inventory.ts";
import { type JobSpec, jobSpec } from "./jobs.ts";
import { replay } from "./replay.ts";
import { type PolicyName, Scheduler } from "./scheduler.ts";
import { queueConfigForJobs, standardChecks, taskShapesOf, workloadOf } from "./setup.ts";

/**
 * Eight 2-GPU T4 nodes listed first, then two 8-GPU G2 nodes: first-fit reaches the T4s first, and best-fit packing
 * prefers their smaller free room.
 */
const nodes = inventoryFromOpenbNodes(
  `sn,cpu_milli,memory_mib,gpu,model\n${Array.from({ length: 8 }, (_, i) => `t${i},64000,262144,2,T4`).join("\n")}\n` +
    `g0,64000,262144,8,G2\ng1,64000,262144,8,G2\n`,
).inventory!;

function pod(id: string, submitS: number, gpuModels: readonly string[] = []): JobSpec {
  return jobSpec({ id, queue: "q", submitS, durationS: 1e9, gpus: 1, gpuModels, cpuMilli: 1000, memoryMib: 1024 });
}

/** 16 unconstrained one-GPU pods, then 16 that only run on T4: together exactly the 32 GPUs of the cluster. */
const pods: JobSpec[] = [
  ...Array.from({ length: 16 }, (_, i) => pod(`any-${i}`, i)),
  ...Array.from({ length: 16 }, (_, i) => pod(`t4-${i}`, 16 + i, ["T4"])),
];

function fill(policy: PolicyName) {
  const checks = standardChecks(nodes);
  assert.ok(typeof checks !== "string");
  const scheduler = new Scheduler(nodes, {
    policy,
    queues: queueConfigForJobs(pods),
    checks,
    // As in the openb traces, the constrained pods are a long tail the popular shapes leave out: the fragment
    // measure alone does not see them, the per-model demand does.
    workload: workloadOf(
      pods.filter((spec) => spec.gpuModels.length === 0),
      nodes,
    ),
    demand: taskShapesOf(pods, nodes),
  });
  replay(scheduler, pods, { departures: false });
  return scheduler;
}

describe("per-model scarcity", () => {
  it("counts the demand only a model can serve, spread by capacity over the models a task accepts", () => {
    // Models 0 and 1 with 10 and 30 GPUs; a task accepting both spreads 1:3.
    const shares = constrainedDemandShares(
      [
        { gpus: 2, gpuMilli: 1000, cpuMilli: 0, memoryMib: 0, models: [] },
        { gpus: 1, gpuMilli: 1000, cpuMilli: 0, memoryMib: 0, models: [0] },
        { gpus: 1, gpuMilli: 1000, cpuMilli: 0, memoryMib: 0, models: [0, 1] },
        { gpus: 0, gpuMilli: 0, cpuMilli: 4000, memoryMib: 0, models: [] },
      ],
      [10, 30],
    );
    assert.deepEqual([...shares], [(1 + 0.25) / 4, 0.75 / 4]);
  });

  it("keeps the T4s for the pods that can only run there: alixan places all 32, first-fit strands the T4-only half", () => {
    const alixan = fill("alixan");
    const firstFit = fill("first-fit");
    const placed = (scheduler: Scheduler) => scheduler.jobs.filter((job) => job.placed).length;
    assert.equal(placed(alixan), 32);
    assert.equal(placed(firstFit), 16);
    // Every unconstrained pod went to a G2 node.
    for (const job of alixan.jobs.filter((candidate) => candidate.spec.id.startsWith("any-"))) {
      assert.equal(nodes.gpuModels[alixan.inventory.pools[alixan.inventory.nodePool[job.nodes[0]!]!]!.model], "G2");
    }
  });
});
