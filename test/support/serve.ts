/**
 * `alixan serve` as a child process, for tests that kill it (SIGKILL, SIGTERM) and start it again on the same store:
 * the process, the URL it printed, and everything it wrote.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after } from "node:test";
import { until } from "./wait.ts";

const root = new URL("../..", import.meta.url).pathname;

/** Every platform process a test file started and that still runs. */
const running = new Set<ChildProcess>();
// A test that fails before it stops its platform would leave it running, and its pipes would keep the test file's
// process alive until the runner's timeout: whatever still runs when the file's tests end is killed.
after(() => {
  for (const child of running) child.kill("SIGKILL");
});

/** A running `alixan serve`. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** What it wrote on standard output and error so far. */
  readonly output: () => string;
}

/** Spawns `alixan serve --port 0` with `args` without waiting: the process and everything it wrote so far. */
export function spawnServe(args: readonly string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [join(root, "bin", "alixan.js"), "serve", "--port", "0", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let text = "";
  child.stdout!.on("data", (chunk) => {
    text += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    text += chunk;
  });
  return { child, output: () => text };
}

/**
 * Starts `alixan serve --port 0` with `args` and waits until its start-up banner is complete (a first start seeds
 * the store: slow on a loaded machine, so 120 s); fails with its output when it stops first or never says.
 */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const { child, output } = spawnServe(args);
  const url = await until(
    "the platform",
    () => {
      if (child.exitCode !== null) throw new Error(`the platform stopped:\n${output()}`);
      // The banner is several writes: wait for its last line, so callers can read the whole of it.
      return /running at (http:\/\/\S+)[\s\S]*\n {2}try: curl [^\n]*\n/.exec(output())?.[1];
    },
    120_000,
  ).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}:\n${output()}`);
  });
  return { child, url, output };
}

/** Kills it without warning (SIGKILL) and waits until it is gone. */
export async function killServe(running: ServeProcess): Promise<void> {
  running.child.kill("SIGKILL");
  if (running.child.exitCode === null) await new Promise((resolve) => running.child.once("exit", resolve));
}
