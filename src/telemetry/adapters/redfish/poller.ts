/**
 * Polls a Redfish service: fetches each bound resource (and, when walking, its subordinates), turns readings into
 * samples labelled with the bound equipment, and turns `Status.Conditions` into alarms (raised while listed,
 * cleared when gone). Adds `up{job="redfish",instance=<target>}` each poll so an unreachable service is visible,
 * and for a poll it answered `decode_errors` and `decode_ok` (device-poller.ts decodeHealth) so one whose readings
 * cannot be decoded is too. With `metricReports`, also reads the TelemetryService's metric reports
 * (metric-reports.ts, their units: metric-units.ts) in the same poll.
 */
import { type Static, Type } from "typebox";
import type { AlarmBook } from "../../alarms/book.ts";
import { mapRedfishMessage } from "../../alarms/redfish-messages.ts";
import { type Interner, SampleBuffer } from "../../samples.ts";
import { RejectionList } from "../../types.ts";
import { decodeHealth, describeCause } from "../device-poller.ts";
import { bindingFor, type RedfishTarget, type ResourceBinding } from "./binding.ts";
import { authentications, RedfishClient } from "./client.ts";
import { type Condition, type Extraction, extractResource, type Resource } from "./extract.ts";
import { readMetricReports } from "./metric-reports.ts";
import { MetricUnits } from "./metric-units.ts";

/** Where a poll's samples go (the ingest pipeline); it answers why the batch was not stored, when it was not. */
export type PollSink = (samples: SampleBuffer, rejections: RejectionList) => Promise<string | undefined>;

/** The outcome of one poll (`GET /v1/telemetry/status`). */
export const PollStatusSchema = Type.Object({
  at: Type.Number({ description: "time of the poll, ms" }),
  resources: Type.Integer(),
  samples: Type.Integer(),
  metricReports: Type.Optional(Type.Integer({ description: "metric reports read (when the target reads them)" })),
  notModified: Type.Integer({
    description: "resources the service answered 304 Not Modified (ETag): read from the last answer, not sent again",
  }),
  metricUnitFailures: Type.Optional(
    Type.Integer({
      description:
        "metric definitions or sensors whose unit look-up failed and is remembered: not asked again before a wait of 1 min doubling to 1 h (when the target reads or is pushed metric reports)",
    }),
  ),
  decodeErrors: Type.Integer({
    description: "readings the service answered but that could not be decoded (the redfish decode_errors series)",
  }),
  authentication: Type.Enum(authentications, { description: "how requests authenticated (a session, Basic, or none)" }),
  problems: Type.Array(Type.String(), { description: "resources that could not be read, with why" }),
});
/** The outcome of one poll. */
export type PollStatus = Static<typeof PollStatusSchema>;

/** The readings of one poll by series id, with the rank (0 for a Sensor resource) and URI of where each came from. */
type PollReadings = Map<number, { value: number; rank: number; uri: string }>;

/** A resource to read in a poll: its binding, how many links from a bound resource, and whether to follow its links. */
interface WalkItem {
  readonly uri: string;
  readonly binding: ResourceBinding;
  readonly depth: number;
  readonly follow: boolean;
}

/** Requests in flight at once per service (BMCs are small computers). */
const concurrency = 4;

/** The alarm key of a Redfish condition on an origin, shared by polled conditions and pushed events. */
export function conditionKey(target: string, origin: string, condition: string): string {
  return `redfish|${target}|${origin}|${condition}`;
}

/** Raises or clears the alarm a Redfish message calls for; returns the key it raised, if any. */
export function applyRedfishMessage(
  book: AlarmBook,
  target: RedfishTarget,
  condition: Condition,
  fallback: ResourceBinding | undefined,
  at: number,
): string | undefined {
  const action = mapRedfishMessage(condition.messageId, condition.args, condition.severity);
  if (action.action === "ignore") return undefined;
  if (action.action === "clear-all") {
    book.clearPrefix(conditionKey(target.name, condition.origin, ""), at);
    return undefined;
  }
  const key = conditionKey(target.name, condition.origin, action.condition);
  if (action.action === "clear") {
    book.clear(key, at, condition.message);
    return undefined;
  }
  const equipment = (bindingFor(target, condition.origin) ?? fallback)?.equipment;
  book.raise({
    key,
    source: "redfish",
    kind: "redfish",
    severity: action.severity,
    title: action.title,
    message: `${action.title} on ${equipment ?? target.name}: ${condition.message ?? condition.messageId} (${condition.origin})`,
    at,
    ...(equipment === undefined ? {} : { equipment }),
  });
  return key;
}

/** Polls one target. */
export class RedfishPoller {
  readonly target: RedfishTarget;
  /** The service's HTTP client (session, TLS), shared with its event stream and push subscription. */
  readonly client: RedfishClient;
  readonly #intern: Interner;
  readonly #sink: PollSink;
  readonly #book: AlarmBook;
  /** Condition alarm keys raised per resource URI at the last successful read of it. */
  readonly #conditions = new Map<string, Set<string>>();
  /** Metric report URI → the Timestamp of the last one stored. */
  readonly #reportsSeen = new Map<string, string>();
  /** The units of the service's metric values, shared with its push subscription (metric-units.ts). */
  readonly metricUnits: MetricUnits;
  /** The last poll's outcome. */
  status: PollStatus | undefined;

  /** `warn` hears about weakened security (an `insecure` target). */
  constructor(
    target: RedfishTarget,
    intern: Interner,
    sink: PollSink,
    book: AlarmBook,
    warn?: (message: string) => void,
  ) {
    this.target = target;
    this.client = new RedfishClient(target, warn);
    this.metricUnits = new MetricUnits(this.client, target.maxResources);
    this.#intern = intern;
    this.#sink = sink;
    this.#book = book;
  }

  /** Reads every bound resource once and hands the samples to the sink. */
  async poll(now: number): Promise<PollStatus> {
    const samples = new SampleBuffer();
    const rejections = new RejectionList();
    const problems: string[] = [];
    const notModifiedBefore = this.client.notModified;
    const walk = await this.#walk(rejections, problems, now);
    for (const [series, kept] of walk.readings) samples.push(series, now, kept.value);
    let reached = walk.reached;
    let decodeErrors = walk.decodeErrors;
    // A reading the registry refused (a rejection so far, every one from the walk) was counted as decoded: it is
    // not, or a service whose every series is refused would show decode_ok 1.
    let decoded = walk.decoded - rejections.count;
    let reports: number | undefined;
    if (this.target.metricReports) {
      try {
        const read = await readMetricReports(
          this.client,
          this.target,
          this.#reportsSeen,
          this.metricUnits,
          this.#intern,
          samples,
          rejections,
          now,
        );
        reports = read.reports;
        reached += read.reports;
        decoded += read.samples;
        problems.push(...read.problems);
      } catch (cause) {
        // As for resources: the readings polled above are still stored and the status says what failed.
        problems.push(`${this.target.name}: metric reports not read, extraction failed: ${describeCause(cause)}`);
        decodeErrors++;
      }
    }
    // Values refused on the way to a series (a bad MetricValue, a label the registry refuses) were not decoded either.
    decodeErrors += rejections.count;
    const instance = { job: "redfish", instance: this.target.name };
    const up = this.#intern("up", instance);
    if (up.ok) samples.push(up.value, now, reached > 0 ? 1 : 0);
    if (reached > 0) {
      for (const health of decodeHealth(decoded, decodeErrors)) {
        const series = this.#intern(health.name, instance);
        if (series.ok) samples.push(series.value, now, health.value);
      }
    }
    await this.#sink(samples, rejections);
    for (const rejection of rejections.items) problems.push(`${rejection.path}: ${rejection.problem}`);
    this.status = {
      at: now,
      resources: reached,
      samples: samples.count,
      notModified: this.client.notModified - notModifiedBefore,
      decodeErrors,
      authentication: this.client.authentication,
      ...(reports === undefined ? {} : { metricReports: reports }),
      ...(this.target.metricReports || this.target.subscription?.metricReports === true
        ? { metricUnitFailures: this.metricUnits.failuresRemembered }
        : {}),
      problems,
    };
    return this.status;
  }

  /**
   * Reads the bound resources and, when walking, the resources they lead to, breadth first: at most
   * `maxResources` per poll and `maxDepth` links from a bound resource, each URI once (a link back to a resource
   * read already, a cycle, is not followed again). The Sensors that copied readings name (`DataSourceUri`) are
   * read too, once per poll, within the same `maxResources`, without following their links. A bound that stops the
   * walk is a problem in the status, naming how many links were left and the first of them.
   */
  async #walk(
    rejections: RejectionList,
    problems: string[],
    now: number,
  ): Promise<{ readings: PollReadings; reached: number; decoded: number; decodeErrors: number }> {
    const target = this.target;
    const visited = new Set<string>();
    const queue: WalkItem[] = target.resources.map((binding) => ({
      uri: binding.uri,
      binding,
      depth: 0,
      follow: true,
    }));
    for (const item of queue) visited.add(item.uri);
    const readings: PollReadings = new Map();
    // Links left by each bound, once each however many resources name them.
    const left = { depth: new Set<string>(), resources: new Set<string>() };
    const counts = { reached: 0, decoded: 0, decodeErrors: 0 };
    const enqueue = (uri: string, from: WalkItem, follow: boolean): void => {
      if (visited.has(uri)) return;
      if (follow && from.depth >= target.maxDepth) {
        left.depth.add(uri);
        return;
      }
      if (visited.size >= target.maxResources) {
        left.resources.add(uri);
        return;
      }
      visited.add(uri);
      queue.push({ uri, binding: bindingFor(target, uri) ?? from.binding, depth: from.depth + 1, follow });
    };
    const work = async (): Promise<void> => {
      for (;;) {
        const item = queue.shift();
        if (item === undefined) return;
        const resource = await this.client.get(item.uri);
        if (typeof resource === "string") {
          problems.push(resource);
          continue;
        }
        counts.reached++;
        let extraction: Extraction;
        try {
          extraction = this.#read(item.uri, item.binding, resource, readings, rejections, now);
        } catch (cause) {
          // One resource the extraction cannot cope with (a shape nobody foresaw, JSON nested deeper than the
          // stack) must not lose the rest of the poll, its `up` and its status, nor stop the next polls.
          problems.push(`${item.uri}: not read, extraction failed: ${describeCause(cause)}`);
          counts.decodeErrors++;
          continue;
        }
        problems.push(...extraction.problems);
        counts.decodeErrors += extraction.problems.length;
        counts.decoded += extraction.readings.filter((reading) => reading.name !== "redfish_health").length;
        for (const source of extraction.sources) enqueue(source, item, false);
        if (!item.binding.walk || !item.follow) continue;
        for (const link of extraction.links) enqueue(link, item, true);
      }
    };
    // Workers pull from one queue that walking keeps filling; a worker that finds it empty while others are
    // still fetching would stop early, so loop until nothing is queued after every worker has finished.
    while (queue.length > 0) await Promise.all(Array.from({ length: concurrency }, work));
    const [deeper] = left.depth;
    if (deeper !== undefined) {
      problems.push(
        `${target.name}: walk stopped at maxDepth ${target.maxDepth}: ${left.depth.size} link(s) further down not followed, such as ${deeper}`,
      );
    }
    const [further] = left.resources;
    if (further !== undefined) {
      problems.push(
        `${target.name}: walk stopped at maxResources ${target.maxResources}: ${left.resources.size} link(s) not read this poll, such as ${further}`,
      );
    }
    return { readings, ...counts };
  }

  /** Ends the session with the service (and its connections). */
  close(): Promise<void> {
    return this.client.close();
  }

  /** Extracts one fetched resource into `readings`, raises and clears its conditions; answers the extraction. */
  #read(
    uri: string,
    binding: ResourceBinding,
    resource: Resource,
    readings: PollReadings,
    rejections: RejectionList,
    now: number,
  ): Extraction {
    const extraction = extractResource(resource, uri);
    this.#record(uri, binding, extraction, readings, rejections);
    this.#conditionsOf(uri, binding, extraction.conditions, now);
    return extraction;
  }

  /**
   * Keeps one reading per series (name and labels) per poll. A service may give the same sensor's value twice:
   * from the Sensor resource and as an excerpt (`ThermalMetrics.TemperatureSummaryCelsius.Intake`,
   * `EnvironmentMetrics.TemperatureCelsius` with its `DataSourceUri`). The Sensor resource wins: it is the
   * authoritative source, and an excerpt may be a copy taken at another moment. Between two excerpts, the one
   * from the resource whose URI sorts first, so the choice does not depend on which request answered first.
   */
  #record(
    uri: string,
    binding: ResourceBinding,
    extraction: Extraction,
    readings: PollReadings,
    rejections: RejectionList,
  ): void {
    const rank = extraction.type === "Sensor" ? 0 : 1;
    for (const found of extraction.readings) {
      const name =
        binding.series !== undefined && uri === binding.uri && found.name !== "redfish_health"
          ? binding.series
          : (binding.rename[found.name] ?? found.name);
      const labels = {
        ...found.labels,
        ...binding.labels,
        ...(binding.equipment === undefined ? {} : { equipment: binding.equipment }),
      };
      const series = this.#intern(name, labels);
      if (!series.ok) {
        rejections.add({ path: uri, problem: series.problem });
        continue;
      }
      const kept = readings.get(series.value);
      if (kept === undefined || rank < kept.rank || (rank === kept.rank && uri < kept.uri))
        readings.set(series.value, { value: found.value, rank, uri });
    }
  }

  #conditionsOf(uri: string, binding: ResourceBinding, conditions: readonly Condition[], now: number): void {
    const raised = new Set<string>();
    for (const condition of conditions) {
      const key = applyRedfishMessage(this.#book, this.target, condition, binding, now);
      if (key !== undefined) raised.add(key);
    }
    for (const key of this.#conditions.get(uri) ?? []) if (!raised.has(key)) this.#book.clear(key, now);
    this.#conditions.set(uri, raised);
  }
}
