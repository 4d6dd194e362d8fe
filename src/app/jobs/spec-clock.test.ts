import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jobSpec } from "../../scheduler/jobs.ts";
import { instantOn, specClockOf, specOnClock, storedDeadline } from "./spec-clock.ts";

/** A scheduler clock started at `epochMs`, at `speed` simulated seconds per wall second. */
function clockAt(epochMs: number, speed: number) {
  return { epochMs, speed, timeOf: (ms: number) => ((ms - epochMs) / 1000) * speed };
}

describe("a stored spec's times on a new scheduler clock", () => {
  const t0 = Date.parse("2026-12-07T12:00:00Z");
  // Taken at 12:10 by a scheduler started at 12:00 at speed 60: deadline 14:00 is 2 h of wall clock later.
  const before = clockAt(t0, 60);
  const submitS = before.timeOf(t0 + 600_000);
  const deadlineS = before.timeOf(t0 + 2 * 3_600_000);
  const stored = jobSpec({ id: "job_a", queue: "q", submitS, durationS: 600, deadlineS });
  const withClock = { ...stored, clock: specClockOf(before) };

  it("keeps the deadline's wall-clock instant on a clock restarted later at another speed", () => {
    const after = clockAt(t0 + 3_600_000, 600);
    const nowS = after.timeOf(t0 + 3_600_000 + 5000);
    const spec = specOnClock(withClock, new Date(t0 + 600_000).toISOString(), after, nowS);
    // 14:00 is 1 h of wall clock after 13:00, the new clock's time 0: 3600 × 600 s.
    assert.equal(spec.deadlineS, 3600 * 600);
    // Submitted before the new clock started: its start, as the scheduler takes no time before 0.
    assert.equal(spec.submitS, 0);
    assert.equal("clock" in spec, false, "the stored clock stays out of the scheduler's spec");
  });

  it("makes a deadline that passed while the platform was stopped now", () => {
    const after = clockAt(t0 + 3 * 3_600_000, 1);
    const nowS = 12;
    assert.equal(specOnClock(withClock, new Date(t0 + 600_000).toISOString(), after, nowS).deadlineS, nowS);
  });

  it("takes a spec stored without its clock as on a clock started at its submission less its submitS", () => {
    const after = clockAt(t0 + 3_600_000, 60);
    const spec = specOnClock(stored, new Date(t0 + 600_000).toISOString(), after, 0);
    assert.ok(Math.abs(spec.deadlineS! - 3600 * 60) < 1e-6, `${spec.deadlineS}`);
  });

  it("answers the deadline as asked, to the millisecond, also once it has passed and for a spec without its clock", () => {
    const asked = "2026-12-07T14:00:00.000Z";
    // The stored clock: whatever the speed in force now (the scheduler's own deadline is then now).
    assert.equal(storedDeadline(withClock, new Date(t0 + 600_000).toISOString(), 3600), asked);
    // Without its clock: started at its submission less its submitS, at the speed in force (60, as it ran).
    assert.equal(storedDeadline(stored, new Date(t0 + 600_000).toISOString(), 60), asked);
    assert.equal(storedDeadline({ ...withClock, deadlineS: undefined }, new Date(t0).toISOString(), 60), undefined);
    // An instant in ms survives the clock's seconds at an awkward speed.
    const odd = { epochMs: t0 + 7, speed: 7 / 3 };
    const atMs = Date.parse("2026-12-08T01:02:03.457Z");
    assert.equal(instantOn(odd, ((atMs - odd.epochMs) / 1000) * odd.speed), new Date(atMs).toISOString());
  });
});
