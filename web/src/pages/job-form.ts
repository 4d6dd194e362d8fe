/**
 * The job submission form's data: what the person typed, the body sent for it, the answer in words, and the mapping
 * from API field paths back to its inputs. Pure, so that the form's conversions are tested without a browser.
 */
import type { Job, JobArraySubmission } from "../api/types.ts";
import { numberAsTyped } from "../components/form-errors.tsx";
import { formatNumber } from "../format.ts";

/** Fields of the submit form, as the API names them. */
export const formFields = [
  "projectId",
  "name",
  "gpus",
  "gpuModel",
  "gpuModels",
  "queue",
  "priorityClass",
  "topology",
  "durationS",
  "dataClass",
  "deadline",
  "array",
  "dependsOn",
] as const;
export type FormField = (typeof formFields)[number];

/** Maps an API field path (`body.gpus`, `gpus`) to a form field. */
export function formFieldOf(path: string): FormField | undefined {
  const name = path.replace(/^body\.?/, "").split(/[.[]/)[0] ?? "";
  return (formFields as readonly string[]).includes(name) ? (name as FormField) : undefined;
}

/** What the person typed in the submit form (text until sent). */
export interface JobFormValues {
  readonly projectId: string;
  readonly name: string;
  readonly gpus: string;
  readonly queue: string;
  readonly priorityClass: string;
  readonly array: string;
  /** Job ids, separated by spaces or commas, that must succeed first. */
  readonly afterOk: string;
  readonly hold: boolean;
  readonly topology: string;
  readonly durationMinutes: string;
  /** Empty until the person picks one: the default follows the tenant (see `defaultDataClass`). */
  readonly dataClass: string;
  readonly deferrable: boolean;
  /** A `datetime-local` value, or empty. */
  readonly deadline: string;
}

/** The form as it opens. */
export const emptyJobForm: JobFormValues = {
  projectId: "",
  name: "",
  gpus: "1",
  queue: "",
  priorityClass: "",
  array: "",
  afterOk: "",
  hold: false,
  topology: "any",
  durationMinutes: "60",
  dataClass: "",
  deferrable: false,
  deadline: "",
};

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

/**
 * The `POST /v1/jobs` body for what was typed. The API validates; the form only converts (text that is no number is
 * sent as typed, so the API names the field), and leaves out what was left empty.
 */
export function jobSubmissionBody(
  values: JobFormValues,
  chosen: {
    readonly projectId: string;
    readonly dataClass: string;
    /** The site's GPU models, in its order, and those ticked (none ticked: any). */
    readonly gpuModels: readonly string[];
    readonly acceptedModels: ReadonlySet<string>;
  },
): Record<string, unknown> {
  const gpus = numberAsTyped(values.gpus);
  const minutes = numberAsTyped(values.durationMinutes);
  const { acceptedModels } = chosen;
  return {
    projectId: chosen.projectId,
    name: values.name,
    ...(gpus === undefined ? {} : { gpus }),
    ...(acceptedModels.size === 0 ? {} : { gpuModels: chosen.gpuModels.filter((model) => acceptedModels.has(model)) }),
    ...(values.queue === "" ? {} : { queue: values.queue }),
    ...(values.priorityClass === "" ? {} : { priorityClass: values.priorityClass }),
    ...(values.array.trim() === "" ? {} : { array: values.array.trim() }),
    ...(values.afterOk.trim() === ""
      ? {}
      : {
          dependsOn: values.afterOk
            .split(/[\s,]+/)
            .filter((id) => id !== "")
            .map((jobId) => ({ kind: "afterok", jobId })),
        }),
    ...(values.hold ? { hold: true } : {}),
    topology: values.topology,
    ...(minutes === undefined ? {} : { durationS: typeof minutes === "number" ? Math.round(minutes * 60) : minutes }),
    dataClass: chosen.dataClass,
    ...(values.deferrable ? { deferrable: true } : {}),
    ...(values.deadline === "" ? {} : { deadline: new Date(values.deadline).toISOString() }),
  };
}

/** What the form says after a submission: the array and its task count, or the job, its state and why. */
export function submittedText(answer: Job | JobArraySubmission): string {
  if ("arrayJobId" in answer && "taskCount" in answer) {
    return `Submitted array ${answer.arrayJobId} (${answer.array}): ${formatNumber(answer.taskCount)} tasks`;
  }
  const job = answer as Job;
  return `Submitted ${job.name} (${job.id}): ${job.state}${job.reason === null || job.reason === "" ? "" : ` — ${job.reason}`}`;
}
