import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { buildPartition, partitionPlants } from "./layout.ts";
import { runWorkerJobs, simulate } from "./run.ts";
import { secondsPer } from "./time.ts";
import { valenceTypicalYear } from "./weather.ts";

const alixan = loadSite("alixan").site!;

describe("runner", () => {
  it("partitions whole plants into balanced groups", () => {
    const groups = partitionPlants(alixan, 3);
    assert.equal(groups.length, 3);
    assert.deepEqual(
      groups.flat().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    const partition = buildPartition(alixan, groups[0]!);
    assert.equal(partition.rows.count, groups[0]!.length * 100);
    assert.equal(partition.segments.count, partition.rows.count, "a shipped row is one segment of 50 racks");
  });

  it("gives the same results on worker threads as on one thread, and releases its workers", async () => {
    const options = {
      site: alixan,
      weather: valenceTypicalYear(3),
      durationS: secondsPer.d,
      stepS: 600,
      seed: 5,
    };
    const single = await simulate({ ...options, threads: 1 });
    let lastProgress = 0;
    const parallel = await simulate({ ...options, threads: 2, onProgress: (done) => (lastProgress = done) });
    assert.ok(single.ok && parallel.ok);
    assert.equal(parallel.value.threads, 2);
    assert.equal(lastProgress, 144);
    assert.deepEqual(parallel.value.kpis, single.value.kpis);
    assert.deepEqual(parallel.value.halls[5]!.fields, single.value.halls[5]!.fields);
    // About 1 GW of IT at design; the synthetic profiles keep it busy but below design.
    assert.ok(single.value.kpis.peakGridDemandMW > 600 && single.value.kpis.peakGridDemandMW < 1_100);
  });

  it("rejects a worker job that fails, still terminating every worker", async () => {
    const partition = buildPartition(loadSite("lab").site!, [0]);
    const broken = { ...partition, rows: { ...partition.rows, rackStart: undefined } };
    await assert.rejects(
      runWorkerJobs([
        {
          mode: "simulate",
          partition: broken as unknown as typeof partition,
          weather: valenceTypicalYear(1),
          events: [],
          ramps: [],
          settings: { stepS: 60, steps: 10, seriesIntervalS: 60, demandIntervalS: 600, rackIndexes: [] },
          seed: 1,
        },
      ]),
      /twin worker 0/,
    );
  });

  it("reports bad run settings as values", async () => {
    const base = { site: alixan, weather: valenceTypicalYear(1), threads: 1 };
    assert.deepEqual(await simulate({ ...base, durationS: 86_400, stepS: 7 }), {
      ok: false,
      error: "duration 1d is not a whole number of 7s steps",
    });
    assert.deepEqual(await simulate({ ...base, durationS: 86_400, stepS: 60, rackIds: ["rack:h9-r01-01"] }), {
      ok: false,
      error: "--rack: no rack rack:h9-r01-01 in site alixan",
    });
  });
});
