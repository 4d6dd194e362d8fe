import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../../../model/load.ts";
import { AlarmBook, type AlarmEvent } from "../../alarms/book.ts";
import type { SampleBuffer } from "../../samples.ts";
import { SeriesRegistry } from "../../series.ts";
import { TelemetryService } from "../../service.ts";
import { indexSite } from "../../site-index.ts";
import { serveRedfishMockup } from "../../testing/redfish-mockup.ts";
import { decodeRedfishTargets, type RedfishTarget } from "./binding.ts";
import { RedfishClient } from "./client.ts";
import { RedfishEventStream } from "./events.ts";
import { RedfishPoller } from "./poller.ts";

const labSite = loadSite("lab").site!;
const site = indexSite(labSite);

function target(url: string, resources: unknown[], extra: Record<string, unknown> = {}): RedfishTarget {
  const decoded = decodeRedfishTargets([{ name: "cdu-h2-r01-01", url, intervalSeconds: 0.3, resources, ...extra }]);
  assert.ok(decoded.ok, decoded.ok ? "" : decoded.problem);
  return decoded.value[0]!;
}

async function pollOnce(redfishTarget: RedfishTarget) {
  const registry = new SeriesRegistry({ site });
  const book = new AlarmBook({ site });
  const readings = new Map<string, number>();
  const sink = async (samples: SampleBuffer) => {
    for (let i = 0; i < samples.count; i++) readings.set(registry.info(samples.series[i]!)!.key, samples.values[i]!);
    return undefined;
  };
  const poller = new RedfishPoller(redfishTarget, (name, labels) => registry.intern(name, labels), sink, book);
  const status = await poller.poll(1_000);
  await poller.close();
  return { readings, book, status, registry };
}

async function waitFor<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("Redfish poller", () => {
  it("reads the CDU mockup onto the site model: coolant connectors, pumps, leak detection, conditions", async () => {
    const mockup = await serveRedfishMockup("public-cooling-unit");
    try {
      const { readings, book, status } = await pollOnce(
        target(mockup.url, [
          { uri: "/redfish/v1/ThermalEquipment/CDUs/1", equipment: "cdu:h2-r01-01" },
          {
            uri: "/redfish/v1/Chassis/CDU/Sensors/PrimaryFlow",
            equipment: "cdu:h2-r01-01",
            series: "cdu_primary_flow_lpm",
          },
        ]),
      );
      assert.deepEqual(status.problems, []);
      const primary = 'connector="1",equipment="cdu:h2-r01-01",loop="primary"';
      // Reference figures of the mockup (shared/data README): 50 L/min rated, 42 L/min, 30 °C / 40 °C, 25.48 kW.
      assert.equal(readings.get(`coolant_rated_flow_lpm{${primary}}`), 50);
      assert.equal(readings.get(`coolant_flow_lpm{${primary}}`), 42);
      assert.equal(readings.get(`coolant_supply_temperature_celsius{${primary}}`), 30);
      assert.equal(readings.get(`coolant_return_temperature_celsius{${primary}}`), 40);
      assert.equal(readings.get(`heat_removed_kw{${primary}}`), 25.48);
      assert.equal(readings.get('heat_removed_kw{connector="1",equipment="cdu:h2-r01-01",loop="secondary"}'), 25.31);
      assert.equal(readings.get('pump_speed_percent{equipment="cdu:h2-r01-01",pump="1"}'), 38.5);
      assert.equal(readings.get('leak_detector_state{detector="Moisture",equipment="cdu:h2-r01-01"}'), 0);
      assert.equal(
        readings.get(
          'redfish_health{equipment="cdu:h2-r01-01",resource="/redfish/v1/ThermalEquipment/CDUs/1/Pumps/2"}',
        ),
        2,
      );
      assert.equal(readings.get('cdu_primary_flow_lpm{equipment="cdu:h2-r01-01",sensor="PrimaryFlow"}'), 42);
      assert.equal(readings.get('up{instance="cdu-h2-r01-01",job="redfish"}'), 1);

      // The mockup's CDU lists pump 2 as failed: a critical alarm naming the CDU and the row it feeds.
      const pump = book.list().find((alarm) => alarm.title === "Pump failed")!;
      assert.equal(pump.severity, "critical");
      assert.equal(pump.equipment, "cdu:h2-r01-01");
      assert.deepEqual(pump.rows, ["row:h2-r01"]);
      assert.match(pump.message, /Pump '2' has failed/);
    } finally {
      await mockup.close();
    }
  });

  it("reads a power domain of the PDU mockup, walking to its rack PDU's metrics, circuits and outlets", async () => {
    const mockup = await serveRedfishMockup("public-pdu");
    try {
      const { readings, status } = await pollOnce(
        target(mockup.url, [
          { uri: "/redfish/v1/Facilities/Room237/PowerDomains/Row1", equipment: "row:h1-r01" },
          { uri: "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A1", equipment: "rack:h1-r01-01" },
          { uri: "/redfish/v1/Chassis/PDU/Sensors", equipment: "busway:h1-r01-a", walk: true },
        ]),
      );
      assert.deepEqual(
        status.problems.filter((problem) => !problem.includes("HTTP 404")),
        [],
      );
      assert.equal(readings.get('power_watts{equipment="row:h1-r01"}'), 6438);
      assert.equal(readings.get('power_capacity_va{equipment="row:h1-r01"}'), 20000);
      assert.equal(
        readings.get('circuit_current_amperes{circuit="A",circuit_type="Branch",equipment="row:h1-r01"}'),
        5.19,
      );
      assert.equal(
        readings.get(
          'circuit_line_current_amperes{circuit="AC1",circuit_type="Mains",equipment="row:h1-r01",line="Line1"}',
        ),
        8.02,
      );
      assert.equal(
        readings.get('circuit_breaker_tripped{circuit="A",circuit_type="Branch",equipment="row:h1-r01"}'),
        0,
      );
      assert.equal(
        readings.get('outlet_power_watts{equipment="rack:h1-r01-01",outlet="A1"}'),
        197.4,
        "the outlet's own binding wins",
      );
      assert.equal(readings.get('sensor_power_watts{equipment="busway:h1-r01-a",sensor="PowerA1"}'), 427.3);
    } finally {
      await mockup.close();
    }
  });

  it("rejects a bad binding naming each field", () => {
    const decoded = decodeRedfishTargets([
      { name: "x", url: "ftp://x", resources: [{ uri: "/v1/oops", equipment: 3 }], colour: 1 },
      { name: "x", url: "http://h", intervalSeconds: -1, resources: [] },
      { name: "y", url: "http://h", resources: [] },
    ]);
    assert.ok(!decoded.ok);
    // The shape by the schema, each entry's every field; the rules between fields once an entry's fields are right.
    assert.deepEqual(decoded.problem.split("\n"), [
      'redfish[0].colour: unknown field "colour"',
      'redfish[0].url: expected an http(s) URL, got "ftp://x"',
      'redfish[0].resources[0].uri: expected a Redfish path starting with /redfish/v1, got "/v1/oops"',
      "redfish[0].resources[0].equipment: expected non-empty text, got 3",
      "redfish[1].intervalSeconds: must be greater than 0, got -1",
      "redfish[1].name: x is used twice",
      "redfish[2].resources: must list at least one resource (or read metricReports, or push a subscription)",
    ]);
  });
});

describe("Redfish leak detection end to end", () => {
  it("a leak detector going Critical in the served mockup raises a critical alarm within one poll interval", async () => {
    const mockup = await serveRedfishMockup("public-cooling-unit");
    const intervalMs = 300;
    const opened = await TelemetryService.open({
      site: labSite,
      redfish: [
        target(mockup.url, [{ uri: "/redfish/v1/ThermalEquipment/CDUs/1", equipment: "cdu:h2-r01-01" }], {
          intervalSeconds: intervalMs / 1000,
        }),
      ],
      onProblem: () => {},
    });
    assert.ok(opened.ok);
    const service = opened.value;
    try {
      await waitFor(() => (service.status().redfish[0]!.status === undefined ? undefined : true), 5000);
      assert.equal(service.alarms.list().filter((alarm) => alarm.source === "leak-detector").length, 0);
      const events: AlarmEvent[] = [];
      // When the alarm is raised, the start of the last poll that had finished (the raising poll's is not recorded yet).
      let lastFinishedPollAt: number | undefined;
      service.alarms.onEvent((event) => {
        if (event.type === "raised" && event.alarm.source === "leak-detector") {
          lastFinishedPollAt ??= service.status().redfish[0]!.status?.at;
        }
        events.push(event);
      });
      const changedAtMs = Date.now();
      mockup.override("/redfish/v1/ThermalEquipment/CDUs/1/LeakDetection", (resource) => {
        const groups = resource["LeakDetectorGroups"] as { Detectors: { DetectorState: string }[] }[];
        groups[0]!.Detectors[0]!.DetectorState = "Critical";
      });
      const raised = await waitFor(
        () => events.find((event) => event.type === "raised" && event.alarm.source === "leak-detector"),
        intervalMs * 20,
      );
      assert.equal(raised.alarm.severity, "critical");
      assert.equal(raised.alarm.equipment, "cdu:h2-r01-01");
      assert.deepEqual(raised.alarm.rows, ["row:h2-r01"]);
      assert.match(raised.alarm.series!, /detector="Moisture"/);
      // The first poll that starts after the change raises it: no poll begun after the change finished without it
      // (a poll in flight at the change may have read the detector before it). Counted in polls, not in wall time,
      // which a loaded machine stretches; the next poll starts at most one interval on (the poller's schedule).
      assert.ok(lastFinishedPollAt !== undefined);
      assert.ok(
        lastFinishedPollAt < changedAtMs,
        `a poll started ${lastFinishedPollAt - changedAtMs} ms after the change finished without raising it`,
      );
    } finally {
      await service.close();
      await mockup.close();
    }
  });

  it("EventService server-sent events raise and clear alarms by message id", async () => {
    const mockup = await serveRedfishMockup("public-cooling-unit");
    const book = new AlarmBook({ site });
    const streamTarget = target(
      mockup.url,
      [{ uri: "/redfish/v1/ThermalEquipment/CDUs/1", equipment: "cdu:h2-r01-01" }],
      {
        events: true,
      },
    );
    const client = new RedfishClient(streamTarget);
    const stream = new RedfishEventStream(client, streamTarget, book, () => 5_000);
    try {
      stream.start();
      await waitFor(() => (mockup.streams > 0 ? true : undefined), 5000);
      const origin = { "@odata.id": "/redfish/v1/ThermalEquipment/CDUs/1/LeakDetection/LeakDetectors/Overflow" };
      mockup.sendEvent(
        {
          "@odata.type": "#Event.v1_7_0.Event",
          Id: "1",
          Events: [
            {
              EventType: "Alert",
              MessageId: "Environmental.1.2.LeakDetectedWarning",
              MessageArgs: ["Overflow"],
              MessageSeverity: "Warning",
              Message: "Leak detector 'Overflow' reports a warning level leak.",
              OriginOfCondition: origin,
            },
          ],
        },
        "1",
      );
      const alarm = await waitFor(() => book.list()[0], 3000);
      assert.equal(alarm.severity, "warning");
      assert.equal(alarm.equipment, "cdu:h2-r01-01");
      assert.deepEqual(alarm.rows, ["row:h2-r01"]);
      mockup.sendEvent({
        Events: [
          { MessageId: "Environmental.1.2.LeakDetectedCritical", MessageArgs: ["Overflow"], OriginOfCondition: origin },
        ],
      });
      await waitFor(() => (book.list()[0]?.severity === "critical" ? true : undefined), 3000);
      mockup.sendEvent({
        Events: [
          { MessageId: "Environmental.1.2.LeakDetectedNormal", MessageArgs: ["Overflow"], OriginOfCondition: origin },
        ],
      });
      await waitFor(() => (book.list().length === 0 ? true : undefined), 3000);
      mockup.sendEvent("not json at all");
      assert.equal(stream.status.events, 3);
    } finally {
      await stream.close();
      await client.close();
      await mockup.close();
    }
  });
});
