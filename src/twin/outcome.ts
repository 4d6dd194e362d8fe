/**
 * Errors as values: parsers and loaders of the twin return an `Outcome` so the caller (CLI, server, test) decides
 * what a bad weather file or scenario means, and the message is already one line naming the place and the problem.
 */

/** Either a value or a one-line error message. */
export type Outcome<Value> =
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly error: string };

/** Wraps a value as a success. */
export function success<Value>(value: Value): Outcome<Value> {
  return { ok: true, value };
}

/** Wraps a one-line message as a failure. */
export function failure<Value>(error: string): Outcome<Value> {
  return { ok: false, error };
}
