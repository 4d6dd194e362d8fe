/**
 * The benchmark baseline: a plain per-rack pass over the partition's rack arrays, once per step: each rack's power
 * from its utilisation (idle + utilisation × dynamic) and the sum of its liquid heat. It does no physics, no load
 * model and no throttling, so its time is the floor of stepping every rack in this layout, measured on the same
 * arrays and in the same threads as the real run.
 */
import type { Partition } from "./layout.ts";

/** Runs the pass `steps` times and returns a checksum (so the work cannot be optimised away). */
export function floorPass(partition: Partition, steps: number): number {
  const { count, idleKw, dynamicKw, tcsShare } = partition.racks;
  const utilisation = new Float64Array(count).fill(0.5);
  const power = new Float64Array(count);
  let checksum = 0;
  for (let step = 0; step < steps; step++) {
    const scale = 1 + step * 1e-12;
    let heat = 0;
    for (let rack = 0; rack < count; rack++) {
      const drawn = idleKw[rack]! + utilisation[rack]! * scale * dynamicKw[rack]!;
      power[rack] = drawn;
      heat += drawn * tcsShare[rack]!;
    }
    checksum += heat;
  }
  return checksum;
}
