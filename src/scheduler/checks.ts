/**
 * Admission checks: pluggable rules a job must pass besides quota and free capacity. A check may gate a whole job
 * before any search (deferral to cooler or lower-carbon hours), restrict the pools a job may use (certified zones
 * for health data), prune topology groups during the search (maintenance drains, power caps, cooling headroom) and
 * keep a ledger of what admitted work commits. Every refusal can be explained in a sentence naming the domain.
 *
 * Hot-path hooks (`allowsGroup`, `bind`) must not allocate: the search calls them for every group it considers.
 */
import { areaFedBy } from "../model/feeds.ts";
import { formatNumber } from "../model/units.ts";
import {
  buswayGroupName,
  coolingGroupName,
  type FacilityLimits,
  type FacilityView,
  facilityLimitsFor,
} from "./facility.ts";
import { type Inventory, memberPowerKw, poolAllowsDataClass } from "./inventory.ts";
import { anyModel, type Job } from "./jobs.ts";

/** A job that must wait: why, and when to look again (`Infinity`: when something changes). */
export interface Wait {
  readonly reason: string;
  readonly retryAtS: number;
}

/** A pluggable admission rule. Every hook is optional. */
export interface AdmissionCheck {
  readonly name: string;
  /** Whether the check's view changed at `timeS` (limits, drains); called at the start of every scheduling cycle. */
  refresh?(timeS: number): boolean;
  /** The next time after `timeS` at which `refresh` would report a change, so the replay wakes up then. */
  nextChangeS?(timeS: number): number;
  /** A verdict on the whole job before any search; undefined lets it go on. */
  gate?(job: Job, nowS: number): Wait | undefined;
  /** A reason the job can never run on this inventory (checked at submission), or undefined. */
  reject?(job: Job): string | undefined;
  /**
   * Why a job that no pool may take now should wait in its queue rather than be refused (the check's pools may open
   * later, as when a zone is certified again); undefined refuses it.
   */
  holds?(job: Job): string | undefined;
  /** Whether the job may use nodes of a pool (GPU model × zone). */
  allowsPool?(job: Job, pool: number): boolean;
  /**
   * A placement search for `job` (with `job.model` chosen) starts: forget earlier refusals. `restoring`: the job is
   * bound again exactly where it already runs (not a new placement).
   */
  begin?(job: Job, restoring?: boolean): void;
  /** Whether one more member of `job` may go somewhere inside group `group` of topology level `level`. */
  allowsGroup?(job: Job, level: number, group: number): boolean;
  /** A member of `job` was bound to (sign 1) or released from (sign -1) `node`. */
  bind?(job: Job, node: number, sign: 1 | -1): void;
  /** Why the last search was refused by this check, if it refused anything. */
  explain?(job: Job): string | undefined;
}

/**
 * Sovereignty: a job's data class must be one its zone hosts. Zones host the classes they list; outside any zone,
 * `public` and `confidential` data may run but `health` data never does. Jobs that are not `health` stay out of
 * certified zones when they can (the scheduler tries other pools first) so certified capacity stays free for health.
 *
 * With `hold`, a job whose class no zone hosts now waits with the reason (the live platform: a lapsed certification
 * may be renewed, a zone given back its racks) instead of being refused at submission.
 */
export class ZoneCheck implements AdmissionCheck {
  readonly name = "zone";
  private readonly inventory: Inventory;
  private readonly hold: boolean;
  private readonly allowed = new Map<string, Uint8Array>();

  constructor(inventory: Inventory, options: { readonly hold?: boolean } = {}) {
    this.inventory = inventory;
    this.hold = options.hold ?? false;
  }

  private poolsFor(dataClass: string): Uint8Array {
    let pools = this.allowed.get(dataClass);
    if (pools === undefined) {
      pools = Uint8Array.from(this.inventory.pools, (_, pool) =>
        poolAllowsDataClass(this.inventory, pool, dataClass) ? 1 : 0,
      );
      this.allowed.set(dataClass, pools);
    }
    return pools;
  }

  /** The zones that may host `dataClass`, or, when none may now, each zone that lists it and why it may not. */
  private zonesFor(dataClass: string): string {
    const zones = this.inventory.zones;
    const hosting = zones.flatMap((zone, index) => (zone.dataClasses.includes(dataClass) ? [index] : []));
    const withRacks = hosting.filter((zone) => this.inventory.pools.some((pool) => pool.zone === zone));
    if (withRacks.length > 0) return `zone ${withRacks.map((zone) => zones[zone]!.id).join(" or ")}`;
    if (hosting.length > 0) {
      const names = hosting.map((zone) => zones[zone]!.id).join(" or ");
      return `zone ${names}, which has no racks in ${this.inventory.name}`;
    }
    const withheld = zones.flatMap((zone) => zone.withheld.filter((item) => item.dataClass === dataClass));
    if (withheld.length > 0)
      return `a zone that may host it, and none may now: ${withheld.map((item) => item.why).join("; ")}`;
    if (zones.length === 0) return `a certified zone; ${this.inventory.name} has none`;
    const hosted = zones.map((zone) => `${zone.id} hosts ${zone.dataClasses.join(", ") || "nothing"}`);
    return `a zone that hosts it; none of ${this.inventory.name} does (${hosted.join("; ")})`;
  }

  reject(job: Job): string | undefined {
    if (this.hold || this.poolsFor(job.spec.dataClass).includes(1)) return undefined;
    return `${job.spec.dataClass} data requires ${this.zonesFor(job.spec.dataClass)}`;
  }

  holds(job: Job): string | undefined {
    if (!this.hold || this.poolsFor(job.spec.dataClass).includes(1)) return undefined;
    return `${job.spec.dataClass} data requires ${this.zonesFor(job.spec.dataClass)}`;
  }

  allowsPool(job: Job, pool: number): boolean {
    return this.poolsFor(job.spec.dataClass)[pool] === 1;
  }

  explain(job: Job): string | undefined {
    if (job.spec.dataClass !== "health") return undefined;
    return `health data requires ${this.zonesFor("health")}`;
  }
}

/** A maintenance drain: no new work on a hall, row or rack, or on what a CDU or busway feeds, from `fromS` until `untilS`. */
export interface Drain {
  /** A hall, row, rack, CDU or busway id of the site. */
  readonly target: string;
  readonly fromS: number;
  readonly untilS: number;
  readonly reason: string;
  /** The drain's id on the live platform, named in waiting reasons. */
  readonly id?: string;
}

/**
 * Drains that change while the scheduler runs (the live platform): the check reads `drains` again whenever `version`
 * moves. Targets the site does not have (any more) are ignored: the drain was checked when it was made.
 */
export interface DrainFeed {
  readonly version: number;
  readonly drains: readonly Drain[];
}

/** Where a drain applies: one group of one topology level. */
interface DrainTarget {
  readonly level: number;
  readonly group: number;
}

/**
 * Maintenance drains: drained halls, rows and racks take no new work; running work stays until it ends (the live
 * platform requeues it when a drain's policy says so). A job bound again where it already runs (a tentative
 * preemption undone, a run adopted after a restart or a site change) is not new work and is let through.
 */
export class DrainCheck implements AdmissionCheck {
  readonly name = "drain";
  private readonly inventory: Inventory;
  private readonly feed: DrainFeed | undefined;
  private feedVersion = Number.NaN;
  private drains: readonly Drain[];
  private targets: (DrainTarget | undefined)[];
  /** Per topology level: 1 + the index of the drain in force on the group, 0 where none is. */
  private readonly drained: Int32Array[];
  private lastRefused = -1;
  private lastRefusedLevel = -1;
  private restoring = false;
  /** Whether each drain is in force; the flags change only at drain boundaries. */
  private active: Uint8Array;
  private validUntil = Number.NEGATIVE_INFINITY;

  /** Fails with a message naming the unknown target when a drain names nothing of the inventory's site. */
  static create(inventory: Inventory, drains: readonly Drain[]): DrainCheck | string {
    const targets = drains.map((drain) => drainTargetOf(inventory, drain.target));
    const unknown = targets.findIndex((target) => target === undefined);
    if (unknown >= 0)
      return `drain target ${drains[unknown]!.target} names no hall, row, rack, CDU or busway of ${inventory.name}`;
    return new DrainCheck(inventory, drains, targets, undefined);
  }

  /** A check that follows `feed` (see `DrainFeed`). */
  static live(inventory: Inventory, feed: DrainFeed): DrainCheck {
    return new DrainCheck(inventory, [], [], feed);
  }

  private constructor(
    inventory: Inventory,
    drains: readonly Drain[],
    targets: (DrainTarget | undefined)[],
    feed: DrainFeed | undefined,
  ) {
    this.inventory = inventory;
    this.drains = drains;
    this.targets = targets;
    this.feed = feed;
    this.drained = inventory.levels.map((level) => new Int32Array(level.count));
    this.active = new Uint8Array(drains.length);
  }

  /** Takes the feed's drains when its version moved; returns whether it did. */
  private follow(): boolean {
    const feed = this.feed;
    if (feed === undefined || feed.version === this.feedVersion) return false;
    this.feedVersion = feed.version;
    this.drains = feed.drains;
    this.targets = this.drains.map((drain) => drainTargetOf(this.inventory, drain.target));
    this.active = new Uint8Array(this.drains.length);
    return true;
  }

  refresh(timeS: number): boolean {
    const followed = this.follow();
    if (!followed && timeS < this.validUntil) return false;
    this.validUntil = this.nextChangeS(timeS);
    let changed = followed;
    for (const flags of this.drained) flags.fill(0);
    this.drains.forEach((drain, index) => {
      const target = this.targets[index];
      const active = drain.fromS <= timeS && timeS < drain.untilS ? 1 : 0;
      if (active === 1 && target !== undefined) this.drained[target.level]![target.group] = index + 1;
      if (this.active[index] !== active) {
        this.active[index] = active;
        changed = true;
      }
    });
    return changed;
  }

  nextChangeS(timeS: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const drain of this.drains) {
      if (drain.fromS > timeS) next = Math.min(next, drain.fromS);
      if (drain.untilS > timeS) next = Math.min(next, drain.untilS);
    }
    return next;
  }

  begin(_job: Job, restoring?: boolean): void {
    this.lastRefused = -1;
    this.restoring = restoring === true;
  }

  allowsGroup(_job: Job, level: number, group: number): boolean {
    if (this.drained[level]![group] === 0 || this.restoring) return true;
    this.lastRefused = group;
    this.lastRefusedLevel = level;
    return false;
  }

  explain(): string | undefined {
    if (this.lastRefused < 0) return undefined;
    const id = this.inventory.levels[this.lastRefusedLevel]!.groupId(this.lastRefused);
    const drain = this.drains[this.drained[this.lastRefusedLevel]![this.lastRefused]! - 1];
    if (drain === undefined) return `${id} drained for maintenance`;
    const why = drain.reason === "" ? "" : ` (${drain.reason})`;
    if (drain.id === undefined) return `${id} drained for maintenance${why}`;
    const of = drain.target === id ? "" : ` of ${drain.target}`;
    return `${id} drained for maintenance: drain ${drain.id}${of}${why}`;
  }
}

/** The topology group a drain target id names (what a CDU or busway feeds: its row), or undefined. */
function drainTargetOf(inventory: Inventory, id: string): DrainTarget | undefined {
  const facility = inventory.facility;
  if (facility === undefined) return undefined;
  const area = areaFedBy(facility.site, id);
  if (area === undefined) return undefined;
  const level =
    area.level === "hall" ? facility.hallLevel : area.level === "row" ? facility.rowLevel : facility.rackLevel;
  return { level, group: area.index };
}

function memberPowerOnRack(inventory: Inventory, job: Job, rack: number): number {
  const spec = job.spec;
  return memberPowerKw(inventory.facility!, rack, spec.gpus, spec.gpuMilli, spec.cpuMilli);
}

/**
 * Largest per-GPU (or per-CPU-milli) power and heat fraction over the racks of each GPU model: the bound a member is
 * checked against above the rack level, where its rack is not known yet. Slot 0 is CPU-only work, slot m + 1 model
 * m, the last slot any GPU model.
 */
class RackFactors {
  readonly kwPerUnit: Float64Array;
  readonly heatFraction: Float64Array;
  private readonly anySlot: number;
  constructor(inventory: Inventory) {
    const facility = inventory.facility!;
    const models = inventory.gpuModels.length;
    this.anySlot = models + 1;
    this.kwPerUnit = new Float64Array(models + 2);
    this.heatFraction = new Float64Array(models + 2);
    const rackLevel = inventory.levels[facility.rackLevel]!;
    for (let rack = 0; rack < rackLevel.count; rack++) {
      const firstNode = rackLevel.childStart[rack]!;
      if (firstNode === rackLevel.childStart[rack + 1]) continue;
      const slot = inventory.pools[inventory.nodePool[firstNode]!]!.model + 1;
      const perUnit = slot === 0 ? facility.rackKwPerCpuMilli[rack]! : facility.rackKwPerGpu[rack]!;
      const heat = facility.rackHeatFraction[rack]!;
      for (const target of slot === 0 ? [0] : [slot, this.anySlot]) {
        this.kwPerUnit[target] = Math.max(this.kwPerUnit[target]!, perUnit);
        this.heatFraction[target] = Math.max(this.heatFraction[target]!, heat);
      }
    }
  }
  private slotOf(job: Job): number {
    if (job.spec.gpus === 0) return 0;
    return job.model === anyModel ? this.anySlot : job.model + 1;
  }
  /** Upper bound of one member's power over every rack the job's model can land on. */
  memberPowerBound(job: Job): number {
    const spec = job.spec;
    const perUnit = this.kwPerUnit[this.slotOf(job)]!;
    return spec.gpus > 0 ? ((spec.gpus * spec.gpuMilli) / 1000) * perUnit : spec.cpuMilli * perUnit;
  }
  /** Upper bound of one member's heat on its row's loop. */
  memberHeatBound(job: Job): number {
    return this.memberPowerBound(job) * this.heatFraction[this.slotOf(job)]!;
  }
}

const epsilonKw = 1e-6;

/** The most promising refusal seen in a search: the domain that came closest to taking the job. */
class Refusal {
  group = -1;
  headroom = Number.NEGATIVE_INFINITY;
  need = 0;
  reset(): void {
    this.group = -1;
    this.headroom = Number.NEGATIVE_INFINITY;
  }
  note(group: number, headroom: number, need: number): void {
    if (headroom > this.headroom) {
      this.group = group;
      this.headroom = headroom;
      this.need = need;
    }
  }
}

/**
 * What the job being searched has tentatively committed per domain (members bound before a later one failed), so
 * refusals report the headroom the job found, not what its own earlier members left.
 */
class Tentative {
  readonly amounts: Float64Array;
  private readonly touched: number[] = [];
  job: Job | undefined;
  constructor(size: number) {
    this.amounts = new Float64Array(size);
  }
  begin(job: Job): void {
    for (const index of this.touched) this.amounts[index] = 0;
    this.touched.length = 0;
    this.job = job;
  }
  add(job: Job, index: number, amount: number): void {
    if (job !== this.job) return;
    if (this.amounts[index] === 0) this.touched.push(index);
    this.amounts[index]! += amount;
  }
}

function jobNoun(job: Job): string {
  return job.spec.members > 1 ? `this ${job.spec.members}-member job` : "this job";
}

/** Keeps the facility limits of a view fresh and tells when they changed. */
class LimitFeed {
  readonly limits: FacilityLimits;
  private readonly view: FacilityView;
  private validUntil = Number.NEGATIVE_INFINITY;
  constructor(view: FacilityView, limits: FacilityLimits) {
    this.view = view;
    this.limits = limits;
  }
  refresh(timeS: number): boolean {
    if (timeS < this.validUntil) return false;
    this.view.fill(timeS, this.limits);
    this.validUntil = this.view.nextChangeS(timeS);
    return true;
  }
  nextChangeS(timeS: number): number {
    return this.view.nextChangeS(timeS);
  }
}

/**
 * Power caps: the estimated power of admitted work never exceeds the limit of a rack, of a row's busway group or of
 * a hall's UPS at admission. A member's estimate is its GPUs' share of the rack type's design power (CPU-only work on
 * racks without GPUs: its CPU share).
 */
export class PowerCheck implements AdmissionCheck {
  readonly name = "power";
  private readonly inventory: Inventory;
  private readonly feed: LimitFeed;
  /** Committed kW by rack, row and hall. */
  readonly rackKw: Float64Array;
  readonly rowKw: Float64Array;
  readonly hallKw: Float64Array;
  private readonly factors: RackFactors;
  private bound = 0;
  private readonly refusals = [new Refusal(), new Refusal(), new Refusal()];
  private readonly tentative: [Tentative, Tentative, Tentative];

  constructor(inventory: Inventory, view: FacilityView) {
    const facility = inventory.facility;
    if (facility === undefined) throw new Error("PowerCheck needs an inventory built from a site");
    this.inventory = inventory;
    this.feed = new LimitFeed(view, facilityLimitsFor(facility.site));
    this.feed.refresh(0);
    this.rackKw = new Float64Array(facility.site.racks.length);
    this.rowKw = new Float64Array(facility.site.rows.length);
    this.hallKw = new Float64Array(facility.site.halls.length);
    this.factors = new RackFactors(inventory);
    this.tentative = [
      new Tentative(this.rackKw.length),
      new Tentative(this.rowKw.length),
      new Tentative(this.hallKw.length),
    ];
  }

  /** The limits in force. */
  get limits(): FacilityLimits {
    return this.feed.limits;
  }

  refresh(timeS: number): boolean {
    return this.feed.refresh(timeS);
  }

  nextChangeS(timeS: number): number {
    return this.feed.nextChangeS(timeS);
  }

  begin(job: Job): void {
    this.bound = this.factors.memberPowerBound(job);
    for (const refusal of this.refusals) refusal.reset();
    for (const tentative of this.tentative) tentative.begin(job);
  }

  private check(kind: number, group: number, limit: number, committed: number, need: number, job: Job): boolean {
    const headroom = limit - committed;
    if (need <= headroom + epsilonKw) return true;
    this.refusals[kind]!.note(group, headroom + this.tentative[kind]!.amounts[group]!, need * job.spec.members);
    return false;
  }

  allowsGroup(job: Job, level: number, group: number): boolean {
    const facility = this.inventory.facility!;
    const limits = this.feed.limits;
    if (level === facility.rackLevel) {
      const need = memberPowerOnRack(this.inventory, job, group);
      return this.check(0, group, limits.rackPowerKw[group]!, this.rackKw[group]!, need, job);
    }
    if (level === facility.rowLevel)
      return this.check(1, group, limits.rowPowerKw[group]!, this.rowKw[group]!, this.bound, job);
    if (level === facility.hallLevel) {
      return this.check(2, group, limits.hallPowerKw[group]!, this.hallKw[group]!, this.bound, job);
    }
    return true;
  }

  bind(job: Job, node: number, sign: 1 | -1): void {
    const facility = this.inventory.facility!;
    const rack = this.inventory.levels[facility.rackLevel]!.groupOfNode[node]!;
    const power = memberPowerOnRack(this.inventory, job, rack) * sign;
    const rackInfo = facility.site.racks[rack]!;
    this.rackKw[rack]! += power;
    this.rowKw[rackInfo.rowIndex]! += power;
    this.hallKw[rackInfo.hallIndex]! += power;
    this.tentative[0].add(job, rack, power);
    this.tentative[1].add(job, rackInfo.rowIndex, power);
    this.tentative[2].add(job, rackInfo.hallIndex, power);
  }

  explain(job: Job): string | undefined {
    const site = this.inventory.facility!.site;
    const [rack, row, hall] = this.refusals as [Refusal, Refusal, Refusal];
    const text = (what: string, refusal: Refusal) =>
      `power headroom of ${what} is ${formatNumber(Math.max(0, refusal.headroom))} kW, below the ` +
      `${formatNumber(refusal.need)} kW ${jobNoun(job)} needs`;
    if (hall.group >= 0) return text(`UPS of ${site.halls[hall.group]!.id}`, hall);
    if (row.group >= 0) return text(buswayGroupName(site, row.group), row);
    if (rack.group >= 0) return text(site.racks[rack.group]!.id, rack);
    return undefined;
  }
}

/**
 * Cooling headroom: the heat of admitted work never exceeds what a row's CDU group (its technology loop) may take at
 * admission. A member's heat is its power estimate times the share its rack sends to the loop (the liquid-captured
 * share, or all of it for racks with rear-door exchangers).
 */
export class CoolingCheck implements AdmissionCheck {
  readonly name = "cooling";
  private readonly inventory: Inventory;
  private readonly feed: LimitFeed;
  /** Committed heat (kW) by row CDU group. */
  readonly rowHeatKw: Float64Array;
  private readonly factors: RackFactors;
  private bound = 0;
  private readonly refusal = new Refusal();
  private readonly tentative: Tentative;

  constructor(inventory: Inventory, view: FacilityView) {
    const facility = inventory.facility;
    if (facility === undefined) throw new Error("CoolingCheck needs an inventory built from a site");
    this.inventory = inventory;
    this.feed = new LimitFeed(view, facilityLimitsFor(facility.site));
    this.feed.refresh(0);
    this.rowHeatKw = new Float64Array(facility.site.rows.length);
    this.factors = new RackFactors(inventory);
    this.tentative = new Tentative(this.rowHeatKw.length);
  }

  /** The limits in force. */
  get limits(): FacilityLimits {
    return this.feed.limits;
  }

  refresh(timeS: number): boolean {
    return this.feed.refresh(timeS);
  }

  nextChangeS(timeS: number): number {
    return this.feed.nextChangeS(timeS);
  }

  begin(job: Job): void {
    this.bound = this.factors.memberHeatBound(job);
    this.refusal.reset();
    this.tentative.begin(job);
  }

  allowsGroup(job: Job, level: number, group: number): boolean {
    const facility = this.inventory.facility!;
    let row: number;
    let need: number;
    if (level === facility.rowLevel) {
      row = group;
      need = this.bound;
    } else if (level === facility.rackLevel) {
      // Exact heat at the rack, checked against its row's loop.
      row = facility.site.racks[group]!.rowIndex;
      need = memberPowerOnRack(this.inventory, job, group) * facility.rackHeatFraction[group]!;
    } else return true;
    const headroom = this.feed.limits.rowCoolingKw[row]! - this.rowHeatKw[row]!;
    if (need <= headroom + epsilonKw) return true;
    this.refusal.note(row, headroom + this.tentative.amounts[row]!, need * job.spec.members);
    return false;
  }

  bind(job: Job, node: number, sign: 1 | -1): void {
    const facility = this.inventory.facility!;
    const rack = this.inventory.levels[facility.rackLevel]!.groupOfNode[node]!;
    const heat = memberPowerOnRack(this.inventory, job, rack) * facility.rackHeatFraction[rack]! * sign;
    const row = facility.site.racks[rack]!.rowIndex;
    this.rowHeatKw[row]! += heat;
    this.tentative.add(job, row, heat);
  }

  explain(job: Job): string | undefined {
    if (this.refusal.group < 0) return undefined;
    const site = this.inventory.facility!.site;
    return (
      `cooling headroom of cdu group ${coolingGroupName(site, this.refusal.group)} is ` +
      `${formatNumber(Math.max(0, this.refusal.headroom))} kW, below the ${formatNumber(this.refusal.need)} kW ` +
      `${jobNoun(job)} needs`
    );
  }
}

/** An hourly signal, lower is better: grid carbon intensity (gCO2/kWh) or outdoor dry bulb (°C). */
export interface HourlySignal {
  readonly name: string;
  readonly unit: string;
  /** Time (seconds from the start of the run) of the first value. */
  readonly startS: number;
  readonly values: Float64Array;
}

/** Options of the deferral check. */
export interface DeferralOptions {
  /** Defer only when the best window is at least this much better than starting now (fraction). Default 0.1. */
  readonly minimumGain?: number;
}

/**
 * Carbon- or heat-aware deferral: a deferrable job with a deadline waits for the start hour whose run window has the
 * lowest mean signal, as long as it still ends by its deadline (planned with its expected duration). Jobs without a
 * deadline, or whose window does not fit the signal, start as soon as they can.
 */
export class DeferralCheck implements AdmissionCheck {
  readonly name = "deferral";
  private readonly signal: HourlySignal;
  private readonly prefix: Float64Array;
  private readonly minimumGain: number;

  constructor(signal: HourlySignal, options: DeferralOptions = {}) {
    this.signal = signal;
    this.minimumGain = options.minimumGain ?? 0.1;
    this.prefix = new Float64Array(signal.values.length + 1);
    for (let hour = 0; hour < signal.values.length; hour++) {
      this.prefix[hour + 1] = this.prefix[hour]! + signal.values[hour]!;
    }
  }

  /** Mean of the signal over `hours` hours from hour `start`, or NaN outside the signal. */
  private windowMean(start: number, hours: number): number {
    if (start < 0 || start + hours > this.signal.values.length) return Number.NaN;
    return (this.prefix[start + hours]! - this.prefix[start]!) / hours;
  }

  gate(job: Job, nowS: number): Wait | undefined {
    const spec = job.spec;
    if (!spec.deferrable || spec.deadlineS === undefined) return undefined;
    const hours = Math.max(1, Math.ceil(spec.expectedDurationS / 3600));
    const nowHour = Math.floor((nowS - this.signal.startS) / 3600);
    const latestStartS = spec.deadlineS - spec.expectedDurationS;
    const latestHour = Math.floor((latestStartS - this.signal.startS) / 3600);
    const nowMean = this.windowMean(nowHour, hours);
    if (Number.isNaN(nowMean) || latestHour <= nowHour) return undefined;
    let bestHour = nowHour;
    let bestMean = nowMean;
    for (let hour = nowHour + 1; hour <= latestHour; hour++) {
      const mean = this.windowMean(hour, hours);
      if (Number.isNaN(mean)) break;
      if (mean < bestMean) {
        bestMean = mean;
        bestHour = hour;
      }
    }
    if (bestHour === nowHour || bestMean > nowMean * (1 - this.minimumGain)) return undefined;
    const retryAtS = this.signal.startS + bestHour * 3600;
    const unit = this.signal.unit;
    return {
      reason:
        `deferred to hour ${bestHour} for lower ${this.signal.name} (${formatNumber(bestMean)} ${unit} ` +
        `against ${formatNumber(nowMean)} ${unit} now; must end by ${formatNumber(spec.deadlineS / 3600)} h)`,
      retryAtS,
    };
  }
}
