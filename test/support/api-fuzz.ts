/**
 * Requests built from the OpenAPI document for the API fuzz test (test/api-fuzz.test.ts): fast-check arbitraries of
 * values a schema accepts (with ids the platform really holds mixed in, so tenants reach each other's resources),
 * hostile values (wrong types, null, huge and negative numbers, NaN-like text, long text, NUL and unpaired
 * surrogates, deep nesting, extra properties, traversal), one request of an operation made of both, wire-level
 * abuses of an operation's plausible request (wrong or missing content type, a body past the server's limit, malformed
 * JSON, headers just under and past Node's limit), and the checks every answer must pass whoever sent it.
 */
import { maxHeaderSize } from "node:http";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { maxBodyBytes, maxUrlLength } from "../../src/server/hygiene.ts";

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document and the answers are read field by field.
export type Json = any;

/** One operation of the OpenAPI document. */
export interface Operation {
  readonly method: string;
  /** The OpenAPI path, `{name}` for each path parameter. */
  readonly path: string;
  readonly spec: Json;
}

/** The operations of `document`, in document order. */
export function operationsOf(document: Json): Operation[] {
  return Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    Object.entries<Json>(item)
      .filter(([method]) => ["get", "put", "post", "delete", "patch"].includes(method))
      .map(([method, spec]) => ({ method: method.toUpperCase(), path, spec })),
  );
}

/** Values of the platform a request may name: ids (and names) seen in list answers, with whose tenant they are. */
export interface Pool {
  /** Every value seen, by field name (`id`, `name`, `projectId`...). */
  readonly byField: ReadonlyMap<string, readonly string[]>;
  /** The tenant each value belongs to, when the object holding it said (`tenantId`, or a tenant's own id). */
  readonly tenantOf: ReadonlyMap<string, string>;
}

/** The node `schema` points to when it is a `$ref` into `document`, else `schema`. */
function resolve(document: Json, schema: Json): Json {
  if (typeof schema?.$ref !== "string") return schema;
  return schema.$ref
    .replace(/^#\//, "")
    .split("/")
    .reduce((node: Json, key: string) => node?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
}

/** An object nested `depth` levels deep, built without recursion (the server must not recurse on it either). */
export function deepNesting(depth: number): Json {
  const root: Json = {};
  let node = root;
  for (let level = 0; level < depth; level++) {
    node.a = level % 2 === 0 ? {} : [];
    node = node.a;
    if (Array.isArray(node)) {
      const next: Json = {};
      node.push(next);
      node = next;
    }
  }
  return root;
}

/** JSON values no field of any schema should take quietly. */
export const hostileValues: readonly Json[] = [
  null,
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53 + 2,
  "NaN",
  "Infinity",
  "-0",
  "1e999",
  "",
  " ",
  true,
  "true",
  "16",
  {},
  [],
  [null],
  { "": 1 },
  "x".repeat(100_000),
  "a\u0000b",
  "\ud800",
  "x\udc00y",
  "\u202e",
  "../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "2026-02-30T25:61:00Z",
  "0001-01-01T00:00:00Z",
  deepNesting(2_000),
  { __proto__: { polluted: 1 }, constructor: { prototype: { polluted: 1 } } },
];

/** Query values, already percent-encoded as they go on the wire. */
export const hostileQueryValues: readonly string[] = [
  "",
  "-1",
  "0",
  "1e308",
  "NaN",
  "Infinity",
  "1.5",
  "0x10",
  "99999999999999999999999",
  "9007199254740993",
  "true",
  "null",
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "%0a%0d",
  "%ed%a0%80",
  "%e2%80%ae",
  "%ff%fe",
  "x".repeat(6_000),
  "0001-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "2026-13-45",
];

/** Path segments, already percent-encoded (no bare `..`: a client resolves it before sending). */
export const hostilePathSegments: readonly string[] = [
  "does-not-exist",
  "..%2F..%2Fetc%2Fpasswd",
  "..%5C..%5Cwindows",
  "%00",
  "%ff",
  "%ed%a0%80",
  "x".repeat(5_000),
  "-1",
  "0",
  "1e308",
  "%20",
  "%e2%80%ae%f0%9f%92%a9",
  "null",
  "%2E%2E%2Fv1%2Fkeys",
];

const dateMin = new Date("2020-01-01T00:00:00Z");
const dateMax = new Date("2030-12-31T00:00:00Z");

/** A string a `type: string` schema accepts: its format, pattern or length. */
function stringArbitrary(schema: Json): fc.Arbitrary<string> {
  if (schema.format === "date-time")
    return fc.date({ min: dateMin, max: dateMax, noInvalidDate: true }).map((date) => date.toISOString());
  if (schema.format === "date")
    return fc.date({ min: dateMin, max: dateMax, noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (schema.format === "email") return fc.emailAddress();
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? minLength + 16, minLength + 16);
  if (typeof schema.pattern === "string") {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .filter((text) => text.length >= minLength && text.length <= (schema.maxLength ?? Infinity));
    } catch {
      // A pattern fast-check cannot generate from: text of the right length still exercises the route.
    }
  }
  // Mostly plain words (hostile text is the mutations' part), so valid-looking requests get past the checks.
  const plain = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), minLength, maxLength });
  return fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: fc.string({ minLength, maxLength }), weight: 1 });
}

/** A number an `integer` or `number` schema accepts (kept near its bounds, or small when it has none). */
function numberArbitrary(schema: Json): fc.Arbitrary<number> {
  const integer = schema.type === "integer";
  let min = schema.minimum ?? (typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : -1_000);
  let max = schema.maximum ?? (typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum : 100_000);
  if (integer) {
    min = Math.ceil(min + (schema.exclusiveMinimum === min ? 1 : 0));
    max = Math.floor(max - (schema.exclusiveMaximum === max ? 1 : 0));
    return fc.oneof(
      fc.constantFrom(min, max),
      fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }),
    );
  }
  return fc
    .oneof(fc.constantFrom(min, max), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }))
    .filter((value) => value !== schema.exclusiveMinimum && value !== schema.exclusiveMaximum);
}

/** Real values for a field called `field` (its own name, then every id), or undefined when the pool has none. */
function poolArbitrary(pool: Pool, field: string | undefined): fc.Arbitrary<string> | undefined {
  if (field === undefined || !/(^id$|Id$|^name$|^target$|^userId$|^tenant$|^project$|^queue$|^rack$)/.test(field))
    return undefined;
  const own = pool.byField.get(field) ?? [];
  const values = [...new Set([...own, ...(pool.byField.get("id") ?? [])])];
  return values.length === 0 ? undefined : fc.constantFrom(...values);
}

/**
 * Values `schema` accepts, as far as fast-check can make them: enums and constants, every branch of a union, objects
 * with their required fields and some optional ones, bounded arrays and records; string fields that name things
 * (`id`, `projectId`, `name`...) also take values of `pool`, so requests reach real (and other tenants') resources.
 */
export function valueArbitrary(
  document: Json,
  schema: Json,
  pool: Pool,
  field?: string,
  depth = 0,
): fc.Arbitrary<Json> {
  const node = resolve(document, schema);
  if (node === undefined || node === true || depth > 8) return fc.jsonValue({ maxDepth: 2 });
  if (node.const !== undefined) return fc.constant(node.const);
  if (Array.isArray(node.enum)) return fc.constantFrom(...node.enum);
  const branches = node.anyOf ?? node.oneOf;
  if (Array.isArray(branches))
    return fc.oneof(...branches.map((branch: Json) => valueArbitrary(document, branch, pool, field, depth + 1)));
  if (Array.isArray(node.allOf)) return valueArbitrary(document, node.allOf[0], pool, field, depth + 1);
  if (Array.isArray(node.type))
    return fc.oneof(
      ...node.type.map((type: string) => valueArbitrary(document, { ...node, type }, pool, field, depth)),
    );
  switch (node.type) {
    case "object": {
      const properties = Object.entries<Json>(node.properties ?? {});
      const record = fc.record(
        Object.fromEntries(
          properties.map(([name, property]) => [name, valueArbitrary(document, property, pool, name, depth + 1)]),
        ),
        { requiredKeys: (node.required ?? []).filter((name: string) => node.properties?.[name] !== undefined) },
      );
      const extra = node.additionalProperties;
      if (typeof extra !== "object" || properties.length > 0) return record;
      const keys =
        node.propertyNames === undefined
          ? fc.string({ minLength: 1, maxLength: 12 })
          : stringArbitrary(node.propertyNames);
      return fc.dictionary(keys, valueArbitrary(document, extra, pool, undefined, depth + 1), {
        minKeys: node.minProperties ?? 0,
        maxKeys: 3,
      });
    }
    case "array": {
      const minLength = node.minItems ?? 0;
      const maxLength = Math.min(node.maxItems ?? minLength + 3, minLength + 3);
      const items = valueArbitrary(document, node.items ?? {}, pool, field, depth + 1);
      return node.uniqueItems === true
        ? fc.uniqueArray(items, { minLength, maxLength, selector: (item) => JSON.stringify(item) })
        : fc.array(items, { minLength, maxLength });
    }
    case "string": {
      const real = poolArbitrary(pool, field);
      return real === undefined ? stringArbitrary(node) : fc.oneof(stringArbitrary(node), real);
    }
    case "integer":
    case "number":
      return numberArbitrary(node);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Every path into `value` (objects and arrays), the root first, at most `limit` of them. */
function pathsOf(value: Json, limit = 200): (string | number)[][] {
  const paths: (string | number)[][] = [[]];
  for (let index = 0; index < paths.length && paths.length < limit; index++) {
    const path = paths[index]!;
    const node = path.reduce((current: Json, key) => current?.[key], value);
    if (typeof node !== "object" || node === null) continue;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) paths.push([...path, key]);
  }
  return paths;
}

/** How a valid value was spoiled, for the report. */
export interface Mutation {
  readonly how: "replace" | "delete" | "extra";
  readonly at: string;
}

/**
 * A value of `valid` spoiled in one place: one node replaced by a hostile value, one member deleted, or one unknown
 * member added (to an object) — with where, so a failure says what was sent.
 */
export function mutatedArbitrary(valid: fc.Arbitrary<Json>): fc.Arbitrary<{ value: Json; mutation: Mutation }> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom(...hostileValues), fc.constantFrom("replace", "delete", "extra"))
    .map(([base, pick, hostile, how]) => {
      const value = structuredClone(base);
      const paths = pathsOf(value);
      const path = paths[pick % paths.length]!;
      const at = `body${path.map((key) => (typeof key === "number" ? `[${key}]` : `.${key}`)).join("")}`;
      if (path.length === 0) {
        if (how === "extra" && typeof value === "object" && value !== null && !Array.isArray(value)) {
          value.unexpectedField = hostile;
          return { value, mutation: { how, at: `${at}.unexpectedField` } };
        }
        return { value: hostile, mutation: { how: "replace", at } };
      }
      const parent = path.slice(0, -1).reduce((current: Json, key) => current[key], value);
      const key = path.at(-1)!;
      if (how === "delete" && !Array.isArray(parent)) delete parent[key];
      else if (
        how === "extra" &&
        typeof parent[key] === "object" &&
        parent[key] !== null &&
        !Array.isArray(parent[key])
      )
        parent[key].unexpectedField = hostile;
      else parent[key] = hostile;
      return { value, mutation: { how, at } };
    });
}

/** One request the fuzzer sends: who, the URL after the server's address, the body and its type. */
export interface FuzzRequest {
  readonly role: string;
  readonly method: string;
  readonly url: string;
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  /** Whether the body or query was spoiled on purpose (a 2xx then means the server took bad input). */
  readonly mutated: boolean;
  /** The JSON body before it was written, when there is one. */
  readonly json?: Json;
  /** What was spoiled, for the report. */
  readonly note: string;
  /** Headers sent beside the key and the content type. */
  readonly headers?: Readonly<Record<string, string>>;
  /** What a wire abuse must be answered, beside the checks every answer passes. */
  readonly expect?: WireExpectation;
}

/** The answer a wire abuse must get (test/api-fuzz.test.ts checks it with the rest). */
export interface WireExpectation {
  /** The status it must have. */
  readonly status?: number;
  /** A status it must not have (headers under the limit are not "too large"). */
  readonly never?: number;
  /** The field the problem must name. */
  readonly field?: string;
  /**
   * From every caller (the server answers before authentication), or else only from one authentication lets through
   * (a caller without a valid key, or of a role the route refuses, gets its 401 or 403 first).
   */
  readonly always: boolean;
}

/** A path parameter: a value of the pool (real, maybe another tenant's), an unknown id, or a hostile segment. */
function pathParameterArbitrary(document: Json, parameter: Json, pool: Pool): fc.Arbitrary<string> {
  const real = poolArbitrary(pool, parameter.name === "id" ? "id" : parameter.name);
  const valid = valueArbitrary(document, parameter.schema ?? { type: "string" }, pool, parameter.name).map((value) =>
    encodeURIComponent(String(value)),
  );
  return fc.oneof(
    { arbitrary: real?.map(encodeURIComponent) ?? valid, weight: 4 },
    { arbitrary: valid, weight: 1 },
    { arbitrary: fc.constantFrom(...hostilePathSegments), weight: 2 },
  );
}

/** The query string of one request: each parameter left out, valid, real or hostile, and now and then an unknown one. */
function queryArbitrary(
  document: Json,
  parameters: Json[],
  pool: Pool,
): fc.Arbitrary<{ query: string; hostile: boolean }> {
  const parts = parameters.map((parameter) => {
    const name = encodeURIComponent(parameter.name);
    const valid = valueArbitrary(document, parameter.schema ?? { type: "string" }, pool, parameter.name).map((value) =>
      (Array.isArray(value) ? value : [value])
        .map((item: Json) => `${name}=${encodeURIComponent(String(item))}`)
        .join("&"),
    );
    const hostile = fc.constantFrom(...hostileQueryValues).map((value) => `!${name}=${value}`);
    const choices = parameter.required === true ? [valid, hostile] : [fc.constant(""), valid, hostile];
    return fc.oneof(...choices);
  });
  const unknown = fc.oneof(fc.constant(""), fc.constant(""), fc.constant("!unknownParameter=1"));
  return fc.tuple(...parts, unknown).map((chosen) => {
    const present = chosen.filter((part) => part !== "");
    return {
      query: present.map((part) => part.replace(/^!/, "")).join("&"),
      hostile: present.some((part) => part.startsWith("!")),
    };
  });
}

/** The body of one request: valid, spoiled, or (for text bodies) any text; undefined when the operation takes none. */
function bodyArbitrary(
  document: Json,
  operation: Operation,
  pool: Pool,
  plausible: Json,
): fc.Arbitrary<{ body?: string; contentType?: string; json?: Json; mutated: boolean; note: string }> {
  const content = operation.spec.requestBody?.content as Record<string, Json> | undefined;
  if (content === undefined) {
    // A GET cannot carry a body (fetch refuses to send one).
    if (operation.method === "GET") return fc.constant({ mutated: false, note: "" });
    // Now and then a body the operation does not take.
    return fc.oneof(
      { arbitrary: fc.constant({ mutated: false, note: "" }), weight: 4 },
      {
        arbitrary: fc.constant({
          body: "{}",
          contentType: "application/json",
          json: {},
          mutated: true,
          note: "unexpected body",
        }),
        weight: 1,
      },
    );
  }
  const schema = content["application/json"]?.schema;
  if (schema === undefined) {
    const types = Object.keys(content);
    return fc
      .tuple(
        fc.constantFrom(...types),
        fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom(...hostileValues.filter((v) => typeof v === "string"))),
      )
      .map(([contentType, body]) => ({ body, contentType, mutated: false, note: `${contentType} text` }));
  }
  // The plausible body among the valid ones: spoiled in one place, it reaches the checks past the schema's.
  const generated = valueArbitrary(document, schema, pool);
  const valid = plausible === undefined ? generated : fc.oneof(generated, fc.constant(plausible));
  return fc.oneof(
    {
      arbitrary: valid.map((json) => ({
        body: JSON.stringify(json),
        contentType: "application/json",
        json,
        mutated: false,
        note: "valid-looking body",
      })),
      weight: 2,
    },
    {
      arbitrary: mutatedArbitrary(valid).map(({ value, mutation }) => ({
        body: JSON.stringify(value),
        contentType: "application/json",
        json: value,
        mutated: true,
        note: `${mutation.how} ${mutation.at}`,
      })),
      weight: 3,
    },
    {
      arbitrary: fc
        .constantFrom(
          { body: "", note: "empty body" },
          { body: "{", note: "malformed JSON" },
          { body: `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`, note: "5,000 levels of JSON" },
          { body: '{"__proto__":{"polluted":1}}', note: "prototype keys" },
        )
        .map(({ body, note }) => ({ body, contentType: "application/json", mutated: true, note })),
      weight: 1,
    },
  );
}

/**
 * Requests for `operation` as each of `roles`: path parameters, query and body from the document, valid or not; and
 * now and then, given the operation's `plausible` request, one of its wire abuses (`wireAbuses`).
 */
export function requestArbitrary(
  document: Json,
  operation: Operation,
  roles: readonly string[],
  pool: Pool,
  plausible?: FuzzRequest,
): fc.Arbitrary<FuzzRequest> {
  const fromSchemas = schemaRequestArbitrary(document, operation, roles, pool, plausible?.json);
  if (plausible === undefined) return fromSchemas;
  const wire = fc
    .tuple(fc.constantFrom(...roles), fc.constantFrom(...wireAbuses(operation, plausible)))
    .map(([role, abuse]) => ({ ...abuse, role }));
  return fc.oneof({ arbitrary: fromSchemas, weight: 9 }, { arbitrary: wire, weight: 1 });
}

/** Requests for `operation` built from its schemas: path parameters, query and body, valid or spoiled. */
function schemaRequestArbitrary(
  document: Json,
  operation: Operation,
  roles: readonly string[],
  pool: Pool,
  plausibleBody?: Json,
): fc.Arbitrary<FuzzRequest> {
  const parameters: Json[] = operation.spec.parameters ?? [];
  const pathParameters = parameters.filter((parameter) => parameter.in === "path");
  const segments = fc.tuple(...pathParameters.map((parameter) => pathParameterArbitrary(document, parameter, pool)));
  const query = queryArbitrary(
    document,
    parameters.filter((parameter) => parameter.in === "query"),
    pool,
  );
  return fc
    .record({
      role: fc.constantFrom(...roles),
      segments,
      query,
      body: bodyArbitrary(document, operation, pool, plausibleBody),
    })
    .map(({ role, segments, query, body }) => {
      let path = operation.path;
      pathParameters.forEach((parameter, index) => {
        path = path.replace(`{${parameter.name}}`, segments[index]!);
      });
      const notes = [body.note, query.hostile ? "hostile query" : ""].filter((note) => note !== "");
      return {
        role,
        method: operation.method,
        url: query.query === "" ? path : `${path}?${query.query}`,
        body: body.body,
        contentType: body.contentType,
        mutated: body.mutated || query.hostile,
        ...(body.json === undefined ? {} : { json: body.json }),
        note: notes.join(", "),
      };
    });
}

/** The media type of JSON bodies. */
const json = "application/json";

/** Node's limit on a request's line and headers together (16 KiB unless `--max-http-header-size`): past it, a 431. */
export const headerLimit = maxHeaderSize;

/** A JSON body past the server's body limit (src/server/hygiene.ts), valid, so only its size is at fault; made once. */
let oversizedBody: string | undefined;

/**
 * Whether `operation`'s body goes through the server's own parsers and body limit: it takes JSON or nothing, and is
 * not one of the telemetry scope's routes (telemetry and alarms: src/telemetry/routes.ts), which parse a body of any
 * type as text and read up to 64 MiB.
 */
function parsedByServer(operation: Operation): boolean {
  const types = Object.keys(operation.spec.requestBody?.content ?? {});
  const tags: string[] = operation.spec.tags ?? [];
  return !tags.some((tag) => tag === "telemetry" || tag === "alarms") && types.every((type) => type === json);
}

/**
 * The wire-level abuses of `operation`, each its plausible request changed in one way: headers just under Node's
 * limit (not refused) and past it (431 from anyone), a query that is not UTF-8 (400 naming it) and a URL past 8 KiB
 * (414), both refused before authentication; and on a method the server parses a body of (everything but GET), the
 * body sent as text/plain, as a form, as XML, with no content type, as `application/json; charset=latin1`, empty,
 * past the server's body limit, truncated, with trailing garbage, after a byte-order mark, labelled brotli, and with
 * a key given twice. From a caller authentication lets through, the brotli one must get a 415 naming
 * `headers.content-encoding` on every route; and where the server's own parser reads the body, those it refuses their
 * exact status and field (415 naming `headers.content-type`, 413 and 400 naming `body`).
 */
export function wireAbuses(operation: Operation, plausible: FuzzRequest): FuzzRequest[] {
  const { json: _json, ...base } = plausible;
  const abuse = (note: string, changes: Partial<FuzzRequest>): FuzzRequest => ({
    ...base,
    mutated: false,
    note: `wire: ${note}`,
    ...changes,
  });
  const padding = (length: number) => ({ "x-fuzz-padding": "p".repeat(length) });
  // Room for the request line and the headers fetch adds (host, accept, content-length...), all well under 2 KiB.
  const path = plausible.url.split("?")[0];
  const abuses = [
    abuse("headers under the limit", { headers: padding(headerLimit - 2_048), expect: { never: 431, always: true } }),
    abuse("headers past the limit", { headers: padding(headerLimit + 1_024), expect: { status: 431, always: true } }),
    abuse("a query that is not UTF-8", {
      url: `${path}?q=%ff`,
      expect: { status: 400, field: "querystring.q", always: true },
    }),
    abuse("a URL past the limit", {
      url: `${path}?q=${"x".repeat(maxUrlLength)}`,
      expect: { status: 414, field: "url", always: true },
    }),
  ];
  if (operation.method === "GET") return abuses;
  const text = plausible.contentType === json && plausible.body !== undefined ? plausible.body : "{}";
  const strict = parsedByServer(operation);
  const refused = (status: number, field: string) => (strict ? { expect: { status, field, always: false } } : {});
  const firstKey = /^\{("(?:[^"\\]|\\.)*"):/.exec(text)?.[1];
  oversizedBody ??= JSON.stringify({ padding: "x".repeat(maxBodyBytes) });
  abuses.push(
    abuse("text/plain", { body: text, contentType: "text/plain" }),
    abuse("a form", {
      body: "fuzz=1&name=x",
      contentType: "application/x-www-form-urlencoded",
      ...refused(415, "headers.content-type"),
    }),
    abuse("XML", { body: "<a/>", contentType: "application/xml", ...refused(415, "headers.content-type") }),
    // With no content type fetch sends bytes as they are (a string it would label text/plain).
    abuse("no content type", { body: text, contentType: undefined, ...refused(415, "headers.content-type") }),
    abuse("charset=latin1", { body: text, contentType: `${json}; charset=latin1` }),
    abuse("a body past the limit", { body: oversizedBody, contentType: json, mutated: true, ...refused(413, "body") }),
    abuse("an empty body labelled JSON", { body: "", contentType: json, mutated: true, ...refused(400, "body") }),
    abuse("truncated JSON", { body: text.slice(0, -1), contentType: json, mutated: true, ...refused(400, "body") }),
    abuse("trailing garbage", { body: `${text} ]garbage`, contentType: json, mutated: true, ...refused(400, "body") }),
    abuse("a byte-order mark", { body: `\uFEFF${text}`, contentType: json }),
    // No route decodes brotli: the body must not be read as if plain, whatever the route's parsers.
    abuse("a content coding no route decodes", {
      body: text,
      contentType: plausible.contentType ?? json,
      headers: { "content-encoding": "br" },
      mutated: true,
      expect: { status: 415, field: "headers.content-encoding", always: false },
    }),
    abuse("a key given twice", {
      // The first of the two is hostile: JSON.parse keeps the last, and so must whatever reads the body.
      body: firstKey === undefined ? '{"a":null,"a":1}' : `{${firstKey}:null,${text.slice(1)}`,
      contentType: json,
    }),
  );
  return abuses;
}

/** The answer to one fuzz request, as the checks need it. */
export interface FuzzAnswer {
  readonly status: number;
  readonly type: string;
  readonly requestId: string | null;
  /** Its `x-content-type-options` header. */
  readonly contentTypeOptions: string | null;
  readonly text: string;
  readonly ms: number;
}

/** Sends `request` with `token` (none when undefined); an event stream is closed once its headers arrive. */
export async function sendFuzz(base: string, request: FuzzRequest, token: string | undefined): Promise<FuzzAnswer> {
  const started = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15_000);
  const headers: Record<string, string> = { ...request.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (request.contentType !== undefined) headers["content-type"] = request.contentType;
  // A body without a content type goes as bytes: fetch labels a string text/plain.
  const body =
    request.body !== undefined && request.contentType === undefined
      ? new TextEncoder().encode(request.body)
      : request.body;
  try {
    const response = await fetch(base + request.url, {
      method: request.method,
      headers,
      body: body ?? null,
      signal: abort.signal,
    });
    const type = response.headers.get("content-type") ?? "";
    const requestId = response.headers.get("x-request-id");
    let text = "";
    if (type.startsWith("text/event-stream")) abort.abort();
    else text = await response.text();
    const contentTypeOptions = response.headers.get("x-content-type-options");
    return { status: response.status, type, requestId, contentTypeOptions, text, ms: performance.now() - started };
  } catch (error) {
    const text = String(error);
    return { status: 0, type: "", requestId: null, contentTypeOptions: null, text, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Validators of the document's schemas (request bodies, answers, problems), compiled once each. */
export class SchemaChecks {
  readonly #ajv = new Ajv2020.default({ strict: false, allErrors: false, validateFormats: true });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(document: Json) {
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ ...document, $id: "openapi" });
  }

  /** The errors of `value` against the schema at JSON pointer `pointer` of the document, or undefined when it passes. */
  errors(pointer: string, value: unknown): string | undefined {
    const validate = this.#compiled.get(pointer) ?? this.#ajv.compile({ $ref: `openapi#${pointer}` });
    this.#compiled.set(pointer, validate);
    if (validate(value)) return undefined;
    return this.#ajv.errorsText(validate.errors, { dataVar: "body" });
  }
}

/** `path` as a JSON pointer segment. */
export function pointerSegment(path: string): string {
  return path.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Names of new things the plausible requests make, unique across the run. */
let plausibleCount = 0;

/** A pool value for `field`, preferring one of `tenantId` (or of no tenant), else undefined. */
function ownValue(pool: Pool, field: string, tenantId: string | null): string | undefined {
  const values = [...(pool.byField.get(field) ?? []), ...(field === "id" ? [] : (pool.byField.get("id") ?? []))];
  const owner = (value: string) => pool.tenantOf.get(value);
  return (
    values.find((value) => tenantId !== null && owner(value) === tenantId) ??
    values.find((value) => owner(value) === undefined) ??
    values[0]
  );
}

/**
 * The most plausible value of `schema`, deterministic: required fields only, the first of an enum, the lower bound
 * of a number, a new name for `name` and the body's own `id`, a value of the caller's tenant for other ids — the
 * request most likely to succeed, so every operation's success answer is checked against its schema too.
 */
export function plausibleValue(
  document: Json,
  schema: Json,
  pool: Pool,
  tenantId: string | null,
  field?: string,
): Json {
  const node = resolve(document, schema);
  if (node === undefined || node === true) return null;
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum)) return node.enum[0];
  const branches: Json[] | undefined = node.anyOf ?? node.oneOf;
  if (Array.isArray(branches)) {
    const branch = branches.find((candidate) => resolve(document, candidate)?.type !== "null") ?? branches[0];
    return plausibleValue(document, branch, pool, tenantId, field);
  }
  const type = Array.isArray(node.type) ? (node.type.find((name: string) => name !== "null") ?? "null") : node.type;
  switch (type) {
    case "object":
      return Object.fromEntries(
        (node.required ?? [])
          .filter((name: string) => node.properties?.[name] !== undefined)
          .map((name: string) => [name, plausibleValue(document, node.properties[name], pool, tenantId, name)]),
      );
    case "array":
      return Array.from({ length: node.minItems ?? 0 }, () =>
        plausibleValue(document, node.items ?? {}, pool, tenantId, field),
      );
    case "string": {
      if (node.format === "date-time") return new Date(Date.now() + 3_600_000).toISOString();
      if (node.format === "date") return new Date().toISOString().slice(0, 10);
      plausibleCount++;
      if (node.format === "email") return `fuzz-${plausibleCount}@fuzz.example`;
      const real =
        field === undefined || field === "id" || field === "name" ? undefined : ownValue(pool, field, tenantId);
      if (real !== undefined && /(Id|^target|^tenant|^project|^queue|^rack)$/.test(field ?? "")) return real;
      const text = `fuzz${plausibleCount}`;
      if (typeof node.pattern === "string" && !new RegExp(node.pattern).test(text)) {
        return fc.sample(fc.stringMatching(new RegExp(node.pattern)), { numRuns: 1, seed: plausibleCount })[0];
      }
      return text.padEnd(node.minLength ?? 0, "x");
    }
    case "integer":
    case "number": {
      const low = node.minimum ?? (typeof node.exclusiveMinimum === "number" ? node.exclusiveMinimum : 0);
      const high = node.maximum ?? (typeof node.exclusiveMaximum === "number" ? node.exclusiveMaximum : low + 2);
      const value = Math.max(low, Math.min(1, high));
      if (value !== node.exclusiveMinimum && value !== node.exclusiveMaximum) return value;
      return type === "integer" ? Math.floor((low + high) / 2) : (low + high) / 2;
    }
    case "boolean":
      return false;
    default:
      return null;
  }
}

/** The most plausible request of `operation` for a caller of `tenantId`: real path ids, no query, a plausible body. */
export function plausibleRequest(
  document: Json,
  operation: Operation,
  role: string,
  pool: Pool,
  tenantId: string | null,
): FuzzRequest {
  let path = operation.path;
  for (const parameter of (operation.spec.parameters ?? []).filter((candidate: Json) => candidate.in === "path")) {
    const value =
      ownValue(pool, parameter.name, tenantId) ?? plausibleValue(document, parameter.schema, pool, tenantId);
    path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
  }
  const content = operation.spec.requestBody?.content as Record<string, Json> | undefined;
  const base = { role, method: operation.method, url: path, mutated: false, note: "plausible request" };
  if (content === undefined) return { ...base, body: undefined, contentType: undefined };
  const schema = content["application/json"]?.schema;
  if (schema === undefined) {
    const contentType = Object.keys(content)[0]!;
    return { ...base, body: contentType.startsWith("text/") ? "fuzz_metric value=1" : "", contentType };
  }
  const json = plausibleValue(document, schema, pool, tenantId);
  return { ...base, body: JSON.stringify(json), contentType: "application/json", json };
}
