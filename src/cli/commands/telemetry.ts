/**
 * `alixan telemetry query|tail` and `alixan alarms list|ack|shelve`, against a running platform over HTTP.
 */
import type { Command } from "commander";
import { followStream, type RemoteOptions, requestJson, withRemoteOptions } from "../client.ts";
import { printJson, renderTable, wantsJson } from "../output.ts";

interface SelectorOptions extends RemoteOptions {
  name?: string[];
  rack?: string;
  row?: string;
  hall?: string;
  plant?: string;
}

interface Frame {
  name: string;
  labels: Record<string, string>;
  timestamps: number[];
  values: number[];
}

interface Alarm {
  id: string;
  severity: string;
  title: string;
  message: string;
  equipment?: string;
  rows: string[];
  state: string;
  raisedAt: number;
  acknowledged?: { by: string };
  shelved?: { until: number };
}

function selector(options: SelectorOptions): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of options.name ?? []) query.append("name", name);
  for (const key of ["rack", "row", "hall", "plant"] as const) {
    const value = options[key];
    if (value !== undefined) query.set(key, value);
  }
  return query;
}

function withSelector(command: Command): Command {
  return command
    .option("-n, --name <name...>", "series names")
    .option("--rack <id>", "a rack, e.g. rack:h1-r07-012")
    .option("--row <id>", "a row")
    .option("--hall <id>", "a hall")
    .option("--plant <id>", "a plant");
}

const time = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

/** Adds `telemetry` (query, tail) and `alarms` (list, ack). */
export function registerTelemetryCommands(program: Command): void {
  const telemetry = program.command("telemetry").description("query and follow measured series on a running platform");
  registerTelemetryQuery(telemetry);
  registerTelemetryTail(telemetry);
  registerAlarmCommands(program);
}

/** `telemetry query`: series aggregated over a time range, a line per series. */
function registerTelemetryQuery(telemetry: Command): void {
  withRemoteOptions(
    withSelector(
      telemetry
        .command("query")
        .description("aggregate series over a time range")
        .option("--from <time>", "ms, RFC 3339 or relative like -1h", "-1h")
        .option("--to <time>", "ms, RFC 3339 or relative like -5m")
        .option("--step <step>", "bucket width like 1m", "1m")
        .option("--aggregation <how>", "avg, min, max, last or sum", "avg")
        .option("--group-by <level>", "rack, row, hall or plant"),
    ),
  ).action(
    async (
      options: SelectorOptions & { from: string; to?: string; step: string; aggregation: string; groupBy?: string },
      command: Command,
    ) => {
      const query = selector(options);
      query.set("from", options.from);
      if (options.to !== undefined) query.set("to", options.to);
      query.set("step", options.step);
      query.set("aggregation", options.aggregation);
      if (options.groupBy !== undefined) query.set("groupBy", options.groupBy);
      const result = await requestJson<{ source: string; resolution: string; frames: Frame[] }>(
        options,
        "GET",
        `/v1/telemetry/query?${query}`,
      );
      if (wantsJson(command)) {
        printJson(result);
        return;
      }
      process.stdout.write(framesTable(result));
    },
  );
}

/** The table of `telemetry query`: per series its points, last sample, minimum and maximum. */
function framesTable(result: { source: string; resolution: string; frames: Frame[] }): string {
  return `${renderTable(
    [
      { header: "series" },
      { header: "points", align: "right" },
      { header: "last at" },
      { header: "last", align: "right" },
      { header: "min", align: "right" },
      { header: "max", align: "right" },
    ],
    result.frames.map((frame) => {
      const last = frame.values.length - 1;
      return [
        frame.name,
        String(frame.values.length),
        last >= 0 ? time(frame.timestamps[last]!) : "—",
        last >= 0 ? frame.values[last]!.toFixed(2) : "—",
        frame.values.length > 0 ? Math.min(...frame.values).toFixed(2) : "—",
        frame.values.length > 0 ? Math.max(...frame.values).toFixed(2) : "—",
      ];
    }),
  )}\n(${result.source}, ${result.resolution} resolution)\n`;
}

/** `telemetry tail`: new samples and alarm changes as the platform streams them. */
function registerTelemetryTail(telemetry: Command): void {
  withRemoteOptions(
    withSelector(
      telemetry.command("tail").description("print new samples and alarm changes as they arrive (Ctrl-C stops)"),
    ),
  ).action(async (options: SelectorOptions, command: Command) => {
    const json = wantsJson(command);
    const controller = new AbortController();
    process.once("SIGINT", () => controller.abort());
    await followStream(
      options,
      `/v1/telemetry/stream?${selector(options)}`,
      (event) => {
        if (json) {
          process.stdout.write(`${JSON.stringify({ event: event.event, data: JSON.parse(event.data) })}\n`);
          return;
        }
        if (event.event === "alarm") {
          const alarm = JSON.parse(event.data) as { alarm?: Alarm; type?: string };
          process.stdout.write(`alarm ${JSON.stringify(alarm)}\n`);
          return;
        }
        for (const frame of JSON.parse(event.data) as Frame[]) {
          for (let index = 0; index < frame.values.length; index++) {
            process.stdout.write(`${time(frame.timestamps[index]!)}  ${frame.name}  ${frame.values[index]}\n`);
          }
        }
      },
      controller.signal,
    );
  });
}

/** `alarms list` and `alarms ack`. */
function registerAlarmCommands(program: Command): void {
  const alarms = program.command("alarms").description("list, acknowledge and shelve alarms on a running platform");
  withRemoteOptions(
    alarms
      .command("list")
      .description("active alarms, most severe first")
      .option("--history", "include cleared alarms"),
  ).action(async (options: RemoteOptions & { history?: boolean }, command: Command) => {
    const list = await requestJson<Alarm[] | { alarms: Alarm[] }>(
      options,
      "GET",
      // The most severe 1,000 alarms (the list pages, 200 by default).
      options.history === true ? "/v1/alarms/history" : "/v1/alarms?limit=1000",
    );
    const items = Array.isArray(list) ? list : list.alarms;
    if (wantsJson(command)) {
      printJson(items);
      return;
    }
    process.stdout.write(alarmsTable(items));
  });
  withRemoteOptions(
    alarms
      .command("ack")
      .description("acknowledge an alarm")
      .argument("<id>", "alarm id")
      .option("--comment <text>", "why"),
  ).action(async (id: string, options: RemoteOptions & { comment?: string }, command: Command) => {
    const alarm = await requestJson<Alarm>(
      options,
      "POST",
      `/v1/alarms/${encodeURIComponent(id)}/acknowledge`,
      options.comment === undefined ? {} : { comment: options.comment },
    );
    if (wantsJson(command)) printJson(alarm);
    else process.stdout.write(`acknowledged ${id}\n`);
  });
}

/** The table of `alarms list`. */
function alarmsTable(items: readonly Alarm[]): string {
  return `${renderTable(
    [
      { header: "id" },
      { header: "severity" },
      { header: "title" },
      { header: "equipment" },
      { header: "rows" },
      { header: "raised" },
      { header: "state" },
    ],
    items.map((alarm) => [
      alarm.id,
      alarm.severity,
      alarm.title,
      alarm.equipment ?? "",
      alarm.rows.join(" "),
      time(alarm.raisedAt),
      [
        alarm.state,
        alarm.acknowledged === undefined ? "" : `ack by ${alarm.acknowledged.by}`,
        alarm.shelved === undefined ? "" : "shelved",
      ]
        .filter(Boolean)
        .join(", "),
    ]),
  )}\n`;
}
