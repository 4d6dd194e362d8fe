import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { systemPrincipal, TenancyService } from "../tenancy/service.ts";
import { verifyAuditChain } from "./audit.ts";
import { runStoreConformance } from "./conformance.ts";
import { openStore } from "./database.ts";

runStoreConformance("PGlite in memory", () => openStore({ kind: "pglite", dataDir: "memory" }));

describe("PGlite on disk", () => {
  const directory = mkdtempSync(join(tmpdir(), "alixan-pglite-"));
  after(() => {
    rmSync(directory, { recursive: true, force: true });
    rmSync(`${directory}.audit`, { recursive: true, force: true });
  });

  it("keeps every record across a close and reopen", async () => {
    const context = { principal: systemPrincipal("test"), requestId: "r1" };
    let store = await openStore({ kind: "pglite", dataDir: directory });
    await new TenancyService(store.db).createTenant(context, { id: "campus", name: "Campus", kind: "campus" });
    await store.close();
    store = await openStore({ kind: "pglite", dataDir: directory });
    const tenants = (await new TenancyService(store.db).listTenants(context, { limit: 10 })).items;
    assert.deepEqual(
      tenants.map((tenant) => tenant.id),
      ["campus"],
    );
    assert.equal((await verifyAuditChain(store.db)).records, 1);
    await store.close();
  });
});
