/**
 * Response schemas of the live state and what-if routes (live.ts): the shapes of the twin's snapshot as the API
 * shows it. Figures that have no value (a PUE with no IT load) are null.
 */
import { type Static, Type } from "typebox";
import { Nullable, StringEnum } from "../../server/schemas.ts";
import { type WhatIfResult, whatIfScenarios } from "../../twin/whatif.ts";

/** A cooling plant now; heat and power in kW. */
export const LivePlantSchema = Type.Object({
  id: Type.String(),
  fwsSupplyC: Type.Number(),
  fwsSupplySetpointC: Type.Number({ description: "The supply set-point held: the site's, or one an operator set." }),
  fwsReturnC: Type.Number(),
  heatKW: Type.Number(),
  dryCoolerKW: Type.Number(),
  chillerKW: Type.Number(),
  fanKW: Type.Number(),
  pumpKW: Type.Number(),
  chillersRunning: Type.Integer(),
  adiabaticOn: Type.Boolean(),
  failedUnits: Type.Array(Type.String(), {
    description: "pumps, dry coolers, chillers and the plant's halls' air handlers out of service",
  }),
});

/** A row's technology cooling loop now; heat in kW. */
export const LiveTcsSchema = Type.Object({
  id: Type.String({ description: "tcs:h1-r001" }),
  heatKW: Type.Number(),
  capacityKW: Type.Number(),
  headroomKW: Type.Number(),
  supplyC: Type.Number(),
  returnC: Type.Number(),
  flowLpm: Type.Number(),
  failedCdus: Type.Array(Type.String()),
});

/** A hall's air now, °C, and what its rear doors and envelope take while it is warm, kW. */
export const LiveHallSchema = Type.Object({
  id: Type.String({ description: "hall:h1" }),
  airC: Type.Number({
    description:
      "hall air at the racks' inlet: air handlers' supply + containment leakage, + its rise when they fall short",
  }),
  rackMassC: Type.Number({ description: "air-cooled mass of its installed racks, trailing the air after a shortfall" }),
  slabAndWallsC: Type.Number({ description: "heat-storing layer of its floor slab and walls, the slowest to recover" }),
  rearDoorExtraKW: Type.Number({ description: "heat its rear doors take from a warm room beyond their racks' own" }),
  envelopeLossKW: Type.Number({ description: "heat its envelope loses beyond normal while it is warm" }),
});

const nullableNumber = Nullable(Type.Number());

const kpiNames = [
  "itKW",
  "facilityKW",
  "pue",
  "coolingKW",
  "lossesKW",
  "makeUpWaterLPerH",
  "carbonKgPerH",
  "gpuUtilisation",
  "throttledRacks",
  "trippedRacks",
  "latchedRacks",
] as const;

/** `GET /v1/state/site` (and the `site` event of the state stream). */
export const SiteStateSchema = Type.Object({
  time: Type.String(),
  mode: StringEnum(["simulated", "measured"]),
  speed: Type.Number({ description: "simulated seconds per second" }),
  weather: Type.Object({ dryBulbC: Type.Number(), relativeHumidity: Type.Number() }),
  kpis: Type.Object(
    Object.fromEntries(kpiNames.map((name) => [name, nullableNumber])) as {
      [Name in (typeof kpiNames)[number]]: typeof nullableNumber;
    },
    { description: "null when a figure has no value (PUE with no IT load)" },
  ),
  plants: Type.Array(LivePlantSchema),
  halls: Type.Array(LiveHallSchema),
});

/** `GET /v1/state/racks`: one field of every rack, in rack-index order. */
export const RackFieldSchema = Type.Object({
  time: Type.String(),
  field: Type.String(),
  unit: Type.String({ description: "kW, fraction or degC" }),
  values: Type.Array(Type.Number()),
});

/** `GET /v1/state/racks/{id}`. */
export const RackStateSchema = Type.Object({
  id: Type.String(),
  time: Type.String(),
  powerKW: Type.Number(),
  designPowerKW: Type.Number(),
  utilisation: Type.Number(),
  tcsSupplyC: Type.Number(),
  tcsReturnC: Type.Number(),
  headroomKW: Type.Number(),
  throttle: Type.Number({ description: "share of power left, 1 = not throttled" }),
  running: Type.Number({
    description: "share of the rack running: 1 in service, 0 tripped, between while it restarts",
  }),
  tripped: Type.Boolean({ description: "off after a trip, or still restarting (running below 1)" }),
  latched: Type.Boolean({
    description:
      "off after a second trip within the hour until a repair or an operator's restart (action restart-racks)",
  }),
  tcs: LiveTcsSchema,
  jobs: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), tenantId: Type.String(), gpus: Type.Integer() }),
  ),
});

/** `GET /v1/state/tcs/{id}`. */
export const TcsStateSchema = Type.Object({
  ...LiveTcsSchema.properties,
  rowId: Type.String(),
  plantId: Type.String(),
});

/** `GET /v1/state/plants/{id}`. */
export const PlantStateSchema = Type.Object({
  ...LivePlantSchema.properties,
  tcs: Type.Array(
    Type.Object({
      id: Type.String(),
      heatKW: Type.Number(),
      capacityKW: Type.Number(),
      headroomKW: Type.Number(),
      supplyC: Type.Number(),
    }),
  ),
});

const nullableSeries = Type.Array(Nullable(Type.Number()));

/** `GET /v1/state/history`: site series, columnar, oldest first; null where a point has no value. */
export const LiveHistorySchema = Type.Object({
  time: Type.Array(Type.Number(), { description: "start of each point's interval, epoch ms" }),
  itKW: nullableSeries,
  facilityKW: nullableSeries,
  pue: nullableSeries,
  coolingKW: nullableSeries,
  lossesKW: nullableSeries,
  dryBulbC: nullableSeries,
  fwsSupplyC: nullableSeries,
});

/** `POST /v1/state/events`: the event as applied. */
export const LiveEventAnswerSchema = Type.Object({
  applied: Type.Object({
    action: StringEnum(["fail-cdu", "repair-cdu", "fail-unit", "repair-unit", "set-supply", "restart-racks"]),
    id: Type.String(),
    supplyC: Type.Optional(Type.Number()),
  }),
});

const WhatIfKpisSchema = Type.Object({
  pue: Type.Number(),
  itMWh: Type.Number(),
  facilityMWh: Type.Number(),
  chillerHours: Type.Number(),
  peakGridMW: Type.Number({ description: "highest 10-minute mean grid demand" }),
  hoursAboveLimit: Type.Number(),
  throttledGpuHours: Type.Number({ description: "busy GPU-hours lost to throttling and trips" }),
  throttledRackHours: Type.Number({ description: "hours racks of every type spent throttled" }),
  trippedRackHours: Type.Number({
    description: "hours racks of every type spent tripped (off, or the share not yet back while restarting)",
  }),
  latchedRackHours: Type.Number({
    description:
      "of the tripped rack-hours, those racks spent latched off after repeated trips (until a repair or the operator's restart)",
  }),
  lostBusyRackHours: Type.Number({ description: "busy rack-hours of every type lost to throttling and trips" }),
  lostCpuCoreHours: Type.Number({ description: "busy CPU core-hours lost to throttling and trips" }),
  waterM3: Type.Number(),
  wue: Type.Number({ description: "L/kWh of IT" }),
  maxFwsSupplyC: Type.Number({ description: "highest facility water supply of any plant, °C" }),
  maxTcsSupplyC: Type.Number({ description: "highest TCS supply of any row, °C" }),
  maxOutdoorC: Type.Number({ description: "hottest hourly mean outdoor dry bulb of the window, °C" }),
});

const WhatIfSeriesSchema = Type.Object({
  pue: Type.Array(Type.Number()),
  fwsSupplyC: Type.Array(Type.Number()),
  facilityKW: Type.Array(Type.Number()),
  outdoorC: Type.Array(Type.Number(), { description: "outdoor dry bulb, °C" }),
});

/** `POST /v1/whatif`: both runs' figures and hourly series. */
export const WhatIfResultSchema = Type.Object({
  scenario: Type.Optional(StringEnum(whatIfScenarios, { description: "the shipped scenario it started from" })),
  days: Type.Integer(),
  startDay: Type.Integer(),
  description: Type.String({ description: "what ran, in one line: the changes and the window" }),
  changes: Type.Array(Type.String(), { description: "each change of the scenario as it ran" }),
  weather: Type.Object({ baseline: Type.String(), variant: Type.String() }),
  baseline: WhatIfKpisSchema,
  variant: WhatIfKpisSchema,
  throttling: Type.Array(
    Type.Object({
      rackType: Type.String(),
      description: Type.String(),
      racks: Type.Integer(),
      baselineRackHours: Type.Number({ description: "throttled rack-hours" }),
      variantRackHours: Type.Number({ description: "throttled rack-hours" }),
      baselineTrippedRackHours: Type.Number(),
      variantTrippedRackHours: Type.Number(),
      baselineLatchedRackHours: Type.Number({ description: "of the tripped rack-hours, those latched off" }),
      variantLatchedRackHours: Type.Number({ description: "of the tripped rack-hours, those latched off" }),
      baselineLostBusyRackHours: Type.Number({ description: "busy rack-hours lost to throttling and trips" }),
      variantLostBusyRackHours: Type.Number({ description: "busy rack-hours lost to throttling and trips" }),
    }),
    { description: "per rack type of the site, every type" },
  ),
  trippedByHall: Type.Array(
    Type.Object({ hall: Type.String(), baselineRackHours: Type.Number(), variantRackHours: Type.Number() }),
    { description: "tripped rack-hours per hall of the site, every hall" },
  ),
  series: Type.Object({
    time: Type.Array(Type.Number(), { description: "start of each hour, epoch ms" }),
    baseline: WhatIfSeriesSchema,
    variant: WhatIfSeriesSchema,
  }),
});

// The schema declares every field of the twin's answer: one it lacks (which the route would drop) does not compile.
const declaresEveryField: WhatIfResult = {} as Static<typeof WhatIfResultSchema>;
void declaresEveryField;
