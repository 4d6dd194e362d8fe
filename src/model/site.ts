/**
 * The expanded site: every hall, row, rack and unit of the campus, with typed ids, branded units and index links.
 * Rows and halls hold contiguous rack ranges so the twin and the scheduler can lay their state out as
 * structure-of-arrays indexed by rack.
 */
import type {
  BuswayId,
  CduId,
  ChillerId,
  DryCoolerId,
  FeedId,
  HallId,
  LeakDetectorId,
  PlantId,
  PumpId,
  RackId,
  RowId,
  TcsLoopId,
  TransformerId,
  UpsId,
  ZoneId,
} from "./ids.ts";
import type { MeterSpec } from "./meters.ts";
import type {
  AirCooling,
  CopPoint,
  FacilityWaterClass,
  HeatOfftakeSpec,
  Redundancy,
  UncertainParameter,
  UpsCurvePoint,
} from "./schema.ts";
import type {
  Celsius,
  CubicMeters,
  Fraction,
  Kelvin,
  Kilograms,
  KilovoltAmperes,
  Kilowatts,
  LitersPerMinute,
  SquareMeters,
} from "./units.ts";

/** A certified security zone (for example HDS for French health data). */
export interface Zone {
  readonly id: ZoneId;
  readonly name: string;
  readonly certifications: readonly string[];
  readonly dataClasses: readonly string[];
  readonly validUntil: string | undefined;
}

/** A kind of rack: its power envelope, GPUs, and how its heat leaves it. */
export interface RackType {
  readonly index: number;
  readonly id: string;
  readonly description: string;
  readonly designPower: Kilowatts;
  readonly idlePower: Kilowatts;
  readonly gpusPerRack: number;
  readonly gpuModel: string | undefined;
  readonly servers: number;
  /** CPU cores per server, all sockets (0 when the site file does not say). */
  readonly cpuCoresPerServer: number;
  readonly liquidCaptureFraction: Fraction;
  readonly nvlinkDomainSize: number;
  readonly weight: Kilograms;
  readonly airCooling: AirCooling;
  readonly rdhxCapacity: Kilowatts | undefined;
  readonly maxCoolantSupply: Celsius;
}

/** A connection to the transmission grid. */
export interface GridFeed {
  readonly id: FeedId;
  readonly capacity: Kilowatts;
  readonly voltageKV: number;
}

/** A group of paralleled identical units sharing a load with a redundancy. */
export interface UnitGroup<Id extends string> {
  readonly ids: readonly Id[];
  readonly unitCapacity: Kilowatts;
  readonly redundancy: Redundancy;
}

/** MV/LV transformers of a hall. */
export interface TransformerGroup extends UnitGroup<TransformerId> {
  readonly unitRating: KilovoltAmperes;
  readonly noLoadLoss: Kilowatts;
  readonly loadLoss: Kilowatts;
  readonly feedIds: readonly FeedId[];
}

/** UPS modules of a hall. */
export interface UpsGroup extends UnitGroup<UpsId> {
  readonly efficiencyCurve: readonly UpsCurvePoint[];
}

/** Busways (or PDUs) feeding a row; with 2N, the first half is side A and the second side B. */
export interface BuswayGroup extends UnitGroup<BuswayId> {
  readonly phases: number;
}

/** A CDU model from the equipment catalogue. */
export interface CduModel {
  readonly model: string;
  readonly capacity: Kilowatts;
  readonly approach: Kelvin;
  readonly pumpPower: Kilowatts;
  readonly ratedFlow: LitersPerMinute;
}

/** A row's technology cooling system loop and the CDUs that serve it in parallel. */
export interface TcsLoop extends UnitGroup<CduId> {
  readonly id: TcsLoopId;
  readonly rowIndex: number;
  readonly plantIndex: number;
  readonly model: CduModel;
  readonly supplySetpoint: Celsius;
  readonly designRise: Kelvin;
  readonly fluid: string;
}

/** Hall air handlers (CRAH or fan walls) on facility water, for the air-side heat of `crah` racks. */
export interface CrahGroup extends UnitGroup<string> {
  readonly fanPower: Kilowatts;
}

/** A cooling plant: closed facility water loop, pumps, dry coolers, trim chillers. */
export interface Plant {
  readonly index: number;
  readonly id: PlantId;
  readonly hallIndexes: readonly number[];
  readonly waterClass: FacilityWaterClass;
  readonly supplySetpoint: Celsius;
  readonly designDeltaT: Kelvin;
  readonly waterVolume: CubicMeters;
  readonly pumps: UnitGroup<PumpId> & { readonly ratedFlow: LitersPerMinute; readonly unitPower: Kilowatts };
  readonly dryCoolers: UnitGroup<DryCoolerId> & {
    readonly designAmbient: Celsius;
    readonly approach: Kelvin;
    readonly fanPower: Kilowatts;
  };
  readonly chillers: UnitGroup<ChillerId> & { readonly copCurve: readonly CopPoint[] };
  readonly adiabatic: { readonly enabled: boolean; readonly effectiveness: Fraction; readonly startAbove: Celsius };
  readonly makeUpLossM3PerDay: number;
  /** The air-side chilled-water loop (air handler coils, rear-door rows' CDUs), when the plant has one. */
  readonly airSide: AirSideLoop | undefined;
  /** Where the plant is declared, for messages. */
  readonly path: string;
}

/** A plant's air-side chilled-water loop: supply, pumps and air-cooled free-cooling chillers. */
export interface AirSideLoop {
  readonly supplySetpoint: Celsius;
  readonly designDeltaT: Kelvin;
  readonly waterVolume: CubicMeters;
  readonly pumps: UnitGroup<PumpId> & { readonly ratedFlow: LitersPerMinute; readonly unitPower: Kilowatts };
  readonly chillers: UnitGroup<ChillerId> & {
    readonly copCurve: readonly CopPoint[];
    readonly freeCoolingDifference: Kelvin;
    readonly fanPower: Kilowatts;
  };
}

/** A hall (a building or a data hall) with its own power train. */
export interface Hall {
  readonly index: number;
  readonly id: HallId;
  readonly name: string;
  readonly zoneId: ZoneId | undefined;
  readonly whiteSpace: SquareMeters;
  readonly rowStart: number;
  readonly rowCount: number;
  readonly rackStart: number;
  readonly rackCount: number;
  readonly transformers: TransformerGroup;
  readonly ups: UpsGroup;
  readonly crah: CrahGroup | undefined;
  readonly plantIndex: number;
  readonly path: string;
}

/** A row of racks sharing busways and a technology loop. */
export interface Row {
  readonly index: number;
  readonly id: RowId;
  readonly hallIndex: number;
  readonly zoneId: ZoneId | undefined;
  /** The number in its id is the file's (`rows[].number` on its entry), not its position: it stays when rows go. */
  readonly numbered: boolean;
  readonly rackStart: number;
  readonly rackCount: number;
  readonly busways: BuswayGroup;
  readonly tcs: TcsLoop;
  readonly path: string;
}

/** One rack position. */
export interface Rack {
  readonly index: number;
  readonly id: RackId;
  readonly hallIndex: number;
  readonly rowIndex: number;
  readonly typeIndex: number;
  /** 1-based position in its row. */
  readonly position: number;
  readonly zoneId: ZoneId | undefined;
}

/** A leak detector: on a CDU or under a rack. */
export interface LeakDetector {
  readonly id: LeakDetectorId;
  readonly rowIndex: number;
  readonly cduId: CduId | undefined;
  readonly rackIndex: number | undefined;
}

/** The whole campus, expanded. */
export interface Site {
  readonly id: string;
  readonly name: string;
  readonly operator: string;
  readonly location: { readonly latitude: number; readonly longitude: number; readonly elevationM: number };
  readonly timezone: string;
  readonly gridConnection: Kilowatts;
  readonly startOfOperation: string | undefined;
  readonly buildingArea: SquareMeters | undefined;
  /**
   * Seconds the site's operator takes to restart racks latched off with no failure open in their scope (the twin's
   * operator response, `defaultOperatorResponseS` in twin/layout.ts when undefined); null (`off` in the file): none.
   */
  readonly operatorResponseS?: number | null;
  readonly powerFactor: Fraction;
  readonly gridFeeds: readonly GridFeed[];
  readonly gridRedundancy: Redundancy;
  readonly zones: readonly Zone[];
  readonly rackTypes: readonly RackType[];
  readonly plants: readonly Plant[];
  readonly halls: readonly Hall[];
  readonly rows: readonly Row[];
  /** Every rack; a loaded site builds these (and `leakDetectors`) on first read (expand.ts, rack-runs.ts). */
  readonly racks: readonly Rack[];
  readonly leakDetectors: readonly LeakDetector[];
  /** Ranges the site file gives for the twin's uncertain figures (`simulate --uncertainty`). */
  readonly uncertainty: Readonly<Partial<Record<UncertainParameter, { readonly low: number; readonly high: number }>>>;
  /** District-heating offtake, when the site sells its heat. */
  readonly heatOfftake?: Readonly<HeatOfftakeSpec>;
  /** Meters bound to telemetry series, for reports from measurement (meters.ts). */
  readonly meters: readonly MeterSpec[];
}
