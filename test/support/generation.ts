/**
 * A scheduler generation of a site for unit tests: one queue, every job simulated (no Slurm), the platform's clock.
 * Dispose of it (`generation.live.dispose()`) after the suite.
 */
import type { Generation } from "../../src/app/jobs/generation.ts";
import { buildGeneration } from "../../src/app/jobs/generation.ts";
import { simulatedExecution } from "../../src/execution/config.ts";
import type { Site } from "../../src/model/site.ts";
import { singleQueueConfig } from "../../src/scheduler/queues.ts";

/** Builds generation 1 of `site` on simulated execution with a single queue. */
export function simulatedGeneration(site: Site): Generation {
  return buildGeneration(site, 1, {
    queues: singleQueueConfig(),
    execution: simulatedExecution,
    speed: undefined,
    epochMs: undefined,
    nowMs: Date.now(),
    onChange: () => {},
    slurmHooks: () => {
      throw new Error(`${site.id} runs simulated here`);
    },
  });
}
