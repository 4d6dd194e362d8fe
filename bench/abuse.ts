/**
 * Benchmark: the abuse sequence of issue 14 (test/abuse.test.ts: a student's ten rounds of every abusive request,
 * stalled event streams) run alone, and judged on its figures: memory growth < 50 MB and `/health` p99 < 100 ms
 * while it runs. Run with `npm run bench:abuse`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const run = spawnSync(process.execPath, ["--import", "tsx", "--test", join("test", "abuse.test.ts")], {
  cwd: root,
  encoding: "utf8",
});
const figures = /abuse: memory grew ([\d.-]+) MB; \/health p99 ([\d.]+) ms over (\d+) probes/.exec(run.stdout);
if (run.status !== 0 || figures === null) {
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  console.log("abuse: the test failed; no figures");
  process.exit(1);
}
const [grownMB, p99, probes] = [Number(figures[1]), Number(figures[2]), Number(figures[3])];
console.log(
  `abuse: ten rounds of every abusive request on the lab site, /health probed every 10 ms (${probes} probes)`,
);
console.log(`  memory growth ${grownMB.toFixed(1)} MB (target < 50 MB) → ${grownMB < 50 ? "met" : "NOT met"}`);
console.log(`  /health p99 ${p99.toFixed(1)} ms (target < 100 ms) → ${p99 < 100 ? "met" : "NOT met"}`);
