/**
 * HTTP to one Redfish service: authentication, TLS trust and bounded answers, shared by the poller, the metric
 * report reader, the event stream and push subscriptions of that service.
 *
 * Authentication (DSP0266 § 13.3): with credentials and `auth: session` (the default) the client logs in once with
 * `POST /redfish/v1/SessionService/Sessions`, sends `X-Auth-Token` on every request, logs in again when a request
 * answers 401 (the session timed out or the service restarted) and deletes its session on `close`. A service that
 * answers the login with 404, 405 or 501 has no session service: the client falls back to HTTP Basic on every
 * request (and says so in `authentication`). `auth: basic` asks for Basic from the start.
 *
 * TLS: BMCs mostly carry self-signed or site-CA certificates. `ca` (the PEM text of the target's `caFile`) is the
 * trust anchor for that service only; `insecure: true` turns verification off, never by default, and is reported as
 * a warning when the client is made. Node's `fetch` cannot take either option per request without an extra
 * dependency, so requests go through `node:http(s)` with one keep-alive agent per service.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isRecord } from "../../../core/records.ts";
import type { RedfishTarget } from "./binding.ts";
import type { Resource } from "./extract.ts";

/** Largest answer read from a service (a BMC answering more is broken or hostile). */
export const maxAnswerBytes = 16 * 1024 * 1024;

/** Sockets per service (BMCs are small computers). */
const maxSockets = 4;

/** Largest answer kept for conditional requests, and the most kept per service in all (bytes of JSON text). */
const maxCachedAnswerBytes = 1024 * 1024;
const maxCachedBytes = 32 * 1024 * 1024;

/**
 * Bytes of answers kept for conditional requests by all the clients that share it: the per-service bound alone
 * let a thousand targets keep 32 GiB (and parsed JSON takes several times its text).
 */
export class AnswerCacheBudget {
  /** Bytes kept now. */
  used = 0;
  /** Bytes kept at most, across the clients. */
  readonly max: number;
  /** `max`: bytes kept at most, across the clients. */
  constructor(max: number) {
    this.max = max;
  }
}

/** The budget of every client not given another (one process polls all its targets). */
const processBudget = new AnswerCacheBudget(256 * 1024 * 1024);

/** One answer of the service. */
export interface RedfishAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, when there was one. */
  readonly body: unknown;
  /** Bytes of the body as received. */
  readonly bytes?: number;
}

/** How requests to a Redfish service authenticate. */
export const authentications = ["none", "session", "basic"] as const;
/** How the client authenticates at the moment: a session, Basic, or none. */
export type Authentication = (typeof authentications)[number];

/** Options of one exchange. */
interface Exchange {
  readonly method: string;
  readonly uri: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Leave the body unread and hand the response over (event streams). */
  readonly stream?: boolean;
  readonly signal?: AbortSignal;
  /** The login itself and the logout carry their own credentials. */
  readonly anonymous?: boolean;
}

/**
 * Why `uri` is not a resource of the service at `base`, or undefined when it is one. A URI comes from the service's
 * links, or from a client pushing a metric report that names a MetricDefinition: only a path under `/redfish/`
 * (DSP0266: every Redfish URI starts so) on the service's own origin is asked. A link to another host (absolute,
 * protocol-relative `//host/x`, or with backslashes, which URL parsers read as slashes) would carry the service's
 * credentials there and make alixan fetch any address; a user name or password in it would stand in for the
 * client's own; a dot segment (`..`, `%2e%2e`) or an encoded slash could climb out of `/redfish/` on a server that
 * decodes late.
 */
export function refusalOf(uri: string, base: string): string | undefined {
  if (uri.includes("\\")) return "holds a backslash";
  let url: URL;
  try {
    url = new URL(uri, base);
  } catch {
    return "not a URI";
  }
  const origin = new URL(base).origin;
  if (url.origin !== origin) return `not on this service (${origin})`;
  if (url.username !== "" || url.password !== "") return "carries a user name or password";
  const path = uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "").split(/[?#]/)[0] ?? "";
  if (path.split("/").some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) return "holds a dot segment (. or ..)";
  if (/%(2f|5c)/i.test(path)) return "holds an encoded slash";
  if (!/^\/redfish(\/|$)/.test(url.pathname)) return "not a Redfish path (/redfish/…)";
  return undefined;
}

/** A failure of an exchange that names what went wrong, for status pages. */
export class RedfishRequestError extends Error {}

/** A readable description of a transport failure (TLS refusals get a hint about `caFile`). */
function describeFailure(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (
    typeof code === "string" &&
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|HOSTNAME|IP_MISMATCH/.test(code)
  ) {
    return `TLS: ${message} (${code}); give the service's CA bundle as caFile`;
  }
  if (cause instanceof Error && cause.name === "TimeoutError") return "no answer in time";
  return message;
}

/** The HTTP client of one Redfish service. */
export class RedfishClient {
  readonly #target: RedfishTarget;
  readonly #agent: HttpAgent;
  readonly #https: boolean;
  #authentication: Authentication;
  #session: { token: string; uri: string | undefined } | undefined;
  #login: Promise<void> | undefined;
  #closed = false;
  /** Resources read with an `ETag`, by URI: asked again with `If-None-Match`, reused on 304 Not Modified. */
  readonly #tagged = new Map<string, { readonly etag: string; readonly body: Resource; readonly bytes: number }>();
  #taggedBytes = 0;
  readonly #budget: AnswerCacheBudget;
  /** GETs answered 304 Not Modified since the client was made. */
  notModified = 0;

  /**
   * `warn` hears about settings that weaken security (certificate checks turned off); `budget` bounds the answers
   * kept for conditional requests together with the other clients sharing it.
   */
  constructor(
    target: RedfishTarget,
    warn: (message: string) => void = () => {},
    budget: AnswerCacheBudget = processBudget,
  ) {
    this.#target = target;
    this.#budget = budget;
    this.#https = target.url.startsWith("https:");
    this.#agent = this.#https
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets,
          rejectUnauthorized: target.insecure !== true,
          ...(target.ca === undefined ? {} : { ca: target.ca }),
        })
      : new HttpAgent({ keepAlive: true, maxSockets });
    this.#authentication = target.username === undefined ? "none" : target.auth;
    if (target.insecure === true) {
      warn(
        `redfish ${target.name}: TLS certificate verification is OFF (insecure: true): anyone on the path to ${target.url} can read its credentials and forge its readings; give its CA bundle as caFile instead`,
      );
    }
  }

  /** How requests authenticate now (a session, Basic after a fallback, or none). */
  get authentication(): Authentication {
    return this.#authentication;
  }

  /** Why the client will not ask for `uri` (another host, a path outside `/redfish/`…), or undefined: refusalOf. */
  refusal(uri: string): string | undefined {
    return refusalOf(uri, this.#target.url);
  }

  /** Whether a session is open. */
  get hasSession(): boolean {
    return this.#session !== undefined;
  }

  /**
   * Reads one resource as a JSON object; a problem string (naming the URI) on failure. A resource the service
   * tagged (`ETag`, DSP0266 § 7.9) is asked again with `If-None-Match`: a BMC answers 304 without building and
   * sending the body again, and the body read last is used.
   */
  async get(uri: string): Promise<Resource | string> {
    try {
      const kept = this.#tagged.get(uri);
      const headers = kept === undefined ? undefined : { "if-none-match": kept.etag };
      const answer = await this.request({ method: "GET", uri, ...(headers === undefined ? {} : { headers }) });
      if (answer.status === 304 && kept !== undefined) {
        this.notModified++;
        return kept.body;
      }
      if (answer.status < 200 || answer.status > 299) return `${uri}: HTTP ${answer.status}`;
      if (!isRecord(answer.body)) return `${uri}: not a JSON object`;
      this.#keepTagged(uri, answer.headers.etag, answer.body, answer.bytes ?? 0);
      return answer.body;
    } catch (cause) {
      return `${uri}: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
  }

  /**
   * Keeps a tagged answer (bounded: past the service's total or the shared budget, this service's kept answers are
   * dropped and tagged again as read; an answer the budget still has no room for is not kept).
   */
  #keepTagged(uri: string, etag: string | undefined, body: Resource, bytes: number): void {
    const before = this.#tagged.get(uri);
    if (before !== undefined) {
      this.#tagged.delete(uri);
      this.#taggedBytes -= before.bytes;
      this.#budget.used -= before.bytes;
    }
    // An answer that arrives after close() would hold budget nobody gives back.
    if (this.#closed || etag === undefined || etag === "" || bytes > maxCachedAnswerBytes) return;
    if (this.#taggedBytes + bytes > maxCachedBytes || this.#budget.used + bytes > this.#budget.max) this.#dropTagged();
    if (this.#budget.used + bytes > this.#budget.max) return;
    this.#tagged.set(uri, { etag, body, bytes });
    this.#taggedBytes += bytes;
    this.#budget.used += bytes;
  }

  /** Forgets every kept answer, giving their bytes back to the budget. */
  #dropTagged(): void {
    this.#budget.used -= this.#taggedBytes;
    this.#tagged.clear();
    this.#taggedBytes = 0;
  }

  /**
   * One authenticated exchange. With a session, a 401 means the session ended (timeout, service restart): the
   * client logs in again once and repeats the request. Transport failures throw `RedfishRequestError`.
   */
  async request(exchange: Exchange): Promise<RedfishAnswer & { response?: IncomingMessage }> {
    if (this.#closed) throw new RedfishRequestError("the client is closed");
    if (this.#authentication === "session" && this.#session === undefined) await this.#loginOnce();
    const token = this.#session?.token;
    const answer = await this.#send(exchange);
    if (answer.status === 401 && this.#authentication === "session" && token !== undefined) {
      answer.response?.resume();
      // Only the first request to meet the ended session logs in; the others wait for that login or, when it is
      // done already, repeat with the new token.
      if (this.#session?.token === token) {
        this.#session = undefined;
        await this.#loginOnce();
      } else if (this.#login !== undefined) await this.#login;
      else if (this.#session === undefined) await this.#loginOnce();
      return this.#send(exchange);
    }
    return answer;
  }

  /** Logs in unless a login is already under way (concurrent requests that met a 401 share one login). */
  #loginOnce(): Promise<void> {
    if (this.#login === undefined) {
      this.#login = this.#logIn().finally(() => {
        this.#login = undefined;
      });
    }
    return this.#login;
  }

  async #logIn(): Promise<void> {
    const target = this.#target;
    const password = target.passwordEnv === undefined ? "" : (process.env[target.passwordEnv] ?? "");
    const sessions = "/redfish/v1/SessionService/Sessions";
    const answer = await this.#send({
      method: "POST",
      uri: sessions,
      body: { UserName: target.username, Password: password },
      anonymous: true,
    });
    if (answer.status === 404 || answer.status === 405 || answer.status === 501) {
      // No session service (older or minimal implementations): Basic authentication on every request instead.
      this.#authentication = "basic";
      return;
    }
    if (answer.status === 401 || answer.status === 403) {
      throw new RedfishRequestError(
        `${sessions}: login refused (HTTP ${answer.status}): check username and the password in ${target.passwordEnv ?? "passwordEnv"}`,
      );
    }
    const token = answer.headers["x-auth-token"];
    if (answer.status < 200 || answer.status > 299 || typeof token !== "string" || token.length === 0) {
      throw new RedfishRequestError(`${sessions}: login answered HTTP ${answer.status} without an X-Auth-Token`);
    }
    this.#session = { token, uri: sessionUri(answer, target.url) };
  }

  /** Sends one request and reads its answer (bounded), or hands over the response for streams. */
  #send(exchange: Exchange): Promise<RedfishAnswer & { response?: IncomingMessage }> {
    // Every request, whoever named its URI (the service's links, a pushed report's MetricDefinition): refusalOf.
    const refusal = this.refusal(exchange.uri);
    if (refusal !== undefined) return Promise.reject(new RedfishRequestError(`${refusal}: not requested`));
    const url = new URL(exchange.uri, this.#target.url);
    const headers: Record<string, string> = { accept: "application/json", ...exchange.headers };
    if (exchange.anonymous !== true) Object.assign(headers, this.#credentials());
    let payload: Buffer | undefined;
    if (exchange.body !== undefined) {
      payload = Buffer.from(JSON.stringify(exchange.body));
      headers["content-type"] = "application/json";
      headers["content-length"] = String(payload.length);
    }
    const signal = exchange.signal ?? AbortSignal.timeout(this.#target.timeoutMs);
    const send = this.#https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (cause: unknown) => reject(new RedfishRequestError(describeFailure(signal.reason ?? cause)));
      const request = send(url, { method: exchange.method, headers, agent: this.#agent, signal }, (response) => {
        if (exchange.stream === true) {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: undefined, response });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxAnswerBytes) {
            response.destroy();
            reject(new RedfishRequestError(`the answer is larger than ${maxAnswerBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", fail);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          if (text.trim() !== "") {
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, bytes: size });
        });
      });
      request.on("error", fail);
      request.end(payload);
    });
  }

  #credentials(): Record<string, string> {
    const target = this.#target;
    if (this.#authentication === "session" && this.#session !== undefined)
      return { "x-auth-token": this.#session.token };
    if (this.#authentication === "basic" && target.username !== undefined) {
      const password = target.passwordEnv === undefined ? "" : (process.env[target.passwordEnv] ?? "");
      return { authorization: `Basic ${Buffer.from(`${target.username}:${password}`).toString("base64")}` };
    }
    return {};
  }

  /** Deletes the session (a BMC keeps few sessions: leaving them to time out can lock out the next login). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#login?.catch(() => undefined);
    const session = this.#session;
    if (session?.uri !== undefined) {
      await this.#send({
        method: "DELETE",
        uri: session.uri,
        headers: { "x-auth-token": session.token },
        anonymous: true,
      }).catch(() => undefined);
    }
    this.#session = undefined;
    this.#closed = true;
    this.#dropTagged();
    this.#agent.destroy();
  }
}

/** The session's URI: the `Location` header (absolute or not), else the body's `@odata.id`. */
function sessionUri(answer: RedfishAnswer, base: string): string | undefined {
  const location = answer.headers.location;
  if (typeof location === "string" && location !== "") return new URL(location, base).pathname;
  if (isRecord(answer.body) && typeof answer.body["@odata.id"] === "string") return answer.body["@odata.id"];
  return undefined;
}
