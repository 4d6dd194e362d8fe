import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { loadSite } from "../../model/load.ts";
import { openStore, type Store } from "../../store/database.ts";
import { LiveTwin } from "../../twin/live.ts";
import { type RunningUsage, UsageMeter } from "./meter.ts";

const site = loadSite("lab").site!;
const startMs = Date.parse("2027-03-01T10:00:00Z");
const job: RunningUsage = {
  tenantId: "campus",
  projectId: "proj_1",
  userId: "user_1",
  queue: "campus",
  zoneId: "",
  gpuModel: "H200",
  gpus: 8,
  cpuCores: 32,
  itPowerKW: 11,
};

async function rows(store: Store) {
  return store.db.selectFrom("usage_hourly").selectAll().orderBy("hour_start").execute();
}

describe("usage meter", () => {
  const stores: Store[] = [];
  after(async () => {
    for (const store of stores) await store.close();
  });

  it("writes hourly totals whole: flushing twice changes nothing, a second meter continues the hour", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory" });
    stores.push(store);
    const twin = new LiveTwin(site, { startMs });
    const meter = new UsageMeter(store.db, { twin: () => twin, running: () => [job] });
    twin.advanceTo(startMs + 30 * 60_000);
    meter.sample();
    await meter.flush();
    const first = await rows(store);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.hour_start, "2027-03-01T10:00:00.000Z");
    // 30 one-minute points of 8 GPUs.
    assert.ok(Math.abs(first[0]!.gpu_hours - 4) < 1e-9, String(first[0]!.gpu_hours));
    assert.ok(Math.abs(first[0]!.cpu_hours - 16) < 1e-9);
    const site30 = await store.db.selectFrom("usage_site_hourly").selectAll().executeTakeFirstOrThrow();
    assert.ok(first[0]!.it_kwh > 0 && first[0]!.it_kwh <= site30.it_kwh + 1e-9, "never more IT than metered");
    assert.ok(first[0]!.energy_kwh >= first[0]!.it_kwh);

    // Nothing new: sampling and flushing again rewrites the same totals.
    meter.sample();
    await meter.flush();
    await meter.flush();
    assert.deepEqual(
      (await rows(store)).map((row) => row.gpu_hours),
      first.map((row) => row.gpu_hours),
    );

    // A restarted platform meters the same hour on a new twin: it adds to what is stored, never resets or doubles.
    const twin2 = new LiveTwin(site, { startMs: startMs + 30 * 60_000 });
    const meter2 = new UsageMeter(store.db, { twin: () => twin2, running: () => [job] });
    twin2.advanceTo(startMs + 90 * 60_000);
    meter2.sample();
    await meter2.flush();
    await meter2.flush();
    const later = await rows(store);
    assert.deepEqual(
      later.map((row) => row.hour_start),
      ["2027-03-01T10:00:00.000Z", "2027-03-01T11:00:00.000Z"],
    );
    assert.ok(Math.abs(later[0]!.gpu_hours - 8) < 1e-9, `hour 10: ${later[0]!.gpu_hours}`);
    assert.ok(Math.abs(later[1]!.gpu_hours - 4) < 1e-9, `hour 11: ${later[1]!.gpu_hours}`);
  });

  it("keeps unwritten totals after a failed flush and writes them once the store answers", async () => {
    const store = await openStore({ kind: "pglite", dataDir: "memory" });
    stores.push(store);
    const twin = new LiveTwin(site, { startMs });
    let broken = true;
    const flaky = new Proxy(store.db, {
      get(target, property) {
        if (property === "transaction" && broken) throw new Error("store unavailable");
        const value = Reflect.get(target, property, target);
        // Kysely's methods read private fields: call them on the real instance.
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const meter = new UsageMeter(flaky, { twin: () => twin, running: () => [job] });
    twin.advanceTo(startMs + 10 * 60_000);
    meter.sample();
    await assert.rejects(meter.flush(), /store unavailable/);
    assert.equal((await rows(store)).length, 0);
    broken = false;
    await meter.flush();
    // Ten minutes of 8 GPUs, written once.
    assert.ok(Math.abs((await rows(store))[0]!.gpu_hours - 8 / 6) < 1e-9);
  });
});
