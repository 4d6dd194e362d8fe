/**
 * Which racks a site change renames. Row and rack ids are positional (`h1-r02-05`: hall h1, second row, fifth rack)
 * unless a row entry gives its `number`, so removing a row renames every row after it, and removing racks at the
 * start of a row's run renames the racks after them: an id then names another physical rack than before. Whatever
 * the platform keeps by rack id (a running job's placement, a drain) would move silently onto other racks. This
 * module reads the change as a facility engineer would: it matches the rows of each hall before and after by what
 * they hold (their racks' types in order), the longest common run first, earliest rows first, so that
 * identical rows keep their names when some are removed at the end; racks of a row changed in place are matched
 * the same way by type; rows left over are matched across the site by what they hold, a row taken from one hall and
 * added to another being that row moved. A rack whose id ends up on another physical rack, or whose physical rack
 * gets another id, is renamed, and each rename says why (`RenameKind`), which says what to do about it. Units with
 * their own ids (CDUs, busways, pumps, coolers…) follow their group's owner, first unit to first unit (`unitRenames`).
 */
import { type NamedUnitGroup, unitGroups } from "./equipment.ts";
import type { Site } from "./site.ts";

/**
 * Why a rack's id would not follow it, which says what to do about it: `shifted`, rows or racks before it in its hall
 * or row were removed or added (number the rows after a removed one); `moved`, its row went to another hall or
 * another place in its hall (its racks take new names whatever the file says: let the work leave first); `digits`,
 * only the digits of its numbers changed (`rowDigits`, `rackDigits`, `unitDigits`: state the digits the ids had).
 */
export type RenameKind = "shifted" | "moved" | "digits";

/**
 * One id of the site before a change (a rack's, a row's, a unit's) that no longer names the same equipment after it:
 * what it becomes, in words ("would be rack:h1-r01-05", "is removed, and its id would pass to rack:h1-r03-05"), its id
 * after (absent when the equipment is removed and its id passes to other equipment), and why (`kind`, for the advice
 * a refusal gives).
 */
export interface IdRename {
  readonly id: string;
  readonly becomes: string;
  readonly to?: string;
  readonly kind: RenameKind;
}

/** One rack of the site before a change whose id no longer names the same physical rack after it. */
export interface RackRename extends IdRename {
  /** The rack's index in the site before. */
  readonly rack: number;
}

/**
 * Above this many cells (rows before × rows after in a hall, once the run both sides share at its start is set
 * aside) the matching gives up on finding moves and reads ids as they are: halls of a few hundred rows stay far below
 * it, and the cap keeps a pathological change (one hall of 10,000 one-rack rows) from taking seconds and hundreds of
 * MB.
 */
const maxAlignmentCells = 4_000_000;

/**
 * Matches `before[i]` to `after[j]` with equal keys, keeping order, as many as possible (a longest common
 * subsequence), the earliest pairs first; answers for each index of `before` its partner in `after` or -1. Answers
 * undefined when the part left once the common start is set aside is larger than `maxAlignmentCells`.
 */
export function alignByKey(before: readonly string[], after: readonly string[]): Int32Array | undefined {
  const partner = new Int32Array(before.length).fill(-1);
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) {
    partner[head] = head;
    head++;
  }
  // Only the common start is set aside: setting the common end aside too would pair the latest items there.
  const n = before.length - head;
  const m = after.length - head;
  if (n === 0 || m === 0) return partner;
  if (n * m > maxAlignmentCells) return undefined;
  // lengths[i * (m + 1) + j]: the longest common subsequence of before[head + i..] and after[head + j..].
  const width = m + 1;
  const lengths = new Int32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] =
        before[head + i] === after[head + j]
          ? lengths[(i + 1) * width + j + 1]! + 1
          : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  // Walking forward takes a pair as soon as it is part of a longest match: identical rows match earliest first.
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[head + i] === after[head + j] && lengths[i * width + j] === lengths[(i + 1) * width + j + 1]! + 1) {
      partner[head + i] = head + j;
      i++;
      j++;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) i++;
    else j++;
  }
  return partner;
}

/**
 * What a rack is, for matching: its type. Not its zone, which is what the site says of it, not what it is: a change
 * that moves a zone and removes a row is read as both.
 */
function rackKey(site: Site, rack: number): string {
  const entry = site.racks[rack]!;
  return site.rackTypes[entry.typeIndex]!.id;
}

/** A row's racks' types in order: what it holds, wherever it stands. */
function rowContent(site: Site, row: number): string {
  const entry = site.rows[row]!;
  const racks: string[] = [];
  for (let rack = entry.rackStart; rack < entry.rackStart + entry.rackCount; rack++) racks.push(rackKey(site, rack));
  return racks.join(",");
}

/**
 * What a row is, for matching within its hall: its content, and its number when the file gave it (the file then says
 * which row it is: a numbered row matches only the row of that number, whatever digits write it).
 */
function rowKey(site: Site, row: number): string {
  const entry = site.rows[row]!;
  return `${entry.numbered ? unpadded(entry.id) : ""}|${rowContent(site, row)}`;
}

/** The rows of a hall, as site row indexes. */
function rowsOfHall(site: Site, hall: number): number[] {
  const entry = site.halls[hall]!;
  return Array.from({ length: entry.rowCount }, (_, offset) => entry.rowStart + offset);
}

/**
 * The racks of `before` whose ids would not follow them under the change to `after` (halls are matched by their
 * ids, which the site file gives). A rack matched to a rack of another id is renamed; a rack matched to none whose id
 * now names a rack matched to another one is gone and its id taken (a rack replaced where it stood, unmatched on
 * both sides under one id, is neither: the jobs engine treats it as changed). Identical rows or racks are read as a
 * `count` is: added or removed at the end (three alike rows become two: the third went), which is all the document
 * can say; a row other than the last of alike rows is removed by giving the rows after it their `number`. A hall
 * whose rows or a row whose racks are too many to match says nothing (see `maxAlignmentCells`).
 */
export function rackRenames(before: Site, after: Site): readonly RackRename[] {
  return readingOf(before, after).renames;
}

/**
 * The same matching as `rackRenames`, as indexes: for each rack and each row of `before`, its partner in `after` (its
 * index there) or -1, whether or not its id changed. What keeps state by physical rack (the live twin's racks and
 * loops across a site change) follows these. Read-only: they are the cached reading's own arrays.
 */
export function sitePartners(before: Site, after: Site): { readonly racks: Int32Array; readonly rows: Int32Array } {
  const reading = readingOf(before, after);
  return { racks: reading.partnerOf, rows: reading.rowPartner };
}

/** What the matching of one change found: the racks renamed, and each row's partner (or -1), with the rows moved. */
interface Reading {
  readonly before: Site;
  readonly after: Site;
  readonly renames: readonly RackRename[];
  /** Each rack before's partner after (its index there), or -1. */
  readonly partnerOf: Int32Array;
  readonly rowPartner: Int32Array;
  readonly moved: ReadonlySet<number>;
  /** The units renamed, read on first asking. */
  units?: readonly UnitRename[];
  /** The rows renamed, read on first asking. */
  rows?: readonly RowRename[];
}

/** The last change read (sites are immutable once built: the same pair gives the same answer). */
let lastReading: Reading | undefined;

/** The reading of the change from `before` to `after`, matched once however many guards ask (drains', jobs'). */
function readingOf(before: Site, after: Site): Reading {
  if (lastReading?.before !== before || lastReading.after !== after) lastReading = matchRenames(before, after);
  return lastReading;
}

/** `readingOf` itself, uncached. */
function matchRenames(before: Site, after: Site): Reading {
  // partnerOf[old rack] = new rack, or -1.
  const partnerOf = new Int32Array(before.racks.length).fill(-1);
  const rowsLeft: RowsLeft = { before: [], after: [] };
  const afterHalls = new Map(after.halls.map((hall) => [hall.id as string, hall.index]));
  const matchedHalls = new Set<number>();
  for (const hall of before.halls) {
    const afterHall = afterHalls.get(hall.id);
    if (afterHall === undefined) rowsLeft.before.push(...rowsOfHall(before, hall.index));
    else {
      matchedHalls.add(afterHall);
      matchHall(before, after, hall.index, afterHall, partnerOf, rowsLeft);
    }
  }
  for (const hall of after.halls)
    if (!matchedHalls.has(hall.index)) rowsLeft.after.push(...rowsOfHall(after, hall.index));
  const moved = matchMoves(before, after, rowsLeft, partnerOf);
  const renames = renamesOfMatching(
    partnerOf,
    (rack) => before.racks[rack]!.id,
    (rack) => after.racks[rack]!.id,
    (rack, to) => renameOf(before, after, rack, to, moved),
    (rack, holder) => ({ rack, ...passedOn(before.racks[rack]!.id, before.racks[holder]!.id) }),
  );
  return { before, after, renames, partnerOf, rowPartner: rowPartners(before, after, partnerOf), moved };
}

/**
 * Each row's partner after the change (or -1), from its racks' partners: a row is matched whole, in place or moved,
 * so its matched racks are all in one row. A row none of whose racks is matched, but whose id an unmatched row after
 * bears, is that row with its racks replaced where it stood (its units stay).
 */
function rowPartners(before: Site, after: Site, partnerOf: Int32Array): Int32Array {
  const rowPartner = new Int32Array(before.rows.length).fill(-1);
  const partnered = new Set<number>();
  for (const row of before.rows) {
    for (let rack = row.rackStart; rack < row.rackStart + row.rackCount; rack++) {
      const to = partnerOf[rack]!;
      if (to < 0) continue;
      rowPartner[row.index] = after.racks[to]!.rowIndex;
      partnered.add(rowPartner[row.index]!);
      break;
    }
  }
  const afterRowById = new Map(after.rows.map((row) => [row.id as string, row.index]));
  for (const row of before.rows) {
    const same = afterRowById.get(row.id);
    if (rowPartner[row.index] === -1 && same !== undefined && !partnered.has(same)) rowPartner[row.index] = same;
  }
  return rowPartner;
}

/** One row of the site before a change whose id no longer names the same row after it (nor its loop, `tcs:…`). */
export interface RowRename extends IdRename {
  /** The row's index in the site before. */
  readonly row: number;
  /** The row's index in the site after; absent when the row is removed. */
  readonly toRow?: number;
}

/**
 * The rows of `before` whose ids would not follow them under the change to `after`, as the racks read them (a row is
 * matched whole, in place or moved): a row matched to a row of another id is renamed, and its loop (`tcs:…`) with it;
 * a row matched to none whose id another row would bear is named too (alarms would take that row for it).
 */
export function rowRenames(before: Site, after: Site): readonly RowRename[] {
  const reading = readingOf(before, after);
  reading.rows ??= matchRows(reading);
  return reading.rows;
}

/** `rowRenames` itself, uncached. */
function matchRows({ before, after, rowPartner, moved }: Reading): readonly RowRename[] {
  return renamesOfMatching(
    rowPartner,
    (row) => before.rows[row]!.id,
    (row) => after.rows[row]!.id,
    (row, to) => {
      const id = before.rows[row]!.id;
      const newId = after.rows[to]!.id;
      const kind = moved.has(row) ? "moved" : unpadded(id) === unpadded(newId) ? "digits" : "shifted";
      return { row, id, becomes: `would be ${newId}`, to: newId, toRow: to, kind };
    },
    (row, holder) => ({ row, ...passedOn(before.rows[row]!.id, before.rows[holder]!.id) }),
  );
}

/**
 * The renames a matching gives (`partner[i]`: the index after of item `i` before, or -1): an item matched to one of
 * another id is renamed (`renamed`), and one matched to none whose id an item matched to another will bear is removed,
 * its id passing on (`removed`, with that other item's index before).
 */
function renamesOfMatching<T>(
  partner: Int32Array,
  idBefore: (index: number) => string,
  idAfter: (index: number) => string,
  renamed: (index: number, to: number) => T,
  removed: (index: number, holder: number) => T,
): T[] {
  const heldBy = new Map<string, number>();
  partner.forEach((to, index) => {
    if (to >= 0) heldBy.set(idAfter(to), index);
  });
  const renames: T[] = [];
  partner.forEach((to, index) => {
    if (to >= 0) {
      if (idAfter(to) !== idBefore(index)) renames.push(renamed(index, to));
      return;
    }
    const holder = heldBy.get(idBefore(index));
    if (holder !== undefined) renames.push(removed(index, holder));
  });
  return renames;
}

/** The rename of equipment removed whose id `holder`'s equipment will bear. */
function passedOn(id: string, holder: string): IdRename {
  return { id, becomes: `is removed, and its id would pass to ${holder}`, kind: "shifted" };
}

/** One unit of the site before a change (a CDU, busway, pump…) whose id no longer names the same unit after it. */
export type UnitRename = IdRename;

/**
 * The units of `before` whose ids would not follow them under the change to `after`. A group of units (a row's CDUs,
 * a plant's dry coolers) is the group of its owner: a plant or a hall of the same id, a row as the racks read it
 * (matched whole, in place or moved). Its units are alike and read as a `count` is: the first unit before is the
 * first after, units are added or removed at the end, so a group growing from 99 to 100 units adds one. A unit
 * matched to one of another id is renamed: `digits` when only the digits of its numbers change (`unitDigits`, or its
 * row's `rowDigits`), `moved` with its row, `shifted` with a row whose id changed; a group whose scheme changed (a 2N
 * pair of busways, sides `a`/`b`, becoming numbered) is read as its units replaced. A unit removed whose id another
 * unit would bear is named too (drains, alarms and history would take that unit for it).
 */
export function unitRenames(before: Site, after: Site): readonly UnitRename[] {
  const reading = readingOf(before, after);
  reading.units ??= matchUnits(reading);
  return reading.units;
}

/** `unitRenames` itself, uncached. */
function matchUnits({ before, after, rowPartner, moved }: Reading): readonly UnitRename[] {
  const ownerId = (site: Site, group: NamedUnitGroup): string =>
    group.level === "plant"
      ? site.plants[group.index]!.id
      : group.level === "hall"
        ? site.halls[group.index]!.id
        : site.rows[group.index]!.id;
  const afterRowGroups = new Map<string, NamedUnitGroup>();
  const afterOwnedGroups = new Map<string, NamedUnitGroup>();
  for (const group of unitGroups(after)) {
    if (group.level === "row") afterRowGroups.set(`${group.index}|${group.field}`, group);
    else afterOwnedGroups.set(`${ownerId(after, group)}|${group.field}`, group);
  }
  const partnerOfGroup = (group: NamedUnitGroup): NamedUnitGroup | undefined =>
    group.level === "row"
      ? afterRowGroups.get(`${rowPartner[group.index]}|${group.field}`)
      : afterOwnedGroups.get(`${ownerId(before, group)}|${group.field}`);

  const renames: UnitRename[] = [];
  // Which unit before each id after was matched to, and the units before matched to none.
  const heldBy = new Map<string, string>();
  const unmatched: string[] = [];
  for (const group of unitGroups(before)) {
    const partner = partnerOfGroup(group);
    const matched = partner === undefined ? 0 : Math.min(group.ids.length, partner.ids.length);
    unmatched.push(...group.ids.slice(matched));
    for (let position = 0; position < matched; position++) {
      const id = group.ids[position]!;
      const newId = partner!.ids[position]!;
      heldBy.set(newId, id);
      if (newId === id) continue;
      const kind: RenameKind | undefined =
        group.level === "row" && moved.has(group.index)
          ? "moved"
          : unpadded(id) === unpadded(newId)
            ? "digits"
            : group.level === "row" && before.rows[group.index]!.id !== after.rows[partner!.index]!.id
              ? "shifted"
              : undefined;
      if (kind !== undefined) renames.push({ id, becomes: `would be ${newId}`, to: newId, kind });
    }
  }
  for (const id of unmatched) {
    const holder = heldBy.get(id);
    if (holder !== undefined && holder !== id) {
      renames.push(passedOn(id, holder));
    }
  }
  return renames;
}

/** Rows of each side left unmatched within their hall (site row indexes, in site order): candidates for moves. */
interface RowsLeft {
  readonly before: number[];
  readonly after: number[];
}

/** The rename of a rack matched to a rack of another id, with its kind (`moved`: the rows that moved, before). */
function renameOf(before: Site, after: Site, rack: number, to: number, moved: ReadonlySet<number>): RackRename {
  const id = before.racks[rack]!.id;
  const newId = after.racks[to]!.id;
  const fromHall = before.halls[before.racks[rack]!.hallIndex]!.id;
  const toHall = after.halls[after.racks[to]!.hallIndex]!.id;
  if (fromHall !== toHall) {
    return { rack, id, becomes: `would be ${newId} (its row moved to ${toHall})`, to: newId, kind: "moved" };
  }
  if (moved.has(before.racks[rack]!.rowIndex)) {
    return { rack, id, becomes: `would be ${newId} (its row moved within ${toHall})`, to: newId, kind: "moved" };
  }
  const kind = unpadded(id) === unpadded(newId) ? "digits" : "shifted";
  return { rack, id, becomes: `would be ${newId}`, to: newId, kind };
}

/** An id with the leading zeros of its numbers dropped: ids differing only in digits read the same (`h1-r005` → `h1-r5`). */
function unpadded(id: string): string {
  return id.replace(/\d+/g, (digits) => String(Number(digits)));
}

/**
 * Matches rows left unmatched in their halls with rows of the same content left unmatched anywhere in the site after,
 * earliest first: a row removed from one hall's list and added to another's (or to another place in its hall, past
 * rows that stay) is the same row, moved, and its racks take the names of where it now stands. Answers the rows
 * (before) so matched.
 */
function matchMoves(before: Site, after: Site, rowsLeft: RowsLeft, partnerOf: Int32Array): Set<number> {
  const moved = new Set<number>();
  const waiting = new Map<string, number[]>();
  // Site order on both sides: the earliest row left before goes where the earliest alike row left after stands.
  for (const row of [...rowsLeft.after].sort((a, b) => a - b)) {
    const key = rowContent(after, row);
    const queue = waiting.get(key);
    if (queue === undefined) waiting.set(key, [row]);
    else queue.push(row);
  }
  for (const row of [...rowsLeft.before].sort((a, b) => a - b)) {
    const queue = waiting.get(rowContent(before, row));
    const to = queue?.shift();
    if (to === undefined) continue;
    const from = before.rows[row]!;
    const target = after.rows[to]!;
    moved.add(row);
    for (let offset = 0; offset < from.rackCount; offset++) {
      partnerOf[from.rackStart + offset] = target.rackStart + offset;
    }
  }
  return moved;
}

/**
 * Matches the racks of one hall before and after into `partnerOf`: rows as wholes, then racks of rows changed in
 * place; the rows it leaves unmatched go to `rowsLeft` (none when the hall has too many rows to match).
 */
function matchHall(
  before: Site,
  after: Site,
  hallBefore: number,
  hallAfter: number,
  partnerOf: Int32Array,
  rowsLeft: RowsLeft,
): void {
  const rowsBefore = rowsOfHall(before, hallBefore);
  const rowsAfter = rowsOfHall(after, hallAfter);
  const rowPartner = alignByKey(
    rowsBefore.map((row) => rowKey(before, row)),
    rowsAfter.map((row) => rowKey(after, row)),
  );
  if (rowPartner === undefined) return;
  const matchedAfter = new Set<number>();
  for (const to of rowPartner) if (to >= 0) matchedAfter.add(to);
  const unmatchedAfterById = new Map<string, number>();
  rowsAfter.forEach((row, index) => {
    if (!matchedAfter.has(index)) unmatchedAfterById.set(unpadded(after.rows[row]!.id), index);
  });
  const usedAfter = new Set(matchedAfter);
  rowsBefore.forEach((row, index) => {
    // A row matched as a whole, or changed in place (unmatched on both sides under one number, and sharing racks of
    // a type): its racks are matched by type within it. A row matched to none may have moved (matchMoves).
    const whole = rowPartner[index]! >= 0;
    const target = whole ? rowPartner[index]! : unmatchedAfterById.get(unpadded(before.rows[row]!.id));
    if (target === undefined) {
      rowsLeft.before.push(row);
      return;
    }
    const from = before.rows[row]!;
    const to = after.rows[rowsAfter[target]!]!;
    const rackPartner = alignByKey(
      Array.from({ length: from.rackCount }, (_, offset) => rackKey(before, from.rackStart + offset)),
      Array.from({ length: to.rackCount }, (_, offset) => rackKey(after, to.rackStart + offset)),
    );
    if (rackPartner === undefined) return;
    if (!whole && !rackPartner.some((partner) => partner >= 0)) {
      // Nothing in common: not the same row changed, but one gone and another come (perhaps each moved).
      rowsLeft.before.push(row);
      return;
    }
    usedAfter.add(target);
    rackPartner.forEach((partner, offset) => {
      if (partner >= 0) partnerOf[from.rackStart + offset] = to.rackStart + partner;
    });
  });
  rowsAfter.forEach((row, index) => {
    if (!usedAfter.has(index)) rowsLeft.after.push(row);
  });
}
