import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runApiSuite } from "./suite.ts";

const directory = mkdtempSync(join(tmpdir(), "alixan-api-"));
runApiSuite(
  "PGlite (on disk)",
  () => ({ kind: "pglite", dataDir: directory }),
  () => {
    rmSync(directory, { recursive: true, force: true });
    rmSync(`${directory}.audit`, { recursive: true, force: true });
  },
);
