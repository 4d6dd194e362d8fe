/**
 * Live state: with no real equipment connected, the twin runs in real time (or accelerated) on the site in force and
 * every screen and endpoint reads it. Its plant, loop and site figures are also published as telemetry samples every
 * 10 s, so alarms and history see the twin through the same path as equipment. The feature wires the clock
 * (live-clock.ts) to the site's changes and a wall-clock interval, and registers the routes: the state reads, the SSE
 * stream and live events (live-routes.ts) and what-if comparisons run in a worker (live-whatif.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Site } from "../../model/site.ts";
import type { UtilisationSource } from "../../model/utilisation.ts";
import type { LiveSnapshot, LiveTwin } from "../../twin/live.ts";
import type { CoreServices, Feature } from "../compose.ts";
import { LiveClock } from "./live-clock.ts";
import { holdLiveEquipment } from "./live-equipment.ts";
import {
  registerPlantReads,
  registerSiteAndRackReads,
  registerStateEvents,
  registerStateStream,
} from "./live-routes.ts";
import { defaultWhatIfTimeoutMs, registerWhatIfRoute } from "./live-whatif.ts";
import type { TelemetryFeature } from "./telemetry.ts";

/** A rack's jobs, as the caller may see them (filled by the scheduler feature). */
export type JobsOnRack = (
  rackIndex: number,
  request: FastifyRequest,
) => readonly { id: string; name: string; tenantId: string; gpus: number }[];

/** What other features plug into the live state. */
export interface LiveCoupling {
  /** Rack utilisation to drive the twin with (default: synthetic profiles). */
  utilisation?: (site: Site) => UtilisationSource | undefined;
  jobsOnRack?: JobsOnRack;
  /** Called after every step with the new snapshot (the scheduler reads cooling headroom from it). */
  onSnapshot?: (snapshot: LiveSnapshot) => void;
}

/** Options of the live feature. */
export interface LiveOptions {
  /** Simulated seconds per wall-clock second (default 1: real time). */
  readonly speed?: number;
  /** Wall-clock milliseconds between updates (default 1000). */
  readonly tickMs?: number;
  /** Publish twin figures as telemetry samples through this feature. */
  readonly telemetry?: TelemetryFeature;
  readonly coupling?: LiveCoupling;
  /** Wall-clock limit of one what-if run (default `defaultWhatIfTimeoutMs`). */
  readonly whatIfTimeoutMs?: number;
}

/** The live feature: the twin clock, its snapshot cache, and the routes. */
export function liveFeature(options: LiveOptions = {}): Feature & {
  twin(): LiveTwin;
  onSnapshot(listener: (snapshot: LiveSnapshot) => void): () => void;
  freshen(): boolean;
} {
  const tickMs = options.tickMs ?? 1000;
  const whatIfTimeoutMs = options.whatIfTimeoutMs ?? defaultWhatIfTimeoutMs;
  let log: CoreServices["log"] | undefined;
  const clock = new LiveClock({
    speed: options.speed ?? 1,
    coupling: options.coupling,
    telemetry: options.telemetry,
    warn: (message) => {
      log?.write("warn", "live", message);
    },
  });
  return {
    name: "live",
    twin: () => clock.current().twin,
    freshen: () => clock.freshen(),
    onSnapshot: (listener) => clock.onSnapshot(listener),
    async start(core: CoreServices) {
      log = core.log;
      // The twin of the site in force, with the units operators hold failed and the set-points they changed.
      const held = await holdLiveEquipment(core, clock);
      const timer = setInterval(() => clock.tick(), tickMs);
      timer.unref();
      const routes = (app: FastifyInstance) => {
        registerSiteAndRackReads(app, clock, options.coupling?.jobsOnRack);
        registerPlantReads(app, clock);
        registerStateStream(app, clock);
        registerStateEvents(app, clock, core.store, held.equipment, core.inventory);
        registerWhatIfRoute(app, () => core.inventory.current.file, whatIfTimeoutMs);
      };
      return {
        routes,
        async stop() {
          clearInterval(timer);
          clock.stop();
          held.detach();
        },
      };
    },
  };
}
