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
 * powerCap:                      # optional: enforce grid-curtailment GPU caps of Slurm jobs (default: modelled only)
 *   command: [/usr/local/sbin/gpu-cap, "--job={job}", "--nodes={nodes}", "--watts={watts}"]
 *   timeoutSeconds: 30
 *   retries: 1                   # further attempts after a failure (a newer cap of the job replaces a retry)
 * ```
 *
 * Slurm has no per-job GPU power limit, so a site enforces one with its own tool (`nvidia-smi -pl`, DCGM) on the
 * job's nodes, run with the rights it needs (sudo rule, setuid wrapper, ssh to the nodes). `powerCap.command` is that
 * tool: an argument list run without a shell whenever a Slurm job's cap changes, and with share 1 (the rack type's full
 * per-GPU power) when the cap is lifted or a capped job stops. Placeholders in its arguments: `{job}` the Slurm job id,
 * `{nodes}` the Slurm host list of its nodes, `{share}` the share of dynamic GPU power allowed (0-1), `{watts}` the
 * per-GPU limit in W (see `gpuWattsAt` in power-cap.ts). An unknown placeholder is refused with its path.
 */
import { Type } from "typebox";
import { isRecord } from "../core/records.ts";
import { parseYamlText, readBoundedText } from "../core/yaml.ts";
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

/** The site's tool that enforces a GPU power cap on a Slurm job's nodes (see the module comment). */
export interface PowerCapSettings {
  /** Program and arguments, with placeholders (`powerCapPlaceholders`); run without a shell. */
  readonly command: readonly string[];
  readonly timeoutSeconds: number;
  /** Further attempts after a failed call (timeout, exit code other than 0), a second apart and more. */
  readonly retries: number;
}

/** The placeholders `powerCap.command` may use, each replaced in every argument it appears in. */
export const powerCapPlaceholders = ["job", "nodes", "share", "watts"] as const;
/** One placeholder name. */
export type PowerCapPlaceholder = (typeof powerCapPlaceholders)[number];

/** The decoded execution configuration. */
export interface ExecutionConfig {
  readonly backend: Backend;
  /** Hall local id (`h1`) → backend, overriding `backend`. */
  readonly halls: Readonly<Record<string, Backend>>;
  readonly slurm: SlurmSettings;
  /** How the Slurm executor enforces GPU power caps; undefined: caps are only modelled in the twin. */
  readonly powerCap?: PowerCapSettings | undefined;
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

/** The `powerCap` section: the site's GPU power-limit tool (placeholders are checked by `powerCapProblems`). */
export const PowerCapSchema = closedObject(
  {
    command: Type.Array(Type.String({ pattern: "\\S", patternErrorMessage: "expected a non-empty argument" }), {
      minItems: 1,
      description:
        "program and arguments, run without a shell when a Slurm job's GPU cap changes; placeholders: {job} (Slurm job id), {nodes} (Slurm host list), {share} (0-1 of dynamic GPU power), {watts} (per-GPU limit, W)",
    }),
    timeoutSeconds: seconds(1, 600, 30),
    retries: Type.Integer({ minimum: 0, maximum: 5, default: 1, description: "further attempts after a failure" }),
  },
  { description: "enforce grid-curtailment GPU caps of Slurm jobs with a site tool (nvidia-smi -pl, DCGM)" },
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
    powerCap: Type.Optional(PowerCapSchema),
  },
  { title: "alixan execution file" },
);

const placeholder = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Problems of a `powerCap` section the schema cannot see, by path within the execution file: a placeholder alixan
 * does not fill (a typo would reach the site's tool as literal text), or a placeholder as the program. Other braces
 * (`{` alone, `{1,2}`) pass through as they are.
 */
export function powerCapProblems(value: unknown): { readonly path: string; readonly message: string }[] {
  if (!isRecord(value) || !isRecord(value["powerCap"])) return [];
  const command = value["powerCap"]["command"];
  if (!Array.isArray(command)) return [];
  const problems: { path: string; message: string }[] = [];
  const known = new Set<string>(powerCapPlaceholders);
  command.forEach((argument, index) => {
    if (typeof argument !== "string") return;
    const path = `powerCap.command[${index}]`;
    for (const match of argument.matchAll(placeholder)) {
      if (index === 0) problems.push({ path, message: "the program must be a path or a name, not a placeholder" });
      else if (!known.has(match[1]!))
        problems.push({
          path,
          message: `unknown placeholder "{${match[1]}}" (known: ${powerCapPlaceholders.map((name) => `{${name}}`).join(", ")})`,
        });
    }
  });
  return problems;
}

/** Decodes an execution configuration; problems name their path (`slurm.pollSeconds: must be at most ...`). */
export function decodeExecution(value: unknown): { config: ExecutionConfig } | { problems: string[] } {
  const checked = checkSchema(ExecutionFileSchema, value ?? {});
  if (!checked.ok) {
    return {
      problems: checked.problems.map((problem) => `${formatPath(problem.path) || "(root)"}: ${problem.message}`),
    };
  }
  const placeholders = powerCapProblems(value);
  if (placeholders.length > 0)
    return { problems: placeholders.map((problem) => `${problem.path}: ${problem.message}`) };
  const file = checked.value;
  const halls: Record<string, Backend> = {};
  for (const [hall, backend] of Object.entries(file.halls)) halls[hall.replace(/^hall:/, "")] = backend;
  const { slurm, powerCap } = file;
  return {
    config: {
      backend: file.backend,
      halls,
      slurm: { ...slurm, conf: slurm.conf, bin: slurm.bin },
      ...(powerCap === undefined ? {} : { powerCap }),
    },
  };
}

/** Reads an execution file; a string is the error, naming the file and each problem. */
export function loadExecutionFile(path: string): ExecutionConfig | string {
  let text: string;
  try {
    text = readBoundedText(path, "config");
  } catch (error) {
    return `${path}: ${(error as Error).message.split("\n")[0]}`;
  }
  const parsed = parseYamlText(text, "config");
  if (!parsed.ok) return `${path}: ${parsed.error}`;
  const decoded = decodeExecution(parsed.value);
  if ("problems" in decoded) return `${path}: ${decoded.problems.join("; ")}`;
  return decoded.config;
}
