/**
 * Alarms wherever staff look: the banner in the navigation bar (active alarms by severity, every page), the impact
 * of an alarm in words with links (its racks, rows, jobs and tenants), and for tenants the notice of incidents that
 * touch their own jobs (no facility internals: no equipment, rows or other tenants).
 */
import type { Alarm, AlarmSummary, Incident, Severity } from "../api/types.ts";
import { followLink } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { formatNumber, formatTime, shortId } from "../format.ts";

/** Refresh of the banner and markers: an injected fault shows on every screen within a few seconds. */
export const alarmRefreshMs = 4000;

/** The marker colour of a severity (the badge colours). */
export const severityColours: Record<Severity, string> = {
  critical: "#e0473d",
  warning: "#f2b33d",
  info: "#7fb2d6",
};

const bannerOrder: readonly Severity[] = ["critical", "warning", "info"];

/** Active alarms by severity in the navigation bar; links to the alarms page. Staff only. */
export function AlarmBanner() {
  const { capabilities, permissions } = useSession();
  const enabled = permissions.staff && capabilities.alarms;
  const summary = useResource<AlarmSummary>(enabled ? "/v1/alarms/summary" : undefined, {
    refreshMs: alarmRefreshMs,
  });
  if (!enabled || summary.data === undefined) return null;
  const counts = summary.data;
  const total = counts.critical + counts.warning + counts.info;
  // The accessible name holds the visible text word for word (WCAG 2.5.3), with what it counts before it.
  const shown = bannerOrder.filter((severity) => counts[severity] > 0);
  const label =
    total === 0
      ? "No alarms"
      : `Active alarms: ${shown.map((severity) => `${counts[severity]} ${severity}`).join(" ")}${counts.shelved > 0 ? `; ${counts.shelved} shelved` : ""}`;
  return (
    <a
      href="/alarms"
      onClick={followLink}
      className={`alarm-banner ${total === 0 ? "alarm-banner-clear" : `alarm-banner-${counts.critical > 0 ? "critical" : counts.warning > 0 ? "warning" : "info"}`}`}
      aria-label={label}
      title={label}
      data-critical={counts.critical}
      data-warning={counts.warning}
      data-info={counts.info}
    >
      {total === 0 ? (
        <span className="alarm-count">No alarms</span>
      ) : (
        shown.map((severity) => (
          <span key={severity} className={`alarm-count alarm-count-${severity}`}>
            {counts[severity]} {severity}
          </span>
        ))
      )}
    </a>
  );
}

/** Active alarms, for pages that mark them (floor, rack); `undefined` waits (nothing to ask yet). */
export function useActiveAlarms(path: string | undefined = "/v1/alarms"): readonly Alarm[] {
  const { capabilities, permissions } = useSession();
  // The most severe 1,000 (the server pages alarms, 200 by default): the floor and rack views mark each of them.
  const paged = path === undefined ? undefined : `${path}${path.includes("?") ? "&" : "?"}limit=1000`;
  const alarms = useResource<Alarm[]>(permissions.staff && capabilities.alarms ? paged : undefined, {
    refreshMs: alarmRefreshMs,
  });
  return alarms.data ?? [];
}

/** Where an alarm is, in words: its equipment, else its hall or plant. */
export function alarmPlace(alarm: Alarm): string {
  return shortId(alarm.equipment ?? alarm.location.hall ?? alarm.location.plant ?? "site");
}

/** An alarm's impact: the sentence, then links to its rows' racks, its jobs and its tenants. */
export function AlarmImpactView(props: { alarm: Alarm; compact?: boolean }) {
  const { alarm } = props;
  const impact = alarm.impact;
  if (impact === undefined) return <div className="muted">{alarm.message}</div>;
  return (
    <div className="alarm-impact">
      <p className="alarm-summary">{impact.summary}</p>
      {props.compact === true ? null : (
        <>
          {impact.racks.length === 0 ? null : (
            <p className="alarm-links">
              Racks:{" "}
              {impact.racks.slice(0, 6).map((rack, index) => (
                <span key={rack}>
                  {index === 0 ? "" : ", "}
                  <a href={`/racks/${encodeURIComponent(rack)}`} onClick={followLink}>
                    {shortId(rack)}
                  </a>
                </span>
              ))}
              {impact.rackCount > 6 ? ` and ${formatNumber(impact.rackCount - 6)} more` : ""}
            </p>
          )}
          {impact.tenants.length === 0 ? null : (
            <p className="alarm-links alarm-tenants">
              Tenants:{" "}
              {impact.tenants.map((tenant, index) => (
                <span key={tenant.id}>
                  {index === 0 ? "" : ", "}
                  <a href={`/workloads?tenantId=${encodeURIComponent(tenant.id)}&state=running`} onClick={followLink}>
                    {tenant.name}
                  </a>
                </span>
              ))}
            </p>
          )}
          {impact.jobs.length === 0 ? null : (
            <p className="alarm-links">
              Jobs:{" "}
              {impact.jobs.slice(0, 5).map((job, index) => (
                <span key={job.id}>
                  {index === 0 ? "" : ", "}
                  <a href={`/workloads?namePrefix=${encodeURIComponent(job.name)}`} onClick={followLink}>
                    {job.name}
                  </a>
                </span>
              ))}
              {impact.jobCount > 5 ? ` and ${formatNumber(impact.jobCount - 5)} more` : ""}
            </p>
          )}
        </>
      )}
    </div>
  );
}

/** For tenants: incidents touching their running jobs, on every page. */
export function IncidentNotice() {
  const { permissions } = useSession();
  const incidents = useResource<{ incidents: Incident[] }>(permissions.staff ? undefined : "/v1/incidents", {
    refreshMs: 10_000,
  });
  const list = incidents.data?.incidents ?? [];
  if (permissions.staff || list.length === 0) return null;
  return (
    <section className="incidents" aria-label="Incidents affecting your jobs">
      {list.map((incident) => (
        <div
          key={incident.id}
          className={`notice incident incident-${incident.severity}`}
          role="status"
          data-incident-id={incident.id}
        >
          <strong>{incident.title}.</strong> {incident.message}{" "}
          <span className="muted">
            Since {formatTime(incident.since)}; {formatNumber(incident.jobs.length)} of your running job
            {incident.jobs.length === 1 ? "" : "s"}:{" "}
            {incident.jobs
              .slice(0, 4)
              .map((job) => job.name)
              .join(", ")}
            {incident.jobs.length > 4 ? "…" : ""}.
          </span>
        </div>
      ))}
    </section>
  );
}
