/**
 * Authentication: every route needs `Authorization: Bearer alx_…` except those marked `config: { public: true }`
 * (health, OpenAPI, docs). The principal is attached to the request; services authorise with it.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";
import type { Principal, RequestContext, TenancyService } from "../tenancy/service.ts";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

/** Registers the authentication hook. */
export function registerAuthentication(app: FastifyInstance, tenancy: TenancyService): void {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.public === true) return;
    const header = request.headers.authorization;
    // Browsers' EventSource cannot set headers: the event streams that declare `urlToken` also take the key as
    // `?access_token=` (hygiene.ts refuses it on every other route; problems and logs never show it).
    const queryToken =
      request.method === "GET" && request.routeOptions.config.urlToken === true
        ? (request.query as { access_token?: unknown } | undefined)?.access_token
        : undefined;
    let token: string | undefined;
    if (header !== undefined) token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    else if (typeof queryToken === "string") token = queryToken;
    else throw new AppError("unauthenticated", "send an API key as `Authorization: Bearer alx_…`");
    const principal = token === undefined ? undefined : await tenancy.authenticate(token);
    if (principal === undefined) throw new AppError("unauthenticated", "the API key is unknown, revoked or expired");
    request.principal = principal;
  });
}

/** The service context of an authenticated request. */
export function contextOf(request: FastifyRequest): RequestContext {
  if (request.principal === null) throw new AppError("unauthenticated", "authentication required");
  return { principal: request.principal, requestId: request.id };
}
