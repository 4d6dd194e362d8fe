import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTelemetryConfig } from "./config.ts";

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
      'webhooks[0].url: expected an http(s) URL, got "mailto:ops@example.org"',
      'webhooks[1].events[0]: expected one of raised, escalated, deescalated, cleared, acknowledged, shelved, unshelved, got "exploded"',
      "remoteWrite.url: expected non-empty text, got 12",
      'limits.burst: unknown field "burst" (expected one of series, seriesPerSource, newSeriesPerBatch, samplesPerSecond, burstSamples)',
      "limits.samplesPerSecond: must be at least 1, got 0",
      "rules[0].afterSeconds: is required",
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
});
