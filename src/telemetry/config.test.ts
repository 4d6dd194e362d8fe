import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseTelemetryConfig } from "./config.ts";

/** The problem lines of a configuration that must fail. */
function problemsOf(text: string): string[] {
  const parsed = parseTelemetryConfig(text);
  assert.ok(!parsed.ok, "the configuration should have been refused");
  return parsed.problem.split("\n");
}

describe("telemetry configuration", () => {
  it("decodes bindings, rules, notifications, exports and retention from YAML", () => {
    const parsed = parseTelemetryConfig(`
hotWindowSamples: 720
retention: { rawDays: 3, minuteDays: 30, hourDays: 400 }
redfish:
  - name: cdu-h2-r08-01
    url: https://10.20.8.11
    intervalSeconds: 10
    passwordEnv: CDU_PASSWORD
    username: monitor
    events: true
    resources:
      - { uri: /redfish/v1/ThermalEquipment/CDUs/1, equipment: "cdu:h2-r08-01" }
prometheus:
  intervalSeconds: 15
  targets: [{ url: "http://10.0.0.9:9100/metrics", labels: { equipment: "plant:h1" } }]
rules:
  - { id: supply, kind: threshold, series: coolant_supply_temperature_celsius, above: [{ severity: critical, value: 45, clear: 43 }] }
webhooks: [{ url: "https://ops.example/hook", minimumSeverity: critical, events: [raised, cleared] }]
remoteWrite: { url: "http://127.0.0.1:8428/api/v1/write", intervalSeconds: 10 }
`);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.problem);
    const options = parsed.value;
    assert.equal(options.hotCapacity, 720);
    assert.deepEqual(options.retention, { rawMs: 3 * 86_400_000, minuteMs: 30 * 86_400_000, hourMs: 400 * 86_400_000 });
    assert.equal(options.redfish![0]!.resources[0]!.equipment, "cdu:h2-r08-01");
    assert.equal(options.redfish![0]!.events, true);
    assert.deepEqual(options.prometheus, {
      intervalMs: 15_000,
      targets: [{ url: "http://10.0.0.9:9100/metrics", labels: { equipment: "plant:h1" } }],
    });
    assert.equal(options.rules![0]!.kind, "threshold");
    assert.deepEqual(options.webhooks, [
      { url: "https://ops.example/hook", minimumSeverity: "critical", events: ["raised", "cleared"] },
    ]);
    assert.deepEqual(options.remoteWrite, { url: "http://127.0.0.1:8428/api/v1/write", intervalMs: 10_000 });
  });

  it("names every problem by its path", () => {
    const parsed = parseTelemetryConfig(`
hotWindow: 5
retention: { rawDays: 30, minuteDays: 7 }
webhooks: [{ url: "mailto:ops@example.org" }, { url: "https://x", events: [exploded] }]
rules: [{ id: r, kind: stale, series: x }]
remoteWrite: { url: 12 }
limits: { samplesPerSecond: 0, burst: 3 }
`);
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.problem.split("\n"), [
      'hotWindow: unknown field "hotWindow" (expected one of hotWindowSamples, retention, redfish, modbus, snmp, prometheus, rules, webhooks, remoteWrite, limits)',
      'rules[0].afterSeconds: required field "afterSeconds" is missing',
      'webhooks[0].url: expected an http(s) URL, got "mailto:ops@example.org"',
      'webhooks[1].events[0]: must be one of: raised, escalated, deescalated, cleared, acknowledged, shelved, unshelved, renamed; got "exploded"',
      "remoteWrite.url: expected non-empty text, got 12",
      'limits.burst: unknown field "burst" (expected one of series, seriesPerSource, newSeriesPerBatch, samplesPerSecond, burstSamples)',
      "limits.samplesPerSecond: must be at least 1, got 0",
      "retention: rawDays ≤ minuteDays ≤ hourDays, since each resolution is rolled into the next",
    ]);
    const limits = parseTelemetryConfig(
      "limits: { series: 1000, seriesPerSource: 100, newSeriesPerBatch: 50, samplesPerSecond: 2000, burstSamples: 4000 }",
    );
    assert.ok(limits.ok);
    assert.deepEqual(limits.value, {
      maxSeries: 1000,
      maxSeriesPerSource: 100,
      limits: { newSeriesPerBatch: 50, samplesPerSecond: 2000, burstSamples: 4000 },
    });
    const small = parseTelemetryConfig("limits: { samplesPerSecond: 2000, burstSamples: 100 }");
    assert.ok(!small.ok && small.problem === "limits.burstSamples: must be at least samplesPerSecond (2000)");
    const broken = parseTelemetryConfig("rules: [unclosed");
    assert.ok(!broken.ok && broken.problem.startsWith("the configuration is not valid YAML"));
  });

  it("checks every field of a Redfish service by the schema, then the rules between fields, naming the path", () => {
    assert.deepEqual(
      problemsOf(`
redfish:
  - name: cdu-a
    url: https://10.20.8.11
    intervalSeconds: ten
    maxResources: 0
    colour: blue
    resources: [{ equipment: "cdu:h2-r08-01" }, { uri: /redfish/v1/Chassis/CDU, walk: sometimes }]
  - name: cdu-a
    url: http://10.20.8.12
    insecure: true
    auth: digest
    resources: [{ uri: /redfish/v1/Chassis/CDU, rename: { cdu_flow: "flow rate" } }]
  - name: cdu-b
    url: http://10.20.8.13
    insecure: true
    subscription: { destination: "https://alixan.example:8443/?x=1" }
  - name: cdu-c
    url: http://10.20.8.14
`),
      [
        'redfish[0].colour: unknown field "colour"',
        'redfish[0].intervalSeconds: expected a number, got "ten"',
        "redfish[0].maxResources: must be at least 1, got 0",
        'redfish[0].resources[0].uri: required field "uri" is missing',
        'redfish[0].resources[1].walk: expected true or false, got "sometimes"',
        'redfish[1].auth: must be one of: session, basic; got "digest"',
        'redfish[1].resources[0].rename.cdu_flow: expected a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got "flow rate"',
        'redfish[2].subscription.destination: expected alixan\'s http(s) base URL as the service reaches it (no query), such as https://alixan.example:8443, got "https://alixan.example:8443/?x=1"',
        "redfish[1].name: cdu-a is used twice",
        "redfish[3].resources: must list at least one resource (or read metricReports, or push a subscription)",
      ],
    );
    // A service right in every field gets the rules between them: https-only settings.
    assert.deepEqual(
      problemsOf("redfish: [{ name: a, url: http://h, insecure: true, resources: [{ uri: /redfish/v1 }] }]"),
      ["redfish[0].insecure: only means something for an https URL"],
    );
    assert.deepEqual(problemsOf("redfish: { name: a }"), ["redfish: expected a list, got a mapping"]);
  });

  it("checks every field of an alarm rule by its kind's schema, then the rules between fields, naming the path", () => {
    assert.deepEqual(
      problemsOf(`
rules:
  - { id: hot, kind: threshold, series: t, above: [{ severity: critical, value: 45, clear: 47, hysteresis: 2 }] }
  - { id: hot, kind: stale, series: [t, u], afterSeconds: 1m, above: [] }
  - { id: fast, kind: rate, series: t, risePerMinute: 3, clearFraction: 1.5 }
  - { id: leak, kind: state, series: leak_detector_state, states: { one: warning, 2: fatal } }
  - { id: cdu, kind: capacity, series: cdu_heat_kw, capacity: big, marginPercent: 100 }
  - { id: gone, kind: stail, series: up, colour: red }
  - { kind: threshold, series: "bad name", below: [{ severity: warning, value: 5, clear: 4 }] }
`),
      [
        'rules[0].above[0].hysteresis: unknown field "hysteresis" (expected one of severity, value, clear)',
        'rules[1].above: unknown field "above" (expected one of id, kind, title, series, labels, severity, afterSeconds)',
        'rules[1].afterSeconds: expected a number, got "1m"',
        "rules[2].clearFraction: must be at most 1, got 1.5",
        'rules[3].states["2"]: must be one of: info, warning, critical; got "fatal"',
        'rules[3].states.one: expected a whole number (a state\'s value), got "one"',
        'rules[4].capacity: must be one of: power, cooling; got "big"',
        "rules[4].marginPercent: must be less than 100, got 100",
        'rules[5].kind: must be one of: threshold, rate, stale, state, capacity; got "stail" (did you mean "stale"?)',
        'rules[5].colour: unknown field "colour"',
        'rules[6].id: required field "id" is missing',
        'rules[6].series: expected a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got "bad name"',
        "rules[1].id: hot is used twice",
      ],
    );
    assert.deepEqual(
      problemsOf(`
rules:
  - { id: t, kind: threshold, series: t }
  - { id: r, kind: rate, series: r }
  - { id: c, kind: capacity, series: c, capacity: 90, marginPercent: 10, clearMarginPercent: 5 }
  - { id: s, kind: stale, series: [] }
  - { id: h, kind: threshold, series: h, above: [{ severity: critical, value: 45, clear: 47 }] }
`),
      [
        'rules[3].afterSeconds: required field "afterSeconds" is missing',
        "rules[3].series: expected at least 1 item(s), got 0",
        "rules[0]: a threshold rule needs above and/or below",
        "rules[1]: a rate rule needs risePerMinute and/or fallPerMinute",
        "rules[2].clearMarginPercent: must be at least marginPercent (10)",
        "rules[4].above[0].clear: 47 must be at or below value 45",
      ],
    );
  });

  it("decodes the alarm rules docs/telemetry-protocols.md shows, with their defaults", () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "telemetry-protocols.md"), "utf8");
    const example = /```yaml\n(rules:\n[\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example !== undefined, "the rules example is in the doc");
    const parsed = parseTelemetryConfig(example);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.problem);
    const rules = parsed.value.rules ?? [];
    assert.deepEqual(
      rules.map((rule) => rule.kind),
      ["threshold", "rate", "stale", "state", "capacity"],
    );
    const [threshold, rate, stale, state, capacity] = rules;
    assert.ok(threshold?.kind === "threshold" && rate?.kind === "rate" && stale?.kind === "stale");
    assert.ok(state?.kind === "state" && capacity?.kind === "capacity");
    assert.deepEqual(threshold.below, [{ severity: "warning", value: 15, clear: 15 }]);
    assert.equal(threshold.forMs, 30_000);
    assert.deepEqual([rate.windowMs, rate.clearFraction, rate.severity], [60_000, 0.8, "critical"]);
    assert.deepEqual([stale.severity, stale.afterMs, stale.title], ["warning", 120_000, "pdu-silent"]);
    assert.deepEqual(
      [...state.states],
      [
        [3, "warning"],
        [4, "critical"],
      ],
    );
    assert.deepEqual(
      [capacity.capacity, capacity.marginFraction, capacity.clearMarginFraction, capacity.scale],
      ["power", 0.1, 0.12, 0.001],
    );
  });
});
