/**
 * Benchmark: telemetry at campus scale (40,000 racks × 30 metrics), through the service (parse, write-ahead log with
 * fdatasync, hot buffers, alarm rules, DuckDB history), without HTTP.
 *
 * 1. batch ingest of Influx line protocol: samples/s until every batch is acknowledged (durable), and with the
 *    DuckDB flush included; target ≥ 1,000,000 samples/s;
 * 2. sustained load, one 40,000 × 30 cycle per simulated 10 s: process CPU time (all threads, DuckDB included) per
 *    cycle; target < 30 % of one core;
 * 3. last-hour query of one rack (30 series × 360 samples) from hot buffers; target < 5 ms;
 * 1b. the Prometheus text and Influx parsers alone on known series; target ≥ 1,000,000 samples/s for Prometheus;
 * 4. baseline in the same run: VictoriaMetrics (Debian package) on loopback fed the same line-protocol batches,
 *    when installed; ratio of alixan's ingest rate to its rate.
 *
 * Run with `npm run bench:telemetry` (`--quick` for 4,000 racks).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { loadSite } from "../src/model/load.ts";
import { InfluxParser } from "../src/telemetry/adapters/influx.ts";
import { PrometheusParser } from "../src/telemetry/adapters/prometheus.ts";
import { registerTelemetryRoutes } from "../src/telemetry/routes.ts";
import { SampleBuffer } from "../src/telemetry/samples.ts";
import { SeriesRegistry } from "../src/telemetry/series.ts";
import { TelemetryService } from "../src/telemetry/service.ts";
import { RejectionList } from "../src/telemetry/types.ts";

const quick = process.argv.includes("--quick");
const metricsPerRack = 30;
const batchLines = 5000;
const inFlight = 4;
const stepMs = 10_000;
const sustainedCycles = quick ? 6 : 12;
const paceMs = 2000;
const victoriaMetrics = "/usr/bin/victoria-metrics";

const site = loadSite("alixan").site!;
const racks = site.racks.slice(0, quick ? 4000 : 40_000).map((rack) => rack.id);
const samplesPerCycle = racks.length * metricsPerRack;
const fieldNames = Array.from({ length: metricsPerRack }, (_, i) => `m${String(i + 1).padStart(2, "0")}`);
const format = (value: number) => Math.round(value).toLocaleString("en-US");

/** One cycle of line protocol: one line per rack with 30 fields, split into batches of `batchLines` lines. */
function cycleBatches(timestamp: number, cycle: number): string[] {
  const batches: string[] = [];
  const nanoseconds = `${timestamp}000000`;
  for (let start = 0; start < racks.length; start += batchLines) {
    const lines: string[] = [];
    for (let r = start; r < Math.min(racks.length, start + batchLines); r++) {
      const fields = fieldNames.map((name, i) => `${name}=${((r * 31 + i * 7 + cycle * 13) % 1000) / 10}`).join(",");
      lines.push(`rack,rack=${racks[r]} ${fields} ${nanoseconds}`);
    }
    batches.push(lines.join("\n"));
  }
  return batches;
}

/** Sends batches with at most `inFlight` outstanding; resolves when all are answered. */
async function sendAll(batches: readonly string[], send: (batch: string) => Promise<number>): Promise<number> {
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    while (next < batches.length) {
      // Read the count after the await: `accepted += await …` would add to a stale value under concurrency.
      const count = await send(batches[next++]!);
      accepted += count;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return accepted;
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

const directory = mkdtempSync(join(tmpdir(), "alixan-bench-telemetry-"));
const startTime = Date.now() - 3_600_000;
let simulatedNow = startTime;
const wallStarted = performance.now();
console.log(
  `telemetry: ${format(racks.length)} racks × ${metricsPerRack} metrics = ${format(samplesPerCycle)} samples per cycle` +
    ` (${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at start: figures taken on a machine shared with other workers)`,
);

const opened = await TelemetryService.open({
  dataDirectory: join(directory, "alixan"),
  site,
  memoryLimit: "4GB",
  now: () => simulatedNow,
  onProblem: (message) => console.error(`  problem: ${message}`),
});
if (!opened.ok) throw new Error(opened.problem);
const service = opened.value;
const ingest = async (batch: string) => (await service.ingestInflux(batch)).accepted;

// 1. Batch ingest.
let cycle = 0;
const prepareStarted = performance.now();
const coldBatches = cycleBatches(startTime, cycle);
const warmCycles = quick ? 3 : 6;
const warm = Array.from({ length: warmCycles }, (_, i) => cycleBatches(startTime + (i + 1) * stepMs, i + 1));
const prepareSeconds = (performance.now() - prepareStarted) / 1000;
let started = performance.now();
let accepted = await sendAll(coldBatches, ingest);
const coldSeconds = (performance.now() - started) / 1000;
started = performance.now();
await service.flush();
const coldFlushSeconds = (performance.now() - started) / 1000;
if (accepted !== samplesPerCycle) throw new Error(`cold cycle accepted ${accepted}`);
cycle++;

started = performance.now();
const warmCpuStarted = cpuSeconds();
accepted = 0;
const cycleRates: number[] = [];
for (const batches of warm) {
  simulatedNow = startTime + cycle * stepMs;
  const cycleStarted = performance.now();
  const done = await sendAll(batches, ingest);
  cycleRates.push(done / ((performance.now() - cycleStarted) / 1000));
  accepted += done;
  cycle++;
}
const warmSeconds = (performance.now() - started) / 1000;
const warmCpu = cpuSeconds() - warmCpuStarted;
await service.flush();
const warmWithFlushSeconds = (performance.now() - started) / 1000;
cycleRates.sort((a, b) => a - b);
const ingestRate = accepted / warmSeconds;
console.log("1. batch ingest (Influx line protocol, 5,000 lines = 150,000 samples per batch, 4 batches in flight)");
console.log(`   text generation (not timed)     ${prepareSeconds.toFixed(1)} s`);
console.log(
  `   first cycle, new series         ${format(samplesPerCycle)} samples, ${format(samplesPerCycle)} series created in ${coldSeconds.toFixed(2)} s` +
    ` (${format(samplesPerCycle / coldSeconds)} samples/s); DuckDB flush with series table ${coldFlushSeconds.toFixed(2)} s`,
);
console.log(
  `   known series, acknowledged      ${format(accepted)} samples in ${warmSeconds.toFixed(2)} s = ${format(ingestRate)} samples/s  (target ≥ 1,000,000)`,
);
console.log(
  `   per cycle                       slowest ${format(cycleRates[0]!)}, median ${format(cycleRates[Math.floor(cycleRates.length / 2)]!)}, fastest ${format(cycleRates.at(-1)!)} samples/s`,
);
console.log(
  `   CPU time (all threads)          ${warmCpu.toFixed(2)} s = ${format(accepted / warmCpu)} samples per CPU-second (independent of other workers' load)`,
);
console.log(
  `   including the DuckDB flush      ${warmWithFlushSeconds.toFixed(2)} s = ${format(accepted / warmWithFlushSeconds)} samples/s`,
);

// 1b. Parsers alone on known series (no log, no buffers): Prometheus text beside Influx line protocol, same samples.
function prometheusBatches(timestamp: number, cycle: number): string[] {
  const batches: string[] = [];
  for (let start = 0; start < racks.length; start += batchLines) {
    const lines: string[] = [];
    for (let r = start; r < Math.min(racks.length, start + batchLines); r++) {
      for (let i = 0; i < metricsPerRack; i++) {
        lines.push(
          `rack_${fieldNames[i]}{rack="${racks[r]}"} ${((r * 31 + i * 7 + cycle * 13) % 1000) / 10} ${timestamp}`,
        );
      }
    }
    batches.push(lines.join("\n"));
  }
  return batches;
}
const parserCycles = quick ? 3 : 2;
const promCycles = Array.from({ length: parserCycles + 1 }, (_, i) => prometheusBatches(startTime + i * stepMs, i));
const parserRegistry = new SeriesRegistry();
const parserIntern = (name: string, labels: Record<string, string>) => parserRegistry.intern(name, labels);
const timeParser = (cycles: readonly string[][], parseOne: (batch: string, out: SampleBuffer) => void) => {
  const out = new SampleBuffer(batchLines * metricsPerRack);
  for (const batch of cycles[0]!) parseOne(batch, new SampleBuffer(batchLines * metricsPerRack)); // new series
  const parseStarted = performance.now();
  const cpuAtStart = cpuSeconds();
  let parsed = 0;
  for (const batches of cycles.slice(1)) {
    for (const batch of batches) {
      out.count = 0;
      parseOne(batch, out);
      parsed += out.count;
    }
  }
  return {
    parsed,
    rate: parsed / ((performance.now() - parseStarted) / 1000),
    perCpu: parsed / (cpuSeconds() - cpuAtStart),
  };
};
const promParser = new PrometheusParser(parserIntern);
const promRejections = new RejectionList();
const prom = timeParser(promCycles, (batch, out) => promParser.parse(batch, startTime, {}, out, promRejections));
const influxParser = new InfluxParser(parserIntern);
const influxRejections = new RejectionList();
const influx = timeParser([coldBatches, ...warm.slice(0, parserCycles)], (batch, out) =>
  influxParser.parse(batch, "ns", startTime, out, influxRejections),
);
if (promRejections.items.length > 0 || influxRejections.items.length > 0) throw new Error("the parsers rejected lines");
simulatedNow = startTime + cycle * stepMs;
started = performance.now();
let promAccepted = 0;
for (const batch of prometheusBatches(simulatedNow, cycle))
  promAccepted += (await service.ingestPrometheusText(batch)).accepted;
const promServiceRate = promAccepted / ((performance.now() - started) / 1000);
cycle++;
console.log("1b. parsers alone, known series (one thread, no log or buffers), same samples as section 1");
console.log(
  `   Prometheus text parser          ${format(prom.parsed)} samples = ${format(prom.rate)} samples/s (target ≥ 1,000,000); ${format(prom.perCpu)} per CPU-second`,
);
console.log(
  `   Influx line-protocol parser     ${format(influx.parsed)} samples = ${format(influx.rate)} samples/s; ${format(influx.perCpu)} per CPU-second`,
);
console.log(
  `   Prometheus text, acknowledged   ${format(promAccepted)} samples through the service (log, buffers) = ${format(promServiceRate)} samples/s`,
);

// 2. Sustained load: one cycle per simulated 10 s, paced every 2 s of wall time so timers (flush) run as in service.
const sustained = Array.from({ length: sustainedCycles }, (_, i) =>
  cycleBatches(startTime + (cycle + i) * stepMs, cycle + i),
);
const cpuStarted = cpuSeconds();
started = performance.now();
const cycleCpu: number[] = [];
for (const batches of sustained) {
  const cycleStarted = performance.now();
  const cycleCpuStarted = cpuSeconds();
  simulatedNow = startTime + cycle * stepMs;
  const done = await sendAll(batches, ingest);
  if (done !== samplesPerCycle) throw new Error(`cycle ${cycle} accepted ${done}`);
  // Evaluate staleness and roll up closed minutes as the service's timers would within the cycle.
  service.evaluateNow();
  if (cycle % 6 === 0) await service.maintain();
  cycle++;
  const remaining = paceMs - (performance.now() - cycleStarted);
  if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  cycleCpu.push(cpuSeconds() - cycleCpuStarted);
}
await service.flush();
const sustainedCpu = cpuSeconds() - cpuStarted;
const perCycle = sustainedCpu / sustainedCycles;
console.log(
  `2. sustained: ${sustainedCycles} cycles of ${format(samplesPerCycle)} samples (one per simulated 10 s, paced every ${paceMs / 1000} s)`,
);
console.log(
  `   CPU per cycle                   ${perCycle.toFixed(2)} s of CPU per 10 s cycle = ${((perCycle / 10) * 100).toFixed(1)} % of one core (target < 30 %)` +
    `; per cycle min ${Math.min(...cycleCpu).toFixed(2)} s, max ${Math.max(...cycleCpu).toFixed(2)} s`,
);
console.log(
  `   wall time                       ${((performance.now() - started) / 1000).toFixed(1)} s; history rows ${format(service.history.rowsWritten)}`,
);

// 3. Last-hour query of one rack: fill an hour for the racks of one row, then query each of them.
const row = site.rows[0]!;
const rowRacks = racks.slice(row.rackStart, row.rackStart + row.rackCount);
const hourCycles = 360 - cycle;
for (let i = 0; i < hourCycles; i++) {
  simulatedNow = startTime + cycle * stepMs;
  const nanoseconds = `${simulatedNow}000000`;
  const lines = rowRacks.map(
    (rack, r) =>
      `rack,rack=${rack} ${fieldNames.map((name, f) => `${name}=${(r + f + cycle) % 100}`).join(",")} ${nanoseconds}`,
  );
  await service.ingestInflux(lines.join("\n"));
  cycle++;
}
const hourEnd = startTime + cycle * stepMs;
const timings: number[] = [];
let points = 0;
for (let repeat = 0; repeat < 20; repeat++) {
  for (const rack of rowRacks) {
    const queryStarted = performance.now();
    const result = await service.query({ selector: { rack }, from: hourEnd - 3_600_000, to: hourEnd });
    timings.push(performance.now() - queryStarted);
    if (!result.ok || result.value.source !== "hot")
      throw new Error("the last-hour query did not come from hot buffers");
    points = result.value.frames.reduce((sum, frame) => sum + frame.values.length, 0);
  }
}
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)]!;
const p99 = timings[Math.floor(timings.length * 0.99)]!;
await service.flush();
const ids = service.registry.select({ rack: rowRacks[0]! });
const historyStarted = performance.now();
await service.history.rawFrames(ids, hourEnd - 3_600_000, hourEnd, (id) => service.registry.info(id)!);
const historyMs = performance.now() - historyStarted;
console.log(
  `3. last-hour query of one rack (${format(points)} samples over ${metricsPerRack} series), ${timings.length} queries`,
);
console.log(
  `   hot buffers                     median ${median.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${timings.at(-1)!.toFixed(2)} ms (target < 5 ms)`,
);
console.log(
  `   same range from DuckDB          ${historyMs.toFixed(1)} ms (for comparison: the path used after a restart)`,
);
// The same warm batches through the HTTP route, for a like-for-like comparison with VictoriaMetrics' /write.
const app = Fastify({ bodyLimit: 64 * 1024 * 1024 });
registerTelemetryRoutes(app, service);
const address = await app.listen({ port: 0, host: "127.0.0.1" });
const postAlixan = async (batch: string) => {
  const response = await fetch(`${address}/v1/telemetry/influx`, {
    method: "POST",
    body: batch,
    headers: { "content-type": "text/plain" },
  });
  const report = (await response.json()) as { accepted: number };
  return report.accepted;
};
const httpBatches = Array.from({ length: warmCycles }, (_, i) =>
  cycleBatches(startTime + (cycle + i) * stepMs, cycle + i),
);
started = performance.now();
let httpAccepted = 0;
for (const batches of httpBatches) {
  simulatedNow = startTime + cycle * stepMs;
  httpAccepted += await sendAll(batches, postAlixan);
  cycle++;
}
const httpSeconds = (performance.now() - started) / 1000;
const httpRate = httpAccepted / httpSeconds;
console.log(
  `   HTTP route, same batches        ${format(httpAccepted)} samples in ${httpSeconds.toFixed(2)} s = ${format(httpRate)} samples/s (POST /v1/telemetry/influx, Fastify on loopback)`,
);
await app.close();
await service.close();
const alixanRss = process.resourceUsage().maxRSS / 1024;

// 4. Baseline: VictoriaMetrics fed the same batches through its Influx /write endpoint.
let ratioLine = "";
if (!existsSync(victoriaMetrics)) {
  ratioLine = `   skipped: ${victoriaMetrics} is not installed (apt-get install -y victoria-metrics); no ratio`;
} else {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const found = (probe.address() as { port: number }).port;
      probe.close(() => resolve(found));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  try {
    server = spawn(
      victoriaMetrics,
      [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${join(directory, "vm")}`,
        "-retentionPeriod=100y",
        "-loggerLevel=ERROR",
      ],
      {
        stdio: "ignore",
      },
    );
    const deadline = Date.now() + 20_000;
    while (
      !(await fetch(`${base}/health`).then(
        (response) => response.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error("VictoriaMetrics did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const post = async (batch: string) => {
      const response = await fetch(`${base}/write`, { method: "POST", body: batch });
      if (!response.ok) throw new Error(`VictoriaMetrics answered ${response.status}`);
      await response.arrayBuffer();
      return batch.split("\n").length * metricsPerRack;
    };
    await sendAll(coldBatches, post);
    started = performance.now();
    let sent = 0;
    for (const batches of warm) sent += await sendAll(batches, post);
    const vmSeconds = (performance.now() - started) / 1000;
    const vmRate = sent / vmSeconds;
    ratioLine =
      `   VictoriaMetrics /write          ${format(sent)} samples in ${vmSeconds.toFixed(2)} s = ${format(vmRate)} samples/s` +
      ` (acknowledged in memory, no fsync per request)\n` +
      `   ratio alixan / VictoriaMetrics  ${(httpRate / vmRate).toFixed(2)} over HTTP, ${(ingestRate / vmRate).toFixed(2)} in process (same batches, same concurrency, series seen once before)`;
  } finally {
    if (server?.pid !== undefined) {
      const exited = new Promise((resolve) => server!.on("exit", resolve));
      process.kill(server.pid, "SIGTERM");
      await exited;
    }
  }
}
console.log("4. baseline in the same run");
console.log(ratioLine);
rmSync(directory, { recursive: true, force: true });
console.log(
  `work: ${format(cycle)} cycles, ${format(service.registry.size)} series; wall time ${((performance.now() - wallStarted) / 1000).toFixed(1)} s;` +
    ` peak RSS ${alixanRss.toFixed(0)} MB (alixan phases; VictoriaMetrics is a separate process); load average ${loadavg()[0]!.toFixed(1)} at end`,
);
const failed = ingestRate < 1_000_000 || prom.rate < 1_000_000 || perCycle / 10 >= 0.3 || median >= 5;
if (failed) {
  console.error("telemetry: over target");
  process.exitCode = 1;
}
