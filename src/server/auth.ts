/**
 * Authentication: every route needs `Authorization: Bearer alx_…` except those marked `config: { public: true }`
 * (health, OpenAPI, docs). The principal is attached to the request; services authorise with it.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";
import { roleMayCall, routeLimitedRoles } from "../tenancy/roles.ts";
import { type Principal, principalWithOrigin, type RequestContext, type TenancyService } from "../tenancy/service.ts";
import type { SecurityLog } from "./security.ts";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
    /** Whether the request's key still authenticates now (long-lived streams re-check it: expiry, revocation). */
    stillAuthenticated: (() => Promise<boolean>) | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
    /**
     * The route is a collector's write endpoint (Influx `/write`, `/api/v2/write`): besides `Bearer`, the key may
     * come as `Token <key>` (InfluxDB 2 clients, Telegraf's influxdb_v2 output) or as the password of HTTP Basic
     * (InfluxDB 1 clients), since those agents cannot send a bearer token.
     */
    collectorAuth?: boolean;
    /**
     * The route authenticates a request that has no `Authorization` header itself (a Redfish subscription's
     * Context secret, redfish-receiver.ts); requests that carry one go through the key check as usual.
     */
    contextAuth?: boolean;
  }
}

/**
 * Registers the authentication hook. With a security log, failures and denials are logged, and an address that
 * failed too often in the last minute is answered 429 before any key is looked up.
 */
export function registerAuthentication(app: FastifyInstance, tenancy: TenancyService, security?: SecurityLog): void {
  app.decorateRequest("principal", null);
  app.decorateRequest("stillAuthenticated", null);
  app.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.config.public === true) return;
    // Redfish services push without a key: that route checks the subscription's secret itself (redfish-receiver.ts).
    if (request.routeOptions.config.contextAuth === true && request.headers.authorization === undefined) return;
    const retryAfterMs = security?.throttledFor(request.ip) ?? 0;
    if (retryAfterMs > 0) {
      security?.throttled(request, retryAfterMs);
      reply.header("retry-after", String(Math.ceil(retryAfterMs / 1000)));
      throw new AppError("tooMany", "too many failed authentications from this address: wait and retry");
    }
    const header = request.headers.authorization;
    // Browsers' EventSource cannot set headers: the event streams that declare `urlToken` also take the key as
    // `?access_token=` (hygiene.ts refuses it on every other route; problems and logs never show it).
    const queryToken =
      request.method === "GET" && request.routeOptions.config.urlToken === true
        ? (request.query as { access_token?: unknown } | undefined)?.access_token
        : undefined;
    let token: string | undefined;
    if (header !== undefined) {
      token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (token === undefined && request.routeOptions.config.collectorAuth === true) token = collectorToken(header);
    } else if (typeof queryToken === "string") token = queryToken;
    else {
      security?.authenticationFailed(request, "missing");
      throw new AppError("unauthenticated", "send an API key as `Authorization: Bearer alx_…`");
    }
    const outcome =
      token === undefined ? { failure: "malformed" as const } : await tenancy.authenticateWithReason(token);
    if (!("principal" in outcome)) {
      security?.authenticationFailed(request, outcome.failure, outcome.keyId);
      throw new AppError("unauthenticated", "the API key is unknown, revoked or expired");
    }
    const principal = outcome.principal;
    if (!roleMayCall(principal.role, request.method, request.routeOptions.url)) {
      security?.denied(request, principal.userId, { permission: null, role: principal.role, reason: "route" });
      throw new AppError(
        "forbidden",
        `role ${principal.role} may only call ${routeLimitedRoles[principal.role]!.join(", ")}`,
      );
    }
    const presented = token;
    request.stillAuthenticated = async () => "principal" in (await tenancy.authenticateWithReason(presented!));
    request.principal =
      security === undefined
        ? principal
        : principalWithOrigin(principal, { denied: (denial) => security.denied(request, principal.userId, denial) });
  });
}

/** The key of an InfluxDB-style `Authorization` header: `Token <key>`, or the password of `Basic`. */
function collectorToken(header: string): string | undefined {
  const token = /^Token\s+(\S+)$/i.exec(header)?.[1];
  if (token !== undefined) return token;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 || colon === decoded.length - 1 ? undefined : decoded.slice(colon + 1);
}

/** The service context of an authenticated request. */
export function contextOf(request: FastifyRequest): RequestContext {
  if (request.principal === null) throw new AppError("unauthenticated", "authentication required");
  return { principal: request.principal, requestId: request.id };
}
