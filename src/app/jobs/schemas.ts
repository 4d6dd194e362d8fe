/**
 * Response schemas of the jobs API: a job as `jobView` (records.ts) and the store-read view build it, and a job's
 * history events. One source for the serializer, the OpenAPI document and the console's generated types.
 */
import { Type } from "typebox";
import { flexClasses } from "../../model/flexibility.ts";
import { dataClasses } from "../../scheduler/jobs.ts";
import { Nullable, StringEnum } from "../../server/schemas.ts";
import { dependencyKinds } from "./dependencies.ts";

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

/** A dependency of a job on another job or array (Slurm's afterok, afterany, afternotok). */
export const DependencySchema = Type.Object({ kind: StringEnum(dependencyKinds), jobId: Type.String() });

/** Who holds a job, and whether platform staff did. */
const HoldSchema = Type.Object({ by: Type.String(), staff: Type.Boolean(), at: Type.String() });

/** A job as the API shows it. */
export const JobSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  projectId: Type.String(),
  projectName: Nullable(Type.String({ description: "the project's name (null when the project is unknown)" })),
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
  flexibility: Nullable(
    StringEnum(flexClasses, {
      description:
        "what a grid curtailment may do to it (protected, flexible: power-capped, deferrable: suspended, preemptible: requeued); null: its rack's class",
    }),
  ),
  arrayJobId: Nullable(Type.String({ description: "the array it is a task of" })),
  arrayTaskId: Nullable(Type.Integer()),
  arrayTasks: Type.Optional(
    Type.Object(
      {
        count: Type.Integer({ description: "tasks of the array that match the list's filters" }),
        states: Type.Record(Type.String(), Type.Integer(), { description: "those tasks by state" }),
      },
      { description: "in a list with arrays=collapse: the array's tasks this one row stands for" },
    ),
  ),
  dependsOn: Type.Array(DependencySchema),
  held: Nullable(HoldSchema),
  submittedAt: Nullable(Type.String()),
  deadline: Type.Optional(
    Type.String({
      format: "date-time",
      description:
        "the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none",
    }),
  ),
  startedAt: Nullable(Type.String({ description: "first start" })),
  endedAt: Nullable(Type.String()),
  placement: Nullable(JobPlacementSchema),
  curtailment: Nullable(
    Type.Object(
      {
        kind: StringEnum(["suspended", "capped"] as const),
        powerShare: Type.Number({
          minimum: 0,
          maximum: 1,
          description: "share of its GPUs' dynamic power it may draw (0 while suspended)",
        }),
        gridEventId: Nullable(Type.String({ description: "the grid event that holds it" })),
        until: Nullable(Type.String({ description: "when that event ends (it is resumed or uncapped then)" })),
      },
      { description: "a running job a grid curtailment suspended or power-capped; null otherwise" },
    ),
  ),
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

/** The answer to an array submission (`arrayView`): the array id, its expression and its first tasks. */
export const JobArraySubmissionSchema = Type.Object({
  arrayJobId: Type.String(),
  array: Type.String({ description: "the array expression as normalised, e.g. 0-99%10" }),
  taskCount: Type.Integer(),
  maxRunning: Nullable(Type.Integer()),
  tasks: Type.Array(JobSchema, { description: "the first 100 tasks; GET /v1/job-arrays/{id} lists them all" }),
});
