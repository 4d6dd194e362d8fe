/**
 * Scheduler benchmark (`npm run bench:scheduler`): placement throughput on the full 40,000-rack `alixan` site with
 * every admission check on (certified zones, a maintenance drain, power caps, cooling headroom with a CDU out of
 * service, carbon-aware deferral), for alixan's placement against the first-fit baseline in the same run; then the
 * openb traces on their 1,213 GPU nodes: the default trace with its timing, and in fill mode the default, a gpuspec,
 * a multigpu and a cpu variant; and a burst of 2,000 one-GPU jobs submitted at once. Prints work done, wall time,
 * throughput, peak memory and the ratio to the baseline.
 */
import { join } from "node:path";
import { readBoundedText } from "../src/core/yaml.ts";
import { loadSite } from "../src/model/load.ts";
import type { AdmissionCheck, HourlySignal } from "../src/scheduler/checks.ts";
import { demoQueues, demoWorkload } from "../src/scheduler/demo.ts";
import { type Inventory, inventoryFromOpenbNodes, inventoryFromSite } from "../src/scheduler/inventory.ts";
import { type JobSpec, jobSpec } from "../src/scheduler/jobs.ts";
import { type ReplayMetrics, summarise } from "../src/scheduler/metrics.ts";
import type { QueueSetConfig } from "../src/scheduler/queues.ts";
import type { PolicyName } from "../src/scheduler/scheduler.ts";
import { runReplay, standardChecks } from "../src/scheduler/setup.ts";
import { readOpenbPods } from "../src/scheduler/traces/openb.ts";

const openbFolder = join(import.meta.dirname, "..", "..", "shared", "data", "traces", "openb");

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

/** A diurnal carbon-intensity signal (gCO2/kWh), lowest at night, for the deferral check. */
function carbonSignal(days: number): HourlySignal {
  const values = new Float64Array(days * 24);
  for (let hour = 0; hour < values.length; hour++) values[hour] = 60 + 40 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
  return { name: "carbon intensity", unit: "gCO2/kWh", startS: 0, values };
}

function siteChecks(inventory: Inventory): AdmissionCheck[] {
  const checks = standardChecks(inventory, {
    derates: { cdusOutOfService: { "tcs:h1-r001": 1 } },
    drains: [{ target: "row:h3-r010", fromS: 0, untilS: Number.POSITIVE_INFINITY, reason: "leak on cdu:h3-r010-01" }],
    signal: carbonSignal(60),
  });
  if (typeof checks === "string") fail(checks);
  return checks;
}

interface Run {
  readonly label: string;
  readonly metrics: ReplayMetrics;
}

function run(
  label: string,
  inventory: Inventory,
  policy: PolicyName,
  jobs: readonly JobSpec[],
  departures: boolean,
  queues: QueueSetConfig | undefined,
): Run {
  const checks = inventory.facility === undefined ? undefined : siteChecks(inventory);
  const result = runReplay(
    {
      inventory,
      policy,
      ...(checks === undefined ? {} : { checks }),
      ...(queues === undefined ? {} : { queues }),
      replay: { departures },
    },
    jobs,
  );
  if (typeof result === "string") fail(result);
  return { label, metrics: summarise(result) };
}

function line(run: Run): void {
  const m = run.metrics;
  const searches = m.placementAttempts;
  const rate = searches / (m.wallMs / 1000);
  const placed = m.placements / (m.wallMs / 1000);
  process.stdout.write(
    `${run.label.padEnd(31)} ${String(m.placements).padStart(6)} placed ${String(searches).padStart(6)} searches ` +
      `${m.wallMs.toFixed(0).padStart(5)} ms ${rate.toFixed(0).padStart(6)} decisions/s ${placed.toFixed(0).padStart(6)} placements/s  ` +
      `GPU alloc final ${(m.gpuAllocation.final * 100).toFixed(2)} % peak ${(m.gpuAllocation.peak * 100).toFixed(2)} %  ` +
      `fragmented ${m.fragmentation.finalGpus.toFixed(0)} GPUs\n`,
  );
}

function decisionsPerSecond(run: Run): number {
  return run.metrics.placementAttempts / (run.metrics.wallMs / 1000);
}

let started = performance.now();
const loaded = loadSite("alixan");
if (loaded.site === undefined) fail("the alixan site does not load");
const inventory = inventoryFromSite(loaded.site);
process.stdout.write(
  `site alixan: ${loaded.site.racks.length} racks, ${inventory.nodeCount} nodes, ${inventory.gpuCount} GPUs ` +
    `(load + inventory ${(performance.now() - started).toFixed(0)} ms)\n`,
);
const queues = demoQueues(inventory);

// Fill: jobs arrive until they ask about 105 % of the site's GPUs; nobody leaves, so every placement is made on an
// increasingly full, fragmented site, and the last ones fail. No quotas here: capacity and placement decide.
const candidates = demoWorkload(inventory, { jobs: 80_000, seed: 11 });
const fill: JobSpec[] = [];
let asked = 0;
for (const job of candidates) {
  if (asked >= 1.05 * inventory.gpuCount) break;
  fill.push(job);
  asked += (job.members * job.gpus * job.gpuMilli) / 1000;
}
process.stdout.write(`fill workload: ${fill.length} jobs asking ${asked.toFixed(0)} GPUs; all admission checks on\n`);
const fillBaseline = run("site fill, first-fit", inventory, "first-fit", fill, false, undefined);
line(fillBaseline);
const fillAlixan = run("site fill, alixan", inventory, "alixan", fill, false, undefined);
line(fillAlixan);

// Churn: jobs that start and end under the demo tenants' quotas, offered at 4× the site's GPUs so queues build up
// and backfill, reservations and preemption are at work.
const churn = demoWorkload(inventory, { jobs: 60_000, seed: 5, load: 4 });
const churnBaseline = run("site churn 60k jobs, first-fit", inventory, "first-fit", churn, true, queues);
line(churnBaseline);
const churnAlixan = run("site churn 60k jobs, alixan", inventory, "alixan", churn, true, queues);
line(churnAlixan);

started = performance.now();
const nodes = inventoryFromOpenbNodes(readBoundedText(join(openbFolder, "openb_node_list_gpu_node.csv"), "trace"));
const pods = readOpenbPods(readBoundedText(join(openbFolder, "openb_pod_list_default.csv"), "trace"));
if (nodes.inventory === undefined) fail("the openb node list does not load");
const readMs = performance.now() - started;
const openb = nodes.inventory;
process.stdout.write(
  `openb: ${openb.nodeCount} nodes, ${openb.gpuCount} GPUs, ${pods.jobs.length} pods (read ${readMs.toFixed(0)} ms)\n`,
);
const openbRuns = [run("openb timed, alixan", openb, "alixan", pods.jobs, true, undefined)];
line(openbRuns[0]!);
const variantRatios: string[] = [];
for (const variant of ["default", "gpuspec25", "multigpu50", "cpu250"]) {
  const jobs =
    variant === "default"
      ? pods.jobs
      : readOpenbPods(readBoundedText(join(openbFolder, `openb_pod_list_${variant}.csv`), "trace")).jobs;
  const pair = (["first-fit", "alixan"] as const).map((policy) =>
    run(`openb ${variant} fill, ${policy}`, openb, policy, jobs, false, undefined),
  );
  for (const variantRun of pair) line(variantRun);
  const [ff, ax] = pair as [Run, Run];
  variantRatios.push(
    `${variant} ${((ax.metrics.gpuAllocation.final - ff.metrics.gpuAllocation.final) * 100).toFixed(2)} pt`,
  );
  openbRuns.push(...pair);
}
// A burst: 2,000 one-GPU jobs at once on an empty cluster, each running a day. Every one must start within
// 10 scheduler seconds although a pass stops at 500 searches.
const burst: JobSpec[] = Array.from({ length: 2000 }, (_, index) =>
  jobSpec({ id: `burst-${index}`, queue: "burst", submitS: 0, durationS: 86_400, gpus: 1, cpuMilli: 1000 }),
);
const burstResult = runReplay({ inventory: openb, policy: "alixan" }, burst);
if (typeof burstResult === "string") fail(burstResult);
const burstRun: Run = { label: "openb burst 2,000 jobs, alixan", metrics: summarise(burstResult) };
line(burstRun);
const lastStartS = Math.max(...burstResult.jobs.map((job) => job.firstStartS));
process.stdout.write(
  `burst: ${burstResult.jobs.filter((job) => !Number.isNaN(job.firstStartS)).length} of 2,000 started, the last ` +
    `${lastStartS} s after submission\n`,
);

const peakMb = process.resourceUsage().maxRSS / 1024;
const [, openbFirstFit, openbAlixan] = openbRuns as [Run, Run, Run];
process.stdout.write(
  `\npeak RSS ${peakMb.toFixed(0)} MB\n` +
    `throughput alixan / first-fit: fill ${(decisionsPerSecond(fillAlixan) / decisionsPerSecond(fillBaseline)).toFixed(2)}, ` +
    `churn ${(decisionsPerSecond(churnAlixan) / decisionsPerSecond(churnBaseline)).toFixed(2)}\n` +
    `site fill fragmented GPUs alixan / first-fit: ` +
    `${(fillAlixan.metrics.fragmentation.finalGpus / Math.max(1, fillBaseline.metrics.fragmentation.finalGpus)).toFixed(2)}\n` +
    `openb fill unallocated GPUs alixan / first-fit: ` +
    `${(openbAlixan.metrics.fragmentation.finalFreeGpus / openbFirstFit.metrics.fragmentation.finalFreeGpus).toFixed(2)}\n` +
    `openb fill GPU allocation alixan − first-fit: ${variantRatios.join(", ")}\n`,
);
