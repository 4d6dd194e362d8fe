/**
 * Webhook notifications of alarm changes: each change is POSTed as JSON to every configured URL whose filters it
 * passes, retried with exponential backoff and jitter on network errors, timeouts, 429 and 5xx answers, and given up
 * after a number of attempts (other 4xx answers are final: retrying a refused request will not change it). Shelved
 * alarms do not notify.
 */

import { compareSeverity, type Severity } from "../types.ts";
import type { AlarmEvent, AlarmEventType } from "./book.ts";

/** One webhook. */
export interface WebhookTarget {
  readonly url: string;
  /** Changes of alarms below this severity are not sent (default: warning). */
  readonly minimumSeverity?: Severity;
  /** Event types sent (default: raised, escalated, cleared, unshelved). */
  readonly events?: readonly AlarmEventType[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** Retry policy. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
}

/** Defaults: 8 attempts from 1 s doubling to at most 5 minutes, 10 s per attempt. */
export const defaultRetry: RetryPolicy = { attempts: 8, baseDelayMs: 1000, maxDelayMs: 300_000, timeoutMs: 10_000 };

const defaultEvents: readonly AlarmEventType[] = ["raised", "escalated", "cleared", "unshelved"];

/** The body POSTed for one change. */
export interface WebhookPayload {
  readonly type: AlarmEventType;
  readonly at: string;
  readonly user?: string;
  readonly comment?: string;
  readonly alarm: AlarmEvent["alarm"];
}

/** Delivery counters, for the platform metrics. */
export interface DeliveryCounts {
  delivered: number;
  retried: number;
  failed: number;
}

/** Sends alarm changes to webhooks; owns its retry timers until `close()`. */
export class WebhookNotifier {
  readonly #targets: readonly WebhookTarget[];
  readonly #retry: RetryPolicy;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #onFailure: (target: string, problem: string) => void;
  #closed = false;
  readonly counts: DeliveryCounts = { delivered: 0, retried: 0, failed: 0 };

  constructor(
    targets: readonly WebhookTarget[],
    retry: RetryPolicy = defaultRetry,
    onFailure: (target: string, problem: string) => void = () => {},
  ) {
    this.#targets = targets;
    this.#retry = retry;
    this.#onFailure = onFailure;
  }

  /** Queues the deliveries an alarm change calls for. */
  notify(event: AlarmEvent): void {
    if (this.#closed) return;
    const shelved = event.alarm.shelved !== undefined && event.alarm.shelved.until > event.at;
    if (shelved) return;
    const payload: WebhookPayload = {
      type: event.type,
      at: new Date(event.at).toISOString(),
      alarm: event.alarm,
      ...(event.user === undefined ? {} : { user: event.user }),
      ...(event.comment === undefined ? {} : { comment: event.comment }),
    };
    const body = JSON.stringify(payload);
    for (const target of this.#targets) {
      if (!(target.events ?? defaultEvents).includes(event.type)) continue;
      if (compareSeverity(event.alarm.severity, target.minimumSeverity ?? "warning") < 0) continue;
      this.#attempt(target, body, 1);
    }
  }

  #attempt(target: WebhookTarget, body: string, attempt: number): void {
    const delivery = this.#send(target, body).then((outcome) => {
      if (outcome === "ok") {
        this.counts.delivered++;
        return;
      }
      if (outcome.final || attempt >= this.#retry.attempts || this.#closed) {
        this.counts.failed++;
        this.#onFailure(target.url, `${outcome.problem} (attempt ${attempt} of ${this.#retry.attempts}, giving up)`);
        return;
      }
      this.counts.retried++;
      const exponential = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1));
      // Full jitter on the upper half, so receivers that came back are not hit by every sender at once.
      const delay = exponential / 2 + Math.random() * (exponential / 2);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#attempt(target, body, attempt + 1);
      }, delay);
      this.#timers.add(timer);
    });
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
  }

  async #send(target: WebhookTarget, body: string): Promise<"ok" | { final: boolean; problem: string }> {
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...target.headers },
        body,
        signal: AbortSignal.timeout(this.#retry.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return "ok";
      const final =
        response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408;
      return { final, problem: `HTTP ${response.status}` };
    } catch (cause) {
      return { final: false, problem: cause instanceof Error ? cause.message : String(cause) };
    }
  }

  /** Deliveries queued or in flight. */
  get pending(): number {
    return this.#timers.size + this.#inFlight.size;
  }

  /** Cancels pending retries and waits for requests in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all([...this.#inFlight]);
  }
}
