/**
 * Usage that lasts: a tenant's attributed energy, GPU-hours, water and CO2 are stored as they accrue, so a site
 * change (which rebuilds the live twin and empties its history) and a restart on the same embedded store leave them
 * exactly as they were; monthly statements read them back with cost; tenants see only their own.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import type { StoreLocation } from "../src/store/database.ts";
import { callApi } from "./support/api.ts";
import { startTestPostgres } from "./support/postgres.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const directory = mkdtempSync(join(tmpdir(), "alixan-usage-"));
const auditDir = mkdtempSync(join(tmpdir(), "alixan-usage-audit-"));
after(() => {
  rmSync(directory, { recursive: true, force: true });
  rmSync(`${directory}.audit`, { recursive: true, force: true });
  rmSync(auditDir, { recursive: true, force: true });
});

const prices = { currency: "EUR", energyPerKWh: 0.12, gpuHour: { "*": 2 }, cpuCoreHour: 0.01 };

async function start(store: StoreLocation, seed: boolean): Promise<{ app: ComposedApp; url: string }> {
  const app = await composeApp({
    site: "lab",
    store,
    seed,
    // Ten scheduler minutes per wall-clock second: a 20-minute job runs for two seconds.
    features: defaultFeatures({
      speed: 600,
      demoLoad: 0,
      telemetryInMemory: true,
      usageFlushMs: 200,
      usagePrices: prices,
    }),
  });
  return { app, url: await app.server.listen({ port: 0, host: "127.0.0.1" }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const postgres = await startTestPostgres();
after(() => {
  if (!("skipped" in postgres)) postgres.stop();
});

/** The usage scenario on one store: the same checks on the embedded store on disk and on PostgreSQL. */
function usageScenario(name: string, location: () => StoreLocation | string) {
  it(`keeps a tenant's usage unchanged across a site change and a restart, and states it monthly (${name})`, async (context) => {
    const store = location();
    if (typeof store === "string") {
      context.skip(store);
      return;
    }
    let { app, url } = await start(store, true);
    const token = (email: string) => app.demoKeys!.find((key) => key.email === email)!.token;
    const hugo = token("hugo@rhone-pharma.example");
    const lea = token("lea.martin@valdiag.example");
    const admin = token("admin@alixan.local");
    const projectId = (await callApi(url, "GET", "/v1/projects", hugo)).body[0].id;
    const submitted = await callApi(url, "POST", "/v1/jobs", hugo, {
      projectId,
      name: "docking",
      gpus: 8,
      durationS: 1200,
      dataClass: "confidential",
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const id = submitted.body.id as string;
    const deadline = Date.now() + 30_000;
    let job: Json;
    do {
      await sleep(200);
      job = (await callApi(url, "GET", `/v1/jobs/${id}`, hugo)).body;
    } while (job.state !== "succeeded" && Date.now() < deadline);
    assert.equal(job.state, "succeeded");

    // A window wide enough for the accelerated twin's clock, before and after the restart.
    const period = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 60 * 86_400_000).toISOString()}`;
    const pharmaLine = async (key: string) => {
      const usage = await callApi(url, "GET", `/v1/usage?${period}`, key);
      assert.equal(usage.status, 200, JSON.stringify(usage.body));
      return usage.body.tenants.find((line: Json) => line.tenantId === "rhone-pharma");
    };
    const before = await pharmaLine(hugo);
    assert.ok(before.energyKWh > 0 && before.gpuHoursByModel !== undefined, JSON.stringify(before));
    const gpuHours = Object.values(before.gpuHoursByModel as Record<string, number>).reduce((a, b) => a + b, 0);
    // 8 GPUs for 20 minutes, metered minute by minute at the granularity of the twin's ticks.
    assert.ok(gpuHours > 1 && gpuHours < 4, `GPU-hours ${gpuHours}`);
    assert.ok(before.co2Kg > 0 && before.waterL >= 0 && before.itEnergyKWh > 0);
    const hoursBefore = (await callApi(url, "GET", `/v1/usage/hours?${period}&tenant=rhone-pharma`, admin)).body;
    assert.ok(hoursBefore.length > 0);

    // A no-op site change rebuilds the twin; the stored usage stays.
    const doc = (await callApi(url, "GET", "/v1/site/document", admin)).body;
    const changed = await callApi(url, "POST", "/v1/site/changes", admin, { summary: "no-op", site: doc });
    assert.ok(changed.status < 300, JSON.stringify(changed.body));
    await sleep(1500);
    assert.deepEqual(await pharmaLine(hugo), before, "a site change keeps every figure");

    await app.close();
    ({ app, url } = await start(store, false));
    try {
      await sleep(1000);
      assert.deepEqual(await pharmaLine(hugo), before, "a restart keeps every figure");
      const hoursAfter = (await callApi(url, "GET", `/v1/usage/hours?${period}&tenant=rhone-pharma`, admin)).body;
      assert.deepEqual(hoursAfter, hoursBefore);

      // Tenants read only their own: lea's view has no pharma line, and asking for it is refused naming the field.
      assert.equal(await pharmaLine(lea), undefined);
      const refused = await callApi(url, "GET", `/v1/usage?${period}&tenant=rhone-pharma`, lea);
      assert.equal(refused.status, 403);
      assert.match(JSON.stringify(refused.body), /querystring\.tenant/);
      const leaHours = await callApi(url, "GET", `/v1/usage/hours?${period}`, lea);
      assert.ok(leaHours.body.every((row: Json) => row.tenantId === "valdiag"));
      assert.equal(leaHours.headers.get("x-total-count"), String(leaHours.body.length));

      // The statement of the month the job ran in: its figures and its cost at the configured prices.
      const month = (hoursBefore.at(-1).hourStart as string).slice(0, 7);
      const statements = await callApi(url, "GET", `/v1/usage/statements?month=${month}`, hugo);
      assert.equal(statements.status, 200, JSON.stringify(statements.body));
      assert.deepEqual(
        statements.body.statements.map((statement: Json) => statement.tenantId),
        ["rhone-pharma"],
      );
      const statement = statements.body.statements[0];
      const projectName = (await callApi(url, "GET", "/v1/projects", hugo)).body[0].name;
      assert.ok(
        statement.projects.every((line: Json) => line.projectName === projectName),
        "lines name the project",
      );
      assert.ok(statement.cost.projects.every((line: Json) => line.projectName === projectName));
      const cost = statement.cost;
      const expectedEnergy = Math.round(statement.total.energyKWh * 0.12 * 100) / 100;
      assert.equal(cost.currency, "EUR");
      assert.equal(cost.energy, expectedEnergy);
      const statementGpuHours = Object.values(statement.total.gpuHoursByModel as Record<string, number>).reduce(
        (a, b) => a + b,
        0,
      );
      assert.equal(cost.gpu, Math.round(statementGpuHours * 2 * 100) / 100);
      const csv = await (
        await fetch(`${url}/v1/usage/statements?month=${month}&format=csv`, {
          headers: { authorization: `Bearer ${hugo}` },
        })
      ).text();
      assert.match(csv, /^month,tenant,project,jobs,gpu_hours_/);
      assert.match(csv, /cost_total_EUR/);
      assert.doesNotMatch(csv, /valdiag/);
      const everyone = await callApi(url, "GET", `/v1/usage/statements?month=${month}`, admin);
      assert.ok(everyone.body.statements.some((line: Json) => line.tenantId === "rhone-pharma"));
      for (const bad of ["2026-13", "26-01", "2026-1", "", "0050-01", "1999-12"]) {
        const answer = await callApi(url, "GET", `/v1/usage/statements?month=${bad}`, hugo);
        assert.equal(answer.status, 400, bad);
        assert.match(JSON.stringify(answer.body), /month/);
      }

      // Paging the hourly rows one by one gives every row once; a forged cursor is a 400 naming the field.
      const seen: Json[] = [];
      let cursor: string | null = null;
      do {
        const page: Json = await callApi(
          url,
          "GET",
          `/v1/usage/hours?${period}&tenant=rhone-pharma&limit=1${cursor === null ? "" : `&cursor=${cursor}`}`,
          admin,
        );
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.equal(page.headers.get("x-total-count"), String(hoursBefore.length));
        seen.push(...page.body);
        cursor = page.headers.get("x-next-cursor");
      } while (cursor !== null);
      assert.deepEqual(seen, hoursBefore);
      for (const forged of ["bm9wZQ", "W10", "!!", "x".repeat(401)]) {
        const answer = await callApi(url, "GET", `/v1/usage/hours?cursor=${forged}`, admin);
        assert.equal(answer.status, 400, forged);
        assert.match(JSON.stringify(answer.body), /cursor/);
      }
      assert.equal((await callApi(url, "GET", "/v1/usage/hours?limit=1001", admin)).status, 400);
    } finally {
      await app.close();
    }
  });
}

describe("usage that lasts", () => {
  usageScenario("PGlite on disk", () => ({ kind: "pglite", dataDir: directory }));
  usageScenario("PostgreSQL", () =>
    "skipped" in postgres ? postgres.skipped : { kind: "postgres", url: postgres.createDatabase("usage"), auditDir },
  );
});
