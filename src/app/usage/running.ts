/**
 * What the usage meter reads of the jobs engine: every running job with the row it bills to (tenant, project,
 * user, queue, zone, GPU model) and its estimated IT power (its GPUs and cores at its first rack's power per GPU
 * and per core).
 */
import type { JobsEngine } from "../jobs/engine.ts";
import type { RunningUsage } from "./meter.ts";

/** The running jobs of the engine's generation in force, as the meter bills them. */
export function* runningUsage(engine: JobsEngine): Generator<RunningUsage> {
  for (const record of engine.records.values()) {
    const job = record.job;
    if (job.state !== "running") continue;
    const inventory = record.generation.inventory;
    const facility = inventory.facility!;
    const rackLevel = inventory.levels[facility.rackLevel]!;
    const firstNode = job.nodes.find((node) => node >= 0);
    const rackIndex = firstNode === undefined ? undefined : rackLevel.groupOfNode[firstNode]!;
    const gpus = (job.spec.gpus * job.spec.members * job.spec.gpuMilli) / 1000;
    const cpuMilli = job.spec.cpuMilli * job.spec.members;
    const itPowerKW =
      rackIndex === undefined
        ? 0
        : gpus * facility.rackKwPerGpu[rackIndex]! + cpuMilli * facility.rackKwPerCpuMilli[rackIndex]!;
    const poolModel =
      firstNode === undefined ? undefined : inventory.gpuModels[inventory.pools[inventory.nodePool[firstNode]!]!.model];
    yield {
      tenantId: record.tenantId,
      projectId: record.projectId,
      userId: record.userId,
      queue: job.spec.queue,
      zoneId: (rackIndex === undefined ? undefined : record.generation.site.racks[rackIndex]?.zoneId) ?? "",
      gpuModel: gpus > 0 ? (poolModel ?? job.spec.gpuModels[0] ?? "none") : "none",
      gpus,
      cpuCores: cpuMilli / 1000,
      itPowerKW,
    };
  }
}
