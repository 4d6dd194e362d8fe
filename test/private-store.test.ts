/**
 * Private store (issue 14, item 4): the data directory is created 0700 and every file under it ends 0600 (store,
 * telemetry history and log, demo keys), both in process and through `alixan serve`; a directory other users can
 * write, or that belongs to another user, is refused with one line naming the path and the fix; a directory an
 * older version left readable by others is tightened.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { preparePrivateDirectory, UnsafeDirectoryError } from "../src/core/private-files.ts";
import { loadSite } from "../src/model/load.ts";
import { openStore } from "../src/store/database.ts";
import { TelemetryService } from "../src/telemetry/service.ts";

const root = join(import.meta.dirname, "..");
const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "alixan-private-"));
  directories.push(directory);
  return directory;
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** Every entry under `directory` (symbolic links excepted) whose mode gives anything to group or others. */
function exposed(directory: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) continue;
      if ((stats.mode & 0o077) !== 0) found.push(`${path} ${(stats.mode & 0o777).toString(8)}`);
      if (stats.isDirectory()) walk(path);
    }
  };
  walk(directory);
  return found;
}

function countFiles(directory: string): number {
  let count = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) if (entry.isFile()) count++;
  return count;
}

describe("private store", () => {
  it("creates the data directory 0700 and leaves every store file 0600, whatever the umask", async () => {
    const dataDir = join(temporaryDirectory(), "nested", "data");
    const previous = process.umask(0o022);
    try {
      const store = await openStore({ kind: "pglite", dataDir });
      assert.equal(modeOf(dataDir), 0o700);
      assert.ok(countFiles(dataDir) > 100, "PGlite wrote its files");
      assert.deepEqual(exposed(dataDir), [], "no store file is open to group or others while running");
      await store.db.selectFrom("tenants").selectAll().execute();
      await store.close();
      assert.deepEqual(exposed(dataDir), [], "nor after close");
    } finally {
      process.umask(previous);
    }
  });

  it("refuses a data directory others can write, naming it and the fix, and leaves it untouched", async () => {
    const dataDir = join(temporaryDirectory(), "shared");
    mkdirSync(dataDir);
    for (const mode of [0o777, 0o775, 0o1777, 0o757]) {
      chmodSync(dataDir, mode);
      await assert.rejects(
        openStore({ kind: "pglite", dataDir }),
        (error: Error) => {
          assert.ok(error instanceof UnsafeDirectoryError, String(error));
          assert.ok(!error.message.includes("\n"), "one line");
          assert.ok(error.message.includes(dataDir), error.message);
          assert.ok(error.message.includes(`chmod 700 ${dataDir}`), error.message);
          return true;
        },
        `mode ${mode.toString(8)}`,
      );
      assert.deepEqual(readdirSync(dataDir), [], "nothing was written into it");
      assert.equal(statSync(dataDir).mode & 0o7777, mode, "its mode is not changed behind the operator's back");
    }
  });

  it("refuses a data directory that belongs to another user", async () => {
    let dataDir: string;
    if (process.getuid?.() === 0) {
      dataDir = join(temporaryDirectory(), "theirs");
      mkdirSync(dataDir, { mode: 0o700 });
      chownSync(dataDir, 65534, 65534);
    } else {
      dataDir = "/"; // owned by root, not writable by others: refused for its owner alone
    }
    assert.throws(
      () => preparePrivateDirectory(dataDir),
      (error: Error) => error instanceof UnsafeDirectoryError && /belongs to user \d+/.test(error.message),
    );
  });

  it("tightens a directory an older version created readable by others (0755, files 0644)", async () => {
    const dataDir = join(temporaryDirectory(), "old");
    mkdirSync(join(dataDir, "telemetry"), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, "telemetry"), 0o755);
    writeFileSync(join(dataDir, "telemetry", "old.wal"), "x", { mode: 0o644 });
    chmodSync(join(dataDir, "telemetry", "old.wal"), 0o644);
    assert.deepEqual(preparePrivateDirectory(dataDir), { created: false, tightened: true });
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, "telemetry")), 0o700);
    assert.equal(modeOf(join(dataDir, "telemetry", "old.wal")), 0o600);
    assert.deepEqual(preparePrivateDirectory(dataDir), { created: false, tightened: false }, "once only");
  });

  it("keeps telemetry history and its log private, and refuses a shared telemetry directory", async () => {
    const directory = join(temporaryDirectory(), "telemetry");
    const site = loadSite("lab").site!;
    const previous = process.umask(0o022);
    try {
      const opened = await TelemetryService.open({ dataDirectory: directory, site, onProblem: () => {} });
      assert.ok(opened.ok, opened.ok ? "" : opened.problem);
      const service = opened.value;
      const now = Date.now();
      await service.ingestInflux(`rack,rack=rack:h1-r01-01 power_kw=3 ${now * 1e6}`, "ns", "test");
      await service.flush();
      assert.equal(modeOf(directory), 0o700);
      assert.equal(modeOf(join(directory, "wal")), 0o700);
      for (const segment of readdirSync(join(directory, "wal")))
        assert.equal(modeOf(join(directory, "wal", segment)), 0o600, segment);
      await service.close();
      assert.ok(readdirSync(directory).includes("telemetry.duckdb"));
      assert.deepEqual(exposed(directory), []);
    } finally {
      process.umask(previous);
    }
    chmodSync(directory, 0o770);
    const refused = await TelemetryService.open({ dataDirectory: directory, site, onProblem: () => {} });
    assert.ok(!refused.ok);
    assert.match(refused.problem, new RegExp(`telemetry directory ${directory} is writable by other users.*chmod 700`));
  });
});

/** Runs `alixan serve` on `dataDir`; resolves with its output once it listens (then stops it) or exits. */
function serve(dataDir: string, onRunning?: () => void): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [join(root, "bin", "alixan.js"), "serve", "--site", "lab", "--port", "0", "--data-dir", dataDir, "--speed", "60"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ALIXAN_TELEMETRY_DIR: "" } },
  );
  let output = "";
  let signalled = false;
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (!signalled && output.includes("running at")) {
      signalled = true;
      // Let the platform write for a moment (telemetry flushes every 2 s) before looking and stopping it.
      setTimeout(() => {
        onRunning?.();
        child.kill("SIGTERM");
      }, 3000);
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const timeout = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timeout);
      resolve({ code, output });
    }),
  );
}

describe("alixan serve on a data directory", () => {
  it("writes the store, telemetry and demo keys private (0700 directories, 0600 files)", async () => {
    const dataDir = join(temporaryDirectory(), "data");
    let whileRunning: string[] = ["not looked at"];
    const { code, output } = await serve(dataDir, () => {
      whileRunning = exposed(dataDir);
    });
    assert.equal(code, 0, output);
    assert.deepEqual(whileRunning, [], "while running");
    assert.deepEqual(exposed(dataDir), [], "after a graceful stop");
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, "demo-keys.json")), 0o600);
    assert.ok(readdirSync(join(dataDir, "telemetry")).includes("telemetry.duckdb"));
  });

  it("refuses to start on a world-writable data directory: one line, the fix, exit code 1, no stack trace", async () => {
    const dataDir = join(temporaryDirectory(), "open");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o777);
    const { code, output } = await serve(dataDir);
    assert.equal(code, 1, output);
    assert.equal(output.trim().split("\n").length, 1, output);
    assert.match(output, new RegExp(`^alixan: the data directory ${dataDir} is writable by other users`));
    assert.ok(output.includes(`chmod 700 ${dataDir}`), output);
    assert.ok(!/\n\s+at /.test(output) && !output.includes(".ts:"), output);
    assert.deepEqual(readdirSync(dataDir), []);
  });
});
