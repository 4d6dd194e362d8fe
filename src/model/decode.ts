/**
 * A small declarative decoder for YAML/JSON documents: each field has a rule, every problem becomes a diagnostic
 * that names the path and what was expected, and unknown fields are reported with a suggestion (typos in a site
 * file must not be silently ignored).
 */
import { DiagnosticSink, didYouMean, formatPath, type PathSegment } from "./diagnostics.ts";

/** A rule for one value. `optional` fields may be absent; `default` fills an absent field in full mode. */
export type Rule =
  | {
      kind: "number";
      min?: number;
      max?: number;
      /** The value must be strictly above `min`. */
      exclusiveMin?: boolean;
      integer?: boolean;
      optional?: boolean;
      default?: number;
    }
  | { kind: "string"; pattern?: RegExp; patternHint?: string; optional?: boolean; default?: string }
  | { kind: "date"; optional?: boolean }
  | { kind: "enum"; values: readonly string[]; optional?: boolean; default?: string }
  | { kind: "boolean"; optional?: boolean; default?: boolean }
  | { kind: "object"; shape: Shape; optional?: boolean; partial?: boolean }
  | { kind: "array"; of: Rule; optional?: boolean; minItems?: number; default?: readonly unknown[] }
  | { kind: "record"; of: Rule; optional?: boolean; keyPattern?: RegExp };

/** The fields of an object and their rules. */
export type Shape = Readonly<Record<string, Rule>>;

/** Builders that keep rule tables short. */
export const rules = {
  number: (options: Omit<Extract<Rule, { kind: "number" }>, "kind"> = {}): Rule => ({ kind: "number", ...options }),
  positive: (options: Omit<Extract<Rule, { kind: "number" }>, "kind"> = {}): Rule => ({
    kind: "number",
    min: 0,
    exclusiveMin: true,
    ...options,
  }),
  count: (options: Omit<Extract<Rule, { kind: "number" }>, "kind"> = {}): Rule => ({
    kind: "number",
    min: 0,
    integer: true,
    ...options,
  }),
  fraction: (options: Omit<Extract<Rule, { kind: "number" }>, "kind"> = {}): Rule => ({
    kind: "number",
    min: 0,
    max: 1,
    ...options,
  }),
  string: (options: Omit<Extract<Rule, { kind: "string" }>, "kind"> = {}): Rule => ({ kind: "string", ...options }),
  date: (options: Omit<Extract<Rule, { kind: "date" }>, "kind"> = {}): Rule => ({ kind: "date", ...options }),
  enumOf: (values: readonly string[], options: { optional?: boolean; default?: string } = {}): Rule => ({
    kind: "enum",
    values,
    ...options,
  }),
  boolean: (options: { optional?: boolean; default?: boolean } = {}): Rule => ({ kind: "boolean", ...options }),
  object: (shape: Shape, options: { optional?: boolean; partial?: boolean } = {}): Rule => ({
    kind: "object",
    shape,
    ...options,
  }),
  array: (of: Rule, options: { optional?: boolean; minItems?: number; default?: readonly unknown[] } = {}): Rule => ({
    kind: "array",
    of,
    ...options,
  }),
  record: (of: Rule, options: { optional?: boolean; keyPattern?: RegExp } = {}): Rule => ({
    kind: "record",
    of,
    ...options,
  }),
};

/** Marks a rule optional (for patterns and templates, where a later layer may fill the field). */
export function optional(rule: Rule): Rule {
  return { ...rule, optional: true } as Rule;
}

/** Full mode requires every non-optional field and applies defaults; partial mode checks only what is present. */
export type DecodeMode = "full" | "partial";

/** Describes a value for an error message: `"ten"`, `-3`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberProblem(value: number, rule: Extract<Rule, { kind: "number" }>): string | undefined {
  if (!Number.isFinite(value)) return `expected a finite number, got ${value}`;
  if (rule.integer === true && !Number.isInteger(value)) return `expected a whole number, got ${value}`;
  if (rule.min !== undefined) {
    if (rule.exclusiveMin === true && value <= rule.min) return `must be greater than ${rule.min}, got ${value}`;
    if (value < rule.min) return `must be at least ${rule.min}, got ${value}`;
  }
  if (rule.max !== undefined && value > rule.max) return `must be at most ${rule.max}, got ${value}`;
  return undefined;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Decodes `value` against `rule`. Returns the cleaned value (defaults applied in full mode) or `undefined` when it is
 * unusable; every problem is recorded in `sink` under its path.
 */
export function decode(
  value: unknown,
  rule: Rule,
  path: PathSegment[],
  sink: DiagnosticSink,
  mode: DecodeMode = "full",
): unknown {
  const where = formatPath(path);
  switch (rule.kind) {
    case "number": {
      // YAML 1.2 reads `1,200` as a string: say so rather than "expected a number".
      if (typeof value !== "number") {
        const hint =
          typeof value === "string" && /^[\d,._ ]+$/.test(value) ? " (write numbers without separators)" : "";
        sink.error("type.number", where, `expected a number, got ${describeValue(value)}${hint}`);
        return undefined;
      }
      const problem = numberProblem(value, rule);
      if (problem !== undefined) {
        sink.error("range", where, problem);
        return undefined;
      }
      return value;
    }
    case "string": {
      if (typeof value !== "string" || value.trim() === "") {
        sink.error("type.string", where, `expected non-empty text, got ${describeValue(value)}`);
        return undefined;
      }
      if (rule.pattern !== undefined && !rule.pattern.test(value)) {
        sink.error(
          "format",
          where,
          `${describeValue(value)} is not ${rule.patternHint ?? `of the form ${rule.pattern}`}`,
        );
        return undefined;
      }
      return value;
    }
    case "date": {
      // YAML turns bare dates into strings (core schema); accept Date objects from other loaders too.
      const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
      if (typeof text !== "string" || !isoDate.test(text) || Number.isNaN(Date.parse(text))) {
        sink.error("format", where, `expected a date as YYYY-MM-DD, got ${describeValue(value)}`);
        return undefined;
      }
      return text;
    }
    case "enum": {
      if (typeof value !== "string" || !rule.values.includes(value)) {
        const suggestion = typeof value === "string" ? didYouMean(value, rule.values) : "";
        sink.error(
          "enum",
          where,
          `expected one of ${rule.values.join(", ")}, got ${describeValue(value)}${suggestion}`,
        );
        return undefined;
      }
      return value;
    }
    case "boolean": {
      if (typeof value !== "boolean") {
        sink.error("type.boolean", where, `expected true or false, got ${describeValue(value)}`);
        return undefined;
      }
      return value;
    }
    case "array": {
      if (!Array.isArray(value)) {
        sink.error("type.list", where, `expected a list, got ${describeValue(value)}`);
        return undefined;
      }
      if (rule.minItems !== undefined && value.length < rule.minItems) {
        sink.error("range", where, `expected at least ${rule.minItems} item(s), got ${value.length}`);
      }
      const items: unknown[] = [];
      value.forEach((item, index) => {
        const decoded = decode(item, rule.of, [...path, index], sink, mode);
        if (decoded !== undefined) items.push(decoded);
      });
      return items;
    }
    case "record": {
      if (!isPlainObject(value)) {
        sink.error("type.mapping", where, `expected a mapping of names to entries, got ${describeValue(value)}`);
        return undefined;
      }
      const entries: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (rule.keyPattern !== undefined && !rule.keyPattern.test(key)) {
          sink.error("format", formatPath([...path, key]), `name "${key}" must use lower-case letters, digits, - or _`);
          continue;
        }
        const decoded = decode(item, rule.of, [...path, key], sink, mode);
        if (decoded !== undefined) entries[key] = decoded;
      }
      return entries;
    }
    case "object":
      return decodeObject(value, rule.shape, path, sink, rule.partial === true ? "partial" : mode);
  }
}

/** Decodes a mapping field by field; see `decode`. */
export function decodeObject(
  value: unknown,
  shape: Shape,
  path: PathSegment[],
  sink: DiagnosticSink,
  mode: DecodeMode,
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    sink.error("type.mapping", formatPath(path), `expected a mapping, got ${describeValue(value)}`);
    return undefined;
  }
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    if (!(key in shape)) {
      sink.error("field.unknown", formatPath([...path, key]), `unknown field "${key}"${didYouMean(key, known)}`);
    }
  }
  const result: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(shape)) {
    const present = value[key] !== undefined && value[key] !== null;
    if (!present) {
      if (mode === "partial") continue;
      if ("default" in rule && rule.default !== undefined) {
        result[key] = structuredClone(rule.default);
        continue;
      }
      if (rule.optional === true) continue;
      // A section whose fields all have defaults may be left out entirely (`adiabatic`, `makeUp`).
      if (rule.kind === "object") {
        const probe = new DiagnosticSink();
        const filled = decodeObject({}, rule.shape, path, probe, "full");
        if (probe.items.length === 0 && filled !== undefined) {
          result[key] = filled;
          continue;
        }
      }
      sink.error("field.missing", formatPath([...path, key]), `required field "${key}" is missing`);
      continue;
    }
    const decoded = decode(value[key], rule, [...path, key], sink, mode);
    if (decoded !== undefined) result[key] = decoded;
  }
  return result;
}

/** Deep-merges plain mappings: fields of `override` win, nested mappings merge, lists are replaced whole. */
export function mergeLayers(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeLayers(base[key], value);
  return merged;
}
