/**
 * A site change may not rename racks under running work. The jobs engine carries a run across a change by its racks'
 * ids (`carry.ts`), as Slurm knows its nodes by name: a change that renames rows (a row removed before others that
 * have no `number`) would have the platform take each run for running on whatever rack now bears its rack's old
 * id — another physical rack, perhaps of the same type, so nothing would notice. So would a row moved to another hall
 * (its racks take that hall's names) or a change of a hall's digits. Such a change is refused, naming the racks and
 * jobs and saying what to do for each kind of rename, until the names are kept (`rows[].number`, `rowDigits`) or the
 * work has left the racks.
 */
import { AppError } from "../../core/errors.ts";
import { type RenameKind, rackRenames } from "../../model/continuity.ts";
import type { Site } from "../../model/site.ts";
import type { JobRecord } from "./records.ts";

/** How many renamed racks under work the refusal names (the count says the rest). */
const namedRacks = 3;

/**
 * Throws a conflict (field `site`) when the change from `before` to `after` renames a rack on which `jobsOnRack`
 * (by rack index in `before`) lists running work.
 */
export function refuseRenamesUnderWork(
  before: Site,
  after: Site,
  jobsOnRack: (rack: number) => readonly JobRecord[],
): void {
  // The demo load's synthetic jobs are no one's work: they do not hold a change back.
  const workOn = (rack: number) => jobsOnRack(rack).filter((record) => !record.synthetic);
  const busy = rackRenames(before, after).filter((rename) => workOn(rename.rack).length > 0);
  if (busy.length === 0) return;
  const jobs = new Set<string>();
  for (const rename of busy) for (const record of workOn(rename.rack)) jobs.add(record.id);
  const named = busy.slice(0, namedRacks).map(
    (rename) =>
      `${rename.id} ${rename.becomes} (${workOn(rename.rack)
        .map((record) => record.id)
        .join(", ")})`,
  );
  const more = busy.length > namedRacks ? ` and ${busy.length - namedRacks} more` : "";
  const kinds = new Set(busy.map((rename) => rename.kind));
  const advice = renameKinds.filter((kind) => kinds.has(kind)).map((kind) => adviceFor[kind]);
  throw new AppError(
    "conflict",
    `this site change renames ${busy.length} rack${busy.length === 1 ? "" : "s"} with running work (${jobs.size} job${jobs.size === 1 ? "" : "s"}): ${named.join("; ")}${more}. Runs are kept by their racks' ids, so they would be taken for running on other racks. ${advice.join(". ")}`,
    { field: "site" },
  );
}

/** The kinds of rename, in the order a refusal advises on them. */
const renameKinds: readonly RenameKind[] = ["shifted", "moved", "digits"];

/** What to do about each kind of rename under running work. */
const adviceFor: Readonly<Record<RenameKind, string>> = {
  shifted:
    "Give the rows after a removed one their number (site file, rows[].number) so they keep their names, or let the work leave those racks (drain them, or cancel or requeue the jobs) before the change",
  moved:
    "A row moved to another hall (or to another place in its hall) takes the names of where it then stands, which nothing in the site file can keep: let the work leave it first (drain the row with policy finish to let its jobs end, or requeue to restart them elsewhere; or cancel or requeue the jobs), and once nothing runs there resume the drain and apply the change",
  digits:
    "Only the digits of the ids change (halls[].rowDigits or rows[].rackDigits): state the digits they had (site file) so they keep their names, or let the work leave those racks (drain them, or cancel or requeue the jobs) before the change",
};
