/**
 * Jobs as cluster users expect, through the API on the lab site: arrays with a %N throttle (listed, held, released
 * and cancelled whole), dependencies (waiting reasons, a failed afterok cancels the dependent, refusals naming the
 * field for unknown ids and other tenants' jobs), hold/release (a staff hold only staff release) and requeue, each in
 * the job's history and the audit log.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { callApi } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

let app: ComposedApp;
let url: string;
const keys: Record<string, string> = {};
const call = (method: string, path: string, key: string, body?: unknown) => callApi(url, method, path, key, body);

let lea = "";
let leaProject = "";
const job = (fields: Record<string, unknown> = {}) =>
  call("POST", "/v1/jobs", lea, {
    projectId: leaProject,
    name: "train",
    gpus: 1,
    durationS: 36_000,
    dataClass: "confidential",
    ...fields,
  });
/** Lets queued store writes of the engine land (history events are written after the change). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
const get = async (id: string) => (await call("GET", `/v1/jobs/${id}`, lea)).body;

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    rateLimitPerMinute: 100_000,
    features: defaultFeatures({ speed: 60, demoLoad: 0, telemetryInMemory: true, maxQueuedPerTenant: 50 }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  for (const key of app.demoKeys!) keys[key.email] = key.token;
  lea = keys["lea.martin@valdiag.example"]!;
  leaProject = (await call("GET", "/v1/projects", lea)).body[0].id;
});
after(async () => {
  await app.close();
});

describe("job arrays", () => {
  it("creates one task per index, runs at most %N at once, lists and cancels the whole array", async () => {
    const submitted = await job({ name: "sweep", array: "0-9:3,20%2" });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const arrayId = submitted.body.arrayJobId;
    assert.match(arrayId, /^job_[0-9a-f]+$/);
    assert.equal(submitted.body.array, "0,3,6,9,20%2");
    assert.equal(submitted.body.taskCount, 5);
    assert.deepEqual(
      submitted.body.tasks.map((task: Json) => [task.id, task.arrayJobId, task.arrayTaskId, task.name]),
      [0, 3, 6, 9, 20].map((index) => [`${arrayId}_${index}`, arrayId, index, `sweep[${index}]`]),
    );
    const placed = submitted.body.tasks.filter((task: Json) => task.state === "running" || task.state === "admitted");
    assert.equal(placed.length, 2, JSON.stringify(submitted.body.tasks.map((task: Json) => task.state)));
    const waiting = submitted.body.tasks.filter((task: Json) => task.state === "queued");
    assert.equal(waiting.length, 3);
    for (const task of waiting) assert.match(task.reason, /runs 2 tasks, at most 2 at once \(%2\)/);

    // One task ends: the next starts, still at most 2.
    await call("POST", `/v1/jobs/${placed[0].id}/cancel`, lea);
    const read = await call("GET", `/v1/job-arrays/${arrayId}`, lea);
    assert.equal(read.status, 200);
    assert.equal(read.body.taskCount, 5);
    assert.equal(read.body.maxRunning, 2);
    assert.deepEqual(read.body.states, { cancelled: 1, running: 2, queued: 2 });

    // The list collapses the array to one row counting its tasks (filters apply to the tasks), a plain job stays.
    const single = (await job({ name: "single" })).body;
    const collapsed = await call("GET", `/v1/jobs?arrays=collapse&namePrefix=s`, lea);
    assert.equal(collapsed.status, 200);
    const rows = collapsed.body.filter((row: Json) => row.arrayJobId === arrayId);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].arrayTasks, { count: 5, states: { cancelled: 1, running: 2, queued: 2 } });
    assert.ok(collapsed.body.some((row: Json) => row.id === single.id && row.arrayTasks === undefined));
    assert.equal(collapsed.headers.get("x-total-count"), String(collapsed.body.length));
    const queuedOnly = await call("GET", `/v1/jobs?arrays=collapse&state=queued&namePrefix=sweep`, lea);
    assert.deepEqual(
      queuedOnly.body.map((row: Json) => row.arrayTasks),
      [{ count: 2, states: { queued: 2 } }],
    );
    const paged = await call("GET", `/v1/jobs?arrays=collapse&namePrefix=s&limit=1`, lea);
    const next = await call(
      "GET",
      `/v1/jobs?arrays=collapse&namePrefix=s&limit=1&cursor=${encodeURIComponent(paged.headers.get("x-next-cursor")!)}`,
      lea,
    );
    assert.deepEqual(
      [...paged.body, ...next.body].map((row: Json) => row.id).sort(),
      collapsed.body.map((row: Json) => row.id).sort(),
    );
    assert.equal((await call("GET", `/v1/jobs?arrays=all`, lea)).status, 400);
    await call("POST", `/v1/jobs/${single.id}/cancel`, lea);

    // Another tenant does not see it.
    const hugo = keys["hugo@rhone-pharma.example"]!;
    assert.equal((await call("GET", `/v1/job-arrays/${arrayId}`, hugo)).status, 404);
    assert.equal((await call("POST", `/v1/job-arrays/${arrayId}/cancel`, hugo)).status, 404);

    const cancelled = await call("POST", `/v1/job-arrays/${arrayId}/cancel`, lea, { reason: "wrong data" });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.cancelled, 4);
    const after = await call("GET", `/v1/job-arrays/${arrayId}`, lea);
    assert.deepEqual(after.body.states, { cancelled: 5 });
    assert.equal((await call("POST", `/v1/job-arrays/${arrayId}/cancel`, lea)).status, 409);
  });

  it("refuses bad, huge and over-cap arrays naming the field", async () => {
    for (const array of ["5-1", "0-99999999", "0-10000", "0-9%0", "x"]) {
      const refused = await job({ array });
      assert.equal(refused.status, 400, array);
      assert.equal(refused.body.errors[0].field, "body.array", array);
    }
    // Each task counts against the tenant's waiting cap (50 here).
    const tooMany = await job({ array: "0-60" });
    assert.equal(tooMany.status, 429, JSON.stringify(tooMany.body));
    assert.match(tooMany.body.detail, /adds 61/);
  });
});

describe("holding a whole array", () => {
  const arrayOf = async (arrayId: string) => (await call("GET", `/v1/job-arrays/${arrayId}`, lea)).body;
  const auditOf = async (arrayId: string) =>
    (await call("GET", `/v1/audit?resource=job:${arrayId}`, keys["audit@alixan.local"]!)).body as Json[];

  it("holds its waiting tasks, starts none while held, and once released runs them in task order", async () => {
    const submitted = (await job({ name: "held-sweep", array: "0-4%1" })).body;
    const arrayId = submitted.arrayJobId;
    const ids: string[] = submitted.tasks.map((task: Json) => task.id);
    assert.deepEqual(
      submitted.tasks.map((task: Json) => task.state),
      ["running", "queued", "queued", "queued", "queued"],
    );
    const hugo = keys["hugo@rhone-pharma.example"]!;
    assert.equal((await call("POST", `/v1/job-arrays/${arrayId}/hold`, hugo)).status, 404);

    const held = await call("POST", `/v1/job-arrays/${arrayId}/hold`, lea, { reason: "wrong input" });
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.deepEqual(held.body, { arrayJobId: arrayId, held: 4 });
    const again = await call("POST", `/v1/job-arrays/${arrayId}/hold`, lea);
    assert.equal(again.status, 409, "nothing left to hold");
    assert.match(again.body.detail, /no waiting task that is not held/);

    // The running task ends: the %1 has room, yet no held task starts.
    await call("POST", `/v1/jobs/${ids[0]}/cancel`, lea);
    await settle();
    const whileHeld = await arrayOf(arrayId);
    assert.deepEqual(whileHeld.states, { cancelled: 1, queued: 4 });
    assert.equal(whileHeld.held, 4);
    for (const task of whileHeld.tasks.slice(1)) assert.match(task.reason, /^held by /);
    assert.equal((await get(ids[1]!)).held.staff, false, "a tenant's hold is a user hold");

    const released = await call("POST", `/v1/job-arrays/${arrayId}/release`, lea, { reason: "input fixed" });
    assert.equal(released.status, 200, JSON.stringify(released.body));
    assert.deepEqual(released.body, { arrayJobId: arrayId, released: 4, keptHeld: 0 });
    assert.equal((await call("POST", `/v1/job-arrays/${arrayId}/release`, lea)).status, 409, "nothing held");
    // One at a time (%1), in task order.
    for (let at = 1; at < 5; at++) {
      const states = (await arrayOf(arrayId)).tasks.map((task: Json) => task.state);
      assert.deepEqual(states.slice(at), ["running", ...Array(4 - at).fill("queued")], `task ${at}`);
      await call("POST", `/v1/jobs/${ids[at]}/cancel`, lea);
    }

    // One audit record per call naming the tasks; each task's history has its hold and release.
    await settle();
    const audit = await auditOf(arrayId);
    const holds = audit.filter((entry) => entry.action === "job.hold");
    const releases = audit.filter((entry) => entry.action === "job.release");
    assert.equal(holds.length, 1, JSON.stringify(audit));
    assert.equal(releases.length, 1, JSON.stringify(audit));
    assert.deepEqual(holds[0].after.tasks, ids.slice(1));
    assert.deepEqual([holds[0].after.byStaff, holds[0].after.reason], [false, "wrong input"]);
    assert.deepEqual(releases[0].after.tasks, ids.slice(1));
    for (const id of ids.slice(1)) {
      const events = (await call("GET", `/v1/jobs/${id}/history`, lea)).body.map((event: Json) => event.event);
      assert.ok(events.includes("job.hold") && events.includes("job.release"), `${id}: ${JSON.stringify(events)}`);
    }
  });

  it("a staff hold of an array is released only by staff; a tenant's release leaves those tasks held", async () => {
    const operator = keys["camille@alixan.local"]!;
    const submitted = (await job({ name: "staff-held", array: "0-3%1" })).body;
    const arrayId = submitted.arrayJobId;
    const ids: string[] = submitted.tasks.map((task: Json) => task.id);
    const held = await call("POST", `/v1/job-arrays/${arrayId}/hold`, operator, { reason: "rack work" });
    assert.deepEqual(held.body, { arrayJobId: arrayId, held: 3 });
    assert.equal((await get(ids[1]!)).held.staff, true, "staff's hold is an administrator's");
    const refused = await call("POST", `/v1/job-arrays/${arrayId}/release`, lea);
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal((await arrayOf(arrayId)).held, 3, "a refused release changes nothing");
    assert.equal((await call("POST", `/v1/job-arrays/${arrayId}/hold`, lea)).status, 409);

    // Staff release task 3 alone; the tenant holds the array again (task 3 only) and releases it: task 3 only.
    assert.equal((await call("POST", `/v1/jobs/${ids[3]}/release`, operator, {})).status, 200);
    assert.deepEqual((await call("POST", `/v1/job-arrays/${arrayId}/hold`, lea)).body, {
      arrayJobId: arrayId,
      held: 1,
    });
    const partial = await call("POST", `/v1/job-arrays/${arrayId}/release`, lea);
    assert.deepEqual(partial.body, { arrayJobId: arrayId, released: 1, keptHeld: 2 });
    assert.equal((await arrayOf(arrayId)).held, 2);
    assert.match((await get(ids[1]!)).reason, /^held by .* \(platform staff\)/);

    const byStaff = await call("POST", `/v1/job-arrays/${arrayId}/release`, operator, {});
    assert.deepEqual(byStaff.body, { arrayJobId: arrayId, released: 2, keptHeld: 0 });
    const staffHold = (await auditOf(arrayId)).find((entry) => entry.action === "job.hold" && entry.after.byStaff);
    assert.deepEqual(staffHold?.after.tasks, ids.slice(1));
    await call("POST", `/v1/job-arrays/${arrayId}/cancel`, lea);
  });
});

describe("dependencies", () => {
  it("waits naming the job, cancels the dependent when afterok cannot be met, runs afterany", async () => {
    const first = (await job({ name: "first" })).body;
    const okDependent = await job({ name: "second", dependsOn: [{ kind: "afterok", jobId: first.id }] });
    assert.equal(okDependent.status, 201, JSON.stringify(okDependent.body));
    assert.equal(okDependent.body.state, "queued");
    assert.equal(okDependent.body.reason, `waiting for job ${first.id} to succeed (afterok)`);
    assert.deepEqual(okDependent.body.dependsOn, [{ kind: "afterok", jobId: first.id }]);
    const anyDependent = (await job({ name: "cleanup", dependsOn: [{ kind: "afterany", jobId: first.id }] })).body;
    assert.equal(anyDependent.state, "queued");

    await call("POST", `/v1/jobs/${first.id}/cancel`, lea);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await get(okDependent.body.id);
    assert.equal(second.state, "cancelled");
    assert.match(second.reason, new RegExp(`dependency never satisfied: job ${first.id} ended without success`));
    assert.equal((await get(anyDependent.id)).state, "running");
    const history = await call("GET", `/v1/jobs/${okDependent.body.id}/history`, lea);
    await settle();
    const events = (await call("GET", `/v1/jobs/${okDependent.body.id}/history`, lea)).body.map((e: Json) => e.event);
    assert.ok(history.status === 200 && events.includes("job.cancelled"), JSON.stringify(events));

    // Depending on a job that can never satisfy it, on nothing, or on another tenant's job: 400 naming the entry.
    const never = await job({ dependsOn: [{ kind: "afterok", jobId: first.id }] });
    assert.equal(never.status, 400);
    assert.equal(never.body.errors[0].field, "body.dependsOn[0].jobId");
    const unknown = await job({ dependsOn: [{ kind: "afterany", jobId: "job_nope" }] });
    assert.equal(unknown.body.errors[0].field, "body.dependsOn[0].jobId");
    const hugo = keys["hugo@rhone-pharma.example"]!;
    const hugoProject = (await call("GET", "/v1/projects", hugo)).body[0].id;
    const theirs = await call("POST", "/v1/jobs", hugo, {
      projectId: hugoProject,
      name: "x",
      gpus: 1,
      durationS: 60,
      dataClass: "confidential",
      dependsOn: [{ kind: "afterany", jobId: anyDependent.id }],
    });
    assert.equal(theirs.status, 400);
    assert.equal(theirs.body.errors[0].field, "body.dependsOn[0].jobId");
    assert.doesNotMatch(JSON.stringify(theirs.body), /valdiag/);
    const twice = await job({
      dependsOn: [
        { kind: "afterany", jobId: anyDependent.id },
        { kind: "afterany", jobId: anyDependent.id },
      ],
    });
    assert.equal(twice.body.errors[0].field, "body.dependsOn[1].jobId");
    const tooMany = await job({
      dependsOn: Array.from({ length: 17 }, () => ({ kind: "afterok", jobId: anyDependent.id })),
    });
    assert.equal(tooMany.status, 400);
    await call("POST", `/v1/jobs/${anyDependent.id}/cancel`, lea);
  });

  it("waits on a whole array", async () => {
    const array = (await job({ name: "shards", array: "0-1" })).body;
    const merge = (await job({ name: "merge", dependsOn: [{ kind: "afterany", jobId: array.arrayJobId }] })).body;
    assert.equal(merge.reason, `waiting for job ${array.arrayJobId} to end (afterany)`);
    await call("POST", `/v1/jobs/${array.tasks[0].id}/cancel`, lea);
    assert.equal((await get(merge.id)).state, "queued");
    await call("POST", `/v1/jobs/${array.tasks[1].id}/cancel`, lea);
    assert.equal((await get(merge.id)).state, "running");
    await call("POST", `/v1/jobs/${merge.id}/cancel`, lea);
  });
});

describe("hold, release, requeue", () => {
  it("holds a waiting job until released; a staff hold is released only by staff", async () => {
    const first = (await job({ name: "first" })).body;
    const waiting = (await job({ name: "waits", dependsOn: [{ kind: "afterany", jobId: first.id }] })).body;
    const operator = keys["camille@alixan.local"]!;
    const held = await call("POST", `/v1/jobs/${waiting.id}/hold`, operator, { reason: "rack work" });
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.match(held.body.reason, /^held by .* \(platform staff\)/);
    assert.equal(held.body.held.staff, true);
    assert.equal((await call("POST", `/v1/jobs/${waiting.id}/hold`, lea)).status, 409);
    // Its dependency ends: still held, never admitted.
    await call("POST", `/v1/jobs/${first.id}/cancel`, lea);
    const still = await get(waiting.id);
    assert.equal(still.state, "queued");
    assert.match(still.reason, /^held by/);
    assert.equal((await call("POST", `/v1/jobs/${waiting.id}/release`, lea)).status, 403);
    const released = await call("POST", `/v1/jobs/${waiting.id}/release`, operator, {});
    assert.equal(released.status, 200);
    assert.equal((await get(waiting.id)).state, "running");
    assert.equal((await call("POST", `/v1/jobs/${waiting.id}/release`, operator, {})).status, 409);
    assert.equal((await call("POST", `/v1/jobs/${waiting.id}/hold`, lea)).status, 409, "a running job is not held");
    await settle();
    const events = (await call("GET", `/v1/jobs/${waiting.id}/history`, lea)).body.map((e: Json) => e.event);
    assert.ok(events.includes("job.hold") && events.includes("job.release"), JSON.stringify(events));
    await call("POST", `/v1/jobs/${waiting.id}/cancel`, lea);
  });

  it("requeues a running job: resources back, waits (held) again, history kept", async () => {
    const running = (await job({ name: "long" })).body;
    assert.equal(running.state, "running");
    const requeued = await call("POST", `/v1/jobs/${running.id}/requeue`, lea, { hold: true, reason: "bad node" });
    assert.equal(requeued.status, 200, JSON.stringify(requeued.body));
    assert.equal(requeued.body.state, "queued");
    assert.equal(requeued.body.placement, null);
    assert.ok(requeued.body.held);
    assert.equal((await call("POST", `/v1/jobs/${running.id}/requeue`, lea)).status, 409);
    const hugo = keys["hugo@rhone-pharma.example"]!;
    assert.equal((await call("POST", `/v1/jobs/${running.id}/release`, hugo)).status, 404);
    await call("POST", `/v1/jobs/${running.id}/release`, lea);
    const again = await get(running.id);
    assert.equal(again.state, "running");
    // Without hold it is back in its queue and starts again at once where room is.
    const plain = await call("POST", `/v1/jobs/${running.id}/requeue`, lea);
    assert.equal(plain.body.held, null);
    await settle();
    const history = (await call("GET", `/v1/jobs/${running.id}/history`, lea)).body.map((e: Json) => e.event);
    assert.deepEqual(
      history.filter((event: string) => event !== "job.release"),
      ["job.submit", "job.start", "job.requeue", "job.start", "job.requeue", "job.start"],
    );
    const audit = await call("GET", `/v1/audit?resource=job:${running.id}`, keys["audit@alixan.local"]!);
    assert.ok(audit.body.some((record: Json) => record.action === "job.requeue"));
    await call("POST", `/v1/jobs/${running.id}/cancel`, lea);
  });

  // Found by test/sequences.test.ts: submit, cancel, any site change, cancel again answered 404 "no job" (the job
  // had left the live records for the scheduler's ended list) while GET /v1/jobs/:id showed it cancelled.
  it("refuses a control on a job that ended before a site change as on any ended job: 409, 403, 404", async () => {
    const ended = (await job({ name: "ends" })).body;
    assert.equal((await call("POST", `/v1/jobs/${ended.id}/cancel`, lea)).status, 200);
    const admin = keys["admin@alixan.local"]!;
    const changed = await call("POST", "/v1/site/changes", admin, {
      summary: "rename",
      patch: { site: { name: "Lab 2" } },
    });
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    assert.equal((await get(ended.id)).state, "cancelled");
    for (const action of ["cancel", "hold", "release", "requeue"]) {
      const again = await call("POST", `/v1/jobs/${ended.id}/${action}`, lea, {});
      assert.equal(again.status, 409, `${action}: ${JSON.stringify(again.body)}`);
      assert.match(again.body.detail, /is already cancelled/);
    }
    assert.equal((await call("POST", `/v1/jobs/${ended.id}/cancel`, keys["audit@alixan.local"]!)).status, 403);
    assert.equal((await call("POST", `/v1/jobs/${ended.id}/hold`, keys["hugo@rhone-pharma.example"]!)).status, 404);
    assert.equal((await call("POST", "/v1/jobs/job_000000000000/cancel", lea)).status, 404);
  });
});
