/**
 * The clock a stored job spec's times are on. A spec's `submitS`, `deadlineS` and `cancelAtS` are seconds of the
 * scheduler that took it, from that scheduler's start at its speed; a restart starts a new scheduler (time 0 is the
 * restart, the speed may be another), so the stored spec keeps the clock it was written on and a restart re-expresses
 * those instants on the new one. They are instants, and the API's instants are wall-clock ones (a `deadline` of 18:00
 * is 18:00 at any speed), so they keep their wall-clock time.
 */
import type { JobSpec } from "../../scheduler/jobs.ts";

/** The scheduler clock of a stored spec: the wall-clock epoch (ms) of its time 0, and its simulated seconds per wall second. */
export interface SpecClock {
  readonly epochMs: number;
  readonly speed: number;
}

/** A scheduler clock, as `LiveScheduler` has it. */
interface SchedulerClock {
  readonly epochMs: number;
  readonly speed: number;
  timeOf(epochMs: number): number;
}

/** The clock a spec taken now by `live` is on (stored with it: `clock`). */
export function specClockOf(live: SchedulerClock): SpecClock {
  return { epochMs: live.epochMs, speed: live.speed };
}

/** The stored clock of a spec, when well-formed. */
function storedClock(stored: unknown): SpecClock | undefined {
  const clock = (stored as { clock?: Partial<SpecClock> } | null)?.clock;
  const { epochMs, speed } = clock ?? {};
  if (typeof epochMs !== "number" || !Number.isFinite(epochMs)) return undefined;
  if (typeof speed !== "number" || !(speed > 0) || !Number.isFinite(speed)) return undefined;
  return { epochMs, speed };
}

/**
 * The clock a stored spec's times are on: its own, or, stored before it was kept, one started at its `submittedAt`
 * less its `submitS`, at `speed` (the speed in force).
 */
function clockOf(stored: unknown, submittedAt: string, speed: number): SpecClock {
  const submitS = (stored as { submitS?: unknown } | null)?.submitS;
  return (
    storedClock(stored) ?? {
      epochMs: Date.parse(submittedAt) - ((typeof submitS === "number" ? submitS : 0) * 1000) / speed,
      speed,
    }
  );
}

/** The wall-clock instant (ISO 8601, to the millisecond) of time `timeS` of `clock`; undefined when there is none. */
export function instantOn(clock: SpecClock, timeS: number | undefined): string | undefined {
  if (timeS === undefined || !Number.isFinite(timeS)) return undefined;
  // To the millisecond: the instant was given in ms and went through the clock's seconds.
  return new Date(Math.round(clock.epochMs + (timeS * 1000) / clock.speed)).toISOString();
}

/**
 * A stored spec's deadline as the tenant asked for it: its wall-clock instant on the spec's own clock, also when it
 * passed while the platform was stopped (the scheduler then takes it as now: `specOnClock`); undefined when none.
 */
export function storedDeadline(stored: unknown, submittedAt: string, speed: number): string | undefined {
  const deadlineS = (stored as { deadlineS?: unknown } | null)?.deadlineS;
  return typeof deadlineS === "number" ? instantOn(clockOf(stored, submittedAt, speed), deadlineS) : undefined;
}

/**
 * A stored spec on `live`'s clock, at `nowS` on it: its deadline and withdrawal time at their wall-clock instants; one
 * that passed while the platform was stopped is now (a waiting job is not refused for it, and a deferrable job past its
 * deadline runs, as it would have). Its submission time is the stored one, but no earlier than this scheduler's start
 * (its times start at 0). A spec stored without its clock (before it was kept) was on a clock started at its stored
 * submission time less its `submitS`, at the speed in force.
 */
export function specOnClock(stored: unknown, submittedAt: string, live: SchedulerClock, nowS: number): JobSpec {
  const { clock: _clock, ...spec } = stored as JobSpec & { clock?: unknown };
  const clock = clockOf(stored, submittedAt, live.speed);
  // An instant of the stored clock on this one.
  const onThisClock = (timeS: number) => live.timeOf(clock.epochMs + (timeS * 1000) / clock.speed);
  const instant = (timeS: number | undefined) =>
    timeS === undefined || !Number.isFinite(timeS) ? undefined : Math.max(nowS, onThisClock(timeS));
  const submitS = Math.max(0, Math.min(nowS, onThisClock(spec.submitS)));
  return {
    ...spec,
    submitS: Number.isFinite(submitS) ? submitS : nowS,
    deadlineS: instant(spec.deadlineS),
    cancelAtS: instant(spec.cancelAtS),
  };
}
