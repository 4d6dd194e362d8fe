/**
 * Input hygiene, once for every route: text the store cannot keep (NUL, which PostgreSQL refuses in text, and
 * unpaired UTF-16 surrogates, which become U+FFFD on the way to it) is refused with a 400 naming the field
 * (`body.name`, `querystring.tenant`, `params.id`) before any handler runs; so are malformed percent-encoding, URLs
 * past 8 KiB, a key in the URL anywhere but on the event streams that need one, and a body in a content coding its
 * route does not decode (415, where it was read as if plain). Errors the server meets before a
 * request exists (unparsable HTTP) still answer problem+json. Every answer carries nosniff and frame/referrer
 * headers; JSON answers a `default-src 'none'` policy.
 */
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";
import { hasUrlToken, problemHandler, urlTokenParameter } from "./problem.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route is an event stream that may take the API key as `?access_token=` (EventSource sends no header). */
    urlToken?: boolean;
    /** The content codings the route decodes itself (gzip on the Influx routes, snappy on remote-write). */
    contentEncodings?: readonly string[];
  }
}

/** Longest request URL (path and query) accepted; longer ones answer 414. */
export const maxUrlLength = 8192;

/** Largest request body the server reads (a route may set its own); a larger one answers 413 before it is parsed. */
export const maxBodyBytes = 4 * 1024 * 1024;

const suspicious = /[\0\uD800-\uDFFF]/;

/** Why `text` cannot be stored (a NUL, an unpaired surrogate), or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (!suspicious.test(text)) return undefined;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0) return "contains a NUL character (U+0000), which cannot be stored";
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index++;
        continue;
      }
      return "contains an unpaired UTF-16 surrogate, which is not text";
    }
    if (code >= 0xdc00 && code <= 0xdfff) return "contains an unpaired UTF-16 surrogate, which is not text";
  }
  return undefined;
}

/** A key as it may appear in a field name: the characters at fault escaped, so the answer itself is clean. */
function fieldPart(key: string): string {
  return key.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped here
    /[\0-\x1f\uD800-\uDFFF]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A string that cannot be stored: where it is (path segments below the root) and why. */
export interface BadText {
  readonly path: readonly string[];
  readonly problem: string;
}

/**
 * Whether any string (value or key) in `value` cannot be stored. The pass every JSON body gets (telemetry batches
 * run to megabytes): it allocates nothing per value; the path is only worked out, by `findBadText`, when it says yes.
 */
export function hasBadText(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === "string") {
      if (suspicious.test(current) && textProblem(current) !== undefined) return true;
    } else if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) pending.push(current[index]);
    } else if (current !== null && typeof current === "object" && !ArrayBuffer.isView(current)) {
      for (const key in current) {
        if (!Object.hasOwn(current, key)) continue;
        if (suspicious.test(key) && textProblem(key) !== undefined) return true;
        pending.push((current as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/**
 * The first string (value or key) in `value` that cannot be stored; undefined when all are clean. Iterative, so a
 * deeply nested body cannot overflow the stack.
 */
export function findBadText(value: unknown): BadText | undefined {
  // Each pending value links to its parent, so the path is built only for the one value at fault (copying paths
  // as the walk descends would be quadratic in the nesting depth).
  interface Step {
    readonly value: unknown;
    readonly key: string | undefined;
    readonly parent: Step | undefined;
  }
  const pathOf = (step: Step | undefined, last?: string): string[] => {
    const path: string[] = last === undefined ? [] : [last];
    for (let current = step; current?.key !== undefined; current = current.parent) path.push(current.key);
    return path.reverse();
  };
  const pending: Step[] = [{ value, key: undefined, parent: undefined }];
  while (pending.length > 0) {
    const step = pending.pop()!;
    const current = step.value;
    if (typeof current === "string") {
      const problem = textProblem(current);
      if (problem !== undefined) return { path: pathOf(step), problem };
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        pending.push({ value: current[index], key: String(index), parent: step });
      }
    } else if (current !== null && typeof current === "object" && !ArrayBuffer.isView(current)) {
      // (Binary bodies, were a route to parse one, are bytes, not text: not walked.)
      const entries = Object.entries(current);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, item] = entries[index]!;
        const problem = textProblem(key);
        if (problem !== undefined) return { path: pathOf(step, fieldPart(key)), problem: `(its name) ${problem}` };
        pending.push({ value: item, key: fieldPart(key), parent: step });
      }
    }
  }
  return undefined;
}

/**
 * A 400 shaped like Fastify's schema validation errors, so the problem reads the same as any other invalid field:
 * `errors: [{ field: "body.name", message: "contains a NUL character…" }]`.
 */
function invalid(context: "body" | "querystring" | "params", path: readonly string[], problem: string): Error {
  const field = [context, ...path].join(".");
  return Object.assign(new Error(`${field}: ${problem}`), {
    statusCode: 400,
    validationContext: context,
    validation: [{ instancePath: path.map((part) => `/${part}`).join(""), message: problem, params: {} }],
  });
}

function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** The first query parameter that is malformed or cannot be stored, as an error to throw; undefined when clean. */
function queryProblem(url: string): Error | undefined {
  const mark = url.indexOf("?");
  if (mark < 0) return undefined;
  for (const part of url.slice(mark + 1).split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const rawName = equals < 0 ? part : part.slice(0, equals);
    const name = decodeComponent(rawName);
    const path = [fieldPart(name ?? rawName)];
    if (name === undefined) return invalid("querystring", path, "(its name) is not valid percent-encoded UTF-8");
    const nameProblem = textProblem(name);
    if (nameProblem !== undefined) return invalid("querystring", path, `(its name) ${nameProblem}`);
    if (equals < 0) continue;
    const value = decodeComponent(part.slice(equals + 1));
    if (value === undefined) return invalid("querystring", path, "is not valid percent-encoded UTF-8");
    const valueProblem = textProblem(value);
    if (valueProblem !== undefined) return invalid("querystring", path, valueProblem);
  }
  return undefined;
}

/** Checks the URL (length, encoding, token), the route parameters and the query, before authentication. */
async function checkUrl(request: FastifyRequest): Promise<void> {
  if (request.url.length > maxUrlLength) {
    throw new AppError("uriTooLong", `url: longer than ${maxUrlLength} characters`, { field: "url" });
  }
  const fromQuery = queryProblem(request.url);
  if (fromQuery !== undefined) throw fromQuery;
  if (hasUrlToken(request.url) && !(request.routeOptions.config.urlToken === true && request.method === "GET")) {
    throw new AppError(
      "invalid",
      `querystring.${urlTokenParameter}: an API key in the URL is accepted only by the event streams that need it; send it as \`Authorization: Bearer alx_…\``,
      { field: `querystring.${urlTokenParameter}` },
    );
  }
  const found = findBadText(request.params);
  if (found !== undefined) throw invalid("params", found.path, found.problem);
}

/** Checks the parsed body (JSON values and keys, or a text body) before schema validation. */
async function checkBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null || !hasBadText(request.body)) return;
  const found = findBadText(request.body);
  if (found !== undefined) throw invalid("body", found.path, found.problem);
}

/**
 * Refuses a query or path number the validator made infinite: Ajv coerces `Infinity`, `-Infinity` and `1e999` to
 * ±Infinity and then lets them past `minimum` and `maximum`, so `?limit=Infinity` reached the store (a 500). Runs
 * after validation, on the values as coerced; the validator's options stay as they are.
 */
async function checkNumbers(request: FastifyRequest): Promise<void> {
  for (const [context, values] of [
    ["querystring", request.query],
    ["params", request.params],
  ] as const) {
    if (typeof values !== "object" || values === null) continue;
    for (const [name, value] of Object.entries(values)) {
      const items: unknown[] = Array.isArray(value) ? value : [value];
      if (items.some((item) => typeof item === "number" && !Number.isFinite(item)))
        throw invalid(context, [name], "is not a finite number");
    }
  }
}

/**
 * Refuses a body in a content coding its route does not decode, before it is parsed: 415 naming the header. Without
 * it `Content-Encoding: br` (or gzip) on a JSON route was read as if plain, and a plain body under that label taken.
 */
async function checkEncoding(request: FastifyRequest): Promise<void> {
  const header = request.headers["content-encoding"];
  if (header === undefined || request.is404) return;
  const encoding = header.toLowerCase().trim();
  if (encoding === "" || encoding === "identity") return;
  const length = request.headers["content-length"];
  const hasBody = request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
  if (!hasBody || request.routeOptions.config.contentEncodings?.includes(encoding) === true) return;
  throw new AppError("unsupportedMediaType", `content-encoding ${encoding} is not taken here: send the body as is`, {
    field: "headers.content-encoding",
  });
}

const jsonTypes = /^application\/(?:[\w.+-]+\+)?json/;

/** Security headers every answer carries (a route may set its own framing and referrer policy first). */
export const answerSecurityHeaders = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
} as const;

/** Headers every answer carries; JSON answers also forbid any content or framing. */
async function securityHeaders(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  for (const [name, value] of Object.entries(answerSecurityHeaders)) {
    if (name === "x-content-type-options" || !reply.hasHeader(name)) reply.header(name, value);
  }
  const type = String(reply.getHeader("content-type") ?? "");
  if (jsonTypes.test(type) && !reply.hasHeader("content-security-policy")) {
    reply.header("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  }
  return payload;
}

/**
 * Registers the hygiene hooks; call before any route or plugin so every route gets them. With the server built
 * with `return503OnClosing: false`, a request that arrives while it shuts down gets a 503 problem here instead of
 * Fastify's plain JSON.
 */
export function registerInputHygiene(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (_request, reply) => {
    if (!closing) return;
    reply.header("connection", "close");
    throw new AppError("unavailable", "the server is shutting down; retry on its next start");
  });
  app.addHook("onRequest", checkUrl);
  app.addHook("preParsing", checkEncoding);
  app.addHook("preValidation", checkBody);
  app.addHook("preHandler", checkNumbers);
  app.addHook("onSend", securityHeaders);
}

/**
 * Answers to HTTP the server cannot parse into a request (bad request line, headers past Node's limit, which is
 * where a URL past 16 KiB lands): problem+json with a fresh request id, and the connection closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: `https://alixan.dev/problems/${status === 431 ? "headersTooLarge" : status === 408 ? "timeout" : "badRequest"}`,
    title: STATUS_CODES[status],
    status,
    detail:
      status === 431
        ? "the request line and headers are too large (a URL stays under 8 KiB)"
        : status === 408
          ? "the request was not received in time"
          : "the request is not valid HTTP",
    // No request was parsed, so no path to name (and its raw line may hold a URL token): the empty reference.
    instance: "",
    requestId,
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nx-content-type-options: nosniff\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Answers errors met before routing (a path that is not valid percent-encoded UTF-8) as problem+json. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  problemHandler(error, request, reply);
}
