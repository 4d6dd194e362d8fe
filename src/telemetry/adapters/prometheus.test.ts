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
      "line 8: the sample has no metric name (unquoted before the braces, or quoted first inside them)",
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

describe("Prometheus 3 quoted UTF-8 names", () => {
  it("reads a quoted metric name and quoted label names, stored with underscores escaping", () => {
    const { samples, rejections } = parse(
      [
        '{"my.metric", "label.x"="v", plain="p"} 1.5 1700000000000',
        'legacy_name{"http.status"="200"} 2',
        '{"only.name"} 3',
        '{"é.ü"} 4',
      ].join("\n"),
    );
    assert.deepEqual(rejections, []);
    assert.deepEqual(samples, [
      ['my_metric{label_x="v",plain="p"}', 1_700_000_000_000, 1.5],
      ['legacy_name{http_status="200"}', 7_000, 2],
      ["only_name", 7_000, 3],
      ["___", 7_000, 4],
    ]);
  });

  it("names the problem in malformed quoted names", () => {
    const { rejections } = parse(['{"a.b" x="1"} 1', '{""} 1', '{"open} 1', 'm{"k"} 1'].join("\n"));
    assert.deepEqual(rejections, [
      'line 1: "," or "}" expected after the metric name at column 8',
      "line 2: the quoted metric name at column 2 is empty",
      "line 3: a quoted string opened at column 2 has no closing quote",
      'line 4: "=" expected after label k',
    ]);
  });

  const quotedName = fc.string({ minLength: 1, maxLength: 10 });
  const quote = (text: string) => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

  it("parse(serialize(x)) == x for quoted names, label values, values and timestamps (5,000 cases)", () => {
    fc.assert(
      fc.property(
        quotedName,
        fc.dictionary(quotedName, fc.string({ maxLength: 12 }), { maxKeys: 4 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 8.64e15 }),
        (name, labels, value, timestamp) => {
          const legacy = (text: string) => {
            const cleaned = text.replace(/[^a-zA-Z0-9_]/g, "_");
            return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
          };
          const stored = Object.entries(labels).map(([key, text]) => [legacy(key), text] as const);
          fc.pre(new Set(stored.map(([key]) => key)).size === stored.length);
          fc.pre(stored.every(([key]) => !key.startsWith("__")));
          const pairs = Object.entries(labels).map(([key, text]) => `"${quote(key)}"="${quote(text)}"`);
          const valueText = Object.is(value, -0) ? "-0" : String(value);
          const line = `{${['"' + quote(name) + '"', ...pairs].join(", ")}} ${valueText} ${timestamp}`;
          const first = parse(line);
          assert.deepEqual(first.rejections, []);
          const [key, time, read] = first.samples[0]!;
          const info = first.registry.info(first.registry.idOf(key as string)!)!;
          assert.equal(info.name, name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/^([0-9])/, "_$1"));
          assert.deepEqual(info.labels, Object.fromEntries(stored));
          assert.ok(Object.is(read, value));
          assert.equal(time, timestamp);
        },
      ),
      { numRuns: 5_000, seed: 11 },
    );
  });

  it("a second pass over the same text, through the series cache, gives the same samples and rejections and interns nothing", () => {
    const alphabet = fc.constantFrom(...'ab.{}=",\\ #0123456789eE+-\tN'.split(""));
    const line = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 40 }),
      fc
        .tuple(
          fc.constantFrom('m{a="1"}', '{"x.y"}', "m", 'm{"k.v"="a\\"b"}'),
          fc.string({ unit: alphabet, maxLength: 20 }),
        )
        .map(([series, tail]) => `${series}${tail}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const registry = new SeriesRegistry();
        let interned = 0;
        const parser = new PrometheusParser((name, labels) => {
          interned++;
          return registry.intern(name, labels);
        });
        const text = lines.join("\n");
        const passes = [0, 1].map((pass) => {
          // The second pass finds every accepted series in the cache (the scan's hash is the cache key's): no intern.
          if (pass === 1) interned = 0;
          const out = new SampleBuffer(2);
          const rejections = new RejectionList();
          parser.parse(text, 5, {}, out, rejections);
          for (const rejection of rejections.items) {
            assert.ok(rejection.line !== undefined && rejection.line >= 1 && rejection.line <= lines.length);
          }
          return {
            samples: Array.from({ length: out.count }, (_, i) => [out.series[i], out.timestamps[i], out.values[i]]),
            rejections: rejections.items.map((item) => `${item.line}: ${item.problem}`),
          };
        });
        assert.deepEqual(passes[1], passes[0]);
        assert.equal(interned, 0, "a known series was looked up in vain");
      }),
      { numRuns: 5_000, seed: 5 },
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
      return undefined;
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
