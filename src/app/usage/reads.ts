/**
 * Reading stored usage: a period's lines per tenant and project (GPU-hours by model, CPU-hours, energy, CO2,
 * water from the hourly rows; jobs, queueing and preemptions from the job history), the site's figures, and the
 * hourly rows themselves. Hours count whole: an hour belongs to a period when it starts within it.
 */
import { type Kysely, sql } from "kysely";
import type { UsageLine } from "../../reports/usage.ts";
import type { Database } from "../../store/schema.ts";

/** Who may be seen: everyone, one tenant, or one user's own work (students). */
export type UsageScope =
  | { readonly kind: "all"; readonly tenantId?: string | undefined }
  | { readonly kind: "tenant"; readonly tenantId: string }
  | { readonly kind: "self"; readonly tenantId: string | null; readonly userId: string };

/** A period's usage as stored. */
export interface StoredUsage {
  readonly tenants: UsageLine[];
  readonly projects: UsageLine[];
  readonly siteEnergyKWh: number;
  readonly siteItEnergyKWh: number;
  readonly idleItEnergyKWh: number;
  readonly idleOverheadEnergyKWh: number;
  readonly siteWaterL: number;
  readonly siteCo2Kg: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Restricts a query on a table with tenant and user columns to the scope. */
function scoped<Q extends { where: (...args: never[]) => Q }>(query: Q, scope: UsageScope): Q {
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's where over a union of tables is typed per table.
  let narrowed = query as any;
  if (scope.tenantId !== undefined && scope.tenantId !== null)
    narrowed = narrowed.where("tenant_id", "=", scope.tenantId);
  if (scope.kind === "self") narrowed = narrowed.where("user_id", "=", scope.userId);
  return narrowed as Q;
}

interface Mutable {
  tenantId: string;
  projectId: string | undefined;
  jobs: number;
  gpuHoursByModel: Record<string, number>;
  cpuHours: number;
  itEnergyKWh: number;
  overheadEnergyKWh: number;
  energyKWh: number;
  co2Kg: number;
  waterL: number;
  meanQueueingS: number;
  preemptions: number;
}

function emptyLine(tenantId: string, projectId: string | undefined): Mutable {
  return {
    tenantId,
    projectId,
    jobs: 0,
    gpuHoursByModel: {},
    cpuHours: 0,
    itEnergyKWh: 0,
    overheadEnergyKWh: 0,
    energyKWh: 0,
    co2Kg: 0,
    waterL: 0,
    meanQueueingS: 0,
    preemptions: 0,
  };
}

/** The stored usage of `[fromMs, toMs)` within the scope, per tenant and per project. */
export async function readUsage(
  db: Kysely<Database>,
  scope: UsageScope,
  fromMs: number,
  toMs: number,
): Promise<StoredUsage> {
  const [from, to] = [iso(Math.floor(fromMs / 3_600_000) * 3_600_000), iso(toMs)];
  const rows = await scoped(
    db
      .selectFrom("usage_hourly")
      .select((eb) => [
        "tenant_id",
        "project_id",
        "gpu_model",
        eb.fn.sum<number>("gpu_hours").as("gpu_hours"),
        eb.fn.sum<number>("cpu_hours").as("cpu_hours"),
        eb.fn.sum<number>("it_kwh").as("it_kwh"),
        eb.fn.sum<number>("overhead_kwh").as("overhead_kwh"),
        eb.fn.sum<number>("energy_kwh").as("energy_kwh"),
        eb.fn.sum<number>("co2_kg").as("co2_kg"),
        eb.fn.sum<number>("water_l").as("water_l"),
      ])
      .where("hour_start", ">=", from)
      .where("hour_start", "<", to)
      .groupBy(["tenant_id", "project_id", "gpu_model"]),
    scope,
  ).execute();
  // Jobs seen in the period: submitted before its end and not ended before its start (the job history is durable).
  const jobs = await scoped(
    db
      .selectFrom("jobs")
      .select((eb) => [
        "tenant_id",
        "project_id",
        eb.fn.countAll<string>().as("jobs"),
        eb.fn.count<string>("started_at").as("started"),
        sql<number>`coalesce(sum(extract(epoch from (started_at::timestamptz - submitted_at::timestamptz))), 0)`.as(
          "queueing_s",
        ),
      ])
      .where("submitted_at", "<", to)
      .where((eb) => eb.or([eb("ended_at", "is", null), eb("ended_at", ">=", from)]))
      .groupBy(["tenant_id", "project_id"]),
    scope,
  ).execute();
  const preemptions = await scoped(
    db
      .selectFrom("job_events")
      .innerJoin("jobs", "jobs.id", "job_events.job_id")
      .select((eb) => [
        "jobs.tenant_id as tenant_id",
        "jobs.project_id as project_id",
        eb.fn.countAll<string>().as("count"),
      ])
      .where("job_events.kind", "=", "job.preempted")
      .where("job_events.at", ">=", from)
      .where("job_events.at", "<", to)
      .groupBy(["jobs.tenant_id", "jobs.project_id"]),
    scope,
  ).execute();

  const tenants = new Map<string, Mutable & { started: number; queueingS: number }>();
  const projects = new Map<string, Mutable & { started: number; queueingS: number }>();
  const linesOf = (tenantId: string, projectId: string) => {
    const pair = [
      [tenants, tenantId, undefined],
      [projects, `${tenantId}/${projectId}`, projectId],
    ] as const;
    return pair.map(([map, key, project]) => {
      let line = map.get(key);
      if (line === undefined) {
        line = { ...emptyLine(tenantId, project), started: 0, queueingS: 0 };
        map.set(key, line);
      }
      return line;
    });
  };
  for (const row of rows) {
    for (const line of linesOf(row.tenant_id, row.project_id)) {
      if (row.gpu_model !== "none" || Number(row.gpu_hours) > 0) {
        line.gpuHoursByModel[row.gpu_model] = (line.gpuHoursByModel[row.gpu_model] ?? 0) + Number(row.gpu_hours);
      }
      line.cpuHours += Number(row.cpu_hours);
      line.itEnergyKWh += Number(row.it_kwh);
      line.overheadEnergyKWh += Number(row.overhead_kwh);
      line.energyKWh += Number(row.energy_kwh);
      line.co2Kg += Number(row.co2_kg);
      line.waterL += Number(row.water_l);
    }
  }
  for (const row of jobs) {
    for (const line of linesOf(row.tenant_id, row.project_id)) {
      line.jobs += Number(row.jobs);
      line.started += Number(row.started);
      line.queueingS += Number(row.queueing_s);
    }
  }
  for (const row of preemptions) {
    for (const line of linesOf(row.tenant_id, row.project_id)) line.preemptions += Number(row.count);
  }
  const finish = ({ started, queueingS, ...line }: Mutable & { started: number; queueingS: number }) => ({
    ...line,
    meanQueueingS: started > 0 ? queueingS / started : 0,
  });
  const site = await db
    .selectFrom("usage_site_hourly")
    .select((eb) => [
      eb.fn.sum<number>("it_kwh").as("it_kwh"),
      eb.fn.sum<number>("total_kwh").as("total_kwh"),
      eb.fn.sum<number>("water_l").as("water_l"),
      eb.fn.sum<number>("co2_kg").as("co2_kg"),
    ])
    .where("hour_start", ">=", from)
    .where("hour_start", "<", to)
    .executeTakeFirst();
  const tenantLines = [...tenants.values()].map(finish).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  const attributedIt = tenantLines.reduce((sum, line) => sum + line.itEnergyKWh, 0);
  const attributed = tenantLines.reduce((sum, line) => sum + line.energyKWh, 0);
  const siteIt = Number(site?.it_kwh ?? 0);
  const siteTotal = Number(site?.total_kwh ?? 0);
  return {
    tenants: tenantLines,
    projects: [...projects.values()]
      .map(finish)
      .sort((a, b) => `${a.tenantId}/${a.projectId}`.localeCompare(`${b.tenantId}/${b.projectId}`)),
    siteEnergyKWh: siteTotal,
    siteItEnergyKWh: siteIt,
    // Meaningful for staff only (scope all, no tenant filter): the part of the site no tenant is billed.
    idleItEnergyKWh: siteIt - attributedIt,
    idleOverheadEnergyKWh: siteTotal - attributed - (siteIt - attributedIt),
    siteWaterL: Number(site?.water_l ?? 0),
    siteCo2Kg: Number(site?.co2_kg ?? 0),
  };
}
