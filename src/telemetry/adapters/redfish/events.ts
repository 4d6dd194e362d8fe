/**
 * Redfish EventService over server-sent events: reads the service's `ServerSentEventUri` (falling back to
 * `/redfish/v1/EventService/SSE`), keeps the stream open, and maps each event record's `MessageId` to an alarm
 * through the message registries. Reconnects with backoff and `Last-Event-ID` when the stream drops.
 */

import { isRecord } from "../../../core/records.ts";
import type { AlarmBook } from "../../alarms/book.ts";
import { SseParser } from "../../sse.ts";
import type { RedfishTarget } from "./binding.ts";
import { bindingFor } from "./binding.ts";
import type { RedfishClient } from "./client.ts";
import type { Condition } from "./extract.ts";
import { applyRedfishMessage } from "./poller.ts";
import { canonicalUri } from "./values.ts";

/** Turns one SSE `data` payload (a Redfish `Event` as text) into conditions; malformed payloads give none. */
function conditionsOfEventText(data: string): Condition[] {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return [];
  }
  return conditionsOfEvent(payload);
}

/** Turns a Redfish `Event` (its `Events` records) into conditions; records without a `MessageId` are skipped. */
export function conditionsOfEvent(payload: unknown): Condition[] {
  const records = isRecord(payload) && Array.isArray(payload["Events"]) ? payload["Events"] : [];
  const conditions: Condition[] = [];
  for (const record of records) {
    if (!isRecord(record) || typeof record["MessageId"] !== "string") continue;
    const origin = isRecord(record["OriginOfCondition"])
      ? record["OriginOfCondition"]["@odata.id"]
      : record["OriginOfCondition"];
    const severity = record["MessageSeverity"] ?? record["Severity"];
    conditions.push({
      messageId: record["MessageId"],
      args: Array.isArray(record["MessageArgs"]) ? record["MessageArgs"].map(String) : [],
      origin: typeof origin === "string" ? canonicalUri(origin) : "/redfish/v1",
      ...(typeof severity === "string" ? { severity } : {}),
      ...(typeof record["Message"] === "string" ? { message: record["Message"] } : {}),
    });
  }
  return conditions;
}

/** Connection state, for status pages and tests. */
export interface EventStreamStatus {
  connected: boolean;
  events: number;
  lastProblem?: string;
}

/** A live subscription to one target's event stream. */
export class RedfishEventStream {
  readonly #client: RedfishClient;
  readonly #target: RedfishTarget;
  readonly #book: AlarmBook;
  readonly #now: () => number;
  readonly #parser = new SseParser();
  #abort: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #failures = 0;
  readonly status: EventStreamStatus = { connected: false, events: 0 };

  constructor(client: RedfishClient, target: RedfishTarget, book: AlarmBook, now: () => number) {
    this.#client = client;
    this.#target = target;
    this.#book = book;
    this.#now = now;
  }

  /** Connects (and keeps reconnecting until `close`). */
  start(): void {
    this.#running = this.#connect();
  }

  async #streamUri(): Promise<string> {
    const service = await this.#client.get("/redfish/v1/EventService");
    if (typeof service !== "string" && typeof service["ServerSentEventUri"] === "string")
      return service["ServerSentEventUri"];
    return "/redfish/v1/EventService/SSE";
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    this.#abort = new AbortController();
    try {
      const uri = await this.#streamUri();
      const headers: Record<string, string> = { accept: "text/event-stream" };
      if (this.#parser.lastEventId !== undefined) headers["last-event-id"] = this.#parser.lastEventId;
      const answer = await this.#client.request({
        method: "GET",
        uri,
        headers,
        stream: true,
        signal: this.#abort.signal,
      });
      const response = answer.response;
      if (answer.status !== 200 || response === undefined) {
        response?.resume();
        throw new Error(`${uri}: HTTP ${answer.status}`);
      }
      this.status.connected = true;
      this.#failures = 0;
      const decoder = new TextDecoder();
      for await (const chunk of response) {
        for (const event of this.#parser.feed(decoder.decode(chunk as Uint8Array, { stream: true })))
          this.#dispatch(event.data);
      }
      this.status.lastProblem = "the event stream ended";
    } catch (cause) {
      if (this.#stopped) return;
      this.status.lastProblem = cause instanceof Error ? cause.message : String(cause);
    } finally {
      this.status.connected = false;
    }
    if (this.#stopped) return;
    this.#failures++;
    const delay = Math.min(60_000, 500 * 2 ** Math.min(this.#failures - 1, 7));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#connect();
    }, delay);
  }

  #dispatch(data: string): void {
    const at = this.#now();
    for (const condition of conditionsOfEventText(data)) {
      this.status.events++;
      applyRedfishMessage(this.#book, this.#target, condition, bindingFor(this.#target, condition.origin), at);
    }
  }

  /** Closes the stream and stops reconnecting. */
  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#abort?.abort();
    await this.#running?.catch(() => undefined);
  }
}
