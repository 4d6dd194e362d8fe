/**
 * Alarms across a site change. Row, rack and unit ids are positions (src/model/continuity.ts): a change that removes
 * a row or changes a group's digits gives equipment other ids. An alarm about that equipment follows it: the facility
 * watch's alarms (keyed `rule|subject`, the subject a unit or a row's loop) move to the key of the new id, and alarms
 * whose key names no site id (a Redfish condition's origin, a device's staleness) take the new id as their equipment
 * and place; each stays the same alarm (id, acknowledgement, shelving), with a `renamed` event and no new notification.
 * A facility alarm whose equipment the change removes ends with a message saying so. Alarms of telemetry rules are
 * keyed by their series (its labels name the equipment as the data source sent it): they are left as they are.
 */
import { rackRenames, rowRenames, unitRenames } from "../../model/continuity.ts";
import { siteUnits } from "../../model/equipment.ts";
import type { Site } from "../../model/site.ts";
import { indexSite, type Location, type SiteIndex } from "../site-index.ts";
import type { Alarm, AlarmBook, AlarmMove } from "./book.ts";

/**
 * What a site change does to the ids of racks, rows, rows' loops and units: each renamed id to its id after, or to
 * undefined when the change removes it and its id passes to other equipment. Ids not listed keep their equipment (or
 * are gone with it when the site after does not have them).
 */
export function siteIdRenames(before: Site, after: Site): Map<string, string | undefined> {
  const renames = new Map<string, string | undefined>();
  for (const rename of rackRenames(before, after)) renames.set(rename.id, rename.to);
  for (const rename of rowRenames(before, after)) {
    const to = rename.toRow === undefined ? undefined : after.rows[rename.toRow]!;
    renames.set(rename.id, to?.id);
    renames.set(before.rows[rename.row]!.tcs.id, to?.tcs.id);
  }
  for (const rename of unitRenames(before, after)) renames.set(rename.id, rename.to);
  return renames;
}

/** What `followSiteChange` did. */
export interface SiteChangeFollowed {
  /** The keys the facility watch of the site after takes over (the keys handed over, renamed ones under their new key). */
  readonly keys: readonly string[];
  /** Alarms moved to a new key or equipment. */
  readonly renamed: number;
  /** Facility alarms ended because the change removed their equipment. */
  readonly cleared: number;
  /** Why the moves were refused, if they were (the alarms then clear and raise again, as without this). */
  readonly problem?: string;
}

/** Ids a facility watch's subject may be that a site change can rename or remove: units and rows' loops. */
function equipmentSubjects(site: Site): Set<string> {
  return new Set([...siteUnits(site).keys(), ...site.rows.map((row) => row.tcs.id)]);
}

/** Splits a facility alarm key `rule|subject`. */
function splitKey(key: string): { rule: string; subject: string } {
  const bar = key.indexOf("|");
  return { rule: key.slice(0, bar), subject: key.slice(bar + 1) };
}

/** A place with its rack and row renamed (left out when removed), naming `equipment`. */
function renamedPlace(place: Location, equipment: string, rename: (id: string) => string | undefined): Location {
  const rack = place.rack === undefined ? undefined : rename(place.rack);
  const row = place.row === undefined ? undefined : rename(place.row);
  return {
    equipment,
    ...(rack === undefined ? {} : { rack }),
    ...(row === undefined ? {} : { row }),
    ...(place.hall === undefined ? {} : { hall: place.hall }),
    ...(place.plant === undefined ? {} : { plant: place.plant }),
  };
}

/** Whether an alarm's key names no site id and its place is its equipment's (a Redfish or device alarm). */
function followsEquipment(alarm: Alarm): boolean {
  return alarm.kind !== "facility" && alarm.kind !== "platform" && alarm.series === undefined;
}

/**
 * Moves the active alarms about equipment a site change from `before` to `after` renames, and ends the facility
 * alarms of equipment it removes, before the facility watch of `after` takes over `handedOver` (the keys the watch
 * of `before` holds). Answers the keys the new watch takes over.
 */
export function followSiteChange(
  book: AlarmBook,
  before: Site,
  after: Site,
  handedOver: readonly string[],
  at: number,
): SiteChangeFollowed {
  const facility = new Set(handedOver);
  const alarms = book
    .list({ state: "active" })
    .filter((alarm) => (alarm.kind === "facility" && facility.has(alarm.key)) || followsEquipment(alarm));
  if (alarms.length === 0) return { keys: handedOver, renamed: 0, cleared: 0 };
  const renames = siteIdRenames(before, after);
  const subjectsBefore = equipmentSubjects(before);
  const subjectsAfter = equipmentSubjects(after);
  let index: SiteIndex | undefined;
  const placeOf = (alarm: Alarm, from: string, to: string): Omit<AlarmMove, "key"> => {
    index ??= indexSite(after);
    const rename = (id: string) => (renames.has(id) ? renames.get(id) : id);
    // Units the index does not place (air handlers, air-side pumps) keep their place, its ids renamed.
    const location = index.locate(to) ?? renamedPlace(alarm.location, to, rename);
    const fed = index.rowsFed(to);
    const rows = fed.length > 0 ? fed : alarm.rows.map(rename).filter((row): row is string => row !== undefined);
    return { equipment: to, location, rows, comment: `${from} is ${to} after a site change` };
  };
  const moves = new Map<string, AlarmMove>();
  const renamedKeys = new Map<string, string>();
  const ended: { key: string; message: string }[] = [];
  for (const alarm of alarms) {
    if (alarm.kind !== "facility") {
      const to = alarm.equipment === undefined ? undefined : renames.get(alarm.equipment);
      // Equipment removed: the device still reports what it reports; its alarm stays as it is.
      if (to !== undefined) moves.set(alarm.key, { key: alarm.key, ...placeOf(alarm, alarm.equipment!, to) });
      continue;
    }
    const { rule, subject } = splitKey(alarm.key);
    if (!subjectsBefore.has(subject)) continue;
    const to = renames.has(subject) ? renames.get(subject) : subjectsAfter.has(subject) ? subject : undefined;
    if (to === subject) continue;
    if (to === undefined) {
      const passes = subjectsAfter.has(subject) ? ` (its id now names other equipment)` : "";
      ended.push({ key: alarm.key, message: `${subject} was removed from the site by a site change${passes}.` });
      continue;
    }
    const key = `${rule}|${to}`;
    renamedKeys.set(alarm.key, key);
    moves.set(alarm.key, { key, ...placeOf(alarm, subject, to) });
  }
  // Removed first: a renamed alarm may take the key a removed one held (rows after a removed one renumbered).
  for (const { key, message } of ended) book.clear(key, at, message);
  const endedKeys = new Set(ended.map(({ key }) => key));
  const moved = moves.size === 0 ? { ok: true as const, value: [] } : book.rekey(moves, at);
  if (!moved.ok) {
    return {
      keys: handedOver.filter((key) => !endedKeys.has(key)),
      renamed: 0,
      cleared: ended.length,
      problem: moved.problem,
    };
  }
  return {
    keys: handedOver.filter((key) => !endedKeys.has(key)).map((key) => renamedKeys.get(key) ?? key),
    renamed: moved.value.length,
    cleared: ended.length,
  };
}
