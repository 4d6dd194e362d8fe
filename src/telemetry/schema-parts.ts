/**
 * Schema pieces the sections of the telemetry configuration share, defined once: a section's schema is the single
 * source of its shape (its TS type, schemas/telemetry.schema.json and the run-time check), and these keep the same
 * field meaning the same thing in every section.
 */
import { type Static, type TArray, type TSchema, Type } from "typebox";
import { formatPath } from "../model/diagnostics.ts";
import { checkEntries, fieldIf, type SchemaProblem } from "../model/schema-check.ts";
import { failure, type Result, success } from "./types.ts";

/** Optional `description` annotation (shown by editors). */
const described = (description?: string) => (description === undefined ? {} : { description });

/** An http(s) URL. */
export const httpUrl = (description?: string) =>
  Type.String({
    pattern: "^https?://[^\\s/]+\\S*$",
    patternErrorMessage: "expected an http(s) URL",
    format: "uri",
    ...described(description),
  });

/** Text with something in it (an id, a name, a title). */
export const nonEmptyText = (description?: string) => Type.String({ pattern: "\\S", ...described(description) });

/** A series (metric) name as ingestion accepts it (types.ts). */
export const seriesName = (description?: string) =>
  Type.String({
    pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$",
    patternErrorMessage: "expected a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*",
    ...described(description),
  });

/** The name of an environment variable (the secrets it holds never sit in the file). */
export const envName = (description?: string) =>
  Type.String({
    pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
    patternErrorMessage: "expected the name of an environment variable",
    ...described(description),
  });

/** A mapping of text to text (labels, headers); empty when left out if `emptyByDefault`. */
export const stringMap = (description?: string, emptyByDefault = false) =>
  Type.Record(Type.String(), Type.String(), { ...described(description), ...(emptyByDefault ? { default: {} } : {}) });

/** `path: message`, the form of every problem of the telemetry configuration. */
export function problemLine(problem: SchemaProblem): string {
  return `${formatPath(problem.path)}: ${problem.message}`;
}

/**
 * Decodes a list section (Redfish services, alarm rules) entry by entry: each entry's shape by the list's item
 * schema, `key` unique among the entries whose key is right (broken entries included, so one pass reports a repeat),
 * then `resolve` on each right entry for the rules a schema cannot express. Fails with every problem by its path.
 */
export function decodeEntries<T extends TSchema, R>(
  list: TArray<T>,
  value: unknown,
  path: string,
  key: { readonly name: string; readonly schema: TSchema },
  resolve: (entry: Static<T>, at: string, problems: string[]) => R,
): Result<R[]> {
  const checked = checkEntries(list, value, { path: [path] });
  const problems = checked.problems.map(problemLine);
  const decoded: R[] = [];
  const seen = new Set<unknown>();
  for (const entry of checked.entries) {
    const at = formatPath([path, entry.index]);
    const before = problems.length;
    if (!entry.ok) problems.push(...entry.problems.map(problemLine));
    const id = fieldIf(key.schema, entry.raw, key.name);
    if (id !== undefined && seen.has(id)) problems.push(`${at}.${key.name}: ${String(id)} is used twice`);
    if (id !== undefined) seen.add(id);
    if (!entry.ok) continue;
    const resolved = resolve(entry.value, at, problems);
    if (problems.length === before) decoded.push(resolved);
  }
  return problems.length > 0 ? failure(problems.join("\n")) : success(decoded);
}
