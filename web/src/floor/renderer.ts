/**
 * The heat map renderer. Every rack is one pixel of an ImageData "world" image (see geometry.ts); a new frame of
 * values rewrites only the pixels whose colour index changed and uploads only their bounding box, then one
 * `drawImage` scales the world onto the screen with the current zoom and pan. Nothing is allocated per cell or per
 * frame: colour indexes, palettes and lookups are typed arrays made once per layout.
 */
import { packPixel, type Rgb } from "./colour.ts";
import type { FloorGeometry } from "./geometry.ts";

const floorBackground = "#1f252b";
/** Positions of a hall with no rack (short rows), drawn as floor. */
const emptyPosition: Rgb = { r: 0x2c, g: 0x34, b: 0x3c };
const minScale = 0.5;
const maxScale = 64;
/** Largest ratio between a cell's width and height when fitting the floor to its frame. */
const maxStretch = 2;

/** Timing of one rendered frame. */
export interface RenderTiming {
  /** Pixels rewritten since the previous frame. */
  readonly changedCells: number;
  /** Time to upload the changed pixels and draw, in ms. */
  readonly drawMs: number;
}

/** A range of racks to frame (the racks of the rows an alarm touches), in a severity colour. */
export interface FloorMarker {
  readonly rackStart: number;
  readonly rackCount: number;
  readonly colour: string;
}

/** Draws the floor on a canvas. Call `dispose()` when done. */
export class FloorRenderer {
  readonly geometry: FloorGeometry;
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly world: HTMLCanvasElement;
  private readonly worldContext: CanvasRenderingContext2D;
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;
  private readonly colourIndexes: Uint8Array;
  private palette: Uint32Array;
  private dirtyMinX = 0;
  private dirtyMinY = 0;
  private dirtyMaxX = -1;
  private dirtyMaxY = -1;
  private changedSinceRender = 0;
  private viewChanged = true;
  private frameRequest = 0;
  private disposed = false;
  /**
   * Device pixels per world pixel vertically, the horizontal stretch (cells may be up to twice as wide as tall, or
   * half, so the floor fills the frame), and the world origin on the canvas in device pixels.
   */
  private scale = 1;
  private aspect = 1;
  private offsetX = 0;
  private offsetY = 0;
  private deviceRatio = 1;
  private hovered = -1;
  private markers: readonly FloorMarker[] = [];
  private selected = -1;
  /** Whether the view was fitted to a real canvas size (the first resize fits the floor). */
  private fitted = false;
  /** Called after each frame is drawn. */
  onRendered: ((timing: RenderTiming) => void) | undefined;

  constructor(canvas: HTMLCanvasElement, geometry: FloorGeometry, palette: Uint32Array) {
    this.canvas = canvas;
    this.geometry = geometry;
    const context = canvas.getContext("2d", { alpha: false });
    if (context === null) throw new Error("the browser gave no 2D canvas context");
    this.context = context;
    this.world = document.createElement("canvas");
    this.world.width = geometry.width;
    this.world.height = geometry.height;
    const worldContext = this.world.getContext("2d");
    if (worldContext === null) throw new Error("the browser gave no 2D canvas context");
    this.worldContext = worldContext;
    this.image = worldContext.createImageData(geometry.width, geometry.height);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.colourIndexes = new Uint8Array(geometry.pixelOfRack.length);
    this.palette = palette;
    this.paintHallFloors();
    this.repaintAll();
  }

  /** Number of rack cells drawn. */
  get cellCount(): number {
    return this.colourIndexes.length;
  }

  /** Zoom factor relative to one CSS pixel per cell. */
  get zoom(): number {
    return this.scale / this.deviceRatio;
  }

  private get scaleX(): number {
    return this.scale * this.aspect;
  }

  /** Changes the palette (a new field or scale): every cell is repainted. */
  setPalette(palette: Uint32Array): void {
    this.palette = palette;
    this.repaintAll();
    this.requestRender();
  }

  /** Takes a frame of colour indexes (one per rack); rewrites only the cells that changed. Returns how many did. */
  update(indexes: Uint8Array): number {
    const { pixelOfRack, width } = this.geometry;
    const current = this.colourIndexes;
    const pixels = this.pixels;
    const palette = this.palette;
    let changed = 0;
    let minX = this.dirtyMinX;
    let minY = this.dirtyMinY;
    let maxX = this.dirtyMaxX;
    let maxY = this.dirtyMaxY;
    const count = Math.min(indexes.length, current.length);
    for (let rack = 0; rack < count; rack++) {
      const next = indexes[rack]!;
      if (next === current[rack]) continue;
      current[rack] = next;
      const pixel = pixelOfRack[rack]!;
      if (pixel < 0) continue;
      pixels[pixel] = palette[next]!;
      const x = pixel % width;
      const y = (pixel - x) / width;
      if (maxX < minX) {
        minX = x;
        maxX = x;
        minY = y;
        maxY = y;
      } else {
        if (x < minX) minX = x;
        else if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        else if (y > maxY) maxY = y;
      }
      changed++;
    }
    this.dirtyMinX = minX;
    this.dirtyMinY = minY;
    this.dirtyMaxX = maxX;
    this.dirtyMaxY = maxY;
    this.changedSinceRender += changed;
    if (changed > 0) this.requestRender();
    return changed;
  }

  /** Sizes the canvas to its CSS box. */
  resize(cssWidth: number, cssHeight: number, deviceRatio: number): void {
    const width = Math.max(1, Math.round(cssWidth * deviceRatio));
    const height = Math.max(1, Math.round(cssHeight * deviceRatio));
    const previousRatio = this.deviceRatio;
    this.deviceRatio = deviceRatio;
    if (this.canvas.width === width && this.canvas.height === height && previousRatio === deviceRatio) return;
    this.canvas.width = width;
    this.canvas.height = height;
    if (!this.fitted) this.fit();
    this.viewChanged = true;
    this.requestRender();
  }

  /** Shows the whole floor, centred. */
  fit(): void {
    const { width, height } = this.geometry;
    const fitX = this.canvas.width / width;
    const fitY = this.canvas.height / height;
    this.scale = Math.max(minScale, Math.min(fitY, fitX * maxStretch));
    this.aspect = Math.min(maxStretch, Math.max(1 / maxStretch, fitX / this.scale));
    this.offsetX = (this.canvas.width - width * this.scaleX) / 2;
    this.offsetY = (this.canvas.height - height * this.scale) / 2;
    this.fitted = true;
    this.viewChanged = true;
    this.requestRender();
  }

  /** Zooms by `factor` keeping the point under (`cssX`, `cssY`) fixed. */
  zoomAt(factor: number, cssX: number, cssY: number): void {
    const next = Math.min(maxScale, Math.max(minScale, this.scale * factor));
    const x = cssX * this.deviceRatio;
    const y = cssY * this.deviceRatio;
    this.offsetX = x - ((x - this.offsetX) * next * this.aspect) / this.scaleX;
    this.offsetY = y - ((y - this.offsetY) * next) / this.scale;
    this.scale = next;
    this.viewChanged = true;
    this.requestRender();
  }

  /** Zooms around the centre of the view. */
  zoomCentre(factor: number): void {
    this.zoomAt(factor, this.canvas.width / this.deviceRatio / 2, this.canvas.height / this.deviceRatio / 2);
  }

  /** Moves the view by CSS pixels. */
  panBy(cssDeltaX: number, cssDeltaY: number): void {
    this.offsetX += cssDeltaX * this.deviceRatio;
    this.offsetY += cssDeltaY * this.deviceRatio;
    this.viewChanged = true;
    this.requestRender();
  }

  /** The rack under a CSS point, or -1. */
  rackAt(cssX: number, cssY: number): number {
    const worldX = Math.floor((cssX * this.deviceRatio - this.offsetX) / this.scaleX);
    const worldY = Math.floor((cssY * this.deviceRatio - this.offsetY) / this.scale);
    const { width, height, rackAtPixel } = this.geometry;
    if (worldX < 0 || worldY < 0 || worldX >= width || worldY >= height) return -1;
    return rackAtPixel[worldY * width + worldX]!;
  }

  /** The CSS position of a rack's cell centre. */
  cellCentre(rack: number): { x: number; y: number } | undefined {
    const pixel = this.geometry.pixelOfRack[rack];
    if (pixel === undefined || pixel < 0) return undefined;
    const x = pixel % this.geometry.width;
    const y = (pixel - x) / this.geometry.width;
    return {
      x: (this.offsetX + (x + 0.5) * this.scaleX) / this.deviceRatio,
      y: (this.offsetY + (y + 0.5) * this.scale) / this.deviceRatio,
    };
  }

  /** Outlines rack ranges (alarm markers: the rows an alarm touches), drawn over the cells in their colour. */
  setMarkers(markers: readonly FloorMarker[]): void {
    this.markers = markers;
    this.viewChanged = true;
    this.requestRender();
  }

  /** The markers drawn. */
  get markerCount(): number {
    return this.markers.length;
  }

  /** Outlines the hovered rack (-1 for none). */
  setHovered(rack: number): void {
    if (rack === this.hovered) return;
    this.hovered = rack;
    this.viewChanged = true;
    this.requestRender();
  }

  /** Outlines the selected rack (-1 for none). */
  setSelected(rack: number): void {
    if (rack === this.selected) return;
    this.selected = rack;
    this.viewChanged = true;
    this.requestRender();
  }

  /** Draws at the next animation frame (several changes in one frame draw once). */
  requestRender(): void {
    if (this.frameRequest !== 0 || this.disposed) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.render();
    });
  }

  /** Draws now: uploads the changed pixels, then scales the world onto the screen. */
  render(): RenderTiming {
    const started = performance.now();
    const changedCells = this.changedSinceRender;
    if (this.dirtyMaxX >= this.dirtyMinX) {
      this.worldContext.putImageData(
        this.image,
        0,
        0,
        this.dirtyMinX,
        this.dirtyMinY,
        this.dirtyMaxX - this.dirtyMinX + 1,
        this.dirtyMaxY - this.dirtyMinY + 1,
      );
      this.dirtyMaxX = -1;
      this.dirtyMaxY = -1;
      this.viewChanged = true;
    }
    this.changedSinceRender = 0;
    if (this.viewChanged) this.drawView();
    this.viewChanged = false;
    const timing = { changedCells, drawMs: performance.now() - started };
    this.onRendered?.(timing);
    return timing;
  }

  /** Stops drawing. */
  dispose(): void {
    this.disposed = true;
    if (this.frameRequest !== 0) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    this.onRendered = undefined;
  }

  private paintHallFloors(): void {
    const floor = packPixel(emptyPosition);
    const { width } = this.geometry;
    for (const box of this.geometry.hallBoxes) {
      for (let y = box.y; y < box.y + box.height; y++)
        this.pixels.fill(floor, y * width + box.x, y * width + box.x + box.width);
    }
  }

  private repaintAll(): void {
    const { pixelOfRack } = this.geometry;
    for (let rack = 0; rack < pixelOfRack.length; rack++) {
      const pixel = pixelOfRack[rack]!;
      if (pixel >= 0) this.pixels[pixel] = this.palette[this.colourIndexes[rack]!]!;
    }
    this.dirtyMinX = 0;
    this.dirtyMinY = 0;
    this.dirtyMaxX = this.geometry.width - 1;
    this.dirtyMaxY = this.geometry.height - 1;
    this.changedSinceRender += pixelOfRack.length;
  }

  private drawView(): void {
    const context = this.context;
    const { width, height } = this.geometry;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = floorBackground;
    context.fillRect(0, 0, this.canvas.width, this.canvas.height);
    context.imageSmoothingEnabled = false;
    context.drawImage(this.world, this.offsetX, this.offsetY, width * this.scaleX, height * this.scale);
    if (Math.min(this.scale, this.scaleX) >= 6 * this.deviceRatio) this.drawCellGrid();
    this.drawHallLabels();
    this.drawMarkers();
    this.outline(this.selected, "#ffffff", 2);
    this.outline(this.hovered, "#ffd54a", 2);
  }

  /** Thin lines between cells once they are large enough to tell apart (only over visible halls). */
  private drawCellGrid(): void {
    const context = this.context;
    const scale = this.scale;
    const scaleX = this.scaleX;
    context.beginPath();
    for (const box of this.geometry.hallBoxes) {
      const left = this.offsetX + box.x * scaleX;
      const top = this.offsetY + box.y * scale;
      const right = left + box.width * scaleX;
      const bottom = top + box.height * scale;
      if (right < 0 || bottom < 0 || left > this.canvas.width || top > this.canvas.height) continue;
      const firstColumn = Math.max(0, Math.floor(-left / scaleX));
      const lastColumn = Math.min(box.width, Math.ceil((this.canvas.width - left) / scaleX));
      const firstLine = Math.max(0, Math.floor(-top / scale));
      const lastLine = Math.min(box.height, Math.ceil((this.canvas.height - top) / scale));
      for (let column = firstColumn; column <= lastColumn; column++) {
        const x = Math.round(left + column * scaleX) + 0.5;
        context.moveTo(x, Math.max(0, top));
        context.lineTo(x, Math.min(this.canvas.height, bottom));
      }
      for (let line = firstLine; line <= lastLine; line++) {
        const y = Math.round(top + line * scale) + 0.5;
        context.moveTo(Math.max(0, left), y);
        context.lineTo(Math.min(this.canvas.width, right), y);
      }
    }
    context.strokeStyle = "rgba(20, 24, 28, 0.55)";
    context.lineWidth = 1;
    context.stroke();
  }

  private drawHallLabels(): void {
    const context = this.context;
    const fontSize = Math.round(12 * this.deviceRatio);
    context.font = `600 ${fontSize}px system-ui, sans-serif`;
    context.fillStyle = "#d5dde5";
    context.textBaseline = "bottom";
    for (const box of this.geometry.hallBoxes) {
      const x = this.offsetX + box.x * this.scaleX;
      const y = this.offsetY + box.y * this.scale - 3 * this.deviceRatio;
      if (x > this.canvas.width || y < 0 || y > this.canvas.height + fontSize) continue;
      context.fillText(box.name, x, y);
    }
  }

  /** A frame around each marked range (the bounding box of its cells), at least a few pixels wide to be seen. */
  private drawMarkers(): void {
    const context = this.context;
    const { pixelOfRack, width } = this.geometry;
    const minimum = 6 * this.deviceRatio;
    for (const marker of this.markers) {
      let left = Number.POSITIVE_INFINITY;
      let top = Number.POSITIVE_INFINITY;
      let right = Number.NEGATIVE_INFINITY;
      let bottom = Number.NEGATIVE_INFINITY;
      for (let rack = marker.rackStart; rack < marker.rackStart + marker.rackCount; rack++) {
        const pixel = pixelOfRack[rack];
        if (pixel === undefined || pixel < 0) continue;
        const x = pixel % width;
        const y = (pixel - x) / width;
        left = Math.min(left, x);
        right = Math.max(right, x + 1);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y + 1);
      }
      if (!(left < right)) continue;
      let x0 = this.offsetX + left * this.scaleX;
      let y0 = this.offsetY + top * this.scale;
      let w = (right - left) * this.scaleX;
      let h = (bottom - top) * this.scale;
      if (w < minimum) {
        x0 -= (minimum - w) / 2;
        w = minimum;
      }
      if (h < minimum) {
        y0 -= (minimum - h) / 2;
        h = minimum;
      }
      context.strokeStyle = "#111417";
      context.lineWidth = 4 * this.deviceRatio;
      context.strokeRect(x0 - 2, y0 - 2, w + 4, h + 4);
      context.strokeStyle = marker.colour;
      context.lineWidth = 2 * this.deviceRatio;
      context.strokeRect(x0 - 2, y0 - 2, w + 4, h + 4);
    }
  }

  private outline(rack: number, colour: string, lineWidth: number): void {
    if (rack < 0) return;
    const pixel = this.geometry.pixelOfRack[rack];
    if (pixel === undefined || pixel < 0) return;
    const x = pixel % this.geometry.width;
    const y = (pixel - x) / this.geometry.width;
    const width = Math.max(this.scaleX, 4 * this.deviceRatio);
    const height = Math.max(this.scale, 4 * this.deviceRatio);
    const centreX = this.offsetX + (x + 0.5) * this.scaleX;
    const centreY = this.offsetY + (y + 0.5) * this.scale;
    this.context.strokeStyle = colour;
    this.context.lineWidth = lineWidth * this.deviceRatio;
    this.context.strokeRect(centreX - width / 2 - 1, centreY - height / 2 - 1, width + 2, height + 2);
  }
}
