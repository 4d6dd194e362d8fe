/**
 * The floor: every rack as a cell of a canvas heat map, halls as blocks and rows as lines, coloured by a live field,
 * the tenant of its jobs or its zone. Hover for values, click (or Enter on a listed rack) for the rack view; wheel or
 * +/- to zoom, drag or arrow keys to pan, 0 to fit. Live at 1 Hz.
 */
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type LiveStatus, openLiveState } from "../api/live.ts";
import type { Alarm, SiteState } from "../api/types.ts";
import { followLink, navigate, useLocation } from "../app/router.ts";
import { useSession } from "../app/session-context.tsx";
import { AlarmImpactView, alarmPlace, useActiveAlarms } from "../components/alarms.tsx";
import { FieldError, fieldControl } from "../components/field.tsx";
import { ErrorNotice, Loading } from "../components/status.tsx";
import { markLayoutLoaded, markLayoutStart, useFloorCanvas } from "../floor/canvas.ts";
import { cssOf, noDataColour, rampColour } from "../floor/colour.ts";
import type { FloorController, Legend } from "../floor/controller.ts";
import { type FloorField, fieldSpec, fieldSpecs, formatFieldValue, isFloorField } from "../floor/fields.ts";
import { loadFloorModel } from "../floor/load.ts";
import type { FloorModel } from "../floor/model.ts";
import { useFloorNavigation } from "../floor/navigation.ts";
import type { RankGroup } from "../floor/rank.ts";
import type { FloorRenderer } from "../floor/renderer.ts";
import { formatCelsius, formatNumber, formatPercent, formatPowerKW, formatTime, shortId } from "../format.ts";

/** The floor page: the field chosen in the URL, the canvas with its navigation, the site strip and the side panel. */
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
  const alarms = useActiveAlarms();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const controllerRef = useRef<FloorController | undefined>(undefined);
  const navigation = useFloorNavigation(controllerRef, canvasRef, model);
  const { hover, announced } = navigation;
  const view = useFloorCanvas(
    { canvasRef, frameRef, controllerRef },
    model,
    { spec, live, client, capabilities },
    alarms,
    navigation.clearHover,
  );
  const { setSiteState } = view;

  // Layout, once per session and site version.
  useEffect(() => {
    let cancelled = false;
    performance.clearMarks(markLayoutStart);
    performance.mark(markLayoutStart);
    loadFloorModel(client, capabilities, site?.version ?? 0).then(
      (loaded) => {
        if (cancelled) return;
        performance.mark(markLayoutLoaded);
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

  // Site KPIs when the field is not live (the stream brings them otherwise).
  useEffect(() => {
    if (!live || spec.source === "live") return;
    return openLiveState(client, capabilities, undefined, { onSite: setSiteState });
  }, [live, spec.source, client, capabilities, setSiteState]);

  const setField = (next: string) => {
    if (!isFloorField(next)) return;
    const parameters = new URLSearchParams(search);
    parameters.set("field", next);
    navigate(`/floor?${parameters.toString()}`, { replace: true });
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
        <FloorToolbar
          field={field}
          available={available}
          onField={setField}
          model={model}
          renderer={() => controllerRef.current?.renderer}
        />
      </div>
      <SiteStrip
        site={view.siteState}
        live={live}
        status={view.liveStatus}
        detail={view.liveDetail}
        valuesTime={view.valuesTime}
      />
      {!live ? (
        <div className="notice notice-unavailable" role="status">
          <strong>Live rack values are not available on this server</strong> (<code>GET /v1/state/racks</code> is not
          deployed). The floor shows the inventory: design power, zones.
        </div>
      ) : null}
      {view.fieldError === undefined ? null : (
        <div className="notice notice-error" role="alert">
          {spec.label}: {view.fieldError}
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
            {...navigation.handlers}
          />
          <p className="visually-hidden" aria-live="polite" data-keyboard-rack={announced.split(".")[0] ?? ""}>
            {announced}
          </p>
          {hover === undefined || model === undefined || controllerRef.current === undefined ? null : (
            <RackTooltip model={model} controller={controllerRef.current} hover={hover} frame={frameRef.current} />
          )}
        </div>
        <aside className="floor-side" aria-label="Legend and racks">
          <LegendView legend={view.legend} />
          <FloorAlarms alarms={alarms} />
          <WorstRacks model={model} controller={controllerRef.current} groups={view.worst} />
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

/** The field selector, the rack finder and the zoom buttons. */
function FloorToolbar(props: {
  field: FloorField;
  available: (id: FloorField) => boolean;
  onField: (id: string) => void;
  model: FloorModel | undefined;
  /** The renderer the zoom buttons act on (none before the layout has loaded). */
  renderer: () => FloorRenderer | undefined;
}) {
  const { available } = props;
  const zoom = (factor: number | "fit") => {
    const renderer = props.renderer();
    if (renderer === undefined) return;
    if (factor === "fit") renderer.fit();
    else renderer.zoomCentre(factor);
  };
  return (
    <div className="toolbar">
      <label htmlFor="floor-field">Colour by</label>
      <select id="floor-field" value={props.field} onChange={(event) => props.onField(event.target.value)}>
        {fieldSpecs.map((option) => (
          <option key={option.id} value={option.id} disabled={!available(option.id)}>
            {option.label}
            {available(option.id) ? "" : " (not available)"}
          </option>
        ))}
      </select>
      <RackFinder model={props.model} />
      <fieldset className="zoom-buttons">
        <legend className="visually-hidden">Zoom</legend>
        <button type="button" onClick={() => zoom(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoom(0.8)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => zoom("fit")}>
          Fit
        </button>
      </fieldset>
    </div>
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
          {...fieldControl("rack-finder", problem)}
          value={text}
          placeholder="h1-r001-01"
          onChange={(event) => setText(event.target.value)}
          size={14}
        />
        <button type="submit">Open</button>
        <FieldError id="rack-finder" error={problem} alert />
      </form>
    </search>
  );
}
