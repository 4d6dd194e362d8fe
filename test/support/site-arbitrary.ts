/**
 * Random site files for property tests: any number of halls, rows and racks of the shipped rack types, with every
 * unit group sized from its load (plus margin) so the site is valid by construction. Defects are injected on top.
 */
import fc from "fast-check";

/** Rack types used by generated sites (the shipped catalogue, kept small). */
export const rackTypeCatalogue = [
  {
    id: "nvl72",
    designPowerKW: 132,
    idlePowerKW: 30,
    gpusPerRack: 72,
    gpuModel: "GB300",
    servers: 18,
    liquidCaptureFraction: 0.9,
    nvlinkDomainSize: 72,
    weightKg: 1550,
    airCooling: "crah",
    maxCoolantSupplyC: 45,
  },
  {
    id: "hgx",
    designPowerKW: 42,
    idlePowerKW: 9,
    gpusPerRack: 32,
    gpuModel: "H200",
    servers: 4,
    liquidCaptureFraction: 0.8,
    nvlinkDomainSize: 8,
    weightKg: 1200,
    airCooling: "crah",
    maxCoolantSupplyC: 44,
  },
  {
    id: "cpu",
    designPowerKW: 12,
    idlePowerKW: 4,
    servers: 16,
    liquidCaptureFraction: 0,
    weightKg: 900,
    airCooling: "rdhx",
    rdhxCapacityKW: 20,
    maxCoolantSupplyC: 40,
  },
] as const;

/** The shape of one generated row: a rack type and how many racks. */
export interface RowPlan {
  readonly type: 0 | 1 | 2;
  readonly racks: number;
}

/** The plan a site file is generated from. */
export interface SitePlan {
  readonly halls: readonly (readonly RowPlan[])[];
}

/** Arbitrary site plans: 1–3 halls of 1–5 rows of 1–24 racks. */
export const sitePlanArbitrary: fc.Arbitrary<SitePlan> = fc.record({
  halls: fc.array(
    fc.array(
      fc.record({ type: fc.constantFrom(0 as const, 1 as const, 2 as const), racks: fc.integer({ min: 1, max: 24 }) }),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    { minLength: 1, maxLength: 3 },
  ),
});

const margin = 1.25;
const cduCapacityKW = 800;

/** Units of `capacity` needed for `load` with margin, plus `spare` for the redundancy. */
function units(load: number, capacity: number, spare: number): number {
  return Math.max(1, Math.ceil((load * margin) / capacity)) + spare;
}

/** Builds a valid site file (as plain data) from a plan. */
export function siteFromPlan(plan: SitePlan): Record<string, unknown> {
  let siteIt = 0;
  const halls = plan.halls.map((rows, hallIndex) => {
    let hallIt = 0;
    let hallAir = 0;
    const rowEntries = rows.map((row) => {
      const type = rackTypeCatalogue[row.type];
      const it = type.designPowerKW * row.racks;
      const liquid = type.airCooling === "rdhx" ? it : it * type.liquidCaptureFraction;
      hallIt += it;
      if (type.airCooling === "crah") hallAir += it - it * type.liquidCaptureFraction;
      return {
        racks: [{ type: type.id, count: row.racks }],
        busways: { count: 2, ratingKW: Math.ceil(it * margin), redundancy: "2N" },
        cdus: { model: "cdu-800", count: units(liquid, cduCapacityKW, 1), redundancy: "N+1" },
        tcs: { supplySetpointC: 39.5, designRiseK: 10, fluid: "PG25" },
        leakDetectors: { perCdu: 1, perRack: 1 },
      };
    });
    siteIt += hallIt;
    const heat = hallIt * 1.15;
    const flowLpm = (heat / (0.9957 * 4.178 * 10)) * 60;
    return {
      id: `hall:h${hallIndex + 1}`,
      whiteSpaceM2: 100 + rows.length * 50,
      ...(hallAir > 0
        ? { crah: { count: units(hallAir, 100, 1), capacityKW: 100, fanPowerKW: 3, redundancy: "N+1" } }
        : {}),
      power: {
        transformers: {
          count: units(hallIt * 1.2, 950, 1),
          ratingKVA: 1000,
          noLoadLossKW: 1,
          loadLossKW: 9,
          redundancy: "N+1",
        },
        ups: {
          count: units(hallIt, 500, 1),
          ratingKW: 500,
          redundancy: "N+1",
          efficiencyCurve: [
            { load: 0.1, efficiency: 0.9 },
            { load: 0.5, efficiency: 0.97 },
            { load: 1, efficiency: 0.968 },
          ],
        },
      },
      plant: {
        fws: {
          waterClass: "W40",
          supplySetpointC: 36,
          designDeltaTK: 10,
          waterVolumeM3: 10,
          pumps: { count: units(flowLpm, 2000, 1), ratedFlowLpm: 2000, powerKW: 5, redundancy: "N+1" },
        },
        dryCoolers: {
          count: units(heat, 500, 1),
          capacityKW: 500,
          designAmbientC: 33,
          approachK: 5.5,
          fanPowerKW: 20,
          redundancy: "N+1",
        },
        chillers: {
          count: units(heat * 0.25, 300, 1),
          capacityKW: 300,
          redundancy: "N+1",
          copCurve: [
            { liftK: 0, cop: 12 },
            { liftK: 20, cop: 5 },
          ],
        },
      },
      rows: rowEntries,
    };
  });
  const gridMW = Math.ceil((siteIt * 1.5) / 1000 + 1);
  return {
    version: 1,
    site: {
      id: "generated",
      name: "Generated site",
      operator: "Property tests",
      location: { latitude: 44.99, longitude: 4.98, elevationM: 175 },
      timezone: "Europe/Paris",
      gridConnectionMW: gridMW,
    },
    rackTypes: structuredClone(rackTypeCatalogue),
    cduModels: [{ model: "cdu-800", capacityKW: cduCapacityKW, approachK: 3.5, pumpPowerKW: 7.5, ratedFlowLpm: 1200 }],
    power: {
      gridRedundancy: "2N",
      gridFeeds: [
        { id: "feed:a", capacityMW: gridMW },
        { id: "feed:b", capacityMW: gridMW },
      ],
    },
    halls,
  };
}
