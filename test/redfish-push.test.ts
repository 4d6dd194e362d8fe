/**
 * Redfish push subscriptions end to end: the platform subscribes itself to the EventService of the DMTF CDU mockup
 * (served by the fixture with sessions and subscriptions), the fixture delivers events and metric reports to the
 * Destination alixan registered, as a BMC does, and they become alarms and samples. The receiver route is attacked
 * with wrong secrets, no secret, wrong keys, unknown targets and oversized bodies; on shutdown the subscriptions
 * and the session are deleted from the service.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { decodeRedfishTargets } from "../src/telemetry/adapters/redfish/binding.ts";
import { type RedfishMockup, serveRedfishMockup } from "../src/telemetry/testing/redfish-mockup.ts";
import { staffKey } from "./support/api.ts";
import { freePort } from "./support/ports.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = Record<string, any>;

const credentials = { username: "monitor", password: "push-test-password" };
process.env["ALIXAN_TEST_PUSH_PASSWORD"] = credentials.password;
const targetName = "cdu-h2-r01-01";
const receiver = `/v1/telemetry/redfish/events/${targetName}`;
const leakOrigin = { "@odata.id": "/redfish/v1/ThermalEquipment/CDUs/1/LeakDetection/LeakDetectors/Overflow" };

let mockup: RedfishMockup;
let app: ComposedApp;
let url: string;
let admin: string;
let writerKey: string;
let readerKey: string;

async function waitFor<T>(find: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const call = async (path: string, key: string | undefined, init: RequestInit = {}) => {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      "content-type": "application/json",
      ...(init.headers ?? {}),
    },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Json };
};

before(async () => {
  mockup = await serveRedfishMockup("public-cooling-unit", {
    credentials,
    telemetry: { sensors: "/redfish/v1/Chassis/CDU/Sensors" },
  });
  const port = await freePort();
  const destination = `http://127.0.0.1:${port}`;
  // A subscription left by a previous run that was killed: the new run removes it before subscribing.
  const login = await fetch(`${mockup.url}/redfish/v1/SessionService/Sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ UserName: credentials.username, Password: credentials.password }),
  });
  const stale = await fetch(`${mockup.url}/redfish/v1/EventService/Subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-auth-token": login.headers.get("x-auth-token")! },
    body: JSON.stringify({ Destination: `${destination}${receiver}`, Protocol: "Redfish", Context: "alixan:old" }),
  });
  assert.equal(stale.status, 201);
  const targets = decodeRedfishTargets([
    {
      name: targetName,
      url: mockup.url,
      username: credentials.username,
      passwordEnv: "ALIXAN_TEST_PUSH_PASSWORD",
      intervalSeconds: 0.2,
      subscription: { destination, metricReports: true },
      resources: [
        { uri: "/redfish/v1/ThermalEquipment/CDUs/1", equipment: "cdu:h2-r01-01" },
        { uri: "/redfish/v1/Chassis/CDU/Sensors", equipment: "cdu:h2-r01-01", walk: false },
      ],
    },
  ]);
  assert.ok(targets.ok, targets.ok ? "" : targets.problem);
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: defaultFeatures({ telemetryInMemory: true, telemetry: { options: { redfish: targets.value } } }),
  });
  url = await app.server.listen({ port, host: "127.0.0.1" });
  admin = app.demoKeys!.find((key) => key.role === "platform-admin")!.token;
  writerKey = await staffKey(url, admin, "telemetry-writer", "Collector");
  readerKey = await staffKey(url, admin, "metrics-reader", "Scraper");
});

after(async () => {
  await app?.close();
  await mockup?.close();
});

describe("Redfish push subscriptions", () => {
  it("subscribes for events and metric reports with a secret Context, replacing a previous run's subscription", async () => {
    const made = await waitFor(() => (mockup.subscriptions.length === 2 ? mockup.subscriptions : undefined), 10_000);
    assert.deepEqual(made.map((subscription) => subscription.format).sort(), ["Event", "MetricReport"]);
    for (const subscription of made) {
      assert.equal(subscription.destination, `${url}${receiver}`);
      assert.match(subscription.context ?? "", /^alixan:[A-Za-z0-9_-]{32}$/);
      assert.equal(subscription.body["Protocol"], "Redfish");
    }
    assert.ok(!made.some((subscription) => subscription.context === "alixan:old"), "the stale one is gone");
    const status = await call("/v1/telemetry/status", admin);
    const redfish = status.json().redfish[0];
    assert.equal(redfish.subscription.destination, `${url}${receiver}`);
    assert.deepEqual(redfish.subscription.subscriptions.sort(), made.map((subscription) => subscription.uri).sort());
  });

  /**
   * Delivers the leak event `event` builds as Critical: the bound CDU's critical alarm is raised; then as Normal: it
   * is cleared.
   */
  async function leakRaisesAndClears(event: (messageId: string) => Record<string, unknown>): Promise<void> {
    assert.deepEqual(await mockup.deliver(event("Environmental.1.2.LeakDetectedCritical")), [200]);
    const alarms = await call("/v1/alarms", admin);
    const leak = (alarms.json().items ?? alarms.json()).find((alarm: Json) => alarm.key.includes("Overflow"));
    assert.ok(leak, alarms.text);
    assert.equal(leak.severity, "critical");
    assert.equal(leak.equipment, "cdu:h2-r01-01");
    assert.deepEqual(await mockup.deliver(event("Environmental.1.2.LeakDetectedNormal")), [200]);
    const after = await call("/v1/alarms", admin);
    assert.ok(!(after.json().items ?? after.json()).some((alarm: Json) => alarm.key.includes("Overflow")));
  }

  it("pushed events raise and clear alarms on the bound equipment", async () => {
    await leakRaisesAndClears((messageId) => ({
      "@odata.type": "#Event.v1_7_0.Event",
      Id: messageId,
      Name: "Leak event",
      Events: [
        {
          EventType: "Alert",
          MessageId: messageId,
          MessageArgs: ["Overflow"],
          Message: `Leak detector 'Overflow': ${messageId}`,
          OriginOfCondition: leakOrigin,
        },
      ],
    }));
  });

  it("takes an event whose unfilled properties are null and whose arguments are numbers, as services send them", async () => {
    // Checked as sent, one null or a number in MessageArgs made the whole push a 400, which a service retries and then
    // suspends its subscription for (its events lost); the readers take each field only with the type they need.
    await leakRaisesAndClears((messageId) => ({
      "@odata.type": "#Event.v1_7_0.Event",
      Id: null,
      Timestamp: null,
      Events: [
        {
          EventType: null,
          MessageId: messageId,
          MessageArgs: ["Overflow", 2, true, null],
          Message: null,
          MessageSeverity: null,
          Severity: null,
          OriginOfCondition: leakOrigin,
        },
      ],
    }));
  });

  it("pushed metric reports become samples of the bound equipment", async () => {
    mockup.setReportTime(new Date(Date.now() - 1000).toISOString());
    assert.deepEqual(await mockup.deliver(mockup.metricReport(), "MetricReport"), [200]);
    const series = await call("/v1/telemetry/series?name=redfish_primary_heat_load_kw", admin);
    // The mockup's SecondaryHeatLoad sensor carries the Id PrimaryHeatLoad too: the property label tells them apart.
    const byProperty = new Map((series.json() as Json[]).map((entry) => [entry.labels.property, entry]));
    const primary = byProperty.get("/redfish/v1/Chassis/CDU/Sensors/PrimaryHeatLoad/Reading");
    assert.ok(primary, series.text);
    assert.equal(primary.value, 25.48);
    assert.equal(primary.labels.equipment, "cdu:h2-r01-01");
    assert.equal(primary.labels.report, "SensorReadings");
    assert.equal(byProperty.get("/redfish/v1/Chassis/CDU/Sensors/SecondaryHeatLoad/Reading")?.value, 25.31);
  });

  it("refuses pushes without the secret, with a wrong one, or to unknown targets; keys are checked as usual", async () => {
    const body = (context?: string) =>
      JSON.stringify({
        Events: [{ MessageId: "Environmental.1.2.LeakDetectedCritical", OriginOfCondition: leakOrigin }],
        ...(context === undefined ? {} : { Context: context }),
      });
    const post = (path: string, key: string | undefined, payload: string, headers: Record<string, string> = {}) =>
      call(path, key, { method: "POST", body: payload, headers });
    const wrong = await post(receiver, undefined, body(`alixan:${"A".repeat(32)}`));
    assert.equal(wrong.status, 401, wrong.text);
    assert.match(wrong.json().detail, /Context: not the secret/);
    assert.equal((await post(receiver, undefined, body())).status, 401);
    // A Context that is no string is a malformed event (bodies are checked as sent, before any secret is compared).
    const numeric = await post(receiver, undefined, body(12 as unknown as string));
    assert.equal(numeric.status, 400, numeric.text);
    assert.ok(
      numeric.json().errors.some((error: { field: string }) => error.field === "body.Context"),
      numeric.text,
    );
    const unknown = await post("/v1/telemetry/redfish/events/nobody", undefined, body("x"));
    assert.equal(unknown.status, 401, "no key: the route does not say which targets exist");
    assert.equal((await post("/v1/telemetry/redfish/events/nobody", admin, body())).status, 404);
    assert.equal((await post(receiver, "alx_not-a-key", body())).status, 401);
    const reader = await post(receiver, readerKey, body());
    assert.equal(reader.status, 403, reader.text);
    // A key that may write telemetry needs no Context (services that can send HttpHeaders).
    const writer = await post(receiver, writerKey, body());
    assert.equal(writer.status, 200, writer.text);
    assert.deepEqual(writer.json(), { kind: "event", count: 1 });
    const none = await call("/v1/alarms", admin);
    assert.ok((none.json().items ?? none.json()).some((alarm: Json) => alarm.key.includes("Overflow")));
    await post(receiver, writerKey, body().replace("LeakDetectedCritical", "LeakDetectedNormal"));
  });

  it("bounds the body: too many records, oversized fields and bodies are refused naming the field", async () => {
    const records = Array.from({ length: 1001 }, () => ({ MessageId: "Base.1.0.Success" }));
    const many = await call(receiver, writerKey, { method: "POST", body: JSON.stringify({ Events: records }) });
    assert.equal(many.status, 400, many.text);
    assert.match(many.text, /Events/);
    const long = await call(receiver, writerKey, {
      method: "POST",
      body: JSON.stringify({ Context: "x".repeat(300), Events: [] }),
    });
    assert.equal(long.status, 400, long.text);
    assert.match(long.text, /Context/);
    const huge = await call(receiver, undefined, {
      method: "POST",
      body: JSON.stringify({ Events: [], Padding: "x".repeat(5 * 1024 * 1024) }),
    });
    assert.equal(huge.status, 413, huge.text);
    const values = await call(receiver, writerKey, {
      method: "POST",
      body: JSON.stringify({
        "@odata.type": "#MetricReport.v1_5_0.MetricReport",
        Id: "Bad",
        MetricValues: [{ MetricId: "Flow", MetricValue: "not a number" }],
      }),
    });
    assert.equal(values.status, 200, values.text);
    assert.equal(values.json().accepted, 0);
    assert.match(values.json().rejected[0].problem, /"not a number" is not a number/);
  });

  it("answers a push whose unit look-up failed: 503 to send again when it may pass, the rest stored otherwise", async () => {
    const definitions = "/redfish/v1/TelemetryService/MetricDefinitions";
    const push = (id: string, definition: string) =>
      call(receiver, writerKey, {
        method: "POST",
        body: JSON.stringify({
          "@odata.type": "#MetricReport.v1_5_0.MetricReport",
          Id: id,
          Timestamp: new Date(Date.now() - 1000).toISOString(),
          MetricValues: [
            { MetricId: "Plain", MetricValue: "5" },
            { MetricId: "Named", MetricValue: "6", MetricDefinition: { "@odata.id": definition } },
          ],
        }),
      });
    const plain = async (report: string) => {
      const series = await call("/v1/telemetry/series?name=redfish_plain", admin);
      return (series.json() as Json[]).find((entry) => entry.labels.report === report);
    };
    // The BMC answers the definition 503 (busy): that may pass, so nothing is stored and the push is asked again.
    mockup.answerWith(`${definitions}/Busy`, 503);
    const busy = await push("Busy", `${definitions}/Busy`);
    assert.equal(busy.status, 503, busy.text);
    assert.equal(busy.headers.get("retry-after"), "60");
    assert.equal(busy.json().retryAfterSeconds, 60);
    assert.match(
      busy.json().detail,
      /MetricDefinitions\/Busy: HTTP 503; not asked again before .*send the report again in 60 s/,
    );
    assert.equal(await plain("Busy"), undefined, "nothing of it stored");
    // Sent again while the failure is remembered: the BMC is not asked, that value is refused, the rest stored.
    const again = await push("Busy", `${definitions}/Busy`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json().accepted, 1);
    assert.equal(again.json().rejected[0].path, "MetricReport Busy.MetricValues[1]");
    assert.match(
      again.json().rejected[0].problem,
      /Busy: HTTP 503; remembered \(failed once\): not asked again before/,
    );
    assert.equal(mockup.requests.get(`${definitions}/Busy`), 1, "asked once");
    assert.equal((await plain("Busy"))?.value, 5);
    // Failures that will not pass (no such definition, a resource that is not one) refuse that value only.
    for (const [id, definition, problem] of [
      ["Gone", `${definitions}/Gone`, /Gone: HTTP 404; not asked again before/],
      ["NotOne", "/redfish/v1/Chassis/CDU", /CDU: #Chassis\.\S+: not a MetricDefinition or Sensor/],
    ] as const) {
      const answer = await push(id, definition);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json().accepted, 1, answer.text);
      assert.match(answer.json().rejected[0].problem, problem);
    }
    // A pushed report cannot make the platform ask another host: a second loopback server counts what reaches it.
    let hits = 0;
    const elsewhere = createServer((_request, response) => {
      hits++;
      response.end("{}");
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    try {
      const port = (elsewhere.address() as AddressInfo).port;
      for (const definition of [`http://127.0.0.1:${port}/redfish/v1/D`, `//127.0.0.1:${port}/redfish/v1/D`]) {
        const answer = await push("Elsewhere", definition);
        assert.equal(answer.status, 200, answer.text);
        assert.match(
          answer.json().rejected[0].problem,
          /not on this service \(http:\/\/127\.0\.0\.1:\d+\): not requested/,
        );
      }
      assert.equal(hits, 0);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  it("deletes its subscriptions and its session when the platform stops", async () => {
    const deletedBefore = mockup.counts.sessionsDeleted;
    await app.close();
    assert.equal(mockup.subscriptions.length, 0);
    assert.ok(mockup.counts.sessionsDeleted > deletedBefore);
  });
});
