/**
 * The equations of one coolant loop, shared by the twin's kernel (`kernel.ts`) and the calibration against measured
 * history (`calibrate.ts`), so that what is fitted is the twin's own loop and not a separate curve:
 *
 * - **Flow law.** The pumps run at a speed (fraction of rated flow) set by a demand, clamped between the minimum speed
 *   and full speed. The twin's law is "flow for the design rise": demand = Q / Q_full, where Q_full is the heat the
 *   loop carries at full flow and the design rise, so the rise stays at the design rise. The general law lets the
 *   measured loop depart from that in the two ways a loop's control does: the flow follows heat only as Q^e, and the
 *   target rise moves with the supply temperature, R(T_s) = R_ref − h · (T_s − T_ref). Then c_p ṁ =
 *   (Q_ref / R(T_s)) · (Q / Q_ref)^e and the rise is R(T_s) · (Q / Q_ref)^(1 − e). e = 1, h = 0 is the twin's law
 *   exactly; e = 1, h = 1 is a loop whose valves or fans hold the return temperature at T_ref + R_ref; e = 0, h = 0
 *   is constant flow.
 * - **Energy balance.** The rise over the loads is Q / (c_p ṁ), where c_p ṁ is the capacity rate in kW/K.
 * - **Thermal lag.** A well-mixed coolant mass, stepped implicitly: C (T' − T) / Δt = Q − G (T' − T_sink). The twin
 *   steps its technology loops this way (G is the CDU conductance, the sink the facility supply); a loop's return
 *   node is the same equation with G the capacity rate and the sink the loop supply.
 * - **Integral trim** (the calibration's `integral` law only). A return-temperature controller's slow integral action
 *   on top of the law: G = G_law · exp(z), dz/dt = (T_r − T_set) / (R_ref · T_i), T_set = T_ref + R_ref. The twin's
 *   plants hold their set-points by construction, so the kernel carries the law's shape (e, h) and not T_i.
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
 * Bound on the integral trim's state |z| (the flow may be trimmed to at most 3× or at least ⅓ of the law's). A real
 * controller's valve or fan has finite authority, and without a bound the state winds up whenever the return cannot
 * reach its set-point (a supply above it, a sensor fault, heat the law cannot carry) and then takes days to unwind.
 */
export const integralTrimLimit = Math.log(3);

/**
 * The integral trim's state after one step of length `stepS` with the loop's return at `returnC`: dz/dt =
 * (T_r − T_set) / (R_ref · T_i), explicit (T_i is hours or days, the step a minute), held within ±`integralTrimLimit`.
 * A return above the set-point raises z and so the flow (capacity rate × exp(z)), as a return-temperature controller's
 * integral action does. `integralTimeS` = ∞ leaves z unchanged.
 */
export function integralTrimStep(
  z: number,
  returnC: number,
  setpointC: number,
  referenceRiseK: number,
  integralTimeS: number,
  stepS: number,
): number {
  const next = z + (stepS * (returnC - setpointC)) / (referenceRiseK * integralTimeS);
  return Math.min(integralTrimLimit, Math.max(-integralTrimLimit, next));
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
  /** e: 1 is the twin's "flow for the design rise" (flow in proportion to heat), 0 is constant flow. */
  readonly heatExponent: number;
  /** h: how much of a supply temperature change the control takes out of the rise; 0 in the twin, 1 holds the return. */
  readonly supplyTracking: number;
}

/** The two numbers of a flow law that carry from a measured loop to another loop: its shape, not its size. */
export type LoopLawShape = Pick<FlowLaw, "heatExponent" | "supplyTracking">;

/**
 * The law of shape `shape` anchored at a loop's design point: the capacity rate is the design one at design heat and
 * supply, so e = 1, h = 0 is the twin's design-rise law; undefined for a loop without design heat.
 */
export function anchoredLaw(
  shape: LoopLawShape | undefined,
  designHeatKw: number,
  designRiseK: number,
  designSupplyC: number,
): FlowLaw | undefined {
  if (shape === undefined || !(designHeatKw > 0) || !(designRiseK > 0)) return undefined;
  return {
    referenceHeatKw: designHeatKw,
    referenceSupplyC: designSupplyC,
    referenceRiseK: designRiseK,
    heatExponent: shape.heatExponent,
    supplyTracking: shape.supplyTracking,
  };
}

/**
 * Flow-law forms a calibration can fit: `fitted` fits e and h; `integral` fits e and h and a slow integral trim that
 * pulls the return back to its reference (T_ref + R_ref) with integral time T_i, the return-temperature control of an
 * air handler; `held-return` declares a control that holds the return temperature (e = 1, h = 1); `design-rise` is
 * the twin's law as it stands (e = 1, h = 0).
 */
export const lawForms = ["fitted", "integral", "held-return", "design-rise"] as const;
/** One flow-law form. */
export type LawForm = (typeof lawForms)[number];
/** What `twin calibrate --law` takes: a form, or `auto` (chosen by leave-one-month-out cross-validation). */
export const lawChoices = ["auto", ...lawForms] as const;
/** One `--law` choice. */
export type LawChoice = (typeof lawChoices)[number];

/** Smallest target rise, K: keeps the law finite if a supply temperature ever reaches the held return temperature. */
export const minimumTargetRiseK = 0.1;

/** The twin's own law for a loop of design rise `designRiseK`: e = 1, h = 0 (the capacity rate follows the heat). */
export function designRiseLaw(designRiseK: number, referenceHeatKw: number, referenceSupplyC: number): FlowLaw {
  return { referenceHeatKw, referenceSupplyC, referenceRiseK: designRiseK, heatExponent: 1, supplyTracking: 0 };
}

/** Target rise at supply temperature `supplyC`: R_ref − h · (T_s − T_ref), K. */
export function targetRiseK(law: FlowLaw, supplyC: number): number {
  return Math.max(minimumTargetRiseK, law.referenceRiseK - law.supplyTracking * (supplyC - law.referenceSupplyC));
}

/** Flow demand relative to the reference point: (Q / Q_ref)^e · R_ref / R(T_s). */
export function relativeDemand(law: FlowLaw, heatKw: number, supplyC: number): number {
  const heatRatio = heatKw / law.referenceHeatKw;
  const heatTerm = law.heatExponent === 1 ? heatRatio : heatRatio ** law.heatExponent;
  return (heatTerm * law.referenceRiseK) / targetRiseK(law, supplyC);
}

/**
 * `relativeDemand` given ln(Q / Q_ref) as well: (Q / Q_ref)^e is taken as exp(e · ln(Q / Q_ref)), about eight times
 * cheaper than a power, for a calibration that evaluates the law at every one-minute sample of months of history
 * hundreds of times with ln(Q) computed once. Agrees with `relativeDemand` to a few ulps; e = 1 and Q ≤ 0 take the
 * exact path (exp(0 · −∞) would be NaN where 0^0 is 1).
 */
export function relativeDemandFromLog(law: FlowLaw, heatKw: number, logHeatRatio: number, supplyC: number): number {
  if (law.heatExponent === 1 || !(heatKw > 0)) return relativeDemand(law, heatKw, supplyC);
  return (Math.exp(law.heatExponent * logHeatRatio) * law.referenceRiseK) / targetRiseK(law, supplyC);
}

/**
 * Capacity rate c_p ṁ (kW/K) under the law, unclamped (the measured range lies between the pump limits, which the
 * data cannot show). Under the twin's law it is Q / design rise, as `kernel.ts` computes it below full speed.
 */
export function capacityRateKwPerK(law: FlowLaw, heatKw: number, supplyC: number): number {
  return (law.referenceHeatKw / law.referenceRiseK) * relativeDemand(law, heatKw, supplyC);
}

/** Rise over the loads (return − supply) in steady state under the law, K: heat / capacity rate. */
export function steadyRiseK(law: FlowLaw, heatKw: number, supplyC: number): number {
  return heatKw / capacityRateKwPerK(law, heatKw, supplyC);
}

/**
 * Ranges of a loop law's shape that a loop's control can produce: e from constant flow (0) to flow rising with the
 * square of heat (2), h from a rise growing with the supply (−1) to twice a held return (2). The ESIF fits lie at
 * e 0.5–1.1, h 0.4–1.2. Outside, the run still goes (the pumps sit at their limits and the energy balance holds),
 * but a hand-edited or mis-fitted file is the likelier cause, so the user is told.
 */
export const plausibleLaw = { heatExponent: [0, 2], supplyTracking: [-1, 2] } as const;

/** Warnings for a loop law's e and h outside `plausibleLaw` (none when both are inside). */
export function implausibleLaw(heatExponent: number, supplyTracking: number): string[] {
  const warnings: string[] = [];
  const [eLow, eHigh] = plausibleLaw.heatExponent;
  const [hLow, hHigh] = plausibleLaw.supplyTracking;
  if (heatExponent < eLow || heatExponent > eHigh) {
    warnings.push(
      `warning: flowLaw.heatExponent ${heatExponent} is outside ${eLow}–${eHigh} (0 constant flow, 1 flow in proportion to heat): the pumps will sit at their limits`,
    );
  }
  if (supplyTracking < hLow || supplyTracking > hHigh) {
    warnings.push(
      `warning: flowLaw.supplyTracking ${supplyTracking} is outside ${hLow}–${hHigh} (0 fixed rise, 1 held return): the pumps will sit at their limits`,
    );
  }
  return warnings;
}
