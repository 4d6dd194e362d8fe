/**
 * The composition root: opens the store, loads the site, seeds the demo on first start, builds the services and the
 * HTTP server, and owns every resource so `close()` releases them in reverse order (graceful shutdown).
 */
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { InventoryService } from "../inventory/service.ts";
import { buildServer, type ReadinessCheck, type RouteModule } from "../server/app.ts";
import { PlatformLog } from "../server/logging.ts";
import type { MetricsSource } from "../server/metrics.ts";
import type { SecurityLogOptions } from "../server/security.ts";
import { openStore, type Store, type StoreLocation } from "../store/database.ts";
import { TenancyService } from "../tenancy/service.ts";
import { type DemoKey, seedDemo } from "./seed.ts";

/** Options of `composeApp`. */
export interface ComposeOptions {
  /** Shipped site name or site file used when the store has no site version yet. */
  readonly site: string;
  readonly store: StoreLocation;
  /** Create the demo tenants, users and keys in an empty store. */
  readonly seed: boolean;
  readonly rateLimitPerMinute?: number;
  /** Limits of the security log and of failed-authentication throttling (defaults in server/security.ts). */
  readonly securityLog?: SecurityLogOptions;
  /** Fastify's logger: off by default; `serve` gives `{ level }` from LOG_LEVEL (JSON lines on stdout). */
  readonly logger?: FastifyServerOptions["logger"];
  /** Extra features (live state, jobs, telemetry) given the core services. */
  readonly features?: readonly Feature[];
  /**
   * How long `close()` lets in-flight requests finish before it cuts the connections still open (default
   * `defaultShutdownGraceMs`): a client that never reads its response, or sends half a request, must not hold a stop.
   */
  readonly shutdownGraceMs?: number;
}

/** The default shutdown grace: well inside an orchestrator's usual 30 s between SIGTERM and SIGKILL. */
export const defaultShutdownGraceMs = 10_000;

/**
 * Closes `server`: new requests get 503, in-flight ones finish; after `graceMs` the connections still open are cut
 * (their clients never got an answer, so nothing acknowledged is lost) and the cut is logged.
 */
async function closeWithinGrace(server: FastifyInstance, graceMs: number, log: PlatformLog): Promise<void> {
  const timer = setTimeout(() => {
    server.server.getConnections((_error, count) => {
      log.write("warn", "server", `cut ${count} connection(s) still open ${graceMs} ms after the stop began`, {
        connections: count,
        graceMs,
      });
      server.server.closeAllConnections();
    });
  }, graceMs);
  try {
    await server.close();
  } finally {
    clearTimeout(timer);
  }
}

/** The core services features build on. */
export interface CoreServices {
  readonly store: Store;
  readonly tenancy: TenancyService;
  readonly inventory: InventoryService;
  /** Where features log (through the server's JSON logger once it is built). */
  readonly log: PlatformLog;
}

/** A feature: starts with the core services, adds routes, and stops on close. */
export interface Feature {
  readonly name: string;
  start(core: CoreServices): Promise<{
    routes?: RouteModule;
    stop?: () => Promise<void>;
    readiness?: readonly ReadinessCheck[];
    metrics?: MetricsSource;
  }>;
}

/** A running platform. */
export interface ComposedApp extends CoreServices {
  readonly server: FastifyInstance;
  /** Keys created by the demo seed at this start (undefined if the store was already seeded). */
  readonly demoKeys: readonly DemoKey[] | undefined;
  close(): Promise<void>;
}

/** Builds the whole platform. Call `close()` to release everything. */
export async function composeApp(options: ComposeOptions): Promise<ComposedApp> {
  const stops: (() => Promise<void>)[] = [];
  const log = new PlatformLog();
  const store = await openStore(options.store, {
    log: log.sink("store"),
    // The trail's lines carry their own `audit: ` prefix; the component field replaces it.
    auditLog: (line) => log.write("warn", "audit", line.replace(/^audit: /, "")),
  });
  stops.push(() => store.close());
  try {
    const tenancy = new TenancyService(store.db);
    const inventory = await InventoryService.open(store.db, options.site);
    const demoKeys = options.seed ? await seedDemo(store.db, tenancy) : undefined;
    const core: CoreServices = { store, tenancy, inventory, log };
    const modules: RouteModule[] = [];
    const readiness: ReadinessCheck[] = [];
    const metricsSources: MetricsSource[] = [];
    for (const feature of options.features ?? []) {
      const started = await feature.start(core);
      if (started.routes !== undefined) modules.push(started.routes);
      if (started.stop !== undefined) stops.push(started.stop);
      readiness.push(...(started.readiness ?? []));
      if (started.metrics !== undefined) metricsSources.push(started.metrics);
    }
    const server = await buildServer({
      store,
      tenancy,
      inventory,
      modules,
      readiness,
      metricsSources,
      platformLog: log,
      ...(options.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: options.rateLimitPerMinute }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.securityLog === undefined ? {} : { securityLog: options.securityLog }),
    });
    // The server closes first (finishing in-flight requests), then features, then the store.
    stops.push(() => closeWithinGrace(server, options.shutdownGraceMs ?? defaultShutdownGraceMs, log));
    let closed = false;
    return {
      ...core,
      server,
      demoKeys,
      async close() {
        if (closed) return;
        closed = true;
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}
