/**
 * Write-ahead log: every accepted batch is appended to a segment file and fdatasync'ed before the sender hears
 * "accepted", so a kill -9 (or a power cut) loses no acknowledged sample. Batches waiting while a sync is under way
 * share the next sync (group commit), which is what keeps per-batch durability cheap under load.
 *
 * Segments are numbered files (`00000000000000000042.wal`). History flushes rotate to a new segment, write every
 * batch of the older segments into DuckDB together with the number of the last segment covered (one transaction),
 * and only then delete those segments. At start, segments after that number are replayed.
 *
 * Record: u32 body length, u32 CRC-32 of the body, body. Body: u8 format (1), u32 definition count, definitions
 * (u32 series id, u32 byte length, UTF-8 JSON `[name, labels]`), u32 sample count, then the sample columns
 * (u32 series ids, f64 timestamps in ms, f64 values), little-endian. A record cut short by a crash fails its length
 * or CRC check and is dropped: it was never acknowledged.
 */
import { mkdirSync } from "node:fs";
import { type FileHandle, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { Labels } from "./types.ts";

/** A series created by the batch that carries it. */
export interface SeriesDefinition {
  readonly id: number;
  readonly name: string;
  readonly labels: Labels;
}

/** A batch of samples as parallel columns, plus the series it introduces. */
export interface SampleColumns {
  readonly definitions: readonly SeriesDefinition[];
  readonly series: Uint32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly count: number;
}

const recordFormat = 1;
const headerBytes = 8;

/** Encodes a batch as one log record. */
export function encodeRecord(batch: SampleColumns): Buffer {
  const definitionTexts = batch.definitions.map((definition) =>
    Buffer.from(JSON.stringify([definition.name, definition.labels]), "utf8"),
  );
  let bodyLength = 1 + 4 + 4 + batch.count * 20;
  for (const text of definitionTexts) bodyLength += 8 + text.length;
  const record = Buffer.allocUnsafe(headerBytes + bodyLength);
  let offset = headerBytes;
  record.writeUInt8(recordFormat, offset);
  offset += 1;
  record.writeUInt32LE(batch.definitions.length, offset);
  offset += 4;
  batch.definitions.forEach((definition, index) => {
    const text = definitionTexts[index]!;
    record.writeUInt32LE(definition.id, offset);
    record.writeUInt32LE(text.length, offset + 4);
    text.copy(record, offset + 8);
    offset += 8 + text.length;
  });
  record.writeUInt32LE(batch.count, offset);
  offset += 4;
  offset += copyColumn(batch.series, batch.count * 4, record, offset);
  offset += copyColumn(batch.timestamps, batch.count * 8, record, offset);
  copyColumn(batch.values, batch.count * 8, record, offset);
  record.writeUInt32LE(bodyLength, 0);
  record.writeUInt32LE(crc32(record.subarray(headerBytes)), 4);
  return record;
}

function copyColumn(column: Uint32Array | Float64Array, bytes: number, target: Buffer, offset: number): number {
  Buffer.from(column.buffer, column.byteOffset, bytes).copy(target, offset);
  return bytes;
}

/** Outcome of decoding the records of one segment. */
export interface DecodedSegment {
  readonly batches: SampleColumns[];
  /** Bytes at the end that did not form a whole, valid record (a write cut short by a crash). */
  readonly tornBytes: number;
}

/** Decodes every whole record of a segment's bytes; stops at the first torn or corrupt one. */
export function decodeRecords(bytes: Buffer): DecodedSegment {
  const batches: SampleColumns[] = [];
  let offset = 0;
  while (offset + headerBytes <= bytes.length) {
    const bodyLength = bytes.readUInt32LE(offset);
    const end = offset + headerBytes + bodyLength;
    if (bodyLength < 9 || end > bytes.length) break;
    const body = bytes.subarray(offset + headerBytes, end);
    if (crc32(body) !== bytes.readUInt32LE(offset + 4)) break;
    const batch = decodeBody(body);
    if (batch === undefined) break;
    batches.push(batch);
    offset = end;
  }
  return { batches, tornBytes: bytes.length - offset };
}

function decodeBody(body: Buffer): SampleColumns | undefined {
  if (body.readUInt8(0) !== recordFormat) return undefined;
  let offset = 1;
  const definitionCount = body.readUInt32LE(offset);
  offset += 4;
  const definitions: SeriesDefinition[] = [];
  for (let i = 0; i < definitionCount; i++) {
    if (offset + 8 > body.length) return undefined;
    const id = body.readUInt32LE(offset);
    const length = body.readUInt32LE(offset + 4);
    if (offset + 8 + length > body.length) return undefined;
    const [name, labels] = JSON.parse(body.toString("utf8", offset + 8, offset + 8 + length)) as [string, Labels];
    definitions.push({ id, name, labels });
    offset += 8 + length;
  }
  if (offset + 4 > body.length) return undefined;
  const count = body.readUInt32LE(offset);
  offset += 4;
  if (offset + count * 20 !== body.length) return undefined;
  // Copied into fresh arrays: typed arrays need aligned offsets, which a record inside a file does not guarantee.
  const series = new Uint32Array(count);
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  body.copy(Buffer.from(series.buffer), 0, offset, offset + count * 4);
  offset += count * 4;
  body.copy(Buffer.from(timestamps.buffer), 0, offset, offset + count * 8);
  offset += count * 8;
  body.copy(Buffer.from(values.buffer), 0, offset, offset + count * 8);
  return { definitions, series, timestamps, values, count };
}

interface PendingWrite {
  readonly kind: "write";
  readonly record: Buffer;
  /** Runs synchronously once the record is durable, before anything queued after it. */
  readonly onDurable: () => void;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

interface PendingRotation {
  readonly kind: "rotate";
  readonly resolve: (closedSegment: number) => void;
  readonly reject: (error: Error) => void;
}

/** What replay found. */
export interface ReplayReport {
  readonly segments: number;
  readonly batches: number;
  readonly samples: number;
  /** Segments whose end held a torn record, with the bytes dropped. */
  readonly torn: readonly { readonly segment: number; readonly bytes: number }[];
}

const segmentPattern = /^(\d{20})\.wal$/;
/** Segments hold every acknowledged sample: private to the user running the platform, like the store. */
const segmentMode = 0o600;

function segmentName(segment: number): string {
  return `${String(segment).padStart(20, "0")}.wal`;
}

/** The log of one data directory. */
export class WriteAheadLog {
  readonly directory: string;
  #segment: number;
  #handle: FileHandle;
  #queue: (PendingWrite | PendingRotation)[] = [];
  #draining = false;
  #failure: Error | undefined;
  /** Bytes of whole records in the current segment (known after the first write): where a failed write is cut. */
  #size: number | undefined;
  #recovering: Promise<boolean> | undefined;
  #closed = false;
  /** Syncs done, for the platform metrics. */
  syncCount = 0;
  /** Bytes written. */
  bytesWritten = 0;

  private constructor(directory: string, segment: number, handle: FileHandle) {
    this.directory = directory;
    this.#segment = segment;
    this.#handle = handle;
  }

  /** Lists the segment numbers present in a directory, ascending. */
  static async segments(directory: string): Promise<number[]> {
    const names = await readdir(directory).catch(() => [] as string[]);
    return names
      .map((name) => segmentPattern.exec(name)?.[1])
      .filter((digits): digits is string => digits !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /**
   * Replays every batch in segments numbered above `checkpoint`, in order, and deletes the segments at or below it
   * (their batches are already in history). Call before `open`.
   */
  static async replay(
    directory: string,
    checkpoint: number,
    visit: (batch: SampleColumns) => void,
  ): Promise<ReplayReport> {
    let batches = 0;
    let samples = 0;
    let replayed = 0;
    const torn: { segment: number; bytes: number }[] = [];
    for (const segment of await WriteAheadLog.segments(directory)) {
      const path = join(directory, segmentName(segment));
      if (segment <= checkpoint) {
        await unlink(path);
        continue;
      }
      const decoded = decodeRecords(await readFile(path));
      for (const batch of decoded.batches) {
        visit(batch);
        batches++;
        samples += batch.count;
      }
      if (decoded.tornBytes > 0) torn.push({ segment, bytes: decoded.tornBytes });
      replayed++;
    }
    return { segments: replayed, batches, samples, torn };
  }

  /** Opens a fresh segment after every existing one (old segments are never appended to). */
  static async open(directory: string): Promise<WriteAheadLog> {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const existing = await WriteAheadLog.segments(directory);
    const segment = (existing.at(-1) ?? 0) + 1;
    const handle = await open(join(directory, segmentName(segment)), "a", segmentMode);
    await syncDirectory(directory);
    return new WriteAheadLog(directory, segment, handle);
  }

  /** The segment being written. */
  get segment(): number {
    return this.#segment;
  }

  /**
   * Appends a record; resolves once it is on disk. `onDurable` runs synchronously at that moment, in log order, so
   * whatever it updates (hot buffers, the history queue) sees batches in the order the log holds them.
   */
  append(record: Buffer, onDurable: () => void): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error("the write-ahead log is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: "write", record, onDurable, resolve, reject });
      void this.#drain();
    });
  }

  /**
   * Closes the current segment once everything queued before is durable and applied, and continues in a new one.
   * Resolves with the number of the closed segment.
   */
  rotate(): Promise<number> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: "rotate", resolve, reject });
      void this.#drain();
    });
  }

  /** Deletes segments up to and including `segment` (their batches are in history). */
  async removeThrough(segment: number): Promise<void> {
    for (const existing of await WriteAheadLog.segments(this.directory)) {
      if (existing <= segment && existing !== this.#segment) await unlink(join(this.directory, segmentName(existing)));
    }
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const rotation = this.#queue.findIndex((item) => item.kind === "rotate");
        const group = this.#queue.splice(0, rotation < 0 ? this.#queue.length : rotation === 0 ? 1 : rotation);
        const head = group[0]!;
        if (head.kind === "rotate") {
          await this.#rotateNow(head);
          continue;
        }
        const writes = group as PendingWrite[];
        this.#size ??= (await this.#handle.stat()).size;
        try {
          await writeAll(
            this.#handle,
            writes.map((write) => write.record),
          );
          await this.#handle.datasync();
          this.syncCount++;
        } catch (cause) {
          // A log that failed to write may hold a partial record: stop accepting until recover() cuts it off (the
          // disk has room again) or a restart replays the log and drops it.
          this.#failure = new Error(`write-ahead log ${this.directory}: ${describe(cause)}`);
          for (const write of writes) write.reject(this.#failure);
          for (const item of this.#queue.splice(0)) item.reject(this.#failure);
          return;
        }
        for (const write of writes) {
          this.bytesWritten += write.record.length;
          this.#size += write.record.length;
          write.onDurable();
          write.resolve();
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  async #rotateNow(rotation: PendingRotation): Promise<void> {
    try {
      const closed = this.#segment;
      await this.#handle.close();
      this.#segment = closed + 1;
      this.#handle = await open(join(this.directory, segmentName(this.#segment)), "a", segmentMode);
      this.#size = undefined;
      await syncDirectory(this.directory);
      rotation.resolve(closed);
    } catch (cause) {
      this.#failure = new Error(`write-ahead log ${this.directory}: rotation failed: ${describe(cause)}`);
      rotation.reject(this.#failure);
    }
  }

  /** Whether the log refuses writes since a write failed (see recover). */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * After a failed write (disk full, say), cuts the segment back to its last whole record and accepts writes again;
   * false, with the log still refusing, when that is not possible yet. Nothing of a failed write was acknowledged,
   * so dropping its bytes loses nothing. A failed rotation is not recovered here: it needs a restart.
   */
  recover(): Promise<boolean> {
    if (this.#failure === undefined) return Promise.resolve(true);
    this.#recovering ??= this.#recoverNow().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  async #recoverNow(): Promise<boolean> {
    if (this.#closed || this.#size === undefined || this.#failure?.message.includes("rotation failed")) return false;
    while (this.#draining) await new Promise((resolve) => setImmediate(resolve));
    try {
      await this.#handle.truncate(this.#size);
      await this.#handle.datasync();
    } catch {
      return false;
    }
    this.#failure = undefined;
    return true;
  }

  /** Waits for queued writes, then closes the segment. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#draining || this.#queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    await this.#handle.close();
  }
}

/** Writes buffers in order with one gathered write, finishing any short write piece by piece. */
async function writeAll(handle: FileHandle, buffers: readonly Buffer[]): Promise<void> {
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  let written = (await handle.writev(buffers as Buffer[])).bytesWritten;
  if (written === total) return;
  const rest = Buffer.concat(buffers as Buffer[]).subarray(written);
  let offset = 0;
  while (offset < rest.length) {
    const { bytesWritten } = await handle.write(rest, offset, rest.length - offset);
    offset += bytesWritten;
    written += bytesWritten;
  }
}

/** Makes a new file's directory entry durable too (a synced file whose name was lost is still lost). */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
