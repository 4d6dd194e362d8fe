/**
 * Worker-thread entry: runs one partition (a group of whole plants) of a twin run, or the benchmark's floor pass on
 * it, and posts progress and the result back. Started by `run.ts` through a bootstrap that registers tsx.
 */
import { parentPort } from "node:worker_threads";
import { floorPass } from "./floor.ts";
import { runPartition } from "./kernel.ts";
import { SyntheticLoad } from "./profiles.ts";
import type { WorkerJob, WorkerReply } from "./run.ts";

const port = parentPort;
if (port === null) throw new Error("worker.ts must run in a worker thread");

port.once("message", (job: WorkerJob) => {
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    if (job.mode === "floor") {
      const started = performance.now();
      const checksum = floorPass(job.partition, job.settings.steps);
      reply({ kind: "floor", seconds: (performance.now() - started) / 1000, checksum });
      return;
    }
    const load = new SyntheticLoad(job.partition.racks, job.seed);
    const result = runPartition(job.partition, job.weather, load, job.events, job.ramps, job.settings, (steps) =>
      reply({ kind: "progress", steps }),
    );
    const buffers = [
      result.hallSeries,
      result.plantSeries,
      result.plantDemand,
      result.rackSeries,
      result.inletRackSeconds,
    ].map((array) => array.buffer as ArrayBuffer);
    reply({ kind: "result", result }, buffers);
  } catch (error) {
    reply({ kind: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
