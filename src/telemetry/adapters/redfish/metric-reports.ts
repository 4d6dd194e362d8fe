/**
 * Redfish TelemetryService metric reports (DSP0268 MetricReport, MetricReportDefinition) as samples, whether read
 * at each poll or pushed by the service to alixan's receiver.
 *
 * Each `MetricValues` entry becomes one sample: the series is `redfish_<MetricId in snake case>` (or the name the
 * target's binding `rename` gives the MetricId), labelled with the report's `Id` as `report` and the
 * `MetricProperty` (the resource property read) as `property`; the equipment is the binding that covers the
 * property's resource, as for polled readings. A value whose unit its MetricDefinition or Sensor gives is
 * converted and named with that unit (metric-units.ts). Its time is the value's own `Timestamp`, else the report's.
 * `MetricValue` is a string in the schema: numbers are read from it, OK/Warning/Critical as 0/1/2, and anything
 * else is a rejection naming the value.
 *
 * Reading: the definitions in `TelemetryService/MetricReportDefinitions` say which reports exist and whether they
 * are enabled; each enabled definition's `MetricReport` is read, and a report whose `Timestamp` has not moved
 * since the last poll is skipped (its samples are stored already). A service without definitions is read through
 * its `MetricReports` collection.
 */

import { isRecord } from "../../../core/records.ts";
import { type Interner, maxTimestamp, type SampleBuffer } from "../../samples.ts";
import type { RejectionList } from "../../types.ts";
import { bindingFor, type RedfishTarget } from "./binding.ts";
import type { RedfishClient } from "./client.ts";
import { odataId, type Resource } from "./extract.ts";
import { type MetricUnit, type MetricUnits, unitSourceOf, withUnitSuffix } from "./metric-units.ts";

/** Most values read from one report (a report past this is cut, with a rejection saying so). */
export const maxMetricValues = 10_000;

const stateValues: Readonly<Record<string, number>> = { OK: 0, Warning: 1, Critical: 2 };

/** `AverageConsumedWatts` → `average_consumed_watts`; `PDU1.InletTemp` → `pdu1_inlet_temp`. */
export function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** A `MetricValue` as a number: numeric text or a number, OK/Warning/Critical as 0/1/2; undefined otherwise. */
function numericValue(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const state = stateValues[value];
  if (state !== undefined) return state;
  const trimmed = value.trim();
  if (trimmed === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** A Redfish date-time as ms, when it is one and within the range samples may have. */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const parsed = Date.parse(value);
  return Number.isFinite(parsed) && Math.abs(parsed) <= maxTimestamp ? parsed : undefined;
}

/**
 * Turns one metric report's values into samples; returns how many it added. `unitOf` gives each value's unit
 * (metric-units.ts; undefined while its definition or sensor is not read: the value is refused, never stored in a
 * unit it may not have). Without it, values are stored as read.
 */
export function metricReportSamples(
  report: Resource,
  target: RedfishTarget,
  intern: Interner,
  samples: SampleBuffer,
  rejections: RejectionList,
  now: number,
  unitOf: (entry: Readonly<Record<string, unknown>>) => MetricUnit | undefined = () => ({ kind: "none" }),
): number {
  const reportId = typeof report["Id"] === "string" ? report["Id"] : "report";
  const values = report["MetricValues"];
  const path = `MetricReport ${reportId}`;
  if (!Array.isArray(values)) {
    rejections.add({ path, problem: "MetricValues: must be a list" });
    return 0;
  }
  if (values.length > maxMetricValues) {
    rejections.add({ path, problem: `MetricValues: ${values.length} values; the first ${maxMetricValues} were read` });
  }
  const reportTime = timeOf(report["Timestamp"]) ?? now;
  const before = samples.count;
  const count = Math.min(values.length, maxMetricValues);
  for (let index = 0; index < count; index++) {
    const entry: unknown = values[index];
    const at = `${path}.MetricValues[${index}]`;
    if (!isRecord(entry)) {
      rejections.add({ path: at, problem: "must be an object" });
      continue;
    }
    const property = typeof entry["MetricProperty"] === "string" ? entry["MetricProperty"] : undefined;
    const metricId =
      typeof entry["MetricId"] === "string" && entry["MetricId"] !== ""
        ? entry["MetricId"]
        : property
            ?.split(/[#/]/)
            .filter((part) => part !== "")
            .at(-1);
    if (metricId === undefined) {
      rejections.add({ path: at, problem: "neither MetricId nor MetricProperty names the metric" });
      continue;
    }
    const read = numericValue(entry["MetricValue"]);
    if (read === undefined) {
      rejections.add({ path: `${at}.MetricValue`, problem: `${JSON.stringify(entry["MetricValue"])} is not a number` });
      continue;
    }
    const unit = unitOf(entry);
    if (unit === undefined || unit.kind === "refuse") {
      const problem =
        unit?.problem ?? `its unit is not known: ${unitSourceOf(entry)} could not be read; value not stored`;
      rejections.add({ path: at, problem });
      continue;
    }
    const value = unit.kind === "convert" ? unit.unit.convert(read) : read;
    const timestamp = entry["Timestamp"] === undefined ? reportTime : timeOf(entry["Timestamp"]);
    if (timestamp === undefined) {
      rejections.add({ path: `${at}.Timestamp`, problem: "must be an ISO 8601 date-time" });
      continue;
    }
    const binding = property === undefined ? undefined : bindingFor(target, property.split("#")[0]!);
    const plain = `redfish_${snakeCase(metricId)}`;
    const fallback = unit.kind === "convert" ? withUnitSuffix(plain, unit.suffix) : plain;
    const name = binding?.rename[metricId] ?? binding?.rename[fallback] ?? binding?.rename[plain] ?? fallback;
    const labels = {
      report: reportId,
      ...(unit.kind === "label" ? { unit: unit.unit } : {}),
      ...(property === undefined ? {} : { property }),
      ...binding?.labels,
      ...(binding?.equipment === undefined ? {} : { equipment: binding.equipment }),
    };
    const series = intern(name, labels);
    if (series.ok) samples.push(series.value, timestamp, value);
    else rejections.add({ path: at, problem: series.problem });
  }
  return samples.count - before;
}

/** What one reading of the TelemetryService found. */
export interface MetricReportRead {
  readonly reports: number;
  readonly samples: number;
  readonly problems: string[];
}

/**
 * Reads the service's metric reports, skipping those unchanged since `seen` (report URI → Timestamp). A value whose
 * unit could not be looked up (units.learn: the failure is remembered, and the service not asked again before its
 * backoff ends) is refused, naming why, and the rest of the report stored: leaving the whole report for the next
 * poll, as before the failures were remembered, would only lose its other values, since the next poll does not ask
 * again.
 */
export async function readMetricReports(
  client: RedfishClient,
  target: RedfishTarget,
  seen: Map<string, string>,
  units: MetricUnits,
  intern: Interner,
  samples: SampleBuffer,
  rejections: RejectionList,
  now: number,
): Promise<MetricReportRead> {
  const problems: string[] = [];
  const service = await client.get("/redfish/v1/TelemetryService");
  if (typeof service === "string") return { reports: 0, samples: 0, problems: [service] };
  const uris = await reportUris(client, service, target.maxResources, problems);
  let reports = 0;
  let added = 0;
  for (const uri of uris) {
    const report = await client.get(uri);
    if (typeof report === "string") {
      problems.push(report);
      continue;
    }
    reports++;
    const stamp = typeof report["Timestamp"] === "string" ? report["Timestamp"] : undefined;
    if (stamp !== undefined && seen.get(uri) === stamp) continue;
    const failed = await units.learn(report, now);
    added += metricReportSamples(report, target, intern, samples, rejections, now, (entry) =>
      units.unitOf(entry, failed),
    );
    if (stamp !== undefined) seen.set(uri, stamp);
  }
  return { reports, samples: added, problems };
}

/** The reports to read: those of enabled definitions, else the members of the MetricReports collection. */
async function reportUris(
  client: RedfishClient,
  service: Resource,
  limit: number,
  problems: string[],
): Promise<string[]> {
  const definitionsUri = odataId(service["MetricReportDefinitions"]);
  const reportsUri = odataId(service["MetricReports"]);
  if (definitionsUri !== undefined) {
    const collection = await client.get(definitionsUri);
    if (typeof collection === "string") problems.push(collection);
    else {
      const uris: string[] = [];
      for (const member of await allMembers(client, collection, limit, problems)) {
        const definition = await client.get(member);
        if (typeof definition === "string") {
          problems.push(definition);
          continue;
        }
        if (!definitionEnabled(definition)) continue;
        const report =
          odataId(definition["MetricReport"]) ??
          (reportsUri === undefined || typeof definition["Id"] !== "string"
            ? undefined
            : `${reportsUri}/${definition["Id"]}`);
        if (report !== undefined) uris.push(report);
      }
      return uris;
    }
  }
  if (reportsUri === undefined) {
    problems.push("/redfish/v1/TelemetryService: lists neither MetricReportDefinitions nor MetricReports");
    return [];
  }
  const collection = await client.get(reportsUri);
  if (typeof collection === "string") {
    problems.push(collection);
    return [];
  }
  return allMembers(client, collection, limit, problems);
}

/** Whether a definition produces reports (enabled, and not only pushed: it must log to the collection). */
function definitionEnabled(definition: Resource): boolean {
  if (definition["MetricReportDefinitionEnabled"] === false) return false;
  const status = definition["Status"];
  if (isRecord(status) && status["State"] === "Disabled") return false;
  const actions = definition["ReportActions"];
  return !Array.isArray(actions) || actions.includes("LogToMetricReportsCollection");
}

function membersOf(collection: Resource): string[] {
  const members = collection["Members"];
  if (!Array.isArray(members)) return [];
  return members.map(odataId).filter((uri): uri is string => uri !== undefined);
}

/** The members of a collection over all its pages (`Members@odata.nextLink`), at most `limit`. */
async function allMembers(
  client: RedfishClient,
  first: Resource,
  limit: number,
  problems: string[],
): Promise<string[]> {
  const members = membersOf(first);
  const seen = new Set<string>();
  let page = first;
  for (;;) {
    const next = page["Members@odata.nextLink"];
    if (typeof next !== "string" || next === "" || seen.has(next) || members.length >= limit) break;
    seen.add(next);
    const read = await client.get(next);
    if (typeof read === "string") {
      problems.push(read);
      break;
    }
    members.push(...membersOf(read));
    page = read;
  }
  return members.slice(0, limit);
}
