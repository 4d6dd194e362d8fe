/**
 * Maintenance drains on the live platform: stored and audited, followed by the scheduler at every cycle (this
 * service is the `DrainFeed` each scheduler generation's drain check reads), and enforced on the wall clock. A timer
 * sleeps until the next boundary (a scheduled drain starts, a window ends, a deadline passes); then the drains in
 * force are worked out again, the scheduler runs a cycle, and work running on drained racks is requeued where the
 * drain's policy says so, through the same displacement as other preemptions (the job keeps its history; a
 * `job.preempted` event names the drain).
 */
import { randomBytes } from "node:crypto";
import { AppError } from "../../core/errors.ts";
import { type RackRename, type RenameKind, rackRenames, unitRenames } from "../../model/continuity.ts";
import { areaFedBy, type DrainTargetKind, racksOfArea } from "../../model/feeds.ts";
import type { Site } from "../../model/site.ts";
import type { Drain, DrainFeed } from "../../scheduler/checks.ts";
import { appendAudit } from "../../store/audit.ts";
import type { Store } from "../../store/database.ts";
import { newestFirstPage } from "../../store/newest-first.ts";
import type { RequestContext } from "../../tenancy/service.ts";
import type { JobsEngine } from "../jobs/engine.ts";
import { placementOf, racksOf } from "../jobs/generation.ts";
import {
  checkDrainRequest,
  type DrainLimits,
  type DrainListState,
  type DrainRequest,
  type DrainRow,
  type DrainView,
  defaultDrainLimits,
  drainStateAt,
  drainView,
} from "./model.ts";

/**
 * What to do about a change that would take drain `id` off its racks, by the kind of rename it does to them (none: the
 * target's area grows or shrinks, or its racks go, with no id passing on).
 */
function drainAdvice(kind: RenameKind | undefined, id: string): string {
  const resume = `resume the drain (POST /v1/drains/${id}/resume), apply the change, then drain the racks by their new names`;
  switch (kind) {
    case "shifted":
      return `Give the rows after a removed one their number (site file, rows[].number) so they keep their names, or ${resume}`;
    case "moved":
      return `A row moved to another hall (or to another place in its hall) takes the names of where it then stands, which nothing in the site file can keep: ${resume}`;
    case "digits":
      return `Only the digits of the ids change (halls[].rowDigits, rows[].rackDigits, or a group's unitDigits such as rows[].cdus.unitDigits): state the digits they had (site file) so they keep their names, or ${resume}`;
    default:
      return `No name can be kept for what the drain covers under this change (racks added to its area or taken from it): resume the drain (POST /v1/drains/${id}/resume), apply the change, then drain again what needs it`;
  }
}

/** Options of the drain service. */
export interface DrainServiceOptions {
  readonly limits?: DrainLimits;
  /** Wall clock (epoch ms); tests move it. Default `Date.now`. */
  readonly clock?: () => number;
  /** The jobs engine whose running work drains requeue (undefined while it is not started). */
  readonly engine: () => JobsEngine | undefined;
  /** The site in force, to check targets and show areas. */
  readonly site: () => Site;
  readonly log?: (message: string) => void;
}

/** A page of drains, newest first. */
export interface DrainPage {
  readonly items: DrainView[];
  readonly total: number;
  readonly nextCursor: string | undefined;
}

/** Drains: store, audit, the feed the schedulers read, and enforcement of policies on the clock. */
export class DrainService implements DrainFeed {
  readonly #store: Store;
  readonly #options: DrainServiceOptions;
  readonly #limits: DrainLimits;
  readonly #clock: () => number;
  /** Drains not ended (scheduled or active), by id. */
  readonly #open = new Map<string, DrainRow>();
  /** Drains being created (checked, not yet stored): a concurrent request overlapping one is refused too. */
  readonly #creating = new Map<string, DrainRow>();
  #version = 0;
  #inForce: Drain[] = [];
  #inForceKey = "";
  /** The version the scheduler was last told of (kicked for); the timer kicks when the version moved past it. */
  #kickedVersion = 0;
  /** The next start, end or deadline of an open drain (epoch ms); reads past it work the drains in force out again. */
  #nextBoundaryMs = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #stopped = false;

  constructor(store: Store, options: DrainServiceOptions) {
    this.#store = store;
    this.#options = options;
    this.#limits = options.limits ?? defaultDrainLimits;
    this.#clock = options.clock ?? Date.now;
  }

  /** Moves whenever the drains in force change (the scheduler's drain check reads them again then). */
  get version(): number {
    this.#catchUp();
    return this.#version;
  }

  /**
   * Refuses a site change under which a drain not ended (active or scheduled) would cover other racks than it does,
   * or none: row and rack ids are positions in their hall (src/model/expand.ts), so removing a row renames every row
   * after it, and a drain on `row:h1-r02` would move silently onto the racks that name now gives, or stop protecting
   * its racks when the name disappears; a row moved to another hall takes that hall's names. Racks are compared by id
   * and rack type, and by what src/model/continuity.ts reads as renamed. The operator resumes the drain,
   * changes the site, then drains the racks under their new names. (A change of identical rows that keeps every
   * drained name on racks of the same types cannot be told from no renaming: the names are all there is.)
   */
  checkSiteChange(before: Site, after: Site): void {
    const nowIso = new Date(this.#clock()).toISOString();
    const racksOf = (site: Site, target: string): number[] | undefined => {
      const area = areaFedBy(site, target);
      return area === undefined ? undefined : racksOfArea(site, area);
    };
    const named = (site: Site, racks: readonly number[] | undefined): string | undefined =>
      racks
        ?.map((index) => `${site.racks[index]!.id} (${site.rackTypes[site.racks[index]!.typeIndex]!.id})`)
        .join(", ");
    // Renames are read only when a drain is open (they cost a matching of every hall's rows).
    let renames: Map<number, RackRename> | undefined;
    for (const row of this.#open.values()) {
      if (row.resumed_at !== null || (row.ends_at !== null && row.ends_at <= nowIso)) continue;
      const drained = racksOf(before, row.target);
      if (drained === undefined) continue;
      const was = named(before, drained)!;
      const now = named(after, racksOf(after, row.target));
      renames ??= new Map(rackRenames(before, after).map((rename) => [rename.rack, rename]));
      // Alike racks keep their ids and types when rows before them go, so the names alone cannot tell.
      const renamed = drained.map((index) => renames!.get(index)).find((rename) => rename !== undefined);
      if (now === was && renamed === undefined) continue;
      // What becomes of the target's name, and, when drained racks move, where they go. A unit (a CDU, a busway)
      // whose name goes may only be renamed (its group's digits changed): the refusal says so, and what to do.
      const moved = drained.map((index) => renames!.get(index)).find((rename) => rename?.kind === "moved");
      const unit =
        now === undefined ? unitRenames(before, after).find((rename) => rename.id === row.target) : undefined;
      const become =
        (now === undefined
          ? `${row.target} ${unit?.becomes ?? "would no longer exist"}`
          : now !== was
            ? `${row.target} would name other racks (${now})`
            : `${row.target} would name other racks of the same types (${renamed!.id} ${renamed!.becomes})`) +
        (moved === undefined ? "" : ` and its racks would move (${moved.id} ${moved.becomes})`);
      throw new AppError(
        "conflict",
        `drain ${row.id} keeps work off ${was}; under this site change ${become}, and the drain would no longer protect the racks it was made for. ${drainAdvice((moved ?? renamed ?? unit)?.kind, row.id)}`,
        { field: "site" },
      );
    }
  }

  /** The drains in force now, as the scheduler's drain check takes them. */
  get drains(): readonly Drain[] {
    this.#catchUp();
    return this.#inForce;
  }

  /**
   * Works the drains in force out again when a boundary passed and the timer has not run yet (it fires a few ms
   * late, later on a busy event loop): the drain's view says `active` from its `startsAt` on, so a job placed in
   * between must already keep off its racks. Enforcement (requeues) and the scheduler's kick stay with the timer.
   */
  #catchUp(): void {
    const nowMs = this.#clock();
    if (nowMs >= this.#nextBoundaryMs) this.#inForceNow(nowMs);
  }

  /** Reads the drains not ended from the store (before the jobs engine starts: restored jobs keep off them). */
  async load(): Promise<void> {
    const nowIso = new Date(this.#clock()).toISOString();
    const rows = await this.#store.db
      .selectFrom("drains")
      .selectAll()
      .where("resumed_at", "is", null)
      .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">", nowIso)]))
      .execute();
    for (const row of rows) this.#open.set(row.id, row);
    this.#update(false);
  }

  /** Starts enforcing: the jobs engine runs; work on drained racks is requeued where policies say, timers set. */
  start(): void {
    this.#started = true;
    this.#update(true);
  }

  /** Stops the timer. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Creates a drain for the caller (the owner), audited; it is in force at once when its window has begun. */
  async create(context: RequestContext, request: DrainRequest): Promise<DrainView> {
    const nowMs = this.#clock();
    const site = this.#options.site();
    const fields = checkDrainRequest(request, site, nowMs, this.#limits);
    if (this.#open.size >= this.#limits.maxOpen) {
      throw new AppError(
        "conflict",
        `body.target: ${this.#open.size} drains are scheduled or active, the most allowed at once; resume one first`,
        { field: "body.target" },
      );
    }
    const row: DrainRow = {
      id: `drn_${randomBytes(6).toString("hex")}`,
      ...fields,
      owner: context.principal.userId,
      created_at: new Date(nowMs).toISOString(),
      resumed_at: null,
      resumed_by: null,
    };
    this.#refuseOverlap(row, nowMs);
    const view = drainView(row, site, nowMs);
    this.#creating.set(row.id, row);
    try {
      await this.#store.db.transaction().execute(async (trx) => {
        await trx.insertInto("drains").values(row).execute();
        await appendAudit(trx, {
          actor: context.principal.userId,
          action: "drain.create",
          resource: `drain:${row.id}`,
          before: null,
          after: view,
          requestId: context.requestId,
        });
      });
    } finally {
      this.#creating.delete(row.id);
    }
    this.#open.set(row.id, row);
    this.#update(true);
    return drainView(row, site, this.#clock());
  }

  /**
   * Refuses a drain whose window overlaps an open drain of the same target: a second drain there changes nothing
   * but the list, and two of them make a resume look done when the racks are still held. The 409 names the open
   * drain, so the console and the CLI can point to it (resume it, or schedule after its end).
   */
  #refuseOverlap(row: DrainRow, nowMs: number): void {
    const startMs = Date.parse(row.starts_at);
    const endMs = row.ends_at === null ? Number.POSITIVE_INFINITY : Date.parse(row.ends_at);
    for (const other of [...this.#open.values(), ...this.#creating.values()]) {
      if (other.target !== row.target || drainStateAt(other, nowMs) === "ended") continue;
      const otherEndMs = other.ends_at === null ? Number.POSITIVE_INFINITY : Date.parse(other.ends_at);
      if (startMs < otherEndMs && Date.parse(other.starts_at) < endMs) {
        const until = other.ends_at === null ? "until resumed" : `until ${other.ends_at}`;
        const error = new AppError(
          "conflict",
          `body.target: drain ${other.id} of ${row.target} is already open from ${other.starts_at} ${until}; resume it or start after it ends`,
          { field: "body.target" },
        );
        // The problem's diagnostics carry the open drain's id for the console and scripts, beside the detail.
        throw Object.assign(error, { diagnostics: [{ code: "drain.overlap", drainId: other.id }] });
      }
    }
  }

  /** Ends a drain now (resume), audited; its racks take new work again. */
  async resume(context: RequestContext, id: string): Promise<DrainView> {
    const row = await this.#find(id);
    const nowMs = this.#clock();
    const site = this.#options.site();
    if (drainStateAt(row, nowMs) === "ended") throw new AppError("conflict", `drain ${id} has already ended`);
    const resumed: DrainRow = {
      ...row,
      resumed_at: new Date(nowMs).toISOString(),
      resumed_by: context.principal.userId,
    };
    await this.#store.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("drains")
        .set({ resumed_at: resumed.resumed_at, resumed_by: resumed.resumed_by })
        .where("id", "=", id)
        .execute();
      await appendAudit(trx, {
        actor: context.principal.userId,
        action: "drain.resume",
        resource: `drain:${id}`,
        before: drainView(row, site, nowMs),
        after: drainView(resumed, site, nowMs),
        requestId: context.requestId,
      });
    });
    this.#open.delete(id);
    this.#update(true);
    return drainView(resumed, site, nowMs);
  }

  /** One drain. */
  async get(id: string): Promise<DrainView> {
    return drainView(await this.#find(id), this.#options.site(), this.#clock());
  }

  /** Drains newest first, optionally in one state; `cursor` is the previous page's `nextCursor`. */
  async list(query: {
    limit: number;
    cursor?: string | undefined;
    state?: DrainListState | undefined;
    kind?: DrainTargetKind | undefined;
    targetPrefix?: string | undefined;
  }): Promise<DrainPage> {
    const nowIso = new Date(this.#clock()).toISOString();
    const db = this.#store.db;
    let filtered = db.selectFrom("drains");
    // LIKE patterns: the caller's text is matched literally (its %, _ and \ escaped).
    const literal = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);
    if (query.kind !== undefined) filtered = filtered.where("target", "like", `${query.kind}:%`);
    if (query.targetPrefix !== undefined)
      filtered = filtered.where("target", "like", `${literal(query.targetPrefix)}%`);
    if (query.state === "open") {
      filtered = filtered
        .where("resumed_at", "is", null)
        .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">", nowIso)]));
    } else if (query.state === "ended") {
      filtered = filtered.where((eb) =>
        eb.or([eb("resumed_at", "is not", null), eb.and([eb("ends_at", "is not", null), eb("ends_at", "<=", nowIso)])]),
      );
    } else if (query.state !== undefined) {
      filtered = filtered
        .where("resumed_at", "is", null)
        .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">", nowIso)]))
        .where("starts_at", query.state === "scheduled" ? ">" : "<=", nowIso);
    }
    const { rows, total, nextCursor } = await newestFirstPage(filtered, query.limit, query.cursor);
    const site = this.#options.site();
    const nowMs = this.#clock();
    return {
      items: rows.map((row) => drainView(row, site, nowMs)),
      total,
      nextCursor,
    };
  }

  async #find(id: string): Promise<DrainRow> {
    const row =
      this.#open.get(id) ??
      (await this.#store.db.selectFrom("drains").selectAll().where("id", "=", id).executeTakeFirst());
    if (row === undefined) throw new AppError("notFound", `no drain ${id}`);
    return row;
  }

  /**
   * Works out the drains in force now; when they changed, the scheduler looks again (a cycle); with `enforce`, work
   * running on racks whose drain's policy says so is requeued. Then sleeps until the next boundary.
   */
  #update(enforce: boolean): void {
    const nowMs = this.#clock();
    this.#inForceNow(nowMs);
    if (enforce && this.#started) {
      const engine = this.#options.engine();
      if (engine !== undefined) {
        const requeued = this.#requeue(engine, nowMs);
        if (this.#version !== this.#kickedVersion || requeued > 0) engine.generation.live.kick();
        this.#kickedVersion = this.#version;
      }
    }
    this.#arm(nowMs);
  }

  /** Sets the drains in force at `nowMs` (the version moves when they changed) and the next boundary after it. */
  #inForceNow(nowMs: number): void {
    const inForce: Drain[] = [];
    for (const [id, row] of this.#open) {
      const state = drainStateAt(row, nowMs);
      if (state === "ended") this.#open.delete(id);
      else if (state === "active")
        inForce.push({ id, target: row.target, reason: row.reason, fromS: -Infinity, untilS: Infinity });
    }
    const key = inForce.map((drain) => drain.id).join(",");
    if (key !== this.#inForceKey) {
      this.#inForce = inForce;
      this.#inForceKey = key;
      this.#version++;
    }
    this.#nextBoundaryMs = this.#nextBoundary(nowMs);
  }

  /** The first start, end or deadline of an open drain after `nowMs` (epoch ms; infinite when none). */
  #nextBoundary(nowMs: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const row of this.#open.values()) {
      for (const at of [row.starts_at, row.ends_at, row.policy === "deadline" ? row.deadline_at : null]) {
        if (at === null) continue;
        const ms = Date.parse(at);
        if (ms > nowMs) next = Math.min(next, ms);
      }
    }
    return next;
  }

  /** Requeues placed work on the racks of drains whose policy asks it now; returns how many jobs. */
  #requeue(engine: JobsEngine, nowMs: number): number {
    const generation = engine.generation;
    const site = generation.site;
    const rackDrain = new Map<number, DrainRow>();
    for (const drain of this.#inForce) {
      const row = this.#open.get(drain.id!)!;
      const due =
        row.policy === "requeue" ||
        (row.policy === "deadline" && row.deadline_at !== null && Date.parse(row.deadline_at) <= nowMs);
      const area = areaFedBy(site, row.target);
      if (!due || area === undefined) continue;
      for (const rack of racksOfArea(site, area)) if (!rackDrain.has(rack)) rackDrain.set(rack, row);
    }
    if (rackDrain.size === 0) return 0;
    let count = 0;
    for (const record of [...engine.records.values()]) {
      const job = record.job;
      if (record.generation !== generation || !job.placed) continue;
      const row = racksOf(generation, job)
        .map((rack) => rackDrain.get(rack))
        .find((found) => found !== undefined);
      if (row === undefined) continue;
      const racks = placementOf(generation, job).racks;
      const when = row.policy === "deadline" ? `its deadline ${row.deadline_at} passed` : "policy requeue";
      const reason = `preempted: drain ${row.id} of ${row.target} (${row.reason}): ${when}`;
      generation.live.displace(job, reason);
      count++;
      if (record.synthetic) continue;
      generation.lastState.set(job.index, job.state);
      void engine.persist(record.id, { state: job.state, reason: job.reason }, "job.preempted", {
        state: job.state,
        reason,
        racks,
        drainId: row.id,
      });
    }
    if (count > 0) this.#options.log?.(`drains requeued ${count} jobs`);
    return count;
  }

  /** Sleeps until the next start, end or deadline of an open drain. */
  #arm(nowMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped || !this.#started) return;
    const next = this.#nextBoundaryMs;
    if (!Number.isFinite(next)) return;
    this.#timer = setTimeout(() => this.#update(true), Math.min(2 ** 31 - 1, next - nowMs + 5));
    this.#timer.unref();
  }
}
