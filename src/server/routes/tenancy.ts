/**
 * Tenants, projects, users and API keys. Authorisation lives in the tenancy service; these routes validate input,
 * call it, and shape the answers.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import type { Project, Tenant, User } from "../../store/schema.ts";
import { roles } from "../../tenancy/roles.ts";
import { type Page, type PageRequest, type TenancyService, tenantKinds } from "../../tenancy/service.ts";
import { contextOf } from "../auth.ts";
import { problems } from "../openapi.ts";
import { fieldsIn } from "../problem.ts";
import { Nullable, type Reply, StringEnum } from "../schemas.ts";

const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  dataClasses: Type.Array(Type.String()),
  createdAt: Type.String(),
});
const ProjectSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
});
const UserSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  email: Type.String(),
  role: Type.String(),
  createdAt: Type.String(),
  disabledAt: Type.Union([Type.String(), Type.Null()]),
});
const KeySchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
/** The caller of `/v1/me`. */
const PrincipalSchema = Type.Object({
  userId: Type.String(),
  tenantId: Nullable(Type.String()),
  role: StringEnum(roles),
  name: Type.String(),
  keyId: Type.Optional(Type.String({ description: "absent for the local operator" })),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) });

const tenantView = (tenant: Tenant) => ({
  id: tenant.id,
  name: tenant.name,
  kind: tenant.kind,
  dataClasses: tenant.data_classes,
  createdAt: tenant.created_at,
});
const projectView = (project: Project) => ({
  id: project.id,
  tenantId: project.tenant_id,
  name: project.name,
  createdAt: project.created_at,
});
const userView = (user: User) => ({
  id: user.id,
  tenantId: user.tenant_id,
  name: user.name,
  email: user.email,
  role: user.role,
  createdAt: user.created_at,
  disabledAt: user.disabled_at,
});

/** Paging parameters every tenancy list takes: a page size and the cursor from the previous page's X-Next-Cursor. */
const pageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: "rows per page (default 200)" })),
  cursor: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "X-Next-Cursor of the previous page" }),
  ),
};

/** The page a request asks for. */
function pageRequest(query: { limit?: number; cursor?: string }): PageRequest {
  return { limit: query.limit ?? 200, cursor: query.cursor };
}

/** Sends a page's rows, with X-Total-Count (rows on every page) and X-Next-Cursor when more follow. */
function sendPage<T, V>(reply: FastifyReply, page: Page<T>, view: (row: T) => V): V[] {
  reply.header("x-total-count", String(page.total));
  if (page.nextCursor !== undefined) reply.header("x-next-cursor", page.nextCursor);
  return page.items.map(view);
}

/** `GET /v1/me` and the tenants: list, one, create. */
function registerTenantRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  app.get(
    "/v1/me",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "getMe",
        summary: "The caller's identity and role",
        response: { 200: PrincipalSchema },
      },
    },
    async (request): Promise<Reply<typeof PrincipalSchema>> => contextOf(request).principal,
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; kind?: string } }>(
    "/v1/tenants",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "listTenants",
        summary:
          "Tenants visible to the caller, in id order, optionally of one kind; X-Total-Count and X-Next-Cursor page through them",
        querystring: Type.Object(
          { ...pageQuery, kind: Type.Optional(StringEnum(tenantKinds)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(TenantSchema) },
      },
    },
    async (request, reply) =>
      sendPage(
        reply,
        await tenancy.listTenants(contextOf(request), pageRequest(request.query), request.query.kind),
        tenantView,
      ),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/tenants/:id",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "getTenant",
        ...problems(404),
        summary: "One tenant",
        params: IdParams,
        response: { 200: TenantSchema },
      },
    },
    async (request) => tenantView(await tenancy.getTenant(contextOf(request), request.params.id)),
  );
  app.post<{ Body: { id: string; name: string; kind: string; dataClasses?: string[] } }>(
    "/v1/tenants",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "createTenant",
        ...problems(409),
        summary: "Create a tenant (platform admins)",
        body: Type.Object(
          {
            id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{1,39}$" }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            kind: StringEnum(tenantKinds),
            dataClasses: Type.Optional(
              Type.Array(StringEnum(["public", "confidential", "health"]), { maxItems: 3, uniqueItems: true }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: TenantSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(tenantView(await fieldsIn("body", () => tenancy.createTenant(contextOf(request), request.body)))),
  );
}

/** Projects: list, one, create. */
function registerProjectRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  app.get<{ Querystring: { tenantId?: string; limit?: number; cursor?: string } }>(
    "/v1/projects",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "listProjects",
        summary: "Projects visible to the caller, in id order; X-Total-Count and X-Next-Cursor page through them",
        querystring: Type.Object(
          { tenantId: Type.Optional(Type.String({ maxLength: 100 })), ...pageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ProjectSchema) },
      },
    },
    async (request, reply) =>
      sendPage(
        reply,
        await tenancy.listProjects(contextOf(request), pageRequest(request.query), request.query.tenantId),
        projectView,
      ),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/projects/:id",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "getProject",
        ...problems(404),
        summary: "One project",
        params: IdParams,
        response: { 200: ProjectSchema },
      },
    },
    async (request) => projectView(await tenancy.getProject(contextOf(request), request.params.id)),
  );
  app.post<{ Body: { tenantId: string; name: string } }>(
    "/v1/projects",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "createProject",
        ...problems(404, 409),
        summary: "Create a project in a tenant",
        body: Type.Object(
          {
            tenantId: Type.String({ minLength: 1, maxLength: 100 }),
            name: Type.String({ minLength: 1, maxLength: 120 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: ProjectSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(projectView(await fieldsIn("body", () => tenancy.createProject(contextOf(request), request.body)))),
  );
}

/** Users: list, one, create, disable. */
function registerUserRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  app.get<{ Querystring: { limit?: number; cursor?: string; tenantId?: string; role?: string } }>(
    "/v1/users",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "listUsers",
        summary:
          "Users visible to the caller, in id order, optionally of one tenant or role; X-Total-Count and X-Next-Cursor page through them",
        querystring: Type.Object(
          {
            ...pageQuery,
            tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            role: Type.Optional(StringEnum(roles)),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(UserSchema) },
      },
    },
    async (request, reply) =>
      sendPage(
        reply,
        await tenancy.listUsers(contextOf(request), pageRequest(request.query), {
          tenantId: request.query.tenantId,
          role: request.query.role,
        }),
        userView,
      ),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/users/:id",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "getUser",
        ...problems(404),
        summary: "One user",
        params: IdParams,
        response: { 200: UserSchema },
      },
    },
    async (request) => userView(await tenancy.getUser(contextOf(request), request.params.id)),
  );
  app.post<{ Body: { tenantId: string | null; name: string; email: string; role: string } }>(
    "/v1/users",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "createUser",
        ...problems(404, 409),
        summary: "Create a user (platform staff, or a tenant admin in their tenant)",
        body: Type.Object(
          {
            tenantId: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            email: Type.String({ format: "email", maxLength: 320 }),
            role: StringEnum(roles),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(userView(await fieldsIn("body", () => tenancy.createUser(contextOf(request), request.body)))),
  );
  app.post<{ Params: { id: string } }>(
    "/v1/users/:id/disable",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "disableUser",
        ...problems(404, 409),
        summary: "Disable a user: their keys stop working",
        params: IdParams,
        response: { 200: UserSchema },
      },
    },
    async (request) =>
      userView(await fieldsIn("params", () => tenancy.disableUser(contextOf(request), request.params.id))),
  );
}

/** API keys: list, create, revoke. */
function registerKeyRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  app.get<{ Querystring: { userId?: string; limit?: number; cursor?: string } }>(
    "/v1/keys",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "listKeys",
        summary: "API keys visible to the caller, in id order; X-Total-Count and X-Next-Cursor page through them",
        querystring: Type.Object(
          { userId: Type.Optional(Type.String({ maxLength: 100 })), ...pageQuery },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(KeySchema) },
      },
    },
    async (request, reply) =>
      sendPage(
        reply,
        await tenancy.listApiKeys(contextOf(request), pageRequest(request.query), request.query.userId),
        (key) => key,
      ),
  );
  app.post<{ Body: { userId?: string; name: string; expiresAt?: string } }>(
    "/v1/keys",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "createKey",
        ...problems(404, 409),
        summary: "Create an API key; the token is shown in this answer only",
        body: Type.Object(
          {
            userId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            name: Type.String({ minLength: 1, maxLength: 120 }),
            expiresAt: Type.Optional(Type.String({ format: "date-time" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: KeySchema, token: Type.String() }) },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      const created = await fieldsIn("body", () =>
        tenancy.createApiKey(context, {
          userId: request.body.userId ?? context.principal.userId,
          name: request.body.name,
          expiresAt: request.body.expiresAt ?? null,
        }),
      );
      return reply.status(201).header("cache-control", "no-store").send(created);
    },
  );
  app.delete<{ Params: { id: string } }>(
    "/v1/keys/:id",
    {
      schema: {
        tags: ["tenancy"],
        operationId: "revokeKey",
        ...problems(404, 409),
        summary: "Revoke an API key",
        params: IdParams,
        response: { 200: KeySchema },
      },
    },
    async (request) => fieldsIn("params", () => tenancy.revokeApiKey(contextOf(request), request.params.id)),
  );
}

/** Registers the tenancy routes under /v1. */
export function registerTenancyRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  registerTenantRoutes(app, tenancy);
  registerProjectRoutes(app, tenancy);
  registerUserRoutes(app, tenancy);
  registerKeyRoutes(app, tenancy);
}
