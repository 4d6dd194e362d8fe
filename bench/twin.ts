/**
 * Benchmark: the digital twin over the full 40,000-rack Alixan site, the whole chain (job activity → every rack's
 * power, heat, outlet and throttle → TCS and CDUs → UPS, CRAH, transformers → facility loop, dry coolers, chillers →
 * Valence weather), partitioned by cooling plant across worker threads. Every rack is computed at every step; the
 * figure reported is the rack-steps the partitions actually stepped. Targets: a year at a 60 s step in ≤ 60 s wall on
 * 2 cores, ≤ 2 GB, and at least 0.25 of the speed of a plain per-rack pass (`floor.ts`: power from utilisation and
 * the liquid-heat sum, nothing else) run in the same worker threads in the same run; a day at a 1 s step in ≤ 30 s.
 *
 * Run with `npm run bench:twin` (`--quick`: a week at 60 s and two hours at 1 s).
 */
import { availableParallelism, loadavg } from "node:os";
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

/** Times the plain per-rack pass over the twin's partitions for `steps` steps, in the same worker layout. */
async function floorSeconds(steps: number, stepS: number): Promise<number> {
  const started = performance.now();
  await runWorkerJobs(
    partitionPlants(site, threads).map((plants) => ({
      mode: "floor",
      partition: buildPartition(site, plants),
      weather,
      events: [],
      ramps: [],
      settings: { stepS, steps, seriesIntervalS: stepS, demandIntervalS: stepS, rackIndexes: [] },
      seed: 1,
    })),
  );
  return (performance.now() - started) / 1000;
}

async function measure(
  label: string,
  durationS: number,
  stepS: number,
  target: number | undefined,
): Promise<{ ok: boolean; ratio: number }> {
  const steps = durationS / stepS;
  const load = loadavg()[0]!;
  const started = performance.now();
  const outcome = await simulate({ site, weather, durationS, stepS, threads, seed: 1 });
  const wallS = (performance.now() - started) / 1000;
  if (!outcome.ok) throw new Error(outcome.error);
  const { kpis, rackSteps } = outcome.value;
  const floorS = await floorSeconds(steps, stepS);
  const ratio = floorS / wallS;
  console.log(
    `${label}: ${format(steps)} steps × ${format(site.racks.length)} racks, ${threads} worker threads (load average ${load.toFixed(2)} at start)`,
  );
  console.log(`  wall time            ${format(wallS, 2)} s${target === undefined ? "" : `   (target ≤ ${target} s)`}`);
  console.log(
    `  rack-steps computed  ${format(rackSteps)} (${format(rackSteps / wallS / 1e6, 0)} M/s); every rack, every step: ${rackSteps === steps * site.racks.length}`,
  );
  console.log(
    `  per-rack plain pass  ${format(floorS, 2)} s in the same threads   speed twin/plain ${ratio.toFixed(2)} (target ≥ 0.25)`,
  );
  console.log(
    `  KPIs                 PUE ${kpis.pue.toFixed(4)}, pPUE cooling ${kpis.pPueCooling.toFixed(3)}, ${format(kpis.itEnergyMWh)} MWh IT, peak ${format(kpis.peakGridDemandMW, 1)} MW, ${format(kpis.chillerHours, 1)} chiller hours, ${format(kpis.gpuHours)} GPU-h, energy imbalance ${kpis.worstDailyEnergyImbalance.toExponential(1)}`,
  );
  return { ok: (target === undefined || wallS <= target) && rackSteps === steps * site.racks.length, ratio };
}

console.log(
  `twin benchmark${quick ? " (quick)" : ""}: alixan site, Valence typical year, synthetic job activity; ${availableParallelism()} cores`,
);
const year = await measure(
  quick ? "1 week at 60 s" : "1 year at 60 s",
  quick ? 7 * secondsPer.d : secondsPer.y,
  60,
  quick ? undefined : 60,
);
const day = await measure(
  quick ? "2 hours at 1 s" : "1 day at 1 s",
  quick ? 2 * secondsPer.h : secondsPer.d,
  1,
  quick ? undefined : 30,
);
const peakRssMB = process.resourceUsage().maxRSS / 1024;
console.log(`peak RSS ${format(peakRssMB)} MB (target ≤ 2,048 MB)`);
if (!year.ok || !day.ok || year.ratio < 0.25 || peakRssMB > 2_048) {
  console.error("twin: over target");
  process.exitCode = 1;
}
