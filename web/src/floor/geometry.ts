/**
 * Cell geometry of the heat map, computed once per layout: every rack is one pixel of a small "world" image (halls as
 * blocks, rows as lines of cells), which the renderer scales to the screen. Lookups both ways are typed arrays, so
 * hover and recolouring never allocate.
 */
import type { FloorModel } from "./model.ts";

/** Where a hall block sits in the world image. */
export interface HallBox {
  readonly hallIndex: number;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The world image and the rack ↔ pixel maps. */
export interface FloorGeometry {
  readonly width: number;
  readonly height: number;
  /** Pixel offset (y * width + x) of each rack. */
  readonly pixelOfRack: Int32Array;
  /** Rack at each pixel, -1 for aisles and gaps. */
  readonly rackAtPixel: Int32Array;
  readonly hallBoxes: readonly HallBox[];
  /** Halls per line of blocks. */
  readonly columns: number;
}

/** Spacing between hall blocks, in cells: room for the hall's label above it. */
export const hallGapX = 6;
export const hallGapY = 10;

function hallSize(model: FloorModel, hallIndex: number): { width: number; height: number } {
  const hall = model.halls[hallIndex]!;
  let width = 1;
  for (let row = hall.rowStart; row < hall.rowStart + hall.rowCount; row++) {
    width = Math.max(width, model.rows[row]?.rackCount ?? 0);
  }
  return { width, height: Math.max(1, hall.rowCount) };
}

/** Picks how many halls per line fill a `viewWidth` × `viewHeight` view best (largest cells). */
export function chooseColumns(model: FloorModel, viewWidth: number, viewHeight: number): number {
  const hallCount = Math.max(1, model.halls.length);
  let best = 1;
  let bestScale = 0;
  const sizes = model.halls.map((_, index) => hallSize(model, index));
  const cellWidth = Math.max(1, ...sizes.map((size) => size.width));
  const cellHeight = Math.max(1, ...sizes.map((size) => size.height));
  for (let columns = 1; columns <= hallCount; columns++) {
    const lines = Math.ceil(hallCount / columns);
    const width = columns * cellWidth + (columns - 1) * hallGapX + 2;
    const height = lines * (cellHeight + hallGapY) + 2;
    const scale = Math.min(viewWidth / width, viewHeight / height);
    if (scale > bestScale) {
      bestScale = scale;
      best = columns;
    }
  }
  return best;
}

/** Lays the halls out `columns` per line, rows top to bottom, racks left to right. */
export function computeGeometry(model: FloorModel, columns: number): FloorGeometry {
  const hallCount = model.halls.length;
  const sizes = model.halls.map((_, index) => hallSize(model, index));
  const blockWidth = Math.max(1, ...sizes.map((size) => size.width));
  const blockHeight = Math.max(1, ...sizes.map((size) => size.height));
  const lines = Math.max(1, Math.ceil(hallCount / columns));
  const width = columns * blockWidth + (columns - 1) * hallGapX + 2;
  const height = lines * (blockHeight + hallGapY) + 2;
  const pixelOfRack = new Int32Array(model.rackCount).fill(-1);
  const rackAtPixel = new Int32Array(width * height).fill(-1);
  const hallBoxes: HallBox[] = [];
  for (let hallIndex = 0; hallIndex < hallCount; hallIndex++) {
    const hall = model.halls[hallIndex]!;
    const originX = 1 + (hallIndex % columns) * (blockWidth + hallGapX);
    const originY = 1 + hallGapY + Math.floor(hallIndex / columns) * (blockHeight + hallGapY);
    hallBoxes.push({
      hallIndex,
      name: hall.name,
      x: originX,
      y: originY,
      width: sizes[hallIndex]!.width,
      height: sizes[hallIndex]!.height,
    });
    for (let line = 0; line < hall.rowCount; line++) {
      const row = model.rows[hall.rowStart + line];
      if (row === undefined) continue;
      const rowOffset = (originY + line) * width + originX;
      for (let position = 0; position < row.rackCount; position++) {
        const rack = row.rackStart + position;
        pixelOfRack[rack] = rowOffset + position;
        rackAtPixel[rowOffset + position] = rack;
      }
    }
  }
  return { width, height, pixelOfRack, rackAtPixel, hallBoxes, columns };
}

/**
 * The rack next to `rack` in a direction (`dx`, `dy` each −1, 0 or 1), for keyboard moves cell to cell: the nearest
 * cell that way, across the gaps between halls; moving up or down onto a shorter row lands on its last cell. At the
 * edge of the floor it is `rack` itself.
 */
export function neighbourRack(geometry: FloorGeometry, rack: number, dx: number, dy: number): number {
  const pixel = geometry.pixelOfRack[rack];
  if (pixel === undefined || pixel < 0 || (dx === 0 && dy === 0)) return rack;
  const { width, height, rackAtPixel, hallBoxes } = geometry;
  let x = pixel % width;
  let y = (pixel - x) / width;
  for (;;) {
    x += dx;
    y += dy;
    if (x < 0 || y < 0 || x >= width || y >= height) return rack;
    const found = rackAtPixel[y * width + x]!;
    if (found >= 0) return found;
    if (dy === 0) continue;
    const box = hallBoxes.find(
      (hall) => y >= hall.y && y < hall.y + hall.height && x >= hall.x && x < hall.x + hall.width,
    );
    if (box === undefined) continue;
    for (let left = x - 1; left >= box.x; left--) {
      const candidate = rackAtPixel[y * width + left]!;
      if (candidate >= 0) return candidate;
    }
  }
}
