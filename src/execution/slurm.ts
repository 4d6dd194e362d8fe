/**
 * The Slurm executor: alixan admits and places, Slurm runs. An admitted job is submitted with its placement
 * (`--nodelist`, one task per gang member with its GPUs, CPUs and memory, time limit, account = tenant, comment =
 * `alixan:<site>:<job id>`); its state is followed with `squeue --json` and flows back into the job's lifecycle
 * (running, succeeded or failed with the exit code, cancelled outside alixan, lost). A cancellation is `scancel`;
 * a preemption is `scontrol requeuehold` (same Slurm job, released where alixan places it next) or `scancel`, as
 * the execution file says. Nodes Slurm reports down, drained or not responding take no new work in alixan.
 * An alixan array is one native Slurm array, submitted held, whose tasks are moved and released one by one where
 * alixan places them; dependencies are passed as `--dependency` for the Slurm jobs Slurm still knows; holds of work
 * Slurm holds a place for are mirrored with `scontrol uhold`/`hold` (docs/execution.md). A grid curtailment's GPU
 * cap runs the site's power-limit tool on the job's nodes when the execution file names one (`powerCap`), since Slurm
 * has no per-job GPU power limit; otherwise it is only modelled in the twin.
 *
 * Operations on one job run in order (a preemption and the next launch never cross). After a restart of alixan,
 * `reconcile` matches stored jobs with Slurm's by the comment, so nothing runs twice and nothing is forgotten; the
 * waiting tasks of a native array are taken back from the Slurm array they wait in (it stays one array).
 */
import type { Inventory } from "../scheduler/inventory.ts";
import type { Job, JobSpec } from "../scheduler/jobs.ts";
import type { JobExecutor, LiveScheduler } from "../scheduler/live.ts";
import type { PowerCapSettings, SlurmSettings } from "./config.ts";
import { compressHostlist } from "./hostlist.ts";
import { formatShare, type PowerCapCall, powerCapArgs, powerCapCalls, usesWatts } from "./power-cap.ts";
import {
  activeStates,
  arrayTaskIndexes,
  finalStates,
  type SlurmCli,
  SlurmError,
  type SlurmJob,
  slurmRef,
  taskList,
  tasksRef,
} from "./slurm-cli.ts";
import { gresType, slurmNodeNames } from "./slurm-config.ts";

/**
 * The --export value of a run: its alixan id, and for an array task run as its own Slurm job, Slurm's array variables
 * with alixan's values. A native Slurm array shares one environment: it exports the array's id only, and Slurm sets
 * SLURM_ARRAY_* per task (the script's prelude sets the task's alixan ids, see `nativePrelude`).
 */
function exportsOf(run: RunDescription, native: boolean): string {
  if (native) return `ALL,ALIXAN_ARRAY_JOB_ID=${run.array!.arrayJobId}`;
  const exports = ["ALL", `ALIXAN_JOB_ID=${run.id}`];
  if (run.array !== undefined)
    exports.push(
      `ALIXAN_ARRAY_JOB_ID=${run.array.arrayJobId}`,
      `SLURM_ARRAY_TASK_ID=${run.array.taskId}`,
      `ALIXAN_ARRAY_TASK_ID=${run.array.taskId}`,
    );
  return exports.join(",");
}

const shellInterpreter = /^#!\s*(?:\S*\/)?(?:env\s+)?(?:sh|bash|dash|ksh|zsh)\b/;

/**
 * A shell script of a native array task, with the task's alixan ids exported from Slurm's own variables before its
 * first command (after the `#SBATCH` lines, which sbatch reads only before it). Scripts in other languages are left
 * as they are: they read SLURM_ARRAY_TASK_ID and ALIXAN_ARRAY_JOB_ID.
 */
export function nativePrelude(script: string): string {
  if (!shellInterpreter.test(script)) return script;
  const lines = script.split("\n");
  let at = 1;
  while (at < lines.length && (lines[at]!.trim() === "" || lines[at]!.trimStart().startsWith("#"))) at++;
  lines.splice(
    at,
    0,
    'export ALIXAN_ARRAY_TASK_ID="$SLURM_ARRAY_TASK_ID" ALIXAN_JOB_ID="$ALIXAN_ARRAY_JOB_ID"_"$SLURM_ARRAY_TASK_ID"',
  );
  return lines.join("\n");
}

/**
 * A native Slurm array behind an alixan array: submitted once, held, when its first task is placed on Slurm; each
 * task is then moved to its placement and released on its own (Slurm splits it off with its own job id). Shared by
 * the executors of successive generations (a site change keeps the array).
 */
export interface NativeArray {
  /** Slurm's ArrayJobId, once submitted. */
  slurmId: number | undefined;
  /** The submission in flight (tasks placed in one cycle wait for the same one). */
  submitting: Promise<number | undefined> | undefined;
  /** Why Slurm refused the array: its tasks then run as one Slurm job each. */
  refused: string | undefined;
  /** The GPU type per task it was submitted with (a task placed on another model is updated). */
  readonly gpusPerTask: string | undefined;
  /** The partition it was submitted to ("" when not known: every task is moved to its own). */
  readonly partition: string;
  /** Task indexes alixan has handed over (released, or cancelled in Slurm): never released twice. */
  readonly handled: Set<number>;
  /**
   * Taken back after a restart: the tasks Slurm still held in the array's own record then. Every other task was
   * handed over before (or Slurm lost it), so only these are released from the array.
   */
  readonly unreleased?: ReadonlySet<number> | undefined;
  /** The whole array was cancelled in Slurm. */
  cancelled: boolean;
}

/** Whether a task of a native array is no longer Slurm's to release from it (handed over, or not in it after a restart). */
function handedOver(array: NativeArray, taskId: number): boolean {
  return array.handled.has(taskId) || (array.unreleased !== undefined && !array.unreleased.has(taskId));
}

/** What the Slurm executor needs to know of an alixan job. */
export interface RunDescription {
  readonly id: string;
  readonly account: string;
  readonly name: string;
  /** The batch script body (a shell command, or a whole script starting with `#!`). */
  readonly command: string | undefined;
  /**
   * The alixan array the job is a task of. alixan places and throttles every task itself: each is handed to Slurm
   * as a task of the native array (or, when Slurm refused that, as its own Slurm job with Slurm's array variables).
   */
  readonly array?:
    | {
        readonly arrayJobId: string;
        readonly taskId: number;
        /** The tasks still to hand to Slurm, in `--array` syntax with the array's `%N` (`0-3,7%2`); read once. */
        pending(): string;
      }
    | undefined;
  /**
   * Dependencies with the Slurm job ids of what they name (every task of an array): passed as `--dependency` for
   * the ids Slurm still knows. alixan judged them already (its own check is the source of truth).
   */
  dependencies?(): readonly { readonly kind: string; readonly slurmIds: readonly number[] }[];
}

/** Callbacks to the platform: descriptions of jobs and persistence of what Slurm said. */
export interface SlurmHooks {
  describe(job: Job): RunDescription | undefined;
  /** A run was submitted (or released) as Slurm job `slurmId`. */
  submitted?(job: Job, slurmId: number): void;
  /** Slurm reports the run started, or ended (before the job's state changes): its id, state, exit code, times. */
  reported?(job: Job, slurm: SlurmJob): void;
  /** A line for the operator's log. */
  log?(message: string): void;
}

/** A job stored before a restart, as `reconcile` needs it. */
export interface StoredRun {
  readonly id: string;
  readonly state: string;
  readonly slurmId: number | undefined;
  readonly spec: JobSpec;
  /** Slurm node names per gang member, when the placement was stored. */
  readonly nodes: readonly string[] | undefined;
  /** The alixan array it is a task of. */
  readonly array?: { readonly arrayJobId: string; readonly taskId: number } | undefined;
}

/** What to do with a stored job after matching it with Slurm. */
export type Reconciled =
  | { readonly kind: "requeue"; readonly heldSlurmId: number | undefined; readonly why: string }
  | { readonly kind: "adopt"; readonly slurm: SlurmJob; readonly running: boolean; readonly nodes: number[] }
  | { readonly kind: "finished"; readonly slurm: SlurmJob; readonly nodes: number[] }
  | { readonly kind: "lost"; readonly why: string };

const unreachable = /unable to contact|socket timed out|connection refused|communication|timed out/i;

/** Options of the executor. */
export interface SlurmExecutorOptions {
  readonly live: LiveScheduler;
  readonly cli: SlurmCli;
  readonly settings: SlurmSettings;
  readonly siteId: string;
  /** Which inventory nodes Slurm runs (halls mapped to Slurm), and the partition of each. */
  readonly partitionOf: (node: number) => string | undefined;
  readonly hooks: SlurmHooks;
  /** Native arrays by alixan array id, and how commands name their tasks (kept across generations). */
  readonly native?: NativeArrays;
  /** The site's tool that enforces GPU power caps (execution file `powerCap`); without it caps are only modelled. */
  readonly powerCap?: PowerCapSettings | undefined;
}

/** A cap the site's tool was asked to enforce, remembered to lift it when the run stops. */
interface EnforcedCap {
  readonly slurmId: number;
  readonly nodes: readonly number[];
}

/** What the Slurm executors of successive generations share of native arrays. */
export interface NativeArrays {
  /** By alixan array id. */
  readonly arrays: Map<string, NativeArray>;
  /** How Slurm commands name a job id that is a task of an array (`slurmRef`): `<ArrayJobId>_<task>`. */
  readonly refs: Map<number, string>;
}

/** Runs jobs on Slurm and keeps their state in step. */
export class SlurmExecutor implements JobExecutor {
  readonly #live: LiveScheduler;
  readonly #cli: SlurmCli;
  readonly #settings: SlurmSettings;
  readonly #hooks: SlurmHooks;
  readonly #partitionOf: (node: number) => string | undefined;
  readonly #inventory: Inventory;
  readonly #names: string[];
  readonly #nodeIndex: Map<string, number>;
  readonly #prefix: string;
  /** The inventory nodes Slurm runs (their halls are mapped to Slurm). */
  readonly #managed: Int32Array;
  readonly #slurmIdOf = new Map<Job, number>();
  readonly #jobOf = new Map<number, Job>();
  readonly #cancelling = new Set<number>();
  readonly #missing = new Map<number, number>();
  readonly #chains = new Map<Job, Promise<void>>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #arrays: Map<string, NativeArray>;
  readonly #refs: Map<number, string>;
  readonly #powerCap: PowerCapSettings | undefined;
  /** Jobs whose GPUs the site's tool holds below full power: lifted when their run stops. */
  readonly #enforcedCaps = new Map<Job, EnforcedCap>();
  /** The newest cap asked per job: an older call not yet made (or waiting to retry) is dropped. */
  readonly #capLatest = new Map<Job, number>();
  #capSerial = 0;
  /** The last power-cap call touching each node (by Slurm name): calls on one node run in order, across jobs. */
  readonly #capTails = new Map<string, Promise<void>>();
  readonly #capRuns = new Set<Promise<void>>();
  /** Slurm job ids in the last squeue answer: what a `--dependency` may name without sbatch failing. */
  #known = new Set<number>();
  #polling = false;
  #closed = false;
  #lastError = "";

  constructor(options: SlurmExecutorOptions) {
    this.#live = options.live;
    this.#cli = options.cli;
    this.#settings = options.settings;
    this.#hooks = options.hooks;
    this.#partitionOf = options.partitionOf;
    this.#powerCap = options.powerCap;
    this.#arrays = options.native?.arrays ?? new Map();
    this.#refs = options.native?.refs ?? new Map();
    this.#inventory = options.live.inventory;
    this.#names = slurmNodeNames(this.#inventory);
    this.#nodeIndex = new Map(this.#names.map((name, index) => [name, index]));
    this.#prefix = `alixan:${options.siteId}:`;
    this.#managed = Int32Array.from({ length: this.#inventory.nodeCount }, (_, node) =>
      options.partitionOf(node) === undefined ? -1 : node,
    ).filter((node) => node >= 0);
  }

  /** The Slurm name of an inventory node. */
  nodeName(node: number): string {
    return this.#names[node]!;
  }

  /** The inventory node of a Slurm name, or undefined. */
  nodeIndex(name: string): number | undefined {
    return this.#nodeIndex.get(name);
  }

  /** The Slurm job id of a job, while Slurm runs (or holds) it. */
  slurmIdOf(job: Job): number | undefined {
    return this.#slurmIdOf.get(job);
  }

  /** Starts following Slurm: job states every `pollSeconds`, node states every `nodePollSeconds`. */
  start(): void {
    const every = (seconds: number, work: () => Promise<void>) => {
      const timer = setInterval(() => void work(), seconds * 1000);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#settings.pollSeconds, () => this.pollJobs());
    every(this.#settings.nodePollSeconds, async () => {
      await this.pollNodes();
    });
  }

  /** Stops polling and waits for operations in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.allSettled([...this.#chains.values(), ...this.#capRuns]);
  }

  /** Associates a job with its Slurm job (after a restart). */
  track(job: Job, slurmId: number): void {
    this.#slurmIdOf.set(job, slurmId);
    this.#jobOf.set(slurmId, job);
  }

  #untrack(job: Job): void {
    this.#liftAfterRun(job);
    const id = this.#slurmIdOf.get(job);
    if (id === undefined) return;
    this.#slurmIdOf.delete(job);
    this.#jobOf.delete(id);
    this.#missing.delete(id);
    this.#refs.delete(id);
  }

  #log(message: string): void {
    this.#hooks.log?.(message);
  }

  /** How commands name a Slurm job id: an array task by `<ArrayJobId>_<task>` (see `slurmRef`). */
  #ref(id: number): string {
    return this.#refs.get(id) ?? String(id);
  }

  /** Notes how commands name the tasks of arrays among `jobs` (only those alixan follows, unless `all`). */
  #noteRefs(jobs: readonly SlurmJob[], all: boolean): void {
    for (const job of jobs)
      if (job.arrayTaskId !== undefined && (all || this.#jobOf.has(job.id))) this.#refs.set(job.id, slurmRef(job));
  }

  /** Runs `work` after the job's earlier operations. */
  #chain(job: Job, work: () => Promise<void>): Promise<void> {
    const previous = this.#chains.get(job) ?? Promise.resolve();
    const next = previous.then(work).catch((error: Error) => this.#log(`slurm: job ${job.spec.id}: ${error.message}`));
    this.#chains.set(job, next);
    void next.then(() => {
      if (this.#chains.get(job) === next) this.#chains.delete(job);
    });
    return next;
  }

  /**
   * Runs `work` once for several jobs (one Slurm command naming them all): after each one's earlier operations, and
   * before its later ones. A failure is logged under `label`.
   */
  #chainAll(jobs: readonly Job[], label: string, work: () => Promise<void>): Promise<void> {
    const previous = Promise.all(jobs.flatMap((job) => this.#chains.get(job) ?? []));
    const next = previous.then(work).catch((error: Error) => this.#log(`slurm: ${label}: ${error.message}`));
    for (const job of jobs) this.#chains.set(job, next);
    void next.then(() => {
      for (const job of jobs) if (this.#chains.get(job) === next) this.#chains.delete(job);
    });
    return next;
  }

  /** Retries a command while the controller cannot be reached (a restart), up to about a minute. */
  async #retry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof SlurmError) || !unreachable.test(error.message) || attempt >= 12 || this.#closed)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * Math.min(10, attempt + 1)));
      }
    }
  }

  /** The Slurm names of the distinct nodes a placed job's members are on. */
  #nodesOf(job: Job): string[] {
    return [...new Set(Array.from(job.nodes, (node) => this.#names[node]!))];
  }

  /** The `--gpus-per-task` value of a placed job (`<type>:<n>`), or undefined when it asks no GPUs. */
  #gpusPerTask(job: Job): string | undefined {
    if (job.spec.gpus <= 0) return undefined;
    const model = this.#inventory.gpuModels[this.#inventory.pools[this.#inventory.nodePool[job.nodes[0]!]!]!.model];
    return `${model === undefined ? "" : `${gresType(model)}:`}${job.spec.gpus}`;
  }

  /** `--dependency` text for what Slurm still knows of a run's dependencies ("" when nothing). */
  #dependencyOption(run: RunDescription): string {
    const parts: string[] = [];
    for (const dependency of run.dependencies?.() ?? []) {
      const ids = dependency.slurmIds.filter((id) => this.#known.has(id));
      if (ids.length > 0) parts.push(`${dependency.kind}:${ids.join(":")}`);
    }
    return parts.join(",");
  }

  /**
   * The sbatch arguments of a placed job, or the reason it cannot run on Slurm. `native`: the submission of the
   * whole (native) array the job is a task of, held, with the array's comment and environment.
   */
  submission(job: Job, run: RunDescription, native = false): { args: string[]; script: string } | string {
    const spec = job.spec;
    if (run.command === undefined || run.command.trim() === "") return "it has no command to run";
    if (spec.gpus > 0 && spec.gpuMilli < 1000)
      return "a share of a GPU needs Slurm GPU sharing (shard or MPS), which alixan does not configure";
    const nodes = this.#nodesOf(job);
    const partition = this.#partitionOf(job.nodes[0]!);
    if (partition === undefined) return `node ${this.#names[job.nodes[0]!]} is not run by Slurm`;
    const cpus = Math.max(1, Math.ceil(spec.cpuMilli / 1000));
    // A native array is named as the array (its tasks' names are the array's with `[i]`).
    const name = native ? run.name.replace(/\[\d+\]$/, "") : run.name;
    const args = [
      `--job-name=${name.replace(/[^\w.-]/g, "_").slice(0, 100) || run.id}`,
      `--comment=${this.#prefix}${native ? run.array!.arrayJobId : run.id}`,
      `--account=${run.account}`,
      `--partition=${partition}`,
      `--nodelist=${compressHostlist(nodes)}`,
      `--nodes=${nodes.length}`,
      `--ntasks=${spec.members}`,
      `--cpus-per-task=${cpus}`,
      `--time=${Math.max(1, Math.ceil(spec.durationS / 60))}`,
      "--requeue",
      "--open-mode=append",
      `--chdir=${this.#settings.workDir}`,
      `--output=${this.#settings.workDir}/alixan-%j.out`,
      `--export=${exportsOf(run, native)}`,
    ];
    if (spec.memoryMib > 0) args.push(`--mem-per-cpu=${Math.ceil(spec.memoryMib / cpus)}M`);
    const gpus = this.#gpusPerTask(job);
    if (gpus !== undefined) args.push(`--gpus-per-task=${gpus}`);
    const dependency = this.#dependencyOption(run);
    // Slurm cancels a job whose dependency it judges never satisfied, so a disagreement shows instead of waiting.
    if (dependency !== "") args.push(`--dependency=${dependency}`, "--kill-on-invalid-dep=yes");
    if (native) args.push(`--array=${run.array!.pending()}`, "--hold");
    const body = run.command.startsWith("#!") ? run.command : `#!/bin/sh\n${run.command}\n`;
    const script = body.endsWith("\n") ? body : `${body}\n`;
    return { args, script: native ? nativePrelude(script) : script };
  }

  /** sbatch; a refusal naming the dependency is retried without it (alixan has judged it already), with a log line. */
  async #sbatch(submission: { args: string[]; script: string }): Promise<number> {
    try {
      return await this.#retry(() => this.#cli.sbatch(submission.args, submission.script));
    } catch (error) {
      const message = (error as Error).message;
      const args = submission.args.filter((arg) => !arg.startsWith("--dependency=") && !arg.startsWith("--kill-on"));
      if (args.length === submission.args.length || !/depend/i.test(message)) throw error;
      this.#log(`slurm: sbatch refused the dependency (${message}); submitting without it (alixan judged it met)`);
      return await this.#retry(() => this.#cli.sbatch(args, submission.script));
    }
  }

  launch(job: Job): void {
    void this.#chain(job, async () => {
      if (!job.placed || this.#closed) return;
      const run = this.#hooks.describe(job);
      const submission = run === undefined ? "it is not a job alixan can describe" : this.submission(job, run);
      if (typeof submission === "string") {
        this.#live.ended(job, "failed", `cannot run on Slurm: ${submission}`);
        return;
      }
      const held = this.#slurmIdOf.get(job);
      if (held !== undefined) {
        const nodes = this.#nodesOf(job);
        try {
          const partition = this.#partitionOf(job.nodes[0]!);
          await this.#retry(() =>
            this.#cli.release(this.#ref(held), compressHostlist(nodes), nodes.length, { partition }),
          );
          this.#hooks.submitted?.(job, held);
          return;
        } catch (error) {
          this.#log(
            `slurm: cannot release job ${held} of ${job.spec.id} (${(error as Error).message}); submitting anew`,
          );
          const ref = this.#ref(held);
          this.#untrack(job);
          await this.#cli.cancel(ref).catch(() => {});
        }
      }
      let id = run!.array === undefined ? undefined : await this.#launchTask(job, run!);
      if (id === undefined) {
        try {
          id = await this.#sbatch(submission);
        } catch (error) {
          this.#live.ended(job, "failed", `sbatch refused it: ${(error as Error).message}`);
          return;
        }
      }
      this.track(job, id);
      this.#hooks.submitted?.(job, id);
      // Stopped while sbatch ran: stop the new Slurm job too.
      if (!job.placed) await this.#stopNow(job, job.state === "cancelled" ? "cancelled" : "preempted");
    });
  }

  /**
   * Runs an array task as a task of the native Slurm array (submitted held with the first task placed): moved to
   * its placement, split off and released. Answers its Slurm job id, or undefined when it runs as its own Slurm job
   * instead (Slurm refused the array, or this task's part of it; the log says why).
   */
  async #launchTask(job: Job, run: RunDescription): Promise<number | undefined> {
    const task = run.array!;
    let array = this.#arrays.get(task.arrayJobId);
    if (array === undefined) {
      const submission = this.submission(job, run, true);
      if (typeof submission === "string") return undefined;
      const created: NativeArray = {
        slurmId: undefined,
        submitting: undefined,
        refused: undefined,
        gpusPerTask: this.#gpusPerTask(job),
        partition: this.#partitionOf(job.nodes[0]!)!,
        handled: new Set(),
        cancelled: false,
      };
      created.submitting = this.#submitArray(task.arrayJobId, created, submission);
      this.#arrays.set(task.arrayJobId, created);
      array = created;
    }
    if (array.submitting !== undefined) await array.submitting;
    const base = array.slurmId;
    if (base === undefined || array.cancelled || handedOver(array, task.taskId) || !job.placed) return undefined;
    array.handled.add(task.taskId);
    const nodes = this.#nodesOf(job);
    const partition = this.#partitionOf(job.nodes[0]!);
    const gpus = this.#gpusPerTask(job);
    const element = `${base}_${task.taskId}`;
    try {
      const id = await this.#retry(() =>
        this.#cli.release(element, compressHostlist(nodes), nodes.length, {
          partition: partition === array.partition ? undefined : partition,
          gpusPerTask: gpus === array.gpusPerTask ? undefined : gpus,
        }),
      );
      this.#refs.set(id, element);
      return id;
    } catch (error) {
      this.#log(
        `slurm: cannot release task ${element} of array ${task.arrayJobId} where alixan placed it (${(error as Error).message}); submitting ${job.spec.id} as its own Slurm job`,
      );
      await this.#cli.cancel(element).catch(() => {});
      return undefined;
    }
  }

  /** Submits a native array, held by alixan (an administrator's hold) until each task is placed. */
  async #submitArray(
    arrayJobId: string,
    array: NativeArray,
    submission: { args: string[]; script: string },
  ): Promise<number | undefined> {
    try {
      const id = await this.#sbatch(submission);
      array.slurmId = id;
      // sbatch --hold is a user hold, which the user could release in Slurm behind alixan's placement.
      await this.#retry(() => this.#cli.hold(id, false)).catch((error: Error) =>
        this.#log(`slurm: cannot make the hold of array ${id} an administrator's: ${error.message}`),
      );
      this.#log(`slurm: array ${arrayJobId} is Slurm array ${id}; each task is released where alixan places it`);
      return id;
    } catch (error) {
      array.refused = (error as Error).message;
      this.#log(
        `slurm: Slurm refused array ${arrayJobId} as a native array (${array.refused}); its tasks run as one Slurm job each`,
      );
      return undefined;
    } finally {
      array.submitting = undefined;
    }
  }

  /**
   * A job ended in alixan: the task of a native array that Slurm still holds for it (never placed: cancelled while
   * waiting, or run in a simulated hall) is cancelled in Slurm, so nothing is left waiting there.
   */
  discard(job: Job): void {
    const task = this.#hooks.describe(job)?.array;
    const array = task === undefined ? undefined : this.#arrays.get(task.arrayJobId);
    if (task === undefined || array === undefined || handedOver(array, task.taskId)) return;
    void this.#chain(job, async () => {
      if (array.submitting !== undefined) await array.submitting;
      if (array.slurmId === undefined || array.cancelled || handedOver(array, task.taskId)) return;
      array.handled.add(task.taskId);
      await this.#retry(() => this.#cli.cancel(`${array.slurmId}_${task.taskId}`));
    });
  }

  /**
   * Cancels a native array in Slurm with one `scancel` of its ArrayJobId (every task, split off or not). `tasks`
   * are alixan's: their Slurm runs are not reported as cancelled outside alixan. A task whose run is not in that
   * Slurm array (run as its own Slurm job, or in a second Slurm array an older alixan submitted after a restart)
   * stays tracked, so stopping it cancels it on its own. Answers the ArrayJobId, or undefined when the array is not a
   * native one.
   */
  async cancelArray(arrayJobId: string, tasks: readonly Job[]): Promise<number | undefined> {
    const array = this.#arrays.get(arrayJobId);
    if (array?.submitting !== undefined) await array.submitting;
    const base = array?.slurmId;
    if (array === undefined || base === undefined || array.cancelled) return undefined;
    array.cancelled = true;
    for (const job of tasks) {
      const id = this.#slurmIdOf.get(job);
      if (id === undefined || !this.#ref(id).startsWith(`${base}_`)) continue;
      this.#cancelling.add(id);
      this.#untrack(job);
    }
    await this.#retry(() => this.#cli.cancel(base));
    return base;
  }

  /** The Slurm job holding a waiting job's place: its held run after a requeue, or its unreleased native task. */
  #waitingIdOf(job: Job): string | undefined {
    const tracked = this.#slurmIdOf.get(job);
    if (tracked !== undefined) return this.#ref(tracked);
    const task = this.#hooks.describe(job)?.array;
    const array = task === undefined ? undefined : this.#arrays.get(task.arrayJobId);
    if (task === undefined || array?.slurmId === undefined || array.cancelled || handedOver(array, task.taskId))
      return undefined;
    return `${array.slurmId}_${task.taskId}`;
  }

  /**
   * Mirrors an alixan hold of a waiting job in Slurm, when the job has a Slurm job: a tenant's hold is a user hold
   * (`scontrol uhold`), staff's an administrator's (`scontrol hold`); a release puts it back under alixan's own
   * (administrator's) hold, since only alixan's placement releases it in Slurm. Answers the Slurm id, or undefined
   * when the job has no Slurm job (nothing to do there).
   */
  holdInSlurm(job: Job, hold: "user" | "staff" | "released"): Promise<string | undefined> {
    let answer: string | undefined;
    return this.#chain(job, async () => {
      const id = this.#waitingIdOf(job);
      if (id === undefined || job.placed) return;
      await this.#retry(() => this.#cli.hold(id, hold === "user"));
      answer = id;
    }).then(() => answer);
  }

  /**
   * Mirrors an alixan hold or release of waiting tasks of a native array with one command on its ArrayJobId naming
   * the tasks still waiting in the array's own record (`scontrol uhold 7_[1-4]`, as `holdInSlurm` does for one task).
   * Not the bare ArrayJobId: that also names the tasks alixan has released already (split off, running or about to
   * start), which Slurm refuses to hold when running and must not hold when starting. Answers the tasks it took (the
   * others, such as a held requeue with its Slurm job of its own, are left to `holdInSlurm`) and the reference it
   * held or released, undefined when the command failed (logged); undefined when the array is not a native one.
   */
  async holdArray(
    arrayJobId: string,
    jobs: readonly Job[],
    hold: "user" | "staff" | "released",
  ): Promise<{ ref: string | undefined; tasks: readonly Job[] } | undefined> {
    const array = this.#arrays.get(arrayJobId);
    if (array?.submitting !== undefined) await array.submitting;
    const base = array?.slurmId;
    if (array === undefined || base === undefined || array.cancelled) return undefined;
    const tasks: Job[] = [];
    const indexes: number[] = [];
    for (const job of jobs) {
      const task = this.#hooks.describe(job)?.array;
      if (task?.arrayJobId !== arrayJobId || job.placed || this.#slurmIdOf.has(job) || handedOver(array, task.taskId))
        continue;
      tasks.push(job);
      indexes.push(task.taskId);
    }
    if (tasks.length === 0) return undefined;
    const ref = tasksRef(base, indexes);
    let held: string | undefined;
    await this.#chainAll(tasks, `array ${arrayJobId} (Slurm array ${base})`, async () => {
      await this.#retry(() => this.#cli.hold(ref, hold === "user"));
      held = ref;
    });
    return { ref: held, tasks };
  }

  stop(job: Job, why: "cancelled" | "preempted"): void {
    this.#liftAfterRun(job);
    void this.#chain(job, () => this.#stopNow(job, why));
  }

  /** Suspends the job's Slurm run (`scontrol suspend`): its processes stop, its nodes stay its own. */
  suspend(job: Job): void {
    void this.#chain(job, async () => {
      const id = this.#slurmIdOf.get(job);
      if (id === undefined || !job.placed) return;
      await this.#retry(() => this.#cli.suspend(id));
    });
  }

  /** Resumes a suspended Slurm run (`scontrol resume`). */
  resume(job: Job): void {
    void this.#chain(job, async () => {
      const id = this.#slurmIdOf.get(job);
      if (id === undefined || !job.placed) return;
      await this.#retry(() => this.#cli.resume(id));
    });
  }

  /**
   * Slurm has no per-job GPU power limit: its power management (`scontrol update NodeName=… PowerCap=` or
   * `PowerDown`) works on whole nodes and needs a power plugin the clusters here do not run. The live twin draws the
   * capped power in any case; with `powerCap` in the execution file the site's tool enforces the cap on the job's
   * nodes (`nvidia-smi -pl`, DCGM), otherwise the cap is logged as modelled only. The call runs in the background (in
   * the Slurm command slots), never holding up the scheduler or the job's Slurm commands.
   */
  cap(job: Job, share: number): void {
    const id = this.#slurmIdOf.get(job);
    if (id === undefined) return;
    const percent = `${Math.round(share * 100)} % of dynamic power`;
    if (this.#powerCap === undefined) {
      this.#log(
        `slurm: job ${id} (${job.spec.id}) GPU power held to ${percent} (modelled: no per-job power limit in Slurm, no powerCap command)`,
      );
      return;
    }
    if (job.spec.gpus === 0) return;
    const nodes = Array.from(job.nodes);
    if (share < 1) this.#enforcedCaps.set(job, { slurmId: id, nodes });
    else this.#enforcedCaps.delete(job);
    const serial = ++this.#capSerial;
    this.#capLatest.set(job, serial);
    this.#enforce(job, id, nodes, share, () => this.#capLatest.get(job) === serial, "");
  }

  /** A capped run stopped (ended, cancelled, requeued): its nodes' GPUs go back to full power for the next work. */
  #liftAfterRun(job: Job): void {
    const capped = this.#enforcedCaps.get(job);
    if (capped === undefined) return;
    this.#enforcedCaps.delete(job);
    this.#capLatest.delete(job);
    this.#enforce(job, capped.slurmId, capped.nodes, 1, () => true, " after its capped run stopped");
  }

  /**
   * Runs the power-cap command for a job's nodes, after any earlier call on the same nodes (a lift after one job and
   * a cap of the next on a shared node land in that order). `current` is false once a newer cap of the job replaced
   * this one.
   */
  #enforce(
    job: Job,
    slurmId: number,
    nodes: readonly number[],
    share: number,
    current: () => boolean,
    why: string,
  ): void {
    const calls = powerCapCalls(this.#inventory, nodes, (node) => this.#names[node]!, share);
    const names = calls.flatMap((call) => call.nodeNames);
    const before = names.flatMap((name) => this.#capTails.get(name) ?? []);
    const done = Promise.all(before)
      .then(async () => {
        for (const call of calls) await this.#capCall(job, slurmId, call, share, current, why);
      })
      .catch((error: Error) => this.#log(`slurm: job ${slurmId} (${job.spec.id}): power cap: ${error.message}`));
    for (const name of names) this.#capTails.set(name, done);
    this.#capRuns.add(done);
    void done.then(() => {
      this.#capRuns.delete(done);
      for (const name of names) if (this.#capTails.get(name) === done) this.#capTails.delete(name);
    });
  }

  /** One call of the power-cap command, retried as the execution file says; the log says enforced or modelled. */
  async #capCall(
    job: Job,
    slurmId: number,
    call: PowerCapCall,
    share: number,
    current: () => boolean,
    why: string,
  ): Promise<void> {
    const settings = this.#powerCap!;
    const label = `slurm: job ${slurmId} (${job.spec.id})`;
    const watts = call.watts === undefined ? "" : `${call.watts} W per GPU, `;
    const what =
      share >= 1
        ? `GPU power cap lifted${why} (${watts}full power)`
        : `GPU power held to ${watts}${Math.round(share * 100)} % of dynamic power`;
    if (call.watts === undefined && usesWatts(settings.command)) {
      this.#log(`${label}: ${what} on ${call.nodes}: modelled only (no GPU power figures for these nodes)`);
      return;
    }
    const argv = powerCapArgs(settings.command, {
      job: String(slurmId),
      nodes: call.nodes,
      share: formatShare(share),
      watts: call.watts === undefined ? "" : String(call.watts),
    });
    for (let attempt = 1; current(); attempt++) {
      try {
        await this.#cli.runProgram(argv, settings.timeoutSeconds);
        this.#log(`${label}: ${what} on ${call.nodes}: enforced (${argv[0]} succeeded)`);
        return;
      } catch (error) {
        if (attempt <= settings.retries && !this.#closed) {
          await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
          continue;
        }
        const exit = error instanceof SlurmError && error.exitCode !== undefined ? `exit code ${error.exitCode}` : "";
        this.#log(
          `${label}: ${what} on ${call.nodes}: modelled only, the power-cap command failed after ${attempt} attempt${attempt === 1 ? "" : "s"} (${exit || "no exit code"}): ${(error as Error).message}`,
        );
        return;
      }
    }
  }

  async #stopNow(job: Job, why: "cancelled" | "preempted"): Promise<void> {
    const id = this.#slurmIdOf.get(job);
    if (id === undefined) return;
    const ref = this.#ref(id);
    if (why === "preempted" && this.#settings.preemption === "requeue" && job.state !== "preempted") {
      await this.#retry(() => this.#cli.requeueHold(ref));
      return;
    }
    this.#cancelling.add(id);
    this.#untrack(job);
    await this.#retry(() => this.#cli.cancel(ref));
  }

  /** Jobs of this site in Slurm, by alixan job id (the newest Slurm job when several carry one id). */
  async lookup(): Promise<Map<string, SlurmJob[]>> {
    const found = new Map<string, SlurmJob[]>();
    const jobs = await this.#retry(() => this.#cli.jobs());
    this.#noteRefs(jobs, true);
    for (const job of jobs) {
      if (!job.comment.startsWith(this.#prefix)) continue;
      // A native array's tasks carry the array's comment: task i is alixan's `<array id>_<i>`.
      const commented = job.comment.slice(this.#prefix.length);
      const id = job.arrayTaskId === undefined ? commented : `${commented}_${job.arrayTaskId}`;
      const list = found.get(id) ?? [];
      list.push(job);
      found.set(id, list);
    }
    for (const list of found.values()) list.sort((a, b) => b.id - a.id);
    return found;
  }

  /**
   * Matches jobs stored before a restart with what Slurm knows. A job Slurm runs or will start is adopted where it
   * runs; one that ended in the meantime takes Slurm's outcome; one Slurm holds after a preemption waits again in
   * alixan with its Slurm job kept; one never submitted waits again; one Slurm has no record of is lost. Slurm jobs
   * of this site that no stored job claims (or that alixan already ended) are cancelled, so nothing runs twice.
   */
  async reconcile(stored: readonly StoredRun[]): Promise<Map<string, Reconciled>> {
    const slurm = await this.lookup();
    const decisions = new Map<string, Reconciled>();
    const { claimed, bound } = await this.#takeBackArrays(slurm, stored);
    for (const run of stored) {
      const slurmArray = bound.get(run.id);
      if (slurmArray !== undefined) {
        decisions.set(run.id, {
          kind: "requeue",
          heldSlurmId: undefined,
          why: `requeued after a platform restart; its task of Slurm array ${slurmArray} waits there`,
        });
        continue;
      }
      const candidates = slurm.get(run.id) ?? [];
      const match = candidates.find((job) => job.id === run.slurmId) ?? candidates[0];
      if (match !== undefined) claimed.add(match.id);
      const final = ["succeeded", "failed", "cancelled", "preempted"].includes(run.state);
      if (final) {
        if (match !== undefined && !finalStates.has(match.state)) claimed.delete(match.id);
        continue;
      }
      if (match === undefined) {
        decisions.set(
          run.id,
          run.slurmId === undefined || run.state === "queued"
            ? { kind: "requeue", heldSlurmId: undefined, why: "requeued after a platform restart" }
            : {
                kind: "lost",
                why: `Slurm has no record of job ${run.slurmId} (lost, or ended longer ago than its MinJobAge)`,
              },
        );
        continue;
      }
      if (match.state === "PENDING" && match.held) {
        decisions.set(run.id, {
          kind: "requeue",
          heldSlurmId: match.id,
          why: "requeued after a platform restart",
        });
        continue;
      }
      const nodes = this.#membersOn(run, match);
      if (nodes === undefined) {
        decisions.set(run.id, { kind: "lost", why: `Slurm job ${match.id} runs on nodes alixan does not know` });
        claimed.delete(match.id);
        continue;
      }
      if (finalStates.has(match.state)) decisions.set(run.id, { kind: "finished", slurm: match, nodes });
      else decisions.set(run.id, { kind: "adopt", slurm: match, running: activeStates.has(match.state), nodes });
    }
    // Slurm jobs nobody claims: duplicates of a submission, or of jobs alixan ended while it could not tell Slurm.
    for (const list of slurm.values()) {
      for (const job of list) {
        if (claimed.has(job.id) || finalStates.has(job.state)) continue;
        // By its name: an array's own record is cancelled for the tasks it still holds, not the whole array.
        await this.#cancelQuietly(slurmRef(job), `no alixan job claims it (${job.comment})`);
      }
    }
    return decisions;
  }

  /**
   * Takes back the native arrays Slurm still holds tasks of, so an array stays one Slurm array across a restart (its
   * tasks count and name the whole array): each waiting alixan task still in its array's own record (not split off)
   * is bound to that Slurm task, released from it where alixan places it; tasks of the record no waiting alixan task
   * claims are cancelled. Waiting tasks Slurm no longer holds (it lost them, or all its state) are submitted anew
   * when placed, and the log says so. Answers the Slurm records kept and the bound tasks' Slurm array ids.
   */
  async #takeBackArrays(
    slurm: ReadonlyMap<string, readonly SlurmJob[]>,
    stored: readonly StoredRun[],
  ): Promise<{ claimed: Set<number>; bound: Map<string, number> }> {
    const claimed = new Set<number>();
    const bound = new Map<string, number>();
    // Waiting tasks without a Slurm job of their own, and the arrays Slurm ran something of, by alixan array id.
    const waiting = new Map<string, Map<number, string>>();
    const submitted = new Set<string>();
    for (const run of stored) {
      if (run.array === undefined) continue;
      if (run.slurmId !== undefined) submitted.add(run.array.arrayJobId);
      // As `reconcile` requeues them: never handed to Slurm, or waiting again after a preemption.
      if (run.state !== "queued" && (run.state !== "admitted" || run.slurmId !== undefined)) continue;
      if ((slurm.get(run.id) ?? []).some((job) => !finalStates.has(job.state))) continue;
      const tasks = waiting.get(run.array.arrayJobId) ?? new Map<number, string>();
      tasks.set(run.array.taskId, run.id);
      waiting.set(run.array.arrayJobId, tasks);
    }
    const inSlurm = new Map<string, SlurmJob[]>();
    for (const list of slurm.values())
      for (const job of list) {
        if (job.arrayJobId === undefined || finalStates.has(job.state)) continue;
        const arrayJobId = job.comment.slice(this.#prefix.length);
        const jobs = inSlurm.get(arrayJobId);
        if (jobs === undefined) inSlurm.set(arrayJobId, [job]);
        else jobs.push(job);
      }
    for (const [arrayJobId, jobs] of inSlurm) {
      if (this.#arrays.has(arrayJobId)) continue;
      const tasks = waiting.get(arrayJobId) ?? new Map<number, string>();
      // The array's own record holding most of the waiting tasks (two when an older alixan submitted the rest anew).
      let record: SlurmJob | undefined;
      let indexes: number[] = [];
      for (const job of jobs) {
        if (job.arrayTaskId !== undefined || job.state !== "PENDING") continue;
        const held = arrayTaskIndexes(job.arrayTasks ?? "");
        if (held === undefined) {
          this.#log(`slurm: cannot read the tasks of Slurm array ${job.id} ("${job.arrayTasks}"); not taken back`);
          continue;
        }
        const count = (list: number[]) => list.filter((index) => tasks.has(index)).length;
        if (record === undefined || count(held) > count(indexes)) [record, indexes] = [job, held];
      }
      const keep = indexes.filter((index) => tasks.has(index));
      const slurmId = record?.arrayJobId ?? jobs.reduce((newest, job) => Math.max(newest, job.arrayJobId!), 0);
      const source = record ?? jobs[0]!;
      this.#arrays.set(arrayJobId, {
        slurmId,
        submitting: undefined,
        refused: undefined,
        gpusPerTask: source.gpusPerTask,
        partition: source.partition,
        handled: new Set(),
        unreleased: new Set(keep),
        cancelled: false,
      });
      for (const index of keep) bound.set(tasks.get(index)!, slurmId);
      if (record === undefined || keep.length === 0) continue;
      // Kept: the tasks no waiting alixan task claims are cancelled on their own (unclaimed, the whole record is).
      claimed.add(record.id);
      const drop = indexes.filter((index) => !tasks.has(index));
      if (drop.length > 0)
        await this.#cancelQuietly(tasksRef(slurmId, drop), `no waiting task of ${arrayJobId} claims it`);
      if (!record.held)
        await this.#retry(() => this.#cli.hold(slurmRef(record), false)).catch((error: Error) =>
          this.#log(`slurm: cannot hold the waiting tasks of Slurm array ${slurmId} again: ${error.message}`),
        );
      this.#log(
        `slurm: array ${arrayJobId} keeps Slurm array ${slurmId}: tasks ${taskList(keep)} wait there, each released where alixan places it`,
      );
    }
    for (const [arrayJobId, tasks] of waiting) {
      const lost = [...tasks.keys()].filter((index) => !bound.has(tasks.get(index)!));
      if (lost.length === 0 || !submitted.has(arrayJobId)) continue;
      const slurmId = this.#arrays.get(arrayJobId)?.slurmId;
      this.#log(
        slurmId === undefined
          ? `slurm: Slurm no longer has array ${arrayJobId}: its waiting tasks ${taskList(lost)} are submitted anew, as a new Slurm array, when placed`
          : `slurm: Slurm array ${slurmId} no longer holds tasks ${taskList(lost)} of array ${arrayJobId}: each is submitted anew, as its own Slurm job, when placed`,
      );
    }
    return { claimed, bound };
  }

  /** Cancels a Slurm job (by its name in commands) with a log line; a failure is logged, not thrown. */
  async #cancelQuietly(ref: string, why: string): Promise<void> {
    this.#log(`slurm: cancelling job ${ref}: ${why}`);
    await this.#cli.cancel(ref).catch((error: Error) => this.#log(`slurm: ${error.message}`));
  }

  /** The inventory node of each gang member of a matched run: the stored placement, else Slurm's node list. */
  #membersOn(run: StoredRun, slurm: SlurmJob): number[] | undefined {
    const names = run.nodes !== undefined && run.nodes.length === run.spec.members ? run.nodes : undefined;
    const source = names ?? (slurm.nodes.length > 0 ? slurm.nodes : slurm.requiredNodes);
    if (source.length === 0) return undefined;
    const nodes: number[] = [];
    for (let member = 0; member < run.spec.members; member++) {
      const node = this.#nodeIndex.get(source[member % source.length]!);
      if (node === undefined) return undefined;
      nodes.push(node);
    }
    return nodes;
  }

  /** Reads Slurm's job states and moves alixan's jobs along. */
  async pollJobs(): Promise<void> {
    if (this.#polling || this.#closed || this.#jobOf.size === 0) return;
    this.#polling = true;
    try {
      const jobs = await this.#cli.jobs();
      this.#known = new Set(jobs.map((job) => job.id));
      this.#noteRefs(jobs, false);
      if (this.#lastError !== "") this.#log("slurm: the controller answers again");
      this.#lastError = "";
      const byId = new Map(jobs.map((job) => [job.id, job]));
      for (const [id, job] of [...this.#jobOf]) {
        const slurm = byId.get(id);
        if (slurm === undefined) {
          const misses = (this.#missing.get(id) ?? 0) + 1;
          this.#missing.set(id, misses);
          if (misses < 2) continue;
          this.#untrack(job);
          if (job.placed) this.#live.ended(job, "failed", `lost: Slurm has no record of job ${id}`);
          continue;
        }
        this.#missing.delete(id);
        this.#follow(job, slurm);
      }
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.#lastError) this.#log(`slurm: cannot read job states: ${message}`);
      this.#lastError = message;
    } finally {
      this.#polling = false;
    }
  }

  /** Applies one Slurm job state to its alixan job. */
  #follow(job: Job, slurm: SlurmJob): void {
    if (job.state === "admitted" && activeStates.has(slurm.state)) {
      this.#hooks.reported?.(job, slurm);
      this.#live.started(job);
      return;
    }
    if (!finalStates.has(slurm.state)) return;
    this.#untrack(job);
    if (this.#cancelling.delete(slurm.id) || !job.placed) return;
    if (job.state === "admitted") this.#live.started(job);
    this.#hooks.reported?.(job, slurm);
    this.#live.ended(job, ...outcomeOf(slurm));
  }

  /** Cancels a Slurm run that alixan could not take back (after a restart), unless it has ended. */
  async cancelRun(slurm: SlurmJob): Promise<void> {
    if (finalStates.has(slurm.state)) return;
    this.#log(`slurm: cancelling job ${slurmRef(slurm)} (${slurm.comment}): alixan could not bind it where it runs`);
    await this.#cli.cancel(slurmRef(slurm)).catch((error: Error) => this.#log(`slurm: ${error.message}`));
  }

  /** Applies a run found at reconciliation to its (adopted) job: its start and, if it ended, its end. */
  applyFound(job: Job, slurm: SlurmJob): void {
    this.track(job, slurm.id);
    this.#hooks.reported?.(job, slurm);
    this.#follow(job, slurm);
  }

  /** Reads node states; nodes Slurm will not run new work on are taken out of alixan's placement. */
  async pollNodes(): Promise<number> {
    if (this.#closed) return 0;
    let nodes: Awaited<ReturnType<SlurmCli["nodes"]>>;
    try {
      nodes = await this.#cli.nodes();
    } catch (error) {
      this.#log(`slurm: cannot read node states: ${(error as Error).message}`);
      return 0;
    }
    const available = new Map(nodes.map((node) => [node.name, node.available]));
    const offlineNow = this.#live.scheduler.state.nodeOffline;
    const changes: [number, boolean][] = [];
    for (const node of this.#managed) {
      const offline = available.get(this.#names[node]!) !== true;
      if ((offlineNow[node] === 1) !== offline) changes.push([node, offline]);
    }
    return this.#live.setNodesOffline(changes);
  }
}

/**
 * GPUs for members adopted on `nodes`: the first free GPUs of each node, never the same twice (Slurm without GPU
 * devices does not say which; alixan only counts them).
 */
export function freeGpusOn(
  inventory: Inventory,
  gpuFree: ArrayLike<number>,
  nodes: readonly number[],
  gpusPerMember: number,
): number[] {
  const taken = new Set<number>();
  const gpus: number[] = [];
  for (const node of nodes) {
    const start = inventory.nodeGpuStart[node]!;
    const end = start + inventory.nodeGpuCount[node]!;
    let found = 0;
    for (let gpu = start; gpu < end && found < gpusPerMember; gpu++) {
      if (gpuFree[gpu] !== 1000 || taken.has(gpu)) continue;
      taken.add(gpu);
      gpus.push(gpu);
      found++;
    }
    for (; found < gpusPerMember; found++) gpus.push(-1);
  }
  return gpus;
}

/** The alixan outcome of a finished Slurm job, with the reason people read. */
export function outcomeOf(slurm: SlurmJob): ["succeeded" | "failed" | "cancelled", string] {
  const exit =
    slurm.exitCode === null
      ? ""
      : `exit code ${slurm.exitCode}${slurm.signal === null ? "" : `, signal ${slurm.signal}`}`;
  if (slurm.state === "COMPLETED") return ["succeeded", `Slurm job ${slurm.id} completed (${exit || "exit code 0"})`];
  if (slurm.state === "CANCELLED") return ["cancelled", `Slurm job ${slurm.id} was cancelled outside alixan`];
  const detail = [exit, slurm.reason].filter((part) => part !== "").join("; ");
  return ["failed", `Slurm job ${slurm.id} ${slurm.state}${detail === "" ? "" : ` (${detail})`}`];
}
