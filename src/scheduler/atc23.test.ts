import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { allocationAtArrival, atc23ArtifactFgd, atc23Replay, atc23Workload, shuffledNodes } from "./atc23.ts";
import { inventoryFromOpenbNodes } from "./inventory.ts";
import { readOpenbPods } from "./traces/openb.ts";

const openbFolder = join(import.meta.dirname, "..", "..", "..", "shared", "data", "traces", "openb");
const nodes = inventoryFromOpenbNodes(readFileSync(join(openbFolder, "openb_node_list_gpu_node.csv"), "utf8"))
  .inventory!;
const pods = (name: string) =>
  readOpenbPods(readFileSync(join(openbFolder, `openb_pod_list_${name}.csv`), "utf8")).jobs;

describe("ATC'23 protocol", () => {
  it("shuffles by seed and resamples until the GPU demand is 130 % of capacity, as the artifact tunes it", () => {
    const trace = pods("default");
    const capacity = nodes.gpuCount * 1000;
    const first = atc23Workload(trace, capacity, 1.3, 42);
    const again = atc23Workload(trace, capacity, 1.3, 42);
    const other = atc23Workload(trace, capacity, 1.3, 43);
    assert.deepEqual(
      first.map((job) => job.id),
      again.map((job) => job.id),
    );
    assert.notDeepEqual(
      first.slice(0, 50).map((job) => job.id),
      other.slice(0, 50).map((job) => job.id),
    );
    const demand = (jobs: typeof first) => jobs.reduce((sum, job) => sum + job.members * job.gpus * job.gpuMilli, 0);
    // Every pod of the trace once (its demand is 98 % of capacity), then draws until the next would pass 130 %.
    assert.equal(new Set(first.slice(0, trace.length).map((job) => job.id.split("#")[0])).size, trace.length);
    // The artifact's stopping test adds a draw's per-GPU request, so a multi-GPU pod may pass the target by 7 GPUs.
    assert.ok(Math.abs(demand(first) - 1.3 * capacity) < 8000, "stops within one pod of 130 %");
    const last = first.at(-1)!;
    assert.ok(demand(first) - last.gpus * last.gpuMilli + last.gpuMilli <= 1.3 * capacity);
    // A trace above the target loses random pods instead.
    const cut = atc23Workload(trace, capacity, 0.5, 42);
    assert.ok(demand(cut) <= 0.5 * capacity && demand(cut) > 0.5 * capacity - 8000);
    // One pod per second, none withdrawn: every pod is tried once, in order.
    first.forEach((job, index) => {
      assert.equal(job.submitS, index);
      assert.equal(job.cancelAtS, undefined);
    });
  });

  it("shuffles nodes by seed without changing what they hold", () => {
    const shuffled = shuffledNodes(nodes, 42);
    assert.equal(shuffled.nodeCount, nodes.nodeCount);
    assert.equal(shuffled.gpuCount, nodes.gpuCount);
    assert.notDeepEqual(shuffled.nodeCpuMilli.slice(0, 20), nodes.nodeCpuMilli.slice(0, 20));
    const shape = (inventory: typeof nodes, node: number) =>
      `${inventory.nodeName(node)}/${inventory.nodeCpuMilli[node]}/${inventory.nodeMemoryMib[node]}/` +
      `${inventory.nodeGpuCount[node]}/${inventory.pools[inventory.nodePool[node]!]!.model}`;
    const before = Array.from({ length: nodes.nodeCount }, (_, node) => shape(nodes, node)).sort();
    const after = Array.from({ length: nodes.nodeCount }, (_, node) => shape(shuffled, node)).sort();
    assert.deepEqual(after, before);
    let gpus = 0;
    for (let node = 0; node < shuffled.nodeCount; node++) {
      assert.equal(shuffled.nodeGpuStart[node], gpus);
      gpus += shuffled.nodeGpuCount[node]!;
    }
  });

  it("reads the allocation as the artifact's analysis does: the mean over events rounding to the percentage", () => {
    const arrived = [98.7, 99.4, 99.6, 100.2, 100.49, 100.6, 129.2, 129.7];
    const allocation = [0.9, 0.91, 0.92, 0.94, 0.96, 0.97, 0.98, 0.99];
    assert.equal(allocationAtArrival(arrived, allocation, 100), (0.92 + 0.94 + 0.96) / 3);
    assert.equal(allocationAtArrival(arrived, allocation, 130), 0.99);
    // No event rounds to 131: the artifact falls back to events within one point.
    assert.equal(allocationAtArrival(arrived, allocation, 131), 0.99);
    assert.ok(Number.isNaN(allocationAtArrival(arrived, allocation, 50)));
  });

  it("reproduces the paper's FGD figures with the artifact's rule (the harness check, 3 seeds)", (t) => {
    const fgd = atc23ArtifactFgd(nodes, pods("default"), { seeds: [42, 43, 44] });
    t.diagnostic(`artifact FGD rule ${(fgd.meanAt100 * 100).toFixed(2)} / ${(fgd.meanAt130 * 100).toFixed(2)} %`);
    // The artifact's own results for these seeds (experiments/analysis/expected_results): 95.16 / 95.35 %.
    assert.ok(Math.abs(fgd.meanAt100 - 0.9516) < 0.002 && Math.abs(fgd.meanAt130 - 0.9535) < 0.002);
  });

  // The paper's FGD figures (allocation at 100 % / 130 % of arrived demand, seeds 42–51), as listed beside the data.
  const paper: Record<string, [number, number]> = {
    default: [0.952, 0.954],
    gpuspec20: [0.947, 0.948],
    gpuspec25: [0.939, 0.947],
  };
  for (const [trace, [at100, at130]] of Object.entries(paper)) {
    it(`${trace}: alixan beats first-fit, within 0.3 points of the paper's FGD or above it (3 seeds)`, (t) => {
      const jobs = pods(trace);
      const seeds = [42, 43, 44];
      const alixan = atc23Replay(nodes, jobs, "alixan", { seeds });
      const firstFit = atc23Replay(nodes, jobs, "first-fit", { seeds });
      t.diagnostic(
        `alixan ${(alixan.meanAt100 * 100).toFixed(2)} / ${(alixan.meanAt130 * 100).toFixed(2)} %, first-fit ` +
          `${(firstFit.meanAt100 * 100).toFixed(2)} / ${(firstFit.meanAt130 * 100).toFixed(2)} %, paper FGD ` +
          `${(at100 * 100).toFixed(1)} / ${(at130 * 100).toFixed(1)} %`,
      );
      assert.ok(alixan.meanAt100 > firstFit.meanAt100 && alixan.meanAt130 > firstFit.meanAt130);
      assert.ok(alixan.meanAt100 >= at100 - 0.003 && alixan.meanAt130 >= at130 - 0.003);
    });
  }
});
