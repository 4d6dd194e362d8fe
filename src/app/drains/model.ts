/**
 * Maintenance drains as the API takes and shows them: one TypeBox schema per shape, the bounds a request must keep,
 * and the checks that name the field at fault. A drain takes a hall, row or rack out of new work (or what a CDU or
 * busway feeds: its row), for a reason, from a start (now by default) to an end (open: until resumed), with a policy
 * for work running there: `finish` lets it end, `requeue` stops and requeues it now, `deadline` lets it run until the
 * deadline and requeues what still runs then.
 */
import { type Static, Type } from "typebox";
import { AppError } from "../../core/errors.ts";
import { areaFedBy, areaId, drainTargetKind, drainTargetKinds, racksOfArea } from "../../model/feeds.ts";
import type { Site } from "../../model/site.ts";
import { StringEnum } from "../../server/schemas.ts";
import type { DrainsTable } from "../../store/schema.ts";

/** What becomes of work running on drained racks. */
export const drainPolicies = ["finish", "requeue", "deadline"] as const;
/** One drain policy. */
export type DrainPolicy = (typeof drainPolicies)[number];

/** Where a drain stands now. */
export const drainStates = ["scheduled", "active", "ended"] as const;
/** One drain state. */
export type DrainState = (typeof drainStates)[number];
/** What the drain list filters on: a state, or `open` (scheduled or active). */
export const drainListStates = [...drainStates, "open"] as const;
/** One state filter of the drain list. */
export type DrainListState = (typeof drainListStates)[number];

/** A stored drain. */
export type DrainRow = DrainsTable;

/** Bounds a drain request must keep. */
export interface DrainLimits {
  /** Longest window (start to end), and farthest deadline after the start. */
  readonly maxWindowMs: number;
  /** How far ahead a drain may be scheduled. */
  readonly maxLeadMs: number;
  /** Drains scheduled or active at once. */
  readonly maxOpen: number;
}

/** The default bounds: a 30-day window, scheduled up to a year ahead, 200 open drains. */
export const defaultDrainLimits: DrainLimits = {
  maxWindowMs: 30 * 86_400_000,
  maxLeadMs: 365 * 86_400_000,
  maxOpen: 200,
};

/** The body of `POST /v1/drains`. */
export const drainRequestSchema = Type.Object(
  {
    target: Type.String({
      minLength: 3,
      maxLength: 200,
      description: `what to drain: a ${drainTargetKinds.join(", ")} id of the site in force (row:h1-r02, cdu:h1-r02-01)`,
    }),
    reason: Type.String({ minLength: 1, maxLength: 500, description: "why, shown in the waiting reasons of jobs" }),
    startsAt: Type.Optional(Type.String({ format: "date-time", description: "start of the window (default now)" })),
    endsAt: Type.Optional(
      Type.String({ format: "date-time", description: "end of the window (default: until resumed)" }),
    ),
    policy: Type.Optional(StringEnum(drainPolicies, { description: "for running work (default finish)" })),
    deadline: Type.Optional(
      Type.String({ format: "date-time", description: "with policy deadline: when running work is requeued" }),
    ),
  },
  { additionalProperties: false },
);
/** A drain request. */
export type DrainRequest = Static<typeof drainRequestSchema>;

const nullableString = Type.Union([Type.String(), Type.Null()]);

/** A drain as the API shows it. */
export const drainViewSchema = Type.Object({
  id: Type.String(),
  target: Type.String(),
  targetKind: StringEnum(drainTargetKinds),
  /** The hall, row or rack the target feeds in the site in force (null when the site no longer has it). */
  area: nullableString,
  racks: Type.Integer({ description: "racks it drains in the site in force" }),
  reason: Type.String(),
  owner: Type.String(),
  policy: StringEnum(drainPolicies),
  deadline: nullableString,
  startsAt: Type.String(),
  endsAt: nullableString,
  state: StringEnum(drainStates),
  createdAt: Type.String(),
  resumedAt: nullableString,
  resumedBy: nullableString,
});
/** A drain view. */
export type DrainView = Static<typeof drainViewSchema>;

/** Where a stored drain stands at `nowMs`. */
export function drainStateAt(row: DrainRow, nowMs: number): DrainState {
  if (row.resumed_at !== null || (row.ends_at !== null && Date.parse(row.ends_at) <= nowMs)) return "ended";
  return Date.parse(row.starts_at) > nowMs ? "scheduled" : "active";
}

/** A stored drain as the API shows it, its area read from `site`. */
export function drainView(row: DrainRow, site: Site, nowMs: number): DrainView {
  const area = areaFedBy(site, row.target);
  return {
    id: row.id,
    target: row.target,
    targetKind: drainTargetKind(row.target) ?? "rack",
    area: area === undefined ? null : areaId(site, area),
    racks: area === undefined ? 0 : racksOfArea(site, area).length,
    reason: row.reason,
    owner: row.owner,
    policy: row.policy as DrainPolicy,
    deadline: row.deadline_at,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    state: drainStateAt(row, nowMs),
    createdAt: row.created_at,
    resumedAt: row.resumed_at,
    resumedBy: row.resumed_by,
  };
}

const invalid = (field: string, detail: string) => new AppError("invalid", `${field}: ${detail}`, { field });

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The drain a request asks for, checked against the site in force and the bounds; throws an invalid-request error
 * naming the field at fault. A start in the past means now.
 */
export function checkDrainRequest(
  request: DrainRequest,
  site: Site,
  nowMs: number,
  limits: DrainLimits,
): Omit<DrainRow, "id" | "owner" | "created_at" | "resumed_at" | "resumed_by"> {
  const target = request.target.trim();
  const kind = drainTargetKind(target);
  if (kind === undefined)
    throw invalid("body.target", `${target} is not a ${drainTargetKinds.join(", ")} id (like row:h1-r02)`);
  if (areaFedBy(site, target) === undefined) throw invalid("body.target", `no ${kind} ${target} on site ${site.id}`);
  const reason = request.reason.trim();
  if (reason === "") throw invalid("body.reason", "must say why");
  const startMs = request.startsAt === undefined ? nowMs : Math.max(nowMs, Date.parse(request.startsAt));
  if (startMs - nowMs > limits.maxLeadMs)
    throw invalid("body.startsAt", `more than ${days(limits.maxLeadMs)} days ahead`);
  let endMs: number | undefined;
  if (request.endsAt !== undefined) {
    endMs = Date.parse(request.endsAt);
    if (endMs <= startMs) throw invalid("body.endsAt", `${request.endsAt} is not after the start ${iso(startMs)}`);
    if (endMs - startMs > limits.maxWindowMs)
      throw invalid("body.endsAt", `the window is longer than ${days(limits.maxWindowMs)} days`);
  }
  const policy = request.policy ?? (request.deadline === undefined ? "finish" : "deadline");
  let deadlineMs: number | undefined;
  if (policy === "deadline") {
    if (request.deadline === undefined) throw invalid("body.deadline", "policy deadline needs a deadline");
    deadlineMs = Date.parse(request.deadline);
    if (deadlineMs < startMs) throw invalid("body.deadline", `${request.deadline} is before the start ${iso(startMs)}`);
    if (endMs !== undefined && deadlineMs > endMs)
      throw invalid("body.deadline", `${request.deadline} is after the end of the window ${iso(endMs)}`);
    if (deadlineMs - startMs > limits.maxWindowMs)
      throw invalid("body.deadline", `more than ${days(limits.maxWindowMs)} days after the start`);
  } else if (request.deadline !== undefined) {
    throw invalid("body.deadline", `only policy deadline takes a deadline (policy is ${policy})`);
  }
  return {
    target,
    reason,
    policy,
    deadline_at: deadlineMs === undefined ? null : iso(deadlineMs),
    starts_at: iso(startMs),
    ends_at: endMs === undefined ? null : iso(endMs),
  };
}

function days(ms: number): number {
  return Math.round(ms / 86_400_000);
}
