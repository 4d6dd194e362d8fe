/**
 * `alixan queue …` and `alixan demo …` against a running platform (`--url`, `--key`): list queues with quota and
 * usage in GPUs, export the configuration (YAML or Kueue objects), apply a whole file or Kueue objects, create or
 * change one queue, remove one; start, stop and read the demo load. Changes need a platform admin's key.
 */
import type { Command } from "commander";
import type { DemoStatus } from "../../app/jobs/demo-load.ts";
import { type FileKind, fileTooLarge, parseYamlText, readBoundedText } from "../../core/yaml.ts";
import { type RemoteOptions, requestJson, requestText, withRemoteOptions } from "../client.ts";
import { CliError, exitCodes, printJson, renderTable, wantsJson } from "../output.ts";

/** A queue as `GET /v1/queues` answers. */
interface QueueRow {
  name: string;
  tenantId: string;
  cohort: string | null;
  priorityClass: string;
  nominal: Record<string, number>;
  borrowingLimit: Record<string, number | null>;
  usage: Record<string, number>;
  pending: number;
  running: number;
}

function readText(file: string, kind: FileKind): string {
  try {
    return readBoundedText(file, kind);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * A queue file's YAML as the server reads one (size bound, CR-only line breaks, aliases bounded, duplicate keys
 * refused), checked here so that its problem names the file and line: `parse` read a CR-only file whose first line
 * is a comment as empty, and an empty file went to the server as `config: null`.
 */
export function queueFileValue(text: string, file: string): unknown {
  const parsed = parseYamlText(text, "queues");
  if (!parsed.ok) throw new CliError(`${file}: ${parsed.error}`, exitCodes.invalid);
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const found =
      value === undefined || value === null
        ? "empty"
        : `not a mapping (${Array.isArray(value) ? "a list" : typeof value})`;
    throw new CliError(
      `${file}: ${found}; a queue file is a mapping with version, queues, cohorts…`,
      exitCodes.invalid,
    );
  }
  return value;
}

/**
 * A quota option `RESOURCE=NOMINAL[,borrow=N][,lend=N]` (`gpu.H200=16,borrow=8`) as the API's quota entry; a usage
 * error names the option.
 */
export function quotaOption(
  text: string,
): [string, { nominal: number; borrowingLimit?: number; lendingLimit?: number }] {
  const match = /^([A-Za-z0-9._-]+)=([^,]+)((?:,(?:borrow|lend)=[^,]+)*)$/.exec(text);
  const number = (value: string) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new CliError(`--quota ${text}: "${value}" is not a quantity ≥ 0`, exitCodes.usage);
    return parsed;
  };
  if (match === null) {
    throw new CliError(
      `--quota ${text}: expected RESOURCE=NOMINAL[,borrow=N][,lend=N], e.g. gpu.H200=16,borrow=8`,
      exitCodes.usage,
    );
  }
  const limits: { nominal: number; borrowingLimit?: number; lendingLimit?: number } = { nominal: number(match[2]!) };
  for (const part of match[3]!.split(",").slice(1)) {
    const [key, value] = part.split("=") as [string, string];
    if (key === "borrow") limits.borrowingLimit = number(value);
    else limits.lendingLimit = number(value);
  }
  return [match[1]!, limits];
}

function queueTable(queues: readonly QueueRow[]): string {
  return renderTable(
    [
      { header: "queue" },
      { header: "tenant" },
      { header: "cohort" },
      { header: "priority" },
      { header: "quota (used / nominal, +may borrow)" },
      { header: "pending", align: "right" },
      { header: "running", align: "right" },
    ],
    queues.map((queue) => [
      queue.name,
      queue.tenantId,
      queue.cohort ?? "—",
      queue.priorityClass,
      Object.entries(queue.nominal)
        .map(([resource, nominal]) => {
          const borrow = queue.borrowingLimit[resource];
          return `${resource} ${queue.usage[resource] ?? 0}/${nominal}${borrow === null || borrow === undefined ? "" : ` +${borrow}`}`;
        })
        .join(", ") || "—",
      String(queue.pending),
      String(queue.running),
    ]),
  );
}

function registerQueueSubcommands(queue: Command): void {
  withRemoteOptions(
    queue.command("list").description("queues with quota and usage in GPUs (tenants: their own)"),
  ).action(async (options: RemoteOptions, command: Command) => {
    const queues = await requestJson<QueueRow[]>(options, "GET", "/v1/queues");
    if (wantsJson(command)) printJson(queues);
    else process.stdout.write(`${queueTable(queues)}\n`);
  });
  withRemoteOptions(
    queue
      .command("export")
      .description("print the configuration in force (staff): the queue file's YAML, or Kueue objects")
      .option("--format <format>", "yaml or kueue", "yaml"),
  ).action(async (options: RemoteOptions & { format: string }) => {
    if (!["yaml", "kueue"].includes(options.format)) {
      throw new CliError(`--format: expected yaml or kueue, got "${options.format}"`, exitCodes.usage);
    }
    process.stdout.write(await requestText(options, "GET", `/v1/queue-config?format=${options.format}`));
  });
  withRemoteOptions(
    queue
      .command("apply")
      .description("replace the whole configuration by a queue file (YAML), or by Kueue objects with --kueue")
      .argument("<file>", "the file")
      .option("--kueue", "the file holds Kueue objects (ClusterQueue, LocalQueue, Cohort, ResourceFlavor…)")
      .option("--summary <text>", "why, for the audit log"),
  ).action(async (file: string, options: RemoteOptions & { kueue?: boolean; summary?: string }) => {
    const text = readText(file, options.kueue === true ? "kueue" : "queues");
    const summary = options.summary === undefined ? {} : { summary: options.summary };
    let answer: { version: number };
    if (options.kueue === true) {
      const tooLarge = fileTooLarge(text, "kueue");
      if (tooLarge !== undefined) throw new CliError(`${file}: ${tooLarge}`, exitCodes.invalid);
      answer = await requestJson(options, "POST", "/v1/queue-config/kueue", { yaml: text, ...summary });
    } else {
      const config = queueFileValue(text, file);
      answer = await requestJson(options, "PUT", "/v1/queue-config", { config, ...summary });
    }
    process.stdout.write(`queue configuration version ${answer.version} in force\n`);
  });
  withRemoteOptions(
    queue
      .command("set")
      .description("create or replace one queue (platform admins)")
      .argument("<name>", "queue name (a DNS label)")
      .requiredOption("--tenant <id>", "the tenant whose queue it is")
      .option("--cohort <name>", "cohort it borrows from and lends to")
      .option("--priority-class <name>", "priority class of its jobs that name none")
      .option("--weight <n>", "fair-share weight")
      .option(
        "--quota <RES=N[,borrow=N][,lend=N]>",
        "quota of one resource in GPUs, cores or GiB (repeat)",
        (value: string, previous: string[] = []) => [...previous, value],
      ),
  ).action(
    async (
      name: string,
      options: RemoteOptions & {
        tenant: string;
        cohort?: string;
        priorityClass?: string;
        weight?: string;
        quota?: string[];
      },
    ) => {
      const weight = options.weight === undefined ? undefined : Number(options.weight);
      if (weight !== undefined && !(weight > 0))
        throw new CliError(`--weight: expected a number > 0, got "${options.weight}"`, exitCodes.usage);
      const body = {
        tenant: options.tenant,
        ...(options.cohort === undefined ? {} : { cohort: options.cohort }),
        ...(options.priorityClass === undefined ? {} : { priorityClass: options.priorityClass }),
        ...(weight === undefined ? {} : { weight }),
        quota: Object.fromEntries((options.quota ?? []).map(quotaOption)),
      };
      const answer = await requestJson<{ version: number }>(
        options,
        "PUT",
        `/v1/queues/${encodeURIComponent(name)}`,
        body,
      );
      process.stdout.write(`queue ${name} set: configuration version ${answer.version}\n`);
    },
  );
  withRemoteOptions(
    queue.command("delete").description("remove a queue (refused while jobs wait or run in it)").argument("<name>"),
  ).action(async (name: string, options: RemoteOptions) => {
    const answer = await requestJson<{ version: number }>(options, "DELETE", `/v1/queues/${encodeURIComponent(name)}`);
    process.stdout.write(`queue ${name} removed: configuration version ${answer.version}\n`);
  });
}

function registerDemoSubcommands(demo: Command): void {
  const print = (command: Command, status: DemoStatus) => {
    if (wantsJson(command)) printJson(status);
    else {
      process.stdout.write(
        status.running
          ? `demo load running at ${status.load} of the site's GPUs since ${status.startedAt}: ${status.active} jobs waiting or running, ${status.submitted} submitted\n`
          : "demo load stopped\n",
      );
    }
  };
  withRemoteOptions(demo.command("status").description("whether the demo load runs")).action(
    async (options: RemoteOptions, command: Command) => print(command, await requestJson(options, "GET", "/v1/demo")),
  );
  withRemoteOptions(
    demo
      .command("start")
      .description("start the demo load under its own demo tenants")
      .option("--load <share>", "share of the site's GPUs", "0.5"),
  ).action(async (options: RemoteOptions & { load: string }, command: Command) => {
    const load = Number(options.load);
    if (!(load > 0 && load <= 1))
      throw new CliError(`--load: expected a share above 0 and at most 1, got "${options.load}"`, exitCodes.usage);
    print(command, await requestJson(options, "PUT", "/v1/demo", { running: true, load }));
  });
  withRemoteOptions(demo.command("stop").description("stop the demo load and drop its jobs")).action(
    async (options: RemoteOptions, command: Command) =>
      print(command, await requestJson(options, "PUT", "/v1/demo", { running: false })),
  );
}

/** Adds `queue` and `demo`. */
export function registerQueueCommands(program: Command): void {
  registerQueueSubcommands(program.command("queue").description("queues, cohorts and quotas on a running platform"));
  registerDemoSubcommands(
    program.command("demo").description("start, stop and read the demo load on a running platform"),
  );
}
