/**
 * The site file format (version 1): the declarative, compact description of a campus that operators write in YAML.
 * Row patterns and hall templates keep a 40,000-rack site to a page; `expandSite` turns it into the full model.
 * See docs/site-format.md for every field with its unit.
 */
import type { MeterSpec } from "./meters.ts";

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

export interface LocationSpec {
  latitude: number;
  longitude: number;
  elevationM: number;
}

export interface SiteSpec {
  id: string;
  name: string;
  operator: string;
  location: LocationSpec;
  timezone: string;
  gridConnectionMW: number;
  /** ISO date the site started or starts operating (EED Annex I). */
  startOfOperation?: string;
  /** Gross building floor area, m² (EED S_DC). */
  buildingAreaM2?: number;
}

export interface ZoneSpec {
  id: string;
  name: string;
  /** Certifications held, such as `HDS` (French health data hosting) or `ISO-27001`. */
  certifications: string[];
  /** Data classes this zone may host; `health` data is placed only in zones that list it. */
  dataClasses: string[];
  /** ISO date the certification expires. */
  validUntil?: string;
}

export interface RackTypeSpec {
  id: string;
  description?: string;
  designPowerKW: number;
  idlePowerKW: number;
  gpusPerRack: number;
  gpuModel?: string;
  servers: number;
  liquidCaptureFraction: number;
  nvlinkDomainSize: number;
  weightKg: number;
  airCooling: AirCooling;
  /** Rear-door exchanger capacity per rack when `airCooling` is `rdhx`. */
  rdhxCapacityKW?: number;
  /** Highest technology-loop supply temperature before GPUs throttle. */
  maxCoolantSupplyC: number;
}

export interface CduModelSpec {
  model: string;
  capacityKW: number;
  approachK: number;
  pumpPowerKW: number;
  ratedFlowLpm: number;
}

export interface UpsCurvePoint {
  load: number;
  efficiency: number;
}

export interface GridFeedSpec {
  id: string;
  capacityMW: number;
  voltageKV: number;
}

export interface PowerSpec {
  powerFactor: number;
  gridFeeds: GridFeedSpec[];
  gridRedundancy: Redundancy;
}

export interface TransformerGroupSpec {
  count: number;
  ratingKVA: number;
  noLoadLossKW: number;
  loadLossKW: number;
  redundancy: Redundancy;
  /** Grid feeds this group draws from (default: all). */
  feeds?: string[];
}

export interface UpsGroupSpec {
  count: number;
  ratingKW: number;
  redundancy: Redundancy;
  efficiencyCurve: UpsCurvePoint[];
}

export interface HallPowerSpec {
  transformers: TransformerGroupSpec;
  ups: UpsGroupSpec;
}

export interface BuswaySpec {
  count: number;
  ratingKW: number;
  phases: number;
  redundancy: Redundancy;
}

export interface CduGroupSpec {
  model: string;
  count: number;
  redundancy: Redundancy;
}

export interface TcsSpec {
  supplySetpointC: number;
  designRiseK: number;
  fluid: string;
}

export interface LeakDetectorSpec {
  perCdu: number;
  perRack: number;
}

export interface RackSegmentSpec {
  type: string;
  count: number;
}

/** A row: its racks, busways, CDUs (sharing the row's technology loop), and leak detection. */
export interface RowSpec {
  racks: RackSegmentSpec[];
  busways: BuswaySpec;
  cdus: CduGroupSpec;
  tcs: TcsSpec;
  leakDetectors: LeakDetectorSpec;
}

/** A row entry in a hall: a pattern repeated `count` times, or an inline row; inline fields override the pattern. */
export interface RowEntrySpec extends Partial<RowSpec> {
  pattern?: string;
  count: number;
  zone?: string;
}

export interface PumpGroupSpec {
  count: number;
  ratedFlowLpm: number;
  powerKW: number;
  redundancy: Redundancy;
}

export interface FwsSpec {
  waterClass: FacilityWaterClass;
  supplySetpointC: number;
  designDeltaTK: number;
  waterVolumeM3: number;
  pumps: PumpGroupSpec;
}

export interface DryCoolerGroupSpec {
  count: number;
  capacityKW: number;
  designAmbientC: number;
  approachK: number;
  fanPowerKW: number;
  redundancy: Redundancy;
}

export interface CopPoint {
  liftK: number;
  cop: number;
}

export interface ChillerGroupSpec {
  count: number;
  capacityKW: number;
  copCurve: CopPoint[];
  redundancy: Redundancy;
}

export interface AdiabaticSpec {
  enabled: boolean;
  /** Share of the wet-bulb depression the pads achieve (0–1). */
  effectiveness: number;
  /** Dry bulb above which the sprays run. */
  startAboveC: number;
}

export interface MakeUpSpec {
  /** Closed-loop losses replaced by make-up water (drain-downs, sampling, seepage). */
  lossM3PerDay: number;
}

/** Air-cooled chillers of the air-side loop, each with a free-cooling coil ahead of its evaporator. */
export interface AirSideChillerGroupSpec extends ChillerGroupSpec {
  /** Return water minus outdoor air at which one unit's free-cooling coil carries its rated capacity, K. */
  freeCoolingDifferenceK: number;
  /** Fans of one unit at full speed in free cooling (the COP curve already counts them with compressors), kW. */
  fanPowerKW: number;
}

/**
 * The air-side chilled-water loop: the hall air handlers' coils and the CDUs of rear-door rows draw from it instead
 * of the warm facility loop, so server inlet air can stay within the ASHRAE envelopes.
 */
export interface AirSideSpec {
  supplySetpointC: number;
  designDeltaTK: number;
  waterVolumeM3: number;
  pumps: PumpGroupSpec;
  chillers: AirSideChillerGroupSpec;
}

/** A cooling plant: the closed facility water loop, its pumps, dry coolers, trim chillers, an optional air side. */
export interface PlantSpec {
  fws: FwsSpec;
  dryCoolers: DryCoolerGroupSpec;
  chillers: ChillerGroupSpec;
  adiabatic: AdiabaticSpec;
  makeUp: MakeUpSpec;
  airSide?: AirSideSpec;
}

export interface NamedPlantSpec extends PlantSpec {
  id: string;
}

export interface CrahGroupSpec {
  count: number;
  capacityKW: number;
  fanPowerKW: number;
  redundancy: Redundancy;
}

/** What a hall template and a hall share. */
export interface HallBodySpec {
  whiteSpaceM2: number;
  power: HallPowerSpec;
  /** This hall's own plant (`plant:<hall>`), or use `plantRef` to share a site-level plant. */
  plant?: PlantSpec;
  plantRef?: string;
  crah?: CrahGroupSpec;
  rows: RowEntrySpec[];
}

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
export interface RangeSpec {
  low: number;
  high: number;
}

/**
 * Waste-heat offtake to a district-heating network through heat pumps lifting facility-water return heat to the
 * network's supply temperature (model in `src/flex/heat.ts`).
 */
export interface HeatOfftakeSpec {
  /** Network supply temperature the heat pumps deliver, °C. */
  networkSupplyC: number;
  /** Heat the network contracts to take, MW of delivered heat, one value per month (January first). */
  contractMW: number[];
  /** Share of the Carnot COP the heat pumps reach (0.4–0.6 for large industrial heat pumps). */
  carnotEfficiency: number;
  /** Temperature differences across the heat pumps' evaporator and condenser, K. */
  approachK: number;
  /** Price the network pays for delivered heat, €/MWh. */
  heatPriceEurPerMWh?: number;
  /** Network operator (named in the report). */
  network?: string;
}

/** A whole site file after decoding: every field typed, defaults applied. */
export interface SiteFile {
  version: 1;
  site: SiteSpec;
  zones: ZoneSpec[];
  rackTypes: RackTypeSpec[];
  cduModels: CduModelSpec[];
  power: PowerSpec;
  plants: NamedPlantSpec[];
  rowPatterns: Record<string, Partial<RowSpec>>;
  hallTemplates: Record<string, Partial<HallBodySpec>>;
  halls: HallSpec[];
  /** Ranges of the twin's uncertain figures for `simulate --uncertainty` (others keep their default ranges). */
  uncertainty?: Partial<Record<UncertainParameter, RangeSpec>>;
  heatOfftake?: HeatOfftakeSpec;
  /** Meters bound to telemetry series (meters.ts). */
  meters: MeterSpec[];
}
