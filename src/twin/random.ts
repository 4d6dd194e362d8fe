/**
 * Deterministic randomness. Synthetic weather draws a sequence from a seeded generator; synthetic load hashes
 * (seed, segment, time slot) so every value is the same whatever the step, the partition or the worker computing it.
 */

/** A seeded generator of uniform numbers in [0, 1) (mulberry32: small, fast, good enough for synthetic data). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Standard normal draws from a uniform source (Box–Muller). */
export function seededNormal(uniform: () => number): () => number {
  return () => {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    return radius * Math.cos(2 * Math.PI * uniform());
  };
}

/** A uniform number in [0, 1) from three integers, without state (a murmur3-style finaliser over their mix). */
export function hashUniform(seed: number, key: number, slot: number): number {
  return hashUniformKeyed(hashKey(seed, key), slot);
}

/**
 * The part of `hashUniform` that depends on `seed` and `key` only (an int32): a caller drawing many slots for one key
 * keeps it, and `hashUniformKeyed(hashKey(seed, key), slot)` is `hashUniform(seed, key, slot)` exactly.
 */
export function hashKey(seed: number, key: number): number {
  const mixed = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(key + 0x632be5ab, 0xc2b2ae35);
  return Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
}

/** `hashUniform` from a key's `hashKey` and a slot (the same integer operations, so the same number). */
export function hashUniformKeyed(keyed: number, slot: number): number {
  let mixed = keyed ^ Math.imul(slot + 0x27d4eb2f, 0x165667b1);
  mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
  mixed ^= mixed >>> 16;
  return (mixed >>> 0) / 4_294_967_296;
}
