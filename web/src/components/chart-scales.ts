/**
 * Chart axes that do not mislead: additive quantities from zero, ratios with a minimum span, time spanning at least
 * a few minutes.
 */

/** The time axis spans at least this long. */
const minimumTimeSpanS = 10 * 60;

/** The y range: from zero for additive quantities, widened to `minSpan` around the data for ratios. */
export function valueRange(
  dataMin: number | null,
  dataMax: number | null,
  options: { fromZero?: boolean; minSpan?: number },
): [number, number] {
  if (dataMin === null || dataMax === null || !Number.isFinite(dataMin) || !Number.isFinite(dataMax)) {
    return options.fromZero === true ? [0, 1] : [0, options.minSpan ?? 1];
  }
  let low = dataMin;
  let high = dataMax;
  if (options.fromZero === true) {
    low = Math.min(0, low);
    high = Math.max(high, 0) * 1.05 || 1;
  }
  const span = options.minSpan ?? (high - low > 0 ? 0 : Math.max(1, Math.abs(high) * 0.1));
  if (high - low < span) {
    const middle = (high + low) / 2;
    low = options.fromZero === true ? Math.max(0, middle - span / 2) : middle - span / 2;
    high = low + span;
  }
  return [low, high];
}

/** The time range: the data, or at least `minimumTimeSpanS` ending at its last point. */
export function timeRange(dataMin: number | null, dataMax: number | null): [number, number] {
  if (dataMin === null || dataMax === null) {
    const now = Date.now() / 1000;
    return [now - minimumTimeSpanS, now];
  }
  return dataMax - dataMin >= minimumTimeSpanS ? [dataMin, dataMax] : [dataMax - minimumTimeSpanS, dataMax];
}
