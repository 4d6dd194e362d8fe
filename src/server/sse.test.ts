import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { maxBufferedBytes, maxStreamsPerCaller, openEventStream } from "./sse.ts";

describe("event streams", () => {
  it("close a client that stops reading once its unsent frames pass the buffer limit", async () => {
    const app = Fastify();
    let closedAfterBytes: number | undefined;
    let written = 0;
    app.get("/stream", async (request, reply) => {
      const frame = `data: ${"x".repeat(64 * 1024)}\n\n`;
      let timer: NodeJS.Timeout | undefined;
      const stream = openEventStream(request, reply, { "content-type": "text/event-stream" }, () => {
        clearInterval(timer);
        closedAfterBytes = written;
      });
      timer = setInterval(() => {
        for (let i = 0; i < 16; i++) if (stream.write(frame)) written += frame.length;
      }, 5);
      return reply;
    });
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = new URL(address);
    // A client that sends its request and then never reads a byte.
    const socket = connect(Number(port), "127.0.0.1");
    socket.write("GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    socket.pause();
    try {
      const deadline = Date.now() + 20_000;
      while (closedAfterBytes === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(closedAfterBytes !== undefined, "the stalled stream was never closed");
      // What was written is what the kernel's socket buffers took plus at most the limit and one burst of frames.
      assert.ok(
        closedAfterBytes < maxBufferedBytes + 32 * 1024 * 1024,
        `wrote ${closedAfterBytes} bytes before closing`,
      );
      const stillWriting = written;
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(written, stillWriting, "nothing more is written to a closed stream");
    } finally {
      socket.destroy();
      await app.close();
    }
  });

  it("answer HEAD with the headers and an end, holding no stream open", async () => {
    const app = Fastify();
    let opened = 0;
    let closed = 0;
    app.get("/stream", async (request, reply) => {
      opened++;
      const stream = openEventStream(request, reply, { "content-type": "text/event-stream" }, () => {
        closed++;
      });
      stream.write("data: hello\n\n");
      return reply;
    });
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = new URL(address);
    /** Sends HEAD /stream and resolves with all the server sent once it ends the answer (or after 2 s). */
    const head = () =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1");
        let received = "";
        const timer = setTimeout(() => {
          socket.destroy();
          resolve(received);
        }, 2_000);
        socket.on("data", (chunk) => {
          received += chunk.toString();
          // The answer's header block is complete: a HEAD answer has no body.
          if (received.includes("\r\n\r\n")) {
            clearTimeout(timer);
            socket.destroy();
            resolve(received);
          }
        });
        socket.write("HEAD /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
      });
    try {
      // More HEADs than one caller may hold streams: none is refused, as none stays open.
      for (let i = 0; i <= maxStreamsPerCaller; i++) {
        const answer = await head();
        assert.match(answer, /^HTTP\/1\.1 200 /, `HEAD ${i} answered ${JSON.stringify(answer)}`);
        assert.match(answer, /content-type: text\/event-stream/i);
      }
      assert.equal(opened, maxStreamsPerCaller + 1);
      assert.equal(closed, opened, "every HEAD's stream is closed");
    } finally {
      await app.close();
    }
  });
});
