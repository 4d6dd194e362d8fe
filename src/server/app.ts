/**
 * The HTTP API: Fastify 5 with TypeBox schemas, OpenAPI 3.1 at /openapi.json and a docs page at /docs, RFC 9457
 * errors, request ids, API-key authentication, per-key rate limiting. Resources register from routes/*.
 */
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from "fastify";
import type { InventoryService } from "../inventory/service.ts";
import type { Store } from "../store/database.ts";
import type { TenancyService } from "../tenancy/service.ts";
import { registerAuthentication } from "./auth.ts";
import { clientErrorHandler, frameworkErrorHandler, registerInputHygiene } from "./hygiene.ts";
import { problemHandler, redactUrl, sendProblem } from "./problem.ts";
import { generateRequestId, registerRequestIds } from "./request-ids.ts";
import { registerAuditRoutes } from "./routes/audit.ts";
import { registerSecurityRoutes } from "./routes/security.ts";
import { registerSiteRoutes } from "./routes/site.ts";
import { registerTenancyRoutes } from "./routes/tenancy.ts";
import { SecurityLog, type SecurityLogOptions } from "./security.ts";

/** A feature that adds its routes to the server (jobs, live state, telemetry...). */
export type RouteModule = (app: FastifyInstance) => void;

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
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: "array" } },
    bodyLimit: 4 * 1024 * 1024,
  });
  app.setErrorHandler(problemHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, `no route ${request.method} ${request.url.split("?")[0]}`),
  );
  // Before any plugin or route, so every route (docs, telemetry, console included) gets them.
  registerInputHygiene(app);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "alixan API",
        version: "0.1.0",
        description:
          "Operate a sovereign, liquid-cooled AI data center: site inventory, tenants, jobs, live state. " +
          "Authenticate with `Authorization: Bearer alx_…`. Errors are RFC 9457 problem+json.",
      },
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", bearerFormat: "alx_<id>_<secret>" } },
      },
      security: [{ apiKey: [] }],
    },
  });
  // The docs page and its assets are public, like /health and /openapi.json.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs")) route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });

  registerRequestIds(app, dependencies.store.audit);
  const security = new SecurityLog(dependencies.store.db, dependencies.securityLog);
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
      schema: { tags: ["platform"], summary: "Liveness and store", security: [] },
    },
    async () => {
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
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  registerTenancyRoutes(app, dependencies.tenancy);
  registerAuditRoutes(app, dependencies.store.db);
  registerSecurityRoutes(app, dependencies.store.db);
  registerSiteRoutes(app, dependencies.inventory);
  for (const module of dependencies.modules ?? []) module(app);
  return app;
}
