import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startTestPostgres, type TestPostgres } from "../../test/support/postgres.ts";
import { runStoreConformance } from "./conformance.ts";
import { openStore } from "./database.ts";

// PostgreSQL 15 on loopback, started here (`.ci/run` makes sure it is installed).
const server = await startTestPostgres();

if ("skipped" in server) {
  describe("store conformance: PostgreSQL", () => {
    it(`skipped: ${server.skipped}`, { skip: server.skipped }, () => {});
  });
} else {
  const postgres: TestPostgres = server;
  let databases = 0;
  // Audit keys and checkpoints in a throwaway directory, not the default under ~/.local/state.
  const auditRoot = mkdtempSync(join(tmpdir(), "alixan-pg-audit-"));
  runStoreConformance(
    "PostgreSQL",
    async () => {
      const name = `conformance_${++databases}`;
      return openStore({ kind: "postgres", url: postgres.createDatabase(name), auditDir: join(auditRoot, name) });
    },
    () => {
      postgres.stop();
      rmSync(auditRoot, { recursive: true, force: true });
    },
  );
}
