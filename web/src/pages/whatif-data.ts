/** What-if results as tables and files: the KPI rows compared, and the series as CSV. */
import type { WhatIfKpis, WhatIfResult } from "../api/types.ts";

/** KPI rows: label, unit, digits, and whether higher is worse. */
export const kpiRows: readonly {
  key: keyof WhatIfKpis;
  label: string;
  unit: string;
  digits: number;
  higherIsWorse: boolean;
}[] = [
  { key: "pue", label: "PUE", unit: "", digits: 3, higherIsWorse: true },
  { key: "itMWh", label: "IT energy", unit: "MWh", digits: 0, higherIsWorse: false },
  { key: "facilityMWh", label: "Facility energy", unit: "MWh", digits: 0, higherIsWorse: true },
  { key: "peakGridMW", label: "Peak grid demand", unit: "MW", digits: 1, higherIsWorse: true },
  { key: "chillerHours", label: "Chiller hours", unit: "h", digits: 1, higherIsWorse: true },
  { key: "hoursAboveLimit", label: "Hours above the coolant limit", unit: "h", digits: 1, higherIsWorse: true },
  { key: "throttledGpuHours", label: "Throttled GPU-hours", unit: "GPU·h", digits: 0, higherIsWorse: true },
  { key: "waterM3", label: "Water", unit: "m³", digits: 1, higherIsWorse: true },
  { key: "wue", label: "WUE", unit: "L/kWh", digits: 3, higherIsWorse: true },
];

/** The series of a result as CSV text. */
export function whatIfCsv(result: WhatIfResult): string {
  const lines = [
    "time,baseline_pue,scenario_pue,baseline_fws_supply_c,scenario_fws_supply_c,baseline_facility_kw,scenario_facility_kw",
  ];
  const { time, baseline, variant } = result.series;
  for (let index = 0; index < time.length; index++) {
    lines.push(
      [
        new Date(time[index]!).toISOString(),
        baseline.pue[index],
        variant.pue[index],
        baseline.fwsSupplyC[index],
        variant.fwsSupplyC[index],
        baseline.facilityKW[index],
        variant.facilityKW[index],
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}
