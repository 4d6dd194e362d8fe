/**
 * Charts as files for a report or a meeting: an SVG drawn from the chart's own data (scalable, text stays text) and
 * a PNG of the drawn chart with its title and legend (the uPlot canvas alone has neither). The SVG uses the same
 * axis rules as the live chart (`chart-scales.ts`), so a saved chart never shows a scale the console would not.
 */
import { formatNumber, formatTick, timeZoneLabel } from "../format.ts";
import { timeRange, valueRange } from "./chart-scales.ts";

/** What an exported chart shows. */
export interface ExportedChart {
  readonly title: string;
  readonly unit: string;
  /** Epoch ms. */
  readonly time: readonly number[];
  readonly series: readonly {
    readonly label: string;
    readonly colour: string;
    readonly values: readonly (number | null)[];
    readonly dash?: readonly number[];
  }[];
  readonly digits?: number;
  readonly fromZero?: boolean;
  readonly minSpan?: number;
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[char]!);

/** Evenly spaced round ticks over [min, max]. */
function ticks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw)!;
  const result: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) result.push(tick);
  return result;
}

/** The chart as a standalone SVG document (width × height pixels). */
export function chartSvg(chart: ExportedChart, width = 800, height = 360): string {
  const margin = { left: 70, right: 20, top: 36, bottom: 70 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const values = chart.series.flatMap((line) => line.values.filter((value): value is number => value !== null));
  const [timeMin, timeMax] = timeRange((chart.time[0] ?? 0) / 1000, (chart.time.at(-1) ?? 0) / 1000);
  const [low, high] = valueRange(
    values.length === 0 ? null : Math.min(...values),
    values.length === 0 ? null : Math.max(...values),
    {
      fromZero: chart.fromZero ?? false,
      ...(chart.minSpan === undefined ? {} : { minSpan: chart.minSpan }),
    },
  );
  const x = (ms: number) => margin.left + ((ms / 1000 - timeMin) / (timeMax - timeMin || 1)) * plotWidth;
  const y = (value: number) => margin.top + (1 - (value - low) / (high - low || 1)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  const valueTicks = ticks(low, high, 5);
  const step = valueTicks.length > 1 ? valueTicks[1]! - valueTicks[0]! : 1;
  const tickDigits = Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  for (const tick of valueTicks) {
    const at = y(tick).toFixed(1);
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${at}" y2="${at}" stroke="#e3e7eb"/>`,
      `<text x="${margin.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatNumber(tick, tickDigits))}</text>`,
    );
  }
  const spanMs = (timeMax - timeMin) * 1000;
  for (const tick of ticks(timeMin * 1000, timeMax * 1000, 6)) {
    const at = x(tick).toFixed(1);
    parts.push(
      `<line x1="${at}" x2="${at}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="#e3e7eb"/>`,
      `<text x="${at}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${escapeXml(formatTick(tick, spanMs))}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#4b5560"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${margin.top + plotHeight + 34}" text-anchor="middle">Time (${escapeXml(timeZoneLabel())})</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.unit)}</text>`,
  );
  let legendX = margin.left;
  for (const line of chart.series) {
    // Gaps (null) break the line rather than joining across missing hours.
    const runs: string[] = [];
    let current: string[] = [];
    line.values.forEach((value, index) => {
      if (value === null || chart.time[index] === undefined) {
        if (current.length > 0) runs.push(current.join(" "));
        current = [];
      } else current.push(`${x(chart.time[index]!).toFixed(1)},${y(value).toFixed(1)}`);
    });
    if (current.length > 0) runs.push(current.join(" "));
    const dash = line.dash === undefined ? "" : ` stroke-dasharray="${line.dash.join(" ")}"`;
    for (const points of runs) {
      parts.push(`<polyline fill="none" stroke="${line.colour}" stroke-width="1.5"${dash} points="${points}"/>`);
    }
    const legendY = height - 14;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${line.colour}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY}">${escapeXml(line.label)}</text>`,
    );
    legendX += 40 + line.label.length * 7;
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** A file name for a chart: `alixan-<prefix>-<title>` in lowercase with dashes. */
export function chartFileName(prefix: string, title: string, extension: "png" | "svg"): string {
  const slug = title
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `alixan-${prefix}-${slug}.${extension}`;
}

/** Offers a file to the browser's downloads. */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The drawn chart (uPlot's canvas) with its title and legend, as a PNG. */
export async function chartPng(canvas: HTMLCanvasElement, chart: ExportedChart): Promise<Blob> {
  const ratio = canvas.width / Math.max(1, canvas.clientWidth || canvas.width);
  const titleHeight = 30 * ratio;
  const legendHeight = 26 * ratio;
  const output = document.createElement("canvas");
  output.width = canvas.width;
  output.height = canvas.height + titleHeight + legendHeight;
  const context = output.getContext("2d")!;
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, output.width, output.height);
  context.fillStyle = "#1d252c";
  context.font = `bold ${15 * ratio}px sans-serif`;
  context.fillText(chart.title, 8 * ratio, 20 * ratio);
  context.drawImage(canvas, 0, titleHeight);
  context.font = `${12 * ratio}px sans-serif`;
  let legendX = 8 * ratio;
  const legendY = canvas.height + titleHeight + 18 * ratio;
  for (const line of chart.series) {
    context.strokeStyle = line.colour;
    context.lineWidth = 2 * ratio;
    context.setLineDash(line.dash === undefined ? [] : line.dash.map((value) => value * ratio));
    context.beginPath();
    context.moveTo(legendX, legendY - 4 * ratio);
    context.lineTo(legendX + 24 * ratio, legendY - 4 * ratio);
    context.stroke();
    context.fillText(line.label, legendX + 30 * ratio, legendY);
    legendX += context.measureText(line.label).width + 50 * ratio;
  }
  return new Promise((resolve, reject) =>
    output.toBlob(
      (blob) => (blob === null ? reject(new Error("the chart could not be drawn")) : resolve(blob)),
      "image/png",
    ),
  );
}
