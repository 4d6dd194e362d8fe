/**
 * The security log: failed authentications and authorisation denials, kept apart from the audit chain (they are
 * not mutations, and an attacker must not be able to grow the chain). Writes are rate-limited: at most
 * `perAddressPerMinute` events per address and `overallPerMinute` in all are written each minute; the rest are
 * counted and written once as a `suppressed` summary when their minute is over. Addresses that fail authentication
 * `failuresBeforeThrottle` times in a minute are answered 429 until the minute ends, before any key is looked up.
 */
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.ts";
import type { AuthenticationFailure, Denial } from "../tenancy/service.ts";

/** Kinds of security event. */
export const securityEventKinds = ["auth.failed", "auth.throttled", "access.denied", "suppressed"] as const;
/** One kind of security event. */
export type SecurityEventKind = (typeof securityEventKinds)[number];

/** Limits of the security log. */
export interface SecurityLogOptions {
  readonly perAddressPerMinute?: number;
  readonly overallPerMinute?: number;
  readonly failuresBeforeThrottle?: number;
  /** Events older than this are deleted (checked at most hourly). Default 90 days. */
  readonly retentionDays?: number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

interface EventInput {
  readonly kind: SecurityEventKind;
  readonly address: string;
  readonly actor?: string | null;
  readonly method?: string | null;
  readonly route?: string | null;
  readonly detail: Record<string, unknown>;
}

interface AddressWindow {
  window: number;
  written: number;
  suppressed: number;
  failures: number;
}

const minuteMs = 60_000;
/** Addresses tracked at once; beyond it new addresses share the overall budget only (bounded memory). */
const maxTrackedAddresses = 50_000;

/** The route of a request as registered (`/v1/users/:id`), never the raw URL with its ids or query tokens. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? "(no route)";
}

/** Records security events into `security_events`, rate-limited per address and overall. */
export class SecurityLog {
  readonly #db: Kysely<Database>;
  readonly #perAddress: number;
  readonly #overall: number;
  readonly #failuresBeforeThrottle: number;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #addresses = new Map<string, AddressWindow>();
  #overallWindow = { window: 0, written: 0, suppressed: 0 };
  readonly #pending = new Set<Promise<void>>();
  readonly #timer: NodeJS.Timeout;
  #lastPruneMs = 0;

  constructor(db: Kysely<Database>, options: SecurityLogOptions = {}) {
    this.#db = db;
    this.#perAddress = options.perAddressPerMinute ?? 10;
    this.#overall = options.overallPerMinute ?? 300;
    this.#failuresBeforeThrottle = options.failuresBeforeThrottle ?? 20;
    this.#retentionMs = (options.retentionDays ?? 90) * 86_400_000;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    // Summaries of a minute's suppressed events are written once it is over, even if the flood stopped.
    this.#timer = setInterval(() => this.#rollWindows(), minuteMs);
    this.#timer.unref();
  }

  /** Milliseconds until `address` may try again, or 0 when it is not throttled. */
  throttledFor(address: string): number {
    const window = this.#windowOf(this.#now());
    const entry = this.#addresses.get(address);
    if (entry === undefined || entry.window !== window || entry.failures < this.#failuresBeforeThrottle) return 0;
    return window + minuteMs - this.#now();
  }

  /** A failed authentication: counted toward the address's throttle (except a missing key) and logged. */
  authenticationFailed(request: FastifyRequest, failure: AuthenticationFailure, keyId?: string): void {
    const entry = this.#entry(request.ip);
    if (entry !== undefined && failure !== "missing") entry.failures++;
    this.#record({
      kind: "auth.failed",
      address: request.ip,
      method: request.method,
      route: routeOf(request),
      // The key's public id only: never the token or its secret.
      detail: { reason: failure, ...(keyId === undefined ? {} : { keyId }) },
    });
  }

  /** A request answered 429 because its address failed authentication too often. */
  throttled(request: FastifyRequest, retryAfterMs: number): void {
    this.#record({
      kind: "auth.throttled",
      address: request.ip,
      method: request.method,
      route: routeOf(request),
      detail: { retryAfterS: Math.ceil(retryAfterMs / 1000) },
    });
  }

  /** An authorisation denial: who, on which route, and the permission their role lacks (or the scope it missed). */
  denied(request: FastifyRequest, actor: string, denial: Denial): void {
    this.#record({
      kind: "access.denied",
      address: request.ip,
      actor,
      method: request.method,
      route: routeOf(request),
      detail: { permission: denial.permission, role: denial.role, reason: denial.reason },
    });
  }

  /** Waits for every event written so far (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Writes the suppressed summaries of the current minute and stops. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#rollWindows(Number.POSITIVE_INFINITY);
    await this.flush();
  }

  #windowOf(ms: number): number {
    return Math.floor(ms / minuteMs) * minuteMs;
  }

  /** The address's entry for the current minute (a new minute first summarises the last one's suppressed events). */
  #entry(address: string): AddressWindow | undefined {
    const window = this.#windowOf(this.#now());
    let entry = this.#addresses.get(address);
    if (entry !== undefined && entry.window !== window) {
      this.#summarise(address, entry);
      entry.window = window;
      entry.written = 0;
      entry.suppressed = 0;
      entry.failures = 0;
    }
    if (entry === undefined) {
      if (this.#addresses.size >= maxTrackedAddresses) this.#rollWindows();
      if (this.#addresses.size >= maxTrackedAddresses) return undefined;
      entry = { window, written: 0, suppressed: 0, failures: 0 };
      this.#addresses.set(address, entry);
    }
    return entry;
  }

  #record(event: EventInput): void {
    const now = this.#now();
    const window = this.#windowOf(now);
    if (this.#overallWindow.window !== window) {
      this.#summarise("*", this.#overallWindow);
      this.#overallWindow = { window, written: 0, suppressed: 0 };
    }
    const entry = this.#entry(event.address);
    if (entry === undefined || entry.written >= this.#perAddress) {
      if (entry !== undefined) entry.suppressed++;
      else this.#overallWindow.suppressed++;
      return;
    }
    if (this.#overallWindow.written >= this.#overall) {
      this.#overallWindow.suppressed++;
      return;
    }
    entry.written++;
    this.#overallWindow.written++;
    this.#write({ ...event, at: new Date(now).toISOString(), count: 1 });
  }

  #summarise(address: string, entry: { window: number; suppressed: number }): void {
    if (entry.suppressed === 0) return;
    this.#write({
      kind: "suppressed",
      address,
      detail: {
        from: new Date(entry.window).toISOString(),
        to: new Date(entry.window + minuteMs).toISOString(),
        reason: address === "*" ? "overall limit per minute" : "limit per address per minute",
      },
      at: new Date(this.#now()).toISOString(),
      count: entry.suppressed,
    });
    entry.suppressed = 0;
  }

  /** Summarises and forgets every window older than the current minute (or all, at close). */
  #rollWindows(before = this.#windowOf(this.#now())): void {
    for (const [address, entry] of this.#addresses) {
      if (entry.window < before) {
        this.#summarise(address, entry);
        this.#addresses.delete(address);
      }
    }
    if (this.#overallWindow.window < before) this.#summarise("*", this.#overallWindow);
    if (this.#now() - this.#lastPruneMs > 3_600_000) {
      this.#lastPruneMs = this.#now();
      const cutoff = new Date(this.#now() - this.#retentionMs).toISOString();
      this.#track(this.#db.deleteFrom("security_events").where("at", "<", cutoff).execute());
    }
  }

  #write(event: EventInput & { at: string; count: number }): void {
    this.#track(
      this.#db
        .insertInto("security_events")
        .values({
          at: event.at,
          kind: event.kind,
          address: event.address,
          actor: event.actor ?? null,
          method: event.method ?? null,
          route: event.route ?? null,
          detail: JSON.stringify(event.detail),
          count: event.count,
        })
        .execute(),
    );
  }

  #track(work: Promise<unknown>): void {
    const done: Promise<void> = work
      .then(() => undefined)
      .catch((error: Error) => this.#log(`security log: cannot write an event: ${error.message}`))
      .finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }
}
