/**
 * What the heat map can colour by: live rack fields from `/v1/state/racks`, the design power from the layout, and
 * two categories (tenant from job placement, zone from the layout).
 */
import type { RackField } from "../api/types.ts";
import type { RampName } from "./colour.ts";

/** A field the floor can show. */
export type FloorField = RackField | "designPowerKW" | "tenant" | "zone";

/** How a field is shown. */
export interface FieldSpec {
  readonly id: FloorField;
  readonly label: string;
  readonly unit: string;
  readonly kind: "continuous" | "categorical";
  /** Where the values come from. */
  readonly source: "live" | "layout" | "jobs";
  readonly ramp: RampName;
  /** A fixed domain, when the quantity has natural bounds. */
  readonly domain?: { readonly min: number; readonly max: number };
  /** Multiplier from API value to displayed value (utilisation 0–1 shown in %). */
  readonly displayFactor: number;
  /** The worst racks are the lowest (headroom) rather than the highest. */
  readonly lowIsWorst: boolean;
}

/** Every field, in menu order. */
export const fieldSpecs: readonly FieldSpec[] = [
  {
    id: "tcsReturnC",
    label: "Coolant return temperature",
    unit: "°C",
    kind: "continuous",
    source: "live",
    ramp: "thermal",
    displayFactor: 1,
    lowIsWorst: false,
  },
  {
    id: "tcsSupplyC",
    label: "Coolant supply temperature",
    unit: "°C",
    kind: "continuous",
    source: "live",
    ramp: "thermal",
    displayFactor: 1,
    lowIsWorst: false,
  },
  {
    id: "powerKW",
    label: "Power",
    unit: "kW",
    kind: "continuous",
    source: "live",
    ramp: "viridis",
    displayFactor: 1,
    lowIsWorst: false,
  },
  {
    id: "utilisation",
    label: "Utilisation",
    unit: "%",
    kind: "continuous",
    source: "live",
    ramp: "viridis",
    domain: { min: 0, max: 1 },
    displayFactor: 100,
    lowIsWorst: false,
  },
  {
    id: "headroomKW",
    label: "Cooling headroom (row loop)",
    unit: "kW",
    kind: "continuous",
    source: "live",
    ramp: "headroom",
    displayFactor: 1,
    lowIsWorst: true,
  },
  {
    id: "throttle",
    label: "Throttle",
    unit: "%",
    kind: "continuous",
    source: "live",
    ramp: "thermal",
    domain: { min: 0, max: 1 },
    displayFactor: 100,
    lowIsWorst: false,
  },
  {
    id: "tenant",
    label: "Tenant (running jobs)",
    unit: "",
    kind: "categorical",
    source: "jobs",
    ramp: "viridis",
    displayFactor: 1,
    lowIsWorst: false,
  },
  {
    id: "zone",
    label: "Zone",
    unit: "",
    kind: "categorical",
    source: "layout",
    ramp: "viridis",
    displayFactor: 1,
    lowIsWorst: false,
  },
  {
    id: "designPowerKW",
    label: "Design power",
    unit: "kW",
    kind: "continuous",
    source: "layout",
    ramp: "viridis",
    displayFactor: 1,
    lowIsWorst: false,
  },
];

/** The spec of a field. */
export function fieldSpec(id: FloorField): FieldSpec {
  return fieldSpecs.find((spec) => spec.id === id) ?? fieldSpecs[0]!;
}

/** Whether a string names a floor field. */
export function isFloorField(value: string | null): value is FloorField {
  return fieldSpecs.some((spec) => spec.id === value);
}

/** A value as the legend and tooltip show it (`42.1 kW`, `87 %`). */
export function formatFieldValue(spec: FieldSpec, value: number): string {
  if (!Number.isFinite(value)) return "no data";
  const shown = value * spec.displayFactor;
  const digits = Math.abs(shown) >= 100 ? 0 : 1;
  return `${shown.toFixed(digits)}${spec.unit === "" ? "" : spec.unit === "%" ? " %" : ` ${spec.unit}`}`;
}
