/**
 * Tenants, projects, users and API keys, with authorisation in one place so the HTTP API and the CLI apply the
 * same rules. Every mutation runs in a transaction that also appends its audit record.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { AppError } from "../core/errors.ts";
import { appendAudit } from "../store/audit.ts";
import type { ApiKey, Database, Project, Tenant, User } from "../store/schema.ts";
import { isRole, type Permission, type Role, type Scope, scopeOf, staffRoles, tenantRoles } from "./roles.ts";

/** Who is acting. */
export interface Principal {
  readonly userId: string;
  readonly tenantId: string | null;
  readonly role: Role;
  readonly name: string;
  readonly keyId?: string;
}

/** The caller of a service: who, and the request id that ties the audit record to the log line. */
export interface RequestContext {
  readonly principal: Principal;
  readonly requestId: string;
}

/** A resource's ownership, for scope checks. */
export interface Ownership {
  readonly tenantId: string | null;
  readonly userId?: string | null;
}

/** The local operator running `alixan tenant|user|key` on the server itself. */
export function systemPrincipal(name = "cli"): Principal {
  return { userId: `system:${name}`, tenantId: null, role: "platform-admin", name };
}

/** Why a bearer token was refused. */
export type AuthenticationFailure =
  | "missing"
  | "malformed"
  | "unknown-key"
  | "bad-secret"
  | "revoked"
  | "expired"
  | "disabled-user";

/** Active (unrevoked, unexpired) API keys one user may hold: enough for rotation and a few machines, not a flood. */
export const maxActiveKeysPerUser = 20;

/** The furthest ahead an API key's expiry may be set: a year, leap day included (no expiry at all stays possible). */
export const maxKeyLifetimeDays = 366;

/** Refuses an expiry that is not a date, already past (the key would be born expired) or more than a year ahead. */
function checkKeyExpiry(expiresAt: string | null | undefined, nowMs: number): void {
  if (expiresAt == null) return;
  const field = "body.expiresAt";
  const atMs = Date.parse(expiresAt);
  if (Number.isNaN(atMs)) throw new AppError("invalid", `${field}: "${expiresAt}" is not a date`, { field });
  if (atMs <= nowMs)
    throw new AppError("invalid", `${field}: ${expiresAt} is not in the future: the key would be expired at once`, {
      field,
    });
  if (atMs - nowMs > maxKeyLifetimeDays * 86_400_000)
    throw new AppError(
      "invalid",
      `${field}: ${expiresAt} is more than ${maxKeyLifetimeDays} days ahead (at most ${maxKeyLifetimeDays})`,
      { field },
    );
}

/** One page of a list: at most `limit` rows after the row whose id is `cursor`, in id order. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** A page of rows, the number of rows on every page (the caller's scope and filters), and the next page's cursor. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly nextCursor: string | undefined;
}

/** Filters of the user list. */
export interface UserFilter {
  readonly tenantId?: string | undefined;
  readonly role?: string | undefined;
}

/** Every row of a paged list, page after page (local tools that need the whole list: the admin CLI). */
export async function everyPage<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 1000, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return rows;
}

/** Cuts the `limit + 1` rows a query fetched into a page (the extra row only says that more follow). */
function pageOf<T>(rows: T[], page: PageRequest, idOf: (row: T) => string, total: { count: string | number }): Page<T> {
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return {
    items,
    total: Number(total.count),
    nextCursor: rows.length > page.limit && last !== undefined ? idOf(last) : undefined,
  };
}

/** Tenant kinds of the demo and of real sites. */
export const tenantKinds = ["operator", "pharma", "diagnostics", "hospital", "campus", "genai", "research"] as const;

const slug = /^[a-z0-9][a-z0-9-]{1,39}$/;
const email = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function randomId(prefix: string, bytes = 8): string {
  return `${prefix}${randomBytes(bytes).toString("hex")}`;
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** An authorisation refused: what was asked, by which role, and why (no grant, or outside the grant's scope). */
export interface Denial {
  /** The permission refused; null when the role may not call the route at all (`route`, see roleMayCall). */
  readonly permission: Permission | null;
  readonly role: Role;
  readonly reason: "role" | "scope" | "route";
}

/** Where a principal's request came from, told about every denial (the server logs them as security events). */
export interface RequestOrigin {
  denied(denial: Denial): void;
}

const originKey = Symbol("alixan.requestOrigin");

/** A copy of `principal` for one request, carrying its origin (not enumerable: it never shows in views). */
export function principalWithOrigin(principal: Principal, origin: RequestOrigin): Principal {
  const copy = { ...principal };
  Object.defineProperty(copy, originKey, { value: origin, enumerable: false });
  return copy;
}

function reportDenial(principal: Principal, denial: Denial): void {
  (principal as Principal & { [originKey]?: RequestOrigin })[originKey]?.denied(denial);
}

/** Checks a permission and, when a resource is given, its scope. Throws `forbidden` or `notFound`. */
export function authorize(principal: Principal, permission: Permission, resource?: Ownership): Scope {
  const scope = scopeOf(principal.role, permission);
  if (scope === undefined) {
    reportDenial(principal, { permission, role: principal.role, reason: "role" });
    throw new AppError("forbidden", `role ${principal.role} may not ${permission.replace(":", " ")}`);
  }
  if (resource !== undefined && !withinScope(principal, scope, resource)) {
    reportDenial(principal, { permission, role: principal.role, reason: "scope" });
    // Outside the caller's scope the resource does not exist for them: never confirm another tenant's ids.
    throw new AppError("notFound", "no such resource");
  }
  return scope;
}

/** Whether a resource lies within a scope for a principal. */
export function withinScope(principal: Principal, scope: Scope, resource: Ownership): boolean {
  if (scope === "all") return true;
  if (resource.tenantId !== principal.tenantId && !(principal.tenantId === null && scope === "self")) return false;
  if (scope === "self") return resource.userId === principal.userId;
  return true;
}

/**
 * Whether taking away a user (`userId`: disabled) or a key (`keyId`: revoked) leaves no active platform admin (an
 * enabled platform admin holding an unrevoked, unexpired key) where there was one: nobody could then administer the
 * platform over the API (the local `alixan key create` remains the way back). The platform admins' rows are locked
 * first, so two admins removing each other at once are decided one after the other.
 */
async function lastActiveAdminAfter(
  trx: Transaction<Database>,
  removed: { readonly userId?: string; readonly keyId?: string },
): Promise<boolean> {
  await trx.selectFrom("users").select("id").where("role", "=", "platform-admin").forUpdate().execute();
  const now = new Date().toISOString();
  const count = async (without: typeof removed) => {
    let query = trx
      .selectFrom("users")
      .innerJoin("api_keys", "api_keys.user_id", "users.id")
      .select((eb) => eb.fn.count<string>("users.id").distinct().as("count"))
      .where("users.role", "=", "platform-admin")
      .where("users.disabled_at", "is", null)
      .where("api_keys.revoked_at", "is", null)
      .where((eb) => eb.or([eb("api_keys.expires_at", "is", null), eb("api_keys.expires_at", ">", now)]));
    if (without.userId !== undefined) query = query.where("users.id", "!=", without.userId);
    if (without.keyId !== undefined) query = query.where("api_keys.id", "!=", without.keyId);
    return Number((await query.executeTakeFirstOrThrow()).count);
  };
  return (await count(removed)) === 0 && (await count({})) > 0;
}

/** Public view of an API key (never its secret or hash). */
export interface ApiKeyView {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/**
 * The platform admins' working keys (unrevoked, unexpired keys of enabled platform admins): when the last of them
 * stops working, nobody can administer the platform over the API (`alixan key create` on the host is the way back).
 */
export interface AdminKeyHorizon {
  /** Enabled platform admins. */
  readonly admins: number;
  /** Their working keys. */
  readonly keys: number;
  /** When the last working key expires, epoch ms: Infinity when one never does, undefined when there is none. */
  readonly lastExpiryMs: number | undefined;
}

function keyView(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    userId: key.user_id,
    name: key.name,
    createdAt: key.created_at,
    expiresAt: key.expires_at,
    revokedAt: key.revoked_at,
  };
}

/** Tenancy operations over the store. */
export class TenancyService {
  readonly #db: Kysely<Database>;
  /** Authenticated keys by token hash, so hot read paths skip the store; revocation clears it. */
  readonly #principalCache = new Map<string, { principal: Principal; expiresAtMs: number }>();
  readonly #tenantListeners: ((context: RequestContext, tenant: Tenant) => Promise<void>)[] = [];
  readonly #keyListeners: (() => void)[] = [];

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Runs `change` in a transaction and appends its audit record there. */
  async mutate<Result>(
    context: RequestContext,
    action: string,
    resource: string,
    change: (trx: Transaction<Database>) => Promise<{ before: unknown; after: unknown; result: Result }>,
  ): Promise<Result> {
    return this.#db.transaction().execute(async (trx) => {
      const { before, after, result } = await change(trx);
      await appendAudit(trx, {
        actor: context.principal.userId,
        action,
        resource,
        before,
        after,
        requestId: context.requestId,
      });
      return result;
    });
  }

  // ---- tenants

  /** Tenants the caller may see, one page in id order. */
  async listTenants(context: RequestContext, page: PageRequest, kind?: string): Promise<Page<Tenant>> {
    const scope = authorize(context.principal, "tenants:read");
    let base = this.#db.selectFrom("tenants");
    if (scope !== "all") base = base.where("id", "=", context.principal.tenantId ?? "");
    if (kind !== undefined) base = base.where("kind", "=", kind);
    const total = await base.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
    let query = base
      .selectAll()
      .orderBy("id")
      .limit(page.limit + 1);
    if (page.cursor !== undefined) query = query.where("id", ">", page.cursor);
    return pageOf(await query.execute(), page, (row) => row.id, total);
  }

  /** One tenant, if the caller may see it. */
  async getTenant(context: RequestContext, id: string): Promise<Tenant> {
    authorize(context.principal, "tenants:read", { tenantId: id });
    const tenant = await this.#db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
    if (tenant === undefined) throw new AppError("notFound", `no tenant ${id}`);
    return tenant;
  }

  /** Creates a tenant (platform admins). */
  async createTenant(
    context: RequestContext,
    input: { id: string; name: string; kind: string; dataClasses?: readonly string[] },
  ): Promise<Tenant> {
    authorize(context.principal, "tenants:write");
    if (!slug.test(input.id)) {
      throw new AppError("invalid", `id "${input.id}" must be 2–40 lower-case letters, digits or -`, { field: "id" });
    }
    if (!(tenantKinds as readonly string[]).includes(input.kind)) {
      throw new AppError("invalid", `kind must be one of ${tenantKinds.join(", ")}`, { field: "kind" });
    }
    const dataClasses = input.dataClasses ?? ["public", "confidential"];
    for (const dataClass of dataClasses) {
      if (!["public", "confidential", "health"].includes(dataClass)) {
        throw new AppError("invalid", `unknown data class "${dataClass}"`, { field: "dataClasses" });
      }
    }
    const tenant: Tenant = {
      id: input.id,
      name: input.name,
      kind: input.kind,
      data_classes: [...dataClasses],
      created_at: new Date().toISOString(),
    };
    const created = await this.mutate(context, "tenant.create", `tenant:${input.id}`, async (trx) => {
      const existing = await trx.selectFrom("tenants").select("id").where("id", "=", input.id).executeTakeFirst();
      if (existing !== undefined) throw new AppError("conflict", `tenant ${input.id} already exists`, { field: "id" });
      await trx
        .insertInto("tenants")
        .values({ ...tenant, data_classes: JSON.stringify(tenant.data_classes) })
        .execute();
      return { before: null, after: tenant, result: tenant };
    });
    // After the commit: what follows a tenant (its queue by policy) is its own audited change.
    for (const listener of this.#tenantListeners) await listener(context, created);
    return created;
  }

  /**
   * Calls `listener` after a key is created or revoked or a user disabled through this service (the admin-key alarm
   * clears at once when a new key exists; keys made by another process are seen on its timer).
   */
  onKeysChanged(listener: () => void): () => void {
    this.#keyListeners.push(listener);
    return () => {
      const index = this.#keyListeners.indexOf(listener);
      if (index >= 0) this.#keyListeners.splice(index, 1);
    };
  }

  #keysChanged(): void {
    for (const listener of this.#keyListeners) listener();
  }

  /** Calls `listener` after each tenant is created (the jobs feature gives it a queue by policy). */
  onTenantCreated(listener: (context: RequestContext, tenant: Tenant) => Promise<void>): () => void {
    this.#tenantListeners.push(listener);
    return () => {
      const index = this.#tenantListeners.indexOf(listener);
      if (index >= 0) this.#tenantListeners.splice(index, 1);
    };
  }

  // ---- projects

  /** Projects the caller may see, optionally of one tenant, one page in id order. */
  async listProjects(context: RequestContext, page: PageRequest, tenantId?: string): Promise<Page<Project>> {
    const scope = authorize(context.principal, "projects:read");
    let base = this.#db.selectFrom("projects");
    if (scope !== "all") base = base.where("tenant_id", "=", context.principal.tenantId ?? "");
    if (tenantId !== undefined) base = base.where("tenant_id", "=", tenantId);
    const total = await base.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
    let query = base
      .selectAll()
      .orderBy("id")
      .limit(page.limit + 1);
    if (page.cursor !== undefined) query = query.where("id", ">", page.cursor);
    return pageOf(await query.execute(), page, (row) => row.id, total);
  }

  /** One project, if visible. */
  async getProject(context: RequestContext, id: string): Promise<Project> {
    const project = await this.#db.selectFrom("projects").selectAll().where("id", "=", id).executeTakeFirst();
    if (project === undefined) throw new AppError("notFound", `no project ${id}`);
    authorize(context.principal, "projects:read", { tenantId: project.tenant_id });
    return project;
  }

  /** Creates a project in a tenant. */
  async createProject(context: RequestContext, input: { tenantId: string; name: string }): Promise<Project> {
    authorize(context.principal, "projects:write", { tenantId: input.tenantId });
    const tenant = await this.#db
      .selectFrom("tenants")
      .select("id")
      .where("id", "=", input.tenantId)
      .executeTakeFirst();
    if (tenant === undefined) throw new AppError("notFound", `no tenant ${input.tenantId}`, { field: "tenantId" });
    const project: Project = {
      id: randomId("prj_"),
      tenant_id: input.tenantId,
      name: input.name,
      created_at: new Date().toISOString(),
    };
    return this.mutate(context, "project.create", `project:${project.id}`, async (trx) => {
      const clash = await trx
        .selectFrom("projects")
        .select("id")
        .where("tenant_id", "=", input.tenantId)
        .where("name", "=", input.name)
        .executeTakeFirst();
      if (clash !== undefined)
        throw new AppError("conflict", `project "${input.name}" already exists`, { field: "name" });
      await trx.insertInto("projects").values(project).execute();
      return { before: null, after: project, result: project };
    });
  }

  // ---- users

  /** Users the caller may see, one page in id order. */
  async listUsers(context: RequestContext, page: PageRequest, filter: UserFilter = {}): Promise<Page<User>> {
    const scope = authorize(context.principal, "users:read");
    let base = this.#db.selectFrom("users");
    if (scope === "tenant") base = base.where("tenant_id", "=", context.principal.tenantId ?? "");
    if (scope === "self") base = base.where("id", "=", context.principal.userId);
    if (filter.tenantId !== undefined) base = base.where("tenant_id", "=", filter.tenantId);
    if (filter.role !== undefined) base = base.where("role", "=", filter.role);
    const total = await base.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
    let query = base
      .selectAll()
      .orderBy("id")
      .limit(page.limit + 1);
    if (page.cursor !== undefined) query = query.where("id", ">", page.cursor);
    return pageOf(await query.execute(), page, (row) => row.id, total);
  }

  /** One user, if visible. */
  async getUser(context: RequestContext, id: string): Promise<User> {
    const user = await this.#db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    if (user === undefined) throw new AppError("notFound", `no user ${id}`);
    authorize(context.principal, "users:read", { tenantId: user.tenant_id, userId: user.id });
    return user;
  }

  /** Creates a user; tenant admins create tenant roles in their own tenant only. */
  async createUser(
    context: RequestContext,
    input: { tenantId: string | null; name: string; email: string; role: string },
  ): Promise<User> {
    authorize(context.principal, "users:write", { tenantId: input.tenantId });
    if (!isRole(input.role)) throw new AppError("invalid", `unknown role "${input.role}"`, { field: "role" });
    if (!email.test(input.email))
      throw new AppError("invalid", `"${input.email}" is not an e-mail address`, { field: "email" });
    if (staffRoles.includes(input.role) && input.tenantId !== null) {
      throw new AppError("invalid", `role ${input.role} is for platform staff and takes no tenant`, {
        field: "tenantId",
      });
    }
    if (tenantRoles.includes(input.role) && input.tenantId === null) {
      throw new AppError("invalid", `role ${input.role} needs a tenant`, { field: "tenantId" });
    }
    if (input.tenantId !== null) {
      const tenant = await this.#db
        .selectFrom("tenants")
        .select("id")
        .where("id", "=", input.tenantId)
        .executeTakeFirst();
      if (tenant === undefined) throw new AppError("notFound", `no tenant ${input.tenantId}`, { field: "tenantId" });
    }
    const user: User = {
      id: randomId("usr_"),
      tenant_id: input.tenantId,
      name: input.name,
      email: input.email.toLowerCase(),
      role: input.role,
      created_at: new Date().toISOString(),
      disabled_at: null,
    };
    return this.mutate(context, "user.create", `user:${user.id}`, async (trx) => {
      const clash = await trx.selectFrom("users").select("id").where("email", "=", user.email).executeTakeFirst();
      if (clash !== undefined)
        throw new AppError("conflict", `a user with e-mail ${user.email} exists`, { field: "email" });
      await trx.insertInto("users").values(user).execute();
      return { before: null, after: user, result: user };
    });
  }

  /** Disables a user and revokes their keys; refused when it would leave no active platform admin. */
  async disableUser(context: RequestContext, id: string): Promise<User> {
    const user = await this.getUser(context, id);
    authorize(context.principal, "users:write", { tenantId: user.tenant_id, userId: user.id });
    const now = new Date().toISOString();
    const updated = { ...user, disabled_at: now };
    this.#principalCache.clear();
    const disabled = await this.mutate(context, "user.disable", `user:${id}`, async (trx) => {
      if (user.role === "platform-admin" && (await lastActiveAdminAfter(trx, { userId: id }))) {
        throw new AppError(
          "conflict",
          `user ${id} is the last active platform admin: disabling them would leave no one able to administer the platform; give another platform admin a key first`,
          { field: "id" },
        );
      }
      await trx.updateTable("users").set({ disabled_at: now }).where("id", "=", id).execute();
      await trx
        .updateTable("api_keys")
        .set({ revoked_at: now })
        .where("user_id", "=", id)
        .where("revoked_at", "is", null)
        .execute();
      return { before: user, after: updated, result: updated };
    });
    this.#keysChanged();
    return disabled;
  }

  // ---- API keys

  /** Creates an API key for a user; the token is returned once and only its hash is stored. */
  async createApiKey(
    context: RequestContext,
    input: { userId: string; name: string; expiresAt?: string | null },
  ): Promise<{ key: ApiKeyView; token: string }> {
    const user = await this.#db.selectFrom("users").selectAll().where("id", "=", input.userId).executeTakeFirst();
    if (user === undefined) throw new AppError("notFound", `no user ${input.userId}`, { field: "userId" });
    authorize(context.principal, "keys:write", { tenantId: user.tenant_id, userId: user.id });
    if (user.disabled_at !== null) throw new AppError("conflict", `user ${user.id} is disabled`, { field: "userId" });
    checkKeyExpiry(input.expiresAt, Date.now());
    // Stored in UTC as toISOString writes it: the key cap compares expiries as text, and an expiry written with an
    // offset (`…T00:00:00-23:00`, a day later than it reads) sorted before now, so its key was not counted.
    const expiresAt = input.expiresAt == null ? null : new Date(input.expiresAt).toISOString();
    const id = randomBytes(6).toString("hex");
    const secret = randomBytes(24).toString("base64url");
    const key: ApiKey = {
      id,
      user_id: user.id,
      name: input.name,
      secret_hash: hashSecret(secret),
      created_at: new Date().toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
    };
    const view = keyView(key);
    await this.mutate(context, "key.create", `key:${id}`, async (trx) => {
      // Counted in the transaction that inserts, so concurrent requests cannot pass the cap together.
      const now = new Date().toISOString();
      const active = await trx
        .selectFrom("api_keys")
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .where("user_id", "=", user.id)
        .where("revoked_at", "is", null)
        .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
        .executeTakeFirstOrThrow();
      if (Number(active.count) >= maxActiveKeysPerUser) {
        throw new AppError(
          "conflict",
          `user ${user.id} already has ${active.count} active API keys (at most ${maxActiveKeysPerUser}); revoke one first`,
          { field: "userId" },
        );
      }
      await trx.insertInto("api_keys").values(key).execute();
      return { before: null, after: view, result: undefined };
    });
    this.#keysChanged();
    return { key: view, token: `alx_${id}_${secret}` };
  }

  /** The platform admins' working keys now (no caller: the platform's own watch reads it). */
  async adminKeyHorizon(nowMs: number = Date.now()): Promise<AdminKeyHorizon> {
    const now = new Date(nowMs).toISOString();
    const admins = await this.#db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .where("role", "=", "platform-admin")
      .where("disabled_at", "is", null)
      .executeTakeFirstOrThrow();
    const keys = await this.#db
      .selectFrom("api_keys")
      .innerJoin("users", "users.id", "api_keys.user_id")
      .select("api_keys.expires_at")
      .where("users.role", "=", "platform-admin")
      .where("users.disabled_at", "is", null)
      .where("api_keys.revoked_at", "is", null)
      .where((eb) => eb.or([eb("api_keys.expires_at", "is", null), eb("api_keys.expires_at", ">", now)]))
      .execute();
    let lastExpiryMs: number | undefined;
    for (const key of keys) {
      const expiry = key.expires_at === null ? Number.POSITIVE_INFINITY : Date.parse(key.expires_at);
      lastExpiryMs = Math.max(lastExpiryMs ?? expiry, expiry);
    }
    return { admins: Number(admins.count), keys: keys.length, lastExpiryMs };
  }

  /** Keys the caller may see, optionally of one user, one page in id order. */
  async listApiKeys(context: RequestContext, page: PageRequest, userId?: string): Promise<Page<ApiKeyView>> {
    const scope = authorize(context.principal, "keys:read");
    let base = this.#db.selectFrom("api_keys").innerJoin("users", "users.id", "api_keys.user_id");
    if (scope === "tenant") base = base.where("users.tenant_id", "=", context.principal.tenantId ?? "");
    if (scope === "self") base = base.where("api_keys.user_id", "=", context.principal.userId);
    if (userId !== undefined) base = base.where("api_keys.user_id", "=", userId);
    const total = await base.select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
    let query = base
      .selectAll("api_keys")
      .orderBy("api_keys.id")
      .limit(page.limit + 1);
    if (page.cursor !== undefined) query = query.where("api_keys.id", ">", page.cursor);
    return pageOf((await query.execute()).map(keyView), page, (key) => key.id, total);
  }

  /** Revokes a key. */
  async revokeApiKey(context: RequestContext, keyId: string): Promise<ApiKeyView> {
    const row = await this.#db
      .selectFrom("api_keys")
      .innerJoin("users", "users.id", "api_keys.user_id")
      .selectAll("api_keys")
      .select("users.tenant_id")
      .where("api_keys.id", "=", keyId)
      .executeTakeFirst();
    if (row === undefined) throw new AppError("notFound", `no key ${keyId}`);
    authorize(context.principal, "keys:write", { tenantId: row.tenant_id, userId: row.user_id });
    const before = keyView(row);
    const after = { ...before, revokedAt: before.revokedAt ?? new Date().toISOString() };
    this.#principalCache.clear();
    const revoked = await this.mutate(context, "key.revoke", `key:${keyId}`, async (trx) => {
      if (before.revokedAt === null && (await lastActiveAdminAfter(trx, { keyId }))) {
        throw new AppError(
          "conflict",
          `key ${keyId} is the last working key of the last active platform admin: revoking it would leave no one able to administer the platform; create another key first`,
          { field: "id" },
        );
      }
      await trx.updateTable("api_keys").set({ revoked_at: after.revokedAt }).where("id", "=", keyId).execute();
      return { before, after, result: after };
    });
    this.#keysChanged();
    return revoked;
  }

  /** The principal behind a bearer token, or undefined for an unknown, revoked or expired key. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const outcome = await this.authenticateWithReason(token);
    return "principal" in outcome ? outcome.principal : undefined;
  }

  /** The principal behind a bearer token, or why it was refused (for the security log; never the secret). */
  async authenticateWithReason(
    token: string,
  ): Promise<{ principal: Principal } | { failure: AuthenticationFailure; keyId?: string }> {
    const match = /^alx_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(token);
    if (match === null) return { failure: "malformed" };
    const keyId = match[1]!;
    const tokenHash = hashSecret(token);
    const cached = this.#principalCache.get(tokenHash);
    const now = Date.now();
    if (cached !== undefined && cached.expiresAtMs > now) return { principal: cached.principal };
    const row = await this.#db
      .selectFrom("api_keys")
      .innerJoin("users", "users.id", "api_keys.user_id")
      .select([
        "api_keys.id as keyId",
        "api_keys.secret_hash",
        "api_keys.expires_at",
        "api_keys.revoked_at",
        "users.id as userId",
        "users.tenant_id",
        "users.role",
        "users.name",
        "users.disabled_at",
      ])
      .where("api_keys.id", "=", match[1]!)
      .executeTakeFirst();
    if (row === undefined) return { failure: "unknown-key", keyId };
    const expected = Buffer.from(row.secret_hash, "hex");
    const actual = Buffer.from(hashSecret(match[2]!), "hex");
    // The secret is checked first: without it, a caller learns nothing about the key's state.
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
      return { failure: "bad-secret", keyId };
    if (row.revoked_at !== null) return { failure: "revoked", keyId };
    if (row.disabled_at !== null) return { failure: "disabled-user", keyId };
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now) return { failure: "expired", keyId };
    if (!isRole(row.role)) return { failure: "unknown-key", keyId };
    const principal: Principal = {
      userId: row.userId,
      tenantId: row.tenant_id,
      role: row.role,
      name: row.name,
      keyId: row.keyId,
    };
    if (this.#principalCache.size > 10_000) this.#principalCache.clear();
    // Cached for 30 s at most, and never past the key's own expiry: an expired key is refused to the millisecond.
    const keyExpiry = row.expires_at === null ? Number.POSITIVE_INFINITY : Date.parse(row.expires_at);
    this.#principalCache.set(tokenHash, { principal, expiresAtMs: Math.min(now + 30_000, keyExpiry) });
    return { principal };
  }
}
