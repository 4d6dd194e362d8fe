/**
 * Request ids: the server makes every id itself (a random UUID), so no caller can choose the id that ties an audit
 * record to the logs. A caller's own `x-request-id` is kept beside it, when it is printable ASCII of at most 128
 * characters: on the request as `clientRequestId` and in the audit records the request writes.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { AuditTrail } from "../store/audit-trail.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The caller's `x-request-id`, when it was given and valid; never used as the request's id. */
    clientRequestId: string | null;
  }
}

/** Printable ASCII (space to tilde), 1 to 128 characters. */
const clientRequestIdPattern = /^[\x20-\x7e]{1,128}$/;

/** The server's id of a new request. */
export function generateRequestId(): string {
  return randomUUID();
}

/** A caller's request id if it is acceptable, else undefined (it is then ignored, not an error). */
export function validClientRequestId(value: unknown): string | undefined {
  return typeof value === "string" && clientRequestIdPattern.test(value) ? value : undefined;
}

/** Keeps each request's client id beside the server's and hands it to the audit trail while the request runs. */
export function registerRequestIds(app: FastifyInstance, trail: AuditTrail): void {
  app.decorateRequest("clientRequestId", null);
  app.addHook("onRequest", async (request) => {
    const given = validClientRequestId(request.headers["x-request-id"]);
    if (given === undefined) return;
    request.clientRequestId = given;
    trail.rememberClientRequestId(request.id, given);
  });
  const forget = async (request: { id: string; clientRequestId: string | null }) => {
    if (request.clientRequestId !== null) trail.forgetClientRequestId(request.id);
  };
  app.addHook("onResponse", forget);
  app.addHook("onRequestAbort", forget);
}
