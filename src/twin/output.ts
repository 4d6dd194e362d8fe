/**
 * Writing a run to disk: KPIs as JSON, every frame (site, plants, halls, a rack) as CSV and as columnar JSON, and the
 * SVG charts on request. Also reads an hourly grid carbon-intensity profile.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileTooLarge, readBoundedText } from "../core/yaml.ts";
import { failure, type Outcome, success } from "./outcome.ts";
import { renderCharts } from "./plot.ts";
import type { SeriesFrame, TwinResult } from "./results.ts";

/** Numbers in files: seven significant digits, no exponent noise for ordinary values. */
function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "";
  return String(Number(value.toPrecision(7)));
}

/** CSV of frames sharing a time axis, one row per point and frame (`entity` names the frame). */
export function framesToCsv(frames: readonly SeriesFrame[]): string {
  const first = frames[0];
  if (first === undefined) return "";
  const names = Object.keys(first.fields);
  const lines = [["timeS", "entity", ...names].join(",")];
  for (const frame of frames) {
    const columns = names.map((name) => frame.fields[name]!);
    for (let point = 0; point < frame.timeS.length; point++) {
      const cells = [String(frame.timeS[point]), frame.name];
      for (const values of columns) cells.push(formatValue(values[point]!));
      lines.push(cells.join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

function frameToJson(frame: SeriesFrame): unknown {
  return {
    name: frame.name,
    timeS: Array.from(frame.timeS),
    fields: Object.fromEntries(
      Object.entries(frame.fields).map(([name, values]) => [
        name,
        Array.from(values, (value) => (Number.isFinite(value) ? Number(value.toPrecision(7)) : null)),
      ]),
    ),
  };
}

/** The run's summary: settings, KPIs and per-plant figures (what `--json` prints). */
export function summaryOf(result: TwinResult): Record<string, unknown> {
  return {
    site: result.siteId,
    weather: result.weather,
    scenario: result.scenario,
    stepS: result.stepS,
    durationS: result.durationS,
    seed: result.seed,
    threads: result.threads,
    rackSteps: result.rackSteps,
    kpis: result.kpis,
    plants: result.plantKpis,
    airInlet: result.airInlet,
    throttledRackHoursByType: result.throttledRackHoursByType,
    trippedRackHoursByType: result.trippedRackHoursByType,
    latchedRackHoursByType: result.latchedRackHoursByType,
    trippedRackHoursByHall: result.trippedRackHoursByHall,
    latchedRackHoursByHall: result.latchedRackHoursByHall,
    lostBusyRackHoursByType: result.lostBusyRackHoursByType,
  };
}

/** Writes the run into `directory` and returns the files written. */
export function writeRun(result: TwinResult, directory: string, plot: boolean): string[] {
  mkdirSync(directory, { recursive: true });
  const files: Record<string, string> = {
    "kpis.json": `${JSON.stringify(summaryOf(result), null, 2)}\n`,
    "site.csv": framesToCsv([result.site]),
    "plants.csv": framesToCsv(result.plants),
    "halls.csv": framesToCsv(result.halls),
    "series.json": `${JSON.stringify({
      site: frameToJson(result.site),
      plants: result.plants.map(frameToJson),
      halls: result.halls.map(frameToJson),
      ...(result.racks.length === 0 ? {} : { racks: result.racks.map(frameToJson) }),
    })}\n`,
  };
  if (result.racks.length > 0) files["rack.csv"] = framesToCsv(result.racks);
  if (plot) Object.assign(files, renderCharts(result));
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(directory, name);
    writeFileSync(path, content);
    written.push(path);
  }
  return written;
}

/**
 * Reads an hourly grid intensity profile (gCO2/kWh): one value per line, or CSV whose last column is the value; a
 * header line is allowed. At least 24 values; the profile repeats over the run.
 */
export function readIntensityProfile(path: string): Outcome<Float64Array> {
  let text: string;
  try {
    text = readBoundedText(path, "profile");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failure(
      `cannot read grid intensity file ${path}: ${code === "ENOENT" ? "no such file" : (code ?? (error as Error).message)}`,
    );
  }
  const tooLarge = fileTooLarge(text, "profile");
  if (tooLarge !== undefined) return failure(`${path}: ${tooLarge}`);
  const values: number[] = [];
  // CRLF, LF or CR-only (old Mac tools) line breaks; a byte-order mark (Windows editors) is not part of a value.
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const cell = line
      .split(/[,;\t]/)
      .pop()!
      .trim();
    // Decimal only: Number() reads "0x10" as 16 and "" as 0.
    const value = decimalNumber.test(cell) ? Number(cell) : Number.NaN;
    if (!Number.isFinite(value)) {
      if (values.length === 0 && index === lines.findIndex((candidate) => candidate.trim() !== "")) continue;
      return failure(`${path}:${index + 1}: "${cell}" is not a carbon intensity in gCO2/kWh`);
    }
    if (value < 0 || value > 2000) return failure(`${path}:${index + 1}: ${value} gCO2/kWh is outside 0…2000`);
    values.push(value);
  }
  return intensityProfileOf(values, path);
}

/** A decimal number as a profile writes it (`42`, `-0.5`, `3.2e1`), not hexadecimal nor empty. */
const decimalNumber = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Hours of a week; of the twin's typical year, and of a leap year; hour of 29 February 00:00 in a leap year (59 days). */
const weekHours = 168;
const yearHours = 8_760;
const leapYearHours = 8_784;
const leapDayStartHour = 59 * 24;

/**
 * The profile the twin reads hour n of its year from (`intensity[hour % length]`): one day (24 values, every day the
 * same), one week (168, hour 0 Monday 00:00: the twin's typical year starts on a Monday, so hour n of the year is hour
 * n % 168 of the week, the week its load profiles keep too), a year (8,760) or a leap year (8,784, its 29 February
 * left out so that 1 March stays 1 March, as the twin's year has no leap day). Every profile is on the twin's clock,
 * the site's wall clock. Any other count is refused: 8,759 values (a missing hour) repeated with a one-hour shift each
 * year, 720 wrapped on boundaries that are not the calendar's.
 */
export function intensityProfileOf(values: readonly number[], path: string): Outcome<Float64Array> {
  if (values.length === 24 || values.length === weekHours || values.length === yearHours) {
    return success(Float64Array.from(values));
  }
  if (values.length === leapYearHours) {
    return success(Float64Array.from([...values.slice(0, leapDayStartHour), ...values.slice(leapDayStartHour + 24)]));
  }
  return failure(
    `${path}: expected 24 hourly values (one day, repeated), 168 (a week from Monday 00:00, repeated), 8,760 (a year) or 8,784 (a leap year), found ${values.length.toLocaleString("en")}`,
  );
}
