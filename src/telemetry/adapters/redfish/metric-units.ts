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
 *
 * A look-up that fails is remembered (LookUpFailures): the service is not asked for that definition again before a
 * backoff ends (1 min, doubling to 1 h), so a slow or broken BMC is not asked at every report that names it and
 * those reports do not wait for it. Values named by a failed look-up are refused, naming why.
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

/** Longest URI looked up: a pushed report's links are kept in the failure memory, so their size is bounded too. */
export const maxLookUpUriLength = 1024;

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

/** Why a value's unit source could not be read, as the pusher and the poll's status are told. */
export interface LookUpFailure {
  /** Names the definition or sensor and why (`…/PDUPower: HTTP 503; not asked again before …`). */
  readonly problem: string;
  /**
   * When the service will be asked again (ms), present only for a failure that may pass (no answer, 5xx, an answer
   * that is not JSON) met by a look-up made just now: a pusher is told to send the report again then (503
   * Retry-After). Absent for one that will not pass (404, not a MetricDefinition, a link off the service) and for one
   * remembered from an earlier look-up: those values are refused and the rest of the report stored.
   */
  readonly sendAgainAt?: number;
}

/** How failed look-ups are remembered (tests shorten them). */
export interface LookUpMemory {
  /** Wait after the first failure, ms (doubled at each further failure). */
  readonly firstRetryMs: number;
  /** Longest wait, ms. */
  readonly maxRetryMs: number;
  /** Failures remembered at most; the one looked at least recently is forgotten first. */
  readonly maxRemembered: number;
}

/** Remembered for 1 min, doubling to 1 h; 1,024 definitions or sensors at most per service. */
export const defaultLookUpMemory: LookUpMemory = {
  firstRetryMs: 60_000,
  maxRetryMs: 3_600_000,
  maxRemembered: 1024,
};

/** A failed look-up as remembered. */
interface Remembered {
  readonly problem: string;
  readonly transient: boolean;
  readonly failures: number;
  readonly retryAt: number;
}

/**
 * Failed look-ups of one service by URI, least recently looked at first (a Map keeps insertion order; a hit is
 * moved to the end): bounded, so a client pushing reports that name ever new definitions cannot grow it.
 */
class LookUpFailures {
  readonly #memory: LookUpMemory;
  readonly #failures = new Map<string, Remembered>();

  constructor(memory: LookUpMemory) {
    this.#memory = memory;
  }

  get size(): number {
    return this.#failures.size;
  }

  /** The failure of `uri` whose wait has not ended at `now`, if any. */
  current(uri: string, now: number): Remembered | undefined {
    const failure = this.#failures.get(uri);
    if (failure === undefined || now >= failure.retryAt) return undefined;
    this.#failures.delete(uri);
    this.#failures.set(uri, failure);
    return failure;
  }

  /** Remembers one more failure of `uri` at `now`; answers it. */
  add(uri: string, problem: string, transient: boolean, now: number): Remembered {
    const failures = (this.#failures.get(uri)?.failures ?? 0) + 1;
    const wait = Math.min(this.#memory.maxRetryMs, this.#memory.firstRetryMs * 2 ** Math.min(failures - 1, 30));
    const failure = { problem, transient, failures, retryAt: now + wait };
    this.#failures.delete(uri);
    if (this.#failures.size >= this.#memory.maxRemembered) {
      const [oldest] = this.#failures.keys();
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    this.#failures.set(uri, failure);
    return failure;
  }

  /** Forgets `uri`'s failures (it answered). */
  clear(uri: string): void {
    this.#failures.delete(uri);
  }
}

/** What one look-up found: a unit, or why none (`transient`: it may pass). */
type Found = MetricUnit | { readonly kind: "failed"; readonly problem: string; readonly transient: boolean };

/** The units of one service's metric values, looked up on demand and kept. */
export class MetricUnits {
  readonly #client: RedfishClient;
  readonly #limit: number;
  readonly #known = new Map<string, MetricUnit>();
  readonly #failures: LookUpFailures;
  /** Look-ups under way, by URI: reports read or pushed at once share one GET per definition or sensor. */
  readonly #pending = new Map<string, Promise<Found | string>>();

  /** `limit`: new definitions or sensors read per report at most; `memory`: how failed look-ups are remembered. */
  constructor(client: RedfishClient, limit: number, memory: LookUpMemory = defaultLookUpMemory) {
    this.#client = client;
    this.#limit = limit;
    this.#failures = new LookUpFailures(memory);
  }

  /** Definitions and sensors whose look-up failed and is remembered (expired waits included until asked again). */
  get failuresRemembered(): number {
    return this.#failures.size;
  }

  /**
   * Reads the definitions and sensors that the report's values name and that are not known yet; answers, by URI,
   * why each one that could not be read (or was left over the limit, or whose failure is remembered at `now`)
   * could not. Values named by those cannot be stored in a known unit.
   */
  async learn(report: Resource, now: number): Promise<Map<string, LookUpFailure>> {
    const values = report["MetricValues"];
    const missing = new Set<string>();
    if (Array.isArray(values)) {
      for (const entry of values) {
        const source = isRecord(entry) ? unitSourceOf(entry) : undefined;
        if (source !== undefined && !this.#known.has(source)) missing.add(source);
      }
    }
    const failed = new Map<string, LookUpFailure>();
    const queue: string[] = [];
    for (const uri of missing) {
      const refusal = this.#refusal(uri);
      const remembered = refusal === undefined ? this.#failures.current(uri, now) : undefined;
      if (refusal !== undefined) failed.set(uri, { problem: `${shortUri(uri)}: ${refusal}: not requested` });
      else if (remembered !== undefined) failed.set(uri, { problem: rememberedProblem(remembered) });
      else queue.push(uri);
    }
    for (const uri of queue.splice(this.#limit))
      failed.set(uri, {
        problem: `${uri}: not read, more than ${this.#limit} metric definitions or sensors to look up at once`,
      });
    const work = async (): Promise<void> => {
      for (let uri = queue.shift(); uri !== undefined; uri = queue.shift()) {
        const found = await this.#shared(uri, now);
        if (typeof found === "string") failed.set(uri, { problem: found });
        else if (found.kind === "failed") {
          const remembered = this.#failures.current(uri, now);
          const problem = `${found.problem}; not asked again before ${new Date(remembered?.retryAt ?? now).toISOString()}`;
          failed.set(uri, found.transient ? { problem, sendAgainAt: remembered?.retryAt ?? now } : { problem });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, work));
    return failed;
  }

  /**
   * The unit of one value: known, `none` when nothing names it, a refusal naming why when `failed` (what `learn`
   * answered) says its source could not be read, undefined when its source is not read yet.
   */
  unitOf(
    entry: Readonly<Record<string, unknown>>,
    failed?: ReadonlyMap<string, LookUpFailure>,
  ): MetricUnit | undefined {
    const source = unitSourceOf(entry);
    if (source === undefined) return { kind: "none" };
    const known = this.#known.get(source);
    if (known !== undefined) return known;
    const failure = failed?.get(source);
    return failure === undefined ? undefined : { kind: "refuse", problem: `${failure.problem}; value not stored` };
  }

  /** Why `uri` is not looked up at all (no request is made): see refusalOf; nor a query, nor a very long URI. */
  #refusal(uri: string): string | undefined {
    if (uri.length > maxLookUpUriLength) return `longer than ${maxLookUpUriLength} characters`;
    // A query ($expand, $select) would have a small BMC build an answer nobody needs.
    if (uri.includes("?")) return "a MetricDefinition or Sensor is read without a query";
    return this.#client.refusal(uri);
  }

  /** The look-up of `uri` under way, else a new one (kept once it answers a unit, remembered when it fails). */
  #shared(uri: string, now: number): Promise<Found | string> {
    const pending = this.#pending.get(uri);
    if (pending !== undefined) return pending;
    if (this.#pending.size >= maxLookUpsInFlight) {
      return Promise.resolve(`${uri}: not read, ${maxLookUpsInFlight} look-ups already under way at this service`);
    }
    const lookUp = this.#lookUp(uri).then((found) => {
      this.#pending.delete(uri);
      if (found.kind === "failed") this.#failures.add(uri, found.problem, found.transient, now);
      else {
        this.#failures.clear(uri);
        this.#keep(uri, found);
      }
      return found;
    });
    this.#pending.set(uri, lookUp);
    return lookUp;
  }

  /**
   * The unit `uri` gives, or why it could not be read: one that will not pass (4xx but 408 and 429: no such
   * definition, no right to read it; an answer that is neither a MetricDefinition nor a Sensor) or one that may (no
   * answer, 408, 429, 5xx, an answer that is not JSON: a BMC busy or restarting its web server).
   */
  async #lookUp(uri: string): Promise<Found> {
    const failed = (problem: string, transient: boolean): Found => ({ kind: "failed", problem, transient });
    try {
      const answer = await this.#client.request({ method: "GET", uri });
      const status = answer.status;
      if (status === 408 || status === 429 || status >= 500 || status < 200)
        return failed(`${uri}: HTTP ${status}`, true);
      if (status > 299) return failed(`${uri}: HTTP ${status}`, false);
      if (!isRecord(answer.body)) return failed(`${uri}: not a JSON object`, true);
      const type = answer.body["@odata.type"];
      if (typeof type !== "string" || !/^#(MetricDefinition|Sensor)\./.test(type)) {
        return failed(
          `${uri}: ${typeof type === "string" ? type : "no @odata.type"}: not a MetricDefinition or Sensor`,
          false,
        );
      }
      return unitOfResource(answer.body, uri);
    } catch (cause) {
      return failed(`${uri}: ${cause instanceof Error ? cause.message : String(cause)}`, true);
    }
  }

  #keep(uri: string, unit: MetricUnit): void {
    if (this.#known.size >= maxKnown) this.#known.clear();
    this.#known.set(uri, unit);
  }
}

/** A remembered failure as a value's problem: what failed, how often, and when the service is asked again. */
function rememberedProblem(failure: Remembered): string {
  const times = failure.failures === 1 ? "once" : `${failure.failures} times`;
  return `${failure.problem}; remembered (failed ${times}): not asked again before ${new Date(failure.retryAt).toISOString()}`;
}

/** A URI as a problem names it: its first 200 characters (a refused one may be long). */
function shortUri(uri: string): string {
  return uri.length > 200 ? `${uri.slice(0, 200)}…` : uri;
}
