/**
 * Workloads: queues with quota usage per tenant, jobs with the reason they wait, and (for tenant roles) a form to
 * submit a job. The API validates; its problem+json field messages appear next to the fields they name.
 *
 * Jobs are paged and filtered by the server (`limit`, `cursor`, state, tenant, queue, data class, name prefix), 50
 * a page, with the filters in the address so a link (from an alarm: its tenants' running jobs) opens them. Cancelling
 * asks for confirmation; admins may select several jobs and cancel them together.
 */
import { type FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, describeError } from "../api/client.ts";
import { type Job, type JobState, jobStates, type Project, type Queue, type Tenant } from "../api/types.ts";
import { navigate, useLocation } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { ErrorNotice, Loading, Meter, Unavailable } from "../components/status.tsx";
import { formatAge, formatNumber, formatTime, shortId } from "../format.ts";
import { type FormField, formFieldOf } from "./job-form.ts";

const activeStates: readonly JobState[] = ["queued", "admitted", "running"];
/** Jobs per page. */
const pageSize = 50;
/** Filters the job list takes from the address, each a `GET /v1/jobs` parameter. */
const filterNames = ["state", "tenantId", "queue", "dataClass", "namePrefix"] as const;
type JobFilters = Partial<Record<(typeof filterNames)[number], string>>;

/** One page of jobs and how to move. */
interface JobPage {
  readonly status: "loading" | "ready" | "error";
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
    jobs: [],
    total: undefined,
    nextCursor: undefined,
    error: undefined,
  });
  const [generation, setGeneration] = useState(0);
  const query = new URLSearchParams({ limit: String(pageSize) });
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
            jobs: result.items,
            total: result.total,
            nextCursor: result.nextCursor,
            error: undefined,
          });
          timer = setTimeout(load, 5000);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setPage((current) => ({ ...current, status: "error", error }));
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

function JobTable(props: { jobs: readonly Job[]; highlight: string | undefined; onChanged: () => void }) {
  const { client, permissions, me } = useSession();
  // Project names, not ids: the caller's projects (a tenant's own, every project for admins and auditors).
  const projects = useResource<Project[]>(permissions.readProjects ? "/v1/projects" : undefined);
  const projectNames = useMemo(
    () => new Map((projects.data ?? []).map((project) => [project.id, project.name])),
    [projects.data],
  );
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  /** The job whose cancellation awaits confirmation, or "selected" for the bulk action. */
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [reason, setReason] = useState("");
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const bulk = me.role === "platform-admin" || me.role === "tenant-admin";
  const mayCancel = (job: Job) =>
    permissions.cancelJobs &&
    activeStates.includes(job.state) &&
    (me.role === "tenant-member" || me.role === "student" ? job.userId === me.userId : true);
  const cancellable = props.jobs.filter(mayCancel);
  const chosen = cancellable.filter((job) => selected.has(job.id));

  const cancel = async (targets: readonly Job[]) => {
    setProblem(undefined);
    setDone(undefined);
    setBusy(true);
    const failed: string[] = [];
    const body = reason.trim() === "" ? {} : { reason: reason.trim() };
    for (const job of targets) {
      try {
        await client.post(`/v1/jobs/${encodeURIComponent(job.id)}/cancel`, body);
      } catch (error) {
        failed.push(`${job.name}: ${describeError(error)}`);
      }
    }
    setBusy(false);
    setConfirming(undefined);
    setReason("");
    setSelected(new Set());
    const cancelled = targets.length - failed.length;
    if (cancelled > 0) setDone(`Cancelled ${formatNumber(cancelled)} job${cancelled === 1 ? "" : "s"}.`);
    if (failed.length > 0) setProblem(`Could not cancel ${failed.join("; ")}`);
    props.onChanged();
  };

  const confirmation = (targets: readonly Job[]) => (
    <div className="confirm" role="alertdialog" aria-label="Confirm cancellation" aria-describedby="confirm-text">
      <p id="confirm-text">
        Cancel{" "}
        {targets.length === 1 ? (
          <strong>{targets[0]!.name}</strong>
        ) : (
          <strong>{formatNumber(targets.length)} jobs</strong>
        )}
        ? Running work stops and is not resumed.
      </p>
      <label htmlFor="cancel-reason">Reason (kept in the job's history)</label>
      <input id="cancel-reason" value={reason} onChange={(event) => setReason(event.target.value)} size={30} />
      <button type="button" className="danger" disabled={busy} onClick={() => cancel(targets)}>
        Yes, cancel {targets.length === 1 ? "the job" : `${formatNumber(targets.length)} jobs`}
      </button>
      <button type="button" disabled={busy} onClick={() => setConfirming(undefined)}>
        Keep {targets.length === 1 ? "it" : "them"}
      </button>
    </div>
  );

  if (props.jobs.length === 0) return <p className="empty">No job matches.</p>;
  return (
    <>
      <div aria-live="polite">
        {problem === undefined ? null : <p className="notice notice-error">{problem}</p>}
        {done === undefined ? null : <p className="notice notice-ok">{done}</p>}
      </div>
      {bulk && cancellable.length > 0 ? (
        <div className="bulk-actions">
          <button type="button" disabled={chosen.length === 0 || busy} onClick={() => setConfirming("selected")}>
            Cancel selected ({formatNumber(chosen.length)})
          </button>
          {confirming === "selected" && chosen.length > 0 ? confirmation(chosen) : null}
        </div>
      ) : null}
      <table className="data jobs">
        <thead>
          <tr>
            {bulk ? (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every cancellable job of this page"
                  checked={cancellable.length > 0 && chosen.length === cancellable.length}
                  onChange={(event) =>
                    setSelected(event.target.checked ? new Set(cancellable.map((job) => job.id)) : new Set())
                  }
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
        <tbody>
          {props.jobs.map((job) => (
            <tr key={job.id} data-job-id={job.id} className={job.id === props.highlight ? "highlight" : undefined}>
              {bulk ? (
                <td>
                  {mayCancel(job) ? (
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
              <td>
                <div>{job.name}</div>
                <div className="muted">
                  {projectNames.has(job.projectId) ? `${projectNames.get(job.projectId)} · ` : ""}
                  {job.id}
                </div>
              </td>
              <td>
                {job.tenantId} · {job.queue}
              </td>
              <td>
                <span className={`badge badge-job-${job.state}`} data-job-state={job.state}>
                  {job.state}
                </span>
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
                {job.gpuModel === null ? "" : ` × ${job.gpuModel}`}
              </td>
              <td>{job.dataClass}</td>
              <td title={formatTime(job.submittedAt)}>{job.submittedAt === null ? "–" : formatAge(job.submittedAt)}</td>
              <td>
                {mayCancel(job) ? (
                  confirming === job.id ? (
                    confirmation([job])
                  ) : (
                    <button
                      type="button"
                      onClick={() => {
                        setReason("");
                        setConfirming(job.id);
                      }}
                      aria-label={`Cancel ${job.name}`}
                    >
                      Cancel…
                    </button>
                  )
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The data class each kind of tenant works with most (health tenants on health data, pharma on confidential). */
const dataClassOfKind: Readonly<Record<string, string>> = {
  diagnostics: "health",
  hospital: "health",
  health: "health",
  pharma: "confidential",
};

/**
 * The data class a new job starts with: the one of the tenant's kind when the tenant may use it (a health tenant's
 * jobs then land in the certified zone without a second thought), else the first the tenant may use.
 */
export function defaultDataClass(kind: string | undefined, allowed: readonly string[]): string {
  const preferred = kind === undefined ? undefined : dataClassOfKind[kind];
  if (preferred !== undefined && allowed.includes(preferred)) return preferred;
  return allowed.includes("public") ? "public" : (allowed[0] ?? "public");
}

function SubmitJobForm(props: { onSubmitted: (job: Job) => void }) {
  const { client, me, site } = useSession();
  const projects = useResource<Project[]>("/v1/projects");
  const tenant = useResource<Tenant>(
    me.tenantId === null ? undefined : `/v1/tenants/${encodeURIComponent(me.tenantId)}`,
  );
  const gpuModels = useMemo(() => Object.keys(site?.gpusByModel ?? {}), [site]);
  const [values, setValues] = useState({
    projectId: "",
    name: "",
    gpus: "1",
    gpuModel: "",
    topology: "any",
    durationMinutes: "60",
    // Empty until the person picks one: the default follows the tenant (see `defaultDataClass`).
    dataClass: "",
    deferrable: false,
    deadline: "",
  });
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [summary, setSummary] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const projectList = projects.data ?? [];
  const projectId = values.projectId === "" ? (projectList[0]?.id ?? "") : values.projectId;
  const dataClasses = tenant.data?.dataClasses ?? ["public"];
  const dataClass = values.dataClass === "" ? defaultDataClass(tenant.data?.kind, dataClasses) : values.dataClass;

  const set = (field: keyof typeof values) => (value: string | boolean) =>
    setValues((current) => ({ ...current, [field]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setSummary(undefined);
    // The API validates; the form only converts what the person typed.
    const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
    const minutes = number(values.durationMinutes);
    const body = {
      projectId,
      name: values.name,
      ...(number(values.gpus) === undefined ? {} : { gpus: number(values.gpus) }),
      ...(values.gpuModel === "" ? {} : { gpuModel: values.gpuModel }),
      topology: values.topology,
      ...(minutes === undefined ? {} : { durationS: Math.round(minutes * 60) }),
      dataClass,
      ...(values.deferrable ? { deferrable: true } : {}),
      ...(values.deadline === "" ? {} : { deadline: new Date(values.deadline).toISOString() }),
    };
    try {
      const job = await client.post<Job>("/v1/jobs", body);
      setSummary({
        text: `Submitted ${job.name} (${job.id}): ${job.state}${job.reason === null || job.reason === "" ? "" : ` — ${job.reason}`}`,
        error: false,
      });
      props.onSubmitted(job);
    } catch (error) {
      const fieldErrors: Partial<Record<FormField, string>> = {};
      if (error instanceof ApiError) {
        for (const item of error.problem.errors ?? []) {
          const field = formFieldOf(item.field);
          if (field !== undefined && fieldErrors[field] === undefined) fieldErrors[field] = item.message;
        }
      }
      setErrors(fieldErrors);
      setSummary({
        text:
          Object.keys(fieldErrors).length > 0
            ? "The job was not submitted: correct the marked fields."
            : `The job was not submitted: ${describeError(error)}`,
        error: true,
      });
    } finally {
      setBusy(false);
    }
  };

  const fieldProps = (field: FormField) => ({
    "aria-invalid": errors[field] !== undefined,
    "aria-describedby": errors[field] === undefined ? undefined : `job-${field}-error`,
  });
  const fieldError = (field: FormField) =>
    errors[field] === undefined ? null : (
      <span id={`job-${field}-error`} className="field-error">
        {errors[field]}
      </span>
    );

  return (
    <section className="panel" aria-labelledby="submit-title">
      <h2 id="submit-title">Submit a job</h2>
      <form className="job-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="job-projectId">Project</label>
          <select
            id="job-projectId"
            value={projectId}
            onChange={(event) => set("projectId")(event.target.value)}
            {...fieldProps("projectId")}
          >
            {projectList.map((project) => (
              <option key={project.id} value={project.id}>
                {project.name}
              </option>
            ))}
          </select>
          {fieldError("projectId")}
        </div>
        <div className="field">
          <label htmlFor="job-name">Name</label>
          <input
            id="job-name"
            value={values.name}
            onChange={(event) => set("name")(event.target.value)}
            placeholder="pathology-finetune-07"
            {...fieldProps("name")}
          />
          {fieldError("name")}
        </div>
        <div className="field">
          <label htmlFor="job-gpus">GPUs</label>
          <input
            id="job-gpus"
            type="number"
            inputMode="numeric"
            value={values.gpus}
            onChange={(event) => set("gpus")(event.target.value)}
            {...fieldProps("gpus")}
          />
          {fieldError("gpus")}
        </div>
        <div className="field">
          <label htmlFor="job-gpuModel">GPU model</label>
          <select
            id="job-gpuModel"
            value={values.gpuModel}
            onChange={(event) => set("gpuModel")(event.target.value)}
            {...fieldProps("gpuModel")}
          >
            <option value="">any</option>
            {gpuModels.map((model) => (
              <option key={model} value={model}>
                {model}
              </option>
            ))}
          </select>
          {fieldError("gpuModel")}
        </div>
        <div className="field">
          <label htmlFor="job-topology">Topology</label>
          <select
            id="job-topology"
            value={values.topology}
            onChange={(event) => set("topology")(event.target.value)}
            {...fieldProps("topology")}
          >
            <option value="any">any</option>
            <option value="nvlink">NVLink domain</option>
            <option value="rack">one rack</option>
            <option value="row">one row</option>
          </select>
          {fieldError("topology")}
        </div>
        <div className="field">
          <label htmlFor="job-durationS">Duration (minutes)</label>
          <input
            id="job-durationS"
            type="number"
            inputMode="numeric"
            value={values.durationMinutes}
            onChange={(event) => set("durationMinutes")(event.target.value)}
            {...fieldProps("durationS")}
          />
          {fieldError("durationS")}
        </div>
        <div className="field">
          <label htmlFor="job-dataClass">Data class</label>
          <select
            id="job-dataClass"
            value={dataClass}
            onChange={(event) => set("dataClass")(event.target.value)}
            {...fieldProps("dataClass")}
          >
            {dataClasses.map((dataClass) => (
              <option key={dataClass} value={dataClass}>
                {dataClass}
                {dataClass === "health" ? " (certified zone only)" : ""}
              </option>
            ))}
          </select>
          {fieldError("dataClass")}
        </div>
        <div className="field">
          <label htmlFor="job-deadline">Deadline (optional)</label>
          <input
            id="job-deadline"
            type="datetime-local"
            value={values.deadline}
            onChange={(event) => set("deadline")(event.target.value)}
            {...fieldProps("deadline")}
          />
          {fieldError("deadline")}
        </div>
        <div className="field field-check">
          <input
            id="job-deferrable"
            type="checkbox"
            checked={values.deferrable}
            onChange={(event) => set("deferrable")(event.target.checked)}
          />
          <label htmlFor="job-deferrable">Deferrable (may wait for idle capacity)</label>
        </div>
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
