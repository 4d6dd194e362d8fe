/**
 * The curtailment controller of the twin: a `RackLoad` that wraps the racks' own load (their uncapped demand) and
 * applies per-rack power caps and pauses, so the kernel's physics (IT, UPS, cooling, grid) is unchanged and every
 * overhead falls with IT by itself.
 *
 * Each rack gets a flexibility class: under the synthetic load from the fleet mix (by its utilisation profile, drawn
 * per rack from a hash); under a scheduled job trace from the jobs running on it at each moment (`job-classes.ts`,
 * the live platform's rule). Protected racks are never touched. When a request is live the plan, revised every
 * `controlS` against the racks' uncapped demand, sheds the target with the least lost work:
 * 1. pause deferrable jobs whose deadline slack outlasts the rest of the event and the release (no work lost,
 *    GPU-hours deferred);
 * 2. cap flexible racks (and deferrable ones without enough slack) to one common share of their dynamic power, found
 *    by bisection, no lower than `minimumCap` (GPU minimum power limits); lost work from the power-to-throughput
 *    curve `throughputAt`;
 * 3. preempt preemptible jobs (work since their last checkpoint and the rest of the event lost).
 * Commands reach each rack after a delay spread over `dispatchS` and take `settleS` to show in its draw; after the
 * event racks are released at times spread over `releaseS`, so the rebound is a ramp, not a step.
 */

import type { PartitionKernel } from "../twin/kernel.ts";
import type { Partition } from "../twin/layout.ts";
import { profileClasses } from "../twin/layout.ts";
import type { RackLoad } from "../twin/profiles.ts";
import { hashUniform } from "../twin/random.ts";
import { secondsPer } from "../twin/time.ts";
import type { ControlSettings, Curtailment, FleetShare, FlexClass, GridEvents } from "./events.ts";
import { flexClasses } from "./events.ts";
import { type JobPlacements, JobRackClasses } from "./job-classes.ts";

/**
 * Exponent of the power-to-throughput curve: throughput ∝ (dynamic power share)^0.6. It gives a 10 % loss for an
 * H100 SXM capped from 700 W to 600 W (about 100 W idle), within the 5–8 % (memory-bound inference) to 10–15 %
 * (transformer pretraining) measured at that cap, and about 40 % at half power, as compute-bound DGEMM loses on
 * H100/H200 under 350 W caps (Patel et al., "Characterizing Power Management Opportunities for LLMs in the
 * Cloud", ASPLOS 2024; "Architectural and Power-Capping Trade-offs in NVIDIA H100 and H200 GPUs", arXiv 2604.11391).
 */
export const throughputExponent = 0.6;
/** Work a preempted training job loses since its last checkpoint: half the 30–90 min interval of `profiles.ts`. */
export const preemptionLossH = 0.5;
/**
 * The plan sheds the request in rack power, which is IT power (the kernel meters IT at the rack input, server PSU
 * losses inside it). UPS, transformer and cooling savings depend on the plant's state (from about 3 % of the shed on
 * a small site to 9 % on the campus in summer) and come on top: the site over-delivers by their share rather than
 * falling short.
 */
const planMargin = 1;
/** Cap revisions smaller than this (share of dynamic power) are not sent. */
const capDeadband = 0.005;

/** Throughput left (0–1) to a job whose dynamic power is held to `share` of what it would draw. */
export function throughputAt(share: number): number {
  if (share >= 1) return 1;
  if (share <= 0) return 0;
  return share ** throughputExponent;
}

const classIndex = Object.fromEntries(flexClasses.map((name, index) => [name, index])) as Record<FlexClass, number>;
const [protectedClass, flexibleClass, deferrableClass, preemptibleClass] = [
  classIndex.protected,
  classIndex.flexible,
  classIndex.deferrable,
  classIndex.preemptible,
];
/** Where the racks' classes come from: the file's fleet shares (synthetic load) or the jobs of a trace. */
export type ClassSource = "fleet" | "jobs";
/** Deferral hold counted in the available series for work with no deadline (a day, the default fleet's top slack). */
const noDeadlineHoldS = secondsPer.d;

/** What the controller did for one request (figures measured on the grid come from `metrics.ts`). */
export interface EventRecord {
  readonly id: string;
  readonly issueS: number;
  readonly startS: number;
  readonly endS: number;
  /** The request in grid MW (a fraction is taken of the site's IT at issue). */
  requestedMW: number;
  /** Work lost by class, GPU-hours at full speed. */
  protectedWorkLost: number;
  flexibleWorkLost: number;
  preemptedWorkLost: number;
  /** GPU-hours paused and resumed later (deferred, not lost). */
  deferredGpuHours: number;
  /** Racks capped, paused and preempted at the deepest point, and the lowest cap share used. */
  cappedRacks: number;
  pausedRacks: number;
  preemptedRacks: number;
  lowestCap: number;
  /** Steps in which the plan could not reach its target (not enough flexible load). */
  shortSteps: number;
}

/** One hour of "flexibility available": grid MW that could be shed at the start of the hour, and for how long. */
export interface AvailableHour {
  readonly startS: number;
  /** All levers: caps to the minimum, pauses, preemption. */
  readonly availableMW: number;
  /** By power caps alone, which can be held for hours (at the cost of throughput). */
  readonly capsMW: number;
  /** By pausing deferrable jobs, held for `deferralHoldH` (the slack 90 % of that load still has). */
  readonly deferralMW: number;
  readonly deferralHoldH: number;
  readonly preemptibleMW: number;
  readonly priceEurPerMWh?: number;
  readonly stress?: "green" | "orange" | "red";
}

/** Flexibility class of every rack of a partition (GPU-less racks are protected) (class index per rack, `flexClasses` order) and deferral slack. */
export function assignClasses(
  partition: Partition,
  fleet: readonly FleetShare[],
  seed: number,
): { classes: Uint8Array; slackS: Float64Array } {
  const racks = partition.racks;
  const classes = new Uint8Array(racks.count);
  const slackS = new Float64Array(racks.count);
  for (let rack = 0; rack < racks.count; rack++) {
    // Storage, network and control racks (no GPUs) carry everything else's service: never curtailed.
    if (racks.gpus[rack] === 0) continue;
    const profile = profileClasses[racks.profile[rack]!]!;
    const draw = hashUniform(seed, racks.globalIndex[rack]!, 0x51ed);
    let cumulative = 0;
    for (const share of fleet) {
      if (share.profile !== profile) continue;
      cumulative += share.share;
      if (draw < cumulative) {
        classes[rack] = classIndex[share.class];
        const spread = hashUniform(seed, racks.globalIndex[rack]!, 0x5ac4);
        slackS[rack] = (share.slackH[0] + (share.slackH[1] - share.slackH[0]) * spread) * secondsPer.h;
        break;
      }
    }
  }
  return { classes, slackS };
}

/** The controller (see the module comment). Attach the kernel (`observe`) to read the site's IT and PUE. */
export class FlexController implements RackLoad {
  readonly #inner: RackLoad;
  readonly #racks: Partition["racks"];
  readonly #control: ControlSettings;
  readonly #events: readonly Curtailment[];
  readonly #prices: GridEvents["prices"];
  readonly #stress: GridEvents["stress"];
  /** Per rack: flexibility class and deferral slack (under a job trace they move with the jobs). */
  readonly classes: Uint8Array;
  readonly #slackS: Float64Array;
  /** Per rack: GPUs whose work a command costs (all of them, or under a job trace those its jobs hold). */
  readonly #workGpus: Float64Array;
  /** Where the classes come from. */
  readonly classSource: ClassSource;
  /** The jobs' classes on each rack, under a job trace. */
  readonly jobClasses: JobRackClasses | undefined;
  /** Controllable racks (not protected; under a job trace every rack with GPUs, checked as jobs move), site order. */
  readonly #controlled: Int32Array;
  readonly #demand: Float64Array;
  /**
   * Per rack: the ceiling last commanded (in flight until `#landS`), the one the rack has received and moves to, and
   * the one in force (shares of dynamic power).
   */
  readonly #target: Float64Array;
  readonly #received: Float64Array;
  readonly #ceiling: Float64Array;
  readonly #landS: Float64Array;
  readonly #dispatchOffset: Float64Array;
  /** Per rack: 0 running, 1 paused (deferred), 2 preempted. */
  readonly #held: Uint8Array;
  #kernel: PartitionKernel | undefined;
  #lastS = Number.NaN;
  #nextControlS = Number.POSITIVE_INFINITY;
  #nextHourS = Number.NaN;
  #eventIndex = 0;
  #active: EventRecord | undefined;
  #releasing = false;
  /** One record per request, in order. */
  readonly records: EventRecord[] = [];
  /** The hourly flexibility-available series. */
  readonly available: AvailableHour[] = [];

  /**
   * A controller over `partition` (the whole site) for `events`: racks' classes drawn with `seed` from the fleet
   * shares, or taken from the jobs of `jobs` when the load is that scheduled trace.
   */
  constructor(inner: RackLoad, partition: Partition, events: GridEvents, seed: number, jobs?: JobPlacements) {
    this.#inner = inner;
    this.#racks = partition.racks;
    this.#control = events.control;
    this.#events = events.curtailments;
    this.#prices = events.prices;
    this.#stress = events.stress;
    this.jobClasses = jobs === undefined ? undefined : new JobRackClasses(jobs, partition);
    this.classSource = jobs === undefined ? "fleet" : "jobs";
    const assigned = this.jobClasses ?? assignClasses(partition, events.fleet, seed);
    this.classes = assigned.classes;
    this.#slackS = assigned.slackS;
    this.#workGpus = this.jobClasses?.gpus ?? partition.racks.gpus;
    const count = partition.racks.count;
    const racks = partition.racks;
    this.#controlled = Int32Array.from(
      Array.from({ length: count }, (_, rack) => rack).filter((rack) =>
        this.jobClasses === undefined
          ? this.classes[rack] !== protectedClass && racks.dynamicKw[rack]! > 0
          : racks.gpus[rack]! > 0 && racks.dynamicKw[rack]! > 0,
      ),
    );
    this.#demand = new Float64Array(count);
    this.#target = new Float64Array(count).fill(1);
    this.#received = new Float64Array(count).fill(1);
    this.#ceiling = new Float64Array(count).fill(1);
    this.#landS = new Float64Array(count);
    this.#held = new Uint8Array(count);
    this.#dispatchOffset = Float64Array.from(
      { length: count },
      (_, rack) => hashUniform(seed, partition.racks.globalIndex[rack]!, 0xd15) * this.#control.dispatchS,
    );
  }

  /** Gives the controller the kernel (call after each step; only the first call matters). */
  observe(kernel: PartitionKernel): void {
    this.#kernel ??= kernel;
  }

  /**
   * Grid kW counted per kW of rack power shed: the IT itself, plus the share `overheadCredit` of the site's current
   * overhead (PUE − 1) the operator trusts to fall with it (default none, see `planMargin`).
   */
  #gridPerRackKw(): number {
    const credit = this.#control.overheadCredit;
    const kernel = this.#kernel;
    if (credit === 0 || kernel === undefined) return 1;
    let it = 0;
    let grid = 0;
    for (let hall = 0; hall < kernel.hallItKw.length; hall++) {
      it += kernel.hallItKw[hall]!;
      grid += kernel.hallGridKw[hall]!;
    }
    return it > 0 && grid > it ? 1 + (credit * (grid - it)) / it : 1;
  }

  /** The site's IT power now, kW: from the kernel's last step, else from the demand (idle + busy share). */
  #siteItKw(): number {
    const kernel = this.#kernel;
    let it = 0;
    if (kernel !== undefined && kernel.stepsDone > 0) {
      for (const value of kernel.hallItKw) it += value;
      return it;
    }
    const racks = this.#racks;
    for (let rack = 0; rack < racks.count; rack++) {
      it += racks.idleKw[rack]! + this.#demand[rack]! * racks.dynamicKw[rack]!;
    }
    return it;
  }

  /** Writes each rack's utilisation at `timeS`: its demand, held under its ceiling. */
  fill(timeS: number, out: Float64Array): void {
    this.#inner.fill(timeS, out);
    this.#demand.set(out);
    this.jobClasses?.advance(timeS, (rack) => this.#jobsMoved(rack, timeS));
    const dt = Number.isNaN(this.#lastS) ? 0 : timeS - this.#lastS;
    this.#lastS = timeS;
    if (Number.isNaN(this.#nextHourS)) this.#nextHourS = Math.ceil(timeS / secondsPer.h) * secondsPer.h;
    if (timeS >= this.#nextHourS) {
      this.#recordAvailable(this.#nextHourS);
      this.#nextHourS += secondsPer.h;
    }
    this.#advanceEvents(timeS);
    this.#apply(timeS, dt, out);
  }

  /** Starts, revises and releases requests at their times. */
  #advanceEvents(timeS: number): void {
    const next = this.#events[this.#eventIndex];
    if (this.#active === undefined && next !== undefined) {
      const sendS = Math.max(next.issueS, next.startS - this.#control.dispatchS);
      if (timeS >= next.issueS && this.records.length === this.#eventIndex) {
        const requestedMW = next.reduceMW ?? ((next.reduceFraction ?? 0) * this.#siteItKw()) / 1000;
        this.records.push({
          id: next.id,
          issueS: next.issueS,
          startS: next.startS,
          endS: next.endS,
          requestedMW,
          protectedWorkLost: 0,
          flexibleWorkLost: 0,
          preemptedWorkLost: 0,
          deferredGpuHours: 0,
          cappedRacks: 0,
          pausedRacks: 0,
          preemptedRacks: 0,
          lowestCap: 1,
          shortSteps: 0,
        });
      }
      if (timeS >= sendS && this.records.length > this.#eventIndex) {
        this.#active = this.records[this.#eventIndex];
        this.#releasing = false;
        this.#nextControlS = timeS;
      }
    }
    const active = this.#active;
    if (active === undefined) return;
    if (!this.#releasing && timeS >= active.endS) {
      this.#release(active.endS);
      this.#releasing = true;
      this.#nextControlS = active.endS + this.#control.releaseS + this.#control.settleS;
      return;
    }
    if (timeS < this.#nextControlS) return;
    if (this.#releasing) {
      this.#active = undefined;
      this.#eventIndex++;
      this.#nextControlS = Number.POSITIVE_INFINITY;
      return;
    }
    this.#plan(timeS, active);
    this.#nextControlS = timeS + this.#control.controlS;
  }

  /**
   * The jobs on `rack` changed (a job started or ended there): a command sent for the work that was there is lifted at
   * once if it no longer fits the work there now (a protected job arrived, a paused job's successor cannot wait out
   * the event, a capped rack is left with preemptible work only); the next revision plans the rack again.
   */
  #jobsMoved(rack: number, timeS: number): void {
    const held = this.#held[rack]!;
    const commanded = held !== 0 || this.#target[rack]! < 1 || this.#received[rack]! < 1 || this.#ceiling[rack]! < 1;
    if (!commanded) return;
    const kind = this.classes[rack];
    const active = this.#active;
    let fits: boolean;
    if (kind === protectedClass) fits = false;
    else if (held === 1)
      fits =
        (kind === deferrableClass || kind === preemptibleClass) &&
        (active === undefined || this.#slackS[rack]! >= active.endS + this.#control.releaseS - timeS);
    else if (held === 2) fits = kind === preemptibleClass;
    else fits = kind === flexibleClass || kind === deferrableClass;
    if (fits) return;
    this.#held[rack] = 0;
    this.#target[rack] = 1;
    this.#received[rack] = 1;
    this.#ceiling[rack] = 1;
    this.#landS[rack] = timeS;
  }

  /** Sends the commands that shed the request now (see the module comment for the order). */
  #plan(timeS: number, event: EventRecord): void {
    const racks = this.#racks;
    const demand = this.#demand;
    const held = this.#held;
    const remainingS = event.endS - Math.max(timeS, event.startS);
    // A job's pause starts now (commands go out up to `dispatchS` before the start), a fleet rack's slack counts from
    // the start (kept as it was, so synthetic-load results do not move).
    const holdS =
      this.jobClasses === undefined ? remainingS + this.#control.releaseS : event.endS + this.#control.releaseS - timeS;
    let needKw = (event.requestedMW * 1000 * planMargin) / this.#gridPerRackKw();
    // 1. Deferrable jobs with the slack to wait out the event: already paused ones keep shedding their demand.
    for (const rack of this.#controlled) {
      if (held[rack] !== 0) needKw -= demand[rack]! * racks.dynamicKw[rack]!;
    }
    for (const rack of this.#controlled) {
      if (needKw <= 0) break;
      if (this.classes[rack] !== deferrableClass || held[rack] !== 0 || this.#slackS[rack]! < holdS) continue;
      held[rack] = 1;
      this.#command(rack, 0, timeS);
      event.pausedRacks++;
      needKw -= demand[rack]! * racks.dynamicKw[rack]!;
    }
    // 2. One common cap on the flexible racks (and deferrable ones that could not wait).
    const cap = this.#capFor(Math.max(0, needKw));
    needKw -= this.#shedAtCap(cap);
    let capped = 0;
    for (const rack of this.#controlled) {
      if (held[rack] !== 0 || !this.#cappable(rack)) continue;
      // Small revisions are not worth a command to thousands of racks.
      if (Math.abs(this.#target[rack]! - cap) > capDeadband || (cap === 1 && this.#target[rack] !== 1)) {
        this.#command(rack, cap, timeS);
      }
      if (cap < 1 && demand[rack]! > cap * this.#capScale(rack)) capped++;
    }
    event.cappedRacks = Math.max(event.cappedRacks, capped);
    event.lowestCap = Math.min(event.lowestCap, cap);
    // 3. Preemption, the last resort.
    for (const rack of this.#controlled) {
      if (needKw <= 0) break;
      if (this.classes[rack] !== preemptibleClass || held[rack] !== 0) continue;
      held[rack] = 2;
      this.#command(rack, 0, timeS);
      event.preemptedRacks++;
      event.preemptedWorkLost += this.#workGpus[rack]! * preemptionLossH;
      needKw -= demand[rack]! * racks.dynamicKw[rack]!;
    }
    if (needKw > 0) event.shortSteps++;
  }

  /**
   * Rack utilisation per unit of cap share: a cap holds GPUs to a share of their dynamic power, so on a rack its jobs
   * fill only in part (a job trace) it bounds the share of the rack they hold; the synthetic load fills every rack.
   */
  #capScale(rack: number): number {
    return this.jobClasses === undefined ? 1 : this.#workGpus[rack]! / this.#racks.gpus[rack]!;
  }

  /** Whether the common cap applies to a rack: flexible, or deferrable (paused ones are skipped by the caller). */
  #cappable(rack: number): boolean {
    const kind = this.classes[rack];
    return kind === flexibleClass || kind === deferrableClass;
  }

  /** Rack kW shed by capping the cappable racks at `cap`. */
  #shedAtCap(cap: number): number {
    const racks = this.#racks;
    let shed = 0;
    for (const rack of this.#controlled) {
      if (this.#held[rack] !== 0 || !this.#cappable(rack)) continue;
      const excess = this.#demand[rack]! - cap * this.#capScale(rack);
      if (excess > 0) shed += excess * racks.dynamicKw[rack]!;
    }
    return shed;
  }

  /** The highest common cap (≥ `minimumCap`) that sheds `needKw`, or 1 when nothing is needed. */
  #capFor(needKw: number): number {
    if (needKw <= 0) return 1;
    let low = this.#control.minimumCap;
    if (this.#shedAtCap(low) <= needKw) return low;
    let high = 1;
    for (let iteration = 0; iteration < 30; iteration++) {
      const middle = (low + high) / 2;
      if (this.#shedAtCap(middle) >= needKw) low = middle;
      else high = middle;
    }
    return low;
  }

  /** Commands `rack` to a ceiling; it lands after the rack's dispatch delay. */
  #command(rack: number, ceiling: number, timeS: number): void {
    this.#target[rack] = ceiling;
    // A command still in flight is overtaken by the new one, which arrives with it.
    if (timeS >= this.#landS[rack]!) this.#landS[rack] = timeS + this.#dispatchOffset[rack]!;
  }

  /** Releases every rack at a time spread over `releaseS` after `endS`. */
  #release(endS: number): void {
    const racks = this.#racks;
    for (const rack of this.#controlled) {
      this.#target[rack] = 1;
      this.#landS[rack] = endS + hashUniform(0x7e1e, racks.globalIndex[rack]!, 1) * this.#control.releaseS;
    }
  }

  /** Moves ceilings toward their commands, holds utilisation under them, and counts the work they cost. */
  #apply(timeS: number, dt: number, out: Float64Array): void {
    const rate = dt / this.#control.settleS;
    const event = this.#active;
    const hours = dt / secondsPer.h;
    for (const rack of this.#controlled) {
      if (timeS >= this.#landS[rack]!) this.#received[rack] = this.#target[rack]!;
      const target = this.#received[rack]!;
      let ceiling = this.#ceiling[rack]!;
      if (ceiling !== target) {
        ceiling = target < ceiling ? Math.max(target, ceiling - rate) : Math.min(target, ceiling + rate);
        this.#ceiling[rack] = ceiling;
        if (ceiling === 1 && target === 1) this.#held[rack] = 0;
      }
      const demand = out[rack]!;
      // A cap of 1 is no cap (under a job trace the work may grow on the rack meanwhile).
      if (ceiling >= 1) continue;
      const limit = ceiling * this.#capScale(rack);
      if (limit >= demand) continue;
      out[rack] = limit;
      if (event === undefined) continue;
      const gpuHours = this.#workGpus[rack]! * hours;
      const held = this.#held[rack];
      if (held === 1) event.deferredGpuHours += gpuHours;
      else if (held === 2) event.preemptedWorkLost += gpuHours;
      else if (this.classes[rack] === protectedClass)
        event.protectedWorkLost += gpuHours * (1 - throughputAt(limit / demand));
      else event.flexibleWorkLost += gpuHours * (1 - throughputAt(limit / demand));
    }
  }

  /** Appends the hour starting at `startS` to the flexibility-available series. */
  #recordAvailable(startS: number): void {
    const racks = this.#racks;
    const minimumCap = this.#control.minimumCap;
    let capsKw = 0;
    let preemptKw = 0;
    const deferral: { kw: number; slackS: number }[] = [];
    for (const rack of this.#controlled) {
      const kw = this.#demand[rack]! * racks.dynamicKw[rack]!;
      const kind = this.classes[rack];
      const slackS = this.#slackS[rack]!;
      if (kind === protectedClass) continue;
      if (kind === preemptibleClass) preemptKw += kw;
      else if (kind === deferrableClass && slackS >= secondsPer.h)
        deferral.push({ kw, slackS: Number.isFinite(slackS) ? slackS : noDeadlineHoldS });
      else capsKw += Math.max(0, this.#demand[rack]! - minimumCap * this.#capScale(rack)) * racks.dynamicKw[rack]!;
    }
    deferral.sort((a, b) => b.slackS - a.slackS);
    const deferralKw = deferral.reduce((sum, item) => sum + item.kw, 0);
    let cumulative = 0;
    let holdS = 0;
    for (const item of deferral) {
      cumulative += item.kw;
      holdS = item.slackS;
      if (cumulative >= 0.9 * deferralKw) break;
    }
    const factor = this.#gridPerRackKw() / 1000;
    const price = lastAtOrBefore(this.#prices, startS);
    const stress = lastAtOrBefore(this.#stress, startS);
    this.available.push({
      startS,
      availableMW: (capsKw + deferralKw + preemptKw) * factor,
      capsMW: capsKw * factor,
      deferralMW: deferralKw * factor,
      deferralHoldH: holdS / secondsPer.h,
      preemptibleMW: preemptKw * factor,
      ...(price === undefined ? {} : { priceEurPerMWh: price.eurPerMWh }),
      ...(stress === undefined ? {} : { stress: stress.level }),
    });
  }
}

/** The last item of a time-sorted series at or before `timeS` (within a day, so stale data is not carried on). */
function lastAtOrBefore<Item extends { readonly atS: number }>(
  items: readonly Item[],
  timeS: number,
): Item | undefined {
  let found: Item | undefined;
  for (const item of items) {
    if (item.atS > timeS) break;
    found = item;
  }
  return found !== undefined && timeS - found.atS < secondsPer.d ? found : undefined;
}
