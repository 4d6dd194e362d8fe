/**
 * GPU power caps through the Slurm executor with a stand-in cluster: `sbatch` and `squeue` are small scripts in the
 * executor's `bin` (the real `SlurmCli` runs them, in its bounded slots), and the power-cap command is a script that
 * appends its arguments to a file, as a site's `nvidia-smi -pl` wrapper would be called.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { until } from "../../test/support/wait.ts";
import { loadSite } from "../model/load.ts";
import { inventoryFromSite } from "../scheduler/inventory.ts";
import { type Job, jobSpec } from "../scheduler/jobs.ts";
import { LiveScheduler } from "../scheduler/live.ts";
import { defaultPriorityClasses, type QueueSetConfig } from "../scheduler/queues.ts";
import { type PowerCapSettings, simulatedExecution } from "./config.ts";
import { compressHostlist } from "./hostlist.ts";
import { SlurmExecutor } from "./slurm.ts";
import { SlurmCli } from "./slurm-cli.ts";

const site = loadSite("lab").site!;
const inventory = inventoryFromSite(site);
const queues: QueueSetConfig = {
  fairShareHalfLifeHours: 24,
  priorityClasses: defaultPriorityClasses,
  cohorts: [],
  queues: [
    { name: "research", tenant: "campus-valence", cohort: undefined, weight: 1, priorityClass: "normal", quota: {} },
  ],
  defaultQueue: undefined,
};
const slurmId = 4242;

interface Cluster {
  readonly live: LiveScheduler;
  readonly executor: SlurmExecutor;
  readonly log: string[];
  readonly calls: () => string[];
  /** What squeue answers for the job from now on. */
  readonly slurmSays: (state: string) => void;
  /** A running job: submitted, launched with sbatch, reported RUNNING by squeue. */
  readonly running: (id: string) => Promise<Job>;
  readonly hostlistOf: (job: Job) => string;
  readonly close: () => Promise<void>;
}

/** A live scheduler on the lab site with a Slurm executor whose commands are the scripts of a temporary `bin`. */
function cluster(powerCap: ((calls: string) => PowerCapSettings) | undefined): Cluster {
  const bin = mkdtempSync(join(tmpdir(), "alixan-power-cap-"));
  const callsFile = join(bin, "calls.txt");
  const answer = join(bin, "squeue.json");
  writeFileSync(join(bin, "sbatch"), `#!/bin/sh\ncat >/dev/null\necho ${slurmId}\n`, { mode: 0o755 });
  writeFileSync(join(bin, "squeue"), `#!/bin/sh\ncat "${answer}"\n`, { mode: 0o755 });
  writeFileSync(answer, JSON.stringify({ jobs: [] }));
  const settings = { ...simulatedExecution.slurm, bin, pollSeconds: 3600, nodePollSeconds: 3600 };
  const log: string[] = [];
  let executor: SlurmExecutor | undefined;
  let job: Job | undefined;
  const live = new LiveScheduler({
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
          describe: (described) => ({
            id: described.spec.id,
            account: described.spec.queue,
            name: described.spec.id,
            command: "sleep 600",
          }),
          log: (message) => log.push(message),
        },
        powerCap: powerCap?.(callsFile),
      });
      return executor;
    },
  });
  const built = executor!;
  const hostlistOf = (placed: Job) =>
    compressHostlist([...new Set(Array.from(placed.nodes, (node) => built.nodeName(node)))]);
  const slurmSays = (state: string) =>
    writeFileSync(
      answer,
      JSON.stringify({
        jobs: [
          {
            job_id: slurmId,
            job_state: state,
            nodes: job === undefined ? "" : hostlistOf(job),
            comment: `alixan:lab:${job?.spec.id}`,
            start_time: 1_795_576_008,
            end_time: state === "RUNNING" ? 0 : 1_795_576_100,
            exit_code: 0,
          },
        ],
      }),
    );
  return {
    live,
    executor: built,
    log,
    calls: () => (existsSync(callsFile) ? readFileSync(callsFile, "utf8").trim().split("\n") : []),
    slurmSays,
    hostlistOf,
    async running(id) {
      job = live.submit(jobSpec({ id, queue: "research", submitS: 0, durationS: 600, gpus: 2, gpuModels: ["H200"] }));
      assert.equal(job.state, "admitted");
      await until("sbatch", () => built.slurmIdOf(job!));
      slurmSays("RUNNING");
      await built.pollJobs();
      assert.equal(job.state, "running");
      return job;
    },
    async close() {
      live.dispose();
      await built.close();
      rmSync(bin, { recursive: true, force: true });
    },
  };
}

/** A power-cap command that appends its arguments to `calls`, then exits with `exit`. */
function appendingTool(calls: string, exit = 0): string {
  const script = `${calls}.sh`;
  writeFileSync(script, `#!/bin/sh\necho "$*" >> "${calls}"\nexit ${exit}\n`, { mode: 0o755 });
  return script;
}

describe("GPU power caps on Slurm (powerCap)", () => {
  let current: Cluster | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  it("caps a running job's nodes at 0.6 and lifts the cap at 1, with its Slurm id, host list and watts", async () => {
    current = cluster((calls) => ({
      command: [appendingTool(calls), "{job}", "{nodes}", "{share}", "{watts}"],
      timeoutSeconds: 10,
      retries: 0,
    }));
    const { live, log } = current;
    const job = await current.running("cap-1");
    const nodes = current.hostlistOf(job);
    const rackLevel = inventory.levels[inventory.facility!.rackLevel]!;
    const rack = site.racks[rackLevel.groupOfNode[job.nodes[0]!]!]!;
    assert.equal(site.rackTypes[rack.typeIndex]!.id, "hgx", "H200 racks: 42 kW design, 9 kW idle, 32 GPUs");
    assert.equal(live.cap(job, 0.6), true);
    await until("the cap call", () => (current!.calls().length === 1 ? true : undefined));
    assert.equal(live.cap(job, 1), true);
    await until("the lift call", () => (current!.calls().length === 2 ? true : undefined));
    // 9,000 W / 32 + 0.6 × (42,000 − 9,000) W / 32 = 900 W per GPU; lifted: 42,000 W / 32 = 1,312.5 W.
    assert.deepEqual(current.calls(), [`${slurmId} ${nodes} 0.6 900`, `${slurmId} ${nodes} 1 1313`]);
    // The script appends before it exits: the log lines come once the executor has seen it succeed.
    await until("the log", () => (log.length >= 2 ? true : undefined));
    assert.match(log[0]!, /job 4242 \(cap-1\): GPU power held to 900 W per GPU, 60 % .*: enforced/);
    assert.match(log[1]!, /job 4242 \(cap-1\): GPU power cap lifted \(1313 W per GPU, full power\) .*: enforced/);
  });

  it("lifts the cap of a capped job whose run ends, so the next work on its GPUs is not held", async () => {
    current = cluster((calls) => ({
      command: [appendingTool(calls), "{job}", "{nodes}", "{watts}"],
      timeoutSeconds: 10,
      retries: 0,
    }));
    const job = await current.running("cap-2");
    const nodes = current.hostlistOf(job);
    current.live.cap(job, 0.5);
    await until("the cap call", () => (current!.calls().length === 1 ? true : undefined));
    current.slurmSays("COMPLETED");
    await current.executor.pollJobs();
    assert.equal(job.state, "succeeded");
    await until("the lift call", () => (current!.calls().length === 2 ? true : undefined));
    assert.deepEqual(current.calls(), [`${slurmId} ${nodes} 797`, `${slurmId} ${nodes} 1313`]);
    // The script appends before it exits: the log line comes once the executor has seen it succeed.
    await until("the log", () => current!.log.find((line) => /cap lifted after its capped run stopped/.test(line)));
    assert.match(current.log.at(-1)!, /job 4242 \(cap-2\): GPU power cap lifted after .*: enforced/);
  });

  it("logs a failing command with the job and exit code, retries it, and says the cap is only modelled", async () => {
    current = cluster((calls) => ({
      command: [appendingTool(calls, 3), "{job}", "{share}"],
      timeoutSeconds: 10,
      retries: 1,
    }));
    const job = await current.running("cap-3");
    current.live.cap(job, 0.6);
    const failure = await until("the failure", () =>
      current!.log.find((line) => line.includes("power-cap command failed")),
    );
    assert.deepEqual(current.calls(), [`${slurmId} 0.6`, `${slurmId} 0.6`], "one retry");
    assert.match(failure, /job 4242 \(cap-3\): .*modelled only, .* after 2 attempts \(exit code 3\)/);
    assert.equal(current.live.powerShareOf(job), 0.6, "the twin draws the capped power in any case");
  });

  it("without powerCap the cap is only modelled and logged, as before", async () => {
    current = cluster(undefined);
    const job = await current.running("cap-4");
    assert.equal(current.live.cap(job, 0.6), true);
    assert.equal(current.live.powerShareOf(job), 0.6);
    assert.deepEqual(
      current.log.filter((line) => line.includes("GPU power")),
      [
        "slurm: job 4242 (cap-4) GPU power held to 60 % of dynamic power (modelled: no per-job power limit in Slurm, no powerCap command)",
      ],
    );
  });
});
