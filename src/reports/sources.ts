/**
 * Where report figures come from: a twin run (simulated) today, telemetry history (measured) when the site is
 * instrumented; and the operator's declarations file for what no meter in the model sees.
 */
import { parseYamlText, readBoundedText } from "../core/yaml.ts";
import type { HeatReuse } from "../flex/heat.ts";
import { type Diagnostic, DiagnosticSink } from "../model/diagnostics.ts";
import { checkInto } from "../model/schema-check.ts";
import type { TwinResult } from "../twin/results.ts";
import { type OperatorDeclarations, OperatorDeclarationsSchema, type YearFigures } from "./eed.ts";

/** Reads an operator declarations file (YAML); every problem is a diagnostic naming the field. */
export function readDeclarations(path: string): {
  declarations?: OperatorDeclarations;
  diagnostics: readonly Diagnostic[];
} {
  let raw: unknown;
  try {
    const parsed = parseYamlText(readBoundedText(path, "config"), "config");
    if (!parsed.ok) throw new Error(parsed.error);
    raw = parsed.value ?? {};
  } catch (error) {
    return {
      diagnostics: [
        { severity: "error", code: "io", path: "", message: `${path}: ${(error as Error).message.split("\n")[0]}` },
      ],
    };
  }
  const sink = new DiagnosticSink();
  const decoded: OperatorDeclarations | undefined = checkInto(OperatorDeclarationsSchema, raw, sink);
  return decoded === undefined ? { diagnostics: sink.items } : { declarations: decoded, diagnostics: sink.items };
}

/**
 * Year figures with the twin's heat offtake: E_DC counts the heat pumps' electricity less the cooling they relieve,
 * E_REUSE is the heat taken from the loops, T_REUSE its mean temperature (`src/flex/heat.ts`).
 */
export function withHeatReuse(figures: YearFigures, heat: HeatReuse | undefined): YearFigures {
  if (heat === undefined) return figures;
  return {
    ...figures,
    totalEnergyKWh: heat.totalEnergyMWh * 1000,
    wasteHeatReusedKWh: heat.reusedHeatMWh * 1000,
    wasteHeatMeanTemperatureC: heat.meanReuseTemperatureC,
  };
}

/** Year figures from a twin run that started on 1 January: totals, water and monthly energy. */
export function figuresFromTwin(result: TwinResult, year: number): YearFigures {
  const frame = result.site;
  const grid = frame.fields["gridKw"];
  const it = frame.fields["itKw"];
  const monthly = Array.from({ length: 12 }, (_, index) => ({ month: index + 1, totalKWh: 0, itKWh: 0 }));
  const yearStart = Date.UTC(year, 0, 1);
  if (grid !== undefined && it !== undefined) {
    for (let point = 0; point < frame.timeS.length; point++) {
      const hours = frame.spanS[point]! / 3600;
      const month = new Date(yearStart + frame.timeS[point]! * 1000).getUTCMonth();
      if (new Date(yearStart + frame.timeS[point]! * 1000).getUTCFullYear() !== year) continue;
      monthly[month]!.totalKWh += grid[point]! * hours;
      monthly[month]!.itKWh += it[point]! * hours;
    }
  }
  return {
    source: "simulated",
    totalEnergyKWh: result.kpis.totalEnergyMWh * 1000,
    itEnergyKWh: result.kpis.itEnergyMWh * 1000,
    waterInputM3: result.kpis.waterM3,
    hoursCovered: result.durationS / 3600,
    monthly: monthly.filter((month) => month.itKWh > 0),
  };
}
