/**
 * The shape of a scenario file (one TypeBox source): `checkSchema` checks a file against it at load time, and
 * `npm run gen:schemas` writes it as schemas/scenario.schema.json for editors. What a schema cannot say — exactly one
 * action per event, unit and plant ids that exist on the site, a repair of a failed unit — is checked after it in
 * src/twin/scenario.ts.
 */
import { type Static, Type } from "typebox";
import { facilityWaterClasses, OperatorResponseSchema, RowEntrySchema } from "../model/schema.ts";
import { closedObject } from "../model/schema-check.ts";

/** Facility water supply set-points a scenario or an operator may ask for, °C. */
export const fwsSupplyRangeC = { min: 5, max: 70 } as const;

/** Most events one scenario file may hold (a year of hourly events is 8,760). */
export const maximumScenarioEvents = 10_000;

const duration = (description: string) =>
  Type.Union([Type.Number({ minimum: 0 }), Type.String({ minLength: 1, maxLength: 40 })], {
    description: `${description}: seconds, or a number with s, m, h, d, w or y (36h, 2d14h)`,
  });
const id = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });
const plant = Type.Optional(id("plant id (plant:h1); every plant when left out"));
const rackType = Type.Optional(id("rack type id (nvl72); every rack type when left out"));
const unitPattern = id(
  "a unit id (cdu:h1-r001-01, crah:h1-01, pump, dry cooler or chiller id, air side's too), or a prefix ending in *",
);
const units = Type.Union([unitPattern, Type.Array(unitPattern, { minItems: 1, maxItems: 1000 })]);
const rowPattern = id("a row id (row:h1-r01), or a prefix ending in *");
const rows = Type.Union([rowPattern, Type.Array(rowPattern, { minItems: 1, maxItems: 1000 })]);

/** `setpoint`: facility (FWS) and technology-loop (TCS) supply temperatures, or an ASHRAE water class. */
const SetpointSchema = closedObject({
  plant,
  fwsSupplyC: Type.Optional(Type.Number({ minimum: fwsSupplyRangeC.min, maximum: fwsSupplyRangeC.max })),
  tcsSupplyC: Type.Optional(Type.Number({ minimum: 5, maximum: 80 })),
  waterClass: Type.Optional(Type.Enum(facilityWaterClasses)),
});

/** `occupancy`: the share of racks running work, moving linearly from `from` to `to` by `until`. */
const OccupancySchema = closedObject({
  from: Type.Number({ minimum: 0, maximum: 1 }),
  to: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  until: Type.Optional(duration("when the ramp ends (from 1 January 00:00, as at)")),
  rackType,
  hall: Type.Optional(id("hall id (hall:h1); every hall when left out")),
});

/** `heatWave`: a canicule laid over the weather year (empty or nothing for the defaults: 4 days, 40 °C, 24 °C). */
const HeatWaveSchema = closedObject({
  days: Type.Number({ minimum: 1, maximum: 60, default: 4 }),
  peakC: Type.Number({ minimum: 20, maximum: 55, default: 40 }),
  nightMinimumC: Type.Number({ minimum: 0, maximum: 55, default: 24, description: "at most peakC" }),
});

/** The actions an event may carry, one per event. */
const actionSchemas = {
  fail: units,
  repair: units,
  // An operator's restart of the racks latched off after repeated trips (twin kernel, `rackAutoRestarts`).
  restartRacks: rows,
  setpoint: SetpointSchema,
  fouling: closedObject({ plant, approachIncreaseK: Type.Number({ minimum: 0, maximum: 30 }) }),
  adiabatic: closedObject({ plant, enabled: Type.Boolean() }),
  coolantLimit: closedObject({ rackType, maxCoolantSupplyC: Type.Number({ minimum: 5, maximum: 80 }) }),
  occupancy: OccupancySchema,
  // Nothing (`heatWave:`) means the defaults; the loader reads it as an empty mapping.
  heatWave: Type.Union([HeatWaveSchema, Type.Null()]),
  moreRacks: closedObject({
    hall: id("hall id the rows are appended to"),
    rows: Type.Array(RowEntrySchema, {
      minItems: 1,
      maxItems: 200,
      description: "row entries, as in the site file's hall rows",
    }),
  }),
} as const;

/** Names of the actions, in the order messages list them. */
export const scenarioActions = Object.keys(actionSchemas) as (keyof typeof actionSchemas)[];

/** One action of a scenario. */
export type ScenarioAction = keyof typeof actionSchemas;

/** One event: a time from 1 January 00:00 of the simulated year and exactly one action. */
export const ScenarioEventSchema = closedObject(
  {
    at: duration("when it happens, from 1 January 00:00 of the simulated year (the start of a run without --from)"),
    ...Object.fromEntries(Object.entries(actionSchemas).map(([name, schema]) => [name, Type.Optional(schema)])),
  } as { at: ReturnType<typeof duration> } & {
    [Name in ScenarioAction]: ReturnType<typeof Type.Optional<(typeof actionSchemas)[Name]>>;
  },
  { description: `a time \`at\` and exactly one action: ${scenarioActions.join(", ")}` },
);

/**
 * A scenario file: a name, its events (in any order; they are applied by time) and, for the run, the operator's
 * response to latched racks in place of the site's (a scenario may assume a night with nobody on site).
 */
export const ScenarioFileSchema = closedObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  operatorResponseS: Type.Optional(OperatorResponseSchema),
  events: Type.Optional(Type.Array(ScenarioEventSchema, { maxItems: maximumScenarioEvents })),
});

/** A scenario file as checked by its schema. */
export type ScenarioFile = Static<typeof ScenarioFileSchema>;

/** One event as checked by its schema. */
export type ScenarioEventSpec = Static<typeof ScenarioEventSchema>;
