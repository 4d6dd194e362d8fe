/**
 * Queues, cohorts and quotas as data: the configuration in force is the latest stored version (whole, in the queue
 * file's shape); every change — a whole set, one queue or cohort, a Kueue import, a new tenant's queue — is checked
 * as a whole (cohort cycles, unknown parents, lending above nominal), refused while it would orphan running or
 * waiting work, stored as a new version with its audit record in the same transaction, then applied live.
 * Changes are serialised: two admins editing at once cannot lose each other's change.
 */
import type { Kysely } from "kysely";
import { AppError } from "../../core/errors.ts";
import { formatPath, parsePath } from "../../model/diagnostics.ts";
import { kueueImport } from "../../scheduler/kueue-yaml.ts";
import { queueSetDocument } from "../../scheduler/queue-file.ts";
import {
  type ConfigDiagnostic,
  type QueueSetConfig,
  QuotaTree,
  queueSetLimits,
  readQueueConfig,
} from "../../scheduler/queues.ts";
import type { Database } from "../../store/schema.ts";
import type { RequestContext, TenancyService } from "../../tenancy/service.ts";
import { queueForTenant, type TenantRef } from "./defaults.ts";

/** A stored version's header. */
export interface QueueSetVersion {
  readonly version: number;
  readonly summary: string;
  readonly actor: string;
  readonly createdAt: string;
}

/** Options of the queue service. */
export interface QueueServiceOptions {
  readonly db: Kysely<Database>;
  readonly tenancy: TenancyService;
  /** Queued, admitted or running jobs of a queue: a change may not take a queue away from under them. */
  readonly activeJobs: (queue: string) => number;
}

/**
 * The problem answer for diagnostics: up to ten listed, the first one's place as the field; `fieldOf` turns a
 * diagnostic's path into a path in the request (`body.yaml` for a Kueue document, whose paths are not the body's).
 */
export function diagnosticsError(
  diagnostics: readonly ConfigDiagnostic[],
  fieldOf: (path: string) => string = (path) => path || "body",
): AppError {
  const shown = diagnostics.slice(0, 10).map((item) => `${item.path || "body"}: ${item.message}`);
  const more = diagnostics.length > 10 ? ` (and ${diagnostics.length - 10} more)` : "";
  return new AppError("invalid", `${shown.join("; ")}${more}`, { field: fieldOf(diagnostics[0]?.path ?? "") });
}

/** Where a path of the configuration (`queues[6].tenant`) is in a request: the whole set sent as `body.config`. */
const inConfigBody = (path: string) => formatPath(["body", "config", ...parsePath(path)]);

/** Names added, removed and changed between two configurations, for the audit record. */
function changes(before: QueueSetConfig, after: QueueSetConfig): Record<string, string[]> {
  const diff = (kind: "queues" | "cohorts") => {
    const old = new Map(before[kind].map((item) => [item.name, JSON.stringify(item)]));
    const next = new Map(after[kind].map((item) => [item.name, JSON.stringify(item)]));
    return {
      added: [...next.keys()].filter((name) => !old.has(name)),
      removed: [...old.keys()].filter((name) => !next.has(name)),
      changed: [...next.keys()].filter((name) => old.has(name) && old.get(name) !== next.get(name)),
    };
  };
  const queues = diff("queues");
  const cohorts = diff("cohorts");
  return {
    queuesAdded: queues.added,
    queuesRemoved: queues.removed,
    queuesChanged: queues.changed,
    cohortsAdded: cohorts.added,
    cohortsRemoved: cohorts.removed,
    cohortsChanged: cohorts.changed,
  };
}

/** The queue configuration in force, its versions and its changes. */
export class QueueService {
  readonly #options: QueueServiceOptions;
  #config: QueueSetConfig;
  #version: number;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #listeners: ((config: QueueSetConfig, why: string) => void)[] = [];

  private constructor(options: QueueServiceOptions, config: QueueSetConfig, version: number) {
    this.#options = options;
    this.#config = config;
    this.#version = version;
  }

  /**
   * Opens the configuration in force: the latest stored version, else `initial` (stored as version 1). A
   * configuration from a file (`serve --queues`) that differs from the stored one becomes a new version.
   */
  static async open(
    options: QueueServiceOptions,
    context: RequestContext,
    initial: (tenants: readonly TenantRef[]) => QueueSetConfig,
    file?: { readonly config: QueueSetConfig; readonly source: string },
  ): Promise<QueueService> {
    const latest = await options.db
      .selectFrom("queue_set_versions")
      .selectAll()
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    let service: QueueService;
    if (latest === undefined) {
      const tenants = await options.db.selectFrom("tenants").select(["id", "kind"]).execute();
      service = new QueueService(options, file?.config ?? initial(tenants), 0);
      await service.#store(context, service.#config, file === undefined ? "initial queues" : `from ${file.source}`);
      return service;
    }
    const stored = readQueueConfig(latest.document, "stored", { allowEmpty: true });
    // A version stored by this code always reads back; one that does not is a store problem, not a request's.
    if (stored.config === undefined) throw diagnosticsError(stored.diagnostics);
    service = new QueueService(options, stored.config, latest.version);
    if (file !== undefined && JSON.stringify(queueSetDocument(file.config)) !== JSON.stringify(latest.document)) {
      await service.#store(context, file.config, `from ${file.source}`);
    }
    return service;
  }

  /** The configuration in force. */
  get config(): QueueSetConfig {
    return this.#config;
  }

  /** Its version number. */
  get version(): number {
    return this.#version;
  }

  /** Calls `listener` after every accepted change (the jobs engine applies it). */
  onChange(listener: (config: QueueSetConfig, why: string) => void): void {
    this.#listeners.push(listener);
  }

  /** Stored versions, newest first, one page. */
  async versions(limit: number, before: number | undefined): Promise<QueueSetVersion[]> {
    let query = this.#options.db
      .selectFrom("queue_set_versions")
      .select(["version", "summary", "actor", "created_at"])
      .orderBy("version", "desc")
      .limit(limit);
    if (before !== undefined) query = query.where("version", "<", before);
    const rows = await query.execute();
    return rows.map((row) => ({
      version: row.version,
      summary: row.summary,
      actor: row.actor,
      createdAt: row.created_at,
    }));
  }

  /** Replaces the whole configuration by `document` (the file's shape). */
  replace(context: RequestContext, document: unknown, summary: string | undefined): Promise<number> {
    return this.#serial(async () => {
      const checked = readQueueConfig(document, "body.config", { allowEmpty: true });
      if (checked.config === undefined) throw diagnosticsError(checked.diagnostics);
      return this.#commit(context, checked.config, summary ?? "queue configuration replaced", inConfigBody);
    });
  }

  /** Replaces the configuration by Kueue objects (multi-document YAML). */
  importKueue(context: RequestContext, text: string, summary: string | undefined): Promise<number> {
    return this.#serial(async () => {
      const imported = kueueImport(text, this.#config);
      if (imported.config === undefined) {
        throw diagnosticsError(
          imported.diagnostics.map((item) => ({ ...item, path: `body.yaml: ${item.path}` })),
          () => "body.yaml",
        );
      }
      return this.#commit(context, imported.config, summary ?? "imported from Kueue objects", () => "body.yaml");
    });
  }

  /** Creates or replaces one queue or cohort (`body` in the file's shape, without its name). */
  put(
    context: RequestContext,
    kind: "queues" | "cohorts",
    name: string,
    body: Record<string, unknown>,
  ): Promise<number> {
    return this.#serial(async () => {
      const document = queueSetDocument(this.#config);
      const list = document[kind] as Record<string, unknown>[];
      const index = list.findIndex((entry) => entry["name"] === name);
      const entry = { ...body, name };
      if (index >= 0) list[index] = entry;
      else list.push(entry);
      const at = index >= 0 ? index : list.length - 1;
      const checked = readQueueConfig(document, "", { allowEmpty: true });
      // Problems in the entry are the body's; others (a cohort's parent removed…) name their place in the set.
      const own = `${kind}[${at}]`;
      if (checked.config === undefined) {
        throw diagnosticsError(
          checked.diagnostics.map((item) => ({
            ...item,
            path: item.path.startsWith(own) ? `body${item.path.slice(own.length)}` : `config.${item.path}`,
          })),
          // Another entry's problem is the change's as a whole: the body.
          (path) => (path.startsWith("body") ? path : "body"),
        );
      }
      const noun = kind === "queues" ? "queue" : "cohort";
      const summary = `${noun} ${name} ${index >= 0 ? "changed" : "created"}`;
      return this.#commit(context, checked.config, summary, (path) =>
        path.startsWith(own) ? `body${path.slice(own.length)}` : "body",
      );
    });
  }

  /** Removes one queue or cohort. */
  remove(context: RequestContext, kind: "queues" | "cohorts", name: string): Promise<number> {
    return this.#serial(async () => {
      const noun = kind === "queues" ? "queue" : "cohort";
      if (!this.#config[kind].some((entry) => entry.name === name))
        throw new AppError("notFound", `no ${noun} ${name}`);
      if (kind === "cohorts") {
        const users = [
          ...this.#config.cohorts.filter((cohort) => cohort.parent === name).map((cohort) => `cohort ${cohort.name}`),
          ...this.#config.queues.filter((queue) => queue.cohort === name).map((queue) => `queue ${queue.name}`),
          ...(this.#config.newTenants ?? []).filter((rule) => rule.cohort === name).map(() => "a new-tenant rule"),
        ];
        if (users.length > 0) {
          throw new AppError("conflict", `cohort ${name} is still used by ${users.slice(0, 5).join(", ")}`);
        }
      }
      const next: QueueSetConfig = {
        ...this.#config,
        [kind]: this.#config[kind].filter((entry) => entry.name !== name),
        ...(kind === "queues" && this.#config.defaultQueue === name ? { defaultQueue: undefined } : {}),
      };
      return this.#commit(context, next, `${noun} ${name} removed`, () => "params.name");
    });
  }

  /** Gives a new tenant its queue by the configuration's new-tenant rules (nothing when no rule matches). */
  tenantCreated(context: RequestContext, tenant: TenantRef): Promise<number | undefined> {
    return this.#serial(async () => {
      if (this.#config.queues.some((queue) => queue.tenant === tenant.id || queue.name === tenant.id)) return undefined;
      const queue = queueForTenant(this.#config, tenant);
      if (queue === undefined) return undefined;
      const next = { ...this.#config, queues: [...this.#config.queues, queue] };
      return this.#commit(context, next, `queue ${queue.name} created for new tenant ${tenant.id}`, () => "body");
    });
  }

  /** Runs `work` (a change outside the store, such as the demo load) with its audit record; a refusal leaves none. */
  async audited(
    context: RequestContext,
    action: string,
    work: () => Promise<{ before: unknown; after: unknown }>,
  ): Promise<void> {
    await this.#options.tenancy.mutate(context, action, "demo", async () => ({ ...(await work()), result: undefined }));
  }

  #serial<Result>(work: () => Promise<Result>): Promise<Result> {
    const run = this.#chain.then(work, work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Checks what only the platform knows (limits, tenants, work in flight), stores and applies `next`. */
  /** `fieldOf`: where a path of the configuration is in the request that changes it (a problem's field). */
  async #commit(
    context: RequestContext,
    next: QueueSetConfig,
    summary: string,
    fieldOf: (path: string) => string,
  ): Promise<number> {
    if (next.queues.length > queueSetLimits.queues)
      throw new AppError("invalid", `more than ${queueSetLimits.queues} queues`, { field: "body" });
    if (next.cohorts.length > queueSetLimits.cohorts)
      throw new AppError("invalid", `more than ${queueSetLimits.cohorts} cohorts`, { field: "body" });
    if (next.priorityClasses.length > queueSetLimits.priorityClasses)
      throw new AppError("invalid", `more than ${queueSetLimits.priorityClasses} priority classes`, { field: "body" });
    const orphaned: string[] = [];
    for (const queue of this.#config.queues) {
      const after = next.queues.find((candidate) => candidate.name === queue.name);
      if ((after === undefined || after.tenant !== queue.tenant) && this.#options.activeJobs(queue.name) > 0)
        orphaned.push(queue.name);
    }
    if (orphaned.length > 0) {
      throw new AppError(
        "conflict",
        `queue ${orphaned.join(", ")} still has waiting or running jobs: let them end or cancel them before removing the queue or changing its tenant`,
      );
    }
    const tenantIds = [...new Set(next.queues.map((queue) => queue.tenant))];
    if (tenantIds.length > 0) {
      const found = await this.#options.db.selectFrom("tenants").select("id").where("id", "in", tenantIds).execute();
      const known = new Set(found.map((row) => row.id));
      const missing = tenantIds.filter((id) => !known.has(id));
      if (missing.length > 0) {
        const index = next.queues.findIndex((queue) => queue.tenant === missing[0]);
        throw new AppError("invalid", `no tenant ${missing.slice(0, 5).join(", ")}`, {
          field: fieldOf(`queues[${index}].tenant`),
        });
      }
    }
    // The scheduler's accounting must accept it before anything is stored.
    new QuotaTree(next);
    const before = this.#config;
    await this.#store(context, next, summary, changes(before, next));
    for (const listener of this.#listeners) listener(next, summary);
    return this.#version;
  }

  async #store(
    context: RequestContext,
    config: QueueSetConfig,
    summary: string,
    changed?: Record<string, string[]>,
  ): Promise<void> {
    const version = this.#version + 1;
    const document = queueSetDocument(config);
    await this.#options.tenancy.mutate(context, "queues.change", `queues:v${version}`, async (trx) => {
      await trx
        .insertInto("queue_set_versions")
        .values({
          version,
          document: JSON.stringify(document),
          summary,
          actor: context.principal.userId,
          created_at: new Date().toISOString(),
        })
        .execute();
      return { before: { version: this.#version }, after: { version, summary, ...changed }, result: undefined };
    });
    this.#config = config;
    this.#version = version;
  }
}
