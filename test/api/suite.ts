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

      it("tenancy lists are paged: a page at most `limit` long, X-Next-Cursor walks every row once", async () => {
        for (let i = 0; i < 5; i++) {
          await app.tenancy.createProject(system, { tenantId: "tenant-b", name: `paged-${i}` });
          await app.tenancy.createTenant(system, { id: `paged-${i}`, name: `Paged ${i}`, kind: "research" });
        }
        for (const url of ["/v1/tenants", "/v1/projects", "/v1/users", "/v1/keys"]) {
          const everything = await call("platform-admin", { method: "GET", url: `${url}?limit=1000` });
          const all = (everything.json() as { id: string }[]).map((row) => row.id);
          assert.equal(everything.headers["x-next-cursor"], undefined, url);
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const query = `limit=2${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
            const page = await call("platform-admin", { method: "GET", url: `${url}?${query}` });
            assert.equal(page.statusCode, 200, url);
            const rows = page.json() as { id: string }[];
            assert.ok(rows.length <= 2, `${url} sent ${rows.length} rows for limit=2`);
            seen.push(...rows.map((row) => row.id));
            cursor = page.headers["x-next-cursor"] as string | undefined;
          } while (cursor !== undefined);
          assert.deepEqual(seen, all, url);
          assert.ok(all.length >= 3, `${url} has too few rows to page`);
        }
        const tooMany = await call("platform-admin", { method: "GET", url: "/v1/users?limit=100000" });
        assert.equal(tooMany.statusCode, 400);
        assert.match(tooMany.body, /querystring\.limit/);
      });

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
        assert.match(
          problem.detail,
          /body\.role: must be one of: platform-admin, facility-operator, [^;]*; got "boss"/,
        );
        assert.ok(typeof problem.requestId === "string" && problem.requestId.length > 0);
      });

      it("admin-only body fields are bounded: a tenant's data classes, once each; ids of sensible length", async () => {
        for (const dataClasses of [
          ["health", "health"],
          ["public", "confidential", "health", "public"],
        ]) {
          const refused = await call("platform-admin", {
            method: "POST",
            url: "/v1/tenants",
            payload: { id: "bounded", name: "B", kind: "research", dataClasses },
          });
          assert.equal(refused.statusCode, 400, refused.body);
          assert.deepEqual(
            new Set(refused.json().errors.map((error: { field: string }) => error.field)),
            new Set(["body.dataClasses"]),
          );
        }
        const longId = await call("platform-admin", {
          method: "POST",
          url: "/v1/projects",
          payload: { tenantId: "t".repeat(101), name: "p" },
        });
        assert.equal(longId.statusCode, 400, longId.body);
        assert.equal(longId.json().errors[0].field, "body.tenantId");
        const offset = await call("platform-admin", { method: "GET", url: "/v1/site/racks?offset=2147483648" });
        assert.equal(offset.statusCode, 400, offset.body);
        assert.match(offset.json().detail, /querystring\.offset/);
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
        assert.deepEqual(response.json().errors, [{ field: "body.id", message: "tenant tenant-a already exists" }]);
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
        // The first error is named where the request carries the document (the patch), as formatPath writes paths.
        const first = problem.diagnostics.find((item: { severity: string }) => item.severity === "error");
        assert.deepEqual(problem.errors, [{ field: `body.patch.${first.path}`, message: problem.detail }]);
        const renamed = await call("platform-admin", {
          method: "POST",
          url: "/v1/site/changes",
          payload: { summary: "rename", patch: { site: { id: "elsewhere" } } },
        });
        assert.equal(renamed.statusCode, 400, renamed.body);
        assert.equal(renamed.json().errors[0].field, "body.patch.site.id");
        const afterwards = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        assert.equal(afterwards.version, before.version);
      });

      it("a site change asking for millions of units is refused naming the count, at once, and nothing applies", async () => {
        // Ten million CDUs in a row pattern: the expansion built every id and the server ran out of memory.
        const before = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        const started = performance.now();
        const response = await call("facility-operator", {
          method: "POST",
          url: "/v1/site/changes",
          payload: { summary: "huge", patch: { rowPatterns: { "gpu-row": { cdus: { count: 10_000_000 } } } } },
        });
        assert.equal(response.statusCode, 400, response.body);
        assert.ok(performance.now() - started < 10_000, "answered at once");
        assert.ok(
          response.json().diagnostics.some((item: { path: string }) => item.path.endsWith("cdus.count")),
          response.body,
        );
        const afterwards = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        assert.equal(afterwards.version, before.version);
      });

      it("a site change that leaves the site as it is answers 200 and makes no version and no audit record", async () => {
        const before = (await call("platform-admin", { method: "GET", url: "/v1/site" })).json();
        const records = async () =>
          (await call("auditor", { method: "GET", url: "/v1/audit?resource=site:" + before.id + "&limit=1000" })).json()
            .length as number;
        const recordsBefore = await records();
        const same = await call("platform-admin", {
          method: "POST",
          url: "/v1/site/changes",
          payload: { summary: "nothing", patch: { site: { name: before.name } } },
        });
        assert.equal(same.statusCode, 200, same.body);
        assert.equal(same.json().version, before.version);
        assert.equal((await call("platform-admin", { method: "GET", url: "/v1/site" })).json().version, before.version);
        assert.equal(await records(), recordsBefore);
      });

      it("makes every request id itself and keeps a caller's id beside it in the audit record", async () => {
        const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
        const health = await app.server.inject({
          method: "GET",
          url: "/health",
          headers: { "x-request-id": "trace-42" },
        });
        assert.match(String(health.headers["x-request-id"]), uuid, "the server's id, not the caller's");
        const created = await app.server.inject({
          method: "POST",
          url: "/v1/tenants",
          payload: { id: "traced", name: "Traced", kind: "research" },
          headers: { authorization: `Bearer ${fixture.tokens["platform-admin"]}`, "x-request-id": "trace-42" },
        });
        assert.equal(created.statusCode, 201, created.body);
        const serverId = String(created.headers["x-request-id"]);
        assert.match(serverId, uuid);
        const spoofed = await app.server.inject({
          method: "POST",
          url: "/v1/tenants",
          payload: { id: "spoofed", name: "Spoofed", kind: "research" },
          // A caller trying to reuse the id of another request, and an id with non-ASCII text: neither is kept.
          headers: { authorization: `Bearer ${fixture.tokens["platform-admin"]}`, "x-request-id": serverId },
        });
        assert.notEqual(spoofed.headers["x-request-id"], serverId);
        const unprintable = await app.server.inject({
          method: "POST",
          url: "/v1/tenants",
          payload: { id: "unprintable", name: "U", kind: "research" },
          headers: { authorization: `Bearer ${fixture.tokens["platform-admin"]}`, "x-request-id": "t".repeat(129) },
        });
        assert.equal(unprintable.statusCode, 201);
        const records = (await call("auditor", { method: "GET", url: "/v1/audit?limit=1000" })).json() as {
          resource: string;
          requestId: string;
          clientRequestId: string | null;
        }[];
        const traced = records.find((record) => record.resource === "tenant:traced")!;
        assert.equal(traced.requestId, serverId);
        assert.equal(traced.clientRequestId, "trace-42");
        const spoofedRecord = records.find((record) => record.resource === "tenant:spoofed")!;
        assert.notEqual(spoofedRecord.requestId, serverId, "a caller cannot choose the server's id");
        assert.equal(spoofedRecord.clientRequestId, serverId);
        assert.equal(records.find((record) => record.resource === "tenant:unprintable")!.clientRequestId, null);
      });
    });

    describe("site changes made on a version read (ETag, If-Match)", () => {
      const admin = (request: { method: string; url: string; payload?: unknown }, ifMatch?: string) =>
        app.server.inject({
          method: request.method as "GET",
          url: request.url,
          ...(request.payload === undefined ? {} : { payload: request.payload as object }),
          headers: {
            authorization: `Bearer ${fixture.tokens["platform-admin"]}`,
            ...(ifMatch === undefined ? {} : { "if-match": ifMatch }),
          },
        });
      /** The document in force and its ETag, as an operator's editor reads them. */
      const readDocument = async () => {
        const response = await admin({ method: "GET", url: "/v1/site/document" });
        assert.equal(response.statusCode, 200, response.body);
        return { etag: String(response.headers.etag), document: response.json() as { site: { name: string } } };
      };
      const renamed = (document: { site: { name: string } }, name: string) => ({
        ...document,
        site: { ...document.site, name },
      });
      const versionInForce = async () => (await admin({ method: "GET", url: "/v1/site" })).json().version as number;

      it("GET /v1/site/document and GET /v1/site tag the version in force, after each change too", async () => {
        for (const name of ["Tagged one", "Tagged two"]) {
          const summary = await admin({ method: "GET", url: "/v1/site" });
          assert.equal(summary.headers.etag, `"v${summary.json().version}"`);
          const { etag, document } = await readDocument();
          assert.equal(etag, `"v${summary.json().version}"`);
          const changed = await admin(
            { method: "POST", url: "/v1/site/changes", payload: { summary: name, site: renamed(document, name) } },
            etag,
          );
          assert.equal(changed.statusCode, 201, changed.body);
          assert.equal((await readDocument()).etag, `"v${changed.json().version}"`);
          assert.equal((await admin({ method: "GET", url: "/v1/site" })).headers.etag, `"v${changed.json().version}"`);
        }
      });

      it("of two whole documents edited from one read, the second is refused (412) and the first stays", async () => {
        const { etag, document } = await readDocument();
        const version = await versionInForce();
        const first = await admin(
          { method: "POST", url: "/v1/site/changes", payload: { summary: "first", site: renamed(document, "First") } },
          etag,
        );
        assert.equal(first.statusCode, 201, first.body);
        assert.equal(first.json().version, version + 1);
        const second = await admin(
          {
            method: "POST",
            url: "/v1/site/changes",
            payload: { summary: "second", site: renamed(document, "Second") },
          },
          etag,
        );
        assert.equal(second.statusCode, 412, second.body);
        assert.match(String(second.headers["content-type"]), /^application\/problem\+json/);
        const problem = second.json();
        assert.equal(problem.type, "https://alixan.dev/problems/preconditionFailed");
        assert.equal(problem.title, "Precondition failed");
        assert.equal(problem.status, 412);
        assert.match(
          problem.detail,
          new RegExp(`since version ${version} was read .*version ${version + 1} is in force`),
        );
        assert.deepEqual(
          problem.errors.map((error: { field: string }) => error.field),
          ["headers.if-match"],
        );
        assert.equal(await versionInForce(), version + 1);
        assert.equal((await readDocument()).document.site.name, "First");
      });

      it("of two whole documents sent at once on one version, exactly one applies; the other is refused", async () => {
        const { etag, document } = await readDocument();
        const version = await versionInForce();
        const answers = await Promise.all(
          ["Racer A", "Racer B"].map((name) =>
            admin(
              { method: "POST", url: "/v1/site/changes", payload: { summary: name, site: renamed(document, name) } },
              etag,
            ),
          ),
        );
        assert.deepEqual(
          answers.map((answer) => answer.statusCode).sort(),
          [201, 412],
          answers.map((a) => a.body).join("\n"),
        );
        const applied = answers.findIndex((answer) => answer.statusCode === 201);
        const refused = answers[1 - applied]!.json();
        assert.match(
          refused.detail,
          new RegExp(`since version ${version} was read .*version ${version + 1} is in force`),
        );
        assert.equal(await versionInForce(), version + 1);
        assert.equal((await readDocument()).document.site.name, ["Racer A", "Racer B"][applied]);
      });

      it("two changes started at once on one version: checked in the section, the second is refused", async () => {
        // Both calls start before either applies (no await between): a check made before the changes' exclusive
        // section would pass both, and the second would overwrite the first. On PGlite the HTTP requests above
        // cannot show it, since the second's key lookup waits for the first's transaction.
        const version = app.inventory.current.version;
        const document = app.inventory.current.file;
        const results = await Promise.allSettled(
          ["Section A", "Section B"].map((name) =>
            app.inventory.applyChange(
              system,
              { summary: name, site: { ...document, site: { ...document.site, name } } },
              { ifVersion: version },
            ),
          ),
        );
        assert.equal(results[0]!.status, "fulfilled");
        assert.equal(results[1]!.status, "rejected");
        const refusal = (results[1] as PromiseRejectedResult).reason as { status: number; field: string };
        assert.equal(refusal.status, 412);
        assert.equal(refusal.field, "headers.if-match");
        assert.equal(app.inventory.current.version, version + 1);
        assert.equal(app.inventory.current.file.site.name, "Section A");
      });

      it("If-Match * applies on any version; without If-Match the last document sent applies, as before", async () => {
        const { document } = await readDocument();
        const version = await versionInForce();
        const any = await admin(
          { method: "POST", url: "/v1/site/changes", payload: { summary: "any", site: renamed(document, "Any") } },
          "*",
        );
        assert.equal(any.statusCode, 201, any.body);
        const untagged = await admin({
          method: "POST",
          url: "/v1/site/changes",
          payload: { summary: "untagged", site: renamed(document, "Untagged") },
        });
        assert.equal(untagged.statusCode, 201, untagged.body);
        assert.equal(await versionInForce(), version + 2);
        assert.equal((await readDocument()).document.site.name, "Untagged");
        // A tag naming the version in force applies a patch as well; a change leaving the site as it is stays a 200.
        const { etag } = await readDocument();
        const patched = await admin(
          {
            method: "POST",
            url: "/v1/site/changes",
            payload: { summary: "patch", patch: { site: { name: "Patched" } } },
          },
          etag,
        );
        assert.equal(patched.statusCode, 201, patched.body);
        const same = await admin(
          {
            method: "POST",
            url: "/v1/site/changes",
            payload: { summary: "same", patch: { site: { name: "Patched" } } },
          },
          (await readDocument()).etag,
        );
        assert.equal(same.statusCode, 200, same.body);
      });

      it("a malformed If-Match (not one quoted version nor *) is a 400 naming headers.if-match; nothing applies", async () => {
        const { etag, document } = await readDocument();
        const version = await versionInForce();
        const unquoted = etag.slice(1, -1);
        for (const ifMatch of [
          unquoted,
          `W/${etag}`,
          `${etag}, "v${version + 1}"`,
          '"abc"',
          '"v007"',
          "**",
          '"v1e3"',
        ]) {
          const response = await admin(
            {
              method: "POST",
              url: "/v1/site/changes",
              payload: { summary: "bad tag", site: renamed(document, "Bad") },
            },
            ifMatch,
          );
          assert.equal(response.statusCode, 400, `${ifMatch}: ${response.body}`);
          assert.deepEqual(
            response.json().errors.map((error: { field: string }) => error.field),
            ["headers.if-match"],
            ifMatch,
          );
        }
        assert.equal(await versionInForce(), version);
      });
    });

    describe("administration never locks itself out", () => {
      const asAdmin = (method: string, url: string, payload?: unknown) =>
        call("platform-admin", { method, url, ...(payload === undefined ? {} : { payload }) });

      it("refuses, with 409 naming params.id, to disable or revoke the last key of the last active platform admin", async () => {
        const me = (await asAdmin("GET", "/v1/me")).json();
        const disabled = await asAdmin("POST", `/v1/users/${me.userId}/disable`);
        assert.equal(disabled.statusCode, 409, disabled.body);
        assert.deepEqual(
          disabled.json().errors.map((error: { field: string }) => error.field),
          ["params.id"],
        );
        assert.match(disabled.json().detail, /last active platform admin/);
        const revoked = await asAdmin("DELETE", `/v1/keys/${me.keyId}`);
        assert.equal(revoked.statusCode, 409, revoked.body);
        assert.equal(revoked.json().errors[0].field, "params.id");
        assert.match(revoked.json().detail, /last working key of the last active platform admin/);
        assert.equal((await asAdmin("GET", "/v1/me")).statusCode, 200, "the admin's key still works");
        assert.equal((await app.tenancy.getUser(system, me.userId)).disabled_at, null);
      });

      it("lets an admin revoke a spare key and disable another admin while one active admin remains", async () => {
        const me = (await asAdmin("GET", "/v1/me")).json();
        const spare = await asAdmin("POST", "/v1/keys", { name: "spare" });
        assert.equal(spare.statusCode, 201, spare.body);
        assert.equal((await asAdmin("DELETE", `/v1/keys/${spare.json().key.id}`)).statusCode, 200);
        const other = await app.tenancy.createUser(system, {
          tenantId: null,
          name: "Second admin",
          email: "second-admin@a.example",
          role: "platform-admin",
        });
        await app.tenancy.createApiKey(system, { userId: other.id, name: "second" });
        const disabled = await asAdmin("POST", `/v1/users/${other.id}/disable`);
        assert.equal(disabled.statusCode, 200, disabled.body);
        assert.notEqual(disabled.json().disabledAt, null);
        assert.equal((await asAdmin("GET", "/v1/me")).json().userId, me.userId);
      });

      it("refuses a key that would be born expired, or expire more than 366 days ahead, naming body.expiresAt", async () => {
        for (const expiresAt of [
          new Date(Date.now() - 60_000).toISOString(),
          new Date(Date.now() + 367 * 86_400_000).toISOString(),
        ]) {
          const refused = await asAdmin("POST", "/v1/keys", { name: "odd expiry", expiresAt });
          assert.equal(refused.statusCode, 400, refused.body);
          assert.deepEqual(
            refused.json().errors.map((error: { field: string }) => error.field),
            ["body.expiresAt"],
          );
        }
        const yearAhead = await asAdmin("POST", "/v1/keys", {
          name: "a year",
          expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        });
        assert.equal(yearAhead.statusCode, 201, yearAhead.body);
        assert.equal((await asAdmin("DELETE", `/v1/keys/${yearAhead.json().key.id}`)).statusCode, 200);
      });
    });

    describe("input hygiene", () => {
      it("NUL and unpaired surrogates in bodies, paths and queries are 400s naming the field (the store never sees them)", async () => {
        const cases = [
          {
            method: "POST",
            url: "/v1/tenants",
            payload: '{"id":"nul-tenant","name":"a\\u0000b","kind":"campus"}',
            field: "body.name",
          },
          {
            method: "POST",
            url: "/v1/projects",
            payload: `{"tenantId":"${fixture.tenantA}","name":"half \\ud83d"}`,
            field: "body.name",
          },
          { method: "GET", url: "/v1/tenants/a%00b", field: "params.id" },
          { method: "GET", url: "/v1/audit?actor=a%00b", field: "querystring.actor" },
        ];
        for (const entry of cases) {
          const response = await app.server.inject({
            method: entry.method as "GET",
            url: entry.url,
            headers: {
              authorization: `Bearer ${fixture.tokens["platform-admin"]}`,
              ...(entry.payload === undefined ? {} : { "content-type": "application/json" }),
            },
            ...(entry.payload === undefined ? {} : { payload: entry.payload }),
          });
          assert.equal(response.statusCode, 400, `${entry.url}: ${response.body}`);
          assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
          assert.deepEqual(
            response.json().errors.map((error: { field: string }) => error.field),
            [entry.field],
          );
        }
        const missing = await call("platform-admin", { method: "GET", url: "/v1/tenants/nul-tenant" });
        assert.equal(missing.statusCode, 404);
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

    describe("every mutation is audited", () => {
      it("alarm acknowledge, shelve and unshelve write records with actor, alarm, reason and state", async () => {
        const pushed = await call("facility-operator", {
          method: "POST",
          url: "/v1/telemetry/samples",
          payload: {
            samples: [
              { name: "leak_detector_state", labels: { equipment: "cdu:h2-r01-02", detector: "Moisture" }, value: 2 },
            ],
          },
        });
        assert.equal(pushed.statusCode, 200, pushed.body);
        const alarms = (await call("facility-operator", { method: "GET", url: "/v1/alarms" })).json() as {
          id: string;
        }[];
        const id = alarms[0]!.id;
        const operator = (await app.tenancy.listUsers(system, { limit: 1000 })).items.find(
          (user) => user.role === "facility-operator",
        )!.id;
        const actions = [
          { path: "acknowledge", payload: { comment: "rows drained" } },
          { path: "shelve", payload: { minutes: 30, comment: "sensor being replaced" } },
          { path: "unshelve", payload: { comment: "sensor replaced" } },
        ];
        for (const action of actions) {
          const response = await call("facility-operator", {
            method: "POST",
            url: `/v1/alarms/${id}/${action.path}`,
            payload: action.payload,
          });
          assert.equal(response.statusCode, 200, response.body);
        }
        // A refused action (already acknowledged) changes nothing and writes nothing.
        const again = await call("facility-operator", {
          method: "POST",
          url: `/v1/alarms/${id}/acknowledge`,
          payload: {},
        });
        assert.equal(again.statusCode, 409);
        const records = (
          (await call("auditor", { method: "GET", url: `/v1/audit?limit=1000&resource=alarm:${id}` })).json() as {
            actor: string;
            action: string;
            before: { acknowledged: unknown; shelved: unknown };
            after: { reason: string | null; shelved: unknown; until?: string };
          }[]
        ).filter((record) => record.action.startsWith("alarm."));
        assert.deepEqual(
          records.map((record) => [record.action, record.actor, record.after.reason]),
          [
            ["alarm.acknowledge", operator, "rows drained"],
            ["alarm.shelve", operator, "sensor being replaced"],
            ["alarm.unshelve", operator, "sensor replaced"],
          ],
        );
        assert.equal(records[0]!.before.acknowledged, null);
        assert.ok(records[1]!.after.shelved !== null && typeof records[1]!.after.until === "string");
        assert.equal(records[2]!.after.shelved, null);
        const verification = (await call("auditor", { method: "GET", url: "/v1/audit/verify" })).json();
        assert.ok(verification.records >= records.length);
      });
    });

    describe("security log", () => {
      const bogus = "Bearer alx_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
      const events = async (query: string) =>
        (await call("platform-admin", { method: "GET", url: `/v1/security/events?${query}` })).json() as {
          events: {
            id: number;
            kind: string;
            address: string;
            actor: string | null;
            route: string | null;
            detail: Record<string, unknown>;
            count: number;
          }[];
          next: number | null;
        };

      it("logs a failed authentication with its address and reason, never the token", async () => {
        const response = await app.server.inject({
          method: "GET",
          url: "/v1/site",
          remoteAddress: "198.51.100.1",
          headers: { authorization: bogus },
        });
        assert.equal(response.statusCode, 401);
        const revoked = await app.tenancy.createApiKey(system, {
          userId: (await app.tenancy.listUsers(system, { limit: 1000 })).items.find((user) => user.role === "student")!
            .id,
          name: "to revoke",
        });
        await app.tenancy.revokeApiKey(system, revoked.key.id);
        await app.server.inject({
          method: "GET",
          url: "/v1/site",
          remoteAddress: "198.51.100.1",
          headers: { authorization: `Bearer ${revoked.token}` },
        });
        await app.server.securityLog.flush();
        const logged = (await events("address=198.51.100.1")).events;
        assert.deepEqual(logged.map((event) => [event.kind, event.detail["reason"], event.route]).reverse(), [
          ["auth.failed", "unknown-key", "/v1/site"],
          ["auth.failed", "revoked", "/v1/site"],
        ]);
        assert.equal(logged[0]!.detail["keyId"], revoked.key.id);
        const secret = revoked.token.slice("alx_".length + 13);
        assert.ok(!JSON.stringify(logged).includes(secret) && !JSON.stringify(logged).includes("AAAAAAAA"));
      });

      it("logs an authorisation denial with the actor, the route and the permission lacking", async () => {
        // From addresses of their own: the matrix above used up 127.0.0.1's budget of events for this minute.
        const response = await app.server.inject({
          method: "GET",
          url: "/v1/audit",
          remoteAddress: "192.0.2.50",
          headers: { authorization: `Bearer ${fixture.tokens.student}` },
        });
        assert.equal(response.statusCode, 403);
        const outOfScope = await app.server.inject({
          method: "GET",
          url: `/v1/projects/${fixture.projectB}`,
          remoteAddress: "192.0.2.51",
          headers: { authorization: `Bearer ${fixture.tokens["tenant-member"]}` },
        });
        assert.equal(outOfScope.statusCode, 404);
        await app.server.securityLog.flush();
        const denied = (await events("kind=access.denied&limit=50")).events;
        const student = (await app.tenancy.listUsers(system, { limit: 1000 })).items.find(
          (user) => user.role === "student",
        )!;
        const member = (await app.tenancy.listUsers(system, { limit: 1000 })).items.find(
          (user) => user.email === "tenant-member@a.example",
        )!;
        assert.ok(
          denied.some(
            (event) =>
              event.actor === student.id &&
              event.route === "/v1/audit" &&
              event.detail["permission"] === "audit:read" &&
              event.detail["role"] === "student" &&
              event.detail["reason"] === "role",
          ),
          JSON.stringify(denied),
        );
        assert.ok(
          denied.some(
            (event) =>
              event.actor === member.id && event.route === "/v1/projects/:id" && event.detail["reason"] === "scope",
          ),
        );
      });

      it("throttles an address after 20 failures a minute (429 + Retry-After, even with a good key) and writes a bounded log", async () => {
        const address = "203.0.113.9";
        // The throttle counts per calendar minute: 60 attempts that straddled a minute's end would start counting
        // again (401s after the 429s). On a slow machine they can take seconds, so start with 20 s of the minute left.
        const leftMs = 60_000 - (Date.now() % 60_000);
        if (leftMs < 20_000) await new Promise((resolve) => setTimeout(resolve, leftMs + 10));
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 60; attempt++) {
          const response = await app.server.inject({
            method: "GET",
            url: "/v1/site",
            remoteAddress: address,
            headers: { authorization: bogus },
          });
          statuses.push(response.statusCode);
          if (response.statusCode === 429) {
            assert.ok(Number(response.headers["retry-after"]) >= 1 && Number(response.headers["retry-after"]) <= 60);
            assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
          }
        }
        assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
        assert.deepEqual(statuses.slice(20), Array(40).fill(429));
        const good = await app.server.inject({
          method: "GET",
          url: "/v1/site",
          remoteAddress: address,
          headers: { authorization: `Bearer ${fixture.tokens["platform-admin"]}` },
        });
        assert.equal(good.statusCode, 429, "refused before any key is checked");
        const elsewhere = await app.server.inject({
          method: "GET",
          url: "/v1/site",
          remoteAddress: "203.0.113.10",
          headers: { authorization: `Bearer ${fixture.tokens["platform-admin"]}` },
        });
        assert.equal(elsewhere.statusCode, 200, "other addresses are not affected");
        await app.server.securityLog.flush();
        const logged = (await events(`address=${address}&limit=1000`)).events;
        assert.ok(logged.length <= 10, `at most 10 events written per address and minute, got ${logged.length}`);
      });

      it("is read by platform admins only, paged newest first", async () => {
        for (const role of ["auditor", "facility-operator", "tenant-admin", "student"] as const) {
          const response = await call(role, { method: "GET", url: "/v1/security/events" });
          assert.equal(response.statusCode, 403, role);
        }
        const first = await events("limit=2");
        assert.equal(first.events.length, 2);
        assert.ok(first.events[0]!.id > first.events[1]!.id);
        assert.equal(first.next, first.events[1]!.id);
        const second = await events(`limit=2&before=${first.next}`);
        assert.ok(second.events.every((event) => event.id < first.next!));
        const tooMany = await call("platform-admin", { method: "GET", url: "/v1/security/events?limit=5000" });
        assert.equal(tooMany.statusCode, 400);
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
