import { describe, expect, test } from "vitest";
import { formatTick, formatTime, setDisplayTimeZone } from "../format.ts";
import { rankLoops } from "../pages/loops.ts";
import { timeRange, valueRange } from "./chart-scales.ts";

describe("honest encodings", () => {
  test("loops rank by share of capacity in use, not kW, with ties on one line", () => {
    const cpu = Array.from({ length: 8 }, (_, index) => ({
      id: `tcs:h8-r${index}`,
      heatKW: 150,
      capacityKW: 1200,
      headroomKW: 1050,
    }));
    const nvl = { id: "tcs:h1-r001", heatKW: 96, capacityKW: 150, headroomKW: 54 };
    const ranked = rankLoops([...cpu, nvl], 8);
    expect(ranked[0]).toEqual({ use: 0.64, loops: [nvl] });
    expect(ranked[1]?.use).toBe(0.13);
    expect(ranked[1]?.loops).toHaveLength(8);
    expect(ranked).toHaveLength(2);
  });

  test("additive quantities start at zero; PUE gets a minimum span; one point has a short time axis", () => {
    expect(valueRange(310, 320, { fromZero: true })[0]).toBe(0);
    const [low, high] = valueRange(1.0502, 1.0506, { minSpan: 0.1 });
    expect(high - low).toBeCloseTo(0.1, 9);
    expect(low).toBeLessThan(1.0502);
    expect(high).toBeGreaterThan(1.0506);
    const at = Date.parse("2026-12-04T18:00:00Z") / 1000;
    expect(timeRange(at, at)).toEqual([at - 600, at]);
    expect(timeRange(at - 7200, at)).toEqual([at - 7200, at]);
  });

  test("one date format, in the site's zone, named", () => {
    setDisplayTimeZone("Europe/Paris");
    expect(formatTime("2026-12-04T18:05:03Z")).toBe("2026-12-04 19:05:03 CET");
    expect(formatTime(Date.parse("2026-07-04T18:05:03Z"))).toBe("2026-07-04 20:05:03 CEST");
    expect(formatTick(Date.parse("2026-12-04T18:05:00Z"), 3_600_000)).toBe("19:05");
    expect(formatTick(Date.parse("2026-12-04T18:05:00Z"), 3 * 86_400_000)).toBe("12-04 19:05");
    setDisplayTimeZone("Not/AZone");
    expect(formatTime("2026-12-04T18:05:03Z")).toMatch(/^2026-12-0[45] \d\d:05:03 \S+$/);
    setDisplayTimeZone(undefined);
  });
});
