import { describe, it } from "node:test";
import { startTestPostgres } from "../support/postgres.ts";
import { runApiSuite } from "./suite.ts";

const server = await startTestPostgres();
if ("skipped" in server) {
  describe("API on PostgreSQL", () => {
    it(`skipped: ${server.skipped}`, { skip: server.skipped }, () => {});
  });
} else {
  runApiSuite(
    "PostgreSQL",
    () => ({ kind: "postgres", url: server.createDatabase("api") }),
    () => server.stop(),
  );
}
