/**
 * Execution on a real Slurm (Debian's slurm-wlm and munge, started on loopback by test/support/slurm.ts):
 * the generated configuration of the lab site is accepted by slurmctld; admitted jobs run in Slurm and come back
 * succeeded or failed with their exit code; a cancellation reaches Slurm; a preempted job is requeued in Slurm and
 * runs again where alixan places it next; killing and restarting alixan in the middle loses or duplicates nothing,
 * and a job Slurm lost is marked failed with the reason.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { simulatedExecution } from "../src/execution/config.ts";
import { SlurmExecutor } from "../src/execution/slurm.ts";
import { SlurmCli } from "../src/execution/slurm-cli.ts";
import { slurmConfig } from "../src/execution/slurm-config.ts";
import { loadSite } from "../src/model/load.ts";
import { inventoryFromSite } from "../src/scheduler/inventory.ts";
import { type Job, jobSpec } from "../src/scheduler/jobs.ts";
import { LiveScheduler } from "../src/scheduler/live.ts";
import { defaultPriorityClasses, type QueueSetConfig } from "../src/scheduler/queues.ts";
import { killServe, type ServeProcess, startServe } from "./support/serve.ts";
import { slurmForSuite, squeueOf, type TestSlurm, writeSlurmExecution } from "./support/slurm.ts";
import { until as waitUntil } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const site = loadSite("lab").site!;
const liveNode = "h1-r02-01-n01";

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 45_000) =>
  waitUntil(what, probe, timeoutMs);

describe("slurm config", () => {
  it("generates nodes, partitions, GRES and a topology tree for the lab that slurmctld accepts", async (t) => {
    const slurm = await slurmForSuite(site, undefined);
    if (typeof slurm === "string") return t.skip(slurm);
    try {
      const nodes = slurm.run("sinfo", ["--noheader", "-N", "-o", "%N %P %G %f"]).trim().split("\n");
      const byName = new Map(nodes.map((line) => [line.split(" ")[0]!, line]));
      assert.equal(byName.size, 416, "every server of the lab is a node");
      assert.match(byName.get("h1-r01-01-n01")!, /h1\* gpu:gb300:4 gb300,nvl72,hall_h1/);
      assert.match(byName.get("h2-r01-03-n04")!, /h2 gpu:h200:8 h200,hgx,hall_h2,zone_hds/);
      assert.match(byName.get("h1-r03-12-n16")!, /h1\* \(null\) cpu,hall_h1/);
      const topology = slurm.run("scontrol", ["show", "topology"]);
      assert.match(topology, /SwitchName=h1-r01-01 Level=0 .*Nodes=h1-r01-01-n\[01-18\]/);
      assert.match(topology, /SwitchName=h1-r02 Level=1 .*Switches=h1-r02-\[01-08\]/);
      assert.match(topology, /SwitchName=lab-core Level=4 .*Switches=h1-spine,h2-spine/);
      const gpus = slurm.run("scontrol", ["show", "node", "h1-r02-03-n02"]);
      assert.match(gpus, /CPUTot=224/);
      assert.match(gpus, /RealMemory=2097152/);
    } finally {
      slurm.stop();
    }
  });

  it("generates one hall as its own cluster", () => {
    const files = slurmConfig(site, { hall: "h2" });
    assert.ok(typeof files !== "string");
    assert.equal(files.nodes, 120);
    assert.deepEqual(files.partitions, ["h2"]);
    assert.doesNotMatch(files["slurm.conf"], /h1-r/);
    assert.match(files["slurm.conf"], /^ClusterName=lab-h2$/m);
    assert.equal(slurmConfig(site, { hall: "h9" }), "site lab has no hall h9 (halls: h1, h2)");
    assert.equal(slurmConfig(site, { set: ["Nope"] }), 'setting "Nope" is not Key=Value');
  });
});

describe("slurm executor", () => {
  let slurm: TestSlurm | string;
  let live: LiveScheduler;
  let executor: SlurmExecutor;
  const commands = new Map<string, string>();
  const reports = new Map<Job, Json>();
  const inventory = inventoryFromSite(site);
  const queues: QueueSetConfig = {
    fairShareHalfLifeHours: 24,
    priorityClasses: defaultPriorityClasses,
    cohorts: [],
    queues: [
      { name: "research", tenant: "campus-valence", cohort: undefined, weight: 1, priorityClass: "normal", quota: {} },
      { name: "urgent", tenant: "hopitaux-drome", cohort: undefined, weight: 1, priorityClass: "critical", quota: {} },
    ],
    defaultQueue: undefined,
  };

  before(async () => {
    slurm = await slurmForSuite(site, liveNode);
    if (typeof slurm === "string") return;
    const settings = {
      ...simulatedExecution.slurm,
      conf: slurm.conf,
      pollSeconds: 0.3,
      nodePollSeconds: 1,
      workDir: join(slurm.dir, "work"),
    };
    live = new LiveScheduler({
      inventory,
      queues,
      checks: [],
      executor: (scheduler) => {
        executor = new SlurmExecutor({
          live: scheduler,
          cli: new SlurmCli(settings),
          settings,
          siteId: "lab",
          partitionOf: (node) => (inventory.nodeName(node).startsWith("h1") ? "h1" : "h2"),
          hooks: {
            describe: (job) => ({
              id: job.spec.id,
              account: job.spec.queue,
              name: job.spec.id,
              command: commands.get(job.spec.id),
            }),
            reported: (job, report) => reports.set(job, report),
          },
        });
        return executor;
      },
    });
    const offline = await executor.pollNodes();
    assert.equal(offline, 415, "every node but the one running slurmd is out of placement");
    executor.start();
  });
  after(async () => {
    if (typeof slurm === "string") return;
    live.dispose();
    await executor.close();
    slurm.stop();
  });

  const submit = (id: string, queue: string, gpus: number, command: string) => {
    // The executor asks for the command when it launches the job, after this submission admitted it.
    commands.set(id, command);
    return live.submit(jobSpec({ id, queue, submitS: 0, durationS: 600, gpus, gpuModels: ["H200"], cpuMilli: 1000 }));
  };
  const squeue = (id: number) =>
    (slurm as TestSlurm).run("squeue", ["--noheader", "--states=all", "-j", String(id), "-o", "%T|%r|%N"]).trim();
  /**
   * Waits for `job` to reach `state`; a timeout says where the job stood (alixan's state and reason, its Slurm job
   * and the Slurm logs' last lines), since a stuck first job under load gave only "timed out" once (session 12).
   */
  const untilState = async (job: Job, state: Job["state"], what: string) => {
    try {
      await until(what, () => (job.state === state ? true : undefined));
    } catch (error) {
      const id = executor.slurmIdOf(job);
      const dir = (slurm as TestSlurm).dir;
      const tail = (file: string) => {
        try {
          return readFileSync(join(dir, file), "utf8").trim().split("\n").slice(-8).join("\n");
        } catch {
          return "(none)";
        }
      };
      let queue = "not submitted";
      try {
        if (id !== undefined) queue = squeue(id);
      } catch (failure) {
        queue = `(squeue failed: ${(failure as Error).message})`;
      }
      throw new Error(
        `${(error as Error).message}: job ${job.state} (${job.reason}), Slurm job ${id ?? "none"} ${queue}\nslurmctld.log:\n${tail("slurmctld.log")}\nslurmd.log:\n${tail("slurmd.log")}`,
      );
    }
  };

  it("runs a job on the node alixan placed it on, and it succeeds with exit code 0", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const job = submit("ok-1", "research", 2, "echo hello from $ALIXAN_JOB_ID; exit 0");
    assert.equal(job.state, "admitted");
    assert.equal(inventory.nodeName(job.nodes[0]!), "h1-r02-01/n01");
    await untilState(job, "succeeded", "success");
    const report = reports.get(job);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(report.nodes, [liveNode]);
    assert.ok(report.startMs > 0 && report.endMs >= report.startMs);
    const output = readFileSync(join((slurm as TestSlurm).dir, "work", `alixan-${report.id}.out`), "utf8");
    assert.match(output, /hello from ok-1/);
    assert.match(job.reason, /completed \(exit code 0\)/);
  });

  it("a failing job reaches failed with its exit code", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const job = submit("fail-1", "research", 1, "echo oops >&2; exit 3");
    await untilState(job, "failed", "failure");
    assert.equal(reports.get(job).exitCode, 3);
    assert.match(job.reason, /FAILED \(exit code 3; NonZeroExitCode\)/);
  });

  it("cancelling a running job cancels it in Slurm", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const job = submit("cancel-1", "research", 4, "sleep 120");
    await untilState(job, "running", "running");
    const id = executor.slurmIdOf(job)!;
    assert.match(squeue(id), /^RUNNING/);
    live.cancel(job);
    assert.equal(job.state, "cancelled");
    await until("Slurm cancels it", () => (squeue(id).startsWith("CANCELLED") ? true : undefined));
  });

  it("a preempted job is requeued in Slurm (held) and runs again, same Slurm job, when room comes back", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    const victim = submit("victim-1", "research", 8, "echo run $SLURM_RESTART_COUNT; sleep 120");
    await until("victim running", () => (victim.state === "running" ? true : undefined));
    const id = executor.slurmIdOf(victim)!;
    const urgent = submit("urgent-1", "urgent", 8, "sleep 2");
    assert.equal(urgent.state, "admitted", "the critical job takes the node");
    assert.equal(victim.state, "queued");
    assert.equal(victim.preemptions, 1);
    await until("victim held in Slurm", () => (/^PENDING\|.*held/i.test(squeue(id)) ? true : undefined));
    await until("urgent done", () => (urgent.state === "succeeded" ? true : undefined));
    await until("victim runs again", () => (victim.state === "running" ? true : undefined));
    assert.equal(executor.slurmIdOf(victim), id, "the same Slurm job was released, not a new one");
    await until("Slurm runs it", () => (squeue(id).startsWith("RUNNING") ? true : undefined));
    const restarts = (slurm as TestSlurm).run("scontrol", ["show", "job", String(id)]);
    assert.match(restarts, /Restarts=1/);
    live.cancel(victim);
    await until("cleanup", () => (squeue(id).startsWith("CANCELLED") ? true : undefined));
  });
});

describe("platform on Slurm", () => {
  let slurm: TestSlurm | string;
  let dataDir: string;
  let executionFile: string;

  before(async () => {
    slurm = await slurmForSuite(site, liveNode);
    if (typeof slurm === "string") return;
    dataDir = mkdtempSync(join(tmpdir(), "alixan-slurm-platform-"));
    executionFile = writeSlurmExecution(slurm, dataDir);
  });
  after(() => {
    if (typeof slurm === "string") return;
    slurm.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () => startServe(["--site", "lab", "--data-dir", join(dataDir, "store"), "--execution", executionFile]);
  const keyOf = (email: string) =>
    (JSON.parse(readFileSync(join(dataDir, "store", "demo-keys.json"), "utf8")) as Json[]).find(
      (key) => key.email === email,
    ).token as string;
  const call = async (server: ServeProcess, method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const slurmJobsOf = (alixanId: string) => squeueOf(slurm as TestSlurm, alixanId, "%i|%T|%k");

  it("runs an API job in Slurm to succeeded, survives kill -9 and restart without losing or duplicating", async (t) => {
    if (typeof slurm === "string") return t.skip(slurm);
    let server = await start();
    try {
      const hugo = keyOf("hugo@rhone-pharma.example");
      const projectId = (await call(server, "GET", "/v1/projects", hugo)).body[0].id;
      const base = { projectId, gpus: 2, gpuModel: "H200", durationS: 600, dataClass: "public" };

      const missing = await call(server, "POST", "/v1/jobs", hugo, { ...base, name: "no command" });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors[0].field, "body.command");

      const quick = await call(server, "POST", "/v1/jobs", hugo, { ...base, name: "quick", command: "exit 0" });
      assert.equal(quick.status, 201, JSON.stringify(quick.body));
      const done = await until("quick job succeeded", async () => {
        const view = (await call(server, "GET", `/v1/jobs/${quick.body.id}`, hugo)).body;
        return view.state === "succeeded" ? view : undefined;
      });
      assert.equal(done.execution.backend, "slurm");
      assert.equal(done.execution.exitCode, 0);
      assert.deepEqual(done.execution.nodes, [liveNode]);

      const failing = await call(server, "POST", "/v1/jobs", hugo, { ...base, name: "failing", command: "exit 7" });
      const failed = await until("failing job failed", async () => {
        const view = (await call(server, "GET", `/v1/jobs/${failing.body.id}`, hugo)).body;
        return view.state === "failed" ? view : undefined;
      });
      assert.equal(failed.execution.exitCode, 7);
      assert.match(failed.reason, /exit code 7/);

      // It runs until the test lets it end, however long the restart takes on a loaded machine.
      const release = join(dataDir, "release-long");
      const long = await call(server, "POST", "/v1/jobs", hugo, {
        ...base,
        name: "long",
        command: `while [ ! -e ${release} ]; do sleep 0.2; done`,
      });
      assert.equal(long.status, 201, JSON.stringify(long.body));
      const running = await until("long job running", async () => {
        const view = (await call(server, "GET", `/v1/jobs/${long.body.id}`, hugo)).body;
        return view.state === "running" ? view : undefined;
      });
      const slurmId = running.execution.externalId;
      // Let the start reach the store, then kill the platform without warning.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await killServe(server);

      server = await start();
      const adopted = (await call(server, "GET", `/v1/jobs/${long.body.id}`, hugo)).body;
      assert.equal(adopted.state, "running", server.output());
      assert.equal(adopted.execution.externalId, slurmId, "the same Slurm job, adopted");
      assert.equal(slurmJobsOf(long.body.id).length, 1, "nothing was submitted twice");
      writeFileSync(release, "");
      const finished = await until("long job succeeded after the restart", async () => {
        const view = (await call(server, "GET", `/v1/jobs/${long.body.id}`, hugo)).body;
        return view.state === "succeeded" ? view : undefined;
      });
      assert.equal(finished.execution.exitCode, 0);
      assert.equal(slurmJobsOf(long.body.id).length, 1);

      // Slurm loses everything (controller restarted with its state cleared) while the platform is down.
      const doomed = await call(server, "POST", "/v1/jobs", hugo, { ...base, name: "doomed", command: "sleep 60" });
      await until("doomed job running", async () => {
        const view = (await call(server, "GET", `/v1/jobs/${doomed.body.id}`, hugo)).body;
        return view.state === "running" ? view : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await killServe(server);
      await (slurm as TestSlurm).restartController({ clearState: true });
      server = await start();
      const lost = (await call(server, "GET", `/v1/jobs/${doomed.body.id}`, hugo)).body;
      assert.equal(lost.state, "failed");
      assert.match(lost.reason, /Slurm has no record of job \d+/);
      // Jobs that ended before the restart are still there, read from the store.
      const earlier = (await call(server, "GET", `/v1/jobs/${failing.body.id}`, hugo)).body;
      assert.equal(earlier.state, "failed");
      assert.equal(earlier.execution.exitCode, 7);
    } finally {
      server.child.kill("SIGTERM");
      await new Promise((resolve) =>
        server.child.exitCode === null ? server.child.once("exit", resolve) : resolve(0),
      );
    }
  });
});
