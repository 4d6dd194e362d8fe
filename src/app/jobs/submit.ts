/**
 * Submitting a job: the rules a submission passes before anything is stored (the project and its tenant's data
 * classes, the tenant's queue and priority classes, GPU models on the site, a Slurm command, sizes no node or site
 * could hold, the tenant's cap on waiting jobs, dependencies, what the scheduler would refuse), then its records made.
 * The route (routes.ts) only hands the request over.
 */
import { randomBytes } from "node:crypto";
import { type Static, Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { flexClasses, jobFlexClass } from "../../model/flexibility.ts";
import type { Inventory } from "../../scheduler/inventory.ts";
import { dataClasses, type JobSpec, jobSpec, specProblems, topologyScopes } from "../../scheduler/jobs.ts";
import type { QueueConfig, QueueSetConfig } from "../../scheduler/queues.ts";
import { StringEnum } from "../../server/schemas.ts";
import { authorize, type RequestContext } from "../../tenancy/service.ts";
import { createJobs } from "./create.ts";
import type { JobsEngine } from "./engine.ts";
import type { JobRecord } from "./records.ts";
import type { JobRoutesSettings } from "./routes.ts";
import { arrayOf, checkDependencies, controlFields, priorityClassesOpenTo } from "./submit-controls.ts";

/** The body of `POST /v1/jobs`. */
export const submitBody = Type.Object(
  {
    projectId: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    gpus: Type.Integer({ minimum: 0, maximum: 100_000 }),
    gpuModel: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    gpuModels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        minItems: 1,
        maxItems: 16,
        uniqueItems: true,
        description: "GPU models the job accepts, any of them (instead of gpuModel)",
      }),
    ),
    priorityClass: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "A priority class no higher than the queue's own (default: the queue's)",
      }),
    ),
    gpuMilli: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    gang: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    topology: Type.Optional(StringEnum([...topologyScopes, "any"] as const)),
    topologyRequired: Type.Optional(Type.Boolean()),
    durationS: Type.Integer({ minimum: 1, maximum: 30 * 86_400 }),
    dataClass: StringEnum(dataClasses),
    queue: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "One of the tenant's queues (GET /v1/queues); default: the tenant's first, a student's course queue",
      }),
    ),
    deferrable: Type.Optional(Type.Boolean()),
    flexibility: Type.Optional(
      StringEnum(flexClasses, {
        description:
          "What a grid curtailment may do to it: no more protected than its queue allows (default: the queue's class; health data: protected)",
      }),
    ),
    deadline: Type.Optional(Type.String({ format: "date-time" })),
    ...controlFields,
    command: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 65_536,
        description:
          "What the job runs on a real cluster: a shell command, or a whole batch script starting with #!. Required when jobs run on Slurm; the simulation runs for durationS.",
      }),
    ),
  },
  { additionalProperties: false },
);

/** A job submission as the API takes it. */
/** A job submission as sent. */
export type SubmitBody = Static<typeof submitBody>;

const largestNodes = new WeakMap<Inventory, number>();

/** GPUs of the largest node of an inventory (computed once per inventory: it walks every node). */
function largestNodeGpus(inventory: Inventory): number {
  let largest = largestNodes.get(inventory);
  if (largest === undefined) {
    largest = 0;
    for (let node = 0; node < inventory.nodeCount; node++) largest = Math.max(largest, inventory.nodeGpuCount[node]!);
    largestNodes.set(inventory, largest);
  }
  return largest;
}

/**
 * Refuses, before any job is built, a demand no node or the whole site could ever hold (a job's per-GPU arrays are
 * sized by gang × GPUs: an absurd request must not allocate them).
 */
function checkSize(engine: JobsEngine, body: SubmitBody): void {
  const inventory = engine.generation.inventory;
  const gang = body.gang ?? 1;
  const largestNode = largestNodeGpus(inventory);
  if (body.gpus > largestNode) {
    throw new AppError(
      "invalid",
      `one gang member asks ${body.gpus} GPUs; the largest node of ${inventory.name} has ${largestNode}`,
      { field: "body.gpus" },
    );
  }
  if (gang > inventory.nodeCount) {
    throw new AppError(
      "invalid",
      `a gang of ${gang} members needs more nodes than ${inventory.name} has (${inventory.nodeCount})`,
      {
        field: "body.gang",
      },
    );
  }
  if (body.gpus * gang > inventory.gpuCount) {
    throw new AppError(
      "invalid",
      `the gang asks ${body.gpus * gang} GPUs (${gang} × ${body.gpus}); ${inventory.name} has ${inventory.gpuCount}`,
      { field: "body.gang" },
    );
  }
}

/** The request field a scheduler refusal is about, from its wording. */
function refusalField(reason: string): string {
  if (/gang|members/.test(reason)) return "body.gang";
  if (/GPU models/.test(reason)) return "body.gpuModel";
  if (/topology|NVLink/.test(reason)) return "body.topology";
  if (/data/.test(reason)) return "body.dataClass";
  return "body.gpus";
}

/** The GPU models a submission accepts (`gpuModel` or `gpuModels`, each on this site); empty: any. */
function acceptedModels(body: { gpuModel?: string; gpuModels?: string[] }, siteModels: readonly string[]): string[] {
  if (body.gpuModel !== undefined && body.gpuModels !== undefined) {
    throw new AppError("invalid", "give gpuModel or gpuModels, not both", { field: "body.gpuModels" });
  }
  const models = body.gpuModels ?? (body.gpuModel === undefined ? [] : [body.gpuModel]);
  const field = body.gpuModels === undefined ? "body.gpuModel" : "body.gpuModels";
  for (const model of models) {
    if (!siteModels.includes(model))
      throw new AppError("invalid", `no GPU model ${model} on this site (${siteModels.join(", ")})`, { field });
  }
  return models;
}

/**
 * The priority class a job asks for, if its tenant may use it: no class above its queue's own default (so a tenant
 * cannot make its work preempt others' by asking), and undefined (the queue's) when none is asked.
 */
function allowedPriorityClass(
  config: QueueSetConfig,
  queue: QueueConfig,
  asked: string | undefined,
): string | undefined {
  if (asked === undefined) return undefined;
  const allowed = priorityClassesOpenTo(config, queue);
  if (!allowed.includes(asked)) {
    throw new AppError(
      "invalid",
      `priority class ${asked} is not open to queue ${queue.name} (allowed: ${allowed.join(", ")})`,
      {
        field: "body.priorityClass",
      },
    );
  }
  return asked;
}

/** The queue a submission goes to: the one named (the tenant's own), else the tenant's first (a course for students). */
function queueOf(config: QueueSetConfig, tenantId: string, role: string, named: string | undefined): QueueConfig {
  const tenantQueues = config.queues.filter((queue) => queue.tenant === tenantId);
  if (named !== undefined) {
    const queue = tenantQueues.find((candidate) => candidate.name === named);
    if (queue === undefined) {
      throw new AppError(
        "invalid",
        `tenant ${tenantId} has no queue ${named} (its queues: ${tenantQueues.map((q) => q.name).join(", ") || "none"})`,
        { field: "body.queue" },
      );
    }
    return queue;
  }
  const queue =
    tenantQueues.find((candidate) => (role === "student") === candidate.name.endsWith("course")) ?? tenantQueues[0];
  if (queue === undefined) {
    throw new AppError(
      "conflict",
      `tenant ${tenantId} has no queue on this site: a platform admin gives it one (PUT /v1/queues/{name}) or sets a new-tenant rule`,
      { field: "body.projectId" },
    );
  }
  return queue;
}

/**
 * Checks a submission against every rule and makes its job (or its array's tasks): answers the id, the array (if
 * one) and the records made. Refusals are AppErrors naming the field at fault.
 */
export async function submitJob(
  settings: JobRoutesSettings,
  context: RequestContext,
  body: SubmitBody,
): Promise<{ id: string; array: ReturnType<typeof arrayOf>; records: JobRecord[] }> {
  const { engine } = settings;
  const db = settings.store.db;
  const principal = context.principal;
  const project = await db.selectFrom("projects").selectAll().where("id", "=", body.projectId).executeTakeFirst();
  if (project === undefined)
    throw new AppError("notFound", `no project ${body.projectId}`, { field: "body.projectId" });
  authorize(principal, "jobs:submit", { tenantId: project.tenant_id, userId: principal.userId });
  const tenant = await db
    .selectFrom("tenants")
    .selectAll()
    .where("id", "=", project.tenant_id)
    .executeTakeFirstOrThrow();
  if (!tenant.data_classes.includes(body.dataClass)) {
    throw new AppError(
      "invalid",
      `tenant ${tenant.id} may not submit ${body.dataClass} data (allowed: ${tenant.data_classes.join(", ")})`,
      { field: "body.dataClass" },
    );
  }
  const queue = queueOf(settings.queues(), tenant.id, principal.role, body.queue);
  const generation = engine.generation;
  const inventory = generation.inventory;
  const gpuModels = acceptedModels(body, inventory.gpuModels);
  const priorityClass = allowedPriorityClass(settings.queues(), queue, body.priorityClass);
  const flexibility = jobFlexClass({
    declared: body.flexibility,
    queueClass: queue.flexibility,
    dataClass: body.dataClass,
  });
  if ("refused" in flexibility) throw new AppError("invalid", flexibility.refused, { field: "body.flexibility" });
  if (engine.slurmMode && (body.command === undefined || body.command.trim() === "")) {
    throw new AppError("invalid", "jobs on this site run on Slurm: say what to run in command", {
      field: "body.command",
    });
  }
  checkSize(engine, body);
  const array = arrayOf(body.array);
  // Every task of an array is a job that waits: the tenant's cap counts each (Slurm's MaxSubmitJobs does too).
  const adding = array?.indexes.length ?? 1;
  let waiting = 0;
  for (const record of engine.records.values())
    if (record.tenantId === tenant.id && !record.synthetic && record.job.state === "queued") waiting++;
  if (waiting + adding > settings.maxQueuedPerTenant) {
    throw new AppError(
      "tooMany",
      `tenant ${tenant.id} already has ${waiting} jobs waiting and this submission adds ${adding} (at most ${settings.maxQueuedPerTenant} waiting); submit more once some start`,
    );
  }
  const scheduler = generation.live;
  const nowS = scheduler.nowS();
  // On the scheduler's own clock, as the view reads it back: the instant asked for, to the millisecond.
  const deadlineS = body.deadline === undefined ? undefined : scheduler.timeOf(Date.parse(body.deadline));
  const id = `job_${randomBytes(6).toString("hex")}`;
  const spec: JobSpec = jobSpec({
    id,
    queue: queue.name,
    submitS: nowS,
    durationS: body.durationS,
    members: body.gang ?? 1,
    gpus: body.gpus,
    gpuMilli: body.gpuMilli ?? (body.gpus > 0 ? 1000 : 0),
    gpuModels,
    priorityClass,
    topology:
      body.topology === undefined || body.topology === "any"
        ? undefined
        : { scope: body.topology, required: body.topologyRequired ?? false },
    dataClass: body.dataClass,
    deferrable: body.deferrable ?? false,
    deadlineS,
    flexibility: flexibility.class,
  });
  const problems = specProblems(spec);
  if (problems.length > 0) {
    const field = problems[0]!.split(": ")[0] ?? "";
    throw new AppError("invalid", problems.join("; "), { field: `body.${field}` });
  }
  // A job the scheduler would refuse is answered now and kept nowhere.
  const refusal = scheduler.scheduler.refusal(spec);
  if (refusal !== undefined) throw new AppError("invalid", refusal, { field: refusalField(refusal) });
  const dependsOn = await checkDependencies(engine, settings.store, tenant.id, body.dependsOn);
  const { array: _array, dependsOn: _dependsOn, ...asSent } = body;
  const records = await createJobs(engine, settings.store, {
    id,
    tenantId: tenant.id,
    projectId: project.id,
    projectName: project.name,
    userId: principal.userId,
    name: body.name,
    spec,
    command: body.command,
    array,
    dependsOn,
    hold:
      body.hold === true
        ? { by: principal.userId, staff: principal.tenantId === null, at: new Date().toISOString() }
        : undefined,
    body: { ...asSent, ...(body.array === undefined ? {} : { array: body.array }), dependsOn },
    requestId: context.requestId,
  });
  return { id, array, records };
}
