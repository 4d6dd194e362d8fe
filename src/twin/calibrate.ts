/**
 * Calibration and validation of a coolant loop against measured history, with the twin's own loop equations
 * (`loop.ts`): the flow law sets the capacity rate from the loop's heat and supply temperature, the rise over the
 * loads is heat / capacity rate, and the loop's coolant mass lags it (the implicit well-mixed step of the kernel).
 * The model runs at the history's own resolution (one minute for ESIF) and is compared hour by hour, the resolution
 * ASHRAE Guideline 14 sets its hourly criteria at.
 *
 * Fitted: the rise at the reference point, the flow law's heat exponent e and supply tracking h (or only the rise, when
 * the loop's control is declared: the twin's design-rise law or a held return temperature), and the lag's time
 * constant (profiled on a grid, then refined), by Levenberg–Marquardt on the hourly residuals; the `integral` law adds
 * a return controller's integral time, profiled the same way. `auto` chooses the form by leave-one-month-out
 * cross-validation over the calibration months. The capture
 * share (loop heat / total heat) comes from the heat split, when the history carries the total. Identifiability is
 * judged from the Jacobian at the optimum (standard errors, correlations; allowing for autocorrelated hours) and
 * from the lag's likelihood profile.
 */
import { type Static, Type } from "typebox";
import { Value } from "typebox/value";
import { formatPath } from "../model/diagnostics.ts";
import { checkSchema } from "../model/schema-check.ts";
import { type DropCounts, droppedText, historyWhere, type LoopHistory } from "./history.ts";
import {
  type FlowLaw,
  implicitMixedC,
  integralTrimLimit,
  integralTrimStep,
  type LawChoice,
  type LawForm,
  relativeDemandFromLog,
  steadyRiseK,
} from "./loop.ts";
import { failure, type Outcome, success } from "./outcome.ts";

/** An hour is used when its valid samples cover at least this much of it, s. */
export const minimumCoverageS = 2700;
/** Lag time constants tried before refining, s (0 = no lag: the rise follows heat and flow at once). */
export const lagGridS = [0, 60, 180, 600, 1800, 3600, 7200] as const;
/**
 * Integral times tried before refining, s: 6 h, 1 d, 3 d, 10 d and ∞ (no integral action: the fitted law). The
 * refinement works on the gain 1 / T_i, in which ∞ is the ordinary point 0.
 */
export const integralGridS = [21_600, 86_400, 259_200, 864_000, Number.POSITIVE_INFINITY] as const;
/**
 * Start values [e, h], which of [reference rise, e, h] each form fits, and p (Guideline 14: the free ones, the lag
 * and, for `integral`, the integral time).
 */
const formSpecs: Record<
  LawForm,
  { readonly start: readonly [number, number]; readonly free: readonly boolean[]; readonly parameters: number }
> = {
  fitted: { start: [1, 0], free: [true, true, true], parameters: 4 },
  integral: { start: [1, 0], free: [true, true, true], parameters: 5 },
  "held-return": { start: [1, 1], free: [true, false, false], parameters: 2 },
  "design-rise": { start: [1, 0], free: [true, false, false], parameters: 2 },
};
/** A calendar month takes part in the law selection when it has this many used hours (14 days). */
export const selectionMinimumHours = 14 * 24;
/** Mean CV(RMSE)s closer than this (percentage points) are a tie, which the law with fewer parameters wins. */
export const selectionTiePoints = 0.01;
/** Guideline 14's hourly criteria for a calibrated model, percent. */
export const guideline14Hourly = { cvRmse: 30, nmbe: 10 } as const;
/** χ² (1 degree of freedom) at 95 %: the likelihood-ratio bound of a profile interval. */
const chiSquare95 = 3.841;

/** The history on the hours used: observed hourly means and, per sample, the hour it falls in. */
export interface HourlyData {
  /** Start of each used hour, s. */
  readonly hourS: Float64Array;
  /** Observed mean rise (return − supply) of each hour, K. */
  readonly riseK: Float64Array;
  readonly heatKw: Float64Array;
  readonly supplyC: Float64Array;
  /** Mean total heat, NaN when any of the hour's samples lacks it. */
  readonly totalKw: Float64Array;
  /** Per sample: index of its hour among the used hours, or −1. */
  readonly sampleHour: Int32Array;
  /** Per used hour: the sample time it covers, s. */
  readonly weightS: Float64Array;
  /** Hours with some samples but too little coverage. */
  readonly droppedHours: number;
}

/** Groups samples into clock hours and keeps the hours covered for at least `minimumCoverageS`. */
export function hourlyData(history: LoopHistory): HourlyData {
  const count = history.timeS.length;
  const hourOf = new Float64Array(count);
  const coverage = new Map<number, number>();
  for (let sample = 0; sample < count; sample++) {
    const hour = Math.floor(history.timeS[sample]! / 3600) * 3600;
    hourOf[sample] = hour;
    coverage.set(hour, (coverage.get(hour) ?? 0) + history.weightS[sample]!);
  }
  const used = [...coverage].filter(([, seconds]) => seconds >= minimumCoverageS).map(([hour]) => hour);
  used.sort((a, b) => a - b);
  const index = new Map(used.map((hour, position) => [hour, position]));
  const hours = used.length;
  const sums = { rise: new Float64Array(hours), heat: new Float64Array(hours), supply: new Float64Array(hours) };
  const total = new Float64Array(hours);
  const weight = new Float64Array(hours);
  const sampleHour = new Int32Array(count).fill(-1);
  for (let sample = 0; sample < count; sample++) {
    const position = index.get(hourOf[sample]!);
    if (position === undefined) continue;
    sampleHour[sample] = position;
    const w = history.weightS[sample]!;
    weight[position]! += w;
    sums.rise[position]! += w * (history.returnC[sample]! - history.supplyC[sample]!);
    sums.heat[position]! += w * history.heatKw[sample]!;
    sums.supply[position]! += w * history.supplyC[sample]!;
    total[position]! += w * history.totalKw[sample]!;
  }
  for (let hour = 0; hour < hours; hour++) {
    const w = weight[hour]!;
    sums.rise[hour]! /= w;
    sums.heat[hour]! /= w;
    sums.supply[hour]! /= w;
    total[hour]! /= w;
  }
  return {
    hourS: Float64Array.from(used),
    riseK: sums.rise,
    heatKw: sums.heat,
    supplyC: sums.supply,
    totalKw: total,
    sampleHour,
    weightS: weight,
    droppedHours: coverage.size - hours,
  };
}

/** The rise model's parameters: the flow law, the lag's time constant and (optionally) the integral trim. */
export interface RiseModel {
  readonly law: FlowLaw;
  /** Time constant of the loop's coolant mass at the reference capacity rate, s (C / G_ref). */
  readonly timeConstantS: number;
  /** Integral time of the return-temperature trim, s; absent or ∞ = none (the law alone). */
  readonly integralTimeS?: number;
}

/** ln(Q) of each sample of a history, computed once per history (a fit evaluates the law hundreds of times). */
const logHeatCache = new WeakMap<Float64Array, Float64Array>();

/** ln of each sample's loop heat (−∞ or NaN where the heat is not positive: `relativeDemandFromLog` skips those). */
function logHeatOf(history: LoopHistory): Float64Array {
  let logHeat = logHeatCache.get(history.heatKw);
  if (logHeat === undefined) {
    logHeat = history.heatKw.map(Math.log);
    logHeatCache.set(history.heatKw, logHeat);
  }
  return logHeat;
}

/**
 * Predicted hourly mean rise under `model`, written into `out`: the loop stepped sample by sample (restarting at
 * steady state after a gap), averaged over each hour with the weights of the observed mean. With an integral time,
 * the law's capacity rate is trimmed by exp(z), z integrating the model's own return error against the reference
 * return (T_ref + R_ref). z is the controller's state, not the coolant's: it starts at 0 and persists across gaps
 * (a controller keeps its output while a logger is down), integrating over the time each sample stands for.
 */
export function predictHourlyRise(history: LoopHistory, hourly: HourlyData, model: RiseModel, out: Float64Array): void {
  const { law, timeConstantS } = model;
  const integralTimeS = model.integralTimeS ?? Number.POSITIVE_INFINITY;
  const integral = integralTimeS < Number.POSITIVE_INFINITY;
  const setpointC = law.referenceSupplyC + law.referenceRiseK;
  let trim = 0;
  const referenceRate = law.referenceHeatKw / law.referenceRiseK;
  // Heat capacity of the coolant mass, kJ/K: fixed by the loop, so its time constant shortens as flow rises.
  const capacityKjPerK = timeConstantS * referenceRate;
  const { timeS, weightS, supplyC, heatKw } = history;
  const logHeat = logHeatOf(history);
  const logReference = Math.log(law.referenceHeatKw);
  const sampleHour = hourly.sampleHour;
  out.fill(0);
  let returnC = Number.NaN;
  for (let sample = 0; sample < timeS.length; sample++) {
    const heat = heatKw[sample]!;
    const supply = supplyC[sample]!;
    const demand = relativeDemandFromLog(law, heat, logHeat[sample]! - logReference, supply);
    // Without integral action the law's rate is used as it is, so T_i = ∞ is the law alone bit for bit.
    const rate = integral ? referenceRate * demand * Math.exp(trim) : referenceRate * demand;
    const stepS = sample === 0 ? Number.POSITIVE_INFINITY : timeS[sample]! - timeS[sample - 1]!;
    if (capacityKjPerK <= 0 || stepS > history.maxGapS || Number.isNaN(returnC)) {
      returnC = supply + heat / rate;
    } else {
      returnC = implicitMixedC(returnC, heat, rate, supply, capacityKjPerK / stepS);
    }
    if (integral)
      trim = integralTrimStep(trim, returnC, setpointC, law.referenceRiseK, integralTimeS, weightS[sample]!);
    const hour = sampleHour[sample]!;
    if (hour >= 0) out[hour]! += weightS[sample]! * (returnC - supply);
  }
  for (let hour = 0; hour < out.length; hour++) out[hour]! /= hourly.weightS[hour]!;
}

/** Guideline 14 goodness of fit, percent. */
export interface FitStatistics {
  readonly cvRmse: number;
  readonly nmbe: number;
}

/**
 * CV(RMSE) and NMBE as ASHRAE Guideline 14-2014 defines them for calibrated models, both over n − p degrees of
 * freedom (p = the model's fitted parameters), relative to the measured mean ȳ, in percent:
 * CV(RMSE) = 100 · √(Σ(yᵢ − ŷᵢ)² / (n − p)) / ȳ and NMBE = 100 · Σ(yᵢ − ŷᵢ) / ((n − p) · ȳ). The sign is the
 * Guideline's, measured minus modelled: a positive NMBE means the model under-predicts.
 */
export function guideline14(
  observed: ArrayLike<number>,
  predicted: ArrayLike<number>,
  parameters: number,
): FitStatistics {
  const n = observed.length;
  if (n <= parameters) return { cvRmse: Number.NaN, nmbe: Number.NaN };
  let sum = 0;
  let squares = 0;
  let bias = 0;
  for (let index = 0; index < n; index++) {
    const error = observed[index]! - predicted[index]!;
    sum += observed[index]!;
    squares += error * error;
    bias += error;
  }
  const mean = sum / n;
  const dof = n - parameters;
  return { cvRmse: (100 * Math.sqrt(squares / dof)) / mean, nmbe: (100 * bias) / (dof * mean) };
}

// ─── Small dense linear algebra for 1–4 parameters ───────────────────────────────────────────────────────────────

/** Solves A x = b (A n×n, row-major) by Gaussian elimination with partial pivoting; undefined if singular. */
function solve(matrix: readonly number[][], vector: readonly number[]): number[] | undefined {
  const n = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index]!]);
  for (let column = 0; column < n; column++) {
    let pivot = column;
    for (let row = column + 1; row < n; row++)
      if (Math.abs(a[row]![column]!) > Math.abs(a[pivot]![column]!)) pivot = row;
    if (Math.abs(a[pivot]![column]!) < 1e-300) return undefined;
    [a[column], a[pivot]] = [a[pivot]!, a[column]!];
    for (let row = column + 1; row < n; row++) {
      const factor = a[row]![column]! / a[column]![column]!;
      for (let k = column; k <= n; k++) a[row]![k]! -= factor * a[column]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let value = a[row]![n]!;
    for (let k = row + 1; k < n; k++) value -= a[row]![k]! * x[k]!;
    x[row] = value / a[row]![row]!;
  }
  return x;
}

function normalMatrix(jacobian: readonly Float64Array[]): number[][] {
  return jacobian.map((a) => jacobian.map((b) => a.reduce((sum, value, index) => sum + value * b[index]!, 0)));
}

function sumOfSquares(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value * value;
  return sum;
}

/**
 * Levenberg–Marquardt on `residuals(x)` (observed − modelled) from `start`, with forward-difference derivatives of
 * step `steps[j]`. Returns the parameters and the sum of squares at the optimum.
 */
function levenbergMarquardt(
  residuals: (x: readonly number[]) => Float64Array,
  start: readonly number[],
  steps: readonly number[],
): { x: number[]; sse: number } {
  let x = [...start];
  let r = residuals(x);
  let sse = sumOfSquares(r);
  let lambda = 1e-3;
  for (let iteration = 0; iteration < 60; iteration++) {
    const jacobian = x.map((_, j) => {
      const moved = [...x];
      moved[j]! += steps[j]!;
      const shifted = residuals(moved);
      return shifted.map((value, index) => (value - r[index]!) / steps[j]!);
    });
    const normal = normalMatrix(jacobian);
    const gradient = jacobian.map((column) => column.reduce((sum, value, index) => sum + value * r[index]!, 0));
    let improved = false;
    for (let attempt = 0; attempt < 12 && !improved; attempt++) {
      const damped = normal.map((row, i) => row.map((value, j) => (i === j ? value * (1 + lambda) + 1e-12 : value)));
      const delta = solve(
        damped,
        gradient.map((value) => -value),
      );
      if (delta === undefined) {
        lambda *= 10;
        continue;
      }
      const candidate = x.map((value, j) => value + delta[j]!);
      const candidateR = residuals(candidate);
      const candidateSse = sumOfSquares(candidateR);
      if (Number.isFinite(candidateSse) && candidateSse < sse) {
        const gain = (sse - candidateSse) / sse;
        x = candidate;
        r = candidateR;
        sse = candidateSse;
        lambda = Math.max(1e-9, lambda / 5);
        improved = true;
        if (gain < 1e-10) return { x, sse };
      } else lambda *= 10;
    }
    if (!improved) break;
  }
  return { x, sse };
}

// ─── Calibration ─────────────────────────────────────────────────────────────────────────────────────────────────

const LawFormSchema = Type.Union([
  Type.Literal("fitted"),
  Type.Literal("integral"),
  Type.Literal("held-return"),
  Type.Literal("design-rise"),
]);

/** Schema of `--law auto`'s record: the months used, every candidate's fold scores, and the choice. */
export const SelectionSchema = Type.Object({
  /** The rule, in words. */
  rule: Type.String(),
  /** Calendar months of the calibration history (YYYY-MM) with their used hours; folds are those with ≥ 14 days. */
  months: Type.Array(Type.Object({ month: Type.String(), hours: Type.Integer({ minimum: 0 }) })),
  candidates: Type.Array(
    Type.Object({
      form: LawFormSchema,
      parameters: Type.Integer({ minimum: 1 }),
      /** CV(RMSE) and NMBE on each left-out month, fitted on the others, percent (null: not computable). */
      folds: Type.Array(
        Type.Object({
          month: Type.String(),
          cvRmse: Type.Union([Type.Number(), Type.Null()]),
          nmbe: Type.Union([Type.Number(), Type.Null()]),
          /** The `integral` candidate's integral time fitted in this fold, s (null = ∞). */
          integralTimeS: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        }),
      ),
      meanCvRmse: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  chosen: LawFormSchema,
  /** Why there was no selection (too few months), or null. */
  note: Type.Union([Type.String(), Type.Null()]),
});
/** `--law auto`'s record in params.json. */
export type LawSelection = Static<typeof SelectionSchema>;

/** A statistic that may not be computable (too few hours): null. */
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/**
 * Schema of the stability check across calibration months: is the loop's behaviour the same from month to month, so
 * that a law fitted on some months can be trusted on others? Guideline 14 and IPMVP call a change of operation inside
 * or after a baseline period a non-routine event; a calibration that spans one predicts neither side well.
 */
export const StabilitySchema = Type.Object({
  /** The rule, in words. */
  rule: Type.String(),
  /** The calibration's law fitted on the other months and scored on each month (CV(RMSE), NMBE, percent). */
  monthOut: Type.Array(Type.Object({ month: Type.String(), cvRmse: NullableNumber, nmbe: NullableNumber })),
  /** The fitted law on each month alone: its e and h with standard errors, and its rise at the pooled reference. */
  months: Type.Array(
    Type.Object({
      month: Type.String(),
      hours: Type.Integer({ minimum: 0 }),
      /** The month's law evaluated at the whole period's mean heat and supply, K. */
      riseAtReferenceK: NullableNumber,
      heatExponent: Type.Number(),
      heatExponentSe: NullableNumber,
      supplyTracking: Type.Number(),
      supplyTrackingSe: NullableNumber,
    }),
  ),
  /** Pairs of months whose e or h differ by more than `zBound` standard errors of the difference and by 0.1 or more. */
  changes: Type.Array(
    Type.Object({
      parameter: Type.Union([Type.Literal("heatExponent"), Type.Literal("supplyTracking")]),
      from: Type.String(),
      to: Type.String(),
      z: Type.Number(),
    }),
  ),
  /** The two-sided 95 % bound on |z|, Bonferroni-corrected for the number of comparisons. */
  zBound: NullableNumber,
  /**
   * When the months disagree: the day from which the rise departs most from the law fitted on the whole period (mean
   * of each day's relative residual, observed / modelled − 1, before and after, percent), where a `--from` or `--to`
   * would split the history. Absent when the months agree or were not checked.
   */
  shift: Type.Optional(Type.Object({ at: Type.String(), beforePercent: Type.Number(), afterPercent: Type.Number() })),
  /** Every month-out score within the unseen-month targets; null when fewer than two months could be checked. */
  stable: Type.Union([Type.Boolean(), Type.Null()]),
  /** What the check found, in a sentence or two. */
  note: Type.String(),
});
/** The stability check's record in params.json. */
export type Stability = Static<typeof StabilitySchema>;

/** Schema of a loop calibration (the `params.json` that `twin calibrate` writes and `twin validate` reads). */
export const LoopCalibrationSchema = Type.Object({
  kind: Type.Literal("alixan/loop-calibration"),
  version: Type.Literal(1),
  loop: Type.Union([Type.Literal("liquid"), Type.Literal("air")]),
  period: Type.Object({ from: Type.String(), to: Type.String() }),
  hours: Type.Object({ used: Type.Integer({ minimum: 0 }), dropped: Type.Integer({ minimum: 0 }) }),
  rows: Type.Object({
    read: Type.Integer({ minimum: 0 }),
    dropped: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  }),
  flowLaw: Type.Object({
    referenceHeatKw: Type.Number({ exclusiveMinimum: 0 }),
    referenceSupplyC: Type.Number(),
    referenceRiseK: Type.Number({ exclusiveMinimum: 0 }),
    heatExponent: Type.Number(),
    supplyTracking: Type.Number(),
  }),
  lawForm: LawFormSchema,
  /** The integral trim of the `integral` law (absent for the other forms). */
  integralControl: Type.Optional(
    Type.Object({
      /** Integral time T_i, s; null = ∞ (the data chose no integral action: the fitted law). */
      integralTimeS: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
      /** The return set-point the trim pulls towards, T_ref + R_ref, °C. */
      setpointC: Type.Number(),
      /** Bound on |z| (anti-windup): the trim multiplies the law's flow by at most exp(trimLimit). */
      trimLimit: Type.Number({ exclusiveMinimum: 0 }),
    }),
  ),
  /** How `--law auto` chose the form (absent when the form was given). */
  selection: Type.Optional(SelectionSchema),
  /** Whether the chosen law holds from month to month of the calibration (absent in files from before the check). */
  stability: Type.Optional(StabilitySchema),
  thermalLag: Type.Object({
    timeConstantS: Type.Number({ minimum: 0 }),
    heatCapacityKjPerK: Type.Number({ minimum: 0 }),
  }),
  captureShare: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  baselineRiseK: Type.Number({ exclusiveMinimum: 0 }),
  twinLaw: Type.Object({ designRiseK: Type.Number({ exclusiveMinimum: 0 }) }),
  parameters: Type.Integer({ minimum: 1 }),
  fit: Type.Object({
    cvRmse: Type.Number(),
    nmbe: Type.Number(),
    baseline: Type.Object({ cvRmse: Type.Number(), nmbe: Type.Number() }),
    twinLaw: Type.Object({ cvRmse: Type.Number(), nmbe: Type.Number() }),
  }),
  identifiability: Type.Object({
    effectiveHours: Type.Number(),
    standardErrors: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
    correlations: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
    lagProfile: Type.Array(Type.Object({ timeConstantS: Type.Number(), sseRatio: Type.Number() })),
    lagInterval95S: Type.Object({ low: Type.Number(), high: Type.Union([Type.Number(), Type.Null()]) }),
    /** The integral time's profile (the `integral` law): integralTimeS null = ∞. */
    integralProfile: Type.Optional(
      Type.Array(Type.Object({ integralTimeS: Type.Union([Type.Number(), Type.Null()]), sseRatio: Type.Number() })),
    ),
    notes: Type.Array(Type.String()),
  }),
});
/** A loop calibration, as written to and read from `params.json`. */
export type LoopCalibration = Static<typeof LoopCalibrationSchema>;

/** Checks a parsed `params.json`; the error names the first bad field (`params.flowLaw.heatExponent`). */
export function checkCalibration(value: unknown, name: string): Outcome<LoopCalibration> {
  if (Value.Check(LoopCalibrationSchema, value)) {
    if (value.lawForm === "integral" && value.integralControl === undefined) {
      return failure(`${name}: params.integralControl: required by lawForm "integral"`);
    }
    return success(value);
  }
  const first = checkSchema(LoopCalibrationSchema, value, { nullIsAbsent: false }).problems[0];
  const path = first === undefined || first.path.length === 0 ? "" : `.${formatPath(first.path)}`;
  return failure(`${name}: params${path}: ${first?.message ?? "not a loop calibration"}`);
}

/** The reference point of a fit: the calibration period's mean heat (kW) and supply temperature (°C). */
type Reference = { readonly heatKw: number; readonly supplyC: number };

const parameterNames = ["referenceRiseK", "heatExponent", "supplyTracking", "timeConstantS"] as const;

function modelOf(
  reference: Reference,
  x: readonly number[],
  lagS: number,
  integralTimeS = Number.POSITIVE_INFINITY,
): RiseModel {
  return {
    integralTimeS,
    law: {
      referenceHeatKw: reference.heatKw,
      referenceSupplyC: reference.supplyC,
      referenceRiseK: x[0]!,
      heatExponent: x[1]!,
      supplyTracking: x[2]!,
    },
    timeConstantS: lagS,
  };
}

/** Weighted mean of an hourly series over the used hours. */
function meanOf(values: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let weight = 0;
  for (let index = 0; index < values.length; index++) {
    sum += values[index]! * weights[index]!;
    weight += weights[index]!;
  }
  return sum / weight;
}

/** Lag-1 autocorrelation of residuals: hourly errors persist, so n hours carry less than n hours of evidence. */
function lagOneCorrelation(residuals: Float64Array): number {
  const n = residuals.length;
  const mean = residuals.reduce((sum, value) => sum + value, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (let index = 0; index < n; index++) {
    const centred = residuals[index]! - mean;
    denominator += centred * centred;
    if (index > 0) numerator += centred * (residuals[index - 1]! - mean);
  }
  return denominator > 0 ? numerator / denominator : 0;
}

/** Fits the flow law at a fixed lag (and integral time); `start` is [reference rise, e, h], `free` says which move. */
function fitAtLag(
  history: LoopHistory,
  hourly: HourlyData,
  reference: Reference,
  lagS: number,
  start: readonly number[],
  free: readonly boolean[],
  integralTimeS = Number.POSITIVE_INFINITY,
): { x: number[]; sse: number } {
  const predicted = new Float64Array(hourly.riseK.length);
  const fixed = [...start];
  const indexes = free.flatMap((isFree, index) => (isFree ? [index] : []));
  const residuals = (y: readonly number[]) => {
    const x = [...fixed];
    indexes.forEach((index, position) => {
      x[index] = y[position]!;
    });
    if (!(x[0]! > 0)) return new Float64Array(hourly.riseK.length).fill(Number.POSITIVE_INFINITY);
    predictHourlyRise(history, hourly, modelOf(reference, x, lagS, integralTimeS), predicted);
    return hourly.riseK.map((value, index) => value - predicted[index]!);
  };
  const steps = [1e-4 * Math.max(1, start[0]!), 1e-4, 1e-4];
  const fit = levenbergMarquardt(
    residuals,
    indexes.map((index) => start[index]!),
    indexes.map((index) => steps[index]!),
  );
  const x = [...fixed];
  indexes.forEach((index, position) => {
    x[index] = fit.x[position]!;
  });
  return { x, sse: fit.sse };
}

/** Golden-section search of `evaluate` between `low` and `high` (ten evaluations); the caller keeps the best point. */
function goldenSection(low: number, high: number, evaluate: (value: number) => number): void {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = evaluate(a);
  let fb = evaluate(b);
  for (let iteration = 0; iteration < 8; iteration++) {
    if (fa < fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = evaluate(a);
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = evaluate(b);
    }
  }
}

/** A point of a one-parameter profile: the parameter's value, the fit's sum of squares and its law parameters. */
interface ProfilePoint {
  readonly value: number;
  readonly sse: number;
  readonly x: number[];
}

/**
 * A one-parameter profile (the lag, the integral gain): a fit at each grid value, each warm-started where the one
 * before ended (after `known`, a point already fitted, when given), then golden-section refinement between the best
 * grid point's neighbours, each refinement warm-started from the best point so far. Points come back sorted by value.
 */
function profileSearch(
  grid: readonly number[],
  start: readonly number[],
  fitAt: (value: number, warm: readonly number[]) => { x: number[]; sse: number },
  known?: ProfilePoint,
): { best: ProfilePoint; profile: ProfilePoint[] } {
  const profile: ProfilePoint[] = known === undefined ? [] : [known];
  let warm = known === undefined ? [...start] : known.x;
  for (const value of grid) {
    const fit = fitAt(value, warm);
    profile.push({ value, sse: fit.sse, x: fit.x });
    warm = fit.x;
  }
  let best = profile.reduce((a, b) => (b.sse < a.sse ? b : a));
  const at = profile.indexOf(best);
  goldenSection(profile[Math.max(0, at - 1)]!.value, profile[Math.min(profile.length - 1, at + 1)]!.value, (value) => {
    const fit = fitAt(value, best.x);
    const point = { value, sse: fit.sse, x: fit.x };
    profile.push(point);
    if (point.sse < best.sse) best = point;
    return point.sse;
  });
  profile.sort((p, q) => p.value - q.value);
  return { best, profile };
}

/** Searches the lag: the grid `lagGridS`, then refinement (`profileSearch`). */
function fitLag(
  history: LoopHistory,
  hourly: HourlyData,
  reference: Reference,
  start: readonly number[],
  free: readonly boolean[],
  integralTimeS = Number.POSITIVE_INFINITY,
): { x: number[]; lagS: number; sse: number; profile: { timeConstantS: number; sse: number }[] } {
  const { best, profile } = profileSearch(lagGridS, start, (lagS, warm) =>
    fitAtLag(history, hourly, reference, lagS, warm, free, integralTimeS),
  );
  return {
    x: best.x,
    lagS: best.value,
    sse: best.sse,
    profile: profile.map(({ value, sse }) => ({ timeConstantS: value, sse })),
  };
}

/** A law form fitted to a history: the law's parameters, the lag, the integral time and the profiles behind them. */
interface FormFit {
  readonly form: LawForm;
  readonly reference: Reference;
  /** [reference rise, e, h]. */
  readonly x: number[];
  readonly lagS: number;
  /** ∞ for every form but `integral` (and for `integral` when the data choose no integral action). */
  readonly integralTimeS: number;
  readonly sse: number;
  readonly profile: { timeConstantS: number; sse: number }[];
  readonly integralProfile?: { integralTimeS: number; sse: number }[];
}

/** Fits one law form; `integral` starts from the fitted law's fit, given as `fitted` when the caller has it. */
function fitForm(history: LoopHistory, hourly: HourlyData, form: LawForm, fitted?: FormFit): FormFit {
  const reference = { heatKw: meanOf(hourly.heatKw, hourly.weightS), supplyC: meanOf(hourly.supplyC, hourly.weightS) };
  const spec = formSpecs[form];
  const infinite = Number.POSITIVE_INFINITY;
  if (form !== "integral") {
    // A fitted law starts from the twin's own (e = 1, h = 0); a declared one is held at its e and h.
    const start = [meanOf(hourly.riseK, hourly.weightS), ...spec.start];
    const fit = fitLag(history, hourly, reference, start, spec.free);
    return { form, reference, x: fit.x, lagS: fit.lagS, integralTimeS: infinite, sse: fit.sse, profile: fit.profile };
  }
  const law = fitted ?? fitForm(history, hourly, "fitted");
  const search = fitIntegralTime(history, hourly, law);
  if (search.integralTimeS === infinite) return { ...law, form, integralProfile: search.profile };
  // The lag is profiled again at the chosen integral time (the two act on time scales an order of magnitude apart).
  const fit = fitLag(history, hourly, reference, search.x, spec.free, search.integralTimeS);
  return {
    form,
    reference,
    x: fit.x,
    lagS: fit.lagS,
    integralTimeS: search.integralTimeS,
    sse: fit.sse,
    profile: fit.profile,
    integralProfile: search.profile,
  };
}

/**
 * Searches the integral time at the fitted law's lag, like the lag: the grid `integralGridS` (∞ is the fitted law's
 * own fit, reused), then golden-section refinement between the best point's neighbours on the gain 1 / T_i.
 */
function fitIntegralTime(
  history: LoopHistory,
  hourly: HourlyData,
  law: FormFit,
): { x: number[]; integralTimeS: number; profile: { integralTimeS: number; sse: number }[] } {
  const free = formSpecs.integral.free;
  const timeOf = (gain: number) => (gain > 0 ? 1 / gain : Number.POSITIVE_INFINITY);
  // In the gain 1 / T_i, from the slowest trim to the fastest; ∞ (gain 0) is the fitted law's own fit.
  const gains = [...integralGridS]
    .reverse()
    .slice(1)
    .map((integralTimeS) => 1 / integralTimeS);
  const { best, profile } = profileSearch(
    gains,
    law.x,
    (gain, warm) => fitAtLag(history, hourly, law.reference, law.lagS, warm, free, timeOf(gain)),
    { value: 0, sse: law.sse, x: law.x },
  );
  return {
    x: best.x,
    integralTimeS: timeOf(best.value),
    profile: profile.map(({ value, sse }) => ({ integralTimeS: timeOf(value), sse })),
  };
}

/** The rise model of a fit. */
function modelOfFit(fit: FormFit): RiseModel {
  return modelOf(fit.reference, fit.x, fit.lagS, fit.integralTimeS);
}

/** A statistic as params.json and the validation record keep it: null where it is not finite (∞, NaN). */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Calendar month (YYYY-MM) of a clock time in seconds. */
function monthOf(timeS: number): string {
  return new Date(timeS * 1000).toISOString().slice(0, 7);
}

/** Forms in the order a tie goes: fewer parameters first, then the order of `lawForms`. */
const formsByParameters = (Object.keys(formSpecs) as LawForm[]).sort(
  (a, b) => formSpecs[a].parameters - formSpecs[b].parameters,
);

/** The calendar months of the used hours with their counts, and those with enough hours to be a fold. */
function calendarMonths(hourly: HourlyData): { months: { month: string; hours: number }[]; folds: string[] } {
  const counts = new Map<string, number>();
  for (const hourS of hourly.hourS) counts.set(monthOf(hourS), (counts.get(monthOf(hourS)) ?? 0) + 1);
  const months = [...counts].map(([month, hours]) => ({ month, hours }));
  return { months, folds: months.filter((month) => month.hours >= selectionMinimumHours).map(({ month }) => month) };
}

/** One month-out score of one form. */
type FoldScore = LawSelection["candidates"][number]["folds"][number];

/**
 * Each form of `forms` fitted on every month but one and scored (CV(RMSE), NMBE; Guideline 14 with the form's own p)
 * on the month left out, its state starting afresh as in `twin validate`.
 */
function monthOutScores(
  history: LoopHistory,
  folds: readonly string[],
  forms: readonly LawForm[],
  counter?: FitCounter,
) {
  const scores = new Map<LawForm, FoldScore[]>(forms.map((form) => [form, []]));
  for (const month of folds) {
    const train = historyWhere(history, (timeS) => monthOf(timeS) !== month);
    const test = historyWhere(history, (timeS) => monthOf(timeS) === month);
    const [trainHourly, testHourly] = [hourlyData(train), hourlyData(test)];
    const predicted = new Float64Array(testHourly.riseK.length);
    // The integral law starts from the fitted law's fit, so the fitted law is fitted once per fold.
    const fitted = fitForm(train, trainHourly, "fitted");
    for (const form of forms) {
      const fit = form === "fitted" ? fitted : fitForm(train, trainHourly, form, fitted);
      predictHourlyRise(test, testHourly, modelOfFit(fit), predicted);
      const { cvRmse, nmbe } = guideline14(testHourly.riseK, predicted, formSpecs[form].parameters);
      scores.get(form)!.push({
        month,
        cvRmse: finiteOrNull(cvRmse),
        nmbe: finiteOrNull(nmbe),
        ...(form === "integral" ? { integralTimeS: finiteOrNull(fit.integralTimeS) } : {}),
      });
    }
    counter?.step(`${month} left out`);
  }
  return scores;
}

/**
 * Reports a calibration's progress: `done` of `total` fits (a fold of the month-out check, the final fit, a month
 * alone), `stage` saying which. A calibration over a year of minutes runs for minutes; the CLI draws it as a bar.
 */
export type CalibrationProgress = (done: number, total: number, stage: string) => void;

/** Counts a calibration's fits against a total fixed at its start, and reports each one done. */
class FitCounter {
  #done = 0;
  /** Total fits this calibration runs. */
  readonly total: number;
  readonly #report: CalibrationProgress | undefined;
  /** Starts at zero of `total` fits (reported at once, so a bar shows from the start). */
  constructor(total: number, report: CalibrationProgress | undefined) {
    this.total = total;
    this.#report = report;
    report?.(0, total, "starting");
  }
  /** One fit (or fold) done. */
  step(stage: string): void {
    this.#done += 1;
    this.#report?.(this.#done, this.total, stage);
  }
}

/**
 * `--law auto`: leave-one-month-out over the calendar months with at least `selectionMinimumHours` used hours. Each
 * candidate form is fitted on the other months and scored on the month left out (`monthOutScores`); the lowest mean
 * CV(RMSE) wins, a tie (within `selectionTiePoints`) going to fewer parameters. Fewer than two such months: the
 * fitted law, with a note.
 */
function selectLaw(history: LoopHistory, hourly: HourlyData, counter: FitCounter): LawSelection {
  const { months, folds } = calendarMonths(hourly);
  const rule = `leave-one-month-out over the months with ≥ ${selectionMinimumHours / 24} days of used hours; lowest mean CV(RMSE) on the month left out; a tie (within ${selectionTiePoints} points) goes to fewer parameters`;
  if (folds.length < 2) {
    return {
      rule,
      months,
      candidates: [],
      chosen: "fitted",
      note: `${folds.length === 0 ? "no calendar month has" : `only ${folds[0]} has`} ${selectionMinimumHours / 24} days of used hours; leave-one-month-out needs two: the fitted law is used without selection`,
    };
  }
  const scores = monthOutScores(history, folds, formsByParameters, counter);
  const candidates = formsByParameters.map((form) => {
    const values = scores.get(form)!.map((fold) => fold.cvRmse);
    const mean = values.some((value) => value === null)
      ? null
      : values.reduce((sum: number, value) => sum + value!, 0) / values.length;
    return { form, parameters: formSpecs[form].parameters, folds: scores.get(form)!, meanCvRmse: mean };
  });
  const lowest = Math.min(...candidates.map((candidate) => candidate.meanCvRmse ?? Number.POSITIVE_INFINITY));
  // Candidates are in tie order, so the first within the tie band of the lowest is the choice.
  const chosen = !Number.isFinite(lowest)
    ? "fitted"
    : (candidates.find((candidate) => (candidate.meanCvRmse ?? Number.POSITIVE_INFINITY) <= lowest + selectionTiePoints)
        ?.form ?? "fitted");
  return { rule, months, candidates, chosen, note: null };
}

/**
 * Smallest difference in e or h between months that the stability check reports: with months of dense data a
 * difference of 0.004 can be "significant" yet mean nothing. 0.1 in h moves the rise by 0.1 K per kelvin of supply
 * change (1 % of a 10 K rise); 0.1 in e moves it by about 1 % per 10 % change of heat.
 */
export const materialLawChange = 0.1;

/**
 * Standard normal quantile Φ⁻¹(p), 0 < p < 1: P. J. Acklam's rational approximation (relative error < 1.2e-9),
 * enough for a test bound.
 */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * Whether the law holds from month to month: the chosen form's month-out scores (the selection's folds, or computed
 * here when the form was given), judged against the unseen-month targets, and the fitted law on each month alone,
 * whose e and h are compared pair by pair (z of the difference, standard errors allowing for autocorrelated hours,
 * two-sided 95 % with a Bonferroni correction over all pairs and both parameters; differences below
 * `materialLawChange` are not reported however significant).
 */
function checkStability(
  history: LoopHistory,
  hourly: HourlyData,
  form: LawForm,
  selection: LawSelection | undefined,
  predicted: Float64Array,
  counter: FitCounter,
): Stability {
  const { folds } = calendarMonths(hourly);
  const rule = `the ${form} law, fitted on the other months, scored on each month with ≥ ${selectionMinimumHours / 24} days of used hours against the unseen-month targets (CV(RMSE) ≤ ${unseenMonthTargets.cvRmse} %, |NMBE| ≤ ${unseenMonthTargets.nmbe} %); the fitted law's e and h on each month alone, compared pair by pair (a change: beyond the Bonferroni-corrected 95 % bound and by ≥ ${materialLawChange})`;
  if (folds.length < 2) {
    const note = `${folds.length === 0 ? "no calendar month has" : `only ${folds[0]} has`} ${selectionMinimumHours / 24} days of used hours: whether the law holds from month to month is not checked`;
    return { rule, monthOut: [], months: [], changes: [], zBound: null, stable: null, note };
  }
  const chosenFolds =
    selection?.candidates.find((candidate) => candidate.form === form)?.folds ??
    monthOutScores(history, folds, [form], counter).get(form)!;
  const monthOut = chosenFolds.map(({ month, cvRmse, nmbe }) => ({ month, cvRmse, nmbe }));
  const pooled = { heatKw: meanOf(hourly.heatKw, hourly.weightS), supplyC: meanOf(hourly.supplyC, hourly.weightS) };
  const months = folds.map((month) => {
    const alone = historyWhere(history, (timeS) => monthOf(timeS) === month);
    const aloneHourly = hourlyData(alone);
    const fit = fitForm(alone, aloneHourly, "fitted");
    const spec = formSpecs.fitted;
    const errors = identifiability(alone, aloneHourly, { ...fit, ...spec }, false).standardErrors;
    const rise = steadyRiseK(modelOfFit(fit).law, pooled.heatKw, pooled.supplyC);
    counter.step(`${month} alone`);
    return {
      month,
      hours: aloneHourly.riseK.length,
      riseAtReferenceK: Number.isFinite(rise) ? rise : null,
      heatExponent: fit.x[1]!,
      heatExponentSe: errors["heatExponent"] ?? null,
      supplyTracking: fit.x[2]!,
      supplyTrackingSe: errors["supplyTracking"] ?? null,
    };
  });
  const parameters = ["heatExponent", "supplyTracking"] as const;
  const comparisons = ((folds.length * (folds.length - 1)) / 2) * parameters.length;
  const zBound = normalQuantile(1 - 0.05 / (2 * comparisons));
  const changes: Stability["changes"] = [];
  months.forEach((first, i) => {
    for (const second of months.slice(i + 1)) {
      for (const parameter of parameters) {
        const [se1, se2] = [first[`${parameter}Se`], second[`${parameter}Se`]];
        if (se1 === null || se2 === null) continue;
        const z = (second[parameter] - first[parameter]) / Math.sqrt(se1 ** 2 + se2 ** 2);
        const material = Math.abs(second[parameter] - first[parameter]) >= materialLawChange;
        if (material && Math.abs(z) > zBound) changes.push({ parameter, from: first.month, to: second.month, z });
      }
    }
  });
  const misses = monthOut.filter(
    (fold) =>
      fold.cvRmse === null ||
      fold.nmbe === null ||
      fold.cvRmse > unseenMonthTargets.cvRmse ||
      Math.abs(fold.nmbe) > unseenMonthTargets.nmbe,
  );
  const stable = misses.length === 0;
  const shift = stable ? undefined : largestShift(hourly, predicted);
  const note = stabilityNote(form, monthOut, misses, months, changes, shift);
  return { rule, monthOut, months, changes, zBound, ...(shift === undefined ? {} : { shift }), stable, note };
}

/** Fewest days on each side of a split `largestShift` considers. */
const shiftMinimumDays = 7;

/**
 * The day from which the hourly rise departs most from the law's prediction: each day's mean relative residual
 * (days with 12 used hours or more), split where the difference of the means before and after, weighted by
 * √(n₁ n₂ / n), is largest (the standardised CUSUM split), at least `shiftMinimumDays` days each side. Undefined
 * with too few days. A location, not a test: it is reported only when the months already disagree.
 */
function largestShift(hourly: HourlyData, predicted: Float64Array): Stability["shift"] {
  const byDay = new Map<number, { sum: number; hours: number }>();
  for (let hour = 0; hour < hourly.riseK.length; hour++) {
    const day = Math.floor(hourly.hourS[hour]! / 86_400);
    const entry = byDay.get(day) ?? { sum: 0, hours: 0 };
    entry.sum += hourly.riseK[hour]! / predicted[hour]! - 1;
    entry.hours++;
    byDay.set(day, entry);
  }
  const days = [...byDay].filter(([, entry]) => entry.hours >= 12).sort((a, b) => a[0] - b[0]);
  const n = days.length;
  if (n < 2 * shiftMinimumDays) return undefined;
  const values = days.map(([, entry]) => entry.sum / entry.hours);
  const total = values.reduce((sum, value) => sum + value, 0);
  let before = 0;
  let best: { at: number; statistic: number; beforeMean: number; afterMean: number } | undefined;
  for (let split = 1; split < n; split++) {
    before += values[split - 1]!;
    if (split < shiftMinimumDays || n - split < shiftMinimumDays) continue;
    const [beforeMean, afterMean] = [before / split, (total - before) / (n - split)];
    const statistic = Math.abs(afterMean - beforeMean) * Math.sqrt((split * (n - split)) / n);
    if (best === undefined || statistic > best.statistic) best = { at: split, statistic, beforeMean, afterMean };
  }
  if (best === undefined) return undefined;
  return {
    at: new Date(days[best.at]![0] * 86_400_000).toISOString().slice(0, 10),
    beforePercent: 100 * best.beforeMean,
    afterPercent: 100 * best.afterMean,
  };
}

/** The stability check's finding in words: which months miss, which parameter moved, and what follows. */
function stabilityNote(
  form: LawForm,
  monthOut: Stability["monthOut"],
  misses: Stability["monthOut"],
  months: Stability["months"],
  changes: Stability["changes"],
  shift: Stability["shift"],
): string {
  const score = (value: number | null) => (value === null ? "—" : `${formatNumber(value)} %`);
  const names = { heatExponent: "heat exponent e", supplyTracking: "supply tracking h" } as const;
  const changeText = changes
    .map((change) => {
      const [a, b] = [change.from, change.to].map((month) => months.find((entry) => entry.month === month)!);
      const value = (entry: Stability["months"][number]) =>
        `${formatNumber(entry[change.parameter])} ± ${formatNumber(entry[`${change.parameter}Se`] ?? Number.NaN, 2)} in ${entry.month}`;
      return `${names[change.parameter]} ${value(a!)} against ${value(b!)} (z ${formatNumber(change.z, 2)})`;
    })
    .join("; ");
  const moved = changes.length === 0 ? "" : ` The fitted law differs between months: ${changeText}.`;
  if (misses.length === 0) {
    const worst = Math.max(...monthOut.map((fold) => Math.abs(fold.nmbe ?? 0)));
    return `the ${form} law, fitted on the other months, meets the unseen-month targets on each of the ${monthOut.length} months (largest |NMBE| ${formatNumber(worst)} %).${moved}`;
  }
  const missText = misses
    .map((fold) => `${fold.month}: CV(RMSE) ${score(fold.cvRmse)}, NMBE ${score(fold.nmbe)}`)
    .join("; ");
  const where =
    shift === undefined
      ? ""
      : ` By day, the rise departs most from the law from ${shift.at} on (${formatNumber(shift.beforePercent, 2)} % before, ${formatNumber(shift.afterPercent, 2)} % after): --from ${shift.at} or --to ${shift.at} keeps one side.`;
  return `the ${form} law, fitted on the other months, misses the unseen-month targets on ${misses.length} of ${monthOut.length} months (${missText}): the loop did not behave alike in these months.${moved}${where} A validation on other months may miss by as much: calibrate on months that run the loop as the months to be predicted do.`;
}

function formatNumber(value: number, digits = 3): string {
  return Number(value.toPrecision(digits)).toString();
}

/**
 * A 95 % interval "low–high" with enough digits that a bound which excludes a tested value (the twin's law, a held
 * return) does not print as that value: 1.0005 stays 1.0005 next to "a held return (1) is rejected", not "1".
 */
export function intervalText(low: number, high: number, tested: readonly number[]): string {
  const bound = (value: number) => {
    for (let digits = 3; digits < 8; digits++) {
      const shown = Number(value.toPrecision(digits));
      if (tested.every((point) => Math.sign(shown - point) === Math.sign(value - point))) return shown.toString();
    }
    return value.toString();
  };
  return `${bound(low)}–${bound(high)}`;
}

/** Standard errors, correlations and plain-language notes on what the data can tell apart. */
function identifiability(
  history: LoopHistory,
  hourly: HourlyData,
  fit: FormFit & { readonly free: readonly boolean[]; readonly parameters: number },
  hasTotal: boolean,
): LoopCalibration["identifiability"] {
  const { reference, x, lagS, sse, free, profile, integralTimeS } = fit;
  const n = hourly.riseK.length;
  // The parameters in the Jacobian: the free ones of the law, then the lag (index 3). The integral time is judged from
  // its profile, as the lag is too: p counts it.
  const fitted = [...free.flatMap((isFree, index) => (isFree ? [index] : [])), 3];
  const p = fit.parameters;
  const predicted = new Float64Array(n);
  const residualsAt = (values: readonly number[]) => {
    predictHourlyRise(history, hourly, modelOf(reference, values, values[3]!, integralTimeS), predicted);
    return hourly.riseK.map((value, index) => value - predicted[index]!);
  };
  const values = [...x, lagS];
  const atOptimum = residualsAt(values);
  const rho = Math.max(0, lagOneCorrelation(atOptimum));
  const effective = Math.max(p + 2, Math.min(n, (n * (1 - rho)) / (1 + rho)));
  // Jacobian of the hourly residuals in the fitted parameters (central differences; one-sided for a lag at 0).
  const steps = [1e-3 * values[0]!, 1e-3, 1e-3, Math.max(30, 0.05 * lagS)];
  const jacobian = fitted.map((j) => {
    const up = [...values];
    const down = [...values];
    up[j]! += steps[j]!;
    const oneSided = j === 3 && lagS - steps[j]! < 0;
    if (!oneSided) down[j]! -= steps[j]!;
    const rUp = residualsAt(up);
    const rDown = oneSided ? atOptimum : residualsAt(down);
    const span = oneSided ? steps[j]! : 2 * steps[j]!;
    return rUp.map((value, index) => (value - rDown[index]!) / span);
  });
  // Scale columns to unit norm so the inversion is well conditioned, then scale back.
  const norms = jacobian.map((column) => Math.sqrt(sumOfSquares(column)));
  const scaled = jacobian.map((column, j) => column.map((value) => (norms[j]! > 0 ? value / norms[j]! : 0)));
  const normal = normalMatrix(scaled);
  const variance = (sse / Math.max(1, n - p)) * (n / effective);
  const inverse = normal.map((_, j) =>
    solve(
      normal,
      normal.map((__, i) => (i === j ? 1 : 0)),
    ),
  );
  const covarianceOk = inverse.every((column) => column?.every(Number.isFinite) === true);
  const standardErrors: Record<string, number | null> = {};
  const correlations: Record<string, number | null> = {};
  const errorOf = (index: number): number | null => {
    const at = fitted.indexOf(index);
    if (at < 0 || !covarianceOk) return null;
    const diagonal = inverse[at]![at]!;
    return norms[at]! > 0 && diagonal > 0 ? Math.sqrt((variance * diagonal) / norms[at]! ** 2) : null;
  };
  for (const index of fitted) standardErrors[parameterNames[index]!] = errorOf(index);
  // A lag whose standard error exceeds the longest lag tried is not determined at all: the profile note says so.
  const lagError = standardErrors["timeConstantS"];
  if (typeof lagError === "number" && lagError > lagGridS[lagGridS.length - 1]!) standardErrors["timeConstantS"] = null;
  const notes: string[] = [];
  fitted.forEach((a, i) => {
    fitted.forEach((b, j) => {
      if (j <= i) return;
      const key = `${parameterNames[a]}~${parameterNames[b]}`;
      if (!covarianceOk) {
        correlations[key] = null;
        return;
      }
      const r = inverse[i]![j]! / Math.sqrt(inverse[i]![i]! * inverse[j]![j]!);
      correlations[key] = Number.isFinite(r) ? r : null;
      if (Number.isFinite(r) && Math.abs(r) >= 0.9) {
        notes.push(
          `${parameterNames[a]} and ${parameterNames[b]} are strongly correlated (r = ${formatNumber(r, 2)}): the data fix a combination of them, not each one`,
        );
      }
    });
  });
  if (!covarianceOk) notes.push("the Jacobian is singular: some parameters do not change the hourly rise at all");
  notes.push(lagNote(profile, effective, lagS));
  if (fit.integralProfile !== undefined) notes.push(integralNote(fit.integralProfile, effective, integralTimeS));
  const exponentError = errorOf(1);
  if (exponentError !== null) {
    const [low, high] = [x[1]! - 1.96 * exponentError, x[1]! + 1.96 * exponentError];
    notes.push(
      low <= 1 && 1 <= high
        ? `heat exponent ${formatNumber(x[1]!)} (95 %: ${intervalText(low, high, [1])}) is consistent with the twin's design-rise law (1)`
        : `heat exponent ${formatNumber(x[1]!)} (95 %: ${intervalText(low, high, [1])}): the twin's design-rise law (1, flow in proportion to heat) is rejected`,
    );
  }
  const trackingError = errorOf(2);
  if (trackingError !== null) {
    const [low, high] = [x[2]! - 1.96 * trackingError, x[2]! + 1.96 * trackingError];
    const verdicts = [
      low <= 0 && 0 <= high
        ? "consistent with the twin's fixed design rise (0)"
        : "the fixed design rise (0) is rejected",
      low <= 1 && 1 <= high
        ? "consistent with a held return temperature (1)"
        : "a held return temperature (1) is rejected",
    ];
    notes.push(
      `supply tracking ${formatNumber(x[2]!)} (95 %: ${intervalText(low, high, [0, 1])}): ${verdicts.join("; ")}`,
    );
  }
  notes.push(
    "rated flow, pump limits and minimum speed are not observable without a flow meter: the fit is the law's unclamped part (capacity rate at the reference point, e, h)",
  );
  notes.push(
    hasTotal
      ? "capture share comes from the heat split (loop heat / total heat); the rise does not depend on it, since the loop's own heat is measured"
      : "no total heat in the history: capture share not fitted",
  );
  notes.push(
    `standard errors allow for autocorrelated hours (lag-1 r = ${formatNumber(rho, 2)}: ${Math.round(effective)} effective of ${n} hours)`,
  );
  const best = Math.min(...profile.map((point) => point.sse));
  return {
    effectiveHours: effective,
    standardErrors,
    correlations,
    lagProfile: profile.map((point) => ({ timeConstantS: point.timeConstantS, sseRatio: sseRatio(point.sse, best) })),
    lagInterval95S: lagInterval(profile, effective),
    ...(fit.integralProfile === undefined
      ? {}
      : {
          integralProfile: fit.integralProfile.map((point) => ({
            integralTimeS: Number.isFinite(point.integralTimeS) ? point.integralTimeS : null,
            sseRatio: sseRatio(point.sse, Math.min(...fit.integralProfile!.map((q) => q.sse))),
          })),
        }),
    notes,
  };
}

/**
 * Sums of squares of hourly rise below this, K², are rounding, not misfit (1e-10 K an hour): a perfect fit (a rise
 * that never varies, or data made by the law itself) has a best of 0 or about 1e-28.
 */
const roundingSseK2 = 1e-20;

/**
 * A profile point's sum of squares over the best one's. Without the floor a perfect fit gives 0/0 = NaN or 1e-28/0 =
 * ∞, which JSON writes as null and the params schema then refuses; with it every point of a perfect fit is 1 (the lag
 * is not identifiable), and any real fit (best far above the floor) gives exactly sse / best.
 */
function sseRatio(sse: number, best: number): number {
  return Math.max(sse, roundingSseK2) / Math.max(best, roundingSseK2);
}

/** The lag's 95 % likelihood-ratio interval from its profile (high = null when it reaches the top of the grid). */
function lagInterval(
  profile: readonly { timeConstantS: number; sse: number }[],
  effective: number,
): { low: number; high: number | null } {
  const best = Math.min(...profile.map((point) => point.sse));
  const within = profile.filter((point) => effective * Math.log(sseRatio(point.sse, best)) <= chiSquare95);
  const high = Math.max(...within.map((point) => point.timeConstantS));
  return {
    low: Math.min(...within.map((point) => point.timeConstantS)),
    high: high >= lagGridS[lagGridS.length - 1]! ? null : high,
  };
}

/** What the lag profile says, in a sentence. */
function lagNote(profile: readonly { timeConstantS: number; sse: number }[], effective: number, lagS: number): string {
  const { low, high } = lagInterval(profile, effective);
  const gridTop = lagGridS[lagGridS.length - 1]!;
  if (low === 0 && (high === null || high >= 600)) {
    return `thermal lag not identifiable from hourly data: any time constant from 0 to ${high === null ? `${gridTop} s or more` : `${formatNumber(high)} s`} fits within the 95 % likelihood interval`;
  }
  if (high === null) return `thermal lag has no upper bound in the data: ${formatNumber(low)} s or more fits (95 %)`;
  return `thermal lag ${formatNumber(lagS)} s (95 %: ${formatNumber(low)}–${formatNumber(high)} s)`;
}

/** A time in hours below two days, in days above. */
function durationText(seconds: number): string {
  if (!Number.isFinite(seconds)) return "∞";
  return seconds < 172_800 ? `${formatNumber(seconds / 3600, 2)} h` : `${formatNumber(seconds / 86_400, 2)} d`;
}

/** What the integral time's profile says, in a sentence (95 % likelihood-ratio range, as for the lag). */
function integralNote(
  profile: readonly { integralTimeS: number; sse: number }[],
  effective: number,
  integralTimeS: number,
): string {
  const best = Math.min(...profile.map((point) => point.sse));
  const within = profile.filter((point) => effective * Math.log(sseRatio(point.sse, best)) <= chiSquare95);
  const low = Math.min(...within.map((point) => point.integralTimeS));
  const high = Math.max(...within.map((point) => point.integralTimeS));
  const range = `95 %: ${durationText(low)} to ${durationText(high)}`;
  if (!Number.isFinite(integralTimeS)) {
    return `integral time ∞ fits best (${range}): no integral action, the integral law is the fitted law here`;
  }
  const verdict = Number.isFinite(high)
    ? "a slow integral trim on the return is supported"
    : "no integral action (∞) is not excluded";
  return `integral time ${durationText(integralTimeS)} (${range}): ${verdict}; the return set-point is T_ref + R_ref`;
}

/** The rows a history dropped, by reason, for an error that says why hours are missing ("" when none). */
function droppedRows(history: LoopHistory): string {
  const text = droppedText(history.dropped);
  return text === "none" ? "" : `, dropped ${text}`;
}

/** Capture share over the hours where the total heat is known: Σ loop heat / Σ total heat (weighted by time). */
function captureShareOf(hourly: HourlyData): number | null {
  let heat = 0;
  let total = 0;
  for (let hour = 0; hour < hourly.heatKw.length; hour++) {
    const t = hourly.totalKw[hour]!;
    if (!Number.isFinite(t)) continue;
    heat += hourly.heatKw[hour]! * hourly.weightS[hour]!;
    total += t * hourly.weightS[hour]!;
  }
  return total > 0 ? heat / total : null;
}

function isoHour(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16);
}

/**
 * Fits the loop's rise model (and capture share) to a history with the law form `choice`; `auto` chooses the form by
 * leave-one-month-out cross-validation (`selectLaw`) and records how. Fails when too few hours remain.
 */
export function calibrateLoop(
  history: LoopHistory,
  choice: LawChoice = "auto",
  onProgress?: CalibrationProgress,
): Outcome<LoopCalibration> {
  const hourly = hourlyData(history);
  const n = hourly.riseK.length;
  const needed = 3 * formSpecs[choice === "auto" ? "fitted" : choice].parameters + 3;
  if (n < needed) {
    return failure(
      `only ${n} complete hours in the history (${hourly.droppedHours} hours too sparse, ${history.rows} rows read${droppedRows(history)}): need at least ${needed}`,
    );
  }
  // Fits to come: the month-out folds (under auto for the selection, else for the stability check), the final fit,
  // each month alone (the stability check's months; none below two usable months).
  const folds = calendarMonths(hourly).folds.length;
  const counter = new FitCounter(folds < 2 ? 1 : 2 * folds + 1, onProgress);
  const selection = choice === "auto" ? selectLaw(history, hourly, counter) : undefined;
  const form = selection?.chosen ?? (choice as LawForm);
  const { parameters, free } = formSpecs[form];
  const baselineRiseK = meanOf(hourly.riseK, hourly.weightS);
  const fit = fitForm(history, hourly, form);
  counter.step(`${form} law on all months`);
  const { reference, x, lagS, integralTimeS } = fit;
  const model = modelOfFit(fit);
  const predicted = new Float64Array(n);
  predictHourlyRise(history, hourly, model, predicted);
  // The twin's law as it stands (e = 1, h = 0), with only its design rise fitted, at the same lag.
  const twin = fitAtLag(history, hourly, reference, lagS, [baselineRiseK, 1, 0], [true, false, false]);
  const twinPredicted = new Float64Array(n);
  predictHourlyRise(history, hourly, modelOf(reference, twin.x, lagS), twinPredicted);
  const captureShare = captureShareOf(hourly);
  const stability = checkStability(history, hourly, form, selection, predicted, counter);
  return success({
    kind: "alixan/loop-calibration",
    version: 1,
    loop: history.loop,
    period: { from: isoHour(hourly.hourS[0]!), to: isoHour(hourly.hourS[n - 1]! + 3600) },
    hours: { used: n, dropped: hourly.droppedHours },
    rows: { read: history.rows, dropped: { ...history.dropped } },
    flowLaw: { ...model.law },
    lawForm: form,
    ...(form === "integral"
      ? {
          integralControl: {
            integralTimeS: finiteOrNull(integralTimeS),
            setpointC: reference.supplyC + x[0]!,
            trimLimit: integralTrimLimit,
          },
        }
      : {}),
    ...(selection === undefined ? {} : { selection }),
    stability,
    thermalLag: { timeConstantS: lagS, heatCapacityKjPerK: (lagS * reference.heatKw) / x[0]! },
    captureShare,
    baselineRiseK,
    twinLaw: { designRiseK: twin.x[0]! },
    parameters,
    fit: {
      ...guideline14(hourly.riseK, predicted, parameters),
      baseline: guideline14(hourly.riseK, new Float64Array(n).fill(baselineRiseK), 1),
      twinLaw: guideline14(hourly.riseK, twinPredicted, 2),
    },
    identifiability: identifiability(history, hourly, { ...fit, free, parameters }, captureShare !== null),
  });
}

/** What `twin validate` reports: Guideline 14 statistics of the hourly rise on the history given. */
export interface Validation {
  readonly loop: LoopHistory["loop"];
  readonly period: { readonly from: string; readonly to: string };
  readonly hours: number;
  readonly droppedHours: number;
  readonly rows: { readonly read: number; readonly dropped: DropCounts };
  readonly cvRmse: number;
  readonly nmbe: number;
  /** Constant rise at the calibration period's mean (p = 1). */
  readonly baseline: FitStatistics;
  /** The twin's law as it stands (e = 1, h = 0) with its fitted design rise and the lag (p = 2). */
  readonly twinLaw: FitStatistics;
  /** Loop heat predicted as capture share × total heat (p = 1), when both are known. */
  readonly captureShare: (FitStatistics & { readonly share: number }) | null;
  /** CV(RMSE) ≤ 30 % and |NMBE| ≤ 10 % (Guideline 14, hourly). */
  readonly meetsGuideline14: boolean;
  /** No worse than the constant-rise baseline on both statistics (|NMBE| within `negligibleNmbe` counts as no bias). */
  readonly beatsBaseline: boolean;
  /** Used hours inside the calibration's own period: when > 0, this is not (wholly) a test on unseen months. */
  readonly hoursInCalibrationPeriod: number;
  /**
   * The calibration's own stability check (`stability.stable`): false when its months already disagreed, so a miss
   * here may be the same change of operation; null when it was not checked.
   */
  readonly calibrationStable: boolean | null;
  /** The same statistics per calendar month (null where a month has too few hours), to show where a miss lies. */
  readonly months: readonly {
    readonly month: string;
    readonly hours: number;
    readonly cvRmse: number | null;
    readonly nmbe: number | null;
  }[];
  /** The project's targets on unseen months (`unseenMonthTargets`) and each check. */
  readonly targets: {
    readonly cvRmse: number;
    readonly nmbe: number;
    readonly cvRmseMet: boolean;
    readonly nmbeMet: boolean;
    readonly met: boolean;
  };
}

/** An NMBE this small (percent) counts as no bias when a model is compared with the baseline. */
export const negligibleNmbe = 0.5;

/**
 * A model no worse than the baseline: CV(RMSE) no higher and |NMBE| no larger; a bias within ±`negligibleNmbe` counts
 * as none, so a model at −0.02 % does not "lose" to a baseline at −0.007 % that it beats tenfold on CV(RMSE).
 */
export function noWorseThanBaseline(model: FitStatistics, baseline: FitStatistics): boolean {
  return model.cvRmse <= baseline.cvRmse && Math.abs(model.nmbe) <= Math.max(Math.abs(baseline.nmbe), negligibleNmbe);
}

/** Targets of a validation on unseen months (issue #17): CV(RMSE) ≤ 12 %, |NMBE| ≤ 5 %, no worse than the baseline. */
export const unseenMonthTargets = { cvRmse: 12, nmbe: 5 } as const;

/** Guideline 14 statistics of each calendar month's hours (p as for the whole; null when a month has ≤ p hours). */
function monthlyStatistics(hourly: HourlyData, predicted: Float64Array, parameters: number): Validation["months"] {
  const { months } = calendarMonths(hourly);
  return months.map(({ month, hours }) => {
    const inMonth = [...hourly.hourS.keys()].filter((hour) => monthOf(hourly.hourS[hour]!) === month);
    const fit = guideline14(
      inMonth.map((hour) => hourly.riseK[hour]!),
      inMonth.map((hour) => predicted[hour]!),
      parameters,
    );
    return { month, hours, cvRmse: finiteOrNull(fit.cvRmse), nmbe: finiteOrNull(fit.nmbe) };
  });
}

/** Runs a calibration on a history (normally months it was not fitted on) and scores it hour by hour. */
export function validateLoop(history: LoopHistory, calibration: LoopCalibration): Outcome<Validation> {
  if (history.loop !== calibration.loop) {
    return failure(`--loop ${history.loop} does not match the calibration's loop (${calibration.loop})`);
  }
  const hourly = hourlyData(history);
  const n = hourly.riseK.length;
  if (n <= calibration.parameters) {
    return failure(
      `only ${n} complete hours in the history (${hourly.droppedHours} too sparse, ${history.rows} rows read${droppedRows(history)}): nothing to validate`,
    );
  }
  // The integral trim, when fitted, starts at z = 0 on the new history, as a controller with no record of it would.
  const model: RiseModel = {
    law: calibration.flowLaw,
    timeConstantS: calibration.thermalLag.timeConstantS,
    integralTimeS: calibration.integralControl?.integralTimeS ?? Number.POSITIVE_INFINITY,
  };
  const predicted = new Float64Array(n);
  predictHourlyRise(history, hourly, model, predicted);
  const twinPredicted = new Float64Array(n);
  predictHourlyRise(
    history,
    hourly,
    {
      law: {
        ...calibration.flowLaw,
        referenceRiseK: calibration.twinLaw.designRiseK,
        heatExponent: 1,
        supplyTracking: 0,
      },
      timeConstantS: calibration.thermalLag.timeConstantS,
    },
    twinPredicted,
  );
  const fit = guideline14(hourly.riseK, predicted, calibration.parameters);
  if (!Number.isFinite(fit.cvRmse) || !Number.isFinite(fit.nmbe)) {
    // A hand-edited law (e = 10⁶, a supply of 10³⁰⁰ °C) overflows: say which fields, rather than print NaN %.
    const { referenceSupplyC, referenceRiseK, heatExponent, supplyTracking } = calibration.flowLaw;
    return failure(
      `params.flowLaw: the law predicts no finite rise on these hours (referenceSupplyC ${referenceSupplyC}, referenceRiseK ${referenceRiseK}, heatExponent ${heatExponent}, supplyTracking ${supplyTracking})`,
    );
  }
  const baseline = guideline14(hourly.riseK, new Float64Array(n).fill(calibration.baselineRiseK), 1);
  let captureShare: Validation["captureShare"] = null;
  const share = calibration.captureShare;
  if (share !== null) {
    const known = [...hourly.totalKw.keys()].filter((hour) => Number.isFinite(hourly.totalKw[hour]!));
    if (known.length > 1) {
      const observed = known.map((hour) => hourly.heatKw[hour]!);
      const modelled = known.map((hour) => share * hourly.totalKw[hour]!);
      captureShare = { share, ...guideline14(observed, modelled, 1) };
    }
  }
  // The calibration period as written (`isoHour`, clock time read as UTC like the history's times).
  const [periodFromS, periodToS] = [calibration.period.from, calibration.period.to].map(
    (text) => Date.parse(`${text}:00Z`) / 1000,
  );
  const hoursInCalibrationPeriod = hourly.hourS.filter((hourS) => hourS >= periodFromS! && hourS < periodToS!).length;
  const beatsBaseline = noWorseThanBaseline(fit, baseline);
  const cvRmseMet = fit.cvRmse <= unseenMonthTargets.cvRmse;
  const nmbeMet = Math.abs(fit.nmbe) <= unseenMonthTargets.nmbe;
  return success({
    loop: history.loop,
    period: { from: isoHour(hourly.hourS[0]!), to: isoHour(hourly.hourS[n - 1]! + 3600) },
    months: monthlyStatistics(hourly, predicted, calibration.parameters),
    calibrationStable: calibration.stability?.stable ?? null,
    hours: n,
    droppedHours: hourly.droppedHours,
    rows: { read: history.rows, dropped: history.dropped },
    cvRmse: fit.cvRmse,
    nmbe: fit.nmbe,
    baseline,
    twinLaw: guideline14(hourly.riseK, twinPredicted, 2),
    captureShare,
    meetsGuideline14: fit.cvRmse <= guideline14Hourly.cvRmse && Math.abs(fit.nmbe) <= guideline14Hourly.nmbe,
    beatsBaseline,
    hoursInCalibrationPeriod,
    targets: { ...unseenMonthTargets, cvRmseMet, nmbeMet, met: cvRmseMet && nmbeMet && beatsBaseline },
  });
}
