/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` with a type, a title, the
 * status, a human detail naming the field at fault, and the request id to find it in the logs.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, errorKinds, titleOfStatus } from "../core/errors.ts";

/** The body of an error response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  /** Fields at fault, for invalid requests. */
  errors?: { field: string; message: string }[];
  /** Extra machine-readable details (for example site validation diagnostics). */
  diagnostics?: unknown[];
}

const typeBase = "https://alixan.dev/problems/";

function kindOfStatus(status: number): string {
  for (const [kind, value] of Object.entries(errorKinds)) if (value.status === status) return kind;
  return status === 429 ? "rate-limited" : status === 415 ? "unsupported-media-type" : "error";
}

/** Turns a Fastify validation error into the list of fields and messages (`body.email: must match format`). */
function validationErrors(error: FastifyError): { field: string; message: string }[] {
  const context = error.validationContext ?? "body";
  const seen = new Set<string>();
  const errors: { field: string; message: string }[] = [];
  for (const item of error.validation ?? []) {
    const params = (item.params ?? {}) as {
      missingProperty?: string;
      additionalProperty?: string;
      allowedValues?: unknown[];
    };
    const missing = params.missingProperty;
    const extra = params.additionalProperty;
    const path = item.instancePath.replace(/^\//, "").replace(/\//g, ".");
    const field = [context, path, missing ?? extra].filter((part) => part !== undefined && part !== "").join(".");
    const message =
      extra !== undefined
        ? "is not an allowed field"
        : missing !== undefined
          ? "is required"
          : params.allowedValues !== undefined
            ? `must be one of ${params.allowedValues.join(", ")}`
            : (item.message ?? "is invalid");
    const key = `${field} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ field, message });
  }
  return errors;
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
    errors = validationErrors(error as FastifyError);
    detail = errors.map((item) => `${item.field}: ${item.message}`).join("; ");
  } else if (typeof (error as FastifyError).statusCode === "number" && (error as FastifyError).statusCode! < 500) {
    status = (error as FastifyError).statusCode!;
    detail = error.message;
  } else {
    request.log.error({ err: error }, "unhandled error");
  }
  const kind = kindOfStatus(status);
  const problem: Problem = {
    type: `${typeBase}${kind}`,
    title: titleOfStatus(status),
    status,
    detail,
    instance: request.url,
    requestId: request.id,
    ...(errors === undefined ? {} : { errors }),
    ...(diagnostics === undefined ? {} : { diagnostics }),
  };
  return reply.status(status).type("application/problem+json").send(problem);
}
