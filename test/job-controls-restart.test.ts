/**
 * Holds, dependencies and array throttles are kept with the jobs: after the platform restarts on the same store, a
 * held job is still held, a dependent still waits for its dependency (and is cancelled when it fails), and an array
 * still runs no more than its %N.
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

const directory = mkdtempSync(join(tmpdir(), "alixan-controls-"));
after(() => rmSync(directory, { recursive: true, force: true }));

async function start(seed: boolean, dataDir = directory): Promise<{ app: ComposedApp; url: string }> {
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed,
    features: defaultFeatures({ speed: 60, demoLoad: 0, telemetryInMemory: true }),
  });
  return { app, url: await app.server.listen({ port: 0, host: "127.0.0.1" }) };
}

describe("job controls across a restart", () => {
  it("keeps holds, dependencies and array throttles", async () => {
    let { app, url } = await start(true);
    const lea = app.demoKeys!.find((key) => key.email === "lea.martin@valdiag.example")!.token;
    const call = (method: string, path: string, body?: unknown) => callApi(url, method, path, lea, body);
    const projectId = (await call("GET", "/v1/projects")).body[0].id;
    const base = { projectId, gpus: 1, durationS: 36_000, dataClass: "confidential" };
    const held = (await call("POST", "/v1/jobs", { ...base, name: "held", hold: true })).body;
    assert.equal(held.state, "queued");
    assert.match(held.reason, /^held by/);
    const first = (await call("POST", "/v1/jobs", { ...base, name: "first" })).body;
    const dependent = (
      await call("POST", "/v1/jobs", { ...base, name: "then", dependsOn: [{ kind: "afterok", jobId: first.id }] })
    ).body;
    const array = (await call("POST", "/v1/jobs", { ...base, name: "sweep", array: "0-3%1" })).body;
    // Its first task ends before the restart: read back from the store after it.
    await call("POST", `/v1/jobs/${array.tasks[0].id}/cancel`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.close();

    ({ app, url } = await start(false));
    try {
      const again = (await call("GET", `/v1/jobs/${held.id}`)).body;
      assert.equal(again.state, "queued");
      assert.match(again.reason, /^held by/);
      assert.ok(again.held);
      const waiting = (await call("GET", `/v1/jobs/${dependent.id}`)).body;
      assert.equal(waiting.state, "queued");
      assert.match(waiting.reason, new RegExp(`waiting for job ${first.id}`));
      const tasks = (await call("GET", `/v1/job-arrays/${array.arrayJobId}`)).body;
      assert.equal(tasks.taskCount, 4);
      assert.equal(tasks.maxRunning, 1);
      assert.equal(tasks.states.running ?? 0, 1, JSON.stringify(tasks.states));
      assert.equal(tasks.states.queued, 2);
      assert.equal(tasks.states.cancelled, 1);
      assert.deepEqual(
        tasks.tasks.map((task: Json) => task.arrayTaskId),
        [0, 1, 2, 3],
      );
      // Waiting work is queued again in submission and task order: task 1, which ran before, runs again first.
      assert.deepEqual(
        tasks.tasks.map((task: Json) => `${task.arrayTaskId} ${task.state}`),
        ["0 cancelled", "1 running", "2 queued", "3 queued"],
      );
      // The dependency fails after the restart: the dependent is cancelled with the reason.
      await call("POST", `/v1/jobs/${first.id}/cancel`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const cancelled = (await call("GET", `/v1/jobs/${dependent.id}`)).body as Json;
      assert.equal(cancelled.state, "cancelled");
      assert.match(cancelled.reason, /dependency never satisfied/);
      assert.equal((await call("POST", `/v1/jobs/${held.id}/release`, {})).status, 200);
      assert.equal((await call("GET", `/v1/jobs/${held.id}`)).body.state, "running");
    } finally {
      await app.close();
    }
  });

  it("keeps a job the new site refused as failed, audited, and does not queue it again after a restart", async () => {
    // Found by test/sequences.test.ts (ALIXAN_SEQ_SEED=1, 50 runs of up to 100 steps): a held GB300 job failed when a
    // site change removed the GB300 row, but the store still said queued, and after a restart it waited again.
    const dataDir = join(directory, "refused");
    let { app, url } = await start(true, dataDir);
    const token = (email: string) => app.demoKeys!.find((key) => key.email === email)!.token;
    const lea = token("lea.martin@valdiag.example");
    const admin = token("admin@alixan.local");
    const auditor = token("audit@alixan.local");
    const projectId = (await callApi(url, "GET", "/v1/projects", lea)).body[0].id;
    const held = await callApi(url, "POST", "/v1/jobs", lea, {
      projectId,
      name: "gb300",
      gpus: 4,
      gpuModel: "GB300",
      durationS: 3600,
      dataClass: "confidential",
      hold: true,
    });
    assert.equal(held.status, 201, JSON.stringify(held.body));
    const document = (await callApi(url, "GET", "/v1/site/document", admin)).body;
    const original = structuredClone(document);
    document.halls[0].rows = document.halls[0].rows
      .slice(1)
      .map((row: Json, at: number) => ({ ...row, number: at + 2 }));
    const changed = await callApi(url, "POST", "/v1/site/changes", admin, { summary: "no GB300", site: document });
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    const failed = (await callApi(url, "GET", `/v1/jobs/${held.body.id}`, lea)).body;
    assert.equal(failed.state, "failed", JSON.stringify(failed));
    assert.match(failed.reason, /GB300/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const audit = (await callApi(url, "GET", `/v1/audit?resource=job:${held.body.id}`, auditor)).body as Json[];
    assert.ok(
      audit.some((record) => record.action === "job.failed"),
      JSON.stringify(audit.map((record) => record.action)),
    );
    // The GB300 row is back: a job still stored as waiting would be queued again, and run.
    const restored = await callApi(url, "POST", "/v1/site/changes", admin, { summary: "GB300 back", site: original });
    assert.equal(restored.status, 201, JSON.stringify(restored.body));
    await app.close();
    ({ app, url } = await start(false, dataDir));
    try {
      const again = (await callApi(url, "GET", `/v1/jobs/${held.body.id}`, lea)).body;
      assert.equal(again.state, "failed", again.reason);
    } finally {
      await app.close();
    }
  });
});
