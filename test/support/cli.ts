/** Runs the `alixan` command line against a platform under test, as a separate process. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const root = join(import.meta.dirname, "..", "..");

/** What one CLI run printed and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `alixan ...args` with `ALIXAN_URL`/`ALIXAN_KEY` set; asynchronous on purpose, since the platform under test
 * answers from the calling process while the CLI runs.
 */
export async function runAlixan(url: string, key: string, args: readonly string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, "bin", "alixan.js"), ...args], {
      cwd: root,
      env: { ...process.env, ALIXAN_URL: url, ALIXAN_KEY: key },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * Runs `run` with what it writes to standard output as text collected and answered. Bytes pass through: under
 * `node --test` the runner reports to its parent on this stream (a long run leaves time for one to go out), and a
 * report taken as output would both spoil the output and be lost to the runner.
 */
export async function captureStdout<Value>(run: () => Promise<Value>): Promise<{ value: Value; stdout: string }> {
  const write = process.stdout.write;
  let stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== "string")
      return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await run(), stdout };
  } finally {
    process.stdout.write = write;
  }
}

/**
 * Runs `alixan ...args` in this process (no new process to start: seconds saved per call) and returns its exit code
 * and standard output; `environment` holds for the run only.
 */
export async function runCliInProcess(
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): Promise<{ code: number; stdout: string }> {
  const { runCli } = await import("../../src/cli/main.ts");
  const saved = new Map(Object.keys(environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, environment);
  try {
    const { value: code, stdout } = await captureStdout(() => runCli(args));
    return { code, stdout };
  } finally {
    process.exitCode = undefined;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
