/**
 * The OpenAPI document as a contract: Redocly's recommended rules pass with no error and no warning; every operation
 * has an operationId, a summary, a declared success body and the problem answers it gives, each 4xx by exact status
 * (an operation answering a status it does not declare is the fuzz test's finding: test/api-fuzz.test.ts); the
 * console's generated types are what the document gives; and every read route answers a platform admin with a body its
 * schema keeps whole (the response guard is on in tests) and every problem answer matches the problem schema.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Value } from "typebox/value";
import { apiTypes, apiTypesFile } from "../scripts/api-types.ts";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { ProblemSchema } from "../src/server/problem.ts";

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  responses: Record<string, { $ref?: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> } & Record<string, unknown>;

const methods = ["get", "put", "post", "delete", "patch"];

function operations(document: Document): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.includes(method))
      .map(([method, operation]) => ({ method, path, operation })),
  );
}

/** Values for required query parameters and path ids, so every read route can be called. */
const samples: Record<string, string> = {
  "/v1/site/racks/{id}": "/v1/site/racks/rack:h1-r01-01",
  "/v1/state/racks/{id}": "/v1/state/racks/rack:h1-r01-01",
  "/v1/state/tcs/{id}": "/v1/state/tcs/tcs:h1-r01",
  "/v1/state/plants/{id}": "/v1/state/plants/plant:lab",
};

let document: Document;
let app: ComposedApp;
let adminToken: string;
const directory = mkdtempSync(join(tmpdir(), "alixan-openapi-test-"));

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: defaultFeatures({ speed: 60, demoLoad: 0, telemetryInMemory: true }),
  });
  adminToken = app.demoKeys!.find((key) => key.role === "platform-admin")!.token;
  // The document as served, which is what `npm run gen:api` reads (scripts/api-types.ts builds the same app).
  const served = await app.server.inject({ method: "GET", url: "/openapi.json" });
  document = served.json() as Document;
});
after(async () => {
  await app?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("OpenAPI document", () => {
  it("passes Redocly's recommended rules with no error and no warning", () => {
    const file = join(directory, "openapi.json");
    writeFileSync(file, JSON.stringify(document));
    const redocly = join(import.meta.dirname, "..", "node_modules", ".bin", "redocly");
    const run = spawnSync(redocly, ["lint", file, "--extends=recommended", "--format=stylish"], {
      encoding: "utf8",
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(output, /Woohoo! Your API description is valid/, output);
    // Redocly adds "You have N warnings." under a valid document that has some.
    assert.doesNotMatch(output, /\d+ warnings?/i, output);
  });

  it("gives every operation an operationId, a summary, a success body and the shared problem answers", () => {
    const all = operations(document);
    assert.ok(all.length >= 70, `only ${all.length} operations`);
    const ids = new Set<string>();
    for (const { method, path, operation } of all) {
      const name = `${method.toUpperCase()} ${path}`;
      assert.ok(operation.operationId, `${name}: no operationId`);
      assert.ok(!ids.has(operation.operationId), `${name}: operationId ${operation.operationId} used twice`);
      ids.add(operation.operationId);
      assert.ok(operation.summary, `${name}: no summary`);
      const success = Object.entries(operation.responses).filter(([status]) => /^2/.test(status));
      assert.ok(success.length > 0, `${name}: no success response`);
      for (const [status, response] of success) {
        // 202/204 answers may have no body; any other success declares its media types.
        if (status !== "204" && status !== "202") assert.ok(response.content, `${name}: ${status} has no body schema`);
      }
      assert.equal(operation.responses["5XX"]?.$ref, "#/components/responses/ServerError", `${name}: no 5XX`);
    }
    assert.deepEqual((document["info"] as { license: unknown }).license, {
      name: "Apache-2.0",
      identifier: "Apache-2.0",
    });
    assert.ok(Array.isArray(document["servers"]) && document["servers"].length > 0, "servers");
  });

  it("declares each 4xx an operation answers exactly, never a 4XX range", () => {
    /** The component an operation's answer to `status` names (undefined when it declares none). */
    const declared = (method: string, path: string, status: number) =>
      document.paths[path]?.[method]?.responses[String(status)]?.$ref?.replace("#/components/responses/", "");
    for (const { method, path, operation } of operations(document)) {
      const name = `${method.toUpperCase()} ${path}`;
      const ranges = Object.keys(operation.responses).filter((status) => /^4/.test(status) && !/^4\d\d$/.test(status));
      assert.deepEqual(ranges, [], `${name}: a 4xx range`);
      assert.ok(!("x-problems" in operation), `${name}: x-problems left in the document`);
      // What the server answers any request from one place (hygiene.ts, problem.ts, auth.ts).
      assert.equal(declared(method, path, 400), "BadRequest", `${name}: 400`);
      assert.equal(declared(method, path, 414), "UriTooLong", `${name}: 414`);
      assert.equal(declared(method, path, 431), "HeadersTooLarge", `${name}: 431`);
      const takesBody = method !== "get";
      assert.equal(declared(method, path, 413), takesBody ? "PayloadTooLarge" : undefined, `${name}: 413`);
      // Even a route that parses any type (the telemetry scope) refuses a content coding it does not decode.
      assert.equal(declared(method, path, 415), takesBody ? "UnsupportedMediaType" : undefined, `${name}: 415`);
      const secured = (operation as { security?: unknown[] }).security?.length !== 0;
      for (const [status, component] of [
        [401, "Unauthorized"],
        [403, "Forbidden"],
        [429, "TooManyRequests"],
      ] as const) {
        assert.equal(declared(method, path, status), secured ? component : undefined, `${name}: ${status}`);
      }
    }
    // Each route's own: unknown ids, state conflicts, a part not available.
    const expected: [string, string, number, string | undefined][] = [
      ["post", "/v1/drains", 409, "Conflict"],
      ["post", "/v1/drains/{id}/resume", 404, "NotFound"],
      ["post", "/v1/drains/{id}/resume", 409, "Conflict"],
      ["get", "/v1/jobs/{id}", 404, "NotFound"],
      ["get", "/v1/jobs/{id}", 409, undefined],
      ["post", "/v1/jobs/{id}/hold", 409, "Conflict"],
      ["post", "/v1/site/changes", 409, "Conflict"],
      ["post", "/v1/site/changes", 412, "PreconditionFailed"],
      ["put", "/v1/queue-config", 412, undefined],
      ["put", "/v1/queue-config", 409, "Conflict"],
      ["delete", "/v1/cohorts/{name}", 404, "NotFound"],
      ["get", "/v1/site/racks", 404, undefined],
      ["get", "/ready", 503, "ServiceUnavailable"],
      ["get", "/health", 503, undefined],
      ["post", "/v1/telemetry/redfish/events/{target}", 503, "ServiceUnavailable"],
      ["post", "/v1/whatif", 503, "ServiceUnavailable"],
      ["post", "/v1/telemetry/samples", 415, "UnsupportedMediaType"],
      ["post", "/v1/alarms/{id}/shelve", 415, "UnsupportedMediaType"],
      ["post", "/v1/telemetry/influx", 415, "UnsupportedMediaType"],
      ["post", "/api/v1/write", 415, "UnsupportedMediaType"],
    ];
    for (const [method, path, status, component] of expected) {
      assert.equal(declared(method, path, status), component, `${method.toUpperCase()} ${path}: ${status}`);
    }
  });

  it("declares X-Total-Count and X-Next-Cursor on every list paged by a cursor", () => {
    const paged = operations(document).filter(({ operation }) =>
      (operation.parameters ?? []).some((item) => item.in === "query" && item.name === "cursor"),
    );
    assert.ok(paged.length >= 8, `only ${paged.length} paged lists`);
    for (const { method, path, operation } of paged) {
      assert.deepEqual(
        operation.responses["200"]?.headers,
        {
          "X-Total-Count": { $ref: "#/components/headers/TotalCount" },
          "X-Next-Cursor": { $ref: "#/components/headers/NextCursor" },
        },
        `${method.toUpperCase()} ${path}`,
      );
    }
  });

  it("declares the site reads' ETag and the site change's If-Match, for changes made on the version read", () => {
    const tagged = operations(document).filter(({ operation }) => operation.responses["200"]?.headers?.["ETag"]);
    assert.deepEqual(tagged.map(({ method, path }) => `${method} ${path}`).sort(), [
      "get /v1/site",
      "get /v1/site/document",
    ]);
    for (const { operation } of tagged) {
      assert.deepEqual(operation.responses["200"]?.headers?.["ETag"], { $ref: "#/components/headers/VersionTag" });
    }
    const change = document.paths["/v1/site/changes"]?.["post"];
    const ifMatch = change?.parameters?.find((item) => item.in === "header" && item.name === "if-match");
    assert.ok(ifMatch !== undefined && ifMatch.required !== true, JSON.stringify(change?.parameters));
    assert.ok(!("x-version-tagged" in (document.paths["/v1/site"]?.["get"] ?? {})), "x-version-tagged left");
  });

  it("declares the event streams, the Parquet export and the text bodies with their media types", () => {
    const mediaTypes = (path: string, method = "get") =>
      Object.keys(document.paths[path]?.[method]?.responses["200"]?.content ?? {});
    assert.deepEqual(mediaTypes("/v1/state/stream"), ["text/event-stream"]);
    assert.deepEqual(mediaTypes("/v1/telemetry/stream"), ["text/event-stream"]);
    assert.deepEqual(mediaTypes("/v1/telemetry/export.parquet"), ["application/vnd.apache.parquet"]);
    assert.deepEqual(mediaTypes("/metrics"), ["text/plain"]);
  });

  it("declares the queue configuration bodies with the queue file's bounds (one schema, not an open record)", () => {
    /** The node at `keys` below `node` (undefined once a key is missing). */
    const at = (node: unknown, ...keys: string[]): unknown =>
      keys.reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], node);
    const body = (path: string, method: string) =>
      at(document.paths[path]?.[method], "requestBody", "content", "application/json", "schema");
    const config = at(body("/v1/queue-config", "put"), "properties", "config");
    assert.equal(at(config, "additionalProperties"), false, JSON.stringify(config).slice(0, 300));
    assert.equal(at(config, "properties", "cohorts", "maxItems"), 200);
    assert.equal(at(config, "properties", "queues", "maxItems"), 2000);
    const quota = at(config, "properties", "queues", "items", "properties", "quota");
    assert.equal(at(quota, "additionalProperties", "properties", "nominal", "maximum"), 1e9);
    assert.ok(at(quota, "propertyNames", "pattern"), "quota keys: no pattern");
    assert.deepEqual(
      at(body("/v1/queues/{name}", "put"), "properties", "quota", "propertyNames"),
      at(quota, "propertyNames"),
    );
  });

  it("is what the console's generated API types were made from (npm run gen:api)", async () => {
    const expected = await apiTypes(document);
    assert.ok(
      readFileSync(apiTypesFile, "utf8") === expected,
      "web/src/api/schema.d.ts is out of date: run `npm run gen:api` and commit it",
    );
  });
});

describe("answers against the document", () => {
  it("every read route answers a platform admin with its whole body, and problems match the problem schema", async () => {
    const failures: string[] = [];
    for (const { method, path, operation } of operations(document)) {
      if (method !== "get") continue;
      const media = Object.keys(operation.responses["200"]?.content ?? {});
      if (media.includes("text/event-stream")) continue;
      const requiredQuery = (operation.parameters ?? []).some((item) => item.in === "query" && item.required);
      const url = samples[path] ?? path;
      if (url.includes("{") || requiredQuery) continue;
      const response = await app.server.inject({
        method: "GET",
        url,
        headers: { authorization: `Bearer ${adminToken}` },
      });
      if (response.statusCode >= 400) {
        failures.push(`GET ${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
        continue;
      }
      // A list the document says is paged sends its total on every page.
      if (operation.responses["200"]?.headers?.["X-Total-Count"] !== undefined) {
        assert.match(String(response.headers["x-total-count"]), /^\d+$/, `GET ${url}: no X-Total-Count`);
      }
      // A read the document says is tagged names its version as a strong entity tag.
      if (operation.responses["200"]?.headers?.["ETag"] !== undefined) {
        assert.match(String(response.headers.etag), /^"v\d+"$/, `GET ${url}: no ETag`);
      }
      const type = response.headers["content-type"] ?? "";
      assert.ok(
        media.some((declared) => String(type).startsWith(declared)),
        `GET ${url}: ${type} not among ${media}`,
      );
    }
    assert.deepEqual(failures, []);
  });

  it("problem answers (validation, not found, unauthenticated, forbidden) match the problem schema", async () => {
    const student = app.demoKeys!.find((key) => key.role === "student")!.token;
    const cases = [
      { url: "/v1/site/racks?limit=0", token: adminToken, status: 400 },
      { url: "/v1/site/racks/rack:none", token: adminToken, status: 404 },
      { url: "/v1/site", token: undefined, status: 401 },
      { url: "/v1/audit", token: student, status: 403 },
      { url: "/v1/nowhere", token: adminToken, status: 404 },
    ];
    for (const { url, token, status } of cases) {
      const response = await app.server.inject({
        method: "GET",
        url,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      assert.equal(response.statusCode, status, url);
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      const body = response.json();
      assert.ok(Value.Check(ProblemSchema, body), `${url}: ${response.body}`);
      assert.equal(body.status, status);
    }
  });
});
