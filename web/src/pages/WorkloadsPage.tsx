/**
 * Workloads: queues with quota usage per tenant, jobs with the reason they wait, and (for tenant roles) a form to
 * submit a job. The API validates; its problem+json field messages appear next to the fields they name.
 *
 * Jobs are paged and filtered by the server (`limit`, `cursor`, state, tenant, queue, data class, name prefix), 50
 * a page, with the filters in the address so a link (from an alarm: its tenants' running jobs) opens them. Cancelling
 * asks for confirmation; admins may select several jobs and cancel them together.
 */
import { type FormEvent, type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import {
  type Job,
  type JobArray,
  type JobArraySubmission,
  jobStates,
  type Project,
  type Queue,
  type Tenant,
} from "../api/types.ts";
import { followLink, navigate, useLocation } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { Field, FieldError, fieldErrorId } from "../components/field.tsx";
import { markedFields, refusalSummary } from "../components/form-errors.tsx";
import { curtailmentText } from "../components/grid.tsx";
import {
  ActionConfirmation,
  type ActionOutcome,
  actionApplies,
  actionsFor,
  actionVerb,
  type JobAction,
  jobActions,
  runJobAction,
} from "../components/job-actions.tsx";
import { ErrorNotice, Loading, Meter, Unavailable } from "../components/status.tsx";
import { formatAge, formatNumber, formatTime, shortId } from "../format.ts";
import {
  defaultDataClass,
  emptyJobForm,
  type FormField,
  formFieldOf,
  type JobFormValues,
  jobSubmissionBody,
  submittedText,
} from "./job-form.ts";

/** Jobs per page. */
const pageSize = 50;
/** Filters the job list takes from the address, each a `GET /v1/jobs` parameter. */
const filterNames = ["state", "tenantId", "queue", "dataClass", "namePrefix"] as const;
type JobFilters = Partial<Record<(typeof filterNames)[number], string>>;

/** One page of jobs and how to move. */
interface JobPage {
  readonly status: "loading" | "ready" | "error";
  /** The request the jobs answer: another path (the next page, other filters) is still loading. */
  readonly path: string | undefined;
  readonly jobs: readonly Job[];
  readonly total: number | undefined;
  readonly nextCursor: string | undefined;
  readonly error: unknown;
}

/** The jobs of the filters at a cursor, refreshed every 5 s. */
function useJobPage(filters: JobFilters, cursor: string | undefined, enabled: boolean): JobPage & { reload(): void } {
  const { client } = useSession();
  const [page, setPage] = useState<JobPage>({
    status: "loading",
    path: undefined,
    jobs: [],
    total: undefined,
    nextCursor: undefined,
    error: undefined,
  });
  const [generation, setGeneration] = useState(0);
  // An array is one row counting its tasks; expanding it lists them.
  const query = new URLSearchParams({ limit: String(pageSize), arrays: "collapse" });
  for (const name of filterNames) {
    const value = filters[name];
    if (value !== undefined && value !== "") query.set(name, value);
  }
  if (cursor !== undefined) query.set("cursor", cursor);
  const path = `/v1/jobs?${query.toString()}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: generation triggers reloads
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      client.getPage<Job>(path, controller.signal).then(
        (result) => {
          setPage({
            status: "ready",
            path,
            jobs: result.items,
            total: result.total,
            nextCursor: result.nextCursor,
            error: undefined,
          });
          timer = setTimeout(load, 5000);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          // An error on another page than the one shown drops its rows: they are not this page's.
          setPage((current) =>
            current.path === path
              ? { ...current, status: "error", error }
              : { status: "error", path, jobs: [], total: undefined, nextCursor: undefined, error },
          );
          timer = setTimeout(load, 10_000);
        },
      );
    };
    load();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [client, path, enabled, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  // Rows of another page are not shown under this page's number, and their next cursor is not offered again (a
  // second click on "Older" before the page came would skip one).
  if (page.path !== path) return { ...page, status: "loading", reload };
  return { ...page, reload };
}

export function WorkloadsPage() {
  const { capabilities, permissions } = useSession();
  const { search } = useLocation();
  const filters: JobFilters = Object.fromEntries(
    filterNames.flatMap((name) => {
      const value = search.get(name);
      return value === null || value === "" ? [] : [[name, value]];
    }),
  );
  const filterKey = JSON.stringify(filters);
  // Cursors of the pages before the current one, and the current one (undefined: the first page).
  const [cursors, setCursors] = useState<{ key: string; stack: (string | undefined)[] }>({
    key: "",
    stack: [undefined],
  });
  const stack = cursors.key === filterKey ? cursors.stack : [undefined];
  const cursor = stack.at(-1);
  const [lastSubmitted, setLastSubmitted] = useState<string | undefined>(undefined);
  const queues = useResource<Queue[]>("/v1/queues", { enabled: capabilities.queues, refreshMs: 5000 });
  const jobs = useJobPage(filters, cursor, capabilities.jobs);
  const setFilter = (name: (typeof filterNames)[number], value: string) => {
    const parameters = new URLSearchParams(search);
    if (value === "") parameters.delete(name);
    else parameters.set(name, value);
    const query = parameters.toString();
    navigate(`/workloads${query === "" ? "" : `?${query}`}`, { replace: true });
  };

  return (
    <section aria-labelledby="workloads-title">
      <div className="page-head">
        <h1 id="workloads-title">Workloads</h1>
      </div>
      {permissions.submitJobs ? (
        capabilities.has("POST", "/v1/jobs") ? (
          <SubmitJobForm
            onSubmitted={(job) => {
              setLastSubmitted(job.id);
              jobs.reload();
              queues.reload();
            }}
          />
        ) : (
          <Unavailable feature="Job submission" route="POST /v1/jobs" />
        )
      ) : null}
      <section className="panel" aria-labelledby="queues-title">
        <h2 id="queues-title">Queues and quotas</h2>
        {!capabilities.queues ? (
          <Unavailable feature="Queues" route="GET /v1/queues" />
        ) : queues.status === "loading" ? (
          <Loading what="queues" />
        ) : queues.status === "error" && queues.data === undefined ? (
          <ErrorNotice error={queues.error} action="Loading queues" />
        ) : (
          <QueueTable queues={queues.data ?? []} />
        )}
      </section>
      <section className="panel" aria-labelledby="jobs-title">
        <div className="section-head">
          <h2 id="jobs-title">Jobs</h2>
        </div>
        <JobFiltersForm filters={filters} onChange={setFilter} staff={permissions.staff} />
        {!capabilities.jobs ? (
          <Unavailable feature="Jobs" route="GET /v1/jobs" />
        ) : jobs.status === "loading" ? (
          <Loading what="jobs" />
        ) : jobs.status === "error" && jobs.jobs.length === 0 ? (
          <ErrorNotice error={jobs.error} action="Loading jobs" />
        ) : (
          <>
            <JobTable jobs={jobs.jobs} highlight={lastSubmitted} onChanged={jobs.reload} />
            <nav className="pager" aria-label="Job pages">
              <button
                type="button"
                disabled={stack.length <= 1}
                onClick={() => setCursors({ key: filterKey, stack: stack.slice(0, -1) })}
              >
                ← Newer
              </button>
              <span className="muted" data-job-total={jobs.total}>
                Page {stack.length}
                {jobs.total === undefined
                  ? ""
                  : ` · jobs ${formatNumber((stack.length - 1) * pageSize + Math.min(1, jobs.jobs.length))}–${formatNumber((stack.length - 1) * pageSize + jobs.jobs.length)} of ${formatNumber(jobs.total)}`}
              </span>
              <button
                type="button"
                disabled={jobs.nextCursor === undefined}
                onClick={() => setCursors({ key: filterKey, stack: [...stack, jobs.nextCursor] })}
              >
                Older →
              </button>
            </nav>
          </>
        )}
      </section>
    </section>
  );
}

/** The job filters; each change goes to the address (a shareable link) and the server filters. */
function JobFiltersForm(props: {
  filters: JobFilters;
  staff: boolean;
  onChange: (name: (typeof filterNames)[number], value: string) => void;
}) {
  const { filters, onChange } = props;
  const [prefix, setPrefix] = useState(filters.namePrefix ?? "");
  useEffect(() => setPrefix(filters.namePrefix ?? ""), [filters.namePrefix]);
  return (
    <form
      className="job-filters"
      aria-label="Job filters"
      onSubmit={(event) => {
        event.preventDefault();
        onChange("namePrefix", prefix.trim());
      }}
    >
      <label htmlFor="job-state">State</label>
      <select id="job-state" value={filters.state ?? ""} onChange={(event) => onChange("state", event.target.value)}>
        <option value="">all</option>
        {jobStates.map((state) => (
          <option key={state} value={state}>
            {state}
          </option>
        ))}
      </select>
      {props.staff ? (
        <>
          <label htmlFor="job-tenant">Tenant</label>
          <input
            id="job-tenant"
            size={14}
            defaultValue={filters.tenantId ?? ""}
            key={`tenant-${filters.tenantId ?? ""}`}
            onBlur={(event) => onChange("tenantId", event.target.value.trim())}
          />
        </>
      ) : null}
      {/* Short labels: the submission form above owns "Name" and "Data class". */}
      <label htmlFor="job-data-class">Class</label>
      <select
        id="job-data-class"
        value={filters.dataClass ?? ""}
        onChange={(event) => onChange("dataClass", event.target.value)}
      >
        <option value="">any</option>
        <option value="public">public</option>
        <option value="confidential">confidential</option>
        <option value="health">health</option>
      </select>
      <label htmlFor="job-name-prefix">Begins with</label>
      <input
        id="job-name-prefix"
        size={16}
        title="Jobs whose name begins with this text"
        value={prefix}
        onChange={(event) => setPrefix(event.target.value)}
      />
      <button type="submit">Filter</button>
    </form>
  );
}

function QueueTable(props: { queues: readonly Queue[] }) {
  if (props.queues.length === 0) return <p className="empty">No queue.</p>;
  const sorted = [...props.queues].sort((a, b) => a.tenantId.localeCompare(b.tenantId) || a.name.localeCompare(b.name));
  return (
    <table className="data">
      <thead>
        <tr>
          <th scope="col">Queue</th>
          <th scope="col">Tenant</th>
          <th scope="col">Cohort</th>
          <th scope="col">Quota used (nominal; may borrow)</th>
          <th scope="col">Pending</th>
          <th scope="col">Running</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((queue) => (
          <tr key={`${queue.tenantId}/${queue.name}`}>
            <th scope="row">{queue.name}</th>
            <td>{queue.tenantId}</td>
            <td>{queue.cohort ?? "–"}</td>
            <td>
              {Object.keys(queue.nominal).length === 0 ? (
                <span className="muted">no quota</span>
              ) : (
                Object.entries(queue.nominal).map(([resource, nominal]) => {
                  const used = queue.usage[resource] ?? 0;
                  const borrow = queue.borrowingLimit[resource];
                  return (
                    <div key={resource} className="quota">
                      <span className="quota-resource">{resource}</span>
                      <Meter
                        value={used}
                        max={nominal}
                        label={`${queue.name} ${resource} used against quota`}
                        text={`${formatNumber(used)} / ${formatNumber(nominal)}${borrow === undefined ? "" : ` (+${formatNumber(borrow)})`}`}
                      />
                    </div>
                  );
                })
              )}
            </td>
            <td className="number">{formatNumber(queue.pending)}</td>
            <td className="number">{formatNumber(queue.running)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Roles offered bulk actions: admins, over their tenant's or every tenant's jobs. */
const bulkRoles = ["platform-admin", "tenant-admin"];

/** A job's state, and for an array row its tasks by state. */
function JobStateCell({ job }: { job: Job }) {
  const tasks = job.arrayTasks;
  return (
    <>
      <span className={`badge badge-job-${job.state}`} data-job-state={job.state}>
        {job.state}
      </span>
      {job.curtailment === null ? null : (
        <div className="muted" data-curtailment={job.curtailment.kind}>
          {curtailmentText(job.curtailment)}
        </div>
      )}
      {tasks === undefined ? null : (
        <div className="muted" data-array-tasks={tasks.count}>
          {formatNumber(tasks.count)} task{tasks.count === 1 ? "" : "s"}:{" "}
          {Object.entries(tasks.states)
            .map(([state, count]) => `${formatNumber(count)} ${state}`)
            .join(" · ")}
        </div>
      )}
    </>
  );
}

/** The tasks of an array, read when a row is expanded (the first 100; the array page lists them all). */
function ArrayTasks({ arrayJobId, columns }: { arrayJobId: string; columns: number }) {
  const tasks = useResource<JobArray>(`/v1/job-arrays/${encodeURIComponent(arrayJobId)}?limit=100`, {
    refreshMs: 5000,
  });
  return (
    <tr className="array-tasks" data-array-of={arrayJobId}>
      <td colSpan={columns}>
        {tasks.status === "loading" ? (
          <Loading what="tasks" />
        ) : tasks.data === undefined ? (
          <ErrorNotice error={tasks.error} action="Loading the array's tasks" />
        ) : (
          <ul className="task-list">
            {tasks.data.tasks.map((task) => (
              <li key={task.id} data-task-id={task.id}>
                <a href={`/jobs/${encodeURIComponent(task.id)}`} onClick={followLink}>
                  task {task.arrayTaskId ?? task.id}
                </a>{" "}
                <span className={`badge badge-job-${task.state}`}>{task.state}</span>
                {task.reason === "" ? null : <span className="muted"> {task.reason}</span>}
              </li>
            ))}
            {tasks.data.taskCount > tasks.data.tasks.length ? (
              <li>
                <a href={`/arrays/${encodeURIComponent(arrayJobId)}`} onClick={followLink}>
                  All {formatNumber(tasks.data.taskCount)} tasks
                </a>
              </li>
            ) : null}
          </ul>
        )}
      </td>
    </tr>
  );
}

/** The bulk bar: each action on the selected jobs it applies to, and the pending action's confirmation. */
function BulkActions(props: {
  chosen: readonly Job[];
  busy: boolean;
  /** The action waiting for confirmation, if any. */
  pending: JobAction | undefined;
  onChoose: (action: JobAction) => void;
  confirmation: (action: JobAction, targets: readonly Job[]) => ReactNode;
}) {
  const { chosen, pending } = props;
  return (
    <div className="bulk-actions">
      {jobActions.map((action) => {
        const applicable = chosen.filter((job) => actionApplies(action, job));
        return (
          <button
            key={action}
            type="button"
            disabled={applicable.length === 0 || props.busy}
            onClick={() => props.onChoose(action)}
          >
            {actionVerb(action)} selected ({formatNumber(applicable.length)})
          </button>
        );
      })}
      {pending === undefined
        ? null
        : (() => {
            const applicable = chosen.filter((job) => actionApplies(pending, job));
            return applicable.length === 0 ? null : props.confirmation(pending, applicable);
          })()}
    </div>
  );
}

/** A job's descriptive cells: name and project (or its array), tenant and queue, state, why and where, size, data, age. */
function JobCells(props: { job: Job; arrayId: string | undefined }) {
  const { job, arrayId } = props;
  return (
    <>
      <td>
        {arrayId === undefined ? (
          <a href={`/jobs/${encodeURIComponent(job.id)}`} onClick={followLink}>
            {job.name}
          </a>
        ) : (
          <a href={`/arrays/${encodeURIComponent(arrayId)}`} onClick={followLink}>
            {job.name.replace(/\[\d+\]$/, "")} (array)
          </a>
        )}
        <div className="muted" data-project-name={job.projectName ?? ""}>
          {job.projectName ?? job.projectId} · {arrayId ?? job.id}
        </div>
        {job.dependsOn.length === 0 ? null : (
          <div className="muted">
            after {job.dependsOn.map((dependency) => `${dependency.kind} ${dependency.jobId}`).join(", ")}
          </div>
        )}
      </td>
      <td>
        {job.tenantId} · {job.queue}
      </td>
      <td>
        <JobStateCell job={job} />
      </td>
      <td>
        {job.reason === null || job.reason === "" ? null : <div className="job-reason">{job.reason}</div>}
        {job.placement === null ? null : (
          <div className="muted">
            {job.placement.racks.length} rack{job.placement.racks.length === 1 ? "" : "s"}
            {job.placement.racks.length > 0 ? ` from ${shortId(job.placement.racks[0]!)}` : ""}
            {job.placement.zoneId === null ? "" : ` · ${shortId(job.placement.zoneId)}`}
          </div>
        )}
      </td>
      <td className="number">
        {job.gpus}
        {job.gpuModels.length === 0 ? "" : ` × ${job.gpuModels.join(" or ")}`}
      </td>
      <td>{job.dataClass}</td>
      <td title={formatTime(job.submittedAt)}>{job.submittedAt === null ? "–" : formatAge(job.submittedAt)}</td>
    </>
  );
}

/** The job table's column heads; for staff acting in bulk, a first column to select every job that can be acted on. */
function JobTableHead(props: { bulk: boolean; allChosen: boolean; onChooseAll: (all: boolean) => void }) {
  return (
    <thead>
      <tr>
        {props.bulk ? (
          <th scope="col">
            <input
              type="checkbox"
              aria-label="Select every job of this page that can be acted on"
              checked={props.allChosen}
              onChange={(event) => props.onChooseAll(event.target.checked)}
            />
          </th>
        ) : null}
        <th scope="col">Job</th>
        <th scope="col">Tenant · queue</th>
        <th scope="col">State</th>
        <th scope="col">Why / where</th>
        <th scope="col">GPUs</th>
        <th scope="col">Data</th>
        <th scope="col">Submitted</th>
        <th scope="col">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

/** The jobs of a page: each with its actions (confirmed first), selection and bulk actions for staff, array tasks. */
function JobTable(props: { jobs: readonly Job[]; highlight: string | undefined; onChanged: () => void }) {
  const { client, permissions, me } = useSession();
  const [outcome, setOutcome] = useState<ActionOutcome | undefined>(undefined);
  /** The pending confirmation: an action on one job (its id) or on the selection. */
  const [confirming, setConfirming] = useState<{ action: JobAction; target: string } | undefined>(undefined);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const bulk = bulkRoles.includes(me.role);
  // Array rows stand for many tasks: they are acted on from the array's page, not in bulk here.
  const single = (job: Job) => job.arrayTasks === undefined;
  const selectable = props.jobs.filter((job) => single(job) && actionsFor(job, me, permissions).length > 0);
  const chosen = selectable.filter((job) => selected.has(job.id));
  const columns = bulk ? 9 : 8;

  const act = async (
    action: JobAction,
    targets: readonly Job[],
    options: { reason: string; holdAfterRequeue: boolean },
  ) => {
    setOutcome(undefined);
    setBusy(true);
    const result = await runJobAction(client, action, targets, options);
    setBusy(false);
    setConfirming(undefined);
    setSelected(new Set());
    setOutcome(result);
    props.onChanged();
  };
  const confirmation = (action: JobAction, targets: readonly Job[], idPrefix: string) => (
    <ActionConfirmation
      action={action}
      jobs={targets}
      busy={busy}
      idPrefix={idPrefix}
      onConfirm={(options) => act(action, targets, options)}
      onDismiss={() => setConfirming(undefined)}
    />
  );

  if (props.jobs.length === 0) return <p className="empty">No job matches.</p>;
  return (
    <>
      <div aria-live="polite">
        {outcome === undefined ? null : (
          <p className={outcome.error ? "notice notice-error" : "notice notice-ok"}>{outcome.text}</p>
        )}
      </div>
      {bulk && selectable.length > 0 ? (
        <BulkActions
          chosen={chosen}
          busy={busy}
          pending={confirming?.target === "selected" ? confirming.action : undefined}
          onChoose={(action) => setConfirming({ action, target: "selected" })}
          confirmation={(action, targets) => confirmation(action, targets, "bulk")}
        />
      ) : null}
      <table className="data jobs">
        <JobTableHead
          bulk={bulk}
          allChosen={selectable.length > 0 && chosen.length === selectable.length}
          onChooseAll={(all) => setSelected(all ? new Set(selectable.map((job) => job.id)) : new Set())}
        />
        <tbody>
          {props.jobs.flatMap((job) => {
            const arrayId = job.arrayTasks === undefined ? undefined : (job.arrayJobId ?? undefined);
            const actions = single(job) ? actionsFor(job, me, permissions) : [];
            const open = arrayId !== undefined && expanded.has(arrayId);
            const rowConfirm = confirming?.target === job.id ? confirming.action : undefined;
            const row = (
              <tr
                key={job.id}
                data-job-id={job.id}
                data-array-job-id={arrayId}
                className={job.id === props.highlight ? "highlight" : undefined}
              >
                {bulk ? (
                  <td>
                    {selectable.includes(job) ? (
                      <input
                        type="checkbox"
                        aria-label={`Select ${job.name}`}
                        checked={selected.has(job.id)}
                        onChange={(event) => {
                          const next = new Set(selected);
                          if (event.target.checked) next.add(job.id);
                          else next.delete(job.id);
                          setSelected(next);
                        }}
                      />
                    ) : null}
                  </td>
                ) : null}
                <JobCells job={job} arrayId={arrayId} />
                <td className="actions">
                  {arrayId !== undefined ? (
                    <button
                      type="button"
                      aria-expanded={open}
                      aria-label={`${open ? "Hide" : "Show"} tasks of ${job.name.replace(/\[\d+\]$/, "")}`}
                      onClick={() => {
                        const next = new Set(expanded);
                        if (open) next.delete(arrayId);
                        else next.add(arrayId);
                        setExpanded(next);
                      }}
                    >
                      {open ? "Hide tasks" : "Show tasks"}
                    </button>
                  ) : rowConfirm !== undefined ? (
                    confirmation(rowConfirm, [job], `job-${job.id}`)
                  ) : (
                    actions.map((action) => (
                      <button
                        key={action}
                        type="button"
                        onClick={() => setConfirming({ action, target: job.id })}
                        aria-label={`${actionVerb(action)} ${job.name}`}
                      >
                        {actionVerb(action)}…
                      </button>
                    ))
                  )}
                </td>
              </tr>
            );
            return open ? [row, <ArrayTasks key={`${arrayId}-tasks`} arrayJobId={arrayId} columns={columns} />] : [row];
          })}
        </tbody>
      </table>
    </>
  );
}

/** What the submit form's field groups share: the values, their setters and the API's marks on them. */
export interface JobFormState {
  readonly values: JobFormValues;
  readonly set: (field: keyof JobFormValues) => (value: string | boolean) => void;
  readonly setValues: (update: (current: JobFormValues) => JobFormValues) => void;
  readonly errors: Partial<Record<FormField, string>>;
}

/** Where the job runs: GPUs, accepted models, queue, priority class, topology. */
export function JobPlacementFields(props: {
  form: JobFormState;
  gpuModels: readonly string[];
  acceptedModels: ReadonlySet<string>;
  setAcceptedModels: (models: ReadonlySet<string>) => void;
  myQueues: readonly Queue[];
  chosenQueue: Queue | undefined;
  classes: readonly string[];
}) {
  const { values, set, setValues, errors } = props.form;
  const { gpuModels, acceptedModels, setAcceptedModels, myQueues, chosenQueue, classes } = props;
  // The API names the list (`gpuModels`) or, for the older single model, `gpuModel`: both belong to the group.
  const modelsError = errors.gpuModels ?? errors.gpuModel;
  return (
    <>
      <Field id="job-gpus" label="GPUs" error={errors.gpus}>
        {(control) => (
          <input
            {...control}
            type="number"
            inputMode="numeric"
            value={values.gpus}
            onChange={(event) => set("gpus")(event.target.value)}
          />
        )}
      </Field>
      <fieldset
        className="field field-models"
        aria-describedby={modelsError === undefined ? undefined : fieldErrorId("job-gpuModels")}
      >
        <legend>Accepted GPU models (none: any)</legend>
        {gpuModels.map((model) => (
          <span key={model} className="field-check">
            <input
              id={`job-gpuModels-${model}`}
              type="checkbox"
              checked={acceptedModels.has(model)}
              onChange={(event) => {
                const next = new Set(acceptedModels);
                if (event.target.checked) next.add(model);
                else next.delete(model);
                setAcceptedModels(next);
              }}
            />
            <label htmlFor={`job-gpuModels-${model}`}>{model}</label>
          </span>
        ))}
        <FieldError id="job-gpuModels" error={modelsError} />
      </fieldset>
      <Field id="job-queue" label="Queue" error={errors.queue}>
        {(control) => (
          <select
            {...control}
            value={values.queue}
            onChange={(event) => setValues((current) => ({ ...current, queue: event.target.value, priorityClass: "" }))}
          >
            <option value="">default</option>
            {myQueues.map((queue) => (
              <option key={queue.name} value={queue.name}>
                {queue.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="job-priorityClass" label="Priority class" error={errors.priorityClass}>
        {(control) => (
          <select
            {...control}
            value={values.priorityClass}
            onChange={(event) => set("priorityClass")(event.target.value)}
          >
            <option value="">the queue's ({chosenQueue?.priorityClass ?? "default"})</option>
            {classes.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="job-topology" label="Topology" error={errors.topology}>
        {(control) => (
          <select {...control} value={values.topology} onChange={(event) => set("topology")(event.target.value)}>
            <option value="any">any</option>
            <option value="nvlink">NVLink domain</option>
            <option value="rack">one rack</option>
            <option value="row">one row</option>
          </select>
        )}
      </Field>
    </>
  );
}

/** How long and under which rules: duration, data class, deadline, array, dependencies, hold, deferrable. */
function JobTimingFields(props: { form: JobFormState; dataClasses: readonly string[]; dataClass: string }) {
  const { values, set, errors } = props.form;
  const { dataClasses, dataClass } = props;
  return (
    <>
      <Field id="job-durationS" label="Duration (minutes)" error={errors.durationS}>
        {(control) => (
          <input
            {...control}
            type="number"
            inputMode="numeric"
            value={values.durationMinutes}
            onChange={(event) => set("durationMinutes")(event.target.value)}
          />
        )}
      </Field>
      <Field id="job-dataClass" label="Data class" error={errors.dataClass}>
        {(control) => (
          <select {...control} value={dataClass} onChange={(event) => set("dataClass")(event.target.value)}>
            {dataClasses.map((dataClass) => (
              <option key={dataClass} value={dataClass}>
                {dataClass}
                {dataClass === "health" ? " (certified zone only)" : ""}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="job-deadline" label="Deadline (optional)" error={errors.deadline}>
        {(control) => (
          <input
            {...control}
            type="datetime-local"
            value={values.deadline}
            onChange={(event) => set("deadline")(event.target.value)}
          />
        )}
      </Field>
      <Field id="job-array" label="Array (optional, e.g. 0-99%10)" error={errors.array}>
        {(control) => (
          <input {...control} value={values.array} onChange={(event) => set("array")(event.target.value)} />
        )}
      </Field>
      <Field id="job-dependsOn" label="After these jobs succeed (ids)" error={errors.dependsOn}>
        {(control) => (
          <input
            {...control}
            value={values.afterOk}
            onChange={(event) => set("afterOk")(event.target.value)}
            placeholder="job_… or an array id"
          />
        )}
      </Field>
      <Field id="job-hold" label="Submit held (starts only once released)" check>
        {(control) => (
          <input
            {...control}
            type="checkbox"
            checked={values.hold}
            onChange={(event) => set("hold")(event.target.checked)}
          />
        )}
      </Field>
      <Field id="job-deferrable" label="Deferrable (may wait for idle capacity)" check>
        {(control) => (
          <input
            {...control}
            type="checkbox"
            checked={values.deferrable}
            onChange={(event) => set("deferrable")(event.target.checked)}
          />
        )}
      </Field>
    </>
  );
}

/** The job submission form: what it sends is `jobSubmissionBody` of what was typed; refusals mark their fields. */
function SubmitJobForm(props: { onSubmitted: (job: Job) => void }) {
  const { client, me, site } = useSession();
  const projects = useResource<Project[]>("/v1/projects");
  const tenant = useResource<Tenant>(
    me.tenantId === null ? undefined : `/v1/tenants/${encodeURIComponent(me.tenantId)}`,
  );
  const queues = useResource<Queue[]>("/v1/queues");
  const gpuModels = useMemo(() => Object.keys(site?.gpusByModel ?? {}), [site]);
  const [acceptedModels, setAcceptedModels] = useState<ReadonlySet<string>>(new Set());
  const [values, setValues] = useState<JobFormValues>(emptyJobForm);
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [summary, setSummary] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const projectList = projects.data ?? [];
  const projectId = values.projectId === "" ? (projectList[0]?.id ?? "") : values.projectId;
  const dataClasses = tenant.data?.dataClasses ?? ["public"];
  const dataClass = values.dataClass === "" ? defaultDataClass(tenant.data?.kind, dataClasses) : values.dataClass;
  const myQueues = (queues.data ?? []).filter((queue) => queue.tenantId === me.tenantId);
  // The server picks the default queue (a student's course queue): the classes shown are those of the one chosen.
  const chosenQueue = myQueues.find((queue) => queue.name === values.queue);
  const classes = chosenQueue?.priorityClasses ?? [...new Set(myQueues.flatMap((queue) => queue.priorityClasses))];

  const set = (field: keyof JobFormValues) => (value: string | boolean) =>
    setValues((current) => ({ ...current, [field]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setSummary(undefined);
    const body = jobSubmissionBody(values, { projectId, dataClass, gpuModels, acceptedModels });
    try {
      const answer = await client.post<Job | JobArraySubmission>("/v1/jobs", body);
      setSummary({ text: submittedText(answer), error: false });
      const first = "arrayJobId" in answer && "taskCount" in answer ? answer.tasks[0] : (answer as Job);
      if (first !== undefined) props.onSubmitted(first);
    } catch (error) {
      const fieldErrors = markedFields(error, formFieldOf);
      setErrors(fieldErrors);
      setSummary({ text: refusalSummary("The job was not submitted", fieldErrors, error), error: true });
    } finally {
      setBusy(false);
    }
  };

  const form: JobFormState = { values, set, setValues, errors };

  return (
    <section className="panel" aria-labelledby="submit-title">
      <h2 id="submit-title">Submit a job</h2>
      <form className="job-form" onSubmit={submit} noValidate>
        <Field id="job-projectId" label="Project" error={errors.projectId}>
          {(control) => (
            <select {...control} value={projectId} onChange={(event) => set("projectId")(event.target.value)}>
              {projectList.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="job-name" label="Name" error={errors.name}>
          {(control) => (
            <input
              {...control}
              value={values.name}
              onChange={(event) => set("name")(event.target.value)}
              placeholder="pathology-finetune-07"
            />
          )}
        </Field>
        <JobPlacementFields
          form={form}
          gpuModels={gpuModels}
          acceptedModels={acceptedModels}
          setAcceptedModels={setAcceptedModels}
          myQueues={myQueues}
          chosenQueue={chosenQueue}
          classes={classes}
        />
        <JobTimingFields form={form} dataClasses={dataClasses} dataClass={dataClass} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Submitting…" : "Submit job"}
          </button>
        </div>
      </form>
      <div aria-live="polite" className="live-region">
        {summary === undefined ? null : (
          <p className={summary.error ? "notice notice-error" : "notice notice-ok"} id="submit-result">
            {summary.text}
          </p>
        )}
      </div>
    </section>
  );
}
