/**
 * Price- and carbon-aware shifting, the pure part: hourly series from a grid-signals file's points, one cost per hour
 * from the day-ahead price (€/MWh) and the grid's carbon intensity (gCO2/kWh) with configurable weights, and the
 * start a deferrable job should take within its window.
 *
 * A job is modelled as a flat draw over its expected duration, so the cost of starting at `s` is the integral of the
 * hourly cost over `[s, s + duration)`. That integral is piecewise linear in `s`, with breakpoints where `s` or
 * `s + duration` cross an hour boundary: the optimum is at the earliest start, the latest start, or one of those
 * breakpoints, so the search is exact and visits at most two candidates per hour of slack.
 *
 * Rules (tests in `shift.test.ts`): the chosen start is never before `nowS` and never after `latestStartS`
 * (deadline − expected duration), so a job held until its start still ends by its deadline; a job without slack
 * starts now; hours without a value (gaps, beyond the series) are never chosen, and a job whose window now has an
 * unknown hour is not shifted (nothing to compare against); ties go to the earliest start (least delay); a shift
 * must gain at least `minimumGain` of the cost of starting now; planned GPUs of held jobs stay within a capacity.
 */

/** Seconds in an hour (the series' resolution). */
export const hourS = 3_600;

/** An hourly series: `values[h]` holds over `[originS + h·3600, originS + (h + 1)·3600)`; NaN where unknown. */
export interface HourlySeries {
  readonly originS: number;
  readonly values: Float64Array;
}

/** One point of a signal: the value holds from `atS` until the next point, for at most `holdS`. */
export interface SignalPoint {
  readonly atS: number;
  readonly value: number;
}

/**
 * Hourly means of a piecewise-constant signal over `hours` hours from `originS` (points sorted by time). An hour not
 * fully covered (before the first point, or more than `holdS` after the last one) is NaN: a gap, never filled in.
 */
export function hourlyFromPoints(
  points: readonly SignalPoint[],
  originS: number,
  hours: number,
  holdS = 86_400,
): HourlySeries {
  const values = new Float64Array(hours).fill(Number.NaN);
  const endOf = (index: number) =>
    Math.min(points[index + 1]?.atS ?? Number.POSITIVE_INFINITY, points[index]!.atS + holdS);
  let first = 0;
  for (let hour = 0; hour < hours; hour++) {
    const from = originS + hour * hourS;
    const to = from + hourS;
    while (first < points.length && endOf(first) <= from) first++;
    let covered = 0;
    let sum = 0;
    for (let index = first; index < points.length && points[index]!.atS < to; index++) {
      const overlap = Math.min(to, endOf(index)) - Math.max(from, points[index]!.atS);
      if (overlap <= 0) continue;
      covered += overlap;
      sum += overlap * points[index]!.value;
    }
    if (covered >= hourS - 1e-6) values[hour] = sum / covered;
  }
  return { originS, values };
}

/** What the shift minimises: the price, the carbon intensity, or both at a carbon price. */
export const shiftObjectives = ["price", "carbon", "both"] as const;
/** One shift objective. */
export type ShiftObjective = (typeof shiftObjectives)[number];

/** Weights of the cost (`both`): € per MWh plus tCO2 at `carbonPriceEurPerTonne`. */
export interface ShiftWeights {
  readonly priceWeight: number;
  readonly carbonPriceEurPerTonne: number;
}

/**
 * The hourly cost to minimise, in €/MWh for `price` and `both` (gCO2/kWh is kgCO2/MWh, so a carbon price in €/t
 * adds intensity × price / 1000 €/MWh), in gCO2/kWh for `carbon`. Both series must share origin and length.
 */
export function costSeries(
  objective: ShiftObjective,
  price: HourlySeries,
  carbon: HourlySeries,
  weights: ShiftWeights,
): HourlySeries {
  if (price.values.length !== carbon.values.length || price.originS !== carbon.originS) {
    throw new Error("costSeries: price and carbon series must share origin and length");
  }
  const values = new Float64Array(price.values.length);
  for (let hour = 0; hour < values.length; hour++) {
    const eur = price.values[hour]!;
    const grams = carbon.values[hour]!;
    values[hour] =
      objective === "price"
        ? eur
        : objective === "carbon"
          ? grams
          : weights.priceWeight * eur + (weights.carbonPriceEurPerTonne * grams) / 1000;
  }
  return { originS: price.originS, values };
}

/** A cost series prepared for window integrals in constant time. */
export class CostCurve {
  readonly series: HourlySeries;
  /** Unit of the cost, for reasons (`€/MWh`, `gCO2/kWh`). */
  readonly unit: string;
  /** Integral of the known values up to the start of each hour (unknown hours count 0) and unknown hours before it. */
  readonly #prefix: Float64Array;
  readonly #unknown: Int32Array;

  /** Prepares `series` (cost in `unit`). */
  constructor(series: HourlySeries, unit: string) {
    this.series = series;
    this.unit = unit;
    const count = series.values.length;
    this.#prefix = new Float64Array(count + 1);
    this.#unknown = new Int32Array(count + 1);
    for (let hour = 0; hour < count; hour++) {
      const value = series.values[hour]!;
      const known = Number.isFinite(value);
      this.#prefix[hour + 1] = this.#prefix[hour]! + (known ? value : 0);
      this.#unknown[hour + 1] = this.#unknown[hour]! + (known ? 0 : 1);
    }
  }

  /** First time the series covers. */
  get startS(): number {
    return this.series.originS;
  }
  /** One past the last time the series covers. */
  get endS(): number {
    return this.series.originS + this.series.values.length * hourS;
  }

  /** Cost of the hour containing `timeS` (NaN when unknown). */
  at(timeS: number): number {
    const hour = Math.floor((timeS - this.series.originS) / hourS);
    return hour >= 0 && hour < this.series.values.length ? this.series.values[hour]! : Number.NaN;
  }

  /** Integral of the cost over `[fromS, toS)`, in cost × hours; NaN if any part of it is unknown. */
  integral(fromS: number, toS: number): number {
    if (toS <= fromS) return 0;
    if (fromS < this.startS || toS > this.endS + 1e-6) return Number.NaN;
    const a = (fromS - this.series.originS) / hourS;
    const b = Math.min(this.series.values.length, (toS - this.series.originS) / hourS);
    const firstHour = Math.floor(a);
    const lastHour = Math.min(this.series.values.length - 1, Math.ceil(b) - 1);
    if (this.#unknown[lastHour + 1]! - this.#unknown[firstHour]! > 0) return Number.NaN;
    return this.#cumulative(b) - this.#cumulative(a);
  }

  /** Integral from the origin to `hours` hours after it (fractional). */
  #cumulative(hours: number): number {
    const whole = Math.min(this.series.values.length, Math.floor(hours));
    const rest = hours - whole;
    return this.#prefix[whole]! + (rest > 0 ? rest * this.series.values[whole]! : 0);
  }
}

/**
 * GPUs planned by held jobs per hour, against what deferred work may take in any hour: keeps shifted jobs from all
 * aiming at the same cheap hour beyond what the site can run.
 */
export class ShiftLedger {
  /** GPUs held jobs may plan in any one hour. */
  readonly capacityGpus: number;
  readonly #originS: number;
  readonly #planned: Float64Array;

  /** A ledger over the hours of `series`, at most `capacityGpus` planned in any hour. */
  constructor(series: HourlySeries, capacityGpus: number) {
    this.capacityGpus = capacityGpus;
    this.#originS = series.originS;
    this.#planned = new Float64Array(series.values.length);
  }

  #hours(startS: number, durationS: number): [number, number] {
    const first = Math.max(0, Math.floor((startS - this.#originS) / hourS));
    const end = Math.min(this.#planned.length, Math.ceil((startS + durationS - this.#originS) / hourS));
    return [first, Math.max(first + 1, end)];
  }

  /** Whether `gpus` more fit in every hour of `[startS, startS + durationS)`. */
  fits(startS: number, durationS: number, gpus: number): boolean {
    const [first, end] = this.#hours(startS, durationS);
    for (let hour = first; hour < end && hour < this.#planned.length; hour++) {
      if (this.#planned[hour]! + gpus > this.capacityGpus + 1e-9) return false;
    }
    return true;
  }

  /** Books (sign 1) or frees (sign -1) `gpus` over the hours of a run. */
  book(startS: number, durationS: number, gpus: number, sign: 1 | -1): void {
    const [first, end] = this.#hours(startS, durationS);
    for (let hour = first; hour < end && hour < this.#planned.length; hour++) this.#planned[hour]! += sign * gpus;
  }

  /** GPUs planned in the hour containing `timeS`. */
  plannedAt(timeS: number): number {
    const hour = Math.floor((timeS - this.#originS) / hourS);
    return this.#planned[hour] ?? 0;
  }
}

/** A deferrable job's window: from now to its latest start (deadline − expected duration). */
export interface ShiftWindow {
  readonly nowS: number;
  readonly latestStartS: number;
  readonly durationS: number;
  /** GPUs it holds (for the ledger). */
  readonly gpus: number;
}

/** Why a job starts when it does. */
export type ShiftVerdict = "shifted" | "no-slack" | "unknown-now" | "no-gain";

/** The policy's answer for one job. */
export interface ShiftPlan {
  readonly startS: number;
  readonly verdict: ShiftVerdict;
  /** Mean cost over the run if started now, and at `startS` (cost units; NaN when unknown). */
  readonly costNow: number;
  readonly costPlanned: number;
}

/** Options of `planStart`. */
export interface PlanOptions {
  /** A shift must save at least this share of the cost of starting now (default 0.01). */
  readonly minimumGain?: number;
  readonly ledger?: ShiftLedger;
}

/**
 * The start that minimises the job's cost within its window (see the module comment for the rules). The plan does
 * not book the ledger: the caller does once it holds the job.
 */
export function planStart(curve: CostCurve, window: ShiftWindow, options: PlanOptions = {}): ShiftPlan {
  const { nowS, latestStartS, durationS, gpus } = window;
  const spanH = Math.max(durationS, 1) / hourS;
  const meanFrom = (startS: number) =>
    durationS > 0 ? curve.integral(startS, startS + durationS) / spanH : curve.at(startS);
  const costNow = meanFrom(nowS);
  if (!(latestStartS > nowS)) return { startS: nowS, verdict: "no-slack", costNow, costPlanned: costNow };
  if (!Number.isFinite(costNow)) return { startS: nowS, verdict: "unknown-now", costNow, costPlanned: costNow };
  const minimumGain = options.minimumGain ?? 0.01;
  const ledger = options.ledger;
  let bestS = nowS;
  let bestCost = costNow;
  const consider = (startS: number) => {
    if (startS <= nowS || startS > latestStartS) return;
    const cost = meanFrom(startS);
    if (!Number.isFinite(cost)) return;
    // Strictly better by more than rounding: ties keep the earlier start.
    if (cost < bestCost - 1e-9 * Math.max(1, Math.abs(bestCost))) {
      if (ledger !== undefined && !ledger.fits(startS, durationS, gpus)) return;
      bestCost = cost;
      bestS = startS;
    }
  };
  // Candidates in time order, so that among equal costs the earliest wins.
  const origin = curve.series.originS;
  const lastBoundary = Math.min(latestStartS + durationS, curve.endS);
  const candidates: number[] = [latestStartS];
  for (let hour = Math.ceil((nowS - origin) / hourS); origin + hour * hourS <= lastBoundary; hour++) {
    const boundary = origin + hour * hourS;
    candidates.push(boundary, boundary - durationS);
  }
  candidates.sort((a, b) => a - b);
  for (const startS of candidates) consider(startS);
  if (bestS === nowS) return { startS: nowS, verdict: "no-gain", costNow, costPlanned: costNow };
  const gain = costNow - bestCost;
  if (gain < minimumGain * Math.abs(costNow))
    return { startS: nowS, verdict: "no-gain", costNow, costPlanned: costNow };
  return { startS: bestS, verdict: "shifted", costNow, costPlanned: bestCost };
}
