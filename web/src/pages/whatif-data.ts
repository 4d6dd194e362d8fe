/**
 * What-if forms, tables and files: the request built from the form's text, the API field that an input shows the
 * error of, the KPI rows compared, and the series and KPIs as CSV.
 */
import type { Scenario, WhatIfKpis, WhatIfRequest, WhatIfResult, waterClasses } from "../api/types.ts";
import { type AsTyped, numberAsTyped } from "../components/form-errors.tsx";

/** The form as typed (text inputs stay text until sent). */
export interface WhatIfForm {
  scenario: Scenario | "";
  days: string;
  startDay: string;
  heatWave: boolean;
  peakC: string;
  waveDays: string;
  nightMinimumC: string;
  waveStartDay: string;
  heatWaveInBaseline: boolean;
  fail: string;
  waterClass: (typeof waterClasses)[number] | "";
  ratingType: string;
  ratingC: string;
  moreHall: string;
  morePattern: string;
  moreRows: string;
  /** Minutes, `off`, or empty for the site's own response. */
  operatorResponse: string;
}

/** An empty form: a 4-day canicule ready to switch on, nothing else. */
export const emptyWhatIfForm: WhatIfForm = {
  scenario: "",
  days: "7",
  startDay: "",
  heatWave: false,
  peakC: "40",
  waveDays: "4",
  nightMinimumC: "24",
  waveStartDay: "",
  heatWaveInBaseline: false,
  fail: "",
  waterClass: "",
  ratingType: "",
  ratingC: "",
  moreHall: "",
  morePattern: "",
  moreRows: "",
  operatorResponse: "",
};

// Text that is not a number is sent as it is, so the server's answer names the field rather than the form guessing;
// an empty input is left out (the server names a required one as missing).
const optional = <Key extends string>(key: Key, text: string): { [K in Key]?: number | string } => {
  const value = numberAsTyped(text);
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: number | string };
};

/** The form's operator response (minutes, or `off`) as the request's seconds; other text as typed, for the server to name. */
function operatorResponseOf(text: string): { operatorResponseS?: number | string } {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  if (trimmed.toLowerCase() === "off") return { operatorResponseS: "off" };
  const minutes = numberAsTyped(trimmed);
  return { operatorResponseS: typeof minutes === "number" ? minutes * 60 : trimmed };
}

/** The request the form asks for. */
export function whatIfRequestOf(form: WhatIfForm): AsTyped<WhatIfRequest> {
  const fail = form.fail
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter((id) => id !== "");
  return {
    ...(form.scenario === "" ? {} : { scenario: form.scenario }),
    ...optional("days", form.days),
    ...optional("startDay", form.startDay),
    ...(form.heatWave
      ? {
          heatWave: {
            ...optional("peakC", form.peakC),
            ...optional("days", form.waveDays),
            ...optional("nightMinimumC", form.nightMinimumC),
            ...optional("startDay", form.waveStartDay),
          } as AsTyped<NonNullable<WhatIfRequest["heatWave"]>>,
          heatWaveInBaseline: form.heatWaveInBaseline,
        }
      : {}),
    ...(fail.length === 0 ? {} : { fail }),
    ...(form.waterClass === "" ? {} : { waterClass: form.waterClass }),
    ...(form.ratingC.trim() === ""
      ? {}
      : {
          rackRatings: [
            {
              ...(form.ratingType.trim() === "" ? {} : { rackType: form.ratingType.trim() }),
              // Not empty here (checked above): a number, or the text as typed.
              maxCoolantSupplyC: numberAsTyped(form.ratingC) ?? form.ratingC,
            },
          ],
        }),
    ...(form.moreHall.trim() === "" && form.morePattern.trim() === "" && form.moreRows.trim() === ""
      ? {}
      : {
          moreRacks: {
            hall: form.moreHall.trim(),
            pattern: form.morePattern.trim(),
            ...optional("rows", form.moreRows),
          } as AsTyped<NonNullable<WhatIfRequest["moreRacks"]>>,
        }),
    ...(operatorResponseOf(form.operatorResponse) as Pick<AsTyped<WhatIfRequest>, "operatorResponseS">),
  };
}

/** The input (its id) that shows an API error at `path` (`body.heatWave.peakC` → `whatif-peak`). */
export function whatIfInputOf(path: string): string | undefined {
  const field = path.replace(/^body\.?/, "");
  const inputs: [RegExp, string][] = [
    [/^days$/, "whatif-days"],
    [/^startDay$/, "whatif-start-day"],
    [/^heatWave\.peakC/, "whatif-peak"],
    [/^heatWave\.days/, "whatif-wave-days"],
    [/^heatWave\.nightMinimumC/, "whatif-night"],
    [/^heatWave\.startDay/, "whatif-wave-start"],
    [/^heatWave/, "whatif-peak"],
    [/^heatWaveInBaseline/, "whatif-wave-baseline"],
    [/^fail/, "whatif-fail"],
    [/^waterClass/, "whatif-water"],
    [/^rackRatings\[\d+\]\.rackType/, "whatif-rating-type"],
    [/^rackRatings/, "whatif-rating"],
    [/^moreRacks\.hall/, "whatif-more-hall"],
    [/^moreRacks\.pattern/, "whatif-more-pattern"],
    [/^moreRacks/, "whatif-more-rows"],
    [/^operatorResponseS/, "whatif-operator"],
    [/^scenario/, "whatif-scenario"],
  ];
  return inputs.find(([pattern]) => pattern.test(field))?.[1];
}

/** KPI rows: label, unit, digits, and whether higher is worse. */
export const kpiRows: readonly {
  key: keyof WhatIfKpis;
  label: string;
  unit: string;
  digits: number;
  higherIsWorse: boolean;
}[] = [
  { key: "maxOutdoorC", label: "Hottest hour outdoors", unit: "°C", digits: 1, higherIsWorse: false },
  { key: "pue", label: "PUE", unit: "", digits: 3, higherIsWorse: true },
  { key: "itMWh", label: "IT energy", unit: "MWh", digits: 0, higherIsWorse: false },
  { key: "facilityMWh", label: "Facility energy", unit: "MWh", digits: 0, higherIsWorse: true },
  { key: "peakGridMW", label: "Peak grid demand", unit: "MW", digits: 1, higherIsWorse: true },
  { key: "chillerHours", label: "Chiller hours", unit: "h", digits: 1, higherIsWorse: true },
  {
    key: "hoursAboveLimit",
    label: "Hours outside a limit (loop supply, CDU flow, water class)",
    unit: "h",
    digits: 1,
    higherIsWorse: true,
  },
  { key: "throttledRackHours", label: "Throttled rack-hours (every type)", unit: "h", digits: 0, higherIsWorse: true },
  { key: "trippedRackHours", label: "Tripped rack-hours (every type)", unit: "h", digits: 0, higherIsWorse: true },
  {
    key: "latchedRackHours",
    label: "of which latched off after repeated trips",
    unit: "h",
    digits: 0,
    higherIsWorse: true,
  },
  {
    key: "throttledGpuHours",
    label: "GPU-hours lost to throttling and trips",
    unit: "GPU·h",
    digits: 0,
    higherIsWorse: true,
  },
  {
    key: "lostBusyRackHours",
    label: "Busy rack-hours lost to throttling and trips (every type)",
    unit: "h",
    digits: 0,
    higherIsWorse: true,
  },
  {
    key: "lostCpuCoreHours",
    label: "CPU core-hours lost to throttling and trips",
    unit: "core·h",
    digits: 0,
    higherIsWorse: true,
  },
  { key: "maxFwsSupplyC", label: "Highest facility water supply", unit: "°C", digits: 1, higherIsWorse: false },
  { key: "maxTcsSupplyC", label: "Highest loop supply", unit: "°C", digits: 1, higherIsWorse: true },
  { key: "waterM3", label: "Water", unit: "m³", digits: 1, higherIsWorse: true },
  { key: "wue", label: "WUE", unit: "L/kWh", digits: 3, higherIsWorse: true },
];

const csvField = (value: string | number) => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The series of a result as CSV text, preceded by what ran as comment lines. */
export function whatIfCsv(result: WhatIfResult): string {
  const lines = [
    `# ${result.description}`,
    "time,baseline_outdoor_c,scenario_outdoor_c,baseline_pue,scenario_pue,baseline_fws_supply_c,scenario_fws_supply_c,baseline_facility_kw,scenario_facility_kw",
  ];
  const { time, baseline, variant } = result.series;
  for (let index = 0; index < time.length; index++) {
    lines.push(
      [
        new Date(time[index]!).toISOString(),
        baseline.outdoorC[index],
        variant.outdoorC[index],
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

/** The KPIs and the throttling by rack type as CSV text. */
export function whatIfKpiCsv(result: WhatIfResult): string {
  const lines = [`# ${result.description}`, "figure,unit,baseline,scenario"];
  for (const row of kpiRows) {
    lines.push([csvField(row.label), csvField(row.unit), result.baseline[row.key], result.variant[row.key]].join(","));
  }
  for (const line of result.throttling) {
    lines.push(
      [csvField(`Throttled rack-hours: ${line.rackType}`), "h", line.baselineRackHours, line.variantRackHours].join(
        ",",
      ),
      [
        csvField(`Tripped rack-hours: ${line.rackType}`),
        "h",
        line.baselineTrippedRackHours,
        line.variantTrippedRackHours,
      ].join(","),
      [
        csvField(`Latched rack-hours (of the tripped): ${line.rackType}`),
        "h",
        line.baselineLatchedRackHours,
        line.variantLatchedRackHours,
      ].join(","),
      [
        csvField(`Busy rack-hours lost: ${line.rackType}`),
        "h",
        line.baselineLostBusyRackHours,
        line.variantLostBusyRackHours,
      ].join(","),
    );
  }
  for (const line of result.trippedByHall) {
    lines.push(
      [csvField(`Tripped rack-hours: ${line.hall}`), "h", line.baselineRackHours, line.variantRackHours].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}
