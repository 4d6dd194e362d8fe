/**
 * Server-sent event streams with bounded memory. A client that stops reading leaves every frame in the socket's
 * write buffer: the stream is closed once that buffer passes a limit, so a slow or stalled consumer costs at most
 * that much. A stream ends when its API key expires or is revoked, and when the server stops (an `end` event, so a
 * client reconnects to the next start rather than waiting on a dead socket). Each API key may hold only a few
 * streams at once (a console tab needs one or two).
 */
import type { Server } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";
import { answerSecurityHeaders } from "./hygiene.ts";

/** Bytes a stream may leave unsent before it is closed (a campus racks frame is ~0.5 MB; a few fit). */
export const maxBufferedBytes = 4 * 1024 * 1024;
/** How often an open stream re-checks its key: a key that expires or is revoked ends its streams within this. */
export const recheckKeyMs = 2_000;
/** Event streams one API key (or, without one, one address) may hold open at once. */
export const maxStreamsPerCaller = 8;

const openStreams = new Map<string, number>();
/** The streams open on each HTTP server, each as its ending, so closing the server ends them rather than waiting. */
const streamsByServer = new WeakMap<Server, Set<(reason: string) => void>>();

/**
 * Ends every event stream of `app`'s HTTP server when it starts to close. Without it a stream (a hijacked response
 * that never finishes) holds the server's close until the shutdown grace cuts every connection.
 */
export function registerEventStreamShutdown(app: FastifyInstance): void {
  app.addHook("preClose", async () => {
    const endings = streamsByServer.get(app.server);
    if (endings === undefined) return;
    for (const end of [...endings]) end("the server is stopping; reconnect once it is back");
  });
}

/** An open event stream. */
export interface EventStream {
  /** Writes raw SSE text; false (and the stream is closed) when the client has fallen too far behind. */
  write(text: string): boolean;
  /** Whether the stream was closed (by the client, the server or for slowness). */
  readonly closed: boolean;
}

/**
 * Hijacks `reply` as an event stream with `headers`; `onClose` runs once when it closes for any reason. Refuses with
 * 429 when the caller already holds `maxStreamsPerCaller` streams. A HEAD request gets the headers and a stream
 * that is already closed.
 */
export function openEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  streamHeaders: Record<string, string>,
  onClose: () => void,
): EventStream {
  // A hijacked reply skips the onSend hooks that give every other answer its request id and security headers.
  const headers = { ...answerSecurityHeaders, "x-request-id": request.id, ...streamHeaders };
  // HEAD gets the stream's headers and an end: Node drops the body of a HEAD answer without sending its headers, so
  // a stream opened for one answered nothing and held a stream slot (and its frames' work) until the client left.
  if (request.method === "HEAD") {
    reply.hijack();
    reply.raw.writeHead(200, { "cache-control": "no-cache", ...headers });
    reply.raw.end();
    onClose();
    return { write: () => false, closed: true };
  }
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
  const server = request.server.server;
  const endings = streamsByServer.get(server) ?? new Set<(reason: string) => void>();
  streamsByServer.set(server, endings);
  const close = () => {
    if (closed) return;
    closed = true;
    endings.delete(end);
    clearInterval(recheck);
    const left = (openStreams.get(caller) ?? 1) - 1;
    if (left <= 0) openStreams.delete(caller);
    else openStreams.set(caller, left);
    onClose();
  };
  /** Ends the stream with an `end` event saying why. */
  function end(reason: string): void {
    if (closed) return;
    reply.raw.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    close();
  }
  endings.add(end);
  request.raw.on("close", close);
  // A key checked once at connection would stream for ever: re-check it, and end the stream once it no longer holds.
  const stillAuthenticated = request.stillAuthenticated;
  if (stillAuthenticated !== null) {
    recheck = setInterval(() => {
      stillAuthenticated().then(
        (valid) => {
          if (!valid) end("the API key expired or was revoked");
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
