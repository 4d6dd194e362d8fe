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
import { Type } from "typebox";
import { parse } from "yaml";
import { formatPath } from "../model/diagnostics.ts";
import { checkSchema, closedObject } from "../model/schema-check.ts";

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

const seconds = (minimum: number, maximum: number, fallback: number) =>
  Type.Number({ minimum, maximum, default: fallback, description: `seconds from ${minimum} to ${maximum}` });
const path = (options: { default?: string } = {}) =>
  Type.String({
    pattern: "\\S",
    patternErrorMessage: "expected a non-empty path",
    description: "a file or directory path",
    ...options,
  });
const defaults = simulatedExecution.slurm;

/** The Slurm section of an execution file; left-out fields take their defaults. */
export const SlurmSettingsSchema = closedObject(
  {
    conf: Type.Optional(path()),
    bin: Type.Optional(path()),
    pollSeconds: seconds(0.1, 3600, defaults.pollSeconds),
    nodePollSeconds: seconds(0.1, 3600, defaults.nodePollSeconds),
    preemption: Type.Enum(["requeue", "cancel"], { default: defaults.preemption }),
    workDir: path({ default: defaults.workDir }),
    commandTimeoutSeconds: seconds(1, 600, defaults.commandTimeoutSeconds),
    maxConcurrentCommands: Type.Integer({ minimum: 1, maximum: 64, default: defaults.maxConcurrentCommands }),
  },
  { default: {} },
);

/** An execution file (`--execution`, or the `execution` section of alixan.yaml). */
export const ExecutionFileSchema = closedObject(
  {
    backend: Type.Enum(backends, { default: "simulated" }),
    halls: Type.Record(Type.String(), Type.Enum(backends), {
      default: {},
      description: "hall local id (h1, or hall:h1) to backend, overriding backend",
    }),
    slurm: SlurmSettingsSchema,
  },
  { title: "alixan execution file" },
);

/** Decodes an execution configuration; problems name their path (`slurm.pollSeconds: must be at most ...`). */
export function decodeExecution(value: unknown): { config: ExecutionConfig } | { problems: string[] } {
  const checked = checkSchema(ExecutionFileSchema, value ?? {});
  if (!checked.ok) {
    return {
      problems: checked.problems.map((problem) => `${formatPath(problem.path) || "(root)"}: ${problem.message}`),
    };
  }
  const file = checked.value;
  const halls: Record<string, Backend> = {};
  for (const [hall, backend] of Object.entries(file.halls)) halls[hall.replace(/^hall:/, "")] = backend;
  const { slurm } = file;
  return { config: { backend: file.backend, halls, slurm: { ...slurm, conf: slurm.conf, bin: slurm.bin } } };
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
