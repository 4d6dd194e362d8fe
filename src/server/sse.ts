/**
 * Server-sent event streams with bounded memory. A client that stops reading leaves every frame in the socket's
 * write buffer: the stream is closed once that buffer passes a limit, so a slow or stalled consumer costs at most
 * that much. A stream ends when its API key expires or is revoked. Each API key may hold only a few streams at once (a console tab needs one or two).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";

/** Bytes a stream may leave unsent before it is closed (a campus racks frame is ~0.5 MB; a few fit). */
export const maxBufferedBytes = 4 * 1024 * 1024;
/** How often an open stream re-checks its key: a key that expires or is revoked ends its streams within this. */
export const recheckKeyMs = 2_000;
/** Event streams one API key (or, without one, one address) may hold open at once. */
export const maxStreamsPerCaller = 8;

const openStreams = new Map<string, number>();

/** An open event stream. */
export interface EventStream {
  /** Writes raw SSE text; false (and the stream is closed) when the client has fallen too far behind. */
  write(text: string): boolean;
  /** Whether the stream was closed (by the client, the server or for slowness). */
  readonly closed: boolean;
}

/**
 * Hijacks `reply` as an event stream with `headers`; `onClose` runs once when it closes for any reason. Refuses with
 * 429 when the caller already holds `maxStreamsPerCaller` streams.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  headers: Record<string, string>,
  onClose: () => void,
): EventStream {
  const caller = request.principal?.keyId ?? request.ip;
  const open = openStreams.get(caller) ?? 0;
  if (open >= maxStreamsPerCaller) {
    throw new AppError("tooMany", `at most ${maxStreamsPerCaller} event streams per API key; close one first`);
  }
  openStreams.set(caller, open + 1);
  reply.hijack();
  reply.raw.writeHead(200, { "cache-control": "no-cache", connection: "keep-alive", ...headers });
  let closed = false;
  let recheck: NodeJS.Timeout | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(recheck);
    const left = (openStreams.get(caller) ?? 1) - 1;
    if (left <= 0) openStreams.delete(caller);
    else openStreams.set(caller, left);
    onClose();
  };
  request.raw.on("close", close);
  // A key checked once at connection would stream for ever: re-check it, and end the stream once it no longer holds.
  const stillAuthenticated = request.stillAuthenticated;
  if (stillAuthenticated !== null) {
    recheck = setInterval(() => {
      stillAuthenticated().then(
        (valid) => {
          if (valid || closed) return;
          reply.raw.end('event: end\ndata: {"reason":"the API key expired or was revoked"}\n\n');
          close();
        },
        () => {},
      );
    }, recheckKeyMs);
    recheck.unref();
  }
  return {
    write(text: string): boolean {
      if (closed) return false;
      if (reply.raw.writableLength > maxBufferedBytes) {
        // The client reads slower than frames come: drop it rather than buffer without bound. It may reconnect.
        reply.raw.destroy();
        close();
        return false;
      }
      reply.raw.write(text);
      return true;
    },
    get closed() {
      return closed;
    },
  };
}
