/**
 * Benchmark: load, expand and validate the full 40,000-rack Alixan site, then read its racks and leak detectors (a
 * loaded site builds them on first read: the twin and the scheduler read them, `site show` does not, so the timed
 * load includes them). Target: under 2 s and under 500 MB. Baseline measured in the same run: reading and parsing
 * the YAML alone (the floor any loader pays).
 * Run with `npm run bench:site`.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { loadSite, resolveSite } from "../src/model/load.ts";

const iterations = process.argv.includes("--quick") ? 3 : 10;
const path = resolveSite("alixan")!;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// The first load is what a user pays at `npm start` (cold module caches, JIT warm-up): report it on its own.
/** Loads the site and reads every rack and leak detector; the number of racks. */
function loadWhole(): number {
  const loaded = loadSite("alixan");
  if (!loaded.ok || loaded.site === undefined) throw new Error("the alixan site did not load clean");
  const { racks, leakDetectors } = loaded.site;
  if (leakDetectors.length === 0) throw new Error("the alixan site lists no leak detector");
  return racks.length;
}

const coldStart = performance.now();
const rackCount = loadWhole();
const coldMs = performance.now() - coldStart;
if (rackCount !== 40_000) throw new Error(`the alixan site has ${rackCount} racks, not 40,000`);

const loadTimes: number[] = [];
const parseTimes: number[] = [];
for (let i = 0; i < iterations; i++) {
  let started = performance.now();
  parse(readFileSync(path, "utf8"));
  parseTimes.push(performance.now() - started);
  started = performance.now();
  loadWhole();
  loadTimes.push(performance.now() - started);
}
const peakRssMB = process.resourceUsage().maxRSS / 1024;
const loadMs = median(loadTimes);
const parseMs = median(parseTimes);
const racksPerSecond = 40_000 / (loadMs / 1000);

console.log(
  "site load: alixan, 40,000 racks, 800 rows, 8 halls (parse + decode + expand + capacity + validate + racks read)",
);
console.log(`  cold first load      ${coldMs.toFixed(1)} ms   (target < 2,000 ms)`);
console.log(
  `  warm load, median    ${loadMs.toFixed(1)} ms over ${iterations} runs  (${Math.round(racksPerSecond).toLocaleString("en-US")} racks/s)`,
);
console.log(`  baseline YAML parse  ${parseMs.toFixed(2)} ms   ratio load/parse ${(loadMs / parseMs).toFixed(1)}x`);
console.log(`  peak RSS             ${peakRssMB.toFixed(0)} MB   (target < 500 MB)`);
if (coldMs > 2000 || peakRssMB > 500) {
  console.error("site load: over target");
  process.exitCode = 1;
}
