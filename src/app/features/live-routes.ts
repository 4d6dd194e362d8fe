/**
 * The live state's routes: the site, every rack's field, one rack, a loop, a plant and the recent history as the
 * live clock has them (staff only), the per-second event stream, and the events that drive the live twin (failures,
 * repairs, set-points, restarts; audited). The clock is in live-clock.ts; what-ifs in live-whatif.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import type { InventoryService } from "../../inventory/service.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { rackIndexOf } from "../../server/routes/site.ts";
import { type Reply, StringEnum } from "../../server/schemas.ts";
import { openEventStream } from "../../server/sse.ts";
import { appendAudit } from "../../store/audit.ts";
import type { Store } from "../../store/database.ts";
import { authorize } from "../../tenancy/service.ts";
import type { LiveSnapshot, LiveTwin } from "../../twin/live.ts";
import type { Outcome } from "../../twin/outcome.ts";
import type { JobsOnRack } from "./live.ts";
import { type LiveClock, type RackField, rackStateFields, round } from "./live-clock.ts";
import type { HeldChange, LiveEquipment } from "./live-equipment.ts";
import {
  LiveEventAnswerSchema,
  LiveHistorySchema,
  PlantStateSchema,
  RackFieldSchema,
  RackStateSchema,
  SiteStateSchema,
  TcsStateSchema,
} from "./live-schemas.ts";

/** Reading the live state is for staff (operators and platform admins). */
const staff = (request: FastifyRequest) => authorize(contextOf(request).principal, "state:read");

/** `GET /v1/state/site`, `/v1/state/racks` (one field of every rack) and `/v1/state/racks/:id`. */
export function registerSiteAndRackReads(app: FastifyInstance, clock: LiveClock, jobsOnRack?: JobsOnRack): void {
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
      return clock.siteState(clock.current().snapshot);
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
      return reply
        .type("application/json")
        .send(clock.rackField(clock.current().snapshot, request.query.field ?? "powerKW"));
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
      const state = clock.current();
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
        jobs: jobsOnRack?.(index, request) ?? [],
      };
    },
  );
}

/** `GET /v1/state/tcs/:id` (a row's loop or a CDU's), `/v1/state/plants/:id` and `/v1/state/history`. */
export function registerPlantReads(app: FastifyInstance, clock: LiveClock): void {
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
      const state = clock.current();
      const site = state.twin.site;
      const id = request.params.id;
      const row = site.rows.find((candidate) => candidate.tcs.id === id || candidate.tcs.ids.includes(id as never));
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
      const state = clock.current();
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
      const history = clock.current().twin.history(request.query.minutes ?? 60);
      // JSON has no NaN (a PUE with no IT load): such points are null, as JSON.stringify wrote them.
      const finite = (values: readonly number[]) => values.map((value) => (Number.isFinite(value) ? value : null));
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
}

/** `GET /v1/state/stream`: the site and one rack field every second, as server-sent events. */
export function registerStateStream(app: FastifyInstance, clock: LiveClock): void {
  // Event streams are ended at shutdown by server/sse.ts (registerEventStreamShutdown).
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
      // Listening starts once the first event is written; a stream closed before then never listens.
      let stopListening = () => {};
      const stream = openEventStream(request, reply, { "content-type": "text/event-stream" }, () => stopListening());
      function send(state: LiveSnapshot): void {
        if (stream.write(`event: site\ndata: ${JSON.stringify(clock.siteState(state))}\n\n`))
          stream.write(`event: racks\ndata: ${clock.rackField(state, field)}\n\n`);
      }
      send(clock.current().snapshot);
      if (stream.closed) return;
      stopListening = clock.onSnapshot(send);
    },
  );
}

/** The actions of a live event, in the order the API lists them. */
const stateActions = ["fail-cdu", "repair-cdu", "fail-unit", "repair-unit", "set-supply", "restart-racks"] as const;

/** A live event's action. */
type StateAction = (typeof stateActions)[number];

/**
 * `POST /v1/state/events`: fail or repair equipment, change a supply set-point, restart latched racks (audited).
 * Each event runs in the inventory's exclusive section (`InventoryService.exclusive`), from reading the twin to its
 * held state in memory: a site change carries the held states and rebuilds the twin in the same section, so an
 * event lands before a change (and is carried with it) or after it, on the new twin, never between.
 */
export function registerStateEvents(
  app: FastifyInstance,
  clock: LiveClock,
  store: Store,
  equipment: LiveEquipment,
  inventory: Pick<InventoryService, "exclusive">,
): void {
  app.post<{ Body: { action: StateAction; id: string; supplyC?: number } }>(
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
            action: StringEnum(stateActions),
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
      const { action, id, supplyC } = request.body;
      if (action === "set-supply" && supplyC === undefined) {
        throw new AppError("invalid", "set-supply needs supplyC", { field: "body.supplyC" });
      }
      const change = heldChangeOf(action, id, supplyC);
      await inventory.exclusive(async () => {
        // The twin in force once no site change is under way: one that ran first has rebuilt it.
        const { twin: live } = clock.current();
        // What undoes the event on the twin if its record cannot be written (a set-point goes back to where it was).
        const undo = undoOf(live, change);
        const outcome = applyStateEvent(live, action, id, supplyC);
        if (!outcome.ok) {
          // A plant that exists refused the set-point itself (out of range): the problem is the number, not the id.
          const field =
            action === "set-supply" && live.facilitySupplySetpointC(id) !== undefined ? "body.supplyC" : "body.id";
          throw new AppError("invalid", outcome.error, { field });
        }
        try {
          const commit = await store.db.transaction().execute(async (trx) => {
            const held =
              change === undefined ? undefined : await equipment.write(trx, change, context.principal.userId);
            await appendAudit(trx, {
              actor: context.principal.userId,
              action: `live.${action}`,
              resource: id,
              before: null,
              after: request.body,
              requestId: context.requestId,
            });
            return held;
          });
          commit?.();
        } catch (error) {
          undo?.();
          throw error;
        }
      });
      return { applied: request.body };
    },
  );
}

/** Applies a live event to the twin (`supplyC` is given with `set-supply`). */
function applyStateEvent(
  live: LiveTwin,
  action: StateAction,
  id: string,
  supplyC: number | undefined,
): Outcome<unknown> {
  switch (action) {
    case "fail-cdu":
      return live.failCdu(id);
    case "repair-cdu":
      return live.repairCdu(id);
    case "fail-unit":
      return live.failUnit(id);
    case "repair-unit":
      return live.repairUnit(id);
    case "restart-racks":
      return live.restartRacks(id);
    case "set-supply":
      return live.setFacilitySupplyC(id, supplyC!);
  }
}

/** What a live event changes of the states operators hold (none for a restart of racks). */
function heldChangeOf(action: StateAction, id: string, supplyC: number | undefined): HeldChange | undefined {
  if (action === "restart-racks") return undefined;
  if (action === "set-supply") return { action, id, supplyC: supplyC! };
  return { action, id };
}

/** The twin event undoing `change`, taken before it applies (a restart of racks cannot be undone). */
function undoOf(live: LiveTwin, change: HeldChange | undefined): (() => void) | undefined {
  if (change === undefined) return undefined;
  switch (change.action) {
    case "fail-cdu":
    case "fail-unit":
      return () => live.repairUnit(change.id);
    case "repair-cdu":
    case "repair-unit":
      return () => live.failUnit(change.id);
    case "set-supply": {
      const previousC = live.facilitySupplySetpointC(change.id);
      return previousC === undefined ? undefined : () => live.setFacilitySupplyC(change.id, previousC);
    }
  }
}
