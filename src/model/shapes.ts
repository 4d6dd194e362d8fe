/**
 * Decoding rules for the site file format: one table per section, mirroring the types in `schema.ts`.
 * Row patterns, hall templates and hall entries are decoded partially first (a later layer may fill a field), then
 * fully once merged, so a missing field is reported where the merged row or hall is.
 */
import { type Rule, rules, type Shape } from "./decode.ts";
import { metersRule } from "./meters.ts";
import { airCoolingKinds, facilityWaterClasses, redundancyLevels, uncertainParameters } from "./schema.ts";

const { number, positive, count, fraction, string, date, enumOf, boolean, object, array, record } = rules;

const redundancy = (fallback: string): Rule => enumOf(redundancyLevels, { default: fallback });
const prefixed = (kind: string): Rule =>
  string({ pattern: new RegExp(`^${kind}:[a-z0-9][a-z0-9._-]*$`), patternHint: `an id like "${kind}:name"` });
const localName = string({ pattern: /^[a-z0-9][a-z0-9._-]*$/, patternHint: "a name of lower-case letters, digits, -" });

export const locationShape: Shape = {
  latitude: number({ min: -90, max: 90 }),
  longitude: number({ min: -180, max: 180 }),
  elevationM: number({ min: -500, max: 9000, default: 0 }),
};

export const siteShape: Shape = {
  id: localName,
  name: string(),
  operator: string(),
  location: object(locationShape),
  timezone: string({ pattern: /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, patternHint: "an IANA time zone like Europe/Paris" }),
  gridConnectionMW: positive(),
  startOfOperation: date({ optional: true }),
  buildingAreaM2: positive({ optional: true }),
};

export const zoneShape: Shape = {
  id: prefixed("zone"),
  name: string(),
  certifications: array(string(), { default: [] }),
  dataClasses: array(enumOf(["public", "confidential", "health"]), { default: ["public", "confidential"] }),
  validUntil: date({ optional: true }),
};

export const rackTypeShape: Shape = {
  id: localName,
  description: string({ optional: true }),
  designPowerKW: positive(),
  idlePowerKW: number({ min: 0 }),
  gpusPerRack: count({ default: 0 }),
  gpuModel: string({ optional: true }),
  servers: count({ min: 1 }),
  liquidCaptureFraction: fraction(),
  nvlinkDomainSize: count({ default: 0 }),
  weightKg: positive(),
  airCooling: enumOf(airCoolingKinds, { default: "crah" }),
  rdhxCapacityKW: positive({ optional: true }),
  maxCoolantSupplyC: number({ min: 5, max: 80, default: 45 }),
};

export const cduModelShape: Shape = {
  model: localName,
  capacityKW: positive(),
  approachK: positive({ max: 20 }),
  pumpPowerKW: number({ min: 0 }),
  ratedFlowLpm: positive(),
};

export const powerShape: Shape = {
  powerFactor: fraction({ default: 0.95, min: 0.5 }),
  gridFeeds: array(object({ id: prefixed("feed"), capacityMW: positive(), voltageKV: positive({ default: 225 }) }), {
    minItems: 1,
  }),
  gridRedundancy: redundancy("N"),
};

const upsCurvePoint: Rule = object({ load: positive({ max: 1.5 }), efficiency: positive({ max: 1 }) });
const copPoint: Rule = object({ liftK: number({ min: -20, max: 80 }), cop: positive({ max: 50 }) });

export const hallPowerShape: Shape = {
  transformers: object({
    count: count({ min: 1 }),
    ratingKVA: positive(),
    noLoadLossKW: number({ min: 0, default: 0 }),
    loadLossKW: number({ min: 0, default: 0 }),
    redundancy: redundancy("N"),
    feeds: array(prefixed("feed"), { optional: true }),
  }),
  ups: object({
    count: count({ min: 1 }),
    ratingKW: positive(),
    redundancy: redundancy("N"),
    efficiencyCurve: array(upsCurvePoint, { minItems: 2 }),
  }),
};

export const rowShape: Shape = {
  racks: array(object({ type: localName, count: count({ min: 1 }) }), { minItems: 1 }),
  busways: object({
    count: count({ min: 1 }),
    ratingKW: positive(),
    phases: count({ min: 1, max: 3, default: 3 }),
    redundancy: redundancy("N"),
  }),
  cdus: object({ model: localName, count: count({ min: 1 }), redundancy: redundancy("N") }),
  tcs: object({
    supplySetpointC: number({ min: 5, max: 70 }),
    designRiseK: positive({ max: 30, default: 10 }),
    fluid: string({ default: "PG25" }),
  }),
  leakDetectors: object({ perCdu: count({ default: 1 }), perRack: count({ default: 0 }) }),
};

export const plantShape: Shape = {
  fws: object({
    waterClass: enumOf(facilityWaterClasses),
    supplySetpointC: number({ min: 5, max: 70 }),
    designDeltaTK: positive({ max: 30 }),
    waterVolumeM3: positive(),
    pumps: object({
      count: count({ min: 1 }),
      ratedFlowLpm: positive(),
      powerKW: number({ min: 0 }),
      redundancy: redundancy("N"),
    }),
  }),
  dryCoolers: object({
    count: count({ min: 0 }),
    capacityKW: positive(),
    designAmbientC: number({ min: -20, max: 60, default: 35 }),
    approachK: positive({ max: 30 }),
    fanPowerKW: number({ min: 0 }),
    redundancy: redundancy("N"),
  }),
  chillers: object({
    count: count({ min: 0 }),
    capacityKW: positive(),
    copCurve: array(copPoint, { minItems: 1 }),
    redundancy: redundancy("N"),
  }),
  adiabatic: object({
    enabled: boolean({ default: false }),
    effectiveness: fraction({ default: 0.7 }),
    startAboveC: number({ min: -20, max: 60, default: 28 }),
  }),
  makeUp: object({ lossM3PerDay: number({ min: 0, default: 0.5 }) }),
  airSide: object(
    {
      supplySetpointC: number({ min: 5, max: 30 }),
      designDeltaTK: positive({ max: 20, default: 6 }),
      waterVolumeM3: positive(),
      pumps: object({
        count: count({ min: 1 }),
        ratedFlowLpm: positive(),
        powerKW: number({ min: 0 }),
        redundancy: redundancy("N"),
      }),
      chillers: object({
        count: count({ min: 1 }),
        capacityKW: positive(),
        copCurve: array(copPoint, { minItems: 1 }),
        freeCoolingDifferenceK: positive({ max: 40, default: 10 }),
        fanPowerKW: number({ min: 0 }),
        redundancy: redundancy("N"),
      }),
    },
    { optional: true },
  ),
};

export const crahShape: Shape = {
  count: count({ min: 1 }),
  capacityKW: positive(),
  fanPowerKW: number({ min: 0 }),
  redundancy: redundancy("N"),
};

/** Every field a row entry may carry: the row fields (optional, as the pattern may give them) and its own. */
export const rowEntryShape: Shape = {
  ...Object.fromEntries(Object.entries(rowShape).map(([key, rule]) => [key, { ...rule, optional: true } as Rule])),
  pattern: localName,
  count: count({ min: 1, default: 1 }),
  zone: prefixed("zone"),
};

export const hallBodyShape: Shape = {
  whiteSpaceM2: positive(),
  power: object(hallPowerShape),
  plant: object(plantShape, { optional: true }),
  plantRef: { ...prefixed("plant"), optional: true } as Rule,
  crah: object(crahShape, { optional: true }),
  rows: array(object(rowEntryShape, { partial: true }), { minItems: 1 }),
};

export const hallShape: Shape = {
  ...hallBodyShape,
  id: prefixed("hall"),
  name: string({ optional: true }),
  template: localName,
  zone: prefixed("zone"),
};

/** `uncertainty:` one optional `{ low, high }` per uncertain twin figure, each within the figure's bounds. */
export const uncertaintyShape: Shape = Object.fromEntries(
  Object.entries(uncertainParameters).map(([name, bounds]) => [
    name,
    object({ low: number(bounds), high: number(bounds) }, { optional: true }),
  ]),
);

/** The top level of a site file. Templates and halls are checked partially here, fully after merging. */
/** District-heating offtake (see `HeatOfftakeSpec`). */
export const heatOfftakeShape: Shape = {
  networkSupplyC: number({ min: 30, max: 130 }),
  contractMW: array(number({ min: 0, max: 10_000 }), { minItems: 12 }),
  carnotEfficiency: number({ min: 0.2, max: 0.8, default: 0.5 }),
  approachK: number({ min: 0.5, max: 15, default: 3 }),
  heatPriceEurPerMWh: number({ min: 0, max: 10_000, optional: true }),
  network: string({ optional: true }),
};

export const siteFileShape: Shape = {
  version: number({ min: 1, max: 1, integer: true, default: 1 }),
  site: object(siteShape),
  zones: array(object(zoneShape), { default: [] }),
  rackTypes: array(object(rackTypeShape), { minItems: 1 }),
  cduModels: array(object(cduModelShape), { minItems: 1 }),
  power: object(powerShape),
  plants: array(object({ ...plantShape, id: prefixed("plant") }), { default: [] }),
  rowPatterns: record(object(rowShape, { partial: true }), { optional: true, keyPattern: /^[a-z0-9][a-z0-9._-]*$/ }),
  hallTemplates: record(object(hallBodyShape, { partial: true }), {
    optional: true,
    keyPattern: /^[a-z0-9][a-z0-9._-]*$/,
  }),
  halls: array(object(hallShape, { partial: true }), { minItems: 1 }),
  uncertainty: object(uncertaintyShape, { optional: true }),
  heatOfftake: object(heatOfftakeShape, { optional: true }),
  meters: metersRule,
};
