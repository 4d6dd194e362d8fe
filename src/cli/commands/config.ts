/**
 * `alixan config check [file]`: checks an `alixan.yaml` (src/config/file.ts) and prints every problem as
 * `file:line:col: error path: message`; exit code 1 when there is one. The file comes from the argument, `--config`,
 * or ALIXAN_CONFIG.
 */
import type { Command } from "commander";
import { checkConfigText, configDirectory } from "../../config/file.ts";
import { readBoundedText } from "../../core/yaml.ts";
import { CliError, exitCodes, printJson, wantsJson } from "../output.ts";

/** Adds the `config` command group. */
export function registerConfigCommand(program: Command): void {
  const config = program.command("config").description("check the platform configuration file (alixan.yaml)");
  config
    .command("check")
    .description("check every section of alixan.yaml: site, store, telemetry, execution, queues, logging")
    .argument("[file]", "the configuration file (default: --config, then ALIXAN_CONFIG)")
    .option("--config <file>", "the configuration file", process.env["ALIXAN_CONFIG"])
    .action((file: string | undefined, options: { config?: string }, command: Command) => {
      const path = file ?? options.config;
      if (path === undefined || path === "") {
        throw new CliError("config check: name the file (argument, --config or ALIXAN_CONFIG)", exitCodes.usage);
      }
      let text: string;
      try {
        text = readBoundedText(path, "config");
      } catch (error) {
        throw new CliError(`${path}: ${(error as Error).message}`, exitCodes.invalid);
      }
      const problems = checkConfigText(text, configDirectory(path));
      if (wantsJson(command)) printJson({ ok: problems.length === 0, problems });
      else {
        for (const problem of problems) {
          const at = problem.line === undefined ? "" : `:${problem.line}:${problem.column ?? 1}`;
          process.stderr.write(
            `${path}${at}: error ${problem.path === "" ? "" : `${problem.path}: `}${problem.message}\n`,
          );
        }
        if (problems.length === 0) process.stdout.write(`${path}: valid\n`);
      }
      if (problems.length > 0) {
        if (!wantsJson(command)) process.stderr.write(`${path}: ${problems.length} problem(s)\n`);
        process.exitCode = exitCodes.invalid;
      }
    });
}
