/**
 * `alixan schedule replay`: replays a job trace (openb, SWF or alixan JSON) or a demo workload on a site's or an
 * openb cluster's inventory under one or several placement policies, and prints the metrics side by side.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { csvField } from "../../core/csv.ts";
import { readBoundedText } from "../../core/yaml.ts";
import { loadSite } from "../../model/load.ts";
import { formatNumber } from "../../model/units.ts";
import { atc23Replay, atc23Seeds } from "../../scheduler/atc23.ts";
import { demoQueues, demoWorkload } from "../../scheduler/demo.ts";
import { type Inventory, inventoryFromOpenbNodes, inventoryFromSite } from "../../scheduler/inventory.ts";
import type { Job, JobSpec } from "../../scheduler/jobs.ts";
import { type ReplayMetrics, summarise } from "../../scheduler/metrics.ts";
import { parseQueueConfig, type QueueSetConfig } from "../../scheduler/queues.ts";
import type { ReplayResult } from "../../scheduler/replay.ts";
import { type PolicyName, policyNames } from "../../scheduler/scheduler.ts";
import { runReplay, standardChecks } from "../../scheduler/setup.ts";
import { readTraceFile, type TraceFormat, traceFormats } from "../../scheduler/traces/index.ts";
import { CliError, exitCodes, printJson, renderTable, startProgress, wantsJson } from "../output.ts";

interface ReplayCommandOptions {
  site?: string;
  openbNodes?: string;
  trace?: string;
  demo?: string;
  format?: string;
  policy: string;
  compare?: string;
  queues?: string;
  fill?: boolean;
  out?: string;
  protocol?: string;
  seeds?: string;
}

/** Diagnostics shown in full before the rest is only counted. */
const shownDiagnostics = 10;

/**
 * Most jobs a demo workload may have: the jobs are built before the replay starts, so 1e9 filled the memory and ran
 * without end; a million is 120 times the openb trace (and takes minutes on a small site, where jobs queue long).
 */
const maxDemoJobs = 1_000_000;

/** Reasons shown for jobs rejected at submission; the rest are counted. */
const shownRejections = 3;

/**
 * Why jobs were rejected at submission, most frequent first (a trace asking for GPU models the inventory lacks is
 * otherwise only a count in the table), or nothing when none was.
 */
export function rejectionLines(jobs: readonly Job[]): string[] {
  const reasons = new Map<string, number>();
  for (const job of jobs) {
    if (job.state === "failed" && job.reason?.startsWith("rejected: ")) {
      const reason = job.reason.slice("rejected: ".length);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  const sorted = [...reasons].sort((a, b) => b[1] - a[1]);
  const lines = sorted
    .slice(0, shownRejections)
    .map(([reason, jobs]) => `rejected at submission: ${formatNumber(jobs)} job(s): ${reason}`);
  const rest = sorted.slice(shownRejections).reduce((sum, [, jobs]) => sum + jobs, 0);
  if (rest > 0)
    lines.push(
      `rejected at submission: ${formatNumber(rest)} more job(s) for ${sorted.length - shownRejections} other reason(s) (jobs-*.csv with --out lists each)`,
    );
  return lines;
}

function usage(message: string): CliError {
  return new CliError(message, exitCodes.usage);
}

function loadInventory(options: ReplayCommandOptions): Inventory {
  if ((options.site === undefined) === (options.openbNodes === undefined)) {
    throw usage("give exactly one of --site NAME and --openb-nodes FILE");
  }
  if (options.site !== undefined) {
    const result = loadSite(options.site);
    if (result.site === undefined || !result.ok) {
      const first = result.diagnostics.find((item) => item.severity === "error");
      throw new CliError(`site ${options.site} is not usable: ${first?.message ?? "unknown error"}`);
    }
    return inventoryFromSite(result.site);
  }
  let text: string;
  try {
    text = readBoundedText(options.openbNodes!, "trace");
  } catch (error) {
    throw new CliError(`cannot read ${options.openbNodes}: ${(error as Error).message}`);
  }
  const result = inventoryFromOpenbNodes(text, options.openbNodes);
  reportDiagnostics(
    result.diagnostics.map((item) => item.message),
    "node list",
  );
  if (result.inventory === undefined) throw new CliError(`${options.openbNodes}: no usable node list`);
  return result.inventory;
}

function reportDiagnostics(messages: readonly string[], what: string): void {
  for (const message of messages.slice(0, shownDiagnostics)) process.stderr.write(`${message}\n`);
  if (messages.length > shownDiagnostics) {
    process.stderr.write(`… and ${messages.length - shownDiagnostics} more problems in the ${what}\n`);
  }
}

function parsePolicies(options: ReplayCommandOptions): PolicyName[] {
  const names = (options.compare ?? options.policy).split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(policyNames as readonly string[]).includes(name)) {
      throw usage(`unknown policy "${name}" (expected ${policyNames.join(", ")})`);
    }
  }
  return [...new Set(names)] as PolicyName[];
}

/** A queue file's configuration, or a CLI error naming the file, line and path of each problem. */
export function loadQueues(path: string): QueueSetConfig {
  let text: string;
  try {
    text = readBoundedText(path, "queues");
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const result = parseQueueConfig(text);
  if (result.config === undefined) {
    const lines = result.diagnostics.map(
      (item) =>
        `${path}${item.line === undefined ? "" : `:${item.line}`}: ${item.path === "" ? "" : `${item.path}: `}${item.message}`,
    );
    throw new CliError(lines.join("\n"));
  }
  return result.config;
}

interface Workload {
  readonly jobs: readonly JobSpec[];
  readonly source: string;
  readonly skipped: number;
  readonly demoQueues: boolean;
}

function loadWorkload(options: ReplayCommandOptions, inventory: Inventory): Workload {
  if ((options.trace === undefined) === (options.demo === undefined))
    throw usage("give exactly one of --trace FILE and --demo JOBS");
  if (options.demo !== undefined) {
    const count = Number(options.demo);
    if (!Number.isInteger(count) || count < 1 || count > maxDemoJobs) {
      throw usage(`--demo: expected a number of jobs from 1 to ${formatNumber(maxDemoJobs)}, got "${options.demo}"`);
    }
    return {
      jobs: demoWorkload(inventory, { jobs: count }),
      source: `demo workload of ${count} jobs`,
      skipped: 0,
      demoQueues: true,
    };
  }
  if (options.format !== undefined && !(traceFormats as readonly string[]).includes(options.format)) {
    throw usage(`unknown trace format "${options.format}" (expected ${traceFormats.join(", ")})`);
  }
  const trace = readTraceFile(options.trace!, options.format as TraceFormat | undefined);
  reportDiagnostics(
    trace.diagnostics.map((item) => item.message),
    "trace",
  );
  if (trace.rejected) throw new CliError(`${options.trace}: trace rejected`);
  if (trace.jobs.length === 0) throw new CliError(`${options.trace}: no usable job`);
  return { jobs: trace.jobs, source: options.trace!, skipped: trace.diagnostics.length, demoQueues: false };
}

const percent = (value: number) => (Number.isNaN(value) ? "–" : `${(value * 100).toFixed(2)} %`);
const seconds = (value: number) => (Number.isNaN(value) ? "–" : `${formatNumber(value)} s`);
const count = (value: number) => (Number.isNaN(value) ? "–" : formatNumber(value));

/** Metric rows: a label and how to show it from one replay's metrics. */
const metricRows: readonly [string, (metrics: ReplayMetrics) => string][] = [
  ["jobs submitted", (m) => count(m.jobs.submitted)],
  ["rejected at submission", (m) => count(m.jobs.rejected)],
  ["succeeded / failed", (m) => `${count(m.jobs.succeeded)} / ${count(m.jobs.failed)}`],
  ["cancelled", (m) => count(m.jobs.cancelled)],
  ["still queued / running", (m) => `${count(m.jobs.queued)} / ${count(m.jobs.running)}`],
  ["preemptions", (m) => count(m.preemptions)],
  ["GPU allocation, mean", (m) => percent(m.gpuAllocation.mean)],
  ["GPU allocation, peak", (m) => percent(m.gpuAllocation.peak)],
  ["GPU allocation, final", (m) => percent(m.gpuAllocation.final)],
  ["fragmented GPUs, mean", (m) => count(m.fragmentation.meanGpus)],
  ["fragmented GPUs, final", (m) => count(m.fragmentation.finalGpus)],
  ["unallocated GPUs, final", (m) => count(m.fragmentation.finalFreeGpus)],
  ["fragmentation rate, final", (m) => percent(m.fragmentation.finalRate)],
  ["completion time, mean", (m) => seconds(m.completion.meanS)],
  ["completion time, p95", (m) => seconds(m.completion.p95S)],
  ["queueing delay, mean", (m) => seconds(m.queueing.meanS)],
  ["queueing delay, p95", (m) => seconds(m.queueing.p95S)],
  ["Jain fairness (tenants)", (m) => (Number.isNaN(m.jainFairness) ? "–" : m.jainFairness.toFixed(3))],
  ["energy, estimated", (m) => `${count(m.energyKwh)} kWh`],
  ["placements", (m) => count(m.placements)],
  ["replay wall time", (m) => `${formatNumber(m.wallMs)} ms`],
  ["placements per second", (m) => count(Math.round(m.placementsPerSecond))],
];

function timelineCsv(result: ReplayResult): string {
  const { timeS, gpuAllocation, fragmentedGpus, queued, running } = result.timeline;
  const lines = ["time_s,gpu_allocation,fragmented_gpus,queued,running"];
  for (let i = 0; i < timeS.length; i++) {
    lines.push(
      `${timeS[i]},${gpuAllocation[i]!.toFixed(6)},${fragmentedGpus[i]!.toFixed(3)},${queued[i]},${running[i]}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function jobsCsv(result: ReplayResult): string {
  const tree = result.scheduler.quota;
  const models = result.scheduler.inventory.gpuModels;
  const lines = [
    "id,queue,tenant,state,submit_s,first_start_s,end_s,members,gpus,gpu_milli,model,preemptions,energy_kwh,reason",
  ];
  for (const job of result.jobs) {
    const spec = job.spec;
    const tenant = job.queue >= 0 ? tree.queueConfig(job.queue).tenant : "";
    const time = (value: number) => (Number.isNaN(value) ? "" : String(value));
    lines.push(
      [
        csvField(spec.id),
        csvField(spec.queue),
        csvField(tenant),
        job.state,
        String(spec.submitS),
        time(job.firstStartS),
        time(job.endS),
        String(spec.members),
        String(spec.gpus),
        String(spec.gpuMilli),
        job.model >= 0 ? (models[job.model] ?? "") : "",
        String(job.preemptions),
        job.energyKwh.toFixed(3),
        csvField(job.reason),
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The ATC'23 protocol: every policy over the seeds, allocation at 100 % and 130 % of capacity arrived. */
function atc23Action(
  options: ReplayCommandOptions,
  json: boolean,
  policies: readonly PolicyName[],
  inventory: Inventory,
  workload: Workload,
): void {
  if (options.queues !== undefined || options.fill === true || options.out !== undefined)
    throw usage("--protocol atc23 takes no --queues, --fill or --out: it fills the cluster itself");
  const count = Number(options.seeds ?? atc23Seeds.length);
  if (!Number.isInteger(count) || count < 1 || count > 100)
    throw usage(`--seeds: expected a number of seeds from 1 to 100, got "${options.seeds}"`);
  const seeds = Array.from({ length: count }, (_, index) => 42 + index);
  const results = policies.map((policy) => atc23Replay(inventory, workload.jobs, policy, { seeds }));
  if (json) {
    printJson({
      inventory: inventory.name,
      workload: { source: workload.source, jobs: workload.jobs.length },
      results,
    });
    return;
  }
  process.stdout.write(
    `${inventory.name}: ${formatNumber(inventory.gpuCount)} GPUs; ${workload.source}; ATC'23 protocol: pods shuffled ` +
      `and resampled to 130 % of GPU capacity, seeds ${seeds[0]}–${seeds[seeds.length - 1]}\n\n`,
  );
  process.stdout.write(
    `${renderTable(
      [
        { header: "policy" },
        { header: "GPU allocation at 100 %", align: "right" },
        { header: "at 130 %", align: "right" },
        { header: "lowest seed at 100 % / 130 %", align: "right" },
      ],
      results.map((result) => [
        result.policy,
        percent(result.meanAt100),
        percent(result.meanAt130),
        `${percent(result.minAt100)} / ${percent(result.minAt130)}`,
      ]),
    )}\n`,
  );
}

function replayAction(options: ReplayCommandOptions, command: Command): void {
  const json = wantsJson(command);
  const policies = parsePolicies(options);
  const inventory = loadInventory(options);
  const workload = loadWorkload(options, inventory);
  const protocol = options.protocol ?? "replay";
  if (protocol !== "replay" && protocol !== "atc23")
    throw usage(`--protocol: expected replay or atc23, got "${options.protocol}"`);
  if (protocol === "atc23") {
    atc23Action(options, json, policies, inventory, workload);
    return;
  }
  const queues =
    options.queues !== undefined ? loadQueues(options.queues) : workload.demoQueues ? demoQueues(inventory) : undefined;
  const runs: { policy: PolicyName; result: ReplayResult; metrics: ReplayMetrics }[] = [];
  for (const policy of policies) {
    // Checks keep ledgers: every policy gets fresh ones.
    const checks = standardChecks(inventory);
    if (typeof checks === "string") throw new CliError(checks);
    const progress = startProgress(`replay ${policy}`, workload.jobs.length, !json && process.stderr.isTTY === true);
    const result = runReplay(
      {
        inventory,
        policy,
        checks,
        ...(queues === undefined ? {} : { queues }),
        replay: { departures: options.fill !== true, progress: (done) => progress.update(done) },
      },
      workload.jobs,
    );
    progress.stop();
    if (typeof result === "string") throw new CliError(result);
    runs.push({ policy, result, metrics: summarise(result) });
  }
  if (options.out !== undefined) {
    mkdirSync(options.out, { recursive: true });
    writeFileSync(
      join(options.out, "summary.json"),
      `${JSON.stringify(
        runs.map((run) => run.metrics),
        null,
        2,
      )}\n`,
    );
    for (const run of runs) {
      writeFileSync(join(options.out, `timeline-${run.policy}.csv`), timelineCsv(run.result));
      writeFileSync(join(options.out, `jobs-${run.policy}.csv`), jobsCsv(run.result));
    }
  }
  if (json) {
    printJson({
      inventory: inventory.name,
      workload: { source: workload.source, jobs: workload.jobs.length, skipped: workload.skipped },
      departures: options.fill !== true,
      results: runs.map((run) => run.metrics),
    });
    return;
  }
  const mode = options.fill === true ? ", fill (no departures)" : "";
  process.stdout.write(
    `${inventory.name}: ${formatNumber(inventory.nodeCount)} nodes, ${formatNumber(inventory.gpuCount)} GPUs; ` +
      `${workload.source}: ${formatNumber(workload.jobs.length)} jobs${workload.skipped > 0 ? ` (${workload.skipped} rows skipped)` : ""}${mode}\n\n`,
  );
  const columns = [{ header: "metric" }, ...runs.map((run) => ({ header: run.policy, align: "right" as const }))];
  process.stdout.write(
    `${renderTable(
      columns,
      metricRows.map(([label, show]) => [label, ...runs.map((run) => show(run.metrics))]),
    )}\n\n`,
  );
  // Rejection depends on the jobs and the inventory, not on the policy: the first run's reasons hold for all.
  const rejections = runs[0] === undefined ? [] : rejectionLines(runs[0].result.jobs);
  if (rejections.length > 0) process.stdout.write(`${rejections.join("\n")}\n\n`);
  const tenantRows = runs.flatMap((run) =>
    run.metrics.tenants.map((tenant) => [
      run.policy,
      tenant.tenant,
      count(tenant.jobs),
      count(tenant.completed),
      seconds(tenant.queueing.meanS),
      seconds(tenant.queueing.p95S),
      seconds(tenant.completion.meanS),
      count(tenant.gpuHours),
      count(tenant.energyKwh),
    ]),
  );
  process.stdout.write(
    `${renderTable(
      [
        { header: "policy" },
        { header: "tenant" },
        { header: "jobs", align: "right" },
        { header: "completed", align: "right" },
        { header: "wait mean", align: "right" },
        { header: "wait p95", align: "right" },
        { header: "completion mean", align: "right" },
        { header: "GPU-hours", align: "right" },
        { header: "kWh", align: "right" },
      ],
      tenantRows,
    )}\n`,
  );
  if (options.out !== undefined)
    process.stdout.write(`\nwrote summary.json, timeline-*.csv and jobs-*.csv to ${options.out}\n`);
}

/** Registers `alixan schedule` and its subcommands. */
export function registerScheduleCommand(program: Command): void {
  const schedule = program
    .command("schedule")
    .description("workload scheduler: tenant queues, quotas, facility-aware placement, trace replay");
  schedule
    .command("replay")
    .description("replay a job trace (or a demo workload) and compare placement policies")
    .option("--site <name>", "build the inventory from a shipped site or a site file")
    .option("--openb-nodes <file>", "build the inventory from an openb node list CSV")
    .option("--trace <file>", "job trace to replay")
    .option("--demo <jobs>", "replay a seeded demo workload of this many jobs instead of a trace")
    .option("--format <format>", `trace format: ${traceFormats.join(", ")} (default: from the file name)`)
    .option("--policy <policy>", `placement policy: ${policyNames.join(", ")}`, "alixan")
    .option("--compare <policies>", "comma-separated policies to replay side by side, e.g. first-fit,alixan")
    .option("--queues <file>", "queue configuration (YAML); default: one queue per trace queue without quota")
    .option("--fill", "jobs never end: fill the cluster in arrival order (the ATC'23 experiment)")
    .option("--out <dir>", "write summary.json, timeline-<policy>.csv and jobs-<policy>.csv to this folder")
    .option(
      "--protocol <name>",
      "replay (default), or atc23: pods shuffled and resampled to 130 % of GPU capacity over seeds, allocation at 100 % and 130 %",
    )
    .option("--seeds <count>", "atc23: number of seeds from 42 (default 10)")
    .action((options: ReplayCommandOptions, command: Command) => replayAction(options, command));
}
