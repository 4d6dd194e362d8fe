/**
 * No single request takes the platform down: a student (and, for staff-only routes, an operator) sends each abusive
 * request of issue 14 ten times against the running platform; every one is answered with a clear 4xx, the server
 * stays up, its memory grows less than 50 MB and `/health` keeps answering (its 100 ms p99 target is judged by
 * `npm run bench:abuse`, which runs this file alone).
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import { type ApiAnswer, callApi } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

const maxQueuedPerTenant = 25;
let app: ComposedApp;
let jobs: ReturnType<typeof platformFeatures>["jobs"];
let url: string;
let student: string;
let operator: string;

function call(method: string, path: string, key: string, body?: unknown) {
  return callApi(url, method, path, key, body);
}

/** Asserts a problem answer with `status` whose detail or field names `field`. */
function assertProblem(answer: ApiAnswer, status: number, field?: string) {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.type, /application\/problem\+json/);
  assert.equal(answer.body.stack, undefined);
  if (field !== undefined) {
    const fields = [answer.body.field, ...(answer.body.errors ?? []).map((e: Json) => e.field)];
    assert.ok(fields.includes(field), `expected field ${field} in ${JSON.stringify(answer.body)}`);
  }
}

/** Opens an event stream on a raw socket that never reads; resolves with the status line. */
function stalledStream(path: string, key: string): Promise<{ socket: Socket; status: number }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("error", reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n\r\n`);
    socket.once("data", (chunk) => {
      socket.pause();
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString())?.[1] ?? 0) });
    });
  });
}

before(async () => {
  const platform = platformFeatures({ speed: 60, telemetryInMemory: true, maxQueuedPerTenant, demoLoad: 0 });
  jobs = platform.jobs;
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: platform.features,
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  student = app.demoKeys!.find((key) => key.role === "student")!.token;
  operator = app.demoKeys!.find((key) => key.role === "facility-operator")!.token;
});
after(async () => {
  await app.close();
});

describe("abusive requests", () => {
  it("are each refused ten times while the server stays up, small and responsive", async () => {
    const projects = await call("GET", "/v1/projects", student);
    const projectId = projects.body[0].id as string;
    const inventory = jobs.engine()!.generation.inventory;
    let largestNode = 0;
    for (let node = 0; node < inventory.nodeCount; node++)
      largestNode = Math.max(largestNode, inventory.nodeGpuCount[node]!);
    // A job asking every GPU of the site: the first may run, every other one waits.
    const wholeSite = {
      projectId,
      name: "whole-site",
      gpus: largestNode,
      gang: Math.floor(inventory.gpuCount / largestNode),
      durationS: 86_400,
      dataClass: "public",
    };
    // Fill the student's tenant up to its cap of waiting jobs before measuring.
    let waiting = 0;
    for (let i = 0; waiting < maxQueuedPerTenant && i < 2 * maxQueuedPerTenant; i++) {
      const answer = await call("POST", "/v1/jobs", student, wholeSite);
      assert.ok(answer.status === 201 || answer.status === 202, JSON.stringify(answer.body));
      if (answer.body.state === "queued") waiting++;
    }
    assert.equal(waiting, maxQueuedPerTenant);

    const latencies: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const started = performance.now();
        const health = await fetch(`${url}/health`);
        await health.arrayBuffer();
        assert.equal(health.status, 200);
        latencies.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const recordsBefore = jobs.engine()!.records.size;
    const streams: Socket[] = [];
    try {
      for (let round = 0; round < 10; round++) {
        const usage = await call("GET", "/v1/usage?from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z", student);
        assertProblem(usage, 400, "querystring.from");
        assertProblem(await call("POST", "/v1/jobs", student, { ...wholeSite, gpus: 100_000, gang: 10_000 }), 400);
        assertProblem(
          await call("POST", "/v1/jobs", student, { ...wholeSite, gpus: 1, gang: 10_000 }),
          400,
          "body.gang",
        );
        assertProblem(await call("POST", "/v1/jobs", student, { ...wholeSite, gpus: 100_000 }), 400);
        assertProblem(await call("POST", "/v1/jobs", student, wholeSite), 429);
        const key = await call("POST", "/v1/keys", student, { name: `abuse-${round}` });
        assert.ok(key.status === 201 || key.status === 409, JSON.stringify(key.body));
        const bad = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer alx_${"0".repeat(40)}` } });
        await bad.arrayBuffer();
        assert.ok(bad.status === 401 || bad.status === 429, `bad key answered ${bad.status}`);
        assertProblem(await call("GET", "/v1/state/stream", student), 403);
        assertProblem(
          await call("POST", "/v1/telemetry/samples", student, { samples: [{ name: "x", value: 1 }] }),
          403,
        );
        // An operator opening streams it never reads: the ninth and later are refused.
        const stream = await stalledStream("/v1/state/stream", operator);
        if (streams.length < 8) assert.equal(stream.status, 200);
        else assert.equal(stream.status, 429);
        streams.push(stream.socket);
      }
      // Keys: after the cap, a student's new keys are refused with 409 naming the limit.
      let refused = 0;
      for (let i = 0; i < 25; i++) {
        const key = await call("POST", "/v1/keys", student, { name: `more-${i}` });
        if (key.status === 409) refused++;
        else assert.equal(key.status, 201);
      }
      assert.ok(refused >= 10, `only ${refused} key creations were refused`);
      // Refused jobs are neither stored nor kept in memory.
      assert.equal(jobs.engine()!.records.size, recordsBefore);
      await new Promise((r) => setTimeout(r, 2_000));
      global.gc?.();
      const grownMB = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
      console.log(
        `# abuse: memory grew ${grownMB.toFixed(1)} MB; /health p99 ${p99.toFixed(1)} ms over ${latencies.length} probes`,
      );
      assert.ok(grownMB < 50, `memory grew ${grownMB.toFixed(1)} MB`);
      // The 100 ms target is judged by `npm run bench:abuse` on a quiet machine; here, with other test files running
      // beside it, the server must only keep answering its liveness probe promptly.
      assert.ok(p99 < 1_000, `/health p99 ${p99.toFixed(1)} ms`);
    } finally {
      polling = false;
      await poller;
      for (const socket of streams) socket.destroy();
    }
    assert.equal((await fetch(`${url}/health`)).status, 200);
  });
  it("counts a key against the cap whatever offset its expiry is written with", async () => {
    const member = app.demoKeys!.find((key) => key.role === "tenant-member")!.token;
    // An hour ahead, written at UTC-23:00: its digits read 22 hours before now, so as text it sorted before now.
    const expiresAt = `${new Date(Date.now() - 22 * 3_600_000).toISOString().slice(0, 19)}-23:00`;
    let refused = 0;
    for (let i = 0; i < 25; i++) {
      const key = await call("POST", "/v1/keys", member, { name: `offset-${i}`, expiresAt });
      if (key.status === 409) {
        refused++;
        assertProblem(key, 409, "body.userId");
        continue;
      }
      assert.equal(key.status, 201, JSON.stringify(key.body));
      assert.equal(key.body.key.expiresAt, new Date(expiresAt).toISOString(), "stored in UTC");
      assert.equal((await call("GET", "/v1/me", key.body.token)).status, 200, "the key works until its expiry");
    }
    assert.ok(refused >= 5, `only ${refused} of 25 creations were refused`);
  });
  it("ends an open event stream once its key expires or is revoked", async () => {
    /** Opens the live stream with `token` and resolves with how it ended (or rejects after 15 s). */
    const streamUntilEnd = async (token: string) => {
      const response = await fetch(`${url}/v1/state/stream`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      let text = "";
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      throw new Error("the stream outlived its key");
    };
    const expiring = await call("POST", "/v1/keys", operator, {
      name: "short-lived",
      expiresAt: new Date(Date.now() + 3_000).toISOString(),
    });
    assert.equal(expiring.status, 201);
    const ended = await streamUntilEnd(expiring.body.token);
    assert.match(ended, /event: site/);
    assert.match(ended, /event: end\ndata: \{"reason":"the API key expired or was revoked"\}/);

    const revocable = await call("POST", "/v1/keys", operator, { name: "to-revoke" });
    const stream = streamUntilEnd(revocable.body.token);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await call("DELETE", `/v1/keys/${revocable.body.key.id}`, operator)).status, 200);
    assert.match(await stream, /event: end/);
  });
});
