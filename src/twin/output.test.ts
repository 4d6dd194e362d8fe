import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { framesToCsv, readIntensityProfile, summaryOf } from "./output.ts";
import { renderCharts } from "./plot.ts";
import { simulate } from "./run.ts";
import { secondsPer } from "./time.ts";
import { valenceTypicalYear } from "./weather.ts";

const site = loadSite("lab").site!;

describe("outputs", () => {
  it("reads an hourly carbon-intensity profile and reports a bad line by number", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-intensity-"));
    try {
      const good = join(directory, "good.csv");
      writeFileSync(
        good,
        `hour,gCO2PerKWh\n${Array.from({ length: 24 }, (_, hour) => `${hour},${hour < 12 ? 20 : 60}`).join("\n")}\n`,
      );
      const profile = readIntensityProfile(good);
      assert.ok(profile.ok);
      assert.equal(profile.value.length, 24);
      // The same profile with CR-only line breaks (old Mac tools): one line each, not one line of 24 commas.
      const carriageReturns = join(directory, "cr.csv");
      writeFileSync(carriageReturns, readFileSync(good, "utf8").replaceAll("\n", "\r"));
      assert.deepEqual(readIntensityProfile(carriageReturns), profile);
      const bad = join(directory, "bad.csv");
      writeFileSync(bad, "20\n21\nlots\n");
      assert.deepEqual(readIntensityProfile(bad), {
        ok: false,
        error: `${bad}:3: "lots" is not a carbon intensity in gCO2/kWh`,
      });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("refuses a profile that is neither a day, a year nor a leap year, naming the counts expected", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-intensity-"));
    const write = (name: string, text: string) => {
      const file = join(directory, name);
      writeFileSync(file, text);
      return file;
    };
    const hours = (count: number) => Array.from({ length: count }, (_, hour) => `${hour % 50}`).join("\n");
    try {
      const short = write("short.csv", hours(8_759));
      assert.deepEqual(readIntensityProfile(short), {
        ok: false,
        error: `${short}: expected 24 hourly values (one day, repeated), 168 (a week from Monday 00:00, repeated), 8,760 (a year) or 8,784 (a leap year), found 8,759`,
      });
      for (const count of [23, 25, 167, 169, 720, 8_761])
        assert.ok(!readIntensityProfile(write(`${count}.csv`, hours(count))).ok);
      assert.equal(
        (readIntensityProfile(write("year.csv", hours(8_760))) as { value: Float64Array }).value.length,
        8_760,
      );
      // A leap year: 29 February (hours 1,416-1,439) is left out, so 1 March 00:00 is hour 1,416 of the twin's year.
      const leap = Array.from({ length: 8_784 }, (_, hour) => (hour >= 1_416 && hour < 1_440 ? 999 : hour % 24));
      const read = readIntensityProfile(write("leap.csv", leap.join("\n")));
      assert.ok(read.ok);
      assert.equal(read.value.length, 8_760);
      assert.ok(!read.value.includes(999));
      assert.equal(read.value[1_416], 0);
      // A byte-order mark before the first value, and "0x10" (Number() reads 16).
      const bom = readIntensityProfile(write("bom.csv", `\uFEFF${hours(24)}`));
      assert.ok(bom.ok && bom.value.length === 24 && bom.value[0] === 0);
      const hex = write("hex.csv", `${hours(23)}\n0x10\n`);
      assert.deepEqual(readIntensityProfile(hex), {
        ok: false,
        error: `${hex}:24: "0x10" is not a carbon intensity in gCO2/kWh`,
      });
      assert.match(
        (readIntensityProfile(write("huge.csv", "1\n".repeat(3_000_000))) as { error: string }).error,
        /file\.tooLarge/,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("applies an hourly intensity profile hour by hour", async () => {
    const base = { site, weather: valenceTypicalYear(1), durationS: secondsPer.d, stepS: 300, threads: 1 };
    const flat = await simulate({ ...base, gridIntensity: 40 });
    const profile = Float64Array.from({ length: 24 }, (_, hour) => (hour < 12 ? 20 : 60));
    const hourly = await simulate({ ...base, gridIntensity: profile });
    assert.ok(flat.ok && hourly.ok);
    assert.ok(Math.abs(flat.value.kpis.co2Tonnes - (flat.value.kpis.totalEnergyMWh * 40) / 1000) < 1e-9);
    // Afternoons draw more power than nights, so the mean intensity weighted by energy is above 40 g/kWh.
    assert.ok(hourly.value.kpis.gridIntensityGPerKWh > 40 && hourly.value.kpis.gridIntensityGPerKWh < 60);
  });

  it("reads a weekly profile from Monday 00:00 and applies a week's hour to that hour of the twin's year", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-intensity-"));
    try {
      // Value h is hour h of the week, so the intensity a run reports names the hour of the week it was read for.
      const file = join(directory, "week.csv");
      writeFileSync(
        file,
        `hourOfWeek,gCO2PerKWh\n${Array.from({ length: 168 }, (_, hour) => `${hour},${hour}`).join("\n")}\n`,
      );
      const week = readIntensityProfile(file);
      assert.ok(week.ok, JSON.stringify(week));
      assert.equal(week.value.length, 168);
      // The twin's year starts on a Monday: day 16 is the third Wednesday, day 20 the third Sunday.
      const hourRun = (day: number, hour: number) =>
        simulate({
          site,
          weather: valenceTypicalYear(1),
          startS: day * secondsPer.d + hour * secondsPer.h,
          durationS: secondsPer.h,
          stepS: 300,
          threads: 1,
          gridIntensity: week.value,
        });
      const wednesday = await hourRun(16, 14);
      const sunday = await hourRun(20, 23);
      assert.ok(wednesday.ok && sunday.ok);
      assert.ok(Math.abs(wednesday.value.kpis.gridIntensityGPerKWh - (2 * 24 + 14)) < 1e-9, "Wednesday 14:00");
      assert.ok(Math.abs(sunday.value.kpis.gridIntensityGPerKWh - 167) < 1e-9, "Sunday 23:00, the week's last hour");
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("writes frames as CSV and draws three well-formed SVG charts", async () => {
    const outcome = await simulate({
      site,
      weather: valenceTypicalYear(1),
      durationS: 3 * secondsPer.d,
      stepS: 600,
      threads: 1,
    });
    assert.ok(outcome.ok);
    const csv = framesToCsv(outcome.value.halls).trim().split("\n");
    assert.equal(csv.length, 1 + 2 * 72, "a header, then 72 hourly rows per hall");
    assert.match(csv[1]!, /^0,hall:h1,\d/);
    const charts = renderCharts(outcome.value);
    assert.deepEqual(Object.keys(charts), ["temperatures.svg", "pue.svg", "power-stack.svg"]);
    for (const svg of Object.values(charts)) {
      assert.match(svg, /^<svg [^>]*>/);
      assert.match(svg, /<\/svg>\n$/);
      assert.doesNotMatch(svg, /NaN|Infinity/);
    }
    assert.match(charts["pue.svg"]!, /daily energy ratio/);
    // The summary (kpis.json, simulate --json) carries the per-type and per-hall rack-hours, every type and hall.
    const summary = summaryOf(outcome.value);
    assert.deepEqual(
      ["throttledRackHoursByType", "trippedRackHoursByType", "lostBusyRackHoursByType"].map((key) =>
        (summary[key] as { rackType: string }[]).map((line) => line.rackType),
      ),
      Array.from({ length: 3 }, () => site.rackTypes.map((type) => type.id)),
    );
    assert.deepEqual(
      (summary["trippedRackHoursByHall"] as { hall: string }[]).map((line) => line.hall),
      site.halls.map((hall) => hall.id),
    );
  });
});
