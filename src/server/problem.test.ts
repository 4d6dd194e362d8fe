import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { Type } from "typebox";
import { apiAjvOptions } from "./app.ts";
import { problemHandler } from "./problem.ts";

/** A route validated as the API's are (Ajv, all errors, arrays coerced), its errors rendered by `problemHandler`. */
async function errorsOf(payload: unknown, url = "/check"): Promise<{ field: string; message: string }[]> {
  const app = Fastify({ ajv: apiAjvOptions });
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
    assert.ok(elapsedMs < 1500, `${Math.round(elapsedMs)} ms`);
  });
});
