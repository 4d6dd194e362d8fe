// Runs test files in the order scripts/run-tests.mjs gives them (the longest suites first). Node 20's `node --test`
// sorts its file arguments by path whatever order they come in, which started the longest suites (test/slurm-*,
// test/server-process, test/simulated-restart) among the last and left the run's end to them alone; node:test's run()
// keeps the order. Started with `--import tsx`, which run() passes on to each file's process.
// Argument: JSON { files (absolute paths), concurrency, timeout (ms, for each file), namePatterns, only }.
import { run } from "node:test";
import { spec, tap } from "node:test/reporters";

const plan = JSON.parse(process.argv[2]);
const stream = run({
  files: plan.files,
  concurrency: plan.concurrency,
  timeout: plan.timeout,
  only: plan.only,
  ...(plan.namePatterns.length === 0 ? {} : { testNamePatterns: plan.namePatterns }),
});
// As `node --test`: a failing test (not a todo) fails the run.
stream.on("test:fail", (data) => {
  if (!data.todo) process.exitCode = 1;
});
// As `node --test`: the spec reporter on a terminal, TAP otherwise (what CI reads).
stream.compose(process.stdout.isTTY ? new spec() : tap).pipe(process.stdout);
