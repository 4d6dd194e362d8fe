/**
 * Queues: every queue the caller may see with its quota used / nominal per resource (GPUs, cores, GiB, as
 * configured), cohort, priority class and pending / running work. Platform admins also create queues, change a
 * queue's quota, delete a queue after confirming (the server refuses while work waits or runs in it), start or stop
 * the demo load, and download the configuration as Kueue objects; other staff read and download; tenants read their
 * own queues. Refreshes every 10 s.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError, describeError } from "../api/client.ts";
import type { DemoStatus, QueueConfigAnswer, QueueFileQueue, QueueSummary } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { Field, fieldControl, fieldErrorId } from "../components/field.tsx";
import { markedFields, numberAsTyped, refusalSummary } from "../components/form-errors.tsx";
import { ErrorNotice, Loading, Unavailable } from "../components/status.tsx";
import { formatNumber, formatTime } from "../format.ts";
import {
  duplicateResources,
  formKeyOf,
  knownResources,
  type QuotaRow,
  queueRequestBody,
  quotaRow,
  quotaRowStyle,
} from "./queue-form.ts";

/** Unit of a resource's quantities in the queue file: `cpu` in cores, `memory` in GiB, GPU flavours in GPUs. */
function unitOf(resource: string): string {
  if (resource === "cpu") return "cores";
  if (resource === "memory") return "GiB";
  return "GPUs";
}

/** A quota quantity: whole numbers as such, fractions (shared GPUs, GiB) to one decimal. */
function quantity(value: number): string {
  return formatNumber(value, Number.isInteger(value) ? 0 : 1);
}

/** What came of the last change, shown above the table. */
type Outcome = { readonly text: string; readonly error: boolean } | undefined;

export function QueuesPage() {
  const { capabilities, me, permissions } = useSession();
  const available = capabilities.has("GET", "/v1/queues");
  const queues = useResource<QueueSummary[]>("/v1/queues", { enabled: available, refreshMs: 10_000 });
  const admin = me.role === "platform-admin";
  const config = useResource<QueueConfigAnswer>("/v1/queue-config", { enabled: available && admin });
  const [outcome, setOutcome] = useState<Outcome>(undefined);
  const [editing, setEditing] = useState<string | undefined>(undefined);

  if (!available) {
    return (
      <section aria-labelledby="queues-title">
        <h1 id="queues-title">Queues</h1>
        <Unavailable feature="Queues and quotas" route="GET /v1/queues" />
      </section>
    );
  }
  const changed = (text: string) => {
    setOutcome({ text, error: false });
    setEditing(undefined);
    queues.reload();
    config.reload();
  };
  const editedQueue = config.data?.config.queues.find((queue) => queue.name === editing);
  return (
    <section aria-labelledby="queues-title">
      <div className="page-head">
        <h1 id="queues-title">Queues</h1>
        {permissions.staff ? <KueueDownload /> : null}
      </div>
      <p className="muted">
        Each queue is guaranteed its nominal quota and may borrow idle quota from its cohort up to its borrowing limit.
        Quantities are in GPUs per model (<code>gpu</code>: any model), cores and GiB.
      </p>
      {admin ? <DemoPanel /> : null}
      {admin && config.data !== undefined && editing === undefined ? (
        <QueueForm config={config.data} onDone={changed} />
      ) : null}
      {admin && config.data !== undefined && editedQueue !== undefined ? (
        <QueueForm
          key={editedQueue.name}
          config={config.data}
          queue={editedQueue}
          onDone={changed}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
      {config.status === "error" ? <ErrorNotice error={config.error} action="Loading the queue configuration" /> : null}
      <div aria-live="polite" className="live-region">
        {outcome === undefined ? null : (
          <p className={outcome.error ? "notice notice-error" : "notice notice-ok"} id="queue-outcome">
            {outcome.text}
          </p>
        )}
      </div>
      {queues.status === "loading" ? <Loading what="queues" /> : null}
      {queues.status === "error" ? <ErrorNotice error={queues.error} action="Loading queues" /> : null}
      {queues.status === "ready" && queues.data.length === 0 ? <p className="empty">No queue to show.</p> : null}
      {(queues.data ?? []).length === 0 ? null : (
        <QueueTable
          queues={queues.data ?? []}
          mayAct={admin && config.data !== undefined}
          onEdit={(name) => {
            setOutcome(undefined);
            setEditing(name);
          }}
          onDeleted={changed}
          onOutcome={setOutcome}
        />
      )}
    </section>
  );
}

/** Downloads the configuration as Kueue objects (the export needs the caller's key, so a plain link cannot). */
function KueueDownload() {
  const { client } = useSession();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const download = async () => {
    setProblem(undefined);
    try {
      const yaml = await client.getText("/v1/queue-config?format=kueue");
      const url = URL.createObjectURL(new Blob([yaml], { type: "application/yaml" }));
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = "kueue-queues.yaml";
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setProblem(describeError(error));
    }
  };
  return (
    <div className="toolbar">
      <button type="button" onClick={download}>
        Download Kueue export
      </button>
      {problem === undefined ? null : <span className="field-error">{problem}</span>}
    </div>
  );
}

function QuotaCell(props: { queue: QueueSummary }) {
  const resources = Object.keys(props.queue.nominal);
  if (resources.length === 0) return <span className="muted">no quota</span>;
  return (
    <ul className="plain">
      {resources.map((resource) => {
        const limit = props.queue.borrowingLimit[resource];
        return (
          <li key={resource} data-resource={resource}>
            <code>{resource}</code> {quantity(props.queue.usage[resource] ?? 0)} /{" "}
            {quantity(props.queue.nominal[resource] ?? 0)} {unitOf(resource)}
            <span className="muted">
              {limit === null || limit === undefined ? " · borrows freely" : ` · borrows ≤ ${quantity(limit)}`}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function QueueTable(props: {
  queues: readonly QueueSummary[];
  mayAct: boolean;
  onEdit: (name: string) => void;
  onDeleted: (text: string) => void;
  onOutcome: (outcome: Outcome) => void;
}) {
  const { client } = useSession();
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const remove = async (name: string) => {
    setBusy(true);
    props.onOutcome(undefined);
    try {
      const answer = await client.delete<{ version: number }>(`/v1/queues/${encodeURIComponent(name)}`);
      setConfirming(undefined);
      props.onDeleted(`Deleted queue ${name} (configuration version ${answer.version}).`);
    } catch (error) {
      const detail = error instanceof ApiError ? (error.problem.detail ?? error.message) : describeError(error);
      props.onOutcome({ text: `Queue ${name} was not deleted: ${detail}`, error: true });
      setConfirming(undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <table className="data queues" aria-describedby="queues-count">
      <caption id="queues-count">
        {formatNumber(props.queues.length)} queue{props.queues.length === 1 ? "" : "s"}
      </caption>
      <thead>
        <tr>
          <th scope="col">Queue</th>
          <th scope="col">Cohort</th>
          <th scope="col">Priority class</th>
          <th scope="col">Quota used / nominal</th>
          <th scope="col">Pending</th>
          <th scope="col">Running</th>
          {props.mayAct ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.queues.map((queue) => (
          <tr key={queue.name} data-queue={queue.name}>
            <td>
              {queue.name}
              <div className="muted">{queue.tenantId}</div>
            </td>
            <td>{queue.cohort ?? <span className="muted">none</span>}</td>
            <td>{queue.priorityClass}</td>
            <td>
              <QuotaCell queue={queue} />
            </td>
            <td className="num">{formatNumber(queue.pending)}</td>
            <td className="num">{formatNumber(queue.running)}</td>
            {props.mayAct ? (
              <td className="actions">
                {confirming === queue.name ? (
                  <fieldset aria-label={`Confirm deleting ${queue.name}`}>
                    <legend>Delete queue {queue.name}? Its tenant can no longer submit to it.</legend>
                    <button type="button" className="primary" disabled={busy} onClick={() => remove(queue.name)}>
                      Confirm delete
                    </button>
                    <button type="button" disabled={busy} onClick={() => setConfirming(undefined)}>
                      Keep
                    </button>
                  </fieldset>
                ) : (
                  <>
                    <button type="button" onClick={() => props.onEdit(queue.name)} aria-label={`Edit ${queue.name}`}>
                      Edit
                    </button>
                    <button type="button" onClick={() => setConfirming(queue.name)} aria-label={`Delete ${queue.name}`}>
                      Delete
                    </button>
                  </>
                )}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A quota row's two amounts: the row field (and API field) each edits, its input id and its label in a unit. */
const quotaAmounts: readonly {
  readonly field: "nominal" | "borrowingLimit";
  readonly id: string;
  readonly label: (unit: string) => string;
}[] = [
  { field: "nominal", id: "nominal", label: (unit) => `Nominal (${unit})` },
  { field: "borrowingLimit", id: "borrowing", label: () => "Borrowing limit (empty: none)" },
];

/** The quota rows of the queue form: a resource, its nominal quota and borrowing limit each; rows added and removed. */
function QuotaRowsFieldset(props: {
  prefix: string;
  rows: readonly QuotaRow[];
  setRows: (update: (current: QuotaRow[]) => QuotaRow[]) => void;
  resources: readonly string[];
  errors: Partial<Record<string, string>>;
}) {
  const { prefix, rows, setRows, resources, errors } = props;
  const setRow = (index: number, change: Partial<QuotaRow>) =>
    setRows((current) => current.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <fieldset className="quota-rows">
      <legend>Quota</legend>
      {rows.map((row, index) => (
        <div className="quota-row" key={row.key} data-quota-row={index} style={quotaRowStyle}>
          <Field id={`${prefix}-resource-${index}`} label="Resource" error={errors[`quota.${index}.resource`]}>
            {(control) => (
              <select {...control} value={row.resource} onChange={(e) => setRow(index, { resource: e.target.value })}>
                {(resources.includes(row.resource) ? resources : [row.resource, ...resources]).map((resource) => (
                  <option key={resource} value={resource}>
                    {resource} ({unitOf(resource)})
                  </option>
                ))}
              </select>
            )}
          </Field>
          {quotaAmounts.map((amount) => (
            <Field
              key={amount.field}
              id={`${prefix}-${amount.id}-${index}`}
              label={amount.label(unitOf(row.resource))}
              error={errors[`quota.${index}.${amount.field}`]}
            >
              {(control) => (
                <input
                  {...control}
                  inputMode="decimal"
                  value={row[amount.field]}
                  onChange={(e) => setRow(index, { [amount.field]: e.target.value })}
                />
              )}
            </Field>
          ))}
          <button
            type="button"
            onClick={() => setRows((current) => current.filter((_, i) => i !== index))}
            aria-label={`Remove quota row ${index + 1}`}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() =>
          setRows((current) => [
            ...current,
            quotaRow(resources.find((r) => !current.some((row) => row.resource === r)) ?? "gpu"),
          ])
        }
      >
        Add a resource
      </button>
    </fieldset>
  );
}

/** Creates a queue (no `queue`) or changes one (its other settings kept as configured). */
function QueueForm(props: {
  config: QueueConfigAnswer;
  queue?: QueueFileQueue;
  onDone: (text: string) => void;
  onCancel?: () => void;
}) {
  const { client } = useSession();
  const existing = props.queue;
  const config = props.config.config;
  const resources = knownResources(config);
  const prefix = existing === undefined ? "queue-new" : "queue-edit";
  const [name, setName] = useState(existing?.name ?? "");
  const [tenant, setTenant] = useState(existing?.tenant ?? "");
  const [cohort, setCohort] = useState(existing?.cohort ?? "");
  const [priorityClass, setPriorityClass] = useState(existing?.priorityClass ?? "normal");
  const [rows, setRows] = useState<QuotaRow[]>(() =>
    existing === undefined
      ? [quotaRow(resources[0] ?? "gpu")]
      : Object.entries(existing.quota ?? {}).map(([resource, limits]) =>
          quotaRow(
            resource,
            String(limits.nominal),
            limits.borrowingLimit === undefined ? "" : String(limits.borrowingLimit),
          ),
        ),
  );
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [summary, setSummary] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setSummary(undefined);
    const local = duplicateResources(rows);
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setSummary("Nothing was saved: correct the marked fields.");
      return;
    }
    const body = queueRequestBody(existing, { tenant, cohort, priorityClass }, rows);
    const target = existing?.name ?? name.trim();
    if (target === "") {
      setErrors({ name: "a queue needs a name" });
      setSummary("Nothing was saved: correct the marked fields.");
      return;
    }
    setBusy(true);
    try {
      const answer = await client.put<{ version: number }>(`/v1/queues/${encodeURIComponent(target)}`, body);
      const verb = existing === undefined ? "Created" : "Updated";
      props.onDone(`${verb} queue ${target} (configuration version ${answer.version}).`);
      if (existing === undefined) {
        setName("");
        setRows([quotaRow(resources[0] ?? "gpu")]);
      }
    } catch (error) {
      const marked = markedFields(error, (field) => formKeyOf(field, rows));
      setErrors(marked);
      setSummary(refusalSummary("Nothing was saved", marked, error));
    } finally {
      setBusy(false);
    }
  };

  const title = existing === undefined ? "Create a queue" : `Edit queue ${existing.name}`;
  const panel = useRef<HTMLElement>(null);
  // The Edit button sits in the table below: bring the form that opened into view.
  useEffect(() => {
    if (existing !== undefined) panel.current?.scrollIntoView({ block: "start" });
  }, [existing]);

  return (
    <section className="panel" aria-labelledby={`${prefix}-title`} ref={panel}>
      <h2 id={`${prefix}-title`}>{title}</h2>
      <form className="job-form" onSubmit={submit} noValidate>
        {existing === undefined ? (
          <Field id={`${prefix}-name`} label="Queue name" error={errors.name}>
            {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
        ) : null}
        <Field id={`${prefix}-tenant`} label="Tenant" error={errors.tenant}>
          {(control) => <input {...control} value={tenant} onChange={(e) => setTenant(e.target.value)} />}
        </Field>
        <Field id={`${prefix}-cohort`} label="Cohort" error={errors.cohort}>
          {(control) => (
            <select {...control} value={cohort} onChange={(e) => setCohort(e.target.value)}>
              <option value="">none (borrows nothing)</option>
              {config.cohorts.map((entry) => (
                <option key={entry.name} value={entry.name}>
                  {entry.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${prefix}-priority`} label="Priority class" error={errors.priorityClass}>
          {(control) => (
            <select {...control} value={priorityClass} onChange={(e) => setPriorityClass(e.target.value)}>
              {config.priorityClasses.map((entry) => (
                <option key={entry.name} value={entry.name}>
                  {entry.name} ({entry.value})
                </option>
              ))}
            </select>
          )}
        </Field>
        <QuotaRowsFieldset prefix={prefix} rows={rows} setRows={setRows} resources={resources} errors={errors} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : existing === undefined ? "Create queue" : "Save quota"}
          </button>
          {props.onCancel === undefined ? null : (
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      <div aria-live="polite" className="live-region">
        {summary === undefined ? null : (
          <p className="notice notice-error" id={`${prefix}-result`}>
            {summary}
          </p>
        )}
      </div>
    </section>
  );
}

/** Starts the demo load at a share of the site's GPUs, or stops it, and shows what it has submitted. */
function DemoPanel() {
  const { client } = useSession();
  const demo = useResource<DemoStatus>("/v1/demo", { refreshMs: 5000 });
  const [share, setShare] = useState("50");
  /** What went wrong: the API's refusal of the share (`onShare`, marked on its input) or another problem. */
  const [problem, setProblem] = useState<{ text: string; onShare: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const change = async (running: boolean) => {
    setProblem(undefined);
    setBusy(true);
    try {
      const percent = numberAsTyped(share);
      const load = typeof percent === "number" ? percent / 100 : percent;
      await client.put<DemoStatus>(
        "/v1/demo",
        running ? { running, ...(load === undefined ? {} : { load }) } : { running },
      );
      demo.reload();
    } catch (error) {
      const fieldMessage = error instanceof ApiError ? error.fieldMessage("body.load") : undefined;
      setProblem(
        fieldMessage === undefined
          ? { text: describeError(error), onShare: false }
          : { text: `Load share: ${fieldMessage}`, onShare: true },
      );
    } finally {
      setBusy(false);
    }
  };
  const status = demo.data;
  return (
    <section className="panel" aria-labelledby="demo-title">
      <h2 id="demo-title">Demo load</h2>
      {demo.status === "error" ? <ErrorNotice error={demo.error} action="Loading the demo load" /> : null}
      {status === undefined ? null : (
        <p id="demo-status">
          {status.running
            ? `Running at ${formatNumber(status.load * 100)} % of the site's GPUs since ${formatTime(status.startedAt)}: ${formatNumber(status.submitted)} jobs submitted, ${formatNumber(status.active)} active.`
            : `Stopped. ${formatNumber(status.submitted)} jobs submitted so far, ${formatNumber(status.active)} still active.`}
        </p>
      )}
      <div className="toolbar">
        <label htmlFor="demo-share">Load share (% of GPUs)</label>
        <input
          inputMode="decimal"
          value={share}
          onChange={(e) => setShare(e.target.value)}
          {...fieldControl("demo-share", problem?.onShare === true ? problem.text : undefined)}
        />
        <button type="button" className="primary" disabled={busy} onClick={() => change(true)}>
          {status?.running === true ? "Change load" : "Start demo load"}
        </button>
        <button type="button" disabled={busy || status?.running !== true} onClick={() => change(false)}>
          Stop demo load
        </button>
      </div>
      {problem === undefined ? null : (
        // The load share's refusal is the input's error (it names it); another problem is the form's.
        <p className="field-error" id={problem.onShare ? fieldErrorId("demo-share") : "demo-error"}>
          {problem.text}
        </p>
      )}
    </section>
  );
}
