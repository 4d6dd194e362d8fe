/**
 * One error type for the platform's services, carrying the HTTP status it maps to and, for invalid input, the field.
 * The server renders it as RFC 9457 problem+json; the CLI as one line with an exit code.
 */

/** Kinds of failure a caller can act on. */
export const errorKinds = {
  invalid: { status: 400, title: "Invalid request" },
  unauthenticated: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  notFound: { status: 404, title: "Not found" },
  conflict: { status: 409, title: "Conflict" },
  preconditionFailed: { status: 412, title: "Precondition failed" },
  tooLarge: { status: 413, title: "Payload too large" },
  uriTooLong: { status: 414, title: "URI too long" },
  unsupportedMediaType: { status: 415, title: "Unsupported media type" },
  tooMany: { status: 429, title: "Too many requests" },
  unavailable: { status: 503, title: "Service unavailable" },
} as const;

/** The title of a problem answer with this HTTP status, shared by every error handler of the API. */
export function titleOfStatus(status: number): string {
  for (const kind of Object.values(errorKinds)) if (kind.status === status) return kind.title;
  return status >= 500 ? "Internal error" : "Invalid request";
}

/** A kind of failure. */
export type ErrorKind = keyof typeof errorKinds;

/** A failure with its kind, a human detail, and optionally the field at fault. */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly field: string | undefined;

  constructor(kind: ErrorKind, detail: string, options: { field?: string; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.kind = kind;
    this.field = options.field;
  }

  /** HTTP status of this kind. */
  get status(): number {
    return errorKinds[this.kind].status;
  }

  /** The same status under the name Fastify's error handlers read. */
  get statusCode(): number {
    return this.status;
  }
}
