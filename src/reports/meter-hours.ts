/**
 * From a meter's stored telemetry to hourly energy (kWh) or water (m³) over a year, with what the data-quality
 * section needs: hours measured, hours estimated by interpolation, hours missing, gaps and counter resets.
 *
 * Gauges (power, flow) give each hour its mean times one hour; a run of missing hours no longer than the meter's
 * `maxInterpolationH`, with data on both sides, is estimated by linear interpolation of the neighbouring means.
 * Counters (cumulative energy or volume) give each hour its increase over the previous hour's last reading; when
 * hours are missing between two readings, the increase is exact but its spread over those hours is estimated
 * (evenly), so those hours count as estimated. A counter reading below the previous one is a reset to zero: the
 * hour counts its last reading (and what was read before the reset, when the hour's maximum shows it); what was
 * counted between the previous reading and the reset is unseen and lost.
 */
import { isGaugeUnit, type MeterSpec, meterUnitFactor } from "../model/meters.ts";

/** One hour's partial aggregates of one series, NaN where the hour has no sample. */
export interface SeriesHours {
  /** The series key (`name{labels}`). */
  readonly key: string;
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly last: Float64Array;
}

/** The year of a meter's series, with `lookbackHours` before the year first (a counter's starting reading). */
export interface MeterHistory {
  readonly lookbackHours: number;
  readonly hours: number;
  readonly series: readonly SeriesHours[];
}

/** One gap: consecutive hours of the year with no reading. */
export interface Gap {
  /** First missing hour, ISO 8601. */
  readonly from: string;
  readonly hours: number;
  /** True when the hours were estimated by interpolation; false when they stay missing. */
  readonly estimated: boolean;
}

/** A meter's year, hour by hour, and its data quality. */
export interface MeterYear {
  /** Energy (kWh) or water (m³) per hour of the year; NaN where missing. */
  readonly hourly: Float64Array;
  /** 0 missing, 1 measured, 2 estimated, per hour (the worst of the meter's series). */
  readonly state: Uint8Array;
  readonly seriesCount: number;
  readonly hoursMeasured: number;
  readonly hoursEstimated: number;
  readonly hoursMissing: number;
  /** Runs of estimated hours. */
  readonly estimatedIntervals: number;
  readonly counterResets: number;
  /** Counter resets that fell inside a gap: what was counted before them is lost. */
  readonly resetsInGaps: number;
  readonly gaps: readonly Gap[];
}

const missing = 0;
const measured = 1;
const estimated = 2;

/** Hourly values of one series: energy or water per hour, and each hour's state. */
function seriesYear(
  series: SeriesHours,
  meter: MeterSpec,
  lookback: number,
  hours: number,
): { values: Float64Array; state: Uint8Array; resets: number; resetsInGaps: number } {
  const factor = meterUnitFactor[meter.unit];
  const values = new Float64Array(hours).fill(Number.NaN);
  const state = new Uint8Array(hours);
  let resets = 0;
  let resetsInGaps = 0;
  if (isGaugeUnit(meter.unit)) {
    let previous = -1;
    for (let hour = 0; hour < hours; hour++) {
      if (!(series.count[lookback + hour]! > 0)) continue;
      values[hour] = series.mean[lookback + hour]! * factor;
      state[hour] = measured;
      const gap = hour - previous - 1;
      if (previous >= 0 && gap > 0 && gap <= meter.maxInterpolationH) {
        const start = values[previous]!;
        const end = values[hour]!;
        for (let step = 1; step <= gap; step++) {
          values[previous + step] = start + ((end - start) * step) / (gap + 1);
          state[previous + step] = estimated;
        }
      }
      previous = hour;
    }
    return { values, state, resets, resetsInGaps };
  }
  let previousHour = Number.NaN;
  let previousLast = Number.NaN;
  for (let index = 0; index < lookback + hours; index++) {
    if (!(series.count[index]! > 0)) continue;
    const low = series.min[index]!;
    const high = series.max[index]!;
    const last = series.last[index]!;
    let increase: number;
    const gapBefore = index - previousHour - 1;
    if (Number.isNaN(previousLast)) increase = last - low;
    else if (low < previousLast) {
      resets++;
      if (gapBefore > 0 && index >= lookback) resetsInGaps++;
      // Counters restart from zero: the hour counts its last reading, plus what was read before the reset in
      // this hour (its maximum, when above the last reading).
      increase = last + (high > last ? Math.max(0, high - previousLast) : 0);
    } else increase = last - previousLast;
    increase = Math.max(0, increase) * factor;
    const hour = index - lookback;
    if (hour >= 0) {
      // Hours between two readings share the increase evenly; the ones without a reading are estimated.
      const firstShared = Number.isNaN(previousHour) ? index : Math.max(previousHour + 1, lookback);
      const sharedFrom = Number.isNaN(previousHour) ? index : previousHour + 1;
      const share = increase / (index - sharedFrom + 1);
      for (let at = firstShared; at <= index; at++) {
        values[at - lookback] = share;
        state[at - lookback] = at === index ? measured : estimated;
      }
    }
    previousHour = index;
    previousLast = last;
  }
  return { values, state, resets, resetsInGaps };
}

/** Sums a meter's series hour by hour and measures the data quality of the result. */
export function meterYear(meter: MeterSpec, history: MeterHistory, yearStartMs: number): MeterYear {
  const { hours, lookbackHours } = history;
  const hourly = new Float64Array(hours).fill(history.series.length === 0 ? Number.NaN : 0);
  const state = new Uint8Array(hours).fill(history.series.length === 0 ? missing : measured);
  let counterResets = 0;
  let resetsInGaps = 0;
  for (const series of history.series) {
    const year = seriesYear(series, meter, lookbackHours, hours);
    counterResets += year.resets;
    resetsInGaps += year.resetsInGaps;
    for (let hour = 0; hour < hours; hour++) {
      const own = year.state[hour]!;
      if (own === missing || state[hour] === missing) {
        state[hour] = missing;
        hourly[hour] = Number.NaN;
        continue;
      }
      if (own === estimated) state[hour] = estimated;
      hourly[hour] = hourly[hour]! + year.values[hour]!;
    }
  }
  let hoursMeasured = 0;
  let hoursEstimated = 0;
  let estimatedIntervals = 0;
  const gaps: Gap[] = [];
  for (let hour = 0; hour < hours; hour++) {
    const here = state[hour]!;
    if (here === measured) {
      hoursMeasured++;
      continue;
    }
    if (here === estimated) hoursEstimated++;
    if (hour > 0 && state[hour - 1] === here) {
      const open = gaps[gaps.length - 1]!;
      gaps[gaps.length - 1] = { ...open, hours: open.hours + 1 };
      continue;
    }
    if (here === estimated) estimatedIntervals++;
    gaps.push({
      from: new Date(yearStartMs + hour * 3_600_000).toISOString(),
      hours: 1,
      estimated: here === estimated,
    });
  }
  return {
    hourly,
    state,
    seriesCount: history.series.length,
    hoursMeasured,
    hoursEstimated,
    hoursMissing: hours - hoursMeasured - hoursEstimated,
    estimatedIntervals,
    counterResets,
    resetsInGaps,
    gaps,
  };
}
