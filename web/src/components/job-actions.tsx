/**
 * Job actions as the console offers them (cancel, hold, release, requeue): which a person may take on a job, a
 * confirmation that says what will happen and takes a reason for the job's history, and the calls that do them one
 * job at a time (each answer counted, failures named). The server decides in the end: a staff hold released by a
 * tenant is refused there, and the refusal is shown.
 */
import { useState } from "react";
import type { Permissions } from "../api/capabilities.ts";
import { type ApiClient, describeError } from "../api/client.ts";
import type { Job, Me } from "../api/types.ts";
import { formatNumber } from "../format.ts";

/** An action on a job. */
export type JobAction = "cancel" | "hold" | "release" | "requeue";

/** Actions in the order the console offers them. */
export const jobActions: readonly JobAction[] = ["hold", "release", "requeue", "cancel"];

const labels: Record<JobAction, { verb: string; noun: string; done: string; effect: string; danger: boolean }> = {
  hold: {
    verb: "Hold",
    noun: "hold",
    done: "Held",
    effect: "It stays queued and is not started until released.",
    danger: false,
  },
  release: {
    verb: "Release",
    noun: "release",
    done: "Released",
    effect: "It waits for its turn again.",
    danger: false,
  },
  requeue: {
    verb: "Requeue",
    noun: "requeue",
    done: "Requeued",
    effect: "Running work stops now; its resources go back and it waits in its queue again.",
    danger: true,
  },
  cancel: {
    verb: "Cancel",
    noun: "cancellation",
    done: "Cancelled",
    effect: "Running work stops and is not resumed.",
    danger: true,
  },
};

/** The verb of an action (`Hold`). */
export const actionVerb = (action: JobAction): string => labels[action].verb;

/** Whether `me` may act on `job` at all: the roles that may cancel it (its owner, tenant admins, platform staff). */
export function mayActOn(job: Job, me: Me, permissions: Permissions): boolean {
  if (!permissions.cancelJobs) return false;
  return me.role === "tenant-member" || me.role === "student" ? job.userId === me.userId : true;
}

/** Whether `action` applies to `job` in its state. */
export function actionApplies(action: JobAction, job: Job): boolean {
  const active = job.state === "queued" || job.state === "admitted" || job.state === "running";
  switch (action) {
    case "cancel":
      return active;
    case "hold":
      return job.state === "queued" && job.held === null;
    case "release":
      return job.state === "queued" && job.held !== null;
    case "requeue":
      return job.state === "admitted" || job.state === "running";
  }
}

/** The actions `me` may take on `job` now. */
export function actionsFor(job: Job, me: Me, permissions: Permissions): JobAction[] {
  return mayActOn(job, me, permissions) ? jobActions.filter((action) => actionApplies(action, job)) : [];
}

/** What came of an action on several jobs. */
export interface ActionOutcome {
  readonly text: string;
  readonly error: boolean;
}

/** Takes `action` on each job in turn; the outcome counts those done and names those refused, with the reason. */
export async function runJobAction(
  client: ApiClient,
  action: JobAction,
  jobs: readonly Job[],
  options: { reason: string; holdAfterRequeue: boolean },
): Promise<ActionOutcome> {
  const failed: string[] = [];
  const reason = options.reason.trim();
  for (const job of jobs) {
    const body = {
      ...(reason === "" ? {} : { reason }),
      ...(action === "requeue" && options.holdAfterRequeue ? { hold: true } : {}),
    };
    try {
      await client.post(`/v1/jobs/${encodeURIComponent(job.id)}/${action}`, body);
    } catch (error) {
      failed.push(`${job.name}: ${describeError(error)}`);
    }
  }
  const done = jobs.length - failed.length;
  const parts: string[] = [];
  if (done > 0) parts.push(`${labels[action].done} ${formatNumber(done)} job${done === 1 ? "" : "s"}.`);
  if (failed.length > 0) parts.push(`Could not ${action} ${failed.join("; ")}`);
  return { text: parts.join(" "), error: failed.length > 0 };
}

/**
 * Asks to confirm an action on one or several jobs, with a reason kept in their history (and, for a requeue,
 * whether to hold them once requeued); `onConfirm` gets both.
 */
export function ActionConfirmation(props: {
  action: JobAction;
  jobs: readonly Job[];
  busy: boolean;
  onConfirm: (options: { reason: string; holdAfterRequeue: boolean }) => void;
  onDismiss: () => void;
  /** Distinguishes the ids of several confirmations on one page. */
  idPrefix: string;
}) {
  const { action, jobs } = props;
  const [reason, setReason] = useState("");
  const [holdAfter, setHoldAfter] = useState(false);
  const label = labels[action];
  const what = jobs.length === 1 ? jobs[0]!.name : `${formatNumber(jobs.length)} jobs`;
  const textId = `${props.idPrefix}-confirm-text`;
  return (
    <div className="confirm" role="alertdialog" aria-label={`Confirm ${label.noun}`} aria-describedby={textId}>
      <p id={textId}>
        {label.verb} <strong>{what}</strong>? {label.effect}
      </p>
      <label htmlFor={`${props.idPrefix}-reason`}>Reason (kept in the job's history)</label>
      <input
        id={`${props.idPrefix}-reason`}
        value={reason}
        maxLength={500}
        onChange={(event) => setReason(event.target.value)}
        size={30}
      />
      {action === "requeue" ? (
        <span className="field-check">
          <input
            id={`${props.idPrefix}-hold`}
            type="checkbox"
            checked={holdAfter}
            onChange={(event) => setHoldAfter(event.target.checked)}
          />
          <label htmlFor={`${props.idPrefix}-hold`}>Hold once requeued</label>
        </span>
      ) : null}
      <button
        type="button"
        className={label.danger ? "danger" : "primary"}
        disabled={props.busy}
        onClick={() => props.onConfirm({ reason, holdAfterRequeue: holdAfter })}
      >
        Yes, {label.verb.toLowerCase()} {jobs.length === 1 ? "the job" : `${formatNumber(jobs.length)} jobs`}
      </button>
      <button type="button" disabled={props.busy} onClick={props.onDismiss}>
        Keep {jobs.length === 1 ? "it" : "them"}
      </button>
    </div>
  );
}
