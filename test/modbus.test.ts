/**
 * Modbus TCP against a real server: Debian's python3-pymodbus serving a CDU-like register map
 * (test/support/modbus_cdu_server.py) on loopback. The platform's poller is configured from YAML as an operator
 * would, reads float32 in both word orders, signed and unsigned 16/32-bit registers, a holding register and a leak
 * coil, and is then made to time out (server frozen), back off, go stale, recover and lose its server. Skipped with
 * the reason when python3-pymodbus is not installed (.ci/run installs it).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadSite } from "../src/model/load.ts";
import { ModbusReader } from "../src/telemetry/adapters/modbus/poller.ts";
import { decodeWords } from "../src/telemetry/adapters/modbus/registers.ts";
import { parseTelemetryConfig } from "../src/telemetry/config.ts";
import { TelemetryService } from "../src/telemetry/service.ts";
import { type ModbusServer, modbusUnavailable, startModbusServer } from "./support/modbus.ts";

const unavailable = modbusUnavailable();
const site = loadSite("lab").site!;
let server: ModbusServer | undefined;
let service: TelemetryService | undefined;

const equipment = "cdu:h1-r01-01";

function configFor(port: number): string {
  return `
modbus:
  models:
    test-cdu:
      - { metric: cdu_supply_temperature_celsius, function: input, address: 0, type: float32, unit: celsius }
      - { metric: cdu_return_temperature_celsius, function: input, address: 2, type: float32, wordOrder: little, unit: celsius }
      - { metric: cdu_secondary_flow_lpm, function: input, address: 4, type: uint16, scale: 0.1, unit: L/min }
      - { metric: cdu_differential_pressure_bar, function: input, address: 5, type: int16, scale: 0.01, unit: bar }
      - { metric: cdu_energy_kwh_total, function: input, address: 6, type: uint32, unit: kWh }
      - { metric: cdu_heat_balance_watts, function: input, address: 8, type: int32, unit: W }
      - { metric: cdu_pump_state, function: holding, address: 0, type: uint16 }
      - { metric: leak_detector_state, function: coil, address: 0, labels: { detector: tray } }
  devices:
    - name: cdu-h1-r01-01
      host: 127.0.0.1
      port: ${port}
      unitId: 1
      model: test-cdu
      equipment: ${equipment}
      intervalSeconds: 0.2
      timeoutSeconds: 0.15
      staleAfterSeconds: 1
      maxBackoffSeconds: 0.8
`;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      assert.fail(
        `${what} within ${ms} ms; status: ${JSON.stringify(service?.status().modbus)}\n${server?.logs() ?? ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function latest(name: string, labels: Record<string, string> = {}): number | undefined {
  const found = service!
    .series({ names: [name], equipment })
    .find((entry) => Object.entries(labels).every(([key, value]) => entry.info.labels[key] === value));
  return found?.value;
}

function modbusStatus() {
  return service!.status().modbus[0]!.status;
}

before(async () => {
  if (unavailable !== undefined) return;
  server = await startModbusServer();
  const config = parseTelemetryConfig(configFor(server.port));
  assert.ok(config.ok, config.ok ? "" : config.problem);
  const opened = await TelemetryService.open({ ...config.value, site, onProblem: () => {} });
  assert.ok(opened.ok, opened.ok ? "" : opened.problem);
  service = opened.value;
});

after(async () => {
  await service?.close();
  await server?.stop();
});

describe("Modbus TCP poller against python3-pymodbus", { skip: unavailable }, () => {
  it("reads the CDU register map: float32 both word orders, int16/uint16/int32/uint32, scale, holding, coil", async () => {
    await until("a good poll", () => (modbusStatus()?.ok ? true : undefined));
    assert.equal(latest("cdu_supply_temperature_celsius", { unit: "celsius" }), 18.5);
    assert.equal(latest("cdu_return_temperature_celsius"), 27.25, "low word first (CDAB) decoded");
    assert.ok(Math.abs(latest("cdu_secondary_flow_lpm")! - 123.4) < 1e-9, String(latest("cdu_secondary_flow_lpm")));
    assert.ok(Math.abs(latest("cdu_differential_pressure_bar")! + 0.12) < 1e-9, "int16 is signed");
    assert.equal(latest("cdu_energy_kwh_total"), 123_456);
    assert.equal(latest("cdu_heat_balance_watts"), -50_000, "int32 is signed");
    assert.equal(latest("cdu_pump_state"), 1);
    assert.equal(latest("leak_detector_state", { detector: "tray" }), 0);
    assert.equal(latest("up", { job: "modbus" }), 1);
    assert.equal(latest("modbus_stale"), 0);
    // The series sit where the site model puts the CDU: its row.
    const inRow = service!.series({ names: ["cdu_supply_temperature_celsius"], row: "row:h1-r01" });
    assert.equal(inRow.length, 1);
    assert.equal(service!.status().modbus[0]!.equipment, equipment);
  });

  it("names a point whose decoding throws and keeps the device's other points and connection", async () => {
    const config = parseTelemetryConfig(configFor(server!.port));
    assert.ok(config.ok, config.ok ? "" : config.problem);
    const device = config.value.modbus![0]!;
    // A decoder that fails on one point, as a bug or a register map nobody foresaw would.
    const reader = new ModbusReader(device, (words, type, wordOrder) => {
      if (type === "int32") throw new RangeError("Offset is outside the bounds of the DataView");
      return decodeWords(words, type, wordOrder);
    });
    try {
      for (let round = 0; round < 2; round++) {
        const problems: string[] = [];
        const readings = await reader.read(problems);
        assert.deepEqual(problems, [
          "input 8 (cdu_heat_balance_watts): not decoded: Offset is outside the bounds of the DataView",
        ]);
        assert.equal(readings.length, 7);
        assert.ok(!readings.some((reading) => reading.metric === "cdu_heat_balance_watts"));
        assert.equal(readings.find((reading) => reading.metric === "cdu_energy_kwh_total")?.value, 123_456);
      }
    } finally {
      reader.reset();
    }
  });

  it("follows changes of the device; a leak coil raises the leak alarm on the CDU", async () => {
    await server!.set("input 4 1500");
    await until("the new flow", () =>
      Math.abs((latest("cdu_secondary_flow_lpm") ?? 0) - 150) < 1e-9 ? true : undefined,
    );
    await server!.set("coil 0 1");
    const alarm = await until("a leak alarm", () =>
      service!.alarms.list({}).find((item) => item.title === "Leak detected" && item.state === "active"),
    );
    assert.equal(alarm.equipment, equipment);
    assert.deepEqual(alarm.rows, ["row:h1-r01"]);
    await server!.set("coil 0 0");
    await until("the leak alarm cleared", () =>
      service!.alarms.list({}).some((item) => item.title === "Leak detected" && item.state === "active")
        ? undefined
        : true,
    );
  });

  it("times out on a hung server, backs off exponentially, marks the readings stale, and recovers", async () => {
    server!.freeze();
    const failing = await until("a timed-out poll", () => {
      const status = modbusStatus();
      return status !== undefined && !status.ok ? status : undefined;
    });
    assert.match(failing.problems.join("\n"), /timed out/i);
    assert.equal(latest("up", { job: "modbus" }), 0);
    // Backoff: the wait after the n-th consecutive failure is interval × 2^(n−1), capped at 0.8 s.
    const seen = new Map<number, number>();
    await until("three consecutive failures", () => {
      const status = modbusStatus()!;
      if (!status.ok) seen.set(status.consecutiveFailures, status.nextAttemptAt - status.at);
      return status.consecutiveFailures >= 3 ? true : undefined;
    });
    for (const [failures, wait] of seen)
      assert.equal(wait, Math.min(200 * 2 ** (failures - 1), 800), `after ${failures}`);
    const stale = await until("a stale alarm", () =>
      service!.alarms.list({}).find((item) => item.source === "modbus" && item.state === "active"),
    );
    assert.equal(stale.kind, "stale");
    assert.equal(stale.equipment, equipment);
    assert.equal(latest("modbus_stale"), 1);
    assert.equal(modbusStatus()!.stale, true);
    server!.thaw();
    await until("a good poll after thawing", () => (modbusStatus()?.ok ? true : undefined));
    assert.equal(latest("modbus_stale"), 0);
    assert.equal(latest("up", { job: "modbus" }), 1);
    assert.equal(modbusStatus()!.consecutiveFailures, 0);
    assert.equal(service!.alarms.get(stale.id)!.state, "cleared");
  });

  it("reports a refused connection once the server is gone", async () => {
    await server!.stop();
    const status = await until("a refused poll", () => {
      const current = modbusStatus();
      return current !== undefined && !current.ok && /ECONNREFUSED|refused/i.test(current.problems.join(" "))
        ? current
        : undefined;
    });
    assert.ok(status.consecutiveFailures >= 1);
  });
});
