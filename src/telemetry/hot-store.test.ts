import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { HotStore } from "./hot-store.ts";

describe("hot store", () => {
  it("keeps the last `capacity` samples of each series and knows since when it is complete", () => {
    const store = new HotStore(3);
    for (let t = 1; t <= 5; t++) store.append(7, t * 10, t);
    store.append(5000, 1, 99);
    const seen: [number, number][] = [];
    store.scan(7, 0, 100, (timestamp, value) => seen.push([timestamp, value]));
    assert.deepEqual(seen, [
      [30, 3],
      [40, 4],
      [50, 5],
    ]);
    assert.equal(store.count(7), 3);
    assert.equal(store.latestTimestamp(7), 50);
    assert.equal(store.latestValue(7), 5);
    assert.equal(store.holdsSince(7, 21), true);
    assert.equal(store.holdsSince(7, 20), false, "the sample at 20 was overwritten");
    assert.equal(store.holdsSince(5000, 0), true);
    assert.deepEqual(store.sampleAtOrBefore(7, 45), { timestamp: 40, value: 4 });
    assert.equal(store.sampleAtOrBefore(7, 29), undefined);
    assert.equal(store.latestTimestamp(123), Number.NEGATIVE_INFINITY);
  });

  it("matches a plain list model for any sequence of appends (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 9000 }), fc.integer({ min: 0, max: 1000 }), fc.double({ noNaN: true })),
          {
            maxLength: 200,
          },
        ),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (capacity, appends, a, b) => {
          const store = new HotStore(capacity);
          const model = new Map<number, [number, number][]>();
          for (const [series, timestamp, value] of appends) {
            store.append(series, timestamp, value);
            const list = model.get(series) ?? [];
            list.push([timestamp, value]);
            model.set(series, list.slice(-capacity));
          }
          const [from, to] = a <= b ? [a, b] : [b, a];
          for (const [series, list] of model) {
            const seen: [number, number][] = [];
            store.scan(series, from, to, (timestamp, value) => seen.push([timestamp, value]));
            assert.deepEqual(
              seen,
              list.filter(([timestamp]) => timestamp >= from && timestamp < to),
            );
            assert.equal(store.latestTimestamp(series), Math.max(...list.map(([timestamp]) => timestamp)));
          }
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });
});
