/**
 * Usage and chargeback over the live platform. The usage meter (app/usage/meter.ts) shares each minute of the live
 * twin's energy out among the jobs running then and keeps hourly rows per tenant, project, user, queue, zone and GPU
 * model in the store, flushed every minute and at stop: site changes (which rebuild the twin) and restarts never
 * erase them. Routes read the store only: `GET /v1/usage` (a period per tenant and project, JSON or CSV),
 * `GET /v1/usage/hours` (the hourly rows, paged) and `GET /v1/usage/statements` (a month per tenant, with cost when
 * prices are configured). Tenants see their own lines only, students their own jobs' lines.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { type Selectable, sql } from "kysely";
import { type Static, type TSchema, Type } from "typebox";
import { csvField } from "../../core/csv.ts";
import { AppError } from "../../core/errors.ts";
import { type UsageLine, usageCells, usageColumns, usageCsv, usageModels } from "../../reports/usage.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { decodeCursor, pageHeaders, pagingQuery } from "../../server/paging.ts";
import { Nullable, type Reply, StringEnum } from "../../server/schemas.ts";
import type { UsageHourlyTable } from "../../store/schema.ts";
import { authorize, type Principal } from "../../tenancy/service.ts";
import type { LiveTwin } from "../../twin/live.ts";
import type { CoreServices, Feature } from "../compose.ts";
import type { JobsEngine } from "../jobs/engine.ts";
import { UsageMeter } from "../usage/meter.ts";
import { costOf, type UsagePrices, usagePricesSchema } from "../usage/prices.ts";
import { readUsage, type UsageScope } from "../usage/reads.ts";
import { runningUsage } from "../usage/running.ts";

const hourMs = 3_600_000;

/** The longest period one usage request may cover (a leap year). */
export const maxUsageRangeMs = 366 * 24 * hourMs;

/** A tenant's (projectId absent) or project's usage over the period. */
const UsageLineSchema = Type.Object({
  tenantId: Type.String(),
  projectId: Type.Optional(Type.String()),
  projectName: Type.Optional(Type.String({ description: "the project's name, on project lines" })),
  jobs: Type.Integer(),
  gpuHoursByModel: Type.Record(Type.String(), Type.Number()),
  cpuHours: Type.Number(),
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
  siteWaterL: Type.Optional(Type.Number()),
  siteCo2Kg: Type.Optional(Type.Number()),
});

/** `GET /v1/usage/hours`: one stored hourly row. */
const UsageHourSchema = Type.Object({
  hourStart: Type.String(),
  tenantId: Type.String(),
  projectId: Type.String(),
  userId: Type.String(),
  queue: Type.String(),
  zoneId: Nullable(Type.String()),
  gpuModel: Type.String(),
  gpuHours: Type.Number(),
  cpuHours: Type.Number(),
  itEnergyKWh: Type.Number(),
  overheadEnergyKWh: Type.Number(),
  energyKWh: Type.Number(),
  co2Kg: Type.Number(),
  waterL: Type.Number(),
});

const CostSchema = {
  currency: Type.String(),
  energy: Type.Number(),
  gpu: Type.Number(),
  cpu: Type.Number(),
  total: Type.Number(),
};

/** `GET /v1/usage/statements`: a month per tenant, with cost when priced. */
const UsageStatementsSchema = Type.Object({
  month: Type.String(),
  prices: Nullable(usagePricesSchema),
  statements: Type.Array(
    Type.Object({
      tenantId: Type.String(),
      month: Type.String(),
      from: Type.String(),
      to: Type.String(),
      total: UsageLineSchema,
      projects: Type.Array(UsageLineSchema),
      cost: Nullable(
        Type.Object({
          ...CostSchema,
          projects: Type.Array(
            Type.Object({
              projectId: Type.Optional(Type.String()),
              projectName: Type.Optional(Type.String()),
              ...CostSchema,
            }),
          ),
        }),
      ),
    }),
  ),
});

/** A JSON answer, or CSV with format=csv. */
function jsonOrCsv(schema: TSchema, description: string) {
  return {
    description,
    content: { "application/json": { schema }, "text/csv": { schema: Type.String() } },
  };
}

/** Options of the usage feature. */
export interface UsageFeatureOptions {
  /** The jobs engine, once it runs. */
  readonly engine: () => JobsEngine | undefined;
  /** The live twin in force (throws while it starts). */
  readonly twin: () => LiveTwin;
  /** Subscribes to the twin's steps. */
  readonly onSnapshot: (listener: () => void) => () => void;
  /** Wall-clock milliseconds between flushes of the meter (default 60,000). */
  readonly flushMs?: number;
  /** Prices of monthly statements (none: quantities only). */
  readonly prices?: UsagePrices | undefined;
}

const usageQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: "date-time" })),
    to: Type.Optional(Type.String({ format: "date-time" })),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    format: Type.Optional(StringEnum(["json", "csv"] as const)),
  },
  { additionalProperties: false },
);

const hoursQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: "date-time" })),
    to: Type.Optional(Type.String({ format: "date-time" })),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    project: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    queue: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    zone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ...pagingQuery,
  },
  { additionalProperties: false },
);

const statementsQuery = Type.Object(
  {
    // Date.UTC reads years 0–99 as 1900–1999: statements start at 2000.
    month: Type.String({ pattern: "^2[0-9]{3}-(0[1-9]|1[0-2])$", description: "YYYY-MM (UTC), year 2000 or later" }),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    format: Type.Optional(StringEnum(["json", "csv"] as const)),
  },
  { additionalProperties: false },
);

/** The caller's usage scope; a tenant filter outside it is refused naming the field. */
function scopeOf(principal: Principal, tenant: string | undefined): UsageScope {
  const scope = authorize(principal, "usage:read");
  if (scope === "all") return { kind: "all", tenantId: tenant };
  if (tenant !== undefined && tenant !== principal.tenantId) {
    throw new AppError("forbidden", "tenant: you may read only your own tenant's usage", {
      field: "querystring.tenant",
    });
  }
  return scope === "tenant"
    ? { kind: "tenant", tenantId: principal.tenantId! }
    : { kind: "self", tenantId: principal.tenantId, userId: principal.userId };
}

/** Project lines with their projects' names, read in one query (a project gone from the store keeps its id only). */
async function withProjectNames<Line extends UsageLine>(
  db: CoreServices["store"]["db"],
  lines: readonly Line[],
): Promise<(Line & { projectName?: string })[]> {
  const ids = [...new Set(lines.flatMap((line) => (line.projectId === undefined ? [] : [line.projectId])))];
  const names = new Map<string, string>();
  if (ids.length > 0) {
    const rows = await db.selectFrom("projects").select(["id", "name"]).where("id", "in", ids).execute();
    for (const row of rows) names.set(row.id, row.name);
  }
  return lines.map((line) => {
    const name = line.projectId === undefined ? undefined : names.get(line.projectId);
    return name === undefined ? { ...line } : { ...line, projectName: name };
  });
}

/** `[from, to)` of a request: `to` defaults to now on the twin's clock, `from` to a day before; at most a year. */
function periodOf(query: { from?: string | undefined; to?: string | undefined }, nowMs: number): [number, number] {
  const toMs = query.to === undefined ? nowMs : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - 24 * hourMs : Date.parse(query.from);
  if (!(toMs > fromMs)) throw new AppError("invalid", "`to` must be after `from`", { field: "querystring.to" });
  // Rows are summed over the period's hours: one request may not ask for more than a year of them.
  if (toMs - fromMs > maxUsageRangeMs) {
    throw new AppError(
      "invalid",
      `the period spans ${Math.ceil((toMs - fromMs) / (24 * hourMs))} days; ask at most ${maxUsageRangeMs / (24 * hourMs)} days per request`,
      { field: "querystring.from" },
    );
  }
  return [fromMs, toMs];
}

/** A statement line as CSV fields, with the cost columns when priced. */
function statementCsv(
  statements: readonly { tenantId: string; month: string; lines: readonly UsageLine[]; cost: unknown }[],
  prices: UsagePrices | undefined,
): string {
  const models = usageModels(statements.flatMap((statement) => statement.lines));
  const header = [
    "month",
    ...usageColumns(models),
    ...(prices === undefined ? [] : ["energy", "gpu", "cpu", "total"].map((part) => `cost_${part}_${prices.currency}`)),
  ];
  const rows: string[] = [];
  for (const statement of statements) {
    for (const line of statement.lines) {
      const cost = prices === undefined ? undefined : costOf(prices, line);
      rows.push(
        [
          csvField(statement.month),
          ...usageCells(line, models),
          ...(cost === undefined
            ? []
            : [cost.energy, cost.gpu, cost.cpu, cost.total].map((amount) => amount.toFixed(2))),
        ].join(","),
      );
    }
  }
  return `${[header.join(","), ...rows].join("\n")}\n`;
}

/** The usage feature: the meter, its flush timer, and the routes. */
export function usageFeature(options: UsageFeatureOptions): Feature & { meter(): UsageMeter | undefined } {
  let meter: UsageMeter | undefined;
  return {
    name: "usage",
    meter: () => meter,
    async start(core: CoreServices) {
      const twin = () => {
        try {
          return options.twin();
        } catch {
          return undefined;
        }
      };
      const running = new UsageMeter(core.store.db, {
        twin,
        running: () => {
          const engine = options.engine();
          return engine === undefined ? [] : runningUsage(engine);
        },
        log: core.log.sink("usage"),
      });
      meter = running;
      const log = core.log.sink("usage");
      // Metering must never stop the twin's clock: a failure is logged and the next step tries again.
      const unsubscribe = options.onSnapshot(() => {
        try {
          running.sample();
        } catch (error) {
          log(`metering usage failed: ${(error as Error).message}`);
        }
      });
      const timer = setInterval(() => {
        running.flush().catch(() => undefined);
      }, options.flushMs ?? 60_000);
      timer.unref();
      /** Reads see everything metered so far: the minutes not yet flushed are written first. */
      const current = async () => {
        running.sample();
        await running.flush().catch((error: Error) => {
          throw new AppError("unavailable", `usage could not be written to the store: ${error.message}`);
        });
      };
      const nowMs = () => twin()?.timeMs ?? Date.now();
      return {
        routes: (app: FastifyInstance) => registerUsageRoutes(app, core, { current, nowMs, prices: options.prices }),
        async stop() {
          unsubscribe();
          clearInterval(timer);
          running.sample();
          await running.flush().catch(() => undefined);
        },
      };
    },
  };
}

interface RouteSettings {
  readonly current: () => Promise<void>;
  readonly nowMs: () => number;
  readonly prices: UsagePrices | undefined;
}

/** `GET /v1/usage`: usage summed over a period, per tenant, project, user, queue, zone or GPU model. */
function registerUsageSummary(app: FastifyInstance, core: CoreServices, settings: RouteSettings): void {
  const db = core.store.db;
  app.get<{ Querystring: Static<typeof usageQuery> }>(
    "/v1/usage",
    {
      schema: {
        tags: ["usage"],
        operationId: "getUsage",
        ...problems(503),
        response: { 200: jsonOrCsv(UsageReportSchema, "The report as JSON, or its lines as CSV with format=csv") },
        summary:
          "Usage and chargeback per tenant and project over a period (default: the last 24 h), from the stored hourly usage: hours count whole, by their start",
        querystring: usageQuery,
      },
    },
    async (request, reply) => {
      const principal = contextOf(request).principal;
      const scope = scopeOf(principal, request.query.tenant);
      const [fromMs, toMs] = periodOf(request.query, settings.nowMs());
      await settings.current();
      const report = await readUsage(db, scope, fromMs, toMs);
      if (request.query.format === "csv") {
        return reply.type("text/csv").send(usageCsv([...report.tenants, ...report.projects]));
      }
      // Tenants see their own lines; the site's idle and overhead figures are for staff.
      const staff = scope.kind === "all" && scope.tenantId === undefined;
      return {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        source: "stored hourly usage (metered from the live twin)",
        tenants: report.tenants,
        projects: await withProjectNames(db, report.projects),
        ...(staff
          ? {
              siteEnergyKWh: report.siteEnergyKWh,
              siteItEnergyKWh: report.siteItEnergyKWh,
              idleItEnergyKWh: report.idleItEnergyKWh,
              idleOverheadEnergyKWh: report.idleOverheadEnergyKWh,
              siteWaterL: report.siteWaterL,
              siteCo2Kg: report.siteCo2Kg,
            }
          : {}),
      };
    },
  );
}

/** The key of an hourly usage row after its hour, in the order pages are sorted by (and cursors carry). */
const hourKeyColumns = ["tenant_id", "project_id", "user_id", "queue", "zone_id", "gpu_model"] as const;

/**
 * Stored hourly usage rows within the caller's scope, the period and the filters: how many match, and the page after
 * `after` (newest hour first, then the row's key), one more than `limit` to tell whether another page follows.
 */
async function queryUsageHours(
  db: CoreServices["store"]["db"],
  scope: ReturnType<typeof scopeOf>,
  filters: { project?: string | undefined; queue?: string | undefined; zone?: string | undefined },
  [fromMs, toMs]: readonly [number, number],
  limit: number,
  after: readonly [string, ...string[]] | undefined,
) {
  let query = db
    .selectFrom("usage_hourly")
    .where("hour_start", ">=", new Date(Math.floor(fromMs / hourMs) * hourMs).toISOString())
    .where("hour_start", "<", new Date(toMs).toISOString());
  if (scope.tenantId !== undefined && scope.tenantId !== null) query = query.where("tenant_id", "=", scope.tenantId);
  if (scope.kind === "self") query = query.where("user_id", "=", scope.userId);
  if (filters.project !== undefined) query = query.where("project_id", "=", filters.project);
  if (filters.queue !== undefined) query = query.where("queue", "=", filters.queue);
  if (filters.zone !== undefined) query = query.where("zone_id", "=", filters.zone);
  const counted = await query.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirst();
  let paged = query.selectAll();
  if (after !== undefined) {
    // Newest hour first, then the key ascending: the rows after the cursor's.
    const [hour, ...rest] = after;
    paged = paged.where((eb) =>
      eb.or([
        eb("hour_start", "<", hour),
        eb.and([
          eb("hour_start", "=", hour),
          sql<boolean>`(${sql.join(hourKeyColumns.map((column) => sql.ref(column)))}) > (${sql.join(rest)})`,
        ]),
      ]),
    );
  }
  let ordered = paged.orderBy("hour_start", "desc");
  for (const column of hourKeyColumns) ordered = ordered.orderBy(column);
  const rows = await ordered.limit(limit + 1).execute();
  return { total: Number(counted?.count ?? 0), rows };
}

/** One stored hourly usage row as the API shows it (the zone of work outside any zone is null). */
function usageHourView(row: Selectable<UsageHourlyTable>): Reply<typeof UsageHourSchema> {
  return {
    hourStart: row.hour_start,
    tenantId: row.tenant_id,
    projectId: row.project_id,
    userId: row.user_id,
    queue: row.queue,
    zoneId: row.zone_id === "" ? null : row.zone_id,
    gpuModel: row.gpu_model,
    gpuHours: Number(row.gpu_hours),
    cpuHours: Number(row.cpu_hours),
    itEnergyKWh: Number(row.it_kwh),
    overheadEnergyKWh: Number(row.overhead_kwh),
    energyKWh: Number(row.energy_kwh),
    co2Kg: Number(row.co2_kg),
    waterL: Number(row.water_l),
  };
}

/** `GET /v1/usage/hours`: the stored hourly rows, paged. */
function registerUsageHours(app: FastifyInstance, core: CoreServices, settings: RouteSettings): void {
  const db = core.store.db;
  app.get<{ Querystring: Static<typeof hoursQuery> }>(
    "/v1/usage/hours",
    {
      schema: {
        tags: ["usage"],
        operationId: "listUsageHours",
        ...problems(503),
        response: { 200: Type.Array(UsageHourSchema) },
        summary:
          "Stored hourly usage rows (tenant, project, user, queue, zone, GPU model), newest hour first, filtered by tenant, project, queue, zone and period; X-Total-Count and X-Next-Cursor page through them",
        querystring: hoursQuery,
      },
    },
    async (request, reply) => {
      const principal = contextOf(request).principal;
      const scope = scopeOf(principal, request.query.tenant);
      const [fromMs, toMs] = periodOf(request.query, settings.nowMs());
      const limit = request.query.limit ?? 200;
      const after =
        request.query.cursor === undefined
          ? undefined
          : decodeCursor(request.query.cursor, ["s", "s", "s", "s", "s", "s", "s"] as const);
      await settings.current();
      const { total, rows } = await queryUsageHours(db, scope, request.query, [fromMs, toMs], limit, after);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      pageHeaders(
        reply,
        total,
        rows.length > limit && last !== undefined
          ? [last.hour_start, ...hourKeyColumns.map((column) => last[column])]
          : undefined,
      );
      return page.map(usageHourView);
    },
  );
}

/** `GET /v1/usage/statements`: priced statements per tenant and project for a month. */
function registerUsageStatements(app: FastifyInstance, core: CoreServices, settings: RouteSettings): void {
  const db = core.store.db;
  app.get<{ Querystring: Static<typeof statementsQuery> }>(
    "/v1/usage/statements",
    {
      schema: {
        tags: ["usage"],
        operationId: "listUsageStatements",
        ...problems(503),
        response: {
          200: jsonOrCsv(UsageStatementsSchema, "The statements as JSON, or their lines as CSV with format=csv"),
        },
        summary:
          "Monthly statements per tenant (UTC calendar month): each project's and the tenant's usage, and cost when the platform has prices (ALIXAN_USAGE_PRICES); X-Total-Count is the number of statements",
        querystring: statementsQuery,
      },
    },
    async (request, reply: FastifyReply) => {
      const principal = contextOf(request).principal;
      const scope = scopeOf(principal, request.query.tenant);
      const [year, month] = request.query.month.split("-").map(Number) as [number, number];
      const fromMs = Date.UTC(year, month - 1, 1);
      const toMs = Date.UTC(year, month, 1);
      await settings.current();
      const usage = await readUsage(db, scope, fromMs, toMs);
      const prices = settings.prices;
      const named = await withProjectNames(db, usage.projects);
      const statements = usage.tenants.map((tenant) => {
        const projects = named.filter((line) => line.tenantId === tenant.tenantId);
        return {
          tenantId: tenant.tenantId,
          month: request.query.month,
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          total: tenant,
          projects,
          lines: [tenant, ...projects],
          cost:
            prices === undefined
              ? null
              : {
                  ...costOf(prices, tenant),
                  projects: projects.map((line) => ({
                    projectId: line.projectId,
                    ...(line.projectName === undefined ? {} : { projectName: line.projectName }),
                    ...costOf(prices, line),
                  })),
                },
        };
      });
      reply.header("x-total-count", String(statements.length));
      if (request.query.format === "csv") return reply.type("text/csv").send(statementCsv(statements, prices));
      return {
        month: request.query.month,
        prices: prices ?? null,
        statements: statements.map(({ lines: _lines, ...statement }) => statement),
      };
    },
  );
}

/** The usage routes: summary, hourly rows, statements. */
function registerUsageRoutes(app: FastifyInstance, core: CoreServices, settings: RouteSettings): void {
  registerUsageSummary(app, core, settings);
  registerUsageHours(app, core, settings);
  registerUsageStatements(app, core, settings);
}
