/**
 * Roles and what each may do. A grant has a scope: `all` (any tenant), `tenant` (the principal's own tenant) or
 * `self` (resources the principal owns). Everything not granted is refused; a tenant never sees another tenant.
 */

/** The roles of the platform. */
export const roles = [
  "platform-admin",
  "facility-operator",
  "tenant-admin",
  "tenant-member",
  "auditor",
  "student",
  // A scraper's role (Prometheus): may only read /metrics, see server/auth.ts.
  "metrics-reader",
  // A collector's role (Prometheus remote-write, Telegraf, agents): may only push samples, see server/auth.ts.
  "telemetry-writer",
] as const;
/** One role. */
export type Role = (typeof roles)[number];

/** Roles held by platform staff (no tenant). */
export const staffRoles: readonly Role[] = [
  "platform-admin",
  "facility-operator",
  "auditor",
  "metrics-reader",
  "telemetry-writer",
];
/** Roles held by members of a tenant. */
export const tenantRoles: readonly Role[] = ["tenant-admin", "tenant-member", "student"];

/** How far a grant reaches. */
export type Scope = "all" | "tenant" | "self";

/** The permissions checked by services. */
export const permissions = [
  "site:read",
  "site:change",
  "state:read",
  "tenants:read",
  "tenants:write",
  "projects:read",
  "projects:write",
  "users:read",
  "users:write",
  "keys:read",
  "keys:write",
  "jobs:read",
  "jobs:submit",
  "jobs:cancel",
  "queues:read",
  "queues:write",
  "usage:read",
  "audit:read",
  "security:read",
  "alarms:read",
  "alarms:write",
  "telemetry:read",
  "telemetry:write",
  "metrics:read",
  "drains:read",
  "drains:write",
  "grid:read",
  "grid:write",
] as const;
/** One permission. */
export type Permission = (typeof permissions)[number];

const staffRead = { "platform-admin": "all", "facility-operator": "all", auditor: "all" } as const;

const grants: Readonly<Record<Permission, Partial<Record<Role, Scope>>>> = {
  "site:read": { ...staffRead, "tenant-admin": "all", "tenant-member": "all", student: "all" },
  "site:change": { "platform-admin": "all", "facility-operator": "all" },
  "state:read": staffRead,
  "tenants:read": { ...staffRead, "tenant-admin": "tenant", "tenant-member": "tenant", student: "tenant" },
  "tenants:write": { "platform-admin": "all" },
  "projects:read": {
    "platform-admin": "all",
    auditor: "all",
    "tenant-admin": "tenant",
    "tenant-member": "tenant",
    student: "tenant",
  },
  "projects:write": { "platform-admin": "all", "tenant-admin": "tenant" },
  "users:read": {
    "platform-admin": "all",
    auditor: "all",
    "tenant-admin": "tenant",
    "tenant-member": "self",
    student: "self",
  },
  "users:write": { "platform-admin": "all", "tenant-admin": "tenant" },
  "keys:read": {
    "platform-admin": "all",
    auditor: "all",
    "facility-operator": "self",
    "tenant-admin": "tenant",
    "tenant-member": "self",
    student: "self",
  },
  "keys:write": {
    "platform-admin": "all",
    "facility-operator": "self",
    auditor: "self",
    "tenant-admin": "tenant",
    "tenant-member": "self",
    student: "self",
  },
  "jobs:read": { ...staffRead, "tenant-admin": "tenant", "tenant-member": "tenant", student: "self" },
  "jobs:submit": { "tenant-admin": "tenant", "tenant-member": "tenant", student: "tenant" },
  "jobs:cancel": {
    "platform-admin": "all",
    "facility-operator": "all",
    "tenant-admin": "tenant",
    "tenant-member": "self",
    student: "self",
  },
  "queues:read": { ...staffRead, "tenant-admin": "tenant", "tenant-member": "tenant", student: "tenant" },
  "queues:write": { "platform-admin": "all" },
  "usage:read": { ...staffRead, "tenant-admin": "tenant", "tenant-member": "tenant", student: "self" },
  "audit:read": { "platform-admin": "all", auditor: "all" },
  // Failed logins and denials name addresses and users: platform admins only.
  "security:read": { "platform-admin": "all" },
  "alarms:read": staffRead,
  "alarms:write": { "platform-admin": "all", "facility-operator": "all" },
  "telemetry:read": staffRead,
  "telemetry:write": { "platform-admin": "all", "facility-operator": "all", "telemetry-writer": "all" },
  "metrics:read": { ...staffRead, "metrics-reader": "all" },
  // Maintenance drains take racks out of service for every tenant: facility staff decide them.
  "drains:read": staffRead,
  "drains:write": { "platform-admin": "all", "facility-operator": "all" },
  // Grid curtailments slow or pause every tenant's flexible work: facility staff answer the grid.
  "grid:read": staffRead,
  "grid:write": { "platform-admin": "all", "facility-operator": "all" },
};

/**
 * Roles limited to a few routes whatever their grants, as `METHOD pattern` (HEAD follows GET): a scrape key that
 * leaks reads metrics and nothing else, even on routes that only require authentication.
 */
export const routeLimitedRoles: Readonly<Partial<Record<Role, readonly string[]>>> = {
  "metrics-reader": ["GET /metrics"],
  // Write-only: a collector's key that leaks lets samples in, and reads nothing back.
  "telemetry-writer": [
    "POST /v1/telemetry/samples",
    "POST /v1/telemetry/influx",
    "POST /v1/telemetry/prometheus",
    "POST /api/v1/write",
    "POST /write",
    "POST /api/v2/write",
    "POST /v1/telemetry/redfish/events/:target",
  ],
};

/** Whether `role` may call the route `pattern` with `method` at all (before any permission check). */
export function roleMayCall(role: Role, method: string, pattern: string | undefined): boolean {
  const allowed = routeLimitedRoles[role];
  if (allowed === undefined) return true;
  const verb = method === "HEAD" ? "GET" : method;
  return pattern !== undefined && allowed.includes(`${verb} ${pattern}`);
}

/** The scope of `permission` for `role`, or undefined when not granted. */
export function scopeOf(role: Role, permission: Permission): Scope | undefined {
  return grants[permission][role];
}

/** Whether `value` is a role. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (roles as readonly string[]).includes(value);
}
