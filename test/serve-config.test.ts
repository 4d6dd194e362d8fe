/**
 * `alixan serve --config alixan.yaml`: the one configuration file sets the site, the store, the telemetry history and
 * the log level (relative paths from the file's folder); the environment overrides it; a bad field stops the start
 * with exit code 2, named by its path and line.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const root = join(import.meta.dirname, "..");
const directory = mkdtempSync(join(tmpdir(), "alixan-serve-config-"));
after(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** The environment without the variables that override the file. */
function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ["DATABASE_URL", "ALIXAN_DATA_DIR", "ALIXAN_TELEMETRY_DIR", "ALIXAN_TELEMETRY_CONFIG"]) {
    delete environment[name];
  }
  if (extra["LOG_LEVEL"] === undefined) delete environment["LOG_LEVEL"];
  return environment;
}

/** Runs `alixan serve --config file`; resolves with its output once it listens (then stops it) or exits. */
async function serve(
  file: string,
  environment: NodeJS.ProcessEnv,
  whileRunning: (url: string) => Promise<void> = async () => {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, "bin", "alixan.js"), "serve", "--port", "0", "--config", file], {
    cwd: directory,
    stdio: ["ignore", "pipe", "pipe"],
    env: environment,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (child.exitCode === null && !/running at (http:\/\/\S+)/.test(stderr)) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`serve did not start:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const running = /running at (http:\/\/\S+)/.exec(stderr);
  if (running !== null) {
    try {
      await whileRunning(running[1]!);
    } finally {
      child.kill("SIGTERM");
    }
  }
  return { code: await exited, stdout, stderr };
}

describe("serve --config alixan.yaml", () => {
  it("uses the file's site, store, telemetry history and log level; the environment overrides the level", async () => {
    const file = join(directory, "alixan.yaml");
    writeFileSync(
      file,
      [
        "site: lab",
        "store: { dataDir: ./store }",
        "telemetry:",
        "  historyDir: ./history",
        "  retention: { rawDays: 3 }",
        "logging: { level: warn }",
        "",
      ].join("\n"),
    );
    const quiet = await serve(file, cleanEnvironment(), async (url) => {
      const health = (await (await fetch(`${url}/health`)).json()) as { site: string; store: string };
      assert.equal(health.site, "lab");
      assert.equal(health.store, "pglite");
    });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.ok(existsSync(join(directory, "store", "demo-keys.json")), "the store is the file's dataDir");
    assert.ok(existsSync(join(directory, "history")), "telemetry history lives in the file's historyDir");
    assert.match(quiet.stderr, /config {2}.*alixan\.yaml/);
    // Level warn: the info line "alixan started" is not logged.
    assert.doesNotMatch(quiet.stdout, /"msg":"alixan started"/);

    const verbose = await serve(file, cleanEnvironment({ LOG_LEVEL: "info" }));
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.match(verbose.stdout, /"msg":"alixan started"/, "LOG_LEVEL overrides logging.level");
  });

  it("stops with exit code 2 naming each bad field by its path and line", async () => {
    const file = join(directory, "bad.yaml");
    writeFileSync(file, ["site: lab", "store: { dataDirr: ./store }", "logging: { level: loud }", ""].join("\n"));
    const run = await serve(file, cleanEnvironment());
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /bad\.yaml:2:\d+: store\.dataDirr: unknown field "dataDirr" \(did you mean "dataDir"\?\)/);
    assert.match(run.stderr, /bad\.yaml:3:\d+: logging\.level: must be one of:/);
    assert.doesNotMatch(run.stderr, /running at/);
  });
});
