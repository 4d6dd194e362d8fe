/**
 * Request bodies are checked as sent: a JSON body's `null`, numeric text, a boolean sent as a number or a lone value
 * where a list is wanted is refused naming the field, and nothing is stored; the API's validator once coerced them
 * (null to 0, "16" to 16, 1 to true, "public" to ["public"]) and kept what the client never sent. Query values are
 * text and are still read as their type (`?limit=1`).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApiAnswer, callApi, type SeededLab, startSeededLab } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

let lab: SeededLab;
const call = (method: string, path: string, key: string, body?: unknown) => callApi(lab.url, method, path, key, body);
const admin = () => lab.keys["admin@alixan.local"]!;
const lea = () => lab.keys["lea.martin@valdiag.example"]!;

before(async () => {
  lab = await startSeededLab();
});
after(() => lab.app.close());

/** Asserts `answer` is a 400 problem whose errors name `field` (and only fields under it). */
function refusedNaming(answer: ApiAnswer, field: string, sent: string): void {
  assert.equal(answer.status, 400, `${sent}: ${JSON.stringify(answer.body)}`);
  assert.match(answer.type, /application\/problem\+json/);
  const fields = (answer.body.errors as Json[]).map((error) => error.field as string);
  assert.ok(fields.includes(field), `${sent}: expected ${field} among ${JSON.stringify(fields)}`);
  assert.ok(
    fields.every((named) => named.startsWith(field)),
    `${sent}: only ${field} is wrong, named ${JSON.stringify(fields)}`,
  );
}

describe("bodies checked as sent", () => {
  it("a queue's quota or weight sent as null, text or a boolean is refused, and the configuration is unchanged", async () => {
    const before = (await call("GET", "/v1/queue-config", admin())).body;
    const base = { tenant: "valdiag", quota: { gpu: { nominal: 4 } } };
    const cases: [string, unknown, string][] = [
      ["nominal null", { ...base, quota: { gpu: { nominal: null } } }, "body.quota.gpu.nominal"],
      ['nominal "16"', { ...base, quota: { gpu: { nominal: "16" } } }, "body.quota.gpu.nominal"],
      ["nominal true", { ...base, quota: { gpu: { nominal: true } } }, "body.quota.gpu.nominal"],
      ['weight "2"', { ...base, weight: "2" }, "body.weight"],
      ["weight null", { ...base, weight: null }, "body.weight"],
    ];
    for (const [sent, body, field] of cases)
      refusedNaming(await call("PUT", "/v1/queues/typed", admin(), body), field, sent);
    const after = (await call("GET", "/v1/queue-config", admin())).body;
    assert.equal(after.version, before.version);
    assert.equal(
      (after.config.queues as Json[]).some((queue) => queue.name === "typed"),
      false,
    );
    // The same body with its types right is taken: the refusals above were the types, nothing else.
    const taken = await call("PUT", "/v1/queues/typed", admin(), { ...base, weight: 2 });
    assert.equal(taken.status, 200, JSON.stringify(taken.body));
  });

  it("a job's integer, boolean and list fields sent as text, numbers, null or a lone value are refused, no job kept", async () => {
    const projectId = (await call("GET", "/v1/projects", lea())).body[0].id as string;
    const base = { projectId, name: "typed", gpus: 1, durationS: 600, dataClass: "public" };
    const cases: [string, unknown, string][] = [
      ['gpus "1"', { ...base, gpus: "1" }, "body.gpus"],
      ["gpus null", { ...base, gpus: null }, "body.gpus"],
      ["durationS true", { ...base, durationS: true }, "body.durationS"],
      // Coerced, "Infinity" became Infinity and passed the 30-day bound: a job that never ended (the API fuzzer).
      ['durationS "Infinity"', { ...base, durationS: "Infinity" }, "body.durationS"],
      ["hold 1", { ...base, hold: 1 }, "body.hold"],
      ['deferrable "true"', { ...base, deferrable: "true" }, "body.deferrable"],
      ['gpuModels "H200"', { ...base, gpuModels: "H200" }, "body.gpuModels"],
      ["gang null", { ...base, gang: null }, "body.gang"],
    ];
    for (const [sent, body, field] of cases) refusedNaming(await call("POST", "/v1/jobs", lea(), body), field, sent);
    const kept = (await call("GET", "/v1/jobs?namePrefix=typed&limit=1000", lea())).body as Json[];
    assert.deepEqual(kept, []);
    const taken = await call("POST", "/v1/jobs", lea(), { ...base, hold: true, gpuModels: ["H200"] });
    assert.equal(taken.status, 201, JSON.stringify(taken.body));
  });

  it("the demo load's switch sent as 1 and its share as text are refused, and it does not start", async () => {
    refusedNaming(await call("PUT", "/v1/demo", admin(), { running: 1 }), "body.running", "running 1");
    refusedNaming(await call("PUT", "/v1/demo", admin(), { running: "true" }), "body.running", 'running "true"');
    refusedNaming(await call("PUT", "/v1/demo", admin(), { running: true, load: "0.5" }), "body.load", 'load "0.5"');
    assert.equal((await call("GET", "/v1/demo", admin())).body.running, false);
  });

  it("a tenant's data classes sent as one value instead of a list are refused, and no tenant is created", async () => {
    const body = { id: "typed-tenant", name: "Typed", kind: "research", dataClasses: "public" };
    refusedNaming(await call("POST", "/v1/tenants", admin(), body), "body.dataClasses", 'dataClasses "public"');
    assert.equal((await call("GET", "/v1/tenants/typed-tenant", admin())).status, 404);
  });

  it("a grid event's duration as text and reduction as null are refused, and no event is recorded", async () => {
    const base = { reduceMW: 0.1, durationS: 600, reason: "typed" };
    refusedNaming(
      await call("POST", "/v1/grid/events", admin(), { ...base, durationS: "600" }),
      "body.durationS",
      'durationS "600"',
    );
    refusedNaming(
      await call("POST", "/v1/grid/events", admin(), { ...base, reduceMW: null }),
      "body.reduceMW",
      "reduceMW null",
    );
    // Coerced, "Infinity" passed its bound and the event answered 500 (the API fuzzer).
    refusedNaming(
      await call("POST", "/v1/grid/events", admin(), { ...base, reduceMW: "Infinity" }),
      "body.reduceMW",
      'reduceMW "Infinity"',
    );
    const events = await call("GET", "/v1/grid/events?limit=5", admin());
    assert.equal(events.status, 200, JSON.stringify(events.body));
    assert.deepEqual(events.body, []);
  });

  it("query values are text read as their type: ?limit=1 pages, ?limit=x is refused naming it", async () => {
    const projectId = (await call("GET", "/v1/projects", lea())).body[0].id as string;
    for (const name of ["query-a", "query-b"]) {
      const submitted = await call("POST", "/v1/jobs", lea(), {
        projectId,
        name,
        gpus: 0,
        durationS: 600,
        dataClass: "public",
      });
      assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    }
    const page = await call("GET", "/v1/jobs?namePrefix=query-&limit=1&includeDemo=false", lea());
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.length, 1);
    refusedNaming(await call("GET", "/v1/jobs?limit=x", lea()), "querystring.limit", "?limit=x");
  });
});
