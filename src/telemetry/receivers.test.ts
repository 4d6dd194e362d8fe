/**
 * The collectors' write endpoints over HTTP: Prometheus remote-write bodies built by the platform's own exporter
 * encoder (checked against the shared schema), Influx 1 and 2 writes with gzip and precision, and the limits that
 * keep compressed bodies and zip bombs bounded. Real Prometheus remote-writing is in test/remote-write.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import Fastify, { type FastifyInstance } from "fastify";
import { compress as snappyCompress } from "snappyjs";
import { loadSite } from "../model/load.ts";
import { apiValidation } from "../server/app.ts";
import { encodeLabels, encodeWriteRequest } from "./export/remote-write.ts";
import { snappyEncode } from "./export/snappy.ts";
import { decodeWriteRequest, timestampMs } from "./remote-write-proto.ts";
import { registerTelemetryRoutes } from "./routes.ts";
import { TelemetryService } from "./service.ts";

let app: FastifyInstance;
let service: TelemetryService;
const now = Math.floor(Date.now() / 1000) * 1000;

before(async () => {
  const opened = await TelemetryService.open({ site: loadSite("lab").site!, onProblem: () => {} });
  assert.ok(opened.ok);
  service = opened.value;
  // Validated as the API server validates (bodies as sent, query values read as their types).
  app = Fastify(apiValidation());
  registerTelemetryRoutes(app, service, { bodyLimit: 1 << 20, compressedLimit: 1 << 16 });
  await app.ready();
});

after(async () => {
  await app.close();
  await service.close();
});

function latest(name: string, labels: Record<string, string> = {}) {
  return service
    .series({ names: [name] })
    .find((entry) => Object.entries(labels).every(([key, value]) => entry.info.labels[key] === value));
}

function writeRequest(series: { name: string; labels: Record<string, string>; samples: [number, number][] }[]) {
  return encodeWriteRequest(
    series.map((item) => ({
      labels: encodeLabels(item.name, item.labels),
      timestamps: item.samples.map(([timestamp]) => timestamp),
      values: item.samples.map(([, value]) => value),
    })),
  );
}

const remoteHeaders = {
  "content-type": "application/x-protobuf",
  "content-encoding": "snappy",
  "x-prometheus-remote-write-version": "0.1.0",
};

describe("Prometheus remote-write receiver", () => {
  it("the exporter's encoding and the shared schema agree", () => {
    const bytes = writeRequest([{ name: "a_total", labels: { z: "1", b: "é" }, samples: [[now, 2.5]] }]);
    const [series] = decodeWriteRequest(bytes);
    assert.deepEqual(
      series!.labels.map((label) => [label.name, label.value]),
      [
        ["__name__", "a_total"],
        ["b", "é"],
        ["z", "1"],
      ],
    );
    assert.equal(series!.samples[0]!.value, 2.5);
    assert.equal(timestampMs(series!.samples[0]!.timestamp), now);
  });

  it("takes a snappy WriteRequest (204), skips NaN staleness markers", async () => {
    const body = snappyEncode(
      writeRequest([
        {
          name: "rack_power_kw",
          labels: { rack: "rack:h1-r01-01", job: "pdu" },
          samples: [
            [now - 1000, 40],
            [now, 41],
          ],
        },
        { name: "cdu_flow_lpm", labels: { equipment: "cdu:h1-r01-01" }, samples: [[now, Number.NaN]] },
      ]),
    );
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/write",
      headers: remoteHeaders,
      payload: Buffer.from(body),
    });
    assert.equal(response.statusCode, 204, response.body);
    const found = latest("rack_power_kw", { job: "pdu" });
    assert.equal(found?.value, 41);
    assert.equal(found?.timestamp, now);
    assert.equal(found?.info.labels["rack"], "rack:h1-r01-01");
    assert.equal(latest("cdu_flow_lpm")?.value, undefined, "a NaN is not stored");
  });

  it("answers 400 naming the series at fault, keeping the good ones", async () => {
    const body = snappyCompress(
      writeRequest([
        { name: "good_metric", labels: {}, samples: [[now, 1]] },
        { name: "bad name", labels: {}, samples: [[now, 1]] },
      ]),
    );
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/write",
      headers: remoteHeaders,
      payload: Buffer.from(body),
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().title, "Partial write");
    assert.match(response.json().detail, /timeseries\[1\]\.labels: series name "bad name"/);
    assert.equal(latest("good_metric")?.value, 1);
  });

  it("refuses bad bodies with a 4xx naming the problem, never a 500", async () => {
    const post = (payload: Buffer, headers: Record<string, string> = remoteHeaders) =>
      app.inject({ method: "POST", url: "/api/v1/write", headers, payload });
    const declared = await post(Buffer.from([0x80, 0x80, 0x80, 0x01, 1, 2, 3]));
    assert.equal(declared.statusCode, 413, declared.body); // declares 2 MiB once decompressed: refused before inflating
    const garbage = await post(Buffer.from([5, 0x10, 1, 2, 3]));
    assert.equal(garbage.statusCode, 400, garbage.body);
    assert.equal(garbage.json().errors[0].field, "body");
    const notProto = await post(Buffer.from(snappyEncode(new Uint8Array([0x0a, 0xff, 0xff]))));
    assert.equal(notProto.statusCode, 400, notProto.body);
    assert.match(notProto.json().detail, /not a protobuf prometheus.WriteRequest/);
    const gzip = await post(Buffer.from([1]), { ...remoteHeaders, "content-encoding": "gzip" });
    assert.equal(gzip.statusCode, 415);
    assert.equal(gzip.json().errors[0].field, "headers.content-encoding");
    const version2 = await post(Buffer.from([1]), { ...remoteHeaders, "x-prometheus-remote-write-version": "2.0.0" });
    assert.equal(version2.statusCode, 415);
    // A zip bomb in snappy: 1 MiB of zeros compresses to a few KiB but is past the 1 MiB decompressed limit.
    const bomb = await post(Buffer.from(snappyEncode(new Uint8Array((1 << 20) + 1))));
    assert.equal(bomb.statusCode, 413, bomb.body);
    const huge = await post(Buffer.alloc((1 << 16) + 1, 7));
    assert.equal(huge.statusCode, 413, "past the compressed limit");
  });
});

describe("Influx receivers", () => {
  it("/write (InfluxDB 1) takes gzip with a precision, answering 204", async () => {
    const seconds = Math.floor(now / 1000) - 60;
    const body = gzipSync(`plant,equipment=plant:p1 supply_celsius=18.5 ${seconds}\n`);
    const response = await app.inject({
      method: "POST",
      url: "/write?db=telegraf&precision=s",
      headers: { "content-type": "text/plain", "content-encoding": "gzip" },
      payload: body,
    });
    assert.equal(response.statusCode, 204, response.body);
    const found = latest("plant_supply_celsius");
    assert.equal(found?.value, 18.5);
    assert.equal(found?.timestamp, seconds * 1000);
    const minutes = await app.inject({
      method: "POST",
      url: "/write?precision=m",
      payload: `minute_metric value=3 ${Math.floor(now / 60_000)}`,
    });
    assert.equal(minutes.statusCode, 204);
    assert.equal(latest("minute_metric")?.timestamp, Math.floor(now / 60_000) * 60_000);
    const wrong = await app.inject({ method: "POST", url: "/write?precision=d", payload: "x value=1" });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().errors[0].field, "querystring.precision");
  });

  it("/api/v2/write (InfluxDB 2) takes gzip in ms; a bad line is a 400 naming the line", async () => {
    const body = gzipSync(
      `cdu,equipment=cdu:h1-r01-02 flow_lpm=812 ${now}\ncdu,equipment=cdu:h1-r01-02 flow_lpm=oops ${now}\n`,
    );
    const response = await app.inject({
      method: "POST",
      url: "/api/v2/write?org=site&bucket=telemetry&precision=ms",
      headers: { "content-type": "text/plain; charset=utf-8", "content-encoding": "gzip" },
      payload: body,
    });
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().title, "Partial write");
    assert.match(response.json().detail, /line 2/);
    assert.equal(latest("cdu_flow_lpm", { equipment: "cdu:h1-r01-02" })?.value, 812);
    const badPrecision = await app.inject({ method: "POST", url: "/api/v2/write?precision=m", payload: "x value=1" });
    assert.equal(badPrecision.statusCode, 400);
    assert.equal(badPrecision.json().errors[0].field, "querystring.precision");
  });

  it("/v1/telemetry/influx takes gzip too", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v1/telemetry/influx?precision=ms",
      headers: { "content-type": "text/plain", "content-encoding": "gzip" },
      payload: gzipSync(`gz_metric value=7 ${now}`),
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().accepted, 1);
  });

  it("bounds gzip bodies: corrupt → 400, zip bomb → 413 once past the decompressed limit, unknown encoding → 415", async () => {
    const post = (payload: Buffer, encoding: string) =>
      app.inject({
        method: "POST",
        url: "/api/v2/write",
        headers: { "content-type": "text/plain", "content-encoding": encoding },
        payload,
      });
    const corrupt = await post(Buffer.from("definitely not gzip"), "gzip");
    assert.equal(corrupt.statusCode, 400, corrupt.body);
    assert.equal(corrupt.json().errors[0].field, "body");
    assert.match(corrupt.json().detail, /not valid gzip/);
    // 48 MiB of one letter: about 48 KiB gzipped, within the 64 KiB wire limit… and far past 1 MiB inflated.
    const bomb = gzipSync(Buffer.alloc(48 << 20, "a"), { level: 9 });
    assert.ok(bomb.length < 1 << 16, `bomb is ${bomb.length} bytes`);
    const started = performance.now();
    const refused = await post(bomb, "gzip");
    assert.equal(refused.statusCode, 413, refused.body);
    assert.match(refused.json().detail, /decompressed/);
    assert.ok(performance.now() - started < 2000, "inflating stops at the limit");
    const wire = await post(
      gzipSync(Buffer.from(Array.from({ length: 40_000 }, (_, i) => `m${i} value=${i}`).join("\n"))),
      "gzip",
    );
    assert.equal(wire.statusCode, 413, `past the compressed limit: ${wire.body}`);
    const brotli = await post(Buffer.from("x"), "br");
    assert.equal(brotli.statusCode, 415);
    assert.equal(brotli.json().errors[0].field, "headers.content-encoding");
  });
});

describe("pushed exposition text", () => {
  it("reads timestamps as seconds when the Content-Type is OpenMetrics, as ms otherwise", async () => {
    const seconds = Math.floor(now / 1000) - 30;
    const open = await app.inject({
      method: "POST",
      url: "/v1/telemetry/prometheus",
      headers: { "content-type": "application/openmetrics-text; version=1.0.0" },
      payload: `om_probe 1 ${seconds}.5\n# EOF\n`,
    });
    assert.equal(open.statusCode, 200, open.body);
    assert.equal(latest("om_probe")?.timestamp, seconds * 1000 + 500);
    const text = await app.inject({
      method: "POST",
      url: "/v1/telemetry/prometheus",
      headers: { "content-type": "text/plain; version=0.0.4" },
      payload: `text_probe 1 ${now}\n`,
    });
    assert.equal(text.statusCode, 200, text.body);
    assert.equal(latest("text_probe")?.timestamp, now);
  });
});
