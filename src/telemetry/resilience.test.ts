/**
 * Resilience of ingest without root: a failing log write (injected by making the segment file's writes fail with
 * ENOSPC, as a full disk does) and batches refused at a per-source limit leave no series behind — not in the
 * count, the listing, the per-source limit, the log or history — and the next accepted batch works. The real full
 * disk is test/disk-full.test.ts (needs root to mount a tmpfs).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Fastify from "fastify";
import { until } from "../../test/support/wait.ts";
import { registerTelemetryRoutes } from "./routes.ts";
import { SeriesRegistry } from "./series.ts";
import { type TelemetryOptions, TelemetryService } from "./service.ts";

const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** Makes every `FileHandle.writev` fail with ENOSPC while `full.on` is true (the log's only write call). */
async function diskSwitch(): Promise<{ on: boolean; restore: () => void }> {
  const probeDirectory = mkdtempSync(join(tmpdir(), "alixan-probe-"));
  directories.push(probeDirectory);
  const handle = await open(join(probeDirectory, "probe"), "w");
  const prototype = Object.getPrototypeOf(handle) as FileHandle;
  await handle.close();
  const original = prototype.writev;
  const state = {
    on: false,
    restore: () => {
      prototype.writev = original;
    },
  };
  prototype.writev = function (this: FileHandle, ...args: Parameters<FileHandle["writev"]>) {
    if (state.on) {
      return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
    }
    return original.apply(this, args);
  } as FileHandle["writev"];
  return state;
}

async function openService(options: TelemetryOptions): Promise<TelemetryService> {
  const opened = await TelemetryService.open({ flushIntervalMs: 3_600_000, onProblem: () => {}, ...options });
  assert.ok(opened.ok, opened.ok ? "" : opened.problem);
  return opened.value;
}

function names(service: TelemetryService): string[] {
  return service.series({}).map((series) => series.info.key);
}

describe("refused batches leave no series", () => {
  it("a failed log write creates no series; the next batch is accepted and a restart replays only what was", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-refused-"));
    directories.push(directory);
    const now = Date.now();
    const disk = await diskSwitch();
    try {
      let service = await openService({ dataDirectory: directory, maxSeriesPerSource: 4 });
      const first = await service.ingestInflux(`before,equipment=a value=1 ${now - 5000}`, "ms", "key:k1");
      assert.equal(first.accepted, 1);
      assert.deepEqual(names(service), ['before{equipment="a"}']);

      disk.on = true;
      const refused = await service.ingestInflux(
        `lost,equipment=a value=1,other=2 ${now - 4000}\nbefore,equipment=a value=3 ${now - 4000}`,
        "ms",
        "key:k1",
      );
      assert.equal(refused.accepted, 0);
      assert.match(refused.rejected.at(-1)!.problem, /not stored, retry later: .*ENOSPC/);
      assert.equal(service.registry.size, 1, "no series from the refused batch");
      assert.deepEqual(names(service), ['before{equipment="a"}']);
      assert.match(service.renderMetrics(["none"]).body, /^alixan_telemetry_series 1$/m);
      // Prometheus text of the same series the refused batch made: its parser cache must not keep the withdrawn id.
      const refusedText = await service.ingestPrometheusText(`lost_text{equipment="a"} 1 ${now - 4000}`, {}, "key:k1");
      assert.equal(refusedText.accepted, 0);
      assert.equal(service.registry.size, 1);

      disk.on = false;
      // The key's limit of 4 series was not used up by the refused batches (3 new series would have counted).
      const resumed = await service.ingestInflux(
        `fresh,equipment=a value=5,other=6,third=7 ${now - 3000}\nbefore,equipment=a value=8 ${now - 3000}`,
        "ms",
        "key:k1",
      );
      assert.equal(resumed.accepted, 4, JSON.stringify(resumed));
      assert.equal(resumed.seriesLimited, undefined);
      const again = await service.ingestPrometheusText(`lost_text{equipment="a"} 2 ${now - 2000}`, {}, "key:k2");
      assert.equal(again.accepted, 1, JSON.stringify(again));
      assert.equal(service.registry.size, 5);
      const hot = await service.query({ selector: { names: ["lost_text"] }, from: now - 10_000, to: now });
      assert.ok(hot.ok);
      assert.deepEqual(hot.value.frames[0]?.values, [2]);
      await service.close();

      service = await openService({ dataDirectory: directory });
      try {
        assert.deepEqual(names(service).sort(), [
          'before{equipment="a"}',
          'fresh_other{equipment="a"}',
          'fresh_third{equipment="a"}',
          'fresh{equipment="a"}',
          'lost_text{equipment="a"}',
        ]);
        const stored = await service.query({
          selector: { names: ["before", "fresh_third", "lost_text", "lost", "lost_other"] },
          from: now - 10_000,
          to: now,
        });
        assert.ok(stored.ok, stored.ok ? "" : stored.problem);
        const values = Object.fromEntries(stored.value.frames.map((frame) => [frame.name, frame.values]));
        assert.deepEqual(values, {
          'before{equipment="a"}': [1, 8],
          'fresh_third{equipment="a"}': [7],
          'lost_text{equipment="a"}': [2],
        });
        // The ids of withdrawn series stay holes after a restart; new series take fresh ids and survive another.
        const later = await service.ingestInflux(`newer value=9 ${now - 1000}`, "ms");
        assert.equal(later.accepted, 1);
      } finally {
        await service.close();
      }
      service = await openService({ dataDirectory: directory });
      try {
        assert.equal(service.registry.size, 6);
        assert.equal(service.series({ names: ["newer"] }).length, 1);
      } finally {
        await service.close();
      }
    } finally {
      disk.restore();
    }
  });

  it("a batch refused at a limit leaves the series count, listing and the sender's series limit unchanged", async () => {
    let clock = 1_000_000;
    const service = await openService({
      maxSeriesPerSource: 3,
      limits: { newSeriesPerBatch: 2, samplesPerSecond: 10, burstSamples: 100 },
      now: () => clock,
    });
    try {
      const tooMany = await service.ingestInflux("m a=1,b=2,c=3", "ms", "key:k1");
      assert.equal(tooMany.accepted, 0);
      assert.equal(tooMany.limit?.limit, "limits.newSeriesPerBatch");
      assert.equal(tooMany.limit?.status, 413);
      assert.equal(service.registry.size, 0);
      assert.deepEqual(names(service), []);
      // The same key may still create its 3 series (2, then 1), the refused batch having used none of them.
      assert.equal((await service.ingestInflux("m a=1,b=2", "ms", "key:k1")).accepted, 2);
      assert.equal((await service.ingestInflux("m c=3", "ms", "key:k1")).accepted, 1);
      assert.equal(service.registry.size, 3);

      // Rate: the bucket holds 100 samples and refills at 10/s.
      const lines = (count: number, name: string) =>
        Array.from({ length: count }, (_, i) => `${name} value=${i} ${clock + i}`).join("\n");
      const burst = await service.ingestInflux(lines(101, "burst"), "ms", "key:k2");
      assert.equal(burst.limit?.limit, "limits.burstSamples");
      assert.equal(burst.limit?.status, 413);
      assert.equal((await service.ingestInflux(lines(80, "r"), "ms", "key:k2")).accepted, 80);
      const fast = await service.ingestInflux(lines(30, "s"), "ms", "key:k2");
      assert.equal(fast.accepted, 0);
      assert.deepEqual(
        { limit: fast.limit?.limit, status: fast.limit?.status, retry: fast.limit?.retryAfterSeconds },
        { limit: "limits.samplesPerSecond", status: 429, retry: 1 },
      );
      assert.equal(service.series({ names: ["s"] }).length, 0, "the refused batch made no series");
      // Another source has its own bucket.
      assert.equal((await service.ingestInflux(lines(30, "s"), "ms", "key:k3")).accepted, 30);
      clock += 1000;
      assert.equal((await service.ingestInflux(lines(30, "t"), "ms", "key:k2")).accepted, 30);
      assert.match(
        service.renderMetrics(["none"]).body,
        /alixan_telemetry_batches_limited_total\{limit="limits.samplesPerSecond"\} 1/,
      );
    } finally {
      await service.close();
    }
  });

  it("answers limit refusals with 413/429 problems naming the limit on every push route", async () => {
    const service = await openService({ limits: { newSeriesPerBatch: 1, samplesPerSecond: 1, burstSamples: 3 } });
    const app = Fastify();
    registerTelemetryRoutes(app, service);
    await app.ready();
    try {
      const cases = [
        { url: "/v1/telemetry/influx?precision=ms", payload: "m a=1,b=2", limit: "limits.newSeriesPerBatch" },
        { url: "/write?precision=ms", payload: "m a=1,b=2", limit: "limits.newSeriesPerBatch" },
        { url: "/v1/telemetry/prometheus", payload: "a 1\nb 2", limit: "limits.newSeriesPerBatch" },
        { url: "/v1/telemetry/influx", payload: "m a=1\nm a=2\nm a=3\nm a=4", limit: "limits.burstSamples" },
      ];
      for (const item of cases) {
        const response = await app.inject({
          method: "POST",
          url: item.url,
          headers: { "content-type": "text/plain" },
          payload: item.payload,
        });
        assert.equal(response.statusCode, 413, `${item.url}: ${response.body}`);
        assert.equal(response.headers["content-type"], "application/problem+json; charset=utf-8");
        assert.equal(response.json().limit, item.limit);
        assert.match(response.json().detail, new RegExp(`^${item.limit.replace(".", "\\.")}: `));
      }
      const json = await app.inject({
        method: "POST",
        url: "/v1/telemetry/samples",
        payload: { samples: [{ name: "j", value: 1 }] },
      });
      assert.equal(json.statusCode, 200);
      const more = await app.inject({
        method: "POST",
        url: "/v1/telemetry/samples",
        payload: { samples: [1, 2, 3].map((value) => ({ name: "j", value, timestamp: Date.now() - value })) },
      });
      assert.equal(more.statusCode, 429, more.body);
      assert.equal(more.json().limit, "limits.samplesPerSecond");
      assert.ok(Number(more.headers["retry-after"]) >= 1);
      assert.equal(service.registry.size, 1);
    } finally {
      await app.close();
      await service.close();
    }
  });
});

describe("pollers and scrapes are sources with limits", () => {
  it("a scrape over a source limit stores only up = 0 and names the limit; a body over its size limit fails unread", async () => {
    let body = "a 1\n";
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const problems: string[] = [];
    const service = await openService({
      limits: { newSeriesPerBatch: 3 },
      onProblem: (message) => problems.push(message),
      prometheus: {
        intervalMs: 100,
        // One host for both: a label keeps their `up` series apart.
        targets: [
          { url, labels: { target: "small" } },
          { url: `${url}?big`, labels: { target: "big" }, bodySizeLimitBytes: 1024 },
        ],
      },
    });
    const scrapeOf = (target: string) => service.status().prometheus.find((status) => status.url === target);
    try {
      await until("a first scrape of both targets", () => (scrapeOf(url) && scrapeOf(`${url}?big`) ? true : undefined));
      await until("the small target up", () => (scrapeOf(url)?.up === true ? true : undefined));
      // An exporter that suddenly lists ten new series, with a label that changes every scrape.
      body = Array.from({ length: 10 }, (_, index) => `runaway{n="${index}"} ${index}`).join("\n");
      const down = await until("the target down at the limit", () => {
        const status = scrapeOf(url);
        return status?.up === false ? status : undefined;
      });
      assert.match(down.problem ?? "", /limits\.newSeriesPerBatch: the batch would create 1\d new series/);
      assert.deepEqual(
        names(service).filter((name) => name.startsWith("runaway")),
        [],
        "no series of the refused scrape is kept",
      );
      // The refused scrape's own batch is dropped, but its `up` = 0 is stored alone (it was 1 before).
      const up = await until("up = 0 stored for the refused target", () =>
        service
          .series({ names: ["up"] })
          .find((series) => series.info.key.includes('target="small"') && series.value === 0),
      );
      assert.ok(up.timestamp !== undefined);
      assert.ok(
        problems.some((problem) => problem.startsWith(`prometheus:${url}: batch of `)),
        problems.join("\n"),
      );
      // The second target's body is 1 KiB and more: refused before it is read.
      body = `big ${"1".repeat(2048)}\n`;
      const big = await until("the big target down", () => {
        const status = scrapeOf(`${url}?big`);
        return status?.up === false && status.problem?.includes("bodySizeLimitBytes") ? status : undefined;
      });
      assert.match(big.problem ?? "", /larger than bodySizeLimitBytes \(1024\)/);
    } finally {
      await service.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("series registry withdrawal", () => {
  it("withdraws series out of counts and selections, revives a held id, and restores around holes", () => {
    const registry = new SeriesRegistry({ maxSeriesPerSource: 2 });
    const { created } = registry.withSource("s", () => {
      registry.intern("a", { rack: "r1" });
      registry.intern("b", { rack: "r1" });
    });
    assert.deepEqual(created, [0, 1]);
    assert.equal(registry.withdraw([1], "s"), 1);
    assert.equal(registry.size, 1);
    assert.equal(registry.idBound, 2);
    assert.deepEqual(registry.select({ rack: "r1" }), [0]);
    assert.equal(registry.idOf('b{rack="r1"}'), undefined);
    // The source has room again; the withdrawn key gets a new id if interned anew.
    const again = registry.withSource("s", () => registry.intern("c", {}));
    assert.deepEqual(again.created, [2]);
    assert.equal(registry.revive(1), 1, "a batch holding id 1 brings it back");
    assert.deepEqual(registry.select({ rack: "r1" }), [0, 1]);
    assert.equal(registry.withdraw([2], "s"), 1);
    registry.forgetWithdrawn();
    assert.equal(registry.revive(2), undefined, "forgotten: the holder must drop its samples");

    const restored = new SeriesRegistry();
    assert.ok(restored.restore(0, "a", {}).ok);
    assert.ok(restored.restore(3, "d", {}).ok, "ids past holes");
    assert.ok(restored.restore(1, "b", {}).ok, "a hole filled later (a revived series logged after newer ones)");
    assert.equal(restored.restore(3, "e", {}).ok, false);
    assert.deepEqual(restored.select({}), [0, 1, 3]);
  });
});
