/**
 * Test support: the receiving side of Prometheus remote-write, written independently of the encoder so that tests
 * check the bytes against the formats rather than against themselves — a snappy block decoder (all four element
 * types), a protobuf WriteRequest decoder, and a local HTTP receiver that can fail on demand.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Decodes a snappy block; throws on malformed input. */
export function snappyDecode(input: Uint8Array): Uint8Array {
  let position = 0;
  let length = 0;
  let shift = 0;
  for (;;) {
    const byte = input[position++];
    if (byte === undefined) throw new Error("snappy: truncated length");
    length += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) break;
  }
  const output = new Uint8Array(length);
  let written = 0;
  while (position < input.length) {
    const tag = input[position++]!;
    const type = tag & 3;
    if (type === 0) {
      let literal = tag >>> 2;
      if (literal >= 60) {
        const bytes = literal - 59;
        literal = 0;
        for (let i = 0; i < bytes; i++) literal += input[position++]! * 256 ** i;
      }
      literal += 1;
      if (position + literal > input.length || written + literal > length) throw new Error("snappy: literal overflows");
      output.set(input.subarray(position, position + literal), written);
      position += literal;
      written += literal;
      continue;
    }
    let copyLength: number;
    let offset: number;
    if (type === 1) {
      copyLength = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[position++]!;
    } else if (type === 2) {
      copyLength = (tag >>> 2) + 1;
      offset = input[position]! | (input[position + 1]! << 8);
      position += 2;
    } else {
      copyLength = (tag >>> 2) + 1;
      offset =
        input[position]! +
        input[position + 1]! * 256 +
        input[position + 2]! * 65_536 +
        input[position + 3]! * 16_777_216;
      position += 4;
    }
    if (offset === 0 || offset > written || written + copyLength > length) throw new Error("snappy: bad copy");
    for (let i = 0; i < copyLength; i++) output[written + i] = output[written - offset + i]!;
    written += copyLength;
  }
  if (written !== length) throw new Error(`snappy: ${written} bytes decoded, ${length} announced`);
  return output;
}

/** A decoded time series. */
export interface DecodedSeries {
  readonly labels: Record<string, string>;
  readonly samples: { value: number; timestamp: number }[];
}

interface Field {
  readonly number: number;
  readonly wire: number;
  readonly value: number | Uint8Array;
}

function* fields(bytes: Uint8Array): Generator<Field> {
  let position = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[position++];
      if (byte === undefined) throw new Error("protobuf: truncated varint");
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return result;
    }
  };
  while (position < bytes.length) {
    const key = varint();
    const wire = key & 7;
    const number = Math.floor(key / 8);
    if (wire === 0) yield { number, wire, value: varint() };
    else if (wire === 1) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + position, 8);
      yield { number, wire, value: view.getFloat64(0, true) };
      position += 8;
    } else if (wire === 2) {
      const length = varint();
      yield { number, wire, value: bytes.subarray(position, position + length) };
      position += length;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

const decoder = new TextDecoder();

/** Decodes a (decompressed) WriteRequest. */
export function decodeWriteRequest(bytes: Uint8Array): DecodedSeries[] {
  const series: DecodedSeries[] = [];
  for (const field of fields(bytes)) {
    if (field.number !== 1 || !(field.value instanceof Uint8Array)) continue;
    const labels: Record<string, string> = {};
    const samples: { value: number; timestamp: number }[] = [];
    for (const inner of fields(field.value)) {
      if (!(inner.value instanceof Uint8Array)) continue;
      if (inner.number === 1) {
        let name = "";
        let value = "";
        for (const part of fields(inner.value)) {
          if (part.value instanceof Uint8Array) {
            if (part.number === 1) name = decoder.decode(part.value);
            if (part.number === 2) value = decoder.decode(part.value);
          }
        }
        labels[name] = value;
      } else if (inner.number === 2) {
        let value = 0;
        let timestamp = 0;
        for (const part of fields(inner.value)) {
          if (part.number === 1 && typeof part.value === "number") value = part.value;
          if (part.number === 2 && typeof part.value === "number") timestamp = part.value;
        }
        samples.push({ value, timestamp });
      }
    }
    series.push({ labels, samples });
  }
  return series;
}

/** A local receiver. */
export interface Receiver {
  readonly url: string;
  readonly received: DecodedSeries[][];
  readonly headers: Record<string, string | string[] | undefined>[];
  /** Number of requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 that answers `failures` requests with 503, then decodes and accepts. */
export async function startReceiver(failures = 0): Promise<Receiver> {
  const received: DecodedSeries[][] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  let requests = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests++;
      headers.push(request.headers);
      if (requests <= failures) {
        response.writeHead(503).end("try later");
        return;
      }
      try {
        received.push(decodeWriteRequest(snappyDecode(Buffer.concat(chunks))));
        response.writeHead(204).end();
      } catch (cause) {
        response.writeHead(400).end(String(cause));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    received,
    headers,
    get requests() {
      return requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
