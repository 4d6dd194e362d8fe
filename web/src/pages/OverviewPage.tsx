/**
 * The landing page: for staff, the live KPIs and the site's design (capacity, counts, zones, redundancy levels); for
 * tenants, their own usage this month and where to find their jobs (facility internals are not theirs to read).
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/client.ts";
import { openLiveState } from "../api/live.ts";
import type { SiteState } from "../api/types.ts";
import { followLink } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { Kpi, Loading, Meter, Unavailable } from "../components/status.tsx";
import {
  formatCelsius,
  formatHumidity,
  formatNumber,
  formatPercent,
  formatPowerKW,
  formatTime,
  shortId,
} from "../format.ts";
import { loadMonthlyUsage, type MonthlyUsage } from "./usage-data.ts";

function amount(value: number, unit: string): string {
  return unit === "kW" ? formatPowerKW(value) : `${formatNumber(value)} ${unit}`;
}

export function OverviewPage() {
  const { site, permissions, capabilities, client, me } = useSession();
  const [state, setState] = useState<SiteState | undefined>(undefined);
  const showLive = permissions.staff && capabilities.liveState;

  useEffect(() => {
    if (!showLive) return;
    return openLiveState(client, capabilities, undefined, { onSite: setState });
  }, [showLive, client, capabilities]);

  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">{site?.name ?? "Site"}</h1>
        <p className="muted">
          Signed in as {me.name} ({me.role}
          {me.tenantId === null ? "" : `, ${me.tenantId}`}).
        </p>
      </div>
      {permissions.staff ? (
        <section aria-labelledby="live-title" className="panel">
          <h2 id="live-title">Now</h2>
          {!capabilities.liveState ? (
            <Unavailable feature="The live state" route="GET /v1/state/site" />
          ) : state === undefined ? (
            <Loading what="the live state" />
          ) : (
            <div className="kpis">
              <Kpi label="IT power" value={formatPowerKW(state.kpis.itKW)} />
              <Kpi label="Facility power" value={formatPowerKW(state.kpis.facilityKW)} />
              <Kpi label="PUE" value={formatNumber(state.kpis.pue, 3)} />
              <Kpi label="GPU utilisation" value={formatPercent(state.kpis.gpuUtilisation)} />
              <Kpi
                label="Outdoor"
                value={formatCelsius(state.weather.dryBulbC)}
                detail={`RH ${formatHumidity(state.weather.relativeHumidity)}`}
              />
              <Kpi
                label="Throttled racks"
                value={formatNumber(state.kpis.throttledRacks)}
                tone={(state.kpis.throttledRacks ?? 0) > 0 ? "warn" : "good"}
              />
              <Kpi
                label="Tripped racks"
                value={formatNumber(state.kpis.trippedRacks)}
                tone={(state.kpis.trippedRacks ?? 0) > 0 ? "bad" : "good"}
              />
              <Kpi label="Make-up water" value={`${formatNumber(state.kpis.makeUpWaterLPerH, 0)} L/h`} />
              <Kpi label="Carbon" value={`${formatNumber(state.kpis.carbonKgPerH, 0)} kg CO₂/h`} />
              <p className="muted kpis-note">
                {state.mode === "simulated" ? "Simulated by the twin" : "Measured"} · {formatTime(state.time)}
              </p>
            </div>
          )}
        </section>
      ) : null}
      {permissions.staff ? null : <TenantSummary />}
      {!permissions.staff ? null : site === undefined ? (
        <Loading what="the site summary" />
      ) : (
        <>
          <section aria-labelledby="design-title" className="panel">
            <h2 id="design-title">Design</h2>
            <div className="kpis">
              <Kpi label="Design IT load" value={`${formatNumber(site.designItMW, 0)} MW`} />
              <Kpi label="Design PUE" value={formatNumber(site.designPue, 3)} />
              {site.gridConnectionMW === undefined ? null : (
                <Kpi label="Grid connection" value={`${formatNumber(site.gridConnectionMW, 0)} MW`} />
              )}
              {site.coolingAvailableMW === undefined ? null : (
                <Kpi label="Cooling available" value={`${formatNumber(site.coolingAvailableMW, 0)} MW`} />
              )}
              {(["halls", "racks", "gpus", "cdus"] as const).map((key) =>
                site.counts[key] === undefined ? null : (
                  <Kpi
                    key={key}
                    label={key === "gpus" ? "GPUs" : key === "cdus" ? "CDUs" : key[0]!.toUpperCase() + key.slice(1)}
                    value={formatNumber(site.counts[key])}
                  />
                ),
              )}
            </div>
            {site.zones === undefined || site.zones.length === 0 ? null : (
              <p>
                Zones:{" "}
                {site.zones.map((zone) => (
                  <span key={zone.id} className="tag">
                    {shortId(zone.id)}: {formatNumber(zone.racks)} racks, {formatNumber(zone.gpus)} GPUs
                  </span>
                ))}
              </p>
            )}
          </section>
          {site.levels === undefined || site.levels.length === 0 ? null : (
            <section aria-labelledby="levels-title" className="panel">
              <h2 id="levels-title">Capacity by level (design)</h2>
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Level</th>
                    <th scope="col">Units</th>
                    <th scope="col">Redundancy</th>
                    <th scope="col">Load / available</th>
                    <th scope="col">Smallest headroom</th>
                  </tr>
                </thead>
                <tbody>
                  {site.levels.map((level) => (
                    <tr key={level.level}>
                      <th scope="row">{level.level}</th>
                      <td className="number">{formatNumber(level.units)}</td>
                      <td>{level.redundancy.join(", ")}</td>
                      <td>
                        <Meter
                          value={level.totalLoad}
                          max={level.totalAvailable}
                          label={`${level.level} load against available`}
                          text={`${amount(level.totalLoad, level.unit)} / ${amount(level.totalAvailable, level.unit)}`}
                        />
                      </td>
                      <td>
                        {formatPercent(level.minHeadroomFraction, 1)}{" "}
                        <span className="muted">at {level.minHeadroomAt}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
      {permissions.staff ? null : (
        <p>
          Your jobs, queues and quotas are under{" "}
          <a href="/workloads" onClick={followLink}>
            Workloads
          </a>
          ; your usage by project and month under{" "}
          <a href="/usage" onClick={followLink}>
            Usage
          </a>
          .
        </p>
      )}
    </section>
  );
}

/** A tenant's own figures this month (no facility internals: those are for staff). */
function TenantSummary() {
  const { client } = useSession();
  const [usage, setUsage] = useState<MonthlyUsage | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    loadMonthlyUsage(client, 1, controller.signal)
      .then(setUsage)
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(describeError(error));
      });
    return () => controller.abort();
  }, [client]);
  const month = usage?.months[0]?.label ?? "";
  const total = (key: "gpuHours" | "energyKWh" | "co2Kg" | "waterL") =>
    usage?.cells[0]?.reduce((sum, cell) => sum + cell[key], 0) ?? 0;
  const jobs = usage?.cells[0]?.reduce((sum, cell) => sum + cell.jobs, 0) ?? 0;
  return (
    <section aria-labelledby="tenant-usage-title" className="panel tenant-summary">
      <h2 id="tenant-usage-title">Your usage this month{month === "" ? "" : ` (${month})`}</h2>
      {problem !== undefined ? (
        <p className="notice notice-error">{problem}</p>
      ) : usage === undefined ? (
        <Loading what="your usage" />
      ) : (
        <div className="kpis">
          <Kpi label="Jobs" value={formatNumber(jobs)} />
          <Kpi label="GPU-hours" value={formatNumber(total("gpuHours"), 1)} />
          <Kpi label="Energy" value={`${formatNumber(total("energyKWh"), 1)} kWh`} />
          <Kpi label="CO₂" value={`${formatNumber(total("co2Kg"), 1)} kg`} />
          <Kpi label="Water" value={`${formatNumber(total("waterL"), 0)} L`} />
        </div>
      )}
    </section>
  );
}
