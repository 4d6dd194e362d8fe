import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SampleBuffer } from "../samples.ts";
import { SeriesRegistry } from "../series.ts";
import { RejectionList } from "../types.ts";
import { type ExpositionFormat, formatOfContentType, PrometheusParser } from "./prometheus.ts";

function parse(text: string, format: ExpositionFormat) {
  const registry = new SeriesRegistry();
  const parser = new PrometheusParser((name, labels) => registry.intern(name, labels));
  const out = new SampleBuffer(2);
  const rejections = new RejectionList();
  parser.parse(text, 7_000, {}, out, rejections, format);
  return {
    samples: Array.from({ length: out.count }, (_, i) => [
      registry.info(out.series[i]!)!.key,
      out.timestamps[i],
      out.values[i],
    ]),
    rejections: rejections.items.map((r) => `line ${r.line}: ${r.problem}`),
  };
}

describe("exposition formats", () => {
  it("tells OpenMetrics from Prometheus text by the Content-Type", () => {
    assert.equal(formatOfContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"), "openmetrics");
    assert.equal(formatOfContentType("text/plain; version=0.0.4"), "prometheus");
    assert.equal(formatOfContentType(undefined), "prometheus");
  });

  it("reads OpenMetrics timestamps as (fractional) seconds and drops exemplars", () => {
    const result = parse(
      'a 1.5 1700000000\nb_total 3 1700000000.25 \nc_bucket{le="1"} 4 # {trace_id="abc"} 0.67 1700000000.1\n# EOF\n',
      "openmetrics",
    );
    assert.deepEqual(result.rejections, []);
    assert.deepEqual(result.samples, [
      ["a", 1_700_000_000_000, 1.5],
      ["b_total", 1_700_000_000_250, 3],
      ['c_bucket{le="1"}', 7_000, 4],
    ]);
  });

  it("keeps Prometheus text timestamps in ms, and says how to send seconds", () => {
    const result = parse("a 1.5 1700000000000\nb 2 1700000000.5\n", "prometheus");
    assert.deepEqual(result.samples, [["a", 1_700_000_000_000, 1.5]]);
    assert.match(result.rejections[0]!, /line 2: .*integer of ms .*application\/openmetrics-text/);
  });

  it("refuses a malformed exemplar and a timestamp that is not a number, by line", () => {
    const result = parse("a 1 # trace\nb 1 soon\n", "openmetrics");
    assert.equal(result.samples.length, 0);
    assert.match(result.rejections[0]!, /line 1: an exemplar must look like/);
    assert.match(result.rejections[1]!, /line 2: timestamp "soon" must be a number of seconds/);
  });

  it("never throws and keeps every accepted timestamp in range (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.constantFrom<ExpositionFormat>("prometheus", "openmetrics"),
        (text, format) => {
          const result = parse(text, format);
          for (const [, timestamp, value] of result.samples) {
            assert.ok(Number(timestamp) >= 0 && Number(timestamp) <= 8.64e15);
            assert.ok(Number.isFinite(Number(value)));
          }
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 4e9, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (seconds, value) => {
          const result = parse(`m ${value} ${seconds}\n`, "openmetrics");
          assert.deepEqual(result.rejections, []);
          assert.equal(result.samples[0]![1], Math.round(seconds * 1000));
        },
      ),
    );
  });
});
