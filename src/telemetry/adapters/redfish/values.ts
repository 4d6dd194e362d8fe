/**
 * Values as Redfish resources hold them, shared by the extraction of each schema (extract.ts, chassis.ts): URIs,
 * numeric properties that are plain numbers or sensor excerpts (`{ "Reading": 42, "DataSourceUri": … }`),
 * Health-like enumerations, `Status.State`, and the sink that readings and problems go to.
 */
import { isRecord } from "../../../core/records.ts";

/** What extraction hands readings and problems to, for one resource. */
export interface Emit {
  /** The resource's URI (problems start with it). */
  readonly uri: string;
  /** Whether the resource is present and on (its null readings are problems, not quiet gaps). */
  readonly live: boolean;
  /** Adds a reading; an undefined value adds nothing. */
  add(name: string, labels: Readonly<Record<string, string>>, value: number | undefined): void;
  /** Records a reading that could not be taken, naming the property and why. */
  problem(text: string): void;
  /**
   * Names the Sensor a copied reading (an excerpt's `DataSourceUri`) comes from when the series it goes to depends
   * on what that sensor measures (its PhysicalContext): the poller reads that sensor too.
   */
  source(uri: string): void;
}

/** The numeric `Reading` of a property that is an excerpt (`{ "Reading": 42 }`) or a plain number. */
export function reading(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (isRecord(value) && typeof value["Reading"] === "number" && Number.isFinite(value["Reading"]))
    return value["Reading"];
  return undefined;
}

/** Whether a property is there but holds no reading (`null`, or an excerpt whose `Reading` is null). */
export function isNullReading(value: unknown): boolean {
  return value === null || (isRecord(value) && "Reading" in value && value["Reading"] === null);
}

/**
 * The reading of a value named `name` (for the problem); a null one is a problem when the resource is live (a
 * sensor that is on but gives nothing is worth knowing about; an absent or disabled one is not).
 */
export function readValue(value: unknown, emit: Emit, name: string): number | undefined {
  if (emit.live && isNullReading(value)) emit.problem(`${name} is null (the equipment gives no reading)`);
  return reading(value);
}

/** The reading of `property` of `holder` (see readValue); `where` prefixes the property in problems. */
export function readProperty(
  holder: Readonly<Record<string, unknown>>,
  property: string,
  emit: Emit,
  where = "",
): number | undefined {
  return readValue(holder[property], emit, `${where}${property}`);
}

/**
 * The reading of a property the resource must give when it is live (a sensor's `Reading`, a legacy temperature's
 * `ReadingCelsius`): its absence is a problem too, so a service that names it otherwise is seen, not skipped.
 */
export function readRequired(
  holder: Readonly<Record<string, unknown>>,
  property: string,
  emit: Emit,
  where = "",
): number | undefined {
  if (emit.live && !(property in holder)) {
    emit.problem(`${where}${property} is missing (the equipment gives no reading under that name)`);
    return undefined;
  }
  return readProperty(holder, property, emit, where);
}

const healthValues: Readonly<Record<string, number>> = { OK: 0, Warning: 1, Critical: 2 };

/** Redfish enumerations of OK/Warning/Critical (Health, DetectorState, FluidLevelStatus) as 0/1/2. */
export function stateValue(value: unknown): number | undefined {
  return typeof value === "string" ? healthValues[value] : undefined;
}

/** `Status.State` of a resource or array member, when it gives one. */
export function stateOf(holder: Readonly<Record<string, unknown>>): string | undefined {
  const status = holder["Status"];
  return isRecord(status) && typeof status["State"] === "string" ? status["State"] : undefined;
}

/** States whose readings mean nothing: the part is not there. */
export function isAbsent(holder: Readonly<Record<string, unknown>>): boolean {
  return stateOf(holder) === "Absent";
}

/**
 * Whether a part should give readings: enabled (no Status at all counts as on) and not switched off (an outlet or
 * circuit whose `PowerState` is Off may leave its readings null).
 */
export function isLive(holder: Readonly<Record<string, unknown>>): boolean {
  const state = stateOf(holder);
  return (state === undefined || state === "Enabled" || state === "Degraded") && holder["PowerState"] !== "Off";
}

/**
 * A Redfish URI without trailing slashes on its path, query and fragment kept: services that write
 * `/redfish/v1/Chassis/1/` serve the resource at both, and alarms keyed by it must be the same either way.
 */
export function canonicalUri(uri: string): string {
  const match = /^([^?#]*?)\/*([?#].*)?$/.exec(uri);
  if (match === null) return uri;
  return `${match[1] === "" ? "/" : match[1]}${match[2] ?? ""}`;
}

/**
 * A link target as the walk keys it: canonical, and without a fragment (a JSON pointer into a resource read
 * already), so that no resource is read twice.
 */
export function normaliseUri(uri: string): string {
  return canonicalUri(uri.split("#")[0] ?? uri);
}

/**
 * The Sensor a copied reading (an excerpt, a detector) names by its `DataSourceUri`: its URI as the walk keys it and
 * its id (the URI's last segment); undefined when it names none.
 */
export function dataSourceOf(holder: Readonly<Record<string, unknown>>): { uri: string; sensor: string } | undefined {
  const raw = holder["DataSourceUri"];
  if (typeof raw !== "string") return undefined;
  const uri = normaliseUri(raw);
  const sensor = uri.split("?")[0]!.split("/").at(-1) ?? "";
  return sensor === "" ? undefined : { uri, sensor };
}
