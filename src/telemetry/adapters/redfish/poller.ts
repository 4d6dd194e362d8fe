/**
 * Polls a Redfish service: fetches each bound resource (and, when walking, its subordinates), turns readings into
 * samples labelled with the bound equipment, and turns `Status.Conditions` into alarms (raised while listed,
 * cleared when gone). Adds `up{job="redfish",instance=<target>}` each poll so an unreachable service is visible.
 * With `metricReports`, also reads the TelemetryService's metric reports (metric-reports.ts) in the same poll.
 */
import { type Static, Type } from "typebox";
import type { AlarmBook } from "../../alarms/book.ts";
import { mapRedfishMessage } from "../../alarms/redfish-messages.ts";
import { type Interner, SampleBuffer } from "../../samples.ts";
import { RejectionList } from "../../types.ts";
import { bindingFor, type RedfishTarget, type ResourceBinding } from "./binding.ts";
import { authentications, RedfishClient } from "./client.ts";
import { type Condition, extractResource } from "./extract.ts";
import { readMetricReports } from "./metric-reports.ts";

/** Where a poll's samples go (the ingest pipeline); it answers why the batch was not stored, when it was not. */
export type PollSink = (samples: SampleBuffer, rejections: RejectionList) => Promise<string | undefined>;

/** The outcome of one poll (`GET /v1/telemetry/status`). */
export const PollStatusSchema = Type.Object({
  at: Type.Number({ description: "time of the poll, ms" }),
  resources: Type.Integer(),
  samples: Type.Integer(),
  metricReports: Type.Optional(Type.Integer({ description: "metric reports read (when the target reads them)" })),
  authentication: Type.Enum(authentications, { description: "how requests authenticated (a session, Basic, or none)" }),
  problems: Type.Array(Type.String(), { description: "resources that could not be read, with why" }),
});
/** The outcome of one poll. */
export type PollStatus = Static<typeof PollStatusSchema>;

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
    this.#intern = intern;
    this.#sink = sink;
    this.#book = book;
  }

  /** Reads every bound resource once and hands the samples to the sink. */
  async poll(now: number): Promise<PollStatus> {
    const samples = new SampleBuffer();
    const rejections = new RejectionList();
    const problems: string[] = [];
    const visited = new Set<string>();
    const queue: { uri: string; binding: ResourceBinding }[] = this.target.resources.map((binding) => ({
      uri: binding.uri,
      binding,
    }));
    for (const item of queue) visited.add(item.uri);
    let reached = 0;
    const work = async (): Promise<void> => {
      for (;;) {
        const item = queue.shift();
        if (item === undefined) return;
        const resource = await this.client.get(item.uri);
        if (typeof resource === "string") {
          problems.push(resource);
          continue;
        }
        reached++;
        const extraction = extractResource(resource, item.uri);
        problems.push(...extraction.problems);
        this.#record(item.uri, item.binding, extraction.readings, samples, rejections, now);
        this.#conditionsOf(item.uri, item.binding, extraction.conditions, now);
        if (!item.binding.walk) continue;
        for (const link of extraction.links) {
          if (visited.has(link) || visited.size >= this.target.maxResources) continue;
          visited.add(link);
          queue.push({ uri: link, binding: bindingFor(this.target, link) ?? item.binding });
        }
      }
    };
    // Workers pull from one queue that walking keeps filling; a worker that finds it empty while others are
    // still fetching would stop early, so loop until nothing is queued after every worker has finished.
    while (queue.length > 0) await Promise.all(Array.from({ length: concurrency }, work));
    let reports: number | undefined;
    if (this.target.metricReports) {
      const read = await readMetricReports(
        this.client,
        this.target,
        this.#reportsSeen,
        this.#intern,
        samples,
        rejections,
        now,
      );
      reports = read.reports;
      reached += read.reports;
      problems.push(...read.problems);
    }
    const up = this.#intern("up", { job: "redfish", instance: this.target.name });
    if (up.ok) samples.push(up.value, now, reached > 0 ? 1 : 0);
    await this.#sink(samples, rejections);
    for (const rejection of rejections.items) problems.push(`${rejection.path}: ${rejection.problem}`);
    this.status = {
      at: now,
      resources: reached,
      samples: samples.count,
      authentication: this.client.authentication,
      ...(reports === undefined ? {} : { metricReports: reports }),
      problems,
    };
    return this.status;
  }

  /** Ends the session with the service (and its connections). */
  close(): Promise<void> {
    return this.client.close();
  }

  #record(
    uri: string,
    binding: ResourceBinding,
    readings: ReturnType<typeof extractResource>["readings"],
    samples: SampleBuffer,
    rejections: RejectionList,
    now: number,
  ): void {
    for (const found of readings) {
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
      if (series.ok) samples.push(series.value, now, found.value);
      else rejections.add({ path: uri, problem: series.problem });
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
