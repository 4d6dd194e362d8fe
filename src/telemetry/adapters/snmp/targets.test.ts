import assert from "node:assert/strict";
import { describe, it } from "node:test";
import snmp from "net-snmp";
import { parseTelemetryConfig } from "../../config.ts";
import { varbindNumber } from "./poller.ts";
import { builtInProfiles, decodeSnmpConfig } from "./targets.ts";

describe("SNMP configuration", () => {
  it("names every problem by its path", () => {
    const result = parseTelemetryConfig(`
snmp:
  profiles:
    bad:
      - { metric: ok_metric, oid: 1.3.6.1.2.1.33.1.2.1.0 }
      - { metric: "no good", oid: "not.an.oid", walk: maybe }
  devices:
    - { name: a, host: 10.0.0.1, version: 1, profile: ups-mib, communityEnv: C }
    - { name: b, host: 10.0.0.2, version: 2c, profile: nope }
    - { name: c, host: 10.0.0.3, version: 3, profile: ups-mib, user: { name: m, authKeyEnv: A, privProtocol: aes } }
    - { name: c, host: 10.0.0.4, version: 2c, communityEnv: C, profile: apc-rpdu, intervalSeconds: 1, timeoutSeconds: 1, retries: 1 }
`);
    assert.ok(!result.ok);
    for (const text of [
      "snmp.profiles.bad[1].metric:",
      "snmp.profiles.bad[1].oid: must be a numeric OID",
      "snmp.profiles.bad[1].walk:",
      "snmp.devices[0].version: must be 2c or 3",
      "snmp.devices[1].communityEnv: version 2c needs",
      "snmp.devices[1].profile: must name a profile",
      "snmp.devices[2].user.privKeyEnv: privProtocol and privKeyEnv go together",
      "snmp.devices[3].timeoutSeconds: timeout × (retries + 1)",
    ]) {
      assert.ok(result.problem.includes(text), `${text} in:\n${result.problem}`);
    }
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
