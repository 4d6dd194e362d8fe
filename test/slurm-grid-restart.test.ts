/**
 * A platform killed (SIGKILL: no graceful release) during a grid curtailment on a real Slurm (Debian's slurm-wlm and
 * munge, test/support/slurm.ts), then started again on the same store: (a) the event still runs: the deferrable jobs
 * stay SUSPENDED (recognised, not suspended twice) and are RUNNING again after the event ends; (b) the event ended
 * while the platform was down: the jobs are RUNNING again shortly after the start. Each restart is in the event's
 * report (`restarts`) and the audit (`grid.reapply`, `grid.release`), and the resume in each job's history. A
 * flexible job is GPU power capped through the execution file's `powerCap` command (a stand-in tool that logs its
 * arguments): capped again after the first restart, and its cap lifted (share 1) by the second, the event over.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadSite } from "../src/model/load.ts";
import { killServe, type ServeProcess, startServe } from "./support/serve.ts";
import {
  type PowerCapToolCall,
  slurmForSuite,
  squeueOf,
  type TestSlurm,
  writePowerCapTool,
  writeSlurmExecution,
} from "./support/slurm.ts";
import { until } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const site = loadSite("lab").site!;
const liveNode = "h1-r02-01-n01";

describe("grid curtailment across a platform restart on Slurm", () => {
  let slurm: TestSlurm | string;
  let dataDir = "";
  let executionFile = "";
  let server: ServeProcess | undefined;
  let capCalls: () => PowerCapToolCall[] = () => [];

  before(async () => {
    slurm = await slurmForSuite(site, liveNode);
    if (typeof slurm === "string") return;
    dataDir = mkdtempSync(join(tmpdir(), "alixan-slurm-grid-restart-"));
    const tool = writePowerCapTool(dataDir);
    capCalls = tool.calls;
    executionFile = writeSlurmExecution(slurm, dataDir, { powerCap: tool.command });
  });
  after(async () => {
    if (server !== undefined && server.child.exitCode === null) {
      server.child.kill("SIGTERM");
      await new Promise((resolve) => server!.child.once("exit", resolve));
    }
    if (typeof slurm !== "string") slurm.stop();
    if (dataDir !== "") rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () => startServe(["--site", "lab", "--data-dir", join(dataDir, "store"), "--execution", executionFile]);
  const kill = killServe;
  const keyOf = (email: string) =>
    (JSON.parse(readFileSync(join(dataDir, "store", "demo-keys.json"), "utf8")) as Json[]).find(
      (key) => key.email === email,
    ).token as string;
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${server!.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const slurmState = (alixanId: string): string | undefined =>
    squeueOf(slurm as TestSlurm, alixanId, "%T|%k")[0]?.split("|")[0];
  const stateIs = (id: string, state: string, timeoutMs?: number) =>
    until(`${id} ${state} in Slurm`, () => (slurmState(id) === state ? true : undefined), timeoutMs);

  it("re-applies the plan when the event still runs, and releases it when it ended during the downtime", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    server = await start();
    const hugo = keyOf("hugo@rhone-pharma.example");
    const operator = keyOf("camille@alixan.local");
    const auditor = keyOf("audit@alixan.local");
    const projectId = (await call("GET", "/v1/projects", hugo)).body[0].id;
    // The first job asks to end within 45 minutes: 30 of run time, and slack enough to be paused through the events.
    const deadline = new Date(Date.now() + 45 * 60_000).toISOString();
    const submit = async (name: string, flexibility = "deferrable", extra: Record<string, unknown> = {}) => {
      const answer = await call("POST", "/v1/jobs", hugo, {
        projectId,
        name,
        gpus: 2,
        gpuModel: "H200",
        durationS: 1800,
        dataClass: "public",
        flexibility,
        command: "sleep 1800",
        ...extra,
      });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal(answer.body.deadline, extra["deadline"], `${name}: the deadline answered as asked, none if none`);
      return answer.body.id as string;
    };
    const itKw = async () => (await call("GET", "/v1/state/site", operator)).body.kpis.itKW as number;
    const idleKw = await itKw();
    const jobs = [await submit("train-a", "deferrable", { deadline }), await submit("train-b")];
    const flexible = await submit("finetune", "flexible");
    for (const id of [...jobs, flexible]) {
      await stateIs(id, "RUNNING");
      // alixan reads Slurm's states every 0.3 s: the plan acts on jobs it knows to run.
      await until(`${id} running in alixan`, async () =>
        (await call("GET", `/v1/jobs/${id}`, hugo)).body.state === "running" ? true : undefined,
      );
    }
    // The plan sheds what the live twin draws: it reads the placements at its step after they change.
    await until("the twin to draw the jobs' power", async () => ((await itKw()) > idleKw + 1 ? true : undefined));
    const slurmIds = async () =>
      Promise.all(jobs.map(async (id) => (await call("GET", `/v1/jobs/${id}`, hugo)).body.execution.externalId));
    const idsBefore = await slurmIds();
    /**
     * The deadline as the API answers it (read and listed: the instant asked for) and as Slurm holds the job: alixan
     * decides when it starts, so Slurm gets no deadline of its own (no `--deadline`, which would end it as DEADLINE,
     * nor `--begin`), and its time limit (`--time`, the 30 minutes asked) has it end by the deadline.
     */
    const checkDeadline = async (when: string) => {
      const [id, other] = jobs as [string, string];
      assert.equal((await call("GET", `/v1/jobs/${id}`, hugo)).body.deadline, deadline, `${when}: read`);
      const listed = (await call("GET", "/v1/jobs?namePrefix=train-", hugo)).body as Json[];
      assert.equal(listed.find((job) => job.id === id)?.deadline, deadline, `${when}: listed`);
      assert.equal("deadline" in listed.find((job) => job.id === other), false, `${when}: none asked, none listed`);
      const [slurmId] = await slurmIds();
      const fields = new Map(
        [...(slurm as TestSlurm).run("scontrol", ["-o", "show", "job", slurmId]).matchAll(/(\w+)=(\S*)/g)].map(
          (match) => [match[1]!, match[2]!],
        ),
      );
      assert.equal(fields.get("Deadline"), "N/A", `${when}: Slurm has no deadline of its own`);
      assert.equal(fields.get("TimeLimit"), "00:30:00", `${when}: the time limit is the duration asked`);
      // Slurm writes its times in local time, as Date.parse reads a time without a zone.
      const endMs = Date.parse(fields.get("EndTime")!);
      assert.ok(endMs <= Date.parse(deadline), `${when}: Slurm ends it ${fields.get("EndTime")}, by ${deadline}`);
    };
    await checkDeadline("before the restarts");
    const flexibleSlurmId = String((await call("GET", `/v1/jobs/${flexible}`, hugo)).body.execution.externalId);
    const capShares = () => capCalls().flatMap((entry) => (entry.job === flexibleSlurmId ? [entry.share] : []));

    // An event that lasts through the kill and the restart; the plan is applied and stored before the kill.
    const created = await call("POST", "/v1/grid/events", operator, {
      reduceMW: 1,
      durationS: 75,
      reason: "restart test: still active",
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const first = created.body.id as string;
    for (const id of jobs) await stateIs(id, "SUSPENDED");
    await until("the flexible job capped", () => (capShares().length === 1 ? true : undefined));
    const capShare = capShares()[0]!;
    assert.ok(capShare < 1, `capped at ${capShare}`);
    // The start is recorded (with the report) shortly after the commands: the kill comes after it.
    const startRecorded = (id: string) =>
      until(`the start of ${id} recorded`, async () => {
        const audit = (await call("GET", `/v1/audit?resource=grid-event:${id}`, auditor)).body as Json[];
        return audit.some((record) => record.action === "grid.start") ? true : undefined;
      });
    await startRecorded(first);
    await kill(server);
    const killedMs = Date.now();

    server = await start();
    const restartedMs = Date.now();
    const taken = await until("the event taken back", async () => {
      const event = (await call("GET", `/v1/grid/events/${first}`, operator)).body;
      return event.report?.restarts.length === 1 ? event : undefined;
    });
    assert.equal(taken.state, "active", "the test needs the event to outlast the restart");
    assert.deepEqual(
      { outcome: taken.report.restarts[0].outcome, kept: taken.report.restarts[0].kept },
      { outcome: "reapplied", kept: 2 },
    );
    assert.equal(taken.report.restarts[0].reapplied, 1, "suspended jobs are not suspended twice; the cap is set again");
    for (const id of jobs) assert.equal(slurmState(id), "SUSPENDED");
    assert.deepEqual(await slurmIds(), idsBefore, "the same Slurm jobs, adopted");
    await checkDeadline("after the first restart");
    const endMs = Date.parse(created.body.endsAt);
    for (const id of jobs) await stateIs(id, "RUNNING", endMs - Date.now() + 60_000);
    const resumedMs = Date.now() - endMs;
    const ended = await until("the report of the first event", async () => {
      const event = (await call("GET", `/v1/grid/events/${first}`, operator)).body;
      return event.state === "ended" && event.report?.releasedAt !== null ? event : undefined;
    });
    assert.equal(ended.report.resumed, 3, "2 resumed, 1 cap lifted");
    assert.equal(ended.report.jobs.suspended.deferrable, 2);
    await until("the cap lifted at the end", () => (capShares().length === 3 ? true : undefined));
    assert.deepEqual(capShares(), [capShare, capShare, 1], "capped, capped again after the restart, lifted");
    assert.ok(ended.report.deferredGpuHours > 0);
    assert.ok(ended.report.sampledS !== null && ended.report.sampledS < 75, `sampled ${ended.report.sampledS} s`);
    const firstAudit = (await call("GET", `/v1/audit?resource=grid-event:${first}`, auditor)).body as Json[];
    assert.deepEqual(
      firstAudit.map((record) => record.action),
      ["grid.create", "grid.start", "grid.reapply", "grid.end"],
    );

    // (b) The event ends while the platform is down: the jobs run again as soon as it is back.
    const second = await call("POST", "/v1/grid/events", operator, {
      reduceMW: 1,
      durationS: 15,
      reason: "restart test: ends during the downtime",
    });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    const secondId = second.body.id as string;
    for (const id of jobs) await stateIs(id, "SUSPENDED");
    await until("the flexible job capped again", () => (capShares().length === 4 ? true : undefined));
    await startRecorded(secondId);
    await kill(server);
    const secondEndMs = Date.parse(second.body.endsAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, secondEndMs - Date.now() + 1000)));
    for (const id of jobs) assert.equal(slurmState(id), "SUSPENDED", "nothing resumed them while alixan was down");
    assert.deepEqual(capShares(), [capShare, capShare, 1, capShare], "nothing lifted the cap while alixan was down");
    const spawnedMs = Date.now();
    server = await start();
    const upMs = Date.now();
    for (const id of jobs) await stateIs(id, "RUNNING", 30_000);
    const afterStartMs = Date.now() - upMs;
    await until("the cap lifted after the restart", () => (capShares().length === 5 ? true : undefined), 30_000);
    const liftedMs = Date.now() - upMs;
    assert.deepEqual(capShares(), [capShare, capShare, 1, capShare, 1]);
    assert.equal(slurmState(flexible), "RUNNING");
    const released = (await call("GET", `/v1/grid/events/${secondId}`, operator)).body;
    assert.equal(released.state, "ended");
    assert.equal(released.report.restarts[0].outcome, "released");
    assert.equal(released.report.restarts[0].kept, 3, "2 suspended, 1 capped");
    assert.equal(released.report.resumed, 3);
    assert.ok(Date.parse(released.report.releasedAt) >= secondEndMs, "released when the platform was back");
    const secondAudit = (await call("GET", `/v1/audit?resource=grid-event:${secondId}`, auditor)).body as Json[];
    assert.deepEqual(
      secondAudit.map((record) => record.action),
      ["grid.create", "grid.start", "grid.release"],
    );
    const history = (await call("GET", `/v1/jobs/${jobs[0]}/history`, hugo)).body as Json[];
    const resumes = history.filter((event) => event.event === "job.resumed");
    assert.equal(resumes.length, 2, "resumed once per event");
    assert.match(JSON.stringify(resumes.at(-1)), /after a platform restart/);
    assert.deepEqual(await slurmIds(), idsBefore, "still the same Slurm jobs");
    await checkDeadline("after the second restart");
    process.stdout.write(
      `# slurm grid restart: killed ${((killedMs - Date.parse(created.body.startsAt)) / 1000).toFixed(1)} s into a 75 s event, back after ${((restartedMs - killedMs) / 1000).toFixed(1)} s; jobs stayed SUSPENDED, RUNNING ${resumedMs} ms after its end; event ended during the downtime: RUNNING ${afterStartMs} ms after the restarted platform answered, cap lifted after ${liftedMs} ms (${((upMs - spawnedMs) / 1000).toFixed(1)} s after its launch)\n`,
    );
    for (const id of [...jobs, flexible]) await call("POST", `/v1/jobs/${id}/cancel`, hugo, {});
  });
});
