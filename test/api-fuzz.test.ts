/**
 * Every operation of the OpenAPI document, fuzzed as every role: the platform starts in memory on the lab site, the
 * test reads /openapi.json from it and, for each operation and each key (platform admin, facility operator, tenant
 * admin, tenant member, student, a metrics scraper, no key, a revoked key, an expired key), sends requests fast-check
 * builds from the operation's own schemas — valid-looking ones, and ones spoiled in one place (test/support/api-fuzz.ts)
 * — with path parameters that are real ids (other tenants' among them), unknown ids or traversal; and, as the first
 * caller its authentication lets through, every wire-level abuse of its plausible request (wrong, missing or
 * unknown content type or coding, a body past the server's limit, malformed JSON, a query that is not UTF-8, a URL
 * past 8 KiB, headers under and past Node's limit: `wireAbuses`), each of which the server must refuse with its exact
 * status and field where it is the server that refuses it. A route added later is attacked without anyone writing a
 * case for it.
 *
 * Every answer must: not be a 5xx (a 503 only where the operation declares it); have a status the operation declares
 * exactly (no 4XX range: each 404, 409, 413... is listed where it is answered); be problem+json with the request id
 * and no stack when it is an error, and name a field when it is a 400; match its declared schema when it is a 2xx; be
 * a 401 without a valid key and a 403 for a role the route refuses; never give a tenant another tenant's resource.
 * `/health` answers after each operation. Answers that took a spoiled body are listed (type coercion, not failed
 * here). The platform is in memory with no collector, Slurm or BMC behind it, and the users and keys the test calls
 * with are never given to the operations that disable or revoke, so a destructive success reaches nothing real.
 *
 * Bounded for CI (fixed seed, a few requests per operation and role, ~25 s); a longer hunt:
 * `ALIXAN_FUZZ_RUNS=40 node --import tsx --test test/api-fuzz.test.ts` (ALIXAN_FUZZ_SEED picks another seed).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import { type Role, roleMayCall } from "../src/tenancy/roles.ts";
import { callApi, staffKey } from "./support/api.ts";
import {
  type FuzzAnswer,
  type FuzzRequest,
  type Json,
  type Operation,
  operationsOf,
  type Pool,
  plausibleRequest,
  pointerSegment,
  requestArbitrary,
  SchemaChecks,
  sendFuzz,
  wireAbuses,
} from "./support/api-fuzz.ts";

// Answers must survive their response schema unchanged, as under `npm test` (src/server/response-check.ts).
process.env.ALIXAN_CHECK_RESPONSES ??= "1";

const runs = Number(process.env.ALIXAN_FUZZ_RUNS ?? 3);
const seed = Number(process.env.ALIXAN_FUZZ_SEED ?? 20261207);
/** An answer slower than this is a finding (the platform is in memory; its slowest reads take tens of ms). */
const slowMs = 5_000;

/** Who calls: the role the platform knows (undefined without a valid key) and its tenant. */
interface Caller {
  readonly token: string | undefined;
  readonly role: Role | undefined;
  readonly tenantId: string | null;
}

let app: ComposedApp;
let base: string;
let document: Json;
let checks: SchemaChecks;
let pool: Pool;
const callers = new Map<string, Caller>();

/** The demo account of `email`: its token, role and tenant. */
function demoCaller(email: string): Caller {
  const key = app.demoKeys!.find((candidate) => candidate.email === email)!;
  return { token: key.token, role: key.role, tenantId: key.tenantId };
}

/** Submits a small job in every seeded tenant, so the pool holds jobs of tenants other than the callers'. */
async function seedJobs(): Promise<void> {
  for (const key of app.demoKeys!.filter((candidate) => candidate.tenantId !== null)) {
    const projects = await callApi(base, "GET", "/v1/projects", key.token);
    const projectId = projects.body[0]?.id;
    if (projectId === undefined) continue;
    const job = { projectId, name: "fuzz-seed", gpus: 1, durationS: 3_600, dataClass: "public" };
    const answer = await callApi(base, "POST", "/v1/jobs", key.token, job);
    assert.ok(answer.status < 300, `seeding a job for ${key.email}: ${answer.status}`);
  }
}

/**
 * Reads every list the admin may read (GET operations without path parameters) and keeps the ids and names they
 * hold, with the tenant of each, except the users and keys the callers use (never disabled nor revoked).
 */
async function harvest(adminToken: string, protectedValues: ReadonlySet<string>): Promise<Pool> {
  const byField = new Map<string, Set<string>>();
  const tenantOf = new Map<string, string>();
  const keep = (field: string, value: unknown) => {
    if (typeof value !== "string" || value.length > 200 || protectedValues.has(value)) return;
    if (!/(^id$|Id$|^name$|^target$)/.test(field)) return;
    const values = byField.get(field) ?? new Set<string>();
    values.add(value);
    byField.set(field, values);
  };
  for (const { method, path, spec } of operationsOf(document)) {
    const media = Object.keys(spec.responses["200"]?.content ?? {});
    if (method !== "GET" || path.includes("{") || !media.includes("application/json")) continue;
    const answer = await callApi(base, "GET", path, adminToken);
    if (answer.status !== 200) continue;
    const stack: Json[] = [answer.body];
    for (let visited = 0; stack.length > 0 && visited < 20_000; visited++) {
      const node = stack.pop();
      if (typeof node !== "object" || node === null) continue;
      if (!Array.isArray(node)) {
        for (const [field, value] of Object.entries<Json>(node)) keep(field, value);
        const tenant = path === "/v1/tenants" ? node.id : node.tenantId;
        if (typeof node.id === "string" && typeof tenant === "string") tenantOf.set(node.id, tenant);
      }
      stack.push(...Object.values(node));
    }
  }
  return {
    byField: new Map([...byField].map(([field, values]) => [field, [...values].slice(0, 100)])),
    tenantOf,
  };
}

/** Seconds the platform took to start and the test to learn its ids, printed with the run's figures. */
let setupSeconds = 0;

before(async () => {
  const setupStarted = performance.now();
  const platform = platformFeatures({ speed: 60, telemetryInMemory: true, demoLoad: 0 });
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: platform.features,
    rateLimitPerMinute: 100_000_000,
    // Keyless requests are most of a role's share: throttling them to 429 would hide the 401 the test checks.
    securityLog: { failuresBeforeThrottle: 1_000_000_000 },
  });
  base = await app.server.listen({ port: 0, host: "127.0.0.1" });
  document = await (await fetch(`${base}/openapi.json`)).json();
  checks = new SchemaChecks(document);
  const admin = demoCaller("admin@alixan.local");
  const operator = demoCaller("camille@alixan.local");
  callers.set("admin", admin);
  callers.set("operator", operator);
  callers.set("tenant admin", demoCaller("admin@valdiag.example"));
  callers.set("tenant member", demoCaller("lea.martin@valdiag.example"));
  callers.set("student", demoCaller("ines@campus-valence.example"));
  const scraper = await staffKey(base, admin.token!, "metrics-reader", "Fuzz scraper");
  callers.set("scraper", { token: scraper, role: "metrics-reader", tenantId: null });
  // A scraper may not ask who it is (GET /v1/me): its user and key are found by the name staffKey gave them.
  const scraperKey = (await callApi(base, "GET", "/v1/keys?limit=500", admin.token!)).body.find(
    (key: Json) => key.name === "Fuzz scraper",
  );
  callers.set("no key", { token: undefined, role: undefined, tenantId: null });
  const revoked = await callApi(base, "POST", "/v1/keys", operator.token!, { name: "fuzz revoked" });
  assert.equal((await callApi(base, "DELETE", `/v1/keys/${revoked.body.key.id}`, operator.token!)).status, 200);
  callers.set("revoked key", { token: revoked.body.token, role: undefined, tenantId: null });
  const expiresAt = Date.now() + 1_000;
  const expiring = await callApi(base, "POST", "/v1/keys", operator.token!, {
    name: "fuzz expired",
    expiresAt: new Date(expiresAt).toISOString(),
  });
  assert.equal(expiring.status, 201);
  callers.set("expired key", { token: expiring.body.token, role: undefined, tenantId: null });
  await seedJobs();
  const protectedValues = new Set<string>([scraperKey.id, scraperKey.userId]);
  for (const caller of callers.values()) {
    if (caller.role === undefined) continue;
    const me = await callApi(base, "GET", "/v1/me", caller.token!);
    protectedValues.add(me.body.userId).add(me.body.keyId);
  }
  pool = await harvest(admin.token!, protectedValues);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 100 - Date.now())));
  setupSeconds = (performance.now() - setupStarted) / 1000;
});
after(async () => {
  await app?.close();
});

/**
 * The response object the operation declares for `status`, resolved: exactly, or for a server error its `5XX` range
 * (a client status is never a range: the document lists each 4xx an operation answers).
 */
function declaredResponse(operation: Operation, status: number): { key: string; response: Json } | undefined {
  for (const key of status >= 500 ? [String(status), "5XX"] : [String(status)]) {
    const declared = operation.spec.responses[key];
    if (declared === undefined) continue;
    const response =
      typeof declared.$ref === "string" ? document.components.responses[declared.$ref.split("/").pop()] : declared;
    return { key, response };
  }
  return undefined;
}

/** What is wrong with an error answer: not problem+json, no request id, a stack, a 400 naming no field. */
function problemViolations(request: FuzzRequest, answer: FuzzAnswer): string[] {
  const found: string[] = [];
  if (!answer.type.startsWith("application/problem+json")) return [`${answer.status} as ${answer.type || "no type"}`];
  let problem: Json;
  try {
    problem = JSON.parse(answer.text);
  } catch {
    return [`${answer.status}: problem+json that is not JSON`];
  }
  const invalid = checks.errors("/components/schemas/Problem", problem);
  if (invalid !== undefined) found.push(`problem does not match its schema: ${invalid}`);
  if (problem.status !== answer.status) found.push(`problem status ${problem.status} on a ${answer.status}`);
  if (typeof problem.requestId !== "string" || problem.requestId !== answer.requestId)
    found.push(`problem request id ${problem.requestId} (header ${answer.requestId})`);
  if ("stack" in problem) found.push("problem carries a stack");
  const input = request.body !== undefined || request.url.includes("?");
  // Ingest routes name the input at fault in their report (`rejected[].path`), the others in `errors[].field`.
  const fields = [...(problem.errors ?? []), ...(problem.rejected ?? [])]
    .map((error: Json) => error.field ?? error.path)
    .filter((field: Json) => typeof field === "string" && field !== "");
  if (answer.status === 400 && input && fields.length === 0) found.push(`400 names no field: ${problem.detail}`);
  return found;
}

/** What is wrong with a success: a media type or a body the operation does not declare. */
function successViolations(operation: Operation, key: string, response: Json, answer: FuzzAnswer): string[] {
  const media = Object.keys(response.content ?? {});
  if (media.length === 0) return [];
  const type = media.find((declared) => answer.type.startsWith(declared));
  if (type === undefined) return [`${answer.status} as ${answer.type || "no type"}, declared ${media.join(", ")}`];
  if (!type.includes("json")) return [];
  let body: Json;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [`${answer.status}: ${type} that is not JSON`];
  }
  const pointer = `/paths/${pointerSegment(operation.path)}/${operation.method.toLowerCase()}/responses/${key}/content/${pointerSegment(type)}/schema`;
  const invalid = checks.errors(pointer, body);
  return invalid === undefined ? [] : [`${answer.status} body does not match its schema: ${invalid}`];
}

/** Tenants other than `tenantId` whose resources the request named or the answer holds. */
function otherTenants(request: FuzzRequest, answer: FuzzAnswer, tenantId: string): string[] {
  const seen = new Set<string>();
  for (const segment of request.url.split("?")[0]!.split("/")) {
    let value = segment;
    try {
      value = decodeURIComponent(segment);
    } catch {
      // Not percent-decodable: not an id of the pool either.
    }
    const owner = pool.tenantOf.get(value);
    if (owner !== undefined && owner !== tenantId) seen.add(`${owner} (${value} in the path)`);
  }
  if (answer.type.includes("json")) {
    const stack: Json[] = [JSON.parse(answer.text)];
    while (stack.length > 0) {
      const node = stack.pop();
      if (typeof node !== "object" || node === null) continue;
      if (typeof node.tenantId === "string" && node.tenantId !== tenantId) seen.add(`${node.tenantId} (in the answer)`);
      stack.push(...Object.values(node));
    }
  }
  return [...seen];
}

/** Whether `role` gets past authentication on `operation`: it needs no key, or the role may call it. */
function admitted(operation: Operation, role: Role | undefined): boolean {
  const secured = operation.spec.security === undefined || operation.spec.security.length > 0;
  const pattern = operation.path.replace(/\{(\w+)\}/g, ":$1");
  return !secured || (role !== undefined && roleMayCall(role, operation.method, pattern));
}

/** How the answer to a wire abuse differs from what it must be (its status, the field its problem names). */
function expectationViolations(operation: Operation, request: FuzzRequest, caller: Caller, answer: FuzzAnswer) {
  const expected = request.expect;
  if (expected === undefined || !(expected.always || admitted(operation, caller.role))) return [];
  if (expected.never === answer.status) return [`${request.note}: answered ${answer.status}`];
  if (expected.status === undefined) return [];
  if (expected.status !== answer.status) return [`${request.note}: answered ${answer.status}, not ${expected.status}`];
  if (expected.field === undefined || !answer.type.startsWith("application/problem+json")) return [];
  const problem = JSON.parse(answer.text);
  const fields = (problem.errors ?? []).map((error: Json) => error.field);
  return fields.includes(expected.field) ? [] : [`${request.note}: the problem names ${fields}, not ${expected.field}`];
}

/** Every invariant `answer` breaks (empty when it keeps them all). */
function violations(operation: Operation, request: FuzzRequest, caller: Caller, answer: FuzzAnswer): string[] {
  const { status } = answer;
  if (status === 0) return [`no answer: ${answer.text}`];
  const found: string[] = [];
  const declared = declaredResponse(operation, status);
  if (status >= 500 && !(status === 503 && operation.spec.responses["503"] !== undefined))
    found.push(`${status}: ${answer.text.slice(0, 300)}`);
  else if (declared === undefined) found.push(`status ${status} is not declared`);
  if (answer.ms > slowMs) found.push(`answered in ${Math.round(answer.ms)} ms`);
  if (answer.requestId === null) found.push("no x-request-id");
  if (answer.contentTypeOptions !== "nosniff") found.push("no x-content-type-options: nosniff");
  if (/\bat [^\n]*\.(ts|js|mjs):\d+/.test(answer.text)) found.push("a stack trace in the answer");
  if (status >= 400) found.push(...problemViolations(request, answer));
  else if (status < 300 && declared !== undefined)
    found.push(...successViolations(operation, declared.key, declared.response, answer));
  const secured = operation.spec.security === undefined || operation.spec.security.length > 0;
  // Input the server cannot keep (bad percent-encoding, NUL, unpaired surrogates, too long a URL) is refused before
  // anyone is authenticated (server/hygiene.ts): a 400 or 414 that tells nothing of the resource.
  const refusedBeforeAuthentication = status === 400 || status === 414 || status === 431;
  if (secured && !refusedBeforeAuthentication) {
    if (caller.role === undefined && status !== 401) found.push(`answered ${status} without a valid key`);
    else if (caller.role !== undefined && !admitted(operation, caller.role) && status !== 403)
      found.push(`answered ${status} to ${caller.role}, which may not call it`);
  }
  found.push(...expectationViolations(operation, request, caller, answer));
  if (status < 300 && caller.tenantId !== null) {
    const others = otherTenants(request, answer, caller.tenantId);
    if (others.length > 0) found.push(`${status} to tenant ${caller.tenantId} reached ${others.join(", ")}`);
  }
  return found;
}

/** Figures of the run, printed at the end. */
const stats = { operations: 0, requests: 0, byStatus: new Map<number, number>() };
/** Spoiled bodies the server took (2xx): type coercion, for the helper that makes bodies strict. */
const tookBadInput: string[] = [];

/** After a success that changes how the platform runs, puts it back (the demo load would take the machine). */
async function undoSideEffects(operation: Operation, answer: FuzzAnswer): Promise<void> {
  if (answer.status < 300 && operation.method === "PUT" && operation.path === "/v1/demo")
    await callApi(base, "PUT", "/v1/demo", callers.get("admin")!.token!, { running: false });
}

/**
 * Fuzzes `operation` as `role`; returns the failure (after shrinking) or undefined. With `wire`, every wire abuse of
 * the operation is also sent (after the plausible request), so each is checked on every run whatever the draws.
 */
async function fuzzOperation(
  operation: Operation,
  role: string,
  runSeed: number,
  wire: boolean,
): Promise<string | undefined> {
  const caller = callers.get(role)!;
  // The most plausible request first, so a success (and its body's schema) is checked on every run; its body is also
  // among those the random requests spoil.
  const plausible = plausibleRequest(document, operation, role, pool, caller.tenantId);
  const requests = requestArbitrary(document, operation, [role], pool, plausible);
  const property = fc.asyncProperty(requests, async (request) => {
    const answer = await sendFuzz(base, request, caller.token);
    stats.requests++;
    stats.byStatus.set(answer.status, (stats.byStatus.get(answer.status) ?? 0) + 1);
    await undoSideEffects(operation, answer);
    if (
      answer.status < 300 &&
      request.mutated &&
      request.json !== undefined &&
      operation.spec.requestBody !== undefined
    ) {
      const pointer = `/paths/${pointerSegment(operation.path)}/${operation.method.toLowerCase()}/requestBody/content/application~1json/schema`;
      const invalid = checks.errors(pointer, request.json);
      if (invalid !== undefined)
        tookBadInput.push(`${operation.method} ${operation.path} as ${role} (${request.note}): ${invalid}`);
    }
    const found = violations(operation, request, caller, answer);
    if (found.length > 0) throw new Error(`${found.join("; ")}\n    answer: ${answer.text.slice(0, 300)}`);
  });
  const examples: [FuzzRequest][] = [
    [plausible],
    ...(wire ? wireAbuses(operation, plausible).map((abuse): [FuzzRequest] => [abuse]) : []),
  ];
  // fast-check counts the examples among its runs: the wire abuses come on top of the random draws.
  const details = await fc.check(property, { seed: runSeed, numRuns: runs + examples.length - 1, examples });
  if (!details.failed) return undefined;
  const request = details.counterexample?.[0] as FuzzRequest | undefined;
  const sent =
    request === undefined
      ? ""
      : `${request.method} ${request.url.slice(0, 200)} (${request.note}) body ${String(request.body).slice(0, 200)}`;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${operation.method} ${operation.path} as ${role}: ${error}\n    sent: ${sent}`;
}

describe("every API operation, fuzzed from its schema as every role", () => {
  it("keeps every invariant, and the server stays up", async () => {
    const started = performance.now();
    const failures: string[] = [];
    const operations = operationsOf(document);
    assert.ok(operations.length >= 70, `only ${operations.length} operations`);
    for (const [index, operation] of operations.entries()) {
      stats.operations++;
      // The wire abuses, all of them, as the first caller authentication lets through (else the first: a 431 still).
      const roles = [...callers.keys()];
      const wireRole = roles.find((role) => admitted(operation, callers.get(role)!.role)) ?? roles[0];
      for (const [roleIndex, role] of roles.entries()) {
        const failure = await fuzzOperation(operation, role, seed + index * 100 + roleIndex, role === wireRole);
        if (failure !== undefined) failures.push(failure);
      }
      const health = await fetch(`${base}/health`);
      await health.arrayBuffer();
      assert.equal(health.status, 200, `/health after ${operation.method} ${operation.path}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const statuses = [...stats.byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}:${count}`);
    console.log(
      `# api fuzz: ${stats.operations} operations × ${callers.size} roles, ${stats.requests} requests in ${seconds.toFixed(1)} s after ${setupSeconds.toFixed(1)} s of set-up (${statuses.join(" ")}); ${failures.length} failures; ${tookBadInput.length} spoiled bodies taken`,
    );
    for (const taken of tookBadInput.slice(0, 50)) console.log(`# took a spoiled body: ${taken.slice(0, 400)}`);
    assert.deepEqual(failures, []);
  });
});
