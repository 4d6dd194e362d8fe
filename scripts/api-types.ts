/**
 * The OpenAPI document as the server builds it, and the console's API types generated from it (`npm run gen:api`
 * writes web/src/api/schema.d.ts; test/openapi.test.ts checks the checked-in file is what this generates).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";

/** Where the console's generated API types live. */
export const apiTypesFile = new URL("../web/src/api/schema.d.ts", import.meta.url).pathname;

/** The OpenAPI document of a platform with every default feature (in memory, on the lab site). */
export async function apiDocument(): Promise<Record<string, unknown>> {
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: false,
    features: defaultFeatures({ telemetryInMemory: true, demoLoad: 0 }),
  });
  try {
    await app.server.ready();
    return JSON.parse(JSON.stringify(app.server.swagger())) as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

const header = `/**
 * The alixan HTTP API's types, generated from its OpenAPI document by openapi-typescript: do not edit by hand.
 * Regenerate with \`npm run gen:api\` after changing a route's schema (test/openapi.test.ts checks this file).
 */
`;

/** The TypeScript declarations openapi-typescript makes of `document`. */
export async function apiTypes(document: Record<string, unknown>): Promise<string> {
  // openapi-typescript reads the document from a file so that its $refs resolve against one base.
  const directory = mkdtempSync(join(tmpdir(), "alixan-openapi-"));
  try {
    const file = join(directory, "openapi.json");
    writeFileSync(file, JSON.stringify(document));
    const ast = await openapiTS(pathToFileURL(file), { alphabetize: true, exportType: true });
    return `${header}\n${astToString(ast)}`;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const document = await apiDocument();
  writeFileSync(apiTypesFile, await apiTypes(document));
  const json = process.argv[2];
  if (json !== undefined) writeFileSync(json, `${JSON.stringify(document, null, 2)}\n`);
  process.stderr.write(`wrote ${apiTypesFile}${json === undefined ? "" : ` and ${json}`}\n`);
}
