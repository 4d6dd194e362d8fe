/**
 * Telemetry history on a PostgreSQL deployment is never silently in memory (issue 16, item 5): `alixan serve` with
 * DATABASE_URL and no ALIXAN_TELEMETRY_DIR refuses to start with one line naming the variable; with it, the history
 * goes to that directory.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startTestPostgres } from "./support/postgres.ts";

const root = join(import.meta.dirname, "..");
const server = await startTestPostgres();
const directory = mkdtempSync(join(tmpdir(), "alixan-telemetry-durable-"));
after(() => {
  if (!("skipped" in server)) server.stop();
  rmSync(directory, { recursive: true, force: true });
});

describe("telemetry history on PostgreSQL", { skip: "skipped" in server ? server.skipped : false }, () => {
  const environment = () => {
    if ("skipped" in server) throw new Error("unreachable");
    const { ALIXAN_TELEMETRY_DIR: _ignored, ...inherited } = process.env;
    return {
      ...inherited,
      DATABASE_URL: server.createDatabase(`durable_${Date.now()}`),
      ALIXAN_AUDIT_DIR: join(directory, `audit-${Date.now()}`),
    };
  };
  const serve = [join(root, "bin", "alixan.js"), "serve", "--site", "lab", "--port", "0", "--no-seed"];

  it("refuses to start without ALIXAN_TELEMETRY_DIR, naming it", () => {
    const result = spawnSync(process.execPath, serve, {
      cwd: root,
      encoding: "utf8",
      env: environment(),
      timeout: 120_000,
    });
    assert.notEqual(result.status, 0, result.stdout);
    assert.match(result.stderr, /neither ALIXAN_TELEMETRY_DIR nor telemetry\.historyDir is set/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });

  it("keeps the history in ALIXAN_TELEMETRY_DIR when set", async () => {
    const history = join(directory, "history");
    const child = spawn(process.execPath, serve, {
      cwd: root,
      env: { ...environment(), ALIXAN_TELEMETRY_DIR: history },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    // "close": the exit status once the output is read to its end (an "exit" can come before the last lines).
    const exited = new Promise<string>((resolve) =>
      child.once("close", (code, signal) => resolve(signal === null ? `exit ${code}` : `signal ${signal}`)),
    );
    try {
      const deadline = Date.now() + 90_000;
      while (!/running at http/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`serve did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(existsSync(history) && readdirSync(history).length > 0, `history files in ${history}`);
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal(await exited, "exit 0", output);
  });
});
