import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseTelemetryConfig } from "../../config.ts";
import { decodeModbusConfig, decodeWords, planReads, type RegisterPoint } from "./registers.ts";

function wordsOf(bytes: DataView): [number, number] {
  return [bytes.getUint16(0), bytes.getUint16(2)];
}

describe("Modbus register decoding", () => {
  it("decodes 16-bit values, signed and unsigned", () => {
    assert.equal(decodeWords([0xfff4], "int16", "big"), -12);
    assert.equal(decodeWords([0xfff4], "uint16", "big"), 65_524);
    assert.equal(decodeWords([0x7fff], "int16", "big"), 32_767);
    assert.equal(decodeWords([0x8000], "int16", "big"), -32_768);
    assert.equal(decodeWords([2], "bool", "big"), 1);
  });

  it("decodes 32-bit values in both word orders (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.float({ noNaN: true }), (int, float) => {
        const view = new DataView(new ArrayBuffer(4));
        view.setInt32(0, int);
        const [high, low] = wordsOf(view);
        assert.equal(decodeWords([high, low], "int32", "big"), int);
        assert.equal(decodeWords([low, high], "int32", "little"), int);
        assert.equal(decodeWords([high, low], "uint32", "big"), int >>> 0);
        view.setFloat32(0, float);
        const [fh, fl] = wordsOf(view);
        assert.ok(Object.is(decodeWords([fh, fl], "float32", "big"), Math.fround(float)));
        assert.ok(Object.is(decodeWords([fl, fh], "float32", "little"), Math.fround(float)));
      }),
    );
  });
});

describe("Modbus read planning", () => {
  const point = (fn: RegisterPoint["function"], address: number, type: RegisterPoint["type"]): RegisterPoint => ({
    metric: `m_${fn}_${address}`,
    function: fn,
    address,
    type,
    wordOrder: "big",
    scale: 1,
    offset: 0,
    labels: {},
  });

  it("joins neighbours of a table across small gaps, never across tables or past the request limit", () => {
    const blocks = planReads([
      point("input", 0, "float32"),
      point("input", 4, "uint16"),
      point("input", 30, "int32"),
      point("holding", 0, "uint16"),
      point("coil", 0, "bool"),
      // A chain of points 8 registers apart: joined, but split where one read would pass 120 registers.
      ...Array.from({ length: 18 }, (_, index) => point("input", 200 + index * 8, "uint16")),
    ]);
    const summary = blocks.map((block) => `${block.function}:${block.address}+${block.count}`);
    assert.deepEqual(summary, ["holding:0+1", "input:0+5", "input:30+2", "input:200+113", "input:320+17", "coil:0+1"]);
    for (const block of blocks) assert.ok(block.count <= 125);
  });

  it("covers every point exactly once (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            fn: fc.constantFrom("holding" as const, "input" as const),
            address: fc.integer({ min: 0, max: 2000 }),
            type: fc.constantFrom("uint16" as const, "float32" as const),
          }),
          { maxLength: 60 },
        ),
        (items) => {
          const points = items.map((item) => point(item.fn, item.address, item.type));
          const blocks = planReads(points);
          const covered = blocks.flatMap((block) => block.points);
          assert.equal(covered.length, points.length);
          for (const block of blocks) {
            assert.ok(block.count <= 120);
            for (const p of block.points) {
              assert.equal(p.function, block.function);
              assert.ok(p.address >= block.address);
              assert.ok(p.address + (p.type === "float32" ? 2 : 1) <= block.address + block.count);
            }
          }
        },
      ),
    );
  });
});

describe("Modbus configuration", () => {
  it("names every problem of shape by its path, then the rules between fields of a well-formed section", () => {
    const shape = parseTelemetryConfig(`
modbus:
  models:
    cdu:
      - { metric: ok_metric, function: input, address: 0, type: float32 }
      - { metric: "bad name", function: input, address: 1, type: float64, wordOrder: middle }
  devices:
    - { name: a, host: 10.0.0.1, model: cdu, unitId: 300 }
    - { name: b, host: "bad host!", model: cdu, colour: red }
`);
    assert.ok(!shape.ok);
    assert.deepEqual(shape.problem.split("\n"), [
      'modbus.models.cdu[1].metric: expected a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got "bad name"',
      'modbus.models.cdu[1].type: must be one of: int16, uint16, int32, uint32, float32, bool; got "float64" (did you mean "float32"?)',
      'modbus.models.cdu[1].wordOrder: must be one of: big, little; got "middle"',
      "modbus.devices[0].unitId: must be at most 255, got 300",
      'modbus.devices[1].colour: unknown field "colour" (expected one of name, host, port, unitId, model, equipment, labels, intervalSeconds, timeoutSeconds, staleAfterSeconds, maxBackoffSeconds)',
      'modbus.devices[1].host: expected a host name or IP address, got "bad host!"',
    ]);
    const rules = parseTelemetryConfig(`
modbus:
  models:
    cdu:
      - { metric: ok_metric, function: input, address: 0, type: float32 }
      - { metric: leak, function: coil, address: 0, type: uint16 }
      - { metric: far, function: holding, address: 65535, type: uint32 }
      - { metric: untyped, function: input, address: 9 }
  devices:
    - { name: a, host: 10.0.0.1, model: nope }
    - { name: b, host: 10.0.0.2, model: cdu, intervalSeconds: 1, timeoutSeconds: 2 }
    - { name: b, host: 10.0.0.3, model: cdu, intervalSeconds: 10, staleAfterSeconds: 10 }
`);
    assert.ok(!rules.ok);
    assert.deepEqual(rules.problem.split("\n"), [
      "modbus.models.cdu[1].type: coils and discrete inputs are bool; registers are int16, uint16, int32, uint32 or float32",
      "modbus.models.cdu[2].address: the value runs past register 65535",
      "modbus.models.cdu[3].type: required for registers: int16, uint16, int32, uint32 or float32",
      "modbus.devices[0].model: must name a model under modbus.models (cdu)",
      "modbus.devices[1].timeoutSeconds: must not exceed intervalSeconds (1)",
      "modbus.devices[2].name: b is used twice",
      "modbus.devices[2].staleAfterSeconds: must exceed intervalSeconds (10)",
    ]);
  });

  it("decodes a device with its model's points and defaults", () => {
    const result = decodeModbusConfig({
      models: { cdu: [{ metric: "cdu_pump_state", function: "holding", address: 0, type: "uint16" }] },
      devices: [{ name: "cdu-1", host: "10.0.0.1", model: "cdu", equipment: "cdu:h1-r01-01" }],
    });
    assert.ok(result.ok, result.ok ? "" : result.problem);
    const [device] = result.value;
    assert.equal(device!.port, 502);
    assert.equal(device!.unitId, 1);
    assert.equal(device!.intervalMs, 10_000);
    assert.equal(device!.staleAfterMs, 35_000);
    assert.equal(device!.points[0]!.wordOrder, "big");
  });
});
