import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { type JobSpec, jobSpec } from "../scheduler/jobs.ts";
import { secondsPer } from "../twin/time.ts";
import { valenceTypicalYear } from "../twin/weather.ts";
import { parseFrom, parseGridEvents } from "./events.ts";
import { runSignals, simulateShifting } from "./shift-run.ts";

const site = loadSite("lab").site!;
const h = secondsPer.h;
const from = "2026-07-14";
const startS = (() => {
  const parsed = parseFrom(from, site.timezone);
  assert.ok(parsed.ok);
  return parsed.value;
})();
const durationS = 2 * secondsPer.d;

/** A grid-events file with an hourly price (and carbon) for two days from the run's start. */
function signalsFile(price: (hour: number) => number, carbon?: (hour: number) => number): string {
  const lines = ["version: 1", "prices:"];
  for (let hour = 0; hour < 48; hour++) lines.push(`  - { at: '+${hour}h', eurPerMWh: ${price(hour)} }`);
  if (carbon !== undefined) {
    lines.push("carbon:");
    for (let hour = 0; hour < 48; hour++) lines.push(`  - { at: '+${hour}h', gCO2PerKWh: ${carbon(hour)} }`);
  }
  lines.push("shifting:", "  deferrable: [{ queue: research, slackH: 14 }]");
  return lines.join("\n");
}

/**
 * Evening arrivals on the lab: research jobs (deferrable by the file's rule, 14 h of slack) and production jobs that
 * never wait, 8 GPUs each.
 */
function workload(): JobSpec[] {
  const jobs: JobSpec[] = [];
  for (let index = 0; index < 12; index++) {
    jobs.push(
      jobSpec({
        id: `research-${index}`,
        queue: "research",
        submitS: (17 + (index % 4)) * h,
        durationS: (2 + (index % 3)) * h,
        gpus: 4,
        members: 2,
      }),
      jobSpec({
        id: `prod-${index}`,
        queue: "prod",
        submitS: (16 + (index % 5)) * h,
        durationS: 3 * h,
        gpus: 4,
        members: 2,
      }),
    );
  }
  return jobs;
}

async function shift(file: string, objective: "price" | "carbon" | "both") {
  const events = parseGridEvents(file, "signals.yaml", { startS, durationS, timeZone: site.timezone });
  assert.ok(events.ok, events.ok ? "" : events.error);
  const run = await simulateShifting(
    { site, weather: valenceTypicalYear(), durationS, stepS: 300, startS, seed: 3 },
    workload(),
    events.value,
    objective,
    30,
  );
  assert.ok(run.ok, run.ok ? "" : run.error);
  return run.value.flexibility.shifting;
}

describe("shifting in the twin", () => {
  it("saves on a price series with a cheap night, against the same jobs started at submission", async () => {
    // Evening peak at 150 €/MWh, night trough at 35 €/MWh (02:00–06:00), 90 €/MWh otherwise.
    const hourOfDay = (hour: number) => hour % 24;
    const price = (hour: number) =>
      hourOfDay(hour) >= 17 && hourOfDay(hour) < 22 ? 150 : hourOfDay(hour) >= 2 && hourOfDay(hour) < 6 ? 35 : 90;
    const figures = await shift(signalsFile(price), "price");
    assert.equal(figures.deferrableJobs, 12);
    assert.ok(figures.jobsShifted > 0, "research jobs wait for the night");
    assert.ok(figures.eurSaved !== null && figures.eurSaved > 0, `saved ${figures.eurSaved} €`);
    assert.ok(figures.meanDelayH > 0);
    assert.equal(figures.deadlinesMissed, 0);
    assert.equal(figures.carbonFallbackHours, 48, "no carbon in the file: --grid-intensity for every hour");
    // At a constant 30 g/kWh only the energy saved (a lower PUE at night) saves carbon: 0.03 t per MWh.
    const energySavedMWh = figures.baseline.gridMWh - figures.shifted.gridMWh;
    assert.ok(Math.abs(figures.tCO2Saved - energySavedMWh * 0.03) < 1e-9);
  });

  it("saves nothing and shifts nothing on a flat price", async () => {
    const figures = await shift(
      signalsFile(
        () => 80,
        () => 30,
      ),
      "both",
    );
    assert.equal(figures.jobsShifted, 0);
    assert.equal(figures.otherJobsDelayed, 0);
    assert.equal(figures.eurSaved, 0);
    assert.equal(figures.tCO2Saved, 0);
    assert.equal(figures.deadlinesMissed, 0);
  });

  it("shifts for carbon on the file's intensity series", async () => {
    const carbon = (hour: number) => (hour % 24 >= 11 && hour % 24 < 16 ? 12 : 45);
    const figures = await shift(
      signalsFile(() => 80, carbon),
      "carbon",
    );
    assert.ok(figures.jobsShifted > 0);
    assert.ok(figures.tCO2Saved > 0, `saved ${figures.tCO2Saved} t`);
    assert.equal(figures.carbonFallbackHours, 0);
    assert.equal(figures.deadlinesMissed, 0);
  });

  it("names the first hour without a price, and a run too short for the schedules", async () => {
    const events = parseGridEvents(
      signalsFile(() => 50),
      "s.yaml",
      { startS, durationS, timeZone: site.timezone },
    );
    assert.ok(events.ok);
    // Prices for the first 10 h only: the last one holds a day, to 09:00 on the second day.
    const cut = { ...events.value, prices: events.value.prices.filter((point) => point.atS < startS + 10 * h) };
    const signals = runSignals(cut, startS, durationS, 30, "price");
    assert.ok(!signals.ok);
    assert.match(signals.error, /^prices: no day-ahead price for day 196 09:00; --shift price needs one/);
    assert.ok(runSignals(cut, startS, durationS, 30, "carbon").ok, "carbon alone needs no price");
    const late = await simulateShifting(
      { site, weather: valenceTypicalYear(), durationS: 6 * h, stepS: 300, startS },
      workload(),
      events.value,
      "price",
      30,
    );
    assert.ok(!late.ok);
    assert.match(late.error, /^--duration: the workload runs until day 196 .* use --duration \d+h or more/);
  });
});
