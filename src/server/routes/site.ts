/**
 * The site inventory: summary, halls, rows, racks, the normalised site document and its versions, and change
 * requests that the site model validates before they apply.
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import type { InventoryService } from "../../inventory/service.ts";
import { maximumSiteUnits } from "../../model/expand.ts";
import type { Site } from "../../model/site.ts";
import { authorize } from "../../tenancy/service.ts";
import { contextOf } from "../auth.ts";
import { problems, versionTagged } from "../openapi.ts";
import type { Reply } from "../schemas.ts";
import {
  HallSchema,
  RackPageSchema,
  RackSchema,
  RowSchema,
  SiteChangeHeadersSchema,
  SiteChangeResultSchema,
  SiteDocumentSchema,
  SiteLayoutSchema,
  SiteSummarySchema,
} from "./site-schemas.ts";

const rackIndexes = new WeakMap<Site, Map<string, number>>();
/** The layout document of a site version, built once (about 1 MB for the 40,000-rack campus). */
const layoutCache = new WeakMap<Site, string>();

/** Rack indexes by id, built once per site version (about 10 ms for the 40,000-rack campus). */
export function rackIndex(site: Site): ReadonlyMap<string, number> {
  let index = rackIndexes.get(site);
  if (index === undefined) {
    index = new Map(site.racks.map((rack) => [rack.id, rack.index]));
    rackIndexes.set(site, index);
  }
  return index;
}

/** Index of a rack by id. */
export function rackIndexOf(site: Site, id: string): number | undefined {
  return rackIndex(site).get(id);
}

/** The inventory view of one rack. */
export function rackView(site: Site, index: number) {
  const rack = site.racks[index]!;
  const type = site.rackTypes[rack.typeIndex]!;
  const row = site.rows[rack.rowIndex]!;
  const hall = site.halls[rack.hallIndex]!;
  return {
    id: rack.id,
    type: type.id,
    position: rack.position,
    rowId: row.id,
    hallId: hall.id,
    zoneId: rack.zoneId ?? null,
    designPowerKW: type.designPower,
    idlePowerKW: type.idlePower,
    gpus: type.gpusPerRack,
    gpuModel: type.gpuModel ?? null,
    liquidCaptureFraction: type.liquidCaptureFraction,
    powerPath: {
      feeds: hall.transformers.feedIds,
      transformers: hall.transformers.ids,
      ups: hall.ups.ids,
      busways: row.busways.ids,
    },
    cooling: {
      tcsLoop: row.tcs.id,
      cdus: row.tcs.ids,
      plant: site.plants[hall.plantIndex]!.id,
      airCooling: type.airCooling,
    },
  };
}

/** The strong entity tag naming a site version (`"v12"`): the `ETag` of the site's reads, the `If-Match` of changes. */
function siteVersionTag(version: number): string {
  return `"v${version}"`;
}

/** The version an `If-Match` names (`"v12"` is 12), undefined for `*`; the route's header schema admits no other. */
function versionOfIfMatch(ifMatch: string | undefined): number | undefined {
  return ifMatch === undefined || ifMatch === "*" ? undefined : Number(ifMatch.slice(2, -1));
}

/** Reading the site is for every signed-in role that may see it (`site:read`). */
const read = (request: Parameters<typeof contextOf>[0]) => authorize(contextOf(request).principal, "site:read");

/** `GET /v1/site` (the summary) and `/v1/site/layout` (every rack's place and type, for the floor). */
function registerSiteSummary(app: FastifyInstance, inventory: InventoryService): void {
  app.get(
    "/v1/site",
    {
      schema: {
        tags: ["site"],
        operationId: "getSite",
        summary: "Site summary: counts, design power, redundancy",
        ...versionTagged(),
        response: { 200: SiteSummarySchema },
      },
    },
    async (request, reply): Promise<Reply<typeof SiteSummarySchema>> => {
      read(request);
      const current = inventory.current;
      reply.header("etag", siteVersionTag(current.version));
      // The site's zone: the console shows every time in it, named, so an operator abroad reads local time.
      return {
        version: current.version,
        ...current.summary,
        timezone: current.site.timezone,
        warnings: current.diagnostics,
      };
    },
  );

  app.get(
    "/v1/site/layout",
    {
      schema: {
        tags: ["site"],
        operationId: "getSiteLayout",
        summary: "Everything a floor map needs, in rack-index order",
        response: { 200: SiteLayoutSchema },
      },
    },
    async (request, reply) => {
      read(request);
      const current = inventory.current;
      let body = layoutCache.get(current.site);
      if (body === undefined) {
        const { site } = current;
        // Sent as text, built once per version: the schema documents it; this annotation checks it.
        const layout: Reply<typeof SiteLayoutSchema> = {
          version: current.version,
          rackTypes: site.rackTypes.map((type) => ({
            id: type.id,
            designPowerKW: type.designPower,
            gpus: type.gpusPerRack,
            gpuModel: type.gpuModel ?? null,
            maxCoolantSupplyC: type.maxCoolantSupply,
          })),
          zones: site.zones.map((zone) => ({ id: zone.id, name: zone.name })),
          halls: site.halls.map((hall) => ({
            id: hall.id,
            name: hall.name,
            plantId: site.plants[hall.plantIndex]!.id,
            zoneId: hall.zoneId ?? null,
            rowStart: hall.rowStart,
            rowCount: hall.rowCount,
          })),
          rows: site.rows.map((row) => ({
            id: row.id,
            hallIndex: row.hallIndex,
            rackStart: row.rackStart,
            rackCount: row.rackCount,
            zoneId: row.zoneId ?? null,
            tcsLoop: row.tcs.id,
            cdus: row.tcs.ids,
          })),
          racks: {
            count: site.racks.length,
            ids: site.racks.map((rack) => rack.id),
            typeIndex: site.racks.map((rack) => rack.typeIndex),
          },
        };
        body = JSON.stringify(layout);
        layoutCache.set(current.site, body);
      }
      return reply.type("application/json").send(body);
    },
  );
}

/** Halls, rows and racks (paged, filtered), one rack. */
function registerInventoryReads(app: FastifyInstance, inventory: InventoryService): void {
  app.get(
    "/v1/site/halls",
    {
      schema: {
        tags: ["site"],
        operationId: "listHalls",
        summary: "Halls with their design IT load",
        response: { 200: Type.Array(HallSchema) },
      },
    },
    async (request): Promise<Reply<typeof HallSchema>[]> => {
      read(request);
      const { site, analysis } = inventory.current;
      return site.halls.map((hall) => ({
        id: hall.id,
        name: hall.name,
        zoneId: hall.zoneId ?? null,
        rows: hall.rowCount,
        racks: hall.rackCount,
        plantId: site.plants[hall.plantIndex]!.id,
        designItKW: analysis.figures.hallItLoad[hall.index]!,
        whiteSpaceM2: hall.whiteSpace,
      }));
    },
  );

  app.get<{ Querystring: { hall?: string } }>(
    "/v1/site/rows",
    {
      schema: {
        tags: ["site"],
        operationId: "listRows",
        summary: "Rows, of one hall or all, with their loop and design load",
        querystring: Type.Object(
          { hall: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(RowSchema) },
      },
    },
    async (request): Promise<Reply<typeof RowSchema>[]> => {
      read(request);
      const { site, analysis } = inventory.current;
      return site.rows
        .filter((row) => request.query.hall === undefined || site.halls[row.hallIndex]!.id === request.query.hall)
        .map((row) => ({
          id: row.id,
          hallId: site.halls[row.hallIndex]!.id,
          zoneId: row.zoneId ?? null,
          racks: row.rackCount,
          firstRack: site.racks[row.rackStart]?.id ?? null,
          designItKW: analysis.figures.rowItLoad[row.index]!,
          liquidHeatKW: analysis.figures.rowLiquidHeat[row.index]!,
          tcsLoop: row.tcs.id,
          cdus: row.tcs.ids,
          cduCapacityKW: row.tcs.unitCapacity,
          cduRedundancy: row.tcs.redundancy,
          busways: row.busways.ids,
        }));
    },
  );

  app.get<{ Querystring: { row?: string; hall?: string; zone?: string; offset?: number; limit?: number } }>(
    "/v1/site/racks",
    {
      schema: {
        tags: ["site"],
        operationId: "listRacks",
        summary: "Racks, filtered and paged",
        querystring: Type.Object(
          {
            row: Type.Optional(Type.String({ maxLength: 200 })),
            hall: Type.Optional(Type.String({ maxLength: 200 })),
            zone: Type.Optional(Type.String({ maxLength: 200 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: maximumSiteUnits })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RackPageSchema },
      },
    },
    async (request): Promise<Reply<typeof RackPageSchema>> => {
      read(request);
      const { site } = inventory.current;
      const { row, hall, zone, offset = 0, limit = 500 } = request.query;
      const matching: number[] = [];
      for (const rack of site.racks) {
        if (row !== undefined && site.rows[rack.rowIndex]!.id !== row) continue;
        if (hall !== undefined && site.halls[rack.hallIndex]!.id !== hall) continue;
        if (zone !== undefined && rack.zoneId !== zone) continue;
        matching.push(rack.index);
      }
      return {
        total: matching.length,
        offset,
        racks: matching.slice(offset, offset + limit).map((index) => rackView(site, index)),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/site/racks/:id",
    {
      schema: {
        tags: ["site"],
        operationId: "getRack",
        ...problems(404),
        summary: "One rack: type, power path and cooling",
        params: Type.Object({ id: Type.String({ pattern: "^rack:" }) }),
        response: { 200: RackSchema },
      },
    },
    async (request): Promise<Reply<typeof RackSchema>> => {
      read(request);
      const { site } = inventory.current;
      const index = rackIndexOf(site, request.params.id);
      if (index === undefined) throw new AppError("notFound", `no rack ${request.params.id}`);
      return rackView(site, index);
    },
  );
}

/** The site document in force, and changes to it (validated, guarded, versioned and audited). */
function registerSiteDocument(app: FastifyInstance, inventory: InventoryService): void {
  app.get(
    "/v1/site/document",
    {
      schema: {
        tags: ["site"],
        operationId: "getSiteDocument",
        summary: "The site file in force, normalised",
        ...versionTagged(),
        response: { 200: SiteDocumentSchema },
      },
    },
    async (request, reply) => {
      read(request);
      // The tag and the document of one version: sent back as If-Match, it names what this document was.
      const current = inventory.current;
      reply.header("etag", siteVersionTag(current.version));
      return current.file;
    },
  );

  app.post<{ Body: { summary: string; site?: unknown; patch?: unknown }; Headers: { "if-match"?: string } }>(
    "/v1/site/changes",
    {
      schema: {
        tags: ["site"],
        operationId: "changeSite",
        ...problems(409, 412),
        summary: "Change the site: a whole document or a JSON merge patch, validated before it applies",
        headers: SiteChangeHeadersSchema,
        body: Type.Object(
          {
            summary: Type.String({ minLength: 1, maxLength: 500 }),
            site: Type.Optional(Type.Object({}, { additionalProperties: true })),
            patch: Type.Optional(Type.Object({}, { additionalProperties: true })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: { ...SiteChangeResultSchema, description: "The change left the site as it was" },
          201: { ...SiteChangeResultSchema, description: "A new site version applies" },
        },
      },
    },
    async (request, reply) => {
      const { summary, site, patch } = request.body;
      if ((site === undefined) === (patch === undefined)) {
        throw new AppError("invalid", "send exactly one of `site` (a whole document) or `patch` (a merge patch)", {
          field: "body.site",
        });
      }
      const change = site !== undefined ? { summary, site } : { summary, patch };
      // Said by the change itself: a change sent with another one applies after it, on the site it left.
      // If-Match is checked where changes run one at a time: of two sent on the same version, the second is refused.
      const ifVersion = versionOfIfMatch(request.headers["if-match"]);
      const { current, changed } = await inventory.applyChange(
        contextOf(request),
        change,
        ifVersion === undefined ? {} : { ifVersion },
      );
      // 201 for a new version; 200 when the change left the site as it was (nothing applied, nothing rebuilt).
      const answer: Reply<typeof SiteChangeResultSchema> = {
        version: current.version,
        summary: current.summary,
        warnings: current.diagnostics,
      };
      return reply.status(changed ? 201 : 200).send(answer);
    },
  );
}

/** Registers /v1/site routes. */
export function registerSiteRoutes(app: FastifyInstance, inventory: InventoryService): void {
  registerSiteSummary(app, inventory);
  registerInventoryReads(app, inventory);
  registerSiteDocument(app, inventory);
}
