/** The part of `snappyjs` (which ships no types) the remote-write receiver uses. */
declare module "snappyjs" {
  /** Decompresses a snappy block; throws when the declared length exceeds `maxLength` or the block is malformed. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  /** Compresses into one snappy block. */
  export function compress(uncompressed: Uint8Array): Uint8Array;
}
