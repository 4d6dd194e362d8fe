/**
 * Job arrays, dependencies, hold/release and requeue on a real Slurm (Debian's slurm-wlm and munge, started on
 * loopback by test/support/slurm.ts), through the platform API. alixan admits and places: an array's tasks run (as
 * tasks of a native Slurm array, see test/slurm-native.test.ts) with Slurm's array variables, started only within the
 * array's %N; a dependent reaches Slurm only once its dependency is met, and never when it cannot be; a requeue with
 * hold is `scontrol requeuehold` of the same Slurm job, and its release runs that job again.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ComposedApp } from "../src/app/compose.ts";
import { loadSite } from "../src/model/load.ts";
import { callApi } from "./support/api.ts";
import { composeOnSlurm, slurmForSuite, squeueOf, type TestSlurm, writeSlurmExecution } from "./support/slurm.ts";
import { until } from "./support/wait.ts";

const site = loadSite("lab").site!;
const liveNode = "h1-r02-01-n01";

describe("job controls on Slurm", () => {
  let slurm: TestSlurm | string;
  let dataDir = "";
  let app: ComposedApp | undefined;
  let url = "";
  let hugo = "";
  let base: Record<string, unknown> = {};

  before(async () => {
    slurm = await slurmForSuite(site, liveNode);
    if (typeof slurm === "string") return;
    dataDir = mkdtempSync(join(tmpdir(), "alixan-slurm-controls-"));
    const executionFile = writeSlurmExecution(slurm, dataDir);
    ({ app, url } = await composeOnSlurm(executionFile));
    hugo = app.demoKeys!.find((key) => key.email === "hugo@rhone-pharma.example")!.token;
    const projectId = (await callApi(url, "GET", "/v1/projects", hugo)).body[0].id;
    base = { projectId, gpus: 2, gpuModel: "H200", durationS: 600, dataClass: "public" };
  });
  after(async () => {
    await app?.close();
    if (typeof slurm !== "string") slurm.stop();
    if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: unknown) => callApi(url, method, path, hugo, body);
  const view = async (id: string) => (await call("GET", `/v1/jobs/${id}`)).body;
  const ended = (id: string) =>
    until(`${id} ended`, async () => {
      const job = await view(id);
      return ["succeeded", "failed", "cancelled"].includes(job.state) ? job : undefined;
    });
  const slurmJobsOf = (alixanId: string) => squeueOf(slurm as TestSlurm, alixanId, "%i|%T|%r|%k");

  it("runs an array's tasks as Slurm jobs with Slurm's array variables, one at a time under %1", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const submitted = await call("POST", "/v1/jobs", {
      ...base,
      name: "sweep",
      array: "0-2%1",
      command: 'echo "task $SLURM_ARRAY_TASK_ID of $ALIXAN_ARRAY_JOB_ID"; sleep 1',
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const tasks = [];
    for (const task of submitted.body.tasks) tasks.push(await ended(task.id));
    const work = join((slurm as TestSlurm).dir, "work");
    for (const [index, task] of tasks.entries()) {
      assert.equal(task.state, "succeeded", JSON.stringify(task));
      const output = readFileSync(join(work, `alixan-${task.execution.externalId}.out`), "utf8");
      assert.match(output, new RegExp(`task ${index} of ${submitted.body.arrayJobId}`));
    }
    // %1: Slurm ran them one after the other (its own start and end times).
    const spans = tasks
      .map((task) => [Date.parse(task.execution.startedAt), Date.parse(task.execution.endedAt)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let at = 1; at < spans.length; at++) assert.ok(spans[at]![0] >= spans[at - 1]![1], JSON.stringify(spans));
  });

  it("submits a dependent to Slurm only once its afterok dependency succeeded, and never after a failure", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const first = (await call("POST", "/v1/jobs", { ...base, name: "first", command: "sleep 3" })).body;
    const failing = (await call("POST", "/v1/jobs", { ...base, name: "failing", command: "sleep 1; exit 4" })).body;
    const then = (
      await call("POST", "/v1/jobs", {
        ...base,
        name: "then",
        command: "exit 0",
        dependsOn: [{ kind: "afterok", jobId: first.id }],
      })
    ).body;
    const never = (
      await call("POST", "/v1/jobs", {
        ...base,
        name: "never",
        command: "exit 0",
        dependsOn: [{ kind: "afterok", jobId: failing.id }],
      })
    ).body;
    assert.equal(then.state, "queued");
    assert.match(then.reason, /waiting for job .* to succeed \(afterok\)/);
    assert.deepEqual(slurmJobsOf(then.id), [], "nothing in Slurm while it waits");
    const done = await ended(then.id);
    assert.equal(done.state, "succeeded");
    assert.equal((await view(first.id)).state, "succeeded");
    assert.ok(Date.parse(done.execution.startedAt) >= Date.parse((await view(first.id)).execution.endedAt));
    const cancelled = await ended(never.id);
    assert.equal(cancelled.state, "cancelled");
    assert.match(cancelled.reason, /dependency never satisfied/);
    assert.deepEqual(slurmJobsOf(never.id), [], "never reached Slurm");
  });

  it("requeue with hold is scontrol requeuehold; release runs the same Slurm job again", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const long = (await call("POST", "/v1/jobs", { ...base, name: "long", command: "sleep 120" })).body;
    const running = await until("running", async () => {
      const job = await view(long.id);
      return job.state === "running" && job.execution?.externalId !== undefined ? job : undefined;
    });
    const slurmId = running.execution.externalId;
    await until("Slurm runs it", () => (slurmJobsOf(long.id)[0]?.includes("|RUNNING|") ? true : undefined));
    const requeued = await call("POST", `/v1/jobs/${long.id}/requeue`, { hold: true, reason: "node check" });
    assert.equal(requeued.status, 200, JSON.stringify(requeued.body));
    assert.equal(requeued.body.state, "queued");
    assert.match(requeued.body.reason, /^held by/);
    await until("held in Slurm", () => (/\|PENDING\|.*[Hh]eld/.test(slurmJobsOf(long.id)[0] ?? "") ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await view(long.id)).state, "queued", "a held job is not started again");
    assert.equal((await call("POST", `/v1/jobs/${long.id}/release`, {})).status, 200);
    const again = await until("running again", async () => {
      const job = await view(long.id);
      return job.state === "running" ? job : undefined;
    });
    assert.equal(again.execution.externalId, slurmId, "the same Slurm job, released");
    await until("Slurm runs it again", () => (slurmJobsOf(long.id)[0]?.includes("|RUNNING|") ? true : undefined));
    assert.match((slurm as TestSlurm).run("scontrol", ["show", "job", slurmId]), /Restarts=1/);
    assert.equal(slurmJobsOf(long.id).length, 1, "one Slurm job throughout");
    await call("POST", `/v1/jobs/${long.id}/cancel`);
    await until("cancelled in Slurm", () => (slurmJobsOf(long.id)[0]?.includes("|CANCELLED|") ? true : undefined));
  });
});
