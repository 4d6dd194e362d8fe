import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { decodeRecords, encodeRecord, type SampleColumns, WriteAheadLog } from "./wal.ts";

const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "alixan-wal-"));
  directories.push(directory);
  return directory;
}

function batch(count: number, offset = 0): SampleColumns {
  const series = new Uint32Array(count);
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    series[i] = (i + offset) % 5;
    timestamps[i] = 1_000 * (i + offset);
    values[i] = (i + offset) * 0.5;
  }
  return { definitions: [], series, timestamps, values, count };
}

describe("write-ahead log records", () => {
  it("round-trip any batch and its series definitions (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.double(), fc.double()), { maxLength: 50 }),
        fc.array(
          fc.record(
            {
              id: fc.nat(),
              name: fc.string(),
              labels: fc.dictionary(fc.string(), fc.string(), { noNullPrototype: true }),
            },
            { noNullPrototype: true },
          ),
          { maxLength: 3 },
        ),
        (rows, definitions) => {
          const columns: SampleColumns = {
            definitions,
            series: Uint32Array.from(rows.map((row) => row[0] % 2 ** 32)),
            timestamps: Float64Array.from(rows.map((row) => row[1])),
            values: Float64Array.from(rows.map((row) => row[2])),
            count: rows.length,
          };
          const decoded = decodeRecords(encodeRecord(columns));
          assert.equal(decoded.tornBytes, 0);
          assert.equal(decoded.batches.length, 1);
          const [back] = decoded.batches;
          assert.deepEqual(back!.definitions, definitions);
          assert.deepEqual([...back!.series], [...columns.series]);
          assert.deepEqual([...back!.timestamps], [...columns.timestamps]);
          assert.deepEqual([...back!.values], [...columns.values]);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it("stop at a torn or corrupted record and report the bytes dropped", () => {
    const whole = Buffer.concat([encodeRecord(batch(3)), encodeRecord(batch(2, 3))]);
    for (let cut = 1; cut < whole.length; cut++) {
      const decoded = decodeRecords(whole.subarray(0, cut));
      const expected = cut >= encodeRecord(batch(3)).length ? 1 : 0;
      assert.equal(decoded.batches.length, expected, `cut at ${cut}`);
      assert.equal(decoded.tornBytes, cut - (expected === 1 ? encodeRecord(batch(3)).length : 0));
    }
    const corrupted = Buffer.from(whole);
    corrupted[20] = corrupted[20]! ^ 0xff;
    assert.equal(decodeRecords(corrupted).batches.length, 0);
  });
});

describe("write-ahead log", () => {
  it("groups concurrent appends, applies them in order, rotates and replays after the checkpoint", async () => {
    const directory = temporaryDirectory();
    const log = await WriteAheadLog.open(directory);
    const applied: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => log.append(encodeRecord(batch(1, i)), () => applied.push(i))),
    );
    assert.deepEqual(
      applied,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.ok(log.syncCount < 20, `grouped into ${log.syncCount} syncs`);
    const closed = await log.rotate();
    await log.append(encodeRecord(batch(1, 100)), () => applied.push(100));
    await log.close();
    assert.equal(readdirSync(directory).length, 2);

    const everything: number[] = [];
    const report = await WriteAheadLog.replay(directory, 0, (replayed) => everything.push(replayed.values[0]!));
    assert.equal(report.batches, 21);
    assert.equal(everything.length, 21);

    const afterCheckpoint: number[] = [];
    await WriteAheadLog.replay(directory, closed, (replayed) => afterCheckpoint.push(replayed.values[0]!));
    assert.deepEqual(afterCheckpoint, [50]);
    assert.equal(readdirSync(directory).length, 1, "segments at or before the checkpoint are deleted");
  });

  it("drops a torn tail at replay and keeps every whole record", async () => {
    const directory = temporaryDirectory();
    const log = await WriteAheadLog.open(directory);
    await log.append(encodeRecord(batch(4)), () => {});
    await log.close();
    const [name] = readdirSync(directory);
    appendFileSync(join(directory, name!), encodeRecord(batch(4)).subarray(0, 30));
    const report = await WriteAheadLog.replay(directory, 0, () => {});
    assert.equal(report.samples, 4);
    assert.deepEqual(report.torn, [{ segment: 1, bytes: 30 }]);
  });
});
