/**
 * Input hygiene (issue 14, item 5) on the platform as `alixan start` composes it: text the store cannot keep is a
 * 400 naming the field; every error path answers problem+json with a request id (bad and long URLs, unparsable
 * HTTP, 404, body parsing, telemetry routes, rate limits); 401s carry the Bearer challenge; a key is refused the
 * moment it expires; the URL token works on the two event streams only and never shows in problems or logs; the
 * console and the API send security headers; no source map is built or served.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import Fastify from "fastify";
import { Value } from "typebox/value";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { telemetryFeature } from "../src/app/features/telemetry.ts";
import { InventoryService } from "../src/inventory/service.ts";
import { loadSite } from "../src/model/load.ts";
import { buildServer } from "../src/server/app.ts";
import { findBadText, hasBadText, maxUrlLength, textProblem } from "../src/server/hygiene.ts";
import { ProblemSchema, problemHandler, redactUrl } from "../src/server/problem.ts";
import { consoleRoutes } from "../src/server/routes/console.ts";
import { openStore } from "../src/store/database.ts";
import { registerTelemetryRoutes } from "../src/telemetry/routes.ts";
import { TelemetryService } from "../src/telemetry/service.ts";
import { type RequestContext, systemPrincipal, TenancyService } from "../src/tenancy/service.ts";

const system: RequestContext = { principal: systemPrincipal("test"), requestId: "test" };
const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "alixan-hygiene-"));
  directories.push(directory);
  return directory;
}

/** Asserts a problem+json answer with a request id; returns the problem. */
function assertProblem(response: LightMyRequestResponse, status: number, label: string) {
  assert.equal(response.statusCode, status, `${label}: ${response.body}`);
  assert.match(String(response.headers["content-type"]), /^application\/problem\+json/, label);
  const problem = response.json();
  assert.equal(problem.status, status, label);
  assert.match(problem.type, /^https:\/\/alixan\.dev\/problems\//, label);
  assert.ok(typeof problem.requestId === "string" && problem.requestId.length > 0, `${label}: request id`);
  assert.equal(response.headers["x-request-id"], problem.requestId, `${label}: same id in the header`);
  assert.equal(response.headers["x-content-type-options"], "nosniff", `${label}: nosniff`);
  return problem as {
    detail: string;
    instance: string;
    errors?: { field: string; message: string }[];
    [member: string]: unknown;
  };
}

describe("text the store cannot keep", () => {
  it("finds NUL and unpaired surrogates in values and keys, anywhere in a body, and nothing in clean text", () => {
    assert.equal(textProblem("plain, accentué, 中文, emoji 😀"), undefined);
    assert.match(textProblem("a\u0000b")!, /NUL/);
    assert.match(textProblem("a\ud800b")!, /unpaired/);
    assert.match(textProblem("\udc00")!, /unpaired/);
    assert.match(textProblem("ok 😀 then \ud83d")!, /unpaired/);
    assert.deepEqual(findBadText({ a: [1, { b: "x\u0000" }] }), { path: ["a", "1", "b"], problem: textProblem("\0") });
    assert.deepEqual(findBadText({ ok: "fine", list: ["a", "b"] }), undefined);
    assert.deepEqual(findBadText({ "k\u0000": 1 })?.path, ["k\\u0000"]);
    // 100,000 levels of nesting: walked without recursion.
    let deep: unknown = "bad\u0000";
    for (let level = 0; level < 100_000; level++) deep = [deep];
    assert.equal(findBadText(deep)?.path.length, 100_000);
    assert.equal(findBadText(Buffer.alloc(1 << 20)), undefined, "bytes are not walked as text");
    // The allocation-free pass every body gets says yes exactly where the path finder finds something.
    for (const [index, body] of [
      { a: [1, { b: "x\u0000" }] },
      { ok: "fine", list: ["a", "b", "😀"] },
      { "k\u0000": 1 },
      { nested: { "\ud800": "x" } },
      deep,
      Buffer.alloc(1024),
    ].entries()) {
      assert.equal(hasBadText(body), findBadText(body) !== undefined, `body ${index}`);
    }
  });

  it("strips access_token from URLs, however it is encoded", () => {
    assert.equal(redactUrl("/v1/state/stream?access_token=alx_x&field=powerKW"), "/v1/state/stream?field=powerKW");
    assert.equal(redactUrl("/v1/x?a=1&access%5Ftoken=alx_x"), "/v1/x?a=1");
    assert.equal(redactUrl("/v1/x?access_token=alx_x"), "/v1/x");
    assert.equal(redactUrl("/v1/x?a=1"), "/v1/x?a=1");
  });
});

describe("the platform's error paths", () => {
  let app: ComposedApp;
  let admin: string;
  let headers: Record<string, string>;
  let base: string;

  before(async () => {
    app = await composeApp({
      site: "lab",
      store: { kind: "pglite", dataDir: "memory" },
      seed: false,
      rateLimitPerMinute: 100_000,
      features: defaultFeatures({ telemetryInMemory: true, demoLoad: 0 }),
    });
    const user = await app.tenancy.createUser(system, {
      tenantId: null,
      name: "Admin",
      email: "admin@hygiene.example",
      role: "platform-admin",
    });
    admin = (await app.tenancy.createApiKey(system, { userId: user.id, name: "test" })).token;
    headers = { authorization: `Bearer ${admin}` };
    base = await app.server.listen({ port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    await app.close();
  });

  const inject = (options: { method?: string; url: string; payload?: unknown; headers?: Record<string, string> }) =>
    app.server.inject({
      method: (options.method ?? "GET") as "GET",
      url: options.url,
      headers: { ...headers, ...(options.headers ?? {}) },
      ...(options.payload === undefined ? {} : { payload: options.payload as string }),
    });

  it("NUL and unpaired surrogates in bodies, paths and queries are 400s naming the field, never 500s", async () => {
    const json = { "content-type": "application/json" };
    const cases: { url: string; method?: string; payload?: string; field: string }[] = [
      {
        method: "POST",
        url: "/v1/tenants",
        payload: '{"id":"t1","name":"a\\u0000b","kind":"campus"}',
        field: "body.name",
      },
      {
        method: "POST",
        url: "/v1/tenants",
        payload: '{"id":"t1","name":"a\\ud800b","kind":"campus"}',
        field: "body.name",
      },
      {
        method: "POST",
        url: "/v1/tenants",
        payload: '{"id":"t1","name":"\\udfff","kind":"campus"}',
        field: "body.name",
      },
      {
        method: "POST",
        url: "/v1/site/changes",
        payload: '{"summary":"x","patch":{"site":{"name":"Lab \\u0000"}}}',
        field: "body.patch.site.name",
      },
      {
        method: "POST",
        url: "/v1/tenants",
        payload: '{"id":"t1","na\\u0000me":"x","kind":"campus"}',
        field: "body.na\\u0000me",
      },
      {
        method: "POST",
        url: "/v1/telemetry/samples",
        payload: '{"samples":[{"name":"rack_power_kw","labels":{"rack":"r\\u0000"},"value":1}]}',
        field: "body.samples.0.labels.rack",
      },
      { url: "/v1/tenants/a%00b", field: "params.id" },
      { url: "/v1/audit?actor=a%00b", field: "querystring.actor" },
      { url: "/v1/site/racks?hall=%00", field: "querystring.hall" },
      { url: "/v1/telemetry/query?name=x%00", field: "querystring.name" },
      { url: "/v1/site/racks?hall=%ED%A0%80", field: "querystring.hall" },
      { url: "/v1/site/racks?limit=%E0%A4%A", field: "querystring.limit" },
      { url: "/v1/site/racks?li%00mit=1", field: "querystring.li\\u0000mit" },
    ];
    for (const entry of cases) {
      const label = `${entry.method ?? "GET"} ${entry.url} ${entry.payload ?? ""}`;
      const response = await inject({
        url: entry.url,
        ...(entry.method === undefined ? {} : { method: entry.method }),
        ...(entry.payload === undefined ? {} : { payload: entry.payload, headers: json }),
      });
      const problem = assertProblem(response, 400, label);
      assert.deepEqual(
        problem.errors?.map((error) => error.field),
        [entry.field],
        label,
      );
      assert.ok(problem.detail.startsWith(`${entry.field}: `), `${label}: ${problem.detail}`);
    }
    // Nothing was created by the refused writes.
    assert.equal((await inject({ url: "/v1/tenants/t1" })).statusCode, 404);
    // Clean non-ASCII text still goes through.
    const created = await inject({
      method: "POST",
      url: "/v1/tenants",
      payload: JSON.stringify({ id: "t2", name: "Hôpital 😀 中文", kind: "campus" }),
      headers: json,
    });
    assert.equal(created.statusCode, 201, created.body);
  });

  it("query numbers the validator makes infinite (Infinity, 1e999) are 400s naming the field, never 500s", async () => {
    // Ajv coerces them to ±Infinity and lets them past `maximum`: ?limit=Infinity reached the store (found by the API
    // fuzzer).
    for (const url of ["/v1/tenants?limit=Infinity", "/v1/users?limit=1e999", "/v1/jobs?limit=-Infinity"]) {
      const problem = assertProblem(await inject({ url }), 400, url);
      assert.deepEqual(
        problem.errors?.map((error) => error.field),
        ["querystring.limit"],
        url,
      );
    }
    assert.equal((await inject({ url: "/v1/tenants?limit=2" })).statusCode, 200);
  });

  it("a site change that does not validate is a 400 naming the field of the document at fault", async () => {
    // Its diagnostics were in the detail only, with no `errors` (found by the API fuzzer).
    const json = { "content-type": "application/json" };
    for (const [payload, field] of [
      [{ summary: "empty", site: {} }, "body.site.site"],
      [{ summary: "no halls", patch: { halls: null } }, "body.patch.halls"],
    ] as const) {
      const response = await inject({ method: "POST", url: "/v1/site/changes", payload, headers: json });
      const problem = assertProblem(response, 400, payload.summary);
      assert.equal(problem.errors?.[0]?.field, field, response.body);
    }
  });

  it("bad URLs, unknown routes and a body past the limit answer problem+json with a request id", async () => {
    assert.deepEqual(assertProblem(await inject({ url: "/v1/tenants/a%E0%A4%A" }), 400, "bad path").errors, [
      { field: "url", message: "the path is not valid percent-encoded UTF-8" },
    ]);
    assertProblem(await inject({ url: "/v1/tenants/%ED%A0%80" }), 400, "encoded surrogate in path");
    const long = assertProblem(
      await inject({ url: `/v1/site?x=${"a".repeat(maxUrlLength)}` }),
      414,
      "URL past the limit",
    );
    assert.deepEqual(long.errors, [{ field: "url", message: `url: longer than ${maxUrlLength} characters` }]);
    assertProblem(await inject({ url: "/v1/nothing/here" }), 404, "unknown route");
    // A path parameter past the router's old 100 characters reaches its route: named by the schema, and a 401 without
    // a key, where it was "no route GET /v1/jobs/…", a 404 before authentication (found by the API fuzzer).
    const longId = `/v1/jobs/${"x".repeat(300)}`;
    assert.deepEqual(
      assertProblem(await inject({ url: longId }), 400, "long path parameter").errors?.map((error) => error.field),
      ["params.id"],
    );
    assertProblem(await app.server.inject({ url: longId }), 401, "long path parameter without a key");
    assertProblem(await inject({ method: "DELETE", url: "/v1/site" }), 404, "unknown method");
    // Malformed, empty and mistyped bodies: test/api-fuzz.test.ts sends them to every operation (wire abuses), with
    // their exact status and field. The body past the limit stays here for its problem type.
    const json = { "content-type": "application/json" };
    const large = assertProblem(
      await inject({
        method: "POST",
        url: "/v1/tenants",
        payload: JSON.stringify({ name: "x".repeat(5 * 1024 * 1024) }),
        headers: json,
      }),
      413,
      "body too large",
    );
    assert.equal(large.type, "https://alixan.dev/problems/tooLarge");
  });

  it("a body in a content coding its route does not decode is a 415 naming the header, not read as if plain", async () => {
    const samples = JSON.stringify({ samples: [{ name: "coded_probe", value: 1 }] });
    for (const [url, type, payload] of [
      ["/v1/tenants", "application/json", "{}"],
      // Routes that take a body of any type (the telemetry scope's `*` parser) too: they took these as plain.
      ["/v1/telemetry/samples", "application/json", samples],
      ["/v1/telemetry/prometheus", "text/plain", "coded_probe 1\n"],
    ] as const) {
      for (const encoding of ["br", "gzip", "gzip, br"]) {
        const label = `${url} as ${encoding}`;
        const answer = assertProblem(
          await inject({
            method: "POST",
            url,
            payload,
            headers: { "content-type": type, "content-encoding": encoding },
          }),
          415,
          label,
        );
        assert.deepEqual(
          answer.errors?.map((error) => error.field),
          ["headers.content-encoding"],
          label,
        );
      }
    }
    const plain = await inject({
      method: "POST",
      url: "/v1/telemetry/samples",
      payload: samples,
      headers: { "content-type": "application/json", "content-encoding": "identity" },
    });
    assert.equal(plain.statusCode, 200, plain.body);
    // The Influx route decodes gzip itself (Telegraf sends it): still taken.
    const influx = await inject({
      method: "POST",
      url: "/v1/telemetry/influx",
      payload: gzipSync("coded_probe value=1"),
      headers: { "content-type": "text/plain", "content-encoding": "gzip" },
    });
    assert.equal(influx.statusCode, 200, influx.body);
    assert.equal(influx.json().accepted, 1, influx.body);
    // A route that does not exist is not found, whatever the coding of what was sent to it.
    assertProblem(
      await inject({ method: "POST", url: "/v1/nothing", payload: "{}", headers: { "content-encoding": "br" } }),
      404,
      "unknown route",
    );
  });

  it("paging values past a column's range or a number's precision are 400s naming the field, never 500s", async () => {
    for (const url of [
      "/v1/security/events?before=99999999999999999999",
      "/v1/security/events?before=1e300",
      "/v1/security/events?before=0",
      "/v1/security/events?limit=0",
      "/v1/jobs?limit=99999999999999999999",
      "/v1/audit?after=99999999999999999999",
    ]) {
      const response = await inject({ url });
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
    }
    const events = await inject({ url: "/v1/security/events?before=9007199254740991" });
    assert.equal(events.statusCode, 200, events.body);
  });

  it("telemetry routes answer problem+json with a request id, and a name that matches nothing is not an error", async () => {
    assertProblem(await inject({ url: "/v1/telemetry/query?from=yesterday" }), 400, "bad time");
    const invalid = assertProblem(await inject({ url: "/v1/telemetry/query?aggregation=median" }), 400, "bad enum");
    assert.equal(invalid.errors?.[0]?.field, "querystring.aggregation");
    assertProblem(await inject({ url: "/v1/alarms/no-such-alarm" }), 404, "unknown alarm");
    assertProblem(
      await inject({ method: "POST", url: "/v1/telemetry/samples", payload: { samples: [{ value: "x" }] } }),
      400,
      "nothing accepted",
    );
    const influx = assertProblem(
      await inject({
        method: "POST",
        url: "/v1/telemetry/influx",
        payload: "rack,rack=rack:h1-r01-01 power_kw=1\nrack,rack=r\u0000 power_kw=2",
        headers: { "content-type": "text/plain" },
      }),
      400,
      "NUL in line protocol",
    );
    assert.deepEqual(influx.errors?.[0]?.field, "body");
    const nothing = await inject({ url: "/v1/telemetry/query?name=no_such_metric&from=-30d&step=1h" });
    assert.equal(nothing.statusCode, 200, nothing.body);
    assert.deepEqual(nothing.json().frames, []);
  });

  it("HTTP the server cannot parse answers problem+json with a request id", async () => {
    const { port } = new URL(base);
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let received = "";
        socket.on("data", (chunk) => {
          received += chunk;
        });
        socket.on("close", () => resolve(received));
        socket.on("error", reject);
        socket.write(text);
      });
    const overflow = await raw(`GET /v1/site?x=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(overflow, /^HTTP\/1\.1 431 /);
    const garbage = await raw("NOT HTTP AT ALL\r\n\r\n");
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    for (const answer of [overflow, garbage]) {
      assert.match(answer, /content-type: application\/problem\+json/i);
      const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
      assert.match(body.requestId, /^[0-9a-f-]{36}$/);
      assert.match(answer, new RegExp(`x-request-id: ${body.requestId}`));
      // The problem every other answer is: `instance` was missing (found by the API fuzzer).
      assert.ok(Value.Check(ProblemSchema, body), JSON.stringify(body));
    }
  });

  it("401s carry the Bearer challenge, with invalid_token when a key was presented", async () => {
    const none = await app.server.inject({ url: "/v1/site" });
    assertProblem(none, 401, "no key");
    assert.equal(none.headers["www-authenticate"], 'Bearer realm="alixan"');
    for (const authorization of [
      "Bearer alx_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "Bearer nonsense",
      "Basic eA==",
    ]) {
      const refused = await app.server.inject({ url: "/v1/site", headers: { authorization } });
      assertProblem(refused, 401, authorization);
      assert.match(String(refused.headers["www-authenticate"]), /^Bearer realm="alixan", error="invalid_token"/);
    }
  });

  it("a key past its expiry is refused at once, even while its login is cached", async () => {
    const user = await app.tenancy.createUser(system, {
      tenantId: null,
      name: "Short",
      email: "short@hygiene.example",
      role: "auditor",
    });
    const expiresAt = Date.now() + 1200;
    const { token } = await app.tenancy.createApiKey(system, {
      userId: user.id,
      name: "short",
      expiresAt: new Date(expiresAt).toISOString(),
    });
    const call = () => app.server.inject({ url: "/v1/site", headers: { authorization: `Bearer ${token}` } });
    assert.equal((await call()).statusCode, 200, "valid before expiry (and now cached)");
    assert.equal((await call()).statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 20));
    const refused = await call();
    assertProblem(refused, 401, "expired");
    assert.match(String(refused.headers["www-authenticate"]), /error="invalid_token"/);
  });

  it("the URL token opens the two event streams only, and is never echoed", async () => {
    for (const path of ["/v1/state/stream", "/v1/telemetry/stream?alarms=true"]) {
      const controller = new AbortController();
      const url = `${base}${path}${path.includes("?") ? "&" : "?"}access_token=${admin}`;
      const response = await fetch(url, { signal: controller.signal });
      assert.equal(response.status, 200, path);
      assert.match(String(response.headers.get("content-type")), /^text\/event-stream/, path);
      // A stream is a hijacked reply, which skips the onSend hooks: it sends their headers itself.
      assert.match(String(response.headers.get("x-request-id")), /^[\w-]{8,}$/, `${path}: x-request-id`);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(response.headers.get("x-frame-options"), "DENY", path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      controller.abort();
      await response.body?.cancel().catch(() => {});
    }
    const bad = "alx_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const refusedStream = await app.server.inject({ url: `/v1/state/stream?access_token=${bad}&field=powerKW` });
    const problem = assertProblem(refusedStream, 401, "bad token on a stream");
    assert.equal(problem.instance, "/v1/state/stream?field=powerKW");
    assert.ok(!refusedStream.body.includes(bad));
    assert.match(String(refusedStream.headers["www-authenticate"]), /error="invalid_token"/);
    for (const url of [
      `/v1/site?access_token=${admin}`,
      `/v1/site/stream?access_token=${admin}`,
      `/v1/nothing?x=1&access_token=${admin}`,
      `/v1/audit?access%5Ftoken=${admin}`,
    ]) {
      const response = await app.server.inject({ url });
      const refused = assertProblem(response, 400, url);
      assert.deepEqual(
        refused.errors?.map((error) => error.field),
        ["querystring.access_token"],
      );
      assert.ok(!response.body.includes(admin), `${url} echoes the key: ${response.body}`);
    }
    // With the key in the header, the URL token is still refused off the streams (it would sit in logs).
    assert.equal((await inject({ url: `/v1/site?access_token=${admin}` })).statusCode, 400);
  });

  it("API answers carry nosniff, no framing and a no-content policy", async () => {
    for (const url of ["/v1/site", "/health", "/v1/nothing"]) {
      const response = await inject({ url });
      assert.equal(response.headers["x-content-type-options"], "nosniff", url);
      assert.equal(response.headers["x-frame-options"], "DENY", url);
      assert.equal(response.headers["referrer-policy"], "no-referrer", url);
      assert.equal(response.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'", url);
    }
  });
});

describe("rate-limited answers", () => {
  it("are problem+json with a request id and Retry-After, on core and telemetry routes", async () => {
    const app = await composeApp({
      site: "lab",
      store: { kind: "pglite", dataDir: "memory" },
      seed: false,
      rateLimitPerMinute: 2,
      features: [telemetryFeature({ inMemory: true })],
    });
    try {
      const user = await app.tenancy.createUser(system, {
        tenantId: null,
        name: "Ops",
        email: "ops@hygiene.example",
        role: "facility-operator",
      });
      const { token } = await app.tenancy.createApiKey(system, { userId: user.id, name: "t" });
      const headers = { authorization: `Bearer ${token}` };
      for (const url of ["/v1/site", "/v1/telemetry/status"]) {
        const statuses: number[] = [];
        let limited: LightMyRequestResponse | undefined;
        for (let attempt = 0; attempt < 3; attempt++) {
          const response = await app.server.inject({ url, headers });
          statuses.push(response.statusCode);
          if (response.statusCode === 429) limited = response;
        }
        assert.ok(limited !== undefined, `${url}: ${statuses.join(",")}`);
        assertProblem(limited, 429, url);
        assert.ok(Number(limited.headers["retry-after"]) > 0, url);
        // The key's window is spent: the next route is limited at once.
      }
    } finally {
      await app.close();
    }
  });
});

describe("telemetry query reaching history", () => {
  it("answers a name that matches nothing, or a range without samples, with no frames over HTTP", async () => {
    const directory = temporaryDirectory();
    const site = loadSite("lab").site!;
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    const first = await TelemetryService.open({ dataDirectory: directory, site, onProblem: () => {} });
    assert.ok(first.ok);
    await first.value.ingestInflux(`rack,rack=rack:h1-r03-01 power_kw=4 ${start * 1e6}`, "ns", "test");
    await first.value.close();
    const second = await TelemetryService.open({ dataDirectory: directory, site, onProblem: () => {} });
    assert.ok(second.ok);
    const server = Fastify();
    registerTelemetryRoutes(server, second.value);
    try {
      for (const query of [
        `name=no_such_metric&from=${start - 60_000}&to=${start + 60_000}`,
        `name=no_such_metric&from=${start - 60_000}&to=${start + 60_000}&step=60s`,
        `name=rack_power_kw&from=${start - 7_200_000}&to=${start - 3_600_000}&step=60s`,
        `name=rack_power_kw&from=${start - 7_200_000}&to=${start - 3_600_000}`,
      ]) {
        const response = await server.inject({ url: `/v1/telemetry/query?${query}` });
        assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
        assert.equal(response.json().source, "history", query);
        assert.deepEqual(response.json().frames, [], query);
      }
    } finally {
      await server.close();
      await second.value.close();
    }
  });
});

describe("logs", () => {
  it("never record the URL token", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory" });
    const tenancy = new TenancyService(store.db);
    const inventory = await InventoryService.open(store.db, "lab");
    let logged = "";
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk;
        done();
      },
    });
    const server = await buildServer({
      store,
      tenancy,
      inventory,
      logger: { level: "info", stream },
      modules: [
        (app: FastifyInstance) => {
          app.get("/v1/state/stream", { config: { urlToken: true } }, async () => ({ ok: true }));
        },
      ],
    });
    const secret = "alx_0123456789ab_SECRETSECRETSECRETSECRETSECRETSECR";
    try {
      await server.inject({ url: `/v1/state/stream?access_token=${secret}&field=powerKW` });
      await server.inject({ url: `/v1/site?access_token=${secret}` });
      await server.inject({ url: `/v1/nothing?access_token=${secret}` });
      await server.inject({ url: `/v1/bad%E0%A4%A?access_token=${secret}` });
      assert.match(logged, /\/v1\/state\/stream\?field=powerKW/, "the request is logged");
      assert.ok(!logged.includes(secret), logged);
      assert.ok(!logged.includes("SECRET"), logged);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe("shutdown", () => {
  it("a request that arrives while the server closes gets a 503 problem, and in-flight ones finish", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory" });
    const server = await buildServer({
      store,
      tenancy: new TenancyService(store.db),
      inventory: await InventoryService.open(store.db, "lab"),
      modules: [
        (app: FastifyInstance) => {
          app.get("/slow", { config: { public: true } }, async () => {
            await new Promise((resolve) => setTimeout(resolve, 400));
            return { finished: true };
          });
        },
      ],
    });
    try {
      const address = await server.listen({ port: 0, host: "127.0.0.1" });
      const socket = connect(Number(new URL(address).port), "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk;
      });
      const closed = new Promise((resolve) => socket.on("close", resolve));
      socket.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closing = server.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Pipelined on the busy connection, so it reaches the server after close began.
      socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
      await closing;
      assert.match(received, /\{"finished":true\}/, "the in-flight request finished");
      const refused = received.slice(received.indexOf("HTTP/1.1 503"));
      assert.match(refused, /^HTTP\/1\.1 503 /, received);
      assert.match(refused, /content-type: application\/problem\+json/);
      const body = JSON.parse(refused.slice(refused.indexOf("\r\n\r\n") + 4));
      assert.equal(body.status, 503);
      assert.ok(body.requestId.length > 0);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe("the console", () => {
  let root: string;
  let app: FastifyInstance;

  before(async () => {
    root = temporaryDirectory();
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, "assets", "index-abc.js"), "console.log(1)");
    writeFileSync(join(root, "assets", "index-abc.js.map"), '{"sources":["secret.ts"]}');
    app = Fastify();
    app.setErrorHandler(problemHandler);
    consoleRoutes(root)(app);
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  it("answers with a content policy that forbids framing, plugins and other origins, nosniff and no referrer", async () => {
    for (const url of ["/", "/floor", "/assets/index-abc.js"]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      const policy = String(response.headers["content-security-policy"]);
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ]) {
        assert.ok(policy.includes(directive), `${url}: ${directive} in ${policy}`);
      }
      assert.ok(!policy.includes("unsafe-inline") && !policy.includes("unsafe-eval"), policy);
      assert.equal(response.headers["x-content-type-options"], "nosniff", url);
      assert.equal(response.headers["x-frame-options"], "DENY", url);
      assert.equal(response.headers["referrer-policy"], "no-referrer", url);
    }
  });

  it("sends its not-built page under a policy that lets nothing load or run", async () => {
    const bare = Fastify();
    consoleRoutes(join(root, "missing"))(bare);
    try {
      const response = await bare.inject({ url: "/floor" });
      assert.equal(response.statusCode, 503);
      assert.equal(
        response.headers["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      );
      assert.equal(response.headers["x-frame-options"], "DENY");
      assert.equal(response.headers["x-content-type-options"], "nosniff");
    } finally {
      await bare.close();
    }
  });

  it("answers the telemetry receivers' paths as API paths (404), never with the console page", async () => {
    for (const url of ["/write", "/api/v1/write", "/api/v2/write", "/api/anything"]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.ok(!response.body.includes('<div id="root">'), url);
    }
  });

  it("never serves source maps, however the name is written", async () => {
    for (const url of ["/assets/index-abc.js.map", "/assets/index-abc.js%2Emap", "/assets/index-abc.js.MAP"]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.ok(!response.body.includes("secret.ts"), url);
    }
  });

  it("is built without source maps", async () => {
    const config = (await import("../web/vite.config.ts")).default as { build?: { sourcemap?: unknown } };
    assert.equal(config.build?.sourcemap, false);
  });
});
