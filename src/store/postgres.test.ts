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
  runStoreConformance(
    "PostgreSQL",
    async () => openStore({ kind: "postgres", url: postgres.createDatabase(`conformance_${++databases}`) }),
    () => postgres.stop(),
  );
}
