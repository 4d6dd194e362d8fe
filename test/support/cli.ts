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
