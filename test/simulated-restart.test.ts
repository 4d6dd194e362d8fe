/**
 * A restart of the platform with the simulated executor keeps running work running (docs/execution.md, Restarts):
 * the platform stops with runs in progress and starts again on the same store. A run keeps its racks, its start and
 * its due end; a run due while the platform was stopped has ended, succeeded, at its due time; a held job is still
 * held; a tenant's waiting jobs still fit its cap; and a run whose racks may no longer take it (a site change made
 * while the platform was stopped: its zone no longer hosts health data) waits again, audited as a preemption, with
 * the reason.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures, platformFeatures } from "../src/app/features/index.ts";
import type { JobsEngine } from "../src/app/jobs/engine.ts";
import { InventoryService } from "../src/inventory/service.ts";
import { openStore } from "../src/store/database.ts";
import { systemPrincipal } from "../src/tenancy/service.ts";
import { callApi } from "./support/api.ts";
import { until } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const directory = mkdtempSync(join(tmpdir(), "alixan-simrestart-"));
after(() => {
  rmSync(directory, { recursive: true, force: true });
  rmSync(`${directory}.audit`, { recursive: true, force: true });
});

/** Simulated seconds per wall-clock second: a 10-minute run lasts 10 s. */
const speed = 60;
/** Jobs one tenant may have waiting. */
const cap = 2;

async function start(seed: boolean, dataDir = directory): Promise<{ app: ComposedApp; url: string }> {
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed,
    features: defaultFeatures({ speed, demoLoad: 0, telemetryInMemory: true, maxQueuedPerTenant: cap }),
  });
  return { app, url: await app.server.listen({ port: 0, host: "127.0.0.1" }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

describe("a restart with the simulated executor", () => {
  it("keeps runs where they run, ends those due meanwhile, and requeues (audited) a run its racks no longer take", async () => {
    let { app, url } = await start(true);
    const key = (email: string) => app.demoKeys!.find((candidate) => candidate.email === email)!.token;
    const lea = key("lea.martin@valdiag.example");
    const hugo = key("hugo@rhone-pharma.example");
    const admin = key("admin@alixan.local");
    const auditor = key("audit@alixan.local");
    const project = async (token: string) => (await callApi(url, "GET", "/v1/projects", token)).body[0].id;
    const projects = new Map([
      [lea, await project(lea)],
      [hugo, await project(hugo)],
    ]);
    const submit = async (token: string, name: string, extra: Record<string, unknown>) => {
      const answer = await callApi(url, "POST", "/v1/jobs", token, {
        projectId: projects.get(token),
        name,
        gpus: 1,
        durationS: 36_000,
        dataClass: "confidential",
        ...extra,
      });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body as Json;
    };
    const job = async (id: string) => (await callApi(url, "GET", `/v1/jobs/${id}`, admin)).body as Json;
    const history = async (id: string) =>
      ((await callApi(url, "GET", `/v1/jobs/${id}/history`, admin)).body as Json[]).map((event) => event.event);

    const long = await submit(lea, "long", {});
    // 20 simulated minutes (20 s): due after the restart, which must end it then, not 20 minutes after it.
    const medium = await submit(lea, "medium", { durationS: 1200 });
    // 5 simulated minutes (5 s): due while the platform is stopped. Its deadline is answered by the store's view.
    const shortDeadline = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const short = await submit(lea, "short", { durationS: 300, deadline: shortDeadline });
    const health = await submit(lea, "health", { dataClass: "health" });
    const held = await submit(lea, "held", { hold: true });
    // Hugo's waiting room is full: two held jobs, besides two running ones on GB300 racks, drained below (running
    // work finishes there): run again from its queue, such a run would wait.
    const gb300 = { gpuModel: "GB300" };
    const hugoRunning = [await submit(hugo, "run-1", gb300), await submit(hugo, "run-2", gb300)];
    const hugoHeld = [await submit(hugo, "held-1", { hold: true }), await submit(hugo, "held-2", { hold: true })];
    const runs = [long, medium, short, health, ...hugoRunning];
    for (const run of runs) assert.equal(run.state, "running", `${run.name}: ${run.reason}`);
    const before = new Map<string, Json>();
    for (const run of runs) before.set(run.id, await job(run.id));
    // The deadline asked for, in the submission's answer and the job's; none when none was asked.
    assert.equal(short.deadline, shortDeadline);
    assert.equal(before.get(short.id).deadline, shortDeadline);
    assert.equal("deadline" in long, false, "no deadline asked: none answered");
    assert.equal("deadline" in before.get(long.id), false);
    const durations = new Map([
      [long.id, 36_000],
      [medium.id, 1200],
      [short.id, 300],
      [health.id, 36_000],
      [hugoRunning[0].id, 36_000],
      [hugoRunning[1].id, 36_000],
    ]);
    const dueMs = (view: Json) => Date.parse(view.startedAt) + (1000 * durations.get(view.id)!) / speed;
    const drain = await callApi(url, "POST", "/v1/drains", key("camille@alixan.local"), {
      target: "row:h1-r01",
      reason: "coolant maintenance",
      policy: "finish",
    });
    assert.equal(drain.status, 201, JSON.stringify(drain.body));
    for (const run of hugoRunning) assert.match(before.get(run.id).placement.racks[0], /^rack:h1-r01-/);
    // The site change to make while the platform is stopped: its only zone no longer hosts health data.
    const document = (await callApi(url, "GET", "/v1/site/document", admin)).body as Json;
    document.zones[0].dataClasses = document.zones[0].dataClasses.filter((dataClass: string) => dataClass !== "health");
    await app.close();
    const stoppedMs = Date.now();
    assert.ok(stoppedMs < dueMs(before.get(short.id)), "the test needs the short run to outlast the stop");

    const store = await openStore({ kind: "pglite", dataDir: directory });
    try {
      const inventory = await InventoryService.open(store.db, "lab");
      await inventory.applyChange(
        { principal: systemPrincipal("test"), requestId: "offline-change" },
        { summary: "the HDS zone no longer hosts health data", site: document },
      );
    } finally {
      await store.close();
    }
    await sleep(dueMs(before.get(short.id)) - Date.now() + 200);
    ({ app, url } = await start(false));
    try {
      // The same runs, on the same racks, with the same start; not started again.
      for (const run of [long, medium, ...hugoRunning]) {
        const now = await job(run.id);
        const was = before.get(run.id);
        // The medium run lasts 20 s of wall clock: on a machine slow enough to pass its due time by now it has ended,
        // and its end at the due time is checked below.
        if (run === medium && now.state === "succeeded" && Date.now() >= dueMs(was)) continue;
        assert.equal(now.state, "running", `${run.name}: ${now.state}, ${now.reason}`);
        assert.deepEqual(now.placement, was.placement, `${run.name} runs where it ran`);
        assert.equal(now.startedAt, was.startedAt, `${run.name} keeps its start`);
        assert.equal(now.submittedAt, was.submittedAt, `${run.name} keeps its submission time`);
        assert.deepEqual(await history(run.id), ["job.submit", "job.start"], `${run.name} started once`);
      }
      // Due while the platform was stopped: ended then, succeeded, with its end recorded.
      const ended = await job(short.id);
      assert.equal(ended.state, "succeeded", `${ended.state}: ${ended.reason}`);
      assert.equal(ended.endedAt, new Date(dueMs(before.get(short.id))).toISOString());
      assert.equal(ended.startedAt, before.get(short.id).startedAt);
      assert.deepEqual(await history(short.id), ["job.submit", "job.start", "job.succeeded"]);
      // Read from the store now: the deadline it was given, from its stored spec and clock.
      assert.equal(ended.deadline, shortDeadline);
      assert.equal("deadline" in (await job(long.id)), false);
      // Held work is still held, and a tenant's waiting jobs still fit its cap: nothing came back into its queue
      // (its runs on the drained row go on there).
      const stillHeld = await job(held.id);
      assert.equal(stillHeld.state, "queued");
      assert.ok(stillHeld.held);
      const waiting = (await callApi(url, "GET", "/v1/jobs?state=queued&tenantId=rhone-pharma", admin)).body as Json[];
      assert.deepEqual(waiting.map((view) => view.id).sort(), hugoHeld.map((view) => view.id).sort());
      const full = await callApi(url, "POST", "/v1/jobs", hugo, {
        projectId: projects.get(hugo),
        name: "one-more",
        gpus: 1,
        durationS: 60,
        dataClass: "confidential",
      });
      assert.equal(full.status, 429, JSON.stringify(full.body));
      // The zone may no longer host its data: it waits again, with the reason, audited as a preemption.
      const moved = await job(health.id);
      assert.equal(moved.state, "queued", `${moved.state}: ${moved.reason}`);
      // Why it waits now (the scheduler's reason, at every cycle); why it was moved is in its audit and history.
      assert.match(moved.reason, /health data/);
      assert.equal(moved.startedAt, before.get(health.id).startedAt, "a requeued run keeps its first start");
      const audit = (await callApi(url, "GET", `/v1/audit?resource=job:${health.id}`, auditor)).body as Json[];
      const preempted = audit.find((record) => record.action === "job.preempted");
      assert.ok(preempted, JSON.stringify(audit.map((record) => record.action)));
      assert.deepEqual(preempted.after.racks, before.get(health.id).placement.racks);
      assert.match(preempted.after.reason, /^preempted: .*may not host health data.*\(after a platform restart\)$/);
      assert.deepEqual(await history(health.id), ["job.submit", "job.start", "job.preempted"]);
      // The medium run ends at its due time on the scheduler's clock, not its whole duration after the restart.
      const mediumDue = dueMs(before.get(medium.id));
      const done = await until(
        "the medium run's end",
        async () => {
          const view = await job(medium.id);
          return view.state === "running" ? undefined : view;
        },
        mediumDue - Date.now() + 10_000,
      );
      assert.equal(done.state, "succeeded");
      assert.ok(Math.abs(Date.parse(done.endedAt) - mediumDue) < 1500, `${done.endedAt}, due ${new Date(mediumDue)}`);
    } finally {
      await app.close();
    }
  });

  it("takes a run a grid event paused back paused, with the run time it had left; fails a job the site refuses", async () => {
    const dataDir = join(directory, "paused");
    const open = async (seed: boolean) => {
      const { features, jobs } = platformFeatures({ speed, demoLoad: 0, telemetryInMemory: true });
      const app = await composeApp({ site: "lab", store: { kind: "pglite", dataDir }, seed, features });
      return { app, engine: jobs.engine() as JobsEngine, url: await app.server.listen({ port: 0, host: "127.0.0.1" }) };
    };
    let { app, engine, url } = await open(true);
    const lea = app.demoKeys!.find((candidate) => candidate.email === "lea.martin@valdiag.example")!.token;
    const projectId = (await callApi(url, "GET", "/v1/projects", lea)).body[0].id;
    // 10 simulated minutes: 10 s.
    const submitted = await callApi(url, "POST", "/v1/jobs", lea, {
      projectId,
      name: "paused",
      gpus: 1,
      gpuModel: "H200",
      durationS: 600,
      dataClass: "confidential",
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const id = submitted.body.id as string;
    await sleep(2000);
    // As a grid event's suspend does (the event itself is test/grid-events.test.ts's): the run's clock stops.
    const live = engine.generation.live;
    assert.ok(live.suspend(engine.records.get(id)!.job));
    const leftS = live.held(engine.records.get(id)!.job)!.leftS!;
    assert.ok(leftS > 300 && leftS < 600, `${leftS} s left`);
    // A held GB300 job, and a site change made while the platform is stopped that removes the GB300 row.
    const gb300 = await callApi(url, "POST", "/v1/jobs", lea, {
      projectId,
      name: "gb300",
      gpus: 4,
      gpuModel: "GB300",
      durationS: 600,
      dataClass: "confidential",
      hold: true,
    });
    assert.equal(gb300.status, 201, JSON.stringify(gb300.body));
    const admin = app.demoKeys!.find((candidate) => candidate.email === "admin@alixan.local")!.token;
    const document = (await callApi(url, "GET", "/v1/site/document", admin)).body as Json;
    document.halls[0].rows = document.halls[0].rows
      .slice(1)
      .map((row: Json, at: number) => ({ ...row, number: at + 2 }));
    await app.close();
    const store = await openStore({ kind: "pglite", dataDir });
    try {
      const inventory = await InventoryService.open(store.db, "lab");
      await inventory.applyChange(
        { principal: systemPrincipal("test"), requestId: "offline-change" },
        { summary: "no GB300", site: document },
      );
    } finally {
      await store.close();
    }
    await sleep(3000);
    ({ app, engine, url } = await open(false));
    try {
      // Refused by the site in force: failed, and its store and history say so (a next restart does not queue it).
      const refused = (await callApi(url, "GET", `/v1/jobs/${gb300.body.id}`, lea)).body as Json;
      assert.equal(refused.state, "failed", refused.reason);
      await engine.flush();
      const events = (await callApi(url, "GET", `/v1/jobs/${gb300.body.id}/history`, admin)).body as Json[];
      assert.deepEqual(
        events.map((event) => event.event),
        ["job.submit", "job.failed"],
      );
      const record = engine.records.get(id)!;
      assert.equal(record.job.state, "running", record.job.reason);
      assert.deepEqual(engine.generation.live.held(record.job), { paused: true, share: 0, leftS });
      // Resumed: it ends the run time it had left later, not its duration, nor at its first due time.
      const resumedMs = Date.now();
      assert.ok(engine.generation.live.resume(record.job));
      const dueMs = resumedMs + (leftS * 1000) / speed;
      const done = await until(
        "the run's end",
        async () => {
          const view = (await callApi(url, "GET", `/v1/jobs/${id}`, lea)).body as Json;
          return view.state === "running" ? undefined : view;
        },
        dueMs - Date.now() + 10_000,
      );
      assert.equal(done.state, "succeeded");
      assert.ok(
        Math.abs(Date.parse(done.endedAt) - dueMs) < 1500,
        `${done.endedAt}, due ${new Date(dueMs).toISOString()}`,
      );
    } finally {
      await app.close();
    }
  });

  it("keeps a run's simulated time left, its start and every deadline across restarts at other speeds", async () => {
    const dataDir = join(directory, "speeds");
    const open = async (seed: boolean, atSpeed: number) => {
      const { features, jobs } = platformFeatures({ speed: atSpeed, demoLoad: 0, telemetryInMemory: true });
      const app = await composeApp({ site: "lab", store: { kind: "pglite", dataDir }, seed, features });
      return { app, engine: jobs.engine() as JobsEngine, url: await app.server.listen({ port: 0, host: "127.0.0.1" }) };
    };
    // 10 simulated hours: 60 s at speed 600, 10 min at 60, 10 s at 3600 (the stops count at the speed before them).
    const durationS = 36_000;
    let { app, engine, url } = await open(true, 600);
    const key = (email: string) => app.demoKeys!.find((candidate) => candidate.email === email)!.token;
    const lea = key("lea.martin@valdiag.example");
    const admin = key("admin@alixan.local");
    const projectId = (await callApi(url, "GET", "/v1/projects", lea)).body[0].id;
    // Deadlines are instants, as the API's times are: wall-clock ones, whatever the speed.
    const deadline = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const submit = async (name: string, extra: Record<string, unknown>) => {
      const answer = await callApi(url, "POST", "/v1/jobs", lea, {
        projectId,
        name,
        gpus: 1,
        durationS,
        dataClass: "confidential",
        deferrable: true,
        ...extra,
      });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body as Json;
    };
    const [runDeadline, waitingDeadline] = [deadline(2), deadline(3)];
    const run = await submit("run", { deadline: runDeadline });
    const waiting = await submit("waiting", { deadline: waitingDeadline, hold: true });
    // A deadline that passes while the platform is stopped: the scheduler takes it as now after the restart, the API
    // still answers the instant asked for.
    const passingDeadline = deadline(3 / 3600);
    const passing = await submit("passing", { deadline: passingDeadline, hold: true });
    assert.equal(run.state, "running", run.reason);
    assert.deepEqual(
      [run.deadline, waiting.deadline, passing.deadline],
      [runDeadline, waitingDeadline, passingDeadline],
      "the submission answers each deadline as asked",
    );
    const submittedMs = Date.now();
    const deadlines = new Map([
      [run.id, Date.parse(runDeadline)],
      [waiting.id, Date.parse(waitingDeadline)],
    ]);
    /** The run on the new clock: its simulated run time, and where its end falls on the wall clock. */
    const check = (ranAt: number, dueMs: number, restartedFromMs: number, restartedByMs: number) => {
      const live = engine.generation.live;
      const job = engine.records.get(run.id)!.job;
      const endS = live.finishDueS(job)!;
      // The run keeps its simulated run time: the new clock's end is its start plus its duration, not the time
      // its stored wall-clock end is at this speed.
      assert.ok(Math.abs(endS - job.startS - durationS) < 1, `run time ${endS - job.startS} s, not ${durationS}`);
      // Reservations count on it ending its announced duration after that start.
      assert.equal(live.scheduler.expectedEndS(job), job.startS + durationS);
      // What it had left at the restart (counted at the speed it ran at) runs at this speed.
      const endMs = live.epochMsOf(endS);
      const [first, last] = [restartedFromMs, restartedByMs].map(
        (restartMs) => restartMs + ((dueMs - restartMs) * ranAt) / live.speed,
      ) as [number, number];
      const [low, high] = [Math.min(first, last), Math.max(first, last)];
      assert.ok(
        endMs >= low - 50 && endMs <= high + 50,
        `ends ${new Date(endMs).toISOString()}, expected within ${new Date(low).toISOString()}–${new Date(high).toISOString()}`,
      );
      // Deadlines hold as the instants they were given as, on the new clock.
      for (const [id, atMs] of deadlines) {
        const deadlineS = engine.records.get(id)!.job.spec.deadlineS!;
        assert.ok(Math.abs(live.epochMsOf(deadlineS) - atMs) < 50, `${id}: ${new Date(live.epochMsOf(deadlineS))}`);
      }
      return endMs;
    };
    /** Every deadline as the API answers it, in a job's read and in the list: the instants asked for. */
    const checkAnswered = async () => {
      const asked = new Map([...deadlines, [passing.id, Date.parse(passingDeadline)]]);
      const listed = (await callApi(url, "GET", "/v1/jobs", admin)).body as Json[];
      for (const [id, atMs] of asked) {
        const view = (await callApi(url, "GET", `/v1/jobs/${id}`, lea)).body as Json;
        assert.equal(view.deadline, new Date(atMs).toISOString(), `${id}: its deadline read`);
        assert.equal(listed.find((job) => job.id === id)?.deadline, view.deadline, `${id}: its deadline listed`);
      }
    };
    await checkAnswered();
    await sleep(1000);
    const firstDueMs = Date.parse(run.startedAt) + (durationS * 1000) / 600;
    await app.close();
    await sleep(Date.parse(passingDeadline) - Date.now() + 10);
    let restartedFromMs = Date.now();
    ({ app, engine, url } = await open(false, 60));
    let dueMs: number;
    try {
      dueMs = check(600, firstDueMs, restartedFromMs, Date.now());
      await checkAnswered();
      const passed = engine.records.get(passing.id)!;
      const passedAtMs = engine.generation.live.epochMsOf(passed.job.spec.deadlineS!);
      assert.ok(passedAtMs >= restartedFromMs, "the scheduler takes a deadline passed while stopped as now");
      const view = (await callApi(url, "GET", `/v1/jobs/${run.id}`, lea)).body as Json;
      assert.equal(view.state, "running", view.reason);
      assert.equal(view.startedAt, run.startedAt, "its start is the instant it started");
      // Its run clock is stored again at this speed, for the next restart.
      await engine.flush();
      const row = await app.store.db
        .selectFrom("jobs")
        .select("placement")
        .where("id", "=", run.id)
        .executeTakeFirstOrThrow();
      assert.equal((row.placement as Json).run.speed, 60);
      assert.equal((row.placement as Json).run.dueAt, new Date(Math.round(dueMs)).toISOString());
      // Listed by when it was submitted (before the restart), as its view says.
      const listed = (await callApi(url, "GET", `/v1/jobs?submittedTo=${new Date(submittedMs).toISOString()}`, admin))
        .body as Json[];
      assert.deepEqual(listed.map((job) => job.id).sort(), [run.id, waiting.id, passing.id].sort());
      await sleep(1000);
    } finally {
      await app.close();
    }
    restartedFromMs = Date.now();
    ({ app, engine, url } = await open(false, 3600));
    try {
      dueMs = check(60, dueMs, restartedFromMs, Date.now());
      await checkAnswered();
      const done = await until(
        "the run's end",
        async () => {
          const view = (await callApi(url, "GET", `/v1/jobs/${run.id}`, lea)).body as Json;
          return view.state === "running" ? undefined : view;
        },
        dueMs - Date.now() + 10_000,
      );
      assert.equal(done.state, "succeeded", done.reason);
      assert.ok(Math.abs(Date.parse(done.endedAt) - dueMs) < 1500, `${done.endedAt}, due ${new Date(dueMs)}`);
      assert.equal(done.startedAt, run.startedAt);
    } finally {
      await app.close();
    }
  });

  it("requeues a run whose GPUs are taken without taking it for ended: its dependent still waits for it", async () => {
    const dataDir = join(directory, "taken");
    let { app, url } = await start(true, dataDir);
    const key = (email: string) => app.demoKeys!.find((candidate) => candidate.email === email)!.token;
    const lea = key("lea.martin@valdiag.example");
    const admin = key("admin@alixan.local");
    const projectId = (await callApi(url, "GET", "/v1/projects", lea)).body[0].id;
    const submit = async (name: string, extra: Record<string, unknown>) => {
      const answer = await callApi(url, "POST", "/v1/jobs", lea, {
        projectId,
        name,
        gpuModel: "H200",
        durationS: 36_000,
        dataClass: "confidential",
        ...extra,
      });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body as Json;
    };
    // A whole 8-GPU server, then a one-GPU run elsewhere, and a job that waits for the one-GPU run to succeed.
    const whole = await submit("whole-server", { gpus: 8 });
    const small = await submit("small", { gpus: 1 });
    const dependent = await submit("after-small", { gpus: 1, dependsOn: [{ kind: "afterok", jobId: small.id }] });
    assert.deepEqual([whole.state, small.state, dependent.state], ["running", "running", "queued"]);
    await app.close();
    // The store (as a bad write or a hand edit could leave it) puts the small run on the whole server's node.
    const store = await openStore({ kind: "pglite", dataDir });
    try {
      const rows = await store.db
        .selectFrom("jobs")
        .select(["id", "placement"])
        .where("id", "in", [whole.id, small.id])
        .execute();
      const placement = (id: string) => rows.find((row) => row.id === id)!.placement as Json;
      const moved = { ...placement(small.id), nodes: placement(whole.id).nodes };
      await store.db
        .updateTable("jobs")
        .set({ placement: JSON.stringify(moved) })
        .where("id", "=", small.id)
        .execute();
    } finally {
      await store.close();
    }
    ({ app, url } = await start(false, dataDir));
    try {
      const job = async (id: string) => (await callApi(url, "GET", `/v1/jobs/${id}`, admin)).body as Json;
      assert.equal((await job(whole.id)).state, "running");
      const history = (await callApi(url, "GET", `/v1/jobs/${small.id}/history`, admin)).body as Json[];
      const preempted = history.find((event) => event.event === "job.preempted");
      assert.ok(preempted, JSON.stringify(history.map((event) => event.event)));
      assert.match(preempted.detail.reason, /are taken or refused .*\(after a platform restart\)$/);
      assert.ok(["queued", "running"].includes((await job(small.id)).state));
      const waiting = await job(dependent.id);
      assert.equal(waiting.state, "queued", `${waiting.state}: ${waiting.reason}`);
      assert.match(waiting.reason, new RegExp(`waiting for job ${small.id}`));
    } finally {
      await app.close();
    }
  });
});
