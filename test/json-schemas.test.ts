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
import { PlatformConfigSchema } from "../src/config/file.ts";
import { formatPath } from "../src/model/diagnostics.ts";
import { checkSchema } from "../src/model/schema-check.ts";
import { TelemetryConfigSchema } from "../src/telemetry/config.ts";
import { ScenarioFileSchema } from "../src/twin/scenario-schema.ts";

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

  it("every shipped scenario validates against scenario.schema.json; a misspelt field is refused where the platform refuses it", () => {
    const validate = editorValidator("scenario.schema.json");
    const folder = join(root, "src", "twin", "scenarios");
    const scenarios = readdirSync(folder).filter((name) => name.endsWith(".yaml"));
    assert.ok(scenarios.length >= 5);
    for (const name of scenarios) {
      const document: unknown = parse(readFileSync(join(folder, name), "utf8"));
      assert.ok(validate(document), `${name}: ${JSON.stringify(validate.errors)}`);
    }
    const typo = { events: [{ at: "1d", setpoint: { waterClass: "W32", fwsSupply: 30 } }] };
    assert.equal(validate(typo), false);
    assert.ok(
      validate.errors?.some(
        (error) => error.instancePath === "/events/0/setpoint" && error.keyword === "additionalProperties",
      ),
    );
    const platform = checkSchema(ScenarioFileSchema, typo);
    assert.deepEqual(
      platform.problems.map((problem) => formatPath(problem.path)),
      ["events[0].setpoint.fwsSupply"],
    );
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

  it("the documented alixan.yaml and its sections validate against their schema files", () => {
    const example = parse(readFileSync(join(root, "docs", "alixan.example.yaml"), "utf8")) as Record<string, unknown>;
    const sections: [string, unknown][] = [
      ["alixan-config.schema.json", example],
      ["execution.schema.json", example["execution"]],
      ["queues.schema.json", example["queues"]],
      ["queues.schema.json", parse(readFileSync(join(root, "src", "scheduler", "queues.example.yaml"), "utf8"))],
    ];
    const { historyDir: _, ...telemetry } = example["telemetry"] as Record<string, unknown>;
    sections.push(["telemetry.schema.json", telemetry]);
    for (const [file, document] of sections) {
      const validate = editorValidator(file);
      assert.ok(validate(document), `${file}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it("alixan-config.schema.json and the platform refuse the same broken fields, named by path", () => {
    const validate = editorValidator("alixan-config.schema.json");
    const broken = {
      store: { dataDirr: "/srv" },
      telemetry: { retention: { rawDays: -1 }, webhooks: [{ url: "mailto:ops@example.org" }] },
      execution: { backend: "kubernetes" },
      logging: { level: "loud" },
    };
    assert.equal(validate(broken), false);
    const editor = new Set(validate.errors?.map((error) => `${error.instancePath} ${error.keyword}`));
    for (const expected of [
      "/store additionalProperties",
      "/telemetry/retention/rawDays exclusiveMinimum",
      "/telemetry/webhooks/0/url pattern",
      "/execution/backend enum",
      "/logging/level enum",
    ]) {
      assert.ok(editor.has(expected), `${expected} not in ${[...editor].join(", ")}`);
    }
    const checked = checkSchema(PlatformConfigSchema, broken);
    assert.deepEqual(
      checked.problems.map((problem) => `${formatPath(problem.path)}: ${problem.message}`),
      [
        'store.dataDirr: unknown field "dataDirr" (did you mean "dataDir"?)',
        "telemetry.retention.rawDays: must be greater than 0, got -1",
        'telemetry.webhooks[0].url: expected an http(s) URL, got "mailto:ops@example.org"',
        'execution.backend: must be one of: simulated, slurm; got "kubernetes"',
        'logging.level: must be one of: fatal, error, warn, info, debug, trace, silent; got "loud"',
      ],
    );
  });

  it("telemetry.schema.json refuses an unknown section and a non-http Prometheus target", () => {
    const validate = editorValidator("telemetry.schema.json");
    const document = { hotWindow: 5, prometheus: { targets: [{ url: "ftp://x" }] } };
    assert.equal(validate(document), false);
    assert.ok(validate.errors?.some((error) => error.keyword === "additionalProperties" && error.instancePath === ""));
    assert.ok(validate.errors?.some((error) => error.instancePath === "/prometheus/targets/0/url"));
    const paths = checkSchema(TelemetryConfigSchema, document).problems.map((problem) => formatPath(problem.path));
    assert.deepEqual(paths, ["hotWindow", "prometheus.targets[0].url"]);
  });

  it("telemetry.schema.json describes Redfish services and alarm rules field by field, as the platform checks them", () => {
    const validate = editorValidator("telemetry.schema.json");
    const good = {
      redfish: [
        {
          name: "cdu-h2-r08-01",
          url: "https://10.20.8.11",
          passwordEnv: "CDU_PASSWORD",
          subscription: { destination: "https://alixan.example:8443", eventTypes: ["Alert"] },
          resources: [{ uri: "/redfish/v1/Chassis/CDU/Sensors/PrimaryFlow", series: "cdu_primary_flow_lpm" }],
        },
      ],
      rules: [
        { id: "hot", kind: "threshold", series: "t", above: [{ severity: "critical", value: 45, clear: 43 }] },
        { id: "fast", kind: "rate", series: ["t", "u"], risePerMinute: 2 },
        { id: "gone", kind: "stale", series: "t", afterSeconds: 60 },
        { id: "leak", kind: "state", series: "leak_detector_state", states: { "1": "warning", "2": "critical" } },
        { id: "rack", kind: "capacity", series: "rack_power_kw", capacity: "power" },
      ],
    };
    assert.ok(validate(good), JSON.stringify(validate.errors));
    assert.ok(checkSchema(TelemetryConfigSchema, good).ok);
    const bad = {
      redfish: [{ name: "cdu", url: "https://10.0.0.1", intervalSecond: 5, resources: [{ uri: "/v1/Chassis" }] }],
      rules: [
        { id: "gone", kind: "stale", series: "t", afterSeconds: 60, above: [] },
        { id: "leak", kind: "state", series: "t", states: { one: "warning" } },
      ],
    };
    assert.equal(validate(bad), false);
    const editor = new Set(validate.errors?.map((error) => `${error.instancePath} ${error.keyword}`));
    for (const expected of [
      "/redfish/0 additionalProperties",
      "/redfish/0/resources/0/uri pattern",
      "/rules/0 additionalProperties",
      "/rules/1/states propertyNames",
    ]) {
      assert.ok(editor.has(expected), `${expected} not in ${[...editor].join(", ")}`);
    }
    const paths = checkSchema(TelemetryConfigSchema, bad).problems.map((problem) => formatPath(problem.path));
    assert.deepEqual(paths, [
      "redfish[0].intervalSecond",
      "redfish[0].resources[0].uri",
      "rules[0].above",
      "rules[1].states.one",
    ]);
  });
});
