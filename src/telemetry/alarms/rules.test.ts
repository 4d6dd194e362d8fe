import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../../model/load.ts";
import { HotStore } from "../hot-store.ts";
import { SeriesRegistry } from "../series.ts";
import { indexSite } from "../site-index.ts";
import type { Labels } from "../types.ts";
import { AlarmBook } from "./book.ts";
import { mapRedfishMessage } from "./redfish-messages.ts";
import { type AlarmRule, decodeRules, RuleEngine } from "./rules.ts";

const site = indexSite(loadSite("lab").site!);

function harness(rules: unknown) {
  const decoded = decodeRules(rules);
  assert.ok(decoded.ok, decoded.ok ? "" : decoded.problem);
  const registry = new SeriesRegistry({ site });
  const hot = new HotStore(64);
  const book = new AlarmBook({ site });
  const engine = new RuleEngine(decoded.value as AlarmRule[], { registry, hot, book, site }, 0);
  const send = (name: string, labels: Labels, timestamp: number, value: number): void => {
    const id = registry.intern(name, labels);
    assert.ok(id.ok);
    hot.append(id.value, timestamp, value);
    engine.evaluate(Uint32Array.of(id.value), Float64Array.of(timestamp), Float64Array.of(value), 1);
  };
  return { book, engine, send };
}

const cdu = { equipment: "cdu:h1-r02-01", loop: "secondary" };

describe("alarm rules", () => {
  it("threshold levels raise, escalate and clear with hysteresis", () => {
    const { book, send } = harness([
      {
        id: "supply",
        kind: "threshold",
        title: "CDU supply temperature",
        series: "coolant_supply_temperature_celsius",
        labels: { loop: "secondary" },
        above: [
          { severity: "critical", value: 50, clear: 48 },
          { severity: "warning", value: 45, clear: 44 },
        ],
      },
    ]);
    const severities: (string | undefined)[] = [];
    for (const [t, value] of [44, 45.5, 44.5, 50.5, 49, 47, 44.5, 43.9].entries()) {
      send("coolant_supply_temperature_celsius", cdu, t * 10_000, value);
      severities.push(book.list()[0]?.severity);
    }
    assert.deepEqual(severities, [
      undefined,
      "warning",
      "warning",
      "critical",
      "critical",
      "warning",
      "warning",
      undefined,
    ]);
    send("coolant_supply_temperature_celsius", { ...cdu, loop: "primary" }, 100_000, 60);
    assert.equal(book.list().length, 0, "the labels filter keeps the primary loop out");
    const cleared = book.list({ state: "cleared" })[0]!;
    assert.deepEqual(cleared.rows, ["row:h1-r02"]);
    assert.match(cleared.message, /back to 43.9/);
  });

  it("threshold dwell time, below limits and rate of change", () => {
    const { book, send } = harness([
      {
        id: "flow",
        kind: "threshold",
        series: "coolant_flow_lpm",
        below: [{ severity: "warning", value: 20, clear: 25 }],
        forSeconds: 30,
      },
      {
        id: "rise",
        kind: "rate",
        series: "coolant_return_temperature_celsius",
        windowSeconds: 60,
        risePerMinute: 2,
        severity: "critical",
      },
    ]);
    send("coolant_flow_lpm", cdu, 0, 10);
    send("coolant_flow_lpm", cdu, 20_000, 10);
    assert.equal(book.list().length, 0, "not yet 30 s below");
    send("coolant_flow_lpm", cdu, 30_000, 10);
    assert.equal(book.list()[0]!.source, "flow");
    send("coolant_flow_lpm", cdu, 40_000, 22);
    assert.equal(book.list().length, 1, "22 is not above the clearing value 25");
    send("coolant_flow_lpm", cdu, 50_000, 26);
    assert.equal(book.list().length, 0);

    for (const [t, value] of [
      [0, 40],
      [30_000, 40.5],
      [60_000, 41],
      [90_000, 44],
    ] as const) {
      send("coolant_return_temperature_celsius", cdu, t, value);
    }
    const [rise] = book.list();
    assert.equal(rise!.severity, "critical");
    assert.match(rise!.message, /rising 3.5\/min, limit 2\/min/);
    send("coolant_return_temperature_celsius", cdu, 150_000, 44.2);
    assert.equal(book.list().length, 0);
  });

  it("staleness raises after the limit and clears when data comes back", () => {
    const { book, engine, send } = harness([
      { id: "silent", kind: "stale", series: "rack_power_kw", afterSeconds: 60 },
    ]);
    send("rack_power_kw", { rack: "rack:h1-r01-01" }, 0, 40);
    engine.tick(30_000);
    assert.equal(book.list().length, 0);
    engine.tick(61_000);
    const [alarm] = book.list();
    assert.equal(alarm!.equipment, "rack:h1-r01-01");
    assert.match(alarm!.message, /no data from rack_power_kw\{rack="rack:h1-r01-01"\} for 61 s/);
    send("rack_power_kw", { rack: "rack:h1-r01-01" }, 62_000, 40);
    engine.tick(63_000);
    assert.equal(book.list().length, 0);
  });

  it("capacity headroom from the site model (a CDU's cooling capacity)", () => {
    const { book, send } = harness([
      {
        id: "cdu-headroom",
        kind: "capacity",
        series: "heat_removed_kw",
        capacity: "cooling",
        marginPercent: 10,
        severity: "warning",
      },
    ]);
    send("heat_removed_kw", cdu, 0, 700);
    assert.equal(book.list().length, 0);
    send("heat_removed_kw", cdu, 1000, 730);
    const [alarm] = book.list();
    assert.match(alarm!.message, /cdu:h1-r02-01 at 730 kW of 800 kW, headroom 8.75 % under the 10 % margin/);
    send("heat_removed_kw", cdu, 2000, 710);
    assert.equal(book.list().length, 1, "inside the hysteresis band");
    send("heat_removed_kw", cdu, 3000, 690);
    assert.equal(book.list().length, 0);
  });

  it("built-in style state rules map leak detector states to severities", () => {
    const { book, send } = harness([
      {
        id: "leak",
        kind: "state",
        title: "Leak detected",
        series: "leak_detector_state",
        states: { 1: "warning", 2: "critical" },
      },
    ]);
    send("leak_detector_state", { equipment: "cdu:h2-r01-01", detector: "Moisture" }, 0, 0);
    send("leak_detector_state", { equipment: "cdu:h2-r01-01", detector: "Moisture" }, 1, 2);
    const [alarm] = book.list();
    assert.equal(alarm!.severity, "critical");
    assert.deepEqual(alarm!.rows, ["row:h2-r01"]);
    send("leak_detector_state", { equipment: "cdu:h2-r01-01", detector: "Moisture" }, 2, 0);
    assert.equal(book.list().length, 0);
  });

  it("alarms restored from the store at a restart clear when their readings come back, whatever the rule", () => {
    const rules = [
      {
        id: "supply",
        kind: "threshold",
        series: "coolant_supply_temperature_celsius",
        above: [
          { severity: "critical", value: 50, clear: 48 },
          { severity: "warning", value: 45, clear: 44 },
        ],
      },
      { id: "rise", kind: "rate", series: "coolant_return_temperature_celsius", windowSeconds: 60, risePerMinute: 2 },
      { id: "headroom", kind: "capacity", series: "heat_removed_kw", capacity: "cooling", marginPercent: 10 },
      { id: "silent", kind: "stale", series: "rack_power_kw", afterSeconds: 60 },
    ];
    const rack = { rack: "rack:h1-r01-01" };
    // Before the restart: one alarm of each rule.
    const before = harness(rules);
    before.send("coolant_supply_temperature_celsius", cdu, 0, 51);
    for (const [t, value] of [
      [0, 40],
      [60_000, 44],
    ] as const)
      before.send("coolant_return_temperature_celsius", cdu, t, value);
    before.send("heat_removed_kw", cdu, 0, 750);
    before.send("rack_power_kw", rack, 0, 40);
    before.engine.tick(61_000);
    const stored = before.book.list();
    assert.deepEqual(stored.map((alarm) => alarm.source).sort(), ["headroom", "rise", "silent", "supply"]);

    // After it: a new engine on the restored book; each reading is back to normal.
    const after = harness(rules);
    for (const alarm of stored) after.book.restore(alarm);
    after.send("coolant_supply_temperature_celsius", cdu, 120_000, 47);
    assert.equal(after.book.activeAlarm(stored.find((alarm) => alarm.source === "supply")!.key)?.severity, "warning");
    after.send("coolant_supply_temperature_celsius", cdu, 125_000, 43);
    after.send("coolant_return_temperature_celsius", cdu, 120_000, 44);
    after.send("coolant_return_temperature_celsius", cdu, 180_000, 44.1);
    after.send("heat_removed_kw", cdu, 120_000, 600);
    after.send("rack_power_kw", rack, 120_000, 40);
    after.engine.tick(121_000);
    assert.deepEqual(after.book.list(), [], "every restored alarm cleared");
  });

  it("configuration errors name the rule, the field and the problem", () => {
    const decoded = decodeRules([
      { id: "a", kind: "threshold", series: "x", above: [{ severity: "major", value: 5, clear: 6 }] },
      { id: "a", kind: "rate", series: "x" },
      { kind: "nope" },
      { id: "c", kind: "stale", series: [], afterSeconds: -1, colour: "red" },
    ]);
    assert.ok(!decoded.ok);
    assert.deepEqual(decoded.problem.split("\n"), [
      'rules[0].above[0].severity: must be one of: info, warning, critical; got "major"',
      "rules[1].id: a is used twice",
      "rules[1]: a rate rule needs risePerMinute and/or fallPerMinute",
      'rules[2].kind: must be one of: threshold, rate, stale, state, capacity; got "nope"',
      'rules[2].id: required field "id" is missing',
      'rules[2].series: required field "series" is missing',
      'rules[3].colour: unknown field "colour" (expected one of id, kind, title, series, labels, severity, afterSeconds)',
      "rules[3].series: expected at least 1 item(s), got 0",
      "rules[3].afterSeconds: must be greater than 0, got -1",
    ]);
  });
});

describe("Redfish message registry mapping", () => {
  it("follows the Environmental and ResourceEvent registries", () => {
    assert.deepEqual(mapRedfishMessage("Environmental.1.2.LeakDetectedCritical", ["Moisture"]), {
      action: "raise",
      condition: "LeakDetected",
      severity: "critical",
      title: "Leak detected",
    });
    assert.deepEqual(mapRedfishMessage("Environmental.1.1.0.LeakDetectedNormal", []), {
      action: "clear",
      condition: "LeakDetected",
    });
    assert.equal(mapRedfishMessage("Environmental.1.2.TemperatureAboveUpperCautionThreshold", []).action, "raise");
    assert.deepEqual(mapRedfishMessage("Environmental.1.2.TemperatureBelowUpperCriticalThreshold", []), {
      action: "raise",
      condition: "Temperature",
      severity: "warning",
      title: "Temperature out of range",
    });
    assert.deepEqual(mapRedfishMessage("Environmental.1.2.PumpFailed", ["2"]), {
      action: "raise",
      condition: "Pump",
      severity: "critical",
      title: "Pump failed",
    });
    assert.deepEqual(mapRedfishMessage("Environmental.1.2.PumpRestored", ["2"]), {
      action: "clear",
      condition: "Pump",
    });
    assert.deepEqual(mapRedfishMessage("Environmental.1.2.PumpSubsystemHealth", ["OK"]), {
      action: "clear",
      condition: "PumpSubsystemHealth",
    });
    assert.equal(mapRedfishMessage("Environmental.1.2.PumpSubsystemHealth", ["Critical"]).action, "raise");
    assert.deepEqual(mapRedfishMessage("ResourceEvent.1.3.0.ResourceStatusChangedCritical", ["CDU", "Critical"]), {
      action: "raise",
      condition: "Status",
      severity: "critical",
      title: "Equipment health critical",
    });
    assert.deepEqual(mapRedfishMessage("ResourceEvent.1.3.0.ResourceStatusChangedOK", []), {
      action: "clear",
      condition: "Status",
    });
    assert.deepEqual(mapRedfishMessage("ResourceEvent.1.3.0.ResourceRemoved", []), { action: "clear-all" });
    assert.deepEqual(mapRedfishMessage("ResourceEvent.1.3.0.ResourcePoweredOn", []), { action: "ignore" });
    assert.equal(mapRedfishMessage("Vendor.1.0.FanFault", [], "Critical").action, "raise");
    assert.deepEqual(mapRedfishMessage("Vendor.1.0.Info", [], "OK"), { action: "ignore" });
  });
});
