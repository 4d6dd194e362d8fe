/**
 * alixan's job controls as Slurm's own features, on a real Slurm (Debian's slurm-wlm and munge, started on loopback
 * by test/support/slurm.ts), through the platform API. alixan still admits and places every task; Slurm sees:
 * - an array as one native Slurm array (`sbatch --array=…%N --hold`), each task split off, moved to where alixan
 *   placed it and released, with Slurm's own SLURM_ARRAY_* variables; cancelling the array is one `scancel` of it;
 * - a dependency as `--dependency=afterok:<Slurm id>` when Slurm still knows the job it names;
 * - a tenant's hold of a waiting job Slurm holds a place for as a user hold (`scontrol uhold`), its release as
 *   alixan's own administrator's hold again (only alixan's placement releases it in Slurm);
 * - across a restart of alixan, still one array: running tasks adopted, waiting ones taken back from the array's
 *   record and released from it, so SLURM_ARRAY_JOB_ID and SLURM_ARRAY_TASK_COUNT name the whole array.
 * The Slurm commands run through logging wrappers (the execution file's `bin`), so the test also reads what alixan
 * asked of Slurm, not only what Slurm shows.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ComposedApp } from "../src/app/compose.ts";
import { loadSite } from "../src/model/load.ts";
import { callApi } from "./support/api.ts";
import { composeOnSlurm, slurmForSuite, type TestSlurm, writeSlurmExecution } from "./support/slurm.ts";
import { until as waitUntil } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const site = loadSite("lab").site!;
const liveNode = "h1-r02-01-n01";

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000) =>
  waitUntil(what, probe, timeoutMs);

describe("job controls as Slurm's own features", () => {
  let slurm: TestSlurm | string;
  let dataDir = "";
  let commandLog = "";
  let app: ComposedApp | undefined;
  let url = "";
  let hugo = "";
  let base: Record<string, unknown> = {};

  before(async () => {
    slurm = await slurmForSuite(site, liveNode);
    if (typeof slurm === "string") return;
    dataDir = mkdtempSync(join(tmpdir(), "alixan-slurm-native-"));
    const bin = join(dataDir, "bin");
    mkdirSync(bin);
    commandLog = join(dataDir, "commands.log");
    for (const command of ["sbatch", "squeue", "sinfo", "scontrol", "scancel"]) {
      const wrapper = join(bin, command);
      // What Slurm answered on stderr is logged too (a failing command names its reason there).
      writeFileSync(
        wrapper,
        `#!/bin/bash\necho "${command} $*" >> ${commandLog}\nexec /usr/bin/${command} "$@" 2> >(tee -a ${commandLog} >&2)\n`,
      );
      chmodSync(wrapper, 0o755);
    }
    writeSlurmExecution(slurm, dataDir, { bin });
    await open(true);
    hugo = app!.demoKeys!.find((key) => key.email === "hugo@rhone-pharma.example")!.token;
    const projectId = (await callApi(url, "GET", "/v1/projects", hugo)).body[0].id;
    base = { projectId, gpus: 2, gpuModel: "H200", durationS: 600, dataClass: "public" };
  });
  /** Starts the platform on its store (kept in dataDir: the last test restarts it). */
  async function open(seed: boolean): Promise<void> {
    ({ app, url } = await composeOnSlurm(join(dataDir, "execution.yaml"), { storeDir: join(dataDir, "store"), seed }));
  }

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
  /** Slurm's records of an alixan job or array (by the comment alixan gives them), from squeue's JSON. */
  const slurmRecords = (alixanId: string): Json[] =>
    JSON.parse((slurm as TestSlurm).run("squeue", ["--json", "--states=all"])).jobs.filter(
      (job: Json) => job.comment === `alixan:lab:${alixanId}`,
    );
  const commands = () => readFileSync(commandLog, "utf8").split("\n");

  it("runs an array as one native Slurm array: one sbatch --array, tasks split off where alixan placed them", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const submitted = await call("POST", "/v1/jobs", {
      ...base,
      name: "sweep",
      array: "0-3%2",
      command:
        'echo "array $SLURM_ARRAY_JOB_ID task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT alixan $ALIXAN_JOB_ID"; sleep 1',
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const arrayId = submitted.body.arrayJobId as string;
    const tasks: Json[] = [];
    for (const task of submitted.body.tasks) tasks.push(await ended(task.id));
    const sbatches = commands().filter((line) => line.startsWith("sbatch ") && line.includes(`alixan:lab:${arrayId}`));
    assert.equal(sbatches.length, 1, `one submission for the whole array: ${commands().join("\n")}`);
    assert.match(sbatches[0]!, /--array=0-3%2 --hold/);

    const records = slurmRecords(arrayId);
    assert.equal(records.length, 4, JSON.stringify(records.map((job: Json) => job.job_id)));
    const slurmArrayId = records[0].array_job_id;
    const work = join((slurm as TestSlurm).dir, "work");
    for (const [index, task] of tasks.entries()) {
      assert.equal(task.state, "succeeded", JSON.stringify(task));
      const record = records.find((job: Json) => String(job.job_id) === task.execution.externalId);
      assert.ok(record !== undefined, `task ${index} ran as a task of the Slurm array`);
      assert.equal(record.array_job_id, slurmArrayId);
      assert.equal(record.array_task_id, index);
      assert.equal(record.nodes, liveNode, "where alixan placed it");
      // Slurm's own array variables, and the task's alixan id from the script's prelude.
      const output = readFileSync(join(work, `alixan-${task.execution.externalId}.out`), "utf8");
      assert.match(output, new RegExp(`array ${slurmArrayId} task ${index} of 4 alixan ${arrayId}_${index}`));
    }
    // %2: Slurm knows the throttle too (alixan releases no more than two at once anyway).
    assert.ok(records.every((job: Json) => job.array_max_tasks === 2));
  });

  it("mirrors holds in Slurm, and cancels a whole array with one scancel of it", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const submitted = await call("POST", "/v1/jobs", {
      ...base,
      name: "long sweep",
      array: "0-3%1",
      command: "sleep 300",
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const arrayId = submitted.body.arrayJobId as string;
    const [first, second] = submitted.body.tasks as Json[];
    await until("task 0 running in Slurm", () =>
      slurmRecords(arrayId).some((job: Json) => job.array_task_id === 0 && job.job_state === "RUNNING")
        ? true
        : undefined,
    );
    const slurmArrayId = slurmRecords(arrayId)[0].array_job_id as number;
    // Task 1 waits (%1): Slurm holds its place under alixan's own (administrator's) hold.
    // (squeue --json of 22.05 ignores --jobs: the text form answers for one task, split off or not.)
    const waiting = () => ({
      state_reason: (slurm as TestSlurm)
        .run("squeue", ["--noheader", "--states=all", "--jobs", `${slurmArrayId}_1`, "-o", "%r"])
        .trim(),
    });
    assert.equal(waiting().state_reason, "JobHeldAdmin");

    const held = await call("POST", `/v1/jobs/${second.id}/hold`, { reason: "input not ready" });
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.equal(waiting().state_reason, "JobHeldUser", "a tenant's hold is a user hold in Slurm");
    assert.ok(commands().includes(`scontrol uhold ${slurmArrayId}_1`));
    const released = await call("POST", `/v1/jobs/${second.id}/release`, {});
    assert.equal(released.status, 200, JSON.stringify(released.body));
    assert.equal(waiting().state_reason, "JobHeldAdmin", "back under alixan's hold until placed");
    assert.equal((await view(second.id)).state, "queued", "still behind %1");
    const admin = app!.demoKeys!.find((key) => key.email === "admin@alixan.local")!.token;
    const audit = await callApi(url, "GET", `/v1/audit?resource=job:${second.id}&action=job.hold`, admin);
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    const holds = audit.body as Json[];
    assert.equal(holds.length, 1, JSON.stringify(audit.body));
    assert.equal(holds[0].after.slurmJobId, `${slurmArrayId}_1`, "the audit names the Slurm job held");

    const cancelled = await call("POST", `/v1/job-arrays/${arrayId}/cancel`, { reason: "wrong input" });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.cancelled, 4);
    assert.ok(commands().includes(`scancel ${slurmArrayId}`), "one scancel of the whole array");
    await until("every Slurm task cancelled", () => {
      const records = slurmRecords(arrayId);
      return records.length > 0 && records.every((job: Json) => job.job_state === "CANCELLED") ? true : undefined;
    });
    for (const task of submitted.body.tasks as Json[]) {
      const job = await ended(task.id);
      assert.equal(job.state, "cancelled");
      assert.doesNotMatch(job.reason, /outside alixan/, "alixan asked for it");
    }
    assert.equal((await view(first.id)).state, "cancelled");
  });

  it("passes --dependency=afterok with the Slurm id of the job depended on", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const first = (await call("POST", "/v1/jobs", { ...base, name: "prepare", command: "sleep 1" })).body;
    const then = (
      await call("POST", "/v1/jobs", {
        ...base,
        name: "train",
        command: "exit 0",
        dependsOn: [{ kind: "afterok", jobId: first.id }],
      })
    ).body;
    assert.equal(then.state, "queued");
    const done = await ended(then.id);
    assert.equal(done.state, "succeeded", JSON.stringify(done));
    const firstSlurmId = (await view(first.id)).execution.externalId;
    const submission = commands().find((line) => line.startsWith("sbatch ") && line.includes(`alixan:lab:${then.id}`));
    assert.ok(submission !== undefined);
    assert.match(submission, new RegExp(`--dependency=afterok:${firstSlurmId} --kill-on-invalid-dep=yes`));
  });

  it("after a restart, the waiting tasks of a %1 array each run once, in order, and the array completes", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const work = join((slurm as TestSlurm).dir, "work");
    // Each task writes when it starts and ends: the lines show every run, and that no two overlapped (%1). It writes
    // the Slurm array it ran in and that array's task count: tasks released after the restart name the same one.
    // Task 0 runs until the test lets it end (a fixed sleep could end it before the restart on a loaded machine).
    const submitted = await call("POST", "/v1/jobs", {
      ...base,
      name: "resume in order",
      array: "0-3%1",
      command: `log="${work}/ran-$ALIXAN_ARRAY_JOB_ID"; echo "start $ALIXAN_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID/$SLURM_ARRAY_TASK_COUNT" >> "$log"; if [ "$ALIXAN_ARRAY_TASK_ID" = 0 ]; then while [ ! -e "${work}/go-$ALIXAN_ARRAY_JOB_ID" ]; do sleep 0.2; done; else sleep 4; fi; echo "end $ALIXAN_ARRAY_TASK_ID" >> "$log"`,
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const arrayId = submitted.body.arrayJobId as string;
    const tasks = submitted.body.tasks as Json[];
    const running = await until("task 0 running", async () => {
      const job = await view(tasks[0].id);
      return job.state === "running" && job.execution?.externalId !== undefined ? job : undefined;
    });
    const slurmArrayId = slurmRecords(arrayId)[0].array_job_id as number;
    await app!.close();
    app = undefined;
    await open(false);
    assert.equal((await view(tasks[0].id)).state, "running", "task 0 adopted across the restart");
    writeFileSync(join(work, `go-${arrayId}`), "");

    const finished: Json[] = [];
    for (const task of tasks) finished.push(await ended(task.id));
    for (const [index, task] of finished.entries())
      assert.equal(task.state, "succeeded", `task ${index}: ${JSON.stringify(task)}`);
    assert.equal(finished[0].execution.externalId, running.execution.externalId, "task 0 is the run started before");
    const lines = readFileSync(join(work, `ran-${arrayId}`), "utf8")
      .trim()
      .split("\n");
    assert.deepEqual(
      lines,
      [0, 1, 2, 3].flatMap((index) => [`start ${index} of ${slurmArrayId}/4`, `end ${index}`]),
      "every task once, one at a time, in task order, each a task of the one Slurm array of 4",
    );
    // The waiting tasks were taken back from the array they waited in: squeue shows one array, one submission.
    const records = slurmRecords(arrayId);
    assert.deepEqual(
      [...new Set(records.map((job: Json) => job.array_job_id))],
      [slurmArrayId],
      JSON.stringify(records.map((job: Json) => [job.job_id, job.array_job_id, job.array_task_id])),
    );
    assert.deepEqual(records.map((job: Json) => job.array_task_id).sort(), [0, 1, 2, 3]);
    const sbatches = commands().filter((line) => line.startsWith("sbatch ") && line.includes(`alixan:lab:${arrayId}`));
    assert.equal(sbatches.length, 1, sbatches.join("\n"));
    // Nothing of the array is left waiting in Slurm.
    const left = records.filter((job: Json) => ["PENDING", "RUNNING", "SUSPENDED"].includes(job.job_state));
    assert.deepEqual(
      left.map((job: Json) => `${job.job_id} ${job.job_state}`),
      [],
    );
  });

  it("after a restart, the array stays one Slurm array: tasks adopted, waiting ones held there, cancelled with one scancel", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const work = join((slurm as TestSlurm).dir, "work");
    // Task 0 runs until the test lets it end; the others run long (%2: tasks 0 and 1 run across the restart).
    const submitted = await call("POST", "/v1/jobs", {
      ...base,
      name: "two running",
      array: "0-3%2",
      command: `if [ "$ALIXAN_ARRAY_TASK_ID" = 0 ]; then while [ ! -e "${work}/go-$ALIXAN_ARRAY_JOB_ID" ]; do sleep 0.2; done; else sleep 300; fi`,
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const arrayId = submitted.body.arrayJobId as string;
    const tasks = submitted.body.tasks as Json[];
    const running: Json[] = [];
    for (const task of tasks.slice(0, 2))
      running.push(
        await until(`task ${task.arrayTaskId} running`, async () => {
          const job = await view(task.id);
          return job.state === "running" && job.execution?.externalId !== undefined ? job : undefined;
        }),
      );
    const slurmArrayId = slurmRecords(arrayId)[0].array_job_id as number;
    await app!.close();
    app = undefined;
    await open(false);

    for (const [index, before] of running.entries()) {
      const adopted = await view(tasks[index].id);
      assert.equal(adopted.state, "running", JSON.stringify(adopted));
      assert.equal(
        adopted.execution.externalId,
        before.execution.externalId,
        `task ${index} is the run started before`,
      );
    }
    // The waiting tasks keep their place in the array's record, under alixan's own hold, and wait behind %2.
    const reason = (task: number) =>
      (slurm as TestSlurm)
        .run("squeue", ["--noheader", "--states=all", "--jobs", `${slurmArrayId}_${task}`, "-o", "%T %r"])
        .trim();
    assert.equal(reason(2), "PENDING JobHeldAdmin");
    assert.equal(reason(3), "PENDING JobHeldAdmin");
    const scancels = () => commands().filter((line) => new RegExp(`^scancel ${slurmArrayId}(_|$)`).test(line));
    assert.deepEqual(scancels(), [], "nothing of it cancelled");
    const waiting = await view(tasks[2].id);
    assert.equal(waiting.state, "queued", JSON.stringify(waiting));
    assert.match(waiting.reason, /%2/);

    writeFileSync(join(work, `go-${arrayId}`), "");
    assert.equal((await ended(tasks[0].id)).state, "succeeded");
    const third = await until("task 2 running", async () => {
      const job = await view(tasks[2].id);
      return job.state === "running" ? job : undefined;
    });
    const record = slurmRecords(arrayId).find((job: Json) => String(job.job_id) === third.execution.externalId);
    assert.equal(record.array_job_id, slurmArrayId, "task 2 is released from the array it waited in");
    assert.equal(record.array_task_id, 2);
    const sbatches = commands().filter((line) => line.startsWith("sbatch ") && line.includes(`alixan:lab:${arrayId}`));
    assert.equal(sbatches.length, 1, `no second Slurm array: ${sbatches.join("\n")}`);

    const cancelled = await call("POST", `/v1/job-arrays/${arrayId}/cancel`, {});
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.deepEqual(
      scancels(),
      [`scancel ${slurmArrayId}`],
      "one scancel of the whole array: its running and waiting tasks alike",
    );
    await until(
      "nothing of the array left running or waiting in Slurm",
      () =>
        slurmRecords(arrayId).every((job: Json) => !["PENDING", "RUNNING", "SUSPENDED"].includes(job.job_state))
          ? true
          : undefined,
      30_000,
    );
    for (const task of tasks.slice(1)) {
      const job = await ended(task.id);
      assert.equal(job.state, "cancelled");
      assert.doesNotMatch(job.reason, /outside alixan/, "alixan asked for it");
    }
  });
});
