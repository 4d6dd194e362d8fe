/**
 * What-if: runs the twin on the current site for a baseline and a scenario over the same days (`POST /v1/whatif`),
 * then shows their KPIs side by side and overlays their series. The series can be downloaded as CSV for a meeting.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError, describeError } from "../api/client.ts";
import { type Scenario, scenarios, type WhatIfResult } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { Unavailable } from "../components/status.tsx";
import { TimeSeriesChart } from "../components/TimeSeriesChart.tsx";
import { formatNumber } from "../format.ts";
import { kpiRows, whatIfCsv } from "./whatif-data.ts";

const scenarioText: Record<Scenario, { label: string; detail: string }> = {
  heatwave: { label: "Heat wave", detail: "The typical year's days replaced by a canicule (38–40 °C by day)." },
  "cdu-failure": { label: "CDU failure", detail: "One CDU of the most loaded row loops out of service." },
  w32: { label: "Facility water W32", detail: "Facility water supply held at the ASHRAE W32 class (32 °C)." },
  w45: { label: "Facility water W45", detail: "Warmer facility water (W45, 45 °C): fewer chiller hours." },
  "more-racks": { label: "More racks", detail: "More NVL72-class racks in the last halls on the same plants." },
};

export function WhatIfPage() {
  const { client, capabilities } = useSession();
  const [scenario, setScenario] = useState<Scenario>("heatwave");
  const [days, setDays] = useState("3");
  const [running, setRunning] = useState<{ started: number; controller: AbortController } | undefined>(undefined);
  const [elapsed, setElapsed] = useState(0);
  const [result, setResult] = useState<WhatIfResult | undefined>(undefined);
  const [problem, setProblem] = useState<{ text: string; field?: string } | undefined>(undefined);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (running === undefined) return;
    const timer = setInterval(() => setElapsed((performance.now() - running.started) / 1000), 250);
    return () => clearInterval(timer);
  }, [running]);

  useEffect(() => {
    if (result !== undefined) resultHeading.current?.focus();
  }, [result]);

  if (!capabilities.whatIf) {
    return (
      <section aria-labelledby="whatif-title">
        <h1 id="whatif-title">What-if</h1>
        <Unavailable feature="What-if runs" route="POST /v1/whatif" />
      </section>
    );
  }

  const run = async (event: FormEvent) => {
    event.preventDefault();
    const controller = new AbortController();
    setRunning({ started: performance.now(), controller });
    setElapsed(0);
    setProblem(undefined);
    const dayCount = days.trim() === "" ? undefined : Number(days);
    try {
      const answer = await client.post<WhatIfResult>(
        "/v1/whatif",
        { scenario, ...(dayCount === undefined ? {} : { days: dayCount }) },
        controller.signal,
      );
      setResult(answer);
    } catch (error) {
      if (controller.signal.aborted) setProblem({ text: "Cancelled." });
      else {
        const field =
          error instanceof ApiError ? error.problem.errors?.find((item) => /days/.test(item.field)) : undefined;
        setProblem(field === undefined ? { text: describeError(error) } : { text: field.message, field: "days" });
      }
    } finally {
      setRunning(undefined);
    }
  };

  const download = () => {
    if (result === undefined) return;
    const url = URL.createObjectURL(new Blob([whatIfCsv(result)], { type: "text/csv" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `alixan-whatif-${result.scenario}-${result.days}d.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section aria-labelledby="whatif-title">
      <div className="page-head">
        <h1 id="whatif-title">What-if</h1>
      </div>
      <form className="panel whatif-form" onSubmit={run} noValidate>
        <fieldset>
          <legend>Scenario</legend>
          {scenarios.map((option) => (
            <div key={option} className="radio">
              <input
                type="radio"
                id={`scenario-${option}`}
                name="scenario"
                value={option}
                checked={scenario === option}
                onChange={() => setScenario(option)}
              />
              <label htmlFor={`scenario-${option}`}>
                <strong>{scenarioText[option].label}</strong>{" "}
                <span className="muted">{scenarioText[option].detail}</span>
              </label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="whatif-days">Days (1–14)</label>
          <input
            id="whatif-days"
            type="number"
            inputMode="numeric"
            value={days}
            onChange={(event) => setDays(event.target.value)}
            aria-invalid={problem?.field === "days"}
            aria-describedby={problem?.field === "days" ? "whatif-days-error" : undefined}
          />
          {problem?.field === "days" ? (
            <span id="whatif-days-error" className="field-error">
              {problem.text}
            </span>
          ) : null}
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={running !== undefined}>
            {running === undefined ? "Run" : "Running…"}
          </button>
          {running === undefined ? null : (
            <button type="button" onClick={() => running.controller.abort()}>
              Cancel
            </button>
          )}
        </div>
        <div aria-live="polite" className="live-region">
          {running === undefined ? null : (
            <p role="status">Running the twin for the baseline and the scenario… {formatNumber(elapsed, 0)} s</p>
          )}
          {problem === undefined || problem.field !== undefined ? null : (
            <p className="notice notice-error">{problem.text}</p>
          )}
        </div>
      </form>
      {result === undefined ? null : (
        <section className="whatif-result" aria-labelledby="whatif-result-title" data-scenario={result.scenario}>
          <div className="section-head">
            <h2 id="whatif-result-title" ref={resultHeading} tabIndex={-1}>
              {scenarioText[result.scenario]?.label ?? result.scenario} against the baseline, {result.days} day
              {result.days === 1 ? "" : "s"}
            </h2>
            <button type="button" onClick={download}>
              Download series (CSV)
            </button>
          </div>
          <table className="data whatif-kpis">
            <thead>
              <tr>
                <th scope="col">KPI</th>
                <th scope="col">Baseline</th>
                <th scope="col">Scenario</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {kpiRows.map((row) => {
                const baseline = result.baseline[row.key];
                const variant = result.variant[row.key];
                const change = variant - baseline;
                // A change too small to show at the row's precision is no change.
                const visible = Math.abs(change) >= 0.5 * 10 ** -row.digits;
                const worse = row.higherIsWorse && visible && change > 0;
                const better = row.higherIsWorse && visible && change < 0;
                const unit = row.unit === "" ? "" : ` ${row.unit}`;
                return (
                  <tr key={row.key}>
                    <th scope="row">{row.label}</th>
                    <td className="number">
                      {formatNumber(baseline, row.digits)}
                      {unit}
                    </td>
                    <td className="number">
                      {formatNumber(variant, row.digits)}
                      {unit}
                    </td>
                    <td className={`number${worse ? " worse" : better ? " better" : ""}`}>
                      {change > 0 ? "+" : ""}
                      {formatNumber(change, row.digits)}
                      {unit}
                      {Math.abs(baseline) > 1e-9
                        ? ` (${change > 0 ? "+" : ""}${formatNumber((change / baseline) * 100, 1)} %)`
                        : ""}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="chart-grid">
            <TimeSeriesChart
              title="PUE"
              time={result.series.time}
              unit=""
              digits={3}
              minSpan={0.1}
              series={[
                { label: "Baseline", colour: "#4e79a7", values: result.series.baseline.pue },
                { label: "Scenario", colour: "#e15759", values: result.series.variant.pue, dash: [6, 3] },
              ]}
            />
            <TimeSeriesChart
              title="Facility water supply"
              time={result.series.time}
              unit="°C"
              series={[
                { label: "Baseline", colour: "#4e79a7", values: result.series.baseline.fwsSupplyC },
                { label: "Scenario", colour: "#e15759", values: result.series.variant.fwsSupplyC, dash: [6, 3] },
              ]}
            />
            <TimeSeriesChart
              title="Facility power"
              time={result.series.time}
              unit="MW"
              fromZero
              series={[
                {
                  label: "Baseline",
                  colour: "#4e79a7",
                  values: result.series.baseline.facilityKW.map((value) => value / 1000),
                },
                {
                  label: "Scenario",
                  colour: "#e15759",
                  values: result.series.variant.facilityKW.map((value) => value / 1000),
                  dash: [6, 3],
                },
              ]}
            />
          </div>
        </section>
      )}
    </section>
  );
}
