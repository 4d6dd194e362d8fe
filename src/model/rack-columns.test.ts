import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { airSideRows, analyseCapacity } from "./capacity.ts";
import { DiagnosticSink } from "./diagnostics.ts";
import { loadSite, shippedSites } from "./load.ts";
import { rackColumns } from "./rack-columns.ts";
import type { Site } from "./site.ts";
import { summariseSite } from "./summary.ts";
import { validateSite } from "./validate.ts";

function loaded(name: string): Site {
  const result = loadSite(name, { today: "2026-11-25" });
  assert.ok(result.site !== undefined);
  return result.site;
}

/** A plain copy: a different object, so its columns are read from its racks (reading them builds the original's). */
function plainCopy(site: Site): Site {
  return { ...site };
}

describe("rack columns and deferred racks", () => {
  for (const name of shippedSites) {
    it(`${name}: the loader's columns are those its racks give`, () => {
      const site = loaded(name);
      const registered = rackColumns(site);
      const derived = rackColumns(plainCopy(site));
      assert.notEqual(registered, derived, "the copy's columns are read from its racks");
      assert.deepEqual(registered, derived);
      assert.equal(registered.count, site.racks.length);
      assert.equal(registered.leakDetectorCount, site.leakDetectors.length);
    });

    it(`${name}: analysis, checks and summary are the same from the columns as from the racks`, () => {
      const site = loaded(name);
      const fromColumns = new DiagnosticSink();
      const analysis = validateSite(site, fromColumns, { today: "2026-11-25" });
      const summary = summariseSite(site, analysis);
      const airSide = airSideRows(site);
      const copy = plainCopy(site);
      const fromRacks = new DiagnosticSink();
      const copyAnalysis = validateSite(copy, fromRacks, { today: "2026-11-25" });
      assert.deepEqual(fromColumns.items, fromRacks.items);
      assert.deepEqual(analysis, copyAnalysis);
      assert.deepEqual(analyseCapacity(site), copyAnalysis);
      assert.deepEqual(summary, summariseSite(copy, copyAnalysis));
      assert.deepEqual(airSide, airSideRows(copy));
    });
  }

  it("builds racks and leak detectors on first read, in order, as plain data properties", () => {
    const site = loaded("lab");
    const keys = Object.keys(site);
    assert.ok(Object.getOwnPropertyDescriptor(site, "racks")?.get !== undefined, "racks are not built by the load");
    const racks = site.racks;
    assert.equal(site.racks, racks, "built once");
    for (const key of ["racks", "leakDetectors"] as const) {
      const descriptor = Object.getOwnPropertyDescriptor(site, key);
      assert.deepEqual(
        { writable: descriptor?.writable, enumerable: descriptor?.enumerable, configurable: descriptor?.configurable },
        { writable: true, enumerable: true, configurable: true },
      );
      assert.ok("value" in (descriptor ?? {}), `${key} is a data property once read`);
    }
    assert.deepEqual(Object.keys(site), keys, "same properties in the same order");
    assert.ok(
      racks.every((rack, index) => rack.index === index),
      "rack i is racks[i]",
    );
    for (const row of site.rows) {
      const inRow = racks.slice(row.rackStart, row.rackStart + row.rackCount);
      assert.ok(inRow.every((rack) => rack.rowIndex === row.index && rack.hallIndex === row.hallIndex));
      assert.ok(inRow.every((rack) => rack.zoneId === row.zoneId));
      assert.deepEqual(
        inRow.map((rack) => rack.position),
        inRow.map((_, index) => index + 1),
      );
      assert.ok(inRow.every((rack) => rack.id.startsWith(`rack:${row.id.slice("row:".length)}-`)));
    }
    assert.equal(new Set(racks.map((rack) => rack.id)).size, racks.length, "rack ids are unique");
    const detectors = site.leakDetectors;
    assert.equal(new Set(detectors.map((item) => item.id)).size, detectors.length, "leak detector ids are unique");
    const rowsInOrder = detectors.map((item) => item.rowIndex);
    assert.deepEqual(
      rowsInOrder,
      [...rowsInOrder].sort((a, b) => a - b),
      "detectors row by row",
    );
  });

  it("keeps a value assigned before the first read", () => {
    const site = loaded("lab") as { -readonly [Key in keyof Site]: Site[Key] };
    site.racks = [];
    assert.deepEqual(site.racks, []);
    assert.ok(site.leakDetectors.length > 0, "the other list is still built");
    assert.deepEqual(site.racks, [], "building the detectors leaves the assigned racks");
  });

  it("reads a changed copy's racks, not the original's columns", () => {
    const site = loaded("phase-1");
    const fewer: Site = { ...site, racks: site.racks.slice(0, 10) };
    assert.equal(rackColumns(fewer).count, 10);
    assert.equal(rackColumns(site).count, 4_000);
  });
});
