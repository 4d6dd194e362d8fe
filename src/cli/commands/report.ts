/**
 * `alixan report eed` (the EU Energy Efficiency Directive report for a year) and `alixan report usage` (per-tenant
 * usage and chargeback). Sources: `twin` simulates the year on the site; `telemetry` reads measured history when
 * the site is instrumented.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { heatReuseOf } from "../../flex/heat.ts";
import { formatDiagnostic } from "../../model/diagnostics.ts";
import { loadSite } from "../../model/load.ts";
import {
  buildEedReport,
  type EedReport,
  eedReportCsv,
  type OperatorDeclarations,
  type YearFigures,
} from "../../reports/eed.ts";
import { eedReportHtml } from "../../reports/html.ts";
import {
  buildMeasuredEedReport,
  compareMonths,
  figuresFromMeasurement,
  type MeasuredEedReport,
} from "../../reports/measured.ts";
import { measuredSectionsHtml } from "../../reports/measured-html.ts";
import { figuresFromTwin, readDeclarations, withHeatReuse } from "../../reports/sources.ts";
import { simulate } from "../../twin/run.ts";
import { resolveWeather } from "../../twin/weather.ts";
import { type RemoteOptions, requestJson, requestText, withRemoteOptions } from "../client.ts";
import { CliError, exitCodes, printJson, renderTable, startProgress, wantsJson } from "../output.ts";
import { measuredYearOf, renderComparison, renderQuality } from "./report-measured.ts";

interface EedOptions {
  year: string;
  source: string;
  site: string;
  weather: string;
  step: string;
  declarations?: string;
  out?: string;
  compare?: string;
  telemetryDir?: string;
}

function stepSeconds(text: string): number {
  const match = /^(\d+)(s|m)?$/.exec(text);
  if (match === null) throw new CliError(`--step: expected seconds like 300s or 5m, got "${text}"`, exitCodes.usage);
  const seconds = Number(match[1]) * (match[2] === "m" ? 60 : 1);
  if (seconds < 1 || seconds > 3600 || 3600 % seconds !== 0) {
    throw new CliError(`--step: ${seconds} s must divide an hour (1 s to 1 h)`, exitCodes.usage);
  }
  return seconds;
}

function renderEed(report: EedReport): string {
  const rows: string[][] = [];
  for (const [annex, fields] of [
    ["I", report.annexI],
    ["II", report.annexII],
    ["III", report.annexIII],
  ] as const) {
    for (const [name, field] of Object.entries(fields)) {
      rows.push(
        field.status === "reported"
          ? [
              annex,
              name,
              typeof field.value === "number"
                ? field.value.toLocaleString("en-US", { maximumFractionDigits: Math.abs(field.value) >= 100 ? 0 : 4 })
                : field.value,
              field.unit,
              field.source,
            ]
          : [annex, name, "missing", field.unit, field.why],
      );
    }
  }
  return renderTable(
    [
      { header: "annex" },
      { header: "field" },
      { header: "value", align: "right" },
      { header: "unit" },
      { header: "source / reason" },
    ],
    rows,
  );
}

/** The chosen source's year: a twin run on the site, or the site's meters read from stored telemetry. */
async function simulatedFigures(
  site: NonNullable<ReturnType<typeof loadSite>["site"]>,
  options: EedOptions,
  year: number,
  json: boolean,
): Promise<{ figures: YearFigures; heat: ReturnType<typeof heatReuseOf> }> {
  const weather = resolveWeather(options.weather, 1);
  if (!weather.ok) throw new CliError(`--weather: ${weather.error}`);
  const stepS = stepSeconds(options.step);
  const durationS = 365 * 24 * 3600;
  const progress = startProgress(`twin year ${year}`, durationS / stepS, !json && process.stderr.isTTY === true);
  const outcome = await simulate({
    site,
    weather: weather.value,
    durationS,
    stepS,
    onProgress: (done) => progress.update(done),
  }).finally(() => progress.stop());
  if (!outcome.ok) throw new CliError(outcome.error);
  // A district-heating contract in the site file adds the simulated heat reuse (E_REUSE, ERF) and its heat pumps.
  const heat = heatReuseOf(site, outcome.value);
  return { figures: withHeatReuse(figuresFromTwin(outcome.value, year), heat), heat };
}

/** Builds the EED report for a year from the chosen source. */
async function eedCommand(options: EedOptions, command: Command): Promise<void> {
  const json = wantsJson(command);
  const year = Number(options.year);
  if (!Number.isInteger(year) || year < 2020 || year > 2100) {
    throw new CliError(`--year: expected a calendar year like 2026, got "${options.year}"`, exitCodes.usage);
  }
  if (options.source !== "twin" && options.source !== "telemetry") {
    throw new CliError(`--source: expected twin or telemetry, got "${options.source}"`, exitCodes.usage);
  }
  if (options.compare !== undefined && options.compare !== "twin") {
    throw new CliError(`--compare: expected twin, got "${options.compare}"`, exitCodes.usage);
  }
  if (options.compare !== undefined && options.source !== "telemetry") {
    throw new CliError("--compare twin: compares a measured year, so it needs --source telemetry", exitCodes.usage);
  }
  let declarations: OperatorDeclarations = {};
  if (options.declarations !== undefined) {
    const read = readDeclarations(options.declarations);
    if (read.declarations === undefined) {
      throw new CliError(
        read.diagnostics.map((item) => `${options.declarations}: ${formatDiagnostic(item)}`).join("\n"),
      );
    }
    declarations = read.declarations;
  }
  const loaded = loadSite(options.site);
  if (!loaded.ok || loaded.site === undefined || loaded.analysis === undefined) {
    const first = loaded.diagnostics.find((item) => item.severity === "error");
    throw new CliError(`${options.site}: ${first === undefined ? "cannot be loaded" : formatDiagnostic(first)}`);
  }
  let report: EedReport | MeasuredEedReport;
  let heat: ReturnType<typeof heatReuseOf>;
  if (options.source === "telemetry") {
    const measured = await measuredYearOf(loaded.site, options, year);
    const built = buildMeasuredEedReport(loaded.site, loaded.analysis.figures.totalIt, measured, declarations);
    report =
      options.compare === "twin"
        ? {
            ...built,
            comparison: compareMonths(
              measured,
              figuresFromMeasurement(measured),
              await simulatedFigures(loaded.site, options, year, json).then((simulated) => simulated.figures),
            ),
          }
        : built;
  } else {
    const simulated = await simulatedFigures(loaded.site, options, year, json);
    heat = simulated.heat;
    report = buildEedReport(loaded.site, loaded.analysis.figures.totalIt, year, simulated.figures, declarations);
  }
  const files: string[] = [];
  if (options.out !== undefined) {
    mkdirSync(options.out, { recursive: true });
    const base = join(options.out, `eed-${loaded.site.id}-${year}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${base}.csv`, eedReportCsv(report));
    writeFileSync(`${base}.html`, eedReportHtml(report, "dataQuality" in report ? measuredSectionsHtml(report) : ""));
    files.push(`${base}.json`, `${base}.csv`, `${base}.html`);
  }
  if (json) printJson({ ...report, ...(heat === undefined ? {} : { heatReuse: heat }), files });
  else {
    process.stdout.write(`${renderEed(report)}\n`);
    if ("dataQuality" in report) process.stdout.write(`\n${renderQuality(report)}`);
    if ("dataQuality" in report && report.comparison !== undefined) {
      process.stdout.write(`\n${renderComparison(report.comparison)}`);
    }
    if (files.length > 0) process.stdout.write(`\nwritten: ${files.join(", ")}\n`);
  }
}

interface UsageOptions extends RemoteOptions {
  from?: string;
  to?: string;
  tenant?: string;
  format: string;
}

interface UsageLineView {
  tenantId: string;
  projectId?: string;
  jobs: number;
  gpuHoursByModel: Record<string, number>;
  energyKWh: number;
  co2Kg: number;
  waterL: number;
  meanQueueingS: number;
  preemptions: number;
}

/** Per-tenant usage from a running platform. */
async function usageCommand(options: UsageOptions, command: Command): Promise<void> {
  if (options.format !== "table" && options.format !== "csv" && options.format !== "json") {
    throw new CliError(`--format: expected table, csv or json, got "${options.format}"`, exitCodes.usage);
  }
  const query = new URLSearchParams();
  for (const key of ["from", "to", "tenant"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (key !== "tenant" && Number.isNaN(Date.parse(value))) {
      throw new CliError(`--${key}: expected a date and time (ISO 8601), got "${value}"`, exitCodes.usage);
    }
    query.set(key, key === "tenant" ? value : new Date(value).toISOString());
  }
  if (options.format === "csv") {
    query.set("format", "csv");
    process.stdout.write(await requestText(options, "GET", `/v1/usage?${query}`));
    return;
  }
  const report = await requestJson<{ from: string; to: string; tenants: UsageLineView[]; siteEnergyKWh?: number }>(
    options,
    "GET",
    `/v1/usage?${query}`,
  );
  if (wantsJson(command) || options.format === "json") {
    printJson(report);
    return;
  }
  process.stdout.write(`usage from ${report.from} to ${report.to}\n`);
  process.stdout.write(
    `${renderTable(
      [
        { header: "tenant" },
        { header: "jobs", align: "right" },
        { header: "GPU-hours", align: "right" },
        { header: "energy kWh", align: "right" },
        { header: "CO2 kg", align: "right" },
        { header: "water L", align: "right" },
        { header: "mean wait", align: "right" },
        { header: "preemptions", align: "right" },
      ],
      report.tenants.map((line) => [
        line.tenantId,
        String(line.jobs),
        Object.values(line.gpuHoursByModel)
          .reduce((sum, hours) => sum + hours, 0)
          .toFixed(1),
        line.energyKWh.toFixed(1),
        line.co2Kg.toFixed(1),
        line.waterL.toFixed(1),
        `${Math.round(line.meanQueueingS)} s`,
        String(line.preemptions),
      ]),
    )}\n`,
  );
  if (report.siteEnergyKWh !== undefined) process.stdout.write(`site energy ${report.siteEnergyKWh.toFixed(1)} kWh\n`);
}

interface StatementOptions extends RemoteOptions {
  month: string;
  tenant?: string;
  format: string;
}

interface StatementView {
  tenantId: string;
  total: UsageLineView & { cpuHours: number };
  projects: (UsageLineView & { cpuHours: number })[];
  cost: { currency: string; total: number } | null;
}

/** A month's statements from a running platform: one per tenant, with cost when the platform has prices. */
async function statementCommand(options: StatementOptions, command: Command): Promise<void> {
  if (options.format !== "table" && options.format !== "csv" && options.format !== "json") {
    throw new CliError(`--format: expected table, csv or json, got "${options.format}"`, exitCodes.usage);
  }
  if (!/^[0-9]{4}-(0[1-9]|1[0-2])$/.test(options.month)) {
    throw new CliError(`--month: expected YYYY-MM, got "${options.month}"`, exitCodes.usage);
  }
  const query = new URLSearchParams({ month: options.month });
  if (options.tenant !== undefined) query.set("tenant", options.tenant);
  if (options.format === "csv") {
    query.set("format", "csv");
    process.stdout.write(await requestText(options, "GET", `/v1/usage/statements?${query}`));
    return;
  }
  const answer = await requestJson<{ month: string; statements: StatementView[] }>(
    options,
    "GET",
    `/v1/usage/statements?${query}`,
  );
  if (wantsJson(command) || options.format === "json") {
    printJson(answer);
    return;
  }
  process.stdout.write(`statements for ${answer.month} (UTC)\n`);
  process.stdout.write(
    `${renderTable(
      [
        { header: "tenant" },
        { header: "project" },
        { header: "jobs", align: "right" },
        { header: "GPU-hours", align: "right" },
        { header: "CPU-hours", align: "right" },
        { header: "energy kWh", align: "right" },
        { header: "CO2 kg", align: "right" },
        { header: "water L", align: "right" },
        { header: "cost", align: "right" },
      ],
      answer.statements.flatMap((statement) =>
        [statement.total, ...statement.projects].map((line, index) => [
          index === 0 ? statement.tenantId : "",
          line.projectId ?? "(all)",
          String(line.jobs),
          Object.values(line.gpuHoursByModel)
            .reduce((sum, hours) => sum + hours, 0)
            .toFixed(1),
          line.cpuHours.toFixed(1),
          line.energyKWh.toFixed(1),
          line.co2Kg.toFixed(1),
          line.waterL.toFixed(1),
          index === 0 && statement.cost !== null ? `${statement.cost.total.toFixed(2)} ${statement.cost.currency}` : "",
        ]),
      ),
    )}\n`,
  );
}

/** Adds the `report` command group. */
export function registerReportCommand(program: Command): void {
  const report = program.command("report").description("EU Energy Efficiency Directive report and per-tenant usage");
  report
    .command("eed")
    .description("the EED data-centre report (Annexes I–III) for a calendar year, as a table, JSON, CSV and HTML")
    .requiredOption("--year <year>", "calendar year")
    .option("--source <source>", "twin (simulated year) or telemetry (measured history)", "twin")
    .option("-s, --site <site>", "shipped site name or site file", "alixan")
    .option("--weather <weather>", "valence (typical year) or an EPW file, for --source twin", "valence")
    .option("--step <step>", "twin time step", "300s")
    .option(
      "--declarations <file>",
      "YAML with what only the operator knows (renewables, reuse, generators, set-points)",
    )
    .option("-o, --out <dir>", "write eed-SITE-YEAR.json, .csv and .html here")
    .option("--compare <source>", "twin: measured months beside a simulated year (with --source telemetry)")
    .option(
      "--telemetry-dir <dir>",
      "the telemetry directory holding telemetry.duckdb, for --source telemetry (default $ALIXAN_TELEMETRY_DIR)",
    )
    .action((options: EedOptions, command: Command) => eedCommand(options, command));
  withRemoteOptions(
    report
      .command("usage")
      .description(
        "per-tenant usage and chargeback from a running platform: GPU-hours, energy with overhead, CO2, water",
      )
      .option("--from <time>", "start (ISO 8601; default 24 h before --to)")
      .option("--to <time>", "end (ISO 8601; default now)")
      .option("--tenant <id>", "one tenant")
      .option("--format <format>", "table, csv or json", "table"),
  ).action((options: UsageOptions, command: Command) => usageCommand(options, command));
  withRemoteOptions(
    report
      .command("statement")
      .description("monthly usage statements per tenant from a running platform, with cost when prices are set")
      .requiredOption("--month <month>", "calendar month, YYYY-MM (UTC)")
      .option("--tenant <id>", "one tenant")
      .option("--format <format>", "table, csv or json", "table"),
  ).action((options: StatementOptions, command: Command) => statementCommand(options, command));
}
