/**
 * Colour scales of the heat map. A scale maps a value to one of 255 colour indexes (0 is "no data"); a palette turns
 * an index into a pixel (32-bit RGBA as an ImageData's Uint32Array view holds it, little-endian). Computing indexes
 * is one typed-array pass with no allocation.
 */

/** An sRGB colour. */
export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/** Colour indexes: 0 is "no data", 1…255 the scale. */
export const noDataIndex = 0;
export const scaleSteps = 255;

/** Colour of cells without a value. */
export const noDataColour: Rgb = { r: 0x5b, g: 0x64, b: 0x6e };

/** Packs a colour as an ImageData pixel read through a little-endian Uint32Array. */
export function packPixel(colour: Rgb): number {
  return ((255 << 24) | (colour.b << 16) | (colour.g << 8) | colour.r) >>> 0;
}

/** `#rrggbb` of a colour. */
export function cssOf(colour: Rgb): string {
  const hex = (value: number) => Math.round(value).toString(16).padStart(2, "0");
  return `#${hex(colour.r)}${hex(colour.g)}${hex(colour.b)}`;
}

function parseHex(hex: string): Rgb {
  const value = Number.parseInt(hex.slice(1), 16);
  return { r: (value >> 16) & 255, g: (value >> 8) & 255, b: value & 255 };
}

/** Sequential ramps, low to high (perceptually ordered, readable by most colour-blind viewers). */
export const ramps = {
  /** Viridis-like: power, utilisation. */
  viridis: ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"],
  /** Cool to hot: temperatures. */
  thermal: ["#2c3e91", "#3a7bbf", "#5fb3b3", "#f0e36b", "#f39c3d", "#d7301f", "#7f0000"],
  /** Red (little) to green (plenty): cooling headroom. */
  headroom: ["#b2182b", "#ef8a62", "#fddbc7", "#d9f0d3", "#7fbf7b", "#1b7837"],
  /** Quiet grey (none lost) to dark red (all lost): power lost to throttling, where 0 must not alarm. */
  loss: ["#dfe5ea", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"],
} as const;

/** Name of a ramp. */
export type RampName = keyof typeof ramps;

/** Colour at `t` ∈ [0, 1] along a ramp (linear between stops). */
export function rampColour(ramp: RampName, t: number): Rgb {
  const stops = ramps[ramp];
  const clamped = Math.min(1, Math.max(0, t));
  const position = clamped * (stops.length - 1);
  const low = Math.floor(position);
  const high = Math.min(stops.length - 1, low + 1);
  const fraction = position - low;
  const a = parseHex(stops[low]!);
  const b = parseHex(stops[high]!);
  return {
    r: Math.round(a.r + (b.r - a.r) * fraction),
    g: Math.round(a.g + (b.g - a.g) * fraction),
    b: Math.round(a.b + (b.b - a.b) * fraction),
  };
}

/** A 256-entry palette for a ramp: index 0 no data, 1…255 low to high. */
export function rampPalette(ramp: RampName): Uint32Array {
  const palette = new Uint32Array(256);
  palette[noDataIndex] = packPixel(noDataColour);
  for (let step = 1; step <= scaleSteps; step++)
    palette[step] = packPixel(rampColour(ramp, (step - 1) / (scaleSteps - 1)));
  return palette;
}

/** Distinct colours for categories (tenants, zones); Tableau 10 order. */
export const categoricalColours = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
] as const;

/** Colour of category `index` (cycling past ten). */
export function categoryColour(index: number): Rgb {
  return parseHex(categoricalColours[index % categoricalColours.length]!);
}

/** A palette for categories: index 0 no data (or "none"), 1 + k the k-th category. */
export function categoricalPalette(count: number): Uint32Array {
  const palette = new Uint32Array(256);
  palette[noDataIndex] = packPixel(noDataColour);
  for (let category = 0; category < Math.min(count, 255); category++) {
    palette[category + 1] = packPixel(categoryColour(category));
  }
  return palette;
}

/** Fills `indexes` with the colour index of each value over [min, max]; NaN gives no data. No allocation. */
export function indexValues(values: ArrayLike<number>, min: number, max: number, indexes: Uint8Array): void {
  const span = max - min;
  const factor = span > 0 ? (scaleSteps - 1) / span : 0;
  const count = Math.min(values.length, indexes.length);
  for (let index = 0; index < count; index++) {
    const value = values[index]!;
    if (Number.isNaN(value)) {
      indexes[index] = noDataIndex;
      continue;
    }
    let step = Math.round((value - min) * factor);
    if (step < 0) step = 0;
    else if (step > scaleSteps - 1) step = scaleSteps - 1;
    indexes[index] = step + 1;
  }
  for (let index = count; index < indexes.length; index++) indexes[index] = noDataIndex;
}

/** Fills `indexes` from categories (-1 = none). */
export function indexCategories(categories: ArrayLike<number>, indexes: Uint8Array): void {
  const count = Math.min(categories.length, indexes.length);
  for (let index = 0; index < count; index++) {
    const category = categories[index]!;
    indexes[index] = category < 0 || category > 254 ? noDataIndex : category + 1;
  }
}
