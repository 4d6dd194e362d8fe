/**
 * Workloads: queues with quota usage per tenant, jobs with the reason they wait, and (for tenant roles) a form to
 * submit a job. The API validates; its problem+json field messages appear next to the fields they name.
 */
import { type FormEvent, useMemo, useState } from "react";
import { ApiError, describeError } from "../api/client.ts";
import { type Job, type JobState, jobStates, type Project, type Queue, type Tenant } from "../api/types.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { ErrorNotice, Loading, Meter, Unavailable } from "../components/status.tsx";
import { formatAge, formatNumber, formatTime, shortId } from "../format.ts";
import { type FormField, formFieldOf } from "./job-form.ts";

const activeStates: readonly JobState[] = ["queued", "admitted", "running"];

export function WorkloadsPage() {
  const { capabilities, permissions } = useSession();
  const [stateFilter, setStateFilter] = useState<JobState | "">("");
  const [lastSubmitted, setLastSubmitted] = useState<string | undefined>(undefined);
  const queues = useResource<Queue[]>("/v1/queues", { enabled: capabilities.queues, refreshMs: 5000 });
  const jobs = useResource<Job[]>(`/v1/jobs${stateFilter === "" ? "" : `?state=${stateFilter}`}`, {
    enabled: capabilities.jobs,
    refreshMs: 3000,
  });

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
          <label htmlFor="job-state">State</label>
          <select
            id="job-state"
            value={stateFilter}
            onChange={(event) => setStateFilter(event.target.value as JobState | "")}
          >
            <option value="">all</option>
            {jobStates.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        </div>
        {!capabilities.jobs ? (
          <Unavailable feature="Jobs" route="GET /v1/jobs" />
        ) : jobs.status === "loading" ? (
          <Loading what="jobs" />
        ) : jobs.status === "error" && jobs.data === undefined ? (
          <ErrorNotice error={jobs.error} action="Loading jobs" />
        ) : (
          <JobTable jobs={jobs.data ?? []} highlight={lastSubmitted} onChanged={jobs.reload} />
        )}
      </section>
    </section>
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
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const sorted = [...props.jobs].sort((a, b) => String(b.submittedAt).localeCompare(String(a.submittedAt)));
  const mayCancel = (job: Job) =>
    permissions.cancelJobs &&
    activeStates.includes(job.state) &&
    (me.role === "tenant-member" || me.role === "student" ? job.userId === me.userId : true);
  const cancel = async (job: Job) => {
    setProblem(undefined);
    try {
      await client.post(`/v1/jobs/${encodeURIComponent(job.id)}/cancel`, {});
      props.onChanged();
    } catch (error) {
      setProblem(`Could not cancel ${job.name}: ${describeError(error)}`);
    }
  };
  if (sorted.length === 0) return <p className="empty">No job.</p>;
  return (
    <>
      {problem === undefined ? null : (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
      <table className="data jobs">
        <thead>
          <tr>
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
          {sorted.slice(0, 200).map((job) => (
            <tr key={job.id} data-job-id={job.id} className={job.id === props.highlight ? "highlight" : undefined}>
              <td>
                <div>{job.name}</div>
                <div className="muted">{job.id}</div>
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
              <td title={formatTime(job.submittedAt)}>{formatAge(job.submittedAt)}</td>
              <td>
                {mayCancel(job) ? (
                  <button type="button" onClick={() => cancel(job)} aria-label={`Cancel ${job.name}`}>
                    Cancel
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > 200 ? <p className="muted">Showing the newest 200 of {formatNumber(sorted.length)}.</p> : null}
    </>
  );
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
    dataClass: "public",
    deferrable: false,
    deadline: "",
  });
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [summary, setSummary] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const projectList = projects.data ?? [];
  const projectId = values.projectId === "" ? (projectList[0]?.id ?? "") : values.projectId;
  const dataClasses = tenant.data?.dataClasses ?? ["public"];

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
      dataClass: values.dataClass,
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
            value={values.dataClass}
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
