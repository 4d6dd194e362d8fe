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
 *   - { at: 0, setpoint: { waterClass: W45 } }         # or fwsSupplyC / tcsSupplyC, optional plant
 *   - { at: 90d, fouling: { approachIncreaseK: 2 } }  # dry cooler coils, optional plant
 *   - { at: 0, adiabatic: { enabled: true } }
 *   - { at: 0, coolantLimit: { rackType: nvl72, maxCoolantSupplyC: 50 } }  # racks rated for hotter coolant
 *   - { at: 0, occupancy: { from: 0.3, to: 1, until: 180d, rackType: hgx } }
 *   - { at: 60d, moreRacks: { hall: hall:h1, rows: [{ pattern: hgx-row, count: 2 }] } }
 * ```
 *
 * Loading checks every field and reference against the site and returns the first problem as one line
 * `file:line: events[3].fail: …`. "More racks" re-expands the site file with the rows appended to the hall.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LineCounter, parseDocument } from "yaml";
import { DiagnosticSink, didYouMean, formatDiagnostic } from "../model/diagnostics.ts";
import { expandSite } from "../model/expand.ts";
import type { RowEntrySpec, SiteFile } from "../model/schema.ts";
import { facilityWaterClasses, facilityWaterClassLimitC } from "../model/schema.ts";
import type { Site } from "../model/site.ts";
import { validateSite } from "../model/validate.ts";
import { siteSegments } from "./layout.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import { parseDuration } from "./time.ts";
import type { HeatWave } from "./weather.ts";

/** Kinds of unit a scenario can fail and repair. */
export type UnitKind = "cdu" | "pump" | "dryCooler" | "chiller" | "airChiller";

/** A change applied between steps, with site-wide indexes (rows for CDUs, plants otherwise). */
export type TwinEvent =
  | {
      readonly timeS: number;
      readonly kind: "unit";
      readonly unit: UnitKind;
      /** Site row index for a CDU, plant index otherwise. */
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

/** Facility water supply set-points a scenario or an operator may ask for, °C. */
export const fwsSupplyRangeC = { min: 5, max: 70 } as const;

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

/** The empty scenario. */
export const emptyScenario: Scenario = { name: "baseline", events: [], ramps: [], heatWaves: [] };

const actions = [
  "fail",
  "repair",
  "setpoint",
  "fouling",
  "adiabatic",
  "coolantLimit",
  "occupancy",
  "heatWave",
  "moreRacks",
] as const;
type Action = (typeof actions)[number];

const actionFields: Readonly<Record<Action, readonly string[] | undefined>> = {
  fail: undefined,
  repair: undefined,
  setpoint: ["plant", "fwsSupplyC", "tcsSupplyC", "waterClass"],
  fouling: ["plant", "approachIncreaseK"],
  adiabatic: ["plant", "enabled"],
  coolantLimit: ["rackType", "maxCoolantSupplyC"],
  occupancy: ["from", "to", "until", "rackType", "hall"],
  heatWave: ["days", "peakC", "nightMinimumC"],
  moreRacks: ["hall", "rows"],
};

/** A problem at a path of the scenario document. */
class ScenarioProblem {
  readonly path: (string | number)[];
  readonly message: string;
  constructor(path: (string | number)[], message: string) {
    this.path = path;
    this.message = message;
  }
}

function pathText(path: readonly (string | number)[]): string {
  let text = "";
  for (const segment of path)
    text += typeof segment === "number" ? `[${segment}]` : text === "" ? segment : `.${segment}`;
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads fields of one action object, reporting unknown fields and wrong types by path. */
class Fields {
  readonly #value: Record<string, unknown>;
  readonly #path: (string | number)[];
  constructor(value: unknown, path: (string | number)[], allowed: readonly string[]) {
    if (!isRecord(value)) throw new ScenarioProblem(path, `expected an object with ${allowed.join(", ")}`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new ScenarioProblem(
          [...path, key],
          `unknown field${didYouMean(key, allowed)}; known: ${allowed.join(", ")}`,
        );
      }
    }
    this.#value = value;
    this.#path = path;
  }
  has(key: string): boolean {
    return this.#value[key] !== undefined;
  }
  number(key: string, range: { min?: number; max?: number } = {}): number | undefined {
    const raw = this.#value[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== "number" || !Number.isFinite(raw)) {
      throw new ScenarioProblem([...this.#path, key], `expected a number, found ${JSON.stringify(raw)}`);
    }
    if ((range.min !== undefined && raw < range.min) || (range.max !== undefined && raw > range.max)) {
      throw new ScenarioProblem([...this.#path, key], `${raw} is outside ${range.min ?? "−∞"}…${range.max ?? "∞"}`);
    }
    return raw;
  }
  requiredNumber(key: string, range: { min?: number; max?: number } = {}): number {
    const value = this.number(key, range);
    if (value === undefined) throw new ScenarioProblem([...this.#path, key], "required number is missing");
    return value;
  }
  string(key: string): string | undefined {
    const raw = this.#value[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== "string") {
      throw new ScenarioProblem([...this.#path, key], `expected text, found ${JSON.stringify(raw)}`);
    }
    return raw;
  }
  boolean(key: string): boolean {
    const raw = this.#value[key];
    if (typeof raw !== "boolean") {
      throw new ScenarioProblem([...this.#path, key], `expected true or false, found ${JSON.stringify(raw)}`);
    }
    return raw;
  }
  duration(key: string): number | undefined {
    const raw = this.#value[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== "string" && typeof raw !== "number") {
      throw new ScenarioProblem(
        [...this.#path, key],
        `expected a duration such as 36h or 2d, found ${JSON.stringify(raw)}`,
      );
    }
    const parsed = parseDuration(raw, pathText([...this.#path, key]));
    if (!parsed.ok) throw new ScenarioProblem([...this.#path, key], parsed.error.replace(/^[^:]*: /, ""));
    return parsed.value;
  }
  raw(key: string): unknown {
    return this.#value[key];
  }
}

interface RawEvent {
  readonly index: number;
  readonly timeS: number;
  readonly action: Action;
  readonly value: unknown;
}

/** Unit ids of the site by kind, with the row (CDU) or plant they belong to, in declaration order. */
export function siteUnits(site: Site): Map<string, { kind: UnitKind; index: number }> {
  const units = new Map<string, { kind: UnitKind; index: number }>();
  for (const row of site.rows) for (const id of row.tcs.ids) units.set(id, { kind: "cdu", index: row.index });
  for (const plant of site.plants) {
    for (const id of plant.pumps.ids) units.set(id, { kind: "pump", index: plant.index });
    for (const id of plant.dryCoolers.ids) units.set(id, { kind: "dryCooler", index: plant.index });
    for (const id of plant.chillers.ids) units.set(id, { kind: "chiller", index: plant.index });
    for (const id of plant.airSide?.chillers.ids ?? []) units.set(id, { kind: "airChiller", index: plant.index });
  }
  return units;
}

function plantsOf(site: Site, fields: Fields, path: (string | number)[]): number[] {
  const plantId = fields.string("plant");
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

/** Appends "more racks" rows to the site file and re-expands it; returns the site and the new segment ranges. */
function addRacks(
  file: SiteFile,
  additions: readonly { event: RawEvent; fields: Fields }[],
): { site: Site; warnings: string[]; newRows: { event: RawEvent; hallId: string; rows: number }[] } {
  const changed = structuredClone(file);
  const newRows: { event: RawEvent; hallId: string; rows: number }[] = [];
  for (const { event, fields } of additions) {
    const path = ["events", event.index, "moreRacks"];
    const hallId = fields.string("hall");
    if (hallId === undefined) throw new ScenarioProblem([...path, "hall"], "required hall id is missing");
    const hall = changed.halls.find((candidate) => candidate.id === hallId);
    if (hall === undefined) {
      const known = changed.halls.map((candidate) => candidate.id);
      throw new ScenarioProblem([...path, "hall"], `unknown hall "${hallId}"${didYouMean(hallId, known)}`);
    }
    const rows = fields.raw("rows");
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new ScenarioProblem([...path, "rows"], "expected a list of row entries, as in the site file's hall rows");
    }
    const template = hall.template === undefined ? undefined : changed.hallTemplates[hall.template];
    const existing = hall.rows ?? template?.rows ?? [];
    hall.rows = [...existing, ...(rows as RowEntrySpec[])];
    let added = 0;
    for (const entry of rows) added += isRecord(entry) && typeof entry.count === "number" ? entry.count : 1;
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

function compile(document: unknown, file: SiteFile | undefined, baseSite: Site): LoadedScenario {
  if (!isRecord(document)) throw new ScenarioProblem([], "a scenario is a mapping with name and events");
  for (const key of Object.keys(document)) {
    if (key !== "name" && key !== "events") {
      throw new ScenarioProblem([key], `unknown field${didYouMean(key, ["name", "events"])}; known: name, events`);
    }
  }
  const name = document.name === undefined ? "scenario" : String(document.name);
  const rawEvents = document.events ?? [];
  if (!Array.isArray(rawEvents)) throw new ScenarioProblem(["events"], "expected a list of events");

  const parsed: RawEvent[] = rawEvents.map((raw, index) => {
    const path = ["events", index];
    if (!isRecord(raw)) throw new ScenarioProblem(path, "expected a mapping with at and one action");
    const present = Object.keys(raw).filter((key) => key !== "at");
    for (const key of present) {
      if (!(actions as readonly string[]).includes(key)) {
        throw new ScenarioProblem(
          [...path, key],
          `unknown action${didYouMean(key, actions)}; one of ${actions.join(", ")}`,
        );
      }
    }
    if (present.length !== 1) {
      throw new ScenarioProblem(path, `needs exactly one action (${actions.join(", ")}), found ${present.length}`);
    }
    const timeS = new Fields(raw, path, ["at", ...actions]).duration("at");
    if (timeS === undefined) throw new ScenarioProblem([...path, "at"], "required time is missing (such as 36h)");
    const action = present[0] as Action;
    return { index, timeS, action, value: raw[action] };
  });

  let site = baseSite;
  let warnings: string[] = [];
  const ramps: OccupancyRamp[] = [];
  const additions = parsed
    .filter((event) => event.action === "moreRacks")
    .map((event) => ({
      event,
      fields: new Fields(event.value, ["events", event.index, "moreRacks"], actionFields.moreRacks!),
    }));
  if (additions.length > 0) {
    if (file === undefined) {
      throw new ScenarioProblem(["events", additions[0]!.event.index, "moreRacks"], "needs the site file to add racks");
    }
    const grown = addRacks(file, additions);
    site = grown.site;
    warnings = grown.warnings;
    const segments = siteSegments(site);
    for (const { event, hallId, rows } of grown.newRows) {
      const hall = site.halls.find((candidate) => candidate.id === hallId)!;
      const lastRow = hall.rowStart + hall.rowCount;
      const firstRow = lastRow - rows;
      const added: number[] = [];
      segments.forEach((segment, index) => {
        if (segment.rowIndex >= firstRow && segment.rowIndex < lastRow) added.push(index);
      });
      // The racks exist in the layout from the start, unpowered until they come online.
      ramps.push({ startS: event.timeS, endS: event.timeS, from: 0, to: 1, segments: Int32Array.from(added) });
    }
  }

  const units = siteUnits(site);
  const failed = new Set<string>();
  const events: TwinEvent[] = [];
  const heatWaves: HeatWave[] = [];
  const ordered = [...parsed].sort((a, b) => a.timeS - b.timeS || a.index - b.index);
  for (const event of ordered) {
    const path: (string | number)[] = ["events", event.index, event.action];
    const { timeS } = event;
    switch (event.action) {
      case "fail":
      case "repair": {
        const patterns = Array.isArray(event.value) ? event.value : [event.value];
        for (const [position, pattern] of patterns.entries()) {
          const where = Array.isArray(event.value) ? [...path, position] : path;
          if (typeof pattern !== "string")
            throw new ScenarioProblem(where, "expected a unit id such as cdu:h1-r001-01");
          const ids = pattern.endsWith("*")
            ? [...units.keys()].filter((id) => id.startsWith(pattern.slice(0, -1)))
            : units.has(pattern)
              ? [pattern]
              : [];
          if (ids.length === 0) {
            const hint = didYouMean(pattern, units.keys());
            throw new ScenarioProblem(
              where,
              `no CDU, FWS pump, dry cooler or chiller of the site matches "${pattern}"${hint}`,
            );
          }
          for (const id of ids) {
            const unit = units.get(id)!;
            const failing = event.action === "fail";
            if (failing === failed.has(id)) {
              throw new ScenarioProblem(where, `${id} is ${failing ? "already failed" : "not failed"} at ${timeS} s`);
            }
            if (failing) failed.add(id);
            else failed.delete(id);
            events.push({ timeS, kind: "unit", unit: unit.kind, index: unit.index, delta: failing ? -1 : 1 });
          }
        }
        break;
      }
      case "setpoint": {
        const fields = new Fields(event.value, path, actionFields.setpoint!);
        const waterClass = fields.string("waterClass");
        let classLimit = Number.NaN;
        if (waterClass !== undefined) {
          if (!(facilityWaterClasses as readonly string[]).includes(waterClass)) {
            throw new ScenarioProblem(
              [...path, "waterClass"],
              `unknown ASHRAE class "${waterClass}"; one of ${facilityWaterClasses.join(", ")}`,
            );
          }
          classLimit = facilityWaterClassLimitC[waterClass as keyof typeof facilityWaterClassLimitC];
        }
        const fws =
          fields.number("fwsSupplyC", fwsSupplyRangeC) ?? (Number.isFinite(classLimit) ? classLimit : Number.NaN);
        const tcs = fields.number("tcsSupplyC", { min: 5, max: 80 }) ?? Number.NaN;
        if (Number.isNaN(fws) && Number.isNaN(tcs)) {
          throw new ScenarioProblem(path, "set at least one of fwsSupplyC, tcsSupplyC or waterClass");
        }
        if (Number.isFinite(classLimit) && fws > classLimit) {
          throw new ScenarioProblem(
            [...path, "fwsSupplyC"],
            `${fws} °C exceeds the ${waterClass} limit of ${classLimit} °C`,
          );
        }
        for (const plant of plantsOf(site, fields, path)) {
          events.push({ timeS, kind: "setpoint", plant, fwsSupplyC: fws, tcsSupplyC: tcs, classLimitC: classLimit });
        }
        break;
      }
      case "fouling": {
        const fields = new Fields(event.value, path, actionFields.fouling!);
        const approachIncreaseK = fields.requiredNumber("approachIncreaseK", { min: 0, max: 30 });
        for (const plant of plantsOf(site, fields, path))
          events.push({ timeS, kind: "fouling", plant, approachIncreaseK });
        break;
      }
      case "adiabatic": {
        const fields = new Fields(event.value, path, actionFields.adiabatic!);
        const enabled = fields.boolean("enabled");
        for (const plant of plantsOf(site, fields, path)) events.push({ timeS, kind: "adiabatic", plant, enabled });
        break;
      }
      case "coolantLimit": {
        const fields = new Fields(event.value, path, actionFields.coolantLimit!);
        const maxCoolantSupplyC = fields.requiredNumber("maxCoolantSupplyC", { min: 5, max: 80 });
        const rackType = fields.string("rackType");
        const typeIndex = rackType === undefined ? -1 : site.rackTypes.findIndex((type) => type.id === rackType);
        if (rackType !== undefined && typeIndex < 0) {
          const known = site.rackTypes.map((type) => type.id);
          throw new ScenarioProblem(
            [...path, "rackType"],
            `unknown rack type "${rackType}"${didYouMean(rackType, known)}`,
          );
        }
        events.push({ timeS, kind: "coolantLimit", typeIndex, maxCoolantSupplyC });
        break;
      }
      case "occupancy": {
        const fields = new Fields(event.value, path, actionFields.occupancy!);
        const from = fields.requiredNumber("from", { min: 0, max: 1 });
        const to = fields.number("to", { min: 0, max: 1 }) ?? from;
        const until = fields.duration("until") ?? timeS;
        if (until < timeS)
          throw new ScenarioProblem([...path, "until"], `ends (${until} s) before it starts (${timeS} s)`);
        const rackType = fields.string("rackType");
        const hallId = fields.string("hall");
        const typeIndex = rackType === undefined ? -1 : site.rackTypes.findIndex((type) => type.id === rackType);
        if (rackType !== undefined && typeIndex < 0) {
          const known = site.rackTypes.map((type) => type.id);
          throw new ScenarioProblem(
            [...path, "rackType"],
            `unknown rack type "${rackType}"${didYouMean(rackType, known)}`,
          );
        }
        const hallIndex = hallId === undefined ? -1 : site.halls.findIndex((hall) => hall.id === hallId);
        if (hallId !== undefined && hallIndex < 0) {
          const known = site.halls.map((hall) => hall.id);
          throw new ScenarioProblem([...path, "hall"], `unknown hall "${hallId}"${didYouMean(hallId, known)}`);
        }
        const chosen: number[] = [];
        siteSegments(site).forEach((segment, index) => {
          const rack = site.racks[segment.rackStart]!;
          if ((typeIndex < 0 || rack.typeIndex === typeIndex) && (hallIndex < 0 || rack.hallIndex === hallIndex)) {
            chosen.push(index);
          }
        });
        ramps.push({ startS: timeS, endS: until, from, to, segments: Int32Array.from(chosen) });
        break;
      }
      case "heatWave": {
        const fields = new Fields(event.value ?? {}, path, actionFields.heatWave!);
        const days = fields.number("days", { min: 1, max: 60 }) ?? 4;
        const peakC = fields.number("peakC", { min: 20, max: 55 }) ?? 40;
        const nightMinimumC = fields.number("nightMinimumC", { min: 0, max: peakC }) ?? 24;
        heatWaves.push({ startS: timeS, days, peakC, nightMinimumC });
        break;
      }
      case "moreRacks":
        break;
    }
  }
  return { scenario: { name, events, ramps, heatWaves }, site, warnings };
}

/**
 * Parses and compiles a scenario for `site` (and its decoded `file`, needed only to add racks). Every problem is
 * one line: `file:line: path: message`.
 */
export function parseScenario(
  text: string,
  fileName: string,
  site: Site,
  file: SiteFile | undefined,
): Outcome<LoadedScenario> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const position = lineCounter.linePos(syntax.pos[0]);
    const message = syntax.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    return failure(`${fileName}:${position.line}: ${message}`);
  }
  try {
    return success(compile(document.toJS(), file, site));
  } catch (error) {
    if (!(error instanceof ScenarioProblem)) throw error;
    let line: number | undefined;
    for (let depth = error.path.length; depth >= 0 && line === undefined; depth--) {
      const node = depth === 0 ? document.contents : document.getIn(error.path.slice(0, depth), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range !== undefined) line = lineCounter.linePos(range[0]).line;
    }
    const where = line === undefined ? fileName : `${fileName}:${line}`;
    const path = pathText(error.path);
    return failure(`${where}: ${path === "" ? "" : `${path}: `}${error.message}`);
  }
}
