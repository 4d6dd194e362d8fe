/**
 * A throwaway single-machine Slurm for tests, from Debian's slurm-wlm and munge: a private munged (own key and
 * socket), slurmctld and one slurmd on loopback ports, in a temporary directory, configured by `alixan slurm config`
 * for a site with test settings (root as SlurmUser, linuxproc process tracking, GPU device placeholder files,
 * `config_overrides` so the node may claim more CPUs and memory than this machine has). Only one node runs a slurmd;
 * every other node of the site is set DOWN, which alixan reads from sinfo and keeps out of placement.
 * Returns `{ skipped }` when Slurm is not installed; `.ci/run` installs it so CI never skips.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ComposedApp, composeApp } from "../../src/app/compose.ts";
import { defaultFeatures } from "../../src/app/features/index.ts";
import { loadExecutionFile } from "../../src/execution/config.ts";
import { compressHostlist } from "../../src/execution/hostlist.ts";
import { slurmConfig } from "../../src/execution/slurm-config.ts";
import type { Site } from "../../src/model/site.ts";
import { freePort } from "./ports.ts";

/** A running test cluster. */
export interface TestSlurm {
  readonly dir: string;
  readonly conf: string;
  readonly env: NodeJS.ProcessEnv;
  /** Runs a Slurm command against the cluster; returns its standard output. */
  run(command: string, args: readonly string[]): string;
  /** Stops and starts slurmctld, keeping its state (a restart of Slurm), or clearing it (Slurm loses every job). */
  restartController(options?: { clearState?: boolean }): Promise<void>;
  stop(): void;
}

function kill(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync("sleep", ["0.1"]);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

async function waitFor(what: string, test: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (test()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`test Slurm: timed out waiting for ${what}`);
}

/** Whether the Slurm and munge daemons are installed. */
export function slurmInstalled(): boolean {
  return ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch"].every((file) =>
    existsSync(file),
  );
}

/**
 * Starts Slurm for `site` with a slurmd for `liveNode` only (every other node DOWN), or none when undefined (the
 * controller alone, to check it accepts the configuration).
 */
export async function startTestSlurm(
  site: Site,
  liveNode: string | undefined,
): Promise<TestSlurm | { skipped: string }> {
  if (!slurmInstalled()) return { skipped: "Slurm (slurm-wlm) and munge are not installed" };
  if (process.getuid?.() !== 0) return { skipped: "the test Slurm runs its daemons as root" };
  const dir = mkdtempSync(join(tmpdir(), "alixan-slurm-"));
  for (const sub of ["state", "spool", "munge", "dev", "work"])
    mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 });
  for (let gpu = 0; gpu < 8; gpu++) writeFileSync(join(dir, "dev", `gpu${gpu}`), "");
  const key = join(dir, "munge", "munge.key");
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(dir, "munge", "munge.sock");
  execFileSync("/usr/sbin/munged", [
    "--force",
    `--key-file=${key}`,
    `--socket=${socket}`,
    `--log-file=${join(dir, "munge", "munged.log")}`,
    `--pid-file=${join(dir, "munge", "munged.pid")}`,
    `--seed-file=${join(dir, "munge", "seed")}`,
  ]);
  const ctldPort = await freePort();
  const slurmdPort = await freePort();
  const files = slurmConfig(site, {
    controller: "localhost(127.0.0.1)",
    nodeAddr: "127.0.0.1",
    gpuFiles: `${join(dir, "dev")}/gpu[0-{n}]`,
    set: [
      "SlurmUser=root",
      "SlurmdUser=root",
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      `StateSaveLocation=${join(dir, "state")}`,
      `SlurmdSpoolDir=${join(dir, "spool")}`,
      `SlurmctldPidFile=${join(dir, "slurmctld.pid")}`,
      `SlurmdPidFile=${join(dir, "slurmd.pid")}`,
      `SlurmctldLogFile=${join(dir, "slurmctld.log")}`,
      `SlurmdLogFile=${join(dir, "slurmd.log")}`,
      `AuthInfo=socket=${socket}`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SlurmdParameters=config_overrides",
      "SchedulerParameters=sched_interval=1,sched_min_interval=100000",
      "SlurmdTimeout=300",
      // Every node's address is this machine's one slurmd, which answers pings for any name: nodes set DOWN must
      // stay down until told otherwise.
      "ReturnToService=0",
    ],
  });
  if (typeof files === "string") throw new Error(files);
  const conf = join(dir, "slurm.conf");
  writeFileSync(conf, files["slurm.conf"]);
  writeFileSync(join(dir, "gres.conf"), files["gres.conf"]);
  writeFileSync(join(dir, "topology.conf"), files["topology.conf"]);
  const env = { ...process.env, SLURM_CONF: conf };
  const run = (command: string, args: readonly string[]) =>
    execFileSync(command, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const controllerUp = () => spawnSync("scontrol", ["ping"], { env, encoding: "utf8" }).stdout.includes("is UP");
  const startController = async (clear = false) => {
    execFileSync("/usr/sbin/slurmctld", ["-f", conf, ...(clear ? ["-c"] : [])], { env });
    await waitFor("slurmctld", controllerUp);
  };
  const downOthers = () => {
    if (liveNode === undefined) return;
    const others = nodesExcept(run, liveNode);
    if (others.length > 0)
      run("scontrol", [
        "update",
        `NodeName=${compressHostlist(others)}`,
        "State=DOWN",
        "Reason=no slurmd in this test",
      ]);
  };
  const stop = () => {
    kill(join(dir, "slurmd.pid"));
    kill(join(dir, "slurmctld.pid"));
    kill(join(dir, "munge", "munged.pid"));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await startController();
    if (liveNode !== undefined) {
      downOthers();
      execFileSync("/usr/sbin/slurmd", ["-f", conf, "-N", liveNode], { env });
      await waitFor(`slurmd of ${liveNode}`, () => {
        const state = spawnSync("sinfo", ["--noheader", "-n", liveNode, "-o", "%T"], { env, encoding: "utf8" }).stdout;
        return state.trim() === "idle";
      });
    }
  } catch (error) {
    const log = existsSync(join(dir, "slurmctld.log")) ? readFileSync(join(dir, "slurmctld.log"), "utf8") : "";
    stop();
    throw new Error(`${(error as Error).message}\n${log.split("\n").slice(-15).join("\n")}`);
  }
  return {
    dir,
    conf,
    env,
    run,
    async restartController(options = {}) {
      kill(join(dir, "slurmctld.pid"));
      await startController(options.clearState === true);
      if (options.clearState === true) downOthers();
    },
    stop,
  };
}

function nodesExcept(run: (command: string, args: readonly string[]) => string, liveNode: string): string[] {
  return run("sinfo", ["--noheader", "-N", "-o", "%N"])
    .split("\n")
    .map((line) => line.trim())
    .filter((name, index, all) => name !== "" && name !== liveNode && all.indexOf(name) === index);
}

/** A suite's cluster (`startTestSlurm`), or why the suite is skipped; CI installs Slurm, so there a skip fails. */
export async function slurmForSuite(site: Site, liveNode: string | undefined): Promise<TestSlurm | string> {
  const started = await startTestSlurm(site, liveNode);
  if (!("skipped" in started)) return started;
  if (process.env["CI"] !== undefined) throw new Error(`CI must run the Slurm tests: ${started.skipped}`);
  return started.skipped;
}

/**
 * Writes in `dir` the execution file that runs alixan's jobs on `slurm` (states read every 0.3 s and nodes every
 * second, so tests see changes quickly; `bin`: a directory of wrapped Slurm commands) and answers its path.
 */
export function writeSlurmExecution(
  slurm: TestSlurm,
  dir: string,
  options: { bin?: string; powerCap?: readonly string[] } = {},
): string {
  const file = join(dir, "execution.yaml");
  const lines = ["backend: slurm", "slurm:", `  conf: ${slurm.conf}`];
  if (options.bin !== undefined) lines.push(`  bin: ${options.bin}`);
  lines.push("  pollSeconds: 0.3", "  nodePollSeconds: 1", `  workDir: ${join(slurm.dir, "work")}`);
  // A JSON array is YAML too: the command's arguments keep their braces.
  if (options.powerCap !== undefined)
    lines.push("powerCap:", `  command: ${JSON.stringify(options.powerCap)}`, "  timeoutSeconds: 10", "  retries: 0");
  writeFileSync(file, lines.join("\n"));
  return file;
}

/**
 * A `slurm.bin` directory in `dir` where `scontrol` logs each call's arguments before running the real one (the
 * other commands are Debian's, linked: squeue runs every poll). `calls` reads the log, one argument list per call.
 */
export function writeLoggedScontrol(dir: string): { bin: string; calls(): string[][] } {
  const bin = join(dir, "bin");
  const log = join(dir, "scontrol.log");
  mkdirSync(bin, { recursive: true });
  for (const command of ["sbatch", "squeue", "sinfo", "scancel"])
    symlinkSync(`/usr/bin/${command}`, join(bin, command));
  writeFileSync(join(bin, "scontrol"), `#!/bin/sh\necho "$*" >> '${log}'\nexec /usr/bin/scontrol "$@"\n`, {
    mode: 0o755,
  });
  return {
    bin,
    calls: () =>
      (existsSync(log) ? readFileSync(log, "utf8") : "")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.split(" ")),
  };
}

/** One call of the stand-in power-cap tool, as it logged it. */
export interface PowerCapToolCall {
  readonly job: string;
  readonly nodes: string;
  readonly share: number;
  readonly watts: string;
}

/**
 * A stand-in for a site's power-cap tool, written in `dir`: it appends its arguments to a log and succeeds.
 * `command` is the execution file's `powerCap.command` (Slurm id, host list, share, watts); `calls` reads the log.
 */
export function writePowerCapTool(dir: string): { command: string[]; calls(): PowerCapToolCall[] } {
  const log = join(dir, "power-cap.log");
  const tool = join(dir, "power-cap-tool");
  writeFileSync(tool, `#!/bin/sh\necho "$*" >> '${log}'\n`, { mode: 0o755 });
  return {
    command: [tool, "{job}", "{nodes}", "{share}", "{watts}"],
    calls: () =>
      (existsSync(log) ? readFileSync(log, "utf8") : "")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
          const [job, nodes, share, watts] = line.split(" ");
          return { job: job!, nodes: nodes!, share: Number(share), watts: watts ?? "" };
        }),
  };
}

/**
 * squeue's lines (every state) for the Slurm jobs of alixan job `alixanId` on site `siteId`, found by the comment
 * alixan gives them; `format` must end with `|%k`, the comment.
 */
export function squeueOf(slurm: TestSlurm, alixanId: string, format: string, siteId = "lab"): string[] {
  return slurm
    .run("squeue", ["--noheader", "--states=all", "-o", format])
    .trim()
    .split("\n")
    .filter((line) => line.endsWith(`alixan:${siteId}:${alixanId}`));
}

/**
 * The platform in this process on `siteName`, running jobs on Slurm as `executionFile` says, listening on loopback:
 * the store in memory, or in `storeDir` to be opened again after a restart (`seed`: demo tenants on first start).
 */
export async function composeOnSlurm(
  executionFile: string,
  options: { storeDir?: string; seed?: boolean; siteName?: string } = {},
): Promise<{ app: ComposedApp; url: string }> {
  const execution = loadExecutionFile(executionFile);
  if (typeof execution === "string") throw new Error(execution);
  const app = await composeApp({
    site: options.siteName ?? "lab",
    store: { kind: "pglite", dataDir: options.storeDir ?? "memory" },
    seed: options.seed ?? true,
    rateLimitPerMinute: 100_000,
    features: defaultFeatures({ speed: 1, demoLoad: 0, telemetryInMemory: true, execution }),
  });
  return { app, url: await app.server.listen({ port: 0, host: "127.0.0.1" }) };
}
