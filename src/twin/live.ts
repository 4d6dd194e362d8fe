/**
 * The twin in live mode: the whole site in one partition on the current thread, stepped in real time (or faster)
 * with its state readable between steps, for the server's `/v1/state/*` routes (docs/api.md, "Live state"). It steps
 * the batch runner's `PartitionKernel`, so live and batch share one implementation of the physics.
 *
 * Time: the caller owns the clock and says how far to go (`advanceTo`, epoch milliseconds). The typical year is
 * positioned at the site's wall clock (day of year and time of day in `site.timezone`, Europe/Paris for Alixan) when
 * the twin starts, so live weather is plausible for today; from then on simulated time runs evenly, through clock
 * changes. The synthetic profiles are shifted by whole days so their weekends fall on the real weekend.
 */
import { didYouMean } from "../model/diagnostics.ts";
import type { Site } from "../model/site.ts";
import type { UtilisationSource } from "../model/utilisation.ts";
import { carryMap } from "./carry.ts";
import { litersPerEvaporatedKwh, PartitionKernel } from "./kernel.ts";
import { buildPartition } from "./layout.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import { type RackLoad, RackSourceLoad, SyntheticLoad } from "./profiles.ts";
import { defaultGridIntensity } from "./results.ts";
import { failableUnitsText, siteUnits, type TwinEvent, type UnitKind } from "./scenario.ts";
import { fwsSupplyRangeC } from "./scenario-schema.ts";
import { secondsPer, yearTimeOf } from "./time.ts";
import { sampleHourly, valenceTypicalYear, type Weather } from "./weather.ts";

/** How a live twin is set up; every field has a default. */
export interface LiveTwinOptions {
  /** Outdoor weather over a year (default: the Valence typical year of `seed`). */
  readonly weather?: Weather;
  /**
   * Rack allocation (default: the synthetic profiles, every rack allocated), read with seconds since `startMs`; each
   * rack's utilisation is its allocation times its job's activity (`profiles.ts`) unless `utilisationIsActivity`. A
   * source with a `version` (the scheduler's placements) is read again at the first step after it moved.
   */
  readonly utilisation?: UtilisationSource;
  /** The source gives measured activity: use it as it is. */
  readonly utilisationIsActivity?: boolean;
  /**
   * How often the source is read again, seconds (default: every step); for a source with a `version`, a safety net
   * behind the reads its changes call for.
   */
  readonly utilisationRefreshS?: number;
  /** Seed of the typical year and the synthetic profiles (default 1). */
  readonly seed?: number;
  /** Fixed step, seconds (default 1). */
  readonly stepS?: number;
  /** Epoch milliseconds at which simulated time starts (default: now). */
  readonly startMs?: number;
  /** Seconds into the typical year at `startMs` (default: the site's wall clock at `startMs`). */
  readonly yearTimeS?: number;
  /** History resolution, seconds, a whole number of steps (default 60). */
  readonly historyIntervalS?: number;
  /** History kept, seconds (default 24 h). */
  readonly historySpanS?: number;
  /** Grid carbon intensity, gCO2/kWh (default the French annual mean). */
  readonly gridIntensityGPerKWh?: number;
  /**
   * The twin this one takes over from (a site change rebuilds the live twin): its clock goes on, so this one's first
   * step is `continues`'s last again (`startMs` and `yearTimeS` are taken from it), and its load reads on the same
   * clock. Its state comes with `carryFrom(continues)`, once what operators hold is applied.
   */
  readonly continues?: LiveTwin;
}

/** Site-wide figures of the current step. Power in kW. */
export interface LiveKpis {
  readonly itKW: number;
  /** Drawn from the grid: IT, cooling, losses and house loads. */
  readonly facilityKW: number;
  /** Facility over IT power (NaN with no IT load). */
  readonly pue: number;
  /** CDU pumps, air handler fans, facility water pumps, dry cooler fans, chillers, electrical-room cooling. */
  readonly coolingKW: number;
  /**
   * The rest of the overhead: UPS, transformer and HV substation losses, and house loads (lighting, offices, BMS).
   * Server conversion losses are inside IT.
   */
  readonly lossesKW: number;
  /** Water to make up: evaporated by the adiabatic pads plus the loops' losses, L/h. */
  readonly makeUpWaterLPerH: number;
  readonly carbonKgPerH: number;
  /** Share of installed GPUs busy and not throttled, 0–1. */
  readonly gpuUtilisation: number;
  /** Installed racks running below full power because their coolant is too warm (tripped racks not included). */
  readonly throttledRacks: number;
  /** Installed racks tripped: off after their outlet or inlet passed its trip limit, or still restarting. */
  readonly trippedRacks: number;
  /**
   * Of those, racks latched off after repeated trips (`latched`), waiting for a repair, the operator's response
   * (`site.operatorResponseS`) or a `restart-racks` event.
   */
  readonly latchedRacks: number;
}

/** A cooling plant now. Heat and power in kW. */
export interface LivePlant {
  readonly id: string;
  readonly fwsSupplyC: number;
  /** The supply set-point the plant holds: its site's, or what an operator set (`setFacilitySupplyC`). */
  readonly fwsSupplySetpointC: number;
  readonly fwsReturnC: number;
  /** Heat into the facility water loop (CDUs, air handlers, its pumps). */
  readonly heatKW: number;
  /** Heat rejected by the dry coolers. */
  readonly dryCoolerKW: number;
  /** Heat taken by the trim chillers (their electrical power is in the site's coolingKW). */
  readonly chillerKW: number;
  /** Dry cooler fans. */
  readonly fanKW: number;
  /** Facility water pumps. */
  readonly pumpKW: number;
  readonly chillersRunning: number;
  readonly adiabaticOn: boolean;
  /** Ids of the plant's pumps, dry coolers and chillers out of service. */
  readonly failedUnits: readonly string[];
}

/** A row's technology cooling loop now. Heat in kW. */
export interface LiveTcs {
  /** The loop id (`tcs:h1-r001`). */
  readonly id: string;
  /** Heat into the loop: the racks' liquid share and the CDU pumps. */
  readonly heatKW: number;
  /** What the CDUs in service can remove while holding the supply set-point, at the current facility supply. */
  readonly capacityKW: number;
  /** Capacity minus heat, at least 0. */
  readonly headroomKW: number;
  readonly supplyC: number;
  /** Mixed return from the racks at the current flow. */
  readonly returnC: number;
  readonly flowLpm: number;
  /** Ids of the loop's CDUs out of service. */
  readonly failedCdus: readonly string[];
}

/**
 * A hall's air now, °C: what its racks breathe, and the two masses that warm with it when its air handlers fall short
 * (the twin's hall nodes, `PartitionKernel.hallAirRiseK` and the rest, above what the handlers hold).
 */
export interface LiveHall {
  readonly id: string;
  /**
   * The hall air at its racks' inlet: the air handlers' supply + containment leakage, plus its rise while they fall
   * short (rear-door racks breathe that rise on top of their doors' air).
   */
  readonly airC: number;
  /** The air-cooled mass of its installed racks: the handlers' hold until they fall short, then trailing the air. */
  readonly rackMassC: number;
  /** The heat-storing layer of its floor slab and walls: the slowest node, days to give back what a shortfall left. */
  readonly slabAndWallsC: number;
  /** Heat its rear doors take from the room beyond their racks' own while it is warm, kW. */
  readonly rearDoorExtraKW: number;
  /** Heat its envelope loses beyond normal while it is warm, kW. */
  readonly envelopeLossKW: number;
}

/** Per-rack values now, in `site.racks` order. */
export interface LiveRacks {
  /** Drawn at the rack input, kW (0 for a rack not installed). */
  readonly powerKW: Float32Array;
  /** 0 idle … 1 design power: the rack's own job activity. */
  readonly utilisation: Float32Array;
  readonly tcsSupplyC: Float32Array;
  /** Coolant leaving the rack: the supply it saw plus its liquid heat over its design flow (the twin's state). */
  readonly tcsReturnC: Float32Array;
  /** The rack's share of its loop's headroom, in proportion to its design liquid heat, kW. */
  readonly headroomKW: Float32Array;
  /** Share of power left by throttling, 0–1. */
  readonly throttle: Float32Array;
  /** Share of the rack running: 1 in service, 0 tripped, between while it restarts (1 for a rack not installed). */
  readonly running: Float32Array;
  /** 1 for a rack latched off after repeated trips, until a repair or an operator's restart (`restartRacks`); else 0. */
  readonly latched: Float32Array;
}

/** The live state: the current step, as plain data (safe to keep; the twin does not touch it again). */
export interface LiveSnapshot {
  /** End of the current step, epoch ms. */
  readonly time: number;
  readonly weather: { readonly dryBulbC: number; readonly relativeHumidity: number };
  readonly kpis: LiveKpis;
  /** In `site.plants` order. */
  readonly plants: readonly LivePlant[];
  /** One per row, in `site.rows` order. */
  readonly tcs: readonly LiveTcs[];
  /** In `site.halls` order. */
  readonly halls: readonly LiveHall[];
  readonly racks: LiveRacks;
}

/** Site series for `/v1/state/history`: one point per interval, means over it, oldest first. */
export interface LiveHistory {
  /** Start of each point's interval, epoch ms. */
  readonly time: number[];
  readonly itKW: number[];
  readonly facilityKW: number[];
  readonly pue: number[];
  readonly coolingKW: number[];
  readonly lossesKW: number[];
  readonly dryBulbC: number[];
  /** Mean over plants. */
  readonly fwsSupplyC: number[];
}

/** Columns of the history ring, in `LiveHistory` order after `time`. */
const historyColumns = ["itKW", "facilityKW", "pue", "coolingKW", "lossesKW", "dryBulbC", "fwsSupplyC"] as const;
const [historyIt, historyFacility, historyPue, historyCooling, historyLosses, historyDryBulb, historySupply] = [
  0, 1, 2, 3, 4, 5, 6,
] as const;

const noFailedCdus: readonly string[] = Object.freeze([]);

/** Moves the load's clock: the kernel steps on typical-year time, a source may count from elsewhere. */
class ShiftedLoad implements RackLoad {
  readonly #inner: RackLoad;
  readonly #shiftS: number;
  constructor(inner: RackLoad, shiftS: number) {
    this.#inner = inner;
    this.#shiftS = shiftS;
  }
  fill(timeS: number, out: Float64Array): void {
    this.#inner.fill(timeS + this.#shiftS, out);
  }
}

/**
 * A live digital twin of a site, on the current thread. It takes its first step when built, so a snapshot always
 * describes a step. Live events (`failCdu`, `repairCdu`, `setFacilitySupplyC`) are scenario events applied now.
 */
export class LiveTwin {
  /** The site simulated. */
  readonly site: Site;
  /** Fixed step, seconds. */
  readonly stepS: number;
  /** Epoch ms at which simulated time started. */
  readonly startMs: number;
  readonly #kernel: PartitionKernel;
  readonly #weather: Weather;
  readonly #load: RackLoad;
  /** What the load adds to the kernel's time: whole days for the profiles, minus the start for a source. */
  readonly #loadShiftS: number;
  /** The scheduler's allocation, when it drives the load. */
  readonly #source: RackSourceLoad | undefined;
  readonly #gridIntensity: number;
  readonly #cduRow = new Map<string, number>();
  readonly #failedCdus = new Set<string>();
  /**
   * Plant units (pumps, dry coolers, chillers) and hall air handlers by id, with the plant whose `failedUnits` list
   * them (a hall's for an air handler), and those out of service.
   */
  readonly #plantUnits = new Map<string, { kind: Exclude<UnitKind, "cdu">; index: number; plant: number }>();
  readonly #failedPlantUnits = new Set<string>();
  /** Per row: design liquid heat of its installed racks, which sets each rack's share of flow and headroom. */
  readonly #rowDesignLiquidKw: Float64Array;
  // History: a ring of points and the sums of the interval under way.
  readonly #historyIntervalS: number;
  readonly #stepsPerPoint: number;
  readonly #historyTime: Float64Array;
  readonly #historyValues: Float64Array[];
  readonly #pointSums = new Float64Array(historyColumns.length);
  readonly #totals = new Float64Array(historyColumns.length);
  #pointSteps = 0;
  #historyCount = 0;
  #historyNext = 0;

  /** A live twin of `site`; bad options throw (they are the caller's configuration, not user input). */
  constructor(site: Site, options: LiveTwinOptions = {}) {
    const stepS = options.stepS ?? 1;
    const historyIntervalS = options.historyIntervalS ?? secondsPer.m;
    const historySpanS = options.historySpanS ?? secondsPer.d;
    if (!(stepS > 0 && stepS <= secondsPer.h)) throw new RangeError(`live twin: step ${stepS} s must be in (0, 3600]`);
    const stepsPerPoint = Math.round(historyIntervalS / stepS);
    if (stepsPerPoint < 1 || Math.abs(stepsPerPoint * stepS - historyIntervalS) > 1e-9 * historyIntervalS) {
      throw new RangeError(
        `live twin: history interval ${historyIntervalS} s is not a whole number of ${stepS} s steps`,
      );
    }
    if (!(historySpanS >= historyIntervalS)) {
      throw new RangeError(`live twin: history span ${historySpanS} s is shorter than its interval`);
    }
    const previous = options.continues;
    this.site = site;
    this.stepS = stepS;
    this.startMs = previous === undefined ? (options.startMs ?? Date.now()) : previous.timeMs - stepS * 1000;
    const seed = options.seed ?? 1;
    this.#weather = options.weather ?? valenceTypicalYear(seed);
    this.#gridIntensity = options.gridIntensityGPerKWh ?? defaultGridIntensity;
    this.#historyIntervalS = historyIntervalS;
    this.#stepsPerPoint = stepsPerPoint;
    const historyPoints = Math.ceil(historySpanS / historyIntervalS);
    this.#historyTime = new Float64Array(historyPoints);
    this.#historyValues = historyColumns.map(() => new Float64Array(historyPoints));

    const clock = yearTimeOf(this.startMs, site.timezone);
    const yearTimeS = previous === undefined ? (options.yearTimeS ?? clock.yearTimeS) : previous.#kernel.timeS - stepS;
    // A twin going on from another reads its load on that one's clock, if it reads the same kind of load.
    const sameLoad = previous !== undefined && (previous.#source === undefined) === (options.utilisation === undefined);
    const partition = buildPartition(
      site,
      site.plants.map((plant) => plant.index),
    );
    if (options.utilisation === undefined) {
      // The profiles' week starts on day 0 (a Monday): shift by whole days to today's weekday.
      const dayOfWeek = Math.floor(yearTimeS / secondsPer.d) % 7;
      const shiftDays = (((clock.weekday - dayOfWeek) % 7) + 7) % 7;
      this.#loadShiftS = sameLoad ? previous.#loadShiftS : shiftDays * secondsPer.d;
      this.#load = new ShiftedLoad(new SyntheticLoad(partition.racks, seed), this.#loadShiftS);
      this.#source = undefined;
    } else {
      const source = new RackSourceLoad(options.utilisation, partition.racks, site.racks.length, {
        refreshS: options.utilisationRefreshS ?? stepS,
        asActivity: options.utilisationIsActivity === true,
        seed,
      });
      this.#loadShiftS = sameLoad ? previous.#loadShiftS : -yearTimeS;
      this.#load = new ShiftedLoad(source, this.#loadShiftS);
      this.#source = source;
    }
    this.#kernel = new PartitionKernel(partition, this.#weather, this.#load, [], [], stepS, yearTimeS);

    for (const [id, unit] of siteUnits(site)) {
      if (unit.kind === "cdu") this.#cduRow.set(id, unit.index);
      else {
        const plant = unit.kind === "crah" ? site.halls[unit.index]!.plantIndex : unit.index;
        this.#plantUnits.set(id, { kind: unit.kind, index: unit.index, plant });
      }
    }
    const { racks } = partition;
    this.#rowDesignLiquidKw = new Float64Array(site.rows.length);
    for (let rack = 0; rack < racks.count; rack++) {
      const installed = this.#kernel.installed[rack]!;
      this.#rowDesignLiquidKw[racks.row[rack]!]! +=
        installed * (racks.idleKw[rack]! + racks.dynamicKw[rack]!) * racks.tcsShare[rack]!;
    }
    this.#step();
  }

  /** Simulated time now (the end of the last step), epoch ms. */
  get timeMs(): number {
    return this.startMs + this.#kernel.stepsDone * this.stepS * 1000;
  }

  /**
   * Steps from the current time up to `simulatedTimeMs` (whole steps; a remainder waits for the next call) and
   * returns the number of steps taken. A time not ahead of the current one takes none. Every step is simulated, so
   * the caller bounds a jump (a day at 1 s is 86,400 steps, a few seconds for the full Alixan site).
   */
  advanceTo(simulatedTimeMs: number): number {
    const stepMs = this.stepS * 1000;
    const steps = Math.floor((simulatedTimeMs - this.timeMs) / stepMs + 1e-9);
    if (!(steps > 0)) return 0;
    for (let step = 0; step < steps; step++) this.#step();
    return steps;
  }

  #step(): void {
    this.#kernel.step();
    const totals = this.#siteTotals();
    const sums = this.#pointSums;
    for (let column = 0; column < historyColumns.length; column++) sums[column]! += totals[column]!;
    this.#pointSteps++;
    if (this.#pointSteps === this.#stepsPerPoint) this.#closePoint();
  }

  /** Site figures of the last step in the history's column order (PUE left at 0), in a reused array. */
  #siteTotals(): Float64Array {
    const kernel = this.#kernel;
    const totals = this.#totals;
    let it = 0;
    let facility = 0;
    let cooling = 0;
    let losses = 0;
    for (let hall = 0; hall < kernel.hallItKw.length; hall++) {
      it += kernel.hallItKw[hall]!;
      facility += kernel.hallGridKw[hall]!;
      cooling += kernel.hallCduPumpKw[hall]! + kernel.hallCrahFanKw[hall]! + kernel.hallElectricalCoolingKw[hall]!;
      losses +=
        kernel.hallUpsLossKw[hall]! +
        kernel.hallTransformerLossKw[hall]! +
        kernel.hallSubstationLossKw[hall]! +
        kernel.hallHouseKw[hall]!;
    }
    let supply = 0;
    for (let plant = 0; plant < kernel.supplyC.length; plant++) {
      cooling += kernel.plantPumpKw[plant]! + kernel.plantFanKw[plant]! + kernel.plantChillerPowerKw[plant]!;
      // The air side's chilled water (pumps, free-cooling fans, compressors), 0 without one.
      cooling += kernel.plantAirPumpKw[plant]! + kernel.plantAirFanKw[plant]! + kernel.plantAirChillerPowerKw[plant]!;
      supply += kernel.supplyC[plant]!;
    }
    totals[historyIt] = it;
    totals[historyFacility] = facility;
    totals[historyPue] = 0;
    totals[historyCooling] = cooling;
    totals[historyLosses] = losses;
    totals[historyDryBulb] = kernel.dryBulbC;
    totals[historySupply] = supply / kernel.supplyC.length;
    return totals;
  }

  /** Stores the interval just ended as a history point (means; PUE as the ratio of the energies). */
  #closePoint(): void {
    const sums = this.#pointSums;
    const slot = this.#historyNext;
    const steps = this.#pointSteps;
    this.#historyTime[slot] = this.timeMs - this.#historyIntervalS * 1000;
    for (let column = 0; column < historyColumns.length; column++) {
      this.#historyValues[column]![slot] = sums[column]! / steps;
    }
    this.#historyValues[historyPue]![slot] = sums[historyFacility]! / sums[historyIt]!;
    sums.fill(0);
    this.#pointSteps = 0;
    this.#historyNext = (slot + 1) % this.#historyTime.length;
    this.#historyCount = Math.min(this.#historyCount + 1, this.#historyTime.length);
  }

  /**
   * Takes over the state of `previous`, the twin of the site before a change (built with `continues: previous`, then
   * given what operators hold): each rack, loop, hall and plant as the change maps them (`carryMap`: renamed racks and
   * rows keep their state, new ones start as a new twin's) and the site history, so that its first snapshot shows
   * what `previous`'s last did, under the new ids, and the trend goes on without a hole.
   */
  carryFrom(previous: LiveTwin): void {
    const map = carryMap(
      { site: previous.site, partition: previous.#kernel.partition },
      { site: this.site, partition: this.#kernel.partition },
    );
    this.#kernel.importState(previous.#kernel.exportState(), map);
    this.#carryHistory(previous);
  }

  /**
   * `previous`'s history points in place of this twin's (the newest, when this ring is shorter; none ending after
   * this twin's time), and the interval under way when both clocks agree, as with `continues`.
   */
  #carryHistory(previous: LiveTwin): void {
    const capacity = this.#historyTime.length;
    const oldCapacity = previous.#historyTime.length;
    this.#historyCount = 0;
    this.#historyNext = 0;
    for (let back = previous.#historyCount; back >= 1; back--) {
      const from = (previous.#historyNext - back + oldCapacity) % oldCapacity;
      const time = previous.#historyTime[from]!;
      if (time + previous.#historyIntervalS * 1000 > this.timeMs) continue;
      const slot = this.#historyNext;
      this.#historyTime[slot] = time;
      for (let column = 0; column < historyColumns.length; column++) {
        this.#historyValues[column]![slot] = previous.#historyValues[column]![from]!;
      }
      this.#historyNext = (slot + 1) % capacity;
      this.#historyCount = Math.min(this.#historyCount + 1, capacity);
    }
    const aligned =
      previous.timeMs === this.timeMs &&
      previous.stepS === this.stepS &&
      previous.#historyIntervalS === this.#historyIntervalS;
    if (aligned) {
      this.#pointSums.set(previous.#pointSums);
      this.#pointSteps = previous.#pointSteps;
    }
  }

  /**
   * Whether the utilisation source changed since the last step read it (a job started, ended, was paused...): the
   * current step still draws the placements before, and the next step draws the new ones.
   */
  get utilisationStale(): boolean {
    return this.#source?.stale ?? false;
  }

  /** The current step as plain data: site, plants, loops and every rack. */
  snapshot(): LiveSnapshot {
    const kernel = this.#kernel;
    const site = this.site;
    const { rows, plants } = kernel.partition;
    const rackCount = site.racks.length;
    const racks: LiveRacks = {
      powerKW: new Float32Array(rackCount),
      utilisation: new Float32Array(rackCount),
      tcsSupplyC: new Float32Array(rackCount),
      tcsReturnC: new Float32Array(rackCount),
      headroomKW: new Float32Array(rackCount),
      throttle: new Float32Array(rackCount),
      running: new Float32Array(rackCount),
      latched: new Float32Array(rackCount),
    };
    const rowLiquidKw = new Float64Array(rows.count);
    const rowHeadroomKw = new Float64Array(rows.count);
    for (let row = 0; row < rows.count; row++) {
      rowHeadroomKw[row] = Math.max(0, kernel.rowCduCapacityKw[row]! - kernel.rowHeatKw[row]!);
    }
    const { powerKW, utilisation: rackUtilisation, tcsSupplyC, tcsReturnC, headroomKW, throttle, running } = racks;
    const rowDesignLiquidKw = this.#rowDesignLiquidKw;
    const table = kernel.partition.racks;
    let throttledRacks = 0;
    let trippedRacks = 0;
    let latchedRacks = 0;
    let busyGpus = 0;
    let installedGpus = 0;
    // Every value from the kernel's per-rack state: what the physics computed for this rack in this step.
    for (let local = 0; local < table.count; local++) {
      const rack = table.globalIndex[local]!;
      const row = table.row[local]!;
      const factor = kernel.throttle[local]!;
      tcsSupplyC[rack] = kernel.tcsC[row]!;
      throttle[rack] = factor;
      running[rack] = kernel.running[local]!;
      racks.latched[rack] = kernel.latched[local]!;
      if (kernel.installed[local] === 0) {
        tcsReturnC[rack] = kernel.tcsC[row]!;
        continue;
      }
      const power = factor * kernel.rackPowerKw[local]!;
      powerKW[rack] = power;
      rackUtilisation[rack] = kernel.utilisation[local]!;
      tcsReturnC[rack] = kernel.rackOutletC(local);
      const designShare = (table.idleKw[local]! + table.dynamicKw[local]!) * table.tcsShare[local]!;
      const rowDesign = rowDesignLiquidKw[row]!;
      headroomKW[rack] = rowDesign > 0 ? (rowHeadroomKw[row]! * designShare) / rowDesign : 0;
      rowLiquidKw[row]! += power * table.tcsShare[local]!;
      installedGpus += kernel.installedGpus[local]!;
      busyGpus += kernel.installedGpus[local]! * kernel.utilisation[local]! * factor;
      // A tripped or restarting rack draws below full power too: it counts as tripped, not also as throttled.
      if (kernel.running[local]! < 1) trippedRacks++;
      else if (factor < 1) throttledRacks++;
      latchedRacks += kernel.latched[local]!;
    }

    const failedByRow = new Map<number, string[]>();
    for (const id of this.#failedCdus) {
      const row = this.#cduRow.get(id)!;
      const list = failedByRow.get(row);
      if (list === undefined) failedByRow.set(row, [id]);
      else list.push(id);
    }
    const tcs: LiveTcs[] = site.rows.map((row) => {
      const flowLpm = kernel.rowFlowLpm[row.index]!;
      const supplyC = kernel.tcsC[row.index]!;
      const kwPerK = (rows.coolantKjPerLiterK[row.index]! * flowLpm) / 60;
      const failed = failedByRow.get(row.index);
      return {
        id: row.tcs.id,
        heatKW: kernel.rowHeatKw[row.index]!,
        capacityKW: kernel.rowCduCapacityKw[row.index]!,
        headroomKW: rowHeadroomKw[row.index]!,
        supplyC,
        returnC: kwPerK > 0 ? supplyC + rowLiquidKw[row.index]! / kwPerK : supplyC,
        flowLpm,
        failedCdus: failed === undefined ? noFailedCdus : failed.sort(),
      };
    });

    const totals = this.#siteTotals();
    const it = totals[historyIt]!;
    const facility = totals[historyFacility]!;
    let waterLPerH = 0;
    const livePlants: LivePlant[] = site.plants.map((plant) => {
      const index = plant.index;
      const chillerKw = kernel.plantChillerHeatKw[index]!;
      waterLPerH +=
        kernel.plantEvaporativeKw[index]! * litersPerEvaporatedKwh + (plants.makeUpM3PerDay[index]! * 1000) / 24;
      const unitKw = plants.chillerUnitKw[index]!;
      return {
        id: plant.id,
        fwsSupplyC: kernel.supplyC[index]!,
        fwsSupplySetpointC: plants.supplySetpointC[index]!,
        fwsReturnC: kernel.plantReturnC[index]!,
        heatKW: kernel.plantHeatKw[index]!,
        dryCoolerKW: kernel.plantDryCoolerHeatKw[index]!,
        chillerKW: chillerKw,
        fanKW: kernel.plantFanKw[index]!,
        pumpKW: kernel.plantPumpKw[index]!,
        chillersRunning:
          chillerKw > 0 && unitKw > 0
            ? Math.min(plants.chillersAvailable[index]!, Math.ceil(chillerKw / unitKw - 1e-9))
            : 0,
        adiabaticOn: kernel.plantSprays[index]! > 0,
        failedUnits: [...this.#failedPlantUnits].filter((id) => this.#plantUnits.get(id)!.plant === index).sort(),
      };
    });
    const middleS = kernel.timeS - this.stepS / 2;
    return {
      time: this.timeMs,
      weather: {
        dryBulbC: kernel.dryBulbC,
        relativeHumidity: sampleHourly(this.#weather.relativeHumidity, this.#weather.firstSampleS, middleS),
      },
      kpis: {
        itKW: it,
        facilityKW: facility,
        pue: it > 0 ? facility / it : Number.NaN,
        coolingKW: totals[historyCooling]!,
        lossesKW: totals[historyLosses]!,
        makeUpWaterLPerH: waterLPerH,
        carbonKgPerH: (facility * this.#gridIntensity) / 1000,
        gpuUtilisation: installedGpus > 0 ? busyGpus / installedGpus : 0,
        throttledRacks,
        trippedRacks,
        latchedRacks,
      },
      plants: livePlants,
      tcs,
      halls: this.#halls(),
      racks,
    };
  }

  /** Each hall's air and masses from the kernel's hall nodes (rises above the inlet its air handlers hold). */
  #halls(): LiveHall[] {
    const kernel = this.#kernel;
    const halls = new Array<LiveHall>(this.site.halls.length);
    const table = kernel.partition.halls;
    for (let local = 0; local < table.count; local++) {
      const hall = this.site.halls[table.globalIndex[local]!]!;
      const airC = kernel.hallCrahInletC[local]!;
      const holdC = airC - kernel.hallAirRiseK[local]!;
      halls[hall.index] = {
        id: hall.id,
        airC,
        rackMassC: holdC + kernel.hallMassRiseK[local]!,
        slabAndWallsC: holdC + kernel.hallEnvelopeRiseK[local]!,
        rearDoorExtraKW: kernel.hallDoorKw[local]!,
        envelopeLossKW: kernel.hallEnvelopeLossKw[local]!,
      };
    }
    return halls;
  }

  /** Site history of the last `minutes` (default: all that is kept), oldest first. */
  history(minutes = Number.POSITIVE_INFINITY): LiveHistory {
    const count = this.#historyCount;
    const capacity = this.#historyTime.length;
    const since = this.timeMs - minutes * secondsPer.m * 1000;
    const history: LiveHistory = {
      time: [],
      itKW: [],
      facilityKW: [],
      pue: [],
      coolingKW: [],
      lossesKW: [],
      dryBulbC: [],
      fwsSupplyC: [],
    };
    for (let back = count; back >= 1; back--) {
      const slot = (this.#historyNext - back + capacity) % capacity;
      const time = this.#historyTime[slot]!;
      if (time < since) continue;
      history.time.push(time);
      historyColumns.forEach((column, index) => {
        history[column].push(this.#historyValues[index]![slot]!);
      });
    }
    return history;
  }

  /** Takes a CDU out of service now (its loop's other CDUs carry on). */
  failCdu(cduId: string): Outcome<void> {
    return this.#changeCdu(cduId, true);
  }

  /** Returns a failed CDU to service now. */
  repairCdu(cduId: string): Outcome<void> {
    return this.#changeCdu(cduId, false);
  }

  /** Takes any unit out of service now: a CDU, a pump, a dry cooler, a chiller or a hall air handler. */
  failUnit(unitId: string): Outcome<void> {
    return this.#changeUnit(unitId, true);
  }

  /** Returns a failed unit to service now. */
  repairUnit(unitId: string): Outcome<void> {
    return this.#changeUnit(unitId, false);
  }

  #changeUnit(unitId: string, failing: boolean): Outcome<void> {
    if (this.#cduRow.has(unitId)) return this.#changeCdu(unitId, failing);
    const unit = this.#plantUnits.get(unitId);
    if (unit === undefined) {
      const known = [...this.#cduRow.keys(), ...this.#plantUnits.keys()];
      return failure(`no ${failableUnitsText} ${unitId} in site ${this.site.id}${didYouMean(unitId, known)}`);
    }
    if (failing === this.#failedPlantUnits.has(unitId)) {
      return failure(`${unitId} is ${failing ? "already failed" : "not failed"}`);
    }
    if (failing) this.#failedPlantUnits.add(unitId);
    else this.#failedPlantUnits.delete(unitId);
    const event: TwinEvent = {
      timeS: this.#kernel.timeS,
      kind: "unit",
      unit: unit.kind,
      index: unit.index,
      delta: failing ? -1 : 1,
    };
    this.#kernel.applyNow([event]);
    return success(undefined);
  }

  #changeCdu(cduId: string, failing: boolean): Outcome<void> {
    const row = this.#cduRow.get(cduId);
    if (row === undefined) {
      return failure(`no CDU ${cduId} in site ${this.site.id}${didYouMean(cduId, this.#cduRow.keys())}`);
    }
    if (failing === this.#failedCdus.has(cduId)) {
      return failure(`${cduId} is ${failing ? "already failed" : "not failed"}`);
    }
    if (failing) this.#failedCdus.add(cduId);
    else this.#failedCdus.delete(cduId);
    const event: TwinEvent = {
      timeS: this.#kernel.timeS,
      kind: "unit",
      unit: "cdu",
      index: row,
      delta: failing ? -1 : 1,
    };
    this.#kernel.applyNow([event]);
    return success(undefined);
  }

  /**
   * Restarts the racks of row `rowId` latched off after repeated trips (`rackAutoRestarts`): an operator's restart,
   * which they follow once their loop and inlet are within limits. Returns how many it restarts; a row with none
   * latched is an error (as repairing a unit that is not failed).
   */
  restartRacks(rowId: string): Outcome<number> {
    const siteRow = this.site.rows.find((row) => row.id === rowId);
    const local = siteRow === undefined ? -1 : this.#kernel.partition.rows.globalIndex.indexOf(siteRow.index);
    if (local < 0) {
      const known = this.site.rows.map((row) => row.id);
      return failure(`no row ${rowId} in site ${this.site.id}${didYouMean(rowId, known)}`);
    }
    const restarted = this.#kernel.restartLatched(local);
    if (restarted === 0) return failure(`no rack of ${rowId} is latched off after repeated trips`);
    return success(restarted);
  }

  /** A plant's facility water supply set-point now (undefined: no such plant). */
  facilitySupplySetpointC(plantId: string): number | undefined {
    const plant = this.site.plants.find((candidate) => candidate.id === plantId);
    return plant === undefined ? undefined : this.#kernel.partition.plants.supplySetpointC[plant.index];
  }

  /** Sets a plant's facility water supply now; its CDU loops keep their margin over it, as in a scenario. */
  setFacilitySupplyC(plantId: string, supplyC: number): Outcome<void> {
    const plant = this.site.plants.find((candidate) => candidate.id === plantId);
    if (plant === undefined) {
      const known = this.site.plants.map((candidate) => candidate.id);
      return failure(`no plant ${plantId} in site ${this.site.id}${didYouMean(plantId, known)}`);
    }
    if (!(supplyC >= fwsSupplyRangeC.min && supplyC <= fwsSupplyRangeC.max)) {
      return failure(`facility supply ${supplyC} °C is outside ${fwsSupplyRangeC.min}…${fwsSupplyRangeC.max} °C`);
    }
    const event: TwinEvent = {
      timeS: this.#kernel.timeS,
      kind: "setpoint",
      plant: plant.index,
      fwsSupplyC: supplyC,
      tcsSupplyC: Number.NaN,
      classLimitC: Number.NaN,
    };
    this.#kernel.applyNow([event]);
    return success(undefined);
  }
}
