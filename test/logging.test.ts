/**
 * Structured logs and readiness: LOG_LEVEL is validated, every request gets one JSON access line with its request
 * id, method, route pattern, status and duration (tokens never logged), platform messages go through the same
 * logger, and /ready answers 200 only when the store and telemetry answer, else 503 naming the failing part.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp, type Feature } from "../src/app/compose.ts";
import { telemetryFeature } from "../src/app/features/telemetry.ts";
import { parseLogLevel } from "../src/server/logging.ts";

// biome-ignore lint/suspicious/noExplicitAny: log lines and answers are read field by field from JSON.
type Json = Record<string, any>;

const root = join(import.meta.dirname, "..");
const lines: Json[] = [];
const stream = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Json);
    done();
  },
});

let app: ComposedApp;
let admin: string;
const telemetry = telemetryFeature({ inMemory: true });
let brokenPart: string | undefined;
/** A feature whose readiness the tests switch, standing for any part that can go down. */
const switchable: Feature = {
  name: "switchable",
  async start() {
    return {
      readiness: [{ name: "queue", check: () => brokenPart }],
      routes: (server) => {
        server.get("/v1/boom", async () => {
          throw new Error("disk on fire");
        });
      },
    };
  },
};

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: [telemetry, switchable],
    logger: { level: "info", stream },
  });
  admin = app.demoKeys!.find((key) => key.role === "platform-admin")!.token;
});
after(async () => {
  await app.close();
});

describe("LOG_LEVEL", () => {
  it("defaults to info, accepts pino's levels in any case, and names the variable on a bad value", () => {
    assert.equal(parseLogLevel(undefined), "info");
    assert.equal(parseLogLevel(""), "info");
    assert.equal(parseLogLevel("DEBUG"), "debug");
    assert.equal(parseLogLevel("silent"), "silent");
    const bad = parseLogLevel("loud");
    assert.ok(typeof bad !== "string");
    assert.match(
      bad.problem,
      /^LOG_LEVEL: must be one of: fatal, error, warn, info, debug, trace, silent; got "loud"$/,
    );
  });

  it("`alixan serve` refuses a bad LOG_LEVEL with a usage error before opening anything", () => {
    const result = spawnSync(process.execPath, [join(root, "bin", "alixan.js"), "serve", "--data-dir", "memory"], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "verbose" },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /LOG_LEVEL: must be one of: .*got "verbose"/);
  });
});

describe("access log", () => {
  it("writes one JSON line per request with request id, method, route pattern, status and duration", async () => {
    lines.length = 0;
    const tenants = await app.server.inject({
      url: "/v1/tenants/valdiag",
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(tenants.statusCode, 200, tenants.body);
    const missing = await app.server.inject({ url: "/v1/nowhere/42", headers: { authorization: `Bearer ${admin}` } });
    assert.equal(missing.statusCode, 404);
    const refused = await app.server.inject({
      url: `/v1/site?access_token=alx_0123456789ab_SECRETSECRETSECRETSECRETSECRETSECR`,
    });
    assert.equal(refused.statusCode, 400);
    const access = lines.filter((line) => line.msg === "request completed");
    assert.equal(access.length, 3, JSON.stringify(lines));
    const [first, second, third] = access as [Json, Json, Json];
    assert.equal(first.reqId, tenants.headers["x-request-id"]);
    assert.equal(first.level, 30);
    assert.equal(first.method, "GET");
    assert.equal(first.route, "/v1/tenants/:id");
    assert.equal(first.url, "/v1/tenants/valdiag");
    assert.equal(first.statusCode, 200);
    assert.ok(typeof first.durationMs === "number" && first.durationMs >= 0, JSON.stringify(first));
    assert.ok(typeof first.time === "number" && typeof first.keyId === "string");
    assert.equal(second.reqId, missing.headers["x-request-id"]);
    assert.equal(second.route, "unmatched");
    assert.equal(second.statusCode, 404);
    assert.equal(third.statusCode, 400);
    assert.ok(!JSON.stringify(lines).includes("SECRET"), "tokens never reach the log");
    // Fastify's own two lines per request are replaced by the access line.
    assert.equal(lines.filter((line) => line.msg === "incoming request").length, 0);
  });

  it("logs an unexpected error with the request id its 500 problem answer names", async () => {
    lines.length = 0;
    const response = await app.server.inject({ url: "/v1/boom", headers: { authorization: `Bearer ${admin}` } });
    assert.equal(response.statusCode, 500);
    const requestId = (response.json() as Json).requestId as string;
    assert.equal(requestId, response.headers["x-request-id"]);
    const error = lines.find((line) => line.msg === "unhandled error");
    assert.ok(error !== undefined, JSON.stringify(lines));
    assert.equal(error.reqId, requestId);
    assert.equal(error.level, 50);
    assert.match(error.err.message, /disk on fire/);
    assert.ok(!response.body.includes("disk on fire"), "the answer does not leak the error");
    const access = lines.find((line) => line.msg === "request completed");
    assert.deepEqual([access?.reqId, access?.statusCode, access?.route], [requestId, 500, "/v1/boom"]);
  });

  it("sends platform messages through the same JSON logger with their component", () => {
    lines.length = 0;
    app.log.write("warn", "telemetry", "webhook https://example.test: 503");
    assert.deepEqual(
      lines.map(({ level, component, msg }) => ({ level, component, msg })),
      [{ level: 40, component: "telemetry", msg: "webhook https://example.test: 503" }],
    );
  });
});

describe("/ready", () => {
  it("is public and answers 200 with the store and telemetry checked", async () => {
    const response = await app.server.inject({ url: "/ready" });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { status: "ready", checks: { store: "ok", telemetry: "ok", queue: "ok" } });
  });

  it("answers 503 problem+json naming the failing part", async () => {
    brokenPart = "3 jobs stuck";
    try {
      const response = await app.server.inject({ url: "/ready" });
      assert.equal(response.statusCode, 503);
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      const body = response.json() as Json;
      assert.equal(body.detail, "not ready: queue: 3 jobs stuck");
      assert.deepEqual(body.checks, { store: "ok", telemetry: "ok", queue: "3 jobs stuck" });
      assert.equal(body.requestId, response.headers["x-request-id"]);
    } finally {
      brokenPart = undefined;
    }
  });

  it("answers 503 naming telemetry once the telemetry service is closed", async () => {
    await telemetry.service().close();
    const response = await app.server.inject({ url: "/ready" });
    assert.equal(response.statusCode, 503);
    const body = response.json() as Json;
    assert.equal(body.checks.telemetry, "closed");
    assert.equal(body.checks.store, "ok");
    assert.match(body.detail, /telemetry: closed/);
  });

  it("answers 503 naming the store when the store cannot answer", async () => {
    const ready = await import("../src/server/app.ts");
    const { openStore } = await import("../src/store/database.ts");
    const { TenancyService } = await import("../src/tenancy/service.ts");
    const { InventoryService } = await import("../src/inventory/service.ts");
    const store = await openStore({ kind: "pglite", dataDir: "memory" });
    const server = await ready.buildServer({
      store,
      tenancy: new TenancyService(store.db),
      inventory: await InventoryService.open(store.db, "lab"),
    });
    try {
      await server.ready();
      await store.db.destroy();
      const response = await server.inject({ url: "/ready" });
      assert.equal(response.statusCode, 503, response.body);
      const body = response.json() as Json;
      assert.equal(body.checks.store, "failed (see the server log)", "no database error text to an anonymous caller");
      assert.match(body.detail, /^not ready: store: failed/);
    } finally {
      await server.close();
      await store.close().catch(() => {});
    }
  });
});
