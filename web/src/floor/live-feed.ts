/**
 * The page side of the floor's live worker: starts it for a field, hands each frame to the controller (indexes into
 * pixels, nothing else on the main thread) and gives the buffers back for the next frame.
 */
import type { LiveStatus } from "../api/live.ts";
import type { SiteState } from "../api/types.ts";
import type { FeedSource, FieldScale, FromWorker, RacksFrame, ToWorker } from "./live-protocol.ts";

/** What the feed delivers to the page. */
export interface FeedHandlers {
  /** A frame to apply; return to let the feed recycle its buffers. */
  readonly onFrame: (frame: RacksFrame) => void;
  readonly onSite: (site: SiteState) => void;
  readonly onStatus: (status: LiveStatus, detail: string | undefined) => void;
}

/** One worker for the life of the floor page. */
export class LiveFeed {
  private readonly worker: Worker;
  private generation = 0;
  private readonly handlers: FeedHandlers;

  constructor(handlers: FeedHandlers) {
    this.handlers = handlers;
    this.worker = new Worker(new URL("./live-worker.ts", import.meta.url), { type: "module", name: "floor-live" });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
  }

  /** Starts (or restarts) the feed for a field; without a source, frames only come from `inject`. */
  start(rackCount: number, scale: FieldScale, source: FeedSource | undefined, worstCount: number): void {
    this.generation++;
    this.send({ type: "start", generation: this.generation, rackCount, scale, source, worstCount });
  }

  /** Stops reading (the worker stays for the next start). */
  stop(): void {
    this.generation++;
    this.send({ type: "stop" });
  }

  /** Feeds a `racks` frame as JSON text through the worker, as if it came from the stream. */
  inject(json: string): void {
    this.send({ type: "inject", json });
  }

  /** Ends the worker. */
  dispose(): void {
    this.worker.terminate();
  }

  private send(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    if (message.generation !== this.generation) {
      if (message.type === "racks") this.recycle(message);
      return;
    }
    if (message.type === "racks") {
      this.handlers.onFrame(message);
      this.recycle(message);
    } else if (message.type === "site") this.handlers.onSite(message.site);
    else this.handlers.onStatus(message.status, message.detail);
  }

  private recycle(frame: RacksFrame): void {
    this.send({ type: "recycle", indexes: frame.indexes, values: frame.values }, [
      frame.indexes.buffer,
      frame.values.buffer,
    ]);
  }
}
