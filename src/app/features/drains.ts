/**
 * Maintenance drains as a feature: the drains are read from the store before the jobs feature starts (so jobs taken
 * back after a restart keep off drained racks), every scheduler generation follows them through `feed`, and policies
 * are enforced once the server is ready (the jobs engine runs by then).
 */
import type { DrainFeed } from "../../scheduler/checks.ts";
import type { CoreServices, Feature } from "../compose.ts";
import type { DrainLimits } from "../drains/model.ts";
import { registerDrainRoutes } from "../drains/routes.ts";
import { DrainService } from "../drains/service.ts";
import type { JobsEngine } from "../jobs/engine.ts";

/** Options of the drains feature. */
export interface DrainsOptions {
  /** The jobs engine whose running work drains requeue. */
  readonly engine: () => JobsEngine | undefined;
  readonly limits?: DrainLimits;
}

/** The drains feature and the feed the scheduler's drain check reads (empty until the feature starts). */
export function drainsFeature(options: DrainsOptions): Feature & { feed: DrainFeed } {
  let service: DrainService | undefined;
  const feed: DrainFeed = {
    get version() {
      return service?.version ?? 0;
    },
    get drains() {
      return service?.drains ?? [];
    },
  };
  return {
    name: "drains",
    feed,
    async start(core: CoreServices) {
      const drains = new DrainService(core.store, {
        engine: options.engine,
        site: () => core.inventory.current.site,
        log: core.log.sink("drains", "info"),
        ...(options.limits === undefined ? {} : { limits: options.limits }),
      });
      await drains.load();
      service = drains;
      // A site change that would move a drain onto other racks (row names are positions) is refused before it lands.
      const removeGuard = core.inventory.addChangeGuard((before, after) => drains.checkSiteChange(before, after));
      return {
        routes: (app) => {
          app.addHook("onReady", async () => drains.start());
          registerDrainRoutes(app, drains);
        },
        async stop() {
          removeGuard();
          drains.stop();
        },
      };
    },
  };
}
