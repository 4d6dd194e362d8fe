/**
 * Warm what-if workers: consecutive runs share one thread, nothing of a run stays in it, and a worker stopped at the
 * time limit, crashed or exited is replaced; closing stops them all and an idle one never keeps a process alive.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { AppError } from "../../core/errors.ts";
import { loadSite } from "../../model/load.ts";
import { heapOf, WhatIfPool, whatIfWorkers } from "./whatif-pool.ts";

// Worker isolates started from now on get `gc`, so a worker's heap figure is what its runs left behind.
setFlagsFromString("--expose-gc");

const lab = loadSite("lab").file;
const day = { heatWave: { peakC: 40, days: 1, nightMinimumC: 24 }, days: 1 };
const fortnight = { heatWave: { peakC: 40, days: 2, nightMinimumC: 24 }, days: 14 };
const limitMs = 300_000;
const threadIds = () => whatIfWorkers().workers.map((worker) => worker.thread.threadId);

describe("warm what-if workers", () => {
  const pool = new WhatIfPool();
  after(() => pool.close());

  it("starts a worker on the first run, not before, and runs the next on the same thread", async () => {
    const started = whatIfWorkers().started;
    assert.deepEqual(threadIds(), [], "no worker before the first what-if");
    const first = await pool.run(lab, day, limitMs);
    assert.ok(first.ok, first.error);
    const threads = threadIds();
    assert.equal(threads.length, 1);
    const second = await pool.run(lab, day, limitMs);
    assert.equal(whatIfWorkers().started, started + 1, "the second run started no worker");
    assert.deepEqual(threadIds(), threads);
    assert.deepEqual(second, first, "a reused worker answers as a fresh one");
  });

  it("keeps nothing of a run: after a collection the idle worker holds neither the last site nor its outcome", async () => {
    const [worker] = whatIfWorkers().workers;
    // Whatever a run kept (a cache of sites, a list of outcomes) would hold the last run's objects past a collection.
    assert.ok((await pool.run(lab, day, limitMs)).ok);
    const heap = await heapOf(worker!.thread);
    assert.equal(heap.lastRunHeld, false, "the last run's site or outcome is still reachable in the worker");
    assert.ok(heap.usedBytes > 0);
    assert.equal(threadIds().length, 1);
  });

  it("stops a run past its limit with a 503 naming it, and runs the next on a replacement", async () => {
    const started = whatIfWorkers().started;
    const [warm] = threadIds();
    await assert.rejects(
      pool.run(lab, fortnight, 5),
      (error) =>
        error instanceof AppError && error.status === 503 && /longer than its limit of 0\.005 s/.test(error.message),
    );
    assert.equal(whatIfWorkers().started, started + 1, "a replacement starts at once");
    assert.ok(!threadIds().includes(warm!), "the stopped worker is gone");
    assert.equal(threadIds().length, 1);
    assert.ok((await pool.run(lab, day, limitMs)).ok);
    assert.equal(whatIfWorkers().started, started + 1, "the next run took the replacement");
  });

  it("fails a run whose worker crashes with a plain error (a 500 to the caller) and replaces the worker", async () => {
    const [crashing] = threadIds();
    // A request no route would pass: runWhatIf throws on it, uncaught in the worker.
    await assert.rejects(
      pool.run(lab, null, limitMs),
      (error) => error instanceof Error && !(error instanceof AppError),
    );
    assert.ok(!threadIds().includes(crashing!));
    assert.ok((await pool.run(lab, day, limitMs)).ok);
    assert.equal(threadIds().length, 1);
  });

  it("drops an idle worker that exits, and starts another for the next run", async () => {
    const started = whatIfWorkers().started;
    await whatIfWorkers().workers[0]!.thread.terminate();
    assert.deepEqual(threadIds(), []);
    assert.ok((await pool.run(lab, day, limitMs)).ok);
    assert.equal(whatIfWorkers().started, started + 1);
  });

  it("stops every worker on close, a run in progress with a 503, and refuses runs after", async () => {
    const closing = new WhatIfPool();
    const idle = closing.run(lab, day, limitMs);
    assert.ok((await idle).ok);
    const running = closing.run(lab, fortnight, limitMs);
    assert.ok(whatIfWorkers().workers.some((worker) => worker.busy));
    await closing.close();
    await assert.rejects(running, (error) => error instanceof AppError && /shutting down/.test(error.message));
    assert.equal(threadIds().length, 1, "only the other pool's worker is left");
    await assert.rejects(closing.run(lab, day, limitMs), (error) => error instanceof AppError && error.status === 503);
  });

  it("never keeps a process alive with an idle worker, one that ran or one started in place of a stopped one", () => {
    // A process that never closes its pool must still exit on its own.
    const script = `import { loadSite } from ${JSON.stringify(import.meta.resolve("../../model/load.ts"))};
      import { WhatIfPool } from ${JSON.stringify(import.meta.resolve("./whatif-pool.ts"))};
      const lab = loadSite("lab").file;
      const pool = new WhatIfPool();
      const answered = await pool.run(lab, ${JSON.stringify(day)}, ${limitMs});
      const stopped = await pool.run(lab, ${JSON.stringify(fortnight)}, 5).catch((error) => error.status);
      console.log(answered.ok, stopped);`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], {
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(child.signal, null, "the process did not exit by itself");
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), "true 503");
  });
});
