import assert from "node:assert/strict";
import { describe, it } from "node:test";
import snmp from "net-snmp";
import { parseTelemetryConfig } from "../../config.ts";
import { varbindNumber } from "./poller.ts";
import { builtInProfiles, decodeSnmpConfig } from "./targets.ts";

describe("SNMP configuration", () => {
  it("names every problem of shape by its path, then the rules between fields of a well-formed section", () => {
    const shape = parseTelemetryConfig(`
snmp:
  profiles:
    bad:
      - { metric: ok_metric, oid: 1.3.6.1.2.1.33.1.2.1.0 }
      - { metric: "no good", oid: "not.an.oid", walk: maybe }
  devices:
    - { name: a, host: 10.0.0.1, version: 1, profile: ups-mib, communityEnv: C }
`);
    assert.ok(!shape.ok);
    assert.deepEqual(shape.problem.split("\n"), [
      'snmp.profiles.bad[1].metric: expected a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*, got "no good"',
      'snmp.profiles.bad[1].oid: expected a numeric OID such as 1.3.6.1.2.1.33.1.2.1.0, got "not.an.oid"',
      'snmp.profiles.bad[1].walk: expected true or false, got "maybe"',
      "snmp.devices[0].version: must be one of: 2c, 3; got 1",
    ]);
    const rules = parseTelemetryConfig(`
snmp:
  devices:
    - { name: b, host: 10.0.0.2, version: 2c, profile: nope }
    - { name: c, host: 10.0.0.3, version: 3, profile: ups-mib, user: { name: m, authKeyEnv: A, privProtocol: aes } }
    - { name: c, host: 10.0.0.4, version: 2c, communityEnv: C, profile: apc-rpdu, intervalSeconds: 1, timeoutSeconds: 1, retries: 1 }
`);
    assert.ok(!rules.ok);
    assert.deepEqual(rules.problem.split("\n"), [
      "snmp.devices[0].communityEnv: version 2c needs the environment variable holding the community",
      "snmp.devices[0].profile: must name a profile (ups-mib, apc-rpdu)",
      "snmp.devices[1].user.privKeyEnv: privProtocol and privKeyEnv go together (authPriv)",
      "snmp.devices[2].name: c is used twice",
      "snmp.devices[2].timeoutSeconds: timeout × (retries + 1) must not exceed intervalSeconds (1)",
    ]);
  });

  it("decodes a v3 authPriv device on a built-in profile", () => {
    const result = decodeSnmpConfig({
      devices: [
        {
          name: "ups-1",
          host: "10.0.0.9",
          version: 3,
          user: { name: "monitor", authProtocol: "sha256", authKeyEnv: "A", privProtocol: "aes", privKeyEnv: "P" },
          profile: "ups-mib",
          equipment: "ups:h1-01",
        },
      ],
    });
    assert.ok(result.ok, result.ok ? "" : result.problem);
    const device = result.value[0]!;
    assert.equal(device.port, 161);
    assert.equal(device.user?.privProtocol, "aes");
    assert.equal(device.points, builtInProfiles["ups-mib"]);
  });

  it("built-in profiles use the cited OIDs", () => {
    const oids = Object.fromEntries(builtInProfiles["ups-mib"]!.map((point) => [point.metric, point.oid]));
    assert.equal(oids["ups_battery_status"], "1.3.6.1.2.1.33.1.2.1.0"); // upsBatteryStatus, RFC 1628
    assert.equal(oids["ups_output_power_watts"], "1.3.6.1.2.1.33.1.4.4.1.4"); // upsOutputPower column
    const pdu = Object.fromEntries(builtInProfiles["apc-rpdu"]!.map((point) => [point.metric, point.oid]));
    assert.equal(pdu["pdu_power_watts"], "1.3.6.1.4.1.318.1.1.12.1.16.0"); // rPDUIdentDevicePowerWatts
  });
});

describe("SNMP values", () => {
  it("reads integers, 64-bit counters and numeric strings; refuses other text", () => {
    assert.equal(varbindNumber({ oid: "1", type: snmp.ObjectType["Integer"]!, value: -5 }), -5);
    const counter = Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00]);
    assert.equal(varbindNumber({ oid: "1", type: snmp.ObjectType["Counter64"]!, value: counter }), 2 ** 32);
    assert.equal(varbindNumber({ oid: "1", type: snmp.ObjectType["OctetString"]!, value: Buffer.from("12.5") }), 12.5);
    assert.equal(
      varbindNumber({ oid: "1", type: snmp.ObjectType["OctetString"]!, value: Buffer.from("ok") }),
      undefined,
    );
  });
});
