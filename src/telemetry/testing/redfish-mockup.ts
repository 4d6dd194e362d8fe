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

/** Starts serving the mockup in `shared/data/redfish/<name>`. */
export async function serveRedfishMockup(
  name: "public-cooling-unit" | "public-pdu",
  options: MockupOptions = {},
): Promise<RedfishMockup> {
  const root = join(sharedDataDirectory, "redfish", name);
  const overrides = new Map<string, ((resource: Record<string, unknown>) => void)[]>();
  const statuses = new Map<string, number>();
  const streams = new Set<ServerResponse>();
  const requests = new Map<string, number>();
  const counts = { logins: 0, sessionsDeleted: 0, unauthorized: 0 };
  const sessions = new Map<string, string>();
  const subscriptions: MockSubscription[] = [];
  let nextId = 100;
  let reportTime = "2026-12-05T08:00:00Z";
  let base = "";

  const read = (path: string): Record<string, unknown> | undefined => {
    const relative = path.slice("/redfish/v1".length).replace(/^\//, "");
    if (relative.split("/").includes("..")) return undefined;
    let text: string;
    try {
      text = readFileSync(join(root, relative, "index.json"), "utf8");
    } catch {
      return undefined;
    }
    const resource = JSON.parse(text) as Record<string, unknown>;
    for (const change of overrides.get(path) ?? []) change(resource);
    return resource;
  };

  const metricReport = (): Record<string, unknown> => {
    const sensors = options.telemetry?.sensors ?? "";
    const collection = read(sensors);
    const members = (collection?.["Members"] as { "@odata.id": string }[] | undefined) ?? [];
    const values = members.flatMap((member) => {
      const sensor = read(member["@odata.id"].replace(/\/$/, ""));
      if (sensor === undefined || typeof sensor["Reading"] !== "number") return [];
      return [
        {
          MetricId: sensor["Id"],
          MetricValue: String(sensor["Reading"]),
          Timestamp: reportTime,
          MetricProperty: `${member["@odata.id"]}/Reading`,
        },
      ];
    });
    return {
      "@odata.type": "#MetricReport.v1_5_0.MetricReport",
      "@odata.id": `/redfish/v1/TelemetryService/MetricReports/${reportId}`,
      Id: reportId,
      Name: "Sensor readings",
      MetricReportDefinition: { "@odata.id": `/redfish/v1/TelemetryService/MetricReportDefinitions/${reportId}` },
      Timestamp: reportTime,
      MetricValues: values,
    };
  };

  const telemetryResource = (path: string): Record<string, unknown> | undefined => {
    if (options.telemetry === undefined) return undefined;
    const service = "/redfish/v1/TelemetryService";
    const definitions = `${service}/MetricReportDefinitions`;
    const reports = `${service}/MetricReports`;
    if (path === service) {
      return {
        "@odata.type": "#TelemetryService.v1_3_4.TelemetryService",
        "@odata.id": service,
        Id: "TelemetryService",
        Status: { State: "Enabled", Health: "OK" },
        MetricReportDefinitions: { "@odata.id": definitions },
        MetricReports: { "@odata.id": reports },
      };
    }
    if (path === definitions || path === reports) {
      return { "@odata.id": path, Members: [{ "@odata.id": `${path}/${reportId}` }], "Members@odata.count": 1 };
    }
    if (path === `${definitions}/${reportId}`) {
      return {
        "@odata.type": "#MetricReportDefinition.v1_4_6.MetricReportDefinition",
        "@odata.id": path,
        Id: reportId,
        MetricReportDefinitionType: "Periodic",
        MetricReportDefinitionEnabled: true,
        ReportActions: ["LogToMetricReportsCollection", "RedfishEvent"],
        Schedule: { RecurrenceInterval: "PT10S" },
        Metrics: [{ MetricProperties: [`${options.telemetry.sensors}/{SensorId}/Reading`] }],
        MetricReport: { "@odata.id": `${reports}/${reportId}` },
        Status: { State: "Enabled", Health: "OK" },
      };
    }
    if (path === `${reports}/${reportId}`) return metricReport();
    return undefined;
  };

  const send = (response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const authorised = (request: IncomingMessage): boolean => {
    const credentials = options.credentials;
    if (credentials === undefined) return true;
    const token = request.headers["x-auth-token"];
    if (typeof token === "string" && sessions.has(token)) return true;
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    return (
      basic !== undefined &&
      Buffer.from(basic, "base64").toString() === `${credentials.username}:${credentials.password}`
    );
  };

  const readBody = async (request: IncomingMessage): Promise<Record<string, unknown> | undefined> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      return typeof body === "object" && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };

  const login = async (request: IncomingMessage, response: ServerResponse) => {
    if (options.sessionService === false) return send(response, 405);
    const body = await readBody(request);
    const credentials = options.credentials;
    if (
      body === undefined ||
      (credentials !== undefined &&
        (body["UserName"] !== credentials.username || body["Password"] !== credentials.password))
    ) {
      counts.unauthorized++;
      return send(response, 401, { error: { code: "Base.1.0.GeneralError", message: "login failed" } });
    }
    counts.logins++;
    const id = String(nextId++);
    const token = `token-${id}-${Math.random().toString(36).slice(2)}`;
    const uri = `/redfish/v1/SessionService/Sessions/${id}`;
    sessions.set(token, uri);
    send(
      response,
      201,
      { "@odata.id": uri, Id: id, UserName: body["UserName"] },
      { "x-auth-token": token, location: uri },
    );
  };

  const subscribe = async (request: IncomingMessage, response: ServerResponse) => {
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
      return send(response, 400, { error: { code: "Base.1.0.PropertyValueError", message: "bad subscription" } });
    }
    const uri = `/redfish/v1/EventService/Subscriptions/${nextId++}`;
    subscriptions.push({
      uri,
      destination,
      format: format as string,
      context: typeof body["Context"] === "string" ? body["Context"] : undefined,
      body,
    });
    send(response, 201, { "@odata.id": uri, ...body }, { location: uri });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?")[0]!.replace(/\/$/, "");
    const method = request.method ?? "GET";
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (method === "POST" && path === "/redfish/v1/SessionService/Sessions") return login(request, response);
    if (path !== "/redfish/v1" && !authorised(request)) {
      counts.unauthorized++;
      return send(response, 401, { error: { code: "Base.1.0.NoValidSession", message: "no valid session" } });
    }
    if (method === "DELETE" && path.startsWith("/redfish/v1/SessionService/Sessions/")) {
      for (const [token, uri] of sessions) {
        if (uri === path) {
          sessions.delete(token);
          counts.sessionsDeleted++;
          return send(response, 204);
        }
      }
      return send(response, 404);
    }
    if (method === "POST" && path === "/redfish/v1/EventService/Subscriptions") return subscribe(request, response);
    if (method === "DELETE" && path.startsWith("/redfish/v1/EventService/Subscriptions/")) {
      const index = subscriptions.findIndex((subscription) => subscription.uri === path);
      if (index < 0) return send(response, 404);
      subscriptions.splice(index, 1);
      return send(response, 204);
    }
    if (method !== "GET") return send(response, 405);
    if (path === "/redfish/v1/EventService/SSE") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      response.write(": open\n\n");
      streams.add(response);
      request.on("close", () => streams.delete(response));
      return;
    }
    const made = subscriptions.find((subscription) => subscription.uri === path);
    if (made !== undefined)
      return send(response, 200, { "@odata.id": made.uri, Id: made.uri.split("/").at(-1), ...made.body });
    const forced = statuses.get(path);
    if (forced !== undefined) return send(response, forced, { error: { code: "Base.1.0.GeneralError" } });
    if (!path.startsWith("/redfish/v1")) return send(response, 404);
    const resource = telemetryResource(path) ?? read(path);
    if (resource === undefined) return send(response, 404, { error: "not found" });
    if (path === "/redfish/v1/EventService/Subscriptions") {
      const members = [
        ...((resource["Members"] as unknown[]) ?? []),
        ...subscriptions.map((s) => ({ "@odata.id": s.uri })),
      ];
      return send(response, 200, { ...resource, Members: members, "Members@odata.count": members.length });
    }
    send(response, 200, resource);
  };

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch(() => send(response, 500));
  };
  const server: Server = options.tls === undefined ? createServer(handler) : createTlsServer(options.tls, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
  return {
    url: base,
    requests,
    counts,
    subscriptions,
    override(uri, change) {
      const key = uri.replace(/\/$/, "");
      overrides.set(key, [...(overrides.get(key) ?? []), change]);
    },
    answerWith(uri, status) {
      const key = uri.replace(/\/$/, "");
      if (status === undefined) statuses.delete(key);
      else statuses.set(key, status);
    },
    sendEvent(payload, id) {
      const data = `${id === undefined ? "" : `id: ${id}\n`}data: ${JSON.stringify(payload)}\n\n`;
      for (const stream of streams) stream.write(data);
    },
    expireSessions() {
      sessions.clear();
    },
    setReportTime(iso) {
      reportTime = iso;
    },
    metricReport,
    async deliver(payload, format = "Event") {
      const statuses: number[] = [];
      for (const subscription of subscriptions.filter((s) => s.format === format)) {
        const response = await fetch(subscription.destination, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            ...payload,
            ...(subscription.context === undefined ? {} : { Context: subscription.context }),
          }),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      return statuses;
    },
    get streams() {
      return streams.size;
    },
    async close() {
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
