/**
 * Opening the store: PGlite embedded in the process by default (data in `./data` or ALIXAN_DATA_DIR), a real
 * PostgreSQL when DATABASE_URL is set. Both run the same migrations at open, and both get an audit trail (key and
 * head checkpoint outside the database, see audit-trail.ts) in ALIXAN_AUDIT_DIR or beside the data.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { Kysely, Migrator, PostgresDialect } from "kysely";
import pg from "pg";
import { preparePrivateDirectory, privateFileMode, tightenContents } from "../core/private-files.ts";
import { assertTailIntact } from "./audit.ts";
import { AuditTrail, type AuditTrailMode, defaultAuditDirectory, parsePublishCommand } from "./audit-trail.ts";
import { migrationProvider } from "./migrations.ts";
import { PgliteDialect } from "./pglite-dialect.ts";
import { newPglite } from "./pglite-template.ts";
import type { Database } from "./schema.ts";

/**
 * Where the store lives. `auditDir` holds the audit key and head checkpoint; when absent, ALIXAN_AUDIT_DIR, else
 * `<dataDir>.audit` beside an embedded store, else `~/.local/state/alixan/audit/<host>-<port>-<db>` for PostgreSQL.
 */
export type StoreLocation =
  | { readonly kind: "pglite"; readonly dataDir: string | "memory"; readonly auditDir?: string }
  | { readonly kind: "postgres"; readonly url: string; readonly auditDir?: string };

/** An open store; `close` flushes and releases it. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly location: StoreLocation;
  /** The audit key and head checkpoint of this store. */
  readonly audit: AuditTrail;
  close(): Promise<void>;
}

/** How to open a store. */
export interface OpenStoreOptions {
  /** `verify` opens the audit trail read-only: no key or checkpoint is created, nothing can be appended. */
  readonly audit?: AuditTrailMode;
  readonly environment?: NodeJS.ProcessEnv;
  /** Where the store reports what it fixed or lost (default: stderr lines prefixed `store:`). */
  readonly log?: (message: string) => void;
  /** Where the audit trail reports publication and checkpoint problems (default: stderr lines). */
  readonly auditLog?: (line: string) => void;
}

/** The location from the environment: DATABASE_URL for PostgreSQL, otherwise PGlite under ALIXAN_DATA_DIR or ./data. */
export function locationFromEnvironment(environment: NodeJS.ProcessEnv = process.env): StoreLocation {
  const url = environment["DATABASE_URL"];
  if (url !== undefined && url !== "") return { kind: "postgres", url };
  return { kind: "pglite", dataDir: environment["ALIXAN_DATA_DIR"] ?? "./data" };
}

/** The audit trail files of a location: the key (ALIXAN_AUDIT_KEY_FILE overrides) and the head checkpoint. */
export function auditFilesOf(
  location: StoreLocation,
  environment: NodeJS.ProcessEnv = process.env,
): { keyFile: string | undefined; headFile: string | undefined } {
  const configured = environment["ALIXAN_AUDIT_DIR"];
  const directory =
    location.auditDir ?? (configured !== undefined && configured !== "" ? configured : defaultAuditDirectory(location));
  const keyFile = environment["ALIXAN_AUDIT_KEY_FILE"];
  return {
    keyFile:
      keyFile !== undefined && keyFile !== "" ? keyFile : directory === undefined ? undefined : join(directory, "key"),
    headFile: directory === undefined ? undefined : join(directory, "head.log"),
  };
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
 * Opens the store, brings its schema up to date, and checks its audit tail against the checkpoint. An embedded
 * store's directory must be private (created 0700, refused when other users can write it or it is not ours: see
 * core/private-files.ts); PGlite writes its initial files 0666 whatever the umask, so its files are made 0600 once
 * it is open and again when it closes.
 */
export async function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<Store> {
  const environment = options.environment ?? process.env;
  const mode = options.audit ?? "write";
  const log = options.log ?? ((message: string) => process.stderr.write(`store: ${message}\n`));
  const files = auditFilesOf(location, environment);
  if (mode === "write" && files.headFile !== undefined)
    mkdirSync(dirname(files.headFile), { recursive: true, mode: 0o700 });
  const trail = AuditTrail.open(
    mode,
    {
      keyFile: files.keyFile,
      headFile: files.headFile,
      ...(mode === "write" ? { publishCommand: parsePublishCommand(environment["ALIXAN_AUDIT_PUBLISH_COMMAND"]) } : {}),
    },
    options.auditLog,
  );
  const plugins = [trail.plugin];
  let db: Kysely<Database>;
  let unlock = () => {};
  if (location.kind === "pglite") {
    let database: PGlite;
    if (location.dataDir === "memory") database = await newPglite(undefined, environment);
    else {
      const dataDir = location.dataDir;
      const prepared = preparePrivateDirectory(dataDir);
      if (prepared.tightened) {
        log(`${dataDir} was readable by other users; made it private (0700, files 0600)`);
      }
      const release = lockDataDirectory(dataDir);
      unlock = () => {
        tightenContents(dataDir);
        release();
      };
      try {
        database = await newPglite(dataDir, environment);
        await database.waitReady;
      } catch (error) {
        release();
        throw error;
      }
      tightenContents(dataDir);
    }
    db = new Kysely<Database>({ dialect: new PgliteDialect(database), plugins });
  } else {
    // bigint columns (the audit sequence) come back as numbers, as PGlite returns them.
    const types = {
      getTypeParser: (oid: number, format?: "text" | "binary") =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
    };
    const pool = new pg.Pool({ connectionString: location.url, max: 10, types: types as pg.CustomTypesConfig });
    // An idle client loses its connection when the server restarts: log it, the pool replaces the client.
    pool.on("error", (error) => log(`idle PostgreSQL connection lost: ${error.message}`));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
  }
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    unlock();
    const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`store migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  try {
    await trail.bind(db);
    if (mode === "write") {
      await assertTailIntact(db, trail);
      await trail.startCheckpointing();
    }
  } catch (error) {
    await trail.close();
    await db.destroy();
    unlock();
    throw error;
  }
  return {
    db,
    location,
    audit: trail,
    async close() {
      await trail.close();
      await db.destroy();
      unlock();
    },
  };
}
