/**
 * The telemetry service: one object that owns ingest, the write-ahead log, hot buffers, DuckDB history, alarm rules
 * and book, notifications, pollers and exporters, with no HTTP in it (the routes and the CLI call it).
 *
 * Ingest path, for every adapter: parse into columns → log the batch (fdatasync, grouped with concurrent batches)
 * → on durability, in log order: hot buffers, history queue, alarm rules, remote-write queue, live subscribers →
 * answer "accepted". History flushes every couple of seconds in one DuckDB transaction that also records the last
 * log segment it covers; rollups and retention run every minute.
 *
 * Without a data directory (tests, demos) history is in memory and there is no log: samples are acknowledged once
 * in memory.
 */
import { join } from "node:path";
import { preparePrivateDirectory, tightenContents, UnsafeDirectoryError } from "../core/private-files.ts";
import type { Site } from "../model/site.ts";
import type { DevicePoller, DeviceStatus } from "./adapters/device-poller.ts";
import { InfluxParser, type Precision } from "./adapters/influx.ts";
import { decodeJsonBatch } from "./adapters/json.ts";
import { modbusPoller } from "./adapters/modbus/poller.ts";
import type { ModbusDevice } from "./adapters/modbus/registers.ts";
import {
  defaultMaxCachedSeries,
  type ExpositionFormat,
  PrometheusParser,
  type ScrapeStatus,
  type ScrapeTarget,
  scrapeTarget,
} from "./adapters/prometheus.ts";
import type { RedfishTarget } from "./adapters/redfish/binding.ts";
import { RedfishEventStream } from "./adapters/redfish/events.ts";
import { type PollStatus, RedfishPoller } from "./adapters/redfish/poller.ts";
import {
  type PushOutcome,
  pushAgain,
  RedfishSubscriber,
  type SubscriptionStatus,
} from "./adapters/redfish/subscription.ts";
import { parseRemoteWrite } from "./adapters/remote-write.ts";
import { snmpPoller } from "./adapters/snmp/poller.ts";
import type { SnmpDevice } from "./adapters/snmp/targets.ts";
import { type Alarm, AlarmBook, type AlarmEvent } from "./alarms/book.ts";
import { type AlarmRule, builtInRules, RuleEngine } from "./alarms/rules.ts";
import { type RetryPolicy, WebhookNotifier, type WebhookTarget } from "./alarms/webhook.ts";
import { expositionContentType, type MetricFamily, renderExposition } from "./export/exposition.ts";
import { type RemoteWriteOptions, RemoteWriter } from "./export/remote-write.ts";
import { History, type Retention, type StoredAlarmEvent } from "./history.ts";
import { HotStore } from "./hot-store.ts";
import { type LimitRefusal, SourceLimiter, type SourceLimits } from "./limits.ts";
import {
  checkQuery,
  type Frame,
  framesFromPartials,
  partialsFromRings,
  type QueryResult,
  rawFramesFromRings,
  type SeriesQuery,
} from "./query.ts";
import { SampleBuffer } from "./samples.ts";
import { Periodic } from "./schedule.ts";
import { type SeriesInfo, SeriesRegistry, type SeriesSelector } from "./series.ts";
import { indexSite, type SiteIndex } from "./site-index.ts";
import { failure, type IngestReport, type Labels, RejectionList, type Result, success } from "./types.ts";
import { encodeRecord, type SeriesDefinition, WriteAheadLog } from "./wal.ts";

/** Everything the service can be given. */
export interface TelemetryOptions {
  /** Where `telemetry.duckdb` and `wal/` live. Absent: in-memory history and no log (tests, demos). */
  readonly dataDirectory?: string;
  /** The site: lets labels holding site ids locate series, and alarms name the rows they affect. */
  readonly site?: Site;
  /** Rules added to the built-in ones (leak detectors, equipment health, unreachable sources). */
  readonly rules?: readonly AlarmRule[];
  /** Samples kept per series in hot buffers (default 360: one hour at 10 s). */
  readonly hotCapacity?: number;
  /** History flush period (default 2 s). */
  readonly flushIntervalMs?: number;
  /** Staleness and shelving checks (default 5 s). */
  readonly evaluationIntervalMs?: number;
  /** Rollup and retention period (default 60 s). */
  readonly rollupIntervalMs?: number;
  readonly retention?: Retention;
  readonly webhooks?: readonly WebhookTarget[];
  readonly webhookRetry?: RetryPolicy;
  readonly remoteWrite?: RemoteWriteOptions;
  readonly redfish?: readonly RedfishTarget[];
  /** Modbus TCP devices with their register maps. */
  readonly modbus?: readonly ModbusDevice[];
  /** SNMP agents (UPS, PDUs) with their OID profiles. */
  readonly snmp?: readonly SnmpDevice[];
  readonly prometheus?: { readonly intervalMs: number; readonly targets: readonly ScrapeTarget[] };
  /** Cardinality guard (default 2 million series). */
  readonly maxSeries?: number;
  /** New series one sender (API key, poller) may create (default 250,000). */
  readonly maxSeriesPerSource?: number;
  /** Per-source limits on each batch and on the sample rate (limits.ts has the defaults). */
  readonly limits?: Partial<SourceLimits>;
  /** DuckDB memory limit (default: DuckDB's) and threads. */
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** The clock, in ms (tests pass a fake one). */
  readonly now?: () => number;
  /**
   * Start the periodic tasks (history flush, alarm evaluation, rollup and retention, remote write, Redfish and
   * Prometheus polls) at open; default true. False is for a caller that drives `flush()` and `maintain()` itself at
   * times it chooses (a test on a fake clock): nothing then runs behind its back. Close still flushes and rolls up.
   */
  readonly backgroundTasks?: boolean;
  /** Background problems (a failed flush, an unreachable webhook); default: written to stderr. */
  readonly onProblem?: (message: string) => void;
}

/** A message to live subscribers. */
export type StreamMessage =
  | { readonly type: "samples"; readonly frames: readonly Frame[] }
  | { readonly type: "alarm"; readonly event: AlarmEvent };

/** What a subscriber wants: samples of selected series (none when absent) and alarm changes. */
export interface Subscription {
  readonly selector?: SeriesSelector;
  readonly alarms: boolean;
}

/** Most series one live subscription may follow. */
export const maxSubscribedSeries = 50_000;

/** Counters for the platform metrics. */
interface Counters {
  accepted: Record<string, number>;
  rejected: Record<string, number>;
  /** Batches refused at a per-source limit, by limit. */
  limited: Record<string, number>;
  flushes: number;
  flushFailures: number;
  lastFlushSeconds: number;
}

interface Subscriber {
  readonly subscription: Subscription;
  readonly listener: (message: StreamMessage) => void;
  ids: Set<number> | undefined;
  registryVersion: number;
}

/** The telemetry and alarm service. */
export class TelemetryService {
  readonly registry: SeriesRegistry;
  readonly hot: HotStore;
  readonly alarms: AlarmBook;
  readonly history: History;
  /** What the rules read: the site in it follows site changes (`followSite`). */
  readonly #ruleContext: { registry: SeriesRegistry; hot: HotStore; book: AlarmBook; site?: SiteIndex };
  readonly #wal: WriteAheadLog | undefined;
  /** Where history and the log live (undefined in memory), made private again on close. */
  readonly #directory: string | undefined;
  readonly #engine: RuleEngine;
  readonly #now: () => number;
  readonly #onProblem: (message: string) => void;
  readonly #influx: InfluxParser;
  readonly #prometheus: PrometheusParser;
  readonly #notifier: WebhookNotifier;
  readonly #remote: RemoteWriter | undefined;
  readonly #periodics: Periodic[] = [];
  readonly #pollers: RedfishPoller[] = [];
  readonly #modbus: DevicePoller[] = [];
  readonly #snmp: DevicePoller[] = [];
  readonly #eventStreams = new Map<string, RedfishEventStream>();
  /** Push subscriptions by target name (the receiver route looks them up). */
  readonly #pushSubscriptions = new Map<string, RedfishSubscriber>();
  readonly #scrapes = new Map<string, ScrapeStatus>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #counters: Counters = {
    accepted: {},
    rejected: {},
    limited: {},
    flushes: 0,
    flushFailures: 0,
    lastFlushSeconds: 0,
  };
  /** History answers for times at or before this; hot buffers hold everything received after it. */
  readonly #hotFloor: number;
  #pending = new SampleBuffer(1 << 16);
  #spare: SampleBuffer | undefined;
  readonly #buffers: SampleBuffer[] = [];
  /**
   * Series ids below this are in a log record already (or were withdrawn); above it, series of batches not yet
   * logged. Without a log, "logged" means applied.
   */
  #loggedSeries: number;
  /** Withdrawn series brought back below `#loggedSeries`: the next record defines them. */
  #reviveToLog: number[] = [];
  /** Logged series not yet in DuckDB (a series reaches history only once a batch carrying it is durable). */
  #unstored: Set<number>;
  readonly #limiter: SourceLimiter;
  /** Pushed batches between parse and answer: withdrawn series are kept for `revive` while any is. */
  #ingesting = 0;
  #alarmEvents: { at: number; alarmId: string; type: string; snapshot: string }[] = [];
  #recordsSinceRotation = 0;
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(
    options: TelemetryOptions,
    parts: {
      history: History;
      registry: SeriesRegistry;
      hot: HotStore;
      book: AlarmBook;
      wal: WriteAheadLog | undefined;
      site: SiteIndex | undefined;
      hotFloor: number;
      pending: SampleBuffer;
      unstored: readonly number[];
    },
  ) {
    this.history = parts.history;
    this.registry = parts.registry;
    this.hot = parts.hot;
    this.alarms = parts.book;
    this.#wal = parts.wal;
    this.#directory = options.dataDirectory;
    this.#hotFloor = parts.hotFloor;
    this.#pending = parts.pending;
    this.#unstored = new Set(parts.unstored);
    this.#loggedSeries = parts.registry.idBound;
    this.#limiter = new SourceLimiter(options.limits);
    // The first flush always rotates, so segments replayed at start get covered by a checkpoint and deleted.
    this.#recordsSinceRotation = parts.wal === undefined ? 0 : 1;
    this.#now = options.now ?? Date.now;
    this.#onProblem = options.onProblem ?? ((message) => process.stderr.write(`telemetry: ${message}\n`));
    const intern = (name: string, labels: Labels) => this.registry.intern(name, labels);
    this.#influx = new InfluxParser(intern);
    this.#prometheus = new PrometheusParser(intern, {
      maxCachedSeries: Math.max(defaultMaxCachedSeries, options.maxSeries ?? 0),
    });
    this.#ruleContext = {
      registry: this.registry,
      hot: this.hot,
      book: this.alarms,
      ...(parts.site === undefined ? {} : { site: parts.site }),
    };
    this.#engine = new RuleEngine([...builtInRules, ...(options.rules ?? [])], this.#ruleContext, this.#now());
    this.#notifier = new WebhookNotifier(options.webhooks ?? [], options.webhookRetry, (url, problem) =>
      this.#onProblem(`webhook ${url}: ${problem}`),
    );
    this.#remote = options.remoteWrite === undefined ? undefined : new RemoteWriter(options.remoteWrite, this.registry);
    this.alarms.onEvent((event) => this.#onAlarmEvent(event));
  }

  /**
   * Opens the service: history, then the log replayed into hot buffers and the history queue, then alarms as they
   * were, then timers, pollers and streams. Fails (as a value) when the stored data cannot be read back.
   */
  static async open(options: TelemetryOptions = {}): Promise<Result<TelemetryService>> {
    const site = options.site === undefined ? undefined : indexSite(options.site);
    const directory = options.dataDirectory;
    let history: History;
    try {
      // History, log and alarm snapshots are as private as the store: 0700 directory, 0600 files.
      if (directory !== undefined) preparePrivateDirectory(directory, "telemetry directory");
      history = await History.open({
        path: directory === undefined ? ":memory:" : join(directory, "telemetry.duckdb"),
        ...(options.retention === undefined ? {} : { retention: options.retention }),
        ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
        ...(options.threads === undefined ? {} : { threads: options.threads }),
      });
      if (directory !== undefined) tightenContents(directory);
    } catch (cause) {
      if (cause instanceof UnsafeDirectoryError) return failure(cause.message);
      return failure(
        `cannot open telemetry history${directory === undefined ? "" : ` in ${directory}`}: ${describe(cause)}`,
      );
    }
    const problem = async (message: string): Promise<Result<TelemetryService>> => {
      await history.close();
      return failure(message);
    };
    const registry = new SeriesRegistry({
      ...(site === undefined ? {} : { site }),
      ...(options.maxSeries === undefined ? {} : { maxSeries: options.maxSeries }),
      ...(options.maxSeriesPerSource === undefined ? {} : { maxSeriesPerSource: options.maxSeriesPerSource }),
    });
    const restoreProblems: string[] = [];
    await history.loadSeries((id, name, labels) => {
      const restored = registry.restore(id, name, labels);
      if (!restored.ok) restoreProblems.push(restored.problem);
    });
    if (restoreProblems.length > 0) return problem(`stored series are inconsistent: ${restoreProblems[0]}`);
    const unstored: number[] = [];
    const hotFloor = await history.latestTimestamp();
    const hot = new HotStore(options.hotCapacity ?? 360);
    const pending = new SampleBuffer(1 << 16);
    let wal: WriteAheadLog | undefined;
    if (directory !== undefined) {
      const walDirectory = join(directory, "wal");
      try {
        const replay = await WriteAheadLog.replay(walDirectory, await history.checkpoint(), (batch) => {
          for (const definition of batch.definitions) {
            const known = registry.info(definition.id) !== undefined;
            const restored = registry.restore(definition.id, definition.name, definition.labels);
            if (!restored.ok) restoreProblems.push(restored.problem);
            else if (!known) unstored.push(definition.id);
          }
          hot.appendColumns(batch.series, batch.timestamps, batch.values, batch.count);
          pending.pushColumns(batch.series, batch.timestamps, batch.values, batch.count);
        });
        for (const torn of replay.torn) {
          (options.onProblem ?? (() => {}))(
            `log segment ${torn.segment}: ${torn.bytes} bytes of an unacknowledged write dropped`,
          );
        }
        wal = await WriteAheadLog.open(walDirectory);
      } catch (cause) {
        return problem(`cannot replay the telemetry log in ${walDirectory}: ${describe(cause)}`);
      }
      if (restoreProblems.length > 0) {
        await wal.close();
        return problem(`the telemetry log is inconsistent: ${restoreProblems[0]}`);
      }
    }
    const book = new AlarmBook(site === undefined ? {} : { site });
    for (const snapshot of await history.openAlarmSnapshots()) book.restore(JSON.parse(snapshot) as Alarm);
    const service = new TelemetryService(options, {
      history,
      registry,
      hot,
      book,
      wal,
      site,
      hotFloor,
      pending,
      unstored,
    });
    service.#start(options);
    return success(service);
  }

  #start(options: TelemetryOptions): void {
    const report = (what: string) => (cause: unknown) => this.#onProblem(`${what}: ${describe(cause)}`);
    this.#periodics.push(new Periodic(() => this.flush(), options.flushIntervalMs ?? 2000, report("history flush")));
    this.#periodics.push(
      new Periodic(
        async () => {
          const now = this.#now();
          this.#engine.tick(now);
          this.alarms.expireShelvings(now);
        },
        options.evaluationIntervalMs ?? 5000,
        report("alarm evaluation"),
      ),
    );
    this.#periodics.push(
      new Periodic(() => this.maintain(), options.rollupIntervalMs ?? 60_000, report("rollup and retention")),
    );
    if (this.#remote !== undefined) {
      const remote = this.#remote;
      this.#periodics.push(
        new Periodic(() => remote.flush(), options.remoteWrite?.intervalMs ?? 5000, report("remote write")),
      );
    }
    for (const target of options.redfish ?? []) {
      const { intern, sink } = this.#pollerBatches("redfish", `redfish:${target.name}`);
      const poller = new RedfishPoller(target, intern, sink, this.alarms, this.#onProblem);
      this.#pollers.push(poller);
      const subscriber =
        target.subscription === undefined
          ? undefined
          : new RedfishSubscriber(poller.client, target, poller.metricUnits);
      if (subscriber !== undefined) this.#pushSubscriptions.set(target.name, subscriber);
      this.#periodics.push(
        new Periodic(
          async () => {
            // Subscribing first: a poll of a slow service must not hold up the receiver's registration.
            await subscriber?.maintain(this.#now());
            if (target.resources.length > 0 || target.metricReports) await poller.poll(this.#now());
          },
          target.intervalMs,
          report(`redfish ${target.name}`),
        ),
      );
      if (target.events)
        this.#eventStreams.set(target.name, new RedfishEventStream(poller.client, target, this.alarms, this.#now));
    }
    for (const device of options.modbus ?? []) {
      const { intern, sink } = this.#pollerBatches("modbus", `modbus:${device.name}`);
      this.#modbus.push(modbusPoller(device, intern, sink, this.alarms, this.#now));
    }
    for (const device of options.snmp ?? []) {
      const { intern, sink } = this.#pollerBatches("snmp", `snmp:${device.name}`);
      this.#snmp.push(snmpPoller(device, intern, sink, this.alarms, this.#now));
    }
    const scrape = options.prometheus;
    if (scrape !== undefined) {
      const batches = scrape.targets.map((target) => this.#pollerBatches("prometheus", `prometheus:${target.url}`));
      this.#periodics.push(
        new Periodic(
          async () => {
            const now = this.#now();
            const statuses = await Promise.all(
              scrape.targets.map((target, index) => {
                const { intern, sink, around } = batches[index]!;
                return scrapeTarget(target, this.#prometheus, intern, sink, now, around);
              }),
            );
            for (const status of statuses) this.#scrapes.set(status.url, status);
          },
          scrape.intervalMs,
          report("prometheus scrape"),
        ),
      );
    }
    if (options.backgroundTasks !== false) for (const periodic of this.#periodics) periodic.start();
    for (const stream of this.#eventStreams.values()) stream.start();
    for (const poller of [...this.#modbus, ...this.#snmp]) poller.start();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Ingest.

  /**
   * An interner and a sink for one poller or scrape target, a source like a pushing key: the series it creates count
   * against `source` (`redfish:<target>`, `modbus:<device>`, `snmp:<device>`, `prometheus:<url>`) and its batches pass
   * the same per-source limits, so an exporter or BMC that suddenly lists a million series cannot flood the store.
   * A batch that is not stored withdraws the series it created, and the sink answers why. Its batches are always
   * checked for withdrawn ids, since a poll interns across awaits while other batches may be refused.
   */
  #pollerBatches(
    adapter: string,
    source: string,
  ): {
    intern: (name: string, labels: Labels) => Result<number>;
    sink: (samples: SampleBuffer, rejections: RejectionList) => Promise<string | undefined>;
    around: (work: () => void) => void;
  } {
    let created: number[] = [];
    const counted = <T>(work: () => T): T => {
      const run = this.registry.withSource(source, work);
      for (const id of run.created) created.push(id);
      return run.result;
    };
    return {
      intern: (name, labels) => counted(() => this.registry.intern(name, labels)),
      around: (work) => counted(work),
      sink: async (samples, rejections) => {
        const mine = created;
        created = [];
        const refusal =
          samples.count === 0 ? undefined : this.#limiter.admit(source, samples.count, mine.length, this.#now());
        if (refusal !== undefined) {
          this.#refuse(rejections, adapter, refusal);
          this.#withdraw(mine, source);
          const problem = `batch of ${samples.count} samples not stored: ${refusal.limit}: ${refusal.problem}`;
          this.#onProblem(`${source}: ${problem}`);
          return problem;
        }
        const report = await this.ingestBuffer(samples, rejections, adapter);
        if (report.accepted === 0) {
          if (samples.count > 0) this.#limiter.refund(source, samples.count);
          this.#withdraw(mine, source);
        }
        return undefined;
      },
    };
  }

  /** Ingests a JSON batch (`samples` and/or `frames`); new series count against `source` (the sender's key). */
  ingestJson(body: unknown, source?: string): Promise<IngestReport> {
    const samples = new SampleBuffer(256);
    const rejections = new RejectionList();
    return this.#ingestParsed(source, "json", samples, rejections, () =>
      decodeJsonBatch(body, this.#now(), (name, labels) => this.registry.intern(name, labels), samples, rejections),
    );
  }

  /** Ingests Influx line protocol text; new series count against `source`. */
  async ingestInflux(text: string, precision: Precision = "ns", source?: string): Promise<IngestReport> {
    // Buffers are reused across batches: allocating megabytes of typed arrays per batch drives full collections.
    const samples = this.#buffers.pop() ?? new SampleBuffer(Math.max(256, Math.min(1 << 22, text.length >>> 4)));
    samples.count = 0;
    const rejections = new RejectionList();
    try {
      return await this.#ingestParsed(source, "influx", samples, rejections, () =>
        this.#influx.parse(text, precision, this.#now(), samples, rejections),
      );
    } finally {
      if (this.#buffers.length < 8) this.#buffers.push(samples);
    }
  }

  /**
   * Ingests exposition text (pushed rather than scraped), adding `labels` to every series; `format` says whether
   * timestamps are ms (Prometheus text) or seconds (OpenMetrics).
   */
  ingestPrometheusText(
    text: string,
    labels: Labels = {},
    source?: string,
    format: ExpositionFormat = "prometheus",
  ): Promise<IngestReport> {
    const samples = new SampleBuffer(256);
    const rejections = new RejectionList();
    return this.#ingestParsed(source, "prometheus", samples, rejections, () =>
      this.#prometheus.parse(text, this.#now(), labels, samples, rejections, format),
    );
  }

  /**
   * Ingests a Prometheus remote-write 1.0 request (the protobuf WriteRequest, already decompressed); new series
   * count against `source`. NaN samples (staleness markers) are skipped.
   */
  ingestRemoteWrite(body: Uint8Array, source?: string): Promise<IngestReport> {
    const samples = new SampleBuffer(1024);
    const rejections = new RejectionList();
    return this.#ingestParsed(source, "remote-write", samples, rejections, () =>
      parseRemoteWrite(body, (name, labels) => this.registry.intern(name, labels), samples, rejections),
    );
  }

  /**
   * Parses a pushed batch with its new series counted against `source`, checks the source's limits, then stores
   * it. A batch that is not stored (a limit, a failed log write, nothing valid in it) withdraws the series it
   * created: they were never acknowledged, so they must not count against limits or show in listings.
   */
  async #ingestParsed(
    source: string | undefined,
    adapter: string,
    samples: SampleBuffer,
    rejections: RejectionList,
    parse: () => void,
  ): Promise<IngestReport> {
    this.#ingesting++;
    const withdrawals = this.registry.withdrawals;
    let created: readonly number[] = [];
    try {
      const parsed = this.registry.withSource(source, parse);
      created = parsed.created;
      const refusal =
        source === undefined || samples.count === 0
          ? undefined
          : this.#limiter.admit(source, samples.count, created.length, this.#now());
      let report: IngestReport;
      if (refusal !== undefined) report = this.#refuse(rejections, adapter, refusal);
      else {
        report = await this.ingestBuffer(samples, rejections, adapter, withdrawals);
        if (report.accepted === 0 && source !== undefined) this.#limiter.refund(source, samples.count);
      }
      if (report.accepted === 0) this.#withdraw(created, source);
      return limited(report, parsed.refusedForSource);
    } finally {
      this.#ingesting--;
      // No pushed batch can hold a withdrawn id any more (pollers' batches are checked and drop forgotten ones).
      if (this.#ingesting === 0 && this.registry.withdrawnKept > 0) this.registry.forgetWithdrawn();
    }
  }

  /** The report of a batch refused at a source limit: nothing of it is stored. */
  #refuse(rejections: RejectionList, adapter: string, refusal: LimitRefusal): IngestReport {
    rejections.add({ path: "batch", problem: `${refusal.limit}: ${refusal.problem}` });
    this.#counters.rejected[adapter] = (this.#counters.rejected[adapter] ?? 0) + rejections.count;
    this.#counters.limited[refusal.limit] = (this.#counters.limited[refusal.limit] ?? 0) + 1;
    return { accepted: 0, rejected: rejections.items, rejectedCount: rejections.count, limit: refusal };
  }

  /**
   * Withdraws series a batch created when the batch was not stored. Only series no log record carries yet: one a
   * concurrent, logged batch defined stays (replay would bring it back anyway). Parser caches are emptied since
   * they map texts to ids.
   */
  #withdraw(created: readonly number[], source: string | undefined): void {
    const unlogged = created.filter((id) => id >= this.#loggedSeries);
    if (unlogged.length === 0) return;
    if (this.registry.withdraw(unlogged, source) > 0) {
      this.#influx.forget();
      this.#prometheus.forget();
    }
  }

  /**
   * Gives ids of series withdrawn since the batch was parsed back to the registry (the same id, or the one the key
   * was given since); drops the samples of series already forgotten, naming them. Keeps the batch in order.
   */
  #reclaim(samples: SampleBuffer, rejections: RejectionList): void {
    const { series, timestamps, values } = samples;
    let kept = 0;
    let dropped = 0;
    for (let i = 0; i < samples.count; i++) {
      let id = series[i]!;
      if (this.registry.info(id) === undefined) {
        const revived = this.registry.revive(id);
        if (revived === undefined) {
          dropped++;
          continue;
        }
        if (revived === id && id < this.#loggedSeries) this.#reviveToLog.push(id);
        id = revived;
      }
      series[kept] = id;
      timestamps[kept] = timestamps[i]!;
      values[kept] = values[i]!;
      kept++;
    }
    if (dropped > 0) {
      rejections.add({
        path: "batch",
        problem: `${dropped} samples of series withdrawn meanwhile were dropped; send them again`,
      });
    }
    samples.count = kept;
  }

  /** Whether `target` has a push subscription (the receiver route answers 404 otherwise). */
  hasPushSubscription(target: string): boolean {
    return this.#pushSubscriptions.has(target);
  }

  /**
   * Takes an event or metric report that a Redfish service pushed to its subscription. Without `trusted` (a
   * telemetry-writer key) the body's `Context` must be the subscription's secret. Events become alarms; metric
   * report values become samples, made durable before this resolves.
   */
  async receiveRedfishPush(
    target: string,
    body: Record<string, unknown>,
    trusted: boolean,
  ): Promise<Result<PushOutcome & { report?: IngestReport }>> {
    const subscriber = this.#pushSubscriptions.get(target);
    if (subscriber === undefined) return failure(`target: ${target} has no push subscription`);
    if (!trusted && !subscriber.accepts(pushedContext(body))) {
      return failure("Context: not the secret of this target's subscription");
    }
    // Before parsing: the units of its metric values may need reading from the service first (metric-units.ts).
    const failed = await subscriber.learnUnits(body, this.#now());
    const sendAgain = pushAgain(failed, this.#now());
    if (sendAgain !== undefined) return success({ kind: "metric-report", count: 0, sendAgain });
    const samples = new SampleBuffer(64);
    const rejections = new RejectionList();
    const intern = (name: string, labels: Labels) => this.registry.intern(name, labels);
    const received: { outcome?: PushOutcome } = {};
    const report = await this.#ingestParsed(`redfish:${target}`, "redfish", samples, rejections, () => {
      received.outcome = subscriber.receive(body, this.alarms, intern, samples, rejections, this.#now(), failed);
    });
    const outcome = received.outcome!;
    return success(outcome.kind === "event" ? outcome : { ...outcome, report });
  }

  /**
   * Makes a parsed batch durable and applies it; resolves once it is durable. Rejections are reported as given.
   * A batch that cannot be logged (disk full, say) is refused whole: nothing of it was acknowledged. Its series
   * reach the log (and so history) only with it. `parsedAt` is the registry's `withdrawals` when the batch was
   * parsed; without it (pollers) the batch is always checked for ids of withdrawn series.
   */
  async ingestBuffer(
    samples: SampleBuffer,
    rejections: RejectionList,
    source: string,
    parsedAt?: number,
  ): Promise<IngestReport> {
    const report = (accepted: number, extra?: string): IngestReport => {
      if (extra !== undefined) rejections.add({ path: "batch", problem: extra });
      this.#counters.accepted[source] = (this.#counters.accepted[source] ?? 0) + accepted;
      this.#counters.rejected[source] = (this.#counters.rejected[source] ?? 0) + rejections.count;
      return { accepted, rejected: rejections.items, rejectedCount: rejections.count };
    };
    if (this.#closed) return report(0, "the telemetry service is closing");
    if (parsedAt !== this.registry.withdrawals) this.#reclaim(samples, rejections);
    if (samples.count === 0) return report(0);
    if (this.#wal === undefined) {
      this.#markLogged(this.#definitions());
      this.#apply(samples.series, samples.timestamps, samples.values, samples.count);
      return report(samples.count);
    }
    // After a failed write, the log comes back by itself once the disk has room: no restart needed.
    if (this.#wal.failed) {
      if (!(await this.#wal.recover())) {
        return report(0, "not stored, retry later: the write-ahead log cannot write (is the disk full?)");
      }
      // Other batches may have been refused meanwhile, withdrawing series this one holds.
      this.#reclaim(samples, rejections);
      if (samples.count === 0) return report(0);
    }
    const count = samples.count;
    const loggedFrom = this.#loggedSeries;
    const revived = this.#reviveToLog;
    const definitions = this.#definitions();
    const record = encodeRecord({
      definitions,
      series: samples.series,
      timestamps: samples.timestamps,
      values: samples.values,
      count,
    });
    try {
      await this.#wal.append(record, () => {
        this.#markLogged(definitions);
        this.#apply(samples.series, samples.timestamps, samples.values, count);
      });
      this.#recordsSinceRotation++;
    } catch (cause) {
      // The definitions of this record were not logged: the next record carries them again.
      this.#loggedSeries = Math.min(this.#loggedSeries, loggedFrom);
      this.#reviveToLog.push(...revived);
      return report(0, `not stored, retry later: ${describe(cause)}`);
    }
    return report(count);
  }

  /** The series the next record must define (not logged yet, not withdrawn); they count as logged from now. */
  #definitions(): SeriesDefinition[] {
    const definitions: SeriesDefinition[] = [];
    const add = (id: number): void => {
      const info = this.registry.info(id);
      if (info !== undefined) definitions.push({ id, name: info.name, labels: info.labels });
    };
    for (const id of this.#reviveToLog) add(id);
    this.#reviveToLog = [];
    for (let id = this.#loggedSeries; id < this.registry.idBound; id++) add(id);
    this.#loggedSeries = this.registry.idBound;
    return definitions;
  }

  /** Series of a durable record: history stores them at its next flush. */
  #markLogged(definitions: readonly SeriesDefinition[]): void {
    for (const definition of definitions) this.#unstored.add(definition.id);
  }

  #apply(series: Uint32Array, timestamps: Float64Array, values: Float64Array, count: number): void {
    this.hot.appendColumns(series, timestamps, values, count);
    this.#pending.pushColumns(series, timestamps, values, count);
    this.#engine.evaluate(series, timestamps, values, count);
    this.#remote?.enqueue(series, timestamps, values, count);
    if (this.#subscribers.size > 0) this.#publishSamples(series, timestamps, values, count);
  }

  // -------------------------------------------------------------------------------------------------------------
  // History upkeep.

  /**
   * Writes queued samples and new series to DuckDB with the log checkpoint in the same commit, then deletes the
   * log segments it covers. Runs on a timer; call it to force one (queries do).
   */
  flush(): Promise<void> {
    if (this.#flushing === undefined) {
      this.#flushing = this.#flushNow().finally(() => {
        this.#flushing = undefined;
      });
    }
    return this.#flushing;
  }

  async #flushNow(): Promise<void> {
    const started = performance.now();
    let checkpoint: number | undefined;
    if (this.#wal?.failed) await this.#wal.recover();
    if (this.#wal !== undefined && this.#recordsSinceRotation > 0) {
      checkpoint = await this.#wal.rotate();
      this.#recordsSinceRotation = 0;
    }
    const block = this.#pending;
    const unstored = this.#unstored;
    this.#unstored = new Set();
    const newSeries: SeriesInfo[] = [];
    for (const id of unstored) {
      const info = this.registry.info(id);
      if (info !== undefined) newSeries.push(info);
    }
    newSeries.sort((a, b) => a.id - b.id);
    const events = this.#alarmEvents;
    if (block.count === 0 && newSeries.length === 0 && checkpoint === undefined && events.length === 0) return;
    // Two buffers take turns, so a flush every few seconds does not allocate (and free) tens of megabytes.
    const fresh = this.#spare ?? new SampleBuffer(Math.max(1 << 16, block.count));
    fresh.count = 0;
    this.#spare = undefined;
    this.#pending = fresh;
    this.#alarmEvents = [];
    try {
      await this.history.write(newSeries, block, checkpoint);
      await this.history.appendAlarmEvents(events);
    } catch (cause) {
      // Keep the block (and the log segments) for the next attempt.
      const merged = new SampleBuffer(block.count + this.#pending.count);
      merged.pushColumns(block.series, block.timestamps, block.values, block.count);
      merged.pushColumns(this.#pending.series, this.#pending.timestamps, this.#pending.values, this.#pending.count);
      this.#pending = merged;
      this.#alarmEvents = [...events, ...this.#alarmEvents];
      for (const id of unstored) this.#unstored.add(id);
      this.#counters.flushFailures++;
      throw cause;
    }
    block.count = 0;
    this.#spare = block;
    if (checkpoint !== undefined) await this.#wal?.removeThrough(checkpoint);
    this.#counters.flushes++;
    this.#counters.lastFlushSeconds = (performance.now() - started) / 1000;
  }

  /** Rolls up completed minutes and hours and applies retention (runs every minute). */
  async maintain(): Promise<void> {
    await this.flush();
    await this.history.rollup(this.#now());
  }

  /** Samples received but not yet written to DuckDB. */
  get pendingSamples(): number {
    return this.#pending.count;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Queries.

  /**
   * Answers a query from the hot buffers when they hold everything in the range for every selected series, else
   * from DuckDB history (after flushing, so the answer includes the latest samples).
   */
  async query(query: SeriesQuery): Promise<Result<QueryResult>> {
    const checked = checkQuery(query);
    if (!checked.ok) return checked;
    const ids = this.registry.select(query.selector);
    const infoOf = (id: number): SeriesInfo => this.registry.info(id)!;
    const hot = query.from > this.#hotFloor && ids.every((id) => this.hot.holdsSince(id, query.from));
    if (hot) {
      if (query.step === undefined) {
        const frames = rawFramesFromRings(this.hot, ids, query.from, query.to, infoOf);
        return frames.ok ? success({ source: "hot", resolution: "raw", frames: frames.value }) : frames;
      }
      const partials = partialsFromRings(this.hot, ids, query.from, query.to, query.step);
      return success({
        source: "hot",
        resolution: "raw",
        step: query.step,
        frames: framesFromPartials(partials, query, infoOf),
      });
    }
    await this.flush();
    const now = this.#now();
    const resolution = this.history.resolutionFor(query.from, now);
    if (query.step === undefined) {
      if (resolution !== "raw") {
        const days = Math.round(this.history.retention.rawMs / 86_400_000);
        return failure(`raw samples are kept ${days} days; ask for older data with a step of at least 60 s`);
      }
      const frames = await this.history.rawFrames(ids, query.from, query.to, infoOf);
      return frames.ok ? success({ source: "history", resolution, frames: frames.value }) : frames;
    }
    const bucket = resolution === "1h" ? 3_600_000 : resolution === "1m" ? 60_000 : 0;
    const step = bucket === 0 ? query.step : Math.ceil(query.step / bucket) * bucket;
    const partials = await this.history.partials(ids, { ...query, step }, now);
    return success({
      source: "history",
      resolution,
      step,
      frames: framesFromPartials(partials, { ...query, step }, infoOf),
    });
  }

  /** Series matching a selector (at most `limit`), with their latest sample when hot buffers have one. */
  series(selector: SeriesSelector, limit = 1000): { info: SeriesInfo; timestamp?: number; value?: number }[] {
    return this.registry
      .select(selector)
      .slice(0, limit)
      .map((id) => {
        const info = this.registry.info(id)!;
        const timestamp = this.hot.latestTimestamp(id);
        return timestamp === Number.NEGATIVE_INFINITY ? { info } : { info, timestamp, value: this.hot.latestValue(id) };
      });
  }

  /** Exports raw history of the selected series to a Parquet file. */
  async exportParquet(selector: SeriesSelector, from: number, to: number, path: string): Promise<Result<number>> {
    await this.flush();
    return this.history.exportParquet(this.registry.select(selector), from, to, path);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Alarms.

  #onAlarmEvent(event: AlarmEvent): void {
    this.#alarmEvents.push({
      at: event.at,
      alarmId: event.alarm.id,
      type: event.type,
      snapshot: JSON.stringify(event.alarm),
    });
    this.#notifier.notify(event);
    for (const subscriber of this.#subscribers) {
      if (subscriber.subscription.alarms) subscriber.listener({ type: "alarm", event });
    }
  }

  /** Acknowledges an alarm for a user; the action is stored before this resolves. */
  async acknowledge(id: string, user: string, comment?: string): Promise<Result<Alarm>> {
    const result = this.alarms.acknowledge(id, user, this.#now(), comment);
    if (result.ok) await this.flush();
    return result;
  }

  /** Shelves an alarm until a time; the action is stored before this resolves. */
  async shelve(id: string, user: string, until: number, comment?: string): Promise<Result<Alarm>> {
    const result = this.alarms.shelve(id, user, until, this.#now(), comment);
    if (result.ok) await this.flush();
    return result;
  }

  /** Ends an alarm's shelving; the action is stored before this resolves. */
  async unshelve(id: string, user: string): Promise<Result<Alarm>> {
    const result = this.alarms.unshelve(id, user, this.#now());
    if (result.ok) await this.flush();
    return result;
  }

  /** Alarm events over a time range, newest first (from DuckDB, after flushing). */
  async alarmHistory(
    from: number,
    to: number,
    limit = 500,
    alarmId?: string,
  ): Promise<(StoredAlarmEvent & { alarm: Alarm })[]> {
    await this.flush();
    const events = await this.history.alarmEvents(from, to, limit, alarmId);
    return events.map((event) => ({ ...event, alarm: JSON.parse(event.snapshot) as Alarm }));
  }

  /** Runs the staleness rules and shelving expiry now (a timer does it every few seconds). */
  evaluateNow(): void {
    const now = this.#now();
    this.#engine.tick(now);
    this.alarms.expireShelvings(now);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Live stream.

  /**
   * Follows new samples of the selected series and/or alarm changes. Fails when the selection is too wide to
   * stream. Returns the function that ends the subscription.
   */
  subscribe(subscription: Subscription, listener: (message: StreamMessage) => void): Result<() => void> {
    if (subscription.selector !== undefined) {
      const count = this.registry.select(subscription.selector).length;
      if (count > maxSubscribedSeries) {
        return failure(`the selection has ${count} series; a live stream follows at most ${maxSubscribedSeries}`);
      }
    }
    const subscriber: Subscriber = { subscription, listener, ids: undefined, registryVersion: -1 };
    this.#subscribers.add(subscriber);
    return success(() => this.#subscribers.delete(subscriber));
  }

  #publishSamples(series: Uint32Array, timestamps: Float64Array, values: Float64Array, count: number): void {
    for (const subscriber of this.#subscribers) {
      const selector = subscriber.subscription.selector;
      if (selector === undefined) continue;
      if (subscriber.registryVersion !== this.registry.version) {
        subscriber.ids = new Set(this.registry.select(selector).slice(0, maxSubscribedSeries));
        subscriber.registryVersion = this.registry.version;
      }
      const frames = new Map<number, Frame>();
      for (let i = 0; i < count; i++) {
        const id = series[i]!;
        if (!subscriber.ids!.has(id)) continue;
        let frame = frames.get(id);
        if (frame === undefined) {
          const info = this.registry.info(id)!;
          frame = { name: info.key, labels: info.labels, seriesCount: 1, timestamps: [], values: [] };
          frames.set(id, frame);
        }
        frame.timestamps.push(timestamps[i]!);
        frame.values.push(values[i]!);
      }
      if (frames.size > 0) subscriber.listener({ type: "samples", frames: [...frames.values()] });
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Export and status.

  /**
   * The `/metrics` body: platform metrics of this service, then the latest value of facility series whose names
   * are listed in `names` (all series when `names` is absent; a campus has over a million, so a scraper should
   * ask for the families it wants). `leading` families (process, HTTP, scheduler) are written first.
   */
  renderMetrics(
    names?: readonly string[],
    leading: readonly MetricFamily[] = [],
  ): { contentType: string; body: string } {
    const families: MetricFamily[] = [...leading, ...this.#platformFamilies()];
    const ids = names === undefined ? this.registry.select({}) : this.registry.select({ names });
    const byName = new Map<string, MetricFamily & { samples: { labels: Labels; value: number }[] }>();
    for (const id of ids) {
      const timestamp = this.hot.latestTimestamp(id);
      if (timestamp === Number.NEGATIVE_INFINITY) continue;
      const info = this.registry.info(id)!;
      let family = byName.get(info.name);
      if (family === undefined) {
        family = {
          name: info.name,
          help: `Latest ${info.name} received by alixan telemetry.`,
          type: info.name.endsWith("_total") ? "counter" : "gauge",
          samples: [],
        };
        byName.set(info.name, family);
      }
      family.samples.push({ labels: info.labels, value: this.hot.latestValue(id) });
    }
    families.push(...byName.values());
    return { contentType: expositionContentType, body: renderExposition(families) };
  }

  #platformFamilies(): MetricFamily[] {
    const counts = this.alarms.activeCounts();
    const perSource = (values: Record<string, number>) =>
      Object.entries(values).map(([source, value]) => ({ labels: { source }, value }));
    return [
      {
        name: "alixan_telemetry_samples_accepted_total",
        help: "Samples made durable, by adapter.",
        type: "counter",
        samples: perSource(this.#counters.accepted),
      },
      {
        name: "alixan_telemetry_samples_rejected_total",
        help: "Inputs rejected, by adapter.",
        type: "counter",
        samples: perSource(this.#counters.rejected),
      },
      {
        name: "alixan_telemetry_batches_limited_total",
        help: "Pushed batches refused at a per-source limit, by limit.",
        type: "counter",
        samples: Object.entries(this.#counters.limited).map(([limit, value]) => ({ labels: { limit }, value })),
      },
      {
        name: "alixan_telemetry_series",
        help: "Series known.",
        type: "gauge",
        samples: [{ value: this.registry.size }],
      },
      {
        name: "alixan_telemetry_history_pending_samples",
        help: "Samples not yet written to DuckDB.",
        type: "gauge",
        samples: [{ value: this.#pending.count }],
      },
      {
        name: "alixan_telemetry_history_rows_written_total",
        help: "Sample rows written to DuckDB.",
        type: "counter",
        samples: [{ value: this.history.rowsWritten }],
      },
      {
        name: "alixan_telemetry_history_late_samples_merged_total",
        help: "Samples that arrived for minutes already rolled up, merged into the minute and hour rollups.",
        type: "counter",
        samples: [{ value: this.history.lateSamplesMerged }],
      },
      {
        name: "alixan_telemetry_history_late_samples_staged",
        help: "Samples that arrived for minutes already rolled up, staged and not yet merged into the rollups.",
        type: "gauge",
        samples: [{ value: this.history.lateSamplesStaged }],
      },
      {
        name: "alixan_telemetry_history_flushes_total",
        help: "History flushes.",
        type: "counter",
        samples: [
          { labels: { outcome: "ok" }, value: this.#counters.flushes },
          { labels: { outcome: "failed" }, value: this.#counters.flushFailures },
        ],
      },
      {
        name: "alixan_telemetry_history_last_flush_seconds",
        help: "Duration of the last history flush.",
        type: "gauge",
        samples: [{ value: this.#counters.lastFlushSeconds }],
      },
      {
        name: "alixan_telemetry_wal_syncs_total",
        help: "Write-ahead log fdatasync calls.",
        type: "counter",
        samples: [{ value: this.#wal?.syncCount ?? 0 }],
      },
      {
        name: "alixan_telemetry_wal_bytes_total",
        help: "Bytes written to the write-ahead log.",
        type: "counter",
        samples: [{ value: this.#wal?.bytesWritten ?? 0 }],
      },
      {
        name: "alixan_alarms_active",
        help: "Active alarms by severity.",
        type: "gauge",
        samples: Object.entries(counts).map(([severity, value]) => ({ labels: { severity }, value })),
      },
      {
        name: "alixan_alarm_notifications_total",
        help: "Webhook deliveries by outcome.",
        type: "counter",
        samples: Object.entries(this.#notifier.counts).map(([outcome, value]) => ({ labels: { outcome }, value })),
      },
      {
        name: "alixan_telemetry_remote_write_samples_total",
        help: "Samples sent by remote write, by outcome.",
        type: "counter",
        samples:
          this.#remote === undefined
            ? []
            : (["sent", "failed", "dropped"] as const).map((outcome) => ({
                labels: { outcome },
                value: this.#remote!.counts[outcome],
              })),
      },
    ];
  }

  /**
   * The site in force after a site change: alarms raised from now on (a Redfish event on a renamed CDU, a capacity
   * rule on a new busway) are placed, and capacities read, on it; series interned from now on are placed on it.
   */
  followSite(site: Site): void {
    const index = indexSite(site);
    this.alarms.placeOn(index);
    this.registry.placeOn(index);
    this.#ruleContext.site = index;
  }

  /** Whether the service still takes samples (false once it is closing). */
  get open(): boolean {
    return !this.#closed;
  }

  /** State of pollers, scrapes and event streams, for a status page. */
  status(): {
    series: number;
    pendingSamples: number;
    redfish: {
      target: string;
      status?: PollStatus;
      events?: { connected: boolean; events: number; lastProblem?: string };
      subscription?: SubscriptionStatus;
    }[];
    prometheus: ScrapeStatus[];
    modbus: DeviceState[];
    snmp: DeviceState[];
    remoteWrite?: { queued: number; sent: number; failed: number; dropped: number; lastProblem?: string };
  } {
    return {
      series: this.registry.size,
      pendingSamples: this.#pending.count,
      redfish: this.#pollers.map((poller) => ({
        target: poller.target.name,
        ...(poller.status === undefined ? {} : { status: poller.status }),
        ...eventState(this.#eventStreams.get(poller.target.name)),
        ...subscriptionState(this.#pushSubscriptions.get(poller.target.name)),
      })),
      prometheus: [...this.#scrapes.values()],
      modbus: this.#modbus.map(deviceState),
      snmp: this.#snmp.map(deviceState),
      ...(this.#remote === undefined
        ? {}
        : {
            remoteWrite: {
              queued: this.#remote.queued,
              ...this.#remote.counts,
              ...(this.#remote.lastProblem === undefined ? {} : { lastProblem: this.#remote.lastProblem }),
            },
          }),
    };
  }

  /** Stops timers, pollers and streams, flushes history, closes the log and the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#periodics.map((periodic) => periodic.stop()));
    await Promise.all([...this.#eventStreams.values()].map((stream) => stream.close()));
    // Subscriptions are deleted before the sessions they were made in are ended.
    await Promise.all([...this.#pushSubscriptions.values()].map((subscriber) => subscriber.stop()));
    await Promise.all(this.#pollers.map((poller) => poller.close()));
    await Promise.all([...this.#modbus, ...this.#snmp].map((poller) => poller.stop()));
    this.#subscribers.clear();
    await this.#notifier.close();
    await this.#remote?.close();
    try {
      await this.flush();
      // Samples that arrived late for minutes already rolled up are rolled again now, so a reader of this
      // directory (a report, the next start) sees them in the ranges it answers from rollups.
      await this.history.rollup(this.#now());
    } catch (cause) {
      this.#onProblem(`final history flush and rollup: ${describe(cause)} (the log keeps the samples)`);
    }
    await this.#wal?.close();
    await this.history.close();
    if (this.#directory !== undefined) tightenContents(this.#directory);
  }
}

/** A field-bus device as the status shows it. */
export interface DeviceState {
  readonly device: string;
  readonly equipment?: string;
  readonly status?: DeviceStatus;
}

function deviceState(poller: DevicePoller): DeviceState {
  return {
    device: poller.device.name,
    ...(poller.device.equipment === undefined ? {} : { equipment: poller.device.equipment }),
    ...(poller.status === undefined ? {} : { status: poller.status }),
  };
}

/** The `Context` of a pushed body: the Event's or MetricReport's own, else the first record's (older services). */
function pushedContext(body: Record<string, unknown>): unknown {
  if (body["Context"] !== undefined) return body["Context"];
  const records = body["Events"];
  return Array.isArray(records) && typeof records[0] === "object" && records[0] !== null
    ? (records[0] as Record<string, unknown>)["Context"]
    : undefined;
}

// A target's stream is found by name: only some targets follow events, so list positions do not match.
function eventState(stream: RedfishEventStream | undefined): { events?: RedfishEventStream["status"] } {
  return stream === undefined ? {} : { events: { ...stream.status } };
}

function subscriptionState(subscriber: RedfishSubscriber | undefined): { subscription?: SubscriptionStatus } {
  if (subscriber === undefined) return {};
  return { subscription: { ...subscriber.status, subscriptions: [...subscriber.status.subscriptions] } };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** A report with the count of inputs refused for a series limit, when there were any. */
function limited(report: IngestReport, refused: number): IngestReport {
  return refused > 0 ? { ...report, seriesLimited: refused } : report;
}
