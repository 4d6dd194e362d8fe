/**
 * A guard for response schemas, on in tests: Fastify serialises a JSON answer through the route's response schema,
 * which silently drops properties the schema does not declare and truncates non-integers declared as integers. With
 * the guard on, an answer whose serialised form differs from what the handler returned fails with a 500 naming the
 * first difference, so a too-narrow schema shows up in the tests of its route instead of in a client.
 */
import { isDeepStrictEqual } from "node:util";
import type { FastifyInstance, FastifyRequest } from "fastify";

/** Environment variable that turns the guard on (the test runner sets it). */
export const responseCheckVariable = "ALIXAN_CHECK_RESPONSES";

/** Whether the guard is asked for through the environment. */
export function responseCheckRequested(): boolean {
  return process.env[responseCheckVariable] === "1";
}

/** The first path where `actual` differs from `expected` (`$.jobs[0].placement`), or undefined when equal. */
export function firstDifference(expected: unknown, actual: unknown, path = "$"): string | undefined {
  if (isDeepStrictEqual(expected, actual)) return undefined;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return `${path}: ${expected.length} items became ${actual.length}`;
    for (let index = 0; index < expected.length; index++) {
      const found = firstDifference(expected[index], actual[index], `${path}[${index}]`);
      if (found !== undefined) return found;
    }
  }
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (isObject(expected) && isObject(actual)) {
    for (const key of Object.keys(expected)) {
      if (!(key in actual)) return `${path}.${key}: dropped (the response schema does not declare it)`;
      const found = firstDifference(expected[key], actual[key], `${path}.${key}`);
      if (found !== undefined) return found;
    }
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) return `${path}.${key}: added by the schema`;
    }
  }
  return `${path}: ${JSON.stringify(expected)?.slice(0, 80)} became ${JSON.stringify(actual)?.slice(0, 80)}`;
}

const returned = new WeakMap<FastifyRequest, string>();

/** Registers the guard on `app`: every schema-serialised JSON answer must equal what its handler returned. */
export function registerResponseCheck(app: FastifyInstance): void {
  app.addHook("preSerialization", async (request, _reply, payload) => {
    // What a plain JSON.stringify makes of the handler's value: the reference the schema's output must match.
    returned.set(request, JSON.stringify(payload));
    return payload;
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const expected = returned.get(request);
    returned.delete(request);
    if (expected === undefined || typeof payload !== "string" || reply.statusCode >= 400) return payload;
    const difference = firstDifference(JSON.parse(expected), JSON.parse(payload));
    if (difference === undefined) return payload;
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const detail = `response of ${route} does not match its schema at ${difference}`;
    request.log.error({ route, difference }, "response schema mismatch");
    // Answered as a problem naming the difference, so the failing test shows it without a log.
    reply.code(500).type("application/problem+json");
    return JSON.stringify({
      type: "https://alixan.dev/problems/error",
      title: "Internal error",
      status: 500,
      detail,
      instance: request.url,
      requestId: request.id,
    });
  });
}
