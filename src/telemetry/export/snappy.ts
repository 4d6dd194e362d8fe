/**
 * Snappy block format encoder (what Prometheus remote-write bodies use; no snappy library is installed). A varint of
 * the uncompressed length, then literals and copies with 2-byte offsets found through a hash of 4-byte sequences,
 * the same greedy scheme as the reference implementation without its fragment and skip heuristics. Any sequence of
 * literal and copy elements is valid snappy, so a simpler matcher only costs compression ratio, never correctness.
 */

const hashBits = 14;
const maxOffset = 65_535;
const minMatch = 4;

/** Output bytes with a write position; sized for the worst case up front (snappy's bound: 32 + n + n/6). */
interface Output {
  readonly bytes: Uint8Array;
  length: number;
}

function writeVarint(out: Output, value: number): void {
  let remaining = value;
  while (remaining >= 0x80) {
    out.bytes[out.length++] = (remaining & 0x7f) | 0x80;
    remaining = Math.floor(remaining / 128);
  }
  out.bytes[out.length++] = remaining;
}

function emitLiteral(out: Output, input: Uint8Array, start: number, end: number): void {
  const length = end - start;
  if (length === 0) return;
  const n = length - 1;
  const bytes = out.bytes;
  if (n < 60) bytes[out.length++] = n << 2;
  else if (n < 0x100) {
    bytes[out.length++] = 60 << 2;
    bytes[out.length++] = n;
  } else if (n < 0x10000) {
    bytes[out.length++] = 61 << 2;
    bytes[out.length++] = n & 0xff;
    bytes[out.length++] = n >>> 8;
  } else if (n < 0x1000000) {
    bytes[out.length++] = 62 << 2;
    bytes[out.length++] = n & 0xff;
    bytes[out.length++] = (n >>> 8) & 0xff;
    bytes[out.length++] = n >>> 16;
  } else {
    bytes[out.length++] = 63 << 2;
    bytes[out.length++] = n & 0xff;
    bytes[out.length++] = (n >>> 8) & 0xff;
    bytes[out.length++] = (n >>> 16) & 0xff;
    bytes[out.length++] = n >>> 24;
  }
  bytes.set(input.subarray(start, end), out.length);
  out.length += length;
}

function emitCopy(out: Output, offset: number, length: number): void {
  let remaining = length;
  // Copy elements with a 2-byte offset carry 1–64 bytes; keep at least 4 for the last one.
  while (remaining > 0) {
    const piece = remaining > 64 ? (remaining - 64 < minMatch ? 60 : 64) : remaining;
    out.bytes[out.length++] = ((piece - 1) << 2) | 2;
    out.bytes[out.length++] = offset & 0xff;
    out.bytes[out.length++] = offset >>> 8;
    remaining -= piece;
  }
}

function hash(input: Uint8Array, position: number): number {
  const word =
    input[position]! | (input[position + 1]! << 8) | (input[position + 2]! << 16) | (input[position + 3]! << 24);
  return Math.imul(word, 0x1e35a7bd) >>> (32 - hashBits);
}

/** Compresses `input` into one snappy block. */
export function snappyEncode(input: Uint8Array): Uint8Array {
  const out: Output = { bytes: new Uint8Array(32 + input.length + Math.ceil(input.length / 6)), length: 0 };
  writeVarint(out, input.length);
  const table = new Int32Array(1 << hashBits).fill(-1);
  let literalStart = 0;
  let position = 0;
  const last = input.length - minMatch;
  while (position <= last) {
    const slot = hash(input, position);
    const candidate = table[slot]!;
    table[slot] = position;
    if (
      candidate >= 0 &&
      position - candidate <= maxOffset &&
      input[candidate] === input[position] &&
      input[candidate + 1] === input[position + 1] &&
      input[candidate + 2] === input[position + 2] &&
      input[candidate + 3] === input[position + 3]
    ) {
      let length = minMatch;
      while (position + length < input.length && input[candidate + length] === input[position + length]) length++;
      emitLiteral(out, input, literalStart, position);
      emitCopy(out, position - candidate, length);
      position += length;
      literalStart = position;
      continue;
    }
    position++;
  }
  emitLiteral(out, input, literalStart, input.length);
  return out.bytes.subarray(0, out.length);
}
