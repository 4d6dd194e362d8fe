/**
 * Maintenance drains end to end, through the HTTP API of a real server on the lab site: a row with running work is
 * drained under each policy (requeue: the jobs restart elsewhere now; finish: they end where they run; deadline: they
 * run until the deadline, then restart elsewhere), and no new job lands on the drained row meanwhile. A scheduled
 * drain of what a CDU feeds becomes active at its start and a waiting job's reason names it (id and reason), also
 * after a restart; resuming it lets the job in. Bad input is a 4xx naming the field; tenants cannot drain.
 *
 * Lab: H200 racks are in rows h1-r02 (hall h1) and h2-r01 (the health suite, which also takes confidential work);
 * the GB300 racks all sit in row h1-r01, whose loop CDU cdu:h1-r01-01 serves.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { type ApiAnswer, callApi } from "./support/api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const directory = mkdtempSync(join(tmpdir(), "alixan-drains-"));
let app: ComposedApp;
let url: string;
const keys = { operator: "", admin: "", hugo: "", tenantAdmin: "", auditor: "" };
let projectId = "";

async function start(seed: boolean): Promise<void> {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: directory },
    seed,
    // One wall-clock second is ten scheduler minutes: a 30-minute job ends in 3 s; drains run on the wall clock.
    features: defaultFeatures({ speed: 600, demoLoad: 0, telemetryInMemory: true }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
}

before(async () => {
  await start(true);
  const key = (email: string) => app.demoKeys!.find((candidate) => candidate.email === email)!.token;
  keys.operator = key("camille@alixan.local");
  keys.admin = key("admin@alixan.local");
  keys.hugo = key("hugo@rhone-pharma.example");
  keys.tenantAdmin = key("admin@rhone-pharma.example");
  keys.auditor = key("audit@alixan.local");
  projectId = (await callApi(url, "GET", "/v1/projects", keys.hugo)).body[0].id;
});
after(async () => {
  await app.close();
  rmSync(directory, { recursive: true, force: true });
});

const api = (method: string, path: string, key: string, body?: unknown): Promise<ApiAnswer> =>
  callApi(url, method, path, key, body);

async function submit(name: string, gpuModel: string, durationS: number): Promise<Json> {
  const answer = await api("POST", "/v1/jobs", keys.hugo, {
    projectId,
    name,
    // One HGX server (8 H200) or one GB300 tray (4 GPUs).
    gpus: gpuModel === "GB300" ? 4 : 8,
    gpuModel,
    durationS,
    dataClass: "confidential",
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

const job = async (id: string): Promise<Json> => (await api("GET", `/v1/jobs/${id}`, keys.hugo)).body;
const history = async (id: string): Promise<Json[]> => (await api("GET", `/v1/jobs/${id}/history`, keys.hugo)).body;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const onRow = (placement: Json, row: string) =>
  placement !== null && placement.racks.length > 0 && placement.racks.every((rack: string) => rack.startsWith(row));
const offRow = (placement: Json, row: string) =>
  placement !== null && placement.racks.length > 0 && placement.racks.every((rack: string) => !rack.startsWith(row));

async function drain(body: Record<string, unknown>): Promise<Json> {
  const answer = await api("POST", "/v1/drains", keys.operator, body);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function resume(id: string): Promise<Json> {
  const answer = await api("POST", `/v1/drains/${id}/resume`, keys.operator, {});
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.state, "ended");
  return answer.body;
}

/** Resumes a drain a failed test left open, so the next tests start from an undrained site. */
async function resumeIfOpen(id: string): Promise<void> {
  const current = await api("GET", `/v1/drains/${id}`, keys.operator);
  if (current.body.state !== "ended") await api("POST", `/v1/drains/${id}/resume`, keys.operator, {});
}
const cleanups: (() => Promise<void>)[] = [];

async function cancelAll(ids: readonly string[]): Promise<void> {
  for (const id of ids) await api("POST", `/v1/jobs/${id}/cancel`, keys.hugo, { reason: "test cleanup" });
}

/** Submits long H200 jobs until `count` run on row h1-r02 (non-health work prefers racks outside certified zones). */
async function runningOnRow(count: number, name: string, durationS: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const submitted = await submit(`${name}-${index}`, "H200", durationS);
    assert.equal(submitted.state, "running", JSON.stringify(submitted));
    assert.ok(onRow(submitted.placement, "rack:h1-r02"), JSON.stringify(submitted.placement));
    ids.push(submitted.id);
  }
  return ids;
}

/**
 * The site document in force, a change of it by an edit (applied through the API as a platform admin), and the way
 * back to it.
 */
async function siteEditor() {
  const original = (await api("GET", "/v1/site/document", keys.admin)).body;
  const change = (summary: string, edit: (document: Json) => void) => {
    const document = structuredClone(original);
    edit(document);
    return api("POST", "/v1/site/changes", keys.admin, { summary, site: document });
  };
  const restore = async () => {
    const back = await api("POST", "/v1/site/changes", keys.admin, { summary: "back", site: original });
    assert.ok([200, 201].includes(back.status), JSON.stringify(back.body));
  };
  return { change, restore };
}

describe("maintenance drains", () => {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  it("requeue: running work on the drained row restarts elsewhere now, keeping its history", async () => {
    const ids = await runningOnRow(3, "requeue", 100_000);
    const made = await drain({ target: "row:h1-r02", reason: "busway thermography", policy: "requeue" });
    cleanups.push(() => resumeIfOpen(made.id));
    assert.equal(made.state, "active");
    assert.equal(made.racks, 8);
    assert.equal(made.owner, (await api("GET", "/v1/me", keys.operator)).body.userId);
    for (const id of ids) {
      const moved = await until(`job ${id} running off row h1-r02`, async () => {
        const current = await job(id);
        return current.state === "running" && offRow(current.placement, "rack:h1-r02") ? current : undefined;
      });
      assert.ok(onRow(moved.placement, "rack:h2-r01"), JSON.stringify(moved.placement));
      const events = await history(id);
      assert.deepEqual(
        events.map((event: Json) => event.event),
        ["job.submit", "job.start", "job.preempted", "job.start"],
      );
      assert.equal(events[2].detail.drainId, made.id);
      assert.match(events[2].detail.reason, new RegExp(`drain ${made.id} of row:h1-r02 \\(busway thermography\\)`));
      assert.ok(events[1].detail.racks.every((rack: string) => rack.startsWith("rack:h1-r02")));
    }
    const fresh = await submit("after-requeue", "H200", 100_000);
    assert.equal(fresh.state, "running");
    assert.ok(offRow(fresh.placement, "rack:h1-r02"), JSON.stringify(fresh.placement));
    await resume(made.id);
    await cancelAll([...ids, fresh.id]);
  });

  it("finish: running work ends where it runs; new work goes elsewhere until the drain is resumed", async () => {
    // 80 scheduler minutes: 8 s of wall clock, ending while the drain is in force.
    const ids = await runningOnRow(2, "finish", 4800);
    const made = await drain({ target: "row:h1-r02", reason: "PDU firmware", policy: "finish" });
    let fresh: Json;
    try {
      fresh = await submit("during-finish", "H200", 100_000);
      assert.ok(onRow(fresh.placement, "rack:h2-r01"), "it runs in the suite");
      for (const id of ids) {
        const ended = await until(`job ${id} to finish`, async () => {
          const current = await job(id);
          return current.state === "succeeded" ? current : undefined;
        });
        assert.ok(Date.parse(ended.endedAt) > Date.parse(made.createdAt), "it ran on under the drain");
        assert.ok(onRow(ended.placement, "rack:h1-r02"), JSON.stringify(ended.placement));
        assert.deepEqual(
          (await history(id)).map((event: Json) => event.event),
          ["job.submit", "job.start", "job.succeeded"],
          "finish leaves running work alone",
        );
      }
    } finally {
      await resume(made.id);
    }
    const afterResume = await submit("after-finish", "H200", 100_000);
    assert.ok(onRow(afterResume.placement, "rack:h1-r02"), "a resumed row takes work again");
    await cancelAll([fresh.id, afterResume.id]);
  });

  it("deadline: running work stays until the deadline, then restarts elsewhere", async () => {
    const ids = await runningOnRow(2, "deadline", 100_000);
    const deadline = new Date(Date.now() + 4000).toISOString();
    const made = await drain({ target: "row:h1-r02", reason: "CDU valve swap", policy: "deadline", deadline });
    cleanups.push(() => resumeIfOpen(made.id));
    assert.equal(made.deadline, deadline);
    const fresh = await submit("before-deadline", "H200", 100_000);
    assert.ok(offRow(fresh.placement, "rack:h1-r02"), JSON.stringify(fresh.placement));
    // Read before the deadline (a slow machine may get here after it: the history below shows when they moved).
    if (Date.now() < Date.parse(deadline) - 500)
      for (const id of ids) assert.ok(onRow((await job(id)).placement, "rack:h1-r02"), "runs on until the deadline");
    for (const id of ids) {
      const moved = await until(`job ${id} moved after the deadline`, async () => {
        const current = await job(id);
        return current.state === "running" && offRow(current.placement, "rack:h1-r02") ? current : undefined;
      });
      assert.ok(Date.now() >= Date.parse(deadline), "not before the deadline");
      assert.ok(onRow(moved.placement, "rack:h2-r01"));
      const preempted = (await history(id)).find((event: Json) => event.event === "job.preempted");
      assert.equal(preempted.detail.drainId, made.id);
      assert.match(preempted.detail.reason, /deadline/);
      assert.ok(Date.parse(preempted.at) >= Date.parse(deadline));
    }
    await resume(made.id);
    await cancelAll([...ids, fresh.id]);
  });

  it("a scheduled drain of a CDU's racks starts on time; waiting reasons name it, across a restart; resume lets work in", async () => {
    const startsAt = new Date(Date.now() + 1500).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const made = await drain({ target: "cdu:h1-r01-01", reason: "leak on the CDU skid", startsAt, endsAt });
    cleanups.push(() => resumeIfOpen(made.id));
    assert.equal(made.state, "scheduled");
    assert.equal(made.area, "row:h1-r01");
    assert.equal(made.policy, "finish");
    const scheduled = await api("GET", "/v1/drains?state=scheduled", keys.auditor);
    assert.deepEqual(
      scheduled.body.map((item: Json) => item.id),
      [made.id],
    );
    await until("the drain to become active", async () =>
      (await api("GET", `/v1/drains/${made.id}`, keys.operator)).body.state === "active" ? true : undefined,
    );
    // Row h1-r01 holds every GB300 rack: a GB300 job now waits, and says why.
    const waiting = await submit("gb300", "GB300", 3600);
    assert.equal(waiting.state, "queued");
    const expected = `row:h1-r01 drained for maintenance: drain ${made.id} of cdu:h1-r01-01 (leak on the CDU skid)`;
    assert.match(waiting.reason, new RegExp(expected.replace(/[()]/g, "\\$&")));

    await app.close();
    await start(false);
    const reread = await api("GET", `/v1/drains/${made.id}`, keys.operator);
    assert.equal(reread.status, 200);
    assert.equal(reread.body.state, "active", "a drain survives a restart");
    assert.equal(reread.body.endsAt, endsAt);
    const restored = await job(waiting.id);
    assert.equal(restored.state, "queued");
    assert.match(restored.reason, new RegExp(`drain ${made.id}`));

    await resume(made.id);
    const started = await until("the GB300 job to start", async () => {
      const current = await job(waiting.id);
      return current.state === "running" ? current : undefined;
    });
    assert.ok(onRow(started.placement, "rack:h1-r01"));
    await cancelAll([waiting.id]);
  });

  it("lists drains newest first with a total, pages with a cursor, and audits creation and resumption", async () => {
    const all = await api("GET", "/v1/drains", keys.operator);
    assert.equal(all.status, 200);
    const total = Number(all.headers.get("x-total-count"));
    assert.equal(total, 4);
    assert.equal(all.body.length, 4);
    assert.ok(all.body.every((item: Json) => item.state === "ended"));
    const first = await api("GET", "/v1/drains?limit=3", keys.operator);
    assert.equal(first.body.length, 3);
    assert.equal(first.headers.get("x-total-count"), "4");
    const cursor = first.headers.get("x-next-cursor");
    assert.ok(cursor !== null);
    const second = await api("GET", `/v1/drains?limit=3&cursor=${encodeURIComponent(cursor)}`, keys.operator);
    assert.equal(second.body.length, 1);
    assert.equal(second.headers.get("x-next-cursor"), null);
    assert.deepEqual(
      [...first.body, ...second.body].map((item: Json) => item.id),
      all.body.map((item: Json) => item.id),
    );
    assert.equal((await api("GET", "/v1/drains?state=active", keys.operator)).headers.get("x-total-count"), "0");
    assert.equal((await api("GET", "/v1/drains?state=open", keys.operator)).headers.get("x-total-count"), "0");

    // Filters by target kind and target prefix agree with the whole list; LIKE wildcards in a prefix are literal.
    let byKind = 0;
    for (const kind of ["rack", "row", "hall", "cdu", "busway"]) {
      const page = await api("GET", `/v1/drains?kind=${kind}`, keys.operator);
      assert.equal(page.status, 200);
      assert.ok(page.body.every((item: Json) => item.targetKind === kind && item.target.startsWith(`${kind}:`)));
      assert.equal(Number(page.headers.get("x-total-count")), page.body.length);
      byKind += page.body.length;
    }
    assert.equal(byKind, total);
    const prefix = all.body[0].target.slice(0, all.body[0].target.indexOf(":") + 4);
    const byPrefix = await api("GET", `/v1/drains?targetPrefix=${encodeURIComponent(prefix)}`, keys.operator);
    assert.deepEqual(
      byPrefix.body.map((item: Json) => item.id),
      all.body.filter((item: Json) => item.target.startsWith(prefix)).map((item: Json) => item.id),
    );
    for (const wildcard of ["%", "_", `${prefix.slice(0, -1)}_`]) {
      const answer = await api("GET", `/v1/drains?targetPrefix=${encodeURIComponent(wildcard)}`, keys.operator);
      assert.equal(answer.headers.get("x-total-count"), "0", `${wildcard} is matched literally`);
    }
    for (const [query, field] of [
      ["kind=plant", "querystring.kind"],
      ["state=closed", "querystring.state"],
      [`targetPrefix=${"x".repeat(201)}`, "querystring.targetPrefix"],
    ] as const) {
      const refused = await api("GET", `/v1/drains?${query}`, keys.operator);
      assert.equal(refused.status, 400, query);
      assert.ok(
        refused.body.errors?.some((error: Json) => error.field === field),
        JSON.stringify(refused.body),
      );
    }

    const audit = await api("GET", "/v1/audit?limit=1000", keys.auditor);
    assert.equal(audit.status, 200);
    const records = (audit.body.records ?? audit.body) as Json[];
    const actions = records.filter((record) => String(record.action).startsWith("drain."));
    assert.equal(actions.filter((record) => record.action === "drain.create").length, 4);
    assert.equal(actions.filter((record) => record.action === "drain.resume").length, 4);
    const operatorId = (await api("GET", "/v1/me", keys.operator)).body.userId;
    assert.ok(actions.every((record) => record.actor === operatorId));
  });

  it("answers bad input with a 4xx naming the field, and refuses tenants", async () => {
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
    const cases: [Record<string, unknown>, string, number][] = [
      [{ target: "rack:h9-r99-01", reason: "x" }, "body.target", 400],
      [{ target: "plant:lab", reason: "x" }, "body.target", 400],
      [{ target: "row:h1-r02" }, "body.reason", 400],
      [{ target: "row:h1-r02", reason: "   " }, "body.reason", 400],
      [{ target: "row:h1-r02", reason: "x", startsAt: soon(60_000), endsAt: soon(30_000) }, "body.endsAt", 400],
      [{ target: "row:h1-r02", reason: "x", endsAt: soon(40 * 86_400_000) }, "body.endsAt", 400],
      [{ target: "row:h1-r02", reason: "x", startsAt: "tomorrow" }, "body.startsAt", 400],
      [{ target: "row:h1-r02", reason: "x", policy: "later" }, "body.policy", 400],
      [{ target: "row:h1-r02", reason: "x", policy: "deadline" }, "body.deadline", 400],
      [{ target: "row:h1-r02", reason: "x", policy: "finish", deadline: soon(1000) }, "body.deadline", 400],
      [
        { target: "row:h1-r02", reason: "x", policy: "deadline", deadline: soon(7200_000), endsAt: soon(3600_000) },
        "body.deadline",
        400,
      ],
      [{ target: "row:h1-r02", reason: "x", owner: "someone" }, "body.owner", 400],
    ];
    for (const [body, field, status] of cases) {
      const answer = await api("POST", "/v1/drains", keys.operator, body);
      assert.equal(answer.status, status, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
      assert.ok(answer.type.startsWith("application/problem+json"));
      assert.ok(
        answer.body.errors?.some((error: Json) => error.field === field),
        `${JSON.stringify(body)} should name ${field}: ${JSON.stringify(answer.body)}`,
      );
    }
    for (const key of [keys.hugo, keys.tenantAdmin, keys.auditor]) {
      const refused = await api("POST", "/v1/drains", key, { target: "row:h1-r02", reason: "tenant maintenance" });
      assert.equal(refused.status, 403);
    }
    assert.equal((await api("GET", "/v1/drains", keys.hugo)).status, 403);
    assert.equal((await api("GET", "/v1/drains/drn_000000000000", keys.operator)).status, 404);
    assert.equal((await api("GET", "/v1/drains/nope", keys.operator)).status, 400);
    assert.equal((await api("GET", "/v1/drains?cursor=bad", keys.operator)).status, 400);
    const ended = (await api("GET", "/v1/drains", keys.operator)).body[0];
    const again = await api("POST", `/v1/drains/${ended.id}/resume`, keys.operator, {});
    assert.equal(again.status, 409);
    // A platform admin may drain too.
    const byAdmin = await api("POST", "/v1/drains", keys.admin, {
      target: "hall:h2",
      reason: "annual UPS test",
      startsAt: soon(86_400_000),
      endsAt: soon(2 * 86_400_000),
    });
    assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));
    assert.equal(byAdmin.body.state, "scheduled");
    assert.equal(byAdmin.body.racks, 12);
  });

  it("refuses a drain of a target whose window overlaps an open drain of it, naming that drain; one after it is fine", async () => {
    const day = 86_400_000;
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const create = (startsAt: string, endsAt?: string) =>
      api("POST", "/v1/drains", keys.operator, {
        target: "row:h1-r02",
        reason: "CDU pump swap",
        startsAt,
        ...(endsAt === undefined ? {} : { endsAt }),
      });
    const first = await create(at(3 * day), at(4 * day));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const made = [first.body.id as string];
    try {
      for (const [startsAt, endsAt] of [
        [first.body.startsAt, first.body.endsAt],
        [at(3.5 * day), at(5 * day)],
        [at(2 * day), undefined],
      ]) {
        const overlapping = await create(startsAt, endsAt);
        assert.equal(overlapping.status, 409, JSON.stringify(overlapping.body));
        assert.ok(overlapping.body.errors?.some((error: Json) => error.field === "body.target"));
        assert.match(overlapping.body.detail, new RegExp(`drain ${first.body.id} of row:h1-r02 is already open`));
        assert.deepEqual(overlapping.body.diagnostics, [{ code: "drain.overlap", drainId: first.body.id }]);
      }
      const after = await create(first.body.endsAt, at(5 * day));
      assert.equal(after.status, 201, "a drain starting as the open one ends does not overlap it");
      made.push(after.body.id);
      const other = await api("POST", "/v1/drains", keys.operator, {
        target: "row:h1-r01",
        reason: "another row",
        startsAt: at(3 * day),
        endsAt: at(4 * day),
      });
      assert.equal(other.status, 201, "another target is not concerned");
      made.push(other.body.id);
      await resume(first.body.id);
      const again = await create(at(2.5 * day), at(3.5 * day));
      assert.equal(again.status, 201, "once resumed, the window is free again");
      made.push(again.body.id);
    } finally {
      for (const id of made) await resumeIfOpen(id);
    }
  });

  it("refuses a site change that would move an open drain onto other racks or drop its target, until it is resumed", async () => {
    const { change, restore } = await siteEditor();
    // Row names are positions in the hall: without its first row, hall 1's H200 row h1-r02 becomes h1-r01 and the
    // name h1-r02 falls to the CPU row.
    const withoutFirstRow = (document: Json) => document.halls[0].rows.shift();
    const drained = await api("POST", "/v1/drains", keys.operator, { target: "row:h1-r02", reason: "busway work" });
    assert.equal(drained.status, 201, JSON.stringify(drained.body));
    const scheduled = await api("POST", "/v1/drains", keys.operator, {
      target: "rack:h1-r03-12",
      reason: "door swap",
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    assert.equal(scheduled.status, 201, JSON.stringify(scheduled.body));
    const version = (await api("GET", "/v1/site", keys.admin)).body.version;
    try {
      const moved = await change("remove the GB300 row", withoutFirstRow);
      assert.equal(moved.status, 409, JSON.stringify(moved.body));
      assert.ok(
        moved.body.errors?.some((error: Json) => error.field === "body.site"),
        JSON.stringify(moved.body),
      );
      assert.match(moved.body.detail, new RegExp(`drain ${drained.body.id} keeps work off rack:h1-r02-01 \\(hgx\\)`));
      assert.match(moved.body.detail, /row:h1-r02 would name other racks \(rack:h1-r02-01 \(cpu\)/);
      assert.equal((await api("GET", "/v1/site", keys.admin)).body.version, version, "nothing was applied");
      // A change that leaves the drained racks as they are goes through.
      const unrelated = await change("one more CRAH in the health suite", (document) => {
        document.halls[1].crah.count = 3;
      });
      assert.equal(unrelated.status, 201, JSON.stringify(unrelated.body));
      // Numbered, the rows after the removed one keep their names: the drain keeps its racks, the change goes through.
      const numbered = await change("remove the GB300 row, keeping the names of the rows after it", (document) => {
        withoutFirstRow(document);
        document.halls[0].rows[0].number = 2;
      });
      assert.equal(numbered.status, 201, JSON.stringify(numbered.body));
      const layout = (await api("GET", "/v1/site/layout", keys.admin)).body;
      assert.equal(layout.rows[0].id, "row:h1-r02");
      await resume(drained.body.id);
      // The scheduled drain of a rack whose name would disappear holds the change too.
      const dropped = await change("remove the GB300 row", withoutFirstRow);
      assert.equal(dropped.status, 409, JSON.stringify(dropped.body));
      assert.match(
        dropped.body.detail,
        new RegExp(`drain ${scheduled.body.id} .* rack:h1-r03-12 would no longer exist`),
      );
      await resume(scheduled.body.id);
      const applied = await change("remove the GB300 row", withoutFirstRow);
      assert.equal(applied.status, 201, JSON.stringify(applied.body));
    } finally {
      await resumeIfOpen(drained.body.id);
      await resumeIfOpen(scheduled.body.id);
      await restore();
    }
  });

  it("refuses a site change that renames a drained row's racks for identical ones, which their types cannot tell", async () => {
    const { change, restore } = await siteEditor();
    // Hall 1 with its GB300 row, then two alike H200 rows (nothing runs there yet: the change goes through).
    const twoHgx = (document: Json) => {
      const [gb300, hgx] = document.halls[0].rows;
      document.halls[0].rows = [gb300, structuredClone(hgx), structuredClone(hgx)];
    };
    const made = await change("two H200 rows", twoHgx);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const drained = await api("POST", "/v1/drains", keys.operator, { target: "row:h1-r02", reason: "busway work" });
    assert.equal(drained.status, 201, JSON.stringify(drained.body));
    try {
      // The GB300 row removed: h1-r02 would name the third row's racks, of the same types as the drained ones.
      const moved = await change("remove the GB300 row", (document) => {
        twoHgx(document);
        document.halls[0].rows.shift();
      });
      assert.equal(moved.status, 409, JSON.stringify(moved.body));
      assert.match(
        moved.body.detail,
        new RegExp(
          `drain ${drained.body.id} .* row:h1-r02 would name other racks of the same types \\(rack:h1-r02-01 would be rack:h1-r01-01\\)`,
        ),
      );
      // The last one removed: the drained row keeps its racks.
      const last = await change("remove the last H200 row", (document) => {
        twoHgx(document);
        document.halls[0].rows.pop();
      });
      assert.equal(last.status, 201, JSON.stringify(last.body));
    } finally {
      await resumeIfOpen(drained.body.id);
      await restore();
    }
  });

  it("refuses a site change that renames racks under running work, naming racks and jobs, until their names are kept", async () => {
    const { change, restore } = await siteEditor();
    const running: Json[] = [];
    try {
      // A GB300 tray runs in row h1-r01; an H200 server in row h1-r02.
      const gb300 = await submit("tray", "GB300", 86_400);
      const h200 = await submit("server", "H200", 86_400);
      running.push(gb300, h200);
      assert.match(gb300.placement.racks[0], /^rack:h1-r01-/);
      assert.match(h200.placement.racks[0], /^rack:h1-r02-/, JSON.stringify(h200.placement));
      const version = (await api("GET", "/v1/site", keys.admin)).body.version;
      // An H200 rack added at the start of the GB300 row: the trays move one place on, ids and all.
      const inserted = await change("an H200 rack before the GB300 trays", (document) => {
        document.halls[0].rows[0].racks.unshift({ type: "hgx", count: 1 });
      });
      assert.equal(inserted.status, 409, JSON.stringify(inserted.body));
      assert.ok(
        inserted.body.errors?.some((error: Json) => error.field === "body.site"),
        JSON.stringify(inserted.body),
      );
      const tray = gb300.placement.racks[0] as string;
      const next = `rack:h1-r01-${String(Number(tray.slice(-2)) + 1).padStart(2, "0")}`;
      assert.match(
        inserted.body.detail,
        new RegExp(`renames \\d+ racks? with running work .*${tray} would be ${next} \\(${gb300.id}\\)`),
      );
      // The GB300 row removed: the H200 row would become h1-r01, and h1-r02 the CPU row.
      const removed = await change("remove the GB300 row", (document) => document.halls[0].rows.shift());
      assert.equal(removed.status, 409, JSON.stringify(removed.body));
      assert.match(removed.body.detail, new RegExp(`${h200.placement.racks[0]} would be rack:h1-r01-.*${h200.id}`));
      assert.match(removed.body.detail, /rows\[\]\.number/);
      assert.equal((await api("GET", "/v1/site", keys.admin)).body.version, version, "nothing was applied");
      for (const submitted of running) assert.equal((await job(submitted.id)).state, "running");
      // The tray's job ended: with the H200 row numbered, its server keeps its name and its job runs on.
      assert.equal((await api("POST", `/v1/jobs/${gb300.id}/cancel`, keys.hugo)).status, 200);
      const numbered = await change("remove the GB300 row, numbering the rows after it", (document) => {
        document.halls[0].rows.shift();
        document.halls[0].rows[0].number = 2;
      });
      assert.equal(numbered.status, 201, JSON.stringify(numbered.body));
      const kept = await job(h200.id);
      assert.equal(kept.state, "running");
      assert.deepEqual(kept.placement.racks, h200.placement.racks);
    } finally {
      for (const submitted of running) await api("POST", `/v1/jobs/${submitted.id}/cancel`, keys.hugo);
      await restore();
    }
  });

  it("refuses moving a row with running work or an open drain to another hall, saying what to do; idle, it moves", async () => {
    const { change, restore } = await siteEditor();
    // Hall 1's H200 row goes to the end of the health suite, whose power and air handlers grow for it; hall 1's CPU
    // row keeps its name by its number, so the move is the only rename.
    const moveH200Row = (document: Json) => {
      const [h200Row] = document.halls[0].rows.splice(1, 1);
      document.halls[0].rows[1].number = 3;
      document.halls[1].rows.push(h200Row);
      document.halls[1].power.transformers.count = 4;
      document.halls[1].power.ups.count = 4;
      document.halls[1].crah.count = 4;
    };
    // An earlier test's scheduled drain of the whole suite would hold any change to it; this test makes its own.
    const open = (await api("GET", "/v1/drains?state=open&limit=200", keys.operator)).body as Json[];
    for (const left of open.filter((drain) => drain.target === "hall:h2")) await resume(left.id);
    const [id] = await runningOnRow(1, "moved", 86_400);
    cleanups.push(() => cancelAll([id!]));
    const placed = (await job(id!)).placement;
    const rack = placed.racks[0] as string;
    const version = (await api("GET", "/v1/site", keys.admin)).body.version;
    try {
      const refused = await change("move the H200 row to the health suite", moveH200Row);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.ok(
        refused.body.errors?.some((error: Json) => error.field === "body.site"),
        JSON.stringify(refused.body),
      );
      const to = rack.replace("rack:h1-r02-", "rack:h2-r03-");
      assert.match(
        refused.body.detail,
        new RegExp(`${rack} would be ${to} \\(its row moved to hall:h2\\) \\(${id}\\)`),
      );
      assert.match(refused.body.detail, /let the work leave it first \(drain the row with policy finish/);
      assert.doesNotMatch(refused.body.detail, /rows\[\]\.number/, "numbering cannot keep a moved row's names");
      assert.equal((await api("GET", "/v1/site", keys.admin)).body.version, version, "nothing was applied");
      const still = await job(id!);
      assert.equal(still.state, "running");
      assert.deepEqual(still.placement.racks, placed.racks);
      // The work ended, an open drain of the row holds the move too, until it is resumed.
      assert.equal((await api("POST", `/v1/jobs/${id}/cancel`, keys.hugo)).status, 200);
      const drained = await drain({ target: "row:h1-r02", reason: "row to be moved" });
      cleanups.push(() => resumeIfOpen(drained.id));
      const held = await change("move the H200 row to the health suite", moveH200Row);
      assert.equal(held.status, 409, JSON.stringify(held.body));
      assert.match(
        held.body.detail,
        new RegExp(
          `drain ${drained.id} .* row:h1-r02 would no longer exist and its racks would move \\(rack:h1-r02-01 would be rack:h2-r03-01 \\(its row moved to hall:h2\\)\\)`,
        ),
      );
      assert.match(held.body.detail, /nothing in the site file can keep: resume the drain/);
      await resume(drained.id);
      // A drain of the hall it moves into holds it too: the drain would cover more racks, which no name can undo.
      const suite = await drain({
        target: "hall:h2",
        reason: "UPS test",
        startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      });
      cleanups.push(() => resumeIfOpen(suite.id));
      const grows = await change("move the H200 row to the health suite", moveH200Row);
      assert.equal(grows.status, 409, JSON.stringify(grows.body));
      assert.match(grows.body.detail, new RegExp(`drain ${suite.id} .* hall:h2 would name other racks`));
      assert.match(grows.body.detail, /resume the drain .*, apply the change, then drain again what needs it/);
      assert.doesNotMatch(grows.body.detail, /rows\[\]\.number/);
      await resume(suite.id);
      const moved = await change("move the H200 row to the health suite", moveH200Row);
      assert.equal(moved.status, 201, JSON.stringify(moved.body));
      const layout = (await api("GET", "/v1/site/layout", keys.admin)).body;
      assert.deepEqual(
        layout.rows.map((row: Json) => row.id),
        ["row:h1-r01", "row:h1-r03", "row:h2-r01", "row:h2-r02", "row:h2-r03"],
      );
    } finally {
      await restore();
    }
  });

  it("refuses more open drains than the bound, naming the field", async () => {
    const open = Number((await api("GET", "/v1/drains?state=scheduled", keys.operator)).headers.get("x-total-count"));
    let refused: ApiAnswer | undefined;
    for (let index = open; index <= 200 && refused === undefined; index++) {
      // An hour each, one after the other: drains of one rack never overlap (that is refused on its own).
      const startMs = Date.now() + 86_400_000 + index * 3_600_000;
      const answer = await api("POST", "/v1/drains", keys.operator, {
        target: `rack:h1-r03-${String((index % 12) + 1).padStart(2, "0")}`,
        reason: `planned work ${index}`,
        startsAt: new Date(startMs).toISOString(),
        endsAt: new Date(startMs + 3_600_000).toISOString(),
      });
      if (answer.status !== 201) refused = answer;
    }
    assert.ok(refused !== undefined, "the 201st open drain is refused");
    assert.equal(refused.status, 409);
    assert.ok(refused.body.errors?.some((error: Json) => error.field === "body.target"));
    assert.equal(
      (await api("GET", "/v1/drains?state=scheduled&limit=1", keys.operator)).headers.get("x-total-count"),
      "200",
    );
  });
});
