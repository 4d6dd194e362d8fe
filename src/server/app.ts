/**
 * The HTTP API: Fastify 5 with TypeBox schemas, OpenAPI 3.1 at /openapi.json and a docs page at /docs, RFC 9457
 * errors, request ids, API-key authentication, per-key rate limiting. Resources register from routes/*.
 */
import AjvCompiler, { type ValidatorFactory } from "@fastify/ajv-compiler";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type FastifySchemaCompiler,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import { sql } from "kysely";
import { Type } from "typebox";
import type { InventoryService } from "../inventory/service.ts";
import type { Store } from "../store/database.ts";
import type { TenancyService } from "../tenancy/service.ts";
import { registerAuthentication } from "./auth.ts";
import {
  clientErrorHandler,
  frameworkErrorHandler,
  maxBodyBytes,
  maxUrlLength,
  registerInputHygiene,
} from "./hygiene.ts";
import { type PlatformLog, registerAccessLog } from "./logging.ts";
import { type MetricsSource, registerPlatformMetrics } from "./metrics.ts";
import { openapiOptions, problems, withEditorKeywordsAsExtensions, withProblemResponses } from "./openapi.ts";
import { problemHandler, redactUrl, sendProblem } from "./problem.ts";
import { generateRequestId, registerRequestIds } from "./request-ids.ts";
import { registerResponseCheck, responseCheckRequested } from "./response-check.ts";
import { registerAuditRoutes } from "./routes/audit.ts";
import { registerSecurityRoutes } from "./routes/security.ts";
import { registerSiteRoutes } from "./routes/site.ts";
import { registerTenancyRoutes } from "./routes/tenancy.ts";
import { type Reply, StringEnum } from "./schemas.ts";
import { SecurityLog, type SecurityLogOptions } from "./security.ts";
import { registerEventStreamShutdown } from "./sse.ts";

/**
 * How the API's validator reads schemas: every error at once (the problem lists them all), arrays from single query
 * values. `patternErrorMessage` is an annotation of the file schemas (editors show it, the problem wording uses it:
 * schema-check.ts), declared so a route body can be a file's own schema: strict Ajv refuses a keyword it does not know.
 * Coercion applies to the parts that are text (apiValidation): a JSON body is checked as sent.
 */
export const apiAjvOptions = {
  customOptions: { allErrors: true, removeAdditional: false, coerceTypes: "array", keywords: ["patternErrorMessage"] },
} as const satisfies FastifyServerOptions["ajv"];

/**
 * The request parts that arrive as text: a query value, a path parameter or a header is read as the type its schema
 * names (`?limit=5` is 5, a single `?state=queued` a one-item list). Every other part (a JSON body) has types of its
 * own, which coercion would overwrite: `null` became 0, false or "", `"16"` 16, `true` 1, a lone value a list.
 */
const textParts: ReadonlySet<string> = new Set(["querystring", "params", "headers"]);

/**
 * Fastify options of the API's validation: the Ajv options above for query strings, path parameters and headers,
 * the same without coercion for bodies (and any other part). Both validators share the server's schemas.
 */
export function apiValidation(): Pick<FastifyServerOptions, "ajv" | "schemaController"> {
  // Fastify's own default compiler pool; its published type describes Ajv's compile step, not the call Fastify makes.
  const pool = AjvCompiler() as unknown as CompilerPool;
  const buildValidator: CompilerPool = (externalSchemas, options) => {
    const coercing = pool(externalSchemas, options);
    const asSent = pool(externalSchemas, {
      ...options,
      customOptions: { ...options.customOptions, coerceTypes: false },
    });
    return (route) => (route.httpPart !== undefined && textParts.has(route.httpPart) ? coercing : asSent)(route);
  };
  return {
    ajv: apiAjvOptions,
    schemaController: { compilersFactory: { buildValidator: buildValidator as unknown as ValidatorFactory } },
  };
}

/** How Fastify builds a validator compiler: from the schemas added to the server and its `ajv` option. */
type CompilerPool = (
  externalSchemas: Readonly<Record<string, unknown>>,
  options: { readonly customOptions?: object; readonly [option: string]: unknown },
) => FastifySchemaCompiler<unknown>;

/** A feature that adds its routes to the server (jobs, live state, telemetry...). */
export type RouteModule = (app: FastifyInstance) => void;

/**
 * One part the platform needs to serve (store, telemetry...): resolves to undefined when it is ready, else to what is
 * wrong ("closed", "timed out after 2000 ms").
 */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<string | undefined> | string | undefined;
}

/** What the server is built from. */
export interface ServerDependencies {
  readonly store: Store;
  readonly tenancy: TenancyService;
  readonly inventory: InventoryService;
  readonly modules?: readonly RouteModule[];
  /** Requests per minute per API key (or per address before authentication). */
  readonly rateLimitPerMinute?: number;
  readonly logger?: FastifyServerOptions["logger"];
  /** Limits of the security log (failed authentications, denials) and of failed-authentication throttling. */
  readonly securityLog?: SecurityLogOptions;
  /** Checks of `/ready` beside the store's (telemetry...). */
  readonly readiness?: readonly ReadinessCheck[];
  /** Metric families features add to `/metrics` (the scheduler's). */
  readonly metricsSources?: readonly MetricsSource[];
  /** Fail any JSON answer its response schema would change (default: ALIXAN_CHECK_RESPONSES=1, as in tests). */
  readonly checkResponses?: boolean;
  /** The platform log, bound to the server's logger once it exists. */
  readonly platformLog?: PlatformLog;
}

/** The `/ready` answer when every part is ready: each check's outcome is `ok`. */
const ReadySchema = Type.Object({
  status: Type.Literal("ready"),
  checks: Type.Record(Type.String(), Type.String(), { description: "each part checked (store, telemetry...)" }),
});

/** The `/health` answer: the process serves, with the site it serves and the kind of store. */
const HealthSchema = Type.Object({
  status: Type.Literal("ok"),
  site: Type.String(),
  siteVersion: Type.Integer(),
  racks: Type.Integer(),
  store: StringEnum(["pglite", "postgres"]),
});

/** How long `/ready` waits for the store to answer `select 1`. */
const storeCheckTimeoutMs = 2000;

/** Resolves to undefined when `promise` fulfils in time, to "timed out…" when it does not; rejects as it does. */
async function withinTimeout(promise: Promise<unknown>, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${timeoutMs} ms`), timeoutMs);
  });
  try {
    // A rejection propagates: /ready logs its text and tells the caller only that the check failed.
    return await Promise.race([promise.then(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /** Failed authentications and denials, rate-limited (see security.ts). */
    securityLog: SecurityLog;
  }
}

/** The logger options with request URLs logged without their `access_token`. */
function loggerOf(logger: FastifyServerOptions["logger"]): Exclude<FastifyServerOptions["logger"], undefined> {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : logger;
  return {
    ...base,
    serializers: {
      ...(base.serializers ?? {}),
      // Fastify's own request serializer, with the URL redacted.
      req: (request: FastifyRequest) => {
        const version = request.headers?.["accept-version"];
        const port = request.socket?.remotePort;
        return {
          method: request.method,
          url: redactUrl(request.url),
          ...(typeof version === "string" ? { version } : {}),
          host: request.host,
          remoteAddress: request.ip,
          ...(port === undefined ? {} : { remotePort: port }),
        };
      },
    },
  };
}

/**
 * `/ready`: public like /health, for load balancers and orchestrators. 200 when the store answers and every feature
 * check passes; 503 problem+json naming the failing parts while the server starts, stops, or a part is down.
 */
function registerReadiness(app: FastifyInstance, dependencies: ServerDependencies): void {
  let phase: "starting" | "serving" | "stopping" = "starting";
  app.addHook("onReady", async () => {
    phase = "serving";
  });
  app.addHook("preClose", async () => {
    phase = "stopping";
  });
  const checks: ReadinessCheck[] = [
    {
      name: "store",
      check: () => withinTimeout(sql`select 1`.execute(dependencies.store.db), storeCheckTimeoutMs),
    },
    ...(dependencies.readiness ?? []),
  ];
  app.get(
    "/ready",
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ["platform"],
        operationId: "getReadiness",
        ...problems(503),
        summary: "Readiness: store and telemetry answer (503 problem+json naming the failing part otherwise)",
        security: [],
        response: { 200: ReadySchema },
      },
    },
    async (request, reply) => {
      const outcomes = await Promise.all(
        checks.map(async (check) => {
          try {
            return [check.name, (await check.check()) ?? "ok"] as const;
          } catch (error) {
            // /ready is public: the error's text (a database message, a path) goes to the log, not to the caller.
            request.log.warn({ check: check.name, err: error }, "readiness check failed");
            return [check.name, "failed (see the server log)"] as const;
          }
        }),
      );
      const results: Record<string, string> = Object.fromEntries(outcomes);
      const failing = outcomes.filter(([, outcome]) => outcome !== "ok");
      if (phase === "serving" && failing.length === 0) return { status: "ready", checks: results };
      const parts = [
        ...(phase === "serving" ? [] : [`server: ${phase}`]),
        ...failing.map(([name, outcome]) => `${name}: ${outcome}`),
      ];
      reply.header("retry-after", "5");
      return sendProblem(reply, 503, `not ready: ${parts.join("; ")}`, { members: { phase, checks: results } });
    },
  );
}

/** Builds the API server (not listening yet). */
export async function buildServer(dependencies: ServerDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOf(dependencies.logger),
    frameworkErrors: frameworkErrorHandler,
    // Requests during shutdown get a 503 problem from the hygiene hooks rather than Fastify's plain JSON.
    return503OnClosing: false,
    clientErrorHandler,
    // The server makes every request id; a caller's `x-request-id` is kept beside it (request-ids.ts).
    genReqId: generateRequestId,
    // One access line per request, with the route pattern, from registerAccessLog instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    ...apiValidation(),
    bodyLimit: maxBodyBytes,
    // The router's default (100 characters) answered a longer path parameter "no route GET /v1/jobs/…" (404) before
    // authentication; up to the URL bound the route answers it: a 401 without a key, the field named by its schema.
    routerOptions: { maxParamLength: maxUrlLength },
  });
  app.setErrorHandler(problemHandler);
  dependencies.platformLog?.bind(app.log);
  registerAccessLog(app);
  registerPlatformMetrics(app, dependencies.metricsSources ?? []);
  if (dependencies.checkResponses ?? responseCheckRequested()) registerResponseCheck(app);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, `no route ${request.method} ${request.url.split("?")[0]}`),
  );
  // Before any plugin or route, so every route (docs, telemetry, console included) gets them.
  registerInputHygiene(app);
  registerEventStreamShutdown(app);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  await app.register(swagger, {
    openapi: openapiOptions,
    // Only OpenAPI documents are built here (never Swagger 2).
    transformObject: (document) =>
      "openapiObject" in document ? withEditorKeywordsAsExtensions(withProblemResponses(document.openapiObject)) : {},
  });
  // The docs page and its assets are public, like /health and /openapi.json.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs")) route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });

  registerRequestIds(app, dependencies.store.audit);
  const security = new SecurityLog(dependencies.store.db, {
    ...(dependencies.platformLog === undefined ? {} : { log: dependencies.platformLog.sink("security") }),
    ...dependencies.securityLog,
  });
  app.addHook("onClose", () => security.close());
  app.decorate("securityLog", security);
  registerAuthentication(app, dependencies.tenancy, security);
  await app.register(rateLimit, {
    global: true,
    hook: "preHandler",
    max: dependencies.rateLimitPerMinute ?? 6000,
    timeWindow: 60_000,
    keyGenerator: (request) => request.principal?.keyId ?? request.ip,
  });

  app.get(
    "/health",
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ["platform"],
        operationId: "getHealth",
        summary: "Liveness and store",
        security: [],
        response: { 200: HealthSchema },
      },
    },
    async (): Promise<Reply<typeof HealthSchema>> => {
      const { site, version } = dependencies.inventory.current;
      return {
        status: "ok",
        site: site.id,
        siteVersion: version,
        racks: site.racks.length,
        store: dependencies.store.location.kind,
      };
    },
  );
  registerReadiness(app, dependencies);
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  registerTenancyRoutes(app, dependencies.tenancy);
  registerAuditRoutes(app, dependencies.store.db);
  registerSecurityRoutes(app, dependencies.store.db);
  registerSiteRoutes(app, dependencies.inventory);
  for (const module of dependencies.modules ?? []) module(app);
  return app;
}
