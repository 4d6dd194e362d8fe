/**
 * The floor canvas's life: the renderer, controller and live feed built once per layout, the field shown on them
 * (inventory, tenants or live values), alarm markers, first-paint marks and the probe the browser tests and
 * performance figures read (`window.__alixanFloor`). The page holds the refs and lays out what these hooks give it.
 */
import { type RefObject, useCallback, useEffect, useRef, useState } from "react";
import type { Capabilities } from "../api/capabilities.ts";
import { type ApiClient, describeError } from "../api/client.ts";
import type { LiveStatus } from "../api/live.ts";
import type { Alarm, SiteState } from "../api/types.ts";
import { severityColours } from "../components/alarms.tsx";
import { FloorController, type Legend } from "./controller.ts";
import { type FieldSpec, fieldSpec, isFloorField } from "./fields.ts";
import { chooseColumns, computeGeometry } from "./geometry.ts";
import { LiveFeed } from "./live-feed.ts";
import type { FieldScale } from "./live-protocol.ts";
import { loadTenantPlacement } from "./load.ts";
import type { FloorModel } from "./model.ts";
import type { RankGroup } from "./rank.ts";
import { type FloorMarker, FloorRenderer, type RenderTiming } from "./renderer.ts";

/** Timing of one live update, for the performance figures. */
interface UpdateTiming {
  /** When the frame arrived (performance.now() of the page). */
  readonly at: number;
  /** Parse, colour indexes and ranking, in the live worker (off the main thread). */
  readonly workerMs: number;
  /** Main thread: indexes into pixels, values copied. */
  readonly processMs: number;
  readonly drawMs: number;
  readonly changedCells: number;
}

/** Figures the browser tests read (`window.__alixanFloor`). */
interface FloorProbe {
  rackCount: number;
  field: string;
  firstPaintMs: number | undefined;
  layoutMs: number | undefined;
  updates: UpdateTiming[];
  liveStatus: LiveStatus;
  /** Rows framed by alarm markers. */
  alarmMarkers: number;
  /** Smallest and largest displayed value of the field (power lost for throttle), NaN before values. */
  valueRange(): { min: number; max: number };
  cellCentre(id: string): { x: number; y: number } | undefined;
  /**
   * For tests without a live server: shows `field` fed only by `injectFrame`, which passes `racks` frames (JSON
   * text) through the same worker and redraw path as the stream.
   */
  startInjected(field: string): void;
  injectFrame(json: string): void;
}

declare global {
  interface Window {
    __alixanFloor?: FloorProbe;
  }
}

/** Performance mark set when the layout starts loading (the page sets it; first paint is measured from it). */
export const markLayoutStart = "alixan:floor:layout-start";
/** Performance mark set when the layout has loaded. */
export const markLayoutLoaded = "alixan:floor:layout-loaded";
const markFirstDraw = "alixan:floor:first-draw";
const markFirstFrame = "alixan:floor:first-frame";
/** Live update timings kept for the performance figures (ten minutes at 1 Hz). */
const maxTimings = 600;
/** Racks listed as the worst of the field. */
const worstCount = 8;

/** How the live worker colours a field. */
function scaleOf(spec: FieldSpec): FieldScale {
  return {
    field: spec.id,
    domain: spec.domain ?? { min: 0, max: 1 },
    invert: spec.invert,
    lowIsWorst: spec.lowIsWorst,
  };
}

/** Frames for the rows each active alarm touches, most severe drawn last (on top). */
function markersOf(model: FloorModel, alarms: readonly Alarm[]): FloorMarker[] {
  const rowIndex = new Map(model.rows.map((row, index) => [row.id, index]));
  const markers: FloorMarker[] = [];
  const order = { info: 0, warning: 1, critical: 2 } as const;
  for (const alarm of [...alarms].sort((a, b) => order[a.severity] - order[b.severity])) {
    if (alarm.shelved !== undefined) continue;
    const rackIndex = alarm.location.rack === undefined ? -1 : model.rackIds.indexOf(alarm.location.rack);
    if (rackIndex >= 0) {
      markers.push({ rackStart: rackIndex, rackCount: 1, colour: severityColours[alarm.severity] });
      continue;
    }
    for (const id of alarm.impact?.rows ?? alarm.rows) {
      const index = rowIndex.get(id);
      if (index === undefined) continue;
      const row = model.rows[index]!;
      markers.push({ rackStart: row.rackStart, rackCount: row.rackCount, colour: severityColours[alarm.severity] });
    }
  }
  return markers;
}

/** What `mountCanvas` reports to and shares with the hook. */
interface CanvasHooks {
  readonly controllerRef: RefObject<FloorController | undefined>;
  readonly feedRef: RefObject<LiveFeed | undefined>;
  readonly probe: FloorProbe;
  readonly onLegend: (legend: Legend) => void;
  /** A live frame was applied: its time and the worst racks it ranked. */
  readonly onFrameShown: (time: number | string, worst: RankGroup[]) => void;
  readonly onSite: (state: SiteState) => void;
  readonly onStatus: (status: LiveStatus, detail: string | undefined) => void;
  readonly onZoom: () => void;
}

/**
 * Builds the renderer, controller and live feed of a layout on its canvas, fills the probe, follows the frame's
 * size and the wheel; returns what takes them down.
 */
function mountCanvas(
  canvas: HTMLCanvasElement,
  frame: HTMLDivElement,
  model: FloorModel,
  spec: FieldSpec,
  hooks: CanvasHooks,
): () => void {
  const { controllerRef, feedRef, probe } = hooks;
  let pendingProcess: { at: number; ms: number; workerMs: number } | undefined;
  const bounds = frame.getBoundingClientRect();
  const geometry = computeGeometry(model, chooseColumns(model, bounds.width, bounds.height));
  const renderer = new FloorRenderer(canvas, geometry, new Uint32Array(256));
  const controller = new FloorController(model, renderer, spec);
  controllerRef.current = controller;
  controller.onLegend = hooks.onLegend;
  const recordUpdate = (pending: { at: number; ms: number; workerMs: number }, timing: RenderTiming) => {
    const updates = probe.updates;
    if (updates.length >= maxTimings) updates.shift();
    updates.push({
      at: pending.at,
      workerMs: pending.workerMs,
      processMs: pending.ms,
      drawMs: timing.drawMs,
      changedCells: timing.changedCells,
    });
  };
  renderer.onRendered = (timing) => {
    const pending = pendingProcess;
    if (pending === undefined) return;
    pendingProcess = undefined;
    recordUpdate(pending, timing);
  };
  renderer.resize(bounds.width, bounds.height, window.devicePixelRatio || 1);
  const observer = new ResizeObserver((entries) => {
    const box = entries[0]?.contentRect;
    if (box !== undefined) renderer.resize(box.width, box.height, window.devicePixelRatio || 1);
  });
  observer.observe(frame);
  probe.rackCount = renderer.cellCount;
  probe.valueRange = () => {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let rack = 0; rack < model.rackCount; rack++) {
      const value = controller.valueOf(rack);
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return min <= max ? { min, max } : { min: Number.NaN, max: Number.NaN };
  };
  probe.cellCentre = (id: string) => {
    const index = model.rackIds.indexOf(id);
    return index < 0 ? undefined : renderer.cellCentre(index);
  };
  const feed = new LiveFeed({
    onFrame: (frame) => {
      const started = performance.now();
      if (controller.field.kind !== "continuous") return;
      const changed = controller.applyFrame(frame.indexes, frame.values, frame.domain);
      const timing = {
        at: frame.receivedAtEpochMs - performance.timeOrigin,
        ms: performance.now() - started,
        workerMs: frame.workerMs,
      };
      // Nothing changed: nothing to draw, the update is complete now.
      if (changed === 0) recordUpdate(timing, { changedCells: 0, drawMs: 0 });
      else pendingProcess = timing;
      hooks.onFrameShown(frame.time, [...frame.worst]);
    },
    onSite: hooks.onSite,
    onStatus: (status, detail) => {
      probe.liveStatus = status;
      hooks.onStatus(status, detail);
    },
  });
  feedRef.current = feed;
  probe.startInjected = (id: string) => {
    if (!isFloorField(id)) return;
    const injected = fieldSpec(id);
    controller.showField(injected);
    probe.field = injected.id;
    feed.start(model.rackCount, scaleOf(injected), undefined, worstCount);
  };
  probe.injectFrame = (json: string) => feed.inject(json);
  window.__alixanFloor = probe;
  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const box = canvas.getBoundingClientRect();
    renderer.zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
    hooks.onZoom();
  };
  canvas.addEventListener("wheel", onWheel, { passive: false });
  return () => {
    canvas.removeEventListener("wheel", onWheel);
    observer.disconnect();
    renderer.dispose();
    feed.dispose();
    feedRef.current = undefined;
    controllerRef.current = undefined;
    if (window.__alixanFloor === probe) delete window.__alixanFloor;
  };
}

/**
 * Shows a field on the controller: zones or design power at once, tenants from the jobs (again every 15 s), live
 * values from the feed (stream, or polling); returns what stops the updates.
 */
function showFieldValues(
  controller: FloorController,
  model: FloorModel,
  feed: LiveFeed | undefined,
  source: FloorFieldSource,
  hooks: {
    readonly probe: FloorProbe;
    readonly markFirstPaint: () => void;
    readonly onWorst: (worst: RankGroup[]) => void;
    readonly onFieldError: (error: string | undefined) => void;
  },
): () => void {
  const { spec } = source;
  const { probe } = hooks;
  let stopped = false;
  let stopLive: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  hooks.onFieldError(undefined);
  hooks.onWorst([]);
  controller.showField(spec);
  probe.field = spec.id;
  probe.updates.length = 0;
  if (spec.id === "zone") {
    controller.applyCategories(model.zoneOfRack, model.zones, "General floor");
    hooks.markFirstPaint();
  } else if (spec.id === "designPowerKW") {
    controller.applyValues(model.designPowerKW);
    hooks.onWorst(controller.worst(worstCount));
    hooks.markFirstPaint();
  } else if (spec.id === "tenant") {
    const load = () => {
      loadTenantPlacement(source.client, model).then(
        ({ categories, tenants }) => {
          if (stopped) return;
          controller.applyCategories(categories, tenants, "No running job");
          hooks.markFirstPaint();
          timer = setTimeout(load, 15_000);
        },
        (error: unknown) => {
          if (!stopped) hooks.onFieldError(describeError(error));
        },
      );
    };
    load();
  } else if (source.live && feed !== undefined) {
    feed.start(
      model.rackCount,
      scaleOf(spec),
      {
        racksUrl: `/v1/state/racks?field=${encodeURIComponent(spec.id)}`,
        siteUrl: "/v1/state/site",
        streamUrl: source.capabilities.liveStream
          ? source.client.streamUrl("/v1/state/stream", { field: spec.id })
          : undefined,
        token: source.client.token,
      },
      worstCount,
    );
    stopLive = () => feed.stop();
  }
  return () => {
    stopped = true;
    stopLive?.();
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** The refs the page puts on its elements and shares with the navigation hook. */
export interface FloorCanvasRefs {
  readonly canvasRef: RefObject<HTMLCanvasElement | null>;
  readonly frameRef: RefObject<HTMLDivElement | null>;
  readonly controllerRef: RefObject<FloorController | undefined>;
}

/** What the canvas hooks show beside the canvas. */
export interface FloorCanvasView {
  readonly legend: Legend | undefined;
  readonly siteState: SiteState | undefined;
  readonly liveStatus: LiveStatus;
  readonly liveDetail: string | undefined;
  readonly valuesTime: number | string | undefined;
  readonly worst: RankGroup[];
  /** Why the field's values could not be loaded (tenant placement), if they could not. */
  readonly fieldError: string | undefined;
}

/** The field and the sources its values come from. */
export interface FloorFieldSource {
  readonly spec: FieldSpec;
  readonly live: boolean;
  readonly client: ApiClient;
  readonly capabilities: Capabilities;
}

/**
 * Builds the renderer, controller and live feed for each loaded layout, applies alarm markers, and shows the field:
 * zones, design power, tenants (refreshed every 15 s) or live values (stream or polling).
 */
export function useFloorCanvas(
  refs: FloorCanvasRefs,
  model: FloorModel | undefined,
  source: FloorFieldSource,
  alarms: readonly Alarm[],
  /** Called when the view zooms under the pointer (the hovered cell moves away). */
  onZoom: () => void,
): FloorCanvasView & { readonly setSiteState: (state: SiteState) => void } {
  const { canvasRef, frameRef, controllerRef } = refs;
  const { spec, live, client, capabilities } = source;
  const [legend, setLegend] = useState<Legend | undefined>(undefined);
  const [siteState, setSiteState] = useState<SiteState | undefined>(undefined);
  const [liveStatus, setLiveStatus] = useState<LiveStatus>("connecting");
  const [liveDetail, setLiveDetail] = useState<string | undefined>(undefined);
  const [valuesTime, setValuesTime] = useState<number | string | undefined>(undefined);
  const [worst, setWorst] = useState<RankGroup[]>([]);
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const feedRef = useRef<LiveFeed | undefined>(undefined);
  const probe = useRef<FloorProbe>({
    rackCount: 0,
    field: spec.id,
    firstPaintMs: undefined,
    layoutMs: undefined,
    updates: [],
    liveStatus: "connecting",
    alarmMarkers: 0,
    valueRange: () => ({ min: Number.NaN, max: Number.NaN }),
    cellCentre: () => undefined,
    startInjected: () => undefined,
    injectFrame: () => undefined,
  });

  const markFirstPaint = useCallback(() => {
    const controller = controllerRef.current;
    if (controller === undefined || probe.current.firstPaintMs !== undefined) return;
    controller.renderer.render();
    performance.mark(markFirstDraw);
    requestAnimationFrame(() => {
      performance.mark(markFirstFrame);
      const measure = performance.measure("alixan:floor:first-paint", markLayoutStart, markFirstFrame);
      const layout = performance.measure("alixan:floor:layout", markLayoutStart, markLayoutLoaded);
      probe.current.firstPaintMs = measure.duration;
      probe.current.layoutMs = layout.duration;
      canvasRef.current?.setAttribute("data-first-paint-ms", measure.duration.toFixed(1));
    });
  }, [controllerRef, canvasRef]);
  const firstPaint = useRef(markFirstPaint);
  firstPaint.current = markFirstPaint;

  // Renderer and controller, once per model (the field is applied by the next effect).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the renderer lives as long as the model, not the field
  useEffect(() => {
    const canvas = canvasRef.current;
    const frame = frameRef.current;
    if (model === undefined || canvas === null || frame === null) return;
    return mountCanvas(canvas, frame, model, spec, {
      controllerRef,
      feedRef,
      probe: probe.current,
      onLegend: setLegend,
      onFrameShown: (time, worstGroups) => {
        setValuesTime(time);
        setWorst(worstGroups);
        firstPaint.current();
      },
      onSite: setSiteState,
      onStatus: (status, detail) => {
        setLiveStatus(status);
        setLiveDetail(detail);
      },
      onZoom,
    });
  }, [model]);

  // Alarm markers: the rows each active alarm touches, framed in its severity colour.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the controller is rebuilt with the model
  useEffect(() => {
    const controller = controllerRef.current;
    if (model === undefined || controller === undefined) return;
    const markers = markersOf(model, alarms);
    controller.renderer.setMarkers(markers);
    probe.current.alarmMarkers = markers.length;
    canvasRef.current?.setAttribute("data-alarm-markers", String(markers.length));
  }, [model, alarms, legend]);

  // The field: first values, then live updates.
  useEffect(() => {
    const controller = controllerRef.current;
    if (model === undefined || controller === undefined) return;
    return showFieldValues(
      controller,
      model,
      feedRef.current,
      { spec, live, client, capabilities },
      {
        probe: probe.current,
        markFirstPaint,
        onWorst: setWorst,
        onFieldError: setFieldError,
      },
    );
  }, [model, spec, live, client, capabilities, markFirstPaint, controllerRef]);

  return { legend, siteState, setSiteState, liveStatus, liveDetail, valuesTime, worst, fieldError };
}
