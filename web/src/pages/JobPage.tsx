/**
 * One job (`/jobs/:id`): what it asks for (project by name, queue, priority class, accepted GPU models), where it
 * runs or last ran, its array and dependencies (linked), who holds it, its history, and the actions the person may
 * take now (hold, release, requeue, cancel), each after a confirmation with a reason kept in the history. Refreshes
 * every 5 s. An array's page (`/arrays/:id`) counts its tasks by state and lists them, paged, and holds, releases or
 * cancels the whole array.
 */
import { useState } from "react";
import { ApiError } from "../api/client.ts";
import type { Job, JobArray, JobEvent } from "../api/types.ts";
import { followLink } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { useResource } from "../app/use-resource.ts";
import { curtailmentText } from "../components/grid.tsx";
import {
  ActionConfirmation,
  type ActionOutcome,
  actionsFor,
  actionVerb,
  type JobAction,
  runJobAction,
} from "../components/job-actions.tsx";
import { ErrorNotice, Loading } from "../components/status.tsx";
import { formatNumber, formatTime } from "../format.ts";

const jobLink = (id: string) => `/jobs/${encodeURIComponent(id)}`;
const arrayLink = (id: string) => `/arrays/${encodeURIComponent(id)}`;

/** The job page. */
export function JobPage({ jobId }: { jobId: string }) {
  const job = useResource<Job>(`/v1/jobs/${encodeURIComponent(jobId)}`, { refreshMs: 5000 });
  const history = useResource<JobEvent[]>(`/v1/jobs/${encodeURIComponent(jobId)}/history?limit=200`, {
    refreshMs: 5000,
  });
  const reload = () => {
    job.reload();
    history.reload();
  };
  if (job.status === "loading") return <Loading what={`job ${jobId}`} />;
  if (job.data === undefined) {
    const missing = job.error instanceof ApiError && job.error.problem.status === 404;
    return (
      <section aria-labelledby="job-title">
        <h1 id="job-title">Job {jobId}</h1>
        {missing ? (
          <p className="notice">
            No job {jobId} that you may see. If it names an array,{" "}
            <a href={arrayLink(jobId)} onClick={followLink}>
              open the array
            </a>
            .
          </p>
        ) : (
          <ErrorNotice error={job.error} action="Loading the job" />
        )}
      </section>
    );
  }
  return (
    <section aria-labelledby="job-title">
      <div className="page-head">
        <h1 id="job-title">{job.data.name}</h1>
        <p className="muted">
          <a href="/workloads" onClick={followLink}>
            Workloads
          </a>{" "}
          · {job.data.id}
        </p>
      </div>
      <JobActions job={job.data} onChanged={reload} />
      <JobFacts job={job.data} />
      <section className="panel" aria-labelledby="job-history-title">
        <h2 id="job-history-title">History</h2>
        {history.data === undefined ? (
          history.status === "loading" ? (
            <Loading what="the history" />
          ) : history.status === "error" &&
            history.error instanceof ApiError &&
            history.error.problem.status === 404 ? (
            <p className="empty">No stored history (demo work keeps none).</p>
          ) : (
            <ErrorNotice error={history.error} action="Loading the history" />
          )
        ) : (
          <HistoryTable events={history.data} />
        )}
      </section>
    </section>
  );
}

function JobActions({ job, onChanged }: { job: Job; onChanged: () => void }) {
  const { client, me, permissions } = useSession();
  const [confirming, setConfirming] = useState<JobAction | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome | undefined>(undefined);
  const actions = actionsFor(job, me, permissions);
  return (
    <div className="job-actions">
      <div aria-live="polite">
        {outcome === undefined ? null : (
          <p className={outcome.error ? "notice notice-error" : "notice notice-ok"} id="job-action-result">
            {outcome.text}
          </p>
        )}
      </div>
      {actions.length === 0 ? null : (
        <div className="toolbar">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              disabled={busy}
              aria-label={`${actionVerb(action)} ${job.name}`}
              onClick={() => {
                setOutcome(undefined);
                setConfirming(action);
              }}
            >
              {actionVerb(action)}…
            </button>
          ))}
        </div>
      )}
      {confirming === undefined || !actions.includes(confirming) ? null : (
        <ActionConfirmation
          action={confirming}
          jobs={[job]}
          busy={busy}
          idPrefix="job"
          onDismiss={() => setConfirming(undefined)}
          onConfirm={async (options) => {
            setBusy(true);
            const result = await runJobAction(client, confirming, [job], options);
            setBusy(false);
            setConfirming(undefined);
            setOutcome(result);
            onChanged();
          }}
        />
      )}
    </div>
  );
}

function JobFacts({ job }: { job: Job }) {
  const { permissions } = useSession();
  const rack = (id: string) =>
    permissions.staff ? (
      <a href={`/racks/${encodeURIComponent(id)}`} onClick={followLink}>
        {id}
      </a>
    ) : (
      id
    );
  return (
    <section className="panel" aria-labelledby="job-facts-title">
      <h2 id="job-facts-title">Job</h2>
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <span className={`badge badge-job-${job.state}`} data-job-state={job.state}>
            {job.state}
          </span>
          {job.reason === "" ? null : <span className="job-reason"> {job.reason}</span>}
        </dd>
        {job.curtailment === null ? null : (
          <>
            <dt>Grid curtailment</dt>
            <dd data-curtailment={job.curtailment.kind}>{curtailmentText(job.curtailment)}</dd>
          </>
        )}
        {job.held === null ? null : (
          <>
            <dt>Held</dt>
            <dd data-held-by={job.held.by}>
              by {job.held.by}
              {job.held.staff ? " (platform staff: only staff may release it)" : ""} since {formatTime(job.held.at)}
            </dd>
          </>
        )}
        <dt>Project</dt>
        <dd data-project-name={job.projectName ?? ""}>{job.projectName ?? job.projectId}</dd>
        <dt>Tenant · queue</dt>
        <dd>
          {job.tenantId} · {job.queue}
        </dd>
        <dt>Submitted by</dt>
        <dd>{job.userId}</dd>
        <dt>Priority class</dt>
        <dd>{job.priorityClass ?? "the queue's"}</dd>
        <dt>GPUs</dt>
        <dd>
          {formatNumber(job.gpus)}
          {job.gpuMilli < 1000 ? ` (${formatNumber(job.gpuMilli / 10)} % of each)` : ""}
          {job.members > 1 ? ` over ${formatNumber(job.members)} gang members` : ""}; accepted models:{" "}
          {job.gpuModels.length === 0 ? "any" : job.gpuModels.join(", ")}
        </dd>
        <dt>Data class</dt>
        <dd>{job.dataClass}</dd>
        {job.arrayJobId === null ? null : (
          <>
            <dt>Array</dt>
            <dd>
              task {job.arrayTaskId} of{" "}
              <a href={arrayLink(job.arrayJobId)} onClick={followLink}>
                {job.arrayJobId}
              </a>
            </dd>
          </>
        )}
        <dt>Dependencies</dt>
        <dd>
          {job.dependsOn.length === 0 ? (
            "none"
          ) : (
            <ul className="dependencies">
              {job.dependsOn.map((dependency) => (
                <li key={`${dependency.kind}-${dependency.jobId}`}>
                  {dependency.kind}:{" "}
                  <a href={jobLink(dependency.jobId)} onClick={followLink}>
                    {dependency.jobId}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Times</dt>
        <dd>
          submitted {formatTime(job.submittedAt)}
          {job.startedAt === null ? "" : ` · first started ${formatTime(job.startedAt)}`}
          {job.endedAt === null ? "" : ` · ended ${formatTime(job.endedAt)}`}
          {job.deadline === undefined ? null : (
            <span data-deadline={job.deadline}> · to end by {formatTime(job.deadline)}</span>
          )}
        </dd>
        <dt>{job.endedAt === null ? "Runs on" : "Ran on"}</dt>
        <dd>
          {job.placement === null ? (
            "nowhere yet"
          ) : (
            <>
              {job.placement.zoneId === null ? "" : `${job.placement.zoneId} · `}
              {job.placement.halls.join(", ")} · {formatNumber(job.placement.racks.length)} rack
              {job.placement.racks.length === 1 ? "" : "s"}:{" "}
              {job.placement.racks.slice(0, 12).map((id, index) => (
                <span key={id}>
                  {index === 0 ? "" : ", "}
                  {rack(id)}
                </span>
              ))}
              {job.placement.racks.length > 12 ? ` and ${formatNumber(job.placement.racks.length - 12)} more` : ""}
            </>
          )}
        </dd>
        {job.execution === null ? null : (
          <>
            <dt>Executor</dt>
            <dd>
              {job.execution.backend} job {job.execution.externalId}
              {job.execution.state === undefined ? "" : ` · ${job.execution.state}`}
              {job.execution.exitCode === null ? "" : ` · exit ${job.execution.exitCode}`}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** A history event's detail in one line (racks shortened). */
function describeDetail(detail: unknown): string {
  if (detail === null || typeof detail !== "object") return detail === undefined ? "" : String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => {
      if (Array.isArray(value)) {
        const shown = value.slice(0, 3).map((item) => (typeof item === "object" ? JSON.stringify(item) : String(item)));
        return `${key}: ${shown.join(", ")}${value.length > 3 ? ` (+${value.length - 3})` : ""}`;
      }
      return `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`;
    })
    .join(" · ")
    .slice(0, 400);
}

function HistoryTable({ events }: { events: readonly JobEvent[] }) {
  if (events.length === 0) return <p className="empty">No event yet.</p>;
  return (
    <table className="data job-history">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Event</th>
          <th scope="col">State</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: events carry no id; the history only grows at its end
          <tr key={`${event.at}-${index}`} data-event={event.event}>
            <td>{formatTime(event.at)}</td>
            <td>{event.event}</td>
            <td>{event.state}</td>
            <td className="detail">{describeDetail(event.detail)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const tasksPerPage = 100;

/** What the array page does to the whole array, each after a confirmation. */
type ArrayAction = "cancel" | "hold" | "release";

/** The wording of each array action: its button, its question, its confirmation and its outcome. */
const arrayActions: Record<
  ArrayAction,
  {
    readonly button: string;
    /** The confirmation dialog's accessible name. */
    readonly label: string;
    readonly question: (count: string, arrayJobId: string) => string;
    readonly yes: (count: string) => string;
    readonly done: (answer: { cancelled?: number; held?: number; released?: number; keptHeld?: number }) => string;
    readonly failed: string;
  }
> = {
  cancel: {
    button: "Cancel the array…",
    label: "Confirm cancellation",
    question: (count, id) =>
      `Cancel the ${count} waiting or running tasks of ${id}? Running work stops and is not resumed.`,
    yes: (count) => `Yes, cancel ${count} tasks`,
    done: (answer) => `Cancelled ${formatNumber(answer.cancelled ?? 0)} tasks.`,
    failed: "Could not cancel the array",
  },
  hold: {
    button: "Hold all…",
    label: "Confirm hold",
    question: (count, id) =>
      `Hold the waiting tasks of ${id} (${count} waiting)? None starts until released; running tasks go on.`,
    yes: () => "Yes, hold them",
    done: (answer) => `Held ${formatNumber(answer.held ?? 0)} tasks.`,
    failed: "Could not hold the array",
  },
  release: {
    button: "Release all…",
    label: "Confirm release",
    question: (count, id) => `Release the ${count} held tasks of ${id}? They wait for their turn again.`,
    yes: (count) => `Yes, release ${count} tasks`,
    done: (answer) =>
      `Released ${formatNumber(answer.released ?? 0)} tasks.${
        (answer.keptHeld ?? 0) > 0
          ? ` ${formatNumber(answer.keptHeld ?? 0)} held by platform staff stay held: only staff release them.`
          : ""
      }`,
    failed: "Could not release the array",
  },
};

/**
 * An array's page: its tasks by state, its dependencies, its tasks listed (paged), and holding, releasing or
 * cancelling the whole array.
 */
export function ArrayPage({ arrayJobId }: { arrayJobId: string }) {
  const { client, permissions } = useSession();
  const [offset, setOffset] = useState(0);
  const array = useResource<JobArray>(
    `/v1/job-arrays/${encodeURIComponent(arrayJobId)}?offset=${offset}&limit=${tasksPerPage}`,
    { refreshMs: 5000 },
  );
  const [confirming, setConfirming] = useState<ArrayAction | undefined>(undefined);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome | undefined>(undefined);
  if (array.status === "loading") return <Loading what={`array ${arrayJobId}`} />;
  if (array.data === undefined) {
    return (
      <section aria-labelledby="array-title">
        <h1 id="array-title">Array {arrayJobId}</h1>
        <ErrorNotice error={array.error} action="Loading the array" />
      </section>
    );
  }
  const data = array.data;
  const waiting = data.states["queued"] ?? 0;
  const active = waiting + (data.states["admitted"] ?? 0) + (data.states["running"] ?? 0);
  /** How many tasks each action would change (0: not offered). */
  const counts: Record<ArrayAction, number> = { cancel: active, hold: waiting - data.held, release: data.held };
  const run = async (action: ArrayAction) => {
    setBusy(true);
    try {
      const trimmed = reason.trim();
      const answer = await client.post<{ cancelled?: number; held?: number; released?: number; keptHeld?: number }>(
        `/v1/job-arrays/${encodeURIComponent(arrayJobId)}/${action}`,
        trimmed === "" ? {} : { reason: trimmed },
      );
      setOutcome({ text: arrayActions[action].done(answer), error: false });
    } catch (error) {
      setOutcome({
        text: `${arrayActions[action].failed}: ${error instanceof Error ? error.message : String(error)}`,
        error: true,
      });
    } finally {
      setBusy(false);
      setConfirming(undefined);
      array.reload();
    }
  };
  const offered = permissions.cancelJobs
    ? (["hold", "release", "cancel"] as const).filter((action) => counts[action] > 0)
    : [];
  return (
    <section aria-labelledby="array-title">
      <div className="page-head">
        <h1 id="array-title">Array {arrayJobId}</h1>
        <p className="muted">
          <a href="/workloads" onClick={followLink}>
            Workloads
          </a>{" "}
          · {formatNumber(data.taskCount)} tasks
          {data.maxRunning === null ? "" : `, at most ${formatNumber(data.maxRunning)} at once`}
          {data.dependsOn.length === 0
            ? ""
            : ` · after ${data.dependsOn.map((dependency) => `${dependency.kind} ${dependency.jobId}`).join(", ")}`}
        </p>
      </div>
      <p data-array-states>
        {Object.entries(data.states)
          .map(([state, count]) => `${formatNumber(count)} ${state}`)
          .join(" · ")}
        {data.held > 0 ? ` (${formatNumber(data.held)} held)` : ""}
      </p>
      <div aria-live="polite">
        {outcome === undefined ? null : (
          <p className={outcome.error ? "notice notice-error" : "notice notice-ok"}>{outcome.text}</p>
        )}
      </div>
      {confirming !== undefined && offered.includes(confirming) ? (
        <div
          className="confirm"
          role="alertdialog"
          aria-label={arrayActions[confirming].label}
          aria-describedby="array-confirm"
        >
          <p id="array-confirm">{arrayActions[confirming].question(formatNumber(counts[confirming]), arrayJobId)}</p>
          <label htmlFor="array-reason">Reason (kept in the audit)</label>
          <input id="array-reason" value={reason} maxLength={500} onChange={(event) => setReason(event.target.value)} />
          <button
            type="button"
            className={confirming === "cancel" ? "danger" : undefined}
            disabled={busy}
            onClick={() => run(confirming)}
          >
            {arrayActions[confirming].yes(formatNumber(counts[confirming]))}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirming(undefined)}>
            Keep them
          </button>
        </div>
      ) : (
        offered.map((action) => (
          <button key={action} type="button" onClick={() => setConfirming(action)}>
            {arrayActions[action].button}
          </button>
        ))
      )}
      <table className="data array-tasks-table">
        <caption>
          Tasks {formatNumber(offset + 1)}–{formatNumber(offset + data.tasks.length)} of {formatNumber(data.taskCount)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">State</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {data.tasks.map((task) => (
            <tr key={task.id} data-task-id={task.id}>
              <td>
                <a href={jobLink(task.id)} onClick={followLink}>
                  {task.arrayTaskId ?? task.id}
                </a>
              </td>
              <td>
                <span className={`badge badge-job-${task.state}`}>{task.state}</span>
              </td>
              <td>{task.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.taskCount > tasksPerPage ? (
        <nav className="pager" aria-label="Task pages">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - tasksPerPage))}>
            Previous
          </button>
          <button
            type="button"
            disabled={offset + tasksPerPage >= data.taskCount}
            onClick={() => setOffset(offset + tasksPerPage)}
          >
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}
