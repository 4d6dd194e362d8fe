/**
 * The EED report from measurement: the site's meters (model/meters.ts) read from the stored telemetry history,
 * hour by hour over the calendar year (UTC), summed into E_DC, E_IT, W_IN, E_REUSE and E_RES_OS, with a
 * data-quality section (coverage per meter, gaps, hours estimated by interpolation, counter resets) and, on
 * request, the measured months beside a simulated year. The simulated path stays in eed.ts/sources.ts; this file
 * only builds measured figures and patches the measured fields into the same report.
 */
import type { MeterKind, MeterSpec } from "../model/meters.ts";
import { isWaterKind } from "../model/meters.ts";
import type { Site } from "../model/site.ts";
import { checkQuery } from "../telemetry/query.ts";
import type { TelemetryService } from "../telemetry/service.ts";
import { failure, type Result, success } from "../telemetry/types.ts";
import { buildEedReport, type EedReport, type Field, type OperatorDeclarations, type YearFigures } from "./eed.ts";
import { type Gap, type MeterHistory, type MeterYear, meterYear, type SeriesHours } from "./meter-hours.ts";

const hourMs = 3_600_000;
/** Hours read before the year so a counter has a starting reading. */
export const counterLookbackHours = 7 * 24;

/** Reads one meter's series as hourly partials over `[from, from + hours)`. */
export type MeterReader = (meter: MeterSpec, from: number, hours: number) => Promise<Result<SeriesHours[]>>;

/**
 * A meter reader over a telemetry service's history: one bucketed read of the partial aggregates (count, sum, min,
 * max, last per series and hour) after a flush, so every column of a meter comes from one consistent snapshot of
 * DuckDB, never a mix of hot buffers and history.
 */
export function telemetryMeterReader(service: TelemetryService, now = Date.now()): MeterReader {
  return async (meter, from, hours) => {
    await service.flush();
    const selector = { names: [meter.metric], labels: meter.labels };
    const ids = service.registry.select(selector);
    const to = from + hours * hourMs;
    const checked = checkQuery({ selector, from, to, step: hourMs });
    if (!checked.ok) return failure(`${meter.id}: ${checked.problem}`);
    const partials = await service.history.partials(ids, { selector, from, to, step: hourMs }, now);
    const bySeries = new Map<number, SeriesHours>();
    for (let row = 0; row < partials.series.length; row++) {
      const id = partials.series[row]!;
      let columns = bySeries.get(id);
      if (columns === undefined) {
        const empty = () => new Float64Array(hours).fill(Number.NaN);
        columns = {
          key: service.registry.info(id)?.key ?? String(id),
          count: empty(),
          mean: empty(),
          min: empty(),
          max: empty(),
          last: empty(),
        };
        bySeries.set(id, columns);
      }
      const hour = Math.floor((partials.buckets[row]! - from) / hourMs);
      if (hour < 0 || hour >= hours) continue;
      const count = partials.counts[row]!;
      columns.count[hour] = count;
      columns.mean[hour] = partials.sums[row]! / count;
      columns.min[hour] = partials.minimums[row]!;
      columns.max[hour] = partials.maximums[row]!;
      columns.last[hour] = partials.lasts[row]!;
    }
    return success([...bySeries.values()]);
  };
}

/** One meter's line in the data-quality section. */
export interface MeterQuality {
  readonly id: string;
  readonly kind: MeterKind;
  readonly metric: string;
  readonly series: number;
  /** The year's total: kWh, or m³ for water. */
  readonly total: number;
  readonly unit: "kWh" | "m3";
  readonly hoursMeasured: number;
  readonly hoursEstimated: number;
  readonly hoursMissing: number;
  /** Hours measured or estimated, over the hours of the year. */
  readonly coverage: number;
  readonly estimatedIntervals: number;
  readonly counterResets: number;
  readonly gapCount: number;
  readonly longestGapH: number;
  /** The longest gaps first, at most ten. */
  readonly gaps: readonly Gap[];
}

/** The data-quality section of a measured report. */
export interface DataQuality {
  readonly hoursInYear: number;
  readonly meters: readonly MeterQuality[];
  /** Hours in which every grid-import and IT meter has a value: PUE over exactly those hours. */
  readonly commonHours: number;
  readonly pueOverCommonHours?: number;
  /** What a reader of the report must know: incomplete meters, resets, indicators over unequal hours. */
  readonly flags: readonly string[];
}

/** One month measured beside simulated. */
export interface MonthComparison {
  readonly month: number;
  readonly measuredTotalKWh: number;
  readonly simulatedTotalKWh: number;
  readonly measuredItKWh: number;
  readonly simulatedItKWh: number;
  readonly measuredPue?: number;
  readonly simulatedPue?: number;
  /** Share of the month's hours in which both grid import and IT output were measured or estimated. */
  readonly measuredCoverage: number;
}

/** The EED report with its measurement sections. */
export interface MeasuredEedReport extends EedReport {
  readonly dataQuality: DataQuality;
  readonly comparison?: readonly MonthComparison[];
}

/** What the measured path computed, before the report is assembled. */
export interface MeasuredYear {
  readonly year: number;
  readonly hours: number;
  readonly meters: readonly { readonly spec: MeterSpec; readonly year: MeterYear }[];
}

/** Reads every meter of the site for the calendar year. */
export async function readMeasuredYear(
  meters: readonly MeterSpec[],
  year: number,
  read: MeterReader,
): Promise<Result<MeasuredYear>> {
  const yearStart = Date.UTC(year, 0, 1);
  const hours = (Date.UTC(year + 1, 0, 1) - yearStart) / hourMs;
  const results: { spec: MeterSpec; year: MeterYear }[] = [];
  for (const meter of meters) {
    const from = yearStart - counterLookbackHours * hourMs;
    const series = await read(meter, from, counterLookbackHours + hours);
    if (!series.ok) return series;
    const history: MeterHistory = { lookbackHours: counterLookbackHours, hours, series: series.value };
    results.push({ spec: meter, year: meterYear(meter, history, yearStart) });
  }
  return success({ year, hours, meters: results });
}

function sumOf(values: Float64Array): number {
  let total = 0;
  for (const value of values) if (!Number.isNaN(value)) total += value;
  return total;
}

/** Hour-by-hour sum of every meter of the given kinds; NaN where any of them is missing. */
function kindHourly(measuredYear: MeasuredYear, kinds: readonly MeterKind[]): Float64Array | undefined {
  const chosen = measuredYear.meters.filter((meter) => kinds.includes(meter.spec.kind));
  if (chosen.length === 0) return undefined;
  const hourly = new Float64Array(measuredYear.hours);
  for (const meter of chosen)
    for (let hour = 0; hour < hourly.length; hour++) hourly[hour]! += meter.year.hourly[hour]!;
  return hourly;
}

function qualityOf(spec: MeterSpec, year: MeterYear, hours: number): MeterQuality {
  const longest = [...year.gaps].sort((a, b) => b.hours - a.hours);
  return {
    id: spec.id,
    kind: spec.kind,
    metric: spec.metric,
    series: year.seriesCount,
    total: sumOf(year.hourly),
    unit: isWaterKind(spec.kind) ? "m3" : "kWh",
    hoursMeasured: year.hoursMeasured,
    hoursEstimated: year.hoursEstimated,
    hoursMissing: year.hoursMissing,
    coverage: (year.hoursMeasured + year.hoursEstimated) / hours,
    estimatedIntervals: year.estimatedIntervals,
    counterResets: year.counterResets,
    gapCount: year.gaps.length,
    longestGapH: longest[0]?.hours ?? 0,
    gaps: longest.slice(0, 10),
  };
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

/** The data-quality section: per meter, the hours both PUE meters share, and the flags a reader must see. */
export function dataQuality(measuredYear: MeasuredYear): DataQuality {
  const { hours } = measuredYear;
  const meters = measuredYear.meters.map((meter) => qualityOf(meter.spec, meter.year, hours));
  const flags: string[] = [];
  for (const meter of measuredYear.meters) {
    const quality = meters.find((line) => line.id === meter.spec.id)!;
    if (quality.series === 0) {
      flags.push(`${quality.id}: no stored series matches ${meter.spec.metric} with its labels`);
      continue;
    }
    if (quality.hoursMissing > 0) {
      flags.push(
        `${quality.id}: ${quality.hoursMissing} of ${hours} h missing (coverage ${percent(quality.coverage)}); its total counts only covered hours`,
      );
    }
    if (quality.hoursEstimated > 0) {
      flags.push(
        `${quality.id}: ${quality.hoursEstimated} h in ${quality.estimatedIntervals} interval(s) estimated by interpolation`,
      );
    }
    if (quality.counterResets > 0) {
      flags.push(
        `${quality.id}: ${quality.counterResets} counter reset(s)${meter.year.resetsInGaps > 0 ? `, ${meter.year.resetsInGaps} inside a gap (what was counted before them is lost)` : ""}`,
      );
    }
  }
  const total = kindHourly(measuredYear, ["gridImport", "renewableOnSite"]);
  const it = kindHourly(measuredYear, ["itOutput"]);
  let commonHours = 0;
  let commonTotal = 0;
  let commonIt = 0;
  if (total !== undefined && it !== undefined) {
    for (let hour = 0; hour < hours; hour++) {
      if (Number.isNaN(total[hour]!) || Number.isNaN(it[hour]!)) continue;
      commonHours++;
      commonTotal += total[hour]!;
      commonIt += it[hour]!;
    }
    const covered = (values: Float64Array) => values.reduce((count, value) => count + (Number.isNaN(value) ? 0 : 1), 0);
    if (covered(total) !== commonHours || covered(it) !== commonHours) {
      flags.push(
        `E_DC and E_IT cover different hours: PUE from the annual totals mixes them; over the ${commonHours} h both cover it is ${commonIt > 0 ? (commonTotal / commonIt).toFixed(3) : "undefined"}`,
      );
    }
  }
  return {
    hoursInYear: hours,
    meters,
    commonHours,
    ...(commonIt > 0 ? { pueOverCommonHours: commonTotal / commonIt } : {}),
    flags,
  };
}

/** Year figures for eed.ts from the measured hours: totals over covered hours, and monthly energy. */
export function figuresFromMeasurement(measuredYear: MeasuredYear): YearFigures {
  const yearStart = Date.UTC(measuredYear.year, 0, 1);
  const total = kindHourly(measuredYear, ["gridImport", "renewableOnSite"]);
  const it = kindHourly(measuredYear, ["itOutput"]);
  const water = kindHourly(measuredYear, ["waterMakeUp"]);
  const monthly = Array.from({ length: 12 }, (_, index) => ({ month: index + 1, totalKWh: 0, itKWh: 0 }));
  let hoursCovered = 0;
  for (let hour = 0; hour < measuredYear.hours; hour++) {
    const month = new Date(yearStart + hour * hourMs).getUTCMonth();
    const totalHere = total?.[hour] ?? Number.NaN;
    const itHere = it?.[hour] ?? Number.NaN;
    if (!Number.isNaN(totalHere)) monthly[month]!.totalKWh += totalHere;
    if (!Number.isNaN(itHere)) monthly[month]!.itKWh += itHere;
    if (!Number.isNaN(totalHere) && !Number.isNaN(itHere)) hoursCovered++;
  }
  return {
    source: "measured",
    ...(total === undefined ? {} : { totalEnergyKWh: sumOf(total) }),
    ...(it === undefined ? {} : { itEnergyKWh: sumOf(it) }),
    ...(water === undefined ? {} : { waterInputM3: sumOf(water) }),
    hoursCovered,
    monthly: monthly.filter((month) => month.totalKWh > 0 || month.itKWh > 0),
  };
}

function measuredField(value: number, unit: string, quality: readonly MeterQuality[]): Field {
  const incomplete = quality.filter((line) => line.coverage < 1 || line.hoursEstimated > 0);
  const note =
    incomplete.length === 0
      ? undefined
      : incomplete
          .map(
            (line) =>
              `${line.id} coverage ${percent(line.coverage)}, ${line.hoursEstimated} h estimated, ${line.hoursMissing} h missing`,
          )
          .join("; ");
  return { status: "reported", value, unit, source: "measured", ...(note === undefined ? {} : { note }) };
}

function ratioOf(top: Field | undefined, bottom: Field | undefined, unit: string, name: string, scale = 1): Field {
  const a = top?.status === "reported" && typeof top.value === "number" ? top.value : undefined;
  const b = bottom?.status === "reported" && typeof bottom.value === "number" ? bottom.value : undefined;
  if (a === undefined || b === undefined) return { status: "missing", unit, why: `${name}: an input is missing` };
  if (b === 0) return { status: "missing", unit, why: `${name}: denominator is zero` };
  const source = top?.status === "reported" && bottom?.status === "reported" && top.source === bottom.source;
  return { status: "reported", value: (a * scale) / b, unit, source: source ? "measured" : "declared" };
}

/**
 * The measured report: eed.ts builds it from the measured figures and the declarations, then heat reuse and on-site
 * renewables measured by meters replace what would otherwise be declared, and ERF/REF follow.
 */
export function buildMeasuredEedReport(
  site: Site,
  installedItKW: number,
  measuredYear: MeasuredYear,
  declared: OperatorDeclarations,
  generatedAt = new Date().toISOString(),
): MeasuredEedReport {
  const quality = dataQuality(measuredYear);
  const base = buildEedReport(
    site,
    installedItKW,
    measuredYear.year,
    figuresFromMeasurement(measuredYear),
    declared,
    generatedAt,
  );
  const annexII: Record<string, Field> = { ...base.annexII };
  const annexIII: Record<string, Field> = { ...base.annexIII };
  const linesOf = (kind: MeterKind) => quality.meters.filter((line) => line.kind === kind);
  for (const [field, kinds] of [
    ["E_DC", ["gridImport", "renewableOnSite"]],
    ["E_IT", ["itOutput"]],
    ["W_IN", ["waterMakeUp"]],
  ] as const) {
    const current = annexII[field];
    const lines = kinds.flatMap(linesOf);
    if (current?.status === "reported" && typeof current.value === "number" && lines.length > 0) {
      annexII[field] = measuredField(current.value, current.unit, lines);
    }
  }
  const reuse = linesOf("heatReuse");
  if (reuse.length > 0) {
    annexII["E_REUSE"] = measuredField(
      reuse.reduce((sum, line) => sum + line.total, 0),
      "kWh",
      reuse,
    );
  }
  const onSite = linesOf("renewableOnSite");
  if (onSite.length > 0) {
    const produced = onSite.reduce((sum, line) => sum + line.total, 0);
    annexII["E_RES_OS"] = measuredField(produced, "kWh", onSite);
    const declaredParts = (declared.renewableGuaranteesOfOriginKWh ?? 0) + (declared.renewablePpaKWh ?? 0);
    annexII["E_RES_TOT"] = {
      status: "reported",
      value: produced + declaredParts,
      unit: "kWh",
      source: declaredParts > 0 ? "declared" : "measured",
      note: "on-site production measured; guarantees of origin and PPAs declared (undeclared parts count as zero)",
    };
  }
  annexIII["PUE"] = ratioOf(annexII["E_DC"], annexII["E_IT"], "", "PUE = E_DC / E_IT");
  annexIII["WUE"] = ratioOf(annexII["W_IN"], annexII["E_IT"], "L/kWh", "WUE = W_IN / E_IT", 1000);
  annexIII["ERF"] = ratioOf(annexII["E_REUSE"], annexII["E_DC"], "", "ERF = E_REUSE / E_DC");
  annexIII["REF"] = ratioOf(annexII["E_RES_TOT"], annexII["E_DC"], "", "REF = E_RES_TOT / E_DC");
  return { ...base, source: "measured", annexII, annexIII, dataQuality: quality };
}

/** Measured months beside a simulated year's months (both from year figures). */
export function compareMonths(
  measuredYear: MeasuredYear,
  measured: YearFigures,
  simulated: YearFigures,
): MonthComparison[] {
  const yearStart = Date.UTC(measuredYear.year, 0, 1);
  const total = kindHourly(measuredYear, ["gridImport", "renewableOnSite"]);
  const it = kindHourly(measuredYear, ["itOutput"]);
  const covered = new Array<number>(12).fill(0);
  const hoursIn = new Array<number>(12).fill(0);
  for (let hour = 0; hour < measuredYear.hours; hour++) {
    const month = new Date(yearStart + hour * hourMs).getUTCMonth();
    hoursIn[month]!++;
    if (total !== undefined && it !== undefined && !Number.isNaN(total[hour]!) && !Number.isNaN(it[hour]!)) {
      covered[month]!++;
    }
  }
  return Array.from({ length: 12 }, (_, index) => {
    const mine = measured.monthly?.find((month) => month.month === index + 1);
    const twin = simulated.monthly?.find((month) => month.month === index + 1);
    const pue = (totalKWh: number, itKWh: number) => (itKWh > 0 ? { value: totalKWh / itKWh } : undefined);
    const measuredPue = pue(mine?.totalKWh ?? 0, mine?.itKWh ?? 0);
    const simulatedPue = pue(twin?.totalKWh ?? 0, twin?.itKWh ?? 0);
    return {
      month: index + 1,
      measuredTotalKWh: mine?.totalKWh ?? 0,
      simulatedTotalKWh: twin?.totalKWh ?? 0,
      measuredItKWh: mine?.itKWh ?? 0,
      simulatedItKWh: twin?.itKWh ?? 0,
      ...(measuredPue === undefined ? {} : { measuredPue: measuredPue.value }),
      ...(simulatedPue === undefined ? {} : { simulatedPue: simulatedPue.value }),
      measuredCoverage: covered[index]! / hoursIn[index]!,
    };
  });
}
