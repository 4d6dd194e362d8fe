/**
 * `alixan job …` against a running platform (`--url`, `--key`), with Slurm's words: submit (with `--array` and
 * `--dependency`), show, hold, release, requeue, cancel; `alixan job array ID` reads a whole array and holds, releases or cancels it.
 */
import type { Command } from "commander";
import { parseArray } from "../../app/jobs/arrays.ts";
import { parseDependencyOption } from "../../app/jobs/dependencies.ts";
import { parseDuration } from "../../twin/time.ts";
import { type RemoteOptions, requestJson, withRemoteOptions } from "../client.ts";
import { CliError, exitCodes, printJson, wantsJson } from "../output.ts";

/** A job as the API answers (the fields the CLI prints). */
interface JobAnswer {
  id: string;
  state: string;
  reason: string;
  /** The instant it was asked to end by, when it was. */
  deadline?: string;
  arrayJobId?: string | null;
  taskCount?: number;
  array?: string;
  tasks?: JobAnswer[];
}

/** Options of `job submit`. */
interface SubmitOptions extends RemoteOptions {
  project: string;
  name: string;
  gpus: string;
  time: string;
  dataClass: string;
  gpuModel?: string;
  queue?: string;
  array?: string;
  dependency?: string;
  command?: string;
  hold?: boolean;
  deadline?: string;
}

/** A whole number from an option, or a usage error naming it. */
function wholeNumber(option: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new CliError(`${option}: expected a whole number ≥ ${min}, got "${text}"`, exitCodes.usage);
  return value;
}

/** Options of `alixan job array`: at most one action, with an optional reason. */
type ArrayOptions = RemoteOptions & { cancel?: boolean; hold?: boolean; release?: boolean; reason?: string };

/** What the array routes answer: `cancelled`, `held`, or `released` with `keptHeld`. */
interface ArrayActionAnswer {
  cancelled?: number;
  held?: number;
  released?: number;
  keptHeld?: number;
}

/** The one action `alixan job array` was asked for, refusing two at once and a reason with none. */
function arrayActionOf(options: ArrayOptions): "cancel" | "hold" | "release" | undefined {
  const chosen = (["cancel", "hold", "release"] as const).filter((action) => options[action] === true);
  if (chosen.length > 1)
    throw new CliError(`--${chosen.join(" and --")}: choose one action for the array`, exitCodes.usage);
  if (options.reason !== undefined && (chosen.length === 0 || chosen[0] === "cancel"))
    throw new CliError("--reason goes with --hold or --release", exitCodes.usage);
  return chosen[0];
}

/** One line saying what an array action did, in the words of the answer. */
function arrayActionLine(id: string, action: "cancel" | "hold" | "release", answer: ArrayActionAnswer): string {
  if (action === "cancel") return `array ${id}: ${answer.cancelled ?? 0} tasks cancelled`;
  if (action === "hold") return `array ${id}: ${answer.held ?? 0} tasks held`;
  const kept = answer.keptHeld ? `, ${answer.keptHeld} held by platform staff kept held` : "";
  return `array ${id}: ${answer.released ?? 0} tasks released${kept}`;
}

/** The furthest `now+` a deadline may be, seconds (100 years). */
const maximumDeadlineS = 100 * 365.25 * 86_400;

/**
 * `--deadline`: an ISO 8601 instant with its offset (`2026-12-08T14:00:00+01:00`) or, as Slurm's `--deadline`
 * takes it, `now+` a duration (`now+6h`, `now+1d12h`), read at `nowMs`; anything else is a usage error naming it.
 */
export function deadlineOf(text: string, nowMs: number): string {
  const relative = /^now\+(.+)$/.exec(text.trim());
  if (relative !== null) {
    const seconds = parseDuration(relative[1]!, "--deadline");
    if (!seconds.ok) throw new CliError(seconds.error, exitCodes.usage);
    // A Date ends at ±8.64e15 ms; past it toISOString throws. No job waits a century: refuse it by name instead.
    if (seconds.value > maximumDeadlineS)
      throw new CliError(`--deadline "${text}": more than 100 years ahead`, exitCodes.usage);
    return new Date(nowMs + seconds.value * 1000).toISOString();
  }
  // An instant needs its offset: a bare local time would mean another hour on the platform's machine.
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)
    ? Date.parse(text)
    : Number.NaN;
  if (Number.isNaN(instant)) {
    throw new CliError(
      `--deadline "${text}": expected an ISO 8601 instant with its offset (2026-12-08T14:00:00Z) or now+DURATION (now+6h)`,
      exitCodes.usage,
    );
  }
  return new Date(instant).toISOString();
}

/** The API body of `job submit`; option problems are usage errors naming the option. */
export function submitBodyOf(options: SubmitOptions, nowMs = Date.now()): Record<string, unknown> {
  if (options.array !== undefined) {
    const parsed = parseArray(options.array);
    if (typeof parsed === "string") throw new CliError(`--array ${options.array}: ${parsed}`, exitCodes.usage);
  }
  let dependsOn: unknown[] | undefined;
  if (options.dependency !== undefined) {
    const parsed = parseDependencyOption(options.dependency);
    if (typeof parsed === "string") throw new CliError(`--dependency ${parsed}`, exitCodes.usage);
    dependsOn = parsed;
  }
  return {
    projectId: options.project,
    name: options.name,
    gpus: wholeNumber("--gpus", options.gpus, 0),
    durationS: wholeNumber("--time", options.time, 1) * 60,
    dataClass: options.dataClass,
    ...(options.gpuModel === undefined ? {} : { gpuModel: options.gpuModel }),
    ...(options.queue === undefined ? {} : { queue: options.queue }),
    ...(options.array === undefined ? {} : { array: options.array }),
    ...(dependsOn === undefined ? {} : { dependsOn }),
    ...(options.command === undefined ? {} : { command: options.command }),
    ...(options.hold === true ? { hold: true } : {}),
    ...(options.deadline === undefined ? {} : { deadline: deadlineOf(options.deadline, nowMs) }),
  };
}

/** One line per job: id, state, reason, and the deadline it was asked to end by. */
function printJob(job: JobAnswer): void {
  const deadline = job.deadline === undefined ? "" : `  to end by ${job.deadline}`;
  process.stdout.write(`${job.id}  ${job.state}${job.reason ? `  (${job.reason})` : ""}${deadline}\n`);
}

/** Registers `alixan job`. */
export function registerJobCommands(program: Command): void {
  const job = program
    .command("job")
    .description("submit, hold, release, requeue and cancel jobs on a running platform");
  withRemoteOptions(
    job
      .command("submit")
      .description("submit a job, or an array of tasks with --array (Slurm syntax)")
      .requiredOption("--project <id>", "the project it is for")
      .requiredOption("--name <name>", "the job's name")
      .requiredOption("--gpus <n>", "GPUs")
      .requiredOption("--time <minutes>", "how long it runs")
      .option("--data-class <class>", "public, confidential or health", "public")
      .option("--gpu-model <model>", "the GPU model it needs")
      .option("--queue <name>", "one of the tenant's queues")
      .option("--array <indexes>", "tasks: 0-99%10, 1,3,5-7, 0-15:4 (%N: at most N at once)")
      .option("--dependency <list>", "afterok:ID[:ID…][,afterany:ID…][,afternotok:ID…]")
      .option("--command <script>", "what it runs (required on Slurm)")
      .option("--hold", "submit it held (release it with alixan job release)")
      .option("--deadline <time>", "when it should end by: 2026-12-08T14:00:00Z or now+6h (Slurm's --deadline)"),
  ).action(async (options: SubmitOptions, command: Command) => {
    const answer = await requestJson<JobAnswer>(options, "POST", "/v1/jobs", submitBodyOf(options));
    if (wantsJson(command)) return printJson(answer);
    if (answer.tasks !== undefined)
      process.stdout.write(`array ${answer.arrayJobId}: ${answer.taskCount} tasks (${answer.array})\n`);
    else printJob(answer);
  });
  for (const [name, description] of [
    ["hold", "hold a waiting job: it does not start until released"],
    ["release", "release a held job"],
    ["requeue", "put a running job back in its queue (--hold: and hold it)"],
    ["cancel", "cancel a job"],
  ] as const) {
    const sub = job.command(name).description(description).argument("<id>", "the job id");
    sub.option("--reason <text>", "why, for the audit log");
    if (name === "requeue") sub.option("--hold", "hold it once requeued (Slurm's requeuehold)");
    withRemoteOptions(sub).action(
      async (id: string, options: RemoteOptions & { reason?: string; hold?: boolean }, command: Command) => {
        const body = {
          ...(options.reason === undefined ? {} : { reason: options.reason }),
          ...(options.hold === true ? { hold: true } : {}),
        };
        const answer = await requestJson<JobAnswer>(
          options,
          "POST",
          `/v1/jobs/${encodeURIComponent(id)}/${name}`,
          body,
        );
        if (wantsJson(command)) return printJson(answer);
        printJob(answer);
      },
    );
  }
  withRemoteOptions(job.command("show").description("a job's state and reason").argument("<id>", "the job id")).action(
    async (id: string, options: RemoteOptions, command: Command) => {
      const answer = await requestJson<JobAnswer>(options, "GET", `/v1/jobs/${encodeURIComponent(id)}`);
      if (wantsJson(command)) return printJson(answer);
      printJob(answer);
    },
  );
  withRemoteOptions(
    job
      .command("array")
      .description("a job array's tasks; --cancel, --hold or --release acts on every task it applies to")
      .argument("<id>", "the array id")
      .option("--cancel", "cancel every task still waiting or running")
      .option("--hold", "hold every waiting task (running and ended tasks are left alone)")
      .option("--release", "release every held task (a tenant's release leaves tasks staff held held)")
      .option("--reason <text>", "why, for the audit log (--hold, --release)"),
  ).action(async (id: string, options: ArrayOptions, command: Command) => {
    const path = `/v1/job-arrays/${encodeURIComponent(id)}`;
    const action = arrayActionOf(options);
    if (action !== undefined) {
      const body = action !== "cancel" && options.reason !== undefined ? { reason: options.reason } : {};
      const answer = await requestJson<ArrayActionAnswer>(options, "POST", `${path}/${action}`, body);
      if (wantsJson(command)) return printJson(answer);
      process.stdout.write(`${arrayActionLine(id, action, answer)}\n`);
      return;
    }
    const answer = await requestJson<{ states: Record<string, number>; tasks: JobAnswer[] }>(options, "GET", path);
    if (wantsJson(command)) return printJson(answer);
    process.stdout.write(
      `array ${id}: ${Object.entries(answer.states)
        .map(([state, count]) => `${count} ${state}`)
        .join(", ")}\n`,
    );
    for (const task of answer.tasks) printJob(task);
  });
}
