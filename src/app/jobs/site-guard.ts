/**
 * A site change may not rename racks under running work. The jobs engine carries a run across a change by its racks'
 * ids (`carry.ts`), as Slurm knows its nodes by name: a change that renames rows (a row removed before others that
 * have no `number`) would have the platform take each run for running on whatever rack now bears its rack's old
 * id — another physical rack, perhaps of the same type, so nothing would notice. Such a change is refused, naming
 * the racks and jobs, until the rows keep their names (`rows[].number`) or the work has left them.
 */
import { AppError } from "../../core/errors.ts";
import { rackRenames } from "../../model/continuity.ts";
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
  throw new AppError(
    "conflict",
    `this site change renames ${busy.length} rack${busy.length === 1 ? "" : "s"} with running work (${jobs.size} job${jobs.size === 1 ? "" : "s"}): ${named.join("; ")}${more}. Runs are kept by their racks' ids, so they would be taken for running on other racks. Give the rows after a removed one their number (site file, rows[].number) so they keep their names, or let the work leave those racks (drain them, or cancel or requeue the jobs) before the change`,
    { field: "site" },
  );
}
