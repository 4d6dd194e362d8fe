/**
 * The JSON Schema files alixan ships for editors (`npm run gen:schemas` writes schemas/*.schema.json), made from the
 * same TypeBox schemas that check the files at run time. test/json-schemas.test.ts checks the checked-in files are
 * what this generates, and that the shipped examples validate against them with a separate JSON Schema validator.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { TSchema } from "typebox";
import { PlatformConfigSchema } from "../src/config/file.ts";
import { ExecutionFileSchema } from "../src/execution/config.ts";
import { SiteFileSchema } from "../src/model/schema.ts";
import { QueueFileSchema } from "../src/scheduler/queues.ts";
import { TelemetryConfigSchema } from "../src/telemetry/config.ts";
import { ScenarioFileSchema } from "../src/twin/scenario-schema.ts";

/** The folder the schema files are written to. */
export const schemaDirectory = new URL("../schemas/", import.meta.url).pathname;

/** Every shipped schema file and the TypeBox schema it is made from. */
export const shippedSchemas: readonly { readonly file: string; readonly schema: TSchema }[] = [
  { file: "site.schema.json", schema: SiteFileSchema },
  { file: "alixan-config.schema.json", schema: PlatformConfigSchema },
  { file: "telemetry.schema.json", schema: TelemetryConfigSchema },
  { file: "execution.schema.json", schema: ExecutionFileSchema },
  { file: "queues.schema.json", schema: QueueFileSchema },
  { file: "scenario.schema.json", schema: ScenarioFileSchema },
];

type Node = Record<string, unknown>;

/**
 * The schema as an editor should read a file: a field with a default may be left out (the run-time schema requires
 * it because it checks a document after filling defaults in).
 */
export function editorSchema(schema: TSchema): Node {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== "object" || node === null) return node;
    const copy: Node = {};
    for (const [key, value] of Object.entries(node)) copy[key] = key === "default" ? value : visit(value);
    const properties = copy["properties"] as Record<string, Node> | undefined;
    if (Array.isArray(copy["required"]) && properties !== undefined) {
      const required = (copy["required"] as string[]).filter((name) => properties[name]?.["default"] === undefined);
      if (required.length > 0) copy["required"] = required;
      else delete copy["required"];
    }
    return copy;
  };
  return { $schema: "https://json-schema.org/draft/2020-12/schema", ...(visit(schema) as Node) };
}

/** The text of a schema file. */
export function schemaText(schema: TSchema): string {
  return `${JSON.stringify(editorSchema(schema), null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const { file, schema } of shippedSchemas) {
    const path = `${schemaDirectory}${file}`;
    const text = schemaText(schema);
    let before = "";
    try {
      before = readFileSync(path, "utf8");
    } catch {
      // A new schema file.
    }
    if (before !== text) writeFileSync(path, text);
    process.stdout.write(`${before === text ? "unchanged" : "wrote"} schemas/${file}\n`);
  }
}
