/**
 * The API test suite, run on every store driver (PGlite and PostgreSQL): the tenant-isolation matrix, input
 * validation, audit verification through the API, and restart persistence.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { type ComposedApp, composeApp } from "../../src/app/compose.ts";
import { telemetryFeature } from "../../src/app/features/telemetry.ts";
import { disableAuditProtection } from "../../src/store/audit.ts";
import type { StoreLocation } from "../../src/store/database.ts";
import type { Role } from "../../src/tenancy/roles.ts";
import { type RequestContext, systemPrincipal } from "../../src/tenancy/service.ts";

const system: RequestContext = { principal: systemPrincipal("test"), requestId: "test" };
const allRoles: readonly Role[] = [
  "platform-admin",
  "facility-operator",
  "auditor",
  "tenant-admin",
  "tenant-member",
  "student",
];

interface Fixture {
  tokens: Record<Role, string>;
  tenantA: string;
  tenantB: string;
  projectB: string;
  userB: string;
}

/** Creates tenants A and B, a user of every role (tenant roles in A), and B's project and user. */
async function createFixture(app: ComposedApp): Promise<Fixture> {
  const { tenancy } = app;
  await tenancy.createTenant(system, { id: "tenant-a", name: "A", kind: "campus" });
  await tenancy.createTenant(system, { id: "tenant-b", name: "B", kind: "pharma" });
  const tokens = {} as Record<Role, string>;
  for (const role of allRoles) {
    const staff = ["platform-admin", "facility-operator", "auditor"].includes(role);
    const user = await tenancy.createUser(system, {
      tenantId: staff ? null : "tenant-a",
      name: role,
      email: `${role}@a.example`,
      role,
    });
    tokens[role] = (await tenancy.createApiKey(system, { userId: user.id, name: "test" })).token;
  }
  const projectB = await tenancy.createProject(system, { tenantId: "tenant-b", name: "secret-b" });
  await tenancy.createProject(system, { tenantId: "tenant-a", name: "public-a" });
  const userB = await tenancy.createUser(system, {
    tenantId: "tenant-b",
    name: "Bea",
    email: "bea@b.example",
    role: "tenant-member",
  });
  await tenancy.createApiKey(system, { userId: userB.id, name: "b-key" });
  return { tokens, tenantA: "tenant-a", tenantB: "tenant-b", projectB: projectB.id, userB: userB.id };
}

/** One cell family of the matrix: a request, and the roles allowed to make it. */
interface MatrixCase {
  readonly name: string;
  readonly allowed: readonly Role[];
  request(
    fixture: Fixture,
    app: ComposedApp,
    cell: string,
  ): Promise<{ method: string; url: string; payload?: unknown }>;
}

const staffRead: readonly Role[] = ["platform-admin", "facility-operator", "auditor"];

const matrix: readonly MatrixCase[] = [
  {
    name: "read own tenant",
    allowed: allRoles,
    request: async (f) => ({ method: "GET", url: `/v1/tenants/${f.tenantA}` }),
  },
  {
    name: "read other tenant",
    allowed: staffRead,
    request: async (f) => ({ method: "GET", url: `/v1/tenants/${f.tenantB}` }),
  },
  {
    name: "create tenant",
    allowed: ["platform-admin"],
    request: async (_f, _a, cell) => ({
      method: "POST",
      url: "/v1/tenants",
      payload: { id: `t-${cell}`, name: cell, kind: "genai" },
    }),
  },
  {
    name: "read other tenant's project",
    allowed: ["platform-admin", "auditor"],
    request: async (f) => ({ method: "GET", url: `/v1/projects/${f.projectB}` }),
  },
  {
    name: "create project in own tenant",
    allowed: ["platform-admin", "tenant-admin"],
    request: async (f, _a, cell) => ({
      method: "POST",
      url: "/v1/projects",
      payload: { tenantId: f.tenantA, name: `p-${cell}` },
    }),
  },
  {
    name: "create project in other tenant",
    allowed: ["platform-admin"],
    request: async (f, _a, cell) => ({
      method: "POST",
      url: "/v1/projects",
      payload: { tenantId: f.tenantB, name: `p-${cell}` },
    }),
  },
  {
    name: "read other tenant's user",
    allowed: ["platform-admin", "auditor"],
    request: async (f) => ({ method: "GET", url: `/v1/users/${f.userB}` }),
  },
  {
    name: "create user in own tenant",
    allowed: ["platform-admin", "tenant-admin"],
    request: async (f, _a, cell) => ({
      method: "POST",
      url: "/v1/users",
      payload: { tenantId: f.tenantA, name: cell, email: `${cell}@a.example`, role: "tenant-member" },
    }),
  },
  {
    name: "create user in other tenant",
    allowed: ["platform-admin"],
    request: async (f, _a, cell) => ({
      method: "POST",
      url: "/v1/users",
      payload: { tenantId: f.tenantB, name: cell, email: `${cell}@b.example`, role: "tenant-admin" },
    }),
  },
  {
    name: "create key for other tenant's user",
    allowed: ["platform-admin"],
    request: async (f) => ({ method: "POST", url: "/v1/keys", payload: { userId: f.userB, name: "stolen" } }),
  },
  {
    name: "revoke other tenant's key",
    allowed: ["platform-admin"],
    request: async (f, app) => {
      const { key } = await app.tenancy.createApiKey(system, { userId: f.userB, name: "victim" });
      return { method: "DELETE", url: `/v1/keys/${key.id}` };
    },
  },
  {
    name: "read audit log",
    allowed: ["platform-admin", "auditor"],
    request: async () => ({ method: "GET", url: "/v1/audit" }),
  },
  {
    name: "verify audit log",
    allowed: ["platform-admin", "auditor"],
    request: async () => ({ method: "GET", url: "/v1/audit/verify" }),
  },
  { name: "read alarms", allowed: staffRead, request: async () => ({ method: "GET", url: "/v1/alarms" }) },
  { name: "read telemetry", allowed: staffRead, request: async () => ({ method: "GET", url: "/v1/telemetry/status" }) },
  {
    name: "scrape metrics",
    allowed: staffRead,
    request: async () => ({ method: "GET", url: "/metrics?name=rack_power_kw" }),
  },
  {
    name: "push telemetry",
    allowed: ["platform-admin", "facility-operator"],
    request: async () => ({
      method: "POST",
      url: "/v1/telemetry/samples",
      payload: { samples: [{ name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: 98.5 }] },
    }),
  },
  { name: "read site", allowed: allRoles, request: async () => ({ method: "GET", url: "/v1/site" }) },
  {
    name: "change site",
    allowed: ["platform-admin", "facility-operator"],
    request: async (_f, _a, cell) => ({
      method: "POST",
      url: "/v1/site/changes",
      payload: { summary: cell, patch: { site: { name: `Lab ${cell}` } } },
    }),
  },
];

/** Registers the API suite for a store; `location` gives a fresh store each call. */
export function runApiSuite(driver: string, location: () => StoreLocation, teardown?: () => void): void {
  describe(`API on ${driver}`, () => {
    let app: ComposedApp;
    let fixture: Fixture;
    let storeLocation: StoreLocation;

    before(async () => {
      storeLocation = location();
      app = await composeApp({
        site: "lab",
        store: storeLocation,
        seed: false,
        rateLimitPerMinute: 100_000,
        features: [telemetryFeature({ inMemory: true })],
      });
      fixture = await createFixture(app);
    });
    after(async () => {
      await app.close();
      teardown?.();
    });

    const call = (role: Role | undefined, request: { method: string; url: string; payload?: unknown }) =>
      app.server.inject({
        method: request.method as "GET",
        url: request.url,
        ...(request.payload === undefined ? {} : { payload: request.payload as object }),
        headers: role === undefined ? {} : { authorization: `Bearer ${fixture.tokens[role]}` },
      });

    describe("tenant-isolation matrix", () => {
      for (const entry of matrix) {
        for (const role of allRoles) {
          const allowed = entry.allowed.includes(role);
          it(`${role} ${allowed ? "may" : "may not"} ${entry.name}`, async () => {
            const cell = `${entry.name.replace(/\W+/g, "-")}-${role}`;
            const response = await call(role, await entry.request(fixture, app, cell));
            if (allowed)
              assert.ok(response.statusCode < 300, `expected success, got ${response.statusCode} ${response.body}`);
            else {
              assert.ok(
                [403, 404].includes(response.statusCode),
                `expected refusal, got ${response.statusCode} ${response.body}`,
              );
              assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
            }
          });
        }
      }

      for (const role of ["tenant-admin", "tenant-member", "student"] as const) {
        it(`${role} lists never show tenant B`, async () => {
          for (const url of ["/v1/tenants", "/v1/projects", "/v1/users", "/v1/keys"]) {
            const response = await call(role, { method: "GET", url });
            assert.equal(response.statusCode, 200, url);
            const body = response.body;
            assert.ok(
              !body.includes("tenant-b") && !body.includes(fixture.userB) && !body.includes("secret-b"),
              `${url} leaks: ${body}`,
            );
          }
        });
      }

      it("requests without a key, or with a revoked one, are refused with 401", async () => {
        assert.equal((await call(undefined, { method: "GET", url: "/v1/site" })).statusCode, 401);
        const response = await app.server.inject({
          method: "GET",
          url: "/v1/site",
          headers: { authorization: "Bearer alx_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        });
        assert.equal(response.statusCode, 401);
        assert.equal((await app.server.inject({ method: "GET", url: "/health" })).statusCode, 200, "health is public");
        assert.equal(
          (await app.server.inject({ method: "GET", url: "/openapi.json" })).statusCode,
          200,
          "OpenAPI is public",
        );
      });
    });

    describe("input validation", () => {
      it("a bad body gets 400 naming each field", async () => {
        const response = await call("platform-admin", {
          method: "POST",
          url: "/v1/users",
          payload: { tenantId: null, name: "", email: "not-an-email", role: "boss", extra: 1 },
        });
        assert.equal(response.statusCode, 400);
        const problem = response.json();
        assert.equal(problem.type, "https://alixan.dev/problems/invalid");
        const fields = problem.errors.map((error: { field: string }) => error.field).sort();
        assert.deepEqual(fields, ["body.email", "body.extra", "body.name", "body.role"]);
        assert.match(problem.detail, /body\.role: must be one of platform-admin, facility-operator/);
        assert.ok(typeof problem.requestId === "string" && problem.requestId.length > 0);
      });

      it("a bad query gets 400 naming the parameter", async () => {
        const response = await call("platform-admin", { method: "GET", url: "/v1/site/racks?limit=0" });
        assert.equal(response.statusCode, 400);
        assert.match(response.json().detail, /querystring\.limit/);
      });

      it("a service-level error names its field (duplicate tenant → 409)", async () => {
        const response = await call("platform-admin", {
          method: "POST",
          url: "/v1/tenants",
          payload: { id: "tenant-a", name: "A", kind: "campus" },
        });
        assert.equal(response.statusCode, 409);
        assert.deepEqual(response.json().errors, [{ field: "id", message: "tenant tenant-a already exists" }]);
      });

      it("a site change that does not validate is refused with its diagnostics and nothing applies", async () => {
        const before = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        const response = await call("platform-admin", {
          method: "POST",
          url: "/v1/site/changes",
          payload: {
            summary: "undersize",
            patch: {
              cduModels: [{ model: "cdu-800", capacityKW: 10, approachK: 3.5, pumpPowerKW: 7.5, ratedFlowLpm: 1200 }],
            },
          },
        });
        assert.equal(response.statusCode, 400);
        const problem = response.json();
        assert.ok(problem.diagnostics.some((item: { code: string }) => item.code === "capacity.cdus"));
        const afterwards = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        assert.equal(afterwards.version, before.version);
      });

      it("echoes the caller's request id", async () => {
        const response = await app.server.inject({
          method: "GET",
          url: "/health",
          headers: { "x-request-id": "trace-42" },
        });
        assert.equal(response.headers["x-request-id"], "trace-42");
      });
    });

    describe("audit", () => {
      it("records mutations with actor and request id, and verify reports a clean chain", async () => {
        const response = await call("auditor", { method: "GET", url: "/v1/audit?limit=1000" });
        const records = response.json();
        assert.ok(records.some((record: { action: string }) => record.action === "site.change"));
        const verification = (await call("auditor", { method: "GET", url: "/v1/audit/verify" })).json();
        assert.equal(verification.ok, true);
        assert.equal(verification.records, records.length);
      });

      it("verify through the API catches a tampered row", async () => {
        await disableAuditProtection(app.store.db);
        await sql`update audit_log set after = '{"id":"forged"}' where seq = 3`.execute(app.store.db);
        const verification = (await call("auditor", { method: "GET", url: "/v1/audit/verify" })).json();
        assert.equal(verification.ok, false);
        assert.deepEqual(
          verification.problems.map((problem: { seq: number | null; kind: string }) => [problem.seq, problem.kind]),
          [
            [3, "edited"],
            [null, "trigger"],
          ],
        );
      });
    });

    describe("restart", () => {
      it("keeps all data across a close and reopen (on-disk stores)", async (t) => {
        if (storeLocation.kind === "pglite" && storeLocation.dataDir === "memory") {
          t.skip("in-memory store");
          return;
        }
        const tenants = (await call("platform-admin", { method: "GET", url: "/v1/tenants" })).json();
        const site = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        await app.close();
        app = await composeApp({
          site: "lab",
          store: storeLocation,
          seed: false,
          rateLimitPerMinute: 100_000,
          features: [telemetryFeature({ inMemory: true })],
        });
        assert.deepEqual((await call("platform-admin", { method: "GET", url: "/v1/tenants" })).json(), tenants);
        const reopened = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        assert.equal(reopened.version, site.version);
        assert.equal(reopened.name, site.name);
      });
    });
  });
}
