/**
 * Scrape access: the `metrics-reader` role reads /metrics and nothing else, and a real Prometheus (the Debian
 * `prometheus` package) scrapes a running platform with such a key given as `authorization.credentials_file`, as
 * docs/prometheus.md tells operators to. Skipped with a message when the binary is not installed (.ci/run installs it).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { staffKey } from "./support/api.ts";
import { freePort } from "./support/ports.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

let app: ComposedApp;
let url: string;
let admin: string;
let scrapeKey: string;
const directory = mkdtempSync(join(tmpdir(), "alixan-prometheus-"));

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
    features: defaultFeatures({ telemetryInMemory: true, demoLoad: 0.5 }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  admin = app.demoKeys!.find((key) => key.role === "platform-admin")!.token;
  scrapeKey = await staffKey(url, admin, "metrics-reader", "Prometheus");
});
after(async () => {
  await app.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("metrics-reader role", () => {
  it("reads /metrics", async () => {
    const metrics = await call("/metrics?name=none", scrapeKey);
    assert.equal(metrics.status, 200, metrics.text);
    assert.match(metrics.text, /^# TYPE process_cpu_seconds_total counter$/m);
    assert.match(metrics.text, /^alixan_scheduler_gpu_allocation_ratio /m);
  });

  it("is refused everything else, even routes that only need authentication", async () => {
    for (const [method, path] of [
      ["GET", "/v1/me"],
      ["GET", "/v1/site"],
      ["GET", "/v1/telemetry/series"],
      ["GET", "/v1/keys"],
      ["POST", "/v1/keys"],
      ["GET", "/v1/state/site"],
    ] as const) {
      const response = await call(path, scrapeKey, {
        method,
        ...(method === "POST" ? { body: JSON.stringify({ name: "more" }) } : {}),
      });
      assert.equal(response.status, 403, `${method} ${path}: ${response.text}`);
      assert.match(response.json().detail, /role metrics-reader may only call GET \/metrics/);
    }
  });

  it("cannot be given a tenant: it is a platform role", async () => {
    const response = await call("/v1/users", admin, {
      method: "POST",
      body: JSON.stringify({
        tenantId: "valdiag",
        name: "Scraper",
        email: "scraper@valdiag.example",
        role: "metrics-reader",
      }),
    });
    assert.equal(response.status, 400, response.text);
    assert.equal(response.json().errors?.[0]?.field, "body.tenantId");
    assert.match(response.json().detail, /role metrics-reader is for platform staff and takes no tenant/);
  });
});

describe("Prometheus from Debian", () => {
  it("scrapes alixan with a metrics-reader key from credentials_file (up == 1)", { timeout: 120_000 }, async (t) => {
    if (spawnSync("prometheus", ["--version"]).error !== undefined) {
      t.skip("prometheus is not installed: `apt-get install prometheus` (Debian) to run this test");
      return;
    }
    const credentials = join(directory, "alixan-token");
    writeFileSync(credentials, `${scrapeKey}\n`, { mode: 0o600 });
    const wrongCredentials = join(directory, "wrong-token");
    writeFileSync(wrongCredentials, "alx_000000000000_notavalidsecretnotavalidsecretnotav\n", { mode: 0o600 });
    const target = new URL(url).host;
    // Two jobs on the same target: the real key must scrape (up 1), a wrong key must not (up 0).
    const config = join(directory, "prometheus.yml");
    writeFileSync(
      config,
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: alixan
    metrics_path: /metrics
    params:
      name: [rack_power_kw]
    authorization:
      type: Bearer
      credentials_file: ${credentials}
    static_configs:
      - targets: ["${target}"]
  - job_name: alixan-wrong-key
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: ${wrongCredentials}
    static_configs:
      - targets: ["${target}"]
`,
    );
    const port = await freePort();
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
      const query = async (expression: string): Promise<Json[]> => {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expression)}`);
        const body = (await response.json()) as Json;
        return body.status === "success" ? (body.data.result as Json[]) : [];
      };
      const upOf = async (job: string) => {
        const result = await query(`up{job="${job}"}`).catch(() => []);
        return result[0]?.value?.[1] as string | undefined;
      };
      const deadline = Date.now() + 60_000;
      let up: string | undefined;
      let wrong: string | undefined;
      while (Date.now() < deadline) {
        if (prometheus.exitCode !== null) assert.fail(`prometheus exited:\n${logs}`);
        [up, wrong] = [await upOf("alixan"), await upOf("alixan-wrong-key")];
        if (up === "1" && wrong !== undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(up, "1", `alixan was not scraped within 60 s:\n${logs}`);
      assert.equal(wrong, "0", "a wrong key is refused, so authorization is really sent");
      // Prometheus parsed the platform's own series, labels included.
      const scrapes = await query('http_requests_total{job="alixan",route="/metrics",status="200"}');
      assert.ok(scrapes.length > 0 && Number(scrapes[0]!.value[1]) >= 1, JSON.stringify(scrapes));
      const ratio = await query('alixan_scheduler_gpu_allocation_ratio{job="alixan"}');
      assert.equal(ratio.length, 1, JSON.stringify(ratio));
    } finally {
      prometheus.kill("SIGTERM");
      await exited;
    }
  });
});
