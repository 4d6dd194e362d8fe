import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { systemPrincipal, TenancyService } from "../tenancy/service.ts";
import { verifyAuditChain } from "./audit.ts";
import { openStore } from "./database.ts";
import { templateVariable } from "./pglite-template.ts";

describe("PGlite stores from a blank-cluster template", () => {
  const directory = mkdtempSync(join(tmpdir(), "alixan-pglite-template-"));
  const templates = join(directory, "templates");
  const environment = { [templateVariable]: templates };
  const context = { principal: systemPrincipal("test"), requestId: "r1" };
  after(() => rmSync(directory, { recursive: true, force: true }));

  it("makes the dump once, and new stores from it are independent, durable clusters", async () => {
    const first = await openStore({ kind: "pglite", dataDir: "memory" }, { environment });
    await new TenancyService(first.db).createTenant(context, { id: "first", name: "First", kind: "campus" });
    await first.close();
    const dumps = readdirSync(templates);
    assert.equal(dumps.length, 1, `one dump: ${dumps.join(", ")}`);
    assert.match(dumps[0]!, /^pglite-\d+\.\d+\.\d+-blank\.tar$/);
    const dumpBytes = statSync(join(templates, dumps[0]!)).size;

    // A store on disk from the dump: written, closed, and opened again as the cluster it now is.
    const dataDir = join(directory, "store");
    let store = await openStore({ kind: "pglite", dataDir }, { environment });
    assert.ok(existsSync(join(dataDir, "PG_VERSION")), "a whole cluster in the data directory");
    await new TenancyService(store.db).createTenant(context, { id: "campus", name: "Campus", kind: "campus" });
    await store.close();
    store = await openStore({ kind: "pglite", dataDir }, { environment });
    const tenants = (await new TenancyService(store.db).listTenants(context, { limit: 10 })).items;
    assert.deepEqual(
      tenants.map((tenant) => tenant.id),
      ["campus"],
      "the store's own record, none of the first store's",
    );
    assert.equal((await verifyAuditChain(store.db)).records, 1);
    await store.close();

    // The dump is a blank cluster still: a later store starts empty.
    const later = await openStore({ kind: "pglite", dataDir: "memory" }, { environment });
    assert.deepEqual((await new TenancyService(later.db).listTenants(context, { limit: 10 })).items, []);
    await later.close();
    assert.deepEqual(readdirSync(templates), dumps);
    assert.equal(statSync(join(templates, dumps[0]!)).size, dumpBytes);
  });
});
