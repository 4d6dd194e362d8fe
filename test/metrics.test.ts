/**
 * `/metrics` platform series: process and Node.js, HTTP requests by route pattern and status (bounded labels, a
 * consistent histogram), and the scheduler's jobs by queue, GPU allocation and admission rejections by reason.
 * When Debian's `promtool` is installed, the whole exposition must also pass `promtool check metrics`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import { rejectionReasonOf, rejectionReasons } from "../src/app/features/scheduler-metrics.ts";
import { jobSpec } from "../src/scheduler/jobs.ts";

let app: ComposedApp;
let admin: string;
const platform = platformFeatures({ speed: 60, telemetryInMemory: true, demoLoad: 0.5 });

/** A parsed sample line. */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses exposition text: HELP and TYPE per family, then samples (label values here never hold `"` or `,`). */
function parse(text: string): { types: Map<string, string>; helps: Set<string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) types.set(type[1]!, type[2]!);
    const help = /^# HELP (\S+) /.exec(line);
    if (help !== null) helps.add(help[1]!);
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample !== null, `unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? "").split(",").filter((part) => part !== "")) {
      const [name, quoted] = pair.split("=") as [string, string];
      labels[name] = quoted.slice(1, -1);
    }
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, helps, samples };
}

const scrape = async () => {
  const response = await app.server.inject({ url: "/metrics", headers: { authorization: `Bearer ${admin}` } });
  assert.equal(response.statusCode, 200, response.body);
  return { text: response.body, ...parse(response.body) };
};
const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: platform.features,
  });
  admin = app.demoKeys!.find((key) => key.role === "platform-admin")!.token;
});
after(async () => {
  await app.close();
});

describe("/metrics platform series", () => {
  it("has process and Node.js series in base units, each with HELP and TYPE", async () => {
    const { types, helps, samples } = await scrape();
    for (const [name, type] of [
      ["process_cpu_seconds_total", "counter"],
      ["process_resident_memory_bytes", "gauge"],
      ["process_start_time_seconds", "gauge"],
      ["nodejs_heap_size_used_bytes", "gauge"],
      ["nodejs_eventloop_lag_seconds", "gauge"],
    ] as const) {
      assert.equal(types.get(name), type, name);
      assert.ok(helps.has(name), name);
      assert.equal(find(samples, name).length, 1, name);
    }
    const value = (name: string) => find(samples, name)[0]!.value;
    assert.ok(value("process_cpu_seconds_total") > 0);
    assert.ok(value("process_resident_memory_bytes") > 20e6, "bytes, not kilobytes");
    const startedS = Date.now() / 1000 - process.uptime();
    assert.ok(Math.abs(value("process_start_time_seconds") - startedS) < 5, "seconds since the epoch");
    assert.ok(value("nodejs_heap_size_used_bytes") > 1e6);
    const lag = value("nodejs_eventloop_lag_seconds");
    assert.ok(lag >= 0 && lag < 5, `seconds, got ${lag}`);
  });

  it("counts and times requests by route pattern and status, with one label for unknown routes", async () => {
    const headers = { authorization: `Bearer ${admin}` };
    for (const tenant of ["valdiag", "rhone-pharma", "valdiag"]) {
      assert.equal((await app.server.inject({ url: `/v1/tenants/${tenant}`, headers })).statusCode, 200);
    }
    assert.equal((await app.server.inject({ url: "/v1/tenants/nobody", headers })).statusCode, 404);
    for (let index = 0; index < 40; index++) await app.server.inject({ url: `/v1/random-${index}/x`, headers });
    const { types, samples } = await scrape();
    assert.equal(types.get("http_requests_total"), "counter");
    assert.equal(types.get("http_request_duration_seconds"), "histogram");
    const byRoute = { route: "/v1/tenants/:id", method: "GET" };
    assert.equal(find(samples, "http_requests_total", { ...byRoute, status: "200" })[0]?.value, 3);
    assert.equal(find(samples, "http_requests_total", { ...byRoute, status: "404" })[0]?.value, 1);
    const routes = new Set(find(samples, "http_requests_total").map((sample) => sample.labels.route));
    assert.ok(routes.has("unmatched"));
    assert.ok(![...routes].some((route) => route?.startsWith("/v1/random-")), "URLs never become labels");
    assert.equal(find(samples, "http_requests_total", { route: "unmatched", status: "404" })[0]?.value, 40);
    // The histogram: cumulative buckets ending at +Inf = count, a sum in seconds.
    const buckets = find(samples, "http_request_duration_seconds_bucket", { ...byRoute, status: "200" });
    assert.equal(buckets.at(-1)?.labels.le, "+Inf");
    for (let index = 1; index < buckets.length; index++) assert.ok(buckets[index]!.value >= buckets[index - 1]!.value);
    assert.equal(buckets.at(-1)?.value, 3);
    assert.equal(find(samples, "http_request_duration_seconds_count", { ...byRoute, status: "200" })[0]?.value, 3);
    const sum = find(samples, "http_request_duration_seconds_sum", { ...byRoute, status: "200" })[0]!.value;
    assert.ok(sum > 0 && sum < 30, `seconds, got ${sum}`);
  });

  it("has scheduler series: jobs by queue, GPU allocation and admission rejections by reason", async () => {
    const engine = platform.jobs.engine()!;
    const scheduler = engine.generation.live.scheduler;
    const queues = scheduler.quota.config.queues.map((queue) => queue.name);
    // Wait for the demo workload to be placed (half of it is submitted at start).
    const deadline = Date.now() + 20_000;
    while (scheduler.state.allocatedGpuMilli === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    engine.generation.live.submit(
      jobSpec({ id: "metrics-nowhere", queue: "no-such-queue", submitS: 0, durationS: 60 }),
    );
    const { types, samples } = await scrape();
    for (const name of ["alixan_scheduler_pending_jobs", "alixan_scheduler_running_jobs"]) {
      assert.equal(types.get(name), "gauge");
      assert.deepEqual(
        find(samples, name)
          .map((sample) => sample.labels.queue)
          .sort(),
        [...queues].sort(),
      );
    }
    const running = find(samples, "alixan_scheduler_running_jobs").reduce((total, sample) => total + sample.value, 0);
    const expectedRunning = scheduler.jobs.filter((job) => job.state === "running").length;
    assert.equal(running, expectedRunning);
    assert.ok(running > 0, "the demo workload runs");
    const ratio = find(samples, "alixan_scheduler_gpu_allocation_ratio")[0]!.value;
    assert.ok(ratio > 0 && ratio <= 1, `a ratio, got ${ratio}`);
    assert.equal(find(samples, "alixan_scheduler_gpus")[0]!.value, scheduler.inventory.gpuCount);
    assert.equal(types.get("alixan_scheduler_admission_rejections_total"), "counter");
    const rejections = find(samples, "alixan_scheduler_admission_rejections_total");
    assert.deepEqual(rejections.map((sample) => sample.labels.reason).sort(), [...rejectionReasons].sort());
    assert.equal(
      find(samples, "alixan_scheduler_admission_rejections_total", { reason: "unknown_queue" })[0]!.value,
      1,
    );
  });

  it("classifies every scheduler refusal into a bounded reason", () => {
    assert.equal(rejectionReasonOf('no queue named "x" (configured: a, b)'), "unknown_queue");
    assert.equal(rejectionReasonOf('no priority class named "x" (known: a)'), "unknown_priority_class");
    assert.equal(rejectionReasonOf("GPU models B300 not in lab (it has H200)"), "gpu_model");
    assert.equal(rejectionReasonOf("no node with H200 GPUs may hold health data"), "data_class");
    assert.equal(rejectionReasonOf("one member (8 GPUs) fits on no node it may use"), "no_fitting_node");
    assert.equal(rejectionReasonOf("the gang asks 512 GPUs; the nodes it may use have 64"), "capacity");
    assert.equal(rejectionReasonOf("the gang asks 16 GPUs in one NVLink domain; the largest has 8"), "topology");
    assert.equal(rejectionReasonOf("durationS: expected ≥ 0, got -1"), "invalid_spec");
    assert.equal(rejectionReasonOf("zone Z is not certified for health data"), "admission_check");
  });

  it("passes `promtool check metrics` (Prometheus naming and format rules) when promtool is installed", async (t) => {
    const found = spawnSync("promtool", ["--version"], { encoding: "utf8" });
    if (found.error !== undefined) {
      t.skip("promtool is not installed (Debian package `prometheus`)");
      return;
    }
    const { text } = await scrape();
    const platformOnly = text
      .split(/(?=^# HELP )/m)
      .filter(
        (family) =>
          !family.startsWith("# HELP alixan_telemetry") && /^# HELP (process|nodejs|http|alixan)/.test(family),
      )
      .join("");
    const checked = spawnSync("promtool", ["check", "metrics"], { input: platformOnly, encoding: "utf8" });
    assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
  });
});
