/**
 * Scheduler series for `/metrics`, read (never changed) from the live scheduler of the generation in force: jobs by
 * queue and state, GPU allocation, placements and preemptions, and admission rejections by a bounded reason. A site
 * change starts a new generation, so the counters restart from zero then, which Prometheus treats as a reset.
 */
import type { Scheduler } from "../../scheduler/scheduler.ts";
import type { MetricFamily } from "../../telemetry/export/exposition.ts";

/** The states a job waits or runs in, each a series per queue (finished jobs are counted elsewhere). */
const activeStates = ["queued", "admitted", "running"] as const;

/** The reasons a submitted job is refused at admission; every refusal maps to one, so the label stays bounded. */
export const rejectionReasons = [
  "invalid_spec",
  "unknown_queue",
  "unknown_priority_class",
  "gpu_model",
  "data_class",
  "no_fitting_node",
  "capacity",
  "topology",
  "admission_check",
] as const;
/** One rejection reason. */
export type RejectionReason = (typeof rejectionReasons)[number];

/** The bounded reason of a scheduler refusal text (`rejected: …` in a failed job's reason). */
export function rejectionReasonOf(text: string): RejectionReason {
  if (/^no queue named /.test(text)) return "unknown_queue";
  if (/^no priority class named /.test(text)) return "unknown_priority_class";
  if (/^asks for GPUs but |^GPU models .* not in /.test(text)) return "gpu_model";
  if (/ may hold \S+ data$/.test(text)) return "data_class";
  if (/^one member .* fits on no node/.test(text)) return "no_fitting_node";
  if (/^the gang asks .* in one NVLink domain/.test(text) || /^topology scope /.test(text)) return "topology";
  if (/^the gang asks /.test(text)) return "capacity";
  // Spec problems are `field: message` lists (scheduler/jobs.ts specProblems).
  if (/^[a-zA-Z]+: /.test(text)) return "invalid_spec";
  return "admission_check";
}

/** The scheduler's families, read now from `scheduler`. */
export function schedulerFamilies(scheduler: Scheduler): MetricFamily[] {
  const queueNames = scheduler.quota.config.queues.map((queue) => queue.name);
  const jobs = new Map<string, number>();
  for (const name of queueNames) for (const state of activeStates) jobs.set(`${name}\u0000${state}`, 0);
  const rejections = new Map<RejectionReason, number>(rejectionReasons.map((reason) => [reason, 0]));
  for (const job of scheduler.jobs) {
    if (job.state === "failed" && job.reason.startsWith("rejected: ")) {
      const reason = rejectionReasonOf(job.reason.slice("rejected: ".length));
      rejections.set(reason, (rejections.get(reason) ?? 0) + 1);
      continue;
    }
    if (job.state !== "queued" && job.state !== "admitted" && job.state !== "running") continue;
    const queue = job.queue >= 0 ? scheduler.quota.queueConfig(job.queue).name : job.spec.queue;
    const key = `${queue}\u0000${job.state}`;
    // Only configured queues are labels: a job always belongs to one once accepted.
    if (jobs.has(key)) jobs.set(key, jobs.get(key)! + 1);
  }
  const byState = (state: (typeof activeStates)[number]) =>
    queueNames.map((queue) => ({ labels: { queue }, value: jobs.get(`${queue}\u0000${state}`) ?? 0 }));
  const totalGpus = scheduler.inventory.gpuCount;
  const allocatedGpus = scheduler.state.allocatedGpuMilli / 1000;
  return [
    {
      name: "alixan_scheduler_pending_jobs",
      help: "Jobs waiting in their queue (not yet admitted), by queue.",
      type: "gauge",
      samples: byState("queued"),
    },
    {
      name: "alixan_scheduler_admitted_jobs",
      help: "Jobs admitted (quota reserved) but not yet running, by queue.",
      type: "gauge",
      samples: byState("admitted"),
    },
    {
      name: "alixan_scheduler_running_jobs",
      help: "Jobs running, by queue.",
      type: "gauge",
      samples: byState("running"),
    },
    {
      name: "alixan_scheduler_gpus",
      help: "GPUs the scheduler places on (site inventory in force).",
      type: "gauge",
      samples: [{ value: totalGpus }],
    },
    {
      name: "alixan_scheduler_gpus_allocated",
      help: "GPUs allocated to running jobs (fractional GPUs count by their share).",
      type: "gauge",
      samples: [{ value: allocatedGpus }],
    },
    {
      name: "alixan_scheduler_gpu_allocation_ratio",
      help: "Share of the site's GPUs allocated to running jobs, 0 to 1.",
      type: "gauge",
      samples: [{ value: totalGpus > 0 ? allocatedGpus / totalGpus : 0 }],
    },
    {
      name: "alixan_scheduler_placements_total",
      help: "Job placements made by the scheduler since the site version in force.",
      type: "counter",
      samples: [{ value: scheduler.counters.placements }],
    },
    {
      name: "alixan_scheduler_preemptions_total",
      help: "Jobs preempted by the scheduler since the site version in force.",
      type: "counter",
      samples: [{ value: scheduler.counters.preemptions }],
    },
    {
      name: "alixan_scheduler_admission_rejections_total",
      help: "Jobs refused at admission since the site version in force, by reason.",
      type: "counter",
      samples: rejectionReasons.map((reason) => ({ labels: { reason }, value: rejections.get(reason) ?? 0 })),
    },
  ];
}
