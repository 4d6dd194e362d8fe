/**
 * Live state: with no real equipment connected, the twin runs in real time (or accelerated) on the site in force and
 * every screen and endpoint reads it. Its plant, loop and site figures are also published as telemetry samples every
 * 10 s, so alarms and history see the twin through the same path as equipment. Routes: /v1/state/*, the SSE stream,
 * live events (CDU failure, set-points), and what-if comparisons run in a worker.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { startTypeScriptWorker } from "../../core/worker.ts";
import type { Site } from "../../model/site.ts";
import type { UtilisationSource } from "../../model/utilisation.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { rackIndex, rackIndexOf } from "../../server/routes/site.ts";
import { type Reply, StringEnum } from "../../server/schemas.ts";
import { openEventStream } from "../../server/sse.ts";
import { appendAudit } from "../../store/audit.ts";
import { SampleBuffer } from "../../telemetry/samples.ts";
import type { SeriesRegistry } from "../../telemetry/series.ts";
import { type Labels, RejectionList } from "../../telemetry/types.ts";
import { authorize } from "../../tenancy/service.ts";
import { type LiveSnapshot, LiveTwin } from "../../twin/live.ts";
import { whatIfProblemOf } from "../../twin/whatif.ts";
import type { CoreServices, Feature } from "../compose.ts";
import {
  LiveEventAnswerSchema,
  LiveHistorySchema,
  PlantStateSchema,
  RackFieldSchema,
  RackStateSchema,
  SiteStateSchema,
  TcsStateSchema,
  WhatIfResultSchema,
} from "./live-schemas.ts";
import type { TelemetryFeature } from "./telemetry.ts";
import { type WhatIfBody, whatIfBody } from "./whatif-schema.ts";

/** What-if runs one platform serves at once (each a worker thread with its own twin of the site). */
export const maximumConcurrentWhatIfs = 2;

/**
 * The default wall-clock limit of one what-if run: the longest shipped case, 14 days on the 40,000-rack alixan site,
 * takes about a minute on two cores; five minutes leaves room for a loaded machine and cuts only a runaway.
 */
export const defaultWhatIfTimeoutMs = 300_000;

/** The outcome a what-if worker posts: `runWhatIf`'s, or a site that no longer validates. */
type WhatIfOutcome = { ok: boolean; error?: string; value?: unknown };

/**
 * Runs a what-if in a worker thread and answers its outcome; past `timeoutMs` of wall clock the thread is terminated
 * (its slot and memory come back) and the caller gets a 503 naming the limit, never a request held for ever.
 */
async function whatIfInWorker(document: unknown, request: WhatIfBody, timeoutMs: number): Promise<WhatIfOutcome> {
  const worker = startTypeScriptWorker(new URL("./whatif-worker.ts", import.meta.url), {
    workerData: { document, request },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<WhatIfOutcome>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the what-if worker stopped (exit code ${code})`)));
      timer = setTimeout(() => {
        const seconds = timeoutMs / 1000;
        reject(
          new AppError(
            "unavailable",
            `the what-if ran longer than its limit of ${seconds} s (whatif.timeoutSeconds in alixan.yaml) and was stopped; ask for fewer days or a smaller change`,
          ),
        );
      }, timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

/** Fields of the per-rack state. */
export const rackStateFields = [
  "powerKW",
  "utilisation",
  "tcsSupplyC",
  "tcsReturnC",
  "headroomKW",
  "loopHeadroom",
  "throttle",
  "running",
] as const;
type RackField = (typeof rackStateFields)[number];
const units: Record<RackField, string> = {
  powerKW: "kW",
  utilisation: "fraction",
  tcsSupplyC: "degC",
  tcsReturnC: "degC",
  headroomKW: "kW",
  loopHeadroom: "fraction",
  throttle: "fraction",
  running: "fraction",
};

/**
 * Each rack's loop's spare cooling as a share of the loop's capacity (0 for a loop with none): the quantity that
 * says whether a loop can take more, where the rack's own kW share of it paints small CPU racks red.
 */
function loopHeadroomOfRacks(site: Site, state: LiveSnapshot): Float32Array {
  const values = new Float32Array(site.racks.length);
  for (const row of site.rows) {
    const loop = state.tcs[row.index];
    const share = loop === undefined || !(loop.capacityKW > 0) ? 0 : Math.max(0, loop.headroomKW / loop.capacityKW);
    values.fill(share, row.rackStart, row.rackStart + row.rackCount);
  }
  return values;
}

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

const round = (value: number, digits = 2) => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

function roundedArray(values: Float32Array): number[] {
  const out = new Array<number>(values.length);
  for (let index = 0; index < values.length; index++) out[index] = Math.round(values[index]! * 100) / 100;
  return out;
}

/** The series the twin publishes to telemetry, in the order of `publishedValues`. */
function publishedSeries(site: Site, state: LiveSnapshot): { name: string; labels: Labels }[] {
  const series: { name: string; labels: Labels }[] = [];
  for (const name of ["site_it_power_kw", "site_facility_power_kw", "site_pue", "outdoor_dry_bulb_celsius"]) {
    series.push({ name, labels: { site: site.id } });
  }
  for (const plant of state.plants) {
    for (const name of ["fws_supply_celsius", "fws_return_celsius", "plant_heat_kw", "chiller_heat_kw"]) {
      series.push({ name, labels: { plant: plant.id } });
    }
  }
  state.tcs.forEach((loop, rowIndex) => {
    for (const name of ["tcs_supply_celsius", "tcs_heat_kw", "tcs_headroom_kw"]) {
      series.push({ name, labels: { row: site.rows[rowIndex]!.id, equipment: loop.id } });
    }
  });
  return series;
}

/** The published figures of a step, in the order of `publishedSeries`. */
function publishedValues(state: LiveSnapshot): number[] {
  const values = [state.kpis.itKW, state.kpis.facilityKW, state.kpis.pue, state.weather.dryBulbC];
  for (const plant of state.plants) values.push(plant.fwsSupplyC, plant.fwsReturnC, plant.heatKW, plant.chillerKW);
  for (const loop of state.tcs) values.push(loop.supplyC, loop.heatKW, loop.headroomKW);
  return values;
}

/** The live feature: the twin clock, its snapshot cache, and the routes. */
export function liveFeature(options: LiveOptions = {}): Feature & {
  twin(): LiveTwin;
  onSnapshot(listener: (snapshot: LiveSnapshot) => void): () => void;
  freshen(): boolean;
} {
  const speed = options.speed ?? 1;
  const tickMs = options.tickMs ?? 1000;
  const whatIfTimeoutMs = options.whatIfTimeoutMs ?? defaultWhatIfTimeoutMs;
  let twin: LiveTwin | undefined;
  let snapshot: LiveSnapshot | undefined;
  let epochWallMs = 0;
  let epochSimulatedMs = 0;
  const fieldCache = new Map<RackField, string>();
  const listeners = new Set<(snapshot: LiveSnapshot) => void>();
  let lastPublishedMs = 0;
  /** A step and its snapshot's delivery are under way (a listener calling `freshen` must not step again inside). */
  let busy = false;

  /** Takes the snapshot of the step just taken and hands it to the scheduler and every listener. */
  const deliver = (live: LiveTwin): LiveSnapshot => {
    const state = live.snapshot();
    snapshot = state;
    fieldCache.clear();
    options.coupling?.onSnapshot?.(state);
    for (const listener of listeners) listener(state);
    return state;
  };

  const current = (): { twin: LiveTwin; snapshot: LiveSnapshot } => {
    if (twin === undefined || snapshot === undefined) throw new AppError("unavailable", "the live twin is starting");
    return { twin, snapshot };
  };

  const siteState = (state: LiveSnapshot): Reply<typeof SiteStateSchema> => ({
    time: new Date(state.time).toISOString(),
    mode: "simulated" as const,
    speed,
    weather: { dryBulbC: round(state.weather.dryBulbC, 1), relativeHumidity: round(state.weather.relativeHumidity, 3) },
    // A figure with no value (PUE with no IT load) is null, as JSON has no NaN.
    kpis: Object.fromEntries(
      Object.entries(state.kpis).map(([key, value]) => [
        key,
        Number.isFinite(value) ? round(value, key === "pue" ? 4 : 2) : null,
      ]),
    ) as Reply<typeof SiteStateSchema>["kpis"],
    plants: state.plants,
    // Rounded as the weather is: hundredths of a kelvin and of a kW.
    halls: state.halls.map((hall) => ({
      id: hall.id,
      airC: round(hall.airC, 2),
      rackMassC: round(hall.rackMassC, 2),
      slabAndWallsC: round(hall.slabAndWallsC, 2),
      rearDoorExtraKW: round(hall.rearDoorExtraKW, 2),
      envelopeLossKW: round(hall.envelopeLossKW, 2),
    })),
  });

  const rackField = (state: LiveSnapshot, field: RackField): string => {
    let cached = fieldCache.get(field);
    if (cached === undefined) {
      const values = field === "loopHeadroom" ? loopHeadroomOfRacks(current().twin.site, state) : state.racks[field];
      cached = JSON.stringify({
        time: new Date(state.time).toISOString(),
        field,
        unit: units[field],
        values: roundedArray(values),
      });
      fieldCache.set(field, cached);
    }
    return cached;
  };

  /** Series ids of the published figures, in `publishedValues` order, interned once per site version. */
  let published: { site: Site; registry: SeriesRegistry; ids: (number | undefined)[] } | undefined;

  // The figures go in as samples of series interned once: decoding them as a JSON batch every 10 s (2,500 samples
  // on the campus) held the event loop for 10-20 ms.
  /** The ids of the published series (interning new ones takes ~30 ms on the campus: done when the twin is built). */
  const publishedIds = (registry: SeriesRegistry, site: Site, state: LiveSnapshot): (number | undefined)[] => {
    if (published === undefined || published.site !== site || published.registry !== registry) {
      const ids = publishedSeries(site, state).map(({ name, labels }) => {
        const interned = registry.intern(name, labels);
        return interned.ok ? interned.value : undefined;
      });
      published = { site, registry, ids };
    }
    return published.ids;
  };

  const publish = async (telemetry: TelemetryFeature, site: Site, state: LiveSnapshot) => {
    const service = telemetry.service();
    const ids = publishedIds(service.registry, site, state);
    const values = publishedValues(state);
    const samples = new SampleBuffer(Math.max(256, values.length));
    // Wall-clock time: an accelerated twin runs ahead of now, and telemetry refuses samples from the future.
    const at = Date.now();
    values.forEach((value, slot) => {
      const id = ids[slot];
      if (id !== undefined && Number.isFinite(value)) samples.push(id, at, value);
    });
    await service.ingestBuffer(samples, new RejectionList(), "twin");
  };

  return {
    name: "live",
    twin: () => current().twin,
    /**
     * Makes the last snapshot draw the scheduler's placements in force: when they changed since the twin's last step
     * (a job started, resumed or was paused within the tick), the twin takes its next step now, that step ahead of
     * the clock (the following ticks take none until the clock has caught up), and every listener gets it before this
     * returns. One step of the whole campus and its snapshot, once per grid plan. Answers whether the last snapshot
     * draws them (false: no twin yet, or called from inside a step's delivery).
     */
    freshen() {
      if (twin === undefined) return false;
      if (!twin.utilisationStale) return true;
      if (busy) return false;
      busy = true;
      try {
        twin.advanceTo(twin.timeMs + twin.stepS * 1000);
        deliver(twin);
      } finally {
        busy = false;
      }
      return !twin.utilisationStale;
    },
    onSnapshot(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start(core: CoreServices) {
      const build = (site: Site) => {
        const utilisation = options.coupling?.utilisation?.(site);
        const startMs = Date.now();
        epochWallMs = startMs;
        epochSimulatedMs = startMs;
        // The twin reads the placements at its first step after they change (a job starts, ends, is paused), not
        // every second over 500,000 nodes; the 10 s refresh is a safety net.
        twin = new LiveTwin(site, {
          startMs,
          ...(utilisation === undefined ? {} : { utilisation, utilisationRefreshS: 10 }),
        });
        snapshot = twin.snapshot();
        fieldCache.clear();
        // Built now rather than inside the first rack read or publication.
        rackIndex(site);
        if (options.telemetry !== undefined) {
          try {
            publishedIds(options.telemetry.service().registry, site, snapshot);
          } catch (error) {
            // Telemetry is not running (yet): the first publication interns them.
            if (!(error instanceof AppError)) throw error;
          }
        }
      };
      build(core.inventory.current.site);
      const removeListener = core.inventory.onChange((changed) => build(changed.site));
      let publishing: NodeJS.Immediate | undefined;
      const timer = setInterval(() => {
        if (busy || twin === undefined) return;
        busy = true;
        try {
          const target = epochSimulatedMs + (Date.now() - epochWallMs) * speed;
          twin.advanceTo(target);
          const state = deliver(twin);
          if (options.telemetry !== undefined && Date.now() - lastPublishedMs >= 10_000) {
            lastPublishedMs = Date.now();
            const [telemetry, site] = [options.telemetry, twin.site];
            // After the requests waiting now: the step and the publication are separate stretches of the loop.
            publishing = setImmediate(() => {
              publishing = undefined;
              publish(telemetry, site, state).catch((error: Error) => {
                core.log.write("warn", "live", `publishing twin telemetry failed: ${error.message}`);
              });
            });
          }
        } finally {
          busy = false;
        }
      }, tickMs);
      timer.unref();

      const staff = (request: FastifyRequest) => authorize(contextOf(request).principal, "state:read");

      // Event streams are ended at shutdown by server/sse.ts (registerEventStreamShutdown).
      const routes = (app: FastifyInstance) => {
        app.get(
          "/v1/state/site",
          {
            schema: {
              tags: ["state"],
              operationId: "getSiteState",
              ...problems(503),
              summary: "Site KPIs, weather, plants and halls' air now",
              response: { 200: SiteStateSchema },
            },
          },
          async (request) => {
            staff(request);
            return siteState(current().snapshot);
          },
        );

        app.get<{ Querystring: { field?: RackField } }>(
          "/v1/state/racks",
          {
            schema: {
              tags: ["state"],
              operationId: "getRackField",
              ...problems(503),
              summary: "One field of every rack, in rack-index order",
              response: { 200: RackFieldSchema },
              querystring: Type.Object(
                { field: Type.Optional(StringEnum(rackStateFields)) },
                { additionalProperties: false },
              ),
            },
          },
          async (request, reply) => {
            staff(request);
            return reply.type("application/json").send(rackField(current().snapshot, request.query.field ?? "powerKW"));
          },
        );

        app.get<{ Params: { id: string } }>(
          "/v1/state/racks/:id",
          {
            schema: {
              tags: ["state"],
              operationId: "getRackState",
              ...problems(404, 503),
              summary: "One rack now: power, coolant, throttling, its loop and the jobs on it the caller may see",
              params: Type.Object({ id: Type.String({ pattern: "^rack:" }) }),
              response: { 200: RackStateSchema },
            },
          },
          async (request): Promise<Reply<typeof RackStateSchema>> => {
            staff(request);
            const state = current();
            const site = state.twin.site;
            const index = rackIndexOf(site, request.params.id);
            if (index === undefined) throw new AppError("notFound", `no rack ${request.params.id}`);
            const rack = site.racks[index]!;
            const loop = state.snapshot.tcs[rack.rowIndex]!;
            const racks = state.snapshot.racks;
            return {
              id: rack.id,
              time: new Date(state.snapshot.time).toISOString(),
              powerKW: round(racks.powerKW[index]!),
              designPowerKW: site.rackTypes[rack.typeIndex]!.designPower,
              utilisation: round(racks.utilisation[index]!, 3),
              tcsSupplyC: round(racks.tcsSupplyC[index]!),
              tcsReturnC: round(racks.tcsReturnC[index]!),
              headroomKW: round(racks.headroomKW[index]!),
              throttle: round(racks.throttle[index]!, 3),
              running: round(racks.running[index]!, 3),
              tripped: racks.running[index]! < 1,
              latched: racks.latched[index] === 1,
              tcs: loop,
              jobs: options.coupling?.jobsOnRack?.(index, request) ?? [],
            };
          },
        );

        app.get<{ Params: { id: string } }>(
          "/v1/state/tcs/:id",
          {
            schema: {
              tags: ["state"],
              operationId: "getTcsState",
              ...problems(404, 503),
              summary: "A row's technology loop (or the loop of a CDU)",
              params: Type.Object({ id: Type.String() }),
              response: { 200: TcsStateSchema },
            },
          },
          async (request): Promise<Reply<typeof TcsStateSchema>> => {
            staff(request);
            const state = current();
            const site = state.twin.site;
            const id = request.params.id;
            const row = site.rows.find(
              (candidate) => candidate.tcs.id === id || candidate.tcs.ids.includes(id as never),
            );
            if (row === undefined) throw new AppError("notFound", `no technology loop or CDU ${id}`);
            return { ...state.snapshot.tcs[row.index]!, rowId: row.id, plantId: site.plants[row.tcs.plantIndex]!.id };
          },
        );

        app.get<{ Params: { id: string } }>(
          "/v1/state/plants/:id",
          {
            schema: {
              tags: ["state"],
              operationId: "getPlantState",
              ...problems(404, 503),
              summary: "A cooling plant now, with its rows' loops",
              params: Type.Object({ id: Type.String() }),
              response: { 200: PlantStateSchema },
            },
          },
          async (request): Promise<Reply<typeof PlantStateSchema>> => {
            staff(request);
            const state = current();
            const site = state.twin.site;
            const plant = site.plants.find((candidate) => candidate.id === request.params.id);
            if (plant === undefined) throw new AppError("notFound", `no plant ${request.params.id}`);
            const hallIndexes = new Set(plant.hallIndexes);
            return {
              ...state.snapshot.plants[plant.index]!,
              tcs: site.rows
                .filter((row) => hallIndexes.has(row.hallIndex))
                .map((row) => {
                  const loop = state.snapshot.tcs[row.index]!;
                  return {
                    id: loop.id,
                    heatKW: round(loop.heatKW),
                    capacityKW: round(loop.capacityKW),
                    headroomKW: round(loop.headroomKW),
                    supplyC: round(loop.supplyC),
                  };
                }),
            };
          },
        );

        app.get<{ Querystring: { minutes?: number } }>(
          "/v1/state/history",
          {
            schema: {
              tags: ["state"],
              operationId: "getStateHistory",
              ...problems(503),
              summary: "Site series of the last minutes, columnar, oldest first",
              querystring: Type.Object(
                { minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })) },
                { additionalProperties: false },
              ),
              response: { 200: LiveHistorySchema },
            },
          },
          async (request): Promise<Reply<typeof LiveHistorySchema>> => {
            staff(request);
            const history = current().twin.history(request.query.minutes ?? 60);
            // JSON has no NaN (a PUE with no IT load): such points are null, as JSON.stringify wrote them.
            const finite = (values: readonly number[]) =>
              values.map((value) => (Number.isFinite(value) ? value : null));
            return {
              time: history.time,
              itKW: finite(history.itKW),
              facilityKW: finite(history.facilityKW),
              pue: finite(history.pue),
              coolingKW: finite(history.coolingKW),
              lossesKW: finite(history.lossesKW),
              dryBulbC: finite(history.dryBulbC),
              fwsSupplyC: finite(history.fwsSupplyC),
            };
          },
        );

        app.get<{ Querystring: { field?: RackField; access_token?: string } }>(
          "/v1/state/stream",
          {
            config: { urlToken: true },
            schema: {
              tags: ["state"],
              operationId: "streamState",
              ...problems(503),
              summary: "Server-sent events: `site` and `racks` every second",
              response: {
                200: {
                  description:
                    "An event stream: `event: site` with the GET /v1/state/site object and `event: racks` with the GET /v1/state/racks object, every second; `event: end` when the key expires",
                  content: { "text/event-stream": { schema: Type.String() } },
                },
              },
              querystring: Type.Object({
                field: Type.Optional(StringEnum(rackStateFields)),
                access_token: Type.Optional(Type.String()),
              }),
            },
          },
          async (request: FastifyRequest<{ Querystring: { field?: RackField } }>, reply: FastifyReply) => {
            staff(request);
            const field = request.query.field ?? "powerKW";
            const stream = openEventStream(request, reply, { "content-type": "text/event-stream" }, () => {
              listeners.delete(send);
            });
            function send(state: LiveSnapshot): void {
              if (stream.write(`event: site\ndata: ${JSON.stringify(siteState(state))}\n\n`))
                stream.write(`event: racks\ndata: ${rackField(state, field)}\n\n`);
            }
            send(current().snapshot);
            if (stream.closed) return;
            listeners.add(send);
          },
        );

        app.post<{
          Body: {
            action: "fail-cdu" | "repair-cdu" | "fail-unit" | "repair-unit" | "set-supply" | "restart-racks";
            id: string;
            supplyC?: number;
          };
        }>(
          "/v1/state/events",
          {
            schema: {
              tags: ["state"],
              operationId: "postStateEvent",
              ...problems(503),
              response: { 200: LiveEventAnswerSchema },
              summary:
                "Drive the live twin: fail or repair a CDU (or any pump, dry cooler, chiller), change a plant's supply set-point, restart a row's racks latched off after repeated trips",
              body: Type.Object(
                {
                  action: StringEnum([
                    "fail-cdu",
                    "repair-cdu",
                    "fail-unit",
                    "repair-unit",
                    "set-supply",
                    "restart-racks",
                  ] as const),
                  id: Type.String({ minLength: 1, maxLength: 200 }),
                  // The twin refuses a set-point outside 5…70 °C by name; the schema keeps numbers to that order.
                  supplyC: Type.Optional(Type.Number({ minimum: -50, maximum: 150 })),
                },
                { additionalProperties: false },
              ),
            },
          },
          async (request): Promise<Reply<typeof LiveEventAnswerSchema>> => {
            const context = contextOf(request);
            authorize(context.principal, "site:change");
            const { twin: live } = current();
            const { action, id, supplyC } = request.body;
            if (action === "set-supply" && supplyC === undefined) {
              throw new AppError("invalid", "set-supply needs supplyC", { field: "body.supplyC" });
            }
            const outcome =
              action === "fail-cdu"
                ? live.failCdu(id)
                : action === "repair-cdu"
                  ? live.repairCdu(id)
                  : action === "fail-unit"
                    ? live.failUnit(id)
                    : action === "repair-unit"
                      ? live.repairUnit(id)
                      : action === "restart-racks"
                        ? live.restartRacks(id)
                        : live.setFacilitySupplyC(id, supplyC!);
            if (!outcome.ok) throw new AppError("invalid", outcome.error, { field: "body.id" });
            await core.store.db.transaction().execute((trx) =>
              appendAudit(trx, {
                actor: context.principal.userId,
                action: `live.${action}`,
                resource: id,
                before: null,
                after: request.body,
                requestId: context.requestId,
              }),
            );
            return { applied: request.body };
          },
        );

        let whatIfsRunning = 0;
        app.post<{ Body: WhatIfBody }>(
          "/v1/whatif",
          {
            schema: {
              tags: ["state"],
              operationId: "runWhatIf",
              ...problems(503),
              summary:
                "Compare a scenario (a shipped one, parameters, or both) with the baseline over the same days (runs the twin in a worker)",
              response: { 200: WhatIfResultSchema },
              body: whatIfBody,
            },
          },
          async (request) => {
            authorize(contextOf(request).principal, "site:change");
            // Each run is a worker thread holding a whole twin: a bound keeps a burst of requests from exhausting memory.
            if (whatIfsRunning >= maximumConcurrentWhatIfs) {
              throw new AppError(
                "tooMany",
                `${whatIfsRunning} what-if runs are in progress (at most ${maximumConcurrentWhatIfs}); retry when one ends`,
              );
            }
            whatIfsRunning++;
            try {
              const outcome = await whatIfInWorker(core.inventory.current.file, request.body, whatIfTimeoutMs);
              if (!outcome.ok) {
                const problem = whatIfProblemOf(outcome.error ?? "the what-if failed");
                throw new AppError("invalid", `${problem.field}: ${problem.message}`, {
                  field: `body.${problem.field}`,
                });
              }
              return outcome.value;
            } finally {
              whatIfsRunning--;
            }
          },
        );
      };

      return {
        routes,
        async stop() {
          clearInterval(timer);
          if (publishing !== undefined) clearImmediate(publishing);
          removeListener();
          listeners.clear();
        },
      };
    },
  };
}
