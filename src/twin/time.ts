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
