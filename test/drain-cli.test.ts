/**
 * `alixan drain create|list|show|resume` against a running platform: a facility operator drains what a busway feeds
 * with a window and a deadline policy, lists it, and resumes it; a tenant's key is refused; a bad time or two targets
 * are usage errors before any request.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { runAlixan } from "./support/cli.ts";

let app: ComposedApp;
let url: string;
let operatorKey: string;
let tenantKey: string;

async function alixan(key: string, ...args: string[]) {
  return runAlixan(url, key, args);
}

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: defaultFeatures({ telemetryInMemory: true, demoLoad: 0 }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  operatorKey = app.demoKeys!.find((key) => key.role === "facility-operator")!.token;
  tenantKey = app.demoKeys!.find((key) => key.email === "hugo@rhone-pharma.example")!.token;
});
after(async () => {
  await app.close();
});

describe("drain CLI", () => {
  it("creates, lists, shows and resumes a drain of a busway's racks", async () => {
    const created = await alixan(
      operatorKey,
      "--json",
      "drain",
      "create",
      "--busway",
      "h1-r02-a",
      "--reason",
      "busway joint retorque",
      "--until",
      "+4h",
      "--policy",
      "deadline",
      "--deadline",
      "+1h",
    );
    assert.equal(created.code, 0, created.stderr);
    const drain = JSON.parse(created.stdout);
    assert.equal(drain.target, "busway:h1-r02-a");
    assert.equal(drain.area, "row:h1-r02");
    assert.equal(drain.racks, 8);
    assert.equal(drain.state, "active");
    assert.equal(drain.policy, "deadline");
    const windowH = (Date.parse(drain.endsAt) - Date.parse(drain.startsAt)) / 3_600_000;
    assert.ok(Math.abs(windowH - 4) < 0.01, String(windowH));
    assert.ok(Math.abs((Date.parse(drain.deadline) - Date.parse(drain.startsAt)) / 3_600_000 - 1) < 0.01);

    const list = await alixan(operatorKey, "drain", "list", "--state", "active");
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${drain.id}\\s+active\\s+busway:h1-r02-a\\s+8\\s+deadline`));
    assert.match(list.stdout, /busway joint retorque/);

    const shown = await alixan(operatorKey, "--json", "drain", "show", drain.id);
    assert.equal(JSON.parse(shown.stdout).id, drain.id);

    const resumed = await alixan(operatorKey, "--json", "drain", "resume", drain.id);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).state, "ended");
    const again = await alixan(operatorKey, "drain", "resume", drain.id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /409 drain .* has already ended/);
  });

  it("refuses tenants, unknown targets, two targets and bad times", async () => {
    const tenant = await alixan(tenantKey, "drain", "create", "--row", "h1-r02", "--reason", "x");
    assert.equal(tenant.code, 1);
    assert.match(tenant.stderr, /403/);
    const unknown = await alixan(operatorKey, "drain", "create", "--rack", "h9-r01-01", "--reason", "x");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /400 body\.target: no rack rack:h9-r01-01 on site lab/);
    const two = await alixan(operatorKey, "drain", "create", "--row", "h1-r02", "--hall", "h1", "--reason", "x");
    assert.equal(two.code, 2);
    assert.match(two.stderr, /exactly one target/);
    const badTime = await alixan(operatorKey, "drain", "create", "--row", "h1-r02", "--reason", "x", "--until", "soon");
    assert.equal(badTime.code, 2);
    assert.match(badTime.stderr, /--until: "soon" is not a time/);
  });
});
