/**
 * What a form sends and how it reads the API's refusal: numbers typed as numbers, each problem field keyed to the
 * input it came from (shown there by components/field.tsx), and one summary line. The drain, job, queue and what-if
 * forms share it so a refusal reads the same on every page.
 */
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
