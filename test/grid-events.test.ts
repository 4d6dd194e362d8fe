/**
 * Grid curtailment events end to end, through the HTTP API of a real server on the lab site (simulated executor, live
 * twin at real speed): running jobs of each flexibility class meet an event asking more than the flexible work can
 * give. At the start the deferrable job is suspended, the flexible one GPU-capped, the preemptible one requeued, the
 * protected (health) job untouched; new flexible work waits while new protected work starts; the site's power falls
 * in the live twin. At the end everything is resumed or released and the report counts jobs and lost work by class,
 * with no protected work lost. Bad input is a 4xx naming the field; tenants may not create events; lists page. A
 * platform that stops without releasing an event (a crash) takes it back when it starts again on the same store. A
 * site change during an event keeps its pauses, caps and holds in the new scheduler, commands nothing twice, and
 * lets go (with the reason) a job the change displaces.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import { type ApiAnswer, callApi } from "./support/api.ts";
import { until } from "./support/wait.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

/** A platform on the lab site with its own store, started again on that store after a crash. */
class LabPlatform {
  readonly directory = mkdtempSync(join(tmpdir(), "alixan-grid-"));
  app!: ComposedApp;
  platform!: ReturnType<typeof platformFeatures>;
  url = "";
  readonly keys = { operator: "", admin: "", hugo: "", lea: "", auditor: "" };
  readonly projects = { hugo: "", lea: "" };

  /** Starts the platform on the store (again after a crash). */
  async start(): Promise<void> {
    this.platform = platformFeatures({ demoLoad: 0, telemetryInMemory: true });
    this.app = await composeApp({
      site: "lab",
      store: { kind: "pglite", dataDir: this.directory },
      seed: true,
      features: this.platform.features,
    });
    this.url = await this.app.server.listen({ port: 0, host: "127.0.0.1" });
  }

  /** The first start: the demo keys and each tenant's project. */
  async open(): Promise<void> {
    await this.start();
    const key = (email: string) => this.app.demoKeys!.find((candidate) => candidate.email === email)!.token;
    this.keys.operator = key("camille@alixan.local");
    this.keys.admin = key("admin@alixan.local");
    this.keys.hugo = key("hugo@rhone-pharma.example");
    this.keys.lea = key("lea.martin@valdiag.example");
    this.keys.auditor = key("audit@alixan.local");
    this.projects.hugo = (await this.api("GET", "/v1/projects", this.keys.hugo)).body[0].id;
    this.projects.lea = (await this.api("GET", "/v1/projects", this.keys.lea)).body[0].id;
  }

  async close(): Promise<void> {
    await this.app.close();
    rmSync(this.directory, { recursive: true, force: true });
    rmSync(`${this.directory}.audit`, { recursive: true, force: true });
  }

  api(method: string, path: string, key: string, body?: unknown): Promise<ApiAnswer> {
    return callApi(this.url, method, path, key, body);
  }

  async submit(who: "hugo" | "lea", name: string, extra: Record<string, unknown>): Promise<Json> {
    const answer = await this.api("POST", "/v1/jobs", this.keys[who], {
      projectId: this.projects[who],
      name,
      gpus: 8,
      gpuModel: "H200",
      durationS: 3600,
      dataClass: "confidential",
      ...extra,
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body;
  }

  async job(id: string): Promise<Json> {
    return (await this.api("GET", `/v1/jobs/${id}`, this.keys.admin)).body;
  }

  async history(id: string): Promise<string[]> {
    return ((await this.api("GET", `/v1/jobs/${id}/history`, this.keys.admin)).body as Json[]).map(
      (event) => event.event,
    );
  }

  /** Requests a grid event as the operator and waits until it is in force with its report, read with `reader`. */
  async applyEvent(body: Record<string, unknown>, reader: string): Promise<Json> {
    const created = await this.api("POST", "/v1/grid/events", this.keys.operator, body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const eventId = created.body.id;
    return until("the event applied", async () => {
      const event = (await this.api("GET", `/v1/grid/events/${eventId}`, reader)).body;
      return event.state === "active" && event.report !== null ? event : undefined;
    });
  }

  running(id: string): Promise<boolean> {
    return until(`${id} running`, async () => ((await this.job(id)).state === "running" ? true : undefined));
  }
}

/** A platform of its own for the calling suite, open before its first test and closed after its last. */
function labPlatform(): LabPlatform {
  const lab = new LabPlatform();
  before(() => lab.open());
  after(() => lab.close());
  return lab;
}

// Each suite below has a platform of its own and the suites run at once: the long ones wait on events at wall-clock
// speed (a baseline window, the event, a restart), and the site takes one event at a time, so on one shared platform
// they could only wait one after the other. Tests within a suite run in order on their platform (the list's paging
// counts the event of the test before it); nested suites inherit concurrency, hence `concurrency: false` on each.
describe("grid events", { concurrency: true }, () => {
  describe("requests, an event on running work, and lists", { concurrency: false }, () => {
    const lab = labPlatform();

    it("refuses a job more protected than its queue allows, and takes health jobs as protected", async () => {
      const refused = await lab.api("POST", "/v1/jobs", lab.keys.hugo, {
        projectId: lab.projects.hugo,
        name: "wants protection",
        gpus: 1,
        durationS: 60,
        dataClass: "confidential",
        flexibility: "protected",
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors[0].field, "body.flexibility");
      const health = await lab.submit("lea", "diagnostic", { dataClass: "health" });
      assert.equal(health.flexibility, "protected");
      await lab.api("POST", `/v1/jobs/${health.id}/cancel`, lab.keys.lea, {});
    });

    it("checks requests field by field and keeps tenants out", async () => {
      const both = await lab.api("POST", "/v1/grid/events", lab.keys.operator, {
        reduceMW: 1,
        reduceFraction: 0.1,
        durationS: 60,
        reason: "x",
      });
      assert.equal(both.status, 400);
      assert.equal(both.body.errors[0].field, "body.reduceMW");
      const neither = await lab.api("POST", "/v1/grid/events", lab.keys.operator, { durationS: 60, reason: "x" });
      assert.equal(neither.body.errors[0].field, "body.reduceMW");
      const long = await lab.api("POST", "/v1/grid/events", lab.keys.operator, {
        reduceMW: 1,
        durationS: 90_000,
        reason: "x",
      });
      assert.equal(long.status, 400);
      assert.equal(long.body.errors[0].field, "body.durationS");
      const far = await lab.api("POST", "/v1/grid/events", lab.keys.operator, {
        reduceMW: 1,
        durationS: 60,
        reason: "x",
        start: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      });
      assert.equal(far.body.errors[0].field, "body.start");
      assert.equal(
        (await lab.api("POST", "/v1/grid/events", lab.keys.hugo, { reduceMW: 1, durationS: 60, reason: "x" })).status,
        403,
      );
      assert.equal((await lab.api("GET", "/v1/grid/events", lab.keys.hugo)).status, 403);
      assert.equal((await lab.api("GET", "/v1/grid/events/gev_zz", lab.keys.operator)).status, 400);
      assert.equal((await lab.api("GET", "/v1/grid/events/gev_000000000000", lab.keys.operator)).status, 404);
      assert.equal((await lab.api("GET", "/v1/grid/events?limit=1001", lab.keys.operator)).status, 400);
    });

    it("suspends, caps and requeues by class, holds new flexible work, and releases everything at the end", async () => {
      const itKw = async () => (await lab.api("GET", "/v1/state/site", lab.keys.operator)).body.kpis.itKW as number;
      const idle = await itKw();
      const protectedJob = await lab.submit("lea", "diagnostics", { dataClass: "health" });
      const deferrable = await lab.submit("hugo", "train-deferrable", { flexibility: "deferrable" });
      const flexible = await lab.submit("hugo", "train-flexible", { flexibility: "flexible" });
      const preemptible = await lab.submit("hugo", "sweep-preemptible", { flexibility: "preemptible" });
      for (const id of [protectedJob.id, deferrable.id, flexible.id, preemptible.id]) await lab.running(id);
      // The twin draws the jobs from its next step: wait until it does, then for a baseline window of it.
      await until("the twin to draw the jobs' power", async () => ((await itKw()) > idle + 5 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 11_000));

      const active = await lab.applyEvent({ reduceMW: 5, durationS: 12, reason: "RTE test signal" }, lab.keys.auditor);
      const eventId = active.id;
      assert.equal(active.report.jobs.suspended.deferrable, 1);
      assert.equal(active.report.jobs.capped.flexible, 1);
      assert.equal(active.report.jobs.requeued.preemptible, 1);
      assert.equal(active.report.jobs.capped.protected + active.report.jobs.suspended.protected, 0);
      assert.ok(active.report.shortMW > 0, "5 MW is more than the lab's flexible work: the plan says what it lacks");
      assert.equal(active.report.capShare, 0.3);

      assert.equal((await lab.job(protectedJob.id)).state, "running");
      assert.ok((await lab.history(deferrable.id)).includes("job.suspended"));
      assert.ok((await lab.history(flexible.id)).includes("job.capped"));
      const requeued = await lab.job(preemptible.id);
      assert.equal(requeued.state, "queued");
      assert.match(requeued.reason, new RegExp(`grid event ${eventId}`));

      // New work: flexible waits with the event named, protected starts.
      const late = await lab.submit("hugo", "late-flexible", { flexibility: "flexible", gpus: 1 });
      const lateProtected = await lab.submit("lea", "late-diagnostics", { dataClass: "health", gpus: 1 });
      await lab.running(lateProtected.id);
      const waiting = await lab.job(late.id);
      assert.equal(waiting.state, "queued");
      assert.match(waiting.reason, /grid event/);

      const ended = await until(
        "the event ended",
        async () => {
          const event = (await lab.api("GET", `/v1/grid/events/${eventId}`, lab.keys.operator)).body;
          return event.state === "ended" && event.report?.releasedAt !== null ? event : undefined;
        },
        30_000,
      );
      const report = ended.report;
      assert.equal(report.protectedWorkLost, 0);
      assert.equal(report.workLostGpuHours.protected, 0);
      assert.equal(report.resumed, 2, "the suspended and the capped job");
      assert.ok(report.workLostGpuHours.flexible > 0, "capping costs throughput");
      assert.ok(report.workLostGpuHours.preemptible > 0, "the requeued run is lost");
      assert.ok(report.deferredGpuHours > 0);
      assert.ok(report.samples > 5, `twin samples during the event: ${report.samples}`);
      assert.ok(report.deliveredMW > 0, `delivered ${report.deliveredMW} MW from a baseline of ${report.baselineMW}`);
      assert.ok((await lab.history(deferrable.id)).includes("job.resumed"));
      assert.ok((await lab.history(flexible.id)).includes("job.uncapped"));
      await lab.running(preemptible.id);
      await lab.running(late.id);
      process.stdout.write(
        `# grid event: requested ${report.requestedMW} MW, planned ${report.plannedMW.toFixed(4)} MW, delivered ${report.deliveredMW.toFixed(4)} MW (baseline ${report.baselineMW.toFixed(4)}), response ${report.responseS} s, plan applied in ${(report.applyS * 1000).toFixed(1)} ms\n`,
      );

      const audit = (await lab.api("GET", `/v1/audit?resource=grid-event:${eventId}`, lab.keys.auditor)).body as Json[];
      assert.deepEqual(
        audit.map((record) => record.action),
        ["grid.create", "grid.start", "grid.end"],
      );
      for (const id of [protectedJob.id, deferrable.id, flexible.id, preemptible.id, late.id, lateProtected.id])
        await lab.api("POST", `/v1/jobs/${id}/cancel`, lab.keys.admin, {});
    });

    it("refuses overlaps, cancels a scheduled event, and pages the list by state", async () => {
      const start = new Date(Date.now() + 3_600_000).toISOString();
      const first = await lab.api("POST", "/v1/grid/events", lab.keys.operator, {
        reduceFraction: 0.2,
        start,
        durationS: 3600,
        noticeS: 900,
        reason: "EcoWatt red",
      });
      assert.equal(first.status, 201);
      assert.equal(first.body.state, "scheduled");
      const overlap = await lab.api("POST", "/v1/grid/events", lab.keys.operator, {
        reduceMW: 1,
        start: new Date(Date.now() + 3_000_000).toISOString(),
        durationS: 600,
        reason: "again",
      });
      assert.equal(overlap.status, 409);
      assert.equal(overlap.body.errors[0].field, "body.start");
      const page = await lab.api("GET", "/v1/grid/events?limit=1", lab.keys.auditor);
      assert.equal(page.body.length, 1);
      assert.equal(page.headers.get("x-total-count"), "2");
      const next = page.headers.get("x-next-cursor")!;
      const second = await lab.api(
        "GET",
        `/v1/grid/events?limit=1&cursor=${encodeURIComponent(next)}`,
        lab.keys.auditor,
      );
      assert.equal(second.body.length, 1);
      assert.notEqual(second.body[0].id, page.body[0].id);
      assert.equal((await lab.api("GET", "/v1/grid/events?state=scheduled", lab.keys.auditor)).body.length, 1);
      const cancelled = await lab.api("POST", `/v1/grid/events/${first.body.id}/cancel`, lab.keys.operator, {});
      assert.equal(cancelled.body.state, "cancelled");
      assert.equal(
        (await lab.api("POST", `/v1/grid/events/${first.body.id}/cancel`, lab.keys.operator, {})).status,
        409,
      );
      assert.equal((await lab.api("GET", "/v1/grid/events?state=cancelled", lab.keys.auditor)).body.length, 1);
    });
  });

  describe("a crash during an event", { concurrency: false }, () => {
    const lab = labPlatform();

    it("takes an active event back after a crash: held work stays held, and runs after the end", async () => {
      const deferrable = await lab.submit("hugo", "train-deferrable-2", { flexibility: "deferrable" });
      const protectedJob = await lab.submit("lea", "diagnostics-2", { dataClass: "health" });
      for (const id of [deferrable.id, protectedJob.id]) await lab.running(id);
      const created = await lab.api("POST", "/v1/grid/events", lab.keys.operator, {
        reduceMW: 5,
        durationS: 40,
        reason: "crash test",
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const eventId = created.body.id;
      await until("the start recorded", async () => {
        const audit = (await lab.api("GET", `/v1/audit?resource=grid-event:${eventId}`, lab.keys.auditor))
          .body as Json[];
        return audit.some((record) => record.action === "grid.start") ? true : undefined;
      });
      assert.ok((await lab.history(deferrable.id)).includes("job.suspended"));

      // A crash: the grid service lets go without releasing anything, the rest closes.
      lab.platform.grid.service()!.abandon();
      await lab.app.close();
      await lab.start();

      const taken = (await lab.api("GET", `/v1/grid/events/${eventId}`, lab.keys.operator)).body;
      assert.equal(taken.state, "active", "the test needs the event to outlast the restart");
      const restart = taken.report.restarts[0];
      assert.equal(restart.outcome, "reapplied");
      // The simulated run is taken back where it ran, paused as the plan left it (with the run time it had left):
      // kept, nothing commanded again.
      assert.deepEqual([restart.kept, restart.reapplied, restart.gone], [1, 0, 0]);
      assert.equal(taken.report.jobs.suspended.deferrable, 1, "the report keeps what the first process did");
      const held = await lab.job(deferrable.id);
      assert.equal(held.state, "running");
      assert.equal(held.curtailment?.kind, "suspended", JSON.stringify(held.curtailment));
      assert.equal(held.curtailment.gridEventId, eventId);
      assert.deepEqual(await lab.history(deferrable.id), ["job.submit", "job.start", "job.suspended"]);
      await lab.running(protectedJob.id);

      const ended = await until(
        "the event ended",
        async () => {
          const event = (await lab.api("GET", `/v1/grid/events/${eventId}`, lab.keys.operator)).body;
          return event.state === "ended" && event.report?.releasedAt !== null ? event : undefined;
        },
        60_000,
      );
      await lab.running(deferrable.id);
      assert.equal((await lab.job(deferrable.id)).curtailment, null, "resumed at the end");
      assert.equal(ended.report.protectedWorkLost, 0);
      const audit = (await lab.api("GET", `/v1/audit?resource=grid-event:${eventId}`, lab.keys.auditor)).body as Json[];
      assert.deepEqual(
        audit.map((record) => record.action),
        ["grid.create", "grid.start", "grid.reapply", "grid.end"],
      );
      for (const id of [deferrable.id, protectedJob.id])
        await lab.api("POST", `/v1/jobs/${id}/cancel`, lab.keys.admin, {});
    });
  });

  describe("an event that starts while the platform is down", { concurrency: false }, () => {
    const lab = labPlatform();

    it("plans an event that started while the platform was down once the restarted twin has stepped", async () => {
      const deferrable = await lab.submit("hugo", "train-deferrable-3", { flexibility: "deferrable" });
      await lab.running(deferrable.id);
      const created = await lab.api("POST", "/v1/grid/events", lab.keys.operator, {
        reduceMW: 5,
        start: new Date(Date.now() + 2000).toISOString(),
        durationS: 30,
        reason: "starts during the downtime",
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const eventId = created.body.id;
      lab.platform.grid.service()!.abandon();
      await lab.app.close();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(created.body.startsAt) - Date.now())));
      await lab.start();

      const active = await until("the event planned", async () => {
        const event = (await lab.api("GET", `/v1/grid/events/${eventId}`, lab.keys.operator)).body;
        return event.state === "active" && event.report !== null ? event : undefined;
      });
      assert.deepEqual(active.report.restarts, [], "nothing to take back: no plan was stored");
      assert.ok(active.report.baselineMW !== null, "the baseline is the restarted twin's first step");
      // The run was taken back running (a restart keeps simulated runs): the event's plan suspends it.
      const held = await lab.job(deferrable.id);
      assert.equal(held.state, "running");
      assert.equal(held.curtailment?.kind, "suspended", JSON.stringify(held.curtailment));
      assert.equal(held.curtailment.gridEventId, eventId);
      await until(
        "the event ended",
        async () => {
          const event = (await lab.api("GET", `/v1/grid/events/${eventId}`, lab.keys.operator)).body;
          return event.state === "ended" && event.report?.releasedAt !== null ? event : undefined;
        },
        60_000,
      );
      await lab.running(deferrable.id);
      assert.equal((await lab.job(deferrable.id)).curtailment, null, "resumed at the end");
      await lab.api("POST", `/v1/jobs/${deferrable.id}/cancel`, lab.keys.admin, {});
    });
  });

  describe("a site change during an event", { concurrency: false }, () => {
    const lab = labPlatform();

    it("keeps pauses, caps and holds across a site change, lets go a job the change displaces, releases each once", async () => {
      const itKw = async () => (await lab.api("GET", "/v1/state/site", lab.keys.operator)).body.kpis.itKW as number;
      const idle = await itKw();
      const deferrable = await lab.submit("hugo", "train-deferrable-5", { flexibility: "deferrable" });
      const flexible = await lab.submit("hugo", "train-flexible-5", { flexibility: "flexible" });
      const preemptible = await lab.submit("hugo", "sweep-preemptible-5", { flexibility: "preemptible" });
      // A health job that declared itself deferrable runs in zone:hds, the only zone hosting health data: the site
      // change below takes health off that zone, so it can no longer run where the event paused it.
      const displaced = await lab.submit("lea", "diagnostics-deferrable-5", {
        dataClass: "health",
        flexibility: "deferrable",
      });
      const ids = [deferrable.id, flexible.id, preemptible.id, displaced.id];
      for (const id of ids) await lab.running(id);
      await until("the twin to draw the jobs' power", async () => ((await itKw()) > idle + 5 ? true : undefined));
      // A step or two more (the twin reads the placements at its next step after each change): the four jobs may have
      // shown over consecutive steps.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const fullKw = await itKw();

      const active = await lab.applyEvent(
        { reduceMW: 5, durationS: 40, reason: "site change test" },
        lab.keys.operator,
      );
      const eventId = active.id;
      assert.equal(active.report.jobs.suspended.deferrable, 2);
      assert.equal(active.report.jobs.capped.flexible, 1);
      assert.equal(active.report.jobs.requeued.preemptible, 1);
      const firstKw = await until("the twin to draw the curtailment", async () => {
        const kw = await itKw();
        return kw < fullKw - 5 ? kw : undefined;
      });
      // A step or two more: the paused, capped and requeued jobs may show over consecutive steps.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const curtailedKw = Math.min(firstKw, await itKw());
      const shedKw = fullKw - curtailedKw;

      // The site change, through the API: zone:hds no longer hosts health data (a new site version, a new scheduler).
      const doc = (await lab.api("GET", "/v1/site/document", lab.keys.admin)).body;
      const zone = doc.zones.find((candidate: Json) => candidate.id === "zone:hds");
      zone.dataClasses = zone.dataClasses.filter((dataClass: string) => dataClass !== "health");
      const changed = await lab.api("POST", "/v1/site/changes", lab.keys.admin, {
        summary: "HDS closed during an event",
        site: doc,
      });
      assert.ok(changed.status < 300, JSON.stringify(changed.body));

      // The twin keeps drawing the curtailed power from the new scheduler (it reads its placements at its next step).
      for (let look = 0; look < 12; look++) {
        const kw = await itKw();
        assert.ok(
          kw < curtailedKw + shedKw / 4,
          `IT ${kw} kW after the change: curtailed ${curtailedKw}, full ${fullKw}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const paused = await lab.job(deferrable.id);
      assert.equal(paused.state, "running");
      assert.deepEqual(paused.curtailment, {
        kind: "suspended",
        powerShare: 0,
        gridEventId: eventId,
        until: active.endsAt,
      });
      const capped = await lab.job(flexible.id);
      assert.equal(capped.curtailment.kind, "capped");
      assert.equal(capped.curtailment.powerShare, active.report.capShare);
      const requeued = await lab.job(preemptible.id);
      assert.equal(requeued.state, "queued");
      assert.match(requeued.reason, new RegExp(`grid event ${eventId}`));
      const gone = await lab.job(displaced.id);
      assert.equal(gone.state, "queued");
      assert.equal(gone.curtailment, null);
      const during = (await lab.api("GET", `/v1/grid/events/${eventId}`, lab.keys.operator)).body;
      assert.equal(during.state, "active", "the test needs the event to outlast the change");
      const change = during.report.siteChanges[0];
      assert.equal(change.kept, 3, JSON.stringify(change));
      assert.equal(change.reapplied, 0);
      assert.equal(change.released, 1);
      assert.equal(change.releasedJobs[0].jobId, displaced.id);
      assert.match(change.releasedJobs[0].reason, /zone:hds/);

      const ended = await until(
        "the event ended",
        async () => {
          const event = (await lab.api("GET", `/v1/grid/events/${eventId}`, lab.keys.operator)).body;
          return event.state === "ended" && event.report?.releasedAt !== null ? event : undefined;
        },
        60_000,
      );
      const report = ended.report;
      assert.equal(report.resumed, 2, "the paused and the capped job that still ran where they were");
      assert.equal(report.jobs.suspended.deferrable, 2);
      assert.equal(report.jobs.capped.flexible, 1);
      assert.equal(report.jobs.requeued.preemptible, 1);
      assert.equal(report.protectedWorkLost, 0);
      assert.ok(report.workLostGpuHours.flexible > 0 && report.workLostGpuHours.preemptible > 0);
      assert.equal(report.workLostGpuHours.deferrable, 0, "pausing loses nothing");
      assert.ok(report.deferredGpuHours > 0);
      await lab.running(preemptible.id);
      assert.equal((await lab.job(deferrable.id)).curtailment, null);
      assert.equal((await lab.job(flexible.id)).curtailment, null);
      // Each command once: no second suspend or cap after the change, one resume and one uncap at the end.
      const count = async (id: string, event: string) =>
        (await lab.history(id)).filter((name) => name === event).length;
      assert.equal(await count(deferrable.id, "job.suspended"), 1);
      assert.equal(await count(deferrable.id, "job.resumed"), 1);
      assert.equal(await count(flexible.id, "job.capped"), 1);
      assert.equal(await count(flexible.id, "job.uncapped"), 1);
      assert.equal(await count(preemptible.id, "job.preempted"), 1);
      assert.equal(await count(displaced.id, "job.suspended"), 1);
      assert.equal(await count(displaced.id, "job.preempted"), 1, "displaced by the change");
      assert.equal(await count(displaced.id, "job.resumed"), 0);
      const audit = (await lab.api("GET", `/v1/audit?resource=grid-event:${eventId}`, lab.keys.auditor)).body as Json[];
      assert.deepEqual(
        audit.map((record) => record.action),
        ["grid.create", "grid.start", "grid.rebind", "grid.end"],
      );
      for (const id of ids) await lab.api("POST", `/v1/jobs/${id}/cancel`, lab.keys.admin, {});
    });
  });
});
