/**
 * Output helpers shared by every command: aligned tables for people, JSON for machines (`--json`), progress bars on
 * standard error for long work, and one error type that carries the process exit code.
 */

import { createRequire } from "node:module";
import type { SingleBar } from "cli-progress";
import type { Command } from "commander";

/** Loads cli-progress when a bar is first drawn: every command imports this file, few draw progress. */
const requireModule = createRequire(import.meta.url);

/** Exit codes: 0 ok, 1 the input is invalid (validation errors), 2 bad usage of the command line. */
export const exitCodes = { ok: 0, invalid: 1, usage: 2 } as const;

/** An error the CLI reports as one line and turns into an exit code (never a stack trace). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = exitCodes.invalid) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** Whether the global `--json` flag is set for this command. */
export function wantsJson(command: Command): boolean {
  return command.optsWithGlobals<{ json?: boolean }>().json === true;
}

/** Writes a value as pretty JSON on standard output. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A table column: its header and whether numbers align right. */
export interface Column {
  readonly header: string;
  readonly align?: "left" | "right";
}

/** Renders rows as an aligned text table with a header rule. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  const header = line(columns.map((column) => column.header));
  const rule = widths.map((width) => "─".repeat(width)).join("  ");
  return [header, rule, ...rows.map(line)].join("\n");
}

/** A progress reporter; a no-op when standard error is not a terminal (CI, pipes) or output is JSON. */
export interface Progress {
  update(done: number, detail?: string): void;
  stop(): void;
}

/** Starts a progress bar on standard error for `total` units of work. */
export function startProgress(label: string, total: number, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update() {}, stop() {} };
  const { SingleBar: Bar } = requireModule("cli-progress") as { SingleBar: typeof SingleBar };
  const bar = new Bar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted} {detail}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
  });
  bar.start(total, 0, { detail: "" });
  return {
    update(done, detail = "") {
      bar.update(done, { detail });
    },
    stop() {
      bar.stop();
    },
  };
}
