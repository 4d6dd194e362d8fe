/**
 * Prometheus from Debian remote-writing to alixan: Prometheus scrapes itself and sends what it scraped to
 * `/api/v1/write` with a `telemetry-writer` key from `authorization.credentials_file`; alixan stores the series.
 * The writer key pushes and reads nothing. Skipped with a message when prometheus is not installed (.ci/run
 * installs it).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { staffKey } from "./support/api.ts";
import { freePort } from "./support/ports.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

let app: ComposedApp;
let url: string;
let admin: string;
let writerKey: string;
const directory = mkdtempSync(join(tmpdir(), "alixan-remote-write-"));

const call = async (path: string, key: string, init: RequestInit = {}) => {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Json };
};

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: defaultFeatures({ telemetryInMemory: true }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  admin = app.demoKeys!.find((key) => key.role === "platform-admin")!.token;
  writerKey = await staffKey(url, admin, "telemetry-writer", "Collector");
});
after(async () => {
  await app.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("telemetry-writer role", () => {
  it("pushes Influx with Token and Basic credentials, gzip included, and reads nothing", async () => {
    const now = Date.now();
    const token = await fetch(`${url}/api/v2/write?precision=ms`, {
      method: "POST",
      headers: { authorization: `Token ${writerKey}`, "content-encoding": "gzip", "content-type": "text/plain" },
      body: gzipSync(`collector_probe,equipment=cdu:h1-r01-01 value=1 ${now}`),
    });
    assert.equal(token.status, 204, await token.text());
    const basic = await fetch(`${url}/write?db=x&precision=ms`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`telegraf:${writerKey}`).toString("base64")}` },
      body: `collector_probe,equipment=cdu:h1-r01-02 value=2 ${now}`,
    });
    assert.equal(basic.status, 204, await basic.text());
    const series = await call("/v1/telemetry/series?name=collector_probe", admin);
    assert.equal((series.json() as unknown as Json[]).length, 2, series.text);
    for (const [method, path] of [
      ["GET", "/v1/telemetry/series"],
      ["GET", "/metrics"],
      ["GET", "/v1/me"],
      ["POST", "/v1/keys"],
    ] as const) {
      const response = await call(path, writerKey, { method, ...(method === "POST" ? { body: "{}" } : {}) });
      assert.equal(response.status, 403, `${method} ${path}: ${response.text}`);
      assert.match(response.json().detail, /role telemetry-writer may only call POST \/v1\/telemetry\/samples/);
    }
    // Token and Basic are for collectors' routes only: elsewhere only Bearer authenticates.
    const elsewhere = await fetch(`${url}/v1/telemetry/samples`, {
      method: "POST",
      headers: { authorization: `Token ${writerKey}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(elsewhere.status, 401);
  });
});

describe("Prometheus from Debian", () => {
  it("remote-writes its own scrapes to /api/v1/write with a telemetry-writer key", { timeout: 120_000 }, async (t) => {
    if (spawnSync("prometheus", ["--version"]).error !== undefined) {
      t.skip("prometheus is not installed: `apt-get install prometheus` (Debian) to run this test");
      return;
    }
    const credentials = join(directory, "writer-token");
    writeFileSync(credentials, `${writerKey}\n`, { mode: 0o600 });
    const port = await freePort();
    const config = join(directory, "prometheus.yml");
    writeFileSync(
      config,
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ["127.0.0.1:${port}"]
remote_write:
  - url: ${url}/api/v1/write
    authorization:
      type: Bearer
      credentials_file: ${credentials}
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
`,
    );
    let logs = "";
    const prometheus: ChildProcess = spawn(
      "prometheus",
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(directory, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stdout!.on("data", (chunk) => {
      logs += chunk;
    });
    prometheus.stderr!.on("data", (chunk) => {
      logs += chunk;
    });
    const exited = new Promise<void>((resolve) => prometheus.once("exit", () => resolve()));
    try {
      const deadline = Date.now() + 90_000;
      let up: Json | undefined;
      while (Date.now() < deadline) {
        if (prometheus.exitCode !== null) assert.fail(`prometheus exited:\n${logs}`);
        const answer = await call(
          "/v1/telemetry/series?name=up&name=prometheus_build_info&name=prometheus_http_request_duration_seconds_bucket",
          admin,
        );
        const list = answer.json() as unknown as Json[];
        up = list.find((entry) => entry.name === "up" && entry.labels.job === "self");
        const names = new Set(list.map((entry) => entry.name));
        if (up !== undefined && names.size === 3) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.ok(up !== undefined, `no up{job="self"} from Prometheus within 90 s:\n${logs}`);
      assert.equal(up.value, 1);
      assert.equal(up.labels.instance, `127.0.0.1:${port}`);
      // A histogram's buckets arrive as series with their le label.
      const buckets = await call("/v1/telemetry/series?name=prometheus_http_request_duration_seconds_bucket", admin);
      const bucketList = buckets.json() as unknown as Json[];
      assert.ok(
        bucketList.some((entry) => entry.labels.le === "+Inf"),
        buckets.text.slice(0, 500),
      );
      const counts = await call("/metrics?name=none", admin);
      assert.match(counts.text, /alixan_telemetry_samples_accepted_total\{source="remote-write"\} [1-9]/);
      assert.doesNotMatch(logs, /non-recoverable error/, "Prometheus had writes refused");
    } finally {
      prometheus.kill("SIGTERM");
      await exited;
    }
  });
});
