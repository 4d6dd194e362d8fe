/**
 * Revenue and sub-meters of the site (grid import, IT output at UPS/PDU, cooling, water make-up, heat reuse,
 * on-site renewables), each bound to telemetry series by metric name and labels. They are what makes the EED report
 * measurable: `report eed --source telemetry` reads their stored history. The unit says how a series is read: a
 * power or flow unit is a gauge (integrated over time), an energy or volume unit a cumulative counter.
 */
import { type Static, Type } from "typebox";
import type { DiagnosticSink } from "./diagnostics.ts";
import { closedObject } from "./schema-check.ts";

/** What a meter measures, and so which EED field it feeds. */
export const meterKinds = ["gridImport", "itOutput", "cooling", "waterMakeUp", "heatReuse", "renewableOnSite"] as const;
/** One meter kind. */
export type MeterKind = (typeof meterKinds)[number];

/** Gauge units of power (integrated to energy) and of flow (integrated to volume). */
export const gaugeUnits = ["W", "kW", "MW", "m3/h", "L/min", "L/s"] as const;
/** Counter units of energy and volume (cumulative registers, Prometheus counters). */
export const counterUnits = ["Wh", "kWh", "MWh", "GJ", "m3", "L"] as const;
/** Every meter unit. */
export const meterUnits = [...gaugeUnits, ...counterUnits] as const;
/** One meter unit. */
export type MeterUnit = (typeof meterUnits)[number];

/** One meter as written in the site file. */
export const MeterSchema = closedObject({
  id: Type.String({
    pattern: "^meter:[a-z0-9][a-z0-9._-]*$",
    patternErrorMessage: 'expected an id like "meter:grid-main"',
  }),
  kind: Type.Enum(meterKinds),
  metric: Type.String({
    pattern: "^[^\\s{}]+$",
    patternErrorMessage: "expected a metric name without spaces or braces",
    description: "The series' metric name",
  }),
  labels: Type.Optional(
    Type.Record(Type.String(), Type.String({ pattern: "\\S" }), {
      description: "Labels the series must carry with exactly these values (every matching series is summed)",
    }),
  ),
  unit: Type.Enum(meterUnits),
  maxInterpolationH: Type.Integer({
    minimum: 0,
    maximum: 168,
    default: 6,
    description: "Longest gap (hours) a gauge's hours may be estimated over by linear interpolation (0 = never)",
  }),
});

/** One meter as written in the site file (`labels` is filled with `{}` by `checkMeters`). */
export type MeterSpec = Readonly<Omit<Static<typeof MeterSchema>, "labels">> & {
  readonly labels: Readonly<Record<string, string>>;
};

/** The `meters` block of a site file (optional: a site without meters can only be simulated). */
export const MetersSchema = Type.Array(MeterSchema, { default: [] });

/** The energy (kWh) or volume (m³) one unit stands for, per hour for gauges. */
export const meterUnitFactor: Readonly<Record<MeterUnit, number>> = {
  W: 0.001,
  kW: 1,
  MW: 1000,
  "m3/h": 1,
  "L/min": 0.06,
  "L/s": 3.6,
  Wh: 0.001,
  kWh: 1,
  MWh: 1000,
  GJ: 1e9 / 3.6e6,
  m3: 1,
  L: 0.001,
};

/** True when the unit is a gauge (a rate read as a mean over each hour), false for a cumulative counter. */
export function isGaugeUnit(unit: MeterUnit): boolean {
  return (gaugeUnits as readonly string[]).includes(unit);
}

/** True when the kind measures water (m³) rather than energy (kWh). */
export function isWaterKind(kind: MeterKind): boolean {
  return kind === "waterMakeUp";
}

/** True when the unit measures water (volume or flow) rather than energy or power. */
export function isWaterUnit(unit: MeterUnit): boolean {
  return unit === "m3/h" || unit === "L/min" || unit === "L/s" || unit === "m3" || unit === "L";
}

/** Checks what the field rules cannot (unique ids, a unit that fits the kind) and fills the defaults. */
export function checkMeters(specs: readonly Static<typeof MeterSchema>[], sink: DiagnosticSink): MeterSpec[] {
  const seen = new Map<string, number>();
  const meters: MeterSpec[] = [];
  specs.forEach((spec, index) => {
    const path = `meters[${index}]`;
    const first = seen.get(spec.id);
    if (first !== undefined) {
      sink.error("id.duplicate", `${path}.id`, `duplicate meter id ${spec.id} (first defined at meters[${first}])`);
      return;
    }
    seen.set(spec.id, index);
    if (isWaterKind(spec.kind) !== isWaterUnit(spec.unit)) {
      const expected = isWaterKind(spec.kind)
        ? "a volume or flow unit (m3, L, m3/h, L/min, L/s)"
        : "an energy or power unit (Wh, kWh, MWh, GJ, W, kW, MW)";
      sink.error("meter.unit", `${path}.unit`, `a ${spec.kind} meter needs ${expected}, got ${spec.unit}`);
      return;
    }
    meters.push({ ...spec, labels: spec.labels ?? {} });
  });
  return meters;
}
