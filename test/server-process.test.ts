/**
 * The platform as a process: graceful SIGTERM loses no write, kill -9 during writes loses no acknowledged write and
 * the store reopens, and `alixan audit verify` catches a tampered record.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { sql } from "kysely";
import { disableAuditProtection } from "../src/store/audit.ts";
import { openStore } from "../src/store/database.ts";
import { type ServeProcess, startServe } from "./support/serve.ts";

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

async function startServer(dataDir: string): Promise<Running> {
  const running = await startServe(["--site", "lab", "--data-dir", dataDir]);
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
      while (writer.acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 20));
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
