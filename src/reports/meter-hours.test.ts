/**
 * Meter hours: gauges integrate hourly means and interpolate short gaps only; counters count increases across
 * gaps (spread, marked estimated), restart from zero on a reset, and take their starting reading from the lookback.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MeterSpec } from "../model/meters.ts";
import { type MeterHistory, meterYear, type SeriesHours } from "./meter-hours.ts";

const yearStart = Date.UTC(2025, 0, 1);

function series(key: string, lookback: number, hours: number, read: (index: number) => number[] | undefined) {
  const total = lookback + hours;
  const columns = {
    key,
    count: new Float64Array(total).fill(Number.NaN),
    mean: new Float64Array(total).fill(Number.NaN),
    min: new Float64Array(total).fill(Number.NaN),
    max: new Float64Array(total).fill(Number.NaN),
    last: new Float64Array(total).fill(Number.NaN),
  } satisfies SeriesHours;
  for (let index = 0; index < total; index++) {
    const samples = read(index);
    if (samples === undefined || samples.length === 0) continue;
    columns.count[index] = samples.length;
    columns.mean[index] = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    columns.min[index] = Math.min(...samples);
    columns.max[index] = Math.max(...samples);
    columns.last[index] = samples[samples.length - 1]!;
  }
  return columns;
}

const meter = (unit: MeterSpec["unit"], maxInterpolationH = 6): MeterSpec => ({
  id: "meter:test",
  kind: unit === "m3" ? "waterMakeUp" : "itOutput",
  metric: "m",
  labels: {},
  unit,
  maxInterpolationH,
});

describe("meter hours", () => {
  it("a gauge in W integrates hourly means to kWh and interpolates a gap no longer than the limit", () => {
    const hours = 48;
    const history: MeterHistory = {
      lookbackHours: 2,
      hours,
      series: [
        series("a", 2, hours, (index) => {
          const hour = index - 2;
          if (hour >= 10 && hour < 13) return undefined; // 3 h: interpolated
          if (hour >= 20 && hour < 30) return undefined; // 10 h: missing
          return [hour * 1000, hour * 1000 + 2000]; // mean (hour + 1) kW
        }),
      ],
    };
    const year = meterYear(meter("W", 4), history, yearStart);
    assert.equal(year.hoursEstimated, 3);
    assert.equal(year.estimatedIntervals, 1);
    assert.equal(year.hoursMissing, 10);
    assert.equal(year.hoursMeasured, 35);
    // Linear interpolation of a linear signal is exact.
    assert.equal(year.hourly[11], 12);
    assert.ok(Number.isNaN(year.hourly[25]!));
    assert.deepEqual(
      year.gaps.map((gap) => [gap.from, gap.hours, gap.estimated]),
      [
        ["2025-01-01T10:00:00.000Z", 3, true],
        ["2025-01-01T20:00:00.000Z", 10, false],
      ],
    );
  });

  it("a counter counts from the lookback's last reading, across gaps, and from zero after a reset", () => {
    const hours = 24;
    // 2 m3 per hour; a reading at each half hour; the counter resets to zero at 12:00; no readings 4:00–8:00.
    const value = (hour: number) => (hour < 12 ? 1000 + 2 * (hour + 0.5) : 2 * (hour - 12 + 0.5));
    const history: MeterHistory = {
      lookbackHours: 3,
      hours,
      series: [
        series("w", 3, hours, (index) => {
          const hour = index - 3;
          return hour >= 4 && hour < 8 ? undefined : [value(hour)];
        }),
      ],
    };
    const year = meterYear(meter("m3"), history, yearStart);
    assert.equal(year.counterResets, 1);
    assert.equal(year.hoursEstimated, 4);
    assert.equal(year.hoursMissing, 0);
    const total = year.hourly.reduce((sum, x) => sum + x, 0);
    // 24 h at 2 m3/h, less the half hour counted between 11:30 and the reset: unseen.
    assert.equal(total, 48 - 1);
    // The 5 hours 4:00–8:00 (4 missing + the reading's own) share 10 m3 evenly.
    assert.equal(year.hourly[5], 2);
  });

  it("sums several series and marks an hour missing when any of them is", () => {
    const hours = 10;
    const history: MeterHistory = {
      lookbackHours: 0,
      hours,
      series: [series("a", 0, hours, () => [100]), series("b", 0, hours, (hour) => (hour === 9 ? undefined : [50]))],
    };
    const year = meterYear(meter("kW"), history, yearStart);
    assert.equal(year.hourly[0], 150);
    assert.ok(Number.isNaN(year.hourly[9]!));
    assert.equal(year.hoursMissing, 1);
    assert.equal(year.seriesCount, 2);
  });

  it("a meter with no series has every hour missing", () => {
    const year = meterYear(meter("kW"), { lookbackHours: 0, hours: 5, series: [] }, yearStart);
    assert.equal(year.hoursMissing, 5);
    assert.equal(year.gaps.length, 1);
  });
});
