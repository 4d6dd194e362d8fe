/**
 * What-if: builds a scenario from parameters (heat wave, units out of service, water class, rack rating, added rows),
 * optionally starting from a shipped scenario (the names of `alixan simulate --scenario`), and runs the twin for the
 * baseline and the scenario over the same days (`POST /v1/whatif`). The result shows what ran in the server's own
 * words, the weather of each run, the KPIs side by side, throttling and trips for every rack type and the overlaid
 * series; the charts save as PNG or SVG, the series and KPIs as CSV.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError, describeError } from "../api/client.ts";
import { type Scenario, scenarios, type WhatIfResult, waterClasses } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { download } from "../components/chart-export.ts";
import { Field } from "../components/field.tsx";
import { Unavailable } from "../components/status.tsx";
import { TimeSeriesChart, type TimeSeriesChartProps } from "../components/TimeSeriesChart.tsx";
import { formatNumber } from "../format.ts";
import {
  emptyWhatIfForm,
  kpiRows,
  type WhatIfForm,
  whatIfCsv,
  whatIfInputOf,
  whatIfKpiCsv,
  whatIfRequestOf,
} from "./whatif-data.ts";

/** What each shipped scenario file holds (src/twin/scenarios/). */
const scenarioText: Record<Scenario, string> = {
  "heat-wave": "4-day canicule from 20 July (40 °C by day, 24 °C at night) with cdu:h1-r001-01 out for 4 hours",
  "cdu-failure": "cdu:h1-r001-01 out of service from 20 to 22 July",
  w32: "facility water at ASHRAE W32 (32 °C supply)",
  w45: "facility water at ASHRAE W45, with every rack rated for 50 °C coolant",
  growth: "hall 1 filling up, fouled coils in hall 8, adiabatic assist, ten HGX rows added in hall 8 on 3 September",
};

/** What the what-if form's field groups share: the values, their setters and the refusal to show beside an input. */
interface WhatIfFields {
  readonly form: WhatIfForm;
  readonly set: <Key extends keyof WhatIfForm>(key: Key, value: WhatIfForm[Key]) => void;
  /** `value` and `onChange` of a text input bound to `key`. */
  readonly text: (key: keyof WhatIfForm) => { value: string; onChange: (event: { target: { value: string } }) => void };
  /** The refusal to show beside the input with this id, if it is the one the API named. */
  readonly errorOf: (id: string) => string | undefined;
}

/** The scenario to start from and the window: days and first day. */
function WhatIfWindowFields(props: WhatIfFields) {
  const { form, set, text, errorOf } = props;
  return (
    <fieldset>
      <legend>Scenario and window</legend>
      <Field id="whatif-scenario" label="Start from a shipped scenario (optional)" error={errorOf("whatif-scenario")}>
        {(attributes) => (
          <select
            {...attributes}
            value={form.scenario}
            onChange={(event) => set("scenario", event.target.value as Scenario | "")}
          >
            <option value="">None: only the changes below</option>
            {scenarios.map((name) => (
              <option key={name} value={name}>
                {name}: {scenarioText[name]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="field-row">
        <Field id="whatif-days" label="Days (1–14)" error={errorOf("whatif-days")}>
          {(attributes) => <input {...attributes} inputMode="numeric" {...text("days")} />}
        </Field>
        <Field id="whatif-start-day" label="First day (day of year, optional)" error={errorOf("whatif-start-day")}>
          {(attributes) => <input {...attributes} inputMode="numeric" {...text("startDay")} />}
        </Field>
      </div>
    </fieldset>
  );
}

/** A heat wave: its peak, days, night minimum, first day, and whether the baseline has it too. */
function WhatIfHeatWaveFields(props: WhatIfFields) {
  const { form, set, text, errorOf } = props;
  return (
    <fieldset>
      <legend>Heat wave</legend>
      <div className="radio">
        <input
          type="checkbox"
          id="whatif-wave-on"
          checked={form.heatWave}
          onChange={(event) => set("heatWave", event.target.checked)}
        />
        <label htmlFor="whatif-wave-on">Add a heat wave</label>
      </div>
      {form.heatWave ? (
        <>
          <div className="field-row">
            <Field id="whatif-peak" label="Peak (°C)" error={errorOf("whatif-peak")}>
              {(attributes) => <input {...attributes} inputMode="decimal" {...text("peakC")} />}
            </Field>
            <Field id="whatif-wave-days" label="Days" error={errorOf("whatif-wave-days")}>
              {(attributes) => <input {...attributes} inputMode="numeric" {...text("waveDays")} />}
            </Field>
            <Field id="whatif-night" label="Night minimum (°C)" error={errorOf("whatif-night")}>
              {(attributes) => <input {...attributes} inputMode="decimal" {...text("nightMinimumC")} />}
            </Field>
            <Field
              id="whatif-wave-start"
              label="First hot day (day of year, optional)"
              error={errorOf("whatif-wave-start")}
            >
              {(attributes) => <input {...attributes} inputMode="numeric" {...text("waveStartDay")} />}
            </Field>
          </div>
          <div className="radio">
            <input
              type="checkbox"
              id="whatif-wave-baseline"
              checked={form.heatWaveInBaseline}
              onChange={(event) => set("heatWaveInBaseline", event.target.checked)}
            />
            <label htmlFor="whatif-wave-baseline">
              Also in the baseline <span className="muted">(compare the other changes under the same heat)</span>
            </label>
          </div>
        </>
      ) : null}
    </fieldset>
  );
}

/** Units out of service, the facility water class, a rack type re-rated, the operator's response to latches. */
function WhatIfEquipmentFields(props: WhatIfFields) {
  const { form, set, text, errorOf } = props;
  return (
    <fieldset>
      <legend>Equipment and ratings</legend>
      <Field
        id="whatif-fail"
        label="Units out of service (ids, comma or space separated)"
        error={errorOf("whatif-fail")}
      >
        {(attributes) => (
          <input {...attributes} placeholder="cdu:h1-r001-01 pump:h1-01" spellCheck={false} {...text("fail")} />
        )}
      </Field>
      <div className="field-row">
        <Field id="whatif-water" label="Facility water class" error={errorOf("whatif-water")}>
          {(attributes) => (
            <select
              {...attributes}
              value={form.waterClass}
              onChange={(event) => set("waterClass", event.target.value as WhatIfForm["waterClass"])}
            >
              <option value="">Unchanged</option>
              {waterClasses.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="whatif-rating-type"
          label="Rack type to re-rate (empty: every type)"
          error={errorOf("whatif-rating-type")}
        >
          {(attributes) => <input {...attributes} placeholder="nvl72" spellCheck={false} {...text("ratingType")} />}
        </Field>
        <Field id="whatif-rating" label="Rated coolant supply (°C)" error={errorOf("whatif-rating")}>
          {(attributes) => <input {...attributes} inputMode="decimal" {...text("ratingC")} />}
        </Field>
      </div>
      <Field
        id="whatif-operator"
        label="Operator restarts latched racks after (minutes, or off; empty: the site's)"
        error={errorOf("whatif-operator")}
      >
        {(attributes) => <input {...attributes} placeholder="30" spellCheck={false} {...text("operatorResponse")} />}
      </Field>
    </fieldset>
  );
}

/** Racks added: rows of a pattern in a hall. */
function WhatIfAddedRacksFields(props: WhatIfFields) {
  const { text, errorOf } = props;
  return (
    <fieldset>
      <legend>Added racks</legend>
      <div className="field-row">
        <Field id="whatif-more-hall" label="Hall" error={errorOf("whatif-more-hall")}>
          {(attributes) => <input {...attributes} placeholder="hall:h8" spellCheck={false} {...text("moreHall")} />}
        </Field>
        <Field id="whatif-more-pattern" label="Row pattern" error={errorOf("whatif-more-pattern")}>
          {(attributes) => <input {...attributes} placeholder="hgx-row" spellCheck={false} {...text("morePattern")} />}
        </Field>
        <Field id="whatif-more-rows" label="Rows" error={errorOf("whatif-more-rows")}>
          {(attributes) => <input {...attributes} inputMode="numeric" {...text("moreRows")} />}
        </Field>
      </div>
    </fieldset>
  );
}

/** The what-if page: the form (its field groups below), the run with its progress and cancel, and the result. */
export function WhatIfPage() {
  const { client, capabilities } = useSession();
  const [form, setForm] = useState<WhatIfForm>({ ...emptyWhatIfForm, heatWave: true, days: "3" });
  const [running, setRunning] = useState<{ started: number; controller: AbortController } | undefined>(undefined);
  const [elapsed, setElapsed] = useState(0);
  const [result, setResult] = useState<WhatIfResult | undefined>(undefined);
  const [problem, setProblem] = useState<{ text: string; input?: string } | undefined>(undefined);
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

  const set = <Key extends keyof WhatIfForm>(key: Key, value: WhatIfForm[Key]) =>
    setForm((previous) => ({ ...previous, [key]: value }));
  const text = (key: keyof WhatIfForm) => ({
    value: String(form[key]),
    onChange: (event: { target: { value: string } }) => set(key, event.target.value as never),
  });

  const errorOf = (id: string) => (problem?.input === id ? problem.text : undefined);
  const fields: WhatIfFields = { form, set, text, errorOf };

  const run = async (event: FormEvent) => {
    event.preventDefault();
    const controller = new AbortController();
    setRunning({ started: performance.now(), controller });
    setElapsed(0);
    setProblem(undefined);
    try {
      setResult(await client.post<WhatIfResult>("/v1/whatif", whatIfRequestOf(form), controller.signal));
    } catch (error) {
      if (controller.signal.aborted) setProblem({ text: "Cancelled." });
      else {
        const item = error instanceof ApiError ? error.problem.errors?.[0] : undefined;
        const input = item === undefined ? undefined : whatIfInputOf(item.field);
        setProblem(
          item === undefined || input === undefined ? { text: describeError(error) } : { text: item.message, input },
        );
        if (input !== undefined) document.getElementById(input)?.focus();
      }
    } finally {
      setRunning(undefined);
    }
  };

  const saveCsv = (kind: "series" | "kpis") => {
    if (result === undefined) return;
    const body = kind === "series" ? whatIfCsv(result) : whatIfKpiCsv(result);
    download(`alixan-whatif-${kind}-day${result.startDay}-${result.days}d.csv`, new Blob([body], { type: "text/csv" }));
  };

  return (
    <section aria-labelledby="whatif-title">
      <div className="page-head">
        <h1 id="whatif-title">What-if</h1>
      </div>
      <form className="panel whatif-form" onSubmit={run} noValidate>
        <WhatIfWindowFields {...fields} />
        <WhatIfHeatWaveFields {...fields} />
        <WhatIfEquipmentFields {...fields} />
        <WhatIfAddedRacksFields {...fields} />
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
          {problem === undefined || problem.input !== undefined ? null : (
            <p className="notice notice-error">{problem.text}</p>
          )}
        </div>
      </form>
      {result === undefined ? null : <WhatIfResultView result={result} headingRef={resultHeading} onCsv={saveCsv} />}
    </section>
  );
}

/** The share of a cell's tripped rack-hours spent latched off after repeated trips, when there is one. */
function LatchedPart(props: { hours: number }) {
  return props.hours < 0.05 ? null : <span className="muted"> ({formatNumber(props.hours, 1)} latched)</span>;
}

/** A result: its head with the CSV buttons, then what ran, the KPIs, throttling by rack type and the charts. */
function WhatIfResultView(props: {
  result: WhatIfResult;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  onCsv: (kind: "series" | "kpis") => void;
}) {
  const { result } = props;
  return (
    <section className="whatif-result" aria-labelledby="whatif-result-title" data-scenario={result.scenario ?? ""}>
      <div className="section-head">
        <h2 id="whatif-result-title" ref={props.headingRef} tabIndex={-1}>
          What ran: {result.days} day{result.days === 1 ? "" : "s"} from day {result.startDay}
        </h2>
        <button type="button" onClick={() => props.onCsv("series")}>
          Series (CSV)
        </button>
        <button type="button" onClick={() => props.onCsv("kpis")}>
          KPIs (CSV)
        </button>
      </div>
      <WhatIfRan result={result} />
      <WhatIfKpiTable result={result} />
      <WhatIfThrottlingTable result={result} />
      <WhatIfCharts result={result} />
    </section>
  );
}

/** What ran, in the server's words: the description, one line per change and each run's weather. */
function WhatIfRan(props: { result: WhatIfResult }) {
  const { result } = props;
  return (
    <div className="panel">
      <p className="whatif-description" data-testid="whatif-description">
        {result.description}
      </p>
      <ul className="whatif-ran" aria-label="Changes in the scenario run">
        {result.changes.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p className="muted whatif-weather">
        Weather: baseline {result.weather.baseline}; scenario {result.weather.variant}.
      </p>
    </div>
  );
}

/** Both runs' KPIs side by side with the change, marked worse or better where higher is worse. */
function WhatIfKpiTable(props: { result: WhatIfResult }) {
  const { result } = props;
  return (
    <table className="data whatif-kpis">
      <caption className="visually-hidden">Key figures of both runs</caption>
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
                {visible ? (change > 0 ? "+" : "") : ""}
                {formatNumber(visible ? change : 0, row.digits)}
                {unit}
                {visible && Math.abs(baseline) > 1e-9
                  ? ` (${change > 0 ? "+" : ""}${formatNumber((change / baseline) * 100, 1)} %)`
                  : ""}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Throttled and tripped rack-hours of every rack type in both runs (the scenario marked where it is worse). */
function WhatIfThrottlingTable(props: { result: WhatIfResult }) {
  return (
    <table className="data whatif-throttling">
      <caption>
        Throttling and trips by rack type (hours racks ran below full power; hours they were off after a trip, of which
        latched off after repeated trips)
      </caption>
      <thead>
        <tr>
          <th scope="col">Rack type</th>
          <th scope="col">Racks</th>
          <th scope="col">Throttled, baseline</th>
          <th scope="col">Throttled, scenario</th>
          <th scope="col">Tripped, baseline</th>
          <th scope="col">Tripped, scenario</th>
        </tr>
      </thead>
      <tbody>
        {props.result.throttling.map((line) => (
          <tr key={line.rackType} data-rack-type={line.rackType}>
            <th scope="row">
              {line.rackType} <span className="muted">{line.description}</span>
            </th>
            <td className="number">{formatNumber(line.racks)}</td>
            <td className="number">{formatNumber(line.baselineRackHours, 1)} rack-h</td>
            <td className={`number${line.variantRackHours > line.baselineRackHours + 0.05 ? " worse" : ""}`}>
              {formatNumber(line.variantRackHours, 1)} rack-h
            </td>
            <td className="number">
              {formatNumber(line.baselineTrippedRackHours, 1)} rack-h
              <LatchedPart hours={line.baselineLatchedRackHours} />
            </td>
            <td
              className={`number${line.variantTrippedRackHours > line.baselineTrippedRackHours + 0.05 ? " worse" : ""}`}
            >
              {formatNumber(line.variantTrippedRackHours, 1)} rack-h
              <LatchedPart hours={line.variantLatchedRackHours} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The what-if charts: a series of both runs, its title, unit and scale (`divisor` 1000: kW shown as MW). */
const whatIfCharts: readonly (Pick<TimeSeriesChartProps, "title" | "unit" | "digits" | "minSpan" | "fromZero"> & {
  readonly key: "outdoorC" | "pue" | "fwsSupplyC" | "facilityKW";
  readonly divisor?: number;
})[] = [
  { title: "Outdoor temperature", unit: "°C", key: "outdoorC" },
  { title: "PUE", unit: "", digits: 3, minSpan: 0.1, key: "pue" },
  { title: "Facility water supply", unit: "°C", key: "fwsSupplyC" },
  { title: "Facility power", unit: "MW", fromZero: true, key: "facilityKW", divisor: 1000 },
];

/** The baseline and the scenario overlaid: outdoor temperature, PUE, facility water supply and facility power. */
function WhatIfCharts(props: { result: WhatIfResult }) {
  const { result } = props;
  const { series } = result;
  return (
    <div className="chart-grid">
      {whatIfCharts.map(({ key, divisor = 1, ...chart }) => (
        <TimeSeriesChart
          key={key}
          {...chart}
          time={series.time}
          exportAs={`whatif-day${result.startDay}`}
          series={[
            { label: "Baseline", colour: "#4e79a7", values: series.baseline[key].map((value) => value / divisor) },
            {
              label: "Scenario",
              colour: "#e15759",
              values: series.variant[key].map((value) => value / divisor),
              dash: [6, 3],
            },
          ]}
        />
      ))}
    </div>
  );
}
