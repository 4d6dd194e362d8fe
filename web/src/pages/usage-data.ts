/**
 * Usage data for the Usage page and the tenant Overview, in one module so the pages do not care where the figures
 * come from: each month is one `GET /v1/usage/statements?month=` (a UTC calendar month per tenant, its projects by
 * name, and cost when the platform has prices). The platform's clock (`GET /v1/usage`'s `to`) says which month is the
 * current one: a simulated site may run ahead of the wall clock.
 */
import type { ApiClient } from "../api/client.ts";
import type { UsagePrices, UsageReport, UsageStatements } from "../api/types.ts";

/** The figures a row or a chart shows. */
export const usageMeasures = [
  { key: "gpuHours", label: "GPU-hours", unit: "GPU·h", digits: 1 },
  { key: "energyKWh", label: "Energy (IT and its share of the facility)", unit: "kWh", digits: 0 },
  { key: "co2Kg", label: "CO₂", unit: "kg", digits: 1 },
  { key: "waterL", label: "Water", unit: "L", digits: 0 },
] as const;
/** A measure's key. */
export type UsageMeasure = (typeof usageMeasures)[number]["key"];

/** What a project's month cost, by part, in the prices' currency. */
export interface UsageCost {
  readonly energy: number;
  readonly gpu: number;
  readonly cpu: number;
  readonly total: number;
}

/** One project in one month. */
export interface UsageCell {
  readonly jobs: number;
  readonly gpuHours: number;
  readonly energyKWh: number;
  readonly co2Kg: number;
  readonly waterL: number;
  /** Null when the platform has no prices. */
  readonly cost: UsageCost | null;
}

/** Usage by month (oldest first) and project. */
export interface MonthlyUsage {
  /** UTC calendar months; the current one ends at `nowMs`. */
  readonly months: readonly { readonly label: string; readonly fromMs: number; readonly toMs: number }[];
  /** Projects by tenant then name; `key` is `tenant/project id`. */
  readonly projects: readonly { readonly key: string; readonly name: string; readonly tenantId: string }[];
  /** cells[month][project index]. */
  readonly cells: readonly (readonly UsageCell[])[];
  /** The platform's prices (null: none configured, so no cost is shown). */
  readonly prices: UsagePrices;
  readonly source: string;
  /** The platform's clock when read (the end of the last month shown). */
  readonly nowMs: number;
}

/** The last `count` UTC calendar months up to the one holding `nowMs`; the current month ends at `nowMs`. */
export function monthsUpTo(nowMs: number, count: number): MonthlyUsage["months"] {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const months: { label: string; fromMs: number; toMs: number }[] = [];
  for (let back = count - 1; back >= 0; back--) {
    const fromMs = Date.UTC(year, month - back, 1);
    const toMs = back === 0 ? nowMs : Date.UTC(year, month - back + 1, 1);
    months.push({ label: new Date(fromMs).toISOString().slice(0, 7), fromMs, toMs });
  }
  return months;
}

const sum = (values: Readonly<Record<string, number>>) =>
  Object.values(values).reduce((total, value) => total + value, 0);
const empty: UsageCell = { jobs: 0, gpuHours: 0, energyKWh: 0, co2Kg: 0, waterL: 0, cost: null };

/** Arranges monthly statements (one answer per month, oldest first) into cells by project. */
export function arrangeStatements(
  months: MonthlyUsage["months"],
  answers: readonly UsageStatements[],
  nowMs: number,
  source = "",
): MonthlyUsage {
  const prices = answers.find((answer) => answer.prices !== null)?.prices ?? null;
  const projects: { key: string; name: string; tenantId: string }[] = [];
  const known = new Set<string>();
  for (const answer of answers) {
    for (const statement of answer.statements) {
      for (const line of statement.projects) {
        const key = `${line.tenantId}/${line.projectId ?? ""}`;
        if (known.has(key)) continue;
        known.add(key);
        projects.push({ key, name: line.projectName ?? line.projectId ?? line.tenantId, tenantId: line.tenantId });
      }
    }
  }
  projects.sort((a, b) => a.tenantId.localeCompare(b.tenantId) || a.name.localeCompare(b.name));
  const indexOf = new Map(projects.map((project, index) => [project.key, index]));
  const cells = answers.map((answer) => {
    const row: UsageCell[] = projects.map(() => ({ ...empty, cost: prices === null ? null : zeroCost }));
    for (const statement of answer.statements) {
      const costs = new Map((statement.cost?.projects ?? []).map((cost) => [cost.projectId ?? "", cost]));
      for (const line of statement.projects) {
        const cost = costs.get(line.projectId ?? "");
        row[indexOf.get(`${line.tenantId}/${line.projectId ?? ""}`)!] = {
          jobs: line.jobs,
          gpuHours: sum(line.gpuHoursByModel),
          energyKWh: line.energyKWh,
          co2Kg: line.co2Kg,
          waterL: line.waterL,
          cost:
            prices === null
              ? null
              : cost === undefined
                ? zeroCost
                : { energy: cost.energy, gpu: cost.gpu, cpu: cost.cpu, total: cost.total },
        };
      }
    }
    return row;
  });
  return { months, projects, cells, prices, source, nowMs };
}

const zeroCost: UsageCost = { energy: 0, gpu: 0, cpu: 0, total: 0 };

/** Reads the caller's statements of the last `count` months (the server scopes them: a tenant sees its own). */
export async function loadMonthlyUsage(client: ApiClient, count: number, signal?: AbortSignal): Promise<MonthlyUsage> {
  // The platform's clock may run ahead of the wall clock (a simulated site): its "now" ends the last month.
  const latest = await client.get<UsageReport>("/v1/usage", signal);
  const nowMs = Date.parse(latest.to);
  const months = monthsUpTo(nowMs, count);
  const answers = await Promise.all(
    months.map((month) => client.get<UsageStatements>(`/v1/usage/statements?month=${month.label}`, signal)),
  );
  return arrangeStatements(months, answers, nowMs, latest.source);
}

/** One CSV field: quoted (a quote doubled) when it holds a comma, quote or line break. */
const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** Usage as CSV, one line per month and project, with the cost columns when priced. */
export function monthlyUsageCsv(usage: MonthlyUsage): string {
  const currency = usage.prices?.currency;
  const header = ["month", "tenant", "project", "jobs", "gpu_hours", "energy_kwh", "co2_kg", "water_l"];
  if (currency !== undefined)
    header.push(...["energy", "gpu", "cpu", "total"].map((part) => `cost_${part}_${currency}`));
  const lines = [header.join(",")];
  usage.months.forEach((month, monthIndex) => {
    usage.projects.forEach((project, projectIndex) => {
      const cell = usage.cells[monthIndex]![projectIndex]!;
      const cost = cell.cost;
      lines.push(
        [
          month.label,
          csvField(project.tenantId),
          csvField(project.name),
          cell.jobs,
          cell.gpuHours,
          cell.energyKWh,
          cell.co2Kg,
          cell.waterL,
          ...(currency === undefined || cost === null
            ? []
            : [cost.energy, cost.gpu, cost.cpu, cost.total].map((amount) => amount.toFixed(2))),
        ].join(","),
      );
    });
  });
  return `${lines.join("\n")}\n`;
}
