/**
 * Usage and chargeback over the live platform: `GET /v1/usage` attributes the site's energy (from the live twin's
 * minute history, or telemetry when equipment is connected) to tenants and projects by the jobs they ran, with the
 * facility overhead of each hour, CO2 and water. Tenants see their own lines only.
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { attributeUsage, type HourlySite, type JobUsage, usageCsv } from "../../reports/usage.ts";
import { contextOf } from "../../server/auth.ts";
import { StringEnum } from "../../server/schemas.ts";
import { authorize, withinScope } from "../../tenancy/service.ts";
import type { LiveTwin } from "../../twin/live.ts";
import { defaultGridIntensity } from "../../twin/results.ts";
import type { Feature } from "../compose.ts";
import type { JobUsageRecord } from "./jobs.ts";

const hourMs = 3_600_000;

/** Hourly site energy from the live twin's minute history. */
function hourlySite(twin: LiveTwin, fromMs: number, toMs: number): HourlySite {
  const history = twin.history();
  const firstHour = Math.floor(fromMs / hourMs) * hourMs;
  const hours = Math.max(1, Math.ceil((toMs - firstHour) / hourMs));
  const site: HourlySite = {
    hourStartMs: Float64Array.from({ length: hours }, (_, index) => firstHour + index * hourMs),
    itKWh: new Float64Array(hours),
    totalKWh: new Float64Array(hours),
    waterL: new Float64Array(hours),
    intensityGPerKWh: new Float64Array(hours).fill(defaultGridIntensity),
  };
  const waterLPerMinute = twin.snapshot().kpis.makeUpWaterLPerH / 60;
  for (let point = 0; point < history.time.length; point++) {
    const time = history.time[point]!;
    if (time < fromMs || time >= toMs) continue;
    const hour = Math.floor((time - firstHour) / hourMs);
    site.itKWh[hour]! += history.itKW[point]! / 60;
    site.totalKWh[hour]! += history.facilityKW[point]! / 60;
    site.waterL[hour]! += waterLPerMinute;
  }
  return site;
}

/** The longest period one usage request may cover (a leap year). */
export const maxUsageRangeMs = 366 * 24 * hourMs;

/** A tenant's (projectId absent) or project's usage over the period. */
const UsageLineSchema = Type.Object({
  tenantId: Type.String(),
  projectId: Type.Optional(Type.String()),
  jobs: Type.Integer(),
  gpuHoursByModel: Type.Record(Type.String(), Type.Number()),
  itEnergyKWh: Type.Number(),
  overheadEnergyKWh: Type.Number(),
  energyKWh: Type.Number(),
  co2Kg: Type.Number(),
  waterL: Type.Number(),
  meanQueueingS: Type.Number(),
  preemptions: Type.Integer(),
});

/** `GET /v1/usage`: the site-wide figures are for staff only. */
const UsageReportSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  source: Type.String({ description: "where the energy figures come from" }),
  tenants: Type.Array(UsageLineSchema),
  projects: Type.Array(UsageLineSchema),
  siteEnergyKWh: Type.Optional(Type.Number()),
  siteItEnergyKWh: Type.Optional(Type.Number()),
  idleItEnergyKWh: Type.Optional(Type.Number()),
  idleOverheadEnergyKWh: Type.Optional(Type.Number()),
});

/** The usage feature, reading jobs and the live twin through the given accessors. */
export function usageFeature(jobs: () => JobUsageRecord[], twin: () => LiveTwin): Feature {
  return {
    name: "usage",
    async start() {
      return {
        routes(app: FastifyInstance) {
          app.get<{ Querystring: { from?: string; to?: string; tenant?: string; format?: "json" | "csv" } }>(
            "/v1/usage",
            {
              schema: {
                tags: ["usage"],
                operationId: "getUsage",
                summary: "Usage and chargeback per tenant and project over a period (default: the last 24 h)",
                response: {
                  200: {
                    description: "The report as JSON, or its lines as CSV with format=csv",
                    content: {
                      "application/json": { schema: UsageReportSchema },
                      "text/csv": { schema: Type.String() },
                    },
                  },
                },
                querystring: Type.Object(
                  {
                    from: Type.Optional(Type.String({ format: "date-time" })),
                    to: Type.Optional(Type.String({ format: "date-time" })),
                    tenant: Type.Optional(Type.String({ maxLength: 100 })),
                    format: Type.Optional(StringEnum(["json", "csv"] as const)),
                  },
                  { additionalProperties: false },
                ),
              },
            },
            async (request, reply) => {
              const principal = contextOf(request).principal;
              const scope = authorize(principal, "usage:read");
              const live = twin();
              const toMs = request.query.to === undefined ? live.timeMs : Date.parse(request.query.to);
              const fromMs = request.query.from === undefined ? toMs - 24 * hourMs : Date.parse(request.query.from);
              if (!(toMs > fromMs))
                throw new AppError("invalid", "`to` must be after `from`", { field: "querystring.to" });
              // The report is built hour by hour: one request may not ask for more than a year of hours.
              if (toMs - fromMs > maxUsageRangeMs) {
                throw new AppError(
                  "invalid",
                  `the period spans ${Math.ceil((toMs - fromMs) / (24 * hourMs))} days; ask at most ${maxUsageRangeMs / (24 * hourMs)} days per request`,
                  { field: "querystring.from" },
                );
              }
              const site = hourlySite(live, fromMs, toMs);
              const toSimulatedMs = (timeS: number) => live.startMs + timeS * 1000;
              const usages: JobUsage[] = jobs()
                .filter((job) => withinScope(principal, scope, { tenantId: job.tenantId, userId: job.userId }))
                .filter((job) => request.query.tenant === undefined || job.tenantId === request.query.tenant)
                .map((job) => ({
                  jobId: job.jobId,
                  tenantId: job.tenantId,
                  projectId: job.projectId,
                  gpuModel: job.gpuModel,
                  gpus: job.gpus,
                  itPowerKW: job.itPowerKW,
                  submittedMs: toSimulatedMs(job.submitS),
                  startMs: job.startS === undefined ? undefined : toSimulatedMs(job.startS),
                  endMs: job.endS === undefined ? undefined : toSimulatedMs(job.endS),
                  preemptions: job.preemptions,
                }));
              const report = attributeUsage(site, usages, fromMs, toMs);
              // Tenants see their own lines; the site's idle and overhead figures are for staff.
              const staff = scope === "all";
              if (request.query.format === "csv") {
                return reply.type("text/csv").send(usageCsv([...report.tenants, ...report.projects]));
              }
              const answer = {
                from: new Date(fromMs).toISOString(),
                to: new Date(toMs).toISOString(),
                source: "simulated (live twin)",
                tenants: report.tenants,
                projects: report.projects,
                ...(staff
                  ? {
                      siteEnergyKWh: report.siteEnergyKWh,
                      siteItEnergyKWh: report.siteItEnergyKWh,
                      idleItEnergyKWh: report.idleItEnergyKWh,
                      idleOverheadEnergyKWh: report.idleOverheadEnergyKWh,
                    }
                  : {}),
              };
              return answer;
            },
          );
        },
      };
    },
  };
}
