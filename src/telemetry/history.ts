/**
 * History in DuckDB: raw samples, 1-minute and 1-hour rollups, retention, Parquet export, and the alarm event log.
 *
 * Samples are stored as (series id, time in ms, value); series names and labels live once in `series`. Rollups
 * hold composable partials (count, sum, min, max, last and its time), so a query can read old hours from
 * `rollup_1h`, the hours since from `rollup_1m` and the last minutes from raw samples, and still be one aggregate.
 *
 * Two connections: one writes (flushes, rollups, retention), one reads (queries), each used by one operation at a
 * time. DuckDB's own transactions keep readers consistent while a flush commits.
 */
import {
  DOUBLE,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBDoubleVector,
  DuckDBInstance,
  type DuckDBUIntegerVector,
  UINTEGER,
} from "@duckdb/node-api";
import {
  emptyPartials,
  type Frame,
  maxRawPoints,
  type Partials,
  type SeriesQuery,
  sortFrame,
  tooManyPoints,
} from "./query.ts";
import { SampleBuffer } from "./samples.ts";
import type { SeriesInfo } from "./series.ts";
import { failure, type Labels, type Result, success } from "./types.ts";

const minute = 60_000;

/**
 * The first `count` columns of a result as numbers. DuckDB's reader has no column vectors at all for a result of
 * zero rows, so an empty answer (a selection that matches nothing, a range with no samples) would read undefined.
 */
function numberColumns(reader: { getColumns(): unknown[][] }, count: number): number[][] {
  const columns = reader.getColumns();
  return Array.from({ length: count }, (_, index) => (columns[index] ?? []) as number[]);
}
const hour = 3_600_000;
const day = 86_400_000;

/** How long each resolution is kept. */
export interface Retention {
  readonly rawMs: number;
  readonly minuteMs: number;
  readonly hourMs: number;
}

/** Defaults: a week of raw samples, 90 days of minutes, 5 years of hours. */
export const defaultRetention: Retention = { rawMs: 7 * day, minuteMs: 90 * day, hourMs: 5 * 365 * day };

/** Options of the history store. */
export interface HistoryOptions {
  /** Database file, or `:memory:`. */
  readonly path: string;
  readonly retention?: Retention;
  /** Minutes are rolled up once this long past their end, to let late samples arrive first. */
  readonly latenessMs?: number;
  /** DuckDB memory limit, e.g. `2GB`. */
  readonly memoryLimit?: string;
  /** DuckDB worker threads. */
  readonly threads?: number;
}

/** Columns of samples waiting to be written. */
export interface SampleBlock {
  readonly series: Uint32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly count: number;
}

/** One stored alarm event: the alarm as it stood after the event. */
export interface StoredAlarmEvent {
  readonly sequence: number;
  readonly at: number;
  readonly alarmId: string;
  readonly type: string;
  readonly snapshot: string;
}

/** Which rollup work one call did. */
export interface RollupReport {
  readonly minutes: number;
  readonly hours: number;
}

/** Runs async operations one after another. */
class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(operation, operation);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

const schema = `
CREATE TABLE IF NOT EXISTS series (id UINTEGER, name VARCHAR, labels VARCHAR);
CREATE TABLE IF NOT EXISTS samples (series UINTEGER, ts DOUBLE, value DOUBLE);
CREATE TABLE IF NOT EXISTS late_samples (series UINTEGER, ts DOUBLE, value DOUBLE);
CREATE TABLE IF NOT EXISTS rollup_1m (series UINTEGER, bucket DOUBLE, count DOUBLE, sum DOUBLE, min DOUBLE,
  max DOUBLE, last DOUBLE, last_ts DOUBLE);
CREATE TABLE IF NOT EXISTS rollup_1h (series UINTEGER, bucket DOUBLE, count DOUBLE, sum DOUBLE, min DOUBLE,
  max DOUBLE, last DOUBLE, last_ts DOUBLE);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value DOUBLE);
CREATE TABLE IF NOT EXISTS alarm_events (seq BIGINT, occurred_at DOUBLE, alarm_id VARCHAR, type VARCHAR, snapshot VARCHAR);
`;

/** Rows per DuckDB data chunk (its vector size). */
const chunkRows = 2048;

/** The history of one data directory (or of memory, in tests). */
export class History {
  readonly #instance: DuckDBInstance;
  readonly #writer: DuckDBConnection;
  readonly #reader: DuckDBConnection;
  readonly #writes = new Serial();
  readonly #reads = new Serial();
  readonly retention: Retention;
  readonly #latenessMs: number;
  #minuteMark: number | undefined;
  #hourMark: number | undefined;
  #alarmSequence = 0;
  #fullChunk: DuckDBDataChunk | undefined;
  #closed = false;
  /** Rows written so far, for the platform metrics. */
  rowsWritten = 0;
  /** Late samples merged into the rollups so far (by this process), for the platform metrics. */
  lateSamplesMerged = 0;
  /**
   * Late samples staged and not yet merged, for the platform metrics: the size of `late_samples`, read at open (a
   * process may stop between a late write and the next rollup) and kept with each commit that changes the table.
   */
  lateSamplesStaged = 0;

  private constructor(
    instance: DuckDBInstance,
    writer: DuckDBConnection,
    reader: DuckDBConnection,
    options: HistoryOptions,
  ) {
    this.#instance = instance;
    this.#writer = writer;
    this.#reader = reader;
    this.retention = options.retention ?? defaultRetention;
    this.#latenessMs = options.latenessMs ?? minute;
  }

  /** Opens (creating if needed) the database and its tables. */
  static async open(options: HistoryOptions): Promise<History> {
    const settings: Record<string, string> = {};
    if (options.memoryLimit !== undefined) settings["memory_limit"] = options.memoryLimit;
    if (options.threads !== undefined) settings["threads"] = String(options.threads);
    const instance = await DuckDBInstance.create(options.path, settings);
    const writer = await instance.connect();
    const reader = await instance.connect();
    await writer.run(schema);
    const history = new History(instance, writer, reader, options);
    const marks = await writer.runAndReadAll("SELECT key, value FROM meta");
    for (const [key, value] of marks.getRows()) {
      if (key === "minute_mark") history.#minuteMark = Number(value);
      if (key === "hour_mark") history.#hourMark = Number(value);
    }
    const sequence = await writer.runAndReadAll("SELECT coalesce(max(seq), 0) FROM alarm_events");
    history.#alarmSequence = Number(sequence.getRows()[0]![0]);
    const staged = await writer.runAndReadAll("SELECT count(*) FROM late_samples");
    history.lateSamplesStaged = Number(staged.getRows()[0]![0]);
    return history;
  }

  /** Reads every stored series definition, in id order. */
  async loadSeries(visit: (id: number, name: string, labels: Labels) => void): Promise<void> {
    const reader = await this.#writer.runAndReadAll("SELECT id, name, labels FROM series ORDER BY id");
    for (const [id, name, labels] of reader.getRows()) {
      visit(Number(id), String(name), JSON.parse(String(labels)) as Labels);
    }
  }

  /** The last write-ahead log segment whose batches are all in history (0 when none). */
  async checkpoint(): Promise<number> {
    const reader = await this.#writer.runAndReadAll("SELECT value FROM meta WHERE key = 'wal_checkpoint'");
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /** The newest sample time stored, or -Infinity for an empty history. */
  async latestTimestamp(): Promise<number> {
    const reader = await this.#writer.runAndReadAll("SELECT max(ts) FROM samples");
    const value = reader.getRows()[0]?.[0];
    return value === null || value === undefined ? Number.NEGATIVE_INFINITY : Number(value);
  }

  /**
   * Writes new series and a block of samples in one transaction, recording `checkpoint` (the last log segment the
   * block covers) in the same commit, so a crash leaves either both or neither.
   */
  write(newSeries: readonly SeriesInfo[], block: SampleBlock, checkpoint: number | undefined): Promise<void> {
    return this.#writes.run(async () => {
      let late: SampleBuffer | undefined;
      await this.#writer.run("BEGIN TRANSACTION");
      try {
        if (newSeries.length > 0) {
          const appender = await this.#writer.createAppender("series");
          for (const info of newSeries) {
            appender.appendUInteger(info.id);
            appender.appendVarchar(info.name);
            appender.appendVarchar(JSON.stringify(info.labels));
            appender.endRow();
          }
          appender.closeSync();
        }
        if (block.count > 0) {
          const appender = await this.#writer.createAppender("samples");
          this.#fullChunk ??= DuckDBDataChunk.create([UINTEGER, DOUBLE, DOUBLE], chunkRows);
          appendColumns(appender, block, this.#fullChunk);
          appender.closeSync();
          // Samples for minutes already rolled up are also staged, committed with them: the next rollup merges
          // them into the rollups (whose raw samples may have expired, so the minutes cannot be rebuilt).
          late = this.#minuteMark === undefined ? undefined : samplesBefore(block, this.#minuteMark);
          if (late !== undefined) {
            const lateAppender = await this.#writer.createAppender("late_samples");
            appendColumns(lateAppender, late, this.#fullChunk);
            lateAppender.closeSync();
          }
        }
        if (checkpoint !== undefined) {
          await this.#writer.run("INSERT OR REPLACE INTO meta VALUES ('wal_checkpoint', $1)", [checkpoint]);
        }
        await this.#writer.run("COMMIT");
      } catch (cause) {
        await this.#writer.run("ROLLBACK").catch(() => undefined);
        throw cause;
      }
      this.rowsWritten += block.count;
      this.lateSamplesStaged += late?.count ?? 0;
    });
  }

  /**
   * Merges the staged late samples into the minutes and hours already rolled up, rolls up every minute that ended
   * more than the lateness before `now` and has not been rolled, then every completed hour from its minutes;
   * finally drops what retention says has expired.
   */
  rollup(now: number): Promise<RollupReport> {
    return this.#writes.run(async () => {
      const target = Math.floor((now - this.#latenessMs) / minute) * minute;
      if (this.#minuteMark === undefined) {
        const reader = await this.#writer.runAndReadAll("SELECT min(ts) FROM samples");
        const earliest = reader.getRows()[0]?.[0];
        if (earliest === null || earliest === undefined) return { minutes: 0, hours: 0 };
        this.#minuteMark = Math.floor(Number(earliest) / minute) * minute;
      }
      const start = this.#minuteMark;
      if (start >= target) {
        // No minute to roll, but the stage is merged still: close() rolls up, often within the minute of the last
        // periodic rollup, and whoever reads the directory next must find every late sample in the rollups.
        // Nothing staged (the count is read at open and kept by every commit): no transaction every idle minute.
        if (this.lateSamplesStaged > 0) await this.#mergeStage(start);
        return { minutes: 0, hours: 0 };
      }
      const hourTarget = Math.floor(target / hour) * hour;
      const hourStart = Math.min(this.#hourMark ?? Number.POSITIVE_INFINITY, Math.floor(start / hour) * hour);
      let merged: number;
      await this.#writer.run("BEGIN TRANSACTION");
      try {
        merged = await this.#mergeLate(start, this.#hourMark);
        await this.#writer.run("DELETE FROM rollup_1m WHERE bucket >= $1 AND bucket < $2", [start, target]);
        await this.#writer.run(
          `INSERT INTO rollup_1m SELECT series, floor(ts / 60000) * 60000 AS bucket, count(*)::DOUBLE, sum(value),
             min(value), max(value), arg_max(value, ts), max(ts)
           FROM samples WHERE ts >= $1 AND ts < $2 GROUP BY ALL`,
          [start, target],
        );
        if (hourStart < hourTarget) {
          await this.#writer.run("DELETE FROM rollup_1h WHERE bucket >= $1 AND bucket < $2", [hourStart, hourTarget]);
          await this.#writer.run(
            `INSERT INTO rollup_1h SELECT series, floor(bucket / 3600000) * 3600000 AS hour, sum(count), sum(sum),
               min(min), max(max), arg_max(last, last_ts), max(last_ts)
             FROM rollup_1m WHERE bucket >= $1 AND bucket < $2 GROUP BY ALL`,
            [hourStart, hourTarget],
          );
        }
        const hourMark = Math.max(this.#hourMark ?? hourTarget, hourTarget);
        await this.#writer.run("INSERT OR REPLACE INTO meta VALUES ('minute_mark', $1), ('hour_mark', $2)", [
          target,
          hourMark,
        ]);
        await this.#expire(now, target, hourMark);
        await this.#writer.run("COMMIT");
        this.#minuteMark = target;
        this.#hourMark = hourMark;
        // The merge emptied the stage in this commit.
        this.lateSamplesMerged += merged;
        this.lateSamplesStaged = 0;
      } catch (cause) {
        await this.#writer.run("ROLLBACK").catch(() => undefined);
        throw cause;
      }
      return {
        minutes: Math.round((target - start) / minute),
        hours: Math.max(0, Math.round((hourTarget - hourStart) / hour)),
      };
    });
  }

  /** Merges the staged late samples (if any) in a transaction of their own, for a rollup with no minute to roll. */
  async #mergeStage(minuteMark: number): Promise<void> {
    let merged: number;
    await this.#writer.run("BEGIN TRANSACTION");
    try {
      merged = await this.#mergeLate(minuteMark, this.#hourMark);
      await this.#writer.run("COMMIT");
    } catch (cause) {
      await this.#writer.run("ROLLBACK").catch(() => undefined);
      throw cause;
    }
    this.lateSamplesMerged += merged;
    this.lateSamplesStaged = 0;
  }

  /**
   * Adds the staged late samples to the rolled-up minutes before `minuteMark` and hours before `hourMark` (count,
   * sum, min, max and last combined with what the rollup holds), then clears the stage. Minutes and hours after
   * the marks are rolled from the samples by the caller as usual, so no sample is counted twice. Returns how many
   * staged samples it merged.
   */
  async #mergeLate(minuteMark: number, hourMark: number | undefined): Promise<number> {
    const reader = await this.#writer.runAndReadAll("SELECT count(*) FROM late_samples");
    const staged = Number(reader.getRows()[0]?.[0] ?? 0);
    if (staged === 0) return 0;
    const levels: [table: string, width: number, before: number | undefined][] = [
      ["rollup_1m", minute, minuteMark],
      ["rollup_1h", hour, hourMark],
    ];
    for (const [table, width, before] of levels) {
      if (before === undefined) continue;
      await this.#writer.run(
        `CREATE OR REPLACE TEMP TABLE late_rollup AS SELECT series, floor(ts / ${width}) * ${width} AS bucket,
           count(*)::DOUBLE AS count, sum(value) AS sum, min(value) AS min, max(value) AS max,
           arg_max(value, ts) AS last, max(ts) AS last_ts
         FROM late_samples WHERE ts < $1 GROUP BY ALL`,
        [before],
      );
      await this.#writer.run(
        `CREATE OR REPLACE TEMP TABLE merged_rollup AS SELECT series, bucket, sum(count) AS count, sum(sum) AS sum,
           min(min) AS min, max(max) AS max, arg_max(last, last_ts) AS last, max(last_ts) AS last_ts
         FROM (SELECT r.* FROM ${table} r SEMI JOIN late_rollup l ON r.series = l.series AND r.bucket = l.bucket
               UNION ALL SELECT * FROM late_rollup)
         GROUP BY series, bucket`,
      );
      await this.#writer.run(
        `DELETE FROM ${table} USING late_rollup l WHERE ${table}.series = l.series AND ${table}.bucket = l.bucket`,
      );
      await this.#writer.run(`INSERT INTO ${table} SELECT * FROM merged_rollup`);
    }
    await this.#writer.run("DROP TABLE IF EXISTS late_rollup");
    await this.#writer.run("DROP TABLE IF EXISTS merged_rollup");
    await this.#writer.run("DELETE FROM late_samples");
    return staged;
  }

  /** Deletes expired data; a resolution is only dropped once the coarser one holds it. */
  async #expire(now: number, minuteMark: number, hourMark: number): Promise<void> {
    await this.#writer.run("DELETE FROM samples WHERE ts < $1", [Math.min(now - this.retention.rawMs, minuteMark)]);
    await this.#writer.run("DELETE FROM rollup_1m WHERE bucket < $1", [
      Math.min(now - this.retention.minuteMs, hourMark),
    ]);
    await this.#writer.run("DELETE FROM rollup_1h WHERE bucket < $1", [now - this.retention.hourMs]);
  }

  /** Loads a selection of series ids into the reader's temporary `selection` table. */
  async #select(ids: readonly number[]): Promise<void> {
    await this.#reader.run("CREATE OR REPLACE TEMP TABLE selection (id UINTEGER)");
    const appender = await this.#reader.createAppender("selection", "main", "temp");
    const chunk = DuckDBDataChunk.create([UINTEGER]);
    for (let offset = 0; offset < ids.length; offset += chunkRows) {
      const rows = Math.min(chunkRows, ids.length - offset);
      chunk.reset();
      chunk.rowCount = rows;
      const vector = chunk.getColumnVector(0) as DuckDBUIntegerVector;
      for (let i = 0; i < rows; i++) vector.setItem(i, ids[offset + i]!);
      vector.flush();
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }

  /** Raw samples of the selected series over `[from, to)`, one frame per series, sorted by time. */
  rawFrames(
    ids: readonly number[],
    from: number,
    to: number,
    infoOf: (id: number) => SeriesInfo,
  ): Promise<Result<Frame[]>> {
    // Nothing selected, nothing to read: no DuckDB round trip.
    if (ids.length === 0) return Promise.resolve(success([]));
    return this.#reads.run(async () => {
      await this.#select(ids);
      const reader = await this.#reader.runAndReadAll(
        `SELECT series, ts, value FROM samples WHERE series IN (SELECT id FROM selection) AND ts >= $1 AND ts < $2
         ORDER BY series, ts LIMIT ${maxRawPoints + 1}`,
        [from, to],
      );
      if (reader.currentRowCount > maxRawPoints) return failure(tooManyPoints);
      const [series, timestamps, values] = numberColumns(reader, 3) as [number[], number[], number[]];
      const frames: Frame[] = [];
      let current: Frame | undefined;
      for (let row = 0; row < series.length; row++) {
        if (current === undefined || series[row] !== series[row - 1]) {
          const info = infoOf(series[row]!);
          current = { name: info.key, labels: info.labels, seriesCount: 1, timestamps: [], values: [] };
          frames.push(current);
        }
        current.timestamps.push(timestamps[row]!);
        current.values.push(values[row]!);
      }
      for (const frame of frames) sortFrame(frame.timestamps, frame.values);
      return success(frames);
    });
  }

  /**
   * The resolution a bucketed query over `[from, to)` must read at `now`: raw samples while they are kept, else
   * minute or hour rollups. The step must then be a whole number of that resolution's buckets.
   */
  resolutionFor(from: number, now: number): "raw" | "1m" | "1h" {
    if (from >= now - this.retention.rawMs) return "raw";
    if (from >= now - this.retention.minuteMs) return "1m";
    return "1h";
  }

  /** Per-series, per-bucket partials of the selected series, reading rollups for what raw retention dropped. */
  partials(ids: readonly number[], query: SeriesQuery & { readonly step: number }, now: number): Promise<Partials> {
    if (ids.length === 0) return Promise.resolve(emptyPartials());
    return this.#reads.run(async () => {
      await this.#select(ids);
      const resolution = this.resolutionFor(query.from, now);
      const minuteMark = this.#minuteMark ?? query.from;
      const hourMark = this.#hourMark ?? query.from;
      const parts: string[] = [];
      const parameters: number[] = [query.step];
      const range = (column: string, from: number, to: number): string => {
        parameters.push(from, to);
        return `${column} >= $${parameters.length - 1} AND ${column} < $${parameters.length}`;
      };
      const rawFrom = resolution === "raw" ? query.from : Math.max(query.from, minuteMark);
      parts.push(
        `SELECT series, floor(ts / $1) * $1 AS bucket, count(*)::DOUBLE AS c, sum(value) AS s, min(value) AS mn,
           max(value) AS mx, arg_max(value, ts) AS l, max(ts) AS lt
         FROM samples WHERE series IN (SELECT id FROM selection) AND ${range("ts", rawFrom, query.to)}
         GROUP BY ALL`,
      );
      const fromRollup = (table: string, from: number, to: number): string =>
        `SELECT series, floor(bucket / $1) * $1 AS bucket, sum(count) AS c, sum(sum) AS s, min(min) AS mn,
           max(max) AS mx, arg_max(last, last_ts) AS l, max(last_ts) AS lt
         FROM ${table} WHERE series IN (SELECT id FROM selection) AND ${range("bucket", from, to)}
         GROUP BY ALL`;
      if (resolution === "1m") parts.push(fromRollup("rollup_1m", query.from, Math.min(query.to, minuteMark)));
      if (resolution === "1h") {
        parts.push(fromRollup("rollup_1h", query.from, Math.min(query.to, hourMark)));
        parts.push(fromRollup("rollup_1m", Math.max(query.from, hourMark), Math.min(query.to, minuteMark)));
      }
      const reader = await this.#reader.runAndReadAll(
        `SELECT series, bucket, sum(c), sum(s), min(mn), max(mx), arg_max(l, lt), max(lt)
         FROM (${parts.join(" UNION ALL ")}) GROUP BY series, bucket ORDER BY series, bucket`,
        parameters,
      );
      const columns = numberColumns(reader, 8);
      const partials = emptyPartials();
      partials.series = columns[0]!;
      partials.buckets = columns[1]!;
      partials.counts = columns[2]!;
      partials.sums = columns[3]!;
      partials.minimums = columns[4]!;
      partials.maximums = columns[5]!;
      partials.lasts = columns[6]!;
      partials.lastTimestamps = columns[7]!;
      return partials;
    });
  }

  /**
   * Exports raw samples of the selected series over `[from, to)` to a Parquet file (zstd), one row per sample
   * with the time as a timestamp, the series key, name and labels (JSON). Returns the number of rows.
   */
  exportParquet(ids: readonly number[], from: number, to: number, path: string): Promise<Result<number>> {
    if (path.includes("\0")) return Promise.resolve(failure("the export path contains a NUL character"));
    return this.#reads.run(async () => {
      await this.#select(ids);
      const literal = `'${path.replace(/'/g, "''")}'`;
      try {
        const result = await this.#reader.run(
          `COPY (SELECT epoch_ms(s.ts::BIGINT) AS time, d.name, d.labels, s.value, s.series
                 FROM samples s JOIN series d ON d.id = s.series
                 WHERE s.series IN (SELECT id FROM selection) AND s.ts >= $1 AND s.ts < $2 ORDER BY s.series, s.ts)
           TO ${literal} (FORMAT parquet, COMPRESSION zstd)`,
          [from, to],
        );
        return success(Number(result.rowsChanged));
      } catch (cause) {
        return failure(`Parquet export to ${path} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
    });
  }

  /** Appends alarm events (snapshots as JSON) to the alarm log. */
  appendAlarmEvents(events: readonly { at: number; alarmId: string; type: string; snapshot: string }[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.#writes.run(async () => {
      const appender = await this.#writer.createAppender("alarm_events");
      for (const event of events) {
        appender.appendBigInt(BigInt(++this.#alarmSequence));
        appender.appendDouble(event.at);
        appender.appendVarchar(event.alarmId);
        appender.appendVarchar(event.type);
        appender.appendVarchar(event.snapshot);
        appender.endRow();
      }
      appender.closeSync();
    });
  }

  /** The latest snapshot of every alarm whose last event is not a clearing, for restoring state at start. */
  async openAlarmSnapshots(): Promise<string[]> {
    const reader = await this.#writer.runAndReadAll(
      `SELECT snapshot FROM (SELECT arg_max(snapshot, seq) AS snapshot, arg_max(type, seq) AS type
       FROM alarm_events GROUP BY alarm_id) WHERE type <> 'cleared'`,
    );
    return reader.getRows().map((row) => String(row[0]));
  }

  /** Alarm events over `[from, to)`, newest first, at most `limit`; optionally of one alarm only. */
  alarmEvents(from: number, to: number, limit: number, alarmId?: string): Promise<StoredAlarmEvent[]> {
    return this.#reads.run(async () => {
      const reader = await this.#reader.runAndReadAll(
        `SELECT seq, occurred_at, alarm_id, type, snapshot FROM alarm_events WHERE occurred_at >= $1 AND occurred_at < $2
         ${alarmId === undefined ? "" : "AND alarm_id = $4"} ORDER BY seq DESC LIMIT $3`,
        alarmId === undefined ? [from, to, limit] : [from, to, limit, alarmId],
      );
      return reader.getRows().map(([sequence, at, id, type, snapshot]) => ({
        sequence: Number(sequence),
        at: Number(at),
        alarmId: String(id),
        type: String(type),
        snapshot: String(snapshot),
      }));
    });
  }

  /** Row counts per table, for the platform metrics and tests. */
  counts(): Promise<{ samples: number; minutes: number; hours: number; series: number }> {
    return this.#reads.run(async () => {
      const reader = await this.#reader.runAndReadAll(
        `SELECT (SELECT count(*) FROM samples), (SELECT count(*) FROM rollup_1m), (SELECT count(*) FROM rollup_1h),
           (SELECT count(*) FROM series)`,
      );
      const [samples, minutes, hours, series] = reader.getRows()[0]!.map(Number) as [number, number, number, number];
      return { samples, minutes, hours, series };
    });
  }

  /** Waits for running work, checkpoints DuckDB and closes both connections and the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writes.run(async () => undefined);
    await this.#reads.run(async () => undefined);
    this.#reader.closeSync();
    this.#writer.closeSync();
    this.#instance.closeSync();
  }
}

/**
 * Appends sample columns through data chunks (an order of magnitude faster than row-at-a-time appends). Full
 * chunks reuse one chunk and its vectors: setting a chunk's row count drops its cached vectors, and re-creating
 * them for every 2,048 rows cost more than filling them.
 */
function appendColumns(appender: DuckDBAppender, block: SampleBlock, full: DuckDBDataChunk): void {
  for (let offset = 0; offset < block.count; offset += chunkRows) {
    const rows = Math.min(chunkRows, block.count - offset);
    const chunk = rows === chunkRows ? full : DuckDBDataChunk.create([UINTEGER, DOUBLE, DOUBLE], rows);
    const series = chunk.getColumnVector(0) as DuckDBUIntegerVector;
    const timestamps = chunk.getColumnVector(1) as DuckDBDoubleVector;
    const values = chunk.getColumnVector(2) as DuckDBDoubleVector;
    for (let i = 0; i < rows; i++) {
      series.setItem(i, block.series[offset + i]!);
      timestamps.setItem(i, block.timestamps[offset + i]!);
      values.setItem(i, block.values[offset + i]!);
    }
    series.flush();
    timestamps.flush();
    values.flush();
    appender.appendDataChunk(chunk);
  }
}

/** The samples of `block` older than `mark`, or undefined when there are none (the usual case). */
function samplesBefore(block: SampleBlock, mark: number): SampleBuffer | undefined {
  let late: SampleBuffer | undefined;
  for (let i = 0; i < block.count; i++) {
    if (block.timestamps[i]! >= mark) continue;
    late ??= new SampleBuffer(64);
    late.push(block.series[i]!, block.timestamps[i]!, block.values[i]!);
  }
  return late;
}
