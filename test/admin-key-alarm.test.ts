/**
 * The platform warns before its admins are locked out by an expiry: on the running platform (store, telemetry and
 * alarms; no twin nor scheduler), a platform admin whose only key expires within the warning raises the
 * `platform-admin-keys` alarm as soon as that key exists; a new key lasting longer clears it at once; a clock past
 * every expiry makes it critical. Both through GET /v1/alarms, as an operator would see it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { alarmsFeature } from "../src/app/features/alarms.ts";
import { telemetryFeature } from "../src/app/features/telemetry.ts";
import { type RequestContext, systemPrincipal } from "../src/tenancy/service.ts";
import { until } from "./support/wait.ts";

const system: RequestContext = { principal: systemPrincipal("test"), requestId: "test" };
const day = 86_400_000;
let clockMs = Date.now();
let app: ComposedApp;

before(async () => {
  const telemetry = telemetryFeature({ inMemory: true });
  const alarms = alarmsFeature(() => ({
    telemetry,
    live: { onSnapshot: () => () => {} },
    jobsOnRack: () => [],
    adminKeyWarningDays: 14,
    clock: () => clockMs,
  }));
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: false,
    features: [telemetry, alarms],
  });
});
after(async () => {
  await app?.close();
});

/**
 * The admin-key alarm as GET /v1/alarms shows it once it has the severity `expected` (undefined: no such alarm), after
 * the check that follows a key change has run; fails naming what it waited for (a second, far below the minute timer).
 */
async function adminKeyAlarm(
  token: string,
  expected: string | undefined,
): Promise<{ severity: string; message: string } | undefined> {
  const seen = await until(
    `the platform-admin-keys alarm ${expected ?? "cleared"}`,
    async () => {
      const answer = await app.server.inject({
        method: "GET",
        url: "/v1/alarms",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(answer.statusCode, 200, answer.body);
      const found = (answer.json() as { key: string; severity: string; message: string }[]).find(
        (alarm) => alarm.key === "platform-admin-keys",
      );
      return found?.severity === expected ? { found } : undefined;
    },
    1_000,
    20,
  );
  return seen.found;
}

describe("the platform-admin key alarm", () => {
  it("warns when the only admin key expires within 14 days, clears on a longer key, is critical past every expiry", async () => {
    const admin = await app.tenancy.createUser(system, {
      tenantId: null,
      name: "Admin",
      email: "admin@a.example",
      role: "platform-admin",
    });
    const short = await app.tenancy.createApiKey(system, {
      userId: admin.id,
      name: "short",
      expiresAt: new Date(Date.now() + 10 * day).toISOString(),
    });
    const warning = await adminKeyAlarm(short.token, "warning");
    assert.equal(warning?.severity, "warning", JSON.stringify(warning));
    assert.match(warning!.message, /only working platform admin API key expires within 14 days/);

    const long = await app.tenancy.createApiKey(system, {
      userId: admin.id,
      name: "long",
      expiresAt: new Date(Date.now() + 100 * day).toISOString(),
    });
    assert.equal(await adminKeyAlarm(long.token, undefined), undefined, "cleared by the longer key");

    // Past both expiries on the platform's clock; any key change (here a key of another user) looks again.
    clockMs = Date.now() + 101 * day;
    const operator = await app.tenancy.createUser(system, {
      tenantId: null,
      name: "Operator",
      email: "operator@a.example",
      role: "facility-operator",
    });
    await app.tenancy.createApiKey(system, { userId: operator.id, name: "ops" });
    const critical = await adminKeyAlarm(long.token, "critical");
    assert.equal(critical?.severity, "critical", JSON.stringify(critical));
    assert.match(critical!.message, /alixan key create/);
  });
});
