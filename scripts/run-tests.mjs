#!/usr/bin/env node
// Node 20's test runner does not expand globs: find every *.test.ts under src/ and test/ and pass the list explicitly.
// Extra arguments narrow the run to files whose path contains one of them (`npm test -- twin`).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { typeboxTsconfig } from "./test-typebox.mjs";

const root = new URL("..", import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const flags = process.argv.slice(2).filter((a) => a.startsWith("-"));

/** Lists test files below `dir`, depth first, skipping dependencies and outputs. */
function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.ts")) found.push(relative(root, path));
  }
  return found;
}

// Suites measured at minutes each on a 2-core CI machine (session 9: each 2–3 min under 3-file concurrency), which
// start before everything else: src/scheduler/atc23.test.ts would otherwise wait behind every file of test/ and could
// start last, leaving the run to it alone. A file missing here only starts in the order below.
const longFirst = ["test/slurm-grid-restart.test.ts", "src/scheduler/atc23.test.ts", "test/grid-events.test.ts"];

// Files start in this order: the long suites above, then test/ (suites running processes, browsers and real servers,
// up to minutes each), then src/ (unit tests of seconds), so short files fill the slots at the end instead of a long
// suite starting last. scripts/run-test-files.mjs keeps this order (`node --test` would sort the files by path).
const rank = (file) => (longFirst.includes(file) ? longFirst.indexOf(file) : longFirst.length);
const files = ["test", "src"]
  .flatMap((d) =>
    findTests(join(root, d))
      .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
      .sort(),
  )
  .map((file, order) => ({ file, order }))
  .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
  .map(({ file }) => file);
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
// Most suites wait on real programs (slurmctld, Chromium, PostgreSQL, a platform process) or on the live twin's clock
// rather than compute: Node's default (cores − 1, so one file at a time on a 2-core CI machine) leaves the CPU idle
// for most of the run. One more file than cores; `npm test -- --test-concurrency=1` runs them one by one.
const flagValue = (name) => flags.find((flag) => flag.startsWith(`${name}=`))?.slice(name.length + 1);
const concurrency = Number(flagValue("--test-concurrency") ?? availableParallelism() + 1);
// A test file that hangs (a program that never answers, a wait without a bound) fails after 15 minutes, naming
// itself, instead of holding the run until CI's 90-minute limit kills it without a word; the longest takes ~3 minutes.
const timeout = Number(flagValue("--test-timeout") ?? 900_000);
// TypeBox bundled for tsx (scripts/test-typebox.mjs): about 1 s of CPU less in each test file that loads it.
const tsconfig = process.env.TSX_TSCONFIG_PATH ?? typeboxTsconfig(root, join(root, "test-output", "tsx"));
const environment = {
  ...process.env,
  // Every JSON answer in the tests must survive its response schema unchanged (src/server/response-check.ts).
  ALIXAN_CHECK_RESPONSES: "1",
  // Most suites open new PGlite stores, each an initdb of ~3 s CPU: a new store is loaded from a dump
  // of a blank cluster made once per machine instead (src/store/pglite-template.ts), in this and child processes.
  ALIXAN_PGLITE_TEMPLATE: process.env.ALIXAN_PGLITE_TEMPLATE ?? join(tmpdir(), "alixan-test-pglite"),
  ...(tsconfig === undefined ? {} : { TSX_TSCONFIG_PATH: tsconfig }),
};
// The flags scripts/run-test-files.mjs passes on to node:test's run(), which keeps the order above; any other flag
// goes to `node --test` itself, which takes every flag but sorts the files by path.
const known = ["--test-concurrency=", "--test-timeout=", "--test-name-pattern=", "--test-only"];
const runnable = flags.every((flag) => known.some((name) => flag === name || flag.startsWith(name)));
const plan = {
  files: files.map((file) => join(root, file)),
  concurrency,
  timeout,
  namePatterns: flags.filter((flag) => flag.startsWith("--test-name-pattern=")).map((flag) => flag.slice(20)),
  only: flags.includes("--test-only"),
};
const result = spawnSync(
  process.execPath,
  runnable
    ? ["--import", "tsx", join(root, "scripts", "run-test-files.mjs"), JSON.stringify(plan)]
    : [
        "--import",
        "tsx",
        "--test",
        `--test-concurrency=${concurrency}`,
        `--test-timeout=${timeout}`,
        ...flags,
        ...files,
      ],
  { cwd: root, stdio: "inherit", env: environment },
);
process.exit(result.status ?? 1);
