/**
 * `alixan site validate|show|export`: check a site file, summarise a site, export it normalised or expanded.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { stringify } from "yaml";
import { type Diagnostic, formatDiagnostic } from "../../model/diagnostics.ts";
import { type LoadResult, loadSite, loadSiteFile, resolveSite, shippedSites } from "../../model/load.ts";
import { rackRuns } from "../../model/rack-runs.ts";
import type { Site } from "../../model/site.ts";
import { type SiteSummary, summariseSite } from "../../model/summary.ts";
import { formatNumber } from "../../model/units.ts";
import { CliError, exitCodes, printJson, renderTable, wantsJson } from "../output.ts";

function printDiagnostics(diagnostics: readonly Diagnostic[], fileName: string | undefined): void {
  for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic, fileName)}\n`);
}

function errorCount(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.filter((item) => item.severity === "error").length;
}

/** Loads a site by shipped name or path, failing with exit code 1 and the diagnostics when it has errors. */
export function loadOrFail(
  nameOrPath: string,
  json: boolean,
): Required<Pick<LoadResult, "site" | "analysis">> & LoadResult {
  const result = loadSite(nameOrPath);
  const fileName = resolveSite(nameOrPath);
  if (!result.ok || result.site === undefined || result.analysis === undefined) {
    if (json) printJson({ ok: false, diagnostics: result.diagnostics });
    else printDiagnostics(result.diagnostics, fileName);
    throw new CliError(
      `${nameOrPath}: ${errorCount(result.diagnostics)} error(s); the site cannot be used`,
      exitCodes.invalid,
    );
  }
  return result as Required<Pick<LoadResult, "site" | "analysis">> & LoadResult;
}

function percent(value: number): string {
  return `${formatNumber(value * 100)} %`;
}

function amount(value: number, unit: "kW" | "L/min"): string {
  if (unit === "kW")
    return Math.abs(value) >= 10_000 ? `${formatNumber(value / 1000)} MW` : `${formatNumber(Math.round(value))} kW`;
  return `${formatNumber(Math.round(value))} L/min`;
}

/** Renders the summary as the text `site show` prints. */
export function renderSummary(summary: SiteSummary): string {
  const counts = summary.counts;
  const lines: string[] = [];
  lines.push(`${summary.name} (${summary.id})`);
  lines.push("");
  lines.push(
    renderTable(
      [{ header: "inventory" }, { header: "count", align: "right" }],
      [
        ["halls", formatNumber(counts.halls)],
        ["rows", formatNumber(counts.rows)],
        ["racks", formatNumber(counts.racks)],
        ...Object.entries(summary.racksByType).map(([type, racks]) => [`  ${type} racks`, formatNumber(racks)]),
        ["servers", formatNumber(counts.servers)],
        ["GPUs", formatNumber(counts.gpus)],
        ...Object.entries(summary.gpusByModel).map(([model, gpus]) => [`  ${model}`, formatNumber(gpus)]),
        ["cooling plants", formatNumber(counts.plants)],
        ["CDUs", formatNumber(counts.cdus)],
        ["dry coolers", formatNumber(counts.dryCoolers)],
        ["trim chillers", formatNumber(counts.chillers)],
        ["FWS pumps", formatNumber(counts.fwsPumps)],
        ["CRAH / fan walls", formatNumber(counts.crahUnits)],
        ["transformers", formatNumber(counts.transformers)],
        ["UPS modules", formatNumber(counts.upsModules)],
        ["busways", formatNumber(counts.busways)],
        ["leak detectors", formatNumber(counts.leakDetectors)],
      ],
    ),
  );
  lines.push("");
  lines.push(
    renderTable(
      [{ header: "design" }, { header: "value", align: "right" }],
      [
        ["IT power", `${formatNumber(summary.designItMW)} MW`],
        ["heat to reject", `${formatNumber(summary.designHeatMW)} MW`],
        ["grid demand", `${formatNumber(summary.designGridDemandMW)} MW`],
        ["grid connection", `${formatNumber(summary.gridConnectionMW)} MW`],
        ["design-point PUE", summary.designPue.toFixed(3)],
        ["cooling installed", `${formatNumber(summary.coolingInstalledMW)} MW`],
        ["cooling available", `${formatNumber(summary.coolingAvailableMW)} MW`],
      ],
    ),
  );
  lines.push("");
  lines.push(
    renderTable(
      [
        { header: "level" },
        { header: "groups", align: "right" },
        { header: "units", align: "right" },
        { header: "redundancy" },
        { header: "met", align: "right" },
        { header: "design load", align: "right" },
        { header: "available", align: "right" },
        { header: "min headroom", align: "right" },
        { header: "at" },
      ],
      summary.levels.map((level) => [
        level.level,
        formatNumber(level.groups),
        formatNumber(level.units),
        level.redundancy.join(", "),
        `${level.redundancyMet}/${level.groups}`,
        amount(level.totalLoad, level.unit),
        amount(level.totalAvailable, level.unit),
        `${amount(level.minHeadroom, level.unit)} (${percent(level.minHeadroomFraction)})`,
        level.minHeadroomAt,
      ]),
    ),
  );
  if (summary.zones.length > 0) {
    lines.push("");
    lines.push(
      renderTable(
        [{ header: "certified zone" }, { header: "racks", align: "right" }, { header: "GPUs", align: "right" }],
        summary.zones.map((zone) => [zone.id, formatNumber(zone.racks), formatNumber(zone.gpus)]),
      ),
    );
  }
  return lines.join("\n");
}

/** The expanded inventory as plain data (every rack and unit), for export. */
export function expandedInventory(site: Site): unknown {
  return {
    id: site.id,
    name: site.name,
    zones: site.zones,
    rackTypes: site.rackTypes,
    plants: site.plants.map((plant) => ({
      ...plant,
      hallIds: plant.hallIndexes.map((index) => site.halls[index]!.id),
    })),
    halls: site.halls.map((hall) => ({ ...hall, plantId: site.plants[hall.plantIndex]!.id })),
    rows: site.rows.map((row) => ({ ...row, hallId: site.halls[row.hallIndex]!.id })),
    racks: site.racks.map((rack) => ({
      id: rack.id,
      type: site.rackTypes[rack.typeIndex]!.id,
      rowId: site.rows[rack.rowIndex]!.id,
      position: rack.position,
      zoneId: rack.zoneId ?? null,
      busways: site.rows[rack.rowIndex]!.busways.ids,
      tcsLoop: site.rows[rack.rowIndex]!.tcs.id,
    })),
    leakDetectors: site.leakDetectors,
  };
}

/** Adds the `site` command group. */
export function registerSiteCommand(program: Command): void {
  const site = program.command("site").description("validate, summarise and export site files");

  site
    .command("validate")
    .description("check a site file: schema, references, capacity and redundancy at every level, zones")
    .argument("<file>", "site file (YAML or JSON) or the name of a shipped site")
    .action((file: string, _options: unknown, command: Command) => {
      const path = resolveSite(file) ?? file;
      const result = loadSiteFile(path);
      const errors = errorCount(result.diagnostics);
      const warnings = result.diagnostics.length - errors;
      // Counted from the columns: reading `racks` would build every rack of the site only to count them.
      const rackCount = result.site === undefined ? 0 : rackRuns(result.site).count;
      if (wantsJson(command)) {
        printJson({
          ok: result.ok,
          errors,
          warnings,
          racks: rackCount,
          diagnostics: result.diagnostics,
        });
      } else {
        printDiagnostics(result.diagnostics, path);
        if (result.ok) {
          process.stdout.write(`${path}: valid, ${formatNumber(rackCount)} racks, ${warnings} warning(s)\n`);
        }
      }
      if (!result.ok) {
        if (!wantsJson(command)) process.stderr.write(`${path}: ${errors} error(s), ${warnings} warning(s)\n`);
        process.exitCode = exitCodes.invalid;
      }
    });

  site
    .command("show")
    .description("summarise a site: counts, design IT power, cooling capacity, redundancy and headroom per level")
    .argument("[site]", `shipped site (${shippedSites.join(", ")}) or a site file`, "alixan")
    .action((name: string, _options: unknown, command: Command) => {
      const json = wantsJson(command);
      const { site: loaded, analysis, diagnostics } = loadOrFail(name, json);
      const summary = summariseSite(loaded, analysis);
      if (json) printJson({ ...summary, diagnostics });
      else {
        printDiagnostics(diagnostics, resolveSite(name));
        process.stdout.write(`${renderSummary(summary)}\n`);
      }
    });

  site
    .command("export")
    .description("export a site normalised (defaults filled) or fully expanded (every rack and unit)")
    .argument("<site>", "shipped site name or site file")
    .option("-f, --format <format>", "yaml or json", "yaml")
    .option("--expanded", "export every hall, row, rack and unit instead of the compact file")
    .option("-o, --output <file>", "write to a file instead of standard output")
    .action((name: string, options: { format: string; expanded?: boolean; output?: string }, command: Command) => {
      const format = wantsJson(command) ? "json" : options.format;
      if (format !== "yaml" && format !== "json") {
        throw new CliError(`--format: expected yaml or json, got "${options.format}"`, exitCodes.usage);
      }
      const result = loadOrFail(name, false);
      const value = options.expanded === true ? expandedInventory(result.site) : result.file;
      const text = format === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 120 });
      if (options.output === undefined) process.stdout.write(text);
      else writeFileSync(options.output, text);
    });
}
