import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { airSideRows, analyseCapacity } from "./capacity.ts";
import { DiagnosticSink } from "./diagnostics.ts";
import { loadSite, shippedSites } from "./load.ts";
import { addRepeated, rackRuns, runsWithin } from "./rack-runs.ts";
import type { Site } from "./site.ts";
import { summariseSite } from "./summary.ts";
import { validateSite } from "./validate.ts";

function loaded(name: string): Site {
  const result = loadSite(name, { today: "2026-11-25" });
  assert.ok(result.site !== undefined);
  return result.site;
}

/** A plain copy: a different object, so its runs are read from its racks (reading them builds the original's). */
function plainCopy(site: Site): Site {
  return { ...site };
}

describe("rack runs and deferred racks", () => {
  for (const name of shippedSites) {
    it(`${name}: the loader's runs are those its racks give`, () => {
      const site = loaded(name);
      const registered = rackRuns(site);
      const derived = rackRuns(plainCopy(site));
      assert.notEqual(registered, derived, "the copy's runs are read from its racks");
      assert.deepEqual(registered, derived);
      assert.equal(registered.count, site.racks.length);
      assert.equal(registered.leakDetectorCount, site.leakDetectors.length);
    });

    it(`${name}: analysis, checks and summary are the same from the runs as from the racks`, () => {
      const site = loaded(name);
      const fromRuns = new DiagnosticSink();
      const analysis = validateSite(site, fromRuns, { today: "2026-11-25" });
      const summary = summariseSite(site, analysis);
      const airSide = airSideRows(site);
      const copy = plainCopy(site);
      const fromRacks = new DiagnosticSink();
      const copyAnalysis = validateSite(copy, fromRacks, { today: "2026-11-25" });
      assert.deepEqual(fromRuns.items, fromRacks.items);
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

  it("reads a changed copy's racks, not the original's runs", () => {
    const site = loaded("phase-1");
    const fewer: Site = { ...site, racks: site.racks.slice(0, 10) };
    assert.equal(rackRuns(fewer).count, 10);
    assert.equal(rackRuns(site).count, 4_000);
  });

  it("finds the runs of a rack range", () => {
    const site = loaded("phase-1");
    const runs = rackRuns(site);
    for (const row of site.rows) {
      const within = runsWithin(runs, row.rackStart, row.rackStart + row.rackCount);
      assert.ok(within.length > 0);
      assert.ok(within.every((run) => run.rowIndex === row.index));
      assert.equal(
        within.reduce((sum, run) => sum + run.count, 0),
        row.rackCount,
      );
    }
    assert.deepEqual(runsWithin(runs, 1, 2), [runs.runs[0]]);
    assert.deepEqual(runsWithin(runs, runs.count, runs.count + 5), []);
  });

  it("adds a value repeatedly to the same bits as a loop would", () => {
    const loop = (total: number, value: number, times: number) => {
      let sum = total;
      for (let i = 0; i < times; i++) sum += value;
      return sum;
    };
    for (const [total, value, times] of [
      [0, 72, 50],
      [17, 3, 1_000],
      [0.1, 0.7, 50],
      [0, 118.80000000000001, 50],
      [2 ** 52, 1, 3],
    ] as const) {
      assert.equal(addRepeated(total, value, times), loop(total, value, times), `${total} + ${value} × ${times}`);
    }
  });
});
