/**
 * HTTP routes of telemetry and alarms, as one Fastify plugin the server mounts (behind its authentication):
 *
 * - `POST /v1/telemetry/samples` JSON batch · `POST /v1/telemetry/influx` line protocol ·
 *   `POST /v1/telemetry/prometheus` exposition text pushed
 * - `GET /v1/telemetry/query` · `GET /v1/telemetry/series` · `GET /v1/telemetry/export.parquet` ·
 *   `GET /v1/telemetry/status` ·
 *   `GET /v1/telemetry/stream` (server-sent events: new samples of a selection, alarm changes)
 * - `GET /v1/alarms` · `GET /v1/alarms/history` · `GET /v1/alarms/:id` ·
 *   `POST /v1/alarms/:id/acknowledge|shelve|unshelve`
 * - `GET /metrics` (Prometheus exposition)
 * - collectors' write endpoints (receivers.ts): `POST /api/v1/write` (Prometheus remote-write), `POST /write` and
 *   `POST /api/v2/write` (InfluxDB 1 and 2, gzip accepted)
 * - `POST /v1/telemetry/redfish/events/:target`: events and metric reports pushed by Redfish subscriptions
 *   (redfish-receiver.ts)
 *
 * Ingest answers 200 with what was accepted and each rejection (line numbers for text formats) when anything was
 * accepted, 400 when nothing was, 503 when the batch could not be made durable, 413/429 when a per-source limit
 * refused it (limits.ts). Errors are RFC 9457 problem+json
 * with no stack trace.
 */

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { problems, rawBody } from "../server/openapi.ts";
import { compareKeys, decodeCursor, pageHeaders, pageSorted, pagingQuery } from "../server/paging.ts";
import { problemHandler, sendProblem } from "../server/problem.ts";
import type { Reply } from "../server/schemas.ts";
import { type EventStream, openEventStream } from "../server/sse.ts";
import { type Precision, precisions } from "./adapters/influx.ts";
import { formatOfContentType } from "./adapters/prometheus.ts";
import type { Alarm, AlarmFilter } from "./alarms/book.ts";
import {
  type Aggregation,
  aggregations,
  type Combination,
  combinations,
  type Grouping,
  groupings,
  type SeriesQuery,
} from "./query.ts";
import {
  defaultCompressedLimit,
  gunzipBodies,
  gzipEncodings,
  registerReceiverRoutes,
  sendLimitRefusal,
} from "./receivers.ts";
import { registerRedfishReceiver } from "./redfish-receiver.ts";
import {
  AlarmEventSchema,
  AlarmSchema,
  IngestReportSchema,
  TelemetryQuerySchema,
  TelemetrySeriesSchema,
  TelemetryStatusSchema,
} from "./schemas.ts";
import type { SeriesSelector } from "./series.ts";
import type { StreamMessage, TelemetryService } from "./service.ts";
import { formatSse } from "./sse.ts";
import { type IngestReport, type Severity, severities } from "./types.ts";

/** Options of the routes. */
export interface TelemetryRouteOptions {
  /** The authenticated user of a request, recorded on acknowledgements and shelvings (else the body's `user`). */
  readonly userOf?: (request: FastifyRequest) => string | undefined;
  /** Largest ingest body (default 64 MiB), once decompressed. */
  readonly bodyLimit?: number;
  /** Largest compressed body of the receivers and gzip-encoded ingest (default 32 MiB). */
  readonly compressedLimit?: number;
  /** Interval of SSE keep-alive comments (default 15 s). */
  readonly heartbeatMs?: number;
  /** Records an alarm action that took effect (the platform appends an audit record), before the reply. */
  readonly recordAlarmAction?: (request: FastifyRequest, action: AlarmAction) => Promise<void>;
}

/** An acknowledgement, shelving or unshelving that took effect: who, which alarm, why, and its state around it. */
export interface AlarmAction {
  readonly action: "acknowledge" | "shelve" | "unshelve";
  readonly alarmId: string;
  readonly user: string;
  readonly comment: string | undefined;
  /** End of a shelving, ms since the epoch. */
  readonly until?: number;
  readonly before: { readonly acknowledged: unknown; readonly shelved: unknown } | null;
  readonly after: { readonly acknowledged: unknown; readonly shelved: unknown };
}

/** The operator-facing state of an alarm that its actions change, copied (the book changes alarms in place). */
function actionState(alarm: { acknowledged?: unknown; shelved?: unknown } | undefined) {
  if (alarm === undefined) return null;
  return JSON.parse(JSON.stringify({ acknowledged: alarm.acknowledged ?? null, shelved: alarm.shelved ?? null })) as {
    acknowledged: unknown;
    shelved: unknown;
  };
}

const oneOf = <const Values extends readonly string[]>(values: Values) =>
  Type.Unsafe<Values[number]>({ type: "string", enum: [...values] });

/** Series names or keys one request may select, and the length of one id (the URL is at most 8 KiB anyway). */
const selectorBounds = { maxItems: 200, idLength: 200, keyLength: 1000 } as const;
const selectorId = () => Type.Optional(Type.String({ maxLength: selectorBounds.idLength }));

const selectorQuery = {
  name: Type.Optional(
    Type.Array(Type.String({ maxLength: selectorBounds.idLength }), {
      maxItems: selectorBounds.maxItems,
      description: "series names (repeat for several)",
    }),
  ),
  series: Type.Optional(
    Type.Array(Type.String({ maxLength: selectorBounds.keyLength }), {
      maxItems: selectorBounds.maxItems,
      description: "canonical series keys",
    }),
  ),
  equipment: selectorId(),
  rack: selectorId(),
  row: selectorId(),
  hall: selectorId(),
  plant: selectorId(),
};
/** A time a query names: epoch ms, RFC 3339 or a relative `-1h`. */
const timeText = (description?: string) =>
  Type.Optional(Type.String({ maxLength: 64, ...(description === undefined ? {} : { description }) }));

interface SelectorParameters {
  name?: string[];
  series?: string[];
  equipment?: string;
  rack?: string;
  row?: string;
  hall?: string;
  plant?: string;
}

function selectorOf(query: SelectorParameters): SeriesSelector {
  return {
    ...(query.name === undefined ? {} : { names: query.name }),
    ...(query.series === undefined ? {} : { keys: query.series }),
    ...(query.equipment === undefined ? {} : { equipment: query.equipment }),
    ...(query.rack === undefined ? {} : { rack: query.rack }),
    ...(query.row === undefined ? {} : { row: query.row }),
    ...(query.hall === undefined ? {} : { hall: query.hall }),
    ...(query.plant === undefined ? {} : { plant: query.plant }),
  };
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The furthest time from the epoch a Date holds (±100,000,000 days, in ms). Times and durations past it are refused:
 * the history stores times as 64-bit integers, and a larger one failed there as a 500 rather than here as a 400.
 */
const maximumTimeMs = 8.64e15;

/** `ms` when it is a time or duration a Date can hold, else undefined. */
function withinDateRange(ms: number): number | undefined {
  return Math.abs(ms) <= maximumTimeMs ? ms : undefined;
}

/** A time from ms since the epoch, RFC 3339 text, or a duration before now (`-1h`, `-15m`); undefined if none. */
export function parseTime(text: string, now: number): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(text)) return withinDateRange(Number(text));
  const relative = /^-(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (relative !== null) return withinDateRange(now - Number(relative[1]) * durationUnits[relative[2]!]!);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const parsed = Date.parse(text);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** A duration in ms from `30s`, `1m`, `1h` or a number of ms. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return withinDateRange(Number(text));
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  return match === null ? undefined : withinDateRange(Number(match[1]) * durationUnits[match[2]!]!);
}

/** A problem+json answer like every other route's (type, instance without the URL token, request id). */
function problem(reply: FastifyReply, status: number, title: string, detail: string, field?: string) {
  // A 400 names the field at fault in `errors`, as the schema's own errors do; the detail keeps its words.
  const errors = field === undefined ? undefined : [{ field, message: detail.replace(/^[\w.]+: /, "") }];
  return sendProblem(reply, status, detail, { title, ...(errors === undefined ? {} : { errors }) });
}

/** The query parameter a query or stream refusal is about (the first its words name), else the query as a whole. */
function queryField(detail: string): string {
  const named = /\b(from|to|step|groupBy|combine|aggregation|name|series|equipment|rack|row|hall|plant)\b/.exec(detail);
  return named === null ? "querystring" : `querystring.${named[1]}`;
}

/** The 400 for a `from` or `to` that is not a time a Date holds, naming the field as schema errors do. */
function invalidTime(reply: FastifyReply, field: "from" | "to", text: string | undefined) {
  const message = `${text} is not a time (ms, RFC 3339 or ${field === "from" ? "-1h" : "-5m"})`;
  return sendProblem(reply, 400, `${field}: ${message}`, {
    title: "Invalid request",
    errors: [{ field: `querystring.${field}`, message }],
  });
}

function ingestReply(reply: FastifyReply, report: IngestReport) {
  if (report.limit !== undefined) return sendLimitRefusal(reply, report);
  // A sender past its series limit is told to stop creating series (429), with what was accepted of known ones.
  if (report.seriesLimited !== undefined && report.seriesLimited > 0) {
    return sendProblem(
      reply,
      429,
      `${report.seriesLimited} inputs would create series past the limit; samples of known series were accepted (${report.accepted})`,
      { title: "Series limit reached", members: { ...report } },
    );
  }
  if (report.accepted === 0 && report.rejected.some((rejection) => rejection.path === "batch")) {
    return problem(reply, 503, "Not stored", report.rejected.find((rejection) => rejection.path === "batch")!.problem);
  }
  if (report.accepted === 0 && report.rejectedCount > 0) {
    return sendProblem(
      reply,
      400,
      `all ${report.rejectedCount} inputs were rejected; the first: ${formatRejection(report.rejected[0]!)}`,
      { title: "Nothing accepted", members: { ...report } },
    );
  }
  return reply.send(report);
}

/** Who pushes a batch, for per-sender series limits: the API key, else the address. */
function sourceOf(request: FastifyRequest): string {
  return `key:${request.principal?.keyId ?? request.ip}`;
}

function formatRejection(rejection: IngestReport["rejected"][number]): string {
  return `${rejection.line === undefined ? "" : `line ${rejection.line}: `}${rejection.path}: ${rejection.problem}`;
}

/** The body bounds of the ingest routes: decoded, and compressed on the wire. */
interface IngestLimits {
  readonly bodyLimit: number;
  readonly compressedLimit: number;
}

/** JSON samples and frames, the remote-write and Redfish receivers, Influx line protocol and Prometheus text pushed. */
function registerPushIngest(scope: FastifyInstance, service: TelemetryService, limits: IngestLimits): void {
  const { bodyLimit, compressedLimit } = limits;
  scope.post(
    "/v1/telemetry/samples",
    {
      bodyLimit,
      schema: {
        tags: ["telemetry"],
        operationId: "ingestSamples",
        ...problems(503),
        summary: "Ingest a JSON batch of samples and/or frames",
        response: { 200: IngestReportSchema },
        body: Type.Object({
          samples: Type.Optional(Type.Array(Type.Unknown())),
          frames: Type.Optional(Type.Array(Type.Unknown())),
        }),
      },
    },
    async (request, reply) => ingestReply(reply, await service.ingestJson(request.body, sourceOf(request))),
  );
  registerReceiverRoutes(scope, service, { compressedLimit, decompressedLimit: bodyLimit, sourceOf });
  registerRedfishReceiver(scope, service);

  scope.post<{ Querystring: { precision?: Precision }; Body: string }>(
    "/v1/telemetry/influx",
    {
      bodyLimit,
      // Telegraf and most agents gzip their bodies by default.
      preParsing: gunzipBodies(compressedLimit, bodyLimit),
      config: { contentEncodings: gzipEncodings },
      schema: {
        tags: ["telemetry"],
        operationId: "ingestInflux",
        ...problems(503),
        ...rawBody("Influx line protocol", ["text/plain"]),
        summary: "Ingest Influx line protocol",
        response: { 200: IngestReportSchema },
        querystring: Type.Object({ precision: Type.Optional(oneOf(precisions)) }),
      },
    },
    async (request, reply) => {
      if (typeof request.body !== "string")
        return problem(reply, 415, "Unsupported body", "send line protocol as text/plain");
      return ingestReply(
        reply,
        await service.ingestInflux(request.body, request.query.precision ?? "ns", sourceOf(request)),
      );
    },
  );

  scope.post<{ Body: string }>(
    "/v1/telemetry/prometheus",
    {
      bodyLimit,
      schema: {
        tags: ["telemetry"],
        operationId: "ingestPrometheus",
        ...problems(503),
        ...rawBody("Prometheus or OpenMetrics exposition text", ["text/plain", "application/openmetrics-text"]),
        summary: "Ingest Prometheus exposition text (pushed)",
        response: { 200: IngestReportSchema },
      },
    },
    async (request, reply) => {
      if (typeof request.body !== "string")
        return problem(reply, 415, "Unsupported body", "send exposition text as text/plain");
      // OpenMetrics timestamps are seconds, Prometheus text ones ms: the Content-Type says which this is.
      const format = formatOfContentType(request.headers["content-type"]);
      return ingestReply(reply, await service.ingestPrometheusText(request.body, {}, sourceOf(request), format));
    },
  );
}

/** Queries of stored series: values over time, the series matching a selector. */
function registerSeriesReads(scope: FastifyInstance, service: TelemetryService): void {
  scope.get<{
    Querystring: SelectorParameters & {
      from?: string;
      to?: string;
      step?: string;
      aggregation?: Aggregation;
      groupBy?: Grouping;
      combine?: Combination;
    };
  }>(
    "/v1/telemetry/query",
    {
      schema: {
        tags: ["telemetry"],
        operationId: "queryTelemetry",
        summary: "Samples of selected series over a time range, raw or aggregated per step",
        response: { 200: TelemetryQuerySchema },
        querystring: Type.Object({
          ...selectorQuery,
          from: timeText("ms, RFC 3339, or -1h (default -1h)"),
          to: timeText("ms, RFC 3339, or -5m (default now)"),
          step: timeText("bucket width: 60s, 5m, 1h or ms; absent: raw samples"),
          aggregation: Type.Optional(oneOf(aggregations)),
          groupBy: Type.Optional(oneOf(groupings)),
          combine: Type.Optional(oneOf(combinations)),
        }),
      },
    },
    async (request, reply) => {
      const now = Date.now();
      const query = request.query;
      const to = query.to === undefined ? now : parseTime(query.to, now);
      const from = query.from === undefined ? (to ?? now) - 3_600_000 : parseTime(query.from, now);
      if (from === undefined) return invalidTime(reply, "from", query.from);
      if (to === undefined) return invalidTime(reply, "to", query.to);
      const step = query.step === undefined ? undefined : parseDuration(query.step);
      if (query.step !== undefined && step === undefined) {
        return problem(
          reply,
          400,
          "Invalid request",
          `step: ${query.step} is not a duration (60s, 5m, 1h or ms)`,
          "querystring.step",
        );
      }
      const seriesQuery: SeriesQuery = {
        selector: selectorOf(query),
        from,
        to,
        ...(step === undefined ? {} : { step }),
        ...(query.aggregation === undefined ? {} : { aggregation: query.aggregation }),
        ...(query.groupBy === undefined ? {} : { groupBy: query.groupBy }),
        ...(query.combine === undefined ? {} : { combine: query.combine }),
      };
      const result = await service.query(seriesQuery);
      if (!result.ok) return problem(reply, 400, "Invalid query", result.problem, queryField(result.problem));
      // JSON has no NaN (an empty bucket's mean): such values are null, as JSON.stringify wrote them.
      const answer: Reply<typeof TelemetryQuerySchema> = {
        from,
        to,
        ...result.value,
        frames: result.value.frames.map((frame) => ({
          ...frame,
          values: frame.values.map((value) => (Number.isFinite(value) ? value : null)),
        })),
      };
      return answer;
    },
  );

  scope.get<{ Querystring: SelectorParameters & { limit?: number } }>(
    "/v1/telemetry/series",
    {
      schema: {
        tags: ["telemetry"],
        operationId: "listTelemetrySeries",
        summary: "Series matching a selection, with their latest sample",
        response: { 200: Type.Array(TelemetrySeriesSchema) },
        querystring: Type.Object({
          ...selectorQuery,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
        }),
      },
    },
    async (request): Promise<Reply<typeof TelemetrySeriesSchema>[]> =>
      service.series(selectorOf(request.query), request.query.limit ?? 1000).map((entry) => ({
        series: entry.info.key,
        name: entry.info.name,
        labels: entry.info.labels,
        location: entry.info.location,
        timestamp: entry.timestamp ?? null,
        value: entry.value ?? null,
      })),
  );
}

/** Parquet export of stored series, and the collectors' and store's status. */
function registerExportAndStatus(scope: FastifyInstance, service: TelemetryService): void {
  scope.get<{ Querystring: SelectorParameters & { from?: string; to?: string } }>(
    "/v1/telemetry/export.parquet",
    {
      schema: {
        tags: ["telemetry"],
        operationId: "exportTelemetryParquet",
        summary: "Raw samples of selected series over a time range as a Parquet file (time, name, labels, value)",
        response: {
          200: {
            description: "A Parquet file; X-Alixan-Rows says how many samples it holds",
            content: {
              "application/vnd.apache.parquet": {
                schema: Type.String({ contentMediaType: "application/vnd.apache.parquet" }),
              },
            },
          },
        },
        querystring: Type.Object({
          ...selectorQuery,
          from: timeText(),
          to: timeText(),
        }),
      },
    },
    async (request, reply) => {
      const now = Date.now();
      const to = request.query.to === undefined ? now : parseTime(request.query.to, now);
      const from = request.query.from === undefined ? (to ?? now) - 86_400_000 : parseTime(request.query.from, now);
      if (from === undefined) return invalidTime(reply, "from", request.query.from);
      if (to === undefined) return invalidTime(reply, "to", request.query.to);
      const folder = await mkdtemp(join(tmpdir(), "alixan-export-"));
      const path = join(folder, "samples.parquet");
      const exported = await service.exportParquet(selectorOf(request.query), from, to, path);
      if (!exported.ok) {
        await rm(folder, { recursive: true, force: true });
        return problem(reply, 500, "Export failed", exported.problem);
      }
      const body = await readFile(path);
      await rm(folder, { recursive: true, force: true });
      return reply
        .type("application/vnd.apache.parquet")
        .header("content-disposition", 'attachment; filename="alixan-samples.parquet"')
        .header("x-alixan-rows", String(exported.value))
        .send(body);
    },
  );

  scope.get(
    "/v1/telemetry/status",
    {
      schema: {
        tags: ["telemetry"],
        operationId: "getTelemetryStatus",
        summary: "Pollers, scrapes, queues",
        response: { 200: TelemetryStatusSchema },
      },
    },
    async (): Promise<Reply<typeof TelemetryStatusSchema>> => service.status(),
  );
}

/** `GET /v1/telemetry/stream`: samples (and alarm changes) as they arrive, as server-sent events. */
function registerTelemetryStream(scope: FastifyInstance, service: TelemetryService, heartbeatMs: number): void {
  scope.get<{ Querystring: SelectorParameters & { alarms?: boolean } }>(
    "/v1/telemetry/stream",
    {
      // EventSource cannot send headers: this stream may take the key as `?access_token=`.
      config: { urlToken: true },
      schema: {
        tags: ["telemetry"],
        operationId: "streamTelemetry",
        summary: "Server-sent events: `samples` of the selected series and `alarm` changes",
        response: {
          200: {
            description:
              "An event stream: `samples` events carry query frames, `alarm` events an alarm event (GET /v1/alarms/history items); comments keep it alive",
            content: { "text/event-stream": { schema: Type.String() } },
          },
        },
        querystring: Type.Object({ ...selectorQuery, alarms: Type.Optional(Type.Boolean({ default: true })) }),
      },
    },
    async (request, reply) => {
      const selector = selectorOf(request.query);
      const wantsSamples = Object.keys(selector).length > 0;
      let sequence = 0;
      let stream: EventStream | undefined;
      const write = (message: StreamMessage): void => {
        sequence++;
        stream?.write(
          formatSse(
            message.type,
            JSON.stringify(message.type === "alarm" ? message.event : message.frames),
            String(sequence),
          ),
        );
      };
      const subscribed = service.subscribe(
        { alarms: request.query.alarms ?? true, ...(wantsSamples ? { selector } : {}) },
        write,
      );
      if (!subscribed.ok)
        return problem(reply, 400, "Selection too wide", subscribed.problem, queryField(subscribed.problem));
      let heartbeat: NodeJS.Timeout | undefined;
      try {
        stream = openEventStream(
          request,
          reply,
          { "content-type": "text/event-stream; charset=utf-8", "x-accel-buffering": "no" },
          () => {
            clearInterval(heartbeat);
            subscribed.value();
          },
        );
      } catch (error) {
        subscribed.value();
        throw error;
      }
      const opened = stream;
      // A HEAD request's stream is closed at once: no heartbeat would ever be cleared for it.
      if (!opened.write(": connected\n\n")) return reply;
      heartbeat = setInterval(() => opened.write(": keep-alive\n\n"), heartbeatMs);
      return reply;
    },
  );
}

/** Active alarms, their history and one alarm. */
function registerAlarmReads(scope: FastifyInstance, service: TelemetryService): void {
  scope.get<{
    Querystring: {
      state?: "active" | "cleared" | "all";
      severity?: Severity;
      equipment?: string;
      row?: string;
      hall?: string;
      limit?: number;
      cursor?: string;
    };
  }>(
    "/v1/alarms",
    {
      schema: {
        tags: ["alarms"],
        operationId: "listAlarms",
        response: { 200: Type.Array(AlarmSchema) },
        summary:
          "Alarms, most severe and newest first, filtered by state, severity, equipment, row and hall; X-Total-Count and X-Next-Cursor page through them (200 a page unless `limit` says)",
        querystring: Type.Object(
          {
            state: Type.Optional(oneOf(["active", "cleared", "all"] as const)),
            severity: Type.Optional(oneOf(severities)),
            equipment: Type.Optional(Type.String({ maxLength: 200 })),
            row: Type.Optional(Type.String({ maxLength: 200 })),
            hall: Type.Optional(Type.String({ maxLength: 200 })),
            ...pagingQuery,
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const query = request.query;
      const filter: AlarmFilter = {
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.severity === undefined ? {} : { minimumSeverity: query.severity }),
        ...(query.equipment === undefined ? {} : { equipment: query.equipment }),
        ...(query.row === undefined ? {} : { row: query.row }),
        ...(query.hall === undefined ? {} : { hall: query.hall }),
      };
      // Most severe, newest, then by id: a total order, so a cursor names one place in it.
      const key = (alarm: Alarm) => [-severities.indexOf(alarm.severity), -alarm.raisedAt, alarm.id] as const;
      const alarms = service.alarms.list(filter).sort((a, b) => compareKeys(key(a), key(b)));
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, ["n", "n", "s"] as const);
      const { page, total, next } = pageSorted(alarms, key, "asc", query.limit ?? 200, after);
      pageHeaders(reply, total, next);
      return page;
    },
  );

  scope.get<{ Querystring: { from?: string; to?: string; limit?: number; alarm?: string } }>(
    "/v1/alarms/history",
    {
      schema: {
        tags: ["alarms"],
        operationId: "listAlarmEvents",
        summary: "Alarm events (raised, escalated, acknowledged, shelved, cleared…), newest first",
        response: { 200: Type.Array(AlarmEventSchema) },
        querystring: Type.Object({
          from: timeText(),
          to: timeText(),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          alarm: Type.Optional(Type.String({ maxLength: 200 })),
        }),
      },
    },
    async (request, reply) => {
      const now = Date.now();
      const to = request.query.to === undefined ? now + 1 : parseTime(request.query.to, now);
      const from = request.query.from === undefined ? 0 : parseTime(request.query.from, now);
      if (from === undefined) return invalidTime(reply, "from", request.query.from);
      if (to === undefined) return invalidTime(reply, "to", request.query.to);
      const events = await service.alarmHistory(from, to, request.query.limit ?? 500, request.query.alarm);
      return events.map((event) => ({ at: event.at, type: event.type, alarmId: event.alarmId, alarm: event.alarm }));
    },
  );

  scope.get<{ Params: { id: string } }>(
    "/v1/alarms/:id",
    {
      schema: {
        tags: ["alarms"],
        operationId: "getAlarm",
        ...problems(404),
        summary: "One alarm, active or cleared",
        params: Type.Object({ id: Type.String() }),
        response: { 200: AlarmSchema },
      },
    },
    async (request, reply) => {
      const alarm = service.alarms.get(request.params.id);
      return alarm ?? problem(reply, 404, "Not found", `no alarm ${request.params.id}`);
    },
  );
}

/** Who acts on an alarm: the caller's user (from the platform's authentication) or the body's `user`. */
type AlarmUserOf = (request: FastifyRequest, body: { user?: string } | undefined) => string | undefined;

/** Acknowledge, shelve and unshelve an alarm (each recorded through `options.recordAlarmAction`). */
function registerAlarmActions(
  scope: FastifyInstance,
  service: TelemetryService,
  options: TelemetryRouteOptions,
  userOf: AlarmUserOf,
): void {
  const actionBody = Type.Object({
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  });
  const actionReply = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: Omit<AlarmAction, "after">,
    result: Awaited<ReturnType<TelemetryService["acknowledge"]>>,
  ) => {
    const id = action.alarmId;
    if (result.ok) {
      await options.recordAlarmAction?.(request, { ...action, after: actionState(result.value)! });
      return reply.send(result.value);
    }
    return problem(reply, service.alarms.get(id) === undefined ? 404 : 409, "Cannot change the alarm", result.problem);
  };

  /** An action that takes only who acts and a comment: acknowledge, unshelve. */
  const simpleAction = (
    action: "acknowledge" | "unshelve",
    operationId: string,
    summary: string,
    run: (id: string, user: string, comment: string | undefined) => ReturnType<TelemetryService["acknowledge"]>,
  ) =>
    scope.post<{ Params: { id: string }; Body: { user?: string; comment?: string } | undefined }>(
      `/v1/alarms/:id/${action}`,
      {
        schema: {
          tags: ["alarms"],
          operationId,
          ...problems(404, 409),
          summary,
          response: { 200: AlarmSchema },
          params: Type.Object({ id: Type.String() }),
          // No body at all stays valid (an action needs no comment).
          body: Type.Union([actionBody, Type.Null()]),
        },
      },
      async (request, reply) => {
        const user = userOf(request, request.body);
        if (user === undefined)
          return problem(reply, 400, "Invalid request", `user: who ${action}s is required`, "body.user");
        const id = request.params.id;
        const before = actionState(service.alarms.get(id));
        const comment = request.body?.comment;
        return actionReply(
          request,
          reply,
          { action, alarmId: id, user, comment, before },
          await run(id, user, comment),
        );
      },
    );

  simpleAction(
    "acknowledge",
    "acknowledgeAlarm",
    "Acknowledge an alarm (a fresh acknowledgement is asked after an escalation)",
    (id, user, comment) => service.acknowledge(id, user, comment),
  );

  scope.post<{
    Params: { id: string };
    Body: { user?: string; comment?: string; minutes?: number; until?: string };
  }>(
    "/v1/alarms/:id/shelve",
    {
      schema: {
        tags: ["alarms"],
        operationId: "shelveAlarm",
        ...problems(404, 409),
        summary: "Shelve an alarm for some minutes or until a time: hidden from notifications",
        response: { 200: AlarmSchema },
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({
          ...actionBody.properties,
          // No upper bound here: the alarm book refuses a shelving past its limit (24 h by default), a 409 naming it.
          minutes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          until: Type.Optional(Type.String({ maxLength: 64, description: "RFC 3339 end of the shelving" })),
        }),
      },
    },
    async (request, reply) => {
      const user = userOf(request, request.body);
      if (user === undefined)
        return problem(reply, 400, "Invalid request", "user: who shelves is required", "body.user");
      const now = Date.now();
      const until =
        request.body.until !== undefined
          ? parseTime(request.body.until, now)
          : request.body.minutes !== undefined
            ? now + request.body.minutes * 60_000
            : undefined;
      if (until === undefined)
        return problem(
          reply,
          400,
          "Invalid request",
          "give minutes or until (RFC 3339) for the shelving",
          request.body.until === undefined ? "body.minutes" : "body.until",
        );
      const id = request.params.id;
      const before = actionState(service.alarms.get(id));
      const comment = request.body.comment;
      return actionReply(
        request,
        reply,
        { action: "shelve", alarmId: id, user, comment, until, before },
        await service.shelve(id, user, until, comment),
      );
    },
  );

  // The comment goes to the action's record; unshelving keeps none on the alarm.
  simpleAction("unshelve", "unshelveAlarm", "Bring a shelved alarm back", (id, user) => service.unshelve(id, user));
}

/** `GET /metrics`: the platform's own metrics and the latest facility samples, as Prometheus text. */
function registerMetricsExposition(scope: FastifyInstance, service: TelemetryService): void {
  scope.get<{ Querystring: { name?: string[] } }>(
    "/metrics",
    {
      schema: {
        tags: ["telemetry"],
        operationId: "getMetrics",
        summary: "Prometheus exposition: platform metrics and the latest facility samples",
        response: {
          200: {
            description: "Prometheus text exposition format 0.0.4",
            content: { "text/plain": { schema: Type.String() } },
          },
        },
        querystring: Type.Object({ name: selectorQuery.name }),
      },
    },
    async (request, reply) => {
      // The server's process, HTTP and scheduler families first, when the server provides them.
      const leading = scope.hasDecorator("platformMetrics") ? scope.platformMetrics() : [];
      const metrics = service.renderMetrics(request.query.name, leading);
      return reply.type(metrics.contentType).send(metrics.body);
    },
  );
}

/** Registers the telemetry and alarm routes in their own encapsulated context. */
export function registerTelemetryRoutes(
  app: FastifyInstance,
  service: TelemetryService,
  options: TelemetryRouteOptions = {},
): void {
  const bodyLimit = options.bodyLimit ?? 64 * 1024 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const userOf: AlarmUserOf = (request, body) => options.userOf?.(request) ?? body?.user;

  app.register(async (scope) => {
    // The API's handler: validation errors name their fields, unexpected ones are logged and not exposed.
    scope.setErrorHandler(problemHandler);
    // Line protocol and exposition text arrive as text/plain, or with no or any other type from some agents.
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit }, (_request, body, done) => done(null, body));
    const compressedLimit = Math.min(options.compressedLimit ?? defaultCompressedLimit, bodyLimit);
    // In the order the routes were registered before this split, so the OpenAPI document reads the same.
    registerPushIngest(scope, service, { bodyLimit, compressedLimit });
    registerSeriesReads(scope, service);
    registerExportAndStatus(scope, service);
    registerTelemetryStream(scope, service, heartbeatMs);
    registerAlarmReads(scope, service);
    registerAlarmActions(scope, service, options, userOf);
    registerMetricsExposition(scope, service);
  });
}
