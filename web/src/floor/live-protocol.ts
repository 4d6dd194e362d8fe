/** Messages between the floor page and its live worker (live-worker.ts). */
import type { LiveStatus } from "../api/live.ts";
import type { SiteState } from "../api/types.ts";
import type { RankGroup } from "./rank.ts";

/** How the worker turns a field's values into colours. */
export interface FieldScale {
  readonly field: string;
  /** The field's fixed scale, in displayed terms. */
  readonly domain: { readonly min: number; readonly max: number };
  /** Display 1 − value (throttle: the API gives power left, the floor shows power lost). */
  readonly invert: boolean;
  readonly lowIsWorst: boolean;
}

/** Where the worker reads the live state. */
export interface FeedSource {
  /** `GET /v1/state/racks?field=F`, read first and when polling. */
  readonly racksUrl: string;
  /** `GET /v1/state/site`, read when polling. */
  readonly siteUrl: string;
  /** The SSE stream with its access token, when the server has one. */
  readonly streamUrl: string | undefined;
  readonly token: string;
}

/** Page → worker. */
export type ToWorker =
  | {
      readonly type: "start";
      readonly generation: number;
      readonly rackCount: number;
      readonly scale: FieldScale;
      /** Absent: frames only come through `inject`. */
      readonly source: FeedSource | undefined;
      readonly worstCount: number;
    }
  | { readonly type: "inject"; readonly json: string }
  | { readonly type: "recycle"; readonly indexes: Uint8Array; readonly values: Float32Array }
  | { readonly type: "stop" };

/** A frame of rack values, ready to draw. */
export interface RacksFrame {
  readonly type: "racks";
  readonly generation: number;
  readonly time: number | string;
  readonly indexes: Uint8Array;
  readonly values: Float32Array;
  readonly domain: { readonly min: number; readonly max: number };
  /** The worst distinct values, ties collapsed. */
  readonly worst: readonly RankGroup[];
  /** When the frame arrived, ms since the epoch (worker and page clocks differ in origin). */
  readonly receivedAtEpochMs: number;
  /** Parse, index and rank time in the worker. */
  readonly workerMs: number;
}

/** Worker → page. */
export type FromWorker =
  | RacksFrame
  | { readonly type: "site"; readonly generation: number; readonly site: SiteState }
  | { readonly type: "status"; readonly generation: number; readonly status: LiveStatus; readonly detail?: string };
