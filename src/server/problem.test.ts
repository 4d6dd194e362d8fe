import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { Type } from "typebox";
import { apiValidation } from "./app.ts";
import { problemHandler } from "./problem.ts";

/** A route validated as the API's are (Ajv, all errors, query values coerced), its errors rendered by `problemHandler`. */
async function errorsOf(payload: unknown, url = "/check"): Promise<{ field: string; message: string }[]> {
  const app = Fastify(apiValidation());
  app.setErrorHandler(problemHandler);
  const body = Type.Object(
    {
      level: Type.Union([Type.Literal("green"), Type.Literal("orange"), Type.Literal("red")]),
      name: Type.Optional(Type.String({ pattern: "^[a-z]+$" })),
      since: Type.Optional(Type.String({ format: "date" })),
      at: Type.Optional(Type.String({ format: "date-time" })),
      tags: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
      kind: Type.Optional(Type.Enum({ a: "alpha", b: "beta" })),
      // A file schema's mapping with named keys (the queue file's quotas are a route body as they are).
      quota: Type.Optional(
        Type.Record(Type.String(), Type.Number(), {
          propertyNames: { pattern: "^(cpu|memory)$", patternErrorMessage: "expected a resource: cpu or memory" },
        }),
      ),
    },
    { additionalProperties: false },
  );
  const querystring = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) });
  app.post("/check", { schema: { body, querystring } }, async () => ({ ok: true }));
  const response = await app.inject({ method: "POST", url, payload: payload as object });
  await app.close();
  assert.equal(response.statusCode, 400, response.body);
  assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
  return response.json().errors;
}

describe("API validation problems", () => {
  it("a value outside a union of constants names the values allowed and the value sent", async () => {
    const errors = await errorsOf({ level: "purple" });
    assert.deepEqual(errors, [{ field: "body.level", message: 'must be one of: green, orange, red; got "purple"' }]);
  });

  it("an enum, a pattern, a date format, an unknown key and too few items read as the files' do", async () => {
    const errors = await errorsOf({
      level: "gren",
      name: "Bad",
      since: "2026-13-01",
      at: "2026-01-02",
      tags: [],
      kind: "gamma",
      colour: 1,
    });
    const byField = Object.fromEntries(errors.map((error) => [error.field, error.message]));
    assert.deepEqual(byField, {
      "body.level": 'must be one of: green, orange, red; got "gren" (did you mean "green"?)',
      "body.name": 'expected text matching ^[a-z]+$, got "Bad"',
      "body.since": 'expected a date as YYYY-MM-DD, got "2026-13-01"',
      "body.at": 'expected a date and time as YYYY-MM-DDTHH:MM:SSZ (RFC 3339), got "2026-01-02"',
      "body.tags": "expected at least 1 item(s), got 0",
      "body.kind": 'must be one of: alpha, beta; got "gamma"',
      "body.colour": 'unknown field "colour" (expected one of level, name, since, at, tags, kind, quota)',
    });
  });

  it("a key that breaks a mapping's naming rule is named, in the schema's own words", async () => {
    const errors = await errorsOf({ level: "red", quota: { cpu: 1, gpux: 2 } });
    assert.deepEqual(errors, [{ field: "body.quota.gpux", message: 'expected a resource: cpu or memory, got "gpux"' }]);
  });

  it("a missing field and a query parameter out of range name the field", async () => {
    assert.deepEqual(await errorsOf({}), [{ field: "body.level", message: 'required field "level" is missing' }]);
    assert.deepEqual(await errorsOf({ level: "red" }, "/check?limit=0"), [
      { field: "querystring.limit", message: "must be at least 1, got 0" },
    ]);
  });
});

describe("API validation of each request part", () => {
  /** A route with a typed path parameter, query, header and body, answering what it was given. */
  async function send(url: string, payload: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const app = Fastify(apiValidation());
    app.setErrorHandler(problemHandler);
    const schema = {
      params: Type.Object({ id: Type.Integer() }),
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer()),
        tags: Type.Optional(Type.Array(Type.String())),
      }),
      headers: Type.Object({ "x-count": Type.Optional(Type.Integer()) }),
      body: Type.Object({
        n: Type.Integer(),
        on: Type.Optional(Type.Boolean()),
        flags: Type.Optional(Type.Array(Type.String())),
      }),
    };
    app.post("/parts/:id", { schema }, async (request) => ({
      params: request.params,
      query: request.query,
      count: request.headers["x-count"],
      body: request.body,
    }));
    const response = await app.inject({ method: "POST", url, payload: payload as object, headers: { "x-count": "3" } });
    await app.close();
    return { status: response.statusCode, body: response.json() };
  }

  it("reads a query value, a path parameter and a header (text) as their types, a lone query value as a list", async () => {
    const answer = await send("/parts/7?limit=5&tags=a", { n: 1, on: true, flags: ["x"] });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, {
      params: { id: 7 },
      query: { limit: 5, tags: ["a"] },
      count: 3,
      body: { n: 1, on: true, flags: ["x"] },
    });
  });

  it("checks a JSON body as sent: numeric text, null, a number for a boolean, a lone value for a list", async () => {
    const answer = await send("/parts/7", { n: "1", on: 1, flags: "x" });
    assert.equal(answer.status, 400);
    const fields = (answer.body["errors"] as { field: string }[]).map((error) => error.field).sort();
    assert.deepEqual(fields, ["body.flags", "body.n", "body.on"]);
    const nulls = await send("/parts/7", { n: null });
    assert.deepEqual(
      (nulls.body["errors"] as { field: string; message: string }[]).map((error) => error.field),
      ["body.n"],
    );
  });
});

describe("API validation problems of a long list", () => {
  it("describes the first few hundred errors of a 100,000-item list at once", async () => {
    const app = Fastify({ ajv: { customOptions: { allErrors: true } } });
    app.setErrorHandler(problemHandler);
    const body = Type.Object({ items: Type.Array(Type.Object({ n: Type.Number() }), { maxItems: 10 }) });
    app.post("/list", { schema: { body } }, async () => ({ ok: true }));
    const started = performance.now();
    const response = await app.inject({ method: "POST", url: "/list", payload: { items: Array(100_000).fill(1) } });
    const elapsedMs = performance.now() - started;
    await app.close();
    assert.equal(response.statusCode, 400);
    const { errors } = response.json() as { errors: { field: string; message: string }[] };
    assert.deepEqual(errors[0], { field: "body.items", message: "expected at most 10 item(s), got 100000" });
    assert.ok(errors.length <= 500, `${errors.length} errors`);
    // A guard against describing every error (minutes for 100,000, quadratic), not a speed target: about 0.5 s idle,
    // 2 s seen on a loaded 2-core machine.
    assert.ok(elapsedMs < 10_000, `${Math.round(elapsedMs)} ms`);
  });
});
