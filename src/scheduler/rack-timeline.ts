/**
 * The per-rack record of a replay on a site: at every start and stop of a run, how much of each rack it uses (the
 * share of the rack's GPUs, or of its CPUs for racks without GPUs). `utilisation.ts` turns it into the twin's input.
 */
import type { Inventory } from "./inventory.ts";
import type { Job } from "./jobs.ts";

/**
 * Utilisation changes in time order: rack `racks[i]` changes by `deltas[i]` at `times[i]`, as one member of job
 * `jobs[i]` (its index in the replay's jobs) starts or stops there (the twin's curtailment plan reads whose work it is).
 */
export interface RackChanges {
  readonly rackCount: number;
  readonly times: Float64Array;
  readonly racks: Int32Array;
  readonly deltas: Float64Array;
  readonly jobs: Int32Array;
}

/** Records per-rack utilisation changes during a replay. */
export class RackTimeline {
  private readonly rackOfNode: Int32Array;
  /** Per rack: installed GPU milli, or CPU milli for racks without GPUs. */
  private readonly rackCapacity: Float64Array;
  private readonly rackHasGpus: Uint8Array;
  private times = new Float64Array(4096);
  private racks = new Int32Array(4096);
  private deltas = new Float64Array(4096);
  private jobs = new Int32Array(4096);
  private count = 0;
  /** Racks of the site, in `site.racks` order. */
  readonly rackCount: number;

  constructor(inventory: Inventory) {
    const facility = inventory.facility;
    if (facility === undefined) throw new Error("a rack timeline needs an inventory built from a site");
    const rackLevel = inventory.levels[facility.rackLevel]!;
    this.rackOfNode = rackLevel.groupOfNode;
    this.rackCount = rackLevel.count;
    const gpuMilli = new Float64Array(this.rackCount);
    const cpuMilli = new Float64Array(this.rackCount);
    for (let node = 0; node < inventory.nodeCount; node++) {
      const rack = this.rackOfNode[node]!;
      gpuMilli[rack]! += inventory.nodeGpuCount[node]! * 1000;
      cpuMilli[rack]! += inventory.nodeCpuMilli[node]!;
    }
    this.rackHasGpus = Uint8Array.from(gpuMilli, (milli) => (milli > 0 ? 1 : 0));
    this.rackCapacity = Float64Array.from(gpuMilli, (milli, rack) => (milli > 0 ? milli : cpuMilli[rack]!));
  }

  /** Records that `job` started (sign 1) or stopped (sign -1) at `timeS`. Times must not decrease. */
  record(job: Job, timeS: number, sign: 1 | -1): void {
    const spec = job.spec;
    for (let member = 0; member < spec.members; member++) {
      const rack = this.rackOfNode[job.nodes[member]!]!;
      const used = this.rackHasGpus[rack] === 1 ? spec.gpus * spec.gpuMilli : spec.cpuMilli;
      if (used === 0) continue;
      this.push(timeS, rack, (sign * used) / this.rackCapacity[rack]!, job.index);
    }
  }

  private push(timeS: number, rack: number, delta: number, job: number): void {
    if (this.count === this.times.length) {
      const size = this.times.length * 2;
      const times = new Float64Array(size);
      times.set(this.times);
      const racks = new Int32Array(size);
      racks.set(this.racks);
      const deltas = new Float64Array(size);
      deltas.set(this.deltas);
      this.times = times;
      this.racks = racks;
      this.deltas = deltas;
      const jobs = new Int32Array(size);
      jobs.set(this.jobs);
      this.jobs = jobs;
    }
    this.times[this.count] = timeS;
    this.racks[this.count] = rack;
    this.deltas[this.count] = delta;
    this.jobs[this.count] = job;
    this.count++;
  }

  /** The recorded changes, in time order. */
  changes(): RackChanges {
    return {
      rackCount: this.rackCount,
      times: this.times.slice(0, this.count),
      racks: this.racks.slice(0, this.count),
      deltas: this.deltas.slice(0, this.count),
      jobs: this.jobs.slice(0, this.count),
    };
  }
}
