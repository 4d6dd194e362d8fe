/**
 * The shipped JSON Schema files (schemas/*.schema.json) are what `npm run gen:schemas` makes of the TypeBox schemas
 * the platform checks files with, and a separate validator (Ajv, JSON Schema 2020-12, as editors use) accepts the
 * shipped examples and refuses a typo.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { schemaDirectory, schemaText, shippedSchemas } from "../scripts/json-schemas.ts";

const root = join(import.meta.dirname, "..");

function editorValidator(file: string) {
  const ajv = new Ajv2020.default({ allErrors: true });
  // VS Code and yaml-language-server read this annotation; Ajv must only know it is one.
  ajv.addKeyword("patternErrorMessage");
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(schemaDirectory, file), "utf8")) as object);
}

describe("shipped JSON Schema files", () => {
  for (const { file, schema } of shippedSchemas) {
    it(`schemas/${file} is current (npm run gen:schemas)`, () => {
      assert.equal(readFileSync(join(schemaDirectory, file), "utf8"), schemaText(schema));
    });
  }

  it("every shipped site validates against site.schema.json, defaults left out", () => {
    const validate = editorValidator("site.schema.json");
    const sites = readdirSync(join(root, "sites")).filter((name) => name.endsWith(".yaml"));
    assert.ok(sites.length >= 3);
    for (const name of sites) {
      const document: unknown = parse(readFileSync(join(root, "sites", name), "utf8"));
      assert.ok(validate(document), `${name}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("site.schema.json refuses a misspelt field and a bad id, where the platform does", () => {
    const validate = editorValidator("site.schema.json");
    const lab = parse(readFileSync(join(root, "sites", "lab.yaml"), "utf8")) as Record<string, unknown>;
    const rackTypes = lab["rackTypes"] as Record<string, unknown>[];
    const typo = { ...lab, rackTypes: [{ ...rackTypes[0], designPowerKw: 10 }, ...rackTypes.slice(1)] };
    assert.equal(validate(typo), false);
    assert.ok(
      validate.errors?.some(
        (error) => error.instancePath === "/rackTypes/0" && error.keyword === "additionalProperties",
      ),
    );
    const zone = { ...lab, zones: [{ id: "hds", name: "HDS suite" }] };
    assert.equal(validate(zone), false);
    assert.ok(validate.errors?.some((error) => error.instancePath === "/zones/0/id" && error.keyword === "pattern"));
  });
});
