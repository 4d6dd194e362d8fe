/**
 * One rack: design against actual power, its row's technology cooling loop (TCS) and CDU group, its power path from
 * the grid feeds down to the busways, and the jobs running on it. Live values refresh every second.
 */
import type { Alarm, RackInventory, RackState } from "../api/types.ts";
import { followLink } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { AlarmImpactView, alarmPlace, useActiveAlarms } from "../components/alarms.tsx";
import { ErrorNotice, Kpi, Loading, Meter, Unavailable } from "../components/status.tsx";
import { formatCelsius, formatNumber, formatPercent, formatPowerKW, formatTime, shortId } from "../format.ts";

export function RackPage(props: { rackId: string }) {
  const { capabilities } = useSession();
  const path = `/v1/site/racks/${encodeURIComponent(props.rackId)}`;
  const inventory = useResource<RackInventory>(path);
  const live = useResource<RackState>(`/v1/state/racks/${encodeURIComponent(props.rackId)}`, {
    enabled: capabilities.liveState && inventory.status === "ready",
    refreshMs: 1000,
  });
  const rowId = inventory.data?.rowId;
  const alarms = useActiveAlarms(rowId === undefined ? undefined : `/v1/alarms?row=${encodeURIComponent(rowId)}`);
  const lost = live.data === undefined ? Number.NaN : 1 - live.data.throttle;

  return (
    <section aria-labelledby="rack-title">
      <div className="page-head">
        <h1 id="rack-title">Rack {props.rackId}</h1>
        <a href={`/floor`} onClick={followLink}>
          ← Floor
        </a>
      </div>
      {inventory.status === "loading" ? <Loading what="the rack" /> : null}
      {inventory.status === "error" || inventory.status === "unavailable" ? (
        <ErrorNotice error={inventory.error} action="Loading the rack" />
      ) : null}
      {inventory.data === undefined ? null : <RackAlarms alarms={alarms} />}
      {inventory.data === undefined ? null : (
        <div className="columns">
          <section className="panel" aria-labelledby="rack-power-title">
            <h2 id="rack-power-title">Power</h2>
            <dl className="facts">
              <dt>Type</dt>
              <dd>
                {inventory.data.type}
                {inventory.data.gpus > 0 ? `, ${inventory.data.gpus} × ${inventory.data.gpuModel ?? "GPU"}` : ""}
              </dd>
              <dt>Design power</dt>
              <dd>{formatPowerKW(inventory.data.designPowerKW)}</dd>
              <dt>Idle power</dt>
              <dd>{formatPowerKW(inventory.data.idlePowerKW)}</dd>
              <dt>Heat to liquid</dt>
              <dd>{formatPercent(inventory.data.liquidCaptureFraction)}</dd>
              <dt>Zone</dt>
              <dd>{inventory.data.zoneId === null ? "general floor" : shortId(inventory.data.zoneId)}</dd>
            </dl>
            {!capabilities.liveState ? (
              <Unavailable feature="Live rack power" route="GET /v1/state/racks/{id}" />
            ) : live.status === "ready" ? (
              <>
                <div className="kpis">
                  <Kpi label="Actual power" value={formatPowerKW(live.data.powerKW)} />
                  <Kpi label="Utilisation" value={formatPercent(live.data.utilisation)} />
                  <Kpi
                    label="Power lost to throttling"
                    value={formatPercent(lost, lost > 0 && lost < 0.1 ? 1 : 0)}
                    detail={
                      live.data.tripped
                        ? live.data.running > 0
                          ? `restarting after a trip (${formatPercent(live.data.running)} back)`
                          : live.data.latched
                            ? "latched off after a second trip: back after a repair or a restart of its row"
                            : "tripped: off until its loop and inlet recover"
                        : lost > 0.005
                          ? "coolant too warm"
                          : "0 % = not throttled"
                    }
                    tone={lost > 0.005 ? "bad" : "good"}
                  />
                </div>
                <Meter
                  value={live.data.powerKW}
                  max={live.data.designPowerKW}
                  label="Actual against design power"
                  warnAt={0.95}
                  text={`${formatPowerKW(live.data.powerKW)} of ${formatPowerKW(live.data.designPowerKW)} design (${formatPercent(live.data.powerKW / live.data.designPowerKW)})`}
                />
                <p className="muted">Live · {formatTime(live.data.time)}</p>
              </>
            ) : live.status === "loading" ? (
              <Loading what="live values" />
            ) : (
              <ErrorNotice error={live.error} action="Live values" />
            )}
          </section>
          <section className="panel" aria-labelledby="rack-cooling-title">
            <h2 id="rack-cooling-title">Cooling</h2>
            <dl className="facts">
              <dt>Plant</dt>
              <dd>{shortId(inventory.data.cooling.plant)}</dd>
              <dt>TCS loop</dt>
              <dd>{shortId(inventory.data.cooling.tcsLoop)}</dd>
              <dt>CDU group</dt>
              <dd>{inventory.data.cooling.cdus.map(shortId).join(", ")}</dd>
              {inventory.data.cooling.airCooling === undefined || inventory.data.cooling.airCooling === null ? null : (
                <>
                  <dt>Air side</dt>
                  <dd>{String(inventory.data.cooling.airCooling)}</dd>
                </>
              )}
            </dl>
            {live.status === "ready" ? (
              <>
                <div className="kpis">
                  <Kpi label="Rack supply" value={formatCelsius(live.data.tcsSupplyC)} />
                  <Kpi label="Rack return" value={formatCelsius(live.data.tcsReturnC)} />
                  <Kpi label="Loop flow" value={`${formatNumber(live.data.tcs.flowLpm, 0)} L/min`} />
                  <Kpi
                    label="Failed CDUs"
                    value={String(failedCount(live.data.tcs.failedCdus))}
                    tone={failedCount(live.data.tcs.failedCdus) > 0 ? "bad" : "good"}
                  />
                </div>
                <Meter
                  value={live.data.tcs.heatKW}
                  max={live.data.tcs.capacityKW}
                  label="Loop heat against CDU capacity"
                  warnAt={0.9}
                  text={`${formatPowerKW(live.data.tcs.heatKW)} of ${formatPowerKW(live.data.tcs.capacityKW)} (headroom ${formatPowerKW(live.data.tcs.headroomKW)})`}
                />
              </>
            ) : null}
          </section>
          <section className="panel" aria-labelledby="rack-path-title">
            <h2 id="rack-path-title">Power path</h2>
            <ol className="power-path">
              <PathStep label="Grid feeds" ids={inventory.data.powerPath.feeds} />
              <PathStep label="Transformers (hall)" ids={inventory.data.powerPath.transformers} />
              <PathStep label="UPS modules (hall)" ids={inventory.data.powerPath.ups} />
              <PathStep label="Busways (row)" ids={inventory.data.powerPath.busways} />
              <li>
                <span className="path-label">Rack</span> {shortId(inventory.data.id)}
              </li>
            </ol>
          </section>
          <section className="panel" aria-labelledby="rack-jobs-title">
            <h2 id="rack-jobs-title">Jobs on this rack</h2>
            {live.status !== "ready" ? (
              <p className="muted">Known from the live state.</p>
            ) : live.data.jobs.length === 0 ? (
              <p>No job runs here now.</p>
            ) : (
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Job</th>
                    <th scope="col">Tenant</th>
                    <th scope="col">GPUs</th>
                  </tr>
                </thead>
                <tbody>
                  {live.data.jobs.map((job) => (
                    <tr key={job.id}>
                      <td>
                        {job.name} <span className="muted">{job.id}</span>
                      </td>
                      <td>{job.tenantId}</td>
                      <td className="number">{job.gpus}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      )}
    </section>
  );
}

/** Active alarms on this rack, its row's loop and CDUs, or the plant and hall that feed it. */
function RackAlarms(props: { alarms: readonly Alarm[] }) {
  return (
    <section className="panel rack-alarms" aria-labelledby="rack-alarms-title">
      <h2 id="rack-alarms-title">Alarms touching this rack</h2>
      {props.alarms.length === 0 ? (
        <p className="muted">No active alarm on this rack, its cooling loop or its power path.</p>
      ) : (
        <ul className="plain-list">
          {props.alarms.map((alarm) => (
            <li key={alarm.id} data-alarm-id={alarm.id}>
              <span className={`badge badge-${alarm.severity}`}>{alarm.severity}</span> <strong>{alarm.title}</strong>{" "}
              <span className="muted">
                {alarmPlace(alarm)} · since {formatTime(alarm.raisedAt)}
              </span>
              <AlarmImpactView alarm={alarm} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The API gives failed CDUs as a count or as their ids. */
function failedCount(failed: number | readonly string[]): number {
  return typeof failed === "number" ? failed : failed.length;
}

function PathStep(props: { label: string; ids: readonly string[] }) {
  const shown = props.ids.slice(0, 6).map(shortId).join(", ");
  return (
    <li>
      <span className="path-label">{props.label}</span> {props.ids.length === 0 ? "none" : shown}
      {props.ids.length > 6 ? (
        <span className="muted">
          {" "}
          and {props.ids.length - 6} more ({props.ids.length} in all)
        </span>
      ) : null}
    </li>
  );
}
