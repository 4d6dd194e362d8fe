/**
 * A job remembers where it ran: a finished health job's placement (racks, zone, halls), times and history are read
 * by its own tenant, also after the platform restarts on the same store; other tenants see none of it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { callApi } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const directory = mkdtempSync(join(tmpdir(), "alixan-history-"));
after(() => rmSync(directory, { recursive: true, force: true }));

async function start(seed: boolean, dataDir = directory): Promise<{ app: ComposedApp; url: string }> {
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed,
    // One wall-clock second is ten scheduler minutes: a 20-minute job ends within seconds.
    features: defaultFeatures({ speed: 600, demoLoad: 0, telemetryInMemory: true }),
  });
  return { app, url: await app.server.listen({ port: 0, host: "127.0.0.1" }) };
}

describe("job history", () => {
  it("keeps a finished health job's placement and history for its tenant across a restart", async () => {
    let { app, url } = await start(true);
    const lea = app.demoKeys!.find((key) => key.email === "lea.martin@valdiag.example")!.token;
    const hugo = app.demoKeys!.find((key) => key.email === "hugo@rhone-pharma.example")!.token;
    const project = (await callApi(url, "GET", "/v1/projects", lea)).body[0];
    const projectId = project.id;
    const submitted = await callApi(url, "POST", "/v1/jobs", lea, {
      projectId,
      name: "pathology inference",
      gpus: 4,
      durationS: 1200,
      dataClass: "health",
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
    const id = submitted.body.id as string;
    assert.equal(submitted.body.projectName, project.name, "a job names its project");
    const ranOn = submitted.body.placement;
    assert.equal(ranOn.zoneId, "zone:hds");
    assert.ok(ranOn.halls.length > 0 && ranOn.racks.length > 0);

    const deadline = Date.now() + 30_000;
    let job: Json;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await callApi(url, "GET", `/v1/jobs/${id}`, lea)).body;
    } while (job.state !== "succeeded" && Date.now() < deadline);
    assert.equal(job.state, "succeeded");
    assert.deepEqual(job.placement, ranOn, "a finished job still says where it ran");
    assert.ok(job.startedAt !== null && job.endedAt !== null, JSON.stringify(job));

    await app.close();
    ({ app, url } = await start(false));
    try {
      const reread = await callApi(url, "GET", `/v1/jobs/${id}`, lea);
      assert.equal(reread.status, 200);
      assert.equal(reread.body.state, "succeeded");
      assert.deepEqual(reread.body.placement, ranOn);
      assert.equal(reread.body.projectName, project.name, "read back from the store, it still names its project");
      assert.equal(reread.body.startedAt, job.startedAt);
      assert.equal(reread.body.endedAt, job.endedAt);

      const history = await callApi(url, "GET", `/v1/jobs/${id}/history`, lea);
      assert.equal(history.status, 200);
      assert.deepEqual(
        history.body.map((event: Json) => event.event),
        ["job.submit", "job.start", "job.succeeded"],
      );
      const started = history.body[1];
      assert.deepEqual(started.detail.racks, ranOn.racks);
      assert.equal(started.detail.zoneId, "zone:hds");
      assert.deepEqual(started.detail.halls, ranOn.halls);
      assert.equal(history.body[0].detail.dataClass, "health");

      const paged = await callApi(url, "GET", `/v1/jobs/${id}/history?limit=2`, lea);
      assert.equal(paged.body.length, 2);
      const cursor = paged.headers.get("x-next-cursor");
      assert.ok(cursor !== null);
      const rest = await callApi(url, "GET", `/v1/jobs/${id}/history?limit=2&cursor=${cursor}`, lea);
      assert.deepEqual(
        rest.body.map((event: Json) => event.event),
        ["job.succeeded"],
      );

      // Another tenant learns nothing, not even that the job exists.
      assert.equal((await callApi(url, "GET", `/v1/jobs/${id}/history`, hugo)).status, 404);
      assert.equal((await callApi(url, "GET", `/v1/jobs/${id}`, hugo)).status, 404);
      assert.equal((await callApi(url, "GET", "/v1/jobs/job_nope/history", lea)).status, 404);
      assert.equal((await callApi(url, "GET", `/v1/jobs/${id}/history?cursor=x`, lea)).status, 400);
      // A cursor past the id column's range is a 400 naming it, not a database error.
      const huge = await callApi(url, "GET", `/v1/jobs/${id}/history?cursor=99999999999999999999`, lea);
      assert.equal(huge.status, 400);
      assert.match(JSON.stringify(huge.body), /cursor/);
      assert.equal((await callApi(url, "GET", `/v1/jobs/${id}/history?cursor=-1`, lea)).status, 400);
    } finally {
      await app.close();
    }
  });

  it("lists jobs that ended before a restart, with the same filters and cursor paging, to their own tenant only", async () => {
    const dataDir = join(directory, "list");
    let { app, url } = await start(true, dataDir);
    const keyOf = (email: string) => app.demoKeys!.find((key) => key.email === email)!.token;
    const lea = keyOf("lea.martin@valdiag.example");
    const hugo = keyOf("hugo@rhone-pharma.example");
    const admin = keyOf("admin@alixan.local");
    const leaProject = (await callApi(url, "GET", "/v1/projects", lea)).body[0].id;
    const hugoProject = (await callApi(url, "GET", "/v1/projects", hugo)).body[0].id;
    const submit = async (key: string, body: Record<string, unknown>) => {
      const answer = await callApi(url, "POST", "/v1/jobs", key, { gpus: 1, durationS: 600, ...body });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body as Json;
    };
    const leaJobs = [
      await submit(lea, { projectId: leaProject, name: "scan-1", dataClass: "health" }),
      await submit(lea, { projectId: leaProject, name: "scan-2", dataClass: "health" }),
      await submit(lea, { projectId: leaProject, name: "report", dataClass: "public" }),
    ];
    const neverRan = await submit(lea, { projectId: leaProject, name: "scan-held", dataClass: "health", hold: true });
    assert.equal((await callApi(url, "POST", `/v1/jobs/${neverRan.id}/cancel`, lea)).status, 200);
    const hugoJob = await submit(hugo, { projectId: hugoProject, name: "scan-pharma", dataClass: "public" });
    const deadline = Date.now() + 30_000;
    for (const job of [...leaJobs, hugoJob]) {
      let state = "";
      while (state !== "succeeded" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        state = (await callApi(url, "GET", `/v1/jobs/${job.id}`, admin)).body.state;
      }
      assert.equal(state, "succeeded", job.id);
    }
    const before = (await callApi(url, "GET", "/v1/jobs", lea)).body as Json[];
    await app.close();

    ({ app, url } = await start(false, dataDir));
    try {
      // Keys are stored: the same tokens work after the restart (no seed this time).
      const list = async (key: string, query = "") => {
        const answer = await callApi(url, "GET", `/v1/jobs${query}`, key);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        return { jobs: answer.body as Json[], total: Number(answer.headers.get("x-total-count")), answer };
      };
      const all = await list(lea);
      const leaIds = [...leaJobs.map((job) => job.id), neverRan.id];
      assert.deepEqual(all.jobs.map((job) => job.id).sort(), [...leaIds].sort(), "her jobs, all ended before");
      assert.equal(all.total, 4);
      assert.deepEqual(
        all.jobs.map((job) => job.id),
        before.map((job) => job.id),
        "the same jobs in the same order as before the restart",
      );
      const report = all.jobs.find((job) => job.id === leaJobs[2].id);
      assert.equal(report.state, "succeeded");
      assert.ok(report.placement !== null && report.startedAt !== null && report.endedAt !== null);
      assert.deepEqual(report.placement, before.find((job) => job.id === report.id).placement);

      assert.deepEqual(
        (await list(lea, "?state=succeeded")).jobs.map((job) => job.id).sort(),
        leaJobs.map((job) => job.id).sort(),
      );
      assert.deepEqual(
        (await list(lea, "?state=cancelled")).jobs.map((job) => job.id),
        [neverRan.id],
      );
      assert.equal((await list(lea, "?state=queued")).total, 0);
      const scans = await list(lea, "?namePrefix=scan-");
      assert.deepEqual(scans.jobs.map((job) => job.name).sort(), ["scan-1", "scan-2", "scan-held"]);
      const inZone = await list(lea, "?zoneId=zone:hds");
      assert.deepEqual(
        inZone.jobs.map((job) => job.id).sort(),
        [leaJobs[0].id, leaJobs[1].id].sort(),
        "health jobs ran in the certified zone; the held one never ran anywhere",
      );
      assert.equal((await list(lea, "?dataClass=public")).jobs[0].id, leaJobs[2].id);
      const rack = report.placement.racks[0];
      assert.ok((await list(lea, `?rack=${rack}`)).jobs.some((job) => job.id === report.id));
      assert.equal((await list(lea, "?submittedTo=2000-01-01T00:00:00Z")).total, 0);

      // Cursor paging over stored and live jobs alike: a job submitted now comes first.
      const fresh = await submit(lea, { projectId: leaProject, name: "scan-3", dataClass: "health", hold: true });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(lea, `?limit=2${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`);
        assert.equal(page.total, 5);
        seen.push(...page.jobs.map((job) => job.id));
        cursor = page.answer.headers.get("x-next-cursor");
      } while (cursor !== null);
      assert.deepEqual(seen, [fresh.id, ...before.map((job) => job.id)]);

      // Tenants apart: each sees only their own; staff see both, and filter by tenant.
      assert.deepEqual(
        (await list(hugo)).jobs.map((job) => job.id),
        [hugoJob.id],
      );
      assert.equal((await list(hugo, `?tenantId=${leaJobs[0].tenantId}`)).total, 0);
      const staff = await list(admin, `?tenantId=${leaJobs[0].tenantId}`);
      assert.deepEqual(staff.jobs.map((job) => job.id).sort(), [...leaIds, fresh.id].sort());
      assert.ok((await list(admin)).jobs.some((job) => job.id === hugoJob.id));
    } finally {
      await app.close();
    }
  });
});
