/**
 * JSON batches pushed by equipment gateways and scripts. Two shapes, which may be mixed in one body:
 *
 * ```json
 * { "samples": [{ "name": "rack_power_kw", "labels": { "rack": "rack:h1-r07-012" }, "value": 41.8, "timestamp": 1767225600000 }],
 *   "frames":  [{ "name": "rack_inlet_celsius", "labels": { "rack": "rack:h1-r07-012" },
 *                 "timestamps": [1767225600000, 1767225610000], "values": [24.1, 24.3] }] }
 * ```
 *
 * Timestamps are ms since the epoch or RFC 3339 text, and default to the time of receipt. Each bad sample is
 * rejected with its path (`samples[3].value: …`) while the good ones are kept.
 */
import { isRecord } from "../../core/records.ts";
import { type Interner, maxTimestamp, type SampleBuffer } from "../samples.ts";
import { type RejectionList, truncate } from "../types.ts";

const sampleFields = new Set(["name", "labels", "value", "timestamp"]);
const frameFields = new Set(["name", "labels", "timestamps", "values"]);

/** `path.key`, or `path["odd key"]` for keys that are not identifiers. */
function member(path: string, key: string): string {
  const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  if (path === "") return quoted;
  return quoted === key ? `${path}.${key}` : `${path}[${quoted}]`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(truncate(value, 40))}`;
  if (typeof value === "number") return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** A time in ms from a number or RFC 3339 text; a problem string when it is neither or out of range. */
function decodeTimestamp(value: unknown): number | string {
  let time: number;
  if (typeof value === "number") time = value;
  else if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) time = Date.parse(value);
  else return `must be ms since the epoch or RFC 3339 text, not ${describe(value)}`;
  if (!Number.isFinite(time)) return `${JSON.stringify(truncate(String(value), 40))} is not a valid time`;
  if (time < 0 || time > maxTimestamp) return `${time} is outside 1970 to 275760`;
  return time;
}

/** Labels must be an object of strings; returns them or a problem with the label's path. */
function decodeLabels(value: unknown, path: string): Record<string, string> | { problem: string; path: string } {
  if (value === undefined) return {};
  if (!isRecord(value)) return { path, problem: `must be an object of strings, not ${describe(value)}` };
  const labels: Record<string, string> = {};
  for (const [name, labelValue] of Object.entries(value)) {
    if (typeof labelValue !== "string")
      return { path: member(path, name), problem: `must be a string, not ${describe(labelValue)}` };
    labels[name] = labelValue;
  }
  return labels;
}

function isProblem(value: unknown): value is { problem: string; path: string } {
  return isRecord(value) && typeof value["problem"] === "string" && typeof value["path"] === "string";
}

/** Decodes a JSON batch into samples; never throws, whatever the body. */
export function decodeJsonBatch(
  body: unknown,
  now: number,
  intern: Interner,
  out: SampleBuffer,
  rejections: RejectionList,
): void {
  if (!isRecord(body)) {
    rejections.add({
      path: "body",
      problem: `must be an object with "samples" and/or "frames", not ${describe(body)}`,
    });
    return;
  }
  const unknown = Object.keys(body).filter((key) => key !== "samples" && key !== "frames");
  for (const key of unknown)
    rejections.add({ path: member("", key), problem: 'unknown field (expected "samples" or "frames")' });
  if (body["samples"] === undefined && body["frames"] === undefined) {
    rejections.add({ path: "body", problem: 'has neither "samples" nor "frames"' });
    return;
  }
  for (const field of ["samples", "frames"] as const) {
    const list = body[field];
    if (list !== undefined && !Array.isArray(list)) {
      rejections.add({ path: field, problem: `must be an array, not ${describe(list)}` });
    }
  }
  if (Array.isArray(body["samples"])) {
    body["samples"].forEach((sample: unknown, index) => {
      decodeSample(sample, `samples[${index}]`, now, intern, out, rejections);
    });
  }
  if (Array.isArray(body["frames"])) {
    body["frames"].forEach((frame: unknown, index) => {
      decodeFrame(frame, `frames[${index}]`, now, intern, out, rejections);
    });
  }
}

function decodeSeries(
  item: Record<string, unknown>,
  path: string,
  allowed: ReadonlySet<string>,
  intern: Interner,
  rejections: RejectionList,
): number | undefined {
  const unknown = Object.keys(item).find((key) => !allowed.has(key));
  if (unknown !== undefined) {
    rejections.add({ path: member(path, unknown), problem: `unknown field (expected ${[...allowed].join(", ")})` });
    return undefined;
  }
  const name = item["name"];
  if (typeof name !== "string") {
    rejections.add({ path: `${path}.name`, problem: `must be a string, not ${describe(name)}` });
    return undefined;
  }
  const labels = decodeLabels(item["labels"], `${path}.labels`);
  if (isProblem(labels)) {
    rejections.add(labels);
    return undefined;
  }
  const series = intern(name, labels);
  if (!series.ok) {
    rejections.add({ path, problem: series.problem });
    return undefined;
  }
  return series.value;
}

function decodeSample(
  sample: unknown,
  path: string,
  now: number,
  intern: Interner,
  out: SampleBuffer,
  rejections: RejectionList,
): void {
  if (!isRecord(sample)) {
    rejections.add({ path, problem: `must be an object, not ${describe(sample)}` });
    return;
  }
  const value = sample["value"];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    rejections.add({ path: `${path}.value`, problem: `must be a finite number, not ${describe(value)}` });
    return;
  }
  const timestamp = sample["timestamp"] === undefined ? now : decodeTimestamp(sample["timestamp"]);
  if (typeof timestamp === "string") {
    rejections.add({ path: `${path}.timestamp`, problem: timestamp });
    return;
  }
  const series = decodeSeries(sample, path, sampleFields, intern, rejections);
  if (series !== undefined) out.push(series, timestamp, value);
}

function decodeFrame(
  frame: unknown,
  path: string,
  now: number,
  intern: Interner,
  out: SampleBuffer,
  rejections: RejectionList,
): void {
  if (!isRecord(frame)) {
    rejections.add({ path, problem: `must be an object, not ${describe(frame)}` });
    return;
  }
  const timestamps = frame["timestamps"];
  const values = frame["values"];
  if (!Array.isArray(values)) {
    rejections.add({ path: `${path}.values`, problem: `must be an array of numbers, not ${describe(values)}` });
    return;
  }
  if (timestamps !== undefined && !(Array.isArray(timestamps) && timestamps.length === values.length)) {
    rejections.add({
      path: `${path}.timestamps`,
      problem: Array.isArray(timestamps)
        ? `has ${timestamps.length} entries but values has ${values.length}`
        : `must be an array, not ${describe(timestamps)}`,
    });
    return;
  }
  const series = decodeSeries(frame, path, frameFields, intern, rejections);
  if (series === undefined) return;
  values.forEach((value: unknown, index) => {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      rejections.add({ path: `${path}.values[${index}]`, problem: `must be a finite number, not ${describe(value)}` });
      return;
    }
    const timestamp = timestamps === undefined ? now : decodeTimestamp((timestamps as unknown[])[index]);
    if (typeof timestamp === "string") {
      rejections.add({ path: `${path}.timestamps[${index}]`, problem: timestamp });
      return;
    }
    out.push(series, timestamp, value);
  });
}
