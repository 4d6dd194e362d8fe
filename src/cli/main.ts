/**
 * The `alixan` command line. Each command group lives in its own file under `commands/`; this file wires them,
 * sets the global `--json` flag, and turns every failure into one line on standard error and an exit code:
 * 0 ok, 1 invalid input, 2 bad usage. Set ALIXAN_DEBUG=1 to see stack traces of unexpected errors.
 *
 * Command modules are imported lazily: a command group's module (and with it Fastify, DuckDB, Kysely, TypeBox…)
 * loads only when the command line names that group. `alixan --help` and unknown commands see light placeholders
 * built from `commandIndex`, so the top-level help costs little more than starting Node and commander.
 */
import { pathToFileURL } from "node:url";
import { Command, CommanderError, Help } from "commander";
import { CliError, exitCodes } from "./output.ts";

/** Adds one command group's commands, fully defined, to the program. */
type Register = (program: Command) => void;

/** A top-level command as the top-level help lists it, and how to load its module. */
export interface IndexedCommand {
  readonly name: string;
  readonly description: string;
  /** Whether the command has options of its own (the help shows `name [options]`). */
  readonly options: boolean;
  readonly load: () => Promise<Register>;
}

const admin = async (): Promise<Register> => (await import("./commands/admin.ts")).registerAdminCommands;
const queues = async (): Promise<Register> => (await import("./commands/queue.ts")).registerQueueCommands;
const telemetry = async (): Promise<Register> => (await import("./commands/telemetry.ts")).registerTelemetryCommands;

/**
 * Every top-level command, in help order. The descriptions repeat the ones the command modules set (the modules are
 * not loaded for `--help`); src/cli/main.test.ts checks that both stay the same.
 */
export const commandIndex: readonly IndexedCommand[] = [
  {
    name: "start",
    description: "start the platform with its defaults (what `npm start` runs)",
    options: true,
    load: async () => (await import("./commands/start.ts")).registerStartCommand,
  },
  {
    name: "serve",
    description: "run the platform: HTTP API, live state, scheduler",
    options: true,
    load: async () => (await import("./commands/serve.ts")).registerServeCommand,
  },
  {
    name: "site",
    description: "validate, summarise and export site files",
    options: false,
    load: async () => (await import("./commands/site.ts")).registerSiteCommand,
  },
  { name: "tenant", description: "list and create tenants", options: false, load: admin },
  { name: "user", description: "list, create and disable users", options: false, load: admin },
  { name: "key", description: "create, list and revoke API keys", options: false, load: admin },
  { name: "audit", description: "read and verify the keyed, checkpointed audit log", options: false, load: admin },
  {
    name: "simulate",
    description: "simulate the site over time, from rack load to outdoor air, and report PUE, WUE and more",
    options: true,
    load: async () => (await import("./commands/simulate.ts")).registerSimulateCommand,
  },
  {
    name: "whatif",
    description: "compare a scenario with the baseline over the same days (what the console's What-if runs)",
    options: true,
    load: async () => (await import("./commands/whatif.ts")).registerWhatIfCommand,
  },
  {
    name: "schedule",
    description: "workload scheduler: tenant queues, quotas, facility-aware placement, trace replay",
    options: false,
    load: async () => (await import("./commands/schedule.ts")).registerScheduleCommand,
  },
  {
    name: "report",
    description: "EU Energy Efficiency Directive report and per-tenant usage",
    options: false,
    load: async () => (await import("./commands/report.ts")).registerReportCommand,
  },
  {
    name: "telemetry",
    description: "query and follow measured series on a running platform",
    options: false,
    load: telemetry,
  },
  {
    name: "alarms",
    description: "list, acknowledge and shelve alarms on a running platform",
    options: false,
    load: telemetry,
  },
  {
    name: "slurm",
    description: "run admitted jobs on Slurm: configuration for a site",
    options: false,
    load: async () => (await import("./commands/slurm.ts")).registerSlurmCommand,
  },
  {
    name: "config",
    description: "check the platform configuration file (alixan.yaml)",
    options: false,
    load: async () => (await import("./commands/config.ts")).registerConfigCommand,
  },
  {
    name: "job",
    description: "submit, hold, release, requeue and cancel jobs on a running platform",
    options: false,
    load: async () => (await import("./commands/job.ts")).registerJobCommands,
  },
  { name: "queue", description: "queues, cohorts and quotas on a running platform", options: false, load: queues },
  {
    name: "demo",
    description: "start, stop and read the demo load on a running platform",
    options: false,
    load: queues,
  },
  {
    name: "drain",
    description:
      "maintenance drains on a running platform: no new work on racks, rows, halls, a CDU's or busway's racks",
    options: false,
    load: async () => (await import("./commands/drain.ts")).registerDrainCommand,
  },
  {
    name: "grid",
    description: "grid curtailment events on a running platform: create, list, show (with the report), cancel",
    options: false,
    load: async () => (await import("./commands/grid.ts")).registerGridCommand,
  },
  {
    name: "twin",
    description: "calibrate the twin's loop model against measured history",
    options: false,
    load: async () => (await import("./commands/twin.ts")).registerTwinCommands,
  },
];

/** The program with its global options and no commands yet. */
function baseProgram(): Command {
  return new Command()
    .name("alixan")
    .description("Plan, run and explain a sovereign, liquid-cooled AI data center")
    .version("0.1.0")
    .option("--json", "print machine-readable JSON instead of tables")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

/** Makes every command and subcommand throw instead of exiting, so `runCli` maps the outcome to an exit code. */
function overrideExits(program: Command): Command {
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/**
 * The command `argv` names: its first word that is not an option (`--json` is the only global option and takes no
 * value), or the word after `help`. Undefined when there is none.
 */
export function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((word) => !word.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

/** Builds the program with every command fully registered (loads every command module). */
export async function buildProgram(): Promise<Command> {
  const program = baseProgram();
  const loaded = new Set<IndexedCommand["load"]>();
  for (const entry of commandIndex) {
    if (loaded.has(entry.load)) continue;
    loaded.add(entry.load);
    (await entry.load())(program);
  }
  return overrideExits(program);
}

/**
 * Builds the program `argv` needs: the named command's group fully registered, or, when the command line names no
 * known command (`--help`, `--version`, a typo), a placeholder per command so help and "did you mean" still list
 * them all.
 */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const name = commandNamed(argv);
  const entry = commandIndex.find((candidate) => candidate.name === name);
  const program = baseProgram();
  if (entry !== undefined) {
    (await entry.load())(program);
    return overrideExits(program);
  }
  for (const placeholder of commandIndex) program.command(placeholder.name).description(placeholder.description);
  // A placeholder has no options; the help shows `name [options]` where the real command has some.
  const withOptions = new Set(commandIndex.filter((command) => command.options).map((command) => command.name));
  program.configureHelp({
    subcommandTerm(command) {
      const term = Help.prototype.subcommandTerm.call(this, command);
      return withOptions.has(command.name()) ? `${term} [options]` : term;
    },
  });
  return overrideExits(program);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const program = await programFor(argv);
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit through here too, with code 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`alixan: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`alixan: unexpected error: ${(error as Error).message ?? String(error)}\n`);
    if (process.env["ALIXAN_DEBUG"] === "1") process.stderr.write(`${(error as Error).stack}\n`);
    return exitCodes.invalid;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2));
}
