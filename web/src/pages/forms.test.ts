import { describe, expect, test } from "vitest";
import { formatPowerKW } from "../format.ts";
import { formFieldOf } from "./job-form.ts";
import { whatIfCsv } from "./whatif-data.ts";

describe("page helpers", () => {
  test("API field paths find their form inputs", () => {
    expect(formFieldOf("body.gpus")).toBe("gpus");
    expect(formFieldOf("gpus")).toBe("gpus");
    expect(formFieldOf("body.topology")).toBe("topology");
    expect(formFieldOf("body")).toBeUndefined();
    expect(formFieldOf("body.unknown")).toBeUndefined();
  });

  test("what-if series export as CSV, one line per time", () => {
    const side = { pue: [1.1, 1.2], fwsSupplyC: [30, 31], facilityKW: [1000, 1100] };
    const csv = whatIfCsv({
      scenario: "heatwave",
      days: 1,
      description: "a heat wave over one day",
      baseline: {
        pue: 1,
        itMWh: 1,
        facilityMWh: 1,
        chillerHours: 0,
        peakGridMW: 1,
        hoursAboveLimit: 0,
        throttledGpuHours: 0,
        waterM3: 0,
        wue: 0,
        maxFwsSupplyC: 30,
        maxTcsSupplyC: 40,
      },
      variant: {
        pue: 1,
        itMWh: 1,
        facilityMWh: 1,
        chillerHours: 0,
        peakGridMW: 1,
        hoursAboveLimit: 0,
        throttledGpuHours: 0,
        waterM3: 0,
        wue: 0,
        maxFwsSupplyC: 30,
        maxTcsSupplyC: 40,
      },
      series: { time: [0, 3_600_000], baseline: side, variant: side },
    });
    const lines = csv.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe("1970-01-01T00:00:00.000Z,1.1,1.1,30,30,1000,1000");
  });

  test("power keeps three significant figures with its prefix", () => {
    expect(formatPowerKW(42.123)).toBe("42.1 kW");
    expect(formatPowerKW(12_400)).toBe("12.4 MW");
    expect(formatPowerKW(1_020_000)).toBe("1.02 GW");
  });
});
