/**
 * `alixan start` (what `npm start` runs): the platform with its defaults — the Alixan campus on the embedded store,
 * demo tenants seeded, the demo load running under its own demo tenants (`--no-demo` for none), listening on
 * 127.0.0.1:3000 — printing the URL and the admin key. `alixan serve` is the same without the demo load by default.
 */
import type { Command } from "commander";
import { type ServeOptions, servePlatform, withServeOptions } from "./serve.ts";

/** Adds the `start` command. */
export function registerStartCommand(program: Command): void {
  withServeOptions(program.command("start").description("start the platform with its defaults (what `npm start` runs)"))
    .option("--no-demo", "no demo load")
    .action((options: ServeOptions) => servePlatform({ ...options, demo: options.demo ?? true }));
}
