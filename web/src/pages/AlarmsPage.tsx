/**
 * Alarms: active (or cleared) alarms, most severe first, filtered by minimum severity, each with what it touches
 * (racks, jobs, tenants, in words and links); facility operators and platform admins acknowledge, shelve (with a
 * reason: a shelved alarm is hidden from the banner) and unshelve them, each with a comment the audit trail keeps.
 * Refreshes every 5 s.
 */
import { useState } from "react";
import { describeError } from "../api/client.ts";
import { type Alarm, type Severity, severities } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { usePagedResource } from "../app/use-paged-resource.ts";
import { AlarmImpactView } from "../components/alarms.tsx";
import { Pager } from "../components/pager.tsx";
import { ErrorNotice, Loading, Unavailable } from "../components/status.tsx";
import { formatAge, formatNumber, formatTime, shortId } from "../format.ts";

const shelveChoices = [
  { minutes: 15, label: "15 min" },
  { minutes: 60, label: "1 h" },
  { minutes: 240, label: "4 h" },
  { minutes: 1440, label: "1 day" },
] as const;

/** Which alarms the list shows by state. */
type AlarmStateFilter = "active" | "cleared" | "all";

/** The list's filters (least severity, state) and, for those who may shelve, how long a shelve lasts. */
function AlarmFilters(props: {
  severity: Severity | "";
  onSeverity: (severity: Severity | "") => void;
  state: AlarmStateFilter;
  onState: (state: AlarmStateFilter) => void;
  /** Minutes a shelve lasts; undefined: the caller may not shelve, so no choice is offered. */
  shelveMinutes: number | undefined;
  onShelveMinutes: (minutes: number) => void;
}) {
  return (
    <div className="toolbar">
      <label htmlFor="alarm-severity">Severity at least</label>
      <select
        id="alarm-severity"
        value={props.severity}
        onChange={(event) => props.onSeverity(event.target.value as Severity | "")}
      >
        <option value="">any</option>
        {severities.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
      <label htmlFor="alarm-state">State</label>
      <select
        id="alarm-state"
        value={props.state}
        onChange={(event) => props.onState(event.target.value as AlarmStateFilter)}
      >
        <option value="active">active</option>
        <option value="cleared">cleared</option>
        <option value="all">all</option>
      </select>
      {props.shelveMinutes !== undefined ? (
        <>
          <label htmlFor="shelve-minutes">Shelve for</label>
          <select
            id="shelve-minutes"
            value={props.shelveMinutes}
            onChange={(event) => props.onShelveMinutes(Number(event.target.value))}
          >
            {shelveChoices.map((choice) => (
              <option key={choice.minutes} value={choice.minutes}>
                {choice.label}
              </option>
            ))}
          </select>
        </>
      ) : null}
    </div>
  );
}

/** The alarms page: filters, the paged table, and the actions of those who may act. */
export function AlarmsPage() {
  const { capabilities, permissions, client, me } = useSession();
  const [severity, setSeverity] = useState<Severity | "">("");
  const [state, setState] = useState<AlarmStateFilter>("active");
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [shelveMinutes, setShelveMinutes] = useState<number>(60);
  const [comments, setComments] = useState<Readonly<Record<string, string>>>({});
  const query = new URLSearchParams({ state, ...(severity === "" ? {} : { severity }) });
  // A page at a time: a site in trouble can have thousands, and the server says how many (X-Total-Count).
  const alarms = usePagedResource<Alarm>(`/v1/alarms?${query.toString()}`, 200, {
    enabled: capabilities.alarms,
    refreshMs: 5000,
  });

  if (!capabilities.alarms) {
    return (
      <section aria-labelledby="alarms-title">
        <h1 id="alarms-title">Alarms</h1>
        <Unavailable feature="Alarms" route="GET /v1/alarms" />
      </section>
    );
  }

  const act = async (alarm: Alarm, action: "acknowledge" | "shelve" | "unshelve") => {
    const comment = (comments[alarm.id] ?? "").trim();
    if (action === "shelve" && comment === "") {
      setMessage({
        text: `Say why you shelve “${alarm.title}” (the comment is kept in the audit trail).`,
        error: true,
      });
      return;
    }
    setBusy(alarm.id);
    setMessage(undefined);
    try {
      const said = comment === "" ? {} : { comment };
      const body =
        action === "shelve" ? { user: me.name, minutes: shelveMinutes, ...said } : { user: me.name, ...said };
      await client.post(`/v1/alarms/${encodeURIComponent(alarm.id)}/${action}`, body);
      const done = action === "acknowledge" ? "Acknowledged" : action === "shelve" ? "Shelved" : "Unshelved";
      setMessage({ text: `${done}: ${alarm.title}`, error: false });
      setComments((current) => ({ ...current, [alarm.id]: "" }));
      alarms.reload();
    } catch (error) {
      setMessage({ text: `Could not ${action} “${alarm.title}”: ${describeError(error)}`, error: true });
    } finally {
      setBusy(undefined);
    }
  };

  const list = alarms.items;
  // Actions record the user id; name the caller's own.
  const who = (user: string) => (user === me.userId || user === me.name ? "you" : user);
  return (
    <section aria-labelledby="alarms-title">
      <div className="page-head">
        <h1 id="alarms-title">Alarms</h1>
        <AlarmFilters
          severity={severity}
          onSeverity={setSeverity}
          state={state}
          onState={setState}
          shelveMinutes={permissions.acknowledgeAlarms ? shelveMinutes : undefined}
          onShelveMinutes={setShelveMinutes}
        />
      </div>
      <div aria-live="polite" className="live-region">
        {message === undefined ? null : (
          <p className={message.error ? "notice notice-error" : "notice notice-ok"}>{message.text}</p>
        )}
      </div>
      {alarms.status === "loading" ? <Loading what="alarms" /> : null}
      {alarms.status === "error" ? <ErrorNotice error={alarms.error} action="Loading alarms" /> : null}
      {alarms.status === "ready" && list.length === 0 ? (
        <p className="empty">
          No {state === "all" ? "" : state} alarm{severity === "" ? "" : ` of severity ${severity} or above`}.
        </p>
      ) : null}
      {list.length === 0 ? null : (
        <table className="data alarms" aria-describedby="alarms-count">
          <caption id="alarms-count">
            {formatNumber(alarms.total ?? list.length)} alarm{(alarms.total ?? list.length) === 1 ? "" : "s"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Alarm</th>
              <th scope="col">Where</th>
              <th scope="col">Raised</th>
              <th scope="col">Status</th>
              {permissions.acknowledgeAlarms ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((alarm) => (
              <AlarmRow
                key={alarm.id}
                alarm={alarm}
                who={who}
                actions={
                  permissions.acknowledgeAlarms
                    ? {
                        comment: comments[alarm.id] ?? "",
                        busy: busy === alarm.id,
                        onComment: (text) => setComments((current) => ({ ...current, [alarm.id]: text })),
                        onAction: (action) => act(alarm, action),
                      }
                    : undefined
                }
              />
            ))}
          </tbody>
        </table>
      )}
      {list.length === 0 ? null : <Pager page={alarms} label="alarms" />}
    </section>
  );
}

/** What a row's action cell needs: the comment typed for the alarm, whether an action on it is under way, the handlers. */
interface AlarmActionProps {
  readonly comment: string;
  readonly busy: boolean;
  readonly onComment: (comment: string) => void;
  readonly onAction: (action: "acknowledge" | "shelve" | "unshelve") => void;
}

/** An alarm's comment field and its acknowledge, shelve and unshelve buttons (for those who may act on alarms). */
function AlarmActions(props: AlarmActionProps & { alarm: Alarm }) {
  const { alarm, comment, busy, onComment, onAction } = props;
  return (
    <td className="actions">
      {alarm.state === "active" ? (
        <input
          className="alarm-comment"
          type="text"
          maxLength={2000}
          placeholder="Comment (needed to shelve)"
          aria-label={`Comment on: ${alarm.title}`}
          value={comment}
          onChange={(event) => onComment(event.target.value)}
        />
      ) : null}
      {alarm.acknowledged === undefined && alarm.state === "active" ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => onAction("acknowledge")}
          aria-label={`Acknowledge: ${alarm.title}`}
        >
          Acknowledge
        </button>
      ) : null}
      {alarm.shelved === undefined ? (
        alarm.state === "active" ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => onAction("shelve")}
            aria-label={`Shelve: ${alarm.title}`}
          >
            Shelve
          </button>
        ) : null
      ) : (
        <button
          type="button"
          disabled={busy}
          onClick={() => onAction("unshelve")}
          aria-label={`Unshelve: ${alarm.title}`}
        >
          Unshelve
        </button>
      )}
    </td>
  );
}

/** One alarm: severity, title and impact, where, when raised, its acknowledgement and shelving, and its actions. */
function AlarmRow(props: {
  alarm: Alarm;
  /** Names the caller's own user id or name "you". */
  who: (user: string) => string;
  /** The actions cell, for those who may act on alarms. */
  actions: AlarmActionProps | undefined;
}) {
  const { alarm, who } = props;
  return (
    <tr data-alarm-id={alarm.id} className={`alarm-${alarm.severity}`}>
      <td>
        <span className={`badge badge-${alarm.severity}`}>{alarm.severity}</span>
      </td>
      <td>
        <div className="alarm-title">{alarm.title}</div>
        <AlarmImpactView alarm={alarm} />
      </td>
      <td className="alarm-where">
        {alarm.equipment === undefined ? (alarm.location.hall ?? "site") : shortId(alarm.equipment)}
        {alarm.rows.length === 0 ? null : (
          <div className="muted">
            rows {alarm.rows.slice(0, 4).map(shortId).join(", ")}
            {alarm.rows.length > 4 ? ` +${alarm.rows.length - 4}` : ""}
          </div>
        )}
      </td>
      <td title={formatTime(alarm.raisedAt)}>
        {formatAge(alarm.raisedAt)}
        {alarm.occurrences > 1 ? <div className="muted">×{alarm.occurrences}</div> : null}
      </td>
      <td>
        {alarm.state === "cleared" ? <div>cleared</div> : null}
        {alarm.acknowledged === undefined ? (
          <div className="muted">not acknowledged</div>
        ) : (
          <div className="alarm-acknowledged">
            acknowledged by {who(alarm.acknowledged.by)}
            {alarm.acknowledged.comment === undefined ? "" : `: “${alarm.acknowledged.comment}”`}
          </div>
        )}
        {alarm.shelved === undefined ? null : (
          <div>
            shelved by {who(alarm.shelved.by)} until {formatTime(alarm.shelved.until)}
            {alarm.shelved.comment === undefined ? "" : `: “${alarm.shelved.comment}”`}
          </div>
        )}
      </td>
      {props.actions === undefined ? null : <AlarmActions alarm={alarm} {...props.actions} />}
    </tr>
  );
}
