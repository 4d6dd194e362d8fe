/**
 * `alixan serve` as a child process, for tests that kill it (SIGKILL, SIGTERM) and start it again on the same store:
 * the process, the URL it printed, and everything it wrote.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { until } from "./wait.ts";

const root = new URL("../..", import.meta.url).pathname;

/** A running `alixan serve`. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** What it wrote on standard output and error so far. */
  readonly output: () => string;
}

/**
 * Starts `alixan serve --port 0` with `args` and waits until it says where it runs (a first start seeds the store:
 * slow on a loaded machine, so 120 s); fails with its output when it stops first or never says.
 */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(root, "bin", "alixan.js"), "serve", "--port", "0", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (chunk) => {
    text += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    text += chunk;
  });
  const url = await until(
    "the platform",
    () => {
      if (child.exitCode !== null) throw new Error(`the platform stopped:\n${text}`);
      return /running at (http:\/\/\S+)/.exec(text)?.[1];
    },
    120_000,
  ).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}:\n${text}`);
  });
  return { child, url, output: () => text };
}

/** Kills it without warning (SIGKILL) and waits until it is gone. */
export async function killServe(running: ServeProcess): Promise<void> {
  running.child.kill("SIGKILL");
  if (running.child.exitCode === null) await new Promise((resolve) => running.child.once("exit", resolve));
}
