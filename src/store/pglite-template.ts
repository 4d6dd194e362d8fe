/**
 * Opening PGlite for the store. A new cluster runs PostgreSQL's initdb inside WebAssembly: about 3 s of CPU, the
 * largest part of a platform's start on a new store. When ALIXAN_PGLITE_TEMPLATE names a directory (the test runner
 * sets it: most of its suites open new stores, some several), a new cluster is loaded from a dump of a blank
 * initdb'd one kept there instead (about 1 s), made once by the first process that needs it. Without the variable,
 * every new cluster is initialised by PGlite itself, as in production.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";

/** The variable naming the directory of blank-cluster dumps. */
export const templateVariable = "ALIXAN_PGLITE_TEMPLATE";

/** PGlite's package version: a dump is only loaded by the PGlite that wrote it. */
function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve("@electric-sql/pglite"));
  const manifest = join(dirname(entry), "..", "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** The dump of a blank cluster, read from `directory` or made there first; one per process at most. */
let blankCluster: Promise<Blob> | undefined;

async function loadOrMakeBlankCluster(directory: string): Promise<Blob> {
  const file = join(directory, `pglite-${pgliteVersion()}-blank.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const blank = new PGlite();
  await blank.waitReady;
  const dump = await blank.dumpDataDir("none");
  await blank.close();
  // Written beside and renamed into place: a process starting meanwhile reads a whole dump or none (and makes its own).
  mkdirSync(directory, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
  renameSync(partial, file);
  return dump;
}

/**
 * A PGlite database at `dataDir` (undefined: in memory), not yet ready. A data directory holding a cluster
 * (PG_VERSION) opens as it is; a new one is loaded from the blank-cluster dump when the environment names a template
 * directory.
 */
export async function newPglite(dataDir: string | undefined, environment: NodeJS.ProcessEnv): Promise<PGlite> {
  const directory = environment[templateVariable];
  const hasCluster = dataDir !== undefined && existsSync(join(dataDir, "PG_VERSION"));
  if (directory === undefined || directory === "" || hasCluster) return new PGlite(dataDir);
  // A failure (an unwritable directory) fails this open and is not kept: the next open tries again.
  blankCluster ??= loadOrMakeBlankCluster(directory).catch((error: unknown) => {
    blankCluster = undefined;
    throw error;
  });
  // One options object: PGlite reads a second argument only beside a data directory string.
  const loadDataDir = await blankCluster;
  return new PGlite(dataDir === undefined ? { loadDataDir } : { dataDir, loadDataDir });
}
