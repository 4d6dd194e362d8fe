/**
 * What-if comparisons (`POST /v1/whatif`, docs/api.md): the twin runs the site twice over the same days of the
 * Valence typical year, as it is (baseline) and with changes (scenario), at a coarse 60 s step with hourly series, so
 * the full Alixan site answers in seconds.
 *
 * A scenario is built from parameters, combinable: a heat wave (peak, days, night minimum, first day), units out of
 * service (exactly the ids named), a facility water class, rack coolant ratings, added rows. It may start from a
 * shipped scenario file, named as on the command line (`alixan simulate --scenario heat-wave`). Everything becomes
 * one scenario document that the scenario loader checks against the site, so a what-if runs nothing the loader would
 * refuse, and the answer lists each change as it ran (`changes`), from that same document.
 *
 * Weather: both runs see the same typical year. A heat wave is the scenario's subject unless `heatWaveInBaseline`
 * puts it in both runs (to compare other changes under the same heat). The window (`days`, 1–14) starts on
 * `startDay`, or is centred on the first dated change (a heat wave, added racks, a unit failing after day 0), or
 * starts on 19 July (day 200), the hottest week of the Valence typical year (mean maximum about 28.6 °C).
 * Units named in `fail` fail at the start of the window; ratings and the water class apply from the start.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { didYouMean } from "../model/diagnostics.ts";
import type { FacilityWaterClass, SiteFile } from "../model/schema.ts";
import { facilityWaterClasses, facilityWaterClassLimitC, maximumOperatorResponseS } from "../model/schema.ts";
import type { Site } from "../model/site.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import type { TwinResult } from "./results.ts";
import { simulate } from "./run.ts";
import {
  emptyScenario,
  failableUnitsText,
  parseScenario,
  resolveScenario,
  type Scenario,
  shippedScenarios,
  siteUnits,
} from "./scenario.ts";
import { epochOfYearTime, formatDuration, parseDuration, secondsPer, yearTimeOf } from "./time.ts";
import { valenceTypicalYear } from "./weather.ts";

/** Shipped scenarios a what-if can start from: the same names as `alixan simulate --scenario`. */
export const whatIfScenarios = shippedScenarios;
/** A shipped scenario's name. */
export type WhatIfScenario = (typeof whatIfScenarios)[number];

/** Longest window, days (the API's bound: a fortnight answers in seconds on the full site). */
export const maximumWhatIfDays = 14;
/** Most units a what-if may fail by id. */
export const maximumFailedUnits = 200;
/** Most rating changes in one what-if. */
export const maximumRackRatings = 20;
/** Most rows a what-if may add. */
export const maximumAddedRows = 40;
/** The first day of the default window: 19 July, the hottest week of the Valence typical year. */
export const defaultStartDay = 200;

/** A what-if as asked: a shipped scenario, parameters, or both (parameters add to the shipped scenario). */
export interface WhatIfRequest {
  readonly scenario?: WhatIfScenario;
  /** Window length, days (default 7). */
  readonly days?: number;
  /** First day of the window, 1–365 of the typical year. */
  readonly startDay?: number;
  readonly heatWave?: {
    readonly peakC: number;
    readonly days: number;
    readonly nightMinimumC: number;
    /** Day of the year the first hot day is (default: the window's second day, or its first for a short window). */
    readonly startDay?: number;
  };
  /** Put the heat waves in the baseline too, so that the comparison shows the other changes under the same heat. */
  readonly heatWaveInBaseline?: boolean;
  /** Unit ids (CDUs, FWS pumps, dry coolers, chillers) out of service from the start of the window. */
  readonly fail?: readonly string[];
  readonly waterClass?: FacilityWaterClass;
  /** Coolant supply ratings: `rackType` absent means every type. */
  readonly rackRatings?: readonly { readonly rackType?: string; readonly maxCoolantSupplyC: number }[];
  /** Rows added to a hall, online from the start of the window (or from `startDay`). */
  readonly moreRacks?: {
    readonly hall: string;
    readonly pattern: string;
    readonly rows: number;
    readonly startDay?: number;
  };
  /**
   * The operator's response to latched racks in the scenario's run, in place of the site's: seconds, or `off` (the
   * baseline keeps the site's). A change of its own: a what-if may ask only what a slower response costs.
   */
  readonly operatorResponseS?: number | "off";
}

/** A refused what-if: the request field at fault (`fail[2]`, `heatWave.peakC`) and why. */
export interface WhatIfProblem {
  readonly field: string;
  readonly message: string;
}

/** A run's key figures. Energies in MWh, water in m³, demand in MW, times in hours, WUE in L/kWh of IT. */
export interface WhatIfKpis {
  readonly pue: number;
  readonly itMWh: number;
  readonly facilityMWh: number;
  readonly chillerHours: number;
  /** Highest 10-minute mean grid demand. */
  readonly peakGridMW: number;
  readonly hoursAboveLimit: number;
  /** Busy GPU-hours lost to throttling and to trips. */
  readonly throttledGpuHours: number;
  /** Hours racks of every type (GPU, CPU, storage) spent throttled. */
  readonly throttledRackHours: number;
  /** Hours racks of every type spent tripped (off, or the share not yet back while restarting). */
  readonly trippedRackHours: number;
  /** Of those, hours racks spent latched off after repeated trips (until a repair or the operator's restart). */
  readonly latchedRackHours: number;
  /** Busy rack-hours of every type lost to throttling and trips (lost GPU-hours' counterpart for CPU racks). */
  readonly lostBusyRackHours: number;
  /** Busy CPU core-hours lost to throttling and trips (rack types with a CPU core count). */
  readonly lostCpuCoreHours: number;
  readonly waterM3: number;
  readonly wue: number;
  /** Highest facility water supply of any plant, °C. */
  readonly maxFwsSupplyC: number;
  /** Highest TCS supply of any row, °C. */
  readonly maxTcsSupplyC: number;
  /** Hottest hourly mean outdoor dry bulb of the window, °C. */
  readonly maxOutdoorC: number;
}

/** Hourly means of one run. */
export interface WhatIfSeries {
  readonly pue: number[];
  /** Mean over plants, °C. */
  readonly fwsSupplyC: number[];
  readonly facilityKW: number[];
  /** Outdoor dry bulb, °C. */
  readonly outdoorC: number[];
}

/** Throttling and trips of one rack type in both runs, in rack-hours. */
export interface WhatIfThrottling {
  readonly rackType: string;
  readonly description: string;
  readonly racks: number;
  /** Throttled rack-hours. */
  readonly baselineRackHours: number;
  readonly variantRackHours: number;
  readonly baselineTrippedRackHours: number;
  readonly variantTrippedRackHours: number;
  /** Of the tripped rack-hours, those spent latched off after repeated trips. */
  readonly baselineLatchedRackHours: number;
  readonly variantLatchedRackHours: number;
  /** Busy rack-hours lost to throttling and trips. */
  readonly baselineLostBusyRackHours: number;
  readonly variantLostBusyRackHours: number;
}

/** Tripped rack-hours of one hall in both runs. */
export interface WhatIfHallTrips {
  readonly hall: string;
  readonly baselineRackHours: number;
  readonly variantRackHours: number;
}

/** Both runs' figures and hourly series. */
export interface WhatIfResult {
  /** The shipped scenario it started from, if any. */
  readonly scenario?: WhatIfScenario;
  readonly days: number;
  readonly startDay: number;
  /** What ran, in one line: the changes and the window. */
  readonly description: string;
  /** Each change of the scenario run as it ran, one line each. */
  readonly changes: readonly string[];
  /** The weather of both runs. */
  readonly weather: { readonly baseline: string; readonly variant: string };
  readonly baseline: WhatIfKpis;
  readonly variant: WhatIfKpis;
  readonly throttling: readonly WhatIfThrottling[];
  /** Tripped rack-hours per hall of the site, in site order (every hall, zeros included). */
  readonly trippedByHall: readonly WhatIfHallTrips[];
  readonly series: {
    /** Start of each hour, epoch ms (the window's dates in the current year, at the site's wall clock). */
    readonly time: number[];
    readonly baseline: WhatIfSeries;
    readonly variant: WhatIfSeries;
  };
}

/** The two runs to compare. */
interface Plan {
  readonly baseline: Scenario;
  readonly site: Site;
  readonly scenario: Scenario;
  readonly startS: number;
  readonly days: number;
  readonly changes: string[];
  readonly weather: { baseline: string; variant: string };
}

type ScenarioEvent = Record<string, unknown> & { at: string | number };

/** The request field each scenario action built from parameters comes from. */
const eventFields: Readonly<Record<string, string>> = {
  heatWave: "heatWave",
  moreRacks: "moreRacks",
  fail: "fail",
  setpoint: "waterClass",
  coolantLimit: "rackRatings",
};

const stepS = 60;
const problem = (field: string, message: string): Outcome<never> => failure(JSON.stringify({ field, message }));

/** The field and message of a failed what-if (see `runWhatIf`). */
export function whatIfProblemOf(error: string): WhatIfProblem {
  try {
    const parsed = JSON.parse(error) as WhatIfProblem;
    if (typeof parsed.field === "string" && typeof parsed.message === "string") return parsed;
  } catch {}
  return { field: "scenario", message: error };
}

/** The refusal of a request that names no scenario and sets no change. */
const nothingToCompare = "nothing to compare: name a shipped scenario or set at least one change";

/**
 * Whether each field of a request asks for something to compare when set: a scenario or a change (the window's
 * length and start, and where the heat wave goes, change nothing by themselves). The type lists every field of
 * `WhatIfRequest`, so a field added there does not compile until it is said here whether it asks.
 */
const asks: { readonly [Field in keyof WhatIfRequest]-?: (request: WhatIfRequest) => boolean } = {
  scenario: (request) => request.scenario !== undefined,
  days: () => false,
  startDay: () => false,
  heatWave: (request) => request.heatWave !== undefined,
  heatWaveInBaseline: () => false,
  fail: (request) => (request.fail?.length ?? 0) > 0,
  waterClass: (request) => request.waterClass !== undefined,
  rackRatings: (request) => (request.rackRatings?.length ?? 0) > 0,
  moreRacks: (request) => request.moreRacks !== undefined,
  operatorResponseS: (request) => request.operatorResponseS !== undefined,
};

/**
 * The problem of a request that names no scenario and sets no change, known without the site: the route answers it
 * before starting a worker, whose start (a fresh thread loading the twin) costs seconds where this costs nothing.
 * Undefined when the request asks for something.
 */
export function nothingAsked(request: WhatIfRequest): WhatIfProblem | undefined {
  return Object.values(asks).some((asked) => asked(request))
    ? undefined
    : { field: "scenario", message: nothingToCompare };
}

/** A shipped scenario's events (shipped files are known to parse). */
function shippedEvents(name: WhatIfScenario): ScenarioEvent[] {
  const text = readFileSync(resolveScenario(name)!, "utf8");
  return ((parse(text) as { events?: ScenarioEvent[] }).events ?? []).map((event) => ({ ...event }));
}

/** A date of the typical year as people read it ("19 July"), with the time of day when not midnight. */
function dateOf(yearTimeS: number): string {
  const date = new Date(Date.UTC(2001, 0, 1) + yearTimeS * 1000);
  const day = date.toLocaleDateString("en-GB", { day: "numeric", month: "long", timeZone: "UTC" });
  if (yearTimeS % secondsPer.d === 0) return day;
  return `${day} ${date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })}`;
}

function secondsOf(at: string | number): number {
  const parsed = parseDuration(at, "at");
  return parsed.ok ? parsed.value : 0;
}

/** Start of a `days`-long window centred on [focusStartS, focusEndS], in whole days within the year. */
function windowStart(focusStartS: number, focusEndS: number, days: number): number {
  const focusDays = Math.ceil((focusEndS - focusStartS) / secondsPer.d);
  const firstDay = Math.floor(focusStartS / secondsPer.d) - Math.floor(Math.max(0, days - focusDays) / 2);
  return Math.min(365 - days, Math.max(0, firstDay)) * secondsPer.d;
}

/** Checks the parameters against the site; the first problem names its field. */
function checkParameters(site: Site, file: SiteFile | undefined, request: WhatIfRequest): Outcome<true> {
  const days = request.days ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > maximumWhatIfDays) {
    return problem("days", `${days} is not a whole number of days from 1 to ${maximumWhatIfDays}`);
  }
  const dayField = (value: number | undefined, field: string) =>
    value === undefined || (Number.isInteger(value) && value >= 1 && value <= 365)
      ? undefined
      : problem(field, `${value} is not a day of the year from 1 to 365`);
  const badDay =
    dayField(request.startDay, "startDay") ??
    dayField(request.heatWave?.startDay, "heatWave.startDay") ??
    dayField(request.moreRacks?.startDay, "moreRacks.startDay");
  if (badDay !== undefined) return badDay;
  if (request.startDay !== undefined && request.startDay - 1 + days > 365) {
    return problem("startDay", `a ${days}-day window starting on day ${request.startDay} runs past the year's end`);
  }
  const wave = request.heatWave;
  if (wave !== undefined) {
    if (!(wave.peakC >= 20 && wave.peakC <= 55)) return problem("heatWave.peakC", `${wave.peakC} °C is outside 20…55`);
    if (!(Number.isInteger(wave.days) && wave.days >= 1 && wave.days <= 30)) {
      return problem("heatWave.days", `${wave.days} is not a whole number of days from 1 to 30`);
    }
    if (!(wave.nightMinimumC >= 0 && wave.nightMinimumC <= wave.peakC)) {
      return problem("heatWave.nightMinimumC", `${wave.nightMinimumC} °C is outside 0…${wave.peakC} (the peak)`);
    }
  }
  if (request.fail !== undefined) {
    if (request.fail.length > maximumFailedUnits) {
      return problem("fail", `${request.fail.length} units; at most ${maximumFailedUnits}`);
    }
    const units = siteUnits(site);
    const seen = new Set<string>();
    for (const [index, id] of request.fail.entries()) {
      if (!units.has(id)) {
        const hint = id.endsWith("*")
          ? " (name each unit: patterns are for scenario files)"
          : didYouMean(id, units.keys());
        return problem(`fail[${index}]`, `no ${failableUnitsText} "${id}" on site ${site.id}${hint}`);
      }
      if (seen.has(id)) return problem(`fail[${index}]`, `${id} is named twice`);
      seen.add(id);
    }
  }
  if (request.waterClass !== undefined && !(facilityWaterClasses as readonly string[]).includes(request.waterClass)) {
    return problem(
      "waterClass",
      `unknown ASHRAE class "${request.waterClass}"; one of ${facilityWaterClasses.join(", ")}`,
    );
  }
  const response = request.operatorResponseS;
  if (
    response !== undefined &&
    response !== "off" &&
    !(typeof response === "number" && response >= 0 && response <= maximumOperatorResponseS)
  ) {
    return problem(
      "operatorResponseS",
      `${JSON.stringify(response)} is not a response time from 0 to ${maximumOperatorResponseS} s, nor off`,
    );
  }
  const ratings = request.rackRatings ?? [];
  if (ratings.length > maximumRackRatings) return problem("rackRatings", `at most ${maximumRackRatings} ratings`);
  for (const [index, rating] of ratings.entries()) {
    if (rating.rackType !== undefined && !site.rackTypes.some((type) => type.id === rating.rackType)) {
      const known = site.rackTypes.map((type) => type.id);
      return problem(
        `rackRatings[${index}].rackType`,
        `unknown rack type "${rating.rackType}"${didYouMean(rating.rackType, known)}; known: ${known.join(", ")}`,
      );
    }
    if (!(rating.maxCoolantSupplyC >= 5 && rating.maxCoolantSupplyC <= 80)) {
      return problem(`rackRatings[${index}].maxCoolantSupplyC`, `${rating.maxCoolantSupplyC} °C is outside 5…80`);
    }
  }
  const more = request.moreRacks;
  if (more !== undefined) {
    if (file === undefined) return problem("moreRacks", "adding racks needs the site file");
    if (!file.halls.some((hall) => hall.id === more.hall)) {
      const known = file.halls.map((hall) => hall.id);
      return problem("moreRacks.hall", `unknown hall "${more.hall}"${didYouMean(more.hall, known)}`);
    }
    const patterns = Object.keys(file.rowPatterns ?? {});
    if (!patterns.includes(more.pattern)) {
      return problem(
        "moreRacks.pattern",
        `unknown row pattern "${more.pattern}"${didYouMean(more.pattern, patterns)}; known: ${patterns.join(", ")}`,
      );
    }
    if (!(Number.isInteger(more.rows) && more.rows >= 1 && more.rows <= maximumAddedRows)) {
      return problem("moreRacks.rows", `${more.rows} is not a whole number of rows from 1 to ${maximumAddedRows}`);
    }
  }
  return success(true);
}

/** The first dated change of the scenario: what the default window is centred on. */
function focusOf(events: readonly ScenarioEvent[]): { startS: number; endS: number } | undefined {
  let focus: { startS: number; endS: number } | undefined;
  for (const event of events) {
    const atS = secondsOf(event.at);
    let span: { startS: number; endS: number } | undefined;
    if ("heatWave" in event) {
      const days = Number((event.heatWave as { days?: number } | null)?.days ?? 4);
      span = { startS: atS, endS: atS + days * secondsPer.d };
    } else if (("moreRacks" in event || "fail" in event) && atS > 0) span = { startS: atS, endS: atS };
    if (span !== undefined && (focus === undefined || span.startS < focus.startS)) focus = span;
  }
  return focus;
}

/** One line for each event of a checked scenario document, as it runs in the window. */
function describeEvents(events: readonly ScenarioEvent[], site: Site, startS: number, endS: number): string[] {
  const units = siteUnits(site);
  const idsOf = (value: unknown): string[] => {
    const patterns = (Array.isArray(value) ? value : [value]) as string[];
    return patterns.flatMap((pattern) =>
      pattern.endsWith("*") ? [...units.keys()].filter((id) => id.startsWith(pattern.slice(0, -1))) : [pattern],
    );
  };
  const when = (atS: number) => (atS <= startS ? "from the start" : `from ${dateOf(atS)}`);
  const lines: string[] = [];
  for (const event of events) {
    const atS = secondsOf(event.at);
    if (atS >= endS) {
      lines.push(`${Object.keys(event).find((key) => key !== "at")} on ${dateOf(atS)}: after the window, no effect`);
      continue;
    }
    if ("fail" in event || "repair" in event) {
      const failing = "fail" in event;
      const ids = idsOf(failing ? event.fail : event.repair);
      const shown = ids.length > 12 ? `${ids.slice(0, 12).join(", ")} and ${ids.length - 12} more` : ids.join(", ");
      const count = `${ids.length} unit${ids.length === 1 ? "" : "s"}`;
      lines.push(
        failing
          ? `${count} out of service ${when(atS)}: ${shown}`
          : `${count} back in service on ${dateOf(Math.max(atS, startS))}: ${shown}`,
      );
    } else if ("heatWave" in event) {
      const wave = (event.heatWave ?? {}) as { days?: number; peakC?: number; nightMinimumC?: number };
      lines.push(
        `heat wave from ${dateOf(atS)}, ${wave.days ?? 4} days at ${wave.peakC ?? 40} °C by day, not below ${wave.nightMinimumC ?? 24} °C at night`,
      );
    } else if ("setpoint" in event) {
      const set = event.setpoint as { plant?: string; waterClass?: string; fwsSupplyC?: number; tcsSupplyC?: number };
      const where = set.plant === undefined ? "every plant" : set.plant;
      const parts: string[] = [];
      if (set.waterClass !== undefined) {
        const limit = facilityWaterClassLimitC[set.waterClass as FacilityWaterClass];
        parts.push(`facility water class ${set.waterClass} (${set.fwsSupplyC ?? limit} °C supply)`);
      } else if (set.fwsSupplyC !== undefined) parts.push(`facility water supply ${set.fwsSupplyC} °C`);
      if (set.tcsSupplyC !== undefined) parts.push(`technology loop supply ${set.tcsSupplyC} °C`);
      lines.push(`${parts.join(", ")} at ${where} ${when(atS)}`);
    } else if ("coolantLimit" in event) {
      const limit = event.coolantLimit as { rackType?: string; maxCoolantSupplyC: number };
      const racks = limit.rackType === undefined ? "racks of every type" : `${limit.rackType} racks`;
      lines.push(`${racks} rated for coolant up to ${limit.maxCoolantSupplyC} °C ${when(atS)}`);
    } else if ("fouling" in event) {
      const fouling = event.fouling as { plant?: string; approachIncreaseK: number };
      lines.push(
        `dry cooler coils fouled (+${fouling.approachIncreaseK} K approach) at ${fouling.plant ?? "every plant"} ${when(atS)}`,
      );
    } else if ("adiabatic" in event) {
      const assist = event.adiabatic as { plant?: string; enabled: boolean };
      lines.push(`adiabatic assist ${assist.enabled ? "on" : "off"} at ${assist.plant ?? "every plant"} ${when(atS)}`);
    } else if ("occupancy" in event) {
      const occupancy = event.occupancy as {
        from: number;
        to?: number;
        until?: string;
        hall?: string;
        rackType?: string;
      };
      const scope = [occupancy.hall, occupancy.rackType].filter((part) => part !== undefined).join(" ");
      const to = occupancy.to ?? occupancy.from;
      const share = (value: number) => `${Math.round(value * 100)} %`;
      lines.push(
        `occupancy of ${scope === "" ? "every rack" : scope} ${share(occupancy.from)}${to === occupancy.from ? "" : ` → ${share(to)}${occupancy.until === undefined ? "" : ` by ${dateOf(secondsOf(occupancy.until))}`}`} ${when(atS)}`,
      );
    }
  }
  return lines;
}

/** The comparison a request asks for: scenario document, window, baseline and the lines describing it. */
function planOf(site: Site, file: SiteFile | undefined, request: WhatIfRequest): Outcome<Plan> {
  if (request.scenario !== undefined && !(whatIfScenarios as readonly string[]).includes(request.scenario)) {
    return problem(
      "scenario",
      `unknown scenario "${request.scenario}"${didYouMean(request.scenario, whatIfScenarios)}; one of ${whatIfScenarios.join(", ")}`,
    );
  }
  const checked = checkParameters(site, file, request);
  if (!checked.ok) return checked;
  const days = request.days ?? 7;
  const preset = request.scenario === undefined ? [] : shippedEvents(request.scenario);
  // Dated parameters first: the window may be centred on them.
  const dated: ScenarioEvent[] = [];
  const wave = request.heatWave;
  if (wave !== undefined && wave.startDay !== undefined) {
    dated.push({
      at: `${wave.startDay - 1}d`,
      heatWave: { days: wave.days, peakC: wave.peakC, nightMinimumC: wave.nightMinimumC },
    });
  }
  const more = request.moreRacks;
  if (more !== undefined && more.startDay !== undefined) {
    dated.push({
      at: `${more.startDay - 1}d`,
      moreRacks: { hall: more.hall, rows: [{ pattern: more.pattern, count: more.rows }] },
    });
  }
  const focus = focusOf([...preset, ...dated]);
  const startS =
    request.startDay !== undefined
      ? (request.startDay - 1) * secondsPer.d
      : focus !== undefined
        ? windowStart(focus.startS, focus.endS, days)
        : (defaultStartDay - 1) * secondsPer.d;
  const endS = startS + days * secondsPer.d;
  const atStart = `${startS / secondsPer.d}d`;
  const events: ScenarioEvent[] = [...preset, ...dated];
  if (wave !== undefined && wave.startDay === undefined) {
    // The window's second day, so the first shows the weather before the wave (its first day for a short window).
    const first = startS + (days >= wave.days + 2 ? secondsPer.d : 0);
    events.push({
      at: `${first / secondsPer.d}d`,
      heatWave: { days: wave.days, peakC: wave.peakC, nightMinimumC: wave.nightMinimumC },
    });
  }
  if (more !== undefined && more.startDay === undefined) {
    events.push({ at: atStart, moreRacks: { hall: more.hall, rows: [{ pattern: more.pattern, count: more.rows }] } });
  }
  if (request.fail !== undefined && request.fail.length > 0) events.push({ at: atStart, fail: [...request.fail] });
  if (request.waterClass !== undefined) events.push({ at: 0, setpoint: { waterClass: request.waterClass } });
  for (const rating of request.rackRatings ?? []) {
    events.push({
      at: 0,
      coolantLimit: {
        ...(rating.rackType === undefined ? {} : { rackType: rating.rackType }),
        maxCoolantSupplyC: rating.maxCoolantSupplyC,
      },
    });
  }
  const response = request.operatorResponseS;
  if (events.length === 0 && response === undefined) return problem("scenario", nothingToCompare);
  const name = request.scenario ?? "what-if";
  const parsed = parseScenario(
    JSON.stringify({ name, events, ...(response === undefined ? {} : { operatorResponseS: response }) }),
    name,
    site,
    file,
  );
  if (!parsed.ok) {
    const index = Number(/events\[(\d+)\]/.exec(parsed.error)?.[1] ?? -1);
    const action = index < preset.length ? undefined : Object.keys(events[index] ?? {}).find((key) => key !== "at");
    const field = action === undefined ? "scenario" : (eventFields[action] ?? "scenario");
    return problem(field, `does not apply to site ${site.id}: ${parsed.error.replace(/^[^:]*: /, "")}`);
  }
  const variant = parsed.value.scenario;
  const heatWaves = variant.heatWaves;
  const inBaseline = request.heatWaveInBaseline === true && heatWaves.length > 0;
  if (inBaseline && variant.events.length === 0 && variant.ramps.length === 0) {
    return problem("heatWaveInBaseline", "with the heat wave in both runs, the scenario changes nothing else");
  }
  const changes = describeEvents(events, parsed.value.site, startS, endS);
  if (response !== undefined) changes.push(operatorResponseText(response));
  const addedRacks = parsed.value.site.racks.length - site.racks.length;
  if (addedRacks > 0) changes.push(`${addedRacks} racks added in all (online from the day of their event)`);
  const typical = "Valence typical year";
  const waveText = heatWaves.map((heat) => `heat wave from ${dateOf(heat.startS)} (${heat.peakC} °C peak)`).join(", ");
  return success({
    baseline: inBaseline ? { ...emptyScenario, heatWaves } : emptyScenario,
    site: parsed.value.site,
    scenario: variant,
    startS,
    days,
    changes: inBaseline ? changes.filter((line) => !line.startsWith("heat wave")) : changes,
    weather: {
      baseline: inBaseline ? `${typical} with ${waveText}` : typical,
      variant: heatWaves.length === 0 ? typical : `${typical} with ${waveText}`,
    },
  });
}

/** The scenario's operator response as a change line. */
function operatorResponseText(response: number | "off"): string {
  return response === "off"
    ? "no operator response: racks latched after repeated trips stay off until a repair"
    : `the operator restarts racks latched with no failure behind them ${formatDuration(response)} after their alarm`;
}

function kpisOf(result: TwinResult): WhatIfKpis {
  const { kpis } = result;
  return {
    pue: kpis.pue,
    itMWh: kpis.itEnergyMWh,
    facilityMWh: kpis.totalEnergyMWh,
    chillerHours: kpis.chillerHours,
    peakGridMW: kpis.peakGridDemandMW,
    hoursAboveLimit: kpis.hoursAboveLimit,
    throttledGpuHours: kpis.throttledGpuHours,
    throttledRackHours: kpis.throttledRackHours,
    trippedRackHours: kpis.trippedRackHours,
    latchedRackHours: kpis.latchedRackHours,
    lostBusyRackHours: kpis.lostBusyRackHours,
    lostCpuCoreHours: kpis.lostCpuCoreHours,
    waterM3: kpis.waterM3,
    wue: kpis.wueLitersPerKWh,
    maxFwsSupplyC: kpis.maxFwsSupplyC,
    maxTcsSupplyC: kpis.maxTcsSupplyC,
    maxOutdoorC: Math.max(...result.site.fields.outdoorDryBulbC!),
  };
}

function seriesOf(result: TwinResult): WhatIfSeries {
  const { fields } = result.site;
  return {
    pue: Array.from(fields.pue!),
    fwsSupplyC: Array.from(fields.fwsSupplyC!),
    facilityKW: Array.from(fields.gridKw!),
    outdoorC: Array.from(fields.outdoorDryBulbC!),
  };
}

/** A run's rack-hours of one rack type or hall in its per-type or per-hall lines (0 when the run has no such line). */
function hoursOf<Line extends { readonly rackHours: number }>(
  lines: readonly Line[],
  matches: (line: Line) => boolean,
): number {
  return lines.find(matches)?.rackHours ?? 0;
}

/** Per rack type of the scenario's site (which has the baseline's types): the run's own per-type figures, side by side. */
function throttlingOf(site: Site, baseline: TwinResult, variant: TwinResult): WhatIfThrottling[] {
  return site.rackTypes.map((type, index) => {
    const ofType = (line: { rackType: string }) => line.rackType === type.id;
    return {
      rackType: type.id,
      description: type.description ?? type.id,
      racks: site.racks.reduce((count, rack) => count + (rack.typeIndex === index ? 1 : 0), 0),
      baselineRackHours: hoursOf(baseline.throttledRackHoursByType, ofType),
      variantRackHours: hoursOf(variant.throttledRackHoursByType, ofType),
      baselineTrippedRackHours: hoursOf(baseline.trippedRackHoursByType, ofType),
      variantTrippedRackHours: hoursOf(variant.trippedRackHoursByType, ofType),
      baselineLatchedRackHours: hoursOf(baseline.latchedRackHoursByType, ofType),
      variantLatchedRackHours: hoursOf(variant.latchedRackHoursByType, ofType),
      baselineLostBusyRackHours: hoursOf(baseline.lostBusyRackHoursByType, ofType),
      variantLostBusyRackHours: hoursOf(variant.lostBusyRackHoursByType, ofType),
    };
  });
}

/** Per hall of the scenario's site (added rows go into existing halls): tripped rack-hours of both runs. */
function trippedByHallOf(site: Site, baseline: TwinResult, variant: TwinResult): WhatIfHallTrips[] {
  return site.halls.map((hall) => {
    const ofHall = (line: { hall: string }) => line.hall === hall.id;
    return {
      hall: hall.id,
      baselineRackHours: hoursOf(baseline.trippedRackHoursByHall, ofHall),
      variantRackHours: hoursOf(variant.trippedRackHoursByHall, ofHall),
    };
  });
}

/**
 * Runs the site as it is and with the request's changes over the same days of the Valence typical year of `seed`,
 * and compares them. `file` is the decoded site file, needed to add racks. A request that does not apply to the site
 * comes back as an error value whose text `whatIfProblemOf` turns into the field at fault; a worker crash rejects.
 */
export async function runWhatIf(
  site: Site,
  request: WhatIfRequest,
  seed = 1,
  file?: SiteFile,
): Promise<Outcome<WhatIfResult>> {
  const plan = planOf(site, file, request);
  if (!plan.ok) return plan;
  const { startS, days } = plan.value;
  const common = {
    weather: valenceTypicalYear(seed),
    durationS: days * secondsPer.d,
    stepS,
    seriesIntervalS: secondsPer.h,
    startS,
    seed,
  };
  const baseline = await simulate({ ...common, site, scenario: plan.value.baseline });
  if (!baseline.ok) return baseline;
  const changed = await simulate({ ...common, site: plan.value.site, scenario: plan.value.scenario });
  if (!changed.ok) return changed;
  const { year } = yearTimeOf(Date.now(), site.timezone);
  const time = Array.from(baseline.value.site.timeS, (offsetS) =>
    epochOfYearTime(year, startS + offsetS, site.timezone),
  );
  const window = `${dateOf(startS)} to ${dateOf(startS + (days - 1) * secondsPer.d)}`;
  const { changes, weather } = plan.value;
  const base =
    weather.baseline === weather.variant ? `both runs: ${weather.baseline}` : `baseline: ${weather.baseline}`;
  return success({
    ...(request.scenario === undefined ? {} : { scenario: request.scenario }),
    days,
    startDay: startS / secondsPer.d + 1,
    description: `${changes.join("; ")}; ${window} (${days} day${days === 1 ? "" : "s"}), ${base}`,
    changes,
    weather,
    baseline: kpisOf(baseline.value),
    variant: kpisOf(changed.value),
    throttling: throttlingOf(plan.value.site, baseline.value, changed.value),
    trippedByHall: trippedByHallOf(plan.value.site, baseline.value, changed.value),
    series: { time, baseline: seriesOf(baseline.value), variant: seriesOf(changed.value) },
  });
}
