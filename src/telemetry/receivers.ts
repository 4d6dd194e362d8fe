/**
 * Write endpoints that collectors already speak, beside the platform's own ingest routes:
 *
 * - `POST /api/v1/write` — Prometheus remote-write 1.0: a snappy-compressed (block format) protobuf WriteRequest.
 *   Answers 204 when everything was taken; 400 (drop, do not retry) naming the problem otherwise; 429 and 503 ask
 *   the sender to retry, as the protocol specifies.
 * - `POST /write` — InfluxDB 1 line protocol (`db`, `rp` accepted and ignored: the platform has one store;
 *   `precision` n|ns|u|us|ms|s|m|h).
 * - `POST /api/v2/write` — InfluxDB 2 line protocol (`org`, `bucket` accepted and ignored; `precision` ns|us|ms|s).
 * - `POST /v1/telemetry/influx` — the platform's own line protocol route, which takes gzip bodies too.
 *
 * Influx bodies may be gzip-compressed (`Content-Encoding: gzip`, Telegraf's default). Bodies are bounded twice:
 * on the wire (`compressedLimit`) and once decompressed (`decompressedLimit`): a zip bomb is refused with 413 after
 * at most that many bytes were inflated, and inflating stops there. Gzip is undone while the body streams in
 * (a preParsing hook), so the decompressed text gets the same input hygiene as any other body. The Influx routes answer 204 on success like InfluxDB does, and
 * a problem+json 400 for a partial write (with what was accepted). Keys: a `telemetry-writer` key may call these
 * routes and nothing else; the Influx routes also take it as `Token <key>` or as the Basic password.
 */
import { PassThrough, pipeline, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingAsyncHookHandler } from "fastify";
import { uncompress as snappyUncompress } from "snappyjs";
import { Type } from "typebox";
import { AppError } from "../core/errors.ts";
import { problems, rawBody } from "../server/openapi.ts";
import { sendProblem } from "../server/problem.ts";
import { type Precision, precisions } from "./adapters/influx.ts";
import type { TelemetryService } from "./service.ts";
import type { IngestReport } from "./types.ts";

/** Limits of the receivers. */
export interface ReceiverOptions {
  /** Largest body on the wire (default 32 MiB). */
  readonly compressedLimit?: number;
  /** Largest body once decompressed (default 128 MiB). */
  readonly decompressedLimit?: number;
  /** Who pushes a request, for per-sender series limits. */
  readonly sourceOf: (request: FastifyRequest) => string;
}

/** Default limits. */
export const defaultCompressedLimit = 32 * 1024 * 1024;
export const defaultDecompressedLimit = 128 * 1024 * 1024;

/** InfluxDB 1 precisions and what they mean here. */
const influx1Precisions: Readonly<Record<string, Precision>> = {
  n: "ns",
  ns: "ns",
  u: "us",
  us: "us",
  µ: "us",
  ms: "ms",
  s: "s",
  m: "m",
  h: "h",
};

/**
 * Answers a batch refused whole at a per-source limit (limits.ts): 413 when it can never pass as sent, 429 with
 * Retry-After when it can later. The problem names the limit (`limit`), as configured under `limits:`.
 */
export function sendLimitRefusal(reply: FastifyReply, report: IngestReport) {
  const refusal = report.limit!;
  if (refusal.retryAfterSeconds !== undefined) reply.header("retry-after", String(refusal.retryAfterSeconds));
  return sendProblem(reply, refusal.status, `${refusal.limit}: ${refusal.problem}`, {
    title: refusal.status === 413 ? "Batch too large for this source" : "Source rate limit reached",
    members: {
      limit: refusal.limit,
      ...(refusal.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: refusal.retryAfterSeconds }),
      accepted: 0,
    },
  });
}

function formatRejection(rejection: IngestReport["rejected"][number]): string {
  return `${rejection.line === undefined ? "" : `line ${rejection.line}: `}${rejection.path}: ${rejection.problem}`;
}

/** The answer of a collector write that took everything: no body, as collectors expect. */
const noContent = { type: "null", description: "Every sample was taken" } as const;

/**
 * Answers an ingest report the way collectors understand: 204 when all was taken, 429 past a series limit or the
 * source's sample rate, 413 for a batch larger than a source may send, 503 when
 * not durable (retry), 400 naming the first problem otherwise (with what was accepted, in `accepted`).
 */
function collectorReply(reply: FastifyReply, report: IngestReport) {
  if (report.limit !== undefined) return sendLimitRefusal(reply, report);
  if (report.seriesLimited !== undefined && report.seriesLimited > 0) {
    return sendProblem(
      reply,
      429,
      `${report.seriesLimited} inputs would create series past the limit; samples of known series were accepted (${report.accepted})`,
      { title: "Series limit reached", members: { ...report } },
    );
  }
  const batch = report.rejected.find((rejection) => rejection.path === "batch");
  if (report.accepted === 0 && batch !== undefined) {
    return sendProblem(reply, 503, batch.problem, { title: "Not stored" });
  }
  if (report.rejectedCount > 0) {
    const what = report.accepted === 0 ? `all ${report.rejectedCount} inputs were rejected` : "partial write";
    return sendProblem(
      reply,
      400,
      `${what} (${report.accepted} samples accepted, ${report.rejectedCount} inputs rejected); the first: ${formatRejection(report.rejected[0]!)}`,
      { title: report.accepted === 0 ? "Nothing accepted" : "Partial write", members: { ...report } },
    );
  }
  return reply.code(204).send();
}

/** Counts bytes through it and fails past `limit` (with the problem `problem` gives). */
function byteLimit(limit: number, problem: () => AppError, onCount?: (count: number) => void): Transform {
  let count = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      onCount?.(count);
      if (count > limit) callback(problem());
      else callback(null, chunk);
    },
  });
}

/** The content codings `gunzipBodies` undoes: its routes say so in their `contentEncodings` (server/hygiene.ts). */
export const gzipEncodings: readonly string[] = ["gzip", "x-gzip"];

/**
 * A preParsing hook that undoes `Content-Encoding: gzip` as the body streams in, bounded on the wire by
 * `compressedLimit` and once inflated by `decompressedLimit` (inflating stops there: no zip bomb runs to its end).
 * Bodies without an encoding pass untouched; other encodings are refused with 415.
 */
export function gunzipBodies(compressedLimit: number, decompressedLimit: number): preParsingAsyncHookHandler {
  return async (request, _reply, payload) => {
    const encoding = (request.headers["content-encoding"] ?? "identity").toLowerCase().trim();
    if (encoding === "identity" || encoding === "") return payload;
    if (!gzipEncodings.includes(encoding)) {
      throw new AppError("unsupportedMediaType", `content-encoding ${encoding} is not supported: send gzip or none`, {
        field: "headers.content-encoding",
      });
    }
    const output = new PassThrough() as PassThrough & { receivedEncodedLength: number };
    output.receivedEncodedLength = 0;
    const wire = byteLimit(
      compressedLimit,
      () => new AppError("tooLarge", `more than ${compressedLimit} bytes compressed`, { field: "body" }),
      (count) => {
        output.receivedEncodedLength = count;
      },
    );
    const inflated = byteLimit(
      decompressedLimit,
      () => new AppError("tooLarge", `more than ${decompressedLimit} bytes once decompressed`, { field: "body" }),
    );
    const gunzip = createGunzip();
    // The output stays out of the pipeline: a pipeline would fail it with zlib's bare error before the callback
    // could name the problem.
    inflated.pipe(output);
    pipeline(payload, wire, gunzip, inflated, (error) => {
      if (error === undefined || error === null) return;
      output.destroy(
        error instanceof AppError
          ? error
          : new AppError("invalid", `not valid gzip (${error.message})`, { field: "body", cause: error }),
      );
    });
    return output;
  };
}

/** The protobuf of a remote-write request: the snappy block decompressed within the limit. */
function remoteWriteBytes(request: FastifyRequest, decompressedLimit: number): Uint8Array {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new AppError("invalid", "empty: send a snappy-compressed WriteRequest", { field: "body" });
  }
  const encoding = (request.headers["content-encoding"] ?? "snappy").toLowerCase().trim();
  if (encoding !== "snappy") {
    throw new AppError("unsupportedMediaType", `${encoding}: remote-write 1.0 bodies are snappy-compressed`, {
      field: "headers.content-encoding",
    });
  }
  const version = request.headers["x-prometheus-remote-write-version"];
  if (typeof version === "string" && !version.startsWith("0.1.")) {
    throw new AppError("unsupportedMediaType", `${version} is not supported (0.1.0 is)`, {
      field: "headers.x-prometheus-remote-write-version",
    });
  }
  try {
    return snappyUncompress(body, decompressedLimit);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    if (/too big/i.test(message)) {
      throw new AppError("tooLarge", `more than ${decompressedLimit} bytes once decompressed`, { field: "body" });
    }
    throw new AppError("invalid", `not a snappy block (${message})`, { field: "body", cause });
  }
}

/**
 * Registers the Influx-compatible routes on a scope that parses bodies as text (the telemetry routes' scope), and
 * remote-write in a child scope that keeps them as bytes.
 */
export function registerReceiverRoutes(
  app: FastifyInstance,
  service: TelemetryService,
  options: ReceiverOptions,
): void {
  const compressedLimit = options.compressedLimit ?? defaultCompressedLimit;
  const decompressedLimit = options.decompressedLimit ?? defaultDecompressedLimit;
  const influxRoute = {
    bodyLimit: decompressedLimit,
    preParsing: gunzipBodies(compressedLimit, decompressedLimit),
    config: { collectorAuth: true, contentEncodings: gzipEncodings },
  };

  app.post<{ Querystring: { db?: string; rp?: string; precision?: string }; Body: string }>(
    "/write",
    {
      ...influxRoute,
      schema: {
        tags: ["telemetry"],
        operationId: "writeInflux1",
        ...problems(503),
        ...rawBody("Influx line protocol, gzip accepted (Content-Encoding: gzip)", ["text/plain"]),
        summary: "InfluxDB 1 line protocol write (gzip accepted)",
        response: { 204: noContent },
        querystring: Type.Object({
          db: Type.Optional(Type.String({ maxLength: 200 })),
          rp: Type.Optional(Type.String({ maxLength: 200 })),
          precision: Type.Optional(
            Type.String({ maxLength: 8, description: "n, ns, u, us, ms, s, m or h (default ns)" }),
          ),
        }),
      },
    },
    async (request, reply) => {
      const given = request.query.precision ?? "ns";
      const precision = influx1Precisions[given];
      if (precision === undefined) {
        throw new AppError("invalid", `${given} is not one of n, ns, u, us, ms, s, m, h`, {
          field: "querystring.precision",
        });
      }
      const text = influxBody(request.body);
      return collectorReply(reply, await service.ingestInflux(text, precision, options.sourceOf(request)));
    },
  );

  app.post<{ Querystring: { org?: string; bucket?: string; precision?: (typeof precisions)[number] }; Body: string }>(
    "/api/v2/write",
    {
      ...influxRoute,
      schema: {
        tags: ["telemetry"],
        operationId: "writeInflux2",
        ...problems(503),
        ...rawBody("Influx line protocol, gzip accepted (Content-Encoding: gzip)", ["text/plain"]),
        summary: "InfluxDB 2 line protocol write (gzip accepted)",
        response: { 204: noContent },
        querystring: Type.Object({
          org: Type.Optional(Type.String({ maxLength: 200 })),
          orgID: Type.Optional(Type.String({ maxLength: 200 })),
          bucket: Type.Optional(Type.String({ maxLength: 200 })),
          precision: Type.Optional(Type.Unsafe<(typeof precisions)[number]>({ type: "string", enum: [...precisions] })),
        }),
      },
    },
    async (request, reply) => {
      const text = influxBody(request.body);
      const precision = request.query.precision ?? "ns";
      return collectorReply(reply, await service.ingestInflux(text, precision, options.sourceOf(request)));
    },
  );

  app.register(async (binary) => {
    binary.removeAllContentTypeParsers();
    binary.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: compressedLimit }, (_request, body, done) =>
      done(null, body),
    );
    binary.post(
      "/api/v1/write",
      {
        bodyLimit: compressedLimit,
        // Its bodies are snappy blocks, with or without the header saying so (remoteWriteBytes checks which).
        config: { contentEncodings: ["snappy"] },
        schema: {
          tags: ["telemetry"],
          operationId: "remoteWrite",
          ...problems(503),
          ...rawBody("A snappy-compressed protobuf WriteRequest (Prometheus remote-write 1.0)", [
            "application/x-protobuf",
          ]),
          summary: "Prometheus remote-write 1.0 (snappy protobuf WriteRequest)",
          response: { 204: noContent },
        },
      },
      async (request, reply) => {
        const bytes = remoteWriteBytes(request, decompressedLimit);
        return collectorReply(reply, await service.ingestRemoteWrite(bytes, options.sourceOf(request)));
      },
    );
  });
}

/** The text of an Influx body (the scope's parser gives strings; an absent body is an empty write). */
function influxBody(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body !== "string") {
    throw new AppError("unsupportedMediaType", "send line protocol as text", { field: "body" });
  }
  return body;
}
