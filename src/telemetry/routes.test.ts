import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { loadSite } from "../model/load.ts";
import { apiValidation } from "../server/app.ts";
import { registerTelemetryRoutes } from "./routes.ts";
import { TelemetryService } from "./service.ts";

let app: FastifyInstance;
let service: TelemetryService;
const now = Date.now();

before(async () => {
  const opened = await TelemetryService.open({ site: loadSite("lab").site!, onProblem: () => {} });
  assert.ok(opened.ok);
  service = opened.value;
  // Validated as the API server validates (bodies as sent, query values read as their types).
  app = Fastify(apiValidation());
  registerTelemetryRoutes(app, service, { heartbeatMs: 50 });
  await app.ready();
});

after(async () => {
  await app.close();
  await service.close();
});

describe("telemetry routes", () => {
  it("POST /v1/telemetry/samples accepts good samples, lists bad ones, and answers 400 when nothing is accepted", async () => {
    const partial = await app.inject({
      method: "POST",
      url: "/v1/telemetry/samples",
      payload: {
        samples: [
          { name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: 41, timestamp: now - 20_000 },
          { name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: "x" },
        ],
      },
    });
    assert.equal(partial.statusCode, 200);
    assert.deepEqual(partial.json(), {
      accepted: 1,
      rejected: [{ path: "samples[1].value", problem: 'must be a finite number, not the string "x"' }],
      rejectedCount: 1,
    });
    const none = await app.inject({
      method: "POST",
      url: "/v1/telemetry/samples",
      payload: { samples: [{ value: 1 }] },
    });
    assert.equal(none.statusCode, 400);
    assert.equal(none.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.match(none.json().detail, /all 1 inputs were rejected; the first: samples\[0\].name: must be a string/);
    const garbage = await app.inject({
      method: "POST",
      url: "/v1/telemetry/samples",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    assert.equal(garbage.statusCode, 400);
    assert.equal(garbage.json().title, "Invalid request");
    assert.equal(garbage.json().stack, undefined);
  });

  it("POST /v1/telemetry/influx reports bad lines by number", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v1/telemetry/influx?precision=ms",
      headers: { "content-type": "text/plain" },
      payload: `rack,rack=rack:h1-r01-01 inlet_celsius=24.5 ${now - 10_000}\nrack,rack=rack:h1-r01-01 inlet_celsius=hot\n`,
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      accepted: 1,
      rejected: [
        {
          line: 2,
          path: 'field "inlet_celsius"',
          problem: '"hot" is not a number, integer (1i), unsigned (1u), boolean or string',
        },
      ],
      rejectedCount: 1,
    });
    const wrongPrecision = await app.inject({
      method: "POST",
      url: "/v1/telemetry/influx?precision=min",
      payload: "m f=1",
    });
    assert.equal(wrongPrecision.statusCode, 400);
  });

  it("GET /v1/telemetry/query and /series answer by rack with relative times", async () => {
    const raw = await app.inject({ method: "GET", url: "/v1/telemetry/query?rack=rack:h1-r01-01&from=-1h" });
    assert.equal(raw.statusCode, 200);
    const body = raw.json();
    assert.equal(body.source, "hot");
    assert.deepEqual(
      body.frames.map((frame: { name: string; values: number[] }) => [frame.name, frame.values]),
      [
        ['rack_power_kw{rack="rack:h1-r01-01"}', [41]],
        ['rack_inlet_celsius{rack="rack:h1-r01-01"}', [24.5]],
      ],
    );
    const grouped = await app.inject({
      method: "GET",
      url: "/v1/telemetry/query?row=row:h1-r01&name=rack_power_kw&step=1m&groupBy=row&aggregation=max",
    });
    assert.equal(grouped.json().frames[0].name, "row:h1-r01");
    const bad = await app.inject({ method: "GET", url: "/v1/telemetry/query?from=yesterday" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().detail, "from: yesterday is not a time (ms, RFC 3339 or -1h)");
    const series = await app.inject({ method: "GET", url: "/v1/telemetry/series?name=rack_inlet_celsius" });
    assert.deepEqual(series.json()[0].location, {
      equipment: "rack:h1-r01-01",
      rack: "rack:h1-r01-01",
      row: "row:h1-r01",
      hall: "hall:h1",
      plant: "plant:lab",
    });
    assert.equal(series.json()[0].value, 24.5);
  });

  it("alarms: list, acknowledge and shelve with the user recorded, unshelve, history; clear errors", async () => {
    await service.ingestJson({
      samples: [
        { name: "leak_detector_state", labels: { equipment: "cdu:h2-r01-01", detector: "Moisture" }, value: 2 },
      ],
    });
    const list = await app.inject({ method: "GET", url: "/v1/alarms?severity=critical" });
    const [alarm] = list.json();
    assert.equal(alarm.title, "Leak detected");
    assert.deepEqual(alarm.rows, ["row:h2-r01"]);
    const id = alarm.id as string;

    const anonymous = await app.inject({ method: "POST", url: `/v1/alarms/${id}/acknowledge`, payload: {} });
    assert.equal(anonymous.statusCode, 400);
    /** The fields a 400 names (the API fuzzer found these refusals naming none). */
    const fields = (response: { json(): { errors?: { field: string }[] } }) =>
      (response.json().errors ?? []).map((error) => error.field);
    assert.deepEqual(fields(anonymous), ["body.user"]);
    const noEnd = await app.inject({ method: "POST", url: `/v1/alarms/${id}/shelve`, payload: { user: "camille" } });
    assert.equal(noEnd.statusCode, 400);
    assert.deepEqual(fields(noEnd), ["body.minutes"]);
    const badEnd = { user: "camille", until: "next week" };
    const badUntil = await app.inject({ method: "POST", url: `/v1/alarms/${id}/shelve`, payload: badEnd });
    assert.deepEqual(fields(badUntil), ["body.until"]);
    const badStep = await app.inject({ method: "GET", url: "/v1/telemetry/query?rack=rack:h1-r01-01&step=soon" });
    assert.deepEqual(fields(badStep), ["querystring.step"]);
    const backwards = await app.inject({
      method: "GET",
      url: "/v1/telemetry/query?rack=rack:h1-r01-01&from=-1h&to=-2h",
    });
    assert.equal(backwards.statusCode, 400);
    assert.deepEqual(fields(backwards), ["querystring.to"]);
    // No body at all is the same request as an empty one (not "body must be object").
    const bodiless = await app.inject({ method: "POST", url: `/v1/alarms/${id}/acknowledge` });
    assert.equal(bodiless.statusCode, 400);
    assert.equal(bodiless.json().detail, anonymous.json().detail);
    const acknowledged = await app.inject({
      method: "POST",
      url: `/v1/alarms/${id}/acknowledge`,
      payload: { user: "camille", comment: "draining" },
    });
    assert.equal(acknowledged.statusCode, 200);
    assert.equal(acknowledged.json().acknowledged.by, "camille");
    const again = await app.inject({ method: "POST", url: `/v1/alarms/${id}/acknowledge`, payload: { user: "yanis" } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().detail, `alarm ${id} was already acknowledged by camille`);

    const shelved = await app.inject({
      method: "POST",
      url: `/v1/alarms/${id}/shelve`,
      payload: { user: "camille", minutes: 30 },
    });
    assert.equal(shelved.statusCode, 200);
    assert.equal(shelved.json().shelved.by, "camille");
    const tooLong = await app.inject({
      method: "POST",
      url: `/v1/alarms/${id}/shelve`,
      payload: { user: "camille", minutes: 100_000 },
    });
    assert.equal(tooLong.statusCode, 409);
    const unshelved = await app.inject({
      method: "POST",
      url: `/v1/alarms/${id}/unshelve`,
      payload: { user: "camille" },
    });
    assert.equal(unshelved.json().shelved, undefined);
    const missing = await app.inject({
      method: "POST",
      url: "/v1/alarms/nope/acknowledge",
      payload: { user: "camille" },
    });
    assert.equal(missing.statusCode, 404);

    const one = await app.inject({ method: "GET", url: `/v1/alarms/${id}` });
    assert.equal(one.json().id, id);
    const history = await app.inject({ method: "GET", url: `/v1/alarms/history?alarm=${id}` });
    assert.deepEqual(
      history.json().map((event: { type: string }) => event.type),
      ["unshelved", "shelved", "acknowledged", "raised"],
    );
  });

  it("GET /v1/telemetry/export.parquet returns a Parquet file of the selection", async () => {
    const response = await app.inject({
      method: "GET",
      url: "/v1/telemetry/export.parquet?rack=rack:h1-r01-01&from=-1h",
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "application/vnd.apache.parquet");
    assert.equal(response.headers["x-alixan-rows"], "2");
    assert.equal(response.rawPayload.subarray(0, 4).toString(), "PAR1");
  });

  it("times past what a Date holds are refused as 400 naming the field, not failed in the history as 500", async () => {
    const paths = ["/v1/telemetry/export.parquet", "/v1/alarms/history", "/v1/telemetry/query"];
    const times = ["99999999999999999999999", "-99999999999999999d", "8640000000000001", "-999999999999999999999ms"];
    for (const path of paths) {
      for (const field of ["from", "to"]) {
        for (const time of times) {
          const response = await app.inject({ method: "GET", url: `${path}?${field}=${time}` });
          assert.equal(response.statusCode, 400, `${path}?${field}=${time}: ${response.body}`);
          assert.deepEqual(
            response.json().errors.map((error: { field: string }) => error.field),
            [`querystring.${field}`],
            response.body,
          );
          assert.doesNotMatch(response.body, /alixan-export-/, "the answer names no temporary file");
        }
      }
    }
    // The largest time a Date holds is still a time.
    const edge = await app.inject({ method: "GET", url: "/v1/alarms/history?from=-8640000000000000" });
    assert.equal(edge.statusCode, 200, edge.body);
  });

  it("GET /metrics serves exposition text", async () => {
    const response = await app.inject({ method: "GET", url: "/metrics?name=rack_power_kw" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    assert.match(response.body, /# TYPE alixan_alarms_active gauge\n/);
    assert.match(response.body, /\nrack_power_kw\{rack="rack:h1-r01-01"\} 41\n/);
  });

  it("a sender past its series limit is answered 429; known series still land and other senders are not held back", async () => {
    const opened = await TelemetryService.open({
      site: loadSite("lab").site!,
      onProblem: () => {},
      maxSeriesPerSource: 3,
    });
    assert.ok(opened.ok);
    const limited = opened.value;
    const server = Fastify();
    registerTelemetryRoutes(server, limited, { heartbeatMs: 50 });
    try {
      const sample = (rack: number, value: number) => ({
        name: "rack_power_kw",
        labels: { rack: `rack:h1-r01-0${rack}` },
        value,
        timestamp: now - 5_000,
      });
      const push = (samples: unknown[], ip: string) =>
        server.inject({ method: "POST", url: "/v1/telemetry/samples", payload: { samples }, remoteAddress: ip });
      const first = await push([sample(1, 1), sample(2, 2), sample(3, 3)], "10.0.0.1");
      assert.equal(first.statusCode, 200);
      const over = await push([sample(1, 4), sample(4, 5), sample(5, 6)], "10.0.0.1");
      assert.equal(over.statusCode, 429);
      assert.equal(over.headers["content-type"], "application/problem+json; charset=utf-8");
      assert.equal(over.json().title, "Series limit reached");
      assert.equal(over.json().seriesLimited, 2);
      assert.equal(over.json().accepted, 1, "the known series' sample is kept");
      // The limit is per sender: another address still creates series.
      const other = await push([sample(4, 7)], "10.0.0.2");
      assert.equal(other.statusCode, 200);
      assert.equal(limited.registry.size, 4);
    } finally {
      await server.close();
      await limited.close();
    }
  });

  it("GET /v1/telemetry/stream sends new samples and alarm changes as server-sent events", async () => {
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const controller = new AbortController();
    try {
      const response = await fetch(`${address}/v1/telemetry/stream?rack=rack:h1-r01-02`, { signal: controller.signal });
      assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
      const reader = response.body!.getReader();
      let text = "";
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error("stream ended");
          text += new TextDecoder().decode(value);
        }
      };
      await readUntil(/: connected/);
      await service.ingestJson({
        samples: [
          { name: "rack_power_kw", labels: { rack: "rack:h1-r01-02" }, value: 12 },
          { name: "leak_detector_state", labels: { equipment: "rack:h1-r01-02" }, value: 1 },
        ],
      });
      await readUntil(/event: samples\n/);
      await readUntil(/event: alarm\n/);
      await readUntil(/: keep-alive/);
      assert.match(text, /data: \[\{"name":"rack_power_kw\{rack=\\"rack:h1-r01-02\\"\}"/);
      assert.match(text, /"type":"raised"/);
    } finally {
      controller.abort();
    }
  });
});
