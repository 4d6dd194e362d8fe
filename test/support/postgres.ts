/**
 * Starts a throwaway PostgreSQL server on loopback for tests (initdb + pg_ctl, as the `postgres` user when running as
 * root), and stops it by its own postmaster pid. Returns undefined when PostgreSQL is not installed, so callers can
 * say why they skip; `.ci/run` installs it so CI never skips.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

/** A running test server. */
export interface TestPostgres {
  readonly url: string;
  /** Creates a fresh database (a copy of database `template` when given, which must have no connection) and returns its URL. */
  createDatabase(name: string, template?: string): string;
  stop(): void;
}

const candidates = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/local/bin", "/usr/bin"];

function findBinaries(): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
}

/** Starts PostgreSQL, or returns undefined with the reason when it is not installed. */
export async function startTestPostgres(): Promise<TestPostgres | { skipped: string }> {
  const binaries = findBinaries();
  if (binaries === undefined) return { skipped: "PostgreSQL (initdb, pg_ctl) is not installed" };
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) => {
    const full = join(binaries, command);
    return asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", full, ...args], { stdio: "pipe" })
      : execFileSync(full, args, { stdio: "pipe" });
  };
  const directory = mkdtempSync(join(tmpdir(), "alixan-pg-"));
  chmodSync(directory, 0o777);
  const dataDir = join(directory, "data");
  if (asRoot) execFileSync("chown", ["postgres", directory]);
  run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  run("pg_ctl", [
    "-D",
    dataDir,
    "-o",
    `-p ${port} -h 127.0.0.1 -k ${directory} -c fsync=off -c max_connections=50`,
    "-l",
    join(directory, "log"),
    "-w",
    "start",
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    createDatabase(name, template) {
      const psql = join(binaries, "psql");
      const from = template === undefined ? "" : ` template "${template}"`;
      const result = spawnSync(psql, [url, "-c", `create database "${name}"${from}`], { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`create database ${name}: ${result.stderr}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      try {
        run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
  };
}
