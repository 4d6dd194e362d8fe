/**
 * One rack: design against actual power, its row's technology cooling loop (TCS) and CDU group, its power path from
 * the grid feeds down to the busways, and the jobs running on it. Live values refresh every second.
 */
import type { Alarm, RackInventory, RackState } from "../api/types.ts";
import { followLink } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { type Resource, useResource } from "../app/use-resource.ts";
import { AlarmImpactView, alarmPlace, useActiveAlarms } from "../components/alarms.tsx";
import { ErrorNotice, Kpi, Loading, Meter, Unavailable } from "../components/status.tsx";
import { formatCelsius, formatNumber, formatPercent, formatPowerKW, formatTime, shortId } from "../format.ts";

/** What the rack page shows: the rack's inventory, its live state (every second) and the alarms on its row. */
interface RackData {
  readonly inventory: Resource<RackInventory>;
  readonly live: Resource<RackState>;
  readonly alarms: readonly Alarm[];
}

/** Loads the rack's inventory, then its live state (when the server has one) and the active alarms of its row. */
function useRackData(rackId: string): RackData {
  const { capabilities } = useSession();
  const inventory = useResource<RackInventory>(`/v1/site/racks/${encodeURIComponent(rackId)}`);
  const live = useResource<RackState>(`/v1/state/racks/${encodeURIComponent(rackId)}`, {
    enabled: capabilities.liveState && inventory.status === "ready",
    refreshMs: 1000,
  });
  const rowId = inventory.data?.rowId;
  const alarms = useActiveAlarms(rowId === undefined ? undefined : `/v1/alarms?row=${encodeURIComponent(rowId)}`);
  return { inventory, live, alarms };
}

/** The rack page: its head, the loading state, then its alarms and the power, cooling, path and jobs panels. */
export function RackPage(props: { rackId: string }) {
  const { inventory, live, alarms } = useRackData(props.rackId);
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
      {inventory.data === undefined ? null : (
        <>
          <RackAlarms alarms={alarms} />
          <div className="columns">
            <RackPowerPanel rack={inventory.data} live={live} />
            <RackCoolingPanel rack={inventory.data} live={live} />
            <RackPowerPathPanel rack={inventory.data} />
            <RackJobsPanel live={live} />
          </div>
        </>
      )}
    </section>
  );
}

/** What the throttling figure says under it: a trip and its recovery, throttling's cause, or what 0 means. */
function throttleDetail(live: RackState, lost: number): string {
  if (live.tripped) {
    if (live.running > 0) return `restarting after a trip (${formatPercent(live.running)} back)`;
    return live.latched
      ? "latched off after a second trip: back after a repair or a restart of its row"
      : "tripped: off until its loop and inlet recover";
  }
  return lost > 0.005 ? "coolant too warm" : "0 % = not throttled";
}

/** The rack's design (type, power, liquid share, zone) and, live, its power, utilisation and throttling. */
function RackPowerPanel(props: { rack: RackInventory; live: Resource<RackState> }) {
  const { capabilities } = useSession();
  const { rack, live } = props;
  return (
    <section className="panel" aria-labelledby="rack-power-title">
      <h2 id="rack-power-title">Power</h2>
      <dl className="facts">
        <dt>Type</dt>
        <dd>
          {rack.type}
          {rack.gpus > 0 ? `, ${rack.gpus} × ${rack.gpuModel ?? "GPU"}` : ""}
        </dd>
        <dt>Design power</dt>
        <dd>{formatPowerKW(rack.designPowerKW)}</dd>
        <dt>Idle power</dt>
        <dd>{formatPowerKW(rack.idlePowerKW)}</dd>
        <dt>Heat to liquid</dt>
        <dd>{formatPercent(rack.liquidCaptureFraction)}</dd>
        <dt>Zone</dt>
        <dd>{rack.zoneId === null ? "general floor" : shortId(rack.zoneId)}</dd>
      </dl>
      {!capabilities.liveState ? (
        <Unavailable feature="Live rack power" route="GET /v1/state/racks/{id}" />
      ) : live.status === "ready" ? (
        <RackLivePower live={live.data} />
      ) : live.status === "loading" ? (
        <Loading what="live values" />
      ) : (
        <ErrorNotice error={live.error} action="Live values" />
      )}
    </section>
  );
}

/** The rack's live power against its design, utilisation and power lost to throttling, with the time of the values. */
function RackLivePower(props: { live: RackState }) {
  const { live } = props;
  const lost = 1 - live.throttle;
  return (
    <>
      <div className="kpis">
        <Kpi label="Actual power" value={formatPowerKW(live.powerKW)} />
        <Kpi label="Utilisation" value={formatPercent(live.utilisation)} />
        <Kpi
          label="Power lost to throttling"
          value={formatPercent(lost, lost > 0 && lost < 0.1 ? 1 : 0)}
          detail={throttleDetail(live, lost)}
          tone={lost > 0.005 ? "bad" : "good"}
        />
      </div>
      <Meter
        value={live.powerKW}
        max={live.designPowerKW}
        label="Actual against design power"
        warnAt={0.95}
        text={`${formatPowerKW(live.powerKW)} of ${formatPowerKW(live.designPowerKW)} design (${formatPercent(live.powerKW / live.designPowerKW)})`}
      />
      <p className="muted">Live · {formatTime(live.time)}</p>
    </>
  );
}

/** The rack's cooling chain (plant, loop, CDUs, air side) and, live, its temperatures and its loop's load. */
function RackCoolingPanel(props: { rack: RackInventory; live: Resource<RackState> }) {
  const { cooling } = props.rack;
  const { live } = props;
  return (
    <section className="panel" aria-labelledby="rack-cooling-title">
      <h2 id="rack-cooling-title">Cooling</h2>
      <dl className="facts">
        <dt>Plant</dt>
        <dd>{shortId(cooling.plant)}</dd>
        <dt>TCS loop</dt>
        <dd>{shortId(cooling.tcsLoop)}</dd>
        <dt>CDU group</dt>
        <dd>{cooling.cdus.map(shortId).join(", ")}</dd>
        {cooling.airCooling === undefined || cooling.airCooling === null ? null : (
          <>
            <dt>Air side</dt>
            <dd>{String(cooling.airCooling)}</dd>
          </>
        )}
      </dl>
      {live.status !== "ready" ? null : (
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
      )}
    </section>
  );
}

/** The rack's power path from the grid feeds down to its busways. */
function RackPowerPathPanel(props: { rack: RackInventory }) {
  const { powerPath } = props.rack;
  return (
    <section className="panel" aria-labelledby="rack-path-title">
      <h2 id="rack-path-title">Power path</h2>
      <ol className="power-path">
        <PathStep label="Grid feeds" ids={powerPath.feeds} />
        <PathStep label="Transformers (hall)" ids={powerPath.transformers} />
        <PathStep label="UPS modules (hall)" ids={powerPath.ups} />
        <PathStep label="Busways (row)" ids={powerPath.busways} />
        <li>
          <span className="path-label">Rack</span> {shortId(props.rack.id)}
        </li>
      </ol>
    </section>
  );
}

/** The jobs running on the rack now, from its live state. */
function RackJobsPanel(props: { live: Resource<RackState> }) {
  const { live } = props;
  return (
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

/** One level of the power path: its equipment, the first six named and the rest counted. */
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
