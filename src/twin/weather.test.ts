import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { secondsPer } from "./time.ts";
import {
  defaultHeatWave,
  parseEpw,
  readEpwFile,
  sampleHourly,
  valenceTypicalYear,
  wetBulbOf,
  withHeatWave,
} from "./weather.ts";

/** The real Lyon IWEC file from the shared reference data (never copied into the repository). */
const lyonPath = fileURLToPath(new URL("../../../shared/data/weather/FRA_Lyon.074810_IWEC.epw", import.meta.url));

function mean(values: Float64Array): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Mean of the daily maxima of the days `firstDay` … `lastDay` − 1. */
function meanDailyMaximum(values: Float64Array, firstDay: number, lastDay: number): number {
  let total = 0;
  for (let day = firstDay; day < lastDay; day++) total += Math.max(...values.subarray(day * 24, day * 24 + 24));
  return total / (lastDay - firstDay);
}

describe("EPW import", () => {
  it("reads the Lyon IWEC year: 8,760 hours with plausible values", () => {
    const outcome = readEpwFile(lyonPath);
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
    const weather = outcome.value;
    assert.equal(weather.dryBulbC.length, 8_760);
    assert.match(weather.name, /LYON/);
    const annualMean = mean(weather.dryBulbC);
    assert.ok(annualMean > 10 && annualMean < 14, `annual mean ${annualMean} °C`);
    assert.ok(Math.max(...weather.dryBulbC) < 40 && Math.min(...weather.dryBulbC) > -20);
    // Summer is warmer than winter and the wet bulb never exceeds the dry bulb.
    assert.ok(meanDailyMaximum(weather.dryBulbC, 181, 243) > meanDailyMaximum(weather.dryBulbC, 0, 59) + 15);
    for (let hour = 0; hour < 8_760; hour++) assert.ok(weather.wetBulbC[hour]! <= weather.dryBulbC[hour]! + 1e-9);
    assert.ok(mean(weather.relativeHumidity) > 50 && mean(weather.relativeHumidity) < 90);
  });

  it("names the line and column of a malformed value", () => {
    const lines = readFileSync(lyonPath, "utf8").split("\n");
    const fields = lines[107]!.split(",");
    fields[6] = "warm";
    lines[107] = fields.join(",");
    const outcome = parseEpw(lines.join("\n"), "lyon.epw");
    assert.deepEqual(outcome, { ok: false, error: 'lyon.epw:108: column 7 (dry bulb) "warm" is not a number' });
  });

  it("rejects missing values, short files and files that are not EPW", () => {
    const lines = readFileSync(lyonPath, "utf8").split("\n");
    const missing = [...lines];
    const fields = missing[20]!.split(",");
    fields[8] = "999";
    missing[20] = fields.join(",");
    assert.deepEqual(parseEpw(missing.join("\n"), "x.epw"), {
      ok: false,
      error: "x.epw:21: column 9 (relative humidity) is missing (999)",
    });
    const short = parseEpw(lines.slice(0, 5000).join("\n"), "x.epw");
    assert.equal(short.ok, false);
    assert.match(short.ok ? "" : short.error, /^x\.epw: expected 8,760 hourly rows .* found 4992$/);
    assert.deepEqual(parseEpw("hello\n", "x.epw"), {
      ok: false,
      error: "x.epw:1: not an EPW weather file (the first line must start with LOCATION,)",
    });
    assert.deepEqual(readEpwFile("/nonexistent/x.epw"), {
      ok: false,
      error: "cannot read weather file /nonexistent/x.epw: no such file",
    });
  });
});

describe("EPW variants", () => {
  const lines = readFileSync(lyonPath, "utf8").split("\n");
  const withField = (index: number, column: number, value: string) =>
    lines.map((line, at) => (at === index ? line.split(",").with(column, value).join(",") : line));

  it("reads a byte-order mark and CRLF or CR line breaks as the same year", () => {
    const plain = parseEpw(lines.join("\n"), "x.epw");
    assert.ok(plain.ok);
    for (const text of [`\uFEFF${lines.join("\n")}`, lines.join("\r\n"), lines.join("\r")]) {
      const outcome = parseEpw(text, "x.epw");
      assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
      assert.deepEqual(outcome.value.dryBulbC, plain.value.dryBulbC);
    }
  });

  it("refuses a number Number() would misread and an hour out of sequence", () => {
    assert.deepEqual(parseEpw(withField(107, 6, "0x10").join("\n"), "x.epw"), {
      ok: false,
      error: 'x.epw:108: column 7 (dry bulb) "0x10" is not a number',
    });
    assert.deepEqual(parseEpw(withField(107, 6, " ").join("\n"), "x.epw"), {
      ok: false,
      error: 'x.epw:108: column 7 (dry bulb) "" is not a number',
    });
    // Line 108 is hour 4 of 1 January: a repeated hour 3 keeps the count and would shift every later hour.
    assert.deepEqual(parseEpw(withField(107, 3, "3").join("\n"), "x.epw"), {
      ok: false,
      error: "x.epw:108: column 4 (hour) 3 where hour 4 was expected (each day runs hours 1–24 in order)",
    });
  });
});

describe("Valence typical year", () => {
  it("is deterministic with a seed and differs between seeds", () => {
    assert.deepEqual(valenceTypicalYear(7).dryBulbC, valenceTypicalYear(7).dryBulbC);
    assert.notDeepEqual(valenceTypicalYear(7).dryBulbC, valenceTypicalYear(8).dryBulbC);
  });

  it("has a mean July–August maximum near the 28 °C normal and a mild winter", () => {
    for (const seed of [1, 2, 3]) {
      const weather = valenceTypicalYear(seed);
      assert.equal(weather.dryBulbC.length, 8_760);
      const summerMaximum = meanDailyMaximum(weather.dryBulbC, 181, 243);
      assert.ok(Math.abs(summerMaximum - 28.3) < 2, `seed ${seed}: July–August mean maximum ${summerMaximum}`);
      const januaryMaximum = meanDailyMaximum(weather.dryBulbC, 0, 31);
      assert.ok(januaryMaximum > 4 && januaryMaximum < 13, `seed ${seed}: January mean maximum ${januaryMaximum}`);
      for (let hour = 0; hour < 8_760; hour++) {
        assert.ok(weather.relativeHumidity[hour]! > 5 && weather.relativeHumidity[hour]! <= 100);
      }
    }
  });

  it("interpolates hourly values to any time and wraps at the end of the year", () => {
    const weather = valenceTypicalYear(1);
    const halfway = sampleHourly(weather.dryBulbC, 0, 1_800);
    assert.ok(Math.abs(halfway - (weather.dryBulbC[0]! + weather.dryBulbC[1]!) / 2) < 1e-12);
    assert.equal(sampleHourly(weather.dryBulbC, 0, secondsPer.y), weather.dryBulbC[0]);
  });
});

describe("heat wave", () => {
  it("gives 4 days above 38 °C by day with nights above 22 °C, humidity falling", () => {
    const base = valenceTypicalYear(1);
    const hot = withHeatWave(base, defaultHeatWave);
    const firstDay = defaultHeatWave.startS / secondsPer.d;
    for (let day = firstDay; day < firstDay + 4; day++) {
      const hours = hot.dryBulbC.subarray(day * 24, day * 24 + 24);
      assert.ok(Math.max(...hours) > 38, `day ${day} maximum ${Math.max(...hours)}`);
      assert.ok(Math.min(...hours.subarray(6)) > 22, `day ${day} minimum ${Math.min(...hours.subarray(6))}`);
    }
    const peakHour = firstDay * 24 + 15;
    assert.ok(hot.relativeHumidity[peakHour]! < base.relativeHumidity[peakHour]!);
    assert.equal(hot.dryBulbC[10], base.dryBulbC[10]);
  });

  it("derives the wet bulb of Stull's fit (20 °C, 50 % → 13.7 °C)", () => {
    assert.ok(Math.abs(wetBulbOf(20, 50) - 13.7) < 0.05);
  });
});
