/**
 * Waste-heat reuse: heat pumps take heat from each plant's facility-water return and deliver it to a district-heating
 * network at its supply temperature, up to the contracted MW of the month, read from a twin run's plant series.
 *
 * - COP (heating) = carnotEfficiency × T_cond / (T_cond − T_evap), T_cond = network supply + approach,
 *   T_evap = facility return − approach (kelvin); large industrial heat pumps reach 40–60 % of the Carnot COP
 *   (Jesper et al., "Large-scale heat pumps: uptake and performance modelling of market-available devices",
 *   Renewable and Sustainable Energy Reviews 137, 2021; Arpagaus et al., "High temperature heat pumps: market
 *   overview, state of the art, research status, refrigerants, and application potentials", Energy 152, 2018).
 * - Delivered heat Q = min(contract, what the loop can give); the heat pumps take Q (1 − 1/COP) from the loop and draw
 *   Q / COP of electricity, counted in the site's energy.
 * - The heat taken no longer needs rejecting: trim chillers are relieved first (their power in proportion), then the
 *   dry coolers, whose fans slow by the heat they no longer reject at the same air and water temperatures, on the
 *   kernel's part-load curve.
 * - The facility return is the supply plus the plant's design ΔT (its pumps vary flow to hold it above their
 *   minimum speed, which the campus's loads keep them above).
 * This is a first-order correction on the series (the loop temperatures are not re-solved with the offtake), kept
 * outside the kernel while its plant physics changes; E_REUSE is the heat taken from the data centre (EN 50600-4-6).
 */
import type { HeatOfftakeSpec } from "../model/schema.ts";
import type { Site } from "../model/site.ts";
import { partLoadPower } from "../twin/kernel.ts";
import type { TwinResult } from "../twin/results.ts";
import { secondsPer } from "../twin/time.ts";

const kelvinOffset = 273.15;
/** Highest COP counted (a lift near zero is a plain heat exchanger, not an infinite COP). */
const maximumCop = 15;
const monthStartDay = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Heat-reuse figures of a run. Energies in MWh, temperatures in °C, money in €. */
export interface HeatReuse {
  readonly network?: string;
  /** Heat taken from the data centre's loops (E_REUSE). */
  readonly reusedHeatMWh: number;
  /** Heat delivered to the network (reused heat plus heat-pump work). */
  readonly deliveredHeatMWh: number;
  readonly heatPumpEnergyMWh: number;
  /** Energy-weighted COP and mean temperature of the heat taken (T_REUSE). */
  readonly meanCop: number;
  readonly meanReuseTemperatureC: number;
  readonly chillerEnergySavedMWh: number;
  readonly dryCoolerFanEnergySavedMWh: number;
  /** The run's total energy with the heat pumps counted and the cooling relieved. */
  readonly totalEnergyMWh: number;
  /** ERF = E_REUSE / E_DC with that total. */
  readonly erf: number;
  readonly contractedHeatMWh: number;
  readonly revenueEur?: number;
  readonly monthly: readonly { readonly month: number; readonly deliveredMWh: number; readonly reusedMWh: number }[];
}

/** Month (0–11) of a time on the twin's typical-year calendar. */
function monthOf(yearS: number): number {
  const day = Math.floor((((yearS % secondsPer.y) + secondsPer.y) % secondsPer.y) / secondsPer.d);
  let month = 0;
  while (month < 11 && day >= monthStartDay[month + 1]!) month++;
  return month;
}

/** Heating COP lifting from `returnC` to `networkC` (see the module comment). */
export function heatPumpCop(
  returnC: number,
  offtake: Pick<HeatOfftakeSpec, "networkSupplyC" | "carnotEfficiency" | "approachK">,
): number {
  const condenserK = offtake.networkSupplyC + offtake.approachK + kelvinOffset;
  const evaporatorK = returnC - offtake.approachK + kelvinOffset;
  const lift = condenserK - evaporatorK;
  if (lift <= 0) return maximumCop;
  return Math.min(maximumCop, Math.max(1, (offtake.carnotEfficiency * condenserK) / lift));
}

/** Speed at which the part-load curve gives `share` of design power (bisection; the curve rises monotonically). */
function speedForPower(share: number): number {
  let low = 0;
  let high = 1;
  for (let iteration = 0; iteration < 40; iteration++) {
    const middle = (low + high) / 2;
    if (partLoadPower(middle) < share) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Heat-reuse figures of `result` (a run of `site`, which must have a `heatOfftake`), starting at `startS`. */
export function heatReuseOf(site: Site, result: TwinResult, startS = 0): HeatReuse | undefined {
  const offtake = site.heatOfftake;
  if (offtake === undefined) return undefined;
  const frames = result.plants;
  const siteHeat = result.site;
  const points = siteHeat.timeS.length;
  const monthly = Array.from({ length: 12 }, (_, month) => ({ month: month + 1, deliveredMWh: 0, reusedMWh: 0 }));
  let reused = 0;
  let delivered = 0;
  let work = 0;
  let chillerSaved = 0;
  let fanSaved = 0;
  let contracted = 0;
  let temperatureWeighted = 0;
  for (let point = 0; point < points; point++) {
    const hours = siteHeat.spanS[point]! / secondsPer.h;
    const month = monthOf(startS + siteHeat.timeS[point]!);
    const contractKw = offtake.contractMW[month]! * 1000;
    contracted += contractKw * hours;
    let totalHeat = 0;
    for (const frame of frames) totalHeat += frame.fields["heatToLoopKw"]![point]!;
    if (totalHeat <= 0 || contractKw <= 0) continue;
    for (const [index, frame] of frames.entries()) {
      const plant = site.plants[index]!;
      const heatKw = frame.fields["heatToLoopKw"]![point]!;
      if (heatKw <= 0) continue;
      const returnC = frame.fields["fwsSupplyC"]![point]! + plant.designDeltaT;
      const cop = heatPumpCop(returnC, offtake);
      // This plant's share of the contract, as heat to deliver, limited by the heat its loop carries.
      const deliveredKw = Math.min((contractKw * heatKw) / totalHeat, heatKw / (1 - 1 / cop));
      const takenKw = deliveredKw * (1 - 1 / cop);
      const chillerHeat = frame.fields["chillerHeatKw"]![point]!;
      const chillerPower = frame.fields["chillerPowerKw"]![point]!;
      const fromChillers = Math.min(takenKw, chillerHeat);
      if (chillerHeat > 0) chillerSaved += ((chillerPower * fromChillers) / chillerHeat) * hours;
      const coolerHeat = frame.fields["dryCoolerHeatKw"]![point]!;
      const fanKw = frame.fields["dryCoolerFanKw"]![point]!;
      const designFanKw = plant.dryCoolers.ids.length * plant.dryCoolers.fanPower;
      if (coolerHeat > 0 && fanKw > 0 && designFanKw > 0) {
        const speed = speedForPower(Math.min(1, fanKw / designFanKw));
        const left = Math.max(0, coolerHeat - (takenKw - fromChillers)) / coolerHeat;
        fanSaved += (fanKw - designFanKw * partLoadPower(speed * left) * (left > 0 ? 1 : 0)) * hours;
      }
      reused += takenKw * hours;
      delivered += deliveredKw * hours;
      work += (deliveredKw / cop) * hours;
      temperatureWeighted += returnC * takenKw * hours;
      monthly[month]!.deliveredMWh += (deliveredKw * hours) / 1000;
      monthly[month]!.reusedMWh += (takenKw * hours) / 1000;
    }
  }
  const totalMWh = result.kpis.totalEnergyMWh + (work - chillerSaved - fanSaved) / 1000;
  return {
    ...(offtake.network === undefined ? {} : { network: offtake.network }),
    reusedHeatMWh: reused / 1000,
    deliveredHeatMWh: delivered / 1000,
    heatPumpEnergyMWh: work / 1000,
    meanCop: work > 0 ? delivered / work : 0,
    meanReuseTemperatureC: reused > 0 ? temperatureWeighted / reused : 0,
    chillerEnergySavedMWh: chillerSaved / 1000,
    dryCoolerFanEnergySavedMWh: fanSaved / 1000,
    totalEnergyMWh: totalMWh,
    erf: totalMWh > 0 ? reused / 1000 / totalMWh : 0,
    contractedHeatMWh: contracted / 1000,
    ...(offtake.heatPriceEurPerMWh === undefined
      ? {}
      : { revenueEur: (delivered / 1000) * offtake.heatPriceEurPerMWh }),
    monthly: monthly.filter((month) => month.deliveredMWh > 0),
  };
}
