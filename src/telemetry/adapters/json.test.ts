import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SampleBuffer } from "../samples.ts";
import { SeriesRegistry } from "../series.ts";
import { RejectionList } from "../types.ts";
import { decodeJsonBatch } from "./json.ts";

function decode(body: unknown, now = 9_000) {
  const registry = new SeriesRegistry();
  const out = new SampleBuffer(2);
  const rejections = new RejectionList();
  decodeJsonBatch(body, now, (name, labels) => registry.intern(name, labels), out, rejections);
  const samples = Array.from({ length: out.count }, (_, i) => [
    registry.info(out.series[i]!)!.key,
    out.timestamps[i],
    out.values[i],
  ]);
  return { samples, rejections: rejections.items.map((r) => `${r.path}: ${r.problem}`) };
}

describe("JSON batches", () => {
  it("reads samples and columnar frames, with ms or RFC 3339 times and receipt time by default", () => {
    const { samples, rejections } = decode({
      samples: [
        { name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: 41.5, timestamp: 1_000 },
        { name: "rack_power_kw", labels: { rack: "rack:h1-r01-02" }, value: 40, timestamp: "1970-01-01T00:00:02Z" },
        { name: "site_pue", value: 1.08 },
      ],
      frames: [{ name: "cdu_flow_lpm", labels: { cdu: "cdu:h1-r01-01" }, timestamps: [1, 2], values: [10, 11] }],
    });
    assert.deepEqual(rejections, []);
    assert.deepEqual(samples, [
      ['rack_power_kw{rack="rack:h1-r01-01"}', 1000, 41.5],
      ['rack_power_kw{rack="rack:h1-r01-02"}', 2000, 40],
      ["site_pue", 9000, 1.08],
      ['cdu_flow_lpm{cdu="cdu:h1-r01-01"}', 1, 10],
      ['cdu_flow_lpm{cdu="cdu:h1-r01-01"}', 2, 11],
    ]);
  });

  it("keeps the good samples of a partially bad batch and names the path of each bad one", () => {
    const { samples, rejections } = decode({
      samples: [
        { name: "ok", value: 1 },
        { name: "ok", value: "1" },
        { name: "bad name", value: 1 },
        { name: "ok", labels: { rack: 7 }, value: 1 },
        { name: "ok", value: 1, timestamp: "yesterday" },
        { name: "ok", vaule: 1, value: 2 },
        { name: "ok", value: Number.NaN },
        null,
        { name: "ok", value: 3 },
      ],
      frames: [
        { name: "f", timestamps: [1], values: [1, 2] },
        { name: "g", values: [1, "x", 3] },
      ],
      extra: true,
    });
    assert.deepEqual(
      samples.map((sample) => sample[2]),
      [1, 3, 1, 3],
    );
    assert.deepEqual(rejections, [
      'extra: unknown field (expected "samples" or "frames")',
      'samples[1].value: must be a finite number, not the string "1"',
      'samples[2]: series name "bad name" must match [a-zA-Z_:][a-zA-Z0-9_:]*',
      "samples[3].labels.rack: must be a string, not 7",
      'samples[4].timestamp: must be ms since the epoch or RFC 3339 text, not the string "yesterday"',
      "samples[5].vaule: unknown field (expected name, labels, value, timestamp)",
      "samples[6].value: must be a finite number, not NaN",
      "samples[7]: must be an object, not null",
      "frames[0].timestamps: has 1 entries but values has 2",
      'frames[1].values[1]: must be a finite number, not the string "x"',
    ]);
  });

  it("rejects bodies of the wrong shape with one clear message", () => {
    assert.deepEqual(decode([1, 2]).rejections, [
      'body: must be an object with "samples" and/or "frames", not an array',
    ]);
    assert.deepEqual(decode({}).rejections, ['body: has neither "samples" nor "frames"']);
    assert.deepEqual(decode({ samples: {} }).rejections, ["samples: must be an array, not an object"]);
  });

  it("never throws on 10,000 random JSON values and bodies", () => {
    const registry = new SeriesRegistry();
    const sample = fc.record(
      {
        name: fc.oneof(
          fc.constantFrom("rack_power_kw", "m", "bad name", ""),
          fc.string({ maxLength: 8 }),
          fc.integer(),
        ),
        labels: fc.oneof(
          fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer())),
          fc.jsonValue(),
        ),
        value: fc.oneof(fc.double(), fc.string({ maxLength: 4 }), fc.constant(null)),
        timestamp: fc.oneof(
          fc.integer(),
          fc.double(),
          fc.string({ maxLength: 25 }),
          fc.date({ noInvalidDate: false }).map(String),
        ),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ samples: fc.array(fc.oneof(sample, fc.jsonValue()), { maxLength: 6 }) }, { requiredKeys: [] }),
      fc.record({ frames: fc.array(fc.jsonValue(), { maxLength: 3 }), samples: fc.jsonValue() }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(body, (value) => {
        const out = new SampleBuffer(2);
        const rejections = new RejectionList();
        decodeJsonBatch(value, 5, (name, labels) => registry.intern(name, labels), out, rejections);
        for (let i = 0; i < out.count; i++) assert.ok(Number.isFinite(out.values[i]!));
        for (const rejection of rejections.items) assert.ok(rejection.path.length > 0 && rejection.problem.length > 0);
      }),
      { numRuns: 10_000, seed: 424242 },
    );
  });
});
