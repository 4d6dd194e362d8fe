/** The job submission form's mapping from API field paths to its inputs. */

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
