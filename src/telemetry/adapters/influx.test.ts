import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SampleBuffer } from "../samples.ts";
import { SeriesRegistry } from "../series.ts";
import { RejectionList } from "../types.ts";
import { InfluxParser } from "./influx.ts";

function parse(text: string, precision: "ns" | "us" | "ms" | "s" = "ns", now = 1_000) {
  const registry = new SeriesRegistry();
  const parser = new InfluxParser((name, labels) => registry.intern(name, labels));
  const out = new SampleBuffer(4);
  const rejections = new RejectionList();
  parser.parse(text, precision, now, out, rejections);
  const samples = Array.from({ length: out.count }, (_, i) => ({
    series: registry.info(out.series[i]!)!.key,
    timestamp: out.timestamps[i]!,
    value: out.values[i]!,
  }));
  return { samples, rejections };
}

describe("Influx line protocol", () => {
  it("maps measurement_field to series names and tags to labels, value fields to the bare name", () => {
    const { samples, rejections } = parse(
      "rack,rack=rack:h1-r01-01,hall=h1 power_kw=41.5,inlet_c=24i 1767225600000000000\ncdu_flow,cdu=cdu:h1-r01-01 value=42 1767225600000000000",
    );
    assert.equal(rejections.count, 0);
    assert.deepEqual(samples, [
      { series: 'rack_power_kw{hall="h1",rack="rack:h1-r01-01"}', timestamp: 1767225600000, value: 41.5 },
      { series: 'rack_inlet_c{hall="h1",rack="rack:h1-r01-01"}', timestamp: 1767225600000, value: 24 },
      { series: 'cdu_flow{cdu="cdu:h1-r01-01"}', timestamp: 1767225600000, value: 42 },
    ]);
  });

  it("reads every field type, escapes and precision", () => {
    const { samples, rejections } = parse(
      'm\\ x,t\\,a=v\\ 1,u=b\\=c f=-1.5e3,i=-7i,u=8u,b1=t,b2=FALSE,s="hi \\" there" 17',
      "s",
    );
    assert.equal(rejections.count, 1, "the string field is reported");
    assert.match(rejections.items[0]!.problem, /string values/);
    assert.deepEqual(
      samples.map((sample) => [sample.series, sample.value, sample.timestamp]),
      [
        ['m_x_f{t_a="v 1",u="b=c"}', -1500, 17_000],
        ['m_x_i{t_a="v 1",u="b=c"}', -7, 17_000],
        ['m_x_u{t_a="v 1",u="b=c"}', 8, 17_000],
        ['m_x_b1{t_a="v 1",u="b=c"}', 1, 17_000],
        ['m_x_b2{t_a="v 1",u="b=c"}', 0, 17_000],
      ],
    );
  });

  it("stamps points without a timestamp with the time of receipt, skips comments, blank lines and CRLF", () => {
    const { samples, rejections } = parse("# comment\r\n\r\nm f=1\r\n  m f=2 \n", "ns", 5_000);
    assert.equal(rejections.count, 0);
    assert.deepEqual(
      samples.map((sample) => [sample.value, sample.timestamp]),
      [
        [1, 5_000],
        [2, 5_000],
      ],
    );
  });

  it("accepts the good lines of a partially bad batch and names each bad line and field", () => {
    const text = [
      "ok,a=1 f=1 1000000",
      "no_fields",
      "bad,a=1 f=abc 1000000",
      "bad,a f=1",
      "ok,a=2 f=2 1000000",
      "ok,a=3 f=3 12x",
      "ok,a=4 f=1,=2",
      'ok,a=5 s="unterminated',
      "ok,a=6 f=6 1000000",
    ].join("\n");
    const { samples, rejections } = parse(text);
    assert.deepEqual(
      samples.map((sample) => sample.value),
      [1, 2, 6],
    );
    assert.deepEqual(
      rejections.items.map((rejection) => rejection.line),
      [2, 3, 4, 6, 7, 8],
    );
    assert.match(rejections.items[0]!.problem, /no fields/);
    assert.match(rejections.items[1]!.problem, /"abc" is not a number/);
    assert.match(rejections.items[2]!.problem, /tag "a" must be key=value/);
    assert.match(rejections.items[3]!.problem, /"12x" is not an integer timestamp/);
    assert.match(rejections.items[4]!.problem, /empty name/);
    assert.match(rejections.items[5]!.problem, /no closing quote/);
  });

  it("refuses hexadecimal, Infinity and blank numbers that Number() would accept", () => {
    for (const value of ["0x10", "Infinity", "1e", ".", "+", "1..2", "NaN"]) {
      const { samples, rejections } = parse(`m f=${value}`);
      assert.equal(samples.length, 0, value);
      assert.equal(rejections.count, 1, value);
    }
  });

  it("never throws and accounts for every line, on 10,000 random inputs", () => {
    const registry = new SeriesRegistry();
    const parser = new InfluxParser((name, labels) => registry.intern(name, labels));
    const alphabet = fc.constantFrom(...'ab=, \\"\n\r\t0123456789.eEiu-+#tfTF:_{}'.split(""));
    const lineLike = fc.oneof(
      fc.string({ unit: alphabet, maxLength: 80 }),
      fc.string({ maxLength: 60 }),
      fc
        .tuple(fc.string({ unit: alphabet, maxLength: 10 }), fc.string({ unit: alphabet, maxLength: 10 }), fc.double())
        .map(([m, t, v]) => `m${m},t=${t} f=${v} ${Math.floor(Math.abs(v))}`),
    );
    fc.assert(
      fc.property(fc.array(lineLike, { maxLength: 5 }), (lines) => {
        const out = new SampleBuffer(4);
        const rejections = new RejectionList();
        const text = lines.join("\n");
        parser.parse(text, "ns", 1, out, rejections);
        for (let i = 0; i < out.count; i++) {
          assert.ok(Number.isFinite(out.values[i]!));
          assert.ok(out.timestamps[i]! >= 0);
        }
        for (const rejection of rejections.items) {
          assert.ok(rejection.line !== undefined && rejection.line >= 1 && rejection.line <= text.split("\n").length);
          assert.ok(rejection.problem.length > 0);
        }
      }),
      { numRuns: 10_000, seed: 20260601 },
    );
  });

  it("gives the same samples from a warmed parser (field order memo) as from a fresh one, line by line", () => {
    const key = fc.constantFrom("a", "b", "ab", "a\\ b", "a\\=b", "a\\,b", "value");
    const line = fc
      .tuple(
        fc.constantFrom("m", "m,t=1", "m,t=2"),
        fc.array(fc.tuple(key, fc.constantFrom("1", "2.5", "-3i", "t", "=1")), { minLength: 1, maxLength: 4 }),
      )
      .map(([prefix, fields]) => `${prefix} ${fields.map(([k, v]) => `${k}=${v}`).join(",")} 5`);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
        const registry = new SeriesRegistry();
        const warmed = new InfluxParser((name, labels) => registry.intern(name, labels));
        for (const text of lines) {
          const fresh = new InfluxParser((name, labels) => registry.intern(name, labels));
          const results = [warmed, fresh].map((parser) => {
            const out = new SampleBuffer(2);
            const rejections = new RejectionList();
            parser.parse(text, "ns", 0, out, rejections);
            return {
              samples: [...out.series.subarray(0, out.count)].map((id, i) => [id, out.values[i]]),
              problems: rejections.items,
            };
          });
          assert.deepEqual(results[0], results[1], text);
        }
      }),
      { numRuns: 2000, seed: 8 },
    );
  });
});
