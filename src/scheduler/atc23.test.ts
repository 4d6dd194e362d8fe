import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { atc23Replay, atc23Workload } from "./atc23.ts";
import { inventoryFromOpenbNodes } from "./inventory.ts";
import { readOpenbPods } from "./traces/openb.ts";

const openbFolder = join(import.meta.dirname, "..", "..", "..", "shared", "data", "traces", "openb");
const nodes = inventoryFromOpenbNodes(readFileSync(join(openbFolder, "openb_node_list_gpu_node.csv"), "utf8"))
  .inventory!;
const pods = (name: string) =>
  readOpenbPods(readFileSync(join(openbFolder, `openb_pod_list_${name}.csv`), "utf8")).jobs;

describe("ATC'23 protocol", () => {
  it("shuffles by seed and resamples until the arrived GPU demand reaches 130 % of capacity", () => {
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
    assert.ok(demand(first) >= 1.3 * capacity);
    assert.ok(demand(first.slice(0, -1)) < 1.3 * capacity, "no pod beyond the one that reaches 130 %");
    // One pod per second, none withdrawn: every pod is tried once, in order.
    first.forEach((job, index) => {
      assert.equal(job.submitS, index);
      assert.equal(job.cancelAtS, undefined);
    });
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
