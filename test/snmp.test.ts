/**
 * SNMP against a real agent: Debian's snmpd on loopback with a private configuration, serving UPS-MIB (RFC 1628)
 * and PowerNet-MIB rPDU objects through `pass` from a state the test rewrites. A UPS is polled over v2c with the
 * built-in ups-mib profile, a PDU over v3 authPriv (SHA-256 + AES) with the apc-rpdu profile; wrong credentials, a
 * hung agent and recovery are checked. Skipped with the reason when snmpd is not installed (.ci/run installs it).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadSite } from "../src/model/load.ts";
import { SnmpReader, varbindNumber } from "../src/telemetry/adapters/snmp/poller.ts";
import { parseTelemetryConfig } from "../src/telemetry/config.ts";
import { TelemetryService } from "../src/telemetry/service.ts";
import { type SnmpAgent, type SnmpState, snmpUnavailable, startSnmpAgent } from "./support/snmp.ts";

const unavailable = snmpUnavailable();
const site = loadSite("lab").site!;
const ups = site.halls[0]!.ups.ids[0]!;
const rack = site.racks[0]!.id;
let agent: SnmpAgent | undefined;
let service: TelemetryService | undefined;

const upsMib = "1.3.6.1.2.1.33.1";
const rpdu = "1.3.6.1.4.1.318.1.1.12";

function state(batteryStatus: number, outputSource: number): SnmpState {
  const entries: SnmpState = {
    [`${upsMib}.2.1.0`]: ["integer", batteryStatus],
    [`${upsMib}.2.2.0`]: ["integer", outputSource === 5 ? 42 : 0],
    [`${upsMib}.2.3.0`]: ["integer", 37],
    [`${upsMib}.2.4.0`]: ["integer", 97],
    [`${upsMib}.2.7.0`]: ["integer", 24],
    [`${upsMib}.4.1.0`]: ["integer", outputSource],
    [`${rpdu}.1.16.0`]: ["gauge", 5120],
  };
  [174, 160, 151].forEach((current, index) => {
    const line = index + 1;
    entries[`${upsMib}.3.3.1.3.${line}`] = ["integer", 229 + line];
    entries[`${upsMib}.4.4.1.2.${line}`] = ["integer", 230];
    entries[`${upsMib}.4.4.1.3.${line}`] = ["integer", current];
    entries[`${upsMib}.4.4.1.4.${line}`] = ["integer", current * 23];
    entries[`${upsMib}.4.4.1.5.${line}`] = ["integer", 30 + line];
  });
  [74, 80, 68].forEach((load, index) => {
    entries[`${rpdu}.2.3.1.1.2.${index + 1}`] = ["integer", load];
    entries[`${rpdu}.2.3.1.1.3.${index + 1}`] = ["integer", load > 75 ? 3 : 2];
  });
  return entries;
}

function configFor(port: number): string {
  const timing = "intervalSeconds: 0.5, timeoutSeconds: 0.2, retries: 0, staleAfterSeconds: 1.5, maxBackoffSeconds: 1";
  return `
snmp:
  devices:
    - { name: ups-a, host: 127.0.0.1, port: ${port}, version: 2c, communityEnv: TEST_SNMP_COMMUNITY, profile: ups-mib, equipment: ${ups}, ${timing} }
    - name: pdu-a
      host: 127.0.0.1
      port: ${port}
      version: 3
      user: { name: alixan-monitor, authProtocol: sha256, authKeyEnv: TEST_SNMP_AUTH, privProtocol: aes, privKeyEnv: TEST_SNMP_PRIV }
      profile: apc-rpdu
      equipment: ${rack}
      ${timing.replaceAll(", ", "\n      ").replaceAll(": ", ": ")}
    - name: pdu-wrong-key
      host: 127.0.0.1
      port: ${port}
      version: 3
      user: { name: alixan-monitor, authProtocol: sha256, authKeyEnv: TEST_SNMP_WRONG, privProtocol: aes, privKeyEnv: TEST_SNMP_PRIV }
      profile: apc-rpdu
      ${timing.replaceAll(", ", "\n      ")}
    - { name: ups-wrong-community, host: 127.0.0.1, port: ${port}, version: 2c, communityEnv: TEST_SNMP_WRONG, profile: ups-mib, ${timing} }
`;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      assert.fail(`${what} within ${ms} ms; status: ${JSON.stringify(service?.status().snmp)}\n${agent?.logs() ?? ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function latest(name: string, equipment: string, labels: Record<string, string> = {}): number | undefined {
  return service!
    .series({ names: [name], equipment })
    .find((entry) => Object.entries(labels).every(([key, value]) => entry.info.labels[key] === value))?.value;
}

function statusOf(device: string) {
  return service!.status().snmp.find((entry) => entry.device === device)?.status;
}

before(async () => {
  if (unavailable !== undefined) return;
  agent = await startSnmpAgent(state(2, 3));
  process.env["TEST_SNMP_COMMUNITY"] = agent.community;
  process.env["TEST_SNMP_AUTH"] = agent.user.authKey;
  process.env["TEST_SNMP_PRIV"] = agent.user.privKey;
  process.env["TEST_SNMP_WRONG"] = "not-the-right-secret";
  const config = parseTelemetryConfig(configFor(agent.port));
  assert.ok(config.ok, config.ok ? "" : config.problem);
  const opened = await TelemetryService.open({ ...config.value, site, onProblem: () => {} });
  assert.ok(opened.ok, opened.ok ? "" : opened.problem);
  service = opened.value;
});

after(async () => {
  await service?.close();
  await agent?.stop();
});

describe("SNMP poller against Debian's snmpd", { skip: unavailable }, () => {
  it("reads a UPS over v2c with the UPS-MIB profile, table rows labelled by line", async () => {
    await until("a good UPS poll", () => (statusOf("ups-a")?.ok ? true : undefined));
    assert.deepEqual(statusOf("ups-a")!.problems, []);
    assert.equal(latest("ups_battery_status", ups), 2);
    assert.equal(latest("ups_battery_charge_percent", ups, { unit: "%" }), 97);
    assert.equal(latest("ups_battery_minutes_remaining", ups), 37);
    assert.equal(latest("ups_output_source", ups), 3);
    assert.equal(latest("ups_output_power_watts", ups, { line: "2" }), 160 * 23);
    assert.ok(Math.abs(latest("ups_output_current_amperes", ups, { line: "3" })! - 15.1) < 1e-9, "0.1 A units");
    assert.equal(latest("ups_input_voltage_volts", ups, { line: "1" }), 230);
    assert.equal(service!.series({ names: ["ups_output_power_watts"], equipment: ups }).length, 3);
    // The UPS is located through the site model: its hall.
    assert.equal(service!.series({ names: ["ups_battery_status"], hall: "hall:h1" }).length, 1);
    assert.equal(latest("up", ups, { job: "snmp" }), 1);
  });

  it("reads a PDU over v3 authPriv (SHA-256, AES) with the PowerNet rPDU profile", async () => {
    await until("a good PDU poll", () => (statusOf("pdu-a")?.ok ? true : undefined));
    assert.equal(latest("pdu_power_watts", rack, { unit: "W" }), 5120);
    assert.ok(Math.abs(latest("pdu_load_current_amperes", rack, { load: "2" })! - 8) < 1e-9);
    assert.equal(latest("pdu_load_state", rack, { load: "2" }), 3);
    assert.equal(latest("pdu_load_state", rack, { load: "1" }), 2);
  });

  it("fails devices with a wrong v3 key or community, and says why", async () => {
    const wrongKey = await until("the wrong-key poll", () => {
      const status = statusOf("pdu-wrong-key");
      return status !== undefined && !status.ok ? status : undefined;
    });
    assert.match(wrongKey.problems.join(" "), /digest|authentic|password|key/i);
    const wrongCommunity = await until("the wrong-community poll", () => {
      const status = statusOf("ups-wrong-community");
      return status !== undefined && !status.ok ? status : undefined;
    });
    // snmpd drops requests with an unknown community: all the poller can see is silence.
    assert.match(wrongCommunity.problems.join(" "), /timed out/i);
  });

  it("names a varbind whose decoding throws, inside a walk too, and keeps the other rows and points", async () => {
    const config = parseTelemetryConfig(configFor(agent!.port));
    assert.ok(config.ok, config.ok ? "" : config.problem);
    const device = config.value.snmp!.find((entry) => entry.name === "ups-a")!;
    // Fails on line 2 of the output table, read by walking: that runs inside net-snmp's socket handler, where an
    // exception would be uncaught and end the test process.
    const badOid = `${upsMib}.4.4.1.4.2`;
    const reader = new SnmpReader(device, (varbind) => {
      if (varbind.oid === badOid) throw new TypeError("value.readUInt32BE is not a function");
      return varbindNumber(varbind);
    });
    try {
      const problems: string[] = [];
      const readings = await reader.read(problems);
      assert.deepEqual(problems, [
        `${badOid} (ups_output_power_watts): not decoded: value.readUInt32BE is not a function`,
      ]);
      const power = readings.filter((reading) => reading.metric === "ups_output_power_watts");
      assert.deepEqual(
        power.map((reading) => [reading.labels["line"], reading.value]),
        [
          ["1", 174 * 23],
          ["3", 151 * 23],
        ],
      );
      assert.equal(readings.find((reading) => reading.metric === "ups_battery_temperature_celsius")?.value, 24);
    } finally {
      reader.reset();
    }
  });

  it("follows changed values: the UPS goes on battery with a low battery", async () => {
    agent!.setState(state(3, 5));
    await until("battery low and on battery", () =>
      latest("ups_battery_status", ups) === 3 && latest("ups_output_source", ups) === 5 ? true : undefined,
    );
    assert.equal(latest("ups_seconds_on_battery", ups), 42);
  });

  it("times out on a hung agent, goes stale with an alarm on the UPS, and recovers", async () => {
    agent!.freeze();
    await until("a timed-out UPS poll", () => (statusOf("ups-a")?.ok === false ? true : undefined));
    assert.equal(latest("up", ups, { job: "snmp" }), 0);
    const alarm = await until("a stale alarm on the UPS", () =>
      service!.alarms
        .list({})
        .find((item) => item.source === "snmp" && item.equipment === ups && item.state === "active"),
    );
    assert.equal(alarm.kind, "stale");
    assert.equal(latest("snmp_stale", ups), 1);
    agent!.thaw();
    await until("a good UPS poll after thawing", () => (statusOf("ups-a")?.ok ? true : undefined));
    assert.equal(latest("snmp_stale", ups), 0);
    assert.equal(service!.alarms.get(alarm.id)!.state, "cleared");
  });
});
