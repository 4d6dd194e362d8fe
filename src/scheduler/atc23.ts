/**
 * The ATC'23 evaluation protocol (Weng et al., "Beware of Fragmentation", artifact hkust-adsl/kubernetes-scheduler-
 * simulator): the trace's pods are shuffled with a seed and resampled until the GPU demand that has arrived reaches
 * 130 % of the cluster's GPU capacity; pods arrive one at a time and never leave; a pod that cannot be placed when
 * it arrives is recorded as failed and the next one is tried. The figure is the GPU allocation (allocated over
 * installed GPU milli) once the arrived demand reaches 100 % and 130 % of capacity, averaged over the seeds.
 */
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
}

/** Allocation per seed and their means. */
export interface Atc23Result {
  readonly policy: PolicyName;
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
 * The arrival sequence of one seed: the pods in a seeded shuffled order, then pods drawn uniformly with replacement
 * once the trace is used up, until their GPU demand reaches `ratio` of `capacityMilli`; one pod per second.
 */
export function atc23Workload(pods: readonly JobSpec[], capacityMilli: number, ratio: number, seed: number): JobSpec[] {
  const random = seededRandom(seed);
  const order = pods.map((_, index) => index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const target = ratio * capacityMilli;
  const out: JobSpec[] = [];
  let demand = 0;
  const hasGpu = pods.some((pod) => demandOf(pod) > 0);
  for (let k = 0; demand < target && hasGpu; k++) {
    const pod = k < order.length ? pods[order[k]!]! : pods[Math.floor(random() * pods.length)]!;
    out.push({ ...pod, id: `${pod.id}#${k}`, submitS: k, cancelAtS: undefined });
    demand += demandOf(pod);
  }
  return out;
}

/** Runs the protocol for one policy on `inventory` (checks and target workload as in a replay). */
export function atc23Replay(
  inventory: Inventory,
  pods: readonly JobSpec[],
  policy: PolicyName,
  options: Atc23Options = {},
): Atc23Result {
  const seeds = options.seeds ?? atc23Seeds;
  const ratio = options.demandRatio ?? 1.3;
  const capacity = inventory.gpuCount * 1000;
  const at100: number[] = [];
  const at130: number[] = [];
  // The target workload is the trace's, as a live scheduler would know it (not the resampled sequence).
  const demand = taskShapesOf(pods, inventory);
  const workload = workloadClasses(demand);
  for (const seed of seeds) {
    const jobs = atc23Workload(pods, capacity, ratio, seed);
    // Queues and admission checks as in any replay (`runReplay`'s defaults), fresh per seed.
    const result = runReplay({ inventory, policy, workload, demand, replay: { departures: false } }, jobs);
    if (typeof result === "string") throw new Error(result);
    let arrived = 0;
    let first = Number.NaN;
    // Allocation when the arrived demand first reached capacity: replayed from the timeline (one sample per pod).
    const { timeS, gpuAllocation } = result.timeline;
    let crossing = jobs.length - 1;
    for (let k = 0; k < jobs.length; k++) {
      arrived += demandOf(jobs[k]!);
      if (arrived >= capacity) {
        crossing = k;
        break;
      }
    }
    for (let i = 0; i < timeS.length; i++) {
      if (timeS[i]! <= crossing) first = gpuAllocation[i]!;
    }
    at100.push(first);
    at130.push(gpuAllocation[gpuAllocation.length - 1] ?? 0);
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
