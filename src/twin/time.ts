/**
 * Durations written by people (`1y`, `60s`, `2d14h`) and the calendar the twin runs on: simulated time is seconds
 * after midnight on 1 January of a typical (non-leap) year that starts on a Monday.
 */
import { failure, type Outcome, success } from "./outcome.ts";

/** Seconds in a minute, hour, day, week and the 365-day typical year. */
export const secondsPer = { m: 60, h: 3_600, d: 86_400, w: 604_800, y: 31_536_000 } as const;

const unitSeconds: Readonly<Record<string, number>> = { s: 1, ...secondsPer };
const durationPart = /(\d+(?:\.\d+)?)\s*([smhdwy])/gy;

/**
 * Parses a duration: a number of seconds (`3600`) or number-unit pairs with s, m, h, d, w or y (`60s`, `1y`,
 * `2d14h30m`). `what` names the value in the error (`--step`, `events[2].at`).
 */
export function parseDuration(text: string | number, what: string): Outcome<number> {
  if (typeof text === "number") {
    return Number.isFinite(text) && text >= 0 ? success(text) : failure(`${what}: ${text} is not a duration ≥ 0`);
  }
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return success(Number(trimmed));
  let seconds = 0;
  let consumed = 0;
  durationPart.lastIndex = 0;
  for (let match = durationPart.exec(trimmed); match !== null; match = durationPart.exec(trimmed)) {
    seconds += Number(match[1]) * unitSeconds[match[2]!]!;
    consumed = durationPart.lastIndex;
  }
  if (trimmed === "" || consumed !== trimmed.length) {
    return failure(`${what}: "${text}" is not a duration (use seconds or a number with s, m, h, d, w or y: 60s, 1y)`);
  }
  return success(seconds);
}

/** Formats seconds compactly for people: `1y`, `7d`, `60s`, `1h30m`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  let rest = seconds;
  let text = "";
  for (const [unit, size] of [
    ["y", secondsPer.y],
    ["d", secondsPer.d],
    ["h", secondsPer.h],
    ["m", secondsPer.m],
  ] as const) {
    const whole = Math.floor(rest / size);
    if (whole > 0) {
      text += `${whole}${unit}`;
      rest -= whole * size;
    }
  }
  if (rest > 0) text += `${Number(rest.toFixed(3))}s`;
  return text;
}

/** Seconds from the start of a year to 1 March in a non-leap year (31 + 28 days). */
const marchFirstS = 59 * secondsPer.d;

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date and time of an instant in `timeZone`, as if that wall clock were UTC (milliseconds). */
function wallClockMs(epochMs: number, timeZone: string): number {
  let format = wallClocks.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    wallClocks.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(epochMs)) if (part.type !== "literal") parts[part.type] = Number(part.value);
  const whole = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  // Formatting drops the milliseconds; keep them so consecutive instants stay ordered.
  return whole + (((epochMs % 1000) + 1000) % 1000);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Where an instant falls on the twin's calendar by the wall clock of `timeZone` (an IANA name such as
 * Europe/Paris): seconds into the typical year (29 February counts as 28 February, so later dates keep their
 * weather), the weekday (0 Monday … 6 Sunday) and the calendar year.
 */
export function yearTimeOf(epochMs: number, timeZone: string): { yearTimeS: number; weekday: number; year: number } {
  const wall = wallClockMs(epochMs, timeZone);
  const date = new Date(wall);
  const year = date.getUTCFullYear();
  let yearTimeS = (wall - Date.UTC(year, 0, 1)) / 1000;
  if (isLeapYear(year) && yearTimeS >= marchFirstS) yearTimeS -= secondsPer.d;
  return { yearTimeS, weekday: (date.getUTCDay() + 6) % 7, year };
}

/** The instant at which the wall clock of `timeZone` shows `yearTimeS` into the typical year of `year`. */
export function epochOfYearTime(year: number, yearTimeS: number, timeZone: string): number {
  const shifted = isLeapYear(year) && yearTimeS >= marchFirstS ? yearTimeS + secondsPer.d : yearTimeS;
  const wall = Date.UTC(year, 0, 1) + shifted * 1000;
  // The zone's offset at the guess, then at the corrected instant (exact except inside a clock change).
  let epoch = wall - (wallClockMs(wall, timeZone) - wall);
  epoch = wall - (wallClockMs(epoch, timeZone) - epoch);
  return epoch;
}
