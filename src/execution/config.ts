/**
 * Where admitted jobs run: the execution file (YAML or JSON) picks a backend for the site and, optionally, per hall
 * (one Slurm partition per hall, as `alixan slurm config` generates them). `simulated` is the default: jobs run in
 * the twin for their duration. Every problem is reported with its path.
 *
 * ```yaml
 * backend: slurm                 # site default: simulated | slurm
 * halls: { h2: simulated }       # per hall (partition) overrides
 * slurm:
 *   conf: /etc/slurm/slurm.conf  # SLURM_CONF for sbatch, squeue, sinfo, scontrol, scancel
 *   bin: /usr/bin                # where those commands are (default: PATH)
 *   pollSeconds: 2               # job states (squeue)
 *   nodePollSeconds: 10          # node states (sinfo): down or drained nodes take no new work
 *   preemption: requeue          # requeue (scontrol requeuehold, released where alixan places it next) | cancel
 *   workDir: /shared/alixan      # job working directory and output (alixan-<slurm id>.out)
 *   commandTimeoutSeconds: 30
 *   maxConcurrentCommands: 4     # Slurm commands running at once; the rest wait their turn (a burst forks no more)
 * ```
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** Backends a job can run on. */
export const backends = ["simulated", "slurm"] as const;
/** One backend. */
export type Backend = (typeof backends)[number];

/** How the Slurm backend reaches the cluster. */
export interface SlurmSettings {
  readonly conf: string | undefined;
  readonly bin: string | undefined;
  readonly pollSeconds: number;
  readonly nodePollSeconds: number;
  readonly preemption: "requeue" | "cancel";
  readonly workDir: string;
  readonly commandTimeoutSeconds: number;
  /** Slurm commands (sbatch, squeue, scontrol, ...) running at once at most; the others wait in order. */
  readonly maxConcurrentCommands: number;
}

/** The decoded execution configuration. */
export interface ExecutionConfig {
  readonly backend: Backend;
  /** Hall local id (`h1`) → backend, overriding `backend`. */
  readonly halls: Readonly<Record<string, Backend>>;
  readonly slurm: SlurmSettings;
}

/** The default: every job simulated. */
export const simulatedExecution: ExecutionConfig = {
  backend: "simulated",
  halls: {},
  slurm: {
    conf: undefined,
    bin: undefined,
    pollSeconds: 2,
    nodePollSeconds: 10,
    preemption: "requeue",
    workDir: "/tmp",
    commandTimeoutSeconds: 30,
    maxConcurrentCommands: 4,
  },
};

/** Whether any hall of the configuration runs on Slurm. */
export function usesSlurm(config: ExecutionConfig): boolean {
  return config.backend === "slurm" || Object.values(config.halls).includes("slurm");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decodes an execution configuration; problems name their path (`slurm.pollSeconds: expected ...`). */
export function decodeExecution(value: unknown): { config: ExecutionConfig } | { problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(value)) return { problems: ["(root): expected a mapping with backend, halls and slurm"] };
  const unknown = (object: Record<string, unknown>, allowed: readonly string[], path: string) => {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) problems.push(`${path}${key}: unknown field (expected one of ${allowed.join(", ")})`);
    }
  };
  unknown(value, ["backend", "halls", "slurm"], "");
  const backend = (raw: unknown, path: string): Backend => {
    if (raw === undefined) return "simulated";
    if (typeof raw === "string" && (backends as readonly string[]).includes(raw)) return raw as Backend;
    problems.push(`${path}: expected ${backends.join(" or ")}, got ${JSON.stringify(raw)}`);
    return "simulated";
  };
  const site = backend(value["backend"], "backend");
  const halls: Record<string, Backend> = {};
  if (value["halls"] !== undefined) {
    if (!isRecord(value["halls"])) problems.push("halls: expected a mapping of hall id to backend");
    else
      for (const [hall, raw] of Object.entries(value["halls"])) {
        halls[hall.startsWith("hall:") ? hall.slice(5) : hall] = backend(raw, `halls.${hall}`);
      }
  }
  const defaults = simulatedExecution.slurm;
  let slurm: SlurmSettings = defaults;
  const raw = value["slurm"];
  if (raw !== undefined && !isRecord(raw)) problems.push("slurm: expected a mapping");
  else if (raw !== undefined) {
    unknown(
      raw,
      [
        "conf",
        "bin",
        "pollSeconds",
        "nodePollSeconds",
        "preemption",
        "workDir",
        "commandTimeoutSeconds",
        "maxConcurrentCommands",
      ],
      "slurm.",
    );
    const text = (key: string): string | undefined => {
      const item = raw[key];
      if (item === undefined) return undefined;
      if (typeof item === "string" && item !== "") return item;
      problems.push(`slurm.${key}: expected a non-empty path, got ${JSON.stringify(item)}`);
      return undefined;
    };
    const seconds = (key: string, fallback: number, min: number, max: number): number => {
      const item = raw[key];
      if (item === undefined) return fallback;
      if (typeof item === "number" && item >= min && item <= max) return item;
      problems.push(`slurm.${key}: expected seconds from ${min} to ${max}, got ${JSON.stringify(item)}`);
      return fallback;
    };
    const count = (key: string, fallback: number, min: number, max: number): number => {
      const item = raw[key];
      if (item === undefined) return fallback;
      if (typeof item === "number" && Number.isInteger(item) && item >= min && item <= max) return item;
      problems.push(`slurm.${key}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(item)}`);
      return fallback;
    };
    const preemption = raw["preemption"] ?? defaults.preemption;
    if (preemption !== "requeue" && preemption !== "cancel") {
      problems.push(`slurm.preemption: expected requeue or cancel, got ${JSON.stringify(preemption)}`);
    }
    slurm = {
      conf: text("conf"),
      bin: text("bin"),
      pollSeconds: seconds("pollSeconds", defaults.pollSeconds, 0.1, 3600),
      nodePollSeconds: seconds("nodePollSeconds", defaults.nodePollSeconds, 0.1, 3600),
      preemption: preemption === "cancel" ? "cancel" : "requeue",
      workDir: text("workDir") ?? defaults.workDir,
      commandTimeoutSeconds: seconds("commandTimeoutSeconds", defaults.commandTimeoutSeconds, 1, 600),
      maxConcurrentCommands: count("maxConcurrentCommands", defaults.maxConcurrentCommands, 1, 64),
    };
  }
  if (problems.length > 0) return { problems };
  return { config: { backend: site, halls, slurm } };
}

/** Reads an execution file; a string is the error, naming the file and each problem. */
export function loadExecutionFile(path: string): ExecutionConfig | string {
  let value: unknown;
  try {
    value = parse(readFileSync(path, "utf8"));
  } catch (error) {
    return `${path}: ${(error as Error).message.split("\n")[0]}`;
  }
  const decoded = decodeExecution(value);
  if ("problems" in decoded) return `${path}: ${decoded.problems.join("; ")}`;
  return decoded.config;
}
