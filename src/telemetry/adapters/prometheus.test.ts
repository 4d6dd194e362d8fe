import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import fc from "fast-check";
import { renderExposition } from "../export/exposition.ts";
import { SampleBuffer } from "../samples.ts";
import { SeriesRegistry } from "../series.ts";
import { RejectionList } from "../types.ts";
import { PrometheusParser, scrapeTarget } from "./prometheus.ts";

function parse(text: string, extra: Record<string, string> = {}) {
  const registry = new SeriesRegistry();
  const parser = new PrometheusParser((name, labels) => registry.intern(name, labels));
  const out = new SampleBuffer(2);
  const rejections = new RejectionList();
  parser.parse(text, 7_000, extra, out, rejections);
  return {
    registry,
    samples: Array.from({ length: out.count }, (_, i) => [
      registry.info(out.series[i]!)!.key,
      out.timestamps[i],
      out.values[i],
    ]),
    rejections: rejections.items.map((r) => `line ${r.line}: ${r.problem}`),
  };
}

describe("Prometheus exposition parser", () => {
  it("reads samples with labels, escapes, timestamps and OpenMetrics EOF", () => {
    const { samples, rejections } = parse(
      [
        "# HELP cdu_flow_lpm Flow.",
        "# TYPE cdu_flow_lpm gauge",
        'cdu_flow_lpm{cdu="cdu:h1-r01-01",note="a \\"quoted\\" \\\\ back\\nslash"} 42 1767225600000',
        "up 1",
        'http_requests_total{code="200",} 1.5e3',
        "# EOF",
        "ignored 1",
      ].join("\n"),
      { job: "node" },
    );
    assert.deepEqual(rejections, []);
    assert.deepEqual(samples, [
      ['cdu_flow_lpm{cdu="cdu:h1-r01-01",job="node",note="a \\"quoted\\" \\\\ back\\nslash"}', 1767225600000, 42],
      ['up{job="node"}', 7000, 1],
      ['http_requests_total{code="200",job="node"}', 7000, 1500],
    ]);
  });

  it("reports each malformed line with its number and keeps the rest", () => {
    const { samples, rejections } = parse(
      [
        "good 1",
        "bad{a=1} 2",
        'bad{a="1" 2',
        "bad 1 2 3",
        "bad notanumber",
        "nan_value NaN",
        "# TYPE x bogus",
        '{a="1"} 3',
        'dup{a="1",a="2"} 1',
        "good 2",
      ].join("\n"),
    );
    assert.deepEqual(
      samples.map((sample) => sample[2]),
      [1, 2],
    );
    assert.deepEqual(rejections, [
      "line 2: label a: the value must be in double quotes",
      'line 3: "," or "}" expected after label a',
      'line 4: unexpected text after the timestamp: "3"',
      'line 5: "notanumber" is not a number',
      "line 6: NaN is not stored (not finite)",
      'line 7: expected "# TYPE name counter|gauge|histogram|summary|untyped"',
      'line 8: a sample line must start with a metric name, not "{a=\\"1\\"} 3"',
      "line 9: label a appears twice",
    ]);
  });

  it("reads back what the exporter writes, for any label values (10,000 cases)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.double({ noNaN: true, noDefaultInfinity: true })), {
          minLength: 1,
          maxLength: 4,
        }),
        (entries) => {
          const text = renderExposition([
            {
              name: "m",
              help: "h\\e\nlp",
              type: "gauge",
              samples: entries.map(([value, number], i) => ({ labels: { l: value, i: String(i) }, value: number })),
            },
          ]);
          const { registry, samples, rejections } = parse(text);
          assert.deepEqual(rejections, []);
          assert.equal(samples.length, entries.length);
          entries.forEach(([value, number], i) => {
            const info = registry.info(registry.idOf(samples[i]![0] as string)!)!;
            assert.equal(info.labels["l"], value);
            // -0 prints as 0: compare with === rather than SameValue.
            assert.ok(samples[i]![2] === number);
          });
        },
      ),
      { numRuns: 10_000, seed: 7 },
    );
  });

  it("never throws on 10,000 random texts", () => {
    const registry = new SeriesRegistry();
    const parser = new PrometheusParser((name, labels) => registry.intern(name, labels));
    const alphabet = fc.constantFrom(...'ab_:{}=",\\n #0123456789.eE+-InfNaHELPTYPE\t'.split(""));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 120 }), fc.string({ maxLength: 120 })), (text) => {
        const out = new SampleBuffer(2);
        const rejections = new RejectionList();
        parser.parse(text, 1, {}, out, rejections);
        for (let i = 0; i < out.count; i++) assert.ok(Number.isFinite(out.values[i]!));
      }),
      { numRuns: 10_000, seed: 99 },
    );
  });
});

describe("Prometheus scrape", () => {
  it("scrapes a target, labels its series and records up = 1; a dead target gives up = 0", async () => {
    const server = createServer((_request, response) => {
      response
        .writeHead(200, { "content-type": "text/plain" })
        .end("# TYPE plant_power_kw gauge\nplant_power_kw 812.5\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const registry = new SeriesRegistry();
    const intern = (name: string, labels: Record<string, string>) => registry.intern(name, labels);
    const parser = new PrometheusParser(intern);
    const received: string[] = [];
    const sink = async (samples: SampleBuffer) => {
      for (let i = 0; i < samples.count; i++)
        received.push(`${registry.info(samples.series[i]!)!.key} ${samples.values[i]}`);
    };
    try {
      const status = await scrapeTarget({ url, labels: { equipment: "plant:h1" } }, parser, intern, sink, 1000);
      assert.equal(status.up, true);
      const instance = new URL(url).host;
      assert.deepEqual(received, [
        `plant_power_kw{equipment="plant:h1",instance="${instance}",job="prometheus"} 812.5`,
        `up{equipment="plant:h1",instance="${instance}",job="prometheus"} 1`,
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    received.length = 0;
    const dead = await scrapeTarget({ url, timeoutMs: 2000 }, parser, intern, sink, 2000);
    assert.equal(dead.up, false);
    assert.ok(dead.problem !== undefined);
    assert.match(received[0]!, / 0$/);
  });
});
