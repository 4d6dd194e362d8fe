/**
 * `alixan twin calibrate | validate`: fits the twin's loop equations (flow law, thermal lag, capture share) to a
 * measured loop history and scores a fitted loop on other months with ASHRAE Guideline 14's hourly statistics. The
 * fitting code (and its schema validator) is imported when a command runs, so the rest of the CLI starts without it.
 */
import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { type FileKind, readBoundedText } from "../../core/yaml.ts";
import type { LoopCalibration, Validation } from "../../twin/calibrate.ts";
import {
  type ColumnMapping,
  droppedText,
  type HistoryFile,
  type HistoryFormat,
  historyBetween,
  historyFormats,
  type LoopHistory,
  type LoopKind,
  loopKinds,
  parseColumnMapping,
  parsePeriodBound,
  readLoopHistory,
} from "../../twin/history.ts";
import { implausibleLaw, lawChoices } from "../../twin/loop.ts";
import { CliError, exitCodes, type Progress, printJson, renderTable, startProgress, wantsJson } from "../output.ts";

/** Options both commands take. */
interface HistoryOptions {
  readonly history?: string[];
  readonly format?: string;
  readonly loop?: string;
  readonly columns?: string;
  readonly from?: string;
  readonly to?: string;
}

/** `twin calibrate` options. */
interface CalibrateOptions extends HistoryOptions {
  readonly out?: string;
  readonly law: string;
}

/** `twin validate` options. */
interface ValidateOptions extends HistoryOptions {
  readonly params?: string;
}

function oneOf<Value extends string>(text: string | undefined, allowed: readonly Value[], option: string): Value {
  if (text === undefined) throw new CliError(`${option} is required (${allowed.join(" or ")})`, exitCodes.usage);
  if (!(allowed as readonly string[]).includes(text)) {
    throw new CliError(`${option}: "${text}" is not one of ${allowed.join(", ")}`, exitCodes.usage);
  }
  return text as Value;
}

/**
 * Reads a history (`kind` history) or parameters file (`json`: a few kilobytes from `twin calibrate`), refusing one
 * past its bound before reading it (`readBoundedText`); errors name the option and path.
 */
function readText(path: string, option: string, kind: FileKind): string {
  try {
    return readBoundedText(path, kind);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new CliError(`${option}: cannot read "${path}": ${reason}`, exitCodes.invalid);
  }
}

/** Reads and cleans the history named by the options. */
function loadHistory(options: HistoryOptions): LoopHistory {
  const format: HistoryFormat = oneOf(options.format, historyFormats, "--format");
  // The period is checked before any file is read: a typo in a date should not wait for a year of minutes.
  const bound = (text: string | undefined, option: string) => {
    if (text === undefined) return undefined;
    const parsed = parsePeriodBound(text, option);
    if (!parsed.ok) throw new CliError(parsed.error, exitCodes.usage);
    return parsed.value;
  };
  const [fromS, toS] = [bound(options.from, "--from"), bound(options.to, "--to")];
  if (fromS !== undefined && toS !== undefined && !(fromS < toS)) {
    throw new CliError(`--from ${options.from} must come before --to ${options.to}`, exitCodes.usage);
  }
  const loop: LoopKind = oneOf(options.loop, loopKinds, "--loop");
  if (options.history === undefined || options.history.length === 0) {
    throw new CliError("--history: give at least one file", exitCodes.usage);
  }
  let mapping: ColumnMapping | undefined;
  if (format === "csv") {
    if (options.columns === undefined) {
      throw new CliError("--format csv needs --columns time=…,supply=…,return=…,heat=…[,total=…]", exitCodes.usage);
    }
    const parsed = parseColumnMapping(options.columns);
    if (!parsed.ok) throw new CliError(parsed.error, exitCodes.usage);
    mapping = parsed.value;
  } else if (options.columns !== undefined) {
    throw new CliError("--columns applies to --format csv only", exitCodes.usage);
  }
  const files: HistoryFile[] = options.history.map((path) => ({
    name: basename(path),
    text: readText(path, "--history", "history"),
  }));
  const history = readLoopHistory(files, format, loop, mapping);
  if (!history.ok) throw new CliError(history.error, exitCodes.invalid);
  if (fromS === undefined && toS === undefined) return history.value;
  const period = historyBetween(history.value, fromS, toS);
  if (!period.ok) throw new CliError(period.error, exitCodes.invalid);
  return period.value;
}

function percent(value: number): string {
  return `${value.toFixed(2)} %`;
}

function printCalibration(calibration: LoopCalibration, out: string): void {
  const { flowLaw, thermalLag, fit, identifiability } = calibration;
  const error = (name: string) => {
    const value = identifiability.standardErrors[name];
    return typeof value === "number" ? `± ${Number(value.toPrecision(2))}` : "—";
  };
  const rows: string[][] = [
    ["reference rise", flowLaw.referenceRiseK.toFixed(3), error("referenceRiseK"), "K"],
    ["heat exponent e", flowLaw.heatExponent.toFixed(3), error("heatExponent"), "(1 = twin's design-rise law)"],
    ["supply tracking h", flowLaw.supplyTracking.toFixed(3), error("supplyTracking"), "(0 twin, 1 held return)"],
    ["thermal lag", thermalLag.timeConstantS.toFixed(0), error("timeConstantS"), "s"],
    ...(calibration.integralControl === undefined
      ? []
      : [
          [
            "integral time",
            calibration.integralControl.integralTimeS === null
              ? "∞"
              : `${(calibration.integralControl.integralTimeS / 86_400).toFixed(1)} d`,
            "",
            `(return set-point ${calibration.integralControl.setpointC.toFixed(2)} °C)`,
          ],
        ]),
    [
      "capture share",
      calibration.captureShare === null ? "—" : calibration.captureShare.toFixed(3),
      "",
      "of total heat",
    ],
    [
      "reference heat / supply",
      `${flowLaw.referenceHeatKw.toFixed(1)} / ${flowLaw.referenceSupplyC.toFixed(2)}`,
      "",
      "kW / °C",
    ],
  ];
  process.stdout.write(
    `${calibration.loop} loop (${calibration.lawForm} law, p = ${calibration.parameters}), ${calibration.period.from} → ${calibration.period.to}: ${calibration.hours.used} hours used, ${calibration.hours.dropped} dropped (too sparse); ${calibration.rows.read} rows, dropped: ${droppedText(calibration.rows.dropped)}\n`,
  );
  process.stdout.write(
    `${renderTable([{ header: "parameter" }, { header: "value", align: "right" }, { header: "s.e." }, { header: "unit" }], rows)}\n`,
  );
  process.stdout.write(
    `fit (hourly rise, Guideline 14): CV(RMSE) ${percent(fit.cvRmse)}, NMBE ${percent(fit.nmbe)}; constant-rise baseline ${percent(fit.baseline.cvRmse)} / ${percent(fit.baseline.nmbe)}\n`,
  );
  printSelection(calibration);
  printStability(calibration);
  for (const note of identifiability.notes) process.stdout.write(`note: ${note}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

/** `--law auto`: one line per candidate with its fold scores, then the choice (or why there was none). */
function printSelection(calibration: LoopCalibration): void {
  const selection = calibration.selection;
  if (selection === undefined) return;
  const value = (number: number | null) => (number === null ? "—" : percent(number));
  for (const candidate of selection.candidates) {
    const integralTime = (seconds: number | null | undefined) =>
      seconds === undefined ? "" : ` (T_i ${seconds === null ? "∞" : `${(seconds / 86_400).toFixed(1)} d`})`;
    const folds = candidate.folds.map(
      (fold) => `${fold.month} ${value(fold.cvRmse)} / ${value(fold.nmbe)}${integralTime(fold.integralTimeS)}`,
    );
    process.stdout.write(
      `law ${candidate.form} (p = ${candidate.parameters}): mean CV(RMSE) month out ${value(candidate.meanCvRmse)}; ${folds.join(", ")}${candidate.form === selection.chosen ? "  ← chosen" : ""}\n`,
    );
  }
  process.stdout.write(
    selection.note === null
      ? `law auto: ${selection.chosen} (${selection.rule})\n`
      : `law auto: ${selection.chosen}: ${selection.note}\n`,
  );
}

/** The stability check: the chosen law's month-out scores, the fitted law per month, and what they show. */
function printStability(calibration: LoopCalibration): void {
  const stability = calibration.stability;
  if (stability === undefined) return;
  const value = (number: number | null) => (number === null ? "—" : percent(number));
  const error = (number: number | null) => (number === null ? "" : ` ± ${Number(number.toPrecision(2))}`);
  if (stability.monthOut.length > 0) {
    const folds = stability.monthOut.map((fold) => `${fold.month} ${value(fold.cvRmse)} / ${value(fold.nmbe)}`);
    process.stdout.write(`month out (${calibration.lawForm} law, CV(RMSE) / NMBE): ${folds.join(", ")}\n`);
  }
  for (const month of stability.months) {
    process.stdout.write(
      `month ${month.month} alone (fitted law, ${month.hours} hours): e ${month.heatExponent.toFixed(3)}${error(month.heatExponentSe)}, h ${month.supplyTracking.toFixed(3)}${error(month.supplyTrackingSe)}, rise at the reference ${month.riseAtReferenceK === null ? "—" : `${month.riseAtReferenceK.toFixed(2)} K`}\n`,
    );
  }
  process.stdout.write(`${stability.stable === false ? "warning" : "stability"}: ${stability.note}\n`);
}

function printValidation(validation: Validation): void {
  const statistic = (name: string, value: { cvRmse: number; nmbe: number }) => [
    name,
    percent(value.cvRmse),
    percent(value.nmbe),
  ];
  const rows = [
    statistic("calibrated loop", validation),
    statistic("constant-rise baseline", validation.baseline),
    statistic("twin's law (design rise)", validation.twinLaw),
  ];
  if (validation.captureShare !== null) {
    rows.push(statistic(`loop heat = ${validation.captureShare.share.toFixed(3)} × total`, validation.captureShare));
  }
  process.stdout.write(
    `${validation.loop} loop, ${validation.period.from} → ${validation.period.to}: ${validation.hours} hours used, ${validation.droppedHours} dropped (too sparse); ${validation.rows.read} rows, dropped: ${droppedText(validation.rows.dropped)}\n`,
  );
  process.stdout.write(
    `${renderTable([{ header: "hourly rise (return − supply)" }, { header: "CV(RMSE)", align: "right" }, { header: "NMBE", align: "right" }], rows)}\n`,
  );
  process.stdout.write(
    `Guideline 14 hourly (CV ≤ 30 %, |NMBE| ≤ 10 %): ${validation.meetsGuideline14 ? "met" : "not met"}; no worse than the baseline: ${validation.beatsBaseline ? "yes" : "no"}\n`,
  );
  const { targets } = validation;
  const missed = [
    ...(targets.cvRmseMet ? [] : ["CV(RMSE)"]),
    ...(targets.nmbeMet ? [] : ["NMBE"]),
    ...(validation.beatsBaseline ? [] : ["baseline"]),
  ];
  process.stdout.write(
    `targets on unseen months (CV(RMSE) ≤ ${targets.cvRmse} %, |NMBE| ≤ ${targets.nmbe} %, no worse than the baseline): ${targets.met ? "met" : `not met (${missed.join(", ")})`}\n`,
  );
  if (validation.months.length > 1) {
    const value = (number: number | null) => (number === null ? "—" : percent(number));
    const months = validation.months.map((month) => `${month.month} ${value(month.cvRmse)} / ${value(month.nmbe)}`);
    process.stdout.write(`per month (CV(RMSE) / NMBE): ${months.join(", ")}\n`);
  }
  if (validation.calibrationStable === false) {
    process.stdout.write(
      "note: the calibration's own months did not behave alike (its stability warning): a miss here may come from the same change of operation, not from the law\n",
    );
  }
  if (validation.hoursInCalibrationPeriod > 0) {
    process.stdout.write(
      `note: ${validation.hoursInCalibrationPeriod} of the ${validation.hours} hours lie in the calibration period: the scores are not (wholly) on unseen months\n`,
    );
  }
}

async function runCalibrate(options: CalibrateOptions, command: Command): Promise<void> {
  if (options.out === undefined) throw new CliError("--out is required (where to write params.json)", exitCodes.usage);
  const form = oneOf(options.law, lawChoices, "--law");
  const history = loadHistory(options);
  const { calibrateLoop } = await import("../../twin/calibrate.ts");
  // A bar on a terminal only (never with --json): a year of minutes under `--law auto` takes minutes.
  let progress: Progress | undefined;
  const enabled = !wantsJson(command) && process.stderr.isTTY === true;
  const calibration = calibrateLoop(history, form, (done, total, stage) => {
    progress ??= startProgress("calibrate", total, enabled);
    progress.update(done, stage);
  });
  progress?.stop();
  if (!calibration.ok) throw new CliError(calibration.error, exitCodes.invalid);
  try {
    writeFileSync(options.out, `${JSON.stringify(calibration.value, null, 2)}\n`);
  } catch (error) {
    throw new CliError(`--out: cannot write "${options.out}": ${(error as Error).message}`, exitCodes.invalid);
  }
  if (wantsJson(command)) printJson(calibration.value);
  else printCalibration(calibration.value, options.out);
}

async function runValidate(options: ValidateOptions, command: Command): Promise<void> {
  if (options.params === undefined) throw new CliError("--params is required (from twin calibrate)", exitCodes.usage);
  const text = readText(options.params, "--params", "json");
  let parsed: unknown;
  try {
    // A byte-order mark (Windows editors) is no reason to refuse the file.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new CliError(`--params: ${options.params} is not JSON: ${(error as Error).message}`, exitCodes.invalid);
  }
  const { checkCalibration, validateLoop } = await import("../../twin/calibrate.ts");
  const calibration = checkCalibration(parsed, basename(options.params));
  if (!calibration.ok) throw new CliError(calibration.error, exitCodes.invalid);
  const { heatExponent, supplyTracking } = calibration.value.flowLaw;
  for (const warning of implausibleLaw(heatExponent, supplyTracking)) {
    process.stderr.write(`--params: ${basename(options.params)}: ${warning}\n`);
  }
  const history = loadHistory(options);
  const validation = validateLoop(history, calibration.value);
  if (!validation.ok) throw new CliError(validation.error, exitCodes.invalid);
  if (wantsJson(command)) printJson(validation.value);
  else printValidation(validation.value);
}

function withHistoryOptions(command: Command): Command {
  return command
    .option("--history <files...>", "measured history files (several months may be given)")
    .option("--format <format>", `history format: ${historyFormats.join(" or ")}`)
    .option("--loop <loop>", `which loop: ${loopKinds.join(" or ")}`)
    .option(
      "--columns <mapping>",
      "for --format csv: time=…,supply=…,return=…,heat=…[,total=…] (°C and kW; total = all loops' heat)",
    )
    .option("--from <date>", "use the history from this time on (YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM, clock time)")
    .option("--to <date>", "use the history before this time (same forms; the end is not included)");
}

/** Adds `twin calibrate` and `twin validate` to the program. */
export function registerTwinCommands(program: Command): void {
  const twin = program.command("twin").description("calibrate the twin's loop model against measured history");
  withHistoryOptions(
    twin.command("calibrate").description("fit the loop's flow law, thermal lag and capture share to measured history"),
  )
    .option("--out <file>", "where to write the fitted parameters (params.json)")
    .option(
      "--law <form>",
      "flow law: auto (chosen by leave-one-month-out cross-validation among the others), fitted (e and h from the data), integral (fitted plus a slow integral trim holding the return), held-return (the control holds the return temperature) or design-rise (the twin's law as it stands)",
      "auto",
    )
    .action(async (options: CalibrateOptions, command: Command) => runCalibrate(options, command));
  withHistoryOptions(
    twin
      .command("validate")
      .description("score fitted parameters on measured history: hourly rise, CV(RMSE) and NMBE (Guideline 14)"),
  )
    .option("--params <file>", "parameters written by twin calibrate")
    .action(async (options: ValidateOptions, command: Command) => runValidate(options, command));
}
