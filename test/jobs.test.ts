/**
 * Jobs through the platform API on the lab site: health data lands only in the certified zone and the audit log says
 * where; quotas hold a student's job with a reason; tenants see only their own jobs and queues; cancel works.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ComposedApp } from "../src/app/compose.ts";
import { callApi, startSeededLab } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

let app: ComposedApp;
let url: string;
const keys: Record<string, string> = {};

const call = (method: string, path: string, key: string, body?: unknown) => callApi(url, method, path, key, body);
const project = async (key: string) => (await call("GET", "/v1/projects", key)).body[0].id as string;

before(async () => {
  const lab = await startSeededLab();
  ({ app, url } = lab);
  Object.assign(keys, lab.keys);
});
after(async () => {
  await app.close();
});

describe("jobs", () => {
  it("runs a diagnostics tenant's health job in the HDS zone and records where in the audit log", async () => {
    const lea = keys["lea.martin@valdiag.example"]!;
    const submitted = await call("POST", "/v1/jobs", lea, {
      projectId: await project(lea),
      name: "pathology fine-tune",
      gpus: 8,
      durationS: 3600,
      dataClass: "health",
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    assert.equal(submitted.body.state, "running", JSON.stringify(submitted.body));
    assert.equal(submitted.body.placement.zoneId, "zone:hds");
    assert.ok(submitted.body.placement.racks.every((rack: string) => rack.startsWith("rack:h2-")));
    const audit = await call("GET", `/v1/audit?resource=job:${submitted.body.id}`, keys["audit@alixan.local"]!);
    const start = audit.body.find((record: Json) => record.action === "job.start");
    assert.equal(start?.after.zoneId, "zone:hds");
    assert.deepEqual(start?.after.racks, submitted.body.placement.racks);

    const rack = await call(
      "GET",
      `/v1/state/racks/${submitted.body.placement.racks[0]}`,
      keys["camille@alixan.local"]!,
    );
    assert.ok(rack.body.jobs.some((job: Json) => job.id === submitted.body.id));

    const cancelled = await call("POST", `/v1/jobs/${submitted.body.id}/cancel`, lea);
    assert.equal(cancelled.body.state, "cancelled");
  });

  it("refuses health data from a tenant not certified for it, naming the field", async () => {
    const hugo = keys["hugo@rhone-pharma.example"]!;
    const refused = await call("POST", "/v1/jobs", hugo, {
      projectId: await project(hugo),
      name: "x",
      gpus: 1,
      durationS: 60,
      dataClass: "health",
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors[0].field, "body.dataClass");
    const bad = await call("POST", "/v1/jobs", hugo, {
      projectId: await project(hugo),
      name: "x",
      gpus: -1,
      durationS: 0,
      dataClass: "secret",
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((error: Json) => error.field).sort(), [
      "body.dataClass",
      "body.durationS",
      "body.gpus",
    ]);
  });

  it("holds a student's job beyond the course quota with a reason, and hides it from other tenants", async () => {
    const ines = keys["ines@campus-valence.example"]!;
    const big = await call("POST", "/v1/jobs", ines, {
      projectId: await project(ines),
      name: "too big",
      gpus: 8,
      gang: 2,
      durationS: 600,
      dataClass: "public",
    });
    assert.equal(big.status, 201, JSON.stringify(big.body));
    assert.equal(big.body.state, "queued", JSON.stringify(big.body));
    assert.match(big.body.reason, /quota/);
    const hugo = keys["hugo@rhone-pharma.example"]!;
    assert.equal((await call("GET", `/v1/jobs/${big.body.id}`, hugo)).status, 404);
    const listed = await call("GET", "/v1/jobs", hugo);
    assert.ok(listed.body.every((job: Json) => job.tenantId === "rhone-pharma"));
    const queues = await call("GET", "/v1/queues", ines);
    assert.ok(queues.body.length > 0 && queues.body.every((queue: Json) => queue.tenantId === "campus-valence"));
    assert.ok(queues.body.some((queue: Json) => queue.pending >= 1));
  });
  it("attributes the site's energy to tenants: their lines plus idle and overhead equal the site", async () => {
    const hugo = keys["hugo@rhone-pharma.example"]!;
    const job = await call("POST", "/v1/jobs", hugo, {
      projectId: await project(hugo),
      name: "docking",
      gpus: 8,
      durationS: 7200,
      dataClass: "confidential",
    });
    assert.equal(job.body.state, "running", JSON.stringify(job.body));
    // At 60 simulated seconds per second, a few seconds give the twin's minute history some points.
    const admin = keys["admin@alixan.local"]!;
    const deadline = Date.now() + 20_000;
    let usage = await call("GET", "/v1/usage", admin);
    while (!(usage.body.tenants?.find((line: Json) => line.tenantId === "rhone-pharma")?.energyKWh > 0)) {
      assert.ok(Date.now() < deadline, `no usage yet: ${JSON.stringify(usage.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      usage = await call("GET", "/v1/usage", admin);
    }
    const attributed = usage.body.tenants.reduce((sum: number, line: Json) => sum + line.energyKWh, 0);
    const total = attributed + usage.body.idleItEnergyKWh + usage.body.idleOverheadEnergyKWh;
    assert.ok(
      Math.abs(total - usage.body.siteEnergyKWh) < 1e-6 * usage.body.siteEnergyKWh,
      `${total} vs ${usage.body.siteEnergyKWh}`,
    );
    const own = await call("GET", "/v1/usage", hugo);
    assert.ok(own.body.tenants.length > 0 && own.body.tenants.every((line: Json) => line.tenantId === "rhone-pharma"));
    assert.equal(own.body.siteEnergyKWh, undefined, "tenants do not see the site's totals");
    const pharma = own.body.tenants[0];
    assert.ok(pharma.gpuHoursByModel.H200 > 0 || pharma.gpuHoursByModel.GB300 > 0, JSON.stringify(pharma));
  });
  it("filters the job list by zone, hall, rack, data class, name prefix, queue and submission time", async () => {
    const lea = keys["lea.martin@valdiag.example"]!;
    const projectId = await project(lea);
    const submit = (name: string, dataClass: string) =>
      call("POST", "/v1/jobs", lea, { projectId, name, gpus: 1, durationS: 86_400, dataClass });
    const health = await submit("filter-health", "health");
    const open = await submit("filter-public", "public");
    assert.equal(health.body.state, "running", JSON.stringify(health.body));
    assert.equal(open.body.state, "running", JSON.stringify(open.body));
    const ids = async (query: string) =>
      (await call("GET", `/v1/jobs?${query}`, lea)).body.map((job: Json) => job.id as string).sort();
    const inZone = await ids("zoneId=zone:hds&namePrefix=filter-");
    assert.ok(inZone.includes(health.body.id));
    const zoneOfOpen = open.body.placement.zoneId as string | null;
    assert.equal(inZone.includes(open.body.id), zoneOfOpen === "zone:hds");
    for (const id of await ids("zoneId=zone:hds"))
      assert.equal((await call("GET", `/v1/jobs/${id}`, lea)).body.placement.zoneId, "zone:hds");
    assert.deepEqual(await ids("dataClass=health&namePrefix=filter-"), [health.body.id]);
    assert.deepEqual(await ids("namePrefix=filter-pub"), [open.body.id]);
    assert.ok((await ids(`rack=${health.body.placement.racks[0]}`)).includes(health.body.id));
    assert.ok((await ids(`hallId=${health.body.placement.halls[0]}`)).includes(health.body.id));
    assert.deepEqual(await ids(`queue=${health.body.queue}&namePrefix=filter-`), [health.body.id, open.body.id].sort());
    assert.deepEqual(await ids("namePrefix=filter-&submittedTo=2000-01-01T00:00:00Z"), []);
    assert.deepEqual(
      await ids("namePrefix=filter-&submittedFrom=2000-01-01T00:00:00Z"),
      [health.body.id, open.body.id].sort(),
    );
    assert.equal((await call("GET", "/v1/jobs?dataClass=secret", lea)).status, 400);
    assert.equal((await call("GET", "/v1/jobs?submittedFrom=yesterday", lea)).status, 400);
    for (const id of [health.body.id, open.body.id]) await call("POST", `/v1/jobs/${id}/cancel`, lea);
  });
});
