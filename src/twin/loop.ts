/**
 * The equations of one coolant loop, shared by the twin's kernel (`kernel.ts`) and the calibration against measured
 * history (`calibrate.ts`), so that what is fitted is the twin's own loop and not a separate curve:
 *
 * - **Flow law.** The pumps run at a speed (fraction of rated flow) set by a demand, clamped between the minimum speed
 *   and full speed. The twin's law is "flow for the design rise": demand = Q / Q_full, where Q_full is the heat the
 *   loop carries at full flow and the design rise. The general law multiplies that by two measured departures:
 *   demand = (Q / Q_ref)^e · exp(k · (T_supply − T_ref)) · s_ref. With e = 1 and k = 0 it is the twin's law exactly.
 *   k ≈ 1 / rise is the signature of a loop whose valves hold a return (or component) temperature: d ln ṁ / dT_s of
 *   ṁ = Q / (c_p (T_ret − T_s)) is 1 / (T_ret − T_s).
 * - **Energy balance.** The rise over the loads is Q / (c_p ṁ), where c_p ṁ is the capacity rate in kW/K.
 * - **Thermal lag.** A well-mixed coolant mass, stepped implicitly: C (T' − T) / Δt = Q − G (T' − T_sink). The twin
 *   steps its technology loops this way (G is the CDU conductance, the sink the facility supply); a loop's return
 *   node is the same equation with G the capacity rate and the sink the loop supply.
 */

/** Pump speed, a fraction of rated flow: the law's demand held between `minimumSpeed` and full speed. */
export function pumpSpeed(demand: number, minimumSpeed: number): number {
  return Math.min(1, Math.max(minimumSpeed, demand));
}

/**
 * Temperature of a well-mixed coolant mass after one implicit step: heat `heatKw` in, heat out at
 * `conductanceKwPerK` × (T − `sinkC`), storage `storageKwPerK` = heat capacity / step (kJ/K per s).
 */
export function implicitMixedC(
  oldC: number,
  heatKw: number,
  conductanceKwPerK: number,
  sinkC: number,
  storageKwPerK: number,
): number {
  return (storageKwPerK * oldC + heatKw + conductanceKwPerK * sinkC) / (storageKwPerK + conductanceKwPerK);
}

/**
 * A loop's flow law in capacity-rate terms (c_p ṁ, kW/K), the reduction of the twin's law that measured history can
 * constrain: with no flow meter, the rated flow and hence the pump limits are not observable, only the capacity rate
 * at a reference point and how it moves with heat and supply temperature.
 */
export interface FlowLaw {
  /** Heat at the reference point, kW (the calibration period's mean). */
  readonly referenceHeatKw: number;
  /** Supply temperature at the reference point, °C (the calibration period's mean). */
  readonly referenceSupplyC: number;
  /** Rise (return − supply) at the reference point, K: the capacity rate there is referenceHeatKw / referenceRiseK. */
  readonly referenceRiseK: number;
  /** e: 1 is the twin's "flow for the design rise" (constant rise), 0 is constant flow. */
  readonly heatExponent: number;
  /** k, per K of supply temperature: 0 in the twin; about 1 / rise when valves hold a return temperature. */
  readonly supplyCoefficientPerK: number;
}

/** The twin's own law for a loop of design rise `designRiseK`: e = 1, k = 0 (the capacity rate follows the heat). */
export function designRiseLaw(designRiseK: number, referenceHeatKw: number, referenceSupplyC: number): FlowLaw {
  return { referenceHeatKw, referenceSupplyC, referenceRiseK: designRiseK, heatExponent: 1, supplyCoefficientPerK: 0 };
}

/** Flow demand relative to the reference point: (Q / Q_ref)^e · exp(k · (T_s − T_ref)). */
export function relativeDemand(law: FlowLaw, heatKw: number, supplyC: number): number {
  const heatRatio = heatKw / law.referenceHeatKw;
  const heatTerm = law.heatExponent === 1 ? heatRatio : heatRatio ** law.heatExponent;
  const supplyTerm =
    law.supplyCoefficientPerK === 0 ? 1 : Math.exp(law.supplyCoefficientPerK * (supplyC - law.referenceSupplyC));
  return heatTerm * supplyTerm;
}

/**
 * Capacity rate c_p ṁ (kW/K) under the law, unclamped (the measured range lies between the pump limits, which the
 * data cannot show). Under the twin's law it is Q / design rise, as `kernel.ts` computes it below full speed.
 */
export function capacityRateKwPerK(law: FlowLaw, heatKw: number, supplyC: number): number {
  return (law.referenceHeatKw / law.referenceRiseK) * relativeDemand(law, heatKw, supplyC);
}
