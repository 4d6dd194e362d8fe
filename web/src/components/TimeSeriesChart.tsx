/**
 * A uPlot time-series chart: columnar series (one array per field) as the API serves them, sized to its container,
 * data swapped in place on updates. Optional stacking draws cumulative bands (the power stack).
 *
 * Honest axes: an additive quantity (power, water, carbon) starts at zero; a ratio (PUE) gets a minimum span so
 * noise in the fourth decimal does not fill the chart; the time axis spans at least a few minutes (one point right
 * after start is a dot, not an axis from 2027 to 2029), in the site's zone, named on the axis.
 */
import { useEffect, useMemo, useRef } from "react";
import uPlot from "uplot";
import { formatNumber, formatTick, formatTime, timeZoneLabel, timeZoneShown } from "../format.ts";
import { chartFileName, chartPng, chartSvg, download } from "./chart-export.ts";
import { timeRange, valueRange } from "./chart-scales.ts";

/** One line of a chart. */
export interface ChartSeries {
  readonly label: string;
  readonly colour: string;
  readonly values: readonly (number | null)[];
  readonly dash?: readonly number[];
}

/** Props of the chart. */
export interface TimeSeriesChartProps {
  readonly title: string;
  /** Times in ms since the epoch. */
  readonly time: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly unit: string;
  readonly height?: number;
  /** Draw series as stacked bands (each on top of the previous). */
  readonly stacked?: boolean;
  readonly digits?: number;
  /** The y axis starts at zero (additive quantities: power, energy, water, carbon). */
  readonly fromZero?: boolean;
  /** Smallest span of the y axis, in the chart's unit (a ratio such as PUE: 0.1). */
  readonly minSpan?: number;
  /** Offer PNG and SVG files of the chart, named `alixan-<exportAs>-<title>`. */
  readonly exportAs?: string;
}

/** Decimals that tell neighbouring ticks apart (a 0.001 step shows three). */
function tickDigits(ticks: readonly number[]): number {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  return step > 0 ? Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
}

function stack(series: readonly ChartSeries[]): (number | null)[][] {
  const totals: (number | null)[][] = [];
  let running: (number | null)[] | undefined;
  for (const line of series) {
    const next = line.values.map((value, index) => {
      const below = running?.[index] ?? 0;
      return value === null ? below : (below ?? 0) + value;
    });
    totals.push(next);
    running = next;
  }
  return totals;
}

/** A time-series chart. */
export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { title, time, series, unit, stacked = false, digits = 1, fromZero = false, minSpan } = props;
  const height = props.height ?? 220;
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const signature = series.map((line) => `${line.label}|${line.colour}`).join(";") + (stacked ? "|stacked" : "");

  const data = useMemo<uPlot.AlignedData>(() => {
    const seconds = time.map((ms) => ms / 1000);
    const columns = stacked ? stack(series) : series.map((line) => [...line.values]);
    return [seconds, ...columns] as uPlot.AlignedData;
  }, [time, series, stacked]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series set changes; data flows via setData
  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZoneShown()),
      scales: {
        x: { time: true, range: (_plot, min, max) => timeRange(min, max) },
        y: {
          range: (_plot, min, max) => valueRange(min, max, { fromZero, ...(minSpan === undefined ? {} : { minSpan }) }),
        },
      },
      axes: [
        {
          stroke: "#4b5560",
          grid: { stroke: "#e3e7eb" },
          label: `Time (${timeZoneLabel()})`,
          values: (_plot, ticks) => {
            const spanMs = ((ticks.at(-1) ?? 0) - (ticks[0] ?? 0)) * 1000;
            return ticks.map((tick) => formatTick(tick * 1000, spanMs));
          },
        },
        {
          stroke: "#4b5560",
          grid: { stroke: "#e3e7eb" },
          size: 64,
          values: (_plot, ticks) => ticks.map((tick) => formatNumber(tick, tickDigits(ticks))),
          label: unit,
        },
      ],
      series: [
        {
          // The legend's time, in the console's one format (the site's zone, named).
          label: `Time (${timeZoneLabel()})`,
          value: (_plot: uPlot, seconds: number | null) => (seconds === null ? "–" : formatTime(seconds * 1000)),
        },
        ...series.map((line, index) => ({
          label: line.label,
          stroke: line.colour,
          width: 1.5,
          ...(line.dash === undefined ? {} : { dash: [...line.dash] }),
          ...(stacked ? { fill: `${line.colour}55` } : {}),
          // The legend shows each series' own value, also when drawn stacked.
          value: (_plot: uPlot, _value: number | null, _series: number, dataIndex: number | null) => {
            const own = dataIndex === null ? null : seriesRef.current[index]?.values[dataIndex];
            return own === null || own === undefined ? "–" : `${formatNumber(own, digits)} ${unit}`;
          },
        })),
      ],
      ...(stacked
        ? {
            bands: series.slice(1).map((_, index) => ({ series: [index + 2, index + 1] as [number, number] })),
          }
        : {}),
    };
    const instance = new uPlot(options, data, element);
    plot.current = instance;
    const observer = new ResizeObserver(() => {
      instance.setSize({ width: Math.max(200, element.clientWidth), height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.destroy();
      plot.current = undefined;
    };
  }, [signature, height, unit, fromZero, minSpan]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const latest = series
    .map((line) => {
      const last = line.values.at(-1);
      return `${line.label} ${last === null || last === undefined ? "no data" : `${formatNumber(last, digits)} ${unit}`}`;
    })
    .join(", ");
  const exported = { title, unit, time, series, digits, fromZero, ...(minSpan === undefined ? {} : { minSpan }) };
  const savePng = async () => {
    const canvas = container.current?.querySelector("canvas");
    if (canvas === null || canvas === undefined || props.exportAs === undefined) return;
    download(chartFileName(props.exportAs, title, "png"), await chartPng(canvas, exported));
  };
  const saveSvg = () => {
    if (props.exportAs === undefined) return;
    download(chartFileName(props.exportAs, title, "svg"), new Blob([chartSvg(exported)], { type: "image/svg+xml" }));
  };
  return (
    <figure className="chart">
      <figcaption>
        {title}
        {props.exportAs === undefined ? null : (
          <span className="chart-export">
            <button type="button" className="chart-export-button" onClick={savePng} aria-label={`Save ${title} as PNG`}>
              PNG
            </button>
            <button type="button" className="chart-export-button" onClick={saveSvg} aria-label={`Save ${title} as SVG`}>
              SVG
            </button>
          </span>
        )}
      </figcaption>
      <div ref={container} className="chart-plot" role="img" aria-label={`${title}. Latest: ${latest}.`} />
    </figure>
  );
}
