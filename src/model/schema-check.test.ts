/**
 * TypeBox problems in the words of a file's readers: each names the path, what was expected and what was found,
 * suggests the field or value a typo meant, and the compiled checks answer as the interpreted ones do.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Type } from "typebox";
import { formatPath } from "./diagnostics.ts";
import { checkSchema, closedObject, deepPartial } from "./schema-check.ts";

const Pump = closedObject({
  count: Type.Integer({ minimum: 1 }),
  redundancy: Type.Enum(["N", "N+1", "2N"], { default: "N" }),
  id: Type.String({ pattern: "^pump:[a-z]+$", patternErrorMessage: 'expected an id like "pump:name"' }),
  flowLpm: Type.Number({ exclusiveMinimum: 0 }),
});
const Plant = closedObject({
  pumps: Type.Array(Pump, { minItems: 1 }),
  loops: Type.Record(Type.String(), Type.Number(), {
    propertyNames: { pattern: "^[a-z]+$", patternErrorMessage: "expected a name of lower-case letters" },
    default: {},
  }),
  name: Type.String({ pattern: "\\S" }),
  since: Type.Optional(Type.String({ format: "date" })),
  extras: closedObject({ enabled: Type.Boolean({ default: false }) }, { default: {} }),
});

function problems(value: unknown): string[] {
  return checkSchema(Plant, value).problems.map(
    (problem) => `${formatPath(problem.path)} [${problem.code}] ${problem.message}`,
  );
}

const good = { pumps: [{ count: 2, id: "pump:a", flowLpm: 10 }], name: "plant" };

describe("checkSchema", () => {
  it("fills defaults, leaves the input untouched and drops null entries (YAML `key:`)", () => {
    const input = { ...good, since: null };
    const result = checkSchema(Plant, input);
    assert.ok(result.ok);
    assert.deepEqual(result.value, {
      pumps: [{ count: 2, id: "pump:a", flowLpm: 10, redundancy: "N" }],
      name: "plant",
      loops: {},
      extras: { enabled: false },
    });
    assert.deepEqual(input, { ...good, since: null });
  });

  it("names each problem by path, with what was expected, what was found, and a suggestion", () => {
    assert.deepEqual(
      problems({
        pumps: [{ count: 1.5, id: "a", flowLpm: "1,200", redundancy: "2n", flowLmp: 3 }],
        loops: { Main: 1, side: "x" },
        nme: "plant",
        since: "2026-13-01",
      }).sort(),
      [
        'loops.Main [format] expected a name of lower-case letters, got "Main"',
        'loops.side [type.number] expected a number, got "x"',
        'name [field.missing] required field "name" is missing',
        'nme [field.unknown] unknown field "nme" (did you mean "name"?)',
        "pumps[0].count [range] expected a whole number, got 1.5",
        'pumps[0].flowLmp [field.unknown] unknown field "flowLmp" (did you mean "flowLpm"?)',
        'pumps[0].flowLpm [type.number] expected a number, got "1,200" (write numbers without separators)',
        'pumps[0].id [format] expected an id like "pump:name", got "a"',
        'pumps[0].redundancy [enum] must be one of: N, N+1, 2N; got "2n" (did you mean "2N"?)',
        'since [format] expected a date as YYYY-MM-DD, got "2026-13-01"',
      ].sort(),
    );
  });

  it("says what a wrong kind of value is, bounds, blank text and empty lists", () => {
    assert.deepEqual(problems({ pumps: [], name: " " }).sort(), [
      'name [type.string] expected non-empty text, got " "',
      "pumps [range] expected at least 1 item(s), got 0",
    ]);
    assert.deepEqual(problems({ pumps: [{ count: 0, id: "pump:a", flowLpm: 0 }], name: "p", extras: [] }).sort(), [
      "extras [type.mapping] expected a mapping, got a list",
      "pumps[0].count [range] must be at least 1, got 0",
      "pumps[0].flowLpm [range] must be greater than 0, got 0",
    ]);
    assert.deepEqual(problems("plant"), [' [type.mapping] expected a mapping, got "plant"']);
  });

  it("prefixes paths for documents nested in others", () => {
    const result = checkSchema(Plant, { ...good, name: 3 }, { path: ["body", "plants", 2] });
    assert.equal(formatPath(result.problems[0]!.path), "body.plants[2].name");
  });

  it("names a value none of a union's forms takes, a constant beside a number included", () => {
    const Response = closedObject({
      responseS: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 60 }), Type.Literal("off")])),
      mode: Type.Optional(Type.Union([Type.Literal("auto"), Type.Integer({ minimum: 1 }), Type.Boolean()])),
    });
    const said = (value: unknown) =>
      checkSchema(Response, value).problems.map((problem) => `${formatPath(problem.path)}: ${problem.message}`);
    // A string reaches the constant branch, whose lone `const` error said nothing: the check failed with no problem.
    assert.deepEqual(said({ responseS: "soon" }), ['responseS: expected a number from 0 to 60 or "off", got "soon"']);
    assert.deepEqual(said({ mode: "manual" }), [
      'mode: expected "auto", a whole number ≥ 1 or true or false, got "manual"',
    ]);
    assert.deepEqual(said({ responseS: 61 }), ["responseS: must be at most 60, got 61"]);
    assert.ok(checkSchema(Response, { responseS: "off", mode: true }).ok);
  });

  it("answers the same once the schema is compiled (after its first few uses)", () => {
    const bad = { ...good, pumps: [{ count: 0, id: "pump:a", flowLpm: 1 }] };
    const first = Array.from({ length: 6 }, () => checkSchema(Plant, bad).problems);
    for (const answer of first) assert.deepEqual(answer, first[0]);
    for (let i = 0; i < 6; i++) assert.ok(checkSchema(Plant, good).ok);
  });

  it("deepPartial checks only what a layer gives, at every depth, and fills no default", () => {
    const Layer = deepPartial(Plant);
    const result = checkSchema(Layer, { pumps: [{ flowLpm: 5 }] });
    assert.ok(result.ok);
    assert.deepEqual(result.value, { pumps: [{ flowLpm: 5 }] });
    assert.equal(checkSchema(Layer, { pumps: [{ flowLpm: -1 }] }).problems[0]?.code, "range");
    assert.equal(checkSchema(Layer, { pump: [] }).problems[0]?.code, "field.unknown");
  });
});
