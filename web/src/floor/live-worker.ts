/**
 * The floor's live worker: receives the 1 Hz rack frames (server-sent events, or polling when the stream is refused),
 * parses the JSON, turns 40,000 values into colour indexes and ranks the worst racks, off the page's main thread, so
 * parsing and its garbage never delay a frame. The page only copies the indexes into its pixels and draws.
 * Buffers travel back and forth (transferred, not copied) so frames allocate no new typed arrays.
 */
import type { RackValues, SiteState } from "../api/types.ts";
import { indexValues } from "./colour.ts";
import type { FeedSource, FieldScale, FromWorker, ToWorker } from "./live-protocol.ts";
import { rankWorstGroups } from "./rank.ts";

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

const pollIntervalMs = 1000;

let generation = 0;
let rackCount = 0;
let scale: FieldScale = { field: "", domain: { min: 0, max: 1 }, invert: false, lowIsWorst: false };
let worstCount = 8;
let values = new Float32Array(0);
const spareIndexes: Uint8Array[] = [];
const spareValues: Float32Array[] = [];
let stream: EventSource | undefined;
let pollTimer: ReturnType<typeof setTimeout> | undefined;
let controller: AbortController | undefined;

function status(message: Omit<Extract<FromWorker, { type: "status" }>, "type" | "generation">): void {
  scope.postMessage({ type: "status", generation, ...message });
}

/** Parses a `racks` frame and posts its colour indexes. */
function processFrame(json: string, frameGeneration: number): void {
  if (frameGeneration !== generation) return;
  const receivedAtEpochMs = performance.timeOrigin + performance.now();
  const started = performance.now();
  const frame = JSON.parse(json) as RackValues;
  if (frame.field !== scale.field) return;
  const count = Math.min(rackCount, frame.values.length);
  if (values.length !== rackCount) values = new Float32Array(rackCount);
  const invert = scale.invert;
  for (let rack = 0; rack < count; rack++) {
    const value = frame.values[rack];
    values[rack] = typeof value !== "number" ? Number.NaN : invert ? 1 - value : value;
  }
  values.fill(Number.NaN, count);
  const domain = { min: scale.domain.min, max: scale.domain.max };
  const indexes = takeBuffer(spareIndexes, () => new Uint8Array(rackCount));
  indexValues(values, domain.min, domain.max, indexes);
  const shared = takeBuffer(spareValues, () => new Float32Array(rackCount));
  shared.set(values);
  const worst = rankWorstGroups(values, worstCount, scale.lowIsWorst);
  const message: FromWorker = {
    type: "racks",
    generation,
    time: frame.time,
    indexes,
    values: shared,
    domain,
    worst,
    receivedAtEpochMs,
    workerMs: performance.now() - started,
  };
  scope.postMessage(message, [indexes.buffer, shared.buffer]);
}

function takeBuffer<T extends { length: number }>(spares: T[], create: () => T): T {
  while (spares.length > 0) {
    const spare = spares.pop()!;
    if (spare.length === rackCount) return spare;
  }
  return create();
}

function stop(): void {
  stream?.close();
  stream = undefined;
  controller?.abort();
  controller = undefined;
  if (pollTimer !== undefined) clearTimeout(pollTimer);
  pollTimer = undefined;
}

/** The body of a GET, or undefined with the status when it failed. */
async function fetchText(
  url: string,
  token: string,
  signal: AbortSignal,
): Promise<{ text: string | undefined; status: number }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
  return { text: response.ok ? await response.text() : undefined, status: response.status };
}

function poll(source: FeedSource, pollGeneration: number, signal: AbortSignal): void {
  const started = performance.now();
  Promise.all([
    fetchText(source.racksUrl, source.token, signal).then(({ text }) => {
      if (text !== undefined) processFrame(text, pollGeneration);
    }),
    fetchText(source.siteUrl, source.token, signal).then(({ text }) => {
      if (text !== undefined && pollGeneration === generation) {
        scope.postMessage({ type: "site", generation, site: JSON.parse(text) as SiteState });
      }
    }),
  ])
    .catch((error: unknown) => {
      if (!signal.aborted)
        status({ status: "polling", detail: error instanceof Error ? error.message : String(error) });
    })
    .finally(() => {
      if (signal.aborted || pollGeneration !== generation) return;
      pollTimer = setTimeout(
        () => poll(source, pollGeneration, signal),
        Math.max(0, pollIntervalMs - (performance.now() - started)),
      );
    });
}

function start(source: FeedSource): void {
  const startGeneration = generation;
  controller = new AbortController();
  const signal = controller.signal;
  // The first frame comes from a plain GET, so the floor is coloured before the stream's first event.
  fetchText(source.racksUrl, source.token, signal)
    .then(({ text, status: httpStatus }) => {
      if (text !== undefined) processFrame(text, startGeneration);
      else if (startGeneration === generation)
        status({ status: "stopped", detail: `rack values answered HTTP ${httpStatus}` });
    })
    .catch((error: unknown) => {
      if (!signal.aborted)
        status({ status: "reconnecting", detail: error instanceof Error ? error.message : String(error) });
    });
  if (source.streamUrl === undefined || typeof EventSource === "undefined") {
    status({ status: "polling", detail: "the server has no stream route" });
    poll(source, startGeneration, signal);
    return;
  }
  status({ status: "connecting" });
  const events = new EventSource(source.streamUrl);
  stream = events;
  let opened = false;
  events.onopen = () => {
    opened = true;
    status({ status: "streaming" });
  };
  events.addEventListener("racks", (event) => processFrame((event as MessageEvent<string>).data, startGeneration));
  events.addEventListener("site", (event) => {
    if (startGeneration !== generation) return;
    scope.postMessage({
      type: "site",
      generation,
      site: JSON.parse((event as MessageEvent<string>).data) as SiteState,
    });
  });
  events.onerror = () => {
    if (startGeneration !== generation || stream !== events) return;
    if (events.readyState === EventSource.CLOSED) {
      events.close();
      stream = undefined;
      status({ status: "polling", detail: opened ? "the stream closed" : "the stream was refused" });
      poll(source, startGeneration, signal);
    } else {
      status({ status: "reconnecting" });
    }
  };
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "start":
      stop();
      generation = message.generation;
      rackCount = message.rackCount;
      scale = message.scale;
      worstCount = message.worstCount;
      if (message.source !== undefined) start(message.source);
      break;
    case "inject":
      processFrame(message.json, generation);
      break;
    case "recycle":
      if (message.indexes.length === rackCount) spareIndexes.push(message.indexes);
      if (message.values.length === rackCount) spareValues.push(message.values);
      break;
    case "stop":
      stop();
      generation++;
      break;
  }
};
