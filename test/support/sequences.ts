/**
 * The world of the stateful API test (test/sequences.test.ts): a real server on the lab site driven over HTTP by the
 * roles a reviewer plays (platform admin, facility operator, auditor, a health tenant, a generative-AI tenant, a
 * student), what the test knows of what they did (the model), every call checked as it answers, and the invariants
 * checked after each step. Invariants come from the docs and the code: docs/api.md (problems, paging, keys, drains,
 * audit), src/scheduler/SPEC.md (S1 quotas, S3 sovereignty, S6 drains), src/tenancy/roles.ts (scopes).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { ComposedApp } from "../../src/app/compose.ts";
import type { JobsEngine } from "../../src/app/jobs/engine.ts";
import { formatPath, parsePath } from "../../src/model/diagnostics.ts";
import { callApi } from "./api.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers and site documents are read field by field from JSON.
export type Json = any;

/** The people of the sequences, each with the seeded demo user that plays them. */
export const actors = {
  admin: "admin@alixan.local",
  operator: "camille@alixan.local",
  auditor: "audit@alixan.local",
  health: "lea.martin@valdiag.example",
  healthAdmin: "admin@valdiag.example",
  genai: "admin@atelier-genai.example",
  student: "ines@campus-valence.example",
} as const;
/** One actor of the sequences. */
export type Actor = keyof typeof actors;
/** Actors that belong to a tenant. */
export const tenantActors = ["health", "healthAdmin", "genai", "student"] as const;
/** One tenant actor. */
export type TenantActor = (typeof tenantActors)[number];

/** One answer, as the checks need it. */
export interface Answer {
  readonly status: number;
  readonly body: Json;
  readonly type: string;
  readonly nextCursor: string | null;
  readonly total: number | null;
}

/** A mutating call and what it must have left in the audit chain. */
interface MutationRecord {
  readonly clientId: string;
  readonly call: string;
  readonly status: number;
}

/** A job some actor submitted during the sequence. */
export interface KnownJob {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly dataClass: string;
  readonly owner: TenantActor;
}

/** A key made during the sequence. */
export interface KnownKey {
  readonly id: string;
  readonly token: string;
  readonly userId: string;
  readonly expiresAtMs: number | null;
  revoked: boolean;
}

/** A drain made during the sequence. */
export interface KnownDrain {
  readonly id: string;
  readonly target: string;
}

/** Where each rack sits, for one site version. */
interface SiteMap {
  readonly version: number;
  readonly rackZone: Map<string, string | null>;
  readonly healthZones: Set<string>;
  /** Racks of each hall, row and rack id (drain areas). */
  readonly areaRacks: Map<string, string[]>;
  /** The GPU model and count of each rack with GPUs. */
  readonly rackGpus: Map<string, { model: string; gpus: number }>;
}

/** What the test knows of the platform; reset between sequences. */
export interface Model {
  readonly jobs: KnownJob[];
  readonly keys: KnownKey[];
  readonly drains: KnownDrain[];
  /** Site change applied last (a name of `siteVariants`). */
  site: string;
}

/** The starting model of a sequence. */
export function emptyModel(): Model {
  return { jobs: [], keys: [], drains: [], site: "original" };
}

/** Site documents a facility operator may apply, as changes of the original document. */
export const siteVariants: Readonly<Record<string, (doc: Json) => void>> = {
  original: () => undefined,
  // The certified zone moves to hall 1: health work must follow it.
  "hds-to-hall-1": (doc) => {
    doc.halls[0].zone = "zone:hds";
    delete doc.halls[1].zone;
  },
  // Half the certified H200 row is removed.
  "shrink-hds-row": (doc) => {
    doc.halls[1].rows[0].racks[0].count = 3;
  },
  // The certified suite stops hosting health data.
  "hds-closed": (doc) => {
    doc.zones[0].dataClasses = ["public", "confidential"];
  },
  // Hall 2 (the whole certified zone) is decommissioned.
  "remove-hall-2": (doc) => {
    doc.halls = [doc.halls[0]];
  },
  // The GB300 row of hall 1 is removed: the rows after it take its numbers (row and rack ids are positional).
  "remove-first-row": (doc) => {
    doc.halls[0].rows = doc.halls[0].rows.slice(1);
  },
  // The CPU row of hall 1 and the CPU row of hall 2 are removed (rows a drain may name).
  "remove-cpu-rows": (doc) => {
    doc.halls[0].rows = doc.halls[0].rows.slice(0, 2);
    doc.halls[1].rows = doc.halls[1].rows.slice(0, 1);
  },
};

/** Drain targets of the lab site (some disappear with site changes: the drain then names nothing). */
export const drainTargets = [
  "row:h1-r01",
  "row:h1-r02",
  "row:h1-r03",
  "row:h2-r01",
  "row:h2-r02",
  "rack:h1-r02-01",
  "rack:h1-r02-08",
  "rack:h2-r01-01",
  "rack:h2-r01-06",
  "hall:h2",
  "cdu:h1-r02-01",
  "cdu:h2-r01-02",
] as const;

/** The parts of a request a problem's `field` may start with (src/server/problem.ts: Fastify's validation contexts). */
const fieldParts = new Set(["body", "querystring", "params", "headers", "url"]);

/**
 * Whether `field` is written as `formatPath` writes it (`body.quota["gpu.H200"].borrowingLimit`, `body.queues[6]`,
 * `querystring.limit`) and names a part of the request: the console maps a problem to its form field by that path.
 */
export function isRequestField(field: unknown): boolean {
  if (typeof field !== "string" || field === "") return false;
  const segments = parsePath(field);
  return fieldParts.has(String(segments[0])) && formatPath(segments) === field;
}

/**
 * A 4xx answer's form (docs/api.md): problem+json with a detail, the request id of the answer's `x-request-id`, no
 * stack or source path; a 400 names its fields, and every field named is a path into the request.
 */
export function checkProblem(call: string, answer: Answer, requestIdHeader: string | null): void {
  const { body, status } = answer;
  const text = JSON.stringify(body);
  assert.match(answer.type, /^application\/problem\+json/, `${call} ${status} is not a problem`);
  assert.ok(typeof body.detail === "string" && body.detail.length > 0, `${call}: no detail in ${text}`);
  assert.equal(body.status, status, `${call}: the problem's status is not the answer's: ${text}`);
  assert.ok(typeof body.requestId === "string" && body.requestId !== "", `${call} ${status}: no request id: ${text}`);
  assert.equal(body.requestId, requestIdHeader, `${call}: the problem's request id is not the answer's x-request-id`);
  assert.ok(
    !("stack" in body) && !/\n\s+at |\.ts:\d+|node_modules/.test(text),
    `${call} ${status} shows code: ${text}`,
  );
  if (status === 400)
    assert.ok(Array.isArray(body.errors) && body.errors.length > 0, `${call} 400 names no field: ${text}`);
  for (const error of body.errors ?? [])
    assert.ok(
      isRequestField(error.field),
      `${call} ${status}: field ${JSON.stringify(error.field)} is not a request path: ${text}`,
    );
}

/** Per-step counters the report prints. */
export interface Stats {
  sequences: number;
  steps: number;
  requests: number;
  /** Restarts of the platform. */
  restarts: number;
  /** Drains ended (resumed or run out) and the probes of their racks that had to start there (checkFreed). */
  freed: number;
  freedProbes: number;
  byStatus: Map<number, number>;
}

/** A platform started on the sequences' store. */
export interface Started {
  readonly app: ComposedApp;
  readonly engine: JobsEngine;
  readonly url: string;
}

/** What must come back unchanged through a restart: read just before the stop. */
interface Persisted {
  readonly jobs: Map<string, { state: string; held: boolean; submittedAt: string; startedAt: string | null }>;
  readonly openDrains: Json[];
  readonly queueConfig: Json;
  readonly keys: Map<string, string | null>;
}

/** States a job leaves only by running or being acted on. */
const activeStates = new Set(["queued", "admitted", "running"]);

/** The server, the keys of every actor, what was seen, and the checks. */
export class World {
  #started: Started;
  readonly #startAgain: () => Promise<Started>;
  readonly tokens: Record<Actor, string>;
  readonly userIds: Record<Actor, string>;
  readonly tenantOf: Record<Actor, string | null>;
  readonly projects: Record<TenantActor, string>;
  readonly original: Json;
  readonly originalQueues: Json;
  /** Jobs one tenant may have waiting at once (the server's `maxQueuedPerTenant`). */
  readonly waitingCap: number;
  readonly stats: Stats = {
    sequences: 0,
    steps: 0,
    requests: 0,
    restarts: 0,
    freed: 0,
    freedProbes: 0,
    byStatus: new Map(),
  };
  model: Model = emptyModel();
  /** Mutations answered since the audit was last checked. */
  #mutations: MutationRecord[] = [];
  /** The last audit sequence number checked. */
  #auditSeq = 0;
  /** Drains active at the previous check (id to racks). */
  #activeDrains = new Map<string, string[]>();
  readonly #sites = new Map<number, SiteMap>();
  /** Per queue and resource, the highest limit since usage last fitted the limit in force (quota cuts do not evict). */
  readonly #quotaCeiling = new Map<string, number>();

  constructor(fields: {
    started: Started;
    startAgain: () => Promise<Started>;
    tokens: Record<Actor, string>;
    userIds: Record<Actor, string>;
    tenantOf: Record<Actor, string | null>;
    projects: Record<TenantActor, string>;
    original: Json;
    originalQueues: Json;
    waitingCap: number;
  }) {
    this.#started = fields.started;
    this.#startAgain = fields.startAgain;
    this.tokens = fields.tokens;
    this.userIds = fields.userIds;
    this.tenantOf = fields.tenantOf;
    this.projects = fields.projects;
    this.original = fields.original;
    this.originalQueues = fields.originalQueues;
    this.waitingCap = fields.waitingCap;
  }

  /** The platform running now (another one after each restart). */
  get app(): ComposedApp {
    return this.#started.app;
  }

  /** The running platform's jobs engine. */
  get engine(): JobsEngine {
    return this.#started.engine;
  }

  /** The running platform's base URL (a new port after each restart). */
  get url(): string {
    return this.#started.url;
  }

  /**
   * Stops the platform (graceful close) and starts it again on the same store, then checks that what was stored came
   * back: open drains (and the racks they keep), the queue configuration and its version, every key (revoked ones
   * still refused), every job's state and hold, and the audit chain, which verifies and goes on from where it was.
   */
  async restart(): Promise<void> {
    await this.checkAudit();
    const before = await this.persisted();
    await this.app.close();
    this.#started = await this.#startAgain();
    this.stats.restarts++;
    const after = await this.persisted();
    const nowIso = new Date().toISOString();
    // A drain whose window ended while the platform was down is no longer open: every other one still is.
    const stillOpen = before.openDrains.filter((drain) => drain.endsAt === null || drain.endsAt > nowIso);
    assert.deepEqual(
      after.openDrains.map((drain) => drain.id).sort(),
      stillOpen.map((drain) => drain.id).sort(),
      "open drains after the restart",
    );
    for (const drain of after.openDrains) {
      const was = before.openDrains.find((old) => old.id === drain.id);
      assert.deepEqual(
        [drain.target, drain.area, drain.policy, drain.startsAt, drain.endsAt],
        [was.target, was.area, was.policy, was.startsAt, was.endsAt],
        `drain ${drain.id} after the restart`,
      );
    }
    assert.deepEqual(after.queueConfig, before.queueConfig, "the queue configuration and its version");
    assert.deepEqual([...after.keys].sort(), [...before.keys].sort(), "keys and their revocations");
    for (const [id, job] of before.jobs) {
      const now = after.jobs.get(id);
      assert.ok(now !== undefined, `job ${id} (${job.state}) is gone after the restart`);
      if (!activeStates.has(job.state)) assert.equal(now.state, job.state, `job ${id} ended before the restart`);
      // Active work is taken back (queued again, running again); it may end by running, never by the restart itself.
      else
        assert.ok(
          activeStates.has(now.state) || now.state === "succeeded",
          `job ${id} was ${job.state}, is ${now.state}`,
        );
      if (job.held && job.state === "queued")
        assert.ok(now.held && now.state === "queued", `job ${id} was held, is ${now.state}`);
      // A restart changes no job's times: its submission, and its first start (a run goes on, or waits again).
      assert.equal(now.submittedAt, job.submittedAt, `job ${id}'s submission time after the restart`);
      if (job.startedAt !== null)
        assert.equal(now.startedAt, job.startedAt, `job ${id}'s first start after the restart`);
    }
    for (const key of this.model.keys)
      if (key.revoked) assert.equal(await this.getFromElsewhere("/v1/me", key.token), 401, `revoked ${key.id}`);
    await this.verifyAudit();
  }

  /** What a restart must keep, read from the API. */
  async persisted(): Promise<Persisted> {
    const jobs: Persisted["jobs"] = new Map();
    for (const job of await this.walk("admin", "/v1/jobs?includeDemo=false", 1000))
      jobs.set(job.id, {
        state: job.state,
        held: job.held !== null,
        submittedAt: job.submittedAt,
        startedAt: job.startedAt,
      });
    const keys = new Map<string, string | null>();
    for (const key of await this.walk("admin", "/v1/keys", 1000)) keys.set(key.id, key.revokedAt);
    const queues = await this.as("admin", "GET", "/v1/queue-config");
    return {
      jobs,
      openDrains: await this.walk("operator", "/v1/drains?state=open", 200),
      queueConfig: { version: queues.body.version, config: queues.body.config },
      keys,
    };
  }

  /**
   * Sends one request with `token` and checks the answer's form: never a 5xx, every 4xx a problem+json with a
   * detail (a 400 names its fields). Mutations are remembered for the audit check.
   */
  async send(method: string, path: string, token: string, body?: unknown): Promise<Answer> {
    const clientId = `seq-${randomUUID()}`;
    const sent = await callApi(this.url, method, path, token, body, { "x-request-id": clientId });
    const parsed = sent.body;
    const text = JSON.stringify(parsed);
    const answer: Answer = {
      status: sent.status,
      body: parsed,
      type: sent.type,
      nextCursor: sent.headers.get("x-next-cursor"),
      total: sent.headers.has("x-total-count") ? Number(sent.headers.get("x-total-count")) : null,
    };
    this.stats.requests++;
    this.stats.byStatus.set(answer.status, (this.stats.byStatus.get(answer.status) ?? 0) + 1);
    const call = `${method} ${path}`;
    assert.ok(answer.status < 500, `${call} answered ${answer.status}: ${text.slice(0, 500)}`);
    if (answer.status >= 400) checkProblem(call, answer, sent.headers.get("x-request-id"));
    if (method !== "GET" && answer.status !== 401 && answer.status !== 429)
      this.#mutations.push({ clientId, call, status: answer.status });
    return answer;
  }

  /** Sends as `actor`. */
  as(actor: Actor, method: string, path: string, body?: unknown): Promise<Answer> {
    return this.send(method, path, this.tokens[actor], body);
  }

  /** Every page of a list as `actor`, `limit` rows a page; `between` runs between pages. */
  async walk(
    actor: Actor | string,
    path: string,
    limit: number,
    between?: (page: number) => Promise<void>,
  ): Promise<Json[]> {
    const token = actor in actors ? this.tokens[actor as Actor] : actor;
    const rows: Json[] = [];
    const join = path.includes("?") ? "&" : "?";
    let cursor: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const suffix: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const answer = await this.send("GET", `${path}${join}limit=${limit}${suffix}`, token);
      assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
      assert.ok(Array.isArray(answer.body) && answer.body.length <= limit, `${path}: page longer than ${limit}`);
      rows.push(...answer.body);
      cursor = answer.nextCursor;
      if (cursor === null) return rows;
      await between?.(page);
    }
    throw new Error(`${path}: more than 10,000 pages`);
  }

  /** The rack map of the site in force, kept per version. */
  async siteMap(): Promise<SiteMap> {
    const layout = (await this.as("admin", "GET", "/v1/site/layout")).body;
    const known = this.#sites.get(layout.version);
    if (known !== undefined) return known;
    const document = (await this.as("admin", "GET", "/v1/site/document")).body;
    const rackZone = new Map<string, string | null>();
    const areaRacks = new Map<string, string[]>();
    const rackGpus = new Map<string, { model: string; gpus: number }>();
    layout.racks.ids.forEach((rack: string, index: number) => {
      const type = layout.rackTypes[layout.racks.typeIndex[index]];
      if (type.gpuModel !== null && type.gpus > 0) rackGpus.set(rack, { model: type.gpuModel, gpus: type.gpus });
    });
    const add = (area: string, rack: string) => {
      const list = areaRacks.get(area) ?? [];
      list.push(rack);
      areaRacks.set(area, list);
    };
    for (const row of layout.rows) {
      const hall = layout.halls[row.hallIndex];
      for (let index = row.rackStart; index < row.rackStart + row.rackCount; index++) {
        const rack = layout.racks.ids[index];
        rackZone.set(rack, row.zoneId);
        add(row.id, rack);
        add(hall.id, rack);
        add(rack, rack);
        for (const cdu of row.cdus) add(cdu, rack);
      }
    }
    const now = Date.now();
    const healthZones = new Set<string>(
      (document.zones ?? [])
        .filter(
          (zone: Json) =>
            (zone.dataClasses ?? []).includes("health") &&
            (zone.certifications ?? []).includes("HDS") &&
            (zone.validUntil === undefined || Date.parse(`${zone.validUntil}T23:59:59Z`) > now),
        )
        .map((zone: Json) => zone.id as string),
    );
    const map = { version: layout.version, rackZone, healthZones, areaRacks, rackGpus };
    this.#sites.set(layout.version, map);
    return map;
  }

  /** Drains active now, with the racks they drain in the site in force. */
  async activeDrains(): Promise<Map<string, string[]>> {
    const site = await this.siteMap();
    const drains = await this.walk("operator", "/v1/drains?state=active", 200);
    const active = new Map<string, string[]>();
    for (const drain of drains) active.set(drain.id, drain.area === null ? [] : (site.areaRacks.get(drain.area) ?? []));
    return active;
  }

  /** Brings the platform back to its starting state between sequences: no work, no drain, the original site. */
  async reset(): Promise<void> {
    for (const drain of await this.walk("operator", "/v1/drains?state=open", 200))
      await this.as("operator", "POST", `/v1/drains/${drain.id}/resume`, {});
    for (const job of await this.walk("admin", "/v1/jobs?includeDemo=false&state=queued", 1000))
      await this.as("admin", "POST", `/v1/jobs/${job.id}/cancel`, { reason: "reset" });
    for (const state of ["admitted", "running"])
      for (const job of await this.walk("admin", `/v1/jobs?includeDemo=false&state=${state}`, 1000))
        await this.as("admin", "POST", `/v1/jobs/${job.id}/cancel`, { reason: "reset" });
    for (const event of (await this.as("operator", "GET", "/v1/grid/events")).body as Json[])
      if (event.state === "scheduled" || event.state === "active")
        await this.as("operator", "POST", `/v1/grid/events/${event.id}/cancel`, {});
    for (const key of this.model.keys) if (!key.revoked) await this.as("admin", "DELETE", `/v1/keys/${key.id}`);
    await this.as("admin", "POST", "/v1/site/changes", { summary: "reset", site: this.original });
    await this.as("admin", "PUT", "/v1/queue-config", { config: this.originalQueues, summary: "reset" });
    this.model = emptyModel();
    this.#quotaCeiling.clear();
    await this.checkAudit();
    this.#activeDrains = await this.activeDrains();
  }

  /** Every invariant, after a step. */
  async checkInvariants(): Promise<void> {
    this.stats.steps++;
    const health = await fetch(`${this.url}/health`);
    assert.equal(health.status, 200, "the health probe answers");
    await health.arrayBuffer();
    await this.engine.flush();
    const active = await this.activeDrains();
    const ended = [...this.#activeDrains].filter(([id]) => !active.has(id));
    await this.checkStarts(active);
    await this.checkFreed(ended, active);
    await this.checkSovereignty();
    await this.checkIsolation();
    await this.checkQuotas();
    await this.checkQueueCounts();
    await this.checkDrainReasons(active);
    await this.checkKeys();
    await this.checkGrid();
    await this.checkAudit();
  }

  /** Grid events never take work from protected jobs (health data is protected by default): docs/flexibility.md. */
  async checkGrid(): Promise<void> {
    const events = await this.walk("operator", "/v1/grid/events", 200);
    for (const event of events)
      assert.equal(event.report?.protectedWorkLost ?? 0, 0, `grid event ${event.id} cost protected work`);
    const running = await this.walk("admin", "/v1/jobs?includeDemo=false&dataClass=health&state=running", 1000);
    // The sequences declare no flexibility: health jobs are protected, never capped or suspended.
    for (const job of running) assert.equal(job.curtailment, null, `${job.id} (health) curtailed by the grid`);
  }

  /**
   * Every start since the last check (its `job.start` audit record): health data in a zone that may host it (S3),
   * and on no rack of a drain active at the last check and still active now (S6).
   */
  async checkStarts(active: Map<string, string[]>): Promise<void> {
    const starts = await this.walk("auditor", `/v1/audit?action=job.start&after=${this.#auditSeq}`, 1000);
    for (const start of starts) {
      const after = start.after;
      if (after.dataClass === "health") {
        const site = this.#sites.get(after.siteVersion) ?? (await this.siteMap());
        assert.ok(
          after.zoneId !== null && site.healthZones.has(after.zoneId),
          `${start.resource} (health) started in ${after.zoneId} at site v${after.siteVersion}: ${JSON.stringify(after)}`,
        );
        for (const rack of after.racks)
          assert.equal(site.rackZone.get(rack), after.zoneId, `${start.resource} on ${rack} outside ${after.zoneId}`);
      }
      for (const [id, racks] of active) {
        if (!this.#activeDrains.has(id)) continue;
        const drained = after.racks.filter((rack: string) => racks.includes(rack));
        assert.deepEqual(drained, [], `${start.resource} started on drained ${drained} (drain ${id})`);
      }
    }
    this.#activeDrains = active;
  }

  /**
   * A drain that ended (resumed, or its window over) frees its racks (S6): new work starts there again. For each GPU
   * model and data class whose every rack a job may use now is among the freed ones (health work in the certified
   * zone, or any work on the only racks of a model), a one-GPU job must start on them at once, unless the model says
   * it may wait: no freed rack surely has a GPU free (each running job counted whole on each of its racks), the
   * tenant's queue has no nominal quota left, work of the tenant already waits before it, or (for work that is not
   * protected) a grid event is scheduled or in force.
   */
  async checkFreed(ended: [string, string[]][], active: Map<string, string[]>): Promise<void> {
    if (ended.length === 0) return;
    this.stats.freed += ended.length;
    const drained = new Set([...active.values()].flat());
    const freed = new Set(ended.flatMap(([, racks]) => racks).filter((rack) => !drained.has(rack)));
    if (freed.size === 0) return;
    const site = await this.siteMap();
    const running = await this.walk("admin", "/v1/jobs?includeDemo=false&state=running", 1000);
    const admitted = await this.walk("admin", "/v1/jobs?includeDemo=false&state=admitted", 1000);
    const usedAtMost = new Map<string, number>();
    for (const job of [...running, ...admitted])
      for (const rack of job.placement?.racks ?? []) usedAtMost.set(rack, (usedAtMost.get(rack) ?? 0) + job.gpus);
    const models = new Set([...freed].flatMap((rack) => site.rackGpus.get(rack)?.model ?? []));
    // A grid event scheduled or in force holds new work that is not protected (health data is): docs/flexibility.md.
    const events = (await this.as("operator", "GET", "/v1/grid/events")).body as Json[];
    const gridHolds = events.some((event) => event.state === "scheduled" || event.state === "active");
    for (const model of models) {
      for (const [actor, dataClass] of [
        ["health", "health"],
        ["genai", "public"],
      ] as const) {
        const mayHost = (rack: string) => {
          const zone = site.rackZone.get(rack);
          return dataClass === "public" || (zone !== null && zone !== undefined && site.healthZones.has(zone));
        };
        const eligible = [...site.rackGpus]
          .filter(([rack, gpus]) => gpus.model === model && mayHost(rack) && !drained.has(rack))
          .map(([rack]) => rack);
        if (eligible.length === 0 || !eligible.every((rack) => freed.has(rack))) continue;
        if (dataClass === "public" && gridHolds) continue;
        const room = eligible.some((rack) => site.rackGpus.get(rack)!.gpus - (usedAtMost.get(rack) ?? 0) >= 1);
        if (!room || !(await this.mayStartAtOnce(actor, model))) continue;
        const answer = await this.as(actor, "POST", "/v1/jobs", {
          projectId: this.projects[actor],
          name: "freed-probe",
          gpus: 1,
          gpuModel: model,
          durationS: 600,
          dataClass,
        });
        if (answer.status === 429) continue;
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        this.stats.freedProbes++;
        const job = answer.body;
        this.model.jobs.push({ id: job.id, tenantId: job.tenantId, userId: job.userId, dataClass, owner: actor });
        const drains = ended.map(([id]) => id).join(", ");
        assert.ok(
          job.state === "running" || job.state === "admitted",
          `${model} ${dataClass} work waits though drain ${drains} ended and freed ${eligible.join(", ")}: ${job.state}, ${job.reason}`,
        );
        const elsewhere = job.placement.racks.filter((rack: string) => !freed.has(rack));
        assert.deepEqual(elsewhere, [], `${job.id} started outside the racks only it could use`);
      }
    }
  }

  /**
   * Whether a one-GPU job of `actor` of `model` may start at once as far as its tenant goes: no job of the tenant
   * waits unheld (it would go first), and the tenant's queues have nominal quota left for one more GPU.
   */
  async mayStartAtOnce(actor: TenantActor, model: string): Promise<boolean> {
    const tenant = this.tenantOf[actor]!;
    const waiting = await this.walk("admin", `/v1/jobs?includeDemo=false&state=queued&tenantId=${tenant}`, 1000);
    if (waiting.some((job) => job.held === null)) return false;
    // A submission naming no queue goes to the tenant's own (genai-extra is the sequences' second queue).
    const queues = ((await this.as("admin", "GET", "/v1/queues")).body as Json[]).filter(
      (queue) => queue.tenantId === tenant && queue.name !== "genai-extra",
    );
    return queues.every((queue) =>
      ["gpu", `gpu.${model}`].every((resource) => {
        const nominal = queue.nominal?.[resource];
        return nominal === undefined || (queue.usage?.[resource] ?? 0) + 1 <= nominal;
      }),
    );
  }

  /** Every running health job runs on racks of a zone that may host health data now (S3, also after a change). */
  async checkSovereignty(): Promise<void> {
    const site = await this.siteMap();
    for (const job of await this.walk("admin", "/v1/jobs?includeDemo=false&state=running&dataClass=health", 1000)) {
      for (const rack of job.placement.racks) {
        const zone = site.rackZone.get(rack);
        assert.ok(zone !== undefined, `${job.id} runs on ${rack}, which the site v${site.version} does not have`);
        assert.ok(zone !== null && site.healthZones.has(zone), `${job.id} (health) runs on ${rack} in zone ${zone}`);
      }
    }
  }

  /** A tenant sees only its tenant's jobs, keys, usage and queues; a student only its own jobs. */
  async checkIsolation(): Promise<void> {
    const ownJobs = new Set(this.model.jobs.map((job) => job.id));
    const users = await this.walk("admin", "/v1/users", 1000);
    const userTenants = new Map<string, string | null>(users.map((user) => [user.id, user.tenantId]));
    for (const actor of tenantActors) {
      const tenant = this.tenantOf[actor]!;
      const jobs = await this.as(actor, "GET", "/v1/jobs?limit=1000");
      assert.equal(jobs.status, 200);
      for (const job of jobs.body) {
        assert.equal(job.tenantId, tenant, `${actor} sees ${job.id} of ${job.tenantId}`);
        if (actor === "student") assert.equal(job.userId, this.userIds.student, `the student sees ${job.id}`);
      }
      assert.equal(jobs.total, jobs.body.length < 1000 ? jobs.body.length : jobs.total, `${actor}: X-Total-Count`);
      for (const known of this.model.jobs) {
        const mayRead = known.tenantId === tenant && (actor !== "student" || known.userId === this.userIds.student);
        if (mayRead || !ownJobs.has(known.id)) continue;
        const read = await this.as(actor, "GET", `/v1/jobs/${known.id}`);
        assert.equal(read.status, 404, `${actor} reads ${known.id} of ${known.tenantId}: ${read.status}`);
        break;
      }
      const keys = await this.as(actor, "GET", "/v1/keys?limit=1000");
      for (const key of keys.body) {
        assert.equal(userTenants.get(key.userId), tenant, `${actor} sees key ${key.id} of ${key.userId}`);
        if (actor !== "healthAdmin" && actor !== "genai")
          assert.equal(key.userId, this.userIds[actor], `${actor} sees another user's key ${key.id}`);
      }
      const usage = await this.as(actor, "GET", "/v1/usage");
      assert.equal(usage.status, 200);
      for (const line of [...usage.body.tenants, ...usage.body.projects])
        assert.equal(line.tenantId, tenant, `${actor} sees usage of ${line.tenantId}`);
      const queues = await this.as(actor, "GET", "/v1/queues");
      for (const queue of queues.body) assert.equal(queue.tenantId, tenant, `${actor} sees queue ${queue.name}`);
    }
  }

  /**
   * No queue uses more than its nominal quota plus its borrowing limit (S1). A quota cut does not evict running work,
   * so the bound is the highest limit in force since the queue last fitted its current one.
   */
  async checkQuotas(): Promise<void> {
    const queues = (await this.as("admin", "GET", "/v1/queues")).body as Json[];
    for (const queue of queues) {
      for (const [resource, nominal] of Object.entries<number>(queue.nominal)) {
        const borrowing = queue.borrowingLimit?.[resource];
        if (borrowing === null || borrowing === undefined) continue;
        const limit = nominal + borrowing;
        const key = `${queue.name}/${resource}`;
        const used = queue.usage?.[resource] ?? 0;
        const ceiling = used <= limit + 1e-9 ? limit : Math.max(limit, this.#quotaCeiling.get(key) ?? limit);
        this.#quotaCeiling.set(key, ceiling);
        assert.ok(used <= ceiling + 1e-9, `queue ${queue.name} uses ${used} ${resource}, limit ${ceiling}`);
      }
    }
  }

  /**
   * `GET path` with `token` from a loopback address of its own (127.0.0.2 to .254 in turn): the server throttles an
   * address after 20 failed authentications a minute, and the dead keys this test tries on purpose would otherwise
   * throttle every other call of the sequence.
   */
  async getFromElsewhere(path: string, token: string): Promise<number> {
    const localAddress = `127.0.0.${2 + (this.#elsewhere++ % 253)}`;
    const target = new URL(path, this.url);
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        target,
        { method: "GET", localAddress, headers: { authorization: `Bearer ${token}` } },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on("error", reject);
      outgoing.end();
    });
  }

  #elsewhere = 0;

  /**
   * The queue list's pending and running counts are the job list's, queue by queue (two views of one state).
   */
  async checkQueueCounts(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const queues = (await this.as("admin", "GET", "/v1/queues")).body as Json[];
      const jobs = await this.walk("admin", "/v1/jobs?includeDemo=false", 1000);
      const counted = new Map<string, { pending: number; running: number }>();
      for (const job of jobs) {
        const entry = counted.get(job.queue) ?? { pending: 0, running: 0 };
        if (job.state === "queued") entry.pending++;
        if (job.state === "running" || job.state === "admitted") entry.running++;
        counted.set(job.queue, entry);
      }
      // The cap is judged at submission (`checkWaitingCap`): a job that started before and waits again (preempted,
      // requeued, moved by a site change or a restart) may take a tenant past it, a submission never.
      const submitted = new Map<string, number>();
      for (const job of jobs)
        if (job.state === "queued" && job.startedAt === null)
          submitted.set(job.tenantId, (submitted.get(job.tenantId) ?? 0) + 1);
      for (const [tenant, count] of submitted)
        assert.ok(
          count <= this.waitingCap,
          `${tenant} has ${count} submitted jobs waiting that never started, at most ${this.waitingCap}`,
        );
      const listedNames = new Set(queues.map((queue) => queue.name));
      // A job waiting or running in a queue the configuration no longer has is listed under no queue.
      const orphans = [...counted]
        .filter(([name, entry]) => !listedNames.has(name) && entry.pending + entry.running > 0)
        .map(([name, entry]) => ({ name, listed: [0, 0], jobs: entry }));
      const differences = queues
        .map((queue) => ({ name: queue.name, listed: [queue.pending, queue.running], jobs: counted.get(queue.name) }))
        .concat(orphans)
        .filter((entry) => {
          const jobs = entry.jobs ?? { pending: 0, running: 0 };
          return entry.listed[0] !== jobs.pending || entry.listed[1] !== jobs.running;
        });
      if (differences.length === 0) return;
      // Jobs start and end between the two reads: only a difference that stays is one.
      if (attempt < 3) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      assert.deepEqual(differences, [], "GET /v1/queues counts differ from GET /v1/jobs");
    }
  }

  /**
   * The held jobs of `tenant` that wait and never started: nothing takes them out of the queue but a step (release,
   * cancel, a site change), so their count before a submission is at most what the server counts when it judges it.
   */
  async heldWaiting(tenant: string): Promise<number> {
    const waiting = await this.walk("admin", `/v1/jobs?includeDemo=false&state=queued&tenantId=${tenant}`, 1000);
    return waiting.filter((job) => job.held !== null && job.startedAt === null).length;
  }

  /**
   * Judges a submission's answer against the tenant's waiting cap: a 201 only while what waits and what it adds fit
   * the cap (`heldBefore`, from `heldWaiting` before it was sent, is a lower bound of what waited), a 429 only when
   * they do not, its count at least that bound. Not a raw count: work that started before may wait again beyond it.
   */
  checkWaitingCap(answer: Answer, adding: number, heldBefore: number): void {
    if (answer.status === 201)
      assert.ok(
        heldBefore + adding <= this.waitingCap,
        `a submission of ${adding} was accepted with ${heldBefore} held jobs waiting, at most ${this.waitingCap}`,
      );
    if (answer.status !== 429) return;
    const detail = String((answer.body as Json).detail);
    const counted = /already has (\d+) jobs waiting and this submission adds (\d+) \(at most (\d+) waiting\)/.exec(
      detail,
    );
    assert.ok(counted !== null, `a 429 that does not say what waits: ${detail}`);
    const [waiting, adds, cap] = counted.slice(1).map(Number) as [number, number, number];
    assert.deepEqual([adds, cap], [adding, this.waitingCap], detail);
    assert.ok(waiting + adds > cap, `refused though it fits: ${detail}`);
    assert.ok(waiting >= heldBefore, `${detail}, though ${heldBefore} held jobs were waiting`);
  }

  /** A waiting job's reason names only drains active now: ending a drain frees its racks (S6, S7). */
  async checkDrainReasons(active: Map<string, string[]>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const queued = await this.walk("admin", "/v1/jobs?includeDemo=false&state=queued", 1000);
      const stale = queued
        .map((job) => ({ id: job.id, drain: /drain (\S+?)[ ,:)]/.exec(`${job.reason} `)?.[1] }))
        .filter((job) => job.drain !== undefined && !active.has(job.drain));
      if (stale.length === 0) return;
      if (attempt < 3) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        active = await this.activeDrains();
        continue;
      }
      assert.deepEqual(stale, [], "jobs wait for drains that ended");
    }
  }

  /** Keys revoked or expired are refused (401) on every route; the others still work. */
  async checkKeys(): Promise<void> {
    for (const key of this.model.keys.slice(-4)) {
      const now = Date.now();
      const expired = key.expiresAtMs !== null && now >= key.expiresAtMs;
      const nearExpiry = key.expiresAtMs !== null && Math.abs(now - key.expiresAtMs) < 300;
      if (nearExpiry) continue;
      const status = await this.getFromElsewhere("/v1/me", key.token);
      if (key.revoked || expired) assert.equal(status, 401, `key ${key.id} (revoked or expired) answered ${status}`);
      // A live key authenticates (a scraper's key is then refused /v1/me by its role: 403, never 401).
      else assert.ok(status === 200 || status === 403, `key ${key.id} refused: ${status}`);
    }
  }

  /**
   * Every mutation that succeeded left at least one audit record with its request id; every refused one left none.
   * Reads the audit chain page by page from the last sequence number checked.
   */
  async checkAudit(): Promise<void> {
    await this.engine.flush();
    const records = await this.walk("auditor", `/v1/audit?after=${this.#auditSeq}`, 1000);
    const byClient = new Map<string, number>();
    // Oldest first from the last one checked, with no gap (a restart continues the chain, never forks or skips it).
    const seqs = records.map((record) => record.seq as number).sort((a, b) => a - b);
    for (const [at, seq] of seqs.entries())
      assert.equal(seq, this.#auditSeq + at + 1, `audit gap after ${this.#auditSeq}`);
    for (const record of records) {
      if (record.clientRequestId !== null)
        byClient.set(record.clientRequestId, (byClient.get(record.clientRequestId) ?? 0) + 1);
      this.#auditSeq = Math.max(this.#auditSeq, record.seq);
    }
    const mutations = this.#mutations;
    this.#mutations = [];
    for (const mutation of mutations) {
      const count = byClient.get(mutation.clientId) ?? 0;
      // A site change that leaves the site as it was (200) applies nothing and writes nothing.
      const unchanged = mutation.call.startsWith("POST /v1/site/changes") && mutation.status === 200;
      if (mutation.status < 300 && !unchanged)
        assert.ok(count > 0, `${mutation.call} answered ${mutation.status} and left no audit record`);
      else if (mutation.status >= 400)
        assert.equal(count, 0, `${mutation.call} answered ${mutation.status} and wrote ${count} audit records`);
    }
  }

  /** The audit chain verifies. */
  async verifyAudit(): Promise<void> {
    const verification = await this.as("auditor", "GET", "/v1/audit/verify");
    assert.equal(verification.status, 200);
    assert.equal(verification.body.ok, true, JSON.stringify(verification.body.problems));
  }
}
