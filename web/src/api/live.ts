/**
 * The live state at 1 Hz: `GET /v1/state/stream?field=F` (server-sent events `site` and `racks`), or polling of
 * `/v1/state/site` and `/v1/state/racks` once a second when the stream is not offered or its connection is refused.
 * Rack frames are handed over as raw JSON text so the receiver can time the parse with the redraw.
 */
import type { Capabilities } from "./capabilities.ts";
import type { ApiClient } from "./client.ts";
import type { SiteState } from "./types.ts";

/** How the live state arrives. */
export type LiveStatus = "connecting" | "streaming" | "polling" | "reconnecting" | "stopped";

/** What the live state delivers. */
export interface LiveHandlers {
  /** A `racks` frame, as JSON text `{ time, field, values }`. */
  readonly onRacks?: (json: string) => void;
  readonly onSite?: (site: SiteState) => void;
  readonly onStatus?: (status: LiveStatus, detail?: string) => void;
}

const pollIntervalMs = 1000;

/** Opens the live state for a rack field (undefined: site only). Returns a function that stops it. */
export function openLiveState(
  client: ApiClient,
  capabilities: Capabilities,
  field: string | undefined,
  handlers: LiveHandlers,
): () => void {
  let stopped = false;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const controller = new AbortController();

  const poll = async () => {
    if (stopped) return;
    const started = performance.now();
    try {
      const requests: Promise<void>[] = [
        client.get<SiteState>("/v1/state/site", controller.signal).then((site) => handlers.onSite?.(site)),
      ];
      if (field !== undefined && handlers.onRacks !== undefined) {
        requests.push(
          fetch(`/v1/state/racks?field=${encodeURIComponent(field)}`, {
            headers: { authorization: `Bearer ${client.token}` },
            signal: controller.signal,
          }).then(async (response) => {
            if (response.ok) handlers.onRacks?.(await response.text());
          }),
        );
      }
      await Promise.all(requests);
    } catch (error) {
      if (stopped) return;
      handlers.onStatus?.("polling", error instanceof Error ? error.message : String(error));
    }
    if (!stopped) timer = setTimeout(poll, Math.max(0, pollIntervalMs - (performance.now() - started)));
  };

  const startPolling = (detail: string) => {
    handlers.onStatus?.("polling", detail);
    void poll();
  };

  if (capabilities.liveStream && typeof EventSource !== "undefined") {
    handlers.onStatus?.("connecting");
    const query: Record<string, string> = field === undefined ? {} : { field };
    source = new EventSource(client.streamUrl("/v1/state/stream", query));
    let opened = false;
    source.onopen = () => {
      opened = true;
      handlers.onStatus?.("streaming");
    };
    source.addEventListener("site", (event) => {
      handlers.onSite?.(JSON.parse((event as MessageEvent<string>).data) as SiteState);
    });
    source.addEventListener("racks", (event) => handlers.onRacks?.((event as MessageEvent<string>).data));
    source.onerror = () => {
      if (stopped || source === undefined) return;
      if (source.readyState === EventSource.CLOSED) {
        // Refused (not text/event-stream, 401...): EventSource gives up; poll instead.
        source.close();
        source = undefined;
        startPolling(opened ? "the stream closed" : "the stream was refused");
      } else {
        handlers.onStatus?.("reconnecting");
      }
    };
  } else if (capabilities.liveState) {
    startPolling("the server has no stream route");
  } else {
    handlers.onStatus?.("stopped", "the server has no live state");
  }

  return () => {
    stopped = true;
    source?.close();
    controller.abort();
    if (timer !== undefined) clearTimeout(timer);
    handlers.onStatus?.("stopped");
  };
}
