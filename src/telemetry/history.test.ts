import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { History } from "./history.ts";
import { HotStore } from "./hot-store.ts";
import { type Aggregation, framesFromPartials, partialsFromRings, type SeriesQuery } from "./query.ts";
import { SampleBuffer } from "./samples.ts";
import { type SeriesInfo, SeriesRegistry } from "./series.ts";

const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const minute = 60_000;
const hour = 3_600_000;

function registryWith(count: number): SeriesRegistry {
  const registry = new SeriesRegistry();
  for (let i = 0; i < count; i++)
    registry.intern("rack_power_kw", { rack: `rack:h1-r01-${String(i + 1).padStart(2, "0")}`, row: "row:h1-r01" });
  return registry;
}

function infos(registry: SeriesRegistry): SeriesInfo[] {
  return Array.from({ length: registry.size }, (_, id) => registry.info(id)!);
}

describe("history (DuckDB)", () => {
  it("answers the same aggregates as the hot buffers for any data (conformance property)", async () => {
    const history = await History.open({ path: ":memory:", threads: 1 });
    try {
      const registry = registryWith(3);
      await history.write(infos(registry), new SampleBuffer(1), 1);
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.integer({ min: 0, max: 2 }),
              fc.integer({ min: 0, max: 600_000 }),
              fc.integer({ min: -1000, max: 1000 }),
            ),
            {
              minLength: 1,
              maxLength: 60,
            },
          ),
          fc.constantFrom(10_000, 60_000, 120_000),
          fc.constantFrom<Aggregation>("avg", "min", "max", "last", "sum", "count"),
          fc.constantFrom("series", "row", "all") as fc.Arbitrary<"series" | "row" | "all">,
          async (rows, step, aggregation, groupBy) => {
            // Each round writes to its own time window, so earlier rounds do not leak into the comparison.
            const base = ++round * 10_000_000;
            const hot = new HotStore(64);
            const block = new SampleBuffer(rows.length);
            for (const [series, offset, value] of rows) {
              // Distinct times per series so "last" has one answer.
              const timestamp = base + offset + series * 0.25;
              hot.append(series, timestamp, value);
              block.push(series, timestamp, value);
            }
            await history.write([], block, undefined);
            const query: SeriesQuery = {
              selector: {},
              from: base,
              to: base + 700_000,
              step,
              aggregation,
              groupBy,
              combine: "sum",
            };
            const infoOf = (id: number) => registry.info(id)!;
            const fromHot = framesFromPartials(
              partialsFromRings(hot, [0, 1, 2], query.from, query.to, step),
              query,
              infoOf,
            );
            const fromHistory = framesFromPartials(
              await history.partials([0, 1, 2], { ...query, step }, base),
              query,
              infoOf,
            );
            assert.equal(fromHistory.length, fromHot.length);
            fromHot.forEach((frame, index) => {
              const other = fromHistory[index]!;
              assert.equal(other.name, frame.name);
              assert.deepEqual(other.timestamps, frame.timestamps);
              other.values.forEach((value, i) => {
                assert.ok(Math.abs(value - frame.values[i]!) < 1e-9, `${value} vs ${frame.values[i]}`);
              });
            });
          },
        ),
        { numRuns: 60, seed: 5 },
      );
    } finally {
      await history.close();
    }
  });

  it("rolls up minutes and hours, answers old ranges from rollups, and applies retention", async () => {
    const history = await History.open({
      path: ":memory:",
      retention: { rawMs: 2 * hour, minuteMs: 6 * hour, hourMs: 48 * hour },
      latenessMs: minute,
      threads: 1,
    });
    try {
      const registry = registryWith(2);
      const block = new SampleBuffer(2 * 6 * 60 * 4);
      const start = 100 * hour;
      // Four hours of 10 s samples: series 0 counts up, series 1 is constant 5.
      for (let t = start; t < start + 4 * hour; t += 10_000) {
        block.push(0, t, (t - start) / 10_000);
        block.push(1, t, 5);
      }
      await history.write(infos(registry), block, 3);
      assert.equal(await history.checkpoint(), 3);
      const rolled = await history.rollup(start + 4 * hour + 2 * minute);
      assert.deepEqual(rolled, { minutes: 241, hours: 4 });

      // At now = start + 5 h, raw samples older than 3 h ago are gone; the first hour comes from rollups.
      const now = start + 5 * hour;
      assert.equal(history.resolutionFor(start, now), "1m");
      const query = { selector: {}, from: start, to: start + 4 * hour, step: hour, aggregation: "avg" as const };
      const partials = await history.partials([0, 1], query, now);
      const frames = framesFromPartials(partials, query, (id) => registry.info(id)!);
      assert.deepEqual(frames[1]!.values, [5, 5, 5, 5]);
      assert.deepEqual(frames[0]!.values, [179.5, 539.5, 899.5, 1259.5]);

      await history.rollup(start + 7 * hour);
      const counts = await history.counts();
      assert.equal(counts.samples, 0, "raw retention (2 h) dropped every sample once rolled up");
      assert.ok(counts.minutes > 0 && counts.hours === 8, JSON.stringify(counts));
      const later = await history.partials([0], { ...query, step: hour }, start + 7 * hour);
      assert.deepEqual(
        framesFromPartials(later, query, (id) => registry.info(id)!)[0]!.values,
        [179.5, 539.5, 899.5, 1259.5],
        "hours read from the 1-hour rollup once minutes expire",
      );
    } finally {
      await history.close();
    }
  });

  it("rolls samples that arrive late for rolled-up minutes, even across a restart before the next rollup", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-history-late-"));
    directories.push(directory);
    const path = join(directory, "history.duckdb");
    const options = {
      path,
      retention: { rawMs: 2 * hour, minuteMs: 6 * hour, hourMs: 48 * hour },
      latenessMs: minute,
      threads: 1,
    };
    const registry = registryWith(2);
    const start = 100 * hour;
    const first = await History.open(options);
    const onTime = new SampleBuffer(1024);
    for (let t = start; t < start + 4 * hour; t += minute) onTime.push(0, t, 1);
    await first.write(infos(registry), onTime, 1);
    await first.rollup(start + 4 * hour + 2 * minute);
    // Series 1's hours come in after they were rolled up (a collector's backlog), and the process stops before
    // its next rollup.
    const late = new SampleBuffer(1024);
    for (let t = start; t < start + 4 * hour; t += minute) late.push(1, t, 7);
    await first.write([], late, 2);
    assert.deepEqual([first.lateSamplesStaged, first.lateSamplesMerged], [240, 0]);
    await first.close();

    const second = await History.open(options);
    try {
      assert.equal(second.lateSamplesStaged, 240, "the stage left by the stopped process is counted at open");
      const now = start + 10 * hour;
      await second.rollup(now);
      assert.deepEqual([second.lateSamplesStaged, second.lateSamplesMerged], [0, 240]);
      const counts = await second.counts();
      assert.equal(counts.samples, 0, "raw samples expired (2 h), every one rolled up first");
      const query = { selector: {}, from: start, to: start + 4 * hour, step: hour, aggregation: "sum" as const };
      assert.equal(second.resolutionFor(start, now), "1h");
      const frames = framesFromPartials(await second.partials([0, 1], query, now), query, (id) => registry.info(id)!);
      assert.deepEqual(frames[0]!.values, [60, 60, 60, 60]);
      assert.deepEqual(frames[1]!.values, [420, 420, 420, 420], "the late samples are in the hourly rollup");
    } finally {
      await second.close();
    }
  });

  it("answers an empty selection or a range without samples with no frames (not a failure)", async () => {
    const history = await History.open({ path: ":memory:", threads: 1 });
    try {
      const registry = registryWith(1);
      const block = new SampleBuffer(16);
      for (let t = 0; t < 10; t++) block.push(0, 50 * hour + t * 10_000, t);
      await history.write(infos(registry), block, 1);
      const infoOf = (id: number) => registry.info(id)!;
      const now = 51 * hour;
      // Nothing selected (a name that matches no series).
      assert.deepEqual(await history.rawFrames([], 49 * hour, now, infoOf), { ok: true, value: [] });
      const emptySelection = await history.partials([], { selector: {}, from: 49 * hour, to: now, step: minute }, now);
      assert.equal(emptySelection.series.length, 0);
      // A selected series, but no sample in the range: DuckDB answers zero rows.
      assert.deepEqual(await history.rawFrames([0], 10 * hour, 11 * hour, infoOf), { ok: true, value: [] });
      const query = { selector: {}, from: 10 * hour, to: 11 * hour, step: minute, aggregation: "avg" as const };
      const partials = await history.partials([0], query, now);
      assert.deepEqual(framesFromPartials(partials, query, infoOf), []);
      // And the data that is there is still found.
      const found = await history.rawFrames([0], 50 * hour, now, infoOf);
      assert.ok(found.ok && found.value[0]!.values.length === 10);
    } finally {
      await history.close();
    }
  });

  it("exports raw samples to Parquet that DuckDB reads back", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-parquet-"));
    directories.push(directory);
    const history = await History.open({ path: ":memory:", threads: 1 });
    try {
      const registry = registryWith(2);
      const block = new SampleBuffer(4);
      block.push(0, 1_767_225_600_000, 41.5);
      block.push(1, 1_767_225_600_000, 39);
      block.push(0, 1_767_225_610_000, 42);
      await history.write(infos(registry), block, undefined);
      const path = join(directory, "rack's power.parquet");
      const exported = await history.exportParquet([0], 0, 2e12, path);
      assert.deepEqual(exported, { ok: true, value: 2 });
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      const reader = await connection.runAndReadAll(
        `SELECT strftime(time, '%Y-%m-%dT%H:%M:%S') AS time, name, labels, value FROM read_parquet('${path.replace(/'/g, "''")}')`,
      );
      assert.deepEqual(reader.getRowsJson(), [
        ["2026-01-01T00:00:00", "rack_power_kw", '{"rack":"rack:h1-r01-01","row":"row:h1-r01"}', 41.5],
        ["2026-01-01T00:00:10", "rack_power_kw", '{"rack":"rack:h1-r01-01","row":"row:h1-r01"}', 42],
      ]);
      connection.closeSync();
      instance.closeSync();
      const refused = await history.exportParquet([0], 0, 1, join(directory, "missing-folder", "x.parquet"));
      assert.ok(!refused.ok && refused.problem.startsWith("Parquet export to"));
    } finally {
      await history.close();
    }
  });
});
