/**
 * Response schemas of the /v1/site routes: the shapes the handlers in site.ts build, declared once for the
 * serializer, the OpenAPI document and the console's generated types.
 */
import { Type } from "typebox";
import { capacityLevels } from "../../model/capacity.ts";
import { airCoolingKinds, redundancyLevels, SiteFileSchema } from "../../model/schema.ts";
import { Nullable, StringEnum } from "../schemas.ts";

/** One validation finding (site files, change requests). */
export const DiagnosticSchema = Type.Object({
  severity: StringEnum(["error", "warning"]),
  code: Type.String({ description: "stable code such as capacity.cdu or ref.unknown" }),
  path: Type.String({ description: "where in the expanded site, such as halls[2].rows[7].cdus" }),
  message: Type.String(),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
});

const LevelSummarySchema = Type.Object({
  level: StringEnum(capacityLevels),
  unit: StringEnum(["kW", "L/min"]),
  groups: Type.Integer(),
  units: Type.Integer(),
  redundancy: Type.Array(Type.String()),
  redundancyMet: Type.Integer(),
  totalLoad: Type.Number(),
  totalAvailable: Type.Number(),
  minHeadroom: Type.Number(),
  minHeadroomFraction: Type.Number(),
  minHeadroomAt: Type.String(),
});

const countNames = [
  "halls",
  "rows",
  "racks",
  "servers",
  "gpus",
  "plants",
  "cdus",
  "dryCoolers",
  "chillers",
  "fwsPumps",
  "transformers",
  "upsModules",
  "busways",
  "crahUnits",
  "leakDetectors",
] as const;

/** `GET /v1/site`: the summary of the site version in force. */
export const SiteSummarySchema = Type.Object({
  version: Type.Integer(),
  id: Type.String(),
  name: Type.String(),
  counts: Type.Object(
    Object.fromEntries(countNames.map((name) => [name, Type.Integer()])) as {
      [Name in (typeof countNames)[number]]: ReturnType<typeof Type.Integer>;
    },
  ),
  racksByType: Type.Record(Type.String(), Type.Integer()),
  gpusByModel: Type.Record(Type.String(), Type.Integer()),
  zones: Type.Array(Type.Object({ id: Type.String(), racks: Type.Integer(), gpus: Type.Integer() })),
  designItMW: Type.Number(),
  designHeatMW: Type.Number(),
  designGridDemandMW: Type.Number(),
  designPue: Type.Number({ description: "grid demand over IT at design (not an annual PUE)" }),
  gridConnectionMW: Type.Number(),
  coolingInstalledMW: Type.Number(),
  coolingAvailableMW: Type.Number(),
  levels: Type.Array(LevelSummarySchema),
  timezone: Type.String({ description: "IANA zone of the site; the console shows times in it" }),
  warnings: Type.Array(DiagnosticSchema),
});

/** `GET /v1/site/layout`: everything the floor map needs, in rack-index order. */
export const SiteLayoutSchema = Type.Object({
  version: Type.Integer(),
  rackTypes: Type.Array(
    Type.Object({
      id: Type.String(),
      designPowerKW: Type.Number(),
      gpus: Type.Integer(),
      gpuModel: Nullable(Type.String()),
      maxCoolantSupplyC: Type.Number(),
    }),
  ),
  zones: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  halls: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      plantId: Type.String(),
      zoneId: Nullable(Type.String()),
      rowStart: Type.Integer(),
      rowCount: Type.Integer(),
    }),
  ),
  rows: Type.Array(
    Type.Object({
      id: Type.String(),
      hallIndex: Type.Integer(),
      rackStart: Type.Integer(),
      rackCount: Type.Integer(),
      zoneId: Nullable(Type.String()),
      tcsLoop: Type.String(),
      cdus: Type.Array(Type.String()),
    }),
  ),
  racks: Type.Object({
    count: Type.Integer(),
    ids: Type.Array(Type.String()),
    typeIndex: Type.Array(Type.Integer()),
  }),
});

/** `GET /v1/site/halls`. */
export const HallSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  zoneId: Nullable(Type.String()),
  rows: Type.Integer(),
  racks: Type.Integer(),
  plantId: Type.String(),
  designItKW: Type.Number(),
  whiteSpaceM2: Type.Number(),
});

/** `GET /v1/site/rows`. */
export const RowSchema = Type.Object({
  id: Type.String(),
  hallId: Type.String(),
  zoneId: Nullable(Type.String()),
  racks: Type.Integer(),
  firstRack: Nullable(Type.String()),
  designItKW: Type.Number(),
  liquidHeatKW: Type.Number(),
  tcsLoop: Type.String(),
  cdus: Type.Array(Type.String()),
  cduCapacityKW: Type.Number(),
  cduRedundancy: StringEnum(redundancyLevels),
  busways: Type.Array(Type.String()),
});

/** One rack's inventory view (`GET /v1/site/racks/{id}`, and each item of the rack list). */
export const RackSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  position: Type.Integer({ description: "1-based position in its row" }),
  rowId: Type.String(),
  hallId: Type.String(),
  zoneId: Nullable(Type.String()),
  designPowerKW: Type.Number(),
  idlePowerKW: Type.Number(),
  gpus: Type.Integer(),
  gpuModel: Nullable(Type.String()),
  liquidCaptureFraction: Type.Number(),
  powerPath: Type.Object({
    feeds: Type.Array(Type.String()),
    transformers: Type.Array(Type.String()),
    ups: Type.Array(Type.String()),
    busways: Type.Array(Type.String()),
  }),
  cooling: Type.Object({
    tcsLoop: Type.String(),
    cdus: Type.Array(Type.String()),
    plant: Type.String(),
    airCooling: StringEnum(airCoolingKinds),
  }),
});

/** `GET /v1/site/racks`: one page of racks. */
export const RackPageSchema = Type.Object({
  total: Type.Integer(),
  offset: Type.Integer(),
  racks: Type.Array(RackSchema),
});

/** `GET /v1/site/document`: the site file in force, normalised: the site file schema itself (docs/site-format.md). */
export const SiteDocumentSchema = SiteFileSchema;

/** `POST /v1/site/changes`: the version in force after the change. */
export const SiteChangeResultSchema = Type.Object({
  version: Type.Integer(),
  summary: Type.Omit(SiteSummarySchema, ["version", "timezone", "warnings"]),
  warnings: Type.Array(DiagnosticSchema),
});

/**
 * The request headers of `POST /v1/site/changes`: an optional `If-Match` naming the version the change was made on,
 * as the `ETag` of `GET /v1/site/document` gave it (`"v12"`), or `*` for any. One tag: a list is refused, since a
 * change is made on one version.
 */
export const SiteChangeHeadersSchema = Type.Object({
  "if-match": Type.Optional(
    Type.String({
      pattern: '^(\\*|"v(0|[1-9][0-9]{0,14})")$',
      patternErrorMessage: 'one entity tag: "vN" (the ETag of GET /v1/site/document) or *',
      description: 'Apply only if this version is in force (`"v12"`, the ETag read), else 412; `*`: any version',
    }),
  ),
});
