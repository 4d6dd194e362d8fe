/**
 * Lists that scale: paging 20,000 jobs with a zone filter returns exactly the jobs whose racks are in that zone,
 * each once, with a total that agrees; every other list answers X-Total-Count within the caller's scope, pages
 * with X-Next-Cursor, and refuses a forged cursor or an unbounded limit naming the field.
 *
 * The 20,000 jobs are submitted straight to the live scheduler of the jobs engine (as the demo load does), not as
 * 20,000 HTTP calls: the list route is what is under test, and it reads the same in-memory records either way.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import type { JobsEngine } from "../src/app/jobs/engine.ts";
import type { JobRecord } from "../src/app/jobs/records.ts";
import { jobSpec } from "../src/scheduler/jobs.ts";
import { callApi } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const jobCount = 20_000;
let app: ComposedApp;
let engine: JobsEngine;
let url: string;
const keys: Record<string, string> = {};
const call = (method: string, path: string, key: string) => callApi(url, method, path, key);

/**
 * The zone of the rack a placed job's first node is in (null: no zone), read from the site rather than through the
 * list's own placement code; undefined for a job not placed.
 */
function zoneOfRecord(record: JobRecord): string | null | undefined {
  const job = record.job;
  if (job.state !== "running" && job.state !== "admitted") return undefined;
  const inventory = record.generation.inventory;
  const rackLevel = inventory.levels[inventory.facility!.rackLevel]!;
  const node = job.nodes.find((candidate) => candidate >= 0);
  if (node === undefined) return undefined;
  return record.generation.site.racks[rackLevel.groupOfNode[node]!]!.zoneId ?? null;
}

/** Every page of a list, following X-Next-Cursor; checks that every page states the same total. */
async function everyPage(path: string, key: string, limit: number): Promise<{ items: Json[]; total: number }> {
  const items: Json[] = [];
  let cursor: string | null = null;
  let total: number | undefined;
  const separator = path.includes("?") ? "&" : "?";
  do {
    const page = await call(
      "GET",
      `${path}${separator}limit=${limit}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
      key,
    );
    assert.equal(page.status, 200, JSON.stringify(page.body));
    const pageTotal = Number(page.headers.get("x-total-count"));
    assert.ok(Number.isInteger(pageTotal), `${path}: X-Total-Count ${page.headers.get("x-total-count")}`);
    if (total !== undefined) assert.equal(pageTotal, total, `${path}: the total moved while paging`);
    total = pageTotal;
    items.push(...(Array.isArray(page.body) ? page.body : page.body.events));
    cursor = page.headers.get("x-next-cursor");
  } while (cursor !== null);
  return { items, total: total ?? 0 };
}

describe("lists that scale", () => {
  before(async () => {
    const { features, jobs } = platformFeatures({ demoLoad: 0, telemetryInMemory: true });
    app = await composeApp({ site: "phase-1", store: { kind: "pglite", dataDir: "memory" }, seed: true, features });
    engine = jobs.engine()!;
    url = await app.server.listen({ port: 0, host: "127.0.0.1" });
    for (const key of app.demoKeys!) keys[key.email] = key.token;
  });
  after(async () => {
    await app?.close();
  });

  it("pages 20,000 jobs filtered by zone: exactly the jobs in that zone, each once", async () => {
    const queues = engine.queues.queues;
    const healthQueue = queues.find((queue) => queue.tenant === "valdiag")!;
    const otherQueue = queues.find((queue) => queue.tenant === "rhone-pharma")!;
    assert.ok(healthQueue !== undefined && otherQueue !== undefined);
    const started = Date.now();
    const generation = engine.generation;
    for (let index = 0; index < jobCount; index++) {
      const health = index % 4 === 0;
      const queue = health ? healthQueue : otherQueue;
      const id = `job_seed${String(index).padStart(6, "0")}`;
      const spec = jobSpec({
        id,
        queue: queue.name,
        submitS: 0,
        // Thirty days: nothing ends while the test pages.
        durationS: 30 * 86_400,
        gpus: 1,
        dataClass: health ? "health" : "public",
      });
      const { submitS: _submitS, ...rest } = spec;
      const job = generation.live.submit(rest);
      engine.add({
        id,
        tenantId: queue.tenant!,
        projectId: "seeded",
        userId: "system:test",
        name: `seeded-${index}`,
        // Not stored: 20,000 job rows and audit records would only queue writes behind the list under test.
        synthetic: true,
        job,
        generation,
      });
    }
    const seededMs = Date.now() - started;
    const records = [...engine.records.values()];
    assert.equal(records.length, jobCount);
    const inZone = new Set(records.filter((record) => zoneOfRecord(record) === "zone:hds").map((record) => record.id));
    const elsewhere = records.filter((record) => zoneOfRecord(record) !== undefined).length - inZone.size;
    // Both sides must be large for the filter to mean something: thousands in the zone, thousands outside it.
    const sample = records.find((record) => record.tenantId !== "valdiag")!;
    assert.ok(
      inZone.size > 1000 && elsewhere > 1000,
      `in zone ${inZone.size}, elsewhere ${elsewhere}; seeded in ${seededMs} ms; ${sample.job.state}: ${sample.job.reason}`,
    );

    const admin = keys["admin@alixan.local"]!;
    const pagedStarted = Date.now();
    const { items, total } = await everyPage("/v1/jobs?zoneId=zone:hds", admin, 1000);
    const pagedMs = Date.now() - pagedStarted;
    assert.equal(total, inZone.size);
    assert.equal(items.length, inZone.size);
    const ids = items.map((job: Json) => job.id as string);
    assert.equal(new Set(ids).size, ids.length, "no job twice");
    assert.deepEqual(new Set(ids), inZone);
    assert.ok(items.every((job: Json) => job.placement.zoneId === "zone:hds"));
    // Newest first, then id: each page continues where the last ended.
    for (let index = 1; index < items.length; index++) {
      const [a, b] = [items[index - 1], items[index]];
      assert.ok(a.submittedAt > b.submittedAt || (a.submittedAt === b.submittedAt && a.id > b.id));
    }
    process.stderr.write(
      `# seeded ${jobCount} jobs in ${seededMs} ms; paged ${inZone.size} in zone:hds (${Math.ceil(inZone.size / 1000)} pages) in ${pagedMs} ms\n`,
    );

    // A tenant's total counts its own jobs only.
    const lea = keys["lea.martin@valdiag.example"]!;
    const own = await call("GET", "/v1/jobs?zoneId=zone:hds&limit=1", lea);
    const leaExpected = records.filter((record) => record.tenantId === "valdiag" && inZone.has(record.id)).length;
    assert.equal(Number(own.headers.get("x-total-count")), leaExpected);
    const hugo = keys["hugo@rhone-pharma.example"]!;
    const none = await call("GET", "/v1/jobs?zoneId=zone:hds&limit=1", hugo);
    assert.equal(
      Number(none.headers.get("x-total-count")),
      records.filter((record) => record.tenantId === "rhone-pharma" && inZone.has(record.id)).length,
    );
  });

  it("gives every list a total within the caller's scope and refuses forged cursors and limits", async () => {
    const admin = keys["admin@alixan.local"]!;
    // Hourly usage rows, as the meter writes them, in the last hours: several per hour, so a page boundary falls both
    // between hours and between keys of one hour (the keyset cursor's two branches).
    const hour = 3_600_000;
    const rows = [];
    for (let back = 1; back <= 3; back++) {
      for (const project of ["paging-a", "paging-b"]) {
        rows.push({
          hour_start: new Date((Math.floor(Date.now() / hour) - back) * hour).toISOString(),
          tenant_id: "valdiag",
          project_id: project,
          user_id: "paging-user",
          queue: "paging",
          zone_id: "",
          gpu_model: "H200",
          gpu_hours: back,
          cpu_hours: 0,
          it_kwh: 1,
          overhead_kwh: 0.1,
          energy_kwh: 1.1,
          co2_kg: 0.05,
          water_l: 0,
          updated_at: new Date().toISOString(),
        });
      }
    }
    await app.store.db.insertInto("usage_hourly").values(rows).execute();
    const hugo = keys["hugo@rhone-pharma.example"]!;
    const lists = [
      "/v1/tenants",
      "/v1/projects",
      "/v1/users",
      "/v1/keys",
      "/v1/audit",
      "/v1/security/events",
      "/v1/alarms?state=all",
      "/v1/drains",
      "/v1/usage/hours",
    ];
    for (const path of lists) {
      const whole = await everyPage(path, admin, 1000);
      assert.equal(whole.items.length, whole.total, path);
      // The hourly usage rows' keyset cursor is their own SQL: it must be walked, not skipped for want of rows.
      if (path === "/v1/usage/hours") assert.ok(whole.total >= 2, `${path}: ${whole.total} rows, too few to page`);
      if (whole.total >= 2) {
        const byOne = await everyPage(path, admin, 1);
        assert.deepEqual(byOne.items, whole.items, `${path} paged one by one`);
      }
      const separator = path.includes("?") ? "&" : "?";
      for (const forged of ["bm9wZQ", "WzEsMiwzLDQsNSw2LDcsOCw5XQ", "%00", "x".repeat(401)]) {
        const answer = await call("GET", `${path}${separator}cursor=${forged}`, admin);
        // Tenancy and drain cursors are ids: a forged one is either refused or pages from that point on.
        if (answer.status !== 200) {
          assert.equal(answer.status, 400, `${path} cursor ${forged}: ${answer.status}`);
          assert.match(JSON.stringify(answer.body), /cursor/, path);
        }
      }
      const unbounded = await call("GET", `${path}${separator}limit=1001`, admin);
      assert.equal(unbounded.status, 400, `${path} limit=1001`);
      assert.match(JSON.stringify(unbounded.body), /limit/);
    }
    // Totals never count another tenant's rows.
    for (const path of ["/v1/tenants", "/v1/projects", "/v1/users", "/v1/keys", "/v1/usage/hours"]) {
      const page = await everyPage(path, hugo, 1000);
      assert.equal(page.items.length, page.total, path);
      for (const item of page.items) {
        const tenant = item.tenantId ?? (path === "/v1/tenants" ? item.id : undefined);
        if (tenant !== undefined) assert.equal(tenant, "rhone-pharma", `${path}: ${JSON.stringify(item)}`);
      }
    }
    // Filters narrow totals: users by role, audit by action.
    const admins = await call("GET", "/v1/users?role=platform-admin", admin);
    assert.ok(admins.body.length >= 1 && admins.body.every((user: Json) => user.role === "platform-admin"));
    assert.equal(Number(admins.headers.get("x-total-count")), admins.body.length);
    const created = await everyPage("/v1/audit?action=tenant.create", admin, 2);
    assert.ok(created.total >= 1 && created.items.every((record: Json) => record.action === "tenant.create"));
  });
});
