/**
 * The free resources of every node and GPU, plus per-group aggregates at every topology level so a placement search
 * prunes whole halls, blocks, rows and racks without visiting their nodes. All state is typed arrays; binding or
 * releasing one member costs a constant amount of work per topology level.
 */
import type { FragmentMeter } from "./fragmentation.ts";
import type { Inventory } from "./inventory.ts";

/** Member sizes (whole GPUs) for which every group keeps a count of how many such members its nodes could take. */
export const slotSizes: readonly number[] = [1, 2, 4, 8];

/** Milli of a whole GPU. */
export const wholeGpu = 1000;

/** Index into `slotSizes` of the largest size not above `gpus` (the optimistic filter for a member of `gpus`). */
export function slotIndexFor(gpus: number): number {
  let index = 0;
  while (index + 1 < slotSizes.length && slotSizes[index + 1]! <= gpus) index++;
  return index;
}

/** Mutable free state of an inventory. */
export class ClusterState {
  readonly inventory: Inventory;
  /** Free milli of every GPU. */
  readonly gpuFree: Uint16Array;
  /** Whole free GPUs per node. */
  readonly nodeFullFree: Uint8Array;
  readonly nodeFreeMilli: Int32Array;
  readonly nodeCpuFree: Int32Array;
  readonly nodeMemoryFree: Int32Array;
  /** Per level: `slots[level][(group * pools + pool) * slotSizes.length + s]` = Σ over nodes ⌊whole free / size⌋. */
  readonly slots: Int32Array[];
  /** Per level: free GPU milli per (group, pool). */
  readonly freeMilli: Float64Array[];
  /** Per level: free CPU milli per (group, pool). */
  readonly cpuFree: Float64Array[];
  /** Free GPU milli per pool over the whole inventory. */
  readonly poolFreeMilli: Float64Array;
  /** Installed GPU milli per pool. */
  readonly poolCapacityMilli: Float64Array;
  /** Expected fragment (GPU milli) of every node against the target workload, when a meter is attached. */
  readonly nodeFragment: Float64Array;
  /**
   * Per GPU model, the share of the target workload's GPU demand only that model can serve (all 0 when not given):
   * placement weighs it against the model's free GPUs to keep them for that work.
   */
  readonly modelDemandShare: Float64Array;
  /** Whether some model has constrained demand (else placement skips the scarcity term). */
  readonly constrainedDemand: boolean;
  /** 1 where a node takes no new work (its executor reports it down or drained); its free room is not counted. */
  readonly nodeOffline: Uint8Array;
  /** Per node, a counter bumped whenever its free resources change (placement caches what it scored by it). */
  readonly nodeVersion: Int32Array;
  private fragmentSum = 0;
  private allocatedMilli = 0;
  private readonly meter: FragmentMeter | undefined;
  private readonly poolCount: number;
  private readonly scratch = new Int32Array(256);

  constructor(inventory: Inventory, meter?: FragmentMeter, demandShares?: ArrayLike<number>) {
    this.inventory = inventory;
    this.meter = meter;
    const pools = inventory.pools.length;
    this.poolCount = pools;
    this.gpuFree = new Uint16Array(inventory.gpuCount).fill(wholeGpu);
    this.nodeFullFree = Uint8Array.from(inventory.nodeGpuCount);
    this.nodeFreeMilli = Int32Array.from(inventory.nodeGpuCount, (count) => count * wholeGpu);
    this.nodeCpuFree = Int32Array.from(inventory.nodeCpuMilli);
    this.nodeMemoryFree = Int32Array.from(inventory.nodeMemoryMib);
    this.slots = inventory.levels.map((level) => new Int32Array(level.count * pools * slotSizes.length));
    this.freeMilli = inventory.levels.map((level) => new Float64Array(level.count * pools));
    this.cpuFree = inventory.levels.map((level) => new Float64Array(level.count * pools));
    this.poolFreeMilli = new Float64Array(pools);
    this.poolCapacityMilli = new Float64Array(pools);
    this.nodeFragment = new Float64Array(inventory.nodeCount);
    this.nodeOffline = new Uint8Array(inventory.nodeCount);
    this.nodeVersion = new Int32Array(inventory.nodeCount);
    this.modelDemandShare = new Float64Array(inventory.gpuModels.length);
    if (demandShares !== undefined) this.modelDemandShare.set(demandShares);
    this.constrainedDemand = this.modelDemandShare.some((share) => share > 0);
    for (let node = 0; node < inventory.nodeCount; node++) {
      const pool = inventory.nodePool[node]!;
      this.poolCapacityMilli[pool]! += inventory.nodeGpuCount[node]! * wholeGpu;
      this.contribute(node, 1);
      if (meter !== undefined) {
        const fragment = this.computeFragment(node);
        this.nodeFragment[node] = fragment;
        this.fragmentSum += fragment;
      }
    }
  }

  /** GPU milli allocated over the whole inventory. */
  get allocatedGpuMilli(): number {
    return this.allocatedMilli;
  }

  /** Expected fragment of the whole inventory (GPU milli); 0 without a meter. */
  get fragmentMilli(): number {
    return this.fragmentSum;
  }

  /**
   * Takes a node out of service (no new work; what runs there stays until it ends) or puts it back. Its free room
   * leaves the aggregates so searches never count it. Returns whether anything changed.
   */
  setOffline(node: number, offline: boolean): boolean {
    const flag = offline ? 1 : 0;
    if (this.nodeOffline[node] === flag) return false;
    if (offline) this.contribute(node, -1);
    this.nodeOffline[node] = flag;
    if (!offline) this.contribute(node, 1);
    return true;
  }

  /** Adds (sign 1) or removes (sign -1) a node's free resources to the aggregates of every group above it. */
  private contribute(node: number, sign: number): void {
    if (this.nodeOffline[node] === 1) return;
    const inventory = this.inventory;
    const pool = inventory.nodePool[node]!;
    const full = this.nodeFullFree[node]!;
    const milli = this.nodeFreeMilli[node]! * sign;
    const cpu = this.nodeCpuFree[node]! * sign;
    this.poolFreeMilli[pool]! += milli;
    const sizes = slotSizes.length;
    for (let level = 0; level < inventory.levels.length; level++) {
      const group = inventory.levels[level]!.groupOfNode[node]!;
      const cell = group * this.poolCount + pool;
      this.freeMilli[level]![cell]! += milli;
      this.cpuFree[level]![cell]! += cpu;
      if (full > 0) {
        const slots = this.slots[level]!;
        const base = cell * sizes;
        for (let s = 0; s < sizes; s++) slots[base + s]! += Math.floor(full / slotSizes[s]!) * sign;
      }
    }
  }

  private computeFragment(node: number): number {
    const inventory = this.inventory;
    const count = inventory.nodeGpuCount[node]!;
    const start = inventory.nodeGpuStart[node]!;
    return this.meter!.fragment(
      this.gpuFree.subarray(start, start + count),
      count,
      this.nodeCpuFree[node]!,
      this.nodeMemoryFree[node]!,
      inventory.pools[inventory.nodePool[node]!]!.model,
    );
  }

  /**
   * Expected fragment of a node if `milliPerGpu` were taken from each of `gpus[offset..offset + gpuCount)` (global
   * GPU indexes) with `cpuMilli` and `memoryMib`; 0 without a meter. Allocation-free.
   */
  fragmentAfter(
    node: number,
    gpus: ArrayLike<number>,
    offset: number,
    gpuCount: number,
    milliPerGpu: number,
    cpuMilli: number,
    memoryMib: number,
  ): number {
    if (this.meter === undefined) return 0;
    const inventory = this.inventory;
    const count = inventory.nodeGpuCount[node]!;
    const start = inventory.nodeGpuStart[node]!;
    const scratch = this.scratch;
    for (let i = 0; i < count; i++) scratch[i] = this.gpuFree[start + i]!;
    for (let i = 0; i < gpuCount; i++) scratch[gpus[offset + i]! - start]! -= milliPerGpu;
    return this.meter.fragment(
      scratch,
      count,
      this.nodeCpuFree[node]! - cpuMilli,
      this.nodeMemoryFree[node]! - memoryMib,
      inventory.pools[inventory.nodePool[node]!]!.model,
    );
  }

  /** Whether the meter is attached (fragment-aware placement possible). */
  get measuresFragments(): boolean {
    return this.meter !== undefined;
  }

  /**
   * Takes (sign 1) or gives back (sign -1) `milliPerGpu` on each GPU of `gpus[offset..offset + gpuCount)` and the
   * CPU and memory on `node`. The caller has checked that the resources are free; a violation is a bug and throws.
   */
  apply(
    node: number,
    gpus: ArrayLike<number>,
    offset: number,
    gpuCount: number,
    milliPerGpu: number,
    cpuMilli: number,
    memoryMib: number,
    sign: 1 | -1,
  ): void {
    this.nodeVersion[node]!++;
    this.contribute(node, -1);
    let fullFree = this.nodeFullFree[node]!;
    for (let i = 0; i < gpuCount; i++) {
      const gpu = gpus[offset + i]!;
      const before = this.gpuFree[gpu]!;
      const after = before - sign * milliPerGpu;
      if (after < 0 || after > wholeGpu) throw new Error(`GPU ${gpu} of node ${node} would hold ${after} milli`);
      this.gpuFree[gpu] = after;
      if (before === wholeGpu) fullFree--;
      if (after === wholeGpu) fullFree++;
    }
    this.nodeFullFree[node] = fullFree;
    const milli = gpuCount * milliPerGpu * sign;
    this.nodeFreeMilli[node]! -= milli;
    this.allocatedMilli += milli;
    this.nodeCpuFree[node]! -= cpuMilli * sign;
    this.nodeMemoryFree[node]! -= memoryMib * sign;
    if (this.nodeCpuFree[node]! < 0 || this.nodeMemoryFree[node]! < 0) {
      throw new Error(`node ${node} over-committed on CPU or memory`);
    }
    this.contribute(node, 1);
    if (this.meter !== undefined) {
      const fragment = this.computeFragment(node);
      this.fragmentSum += fragment - this.nodeFragment[node]!;
      this.nodeFragment[node] = fragment;
    }
  }
}
