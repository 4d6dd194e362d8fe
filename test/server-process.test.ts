/**
 * The platform as a process: graceful SIGTERM loses no write, kill -9 during writes loses no acknowledged write and
 * the store reopens, a SIGTERM during the start stops it cleanly, a client that never finishes its request or never
 * stops reading a stream cannot hold the stop, and `alixan audit verify` catches a tampered record.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { sql } from "kysely";
import { disableAuditProtection } from "../src/store/audit.ts";
import { openStore } from "../src/store/database.ts";
import { type ServeProcess, spawnServe, startServe } from "./support/serve.ts";
import { until } from "./support/wait.ts";

const root = join(import.meta.dirname, "..");
const directories: string[] = [];
after(() => {
  for (const directory of directories) {
    rmSync(directory, { recursive: true, force: true });
    rmSync(`${directory}.audit`, { recursive: true, force: true });
  }
});

interface Running extends ServeProcess {
  adminKey: string;
  exited: Promise<number | null>;
}

async function startServer(dataDir: string, extra: readonly string[] = []): Promise<Running> {
  const running = await startServe(["--site", "lab", "--data-dir", dataDir, ...extra]);
  const exited = new Promise<number | null>((resolve) => running.child.once("exit", (code) => resolve(code)));
  const keys = JSON.parse(readFileSync(join(dataDir, "demo-keys.json"), "utf8")) as { role: string; token: string }[];
  return { ...running, adminKey: keys.find((key) => key.role === "platform-admin")!.token, exited };
}

/** Posts projects as fast as it can until stopped; returns the names the server acknowledged (201). */
function writeUntilStopped(server: Running) {
  const acknowledged: string[] = [];
  let stopped = false;
  let counter = 0;
  const worker = async () => {
    while (!stopped) {
      const name = `p-${counter++}`;
      try {
        const response = await fetch(`${server.url}/v1/projects`, {
          method: "POST",
          headers: { authorization: `Bearer ${server.adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ tenantId: "valdiag", name }),
        });
        if (response.status === 201) acknowledged.push(name);
        else await response.arrayBuffer();
      } catch {
        // The server went away mid-request: that write was never acknowledged.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  return {
    acknowledged,
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}

async function projectNames(url: string, key: string): Promise<Set<string>> {
  const response = await fetch(`${url}/v1/projects?tenantId=valdiag`, { headers: { authorization: `Bearer ${key}` } });
  return new Set(((await response.json()) as { name: string }[]).map((project) => project.name));
}

describe("platform process", () => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`${signal} during writes loses no acknowledged write and the store reopens`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "alixan-process-"));
      directories.push(dataDir);
      const server = await startServer(dataDir);
      // The audit key and checkpoint sit beside the data directory, and the start-up says where.
      assert.ok(server.output().includes(`audit   key ${dataDir}.audit/key, checkpoint ${dataDir}.audit/head.log`));
      assert.equal(statSync(`${dataDir}.audit/key`).mode & 0o777, 0o600);
      const writer = writeUntilStopped(server);
      await until("30 acknowledged writes", () => (writer.acknowledged.length >= 30 ? true : undefined), 120_000, 20);
      server.child.kill(signal);
      const code = await server.exited;
      await writer.stop();
      if (signal === "SIGTERM") {
        assert.equal(code, 0, server.output());
        assert.match(server.output(), /stopped cleanly/);
      }
      const restarted = await startServer(dataDir);
      try {
        const names = await projectNames(restarted.url, restarted.adminKey);
        const lost = writer.acknowledged.filter((name) => !names.has(name));
        assert.deepEqual(lost, [], `${lost.length} of ${writer.acknowledged.length} acknowledged writes lost`);
        const verify = await fetch(`${restarted.url}/v1/audit/verify`, {
          headers: { authorization: `Bearer ${restarted.adminKey}` },
        });
        assert.equal(((await verify.json()) as { ok: boolean }).ok, true);
      } finally {
        restarted.child.kill("SIGTERM");
        await restarted.exited;
      }
    });
  }

  it("stops cleanly on a SIGTERM that arrives while it starts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "alixan-early-stop-"));
    directories.push(dataDir);
    const { child, output } = spawnServe(["--site", "lab", "--data-dir", dataDir]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await until("the start line", () => (/alixan is starting/.test(output()) ? true : undefined), 60_000, 10);
    child.kill("SIGTERM");
    assert.equal(await exited, 0, output());
    assert.match(output(), /SIGTERM: finishing requests and closing the store/);
    assert.match(output(), /stopped cleanly/);
    // The store it began to open is whole: the next start serves it.
    const restarted = await startServer(dataDir);
    restarted.child.kill("SIGTERM");
    assert.equal(await restarted.exited, 0, restarted.output());
  });

  it("ends event streams at SIGTERM and cuts a half-sent request after the shutdown grace", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "alixan-grace-"));
    directories.push(dataDir);
    const server = await startServer(dataDir, ["--shutdown-grace", "1"]);
    const stream = await fetch(`${server.url}/v1/telemetry/stream`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    assert.equal(stream.status, 200);
    const reader = stream.body!.getReader();
    let received = "";
    const reading = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        received += Buffer.from(value).toString("utf8");
      }
    })().catch(() => {});
    await until("the stream's first frame", () => (received.includes(": connected") ? true : undefined), 30_000);
    // Half a request: the server waits for the rest of its headers, which never come.
    const { port, hostname } = new URL(server.url);
    const slow = connect(Number(port), hostname);
    slow.on("error", () => {});
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    slow.write("GET /health HTTP/1.1\r\nHost: alixan\r\n");
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill("SIGTERM");
    // Node would hold that request for its 60 s header timeout; the grace of 1 s cuts it.
    const code = await Promise.race([
      server.exited,
      new Promise<string>((resolve) => setTimeout(() => resolve("still running 30 s after SIGTERM"), 30_000).unref()),
    ]);
    slow.destroy();
    assert.equal(code, 0, server.output());
    await reading;
    assert.match(received, /event: end\ndata: \{"reason":"the server is stopping; reconnect once it is back"\}/);
    assert.match(server.output(), /cut 1 connection\(s\) still open 1000 ms after the stop began/);
    assert.match(server.output(), /stopped cleanly/);
  });

  it("alixan audit verify exits 1 and names a tampered record", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "alixan-tamper-"));
    directories.push(dataDir);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "bin", "alixan.js"), ...args, "--data-dir", dataDir], {
        cwd: root,
        encoding: "utf8",
      });
    assert.equal(cli("tenant", "create", "demo", "--name", "Demo", "--kind", "campus").status, 0);
    assert.equal(
      cli("user", "create", "--email", "a@demo.example", "--name", "A", "--role", "student", "--tenant", "demo").status,
      0,
    );
    const clean = cli("audit", "verify");
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /intact: 2 records/);
    const store = await openStore({ kind: "pglite", dataDir });
    await disableAuditProtection(store.db);
    await sql`update audit_log set actor = 'mallory' where seq = 1`.execute(store.db);
    await store.close();
    const tampered = cli("audit", "verify");
    assert.equal(tampered.status, 1);
    assert.match(tampered.stdout, /TAMPERED: first bad: record 1 \(edited\): MAC mismatch/);
  });
});
