/**
 * Benchmark: the `alixan` command as a user starts it (bin/alixan.js on the compiled build), each run a fresh
 * process measured by the kernel (user + system CPU time and peak RSS, via GNU time's wait4 figures). Goals of
 * issue 16: `alixan --help` ≤ 0.3 s CPU and ≤ 80 MB; `alixan site show alixan` (load, expand and check 40,000 racks)
 * ≤ 0.6 s CPU. Baselines in the same run: `node -e ''` (the floor any Node program pays) and Node importing commander
 * alone. Builds dist/ first when it is stale, so the sources never stand in for the build. Run with
 * `npm run bench:cli` (`-- --quick` for 3 runs each instead of 9); exits 1 when a median misses its goal.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const runs = process.argv.includes("--quick") ? 3 : 9;
const gnuTime = "/usr/bin/time";

/** One measured process. */
interface Sample {
  readonly cpuS: number;
  readonly peakMB: number;
}

/** A command line to measure, with its goals (undefined: a baseline). */
interface Case {
  readonly label: string;
  readonly args: readonly string[];
  readonly cpuGoalS?: number;
  readonly rssGoalMB?: number;
}

/** Runs `node args` under GNU time; returns its CPU time and peak resident set. */
function measure(args: readonly string[]): Sample {
  const result = spawnSync(gnuTime, ["-f", "@@ %U %S %M", process.execPath, ...args], {
    cwd: root,
    encoding: "utf8",
  });
  const line = /@@ ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || line === null) {
    throw new Error(`node ${args.join(" ")} failed (${result.status}):\n${result.stderr}`);
  }
  return { cpuS: Number(line[1]) + Number(line[2]), peakMB: Number(line[3]) / 1024 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (!existsSync(gnuTime)) {
  console.error(`bench:cli needs GNU time at ${gnuTime} (Debian package "time") to read a child's CPU time and RSS`);
  process.exit(2);
}
const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs"), "--if-stale", "--no-check"], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);

const bin = join(root, "bin", "alixan.js");
const cases: readonly Case[] = [
  { label: "node -e ''", args: ["-e", ""] },
  { label: "node + commander", args: ["--input-type=module", "-e", "await import('commander')"] },
  { label: "alixan --help", args: [bin, "--help"], cpuGoalS: 0.3, rssGoalMB: 80 },
  { label: "alixan site show alixan", args: [bin, "site", "show", "alixan"], cpuGoalS: 0.6 },
];

// Interleave the cases run by run, so a burst of load on a shared machine hits them all alike.
const samples = new Map<string, Sample[]>(cases.map((item) => [item.label, []]));
measure(cases[0]!.args); // warms the file cache
for (let run = 0; run < runs; run++) {
  for (const item of cases) samples.get(item.label)!.push(measure(item.args));
}

const baseline = median(samples.get(cases[0]!.label)!.map((sample) => sample.cpuS));
console.log(`alixan CLI start-up: ${runs} processes each, user + system CPU and peak RSS (median; min–max)`);
console.log(
  `  ${"command".padEnd(26)}${"CPU s".padStart(7)}  ${"range".padEnd(11)}${"× node".padStart(7)}${"RSS MB".padStart(8)}  goal`,
);
let missed = false;
for (const item of cases) {
  const list = samples.get(item.label)!;
  const cpu = list.map((sample) => sample.cpuS);
  const rss = median(list.map((sample) => sample.peakMB));
  const cpuMedian = median(cpu);
  const goals: string[] = [];
  if (item.cpuGoalS !== undefined) {
    const met = cpuMedian <= item.cpuGoalS;
    missed ||= !met;
    goals.push(`CPU ≤ ${item.cpuGoalS} s ${met ? "met" : "MISSED"}`);
  }
  if (item.rssGoalMB !== undefined) {
    const met = rss <= item.rssGoalMB;
    missed ||= !met;
    goals.push(`RSS ≤ ${item.rssGoalMB} MB ${met ? "met" : "MISSED"}`);
  }
  console.log(
    `  ${item.label.padEnd(26)}${cpuMedian.toFixed(2).padStart(7)}  ${`${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}`.padEnd(11)}${(cpuMedian / baseline).toFixed(1).padStart(7)}${rss.toFixed(0).padStart(8)}  ${goals.length === 0 ? "baseline" : goals.join(", ")}`,
  );
}
if (missed) {
  console.error("bench:cli: a goal was missed (see above)");
  process.exitCode = 1;
}
