/**
 * Checks a document (YAML or JSON already parsed) against a TypeBox schema and turns what TypeBox finds into
 * problems people can act on: each names the path (`halls[0].rows[2].racks[0].count`), what was expected and what
 * was found, suggests the field or value a typo meant, and carries a stable code. The schema is the one source of a
 * file's shape: the same object gives the TS type (`Static<>`), the shipped JSON Schema and these checks.
 *
 * Two annotations, both read by editors too, make messages precise: `patternErrorMessage` on a string with a pattern
 * (`expected an id like "zone:name"`; VS Code and yaml-language-server show it), and the same key on a mapping's
 * `propertyNames` for keys that must follow a pattern.
 */
import { type Static, type TArray, type TSchema, Type } from "typebox";
import { Compile } from "typebox/compile";
import { Settings } from "typebox/system";
import { Value } from "typebox/value";
import { type DiagnosticSink, didYouMean, formatPath, type PathSegment } from "./diagnostics.ts";

/** One thing wrong with a document, at a path, with a stable code (`field.unknown`, `range`, `type.number`…). */
export interface SchemaProblem {
  readonly code: string;
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** The outcome of checking a document: the value with defaults applied, or every problem found. */
export type SchemaResult<T> =
  | { readonly ok: true; readonly value: T; readonly problems: readonly [] }
  | { readonly ok: false; readonly value: undefined; readonly problems: readonly SchemaProblem[] };

/** Options of `checkSchema`. */
export interface CheckOptions {
  /** Prefix of every problem path (for a document nested in another, such as an API body). */
  readonly path?: readonly PathSegment[];
  /**
   * Drop mapping entries whose value is null before checking (default true): YAML reads `key:` with nothing after it
   * as null, which people write to mean "not set".
   */
  readonly nullIsAbsent?: boolean;
}

type Validator = ReturnType<typeof Compile>;

/**
 * How a schema is checked: TypeBox's interpreter for its first few uses, then compiled code. Compiling the site
 * schema costs about three interpreted checks of a whole site file, so a command that reads one file never pays for
 * it, while a server checking request bodies or a site's 40 row entries soon runs compiled checks.
 */
interface Checker {
  uses: number;
  compiled: Validator | undefined;
}
const checkers = new WeakMap<TSchema, Checker>();
const interpretedUses = 3;

function checker(schema: TSchema): Checker {
  let found = checkers.get(schema);
  if (found === undefined) {
    found = { uses: 0, compiled: undefined };
    checkers.set(schema, found);
  }
  return found;
}

function conforms(schema: TSchema, value: unknown): boolean {
  const state = checker(schema);
  state.uses++;
  if (state.compiled === undefined && state.uses <= interpretedUses) return Value.Check(schema, value);
  state.compiled ??= Compile(schema);
  return state.compiled.Check(value);
}

/**
 * Checks `value` against `schema`: a copy with null entries dropped (see `CheckOptions`) and schema defaults filled
 * in is checked; the input is never changed. Never throws for bad input.
 */
export function checkSchema<T extends TSchema>(
  schema: T,
  value: unknown,
  options: CheckOptions = {},
): SchemaResult<Static<T>> {
  const copy = copyDocument(value, options.nullIsAbsent !== false);
  const filled = Value.Default(schema, copy);
  if (conforms(schema, filled)) return { ok: true, value: filled as Static<T>, problems: [] };
  return { ok: false, value: undefined, problems: explain(schema, filled, options.path ?? []) };
}

/**
 * Checks like `checkSchema` and records every problem in `sink` as an error; returns the value, or undefined when it
 * has a problem.
 */
export function checkInto<T extends TSchema>(
  schema: T,
  value: unknown,
  sink: DiagnosticSink,
  options: CheckOptions = {},
): Static<T> | undefined {
  const result = checkSchema(schema, value, options);
  for (const problem of result.problems) sink.error(problem.code, formatPath(problem.path), problem.message);
  return result.value;
}

/** Plain data only: Date (from YAML timestamps) becomes its ISO date, null entries of mappings go when asked. */
function copyDocument(value: unknown, dropNull: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => copyDocument(item, dropNull));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString().slice(0, 10);
  if (typeof value !== "object" || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || (dropNull && item === null)) continue;
    copy[key] = copyDocument(item, dropNull);
  }
  return copy;
}

/** Describes a value for an error message: `"ten"`, `-3`, `a list`, `a mapping`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function pointerSegments(pointer: string): string[] {
  return pointer === "" || pointer === "#"
    ? []
    : pointer
        .replace(/^#?\//, "")
        .split("/")
        .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function resolvePointer(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

type SchemaNode = Record<string, unknown>;

/** At most this many problems per document: a file that is wrong everywhere needs its first few hundred fixed. */
export const maxReportedErrors = 500;

/**
 * One error as a JSON Schema validator reports it: TypeBox's `Value.Errors`, or Ajv's (the API's bodies) once
 * `schemaPath` names the schema node rather than its keyword and the params are TypeBox's (see `src/server/problem.ts`).
 */
export interface RawError {
  readonly keyword: string;
  readonly schemaPath: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
}

/** What `explain` reports: a TypeBox error to describe, or a problem already described (see `narrowUnions`). */
type Finding =
  | { readonly error: RawError }
  | { readonly instancePath: string; readonly problem: Described; readonly error?: undefined };

/** Turns TypeBox's errors into one problem per place, in document order, in the words of the file's readers. */
function explain(schema: TSchema, value: unknown, prefix: readonly PathSegment[]): SchemaProblem[] {
  // Only bad input gets here: the interpreter's error walk is enough, and compiling for it would cost more.
  // TypeBox stops at 8 errors by default; a file's author wants them all (within reason) in one pass.
  const { maxErrors } = Settings.Get();
  Settings.Set({ maxErrors: maxReportedErrors });
  let errors: RawError[];
  try {
    errors = Value.Errors(schema, value).map((error) => ({
      keyword: error.keyword,
      schemaPath: error.schemaPath,
      instancePath: error.instancePath,
      params: error.params as Record<string, unknown>,
    }));
  } finally {
    Settings.Set({ maxErrors });
  }
  return describeSchemaErrors(schema, value, errors, prefix);
}

/**
 * Words for a validator's errors against `schema` of `value`: one problem per place, in document order, the
 * branches of a union the value did not mean left out. The one formatter of files and API requests alike.
 */
export function describeSchemaErrors(
  schema: TSchema,
  value: unknown,
  errors: readonly RawError[],
  prefix: readonly PathSegment[] = [],
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const add = (path: PathSegment[], code: string, message: string) => {
    const at = [...prefix, ...path];
    const key = formatPath(at);
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ code, path: at, message });
  };
  for (const finding of narrowUnions(schema, value, errors)) {
    const instance = pointerSegments(finding.error === undefined ? finding.instancePath : finding.error.instancePath);
    const path = pathIn(value, instance);
    let problem: Described | undefined;
    if (finding.error === undefined) problem = finding.problem;
    else {
      const { keyword, params, schemaPath } = finding.error;
      const node = resolvePointer(schema, pointerSegments(schemaPath)) as SchemaNode | undefined;
      problem = describeError(keyword, params, schemaPath, node, resolvePointer(value, instance));
    }
    if (problem === undefined) continue;
    if (problem.key === undefined) add(path, problem.code, problem.message);
    else for (const key of problem.key) add([...path, key.name], problem.code, key.message);
  }
  // Never errors without a problem: a caller reads an empty list as "valid" (a site file with a mistyped union value
  // once loaded as a valid site of 0 racks). The first raw error, in the validator's words, is better than none.
  const first = errors[0];
  if (problems.length === 0 && first !== undefined) {
    add(
      pathIn(value, pointerSegments(first.instancePath)),
      first.keyword,
      `does not match the schema (${first.keyword} at ${first.schemaPath})`,
    );
  }
  return problems;
}

/** A JSON pointer's segments as a path: list indexes as numbers (`events[2]`), keys as text. */
function pathIn(value: unknown, instance: readonly string[]): PathSegment[] {
  return instance.map((segment, depth) => {
    const parent = resolvePointer(value, instance.slice(0, depth));
    return Array.isArray(parent) ? Number(segment) : segment;
  });
}

/** The JSON type of a value as a schema's `type` names it. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Whether a branch of a union could be meant for a value of this JSON type (a branch of unknown type could). */
function acceptsType(branch: SchemaNode, value: unknown): boolean {
  const type = jsonType(value);
  const declared = branch["type"];
  if (declared !== undefined) {
    const types = (Array.isArray(declared) ? declared : [declared]).map((item) =>
      item === "integer" ? "number" : item,
    );
    return types.includes(type);
  }
  if ("const" in branch) return jsonType(branch["const"]) === type;
  if (Array.isArray(branch["enum"])) return branch["enum"].some((option) => jsonType(option) === type);
  return true;
}

/** The property whose `const` tells the object branches of a union apart (`kind`), if there is one. */
function discriminant(branches: readonly SchemaNode[]): string | undefined {
  const properties = branches.map((branch) => branch["properties"] as Record<string, SchemaNode> | undefined);
  const first = properties[0];
  if (first === undefined || properties.some((item) => item === undefined)) return undefined;
  return Object.keys(first).find((key) => {
    const consts = properties.map((item) => item?.[key]?.["const"]);
    return (
      consts.every((item) => typeof item === "string" || typeof item === "number") &&
      new Set(consts).size === consts.length
    );
  });
}

/**
 * A failed union (`anyOf`) makes TypeBox report the errors of every branch, most of them about branches the author
 * did not mean. Keeps those of the branch the value means: the one its discriminant (`kind: stale`) names, else the
 * only one of its JSON type (a list where text or a list is allowed). When the discriminant names no branch, reports
 * it, and what is wrong whichever branch is meant (a field every branch requires, a field none knows, the same error
 * in every branch). Otherwise the errors stay as TypeBox gives them.
 */
function narrowUnions(schema: TSchema, value: unknown, errors: readonly RawError[]): Finding[] {
  const dropped = new Set<RawError>();
  const replaced = new Map<RawError, Finding[]>();
  for (const error of errors) {
    if (error.keyword !== "anyOf") continue;
    const branches = (resolvePointer(schema, pointerSegments(error.schemaPath)) as SchemaNode | undefined)?.["anyOf"];
    if (!Array.isArray(branches)) continue;
    const found = resolvePointer(value, pointerSegments(error.instancePath));
    const within = (item: RawError) =>
      item.instancePath === error.instancePath || item.instancePath.startsWith(`${error.instancePath}/`);
    // A list's items share a schema path: the value's own errors are those under its instance path too.
    const byBranch = (branches as SchemaNode[]).map((_, index) => {
      const at = `${error.schemaPath}/anyOf/${index}`;
      return errors.filter((item) => within(item) && (item.schemaPath === at || item.schemaPath.startsWith(`${at}/`)));
    });
    const key = discriminant(branches as SchemaNode[]);
    let chosen: number | undefined;
    if (key !== undefined && jsonType(found) === "object") {
      const given = (found as Record<string, unknown>)[key];
      chosen = (branches as SchemaNode[]).findIndex(
        (branch) => (branch["properties"] as Record<string, SchemaNode>)[key]?.["const"] === given,
      );
      if (chosen < 0) {
        for (const list of byBranch) for (const item of list) dropped.add(item);
        replaced.set(
          error,
          unmatchedFindings(error, key, branches as SchemaNode[], found as Record<string, unknown>, byBranch),
        );
        continue;
      }
    } else {
      const matching = (branches as SchemaNode[]).flatMap((branch, index) =>
        acceptsType(branch, found) ? [index] : [],
      );
      if (matching.length !== 1) continue;
      chosen = matching[0];
    }
    // A branch reported without errors of its own (none expected): TypeBox's own errors say more than nothing.
    if (chosen === undefined || byBranch[chosen]?.length === 0) continue;
    byBranch.forEach((list, index) => {
      if (index !== chosen) for (const item of list) dropped.add(item);
    });
    // A constant branch (`off` beside a number) has only its `const` error, which says nothing on its own (the union's
    // error is meant to say it): the value is named against every form the union takes.
    const chosenBranch = (branches as SchemaNode[])[chosen]!;
    if ("const" in chosenBranch && byBranch[chosen]!.every((item) => item.keyword === "const")) {
      for (const item of byBranch[chosen]!) dropped.add(item);
      replaced.set(error, [
        {
          instancePath: error.instancePath,
          problem: { code: "type", message: unionFormsMessage(branches as SchemaNode[], found) },
        },
      ]);
      continue;
    }
    replaced.set(error, []);
  }
  return errors.flatMap((error) => (dropped.has(error) ? [] : (replaced.get(error) ?? [{ error }])));
}

/** One form a union's branch takes, in words: `"off"`, `a number from 0 to 604800`, `text`. */
function formOf(branch: SchemaNode): string {
  if ("const" in branch) return JSON.stringify(branch["const"]);
  const declared = branch["type"];
  const type = Array.isArray(declared) ? declared[0] : declared;
  if (type === "number" || type === "integer") {
    const noun = type === "integer" ? "a whole number" : "a number";
    const { minimum, maximum } = branch as { minimum?: number; maximum?: number };
    if (minimum !== undefined && maximum !== undefined) return `${noun} from ${minimum} to ${maximum}`;
    if (minimum !== undefined) return `${noun} ≥ ${minimum}`;
    if (maximum !== undefined) return `${noun} ≤ ${maximum}`;
    return noun;
  }
  const words: Record<string, string> = {
    string: "text",
    boolean: "true or false",
    array: "a list",
    object: "a mapping",
    null: "nothing",
  };
  return typeof type === "string" ? (words[type] ?? type) : "another form";
}

/** `expected a number from 0 to 604800 or "off", got "soon"`: a value none of a union's forms takes. */
function unionFormsMessage(branches: readonly SchemaNode[], found: unknown): string {
  const forms = [...new Set(branches.map(formOf))];
  const listed = forms.length === 1 ? forms[0] : `${forms.slice(0, -1).join(", ")} or ${forms.at(-1)}`;
  return `expected ${listed}, got ${describeValue(found)}`;
}

/** What a union's value whose discriminant names no branch has wrong, whichever branch is meant. */
function unmatchedFindings(
  union: RawError,
  key: string,
  branches: readonly SchemaNode[],
  found: Record<string, unknown>,
  byBranch: readonly (readonly RawError[])[],
): Finding[] {
  const at = (name: string) => `${union.instancePath}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
  const allowed = branches.map((branch) =>
    String((branch["properties"] as Record<string, SchemaNode>)[key]?.["const"]),
  );
  const given = found[key];
  const findings: Finding[] = [
    {
      instancePath: at(key),
      problem:
        given === undefined
          ? { code: "field.missing", message: `required field "${key}" is missing` }
          : { code: "enum", message: oneOfMessage(allowed, given) },
    },
  ];
  // Keys missing (or unknown) in every branch, and errors every branch reports alike (a field all share, mistyped).
  const keysOf = (list: readonly RawError[], keyword: string, param: string) =>
    new Set(
      list
        .filter((item) => item.keyword === keyword && item.instancePath === union.instancePath)
        .flatMap((item) => (item.params[param] as string[] | undefined) ?? []),
    );
  const inEvery = (keyword: string, param: string) =>
    [...keysOf(byBranch[0] ?? [], keyword, param)].filter(
      (name) => name !== key && byBranch.every((list) => keysOf(list, keyword, param).has(name)),
    );
  for (const name of inEvery("required", "requiredProperties")) {
    findings.push({
      instancePath: at(name),
      problem: { code: "field.missing", message: `required field "${name}" is missing` },
    });
  }
  const known = [...new Set(branches.flatMap((branch) => Object.keys((branch["properties"] as SchemaNode) ?? {})))];
  for (const name of inEvery("additionalProperties", "additionalProperties")) {
    findings.push({
      instancePath: at(name),
      problem: { code: "field.unknown", message: `unknown field "${name}"${didYouMean(name, known)}` },
    });
  }
  const signature = (item: RawError, index: number) =>
    `${item.instancePath}|${item.keyword}|${item.schemaPath.slice(`${union.schemaPath}/anyOf/${index}`.length)}`;
  const shared = byBranch.map((list, index) => new Set(list.map((item) => signature(item, index))));
  for (const item of byBranch[0] ?? []) {
    if (item.instancePath === union.instancePath || item.keyword === "anyOf") continue;
    if (shared.every((set) => set.has(signature(item, 0)))) findings.push({ error: item });
  }
  return findings;
}

interface Described {
  readonly code: string;
  readonly message: string;
  /** Problems about keys of a mapping (unknown, missing, badly named), one per key. */
  readonly key?: readonly { readonly name: string; readonly message: string }[];
}

/** The field a typo meant, or the fields there are when they are few enough to list. */
function suggestField(name: string, known: readonly string[]): string {
  const near = didYouMean(name, known);
  if (near !== "" || known.length === 0 || known.length > 12) return near;
  return ` (expected one of ${known.join(", ")})`;
}

/** `must be one of: green, orange, red; got "blue" (did you mean …?)`: a failed enum or union of constants. */
function oneOfMessage(allowed: readonly string[], found: unknown): string {
  const suggestion = typeof found === "string" ? didYouMean(found, allowed) : "";
  const expected = allowed.length === 1 ? `${allowed[0]}` : `one of: ${allowed.join(", ")}`;
  return `must be ${expected}; got ${describeValue(found)}${suggestion}`;
}

/** The values of an `enum` error's params (Ajv gives them when the schema node is out of reach). */
function listed(values: unknown): string[] | undefined {
  return Array.isArray(values) && values.every((item) => typeof item === "string" || typeof item === "number")
    ? values.map(String)
    : undefined;
}

function allowedValues(node: SchemaNode | undefined): string[] | undefined {
  const options = node?.["enum"] ?? (node?.["anyOf"] as SchemaNode[] | undefined)?.map((branch) => branch["const"]);
  return Array.isArray(options) && options.every((option) => typeof option === "string" || typeof option === "number")
    ? [...new Set(options.map(String))]
    : undefined;
}

function textProblem(found: unknown, node: SchemaNode | undefined): Described {
  if (typeof found !== "string" || found.trim() === "") {
    return { code: "type.string", message: `expected non-empty text, got ${describeValue(found)}` };
  }
  if (node?.["format"] === "date") {
    return { code: "format", message: `expected a date as YYYY-MM-DD, got ${describeValue(found)}` };
  }
  // Without a pattern the node's format is what the text missed (it read "expected text matching undefined").
  if (node?.["format"] === "date-time" && node["pattern"] === undefined) {
    return {
      code: "format",
      message: `expected a date and time as YYYY-MM-DDTHH:MM:SSZ (RFC 3339), got ${describeValue(found)}`,
    };
  }
  if (typeof node?.["format"] === "string" && node["pattern"] === undefined) {
    return { code: "format", message: `expected text in the format ${node["format"]}, got ${describeValue(found)}` };
  }
  const hint = node?.["patternErrorMessage"];
  return {
    code: "format",
    message: `${typeof hint === "string" ? hint : `expected text matching ${String(node?.["pattern"])}`}, got ${describeValue(found)}`,
  };
}

function typeProblem(expected: unknown, node: SchemaNode | undefined, found: unknown): Described {
  switch (expected) {
    case "number":
    case "integer": {
      if (typeof found === "number") {
        return Number.isFinite(found)
          ? { code: "range", message: `expected a whole number, got ${found}` }
          : { code: "range", message: `expected a finite number, got ${found}` };
      }
      // YAML 1.2 reads `1,200` as text: say so rather than only "expected a number".
      const hint = typeof found === "string" && /^[\d,._ ]+$/.test(found) ? " (write numbers without separators)" : "";
      return { code: "type.number", message: `expected a number, got ${describeValue(found)}${hint}` };
    }
    case "string":
      return textProblem(found, node);
    case "boolean":
      return { code: "type.boolean", message: `expected true or false, got ${describeValue(found)}` };
    case "array":
      return { code: "type.list", message: `expected a list, got ${describeValue(found)}` };
    case "object": {
      const names = node?.["propertyNames"] !== undefined || node?.["patternProperties"] !== undefined;
      return {
        code: "type.mapping",
        message: `expected a mapping${names ? " of names to entries" : ""}, got ${describeValue(found)}`,
      };
    }
    default:
      return { code: "type", message: `expected ${String(expected)}, got ${describeValue(found)}` };
  }
}

function describeError(
  keyword: string,
  params: Record<string, unknown>,
  schemaPath: string,
  node: SchemaNode | undefined,
  found: unknown,
): Described | undefined {
  switch (keyword) {
    case "type":
      return typeProblem(params["type"], node, found);
    case "minimum":
      return { code: "range", message: `must be at least ${String(params["limit"])}, got ${String(found)}` };
    case "exclusiveMinimum":
      return { code: "range", message: `must be greater than ${String(params["limit"])}, got ${String(found)}` };
    case "maximum":
      return { code: "range", message: `must be at most ${String(params["limit"])}, got ${String(found)}` };
    case "exclusiveMaximum":
      return { code: "range", message: `must be less than ${String(params["limit"])}, got ${String(found)}` };
    case "multipleOf":
      return { code: "range", message: `must be a multiple of ${String(params["multipleOf"])}, got ${String(found)}` };
    case "minItems":
      return {
        code: "range",
        message: `expected at least ${String(params["limit"])} item(s), got ${Array.isArray(found) ? found.length : 0}`,
      };
    case "maxItems":
      return {
        code: "range",
        message: `expected at most ${String(params["limit"])} item(s), got ${Array.isArray(found) ? found.length : 0}`,
      };
    case "minProperties":
      return {
        code: "range",
        message: `expected at least ${String(params["limit"])} entr${params["limit"] === 1 ? "y" : "ies"}, got ${typeof found === "object" && found !== null ? Object.keys(found).length : 0}`,
      };
    case "minLength":
    case "maxLength":
      if (typeof found === "string" && found.trim() !== "" && keyword === "maxLength") {
        return {
          code: "range",
          message: `expected at most ${String(params["limit"])} characters, got ${found.length}`,
        };
      }
      return textProblem(found, node);
    case "pattern":
    case "format":
      // A key that breaks `propertyNames`: TypeBox reports it at the key's path.
      if (schemaPath.endsWith("/propertyNames")) return undefined;
      return textProblem(found, node);
    case "propertyNames": {
      const names = (params["propertyNames"] as string[] | undefined) ?? [];
      const rule = node?.["propertyNames"] as SchemaNode | undefined;
      const hint = rule?.["patternErrorMessage"];
      return {
        code: "format",
        message: "",
        key: names.map((name) => ({
          name,
          message: `${typeof hint === "string" ? hint : `expected a name matching ${String(rule?.["pattern"])}`}, got ${describeValue(name)}`,
        })),
      };
    }
    case "enum":
    case "anyOf":
    case "const": {
      // A `const` inside an `anyOf` is one branch: its `anyOf` error (reported next) says it better.
      if (keyword === "const" && /\/anyOf\/\d+$/.test(schemaPath)) return undefined;
      const allowed =
        keyword === "const"
          ? [String(params["allowedValue"])]
          : (allowedValues(node) ?? listed(params["allowedValues"]));
      if (allowed === undefined) {
        return { code: "type", message: `${describeValue(found)} matches none of the allowed forms` };
      }
      return { code: "enum", message: oneOfMessage(allowed, found) };
    }
    case "required": {
      const names = (params["requiredProperties"] as string[] | undefined) ?? [];
      return {
        code: "field.missing",
        message: "",
        key: names.map((name) => ({ name, message: `required field "${name}" is missing` })),
      };
    }
    case "additionalProperties": {
      const known = Object.keys((node?.["properties"] as SchemaNode | undefined) ?? {});
      const names = (params["additionalProperties"] as string[] | undefined) ?? [];
      return {
        code: "field.unknown",
        message: "",
        key: names.map((name) => ({ name, message: `unknown field "${name}"${suggestField(name, known)}` })),
      };
    }
    case "boolean":
      // `additionalProperties: false` answering for one key; the `additionalProperties` error names them all.
      return undefined;
    default:
      return { code: keyword, message: `${describeValue(found)}: ${keyword} not satisfied` };
  }
}

/** A mapping with exactly these fields (unknown fields are errors: a typo must not be silently ignored). */
export function closedObject<P extends Parameters<typeof Type.Object>[0]>(
  properties: P,
  options: Parameters<typeof Type.Object>[1] = {},
) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/**
 * The same shape with every field optional at every depth and no defaults: a layer (row pattern, hall template)
 * that a later layer completes. Lists keep their bounds.
 */
export function deepPartial(schema: TSchema): TSchema {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(schema)) as SchemaNode;
  delete copy["default"];
  delete copy["required"];
  if (copy["properties"] !== undefined) {
    const properties: SchemaNode = {};
    for (const [key, property] of Object.entries(copy["properties"] as Record<string, TSchema>)) {
      properties[key] = Type.Optional(deepPartial(property));
    }
    copy["properties"] = properties;
  }
  if (typeof copy["items"] === "object") copy["items"] = deepPartial(copy["items"] as TSchema);
  if (typeof copy["additionalProperties"] === "object") {
    copy["additionalProperties"] = deepPartial(copy["additionalProperties"] as TSchema);
  }
  if (copy["patternProperties"] !== undefined) {
    copy["patternProperties"] = Object.fromEntries(
      Object.entries(copy["patternProperties"] as Record<string, TSchema>).map(([key, item]) => [
        key,
        deepPartial(item),
      ]),
    );
  }
  return copy as unknown as TSchema;
}

/** One entry of a list checked on its own: its value with defaults filled in, or its problems. */
export type CheckedEntry<T> =
  | { readonly index: number; readonly raw: unknown; readonly ok: true; readonly value: T }
  | { readonly index: number; readonly raw: unknown; readonly ok: false; readonly problems: readonly SchemaProblem[] };

/**
 * Checks a list entry by entry against its item schema, so that the rules a schema cannot express (names unique
 * across entries, rules between an entry's fields) can still be checked on the right entries while the broken ones
 * are reported: one pass lists every problem. `problems` holds those of the list itself (not a list at all).
 */
export function checkEntries<T extends TSchema>(
  list: TArray<T>,
  value: unknown,
  options: CheckOptions = {},
): { readonly problems: readonly SchemaProblem[]; readonly entries: readonly CheckedEntry<Static<T>>[] } {
  if (!Array.isArray(value)) return { problems: checkSchema(list, value, options).problems, entries: [] };
  const entries = value.map((raw: unknown, index): CheckedEntry<Static<T>> => {
    const checked = checkSchema(list.items, raw, { ...options, path: [...(options.path ?? []), index] });
    return checked.ok
      ? { index, raw, ok: true, value: checked.value as Static<T> }
      : { index, raw, ok: false, problems: checked.problems };
  });
  return { problems: [], entries };
}

/**
 * A field of an entry that may be broken elsewhere, when the field itself is right by its schema: lets a rule across
 * entries (unique names) see every entry whose name is right.
 */
export function fieldIf<T extends TSchema>(schema: T, entry: unknown, key: string): Static<T> | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return undefined;
  const field = (entry as Record<string, unknown>)[key];
  return Value.Check(schema, field) ? (field as Static<T>) : undefined;
}
