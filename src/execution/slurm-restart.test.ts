/**
 * A restart of alixan with a native Slurm array half done, against a stand-in for Slurm's commands (squeue answers
 * what a 22.05 slurmctld keeps; every command is recorded): the array's waiting tasks are taken back from the Slurm
 * array they wait in, never submitted as a second array, and only what Slurm no longer has is submitted anew; a hold
 * or release of the whole array is one command naming its waiting tasks by the ArrayJobId.
 * test/slurm-native.test.ts runs the same on a real slurmctld.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import type { Wait } from "../scheduler/checks.ts";
import { inventoryFromSite } from "../scheduler/inventory.ts";
import { type Job, jobSpec } from "../scheduler/jobs.ts";
import { LiveScheduler } from "../scheduler/live.ts";
import { defaultPriorityClasses } from "../scheduler/queues.ts";
import { simulatedExecution } from "./config.ts";
import { type RunDescription, SlurmExecutor, type StoredRun } from "./slurm.ts";
import { arrayTaskIndexes, gpusPerTaskOf, SlurmCli, tasksRef } from "./slurm-cli.ts";

const site = loadSite("lab").site!;
const inventory = inventoryFromSite(site);
/** The one node left in placement (the test Slurm's), so a task's partition and GPUs are the array's. */
const node = "h1-r02-01/n01";

/** Slurm's commands, answered from `jobs` (squeue --json) and recorded as run. */
class StandInCli extends SlurmCli {
  readonly commands: string[] = [];
  jobs_: Record<string, unknown>[] = [];
  nextJobId = 30;

  constructor() {
    super(simulatedExecution.slurm);
  }

  override async run(command: string, args: readonly string[]): Promise<string> {
    this.commands.push(`${command} ${args.join(" ")}`);
    if (command === "squeue") return JSON.stringify({ jobs: this.jobs_ });
    if (command === "sbatch") return `${this.nextJobId++}\n`;
    // A task split off by its update has its own job id.
    if (command === "scontrol" && args[0] === "show") return `JobId=${this.nextJobId++} ArrayJobId=7\n`;
    return "";
  }
}

/** One array task's record as 22.05's `squeue --json` gives it. */
function slurmRecord(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    job_state: "PENDING",
    comment: "alixan:lab:arr",
    partition: "h1",
    tres_per_task: "gres:gpu:h200:2",
    priority: 0,
    state_reason: "JobHeldAdmin",
    ...fields,
  };
}

interface Setup {
  readonly cli: StandInCli;
  readonly executor: SlurmExecutor;
  readonly live: LiveScheduler;
  readonly logs: string[];
  /** Submits waiting task `taskId` of array `arr` (it waits until `open`). */
  task(taskId: number): Job;
  /** Lets the waiting tasks be placed. */
  open(): void;
}

let current: Setup | undefined;
afterEach(async () => {
  current?.live.dispose();
  await current?.executor.close();
  current = undefined;
});

function setup(): Setup {
  const cli = new StandInCli();
  const logs: string[] = [];
  const runs = new Map<string, RunDescription>();
  let gateOpen = false;
  const wait: Wait = { reason: "not yet", retryAtS: Number.POSITIVE_INFINITY };
  let executor: SlurmExecutor | undefined;
  const live = new LiveScheduler({
    inventory,
    queues: {
      fairShareHalfLifeHours: 24,
      priorityClasses: defaultPriorityClasses,
      cohorts: [],
      queues: [{ name: "research", tenant: "t", cohort: undefined, weight: 1, priorityClass: "normal", quota: {} }],
      defaultQueue: undefined,
    },
    checks: [{ name: "gate", gate: () => (gateOpen ? undefined : wait) }],
    executor: (scheduler) => {
      executor = new SlurmExecutor({
        live: scheduler,
        cli,
        settings: simulatedExecution.slurm,
        siteId: "lab",
        partitionOf: (index) => (inventory.nodeName(index).startsWith("h1") ? "h1" : "h2"),
        hooks: { describe: (job) => runs.get(job.spec.id), log: (line) => logs.push(line) },
      });
      return executor;
    },
  });
  const only = Array.from({ length: inventory.nodeCount }, (_, index) => inventory.nodeName(index)).indexOf(node);
  assert.ok(only >= 0);
  live.setNodesOffline(Array.from({ length: inventory.nodeCount }, (_, index) => [index, index !== only] as const));
  const waiting: Job[] = [];
  current = {
    cli,
    executor: executor!,
    live,
    logs,
    task(taskId) {
      const id = `arr_${taskId}`;
      runs.set(id, {
        id,
        account: "t",
        name: `sweep[${taskId}]`,
        command: "sleep 1",
        array: { arrayJobId: "arr", taskId, pending: () => "0-3%1" },
      });
      const job = live.submit(
        jobSpec({ id, queue: "research", submitS: 0, durationS: 600, gpus: 2, gpuModels: ["H200"], cpuMilli: 1000 }),
      );
      waiting.push(job);
      return job;
    },
    open() {
      gateOpen = true;
      for (const job of waiting) live.scheduler.wake(job);
      live.kick();
    },
  };
  return current;
}

const storedTask = (taskId: number, state: string, slurmId?: number, nodes?: string[]): StoredRun => ({
  id: `arr_${taskId}`,
  state,
  slurmId,
  spec: jobSpec({ id: `arr_${taskId}`, queue: "research", submitS: 0, durationS: 600, gpus: 2, cpuMilli: 1000 }),
  nodes,
  array: { arrayJobId: "arr", taskId },
});

/** Waits for the executor's commands in flight (they run after the call that starts them returns) up to `last`. */
async function settled(cli: StandInCli, last: string): Promise<void> {
  const ran = () => cli.commands.some((line) => line.startsWith(last));
  for (let turn = 0; turn < 200 && !ran(); turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(ran(), `"${last}" was never run: ${cli.commands.join("\n")}`);
}

describe("a native array across a restart of alixan", () => {
  it("binds the waiting tasks to the Slurm array they wait in: holds, release and cancel name its tasks", async () => {
    const { cli, executor, task, open, logs } = setup();
    // Task 0 runs (split off as job 8); tasks 1-3 wait in array 7's record; task 3 ended in alixan meanwhile.
    cli.jobs_ = [
      slurmRecord({ job_id: 8, array_job_id: 7, array_task_id: 0, job_state: "RUNNING", nodes: "h1-r02-01-n01" }),
      slurmRecord({ job_id: 7, array_job_id: 7, array_task_id: null, array_task_string: "1-3%1" }),
    ];
    const decisions = await executor.reconcile([
      storedTask(0, "running", 8, ["h1-r02-01-n01"]),
      storedTask(1, "queued"),
      storedTask(2, "queued"),
    ]);
    assert.equal(decisions.get("arr_0")?.kind, "adopt");
    for (const id of ["arr_1", "arr_2"]) {
      const decision = decisions.get(id);
      assert.ok(decision?.kind === "requeue" && decision.heldSlurmId === undefined, JSON.stringify(decision));
      assert.match(decision.why, /Slurm array 7 waits there/);
    }
    // Only task 3, which no waiting task claims, is cancelled: not the record, not the array.
    const cancels = cli.commands.filter((line) => line.startsWith("scancel"));
    assert.deepEqual(cancels, ["scancel 7_3"]);
    assert.ok(
      logs.some((line) => /array arr keeps Slurm array 7: tasks 1-2 wait there/.test(line)),
      logs.join("\n"),
    );

    const first = task(1);
    const second = task(2);
    assert.equal(first.state, "queued");
    assert.equal(await executor.holdInSlurm(second, "user"), "7_2", "a tenant's hold names its task of array 7");
    assert.ok(cli.commands.includes("scontrol uhold 7_2"));

    open();
    assert.ok(first.placed, first.reason);
    await settled(cli, "scontrol release 7_1");
    assert.deepEqual(
      cli.commands.filter((line) => line.startsWith("sbatch")),
      [],
      "no second Slurm array, no job of its own",
    );
    // Placed where the array waits (its partition and GPUs read back from squeue): nothing else to change.
    assert.ok(!cli.commands.some((line) => /Partition=|TresPerTask=/.test(line)), cli.commands.join("\n"));
    assert.equal(await executor.cancelArray("arr", [first, second]), 7);
    assert.ok(cli.commands.includes("scancel 7"), "one scancel of the original array");
  });

  it("submits anew only what Slurm no longer has, and says so", async () => {
    const { cli, executor, task, open, logs } = setup();
    // Task 1 vanished from array 7 (its record holds 2-3 only).
    cli.jobs_ = [slurmRecord({ job_id: 7, array_job_id: 7, array_task_id: null, array_task_string: "2-3%1" })];
    await executor.reconcile([storedTask(0, "succeeded", 8), storedTask(1, "queued"), storedTask(2, "queued")]);
    assert.ok(
      logs.some((line) => /Slurm array 7 no longer holds tasks 1 of array arr: each is submitted anew/.test(line)),
      logs.join("\n"),
    );
    assert.ok(cli.commands.includes("scancel 7_3"));
    const lost = task(1);
    open();
    assert.ok(lost.placed, lost.reason);
    await settled(cli, "sbatch --parsable");
    const sbatch = cli.commands.find((line) => line.startsWith("sbatch"))!;
    assert.doesNotMatch(sbatch, /--array/, "task 1 runs as its own Slurm job");
    assert.match(sbatch, /SLURM_ARRAY_TASK_ID=1/);
    assert.ok(!cli.commands.includes("scontrol release 7_1"));
  });

  it("when Slurm lost the whole array, its waiting tasks are submitted anew as a new array, with a log line", async () => {
    const { cli, executor, logs } = setup();
    cli.jobs_ = [];
    const decisions = await executor.reconcile([storedTask(0, "succeeded", 8), storedTask(1, "queued")]);
    assert.equal(decisions.get("arr_1")?.kind, "requeue");
    assert.ok(
      logs.some((line) => /Slurm no longer has array arr: its waiting tasks 1 are submitted anew/.test(line)),
      logs.join("\n"),
    );
    assert.deepEqual(
      cli.commands.filter((line) => !line.startsWith("squeue")),
      [],
    );
  });
});

describe("holding a native array whole", () => {
  it("holds and releases the tasks waiting in the Slurm array with one command on its ArrayJobId", async () => {
    const { cli, executor, task } = setup();
    // Task 0 runs (split off as job 8); tasks 1-3 wait in array 7's record.
    cli.jobs_ = [
      slurmRecord({ job_id: 8, array_job_id: 7, array_task_id: 0, job_state: "RUNNING", nodes: "h1-r02-01-n01" }),
      slurmRecord({ job_id: 7, array_job_id: 7, array_task_id: null, array_task_string: "1-3%1" }),
    ];
    await executor.reconcile([
      storedTask(0, "running", 8, ["h1-r02-01-n01"]),
      storedTask(1, "queued"),
      storedTask(2, "queued"),
      storedTask(3, "queued"),
    ]);
    const waiting = [task(1), task(2), task(3)];
    const before = cli.commands.length;
    const held = await executor.holdArray("arr", waiting, "user");
    assert.equal(held?.ref, "7_[1-3]");
    assert.deepEqual(held?.tasks, waiting);
    assert.deepEqual(
      cli.commands.slice(before),
      ["scontrol uhold 7_[1-3]"],
      "one user hold naming the waiting tasks, never the running task 0 (split off as job 8)",
    );

    // Released: back under alixan's own (administrator's) hold, again in one command.
    const released = await executor.holdArray("arr", waiting, "released");
    assert.equal(released?.ref, "7_[1-3]");
    assert.deepEqual(cli.commands.slice(before + 1), ["scontrol hold 7_[1-3]"]);
    assert.deepEqual(
      [await executor.holdArray("arr", waiting, "staff"), cli.commands.at(-1)],
      [{ ref: "7_[1-3]", tasks: waiting }, "scontrol hold 7_[1-3]"],
      "staff's hold is an administrator's",
    );
  });

  it("leaves a task with a Slurm job of its own to its own command, and a non-native array to the caller", async () => {
    const { cli, executor, task } = setup();
    cli.jobs_ = [slurmRecord({ job_id: 7, array_job_id: 7, array_task_id: null, array_task_string: "1-3%1" })];
    await executor.reconcile([storedTask(0, "succeeded", 6), storedTask(1, "queued"), storedTask(2, "queued")]);
    const [first, second] = [task(1), task(2)];
    // Task 2 waits as a held Slurm job of its own (a requeue): not in the array's record.
    executor.track(second, 31);
    const before = cli.commands.length;
    const held = await executor.holdArray("arr", [first, second], "user");
    assert.deepEqual(held, { ref: "7_1", tasks: [first] });
    assert.equal(await executor.holdInSlurm(second, "user"), "31");
    assert.deepEqual(cli.commands.slice(before), ["scontrol uhold 7_1", "scontrol uhold 31"]);
    assert.equal(await executor.holdArray("other", [first], "user"), undefined, "no native Slurm array");
    assert.equal(cli.commands.length, before + 2);
  });
});

describe("reading what Slurm holds of an array", () => {
  it("reads task strings with ranges, steps and a throttle, and refuses one Slurm shortened", () => {
    assert.deepEqual(arrayTaskIndexes("0,2-4,10-20:5%2"), [0, 2, 3, 4, 10, 15, 20]);
    assert.equal(arrayTaskIndexes("0,8,15,21,1...%3"), undefined);
    assert.equal(arrayTaskIndexes(""), undefined);
    assert.equal(tasksRef(7, [3]), "7_3");
    assert.equal(tasksRef(7, [5, 1, 2, 3]), "7_[1-3,5]");
  });

  it("reads GPUs per task from the TRES of 22.05 and later releases", () => {
    assert.equal(gpusPerTaskOf("gres:gpu:h200:2"), "h200:2");
    assert.equal(gpusPerTaskOf("cpu=4,gres/gpu:h200=2"), "h200:2");
    assert.equal(gpusPerTaskOf("gres:gpu:1"), "1");
    assert.equal(gpusPerTaskOf(""), undefined);
  });
});
