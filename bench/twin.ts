/**
 * Benchmark: the digital twin over the full 40,000-rack Alixan site, the whole chain (utilisation → rack power →
 * TCS and CDUs → UPS, CRAH, transformers → facility loop, dry coolers, chillers → Valence weather), partitioned by
 * cooling plant across worker threads. Target: a year at a 60 s step in ≤ 60 s wall on 2 cores and ≤ 2 GB.
 * Also a day at a 1 s step.
 *
 * Baseline in the same run: a plain multiply-add pass over the same typed arrays, in the same worker threads, once
 * per step (the memory-bandwidth floor of the layout). The kernel works per segment (a row's run of identical racks),
 * so a per-rack pass is also timed on a sample of steps and extrapolated, to show what per-rack stepping would cost.
 *
 * Run with `npm run bench:twin` (`--quick`: a week at 60 s and two hours at 1 s).
 */
import { availableParallelism } from "node:os";
import { loadSite } from "../src/model/load.ts";
import { buildPartition, partitionPlants } from "../src/twin/layout.ts";
import { runWorkerJobs, simulate } from "../src/twin/run.ts";
import { secondsPer } from "../src/twin/time.ts";
import { valenceTypicalYear } from "../src/twin/weather.ts";

const quick = process.argv.includes("--quick");
const loaded = loadSite("alixan");
if (!loaded.ok || loaded.site === undefined) throw new Error("the alixan site did not load clean");
const site = loaded.site;
const weather = valenceTypicalYear(1);
const threads = Math.min(availableParallelism(), site.plants.length);
const format = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Times the floor pass over the twin's partitions for `steps` steps, in the same worker layout. */
async function floorSeconds(steps: number, stepS: number): Promise<number> {
  const started = performance.now();
  await runWorkerJobs(
    partitionPlants(site, threads).map((plants) => ({
      mode: "floor",
      partition: buildPartition(site, plants),
      weather,
      events: [],
      ramps: [],
      settings: { stepS, steps, seriesIntervalS: stepS, demandIntervalS: stepS, rackIndex: -1 },
      seed: 1,
    })),
  );
  return (performance.now() - started) / 1000;
}

/** A plain pass over per-rack arrays (utilisation, power, heat) for a sample of steps, extrapolated to `steps`. */
function perRackFloorSeconds(steps: number): number {
  const racks = site.racks.length;
  const utilisation = new Float64Array(racks).fill(0.7);
  const power = new Float64Array(racks).fill(42);
  const heat = new Float64Array(racks);
  const sample = 2_000;
  const started = performance.now();
  for (let step = 0; step < sample; step++) {
    for (let rack = 0; rack < racks; rack++) heat[rack] = power[rack]! * utilisation[rack]! + heat[rack]! * 1e-9;
  }
  const seconds = (performance.now() - started) / 1000;
  return (seconds * steps) / sample / threads;
}

async function measure(label: string, durationS: number, stepS: number, target: number | undefined): Promise<boolean> {
  const steps = durationS / stepS;
  const started = performance.now();
  const outcome = await simulate({ site, weather, durationS, stepS, threads, seed: 1 });
  const wallS = (performance.now() - started) / 1000;
  if (!outcome.ok) throw new Error(outcome.error);
  const { kpis } = outcome.value;
  const floorS = await floorSeconds(steps, stepS);
  const rackSteps = steps * site.racks.length;
  let segments = 0;
  for (const plants of partitionPlants(site, threads)) segments += buildPartition(site, plants).segments.count;
  console.log(
    `${label}: ${format(steps)} steps × ${format(site.racks.length)} racks (${format(segments)} segments), ${threads} worker threads`,
  );
  console.log(`  wall time            ${format(wallS, 2)} s${target === undefined ? "" : `   (target ≤ ${target} s)`}`);
  console.log(
    `  throughput           ${format(rackSteps / wallS / 1e6, 0)} M rack-steps/s represented, ${format((segments * steps) / wallS / 1e6, 1)} M segment-steps/s computed`,
  );
  console.log(
    `  floor (plain pass)   ${format(floorS, 2)} s over the same typed arrays   ratio twin/floor ${format(wallS / floorS, 1)}x`,
  );
  console.log(
    `  per-rack plain pass  ${format(perRackFloorSeconds(steps), 1)} s (extrapolated, ${threads} threads, no physics)`,
  );
  console.log(
    `  KPIs                 PUE ${kpis.pue.toFixed(3)}, pPUE cooling ${kpis.pPueCooling.toFixed(3)}, ${format(kpis.itEnergyMWh)} MWh IT, peak ${format(kpis.peakGridDemandMW, 1)} MW, ${format(kpis.chillerHours, 1)} chiller hours, energy imbalance ${kpis.worstDailyEnergyImbalance.toExponential(1)}`,
  );
  return target === undefined || wallS <= target;
}

console.log(
  `twin benchmark${quick ? " (quick)" : ""}: alixan site, Valence typical year, synthetic load; ${availableParallelism()} cores`,
);
const yearOk = await measure(
  quick ? "1 week at 60 s" : "1 year at 60 s",
  quick ? 7 * secondsPer.d : secondsPer.y,
  60,
  quick ? undefined : 60,
);
const dayOk = await measure(
  quick ? "2 hours at 1 s" : "1 day at 1 s",
  quick ? 2 * secondsPer.h : secondsPer.d,
  1,
  undefined,
);
const peakRssMB = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS ${format(peakRssMB)} MB (target ≤ 2,048 MB)`);
if (!yearOk || !dayOk || peakRssMB > 2_048) {
  console.error("twin: over target");
  process.exitCode = 1;
}
