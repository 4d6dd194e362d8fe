/**
 * A grid curtailment on a real Slurm (Debian's slurm-wlm and munge, started on loopback by test/support/slurm.ts),
 * through the platform API: at the event's start the deferrable jobs are suspended (`scontrol suspend`: Slurm shows
 * them SUSPENDED, their processes stop), the preemptible one is requeued and held (`scontrol requeuehold`), the
 * protected job keeps running; at the end the suspended jobs are resumed (`scontrol resume`) and the requeued one
 * released where alixan places it again. The flexible job is GPU power capped through the execution file's `powerCap`
 * command (a stand-in tool that logs its arguments: the job's Slurm id, its nodes, the share) and keeps RUNNING; the
 * cap is lifted (share 1) at the end. A site change during the event (`POST /v1/site/changes`: a new scheduler
 * generation) keeps every job as the event left it: the suspended ones SUSPENDED in Slurm with no second
 * `scontrol suspend` (the execution file's `bin` logs each scontrol call), the cap with no second call of the tool, the
 * requeued job held; each is resumed or lifted once at the end. Prints how long Slurm took to show each step.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ComposedApp } from "../src/app/compose.ts";
import { loadSite } from "../src/model/load.ts";
import { callApi } from "./support/api.ts";
import {
  composeOnSlurm,
  type PowerCapToolCall,
  slurmForSuite,
  squeueOf,
  type TestSlurm,
  writeLoggedScontrol,
  writePowerCapTool,
  writeSlurmExecution,
} from "./support/slurm.ts";
import { until as waitUntil } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const site = loadSite("lab").site!;
const liveNode = "h1-r02-01-n01";

/** Polls every 100 ms: the grid tests time commands to a fraction of a second. */
const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000) =>
  waitUntil(what, probe, timeoutMs, 100);

describe("grid curtailment on Slurm", () => {
  let slurm: TestSlurm | string;
  let dataDir = "";
  let app: ComposedApp | undefined;
  let url = "";
  const keys = { hugo: "", admin: "", operator: "" };
  let capCalls: () => PowerCapToolCall[] = () => [];
  let scontrolCalls: () => string[][] = () => [];

  before(async () => {
    slurm = await slurmForSuite(site, liveNode);
    if (typeof slurm === "string") return;
    dataDir = mkdtempSync(join(tmpdir(), "alixan-slurm-grid-"));
    const tool = writePowerCapTool(dataDir);
    capCalls = tool.calls;
    const scontrol = writeLoggedScontrol(dataDir);
    scontrolCalls = scontrol.calls;
    const executionFile = writeSlurmExecution(slurm, dataDir, { bin: scontrol.bin, powerCap: tool.command });
    ({ app, url } = await composeOnSlurm(executionFile));
    const key = (email: string) => app!.demoKeys!.find((candidate) => candidate.email === email)!.token;
    keys.hugo = key("hugo@rhone-pharma.example");
    keys.admin = key("admin@alixan.local");
    keys.operator = key("camille@alixan.local");
  });
  after(async () => {
    await app?.close();
    if (typeof slurm !== "string") slurm.stop();
    if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
  });

  const slurmState = (alixanId: string): { state: string; reason: string } | undefined => {
    const line = squeueOf(slurm as TestSlurm, alixanId, "%T|%r|%k")[0];
    if (line === undefined) return undefined;
    const [state, reason] = line.split("|");
    return { state: state!, reason: reason! };
  };
  const stateIs = (id: string, states: readonly string[]) =>
    until(`${id} ${states.join("|")} in Slurm`, () => {
      const found = slurmState(id);
      return found !== undefined && states.includes(found.state) ? found : undefined;
    });

  it("suspends deferrable, caps flexible and requeues preemptible jobs, keeps the protected one running, holds them across a site change, releases after", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    // Platform admins grant protection to a queue: rhone-pharma's queue becomes protected (its jobs' default).
    const config = (await callApi(url, "GET", "/v1/queue-config", keys.admin)).body.config;
    const queue = config.queues.find((entry: Json) => entry.tenant === "rhone-pharma");
    const { name, ...fields } = queue;
    const put = await callApi(url, "PUT", `/v1/queues/${name}`, keys.admin, { ...fields, flexibility: "protected" });
    assert.equal(put.status, 200, JSON.stringify(put.body));

    const projectId = (await callApi(url, "GET", "/v1/projects", keys.hugo)).body[0].id;
    // The live node has 8 GPUs: 2 + 2 + 2 + 1 + 1.
    const submit = async (jobName: string, flexibility?: string, gpus = 2) => {
      const answer = await callApi(url, "POST", "/v1/jobs", keys.hugo, {
        projectId,
        name: jobName,
        gpus,
        gpuModel: "H200",
        durationS: 900,
        dataClass: "public",
        command: "while true; do date +%s%N >> ticks-$ALIXAN_JOB_ID; sleep 0.2; done",
        ...(flexibility === undefined ? {} : { flexibility }),
      });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body.id as string;
    };
    const itKw = async () => (await callApi(url, "GET", "/v1/state/site", keys.operator)).body.kpis.itKW as number;
    const idleKw = await itKw();
    const protectedJob = await submit("inference-slo");
    const deferrable = [await submit("train-a", "deferrable"), await submit("train-b", "deferrable")];
    const preemptible = await submit("sweep", "preemptible", 1);
    const flexible = await submit("finetune", "flexible", 1);
    for (const id of [protectedJob, ...deferrable, preemptible, flexible]) {
      await stateIs(id, ["RUNNING"]);
      // alixan reads Slurm's states every 0.3 s: the plan acts on jobs it knows to run.
      await until(`${id} running in alixan`, async () =>
        (await callApi(url, "GET", `/v1/jobs/${id}`, keys.hugo)).body.state === "running" ? true : undefined,
      );
    }
    assert.equal((await callApi(url, "GET", `/v1/jobs/${protectedJob}`, keys.hugo)).body.flexibility, "protected");
    const ticks = (id: string) => {
      const file = join((slurm as TestSlurm).dir, "work", `ticks-${id}`);
      return existsSync(file) ? readFileSync(file, "utf8").split("\n").length : 0;
    };
    // Slurm shows a job RUNNING before its batch script has started: the check below needs the scripts to tick.
    for (const id of [protectedJob, ...deferrable])
      await until(`${id} to tick`, () => (ticks(id) > 0 ? true : undefined), 30_000);
    // The plan sheds what the live twin draws (it reads the placements at its step after they change).
    await until("the twin to draw the jobs' power", async () => ((await itKw()) > idleKw + 1 ? true : undefined));

    const created = await callApi(url, "POST", "/v1/grid/events", keys.operator, {
      reduceMW: 1,
      // Long enough to outlast the site change.
      durationS: 20,
      reason: "Slurm curtailment test",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const startMs = Date.parse(created.body.startsAt);
    await Promise.all(deferrable.map((id) => stateIs(id, ["SUSPENDED"])));
    const suspendedMs = Date.now() - startMs;
    const held = await stateIs(preemptible, ["PENDING"]);
    const requeuedMs = Date.now() - startMs;
    assert.match(held.reason, /held/i);
    assert.equal(slurmState(protectedJob)!.state, "RUNNING");
    // The flexible job is capped by the site's tool, on its Slurm id and nodes, and runs on.
    const flexibleSlurmId = squeueOf(slurm as TestSlurm, flexible, "%i|%k")[0]!.split("|")[0]!;
    const capped = await until("the flexible job's cap", () =>
      capCalls().find((call) => call.job === flexibleSlurmId && call.share < 1),
    );
    const cappedMs = Date.now() - startMs;
    assert.equal(capped.nodes, liveNode);
    assert.match(capped.watts, /^\d+$/);
    assert.equal(slurmState(flexible)!.state, "RUNNING", "a capped job is not suspended");
    // Suspended processes stop: their tick files stand still while the protected job's grows.
    // squeue shows SUSPENDED once slurmctld took the command; slurmd stops the processes a moment later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = [ticks(deferrable[0]!), ticks(protectedJob)];
    // At least 1.5 s, and until the protected job has ticked (a loaded machine may starve it for a while).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await until("the protected job to run on", () => (ticks(protectedJob) > before[1]! ? true : undefined), 15_000);
    assert.equal(ticks(deferrable[0]!), before[0], "a suspended job does not run");
    const event = (await callApi(url, "GET", `/v1/grid/events/${created.body.id}`, keys.operator)).body;
    assert.equal(event.report.jobs.suspended.deferrable, 2);
    assert.equal(event.report.jobs.requeued.preemptible, 1);
    assert.equal(event.report.jobs.capped.flexible, 1);
    assert.ok(Math.abs(capped.share - event.report.capShare) < 0.001, `tool share ${capped.share}`);
    assert.equal(slurmState(flexible)!.state, "RUNNING");

    // A site change during the event: zone:hds (hall h2, no job of this test) stops hosting health data.
    const doc = (await callApi(url, "GET", "/v1/site/document", keys.admin)).body;
    const zone = doc.zones.find((candidate: Json) => candidate.id === "zone:hds");
    zone.dataClasses = zone.dataClasses.filter((dataClass: string) => dataClass !== "health");
    const changeStartMs = Date.now();
    const changed = await callApi(url, "POST", "/v1/site/changes", keys.admin, { summary: "HDS closed", site: doc });
    assert.ok(changed.status < 300, JSON.stringify(changed.body));
    const rebound = await until("the event to follow the site change", async () => {
      const answer = (await callApi(url, "GET", `/v1/grid/events/${created.body.id}`, keys.operator)).body;
      return answer.report.siteChanges.length > 0 ? answer : undefined;
    });
    const changeMs = Date.now() - changeStartMs;
    assert.equal(rebound.state, "active", "the test needs the event to outlast the change");
    assert.deepEqual(
      (({ kept, reapplied, released }) => ({ kept, reapplied, released }))(rebound.report.siteChanges[0]),
      { kept: 4, reapplied: 0, released: 0 },
      "2 suspended, 1 capped, 1 requeued: carried, not commanded again",
    );
    // A few of alixan's Slurm polls (every 0.3 s) under the new generation: Slurm still shows what the event did.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const id of deferrable) assert.equal(slurmState(id)!.state, "SUSPENDED");
    assert.equal(slurmState(flexible)!.state, "RUNNING");
    assert.equal(slurmState(preemptible)!.state, "PENDING");
    assert.equal(ticks(deferrable[0]!), before[0], "a suspended job does not run");
    for (const id of deferrable)
      assert.deepEqual((await callApi(url, "GET", `/v1/jobs/${id}`, keys.hugo)).body.curtailment?.kind, "suspended");
    assert.equal(capCalls().length, 1, "the cap is not set again");

    const endMs = Date.parse(created.body.endsAt);
    await Promise.all(deferrable.map((id) => stateIs(id, ["RUNNING"])));
    const resumedMs = Date.now() - endMs;
    const lifted = await until("the flexible job's cap lifted", () =>
      capCalls().find((call) => call.job === flexibleSlurmId && call.share === 1),
    );
    const liftedMs = Date.now() - endMs;
    assert.equal(lifted.nodes, liveNode);
    assert.deepEqual(
      capCalls().map((call) => [call.job, call.share]),
      [
        [flexibleSlurmId, capped.share],
        [flexibleSlurmId, 1],
      ],
      "one cap, one lift, of the flexible job only",
    );
    await stateIs(preemptible, ["RUNNING"]);
    const releasedMs = Date.now() - endMs;
    assert.equal(slurmState(protectedJob)!.state, "RUNNING");
    assert.equal(slurmState(flexible)!.state, "RUNNING");
    const ended = await until("the report", async () => {
      const answer = (await callApi(url, "GET", `/v1/grid/events/${created.body.id}`, keys.operator)).body;
      return answer.state === "ended" && answer.report?.releasedAt !== null ? answer : undefined;
    });
    assert.equal(ended.report.protectedWorkLost, 0);
    assert.equal(ended.report.resumed, 3, "2 resumed, 1 cap lifted");
    // Each command once in Slurm, across the site change: one suspend and one resume per deferrable job.
    const slurmIdOf = (id: string) => squeueOf(slurm as TestSlurm, id, "%i|%k")[0]!.split("|")[0]!;
    for (const id of deferrable) {
      const calls = scontrolCalls().filter((call) => call[1] === slurmIdOf(id));
      assert.deepEqual(
        calls.map((call) => call[0]),
        ["suspend", "resume"],
        `scontrol for ${id}: ${JSON.stringify(calls)}`,
      );
    }
    const history = async (id: string) =>
      ((await callApi(url, "GET", `/v1/jobs/${id}/history`, keys.hugo)).body as Json[]).map((entry) => entry.event);
    const count = (events: string[], name: string) => events.filter((event) => event === name).length;
    const deferredHistory = await history(deferrable[0]!);
    assert.deepEqual([count(deferredHistory, "job.suspended"), count(deferredHistory, "job.resumed")], [1, 1]);
    const cappedHistory = await history(flexible);
    assert.deepEqual([count(cappedHistory, "job.capped"), count(cappedHistory, "job.uncapped")], [1, 1]);
    process.stdout.write(
      `# slurm grid event: 2 jobs SUSPENDED ${suspendedMs} ms after the start, 1 requeued-held after ${requeuedMs} ms, 1 capped by the tool (share ${capped.share}, ${capped.watts} W per GPU) after ${cappedMs} ms; site change followed in ${changeMs} ms with nothing commanded again; RUNNING again ${resumedMs} ms after the end, the requeued one ${releasedMs} ms, the cap lifted after ${liftedMs} ms; plan applied in ${(ended.report.applyS * 1000).toFixed(1)} ms; work lost ${JSON.stringify(ended.report.workLostGpuHours)} GPU-h, deferred ${ended.report.deferredGpuHours.toFixed(4)} GPU-h\n`,
    );
    for (const id of [protectedJob, ...deferrable, preemptible, flexible])
      await callApi(url, "POST", `/v1/jobs/${id}/cancel`, keys.admin, {});
  });
});
