import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyRequest } from "fastify";
import { openStore, type Store } from "../store/database.ts";
import { SecurityLog } from "./security.ts";

function request(ip: string, route = "/v1/site"): FastifyRequest {
  return { ip, method: "GET", routeOptions: { url: route } } as unknown as FastifyRequest;
}

describe("security log", () => {
  let store: Store;
  before(async () => {
    store = await openStore({ kind: "pglite", dataDir: "memory" });
  });
  after(() => store.close());

  it("writes at most N events per address a minute, then one summary with the count suppressed", async () => {
    let now = Date.parse("2026-12-04T10:00:05Z");
    const log = new SecurityLog(store.db, { perAddressPerMinute: 3, overallPerMinute: 100, now: () => now });
    for (let attempt = 0; attempt < 50; attempt++)
      log.authenticationFailed(request("198.51.100.7"), "bad-secret", "abc");
    await log.flush();
    const rows = () =>
      store.db.selectFrom("security_events").selectAll().where("address", "=", "198.51.100.7").orderBy("id").execute();
    assert.equal((await rows()).length, 3, "the flood writes 3 rows, not 50");
    now += 60_000;
    log.authenticationFailed(request("198.51.100.7"), "bad-secret", "abc");
    await log.flush();
    const written = await rows();
    assert.deepEqual(
      written.map((row) => [row.kind, row.count]),
      [
        ["auth.failed", 1],
        ["auth.failed", 1],
        ["auth.failed", 1],
        ["suppressed", 47],
        ["auth.failed", 1],
      ],
    );
    assert.deepEqual(written[3]!.detail, {
      from: "2026-12-04T10:00:00.000Z",
      to: "2026-12-04T10:01:00.000Z",
      reason: "limit per address per minute",
    });
    await log.close();
  });

  it("bounds the whole log per minute across many addresses, and summarises at close", async () => {
    const now = Date.parse("2026-12-04T11:00:05Z");
    const log = new SecurityLog(store.db, { perAddressPerMinute: 5, overallPerMinute: 20, now: () => now });
    for (let index = 0; index < 200; index++) log.authenticationFailed(request(`2001:db8::${index}`), "unknown-key");
    await log.close();
    const rows = await store.db
      .selectFrom("security_events")
      .selectAll()
      .where("at", ">=", "2026-12-04T11:00:00.000Z")
      .execute();
    assert.equal(rows.filter((row) => row.kind === "auth.failed").length, 20);
    const summary = rows.find((row) => row.kind === "suppressed");
    assert.equal(summary?.address, "*");
    assert.equal(summary?.count, 180);
  });

  it("throttles an address after N failures in its minute, and not a missing key or another address", () => {
    let now = Date.parse("2026-12-04T12:00:10Z");
    const log = new SecurityLog(store.db, { failuresBeforeThrottle: 4, now: () => now });
    for (let attempt = 0; attempt < 10; attempt++) log.authenticationFailed(request("192.0.2.1"), "missing");
    assert.equal(log.throttledFor("192.0.2.1"), 0, "requests without a key are not guesses");
    for (let attempt = 0; attempt < 3; attempt++) log.authenticationFailed(request("192.0.2.1"), "bad-secret");
    assert.equal(log.throttledFor("192.0.2.1"), 0);
    log.authenticationFailed(request("192.0.2.1"), "expired");
    assert.equal(log.throttledFor("192.0.2.1"), 50_000, "until the minute ends");
    assert.equal(log.throttledFor("192.0.2.2"), 0);
    now += 50_000;
    assert.equal(log.throttledFor("192.0.2.1"), 0);
    return log.close();
  });
});
