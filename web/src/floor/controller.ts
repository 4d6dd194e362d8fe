/**
 * Turns rack values into colours for the renderer, outside React: one typed-array pass per frame, a legend that only
 * changes when the scale does, and the worst racks of the current field for the side list.
 */
import {
  categoricalPalette,
  categoryColour,
  cssOf,
  indexCategories,
  indexValues,
  type RampName,
  rampPalette,
} from "./colour.ts";
import type { FieldSpec, Threshold } from "./fields.ts";
import type { Category, FloorModel } from "./model.ts";
import { type RankGroup, rankWorstGroups } from "./rank.ts";
import type { FloorRenderer } from "./renderer.ts";

/** What the legend shows. */
export type Legend =
  | {
      readonly kind: "continuous";
      readonly spec: FieldSpec;
      readonly min: number;
      readonly max: number;
      readonly ramp: RampName;
      /** Operator thresholds marked on the ramp. */
      readonly thresholds: readonly Threshold[];
    }
  | {
      readonly kind: "categorical";
      readonly spec: FieldSpec;
      readonly items: readonly { label: string; colour: string; racks: number }[];
      readonly noneLabel: string;
      readonly noneRacks: number;
    };

const palettes = new Map<RampName, Uint32Array>();
function paletteOf(ramp: RampName): Uint32Array {
  let palette = palettes.get(ramp);
  if (palette === undefined) {
    palette = rampPalette(ramp);
    palettes.set(ramp, palette);
  }
  return palette;
}

/** Fallback scale of a continuous field without one (none ship: every field has a fixed domain). */
const unitDomain = { min: 0, max: 1 } as const;

/** Colours the floor by one field at a time. */
export class FloorController {
  readonly model: FloorModel;
  readonly renderer: FloorRenderer;
  private readonly values: Float64Array;
  private readonly categories: Int16Array;
  private readonly indexes: Uint8Array;
  private categoryList: readonly Category[] = [];
  private spec: FieldSpec;
  private domain: { min: number; max: number } | undefined;
  private hasValues = false;
  /** Called when the legend changes (a new field, a new scale, new categories). */
  onLegend: ((legend: Legend) => void) | undefined;

  constructor(model: FloorModel, renderer: FloorRenderer, spec: FieldSpec) {
    this.model = model;
    this.renderer = renderer;
    this.values = new Float64Array(model.rackCount).fill(Number.NaN);
    this.categories = new Int16Array(model.rackCount).fill(-1);
    this.indexes = new Uint8Array(model.rackCount);
    this.spec = spec;
  }

  /** The field shown. */
  get field(): FieldSpec {
    return this.spec;
  }

  /** Whether values (or categories) of the current field have arrived. */
  get ready(): boolean {
    return this.hasValues;
  }

  /** Switches to another field; its values follow with `applyValues` or `applyCategories`. */
  showField(spec: FieldSpec): void {
    this.spec = spec;
    this.domain = undefined;
    this.hasValues = false;
    this.values.fill(Number.NaN);
    this.categories.fill(-1);
    this.indexes.fill(0);
    this.renderer.setPalette(spec.kind === "categorical" ? categoricalPalette(0) : paletteOf(spec.ramp));
    this.renderer.update(this.indexes);
  }

  /** Takes one value per rack (rack-index order, API units) and recolours what changed. Returns the cells changed. */
  applyValues(values: ArrayLike<number>): number {
    const count = Math.min(values.length, this.values.length);
    const invert = this.spec.invert;
    for (let rack = 0; rack < count; rack++) {
      const value = values[rack];
      this.values[rack] = typeof value !== "number" ? Number.NaN : invert ? 1 - value : value;
    }
    this.hasValues = true;
    const domain = this.spec.domain ?? unitDomain;
    indexValues(this.values, domain.min, domain.max, this.indexes);
    const changed = this.renderer.update(this.indexes);
    this.#legendFor(domain);
    return changed;
  }

  /**
   * Takes a frame already turned into colour indexes (by the live worker) with its displayed values (inverted when
   * the field is) and domain: only the renderer update and a copy of the values run here. Returns the cells changed.
   */
  applyFrame(indexes: Uint8Array, values: ArrayLike<number>, domain: { min: number; max: number }): number {
    const count = Math.min(values.length, this.values.length);
    for (let rack = 0; rack < count; rack++) this.values[rack] = values[rack]!;
    this.hasValues = true;
    const changed = this.renderer.update(indexes);
    this.#legendFor(domain);
    return changed;
  }

  /** Tells the legend once per field and scale (the scale is fixed: once per field). */
  #legendFor(domain: { min: number; max: number }): void {
    if (this.domain !== undefined && domain.min === this.domain.min && domain.max === this.domain.max) return;
    this.domain = domain;
    this.onLegend?.({
      kind: "continuous",
      spec: this.spec,
      min: domain.min,
      max: domain.max,
      ramp: this.spec.ramp,
      thresholds: this.spec.thresholds?.(this.model) ?? [],
    });
  }

  /** Takes a category per rack (-1 none) with the category list, for tenant and zone. */
  applyCategories(categories: Int16Array, list: readonly Category[], noneLabel: string): number {
    this.categories.set(categories.subarray(0, this.categories.length));
    this.hasValues = true;
    const listChanged =
      list.length !== this.categoryList.length || list.some((item, index) => item.id !== this.categoryList[index]?.id);
    this.categoryList = list;
    if (listChanged) this.renderer.setPalette(categoricalPalette(list.length));
    indexCategories(this.categories, this.indexes);
    const changed = this.renderer.update(this.indexes);
    const counts = new Array<number>(list.length).fill(0);
    let none = 0;
    for (let rack = 0; rack < this.categories.length; rack++) {
      const category = this.categories[rack]!;
      if (category >= 0 && category < counts.length) counts[category]!++;
      else none++;
    }
    this.onLegend?.({
      kind: "categorical",
      spec: this.spec,
      items: list.map((item, index) => ({
        label: item.label,
        colour: cssOf(categoryColour(index)),
        racks: counts[index]!,
      })),
      noneLabel,
      noneRacks: none,
    });
    return changed;
  }

  /** The displayed value of a rack for the current (continuous) field (power lost, not left, for throttle). */
  valueOf(rack: number): number {
    return this.values[rack] ?? Number.NaN;
  }

  /** The category label of a rack for the current (categorical) field. */
  categoryOf(rack: number): string | undefined {
    const category = this.categories[rack] ?? -1;
    return category < 0 ? undefined : this.categoryList[category]?.label;
  }

  /** The `count` worst distinct values of the current field (highest, or lowest for headroom), ties collapsed. */
  worst(count: number): RankGroup[] {
    if (this.spec.kind !== "continuous" || !this.hasValues) return [];
    return rankWorstGroups(this.values, count, this.spec.lowIsWorst);
  }
}
