/**
 * Grid events on the live platform: stored and audited, followed on the wall clock. A timer sleeps until the next
 * boundary (an event's notice, start or end); from the notice on, the scheduler holds new non-protected work (the
 * `GridFeed` its admission check reads); at the start the curtailment plan is applied to the running jobs
 * (`curtailment.ts`); at the end, or at a cancel, everything is released and the report is stored with the event.
 * The site's power comes from the live twin's steps (`sample`), which give the delivered figure.
 *
 * A plan in force is stored with the event (its ledger, in the `report` column) before its commands are issued and
 * every 30 s after, so a platform that stopped without releasing it (a crash, a kill) takes it back when it starts
 * again: re-applied if the event still runs (audited `grid.reapply`), released if it has ended or was cancelled
 * meanwhile (audited `grid.release`). A site change during an event carries its commands to the jobs engine's new
 * scheduler generation (audited `grid.rebind`).
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { AppError } from "../../core/errors.ts";
import type { Job } from "../../scheduler/jobs.ts";
import { appendAudit } from "../../store/audit.ts";
import type { Store } from "../../store/database.ts";
import { newestFirstPage } from "../../store/newest-first.ts";
import type { RequestContext } from "../../tenancy/service.ts";
import type { JobsEngine } from "../jobs/engine.ts";
import type { GridFeed } from "./check.ts";
import { Curtailment, type PowerSample } from "./curtailment.ts";
import {
  checkGridEventRequest,
  defaultGridEventLimits,
  type GridEventLimits,
  type GridEventReport,
  type GridEventRequest,
  type GridEventRow,
  type GridEventState,
  type GridEventView,
  gridEventStateAt,
  gridEventView,
  issuedAtMs,
  ledgerOf,
  publicReport,
} from "./model.ts";

/** Options of the grid event service. */
export interface GridEventServiceOptions {
  readonly limits?: GridEventLimits;
  /** Wall clock (epoch ms); default `Date.now`. */
  readonly clock?: () => number;
  /** The jobs engine the plan acts on (undefined while it is not started). */
  readonly engine: () => JobsEngine | undefined;
  /**
   * Makes the live twin's last step draw the scheduler's placements in force before a plan reads it: steps the twin
   * now when they changed since (its snapshot reaches `sample` before this returns). Answers whether the last sample
   * draws them. Pauses and caps need no call: the twin reads the placements at its next step after any change.
   */
  readonly freshReading?: () => boolean;
  readonly log?: (message: string) => void;
}

/** A page of events, newest first. */
export interface GridEventPage {
  readonly items: GridEventView[];
  readonly total: number;
  readonly nextCursor: string | undefined;
}

/** How often work held during an active event is weighed against its ceiling again. */
const ceilingLookMs = 30_000;

/** How long a plan due at a start waits for the live twin's first step. */
const sampleWaitMs = 10_000;

/** Samples of the site's power kept for the baseline (a few minutes of twin steps). */
const keptSamples = 600;

/** Grid events: store, audit, the scheduler's feed, the plan on the clock. */
export class GridEventService implements GridFeed {
  readonly #store: Store;
  readonly #options: GridEventServiceOptions;
  readonly #limits: GridEventLimits;
  readonly #clock: () => number;
  /** Events not ended or cancelled, by id. */
  readonly #open = new Map<string, GridEventRow>();
  /** Events whose plan a stopped process applied and did not release: taken back at `start`. */
  readonly #takeBacks = new Map<string, GridEventRow>();
  readonly #samples: PowerSample[] = [];
  #rackPowerKw: ArrayLike<number> | undefined;
  #active: Curtailment | undefined;
  /** The event holding work now (from its notice to its end), if any. */
  #holding: GridEventRow | undefined;
  /** `#holdNow` moved the holding without a kick (the timer's `#update` then kicks). */
  #holdMoved = false;
  /** The next notice, start or end of an open event (epoch ms); a read of the version past it updates the holding. */
  #nextBoundaryMs = Number.POSITIVE_INFINITY;
  #version = 0;
  #timer: NodeJS.Timeout | undefined;
  /** While an event is active: moves the version every 30 s, so held work is weighed against the ceiling again. */
  #ceilingTimer: NodeJS.Timeout | undefined;
  #started = false;
  /** An event is due and waits for the twin's first step to be planned (see `#update`). */
  #planOnSample = false;
  #sampleWaitOver = false;
  #stopped = false;
  #writes: Promise<void> = Promise.resolve();
  /** Stops following the jobs engine's new generations. */
  #unsubscribe: (() => void) | undefined;

  constructor(store: Store, options: GridEventServiceOptions) {
    this.#store = store;
    this.#options = options;
    this.#limits = options.limits ?? defaultGridEventLimits;
    this.#clock = options.clock ?? Date.now;
  }

  /** Moves whenever an event starts or stops holding work. */
  get version(): number {
    // The timer runs a few ms after a notice begins (later on a busy event loop): a job placed in between must
    // already wait, as the event's `issuedAt` says it does. Planning and the scheduler's kick stay with the timer.
    const nowMs = this.#clock();
    if (this.#started && !this.#stopped && nowMs >= this.#nextBoundaryMs) this.#holdNow(nowMs);
    return this.#version;
  }

  /**
   * Reads the events not over from the store, and those whose plan a stopped process left in force. An event that
   * holds work holds it from now: jobs restored before `start` wait rather than start under an event.
   */
  async load(): Promise<void> {
    const nowMs = this.#clock();
    const nowIso = new Date(nowMs).toISOString();
    const rows = await this.#store.db
      .selectFrom("grid_events")
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb("cancelled_at", "is", null), eb("ends_at", ">", nowIso)]),
          eb.and([eb("report", "is not", null), eb(sql<string | null>`report->>'releasedAt'`, "is", null)]),
        ]),
      )
      .execute();
    for (const row of rows) {
      if (row.report !== null && publicReport(row.report)?.releasedAt === null) {
        if (ledgerOf(row.report) !== undefined) this.#takeBacks.set(row.id, row);
        else this.#options.log?.(`grid event ${row.id}: its stored plan cannot be read; nothing to take back`);
      }
      const state = gridEventStateAt(row, nowMs);
      if (state === "ended" || state === "cancelled") continue;
      this.#open.set(row.id, row);
    }
    this.#holding = this.#holdingAt(nowMs);
    if (this.#holding !== undefined) this.#version++;
  }

  /** Starts following the clock (the jobs engine runs by then); first takes back plans a stopped process left. */
  start(): void {
    this.#started = true;
    this.#takeBack();
    this.#unsubscribe = this.#options.engine()?.onRebuild((_generation, why) => this.#rebind(why));
    this.#update();
  }

  /**
   * The jobs engine built a new scheduler generation while an event may be active: its commands follow the jobs
   * there (`Curtailment.rebind`), and the report, the ledger and the audit (`grid.rebind`) say what was kept and
   * which jobs the change took out of the event.
   */
  #rebind(why: string): void {
    const active = this.#active;
    if (active === undefined || this.#stopped) return;
    const nowMs = this.#clock();
    const change = active.rebind(nowMs, why);
    if (change === undefined) return;
    this.#options.log?.(
      `grid event ${active.row.id} carried over a ${why} (site version ${change.siteVersion}): ${change.kept} jobs kept as the plan left them, ${change.reapplied} commanded again, ${change.released} let go`,
    );
    const stored = active.stored;
    const report = active.report;
    this.#write(() =>
      this.#storeAudited(
        active.row.id,
        stored,
        "grid.rebind",
        { siteChange: change, report },
        { unreleasedOnly: true },
      ),
    );
  }

  /**
   * Stops following the clock and leaves the plan in force as it is, as a crash would: nothing is resumed or
   * lifted, the stored ledger stays (tests of a restart; `stop` then only waits for the writes).
   */
  abandon(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#ceilingTimer !== undefined) clearInterval(this.#ceilingTimer);
    this.#ceilingTimer = undefined;
    this.#active?.abandon();
    this.#active = undefined;
  }

  /** Stops the timer and releases an event in progress (nothing stays paused or capped), then waits for writes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#ceilingTimer !== undefined) clearInterval(this.#ceilingTimer);
    this.#ceilingTimer = undefined;
    if (this.#active !== undefined) {
      this.#active.release(this.#clock());
      this.#active = undefined;
    }
    await this.#writes;
  }

  /** A step of the live twin: the site's grid import and IT power, kW, and each rack's power. */
  sample(gridKw: number, itKw: number, rackPowerKw?: ArrayLike<number>): void {
    this.#rackPowerKw = rackPowerKw;
    const sample = { atMs: this.#clock(), gridKw, itKw };
    this.#samples.push(sample);
    if (this.#samples.length > keptSamples) this.#samples.splice(0, this.#samples.length - keptSamples);
    this.#active?.sample(sample);
    if (this.#planOnSample) this.#update();
  }

  /** Why `job` must wait because of a grid event, or undefined (see `check.ts`). */
  holdReason(job: Job): string | undefined {
    const holding = this.#holding;
    if (holding === undefined) return undefined;
    const declared = job.spec.flexibility ?? (job.spec.dataClass === "health" ? "protected" : undefined);
    if (declared === "protected") return undefined;
    const active = this.#active;
    if (active === undefined || active.row.id !== holding.id)
      return `grid event ${holding.id} starts at ${holding.starts_at}: new work that is not protected waits until it ends at ${holding.ends_at}`;
    const latest = this.#samples[this.#samples.length - 1];
    const engine = this.#options.engine();
    const addedKw = engine === undefined ? Number.POSITIVE_INFINITY : estimatedKw(engine, job);
    if (latest !== undefined && latest.itKw + addedKw <= active.ceilingItKw) return undefined;
    return `grid event ${holding.id} until ${holding.ends_at}: the site is held under ${Math.round(active.ceilingItKw)} kW of IT; only protected work starts beyond it`;
  }

  /** Creates an event for the caller, audited; it holds work at once when its notice has begun. */
  async create(context: RequestContext, request: GridEventRequest): Promise<GridEventView> {
    const nowMs = this.#clock();
    const fields = checkGridEventRequest(request, nowMs, this.#limits, this.#open.values());
    if (this.#open.size >= this.#limits.maxOpen)
      throw new AppError("conflict", `body.start: ${this.#open.size} grid events are open, the most allowed`, {
        field: "body.start",
      });
    const row: GridEventRow = {
      id: `gev_${randomBytes(6).toString("hex")}`,
      ...fields,
      owner: context.principal.userId,
      created_at: new Date(nowMs).toISOString(),
      cancelled_at: null,
      cancelled_by: null,
      report: null,
    };
    const view = gridEventView(row, nowMs, null);
    await this.#store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("grid_events")
        .values({ ...row, report: null })
        .execute();
      await appendAudit(trx, {
        actor: context.principal.userId,
        action: "grid.create",
        resource: `grid-event:${row.id}`,
        before: null,
        after: view,
        requestId: context.requestId,
      });
    });
    this.#open.set(row.id, row);
    this.#update();
    return this.#view(row);
  }

  /** Cancels an event: a scheduled one never runs, an active one is released now; audited with its report. */
  async cancel(context: RequestContext, id: string): Promise<GridEventView> {
    const row = await this.#find(id);
    const nowMs = this.#clock();
    const state = gridEventStateAt(row, nowMs);
    if (state === "ended" || state === "cancelled")
      throw new AppError("conflict", `grid event ${id} is already ${state}`);
    const before = this.#view(row);
    const report = this.#active?.row.id === id ? this.#release(nowMs) : publicReport(row.report);
    const cancelled: GridEventRow = {
      ...row,
      cancelled_at: new Date(nowMs).toISOString(),
      cancelled_by: context.principal.userId,
      report,
    };
    await this.#store.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("grid_events")
        .set({
          cancelled_at: cancelled.cancelled_at,
          cancelled_by: cancelled.cancelled_by,
          // A stored plan not released here (taken back by nobody yet) stays for the next start to release.
          ...(report !== null && report.releasedAt === null
            ? {}
            : { report: report === null ? null : JSON.stringify(report) }),
        })
        .where("id", "=", id)
        .execute();
      await appendAudit(trx, {
        actor: context.principal.userId,
        action: "grid.cancel",
        resource: `grid-event:${id}`,
        before,
        after: gridEventView(cancelled, nowMs, report),
        requestId: context.requestId,
      });
    });
    this.#open.delete(id);
    this.#update();
    return gridEventView(cancelled, nowMs, report);
  }

  /** One event, with its report (the live one while it runs). */
  async get(id: string): Promise<GridEventView> {
    return this.#view(await this.#find(id));
  }

  /** Events newest first, optionally in one state; `cursor` is the previous page's `nextCursor`. */
  async list(query: {
    limit: number;
    cursor?: string | undefined;
    state?: GridEventState | undefined;
  }): Promise<GridEventPage> {
    const nowIso = new Date(this.#clock()).toISOString();
    let filtered = this.#store.db.selectFrom("grid_events");
    if (query.state === "cancelled") filtered = filtered.where("cancelled_at", "is not", null);
    else if (query.state !== undefined) {
      filtered = filtered.where("cancelled_at", "is", null);
      if (query.state === "ended") filtered = filtered.where("ends_at", "<=", nowIso);
      else
        filtered = filtered
          .where("ends_at", ">", nowIso)
          .where("starts_at", query.state === "scheduled" ? ">" : "<=", nowIso);
    }
    const { rows, total, nextCursor } = await newestFirstPage(filtered, query.limit, query.cursor);
    return {
      items: rows.map((row) => this.#view(row)),
      total,
      nextCursor,
    };
  }

  #view(row: GridEventRow): GridEventView {
    const active = this.#active;
    const live = active?.row.id === row.id && active.applied ? active.report : null;
    return gridEventView(row, this.#clock(), live ?? publicReport(row.report));
  }

  async #find(id: string): Promise<GridEventRow> {
    const row =
      this.#open.get(id) ??
      (await this.#store.db.selectFrom("grid_events").selectAll().where("id", "=", id).executeTakeFirst());
    if (row === undefined) throw new AppError("notFound", `no grid event ${id}`);
    return row;
  }

  /** Releases the active event; returns its final report. */
  #release(nowMs: number): GridEventReport {
    const active = this.#active!;
    this.#active = undefined;
    const report = active.release(nowMs);
    this.#options.log?.(
      `grid event ${active.row.id} released: delivered ${report.deliveredMW?.toFixed(3) ?? "?"} of ${report.requestedMW.toFixed(3)} MW`,
    );
    return report;
  }

  /**
   * Works out which event holds work and which runs now: starts the plan of one that began, releases one that ended
   * (its report stored and audited), and sleeps until the next boundary.
   */
  #update(): void {
    if (!this.#started || this.#stopped) return;
    const nowMs = this.#clock();
    if (this.#active !== undefined && gridEventStateAt(this.#active.row, nowMs) !== "active") {
      const row = this.#active.row;
      const report = this.#release(nowMs);
      if (row.cancelled_at === null) this.#storeEnd(row, report);
    }
    for (const [id, row] of this.#open) {
      const state = gridEventStateAt(row, nowMs);
      if (state === "ended" || state === "cancelled") {
        this.#open.delete(id);
        continue;
      }
      if (state === "active" && this.#active === undefined) {
        const engine = this.#options.engine();
        if (engine !== undefined && this.#samples.length === 0 && !this.#sampleWaitOver) {
          // Just started (the event began while the platform was down): the plan needs the twin's reading of the
          // site (its IT power, each rack's draw) and waits for its first step, 10 s at most; work is held meanwhile.
          if (!this.#planOnSample) {
            this.#planOnSample = true;
            setTimeout(() => {
              this.#sampleWaitOver = true;
              if (this.#planOnSample) this.#update();
            }, sampleWaitMs).unref();
          }
        } else if (engine !== undefined) {
          this.#planOnSample = false;
          // Jobs started or resumed within the twin's tick (an event that just ended resumed its work) would be
          // drawn at idle: the twin steps first, and the plan knows whether its reading is of the work in force.
          const current = this.#options.freshReading?.() ?? false;
          this.#active = Curtailment.plan(row, engine, this.#samples, this.#rackPowerKw, current, nowMs);
          this.#applyStored(this.#active);
        }
      }
    }
    const holding = this.#holdingAt(nowMs);
    if (holding?.id !== this.#holding?.id || this.#holdMoved) {
      this.#holding = holding;
      this.#holdMoved = false;
      this.#version++;
      this.#options.engine()?.generation.live.kick();
    }
    if (this.#active !== undefined && this.#ceilingTimer === undefined) {
      this.#ceilingTimer = setInterval(() => {
        this.#version++;
        this.#options.engine()?.generation.live.kick();
        this.#storeProgress();
      }, ceilingLookMs);
      this.#ceilingTimer.unref();
    } else if (this.#active === undefined && this.#ceilingTimer !== undefined) {
      clearInterval(this.#ceilingTimer);
      this.#ceilingTimer = undefined;
    }
    this.#arm(nowMs);
  }

  /**
   * Stores the plan's ledger, then issues its commands (a restart then always knows what may have been done), then
   * stores the report with the commands issued and audits the start. A plan that cannot be stored is applied all
   * the same (the grid's request comes first), and the log says a restart would not know it.
   */
  #applyStored(curtailment: Curtailment): void {
    const row = curtailment.row;
    this.#write(async () => {
      try {
        await this.#storeReport(row.id, curtailment.stored);
      } catch (error) {
        this.#options.log?.(
          `grid event ${row.id}: cannot store its plan before applying it (${(error as Error).message}); a restart would not know it`,
        );
      }
      if (!curtailment.apply(this.#clock())) return;
      await this.#storeStart(row, curtailment);
    });
  }

  /**
   * Stores an event's report and audits what the platform did with it, in one transaction. `unreleasedOnly`: not over
   * a report an end or a release already stored (a rebind queued before it must not bring the plan back).
   */
  async #storeAudited(
    id: string,
    stored: unknown,
    action: "grid.start" | "grid.rebind" | "grid.reapply" | "grid.release" | "grid.end",
    after: Record<string, unknown>,
    options: { unreleasedOnly?: boolean } = {},
  ): Promise<void> {
    await this.#store.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable("grid_events")
        .set({ report: JSON.stringify(stored) })
        .where("id", "=", id);
      if (options.unreleasedOnly === true) update = update.where(sql<string | null>`report->>'releasedAt'`, "is", null);
      await update.execute();
      await appendAudit(trx, {
        actor: "system:grid",
        action,
        resource: `grid-event:${id}`,
        before: null,
        after,
        requestId: id,
      });
    });
  }

  async #storeReport(id: string, stored: unknown): Promise<void> {
    await this.#store.db
      .updateTable("grid_events")
      .set({ report: JSON.stringify(stored) })
      .where("id", "=", id)
      .execute();
  }

  /** Every 30 s of an event: the measured figures and the sums they come from, so a restart goes on from them. */
  #storeProgress(): void {
    const active = this.#active;
    if (active === undefined || !active.applied) return;
    const {
      restarts: _restarts,
      siteChanges: _siteChanges,
      jobs: _jobs,
      workLostGpuHours: _lost,
      ...figures
    } = active.report;
    const measured = JSON.stringify(active.measuredSums);
    this.#write(async () => {
      await this.#store.db
        .updateTable("grid_events")
        .set({
          report: sql`jsonb_set(report || ${JSON.stringify(figures)}::jsonb, '{ledger,measured}', ${measured}::jsonb)`,
        })
        .where("id", "=", active.row.id)
        .where(sql<string | null>`report->>'releasedAt'`, "is", null)
        .execute();
    });
  }

  async #storeStart(row: GridEventRow, curtailment: Curtailment): Promise<void> {
    const report = curtailment.report;
    this.#options.log?.(
      `grid event ${row.id} started: ${report.requestedMW.toFixed(3)} MW asked, plan ${report.plannedMW.toFixed(3)} MW in ${report.applyS.toFixed(3)} s`,
    );
    await this.#storeAudited(row.id, curtailment.stored, "grid.start", { report });
  }

  /**
   * Takes back the plans a stopped process left in force (see `Curtailment.takeBack`): an event still active is
   * re-applied and followed on; one that ended or was cancelled meanwhile is released now. Stored and audited.
   */
  #takeBack(): void {
    const engine = this.#options.engine();
    if (engine === undefined || this.#takeBacks.size === 0) return;
    const nowMs = this.#clock();
    for (const row of this.#takeBacks.values()) {
      const ledger = ledgerOf(row.report)!;
      const stored = publicReport(row.report)!;
      const active = gridEventStateAt(row, nowMs) === "active" && this.#active === undefined;
      const curtailment = Curtailment.takeBack(row, stored, ledger, engine, nowMs, active);
      let report: GridEventReport;
      if (active) {
        this.#active = curtailment;
        report = curtailment.report;
      } else report = curtailment.release(nowMs);
      const restart = report.restarts.at(-1)!;
      this.#options.log?.(
        `grid event ${row.id} taken back after a restart: ${restart.outcome}, ${restart.kept} jobs found as the plan left them, ${restart.reapplied} commanded again, ${restart.gone} gone`,
      );
      this.#write(() =>
        this.#storeAudited(row.id, active ? curtailment.stored : report, active ? "grid.reapply" : "grid.release", {
          restart,
          report,
        }),
      );
    }
    this.#takeBacks.clear();
  }

  #storeEnd(row: GridEventRow, report: GridEventReport): void {
    this.#write(async () => {
      await this.#storeAudited(row.id, report, "grid.end", { report });
      this.#open.delete(row.id);
    });
  }

  #write(work: () => Promise<void>): void {
    this.#writes = this.#writes
      .then(work)
      .catch((error: Error) => this.#options.log?.(`cannot record a grid event: ${error.message}`));
  }

  /** Waits for the store writes queued so far. */
  flush(): Promise<void> {
    return this.#writes;
  }

  /** The first notice, start or end of an open event after `nowMs` (epoch ms; infinite when none). */
  #nextBoundary(nowMs: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const row of this.#open.values())
      for (const at of [issuedAtMs(row), Date.parse(row.starts_at), Date.parse(row.ends_at)])
        if (at > nowMs) next = Math.min(next, at);
    return next;
  }

  /** The open event holding work at `nowMs`: its notice begun, not ended or cancelled (the last such, as listed). */
  #holdingAt(nowMs: number): GridEventRow | undefined {
    let holding: GridEventRow | undefined;
    for (const row of this.#open.values()) {
      const state = gridEventStateAt(row, nowMs);
      if (state !== "ended" && state !== "cancelled" && issuedAtMs(row) <= nowMs) holding = row;
    }
    return holding;
  }

  /**
   * Between a boundary and the timer's `#update`: the event holding work at `nowMs` (the one whose notice began and
   * that is not over), the version moved when it changed. The timer then plans, kicks and re-arms.
   */
  #holdNow(nowMs: number): void {
    const holding = this.#holdingAt(nowMs);
    if (holding?.id === this.#holding?.id) return;
    this.#holding = holding;
    this.#holdMoved = true;
    this.#version++;
  }

  /** Sleeps until the next notice, start or end of an open event. */
  #arm(nowMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#nextBoundary(nowMs);
    this.#nextBoundaryMs = next;
    if (!Number.isFinite(next)) return;
    this.#timer = setTimeout(() => this.#update(), Math.min(2 ** 31 - 1, next - nowMs + 5));
    this.#timer.unref();
  }
}

const highestKw = new WeakMap<object, { perGpu: number; perCpuMilli: number }>();

/** The most power a job could add, kW: its GPUs (or CPU) at the highest design power per GPU of the site. */
function estimatedKw(engine: JobsEngine, job: Job): number {
  const facility = engine.generation.inventory.facility;
  if (facility === undefined) return Number.POSITIVE_INFINITY;
  let highest = highestKw.get(facility);
  if (highest === undefined) {
    // Once per inventory: the gate runs for every held job at every look.
    highest = { perGpu: 0, perCpuMilli: 0 };
    for (const kw of facility.rackKwPerGpu) highest.perGpu = Math.max(highest.perGpu, kw);
    for (const kw of facility.rackKwPerCpuMilli) highest.perCpuMilli = Math.max(highest.perCpuMilli, kw);
    highestKw.set(facility, highest);
  }
  const spec = job.spec;
  if (spec.gpus > 0) return ((spec.members * spec.gpus * spec.gpuMilli) / 1000) * highest.perGpu;
  return spec.members * spec.cpuMilli * highest.perCpuMilli;
}
