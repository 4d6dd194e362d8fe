/**
 * Hand-written SVG charts of a twin run (no chart library): outdoor temperature against facility water supply,
 * PUE over the run, and the power stack (IT, electrical losses, cooling). Long runs are reduced to at most
 * `maximumPoints` buckets: means for power and PUE, maxima for temperatures (limits are about peaks).
 */
import type { SeriesFrame, TwinResult } from "./results.ts";
import { secondsPer } from "./time.ts";

const maximumPoints = 730;
const width = 960;
const height = 420;
const margin = { left: 64, right: 200, top: 40, bottom: 48 };
const palette = ["#d1495b", "#00798c", "#edae49", "#30638e", "#66a182", "#8d96a3"];

/** A line to draw: its legend name and values at the shared x positions. */
interface Line {
  readonly name: string;
  readonly values: Float64Array;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Buckets of a frame's points: a day each for runs of two days or more (x in days), else an hour (x in hours), or
 * the frame's own interval if coarser; at most `maximumPoints` buckets.
 */
function buckets(frame: SeriesFrame): {
  x: Float64Array;
  reduce: (values: Float64Array, how: "mean" | "max") => Float64Array;
  label: string;
  xUnit: string;
} {
  const count = frame.timeS.length;
  const intervalS = frame.spanS[0]!;
  const totalS = frame.timeS[count - 1]! + frame.spanS[count - 1]!;
  const inDays = totalS >= 2 * secondsPer.d;
  const unitS = inDays ? secondsPer.d : secondsPer.h;
  const size = Math.max(1, Math.round(unitS / intervalS), Math.ceil(count / maximumPoints));
  const bucketCount = Math.ceil(count / size);
  const x = new Float64Array(bucketCount);
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const last = Math.min(count, (bucket + 1) * size) - 1;
    x[bucket] = (frame.timeS[last]! + frame.spanS[last]!) / unitS;
  }
  const reduce = (values: Float64Array, how: "mean" | "max") => {
    const reduced = new Float64Array(bucketCount);
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      let total = 0;
      let weight = 0;
      let highest = Number.NEGATIVE_INFINITY;
      for (let point = bucket * size; point < Math.min(count, (bucket + 1) * size); point++) {
        total += values[point]! * frame.spanS[point]!;
        weight += frame.spanS[point]!;
        highest = Math.max(highest, values[point]!);
      }
      reduced[bucket] = how === "max" ? highest : total / weight;
    }
    return reduced;
  };
  const bucketS = size * intervalS;
  const label = bucketS === secondsPer.d ? "daily" : bucketS === secondsPer.h ? "hourly" : `${bucketS / 60}-minute`;
  return { x, reduce, label, xUnit: inDays ? "days" : "hours" };
}

/** Round tick values covering low … high. */
function ticks(low: number, high: number, count = 6): number[] {
  const span = high - low || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw)!;
  const values: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) {
    values.push(Number(value.toPrecision(12)));
  }
  return values;
}

/** An SVG chart of lines, or of stacked areas when `stacked`. */
function chart(
  title: string,
  xLabel: string,
  yLabel: string,
  x: Float64Array,
  lines: readonly Line[],
  stacked: boolean,
): string {
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const tops = lines.map((line) => line.values.slice());
  if (stacked) {
    for (let index = 1; index < tops.length; index++) {
      for (let point = 0; point < x.length; point++) tops[index]![point]! += tops[index - 1]![point]!;
    }
  }
  let low = stacked ? 0 : Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const values of tops) {
    for (const value of values) {
      if (!Number.isFinite(value)) continue;
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    low = 0;
    high = 1;
  }
  const padding = (high - low) * 0.05 || 1;
  if (!stacked) low -= padding;
  high += padding;
  const xLow = x.length > 1 ? x[0]! : 0;
  const xHigh = x.length > 1 ? x[x.length - 1]! : 1;
  const px = (value: number) => margin.left + ((value - xLow) / (xHigh - xLow || 1)) * plotWidth;
  const py = (value: number) => margin.top + plotHeight - ((value - low) / (high - low)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
  for (const value of ticks(low, high)) {
    const y = py(value).toFixed(1);
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${value}</text>`);
  }
  for (const value of ticks(xLow, xHigh, 8)) {
    const xPosition = px(value).toFixed(1);
    parts.push(
      `<line x1="${xPosition}" x2="${xPosition}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 4}" stroke="#333"/>`,
    );
    parts.push(`<text x="${xPosition}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${value}</text>`);
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="16" y="${margin.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 16 ${margin.top + plotHeight / 2})">${escapeXml(yLabel)}</text>`,
  );
  tops.forEach((values, index) => {
    const color = palette[index % palette.length]!;
    const points: string[] = [];
    for (let point = 0; point < x.length; point++) {
      if (Number.isFinite(values[point]!)) points.push(`${px(x[point]!).toFixed(1)},${py(values[point]!).toFixed(1)}`);
    }
    if (stacked) {
      const below = index === 0 ? undefined : tops[index - 1]!;
      const base: string[] = [];
      for (let point = x.length - 1; point >= 0; point--) {
        base.push(`${px(x[point]!).toFixed(1)},${py(below === undefined ? 0 : below[point]!).toFixed(1)}`);
      }
      parts.push(
        `<polygon points="${[...points, ...base].join(" ")}" fill="${color}" fill-opacity="0.75" stroke="none"/>`,
      );
    } else {
      parts.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="1.4"/>`);
    }
    const legendY = margin.top + 14 + index * 20;
    parts.push(
      `<rect x="${margin.left + plotWidth + 14}" y="${legendY - 9}" width="12" height="12" fill="${color}"/>`,
      `<text x="${margin.left + plotWidth + 32}" y="${legendY}" dominant-baseline="middle">${escapeXml(lines[index]!.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function column(frame: SeriesFrame, name: string): Float64Array {
  return frame.fields[name] ?? new Float64Array(frame.timeS.length);
}

/** The three charts of a run, by file name. */
export function renderCharts(result: TwinResult): Record<string, string> {
  const site = result.site;
  const { x, reduce, label, xUnit } = buckets(site);
  const xLabel = `${xUnit} from the start of the run`;
  const temperatures = chart(
    `${result.siteId}: outdoor air and water temperatures (${label} maxima)`,
    xLabel,
    "°C",
    x,
    [
      { name: "outdoor dry bulb", values: reduce(column(site, "outdoorDryBulbC"), "max") },
      { name: "FWS supply (max)", values: reduce(column(site, "maxFwsSupplyC"), "max") },
      { name: "TCS supply (max)", values: reduce(column(site, "maxTcsSupplyC"), "max") },
    ],
    false,
  );
  const gridKw = reduce(column(site, "gridKw"), "mean");
  const itKw = reduce(column(site, "itKw"), "mean");
  const pue = new Float64Array(x.length);
  for (let point = 0; point < x.length; point++) pue[point] = gridKw[point]! / itKw[point]!;
  const pueChart = chart(
    `${result.siteId}: PUE (${label} energy ratio; whole run ${result.kpis.pue.toFixed(3)})`,
    xLabel,
    "PUE",
    x,
    [{ name: "PUE", values: pue }],
    false,
  );
  const meanMegawatts = (...names: string[]) => {
    const total = new Float64Array(x.length);
    for (const name of names) {
      const values = reduce(column(site, name), "mean");
      for (let point = 0; point < x.length; point++) total[point]! += values[point]! / 1000;
    }
    return total;
  };
  const stack = chart(
    `${result.siteId}: power drawn from the grid (${label} means)`,
    xLabel,
    "MW",
    x,
    [
      { name: "IT", values: meanMegawatts("itKw") },
      {
        name: "UPS, transformers, substation",
        values: meanMegawatts("upsLossKw", "transformerLossKw", "substationLossKw"),
      },
      { name: "house + electrical rooms", values: meanMegawatts("houseKw", "electricalCoolingKw") },
      { name: "CDU pumps + CRAH fans", values: meanMegawatts("cduPumpKw", "crahFanKw") },
      { name: "FWS pumps + dry coolers", values: meanMegawatts("fwsPumpKw", "dryCoolerFanKw") },
      { name: "trim chillers", values: meanMegawatts("chillerPowerKw") },
    ],
    true,
  );
  return { "temperatures.svg": temperatures, "pue.svg": pueChart, "power-stack.svg": stack };
}
