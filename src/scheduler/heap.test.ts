import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { IndexedMinHeap, MinHeap } from "./heap.ts";

describe("heaps", () => {
  it("MinHeap pops by key, equal keys in insertion order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3000 }), (keys) => {
        const heap = new MinHeap();
        keys.forEach((key, item) => {
          heap.push(key, item);
        });
        const expected = keys.map((key, item) => ({ key, item })).sort((a, b) => a.key - b.key || a.item - b.item);
        const popped = expected.map(() => heap.pop());
        assert.deepEqual(
          popped,
          expected.map((entry) => entry.item),
        );
        assert.equal(heap.pop(), -1);
      }),
      { numRuns: 50 },
    );
  });

  it("IndexedMinHeap removes any item and visits the rest in key order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 500 }),
        fc.nat(2500),
        (keys, removals, limit) => {
          const heap = new IndexedMinHeap();
          keys.forEach((key, item) => {
            heap.insert(item, key);
          });
          const present = new Set(keys.map((_, item) => item));
          for (const removal of removals) {
            if (keys.length === 0) break;
            const item = removal % keys.length;
            heap.remove(item);
            present.delete(item);
          }
          assert.equal(heap.size, present.size);
          const visited: number[] = [];
          heap.visitInOrder((item, key) => {
            assert.equal(key, keys[item]);
            visited.push(key);
            return visited.length < limit;
          });
          const expected = [...present].map((item) => keys[item]!).sort((a, b) => a - b);
          assert.deepEqual(
            visited,
            expected.slice(0, Math.max(1, Math.min(limit, expected.length))).slice(0, expected.length),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
