/**
 * Placement: finds nodes and GPUs for every member of a gang, or none. The search walks the topology tree (halls,
 * blocks, rows, racks, then nodes) and prunes groups by their free-capacity aggregates and by the admission checks
 * (drains, power caps, cooling headroom), so on the 40,000-rack campus a member costs about a hundred group visits.
 *
 * Two modes:
 * - `first-fit`: the lowest-index group and node that fit (the baseline).
 * - `best-fit`: at each level the tightest group that can still take the rest of the gang (packing keeps whole racks
 *   and rows free for large gangs); among nodes, the best FGD score (fragmentation gradient descent, ATC'23: the
 *   fragment growth against the target workload, as the paper's integer score), ties to the first node in the search
 *   order. Work that asks no GPU goes to the node with the least free GPU first.
 *
 * Gangs are all-or-nothing: members are bound one by one (so later members see earlier ones in the aggregates and
 * the facility ledgers) and rolled back if one cannot be placed. A required topology scope places the whole gang in
 * one hall, block, row, rack or NVLink domain; a preferred one falls back to any placement.
 */
import type { AdmissionCheck } from "./checks.ts";
import { type ClusterState, slotIndexFor, slotSizes, wholeGpu } from "./cluster.ts";
import { type Inventory, levelIndex, memberPowerKw } from "./inventory.ts";
import type { Job, TopologyScope } from "./jobs.ts";

/** How the search orders groups and nodes. */
export type PlacementMode = "first-fit" | "best-fit";

const memberKindCpu = 0;
const memberKindShare = 1;
const memberKindWhole = 2;

/**
 * Scarcity cost per GPU taken at pressure 1, in GPUs of fragment growth: 2, so that on a model whose constrained
 * demand matches what is free the cost outweighs a fragment growth of one GPU, which a fragment-aware choice between
 * models otherwise trades against it. Checked on every public openb variant and on synthetic variants with 10 %, 33 %
 * and 50 % of GPU pods restricted to models (where 1 lost to first-fit at 33 % and 50 %).
 */
const scarcityWeight = 2;
/** Highest pressure on a model: a nearly exhausted model's cost stays bounded. */
const maxPressure = 4;

/** Highest `fgdPenalty`. */
const maxPenalty = 100;

/**
 * FGD's node score (Weng et al., ATC'23, as a Kubernetes score plugin: an integer from 0 to 100) turned into a
 * penalty, lower better: 100 − ⌊100 · sigmoid(−cost)⌋, `cost` in GPUs (fragment growth plus scarcity). Growths within
 * one step (about 0.04 GPU near zero, wider further out) rank alike, and alike nodes go to the first in the search
 * order, so near-equal choices keep filling the same nodes and the rest of the cluster stays whole; ranking by the
 * exact growth instead spreads work over nodes that differ by a few milli of expected fragment (docs/scheduler.md).
 */
export function fgdPenalty(cost: number): number {
  return maxPenalty - Math.trunc(maxPenalty / (1 + Math.exp(cost)));
}

/**
 * Fragment growths remembered per node (entries a node keeps, for inventories up to `growthCacheNodes` nodes; one
 * above): a search scores every fitting node, and between two searches only the nodes that took or gave back work
 * change, so a member of a shape seen recently costs a lookup on most nodes instead of a fragment evaluation.
 */
const growthCacheWays = 4;
const growthCacheNodes = 65536;
/**
 * Member shapes interned for the growth cache before it starts afresh: a live scheduler meets every CPU and memory
 * figure tenants submit, so the table (and the string keys it holds) would otherwise grow for as long as it runs.
 */
export const growthCacheShapes = 4096;

/** Key of a group that cannot take the whole rest of the gang: after every group that can, largest first. */
const spillKey = 1e15;

/** Where a topology scope sits in an inventory: a level index and whether NVLink domains restrict the leaf. */
export interface ScopeLevel {
  readonly level: number;
  readonly nvlink: boolean;
}

/** The level a scope maps to in an inventory, or undefined when the inventory does not model it. */
export function scopeLevel(inventory: Inventory, scope: TopologyScope): ScopeLevel | undefined {
  if (scope === "nvlink") return { level: inventory.levels.length - 1, nvlink: true };
  const level = levelIndex(inventory, scope);
  return level < 0 ? undefined : { level, nvlink: false };
}

/** Finds and binds placements on a cluster state. */
export class Placer {
  readonly state: ClusterState;
  private readonly inventory: Inventory;
  private readonly groupChecks: readonly AdmissionCheck[];
  private readonly bindChecks: readonly AdmissionCheck[];
  private readonly levels: number;
  private readonly poolCount: number;
  /** Per level (and one more for nodes): scratch candidates and keys for best-fit selection. */
  private readonly candidateScratch: Int32Array[];
  private readonly keyScratch: Float64Array[];
  private readonly chosen: Int32Array;
  private readonly bestChosen: Int32Array;
  private chosenCount = 0;
  // The member being placed; fields rather than arguments keep the recursive search allocation-free.
  private job!: Job;
  private mode: PlacementMode = "best-fit";
  private kind = memberKindCpu;
  private gpus = 0;
  private milli = 0;
  private cpu = 0;
  private memory = 0;
  private slot = 0;
  private remaining = 1;
  private domainStart = -1;
  private domainEnd = -1;
  private readonly poolList: Int32Array;
  private poolListLength = 0;
  private poolMask: Uint8Array;
  /** Nodes held for a reservation: only its owner and jobs expected to end by `reservedUntilS` may use them. */
  private reservedStart = 0;
  private reservedEnd = 0;
  private reservedUntilS = 0;
  private reservedOwner: Job | undefined;
  /** Expected end of the job being placed. */
  private jobEndS = 0;
  /** Pristine nodes of one shape (pool, GPUs, CPU, memory) score alike: cache their score per search. */
  private readonly nodeShape: Int32Array;
  private readonly shapeStamp: Int32Array;
  private readonly shapeScore: Float64Array;
  private stamp = 0;
  /** Growth cache (`growthCacheWays`): per entry the member shape, the node's version, the growth and a share's GPU. */
  private readonly ways: number;
  private readonly cacheShape: Int32Array;
  private readonly cacheVersion: Int32Array;
  private readonly cacheGrowth: Float64Array;
  private readonly cacheGpu: Int32Array;
  /** Per node, the entry to overwrite next (round robin). */
  private readonly cacheNext: Uint8Array;
  /**
   * Member shapes interned for the cache: GPUs, milli and CPU packed into one number, then memory (numbers, not a
   * string key: a search costs two map lookups and no allocation); the current member's shape and how many there are.
   */
  private readonly memberShapes = new Map<number, Map<number, number>>();
  private memberShapeCount = 0;
  private memberShape = 0;
  /** Member shapes the growth cache knows now (at most `growthCacheShapes`). */
  get cachedShapes(): number {
    return this.memberShapeCount;
  }
  /** Whether the search may use GPUs of several models (else scarcity is the same for every node: skipped). */
  private severalModels = false;
  /** Free GPU milli per model and in all, as of the search stamped `pressureStamp`. */
  private pressureStamp = -1;
  private readonly modelFree: Float64Array;
  private totalFree = 0;

  constructor(state: ClusterState, checks: readonly AdmissionCheck[]) {
    this.state = state;
    const inventory = state.inventory;
    this.inventory = inventory;
    this.groupChecks = checks.filter((check) => check.allowsGroup !== undefined);
    this.bindChecks = checks.filter((check) => check.bind !== undefined);
    this.levels = inventory.levels.length;
    this.poolCount = inventory.pools.length;
    this.poolList = new Int32Array(this.poolCount);
    this.poolMask = new Uint8Array(this.poolCount);
    this.candidateScratch = [];
    this.keyScratch = [];
    let widest = inventory.levels[0]!.count;
    for (let level = 0; level <= this.levels; level++) {
      this.candidateScratch.push(new Int32Array(widest));
      this.keyScratch.push(new Float64Array(widest));
      if (level < this.levels) {
        const childStart = inventory.levels[level]!.childStart;
        widest = 0;
        for (let group = 0; group + 1 < childStart.length; group++) {
          widest = Math.max(widest, childStart[group + 1]! - childStart[group]!);
        }
      }
    }
    let maxGpus = 0;
    for (let node = 0; node < inventory.nodeCount; node++) maxGpus = Math.max(maxGpus, inventory.nodeGpuCount[node]!);
    this.chosen = new Int32Array(Math.max(1, maxGpus));
    this.bestChosen = new Int32Array(Math.max(1, maxGpus));
    const shapes = new Map<string, number>();
    this.nodeShape = new Int32Array(inventory.nodeCount);
    for (let node = 0; node < inventory.nodeCount; node++) {
      const key = `${inventory.nodePool[node]}/${inventory.nodeGpuCount[node]}/${inventory.nodeCpuMilli[node]}/${inventory.nodeMemoryMib[node]}`;
      let shape = shapes.get(key);
      if (shape === undefined) {
        shape = shapes.size;
        shapes.set(key, shape);
      }
      this.nodeShape[node] = shape;
    }
    this.modelFree = new Float64Array(inventory.gpuModels.length);
    this.shapeStamp = new Int32Array(shapes.size);
    this.shapeScore = new Float64Array(shapes.size);
    this.ways = inventory.nodeCount <= growthCacheNodes ? growthCacheWays : 1;
    const entries = inventory.nodeCount * this.ways;
    this.cacheShape = new Int32Array(entries).fill(-1);
    this.cacheVersion = new Int32Array(entries);
    this.cacheGrowth = new Float64Array(entries);
    this.cacheGpu = new Int32Array(entries);
    this.cacheNext = new Uint8Array(inventory.nodeCount);
  }

  /**
   * Holds nodes `[start, end)` for `owner` (an EASY reservation): other jobs may use them only if they are expected
   * to end by `untilS`. An empty range holds nothing.
   */
  reserveNodes(start: number, end: number, untilS: number, owner: Job | undefined): void {
    this.reservedStart = start;
    this.reservedEnd = end;
    this.reservedUntilS = untilS;
    this.reservedOwner = owner;
  }

  /**
   * The nodes of a group of `level` close to taking `job`, as a node range: walking down from the top, the child
   * with the most free GPU milli in `poolMask` at every level (a greedy walk, so a hundred visits on the campus). For
   * the node level (`level` = number of levels), the single node with the most free GPU milli in the chosen rack.
   */
  closestGroup(job: Job, poolMask: Uint8Array, level: number): { start: number; end: number } | undefined {
    this.setUp(job, poolMask, "best-fit");
    const state = this.state;
    let start = 0;
    let end = this.inventory.levels[0]!.count;
    for (let current = 0; current < this.levels; current++) {
      const freeMilli = state.freeMilli[current]!;
      let best = -1;
      let bestFree = 0;
      for (let group = start; group < end; group++) {
        let free = 0;
        for (let i = 0; i < this.poolListLength; i++) free += freeMilli[group * this.poolCount + this.poolList[i]!]!;
        if (free > bestFree) {
          best = group;
          bestFree = free;
        }
      }
      if (best < 0) return undefined;
      const childStart = this.inventory.levels[current]!.childStart;
      if (current === level) {
        // A group's nodes are contiguous: follow its first and last child down to the nodes.
        let first = best;
        let last = best + 1;
        for (let below = current; below < this.levels; below++) {
          first = this.inventory.levels[below]!.childStart[first]!;
          last = this.inventory.levels[below]!.childStart[last]!;
        }
        return { start: first, end: last };
      }
      start = childStart[best]!;
      end = childStart[best + 1]!;
    }
    let node = -1;
    let nodeFree = 0;
    for (let candidate = start; candidate < end; candidate++) {
      const free = state.nodeFreeMilli[candidate]!;
      if (poolMask[this.inventory.nodePool[candidate]!] === 1 && free > nodeFree) {
        node = candidate;
        nodeFree = free;
      }
    }
    return node < 0 ? undefined : { start: node, end: node + 1 };
  }

  /**
   * Places every member of `job` on nodes of the pools flagged in `poolMask` and binds them, or binds nothing and
   * returns false. `job.model` must be set (the checks estimate power from it). `nowS` dates the search for
   * reservations.
   */
  place(job: Job, poolMask: Uint8Array, mode: PlacementMode, nowS: number): boolean {
    this.setUp(job, poolMask, mode);
    this.jobEndS = nowS + job.spec.expectedDurationS;
    // The aggregates of the top level bound what any search can find: no room there, no search.
    const top = this.inventory.levels[0]!.count;
    let room = 0;
    for (let group = 0; group < top && room < job.spec.members; group++) room += this.capacity(0, group);
    if (room < job.spec.members) return false;
    for (const check of this.groupChecks) check.begin?.(job);
    const topology = job.spec.topology;
    const scope = topology === undefined ? undefined : scopeLevel(this.inventory, topology.scope);
    if (scope !== undefined) {
      if (this.findScoped(0, 0, this.inventory.levels[0]!.count, scope)) return true;
      if (topology!.required) return false;
    }
    return this.placeSpread();
  }

  private setUp(job: Job, poolMask: Uint8Array, mode: PlacementMode): void {
    const spec = job.spec;
    this.job = job;
    this.mode = mode;
    this.gpus = spec.gpus;
    this.milli = spec.gpuMilli;
    this.cpu = spec.cpuMilli;
    this.memory = spec.memoryMib;
    this.kind = spec.gpus === 0 ? memberKindCpu : spec.gpuMilli < wholeGpu ? memberKindShare : memberKindWhole;
    this.slot = slotIndexFor(Math.max(1, spec.gpus));
    this.poolMask = poolMask;
    this.poolListLength = 0;
    let firstModel = -1;
    this.severalModels = false;
    const models = this.state.constrainedDemand;
    for (let pool = 0; pool < this.poolCount; pool++) {
      if (poolMask[pool] !== 1) continue;
      this.poolList[this.poolListLength++] = pool;
      if (!models) continue;
      const model = this.inventory.pools[pool]!.model;
      if (firstModel < 0) firstModel = model;
      else if (model >= 0 && model !== firstModel) this.severalModels = true;
    }
    this.domainStart = -1;
    this.domainEnd = -1;
    this.stamp++;
    this.memberShape = this.internShape(spec.gpus, spec.gpus === 0 ? 0 : spec.gpuMilli, spec.cpuMilli, spec.memoryMib);
  }

  /**
   * The growth cache's number for a member shape. GPUs, milli (at most 1,000) and CPU milli (below 2³¹) pack exactly
   * into one key below 2⁵³ up to 4,000 GPUs a member (a node holds at most 255, so a larger member fits nowhere and
   * never reads the cache); memory keys a second map.
   */
  private internShape(gpus: number, milli: number, cpu: number, memory: number): number {
    const outer = (gpus * 1001 + milli) * 2 ** 31 + cpu;
    let byMemory = this.memberShapes.get(outer);
    let shape = byMemory?.get(memory);
    if (shape !== undefined) return shape;
    if (this.memberShapeCount >= growthCacheShapes) {
      // Shape numbers are reused from 0: entries filed under the old numbers must not answer for new shapes.
      this.memberShapes.clear();
      this.memberShapeCount = 0;
      this.cacheShape.fill(-1);
      byMemory = undefined;
    }
    if (byMemory === undefined) {
      byMemory = new Map();
      this.memberShapes.set(outer, byMemory);
    }
    shape = this.memberShapeCount++;
    byMemory.set(memory, shape);
    return shape;
  }

  /** Members of the current shape a group could still take, from its aggregates (optimistic). */
  private capacity(level: number, group: number): number {
    const state = this.state;
    const base = group * this.poolCount;
    let total = 0;
    for (let i = 0; i < this.poolListLength; i++) {
      const cell = base + this.poolList[i]!;
      if (state.cpuFree[level]![cell]! < this.cpu) continue;
      if (this.kind === memberKindWhole) total += state.slots[level]![cell * slotSizes.length + this.slot]!;
      else if (this.kind === memberKindShare) total += Math.floor(state.freeMilli[level]![cell]! / this.milli);
      else total += this.cpu > 0 ? Math.floor(state.cpuFree[level]![cell]! / this.cpu) : 1;
    }
    return total;
  }

  private allowed(level: number, group: number): boolean {
    for (const check of this.groupChecks) if (!check.allowsGroup!(this.job, level, group)) return false;
    return true;
  }

  /** Collects the groups of `[start, end)` that can take `need` members, with their best-fit keys; returns how many. */
  private collect(level: number, start: number, end: number, need: number, spill: boolean): number {
    const candidates = this.candidateScratch[level]!;
    const keys = this.keyScratch[level]!;
    let count = 0;
    for (let group = start; group < end; group++) {
      const capacity = this.capacity(level, group);
      if (capacity < (spill ? 1 : need) || !this.allowed(level, group)) continue;
      candidates[count] = group;
      keys[count] = capacity >= need ? capacity : spillKey - capacity;
      count++;
    }
    return count;
  }

  /** Index (into the scratch) of the smallest remaining key, marking it used; -1 when none is left. */
  private takeBest(level: number, count: number): number {
    const keys = this.keyScratch[level]!;
    let best = -1;
    let bestKey = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      if (key < bestKey) {
        bestKey = key;
        best = i;
      }
    }
    if (best >= 0) keys[best] = Number.POSITIVE_INFINITY;
    return best;
  }

  /** Finds one node for one member below groups `[start, end)` of `level`. */
  private descend(level: number, start: number, end: number): number {
    if (level === this.levels) return this.pickNode(start, end);
    const childStart = this.inventory.levels[level]!.childStart;
    if (this.mode === "first-fit") {
      for (let group = start; group < end; group++) {
        if (this.capacity(level, group) < 1 || !this.allowed(level, group)) continue;
        const node = this.descend(level + 1, childStart[group]!, childStart[group + 1]!);
        if (node >= 0) return node;
      }
      return -1;
    }
    const count = this.collect(level, start, end, this.remaining, true);
    const candidates = this.candidateScratch[level]!;
    for (let pick = this.takeBest(level, count); pick >= 0; pick = this.takeBest(level, count)) {
      const group = candidates[pick]!;
      const node = this.descend(level + 1, childStart[group]!, childStart[group + 1]!);
      if (node >= 0) return node;
    }
    return -1;
  }

  /** Places the gang one member at a time anywhere. */
  private placeSpread(): boolean {
    const members = this.job.spec.members;
    for (let member = 0; member < members; member++) {
      this.remaining = members - member;
      const node = this.descend(0, 0, this.inventory.levels[0]!.count);
      if (node < 0) {
        this.unbindMembers(member);
        return false;
      }
      this.bindMember(member, node);
    }
    return true;
  }

  /** Finds a group of the scope's level that takes the whole gang, walking down from `level`. */
  private findScoped(level: number, start: number, end: number, scope: ScopeLevel): boolean {
    const members = this.job.spec.members;
    const childStart = this.inventory.levels[level]!.childStart;
    const candidates = this.candidateScratch[level]!;
    const count = this.collect(level, start, end, members, false);
    for (let i = 0; i < count; i++) {
      const pick = this.mode === "first-fit" ? i : this.takeBest(level, count);
      const group = candidates[pick]!;
      const from = childStart[group]!;
      const to = childStart[group + 1]!;
      if (level < scope.level) {
        if (this.findScoped(level + 1, from, to, scope)) return true;
      } else if (scope.nvlink ? this.placeInDomain(from, to) : this.placeWithin(level + 1, from, to)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the checks still allow one more member in every group above `level` that holds `node`: the search
   * checked those groups once for the whole gang, but each member adds to their ledgers.
   */
  private ancestorsAllowed(node: number, level: number): boolean {
    for (let above = 0; above < level; above++) {
      if (!this.allowed(above, this.inventory.levels[above]!.groupOfNode[node]!)) return false;
    }
    return true;
  }

  /** Places every member below groups `[start, end)` of `level`, or none. */
  private placeWithin(level: number, start: number, end: number): boolean {
    const members = this.job.spec.members;
    for (let member = 0; member < members; member++) {
      this.remaining = members - member;
      let node = this.descend(level, start, end);
      if (node >= 0 && !this.ancestorsAllowed(node, level)) node = -1;
      if (node < 0) {
        this.unbindMembers(member);
        return false;
      }
      this.bindMember(member, node);
    }
    return true;
  }

  /** Whether a reservation keeps the job being placed off a node. */
  private held(node: number): boolean {
    return (
      node >= this.reservedStart &&
      node < this.reservedEnd &&
      this.job !== this.reservedOwner &&
      this.jobEndS > this.reservedUntilS
    );
  }

  /** Members of the current shape a node can take now. */
  private nodeCapacity(node: number): number {
    const state = this.state;
    if (this.poolMask[this.inventory.nodePool[node]!] !== 1 || this.held(node)) return 0;
    let count = Math.floor(state.nodeCpuFree[node]! / Math.max(1, this.cpu));
    count = Math.min(count, Math.floor(state.nodeMemoryFree[node]! / Math.max(1, this.memory)));
    if (this.kind === memberKindWhole) return Math.min(count, Math.floor(state.nodeFullFree[node]! / this.gpus));
    if (this.kind === memberKindShare) {
      const start = this.inventory.nodeGpuStart[node]!;
      let shares = 0;
      for (let gpu = start; gpu < start + this.inventory.nodeGpuCount[node]!; gpu++) {
        shares += Math.floor(state.gpuFree[gpu]! / this.milli);
      }
      return Math.min(count, shares);
    }
    return count;
  }

  /** Places the gang inside one NVLink domain of the nodes `[start, end)` (domains are contiguous runs). */
  private placeInDomain(start: number, end: number): boolean {
    const members = this.job.spec.members;
    const domains = this.inventory.nodeDomain;
    let bestStart = -1;
    let bestEnd = -1;
    let bestCapacity = Number.POSITIVE_INFINITY;
    for (let from = start; from < end; ) {
      let to = from;
      let capacity = 0;
      while (to < end && domains[to] === domains[from]) capacity += this.nodeCapacity(to++);
      if (capacity >= members && capacity < bestCapacity) {
        bestStart = from;
        bestEnd = to;
        bestCapacity = capacity;
        if (this.mode === "first-fit") break;
      }
      from = to;
    }
    if (bestStart < 0) return false;
    this.domainStart = bestStart;
    this.domainEnd = bestEnd;
    const placed = this.placeWithin(this.levels, bestStart, bestEnd);
    this.domainStart = -1;
    this.domainEnd = -1;
    return placed;
  }

  /** Whether a node can take one member now; fills `chosen` with the GPUs it would use (first fitting ones). */
  private fits(node: number): boolean {
    const state = this.state;
    if (this.poolMask[this.inventory.nodePool[node]!] !== 1 || this.held(node) || state.nodeOffline[node] === 1)
      return false;
    if (state.nodeCpuFree[node]! < this.cpu || state.nodeMemoryFree[node]! < this.memory) return false;
    if (this.kind === memberKindCpu) {
      this.chosenCount = 0;
      return true;
    }
    if (this.kind === memberKindWhole && state.nodeFullFree[node]! < this.gpus) return false;
    if (this.kind === memberKindShare && state.nodeFreeMilli[node]! < this.milli) return false;
    const start = this.inventory.nodeGpuStart[node]!;
    const end = start + this.inventory.nodeGpuCount[node]!;
    const need = this.kind === memberKindWhole ? wholeGpu : this.milli;
    let count = 0;
    for (let gpu = start; gpu < end && count < this.gpus; gpu++) {
      if (state.gpuFree[gpu]! >= need) this.chosen[count++] = gpu;
    }
    this.chosenCount = count;
    return count === this.gpus;
  }

  /**
   * Best-fit key of a fitting node (lower is better; equal keys go to the first node searched) with `chosen` set;
   * for a GPU share, re-chooses the GPU whose fragment grows least. The key is FGD's integer score (`fgdPenalty`).
   * Work that asks no GPU takes the node with the least free GPU milli first (its CPU and memory there strand no
   * GPU that GPU work could still use), the score second. Without a fragment meter: the fullest node.
   */
  private score(node: number): number {
    const state = this.state;
    const inventory = this.inventory;
    const left = state.nodeFreeMilli[node]! - this.gpus * (this.kind === memberKindShare ? this.milli : wholeGpu);
    if (!state.measuresFragments) return left;
    const pristine =
      state.nodeFullFree[node] === inventory.nodeGpuCount[node] &&
      state.nodeCpuFree[node] === inventory.nodeCpuMilli[node] &&
      state.nodeMemoryFree[node] === inventory.nodeMemoryMib[node];
    const shape = this.nodeShape[node]!;
    if (pristine && this.shapeStamp[shape] === this.stamp) return this.shapeScore[shape]!;
    const growth = this.growth(node);
    const penalty = fgdPenalty(growth + this.scarcity(node));
    const result = this.kind === memberKindCpu ? left * (maxPenalty + 1) + penalty : penalty;
    if (pristine) {
      this.shapeStamp[shape] = this.stamp;
      this.shapeScore[shape] = result;
    }
    return result;
  }

  /**
   * Growth (GPUs) of the node's fragment if the member took it, with `chosen` set (for a GPU share, the GPU whose
   * fragment grows least); from the growth cache while the node is unchanged since it was scored for this shape.
   */
  private growth(node: number): number {
    const state = this.state;
    const inventory = this.inventory;
    const ways = this.ways;
    const version = state.nodeVersion[node]!;
    for (let entry = node * ways; entry < node * ways + ways; entry++) {
      if (this.cacheShape[entry] === this.memberShape && this.cacheVersion[entry] === version) {
        if (this.kind === memberKindShare) this.chosen[0] = this.cacheGpu[entry]!;
        return this.cacheGrowth[entry]!;
      }
    }
    let best: number;
    if (this.kind === memberKindShare) {
      // Try each GPU that can hold the share (GPUs with equal free milli are interchangeable).
      const start = inventory.nodeGpuStart[node]!;
      const end = start + inventory.nodeGpuCount[node]!;
      best = Number.POSITIVE_INFINITY;
      let bestGpu = -1;
      let lastFree = -1;
      for (let gpu = start; gpu < end; gpu++) {
        const free = state.gpuFree[gpu]!;
        if (free < this.milli || free === lastFree) continue;
        lastFree = free;
        this.chosen[0] = gpu;
        const growth = state.fragmentAfter(node, this.chosen, 0, 1, this.milli, this.cpu, this.memory);
        if (growth < best) {
          best = growth;
          bestGpu = gpu;
        }
      }
      this.chosen[0] = bestGpu;
    } else {
      const milli = this.kind === memberKindWhole ? wholeGpu : 0;
      best = state.fragmentAfter(node, this.chosen, 0, this.chosenCount, milli, this.cpu, this.memory);
    }
    const growth = (best - state.nodeFragment[node]!) / wholeGpu;
    const entry = node * ways + this.cacheNext[node]!;
    this.cacheNext[node] = (this.cacheNext[node]! + 1) % ways;
    this.cacheShape[entry] = this.memberShape;
    this.cacheVersion[entry] = version;
    this.cacheGrowth[entry] = growth;
    this.cacheGpu[entry] = this.chosen[0]!;
    return growth;
  }

  /**
   * Pressure on a model's GPUs now: the GPU demand only this model can serve, expected in proportion to the cluster's
   * free GPUs (the workload keeps arriving until they are used), over the model's free GPUs. Above 1 the model's
   * constrained work alone outgrows what is left of it, and the pressure keeps rising as it fills (to `maxPressure`),
   * so work that may run elsewhere is kept off it ever more firmly. Computed once per search from the pool aggregates.
   */
  private pressure(model: number): number {
    const state = this.state;
    const share = state.modelDemandShare[model]!;
    if (share === 0) return 0;
    if (this.pressureStamp !== this.stamp) {
      this.pressureStamp = this.stamp;
      this.modelFree.fill(0);
      let total = 0;
      const pools = this.inventory.pools;
      for (let pool = 0; pool < pools.length; pool++) {
        const poolModel = pools[pool]!.model;
        if (poolModel >= 0) this.modelFree[poolModel]! += state.poolFreeMilli[pool]!;
        total += state.poolFreeMilli[pool]!;
      }
      this.totalFree = total;
    }
    const free = this.modelFree[model]!;
    return free <= 0 ? maxPressure : Math.min(maxPressure, (share * this.totalFree) / free);
  }

  /**
   * GPUs of constrained work a placement on `node` is expected to displace: the GPUs it takes times the pressure on
   * the node's model. Same for every node of one model, so it only steers work that accepts several models away
   * from the ones that work restricted to them will need.
   */
  private scarcity(node: number): number {
    const state = this.state;
    if (!state.constrainedDemand || !this.severalModels || this.kind === memberKindCpu) return 0;
    const model = this.inventory.pools[this.inventory.nodePool[node]!]!.model;
    if (model < 0) return 0;
    const used = this.kind === memberKindShare ? this.milli : this.gpus * wholeGpu;
    return (scarcityWeight * this.pressure(model) * used) / wholeGpu;
  }

  /** Picks the node for one member among nodes `[start, end)`; leaves its GPUs in `chosen`. */
  private pickNode(start: number, end: number): number {
    if (this.domainStart >= 0) {
      start = Math.max(start, this.domainStart);
      end = Math.min(end, this.domainEnd);
    }
    if (this.mode === "first-fit") {
      for (let node = start; node < end; node++) if (this.fits(node)) return node;
      return -1;
    }
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    let bestCount = 0;
    for (let node = start; node < end; node++) {
      if (!this.fits(node)) continue;
      const score = this.score(node);
      if (score < bestScore) {
        bestScore = score;
        best = node;
        bestCount = this.chosenCount;
        for (let i = 0; i < bestCount; i++) this.bestChosen[i] = this.chosen[i]!;
      }
    }
    if (best >= 0) {
      for (let i = 0; i < bestCount; i++) this.chosen[i] = this.bestChosen[i]!;
      this.chosenCount = bestCount;
    }
    return best;
  }

  private bindMember(member: number, node: number): void {
    const job = this.job;
    const offset = member * this.gpus;
    for (let i = 0; i < this.gpus; i++) job.gpus[offset + i] = this.chosen[i]!;
    job.nodes[member] = node;
    this.applyMember(job, member, 1);
  }

  private unbindMembers(count: number): void {
    for (let member = count - 1; member >= 0; member--) this.applyMember(this.job, member, -1);
  }

  /** Binds (1) or releases (-1) one recorded member of a job on the state, the ledgers and its power estimate. */
  private applyMember(job: Job, member: number, sign: 1 | -1): void {
    const spec = job.spec;
    const node = job.nodes[member]!;
    const milli = spec.gpus === 0 ? 0 : spec.gpuMilli;
    this.state.apply(node, job.gpus, member * spec.gpus, spec.gpus, milli, spec.cpuMilli, spec.memoryMib, sign);
    for (const check of this.bindChecks) check.bind!(job, node, sign);
    const facility = this.inventory.facility;
    if (facility !== undefined) {
      const rack = this.inventory.levels[facility.rackLevel]!.groupOfNode[node]!;
      job.powerKw += sign * memberPowerKw(facility, rack, spec.gpus, spec.gpuMilli, spec.cpuMilli);
    }
  }

  /** Gives back everything a placed job holds. */
  release(job: Job): void {
    for (let member = job.spec.members - 1; member >= 0; member--) this.applyMember(job, member, -1);
    job.powerKw = 0;
  }

  /**
   * Binds a job again exactly where its record says (after a tentative preemption), if its GPUs, CPU and memory are
   * free and every check still allows each member (checks are told it is a restore: a drain lets a job back where it
   * runs); otherwise binds nothing and returns false.
   */
  restore(job: Job): boolean {
    const spec = job.spec;
    const state = this.state;
    this.job = job;
    for (const check of this.groupChecks) check.begin?.(job, true);
    for (let member = 0; member < spec.members; member++) {
      const node = job.nodes[member]!;
      let free = state.nodeCpuFree[node]! >= spec.cpuMilli && state.nodeMemoryFree[node]! >= spec.memoryMib;
      for (let i = 0; free && i < spec.gpus; i++)
        free = state.gpuFree[job.gpus[member * spec.gpus + i]!]! >= spec.gpuMilli;
      for (let level = 0; free && level < this.levels; level++) {
        free = this.allowed(level, this.inventory.levels[level]!.groupOfNode[node]!);
      }
      if (!free) {
        this.unbindMembers(member);
        return false;
      }
      this.applyMember(job, member, 1);
    }
    return true;
  }
}
