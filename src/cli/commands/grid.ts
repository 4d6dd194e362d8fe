/**
 * `alixan grid event create|list|show|cancel`: grid curtailment events on a running platform, over HTTP (`--url`,
 * `--key`). `show` prints the event's report: requested and delivered MW, jobs capped, suspended and requeued, work
 * lost by flexibility class.
 */
import type { Command } from "commander";
import type { GridEventView } from "../../app/grid/model.ts";
import { flexClasses } from "../../model/flexibility.ts";
import { parseDuration } from "../../telemetry/routes.ts";
import { type RemoteOptions, requestJson, withRemoteOptions } from "../client.ts";
import { CliError, exitCodes, printJson, renderTable, wantsJson } from "../output.ts";
import { instantOf } from "./drain.ts";

interface CreateOptions extends RemoteOptions {
  reduceMw?: string;
  reduceFraction?: string;
  start?: string;
  duration: string;
  notice?: string;
  reason: string;
  minimumCap?: string;
}

/** Seconds of a duration option (`3h`, `90m`, `600`); a usage error names the option. */
export function secondsOf(text: string, option: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0)
    throw new CliError(`${option}: "${text}" is not a duration (like 3h, 15m or seconds)`, exitCodes.usage);
  return Math.round(ms / 1000);
}

/** A number option; a usage error names it. */
function numberOf(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value))
    throw new CliError(`${option}: "${text}" is not a number`, exitCodes.usage);
  return value;
}

const shortTime = (iso: string | null) => (iso === null ? "—" : iso.replace("T", " ").slice(0, 19));
const mw = (value: number | null | undefined) => (value === null || value === undefined ? "—" : value.toFixed(3));

function table(events: readonly GridEventView[]): string {
  return renderTable(
    [
      { header: "id" },
      { header: "state" },
      { header: "asked" },
      { header: "from" },
      { header: "until" },
      { header: "delivered MW", align: "right" },
      { header: "reason" },
    ],
    events.map((event) => [
      event.id,
      event.state,
      event.reduceMW !== null ? `${event.reduceMW} MW` : `${Math.round((event.reduceFraction ?? 0) * 100)} % of IT`,
      shortTime(event.startsAt),
      shortTime(event.cancelledAt ?? event.endsAt),
      mw(event.report?.deliveredMW),
      event.reason,
    ]),
  );
}

/** The report of one event as lines of text. */
function reportText(event: GridEventView): string {
  const report = event.report;
  if (report === null) return "no report yet (the event has not started)";
  const byClass = (counts: Record<string, number>) =>
    flexClasses
      .filter((name) => (counts[name] ?? 0) > 0)
      .map((name) => `${name} ${counts[name]}`)
      .join(", ") || "none";
  return [
    `requested ${mw(report.requestedMW)} MW; delivered ${mw(report.deliveredMW)} MW (baseline ${mw(report.baselineMW)}, during ${mw(report.duringMW)}${report.deliveredShare === null ? "" : `, ${(report.deliveredShare * 100).toFixed(1)} %`}); response ${report.responseS === null ? "—" : `${report.responseS} s`}`,
    `plan: ${mw(report.plannedMW)} MW in ${(report.applyS * 1000).toFixed(1)} ms, short ${mw(report.shortMW)} MW${report.capShare === null ? "" : `, cap ${(report.capShare * 100).toFixed(0)} % of dynamic power`}`,
    `capped: ${byClass(report.jobs.capped)}; suspended: ${byClass(report.jobs.suspended)}; requeued: ${byClass(report.jobs.requeued)}; resumed ${report.resumed}`,
    `work lost (GPU-h): ${flexClasses.map((name) => `${name} ${report.workLostGpuHours[name].toFixed(3)}`).join(", ")}; deferred ${report.deferredGpuHours.toFixed(3)} GPU-h`,
  ].join("\n");
}

function show(command: Command, events: GridEventView | readonly GridEventView[], withReport = false): void {
  if (wantsJson(command)) {
    printJson(events);
    return;
  }
  const list = Array.isArray(events) ? events : [events as GridEventView];
  process.stdout.write(`${table(list)}\n`);
  if (withReport && list[0] !== undefined) process.stdout.write(`${reportText(list[0])}\n`);
}

/** Adds `grid`. */
export function registerGridCommand(program: Command): void {
  const grid = program
    .command("grid")
    .description("grid curtailment events on a running platform: create, list, show (with the report), cancel");
  const event = grid
    .command("event")
    .description(
      "curtailment events: the live scheduler caps, suspends or requeues flexible work, never protected work",
    );
  withRemoteOptions(
    event
      .command("create")
      .description("ask the site to use less power from a start, for a duration")
      .option("--reduce-mw <mw>", "reduction of grid import, MW")
      .option("--reduce-fraction <share>", "reduction as a share of the site's IT power (0–1)")
      .option("--start <time>", "RFC 3339 or a delay like +15m (default now)")
      .requiredOption("--duration <duration>", "how long, like 3h or 600 (seconds)")
      .option("--notice <duration>", "the grid's notice: new non-protected work waits from start − notice")
      .requiredOption("--reason <text>", "the grid signal")
      .option("--minimum-cap <share>", "lowest GPU power cap, share of dynamic power (default 0.3)"),
  ).action(async (options: CreateOptions, command: Command) => {
    if ((options.reduceMw === undefined) === (options.reduceFraction === undefined))
      throw new CliError("give exactly one of --reduce-mw and --reduce-fraction", exitCodes.usage);
    const body: Record<string, unknown> = {
      durationS: secondsOf(options.duration, "--duration"),
      reason: options.reason,
    };
    if (options.reduceMw !== undefined) body["reduceMW"] = numberOf(options.reduceMw, "--reduce-mw");
    if (options.reduceFraction !== undefined)
      body["reduceFraction"] = numberOf(options.reduceFraction, "--reduce-fraction");
    if (options.start !== undefined) body["start"] = instantOf(options.start, "--start");
    if (options.notice !== undefined) body["noticeS"] = secondsOf(options.notice, "--notice");
    if (options.minimumCap !== undefined) body["minimumCap"] = numberOf(options.minimumCap, "--minimum-cap");
    show(command, await requestJson<GridEventView>(options, "POST", "/v1/grid/events", body));
  });

  withRemoteOptions(
    event
      .command("list")
      .description("events, newest first")
      .option("--state <state>", "scheduled, active, ended or cancelled")
      .option("--limit <n>", "at most this many", "200"),
  ).action(async (options: RemoteOptions & { state?: string; limit: string }, command: Command) => {
    const query = new URLSearchParams({ limit: options.limit });
    if (options.state !== undefined) query.set("state", options.state);
    show(command, await requestJson<GridEventView[]>(options, "GET", `/v1/grid/events?${query}`));
  });

  withRemoteOptions(
    event.command("show").description("one event and its report").argument("<id>", "event id (gev_…)"),
  ).action(async (id: string, options: RemoteOptions, command: Command) => {
    show(command, await requestJson<GridEventView>(options, "GET", `/v1/grid/events/${encodeURIComponent(id)}`), true);
  });

  withRemoteOptions(
    event
      .command("cancel")
      .description("cancel an event: a scheduled one never runs, an active one is released now")
      .argument("<id>", "event id"),
  ).action(async (id: string, options: RemoteOptions, command: Command) => {
    show(
      command,
      await requestJson<GridEventView>(options, "POST", `/v1/grid/events/${encodeURIComponent(id)}/cancel`, {}),
      true,
    );
  });
}
