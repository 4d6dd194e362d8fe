/**
 * Usage: what the signed-in tenant (or, for staff, every tenant) used, by project and month: GPU-hours, energy with
 * its share of the facility overhead, CO₂ and water, as charts and a table, downloadable as CSV. Figures come from
 * `usage-data.ts`; no tariff is configured on the platform, so no cost is shown rather than an invented one.
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/client.ts";
import { useSession } from "../app/session-context.tsx";
import { BarChart } from "../components/BarChart.tsx";
import { download } from "../components/chart-export.ts";
import { Loading } from "../components/status.tsx";
import { formatNumber, formatTime } from "../format.ts";
import { loadMonthlyUsage, type MonthlyUsage, monthlyUsageCsv, usageMeasures } from "./usage-data.ts";

const palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f", "#bab0ac"];
const monthOptions = [3, 6, 12] as const;

export function UsagePage() {
  const { client, me, permissions } = useSession();
  const [count, setCount] = useState<(typeof monthOptions)[number]>(6);
  const [usage, setUsage] = useState<MonthlyUsage | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    setProblem(undefined);
    loadMonthlyUsage(client, count, permissions.readProjects, controller.signal)
      .then(setUsage)
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(describeError(error));
      });
    return () => controller.abort();
  }, [client, count, permissions.readProjects]);

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
          By project and month for {whose}. Energy includes each hour's share of the facility overhead (cooling, power
          losses). No tariff is configured, so no cost is shown.
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
      {problem !== undefined ? (
        <p className="notice notice-error">{problem}</p>
      ) : usage === undefined ? (
        <Loading what="your usage" />
      ) : usage.projects.length === 0 ? (
        <p className="notice">No jobs ran in these months.</p>
      ) : (
        <UsageView usage={usage} />
      )}
    </section>
  );
}

function UsageView(props: { usage: MonthlyUsage }) {
  const { usage } = props;
  const categories = usage.months.map((month) => month.label);
  const totals = usage.cells.reduce(
    (sum, row) => {
      for (const cell of row) {
        sum.gpuHours += cell.gpuHours;
        sum.energyKWh += cell.energyKWh;
        sum.co2Kg += cell.co2Kg;
        sum.waterL += cell.waterL;
      }
      return sum;
    },
    { gpuHours: 0, energyKWh: 0, co2Kg: 0, waterL: 0 },
  );
  return (
    <>
      <p className="muted">
        {usage.source === "" ? "" : `Source: ${usage.source}. `}Up to {formatTime(usage.nowMs)}. Totals:{" "}
        {usageMeasures
          .map((measure) => `${formatNumber(totals[measure.key], measure.digits)} ${measure.unit}`)
          .join(" · ")}
      </p>
      <div className="chart-grid">
        {usageMeasures.map((measure) => (
          <BarChart
            key={measure.key}
            title={measure.label}
            unit={measure.unit}
            digits={measure.digits}
            categories={categories}
            exportAs="usage"
            series={usage.projects.map((project, index) => ({
              label: project.name,
              colour: palette[index % palette.length]!,
              values: usage.cells.map((row) => row[index]![measure.key]),
            }))}
          />
        ))}
      </div>
      <table className="data usage-table">
        <caption>Usage by month and project</caption>
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
                    {project.name === project.key ? null : <span className="muted"> · {project.tenantId}</span>}
                  </th>
                  <td className="number">{formatNumber(cell.jobs)}</td>
                  {usageMeasures.map((measure) => (
                    <td className="number" key={measure.key}>
                      {formatNumber(cell[measure.key], measure.digits)}
                    </td>
                  ))}
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </>
  );
}
