/**
 * Grid events as a feature: stored events are read before the jobs feature starts, every scheduler generation holds
 * work through `feed`, the live twin's steps give the site's power, and events are followed on the clock once the
 * server is ready (the jobs engine runs by then).
 */
import type { LiveSnapshot } from "../../twin/live.ts";
import type { CoreServices, Feature } from "../compose.ts";
import type { GridFeed } from "../grid/check.ts";
import type { GridEventLimits } from "../grid/model.ts";
import { registerGridRoutes } from "../grid/routes.ts";
import { GridEventService } from "../grid/service.ts";
import type { JobsEngine } from "../jobs/engine.ts";

/** Options of the grid feature. */
export interface GridOptions {
  readonly engine: () => JobsEngine | undefined;
  /** Subscribes to the live twin's steps. */
  readonly onSnapshot: (listener: (snapshot: LiveSnapshot) => void) => () => void;
  /** Steps the live twin now if the placements changed since its last step (see `GridEventServiceOptions`). */
  readonly freshReading?: () => boolean;
  readonly limits?: GridEventLimits;
  readonly clock?: () => number;
}

/** The grid feature and the feed the scheduler's grid check reads (holds nothing until the feature starts). */
export function gridFeature(
  options: GridOptions,
): Feature & { feed: GridFeed; service(): GridEventService | undefined } {
  let service: GridEventService | undefined;
  const feed: GridFeed = {
    get version() {
      return service?.version ?? 0;
    },
    holdReason: (job) => service?.holdReason(job),
  };
  return {
    name: "grid",
    feed,
    service: () => service,
    async start(core: CoreServices) {
      const grid = new GridEventService(core.store, {
        engine: options.engine,
        ...(options.freshReading === undefined ? {} : { freshReading: options.freshReading }),
        log: core.log.sink("grid", "info"),
        ...(options.limits === undefined ? {} : { limits: options.limits }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
      await grid.load();
      service = grid;
      const unsubscribe = options.onSnapshot((snapshot) =>
        grid.sample(snapshot.kpis.facilityKW, snapshot.kpis.itKW, snapshot.racks.powerKW),
      );
      return {
        routes: (app) => {
          app.addHook("onReady", async () => grid.start());
          registerGridRoutes(app, grid);
        },
        async stop() {
          unsubscribe();
          await grid.stop();
        },
      };
    },
  };
}
