/**
 * Alarms on what the platform itself watches: the live facility state (the digital twin, or equipment feeding the
 * same figures). Shipped and on by default, with operator thresholds:
 *
 * - a CDU, pump (facility water or air side), dry cooler, chiller or hall air handler out of service, named by its
 *   kind as the site lists it (critical when what is left cannot carry the
 *   heat, warning otherwise);
 * - a loop's coolant supply above the lowest limit of the rack types it feeds (critical: those racks throttle);
 * - rack outlets above their limit (the rack type's supply limit plus the loop's design rise, plus a 5 K margin:
 *   the twin's racks run a few kelvin over the design rise at full load);
 * - a loop's spare cooling capacity below a share of its capacity;
 * - racks throttling (running below full power because their coolant is too warm);
 * - racks tripped (off after their coolant or inlet air passed the trip limit, or still restarting): critical, since
 *   their jobs stopped; a tripped rack draws nothing, so the throttling rule does not see it;
 * - the facility state going stale (no new step);
 * - a zone's certification expiring soon or expired.
 *
 * One alarm per piece of equipment or loop, never per rack: a failed CDU is one alarm naming its 40 racks, not 40.
 * Messages are plain sentences; the impact (racks, jobs, tenants) is added by the book's resolver.
 */
import { siteUnits, type UnitKind } from "../../model/equipment.ts";
import type { Site } from "../../model/site.ts";
import type { Location } from "../site-index.ts";
import type { Severity } from "../types.ts";
import type { AlarmBook } from "./book.ts";

/** A technology loop now, as the live state gives it. Heat in kW. */
export interface FacilityLoop {
  readonly id: string;
  readonly heatKW: number;
  readonly capacityKW: number;
  readonly headroomKW: number;
  readonly supplyC: number;
  readonly failedCdus: readonly string[];
}

/** A cooling plant now: the ids of its units out of service (pumps, dry coolers, chillers). */
export interface FacilityPlant {
  readonly id: string;
  readonly failedUnits?: readonly string[];
}

/** The facility state the watch reads: one step of the live twin (or the same figures from equipment). */
export interface FacilitySnapshot {
  /** Epoch ms of the step. */
  readonly time: number;
  /** In `site.plants` order. */
  readonly plants: readonly FacilityPlant[];
  /** In `site.rows` order. */
  readonly tcs: readonly FacilityLoop[];
  /** Per rack, in `site.racks` order. */
  readonly racks: {
    readonly powerKW: ArrayLike<number>;
    readonly tcsReturnC: ArrayLike<number>;
    /** Share of power left by throttling, 1 = not throttled. */
    readonly throttle: ArrayLike<number>;
    /** Share of each rack running: 1 in service, 0 tripped, between while it restarts (absent: not known). */
    readonly running?: ArrayLike<number>;
  };
}

/** Operator thresholds; every one has a default. */
export interface FacilityThresholds {
  /** Spare loop capacity under this share of its capacity raises a warning (default 10 %). */
  readonly headroomWarningPercent: number;
  /** … and under this one a critical alarm (default 3 %). */
  readonly headroomCriticalPercent: number;
  /** The headroom must come back this much above the warning level to clear (default 2 points). */
  readonly headroomClearPercent: number;
  /** Kelvin above the rack type's supply limit plus the loop's design rise at which an outlet is too warm (5). */
  readonly outletMarginK: number;
  /** A rack losing more than this share of its power counts as throttled (default 0.5 %). */
  readonly throttleLossFraction: number;
  /** No new facility state for this long is a stale state (default 30 s). */
  readonly staleAfterMs: number;
  /** A certification ending within this many days raises a warning (default 30). */
  readonly certificationWarningDays: number;
}

/** The shipped thresholds. */
export const defaultFacilityThresholds: FacilityThresholds = {
  headroomWarningPercent: 10,
  headroomCriticalPercent: 3,
  headroomClearPercent: 2,
  outletMarginK: 5,
  throttleLossFraction: 0.005,
  staleAfterMs: 30_000,
  certificationWarningDays: 30,
};

/** Rule ids (the alarms' `source`), documented in docs and listed by the console. */
export const facilityRuleIds = [
  "facility-unit-failed",
  "facility-loop-supply",
  "facility-rack-outlet",
  "facility-loop-headroom",
  "facility-throttling",
  "facility-racks-tripped",
  "facility-state-stale",
  "facility-certification",
] as const;

/** A rule id of the facility watch. */
export type FacilityRuleId = (typeof facilityRuleIds)[number];

/** What an operator calls each kind of failable unit. */
const unitKindNames: Record<UnitKind, string> = {
  cdu: "CDU",
  pump: "Facility water pump",
  dryCooler: "Dry cooler",
  chiller: "Chiller",
  airPump: "Air-side chilled-water pump",
  airChiller: "Air-side chiller",
  crah: "Air handler (CRAH)",
};

function kw(value: number): string {
  return Math.abs(value) >= 1000 ? `${(value / 1000).toFixed(2)} MW` : `${Math.round(value)} kW`;
}

function celsius(value: number): string {
  return `${value.toFixed(1)} °C`;
}

interface RowLimits {
  readonly location: Location;
  /** The lowest coolant supply limit of the installed rack types of the row, °C (Infinity with no racks). */
  readonly supplyLimitC: number;
}

/** Watches the facility state and keeps the matching alarms in the book. */
export class FacilityWatch {
  readonly #book: AlarmBook;
  readonly #site: Site;
  readonly #thresholds: FacilityThresholds;
  readonly #rows: readonly RowLimits[];
  readonly #plantLocations: readonly Location[];
  /** Per rack: the coolant outlet limit, °C (the type's supply limit plus the loop's design rise and margin). */
  readonly #outletLimitC: Float32Array;
  /** What each failable unit of the site is called, by id ("Air-side chilled-water pump"), from the site's lists. */
  readonly #unitKinds: ReadonlyMap<string, string>;
  /** Keys of the alarms this watch holds active, by rule. */
  readonly #raised = new Set<string>();
  /**
   * Keys taken over from the watch of the site before a change and not yet reported by this one: its first
   * evaluation clears those it does not report again (their subject went, or its condition with the change).
   */
  #handedOver: Set<string> | undefined;
  #lastStepAt: number | undefined;

  /**
   * A watch over `site` that takes over the active alarms of `handedOver` (keys): those of the watch of the site
   * before a change, or, at start, the facility alarms the book restored from the store. Those whose condition still
   * holds stay the same alarms (acknowledged or shelved as they were, no new notification); the others clear at this
   * watch's first evaluation.
   */
  constructor(
    book: AlarmBook,
    site: Site,
    thresholds: Partial<FacilityThresholds> = {},
    handedOver: Iterable<string> = [],
  ) {
    this.#book = book;
    for (const key of handedOver) this.#raised.add(key);
    if (this.#raised.size > 0) this.#handedOver = new Set(this.#raised);
    this.#site = site;
    this.#thresholds = { ...defaultFacilityThresholds, ...thresholds };
    this.#plantLocations = site.plants.map((plant) => ({ equipment: plant.id, plant: plant.id }));
    this.#unitKinds = new Map([...siteUnits(site)].map(([id, unit]) => [id, unitKindNames[unit.kind]]));
    this.#outletLimitC = new Float32Array(site.racks.length);
    for (const rack of site.racks) {
      const type = site.rackTypes[rack.typeIndex]!;
      const row = site.rows[rack.rowIndex]!;
      this.#outletLimitC[rack.index] = type.maxCoolantSupply + row.tcs.designRise + this.#thresholds.outletMarginK;
    }
    this.#rows = site.rows.map((row) => {
      const hall = site.halls[row.hallIndex]!;
      let supplyLimitC = Number.POSITIVE_INFINITY;
      for (let rack = row.rackStart; rack < row.rackStart + row.rackCount; rack++) {
        const type = site.rackTypes[site.racks[rack]!.typeIndex]!;
        supplyLimitC = Math.min(supplyLimitC, type.maxCoolantSupply);
      }
      return {
        location: { equipment: row.tcs.id, row: row.id, hall: hall.id, plant: site.plants[hall.plantIndex]!.id },
        supplyLimitC,
      };
    });
  }

  /** `pump:h1-air-01` → "Air-side chilled-water pump" (a unit the site does not list: "Unit"). */
  #unitKind(id: string): string {
    return this.#unitKinds.get(id) ?? "Unit";
  }

  /** `cdu:h2-r027-01` → "CDU h2-r027-01". */
  #unitName(id: string): string {
    return `${this.#unitKind(id)} ${id.slice(id.indexOf(":") + 1)}`;
  }

  /**
   * The watch of a platform starting on `book` as the store left it: it takes over the facility alarms restored
   * active, so one whose condition went while the platform was stopped clears at its first step instead of staying
   * active for ever.
   */
  static resuming(book: AlarmBook, site: Site, thresholds: Partial<FacilityThresholds> = {}): FacilityWatch {
    const restored = book.list({ state: "active" }).filter((alarm) => alarm.kind === "facility");
    return new FacilityWatch(
      book,
      site,
      thresholds,
      restored.map((alarm) => alarm.key),
    );
  }

  /** Keys of the alarms this watch holds active (for the watch that takes over from it). */
  get raisedKeys(): readonly string[] {
    return [...this.#raised];
  }

  /** The thresholds in force. */
  get thresholds(): FacilityThresholds {
    return this.#thresholds;
  }

  #set(
    rule: FacilityRuleId,
    subject: string,
    condition: { severity: Severity; title: string; message: string; location: Location; value?: number } | undefined,
    at: number,
  ): void {
    const key = `${rule}|${subject}`;
    this.#handedOver?.delete(key);
    if (condition === undefined) {
      if (this.#raised.delete(key)) this.#book.clear(key, at);
      return;
    }
    this.#raised.add(key);
    this.#book.raise({
      key,
      source: rule,
      kind: "facility",
      severity: condition.severity,
      title: condition.title,
      message: condition.message,
      location: condition.location,
      ...(condition.location.equipment === undefined ? {} : { equipment: condition.location.equipment }),
      ...(condition.value === undefined ? {} : { value: condition.value }),
      at,
    });
  }

  /** Evaluates one facility step at wall-clock `now` (epoch ms). */
  evaluate(state: FacilitySnapshot, now: number): void {
    this.#lastStepAt = now;
    this.#set("facility-state-stale", this.#site.id, undefined, now);
    const failedNow = new Set<string>();
    state.tcs.forEach((loop, rowIndex) => {
      const limits = this.#rows[rowIndex];
      if (limits === undefined) return;
      this.#loop(state, loop, rowIndex, limits, now, failedNow);
    });
    state.plants.forEach((plant, plantIndex) => {
      for (const unit of plant.failedUnits ?? []) {
        failedNow.add(unit);
        const location = { ...this.#plantLocations[plantIndex]!, equipment: unit };
        this.#set(
          "facility-unit-failed",
          unit,
          {
            severity: "critical",
            title: `${this.#unitKind(unit)} out of service`,
            message: `${this.#unitName(unit)} of plant ${plant.id.replace(/^plant:/, "")} is out of service: the plant's remaining units carry its heat, with less margin for a hot day.`,
            location,
          },
          now,
        );
      }
    });
    // Units repaired since the last step.
    for (const key of [...this.#raised]) {
      if (key.startsWith("facility-unit-failed|") && !failedNow.has(key.slice("facility-unit-failed|".length))) {
        this.#raised.delete(key);
        this.#book.clear(key, now);
      }
    }
    this.#certifications(now);
    this.#settleHandover(now);
  }

  /** After the first evaluation since a hand-over: clears the alarms handed over that nothing reported again. */
  #settleHandover(now: number): void {
    const left = this.#handedOver;
    if (left === undefined) return;
    this.#handedOver = undefined;
    for (const key of left) if (this.#raised.delete(key)) this.#book.clear(key, now);
  }

  #loop(
    state: FacilitySnapshot,
    loop: FacilityLoop,
    rowIndex: number,
    limits: RowLimits,
    now: number,
    failedNow: Set<string>,
  ): void {
    const row = this.#site.rows[rowIndex]!;
    const rowName = row.id.replace(/^row:/, "");
    const { thresholds } = this;
    const sparePercent = loop.capacityKW > 0 ? (100 * loop.headroomKW) / loop.capacityKW : 0;
    const racks = state.racks;
    let throttled = 0;
    let tripped = 0;
    let lostKW = 0;
    let hotOutlets = 0;
    let hottestOutletC = Number.NEGATIVE_INFINITY;
    let outletLimitC = Number.POSITIVE_INFINITY;
    for (let rack = row.rackStart; rack < row.rackStart + row.rackCount; rack++) {
      // Checked before the power: a tripped rack draws nothing (or little while it restarts).
      if ((racks.running?.[rack] ?? 1) < 1) {
        tripped++;
        continue;
      }
      const power = racks.powerKW[rack] ?? 0;
      if (!(power > 0)) continue;
      const left = racks.throttle[rack] ?? 1;
      if (1 - left > thresholds.throttleLossFraction) {
        throttled++;
        // Power drawn is what is left: the rack would draw power / left unthrottled.
        lostKW += left > 0 ? power / left - power : 0;
      }
      const limit = this.#outletLimitC[rack]!;
      const outlet = racks.tcsReturnC[rack] ?? Number.NaN;
      if (outlet > limit) {
        hotOutlets++;
        if (outlet > hottestOutletC) {
          hottestOutletC = outlet;
          outletLimitC = limit;
        }
      }
    }
    const spare = `${kw(loop.headroomKW)} of cooling spare for ${kw(loop.heatKW)} of heat (${sparePercent.toFixed(0)} % of capacity)`;
    for (const cdu of loop.failedCdus) {
      failedNow.add(cdu);
      const short = loop.headroomKW <= 0 || throttled > 0;
      this.#set(
        "facility-unit-failed",
        cdu,
        {
          severity: short ? "critical" : "warning",
          title: "CDU out of service",
          message: `${this.#unitName(cdu)} is out of service. Its loop in row ${rowName} has ${spare}${short ? "; racks are losing power" : ""}.`,
          location: { ...limits.location, equipment: cdu },
        },
        now,
      );
    }
    const supplyHigh = Number.isFinite(limits.supplyLimitC) && loop.supplyC > limits.supplyLimitC + 0.05;
    this.#set(
      "facility-loop-supply",
      row.tcs.id,
      supplyHigh
        ? {
            severity: "critical",
            title: "Coolant supply above rack limit",
            message: `Coolant supply of row ${rowName} is ${celsius(loop.supplyC)}, above the ${celsius(limits.supplyLimitC)} its racks accept: they throttle.`,
            location: limits.location,
            value: loop.supplyC,
          }
        : undefined,
      now,
    );
    const headroomKey = `facility-loop-headroom|${row.tcs.id}`;
    const holding = this.#raised.has(headroomKey);
    const headroomLow =
      loop.heatKW > 0 &&
      loop.capacityKW >= 0 &&
      sparePercent < thresholds.headroomWarningPercent + (holding ? thresholds.headroomClearPercent : 0);
    this.#set(
      "facility-loop-headroom",
      row.tcs.id,
      headroomLow
        ? {
            severity: sparePercent < thresholds.headroomCriticalPercent ? "critical" : "warning",
            title: "Cooling headroom low",
            message: `Row ${rowName} has ${spare}; the warning level is ${thresholds.headroomWarningPercent} %.`,
            location: limits.location,
            value: sparePercent,
          }
        : undefined,
      now,
    );
    this.#set(
      "facility-rack-outlet",
      row.tcs.id,
      hotOutlets > 0
        ? {
            severity: "warning",
            title: "Rack outlet above limit",
            message: `${hotOutlets} rack${hotOutlets === 1 ? "" : "s"} of row ${rowName} return coolant above their limit (hottest ${celsius(hottestOutletC)}, limit ${celsius(outletLimitC)}).`,
            location: limits.location,
            value: hottestOutletC,
          }
        : undefined,
      now,
    );
    this.#set(
      "facility-throttling",
      row.tcs.id,
      throttled > 0
        ? {
            severity: "critical",
            title: "Racks throttling",
            message: `${throttled} rack${throttled === 1 ? "" : "s"} of row ${rowName} run below full power because their coolant is too warm: ${kw(lostKW)} of IT power lost.`,
            location: limits.location,
            value: lostKW,
          }
        : undefined,
      now,
    );
    this.#set(
      "facility-racks-tripped",
      row.tcs.id,
      tripped > 0
        ? {
            severity: "critical",
            title: "Racks tripped",
            message: `${tripped} rack${tripped === 1 ? "" : "s"} of row ${rowName} ${tripped === 1 ? "is" : "are"} off after a protective trip (coolant or inlet air past the trip limit) or still restarting: their jobs stopped.`,
            location: limits.location,
            value: tripped,
          }
        : undefined,
      now,
    );
  }

  #certifications(now: number): void {
    const warningMs = this.#thresholds.certificationWarningDays * 86_400_000;
    for (const zone of this.#site.zones) {
      const until = zone.validUntil === undefined ? Number.NaN : Date.parse(zone.validUntil);
      const hall = this.#site.halls.find((candidate) => candidate.zoneId === zone.id);
      const location: Location = { equipment: zone.id, ...(hall === undefined ? {} : { hall: hall.id }) };
      const certification = zone.certifications.join(", ") || "certification";
      const left = until - now;
      this.#set(
        "facility-certification",
        zone.id,
        Number.isFinite(until) && left < warningMs
          ? {
              severity: left <= 0 ? "critical" : "warning",
              title: left <= 0 ? "Zone certification expired" : "Zone certification expiring",
              message:
                left <= 0
                  ? `The ${certification} certification of ${zone.name} expired on ${zone.validUntil}: its data classes may not be placed there.`
                  : `The ${certification} certification of ${zone.name} ends on ${zone.validUntil} (in ${Math.ceil(left / 86_400_000)} days).`,
              location,
            }
          : undefined,
        now,
      );
    }
  }

  /** Raises (or keeps) the stale-state alarm when no step arrived for too long; call on a timer. */
  checkStale(now: number): void {
    const last = this.#lastStepAt;
    if (last === undefined || now - last <= this.#thresholds.staleAfterMs) return;
    this.#set(
      "facility-state-stale",
      this.#site.id,
      {
        severity: "critical",
        title: "Facility state stale",
        message: `No new facility state for ${Math.round((now - last) / 1000)} s (limit ${this.#thresholds.staleAfterMs / 1000} s): screens and alarms show old values.`,
        location: {},
      },
      now,
    );
  }
}
