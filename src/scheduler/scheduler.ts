/**
 * The scheduler: tenant queues with quotas and fair share, admission checks, placement, backfill and preemption.
 * It is driven from outside (the replay, later the server): `submit` jobs, run a `cycle` after every batch of events,
 * tell it when runs `run`, `finish` or are `cancel`led. Nothing here reads a clock.
 *
 * Policies:
 * - `fifo`: one global first-come-first-served line; the first job that cannot start blocks everyone behind it;
 *   first-fit placement. The classic baseline.
 * - `first-fit`: every waiting job in arrival order, first-fit placement, no reservation (greedy list scheduling).
 * - `alixan`: priority, then the queue with the smallest weighted dominant share, then arrival; fragmentation-aware
 *   best-fit, topology-aware gangs; EASY backfill (the first job blocked by capacity gets a reservation and later
 *   jobs may only start if they end before it or fit in what it leaves); preemption to reclaim lent quota and for
 *   priority classes that preempt, with a minimal set of victims.
 */
import type { AdmissionCheck } from "./checks.ts";
import { ClusterState, wholeGpu } from "./cluster.ts";
import { constrainedDemandShares, FragmentMeter, type TaskShape, type WorkloadClass } from "./fragmentation.ts";
import { IndexedMinHeap } from "./heap.ts";
import type { Inventory } from "./inventory.ts";
import { anyModel, Job, type JobOutcome, type JobSpec, specProblems } from "./jobs.ts";
import { type PlacementMode, Placer, scopeLevel } from "./placement.ts";
import {
  defaultPreemption,
  FairShare,
  type PriorityClass,
  type QueuePreemption,
  type QueueSetConfig,
  QuotaTree,
} from "./queues.ts";

/** Names of the scheduling policies. */
export const policyNames = ["fifo", "first-fit", "alixan"] as const;
/** One scheduling policy. */
export type PolicyName = (typeof policyNames)[number];

/** How a scheduler is set up. */
export interface SchedulerOptions {
  readonly policy: PolicyName;
  readonly queues: QueueSetConfig;
  readonly checks?: readonly AdmissionCheck[];
  /** Target workload for the fragmentation metric (every policy) and fragmentation-aware placement (`alixan`). */
  readonly workload?: readonly WorkloadClass[];
  /**
   * Tasks the per-model constrained GPU demand is estimated from (every task of the target workload: constrained demand sits
   * in the long tail of shapes); the `workload` classes by default. Only used with a `workload`.
   */
  readonly demand?: Iterable<TaskShape>;
  /** Placement searches per cycle at most (like Slurm's `bf_max_job_test`); the rest waits for the next cycle. */
  readonly maxAttemptsPerCycle?: number;
  /** Waiting jobs one full pass looks at, in policy order (like Slurm's queue depth). */
  readonly maxExaminedPerCycle?: number;
  /**
   * Consecutive jobs of one queue that may fail in a full pass before the pass stops looking deeper into that queue:
   * a long backlog then costs a bounded amount per cycle. Its deeper jobs are looked at once earlier ones start.
   */
  readonly maxBlockedPerQueue?: number;
  /**
   * Shortest time between two full passes (seconds): releases closer together are handled in one pass, as Slurm's
   * `sched_min_interval` does. New arrivals are still tried at once. Default 10.
   */
  readonly fullPassIntervalS?: number;
  /**
   * A pass cut short by its budget (`maxAttemptsPerCycle`, `maxExaminedPerCycle`) resumes this many seconds later
   * (default 0.5 s, like Slurm's `bf_yield_sleep`) rather than waiting for resources to be released: a burst of
   * arrivals starts in a few short steps instead of being stranded.
   */
  readonly resumeAfterS?: number;
  /** Preemption searches per cycle at most: each may walk every placed job. */
  readonly maxPreemptionsPerCycle?: number;
  /** Whether preempted jobs go back to their queue (default) or end in the `preempted` state. */
  readonly requeuePreempted?: boolean;
  /** Running jobs a preemption may consider as victims at most. */
  readonly maxVictimCandidates?: number;
}

/** Callbacks from the scheduler to whoever drives time. */
export interface SchedulerListener {
  /** A job got its resources; the driver calls `run` when it starts. */
  admitted?(job: Job, nowS: number): void;
  /** A run gave its resources back (finished, cancelled or preempted). */
  stopped?(job: Job, nowS: number): void;
  /** A run was preempted; called after `stopped`, once the job is back in its queue or ended as preempted. */
  preempted?(job: Job, nowS: number): void;
  /** A job asked to be looked at again at `timeS` (deferral); the driver calls `wake` then. */
  wakeAt?(job: Job, timeS: number): void;
}

/** Counters of a scheduler's work. */
export interface SchedulerCounters {
  /** Placement searches run. */
  attempts: number;
  /** Jobs placed (admissions). */
  placements: number;
  /** Runs preempted. */
  preemptions: number;
  cycles: number;
}

const startedOutcome = 0;
const deferredOutcome = 1;
const quotaOutcome = 2;
const capacityOutcome = 3;
const reservedOutcome = 4;
type Outcome = 0 | 1 | 2 | 3 | 4;

const cpuOnlySearch: readonly number[] = [-1];
const anyModelSearch: readonly number[] = [anyModel];

/**
 * An EASY reservation for the first job blocked by capacity. When the cluster lacks the GPUs, it is counted: jobs
 * competing for the same GPUs must end by `shadowS` or fit in `extraMilli`. When the GPUs exist but are scattered
 * (fragmentation, topology), it holds the nodes of the group closest to fitting the job until their jobs end.
 */
interface Reservation {
  readonly job: Job;
  readonly model: number;
  readonly shadowS: number;
  extraMilli: number;
  /** Whether the reservation holds nodes rather than counting GPUs. */
  readonly holdsNodes: boolean;
}

interface NodeShape {
  readonly pool: number;
  readonly gpus: number;
  readonly cpuMilli: number;
  readonly memoryMib: number;
}

/** The scheduler. */
export class Scheduler {
  readonly inventory: Inventory;
  readonly state: ClusterState;
  readonly quota: QuotaTree;
  readonly policy: PolicyName;
  /** Every job ever submitted, by index. */
  readonly jobs: Job[] = [];
  readonly counters: SchedulerCounters = { attempts: 0, placements: 0, preemptions: 0, cycles: 0 };
  listener: SchedulerListener = {};
  private readonly placer: Placer;
  private readonly mode: PlacementMode;
  private readonly checks: readonly AdmissionCheck[];
  private readonly fair: FairShare;
  private readonly pending: Job[][];
  private fresh: Job[] = [];
  private requeued: Job[] = [];
  private readonly placedJobs: Job[] = [];
  private readonly expectedEnds = new IndexedMinHeap();
  private epoch = 0;
  private lastFullEpoch = -1;
  private reservation: Reservation | undefined;
  private readonly reservationMask: Uint8Array;
  private readonly shapes = new Map<string, number>();
  private readonly shapeFailedEpoch: number[] = [];
  private readonly shapeReason: string[] = [];
  private readonly classes: Map<string, PriorityClass>;
  private readonly request: Float64Array;
  private readonly fairAmounts = new Float64Array(3);
  private readonly gpuResourceOfModel: Int32Array;
  private readonly anyGpuResource: number;
  private readonly cpuResource: number;
  private readonly memoryResource: number;
  private readonly poolMask: Uint8Array;
  private readonly nodeShapes: readonly NodeShape[];
  /** Largest GPU milli in one NVLink domain, per pool. */
  private readonly domainMilli: Float64Array;
  private readonly maxAttempts: number;
  private readonly maxExamined: number;
  private readonly maxBlockedPerQueue: number;
  private readonly fullPassIntervalS: number;
  private lastFullPassS = Number.NEGATIVE_INFINITY;
  private fullPassDueS = Number.POSITIVE_INFINITY;
  private readonly resumeAfterS: number;
  /** When a pass cut by its budget resumes, and whether it was a full pass (then the next one is full too). */
  private resumeAtS = Number.POSITIVE_INFINITY;
  private resumeFull = false;
  private readonly maxPreemptionSearches: number;
  private preemptionSearches = 0;
  /** Per queue and resource: the smallest request found short of quota in this pass (availability only falls). */
  private readonly quotaThreshold: Float64Array;
  private readonly requeuePreempted: boolean;
  private readonly maxVictimCandidates: number;
  private lastCapacityModel = anyModel;
  /** Releases of resources per pool and changes of check limits: what can unblock a job that failed for capacity. */
  private readonly poolReleases: Float64Array;
  private limitChanges = 0;
  private fifoHead: Job | undefined;
  private readonly queueShares: Float64Array;

  constructor(inventory: Inventory, options: SchedulerOptions) {
    this.inventory = inventory;
    this.policy = options.policy;
    this.mode = options.policy === "alixan" ? "best-fit" : "first-fit";
    const meter =
      options.workload !== undefined && options.workload.length > 0
        ? new FragmentMeter(options.workload, inventory.gpuModels.length)
        : undefined;
    const modelGpus = new Float64Array(inventory.gpuModels.length);
    for (let node = 0; node < inventory.nodeCount; node++) {
      const model = inventory.pools[inventory.nodePool[node]!]!.model;
      if (model >= 0) modelGpus[model]! += inventory.nodeGpuCount[node]!;
    }
    const shares =
      meter === undefined ? undefined : constrainedDemandShares(options.demand ?? options.workload ?? [], modelGpus);
    this.state = new ClusterState(inventory, meter, shares);
    this.checks = options.checks ?? [];
    this.placer = new Placer(this.state, this.checks);
    this.quota = new QuotaTree(options.queues);
    this.classes = new Map(options.queues.priorityClasses.map((c) => [c.name, c]));
    this.request = new Float64Array(this.quota.resources.length);
    this.gpuResourceOfModel = Int32Array.from(inventory.gpuModels, (model) => this.quota.resource(`gpu.${model}`));
    this.anyGpuResource = this.quota.resource("gpu");
    this.cpuResource = this.quota.resource("cpu");
    this.memoryResource = this.quota.resource("memory");
    const queueCount = this.quota.queueCount;
    this.pending = Array.from({ length: queueCount }, () => []);
    this.queueShares = new Float64Array(queueCount);
    let totalCpu = 0;
    let totalMemory = 0;
    for (let node = 0; node < inventory.nodeCount; node++) {
      totalCpu += inventory.nodeCpuMilli[node]!;
      totalMemory += inventory.nodeMemoryMib[node]!;
    }
    this.fair = new FairShare(
      queueCount,
      Float64Array.of(inventory.gpuCount * wholeGpu, totalCpu, totalMemory),
      Float64Array.from(options.queues.queues, (queue) => queue.weight),
      options.queues.fairShareHalfLifeHours,
    );
    this.poolMask = new Uint8Array(inventory.pools.length);
    this.poolReleases = new Float64Array(inventory.pools.length);
    this.reservationMask = new Uint8Array(inventory.pools.length);
    const shapes = new Map<string, NodeShape>();
    this.domainMilli = new Float64Array(inventory.pools.length);
    let domainStart = 0;
    for (let node = 0; node < inventory.nodeCount; node++) {
      const shape: NodeShape = {
        pool: inventory.nodePool[node]!,
        gpus: inventory.nodeGpuCount[node]!,
        cpuMilli: inventory.nodeCpuMilli[node]!,
        memoryMib: inventory.nodeMemoryMib[node]!,
      };
      shapes.set(`${shape.pool}/${shape.gpus}/${shape.cpuMilli}/${shape.memoryMib}`, shape);
      if (node > 0 && inventory.nodeDomain[node] !== inventory.nodeDomain[node - 1]) domainStart = node;
      let milli = 0;
      for (let member = domainStart; member <= node; member++) milli += inventory.nodeGpuCount[member]! * wholeGpu;
      const pool = shape.pool;
      this.domainMilli[pool] = Math.max(this.domainMilli[pool]!, milli);
    }
    this.nodeShapes = [...shapes.values()];
    this.maxAttempts = options.maxAttemptsPerCycle ?? 500;
    this.maxExamined = options.maxExaminedPerCycle ?? 5000;
    this.maxBlockedPerQueue = options.maxBlockedPerQueue ?? 1000;
    this.fullPassIntervalS = options.fullPassIntervalS ?? 10;
    this.resumeAfterS = options.resumeAfterS ?? 0.5;
    this.maxPreemptionSearches = options.maxPreemptionsPerCycle ?? 8;
    this.quotaThreshold = new Float64Array(queueCount * this.quota.resources.length);
    this.requeuePreempted = options.requeuePreempted ?? true;
    this.maxVictimCandidates = options.maxVictimCandidates ?? 512;
  }

  /** Jobs waiting in their queues. */
  get queuedCount(): number {
    let count = 0;
    for (const list of this.pending) count += list.length;
    return count;
  }

  /** Jobs holding resources. */
  get placedCount(): number {
    return this.placedJobs.length;
  }

  /**
   * The next time after `timeS` at which a check's view changes, a batched full pass is due or a pass cut by its
   * budget resumes.
   */
  nextChangeS(timeS: number): number {
    let next = this.fullPassDueS > timeS ? this.fullPassDueS : Number.POSITIVE_INFINITY;
    if (this.resumeAtS > timeS) next = Math.min(next, this.resumeAtS);
    for (const check of this.checks)
      if (check.nextChangeS !== undefined) next = Math.min(next, check.nextChangeS(timeS));
    return next;
  }

  /**
   * Accepts a job into its queue, or ends it at once in the `failed` state with the reason it can never run here
   * (unknown queue or priority class, GPU models the inventory lacks, a member larger than any node, a data class no
   * zone hosts, a required topology the inventory does not model).
   */
  submit(spec: JobSpec, nowS: number): Job {
    const job = new Job(this.jobs.length, spec);
    this.jobs.push(job);
    const rejection = this.rejection(job);
    if (rejection !== undefined) {
      job.state = "failed";
      job.reason = `rejected: ${rejection}`;
      job.endS = nowS;
      return job;
    }
    const key = [
      job.queue,
      job.modelOptions.join("."),
      spec.members,
      spec.gpus,
      spec.gpuMilli,
      spec.cpuMilli,
      spec.memoryMib,
      spec.topology?.scope,
      spec.topology?.required,
      spec.dataClass,
      job.priority,
    ].join("|");
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      shape = this.shapes.size;
      this.shapes.set(key, shape);
      this.shapeFailedEpoch.push(-1);
      this.shapeReason.push("");
    }
    job.shape = shape;
    job.reason = "waiting for the next scheduling cycle";
    this.enqueue(job);
    return job;
  }

  /** Why a job of `spec` would be refused at submission, without keeping anything of it; undefined if accepted. */
  refusal(spec: JobSpec): string | undefined {
    return this.rejection(new Job(-1, spec));
  }

  private rejection(job: Job): string | undefined {
    const spec = job.spec;
    const problems = specProblems(spec);
    if (problems.length > 0) return problems.join("; ");
    let queue = this.quota.queueIndex(spec.queue);
    const fallback = this.quota.config.defaultQueue;
    if (queue < 0 && fallback !== undefined) queue = this.quota.queueIndex(fallback);
    if (queue < 0) {
      return `no queue named "${spec.queue}" (configured: ${this.quota.config.queues.map((q) => q.name).join(", ")})`;
    }
    job.queue = queue;
    const className = spec.priorityClass ?? this.quota.queueConfig(queue).priorityClass;
    const priorityClass = this.classes.get(className);
    if (priorityClass === undefined) {
      return `no priority class named "${className}" (known: ${[...this.classes.keys()].join(", ")})`;
    }
    job.priority = priorityClass.value;
    job.preempts = priorityClass.preempts;
    const models = this.inventory.gpuModels;
    if (spec.gpus > 0) {
      if (models.length === 0) return `asks for GPUs but ${this.inventory.name} has none`;
      const options =
        spec.gpuModels.length === 0
          ? models.map((_, index) => index)
          : spec.gpuModels.map((name) => models.indexOf(name)).filter((index) => index >= 0);
      if (options.length === 0) {
        return `GPU models ${spec.gpuModels.join("|")} not in ${this.inventory.name} (it has ${models.join(", ")})`;
      }
      job.modelOptions = options;
    }
    for (const check of this.checks) {
      const reason = check.reject?.(job);
      if (reason !== undefined) return reason;
    }
    const allowed = this.inventory.pools.map((pool, index) => this.poolAllowed(job, index, pool.model));
    job.pools = allowed.flatMap((ok, pool) => (ok ? [pool] : []));
    // A check may keep such a job waiting (pools that may open later): it is placed nowhere until then.
    if (job.pools.length === 0 && this.checks.some((check) => check.holds?.(job) !== undefined)) return undefined;
    if (job.pools.length === 0) {
      const models = job.modelOptions.map((model) => this.inventory.gpuModels[model]).join("|");
      return `no node with ${models} GPUs may hold ${spec.dataClass} data`;
    }
    const fits = this.nodeShapes.some(
      (shape) =>
        allowed[shape.pool] === true &&
        shape.gpus >= spec.gpus &&
        shape.cpuMilli >= spec.cpuMilli &&
        shape.memoryMib >= spec.memoryMib,
    );
    if (!fits) return `one member (${this.describeMember(job)}) fits on no node it may use`;
    const need = spec.members * spec.gpus * spec.gpuMilli;
    let capacity = 0;
    let domain = 0;
    allowed.forEach((ok, pool) => {
      if (!ok) return;
      capacity += this.state.poolCapacityMilli[pool]!;
      domain = Math.max(domain, this.domainMilli[pool]!);
    });
    if (need > capacity) {
      return `the gang asks ${need / wholeGpu} GPUs; the nodes it may use have ${capacity / wholeGpu}`;
    }
    const topology = spec.topology;
    if (topology?.required === true) {
      if (scopeLevel(this.inventory, topology.scope) === undefined) {
        return `topology scope ${topology.scope} required but ${this.inventory.name} does not model it`;
      }
      if (topology.scope === "nvlink" && need > domain) {
        return `the gang asks ${need / wholeGpu} GPUs in one NVLink domain; the largest has ${domain / wholeGpu}`;
      }
    }
    return undefined;
  }

  /** Whether a job may use a pool: its model (if it asks GPUs) and every check's `allowsPool`. */
  private poolAllowed(job: Job, pool: number, poolModel: number): boolean {
    if (job.spec.gpus > 0 && !job.modelOptions.includes(poolModel)) return false;
    for (const check of this.checks) if (check.allowsPool !== undefined && !check.allowsPool(job, pool)) return false;
    return true;
  }

  private describeMember(job: Job): string {
    const spec = job.spec;
    const cores = `${spec.cpuMilli / 1000} cores, ${Math.round(spec.memoryMib / 1024)} GiB`;
    if (spec.gpus === 0) return cores;
    const usable = new Set(job.pools.map((pool) => this.inventory.pools[pool]!.model).filter((model) => model >= 0));
    const model =
      job.model >= 0
        ? this.inventory.gpuModels[job.model]!
        : [...usable].map((index) => this.inventory.gpuModels[index]).join("|");
    const gpus =
      spec.gpuMilli < wholeGpu
        ? `${spec.gpuMilli / 10} % of a ${model} GPU`
        : `${spec.gpus} ${model} GPU${spec.gpus > 1 ? "s" : ""}`;
    return `${gpus}, ${cores}`;
  }

  private describeGang(job: Job): string {
    const members = job.spec.members;
    return members > 1 ? `${members} × (${this.describeMember(job)})` : this.describeMember(job);
  }

  /** Orders jobs inside a queue: by priority for `alixan`, else by arrival. */
  private queueOrder(a: Job, b: Job): number {
    if (this.policy === "alixan" && a.priority !== b.priority) return b.priority - a.priority;
    return a.spec.submitS - b.spec.submitS || a.index - b.index;
  }

  private enqueue(job: Job): void {
    const list = this.pending[job.queue - this.quota.cohortCount]!;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.queueOrder(list[middle]!, job) <= 0) low = middle + 1;
      else high = middle;
    }
    list.splice(low, 0, job);
    this.fresh.push(job);
  }

  private dequeue(job: Job): void {
    const list = this.pending[job.queue - this.quota.cohortCount]!;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.queueOrder(list[middle]!, job) < 0) low = middle + 1;
      else high = middle;
    }
    while (low < list.length && list[low] !== job) low++;
    if (low < list.length) list.splice(low, 1);
  }

  /**
   * Orders the heads of different queues. `alixan`, as Kueue: heads that fit in their queue's nominal quota before
   * heads that must borrow (`borrowsA`, `borrowsB`), then priority, then fair share, then arrival. Baselines: arrival.
   */
  private headOrder(a: Job, b: Job, borrowsA: boolean, borrowsB: boolean): number {
    if (this.policy === "alixan") {
      if (borrowsA !== borrowsB) return borrowsA ? 1 : -1;
      if (a.priority !== b.priority) return b.priority - a.priority;
      const shareA = this.queueShares[a.queue - this.quota.cohortCount]!;
      const shareB = this.queueShares[b.queue - this.quota.cohortCount]!;
      if (shareA !== shareB) return shareA - shareB;
    }
    return a.spec.submitS - b.spec.submitS || a.index - b.index;
  }

  /**
   * Whether admitting a job would take its queue beyond its nominal quota (Kueue: it borrows), on the first model
   * it would search. Only `alixan` orders by it; without governed resources nobody borrows.
   */
  private wouldBorrow(job: Job): boolean {
    if (this.policy !== "alixan" || this.request.length === 0) return false;
    this.requestFor(job, this.searchModels(job)[0]!, this.request);
    return !this.quota.withinNominal(job.queue, this.request);
  }

  /**
   * Takes a node out of service or puts it back (its executor reports it down, drained or back). Running work there
   * is left alone; waiting jobs are looked at again when room comes back. Returns whether anything changed.
   */
  setNodeOffline(node: number, offline: boolean): boolean {
    if (!this.state.setOffline(node, offline)) return false;
    if (!offline) this.poolReleases[this.inventory.nodePool[node]!]!++;
    this.epoch++;
    this.limitChanges++;
    return true;
  }

  /**
   * Binds a job that already runs somewhere (found by an executor after a restart) exactly where it runs: the
   * members on `nodes`, the GPUs `gpus` (global indexes, `gpus` per member in member order). Quota and fair share are
   * charged even beyond nominal (the work exists). Returns the job, `admitted` on success; `failed` with the reason
   * when the spec is rejected or those resources are not free (the caller then stops the run).
   */
  adopt(spec: JobSpec, nodes: ArrayLike<number>, gpus: ArrayLike<number>, nowS: number): Job {
    const job = new Job(this.jobs.length, spec);
    this.jobs.push(job);
    const fail = (reason: string) => {
      job.state = "failed";
      job.reason = reason;
      job.endS = nowS;
      job.nodes.fill(-1);
      job.gpus.fill(-1);
      return job;
    };
    const rejection = this.rejection(job);
    if (rejection !== undefined) return fail(`rejected: ${rejection}`);
    if (nodes.length !== spec.members || gpus.length !== spec.members * spec.gpus)
      return fail(`its record has ${nodes.length} nodes and ${gpus.length} GPUs for ${spec.members} members`);
    for (let member = 0; member < spec.members; member++) {
      const node = nodes[member]!;
      if (!(node >= 0 && node < this.inventory.nodeCount)) return fail(`node ${node} is not in ${this.inventory.name}`);
      job.nodes[member] = node;
      const start = this.inventory.nodeGpuStart[node]!;
      const end = start + this.inventory.nodeGpuCount[node]!;
      for (let i = 0; i < spec.gpus; i++) {
        const gpu = gpus[member * spec.gpus + i]!;
        if (!(gpu >= start && gpu < end)) return fail(`GPU ${gpu} is not on node ${this.inventory.nodeName(node)}`);
        job.gpus[member * spec.gpus + i] = gpu;
      }
    }
    job.model = spec.gpus > 0 ? this.inventory.pools[this.inventory.nodePool[job.nodes[0]!]!]!.model : -1;
    if (!this.placer.restore(job)) return fail("the resources it holds are taken or refused by the checks");
    this.admit(job, nowS, false);
    return job;
  }

  /** Looks at a deferred job again (its retry time came). */
  wake(job: Job): void {
    if (job.state === "queued") this.fresh.push(job);
  }

  /**
   * One scheduling cycle at `nowS`: refreshes the checks, then tries waiting jobs in policy order. A full pass runs
   * when resources were released or limits changed since the last one; otherwise only jobs that arrived or woke up
   * since are tried (everything else failed against the same state). Returns the number of jobs admitted.
   */
  cycle(nowS: number): number {
    this.counters.cycles++;
    for (const check of this.checks) {
      if (check.refresh?.(nowS) === true) {
        this.epoch++;
        this.limitChanges++;
      }
    }
    let admitted = 0;
    this.preemptionSearches = 0;
    // A full pass cut by its budget goes on now, whatever the interval between full passes.
    let resumeFull = false;
    if (nowS >= this.resumeAtS) {
      resumeFull = this.resumeFull;
      this.resumeAtS = Number.POSITIVE_INFINITY;
      this.resumeFull = false;
    }
    // Preemptions release resources mid-pass; a few more passes let the released room be used at once.
    for (let pass = 0; pass < 3; pass++) {
      const fresh = this.fresh;
      this.fresh = [];
      const stale = this.epoch !== this.lastFullEpoch || (pass === 0 && resumeFull);
      // Releases are batched: at most one full pass per interval (later passes of this cycle follow preemptions).
      const allowed = pass > 0 || resumeFull || nowS >= this.lastFullPassS + this.fullPassIntervalS;
      if (this.policy === "fifo" || (stale && allowed)) {
        this.lastFullEpoch = this.epoch;
        this.lastFullPassS = nowS;
        this.fullPassDueS = Number.POSITIVE_INFINITY;
        this.setReservation(undefined);
        admitted += this.fullPass(nowS);
      } else {
        if (stale) this.fullPassDueS = this.lastFullPassS + this.fullPassIntervalS;
        admitted += this.freshPass(fresh, nowS);
      }
      for (const job of this.requeued) this.enqueue(job);
      this.requeued = [];
      if (this.epoch === this.lastFullEpoch || this.fullPassDueS > nowS) break;
    }
    return admitted;
  }

  private refreshShares(nowS: number): void {
    if (this.policy !== "alixan") return;
    for (let queue = 0; queue < this.queueShares.length; queue++)
      this.queueShares[queue] = this.fair.share(queue, nowS);
  }

  private fullPass(nowS: number): number {
    this.refreshShares(nowS);
    const cursors = new Int32Array(this.pending.length);
    const blockedInRow = new Int32Array(this.pending.length);
    // Per queue, whether its current head would borrow: -1 until computed, reset when the head or usage changes.
    const borrows = new Int8Array(this.pending.length).fill(-1);
    const headBorrows = (queue: number) => {
      if (borrows[queue] === -1) borrows[queue] = this.wouldBorrow(this.pending[queue]![cursors[queue]!]!) ? 1 : 0;
      return borrows[queue] === 1;
    };
    const startAttempts = this.counters.attempts;
    this.quotaThreshold.fill(Number.POSITIVE_INFINITY);
    let admitted = 0;
    let reserved = false;
    let cut = true;
    for (let examined = 0; examined < this.maxExamined; examined++) {
      let best = -1;
      for (let queue = 0; queue < this.pending.length; queue++) {
        const list = this.pending[queue]!;
        if (cursors[queue]! >= list.length || blockedInRow[queue]! >= this.maxBlockedPerQueue) continue;
        if (
          best < 0 ||
          this.headOrder(
            list[cursors[queue]!]!,
            this.pending[best]![cursors[best]!]!,
            headBorrows(queue),
            headBorrows(best),
          ) < 0
        )
          best = queue;
      }
      if (best < 0) {
        cut = false;
        break;
      }
      if (this.counters.attempts - startAttempts >= this.maxAttempts) break;
      const job = this.pending[best]![cursors[best]!]!;
      const outcome = this.tryStart(job, nowS);
      // An admission changes usage (and a preemption other queues' usage): heads are judged again.
      if (outcome === startedOutcome) borrows.fill(-1);
      else borrows[best] = -1;
      if (outcome === startedOutcome) {
        admitted++;
        blockedInRow[best] = 0;
        if (this.policy === "alixan") this.queueShares[best] = this.fair.share(best, nowS);
        continue;
      }
      cursors[best]!++;
      if (outcome !== deferredOutcome) blockedInRow[best]!++;
      if (this.policy === "fifo" && outcome !== deferredOutcome) {
        if (this.fifoHead !== job) this.markBehind(job);
        this.fifoHead = job;
        cut = false;
        break;
      }
      // EASY: only the first job blocked by capacity gets a reservation (or none, if none can be computed).
      if (outcome === capacityOutcome && this.policy === "alixan" && !reserved) {
        reserved = true;
        this.setReservation(this.reserve(job, nowS));
      }
    }
    // A cut pass that started jobs goes on shortly (a burst); one that started none waits for the usual interval.
    if (cut)
      this.resumeLater(admitted > 0 ? nowS + this.resumeAfterS : this.lastFullPassS + this.fullPassIntervalS, true);
    return admitted;
  }

  /** Schedules the rest of a pass cut by its budget at `atS` (a full one, or the arrivals left in `fresh`). */
  private resumeLater(atS: number, full: boolean): void {
    this.resumeAtS = Math.min(this.resumeAtS, atS);
    this.resumeFull ||= full;
  }

  /** FIFO: every other waiting job waits behind the blocked head. */
  private markBehind(head: Job): void {
    const reason = `waiting behind job ${head.spec.id} (first come, first served)`;
    for (const list of this.pending)
      for (const job of list) if (job !== head && job.notBeforeS <= 0) job.reason = reason;
  }

  private freshPass(fresh: Job[], nowS: number): number {
    if (fresh.length === 0) return 0;
    this.refreshShares(nowS);
    if (fresh.length > 1) {
      if (this.policy === "alixan" && this.request.length > 0) {
        const borrows = new Map(fresh.map((job) => [job, job.state === "queued" && this.wouldBorrow(job)]));
        fresh.sort((a, b) => this.headOrder(a, b, borrows.get(a)!, borrows.get(b)!));
      } else fresh.sort((a, b) => this.headOrder(a, b, false, false));
    }
    const startAttempts = this.counters.attempts;
    let admitted = 0;
    this.quotaThreshold.fill(Number.POSITIVE_INFINITY);
    for (const job of fresh) {
      if (job.state !== "queued") continue;
      if (this.counters.attempts - startAttempts >= this.maxAttempts) {
        this.fresh.push(job);
        this.resumeLater(nowS + this.resumeAfterS, false);
        continue;
      }
      if (this.tryStart(job, nowS) === startedOutcome) admitted++;
    }
    return admitted;
  }

  /** Search models for a job: every model at once when per-model quota does not matter, else one at a time. */
  private searchModels(job: Job): readonly number[] {
    const spec = job.spec;
    if (spec.gpus === 0) return cpuOnlySearch;
    if (spec.members === 1 && job.modelOptions.every((model) => this.gpuResourceOfModel[model]! < 0))
      return anyModelSearch;
    return job.modelOptions;
  }

  /** Fills `request` with what the job charges to quota when running on `model`. */
  private requestFor(job: Job, model: number, request: Float64Array): void {
    const spec = job.spec;
    request.fill(0);
    const milli = spec.members * spec.gpus * spec.gpuMilli;
    if (milli > 0) {
      if (this.anyGpuResource >= 0) request[this.anyGpuResource] = milli;
      if (model >= 0 && this.gpuResourceOfModel[model]! >= 0) request[this.gpuResourceOfModel[model]!] = milli;
    }
    if (this.cpuResource >= 0) request[this.cpuResource] = spec.members * spec.cpuMilli;
    if (this.memoryResource >= 0) request[this.memoryResource] = spec.members * spec.memoryMib;
  }

  private fairAmountsOf(job: Job): Float64Array {
    const spec = job.spec;
    this.fairAmounts[0] = spec.members * spec.gpus * spec.gpuMilli;
    this.fairAmounts[1] = spec.members * spec.cpuMilli;
    this.fairAmounts[2] = spec.members * spec.memoryMib;
    return this.fairAmounts;
  }

  /**
   * Fills `poolMask` for a search pass; returns false when the pass adds no pool to the previous ones. Passes:
   * 0 outside certified zones (and, for CPU-only work, CPU nodes only), 1 outside certified zones, 2 everything
   * allowed. Work that is not health data thus stays out of certified zones while it can.
   */
  private maskForPass(job: Job, model: number, pass: number, mask: Uint8Array): boolean {
    const pools = this.inventory.pools;
    let adds = false;
    let any = false;
    for (let pool = 0; pool < pools.length; pool++) {
      const info = pools[pool]!;
      let ok = model === anyModel || model === -1 || info.model === model;
      if (ok && job.spec.gpus > 0 && !job.modelOptions.includes(info.model)) ok = false;
      if (ok && pass < 2 && info.zone >= 0) ok = false;
      if (ok && pass === 0 && job.spec.gpus === 0 && info.model >= 0) ok = false;
      if (ok) {
        for (const check of this.checks) {
          if (check.allowsPool !== undefined && !check.allowsPool(job, pool)) {
            ok = false;
            break;
          }
        }
      }
      const value = ok ? 1 : 0;
      if (value === 1 && mask[pool] === 0) adds = true;
      mask[pool] = value;
      any ||= ok;
    }
    return any && adds;
  }

  /** Tries the passes of a model; binds the job on success. */
  private placeOnModel(job: Job, model: number, nowS: number): boolean {
    job.model = model;
    this.poolMask.fill(0);
    for (let pass = 0; pass < 3; pass++) {
      if (!this.maskForPass(job, model, pass, this.poolMask)) continue;
      this.counters.attempts++;
      if (this.placer.place(job, this.poolMask, this.mode, nowS)) return true;
    }
    return false;
  }

  private blockedByReservation(job: Job, model: number, nowS: number): boolean {
    const reservation = this.reservation;
    if (reservation === undefined || reservation.holdsNodes || reservation.job === job || job.spec.gpus === 0)
      return false;
    if (!this.competes(reservation, model)) return false;
    if (nowS + job.spec.expectedDurationS <= reservation.shadowS) return false;
    return job.gpuMilliTotal > reservation.extraMilli;
  }

  private competes(reservation: Reservation, model: number): boolean {
    if (model === anyModel || reservation.model === anyModel) return true;
    return model === reservation.model;
  }

  private tryStart(job: Job, nowS: number): Outcome {
    if (job.notBeforeS > nowS) return deferredOutcome;
    for (const check of this.checks) {
      const wait = check.gate?.(job, nowS);
      if (wait === undefined) continue;
      job.reason = wait.reason;
      if (Number.isFinite(wait.retryAtS) && wait.retryAtS > nowS) {
        job.notBeforeS = wait.retryAtS;
        this.listener.wakeAt?.(job, wait.retryAtS);
      }
      return deferredOutcome;
    }
    if (job.blockedEpoch === this.epoch) return job.blockedOutcome as Outcome;
    if (job.blockedOutcome === capacityOutcome && job.blockedStamp === this.releaseStamp(job)) {
      job.blockedEpoch = this.epoch;
      return capacityOutcome;
    }
    const queue = job.queue;
    if (this.shapeFailedEpoch[job.shape] === this.epoch) {
      job.reason = this.shapeReason[job.shape]!;
      job.blockedEpoch = this.epoch;
      job.blockedOutcome = capacityOutcome;
      job.blockedStamp = this.releaseStamp(job);
      return capacityOutcome;
    }
    let quotaReason: string | undefined;
    let reservedBy: Reservation | undefined;
    let placementTried = false;
    let quotaModel: number | undefined;
    const width = this.request.length;
    const thresholds = (queue - this.quota.cohortCount) * width;
    for (const model of this.searchModels(job)) {
      this.requestFor(job, model, this.request);
      // A request at least as large as one already short in this pass is short too: skip the quota walk.
      let short = -1;
      for (let r = 0; r < width && short < 0; r++) {
        if (this.request[r]! > 0 && this.request[r]! >= this.quotaThreshold[thresholds + r]!) short = r;
      }
      if (short < 0) short = this.quota.firstShortfall(queue, this.request);
      if (short >= 0) {
        this.quotaThreshold[thresholds + short] = Math.min(
          this.quotaThreshold[thresholds + short]!,
          this.request[short]!,
        );
        if (quotaReason === undefined) {
          const available = this.quota.available(queue, short);
          if (short !== job.quotaShort || available !== job.quotaAvailable || job.blockedOutcome !== quotaOutcome) {
            job.quotaShort = short;
            job.quotaAvailable = available;
            quotaReason = this.quota.explain(queue, short, this.request);
          } else quotaReason = job.reason;
        }
        quotaModel ??= model;
        continue;
      }
      if (this.blockedByReservation(job, model, nowS)) {
        reservedBy = this.reservation;
        continue;
      }
      placementTried = true;
      if (this.placeOnModel(job, model, nowS)) {
        this.admit(job, nowS);
        return startedOutcome;
      }
      this.lastCapacityModel = model;
    }
    if (placementTried) {
      job.reason = this.placementReason(job);
      if (this.policy === "alixan" && this.preempt(job, nowS, false)) return startedOutcome;
      this.shapeFailedEpoch[job.shape] = this.epoch;
      this.shapeReason[job.shape] = job.reason;
      job.blockedEpoch = this.epoch;
      job.blockedOutcome = capacityOutcome;
      job.blockedStamp = this.releaseStamp(job);
      return capacityOutcome;
    }
    if (reservedBy !== undefined) {
      job.reason =
        `backfill would delay job ${reservedBy.job.spec.id}, which has a reservation from ` +
        `${Math.round(reservedBy.shadowS)} s`;
      return reservedOutcome;
    }
    job.reason = quotaReason ?? "no quota";
    if (this.policy === "alixan" && this.preempt(job, nowS, true, quotaModel ?? -1)) return startedOutcome;
    job.blockedEpoch = this.epoch;
    job.blockedOutcome = quotaOutcome;
    return quotaOutcome;
  }

  private placementReason(job: Job): string {
    const refusals: string[] = [];
    let zone: string | undefined;
    for (const check of this.checks) {
      const text = check.explain?.(job);
      if (text === undefined) continue;
      if (check.name === "zone") zone = text;
      else refusals.push(text);
    }
    const topology = job.spec.topology;
    const where =
      topology?.required === true ? ` in one ${topology.scope === "nvlink" ? "NVLink domain" : topology.scope}` : "";
    const body = refusals.length > 0 ? refusals.join("; ") : `no room for ${this.describeGang(job)}${where}`;
    return zone === undefined ? body : `${zone}: ${body}`;
  }

  /** Charges and records a placed job; `notify` tells the listener (not for an adopted run, already going). */
  private admit(job: Job, nowS: number, notify = true): void {
    if (job.model === anyModel) job.model = this.inventory.pools[this.inventory.nodePool[job.nodes[0]!]!]!.model;
    this.requestFor(job, job.model, this.request);
    this.quota.charge(job.queue, this.request, 1);
    this.fair.allocate(job.queue - this.quota.cohortCount, this.fairAmountsOf(job), 1, nowS);
    this.dequeue(job);
    const reservation = this.reservation;
    if (reservation !== undefined) {
      if (reservation.job === job) this.setReservation(undefined);
      else if (
        job.spec.gpus > 0 &&
        this.competes(reservation, job.model) &&
        nowS + job.spec.expectedDurationS > reservation.shadowS
      ) {
        reservation.extraMilli -= job.gpuMilliTotal;
      }
    }
    job.state = "admitted";
    job.reason = "";
    job.admittedS = nowS;
    job.placedSlot = this.placedJobs.length;
    this.placedJobs.push(job);
    this.expectedEnds.insert(job.index, nowS + job.spec.expectedDurationS);
    this.counters.placements++;
    if (notify) this.listener.admitted?.(job, nowS);
  }

  /** An admitted job starts running. */
  run(job: Job, nowS: number): void {
    if (job.state !== "admitted") return;
    job.state = "running";
    job.startS = nowS;
    job.usageSinceS = nowS;
    if (Number.isNaN(job.firstStartS)) job.firstStartS = nowS;
    job.serial++;
  }

  /** When a placed job is expected to end (its start + its announced duration): what reservations count on. */
  expectedEndS(job: Job): number | undefined {
    return job.placed ? this.expectedEnds.keyOf(job.index) : undefined;
  }

  /**
   * A run adopted after a restart started before it, at `startS` on this clock: its start, and its expected end (its
   * announced duration after that start, which reservations count on) from it rather than from its adoption.
   */
  backdateStart(job: Job, startS: number): void {
    if (job.state !== "running") return;
    job.startS = startS;
    this.expectedEnds.remove(job.index);
    this.expectedEnds.insert(job.index, startS + job.spec.expectedDurationS);
  }

  /** Adds the energy and GPU time of a running job since the last account. */
  private accountUsage(job: Job, nowS: number): void {
    if (job.state !== "running") return;
    const seconds = Math.max(0, nowS - job.usageSinceS);
    job.energyKwh += (job.powerKw * seconds) / 3600;
    job.gpuMilliSeconds += job.gpuMilliTotal * seconds;
    job.usageSinceS = nowS;
  }

  /** Takes a placed job's resources back, with its usage accounted. */
  private releasePlaced(job: Job, nowS: number): void {
    this.accountUsage(job, nowS);
    this.placer.release(job);
    this.requestFor(job, job.model, this.request);
    this.quota.charge(job.queue, this.request, -1);
    this.detach(job, nowS);
  }

  /** A number that changes whenever resources are released in one of the job's pools or check limits change. */
  private releaseStamp(job: Job): number {
    let stamp = this.limitChanges * 1e12;
    for (const pool of job.pools) stamp += this.poolReleases[pool]!;
    return stamp;
  }

  /** Removes a job whose resources and quota are back from the placed-job bookkeeping. */
  private detach(job: Job, nowS: number): void {
    for (let member = 0; member < job.spec.members; member++)
      this.poolReleases[this.inventory.nodePool[job.nodes[member]!]!]!++;
    this.fair.allocate(job.queue - this.quota.cohortCount, this.fairAmountsOf(job), -1, nowS);
    const last = this.placedJobs.pop()!;
    if (last !== job) {
      this.placedJobs[job.placedSlot] = last;
      last.placedSlot = job.placedSlot;
    }
    job.placedSlot = -1;
    this.expectedEnds.remove(job.index);
    job.startS = Number.NaN;
    this.epoch++;
  }

  /** A running job reached its duration; its resources are released. */
  finish(job: Job, nowS: number, outcome: JobOutcome): void {
    if (!job.placed) return;
    this.releasePlaced(job, nowS);
    job.state = outcome;
    job.endS = nowS;
    this.listener.stopped?.(job, nowS);
  }

  /**
   * Takes a placed job's resources back because where it runs is no longer allowed (a site change, a lapsed
   * certification): it waits in its queue again, or ends as preempted where preempted work is not requeued.
   */
  displace(job: Job, nowS: number, reason: string): void {
    if (!job.placed) return;
    this.accountUsage(job, nowS);
    this.placer.release(job);
    this.requestFor(job, job.model, this.request);
    this.quota.charge(job.queue, this.request, -1);
    this.counters.preemptions++;
    this.evict(job, nowS, reason);
  }

  /** The owner withdraws a job: a waiting job leaves its queue, a placed one gives its resources back. */
  cancel(job: Job, nowS: number): void {
    if (job.finished) return;
    if (job.placed) {
      this.releasePlaced(job, nowS);
      this.listener.stopped?.(job, nowS);
    } else this.dequeue(job);
    job.state = "cancelled";
    job.reason = "cancelled by its owner";
    job.endS = nowS;
  }

  private setReservation(reservation: Reservation | undefined): void {
    this.reservation = reservation;
    if (reservation?.holdsNodes !== true) this.placer.reserveNodes(0, 0, 0, undefined);
  }

  /**
   * Computes the EASY reservation of the first job blocked by capacity. Counted when its GPUs are missing: the
   * earliest time (by expected ends) at which enough GPUs of its model would be free, and how many beyond its need.
   * Holding nodes when the GPUs are free but scattered: the group of its topology scope (or the node) closest to
   * taking it, until the jobs there are expected to end.
   */
  private reserve(head: Job, nowS: number): Reservation | undefined {
    if (head.spec.gpus === 0) return undefined;
    const model = this.lastCapacityModel;
    this.reservationMask.fill(0);
    for (let pass = 0; pass < 3; pass++) this.maskForPass(head, model, pass, this.reservationMask);
    const need = head.gpuMilliTotal;
    let free = 0;
    for (let pool = 0; pool < this.reservationMask.length; pool++) {
      if (this.reservationMask[pool] === 1) free += this.state.poolFreeMilli[pool]!;
    }
    if (free >= need) return this.holdNodes(head, model, nowS);
    let freed = 0;
    let shadowS = Number.POSITIVE_INFINITY;
    this.expectedEnds.visitInOrder((index, endS) => {
      const running = this.jobs[index]!;
      if (running.spec.gpus > 0 && this.reservationMask[this.inventory.nodePool[running.nodes[0]!]!] === 1) {
        freed += running.gpuMilliTotal;
        if (free + freed >= need) {
          shadowS = endS;
          return false;
        }
      }
      return true;
    });
    if (shadowS === Number.POSITIVE_INFINITY) return undefined;
    return { job: head, model, shadowS: Math.max(nowS, shadowS), extraMilli: free + freed - need, holdsNodes: false };
  }

  private holdNodes(head: Job, model: number, nowS: number): Reservation | undefined {
    const topology = head.spec.topology;
    const scope = topology === undefined ? undefined : scopeLevel(this.inventory, topology.scope);
    // Spread gangs that fail with enough free GPUs are held back by the checks, which a reservation cannot help.
    if (scope === undefined && head.spec.members > 1) return undefined;
    const level = scope === undefined ? this.inventory.levels.length : scope.level;
    head.model = model;
    const range = this.placer.closestGroup(head, this.reservationMask, level);
    if (range === undefined) return undefined;
    let untilS = nowS;
    for (const running of this.placedJobs) {
      for (const node of running.nodes) {
        if (node >= range.start && node < range.end) {
          untilS = Math.max(untilS, running.admittedS + running.spec.expectedDurationS);
          break;
        }
      }
    }
    this.placer.reserveNodes(range.start, range.end, untilS, head);
    return { job: head, model, shadowS: untilS, extraMilli: Number.POSITIVE_INFINITY, holdsNodes: true };
  }

  /**
   * Preemption for `job`, as Kueue's ClusterQueue `preemption` policies allow (see `mayEvict`), when it is short of
   * quota (`forQuota`, on `quotaModel`) or of room. Victims are evicted tentatively one at a time until the job fits
   * and is placed; victims whose return still fits are then restored (a minimal set). On failure nothing changes.
   */
  private preempt(job: Job, nowS: number, forQuota: boolean, quotaModel = -1): boolean {
    if (this.preemptionSearches >= this.maxPreemptionSearches) return false;
    const queue = job.queue;
    const policy = this.preemptionOf(queue);
    // Kueue preempts for quota; for room only preempting priority classes do (alixan's extension).
    if (!forQuota && !job.preempts) return false;
    const otherQueues = this.quota.parent[queue]! >= 0 && this.anyBorrower(this.quota.root(queue), queue);
    const models = forQuota ? [quotaModel] : this.searchModels(job);
    for (const model of models) {
      this.requestFor(job, model, this.request);
      // Kueue's "reclaim": the job would stay within its queue's nominal quota; otherwise it must borrow.
      const reclaim = this.quota.hasQuota(queue) && this.quota.withinNominal(queue, this.request);
      // No rule can apply: skip the walk over every placed job.
      const cohortRule = reclaim
        ? policy.reclaimWithinCohort !== "Never"
        : policy.borrowWithinCohort.policy !== "Never";
      if (!job.preempts && policy.withinClusterQueue === "Never" && !(otherQueues && cohortRule)) continue;
      const candidates: Job[] = [];
      for (const running of this.placedJobs) {
        if (job.spec.gpus > 0 && model >= 0 && running.model !== model) continue;
        if (this.mayEvict(job, running, policy, reclaim)) candidates.push(running);
      }
      this.preemptionSearches++;
      if (candidates.length === 0) continue;
      // Borrowers of other queues first, then lowest priority, then the most recently admitted (least work lost),
      // then the smallest (least capacity thrown away).
      candidates.sort(
        (a, b) =>
          Number(b.queue !== queue) - Number(a.queue !== queue) ||
          a.priority - b.priority ||
          b.admittedS - a.admittedS ||
          a.gpuMilliTotal - b.gpuMilliTotal,
      );
      if (candidates.length > this.maxVictimCandidates) candidates.length = this.maxVictimCandidates;
      if (this.evictFor(job, model, candidates, nowS)) return true;
    }
    return false;
  }

  /** A queue's preemption policies (Kueue's defaults when it configures none). */
  private preemptionOf(queue: number): QueuePreemption {
    return this.quota.queueConfig(queue).preemption ?? defaultPreemption;
  }

  /**
   * Whether `job` may evict `running`, by Kueue's rules:
   * - same queue: `withinClusterQueue` — LowerPriority, or LowerOrNewerEqualPriority (also equal priority submitted
   *   later); a preempting priority class counts as LowerPriority;
   * - another queue: never while that queue is within its nominal quota; in the same cohort tree, when `job` stays
   *   within its own nominal quota (`reclaim`), `reclaimWithinCohort` (LowerPriority or Any); when it must borrow,
   *   `borrowWithinCohort` (LowerPriority, at most `maxPriorityThreshold`). A preempting priority class may also
   *   evict lower-priority work of queues that are borrowing or have no quota (alixan's extension).
   */
  private mayEvict(job: Job, running: Job, policy: QueuePreemption, reclaim: boolean): boolean {
    const lower = running.priority < job.priority;
    if (running.queue === job.queue) {
      if (lower) return job.preempts || policy.withinClusterQueue !== "Never";
      return (
        policy.withinClusterQueue === "LowerOrNewerEqualPriority" &&
        running.priority === job.priority &&
        (running.spec.submitS > job.spec.submitS ||
          (running.spec.submitS === job.spec.submitS && running.index > job.index))
      );
    }
    const tree = this.quota;
    if (tree.withinNominalQuota(running.queue)) return false;
    if (tree.hasQuota(job.queue) && tree.root(running.queue) === tree.root(job.queue) && tree.parent[job.queue]! >= 0) {
      if (reclaim) {
        if (policy.reclaimWithinCohort === "Any") return true;
        if (policy.reclaimWithinCohort === "LowerPriority" && lower) return true;
      } else if (policy.borrowWithinCohort.policy === "LowerPriority" && lower) {
        const threshold = policy.borrowWithinCohort.maxPriorityThreshold;
        if (threshold === undefined || running.priority <= threshold) return true;
      }
    }
    return job.preempts && lower;
  }

  /** Whether a queue other than `queue` under cohort root `root` borrows beyond its nominal quota. */
  private anyBorrower(root: number, queue: number): boolean {
    const tree = this.quota;
    for (let other = tree.cohortCount; other < tree.cohortCount + tree.queueCount; other++) {
      if (other !== queue && tree.root(other) === root && tree.borrowing(other)) return true;
    }
    return false;
  }

  private evictFor(job: Job, model: number, candidates: readonly Job[], nowS: number): boolean {
    const victims: Job[] = [];
    const victimRequest = new Float64Array(this.request.length);
    let placed = false;
    for (const victim of candidates) {
      // Kueue looks at another queue's work only while that queue still borrows (earlier victims may have ended it).
      if (victim.queue !== job.queue && this.quota.withinNominalQuota(victim.queue)) continue;
      this.accountUsage(victim, nowS);
      this.placer.release(victim);
      this.requestFor(victim, victim.model, victimRequest);
      this.quota.charge(victim.queue, victimRequest, -1);
      victims.push(victim);
      this.requestFor(job, model, this.request);
      if (this.quota.firstShortfall(job.queue, this.request) >= 0) continue;
      this.counters.attempts++;
      if (this.placeOnModel(job, model, nowS)) {
        placed = true;
        break;
      }
    }
    if (!placed) {
      for (let i = victims.length - 1; i >= 0; i--) this.restoreVictim(victims[i]!, victimRequest);
      job.model = -1;
      return false;
    }
    // Quota of the preemptor first, so restored victims cannot take it back.
    const model0 = job.model;
    if (model0 === anyModel) job.model = this.inventory.pools[this.inventory.nodePool[job.nodes[0]!]!]!.model;
    this.requestFor(job, job.model, this.request);
    this.quota.charge(job.queue, this.request, 1);
    const evicted: Job[] = [];
    for (let i = victims.length - 1; i >= 0; i--) {
      const victim = victims[i]!;
      this.requestFor(victim, victim.model, victimRequest);
      if (this.quota.firstShortfall(victim.queue, victimRequest) < 0 && this.placer.restore(victim)) {
        this.quota.charge(victim.queue, victimRequest, 1);
      } else evicted.push(victim);
    }
    this.quota.charge(job.queue, this.request, -1);
    const why = `preempted by job ${job.spec.id} (${this.quota.names[job.queue]}, priority ${job.priority})`;
    for (const victim of evicted) this.evict(victim, nowS, why);
    this.counters.preemptions += evicted.length;
    this.admit(job, nowS);
    return true;
  }

  private restoreVictim(victim: Job, scratch: Float64Array): void {
    if (!this.placer.restore(victim)) throw new Error(`victim ${victim.spec.id} could not be restored`);
    this.requestFor(victim, victim.model, scratch);
    this.quota.charge(victim.queue, scratch, 1);
  }

  /** Completes the eviction of a victim whose resources and quota were already taken back. */
  private evict(victim: Job, nowS: number, reason: string): void {
    this.detach(victim, nowS);
    victim.preemptions++;
    victim.reason = reason;
    this.listener.stopped?.(victim, nowS);
    if (this.requeuePreempted) {
      victim.state = "queued";
      victim.blockedEpoch = -1;
      victim.model = -1;
      this.requeued.push(victim);
    } else {
      victim.state = "preempted";
      victim.endS = nowS;
    }
    this.listener.preempted?.(victim, nowS);
  }
}
