/**
 * Every mutating route (POST, PUT, PATCH, DELETE) of the whole platform is either audited or exempt for a stated
 * reason, and each audited route, driven once, appends exactly the audit records it should. A new mutating route
 * fails this test until it is classified here.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

/** Mutating routes that write no audit record, and why. */
const exempt: Readonly<Record<string, string>> = {
  "POST /v1/telemetry/samples": "measurements, not platform state: kept in the telemetry log, not the audit chain",
  "POST /v1/telemetry/influx": "measurements, not platform state: kept in the telemetry log, not the audit chain",
  "POST /v1/telemetry/prometheus": "measurements, not platform state: kept in the telemetry log, not the audit chain",
  "POST /api/v1/write": "measurements (Prometheus remote-write): kept in the telemetry log, not the audit chain",
  "POST /write": "measurements (InfluxDB 1 write): kept in the telemetry log, not the audit chain",
  "POST /api/v2/write": "measurements (InfluxDB 2 write): kept in the telemetry log, not the audit chain",
  "POST /v1/telemetry/redfish/events/:target":
    "equipment events and metric reports pushed by a Redfish service: alarm history and the telemetry log keep them",
  "POST /v1/whatif": "a simulation in a worker: it changes nothing",
};

/** Audited mutating routes and the audit action each writes. */
const audited: Readonly<Record<string, string>> = {
  "POST /v1/tenants": "tenant.create",
  "POST /v1/projects": "project.create",
  "POST /v1/users": "user.create",
  "POST /v1/users/:id/disable": "user.disable",
  "POST /v1/keys": "key.create",
  "DELETE /v1/keys/:id": "key.revoke",
  "POST /v1/site/changes": "site.change",
  "POST /v1/state/events": "live.fail-cdu",
  "POST /v1/jobs": "job.submit",
  "POST /v1/jobs/:id/cancel": "job.cancel",
  "POST /v1/jobs/:id/hold": "job.hold",
  "POST /v1/jobs/:id/release": "job.release",
  "POST /v1/jobs/:id/requeue": "job.requeue",
  "POST /v1/job-arrays/:id/cancel": "job.cancel",
  "POST /v1/job-arrays/:id/hold": "job.hold",
  "POST /v1/job-arrays/:id/release": "job.release",
  "POST /v1/alarms/:id/acknowledge": "alarm.acknowledge",
  "POST /v1/alarms/:id/shelve": "alarm.shelve",
  "POST /v1/alarms/:id/unshelve": "alarm.unshelve",
  "PUT /v1/queue-config": "queues.change",
  "POST /v1/queue-config/kueue": "queues.change",
  "PUT /v1/queues/:name": "queues.change",
  "DELETE /v1/queues/:name": "queues.change",
  "PUT /v1/cohorts/:name": "queues.change",
  "DELETE /v1/cohorts/:name": "queues.change",
  "PUT /v1/demo": "demo.stop",
  "POST /v1/drains": "drain.create",
  "POST /v1/drains/:id/resume": "drain.resume",
  "POST /v1/grid/events": "grid.create",
  "POST /v1/grid/events/:id/cancel": "grid.cancel",
};

/** Method and path of every route, from Fastify's route tree. */
function mutatingRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split("\n")) {
    const marker = line.indexOf("── ");
    if (marker < 0) continue;
    const depth = (marker - 1) / 4;
    const match = /^(\S+)(?: \(([^)]*)\))?$/.exec(line.slice(marker + 3).trim());
    if (match === null) continue;
    const path = (depth > 0 ? stack[depth - 1]! : "") + match[1]!;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[2] ?? "").split(", ")) {
      if (["POST", "PUT", "PATCH", "DELETE"].includes(method)) routes.push(`${method} ${path}`);
    }
  }
  return routes.sort();
}

let app: ComposedApp;
const keys: Record<string, string> = {};

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    rateLimitPerMinute: 100_000,
    features: defaultFeatures({ speed: 60, demoLoad: 0, telemetryInMemory: true }),
  });
  for (const key of app.demoKeys!) keys[key.email] = key.token;
});
after(() => app.close());

async function call(method: string, url: string, who: string, payload?: unknown) {
  const response = await app.server.inject({
    method: method as "POST",
    url,
    headers: { authorization: `Bearer ${keys[who]}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: response.body.length > 0 ? (response.json() as Json) : undefined };
}

async function lastSeq(): Promise<number> {
  const head = await app.store.db.selectFrom("audit_head").select("seq").executeTakeFirstOrThrow();
  return Number(head.seq);
}

describe("audit coverage", () => {
  it("classifies every mutating route as audited or exempt", async () => {
    await app.server.ready();
    const routes = mutatingRoutes(app.server.printRoutes({ commonPrefix: false }));
    assert.ok(routes.length >= 15, routes.join("\n"));
    const unclassified = routes.filter((route) => !(route in audited) && !(route in exempt));
    assert.deepEqual(unclassified, [], "mutating routes neither audited nor exempt");
    assert.deepEqual(
      Object.keys(audited)
        .filter((route) => !routes.includes(route))
        .sort(),
      [],
      "audited routes that no longer exist",
    );
  });

  it("each audited route, driven once by its usual caller, appends its record with the caller as actor", async () => {
    const admin = "admin@alixan.local";
    const operator = "camille@alixan.local";
    const lea = "lea.martin@valdiag.example";
    const users = (await call("GET", "/v1/users", admin)).body as Json[];
    const actorOf = (email: string) => users.find((user) => user.email === email)!.id as string;
    const project = ((await call("GET", "/v1/projects", lea)).body as Json[])[0].id;
    let jobId = "";
    let arrayJobId = "";
    let alarmId = "";
    let userId = "";
    let keyId = "";
    let drainId = "";
    let gridEventId = "";
    const steps: { route: string; who: string; run: () => Promise<{ status: number; body: Json }> }[] = [
      {
        route: "POST /v1/tenants",
        who: admin,
        run: () => call("POST", "/v1/tenants", admin, { id: "coverage", name: "Coverage", kind: "research" }),
      },
      {
        route: "PUT /v1/queue-config",
        who: admin,
        run: async () => {
          const current = await call("GET", "/v1/queue-config", admin);
          return call("PUT", "/v1/queue-config", admin, { config: current.body.config, summary: "same again" });
        },
      },
      {
        route: "POST /v1/queue-config/kueue",
        who: admin,
        run: async () => {
          const exported = await app.server.inject({
            method: "GET",
            url: "/v1/queue-config?format=kueue",
            headers: { authorization: `Bearer ${keys[admin]}` },
          });
          return call("POST", "/v1/queue-config/kueue", admin, { yaml: exported.body });
        },
      },
      {
        route: "PUT /v1/cohorts/:name",
        who: admin,
        run: () => call("PUT", "/v1/cohorts/coverage-cohort", admin, { parent: "alixan" }),
      },
      {
        route: "PUT /v1/queues/:name",
        who: admin,
        run: () =>
          call("PUT", "/v1/queues/coverage-extra", admin, {
            tenant: "coverage",
            cohort: "coverage-cohort",
            quota: { gpu: { nominal: 2 } },
          }),
      },
      { route: "DELETE /v1/queues/:name", who: admin, run: () => call("DELETE", "/v1/queues/coverage-extra", admin) },
      {
        route: "DELETE /v1/cohorts/:name",
        who: admin,
        run: () => call("DELETE", "/v1/cohorts/coverage-cohort", admin),
      },
      { route: "PUT /v1/demo", who: admin, run: () => call("PUT", "/v1/demo", admin, { running: false }) },
      {
        route: "POST /v1/projects",
        who: admin,
        run: () => call("POST", "/v1/projects", admin, { tenantId: "coverage", name: "p" }),
      },
      {
        route: "POST /v1/users",
        who: admin,
        run: async () => {
          const created = await call("POST", "/v1/users", admin, {
            tenantId: "coverage",
            name: "C",
            email: "c@coverage.example",
            role: "tenant-member",
          });
          userId = created.body.id;
          return created;
        },
      },
      {
        route: "POST /v1/keys",
        who: admin,
        run: async () => {
          const created = await call("POST", "/v1/keys", admin, { userId, name: "k" });
          keyId = created.body.key?.id ?? created.body.id;
          return created;
        },
      },
      { route: "DELETE /v1/keys/:id", who: admin, run: () => call("DELETE", `/v1/keys/${keyId}`, admin) },
      {
        route: "POST /v1/users/:id/disable",
        who: admin,
        run: () => call("POST", `/v1/users/${userId}/disable`, admin),
      },
      {
        route: "POST /v1/site/changes",
        who: operator,
        run: () =>
          call("POST", "/v1/site/changes", operator, { summary: "rename", patch: { site: { name: "Lab 2" } } }),
      },
      {
        route: "POST /v1/state/events",
        who: operator,
        run: () => call("POST", "/v1/state/events", operator, { action: "fail-cdu", id: "cdu:h1-r01-01" }),
      },
      {
        route: "POST /v1/jobs",
        who: lea,
        run: async () => {
          const submitted = await call("POST", "/v1/jobs", lea, {
            projectId: project,
            name: "coverage",
            gpus: 1,
            durationS: 3600,
            dataClass: "confidential",
          });
          jobId = submitted.body.id;
          return submitted;
        },
      },
      // Requeued and held by its owner, then released: it runs again.
      {
        route: "POST /v1/jobs/:id/requeue",
        who: lea,
        run: () => call("POST", `/v1/jobs/${jobId}/requeue`, lea, { hold: true }),
      },
      { route: "POST /v1/jobs/:id/release", who: lea, run: () => call("POST", `/v1/jobs/${jobId}/release`, lea, {}) },
      // A job waiting on that one, held by staff.
      {
        route: "POST /v1/jobs/:id/hold",
        who: operator,
        run: async () => {
          const waiting = await call("POST", "/v1/jobs", lea, {
            projectId: project,
            name: "after coverage",
            gpus: 1,
            durationS: 3600,
            dataClass: "confidential",
            dependsOn: [{ kind: "afterok", jobId }],
          });
          return call("POST", `/v1/jobs/${waiting.body.id}/hold`, operator, { reason: "maintenance" });
        },
      },
      // An array held whole by its owner, released, then cancelled whole.
      {
        route: "POST /v1/job-arrays/:id/hold",
        who: lea,
        run: async () => {
          const array = await call("POST", "/v1/jobs", lea, {
            projectId: project,
            name: "sweep",
            gpus: 1,
            durationS: 3600,
            dataClass: "confidential",
            array: "0-3%1",
          });
          arrayJobId = array.body.arrayJobId;
          return call("POST", `/v1/job-arrays/${arrayJobId}/hold`, lea, { reason: "coverage" });
        },
      },
      {
        route: "POST /v1/job-arrays/:id/release",
        who: lea,
        run: () => call("POST", `/v1/job-arrays/${arrayJobId}/release`, lea, {}),
      },
      {
        route: "POST /v1/job-arrays/:id/cancel",
        who: lea,
        run: () => call("POST", `/v1/job-arrays/${arrayJobId}/cancel`, lea, {}),
      },
      // Staff cancelling a tenant's job: audited with the operator as actor.
      {
        route: "POST /v1/jobs/:id/cancel",
        who: operator,
        run: () => call("POST", `/v1/jobs/${jobId}/cancel`, operator, { reason: "rack maintenance" }),
      },
      {
        route: "POST /v1/alarms/:id/acknowledge",
        who: operator,
        run: async () => {
          await call("POST", "/v1/telemetry/samples", operator, {
            samples: [
              { name: "leak_detector_state", labels: { equipment: "cdu:h2-r01-02", detector: "Moisture" }, value: 2 },
            ],
          });
          alarmId = ((await call("GET", "/v1/alarms", operator)).body as Json[])[0].id;
          return call("POST", `/v1/alarms/${alarmId}/acknowledge`, operator, { comment: "seen" });
        },
      },
      {
        route: "POST /v1/alarms/:id/shelve",
        who: operator,
        run: () => call("POST", `/v1/alarms/${alarmId}/shelve`, operator, { minutes: 5, comment: "maintenance" }),
      },
      {
        route: "POST /v1/alarms/:id/unshelve",
        who: operator,
        run: () => call("POST", `/v1/alarms/${alarmId}/unshelve`, operator, {}),
      },
      {
        route: "POST /v1/drains",
        who: operator,
        run: async () => {
          const created = await call("POST", "/v1/drains", operator, { target: "cdu:h2-r01-02", reason: "leak" });
          drainId = created.body.id;
          return created;
        },
      },
      {
        route: "POST /v1/drains/:id/resume",
        who: operator,
        run: () => call("POST", `/v1/drains/${drainId}/resume`, operator, {}),
      },
      {
        route: "POST /v1/grid/events",
        who: operator,
        run: async () => {
          const created = await call("POST", "/v1/grid/events", operator, {
            reduceFraction: 0.1,
            start: new Date(Date.now() + 3_600_000).toISOString(),
            durationS: 3600,
            reason: "coverage",
          });
          gridEventId = created.body.id;
          return created;
        },
      },
      {
        route: "POST /v1/grid/events/:id/cancel",
        who: operator,
        run: () => call("POST", `/v1/grid/events/${gridEventId}/cancel`, operator, {}),
      },
    ];
    assert.deepEqual(steps.map((step) => step.route).sort(), Object.keys(audited).sort(), "every audited route driven");
    for (const step of steps) {
      const before = await lastSeq();
      const response = await step.run();
      assert.ok(response.status < 300, `${step.route}: ${response.status} ${JSON.stringify(response.body)}`);
      const records = await app.store.db.selectFrom("audit_log").selectAll().where("seq", ">", before).execute();
      const record = records.find((candidate) => candidate.action === audited[step.route]);
      assert.ok(record, `${step.route} wrote no ${audited[step.route]} record (wrote ${records.map((r) => r.action)})`);
      assert.equal(record.actor, actorOf(step.who), step.route);
    }
    const cancel = await app.store.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "job.cancel")
      .where("resource", "=", `job:${jobId}`)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [(cancel.after as Json).byStaff, (cancel.after as Json).reason],
      [true, "rack maintenance"],
      "a staff cancel records that it was staff, and why",
    );
    const verification = (await call("GET", "/v1/audit/verify", "audit@alixan.local")).body;
    assert.equal(verification.ok, true, JSON.stringify(verification.problems));
  });
});
