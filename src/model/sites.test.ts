import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { unitGroups } from "./equipment.ts";
import { maximumSiteUnits } from "./expand.ts";
import { loadSite, loadSiteFile, parseSite, shippedSites } from "./load.ts";
import { maximumCount } from "./schema.ts";

/** Digits a site file may not state (`rowDigits`, `rackDigits`, `unitDigits`), with the problem each is. */
const badDigits = [
  ["1", /must be at least 2, got 1/],
  ["6", /must be at most 5, got 6/],
  ["2.5", /expected a whole number/],
] as const;

describe("shipped sites", () => {
  for (const name of shippedSites) {
    it(`${name} validates with no error and no warning`, () => {
      const result = loadSite(name, { today: "2026-11-25" });
      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.ok, true);
    });
  }

  it("alixan has 40,000 racks in 8 halls and about 1 GW of IT", () => {
    const result = loadSite("alixan");
    assert.equal(result.site?.racks.length, 40_000);
    assert.equal(result.site?.halls.length, 8);
    assert.equal(result.analysis?.figures.totalIt, 1_020_000);
    // Its halls state three digits for their 100 rows: the names it always had (scenarios and docs name them).
    assert.equal(result.site?.rows[0]?.id, "row:h1-r001");
    assert.equal(result.site?.racks.at(-1)?.id, "rack:h8-r100-50");
  });

  it("phase-1 has 4,000 racks and about 100 MW of IT", () => {
    const result = loadSite("phase-1");
    assert.equal(result.site?.racks.length, 4_000);
    assert.equal(result.analysis?.figures.totalIt, 102_000);
  });

  it("alixan-heat is alixan with a heat offtake: same plant, racks and halls", () => {
    // The variant copies alixan.yaml; a change to the campus (e.g. its dry coolers) must reach it too.
    const campus = loadSite("alixan").site;
    const variant = loadSiteFile(new URL("../../sites/alixan-heat.yaml", import.meta.url).pathname).site;
    assert.ok(campus !== undefined && variant !== undefined);
    assert.deepEqual(variant.plants, campus.plants);
    assert.deepEqual(variant.halls, campus.halls);
    assert.equal(variant.racks.length, campus.racks.length);
    assert.ok(variant.heatOfftake !== undefined);
  });
});

describe("site size", () => {
  const lab = readFileSync(new URL("../../sites/lab.yaml", import.meta.url), "utf8");
  const gpuRowCdus = "cdus: { model: cdu-800, count: 2, redundancy: N+1 }\n    tcs: { supplySetpointC: 39.5";
  const nvl72Row = "{ pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }";
  assert.ok(lab.includes(gpuRowCdus) && lab.includes(nvl72Row), "the lab's lines this test edits");

  /** Parses the lab with `edits` (text, replacement) applied: its errors and the time it took. */
  function labWith(...edits: [string, string][]) {
    const text = edits.reduce((edited, [from, to]) => edited.replace(from, to), lab);
    const started = performance.now();
    const result = parseSite(text, { today: "2026-11-25" });
    const errors = result.diagnostics.filter((item) => item.severity === "error");
    return { result, errors, ms: performance.now() - started };
  }

  it("refuses a mistyped operator response, naming it (it loaded as a valid site of 0 racks)", () => {
    const line = "  buildingAreaM2: 1600\n";
    const { result, errors } = labWith([line, `${line}  operatorResponseS: soon\n`]);
    assert.equal(result.ok, false);
    assert.deepEqual(
      errors.map((item) => [item.path, item.message]),
      [["site.operatorResponseS", 'expected a number from 0 to 604800 or "off", got "soon"']],
    );
  });

  it(`refuses a count above ${maximumCount.toLocaleString("en-US")} naming it, before building any unit`, () => {
    const { result, errors, ms } = labWith([gpuRowCdus, gpuRowCdus.replace("count: 2", "count: 10000000")]);
    assert.equal(result.ok, false);
    assert.ok(
      errors.some((item) => item.path.endsWith("cdus.count") && /at most 10000/.test(item.message)),
      JSON.stringify(errors),
    );
    assert.ok(ms < 5_000, `took ${Math.round(ms)} ms`);
  });

  it(`refuses a site of more than ${maximumSiteUnits.toLocaleString("en-US")} racks and units that each count allows`, () => {
    // A row of 10,000 racks repeated 10,000 times: each count is allowed, the 10^8 racks are not.
    const rows = `{ pattern: gpu-row, count: ${maximumCount}, racks: [{ type: nvl72, count: ${maximumCount} }] }`;
    const { result, errors, ms } = labWith([nvl72Row, rows]);
    assert.equal(result.ok, false);
    assert.deepEqual(
      errors.map((item) => [item.code, item.path]),
      [["site.tooLarge", "halls[0].rows[0]"]],
    );
    assert.ok(ms < 5_000, `took ${Math.round(ms)} ms`);
  });
});

describe("row numbers", () => {
  const lab = readFileSync(new URL("../../sites/lab.yaml", import.meta.url), "utf8");
  const nvl72Row = "      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n";
  const hgxRow = "{ pattern: gpu-row, racks: [{ type: hgx, count: 8 }], busways: { ratingKW: 400 } }";
  assert.ok(lab.includes(nvl72Row) && lab.includes(hgxRow), "the lab's lines this test edits");

  /** Hall 1's rows of the lab with `edit` applied: row ids with their racks' types, and the errors. */
  function hallOne(edit: (text: string) => string) {
    const result = parseSite(edit(lab), { today: "2026-11-25" });
    const site = result.site;
    const rows = (site?.rows ?? [])
      .filter((row) => row.hallIndex === 0)
      .map((row) => {
        const types = site!.racks.slice(row.rackStart, row.rackStart + row.rackCount).map((rack) => rack.typeIndex);
        return `${row.id}:${[...new Set(types)].map((index) => site!.rackTypes[index]!.id).join("+")}`;
      });
    return { rows, errors: result.diagnostics.filter((item) => item.severity === "error"), site, result };
  }

  /** The errors of a load but capacity's (a hall of a hundred rows outgrows the lab's power and cooling). */
  function beyondCapacity(loaded: ReturnType<typeof hallOne>) {
    return loaded.errors.filter((item) => !item.code.startsWith("capacity."));
  }

  /** The `row.digits` and `rack.digits` warnings of a load, as [code, path]. */
  function parseSiteWarnings(loaded: ReturnType<typeof hallOne>): string[][] {
    return loaded.result.diagnostics
      .filter((item) => item.code.endsWith(".digits"))
      .map((item) => [item.code, item.path]);
  }

  it("numbers rows by position unless an entry gives its number, which keeps its ids when rows before it go", () => {
    assert.deepEqual(hallOne((text) => text).rows, ["row:h1-r01:nvl72", "row:h1-r02:hgx", "row:h1-r03:cpu"]);
    // Without its first row, the hall renumbers by position: h1-r02 names the CPU row.
    assert.deepEqual(hallOne((text) => text.replace(nvl72Row, "")).rows, ["row:h1-r01:hgx", "row:h1-r02:cpu"]);
    // With `number: 2` on the H200 row, it and the row after it keep their names, racks included.
    const numbered = hallOne((text) =>
      text.replace(nvl72Row, "").replace(hgxRow, hgxRow.replace("{ ", "{ number: 2, ")),
    );
    assert.deepEqual(numbered.errors, []);
    assert.deepEqual(numbered.rows, ["row:h1-r02:hgx", "row:h1-r03:cpu"]);
    assert.equal(numbered.site!.racks[0]!.id, "rack:h1-r02-01");
  });

  it("keeps every row's id as a hall grows past 99 rows: two digits up to 99, then the digits the number needs", () => {
    const cpuRow = "{ pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }";
    const hallOneCrah = "    crah: { count: 2, capacityKW: 150";
    // Hall 1 with its CPU row repeated: 99 rows, then 100; `digits` goes into hall 1.
    const grown = (count: number, digits = "") =>
      hallOne((text) =>
        text.replace(cpuRow, cpuRow.replace("{ ", `{ count: ${count}, `)).replace(hallOneCrah, `${digits}$&`),
      );
    const rowsOf = (site: ReturnType<typeof hallOne>["site"]) =>
      site!.rows.filter((row) => row.hallIndex === 0).map((row) => row.id);
    const racksOf = (site: ReturnType<typeof hallOne>["site"]) =>
      site!.racks.filter((rack) => rack.hallIndex === 0).map((rack) => rack.id);
    const before = grown(97).site;
    const after = grown(98);
    assert.deepEqual(rowsOf(before).slice(-2), ["row:h1-r98", "row:h1-r99"]);
    assert.deepEqual(rowsOf(after.site).slice(0, 99), rowsOf(before));
    assert.equal(rowsOf(after.site)[99], "row:h1-r100");
    assert.deepEqual(racksOf(after.site).slice(0, racksOf(before).length), racksOf(before));
    assert.equal(after.site!.rows[99]!.tcs.ids[0], "cdu:h1-r100-01");
    // Unstated digits past 99 are a warning naming the field: a file written when such halls had r001 says so.
    assert.deepEqual(parseSiteWarnings(after), [["row.digits", "halls[0].rowDigits"]]);
    // Stated, they are kept: 3 gives the names of before (r001 … r100), 2 these; neither warns.
    const three = grown(98, "    rowDigits: 3\n");
    assert.deepEqual(beyondCapacity(three), []);
    assert.deepEqual(rowsOf(three.site).slice(0, 2), ["row:h1-r001", "row:h1-r002"]);
    assert.equal(three.site!.racks[0]!.id, "rack:h1-r001-01");
    assert.deepEqual(parseSiteWarnings(three), []);
    assert.deepEqual(rowsOf(grown(98, "    rowDigits: 2\n").site), rowsOf(after.site));
    assert.deepEqual(parseSiteWarnings(grown(98, "    rowDigits: 2\n")), []);
  });

  it("keeps every rack's id as a row grows past 99 racks, and takes the row's stated digits", () => {
    const cpuRacks = "[{ type: cpu, count: 12 }]";
    const before = hallOne((text) => text.replace(cpuRacks, "[{ type: cpu, count: 99 }]")).site!;
    const after = hallOne((text) => text.replace(cpuRacks, "[{ type: cpu, count: 100 }]"));
    const cpuRow = (site: typeof before) => site.racks.filter((rack) => rack.rowIndex === 2).map((rack) => rack.id);
    assert.deepEqual(cpuRow(after.site!).slice(0, 99), cpuRow(before));
    assert.deepEqual(cpuRow(after.site!).slice(98), ["rack:h1-r03-99", "rack:h1-r03-100"]);
    assert.deepEqual(parseSiteWarnings(after), [["rack.digits", "halls[0].rows[2].rackDigits"]]);
    const stated = hallOne((text) => text.replace(cpuRacks, "[{ type: cpu, count: 100 }], rackDigits: 3"));
    assert.deepEqual(beyondCapacity(stated), []);
    assert.equal(cpuRow(stated.site!)[0], "rack:h1-r03-001");
    assert.deepEqual(parseSiteWarnings(stated), []);
  });

  it("refuses digits out of 2 to 5 or not whole, naming the field", () => {
    for (const [value, problem] of badDigits) {
      const { errors } = hallOne((text) =>
        text
          .replace("    crah: { count: 2, capacityKW: 150", `    rowDigits: ${value}\n$&`)
          .replace("[{ type: cpu, count: 12 }]", `[{ type: cpu, count: 12 }], rackDigits: ${value}`),
      );
      assert.deepEqual(
        errors.map((item) => item.path),
        ["halls[0].rowDigits", "halls[0].rows[2].rackDigits"],
      );
      for (const item of errors) assert.match(item.message, problem);
    }
  });

  it("refuses a number that is not after the previous row, naming the entry", () => {
    const { errors } = hallOne((text) => text.replace(hgxRow, hgxRow.replace("{ ", "{ number: 1, ")));
    assert.deepEqual(
      errors.map((item) => [item.code, item.path]),
      [["row.numberOrder", "halls[0].rows[1].number"]],
    );
    assert.match(errors[0]!.message, /row number 1 is not after the previous row \(1\)/);
  });
});

describe("unit numbers", () => {
  const lab = readFileSync(new URL("../../sites/lab.yaml", import.meta.url), "utf8");
  // Every group of units the lab has: its line, and the line with `count` units and `unitDigits` when stated (a flow
  // mapping takes `, unitDigits: 3`, a block one a line of its own); busways numbered, not a 2N pair.
  const flow = (digits: string | undefined) => (digits === undefined ? "" : `, unitDigits: ${digits}`);
  const block = (indent: string, digits: string | undefined) =>
    digits === undefined ? "" : `${indent}unitDigits: ${digits}\n`;
  const groupLines: readonly [string, (count: number, digits: string | undefined) => string][] = [
    ["pumps: { count: 2, ratedFlowLpm: 2400", (n, d) => `pumps: { count: ${n}${flow(d)}, ratedFlowLpm: 2400`],
    ["dryCoolers: { count: 3,", (n, d) => `dryCoolers: { count: ${n}${flow(d)},`],
    [
      "      count: 3\n      capacityKW: 400",
      (n, d) => `      count: ${n}\n${block("      ", d)}      capacityKW: 400`,
    ],
    ["pumps: { count: 2, ratedFlowLpm: 1200", (n, d) => `pumps: { count: ${n}${flow(d)}, ratedFlowLpm: 1200`],
    [
      "        count: 3\n        capacityKW: 250",
      (n, d) => `        count: ${n}\n${block("        ", d)}        capacityKW: 250`,
    ],
    [
      "busways: { count: 2, ratingKW: 630, phases: 3, redundancy: 2N }",
      (n, d) => `busways: { count: ${n}${flow(d)}, ratingKW: 630, phases: 3, redundancy: N }`,
    ],
    [
      "cdus: { model: cdu-800, count: 2, redundancy: N+1 }\n    tcs: { supplySetpointC: 39.5",
      (n, d) => `cdus: { model: cdu-800, count: ${n}${flow(d)}, redundancy: N+1 }\n    tcs: { supplySetpointC: 39.5`,
    ],
    ["crah: { count: 2, capacityKW: 150", (n, d) => `crah: { count: ${n}${flow(d)}, capacityKW: 150`],
    ["transformers: { count: 2, ratingKVA: 1600", (n, d) => `transformers: { count: ${n}${flow(d)}, ratingKVA: 1600`],
    ["      ups:\n        count: 3\n", (n, d) => `      ups:\n        count: ${n}\n${block("        ", d)}`],
  ];
  for (const [line] of groupLines) assert.ok(lab.includes(line), `the lab line this test edits: ${line}`);
  /** The lab with each group above given `count` units, and `unitDigits` when `digits` is given. */
  function grown(count: number, digits?: string) {
    const text = groupLines.reduce((edited, [line, withCount]) => edited.replace(line, withCount(count, digits)), lab);
    const result = parseSite(text, { today: "2026-11-25" });
    return {
      result,
      // A hundred of each outgrows nothing the lab checks but capacity (a hundred transformers on two feeds).
      errors: result.diagnostics.filter((item) => item.severity === "error" && !item.code.startsWith("capacity.")),
      warnings: result.diagnostics.filter((item) => item.code === "unit.digits").map((item) => item.path),
      groups: result.site === undefined ? [] : unitGroups(result.site).filter((group) => group.ids.length >= 99),
    };
  }

  it("keeps every unit's id as its group grows past 99, the 100th written in full", () => {
    const before = grown(99);
    const after = grown(100);
    assert.deepEqual(before.errors, []);
    assert.deepEqual(after.errors, []);
    // Every group of the list grown: a plant's five, hall 1's three, the GPU rows' busways and CDUs (3 rows).
    assert.equal(after.groups.length, 5 + 3 + 3 * 2);
    assert.deepEqual(
      after.groups.map((group) => group.ids.slice(0, 99)),
      before.groups.map((group) => group.ids),
    );
    assert.deepEqual(
      after.groups.map((group) => group.ids.slice(-2)),
      before.groups.map((group) => [group.ids[98], group.ids[98]!.replace(/-99$/, "-100")]),
    );
    assert.equal(after.result.site!.rows[0]!.tcs.ids[99], "cdu:h1-r01-100");
    assert.deepEqual(before.warnings, []);
  });

  it("warns of a group past 99 with no unitDigits, naming its path; stated digits keep the old names", () => {
    assert.deepEqual(grown(100).warnings, [
      "plants[0].fws.pumps.unitDigits",
      "plants[0].dryCoolers.unitDigits",
      "plants[0].chillers.unitDigits",
      "plants[0].airSide.pumps.unitDigits",
      "plants[0].airSide.chillers.unitDigits",
      "halls[0].power.transformers.unitDigits",
      "halls[0].power.ups.unitDigits",
      "halls[0].crah.unitDigits",
      "halls[0].rows[0].cdus.unitDigits",
      "halls[0].rows[0].busways.unitDigits",
      "halls[0].rows[1].cdus.unitDigits",
      "halls[0].rows[1].busways.unitDigits",
      "halls[1].rows[0].cdus.unitDigits",
      "halls[1].rows[0].busways.unitDigits",
    ]);
    const message = grown(100).result.diagnostics.find((item) => item.path === "halls[0].crah.unitDigits")!.message;
    assert.match(message, /earlier versions padded them all to the digits of the last \(-001…\)\. State unitDigits: 3/);
    // Three digits, as these ids had before: every one of them, as before; two, the new ones; neither warns.
    const three = grown(100, "3");
    assert.deepEqual(three.errors, []);
    assert.deepEqual(three.warnings, []);
    assert.equal(three.groups.length, 5 + 3 + 3 * 2);
    for (const group of three.groups) {
      assert.deepEqual(
        group.ids.map((id) => id.slice(-4)),
        Array.from({ length: 100 }, (_, index) => `-${String(index + 1).padStart(3, "0")}`),
      );
    }
    const two = grown(100, "2");
    assert.deepEqual(two.warnings, []);
    assert.deepEqual(
      two.groups.map((group) => group.ids),
      grown(100).groups.map((group) => group.ids),
    );
  });

  it("refuses unitDigits out of 2 to 5 or not whole, naming the field", () => {
    for (const [value, problem] of badDigits) {
      const { errors } = grown(2, value);
      // The pattern's groups are checked where they are written, the rest where they are.
      assert.deepEqual(
        errors.map((item) => item.path),
        [
          "plants[0].fws.pumps.unitDigits",
          "plants[0].dryCoolers.unitDigits",
          "plants[0].chillers.unitDigits",
          "plants[0].airSide.pumps.unitDigits",
          "plants[0].airSide.chillers.unitDigits",
          "rowPatterns.gpu-row.busways.unitDigits",
          "rowPatterns.gpu-row.cdus.unitDigits",
          "halls[0].power.transformers.unitDigits",
          "halls[0].power.ups.unitDigits",
          "halls[0].crah.unitDigits",
        ],
      );
      for (const item of errors) assert.match(item.message, problem);
    }
  });
});
