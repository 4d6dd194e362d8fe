/**
 * Physical properties and small shared relations used by validation, the twin and the scheduler: coolant
 * properties, flow needed to carry heat, piecewise-linear performance curves, redundancy arithmetic.
 */
import type { Redundancy } from "./schema.ts";
import type { Kelvin, Kilowatts, LitersPerMinute } from "./units.ts";

/** Density (kg/m³) and specific heat (kJ/(kg·K)) of a coolant near 30 °C. */
export interface FluidProperties {
  readonly densityKgPerM3: number;
  readonly specificHeatKJPerKgK: number;
}

// Water at 30 °C: 995.7 kg/m³, 4.178 kJ/(kg·K). PG25 (25 % propylene glycol) at 30 °C: about 1,020 kg/m³ and
// 3.90 kJ/(kg·K) (ASHRAE Handbook Fundamentals, glycol tables). With a 10 K rise PG25 needs 1.5 L/min per kW,
// the figure CDU vendors quote for technology loops.
const fluids: Readonly<Record<string, FluidProperties>> = {
  water: { densityKgPerM3: 995.7, specificHeatKJPerKgK: 4.178 },
  PG25: { densityKgPerM3: 1020, specificHeatKJPerKgK: 3.9 },
  PG30: { densityKgPerM3: 1025, specificHeatKJPerKgK: 3.83 },
  EG25: { densityKgPerM3: 1035, specificHeatKJPerKgK: 3.7 },
};

/** Names of the coolants the model knows. */
export const knownFluids: readonly string[] = Object.keys(fluids);

/** Properties of a named coolant, or undefined if unknown. */
export function fluidProperties(name: string): FluidProperties | undefined {
  return fluids[name];
}

/** Volumetric flow that carries `heat` with a temperature rise `rise` in `fluid`: Q = P / (ρ·c·ΔT). */
export function flowForHeat(heat: Kilowatts, rise: Kelvin, fluid: FluidProperties): LitersPerMinute {
  const litersPerSecond = heat / ((fluid.densityKgPerM3 / 1000) * fluid.specificHeatKJPerKgK * rise);
  return (litersPerSecond * 60) as LitersPerMinute;
}

/** A point of a performance curve. */
export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** Piecewise-linear interpolation over points sorted by x, clamped at both ends. */
export function interpolate(points: readonly CurvePoint[], x: number): number {
  const first = points[0];
  if (first === undefined) return Number.NaN;
  if (x <= first.x) return first.y;
  for (let i = 1; i < points.length; i++) {
    const right = points[i]!;
    if (x <= right.x) {
      const left = points[i - 1]!;
      const span = right.x - left.x;
      return span === 0 ? right.y : left.y + ((right.y - left.y) * (x - left.x)) / span;
    }
  }
  return points[points.length - 1]!.y;
}

/**
 * How many of `count` paralleled units may carry load while the declared redundancy holds: N uses all, N+1 keeps one
 * spare, N+2 two, 2N only one side (half; an odd count leaves the larger side unused).
 */
export function unitsAvailable(count: number, redundancy: Redundancy): number {
  switch (redundancy) {
    case "N":
      return count;
    case "N+1":
      return Math.max(0, count - 1);
    case "N+2":
      return Math.max(0, count - 2);
    case "2N":
      return Math.floor(count / 2);
  }
}

/** Units that must run to carry `load` with units of `unitCapacity` (at least one if there is any load). */
export function unitsNeeded(load: number, unitCapacity: number): number {
  if (load <= 0) return 0;
  return Math.ceil(load / unitCapacity - 1e-9);
}
