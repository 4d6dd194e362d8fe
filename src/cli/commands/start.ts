/**
 * `alixan start` (what `npm start` runs): loads the shipped Alixan campus and prints its summary.
 * The HTTP server and live twin will take over this command when they exist.
 */
import type { Command } from "commander";
import { summariseSite } from "../../model/summary.ts";
import { printJson, wantsJson } from "../output.ts";
import { loadOrFail, renderSummary } from "./site.ts";

/** Adds the `start` command. */
export function registerStartCommand(program: Command): void {
  program
    .command("start")
    .description("load the Alixan campus and print its summary")
    .option("-s, --site <site>", "shipped site name or site file", "alixan")
    .action((options: { site: string }, command: Command) => {
      const started = performance.now();
      const json = wantsJson(command);
      const { site, analysis } = loadOrFail(options.site, json);
      const summary = summariseSite(site, analysis);
      if (json) {
        printJson(summary);
        return;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      process.stdout.write(`${renderSummary(summary)}\n\nLoaded and validated in ${seconds} s.\n`);
      process.stdout.write("Next: `npx alixan site show lab`, `npx alixan site validate FILE`, `npx alixan --help`.\n");
    });
}
