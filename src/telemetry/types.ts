/**
 * Shared vocabulary of the telemetry layer: results as values, rejections that name the line or field, label sets
 * and the naming rules every adapter applies before a reading becomes a series.
 */
import type { LimitRefusal } from "./limits.ts";

/** An outcome the caller must look at: a value, or a problem phrased for a person. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** Wraps a value as a successful result. */
export function success<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps a problem as a failed result. */
export function failure<T>(problem: string): Result<T> {
  return { ok: false, problem };
}

/** One rejected input: where it was (a line of text, or a path into a JSON body) and what is wrong with it. */
export interface Rejection {
  /** 1-based line number, for text formats. */
  readonly line?: number;
  /** Path into the body (`samples[3].value`) or the field on a line (`field "flow"`). */
  readonly path: string;
  readonly problem: string;
}

/** What an ingest call did: how many samples are now durable and which inputs were refused. */
export interface IngestReport {
  readonly accepted: number;
  /** The first rejections (capped at `maxReportedRejections` so a garbage body cannot balloon the answer). */
  readonly rejected: readonly Rejection[];
  /** Every rejection, including those left out of `rejected`. */
  readonly rejectedCount: number;
  /** Inputs refused because a series limit (the sender's or the platform's) was reached. */
  readonly seriesLimited?: number;
  /** The per-source limit that refused the whole batch (limits.ts). */
  readonly limit?: LimitRefusal;
}

/** Rejections beyond this many are counted but not listed. */
export const maxReportedRejections = 100;

/** Collects rejections, keeping the first `maxReportedRejections` and counting the rest. */
export class RejectionList {
  readonly items: Rejection[] = [];
  count = 0;

  /** Records one rejection. */
  add(rejection: Rejection): void {
    this.count++;
    if (this.items.length < maxReportedRejections) this.items.push(rejection);
  }
}

/** Label names to values, as Prometheus and Influx tags have them. */
export type Labels = Readonly<Record<string, string>>;

/** Alarm severities, least severe first. */
export const severities = ["info", "warning", "critical"] as const;
/** One severity. */
export type Severity = (typeof severities)[number];

/** Orders severities: negative when `a` is less severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return severities.indexOf(a) - severities.indexOf(b);
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Longest series name, label name or label value accepted (bytes of UTF-16, close enough for a guard). */
export const maxNameLength = 200;
/** Longest label value accepted. */
export const maxLabelValueLength = 1024;
/** Most labels one series may carry. */
export const maxLabels = 32;

/** Checks a series name against the Prometheus naming rule; undefined when fine, else the problem. */
export function checkMetricName(name: string): string | undefined {
  if (name.length === 0) return "the series name is empty";
  if (name.length > maxNameLength) return `the series name is longer than ${maxNameLength} characters`;
  if (!metricNamePattern.test(name)) {
    return `series name ${JSON.stringify(truncate(name))} must match [a-zA-Z_:][a-zA-Z0-9_:]*`;
  }
  return undefined;
}

/** Checks a label set; undefined when fine, else the problem naming the label. */
export function checkLabels(labels: Labels): string | undefined {
  const names = Object.keys(labels);
  if (names.length > maxLabels) return `${names.length} labels, at most ${maxLabels} are allowed`;
  for (const name of names) {
    if (name.length > maxNameLength || !labelNamePattern.test(name)) {
      return `label name ${JSON.stringify(truncate(name))} must match [a-zA-Z_][a-zA-Z0-9_]*`;
    }
    if (name.startsWith("__")) return `label name ${JSON.stringify(name)} is reserved (starts with "__")`;
    const value = labels[name]!;
    if (typeof value !== "string") return `label ${name}: the value must be a string`;
    if (value.length > maxLabelValueLength) {
      return `label ${name}: the value is longer than ${maxLabelValueLength} characters`;
    }
  }
  return undefined;
}

/** Replaces characters a series name may not hold with `_` (used for Influx measurement and field names). */
export function sanitizeMetricName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Shortens a value for inclusion in a message. */
export function truncate(text: string, length = 60): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}
