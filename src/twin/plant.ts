/**
 * Plant terms around the cooling loops that the site file does not describe unit by unit: house loads, the cooling
 * of the electrical rooms, the HV substation, the air side of the racks (supply air and server inlet temperatures),
 * and how fast a repaired unit returns to service. Each figure is a `PlantAssumptions` field with its source; the
 * uncertainty runs (`uncertainty.ts`) sample them within `assumptionRanges`.
 *
 * All of it is plain data (it crosses to worker threads with the run settings).
 */
import type { UncertainParameter } from "../model/schema.ts";
import type { LoopLawShape } from "./loop.ts";

/** The figures the twin assumes beyond the site file. Temperatures °C, differences K, powers kW unless named. */
export interface PlantAssumptions {
  /**
   * House loads per m² of building area (the site's `buildingAreaM2`, or its white space when absent), W/m²: lighting,
   * offices, security, BMS, fire detection. ASHRAE 90.1-2019 Table 9.6.1 allows about 10 W/m² of lighting in
   * computer rooms and offices; halls lit on occupancy sensors (§9.4.1.1) are dark most of the time, so lighting
   * averages about a third of that, and security, BMS, fire and access control draw about 1–2 W/m² around the clock.
   */
  readonly houseWPerM2: number;
  /**
   * Supply air to the electrical rooms (UPS, LV switchboards, dry-type transformers), °C: UPS makers and battery
   * rating (IEC 60896, 25 °C) keep these rooms at 20–25 °C, which facility water at 30–40 °C cannot give, so the
   * rooms have their own DX units with an air-side economiser.
   */
  readonly electricalRoomAirC: number;
  /** Evaporating temperature of the electrical-room DX units below their supply air, K (direct-expansion coil). */
  readonly electricalRoomEvaporatorK: number;
  /**
   * Electrical-room fan power per kW of heat moved: a specific fan power of 750 W per m³/s (a common AHU design
   * value; EN 16798-3 rates fans in W per m³/s) at a 12 K air rise moves 14.5 kW per m³/s, 0.052 kW/kW.
   */
  readonly electricalRoomFanKwPerKw: number;
  /** Scale on the chiller COP curve (the DX units read the same curve at their own lift). */
  readonly copScale: number;
  /**
   * HV substation transformers: the peak efficiency index (PEI) they meet. EU Regulation 548/2014 Annex I, Table I.4
   * (Tier 2, from July 2021): liquid-immersed large power transformers of 100 MVA and above, PEI ≥ 99.737 %.
   */
  readonly substationPei: number;
  /**
   * No-load over load losses at rated power (P0 / Pk) of the substation transformers. Efficiency peaks at the load
   * √(P0/Pk): 0.15 puts it at about 40 %, typical of large power transformers evaluated on loss capitalisation.
   */
  readonly substationLossRatio: number;
  /**
   * CRAH supply air above the facility water supply, K (coil approach of a fan-wall coil: the air leaves a few
   * kelvins above the entering water).
   */
  readonly crahApproachK: number;
  /**
   * Server inlet above the air handlers' supply in a contained hot aisle, K (leakage and recirculation through
   * the containment; ASHRAE TC9.9 Thermal Guidelines note 1–3 K for good containment).
   */
  readonly containmentRiseK: number;
  /**
   * Height of hall air per m² of white space, m: the air a hall's air handlers cool, which warms when they fall short
   * (3 m to a suspended ceiling plus raised-floor or ceiling plenums, about 1 m). Every rack breathes it: `crah`
   * racks, and rear-door racks, whose doors cool their exhaust back to about the room's air.
   */
  readonly hallAirHeightM: number;
  /**
   * Specific heat of rack equipment, kJ/(kg·K): carbon steel, 0.49 (Engineering ToolBox, specific heats of metals),
   * the bulk of frames, chassis and rails; copper (0.39) and aluminium (0.91) heat sinks bracket it. A 2U server
   * measured at 12 kJ/K (Ibrahim, Shrivastava, Sammakia and Ghose, "Thermal Mass Characterization of a Server at
   * Different Fan Speeds") is 24 kg of it. Each rack type's `weightKg` times its air-cooled share (1 − liquid
   * capture; assumption: parts on cold plates are held at their loop's temperature, so they are taken as the share
   * of its weight that its share of heat is) is the mass that warms with the hall air when its air handlers fall
   * short (`#hallAirStep` in kernel.ts).
   */
  readonly rackSpecificHeatKjPerKgK: number;
  /**
   * Time constant of that rack mass against the hall air, s (its conductance is its heat capacity over this): servers
   * have lumped time constants "on the order of several minutes" (room-level CFD of rack shutdown against a 3-rack
   * test cell, ASME InterPACK 2013, V002T09A024); 5 minutes is an assumption within that.
   */
  readonly rackMassTimeConstantS: number;
  /**
   * The hall's envelope, a third and slower thermal mass when its air handlers fall short (`#hallAirStep` in
   * kernel.ts): the floor slab and the walls, normal-weight concrete of this density, kg/m³, specific heat,
   * kJ/(kg·K), and conductivity, W/(m·K): EN ISO 10456:2007 Table 3, "high density" concrete 2,400 kg/m³,
   * c_p 1,000 J/(kg·K), λ 2.0 W/(m·K). Assumptions: the hall is square in plan (walls 4·√(white space) long and
   * `hallAirHeightM` high), its slab is on grade and its walls are concrete; its roof is an insulated metal deck
   * (no mass worth counting: only its U-value, from the air).
   */
  readonly envelopeDensityKgPerM3: number;
  /** Specific heat of the slab and walls, kJ/(kg·K) (see `envelopeDensityKgPerM3`). */
  readonly envelopeSpecificHeatKjPerKgK: number;
  /** Thermal conductivity of the slab and walls, W/(m·K) (see `envelopeDensityKgPerM3`). */
  readonly envelopeConductivityWPerMK: number;
  /**
   * Depth of slab and wall that stores heat, m: the "10 cm rule" of EN ISO 13786's simplified method for the internal
   * heat capacity (layers within 10 cm of the surface). Heat reaches about √(α·t) into concrete (α = λ/(ρ·c_p) =
   * 8.3·10⁻⁷ m²/s): 4 cm in half an hour, 27 cm in a day, so the node is a day-scale figure, lumped at its mid-depth.
   */
  readonly envelopeThicknessM: number;
  /**
   * Interior surface resistance of the slab and walls, m²·K/W: EN ISO 6946:2017 Table 7, Rsi for horizontal heat flow
   * (0.13; downward flow, a floor, is 0.17 — the walls' value is taken for both). The air reaches the lumped node
   * through it and half the layer's conduction (d / 2λ).
   */
  readonly envelopeSurfaceResistanceM2KPerW: number;
  /**
   * Thermal transmittance of the walls, W/(m²·K), from the mass node to the outdoors: the German GEG 2020 reference
   * building for non-residential zones heated to 19 °C or more (Anlage 2: external wall 0.28, slab on ground 0.35,
   * roof 0.20), a current European new build; the insulation dominates, so the whole U-value is taken from the node.
   */
  readonly wallUWPerM2K: number;
  /** Thermal transmittance of the slab to the ground, W/(m²·K) (see `wallUWPerM2K`). */
  readonly floorUWPerM2K: number;
  /** Thermal transmittance of the roof, from the hall air to the outdoors, W/(m²·K) (see `wallUWPerM2K`). */
  readonly roofUWPerM2K: number;
  /** Rear-door heat exchanger effectiveness (air side): leaving air = air in − ε × (air in − water in). */
  readonly rearDoorEffectiveness: number;
  /** Air temperature rise through a server at its design power, K (fans keep about 15 K across a loaded server). */
  readonly serverAirRiseK: number;
  /** Dry cooler approach, K, when set: replaces every plant's site figure (uncertainty runs sample it). */
  readonly dryCoolerApproachK?: number;
  /** Scale on the design power of pumps and fans (selection margins and wear). */
  readonly pumpFanPowerScale: number;
  /** Scale on UPS losses (1 − efficiency). */
  readonly upsLossScale: number;
  /** Seconds a repaired CDU (pump soft start, then its valve's PI loop settling) takes to reach full duty. */
  readonly cduRestartS: number;
  /** Seconds a repaired facility water pump (variable-speed drive ramp) takes to reach full flow. */
  readonly pumpRestartS: number;
  /** Seconds a repaired dry cooler (fan drives ramping) takes to reach full duty. */
  readonly dryCoolerRestartS: number;
  /** Seconds a repaired hall air handler (fan drives ramping, coil valve opening) takes to reach full duty. */
  readonly crahRestartS: number;
  /**
   * Seconds a repaired trim chiller takes to carry full load: the compressor's anti-recycle delay (typically
   * 5–15 minutes for centrifugal and screw machines) and its load ramp.
   */
  readonly chillerRestartS: number;
  /**
   * The facility-water loop's flow law as calibrated on measured history (`simulate --loop-params` with a liquid-loop
   * `params.json`): its heat exponent e and supply tracking h, anchored at each plant's design point (design heat,
   * design rise, supply set-point). Absent: the twin's own law, flow for the design rise (e = 1, h = 0).
   */
  readonly facilityLoopLaw?: LoopLawShape;
  /** The air side's chilled-water loop's flow law as calibrated (an air-loop `params.json`); absent: design rise. */
  readonly airLoopLaw?: LoopLawShape;
}

/** The figures a run takes when nothing else is given (see each field of `PlantAssumptions`). */
export const defaultAssumptions: PlantAssumptions = {
  houseWPerM2: 5,
  electricalRoomAirC: 24,
  electricalRoomEvaporatorK: 10,
  electricalRoomFanKwPerKw: 0.052,
  copScale: 1,
  substationPei: 0.99737,
  substationLossRatio: 0.15,
  crahApproachK: 4,
  containmentRiseK: 1.5,
  hallAirHeightM: 4,
  rackSpecificHeatKjPerKgK: 0.49,
  rackMassTimeConstantS: 300,
  envelopeDensityKgPerM3: 2400,
  envelopeSpecificHeatKjPerKgK: 1,
  envelopeConductivityWPerMK: 2,
  envelopeThicknessM: 0.1,
  envelopeSurfaceResistanceM2KPerW: 0.13,
  wallUWPerM2K: 0.28,
  floorUWPerM2K: 0.35,
  roofUWPerM2K: 0.2,
  rearDoorEffectiveness: 0.8,
  serverAirRiseK: 15,
  pumpFanPowerScale: 1,
  upsLossScale: 1,
  cduRestartS: 180,
  pumpRestartS: 60,
  dryCoolerRestartS: 60,
  crahRestartS: 60,
  chillerRestartS: 600,
};

/** Names of the assumptions the uncertainty runs sample (the site file format lists them with their bounds). */
export type UncertainName = UncertainParameter;

/** A range sampled uniformly, with why it is that wide. */
export interface AssumptionRange {
  readonly low: number;
  readonly high: number;
  readonly why: string;
}

/**
 * Default ranges of the uncertain figures. Where a source gives a spread it is used; otherwise the range says what
 * was assumed.
 */
export const assumptionRanges: Readonly<Record<UncertainName, AssumptionRange>> = {
  dryCoolerApproachK: {
    low: 7,
    high: 13,
    why: "catalogue median about 10 K (issue 17, 6,730 models); ±3 K assumed for selection and fouling",
  },
  houseWPerM2: { low: 3, high: 10, why: "occupancy-controlled lighting to full 90.1 allowance" },
  copScale: { low: 0.85, high: 1.1, why: "part-load and ageing spread about AHRI 550/590 ratings" },
  pumpFanPowerScale: { low: 0.9, high: 1.25, why: "selection margins (pumps and fans are picked above duty)" },
  upsLossScale: { low: 0.8, high: 1.3, why: "spread of double-conversion UPS efficiency curves between makers" },
  substationPei: { low: 0.99737, high: 0.9982, why: "EU 548/2014 Tier 2 minimum to the better current designs" },
  crahApproachK: { low: 2.5, high: 6, why: "coil selections" },
  containmentRiseK: { low: 0.5, high: 3, why: "containment quality (ASHRAE TC9.9)" },
  rearDoorEffectiveness: { low: 0.7, high: 0.9, why: "rear-door selections at their rated air flow" },
  serverAirRiseK: { low: 10, high: 20, why: "server fan control: 10 K (cool, fans high) to 20 K (warm, fans low)" },
};

/** The ASHRAE TC9.9 (2021) server inlet bands the twin counts hours in: above each of these, °C. */
export const inletThresholdsC = [27, 32, 35, 40, 45] as const;
/** What each threshold is: the top of the recommended envelope and of the allowable classes A1–A4. */
export const inletThresholdNames = ["recommended", "A1", "A2", "A3", "A4"] as const;
/** Bottom of the recommended envelope, °C: hours below it are counted too. */
export const inletRecommendedLowC = 18;
/**
 * Server inlet air above which racks shut down to protect themselves, °C: the top of ASHRAE's widest allowable class
 * (A4). Air-side cooling lost (its chillers failed, its coils fed warm water) heats the room until the racks it cools
 * trip; without this the twin kept heating the air loop from racks that could not have kept running.
 */
export const inletTripC = 45;
/** Inlet air a rack tripped on its inlet waits for before it restarts, °C: the top of A3, so a room at the edge of A4 does not cycle its racks. */
export const inletRestartC = 40;
/** Per rack type, the accumulators of inlet hours: installed rack-seconds, below 18 °C, then above each threshold. */
export const inletBands = 2 + inletThresholdsC.length;

/**
 * Substation transformer losses at rated power from a PEI and the P0/Pk ratio: PEI = 1 − 2√(P0·Pk)/Sr
 * (548/2014 Annex III, cooling losses ignored), so √(P0·Pk) = (1 − PEI)·Sr/2.
 */
export function substationLosses(ratedKva: number, pei: number, ratio: number): { noLoadKw: number; loadKw: number } {
  const geometricKw = ((1 - pei) * ratedKva) / 2;
  const root = Math.sqrt(ratio);
  return { noLoadKw: geometricKw * root, loadKw: geometricKw / root };
}

/** A hall's envelope as the twin's third thermal node: what it stores and its conductances (kJ/K, kW/K). */
export interface HallEnvelope {
  /** Heat the slab and walls store per kelvin, kJ/K. */
  readonly storedKjPerK: number;
  /** Conductance from the hall air to the slab and walls' node, kW/K. */
  readonly exchangeKwPerK: number;
  /** Conductance from that node through walls and slab to the outdoors and the ground, kW/K. */
  readonly lossKwPerK: number;
  /** Conductance from the hall air through the roof to the outdoors, kW/K. */
  readonly roofKwPerK: number;
}

/**
 * The envelope of a hall of `whiteSpaceM2` (see `PlantAssumptions.envelopeDensityKgPerM3` for the assumed shape):
 * slab (the white space) and walls (4·√area × `hallAirHeightM`) store heat in their first `envelopeThicknessM`,
 * reached from the air through Rsi + d/2λ, and lose it through their U-values; the roof loses the air's through its.
 */
export function hallEnvelope(whiteSpaceM2: number, a: PlantAssumptions): HallEnvelope {
  const wallM2 = 4 * Math.sqrt(whiteSpaceM2) * a.hallAirHeightM;
  const massiveM2 = whiteSpaceM2 + wallM2;
  const resistanceM2KPerW =
    a.envelopeSurfaceResistanceM2KPerW + a.envelopeThicknessM / (2 * a.envelopeConductivityWPerMK);
  return {
    storedKjPerK: massiveM2 * a.envelopeThicknessM * a.envelopeDensityKgPerM3 * a.envelopeSpecificHeatKjPerKgK,
    exchangeKwPerK: massiveM2 / resistanceM2KPerW / 1000,
    lossKwPerK: (wallM2 * a.wallUWPerM2K + whiteSpaceM2 * a.floorUWPerM2K) / 1000,
    roofKwPerK: (whiteSpaceM2 * a.roofUWPerM2K) / 1000,
  };
}
