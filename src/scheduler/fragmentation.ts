/**
 * GPU fragmentation as defined by Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with
 * Fragmentation Gradient Descent" (USENIX ATC '23): measured against the target workload (the popular task shapes and
 * how often each arrives), the fragment of a node is the expected amount of its free GPU that the next task cannot
 * use. For one task shape: if the task cannot fit on the node at all (too little CPU, memory or GPU, or the wrong
 * model), every free GPU milli of the node is a fragment; if it fits, the free milli on GPUs holding less than the
 * task's per-GPU request is; for a task that asks no GPU, all of them are (it can use none), as the paper and its
 * artifact count it. The node's fragment is the popularity-weighted sum over shapes; the cluster's is the sum over
 * nodes. Placing a task where that sum grows least (fragmentation gradient descent) is alixan's node choice.
 */

/** A task shape of the target workload with its share of arrivals (shares sum to 1). */
export interface WorkloadClass {
  readonly gpus: number;
  /** Per-GPU request in milli (1000 for whole GPUs, 0 for CPU-only tasks). */
  readonly gpuMilli: number;
  readonly cpuMilli: number;
  readonly memoryMib: number;
  /** GPU models the shape accepts, as inventory model indexes; empty means any. */
  readonly models: readonly number[];
  readonly share: number;
}

/** The shape of one task, for building a workload distribution. */
export interface TaskShape {
  readonly gpus: number;
  readonly gpuMilli: number;
  readonly cpuMilli: number;
  readonly memoryMib: number;
  readonly models: readonly number[];
}

/** Options for `workloadClasses`. */
export interface WorkloadClassOptions {
  /** Keep the most popular shapes until they cover this share of tasks (the ATC'23 simulator's default). */
  readonly coverage?: number;
  /**
   * Never keep more shapes than this, so a node's fragment costs a bounded number of operations. 256 by default: the
   * openb traces need 50 to 170 shapes for 95 % of their tasks, and cutting to fewer drops the model-constrained ones.
   */
  readonly maxClasses?: number;
}

/** The most popular task shapes of a workload, renormalised to shares summing to 1. */
export function workloadClasses(tasks: Iterable<TaskShape>, options: WorkloadClassOptions = {}): WorkloadClass[] {
  const coverage = options.coverage ?? 0.95;
  const maxClasses = options.maxClasses ?? 256;
  const counts = new Map<string, { shape: TaskShape; count: number }>();
  let total = 0;
  for (const task of tasks) {
    // The models are part of the shape: a constrained task cannot use what an unconstrained one of the same size can.
    const key = `${task.gpus}/${task.gpuMilli}/${task.cpuMilli}/${task.memoryMib}/${task.models.join(".")}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { shape: task, count: 1 });
    else entry.count++;
    total++;
  }
  if (total === 0) return [];
  const sorted = [...counts.values()].sort((a, b) => b.count - a.count);
  const kept: { shape: TaskShape; count: number }[] = [];
  let covered = 0;
  for (const entry of sorted) {
    if (covered >= coverage * total || kept.length >= maxClasses) break;
    kept.push(entry);
    covered += entry.count;
  }
  return kept.map(({ shape, count }) => ({
    gpus: shape.gpus,
    gpuMilli: shape.gpuMilli,
    cpuMilli: shape.cpuMilli,
    memoryMib: shape.memoryMib,
    models: shape.models,
    share: count / covered,
  }));
}

/**
 * Per GPU model, the share of a workload's GPU demand that only that model can serve: tasks restricted to some
 * models spread their demand over them by installed capacity (`capacityGpus[m]`, GPUs of model m). `tasks` are all
 * the workload's tasks, or its classes weighted by share; constrained demand sits in the long tail of shapes, so the
 * popular shapes alone miss much of it. Shares sum to at most 1 (the rest may run on any model).
 */
export function constrainedDemandShares(
  tasks: Iterable<TaskShape & { readonly share?: number }>,
  capacityGpus: ArrayLike<number>,
): Float64Array {
  const shares = new Float64Array(capacityGpus.length);
  let demand = 0;
  for (const task of tasks) {
    const gpus = ((task.share ?? 1) * task.gpus * task.gpuMilli) / 1000;
    demand += gpus;
    if (task.models.length === 0 || gpus === 0) continue;
    let accepted = 0;
    for (const model of task.models) accepted += capacityGpus[model] ?? 0;
    if (accepted === 0) continue;
    for (const model of task.models) shares[model]! += (gpus * (capacityGpus[model] ?? 0)) / accepted;
  }
  if (demand > 0) for (let model = 0; model < shares.length; model++) shares[model]! /= demand;
  return shares;
}

/**
 * Evaluates node fragments against a workload distribution. Works on a scratch copy of a node's GPU free milli so
 * that hypothetical placements cost no allocation.
 */
export class FragmentMeter {
  private readonly classGpus: Int32Array;
  private readonly classMilli: Int32Array;
  private readonly classCpu: Int32Array;
  private readonly classMemory: Int32Array;
  private readonly classShare: Float64Array;
  /** classAllowsModel[c * modelCount + m] = 1 when class c accepts model m. */
  private readonly classAllowsModel: Uint8Array;
  private readonly modelCount: number;
  private readonly sorted = new Int32Array(256);

  constructor(classes: readonly WorkloadClass[], modelCount: number) {
    const count = classes.length;
    this.modelCount = Math.max(1, modelCount);
    this.classGpus = Int32Array.from(classes, (c) => c.gpus);
    this.classMilli = Int32Array.from(classes, (c) => c.gpuMilli);
    this.classCpu = Int32Array.from(classes, (c) => c.cpuMilli);
    this.classMemory = Int32Array.from(classes, (c) => c.memoryMib);
    this.classShare = Float64Array.from(classes, (c) => c.share);
    this.classAllowsModel = new Uint8Array(count * this.modelCount);
    classes.forEach((c, index) => {
      for (let model = 0; model < this.modelCount; model++) {
        this.classAllowsModel[index * this.modelCount + model] =
          c.models.length === 0 || c.models.includes(model) ? 1 : 0;
      }
    });
  }

  /**
   * Expected fragment (GPU milli) of a node whose GPUs have `free[0..count)` milli free, with `cpuFree` and
   * `memoryFree` left, GPUs of inventory model `model` (-1 for none).
   */
  fragment(free: ArrayLike<number>, count: number, cpuFree: number, memoryFree: number, model: number): number {
    if (count === 0 || model < 0) return 0;
    const sorted = this.sorted;
    const total = sortFreeDescending(free, count, sorted);
    if (total === 0) return 0;
    let fragment = 0;
    const classes = this.classShare.length;
    for (let c = 0; c < classes; c++) {
      const share = this.classShare[c]!;
      if (
        this.classAllowsModel[c * this.modelCount + model] === 0 ||
        this.classCpu[c]! > cpuFree ||
        this.classMemory[c]! > memoryFree
      ) {
        fragment += share * total;
        continue;
      }
      const gpus = this.classGpus[c]!;
      // A CPU-only task can use none of the free GPU milli, whether or not it fits the node.
      if (gpus === 0) {
        fragment += share * total;
        continue;
      }
      const milli = this.classMilli[c]!;
      // GPUs able to take the per-GPU request are the first `fitting` in descending order.
      let fitting = 0;
      let fittingMilli = 0;
      while (fitting < count && sorted[fitting]! >= milli) {
        fittingMilli += sorted[fitting]!;
        fitting++;
      }
      fragment += fitting < gpus ? share * total : share * (total - fittingMilli);
    }
    return fragment;
  }
}

/**
 * Copies a node's free GPU milli `free[0..count)` into `sorted`, largest first, and answers their sum (insertion
 * sort: a node has at most a few GPUs, and the buffer is reused so the hot path allocates nothing).
 */
export function sortFreeDescending(free: ArrayLike<number>, count: number, sorted: Int32Array): number {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const value = free[i]!;
    total += value;
    let j = i;
    while (j > 0 && sorted[j - 1]! < value) {
      sorted[j] = sorted[j - 1]!;
      j--;
    }
    sorted[j] = value;
  }
  return total;
}
