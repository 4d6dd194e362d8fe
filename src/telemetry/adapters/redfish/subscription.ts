/**
 * Push subscriptions: alixan registers itself with a service's EventService as the Destination of its events
 * (and, when asked, of its metric reports), and the service posts them to alixan's receiver route
 * `POST /v1/telemetry/redfish/events/:target`.
 *
 * Every subscription carries a `Context` made of a fresh random secret; the service echoes the Context in each
 * event and metric report it pushes (DSP0268 Event and MetricReport `Context`), and the receiver compares it in
 * constant time before reading anything else. A new secret is made at each start; subscriptions of a previous run
 * (same Destination) are deleted before subscribing, so a crash leaves no stale subscriber behind, and this run's
 * are deleted on stop. A subscription that disappears (a BMC reboot drops them on some services) is made again.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { isRecord } from "../../../core/records.ts";
import type { AlarmBook } from "../../alarms/book.ts";
import type { Interner, SampleBuffer } from "../../samples.ts";
import type { RejectionList } from "../../types.ts";
import { bindingFor, type RedfishTarget } from "./binding.ts";
import type { RedfishClient } from "./client.ts";
import { conditionsOfEvent } from "./events.ts";
import { metricReportSamples } from "./metric-reports.ts";
import { type LookUpFailure, MetricUnits } from "./metric-units.ts";
import { applyRedfishMessage } from "./poller.ts";

/** The receiver path of a target (relative to alixan's base URL). */
export function receiverPath(targetName: string): string {
  return `/v1/telemetry/redfish/events/${encodeURIComponent(targetName)}`;
}

/** Most subscriptions looked at when clearing those of a previous run. */
const maxListedSubscriptions = 200;
/** How often a live subscription is checked to still exist. */
const checkIntervalMs = 5 * 60_000;

/** State of a push subscription, for status pages. */
export interface SubscriptionStatus {
  readonly destination: string;
  /** URIs of this run's subscriptions on the service. */
  subscriptions: string[];
  events: number;
  reports: number;
  lastProblem?: string;
}

/** What one pushed body did. */
export interface PushOutcome {
  readonly kind: "event" | "metric-report";
  /** Event records applied, or metric values turned into samples. */
  readonly count: number;
  /** Nothing was stored: the pusher should send the report again after `afterSeconds` (pushAgain). */
  readonly sendAgain?: { readonly afterSeconds: number; readonly problem: string };
}

/**
 * Whether a pushed report is to be sent again whole rather than stored without some values: when a look-up of its
 * units failed just now for a reason that may pass (no answer, a 5xx), the pusher is asked to send it again once
 * the service is asked again (503 with Retry-After: a Redfish service delivers an event again after its
 * DeliveryRetryIntervalSeconds), and nothing of it is stored. A failure remembered from an earlier look-up does not
 * ask again: a service gives up on, or ends, a subscription after DeliveryRetryAttempts failed deliveries of one
 * event (4xx and 5xx alike), so a report is answered 503 at most once per look-up made, and its other values are
 * stored when it comes back while the failure is remembered. A failure that will not pass (404, not a
 * MetricDefinition, a link off the service) refuses those values and stores the rest.
 */
export function pushAgain(
  failed: ReadonlyMap<string, LookUpFailure>,
  now: number,
): { readonly afterSeconds: number; readonly problem: string } | undefined {
  let latest: number | undefined;
  let first: string | undefined;
  for (const failure of failed.values()) {
    if (failure.sendAgainAt === undefined) continue;
    latest = Math.max(latest ?? failure.sendAgainAt, failure.sendAgainAt);
    first ??= failure.problem;
  }
  if (latest === undefined) return undefined;
  const afterSeconds = Math.max(1, Math.ceil((latest - now) / 1000));
  return {
    afterSeconds,
    problem: `MetricValues: the unit of some values could not be looked up at the service (${first}): nothing stored, send the report again in ${afterSeconds} s`,
  };
}

/** One target's push subscription. */
export class RedfishSubscriber {
  readonly target: RedfishTarget;
  readonly #client: RedfishClient;
  /** Units of pushed metric values, shared with the target's poller (which looks them up too). */
  readonly #units: MetricUnits;
  readonly #context: Buffer;
  readonly status: SubscriptionStatus;
  #retryAt = 0;
  #failures = 0;
  #checkedAt = 0;
  #busy: Promise<void> | undefined;
  #stopped = false;

  constructor(client: RedfishClient, target: RedfishTarget, units?: MetricUnits) {
    if (target.subscription === undefined) throw new Error(`redfish ${target.name}: no subscription configured`);
    this.target = target;
    this.#client = client;
    this.#units = units ?? new MetricUnits(client, target.maxResources);
    this.#context = Buffer.from(`alixan:${randomBytes(24).toString("base64url")}`);
    this.status = {
      destination: `${target.subscription.destination}${receiverPath(target.name)}`,
      subscriptions: [],
      events: 0,
      reports: 0,
    };
  }

  /** Whether a pushed `Context` is this run's secret (constant time, whatever was sent). */
  accepts(context: unknown): boolean {
    if (typeof context !== "string") return false;
    const given = Buffer.from(context);
    return given.length === this.#context.length && timingSafeEqual(given, this.#context);
  }

  /** Subscribes when not subscribed (with backoff after failures) and checks now and then that it still is. */
  maintain(now: number): Promise<void> {
    if (this.#stopped || this.#busy !== undefined) return this.#busy ?? Promise.resolve();
    let work: Promise<void> | undefined;
    if (this.status.subscriptions.length === 0 && now >= this.#retryAt) work = this.#subscribe(now);
    else if (this.status.subscriptions.length > 0 && now - this.#checkedAt >= checkIntervalMs) work = this.#check(now);
    if (work === undefined) return Promise.resolve();
    this.#busy = work.finally(() => {
      this.#busy = undefined;
    });
    return this.#busy;
  }

  async #subscribe(now: number): Promise<void> {
    try {
      await this.#clearPrevious();
      const push = this.target.subscription!;
      const common = {
        Destination: this.status.destination,
        Protocol: "Redfish",
        Context: this.#context.toString(),
        ...(push.eventTypes === undefined ? {} : { EventTypes: push.eventTypes }),
      };
      const created = [await this.#create({ ...common, EventFormatType: "Event" })];
      if (push.metricReports) created.push(await this.#create({ ...common, EventFormatType: "MetricReport" }));
      this.status.subscriptions = created;
      this.#failures = 0;
      this.#checkedAt = now;
      delete this.status.lastProblem;
    } catch (cause) {
      this.status.lastProblem = cause instanceof Error ? cause.message : String(cause);
      // Half-made subscriptions are cleared at the next attempt (same Destination).
      this.status.subscriptions = [];
      this.#failures++;
      this.#retryAt = now + Math.min(300_000, 5_000 * 2 ** Math.min(this.#failures - 1, 6));
    }
  }

  async #create(body: Record<string, unknown>): Promise<string> {
    const collection = "/redfish/v1/EventService/Subscriptions";
    const answer = await this.#client.request({ method: "POST", uri: collection, body });
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${collection}: subscribing answered HTTP ${answer.status}${redfishError(answer.body)}`);
    }
    const location = answer.headers.location;
    if (typeof location === "string" && location !== "") return new URL(location, this.target.url).pathname;
    if (isRecord(answer.body) && typeof answer.body["@odata.id"] === "string") return answer.body["@odata.id"];
    throw new Error(`${collection}: the new subscription's URI is neither in Location nor in the body`);
  }

  /** Deletes subscriptions to this Destination left by a previous run (a crash, a kill). */
  async #clearPrevious(): Promise<void> {
    const collection = await this.#client.get("/redfish/v1/EventService/Subscriptions");
    if (typeof collection === "string") throw new Error(collection);
    const members = Array.isArray(collection["Members"]) ? collection["Members"] : [];
    for (const member of members.slice(0, maxListedSubscriptions)) {
      const uri = isRecord(member) && typeof member["@odata.id"] === "string" ? member["@odata.id"] : undefined;
      if (uri === undefined) continue;
      const subscription = await this.#client.get(uri);
      if (typeof subscription === "string" || subscription["Destination"] !== this.status.destination) continue;
      await this.#client.request({ method: "DELETE", uri });
    }
  }

  async #check(now: number): Promise<void> {
    this.#checkedAt = now;
    for (const uri of this.status.subscriptions) {
      try {
        const answer = await this.#client.request({ method: "GET", uri });
        if (answer.status === 404) {
          this.status.lastProblem = `${uri} disappeared from the service: subscribing again`;
          this.status.subscriptions = [];
          return;
        }
      } catch {
        // Unreachable now: the poller reports it; the subscription is checked again later.
        return;
      }
    }
  }

  /**
   * Looks up the units of a pushed metric report's values not known yet (their MetricDefinition or Sensor), before
   * `receive` stores them; answers, by URI, why some could not be read (nothing for an Event). A value whose unit
   * could not be looked up is refused by `receive`, naming why, unless pushAgain asks for the report again whole.
   */
  async learnUnits(body: Record<string, unknown>, now: number): Promise<ReadonlyMap<string, LookUpFailure>> {
    return isMetricReport(body) ? this.#units.learn(body, now) : new Map();
  }

  /**
   * Applies one pushed body: an Event's records become alarms (raised or cleared by message id), a MetricReport's
   * values become samples in `samples`, those whose unit could not be looked up (`failed`, from learnUnits) refused.
   * The caller checked the Context (or the sender's key).
   */
  receive(
    body: Record<string, unknown>,
    book: AlarmBook,
    intern: Interner,
    samples: SampleBuffer,
    rejections: RejectionList,
    now: number,
    failed: ReadonlyMap<string, LookUpFailure> = new Map(),
  ): PushOutcome {
    if (isMetricReport(body)) {
      this.status.reports++;
      const units = this.#units;
      const count = metricReportSamples(body, this.target, intern, samples, rejections, now, (entry) =>
        units.unitOf(entry, failed),
      );
      return { kind: "metric-report", count };
    }
    let count = 0;
    for (const condition of conditionsOfEvent(body)) {
      count++;
      applyRedfishMessage(book, this.target, condition, bindingFor(this.target, condition.origin), now);
    }
    this.status.events += count;
    return { kind: "event", count };
  }

  /** Deletes this run's subscriptions (the service would otherwise keep posting to a receiver that is gone). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#busy?.catch(() => undefined);
    for (const uri of this.status.subscriptions) {
      await this.#client.request({ method: "DELETE", uri }).catch(() => undefined);
    }
    this.status.subscriptions = [];
  }
}

/** Whether a pushed body is a MetricReport rather than an Event. */
export function isMetricReport(body: Record<string, unknown>): boolean {
  const type = body["@odata.type"];
  if (typeof type === "string") return type.startsWith("#MetricReport.");
  return Array.isArray(body["MetricValues"]) && !Array.isArray(body["Events"]);
}

/** The first message of a Redfish error answer, for problems. */
function redfishError(body: unknown): string {
  if (!isRecord(body) || !isRecord(body["error"])) return "";
  const error = body["error"];
  const extended = error["@Message.ExtendedInfo"];
  const first = Array.isArray(extended) && isRecord(extended[0]) ? extended[0]["Message"] : error["message"];
  return typeof first === "string" ? `: ${first}` : "";
}
