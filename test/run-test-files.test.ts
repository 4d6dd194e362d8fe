/**
 * scripts/run-test-files.mjs, what `npm test` runs the files through: they start in the order given (the long suites
 * first), where `node --test` would sort them by path, and a failing test fails the run while a failing todo does not.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const runner = join(import.meta.dirname, "..", "scripts", "run-test-files.mjs");

describe("npm test's file runner", () => {
  const directory = mkdtempSync(join(tmpdir(), "alixan-run-files-"));
  after(() => rmSync(directory, { recursive: true, force: true }));
  /** A test file that says when it started, and fails when `fails`. */
  const file = (path: string, fails = false) => {
    const full = join(directory, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(
      full,
      `import { test } from "node:test";\nconsole.log("# started ${path}");\ntest("${path}", () => { if (${fails}) throw new Error("no"); });\ntest.todo("todo of ${path}", () => { throw new Error("not yet"); });\n`,
    );
    return full;
  };
  const run = (files: string[]) => {
    // This file runs under a test runner, which marks its processes (NODE_TEST_CONTEXT) as its children: the runner
    // under test would then report to it instead of running the files.
    const environment = { ...process.env };
    delete environment["NODE_TEST_CONTEXT"];
    const plan = { files, concurrency: 1, timeout: 60_000, namePatterns: [], only: false };
    return spawnSync(process.execPath, [runner, JSON.stringify(plan)], { encoding: "utf8", env: environment });
  };

  it("starts the files in the order given, not sorted by path", () => {
    const files = [file("z/long.test.mjs"), file("a/short.test.mjs"), file("m/middle.test.mjs")];
    const result = run(files);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const started = [...result.stdout.matchAll(/# started (\S+)/g)].map((match) => match[1]);
    assert.deepEqual(started, ["z/long.test.mjs", "a/short.test.mjs", "m/middle.test.mjs"]);
    assert.match(result.stdout, /^# pass 3$/m);
    assert.match(result.stdout, /^# todo 3$/m);
  });

  it("fails the run on a failing test", () => {
    const result = run([file("b/fine.test.mjs"), file("c/broken.test.mjs", true)]);
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stdout, /^not ok \d+ - c\/broken\.test\.mjs$/m);
    assert.match(result.stdout, /^# fail 1$/m);
  });
});
