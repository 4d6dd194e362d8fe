/**
 * Carrying jobs from one scheduler generation to the next when the site in force changes. A node is the same node
 * when its rack keeps its id and the node's position in the rack and GPU count are unchanged (rack ids are the
 * site's stable names; indexes move whenever racks are added or removed).
 */
import type { Job } from "../../scheduler/jobs.ts";
import type { Generation } from "./generation.ts";
import { placementOf, zoneViolation } from "./generation.ts";
import type { JobRecord } from "./records.ts";

/** What became of one job. */
export interface CarryOutcome {
  /** The record, bound to its job in the new generation (or, for an ended job, left as it was). */
  readonly record: JobRecord;
  /** It had ended already: it stays in the old generation, to be frozen. */
  readonly ended: boolean;
  /** Why it was taken off its racks, when it was. */
  readonly displaced: string | undefined;
  /** The racks it ran on when displaced. */
  readonly racks: readonly string[];
}

/** Maps nodes and GPUs of the old generation's inventory to the new one's, by rack id and position in the rack. */
class NodeMap {
  readonly #old: Generation;
  readonly #next: Generation;
  readonly #rackOf = new Map<string, number>();

  constructor(old: Generation, next: Generation) {
    this.#old = old;
    this.#next = next;
    next.site.racks.forEach((rack, index) => {
      this.#rackOf.set(rack.id, index);
    });
  }

  /** The new index of an old node, or -1 when its rack is gone or changed shape. */
  node(node: number): number {
    const oldInventory = this.#old.inventory;
    const newInventory = this.#next.inventory;
    const oldRacks = oldInventory.levels[oldInventory.facility!.rackLevel]!;
    const newRacks = newInventory.levels[newInventory.facility!.rackLevel]!;
    const oldRack = oldRacks.groupOfNode[node]!;
    const newRack = this.#rackOf.get(this.#old.site.racks[oldRack]!.id);
    if (newRack === undefined) return -1;
    const mapped = newRacks.childStart[newRack]! + (node - oldRacks.childStart[oldRack]!);
    if (mapped >= newRacks.childStart[newRack + 1]!) return -1;
    if (newInventory.nodeGpuCount[mapped] !== oldInventory.nodeGpuCount[node]) return -1;
    return mapped;
  }

  /** The new index of an old GPU on the old node `node`, now node `mapped`. */
  gpu(gpu: number, node: number, mapped: number): number {
    return this.#next.inventory.nodeGpuStart[mapped]! + (gpu - this.#old.inventory.nodeGpuStart[node]!);
  }

  /** The first rack of `job` (old generation) that is gone from the new site, for reasons. */
  goneRack(job: Job): string {
    const inventory = this.#old.inventory;
    const racks = inventory.levels[inventory.facility!.rackLevel]!;
    for (const node of job.nodes) {
      if (node < 0 || this.node(node) >= 0) continue;
      const id = this.#old.site.racks[racks.groupOfNode[node]!]!.id;
      return this.#rackOf.has(id) ? `${id} changed` : `${id} is not in the site any more`;
    }
    return "its racks changed";
  }
}

/** The new nodes and GPUs of a placed job, or undefined when some member's node is gone or of another model. */
function mapPlacement(map: NodeMap, next: Generation, job: Job): { nodes: number[]; gpus: number[] } | undefined {
  const spec = job.spec;
  const nodes: number[] = [];
  const gpus: number[] = [];
  for (let member = 0; member < spec.members; member++) {
    const node = job.nodes[member]!;
    const mapped = node < 0 ? -1 : map.node(node);
    if (mapped < 0) return undefined;
    if (spec.gpus > 0 && spec.gpuModels.length > 0) {
      const inventory = next.inventory;
      const model = inventory.gpuModels[inventory.pools[inventory.nodePool[mapped]!]!.model];
      if (model === undefined || !spec.gpuModels.includes(model)) return undefined;
    }
    nodes.push(mapped);
    for (let i = 0; i < spec.gpus; i++) gpus.push(map.gpu(job.gpus[member * spec.gpus + i]!, node, mapped));
  }
  return { nodes, gpus };
}

/**
 * Copies what a job carried over keeps of its history (first start, current run's start, preemptions, usage) into
 * `next`'s job: a run keeps its start there, and its expected end from it (not from the site change).
 */
function keepHistory(from: Job, to: Job, next: Generation): void {
  to.firstStartS = from.firstStartS;
  if (Number.isFinite(from.startS) && to.state === "running") next.live.scheduler.backdateStart(to, from.startS);
  else if (Number.isFinite(from.startS) && to.placed) to.startS = from.startS;
  to.preemptions = from.preemptions;
  to.energyKwh = from.energyKwh;
  to.gpuMilliSeconds = from.gpuMilliSeconds;
}

/**
 * Carries every job of `old` (its `records`, in submission order) into `next`: waiting jobs keep their queue
 * position, placed jobs are adopted where they run when their nodes still exist (paused or capped as a grid event left
 * them), or displaced in `old` (its executor holds their runs) and requeued in `next`; so are those whose racks' zone
 * may no longer host their data class.
 */
export function carryJobs(
  old: Generation,
  next: Generation,
  records: readonly JobRecord[],
  version: number,
  cause: string,
): CarryOutcome[] {
  const map = new NodeMap(old, next);
  const ordered = [...records].sort((a, b) => a.job.index - b.job.index);
  const outcomes: CarryOutcome[] = [];
  for (const record of ordered) {
    const job = record.job;
    if (!(job.state === "queued" || job.state === "admitted" || job.state === "running")) {
      outcomes.push({ record, ended: true, displaced: undefined, racks: [] });
      continue;
    }
    const slurmId = old.slurm?.slurmIdOf(job);
    const lastState = old.lastState.get(job.index);
    const rebind = (carried: Job) => {
      record.job = carried;
      record.generation = next;
      if (lastState !== undefined) next.lastState.set(carried.index, lastState);
    };
    if (job.state === "queued") {
      const carried = next.live.carry(job.spec);
      // It keeps why it waits (held, a drain…), unless the new site refuses it outright (its reason says why).
      if (carried.state === "queued") carried.reason = job.reason;
      keepHistory(job, carried, next);
      if (slurmId !== undefined) next.slurm?.track(carried, slurmId);
      rebind(carried);
      outcomes.push({ record, ended: false, displaced: undefined, racks: [] });
      continue;
    }
    const placement = mapPlacement(map, next, job);
    // Where its racks remain but their zone may no longer host its data: it leaves them, whatever runs it.
    const violation = placement === undefined ? undefined : zoneViolation(next, placement.nodes, job.spec.dataClass);
    let adopted: Job | undefined;
    // A run is adopted where it is when its nodes remain: a simulated run that started, or a run a real executor
    // holds (an admission not yet handed to one is simply placed again).
    if (placement !== undefined && violation === undefined && (job.state === "running" || slurmId !== undefined)) {
      adopted = next.live.tryAdopt(job.spec, placement.nodes, placement.gpus, job.state === "running");
      // Refused where it ran (the new site's power or cooling limits): it waits again, as below.
      if (adopted.state === "failed") adopted = undefined;
    }
    if (adopted !== undefined) {
      keepHistory(job, adopted, next);
      // A grid curtailment's pause or cap stays with the run: it is the same run, paused or capped in its executor.
      const held = old.live.held(job);
      if (held !== undefined) next.live.adoptHeld(adopted, held);
      if (slurmId !== undefined) next.slurm?.track(adopted, slurmId);
      // The simulation ends the run when its duration is up, counted from when it started (a paused run's end is
      // off the clock until it resumes).
      else if (held?.paused !== true) next.live.finishAt(adopted, adopted.startS + job.spec.durationS);
      rebind(adopted);
      outcomes.push({ record, ended: false, displaced: undefined, racks: [] });
      continue;
    }
    const racks = placementOf(old, job).racks;
    const why = placement === undefined ? map.goneRack(job) : (violation ?? "its racks no longer take it");
    const reason = `preempted: ${why} (site version ${version}: ${cause})`;
    // The old executor stops the run (a Slurm job is held, to be released where it is placed next).
    old.live.displace(job, reason);
    const carried = next.live.carry(job.spec);
    carried.reason = reason;
    keepHistory(job, carried, next);
    if (slurmId !== undefined) next.slurm?.track(carried, slurmId);
    rebind(carried);
    outcomes.push({ record, ended: false, displaced: reason, racks });
  }
  return outcomes;
}
