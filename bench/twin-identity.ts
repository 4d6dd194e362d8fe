/**
 * Bit-identity check for speed work on the twin: a change to the hot path must not move a single bit of any result.
 * Runs fixed cases on the Alixan site and prints, per case, a SHA-256 of every rack's utilisation, power and throttle
 * and every row, hall and plant figure at every step (single-thread cases, through `onStep`), of the whole result
 * as JSON, and of `racks.csv` where the case writes it. Run it on the tree before the change and after, and diff:
 *
 *   npx tsx bench/twin-identity.ts --root /path/to/base/checkout > base.txt   # the base tree's `src/` is imported
 *   npx tsx bench/twin-identity.ts > head.txt                                 # this tree
 *   diff base.txt head.txt
 *
 * An argument without `--` runs only the cases whose name starts with it. Timings go to stderr. About a minute of
 * CPU on the 2-core build machine; not a benchmark.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { UtilisationSource } from "../src/model/utilisation.ts";
import type { PartitionKernel } from "../src/twin/kernel.ts";
import type { Scenario } from "../src/twin/scenario.ts";

const rootArgument = process.argv.indexOf("--root");
const root =
  rootArgument >= 0 ? resolve(process.argv[rootArgument + 1]!) : resolve(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv
  .slice(2)
  .find((argument, index, all) => !argument.startsWith("--") && all[index - 1] !== "--root");
const load: typeof import("../src/model/load.ts") = await import(join(root, "src/model/load.ts"));
const run: typeof import("../src/twin/run.ts") = await import(join(root, "src/twin/run.ts"));
const scenarios: typeof import("../src/twin/scenario.ts") = await import(join(root, "src/twin/scenario.ts"));
const weathers: typeof import("../src/twin/weather.ts") = await import(join(root, "src/twin/weather.ts"));

const loaded = load.loadSite(join(root, "sites/alixan.yaml"));
if (!loaded.ok || loaded.site === undefined) throw new Error("the alixan site did not load clean");
const weather = weathers.valenceTypicalYear(1);
const day = 86_400;

/** One case: a run on one thread (hashed every step) or on two (hashed at the end). */
interface Case {
  readonly name: string;
  /** A shipped scenario's name, or a scenario written out (YAML, with `events:`). */
  readonly scenario?: string;
  readonly startS: number;
  readonly durationS: number;
  readonly stepS: number;
  readonly threads?: number;
  readonly racksCsv?: boolean;
  /** Drive the racks from a rack-level source instead of job activity (the kernel's non-fused rack pass). */
  readonly source?: boolean;
  readonly seriesIntervalS?: number;
  /**
   * Record no rack series: nothing then reads the kernel's per-rack arrays between steps, which a step driven by job
   * activity leaves unfilled (only rows whose racks may throttle fill theirs), so the results check that path.
   */
  readonly noRackSeries?: boolean;
}

const nvl72Limit = "events:\n  - { at: 0, coolantLimit: { rackType: nvl72, maxCoolantSupplyC: 37 } }\n";
/** Every air handler of hall h1 out for six hours: the hall's shortfall path (air, rack mass, envelope, doors). */
const crahFailure = "events:\n  - { at: 200d2h, fail: crah:h1-* }\n  - { at: 200d8h, repair: crah:h1-* }\n";

const cases: readonly Case[] = [
  { name: "base-2d-60s", startS: 0, durationS: 2 * day, stepS: 60 },
  { name: "heatwave-3d-60s", scenario: "heat-wave", startS: 200 * day, durationS: 3 * day, stepS: 60 },
  { name: "cdufail-3d-60s", scenario: "cdu-failure", startS: 199 * day, durationS: 3 * day, stepS: 60 },
  { name: "growth-2d-60s", scenario: "growth", startS: 0, durationS: 2 * day, stepS: 60 },
  { name: "growth-3d-300s-late", scenario: "growth", startS: 178 * day, durationS: 3 * day, stepS: 300 },
  { name: "w45-2d-300s", scenario: "w45", startS: 190 * day, durationS: 2 * day, stepS: 300 },
  { name: "base-1h-1s", startS: 3 * day + 7 * 3600, durationS: 3600, stepS: 1 },
  { name: "jump-20d-3600s", startS: 30 * day, durationS: 20 * day, stepS: 3600 },
  { name: "jump-10d-900s", startS: 150 * day, durationS: 10 * day, stepS: 900 },
  { name: "odd-7h-7s", startS: 5 * day + 13, durationS: 7 * 3600, stepS: 7 },
  { name: "odd-2d-45s", startS: 6 * day + 17, durationS: 2 * day, stepS: 45 },
  { name: "source-6h-60s", startS: 10 * day, durationS: 6 * 3600, stepS: 60, source: true },
  { name: "threads-1d-60s-csv", startS: 100 * day, durationS: day, stepS: 60, threads: 2, racksCsv: true },
  { name: "threads-2h-1s", startS: 40 * day, durationS: 2 * 3600, stepS: 1, threads: 2, seriesIntervalS: 60 },
  { name: "single-6h-60s-csv", startS: 250 * day, durationS: 6 * 3600, stepS: 60, racksCsv: true },
  {
    name: "lazy-heatwave-3d-60s",
    scenario: "heat-wave",
    startS: 200 * day,
    durationS: 3 * day,
    stepS: 60,
    threads: 2,
    noRackSeries: true,
  },
  {
    name: "lazy-cdufail-3d-60s",
    scenario: "cdu-failure",
    startS: 199 * day,
    durationS: 3 * day,
    stepS: 60,
    threads: 2,
    noRackSeries: true,
  },
  {
    name: "lazy-growth-3d-300s-late",
    scenario: "growth",
    startS: 178 * day,
    durationS: 3 * day,
    stepS: 300,
    threads: 2,
    noRackSeries: true,
  },
  {
    name: "lazy-w45-2d-300s",
    scenario: "w45",
    startS: 190 * day,
    durationS: 2 * day,
    stepS: 300,
    threads: 2,
    noRackSeries: true,
  },
  // NVL72 racks rated 8 K below the loop's supply limit: busy racks throttle, idle ones not, every NVL72 row checks.
  { name: "throttle-1d-60s", scenario: nvl72Limit, startS: 60 * day, durationS: day, stepS: 60 },
  {
    name: "lazy-throttle-1d-60s",
    scenario: nvl72Limit,
    startS: 60 * day,
    durationS: day,
    stepS: 60,
    threads: 2,
    noRackSeries: true,
  },
  { name: "crahfail-1d-60s", scenario: crahFailure, startS: 200 * day, durationS: day, stepS: 60 },
];

/** The kernel's per-step arrays hashed at every step of a single-thread case. */
function stepArrays(kernel: PartitionKernel): ArrayBufferView[] {
  return [
    kernel.utilisation,
    kernel.rackPowerKw,
    kernel.throttle,
    kernel.tcsC,
    kernel.rowThrottleC,
    kernel.rowHeatKw,
    kernel.rowRearDoorInletC,
    kernel.supplyC,
    kernel.airSupplyC,
    kernel.plantHeatKw,
    kernel.plantPumpKw,
    kernel.hallGridKw,
    kernel.hallItKw,
    kernel.hallMaxTcsC,
    kernel.hallGpuHours,
    kernel.hallThrottledGpuHours,
    kernel.inletRackSeconds,
    kernel.running,
    kernel.hallAirRiseK,
    kernel.hallMassRiseK,
    kernel.hallEnvelopeRiseK,
    kernel.hallDoorKw,
  ];
}

const short = (hash: ReturnType<typeof createHash>) => hash.digest("hex").slice(0, 16);

for (const entry of cases) {
  if (only !== undefined && !entry.name.startsWith(only)) continue;
  let site = loaded.site;
  let scenario: Scenario = scenarios.emptyScenario;
  if (entry.scenario !== undefined) {
    const inline = entry.scenario.startsWith("events:");
    const text = inline ? entry.scenario : readFileSync(scenarios.resolveScenario(entry.scenario)!, "utf8");
    const parsed = scenarios.parseScenario(text, inline ? entry.name : entry.scenario, loaded.site, loaded.file);
    if (!parsed.ok) throw new Error(parsed.error);
    site = parsed.value.site;
    scenario = parsed.value.scenario;
  }
  const started = performance.now();
  const steps = createHash("sha256");
  const rackCount = site.racks.length;
  const source: UtilisationSource = {
    fill(timeS, out) {
      for (let rack = 0; rack < rackCount; rack++) out[rack] = ((rack * 7 + Math.floor(timeS / 600)) % 13) / 12;
    },
  };
  const directory = entry.racksCsv === true ? mkdtempSync(join(tmpdir(), "twin-identity-")) : undefined;
  const racksCsvPath = directory === undefined ? undefined : join(directory, "racks.csv");
  const picked = [0, 1234, 20_000, rackCount - 1].map((index) => site.racks[index]!.id);
  const outcome = await run.simulate({
    site,
    weather,
    durationS: entry.durationS,
    stepS: entry.stepS,
    startS: entry.startS,
    scenario,
    seed: 1,
    rackIds: entry.noRackSeries === true ? [] : picked,
    ...(entry.seriesIntervalS === undefined ? {} : { seriesIntervalS: entry.seriesIntervalS }),
    ...(racksCsvPath === undefined ? {} : { racksCsvPath }),
    ...(entry.source === true ? { load: source } : {}),
    ...(entry.threads === undefined
      ? {
          onStep: (kernel: PartitionKernel) => {
            for (const array of stepArrays(kernel)) {
              steps.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
            }
          },
        }
      : { threads: entry.threads }),
  });
  if (!outcome.ok) throw new Error(`${entry.name}: ${outcome.error}`);
  const json = JSON.stringify(outcome.value, (_key, value) =>
    ArrayBuffer.isView(value) ? Array.from(value as Float64Array) : value,
  );
  const result = short(createHash("sha256").update(json));
  const csv = racksCsvPath === undefined ? "-" : short(createHash("sha256").update(readFileSync(racksCsvPath)));
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  const stepHash = entry.threads === undefined ? short(steps) : "(threads)";
  console.log(`${entry.name}: steps ${stepHash} result ${result} csv ${csv} PUE ${outcome.value.kpis.pue}`);
  console.error(`${entry.name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
