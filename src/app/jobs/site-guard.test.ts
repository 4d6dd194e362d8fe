/**
 * The refusal of a site change that renames racks under running work says what to do for the kind of rename: rows
 * after a removed one are numbered; a moved row's work must leave it (no number keeps its names); changed digits
 * are stated back.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { AppError } from "../../core/errors.ts";
import { parseSite } from "../../model/load.ts";
import type { Site } from "../../model/site.ts";
import type { JobRecord } from "./records.ts";
import { refuseRenamesUnderWork } from "./site-guard.ts";

const lab = readFileSync(new URL("../../../sites/lab.yaml", import.meta.url), "utf8");
const nvl72Row = "      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n";
const cpuRow = "      - { pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }\n";
const suiteCpuRow = "      - { pattern: cpu-row, racks: [{ type: cpu, count: 6 }] }\n";
const hallOnePower = "    plantRef: plant:lab\n    crah: { count: 2, capacityKW: 150";

/** The lab with `edit` applied to its text. */
function labWith(edit: (text: string) => string): Site {
  const result = parseSite(edit(lab), { today: "2026-11-25" });
  assert.ok(result.site, "the edited lab loads");
  return result.site;
}

/** The refusal's message when job `job_1` runs on rack `rackId` of `before`, or undefined when none is thrown. */
function refusal(before: Site, after: Site, rackId: string): string | undefined {
  const rack = before.racks.findIndex((entry) => entry.id === rackId);
  assert.ok(rack >= 0, rackId);
  // The guard reads a record's id and whether it is synthetic, nothing else.
  const work = [{ id: "job_1", synthetic: false } as JobRecord];
  try {
    refuseRenamesUnderWork(before, after, (index) => (index === rack ? work : []));
    return undefined;
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.kind, "conflict");
    return error.message;
  }
}

describe("refuseRenamesUnderWork", () => {
  const original = labWith((text) => text);

  it("lets a change through when no renamed rack has work", () => {
    const moved = labWith((text) => text.replace(cpuRow, "").replace(suiteCpuRow, suiteCpuRow + cpuRow));
    assert.equal(refusal(original, moved, "rack:h1-r01-01"), undefined);
  });

  it("advises numbering the rows after a removed one when rows shift", () => {
    const message = refusal(
      original,
      labWith((text) => text.replace(nvl72Row, "")),
      "rack:h1-r02-01",
    );
    assert.match(message!, /rack:h1-r02-01 would be rack:h1-r01-01 \(job_1\)/);
    assert.match(message!, /Give the rows after a removed one their number \(site file, rows\[\]\.number\)/);
    assert.doesNotMatch(message!, /its row moved|nothing in the site file can keep|rowDigits/);
  });

  it("advises letting the work leave a row moved to another hall, which no number can keep", () => {
    const moved = labWith((text) => text.replace(cpuRow, "").replace(suiteCpuRow, suiteCpuRow + cpuRow));
    const message = refusal(original, moved, "rack:h1-r03-05");
    assert.match(message!, /rack:h1-r03-05 would be rack:h2-r03-05 \(its row moved to hall:h2\) \(job_1\)/);
    assert.match(message!, /nothing in the site file can keep: let the work leave it first/);
    assert.doesNotMatch(message!, /rows\[\]\.number/);
  });

  it("advises stating the digits back when only they change", () => {
    const message = refusal(
      original,
      labWith((text) => text.replace(hallOnePower, `    rowDigits: 3\n${hallOnePower}`)),
      "rack:h1-r02-03",
    );
    assert.match(message!, /rack:h1-r02-03 would be rack:h1-r002-03 \(job_1\)/);
    assert.match(message!, /Only the digits of the ids change \(halls\[\]\.rowDigits or rows\[\]\.rackDigits\)/);
    assert.doesNotMatch(message!, /rows\[\]\.number/);
  });
});
