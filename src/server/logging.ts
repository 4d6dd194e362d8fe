/**
 * Structured logs: the server's pino logger (JSON, one line per event) with its level from `LOG_LEVEL`, one access
 * line per request, and the platform log that modules started before the server (telemetry, live twin, security
 * log) write through, so their messages carry a time, a level and a component instead of being bare stderr lines.
 */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { redactUrl } from "./problem.ts";

/** The levels pino knows, most severe first; `silent` logs nothing. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** One log level. */
export type LogLevel = (typeof logLevels)[number];

/** The level named by `value` (LOG_LEVEL; default info), or a message naming the variable and the accepted values. */
export function parseLogLevel(value: string | undefined, name = "LOG_LEVEL"): LogLevel | { problem: string } {
  if (value === undefined || value.trim() === "") return "info";
  const level = value.trim().toLowerCase();
  if ((logLevels as readonly string[]).includes(level)) return level as LogLevel;
  return { problem: `${name}: must be one of: ${logLevels.join(", ")}; got "${value}"` };
}

/** Severity of a platform message. */
export type Severity = "error" | "warn" | "info" | "debug";

/**
 * Where platform modules log. Until the server's logger is bound (the store and features start before the server
 * exists), messages go to stderr as before, prefixed with their component; after, through the JSON logger.
 */
export class PlatformLog {
  #logger: FastifyBaseLogger | undefined;

  /** Sends every later message through `logger` (the server's). */
  bind(logger: FastifyBaseLogger): void {
    this.#logger = logger;
  }

  /** Writes `message` from `component` (e.g. `telemetry`) with optional structured fields. */
  write(severity: Severity, component: string, message: string, fields: Record<string, unknown> = {}): void {
    const logger = this.#logger;
    if (logger === undefined) {
      process.stderr.write(`${component}: ${message}\n`);
      return;
    }
    logger[severity]({ component, ...fields }, message);
  }

  /** A function writing warnings of one component, for modules that take a `(message) => void` sink. */
  sink(component: string, severity: Severity = "warn"): (message: string) => void {
    return (message) => this.write(severity, component, message);
  }
}

/**
 * One access line per request, written when the response is sent: request id (pino's `reqId`), method, route
 * pattern (not the URL, so lines group by route; `unmatched` for 404s), the URL without tokens, status, duration.
 */
export function registerAccessLog(app: FastifyInstance): void {
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unmatched",
        url: redactUrl(request.url),
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        ...(request.clientRequestId === null ? {} : { clientRequestId: request.clientRequestId }),
        ...(request.principal === null ? {} : { keyId: request.principal.keyId }),
      },
      "request completed",
    );
  });
}
