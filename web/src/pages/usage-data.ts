/**
 * Usage data for the Usage page, in one module so the page does not care where the figures come from: today each
 * month is one `GET /v1/usage?from&to` (the usage report over the platform's own clock); when monthly statements are
 * stored, `loadMonthlyUsage` is the one place to switch. Months run from midnight on the 1st in the site's zone.
 */
import type { ApiClient } from "../api/client.ts";
import { timeZoneShown } from "../format.ts";

/** One line of `GET /v1/usage` (a tenant, or a project of a tenant). */
export interface UsageLine {
  readonly tenantId: string;
  readonly projectId?: string;
  readonly jobs: number;
  readonly gpuHoursByModel: Readonly<Record<string, number>>;
  readonly itEnergyKWh: number;
  readonly overheadEnergyKWh: number;
  readonly energyKWh: number;
  readonly co2Kg: number;
  readonly waterL: number;
}

/** `GET /v1/usage`. */
export interface UsageAnswer {
  readonly from: string;
  readonly to: string;
  readonly source: string;
  readonly tenants: readonly UsageLine[];
  readonly projects: readonly UsageLine[];
}

/** The figures a row or a chart shows. */
export const usageMeasures = [
  { key: "gpuHours", label: "GPU-hours", unit: "GPU·h", digits: 1 },
  { key: "energyKWh", label: "Energy (IT and its share of the facility)", unit: "kWh", digits: 0 },
  { key: "co2Kg", label: "CO₂", unit: "kg", digits: 1 },
  { key: "waterL", label: "Water", unit: "L", digits: 0 },
] as const;
/** A measure's key. */
export type UsageMeasure = (typeof usageMeasures)[number]["key"];

/** One project in one month. */
export interface UsageCell {
  readonly jobs: number;
  readonly gpuHours: number;
  readonly energyKWh: number;
  readonly co2Kg: number;
  readonly waterL: number;
}

/** Usage by month (oldest first) and project. */
export interface MonthlyUsage {
  readonly months: readonly { readonly label: string; readonly fromMs: number; readonly toMs: number }[];
  /** Project id → name (the caller's projects), tenant id when a line has no project. */
  readonly projects: readonly { readonly key: string; readonly name: string; readonly tenantId: string }[];
  /** cells[month][project index]. */
  readonly cells: readonly (readonly UsageCell[])[];
  readonly source: string;
  /** The platform's clock when read (the end of the last month shown). */
  readonly nowMs: number;
}

/** Milliseconds the zone is ahead of UTC at `epochMs`. */
function zoneOffsetMs(zone: string, epochMs: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(epochMs))
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(
    parts["year"]!,
    parts["month"]! - 1,
    parts["day"]!,
    parts["hour"]!,
    parts["minute"]!,
    parts["second"]!,
  );
  return wall - Math.floor(epochMs / 1000) * 1000;
}

/** Midnight on the first of `month` (0–11, may overflow) of `year` in `zone`, epoch ms. */
export function monthStartMs(year: number, month: number, zone: string): number {
  const wall = Date.UTC(year, month, 1);
  const first = wall - zoneOffsetMs(zone, wall);
  return wall - zoneOffsetMs(zone, first);
}

/** The last `count` months up to the one holding `nowMs`, in `zone`; the current month ends at `nowMs`. */
export function monthsUpTo(nowMs: number, count: number, zone: string): MonthlyUsage["months"] {
  const local = new Date(nowMs + zoneOffsetMs(zone, nowMs));
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const months: { label: string; fromMs: number; toMs: number }[] = [];
  for (let back = count - 1; back >= 0; back--) {
    const fromMs = monthStartMs(year, month - back, zone);
    const toMs = back === 0 ? nowMs : monthStartMs(year, month - back + 1, zone);
    const label = new Date(Date.UTC(year, month - back, 1)).toISOString().slice(0, 7);
    months.push({ label, fromMs, toMs });
  }
  return months;
}

const gpuHoursOf = (line: UsageLine) => Object.values(line.gpuHoursByModel).reduce((sum, hours) => sum + hours, 0);

/** Arranges monthly answers into cells by project (named from `names`, project id → name). */
export function arrangeUsage(
  months: MonthlyUsage["months"],
  answers: readonly UsageAnswer[],
  names: ReadonlyMap<string, string>,
  nowMs: number,
): MonthlyUsage {
  const projects: { key: string; name: string; tenantId: string }[] = [];
  const indexOf = new Map<string, number>();
  for (const answer of answers) {
    for (const line of answer.projects) {
      const key = line.projectId ?? line.tenantId;
      if (indexOf.has(key)) continue;
      indexOf.set(key, projects.length);
      projects.push({ key, name: names.get(key) ?? key, tenantId: line.tenantId });
    }
  }
  projects.sort((a, b) => a.tenantId.localeCompare(b.tenantId) || a.name.localeCompare(b.name));
  projects.forEach((project, index) => {
    indexOf.set(project.key, index);
  });
  const cells = answers.map((answer) => {
    const row: UsageCell[] = projects.map(() => ({ jobs: 0, gpuHours: 0, energyKWh: 0, co2Kg: 0, waterL: 0 }));
    for (const line of answer.projects) {
      row[indexOf.get(line.projectId ?? line.tenantId)!] = {
        jobs: line.jobs,
        gpuHours: gpuHoursOf(line),
        energyKWh: line.energyKWh,
        co2Kg: line.co2Kg,
        waterL: line.waterL,
      };
    }
    return row;
  });
  return { months, projects, cells, source: answers[0]?.source ?? "", nowMs };
}

/**
 * Reads the last `count` months of the caller's usage, by project, with project names when the caller may read
 * projects (`withNames`; a facility operator sees project ids).
 */
export async function loadMonthlyUsage(
  client: ApiClient,
  count: number,
  withNames: boolean,
  signal?: AbortSignal,
): Promise<MonthlyUsage> {
  // The platform's clock may run ahead of the wall clock (a simulated site): its "now" ends the last month.
  const latest = await client.get<UsageAnswer>("/v1/usage", signal);
  const nowMs = Date.parse(latest.to);
  const months = monthsUpTo(nowMs, count, timeZoneShown());
  const [answers, projects] = await Promise.all([
    Promise.all(
      months.map((month) =>
        client.get<UsageAnswer>(
          `/v1/usage?from=${encodeURIComponent(new Date(month.fromMs).toISOString())}&to=${encodeURIComponent(new Date(month.toMs).toISOString())}`,
          signal,
        ),
      ),
    ),
    withNames ? client.get<{ id: string; name: string }[]>("/v1/projects", signal) : Promise.resolve([]),
  ]);
  return arrangeUsage(months, answers, new Map(projects.map((project) => [project.id, project.name])), nowMs);
}

const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** Usage as CSV, one line per month and project. */
export function monthlyUsageCsv(usage: MonthlyUsage): string {
  const lines = ["month,tenant,project,jobs,gpu_hours,energy_kwh,co2_kg,water_l"];
  usage.months.forEach((month, monthIndex) => {
    usage.projects.forEach((project, projectIndex) => {
      const cell = usage.cells[monthIndex]![projectIndex]!;
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
        ].join(","),
      );
    });
  });
  return `${lines.join("\n")}\n`;
}
