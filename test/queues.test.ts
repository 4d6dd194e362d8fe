/**
 * Queues as data through the platform API, on the lab site with an on-disk store: a new tenant gets a queue by
 * policy and runs its first job with no manual step; admins change quotas (in GPUs) live and audited, bad changes are
 * refused naming the field, a queue with work cannot be removed; the Kueue export imports back unchanged; the demo
 * load runs only under its own tenants and leaves real tenants' lists and queues alone; everything survives a restart.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { callApi } from "./support/api.ts";
import { runAlixan } from "./support/cli.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const dataDir = mkdtempSync(join(tmpdir(), "alixan-queues-"));
let app: ComposedApp;
let url: string;
const keys: Record<string, string> = {};

async function open(seed: boolean): Promise<void> {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed,
    features: defaultFeatures({ speed: 60, demoLoad: 0, telemetryInMemory: true }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
}

const call = (method: string, path: string, key: string, body?: unknown) => callApi(url, method, path, key, body);
const admin = () => keys["admin@alixan.local"]!;

/** Runs the `alixan` command against the platform with `key` (asynchronous: the platform answers from this process). */
async function alixan(key: string, ...args: string[]) {
  return runAlixan(url, key, args);
}

before(async () => {
  await open(true);
  for (const key of app.demoKeys!) keys[key.email] = key.token;
});
after(async () => {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("queues as data", () => {
  let newKey = "";
  let jobId = "";

  it("shows quotas in GPUs, not milli-GPUs", async () => {
    const queues = (await call("GET", "/v1/queues", admin())).body as Json[];
    const course = queues.find((queue) => queue.name === "campus-course");
    assert.equal(course.nominal.gpu, 8, JSON.stringify(course));
    const student = (await call("GET", "/v1/queues", keys["ines@campus-valence.example"]!)).body as Json[];
    assert.deepEqual(
      student.map((queue) => queue.tenantId).filter((id) => id !== "campus-valence"),
      [],
    );
  });

  it("onboards a new tenant to a running job with no manual step: its queue comes from the new-tenant rule", async () => {
    assert.equal(
      (await call("POST", "/v1/tenants", admin(), { id: "pharma-x", name: "Pharma X", kind: "pharma" })).status,
      201,
    );
    const project = await call("POST", "/v1/projects", admin(), { tenantId: "pharma-x", name: "screening" });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    const user = await call("POST", "/v1/users", admin(), {
      tenantId: "pharma-x",
      name: "Chemist",
      email: "chemist@pharma-x.example",
      role: "tenant-member",
    });
    const key = await call("POST", "/v1/keys", admin(), { userId: user.body.id, name: "first" });
    newKey = key.body.token;
    const queues = (await call("GET", "/v1/queues", newKey)).body as Json[];
    assert.deepEqual(
      queues.map((queue) => [queue.name, queue.cohort]),
      [["pharma-x", "commercial"]],
    );
    const job = await call("POST", "/v1/jobs", newKey, {
      projectId: project.body.id,
      name: "first job",
      gpus: 1,
      gpuModel: "H200",
      durationS: 7200,
      dataClass: "confidential",
    });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    assert.equal(job.body.state, "running", JSON.stringify(job.body));
    jobId = job.body.id;
    const audit = await call("GET", "/v1/audit?resource=queues:v2", keys["audit@alixan.local"]!);
    assert.ok(
      (audit.body as Json[]).some(
        (record) => record.action === "queues.change" && record.after.queuesAdded[0] === "pharma-x",
      ),
      JSON.stringify(audit.body),
    );
  });

  it("changes a quota live, refuses bad changes naming the field, and keeps a queue with work", async () => {
    const put = await call("PUT", "/v1/queues/pharma-x", admin(), {
      tenant: "pharma-x",
      cohort: "commercial",
      quota: { "gpu.H200": { nominal: 4, borrowingLimit: 2 } },
      preemption: { reclaimWithinCohort: "Any" },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const queue = ((await call("GET", "/v1/queues", newKey)).body as Json[])[0];
    assert.deepEqual([queue.nominal["gpu.H200"], queue.borrowingLimit["gpu.H200"], queue.usage["gpu.H200"]], [4, 2, 1]);
    const job = await call("GET", `/v1/jobs/${jobId}`, newKey);
    assert.equal(job.body.state, "running", "the change carried the running job over");

    const lending = await call("PUT", "/v1/queues/pharma-x", admin(), {
      tenant: "pharma-x",
      quota: { "gpu.H200": { nominal: 4, lendingLimit: 9 } },
    });
    assert.equal(lending.status, 400);
    assert.equal(lending.body.errors[0].field, 'body.quota["gpu.H200"].lendingLimit', JSON.stringify(lending.body));
    // A field under a record's entry (Ajv's path reads `%5E.*%24` there) still gets the field it may have meant.
    const misnamed = await call("PUT", "/v1/queues/pharma-x", admin(), {
      tenant: "pharma-x",
      quota: { "gpu.H200": { nominal: 4, borrowLimit: 2 } },
    });
    assert.equal(misnamed.status, 400, JSON.stringify(misnamed.body));
    // Named as the service names its own findings (`lending` above), not `body.quota.gpu.H200.borrowLimit`.
    assert.equal(misnamed.body.errors[0].field, 'body.quota["gpu.H200"].borrowLimit');
    assert.match(misnamed.body.detail, /borrowLimit: unknown field "borrowLimit" \(did you mean "borrowingLimit"\?\)/);
    const cohort = await call("PUT", "/v1/queues/pharma-x", admin(), { tenant: "pharma-x", cohort: "nowhere" });
    assert.equal(cohort.status, 400);
    assert.equal(cohort.body.errors[0].field, "body.cohort");
    const tenant = await call("PUT", "/v1/queues/orphan", admin(), { tenant: "no-such-tenant" });
    assert.equal(tenant.status, 400);
    assert.match(tenant.body.detail, /no tenant no-such-tenant/);
    // Named in the request (the body is the queue), not by the queue's place in the stored set (queues[6].tenant).
    assert.equal(tenant.body.errors[0].field, "body.tenant");
    const config = (await call("GET", "/v1/queue-config", admin())).body.config;
    const whole = await call("PUT", "/v1/queue-config", admin(), {
      config: { ...config, queues: [...config.queues, { name: "orphan", tenant: "no-such-tenant" }] },
    });
    assert.equal(whole.status, 400, JSON.stringify(whole.body));
    assert.equal(whole.body.errors[0].field, `body.config.queues[${config.queues.length}].tenant`);
    const negative = await call("PUT", "/v1/queues/pharma-x", admin(), {
      tenant: "pharma-x",
      quota: { gpu: { nominal: -1 } },
    });
    assert.equal(negative.status, 400);
    // Kueue keeps priorities in 32 bits: a threshold past them is refused by name, not stored.
    const threshold = await call("PUT", "/v1/queues/pharma-x", admin(), {
      tenant: "pharma-x",
      preemption: { borrowWithinCohort: { policy: "LowerPriority", maxPriorityThreshold: 1e308 } },
    });
    assert.equal(threshold.status, 400, JSON.stringify(threshold.body));
    assert.match(threshold.body.detail, /body\.preemption\.borrowWithinCohort\.maxPriorityThreshold/);
    const badName = await call("PUT", "/v1/queues/Bad_Name", admin(), { tenant: "pharma-x" });
    assert.equal(badName.status, 400);
    assert.equal((await call("PUT", "/v1/queues/pharma-x", newKey, { tenant: "pharma-x" })).status, 403);
    assert.equal((await call("GET", "/v1/queue-config", newKey)).status, 403);
    const remove = await call("DELETE", "/v1/queues/pharma-x", admin());
    assert.equal(remove.status, 409);
    assert.match(remove.body.detail, /still has waiting or running jobs/);
    const cohortInUse = await call("DELETE", "/v1/cohorts/commercial", admin());
    assert.equal(cohortInUse.status, 409);
  });

  it("exports Kueue objects that import back to the same configuration", async () => {
    const before = await call("GET", "/v1/queue-config", admin());
    const exported = await fetch(`${url}/v1/queue-config?format=kueue`, {
      headers: { authorization: `Bearer ${admin()}` },
    });
    const text = await exported.text();
    assert.match(text, /kind: ClusterQueue/);
    assert.match(text, /namespace: pharma-x/);
    const imported = await call("POST", "/v1/queue-config/kueue", admin(), { yaml: text, summary: "round trip" });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.equal(imported.body.version, before.body.version + 1);
    const after = await call("GET", "/v1/queue-config", admin());
    assert.deepEqual(after.body.config, before.body.config);
    const bad = await call("POST", "/v1/queue-config/kueue", admin(), {
      yaml: "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /documents\[0\]\.apiVersion/);
    // An alias without its anchor made the YAML package throw: a 500 (found by test/api-fuzz.test.ts).
    const unresolved = await call("POST", "/v1/queue-config/kueue", admin(), { yaml: "*-" });
    assert.equal(unresolved.status, 400, JSON.stringify(unresolved.body));
    assert.match(unresolved.body.errors[0].field, /^body\.yaml/);
    assert.match(unresolved.body.detail, /Unresolved alias/);
  });

  it("runs the demo load only under demo tenants, and stopping it leaves no demo job anywhere", async () => {
    const lea = keys["lea.martin@valdiag.example"]!;
    assert.equal((await call("PUT", "/v1/demo", lea, { running: true })).status, 403);
    const started = await call("PUT", "/v1/demo", admin(), { running: true, load: 0.3 });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.running, true);
    assert.ok(started.body.active > 0, JSON.stringify(started.body));
    const all = (await call("GET", "/v1/jobs?includeDemo=true&limit=500", admin())).body as Json[];
    const demo = all.filter((job) => job.synthetic);
    assert.ok(demo.length > 0);
    assert.ok(
      demo.every((job) => job.tenantId.startsWith("demo:")),
      JSON.stringify(demo.slice(0, 3)),
    );
    const tenantJobs = (await call("GET", "/v1/jobs?limit=500", lea)).body as Json[];
    assert.deepEqual(
      tenantJobs.filter((job) => job.synthetic || job.tenantId !== "valdiag"),
      [],
    );
    const tenantQueues = (await call("GET", "/v1/queues", lea)).body as Json[];
    assert.deepEqual(
      tenantQueues.map((queue) => queue.tenantId).filter((id) => id !== "valdiag"),
      [],
    );
    assert.ok(tenantQueues.every((queue) => Object.values(queue.usage).every((used) => used === 0)));
    const stopped = await call("PUT", "/v1/demo", admin(), { running: false });
    assert.deepEqual([stopped.body.running, stopped.body.active], [false, 0]);
    const left = (await call("GET", "/v1/jobs?includeDemo=true&limit=500", admin())).body as Json[];
    assert.deepEqual(
      left.filter((job) => job.synthetic),
      [],
    );
    assert.equal((await call("GET", `/v1/jobs/${jobId}`, newKey)).body.state, "running");
    const audit = (await call("GET", "/v1/audit?resource=demo", keys["audit@alixan.local"]!)).body as Json[];
    assert.deepEqual(audit.map((record) => record.action).sort(), ["demo.start", "demo.stop"]);
  });

  it("takes a priority class up to the queue's own and a list of accepted GPU models", async () => {
    const project = ((await call("GET", "/v1/projects", newKey)).body as Json[])[0].id;
    const base = { projectId: project, name: "sweep", gpus: 1, durationS: 600, dataClass: "confidential" };
    const critical = await call("POST", "/v1/jobs", newKey, { ...base, priorityClass: "critical" });
    assert.equal(critical.status, 400);
    assert.equal(critical.body.errors[0].field, "body.priorityClass");
    assert.match(critical.body.detail, /allowed: normal, low, best-effort/);
    const low = await call("POST", "/v1/jobs", newKey, { ...base, priorityClass: "low", gpuModels: ["H200", "GB300"] });
    assert.equal(low.status, 201, JSON.stringify(low.body));
    assert.deepEqual([low.body.priorityClass, low.body.gpuModels], ["low", ["H200", "GB300"]]);
    const unknown = await call("POST", "/v1/jobs", newKey, { ...base, gpuModels: ["H200", "A100"] });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors[0].field, "body.gpuModels");
    const both = await call("POST", "/v1/jobs", newKey, { ...base, gpuModel: "H200", gpuModels: ["H200"] });
    assert.equal(both.status, 400);
    assert.equal((await call("POST", `/v1/jobs/${low.body.id}/cancel`, newKey, {})).status, 200);
  });

  it("is driven from the command line: set, list, export, apply, delete, demo", async () => {
    const set = await alixan(
      admin(),
      "queue",
      "set",
      "cli-queue",
      "--tenant",
      "pharma-x",
      "--cohort",
      "commercial",
      "--quota",
      "gpu.H200=2,borrow=1",
    );
    assert.equal(set.code, 0, set.stderr);
    const list = await alixan(newKey, "--json", "queue", "list");
    assert.equal(list.code, 0, list.stderr);
    const mine = JSON.parse(list.stdout) as Json[];
    assert.deepEqual(
      mine.map((queue) => queue.name),
      ["pharma-x", "cli-queue"],
    );
    assert.equal(mine[1].nominal["gpu.H200"], 2);
    const table = await alixan(admin(), "queue", "list");
    assert.match(table.stdout, /cli-queue\s+pharma-x\s+commercial\s+normal\s+gpu\.H200 0\/2 \+1/);
    const exported = await alixan(admin(), "queue", "export");
    assert.match(exported.stdout, /name: cli-queue/);
    const file = join(dataDir, "queues.yaml");
    writeFileSync(file, exported.stdout.replace(/(name: cli-queue[\s\S]*?nominal: )2/, "$1 5"));
    const applied = await alixan(admin(), "queue", "apply", file, "--summary", "more for the CLI queue");
    assert.equal(applied.code, 0, applied.stderr);
    const after = (await call("GET", "/v1/queues", newKey)).body as Json[];
    assert.equal(after.find((queue) => queue.name === "cli-queue").nominal["gpu.H200"], 5);
    const bad = await alixan(admin(), "queue", "set", "cli-queue", "--tenant", "pharma-x", "--quota", "gpu.H200=lots");
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--quota gpu\.H200=lots/);
    const refused = await alixan(newKey, "queue", "delete", "cli-queue");
    assert.notEqual(refused.code, 0);
    const removed = await alixan(admin(), "queue", "delete", "cli-queue");
    assert.equal(removed.code, 0, removed.stderr);
    const status = await alixan(admin(), "demo", "status");
    assert.equal(status.stdout, "demo load stopped\n");
  });

  it("keeps the configuration and its versions across a restart", async () => {
    const before = await call("GET", "/v1/queue-config", admin());
    await app.close();
    await open(true);
    const after = await call("GET", "/v1/queue-config", admin());
    assert.equal(after.body.version, before.body.version);
    assert.deepEqual(after.body.config, before.body.config);
    const queue = ((await call("GET", "/v1/queues", newKey)).body as Json[])[0];
    assert.equal(queue.nominal["gpu.H200"], 4);
    const versions = (await call("GET", "/v1/queue-config/versions?limit=2", admin())).body as Json[];
    assert.deepEqual(
      versions.map((version) => version.version),
      [before.body.version, before.body.version - 1],
    );
  });

  it("refuses more cohorts than a configuration may hold at once, before walking their tree", async () => {
    // A chain of 3,000 cohorts: the rules between entries walk it, which held the server 10 s (16 s as Kueue YAML)
    // before a count checked afterwards refused it. The chain closes on itself: had the rules walked it, the answer
    // would name every cohort as its own ancestor; it names the count alone (no clock: timings live in benchmarks).
    const { version: _version, ...config } = (await call("GET", "/v1/queue-config", admin())).body.config;
    const chain = Array.from({ length: 3000 }, (_, i) => ({
      name: `chain-${i}`,
      parent: `chain-${i === 0 ? 2999 : i - 1}`,
    }));
    const replaced = await call("PUT", "/v1/queue-config", admin(), {
      config: { ...config, cohorts: [...config.cohorts, ...chain] },
    });
    assert.equal(replaced.status, 400, JSON.stringify(replaced.body));
    assert.deepEqual(
      replaced.body.errors.map((error: Json) => error.field),
      ["body.config.cohorts"],
    );
    let yaml = "";
    for (const cohort of chain)
      yaml += `---\napiVersion: kueue.x-k8s.io/v1alpha1\nkind: Cohort\nmetadata:\n  name: ${cohort.name}\nspec:\n  parentName: ${cohort.parent}\n`;
    const imported = await call("POST", "/v1/queue-config/kueue", admin(), { yaml });
    assert.equal(imported.status, 400, JSON.stringify(imported.body));
    assert.match(imported.body.detail, /cohorts: expected at most 200 item\(s\), got 3000/);
    assert.doesNotMatch(JSON.stringify(imported.body), /ancestor/);
    // The same cycle within the count is found by the rules: the refusal above is the count's, not a blind one.
    const small = await call("PUT", "/v1/queue-config", admin(), {
      config: {
        ...config,
        cohorts: [...config.cohorts, ...chain.slice(0, 2), { name: "chain-2999", parent: "chain-1" }],
      },
    });
    assert.equal(small.status, 400, JSON.stringify(small.body));
    assert.match(JSON.stringify(small.body.errors), /own ancestor/);
  });

  it("takes a whole configuration as sent: a null or quoted quota is refused, not coerced to a number", async () => {
    const before = (await call("GET", "/v1/queue-config", admin())).body;
    const config = before.config;
    for (const nominal of [null, "16", true]) {
      const replaced = await call("PUT", "/v1/queue-config", admin(), {
        config: { ...config, queues: [...config.queues, { name: "coerced", quota: { gpu: { nominal } } }] },
      });
      assert.equal(replaced.status, 400, `nominal ${JSON.stringify(nominal)}: ${JSON.stringify(replaced.body)}`);
      assert.match(replaced.body.detail, /nominal/);
    }
    assert.equal((await call("GET", "/v1/queue-config", admin())).body.version, before.version);
    // 2,000 levels of nesting: a copy of the body as sent overflowed structuredClone's stack, a 500 (found by the API
    // fuzzer); the body is now checked as sent, and refused at its first unknown member.
    let deep: Json = {};
    for (let level = 0; level < 2_000; level++) deep = { a: [deep] };
    const nested = await call("PUT", "/v1/queue-config", admin(), { config: deep });
    assert.equal(nested.status, 400, JSON.stringify(nested.body));
    assert.deepEqual(
      nested.body.errors.map((error: Json) => error.field),
      ["body.config.a"],
    );
  });

  it("pages versions before any integer the store holds, and refuses a larger one naming the field", async () => {
    const largest = await call("GET", "/v1/queue-config/versions?before=2147483647&limit=1", admin());
    assert.equal(largest.status, 200, JSON.stringify(largest.body));
    assert.equal(largest.body.length, 1);
    for (const before of ["2147483648", "1e308", "99999999999999999999999"]) {
      const answer = await call("GET", `/v1/queue-config/versions?before=${before}`, admin());
      assert.equal(answer.status, 400, `before=${before}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.type, /application\/problem\+json/);
      assert.deepEqual(
        answer.body.errors.map((error: Json) => error.field),
        ["querystring.before"],
      );
    }
  });
});
