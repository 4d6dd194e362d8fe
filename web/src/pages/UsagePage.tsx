/**
 * Usage: what the signed-in tenant (or, for staff, every tenant) used, by project (by name) and month: GPU-hours,
 * energy with its share of the facility overhead, CO₂ and water, and cost when the platform has prices
 * (`ALIXAN_USAGE_PRICES`), as charts and a table, downloadable as CSV. Figures are the monthly statements
 * (`usage-data.ts`); without prices no cost is shown rather than an invented one, and the page says so.
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/client.ts";
import type { UsagePrices } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { BarChart } from "../components/BarChart.tsx";
import { download } from "../components/chart-export.ts";
import { Loading } from "../components/status.tsx";
import { formatNumber, formatTime } from "../format.ts";
import { loadMonthlyUsage, type MonthlyUsage, monthlyUsageCsv, usageMeasures } from "./usage-data.ts";

const palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f", "#bab0ac"];
const monthOptions = [3, 6, 12] as const;

/** An amount in the prices' currency (`€12.40`). */
export function formatMoney(amount: number, currency: string): string {
  return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(amount);
}

/** The price list in words (`€0.11 per kWh · GPU-hour: H200 €2.40, any other €1.80 · €0.01 per CPU core-hour`). */
function describePrices(prices: NonNullable<UsagePrices>): string {
  const money = (amount: number) => formatMoney(amount, prices.currency);
  const parts: string[] = [];
  if (prices.energyPerKWh !== undefined) parts.push(`${money(prices.energyPerKWh)} per kWh`);
  const gpu = Object.entries(prices.gpuHour ?? {});
  if (gpu.length > 0) {
    parts.push(
      `GPU-hour: ${gpu.map(([model, price]) => `${model === "*" ? "any other model" : model} ${money(price)}`).join(", ")}`,
    );
  }
  if (prices.cpuCoreHour !== undefined) parts.push(`${money(prices.cpuCoreHour)} per CPU core-hour`);
  return parts.length === 0 ? `no priced item (${prices.currency})` : parts.join(" · ");
}

export function UsagePage() {
  const { client, me, permissions } = useSession();
  const [count, setCount] = useState<(typeof monthOptions)[number]>(6);
  const [usage, setUsage] = useState<MonthlyUsage | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    setProblem(undefined);
    loadMonthlyUsage(client, count, controller.signal)
      .then(setUsage)
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(describeError(error));
      });
    return () => controller.abort();
  }, [client, count]);

  const whose = permissions.staff ? "every tenant" : me.tenantId === null ? "you" : me.tenantId;
  const saveCsv = () => {
    if (usage === undefined) return;
    const last = usage.months.at(-1)?.label ?? "usage";
    download(`alixan-usage-${last}-${count}months.csv`, new Blob([monthlyUsageCsv(usage)], { type: "text/csv" }));
  };

  return (
    <section aria-labelledby="usage-title">
      <div className="page-head">
        <h1 id="usage-title">Usage</h1>
        <p className="muted">
          By project and month (UTC calendar months, as statements are) for {whose}. Energy includes each hour's share
          of the facility overhead (cooling, power losses).
        </p>
      </div>
      <div className="toolbar">
        <label htmlFor="usage-months">Months</label>
        <select
          id="usage-months"
          value={count}
          onChange={(event) => setCount(Number(event.target.value) as (typeof monthOptions)[number])}
        >
          {monthOptions.map((option) => (
            <option key={option} value={option}>
              Last {option}
            </option>
          ))}
        </select>
        <button type="button" onClick={saveCsv} disabled={usage === undefined}>
          Download (CSV)
        </button>
      </div>
      {usage === undefined ? null : usage.prices === null ? (
        <p className="notice" data-prices="none">
          No prices configured: usage is shown without cost.
        </p>
      ) : (
        <p className="notice" data-prices={usage.prices.currency}>
          Prices: {describePrices(usage.prices)}.
        </p>
      )}
      {problem !== undefined ? (
        <p className="notice notice-error">{problem}</p>
      ) : usage === undefined ? (
        <Loading what="your usage" />
      ) : usage.projects.length === 0 ? (
        <p className="notice">No jobs ran in these months.</p>
      ) : (
        <UsageView usage={usage} staff={permissions.staff} />
      )}
    </section>
  );
}

function UsageView(props: { usage: MonthlyUsage; staff: boolean }) {
  const { usage } = props;
  const currency = usage.prices?.currency;
  const categories = usage.months.map((month) => month.label);
  const totals = { gpuHours: 0, energyKWh: 0, co2Kg: 0, waterL: 0, cost: 0 };
  for (const row of usage.cells) {
    for (const cell of row) {
      totals.gpuHours += cell.gpuHours;
      totals.energyKWh += cell.energyKWh;
      totals.co2Kg += cell.co2Kg;
      totals.waterL += cell.waterL;
      totals.cost += cell.cost?.total ?? 0;
    }
  }
  const series = (value: (cell: MonthlyUsage["cells"][number][number]) => number) =>
    usage.projects.map((project, index) => ({
      label: props.staff ? `${project.name} (${project.tenantId})` : project.name,
      colour: palette[index % palette.length]!,
      values: usage.cells.map((row) => value(row[index]!)),
    }));
  return (
    <>
      <p className="muted">
        {usage.source === "" ? "" : `Source: ${usage.source}. `}Up to {formatTime(usage.nowMs)}. Totals:{" "}
        {usageMeasures
          .map((measure) => `${formatNumber(totals[measure.key], measure.digits)} ${measure.unit}`)
          .join(" · ")}
        {currency === undefined ? "" : ` · cost ${formatMoney(totals.cost, currency)}`}
      </p>
      <div className="chart-grid">
        {currency === undefined ? null : (
          <BarChart
            title={`Cost (${currency})`}
            unit={currency}
            digits={2}
            categories={categories}
            exportAs="usage"
            series={series((cell) => cell.cost?.total ?? 0)}
          />
        )}
        {usageMeasures.map((measure) => (
          <BarChart
            key={measure.key}
            title={measure.label}
            unit={measure.unit}
            digits={measure.digits}
            categories={categories}
            exportAs="usage"
            series={series((cell) => cell[measure.key])}
          />
        ))}
      </div>
      <table className="data usage-table">
        <caption>Usage by month and project{currency === undefined ? "" : `, with cost in ${currency}`}</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Project</th>
            <th scope="col">Jobs</th>
            {usageMeasures.map((measure) => (
              <th scope="col" key={measure.key}>
                {measure.label} ({measure.unit})
              </th>
            ))}
            {currency === undefined ? null : (
              <th scope="col" data-column="cost">
                Cost ({currency})
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {usage.months.flatMap((month, monthIndex) =>
            usage.projects.map((project, projectIndex) => {
              const cell = usage.cells[monthIndex]![projectIndex]!;
              return (
                <tr key={`${month.label}-${project.key}`} data-project={project.key}>
                  <td>{month.label}</td>
                  <th scope="row">
                    {project.name}
                    {props.staff ? <span className="muted"> · {project.tenantId}</span> : null}
                  </th>
                  <td className="number">{formatNumber(cell.jobs)}</td>
                  {usageMeasures.map((measure) => (
                    <td className="number" key={measure.key}>
                      {formatNumber(cell[measure.key], measure.digits)}
                    </td>
                  ))}
                  {currency === undefined ? null : (
                    <td
                      className="number"
                      data-cost={cell.cost?.total ?? 0}
                      title={
                        cell.cost === null
                          ? undefined
                          : `energy ${formatMoney(cell.cost.energy, currency)}, GPU ${formatMoney(cell.cost.gpu, currency)}, CPU ${formatMoney(cell.cost.cpu, currency)}`
                      }
                    >
                      {formatMoney(cell.cost?.total ?? 0, currency)}
                    </td>
                  )}
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </>
  );
}
