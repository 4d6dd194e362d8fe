import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { alignByKey, rackRenames, rowRenames, unitRenames } from "./continuity.ts";
import { parseSite } from "./load.ts";
import type { Site } from "./site.ts";

const lab = readFileSync(new URL("../../sites/lab.yaml", import.meta.url), "utf8");
const nvl72Row = "      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n";
const hgxRow = "      - { pattern: gpu-row, racks: [{ type: hgx, count: 8 }], busways: { ratingKW: 400 } }\n";
const cpuRow = "      - { pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }\n";
const suiteCpuRow = "      - { pattern: cpu-row, racks: [{ type: cpu, count: 6 }] }\n";

/** The lab with `edit` applied to its text; fails the test when it does not validate. */
function labWith(edit: (text: string) => string): Site {
  const result = parseSite(edit(lab), { today: "2026-11-25" });
  assert.ok(result.site, JSON.stringify(result.diagnostics.filter((item) => item.severity === "error")));
  return result.site;
}

/** The renames as `old id: what happens` lines. */
function renamesOf(before: Site, after: Site): string[] {
  return rackRenames(before, after).map((rename) => `${rename.id} ${rename.becomes}`);
}

/** How many renames of each kind. */
function kindsOf(before: Site, after: Site): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const rename of rackRenames(before, after)) kinds[rename.kind] = (kinds[rename.kind] ?? 0) + 1;
  return kinds;
}

describe("alignByKey", () => {
  it("matches the longest common run, earliest first, and keeps order", () => {
    assert.deepEqual([...alignByKey(["a", "a", "a"], ["a", "a"])!], [0, 1, -1]);
    assert.deepEqual([...alignByKey(["a", "b", "c"], ["b", "c"])!], [-1, 0, 1]);
    assert.deepEqual([...alignByKey(["a", "b", "c", "d"], ["a", "x", "c", "d"])!], [0, -1, 2, 3]);
    assert.deepEqual([...alignByKey(["a", "b", "a", "b"], ["b", "a"])!], [-1, 0, 1, -1]);
    assert.deepEqual([...alignByKey([], ["a"])!], []);
    assert.deepEqual([...alignByKey(["b", "a", "a"], ["a"])!], [-1, 0, -1]);
  });

  it("gives up past its bound rather than filling hundreds of MB", () => {
    const many = Array.from({ length: 3_000 }, (_, index) => `k${index}`);
    assert.equal(alignByKey(many, [...many].reverse()), undefined);
    // The common start is set aside first: a long hall changed past its middle is matched whatever its size.
    const changed = [...many.slice(0, 1_500), "new", ...many.slice(1_501)];
    const partner = alignByKey(many, changed)!;
    assert.equal(partner[1_500], -1);
    assert.equal(partner[2_999], 2_999);
  });
});

describe("rackRenames", () => {
  const original = labWith((text) => text);

  it("finds nothing in a change that keeps every id on its rack", () => {
    assert.deepEqual(renamesOf(original, original), []);
    // The last row removed, or racks added at a row's end: no id moves.
    assert.deepEqual(
      renamesOf(
        original,
        labWith((text) => text.replace(cpuRow, "")),
      ),
      [],
    );
    assert.deepEqual(
      renamesOf(
        original,
        labWith((text) => text.replace("hgx, count: 8", "hgx, count: 10")),
      ),
      [],
    );
    // A row given its number when the row before it goes keeps its name.
    const numbered = labWith((text) =>
      text.replace(nvl72Row, "").replace(hgxRow, hgxRow.replace("{ pattern", "{ number: 2, pattern")),
    );
    assert.deepEqual(renamesOf(original, numbered), []);
  });

  it("matches a change once, however many guards ask", () => {
    const after = labWith((text) => text.replace(nvl72Row, ""));
    const first = rackRenames(original, after);
    assert.equal(rackRenames(original, after), first, "the same answer, not a second matching");
    assert.notEqual(rackRenames(original, original), first);
    assert.deepEqual(rackRenames(original, after), first);
  });

  it("names every rack of the rows after a removed one, and the removed racks whose ids pass on", () => {
    const renames = renamesOf(
      original,
      labWith((text) => text.replace(nvl72Row, "")),
    );
    assert.ok(renames.includes("rack:h1-r02-01 would be rack:h1-r01-01"), renames.join("\n"));
    assert.ok(renames.includes("rack:h1-r03-12 would be rack:h1-r02-12"));
    assert.ok(renames.includes("rack:h1-r01-01 is removed, and its id would pass to rack:h1-r02-01"));
    // Hall 2 is untouched.
    assert.ok(!renames.some((line) => line.startsWith("rack:h2-")));
    assert.equal(renames.length, 8 + 12 + 4);
  });

  it("reads alike rows as a count is read, and follows the numbers that say which row went", () => {
    // Hall 1 with three H200 rows; one goes: read as the last (a count of 3 becoming 2), nothing renamed.
    const three = (text: string) => text.replace(nvl72Row, hgxRow).replace(cpuRow, hgxRow);
    const before = labWith(three);
    assert.deepEqual(
      renamesOf(
        before,
        labWith((text) => three(text).replace(hgxRow, "")),
      ),
      [],
    );
    // The first one went, the others keeping their numbers: nothing renamed, and the first row's racks are gone.
    const numbered = labWith((text) =>
      three(text).replace(hgxRow, "").replace(hgxRow, hgxRow.replace("{ pattern", "{ number: 2, pattern")),
    );
    assert.deepEqual(renamesOf(before, numbered), []);
    assert.equal(numbered.racks.filter((rack) => rack.id.startsWith("rack:h1-r01-")).length, 0);
  });

  it("follows racks within a row changed in place", () => {
    // Hall 1's CPU row gets two racks at its start of another type: its twelve CPU racks move two places on.
    const before = original;
    const after = labWith((text) =>
      text.replace("[{ type: cpu, count: 12 }]", "[{ type: hgx, count: 2 }, { type: cpu, count: 12 }]"),
    );
    const renames = renamesOf(before, after);
    assert.ok(renames.includes("rack:h1-r03-01 would be rack:h1-r03-03"), renames.join("\n"));
    assert.equal(renames.length, 12);
    // A rack replaced where it stood by another type is changed, not renamed (the jobs engine displaces its work).
    const replaced = labWith((text) => text.replace("[{ type: nvl72, count: 4 }]", "[{ type: hgx, count: 4 }]"));
    assert.deepEqual(renamesOf(original, replaced), []);
  });

  it("reads a row taken from one hall's list and added to another's as moved, its racks renamed", () => {
    // Hall 1's CPU row (its last) goes to the end of the health suite: no other id changes, its twelve racks'.
    const moved = labWith((text) => text.replace(cpuRow, "").replace(suiteCpuRow, suiteCpuRow + cpuRow));
    const renames = renamesOf(original, moved);
    assert.equal(renames.length, 12, renames.join("\n"));
    assert.equal(renames[0], "rack:h1-r03-01 would be rack:h2-r03-01 (its row moved to hall:h2)");
    assert.equal(renames[11], "rack:h1-r03-12 would be rack:h2-r03-12 (its row moved to hall:h2)");
    assert.deepEqual(kindsOf(original, moved), { moved: 12 });
    // Put first in the suite, it also shifts the suite's rows: those are renamed as rows after an added one are.
    const first = labWith((text) =>
      text.replace(cpuRow, "").replace("      - { pattern: gpu-row, racks: [{ type: hgx, count: 6 }]", `${cpuRow}$&`),
    );
    const shifted = renamesOf(original, first);
    assert.ok(
      shifted.includes("rack:h1-r03-01 would be rack:h2-r01-01 (its row moved to hall:h2)"),
      shifted.join("\n"),
    );
    assert.ok(shifted.includes("rack:h2-r01-06 would be rack:h2-r02-06"));
    assert.deepEqual(kindsOf(original, first), { moved: 12, shifted: 12 });
  });

  it("reads a row put elsewhere in its own hall as moved, the rows it passes as shifted", () => {
    // The GB300 row goes from first to last: the two rows after it move up one, it takes the name h1-r03.
    const last = labWith((text) => text.replace(nvl72Row, "").replace(cpuRow, cpuRow + nvl72Row));
    const renames = renamesOf(original, last);
    assert.ok(
      renames.includes("rack:h1-r01-04 would be rack:h1-r03-04 (its row moved within hall:h1)"),
      renames.join("\n"),
    );
    assert.ok(renames.includes("rack:h1-r02-01 would be rack:h1-r01-01"));
    assert.deepEqual(kindsOf(original, last), { moved: 4, shifted: 8 + 12 });
  });

  it("reads a hall given another id as its rows moved to it", () => {
    const renamed = labWith((text) => text.replace("id: hall:h2", "id: hall:h3"));
    assert.deepEqual(kindsOf(original, renamed), { moved: 12 });
    assert.ok(
      renamesOf(original, renamed).includes("rack:h2-r02-06 would be rack:h3-r02-06 (its row moved to hall:h3)"),
    );
  });

  it("keeps every id when a hall grows past 99 rows, and reads a change of its digits as renaming them all", () => {
    // Hall 1 with 99 rows (the CPU row repeated 97 times), then 100: rows 1 to 99 keep their two digits.
    const rows =
      (count: number, digits = "") =>
      (text: string) =>
        text
          .replace(cpuRow, cpuRow.replace("{ pattern", `{ count: ${count}, pattern`))
          .replace("    plantRef: plant:lab\n    crah: { count: 2, capacityKW: 150", `${digits}$&`);
    const ninetyNine = labWith(rows(97));
    assert.equal(ninetyNine.rows[98]!.id, "row:h1-r99");
    const hundred = labWith(rows(98));
    assert.equal(hundred.rows[99]!.id, "row:h1-r100");
    assert.deepEqual(renamesOf(ninetyNine, hundred), []);
    // Stated, three digits rename every rack of the hall: the refusal then says what to do about digits.
    const threeDigits = labWith(rows(98, "    rowDigits: 3\n"));
    assert.equal(threeDigits.rows[0]!.id, "row:h1-r001");
    // Rows 1 to 99 (4 + 8 + 97 × 12 racks); row 100 already had three digits.
    assert.deepEqual(kindsOf(hundred, threeDigits), { digits: 4 + 8 + 97 * 12 });
    const renames = renamesOf(hundred, threeDigits);
    assert.ok(renames.includes("rack:h1-r99-12 would be rack:h1-r099-12"), renames.slice(0, 3).join("\n"));
    assert.ok(!renames.some((line) => line.startsWith("rack:h1-r100-")));
    // A numbered row is the row of its number whatever digits write it: its racks' digits change, nothing moves.
    const numbered = (digits: string) => (text: string) =>
      text
        .replace(hgxRow, hgxRow.replace("{ pattern", "{ number: 2, pattern"))
        .replace("    plantRef: plant:lab\n    crah: { count: 2, capacityKW: 150", `${digits}$&`);
    assert.deepEqual(kindsOf(labWith(numbered("")), labWith(numbered("    rowDigits: 3\n"))), { digits: 4 + 8 + 12 });
  });
});

describe("rowRenames", () => {
  const original = labWith((text) => text);
  const rowLines = (before: Site, after: Site) =>
    rowRenames(before, after).map((item) => {
      const to = item.toRow === undefined ? "" : ` -> ${after.rows[item.toRow]!.id}`;
      return `${item.id} ${item.kind} ${item.becomes}${to}`;
    });

  it("names the rows after a removed one, the removed one whose id passes on, and rows moved or re-digited", () => {
    assert.deepEqual(rowLines(original, original), []);
    assert.deepEqual(
      rowLines(
        original,
        labWith((text) => text.replace(nvl72Row, "")),
      ),
      [
        "row:h1-r01 shifted is removed, and its id would pass to row:h1-r02",
        "row:h1-r02 shifted would be row:h1-r01 -> row:h1-r01",
        "row:h1-r03 shifted would be row:h1-r02 -> row:h1-r02",
      ],
    );
    assert.deepEqual(
      rowLines(
        original,
        labWith((text) => text.replace(cpuRow, "").replace(suiteCpuRow, suiteCpuRow + cpuRow)),
      ),
      ["row:h1-r03 moved would be row:h2-r03 -> row:h2-r03"],
    );
    const digits = labWith((text) =>
      text.replace("    plantRef: plant:lab\n    crah: { count: 2", "    rowDigits: 3\n$&"),
    );
    assert.deepEqual(
      rowRenames(original, digits).map((item) => item.kind),
      ["digits", "digits", "digits"],
    );
  });
});

describe("unitRenames", () => {
  const original = labWith((text) => text);
  const unitLines = (before: Site, after: Site) =>
    unitRenames(before, after).map((item) => `${item.id} ${item.becomes}`);
  const unitKinds = (before: Site, after: Site) => {
    const kinds: Record<string, number> = {};
    for (const rename of unitRenames(before, after)) kinds[rename.kind] = (kinds[rename.kind] ?? 0) + 1;
    return kinds;
  };
  const gpuCdus = "cdus: { model: cdu-800, count: 2, redundancy: N+1 }\n    tcs: { supplySetpointC: 39.5";
  const hallOneCrah = "crah: { count: 2, capacityKW: 150";
  const dryCoolers = "dryCoolers: { count: 3, capacityKW: 800";
  assert.ok(lab.includes(gpuCdus) && lab.includes(hallOneCrah) && lab.includes(dryCoolers), "the lab lines edited");
  /** The lab with the GPU rows' CDUs, hall 1's air handlers and the plant's dry coolers `count` each. */
  const grown = (count: number, digits = "") =>
    labWith((text) =>
      text
        .replace(gpuCdus, gpuCdus.replace("count: 2", `count: ${count}${digits}`))
        .replace(hallOneCrah, `crah: { count: ${count}${digits}, capacityKW: 150`)
        .replace(dryCoolers, `dryCoolers: { count: ${count}${digits}, capacityKW: 800`),
    );

  it("reads groups growing from 99 to 100 units as one unit added to each, not as renames", () => {
    const ninetyNine = grown(99);
    const hundred = grown(100);
    assert.equal(hundred.rows[0]!.tcs.ids[99], "cdu:h1-r01-100");
    assert.deepEqual(unitLines(ninetyNine, hundred), []);
    assert.deepEqual(unitLines(hundred, ninetyNine), [], "the 100th removed: nothing renamed");
    assert.deepEqual(rackRenames(ninetyNine, hundred), []);
  });

  it("reads stated digits as digits only, and units of rows after a removed row as shifted", () => {
    // Three digits stated on the 100-unit groups: units 1 to 99 of each (3 GPU rows' CDUs, the CRAHs, the coolers).
    const hundred = grown(100);
    const stated = grown(100, ", unitDigits: 3");
    assert.equal(stated.rows[0]!.tcs.ids[0], "cdu:h1-r01-001");
    assert.deepEqual(unitKinds(hundred, stated), { digits: 5 * 99 });
    const lines = unitLines(hundred, stated);
    assert.ok(lines.includes("cdu:h1-r01-99 would be cdu:h1-r01-099"), lines.slice(0, 3).join("\n"));
    assert.ok(lines.includes("crah:h1-01 would be crah:h1-001"));
    assert.ok(lines.includes("drycooler:lab-07 would be drycooler:lab-007"));
    assert.ok(!lines.some((line) => line.startsWith("cdu:h1-r01-100 ")));
    // A hall's rowDigits renames its rows' units by digits too; the hall's own groups keep their names.
    const rowDigits = labWith((text) => text.replace(`    ${hallOneCrah}`, `    rowDigits: 3\n$&`));
    // Rows 1 to 3 of hall 1, each 2 CDUs and a 2N pair of busways.
    assert.deepEqual(unitKinds(original, rowDigits), { digits: 3 * (2 + 2) });
    // The first row removed: the rows after it take its name, and their CDUs and busways with them.
    const removed = labWith((text) => text.replace(nvl72Row, ""));
    const shifted = unitLines(original, removed);
    assert.ok(shifted.includes("cdu:h1-r02-01 would be cdu:h1-r01-01"), shifted.join("\n"));
    assert.ok(shifted.includes("busway:h1-r03-b would be busway:h1-r02-b"));
    assert.ok(shifted.includes("cdu:h1-r01-01 is removed, and its id would pass to cdu:h1-r02-01"));
    // Rows 2 and 3 (2 CDUs, 2 busways each), and the removed row's units whose ids pass on.
    assert.deepEqual(unitKinds(original, removed), { shifted: 2 * (2 + 2) + (2 + 2) });
  });
});

describe("rackRenames on the campus", () => {
  const campusText = readFileSync(new URL("../../sites/alixan.yaml", import.meta.url), "utf8");
  const campus = (text: string): Site => {
    const result = parseSite(text, { today: "2026-11-25" });
    assert.ok(result.site, "the campus loads");
    return result.site;
  };
  const hallTwo = "  - id: hall:h2\n    template: ai-hall\n    rows:\n";
  const hallThree = "  - { id: hall:h3, template: ai-hall }\n";
  assert.ok(campusText.includes(hallTwo) && campusText.includes(hallThree), "the campus lines this test edits");

  it("keeps every id of a 100-row hall growing to 101 rows, and reads a CPU row moved from hall 3 to hall 2", () => {
    const before = campus(campusText);
    assert.equal(before.rows[0]!.id, "row:h1-r001");
    // Hall 3 gets one more CPU row (its template's rows, then its own).
    const grown = campus(
      campusText.replace(
        hallThree,
        "  - id: hall:h3\n    template: ai-hall\n    rows:\n      - { pattern: nvl72-row, count: 5 }\n      - { pattern: hgx-row, count: 25 }\n      - { pattern: cpu-row, count: 71 }\n",
      ),
    );
    assert.equal(grown.rows.filter((row) => row.id.startsWith("row:h3-")).at(-1)!.id, "row:h3-r101");
    assert.deepEqual(renamesOf(before, grown), []);
    // One CPU row fewer in hall 3, one more in hall 2: read as that row moved, its 50 racks renamed, nothing else.
    const moved = campus(
      campusText
        .replace(
          hallThree,
          "  - id: hall:h3\n    template: ai-hall\n    rows:\n      - { pattern: nvl72-row, count: 5 }\n      - { pattern: hgx-row, count: 25 }\n      - { pattern: cpu-row, count: 69 }\n",
        )
        .replace("      - { pattern: cpu-row, count: 10, zone: zone:hds }\n", "$&      - { pattern: cpu-row }\n"),
    );
    const renames = renamesOf(before, moved);
    assert.equal(renames.length, 50, renames.slice(0, 5).join("\n"));
    assert.equal(renames[0], "rack:h3-r100-01 would be rack:h2-r101-01 (its row moved to hall:h2)");
  });
});
