/**
 * The site the platform runs: the shipped or configured site file at first start, then every accepted change request.
 * A change is validated by the site model before it applies; a rejected change leaves the site as it was and
 * answers with every diagnostic. Listeners (the live twin, the scheduler) hear about accepted changes.
 */
import { isDeepStrictEqual } from "node:util";
import type { Kysely, Transaction } from "kysely";
import { AppError } from "../core/errors.ts";
import type { CapacityAnalysis } from "../model/capacity.ts";
import { type Diagnostic, formatPath, parsePath } from "../model/diagnostics.ts";
import { loadSite, parseSite } from "../model/load.ts";
import type { SiteFile } from "../model/schema.ts";
import type { Site } from "../model/site.ts";
import { type SiteSummary, summariseSite } from "../model/summary.ts";
import { appendAudit } from "../store/audit.ts";
import type { Database } from "../store/schema.ts";
import { authorize, type RequestContext } from "../tenancy/service.ts";

/** A loaded, valid site with its analysis. */
export interface CurrentSite {
  readonly version: number;
  readonly site: Site;
  readonly analysis: CapacityAnalysis;
  readonly file: SiteFile;
  readonly summary: SiteSummary;
  readonly diagnostics: readonly Diagnostic[];
}

/** What a change request carries: a whole site document, or an RFC 7396 merge patch on the current one. */
export type SiteChange =
  | { readonly summary: string; readonly site: unknown }
  | { readonly summary: string; readonly patch: unknown };

/**
 * Where a site file's `path` is in a change request whose document is at `under` (`body.site`, or `body.patch` for
 * a merge patch, which mirrors the document's shape): `halls[1].zone` is `body.site.halls[1].zone`.
 */
function requestField(under: string, path: string): string {
  return formatPath([...parsePath(under), ...parsePath(path)]);
}

/** Raised with the diagnostics when a change request does not validate; its field is the first error's. */
export class SiteChangeRejected extends AppError {
  readonly diagnostics: readonly Diagnostic[];
  /** `under`: where the request carries the document (the file's paths are named below it). */
  constructor(diagnostics: readonly Diagnostic[], under = "body.site") {
    const errors = diagnostics.filter((item) => item.severity === "error");
    super(
      "invalid",
      `the changed site has ${errors.length} error(s); nothing was applied: ${errors[0]?.path ?? ""}: ${errors[0]?.message ?? ""}`,
      { field: requestField(under, errors[0]?.path ?? "") },
    );
    this.diagnostics = diagnostics;
  }
}

function fromDocument(document: unknown, version: number): CurrentSite | { diagnostics: readonly Diagnostic[] } {
  const result = parseSite(JSON.stringify(document));
  if (!result.ok || result.site === undefined || result.analysis === undefined || result.file === undefined) {
    return { diagnostics: result.diagnostics };
  }
  return {
    version,
    site: result.site,
    analysis: result.analysis,
    file: result.file,
    summary: summariseSite(result.site, result.analysis),
    diagnostics: result.diagnostics,
  };
}

/** Applies an RFC 7396 merge patch: `null` removes a field, mappings merge, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const base = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  const result = base as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * A check another part of the platform makes of a site change before it is applied (the drains: their targets must
 * keep their racks); it throws an AppError to refuse the change, and nothing is applied.
 */
export type SiteChangeGuard = (before: Site, after: Site) => void;

/**
 * What another part of the platform writes with a site change, in its transaction (the live twin's failed units
 * follow their renamed ids): committed with the new version or not at all. A throw refuses the change.
 */
export type SiteChangeWriter = (trx: Transaction<Database>, before: Site, after: Site) => Promise<void>;

/** What a change request may ask of the site it applies to. */
export interface ChangePreconditions {
  /**
   * The version the change was made on (HTTP `If-Match`): when another is in force by the time the change runs, the
   * change is refused and nothing applies, so an edit of a document read earlier never overwrites a change made since.
   */
  readonly ifVersion?: number;
}

/** What `applyChange` answers: the site in force after it, and whether the change made it a new version. */
export interface AppliedChange {
  readonly current: CurrentSite;
  /** False when the change left the document as it was (nothing written, nothing rebuilt). */
  readonly changed: boolean;
}

/** Holds the current site and applies change requests. */
export class InventoryService {
  readonly #db: Kysely<Database>;
  #current: CurrentSite;
  /** The end of the chain of exclusive sections (`exclusive`); it never rejects. */
  #section: Promise<void> = Promise.resolve();
  readonly #listeners = new Set<(site: CurrentSite) => void>();
  readonly #guards = new Set<SiteChangeGuard>();
  readonly #writers = new Set<SiteChangeWriter>();

  private constructor(db: Kysely<Database>, current: CurrentSite) {
    this.#db = db;
    this.#current = current;
  }

  /** Loads the latest stored version, or `initialSite` (a shipped name or a file) at first start. */
  static async open(db: Kysely<Database>, initialSite: string): Promise<InventoryService> {
    const latest = await db
      .selectFrom("site_versions")
      .selectAll()
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    if (latest !== undefined) {
      const loaded = fromDocument(latest.document, latest.version);
      if ("site" in loaded) return new InventoryService(db, loaded);
      throw new Error(`stored site version ${latest.version} no longer validates: ${loaded.diagnostics[0]?.message}`);
    }
    const result = loadSite(initialSite);
    if (!result.ok || result.file === undefined) {
      throw new Error(
        `site ${initialSite} does not validate: ${result.diagnostics.find((d) => d.severity === "error")?.message}`,
      );
    }
    const loaded = fromDocument(result.file, 0);
    if (!("site" in loaded)) throw new Error(`site ${initialSite} does not validate after normalisation`);
    return new InventoryService(db, loaded);
  }

  /** The site in force. */
  get current(): CurrentSite {
    return this.#current;
  }

  /** Calls `listener` after every accepted change; returns the function that removes it. */
  onChange(listener: (site: CurrentSite) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds a check every change must pass before it is applied; returns the function that removes it. */
  addChangeGuard(guard: SiteChangeGuard): () => void {
    this.#guards.add(guard);
    return () => this.#guards.delete(guard);
  }

  /** Adds what a change writes in its own transaction (`SiteChangeWriter`); returns the function that removes it. */
  addChangeWriter(writer: SiteChangeWriter): () => void {
    this.#writers.add(writer);
    return () => this.#writers.delete(writer);
  }

  /**
   * Runs `fn` once every section started before it has ended, and none other until it ends (thrown or not): site
   * changes run in one, and so do the live events that write what a change carries across (their twin, their held
   * states), so that an event lands wholly before a change or wholly after it. Not reentrant: `fn`, and the change
   * writers and listeners a change runs, must not start another. Reads never wait on it.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#section.then(fn);
    this.#section = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * Validates and applies a change request, recording the new version and its audit record in one transaction.
   * Changes run one at a time (`exclusive`), each on the site the one before left: two sent at once are two versions,
   * unless they name the version they were made on (`ifVersion`): then the second, checked in the section after the
   * first applied, is refused (412).
   */
  async applyChange(
    context: RequestContext,
    change: SiteChange,
    preconditions: ChangePreconditions = {},
  ): Promise<AppliedChange> {
    authorize(context.principal, "site:change");
    return this.exclusive(() => this.#apply(context, change, preconditions));
  }

  /** `applyChange` inside the section: from reading the site in force to the last listener. */
  async #apply(
    context: RequestContext,
    change: SiteChange,
    preconditions: ChangePreconditions,
  ): Promise<AppliedChange> {
    const { ifVersion } = preconditions;
    if (ifVersion !== undefined && ifVersion !== this.#current.version) {
      // Named where the request carries it, as the document's problems are (`body.site`).
      throw new AppError(
        "preconditionFailed",
        `the site changed since version ${ifVersion} was read (If-Match "v${ifVersion}"): version ${this.#current.version} is in force; nothing was applied: read the site again and redo the change`,
        { field: "headers.if-match" },
      );
    }
    const document =
      "site" in change ? change.site : applyMergePatch(structuredClone(this.#current.file), change.patch);
    // Problems are named where the request carries them (a problem's field is a path into the request).
    const under = "site" in change ? "body.site" : "body.patch";
    const candidate = fromDocument(document, this.#current.version + 1);
    if (!("site" in candidate)) throw new SiteChangeRejected(candidate.diagnostics, under);
    if (candidate.site.id !== this.#current.site.id) {
      throw new AppError("invalid", `site id cannot change (${this.#current.site.id} → ${candidate.site.id})`, {
        field: requestField(under, "site.id"),
      });
    }
    const before = this.#current;
    // A change that leaves the document as it is changes nothing: no version, no rebuild of the scheduler or the
    // live twin (which would reset what they accumulated, such as tenants' attributed energy).
    if (isDeepStrictEqual(candidate.file, before.file)) return { current: before, changed: false };
    for (const guard of this.#guards) {
      try {
        guard(before.site, candidate.site);
      } catch (error) {
        // A guard refuses the change as a whole: named as the part of the request that carries it.
        if (error instanceof AppError && error.field !== undefined)
          throw Object.assign(new AppError(error.kind, error.message, { field: under, cause: error }), {
            diagnostics: (error as AppError & { diagnostics?: unknown[] }).diagnostics,
          });
        throw error;
      }
    }
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto("site_versions")
        .values({
          version: candidate.version,
          site_id: candidate.site.id,
          document: JSON.stringify(candidate.file),
          summary: change.summary,
          actor: context.principal.userId,
          created_at: new Date().toISOString(),
        })
        .execute();
      await appendAudit(trx, {
        actor: context.principal.userId,
        action: "site.change",
        resource: `site:${candidate.site.id}`,
        before: { version: before.version, racks: before.summary.counts.racks, designItMW: before.summary.designItMW },
        after: {
          version: candidate.version,
          summary: change.summary,
          racks: candidate.summary.counts.racks,
          designItMW: candidate.summary.designItMW,
        },
        requestId: context.requestId,
      });
      for (const writer of this.#writers) await writer(trx, before.site, candidate.site);
    });
    this.#current = candidate;
    for (const listener of this.#listeners) listener(candidate);
    return { current: candidate, changed: true };
  }
}
