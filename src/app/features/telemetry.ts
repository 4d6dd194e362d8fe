/**
 * Telemetry as a platform feature: the service (ingest, history, alarms, export) opened beside the store, its routes
 * mounted behind authentication with the staff permissions, and closed on shutdown.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../core/errors.ts";
import { contextOf } from "../../server/auth.ts";
import { appendAudit } from "../../store/audit.ts";
import { type ConfiguredOptions, parseTelemetryConfig } from "../../telemetry/config.ts";
import { registerTelemetryRoutes } from "../../telemetry/routes.ts";
import { TelemetryService } from "../../telemetry/service.ts";
import type { Permission } from "../../tenancy/roles.ts";
import { authorize } from "../../tenancy/service.ts";
import type { CoreServices, Feature } from "../compose.ts";

/**
 * Where telemetry keeps its history: ALIXAN_TELEMETRY_DIR, or beside an on-disk embedded store; in memory only for an
 * in-memory embedded store (a PostgreSQL store without ALIXAN_TELEMETRY_DIR refuses to start).
 */
function telemetryDirectory(core: CoreServices, fromFile: string | undefined): string | undefined {
  const configured = process.env["ALIXAN_TELEMETRY_DIR"];
  if (configured !== undefined && configured !== "") return configured;
  if (fromFile !== undefined) return fromFile;
  const location = core.store.location;
  return location.kind === "pglite" && location.dataDir !== "memory" ? join(location.dataDir, "telemetry") : undefined;
}

/** The permission a telemetry or alarm route needs. */
function permissionOf(request: FastifyRequest): Permission {
  const path = request.url.split("?")[0] ?? "";
  const write = request.method !== "GET" && request.method !== "HEAD";
  if (path.startsWith("/v1/alarms")) return write ? "alarms:write" : "alarms:read";
  // Scrapers read /metrics with a metrics-reader key; staff may too.
  if (path === "/metrics" && !write) return "metrics:read";
  return write ? "telemetry:write" : "telemetry:read";
}

/** The running service, for other features (the live twin publishes through it). */
export interface TelemetryFeature extends Feature {
  service(): TelemetryService;
}

/** Options of the telemetry feature. */
export interface TelemetryFeatureOptions {
  /** Keep history in memory only (tests, demos). */
  readonly inMemory?: boolean;
  /** History directory from alixan.yaml (`telemetry.historyDir`); ALIXAN_TELEMETRY_DIR overrides it. */
  readonly historyDir?: string;
  /** Telemetry sections from alixan.yaml; a file named by ALIXAN_TELEMETRY_CONFIG replaces them. */
  readonly configured?: ConfiguredOptions;
}

/**
 * Creates the telemetry feature: its configuration from alixan.yaml (`options`), or from the YAML file that
 * `ALIXAN_TELEMETRY_CONFIG` names.
 */
export function telemetryFeature(options: TelemetryFeatureOptions = {}): TelemetryFeature {
  let running: TelemetryService | undefined;
  return {
    name: "telemetry",
    service() {
      if (running === undefined) throw new AppError("unavailable", "telemetry is not running");
      return running;
    },
    async start(core) {
      const configPath = process.env["ALIXAN_TELEMETRY_CONFIG"];
      let configured: ConfiguredOptions = options.configured ?? {};
      if (configPath !== undefined && configPath !== "") {
        const parsed = parseTelemetryConfig(readFileSync(configPath, "utf8"));
        if (!parsed.ok) throw new Error(`${configPath}: ${parsed.problem}`);
        configured = parsed.value;
      }
      const directory = options.inMemory === true ? undefined : telemetryDirectory(core, options.historyDir);
      if (directory === undefined && options.inMemory !== true && core.store.location.kind === "postgres") {
        // PostgreSQL holds the platform's state durably; history kept in memory would vanish at the next restart.
        throw new Error(
          "telemetry: the store is PostgreSQL but neither ALIXAN_TELEMETRY_DIR nor telemetry.historyDir is set; set one to a durable directory for the telemetry history (DuckDB), such as /var/lib/alixan/telemetry",
        );
      }
      const opened = await TelemetryService.open({
        ...configured,
        site: core.inventory.current.site,
        onProblem: core.log.sink("telemetry"),
        ...(directory === undefined ? {} : { dataDirectory: directory }),
      });
      if (!opened.ok) throw new Error(opened.problem);
      const service = opened.value;
      running = service;
      // Alarms raised after a site change are placed on the site in force, not the one the platform started with.
      const removeSiteListener = core.inventory.onChange((changed) => service.followSite(changed.site));
      return {
        readiness: [
          {
            name: "telemetry",
            check: () => (running === service && service.open ? undefined : "closed"),
          },
        ],
        routes(app: FastifyInstance) {
          app.register(async (scope) => {
            scope.addHook("preHandler", async (request) => {
              // Pushed Redfish events without a key: the route checks the subscription's secret instead.
              if (request.principal === null && request.routeOptions.config.contextAuth === true) return;
              authorize(contextOf(request).principal, permissionOf(request));
            });
            registerTelemetryRoutes(scope, service, {
              userOf: (request) => request.principal?.userId,
              // Acknowledging, shelving and unshelving change what operators are shown: each is audited.
              recordAlarmAction: async (request, change) => {
                const context = contextOf(request);
                await core.store.db.transaction().execute((trx) =>
                  appendAudit(trx, {
                    actor: context.principal.userId,
                    action: `alarm.${change.action}`,
                    resource: `alarm:${change.alarmId}`,
                    before: change.before,
                    after: {
                      ...change.after,
                      reason: change.comment ?? null,
                      ...(change.until === undefined ? {} : { until: new Date(change.until).toISOString() }),
                    },
                    requestId: context.requestId,
                  }),
                );
              },
            });
          });
        },
        async stop() {
          running = undefined;
          removeSiteListener();
          await service.close();
        },
      };
    },
  };
}
