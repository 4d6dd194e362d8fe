/**
 * Measured cooling-loop history for calibration: readers for NREL ESIF exports and for any CSV with a column
 * mapping, giving one time-ordered series of samples (time, supply, return, heat, and the total heat when known).
 * Structural problems (empty file, missing column, unreadable time or number) are errors naming the file, row and
 * column; bad measurements (missing, NaN, implausible, loop off) are dropped and counted by reason, never silently.
 */

import { splitCsvRecord } from "../core/csv.ts";
import { failure, type Outcome, success } from "./outcome.ts";

/** History file formats. */
export const historyFormats = ["nrel-esif", "csv"] as const;
/** One history format. */
export type HistoryFormat = (typeof historyFormats)[number];
/** Loops a history can describe. */
export const loopKinds = ["liquid", "air"] as const;
/** One loop. */
export type LoopKind = (typeof loopKinds)[number];

/** Columns of a generic CSV: time, loop supply and return (°C), loop heat (kW), optional total heat (kW). */
export interface ColumnMapping {
  readonly time: string;
  readonly supply: string;
  readonly return: string;
  readonly heat: string;
  /** Total heat of the hall (all loops, or IT power), kW: gives the loop's capture share. */
  readonly total?: string;
}

/** Mapping keys a `--columns` list may name. */
export const mappingKeys = ["time", "supply", "return", "heat", "total"] as const;

/**
 * Temperatures a loop inside a data centre can have, °C. Outside this range a reading is a sensor fault (the ESIF
 * air supply reads −18.33 °C = 0 °F in some rows), not a state of the loop.
 */
export const plausibleC = { min: 0, max: 95 } as const;

/**
 * Most heat one loop can carry, kW (1 GW: more than the IT load of the largest campuses). Above it a reading is a
 * meter fault or a value in watts, and a few such rows would otherwise outweigh a month of good ones in the fit.
 */
export const plausibleMaxHeatKw = 1_000_000;

/**
 * Most data rows one calibration or validation reads, over all its files: a leap year of one-minute rows (527,040)
 * with room to spare. The fit's month-out checks grow with months × rows (six ESIF months take about two minutes), and
 * each row read costs about 500 bytes until it is cleaned: beyond this the command would run for an hour or run out of
 * memory instead of failing.
 */
export const maxHistoryRows = 600_000;

/** Rows dropped, by reason. */
export interface DropCounts {
  /** A required value empty, NaN or NA. */
  missing: number;
  /**
   * A temperature outside the plausible range (in an ESIF row, of either loop: the logger's fault code), or a loop
   * heat above {@link plausibleMaxHeatKw}.
   */
  implausible: number;
  /** Loop heat ≤ 0: the loop off or its meter at fault (the rise model needs heat). */
  noHeat: number;
  /** Return ≤ supply. */
  noRise: number;
  /** A time already seen (a repeated local hour when clocks go back). */
  duplicateTime: number;
}

/** Samples in time order, as columns. `weightS` is the time each sample stands for (to the next, capped). */
export interface LoopHistory {
  readonly loop: LoopKind;
  readonly timeS: Float64Array;
  readonly weightS: Float64Array;
  readonly supplyC: Float64Array;
  readonly returnC: Float64Array;
  readonly heatKw: Float64Array;
  /** Total heat, NaN where unknown (or all NaN when the source has none). */
  readonly totalKw: Float64Array;
  /** Whether the source carries the total heat at all. */
  readonly hasTotal: boolean;
  /** Longest step treated as continuous, s: beyond it the loop's state restarts. */
  readonly maxGapS: number;
  /** Data rows read (before dropping). */
  readonly rows: number;
  readonly dropped: DropCounts;
}

/** One file to read: its name (for messages) and text. */
export interface HistoryFile {
  readonly name: string;
  readonly text: string;
}

/**
 * Latest Unix time a time cell may hold, s (9999-12-31T23:59:59Z): beyond it a number is milliseconds or a
 * counter, not seconds, and read as seconds it would put the history in the year 50,000.
 */
export const maxUnixS = 253_402_300_799;

/**
 * Clock time as seconds read as UTC, or NaN when a field is out of range: built field by field and read back, since
 * Date.UTC would roll 30 February over to March, 00:60 to 01:00 and read years 0–99 as 1900–1999.
 */
function clockSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const whole = Math.floor(second);
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, whole);
  const asWritten =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month - 1 &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute &&
    at.getUTCSeconds() === whole;
  return asWritten ? at.getTime() / 1000 + (second - whole) : Number.NaN;
}

/** `M/D/YYYY H:MM` or `M/D/YY H:MM` (ESIF exports), as seconds of clock time (read as UTC: no zone shifts). */
function parseSlashTime(text: string): number {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (match === null) return Number.NaN;
  const [, month, day, yearText, hour, minute, second] = match;
  const year = yearText!.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  return clockSeconds(year, Number(month), Number(day), Number(hour), Number(minute), Number(second ?? 0));
}

/**
 * A time cell: ISO 8601 (without a zone it is read as clock time, like the ESIF files), `M/D/Y H:MM`, or Unix
 * seconds up to {@link maxUnixS}. NaN when unreadable or when a field is out of range (30 February, 00:60).
 */
export function parseTime(text: string): number {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Math.abs(seconds) <= maxUnixS ? seconds : Number.NaN;
  }
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?(Z|([+-])(\d{2}):?(\d{2}))?$/.exec(trimmed);
  if (iso !== null) {
    const [year, month, day, hour, minute, second] = iso.slice(1, 7).map((part) => Number(part ?? "0"));
    const clock = clockSeconds(year!, month!, day!, hour!, minute!, second!);
    const [sign, zoneHours, zoneMinutes] = [iso[8], Number(iso[9] ?? "0"), Number(iso[10] ?? "0")];
    if (zoneHours > 23 || zoneMinutes > 59) return Number.NaN;
    // A zone offset is local time minus UTC: subtract it to reach UTC.
    return clock - (sign === "-" ? -1 : sign === "+" ? 1 : 0) * (zoneHours * 3600 + zoneMinutes * 60);
  }
  return parseSlashTime(trimmed);
}

const missingTokens = new Set(["", "nan", "na", "n/a", "null", "none", "-"]);

/** A decimal number as a logger writes it; `Number()` alone would also take `0x10`, `0b1` and `Infinity`. */
const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A numeric cell: a number, NaN for a missing token, undefined when it is text that is not a number. */
function parseValue(text: string): number | undefined {
  const trimmed = text.trim();
  if (missingTokens.has(trimmed.toLowerCase())) return Number.NaN;
  if (!decimalPattern.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A cell or header as an error message quotes it: control characters escaped and cut to `limit` characters, so a
 * binary file or a file without line breaks gives one short line, not megabytes of it.
 */
function quoted(text: string, limit = 80): string {
  const escaped = JSON.stringify(text.length > limit ? text.slice(0, limit) : text).replace(/[\u007f-\u009f]/g, "?");
  return text.length > limit ? `${escaped.slice(0, -1)}…" (${text.length.toLocaleString("en")} characters)` : escaped;
}

/** A header as error messages show it: its names joined, cut short; with a hint when it is not comma-separated. */
function headerText(header: readonly string[]): string {
  const shown = quoted(header.join(" | "), 200);
  const only = header.length === 1 ? header[0]! : "";
  const separator = only.includes(";") ? ";" : only.includes("\t") ? "tab" : undefined;
  return separator === undefined
    ? shown
    : `${shown}: one column, separated by ${separator}? history files are comma-separated`;
}

/** Column positions in one file: time, supply, return, heat, total (−1 when absent). */
interface Positions {
  readonly time: number;
  readonly supply: number;
  readonly return: number;
  readonly heat: number;
  readonly total: readonly number[];
  /** Temperatures of other loops in the same row: a logger fault there (−18.33 °C) marks the whole row. */
  readonly otherTemperatures: readonly number[];
  readonly names: { readonly supply: string; readonly return: string; readonly heat: string };
}

/** ESIF header: Time, air heat, air supply, air return, liquid heat, liquid supply, liquid return. */
const esifHeader = ["Time", "Q_flow,in,air [kW]", "T_supply", "T_return", "Q_flow,in,liquid", "T_supply", "T_return"];

function esifPositions(header: readonly string[], file: string, loop: LoopKind): Outcome<Positions> {
  const matches =
    header.length >= 7 &&
    header[0] === "Time" &&
    esifHeader.slice(1).every((prefix, index) => header[index + 1]!.startsWith(prefix.replace(" [kW]", "")));
  if (!matches) {
    return failure(
      `${file}:1: not an nrel-esif header (expected ${esifHeader.join(" | ")}…; found ${headerText(header)}); use --format csv --columns for other files`,
    );
  }
  const base = loop === "air" ? 1 : 4;
  const label = loop === "air" ? "air" : "liquid";
  return success({
    time: 0,
    heat: base,
    supply: base + 1,
    return: base + 2,
    // Both loops' heat: their sum is the heat of the whole hall (its IT load, to within the room's losses).
    total: [1, 4],
    otherTemperatures: loop === "air" ? [5, 6] : [2, 3],
    names: { heat: `${label} heat`, supply: `${label} T_supply`, return: `${label} T_return` },
  });
}

function csvPositions(header: readonly string[], file: string, mapping: ColumnMapping): Outcome<Positions> {
  const find = (key: keyof ColumnMapping): Outcome<number> => {
    const name = mapping[key];
    if (name === undefined) return success(-1);
    const index = header.indexOf(name);
    if (index < 0)
      return failure(`${file}:1: column "${name}" (${key}) is not in the header (found ${headerText(header)})`);
    if (header.indexOf(name, index + 1) >= 0) {
      return failure(`${file}:1: column "${name}" (${key}) appears more than once in the header`);
    }
    return success(index);
  };
  const found: number[] = [];
  for (const key of ["time", "supply", "return", "heat", "total"] as const) {
    const result = find(key);
    if (!result.ok) return failure(result.error);
    found.push(result.value);
  }
  const [time, supply, ret, heat, total] = found as [number, number, number, number, number];
  return success({
    time,
    supply,
    return: ret,
    heat,
    total: total < 0 ? [] : [total],
    otherTemperatures: [],
    names: { supply: mapping.supply, return: mapping.return, heat: mapping.heat },
  });
}

/** Parses a `--columns` list such as `time=Timestamp,supply=Tin,return=Tout,heat=Q`. */
export function parseColumnMapping(text: string): Outcome<ColumnMapping> {
  const entries = new Map<string, string>();
  for (const part of text.split(",")) {
    const at = part.indexOf("=");
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (at < 0 || value === "") return failure(`--columns: "${part}" is not key=column`);
    if (!(mappingKeys as readonly string[]).includes(key)) {
      return failure(`--columns: unknown key "${key}" (keys: ${mappingKeys.join(", ")})`);
    }
    entries.set(key, value);
  }
  const missing = mappingKeys.filter((key) => key !== "total" && !entries.has(key));
  if (missing.length > 0) return failure(`--columns: missing ${missing.join(", ")} (give time, supply, return, heat)`);
  const total = entries.get("total");
  return success({
    time: entries.get("time")!,
    supply: entries.get("supply")!,
    return: entries.get("return")!,
    heat: entries.get("heat")!,
    ...(total === undefined ? {} : { total }),
  });
}

/** One parsed row before cleaning. */
interface RawRow {
  readonly timeS: number;
  readonly supplyC: number;
  readonly returnC: number;
  readonly heatKw: number;
  readonly totalKw: number;
  /** Another loop's temperature in the row is implausible: the logger was at fault for the row. */
  readonly rowFault: boolean;
}

function readFile(
  file: HistoryFile,
  format: HistoryFormat,
  loop: LoopKind,
  mapping: ColumnMapping | undefined,
  into: RawRow[],
): Outcome<{ hasTotal: boolean }> {
  const nul = file.text.indexOf("\u0000");
  if (nul >= 0) {
    const line = file.text.slice(0, nul).split(/\r\n|\r|\n/).length;
    return failure(`${file.name}:${line}: binary content (a NUL byte), not a CSV text file`);
  }
  // Line breaks as Windows (CRLF), Unix (LF) or old Mac (CR) tools write them.
  const lines = file.text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== "");
  if (headerIndex < 0) return failure(`${file.name}: empty file (no header, no rows)`);
  const header = splitCsvRecord(lines[headerIndex]!).map((name) => name.trim());
  const positions =
    format === "nrel-esif"
      ? esifPositions(header, file.name, loop)
      : mapping === undefined
        ? failure<Positions>(`${file.name}: --format csv needs --columns time=…,supply=…,return=…,heat=…`)
        : csvPositions(header, file.name, mapping);
  if (!positions.ok) return failure(positions.error);
  const at = positions.value;
  const before = into.length;
  const cell = (fields: readonly string[], index: number, name: string, line: number): Outcome<number> => {
    const value = parseValue(fields[index]!);
    return value === undefined
      ? failure(`${file.name}:${line}: column "${name}": ${quoted(fields[index]!.trim())} is not a number`)
      : success(value);
  };
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const text = lines[index]!;
    if (text.trim() === "") continue;
    const line = index + 1;
    if (into.length >= maxHistoryRows) {
      return failure(
        `${file.name}:${line}: more than ${maxHistoryRows.toLocaleString("en")} data rows in the history (a year of one-minute rows is 525,600): give a year or less, or coarser steps`,
      );
    }
    const fields = splitCsvRecord(text);
    // More fields than names shifts every cell after a stray comma (a decimal comma, "1,5"): only empty extras
    // (a trailing comma) are harmless.
    const extra = fields.slice(header.length).some((field) => field.trim() !== "");
    if (fields.length < header.length || extra) {
      // splitCsvRecord reads one line: a quote left open (or a quoted field spanning lines) eats the rest of it.
      const unclosed =
        (text.split('"').length - 1) % 2 === 1 ? ", with a quote left open (quoted fields cannot span lines)" : "";
      return failure(`${file.name}:${line}: ${fields.length} fields where the header has ${header.length}${unclosed}`);
    }
    const timeCell = fields[at.time]!.trim();
    const timeS = parseTime(timeCell);
    if (!Number.isFinite(timeS)) {
      const slash = /^(\d{1,2})\/(\d{1,2})\//.exec(timeCell);
      const hint = /^\d{12,}(\.\d+)?$/.test(timeCell)
        ? " (a number is read as Unix seconds: this looks like milliseconds)"
        : slash !== null && Number(slash[1]) > 12 && Number(slash[2]) <= 12
          ? " (slash dates are read month/day/year, as ESIF writes them: this looks like day/month/year)"
          : "";
      return failure(`${file.name}:${line}: column "${header[at.time]}": ${quoted(timeCell)} is not a time${hint}`);
    }
    const supply = cell(fields, at.supply, at.names.supply, line);
    if (!supply.ok) return failure(supply.error);
    const ret = cell(fields, at.return, at.names.return, line);
    if (!ret.ok) return failure(ret.error);
    const heat = cell(fields, at.heat, at.names.heat, line);
    if (!heat.ok) return failure(heat.error);
    let totalKw = at.total.length === 0 ? Number.NaN : 0;
    for (const column of at.total) {
      const part = cell(fields, column, header[column]!, line);
      if (!part.ok) return failure(part.error);
      totalKw += part.value;
    }
    const rowFault = at.otherTemperatures.some((column) => {
      const value = parseValue(fields[column]!);
      return value !== undefined && (value < plausibleC.min || value > plausibleC.max);
    });
    into.push({ timeS, supplyC: supply.value, returnC: ret.value, heatKw: heat.value, totalKw, rowFault });
  }
  if (into.length === before) return failure(`${file.name}: no data rows after the header`);
  return success({ hasTotal: at.total.length > 0 });
}

/** Median of positive steps between sorted times, s (60 when there is a single time). */
function medianStepS(times: readonly number[]): number {
  const steps: number[] = [];
  for (let index = 1; index < times.length; index++) {
    const step = times[index]! - times[index - 1]!;
    if (step > 0) steps.push(step);
  }
  if (steps.length === 0) return 60;
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

/**
 * Reads history files into one cleaned series. `mapping` is required for `csv`. Rows are merged across files and
 * sorted by time; the first of several rows with the same time is kept.
 */
export function readLoopHistory(
  files: readonly HistoryFile[],
  format: HistoryFormat,
  loop: LoopKind,
  mapping?: ColumnMapping,
): Outcome<LoopHistory> {
  if (files.length === 0) return failure("--history: give at least one file");
  const raw: RawRow[] = [];
  let hasTotal = true;
  for (const file of files) {
    const read = readFile(file, format, loop, mapping, raw);
    if (!read.ok) return failure(read.error);
    hasTotal &&= read.value.hasTotal;
  }
  // Stable sort keeps file order among equal times, so "first" means first read.
  const order = raw.map((_, index) => index).sort((a, b) => raw[a]!.timeS - raw[b]!.timeS || a - b);
  const times = order.map((index) => raw[index]!.timeS);
  const stepS = medianStepS(times);
  // A sample stands for the time to the next one, but not across a gap longer than two usual steps (10 min at least).
  const maxGapS = Math.max(600, 2 * stepS);
  const dropped: DropCounts = { missing: 0, implausible: 0, noHeat: 0, noRise: 0, duplicateTime: 0 };
  const kept: { row: RawRow; weightS: number }[] = [];
  for (let position = 0; position < order.length; position++) {
    const row = raw[order[position]!]!;
    if (position > 0 && row.timeS === times[position - 1]) {
      dropped.duplicateTime++;
      continue;
    }
    let next = position + 1;
    while (next < times.length && times[next] === row.timeS) next++;
    const toNext = next < times.length ? times[next]! - row.timeS : stepS;
    const weightS = Math.min(toNext, maxGapS);
    if ([row.supplyC, row.returnC, row.heatKw].some(Number.isNaN)) dropped.missing++;
    else if (
      row.rowFault ||
      [row.supplyC, row.returnC].some((value) => value < plausibleC.min || value > plausibleC.max) ||
      row.heatKw > plausibleMaxHeatKw
    ) {
      dropped.implausible++;
    } else if (row.heatKw <= 0) dropped.noHeat++;
    else if (row.returnC <= row.supplyC) dropped.noRise++;
    else kept.push({ row, weightS });
  }
  const column = (pick: (row: RawRow) => number) => Float64Array.from(kept, (entry) => pick(entry.row));
  return success({
    loop,
    timeS: column((row) => row.timeS),
    weightS: Float64Array.from(kept, (entry) => entry.weightS),
    supplyC: column((row) => row.supplyC),
    returnC: column((row) => row.returnC),
    heatKw: column((row) => row.heatKw),
    // A total below the loop's own heat (or above any loop's, in an ESIF row the other loop's fault) is a meter
    // fault: unknown, not a share above 1 or near 0.
    totalKw: column((row) =>
      row.totalKw >= row.heatKw && row.totalKw <= 2 * plausibleMaxHeatKw ? row.totalKw : Number.NaN,
    ),
    hasTotal,
    maxGapS,
    rows: raw.length,
    dropped,
  });
}

/** Rows dropped, by reason, as text ("49 implausible, 2 noHeat"; "none" when nothing was dropped). */
export function droppedText(dropped: DropCounts | Readonly<Record<string, number>>): string {
  const parts = Object.entries(dropped).filter(([, count]) => count > 0);
  return parts.length === 0 ? "none" : parts.map(([reason, count]) => `${count} ${reason}`).join(", ");
}

/** The samples of `history` whose time `keep` accepts, as a history of their own (each keeps its weight). */
export function historyWhere(history: LoopHistory, keep: (timeS: number) => boolean): LoopHistory {
  const indexes: number[] = [];
  for (let sample = 0; sample < history.timeS.length; sample++) if (keep(history.timeS[sample]!)) indexes.push(sample);
  const pick = (column: Float64Array) => Float64Array.from(indexes, (index) => column[index]!);
  return {
    ...history,
    timeS: pick(history.timeS),
    weightS: pick(history.weightS),
    supplyC: pick(history.supplyC),
    returnC: pick(history.returnC),
    heatKw: pick(history.heatKw),
    totalKw: pick(history.totalKw),
  };
}

/**
 * A period bound as `--from` / `--to` take it: `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, clock time read as UTC
 * like the history's own times; seconds, or an error naming the option.
 */
export function parsePeriodBound(text: string, option: string): Outcome<number> {
  const invalid: Outcome<number> = failure(
    `${option}: "${text}" is not a date (YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM)`,
  );
  const match = /^(\d{4})-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?$/.exec(text);
  if (match === null) return invalid;
  const [year, month, day, hour, minute] = match.slice(1).map((part) => Number(part ?? "0"));
  // Built field by field (Date.UTC would read years 0–99 as 1900–1999), then read back: a day or time that does
  // not exist (30 February, 24:00) rolls over and no longer matches what was written.
  const at = new Date(0);
  at.setUTCFullYear(year!, month! - 1, match[3] === undefined ? 1 : day!);
  at.setUTCHours(hour!, minute!);
  const asWritten =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === month! - 1 &&
    (match[3] === undefined || at.getUTCDate() === day) &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute;
  return asWritten ? success(at.getTime() / 1000) : invalid;
}

/**
 * The history from `fromS` (inclusive) to `toS` (exclusive), either bound open when undefined: calibrate on the
 * months after a change the stability check names, or validate on chosen months of one long file. Fails, naming
 * the span the history covers, when no sample lies inside (as when `fromS` is not before `toS`).
 */
export function historyBetween(
  history: LoopHistory,
  fromS: number | undefined,
  toS: number | undefined,
): Outcome<LoopHistory> {
  const inside = historyWhere(
    history,
    (timeS) => (fromS === undefined || timeS >= fromS) && (toS === undefined || timeS < toS),
  );
  if (inside.timeS.length === 0) {
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 16);
    const count = history.timeS.length;
    const span = count === 0 ? "no samples" : `${iso(history.timeS[0]!)} → ${iso(history.timeS[count - 1]!)}`;
    return failure(`--from/--to: no sample of the history lies in the period (the history runs ${span})`);
  }
  return success(inside);
}
