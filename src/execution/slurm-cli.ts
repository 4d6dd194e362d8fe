/**
 * The Slurm commands alixan uses, with machine-readable output: `sbatch --parsable`, `squeue --json`, `sinfo`,
 * `scontrol requeuehold|release|update`, `scancel`. Each runs with a timeout and `SLURM_CONF` from the execution
 * file; a failure carries the command and what Slurm printed. The JSON readers accept the shapes of Slurm 22.05
 * (plain numbers and strings) and of 23.02 and later (`{set, infinite, number}` times, state lists, exit code
 * objects).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import type { SlurmSettings } from "./config.ts";
import { expandHostlist } from "./hostlist.ts";

/** A Slurm job as alixan follows it. */
export interface SlurmJob {
  readonly id: number;
  /** Base state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, ... */
  readonly state: string;
  readonly reason: string;
  /** Exit status of the batch script (`null` while it runs), and the signal that ended it, if any. */
  readonly exitCode: number | null;
  readonly signal: number | null;
  /** Epoch ms, or undefined when not set. */
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  readonly nodes: readonly string[];
  /** Nodes it asked for (`--nodelist`): where a pending job will start. */
  readonly requiredNodes: readonly string[];
  readonly comment: string;
  readonly restarts: number;
  /** Held (by `scontrol hold` or `requeuehold`): it will not start until released. */
  readonly held: boolean;
  /** For a task of a Slurm array: the array's id (ArrayJobId) and the task's index (ArrayTaskId). */
  readonly arrayJobId: number | undefined;
  readonly arrayTaskId: number | undefined;
  /** For an array's own record, the tasks it still holds (`0-2,4-5`; none split off yet). */
  readonly arrayTasks: string | undefined;
  /** The partition it runs or waits in ("" when Slurm did not say). */
  readonly partition: string;
  /** GPUs per task as `--gpus-per-task` takes them (`h200:2`, or `2` without a type), when it asks for GPUs. */
  readonly gpusPerTask: string | undefined;
}

/**
 * How Slurm commands name a job: a task of an array as `<ArrayJobId>_<task>` and an array's own record as its
 * remaining tasks (`7_[0-2,5]`), since the bare id of an array's record names the whole array (every task) in
 * `scancel`, `scontrol release` and `requeuehold`, and that record becomes a task of its own once it holds only one.
 */
export function slurmRef(job: SlurmJob): string {
  if (job.arrayJobId === undefined) return String(job.id);
  if (job.arrayTaskId !== undefined) return `${job.arrayJobId}_${job.arrayTaskId}`;
  const tasks = job.arrayTasks?.split("%")[0];
  return tasks === undefined || tasks === "" ? String(job.id) : `${job.arrayJobId}_[${tasks}]`;
}

/**
 * The task indexes of an array's task string as squeue gives it (`0,2-5,8-20:4%2`: indexes, ranges, ranges with a
 * step, the throttle after `%`), or undefined when it is not one (a string Slurm shortened with `...`).
 */
export function arrayTaskIndexes(text: string): number[] | undefined {
  const list = text.split("%")[0]!;
  if (list === "") return undefined;
  const indexes: number[] = [];
  for (const part of list.split(",")) {
    const match = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (match === null) return undefined;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    const step = match[3] === undefined ? 1 : Number(match[3]);
    if (last < first || step < 1) return undefined;
    for (let index = first; index <= last; index += step) indexes.push(index);
  }
  return indexes;
}

/** Task indexes as a list of indexes and ranges (`1-3,7`), as `<ArrayJobId>_[1-3,7]` names those tasks. */
export function taskList(indexes: readonly number[]): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let at = 0; at < sorted.length; ) {
    let end = at;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    parts.push(end === at ? `${sorted[at]}` : `${sorted[at]}-${sorted[end]}`);
    at = end + 1;
  }
  return parts.join(",");
}

/** How commands name some tasks of array `arrayJobId`: `7_3` for one, `7_[1-3,5]` for more. */
export function tasksRef(arrayJobId: number, indexes: readonly number[]): string {
  return indexes.length === 1 ? `${arrayJobId}_${indexes[0]}` : `${arrayJobId}_[${taskList(indexes)}]`;
}

/**
 * `--gpus-per-task` of a job from its TRES per task: `gres:gpu:h200:2` (22.05) or `gres/gpu:h200=2` (later
 * releases) is `h200:2`; undefined when it asks for no GPUs.
 */
export function gpusPerTaskOf(tresPerTask: string): string | undefined {
  for (const item of tresPerTask.split(",")) {
    const match = /^gres[:/]gpu(?:[:=](.+))?$/.exec(item.trim());
    if (match !== null) return match[1]?.replace("=", ":") ?? "1";
  }
  return undefined;
}

/** A node's state as alixan needs it: whether it may take new work, and why not. */
export interface SlurmNode {
  readonly name: string;
  readonly available: boolean;
  readonly state: string;
  readonly reason: string;
}

/** A Slurm command (or a site tool run the same way) that failed: the command line and its message. */
export class SlurmError extends Error {
  readonly command: string;
  /** The command's exit code, when it ran and exited (undefined: not found, killed by the timeout, a signal). */
  readonly exitCode: number | undefined;
  constructor(command: string, message: string, exitCode?: number) {
    super(`${command}: ${message}`);
    this.name = "SlurmError";
    this.command = command;
    this.exitCode = exitCode;
  }
}

/** States in which a job holds or is about to hold its nodes. */
export const activeStates = new Set(["RUNNING", "COMPLETING", "SUSPENDED", "CONFIGURING", "STAGE_OUT", "SIGNALING"]);
/** States that end a job. */
export const finalStates = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "BOOT_FAIL",
  "DEADLINE",
  "PREEMPTED",
]);
const availableNodeStates = new Set(["idle", "allocated", "mixed", "completing"]);

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (record["set"] === false || record["infinite"] === true) return undefined;
    if (typeof record["number"] === "number") return record["number"];
  }
  return undefined;
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((item) => typeof item === "string").join(",");
  return "";
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/** Reads one job of `squeue --json`. */
export function readSlurmJob(raw: Record<string, unknown>): SlurmJob {
  const states = Array.isArray(raw["job_state"]) ? (raw["job_state"] as string[]) : [textOf(raw["job_state"])];
  const state = states.find((item) => item !== "REQUEUED" && item !== "REQUEUE_HOLD") ?? states[0] ?? "UNKNOWN";
  let exitCode: number | null = null;
  let signal: number | null = null;
  const exit = raw["exit_code"];
  if (typeof exit === "number") {
    // Slurm 22.05 gives the wait status: exit code in the high byte, signal in the low 7 bits.
    exitCode = exit >> 8;
    signal = exit & 0x7f || null;
  } else if (typeof exit === "object" && exit !== null) {
    const record = exit as Record<string, unknown>;
    exitCode = numberOf(record["return_code"]) ?? null;
    const signalRecord = record["signal"] as Record<string, unknown> | undefined;
    signal = numberOf(signalRecord?.["id"]) ?? null;
  }
  const seconds = (key: string) => {
    const value = numberOf(raw[key]);
    return value === undefined || value <= 0 ? undefined : value * 1000;
  };
  const list = (key: string) => {
    const text = textOf(raw[key]);
    const names = text === "" ? [] : expandHostlist(text);
    return typeof names === "string" ? [] : names;
  };
  const reason = textOf(raw["state_reason"]);
  const priority = numberOf(raw["priority"]);
  return {
    id: numberOf(raw["job_id"]) ?? -1,
    state,
    reason: reason === "None" ? "" : reason,
    exitCode: finalStates.has(state) ? exitCode : null,
    signal: finalStates.has(state) ? signal : null,
    startMs: seconds("start_time"),
    endMs: finalStates.has(state) ? seconds("end_time") : undefined,
    nodes: list("nodes"),
    requiredNodes: list("required_nodes"),
    comment: textOf(raw["comment"]),
    restarts: numberOf(raw["restart_cnt"]) ?? 0,
    held: state === "PENDING" && (priority === 0 || /held|hold/i.test(reason)),
    // 22.05 says 0 for a job outside any array; the array's own record (its tasks not yet split off) has no task id.
    arrayJobId: positive(numberOf(raw["array_job_id"])),
    arrayTaskId: positive(numberOf(raw["array_job_id"])) === undefined ? undefined : numberOf(raw["array_task_id"]),
    arrayTasks: textOf(raw["array_task_string"]) || undefined,
    partition: textOf(raw["partition"]),
    gpusPerTask: gpusPerTaskOf(textOf(raw["tres_per_task"])),
  };
}

/** Reads `sinfo --noheader --all --format=%N|%T|%E` lines into nodes. */
export function readSinfo(text: string): SlurmNode[] {
  const nodes: SlurmNode[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [list = "", stateText = "", ...reasonParts] = line.split("|");
    const names = expandHostlist(list.trim());
    if (typeof names === "string") continue;
    const flagged = /[*~#!%$@^-]$/.test(stateText.trim());
    const base = stateText.trim().replace(/[*~#!%$@^+-]+$/, "");
    const available = availableNodeStates.has(base) && !flagged;
    const reason = reasonParts.join("|").trim();
    for (const name of names)
      nodes.push({ name, available, state: stateText.trim(), reason: reason === "none" ? "" : reason });
  }
  return nodes;
}

/**
 * Runs Slurm commands for one cluster, at most `maxConcurrentCommands` at once: a burst of admissions queues its
 * `sbatch` calls here (in order) instead of forking a process each, which would swamp both this host and
 * slurmctld. Job states come from one `squeue --json` for all jobs per poll, never one call per job.
 */
export class SlurmCli {
  readonly #settings: SlurmSettings;
  readonly #env: NodeJS.ProcessEnv;
  /** Commands waiting for a slot, oldest first. */
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  #peak = 0;
  #started = 0;

  constructor(settings: SlurmSettings) {
    this.#settings = settings;
    this.#env = {
      ...process.env,
      ...(settings.conf === undefined ? {} : { SLURM_CONF: settings.conf }),
      // squeue shortens an array's task string to 64 characters (`0,8,15,...`) unless told: alixan reads every task.
      SLURM_BITSTR_LEN: "0",
    };
  }

  /** Counters of the commands run: at once now, at most at once so far, and in all. */
  get load(): { readonly running: number; readonly waiting: number; readonly peak: number; readonly started: number } {
    return { running: this.#running, waiting: this.#waiting.length, peak: this.#peak, started: this.#started };
  }

  /** Runs a Slurm command when a slot is free; resolves with its standard output, rejects with a `SlurmError`. */
  run(command: string, args: readonly string[], input?: string): Promise<string> {
    const file = this.#settings.bin === undefined ? command : join(this.#settings.bin, command);
    return this.#inSlot(() => this.#spawn(file, command, args, this.#settings.commandTimeoutSeconds, input));
  }

  /**
   * Runs a site tool (`argv[0]`: a path, or a name looked up in PATH, not in `bin`) in the same slots as the Slurm
   * commands, so a burst of calls forks no more than they do, with its own timeout.
   */
  runProgram(argv: readonly string[], timeoutSeconds: number): Promise<string> {
    const [program, ...args] = argv;
    if (program === undefined) return Promise.reject(new SlurmError("(none)", "no program to run"));
    return this.#inSlot(() => this.#spawn(program, program, args, timeoutSeconds));
  }

  async #inSlot(work: () => Promise<string>): Promise<string> {
    // A finishing command hands its slot straight to the oldest waiter, so a newcomer cannot slip in between.
    if (this.#running >= this.#settings.maxConcurrentCommands)
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    this.#started++;
    this.#peak = Math.max(this.#peak, this.#running);
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#running--;
    }
  }

  #spawn(
    file: string,
    command: string,
    args: readonly string[],
    timeoutSeconds: number,
    input?: string,
  ): Promise<string> {
    const line = `${command} ${args.join(" ")}`;
    return new Promise((resolve, reject) => {
      const child = execFile(
        file,
        args,
        { env: this.#env, encoding: "utf8", timeout: timeoutSeconds * 1000, maxBuffer: 256 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error === null) resolve(stdout);
          else {
            const detail = stderr.trim().split("\n").slice(-3).join(" ") || error.message;
            const exitCode = typeof error.code === "number" && !error.killed ? error.code : undefined;
            reject(new SlurmError(line, error.killed ? `timed out; ${detail}` : detail, exitCode));
          }
        },
      );
      child.stdin?.on("error", () => {});
      if (input !== undefined) child.stdin?.end(input);
      else child.stdin?.end();
    });
  }

  /** Submits a batch script; returns the Slurm job id. */
  async sbatch(args: readonly string[], script: string): Promise<number> {
    const out = await this.run("sbatch", ["--parsable", ...args], script);
    const id = Number.parseInt(out.trim().split(";")[0] ?? "", 10);
    if (!Number.isInteger(id)) throw new SlurmError("sbatch", `unexpected answer "${out.trim()}"`);
    return id;
  }

  /** Every job the controller knows (waiting, running and recently finished). */
  async jobs(): Promise<SlurmJob[]> {
    const out = await this.run("squeue", ["--json", "--states=all"]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(out);
    } catch {
      throw new SlurmError("squeue --json", "the answer is not JSON");
    }
    const jobs = (parsed as { jobs?: unknown }).jobs;
    if (!Array.isArray(jobs)) throw new SlurmError("squeue --json", "the answer has no jobs list");
    return jobs.map((job) => readSlurmJob(job as Record<string, unknown>));
  }

  /** Every node with whether it may take new work. */
  async nodes(): Promise<SlurmNode[]> {
    return readSinfo(await this.run("sinfo", ["--noheader", "--all", "--format=%N|%T|%E"]));
  }

  /** Cancels a job, a whole array (its ArrayJobId) or one task of an array (`<ArrayJobId>_<task>`). */
  async cancel(id: number | string): Promise<void> {
    await this.run("scancel", [String(id)]);
  }

  /** Changes fields of a pending job (`scontrol update JobId=<id> Field=Value…`); an array task is split off. */
  async update(id: number | string, fields: readonly string[]): Promise<void> {
    await this.run("scontrol", ["update", `JobId=${id}`, ...fields]);
  }

  /** The job id of a job or array task (`<ArrayJobId>_<task>` once split off has its own id). */
  async jobIdOf(id: string): Promise<number> {
    const out = await this.run("scontrol", ["show", "job", id]);
    const match = /JobId=(\d+)/.exec(out);
    if (match === null) throw new SlurmError(`scontrol show job ${id}`, "the answer names no JobId");
    return Number(match[1]);
  }

  /**
   * Holds a pending job: `user` is a user hold (`scontrol uhold`, JobHeldUser: what a tenant's hold is), otherwise an
   * administrator's (`scontrol hold`, JobHeldAdmin: platform staff, and alixan's own hold of work it has not placed).
   */
  async hold(id: number | string, user: boolean): Promise<void> {
    await this.run("scontrol", [user ? "uhold" : "hold", String(id)]);
  }

  /** Lets a held job start (`scontrol release`). */
  async releaseHold(id: number | string): Promise<void> {
    await this.run("scontrol", ["release", String(id)]);
  }

  /** Puts a running job back to pending, held, keeping its id (and counting a restart). */
  async requeueHold(id: number | string): Promise<void> {
    await this.run("scontrol", ["requeuehold", String(id)]);
  }

  /** Stops a running job's processes (SIGSTOP) where they are; its nodes stay allocated to it. */
  async suspend(id: number): Promise<void> {
    await this.run("scontrol", ["suspend", String(id)]);
  }

  /** Lets a suspended job run again (SIGCONT). */
  async resume(id: number): Promise<void> {
    await this.run("scontrol", ["resume", String(id)]);
  }

  /**
   * Moves a held job (or array task) to `nodes`, in `partition` and with `gpus` per task when given (its hall or GPU
   * model may differ from where it was submitted), and lets it start now. Answers the job id that was released (an
   * array task split off by the update has its own).
   */
  async release(
    id: number | string,
    nodeList: string,
    nodeCount: number,
    move: { readonly partition?: string | undefined; readonly gpusPerTask?: string | undefined } = {},
  ): Promise<number> {
    const fields = [`ReqNodeList=${nodeList}`, `NumNodes=${nodeCount}`];
    if (move.partition !== undefined) fields.push(`Partition=${move.partition}`);
    await this.update(id, fields);
    // Separate: 22.05 refuses a TRES change in the same update as other fields of an array task.
    if (move.gpusPerTask !== undefined) await this.update(id, [`TresPerTask=gres/gpu:${move.gpusPerTask}`]);
    await this.update(id, ["StartTime=now"]);
    const jobId = typeof id === "number" ? id : await this.jobIdOf(id);
    // By the name given: an array task whose id is the array's (its last task) is released alone.
    await this.releaseHold(id);
    return jobId;
  }
}
