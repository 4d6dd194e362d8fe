/**
 * What a form sends and shows when the API refuses it: numbers typed as numbers, each problem field marked on the
 * input it came from, and one summary line. The drain, job, queue and what-if forms share it so a refusal reads the
 * same on every page.
 */
import type { ReactNode } from "react";
import { ApiError, describeError } from "../api/client.ts";

/**
 * A request as a form sends it: a number field may hold the text typed when it is not a number, for the API to refuse
 * naming the field (the API checks a body as sent: no text is read as a number there).
 */
export type AsTyped<T> = T extends number
  ? number | string
  : T extends readonly (infer Item)[]
    ? AsTyped<Item>[]
    : T extends object
      ? { [K in keyof T]: AsTyped<T[K]> }
      : T;

/**
 * A number input's text as the API should judge it: empty is absent, a number is sent as one, anything else as typed
 * (never `Number(text)`'s NaN, which JSON writes as null: the API would report a null the person never typed).
 */
export function numberAsTyped(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/**
 * The API's field problems keyed by the form input each belongs to (`keyOf` maps an API field path such as
 * `body.gpus` to an input key, or undefined for a field the form has no input for); the first message per input wins,
 * as the API lists the most basic problem first. Empty for an error that is not an API refusal.
 */
export function markedFields<K extends string>(
  error: unknown,
  keyOf: (field: string) => K | undefined,
): Partial<Record<K, string>> {
  const marked: Partial<Record<K, string>> = {};
  if (!(error instanceof ApiError)) return marked;
  for (const item of error.problem.errors ?? []) {
    const key = keyOf(item.field);
    if (key !== undefined && marked[key] === undefined) marked[key] = item.message;
  }
  return marked;
}

/**
 * The summary line under a refused form: `outcome` ("Nothing was saved") followed by a pointer to the marked inputs
 * when some are marked, or by the error itself when none could be (a conflict, a lost connection).
 */
export function refusalSummary(outcome: string, marked: object, error: unknown): string {
  return Object.keys(marked).length > 0
    ? `${outcome}: correct the marked fields.`
    : `${outcome}: ${describeError(error)}`;
}

/** The id of the message under input `key` of the form whose ids start with `prefix` (dots are not valid in ids). */
function errorId(prefix: string, key: string): string {
  return `${prefix}-${key.replaceAll(".", "-")}-error`;
}

/**
 * For a form's marked inputs: the attributes an input needs so assistive technology announces its problem
 * (`inputProps`), and the message shown under it (`message`, nothing when the input is not marked).
 */
export function fieldMarks<K extends string>(
  prefix: string,
  errors: Partial<Record<K, string>>,
): {
  inputProps: (key: K) => { "aria-invalid": boolean; "aria-describedby": string | undefined };
  message: (key: K) => ReactNode;
} {
  return {
    inputProps: (key) => ({
      "aria-invalid": errors[key] !== undefined,
      "aria-describedby": errors[key] === undefined ? undefined : errorId(prefix, key),
    }),
    message: (key) =>
      errors[key] === undefined ? null : (
        <span id={errorId(prefix, key)} className="field-error">
          {errors[key]}
        </span>
      ),
  };
}
