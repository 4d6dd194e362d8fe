/**
 * What the heat map can colour by: live rack fields from `/v1/state/racks`, the design power from the layout, and
 * two categories (tenant from job placement, zone from the layout).
 *
 * Every continuous field has a fixed scale, the same on every visit and for every site state, never fitted to the
 * data: a colour means one value, so "dark red" at 3 a.m. means what it meant yesterday. Marks on the legend are the
 * operator thresholds (the facility watch's alarm levels, the rack types' coolant limits).
 */
import type { RackField } from "../api/types.ts";
import type { RampName } from "./colour.ts";
import type { FloorModel } from "./model.ts";

/** A field the floor can show. */
export type FloorField = Exclude<RackField, "headroomKW"> | "designPowerKW" | "tenant" | "zone";

/** A threshold drawn on the legend, in API units. */
export interface Threshold {
  readonly value: number;
  readonly label: string;
}

/** How a field is shown. */
export interface FieldSpec {
  readonly id: FloorField;
  readonly label: string;
  readonly unit: string;
  readonly kind: "continuous" | "categorical";
  /** Where the values come from. */
  readonly source: "live" | "layout" | "jobs";
  readonly ramp: RampName;
  /** The fixed scale, in displayed terms before `displayFactor` (after `invert`). */
  readonly domain?: { readonly min: number; readonly max: number };
  /** Multiplier from API value to displayed value (utilisation 0–1 shown in %). */
  readonly displayFactor: number;
  /** Shows 1 − value: the API's throttle is the share of power left, the floor shows the share lost. */
  readonly invert: boolean;
  /** The worst racks are the lowest (headroom) rather than the highest. */
  readonly lowIsWorst: boolean;
  /** What the legend says under the ramp: the scale is fixed, what 0 means, where the thresholds come from. */
  readonly note?: string;
  /** Operator thresholds marked on the legend (displayed terms before `displayFactor`). */
  readonly thresholds?: (model: FloorModel | undefined) => readonly Threshold[];
}

/** The facility watch's loop headroom alarm levels (src/telemetry/alarms/facility.ts defaults). */
const headroomWarning = 0.1;
const headroomCritical = 0.03;

/** The rack types' coolant supply limits, one mark per distinct limit. */
function supplyLimits(model: FloorModel | undefined): Threshold[] {
  const byLimit = new Map<number, string[]>();
  for (const type of model?.rackTypes ?? []) {
    if (type.maxCoolantSupplyC === undefined) continue;
    byLimit.set(type.maxCoolantSupplyC, [...(byLimit.get(type.maxCoolantSupplyC) ?? []), type.id]);
  }
  return [...byLimit.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([value, types]) => ({ value, label: `${types.join(", ")} limit` }));
}

/**
 * A live share the floor shows as lost (1 − value) on a fixed 0–100 % scale: the API's throttle (power left) and
 * running share (of the rack in service).
 */
const shareLost = {
  unit: "%",
  kind: "continuous",
  source: "live",
  ramp: "loss",
  domain: { min: 0, max: 1 },
  displayFactor: 100,
  invert: true,
  lowIsWorst: false,
} as const;

/** Every field, in menu order. */
export const fieldSpecs: readonly FieldSpec[] = [
  {
    id: "tcsReturnC",
    label: "Coolant return temperature",
    unit: "°C",
    kind: "continuous",
    source: "live",
    ramp: "thermal",
    domain: { min: 20, max: 70 },
    displayFactor: 1,
    invert: false,
    lowIsWorst: false,
    note: "Fixed scale 20–70 °C. Marks: the rack types' supply limits.",
    thresholds: supplyLimits,
  },
  {
    id: "tcsSupplyC",
    label: "Coolant supply temperature",
    unit: "°C",
    kind: "continuous",
    source: "live",
    ramp: "thermal",
    domain: { min: 15, max: 55 },
    displayFactor: 1,
    invert: false,
    lowIsWorst: false,
    note: "Fixed scale 15–55 °C. Marks: the rack types' supply limits, above which they throttle.",
    thresholds: supplyLimits,
  },
  {
    id: "powerKW",
    label: "Power",
    unit: "kW",
    kind: "continuous",
    source: "live",
    ramp: "viridis",
    domain: { min: 0, max: 150 },
    displayFactor: 1,
    invert: false,
    lowIsWorst: false,
    note: "Fixed scale 0–150 kW (an NVL72-class rack draws up to about 142 kW).",
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
    invert: false,
    lowIsWorst: false,
    note: "Fixed scale 0–100 % of design power.",
  },
  {
    id: "loopHeadroom",
    label: "Cooling headroom of the row loop",
    unit: "%",
    kind: "continuous",
    source: "live",
    ramp: "headroom",
    domain: { min: 0, max: 1 },
    displayFactor: 100,
    invert: false,
    lowIsWorst: true,
    note: "Spare capacity of each rack's loop, 0–100 % of the loop's capacity (every rack of a row shows its loop). Marks: alarm levels.",
    thresholds: () => [
      { value: headroomCritical, label: "critical" },
      { value: headroomWarning, label: "warning" },
    ],
  },
  {
    id: "throttle",
    label: "Power lost to throttling",
    ...shareLost,
    note: "Fixed scale 0–100 % of the rack's power; 0 % = not throttled.",
    thresholds: () => [{ value: 0.005, label: "counted as throttled" }],
  },
  {
    id: "running",
    label: "Out of service (tripped or restarting)",
    // The API gives the share running; the floor shows the share lost, as for throttling.
    ...shareLost,
    note: "Fixed scale 0–100 % of the rack: 0 % = running, 100 % = tripped (off), between = restarting.",
  },
  {
    id: "tenant",
    label: "Tenant (running jobs)",
    unit: "",
    kind: "categorical",
    source: "jobs",
    ramp: "viridis",
    displayFactor: 1,
    invert: false,
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
    invert: false,
    lowIsWorst: false,
  },
  {
    id: "designPowerKW",
    label: "Design power",
    unit: "kW",
    kind: "continuous",
    source: "layout",
    ramp: "viridis",
    domain: { min: 0, max: 150 },
    displayFactor: 1,
    invert: false,
    lowIsWorst: false,
    note: "Fixed scale 0–150 kW.",
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

/** A displayed value (after `invert`) as the legend and tooltip show it (`42.1 kW`, `87 %`, `0 % lost`). */
export function formatFieldValue(spec: FieldSpec, value: number): string {
  if (!Number.isFinite(value)) return "no data";
  const shown = value * spec.displayFactor;
  const digits = Math.abs(shown) >= 100 ? 0 : 1;
  // "10 %", not "10.0 %"; "2.5 %" keeps its decimal.
  const number = shown.toFixed(digits).replace(/\.0$/, "");
  const text = `${number}${spec.unit === "" ? "" : spec.unit === "%" ? " %" : ` ${spec.unit}`}`;
  return spec.invert ? `${text} lost` : text;
}
