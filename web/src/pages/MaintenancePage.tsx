/**
 * Maintenance: the site's drains (scheduled, active, ended), paged and filtered by the server (state, target kind,
 * target prefix; 50 a page with the total), a form to drain a rack, row, hall, or what a CDU or
 * busway feeds, and resuming a drain after a confirmation. Facility operators and platform admins act; auditors read.
 * Refreshes every 5 s.
 */
import { type FormEvent, useState } from "react";
import { describeError } from "../api/client.ts";
import type { Alarm } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { usePagedResource } from "../app/use-paged-resource.ts";
import { useResource } from "../app/use-resource.ts";
import { Field } from "../components/field.tsx";
import { markedFields, refusalSummary } from "../components/form-errors.tsx";
import { GridEventList } from "../components/grid.tsx";
import { Pager } from "../components/pager.tsx";
import { ErrorNotice, Loading, Unavailable } from "../components/status.tsx";
import { formatNumber, formatTime } from "../format.ts";

/** A drain as `GET /v1/drains` shows it. */
interface Drain {
  readonly id: string;
  readonly target: string;
  readonly targetKind: TargetKind;
  readonly area: string | null;
  readonly racks: number;
  readonly reason: string;
  readonly owner: string;
  readonly policy: Policy;
  readonly deadline: string | null;
  readonly startsAt: string;
  readonly endsAt: string | null;
  readonly state: "scheduled" | "active" | "ended";
  readonly createdAt: string;
  readonly resumedAt: string | null;
  readonly resumedBy: string | null;
}

const targetKinds = ["row", "rack", "hall", "cdu", "busway"] as const;
type TargetKind = (typeof targetKinds)[number];
const targetLabels: Record<TargetKind, string> = {
  row: "Row",
  rack: "Rack",
  hall: "Hall",
  cdu: "CDU (its racks)",
  busway: "Busway (its racks)",
};
const policies = ["finish", "requeue", "deadline"] as const;
type Policy = (typeof policies)[number];
const policyLabels: Record<Policy, string> = {
  finish: "let running work finish",
  requeue: "requeue running work now",
  deadline: "requeue what still runs at a deadline",
};
const operators = ["platform-admin", "facility-operator"];

type FormField = "target" | "reason" | "startsAt" | "endsAt" | "policy" | "deadline";
const formFields: readonly FormField[] = ["target", "reason", "startsAt", "endsAt", "policy", "deadline"];

/** Drains a page. */
const pageSize = 50;
/** The state filter of the list (`open`: scheduled and active, the server's filter too). */
type StateFilter = "open" | "active" | "scheduled" | "ended" | "all";

export function MaintenancePage() {
  const { capabilities, me } = useSession();
  const [state, setState] = useState<StateFilter>("open");
  const [kind, setKind] = useState<TargetKind | "">("");
  const [prefix, setPrefix] = useState("");
  const [appliedPrefix, setAppliedPrefix] = useState("");
  const available = capabilities.has("GET", "/v1/drains");
  // The server filters and pages: a site with thousands of past drains never sends them all.
  const query = new URLSearchParams();
  if (state !== "all") query.set("state", state);
  if (kind !== "") query.set("kind", kind);
  if (appliedPrefix !== "") query.set("targetPrefix", appliedPrefix);
  const drains = usePagedResource<Drain>(`/v1/drains${query.size === 0 ? "" : `?${query.toString()}`}`, pageSize, {
    enabled: available,
    refreshMs: 5000,
  });
  // Open drains (at most the platform's bound of open drains, 200 by default) for the leak proposals.
  const open = useResource<Drain[]>("/v1/drains?state=open&limit=1000", { enabled: available, refreshMs: 5000 });
  const mayAct = operators.includes(me.role);
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const reload = () => {
    drains.reload();
    open.reload();
  };

  if (!available) {
    return (
      <section aria-labelledby="maintenance-title">
        <h1 id="maintenance-title">Maintenance</h1>
        <Unavailable feature="Maintenance drains" route="GET /v1/drains" />
      </section>
    );
  }
  const list = drains.items;
  return (
    <section aria-labelledby="maintenance-title">
      <div className="page-head">
        <h1 id="maintenance-title">Maintenance</h1>
      </div>
      <p className="muted">
        A drained rack, row or hall takes no new work; draining a CDU or busway drains the racks it feeds. Waiting jobs
        name the drain that holds them.
      </p>
      {mayAct ? <LeakProposals open={open.data ?? []} onCreated={reload} onOutcome={setOutcome} /> : null}
      {mayAct ? <DrainForm onCreated={reload} /> : null}
      <div aria-live="polite" className="live-region">
        {outcome === undefined ? null : (
          <p className={outcome.error ? "notice notice-error" : "notice notice-ok"} id="resume-result">
            {outcome.text}
          </p>
        )}
      </div>
      <form
        className="job-filters"
        aria-label="Drain filters"
        onSubmit={(event) => {
          event.preventDefault();
          setAppliedPrefix(prefix.trim());
        }}
      >
        <label htmlFor="drain-state">Show</label>
        <select id="drain-state" value={state} onChange={(event) => setState(event.target.value as StateFilter)}>
          <option value="open">scheduled and active</option>
          <option value="active">active</option>
          <option value="scheduled">scheduled</option>
          <option value="ended">ended</option>
          <option value="all">all</option>
        </select>
        <label htmlFor="drain-filter-kind">Kind</label>
        <select
          id="drain-filter-kind"
          value={kind}
          onChange={(event) => setKind(event.target.value as TargetKind | "")}
        >
          <option value="">any</option>
          {targetKinds.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        <label htmlFor="drain-filter-prefix">Target begins with</label>
        <input
          id="drain-filter-prefix"
          size={16}
          maxLength={200}
          placeholder="row:h1-"
          value={prefix}
          onChange={(event) => setPrefix(event.target.value)}
        />
        <button type="submit">Filter</button>
      </form>
      {drains.status === "loading" ? <Loading what="drains" /> : null}
      {drains.status === "error" ? <ErrorNotice error={drains.error} action="Loading drains" /> : null}
      {drains.status === "ready" && list.length === 0 ? <p className="empty">No drain to show.</p> : null}
      {list.length === 0 ? null : (
        <DrainTable
          drains={list}
          total={drains.total ?? list.length}
          mayAct={mayAct}
          onResumed={reload}
          onOutcome={setOutcome}
        />
      )}
      <Pager page={drains} label="drains" />
      <GridEventList />
    </section>
  );
}

/** What came of the last resume, shown above the list (which may be empty afterwards). */
type Outcome = { readonly text: string; readonly error: boolean } | undefined;

function DrainTable(props: {
  drains: readonly Drain[];
  /** Drains matching the filters on every page. */
  total: number;
  mayAct: boolean;
  onResumed: () => void;
  onOutcome: (outcome: Outcome) => void;
}) {
  const { client } = useSession();
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const setMessage = props.onOutcome;

  const resume = async (drain: Drain) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await client.post(`/v1/drains/${encodeURIComponent(drain.id)}/resume`, {});
      setMessage({ text: `Resumed ${drain.id}: ${drain.target} takes new work again.`, error: false });
      setConfirming(undefined);
      props.onResumed();
    } catch (error) {
      setMessage({ text: `Could not resume ${drain.id}: ${describeError(error)}`, error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <table className="data drains" aria-describedby="drains-count">
      <caption id="drains-count">
        {formatNumber(props.total)} drain{props.total === 1 ? "" : "s"}
      </caption>
      <thead>
        <tr>
          <th scope="col">State</th>
          <th scope="col">Target</th>
          <th scope="col">Reason</th>
          <th scope="col">Running work</th>
          <th scope="col">Window</th>
          {props.mayAct ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.drains.map((drain) => (
          <tr key={drain.id} data-drain-id={drain.id}>
            <td>
              <span className={`badge badge-${drain.state === "active" ? "warning" : "info"}`}>{drain.state}</span>
              <div className="muted">{drain.id}</div>
            </td>
            <td>
              {drain.target}
              <div className="muted">
                {drain.area !== null && drain.area !== drain.target ? `${drain.area} · ` : ""}
                {formatNumber(drain.racks)} rack{drain.racks === 1 ? "" : "s"}
              </div>
            </td>
            <td>{drain.reason}</td>
            <td>
              {drain.policy === "deadline"
                ? `requeued at ${formatTime(drain.deadline)}`
                : drain.policy === "requeue"
                  ? "requeued"
                  : "finishes"}
            </td>
            <td>
              from {formatTime(drain.startsAt)}
              <div className="muted">
                {drain.resumedAt !== null
                  ? `resumed ${formatTime(drain.resumedAt)}`
                  : drain.endsAt === null
                    ? "until resumed"
                    : `until ${formatTime(drain.endsAt)}`}
              </div>
            </td>
            {props.mayAct ? (
              <td className="actions">
                {drain.state === "ended" ? null : confirming === drain.id ? (
                  <fieldset aria-label={`Confirm resuming ${drain.id}`}>
                    <legend>Resume {drain.target}? New work may land there at once.</legend>
                    <button type="button" className="primary" disabled={busy} onClick={() => resume(drain)}>
                      Confirm resume
                    </button>
                    <button type="button" disabled={busy} onClick={() => setConfirming(undefined)}>
                      Keep drained
                    </button>
                  </fieldset>
                ) : (
                  <button
                    type="button"
                    onClick={() => setConfirming(drain.id)}
                    aria-label={`Resume ${drain.id} (${drain.target})`}
                  >
                    Resume
                  </button>
                )}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a leak alarm proposes to drain: its CDU or rack when it names one, else the first row it concerns. */
function leakTarget(alarm: Alarm): string | undefined {
  const equipment = alarm.equipment;
  if (equipment !== undefined && (equipment.startsWith("cdu:") || equipment.startsWith("rack:"))) return equipment;
  return alarm.location.rack ?? alarm.rows[0];
}

/** Active leak alarms, each proposing to drain what the leaking equipment feeds: one click drains it. */
function LeakProposals(props: {
  open: readonly Drain[];
  onCreated: () => void;
  onOutcome: (outcome: Outcome) => void;
}) {
  const { capabilities, client } = useSession();
  const alarms = useResource<Alarm[]>("/v1/alarms?state=active&limit=1000", {
    enabled: capabilities.alarms,
    refreshMs: 10_000,
  });
  const [busy, setBusy] = useState(false);
  const drained = new Set(props.open.filter((drain) => drain.state !== "ended").map((drain) => drain.target));
  const proposals = (alarms.data ?? []).flatMap((alarm) => {
    const target = /leak/i.test(`${alarm.kind} ${alarm.title}`) ? leakTarget(alarm) : undefined;
    return target === undefined || drained.has(target) ? [] : [{ alarm, target }];
  });
  if (proposals.length === 0) return null;
  const drain = async (alarm: Alarm, target: string) => {
    setBusy(true);
    try {
      const where = alarm.equipment ?? target;
      const created = await client.post<Drain>("/v1/drains", {
        target,
        reason: `${alarm.title} at ${where}`,
        policy: "requeue",
      });
      props.onOutcome({ text: `Drained ${created.target} (${created.id}) for the leak at ${where}.`, error: false });
      props.onCreated();
    } catch (error) {
      props.onOutcome({ text: `Could not drain ${target}: ${describeError(error)}`, error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="leak-proposals-title">
      <h2 id="leak-proposals-title">Leaks: proposed drains</h2>
      <ul>
        {proposals.map(({ alarm, target }) => (
          <li key={alarm.id}>
            {alarm.title} at {alarm.equipment ?? target}: drain {target} and requeue its running work.{" "}
            <button type="button" className="primary" disabled={busy} onClick={() => drain(alarm, target)}>
              Drain {target}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `datetime-local` text (local time) as ISO, or undefined when empty. */
function isoOf(local: string): string | undefined {
  return local === "" ? undefined : new Date(local).toISOString();
}

/** The drain's times as typed: local date-times of the `datetime-local` inputs, empty when not set. */
interface DrainTimes {
  readonly startsAt: string;
  readonly endsAt: string;
  readonly deadline: string;
}

/** A local date-time input of the drain form (when it starts, ends, or must have moved its work by). */
function DrainTimeField(props: {
  id: keyof DrainTimes;
  label: string;
  values: DrainTimes;
  set: (field: keyof DrainTimes) => (value: string) => void;
  errors: Partial<Record<FormField, string>>;
}) {
  const { id, values, set } = props;
  return (
    <Field id={`drain-${id}`} label={props.label} error={props.errors[id]}>
      {(control) => (
        <input
          {...control}
          type="datetime-local"
          value={values[id]}
          onChange={(event) => set(id)(event.target.value)}
        />
      )}
    </Field>
  );
}

/** The drain form: what to drain, why, what happens to its running work and when; refusals mark their fields. */
function DrainForm(props: { onCreated: () => void }) {
  const { client } = useSession();
  const [kind, setKind] = useState<TargetKind>("row");
  const [values, setValues] = useState({ id: "", reason: "", startsAt: "", endsAt: "", deadline: "" });
  const [policy, setPolicy] = useState<Policy>("finish");
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [summary, setSummary] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (field: keyof typeof values) => (value: string) =>
    setValues((current) => ({ ...current, [field]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setSummary(undefined);
    const id = values.id.trim();
    const startsAt = isoOf(values.startsAt);
    const endsAt = isoOf(values.endsAt);
    const deadline = policy === "deadline" ? isoOf(values.deadline) : undefined;
    // The API checks everything; the form only adds the kind prefix and converts local times.
    const body = {
      target: id.startsWith(`${kind}:`) ? id : `${kind}:${id}`,
      reason: values.reason,
      policy,
      ...(startsAt === undefined ? {} : { startsAt }),
      ...(endsAt === undefined ? {} : { endsAt }),
      ...(deadline === undefined ? {} : { deadline }),
    };
    try {
      const drain = await client.post<Drain>("/v1/drains", body);
      setSummary({
        text: `Drained ${drain.target} (${drain.id}, ${drain.racks} racks): ${drain.state}.`,
        error: false,
      });
      setValues({ id: "", reason: "", startsAt: "", endsAt: "", deadline: "" });
      props.onCreated();
    } catch (error) {
      const fieldErrors = markedFields(error, (field) => formFields.find((candidate) => field === `body.${candidate}`));
      setErrors(fieldErrors);
      setSummary({ text: refusalSummary("Nothing was drained", fieldErrors, error), error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="drain-form-title">
      <h2 id="drain-form-title">Drain for maintenance</h2>
      <form className="job-form" onSubmit={submit} noValidate>
        <Field id="drain-kind" label="What">
          {(control) => (
            <select {...control} value={kind} onChange={(event) => setKind(event.target.value as TargetKind)}>
              {targetKinds.map((value) => (
                <option key={value} value={value}>
                  {targetLabels[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="drain-target" label="Id" error={errors.target}>
          {(control) => (
            <input
              {...control}
              value={values.id}
              onChange={(event) => set("id")(event.target.value)}
              placeholder={kind === "cdu" ? "cdu:h1-r02-01" : kind === "rack" ? "rack:h1-r02-03" : `${kind}:h1-r02`}
            />
          )}
        </Field>
        <Field id="drain-reason" label="Reason" error={errors.reason}>
          {(control) => (
            <input
              {...control}
              value={values.reason}
              onChange={(event) => set("reason")(event.target.value)}
              placeholder="busway thermography"
            />
          )}
        </Field>
        <Field id="drain-policy" label="Running work" error={errors.policy}>
          {(control) => (
            <select {...control} value={policy} onChange={(event) => setPolicy(event.target.value as Policy)}>
              {policies.map((value) => (
                <option key={value} value={value}>
                  {policyLabels[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {policy === "deadline" ? (
          <DrainTimeField id="deadline" label="Deadline" values={values} set={set} errors={errors} />
        ) : null}
        <DrainTimeField id="startsAt" label="From (empty: now)" values={values} set={set} errors={errors} />
        <DrainTimeField id="endsAt" label="Until (empty: until resumed)" values={values} set={set} errors={errors} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Draining…" : "Drain"}
          </button>
        </div>
      </form>
      <div aria-live="polite" className="live-region">
        {summary === undefined ? null : (
          <p className={summary.error ? "notice notice-error" : "notice notice-ok"} id="drain-result">
            {summary.text}
          </p>
        )}
      </div>
    </section>
  );
}
