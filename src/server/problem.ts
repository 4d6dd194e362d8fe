/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with a type, a title, the
 * status, a human detail naming the field at fault, and the request id to find it in the logs.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type Static, type TSchema, Type } from "typebox";
import { AppError, errorKinds, titleOfStatus } from "../core/errors.ts";
import { formatPath, parsePath } from "../model/diagnostics.ts";
import { describeSchemaErrors, maxReportedErrors, type RawError } from "../model/schema-check.ts";

/**
 * The body of every error response (`application/problem+json`): RFC 9457 members, the request id, the fields at
 * fault. Open to more members: some answers add their own (`/ready` its checks, a 429 of ingest its report).
 */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "URI of the problem kind (https://alixan.dev/problems/invalid...)" }),
    title: Type.String({ description: "short name of the HTTP status" }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: "what is wrong, naming the field at fault" }),
    instance: Type.String({ description: "the request path and query, without any access_token" }),
    requestId: Type.String({ description: "finds the request in the server log" }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: "body.name, querystring.limit, params.id..." }),
          message: Type.String(),
        }),
        { description: "fields at fault, for invalid requests" },
      ),
    ),
    diagnostics: Type.Optional(
      Type.Array(Type.Unknown(), { description: "machine-readable details (site validation diagnostics...)" }),
    ),
  },
  { additionalProperties: true, title: "Problem" },
);

/** The body of an error response. */
export type Problem = Static<typeof ProblemSchema>;

const typeBase = "https://alixan.dev/problems/";

function kindOfStatus(status: number): string {
  for (const [kind, value] of Object.entries(errorKinds)) if (value.status === status) return kind;
  return "error";
}

/** The query parameter event streams take the API key in (EventSource cannot send headers). */
export const urlTokenParameter = "access_token";

/** Whether a query-string part (`name=value`) is the URL token, however its name is percent-encoded. */
function isTokenPart(part: string): boolean {
  const name = part.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(name.replace(/\+/g, " ")) === urlTokenParameter;
  } catch {
    return false;
  }
}

/** A request URL without its `access_token` parameter: what problems and logs may show of it. */
export function redactUrl(url: string): string {
  const mark = url.indexOf("?");
  if (mark < 0) return url;
  const kept = url
    .slice(mark + 1)
    .split("&")
    .filter((part) => !isTokenPart(part));
  return kept.length === 0 ? url.slice(0, mark) : `${url.slice(0, mark)}?${kept.join("&")}`;
}

/** Whether the URL carries an `access_token` parameter. */
export function hasUrlToken(url: string): boolean {
  const mark = url.indexOf("?");
  return (
    mark >= 0 &&
    url
      .slice(mark + 1)
      .split("&")
      .some(isTokenPart)
  );
}

/** What a problem answer may add to the standard members. */
export interface ProblemExtras {
  readonly title?: string;
  readonly errors?: Problem["errors"];
  readonly diagnostics?: unknown[];
  /** More members (an ingest report beside a 429, for example). */
  readonly members?: Readonly<Record<string, unknown>>;
}

/**
 * Sends a problem+json answer for the request `reply` belongs to: type from the status, `instance` the URL without
 * its token, the request id. A 401 carries the RFC 6750 challenge, with `invalid_token` when a key was presented.
 */
export function sendProblem(reply: FastifyReply, status: number, detail: string, extras: ProblemExtras = {}) {
  const request = reply.request;
  const problem: Problem = {
    ...(extras.members ?? {}),
    type: `${typeBase}${kindOfStatus(status)}`,
    title: extras.title ?? titleOfStatus(status),
    status,
    detail,
    instance: redactUrl(request.url),
    requestId: request.id,
    ...(extras.errors === undefined ? {} : { errors: extras.errors }),
    ...(extras.diagnostics === undefined ? {} : { diagnostics: extras.diagnostics }),
  };
  if (status === 401) {
    const presented = request.headers.authorization !== undefined || hasUrlToken(request.url);
    reply.header(
      "www-authenticate",
      presented
        ? 'Bearer realm="alixan", error="invalid_token", error_description="the API key is unknown, revoked or expired"'
        : 'Bearer realm="alixan"',
    );
  }
  // Also here, not only in the onSend hooks: errors met before routing (a malformed URL) skip those hooks.
  reply.header("x-request-id", request.id).header("x-content-type-options", "nosniff");
  return reply.status(status).type("application/problem+json").send(problem);
}

/** Clearer words for Fastify's own request errors (body parsing, content type), and the field they concern. */
function frameworkProblem(error: FastifyError): { detail: string; field: string } | undefined {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { detail: `body: not valid JSON (${error.message})`, field: "body" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { detail: "body: empty, but the content type says JSON", field: "body" };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { detail: "body: larger than this route accepts", field: "body" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { detail: "content-type: not accepted here (send application/json)", field: "headers.content-type" };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { detail: "content-length: does not match the body", field: "headers.content-length" };
    case "FST_ERR_BAD_URL":
      return { detail: "url: the path is not valid percent-encoded UTF-8", field: "url" };
    default:
      if (error instanceof SyntaxError) return { detail: `body: not valid JSON (${error.message})`, field: "body" };
      return undefined;
  }
}

/** An Ajv error as Fastify hands it over (the hygiene hooks' have no keyword nor schema path). */
interface AjvError {
  readonly keyword?: string;
  readonly instancePath?: string;
  readonly schemaPath?: string;
  readonly params?: Record<string, unknown>;
  readonly message?: string;
}

/**
 * Ajv's error in TypeBox's terms, for the formatter the files use: its `schemaPath` names the keyword (TypeBox's the
 * schema node holding it) and it reports one missing, unknown or misnamed key per error where TypeBox lists them.
 */
function asRawError(item: AjvError & { keyword: string; schemaPath: string }): RawError {
  const params = { ...(item.params ?? {}) };
  if (typeof params["missingProperty"] === "string") params["requiredProperties"] = [params["missingProperty"]];
  if (typeof params["additionalProperty"] === "string") {
    params["additionalProperties"] = [params["additionalProperty"]];
  }
  if (typeof params["propertyName"] === "string") params["propertyNames"] = [params["propertyName"]];
  const suffix = `/${item.keyword}`;
  const encoded = item.schemaPath.endsWith(suffix) ? item.schemaPath.slice(0, -suffix.length) : item.schemaPath;
  // Ajv's path is a URI fragment (a record's `^.*$` key reads `%5E.*%24`): TypeBox's plain one finds the schema node.
  const schemaPath = encoded.split("/").map(decodeURIComponent).join("/");
  return { keyword: item.keyword, instancePath: item.instancePath ?? "", schemaPath: schemaPath || "#", params };
}

/** The part of a request a validation context names. */
function requestPart(request: FastifyRequest, context: string): unknown {
  switch (context) {
    case "body":
      return request.body;
    case "querystring":
      return request.query;
    case "params":
      return request.params;
    case "headers":
      return request.headers;
    default:
      return undefined;
  }
}

/**
 * Turns a Fastify validation error into the list of fields and messages (`body.level: must be one of: a, b; got
 * "c"`), in the words the file readers use (`describeSchemaErrors`): Ajv's own ("must be equal to constant" once per
 * branch of a union) named neither the values allowed nor the value sent.
 */
function validationErrors(error: FastifyError, request: FastifyRequest): { field: string; message: string }[] {
  const context = error.validationContext ?? "body";
  const schema = (request.routeOptions?.schema as Record<string, TSchema | undefined> | undefined)?.[context];
  const items = (error.validation ?? []) as AjvError[];
  const errors: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  const push = (field: string, message: string) => {
    const key = `${field} ${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    errors.push({ field, message });
  };
  // Errors of the hygiene hooks (NUL, unpaired surrogates) are shaped like Ajv's without a keyword: their own words.
  const fromSchema = items.filter(
    (item): item is AjvError & { keyword: string; schemaPath: string } =>
      typeof item.keyword === "string" && typeof item.schemaPath === "string",
  );
  let described = false;
  if (schema !== undefined && fromSchema.length > 0) {
    try {
      // Ajv with allErrors reports every item of a 100,000-item list: the first few hundred say what is wrong.
      const first = fromSchema.slice(0, maxReportedErrors).map(asRawError);
      const problems = describeSchemaErrors(schema, requestPart(request, context), first);
      for (const problem of problems) push(formatPath([context, ...problem.path]), problem.message);
      described = problems.length > 0;
    } catch (error) {
      // An error handler must answer: Ajv's own words, and the reason in the log.
      request.log.warn({ err: error }, "validation errors not described");
    }
  }
  for (const item of items) {
    if (described && typeof item.keyword === "string" && typeof item.schemaPath === "string") continue;
    const params = (item.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
    const missing = params.missingProperty;
    const extra = params.additionalProperty;
    const path = (item.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
    const field = [context, path, missing ?? extra].filter((part) => part !== undefined && part !== "").join(".");
    push(
      field,
      extra !== undefined
        ? "is not an allowed field"
        : missing !== undefined
          ? "is required"
          : (item.message ?? "is invalid"),
    );
  }
  return errors;
}

/** The parts of a request a problem's field may name (Fastify's validation contexts, and the URL). */
const requestParts = ["body", "querystring", "params", "headers", "url"] as const;

/**
 * Runs a service call for a route; an `AppError` naming a field in the service's own words (`tenantId`, `id`) is
 * thrown again naming it in the request, under `part` (`body.tenantId`, `params.id`), so every problem's field is a
 * path into the request the console and scripts can map back. Fields already in the request's terms are kept.
 */
export async function fieldsIn<Result>(part: "body" | "params", work: () => Promise<Result>): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppError) || error.field === undefined) throw error;
    const segments = parsePath(error.field);
    if (requestParts.includes(segments[0] as (typeof requestParts)[number])) throw error;
    throw Object.assign(new AppError(error.kind, error.message, { field: formatPath([part, ...segments]) }), {
      diagnostics: (error as AppError & { diagnostics?: unknown[] }).diagnostics,
    });
  }
}

/** Fastify error handler rendering every failure as problem+json; unexpected errors are logged, not exposed. */
export function problemHandler(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) {
  let status = 500;
  let detail = "an unexpected error occurred; the request id finds it in the logs";
  let errors: Problem["errors"];
  let diagnostics: unknown[] | undefined;
  if (error instanceof AppError) {
    status = error.status;
    detail = error.message;
    if (error.field !== undefined) errors = [{ field: error.field, message: error.message }];
    const withDiagnostics = error as AppError & { diagnostics?: unknown[] };
    if (withDiagnostics.diagnostics !== undefined) diagnostics = withDiagnostics.diagnostics;
  } else if ((error as FastifyError).validation !== undefined) {
    status = 400;
    errors = validationErrors(error as FastifyError, request);
    detail = errors.map((item) => `${item.field}: ${item.message}`).join("; ");
  } else if (typeof (error as FastifyError).statusCode === "number" && (error as FastifyError).statusCode! < 500) {
    status = (error as FastifyError).statusCode!;
    detail = error.message;
    const framework = frameworkProblem(error as FastifyError);
    if (framework !== undefined) {
      detail = framework.detail;
      errors = [{ field: framework.field, message: framework.detail.replace(/^[^:]*: /, "") }];
    }
  } else {
    request.log.error({ err: error }, "unhandled error");
  }
  return sendProblem(reply, status, detail, {
    ...(errors === undefined ? {} : { errors }),
    ...(diagnostics === undefined ? {} : { diagnostics }),
  });
}
