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

async function start(seed: boolean): Promise<{ app: ComposedApp; url: string }> {
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: directory },
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
});
