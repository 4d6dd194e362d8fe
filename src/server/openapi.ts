/**
 * The OpenAPI document as a contract: what @fastify/swagger builds from the routes' own schemas, completed with what
 * is the same for every operation (the problem answers, servers, licence, tag descriptions). The console's API types
 * are generated from this document (`npm run gen:api`), and the test suite lints it with Redocly's recommended rules.
 */
import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import { ProblemSchema } from "./problem.ts";

/** Media type of every error answer. */
export const problemMediaType = "application/problem+json";

/** What each tag groups, shown by the docs page and required by the linter's tag rules. */
export const apiTags: readonly { name: string; description: string }[] = [
  { name: "platform", description: "Liveness, readiness and metrics" },
  { name: "tenancy", description: "Tenants, projects, users and API keys" },
  { name: "audit", description: "The keyed audit chain and the security log" },
  { name: "site", description: "Site inventory: halls, rows, racks, site versions and change requests" },
  { name: "jobs", description: "Jobs: submission, listing, history, cancellation" },
  { name: "queues", description: "Queues, their configuration versions and the demo load" },
  { name: "drains", description: "Maintenance drains of racks, rows and halls" },
  { name: "grid", description: "Grid curtailment events: requests, the plan applied to running work, reports" },
  { name: "state", description: "Live state of the facility (the twin, or measurements)" },
  { name: "whatif", description: "What-if scenarios run on the twin" },
  { name: "usage", description: "Usage statements per tenant and project" },
  { name: "alarms", description: "Alarms and the incidents that touch a tenant's jobs" },
  { name: "telemetry", description: "Telemetry ingest, query, export and streams" },
];

/**
 * The problem answers operations give, by component name: status and meaning. Each operation lists the 4xx it
 * answers exactly (no `4XX` range: a client generated from the document knows them); server errors stay one range.
 */
const problemResponses = {
  BadRequest: {
    status: "400",
    description: "Invalid request: `errors` names each field at fault (any URL whose query is not valid text, too)",
  },
  Unauthorized: { status: "401", description: "No API key, or a key that is unknown, revoked or expired" },
  Forbidden: { status: "403", description: "The caller's role may not do this" },
  NotFound: {
    status: "404",
    description: "No such resource, or one outside the caller's tenant (never confirmed as another's)",
  },
  Conflict: { status: "409", description: "The resource's state does not allow this now (the detail says why)" },
  PreconditionFailed: {
    status: "412",
    description: "`If-Match` names a version that is no longer the one in force (the detail names both): read again",
  },
  PayloadTooLarge: { status: "413", description: "The body is larger than this operation accepts" },
  UriTooLong: { status: "414", description: "The URL is longer than 8,192 characters" },
  UnsupportedMediaType: {
    status: "415",
    description: "The body's content type (or encoding) is not one this operation takes",
  },
  TooManyRequests: { status: "429", description: "Too many requests for this key (`Retry-After` says when to retry)" },
  HeadersTooLarge: {
    status: "431",
    description: "The request line and headers are too large (answered before the request is read)",
  },
  ServiceUnavailable: {
    status: "503",
    description: "A part this operation needs is not available now (`Retry-After` when known)",
  },
  ServerError: { status: "5XX", description: "Server errors: the request id finds the cause in the server log" },
} as const;

/** A problem answer's component name. */
type ProblemName = keyof typeof problemResponses;

/** The answers a route declares itself, beside those every operation gets (see `withProblemResponses`). */
const routeProblems = {
  404: "NotFound",
  409: "Conflict",
  412: "PreconditionFailed",
  429: "TooManyRequests",
  503: "ServiceUnavailable",
} as const satisfies Record<number, ProblemName>;

/** A status a route may declare with `problems(...)`. */
export type RouteProblemStatus = keyof typeof routeProblems;

/** Route schema key listing the problem statuses the route answers beside the generic ones. */
export const problemsKey = "x-problems";

/**
 * The problem answers a route gives of its own (unknown ids, state conflicts, a part unavailable; 413 and 415 are
 * every body method's, declared once in `problemNamesOf`), spread into its
 * schema: `schema: { ..., ...problems(404, 409) }`. The document declares each with its shared component response.
 */
export function problems(...statuses: readonly RouteProblemStatus[]): { [problemsKey]: readonly RouteProblemStatus[] } {
  return { [problemsKey]: statuses };
}

/** `components.responses`: each shared problem answer, once. */
export function problemResponseComponents(): Record<
  string,
  { description: string; content: Record<string, { schema: { $ref: string } }> }
> {
  return Object.fromEntries(
    Object.entries(problemResponses).map(([name, { description }]) => [
      name,
      { description, content: { [problemMediaType]: { schema: { $ref: "#/components/schemas/Problem" } } } },
    ]),
  );
}

/**
 * `components.headers`: the paging headers every list answer with a `cursor` parameter sends (src/server/paging.ts),
 * and the entity tag of the answers that read a versioned resource (`versionTagged`).
 */
const responseHeaders = {
  TotalCount: {
    description: "Items matching the filters the caller may see, on every page",
    schema: { type: "integer", minimum: 0 },
  },
  NextCursor: {
    description: "The `cursor` of the next page; absent on the last page",
    schema: { type: "string" },
  },
  VersionTag: {
    description:
      'The version read, as a strong entity tag (`"v12"`): sent back as `If-Match`, a change applies only to that version',
    schema: { type: "string", pattern: '^"v[0-9]+"$' },
  },
} as const;

/** Route schema key saying the route's 200 answer carries an `ETag` naming the version it read. */
export const versionTaggedKey = "x-version-tagged";

/** Spread into a route's schema whose 200 answer sends `ETag` (`VersionTag`): the document declares the header. */
export function versionTagged(): { [versionTaggedKey]: true } {
  return { [versionTaggedKey]: true };
}

/** The document options given to @fastify/swagger (info, servers, security, shared components). */
export const openapiOptions: NonNullable<FastifyDynamicSwaggerOptions["openapi"]> = {
  openapi: "3.1.0",
  info: {
    title: "alixan API",
    version: "0.1.0",
    description:
      "Operate a sovereign, liquid-cooled AI data center: site inventory, tenants, jobs, live state. " +
      "Authenticate with `Authorization: Bearer alx_…`. Errors are RFC 9457 problem+json.",
    license: { name: "Apache-2.0", identifier: "Apache-2.0" },
  },
  // Relative: the document describes the server it is fetched from, whatever its host and port.
  servers: [{ url: "/", description: "the alixan server that serves this document" }],
  tags: [...apiTags],
  components: {
    securitySchemes: { apiKey: { type: "http", scheme: "bearer", bearerFormat: "alx_<id>_<secret>" } },
    // A TypeBox schema is plain JSON Schema; the OpenAPI typings only want a narrower object type.
    schemas: { Problem: ProblemSchema as unknown as Record<string, never> },
    responses: problemResponseComponents(),
    headers: responseHeaders,
  },
  security: [{ apiKey: [] }],
};

/** Route schema key declaring a body Fastify does not validate as JSON (text, protobuf): copied to `requestBody`. */
export const rawBodyKey = "x-raw-body";

/** The `x-raw-body` of a route that takes a text or binary body: its media types, each a string. */
export function rawBody(description: string, mediaTypes: readonly string[]) {
  return {
    [rawBodyKey]: {
      required: true,
      description,
      content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: "string" } }])),
    },
  };
}

interface Operation {
  [rawBodyKey]?: unknown;
  [problemsKey]?: readonly RouteProblemStatus[];
  [versionTaggedKey]?: true;
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

/**
 * Methods whose body the server parses, whatever the route declares: they can answer 413, and 415 (a content type no
 * parser of the route takes, or a content coding it does not decode: even the routes that take any type refuse one).
 */
const bodyMethods: ReadonlySet<string> = new Set(["put", "post", "delete", "patch"]);

/**
 * The problem answers `operation` gives, by component name: what the server answers any request from one place
 * (problem.ts, hygiene.ts, auth.ts: 400 for a query that is not text, 414 and 431 for a URL or headers too long, 413
 * and 415 for a body too large or of a type or coding it does not take on a method that takes one, 401/403/429 when
 * it needs a key), the route's own (`problems(...)`), and the 5XX range.
 */
function problemNamesOf(method: string, operation: Operation): ProblemName[] {
  const secured = operation.security === undefined || operation.security.length > 0;
  const own = (operation[problemsKey] ?? []).map((status) => routeProblems[status]);
  const names: ProblemName[] = [
    "BadRequest",
    ...(secured ? (["Unauthorized", "Forbidden"] as const) : []),
    ...own,
    ...(bodyMethods.has(method) ? (["PayloadTooLarge", "UnsupportedMediaType"] as const) : []),
    "UriTooLong",
    ...(secured ? (["TooManyRequests"] as const) : []),
    "HeadersTooLarge",
    "ServerError",
  ];
  // In status order ("5XX" sorts after "503"), as a reader scans them.
  const statusOf = (name: ProblemName) => problemResponses[name].status;
  return [...new Set(names)].sort((a, b) => (statusOf(a) < statusOf(b) ? -1 : statusOf(a) > statusOf(b) ? 1 : 0));
}

/**
 * Adds the problem answers each operation gives (`problemNamesOf`), each by exact status with its shared component;
 * to every list paged by a `cursor`, its `X-Total-Count` and `X-Next-Cursor` headers; to every `versionTagged` route,
 * its `ETag`. A route's own declared answers stay as they are.
 */
export function withProblemResponses<Document extends { paths?: object | undefined }>(document: Document): Document {
  for (const item of Object.values(document.paths ?? {}) as (Record<string, unknown> | undefined)[]) {
    for (const [method, value] of Object.entries(item ?? {})) {
      if (!["get", "put", "post", "delete", "patch"].includes(method)) continue;
      const operation = value as Operation;
      if (operation[rawBodyKey] !== undefined && operation.requestBody === undefined) {
        operation.requestBody = operation[rawBodyKey];
        delete operation[rawBodyKey];
      }
      const responses: Record<string, unknown> = { ...(operation.responses ?? {}) };
      for (const name of problemNamesOf(method, operation)) {
        const { status } = problemResponses[name];
        if (responses[status] === undefined) responses[status] = { $ref: `#/components/responses/${name}` };
      }
      delete operation[problemsKey];
      const paged = operation.parameters?.some((parameter) => {
        const { in: where, name } = parameter as { in?: string; name?: string };
        return where === "query" && name === "cursor";
      });
      const ok = responses["200"] as { headers?: Record<string, unknown> } | undefined;
      if (paged === true && ok !== undefined) {
        responses["200"] = {
          ...ok,
          headers: {
            ...ok.headers,
            "X-Total-Count": { $ref: "#/components/headers/TotalCount" },
            "X-Next-Cursor": { $ref: "#/components/headers/NextCursor" },
          },
        };
      }
      const tagged = responses["200"] as { headers?: Record<string, unknown> } | undefined;
      if (operation[versionTaggedKey] === true && tagged !== undefined) {
        responses["200"] = {
          ...tagged,
          headers: { ...tagged.headers, ETag: { $ref: "#/components/headers/VersionTag" } },
        };
      }
      delete operation[versionTaggedKey];
      operation.responses = responses;
    }
  }
  return document;
}

/**
 * The document with the editor-only keyword of the file schemas (`patternErrorMessage`, read by VS Code and
 * yaml-language-server) written as the extension `x-patternErrorMessage`, which OpenAPI allows: routes that answer a
 * site or queue file in its own schema share it with schemas/*.schema.json. Copies; the routes' schemas stay as they are.
 */
export function withEditorKeywordsAsExtensions<Document>(document: Document): Document {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== "object" || node === null) return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      copy[key === "patternErrorMessage" ? "x-patternErrorMessage" : key] = visit(value);
    }
    return copy;
  };
  return visit(document) as Document;
}
