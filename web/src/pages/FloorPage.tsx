/**
 * The floor: every rack as a cell of a canvas heat map, halls as blocks and rows as lines, coloured by a live field,
 * the tenant of its jobs or its zone. Hover for values, click (or Enter on a listed rack) for the rack view; wheel or
 * +/- to zoom, drag or arrow keys to pan, 0 to fit. Live at 1 Hz.
 */
import {
  type FormEvent,
  type KeyboardEvent,
  type PointerEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { describeError } from "../api/client.ts";
import { type LiveStatus, openLiveState } from "../api/live.ts";
import type { Alarm, SiteState } from "../api/types.ts";
import { followLink, navigate, useLocation } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { AlarmImpactView, alarmPlace, severityColours, useActiveAlarms } from "../components/alarms.tsx";
import { ErrorNotice, Loading } from "../components/status.tsx";
import { cssOf, noDataColour, rampColour } from "../floor/colour.ts";
import { FloorController, type Legend } from "../floor/controller.ts";
import {
  type FieldSpec,
  type FloorField,
  fieldSpec,
  fieldSpecs,
  formatFieldValue,
  isFloorField,
} from "../floor/fields.ts";
import { chooseColumns, computeGeometry, neighbourRack } from "../floor/geometry.ts";
import { LiveFeed } from "../floor/live-feed.ts";
import type { FieldScale } from "../floor/live-protocol.ts";
import { loadFloorModel, loadTenantPlacement } from "../floor/load.ts";
import type { FloorModel } from "../floor/model.ts";
import type { RankGroup } from "../floor/rank.ts";
import { type FloorMarker, FloorRenderer, type RenderTiming } from "../floor/renderer.ts";
import { formatCelsius, formatNumber, formatPercent, formatPowerKW, formatTime, shortId } from "../format.ts";

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

const markStart = "alixan:floor:layout-start";
const markLayout = "alixan:floor:layout-loaded";
const markFirstDraw = "alixan:floor:first-draw";
const markFirstFrame = "alixan:floor:first-frame";
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

export function FloorPage() {
  const { client, capabilities, site } = useSession();
  const { search } = useLocation();
  const requested = search.get("field");
  const live = capabilities.liveState;
  // Rack types (hence design power) come with /v1/site/layout only.
  const defaultField: FloorField = live ? "tcsReturnC" : capabilities.layout ? "designPowerKW" : "zone";
  const available = useCallback(
    (id: FloorField) => {
      const source = fieldSpec(id).source;
      if (id === "designPowerKW") return capabilities.layout;
      return source === "live" ? live : source === "jobs" ? capabilities.jobs : true;
    },
    [live, capabilities.jobs, capabilities.layout],
  );
  const field: FloorField = isFloorField(requested) && available(requested) ? requested : defaultField;
  const spec = fieldSpec(field);

  const [model, setModel] = useState<FloorModel | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [legend, setLegend] = useState<Legend | undefined>(undefined);
  const [siteState, setSiteState] = useState<SiteState | undefined>(undefined);
  const [liveStatus, setLiveStatus] = useState<LiveStatus>("connecting");
  const [liveDetail, setLiveDetail] = useState<string | undefined>(undefined);
  const [valuesTime, setValuesTime] = useState<number | string | undefined>(undefined);
  const [worst, setWorst] = useState<RankGroup[]>([]);
  const alarms = useActiveAlarms();
  const [hover, setHover] = useState<{ rack: number; x: number; y: number } | undefined>(undefined);
  // The keyboard's cell (-1 before the first arrow key): arrows move it cell to cell, Enter opens its rack.
  const keyboardRack = useRef(-1);
  const [announced, setAnnounced] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);

  const canvasRef = useRef<HTMLCanvasElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<FloorController | undefined>(undefined);
  const pendingProcess = useRef<{ at: number; ms: number; workerMs: number } | undefined>(undefined);
  const feedRef = useRef<LiveFeed | undefined>(undefined);
  const probe = useRef<FloorProbe>({
    rackCount: 0,
    field,
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

  // Layout, once per session and site version.
  useEffect(() => {
    let cancelled = false;
    performance.clearMarks(markStart);
    performance.mark(markStart);
    loadFloorModel(client, capabilities, site?.version ?? 0).then(
      (loaded) => {
        if (cancelled) return;
        performance.mark(markLayout);
        setModel(loaded);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, capabilities, site?.version]);

  // Renderer and controller, once per model (the field is applied by the next effect).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the renderer lives as long as the model, not the field
  useEffect(() => {
    const canvas = canvasRef.current;
    const frame = frameRef.current;
    if (model === undefined || canvas === null || frame === null) return;
    const bounds = frame.getBoundingClientRect();
    const geometry = computeGeometry(model, chooseColumns(model, bounds.width, bounds.height));
    const renderer = new FloorRenderer(canvas, geometry, new Uint32Array(256));
    const controller = new FloorController(model, renderer, fieldSpec(field));
    controllerRef.current = controller;
    controller.onLegend = setLegend;
    const recordUpdate = (pending: { at: number; ms: number; workerMs: number }, timing: RenderTiming) => {
      const updates = probe.current.updates;
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
      const pending = pendingProcess.current;
      if (pending === undefined) return;
      pendingProcess.current = undefined;
      recordUpdate(pending, timing);
    };
    renderer.resize(bounds.width, bounds.height, window.devicePixelRatio || 1);
    const observer = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (box !== undefined) renderer.resize(box.width, box.height, window.devicePixelRatio || 1);
    });
    observer.observe(frame);
    probe.current.rackCount = renderer.cellCount;
    probe.current.valueRange = () => {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let rack = 0; rack < model.rackCount; rack++) {
        const value = controller.valueOf(rack);
        if (value < min) min = value;
        if (value > max) max = value;
      }
      return min <= max ? { min, max } : { min: Number.NaN, max: Number.NaN };
    };
    probe.current.cellCentre = (id: string) => {
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
        else pendingProcess.current = timing;
        setValuesTime(frame.time);
        setWorst([...frame.worst]);
        firstPaint.current();
      },
      onSite: setSiteState,
      onStatus: (status, detail) => {
        probe.current.liveStatus = status;
        setLiveStatus(status);
        setLiveDetail(detail);
      },
    });
    feedRef.current = feed;
    probe.current.startInjected = (id: string) => {
      if (!isFloorField(id)) return;
      const injected = fieldSpec(id);
      controller.showField(injected);
      probe.current.field = injected.id;
      feed.start(model.rackCount, scaleOf(injected), undefined, worstCount);
    };
    probe.current.injectFrame = (json: string) => feed.inject(json);
    window.__alixanFloor = probe.current;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = canvas.getBoundingClientRect();
      renderer.zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
      setHover(undefined);
    };
    canvas.addEventListener("wheel", onWheel, { passive: false });
    return () => {
      canvas.removeEventListener("wheel", onWheel);
      observer.disconnect();
      renderer.dispose();
      feed.dispose();
      feedRef.current = undefined;
      controllerRef.current = undefined;
      if (window.__alixanFloor === probe.current) delete window.__alixanFloor;
    };
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

  const refreshWorst = useCallback(() => {
    const controller = controllerRef.current;
    if (controller !== undefined) setWorst(controller.worst(worstCount));
  }, []);

  const markFirstPaint = useCallback(() => {
    const controller = controllerRef.current;
    if (controller === undefined || probe.current.firstPaintMs !== undefined) return;
    controller.renderer.render();
    performance.mark(markFirstDraw);
    requestAnimationFrame(() => {
      performance.mark(markFirstFrame);
      const measure = performance.measure("alixan:floor:first-paint", markStart, markFirstFrame);
      const layout = performance.measure("alixan:floor:layout", markStart, markLayout);
      probe.current.firstPaintMs = measure.duration;
      probe.current.layoutMs = layout.duration;
      canvasRef.current?.setAttribute("data-first-paint-ms", measure.duration.toFixed(1));
    });
  }, []);
  const firstPaint = useRef(markFirstPaint);
  firstPaint.current = markFirstPaint;

  // The field: first values, then live updates.
  useEffect(() => {
    const controller = controllerRef.current;
    if (model === undefined || controller === undefined) return;
    let stopped = false;
    let stopLive: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setFieldError(undefined);
    setWorst([]);
    controller.showField(spec);
    probe.current.field = spec.id;
    probe.current.updates.length = 0;
    if (spec.id === "zone") {
      controller.applyCategories(model.zoneOfRack, model.zones, "General floor");
      markFirstPaint();
    } else if (spec.id === "designPowerKW") {
      controller.applyValues(model.designPowerKW);
      refreshWorst();
      markFirstPaint();
    } else if (spec.id === "tenant") {
      const load = () => {
        loadTenantPlacement(client, model).then(
          ({ categories, tenants }) => {
            if (stopped) return;
            controller.applyCategories(categories, tenants, "No running job");
            markFirstPaint();
            timer = setTimeout(load, 15_000);
          },
          (error: unknown) => {
            if (!stopped) setFieldError(describeError(error));
          },
        );
      };
      load();
    } else if (live && feedRef.current !== undefined) {
      const feed = feedRef.current;
      feed.start(
        model.rackCount,
        scaleOf(spec),
        {
          racksUrl: `/v1/state/racks?field=${encodeURIComponent(spec.id)}`,
          siteUrl: "/v1/state/site",
          streamUrl: capabilities.liveStream ? client.streamUrl("/v1/state/stream", { field: spec.id }) : undefined,
          token: client.token,
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
  }, [model, spec, live, client, capabilities, markFirstPaint, refreshWorst]);

  // Site KPIs when the field is not live (the stream brings them otherwise).
  useEffect(() => {
    if (!live || spec.source === "live") return;
    return openLiveState(client, capabilities, undefined, { onSite: setSiteState });
  }, [live, spec.source, client, capabilities]);

  const setField = (next: string) => {
    if (!isFloorField(next)) return;
    const parameters = new URLSearchParams(search);
    parameters.set("field", next);
    navigate(`/floor?${parameters.toString()}`, { replace: true });
  };

  const pointer = useRef<{ x: number; y: number; moved: boolean; down: boolean }>({
    x: 0,
    y: 0,
    moved: false,
    down: false,
  });

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    pointer.current = { x: event.clientX, y: event.clientY, moved: false, down: true };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const controller = controllerRef.current;
    if (controller === undefined) return;
    const state = pointer.current;
    if (state.down) {
      const dx = event.clientX - state.x;
      const dy = event.clientY - state.y;
      if (state.moved || Math.abs(dx) + Math.abs(dy) > 4) {
        state.moved = true;
        controller.renderer.panBy(dx, dy);
        state.x = event.clientX;
        state.y = event.clientY;
        setHover(undefined);
        return;
      }
    }
    const box = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const rack = controller.renderer.rackAt(x, y);
    controller.renderer.setHovered(rack);
    setHover(rack < 0 ? undefined : { rack, x, y });
  };
  const onPointerUp = (event: PointerEvent<HTMLCanvasElement>) => {
    const state = pointer.current;
    state.down = false;
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    if (state.moved) return;
    const controller = controllerRef.current;
    const box = event.currentTarget.getBoundingClientRect();
    const rack = controller?.renderer.rackAt(event.clientX - box.left, event.clientY - box.top) ?? -1;
    if (rack >= 0 && model !== undefined) navigate(`/racks/${encodeURIComponent(model.rackIds[rack]!)}`);
  };
  const onPointerLeave = () => {
    controllerRef.current?.renderer.setHovered(-1);
    setHover(undefined);
  };
  /** Moves the keyboard's cell, keeps it in view and shows its tooltip as a hover would. */
  const moveTo = (rack: number) => {
    const renderer = controllerRef.current?.renderer;
    const canvas = canvasRef.current;
    if (renderer === undefined || canvas === null || model === undefined) return;
    keyboardRack.current = rack;
    let centre = renderer.cellCentre(rack);
    if (centre === undefined) return;
    const margin = 24;
    const { clientWidth, clientHeight } = canvas;
    const panX =
      centre.x < margin ? margin - centre.x : centre.x > clientWidth - margin ? clientWidth - margin - centre.x : 0;
    const panY =
      centre.y < margin ? margin - centre.y : centre.y > clientHeight - margin ? clientHeight - margin - centre.y : 0;
    if (panX !== 0 || panY !== 0) {
      renderer.panBy(panX, panY);
      centre = renderer.cellCentre(rack) ?? centre;
    }
    renderer.setHovered(rack);
    setHover({ rack, x: centre.x, y: centre.y });
    setAnnounced(`${model.rackIds[rack]}. Enter opens the rack.`);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    const renderer = controllerRef.current?.renderer;
    if (renderer === undefined) return;
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    const arrow = arrows[event.key];
    if (arrow !== undefined && !event.shiftKey) {
      // Cell to cell; the first arrow starts at the hovered cell, or the first rack.
      const from = keyboardRack.current >= 0 ? keyboardRack.current : (hover?.rack ?? -1);
      moveTo(from < 0 ? 0 : neighbourRack(renderer.geometry, from, arrow[0], arrow[1]));
      event.preventDefault();
      return;
    }
    const step = 200;
    switch (event.key) {
      case "ArrowLeft":
        renderer.panBy(step, 0);
        break;
      case "ArrowRight":
        renderer.panBy(-step, 0);
        break;
      case "ArrowUp":
        renderer.panBy(0, step);
        break;
      case "ArrowDown":
        renderer.panBy(0, -step);
        break;
      case "Enter":
        if (keyboardRack.current < 0 || model === undefined) return;
        navigate(`/racks/${encodeURIComponent(model.rackIds[keyboardRack.current]!)}`);
        break;
      case "+":
      case "=":
        renderer.zoomCentre(1.25);
        break;
      case "-":
      case "_":
        renderer.zoomCentre(0.8);
        break;
      case "0":
        renderer.fit();
        break;
      case "Escape":
        keyboardRack.current = -1;
        renderer.setHovered(-1);
        setHover(undefined);
        setAnnounced("");
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const zoomButtons = (factor: number | "fit") => {
    const renderer = controllerRef.current?.renderer;
    if (renderer === undefined) return;
    if (factor === "fit") renderer.fit();
    else renderer.zoomCentre(factor);
  };

  const description = useMemo(() => {
    if (model === undefined) return "";
    const halls = model.halls.length;
    return `Heat map of ${formatNumber(model.rackCount)} racks in ${halls} halls, coloured by ${spec.label.toLowerCase()}.`;
  }, [model, spec.label]);

  if (loadError !== undefined) return <ErrorNotice error={loadError} action="Loading the floor layout" />;

  return (
    <section className="floor-page" aria-labelledby="floor-title">
      <div className="page-head">
        <h1 id="floor-title">Floor</h1>
        <div className="toolbar">
          <label htmlFor="floor-field">Colour by</label>
          <select id="floor-field" value={field} onChange={(event) => setField(event.target.value)}>
            {fieldSpecs.map((option) => (
              <option key={option.id} value={option.id} disabled={!available(option.id)}>
                {option.label}
                {available(option.id) ? "" : " (not available)"}
              </option>
            ))}
          </select>
          <RackFinder model={model} />
          <fieldset className="zoom-buttons">
            <legend className="visually-hidden">Zoom</legend>
            <button type="button" onClick={() => zoomButtons(1.25)} aria-label="Zoom in">
              +
            </button>
            <button type="button" onClick={() => zoomButtons(0.8)} aria-label="Zoom out">
              −
            </button>
            <button type="button" onClick={() => zoomButtons("fit")}>
              Fit
            </button>
          </fieldset>
        </div>
      </div>
      <SiteStrip site={siteState} live={live} status={liveStatus} detail={liveDetail} valuesTime={valuesTime} />
      {!live ? (
        <div className="notice notice-unavailable" role="status">
          <strong>Live rack values are not available on this server</strong> (<code>GET /v1/state/racks</code> is not
          deployed). The floor shows the inventory: design power, zones.
        </div>
      ) : null}
      {fieldError === undefined ? null : (
        <div className="notice notice-error" role="alert">
          {spec.label}: {fieldError}
        </div>
      )}
      <div className="floor-layout">
        <div className="floor-frame" ref={frameRef}>
          {model === undefined ? <Loading what="the floor layout" /> : null}
          <canvas
            ref={canvasRef}
            className="floor-canvas"
            tabIndex={0}
            role="img"
            aria-label={description}
            aria-describedby="floor-help"
            data-rack-count={model === undefined ? undefined : model.rackCount}
            data-field={field}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerLeave={onPointerLeave}
            onKeyDown={onKeyDown}
          />
          <p className="visually-hidden" aria-live="polite" data-keyboard-rack={announced.split(".")[0] ?? ""}>
            {announced}
          </p>
          {hover === undefined || model === undefined || controllerRef.current === undefined ? null : (
            <RackTooltip model={model} controller={controllerRef.current} hover={hover} frame={frameRef.current} />
          )}
        </div>
        <aside className="floor-side" aria-label="Legend and racks">
          <LegendView legend={legend} />
          <FloorAlarms alarms={alarms} />
          <WorstRacks model={model} controller={controllerRef.current} groups={worst} />
          <p id="floor-help" className="field-help">
            Hover a cell for its values; click it for the rack view. From the keyboard: arrow keys move cell to cell,
            <kbd>Enter</kbd> opens the rack, <kbd>Esc</kbd> leaves it. Wheel or <kbd>+</kbd>/<kbd>−</kbd> to zoom, drag
            or <kbd>Shift</kbd>+arrow keys to pan, <kbd>0</kbd> to fit.
          </p>
        </aside>
      </div>
    </section>
  );
}

function SiteStrip(props: {
  site: SiteState | undefined;
  live: boolean;
  status: LiveStatus;
  detail: string | undefined;
  valuesTime: number | string | undefined;
}) {
  const { site } = props;
  const statusText =
    props.status === "streaming"
      ? "live (1 Hz stream)"
      : props.status === "polling"
        ? `live (polling${props.detail === undefined ? "" : `: ${props.detail}`})`
        : props.status === "reconnecting"
          ? "reconnecting…"
          : props.status === "connecting"
            ? "connecting…"
            : "not live";
  return (
    <section className="site-strip" aria-label="Site now">
      <span className={`live-dot live-${props.live ? props.status : "stopped"}`} aria-hidden="true" />
      <span className="strip-item">{props.live ? statusText : "inventory only"}</span>
      {site === undefined ? null : (
        <>
          <span className="strip-item">
            IT <strong>{formatPowerKW(site.kpis.itKW)}</strong>
          </span>
          <span className="strip-item">
            PUE <strong>{formatNumber(site.kpis.pue, 3)}</strong>
          </span>
          <span className="strip-item">
            GPU use <strong>{formatPercent(site.kpis.gpuUtilisation)}</strong>
          </span>
          <span className="strip-item">
            Outdoor <strong>{formatCelsius(site.weather.dryBulbC)}</strong>
          </span>
          <span className="strip-item">
            Throttled racks <strong>{formatNumber(site.kpis.throttledRacks)}</strong>
          </span>
          <span className="strip-item">
            Tripped racks <strong>{formatNumber(site.kpis.trippedRacks)}</strong>
          </span>
          <span className="strip-item">
            Latched off <strong>{formatNumber(site.kpis.latchedRacks)}</strong>
          </span>
          <span className="strip-item muted">
            {site.mode} · {formatTime(site.time)}
          </span>
        </>
      )}
      {props.valuesTime === undefined ? null : (
        <span className="strip-item muted">racks at {formatTime(props.valuesTime)}</span>
      )}
    </section>
  );
}

function LegendView(props: { legend: Legend | undefined }) {
  const { legend } = props;
  if (legend === undefined) return null;
  if (legend.kind === "categorical") {
    return (
      <figure className="legend" aria-label={`Legend: ${legend.spec.label}`}>
        <figcaption>{legend.spec.label}</figcaption>
        <ul className="legend-categories">
          {legend.items.map((item) => (
            <li key={item.label}>
              <span className="swatch" style={{ background: item.colour }} aria-hidden="true" />
              {item.label} <span className="muted">({formatNumber(item.racks)})</span>
            </li>
          ))}
          <li>
            <span className="swatch" style={{ background: cssOf(noDataColour) }} aria-hidden="true" />
            {legend.noneLabel} <span className="muted">({formatNumber(legend.noneRacks)})</span>
          </li>
        </ul>
      </figure>
    );
  }
  const stops = Array.from({ length: 9 }, (_, index) => cssOf(rampColour(legend.ramp, index / 8)));
  const ticks = Array.from({ length: 5 }, (_, index) => legend.min + ((legend.max - legend.min) * index) / 4);
  const factor = legend.spec.displayFactor;
  const span = legend.max - legend.min;
  const digits = Math.abs(legend.max * factor) < 10 ? 1 : 0;
  return (
    <figure className="legend" aria-label={`Legend: ${legend.spec.label}`} data-field={legend.spec.id}>
      <figcaption>
        {legend.spec.label}
        {legend.spec.unit === "" ? "" : ` (${legend.spec.unit})`}
      </figcaption>
      <div className="legend-ramp" style={{ background: `linear-gradient(to right, ${stops.join(", ")})` }} />
      <div className="legend-ticks">
        {ticks.map((tick) => (
          <span key={tick}>{formatNumber(tick * factor, digits)}</span>
        ))}
      </div>
      {legend.thresholds.length === 0 ? null : (
        <div className="legend-marks" aria-hidden="true">
          {legend.thresholds
            .filter((mark) => mark.value >= legend.min && mark.value <= legend.max)
            .map((mark, index, marks) => {
              const at = (100 * (mark.value - legend.min)) / span;
              const previous = marks[index - 1];
              // Marks closer than 8 % of the ramp keep their tick; the note says their values.
              const crowded = previous !== undefined && at - (100 * (previous.value - legend.min)) / span < 8;
              return (
                <span
                  key={mark.label}
                  className="legend-mark"
                  style={{ left: `${at}%` }}
                  title={`${mark.label}: ${formatFieldValue(legend.spec, mark.value)}`}
                >
                  {crowded ? "" : formatNumber(mark.value * factor, mark.value * factor < 10 ? 1 : 0)}
                </span>
              );
            })}
        </div>
      )}
      {legend.spec.note === undefined ? null : (
        <p className="legend-note">
          {legend.spec.note}
          {legend.thresholds.length === 0
            ? ""
            : ` ${legend.thresholds
                .map(
                  (mark, index) =>
                    `${index === 0 ? mark.label.charAt(0).toUpperCase() + mark.label.slice(1) : mark.label}: ${formatFieldValue(legend.spec, mark.value)}`,
                )
                .join("; ")}.`}
        </p>
      )}
      <div className="legend-nodata">
        <span className="swatch" style={{ background: cssOf(noDataColour) }} aria-hidden="true" /> no data
      </div>
    </figure>
  );
}

/** Active alarms the floor frames, each with its place and impact. */
function FloorAlarms(props: { alarms: readonly Alarm[] }) {
  const shown = props.alarms.filter((alarm) => alarm.shelved === undefined);
  if (shown.length === 0) return null;
  return (
    <section className="floor-alarms" aria-labelledby="floor-alarms-title">
      <h2 id="floor-alarms-title">
        Alarms on the floor <span className="muted">({formatNumber(shown.length)})</span>
      </h2>
      <ol>
        {shown.slice(0, 6).map((alarm) => (
          <li key={alarm.id} data-alarm-id={alarm.id}>
            <span className={`badge badge-${alarm.severity}`}>{alarm.severity}</span> <strong>{alarm.title}</strong>{" "}
            <span className="muted">{alarmPlace(alarm)}</span>
            <AlarmImpactView alarm={alarm} compact />
          </li>
        ))}
      </ol>
      {shown.length > 6 ? (
        <a href="/alarms" onClick={followLink}>
          All {formatNumber(shown.length)} alarms
        </a>
      ) : null}
    </section>
  );
}

function WorstRacks(props: {
  model: FloorModel | undefined;
  controller: FloorController | undefined;
  groups: RankGroup[];
}) {
  const { model, controller, groups } = props;
  if (model === undefined || controller === undefined || groups.length === 0) return null;
  const spec = controller.field;
  const loops = spec.id === "loopHeadroom";
  const title = loops
    ? "Tightest loops (least spare capacity)"
    : spec.invert
      ? "Most power lost"
      : `${spec.lowIsWorst ? "Least" : "Highest"}: ${spec.label.toLowerCase()}`;
  return (
    <section className="worst" aria-labelledby="worst-title">
      <h2 id="worst-title">{title}</h2>
      <ol>
        {groups.map((group) => {
          const first = model.rackIds[group.racks[0]!]!;
          const value = formatFieldValue(spec, group.value);
          if (loops) {
            // Every rack of a row shows its loop: a group is one loop, or several at the same share.
            const row = model.rows[model.rowOfRack[group.racks[0]!]!]!;
            return (
              <li key={group.value} data-racks={group.count}>
                <a href={`/racks/${encodeURIComponent(first)}`} onClick={followLink}>
                  row {shortId(row.id)}
                </a>
                {group.count > row.rackCount ? " and other loops" : ""}{" "}
                <span className="muted">
                  {value} spare · {formatNumber(group.count)} racks
                </span>
              </li>
            );
          }
          return (
            <li key={group.value} data-racks={group.count}>
              {group.count === 1 ? (
                <a href={`/racks/${encodeURIComponent(first)}`} onClick={followLink}>
                  {shortId(first)}
                </a>
              ) : (
                <>
                  {group.count === model.rackCount ? "All " : ""}
                  {formatNumber(group.count)} racks, e.g.{" "}
                  <a href={`/racks/${encodeURIComponent(first)}`} onClick={followLink}>
                    {shortId(first)}
                  </a>
                </>
              )}{" "}
              <span className="muted">{value}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function RackTooltip(props: {
  model: FloorModel;
  controller: FloorController;
  hover: { rack: number; x: number; y: number };
  frame: HTMLDivElement | null;
}) {
  const { model, controller, hover } = props;
  const rack = hover.rack;
  const id = model.rackIds[rack] ?? "?";
  const row = model.rows[model.rowOfRack[rack] ?? -1];
  const hall = row === undefined ? undefined : model.halls[row.hallIndex];
  const type = model.rackTypes[model.typeOfRack[rack] ?? -1];
  const spec = controller.field;
  const value =
    spec.kind === "categorical"
      ? (controller.categoryOf(rack) ?? (spec.id === "tenant" ? "no running job" : "general floor"))
      : formatFieldValue(spec, controller.valueOf(rack));
  // Keep the tooltip inside the frame: left of the pointer near the right edge, above it near the bottom.
  const width = props.frame?.clientWidth ?? 800;
  const height = props.frame?.clientHeight ?? 600;
  const left = hover.x + 330 > width ? Math.max(4, hover.x - 326) : hover.x + 14;
  const top = hover.y + 170 > height ? Math.max(4, hover.y - 166) : hover.y + 14;
  return (
    <div className="tooltip" role="tooltip" id="floor-tooltip" style={{ left, top }}>
      <div className="tooltip-title">{id}</div>
      <dl>
        <dt>{spec.label}</dt>
        <dd>{value}</dd>
        {hall === undefined ? null : (
          <>
            <dt>Hall · row</dt>
            <dd>
              {hall.name} · {shortId(row!.id)}
            </dd>
          </>
        )}
        {type === undefined ? null : (
          <>
            <dt>Type</dt>
            <dd>
              {type.id}, {formatPowerKW(type.designPowerKW)} design
              {type.gpus > 0 ? `, ${type.gpus} × ${type.gpuModel ?? "GPU"}` : ""}
            </dd>
          </>
        )}
        {row?.tcsLoop === undefined || row.tcsLoop === null ? null : (
          <>
            <dt>Cooling loop</dt>
            <dd>{shortId(row.tcsLoop)}</dd>
          </>
        )}
      </dl>
      <div className="tooltip-hint">Click to open the rack</div>
    </div>
  );
}

function RackFinder(props: { model: FloorModel | undefined }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const model = props.model;
    if (model === undefined) return;
    const wanted = text.trim();
    const id = wanted.startsWith("rack:") ? wanted : `rack:${wanted}`;
    if (!model.rackIds.includes(id)) {
      setProblem(`no rack ${id}`);
      return;
    }
    setProblem(undefined);
    navigate(`/racks/${encodeURIComponent(id)}`);
  };
  return (
    <search className="rack-finder">
      <form className="rack-finder-form" onSubmit={submit}>
        <label htmlFor="rack-finder">Rack</label>
        <input
          id="rack-finder"
          value={text}
          placeholder="h1-r001-01"
          onChange={(event) => setText(event.target.value)}
          aria-invalid={problem !== undefined}
          aria-describedby={problem === undefined ? undefined : "rack-finder-problem"}
          size={14}
        />
        <button type="submit">Open</button>
        {problem === undefined ? null : (
          <span id="rack-finder-problem" className="field-error" role="alert">
            {problem}
          </span>
        )}
      </form>
    </search>
  );
}
