/**
 * Opening the store: PGlite embedded in the process by default (data in `./data` or ALIXAN_DATA_DIR), a real
 * PostgreSQL when DATABASE_URL is set. Both run the same migrations at open.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, Migrator, PostgresDialect } from "kysely";
import pg from "pg";
import { preparePrivateDirectory, privateFileMode, tightenContents } from "../core/private-files.ts";
import { migrationProvider } from "./migrations.ts";
import { PgliteDialect } from "./pglite-dialect.ts";
import type { Database } from "./schema.ts";

/** Where the store lives. */
export type StoreLocation =
  | { readonly kind: "pglite"; readonly dataDir: string | "memory" }
  | { readonly kind: "postgres"; readonly url: string };

/** An open store; `close` flushes and releases it. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly location: StoreLocation;
  close(): Promise<void>;
}

/** The location from the environment: DATABASE_URL for PostgreSQL, otherwise PGlite under ALIXAN_DATA_DIR or ./data. */
export function locationFromEnvironment(environment: NodeJS.ProcessEnv = process.env): StoreLocation {
  const url = environment["DATABASE_URL"];
  if (url !== undefined && url !== "") return { kind: "postgres", url };
  return { kind: "pglite", dataDir: environment["ALIXAN_DATA_DIR"] ?? "./data" };
}

/** Describes a location without secrets (no password), for logs. */
export function describeLocation(location: StoreLocation): string {
  if (location.kind === "pglite")
    return location.dataDir === "memory" ? "PGlite (in memory)" : `PGlite at ${location.dataDir}`;
  try {
    const url = new URL(location.url);
    return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is embedded: two processes on one data directory would corrupt it. A lock file holding the owner's pid
 * keeps a second one out (a stale lock from a killed process is taken over).
 */
function lockDataDirectory(dataDir: string): () => void {
  const lockPath = join(dataDir, "alixan.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: "wx", mode: privateFileMode });
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lockPath, "utf8"));
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) {
        throw new Error(
          `the data directory ${dataDir} is in use by process ${owner} (stop it, or go through its HTTP API)`,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`cannot lock the data directory ${dataDir}`);
}

/**
 * Opens the store and brings its schema up to date. An embedded store's directory must be private (created 0700,
 * refused when other users can write it or it is not ours: see core/private-files.ts); PGlite writes its initial
 * files 0666 whatever the umask, so its files are made 0600 once it is open and again when it closes.
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  let db: Kysely<Database>;
  let unlock = () => {};
  if (location.kind === "pglite") {
    let database: PGlite;
    if (location.dataDir === "memory") database = new PGlite();
    else {
      const dataDir = location.dataDir;
      const prepared = preparePrivateDirectory(dataDir);
      if (prepared.tightened) {
        process.stderr.write(`store: ${dataDir} was readable by other users; made it private (0700, files 0600)\n`);
      }
      const release = lockDataDirectory(dataDir);
      unlock = () => {
        tightenContents(dataDir);
        release();
      };
      database = new PGlite(dataDir);
      try {
        await database.waitReady;
      } catch (error) {
        release();
        throw error;
      }
      tightenContents(dataDir);
    }
    db = new Kysely<Database>({ dialect: new PgliteDialect(database) });
  } else {
    // bigint columns (the audit sequence) come back as numbers, as PGlite returns them.
    const types = {
      getTypeParser: (oid: number, format?: "text" | "binary") =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
    };
    const pool = new pg.Pool({ connectionString: location.url, max: 10, types: types as pg.CustomTypesConfig });
    // An idle client loses its connection when the server restarts: log it, the pool replaces the client.
    pool.on("error", (error) => process.stderr.write(`store: idle PostgreSQL connection lost: ${error.message}\n`));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    unlock();
    const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`store migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  return {
    db,
    location,
    async close() {
      await db.destroy();
      unlock();
    },
  };
}
