/**
 * The Redfish client against the DMTF mockups served by the fixture with the behaviour the static files lack:
 * SessionService logins, re-login after a session ends, Basic when the service has no sessions, TLS with a CA made
 * here by openssl (trusted through `caFile`, refused without it, `insecure` only when asked), and TelemetryService
 * metric reports read at each poll.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadSite } from "../../../model/load.ts";
import { AlarmBook } from "../../alarms/book.ts";
import type { SampleBuffer } from "../../samples.ts";
import { SeriesRegistry } from "../../series.ts";
import { indexSite } from "../../site-index.ts";
import { serveRedfishMockup } from "../../testing/redfish-mockup.ts";
import { decodeRedfishTargets, type RedfishTarget } from "./binding.ts";
import { RedfishClient } from "./client.ts";
import { RedfishPoller } from "./poller.ts";

const site = indexSite(loadSite("lab").site!);
const credentials = { username: "monitor", password: "s3cret-for-test" };
process.env["ALIXAN_TEST_REDFISH_PASSWORD"] = credentials.password;
const cdu = "/redfish/v1/ThermalEquipment/CDUs/1";

function target(extra: Record<string, unknown>): RedfishTarget {
  const decoded = decodeRedfishTargets([
    { name: "cdu-h2-r01-01", intervalSeconds: 1, resources: [{ uri: cdu, equipment: "cdu:h2-r01-01" }], ...extra },
  ]);
  assert.ok(decoded.ok, decoded.ok ? "" : decoded.problem);
  return decoded.value[0]!;
}

const signedIn = { username: credentials.username, passwordEnv: "ALIXAN_TEST_REDFISH_PASSWORD" };

describe("Redfish sessions", () => {
  it("logs in once, sends X-Auth-Token, logs in again after the session ends, and deletes it on close", async () => {
    const mockup = await serveRedfishMockup("public-cooling-unit", { credentials });
    const client = new RedfishClient(target({ url: mockup.url, ...signedIn }));
    try {
      const first = await client.get(cdu);
      assert.notEqual(typeof first, "string", String(first));
      assert.equal((first as Record<string, unknown>)["Id"], "1");
      await client.get(`${cdu}/Pumps`);
      assert.equal(mockup.counts.logins, 1, "one login for many requests");
      assert.equal(client.authentication, "session");
      mockup.expireSessions();
      const again = await client.get(`${cdu}/Pumps`);
      assert.notEqual(typeof again, "string", String(again));
      assert.equal(mockup.counts.logins, 2, "a 401 leads to one new login and the request is repeated");
      mockup.expireSessions();
      // Concurrent requests that all meet the 401 share one login.
      const parallel = await Promise.all([cdu, `${cdu}/Pumps`, `${cdu}/Filters`].map((uri) => client.get(uri)));
      assert.ok(parallel.every((resource) => typeof resource !== "string"));
      assert.equal(mockup.counts.logins, 3);
    } finally {
      await client.close();
      assert.equal(mockup.counts.sessionsDeleted, 1, "the session is deleted on close");
      await mockup.close();
    }
  });

  it("a wrong password is a problem naming the password variable, not a fallback to Basic", async () => {
    const mockup = await serveRedfishMockup("public-cooling-unit", { credentials });
    process.env["ALIXAN_TEST_REDFISH_WRONG"] = "nope";
    const client = new RedfishClient(
      target({ url: mockup.url, username: "monitor", passwordEnv: "ALIXAN_TEST_REDFISH_WRONG" }),
    );
    try {
      const answer = await client.get(cdu);
      assert.equal(typeof answer, "string");
      assert.match(answer as string, /login refused \(HTTP 401\).*ALIXAN_TEST_REDFISH_WRONG/);
      assert.equal(client.authentication, "session");
    } finally {
      await client.close();
      await mockup.close();
    }
  });

  it("falls back to Basic when the service has no session service, and uses Basic when asked", async () => {
    const mockup = await serveRedfishMockup("public-cooling-unit", { credentials, sessionService: false });
    const fallback = new RedfishClient(target({ url: mockup.url, ...signedIn }));
    const basic = new RedfishClient(target({ url: mockup.url, ...signedIn, auth: "basic" }));
    try {
      assert.notEqual(typeof (await fallback.get(cdu)), "string");
      assert.equal(fallback.authentication, "basic");
      assert.notEqual(typeof (await fallback.get(`${cdu}/Pumps`)), "string");
      const before = mockup.requests.get("/redfish/v1/SessionService/Sessions") ?? 0;
      assert.notEqual(typeof (await basic.get(cdu)), "string");
      assert.equal(mockup.requests.get("/redfish/v1/SessionService/Sessions") ?? 0, before, "no login attempted");
      assert.equal(mockup.counts.logins, 0);
    } finally {
      await fallback.close();
      await basic.close();
      await mockup.close();
    }
  });
});

describe("Redfish over TLS with a site CA", () => {
  const folder = mkdtempSync(join(tmpdir(), "alixan-redfish-tls-"));
  const file = (name: string) => join(folder, name);
  before(() => {
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=alixan test BMC CA",
      "-keyout",
      file("ca.key"),
      "-out",
      file("ca.pem"),
    );
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-keyout",
      file("bmc.key"),
      "-out",
      file("bmc.csr"),
    );
    writeFileSync(file("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
      "x509",
      "-req",
      "-in",
      file("bmc.csr"),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      file("san.cnf"),
      "-out",
      file("bmc.pem"),
    );
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it("trusts the service through caFile, refuses it without, and skips checks only with insecure: true", async () => {
    const mockup = await serveRedfishMockup("public-cooling-unit", {
      credentials,
      tls: { key: readFileSync(file("bmc.key"), "utf8"), cert: readFileSync(file("bmc.pem"), "utf8") },
    });
    const warnings: string[] = [];
    const trusted = new RedfishClient(target({ url: mockup.url, ...signedIn, caFile: file("ca.pem") }), (warning) =>
      warnings.push(warning),
    );
    const untrusted = new RedfishClient(target({ url: mockup.url, ...signedIn }), (warning) => warnings.push(warning));
    try {
      assert.ok(mockup.url.startsWith("https://"));
      const read = await trusted.get(cdu);
      assert.notEqual(typeof read, "string", String(read));
      assert.equal(trusted.authentication, "session", "the session login went over the verified connection");
      assert.equal(warnings.length, 0);
      const refused = await untrusted.get(cdu);
      assert.equal(typeof refused, "string");
      assert.match(
        refused as string,
        /TLS: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); give the service's CA bundle as caFile/,
      );
      assert.equal(mockup.counts.logins, 1, "no credentials were sent over the refused connection");

      const insecure = new RedfishClient(target({ url: mockup.url, ...signedIn, insecure: true }), (warning) =>
        warnings.push(warning),
      );
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /cdu-h2-r01-01: TLS certificate verification is OFF \(insecure: true\)/);
      assert.notEqual(typeof (await insecure.get(cdu)), "string");
      await insecure.close();
    } finally {
      await trusted.close();
      await untrusted.close();
      await mockup.close();
    }
  });

  it("refuses wrong TLS settings at configuration time, naming the field", () => {
    const decoded = decodeRedfishTargets([
      { name: "a", url: "https://10.0.0.1", caFile: join(folder, "missing.pem"), resources: [{ uri: cdu }] },
      { name: "b", url: "http://10.0.0.1", insecure: true, resources: [{ uri: cdu }] },
      { name: "c", url: "https://10.0.0.1", insecure: true, caFile: file("ca.pem"), resources: [{ uri: cdu }] },
      { name: "d", url: "https://10.0.0.1", caFile: file("san.cnf"), resources: [{ uri: cdu }] },
      { name: "e", url: "https://10.0.0.1", insecure: "yes", resources: [{ uri: cdu }] },
      { name: "f", url: "https://10.0.0.1", auth: "digest", resources: [{ uri: cdu }] },
    ]);
    assert.ok(!decoded.ok);
    assert.deepEqual(decoded.problem.split("\n"), [
      `redfish[0].caFile: cannot read ${join(folder, "missing.pem")} (ENOENT)`,
      "redfish[1].insecure: only means something for an https URL",
      "redfish[2].caFile: give caFile or insecure: true, not both",
      `redfish[3].caFile: ${file("san.cnf")} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      'redfish[4].insecure: expected true or false, got "yes"',
      'redfish[5].auth: must be one of: session, basic; got "digest"',
    ]);
  });
});

describe("Redfish TelemetryService metric reports", () => {
  it("reads the report of each enabled definition, maps MetricValues to bound series, and skips a report already read", async () => {
    const sensors = "/redfish/v1/Chassis/CDU/Sensors";
    const mockup = await serveRedfishMockup("public-cooling-unit", { credentials, telemetry: { sensors } });
    const registry = new SeriesRegistry({ site });
    const stored: { key: string; at: number; value: number }[] = [];
    const sink = async (samples: SampleBuffer) => {
      for (let i = 0; i < samples.count; i++) {
        stored.push({
          key: registry.info(samples.series[i]!)!.key,
          at: samples.timestamps[i]!,
          value: samples.values[i]!,
        });
      }
      return undefined;
    };
    const reportTarget = target({
      url: mockup.url,
      ...signedIn,
      metricReports: true,
      resources: [
        {
          uri: sensors,
          equipment: "cdu:h2-r01-01",
          walk: false,
          rename: { PrimaryFlow: "cdu_primary_flow_lpm" },
        },
      ],
    });
    const poller = new RedfishPoller(
      reportTarget,
      (name, labels) => registry.intern(name, labels),
      sink,
      new AlarmBook({ site }),
    );
    try {
      const status = await poller.poll(Date.parse("2026-12-05T08:00:05Z"));
      assert.deepEqual(status.problems, []);
      assert.equal(status.metricReports, 1);
      assert.equal(status.authentication, "session");
      const reportAt = Date.parse("2026-12-05T08:00:00Z");
      const value = (key: string) => stored.find((sample) => sample.key === key && sample.at === reportAt)?.value;
      const labels = (sensor: string) =>
        `equipment="cdu:h2-r01-01",property="${sensors}/${sensor}/Reading",report="SensorReadings"`;
      // Figures of the mockup's sensor files (shared/data README: 42 L/min, 30 °C / 40 °C, 25.48 kW), named with
      // the unit their Sensor (the MetricProperty's resource) gives.
      assert.equal(value(`cdu_primary_flow_lpm{${labels("PrimaryFlow")}}`), 42, "renamed by the binding");
      assert.equal(value(`redfish_primary_supply_temp_celsius{${labels("PrimarySupplyTemp")}}`), 30);
      assert.equal(value(`redfish_primary_return_temp_celsius{${labels("PrimaryReturnTemp")}}`), 40);
      assert.equal(value(`redfish_primary_heat_load_kw{${labels("PrimaryHeatLoad")}}`), 25.48);
      assert.equal(value(`redfish_system_relative_humidity_percent{${labels("SystemRelativeHumidity")}}`), 26);
      const reportSamples = stored.filter((sample) => sample.at === reportAt).length;
      assert.equal(reportSamples, 18, "one sample per sensor of the mockup");

      await poller.poll(Date.parse("2026-12-05T08:00:15Z"));
      assert.equal(stored.filter((sample) => sample.at === reportAt).length, 18, "an unchanged report is skipped");
      mockup.override(`${sensors}/PrimaryFlow`, (sensor) => {
        sensor["Reading"] = 44.5;
      });
      mockup.setReportTime("2026-12-05T08:00:10Z");
      await poller.poll(Date.parse("2026-12-05T08:00:25Z"));
      const later = stored.filter((sample) => sample.at === Date.parse("2026-12-05T08:00:10Z"));
      assert.equal(later.length, 18);
      assert.equal(later.find((sample) => sample.key.startsWith("cdu_primary_flow_lpm"))?.value, 44.5);
    } finally {
      await poller.close();
      await mockup.close();
    }
  });
});
