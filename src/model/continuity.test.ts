import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { alignByKey, rackRenames } from "./continuity.ts";
import { parseSite } from "./load.ts";
import type { Site } from "./site.ts";

const lab = readFileSync(new URL("../../sites/lab.yaml", import.meta.url), "utf8");
const nvl72Row = "      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n";
const hgxRow = "      - { pattern: gpu-row, racks: [{ type: hgx, count: 8 }], busways: { ratingKW: 400 } }\n";
const cpuRow = "      - { pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }\n";

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
});
