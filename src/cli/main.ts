/**
 * The `alixan` command line. Each command group lives in its own file under `commands/`; this file wires them,
 * sets the global `--json` flag, and turns every failure into one line on standard error and an exit code:
 * 0 ok, 1 invalid input, 2 bad usage. Set ALIXAN_DEBUG=1 to see stack traces of unexpected errors.
 */
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { registerAdminCommands } from "./commands/admin.ts";
import { registerDrainCommand } from "./commands/drain.ts";
import { registerReportCommand } from "./commands/report.ts";
import { registerScheduleCommand } from "./commands/schedule.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerSimulateCommand } from "./commands/simulate.ts";
import { registerSiteCommand } from "./commands/site.ts";
import { registerSlurmCommand } from "./commands/slurm.ts";
import { registerStartCommand } from "./commands/start.ts";
import { registerTelemetryCommands } from "./commands/telemetry.ts";
import { registerTwinCommands } from "./commands/twin.ts";
import { CliError, exitCodes } from "./output.ts";

/** Builds the program with every command registered (tests drive it without spawning a process). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("alixan")
    .description("Plan, run and explain a sovereign, liquid-cooled AI data center")
    .version("0.1.0")
    .option("--json", "print machine-readable JSON instead of tables")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerStartCommand(program);
  registerServeCommand(program);
  registerSiteCommand(program);
  registerAdminCommands(program);
  registerSimulateCommand(program);
  registerScheduleCommand(program);
  registerReportCommand(program);
  registerTelemetryCommands(program);
  registerSlurmCommand(program);
  registerTwinCommands(program);
  registerDrainCommand(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
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
