/**
 * Test support: serves a DMTF Redfish mockup from the shared reference data (never copied into the repository) on
 * 127.0.0.1 with an ephemeral port. Tests can override resources in memory (a leak detector switched to Critical)
 * and push server-sent events on `/redfish/v1/EventService/SSE`.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The shared reference data folder (`shared/data` beside the checkout). */
export const sharedDataDirectory = fileURLToPath(new URL("../../../../shared/data/", import.meta.url));

/** A running mockup. */
export interface RedfishMockup {
  readonly url: string;
  /** Requests served, by path. */
  readonly requests: Map<string, number>;
  /** Replaces a resource with a modified copy (the change is applied to the file's JSON each time it is served). */
  override(uri: string, change: (resource: Record<string, unknown>) => void): void;
  /** Sends one event to every open SSE connection. */
  sendEvent(payload: unknown, id?: string): void;
  /** Open SSE connections. */
  readonly streams: number;
  close(): Promise<void>;
}

/** Starts serving the mockup in `shared/data/redfish/<name>`. */
export async function serveRedfishMockup(name: "public-cooling-unit" | "public-pdu"): Promise<RedfishMockup> {
  const root = join(sharedDataDirectory, "redfish", name);
  const overrides = new Map<string, ((resource: Record<string, unknown>) => void)[]>();
  const streams = new Set<ServerResponse>();
  const requests = new Map<string, number>();
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? "/").split("?")[0]!.replace(/\/$/, "");
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (path === "/redfish/v1/EventService/SSE") {
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      response.write(": open\n\n");
      streams.add(response);
      request.on("close", () => streams.delete(response));
      return;
    }
    if (!path.startsWith("/redfish/v1")) {
      response.writeHead(404).end();
      return;
    }
    const relative = path.slice("/redfish/v1".length).replace(/^\//, "");
    if (relative.split("/").includes("..")) {
      response.writeHead(400).end();
      return;
    }
    let text: string;
    try {
      text = readFileSync(join(root, relative, "index.json"), "utf8");
    } catch {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const changes = overrides.get(path);
    if (changes !== undefined) {
      const resource = JSON.parse(text) as Record<string, unknown>;
      for (const change of changes) change(resource);
      text = JSON.stringify(resource);
    }
    response.writeHead(200, { "content-type": "application/json" }).end(text);
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    override(uri, change) {
      const key = uri.replace(/\/$/, "");
      overrides.set(key, [...(overrides.get(key) ?? []), change]);
    },
    sendEvent(payload, id) {
      const data = `${id === undefined ? "" : `id: ${id}\n`}data: ${JSON.stringify(payload)}\n\n`;
      for (const stream of streams) stream.write(data);
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
