/**
 * Response schemas of the jobs API: a job as `jobView` (records.ts) and the store-read view build it, and a job's
 * history events. One source for the serializer, the OpenAPI document and the console's generated types.
 */
import { Type } from "typebox";
import { dataClasses } from "../../scheduler/jobs.ts";
import { Nullable, StringEnum } from "../../server/schemas.ts";

/** The states a job goes through. */
export const jobStates = ["queued", "admitted", "running", "succeeded", "failed", "preempted", "cancelled"] as const;

/** Where a job runs, or last ran. */
export const JobPlacementSchema = Type.Object({
  racks: Type.Array(Type.String()),
  zoneId: Nullable(Type.String()),
  halls: Type.Array(Type.String()),
});

/** What a real executor reported (Slurm); jobs read back from the store after a restart carry only the first three. */
const JobExecutionSchema = Type.Object({
  backend: Type.String({ description: "slurm" }),
  externalId: Type.String({ description: "the executor's job id" }),
  exitCode: Nullable(Type.Integer()),
  state: Type.Optional(Type.String({ description: "PENDING, RUNNING, COMPLETED, FAILED..." })),
  signal: Type.Optional(Nullable(Type.Integer())),
  startedAt: Type.Optional(Nullable(Type.String())),
  endedAt: Type.Optional(Nullable(Type.String())),
  nodes: Type.Optional(Type.Array(Type.String())),
  restarts: Type.Optional(Type.Integer()),
});

/** A job as the API shows it. */
export const JobSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  projectId: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  queue: Type.String(),
  state: StringEnum(jobStates),
  reason: Type.String({ description: "why it waits or ended (quota exhausted, zone required...)" }),
  gpus: Type.Integer({ description: "GPUs over all gang members" }),
  gpuMilli: Type.Integer({ description: "share of each GPU in thousandths" }),
  gpuModel: Nullable(Type.String()),
  gpuModels: Type.Array(Type.String()),
  priorityClass: Nullable(Type.String()),
  members: Type.Integer(),
  dataClass: StringEnum(dataClasses),
  submittedAt: Nullable(Type.String()),
  startedAt: Nullable(Type.String({ description: "first start" })),
  endedAt: Nullable(Type.String()),
  placement: Nullable(JobPlacementSchema),
  synthetic: Type.Boolean({ description: "demo load" }),
  execution: Nullable(JobExecutionSchema),
});

/** One event of a job's history. */
export const JobEventSchema = Type.Object({
  at: Type.String(),
  event: Type.String({ description: "job.submit, job.start, job.preempted, job.succeeded..." }),
  state: Type.String(),
  detail: Type.Unknown({ description: "a start's racks, zoneId, halls, nodes and site version; other events' facts" }),
});
