/**
 * Grid events on the live platform as the API takes and shows them: a curtailment request (reduce by MW of grid
 * import or by a fraction of the site's IT power, from a start, for a duration, with the grid's notice), its state on
 * the clock, and the report of what the platform did and delivered. One TypeBox schema per shape; the checks name the
 * field at fault.
 */
import type { Selectable } from "kysely";
import { type Static, Type } from "typebox";
import { Value } from "typebox/value";
import { AppError } from "../../core/errors.ts";
import { flexClasses } from "../../model/flexibility.ts";
import { Nullable, StringEnum } from "../../server/schemas.ts";
import type { GridEventsTable } from "../../store/schema.ts";

/** Where a grid event stands. */
export const gridEventStates = ["scheduled", "active", "ended", "cancelled"] as const;
/** One grid event state. */
export type GridEventState = (typeof gridEventStates)[number];

/** A stored grid event. */
export type GridEventRow = Selectable<GridEventsTable>;

/** Bounds a request must keep. */
export interface GridEventLimits {
  /** Longest event. */
  readonly maxDurationS: number;
  /** Longest notice. */
  readonly maxNoticeS: number;
  /** How far ahead an event may start. */
  readonly maxLeadMs: number;
  /** Events scheduled or active at once. */
  readonly maxOpen: number;
}

/** Default bounds: events of up to 24 h, a day's notice, up to 30 days ahead, 50 open at once. */
export const defaultGridEventLimits: GridEventLimits = {
  maxDurationS: 86_400,
  maxNoticeS: 86_400,
  maxLeadMs: 30 * 86_400_000,
  maxOpen: 50,
};

/** The body of `POST /v1/grid/events`. */
export const gridEventRequestSchema = Type.Object(
  {
    reduceMW: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 10_000, description: "reduction of grid import, MW" }),
    ),
    reduceFraction: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1, description: "reduction as a share of the site's IT power" }),
    ),
    start: Type.Optional(Type.String({ format: "date-time", description: "when the reduction starts (default now)" })),
    durationS: Type.Integer({ minimum: 10, maximum: 86_400, description: "how long it is held, seconds" }),
    noticeS: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 86_400,
        description: "the grid's notice before the start, seconds: new non-protected work is held from then",
      }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 500, description: "the grid signal (RTE, aggregator, test)" }),
    minimumCap: Type.Optional(
      Type.Number({
        minimum: 0.1,
        maximum: 1,
        description: "lowest GPU power cap, share of dynamic power (default 0.3)",
      }),
    ),
  },
  { additionalProperties: false },
);
/** A grid event request. */
export type GridEventRequest = Static<typeof gridEventRequestSchema>;

const count = Type.Integer({ minimum: 0 });
/** Counts of jobs by flexibility class. */
const ByClassCount = Type.Object(
  Object.fromEntries(flexClasses.map((name) => [name, count])) as Record<(typeof flexClasses)[number], typeof count>,
);
const hours = Type.Number({ minimum: 0 });
/** GPU-hours by flexibility class. */
const ByClassHours = Type.Object(
  Object.fromEntries(flexClasses.map((name) => [name, hours])) as Record<(typeof flexClasses)[number], typeof hours>,
);

/** How a restarted platform took back an event whose plan a stopped process had applied. */
function gridEventRestartSchema() {
  return Type.Object({
    at: Type.String({ description: "when the restarted platform re-applied or released the plan" }),
    outcome: StringEnum(["reapplied", "released"] as const, {
      description: "reapplied: the event was still active; released: it had ended or been cancelled meanwhile",
    }),
    lastSampleAt: Nullable(
      Type.String({ description: "the last sample of site power recorded before the stop: none until `at`" }),
    ),
    kept: Type.Integer({
      minimum: 0,
      description:
        "jobs found as the plan left them (suspended in Slurm, requeued and waiting; capped, when the event had ended: the release lifts the cap): not commanded twice",
    }),
    reapplied: Type.Integer({ minimum: 0, description: "jobs the plan's command was issued to again" }),
    gone: Type.Integer({
      minimum: 0,
      description: "jobs of the plan no longer running as it left them (ended, or requeued by the restart)",
    }),
  });
}

/** Most jobs a site change entry names one by one (the count covers them all). */
export const releasedJobsListed = 20;

/** How an active event followed its jobs into a new scheduler generation (a site or queue change). */
function gridEventSiteChangeSchema() {
  return Type.Object({
    at: Type.String({ description: "when the new generation took the jobs over" }),
    siteVersion: Type.Integer({ minimum: 0, description: "the site version in force from then on" }),
    why: Type.String({ description: "what rebuilt the scheduler: site change, queue change, a lapsed certification" }),
    kept: Type.Integer({
      minimum: 0,
      description: "jobs still paused, capped or held as the plan left them: carried over, not commanded again",
    }),
    reapplied: Type.Integer({ minimum: 0, description: "jobs the plan's command was issued to again (none expected)" }),
    released: Type.Integer({
      minimum: 0,
      description:
        "jobs the event let go: displaced by the change (racks gone, zone no longer allowed) or ended; work until then is counted",
    }),
    releasedJobs: Type.Array(
      Type.Object({
        jobId: Type.String(),
        kind: StringEnum(["suspend", "cap", "requeue"] as const),
        reason: Type.String({ description: "why the job left the event: the displacement's reason, or its end" }),
      }),
      { maxItems: releasedJobsListed, description: `the first ${releasedJobsListed} released jobs` },
    ),
  });
}

/** What the platform did for one event and what it delivered. */
export const gridEventReportSchema = Type.Object({
  requestedMW: Type.Number({ description: "grid MW asked (a fraction is taken of the site's IT at the start)" }),
  baselineMW: Nullable(
    Type.Number({ description: "mean site grid import (live twin) over the 10 s before the start" }),
  ),
  duringMW: Nullable(Type.Number({ description: "mean site grid import during the event so far" })),
  deliveredMW: Nullable(Type.Number({ description: "baselineMW − duringMW, from the live twin's site power" })),
  deliveredShare: Nullable(Type.Number({ description: "deliveredMW / requestedMW" })),
  responseS: Nullable(Type.Number({ description: "from the start to the first step with ≥ 90 % of the request" })),
  applyS: Type.Number({ description: "wall-clock seconds to work out the plan and issue every command" }),
  plannedMW: Type.Number({ description: "IT power the plan expects to shed" }),
  shortMW: Type.Number({ description: "IT power the plan could not find among non-protected jobs" }),
  capShare: Nullable(Type.Number({ description: "common GPU power cap, share of dynamic power" })),
  jobs: Type.Object({ capped: ByClassCount, suspended: ByClassCount, requeued: ByClassCount }),
  resumed: count,
  workLostGpuHours: ByClassHours,
  deferredGpuHours: Type.Number({ minimum: 0, description: "GPU-hours paused and resumed (not lost)" }),
  protectedWorkLost: Type.Number({ minimum: 0, description: "GPU-hours of protected work lost: always 0" }),
  samples: count,
  sampledS: Nullable(
    Type.Number({
      minimum: 0,
      description:
        "seconds of the event the live twin's samples cover: duringMW and deliveredMW are means over them only (a platform restart leaves a gap)",
    }),
  ),
  restarts: Type.Array(gridEventRestartSchema(), {
    description: "each time a restarted platform took the event back: its plan re-applied, or released",
  }),
  siteChanges: Type.Array(gridEventSiteChangeSchema(), {
    description:
      "each time the site (or the queues) changed during the event: its commands carried to the new scheduler",
  }),
  releasedAt: Nullable(Type.String()),
});
/** An event's report. */
export type GridEventReport = Static<typeof gridEventReportSchema>;
/** One restart in an event's report. */
export type GridEventRestart = GridEventReport["restarts"][number];
/** One site change in an event's report. */
export type GridEventSiteChange = GridEventReport["siteChanges"][number];

/**
 * What a process must know to take an event back after a restart, stored with the report (key `ledger`) from the
 * moment the plan is decided, before any command: the figures the plan was made against and every command of it.
 */
export const gridPlanLedgerSchema = Type.Object({
  startMs: Type.Number(),
  requestedKw: Type.Number({ minimum: 0 }),
  baselineKw: Nullable(Type.Number()),
  ceilingItKw: Type.Number({ minimum: 0 }),
  actions: Type.Array(
    Type.Object({
      jobId: Type.String(),
      kind: StringEnum(["suspend", "cap", "requeue"] as const),
      flexClass: StringEnum(flexClasses),
      share: Type.Number({ minimum: 0, maximum: 1 }),
      gpus: Type.Number({ minimum: 0 }),
      atMs: Type.Number(),
    }),
  ),
  /** Running sums of the site power sampled during the event, as of the last write. */
  measured: Type.Object({
    duringSumKw: Type.Number(),
    samples: Type.Integer({ minimum: 0 }),
    responseS: Nullable(Type.Number()),
    sampledMs: Type.Number({ minimum: 0 }),
    lastAtMs: Nullable(Type.Number()),
  }),
});
/** The ledger of an event's plan. */
export type GridPlanLedger = Static<typeof gridPlanLedgerSchema>;

/** What the `report` column holds: the report, with the plan's ledger while the plan is in force. */
export type StoredGridReport = GridEventReport & { ledger?: GridPlanLedger };

/**
 * The report of a stored `report` value, without the ledger (reports stored before restarts and site changes were
 * tracked lack `sampledS`, `restarts` and `siteChanges`).
 */
export function publicReport(stored: unknown): GridEventReport | null {
  if (stored === null || stored === undefined) return null;
  const { ledger: _ledger, ...report } = stored as StoredGridReport;
  return {
    ...report,
    sampledS: report.sampledS ?? null,
    restarts: report.restarts ?? [],
    siteChanges: report.siteChanges ?? [],
  };
}

/** The ledger of a stored `report` value, when it has a valid one. */
export function ledgerOf(stored: unknown): GridPlanLedger | undefined {
  const ledger = (stored as StoredGridReport | null)?.ledger;
  return ledger !== undefined && Value.Check(gridPlanLedgerSchema, ledger) ? ledger : undefined;
}

/** A grid event as the API shows it. */
export const gridEventViewSchema = Type.Object({
  id: Type.String(),
  reduceMW: Nullable(Type.Number()),
  reduceFraction: Nullable(Type.Number()),
  startsAt: Type.String(),
  endsAt: Type.String(),
  issuedAt: Type.String({ description: "start − notice: from then new non-protected work is held" }),
  noticeS: Type.Integer(),
  durationS: Type.Integer(),
  minimumCap: Type.Number(),
  reason: Type.String(),
  owner: Type.String(),
  state: StringEnum(gridEventStates),
  createdAt: Type.String(),
  cancelledAt: Nullable(Type.String()),
  cancelledBy: Nullable(Type.String()),
  report: Nullable(gridEventReportSchema),
});
/** A grid event view. */
export type GridEventView = Static<typeof gridEventViewSchema>;

/** Where a stored event stands at `nowMs`. */
export function gridEventStateAt(row: GridEventRow, nowMs: number): GridEventState {
  if (row.cancelled_at !== null) return "cancelled";
  if (Date.parse(row.ends_at) <= nowMs) return "ended";
  return Date.parse(row.starts_at) <= nowMs ? "active" : "scheduled";
}

/** Epoch ms from which an event holds new non-protected work (its start minus its notice). */
export function issuedAtMs(row: GridEventRow): number {
  return Date.parse(row.starts_at) - row.notice_s * 1000;
}

/** A stored event as the API shows it, with `report` (the live one while it runs). */
export function gridEventView(row: GridEventRow, nowMs: number, report: GridEventReport | null): GridEventView {
  return {
    id: row.id,
    reduceMW: row.reduce_mw,
    reduceFraction: row.reduce_fraction,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    issuedAt: new Date(issuedAtMs(row)).toISOString(),
    noticeS: row.notice_s,
    durationS: Math.round((Date.parse(row.ends_at) - Date.parse(row.starts_at)) / 1000),
    minimumCap: row.minimum_cap,
    reason: row.reason,
    owner: row.owner,
    state: gridEventStateAt(row, nowMs),
    createdAt: row.created_at,
    cancelledAt: row.cancelled_at,
    cancelledBy: row.cancelled_by,
    report,
  };
}

const invalid = (field: string, detail: string) => new AppError("invalid", `${field}: ${detail}`, { field });

/**
 * The event a request asks for, checked against the clock, the bounds and the events already open (one at a time,
 * like the twin: overlapping requests are refused, naming the one in the way). A start in the past means now.
 */
export function checkGridEventRequest(
  request: GridEventRequest,
  nowMs: number,
  limits: GridEventLimits,
  open: Iterable<GridEventRow>,
): Pick<
  GridEventRow,
  "reduce_mw" | "reduce_fraction" | "starts_at" | "ends_at" | "notice_s" | "reason" | "minimum_cap"
> {
  const hasMW = request.reduceMW !== undefined;
  const hasFraction = request.reduceFraction !== undefined;
  if (hasMW === hasFraction) throw invalid("body.reduceMW", "give exactly one of reduceMW and reduceFraction");
  const reason = request.reason.trim();
  if (reason === "") throw invalid("body.reason", "must say which grid signal this is");
  const startMs = request.start === undefined ? nowMs : Math.max(nowMs, Date.parse(request.start));
  if (!Number.isFinite(startMs)) throw invalid("body.start", "not a date-time");
  if (startMs - nowMs > limits.maxLeadMs)
    throw invalid("body.start", `more than ${Math.round(limits.maxLeadMs / 86_400_000)} days ahead`);
  if (request.durationS > limits.maxDurationS) throw invalid("body.durationS", `longer than ${limits.maxDurationS} s`);
  const noticeS = request.noticeS ?? 0;
  if (noticeS > limits.maxNoticeS) throw invalid("body.noticeS", `longer than ${limits.maxNoticeS} s`);
  const endMs = startMs + request.durationS * 1000;
  for (const other of open) {
    if (other.cancelled_at !== null) continue;
    if (startMs < Date.parse(other.ends_at) && endMs > issuedAtMs(other))
      throw new AppError(
        "conflict",
        `body.start: overlaps grid event ${other.id} (${other.starts_at} to ${other.ends_at}); one event at a time`,
        { field: "body.start" },
      );
  }
  return {
    reduce_mw: request.reduceMW ?? null,
    reduce_fraction: request.reduceFraction ?? null,
    starts_at: new Date(startMs).toISOString(),
    ends_at: new Date(endMs).toISOString(),
    notice_s: noticeS,
    reason,
    minimum_cap: request.minimumCap ?? 0.3,
  };
}
