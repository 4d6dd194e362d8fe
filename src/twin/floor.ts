/**
 * The benchmark baseline: a plain multiply-add pass over every typed array of a partition's tables, once per step.
 * It does no physics, so its time is the memory-traffic floor of the twin's data layout, measured on the same arrays
 * and in the same threads as the real run.
 */
import type { Partition } from "./layout.ts";

/** Runs the pass `steps` times and returns a checksum (so the work cannot be optimised away). */
export function floorPass(partition: Partition, steps: number): number {
  const arrays: Float64Array[] = [];
  for (const table of [partition.segments, partition.rows, partition.halls, partition.plants]) {
    for (const value of Object.values(table)) if (value instanceof Float64Array) arrays.push(value);
  }
  // The kernel's per-step working arrays of segment size (utilisation, power, throttle).
  for (let copy = 0; copy < 3; copy++) arrays.push(new Float64Array(partition.segments.count).fill(0.5));
  let checksum = 0;
  for (let step = 0; step < steps; step++) {
    const scale = 1 + step * 1e-12;
    for (const values of arrays) {
      for (let index = 0; index < values.length; index++) checksum += values[index]! * scale;
    }
  }
  return checksum;
}
