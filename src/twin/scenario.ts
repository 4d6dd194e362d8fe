/**
 * Scenarios: what happens to the site during a run, written in YAML. Each event has a time `at` (a duration from the
 * start: `36h`, `2d14h`) and one action:
 *
 * ```yaml
 * name: CDU trip in a heat wave
 * events:
 *   - { at: 200d, heatWave: { days: 4, peakC: 40, nightMinimumC: 24 } }
 *   - { at: 201d14h, fail: cdu:h1-r001-01 }          # a unit id, a list, or a prefix ending in *
 *   - { at: 201d16h, repair: cdu:h1-r001-01 }
 *   - { at: 201d17h, restartRacks: row:h1-r001 }      # operator restart of racks latched off; a list or prefix *
 *   - { at: 0, setpoint: { waterClass: W45 } }         # or fwsSupplyC / tcsSupplyC, optional plant
 *   - { at: 90d, fouling: { approachIncreaseK: 2 } }  # dry cooler coils, optional plant
 *   - { at: 0, adiabatic: { enabled: true } }
 *   - { at: 0, coolantLimit: { rackType: nvl72, maxCoolantSupplyC: 50 } }  # racks rated for hotter coolant
 *   - { at: 0, occupancy: { from: 0.3, to: 1, until: 180d, rackType: hgx } }
 *   - { at: 60d, moreRacks: { hall: hall:h1, rows: [{ pattern: hgx-row, count: 2 }] } }
 * ```
 *
 * Failable units: CDUs (`cdu:…`), facility water pumps (`pump:lab-fws-01`), dry coolers, trim chillers, the air
 * side's pumps (`pump:lab-air-01`) and chillers (`chiller:lab-air-01`), and the halls' air handlers (`crah:h1-01`).
 *
 * Loading checks every field and reference against the site and returns the first problem as one line
 * `file:line: events[3].fail: …`. "More racks" re-expands the site file with the rows appended to the hall.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LineCounter } from "yaml";
import { isRecord } from "../core/records.ts";
import { parseYamlDocument, yamlValue } from "../core/yaml.ts";
import { DiagnosticSink, didYouMean, formatDiagnostic, formatPath } from "../model/diagnostics.ts";
import { siteUnits, type UnitKind } from "../model/equipment.ts";
import { expandSite } from "../model/expand.ts";
import type { RowEntrySpec, SiteFile } from "../model/schema.ts";
import { facilityWaterClassLimitC } from "../model/schema.ts";
import { checkSchema } from "../model/schema-check.ts";
import type { Site } from "../model/site.ts";
import { validateSite } from "../model/validate.ts";
import { siteSegments } from "./layout.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import {
  type ScenarioAction,
  type ScenarioEventSpec,
  type ScenarioFile,
  ScenarioFileSchema,
  scenarioActions,
} from "./scenario-schema.ts";
import { parseDuration } from "./time.ts";
import type { HeatWave } from "./weather.ts";

// Where the site's failable units are listed: the twin's scenarios, what-ifs and live twin read them from here.
export { siteUnits, type UnitKind };

/** The failable units in words, for messages naming an id that matches none. */
export const failableUnitsText =
  "CDU, pump (facility water or air side), dry cooler, chiller or hall air handler (CRAH)";

/** A change applied between steps, with site-wide indexes (rows for CDUs, plants otherwise). */
export type TwinEvent =
  | {
      readonly timeS: number;
      readonly kind: "unit";
      readonly unit: UnitKind;
      /** Site row index for a CDU, hall index for a CRAH, plant index otherwise. */
      readonly index: number;
      readonly delta: number;
    }
  | {
      readonly timeS: number;
      readonly kind: "setpoint";
      readonly plant: number;
      readonly fwsSupplyC: number;
      /** NaN keeps each row's margin over the facility supply. */
      readonly tcsSupplyC: number;
      readonly classLimitC: number;
    }
  | { readonly timeS: number; readonly kind: "fouling"; readonly plant: number; readonly approachIncreaseK: number }
  | { readonly timeS: number; readonly kind: "adiabatic"; readonly plant: number; readonly enabled: boolean }
  | {
      readonly timeS: number;
      /** An operator restarts the racks of a row latched off after repeated trips. */
      readonly kind: "restartRacks";
      /** Site row index. */
      readonly row: number;
    }
  | {
      readonly timeS: number;
      readonly kind: "coolantLimit";
      /** Rack type index, or −1 for every type. */
      readonly typeIndex: number;
      readonly maxCoolantSupplyC: number;
    };

/** Occupancy of some segments moving linearly from `from` at `startS` to `to` at `endS` (a step when equal). */
export interface OccupancyRamp {
  readonly startS: number;
  readonly endS: number;
  readonly from: number;
  readonly to: number;
  /** Site-wide segment indexes. */
  readonly segments: Int32Array;
}

/** A compiled scenario: plain data, safe to send to workers. */
export interface Scenario {
  readonly name: string;
  /** Sorted by time. */
  readonly events: readonly TwinEvent[];
  readonly ramps: readonly OccupancyRamp[];
  readonly heatWaves: readonly HeatWave[];
}

/** A loaded scenario with the site it applies to (re-expanded when it adds racks) and the site's findings. */
export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly site: Site;
  /** Validation findings on a site changed by "more racks" (an overloaded plant is a finding, not an error). */
  readonly warnings: readonly string[];
}

/** Most shape problems one load reports (the rest are counted). */
const maximumProblemsShown = 20;

/** Scenarios shipped with alixan for the Alixan site, in `src/twin/scenarios/`. */
export const shippedScenarios = ["heat-wave", "cdu-failure", "w32", "w45", "growth"] as const;

/** Path of a shipped scenario by name, or of a file; undefined when neither exists. */
export function resolveScenario(nameOrPath: string): string | undefined {
  if ((shippedScenarios as readonly string[]).includes(nameOrPath)) {
    return join(dirname(fileURLToPath(import.meta.url)), "scenarios", `${nameOrPath}.yaml`);
  }
  const path = resolve(nameOrPath);
  return existsSync(path) ? path : undefined;
}

/**
 * What a scenario's times mean for a run window [`startS`, `endS`) (seconds from 1 January 00:00 of the simulated
 * year, the twin's time axis): scenario times count from that origin, not from `--from`, so the shipped scenarios
 * stay on their calendar days. One warning per change that falls outside the window: before it, a unit change or
 * set-point applies from the first step and a heat wave or ramp over by then has no effect; after it, nothing
 * happens. Empty when every change falls inside.
 */
export function scenarioWindowWarnings(scenario: Scenario, startS: number, endS: number): string[] {
  // In the scenario's own notation (`at: 196d`), so the user can compare with the file.
  const day = (timeS: number) => `${Number((timeS / 86_400).toFixed(2))}d`;
  const window = `the run covers at ${day(startS)} to ${day(endS)} (scenario times count from 1 January 00:00)`;
  const warnings: string[] = [];
  const early = scenario.events.filter((event) => event.timeS < startS).length;
  const late = scenario.events.filter((event) => event.timeS >= endS).length;
  if (early > 0) warnings.push(`${early} change(s) dated before the run starts apply from its first step: ${window}`);
  if (late > 0) warnings.push(`${late} change(s) dated after the run ends never happen: ${window}`);
  for (const wave of scenario.heatWaves) {
    const waveEndS = wave.startS + wave.days * 86_400;
    if (waveEndS <= startS || wave.startS >= endS) {
      warnings.push(
        `the heat wave at ${day(wave.startS)} to ${day(waveEndS)} lies outside the run: no effect; ${window}`,
      );
    }
  }
  const outside = scenario.ramps.filter((ramp) => ramp.startS >= endS).length;
  if (outside > 0) warnings.push(`${outside} occupancy change(s) dated after the run ends never happen: ${window}`);
  return warnings;
}

/** The empty scenario. */
export const emptyScenario: Scenario = { name: "baseline", events: [], ramps: [], heatWaves: [] };

/** A problem at a path of the scenario document. */
class ScenarioProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  constructor(path: readonly (string | number)[], message: string) {
    this.path = path;
    this.message = message;
  }
}

/** An event checked by the schema, with its time in seconds and its one action. */
interface CheckedEvent {
  readonly index: number;
  readonly timeS: number;
  readonly action: ScenarioAction;
  readonly spec: ScenarioEventSpec;
}

/** A duration field in seconds, or a problem at its path. */
function seconds(raw: string | number, path: readonly (string | number)[]): number {
  const parsed = parseDuration(raw, formatPath(path));
  if (!parsed.ok) throw new ScenarioProblem(path, parsed.error.replace(/^[^:]*: /, ""));
  return parsed.value;
}

function plantsOf(site: Site, plantId: string | undefined, path: readonly (string | number)[]): number[] {
  if (plantId === undefined) return site.plants.map((plant) => plant.index);
  const plant = site.plants.find((candidate) => candidate.id === plantId);
  if (plant === undefined) {
    const known = site.plants.map((candidate) => candidate.id);
    throw new ScenarioProblem(
      [...path, "plant"],
      `unknown plant "${plantId}"${didYouMean(plantId, known)}; known: ${known.slice(0, 8).join(", ")}`,
    );
  }
  return [plant.index];
}

/** Index of a rack type named by an event, −1 when it names none, or a problem at its path. */
function rackTypeIndex(site: Site, rackType: string | undefined, path: readonly (string | number)[]): number {
  if (rackType === undefined) return -1;
  const typeIndex = site.rackTypes.findIndex((type) => type.id === rackType);
  if (typeIndex < 0) {
    const known = site.rackTypes.map((type) => type.id);
    throw new ScenarioProblem([...path, "rackType"], `unknown rack type "${rackType}"${didYouMean(rackType, known)}`);
  }
  return typeIndex;
}

/** Appends "more racks" rows to the site file and re-expands it; returns the site and the new segment ranges. */
function addRacks(
  file: SiteFile,
  additions: readonly CheckedEvent[],
): { site: Site; warnings: string[]; newRows: { event: CheckedEvent; hallId: string; rows: number }[] } {
  const changed = structuredClone(file);
  const newRows: { event: CheckedEvent; hallId: string; rows: number }[] = [];
  for (const event of additions) {
    const hallId = event.spec.moreRacks!.hall;
    // Checked against the site schema's row entry; `deepPartial` leaves TypeBox without a static type for it.
    const rows = event.spec.moreRacks!.rows as RowEntrySpec[];
    const hall = changed.halls.find((candidate) => candidate.id === hallId);
    if (hall === undefined) {
      const known = changed.halls.map((candidate) => candidate.id);
      throw new ScenarioProblem(
        ["events", event.index, "moreRacks", "hall"],
        `unknown hall "${hallId}"${didYouMean(hallId, known)}`,
      );
    }
    const template = hall.template === undefined ? undefined : changed.hallTemplates[hall.template];
    const existing = hall.rows ?? template?.rows ?? [];
    hall.rows = [...existing, ...rows];
    let added = 0;
    for (const entry of rows) added += entry.count ?? 1;
    newRows.push({ event, hallId, rows: added });
  }
  const sink = new DiagnosticSink();
  const site = expandSite(changed, sink);
  const firstError = sink.items.find((item) => item.severity === "error");
  if (firstError !== undefined) {
    const event = newRows[0]!.event;
    throw new ScenarioProblem(
      ["events", event.index, "moreRacks", "rows"],
      `site does not expand: ${firstError.message}`,
    );
  }
  validateSite(site, sink);
  return { site, warnings: sink.items.map((item) => formatDiagnostic(item)), newRows };
}

/** The events of a file checked by its schema: each with its time and its one action. */
function checkedEvents(file: ScenarioFile): CheckedEvent[] {
  return (file.events ?? []).map((spec, index) => {
    const path = ["events", index];
    const present = scenarioActions.filter((action) => spec[action] !== undefined);
    if (present.length !== 1) {
      throw new ScenarioProblem(
        path,
        `needs exactly one action (${scenarioActions.join(", ")}), found ${present.length === 0 ? "none" : present.join(" and ")}`,
      );
    }
    return { index, timeS: seconds(spec.at, [...path, "at"]), action: present[0]!, spec };
  });
}

/** The racks "more racks" events add: the site re-expanded and a step ramp bringing each addition online. */
function grownSite(
  events: readonly CheckedEvent[],
  file: SiteFile | undefined,
  baseSite: Site,
): { site: Site; warnings: string[]; ramps: OccupancyRamp[] } {
  const additions = events.filter((event) => event.action === "moreRacks");
  if (additions.length === 0) return { site: baseSite, warnings: [], ramps: [] };
  if (file === undefined) {
    throw new ScenarioProblem(["events", additions[0]!.index, "moreRacks"], "needs the site file to add racks");
  }
  const grown = addRacks(file, additions);
  const segments = siteSegments(grown.site);
  const ramps: OccupancyRamp[] = [];
  for (const { event, hallId, rows } of grown.newRows) {
    const hall = grown.site.halls.find((candidate) => candidate.id === hallId)!;
    const lastRow = hall.rowStart + hall.rowCount;
    const firstRow = lastRow - rows;
    const added: number[] = [];
    segments.forEach((segment, index) => {
      if (segment.rowIndex >= firstRow && segment.rowIndex < lastRow) added.push(index);
    });
    // The racks exist in the layout from the start, unpowered until they come online.
    ramps.push({ startS: event.timeS, endS: event.timeS, from: 0, to: 1, segments: Int32Array.from(added) });
  }
  return { site: grown.site, warnings: grown.warnings, ramps };
}

/** Unit events of a `fail` or `repair`: each pattern matched against the site's units, in the failed set's order. */
function unitEvents(
  event: CheckedEvent,
  units: ReadonlyMap<string, { kind: UnitKind; index: number }>,
  failed: Set<string>,
): TwinEvent[] {
  const failing = event.action === "fail";
  const value = (failing ? event.spec.fail : event.spec.repair)!;
  const path = ["events", event.index, event.action];
  const events: TwinEvent[] = [];
  for (const [position, pattern] of (Array.isArray(value) ? value : [value]).entries()) {
    const where = Array.isArray(value) ? [...path, position] : path;
    const ids = pattern.endsWith("*")
      ? [...units.keys()].filter((id) => id.startsWith(pattern.slice(0, -1)))
      : units.has(pattern)
        ? [pattern]
        : [];
    if (ids.length === 0) {
      const hint = didYouMean(pattern, units.keys());
      throw new ScenarioProblem(where, `no ${failableUnitsText} of the site matches "${pattern}"${hint}`);
    }
    for (const id of ids) {
      const unit = units.get(id)!;
      if (failing === failed.has(id)) {
        throw new ScenarioProblem(where, `${id} is ${failing ? "already failed" : "not failed"} at ${event.timeS} s`);
      }
      if (failing) failed.add(id);
      else failed.delete(id);
      events.push({ timeS: event.timeS, kind: "unit", unit: unit.kind, index: unit.index, delta: failing ? -1 : 1 });
    }
  }
  return events;
}

/** The events of a `restartRacks`: each row pattern matched against the site's rows. */
function restartEvents(event: CheckedEvent, site: Site): TwinEvent[] {
  const value = event.spec.restartRacks!;
  const path = ["events", event.index, "restartRacks"];
  const events: TwinEvent[] = [];
  for (const [position, pattern] of (Array.isArray(value) ? value : [value]).entries()) {
    const prefix = pattern.endsWith("*") ? pattern.slice(0, -1) : undefined;
    const matched = site.rows.filter((row) => (prefix === undefined ? row.id === pattern : row.id.startsWith(prefix)));
    if (matched.length === 0) {
      const hint = didYouMean(
        pattern,
        site.rows.map((row) => row.id),
      );
      throw new ScenarioProblem(
        Array.isArray(value) ? [...path, position] : path,
        `no row matches "${pattern}"${hint}`,
      );
    }
    for (const row of matched) events.push({ timeS: event.timeS, kind: "restartRacks", row: row.index });
  }
  return events;
}

/** The set-point events of a `setpoint`: a water class sets the facility supply to its limit unless one is given. */
function setpointEvents(event: CheckedEvent, site: Site): TwinEvent[] {
  const spec = event.spec.setpoint!;
  const path = ["events", event.index, "setpoint"];
  const classLimit = spec.waterClass === undefined ? Number.NaN : facilityWaterClassLimitC[spec.waterClass];
  const fws = spec.fwsSupplyC ?? (Number.isFinite(classLimit) ? classLimit : Number.NaN);
  const tcs = spec.tcsSupplyC ?? Number.NaN;
  if (Number.isNaN(fws) && Number.isNaN(tcs)) {
    throw new ScenarioProblem(path, "set at least one of fwsSupplyC, tcsSupplyC or waterClass");
  }
  if (Number.isFinite(classLimit) && fws > classLimit) {
    throw new ScenarioProblem(
      [...path, "fwsSupplyC"],
      `${fws} °C exceeds the ${spec.waterClass} limit of ${classLimit} °C`,
    );
  }
  return plantsOf(site, spec.plant, path).map((plant) => ({
    timeS: event.timeS,
    kind: "setpoint",
    plant,
    fwsSupplyC: fws,
    tcsSupplyC: tcs,
    classLimitC: classLimit,
  }));
}

/** The occupancy ramp of an `occupancy` event over the segments of its rack type and hall. */
function occupancyRamp(event: CheckedEvent, site: Site): OccupancyRamp {
  const spec = event.spec.occupancy!;
  const path = ["events", event.index, "occupancy"];
  const until = spec.until === undefined ? event.timeS : seconds(spec.until, [...path, "until"]);
  if (until < event.timeS) {
    throw new ScenarioProblem([...path, "until"], `ends (${until} s) before it starts (${event.timeS} s)`);
  }
  const typeIndex = rackTypeIndex(site, spec.rackType, path);
  const hallIndex = spec.hall === undefined ? -1 : site.halls.findIndex((hall) => hall.id === spec.hall);
  if (spec.hall !== undefined && hallIndex < 0) {
    const known = site.halls.map((hall) => hall.id);
    throw new ScenarioProblem([...path, "hall"], `unknown hall "${spec.hall}"${didYouMean(spec.hall, known)}`);
  }
  const chosen: number[] = [];
  siteSegments(site).forEach((segment, index) => {
    const rack = site.racks[segment.rackStart]!;
    if ((typeIndex < 0 || rack.typeIndex === typeIndex) && (hallIndex < 0 || rack.hallIndex === hallIndex)) {
      chosen.push(index);
    }
  });
  return {
    startS: event.timeS,
    endS: until,
    from: spec.from,
    to: spec.to ?? spec.from,
    segments: Int32Array.from(chosen),
  };
}

/** Compiles a file checked by its schema against the site: ids resolved, events in time order. */
function compile(file: ScenarioFile, siteFile: SiteFile | undefined, baseSite: Site): LoadedScenario {
  const checked = checkedEvents(file);
  const { site, warnings, ramps } = grownSite(checked, siteFile, baseSite);
  const units = siteUnits(site);
  const failed = new Set<string>();
  const events: TwinEvent[] = [];
  const heatWaves: HeatWave[] = [];
  const ordered = [...checked].sort((a, b) => a.timeS - b.timeS || a.index - b.index);
  for (const event of ordered) {
    const { timeS, spec } = event;
    const path = ["events", event.index, event.action];
    switch (event.action) {
      case "fail":
      case "repair":
        events.push(...unitEvents(event, units, failed));
        break;
      case "setpoint":
        events.push(...setpointEvents(event, site));
        break;
      case "fouling": {
        const { plant, approachIncreaseK } = spec.fouling!;
        for (const index of plantsOf(site, plant, path))
          events.push({ timeS, kind: "fouling", plant: index, approachIncreaseK });
        break;
      }
      case "adiabatic": {
        const { plant, enabled } = spec.adiabatic!;
        for (const index of plantsOf(site, plant, path))
          events.push({ timeS, kind: "adiabatic", plant: index, enabled });
        break;
      }
      case "coolantLimit": {
        const { rackType, maxCoolantSupplyC } = spec.coolantLimit!;
        events.push({ timeS, kind: "coolantLimit", typeIndex: rackTypeIndex(site, rackType, path), maxCoolantSupplyC });
        break;
      }
      case "restartRacks":
        events.push(...restartEvents(event, site));
        break;
      case "occupancy":
        ramps.push(occupancyRamp(event, site));
        break;
      case "heatWave": {
        const { days, peakC, nightMinimumC } = spec.heatWave!;
        if (nightMinimumC > peakC) {
          throw new ScenarioProblem([...path, "nightMinimumC"], `${nightMinimumC} °C is above the peak (${peakC} °C)`);
        }
        heatWaves.push({ startS: timeS, days, peakC, nightMinimumC });
        break;
      }
      case "moreRacks":
        break;
    }
  }
  const response = file.operatorResponseS;
  return {
    scenario: { name: file.name ?? "scenario", events, ramps, heatWaves },
    // The run's operator in place of the site's: the layout reads it from the site (null: no response).
    site: response === undefined ? site : { ...site, operatorResponseS: response === "off" ? null : response },
    warnings,
  };
}

/** The document with `heatWave:` left empty read as an empty mapping (its defaults), before the schema check. */
function emptyHeatWavesFilled(document: unknown): unknown {
  if (!isRecord(document)) return document;
  const events = document.events;
  if (!Array.isArray(events)) return document;
  return {
    ...document,
    events: events.map((event: unknown) =>
      isRecord(event) && event.heatWave === null ? { ...event, heatWave: {} } : event,
    ),
  };
}

/**
 * Parses and compiles a scenario for `site` (and its decoded `file`, needed only to add racks). Every problem is
 * one line `file:line: path: message`: every shape problem the schema finds, or else the first rule broken.
 */
export function parseScenario(
  text: string,
  fileName: string,
  site: Site,
  file: SiteFile | undefined,
): Outcome<LoadedScenario> {
  const lineCounter = new LineCounter();
  const document = parseYamlDocument(text, "scenario", lineCounter);
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const position = lineCounter.linePos(syntax.pos[0]);
    const message = syntax.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    return failure(`${fileName}:${position.line}: ${message}`);
  }
  // One line per problem, at the line of the deepest node of its path that the document has.
  const located = (problem: { readonly path: readonly (string | number)[]; readonly message: string }) => {
    let line: number | undefined;
    for (let depth = problem.path.length; depth >= 0 && line === undefined; depth--) {
      const node = depth === 0 ? document.contents : document.getIn(problem.path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range !== undefined) line = lineCounter.linePos(range[0]).line;
    }
    const where = line === undefined ? fileName : `${fileName}:${line}`;
    const path = formatPath(problem.path);
    return `${where}: ${path === "" ? "" : `${path}: `}${problem.message}`;
  };
  const built = yamlValue(document);
  if (!built.ok) return failure(`${fileName}: ${built.error}`);
  const checked = checkSchema(ScenarioFileSchema, emptyHeatWavesFilled(built.value));
  if (!checked.ok) {
    const shown = checked.problems.slice(0, maximumProblemsShown).map(located);
    const more = checked.problems.length - shown.length;
    return failure([...shown, ...(more > 0 ? [`${fileName}: and ${more} more problems`] : [])].join("\n"));
  }
  try {
    // A file without `name:` is named after itself (the output's header line read "scenario scenario").
    const name = checked.value.name ?? basename(fileName).replace(/\.ya?ml$/i, "");
    return success(compile({ ...checked.value, name }, file, site));
  } catch (error) {
    if (!(error instanceof ScenarioProblem)) throw error;
    return failure(located(error));
  }
}
