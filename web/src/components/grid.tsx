/**
 * Grid curtailment events for staff: a banner with a countdown in the navigation bar while an event is scheduled or
 * active (every page), and the list of recent events with what each asked and delivered (Maintenance page).
 */
import { useEffect, useState } from "react";
import type { GridEvent, Job } from "../api/types.ts";
import { followLink } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { formatNumber, formatTime } from "../format.ts";

/** Refresh of the events: a new request shows within a few seconds. */
const gridRefreshMs = 5000;

/** `h:mm:ss` of a number of seconds (never negative). */
export function countdown(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/**
 * What a grid event holds a running job to, in words (job page, workloads list): tenants see why their job makes no
 * progress or runs slower, and until when.
 */
export function curtailmentText(curtailment: NonNullable<Job["curtailment"]>): string {
  const what =
    curtailment.kind === "suspended"
      ? "suspended"
      : `GPU power capped to ${formatNumber(curtailment.powerShare * 100)} % of dynamic power`;
  const by = curtailment.gridEventId === null ? "by a grid event" : `by grid event ${curtailment.gridEventId}`;
  return `${what} ${by}${curtailment.until === null ? "" : ` until ${formatTime(curtailment.until)}`}`;
}

/** What an event asks, in words. */
export function askedText(event: GridEvent): string {
  return event.reduceMW !== null
    ? `−${formatNumber(event.reduceMW, 1)} MW`
    : `−${formatNumber((event.reduceFraction ?? 0) * 100)} % of IT`;
}

/** A clock that ticks every second while `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

/** The first event active, else the next scheduled one, in a list. */
function currentEvent(events: readonly GridEvent[]): GridEvent | undefined {
  const active = events.find((event) => event.state === "active");
  if (active !== undefined) return active;
  return events
    .filter((event) => event.state === "scheduled")
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0];
}

/** The active or next grid event with a countdown, in the navigation bar; links to the Maintenance page. Staff only. */
export function GridEventBanner() {
  const { capabilities, permissions } = useSession();
  const enabled = permissions.staff && capabilities.has("GET", "/v1/grid/events");
  const events = useResource<GridEvent[]>(enabled ? "/v1/grid/events?limit=20" : undefined, {
    refreshMs: gridRefreshMs,
  });
  const event = currentEvent(events.data ?? []);
  const now = useNow(event !== undefined);
  if (!enabled || event === undefined) return null;
  const active = event.state === "active" && Date.parse(event.startsAt) <= now;
  const left = ((active ? Date.parse(event.endsAt) : Date.parse(event.startsAt)) - now) / 1000;
  const text = active
    ? `Grid event ${askedText(event)}: ends in ${countdown(left)}`
    : `Grid event ${askedText(event)} starts in ${countdown(left)}`;
  return (
    <a
      href="/maintenance"
      onClick={followLink}
      className={`grid-banner ${active ? "grid-banner-active" : "grid-banner-scheduled"}`}
      aria-label={text}
      title={`${event.reason} (${formatTime(event.startsAt)} to ${formatTime(event.endsAt)})`}
      data-state={active ? "active" : "scheduled"}
    >
      {text}
    </a>
  );
}

/** Recent grid events: what each asked, when, and what it delivered. */
export function GridEventList() {
  const { capabilities } = useSession();
  const enabled = capabilities.has("GET", "/v1/grid/events");
  const events = useResource<GridEvent[]>(enabled ? "/v1/grid/events?limit=20" : undefined, {
    refreshMs: gridRefreshMs,
  });
  if (!enabled) return null;
  const list = events.data ?? [];
  return (
    <section aria-labelledby="grid-events" className="grid-events">
      <h2 id="grid-events">Grid events</h2>
      <p className="muted">
        Curtailments asked by the grid: deferrable jobs are suspended, flexible ones GPU-capped and preemptible ones
        requeued; protected work is never touched. Create them with <code>alixan grid event create</code>.
      </p>
      {list.length === 0 ? (
        <p className="empty">No grid event.</p>
      ) : (
        <table className="data">
          <caption>Last {formatNumber(list.length)} grid events</caption>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col">Asked</th>
              <th scope="col">From</th>
              <th scope="col">Until</th>
              <th scope="col">Delivered</th>
              <th scope="col">Jobs suspended · capped · requeued</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {list.map((event) => {
              const report = event.report;
              const sum = (counts: Record<string, number> | undefined) =>
                Object.values(counts ?? {}).reduce((total, value) => total + value, 0);
              return (
                <tr key={event.id} data-id={event.id}>
                  <td>{event.state}</td>
                  <td>{askedText(event)}</td>
                  <td>{formatTime(event.startsAt)}</td>
                  <td>{formatTime(event.cancelledAt ?? event.endsAt)}</td>
                  <td>
                    {report?.deliveredMW === null || report === null
                      ? "—"
                      : `${formatNumber(report.deliveredMW, 3)} of ${formatNumber(report.requestedMW, 3)} MW`}
                    {report !== null && report.restarts.length > 0 && (
                      <small className="restarts">
                        {report.restarts
                          .map(
                            (restart) =>
                              ` · ${restart.outcome === "reapplied" ? "re-applied" : "released"} after a restart at ${formatTime(restart.at)}`,
                          )
                          .join("")}
                        {report.sampledS === null ? "" : ` (sampled ${formatNumber(report.sampledS, 0)} s)`}
                      </small>
                    )}
                  </td>
                  <td>
                    {report === null
                      ? "—"
                      : `${sum(report.jobs.suspended)} · ${sum(report.jobs.capped)} · ${sum(report.jobs.requeued)}`}
                    {report !== null && report.siteChanges.length > 0 && (
                      <small className="site-changes">
                        {report.siteChanges
                          .map(
                            (change) =>
                              ` · ${change.why} at ${formatTime(change.at)}: ${formatNumber(change.kept)} kept${change.released === 0 ? "" : `, ${formatNumber(change.released)} let go`}`,
                          )
                          .join("")}
                      </small>
                    )}
                  </td>
                  <td>{event.reason}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
