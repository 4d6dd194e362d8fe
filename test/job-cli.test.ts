/**
 * `alixan job …` against a running platform: an array with a dependency (`--array 0-3%2 --dependency afterok:ID`),
 * hold, release and requeue by id; bad options are usage errors naming the option before any request.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { submitBodyOf } from "../src/cli/commands/job.ts";
import { callApi } from "./support/api.ts";
import { runAlixan } from "./support/cli.ts";

let app: ComposedApp;
let url: string;
let key: string;
let project: string;

async function alixan(...args: string[]) {
  return runAlixan(url, key, args);
}

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: defaultFeatures({ telemetryInMemory: true, speed: 60, demoLoad: 0 }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  key = app.demoKeys!.find((entry) => entry.email === "lea.martin@valdiag.example")!.token;
  project = (await callApi(url, "GET", "/v1/projects", key)).body[0].id;
});
after(async () => {
  await app.close();
});

describe("alixan job", () => {
  it("turns --array and --dependency into the API's fields, refusing bad ones", () => {
    const options = { url: "", project: "p", name: "n", gpus: "1", time: "10", dataClass: "public" };
    assert.deepEqual(submitBodyOf({ ...options, array: "0-3%2", dependency: "afterok:a:b,afterany:c" }), {
      projectId: "p",
      name: "n",
      gpus: 1,
      durationS: 600,
      dataClass: "public",
      array: "0-3%2",
      dependsOn: [
        { kind: "afterok", jobId: "a" },
        { kind: "afterok", jobId: "b" },
        { kind: "afterany", jobId: "c" },
      ],
    });
    assert.throws(() => submitBodyOf({ ...options, array: "9-1" }), /--array 9-1: .*backwards/);
    assert.throws(() => submitBodyOf({ ...options, dependency: "after:x" }), /--dependency after:x/);
    assert.throws(() => submitBodyOf({ ...options, gpus: "two" }), /--gpus/);
    // --deadline as Slurm takes it (now+DURATION) or an instant with its offset; a bare local time is refused.
    const now = Date.parse("2026-12-07T10:00:00Z");
    assert.equal(submitBodyOf({ ...options, deadline: "now+1d6h" }, now).deadline, "2026-12-08T16:00:00.000Z");
    assert.equal(
      submitBodyOf({ ...options, deadline: "2026-12-08T14:00:00+01:00" }, now).deadline,
      "2026-12-08T13:00:00.000Z",
    );
    assert.throws(
      () => submitBodyOf({ ...options, deadline: "2026-12-08T14:00" }, now),
      /--deadline "2026-12-08T14:00": expected/,
    );
    assert.throws(
      () => submitBodyOf({ ...options, deadline: "now+soon" }, now),
      /--deadline: "soon" is not a duration/,
    );
    // Past a Date's range toISOString would throw a RangeError (a stack): a usage error names the option instead.
    assert.throws(
      () => submitBodyOf({ ...options, deadline: "now+9999999999y" }, now),
      (error: Error) =>
        error.name !== "RangeError" && /--deadline "now\+9999999999y": more than 100 years ahead/.test(error.message),
    );
  });

  it("submits an array after a job, holds, releases and requeues", async () => {
    const first = await alixan(
      "job",
      "submit",
      "--project",
      project,
      "--name",
      "prep",
      "--gpus",
      "1",
      "--time",
      "600",
      "--data-class",
      "confidential",
      "--hold",
      "--deadline",
      "now+2d",
    );
    assert.equal(first.code, 0, first.stderr);
    const firstId = first.stdout.split(/\s+/)[0]!;
    assert.match(first.stdout, /queued {2}\(held by .*\) {2}to end by \d{4}-\d{2}-\d{2}T/);
    const deadline = (await callApi(url, "GET", `/v1/jobs/${firstId}`, key)).body.deadline as string;
    assert.ok(Math.abs(Date.parse(deadline) - (Date.now() + 2 * 86_400_000)) < 60_000, deadline);
    assert.ok(first.stdout.trim().endsWith(`to end by ${deadline}`), first.stdout);
    const array = await alixan(
      "job",
      "submit",
      "--project",
      project,
      "--name",
      "sweep",
      "--gpus",
      "1",
      "--time",
      "600",
      "--data-class",
      "confidential",
      "--array",
      "0-3%2",
      "--dependency",
      `afterany:${firstId}`,
    );
    assert.equal(array.code, 0, array.stderr);
    const arrayId = /^array (\S+): 4 tasks \(0-3%2\)/.exec(array.stdout)?.[1];
    assert.ok(arrayId, array.stdout);
    const released = await alixan("job", "release", firstId);
    assert.equal(released.code, 0, released.stderr);
    assert.match(released.stdout, new RegExp(`^${firstId} {2}running`));
    const requeued = await alixan("job", "requeue", firstId, "--hold", "--reason", "bad node");
    assert.equal(requeued.code, 0, requeued.stderr);
    assert.match(requeued.stdout, /queued {2}\(held by .*requeued by .*bad node/);
    const tasks = await callApi(url, "GET", `/v1/job-arrays/${arrayId}`, key);
    assert.deepEqual(tasks.body.states, { queued: 4 });
    assert.match(tasks.body.tasks[0].reason, new RegExp(`waiting for job ${firstId} to end`));
    const held = await alixan("job", "array", arrayId!, "--hold", "--reason", "input not ready");
    assert.equal(held.code, 0, held.stderr);
    assert.match(held.stdout, new RegExp(`^array ${arrayId}: 4 tasks held`));
    const whileHeld = await callApi(url, "GET", `/v1/job-arrays/${arrayId}`, key);
    for (const task of whileHeld.body.tasks) assert.match(task.reason, /^held by /);
    const again = await alixan("job", "array", arrayId!, "--hold");
    assert.equal(again.code, 1, "a second hold finds nothing to hold");
    assert.match(again.stderr, /no waiting task that is not held/);
    const freed = await alixan("job", "array", arrayId!, "--release", "--json");
    assert.equal(freed.code, 0, freed.stderr);
    assert.deepEqual(JSON.parse(freed.stdout), { arrayJobId: arrayId, released: 4, keptHeld: 0 });
    const both = await alixan("job", "array", arrayId!, "--hold", "--cancel");
    assert.equal(both.code, 2, "two actions are a usage error");
    assert.match(both.stderr, /choose one action/);
    const cancelled = await alixan("job", "array", arrayId!, "--cancel");
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /4 tasks cancelled/);
  });
});
