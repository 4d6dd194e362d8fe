import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SeriesRegistry } from "../series.ts";
import { decodeWriteRequest, snappyDecode, startReceiver } from "../testing/remote-write-receiver.ts";
import { renderExposition } from "./exposition.ts";
import { encodeLabels, encodeWriteRequest, RemoteWriter } from "./remote-write.ts";
import { snappyEncode } from "./snappy.ts";

describe("Prometheus exposition", () => {
  it("writes HELP and TYPE lines and escapes help text and label values", () => {
    const text = renderExposition([
      {
        name: "cdu_flow_lpm",
        help: 'Flow \\ of "coolant"\nper CDU.',
        type: "gauge",
        samples: [
          { labels: { cdu: "cdu:h1-r01-01", note: 'a "b" \\ c\nd' }, value: 42.5 },
          { value: Number.NaN },
          { labels: { x: "y" }, value: Number.NEGATIVE_INFINITY, timestamp: 1767225600000 },
        ],
      },
      { name: "alixan_empty", help: "Nothing yet.", type: "counter", samples: [] },
    ]);
    assert.equal(
      text,
      [
        '# HELP cdu_flow_lpm Flow \\\\ of "coolant"\\nper CDU.',
        "# TYPE cdu_flow_lpm gauge",
        'cdu_flow_lpm{cdu="cdu:h1-r01-01",note="a \\"b\\" \\\\ c\\nd"} 42.5',
        "cdu_flow_lpm NaN",
        'cdu_flow_lpm{x="y"} -Inf 1767225600000',
        "# HELP alixan_empty Nothing yet.",
        "# TYPE alixan_empty counter",
        "",
      ].join("\n"),
    );
  });
});

describe("snappy", () => {
  it("round-trips any bytes through an independent decoder (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc
            .array(fc.constantFrom("rack_power_kw", "{rack=", "h1-r07", "\u0000\u0001", "x"), { maxLength: 400 })
            .map((parts) => new TextEncoder().encode(parts.join(""))),
        ),
        (input) => {
          assert.deepEqual(snappyDecode(snappyEncode(input)), input);
        },
      ),
      { numRuns: 500, seed: 17 },
    );
  });

  it("compresses repetitive series data and handles long literals", () => {
    const repetitive = new TextEncoder().encode('rack_power_kw{rack="rack:h1-r07-012"} '.repeat(2000));
    const compressed = snappyEncode(repetitive);
    assert.ok(compressed.length < repetitive.length / 10, `${compressed.length} bytes from ${repetitive.length}`);
    const random = new Uint8Array(70_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 2_654_435_761) >>> 24;
    assert.deepEqual(snappyDecode(snappyEncode(random)), random);
  });
});

describe("remote write", () => {
  it("encodes a WriteRequest with sorted labels including __name__", () => {
    const bytes = encodeWriteRequest([
      {
        labels: encodeLabels("rack_power_kw", { rack: "rack:h1-r01-01", hall: "hall:h1" }),
        timestamps: [1000, 2000],
        values: [41.5, -3],
      },
    ]);
    assert.deepEqual(decodeWriteRequest(bytes), [
      {
        labels: { __name__: "rack_power_kw", hall: "hall:h1", rack: "rack:h1-r01-01" },
        samples: [
          { value: 41.5, timestamp: 1000 },
          { value: -3, timestamp: 2000 },
        ],
      },
    ]);
  });

  it("retries after two 503 answers and delivers snappy-compressed protobuf to a local receiver", async () => {
    const receiver = await startReceiver(2);
    const registry = new SeriesRegistry();
    const a = registry.intern("rack_power_kw", { rack: "rack:h1-r01-01" });
    const b = registry.intern("cdu_flow_lpm", { cdu: "cdu:h1-r01-01" });
    assert.ok(a.ok && b.ok);
    const writer = new RemoteWriter({ url: receiver.url, backoffMs: 10, attempts: 4, batchSamples: 2 }, registry);
    try {
      writer.enqueue(
        Uint32Array.of(a.value, b.value, a.value),
        Float64Array.of(1000, 1000, 11_000),
        Float64Array.of(41, 42, 43),
        3,
      );
      await writer.flush();
      assert.deepEqual(writer.counts, { sent: 3, failed: 0, dropped: 0, requests: 4 });
      assert.equal(receiver.headers[2]!["content-encoding"], "snappy");
      assert.equal(receiver.headers[2]!["x-prometheus-remote-write-version"], "0.1.0");
      assert.deepEqual(receiver.received.flat(), [
        { labels: { __name__: "rack_power_kw", rack: "rack:h1-r01-01" }, samples: [{ value: 41, timestamp: 1000 }] },
        { labels: { __name__: "cdu_flow_lpm", cdu: "cdu:h1-r01-01" }, samples: [{ value: 42, timestamp: 1000 }] },
        { labels: { __name__: "rack_power_kw", rack: "rack:h1-r01-01" }, samples: [{ value: 43, timestamp: 11_000 }] },
      ]);
    } finally {
      await writer.close();
      await receiver.close();
    }
  });

  const victoriaMetrics = "/usr/bin/victoria-metrics";
  it("is accepted by VictoriaMetrics (Debian package) on loopback", {
    skip: existsSync(victoriaMetrics)
      ? false
      : `${victoriaMetrics} is not installed (apt-get install victoria-metrics)`,
  }, async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, "127.0.0.1", () => {
        const found = (probe.address() as { port: number }).port;
        probe.close(() => resolve(found));
      });
    });
    const directory = mkdtempSync(join(tmpdir(), "alixan-vm-"));
    let server: ChildProcess | undefined;
    const base = `http://127.0.0.1:${port}`;
    try {
      server = spawn(
        victoriaMetrics,
        [
          `-httpListenAddr=127.0.0.1:${port}`,
          `-storageDataPath=${directory}`,
          "-retentionPeriod=100y",
          "-loggerLevel=ERROR",
        ],
        {
          stdio: "ignore",
        },
      );
      const deadline = Date.now() + 15_000;
      for (;;) {
        const healthy = await fetch(`${base}/health`).then(
          (response) => response.ok,
          () => false,
        );
        if (healthy) break;
        if (Date.now() > deadline) throw new Error("VictoriaMetrics did not start");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const registry = new SeriesRegistry();
      const series = registry.intern("alixan_test_power_kw", { rack: "rack:h1-r01-01" });
      assert.ok(series.ok);
      const writer = new RemoteWriter({ url: `${base}/api/v1/write`, attempts: 1 }, registry);
      const now = Math.floor(Date.now() / 1000) * 1000;
      writer.enqueue(
        Uint32Array.of(series.value, series.value),
        Float64Array.of(now - 10_000, now),
        Float64Array.of(41.5, 42.5),
        2,
      );
      await writer.flush();
      assert.equal(writer.counts.sent, 2, writer.lastProblem);
      await fetch(`${base}/internal/force_flush`);
      const exported = await (
        await fetch(`${base}/api/v1/export?match[]=${encodeURIComponent("alixan_test_power_kw")}`)
      ).text();
      const line = JSON.parse(exported.trim()) as {
        metric: Record<string, string>;
        values: number[];
        timestamps: number[];
      };
      assert.deepEqual(line.metric, { __name__: "alixan_test_power_kw", rack: "rack:h1-r01-01" });
      assert.deepEqual(line.values, [41.5, 42.5]);
      assert.deepEqual(line.timestamps, [now - 10_000, now]);
    } finally {
      if (server?.pid !== undefined) {
        const exited = new Promise((resolve) => server!.on("exit", resolve));
        process.kill(server.pid, "SIGTERM");
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
