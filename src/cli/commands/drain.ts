/**
 * `alixan drain create|list|show|resume`: maintenance drains on a running platform, over HTTP (`--url`, `--key`).
 */
import type { Command } from "commander";
import type { DrainView } from "../../app/drains/model.ts";
import { drainTargetKinds } from "../../model/feeds.ts";
import { parseDuration } from "../../telemetry/routes.ts";
import { type RemoteOptions, requestJson, withRemoteOptions } from "../client.ts";
import { CliError, exitCodes, printJson, renderTable, wantsJson } from "../output.ts";

interface CreateOptions extends RemoteOptions {
  rack?: string;
  row?: string;
  hall?: string;
  cdu?: string;
  busway?: string;
  reason: string;
  from?: string;
  until?: string;
  policy?: string;
  deadline?: string;
}

/** An instant from RFC 3339 text or a delay from now (`+2h`, `30m`), as ISO text; a usage error names the option. */
export function instantOf(text: string, option: string, nowMs = Date.now()): string {
  const delay = parseDuration(text.replace(/^\+/, ""));
  if (delay !== undefined && !/^\d{4}-/.test(text)) return new Date(nowMs + delay).toISOString();
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(parsed))
    throw new CliError(`${option}: "${text}" is not a time (RFC 3339, or a delay like +2h)`, exitCodes.usage);
  return new Date(parsed).toISOString();
}

/** The one target the options name, with its kind prefix added when left out (`--row h1-r02` → `row:h1-r02`). */
export function targetOf(options: Partial<Record<(typeof drainTargetKinds)[number], string>>): string {
  const given = drainTargetKinds.filter((kind) => options[kind] !== undefined);
  if (given.length !== 1) {
    throw new CliError(
      `name exactly one target: ${drainTargetKinds.map((kind) => `--${kind}`).join(", ")}`,
      exitCodes.usage,
    );
  }
  const kind = given[0]!;
  const id = options[kind]!;
  return id.startsWith(`${kind}:`) ? id : `${kind}:${id}`;
}

const shortTime = (iso: string | null) => (iso === null ? "—" : iso.replace("T", " ").slice(0, 16));

function table(drains: readonly DrainView[]): string {
  return renderTable(
    [
      { header: "id" },
      { header: "state" },
      { header: "target" },
      { header: "racks", align: "right" },
      { header: "policy" },
      { header: "from" },
      { header: "until" },
      { header: "reason" },
    ],
    drains.map((drain) => [
      drain.id,
      drain.state,
      drain.target,
      String(drain.racks),
      drain.policy === "deadline" ? `deadline ${shortTime(drain.deadline)}` : drain.policy,
      shortTime(drain.startsAt),
      shortTime(drain.resumedAt ?? drain.endsAt),
      drain.reason,
    ]),
  );
}

function show(command: Command, drains: DrainView | readonly DrainView[]): void {
  if (wantsJson(command)) printJson(drains);
  else process.stdout.write(`${table(Array.isArray(drains) ? drains : [drains as DrainView])}\n`);
}

/** Adds `drain`. */
export function registerDrainCommand(program: Command): void {
  const drain = program
    .command("drain")
    .description(
      "maintenance drains on a running platform: no new work on racks, rows, halls, a CDU's or busway's racks",
    );
  withRemoteOptions(
    drain
      .command("create")
      .description(
        "drain a target: no new work there in the window; running work finishes, is requeued, or by a deadline",
      )
      .option("--rack <id>", "a rack, e.g. rack:h1-r02-03")
      .option("--row <id>", "a row, e.g. row:h1-r02")
      .option("--hall <id>", "a hall, e.g. hall:h1")
      .option("--cdu <id>", "a CDU: drains the racks its loop cools (its row)")
      .option("--busway <id>", "a busway: drains the racks it feeds (its row)")
      .requiredOption("--reason <text>", "why (shown in waiting jobs' reasons)")
      .option("--from <time>", "start: RFC 3339 or a delay like +2h (default now)")
      .option("--until <time>", "end: RFC 3339 or a delay like +8h (default: until resumed)")
      .option("--policy <policy>", "running work: finish, requeue or deadline (default finish)")
      .option("--deadline <time>", "with --policy deadline: when running work is requeued"),
  ).action(async (options: CreateOptions, command: Command) => {
    const body: Record<string, string> = { target: targetOf(options), reason: options.reason };
    const nowMs = Date.now();
    if (options.from !== undefined) body["startsAt"] = instantOf(options.from, "--from", nowMs);
    if (options.until !== undefined) body["endsAt"] = instantOf(options.until, "--until", nowMs);
    if (options.policy !== undefined) body["policy"] = options.policy;
    if (options.deadline !== undefined) body["deadline"] = instantOf(options.deadline, "--deadline", nowMs);
    show(command, await requestJson<DrainView>(options, "POST", "/v1/drains", body));
  });

  withRemoteOptions(
    drain
      .command("list")
      .description("drains, newest first")
      .option("--state <state>", "scheduled, active or ended")
      .option("--limit <n>", "at most this many", "200"),
  ).action(async (options: RemoteOptions & { state?: string; limit: string }, command: Command) => {
    const query = new URLSearchParams({ limit: options.limit });
    if (options.state !== undefined) query.set("state", options.state);
    show(command, await requestJson<DrainView[]>(options, "GET", `/v1/drains?${query}`));
  });

  withRemoteOptions(drain.command("show").description("one drain").argument("<id>", "drain id (drn_…)")).action(
    async (id: string, options: RemoteOptions, command: Command) => {
      show(command, await requestJson<DrainView>(options, "GET", `/v1/drains/${encodeURIComponent(id)}`));
    },
  );

  withRemoteOptions(
    drain.command("resume").description("end a drain now: its racks take new work again").argument("<id>", "drain id"),
  ).action(async (id: string, options: RemoteOptions, command: Command) => {
    show(command, await requestJson<DrainView>(options, "POST", `/v1/drains/${encodeURIComponent(id)}/resume`, {}));
  });
}
