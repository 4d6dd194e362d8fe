/**
 * Stateful (model-based) test of the HTTP API: a real server on the lab site (embedded PGlite on disk, one wall-clock
 * second is ten scheduler minutes) driven by random sequences of calls as a platform admin, a facility operator, an
 * auditor, a health tenant (ValDiag), a generative-AI tenant and a student: keys made, used and revoked, jobs
 * submitted, cancelled, held, released and requeued (health jobs among them), drains of racks, rows, halls and CDUs
 * started and resumed, site changes that move, shrink or remove the certified zone or remove drained rows, queue
 * changes, grid events, lists walked page by page while items are created, concurrent duplicates of one call, bad
 * requests of every kind, and restarts of the platform on its store. After every step the invariants of
 * test/support/sequences.ts are checked (no 5xx, every 4xx a problem with its request id and fields that are paths
 * into the request, tenant isolation, quotas, sovereignty and drains at every start, freed racks taking work again,
 * keys, audit of every mutation with no gap, a tenant's waiting cap judged at each submission); after a restart what
 * was stored comes back (running work goes on, no job's submission or first start moves); after every sequence the
 * audit chain verifies; at the end the server's heap has not grown without bound.
 *
 * Bounded for CI (fixed seed, about 20 s); a longer exploration: ALIXAN_SEQ_RUNS=50 ALIXAN_SEQ_STEPS=100
 * (ALIXAN_SEQ_SEED picks another seed) `flock /tmp/bench.lock node --import tsx --test test/sequences.test.ts`.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import {
  type Actor,
  actors,
  drainTargets,
  type Json,
  type Started,
  siteVariants,
  type TenantActor,
  tenantActors,
  World,
} from "./support/sequences.ts";

const runs = Number(process.env.ALIXAN_SEQ_RUNS ?? 6);
const maxSteps = Number(process.env.ALIXAN_SEQ_STEPS ?? 25);
const seed = Number(process.env.ALIXAN_SEQ_SEED ?? 20261207);

/** Jobs one tenant may have waiting (the platform's 1,000, lowered so that sequences reach it). */
const waitingCap = 12;
let world: World;

/** The store the platform runs on, on disk: a restart step stops the platform and starts it again on it. */
const storeRoot = mkdtempSync(join(tmpdir(), "alixan-sequences-"));
/** The embedded store's directory (its audit key and head beside it, in `store.audit`). */
const dataDir = join(storeRoot, "store");

/** Starts the platform on `dataDir` (the demo seeded at the first start only) and listens on a free port. */
async function startPlatform(seed: boolean): Promise<Started> {
  const { features, jobs } = platformFeatures({
    speed: 600,
    demoLoad: 0,
    telemetryInMemory: true,
    maxQueuedPerTenant: waitingCap,
  });
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir },
    seed,
    rateLimitPerMinute: 1_000_000,
    features,
  });
  const url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  return { app, engine: jobs.engine()!, url };
}

before(async () => {
  const started = await startPlatform(true);
  const { app, url } = started;
  const demo = (actor: Actor) => app.demoKeys!.find((key) => key.email === actors[actor])!;
  const all = Object.keys(actors) as Actor[];
  const tokens = Object.fromEntries(all.map((actor) => [actor, demo(actor).token])) as Record<Actor, string>;
  const userIds = Object.fromEntries(all.map((actor) => [actor, demo(actor).userId])) as Record<Actor, string>;
  const tenantOf = Object.fromEntries(all.map((actor) => [actor, demo(actor).tenantId])) as Record<
    Actor,
    string | null
  >;
  const projects = {} as Record<TenantActor, string>;
  for (const actor of tenantActors) {
    const listed = await fetch(`${url}/v1/projects`, { headers: { authorization: `Bearer ${tokens[actor]}` } });
    projects[actor] = ((await listed.json()) as { id: string }[])[0]!.id;
  }
  const read = async (path: string) =>
    (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${tokens.admin}` } })).json() as Promise<Json>;
  world = new World({
    started,
    startAgain: () => startPlatform(false),
    tokens,
    userIds,
    tenantOf,
    projects,
    original: await read("/v1/site/document"),
    originalQueues: (await read("/v1/queue-config")).config,
    waitingCap,
  });
});
after(async () => {
  await world?.app.close();
  rmSync(storeRoot, { recursive: true, force: true });
});

/** One step of a sequence, as fast-check generates and prints it. */
type Step =
  | {
      kind: "submit";
      actor: TenantActor;
      gpus: number;
      model: "H200" | "GB300" | null;
      dataClass: "public" | "confidential" | "health";
      durationS: number;
      hold: boolean;
      gang: number;
      queue: string | null;
    }
  | { kind: "cancel" | "hold" | "release" | "requeue"; actor: Actor; index: number }
  | { kind: "createKey"; actor: Actor; forActor: Actor; expiresInMs: number | null }
  | { kind: "revokeKey"; actor: Actor; index: number }
  | {
      kind: "drain";
      actor: Actor;
      target: string;
      policy: "finish" | "requeue" | "deadline";
      startInS: number;
      endInS: number | null;
    }
  | { kind: "resume"; actor: Actor; index: number }
  | { kind: "site"; actor: Actor; variant: string }
  | {
      kind: "queue";
      actor: Actor;
      change: "course-quota" | "extra-queue" | "delete-extra" | "delete-course";
      n: number;
    }
  | { kind: "grid"; fraction: number; durationS: number }
  | { kind: "page"; actor: Actor; list: "jobs" | "drains" | "keys" | "audit"; limit: number }
  | { kind: "probe"; actor: TenantActor }
  | { kind: "race"; what: RaceKind; index: number }
  | { kind: "user"; actor: Actor; tenant: string | null; role: string }
  | { kind: "disable"; actor: Actor; index: number }
  | { kind: "wait"; ms: number }
  | { kind: "restart" }
  | { kind: "invalid"; index: number }
  | { kind: "cycle"; target: string };

/** Calls sent at once in a race step. */
const raceKinds = [
  "cancel",
  "hold",
  "release",
  "drain",
  "revoke",
  "submit",
  "flood",
  "submit-delete-queue",
  "submit-site",
  "cancel-requeue",
] as const;
/** One kind of race. */
type RaceKind = (typeof raceKinds)[number];

const anyActor = fc.constantFrom<Actor>(...(Object.keys(actors) as Actor[]));
const tenantActor = fc.constantFrom<TenantActor>(...tenantActors);
const index = fc.nat({ max: 1000 });

/** The steps, weighted towards work and drains (what the invariants watch). */
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      actor: tenantActor,
      gpus: fc.constantFrom(1, 2, 4, 8),
      model: fc.constantFrom<"H200" | "GB300" | null>("H200", "GB300", null),
      dataClass: fc.constantFrom<"public" | "confidential" | "health">("public", "confidential", "health", "health"),
      durationS: fc.constantFrom(60, 600, 1800, 3600, 30 * 86_400),
      hold: fc.boolean(),
      gang: fc.constantFrom(1, 1, 1, 2, 4),
      queue: fc.constantFrom<string | null>(null, null, null, "campus-research", "diagnostics", "genai-extra"),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constantFrom("cancel", "hold", "release", "requeue"), actor: anyActor, index }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("createKey" as const),
      actor: anyActor,
      forActor: anyActor,
      expiresInMs: fc.constantFrom<number | null>(null, 1500, 3_600_000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revokeKey" as const), actor: anyActor, index }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("drain" as const),
      actor: fc.constantFrom<Actor>("operator", "operator", "admin", "genai"),
      target: fc.constantFrom(...drainTargets),
      policy: fc.constantFrom<"finish" | "requeue" | "deadline">("finish", "requeue", "deadline"),
      startInS: fc.constantFrom(0, 0, 0, 2),
      endInS: fc.constantFrom<number | null>(null, 4, 60),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("resume" as const),
      actor: fc.constantFrom<Actor>("operator", "admin", "student"),
      index,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("site" as const),
      actor: fc.constantFrom<Actor>("operator", "admin", "healthAdmin"),
      variant: fc.constantFrom(...Object.keys(siteVariants)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("queue" as const),
      actor: fc.constantFrom<Actor>("admin", "admin", "genai"),
      change: fc.constantFrom<"course-quota" | "extra-queue" | "delete-extra" | "delete-course">(
        "course-quota",
        "extra-queue",
        "delete-extra",
        "delete-course",
      ),
      n: fc.constantFrom(0, 4, 8, 16),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("grid" as const),
      fraction: fc.constantFrom(0.1, 0.3, 0.6),
      durationS: fc.constantFrom(10, 30),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("page" as const),
      actor: anyActor,
      list: fc.constantFrom<"jobs" | "drains" | "keys" | "audit">("jobs", "jobs", "drains", "keys", "audit"),
      limit: fc.integer({ min: 1, max: 7 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("probe" as const), actor: tenantActor }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("race" as const),
      what: fc.constantFrom<RaceKind>(...raceKinds),
      index,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.constantFrom(200, 800, 1600) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("restart" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("invalid" as const), index }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("cycle" as const),
      target: fc.constantFrom("row:h2-r01", "hall:h2", "row:h1-r01", "row:h1-r02"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("user" as const),
      actor: fc.constantFrom<Actor>("admin", "healthAdmin", "genai", "student"),
      tenant: fc.constantFrom<string | null>("valdiag", "atelier-genai", "campus-valence", null),
      role: fc.constantFrom("tenant-member", "student", "tenant-admin", "platform-admin", "auditor", "metrics-reader"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("disable" as const),
      actor: fc.constantFrom<Actor>("admin", "healthAdmin", "genai"),
      index,
    }),
  },
);

/** Users made during the sequence, with their tenant and a key of theirs. */
const madeUsers: { id: string; tenantId: string | null; role: string; token: string }[] = [];
let userCounter = 0;

const isStaff = (actor: Actor) => world.tenantOf[actor] === null;
const pick = <T>(list: readonly T[], at: number): T | undefined =>
  list.length === 0 ? undefined : list[at % list.length];

/** The body of a submission. */
function submission(step: Extract<Step, { kind: "submit" }>, name = "seq"): Json {
  return {
    projectId: world.projects[step.actor],
    name,
    gpus: step.gpus,
    ...(step.model === null ? {} : { gpuModel: step.model }),
    durationS: step.durationS,
    dataClass: step.dataClass,
    ...(step.hold ? { hold: true } : {}),
    ...(step.gang > 1 ? { gang: step.gang } : {}),
    ...(step.queue === null ? {} : { queue: step.queue }),
  };
}

/**
 * Submits and records the job; checks a tenant may only submit the data classes it holds, and the waiting cap (unless
 * `judgeCap` is false: a change sent at the same time may take held jobs out of the queue).
 */
async function submit(step: Extract<Step, { kind: "submit" }>, judgeCap = true): Promise<void> {
  const tenant = world.tenantOf[step.actor]!;
  const heldBefore = judgeCap ? await world.heldWaiting(tenant) : undefined;
  const answer = await world.as(step.actor, "POST", "/v1/jobs", submission(step));
  if (heldBefore !== undefined) world.checkWaitingCap(answer, 1, heldBefore);
  const allowed =
    tenant === "valdiag"
      ? ["public", "confidential", "health"]
      : tenant === "atelier-genai"
        ? ["public", "confidential"]
        : ["public"];
  if (!allowed.includes(step.dataClass)) {
    assert.equal(answer.status, 400, `${step.actor} submitted ${step.dataClass}: ${JSON.stringify(answer.body)}`);
    return;
  }
  if (answer.status !== 201) {
    assert.ok([400, 409, 429].includes(answer.status), JSON.stringify(answer.body));
    return;
  }
  const job = answer.body;
  assert.equal(job.tenantId, tenant);
  assert.equal(job.userId, world.userIds[step.actor]);
  if (step.queue !== null) assert.equal(job.queue, step.queue);
  world.model.jobs.push({
    id: job.id,
    tenantId: tenant,
    userId: job.userId,
    dataClass: step.dataClass,
    owner: step.actor,
  });
}

/** Who may act on a job: its owner, a tenant admin of its tenant, platform staff (not the auditor). */
function mayControl(actor: Actor, job: { tenantId: string; userId: string }): "yes" | "no" | "unseen" {
  const tenant = world.tenantOf[actor];
  if (tenant === null) return actor === "auditor" ? "no" : "yes";
  if (tenant !== job.tenantId) return "unseen";
  if (actor === "healthAdmin" || actor === "genai") return "yes";
  if (actor === "student" && job.userId !== world.userIds.student) return "unseen";
  return job.userId === world.userIds[actor] ? "yes" : "no";
}

async function control(step: Extract<Step, { kind: "cancel" | "hold" | "release" | "requeue" }>): Promise<void> {
  const job = pick(world.model.jobs, step.index);
  if (job === undefined) return;
  const answer = await world.as(step.actor, "POST", `/v1/jobs/${job.id}/${step.kind}`, { reason: "sequence" });
  const may = mayControl(step.actor, job);
  const said = `${step.actor} ${step.kind} ${job.id}: ${answer.status} ${answer.body.detail}`;
  if (may === "unseen") assert.equal(answer.status, 404, said);
  // Outside the caller's scope of jobs:cancel a job is answered as unknown (authorize), though the member reads it.
  else if (may === "no") assert.ok([403, 404].includes(answer.status), said);
  else assert.ok([200, 403, 409].includes(answer.status), `${step.kind}: ${JSON.stringify(answer.body)}`);
  if (step.kind === "release" && answer.status === 403 && may === "yes")
    assert.match(answer.body.detail, /held by platform staff/);
}

async function createKey(step: Extract<Step, { kind: "createKey" }>): Promise<void> {
  const userId = world.userIds[step.forActor];
  const body = {
    name: "sequence",
    ...(step.forActor === step.actor ? {} : { userId }),
    ...(step.expiresInMs === null ? {} : { expiresAt: new Date(Date.now() + step.expiresInMs).toISOString() }),
  };
  const answer = await world.as(step.actor, "POST", "/v1/keys", body);
  const own = step.forActor === step.actor;
  const tenantAdminOfIt =
    (step.actor === "healthAdmin" || step.actor === "genai") &&
    world.tenantOf[step.forActor] === world.tenantOf[step.actor];
  const allowed = own || step.actor === "admin" || tenantAdminOfIt;
  if (!allowed) assert.ok([403, 404].includes(answer.status), `${step.actor} made a key for ${step.forActor}`);
  if (answer.status !== 201) return;
  assert.equal(answer.body.key.userId, userId);
  world.model.keys.push({
    id: answer.body.key.id,
    token: answer.body.token,
    userId,
    expiresAtMs: answer.body.key.expiresAt === null ? null : Date.parse(answer.body.key.expiresAt),
    revoked: false,
  });
  // The new key sees what its user sees, never more (a key that expires at once may already be refused).
  if (step.expiresInMs !== null && step.expiresInMs < 60_000) return;
  const jobs = await world.send("GET", "/v1/jobs?limit=1000", answer.body.token);
  assert.ok([200, 403].includes(jobs.status), JSON.stringify(jobs.body));
  if (jobs.status === 200) {
    const tenant = world.tenantOf[step.forActor];
    for (const job of jobs.body) if (tenant !== null) assert.equal(job.tenantId, tenant);
  }
}

async function revokeKey(step: Extract<Step, { kind: "revokeKey" }>): Promise<void> {
  const key = pick(world.model.keys, step.index);
  if (key === undefined) return;
  const answer = await world.as(step.actor, "DELETE", `/v1/keys/${key.id}`);
  const owner = (Object.keys(actors) as Actor[]).find((actor) => world.userIds[actor] === key.userId);
  const ownerTenant =
    owner === undefined ? madeUsers.find((made) => made.id === key.userId)?.tenantId : world.tenantOf[owner];
  const sameTenant = ownerTenant !== null && ownerTenant !== undefined && ownerTenant === world.tenantOf[step.actor];
  const allowed =
    step.actor === "admin" ||
    world.userIds[step.actor] === key.userId ||
    (sameTenant && (step.actor === "healthAdmin" || step.actor === "genai"));
  if (!allowed)
    assert.ok(
      [403, 404].includes(answer.status),
      `${step.actor} revoked ${owner ?? key.userId}'s key: ${answer.status}`,
    );
  else assert.equal(answer.status, 200, JSON.stringify(answer.body));
  if (answer.status === 200) key.revoked = true;
}

async function drain(step: Extract<Step, { kind: "drain" }>): Promise<void> {
  const now = Date.now();
  const startsAt = now + step.startInS * 1000;
  const body = {
    target: step.target,
    reason: "sequence maintenance",
    ...(step.startInS === 0 ? {} : { startsAt: new Date(startsAt).toISOString() }),
    ...(step.endInS === null ? {} : { endsAt: new Date(startsAt + step.endInS * 1000).toISOString() }),
    policy: step.policy,
    ...(step.policy === "deadline" ? { deadline: new Date(startsAt + 2000).toISOString() } : {}),
  };
  const answer = await world.as(step.actor, "POST", "/v1/drains", body);
  if (!isStaff(step.actor) || step.actor === "auditor") {
    assert.equal(answer.status, 403);
    return;
  }
  if (answer.status === 409) {
    assert.ok(
      answer.body.errors.some((error: Json) => error.field === "body.target"),
      JSON.stringify(answer.body),
    );
    return;
  }
  if (answer.status === 400) {
    assert.ok(answer.body.errors.length > 0);
    return;
  }
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  world.model.drains.push({ id: answer.body.id, target: step.target });
  if (answer.body.state === "active" && answer.body.area !== null) await probeDrain(answer.body);
}

/**
 * Work submitted right after a drain starts lands on none of its racks (S6): jobs of the GPU model the drained racks
 * hold (a GB300 tray in row h1-r01, else an HGX server), health data when they are in the certified zone (where only
 * health work is sent first), placed at once where there is room.
 */
async function probeDrain(drained: Json): Promise<void> {
  const site = await world.siteMap();
  const racks = site.areaRacks.get(drained.area) ?? [];
  const gb300 = racks.some((rack) => rack.startsWith("rack:h1-r01-"));
  const certified = racks.some((rack) => site.rackZone.get(rack) !== null);
  const actor: TenantActor = certified ? "health" : "genai";
  for (let probe = 0; probe < 2; probe++) {
    const answer = await world.as(actor, "POST", "/v1/jobs", {
      projectId: world.projects[actor],
      name: "drain-probe",
      gpus: gb300 ? 4 : 8,
      gpuModel: gb300 ? "GB300" : "H200",
      durationS: 600,
      dataClass: certified ? "health" : "public",
    });
    if (answer.status !== 201) return;
    world.model.jobs.push({
      id: answer.body.id,
      tenantId: answer.body.tenantId,
      userId: answer.body.userId,
      dataClass: certified ? "health" : "public",
      owner: actor,
    });
    const landed = (answer.body.placement?.racks ?? []).filter((rack: string) => racks.includes(rack));
    assert.deepEqual(landed, [], `a job started on ${landed} right after drain ${drained.id} of ${drained.target}`);
  }
}

async function resume(step: Extract<Step, { kind: "resume" }>): Promise<void> {
  const known = pick(world.model.drains, step.index);
  if (known === undefined) return;
  const answer = await world.as(step.actor, "POST", `/v1/drains/${known.id}/resume`, {});
  if (step.actor === "student") assert.equal(answer.status, 403);
  else assert.ok([200, 409].includes(answer.status), JSON.stringify(answer.body));
  if (answer.status === 200) assert.equal(answer.body.state, "ended");
}

async function site(step: Extract<Step, { kind: "site" }>): Promise<void> {
  const document = structuredClone(world.original);
  siteVariants[step.variant]!(document);
  const answer = await world.as(step.actor, "POST", "/v1/site/changes", { summary: step.variant, site: document });
  if (step.actor === "healthAdmin") assert.equal(answer.status, 403);
  else if (answer.status === 409) {
    // A change that would rename or drop the racks of an open drain is refused until the drain is resumed, and one
    // that would rename racks under running work until the work has left them.
    assert.match(
      answer.body.detail,
      /^(drain \S+ keeps work off .* would (name other racks|no longer exist)|this site change renames \d+ racks? with running work)/,
    );
  } else assert.ok([200, 201].includes(answer.status), `${step.variant}: ${JSON.stringify(answer.body)}`);
  if (answer.status < 300) world.model.site = step.variant;
}

async function queue(step: Extract<Step, { kind: "queue" }>): Promise<void> {
  let answer: Awaited<ReturnType<World["as"]>>;
  if (step.change === "course-quota") {
    answer = await world.as(step.actor, "PUT", "/v1/queues/campus-course", {
      tenant: "campus-valence",
      cohort: "education",
      priorityClass: "low",
      quota: { gpu: { nominal: step.n, borrowingLimit: 0, lendingLimit: 0 } },
      preemption: { reclaimWithinCohort: "Any" },
    });
  } else if (step.change === "extra-queue") {
    answer = await world.as(step.actor, "PUT", "/v1/queues/genai-extra", {
      tenant: "atelier-genai",
      cohort: "commercial",
      quota: { "gpu.H200": { nominal: 0, borrowingLimit: step.n } },
    });
  } else {
    const name = step.change === "delete-extra" ? "genai-extra" : "campus-course";
    answer = await world.as(step.actor, "DELETE", `/v1/queues/${name}`);
  }
  if (step.actor !== "admin") assert.equal(answer.status, 403);
  else assert.ok([200, 201, 404, 409].includes(answer.status), JSON.stringify(answer.body));
}

async function grid(step: Extract<Step, { kind: "grid" }>): Promise<void> {
  const answer = await world.as("operator", "POST", "/v1/grid/events", {
    reduceFraction: step.fraction,
    durationS: step.durationS,
    reason: "sequence test",
  });
  assert.ok([201, 409].includes(answer.status), JSON.stringify(answer.body));
}

/**
 * Walks a list `limit` rows a page while rows are added between pages: every row there before the walk appears
 * exactly once, and no row twice.
 */
async function page(step: Extract<Step, { kind: "page" }>): Promise<void> {
  const paths = {
    jobs: "/v1/jobs?includeDemo=false",
    drains: "/v1/drains",
    keys: "/v1/keys",
    audit: "/v1/audit?resourcePrefix=job:",
  };
  const path = paths[step.list];
  const probe = await world.as(step.actor, "GET", `${path}${path.includes("?") ? "&" : "?"}limit=1`);
  if (probe.status === 403) return;
  assert.equal(probe.status, 200, JSON.stringify(probe.body));
  const key = (row: Json) => String(row.seq ?? row.id);
  const before = (await world.walk(step.actor, path, 1000)).map(key);
  const adder: TenantActor =
    world.tenantOf[step.actor] === null ? "genai" : (tenantActors.find((actor) => actor === step.actor) ?? "genai");
  const rows = await world.walk(step.actor, path, step.limit, async (at) => {
    if (at > 6) return;
    if (step.list === "drains") {
      await world.as("operator", "POST", "/v1/drains", {
        target: pick(drainTargets, at)!,
        reason: "paging",
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 7_200_000).toISOString(),
      });
    } else if (step.list === "keys") {
      const created = await world.as(adder, "POST", "/v1/keys", { name: "paging" });
      if (created.status === 201)
        world.model.keys.push({
          id: created.body.key.id,
          token: created.body.token,
          userId: created.body.key.userId,
          expiresAtMs: null,
          revoked: false,
        });
    } else {
      await submit({
        kind: "submit",
        actor: adder,
        gpus: 1,
        model: null,
        dataClass: "public",
        durationS: 60,
        hold: false,
        gang: 1,
        queue: null,
      });
    }
  });
  const seen = rows.map(key);
  const duplicates = seen.filter((id, at) => seen.indexOf(id) !== at);
  assert.deepEqual(duplicates, [], `${path} (limit ${step.limit}) lists twice`);
  const missing = before.filter((id) => !seen.includes(id));
  assert.deepEqual(missing, [], `${path} (limit ${step.limit}) misses rows that were there before the walk`);
}

/** A tenant reaching for another tenant's things by id or filter sees nothing of them. */
async function probe(step: Extract<Step, { kind: "probe" }>): Promise<void> {
  const own = world.tenantOf[step.actor]!;
  const other = own === "valdiag" ? "campus-valence" : "valdiag";
  const usage = await world.as(step.actor, "GET", `/v1/usage?tenant=${other}`);
  assert.equal(usage.status, 403, `usage of ${other}: ${usage.status}`);
  const tenant = await world.as(step.actor, "GET", `/v1/tenants/${other}`);
  assert.ok([403, 404].includes(tenant.status));
  const jobs = await world.as(step.actor, "GET", `/v1/jobs?tenantId=${other}&limit=1000`);
  if (jobs.status === 200) {
    assert.equal(jobs.body.length, 0, `${step.actor} lists ${other}'s jobs`);
    assert.equal(jobs.total, 0);
  } else assert.equal(jobs.status, 403);
  const hours = await world.as(step.actor, "GET", `/v1/usage/hours?tenant=${other}`);
  assert.ok([200, 403].includes(hours.status));
  if (hours.status === 200) assert.equal(hours.body.length, 0);
  const foreign = world.model.jobs.filter((job) => job.tenantId !== own).at(-1);
  if (foreign !== undefined) {
    for (const path of [`/v1/jobs/${foreign.id}`, `/v1/jobs/${foreign.id}/history`])
      assert.equal((await world.as(step.actor, "GET", path)).status, 404, path);
  }
  const audit = await world.as(step.actor, "GET", "/v1/audit");
  assert.equal(audit.status, 403);
}

/** A student's course job, the base of the race steps' submissions. */
const studentJob: Extract<Step, { kind: "submit" }> = {
  kind: "submit",
  actor: "student",
  gpus: 8,
  model: null,
  dataClass: "public",
  durationS: 3600,
  hold: false,
  gang: 1,
  queue: null,
};

/** Calls sent at once: at most one of two conflicting changes succeeds, limits hold, nothing is left half-done. */
async function race(step: Extract<Step, { kind: "race" }>): Promise<void> {
  const twice = (method: string, path: string, actor: Actor, body?: unknown) =>
    Promise.all([world.as(actor, method, path, body), world.as(actor, method, path, body)]);
  let answers: Awaited<ReturnType<World["as"]>>[] = [];
  let exclusive = true;
  const job = pick(world.model.jobs, step.index);
  if (step.what === "submit") {
    await Promise.all([submit(studentJob), submit(studentJob), submit(studentJob)]);
    return;
  }
  if (step.what === "flood") {
    // More held submissions at once than the tenant's room for waiting jobs: the cap holds (429 for the rest).
    const held = { ...studentJob, actor: "genai" as const, gpus: 1, hold: true };
    await Promise.all(Array.from({ length: waitingCap + 4 }, () => submit(held)));
    return;
  }
  if (step.what === "submit-delete-queue") {
    // A submission to the course queue while the queue is removed: the job never lands in a queue that is gone.
    await Promise.all([
      submit({ ...studentJob, hold: true }, false),
      world.as("admin", "DELETE", "/v1/queues/campus-course"),
      submit({ ...studentJob, hold: true }, false),
    ]);
    return;
  }
  if (step.what === "submit-site") {
    const document = structuredClone(world.original);
    siteVariants[pick(Object.keys(siteVariants), step.index)!]!(document);
    await Promise.all([
      submit({ ...studentJob, actor: "health", dataClass: "health", gpus: 1 }, false),
      world.as("operator", "POST", "/v1/site/changes", { summary: "race", site: document }),
      submit({ ...studentJob, actor: "health", dataClass: "health", gpus: 8 }, false),
    ]);
    return;
  }
  if (step.what === "cancel-requeue") {
    if (job === undefined) return;
    answers = await Promise.all([
      world.as("admin", "POST", `/v1/jobs/${job.id}/cancel`, {}),
      world.as("admin", "POST", `/v1/jobs/${job.id}/requeue`, {}),
      world.as("admin", "POST", `/v1/jobs/${job.id}/hold`, {}),
    ]);
    const state = (await world.as("admin", "GET", `/v1/jobs/${job.id}`)).body.state;
    if (answers[0]!.status === 200) assert.equal(state, "cancelled", "a cancelled job came back");
    return;
  }
  if (step.what === "drain") {
    const target = pick(drainTargets, step.index)!;
    answers = await twice("POST", "/v1/drains", "operator", { target, reason: "race" });
    for (const answer of answers) if (answer.status === 201) world.model.drains.push({ id: answer.body.id, target });
  } else if (step.what === "revoke") {
    const key = pick(world.model.keys, step.index);
    if (key === undefined) return;
    answers = await twice("DELETE", `/v1/keys/${key.id}`, "admin");
    if (answers.some((answer) => answer.status === 200)) key.revoked = true;
    exclusive = false;
  } else {
    if (job === undefined) return;
    answers = await twice("POST", `/v1/jobs/${job.id}/${step.what}`, "admin", { reason: "race" });
  }
  const succeeded = answers.filter((answer) => answer.status < 300).length;
  if (exclusive)
    assert.ok(succeeded <= 1, `${step.what} twice at once: ${answers.map((answer) => answer.status).join(", ")}`);
}

/**
 * A user made by an admin: a tenant admin only in its own tenant and only with a tenant role (never staff), then a
 * key for it; the key sees what the role sees.
 */
async function user(step: Extract<Step, { kind: "user" }>): Promise<void> {
  const name = `seq-${process.pid}-${userCounter++}`;
  const answer = await world.as(step.actor, "POST", "/v1/users", {
    tenantId: step.tenant,
    name,
    email: `${name}@example.org`,
    role: step.role,
  });
  const staffRole = ["platform-admin", "auditor", "metrics-reader"].includes(step.role);
  const fits = staffRole === (step.tenant === null);
  const mayWrite = step.actor === "admin" || (step.actor !== "student" && world.tenantOf[step.actor] === step.tenant);
  if (!mayWrite || !fits)
    assert.ok([400, 403, 404].includes(answer.status), `${JSON.stringify(step)}: ${answer.status}`);
  if (answer.status !== 201) return;
  assert.equal(answer.body.tenantId, step.tenant);
  const key = await world.as(step.actor, "POST", "/v1/keys", { userId: answer.body.id, name: "made" });
  assert.equal(key.status, 201, JSON.stringify(key.body));
  world.model.keys.push({
    id: key.body.key.id,
    token: key.body.token,
    userId: answer.body.id,
    expiresAtMs: null,
    revoked: false,
  });
  madeUsers.push({ id: answer.body.id, tenantId: step.tenant, role: step.role, token: key.body.token });
  const me = await world.send("GET", "/v1/me", key.body.token);
  // A scraper's key reads /metrics and nothing else (routeLimitedRoles).
  if (step.role === "metrics-reader") {
    assert.equal(me.status, 403);
    return;
  }
  assert.equal(me.status, 200);
  assert.equal(me.body.role, step.role);
  assert.equal(me.body.tenantId, step.tenant);
}

/** Disabling a user revokes its keys at once; a tenant admin disables users of its own tenant only. */
async function disable(step: Extract<Step, { kind: "disable" }>): Promise<void> {
  const made = pick(madeUsers, step.index);
  if (made === undefined) return;
  const answer = await world.as(step.actor, "POST", `/v1/users/${made.id}/disable`);
  const mayWrite = step.actor === "admin" || world.tenantOf[step.actor] === made.tenantId;
  if (!mayWrite) assert.ok([403, 404].includes(answer.status), `${step.actor} disabled ${made.id}: ${answer.status}`);
  else assert.equal(answer.status, 200, JSON.stringify(answer.body));
  if (answer.status !== 200) return;
  for (const key of world.model.keys) if (key.userId === made.id) key.revoked = true;
  assert.equal(await world.getFromElsewhere("/v1/me", made.token), 401, "a disabled user's key still works");
}

/** A request the API must refuse: who sends it, and the statuses and first field the refusal may have. */
interface BadRequest {
  readonly actor: Actor;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly statuses: readonly number[];
  readonly field?: string;
}

/** An hour from now, plus `hours`, as the API takes times. */
const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** Bad requests of every kind the sequences send (bad values, unknown names, refusals by the platform's rules). */
function badRequests(): BadRequest[] {
  const job = { projectId: world.projects.genai, name: "bad", gpus: 1, durationS: 60, dataClass: "public" };
  const queue = { tenant: "atelier-genai", cohort: "commercial" };
  const user = { tenantId: "valdiag", name: "bad", email: `bad-${process.pid}@example.org`, role: "tenant-member" };
  const known = world.model.jobs.at(-1)?.id ?? "job_unknown";
  return [
    { actor: "admin", method: "GET", path: "/v1/jobs?limit=0", statuses: [400], field: "querystring.limit" },
    { actor: "genai", method: "GET", path: "/v1/jobs?limit=abc", statuses: [400], field: "querystring.limit" },
    { actor: "admin", method: "GET", path: "/v1/jobs?cursor=forged", statuses: [400], field: "querystring.cursor" },
    { actor: "operator", method: "GET", path: "/v1/drains?state=over", statuses: [400], field: "querystring.state" },
    { actor: "auditor", method: "GET", path: "/v1/audit?after=-1", statuses: [400], field: "querystring.after" },
    {
      actor: "admin",
      method: "GET",
      path: "/v1/usage?from=2026-01-02&to=2026-01-01",
      statuses: [400],
      field: "querystring.from",
    },
    { actor: "genai", method: "GET", path: "/v1/usage?tenant=valdiag", statuses: [403], field: "querystring.tenant" },
    {
      actor: "genai",
      method: "POST",
      path: "/v1/jobs",
      body: { ...job, gpus: 1000 },
      statuses: [400],
      field: "body.gpus",
    },
    {
      actor: "genai",
      method: "POST",
      path: "/v1/jobs",
      body: { ...job, dataClass: "secret" },
      statuses: [400],
      field: "body.dataClass",
    },
    {
      actor: "genai",
      method: "POST",
      path: "/v1/jobs",
      body: { ...job, queue: "nope" },
      statuses: [400],
      field: "body.queue",
    },
    {
      actor: "genai",
      method: "POST",
      path: "/v1/jobs",
      body: { ...job, gpuModel: "A100" },
      statuses: [400],
      field: "body.gpuModel",
    },
    {
      actor: "genai",
      method: "POST",
      path: "/v1/jobs",
      body: { ...job, projectId: "prj_unknown" },
      statuses: [404],
      field: "body.projectId",
    },
    {
      actor: "admin",
      method: "POST",
      path: `/v1/jobs/${known}/cancel`,
      body: { reason: { text: "no" } },
      statuses: [400],
      field: "body.reason",
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/jobs/job_unknown/hold",
      body: {},
      statuses: [404],
      field: "params.id",
    },
    {
      actor: "operator",
      method: "POST",
      path: "/v1/drains",
      body: { target: "row:h9-r01", reason: "bad" },
      statuses: [400],
      field: "body.target",
    },
    {
      actor: "operator",
      method: "POST",
      path: "/v1/drains",
      body: { target: "row:h1-r01", reason: "bad", startsAt: hoursFromNow(2), endsAt: hoursFromNow(1) },
      statuses: [400],
      field: "body.endsAt",
    },
    {
      actor: "operator",
      method: "POST",
      path: "/v1/drains",
      body: { target: "rack:h1-r02-01", reason: "bad", policy: "deadline" },
      statuses: [400],
      field: "body.deadline",
    },
    {
      actor: "operator",
      method: "POST",
      path: "/v1/drains/nope/resume",
      body: {},
      statuses: [400],
      field: "params.id",
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/keys",
      body: { name: "bad", expiresAt: "2020-01-01T00:00:00Z" },
      statuses: [400],
      field: "body.expiresAt",
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/keys",
      body: { name: "bad", userId: "usr_unknown" },
      statuses: [404],
      field: "body.userId",
    },
    {
      actor: "admin",
      method: "PUT",
      path: "/v1/queues/genai-extra",
      body: { ...queue, quota: { "gpu.H200": { nominal: -1 } } },
      statuses: [400],
      field: 'body.quota["gpu.H200"].nominal',
    },
    {
      actor: "admin",
      method: "PUT",
      path: "/v1/queues/genai-extra",
      body: { ...queue, quota: { "gpu.H200": { nominal: 0, borrowLimit: 4 } } },
      statuses: [400],
      field: 'body.quota["gpu.H200"].borrowLimit',
    },
    {
      actor: "admin",
      method: "PUT",
      path: "/v1/queues/genai-extra",
      body: { ...queue, tenant: "no-such-tenant" },
      statuses: [400, 409],
      field: "body.tenant",
    },
    {
      actor: "admin",
      method: "PUT",
      path: "/v1/queue-config",
      body: { config: { ...world.originalQueues, queues: [{ name: "q", tenant: "no-such-tenant", cohort: "x" }] } },
      statuses: [400],
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/users",
      body: { ...user, role: "owner" },
      statuses: [400],
      field: "body.role",
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/users",
      body: { ...user, tenantId: "no-such-tenant" },
      statuses: [404],
      field: "body.tenantId",
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/users",
      body: { ...user, role: "auditor" },
      statuses: [400],
      field: "body.tenantId",
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/users",
      body: { ...user, email: actors.healthAdmin },
      statuses: [409],
      field: "body.email",
    },
    {
      actor: "operator",
      method: "POST",
      path: "/v1/grid/events",
      body: { reduceFraction: 2, durationS: 10, reason: "bad" },
      statuses: [400],
      field: "body.reduceFraction",
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/site/changes",
      body: { summary: "bad", site: { ...world.original, halls: "none" } },
      statuses: [400],
    },
    {
      actor: "admin",
      method: "POST",
      path: "/v1/site/changes",
      body: { summary: "bad", site: { ...world.original, site: { ...world.original.site, id: "other" } } },
      statuses: [400],
    },
  ];
}

/**
 * Sends one bad request (`send` checks the problem's form): refused with the status expected, naming the field at
 * fault as a path into the request, and nothing done (no audit record: checked with every mutation).
 */
async function invalid(step: Extract<Step, { kind: "invalid" }>): Promise<void> {
  const bad = pick(badRequests(), step.index)!;
  const answer = await world.as(bad.actor, bad.method, bad.path, bad.body);
  const said = `${bad.method} ${bad.path}: ${answer.status} ${JSON.stringify(answer.body)}`;
  assert.ok(bad.statuses.includes(answer.status), said);
  // The first status listed is the refusal the request is made for; the others are the platform's state refusing it
  // first (a queue whose tenant would change while it has work is a 409 before its new tenant is looked up).
  if (answer.status !== bad.statuses[0]) return;
  assert.ok(Array.isArray(answer.body.errors) && answer.body.errors.length > 0, `names no field: ${said}`);
  if (bad.field !== undefined) assert.equal(answer.body.errors[0].field, bad.field, said);
}

/**
 * A drain started, checked while it holds (nothing starts on its racks), then resumed: the checks after the step see
 * it ended and expect its racks to take work again (World.checkFreed), the certified row and the GB300 row being the
 * only racks health work and GB300 work may use.
 */
async function cycle(step: Extract<Step, { kind: "cycle" }>): Promise<void> {
  const answer = await world.as("operator", "POST", "/v1/drains", { target: step.target, reason: "cycle" });
  if (answer.status !== 201) {
    assert.ok([400, 409].includes(answer.status), JSON.stringify(answer.body));
    return;
  }
  world.model.drains.push({ id: answer.body.id, target: step.target });
  await world.checkInvariants();
  const resumed = await world.as("operator", "POST", `/v1/drains/${answer.body.id}/resume`, {});
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
}

/** Runs one step. */
async function perform(step: Step): Promise<void> {
  switch (step.kind) {
    case "submit":
      return submit(step);
    case "cancel":
    case "hold":
    case "release":
    case "requeue":
      return control(step);
    case "createKey":
      return createKey(step);
    case "revokeKey":
      return revokeKey(step);
    case "drain":
      return drain(step);
    case "resume":
      return resume(step);
    case "site":
      return site(step);
    case "queue":
      return queue(step);
    case "grid":
      return grid(step);
    case "page":
      return page(step);
    case "probe":
      return probe(step);
    case "race":
      return race(step);
    case "user":
      return user(step);
    case "disable":
      return disable(step);
    case "wait":
      await new Promise((resolve) => setTimeout(resolve, step.ms));
      return;
    case "restart":
      return world.restart();
    case "invalid":
      return invalid(step);
    case "cycle":
      return cycle(step);
  }
}

/** A step as a fast-check command: runs it, then checks every invariant. */
class StepCommand implements fc.AsyncCommand<object, World> {
  readonly step: Step;
  constructor(step: Step) {
    this.step = step;
  }
  check(): boolean {
    return true;
  }
  async run(_model: object, real: World): Promise<void> {
    await perform(this.step);
    await real.checkInvariants();
  }
  toString(): string {
    return JSON.stringify(this.step);
  }
}

/** The server's heap after a full collection, in MiB. */
function heapMiB(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
}

describe("API sequences", () => {
  it(`keeps every invariant through ${runs} random sequences of up to ${maxSteps} steps (seed ${seed})`, async () => {
    const commands = fc.commands([stepArbitrary.map((step) => new StepCommand(step))], {
      maxCommands: maxSteps,
      size: "max",
    });
    let heapStart: number | undefined;
    const started = Date.now();
    /** What was run, printed also when a sequence fails (a long run's figures). */
    const report = (heapEnd: number | undefined) => {
      const { sequences, steps, requests, restarts, freed, freedProbes, byStatus } = world.stats;
      const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
      console.log(
        `sequences ${sequences}, steps ${steps}, restarts ${restarts}, drains ended ${freed} (probes of freed racks ${freedProbes}), requests ${requests} (${statuses.join(", ")}), ${((Date.now() - started) / 1000).toFixed(1)} s; heap ${heapStart?.toFixed(1)} → ${heapEnd?.toFixed(1)} MiB`,
      );
    };
    try {
      await fc.assert(
        fc.asyncProperty(commands, async (sequence) => {
          await world.reset();
          madeUsers.length = 0;
          heapStart ??= heapMiB();
          world.stats.sequences++;
          await fc.asyncModelRun(() => ({ model: {}, real: world }), sequence);
          await world.verifyAudit();
        }),
        { numRuns: runs, seed, endOnFailure: true, includeErrorInReport: true },
      );
    } catch (error) {
      report(undefined);
      throw error;
    }
    const heapEnd = heapMiB();
    report(heapEnd);
    const { sequences } = world.stats;
    // Jobs are kept for ever (history), a few kB each: the heap may grow with them, not by tens of MiB per sequence.
    assert.ok(heapEnd - (heapStart ?? heapEnd) < 64 + sequences, `heap grew from ${heapStart} to ${heapEnd} MiB`);
  });
});
