import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { until } from "../../test/support/wait.ts";
import { siteUnits } from "../model/equipment.ts";
import { loadSite, parseSite } from "../model/load.ts";
import { PrometheusParser } from "./adapters/prometheus.ts";
import { SampleBuffer } from "./samples.ts";
import { SeriesRegistry } from "./series.ts";
import { type StreamMessage, TelemetryService } from "./service.ts";
import { RejectionList } from "./types.ts";

const labSite = loadSite("lab").site!;
const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), "alixan-telemetry-"));
  directories.push(directory);
  return directory;
}

async function open(options: Parameters<typeof TelemetryService.open>[0]): Promise<TelemetryService> {
  const opened = await TelemetryService.open({ onProblem: () => {}, ...options });
  assert.ok(opened.ok, opened.ok ? "" : opened.problem);
  return opened.value;
}

/** Influx lines for `racks` racks of the lab's row h1-r03 with two metrics, every 10 s for `steps` steps. */
function rackLines(start: number, steps: number): string {
  const lines: string[] = [];
  for (let step = 0; step < steps; step++) {
    for (let rack = 1; rack <= 3; rack++) {
      const id = `rack:h1-r03-${String(rack).padStart(2, "0")}`;
      lines.push(
        `rack,rack=${id} power_kw=${rack * 10 + step},inlet_celsius=${20 + rack} ${(start + step * 10_000) * 1e6}`,
      );
    }
  }
  return lines.join("\n");
}

/** Late-sample tests: four hours of one-minute samples from `lateStartMs` (a fake clock far from zero). */
const lateMinuteMs = 60_000;
const lateHourMs = 3_600_000;
const lateStartMs = 100 * lateHourMs;

/** A frame of `inlet_kw{meter}` with one sample every minute of the four hours from `lateStartMs`, `offset` in. */
function inletFrame(meter: string, offset: number, value: number) {
  const timestamps = Array.from({ length: 240 }, (_, index) => lateStartMs + index * lateMinuteMs + offset);
  return { name: "inlet_kw", labels: { meter }, timestamps, values: timestamps.map(() => value) };
}

/** Hourly sums of `inlet_kw` per meter over those four hours, with the resolution history answered them at. */
async function inletHourlySums(service: TelemetryService) {
  const result = await service.query({
    selector: { names: ["inlet_kw"] },
    from: lateStartMs,
    to: lateStartMs + 4 * lateHourMs,
    step: lateHourMs,
    aggregation: "sum",
  });
  assert.ok(result.ok, result.ok ? "" : result.problem);
  assert.equal(result.value.source, "history");
  const sums = Object.fromEntries(result.value.frames.map((found) => [found.labels["meter"], found.values]));
  return { resolution: result.value.resolution, sums };
}

describe("telemetry service", () => {
  it("answers queries by rack, row and hall from hot buffers, and the same from history after a restart", async () => {
    const directory = temporaryDirectory();
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    const queries = [
      { selector: { rack: "rack:h1-r03-02" }, from: start, to: start + 3_600_000 },
      {
        selector: { names: ["rack_power_kw"], row: "row:h1-r03" },
        from: start,
        to: start + 3_600_000,
        step: 60_000,
        groupBy: "row" as const,
        aggregation: "avg" as const,
        combine: "sum" as const,
      },
      {
        selector: { hall: "hall:h1", names: ["rack_power_kw"] },
        from: start,
        to: start + 3_600_000,
        step: 30_000,
        aggregation: "max" as const,
      },
      {
        selector: { plant: "plant:lab", names: ["rack_inlet_celsius"] },
        from: start,
        to: start + 3_600_000,
        step: 600_000,
        groupBy: "all" as const,
        combine: "avg" as const,
      },
    ];
    const first = await open({ dataDirectory: directory, site: labSite });
    let hotAnswers: unknown[];
    try {
      const report = await first.ingestInflux(rackLines(start, 12));
      assert.deepEqual(report, { accepted: 72, rejected: [], rejectedCount: 0 });
      hotAnswers = [];
      for (const query of queries) {
        const result = await first.query(query);
        assert.ok(result.ok, result.ok ? "" : result.problem);
        assert.equal(result.value.source, "hot");
        hotAnswers.push(result.value.frames);
      }
      const [rack, row] = hotAnswers as { name: string; values: number[]; timestamps: number[] }[][];
      assert.deepEqual(
        rack!.map((frame) => frame.name),
        ['rack_power_kw{rack="rack:h1-r03-02"}', 'rack_inlet_celsius{rack="rack:h1-r03-02"}'],
      );
      assert.equal(rack![0]!.values.length, 12);
      // Row power per minute: sum over the three racks of each rack's average over the minute's six samples.
      assert.equal(row![0]!.name, "row:h1-r03");
      assert.equal(row![0]!.values[0], 10 + 20 + 30 + 3 * 2.5);
    } finally {
      await first.close();
    }
    const second = await open({ dataDirectory: directory, site: labSite });
    try {
      for (const [index, query] of queries.entries()) {
        const result = await second.query(query);
        assert.ok(result.ok);
        assert.equal(result.value.source, "history");
        assert.deepEqual(result.value.frames, hotAnswers[index], `query ${index}`);
      }
      // A name that matches no series, or a range with no samples, reaching history: no frames, not a failure.
      for (const query of [
        { selector: { names: ["no_such_metric"] }, from: start, to: start + 3_600_000 },
        { selector: { names: ["no_such_metric"] }, from: start, to: start + 3_600_000, step: 60_000 },
        { selector: { names: ["rack_power_kw"] }, from: start - 7_200_000, to: start - 3_600_000, step: 60_000 },
      ]) {
        const result = await second.query(query);
        assert.ok(result.ok, result.ok ? "" : result.problem);
        assert.equal(result.value.source, "history");
        assert.deepEqual(result.value.frames, []);
      }
    } finally {
      await second.close();
    }
  });

  it("keeps alarms, acknowledgements and their history across a restart", async () => {
    const directory = temporaryDirectory();
    const now = Date.now();
    const first = await open({ dataDirectory: directory, site: labSite });
    let id: string;
    try {
      await first.ingestJson({
        samples: [
          {
            name: "leak_detector_state",
            labels: { equipment: "cdu:h2-r01-02", detector: "Moisture" },
            value: 2,
            timestamp: now,
          },
        ],
      });
      const [alarm] = first.alarms.list();
      assert.equal(alarm!.severity, "critical");
      assert.deepEqual(alarm!.rows, ["row:h2-r01"]);
      id = alarm!.id;
      const acknowledged = await first.acknowledge(id, "camille", "rows drained");
      assert.ok(acknowledged.ok);
    } finally {
      await first.close();
    }
    const second = await open({ dataDirectory: directory, site: labSite });
    try {
      const [alarm] = second.alarms.list();
      assert.equal(alarm!.id, id);
      assert.equal(alarm!.acknowledged!.by, "camille");
      const history = await second.alarmHistory(0, Date.now() + 1000);
      assert.deepEqual(
        history.map((event) => [event.type, event.alarm.acknowledged?.by]),
        [
          ["acknowledged", "camille"],
          ["raised", undefined],
        ],
      );
      await second.ingestJson({
        samples: [
          {
            name: "leak_detector_state",
            labels: { equipment: "cdu:h2-r01-02", detector: "Moisture" },
            value: 0,
            timestamp: now + 1,
          },
        ],
      });
      // The restored state machine starts from "unknown", so the OK reading clears the restored alarm.
      assert.equal(second.alarms.list().length, 0);
    } finally {
      await second.close();
    }
  });

  it("places alarms raised after a site change on the site in force (followSite), not the one it opened with", async () => {
    // The lab without hall 1's first row: its last row's CDU is a unit of the lab only.
    const text = readFileSync(new URL("../../sites/lab.yaml", import.meta.url), "utf8");
    const parsed = parseSite(text.replace("      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n", ""));
    assert.ok(parsed.ok && parsed.site !== undefined);
    const fewer = new Set(siteUnits(parsed.site).keys());
    const added = [...siteUnits(labSite).keys()].find((id) => id.startsWith("cdu:h1-") && !fewer.has(id))!;
    assert.ok(added, "the lab has a hall 1 CDU the smaller site lacks");
    const service = await open({ site: parsed.site, backgroundTasks: false });
    try {
      service.followSite(labSite);
      await service.ingestJson({
        samples: [{ name: "leak_detector_state", labels: { equipment: added, detector: "Moisture" }, value: 2 }],
      });
      const [alarm] = service.alarms.list();
      const row = `row:${added.slice("cdu:".length, added.lastIndexOf("-"))}`;
      assert.deepEqual(alarm!.rows, [row], "placed on the site in force");
      assert.equal(alarm!.location.hall, "hall:h1");
    } finally {
      await service.close();
    }
  });

  it("streams new samples of a selection and alarm changes to subscribers", async () => {
    const service = await open({ site: labSite });
    try {
      const messages: StreamMessage[] = [];
      await service.ingestJson({ samples: [{ name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: 1 }] });
      const too = service.subscribe({ selector: { names: ["nope"] }, alarms: false }, () => {});
      assert.ok(too.ok);
      too.value();
      const subscribed = service.subscribe({ selector: { rack: "rack:h1-r01-01" }, alarms: true }, (message) =>
        messages.push(message),
      );
      assert.ok(subscribed.ok);
      await service.ingestJson({
        samples: [
          { name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: 41, timestamp: 1000 },
          { name: "rack_power_kw", labels: { rack: "rack:h1-r01-02" }, value: 42, timestamp: 1000 },
          { name: "leak_detector_state", labels: { equipment: "rack:h1-r01-01" }, value: 1, timestamp: 1000 },
        ],
      });
      subscribed.value();
      await service.ingestJson({ samples: [{ name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: 3 }] });
      assert.deepEqual(
        messages.map((message) => message.type),
        ["alarm", "samples"],
      );
      const samples = messages[1]!;
      assert.ok(samples.type === "samples");
      assert.deepEqual(
        samples.frames.map((frame) => [frame.name, frame.values]),
        [
          ['rack_power_kw{rack="rack:h1-r01-01"}', [41]],
          ['leak_detector_state{equipment="rack:h1-r01-01"}', [1]],
        ],
      );
    } finally {
      await service.close();
    }
  });

  it("renders /metrics with platform and facility families that a Prometheus parser reads back", async () => {
    const service = await open({});
    try {
      await service.ingestInflux(
        'cdu,cdu=cdu:h1-r01-01,note=say\\ "hi" flow_lpm=42 1000000000\nother value=1 1000000000',
      );
      const { contentType, body } = service.renderMetrics(["cdu_flow_lpm"]);
      assert.equal(contentType, "text/plain; version=0.0.4; charset=utf-8");
      assert.match(
        body,
        /# HELP alixan_telemetry_samples_accepted_total Samples made durable, by adapter.\n# TYPE alixan_telemetry_samples_accepted_total counter\nalixan_telemetry_samples_accepted_total\{source="influx"\} 2\n/,
      );
      assert.match(body, /# TYPE cdu_flow_lpm gauge\ncdu_flow_lpm\{cdu="cdu:h1-r01-01",note="say \\"hi\\""\} 42\n/);
      assert.doesNotMatch(body, /^other/m);
      const registry = new SeriesRegistry();
      const rejections = new RejectionList();
      new PrometheusParser((name, labels) => registry.intern(name, labels)).parse(
        body,
        0,
        {},
        new SampleBuffer(),
        rejections,
      );
      assert.deepEqual(rejections.items, []);
    } finally {
      await service.close();
    }
  });

  it("merges samples written late for minutes a rollup already rolled up into the rollups, and counts them", async () => {
    const [minute, hour, start] = [lateMinuteMs, lateHourMs, lateStartMs];
    let clock = start;
    // No background tasks (checked by the next test): the test runs maintain() itself at the fake times it chooses,
    // and no rollup at open can merge the stage before the test reads the gauge.
    const service = await open({
      now: () => clock,
      hotCapacity: 8,
      backgroundTasks: false,
      retention: { rawMs: 2 * hour, minuteMs: 6 * hour, hourMs: 48 * hour },
    });
    const metric = (name: string): number => {
      const match = new RegExp(`^${name} (\\S+)$`, "m").exec(service.renderMetrics([]).body);
      assert.ok(match, `${name} is exposed`);
      return Number(match[1]);
    };
    const merged = "alixan_telemetry_history_late_samples_merged_total";
    const staged = "alixan_telemetry_history_late_samples_staged";
    const frame = inletFrame;
    const hourlySums = () => inletHourlySums(service);
    try {
      assert.equal((await service.ingestJson({ frames: [frame("a", 0, 1)] })).accepted, 240);
      clock = start + 4 * hour + 2 * minute;
      await service.maintain();
      assert.equal((await service.history.counts()).minutes, 240, "the four hours are rolled up");

      // A collector's backlog for those hours: a second sample a minute on meter a, and a new meter b.
      const late = await service.ingestJson({ frames: [frame("a", 30_000, 2), frame("b", 0, 7)] });
      assert.equal(late.accepted, 480);
      await service.flush();
      assert.deepEqual([metric(staged), metric(merged)], [480, 0], "staged with their write, not merged yet");

      // Three hours later raw samples before start + 3 h have expired: minutes come from rollup_1m.
      clock = start + 5 * hour;
      await service.maintain();
      assert.deepEqual([metric(staged), metric(merged)], [0, 480], "merged at the next rollup");
      const fromMinutes = await hourlySums();
      assert.equal(fromMinutes.resolution, "1m");
      assert.deepEqual(fromMinutes.sums, { a: [180, 180, 180, 180], b: [420, 420, 420, 420] });

      // Once minutes expire too, the same hours come from rollup_1h, with no raw sample left.
      clock = start + 10 * hour;
      await service.maintain();
      assert.equal((await service.history.counts()).samples, 0);
      const fromHours = await hourlySums();
      assert.equal(fromHours.resolution, "1h");
      assert.deepEqual(fromHours.sums, fromMinutes.sums);
      assert.deepEqual([metric(staged), metric(merged)], [0, 480], "a merged sample is counted once");
      assert.match(service.renderMetrics([]).body, new RegExp(`# TYPE ${merged} counter\n`));
      assert.match(service.renderMetrics([]).body, new RegExp(`# TYPE ${staged} gauge\n`));
    } finally {
      await service.close();
    }
  });

  it("starts no background task when told not to: samples reach the history only when the caller flushes", async () => {
    const samples = async (service: TelemetryService) => (await service.history.counts()).samples;
    const quiet = await open({
      now: () => lateStartMs,
      backgroundTasks: false,
      flushIntervalMs: 1,
      rollupIntervalMs: 1,
    });
    try {
      assert.equal((await quiet.ingestJson({ frames: [inletFrame("a", 0, 1)] })).accepted, 240);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await samples(quiet), 0, "a 1 ms flush would have written them by now");
      await quiet.flush();
      assert.equal(await samples(quiet), 240);
    } finally {
      await quiet.close();
    }
    // With its tasks, the 1 ms flush writes them without being asked.
    const busy = await open({ now: () => lateStartMs, flushIntervalMs: 1, rollupIntervalMs: 1 });
    try {
      assert.equal((await busy.ingestJson({ frames: [inletFrame("a", 0, 1)] })).accepted, 240);
      await until("the periodic flush", async () => ((await samples(busy)) === 240 ? true : undefined), 10_000, 20);
    } finally {
      await busy.close();
    }
  });

  it("merges late samples at close even within the minute of the last rollup, for the next reader", async () => {
    const [minute, hour, start] = [lateMinuteMs, lateHourMs, lateStartMs];
    const directory = temporaryDirectory();
    // The clock stands still: the rollup at close, and the one the periodic runs at the next open, fall in the
    // same minute as the test's own rollup, which is what a quick ingest-then-report run does.
    const clock = start + 4 * hour + 2 * minute;
    const options = {
      dataDirectory: directory,
      now: () => clock,
      hotCapacity: 8,
      rollupIntervalMs: 86_400_000,
      retention: { rawMs: 2 * hour, minuteMs: 6 * hour, hourMs: 48 * hour },
    };
    const frame = (offset: number, value: number) => inletFrame("a", offset, value);
    const first = await open(options);
    try {
      assert.equal((await first.ingestJson({ frames: [frame(0, 1)] })).accepted, 240);
      await first.maintain();
      assert.equal((await first.ingestJson({ frames: [frame(30_000, 2)] })).accepted, 240);
    } finally {
      await first.close();
    }
    const second = await open(options);
    try {
      const { resolution, sums } = await inletHourlySums(second);
      assert.equal(resolution, "1m");
      assert.deepEqual(sums, { a: [180, 180, 180, 180] }, "the late samples are in the rollups");
      assert.equal(second.history.lateSamplesStaged, 0, "nothing left staged");
    } finally {
      await second.close();
    }
  });
});

describe("durability", () => {
  const child = fileURLToPath(new URL("./testing/ingest-child.ts", import.meta.url));

  /** Runs the child until it has acknowledged `acks` batches, then kills it with SIGKILL. Returns acknowledged batches. */
  async function ingestThenKill(directory: string, base: number, firstBatch: number, acks: number): Promise<number[]> {
    const process_ = spawn(process.execPath, ["--import", "tsx", child, directory, String(base), String(firstBatch)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acknowledged: number[] = [];
    let errors = "";
    process_.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      process_.on("exit", (code, signal) => resolve(signal ?? code)),
    );
    let buffered = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child too slow: ${acknowledged.length} acks; ${errors}`)),
        30_000,
      );
      process_.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) {
          if (line.startsWith("ack ")) acknowledged.push(Number(line.slice(4)));
          if (acknowledged.length >= acks) {
            // Kill mid-stream: the child is ingesting the next batch right now.
            process_.kill("SIGKILL");
            clearTimeout(timer);
            resolve();
            return;
          }
        }
      });
      process_.on("exit", () => {
        clearTimeout(timer);
        if (acknowledged.length < acks) reject(new Error(`child exited early: ${errors}`));
      });
    });
    assert.equal(await exited, "SIGKILL");
    return acknowledged;
  }

  it("kill -9 during ingest loses no acknowledged sample (twice, with replay in between)", async (context) => {
    const directory = temporaryDirectory();
    const base = Date.now() - 3_600_000;
    const firstRun = await ingestThenKill(directory, base, 0, 60);
    const secondRun = await ingestThenKill(directory, base, 10_000, 60);
    const service = await open({ dataDirectory: directory });
    try {
      const result = await service.query({ selector: { names: ["durability"] }, from: base, to: base + 100_000_000 });
      assert.ok(result.ok, result.ok ? "" : result.problem);
      const counts = new Map<number, number>();
      for (const frame of result.value.frames)
        for (const value of frame.values) counts.set(value, (counts.get(value) ?? 0) + 1);
      for (const batch of [...firstRun, ...secondRun]) {
        for (let i = 0; i < 200; i++) {
          const value = batch * 1000 + i;
          assert.equal(counts.get(value), 1, `acknowledged sample ${value} of batch ${batch} is stored exactly once`);
        }
      }
      for (const [value, count] of counts) assert.equal(count, 1, `sample ${value} stored once`);
      context.diagnostic(
        `durability: ${firstRun.length + secondRun.length} acknowledged batches, ${counts.size} samples stored`,
      );
    } finally {
      await service.close();
    }
  });
});
