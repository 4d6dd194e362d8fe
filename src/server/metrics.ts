/**
 * Platform metrics for `/metrics`, beside telemetry's: the process and Node.js series standard dashboards expect
 * (names as prom-client's default collectors write them), and HTTP requests counted and timed by route pattern,
 * method and status. Labels stay bounded: routes are the registered patterns (`unmatched` for everything else),
 * methods are the HTTP methods Fastify serves (others `OTHER`), statuses are three-digit codes. Base units only
 * (seconds, bytes).
 */
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { FastifyInstance } from "fastify";
import type { ExpositionSample, MetricFamily } from "../telemetry/export/exposition.ts";

/** Something that adds families to `/metrics` when scraped (the scheduler, a feature...). */
export type MetricsSource = () => readonly MetricFamily[];

/** Upper bounds of the request duration histogram, seconds (Prometheus client defaults, API-sized). */
export const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** One route × method × status: its request count, duration sum and bucket counts. */
interface RequestSeries {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sumS: number;
  readonly buckets: number[];
}

/** HTTP request counts and durations, recorded as responses are sent. */
export class HttpMetrics {
  readonly #series = new Map<string, RequestSeries>();

  /** Counts one response; `route` is the matched pattern or undefined when no route matched. */
  record(route: string | undefined, method: string, status: number, durationS: number): void {
    const labels = {
      route: route ?? "unmatched",
      method: knownMethods.has(method) ? method : "OTHER",
      status: Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : "other",
    };
    const key = `${labels.route}\u0000${labels.method}\u0000${labels.status}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels, count: 0, sumS: 0, buckets: durationBuckets.map(() => 0) };
      this.#series.set(key, series);
    }
    series.count += 1;
    series.sumS += durationS;
    // Cumulative buckets are summed at render time; here each response lands in its first bucket only.
    const index = durationBuckets.findIndex((bound) => durationS <= bound);
    if (index >= 0) series.buckets[index]! += 1;
  }

  /** `http_requests_total` and the `http_request_duration_seconds` histogram. */
  families(): MetricFamily[] {
    const totals: ExpositionSample[] = [];
    const durations: ExpositionSample[] = [];
    for (const series of this.#series.values()) {
      totals.push({ labels: series.labels, value: series.count });
      let cumulative = 0;
      durationBuckets.forEach((bound, index) => {
        cumulative += series.buckets[index]!;
        durations.push({ labels: { ...series.labels, le: String(bound) }, value: cumulative, suffix: "_bucket" });
      });
      durations.push({ labels: { ...series.labels, le: "+Inf" }, value: series.count, suffix: "_bucket" });
      durations.push({ labels: series.labels, value: series.sumS, suffix: "_sum" });
      durations.push({ labels: series.labels, value: series.count, suffix: "_count" });
    }
    return [
      {
        name: "http_requests_total",
        help: "HTTP requests answered, by route pattern, method and status.",
        type: "counter",
        samples: totals,
      },
      {
        name: "http_request_duration_seconds",
        help: "Time from receiving an HTTP request to sending its response, by route pattern, method and status.",
        type: "histogram",
        samples: durations,
      },
    ];
  }
}

/** Process and Node.js series; the event loop delay is sampled continuously and reset at each scrape. */
export class ProcessMetrics {
  readonly #loop: IntervalHistogram;
  readonly #startTimeS = Math.round((Date.now() / 1000 - process.uptime()) * 1000) / 1000;

  constructor() {
    this.#loop = monitorEventLoopDelay({ resolution: 10 });
    this.#loop.enable();
  }

  /** Stops sampling the event loop. */
  close(): void {
    this.#loop.disable();
  }

  /** The families, read now. */
  families(): MetricFamily[] {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    // The histogram is in nanoseconds; with no sample yet (a scrape right after start) its mean is NaN.
    const lagS = Number.isFinite(this.#loop.mean) ? this.#loop.mean / 1e9 : 0;
    const lagMaxS = this.#loop.count > 0 ? this.#loop.max / 1e9 : 0;
    this.#loop.reset();
    const gauge = (name: string, help: string, value: number): MetricFamily => ({
      name,
      help,
      type: "gauge",
      samples: [{ value }],
    });
    return [
      {
        name: "process_cpu_seconds_total",
        help: "Total user and system CPU time spent in seconds.",
        type: "counter",
        samples: [{ value: (cpu.user + cpu.system) / 1e6 }],
      },
      {
        name: "process_cpu_user_seconds_total",
        help: "Total user CPU time spent in seconds.",
        type: "counter",
        samples: [{ value: cpu.user / 1e6 }],
      },
      {
        name: "process_cpu_system_seconds_total",
        help: "Total system CPU time spent in seconds.",
        type: "counter",
        samples: [{ value: cpu.system / 1e6 }],
      },
      gauge("process_resident_memory_bytes", "Resident memory size in bytes.", memory.rss),
      gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", this.#startTimeS),
      gauge("nodejs_heap_size_total_bytes", "Process heap size from Node.js in bytes.", memory.heapTotal),
      gauge("nodejs_heap_size_used_bytes", "Process heap size used from Node.js in bytes.", memory.heapUsed),
      gauge("nodejs_external_memory_bytes", "Node.js external memory size in bytes.", memory.external),
      gauge("nodejs_eventloop_lag_seconds", "Mean event loop delay since the last scrape, in seconds.", lagS),
      gauge("nodejs_eventloop_lag_max_seconds", "Largest event loop delay since the last scrape, in seconds.", lagMaxS),
      {
        name: "nodejs_version_info",
        help: "Node.js version info.",
        type: "gauge",
        samples: [{ labels: { version: process.version }, value: 1 }],
      },
    ];
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /** The platform's metric families (process, HTTP, scheduler), rendered by `/metrics` before telemetry's. */
    platformMetrics: () => MetricFamily[];
  }
}

/**
 * Times every response by its route pattern and decorates the server with `platformMetrics`, which `/metrics`
 * renders: process and HTTP families, then those of `sources` (features such as the scheduler).
 */
export function registerPlatformMetrics(app: FastifyInstance, sources: readonly MetricsSource[]): void {
  const http = new HttpMetrics();
  const processMetrics = new ProcessMetrics();
  app.addHook("onClose", async () => processMetrics.close());
  app.addHook("onResponse", async (request, reply) => {
    http.record(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.decorate("platformMetrics", () => [
    ...processMetrics.families(),
    ...http.families(),
    ...sources.flatMap((source) => source()),
  ]);
}
