/**
 * The measured side of `alixan report eed --source telemetry`: opens the stored telemetry history (the platform's
 * telemetry directory, read while the server is stopped or from a copy: DuckDB lets one process hold the file),
 * reads the site's meters for the year, and renders the data-quality and comparison sections.
 */
import type { Site } from "../../model/site.ts";
import {
  type MeasuredEedReport,
  type MeasuredYear,
  type MonthComparison,
  readMeasuredYear,
  telemetryMeterReader,
} from "../../reports/measured.ts";
import { CliError, exitCodes, renderTable } from "../output.ts";

/** Reads the site's meters for the year from the telemetry directory named by the options or the environment. */
export async function measuredYearOf(
  site: Site,
  options: { telemetryDir?: string },
  year: number,
): Promise<MeasuredYear> {
  if (site.meters.length === 0) {
    throw new CliError(
      `--source telemetry: the site ${site.id} declares no meters; add a meters block binding grid import, IT output and water make-up to telemetry series (docs/eed-measured.md)`,
      exitCodes.invalid,
    );
  }
  const directory = options.telemetryDir ?? process.env["ALIXAN_TELEMETRY_DIR"];
  if (directory === undefined || directory === "") {
    throw new CliError(
      "--source telemetry: name the telemetry directory (holding telemetry.duckdb) with --telemetry-dir or ALIXAN_TELEMETRY_DIR",
      exitCodes.usage,
    );
  }
  // DuckDB is heavy: loaded only when a measured report is asked for.
  const { TelemetryService } = await import("../../telemetry/service.ts");
  const opened = await TelemetryService.open({ dataDirectory: directory, site, onProblem: () => {} });
  if (!opened.ok) {
    throw new CliError(
      `--telemetry-dir: ${opened.problem} (a running server holds the file: stop it or report from a copy)`,
    );
  }
  try {
    const measured = await readMeasuredYear(site.meters, year, telemetryMeterReader(opened.value));
    if (!measured.ok) throw new CliError(`--source telemetry: ${measured.problem}`);
    return measured.value;
  } finally {
    await opened.value.close();
  }
}

const number = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The data-quality section as a table and a list of flags. */
export function renderQuality(report: MeasuredEedReport): string {
  const quality = report.dataQuality;
  const table = renderTable(
    [
      { header: "meter" },
      { header: "kind" },
      { header: "series", align: "right" },
      { header: "total", align: "right" },
      { header: "unit" },
      { header: "coverage", align: "right" },
      { header: "estimated h", align: "right" },
      { header: "intervals", align: "right" },
      { header: "missing h", align: "right" },
      { header: "gaps", align: "right" },
      { header: "longest gap h", align: "right" },
      { header: "resets", align: "right" },
    ],
    quality.meters.map((line) => [
      line.id,
      line.kind,
      String(line.series),
      number(line.total),
      line.unit,
      `${number(line.coverage * 100, 1)} %`,
      String(line.hoursEstimated),
      String(line.estimatedIntervals),
      String(line.hoursMissing),
      String(line.gapCount),
      String(line.longestGapH),
      String(line.counterResets),
    ]),
  );
  const flags = quality.flags.length === 0 ? ["none: every meter covers every hour"] : quality.flags;
  const common =
    quality.pueOverCommonHours === undefined
      ? ""
      : `PUE over the ${quality.commonHours} of ${quality.hoursInYear} h where grid and IT meters both have values: ${quality.pueOverCommonHours.toFixed(3)}\n`;
  return `data quality (${quality.hoursInYear} h in ${report.year})\n${table}\n${common}flags:\n${flags.map((flag) => `  - ${flag}`).join("\n")}\n`;
}

/** Measured against simulated, month by month. */
export function renderComparison(months: readonly MonthComparison[]): string {
  const difference = (measured: number, simulated: number) =>
    simulated > 0 && measured > 0 ? `${number(((measured - simulated) / simulated) * 100, 1)} %` : "";
  return `measured against simulated (twin), per month\n${renderTable(
    [
      { header: "month", align: "right" },
      { header: "E_DC measured kWh", align: "right" },
      { header: "E_DC twin kWh", align: "right" },
      { header: "Δ", align: "right" },
      { header: "E_IT measured kWh", align: "right" },
      { header: "E_IT twin kWh", align: "right" },
      { header: "PUE measured", align: "right" },
      { header: "PUE twin", align: "right" },
      { header: "coverage", align: "right" },
    ],
    months.map((month) => [
      String(month.month),
      number(month.measuredTotalKWh),
      number(month.simulatedTotalKWh),
      difference(month.measuredTotalKWh, month.simulatedTotalKWh),
      number(month.measuredItKWh),
      number(month.simulatedItKWh),
      month.measuredPue === undefined ? "" : month.measuredPue.toFixed(3),
      month.simulatedPue === undefined ? "" : month.simulatedPue.toFixed(3),
      `${number(month.measuredCoverage * 100, 1)} %`,
    ]),
  )}\n`;
}
