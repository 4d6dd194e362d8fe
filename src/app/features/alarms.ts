/**
 * Alarms out of the box: the facility watch (src/telemetry/alarms/facility.ts) on every live twin step, the watch
 * over the platform admins' API keys (src/tenancy/admin-key-alarm.ts: at start, on every key change through the API,
 * and every minute for expiries and keys made on the host), and each alarm's impact — the halls, rows and racks the
 * equipment feeds, the running jobs on them and their tenants — from the site model and the scheduler's placements.
 * Routes:
 *
 * - `GET /v1/alarms/summary` (staff): active alarms by severity, for the console's banner;
 * - `GET /v1/incidents` (anyone who reads jobs): active incidents touching the caller's own jobs, in plain words,
 *   without facility internals (no equipment, rows or other tenants) for tenants.
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Site } from "../../model/site.ts";
import { contextOf } from "../../server/auth.ts";
import { type Reply, StringEnum } from "../../server/schemas.ts";
import type { Alarm, AlarmBook, AlarmImpact } from "../../telemetry/alarms/book.ts";
import { type FacilityThresholds, FacilityWatch } from "../../telemetry/alarms/facility.ts";
import { followSiteChange } from "../../telemetry/alarms/site-change.ts";
import type { Severity } from "../../telemetry/types.ts";
import { checkAdminKeys, defaultAdminKeyWarningDays } from "../../tenancy/admin-key-alarm.ts";
import { authorize, withinScope } from "../../tenancy/service.ts";
import type { LiveSnapshot } from "../../twin/live.ts";
import type { CoreServices, Feature } from "../compose.ts";
import type { JobRecord } from "../jobs/records.ts";
import type { TelemetryFeature } from "./telemetry.ts";

/** Racks and jobs listed in an alarm's impact (the counts hold them all). */
const listedLimit = 50;
/** How often impacts are worked out again (jobs start and end). */
const refreshMs = 15_000;
/** How often the stale-state check runs. */
const staleCheckMs = 5_000;
/** How often the admins' keys are looked at (one small query): expiries come with time, not with a request. */
const adminKeyCheckMs = 60_000;

/** What the alarms feature reads from the others. */
export interface AlarmsDependencies {
  readonly telemetry: TelemetryFeature;
  readonly live: { onSnapshot(listener: (snapshot: LiveSnapshot) => void): () => void };
  /** Running jobs on a rack (the scheduler's placements); none when the scheduler is not running. */
  readonly jobsOnRack: (rackIndex: number) => readonly JobRecord[];
  readonly thresholds?: Partial<FacilityThresholds>;
  /** Warn when every working platform-admin key expires within this many days (default 14). */
  readonly adminKeyWarningDays?: number;
  /** The wall clock key expiries are judged on (epoch ms; tests move it). */
  readonly clock?: () => number;
}

/** Rack indexes of the rows named, in site order. */
function racksOfRows(site: Site, rowIds: readonly string[]): number[] {
  const wanted = new Set(rowIds);
  const racks: number[] = [];
  for (const row of site.rows) {
    if (!wanted.has(row.id)) continue;
    for (let rack = row.rackStart; rack < row.rackStart + row.rackCount; rack++) racks.push(rack);
  }
  return racks;
}

/** The rows an alarm touches: those its equipment feeds, else its row, hall or plant (a whole hall's rows). */
function rowsOf(site: Site, alarm: Alarm): string[] {
  if (alarm.location.rack !== undefined) return [];
  if (alarm.rows.length > 0) return [...alarm.rows];
  const { hall, plant } = alarm.location;
  if (hall !== undefined) {
    const index = site.halls.findIndex((candidate) => candidate.id === hall);
    return site.rows.filter((row) => row.hallIndex === index).map((row) => row.id);
  }
  if (plant !== undefined) {
    const found = site.plants.find((candidate) => candidate.id === plant);
    const halls = new Set(found?.hallIndexes ?? []);
    return site.rows.filter((row) => halls.has(row.hallIndex)).map((row) => row.id);
  }
  return [];
}

function list(items: readonly string[], limit = 3): string {
  if (items.length <= limit) return items.join(", ");
  return `${items.slice(0, limit).join(", ")} and ${items.length - limit} more`;
}

const short = (id: string) => id.replace(/^[a-z]+:/, "");

/** Works out impacts against the site in force and the live placements. */
class ImpactIndex {
  #site: Site;
  readonly #jobsOnRack: (rackIndex: number) => readonly JobRecord[];
  readonly #tenantNames: Map<string, string>;
  readonly #rackIndex = new Map<string, number>();

  constructor(site: Site, jobsOnRack: (rackIndex: number) => readonly JobRecord[], tenantNames: Map<string, string>) {
    this.#site = site;
    this.#jobsOnRack = jobsOnRack;
    this.#tenantNames = tenantNames;
    this.#index();
  }

  set site(site: Site) {
    this.#site = site;
    this.#index();
  }

  #index(): void {
    this.#rackIndex.clear();
    for (const rack of this.#site.racks) this.#rackIndex.set(rack.id, rack.index);
  }

  /** Rack indexes an alarm touches. */
  racksOf(alarm: Alarm): number[] {
    const rack = alarm.location.rack === undefined ? undefined : this.#rackIndex.get(alarm.location.rack);
    if (rack !== undefined) return [rack];
    return racksOfRows(this.#site, rowsOf(this.#site, alarm));
  }

  /** Running jobs on racks, each once, in first-seen order. */
  jobsOn(racks: readonly number[]): JobRecord[] {
    const seen = new Map<string, JobRecord>();
    for (const rack of racks) for (const record of this.#jobsOnRack(rack)) seen.set(record.id, record);
    return [...seen.values()];
  }

  tenantName(id: string): string {
    return this.#tenantNames.get(id) ?? id;
  }

  /** The impact of an alarm, with its plain-words summary. */
  impact(alarm: Alarm): AlarmImpact {
    const site = this.#site;
    const racks = this.racksOf(alarm);
    const rows = new Set<string>();
    const halls = new Set<string>();
    for (const rack of racks) {
      const row = site.rows[site.racks[rack]!.rowIndex]!;
      rows.add(row.id);
      halls.add(site.halls[row.hallIndex]!.id);
    }
    if (alarm.location.hall !== undefined && halls.size === 0) halls.add(alarm.location.hall);
    const jobs = this.jobsOn(racks);
    const tenantIds = [...new Set(jobs.map((job) => job.tenantId))].sort();
    const tenants = tenantIds.map((id) => ({ id, name: this.tenantName(id) }));
    const hallNames = [...halls].map((id) => site.halls.find((hall) => hall.id === id)?.name ?? short(id));
    const where =
      racks.length === 0
        ? ""
        : racks.length === 1
          ? ` Rack ${short(site.racks[racks[0]!]!.id)} in ${hallNames[0] ?? "its hall"}.`
          : ` Feeds ${racks.length.toLocaleString("en-GB")} racks in ${rows.size === 1 ? "row" : `${rows.size} rows:`} ${list([...rows].map(short))} (${list(hallNames)}).`;
    const who =
      jobs.length === 0
        ? racks.length === 0
          ? ""
          : " No running job affected."
        : ` ${jobs.length} running job${jobs.length === 1 ? "" : "s"} of ${list(
            tenants.map((tenant) => tenant.name),
            4,
          )} affected.`;
    return {
      halls: [...halls],
      rows: [...rows],
      rackCount: racks.length,
      racks: racks.slice(0, listedLimit).map((rack) => site.racks[rack]!.id),
      jobs: jobs.slice(0, listedLimit).map((job) => ({ id: job.id, name: job.name, tenantId: job.tenantId })),
      jobCount: jobs.length,
      tenants,
      summary: `${alarm.message}${where}${who}`,
    };
  }
}

/** An incident as a tenant sees it: what it means for their jobs, no facility internals. */
/** `GET /v1/alarms/summary`: active alarms by severity, shelved ones apart. */
const AlarmSummarySchema = Type.Object({
  info: Type.Integer(),
  warning: Type.Integer(),
  critical: Type.Integer(),
  shelved: Type.Integer(),
  unacknowledged: Type.Integer(),
});

/** `GET /v1/incidents`: what a tenant is told of alarms touching its running jobs. */
const IncidentsSchema = Type.Object({
  incidents: Type.Array(
    Type.Object({
      id: Type.String(),
      severity: StringEnum(["info", "warning", "critical"]),
      title: Type.String(),
      message: Type.String(),
      since: Type.String(),
      jobs: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    }),
  ),
});

interface Incident {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly since: string;
  readonly jobs: readonly { id: string; name: string }[];
}

/** What an alarm means for the people whose jobs run under it. */
function tenantWording(alarm: Alarm): { title: string; message: string } {
  switch (alarm.source) {
    case "facility-throttling":
    case "facility-loop-supply":
      return {
        title: "Cooling incident: jobs slowed",
        message: "Cooling of the racks running these jobs is degraded; they run below full speed until it recovers.",
      };
    case "facility-racks-tripped":
      return {
        title: "Cooling incident: jobs interrupted",
        message:
          "The racks running these jobs shut down to protect themselves after a cooling fault; operators are restoring cooling.",
      };
    case "facility-certification":
      return {
        title: "Certification notice",
        message: "The certification of the zone where these jobs run is expiring or has expired.",
      };
    case "facility-state-stale":
      return { title: "Monitoring interrupted", message: "Facility monitoring is not updating; operators are on it." };
    default:
      return {
        title: alarm.severity === "critical" ? "Facility incident affecting your jobs" : "Facility notice",
        message:
          alarm.severity === "critical"
            ? "A fault in the equipment serving these jobs is being handled; they may slow down or be interrupted."
            : "Equipment serving these jobs runs with less margin than usual; operators are informed. No action is needed.",
      };
  }
}

/**
 * Keeps the admin-key alarm in step with the store: checks run one after the other (a slow one must not land after
 * a newer one), on a timer and after each key change the service makes.
 */
function watchAdminKeys(
  core: CoreServices,
  book: AlarmBook,
  warningDays: number,
  clock: () => number = Date.now,
): { check(): Promise<void>; stop(): Promise<void> } {
  let last: Promise<void> = Promise.resolve();
  // A check waiting its turn reads the store after every trigger so far: more triggers (a burst of key changes, the
  // timer while the store hangs) join it instead of queuing a check each.
  let waiting = false;
  const check = () => {
    if (waiting) return last;
    waiting = true;
    last = last.then(async () => {
      waiting = false;
      try {
        const now = clock();
        checkAdminKeys(book, await core.tenancy.adminKeyHorizon(now), now, warningDays);
      } catch (error) {
        core.log.write("warn", "alarms", `reading the platform admins' API keys failed: ${(error as Error).message}`);
      }
    });
    return last;
  };
  const timer = setInterval(check, adminKeyCheckMs);
  timer.unref();
  const removeListener = core.tenancy.onKeysChanged(() => void check());
  return {
    check,
    async stop() {
      clearInterval(timer);
      removeListener();
      await last;
    },
  };
}

/** The alarms feature; start it after telemetry, jobs and the live twin. */
export function alarmsFeature(dependencies: () => AlarmsDependencies): Feature {
  return {
    name: "alarms",
    async start(core: CoreServices) {
      const { telemetry, live, jobsOnRack, thresholds, adminKeyWarningDays, clock } = dependencies();
      const book: AlarmBook = telemetry.service().alarms;
      const tenantNames = new Map<string, string>();
      const loadTenants = async () => {
        const rows = await core.store.db.selectFrom("tenants").select(["id", "name"]).execute();
        for (const row of rows) tenantNames.set(row.id, row.name);
      };
      await loadTenants();
      let site = core.inventory.current.site;
      let watch = FacilityWatch.resuming(book, site, thresholds);
      const impacts = new ImpactIndex(site, jobsOnRack, tenantNames);
      book.setImpactResolver((alarm) => impacts.impact(alarm));
      const removeSiteListener = core.inventory.onChange((changed) => {
        const before = site;
        site = changed.site;
        impacts.site = site;
        // Alarms about equipment the change renames follow it to its new id (the same alarms, a `renamed` event each);
        // those of equipment it removes end. Then the alarms whose condition holds on the new site stay the same
        // alarms (acknowledged or shelved as they were, no second notification); the others clear at the new watch's
        // first step.
        let handedOver = watch.raisedKeys;
        try {
          const followed = followSiteChange(book, before, site, handedOver, Date.now());
          handedOver = followed.keys;
          if (followed.problem !== undefined) {
            core.log.write("warn", "alarms", `alarms could not follow the site change: ${followed.problem}`);
          }
        } catch (error) {
          core.log.write("error", "alarms", `alarms could not follow the site change: ${(error as Error).message}`);
        }
        watch = new FacilityWatch(book, site, thresholds, handedOver);
      });
      // A fault in the watch must not stop the twin's clock or its streams: it is logged, the next step tries again.
      const removeSnapshotListener = live.onSnapshot((snapshot) => {
        try {
          watch.evaluate(snapshot, Date.now());
        } catch (error) {
          core.log.write("error", "alarms", `facility watch failed: ${(error as Error).message}`);
        }
      });
      const refresh = setInterval(() => {
        loadTenants().then(
          () => book.refreshImpacts(),
          (error: Error) => core.log.write("warn", "alarms", `reading tenant names failed: ${error.message}`),
        );
      }, refreshMs);
      refresh.unref();
      const stale = setInterval(() => watch.checkStale(Date.now()), staleCheckMs);
      stale.unref();
      const keyWatch = watchAdminKeys(core, book, adminKeyWarningDays ?? defaultAdminKeyWarningDays, clock);
      await keyWatch.check();

      const routes = (app: FastifyInstance) => {
        app.get(
          "/v1/alarms/summary",
          {
            schema: {
              tags: ["alarms"],
              operationId: "getAlarmSummary",
              summary: "Active alarms by severity (shelved ones apart), for the console's banner",
              response: { 200: AlarmSummarySchema },
            },
          },
          async (request): Promise<Reply<typeof AlarmSummarySchema>> => {
            authorize(contextOf(request).principal, "alarms:read");
            const counts: Record<Severity, number> = { info: 0, warning: 0, critical: 0 };
            let shelved = 0;
            let unacknowledged = 0;
            for (const alarm of book.list({ state: "active" })) {
              if (alarm.shelved !== undefined) {
                shelved++;
                continue;
              }
              counts[alarm.severity]++;
              if (alarm.acknowledged === undefined) unacknowledged++;
            }
            return { ...counts, shelved, unacknowledged };
          },
        );

        app.get(
          "/v1/incidents",
          {
            schema: {
              tags: ["alarms"],
              operationId: "listIncidents",
              summary: "Active incidents touching the caller's running jobs, in plain words",
              querystring: Type.Object({}, { additionalProperties: false }),
              response: { 200: IncidentsSchema },
            },
          },
          async (request): Promise<Reply<typeof IncidentsSchema>> => {
            const principal = contextOf(request).principal;
            const scope = authorize(principal, "jobs:read");
            const incidents: Incident[] = [];
            for (const alarm of book.list({ state: "active" })) {
              if (alarm.impact === undefined || alarm.impact.jobCount === 0) continue;
              const jobs = impacts
                .jobsOn(impacts.racksOf(alarm))
                .filter((record) => withinScope(principal, scope, record))
                .map((record) => ({ id: record.id, name: record.name }));
              if (jobs.length === 0) continue;
              const wording = tenantWording(alarm);
              incidents.push({
                id: alarm.id,
                severity: alarm.severity,
                ...wording,
                since: new Date(alarm.raisedAt).toISOString(),
                jobs: jobs.slice(0, listedLimit),
              });
            }
            return { incidents };
          },
        );
      };

      return {
        routes,
        async stop() {
          clearInterval(refresh);
          clearInterval(stale);
          await keyWatch.stop();
          removeSnapshotListener();
          removeSiteListener();
          book.setImpactResolver(undefined);
        },
      };
    },
  };
}
