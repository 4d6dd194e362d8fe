/**
 * Jobs and queues in the platform: tenants submit GPU jobs through the API; the scheduler (live, on the wall clock)
 * admits and places them with every admission check on — certified zones, power caps, and cooling headroom read from
 * the live twin — while a seeded background workload of the demo tenants keeps the site busy. API jobs are stored
 * and audited (submission, start with zone and racks, end), so a tenant's compliance officer can see where data was
 * processed. The placement drives the twin's rack utilisation.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Updateable } from "kysely";
import { Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { type ExecutionConfig, simulatedExecution, usesSlurm } from "../../execution/config.ts";
import { RoutingExecutor } from "../../execution/routing.ts";
import { freeGpusOn, SlurmExecutor, type StoredRun } from "../../execution/slurm.ts";
import { SlurmCli, type SlurmJob } from "../../execution/slurm-cli.ts";
import { partitionName, slurmNodeName } from "../../execution/slurm-config.ts";
import type { Site } from "../../model/site.ts";
import { demoQueues, demoWorkload } from "../../scheduler/demo.ts";
import { DesignFacilityView, type FacilityLimits, type FacilityView } from "../../scheduler/facility.ts";
import { inventoryFromSite } from "../../scheduler/inventory.ts";
import { dataClasses, type Job, type JobSpec, jobSpec, specProblems, topologyScopes } from "../../scheduler/jobs.ts";
import { LiveScheduler, SimulatedExecutor } from "../../scheduler/live.ts";
import type { QueueSetConfig } from "../../scheduler/queues.ts";
import { standardChecks } from "../../scheduler/setup.ts";
import { contextOf } from "../../server/auth.ts";
import { StringEnum } from "../../server/schemas.ts";
import { appendAudit } from "../../store/audit.ts";
import type { JobsTable } from "../../store/schema.ts";
import { authorize, type Principal, withinScope } from "../../tenancy/service.ts";
import type { LiveSnapshot } from "../../twin/live.ts";
import type { CoreServices, Feature } from "../compose.ts";
import type { LiveCoupling } from "./live.ts";

/** The demo scheduler's tenant names mapped to the seeded demo tenants. */
const demoTenantIds: Readonly<Record<string, string>> = {
  pharma: "rhone-pharma",
  "genai-startups": "atelier-genai",
  diagnostics: "valdiag",
  "hospital-consortium": "hopitaux-drome",
  "training-campus": "campus-valence",
};

/** Limits from the design, with each row's cooling capped by what the twin says its CDUs can remove now. */
class LiveFacilityView implements FacilityView {
  readonly #design: DesignFacilityView;
  #liveCoolingKw: Float64Array | undefined;

  constructor(site: Site) {
    this.#design = new DesignFacilityView(site);
  }

  update(snapshot: LiveSnapshot): void {
    this.#liveCoolingKw ??= new Float64Array(snapshot.tcs.length);
    for (let row = 0; row < snapshot.tcs.length; row++) this.#liveCoolingKw[row] = snapshot.tcs[row]!.capacityKW;
  }

  fill(timeS: number, limits: FacilityLimits): void {
    this.#design.fill(timeS, limits);
    const live = this.#liveCoolingKw;
    if (live === undefined) return;
    for (let row = 0; row < live.length; row++)
      limits.rowCoolingKw[row] = Math.min(limits.rowCoolingKw[row]!, live[row]!);
  }

  nextChangeS(timeS: number): number {
    // The twin's view moves continuously: read it again every 10 scheduler seconds.
    return timeS + 10;
  }
}

interface JobRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string;
  readonly synthetic: boolean;
  readonly job: Job;
  /** The batch script body for a real executor. */
  readonly command?: string | undefined;
  /** What a real executor reported of the run (Slurm job id, exit code, real start and end). */
  run?: SlurmJob;
}

/** Options of the jobs feature. */
export interface JobsOptions {
  /** Simulated seconds per wall-clock second; keep equal to the live twin's (default 1). */
  readonly speed?: number;
  /** Background demo workload as a share of the site's GPUs (default 0.5, or 0 when any hall runs on Slurm). */
  readonly demoLoad?: number;
  /** Where admitted jobs run (default: all simulated). */
  readonly execution?: ExecutionConfig;
}

/** A job's use of the site for usage reports: scheduler seconds since start, estimated IT power of its share. */
export interface JobUsageRecord {
  readonly jobId: string;
  readonly tenantId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly gpuModel: string;
  readonly gpus: number;
  readonly itPowerKW: number;
  readonly submitS: number;
  readonly startS: number | undefined;
  readonly endS: number | undefined;
  readonly preemptions: number;
}

/** What a job asks for, as the API shows it (live jobs and jobs read from the store alike). */
function demandOf(spec: JobSpec) {
  return {
    gpus: spec.gpus * spec.members,
    gpuMilli: spec.gpuMilli,
    gpuModel: spec.gpuModels[0] ?? null,
    members: spec.members,
    dataClass: spec.dataClass,
  };
}

/** The jobs feature and its coupling to the live twin. */
export function jobsFeature(
  options: JobsOptions = {},
): Feature & { coupling: LiveCoupling; usage(): JobUsageRecord[] } {
  let live: LiveScheduler | undefined;
  let facility: LiveFacilityView | undefined;
  const records = new Map<string, JobRecord>();
  const byJobIndex: JobRecord[] = [];
  /** Where a placed job runs: its racks' ids and the zone of the first (placement keeps a job in one zone). */
  const placementOf = (job: Job): { racks: string[]; zoneId: string | null } => {
    const scheduler = live!;
    const facility = scheduler.inventory.facility!;
    const rackLevel = scheduler.inventory.levels[facility.rackLevel]!;
    const indexes = new Set<number>();
    for (const node of job.nodes) if (node >= 0) indexes.add(rackLevel.groupOfNode[node]!);
    const racks = [...indexes].map((index) => facility.site.racks[index]!);
    return { racks: racks.map((rack) => rack.id), zoneId: racks[0]?.zoneId ?? null };
  };

  // Running jobs by rack, kept up to date as jobs change rather than rebuilt from every job: rack reads are hot
  // (thousands per second), and the rebuild held the event loop for several ms each second. A rack's list is in job
  // order; every change of a job's state (preemption included) relists it.
  const rackJobs = new Map<number, JobRecord[]>();
  const listedRacks = new Map<number, readonly number[]>();
  const relist = (record: JobRecord): void => {
    const job = record.job;
    for (const rack of listedRacks.get(job.index) ?? []) {
      const list = rackJobs.get(rack)!;
      list.splice(list.indexOf(record), 1);
      if (list.length === 0) rackJobs.delete(rack);
    }
    listedRacks.delete(job.index);
    if (job.state !== "running" || live === undefined) return;
    const rackLevel = live.inventory.levels[live.inventory.facility!.rackLevel]!;
    const racks = new Set<number>();
    for (const node of job.nodes) if (node >= 0) racks.add(rackLevel.groupOfNode[node]!);
    for (const rack of racks) {
      const list = rackJobs.get(rack);
      if (list === undefined) {
        rackJobs.set(rack, [record]);
        continue;
      }
      let at = list.length;
      while (at > 0 && list[at - 1]!.job.index > job.index) at--;
      list.splice(at, 0, record);
    }
    listedRacks.set(job.index, [...racks]);
  };
  /** Makes a job known to the routes and the rack lists (its admission may have come before its record). */
  const register = (record: JobRecord): void => {
    records.set(record.id, record);
    byJobIndex[record.job.index] = record;
    relist(record);
  };

  const view = (record: JobRecord) => {
    const job = record.job;
    const scheduler = live!;
    const placed = job.state === "running" || job.state === "admitted";
    const iso = (timeS: number) => (Number.isFinite(timeS) ? new Date(scheduler.epochMsOf(timeS)).toISOString() : null);
    return {
      id: record.id,
      tenantId: record.tenantId,
      projectId: record.projectId,
      userId: record.userId,
      name: record.name,
      queue: job.spec.queue,
      state: job.state,
      reason: job.reason,
      ...demandOf(job.spec),
      submittedAt: iso(job.spec.submitS),
      startedAt: record.run?.startMs !== undefined ? new Date(record.run.startMs).toISOString() : iso(job.startS),
      endedAt:
        job.state === "running" || job.state === "queued" || job.state === "admitted"
          ? null
          : record.run?.endMs !== undefined
            ? new Date(record.run.endMs).toISOString()
            : iso(job.endS),
      placement: placed ? placementOf(job) : null,
      synthetic: record.synthetic,
      execution:
        record.run === undefined
          ? null
          : {
              backend: "slurm" as const,
              externalId: String(record.run.id),
              state: record.run.state,
              exitCode: record.run.exitCode,
              signal: record.run.signal,
              startedAt: record.run.startMs === undefined ? null : new Date(record.run.startMs).toISOString(),
              endedAt: record.run.endMs === undefined ? null : new Date(record.run.endMs).toISOString(),
              nodes: record.run.nodes,
              restarts: record.run.restarts,
            },
    };
  };

  const visible = (principal: Principal, record: JobRecord) => {
    const scope = authorize(principal, "jobs:read");
    return withinScope(principal, scope, { tenantId: record.tenantId, userId: record.userId });
  };

  return {
    name: "jobs",
    usage() {
      const scheduler = live;
      if (scheduler === undefined) return [];
      const facility = scheduler.inventory.facility!;
      const rackLevel = scheduler.inventory.levels[facility.rackLevel]!;
      const result: JobUsageRecord[] = [];
      for (const record of records.values()) {
        const job = record.job;
        const gpus = (job.spec.gpus * job.spec.members * job.spec.gpuMilli) / 1000;
        const firstNode = job.nodes.find((node) => node >= 0);
        const kwPerGpu = firstNode === undefined ? 0 : facility.rackKwPerGpu[rackLevel.groupOfNode[firstNode]!]!;
        result.push({
          jobId: record.id,
          tenantId: record.tenantId,
          projectId: record.projectId,
          userId: record.userId,
          gpuModel:
            job.spec.gpuModels[0] ??
            (firstNode === undefined
              ? "none"
              : (scheduler.inventory.gpuModels[
                  scheduler.inventory.pools[scheduler.inventory.nodePool[firstNode]!]!.model
                ] ?? "none")),
          gpus,
          itPowerKW: gpus * kwPerGpu,
          submitS: job.spec.submitS,
          startS: Number.isFinite(job.firstStartS) ? job.firstStartS : undefined,
          endS:
            job.state === "running" || job.state === "queued" || job.state === "admitted"
              ? undefined
              : Number.isFinite(job.endS)
                ? job.endS
                : undefined,
          preemptions: job.preemptions,
        });
      }
      return result;
    },
    coupling: {
      utilisation: (site) => live?.utilisationSource(site),
      jobsOnRack: (rackIndex, request) => {
        if (live === undefined || request.principal === null) return [];
        const principal = request.principal;
        const found: { id: string; name: string; tenantId: string; gpus: number }[] = [];
        for (const record of rackJobs.get(rackIndex) ?? []) {
          if (!visible(principal, record)) continue;
          found.push({
            id: record.id,
            name: record.name,
            tenantId: record.tenantId,
            gpus: record.job.spec.gpus * record.job.spec.members,
          });
          if (found.length >= 50) break;
        }
        return found;
      },
      onSnapshot: (snapshot) => facility?.update(snapshot),
    },
    async start(core: CoreServices) {
      const site = core.inventory.current.site;
      const inventory = inventoryFromSite(site);
      facility = new LiveFacilityView(site);
      const checks = standardChecks(inventory, { facility });
      if (typeof checks === "string") throw new Error(checks);
      const demo = demoQueues(inventory);
      const queues: QueueSetConfig = {
        ...demo,
        queues: demo.queues.map((queue) => ({ ...queue, tenant: demoTenantIds[queue.tenant] ?? queue.tenant })),
      };
      const db = core.store.db;
      let writes = Promise.resolve();
      /** Updates a stored job and appends the audit record of the change, after the writes before it. */
      const persist = (id: string, fields: Updateable<JobsTable>, action: string, after: unknown) => {
        writes = writes
          .then(() =>
            db.transaction().execute(async (trx) => {
              await trx
                .updateTable("jobs")
                .set({ ...fields, updated_at: new Date().toISOString() })
                .where("id", "=", id)
                .execute();
              await appendAudit(trx, {
                actor: "system:scheduler",
                action,
                resource: `job:${id}`,
                before: null,
                after,
                requestId: id,
              });
            }),
          )
          .catch((error: Error) => {
            process.stderr.write(`jobs: cannot record ${action} of ${id}: ${error.message}\n`);
          });
        return writes;
      };
      const audit = (record: JobRecord, action: string, after: unknown) => {
        const run = record.run;
        const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
        return persist(
          record.id,
          {
            state: record.job.state,
            reason: record.job.reason,
            ...(action === "job.start" ? { placement: JSON.stringify(after) } : {}),
            ...(run === undefined
              ? {}
              : {
                  executor: "slurm",
                  external_id: String(run.id),
                  exit_code: run.exitCode,
                  started_at: iso(run.startMs),
                  ended_at: iso(run.endMs),
                }),
          },
          action,
          after,
        );
      };
      const lastState = new Map<number, string>();
      /** Audits an API job's start (with zone and racks) and end, once per state. */
      const recordTransition = (record: JobRecord) => {
        const job = record.job;
        if (record.synthetic || lastState.get(job.index) === job.state) return;
        lastState.set(job.index, job.state);
        if (job.state === "running") {
          audit(record, "job.start", {
            state: job.state,
            ...placementOf(job),
            nodes: Array.from(job.nodes, (node) => slurmNodeName(inventory, node)),
            dataClass: job.spec.dataClass,
            ...(record.run === undefined ? {} : { slurmJobId: record.run.id }),
          });
        } else if (job.state !== "queued" && job.state !== "admitted") {
          audit(record, `job.${job.state}`, {
            state: job.state,
            reason: job.reason,
            ...(record.run === undefined ? {} : { slurmJobId: record.run.id, exitCode: record.run.exitCode }),
          });
        }
      };
      const execution = options.execution ?? simulatedExecution;
      const slurmMode = usesSlurm(execution);
      if (slurmMode && (options.speed ?? 1) !== 1) {
        throw new Error("execution: jobs run on Slurm in real time; the live speed must be 1");
      }
      const nodeHall = inventory.levels[inventory.facility!.hallLevel]!.groupOfNode;
      const hallPartition = site.halls.map((hall) =>
        (execution.halls[hall.id.slice(5)] ?? execution.backend) === "slurm" ? partitionName(hall.id) : undefined,
      );
      const partitionOf = (node: number) => hallPartition[nodeHall[node]!];
      let slurm: SlurmExecutor | undefined;
      live = new LiveScheduler({
        inventory,
        queues,
        checks,
        ...(options.speed === undefined ? {} : { speed: options.speed }),
        onChange: (job) => {
          const record = byJobIndex[job.index];
          if (record === undefined) return;
          relist(record);
          recordTransition(record);
        },
        executor: (scheduler) => {
          const simulated = new SimulatedExecutor(scheduler);
          if (!slurmMode) return simulated;
          slurm = new SlurmExecutor({
            live: scheduler,
            cli: new SlurmCli(execution.slurm),
            settings: execution.slurm,
            siteId: site.id,
            partitionOf,
            hooks: {
              describe: (job) => {
                const record = byJobIndex[job.index];
                if (record === undefined) return undefined;
                return { id: record.id, account: record.tenantId, name: record.name, command: record.command };
              },
              submitted: (job, slurmId) => {
                const record = byJobIndex[job.index];
                if (record === undefined || record.synthetic) return;
                writes = writes
                  .then(() =>
                    db
                      .updateTable("jobs")
                      .set({ executor: "slurm", external_id: String(slurmId), updated_at: new Date().toISOString() })
                      .where("id", "=", record.id)
                      .execute(),
                  )
                  .then(
                    () => undefined,
                    (error: Error) => {
                      process.stderr.write(`jobs: cannot record Slurm id: ${error.message}\n`);
                    },
                  );
              },
              reported: (job, slurmJob) => {
                const record = byJobIndex[job.index];
                if (record !== undefined) record.run = slurmJob;
              },
              log: (message) => process.stderr.write(`${message}\n`),
            },
          });
          const executor = slurm;
          return new RoutingExecutor((node) => (partitionOf(node) === undefined ? simulated : executor));
        },
      });
      const scheduler = live;

      // Slurm first: nodes it will not run new work on are out of placement before anything is placed.
      const slurmExecutor = slurm as SlurmExecutor | undefined;
      if (slurmExecutor !== undefined) await slurmExecutor.pollNodes();

      // API jobs that were waiting or running when the platform stopped: with Slurm, matched with what Slurm knows
      // (adopted where they run, or given Slurm's outcome, or lost); otherwise back to their queue.
      const unfinished = await db
        .selectFrom("jobs")
        .selectAll()
        .where((eb) => eb.or([eb("state", "in", ["queued", "admitted", "running"]), eb("external_id", "is not", null)]))
        .orderBy("submitted_at")
        .execute();
      const storedRuns: StoredRun[] = unfinished.map((row) => {
        const placement = row.placement as { nodes?: unknown } | null;
        return {
          id: row.id,
          state: row.state,
          slurmId: row.external_id === null ? undefined : Number(row.external_id),
          spec: row.spec as ReturnType<typeof jobSpec>,
          nodes: Array.isArray(placement?.nodes) ? (placement.nodes as string[]) : undefined,
        };
      });
      const decisions = slurmExecutor === undefined ? undefined : await slurmExecutor.reconcile(storedRuns);
      for (const row of unfinished) {
        if (!["queued", "admitted", "running"].includes(row.state)) continue;
        const spec = row.spec as ReturnType<typeof jobSpec>;
        const decision = decisions?.get(row.id);
        const recordOf = (job: Job): JobRecord => {
          const record: JobRecord = {
            id: row.id,
            tenantId: row.tenant_id,
            projectId: row.project_id,
            userId: row.user_id,
            name: row.name,
            synthetic: false,
            job,
            command: row.command ?? undefined,
          };
          register(record);
          lastState.set(job.index, row.state);
          return record;
        };
        if (decision === undefined || decision.kind === "requeue") {
          const job = scheduler.submit({ ...spec });
          recordOf(job);
          if (decision?.kind === "requeue" && decision.heldSlurmId !== undefined)
            slurmExecutor!.track(job, decision.heldSlurmId);
          if (job.state === "queued")
            job.reason = `${job.reason ? `${job.reason}; ` : ""}requeued after a platform restart`;
          continue;
        }
        if (decision.kind === "lost") {
          // Nothing runs and nothing will: it ends in the store (where GET /v1/jobs/:id reads ended jobs).
          const ended = { state: "failed", reason: decision.why };
          await persist(row.id, { ...ended, ended_at: new Date().toISOString() }, "job.failed", ended);
          continue;
        }
        const gpus = freeGpusOn(inventory, scheduler.scheduler.state.gpuFree, decision.nodes, spec.gpus);
        const job = scheduler.adopt(spec, decision.nodes, gpus, decision.kind === "adopt" && decision.running);
        const record = recordOf(job);
        if (job.state === "failed") {
          job.reason = `after a restart, Slurm job ${decision.slurm.id} could not be matched: ${job.reason}`;
          lastState.set(job.index, "running");
          recordTransition(record);
          await slurmExecutor!.cancelRun(decision.slurm);
          continue;
        }
        slurmExecutor!.applyFound(job, decision.slurm);
      }
      slurmExecutor?.start();

      // Background workload of the demo tenants: part at once so the site starts busy, the rest on its arrival times.
      const demoLoad = options.demoLoad ?? (slurmMode ? 0 : 0.5);
      const arrivals: ReturnType<typeof setTimeout>[] = [];
      if (demoLoad > 0) {
        const specs = demoWorkload(inventory, {
          jobs: Math.max(20, Math.ceil(inventory.gpuCount / 12)),
          load: demoLoad,
          seed: 7,
        });
        const submitDemo = (spec: (typeof specs)[number]) => {
          const job = scheduler.submit(spec);
          const tenant =
            demoTenantIds[queues.queues.find((queue) => queue.name === spec.queue)?.tenant ?? ""] ??
            queues.queues.find((queue) => queue.name === spec.queue)?.tenant ??
            "alixan";
          const record: JobRecord = {
            id: spec.id,
            tenantId: tenant,
            projectId: "demo",
            userId: "system:demo",
            name: spec.id,
            synthetic: true,
            job,
          };
          register(record);
        };
        const half = Math.floor(specs.length / 2);
        const offsetS = specs[half]?.submitS ?? 0;
        specs.slice(0, half).forEach(submitDemo);
        for (const spec of specs.slice(half)) {
          const delayMs = ((spec.submitS - offsetS) * 1000) / (options.speed ?? 1);
          const timer = setTimeout(() => submitDemo({ ...spec }), Math.min(2 ** 31 - 1, Math.max(0, delayMs)));
          timer.unref();
          arrivals.push(timer);
        }
      }

      const routes = (app: FastifyInstance) => {
        app.post<{
          Body: {
            projectId: string;
            name: string;
            gpus: number;
            gpuModel?: string;
            gpuMilli?: number;
            gang?: number;
            topology?: (typeof topologyScopes)[number] | "any";
            topologyRequired?: boolean;
            durationS: number;
            dataClass: (typeof dataClasses)[number];
            deferrable?: boolean;
            deadline?: string;
            command?: string;
          };
        }>(
          "/v1/jobs",
          {
            schema: {
              tags: ["jobs"],
              summary: "Submit a GPU job (tenant roles)",
              body: Type.Object(
                {
                  projectId: Type.String({ minLength: 1 }),
                  name: Type.String({ minLength: 1, maxLength: 120 }),
                  gpus: Type.Integer({ minimum: 0, maximum: 100_000 }),
                  gpuModel: Type.Optional(Type.String({ minLength: 1 })),
                  gpuMilli: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
                  gang: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
                  topology: Type.Optional(StringEnum([...topologyScopes, "any"] as const)),
                  topologyRequired: Type.Optional(Type.Boolean()),
                  durationS: Type.Integer({ minimum: 1, maximum: 30 * 86_400 }),
                  dataClass: StringEnum(dataClasses),
                  deferrable: Type.Optional(Type.Boolean()),
                  deadline: Type.Optional(Type.String({ format: "date-time" })),
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
              ),
            },
          },
          async (request, reply) => {
            const context = contextOf(request);
            const principal = context.principal;
            const body = request.body;
            const project = await db
              .selectFrom("projects")
              .selectAll()
              .where("id", "=", body.projectId)
              .executeTakeFirst();
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
                {
                  field: "body.dataClass",
                },
              );
            }
            const tenantQueues = queues.queues.filter((queue) => queue.tenant === tenant.id);
            const queue =
              tenantQueues.find((candidate) => (principal.role === "student") === candidate.name.endsWith("course")) ??
              tenantQueues[0];
            if (queue === undefined)
              throw new AppError("conflict", `tenant ${tenant.id} has no queue on this site`, {
                field: "body.projectId",
              });
            if (body.gpuModel !== undefined && !inventory.gpuModels.includes(body.gpuModel)) {
              throw new AppError(
                "invalid",
                `no GPU model ${body.gpuModel} on this site (${inventory.gpuModels.join(", ")})`,
                { field: "body.gpuModel" },
              );
            }
            if (slurmMode && (body.command === undefined || body.command.trim() === "")) {
              throw new AppError("invalid", "jobs on this site run on Slurm: say what to run in command", {
                field: "body.command",
              });
            }
            const nowS = scheduler.nowS();
            const deadlineS =
              body.deadline === undefined
                ? undefined
                : nowS + ((Date.parse(body.deadline) - Date.now()) / 1000) * (options.speed ?? 1);
            const id = `job_${randomBytes(6).toString("hex")}`;
            const spec = jobSpec({
              id,
              queue: queue.name,
              submitS: nowS,
              durationS: body.durationS,
              members: body.gang ?? 1,
              gpus: body.gpus,
              gpuMilli: body.gpuMilli ?? (body.gpus > 0 ? 1000 : 0),
              gpuModels: body.gpuModel === undefined ? [] : [body.gpuModel],
              topology:
                body.topology === undefined || body.topology === "any"
                  ? undefined
                  : { scope: body.topology, required: body.topologyRequired ?? false },
              dataClass: body.dataClass,
              deferrable: body.deferrable ?? false,
              deadlineS,
            });
            const problems = specProblems(spec);
            if (problems.length > 0) {
              const field = problems[0]!.split(": ")[0] ?? "";
              throw new AppError("invalid", problems.join("; "), { field: `body.${field}` });
            }
            const now = new Date().toISOString();
            await db.transaction().execute(async (trx) => {
              await trx
                .insertInto("jobs")
                .values({
                  id,
                  tenant_id: tenant.id,
                  project_id: project.id,
                  user_id: principal.userId,
                  queue: queue.name,
                  name: body.name,
                  state: "queued",
                  reason: "",
                  spec: JSON.stringify(spec),
                  placement: null,
                  submitted_at: now,
                  command: body.command ?? null,
                  started_at: null,
                  ended_at: null,
                  updated_at: now,
                })
                .execute();
              await appendAudit(trx, {
                actor: principal.userId,
                action: "job.submit",
                resource: `job:${id}`,
                before: null,
                after: body,
                requestId: context.requestId,
              });
            });
            const job = scheduler.submit(spec);
            const record: JobRecord = {
              id,
              tenantId: tenant.id,
              projectId: project.id,
              userId: principal.userId,
              name: body.name,
              synthetic: false,
              job,
              command: body.command,
            };
            register(record);
            // An admission during `submit` found no record yet: record where the job started now.
            recordTransition(record);
            return reply.status(201).send(view(record));
          },
        );

        app.get<{ Querystring: { state?: string; limit?: number; includeDemo?: boolean } }>(
          "/v1/jobs",
          {
            schema: {
              tags: ["jobs"],
              summary: "Jobs the caller may see, newest first",
              querystring: Type.Object(
                {
                  state: Type.Optional(
                    StringEnum([
                      "queued",
                      "admitted",
                      "running",
                      "succeeded",
                      "failed",
                      "preempted",
                      "cancelled",
                    ] as const),
                  ),
                  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
                  includeDemo: Type.Optional(Type.Boolean()),
                },
                { additionalProperties: false },
              ),
            },
          },
          async (request) => {
            const principal = contextOf(request).principal;
            authorize(principal, "jobs:read");
            const limit = request.query.limit ?? 200;
            const includeDemo = request.query.includeDemo ?? true;
            const found: ReturnType<typeof view>[] = [];
            const all = [...records.values()];
            for (let index = all.length - 1; index >= 0 && found.length < limit; index--) {
              const record = all[index]!;
              if (record.synthetic && !includeDemo) continue;
              if (request.query.state !== undefined && record.job.state !== request.query.state) continue;
              if (!visible(principal, record)) continue;
              found.push(view(record));
            }
            return found;
          },
        );

        const findVisible = (request: FastifyRequest<{ Params: { id: string } }>) => {
          const record = records.get(request.params.id);
          const principal = contextOf(request).principal;
          if (record === undefined || !visible(principal, record))
            throw new AppError("notFound", `no job ${request.params.id}`);
          return record;
        };

        app.get<{ Params: { id: string } }>(
          "/v1/jobs/:id",
          { schema: { tags: ["jobs"], params: Type.Object({ id: Type.String() }) } },
          async (request) => {
            if (records.has(request.params.id)) return view(findVisible(request));
            // Jobs that ended before the platform last started are read from the store.
            const row = await db.selectFrom("jobs").selectAll().where("id", "=", request.params.id).executeTakeFirst();
            const principal = contextOf(request).principal;
            const scope = authorize(principal, "jobs:read");
            if (row === undefined || !withinScope(principal, scope, { tenantId: row.tenant_id, userId: row.user_id }))
              throw new AppError("notFound", `no job ${request.params.id}`);
            const spec = row.spec as ReturnType<typeof jobSpec>;
            const placement = row.placement as { racks?: string[]; zoneId?: string | null } | null;
            return {
              id: row.id,
              tenantId: row.tenant_id,
              projectId: row.project_id,
              userId: row.user_id,
              name: row.name,
              queue: row.queue,
              state: row.state,
              reason: row.reason,
              ...demandOf(spec),
              submittedAt: row.submitted_at,
              startedAt: row.started_at,
              endedAt: row.ended_at,
              placement:
                placement?.racks === undefined ? null : { racks: placement.racks, zoneId: placement.zoneId ?? null },
              synthetic: false,
              execution:
                row.external_id === null
                  ? null
                  : { backend: row.executor ?? "slurm", externalId: row.external_id, exitCode: row.exit_code },
            };
          },
        );

        app.post<{ Params: { id: string } }>(
          "/v1/jobs/:id/cancel",
          { schema: { tags: ["jobs"], params: Type.Object({ id: Type.String() }) } },
          async (request) => {
            const record = findVisible(request);
            const context = contextOf(request);
            authorize(context.principal, "jobs:cancel", { tenantId: record.tenantId, userId: record.userId });
            if (!["queued", "admitted", "running"].includes(record.job.state)) {
              throw new AppError("conflict", `job ${record.id} is already ${record.job.state}`);
            }
            scheduler.cancel(record.job);
            if (!record.synthetic) {
              await db.transaction().execute((trx) =>
                appendAudit(trx, {
                  actor: context.principal.userId,
                  action: "job.cancel",
                  resource: `job:${record.id}`,
                  before: null,
                  after: { state: "cancelled" },
                  requestId: context.requestId,
                }),
              );
            }
            return view(record);
          },
        );

        app.get("/v1/queues", { schema: { tags: ["jobs"], summary: "Queues, quotas and usage" } }, async (request) => {
          const principal = contextOf(request).principal;
          const scope = authorize(principal, "queues:read");
          const quota = scheduler.scheduler.quota;
          const width = quota.resources.length;
          const counts = new Map<string, { pending: number; running: number }>();
          for (const job of scheduler.scheduler.jobs) {
            const entry = counts.get(job.spec.queue) ?? { pending: 0, running: 0 };
            if (job.state === "queued") entry.pending++;
            else if (job.state === "running" || job.state === "admitted") entry.running++;
            counts.set(job.spec.queue, entry);
          }
          return queues.queues
            .filter((queue) => withinScope(principal, scope, { tenantId: queue.tenant }))
            .map((queue) => {
              const node = quota.queueIndex(queue.name);
              const nominal: Record<string, number> = {};
              const borrowingLimit: Record<string, number | null> = {};
              const usage: Record<string, number> = {};
              quota.resources.forEach((resource, r) => {
                const cell = node * width + r;
                if (quota.nominal[cell] === 0 && quota.usage[cell] === 0) return;
                nominal[resource] = quota.nominal[cell]!;
                const limit = quota.borrowingLimit[cell]!;
                borrowingLimit[resource] = Number.isFinite(limit) ? limit : null;
                usage[resource] = Math.round(quota.usage[cell]! * 1000) / 1000;
              });
              return {
                name: queue.name,
                tenantId: queue.tenant,
                cohort: queue.cohort ?? null,
                nominal,
                borrowingLimit,
                usage,
                ...(counts.get(queue.name) ?? { pending: 0, running: 0 }),
              };
            });
        });
      };

      return {
        routes,
        async stop() {
          for (const timer of arrivals) clearTimeout(timer);
          scheduler.dispose();
          await slurmExecutor?.close();
          await writes;
        },
      };
    },
  };
}
