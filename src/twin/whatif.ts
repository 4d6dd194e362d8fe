/**
 * Quick what-if comparisons for the console (`POST /v1/whatif`, docs/api.md): the twin runs the site twice over the
 * same days of the Valence typical year, as it is (baseline) and with one change (variant), at a coarse 60 s step
 * with hourly series, so the full Alixan site answers in seconds. The changes come from the shipped scenario files.
 *
 * Windows: "heatwave", "w32", "w45" and "cdu-failure" run over the same summer days, centred on the heat wave of the
 * shipped heat-wave scenario (4 days from 20 July, so a 7-day window runs from 19 to 25 July); a window shorter than
 * the wave starts with it. Late July is when Valence is hottest (mean maximum about 28.6 °C).
 * - "heatwave": the baseline week against the same week with the heat wave (the scenario's CDU trip is left to
 *   "cdu-failure", so each comparison shows one cause).
 * - "w32", "w45": both runs include the heat wave, because a water class is chosen for the hottest days: a typical
 *   week rarely needs chillers at any class on a plant with its spare dry cooler, a canicule shows what W32 costs
 *   and what W45 saves.
 * - "cdu-failure": two CDUs of one row fail at the start of the typical summer week, no heat wave.
 * - "more-racks": the growth scenario, centred on the day it brings its new rows online (3 September, day 245).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { didYouMean } from "../model/diagnostics.ts";
import type { SiteFile } from "../model/schema.ts";
import type { Row, Site } from "../model/site.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import type { TwinResult } from "./results.ts";
import { simulate } from "./run.ts";
import { emptyScenario, parseScenario, resolveScenario, type Scenario } from "./scenario.ts";
import { epochOfYearTime, parseDuration, secondsPer, yearTimeOf } from "./time.ts";
import { valenceTypicalYear } from "./weather.ts";

/** The comparisons on offer. */
export const whatIfScenarios = ["heatwave", "cdu-failure", "w32", "w45", "more-racks"] as const;
/** One comparison. */
export type WhatIfScenario = (typeof whatIfScenarios)[number];

/** Longest window, days (the API's bound: a fortnight answers in seconds on the full site). */
export const maximumWhatIfDays = 14;

/** A run's key figures. Energies in MWh, water in m³, demand in MW, times in hours, WUE in L/kWh of IT. */
export interface WhatIfKpis {
  readonly pue: number;
  readonly itMWh: number;
  readonly facilityMWh: number;
  readonly chillerHours: number;
  /** Highest 10-minute mean grid demand. */
  readonly peakGridMW: number;
  readonly hoursAboveLimit: number;
  readonly throttledGpuHours: number;
  readonly waterM3: number;
  readonly wue: number;
  /** Highest facility water supply of any plant, °C. */
  readonly maxFwsSupplyC: number;
  /** Highest TCS supply of any row, °C. */
  readonly maxTcsSupplyC: number;
}

/** Hourly means of one run. */
export interface WhatIfSeries {
  readonly pue: number[];
  /** Mean over plants, °C. */
  readonly fwsSupplyC: number[];
  readonly facilityKW: number[];
}

/** Both runs' figures and hourly series. */
export interface WhatIfResult {
  readonly scenario: WhatIfScenario;
  readonly days: number;
  /** What the variant changes and over which days, in one line. */
  readonly description: string;
  readonly baseline: WhatIfKpis;
  readonly variant: WhatIfKpis;
  readonly series: {
    /** Start of each hour, epoch ms (the window's dates in the current year, at the site's wall clock). */
    readonly time: number[];
    readonly baseline: WhatIfSeries;
    readonly variant: WhatIfSeries;
  };
}

/** The variant of a comparison: the site it runs on, its scenario, the window and what it changes. */
interface Variant {
  readonly baseline: Scenario;
  readonly site: Site;
  readonly scenario: Scenario;
  readonly startS: number;
  readonly description: string;
}

const stepS = 60;

/** A shipped scenario's text and its YAML document (shipped files are known to parse). */
function readShipped(name: string): { path: string; text: string; events: Record<string, unknown>[] } {
  const path = resolveScenario(name)!;
  const text = readFileSync(path, "utf8");
  const document = parse(text) as { events?: Record<string, unknown>[] };
  return { path, text, events: document.events ?? [] };
}

/** Start of a `days`-long window centred on [focusStartS, focusEndS], in whole days within the year. */
function windowStart(focusStartS: number, focusEndS: number, days: number): number {
  const focusDays = Math.ceil((focusEndS - focusStartS) / secondsPer.d);
  const firstDay = Math.floor(focusStartS / secondsPer.d) - Math.floor(Math.max(0, days - focusDays) / 2);
  return Math.min(365 - days, Math.max(0, firstDay)) * secondsPer.d;
}

/** A date of the typical year as people read it ("19 July"). */
function dateOf(yearTimeS: number): string {
  return new Date(Date.UTC(2001, 0, 1) + yearTimeS * 1000).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    timeZone: "UTC",
  });
}

/** The heat wave of the shipped heat-wave scenario alone (its CDU trip is the "cdu-failure" comparison's subject). */
function heatWaveScenario(site: Site): Outcome<Scenario> {
  const shipped = readShipped("heat-wave");
  const events = shipped.events.filter((event) => "heatWave" in event);
  const parsed = parseScenario(JSON.stringify({ name: "heat wave", events }), shipped.path, site, undefined);
  return parsed.ok ? success(parsed.value.scenario) : parsed;
}

/** The GPU row whose N+1 CDU group has the most CDUs (the first of equals): where losing two hurts but may not trip. */
function failureRow(site: Site): Row | undefined {
  let chosen: Row | undefined;
  for (const row of site.rows) {
    let gpus = false;
    for (let rack = row.rackStart; rack < row.rackStart + row.rackCount; rack++) {
      if (site.rackTypes[site.racks[rack]!.typeIndex]!.gpusPerRack > 0) gpus = true;
    }
    if (!gpus || row.tcs.redundancy !== "N+1" || row.tcs.ids.length < 2) continue;
    if (chosen === undefined || row.tcs.ids.length > chosen.tcs.ids.length) chosen = row;
  }
  return chosen;
}

function variantOf(site: Site, file: SiteFile | undefined, scenario: WhatIfScenario, days: number): Outcome<Variant> {
  const window = (startS: number) => `${dateOf(startS)} to ${dateOf(startS + (days - 1) * secondsPer.d)}`;
  if (scenario === "more-racks") {
    if (file === undefined) return failure("more-racks: the growth scenario adds rows to the site file; pass it");
    const shipped = readShipped("growth");
    const parsed = parseScenario(shipped.text, shipped.path, site, file);
    if (!parsed.ok)
      return failure(`more-racks: the growth scenario does not apply to site ${site.id}: ${parsed.error}`);
    const added = shipped.events.find((event) => "moreRacks" in event);
    const online = parseDuration((added?.at ?? 0) as string | number, "at");
    if (!online.ok) return online;
    const startS = windowStart(online.value, online.value, days);
    const racks = parsed.value.site.racks.length - site.racks.length;
    const change = `${racks} more racks online on ${dateOf(online.value)}`;
    const description = `${parsed.value.scenario.name} (${change}), ${window(startS)}`;
    return success({
      baseline: emptyScenario,
      site: parsed.value.site,
      scenario: parsed.value.scenario,
      startS,
      description,
    });
  }
  // The summer comparisons share the heat wave's week.
  const heatWave = heatWaveScenario(site);
  if (!heatWave.ok) return heatWave;
  const wave = heatWave.value.heatWaves[0]!;
  const startS = windowStart(wave.startS, wave.startS + wave.days * secondsPer.d, days);
  const temperatures = `${wave.peakC} °C by day and ${wave.nightMinimumC} °C at night`;
  const waveText = `${wave.days} days at ${temperatures} from ${dateOf(wave.startS)}`;
  if (scenario === "heatwave") {
    const description = `heat wave of ${waveText}, ${window(startS)}`;
    return success({ baseline: emptyScenario, site, scenario: heatWave.value, startS, description });
  }
  if (scenario === "cdu-failure") {
    const row = failureRow(site);
    if (row === undefined) return failure(`cdu-failure: site ${site.id} has no GPU row with an N+1 group of 2+ CDUs`);
    const failed = row.tcs.ids.slice(0, 2);
    const text = JSON.stringify({ name: `${failed.join(" and ")} fail`, events: [{ at: startS, fail: failed }] });
    const parsed = parseScenario(text, "cdu-failure", site, undefined);
    if (!parsed.ok) return parsed;
    const group = `${row.tcs.id} (${row.tcs.ids.length} CDUs, N+1)`;
    const description = `${failed.join(" and ")} of ${group} fail at the start, ${window(startS)}`;
    return success({ baseline: emptyScenario, site, scenario: parsed.value.scenario, startS, description });
  }
  const shipped = readShipped(scenario);
  const parsed = parseScenario(shipped.text, shipped.path, site, undefined);
  if (!parsed.ok) return parsed;
  return success({
    baseline: heatWave.value,
    site,
    scenario: { ...parsed.value.scenario, heatWaves: heatWave.value.heatWaves },
    startS,
    description: `${parsed.value.scenario.name}, ${window(startS)}, both runs with the heat wave of ${waveText}`,
  });
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
    waterM3: kpis.waterM3,
    wue: kpis.wueLitersPerKWh,
    maxFwsSupplyC: kpis.maxFwsSupplyC,
    maxTcsSupplyC: kpis.maxTcsSupplyC,
  };
}

function seriesOf(result: TwinResult): WhatIfSeries {
  const { fields } = result.site;
  return {
    pue: Array.from(fields.pue!),
    fwsSupplyC: Array.from(fields.fwsSupplyC!),
    facilityKW: Array.from(fields.gridKw!),
  };
}

/**
 * Runs the site as it is and with `scenario` over the same `days` (1–14) of the Valence typical year of `seed`, and
 * compares them. `file` is the decoded site file, needed only by "more-racks" (the growth scenario re-expands the
 * site with rows appended). An unknown scenario, a bad day count or a scenario that does not apply to the site comes
 * back as an error value; a worker crash rejects.
 */
export async function runWhatIf(
  site: Site,
  scenario: WhatIfScenario,
  days = 7,
  seed = 1,
  file?: SiteFile,
): Promise<Outcome<WhatIfResult>> {
  if (!(whatIfScenarios as readonly string[]).includes(scenario)) {
    return failure(
      `unknown what-if "${scenario}"${didYouMean(scenario, whatIfScenarios)}; one of ${whatIfScenarios.join(", ")}`,
    );
  }
  if (!Number.isInteger(days) || days < 1 || days > maximumWhatIfDays) {
    return failure(`days: ${days} is not a whole number of days from 1 to ${maximumWhatIfDays}`);
  }
  const variant = variantOf(site, file, scenario, days);
  if (!variant.ok) return variant;
  const { startS } = variant.value;
  const common = {
    weather: valenceTypicalYear(seed),
    durationS: days * secondsPer.d,
    stepS,
    seriesIntervalS: secondsPer.h,
    startS,
    seed,
  };
  const baseline = await simulate({ ...common, site, scenario: variant.value.baseline });
  if (!baseline.ok) return baseline;
  const changed = await simulate({ ...common, site: variant.value.site, scenario: variant.value.scenario });
  if (!changed.ok) return changed;
  const { year } = yearTimeOf(Date.now(), site.timezone);
  const time = Array.from(baseline.value.site.timeS, (offsetS) =>
    epochOfYearTime(year, startS + offsetS, site.timezone),
  );
  return success({
    scenario,
    days,
    description: variant.value.description,
    baseline: kpisOf(baseline.value),
    variant: kpisOf(changed.value),
    series: { time, baseline: seriesOf(baseline.value), variant: seriesOf(changed.value) },
  });
}
