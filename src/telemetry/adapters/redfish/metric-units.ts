/**
 * Units of TelemetryService metric values (DSP0268 MetricReport `MetricValues`), so that a metric report's value is
 * stored in the unit its series name says, as a Sensor's reading is (units.ts).
 *
 * A `MetricValue` is a bare string: its unit is said elsewhere. By the value's `MetricDefinition` link (its `Units`,
 * a UCUM code: MetricDefinition v1 `Units`), else, when its `MetricProperty` is a property of a Sensor
 * (`/redfish/v1/Chassis/1/Sensors/PS1Power/Reading`, or `…/PS1Power#/Reading`), by that Sensor's `ReadingType`,
 * `ReadingUnits` and `ReadingBasis`. Each definition or sensor is read once and kept for the poller's life (a
 * service does not change a metric's unit while it runs), at most `limit` new ones per report read. A value named by
 * neither (a property of a resource that carries its unit in the property name, `PowerConsumedWatts`) is stored as
 * read, as before.
 */
import { isRecord } from "../../../core/records.ts";
import type { RedfishClient } from "./client.ts";
import { odataId, type Resource } from "./extract.ts";
import { type SensorUnit, sensorUnit } from "./units.ts";
import { normaliseUri } from "./values.ts";

/** What a value's unit is: a conversion, a unit alixan does not convert (kept as a label), or a refusal. */
export type MetricUnit =
  | { readonly kind: "convert"; readonly unit: SensorUnit; readonly suffix: string }
  | { readonly kind: "label"; readonly unit: string }
  | { readonly kind: "none" }
  | { readonly kind: "refuse"; readonly problem: string };

/** Definitions and sensors kept at most (a service naming ever new ones empties the cache rather than grow it). */
const maxKnown = 10_000;

/** Lookups in flight at once (BMCs are small computers). */
const concurrency = 4;
/**
 * Look-ups under way at once for one service, whatever number of reports are read or pushed at once: a client pushing
 * reports that name ever new definitions (a writer key or the subscription's secret is all it takes) must not make
 * the platform send the BMC more than a few GETs at a time. A value whose look-up finds no room is refused, named.
 */
export const maxLookUpsInFlight = 8;

/**
 * The resource that says a value's unit: its MetricDefinition, else the Sensor its MetricProperty belongs to;
 * undefined when neither is named.
 */
export function unitSourceOf(entry: Readonly<Record<string, unknown>>): string | undefined {
  const definition = odataId(entry["MetricDefinition"]);
  if (definition !== undefined && definition !== "") return normaliseUri(definition);
  const property = entry["MetricProperty"];
  if (typeof property !== "string") return undefined;
  const sensor = /^(\/redfish\/v1\/(?:[^#?]*\/)?Sensors\/[^/#?]+)/.exec(property)?.[1];
  return sensor === undefined ? undefined : normaliseUri(sensor);
}

/** The unit a fetched MetricDefinition or Sensor gives its values. */
export function unitOfResource(resource: Resource, uri: string): MetricUnit {
  const text = (name: string): string => (typeof resource[name] === "string" ? (resource[name] as string) : "");
  const type = text("@odata.type");
  const isSensor = type.startsWith("#Sensor.");
  const units = isSensor ? text("ReadingUnits") : text("Units");
  const found = isSensor ? sensorUnit(text("ReadingType"), units, text("ReadingBasis")) : sensorUnit("", units);
  if (typeof found === "string") return { kind: "refuse", problem: `${uri}: ${found}` };
  if (found !== undefined) return { kind: "convert", unit: found, suffix: found.series.split("_").at(-1) ?? "" };
  return units === "" ? { kind: "none" } : { kind: "label", unit: units };
}

/**
 * The series name of a metric whose unit is known: `base` with the unit's word (`_watts`, `_celsius`) appended
 * unless it ends with it already (`average_consumed_watts`, `energy_kwh` from `EnergykWh`).
 */
export function withUnitSuffix(base: string, suffix: string): string {
  return suffix === "" || base.replaceAll("_", "").endsWith(suffix) ? base : `${base}_${suffix}`;
}

/** The units of one service's metric values, looked up on demand and kept. */
export class MetricUnits {
  readonly #client: RedfishClient;
  readonly #limit: number;
  readonly #known = new Map<string, MetricUnit>();
  /** Look-ups under way, by URI: reports read or pushed at once share one GET per definition or sensor. */
  readonly #pending = new Map<string, Promise<MetricUnit | string>>();

  /** `limit`: new definitions or sensors read per report at most. */
  constructor(client: RedfishClient, limit: number) {
    this.#client = client;
    this.#limit = limit;
  }

  /**
   * Reads the definitions and sensors that the report's values name and that are not known yet; answers a problem
   * for each one that could not be read (or was left over the limit), by URI. Values named by those cannot be
   * stored in a known unit yet.
   */
  async learn(report: Resource): Promise<Map<string, string>> {
    const values = report["MetricValues"];
    const missing = new Set<string>();
    if (Array.isArray(values)) {
      for (const entry of values) {
        const source = isRecord(entry) ? unitSourceOf(entry) : undefined;
        if (source !== undefined && !this.#known.has(source)) missing.add(source);
      }
    }
    const failed = new Map<string, string>();
    const queue = [...missing];
    for (const uri of queue.splice(this.#limit))
      failed.set(uri, `${uri}: not read, more than ${this.#limit} metric definitions or sensors to look up at once`);
    const work = async (): Promise<void> => {
      for (let uri = queue.shift(); uri !== undefined; uri = queue.shift()) {
        const found = await this.#shared(uri);
        if (typeof found === "string") failed.set(uri, found);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, work));
    return failed;
  }

  /** The unit of one value: known, `none` when nothing names it, undefined when its source is not read yet. */
  unitOf(entry: Readonly<Record<string, unknown>>): MetricUnit | undefined {
    const source = unitSourceOf(entry);
    return source === undefined ? { kind: "none" } : this.#known.get(source);
  }

  /** The look-up of `uri` under way, else a new one (kept once it answers a unit). */
  #shared(uri: string): Promise<MetricUnit | string> {
    const pending = this.#pending.get(uri);
    if (pending !== undefined) return pending;
    if (this.#pending.size >= maxLookUpsInFlight) {
      return Promise.resolve(`${uri}: not read, ${maxLookUpsInFlight} look-ups already under way at this service`);
    }
    const lookUp = this.#lookUp(uri).then((found) => {
      this.#pending.delete(uri);
      if (typeof found !== "string") this.#keep(uri, found);
      return found;
    });
    this.#pending.set(uri, lookUp);
    return lookUp;
  }

  /**
   * The unit `uri` gives, or why it could not be read. A service that answers it does not serve it (4xx: no such
   * sensor, no right to read it) said all there is: the value is stored as read, as when nothing names its unit.
   * Anything else (no answer, 5xx) may pass, and is tried again.
   */
  async #lookUp(uri: string): Promise<MetricUnit | string> {
    try {
      const answer = await this.#client.request({ method: "GET", uri });
      if (answer.status >= 400 && answer.status <= 499) return { kind: "none" };
      if (answer.status < 200 || answer.status > 299) return `${uri}: HTTP ${answer.status}`;
      if (!isRecord(answer.body)) return `${uri}: not a JSON object`;
      return unitOfResource(answer.body, uri);
    } catch (cause) {
      return `${uri}: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
  }

  #keep(uri: string, unit: MetricUnit): void {
    if (this.#known.size >= maxKnown) this.#known.clear();
    this.#known.set(uri, unit);
  }
}
