/**
 * Test support: serves a DMTF Redfish mockup from the shared reference data (never copied into the repository) on
 * 127.0.0.1 with an ephemeral port, over HTTP or HTTPS. Tests can override resources in memory (a leak detector
 * switched to Critical) and push server-sent events on `/redfish/v1/EventService/SSE`.
 *
 * The mockups are static files; a service also has behaviour they cannot hold, which this fixture adds the way
 * DSP0266 describes it:
 * - sessions: `POST /redfish/v1/SessionService/Sessions` with UserName/Password answers 201 with `X-Auth-Token` and
 *   `Location`; `DELETE` of the session ends it; every other request then needs the token (or Basic credentials)
 *   once `credentials` are set; `sessionService: false` answers the login 405 like a service without sessions;
 * - subscriptions: `POST /redfish/v1/EventService/Subscriptions` creates an EventDestination (Destination, Protocol
 *   Redfish, Context, EventFormatType) listed with the mockup's own, `DELETE` removes it, and `deliver` posts an
 *   Event or MetricReport to each matching Destination with its Context, as a service's event delivery does;
 * - a TelemetryService (`telemetry`): one MetricReportDefinition over the sensors of a collection of the mockup, and
 *   its MetricReport whose MetricValues are those sensors' `Reading` read from the mockup files at each request.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The shared reference data folder (`shared/data` beside the checkout). */
export const sharedDataDirectory = fileURLToPath(new URL("../../../../shared/data/", import.meta.url));

/** Behaviour beyond the static files. */
export interface MockupOptions {
  /** Serve HTTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Require these credentials (a session token or Basic) on every request but the service root and the login. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** false: the login answers 405, as a service without a session service does. */
  readonly sessionService?: boolean;
  /** Serve a TelemetryService whose metric report reads the sensors of this collection (`/redfish/v1/…/Sensors`). */
  readonly telemetry?: { readonly sensors: string };
}

/** A subscription made on the fixture. */
export interface MockSubscription {
  readonly uri: string;
  readonly destination: string;
  readonly context: string | undefined;
  readonly format: string;
  readonly body: Record<string, unknown>;
}

/** A running mockup. */
export interface RedfishMockup {
  readonly url: string;
  /** Requests served, by path. */
  readonly requests: Map<string, number>;
  /** Logins accepted, sessions deleted, requests refused with 401. */
  readonly counts: { logins: number; sessionsDeleted: number; unauthorized: number };
  /** Subscriptions alive now (the mockup's own "1" excluded). */
  readonly subscriptions: MockSubscription[];
  /** Replaces a resource with a modified copy (the change is applied to the file's JSON each time it is served). */
  override(uri: string, change: (resource: Record<string, unknown>) => void): void;
  /** Makes GETs of `uri` answer `status` (undefined: served again), as a busy or broken BMC does. */
  answerWith(uri: string, status: number | undefined): void;
  /** Sends one event to every open SSE connection. */
  sendEvent(payload: unknown, id?: string): void;
  /** Ends every session, as a session timeout or a BMC restart does. */
  expireSessions(): void;
  /** Sets the Timestamp of the metric report (a new report is "generated"). */
  setReportTime(iso: string): void;
  /** The metric report as the service would push it now. */
  metricReport(): Record<string, unknown>;
  /** Posts a payload to every subscription of `format`, with its Context; answers the receivers' statuses. */
  deliver(payload: Record<string, unknown>, format?: "Event" | "MetricReport"): Promise<number[]>;
  /** Open SSE connections. */
  readonly streams: number;
  close(): Promise<void>;
}

const reportId = "SensorReadings";
const serviceRoot = "/redfish/v1";
const sessionsPath = `${serviceRoot}/SessionService/Sessions`;
const subscriptionsPath = `${serviceRoot}/EventService/Subscriptions`;
const ssePath = `${serviceRoot}/EventService/SSE`;
const telemetryPath = `${serviceRoot}/TelemetryService`;
const definitionsPath = `${telemetryPath}/MetricReportDefinitions`;
const reportsPath = `${telemetryPath}/MetricReports`;

/** A JSON resource as served. */
type Resource = Record<string, unknown>;

/** Starts serving the mockup in `shared/data/redfish/<name>`. */
export async function serveRedfishMockup(
  name: "public-cooling-unit" | "public-pdu",
  options: MockupOptions = {},
): Promise<RedfishMockup> {
  const service = new MockupService(join(sharedDataDirectory, "redfish", name), options);
  await service.listen();
  return service;
}

/** Answers `status` with `body` as JSON (none when undefined) and `headers`. */
function send(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

/** The request's body as a JSON object, or undefined when it is not one. */
async function readBody(request: IncomingMessage): Promise<Resource | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Resource) : undefined;
  } catch {
    return undefined;
  }
}

/** The TelemetryService's fixed resources over the sensors at `sensors` (the report itself is read live). */
function telemetryDocument(path: string, sensors: string): Resource | undefined {
  if (path === telemetryPath) {
    return {
      "@odata.type": "#TelemetryService.v1_3_4.TelemetryService",
      "@odata.id": telemetryPath,
      Id: "TelemetryService",
      Status: { State: "Enabled", Health: "OK" },
      MetricReportDefinitions: { "@odata.id": definitionsPath },
      MetricReports: { "@odata.id": reportsPath },
    };
  }
  if (path === definitionsPath || path === reportsPath) {
    return { "@odata.id": path, Members: [{ "@odata.id": `${path}/${reportId}` }], "Members@odata.count": 1 };
  }
  if (path === `${definitionsPath}/${reportId}`) {
    return {
      "@odata.type": "#MetricReportDefinition.v1_4_6.MetricReportDefinition",
      "@odata.id": path,
      Id: reportId,
      MetricReportDefinitionType: "Periodic",
      MetricReportDefinitionEnabled: true,
      ReportActions: ["LogToMetricReportsCollection", "RedfishEvent"],
      Schedule: { RecurrenceInterval: "PT10S" },
      Metrics: [{ MetricProperties: [`${sensors}/{SensorId}/Reading`] }],
      MetricReport: { "@odata.id": `${reportsPath}/${reportId}` },
      Status: { State: "Enabled", Health: "OK" },
    };
  }
  return undefined;
}

/** The fixture's state and behaviour: files read on each request, sessions, subscriptions, SSE streams. */
class MockupService implements RedfishMockup {
  url = "";
  readonly requests = new Map<string, number>();
  readonly counts = { logins: 0, sessionsDeleted: 0, unauthorized: 0 };
  readonly subscriptions: MockSubscription[] = [];
  readonly #root: string;
  readonly #options: MockupOptions;
  readonly #overrides = new Map<string, ((resource: Resource) => void)[]>();
  readonly #statuses = new Map<string, number>();
  readonly #streams = new Set<ServerResponse>();
  /** Session tokens and the URI of their session. */
  readonly #sessions = new Map<string, string>();
  #nextId = 100;
  #reportTime = "2026-12-05T08:00:00Z";
  #server: Server | undefined;

  constructor(root: string, options: MockupOptions) {
    this.#root = root;
    this.#options = options;
  }

  /** Listens on an ephemeral loopback port and sets `url`. */
  async listen(): Promise<void> {
    const handler = (request: IncomingMessage, response: ServerResponse): void => {
      this.#handle(request, response).catch(() => send(response, 500));
    };
    const tls = this.#options.tls;
    const server: Server = tls === undefined ? createServer(handler) : createTlsServer(tls, handler);
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    this.url = `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
  }

  override(uri: string, change: (resource: Resource) => void): void {
    const key = uri.replace(/\/$/, "");
    this.#overrides.set(key, [...(this.#overrides.get(key) ?? []), change]);
  }

  answerWith(uri: string, status: number | undefined): void {
    const key = uri.replace(/\/$/, "");
    if (status === undefined) this.#statuses.delete(key);
    else this.#statuses.set(key, status);
  }

  sendEvent(payload: unknown, id?: string): void {
    const data = `${id === undefined ? "" : `id: ${id}\n`}data: ${JSON.stringify(payload)}\n\n`;
    for (const stream of this.#streams) stream.write(data);
  }

  expireSessions(): void {
    this.#sessions.clear();
  }

  setReportTime(iso: string): void {
    this.#reportTime = iso;
  }

  metricReport(): Resource {
    const sensors = this.#options.telemetry?.sensors ?? "";
    const members = (this.#read(sensors)?.["Members"] as { "@odata.id": string }[] | undefined) ?? [];
    const values = members.flatMap((member) => {
      const sensor = this.#read(member["@odata.id"].replace(/\/$/, ""));
      if (sensor === undefined || typeof sensor["Reading"] !== "number") return [];
      return [
        {
          MetricId: sensor["Id"],
          MetricValue: String(sensor["Reading"]),
          Timestamp: this.#reportTime,
          MetricProperty: `${member["@odata.id"]}/Reading`,
        },
      ];
    });
    return {
      "@odata.type": "#MetricReport.v1_5_0.MetricReport",
      "@odata.id": `${reportsPath}/${reportId}`,
      Id: reportId,
      Name: "Sensor readings",
      MetricReportDefinition: { "@odata.id": `${definitionsPath}/${reportId}` },
      Timestamp: this.#reportTime,
      MetricValues: values,
    };
  }

  async deliver(payload: Resource, format: "Event" | "MetricReport" = "Event"): Promise<number[]> {
    const answered: number[] = [];
    for (const subscription of this.subscriptions.filter((s) => s.format === format)) {
      const response = await fetch(subscription.destination, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          ...payload,
          ...(subscription.context === undefined ? {} : { Context: subscription.context }),
        }),
      });
      await response.arrayBuffer();
      answered.push(response.status);
    }
    return answered;
  }

  get streams(): number {
    return this.#streams.size;
  }

  async close(): Promise<void> {
    for (const stream of this.#streams) stream.end();
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The mockup file behind `path` with the overrides applied (undefined: none, or a path leaving the mockup). */
  #read(path: string): Resource | undefined {
    const relative = path.slice(serviceRoot.length).replace(/^\//, "");
    if (relative.split("/").includes("..")) return undefined;
    let text: string;
    try {
      text = readFileSync(join(this.#root, relative, "index.json"), "utf8");
    } catch {
      return undefined;
    }
    const resource = JSON.parse(text) as Resource;
    for (const change of this.#overrides.get(path) ?? []) change(resource);
    return resource;
  }

  /** A TelemetryService resource when the fixture serves one. */
  #telemetryResource(path: string): Resource | undefined {
    const sensors = this.#options.telemetry?.sensors;
    if (sensors === undefined) return undefined;
    return path === `${reportsPath}/${reportId}` ? this.metricReport() : telemetryDocument(path, sensors);
  }

  /** Whether the request carries a live session token or the Basic credentials (always, without credentials). */
  #authorised(request: IncomingMessage): boolean {
    const credentials = this.#options.credentials;
    if (credentials === undefined) return true;
    const token = request.headers["x-auth-token"];
    if (typeof token === "string" && this.#sessions.has(token)) return true;
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    return (
      basic !== undefined &&
      Buffer.from(basic, "base64").toString() === `${credentials.username}:${credentials.password}`
    );
  }

  /** Routes one request: the session and subscription actions, the SSE stream, then the resources. */
  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0]!.replace(/\/$/, "");
    const method = request.method ?? "GET";
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    if (method === "POST" && path === sessionsPath) return this.#login(request, response);
    if (path !== serviceRoot && !this.#authorised(request)) {
      this.counts.unauthorized++;
      send(response, 401, { error: { code: "Base.1.0.NoValidSession", message: "no valid session" } });
      return;
    }
    if (method === "DELETE" && path.startsWith(`${sessionsPath}/`)) return this.#logout(path, response);
    if (method === "POST" && path === subscriptionsPath) return this.#subscribe(request, response);
    if (method === "DELETE" && path.startsWith(`${subscriptionsPath}/`)) return this.#unsubscribe(path, response);
    if (method !== "GET") {
      send(response, 405);
      return;
    }
    if (path === ssePath) return this.#openStream(request, response);
    this.#get(path, response);
  }

  /** `POST …/Sessions`: 201 with a token for the right credentials (any, without credentials), else 401. */
  async #login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#options.sessionService === false) {
      send(response, 405);
      return;
    }
    const body = await readBody(request);
    const credentials = this.#options.credentials;
    if (
      body === undefined ||
      (credentials !== undefined &&
        (body["UserName"] !== credentials.username || body["Password"] !== credentials.password))
    ) {
      this.counts.unauthorized++;
      send(response, 401, { error: { code: "Base.1.0.GeneralError", message: "login failed" } });
      return;
    }
    this.counts.logins++;
    const id = String(this.#nextId++);
    const token = `token-${id}-${Math.random().toString(36).slice(2)}`;
    const uri = `${sessionsPath}/${id}`;
    this.#sessions.set(token, uri);
    send(
      response,
      201,
      { "@odata.id": uri, Id: id, UserName: body["UserName"] },
      { "x-auth-token": token, location: uri },
    );
  }

  /** `DELETE` of a session: ends it (204), or 404. */
  #logout(path: string, response: ServerResponse): void {
    for (const [token, uri] of this.#sessions) {
      if (uri === path) {
        this.#sessions.delete(token);
        this.counts.sessionsDeleted++;
        send(response, 204);
        return;
      }
    }
    send(response, 404);
  }

  /** `POST …/Subscriptions`: an EventDestination for an http(s) Destination over the Redfish protocol, else 400. */
  async #subscribe(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const destination = body?.["Destination"];
    const format = body?.["EventFormatType"] ?? "Event";
    if (
      body === undefined ||
      typeof destination !== "string" ||
      !/^https?:\/\//.test(destination) ||
      body["Protocol"] !== "Redfish" ||
      (format !== "Event" && format !== "MetricReport")
    ) {
      send(response, 400, { error: { code: "Base.1.0.PropertyValueError", message: "bad subscription" } });
      return;
    }
    const uri = `${subscriptionsPath}/${this.#nextId++}`;
    this.subscriptions.push({
      uri,
      destination,
      format: format as string,
      context: typeof body["Context"] === "string" ? body["Context"] : undefined,
      body,
    });
    send(response, 201, { "@odata.id": uri, ...body }, { location: uri });
  }

  /** `DELETE` of a subscription made here: 204, or 404. */
  #unsubscribe(path: string, response: ServerResponse): void {
    const index = this.subscriptions.findIndex((subscription) => subscription.uri === path);
    if (index < 0) {
      send(response, 404);
      return;
    }
    this.subscriptions.splice(index, 1);
    send(response, 204);
  }

  /** The SSE stream: held open, `sendEvent` writes to it. */
  #openStream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.write(": open\n\n");
    this.#streams.add(response);
    request.on("close", () => this.#streams.delete(response));
  }

  /** A GET of a resource: a subscription made here, a forced status, the telemetry service, or the mockup file. */
  #get(path: string, response: ServerResponse): void {
    const made = this.subscriptions.find((subscription) => subscription.uri === path);
    if (made !== undefined) {
      send(response, 200, { "@odata.id": made.uri, Id: made.uri.split("/").at(-1), ...made.body });
      return;
    }
    const forced = this.#statuses.get(path);
    if (forced !== undefined) {
      send(response, forced, { error: { code: "Base.1.0.GeneralError" } });
      return;
    }
    if (!path.startsWith(serviceRoot)) {
      send(response, 404);
      return;
    }
    const resource = this.#telemetryResource(path) ?? this.#read(path);
    if (resource === undefined) {
      send(response, 404, { error: "not found" });
      return;
    }
    if (path === subscriptionsPath) {
      const members = [
        ...((resource["Members"] as unknown[]) ?? []),
        ...this.subscriptions.map((s) => ({ "@odata.id": s.uri })),
      ];
      send(response, 200, { ...resource, Members: members, "Members@odata.count": members.length });
      return;
    }
    send(response, 200, resource);
  }
}
