/**
 * The ATC'23 evaluation protocol (Weng et al., "Beware of Fragmentation", artifact hkust-adsl/kubernetes-scheduler-
 * simulator): the trace's pods are shuffled with a seed and resampled until their GPU demand is 130 % of the
 * cluster's GPU capacity; the nodes are shuffled with the seed too; pods arrive one at a time and never leave; a pod
 * that cannot be placed when it arrives is recorded as failed and the next one is tried. The figure is the GPU
 * allocation (allocated over installed GPU milli) read as the artifact's analysis reads it: the mean over the pod
 * events whose arrived demand rounds to 100 % (and 130 %) of capacity, then averaged over the seeds.
 */
import { artifactFgdReplay } from "./atc23-fgd.ts";
import { seededRandom } from "./demo.ts";
import { workloadClasses } from "./fragmentation.ts";
import type { Inventory } from "./inventory.ts";
import type { JobSpec } from "./jobs.ts";
import type { PolicyName } from "./scheduler.ts";
import { runReplay, taskShapesOf } from "./setup.ts";

/** Options of the protocol. */
export interface Atc23Options {
  /** Seeds of the shuffles (the artifact uses 42–51). */
  readonly seeds?: readonly number[];
  /** Arrived GPU demand over capacity at which the run stops (1.3 in the paper). */
  readonly demandRatio?: number;
  /** `shuffled` (the artifact's, default): nodes in a seeded random order per seed; `listed`: the node list's order. */
  readonly nodeOrder?: "shuffled" | "listed";
}

/** Allocation per seed and their means. */
export interface Atc23Result {
  /** A scheduler policy, or `fgd-artifact`: the artifact's FGD rule (`atc23-fgd.ts`), the protocol's reference. */
  readonly policy: PolicyName | "fgd-artifact";
  readonly seeds: readonly number[];
  /** GPU allocation once arrived demand reached 100 % of capacity, per seed. */
  readonly at100: readonly number[];
  /** GPU allocation once arrived demand reached `demandRatio` of capacity, per seed. */
  readonly at130: readonly number[];
  readonly meanAt100: number;
  readonly meanAt130: number;
  readonly minAt100: number;
  readonly minAt130: number;
}

/** The paper's seeds. */
export const atc23Seeds: readonly number[] = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51];

const demandOf = (spec: JobSpec) => spec.members * spec.gpus * spec.gpuMilli;

/**
 * The arrival sequence of one seed, built as the artifact's workload tuning does: every pod of the trace in a seeded
 * shuffled order; if their GPU demand exceeds `ratio` of `capacityMilli`, pods drawn at random are removed until it
 * does not; otherwise pods drawn uniformly with replacement from the trace are appended until the next draw would
 * exceed it. Like the artifact, that stopping test adds the drawn pod's per-GPU request, not its total (at most
 * 7 GPUs of difference on 8,076). One pod per second, none withdrawn.
 */
export function atc23Workload(pods: readonly JobSpec[], capacityMilli: number, ratio: number, seed: number): JobSpec[] {
  const random = seededRandom(seed);
  const order = pods.map((_, index) => index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const target = ratio * capacityMilli;
  let demand = order.reduce((sum, index) => sum + demandOf(pods[index]!), 0);
  while (demand > target && order.length > 0) {
    const [removed] = order.splice(Math.floor(random() * order.length), 1);
    demand -= demandOf(pods[removed!]!);
  }
  if (pods.some((pod) => demandOf(pod) > 0)) {
    for (;;) {
      const index = Math.floor(random() * pods.length);
      const pod = pods[index]!;
      if (demand + (pod.gpus > 0 ? pod.gpuMilli : 0) > target) break;
      order.push(index);
      demand += demandOf(pod);
    }
  }
  return order.map((index, k) => {
    const pod = pods[index]!;
    return { ...pod, id: `${pod.id}#${k}`, submitS: k, cancelAtS: undefined };
  });
}

/**
 * The inventory with its nodes in a seeded random order: the artifact names every node with a random prefix before
 * creating it, so node order, and with it which of equally good nodes a policy takes, changes with the seed. Only
 * for flat inventories (one topology level, no facility), such as an openb node list.
 */
export function shuffledNodes(inventory: Inventory, seed: number): Inventory {
  if (inventory.levels.length !== 1 || inventory.facility !== undefined || inventory.zones.length > 0) {
    throw new Error(`${inventory.name}: node shuffling needs a flat inventory (an openb node list)`);
  }
  const random = seededRandom(seed ^ 0x5bd1e995);
  const count = inventory.nodeCount;
  const order = Int32Array.from({ length: count }, (_, index) => index);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  const nodeGpuStart = new Int32Array(count);
  let gpus = 0;
  for (let node = 0; node < count; node++) {
    nodeGpuStart[node] = gpus;
    gpus += inventory.nodeGpuCount[order[node]!]!;
  }
  const pick = <T extends Uint8Array | Uint16Array | Int32Array>(values: T): T =>
    values.map((_, node) => values[order[node]!]!) as T;
  return {
    ...inventory,
    nodePool: pick(inventory.nodePool),
    nodeGpuCount: pick(inventory.nodeGpuCount),
    nodeGpuStart,
    nodeCpuMilli: pick(inventory.nodeCpuMilli),
    nodeMemoryMib: pick(inventory.nodeMemoryMib),
    nodeDomain: Int32Array.from({ length: count }, (_, index) => index),
    nodeName: (index) => inventory.nodeName(order[index] ?? -1),
  };
}

/**
 * The artifact's reading of an allocation curve at `percent` % of arrived demand: the mean allocation over every pod
 * event whose arrived GPU demand, in whole percent of capacity, rounds to `percent`; failing that, within one point.
 */
export function allocationAtArrival(
  arrivedPercent: ArrayLike<number>,
  allocation: ArrayLike<number>,
  percent: number,
): number {
  for (const width of [0.5, 1.5]) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < arrivedPercent.length; i++) {
      const rounded = Math.round(arrivedPercent[i]!);
      if (Math.abs(rounded - percent) < width) {
        sum += allocation[i]!;
        count++;
      }
    }
    if (count > 0) return sum / count;
  }
  return Number.NaN;
}

/** Runs the protocol for one policy on `inventory` (checks and target workload as in a replay). */
export function atc23Replay(
  inventory: Inventory,
  pods: readonly JobSpec[],
  policy: PolicyName,
  options: Atc23Options = {},
): Atc23Result {
  // The target workload is the trace's, as a live scheduler would know it (not the resampled sequence).
  const demand = taskShapesOf(pods, inventory);
  const workload = workloadClasses(demand);
  return runProtocol(inventory, pods, policy, options, (nodes, jobs) => {
    // Queues and admission checks as in any replay (`runReplay`'s defaults), fresh per seed.
    const result = runReplay({ inventory: nodes, policy, workload, demand, replay: { departures: false } }, jobs);
    if (typeof result === "string") throw new Error(result);
    // One reading per pod event, as the artifact logs them: the allocation once pod k was tried.
    const { timeS, gpuAllocation } = result.timeline;
    const allocation = new Float64Array(jobs.length);
    let sample = -1;
    for (let k = 0; k < jobs.length; k++) {
      while (sample + 1 < timeS.length && timeS[sample + 1]! <= k + 1e-6) sample++;
      allocation[k] = sample < 0 ? 0 : gpuAllocation[sample]!;
    }
    return allocation;
  });
}

/** Runs the protocol with the artifact's FGD rule (the reference the paper's figures come from). */
export function atc23ArtifactFgd(
  inventory: Inventory,
  pods: readonly JobSpec[],
  options: Atc23Options = {},
): Atc23Result {
  return runProtocol(inventory, pods, "fgd-artifact", options, (nodes, jobs) => artifactFgdReplay(nodes, pods, jobs));
}

function runProtocol(
  inventory: Inventory,
  pods: readonly JobSpec[],
  policy: Atc23Result["policy"],
  options: Atc23Options,
  run: (nodes: Inventory, jobs: readonly JobSpec[]) => Float64Array,
): Atc23Result {
  const seeds = options.seeds ?? atc23Seeds;
  const ratio = options.demandRatio ?? 1.3;
  const capacity = inventory.gpuCount * 1000;
  const at100: number[] = [];
  const at130: number[] = [];
  for (const seed of seeds) {
    const jobs = atc23Workload(pods, capacity, ratio, seed);
    const nodes = options.nodeOrder === "listed" ? inventory : shuffledNodes(inventory, seed);
    const allocation = run(nodes, jobs);
    const arrivedPercent = new Float64Array(jobs.length);
    let arrived = 0;
    for (let k = 0; k < jobs.length; k++) {
      arrived += demandOf(jobs[k]!);
      arrivedPercent[k] = (100 * arrived) / capacity;
    }
    at100.push(allocationAtArrival(arrivedPercent, allocation, 100));
    at130.push(allocationAtArrival(arrivedPercent, allocation, Math.round(ratio * 100)));
  }
  const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    policy,
    seeds,
    at100,
    at130,
    meanAt100: mean(at100),
    meanAt130: mean(at130),
    minAt100: Math.min(...at100),
    minAt130: Math.min(...at130),
  };
}
