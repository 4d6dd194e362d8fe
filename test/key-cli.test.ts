/**
 * `alixan key list` on the store itself shows when each key expires ("never" for a key without an expiry): the
 * operator who sees the platform-admin-keys alarm finds there which keys are about to stop working.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openStore } from "../src/store/database.ts";
import { systemPrincipal, TenancyService } from "../src/tenancy/service.ts";
import { runCliInProcess } from "./support/cli.ts";

const dataDir = mkdtempSync(join(tmpdir(), "alixan-key-cli-"));
after(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(`${dataDir}.audit`, { recursive: true, force: true });
});

/** Runs `alixan ...args --data-dir` in this process: its exit code and standard output. */
const alixan = (...args: string[]) => runCliInProcess([...args, "--data-dir", dataDir]);

describe("alixan key list", () => {
  it("shows each key's expiry, and never for a key without one", async () => {
    const store = await openStore({ kind: "pglite", dataDir });
    const tenancy = new TenancyService(store.db);
    const context = { principal: systemPrincipal("key-cli-test"), requestId: "key-cli" };
    const admin = await tenancy.createUser(context, {
      tenantId: null,
      name: "Admin",
      email: "admin@a.example",
      role: "platform-admin",
    });
    const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const expiring = await tenancy.createApiKey(context, { userId: admin.id, name: "expiring", expiresAt });
    const forever = await tenancy.createApiKey(context, { userId: admin.id, name: "forever" });
    await store.close();

    const listed = await alixan("key", "list");
    assert.equal(listed.code, 0, listed.stdout);
    const lines = listed.stdout.split("\n");
    assert.match(lines[0]!, /^id\s+user\s+name\s+created\s+expires\s+revoked/);
    const row = (id: string) => lines.find((line) => line.startsWith(id)) ?? "";
    assert.match(row(expiring.key.id), new RegExp(`expiring\\s+\\S+\\s+${expiresAt.replace(/\./g, "\\.")}`));
    assert.match(row(forever.key.id), /forever\s+\S+\s+never/);
  });
});
