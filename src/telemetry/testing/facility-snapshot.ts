/**
 * Test support: a calm facility state of a site for the facility watch's tests, which then break what they test
 * (a CDU failed, a loop's supply raised, racks throttled) in its arrays.
 */
import type { Site } from "../../model/site.ts";
import type { FacilitySnapshot } from "../alarms/facility.ts";

/** A facility state whose loops, failures and rack arrays a test may change in place. */
export type CalmSnapshot = FacilitySnapshot & {
  tcs: { id: string; heatKW: number; capacityKW: number; headroomKW: number; supplyC: number; failedCdus: string[] }[];
  racks: { powerKW: Float32Array; tcsReturnC: Float32Array; throttle: Float32Array };
};

/** `site` calm at `time`: every loop at 40 % of capacity, supply 30 °C, no unit failed, nothing throttled. */
export function calmSnapshot(site: Site, time: number): CalmSnapshot {
  return {
    time,
    plants: site.plants.map((plant) => ({ id: plant.id, failedUnits: [] })),
    tcs: site.rows.map((row) => ({
      id: row.tcs.id,
      heatKW: 400,
      capacityKW: 1000,
      headroomKW: 600,
      supplyC: 30,
      failedCdus: [],
    })),
    racks: {
      powerKW: new Float32Array(site.racks.length).fill(20),
      tcsReturnC: new Float32Array(site.racks.length).fill(38),
      throttle: new Float32Array(site.racks.length).fill(1),
    },
  };
}
