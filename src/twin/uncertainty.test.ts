import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadSite, parseSite, resolveSite } from "../model/load.ts";
import { secondsPer } from "./time.ts";
import {
  percentilesOf,
  quantile,
  rangesFor,
  sampleAssumptions,
  simulateUncertainty,
  type UncertaintySummary,
} from "./uncertainty.ts";
import { constantWeather, valenceTypicalYear } from "./weather.ts";

const labSite = loadSite("lab").site!;

async function summaryOf(seed: number, threads?: number): Promise<UncertaintySummary> {
  const outcome = await simulateUncertainty(
    {
      site: labSite,
      weather: valenceTypicalYear(1),
      durationS: secondsPer.d,
      startS: 190 * secondsPer.d,
      stepS: 600,
      ...(threads === undefined ? {} : { threads }),
    },
    6,
    seed,
  );
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
  return outcome.value;
}

describe("uncertainty: sampling", () => {
  it("draws a Latin hypercube: one sample in each of the N strata of every range, deterministic from the seed", () => {
    const ranges = rangesFor(labSite);
    const samples = 10;
    const drawn = sampleAssumptions(ranges, samples, 7);
    for (const range of ranges) {
      const strata = drawn
        .map((assumptions) => Math.floor(((assumptions[range.name]! - range.low) / (range.high - range.low)) * samples))
        .sort((a, b) => a - b);
      assert.deepEqual(strata, [...Array(samples).keys()], range.name);
    }
    assert.deepEqual(sampleAssumptions(ranges, samples, 7), drawn);
    assert.notDeepEqual(sampleAssumptions(ranges, samples, 8), drawn);
  });

  it("computes type-7 quantiles", () => {
    assert.equal(quantile([3, 1, 2, 4], 0.5), 2.5);
    assert.equal(quantile([5], 0.9), 5);
    assert.deepEqual(percentilesOf([0, 10]), { p10: 1, p50: 5, p90: 9 });
  });

  it("takes a site file's ranges, and refuses an inverted range naming it", () => {
    const path = resolveSite("lab")!;
    const text = readFileSync(path, "utf8");
    const withRanges = parseSite(`${text}\nuncertainty:\n  houseWPerM2: { low: 20, high: 30 }\n`);
    assert.ok(withRanges.ok, JSON.stringify(withRanges.diagnostics.slice(0, 2)));
    const house = rangesFor(withRanges.site!).find((range) => range.name === "houseWPerM2")!;
    assert.deepEqual([house.low, house.high, house.source], [20, 30, "site file"]);
    const inverted = parseSite(`${text}\nuncertainty:\n  copScale: { low: 1.2, high: 0.9 }\n`);
    assert.equal(inverted.ok, false);
    assert.ok(inverted.diagnostics.some((item) => item.path === "uncertainty.copScale"));
    const unknown = parseSite(`${text}\nuncertainty:\n  pueFudge: { low: 1, high: 2 }\n`);
    assert.equal(unknown.ok, false);
    const outOfBounds = parseSite(`${text}\nuncertainty:\n  rearDoorEffectiveness: { low: 0.5, high: 1.5 }\n`);
    assert.equal(outOfBounds.ok, false);
  });
});

describe("uncertainty: runs", () => {
  it("gives P10 ≤ P50 ≤ P90, the same answer for the same seed on any threads, and another for another seed", async () => {
    const first = await summaryOf(3);
    for (const [name, { p10, p50, p90 }] of Object.entries(first.percentiles)) {
      assert.ok(p10 <= p50 && p50 <= p90, `${name}: ${p10} ${p50} ${p90}`);
    }
    assert.ok(first.percentiles.pue.p90 > first.percentiles.pue.p10, "the plant figures move the PUE");
    assert.equal(first.runs.length, 6);
    const again = await summaryOf(3, 1);
    assert.deepEqual(again, first, "same seed, one thread instead of workers");
    const other = await summaryOf(4);
    assert.notDeepEqual(other.percentiles, first.percentiles);
  });

  it("refuses a sample count out of range and per-rack outputs", async () => {
    const base = { site: labSite, weather: constantWeather(20, 50), durationS: secondsPer.h, stepS: 60 };
    const one = await simulateUncertainty(base, 1, 1);
    assert.equal(one.ok, false);
    const racks = await simulateUncertainty({ ...base, rackIds: [labSite.racks[0]!.id] }, 3, 1);
    assert.equal(racks.ok, false);
  });
});
