/**
 * Stacked bars in SVG for a few categories (months) and series (projects): additive quantities, so the axis starts
 * at zero. The figures are also in a table beside it; the chart is an image with a text summary for screen readers
 * and saves as SVG (the element itself).
 */
import { useRef } from "react";
import { formatNumber } from "../format.ts";
import { chartFileName, download } from "./chart-export.ts";

/** Props of the bar chart. */
export interface BarChartProps {
  readonly title: string;
  readonly unit: string;
  readonly categories: readonly string[];
  /** values[series][category]. */
  readonly series: readonly { readonly label: string; readonly colour: string; readonly values: readonly number[] }[];
  readonly digits?: number;
  readonly exportAs: string;
}

const width = 520;
const height = 240;
const margin = { left: 64, right: 12, top: 12, bottom: 28 };

/** Round ticks from zero to at least `max`. */
function ticksTo(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw)!;
  const ticks: number[] = [];
  for (let tick = 0; tick < max + step; tick += step) ticks.push(tick);
  return ticks;
}

/** A stacked bar chart. */
export function BarChart(props: BarChartProps) {
  const svg = useRef<SVGSVGElement>(null);
  const totals = props.categories.map((_, index) =>
    props.series.reduce((sum, line) => sum + (line.values[index] ?? 0), 0),
  );
  const ticks = ticksTo(Math.max(0, ...totals));
  const top = ticks.at(-1)!;
  // Decimals that tell neighbouring ticks apart (a 0.002 step shows three).
  const step = ticks[1]! - ticks[0]!;
  const tickDigits = Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const slot = plotWidth / Math.max(1, props.categories.length);
  const y = (value: number) => margin.top + plotHeight * (1 - value / top);
  const summary = props.categories
    .map((category, index) => `${category}: ${formatNumber(totals[index]!, props.digits ?? 0)} ${props.unit}`)
    .join("; ");
  const save = () => {
    if (svg.current === null) return;
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${svg.current.outerHTML}\n`;
    download(chartFileName(props.exportAs, props.title, "svg"), new Blob([text], { type: "image/svg+xml" }));
  };
  return (
    <figure className="chart bar-chart">
      <figcaption>
        {props.title}
        <span className="chart-export">
          <button
            type="button"
            className="chart-export-button"
            onClick={save}
            aria-label={`Save ${props.title} as SVG`}
          >
            SVG
          </button>
        </span>
      </figcaption>
      <svg
        ref={svg}
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${props.title} by month. ${summary}.`}
        fontFamily="sans-serif"
        fontSize="11"
      >
        <rect width={width} height={height} fill="#ffffff" />
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={margin.left} x2={width - margin.right} y1={y(tick)} y2={y(tick)} stroke="#e3e7eb" />
            <text x={margin.left - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle" fill="#4b5560">
              {formatNumber(tick, tickDigits)}
            </text>
          </g>
        ))}
        <text transform={`translate(12 ${margin.top + plotHeight / 2}) rotate(-90)`} textAnchor="middle" fill="#4b5560">
          {props.unit}
        </text>
        {props.categories.map((category, index) => {
          let base = 0;
          const x = margin.left + slot * index + slot * 0.2;
          return (
            <g key={category}>
              {props.series.map((line) => {
                const value = line.values[index] ?? 0;
                const bar = (
                  <rect
                    key={line.label}
                    x={x}
                    width={slot * 0.6}
                    y={y(base + value)}
                    height={Math.max(0, y(base) - y(base + value))}
                    fill={line.colour}
                  >
                    <title>{`${line.label}, ${category}: ${formatNumber(value, props.digits ?? 0)} ${props.unit}`}</title>
                  </rect>
                );
                base += value;
                return bar;
              })}
              <text x={x + slot * 0.3} y={height - 10} textAnchor="middle" fill="#4b5560">
                {category}
              </text>
            </g>
          );
        })}
        <line x1={margin.left} x2={width - margin.right} y1={y(0)} y2={y(0)} stroke="#4b5560" />
      </svg>
      <ul className="bar-legend">
        {props.series.map((line) => (
          <li key={line.label}>
            <span className="swatch" style={{ background: line.colour }} aria-hidden="true" />
            {line.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
