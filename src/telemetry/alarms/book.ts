/**
 * The alarm book: active alarms, their acknowledgement and shelving, and the events that changed them.
 *
 * One active alarm per condition key (a rule and a series, or a Redfish condition and its origin): a condition that
 * keeps firing updates that alarm (deduplication) instead of raising new ones, a higher severity escalates it (and
 * asks for a fresh acknowledgement, as ISA-18.2 does), and clearing ends it. Acknowledging and shelving record who
 * did it; shelving has an expiry after which the alarm comes back. Every change is an event, kept for history and
 * handed to listeners (persistence, notifications, the console's live stream).
 */
import { randomUUID } from "node:crypto";
import type { Location, SiteIndex } from "../site-index.ts";
import { compareSeverity, failure, type Result, type Severity, success } from "../types.ts";

/**
 * What raised an alarm: a telemetry rule, a Redfish event, the facility watch over the live twin, or the platform's
 * watch over itself (its admins' API keys expiring).
 */
export const alarmKinds = [
  "threshold",
  "rate",
  "stale",
  "state",
  "capacity",
  "redfish",
  "facility",
  "platform",
] as const;
/** One of `alarmKinds`. */
export type AlarmKind = (typeof alarmKinds)[number];

/** A job running on racks an alarm affects. */
export interface AffectedJob {
  readonly id: string;
  readonly name: string;
  readonly tenantId: string;
}

/** Who and what an alarm touches: the platform fills it from the site model and the scheduler's placements. */
export interface AlarmImpact {
  readonly halls: readonly string[];
  readonly rows: readonly string[];
  /** Racks fed by (or holding) the equipment. */
  readonly rackCount: number;
  /** The first of them (at most 50), for links. */
  readonly racks: readonly string[];
  /** Running jobs on those racks (at most 50 listed; `jobCount` has them all). */
  readonly jobs: readonly AffectedJob[];
  readonly jobCount: number;
  readonly tenants: readonly { readonly id: string; readonly name: string }[];
  /** One sentence in plain words: what happened, where, and whom it touches. */
  readonly summary: string;
}

/** Works out an alarm's impact when it is raised, escalated or refreshed. */
export type ImpactResolver = (alarm: Alarm) => AlarmImpact | undefined;

/** A user's action on an alarm. */
export interface UserAction {
  readonly by: string;
  readonly at: number;
  readonly comment?: string;
}

/** A shelving: the alarm is hidden from notifications until `until`. */
export interface Shelving extends UserAction {
  readonly until: number;
}

/** An alarm as the console and the API show it. */
export interface Alarm {
  readonly id: string;
  /** Condition key used for deduplication. */
  readonly key: string;
  /** The rule id, or `redfish` for equipment events. */
  readonly source: string;
  readonly kind: AlarmKind;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  /** The equipment the alarm is about (a site id when the binding knows it). */
  readonly equipment?: string;
  readonly location: Location;
  /** Rows fed by (or holding) the equipment: where the affected tenants are. */
  readonly rows: readonly string[];
  /** The series that raised it, for data rules. */
  readonly series?: string;
  readonly value?: number;
  readonly state: "active" | "cleared";
  readonly raisedAt: number;
  readonly updatedAt: number;
  readonly clearedAt?: number;
  /** How many times the condition was reported while active (deduplicated). */
  readonly occurrences: number;
  readonly acknowledged?: UserAction;
  readonly shelved?: Shelving;
  /** Racks, jobs and tenants touched, when the platform knows them. */
  readonly impact?: AlarmImpact;
}

/** What a rule or an event source reports. */
export interface AlarmReport {
  readonly key: string;
  readonly source: string;
  readonly kind: AlarmKind;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly equipment?: string;
  /** Where it is, when the caller knows better than the equipment id (a series' location). */
  readonly location?: Location;
  readonly series?: string;
  readonly value?: number;
  readonly at: number;
}

/**
 * Kinds of change. `renamed`: the equipment the alarm is about took another id (a site change renumbered its row or
 * its units); the alarm keeps its id, acknowledgement and shelving under its new key.
 */
export const alarmEventTypes = [
  "raised",
  "escalated",
  "deescalated",
  "cleared",
  "acknowledged",
  "shelved",
  "unshelved",
  "renamed",
] as const;
/** One of `alarmEventTypes`. */
export type AlarmEventType = (typeof alarmEventTypes)[number];

/** One change, with the alarm as it stands after it. */
export interface AlarmEvent {
  readonly type: AlarmEventType;
  readonly at: number;
  readonly alarm: Alarm;
  readonly user?: string;
  readonly comment?: string;
}

/** Where an active alarm goes when its equipment takes another id: its new key and place (rows it feeds included). */
export interface AlarmMove {
  /** The new condition key (the same when the key does not name the equipment, as a Redfish origin's). */
  readonly key: string;
  readonly equipment?: string;
  readonly location: Location;
  readonly rows: readonly string[];
  /** Why, for the `renamed` event ("cdu:h1-r02-01 is cdu:h1-r01-01 after a site change"). */
  readonly comment?: string;
}

/** Filters for listing alarms. */
export interface AlarmFilter {
  readonly state?: "active" | "cleared" | "all";
  readonly minimumSeverity?: Severity;
  readonly equipment?: string;
  readonly row?: string;
  readonly hall?: string;
  /** Include shelved alarms (default true). */
  readonly shelved?: boolean;
}

/** Options of a book. */
export interface AlarmBookOptions {
  readonly site?: SiteIndex;
  /** Longest shelving allowed (default 24 h): a forgotten shelf must not hide a fault for good. */
  readonly maxShelveMs?: number;
  /** Cleared alarms kept in memory for listing (history beyond that is in DuckDB). */
  readonly clearedKept?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Whether a move puts an alarm under another key, equipment, place or rows. */
function changesPlace(alarm: Alarm, move: AlarmMove): boolean {
  const fields = ["equipment", "rack", "row", "hall", "plant"] as const;
  return (
    alarm.key !== move.key ||
    alarm.equipment !== move.equipment ||
    fields.some((field) => alarm.location[field] !== move.location[field]) ||
    alarm.rows.join("\n") !== move.rows.join("\n")
  );
}

/** The set of alarms and the rules for changing them. */
export class AlarmBook {
  readonly #active = new Map<string, Mutable<Alarm>>();
  readonly #byId = new Map<string, Mutable<Alarm>>();
  readonly #cleared: Alarm[] = [];
  readonly #listeners = new Set<(event: AlarmEvent) => void>();
  #site: SiteIndex | undefined;
  readonly #maxShelveMs: number;
  readonly #clearedKept: number;
  #impactOf: ImpactResolver | undefined;

  constructor(options: AlarmBookOptions = {}) {
    this.#site = options.site;
    this.#maxShelveMs = options.maxShelveMs ?? 24 * 3_600_000;
    this.#clearedKept = options.clearedKept ?? 1000;
  }

  /**
   * Sets how alarms learn their impact (racks, jobs, tenants). Active alarms are resolved at once; later ones when
   * raised or escalated, and on `refreshImpacts` (jobs move).
   */
  setImpactResolver(resolver: ImpactResolver | undefined): void {
    this.#impactOf = resolver;
    this.refreshImpacts();
  }

  /** Works out again the impact of every active alarm (the placements changed). */
  refreshImpacts(): void {
    for (const alarm of this.#active.values()) this.#resolveImpact(alarm);
  }

  #resolveImpact(alarm: Mutable<Alarm>): void {
    if (this.#impactOf === undefined) return;
    const impact = this.#impactOf({ ...alarm });
    if (impact === undefined) delete alarm.impact;
    else alarm.impact = impact;
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  onEvent(listener: (event: AlarmEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(type: AlarmEventType, alarm: Alarm, at: number, user?: string, comment?: string): void {
    const event: AlarmEvent = {
      type,
      at,
      alarm: { ...alarm },
      ...(user === undefined ? {} : { user }),
      ...(comment === undefined ? {} : { comment }),
    };
    for (const listener of this.#listeners) listener(event);
  }

  /** Reports a condition: raises, escalates, de-escalates or just counts a repeat of the active alarm. */
  raise(report: AlarmReport): void {
    const existing = this.#active.get(report.key);
    if (existing === undefined) {
      const location =
        report.location ?? (report.equipment === undefined ? undefined : this.#site?.locate(report.equipment));
      const equipment = report.equipment ?? location?.equipment;
      const alarm: Mutable<Alarm> = {
        id: randomUUID(),
        key: report.key,
        source: report.source,
        kind: report.kind,
        severity: report.severity,
        title: report.title,
        message: report.message,
        location: location ?? {},
        rows: equipment === undefined ? [] : [...(this.#site?.rowsFed(equipment) ?? [])],
        state: "active",
        raisedAt: report.at,
        updatedAt: report.at,
        occurrences: 1,
      };
      if (equipment !== undefined) alarm.equipment = equipment;
      if (alarm.rows.length === 0 && location?.row !== undefined) alarm.rows = [location.row];
      if (report.series !== undefined) alarm.series = report.series;
      if (report.value !== undefined) alarm.value = report.value;
      this.#resolveImpact(alarm);
      this.#active.set(report.key, alarm);
      this.#byId.set(alarm.id, alarm);
      this.#emit("raised", alarm, report.at);
      return;
    }
    existing.occurrences++;
    existing.updatedAt = report.at;
    if (report.value !== undefined) existing.value = report.value;
    // The message follows the condition (a loop's spare capacity now), without an event: nothing changed state.
    existing.message = report.message;
    const order = compareSeverity(report.severity, existing.severity);
    if (order === 0) return;
    existing.severity = report.severity;
    existing.title = report.title;
    this.#resolveImpact(existing);
    if (order > 0) delete existing.acknowledged;
    this.#emit(order > 0 ? "escalated" : "deescalated", existing, report.at);
  }

  /** Ends the active alarm of a condition, if any. */
  clear(key: string, at: number, message?: string): void {
    const alarm = this.#active.get(key);
    if (alarm === undefined) return;
    this.#active.delete(key);
    alarm.state = "cleared";
    alarm.clearedAt = at;
    alarm.updatedAt = at;
    if (message !== undefined) alarm.message = message;
    this.#cleared.push(alarm);
    if (this.#cleared.length > this.#clearedKept) this.#byId.delete(this.#cleared.shift()!.id);
    this.#emit("cleared", alarm, at);
  }

  /**
   * Moves active alarms to new keys and places, all at once (a site change renumbering rows moves `…|cdu:h1-r02-01`
   * onto the key `…|cdu:h1-r01-01` another alarm held until then): each keeps its id, acknowledgement, shelving,
   * `raisedAt` and occurrences, its impact is worked out again, and one `renamed` event says so (not `raised`: no
   * new notification). Refuses the whole batch, changing nothing, when a key is not active or two alarms would end
   * up under one key. Answers the alarms moved (a move to where the alarm already is changes nothing).
   */
  rekey(moves: ReadonlyMap<string, AlarmMove>, at: number): Result<Alarm[]> {
    for (const [from, move] of moves) {
      if (!this.#active.has(from)) return failure(`no active alarm under key ${JSON.stringify(from)}`);
      const holder = this.#active.get(move.key);
      if (holder !== undefined && !moves.has(move.key)) {
        return failure(`key ${JSON.stringify(move.key)} is held by active alarm ${holder.id}`);
      }
    }
    const keys = new Set([...moves.values()].map((move) => move.key));
    if (keys.size < moves.size) return failure("two alarms would be moved to one key");
    const moving = [...moves].map(([from, move]) => ({ alarm: this.#active.get(from)!, move }));
    for (const [from] of moves) this.#active.delete(from);
    const moved: Alarm[] = [];
    for (const { alarm, move } of moving) {
      this.#active.set(move.key, alarm);
      if (!changesPlace(alarm, move)) continue;
      alarm.key = move.key;
      if (move.equipment === undefined) delete alarm.equipment;
      else alarm.equipment = move.equipment;
      alarm.location = { ...move.location };
      alarm.rows = [...move.rows];
      alarm.updatedAt = at;
      this.#resolveImpact(alarm);
      this.#emit("renamed", alarm, at, undefined, move.comment);
      moved.push({ ...alarm });
    }
    return success(moved);
  }

  /**
   * The site that places the alarms raised from now on (their rows and place from their equipment's id): the one in
   * force after a site change, so an alarm on a renamed or new unit is placed where it now is.
   */
  placeOn(site: SiteIndex | undefined): void {
    this.#site = site;
  }

  /** Ends every active alarm whose key starts with `prefix` (a Redfish resource removed, say). */
  clearPrefix(prefix: string, at: number): void {
    for (const key of [...this.#active.keys()]) if (key.startsWith(prefix)) this.clear(key, at);
  }

  /** The active alarm of a condition, if any (one restored from the store included). */
  activeAlarm(key: string): Alarm | undefined {
    return this.#active.get(key);
  }

  /** Keys of active alarms whose key starts with `prefix`. */
  activeKeys(prefix: string): string[] {
    return [...this.#active.keys()].filter((key) => key.startsWith(prefix));
  }

  #find(id: string): Result<Mutable<Alarm>> {
    const alarm = this.#byId.get(id);
    if (alarm === undefined) return failure(`no alarm ${JSON.stringify(id)}`);
    if (alarm.state !== "active") return failure(`alarm ${id} is already cleared`);
    return success(alarm);
  }

  /** Acknowledges an active alarm for a user. */
  acknowledge(id: string, user: string, at: number, comment?: string): Result<Alarm> {
    const found = this.#find(id);
    if (!found.ok) return found;
    const alarm = found.value;
    if (alarm.acknowledged !== undefined) {
      return failure(`alarm ${id} was already acknowledged by ${alarm.acknowledged.by}`);
    }
    alarm.acknowledged = { by: user, at, ...(comment === undefined ? {} : { comment }) };
    this.#emit("acknowledged", alarm, at, user, comment);
    return success({ ...alarm });
  }

  /** Shelves an active alarm until a time (at most the configured maximum ahead). */
  shelve(id: string, user: string, until: number, at: number, comment?: string): Result<Alarm> {
    const found = this.#find(id);
    if (!found.ok) return found;
    if (!(until > at)) return failure("the shelving must end in the future");
    if (until - at > this.#maxShelveMs) {
      return failure(`shelving is limited to ${Math.round(this.#maxShelveMs / 60_000)} minutes`);
    }
    const alarm = found.value;
    alarm.shelved = { by: user, at, until, ...(comment === undefined ? {} : { comment }) };
    this.#emit("shelved", alarm, at, user, comment);
    return success({ ...alarm });
  }

  /** Puts a shelved alarm back. */
  unshelve(id: string, user: string, at: number): Result<Alarm> {
    const found = this.#find(id);
    if (!found.ok) return found;
    const alarm = found.value;
    if (alarm.shelved === undefined) return failure(`alarm ${id} is not shelved`);
    delete alarm.shelved;
    this.#emit("unshelved", alarm, at, user);
    return success({ ...alarm });
  }

  /** Ends shelvings that have expired. */
  expireShelvings(now: number): void {
    for (const alarm of this.#active.values()) {
      if (alarm.shelved !== undefined && alarm.shelved.until <= now) {
        delete alarm.shelved;
        this.#emit("unshelved", alarm, now, "system", "shelving expired");
      }
    }
  }

  /** One alarm by id (active, or among the recently cleared). */
  get(id: string): Alarm | undefined {
    const alarm = this.#byId.get(id);
    return alarm === undefined ? undefined : { ...alarm };
  }

  /** Alarms matching a filter, most severe first, then newest first. */
  list(filter: AlarmFilter = {}): Alarm[] {
    const state = filter.state ?? "active";
    const pool: Alarm[] = [];
    if (state !== "cleared") pool.push(...this.#active.values());
    if (state !== "active") pool.push(...this.#cleared);
    return pool
      .filter(
        (alarm) =>
          (filter.minimumSeverity === undefined || compareSeverity(alarm.severity, filter.minimumSeverity) >= 0) &&
          (filter.equipment === undefined || alarm.equipment === filter.equipment) &&
          (filter.row === undefined || alarm.rows.includes(filter.row) || alarm.location.row === filter.row) &&
          (filter.hall === undefined || alarm.location.hall === filter.hall) &&
          (filter.shelved !== false || alarm.shelved === undefined),
      )
      .sort((a, b) => compareSeverity(b.severity, a.severity) || b.raisedAt - a.raisedAt)
      .map((alarm) => ({ ...alarm }));
  }

  /** Number of active alarms per severity. */
  activeCounts(): Record<Severity, number> {
    const counts: Record<Severity, number> = { info: 0, warning: 0, critical: 0 };
    for (const alarm of this.#active.values()) counts[alarm.severity]++;
    return counts;
  }

  /** Puts back an active alarm read from the event log at start (no event is emitted). */
  restore(alarm: Alarm): void {
    if (alarm.state !== "active" || this.#active.has(alarm.key)) return;
    const copy: Mutable<Alarm> = { ...alarm };
    this.#active.set(copy.key, copy);
    this.#byId.set(copy.id, copy);
  }
}
