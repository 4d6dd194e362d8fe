/**
 * An attacker's sweep of the HTTP API: starts the platform in memory on the lab site, reads every route from the
 * OpenAPI document it publishes, and sends each route, as each role (platform admin, facility operator, tenant admin,
 * student, no key, a wrong key), malformed ids, query values and bodies: missing, extra and wrong-typed fields, huge
 * strings and arrays, deep nesting, numbers at and past every bound, control characters, path traversal, repeated
 * parameters, wrong content types, HEAD and OPTIONS. A finding is a 5xx, a stack trace, an answer slower than 3 s or
 * none at all, or a 4xx that is not problem+json. Prints the findings grouped and exits 1 when there is any.
 *
 * `npx tsx scripts/api-sweep.ts` (about 38,000 requests, 3 to 5 minutes on 2 cores); ROLES=admin,student and
 * PATHS=<regular expression over "METHOD /path"> narrow it.
 */
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read field by field.
type Json = any;

/** One answer the sweep counts as a defect. */
interface Finding {
  readonly request: string;
  readonly label: string;
  readonly status: number;
  readonly ms: number;
  readonly text: string;
}

const slowMs = 3_000;
const findings: Finding[] = [];
let requests = 0;

/** Sends one request and records it when it is a finding; an event stream's 200 is closed at its headers. */
async function send(
  url: string,
  method: string,
  path: string,
  key: string,
  label: string,
  body?: string,
  type?: string,
) {
  requests++;
  const started = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15_000);
  let status = 0;
  let contentType = "";
  let text = "";
  try {
    const headers: Record<string, string> = {};
    if (key !== "") headers.authorization = `Bearer ${key}`;
    if (type !== undefined) headers["content-type"] = type;
    const response = await fetch(url + path, { method, headers, body: body ?? null, signal: abort.signal });
    status = response.status;
    contentType = response.headers.get("content-type") ?? "";
    if (contentType.startsWith("text/event-stream")) abort.abort();
    else if (method !== "HEAD") text = await response.text();
  } catch (error) {
    if (!contentType.startsWith("text/event-stream")) text = String((error as Error).message ?? error);
  }
  clearTimeout(timer);
  const ms = performance.now() - started;
  const notProblem = status >= 400 && method !== "HEAD" && !contentType.includes("problem+json");
  if (status === 0 || status >= 500 || /at .*\.(ts|js):\d+/.test(text) || ms > slowMs || notProblem) {
    findings.push({
      request: `${method} ${path.slice(0, 160)}`,
      label,
      status,
      ms: Math.round(ms),
      text: text.slice(0, 200),
    });
  }
}

/** An object nested `depth` levels deep, built without recursion. */
function deep(depth: number): Json {
  const root: Json = {};
  let node = root;
  for (let level = 0; level < depth; level++) {
    node.a = {};
    node = node.a;
  }
  return root;
}

const bodyValues: [string, unknown][] = [
  ["null", null],
  ["negative", -1],
  ["zero", 0],
  ["fraction", 1.5],
  ["huge", 1e308],
  ["negative huge", -1e308],
  ["int32+1", 2_147_483_648],
  ["int53+1", Number.MAX_SAFE_INTEGER + 1],
  ["NaN text", "NaN"],
  ["text", "abc"],
  ["boolean", true],
  ["object", { a: 1 }],
  ["array", [1, 2]],
  ["200 kB text", "x".repeat(200_000)],
  ["control characters", "a\u0000b\u202e\ud800"],
  ["traversal", "../../etc/passwd"],
  ["empty", ""],
  ["100,000 items", Array.from({ length: 100_000 }, () => 1)],
  ["1,500 levels", deep(1_500)],
];
const queryValues: [string, string][] = [
  ["empty", ""],
  ["negative", "-1"],
  ["zero", "0"],
  ["huge", "1e308"],
  ["NaN", "NaN"],
  ["text", "abc"],
  ["fraction", "1.5"],
  ["traversal", "../../etc/passwd"],
  ["control characters", "%00%0a%e2%80%ae"],
  ["20 kB", "x".repeat(20_000)],
  ["23 digits", "99999999999999999999999"],
  ["bad UTF-8", "%ff%fe"],
  ["year 1", "0001-01-01T00:00:00Z"],
  ["int32+1", "2147483648"],
  ["int53+2", "9007199254740993"],
  ["hex", "0x10"],
];
const pathValues: [string, string][] = [
  ["traversal", "..%2F..%2Fetc%2Fpasswd"],
  ["NUL", "%00"],
  ["5 kB", "x".repeat(5_000)],
  ["negative", "-1"],
  ["huge", "1e308"],
  ["unicode", "%e2%80%ae%f0%9f%92%a9"],
  ["bad UTF-8", "%ff"],
  ["dots", ".."],
  ["space", "%20"],
  ["int32+1", "2147483648"],
];

/** The smallest value `schema` accepts, as far as a sweep needs one (required fields only). */
function example(document: Json, schema: Json, depth = 0): Json {
  const resolved = schema?.$ref ? document.components.schemas[schema.$ref.split("/").pop()] : schema;
  if (resolved === undefined || depth > 6) return null;
  if (resolved.const !== undefined) return resolved.const;
  if (resolved.enum) return resolved.enum[0];
  const options = resolved.anyOf ?? resolved.oneOf;
  if (options)
    return example(document, options.find((option: Json) => option.type !== "null") ?? options[0], depth + 1);
  if (resolved.default !== undefined) return resolved.default;
  const type = Array.isArray(resolved.type) ? resolved.type[0] : resolved.type;
  if (type === "object") {
    const value: Json = {};
    for (const [name, field] of Object.entries<Json>(resolved.properties ?? {}))
      if ((resolved.required ?? []).includes(name)) value[name] = example(document, field, depth + 1);
    return value;
  }
  if (type === "array") return [];
  if (type === "string")
    return resolved.format === "date-time" ? "2026-01-01T00:00:00Z" : "x".repeat(resolved.minLength ?? 1);
  if (type === "integer" || type === "number") return resolved.minimum ?? 1;
  return type === "boolean" ? false : null;
}

/** Every request of the sweep for one route and one key. */
async function sweepRoute(url: string, document: Json, method: string, path: string, operation: Json, key: string) {
  const parameters: Json[] = operation.parameters ?? [];
  const basePath = path.replace(/\{\w+\}/g, "does-not-exist");
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  const json = schema === undefined ? undefined : JSON.stringify(example(document, schema));
  const jsonType = schema === undefined ? undefined : "application/json";
  for (const [label, value] of pathValues)
    await send(url, method, path.replace(/\{\w+\}/g, value), key, `path ${label}`, json, jsonType);
  for (const parameter of parameters.filter((candidate) => candidate.in === "query")) {
    for (const [label, value] of queryValues)
      await send(
        url,
        method,
        `${basePath}?${parameter.name}=${value}`,
        key,
        `${parameter.name} ${label}`,
        json,
        jsonType,
      );
    await send(url, method, `${basePath}?${parameter.name}=1&${parameter.name}=2`, key, `${parameter.name} repeated`);
  }
  if (schema !== undefined) {
    const base = JSON.parse(json!);
    const bodies: [string, string, string][] = [
      ["example", json!, "application/json"],
      ["empty", "", "application/json"],
      ["malformed", "{", "application/json"],
      ["as text", json!, "text/plain"],
      ["as form", json!, "application/x-www-form-urlencoded"],
      ["10,000 levels", `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`, "application/json"],
      ["500,000 items", `[${"1,".repeat(500_000)}1]`, "application/json"],
      ["prototype keys", '{"__proto__":{"polluted":1},"constructor":{"prototype":{"p":1}}}', "application/json"],
    ];
    for (const [label, body, type] of bodies) await send(url, method, basePath, key, `body ${label}`, body, type);
    const properties = Object.keys(
      (schema.$ref ? document.components.schemas[schema.$ref.split("/").pop()] : schema).properties ?? {},
    );
    for (const field of properties) {
      const { [field]: _left, ...without } = base;
      await send(url, method, basePath, key, `body.${field} missing`, JSON.stringify(without), "application/json");
      for (const [label, value] of bodyValues)
        await send(
          url,
          method,
          basePath,
          key,
          `body.${field} ${label}`,
          JSON.stringify({ ...base, [field]: value }),
          "application/json",
        );
    }
  } else if (operation.requestBody !== undefined) {
    for (const type of Object.keys(operation.requestBody.content)) {
      await send(url, method, basePath, key, `raw ${type}`, "x".repeat(100), type);
      await send(url, method, basePath, key, `raw empty ${type}`, "", type);
    }
  } else if (method !== "GET") await send(url, method, basePath, key, "unexpected body", "{}", "application/json");
  await send(url, "HEAD", basePath, key, "HEAD");
  await send(url, "OPTIONS", basePath, key, "OPTIONS");
}

/** The keys the sweep calls with, by role. */
function keysOf(app: ComposedApp): Record<string, string> {
  const keys = app.demoKeys!;
  const token = (role: string) => keys.find((key) => key.role === role)!.token;
  return {
    admin: token("platform-admin"),
    operator: token("facility-operator"),
    "tenant-admin": token("tenant-admin"),
    student: token("student"),
    "no key": "",
    "wrong key": `alx_${"0".repeat(40)}`,
  };
}

async function main(): Promise<void> {
  const platform = platformFeatures({ speed: 60, telemetryInMemory: true, demoLoad: 0 });
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: platform.features,
    rateLimitPerMinute: 1_000_000,
  });
  try {
    const url = await app.server.listen({ port: 0, host: "127.0.0.1" });
    const document: Json = await (await fetch(`${url}/openapi.json`)).json();
    const keys = keysOf(app);
    const roles = process.env.ROLES?.split(",") ?? Object.keys(keys);
    const only = process.env.PATHS === undefined ? undefined : new RegExp(process.env.PATHS);
    for (const [path, operations] of Object.entries<Json>(document.paths)) {
      for (const [method, operation] of Object.entries<Json>(operations)) {
        if (only !== undefined && !only.test(`${method.toUpperCase()} ${path}`)) continue;
        for (const role of roles) await sweepRoute(url, document, method.toUpperCase(), path, operation, keys[role]!);
        const health = await fetch(`${url}/health`);
        await health.arrayBuffer();
        if (health.status !== 200)
          findings.push({ request: `after ${path}`, label: "health", status: health.status, ms: 0, text: "" });
      }
    }
  } finally {
    await app.close();
  }
  console.log(`${requests} requests, ${findings.length} findings`);
  for (const finding of findings) console.log(JSON.stringify(finding));
  process.exitCode = findings.length === 0 ? 0 : 1;
}

await main();
