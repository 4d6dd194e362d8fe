/**
 * Tenants, projects, users and API keys. Authorisation lives in the tenancy service; these routes validate input,
 * call it, and shape the answers.
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Project, Tenant, User } from "../../store/schema.ts";
import { roles } from "../../tenancy/roles.ts";
import { type TenancyService, tenantKinds } from "../../tenancy/service.ts";
import { contextOf } from "../auth.ts";
import { StringEnum } from "../schemas.ts";

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

/** Registers the tenancy routes under /v1. */
export function registerTenancyRoutes(app: FastifyInstance, tenancy: TenancyService): void {
  app.get(
    "/v1/me",
    { schema: { tags: ["tenancy"], summary: "The caller's identity and role" } },
    async (request) => contextOf(request).principal,
  );

  app.get(
    "/v1/tenants",
    {
      schema: {
        tags: ["tenancy"],
        summary: "Tenants visible to the caller",
        response: { 200: Type.Array(TenantSchema) },
      },
    },
    async (request) => (await tenancy.listTenants(contextOf(request))).map(tenantView),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/tenants/:id",
    { schema: { tags: ["tenancy"], params: IdParams, response: { 200: TenantSchema } } },
    async (request) => tenantView(await tenancy.getTenant(contextOf(request), request.params.id)),
  );
  app.post<{ Body: { id: string; name: string; kind: string; dataClasses?: string[] } }>(
    "/v1/tenants",
    {
      schema: {
        tags: ["tenancy"],
        summary: "Create a tenant (platform admins)",
        body: Type.Object(
          {
            id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{1,39}$" }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            kind: StringEnum(tenantKinds),
            dataClasses: Type.Optional(Type.Array(StringEnum(["public", "confidential", "health"]))),
          },
          { additionalProperties: false },
        ),
        response: { 201: TenantSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(tenantView(await tenancy.createTenant(contextOf(request), request.body))),
  );

  app.get<{ Querystring: { tenantId?: string } }>(
    "/v1/projects",
    {
      schema: {
        tags: ["tenancy"],
        querystring: Type.Object({ tenantId: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Array(ProjectSchema) },
      },
    },
    async (request) => (await tenancy.listProjects(contextOf(request), request.query.tenantId)).map(projectView),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/projects/:id",
    { schema: { tags: ["tenancy"], params: IdParams, response: { 200: ProjectSchema } } },
    async (request) => projectView(await tenancy.getProject(contextOf(request), request.params.id)),
  );
  app.post<{ Body: { tenantId: string; name: string } }>(
    "/v1/projects",
    {
      schema: {
        tags: ["tenancy"],
        body: Type.Object(
          { tenantId: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1, maxLength: 120 }) },
          { additionalProperties: false },
        ),
        response: { 201: ProjectSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(projectView(await tenancy.createProject(contextOf(request), request.body))),
  );

  app.get("/v1/users", { schema: { tags: ["tenancy"], response: { 200: Type.Array(UserSchema) } } }, async (request) =>
    (await tenancy.listUsers(contextOf(request))).map(userView),
  );
  app.get<{ Params: { id: string } }>(
    "/v1/users/:id",
    { schema: { tags: ["tenancy"], params: IdParams, response: { 200: UserSchema } } },
    async (request) => userView(await tenancy.getUser(contextOf(request), request.params.id)),
  );
  app.post<{ Body: { tenantId: string | null; name: string; email: string; role: string } }>(
    "/v1/users",
    {
      schema: {
        tags: ["tenancy"],
        body: Type.Object(
          {
            tenantId: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
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
      reply.status(201).send(userView(await tenancy.createUser(contextOf(request), request.body))),
  );
  app.post<{ Params: { id: string } }>(
    "/v1/users/:id/disable",
    { schema: { tags: ["tenancy"], params: IdParams, response: { 200: UserSchema } } },
    async (request) => userView(await tenancy.disableUser(contextOf(request), request.params.id)),
  );

  app.get<{ Querystring: { userId?: string } }>(
    "/v1/keys",
    {
      schema: {
        tags: ["tenancy"],
        querystring: Type.Object({ userId: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Array(KeySchema) },
      },
    },
    async (request) => tenancy.listApiKeys(contextOf(request), request.query.userId),
  );
  app.post<{ Body: { userId?: string; name: string; expiresAt?: string } }>(
    "/v1/keys",
    {
      schema: {
        tags: ["tenancy"],
        summary: "Create an API key; the token is shown in this answer only",
        body: Type.Object(
          {
            userId: Type.Optional(Type.String({ minLength: 1 })),
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
      const created = await tenancy.createApiKey(context, {
        userId: request.body.userId ?? context.principal.userId,
        name: request.body.name,
        expiresAt: request.body.expiresAt ?? null,
      });
      return reply.status(201).header("cache-control", "no-store").send(created);
    },
  );
  app.delete<{ Params: { id: string } }>(
    "/v1/keys/:id",
    { schema: { tags: ["tenancy"], summary: "Revoke an API key", params: IdParams, response: { 200: KeySchema } } },
    async (request) => tenancy.revokeApiKey(contextOf(request), request.params.id),
  );
}
