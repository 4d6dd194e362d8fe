/**
 * `alixan whatif`: the console's what-if from the command line, on a site file rather than the running platform.
 * The same request as `POST /v1/whatif` (a shipped scenario by the names `simulate --scenario` takes, and parameters)
 * and the same answer: what ran, the weather of each run, KPIs side by side, throttling and trips by rack type and
 * tripped rack-hours by hall.
 */
import type { Command } from "commander";
import { formatDiagnostic } from "../../model/diagnostics.ts";
import { loadSite } from "../../model/load.ts";
import type { FacilityWaterClass } from "../../model/schema.ts";
import { parseDuration } from "../../twin/time.ts";
import { runWhatIf, type WhatIfRequest, type WhatIfScenario, whatIfProblemOf } from "../../twin/whatif.ts";
import { CliError, exitCodes, printJson, renderTable, wantsJson } from "../output.ts";

/** Options as commander hands them over. */
interface WhatIfOptions {
  readonly site: string;
  readonly scenario?: string;
  readonly days: string;
  readonly startDay?: string;
  readonly heatWave?: string;
  readonly heatWaveInBaseline?: boolean;
  readonly fail: string[];
  readonly waterClass?: string;
  readonly rackRating: string[];
  readonly moreRacks?: string;
  readonly operatorResponse?: string;
}

const flagOf: Readonly<Record<string, string>> = {
  scenario: "--scenario",
  days: "--days",
  startDay: "--start-day",
  heatWave: "--heat-wave",
  heatWaveInBaseline: "--heat-wave-in-baseline",
  fail: "--fail",
  waterClass: "--water-class",
  rackRatings: "--rack-rating",
  moreRacks: "--more-racks",
  operatorResponseS: "--operator-response",
};

function numbers(text: string, flag: string, count: number, example: string): number[] {
  const parts = text.split(",").map((part) => Number(part.trim()));
  if (parts.length < count - 1 || parts.length > count || parts.some((part) => !Number.isFinite(part))) {
    throw new CliError(`${flag}: "${text}" is not ${example}`, exitCodes.usage);
  }
  return parts;
}

/** `--operator-response`: `off`, seconds or a duration (30m, 2h); the twin checks its bounds. */
function operatorResponseOf(text: string): number | "off" {
  if (text.trim() === "off") return "off";
  const seconds = parseDuration(text, "--operator-response");
  if (!seconds.ok) throw new CliError(`${seconds.error}, or off`, exitCodes.usage);
  return seconds.value;
}

/** The request the flags ask for (bounds are the twin's to check, so the CLI and the API refuse alike). */
export function whatIfRequestOfOptions(options: WhatIfOptions): WhatIfRequest {
  const wave =
    options.heatWave === undefined
      ? undefined
      : numbers(options.heatWave, "--heat-wave", 4, "PEAK,DAYS,NIGHT[,DAY] such as 40,4,24");
  const more = options.moreRacks?.split(",").map((part) => part.trim());
  if (more !== undefined && (more.length < 3 || more.length > 4)) {
    throw new CliError(
      `--more-racks: "${options.moreRacks}" is not HALL,PATTERN,ROWS[,DAY] such as hall:h8,hgx-row,2`,
      exitCodes.usage,
    );
  }
  return {
    ...(options.operatorResponse === undefined
      ? {}
      : { operatorResponseS: operatorResponseOf(options.operatorResponse) }),
    ...(options.scenario === undefined ? {} : { scenario: options.scenario as WhatIfScenario }),
    days: Number(options.days),
    ...(options.startDay === undefined ? {} : { startDay: Number(options.startDay) }),
    ...(wave === undefined
      ? {}
      : {
          heatWave: {
            peakC: wave[0]!,
            days: wave[1]!,
            nightMinimumC: wave[2]!,
            ...(wave[3] === undefined ? {} : { startDay: wave[3] }),
          },
          heatWaveInBaseline: options.heatWaveInBaseline === true,
        }),
    ...(options.fail.length === 0
      ? {}
      : { fail: options.fail.flatMap((ids) => ids.split(",").map((id) => id.trim())) }),
    ...(options.waterClass === undefined ? {} : { waterClass: options.waterClass as FacilityWaterClass }),
    ...(options.rackRating.length === 0
      ? {}
      : {
          rackRatings: options.rackRating.map((rating) => {
            const [type, limit] = rating.includes("=") ? rating.split("=", 2) : [undefined, rating];
            return { ...(type === undefined ? {} : { rackType: type }), maxCoolantSupplyC: Number(limit) };
          }),
        }),
    ...(more === undefined
      ? {}
      : {
          moreRacks: {
            hall: more[0]!,
            pattern: more[1]!,
            rows: Number(more[2]),
            ...(more[3] === undefined ? {} : { startDay: Number(more[3]) }),
          },
        }),
  };
}

async function runWhatIfCommand(options: WhatIfOptions, command: Command): Promise<void> {
  const request = whatIfRequestOfOptions(options);
  const loaded = loadSite(options.site);
  if (!loaded.ok || loaded.site === undefined) {
    const first = loaded.diagnostics.find((item) => item.severity === "error");
    throw new CliError(
      `${options.site}: ${first === undefined ? "cannot be loaded" : formatDiagnostic(first)}`,
      exitCodes.invalid,
    );
  }
  const outcome = await runWhatIf(loaded.site, request, 1, loaded.file);
  if (!outcome.ok) {
    const problem = whatIfProblemOf(outcome.error);
    const flag = flagOf[problem.field.split(/[.[]/)[0]!] ?? problem.field;
    throw new CliError(`${flag} (${problem.field}): ${problem.message}`, exitCodes.invalid);
  }
  const result = outcome.value;
  if (wantsJson(command)) {
    printJson({ ...result, series: undefined });
    return;
  }
  const lines = [
    `what ran: ${result.description}`,
    ...result.changes.map((change) => `  - ${change}`),
    `weather: baseline ${result.weather.baseline}; scenario ${result.weather.variant}`,
    "",
    renderTable(
      [{ header: "KPI" }, { header: "baseline", align: "right" }, { header: "scenario", align: "right" }],
      Object.keys(result.baseline).map((key) => {
        const name = key as keyof typeof result.baseline;
        return [key, result.baseline[name].toFixed(3), result.variant[name].toFixed(3)];
      }),
    ),
    "",
    renderTable(
      [
        { header: "rack type" },
        { header: "racks", align: "right" },
        { header: "throttled rack-h baseline", align: "right" },
        { header: "scenario", align: "right" },
        { header: "tripped rack-h baseline", align: "right" },
        { header: "scenario", align: "right" },
        { header: "of which latched baseline", align: "right" },
        { header: "scenario", align: "right" },
        { header: "lost busy rack-h baseline", align: "right" },
        { header: "scenario", align: "right" },
      ],
      result.throttling.map((line) => [
        line.rackType,
        String(line.racks),
        line.baselineRackHours.toFixed(1),
        line.variantRackHours.toFixed(1),
        line.baselineTrippedRackHours.toFixed(1),
        line.variantTrippedRackHours.toFixed(1),
        line.baselineLatchedRackHours.toFixed(1),
        line.variantLatchedRackHours.toFixed(1),
        line.baselineLostBusyRackHours.toFixed(1),
        line.variantLostBusyRackHours.toFixed(1),
      ]),
    ),
    "",
    renderTable(
      [
        { header: "hall" },
        { header: "tripped rack-h baseline", align: "right" },
        { header: "scenario", align: "right" },
      ],
      result.trippedByHall.map((line) => [
        line.hall,
        line.baselineRackHours.toFixed(1),
        line.variantRackHours.toFixed(1),
      ]),
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Adds `whatif` to the program. */
export function registerWhatIfCommand(program: Command): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  program
    .command("whatif")
    .description("compare a scenario with the baseline over the same days (what the console's What-if runs)")
    .option("--site <name|file>", "shipped site (alixan, phase-1, lab) or a site file", "alixan")
    .option("--scenario <name>", "start from a shipped scenario: heat-wave, cdu-failure, w32, w45, growth")
    .option("--days <n>", "window length, 1–14 days", "7")
    .option("--start-day <n>", "first day of the window (1–365; default: centred on the changes, else 19 July)")
    .option("--heat-wave <peak,days,night[,day]>", "a heat wave, such as 40,4,24")
    .option("--heat-wave-in-baseline", "put the heat wave in the baseline too (compare the other changes under it)")
    .option("--fail <id>", "a unit out of service from the start (repeat, or comma-separated)", collect, [] as string[])
    .option("--water-class <class>", "facility water class: W17, W27, W32, W40, W45, W+")
    .option(
      "--rack-rating <[type=]°C>",
      "rate racks (of a type) for this coolant supply (repeat)",
      collect,
      [] as string[],
    )
    .option("--more-racks <hall,pattern,rows[,day]>", "add rows of a row pattern to a hall")
    .option(
      "--operator-response <time|off>",
      "the scenario's operator restarts latched racks this long after their alarm (1800, 30m, 4h) or never (off)",
    )
    .action(async (options: WhatIfOptions, command: Command) => runWhatIfCommand(options, command));
}
