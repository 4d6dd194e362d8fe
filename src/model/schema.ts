/**
 * The site file format (version 1): the declarative, compact description of a campus that operators write in YAML.
 * Row patterns and hall templates keep a 40,000-rack site to a page; `expandSite` turns it into the full model.
 * See docs/site-format.md for every field with its unit.
 *
 * The TypeBox schemas here are the one source of the format: they check files (`checkSchema`), give the TS types
 * (`Static<>`) and are published as `schemas/site.schema.json` for editors (`npm run gen:schemas`). Rules a schema
 * cannot state (references between sections, unique ids, capacities) live in expand.ts and validate.ts.
 */
import { type Static, type TSchema, Type } from "typebox";
import { MetersSchema } from "./meters.ts";
import { closedObject, deepPartial } from "./schema-check.ts";

/** Redundancy of a group of paralleled units. N+1 means the load still fits with the largest unit lost; 2N means
 * either half alone carries it. */
export const redundancyLevels = ["N", "N+1", "N+2", "2N"] as const;
/** One of the redundancy levels. */
export type Redundancy = (typeof redundancyLevels)[number];

/** How a rack's air-side heat (the part liquid does not capture) reaches the closed loop. */
export const airCoolingKinds = ["rdhx", "crah"] as const;
/**
 * `rdhx`: rear-door heat exchanger on the row's technology loop; `crah`: the hall's air handlers. Both on the plant's
 * air-side chilled-water loop when it has one, else on facility water.
 */
export type AirCooling = (typeof airCoolingKinds)[number];

/** ASHRAE liquid-cooling facility water classes, named by their supply limit in °C (W+ above 45 °C). */
export const facilityWaterClasses = ["W17", "W27", "W32", "W40", "W45", "W+"] as const;
/** One ASHRAE facility water class. */
export type FacilityWaterClass = (typeof facilityWaterClasses)[number];

/** Supply temperature limit of each ASHRAE facility water class, °C (W+ has none). */
export const facilityWaterClassLimitC: Readonly<Record<FacilityWaterClass, number>> = {
  W17: 17,
  W27: 27,
  W32: 32,
  W40: 40,
  W45: 45,
  "W+": Number.POSITIVE_INFINITY,
};

// Field builders that keep the tables short; each says in its JSON Schema what the decoder checks.
const positive = (options: Record<string, unknown> = {}) => Type.Number({ exclusiveMinimum: 0, ...options });
const nonNegative = (options: Record<string, unknown> = {}) => Type.Number({ minimum: 0, ...options });
/**
 * The most units one count may ask for (racks in a run, CDUs of a row, dry coolers of a plant, repeats of a row): the
 * shipped campus's largest is 70. A count of millions made the expansion build millions of ids and exhausted memory;
 * the site's total is bounded too (maximumSiteUnits in expand.ts).
 */
export const maximumCount = 10_000;
const count = (options: Record<string, unknown> = {}) =>
  Type.Integer({ minimum: 0, maximum: maximumCount, ...options });
const fraction = (options: Record<string, unknown> = {}) => Type.Number({ minimum: 0, maximum: 1, ...options });
const text = (options: Record<string, unknown> = {}) => Type.String({ pattern: "\\S", ...options });
const isoDate = () => Type.String({ format: "date" });
const redundancy = () => Type.Enum(redundancyLevels, { default: "N" });
const localNamePattern = "^[a-z0-9][a-z0-9._-]*$";
const localName = () =>
  Type.String({ pattern: localNamePattern, patternErrorMessage: "expected a name of lower-case letters, digits, -" });
/**
 * The fewest digits of the numbers in a row's, a hall's or a group's ids (`rowDigits`, `rackDigits`, `unitDigits`):
 * 2 by default, a number with more written in full, so no id changes as the count grows past 99; stating more keeps
 * the names earlier versions gave (docs/site-format.md, names).
 */
const digits = (description: string) => Type.Optional(count({ minimum: 2, maximum: 5, description }));
/** A group's `unitDigits`: the digits of its units' numbers (`cdu:h1-r02-01`: 2). */
const unitDigits = () => digits("Fewest digits of a unit's number in the group (default 2; more as needed)");
const prefixed = (kind: string) =>
  Type.String({
    pattern: `^${kind}:[a-z0-9][a-z0-9._-]*$`,
    patternErrorMessage: `expected an id like "${kind}:name"`,
  });
/** A mapping from local names to entries (row patterns, hall templates). */
const named = (entry: TSchema) =>
  Type.Record(Type.String(), entry, {
    propertyNames: {
      pattern: localNamePattern,
      patternErrorMessage: "expected a name of lower-case letters, digits, - or _",
    },
    default: {},
  });

/** Where the site is. */
export const LocationSchema = closedObject({
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
  elevationM: Type.Number({ minimum: -500, maximum: 9000, default: 0 }),
});
/** Where the site is. */
export type LocationSpec = Static<typeof LocationSchema>;

/** Longest operator response a site or a scenario may declare: a week, seconds. */
export const maximumOperatorResponseS = 604_800;

/**
 * The operator's response to racks latched off after repeated trips (the site's `operatorResponseS`, a scenario's or a
 * what-if's): seconds, or `off`. One schema so the site file, scenario files and the what-if API take the same values.
 */
export const OperatorResponseSchema = Type.Union(
  [Type.Number({ minimum: 0, maximum: maximumOperatorResponseS }), Type.Literal("off")],
  {
    description:
      "Seconds until the operator restarts racks latched off after repeated trips with no failure open in their scope (default 1800; off: no response, they wait for a repair or a scenario's restartRacks)",
  },
);

/** The `site:` section: name, operator, location, grid connection. */
export const SiteSchema = closedObject({
  id: localName(),
  name: text(),
  operator: text(),
  location: LocationSchema,
  timezone: Type.String({
    pattern: "^[A-Za-z_]+(\\/[A-Za-z0-9_+-]+)*$",
    patternErrorMessage: "expected an IANA time zone like Europe/Paris",
  }),
  gridConnectionMW: positive(),
  startOfOperation: Type.Optional(isoDate()),
  buildingAreaM2: Type.Optional(positive()),
  operatorResponseS: Type.Optional(OperatorResponseSchema),
});
/**
 * The `site:` section; `startOfOperation` and `buildingAreaM2` are the EED's Annex I start date and S_DC,
 * `operatorResponseS` the twin's operator response (`defaultOperatorResponseS` in twin/layout.ts).
 */
export type SiteSpec = Static<typeof SiteSchema>;

/** A zone: certifications and the data classes it may host (`health` data goes only to zones that list it). */
export const ZoneSchema = closedObject({
  id: prefixed("zone"),
  name: text(),
  certifications: Type.Array(text(), { default: [] }),
  dataClasses: Type.Array(Type.Enum(["public", "confidential", "health"]), { default: ["public", "confidential"] }),
  validUntil: Type.Optional(isoDate()),
});
/** A zone, such as an HDS-certified suite; `validUntil` is when its certification expires. */
export type ZoneSpec = Static<typeof ZoneSchema>;

/** A rack type: power, GPUs, liquid capture, air-side cooling, coolant limit. */
export const RackTypeSchema = closedObject({
  id: localName(),
  description: Type.Optional(text()),
  designPowerKW: positive(),
  idlePowerKW: nonNegative(),
  gpusPerRack: count({ default: 0 }),
  gpuModel: Type.Optional(text()),
  servers: count({ minimum: 1 }),
  cpuCoresPerServer: count({
    default: 0,
    maximum: 4096,
    description: "CPU cores per server (all sockets): turns a rack type's lost busy rack-hours into CPU core-hours",
  }),
  liquidCaptureFraction: fraction(),
  nvlinkDomainSize: count({ default: 0 }),
  weightKg: positive(),
  airCooling: Type.Enum(airCoolingKinds, { default: "crah" }),
  rdhxCapacityKW: Type.Optional(positive({ description: "Rear-door exchanger capacity per rack (airCooling rdhx)" })),
  maxCoolantSupplyC: Type.Number({
    minimum: 5,
    maximum: 80,
    default: 45,
    description: "Highest technology-loop supply temperature before GPUs throttle",
  }),
});
/** A rack type. */
export type RackTypeSpec = Static<typeof RackTypeSchema>;

/** A CDU model. */
export const CduModelSchema = closedObject({
  model: localName(),
  capacityKW: positive(),
  approachK: positive({ maximum: 20 }),
  pumpPowerKW: nonNegative(),
  ratedFlowLpm: positive(),
});
/** A CDU model. */
export type CduModelSpec = Static<typeof CduModelSchema>;

/** One point of a UPS efficiency curve. */
export const UpsCurvePointSchema = closedObject({
  load: positive({ maximum: 1.5 }),
  efficiency: positive({ maximum: 1 }),
});
/** One point of a UPS efficiency curve. */
export type UpsCurvePoint = Static<typeof UpsCurvePointSchema>;

/** A grid feed. */
export const GridFeedSchema = closedObject({
  id: prefixed("feed"),
  capacityMW: positive(),
  voltageKV: positive({ default: 225 }),
});
/** A grid feed. */
export type GridFeedSpec = Static<typeof GridFeedSchema>;

/** The site's grid connection. */
export const PowerSchema = closedObject({
  powerFactor: Type.Number({ minimum: 0.5, maximum: 1, default: 0.95 }),
  gridFeeds: Type.Array(GridFeedSchema, { minItems: 1 }),
  gridRedundancy: redundancy(),
});
/** The site's grid connection. */
export type PowerSpec = Static<typeof PowerSchema>;

/** A hall's transformers. */
export const TransformerGroupSchema = closedObject({
  count: count({ minimum: 1 }),
  ratingKVA: positive(),
  noLoadLossKW: nonNegative({ default: 0 }),
  loadLossKW: nonNegative({ default: 0 }),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
  feeds: Type.Optional(
    Type.Array(prefixed("feed"), { description: "Grid feeds this group draws from (default: all)" }),
  ),
});
/** A hall's transformers; `feeds` defaults to every grid feed. */
export type TransformerGroupSpec = Static<typeof TransformerGroupSchema>;

/** A hall's UPS modules. */
export const UpsGroupSchema = closedObject({
  count: count({ minimum: 1 }),
  ratingKW: positive(),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
  efficiencyCurve: Type.Array(UpsCurvePointSchema, { minItems: 2 }),
});
/** A hall's UPS modules. */
export type UpsGroupSpec = Static<typeof UpsGroupSchema>;

/** A hall's power chain. */
export const HallPowerSchema = closedObject({ transformers: TransformerGroupSchema, ups: UpsGroupSchema });
/** A hall's power chain. */
export type HallPowerSpec = Static<typeof HallPowerSchema>;

/** A row's busways. */
export const BuswaySchema = closedObject({
  count: count({ minimum: 1 }),
  ratingKW: positive(),
  phases: count({ minimum: 1, maximum: 3, default: 3 }),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
});
/** A row's busways. */
export type BuswaySpec = Static<typeof BuswaySchema>;

/** A row's CDUs. */
export const CduGroupSchema = closedObject({
  model: localName(),
  count: count({ minimum: 1 }),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
});
/** A row's CDUs. */
export type CduGroupSpec = Static<typeof CduGroupSchema>;

/** A row's technology cooling system loop. */
export const TcsSchema = closedObject({
  supplySetpointC: Type.Number({ minimum: 5, maximum: 70 }),
  designRiseK: positive({ maximum: 30, default: 10 }),
  fluid: text({ default: "PG25" }),
});
/** A row's technology cooling system loop. */
export type TcsSpec = Static<typeof TcsSchema>;

/** A row's leak detectors. */
export const LeakDetectorSchema = closedObject(
  { perCdu: count({ default: 1 }), perRack: count({ default: 0 }) },
  { default: {} },
);
/** A row's leak detectors. */
export type LeakDetectorSpec = Static<typeof LeakDetectorSchema>;

/** A run of racks of one type in a row. */
export const RackSegmentSchema = closedObject({ type: localName(), count: count({ minimum: 1 }) });
/** A run of racks of one type in a row. */
export type RackSegmentSpec = Static<typeof RackSegmentSchema>;

/** A row: its racks, busways, CDUs (sharing the row's technology loop), and leak detection. */
export const RowSchema = closedObject({
  racks: Type.Array(RackSegmentSchema, { minItems: 1 }),
  busways: BuswaySchema,
  cdus: CduGroupSchema,
  tcs: TcsSchema,
  leakDetectors: LeakDetectorSchema,
  // The fewest digits of a rack's number in the row (`h1-r02-05`: 2); a number with more is written in full, so no
  // rack id changes as a row grows (docs/site-format.md, names).
  rackDigits: digits("Fewest digits of a rack's number in the row (default 2; more as needed)"),
});
/** A row: its racks, busways, CDUs (sharing the row's technology loop), and leak detection. */
export type RowSpec = Static<typeof RowSchema>;

/**
 * A row entry in a hall: a pattern repeated `count` times, or an inline row; inline fields override the pattern.
 * Every field may be left to the pattern, so the entry is checked layer by layer and whole once merged.
 */
export const RowEntrySchema = deepPartial(
  closedObject({
    ...RowSchema.properties,
    pattern: localName(),
    count: count({ minimum: 1, default: 1 }),
    // The entry's first row number in its hall (ids are `<hall>-r<number>`); without it, the row after the previous
    // entry's last. Giving it keeps a row's id (and its racks', CDUs', busways') when rows before it are removed.
    number: count({ minimum: 1, maximum: 9999 }),
    zone: prefixed("zone"),
  }),
);
/**
 * A row entry in a hall (fields it leaves out come from its pattern; `count` defaults to 1; `number`, the first row's
 * number in the hall, defaults to the one after the previous entry's last row).
 */
export interface RowEntrySpec extends Partial<RowSpec> {
  pattern?: string;
  count?: number;
  number?: number;
  zone?: string;
}

/** A plant's facility water pumps. */
export const PumpGroupSchema = closedObject({
  count: count({ minimum: 1 }),
  ratedFlowLpm: positive(),
  powerKW: nonNegative(),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
});
/** A plant's facility water pumps. */
export type PumpGroupSpec = Static<typeof PumpGroupSchema>;

/** A plant's facility water system. */
export const FwsSchema = closedObject({
  waterClass: Type.Enum(facilityWaterClasses),
  supplySetpointC: Type.Number({ minimum: 5, maximum: 70 }),
  designDeltaTK: positive({ maximum: 30 }),
  waterVolumeM3: positive(),
  pumps: PumpGroupSchema,
});
/** A plant's facility water system. */
export type FwsSpec = Static<typeof FwsSchema>;

/** A plant's dry coolers. */
export const DryCoolerGroupSchema = closedObject({
  count: count(),
  capacityKW: positive(),
  designAmbientC: Type.Number({ minimum: -20, maximum: 60, default: 35 }),
  approachK: positive({ maximum: 30 }),
  fanPowerKW: nonNegative(),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
});
/** A plant's dry coolers. */
export type DryCoolerGroupSpec = Static<typeof DryCoolerGroupSchema>;

/** One point of a chiller's COP curve. */
export const CopPointSchema = closedObject({
  liftK: Type.Number({ minimum: -20, maximum: 80 }),
  cop: positive({ maximum: 50 }),
});
/** One point of a chiller's COP curve. */
export type CopPoint = Static<typeof CopPointSchema>;

/** A plant's trim chillers. */
export const ChillerGroupSchema = closedObject({
  count: count(),
  capacityKW: positive(),
  copCurve: Type.Array(CopPointSchema, { minItems: 1 }),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
});
/** A plant's trim chillers. */
export type ChillerGroupSpec = Static<typeof ChillerGroupSchema>;

/** Adiabatic pre-cooling of the dry coolers. */
export const AdiabaticSchema = closedObject(
  {
    enabled: Type.Boolean({ default: false }),
    effectiveness: fraction({ default: 0.7, description: "Share of the wet-bulb depression the pads achieve" }),
    startAboveC: Type.Number({
      minimum: -20,
      maximum: 60,
      default: 28,
      description: "Dry bulb above which sprays run",
    }),
  },
  { default: {} },
);
/** Adiabatic pre-cooling of the dry coolers. */
export type AdiabaticSpec = Static<typeof AdiabaticSchema>;

/** Closed-loop losses replaced by make-up water (drain-downs, sampling, seepage). */
export const MakeUpSchema = closedObject({ lossM3PerDay: nonNegative({ default: 0.5 }) }, { default: {} });
/** Closed-loop losses replaced by make-up water. */
export type MakeUpSpec = Static<typeof MakeUpSchema>;

/** Air-cooled chillers of the air-side loop, each with a free-cooling coil ahead of its evaporator. */
export const AirSideChillerGroupSchema = closedObject({
  count: count({ minimum: 1 }),
  capacityKW: positive(),
  copCurve: Type.Array(CopPointSchema, { minItems: 1 }),
  freeCoolingDifferenceK: positive({
    maximum: 40,
    default: 10,
    description: "Return water minus outdoor air at which one unit's free-cooling coil carries its rated capacity, K",
  }),
  fanPowerKW: nonNegative({
    description: "Fans of one unit at full speed in free cooling (the COP curve already counts them with compressors)",
  }),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
});
/** Air-cooled chillers of the air-side loop. */
export type AirSideChillerGroupSpec = Static<typeof AirSideChillerGroupSchema>;

/**
 * The air-side chilled-water loop: the hall air handlers' coils and the CDUs of rear-door rows draw from it instead
 * of the warm facility loop, so server inlet air can stay within the ASHRAE envelopes.
 */
export const AirSideSchema = closedObject({
  supplySetpointC: Type.Number({ minimum: 5, maximum: 30 }),
  designDeltaTK: positive({ maximum: 20, default: 6 }),
  waterVolumeM3: positive(),
  pumps: PumpGroupSchema,
  chillers: AirSideChillerGroupSchema,
});
/** The air-side chilled-water loop. */
export type AirSideSpec = Static<typeof AirSideSchema>;

const plantProperties = {
  fws: FwsSchema,
  dryCoolers: DryCoolerGroupSchema,
  chillers: ChillerGroupSchema,
  adiabatic: AdiabaticSchema,
  makeUp: MakeUpSchema,
  airSide: Type.Optional(AirSideSchema),
};
/** A cooling plant: the closed facility water loop, its pumps, dry coolers, trim chillers, an optional air side. */
export const PlantSchema = closedObject(plantProperties);
/** A cooling plant. */
export type PlantSpec = Static<typeof PlantSchema>;

/** A plant shared by halls (`plantRef`). */
export const NamedPlantSchema = closedObject({ ...plantProperties, id: prefixed("plant") });
/** A plant shared by halls (`plantRef`). */
export type NamedPlantSpec = Static<typeof NamedPlantSchema>;

/** A hall's air handlers (for racks cooled by air). */
export const CrahGroupSchema = closedObject({
  count: count({ minimum: 1 }),
  capacityKW: positive(),
  fanPowerKW: nonNegative(),
  redundancy: redundancy(),
  unitDigits: unitDigits(),
});
/** A hall's air handlers. */
export type CrahGroupSpec = Static<typeof CrahGroupSchema>;

const hallBodyProperties = {
  whiteSpaceM2: positive(),
  power: HallPowerSchema,
  plant: Type.Optional(PlantSchema),
  plantRef: Type.Optional(prefixed("plant")),
  crah: Type.Optional(CrahGroupSchema),
  // The fewest digits of a row's number in the hall (`h1-r05`: 2); a number with more is written in full (`h1-r100`),
  // so no row id changes as a hall grows (docs/site-format.md, names).
  rowDigits: digits("Fewest digits of a row's number in the hall (default 2; more as needed)"),
  rows: Type.Array(RowEntrySchema, { minItems: 1 }),
};
/** What a hall template and a hall share; `plant` is the hall's own plant, `plantRef` names a shared one. */
export const HallBodySchema = closedObject(hallBodyProperties);
/** What a hall template and a hall share. */
export type HallBodySpec = Omit<Static<typeof HallBodySchema>, "rows"> & { rows: RowEntrySpec[] };

/** A hall as written: a template's fields may fill any of its own, so it is checked whole once merged. */
export const HallSchema = deepPartial(
  closedObject({
    ...hallBodyProperties,
    id: prefixed("hall"),
    name: text(),
    template: localName(),
    zone: prefixed("zone"),
  }),
);
/** A hall as written. */
export interface HallSpec extends Partial<HallBodySpec> {
  id: string;
  name?: string;
  template?: string;
  zone?: string;
}

/**
 * Twin figures whose uncertainty a site may state (`uncertainty:` section, a range each), with the bounds a range
 * must stay within. `src/twin/plant.ts` says what each one is and gives its default range.
 */
export const uncertainParameters = {
  dryCoolerApproachK: { min: 0.5, max: 30 },
  houseWPerM2: { min: 0, max: 200 },
  copScale: { min: 0.3, max: 2 },
  pumpFanPowerScale: { min: 0.3, max: 3 },
  upsLossScale: { min: 0, max: 5 },
  substationPei: { min: 0.98, max: 0.9999 },
  crahApproachK: { min: 0, max: 20 },
  containmentRiseK: { min: 0, max: 20 },
  rearDoorEffectiveness: { min: 0.3, max: 1 },
  serverAirRiseK: { min: 3, max: 40 },
} as const;
/** Name of one uncertain twin figure. */
export type UncertainParameter = keyof typeof uncertainParameters;

/** A range to sample an uncertain figure from, uniformly. */
export const RangeSchema = (bounds: { readonly min: number; readonly max: number }) =>
  closedObject({
    low: Type.Number({ minimum: bounds.min, maximum: bounds.max }),
    high: Type.Number({ minimum: bounds.min, maximum: bounds.max }),
  });
/** A range to sample an uncertain figure from, uniformly. */
export interface RangeSpec {
  low: number;
  high: number;
}

/** `uncertainty:` one optional `{ low, high }` per uncertain twin figure, each within the figure's bounds. */
export const UncertaintySchema = closedObject(
  Object.fromEntries(
    Object.entries(uncertainParameters).map(([name, bounds]) => [name, Type.Optional(RangeSchema(bounds))]),
  ),
);

/**
 * Waste-heat offtake to a district-heating network through heat pumps lifting facility-water return heat to the
 * network's supply temperature (model in `src/flex/heat.ts`).
 */
export const HeatOfftakeSchema = closedObject({
  networkSupplyC: Type.Number({ minimum: 30, maximum: 130, description: "Network supply temperature, °C" }),
  contractMW: Type.Array(Type.Number({ minimum: 0, maximum: 10_000 }), {
    minItems: 12,
    description: "Heat the network contracts to take, MW of delivered heat, one value per month (January first)",
  }),
  carnotEfficiency: Type.Number({
    minimum: 0.2,
    maximum: 0.8,
    default: 0.5,
    description: "Share of the Carnot COP the heat pumps reach (0.4–0.6 for large industrial heat pumps)",
  }),
  approachK: Type.Number({
    minimum: 0.5,
    maximum: 15,
    default: 3,
    description: "Temperature differences across the heat pumps' evaporator and condenser, K",
  }),
  heatPriceEurPerMWh: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000, description: "€/MWh of heat" })),
  network: Type.Optional(text({ description: "Network operator (named in the report)" })),
});
/** Waste-heat offtake to a district-heating network. */
export type HeatOfftakeSpec = Static<typeof HeatOfftakeSchema>;

/** A whole site file. Templates, patterns and halls are checked layer by layer here, whole once merged. */
export const SiteFileSchema = closedObject(
  {
    version: Type.Integer({ minimum: 1, maximum: 1, default: 1, description: "Format version" }),
    site: SiteSchema,
    zones: Type.Array(ZoneSchema, { default: [] }),
    rackTypes: Type.Array(RackTypeSchema, { minItems: 1 }),
    cduModels: Type.Array(CduModelSchema, { minItems: 1 }),
    power: PowerSchema,
    plants: Type.Array(NamedPlantSchema, { default: [] }),
    rowPatterns: named(deepPartial(RowSchema)),
    hallTemplates: named(deepPartial(HallBodySchema)),
    halls: Type.Array(HallSchema, { minItems: 1 }),
    uncertainty: Type.Optional(UncertaintySchema),
    heatOfftake: Type.Optional(HeatOfftakeSchema),
    meters: MetersSchema,
  },
  {
    title: "alixan site file",
    description: "A campus for alixan: site, zones, rack types, power, plants, halls (docs/site-format.md).",
  },
);

/** A whole site file after decoding: every field typed, defaults applied. */
export type SiteFile = Omit<
  Static<typeof SiteFileSchema>,
  "version" | "rowPatterns" | "hallTemplates" | "halls" | "uncertainty"
> & {
  version: 1;
  rowPatterns: Record<string, Partial<RowSpec>>;
  hallTemplates: Record<string, Partial<HallBodySpec>>;
  halls: HallSpec[];
  /** Ranges of the twin's uncertain figures for `simulate --uncertainty` (others keep their default ranges). */
  uncertainty?: Partial<Record<UncertainParameter, RangeSpec>>;
};
