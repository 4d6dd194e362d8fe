/**
 * Energy (ranges up to the 24 h the live history keeps): PUE, the power stack (IT, conversion losses, cooling), temperatures, water and carbon. Site series come from
 * `/v1/state/history` over a chosen range and refresh every 10 s; water and carbon come from the live KPIs (the history
 * does not carry them) and are charted since the page opened.
 */
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { openLiveState } from "../api/live.ts";
import type { SiteHistory, SiteState } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { ErrorNotice, Kpi, Loading, Unavailable } from "../components/status.tsx";
import { TimeSeriesChart } from "../components/TimeSeriesChart.tsx";
import { formatNumber, formatPowerKW, formatTime } from "../format.ts";

const ranges = [
  { minutes: 15, label: "15 min" },
  { minutes: 60, label: "1 h" },
  { minutes: 360, label: "6 h" },
  { minutes: 1440, label: "24 h" },
] as const;

const maxLivePoints = 3600;

/** Water and carbon rates sampled from the live state. */
interface LiveSamples {
  time: number[];
  water: number[];
  carbon: number[];
}

function toMs(time: number | string): number {
  return typeof time === "number" ? time : Date.parse(time);
}

export function EnergyPage() {
  const { client, capabilities } = useSession();
  const [minutes, setMinutes] = useState<number>(60);
  const history = useResource<SiteHistory>(`/v1/state/history?minutes=${minutes}`, {
    enabled: capabilities.history,
    refreshMs: 10_000,
  });
  const [site, setSite] = useState<SiteState | undefined>(undefined);
  const samples = useRef<LiveSamples>({ time: [], water: [], carbon: [] });
  const [liveVersion, setLiveVersion] = useState(0);

  useEffect(() => {
    if (!capabilities.liveState) return;
    return openLiveState(client, capabilities, undefined, {
      onSite: (next) => {
        setSite(next);
        const store = samples.current;
        const time = toMs(next.time);
        if (store.time.length > 0 && time <= store.time[store.time.length - 1]!) return;
        store.time.push(time);
        // A figure without a value is a gap in the chart, not a zero.
        store.water.push(next.kpis.makeUpWaterLPerH ?? Number.NaN);
        store.carbon.push(next.kpis.carbonKgPerH ?? Number.NaN);
        if (store.time.length > maxLivePoints) {
          store.time.shift();
          store.water.shift();
          store.carbon.shift();
        }
        setLiveVersion((version) => version + 1);
      },
    });
  }, [client, capabilities]);

  const live = useMemo(() => {
    const store = samples.current;
    // liveVersion changes on every sample: copy so the charts see new arrays.
    void liveVersion;
    return { time: [...store.time], water: [...store.water], carbon: [...store.carbon] };
  }, [liveVersion]);

  if (!capabilities.liveState && !capabilities.history) {
    return (
      <section aria-labelledby="energy-title">
        <h1 id="energy-title">Energy</h1>
        <Unavailable feature="Energy figures" route="GET /v1/state/history" />
      </section>
    );
  }
  return (
    <section aria-labelledby="energy-title">
      <div className="page-head">
        <h1 id="energy-title">Energy</h1>
        <fieldset className="toolbar">
          <legend className="visually-hidden">Range</legend>
          {ranges.map((range) => (
            <button
              key={range.minutes}
              type="button"
              aria-pressed={range.minutes === minutes}
              onClick={() => setMinutes(range.minutes)}
            >
              {range.label}
            </button>
          ))}
        </fieldset>
      </div>
      {site === undefined ? null : (
        <div className="kpis panel">
          <Kpi label="PUE" value={formatNumber(site.kpis.pue, 3)} />
          <Kpi label="IT" value={formatPowerKW(site.kpis.itKW)} />
          <Kpi label="Facility" value={formatPowerKW(site.kpis.facilityKW)} />
          <Kpi label="Losses" value={formatPowerKW(site.kpis.lossesKW)} />
          <Kpi label="Cooling" value={formatPowerKW(site.kpis.coolingKW)} />
          <Kpi label="Make-up water" value={`${formatNumber(site.kpis.makeUpWaterLPerH, 0)} L/h`} />
          <Kpi
            label="WUE"
            value={`${formatNumber(site.kpis.itKW !== null && site.kpis.itKW > 0 && site.kpis.makeUpWaterLPerH !== null ? site.kpis.makeUpWaterLPerH / site.kpis.itKW : Number.NaN, 3)} L/kWh`}
          />
          <Kpi label="Carbon" value={`${formatNumber(site.kpis.carbonKgPerH, 0)} kg CO₂/h`} />
          <p className="muted kpis-note">{formatTime(site.time)}</p>
        </div>
      )}
      {!capabilities.history ? (
        <Unavailable feature="Site history" route="GET /v1/state/history" />
      ) : history.status === "loading" ? (
        <Loading what="the site history" />
      ) : history.status === "error" && history.data === undefined ? (
        <ErrorNotice error={history.error} action="Loading the site history" />
      ) : history.data === undefined ? null : (
        <HistoryCharts history={history.data} />
      )}
      {live.time.length < 2 ? null : (
        <div className="chart-grid">
          <TimeSeriesChart
            title="Make-up water since this page opened"
            fromZero
            time={live.time}
            unit="L/h"
            digits={0}
            series={[{ label: "Make-up water", colour: "#2a788e", values: live.water }]}
          />
          <TimeSeriesChart
            title="Carbon since this page opened"
            fromZero
            time={live.time}
            unit="kg/h"
            digits={0}
            series={[{ label: "Carbon", colour: "#6b6f74", values: live.carbon }]}
          />
        </div>
      )}
    </section>
  );
}

/** The history charts; memoised so live KPI updates do not redraw them. */
const HistoryCharts = memo(function HistoryCharts(props: { history: SiteHistory }) {
  const { history } = props;
  if (history.time.length === 0) return <p className="muted">No history yet: the live state has just started.</p>;
  return (
    <div className="chart-grid">
      <TimeSeriesChart
        title="PUE"
        time={history.time}
        unit=""
        digits={3}
        minSpan={0.1}
        series={[{ label: "PUE", colour: "#165d7a", values: history.pue }]}
      />
      <TimeSeriesChart
        title="Power stack: IT, conversion losses, cooling"
        fromZero
        time={history.time}
        unit="MW"
        stacked
        series={[
          {
            label: "IT",
            colour: "#4e79a7",
            values: history.itKW.map((value) => (value === null ? null : value / 1000)),
          },
          {
            label: "Losses",
            colour: "#f28e2b",
            values: history.lossesKW.map((value) => (value === null ? null : value / 1000)),
          },
          {
            label: "Cooling",
            colour: "#76b7b2",
            values: history.coolingKW.map((value) => (value === null ? null : value / 1000)),
          },
        ]}
      />
      <TimeSeriesChart
        title="Facility power"
        fromZero
        time={history.time}
        unit="MW"
        series={[
          {
            label: "Facility",
            colour: "#59a14f",
            values: history.facilityKW.map((value) => (value === null ? null : value / 1000)),
          },
        ]}
      />
      <TimeSeriesChart
        title="Temperatures"
        time={history.time}
        unit="°C"
        series={[
          { label: "Outdoor dry bulb", colour: "#e15759", values: history.dryBulbC },
          { label: "Facility water supply (mean)", colour: "#4e79a7", values: history.fwsSupplyC },
        ]}
      />
    </div>
  );
});
