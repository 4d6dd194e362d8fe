import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClusterState } from "./cluster.ts";
import { FragmentMeter, type WorkloadClass } from "./fragmentation.ts";
import { inventoryFromOpenbNodes } from "./inventory.ts";
import { anyModel, Job, jobSpec } from "./jobs.ts";
import { fgdPenalty, growthCacheShapes, Placer } from "./placement.ts";

/** Two 8-GPU nodes of one model, `a` listed (and searched) first. */
const nodes = inventoryFromOpenbNodes("sn,cpu_milli,memory_mib,gpu,model\na,64000,262144,8,G2\nb,64000,262144,8,G2\n")
  .inventory!;

const shape = (gpus: number, gpuMilli: number, cpuMilli: number, share: number): WorkloadClass => ({
  gpus,
  gpuMilli,
  cpuMilli,
  memoryMib: 0,
  models: [],
  share,
});

/** A cluster of `nodes` measuring fragments against `classes`; `take` occupies resources, `place` answers a node. */
function cluster(classes: readonly WorkloadClass[]) {
  const state = new ClusterState(nodes, new FragmentMeter(classes, nodes.gpuModels.length));
  const placer = new Placer(state, []);
  const everyPool = new Uint8Array(nodes.pools.length).fill(1);
  const take = (node: number, gpus: number, cpuMilli: number) => {
    const start = nodes.nodeGpuStart[node]!;
    state.apply(
      node,
      Int32Array.from({ length: gpus }, (_, i) => start + i),
      0,
      gpus,
      1000,
      cpuMilli,
      0,
      1,
    );
  };
  const place = (gpus: number, cpuMilli: number): string => {
    const job = new Job(0, jobSpec({ id: "pod", queue: "q", submitS: 0, durationS: 1, gpus, cpuMilli, memoryMib: 0 }));
    job.modelOptions = gpus > 0 ? [0] : [];
    job.model = gpus > 0 ? anyModel : -1;
    assert.ok(placer.place(job, everyPool, "best-fit", 0));
    return nodes.nodeName(job.nodes[0]!);
  };
  return { take, place, placer };
}

describe("FGD node score", () => {
  it("counts all free GPU of a node as fragment for a task that asks no GPU, whether or not it fits", () => {
    const meter = new FragmentMeter([shape(0, 0, 4000, 1)], 1);
    const free = [1000, 1000, 300];
    // The CPU-only task fits (CPU 64,000) and still cannot use any of the 2,300 free milli.
    assert.equal(meter.fragment(free, 3, 64000, 262144, 0), 2300);
    assert.equal(meter.fragment(free, 3, 1000, 262144, 0), 2300);
  });

  it("is the paper's integer score as a penalty: 50 at no growth, in whole steps, bounded by 0 and 100", () => {
    assert.equal(fgdPenalty(0), 50);
    // Growths within one step (about 0.04 GPU near zero) rank alike; a larger one ranks worse, a decrease better.
    assert.equal(fgdPenalty(0.01), fgdPenalty(0.02));
    assert.ok(fgdPenalty(0.1) > fgdPenalty(0));
    assert.ok(fgdPenalty(-0.1) < fgdPenalty(0));
    assert.equal(fgdPenalty(50), 100);
    assert.equal(fgdPenalty(-50), 0);
    for (const cost of [-3, -0.5, 0.3, 2.2]) assert.ok(Number.isInteger(fgdPenalty(cost)));
  });

  it("sends a GPU pod to the first node searched among equal scores, not the fullest", () => {
    // One-GPU tasks only: taking a whole GPU changes no node's fragment, so both nodes score alike.
    const { take, place } = cluster([shape(1, 1000, 1000, 1)]);
    take(1, 4, 4000);
    // b is fuller, a comes first: a, so the same nodes keep filling while there is no reason to leave them.
    assert.equal(place(1, 1000), "a");
  });

  it("sends a CPU-only pod to the node with the least free GPU, even where the fragment grows", () => {
    // The target workload: one-GPU tasks needing 8 CPUs.
    const { take, place } = cluster([shape(1, 1000, 8000, 1)]);
    // b keeps one free GPU and 10 CPUs; a keeps all 8 GPUs and 64 CPUs.
    take(1, 7, 54000);
    // On b the pod leaves 6 CPUs, too few for the workload's task: b's free GPU becomes a fragment, a's fragment
    // would not grow. b still wins: the pod's CPU on a would be CPU that a's 8 free GPUs need.
    assert.equal(place(0, 4000), "b");
  });

  it("keeps apart in the growth cache member shapes that differ only in memory", () => {
    // The workload's task needs one GPU and 8,000 MiB. a and b keep two free GPUs each, a with 8,500 MiB, b 9,500.
    const classes = [{ ...shape(1, 1000, 0, 1), memoryMib: 8000 }];
    const state = new ClusterState(nodes, new FragmentMeter(classes, nodes.gpuModels.length));
    const placer = new Placer(state, []);
    for (const [node, memoryLeft] of [
      [0, 8500],
      [1, 9500],
    ] as const) {
      const start = nodes.nodeGpuStart[node]!;
      state.apply(
        node,
        [0, 1, 2, 3, 4, 5].map((i) => start + i),
        0,
        6,
        1000,
        0,
        262144 - memoryLeft,
        1,
      );
    }
    const placeOn = (memoryMib: number) => {
      const job = new Job(0, jobSpec({ id: "pod", queue: "q", submitS: 0, durationS: 1, gpus: 1, memoryMib }));
      job.modelOptions = [0];
      job.model = anyModel;
      assert.ok(placer.place(job, new Uint8Array(nodes.pools.length).fill(1), "best-fit", 0));
      const node = nodes.nodeName(job.nodes[0]!);
      placer.release(job);
      return node;
    };
    // 2,000 MiB strands the last GPU on either node: equal scores, a. b's growth for that shape stays cached.
    assert.equal(placeOn(2000), "a");
    // 1,000 MiB strands it only on a: b, which a cache keyed without memory would answer from the 2,000 MiB entry.
    assert.equal(placeOn(1000), "b");
  });

  it("starts the growth cache afresh past its shape bound, and its answers stay those of a fresh placer", () => {
    // A live scheduler meets every CPU figure tenants submit: the shapes it remembers stay bounded.
    const { take, placer } = cluster([shape(1, 1000, 8000, 1)]);
    const fresh = cluster([shape(1, 1000, 8000, 1)]);
    for (const { take: occupy } of [{ take }, fresh]) occupy(1, 7, 54000);
    const placeOn = (on: Placer, cpuMilli: number) => {
      const job = new Job(
        0,
        jobSpec({ id: "pod", queue: "q", submitS: 0, durationS: 1, gpus: 1, cpuMilli, memoryMib: 0 }),
      );
      job.modelOptions = [0];
      job.model = anyModel;
      assert.ok(on.place(job, new Uint8Array(nodes.pools.length).fill(1), "best-fit", 0));
      const node = nodes.nodeName(job.nodes[0]!);
      on.release(job);
      return node;
    };
    for (let cpuMilli = 1; cpuMilli <= growthCacheShapes + 10; cpuMilli++) {
      placeOn(placer, cpuMilli);
      assert.ok(placer.cachedShapes <= growthCacheShapes);
    }
    assert.equal(placer.cachedShapes, 10, "restarted once, past the bound");
    // Shape numbers reused after the restart answer for their new shapes, as a placer that never cached does.
    for (const cpuMilli of [1, 2, 5000, 9000, 9500])
      assert.equal(placeOn(placer, cpuMilli), placeOn(fresh.placer, cpuMilli));
  });
});
