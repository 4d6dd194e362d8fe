/**
 * `alixan serve` (and `alixan start`, what `npm start` runs): the platform on its embedded store, with the site
 * loaded, the demo tenants seeded on first start, and graceful shutdown on SIGTERM or SIGINT (in-flight requests
 * finish, the store is flushed and closed).
 */

import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type ComposedApp, composeApp, defaultShutdownGraceMs } from "../../app/compose.ts";
import { defaultFeatures } from "../../app/features/index.ts";
import type { DemoKey } from "../../app/seed.ts";
import { parseUsagePrices } from "../../app/usage/prices.ts";
import { loadPlatformConfig, type PlatformConfig } from "../../config/file.ts";
import { preparePrivateDirectory, restrictFileCreation } from "../../core/private-files.ts";
import { fileTooLarge, readBoundedText } from "../../core/yaml.ts";
import { type ExecutionConfig, loadExecutionFile } from "../../execution/config.ts";
import { type ShiftObjective, shiftObjectives } from "../../flex/shift.ts";
import { type LiveShiftFactory, liveShift } from "../../flex/shift-live.ts";
import { parseQueueConfig, type QueueSetConfig } from "../../scheduler/queues.ts";
import { parseLogLevel } from "../../server/logging.ts";
import { describeLocation, locationFromEnvironment, type StoreLocation } from "../../store/database.ts";
import { CliError, exitCodes } from "../output.ts";

/** Options shared by `serve` and `start`. */
export interface ServeOptions {
  port: string;
  host: string;
  /** Default: alixan.yaml's `site`, else the Alixan campus. */
  site?: string;
  /** The alixan.yaml to read (`--config`, or ALIXAN_CONFIG). */
  config?: string;
  dataDir?: string;
  seed: boolean;
  speed: string;
  execution?: string;
  /** `--demo [load]`: true, a share of the site's GPUs as text, or false (`--no-demo`). */
  demo?: boolean | string;
  queues?: string;
  /** `--grid-signals FILE` and `--shift price|carbon|both`: hold deferrable jobs for cheaper or cleaner hours. */
  gridSignals?: string;
  shift?: string;
  /** `--shutdown-grace SECONDS`: how long a stop lets in-flight requests finish before it cuts connections. */
  shutdownGrace?: string;
}

/** The demo load asked for: 0 when off, else a share of the site's GPUs (`--demo` alone: 0.5). */
function demoLoadOf(value: boolean | string | undefined): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return 0.5;
  const load = Number(value);
  if (!Number.isFinite(load) || load <= 0 || load > 1) {
    throw new CliError(
      `--demo: expected a share of the site's GPUs above 0 and at most 1, got "${value}"`,
      exitCodes.usage,
    );
  }
  return load;
}

/** The queue configuration of `--queues FILE`, checked (problems named with their line). */
function queuesOf(file: string | undefined): { config: QueueSetConfig; source: string } | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readBoundedText(file, "queues");
  } catch (error) {
    throw new CliError(`--queues: cannot read ${file}: ${(error as Error).message}`);
  }
  const result = parseQueueConfig(text, { allowEmpty: true });
  if (result.config === undefined) {
    const lines = result.diagnostics.map(
      (item) => `  ${file}${item.line === undefined ? "" : `:${item.line}`}: ${item.path}: ${item.message}`,
    );
    throw new CliError(`--queues: ${file} has problems:\n${lines.join("\n")}`, exitCodes.invalid);
  }
  return { config: result.config, source: file };
}

/**
 * The store: `--data-dir`, else DATABASE_URL or ALIXAN_DATA_DIR (the environment overrides the file), else the
 * file's `store`, else ./data.
 */
function storeLocation(options: ServeOptions, fromFile: StoreLocation | undefined): StoreLocation {
  if (options.dataDir !== undefined) return { kind: "pglite", dataDir: options.dataDir };
  const environment = process.env;
  const fromEnvironment = ["DATABASE_URL", "ALIXAN_DATA_DIR"].some((name) => (environment[name] ?? "") !== "");
  if (!fromEnvironment && fromFile !== undefined) return fromFile;
  return locationFromEnvironment();
}

/** The checked alixan.yaml of `--config` (or ALIXAN_CONFIG); a bad field stops the start, named by its path. */
function platformConfigOf(file: string | undefined): PlatformConfig {
  if (file === undefined || file === "") return {};
  const loaded = loadPlatformConfig(file);
  if ("problems" in loaded) {
    const lines = loaded.problems.map((problem) => {
      const at = problem.line === undefined ? "" : `:${problem.line}:${problem.column ?? 1}`;
      return `  ${file}${at}: ${problem.path === "" ? "" : `${problem.path}: `}${problem.message}`;
    });
    throw new CliError(`--config: ${file} has problems:\n${lines.join("\n")}`, exitCodes.usage);
  }
  return loaded.config;
}

function keysFile(location: StoreLocation): string | undefined {
  return location.kind === "pglite" && location.dataDir !== "memory"
    ? join(location.dataDir, "demo-keys.json")
    : undefined;
}

/**
 * The demo keys a first start wrote, to show the admin key again; undefined, with a warning, when the file is not
 * such a list (edited, truncated, another file): it is a convenience, and a bad one must not stop the server or
 * crash it after the store has opened, as JSON.parse and `keys.find` on `{}` or `[null]` did.
 */
export function readDemoKeys(file: string): readonly DemoKey[] | undefined {
  const warn = (reason: string) => {
    process.stderr.write(`alixan: ${file}: ${reason}; the admin key is not shown (the keys in the store still work)\n`);
    return undefined;
  };
  let value: unknown;
  try {
    const text = readBoundedText(file, "json");
    const tooLarge = fileTooLarge(text, "json");
    if (tooLarge !== undefined) return warn(tooLarge);
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    return warn(`not readable as JSON (${(error as Error).message.split("\n")[0]})`);
  }
  if (!Array.isArray(value)) return warn("expected a list of keys");
  const index = value.findIndex(
    (key: unknown) =>
      typeof key !== "object" ||
      key === null ||
      typeof (key as DemoKey).role !== "string" ||
      typeof (key as DemoKey).token !== "string",
  );
  if (index >= 0) return warn(`[${index}]: expected a key with a role and a token`);
  return value as DemoKey[];
}

/** The live shift from `--grid-signals` and `--shift`, or undefined without them. */
function liveShiftOf(options: ServeOptions, speed: number): LiveShiftFactory | undefined {
  if (options.shift === undefined && options.gridSignals === undefined) return undefined;
  if (options.shift === undefined || options.gridSignals === undefined)
    throw new CliError("--shift and --grid-signals go together", exitCodes.usage);
  if (!(shiftObjectives as readonly string[]).includes(options.shift))
    throw new CliError(`--shift: "${options.shift}" is not one of ${shiftObjectives.join(", ")}`, exitCodes.usage);
  if (speed !== 1)
    throw new CliError("--shift: prices and carbon follow the wall clock; the live speed must be 1", exitCodes.usage);
  let text: string;
  try {
    text = readBoundedText(options.gridSignals, "gridEvents");
  } catch (error) {
    throw new CliError(`--grid-signals: cannot read ${options.gridSignals}: ${(error as Error).message}`);
  }
  const shift = liveShift(text, options.gridSignals, options.shift as ShiftObjective);
  if (!shift.ok) throw new CliError(`--grid-signals: ${shift.error}`);
  return shift.value;
}

/** Starts the platform and resolves when it has stopped. */
export async function servePlatform(options: ServeOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port: expected a port number, got "${options.port}"`, exitCodes.usage);
  }
  const speed = Number(options.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 3600) {
    throw new CliError(
      `--speed: expected simulated seconds per second between 0 and 3600, got "${options.speed}"`,
      exitCodes.usage,
    );
  }
  const fileConfig = platformConfigOf(options.config);
  let execution: ExecutionConfig | undefined = fileConfig.execution;
  if (options.execution !== undefined) {
    const loaded = loadExecutionFile(options.execution);
    if (typeof loaded === "string") throw new CliError(`--execution ${loaded}`);
    execution = loaded;
  }
  const demoLoad = demoLoadOf(options.demo);
  const queues =
    queuesOf(options.queues) ??
    (fileConfig.queues === undefined ? undefined : { config: fileConfig.queues, source: options.config! });
  const levelVariable = process.env["LOG_LEVEL"];
  const level =
    levelVariable === undefined || levelVariable === ""
      ? parseLogLevel(fileConfig.logLevel, "logging.level")
      : parseLogLevel(levelVariable);
  if (typeof level !== "string") throw new CliError(level.problem, exitCodes.usage);
  const pricesText = process.env["ALIXAN_USAGE_PRICES"];
  const prices = pricesText === undefined || pricesText === "" ? undefined : parseUsagePrices(pricesText);
  if (prices !== undefined && prices.problems.length > 0)
    throw new CliError(prices.problems.join("\n"), exitCodes.usage);
  const shift = liveShiftOf(options, speed);
  const location = storeLocation(options, fileConfig.store);
  const site = options.site ?? fileConfig.site ?? "alixan";
  const graceMs = shutdownGraceOf(options.shutdownGrace);
  // Everything this process writes (store, telemetry, keys) is private to its user; it writes nothing else.
  restrictFileCreation();
  // The signals are caught before anything starts: a SIGTERM during the start (or just after its banner) stops the
  // platform cleanly instead of killing it half-open.
  const stopSignal = stopSignalOnce();
  // An unsafe data directory is refused before the start line, so the refusal is the one line the operator sees.
  if (location.kind === "pglite" && location.dataDir !== "memory") {
    try {
      preparePrivateDirectory(location.dataDir);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
  }
  process.stderr.write(`alixan is starting: site ${site}, store ${describeLocation(location)}\n`);
  let app: ComposedApp;
  try {
    app = await composeApp({
      shutdownGraceMs: graceMs,
      site,
      store: location,
      seed: options.seed,
      features: defaultFeatures({
        speed,
        demoLoad,
        ...(queues === undefined ? {} : { queues }),
        ...(execution === undefined ? {} : { execution }),
        ...(fileConfig.telemetry === undefined ? {} : { telemetry: fileConfig.telemetry }),
        usagePrices: prices?.prices,
        shift,
        ...(fileConfig.whatIfTimeoutMs === undefined ? {} : { whatIfTimeoutMs: fileConfig.whatIfTimeoutMs }),
        ...(fileConfig.adminKeyWarningDays === undefined
          ? {}
          : { adminKeyWarningDays: fileConfig.adminKeyWarningDays }),
      }),
      // JSON lines on stdout (pino); the human start-up summary goes to stderr so stdout stays machine-readable.
      logger: { level },
    });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const file = keysFile(location);
  let keys: readonly DemoKey[] | undefined = app.demoKeys;
  if (keys !== undefined && file !== undefined) {
    writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } else if (keys === undefined && file !== undefined && existsSync(file)) {
    keys = readDemoKeys(file);
  }
  if (stopSignal.received !== undefined) {
    await stopPlatform(app, stopSignal.received);
    return;
  }
  let address: string;
  try {
    address = await app.server.listen({ port, host: options.host });
  } catch (error) {
    await app.close();
    throw new CliError(`cannot listen on ${options.host}:${port}: ${(error as Error).message}`);
  }
  const current = app.inventory.current.site;
  const log = app.server.log;
  log.info(
    {
      address,
      site: current.id,
      racks: current.racks.length,
      store: describeLocation(location),
      ...(options.config === undefined ? {} : { config: options.config }),
    },
    "alixan started",
  );
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`alixan is running at ${address}`);
  say(`  site    ${current.name}: ${current.racks.length.toLocaleString("en-US")} racks`);
  if (options.config !== undefined) say(`  config  ${options.config}`);
  say(`  store   ${describeLocation(location)}`);
  say(
    `  audit   key ${app.store.audit.keyFile ?? "(in memory)"}, checkpoint ${app.store.audit.headFile ?? "(in memory)"}`,
  );
  say(`  API     ${address}/v1  (OpenAPI: ${address}/openapi.json, docs: ${address}/docs)`);
  const admin = keys?.find((key) => key.role === "platform-admin");
  if (admin !== undefined) {
    say(`  admin key  ${admin.token}`);
    if (file !== undefined) say(`  demo keys for every role: ${file}`);
  } else {
    say("  admin key: shown at first start only; create one with `alixan key create --user EMAIL`");
  }
  say(`  try: curl -H "Authorization: Bearer ${admin?.token ?? "alx_…"}" ${address}/v1/site`);

  await stopPlatform(app, await stopSignal.next);
}

/** The first SIGTERM or SIGINT: `received` once it came, `next` resolves with it. */
function stopSignalOnce(): { readonly received: string | undefined; readonly next: Promise<string> } {
  let received: string | undefined;
  const next = new Promise<string>((resolve) => {
    const on = (signal: string) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      received = signal;
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
  return {
    get received() {
      return received;
    },
    next,
  };
}

/** Stops the platform after `signal`: in-flight requests finish (within the grace), then features and the store. */
async function stopPlatform(app: ComposedApp, signal: string): Promise<void> {
  const log = app.server.log;
  log.info({ signal }, "stopping: finishing requests and closing the store");
  process.stderr.write(`\n${signal}: finishing requests and closing the store…\n`);
  try {
    await app.close();
    log.info("stopped cleanly");
    process.stderr.write("stopped cleanly\n");
  } catch (error) {
    log.error({ err: error }, "error while stopping");
    process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
  }
}

/** `--shutdown-grace SECONDS` in milliseconds (default 10 s). */
function shutdownGraceOf(value: string | undefined): number {
  if (value === undefined) return defaultShutdownGraceMs;
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new CliError(`--shutdown-grace: expected seconds between 0 and 3600, got "${value}"`, exitCodes.usage);
  }
  return Math.round(seconds * 1000);
}

/** Adds the serve options to a command. */
export function withServeOptions(command: Command): Command {
  return command
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", process.env["PORT"] ?? "3000")
    .option("--host <host>", "address to listen on", process.env["HOST"] ?? "127.0.0.1")
    .option("-s, --site <site>", "site used at first start (shipped name or file; default: alixan.yaml's, else alixan)")
    .option(
      "--config <file>",
      "the platform configuration (alixan.yaml: site, store, telemetry, execution, queues, logging, whatif, apiKeys; docs/alixan.example.yaml)",
      process.env["ALIXAN_CONFIG"],
    )
    .option(
      "--data-dir <dir>",
      "embedded store directory (default ./data, or ALIXAN_DATA_DIR; DATABASE_URL selects PostgreSQL)",
    )
    .option("--no-seed", "do not create the demo tenants, users and keys in an empty store")
    .option("--speed <n>", "live twin speed: simulated seconds per second", "1")
    .option("--demo [load]", "run the demo load under its own demo tenants (share of the site's GPUs, default 0.5)")
    .option("--queues <file>", "queue configuration (YAML); stored as a new version when it differs from the store's")
    .option(
      "--execution <file>",
      "where admitted jobs run: simulated (default) or Slurm, per site or hall (see docs/execution.md)",
      process.env["ALIXAN_EXECUTION"],
    )
    .option("--grid-signals <file>", "grid-signals file (prices, carbon; docs/flexibility.md) for --shift")
    .option(
      "--shift <price|carbon|both>",
      "hold deferrable jobs with a deadline for their cheapest / lowest-carbon hours (needs --grid-signals)",
    )
    .option(
      "--shutdown-grace <seconds>",
      "at SIGTERM, how long in-flight requests may finish before open connections are cut",
      String(defaultShutdownGraceMs / 1000),
    );
}

/** Adds the `serve` command. */
export function registerServeCommand(program: Command): void {
  withServeOptions(program.command("serve").description("run the platform: HTTP API, live state, scheduler")).action(
    (options: ServeOptions) => servePlatform(options),
  );
}
