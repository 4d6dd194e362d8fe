import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startTestPostgres } from "../support/postgres.ts";
import { runApiSuite } from "./suite.ts";

const server = await startTestPostgres();
if ("skipped" in server) {
  describe("API on PostgreSQL", () => {
    it(`skipped: ${server.skipped}`, { skip: server.skipped }, () => {});
  });
} else {
  // The audit key and checkpoint in a throwaway directory, not the default under ~/.local/state.
  const auditDir = mkdtempSync(join(tmpdir(), "alixan-api-pg-audit-"));
  runApiSuite(
    "PostgreSQL",
    () => ({ kind: "postgres", url: server.createDatabase("api"), auditDir }),
    () => {
      server.stop();
      rmSync(auditDir, { recursive: true, force: true });
    },
  );
}
