/**
 * `alixan simulate`: runs the digital twin over a site and prints its KPIs; optionally writes the time series (CSV,
 * JSON) and SVG charts. Bad durations, files or scenarios end as one line and an exit code, never a stack trace.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { fileTooLarge, readBoundedText } from "../../core/yaml.ts";
import { formatClock, type GridEvents, parseFrom, parseGridEvents } from "../../flex/events.ts";
import { heatReuseOf } from "../../flex/heat.ts";
import type { JobPlacements } from "../../flex/job-classes.ts";
import { type FlexibilityReport, simulateWithGridEvents } from "../../flex/metrics.ts";
import { type ShiftObjective, shiftObjectives } from "../../flex/shift.ts";
import { type ShiftingFigures, simulateShifting } from "../../flex/shift-run.ts";
import { formatDiagnostic } from "../../model/diagnostics.ts";
import { loadSite } from "../../model/load.ts";
import type { Site } from "../../model/site.ts";
import { formatNumber } from "../../model/units.ts";
import { OffsetUtilisation, type UtilisationSource } from "../../model/utilisation.ts";
import type { JobSpec } from "../../scheduler/jobs.ts";
import { readTraceFile } from "../../scheduler/traces/index.ts";
import { utilisationFromTrace } from "../../scheduler/utilisation.ts";
import { checkCalibration } from "../../twin/calibrate.ts";
import { implausibleLaw, type LoopLawShape } from "../../twin/loop.ts";
import { type Outcome, success } from "../../twin/outcome.ts";
import { readIntensityProfile, summaryOf, writeRun } from "../../twin/output.ts";
import { defaultAssumptions, type PlantAssumptions } from "../../twin/plant.ts";
import { defaultGridIntensity, type GridIntensity, type TwinResult } from "../../twin/results.ts";
import { type SimulationOptions, simulate } from "../../twin/run.ts";
import {
  emptyScenario,
  parseScenario,
  resolveScenario,
  type Scenario,
  scenarioWindowWarnings,
  shippedScenarios,
} from "../../twin/scenario.ts";
import { formatDuration, parseDuration } from "../../twin/time.ts";
import { maximumSamples, simulateUncertainty, type UncertaintySummary, uncertainKpis } from "../../twin/uncertainty.ts";
import { resolveWeather, type Weather } from "../../twin/weather.ts";
import { CliError, exitCodes, printJson, renderTable, startProgress, wantsJson } from "../output.ts";
import { loadQueues, rejectionLines } from "./schedule.ts";

/** Options as commander hands them over (strings until parsed). */
interface SimulateOptions {
  readonly site: string;
  readonly weather: string;
  readonly duration: string;
  readonly step: string;
  readonly resolution: string;
  readonly scenario?: string;
  readonly seed: string;
  readonly out?: string;
  readonly plot?: boolean;
  readonly rack: string[];
  /** `--loop-params FILE` (repeatable): calibrated loop laws from `twin calibrate` (one liquid, one air at most). */
  readonly loopParams: string[];
  readonly racks?: string;
  readonly jobs?: string;
  readonly queues?: string;
  readonly threads?: string;
  readonly gridIntensity: string;
  readonly uncertainty?: string;
  readonly from?: string;
  readonly gridEvents?: string;
  readonly shift?: string;
}

function unwrap<Value>(outcome: Outcome<Value>, exitCode: number): Value {
  if (!outcome.ok) throw new CliError(outcome.error, exitCode);
  return outcome.value;
}

function integerOption(text: string, name: string, minimum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new CliError(`${name}: "${text}" is not a whole number ≥ ${minimum}`, exitCodes.usage);
  }
  return value;
}

function gridIntensityOf(text: string): GridIntensity {
  const value = Number(text);
  if (text.trim() !== "" && Number.isFinite(value)) {
    if (value < 0 || value > 2000) {
      throw new CliError(`--grid-intensity: ${value} gCO2/kWh is outside 0…2000`, exitCodes.usage);
    }
    return value;
  }
  return unwrap(readIntensityProfile(text), exitCodes.invalid);
}

/** A ratio over IT energy; with none (every rack tripped or off) it is undefined, not "Infinity". */
function perIt(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : "n/a (no IT energy)";
}

function kpiTable(result: TwinResult): string {
  const { kpis } = result;
  const rows: [string, string, string][] = [
    ["PUE (EN 50600-4-2)", perIt(kpis.pue), ""],
    ["pPUE cooling", perIt(kpis.pPueCooling), ""],
    ["pPUE power", perIt(kpis.pPuePower), ""],
    ["WUE", perIt(kpis.wueLitersPerKWh), "L/kWh"],
    ["IT energy", formatNumber(kpis.itEnergyMWh), "MWh"],
    ["total energy", formatNumber(kpis.totalEnergyMWh), "MWh"],
    ["cooling energy", formatNumber(kpis.coolingEnergyMWh), "MWh"],
    ["  of which electrical-room cooling", formatNumber(kpis.electricalCoolingMWh), "MWh"],
    ["  of which air side (chilled water)", formatNumber(kpis.airSideCoolingMWh), "MWh"],
    ["    of which its compressors", formatNumber(kpis.airSideCompressorMWh), "MWh"],
    ["UPS + transformer + substation losses", formatNumber(kpis.powerLossEnergyMWh), "MWh"],
    ["  of which HV substation", formatNumber(kpis.substationLossMWh), "MWh"],
    ["house loads (lighting, offices, BMS)", formatNumber(kpis.houseEnergyMWh), "MWh"],
    ["PSU + rectifier losses (in IT)", formatNumber(kpis.conversionLossMWh), "MWh"],
    ["water (evaporated + make-up)", formatNumber(kpis.waterM3), "m³"],
    ["make-up water", formatNumber(kpis.makeUpWaterM3), "m³"],
    ["peak grid demand (10 min)", formatNumber(kpis.peakGridDemandMW), "MW"],
    ["trim-chiller hours (facility water)", formatNumber(kpis.chillerHours), "h"],
    ["hours above a temperature limit", formatNumber(kpis.hoursAboveLimit), "h"],
    ["max FWS / TCS supply", `${kpis.maxFwsSupplyC.toFixed(1)} / ${kpis.maxTcsSupplyC.toFixed(1)}`, "°C"],
    ["GPU-hours delivered", formatNumber(kpis.gpuHours), "h"],
    ["GPU-hours lost to throttling and trips", formatNumber(kpis.throttledGpuHours), "h"],
    ["rack-hours throttled (every type)", formatNumber(kpis.throttledRackHours), "h"],
    ["rack-hours tripped (every type)", formatNumber(kpis.trippedRackHours), "h"],
    ["  of which latched off after repeated trips", formatNumber(kpis.latchedRackHours), "h"],
    ["busy rack-hours lost (every type, CPU racks too)", formatNumber(kpis.lostBusyRackHours), "h"],
    ["CPU core-hours lost to throttling and trips", formatNumber(kpis.lostCpuCoreHours), "h"],
    ["CO2", formatNumber(kpis.co2Tonnes), `t (${formatNumber(kpis.gridIntensityGPerKWh)} g/kWh)`],
  ];
  return renderTable(
    [{ header: "KPI" }, { header: "value", align: "right" }, { header: "unit" }],
    rows.map((row) => [...row]),
  );
}

/** Server inlet hours per rack type against the ASHRAE TC9.9 envelopes (hours per installed rack). */
function inletTable(result: TwinResult): string {
  return renderTable(
    [
      { header: "server inlet" },
      { header: "air side" },
      { header: "h < 18 °C", align: "right" },
      { header: "h > 27 (rec.)", align: "right" },
      { header: "h > 32 (A1)", align: "right" },
      { header: "h > 35 (A2)", align: "right" },
      { header: "h > 40 (A3)", align: "right" },
      { header: "h > 45 (A4)", align: "right" },
    ],
    result.airInlet.map((row) => [
      row.rackType,
      row.airCooling,
      formatNumber(row.hoursBelowRecommended),
      formatNumber(row.hoursAbove.recommended),
      formatNumber(row.hoursAbove.A1),
      formatNumber(row.hoursAbove.A2),
      formatNumber(row.hoursAbove.A3),
      formatNumber(row.hoursAbove.A4),
    ]),
  );
}

/** Grid requests answered: requested against delivered, response, work lost, rebound. */
function flexibilityTable(report: FlexibilityReport): string {
  const rows = report.events.map((event) => [
    event.id,
    formatClock(event.startS),
    formatNumber(event.requestedMW),
    formatNumber(event.deliveredMW),
    event.responseS === null ? "not reached" : `${event.responseS.toFixed(0)} s`,
    formatDuration(event.durationS),
    formatNumber(event.protectedWorkLost),
    formatNumber(event.flexibleWorkLost + event.preemptedWorkLost),
    formatNumber(event.deferredGpuHours),
    formatNumber(event.reboundPeakMW),
  ]);
  const source =
    report.classSource === "fleet"
      ? "flexibility classes: the file's fleet shares by rack (synthetic load)"
      : `flexibility classes: the trace's jobs (${Object.entries(report.jobClasses?.byClass ?? {})
          .map(([name, count]) => `${count} ${name}`)
          .join(", ")}, ${report.jobClasses?.fromRack ?? 0} by their rack)`;
  return `${source}\n${renderTable(
    [
      { header: "request" },
      { header: "start" },
      { header: "requested MW", align: "right" },
      { header: "delivered MW", align: "right" },
      { header: "90 % reached", align: "right" },
      { header: "duration" },
      { header: "protected lost GPU-h", align: "right" },
      { header: "other lost GPU-h", align: "right" },
      { header: "deferred GPU-h", align: "right" },
      { header: "rebound peak MW", align: "right" },
    ],
    rows,
  )}`;
}

/** What shifting deferrable jobs saved against starting them at submission. */
function shiftingLine(figures: ShiftingFigures): string {
  const eur =
    figures.eurSaved === null
      ? "€ not priced (prices do not cover the run)"
      : `${formatNumber(figures.eurSaved)} € saved`;
  return (
    `shifting (${figures.objective}): ${figures.jobsShifted} of ${figures.deferrableJobs} deferrable jobs shifted ` +
    `(${formatNumber(figures.gpuHoursShifted)} GPU-h, mean delay ${figures.meanDelayH.toFixed(2)} h), ${eur}, ` +
    `${formatNumber(figures.tCO2Saved)} tCO2 saved, deadlines missed ${figures.deadlinesMissed} ` +
    `(${figures.baselineDeadlinesMissed} when started at submission), ${figures.otherJobsDelayed} other jobs ` +
    `started later (mean ${figures.otherMeanDelayH.toFixed(2)} h)`
  );
}

/** `--shift`: an objective, with the grid events and a trace to shift. */
function shiftObjectiveOf(options: SimulateOptions): ShiftObjective | undefined {
  if (options.shift === undefined) return undefined;
  if (!(shiftObjectives as readonly string[]).includes(options.shift)) {
    throw new CliError(`--shift: "${options.shift}" is not one of ${shiftObjectives.join(", ")}`, exitCodes.usage);
  }
  if (options.gridEvents === undefined) {
    throw new CliError("--shift: needs --grid-events FILE (its prices and carbon series)", exitCodes.usage);
  }
  if (options.jobs === undefined) {
    throw new CliError("--shift: needs --jobs TRACE (the workload whose deferrable jobs are shifted)", exitCodes.usage);
  }
  return options.shift as ShiftObjective;
}

/** The jobs of a trace file, or a CLI error naming it. */
function traceJobs(path: string): readonly JobSpec[] {
  const trace = readTraceFile(path);
  for (const item of trace.diagnostics.slice(0, 5)) process.stderr.write(`${path}: ${item.message}\n`);
  if (trace.rejected || trace.jobs.length === 0)
    throw new CliError(`--jobs: ${path}: no usable job`, exitCodes.invalid);
  return trace.jobs;
}

/** A calibrated loop law a run used, and the params.json it came from. */
interface UsedLoopLaw extends LoopLawShape {
  readonly params: string;
  /**
   * The calibration's integral time, s (null = ∞), when its law is `integral`: reported, not applied. The twin's
   * plants hold their set-points already, so only the law's shape (e, h) carries over.
   */
  readonly integralTimeNotAppliedS?: number | null;
}

/** The calibrated loop laws of `--loop-params`: the plant assumptions carrying them, and what the output reports. */
interface LoopLaws {
  readonly assumptions: PlantAssumptions;
  readonly used: { readonly facilityWater?: UsedLoopLaw; readonly airSide?: UsedLoopLaw };
}

/**
 * The loop laws of `--loop-params` (undefined without any): a liquid-loop calibration shapes the facility-water
 * pumps' flow, an air-loop one the air side's; each loop at most once.
 */
function loopLawsOf(files: readonly string[]): LoopLaws | undefined {
  if (files.length === 0) return undefined;
  const laws: { liquid?: UsedLoopLaw; air?: UsedLoopLaw } = {};
  for (const file of files) {
    let parsed: unknown;
    try {
      const text = readBoundedText(file, "json");
      const tooLarge = fileTooLarge(text, "json");
      if (tooLarge !== undefined) throw new CliError(`--loop-params: ${file}: ${tooLarge}`, exitCodes.invalid);
      // A byte-order mark (Windows editors) is no reason to refuse the file.
      parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`--loop-params: cannot read ${file}: ${(error as Error).message}`, exitCodes.invalid);
    }
    const calibration = unwrap(checkCalibration(parsed, file), exitCodes.invalid);
    if (laws[calibration.loop] !== undefined) {
      throw new CliError(`--loop-params: ${file}: a second ${calibration.loop}-loop calibration`, exitCodes.usage);
    }
    const { heatExponent, supplyTracking } = calibration.flowLaw;
    for (const warning of implausibleLaw(heatExponent, supplyTracking)) {
      process.stderr.write(`--loop-params: ${file}: ${warning}\n`);
    }
    const integral = calibration.integralControl;
    laws[calibration.loop] = {
      heatExponent,
      supplyTracking,
      params: file,
      ...(integral === undefined ? {} : { integralTimeNotAppliedS: integral.integralTimeS }),
    };
  }
  const shape = (law: UsedLoopLaw) => ({ heatExponent: law.heatExponent, supplyTracking: law.supplyTracking });
  return {
    assumptions: {
      ...defaultAssumptions,
      ...(laws.liquid === undefined ? {} : { facilityLoopLaw: shape(laws.liquid) }),
      ...(laws.air === undefined ? {} : { airLoopLaw: shape(laws.air) }),
    },
    used: {
      ...(laws.liquid === undefined ? {} : { facilityWater: laws.liquid }),
      ...(laws.air === undefined ? {} : { airSide: laws.air }),
    },
  };
}

/** One line naming the loop laws a run used. */
function loopLawsLine(used: LoopLaws["used"]): string {
  const describe = (law: UsedLoopLaw | undefined) =>
    law === undefined
      ? "the twin's design rise"
      : `e ${law.heatExponent.toFixed(3)}, h ${law.supplyTracking.toFixed(3)} (${law.params}${
          law.integralTimeNotAppliedS === undefined
            ? ""
            : `; its integral time ${law.integralTimeNotAppliedS === null ? "∞" : `${(law.integralTimeNotAppliedS / 86_400).toFixed(1)} d`} is not applied: the twin's plants hold their set-points`
        })`;
  return `loop laws: facility water ${describe(used.facilityWater)}; air side ${describe(used.airSide)}`;
}

/** What the options say, parsed and checked before any file is read. */
interface SimulateSettings {
  readonly json: boolean;
  readonly durationS: number;
  readonly stepS: number;
  readonly seriesIntervalS: number;
  readonly seed: number;
  readonly threads: number | undefined;
  readonly gridIntensity: GridIntensity;
  readonly shift: ShiftObjective | undefined;
  /** `--uncertainty N`: samples of the uncertain parameters, or a single run. */
  readonly samples: number | undefined;
  readonly loopLaws: LoopLaws | undefined;
}

/** Parses the options and refuses combinations that cannot run, before anything is loaded. */
function simulateSettings(options: SimulateOptions, command: Command): SimulateSettings {
  const json = wantsJson(command);
  const durationS = unwrap(parseDuration(options.duration, "--duration"), exitCodes.usage);
  const stepS = unwrap(parseDuration(options.step, "--step"), exitCodes.usage);
  const seriesIntervalS = unwrap(parseDuration(options.resolution, "--resolution"), exitCodes.usage);
  const seed = integerOption(options.seed, "--seed", 0);
  const threads = options.threads === undefined ? undefined : integerOption(options.threads, "--threads", 1);
  const gridIntensity = gridIntensityOf(options.gridIntensity);
  const shift = shiftObjectiveOf(options);
  if (options.racks !== undefined && options.racks !== "all") {
    throw new CliError(
      `--racks: "${options.racks}" is not "all" (use --rack ID, repeatable, for some racks)`,
      exitCodes.usage,
    );
  }
  const samples =
    options.uncertainty === undefined ? undefined : integerOption(options.uncertainty, "--uncertainty", 2);
  if (samples !== undefined) {
    if (samples > maximumSamples) {
      throw new CliError(`--uncertainty: ${samples} samples is more than ${maximumSamples}`, exitCodes.usage);
    }
    const clash = [
      options.racks === undefined ? undefined : "--racks",
      options.rack.length === 0 ? undefined : "--rack",
      options.plot === true ? "--plot" : undefined,
      options.gridEvents === undefined ? undefined : "--grid-events",
      options.shift === undefined ? undefined : "--shift",
    ].find((name) => name !== undefined);
    if (clash !== undefined) {
      throw new CliError(`--uncertainty: ${clash} is not available with uncertainty runs`, exitCodes.usage);
    }
  }
  if (options.racks === "all" && options.out === undefined) {
    throw new CliError("--racks all: needs --out DIR (it writes DIR/racks.csv)", exitCodes.usage);
  }
  if (options.rack.length > 0 && options.out === undefined) {
    // Without a directory the series had nowhere to go and the option did nothing, silently.
    throw new CliError("--rack: needs --out DIR (it writes each rack's series to DIR/rack.csv)", exitCodes.usage);
  }
  const loopLaws = loopLawsOf(options.loopParams);
  return { json, durationS, stepS, seriesIntervalS, seed, threads, gridIntensity, shift, samples, loopLaws };
}

/** The site (with its scenario applied), weather, scenario, start and job load a run uses. */
interface SimulateInputs {
  readonly site: Site;
  readonly weather: Weather;
  readonly scenario: Scenario;
  readonly startS: number;
  /** Racks' utilisation from a scheduled trace (`--jobs`), else the twin's profiles. */
  readonly load: UtilisationSource | undefined;
  /** Where the trace's jobs run, for a curtailment's classes. */
  readonly placements: JobPlacements | undefined;
  /** The trace's jobs, scheduled by the shifting run itself (`--jobs` with `--shift`). */
  readonly shiftJobs: readonly JobSpec[] | undefined;
}

/** Loads the site, weather and scenario, and schedules the trace's jobs on the site when one is given. */
function simulateInputs(options: SimulateOptions, settings: SimulateSettings): SimulateInputs {
  const { json, durationS, seed, shift, loopLaws } = settings;
  const loaded = loadSite(options.site);
  const firstError = loaded.diagnostics.find((item) => item.severity === "error");
  if (!loaded.ok || loaded.site === undefined) {
    const message = firstError === undefined ? `site ${options.site} cannot be loaded` : formatDiagnostic(firstError);
    throw new CliError(`${options.site}: ${message}`, exitCodes.invalid);
  }
  const weather = unwrap(
    resolveWeather(options.weather, seed),
    options.weather === "valence" || options.weather.toLowerCase().endsWith(".epw")
      ? exitCodes.invalid
      : exitCodes.usage,
  );
  let site = loaded.site;
  const airLaw = loopLaws?.used.airSide;
  if (airLaw !== undefined && !site.plants.some((plant) => plant.airSide !== undefined)) {
    // The law is carried (and reported), but nothing on this site follows it: say so rather than look applied.
    process.stderr.write(
      `--loop-params: ${airLaw.params}: warning: site ${site.id} has no air-side loop (no plant declares airSide): this air-loop law has no effect\n`,
    );
  }
  let scenario = emptyScenario;
  if (options.scenario !== undefined) {
    const path = resolveScenario(options.scenario);
    if (path === undefined) {
      throw new CliError(
        `--scenario: no shipped scenario or file named "${options.scenario}" (shipped: ${shippedScenarios.join(", ")})`,
        exitCodes.invalid,
      );
    }
    let text: string;
    try {
      text = readBoundedText(path, "scenario");
    } catch (error) {
      throw new CliError(`cannot read scenario ${path}: ${(error as Error).message}`, exitCodes.invalid);
    }
    const parsed = unwrap(parseScenario(text, options.scenario, site, loaded.file), exitCodes.invalid);
    site = parsed.site;
    scenario = parsed.scenario;
    for (const warning of parsed.warnings) process.stderr.write(`${warning}\n`);
  }

  const startS = options.from === undefined ? 0 : unwrap(parseFrom(options.from, site.timezone), exitCodes.usage);
  for (const warning of scenarioWindowWarnings(scenario, startS, startS + durationS)) {
    process.stderr.write(`--scenario ${options.scenario}: ${warning}\n`);
  }
  if (options.queues !== undefined && options.jobs === undefined) {
    throw new CliError("--queues: needs --jobs TRACE (the queues its jobs are scheduled in)", exitCodes.usage);
  }
  if (options.queues !== undefined && shift !== undefined) {
    throw new CliError(
      "--queues: not available with --shift (its schedules use one queue per trace queue)",
      exitCodes.usage,
    );
  }
  const queues = options.queues === undefined ? undefined : loadQueues(options.queues);
  const inputs = { site, weather, scenario, startS, load: undefined, placements: undefined, shiftJobs: undefined };
  if (options.jobs === undefined) return inputs;
  if (shift !== undefined) return { ...inputs, shiftJobs: traceJobs(options.jobs) };
  // The trace is scheduled on the site first; its placements then set each rack's utilisation over time.
  const scheduled = utilisationFromTrace(site, options.jobs, queues === undefined ? {} : { queues });
  for (const line of scheduled.diagnostics.slice(0, 5)) process.stderr.write(`${options.jobs}: ${line}\n`);
  if (!scheduled.ok) throw new CliError(`--jobs: ${scheduled.error}`, exitCodes.invalid);
  if (!json) {
    process.stderr.write(
      `--jobs: ${scheduled.metrics.jobs.submitted} jobs scheduled on ${site.id}, mean GPU allocation ${(scheduled.metrics.gpuAllocation.mean * 100).toFixed(1)} %\n`,
    );
  }
  // Jobs the site can never run (GPU models it lacks) leave their racks idle: say so, or the KPIs look like a
  // quiet site's for no visible reason.
  for (const line of rejectionLines(scheduled.jobs)) process.stderr.write(`--jobs: ${line}\n`);
  return {
    ...inputs,
    // The trace's time 0 is the start of the run (the twin's clock is seconds into the typical year).
    load: startS === 0 ? scheduled.source : new OffsetUtilisation(scheduled.source, startS),
    // A curtailment takes each rack's class from the jobs on it (their queues' classes and their own).
    placements: {
      changes: scheduled.source.changes,
      jobs: scheduled.jobs.map((job) => job.spec),
      queues,
      offsetS: startS,
    },
  };
}

/** A single run's result, with what a curtailment or shifting reported and the per-rack CSV it wrote. */
interface SimulateRun {
  readonly result: TwinResult;
  readonly flexibility: FlexibilityReport | undefined;
  readonly shifting: ShiftingFigures | undefined;
  readonly racksCsvPath: string | undefined;
}

/** Reads the grid events (if any) and runs the twin once: plain, under the events, or shifting work. */
async function runOnce(
  options: SimulateOptions,
  settings: SimulateSettings,
  inputs: SimulateInputs,
): Promise<SimulateRun> {
  const { json, durationS, stepS, seed, seriesIntervalS, gridIntensity, threads, shift } = settings;
  const { site, weather, scenario, startS, load, placements, shiftJobs } = inputs;
  const assumptions = settings.loopLaws?.assumptions;
  const steps = Math.round(durationS / stepS);
  const progress = startProgress(
    `simulate ${site.id} ${formatDuration(durationS)} @ ${formatDuration(stepS)}`,
    steps,
    !json && process.stderr.isTTY === true,
  );
  let racksCsvPath: string | undefined;
  if (options.racks === "all") {
    mkdirSync(options.out!, { recursive: true });
    racksCsvPath = join(options.out!, "racks.csv");
  }
  let gridEvents: GridEvents | undefined;
  if (options.gridEvents !== undefined) {
    let text: string;
    try {
      text = readBoundedText(options.gridEvents, "gridEvents");
    } catch (error) {
      throw new CliError(
        `--grid-events: cannot read ${options.gridEvents}: ${(error as Error).message}`,
        exitCodes.invalid,
      );
    }
    const clock = { startS, durationS, timeZone: site.timezone };
    gridEvents = unwrap(parseGridEvents(text, options.gridEvents, clock), exitCodes.invalid);
  }
  let outcome: Outcome<TwinResult>;
  let flexibility: FlexibilityReport | undefined;
  let shifting: ShiftingFigures | undefined;
  try {
    const simulation: SimulationOptions = {
      site,
      startS,
      weather,
      durationS,
      stepS,
      seed,
      scenario,
      seriesIntervalS,
      gridIntensity,
      ...(options.rack.length === 0 ? {} : { rackIds: options.rack }),
      ...(racksCsvPath === undefined ? {} : { racksCsvPath }),
      ...(load === undefined ? {} : { load }),
      ...(threads === undefined ? {} : { threads }),
      ...(assumptions === undefined ? {} : { assumptions }),
      onProgress: (done) => progress.update(done),
    };
    if (gridEvents !== undefined && shift !== undefined && shiftJobs !== undefined) {
      const shifted = await simulateShifting(simulation, shiftJobs, gridEvents, shift, gridIntensity);
      outcome = shifted.ok ? success(shifted.value.result) : shifted;
      if (shifted.ok) {
        flexibility = shifted.value.flexibility;
        shifting = shifted.value.flexibility.shifting;
      }
    } else if (gridEvents === undefined) outcome = await simulate(simulation);
    else {
      const both = await simulateWithGridEvents(simulation, gridEvents, placements);
      for (const refusal of both.ok ? (both.value.flexibility.jobClasses?.refusals ?? []) : [])
        process.stderr.write(`${options.jobs}: ${refusal}; ignored (the job takes its queue's class, or its rack's)\n`);
      outcome = both.ok ? success(both.value.result) : both;
      if (both.ok) flexibility = both.value.flexibility;
    }
  } finally {
    progress.stop();
  }
  return { result: unwrap(outcome, exitCodes.usage), flexibility, shifting, racksCsvPath };
}

/** Writes the run's files (`--out`, `--plot`) and prints its figures: JSON, or tables and lines. */
function printRun(
  options: SimulateOptions,
  settings: SimulateSettings,
  site: Site,
  startS: number,
  run: SimulateRun,
): void {
  const { result, flexibility, shifting, racksCsvPath } = run;
  const loopLaws = settings.loopLaws;
  const directory = options.out ?? (options.plot === true ? join("out", "simulate") : undefined);
  const written = directory === undefined ? [] : writeRun(result, directory, options.plot === true);
  if (racksCsvPath !== undefined) written.push(racksCsvPath);
  if (settings.json) {
    const heatReuse = heatReuseOf(site, result, startS);
    printJson({
      ...summaryOf(result),
      ...(flexibility === undefined ? {} : { flexibility }),
      ...(heatReuse === undefined ? {} : { heatReuse }),
      ...(loopLaws === undefined ? {} : { loopLaws: loopLaws.used }),
      files: written,
    });
    return;
  }
  if (loopLaws !== undefined) process.stdout.write(`${loopLawsLine(loopLaws.used)}\n`);
  process.stdout.write(
    `${result.siteId}: ${formatDuration(result.durationS)} at ${formatDuration(result.stepS)} steps, ${result.weather}, scenario ${result.scenario}, ${result.threads} thread(s)\n`,
  );
  process.stdout.write(`${kpiTable(result)}\n`);
  process.stdout.write(`${inletTable(result)}\n`);
  if (flexibility !== undefined) process.stdout.write(`${flexibilityTable(flexibility)}\n`);
  if (shifting !== undefined) process.stdout.write(`${shiftingLine(shifting)}\n`);
  const heat = heatReuseOf(site, result, startS);
  if (heat !== undefined) {
    process.stdout.write(
      `heat reuse: ${formatNumber(heat.deliveredHeatMWh)} MWh delivered of ${formatNumber(heat.contractedHeatMWh)} contracted, ${formatNumber(heat.reusedHeatMWh)} MWh from the loops (E_REUSE) at ${heat.meanReuseTemperatureC.toFixed(1)} °C, heat pumps ${formatNumber(heat.heatPumpEnergyMWh)} MWh (COP ${heat.meanCop.toFixed(2)}), ERF ${heat.erf.toFixed(4)}${heat.revenueEur === undefined ? "" : `, revenue ${formatNumber(heat.revenueEur)} €`}\n`,
    );
  }
  if (written.length > 0) process.stdout.write(`wrote ${written.length} files to ${directory}\n`);
}

/** `alixan simulate`: checks the options, loads the inputs, runs (once, or N uncertainty samples) and prints. */
async function runSimulate(options: SimulateOptions, command: Command): Promise<void> {
  const settings = simulateSettings(options, command);
  const inputs = simulateInputs(options, settings);
  const { samples, loopLaws } = settings;
  if (samples !== undefined) {
    const { site, weather, scenario, load } = inputs;
    await runUncertainty(
      {
        site,
        weather,
        durationS: settings.durationS,
        stepS: settings.stepS,
        seed: settings.seed,
        scenario,
        seriesIntervalS: settings.seriesIntervalS,
        gridIntensity: settings.gridIntensity,
        ...(load === undefined ? {} : { load }),
        ...(settings.threads === undefined ? {} : { threads: settings.threads }),
        ...(loopLaws?.assumptions === undefined ? {} : { assumptions: loopLaws.assumptions }),
      },
      samples,
      {
        json: settings.json,
        out: options.out,
        ...(loopLaws === undefined ? {} : { loopLaws: loopLaws.used }),
      },
    );
    return;
  }
  const run = await runOnce(options, settings, inputs);
  printRun(options, settings, inputs.site, inputs.startS, run);
}

/** Runs the uncertainty samples and prints (or writes) their percentiles. */
async function runUncertainty(
  options: Parameters<typeof simulateUncertainty>[0],
  samples: number,
  output: { json: boolean; out: string | undefined; loopLaws?: LoopLaws["used"] },
): Promise<void> {
  const progress = startProgress(
    `simulate ${options.site.id}: ${samples} uncertainty samples of ${formatDuration(options.durationS)} @ ${formatDuration(options.stepS)}`,
    samples,
    !output.json && process.stderr.isTTY === true,
  );
  let outcome: Outcome<UncertaintySummary>;
  try {
    outcome = await simulateUncertainty(options, samples, options.seed ?? 1, (done) => progress.update(done));
  } finally {
    progress.stop();
  }
  const summary = unwrap(outcome, exitCodes.usage);
  const document = {
    site: options.site.id,
    weather: options.weather.name,
    scenario: options.scenario?.name ?? "baseline",
    stepS: options.stepS,
    durationS: options.durationS,
    seed: options.seed ?? 1,
    ...(output.loopLaws === undefined ? {} : { loopLaws: output.loopLaws }),
    uncertainty: summary,
  };
  const written: string[] = [];
  if (output.out !== undefined) {
    mkdirSync(output.out, { recursive: true });
    const path = join(output.out, "uncertainty.json");
    writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
    written.push(path);
  }
  if (output.json) {
    printJson({ ...document, files: written });
    return;
  }
  process.stdout.write(
    `${options.site.id}: ${samples} samples of ${formatDuration(options.durationS)} at ${formatDuration(options.stepS)} steps, ${options.weather.name}, seed ${options.seed ?? 1}\n`,
  );
  const digits = { pue: 3, wueLitersPerKWh: 3, peakGridDemandMW: 3, chillerHours: 1 } as const;
  process.stdout.write(
    `${renderTable(
      [
        { header: "KPI" },
        { header: "P10", align: "right" },
        { header: "P50", align: "right" },
        { header: "P90", align: "right" },
        { header: "unit" },
      ],
      (Object.keys(uncertainKpis) as (keyof typeof uncertainKpis)[]).map((name) => {
        const { p10, p50, p90 } = summary.percentiles[name];
        return [name, ...[p10, p50, p90].map((value) => value.toFixed(digits[name])), uncertainKpis[name]];
      }),
    )}\n`,
  );
  process.stdout.write(
    `${renderTable(
      [
        { header: "sampled figure" },
        { header: "low", align: "right" },
        { header: "high", align: "right" },
        { header: "from" },
      ],
      summary.ranges.map((range) => [range.name, String(range.low), String(range.high), range.source]),
    )}\n`,
  );
  if (written.length > 0) process.stdout.write(`wrote ${written[0]}\n`);
}

/** Adds `simulate` to the program. */
export function registerSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description("simulate the site over time, from rack load to outdoor air, and report PUE, WUE and more")
    .option("--site <name|file>", "shipped site (alixan, phase-1, lab) or a site file", "alixan")
    .option("--weather <valence|file.epw>", "the built-in Valence typical year or an EPW weather file", "valence")
    .option("--duration <duration>", "simulated time, such as 1y, 30d or 36h", "1y")
    .option("--step <duration>", "time step, such as 60s, 1s or 15m", "60s")
    .option("--resolution <duration>", "time-series resolution (a multiple of the step)", "1h")
    .option(
      "--scenario <name|file>",
      `scenario YAML (failures, set-points, heat wave, more racks…) or ${shippedScenarios.join(", ")}`,
    )
    .option("--seed <n>", "seed of the synthetic weather and load", "1")
    .option("--out <dir>", "write KPIs and time series (CSV, JSON) to this directory")
    .option("--plot", "also write SVG charts (to --out, or out/simulate)")
    .option(
      "--rack <id>",
      "also record the series of this rack (repeat for more; written to rack.csv with --out)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--loop-params <file>",
      "a params.json from `twin calibrate`: its liquid loop's law drives the facility-water pumps, an air loop's the air side's (repeat for both)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--racks <all>",
      "stream every rack's series to DIR/racks.csv (time,rack,powerKW,utilisation,returnC,throttle) at --resolution",
    )
    .option(
      "--jobs <trace>",
      "drive rack load by scheduling this job trace (openb CSV, SWF or alixan JSON) on the site",
    )
    .option(
      "--queues <file>",
      "with --jobs: queue file (YAML) the trace is scheduled in; its queues' flexibility classes answer --grid-events",
    )
    .option("--threads <n>", "worker threads (default: one per core, at most one per cooling plant)")
    .option(
      "--grid-intensity <g|file>",
      "grid carbon intensity: gCO2/kWh or an hourly profile file (24 values for a day, 168 for a week from Monday 00:00, 8,760 or 8,784 for a year; last column of each line)",
      String(defaultGridIntensity),
    )
    .option(
      "--uncertainty <n>",
      `run n samples (2–${maximumSamples}) of the uncertain plant figures and report P10/P50/P90 of PUE, WUE, peak demand, chiller hours`,
    )
    .option("--from <date>", "start at this date or date-time on the site's clock (2026-07-15, 2026-07-15T16:30)")
    .option(
      "--grid-events <file>",
      "answer the grid requests of this YAML/JSON file (curtailments, prices, EcoWatt levels); runs with and without",
    )
    .option(
      "--shift <price|carbon|both>",
      "with --grid-events and --jobs: hold deferrable jobs for their cheapest / lowest-carbon hours within their deadlines, and report € and tCO2 saved against starting them at submission",
    )
    .action(async (options: SimulateOptions, command: Command) => runSimulate(options, command));
}
