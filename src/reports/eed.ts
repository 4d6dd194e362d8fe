/**
 * The EU Energy Efficiency Directive data-centre report (Directive (EU) 2023/1791 Art. 12; Delegated Regulation
 * (EU) 2024/1364, Annexes I–III) for one calendar year: site information, the key performance indicators, and the
 * sustainability indicators PUE, WUE, ERF and REF. A field that is not known is listed as missing with the reason,
 * never invented; an indicator whose inputs are missing is missing too.
 */
import { type Static, Type } from "typebox";
import { closedObject } from "../model/schema-check.ts";
import type { Site } from "../model/site.ts";

/** Where a value comes from. */
export type Provenance = "measured" | "simulated" | "declared" | "site model";

/** One reported field: a value with its unit and provenance, or missing with the reason. */
export type Field =
  | {
      readonly status: "reported";
      readonly value: number | string;
      readonly unit: string;
      readonly source: Provenance;
      readonly note?: string;
    }
  | { readonly status: "missing"; readonly unit: string; readonly why: string };

/** Energy and water figures of the year, each optional: what the source could not give stays undefined. */
export interface YearFigures {
  readonly source: Provenance;
  /** Total data-centre energy E_DC, kWh. */
  readonly totalEnergyKWh?: number;
  /** IT energy E_IT, kWh. */
  readonly itEnergyKWh?: number;
  /** Water input W_IN, m³. */
  readonly waterInputM3?: number;
  /** Hours covered by the figures (a full year is 8,760 or 8,784). */
  readonly hoursCovered?: number;
  /** Waste heat reused (E_REUSE) and its mean temperature, when the source models or meters it. */
  readonly wasteHeatReusedKWh?: number;
  readonly wasteHeatMeanTemperatureC?: number;
  /** Monthly E_DC and E_IT for the charts, kWh. */
  readonly monthly?: readonly { readonly month: number; readonly totalKWh: number; readonly itKWh: number }[];
}

/** What only the operator can declare (contracts, meters outside the model). Undefined means not declared. */
export const OperatorDeclarationsSchema = closedObject({
  dataCentreType: Type.Optional(Type.String({ pattern: "\\S" })),
  backupGeneratorEnergyKWh: Type.Optional(Type.Number({ minimum: 0 })),
  potableWaterM3: Type.Optional(Type.Number({ minimum: 0 })),
  wasteHeatReusedKWh: Type.Optional(Type.Number({ minimum: 0 })),
  wasteHeatMeanTemperatureC: Type.Optional(Type.Number({ minimum: -50, maximum: 200 })),
  itIntakeAirSetpointC: Type.Optional(Type.Number({ minimum: 5, maximum: 50 })),
  renewableGuaranteesOfOriginKWh: Type.Optional(Type.Number({ minimum: 0 })),
  renewablePpaKWh: Type.Optional(Type.Number({ minimum: 0 })),
  renewableOnSiteKWh: Type.Optional(Type.Number({ minimum: 0 })),
});
/** What the operator declares (see `OperatorDeclarationsSchema`). */
export type OperatorDeclarations = Readonly<Static<typeof OperatorDeclarationsSchema>>;

/** The report. Field names follow the Delegated Regulation's Annexes. */
export interface EedReport {
  readonly year: number;
  readonly siteId: string;
  readonly generatedAt: string;
  readonly source: Provenance;
  readonly annexI: Readonly<Record<string, Field>>;
  readonly annexII: Readonly<Record<string, Field>>;
  readonly annexIII: Readonly<Record<string, Field>>;
  readonly monthly: YearFigures["monthly"];
}

const reported = (value: number | string, unit: string, source: Provenance, note?: string): Field => ({
  status: "reported",
  value,
  unit,
  source,
  ...(note === undefined ? {} : { note }),
});
const missing = (unit: string, why: string): Field => ({ status: "missing", unit, why });

function optionalNumber(value: number | undefined, unit: string, source: Provenance, why: string): Field {
  return value === undefined || !Number.isFinite(value) ? missing(unit, why) : reported(value, unit, source);
}

function numberIn(field: Field | undefined): number | undefined {
  return field?.status === "reported" && typeof field.value === "number" ? field.value : undefined;
}

function ratio(numerator: Field, denominator: Field, unit: string, name: string, scale = 1): Field {
  const top = numberIn(numerator);
  const bottom = numberIn(denominator);
  if (top === undefined || bottom === undefined) {
    const absent = [top === undefined ? "numerator" : undefined, bottom === undefined ? "denominator" : undefined]
      .filter(Boolean)
      .join(" and ");
    return missing(unit, `${name}: ${absent} missing`);
  }
  if (bottom === 0) return missing(unit, `${name}: denominator is zero`);
  const source: Provenance =
    numerator.status === "reported" && denominator.status === "reported" && numerator.source === denominator.source
      ? numerator.source
      : "declared";
  return reported((top * scale) / bottom, unit, source);
}

/**
 * A heat-reuse field: the operator's declaration wins (it is the metered, contractual figure), else the source's own
 * (a twin run with the site's heat offtake), else missing.
 */
function reuseField(
  declaredValue: number | undefined,
  sourceValue: number | undefined,
  source: Provenance,
  unit: string,
  what: string,
): Field {
  if (declaredValue !== undefined) return optionalNumber(declaredValue, unit, "declared", "");
  if (sourceValue !== undefined && Number.isFinite(sourceValue)) return reported(sourceValue, unit, source);
  return missing(
    unit,
    `not declared, and the site has no heat offtake: ${what} comes from contracts or meters outside the site model`,
  );
}

/** Builds the report from the site model, the year's figures and the operator's declarations. */
export function buildEedReport(
  site: Site,
  installedItKW: number,
  year: number,
  figures: YearFigures,
  declared: OperatorDeclarations,
  generatedAt = new Date().toISOString(),
): EedReport {
  const annexII = annexIIOf(site, installedItKW, year, figures, declared);
  return {
    year,
    siteId: site.id,
    generatedAt,
    source: figures.source,
    annexI: annexIOf(site, declared),
    annexII,
    annexIII: annexIIIOf(annexII),
    monthly: figures.monthly,
  };
}

/** Why a figure only the operator can give is missing. */
function undeclared(what: string): string {
  return `not declared: ${what} comes from contracts or meters outside the site model`;
}

/** Annex I: the data centre's identity, type, start of operation, redundancy and certified zones. */
function annexIOf(site: Site, declared: OperatorDeclarations): Record<string, Field> {
  const model: Provenance = "site model";
  const zones = site.zones.map((zone) => `${zone.id} (${zone.certifications.join(", ") || "no certification"})`);
  const redundancy = [
    `grid feeds ${site.gridRedundancy}`,
    `transformers ${[...new Set(site.halls.map((hall) => hall.transformers.redundancy))].join("/")}`,
    `UPS ${[...new Set(site.halls.map((hall) => hall.ups.redundancy))].join("/")}`,
    `busways ${[...new Set(site.rows.map((row) => row.busways.redundancy))].join("/")}`,
    `CDUs ${[...new Set(site.rows.map((row) => row.tcs.redundancy))].join("/")}`,
  ].join("; ");
  return {
    name: reported(site.name, "", model),
    operator: reported(site.operator, "", model),
    location: reported(
      `${site.location.latitude.toFixed(4)}, ${site.location.longitude.toFixed(4)} (${site.timezone})`,
      "",
      model,
    ),
    dataCentreType:
      declared.dataCentreType === undefined
        ? reported(
            "colocation and cloud (multi-tenant AI)",
            "",
            "declared",
            "default for the Alixan platform; override in the declarations",
          )
        : reported(declared.dataCentreType, "", "declared"),
    startOfOperation:
      site.startOfOperation === undefined
        ? missing("", "the site file has no startOfOperation")
        : reported(site.startOfOperation, "", model),
    redundancyLevels: reported(redundancy, "", model),
    certifiedZones: reported(zones.join("; ") || "none", "", model),
  };
}

/** Annex II's fields, with the ones Annex III's ratios are made of named. */
type AnnexII = Record<string, Field> & {
  readonly E_DC: Field;
  readonly E_IT: Field;
  readonly W_IN: Field;
  readonly E_REUSE: Field;
  readonly E_RES_TOT: Field;
};

/**
 * Annex II: installed IT power, floor areas, the year's energy and water (with the hours they cover when short of the
 * year), heat reuse and renewable energy.
 */
function annexIIOf(
  site: Site,
  installedItKW: number,
  year: number,
  figures: YearFigures,
  declared: OperatorDeclarations,
): AnnexII {
  const model: Provenance = "site model";
  const whiteSpace = site.halls.reduce((sum, hall) => sum + hall.whiteSpace, 0);

  const totalEnergy = optionalNumber(
    figures.totalEnergyKWh,
    "kWh",
    figures.source,
    "the source has no total energy metering for the year",
  );
  const itEnergy = optionalNumber(
    figures.itEnergyKWh,
    "kWh",
    figures.source,
    "the source has no IT energy metering for the year",
  );
  const waterInput = optionalNumber(
    figures.waterInputM3,
    "m3",
    figures.source,
    "the source has no water metering for the year",
  );
  const renewableParts = [
    declared.renewableGuaranteesOfOriginKWh,
    declared.renewablePpaKWh,
    declared.renewableOnSiteKWh,
  ];
  const renewableTotal = renewableParts.every((part) => part === undefined)
    ? missing("kWh", undeclared("renewable energy (guarantees of origin, PPAs, on-site production)"))
    : reported(
        renewableParts.reduce<number>((sum, part) => sum + (part ?? 0), 0),
        "kWh",
        "declared",
        renewableParts.some((part) => part === undefined) ? "parts not declared are counted as zero" : undefined,
      );
  const reuse = reuseField(
    declared.wasteHeatReusedKWh,
    figures.wasteHeatReusedKWh,
    figures.source,
    "kWh",
    "waste heat delivered for reuse",
  );

  const annexII: AnnexII = {
    PD_IT: installedItKW > 0 ? reported(installedItKW, "kW", model) : missing("kW", "the site model has no racks"),
    S_DC:
      site.buildingArea === undefined
        ? missing("m2", "the site file has no buildingAreaM2")
        : reported(site.buildingArea, "m2", model),
    S_CR: whiteSpace > 0 ? reported(whiteSpace, "m2", model) : missing("m2", "the halls declare no white space"),
    E_DC: totalEnergy,
    E_IT: itEnergy,
    E_BACKUP: optionalNumber(
      declared.backupGeneratorEnergyKWh,
      "kWh",
      "declared",
      undeclared("backup generator energy"),
    ),
    W_IN: waterInput,
    W_IN_POT: optionalNumber(
      declared.potableWaterM3,
      "m3",
      "declared",
      undeclared("the potable share of the water input"),
    ),
    E_REUSE: reuse,
    T_REUSE: reuseField(
      declared.wasteHeatMeanTemperatureC,
      figures.wasteHeatMeanTemperatureC,
      figures.source,
      "degC",
      "the mean temperature of reused heat",
    ),
    IT_INTAKE_SETPOINT: optionalNumber(
      declared.itIntakeAirSetpointC,
      "degC",
      "declared",
      undeclared("the IT intake air set-point"),
    ),
    E_RES_TOT: renewableTotal,
    E_RES_GO: optionalNumber(
      declared.renewableGuaranteesOfOriginKWh,
      "kWh",
      "declared",
      undeclared("guarantees of origin"),
    ),
    E_RES_PPA: optionalNumber(declared.renewablePpaKWh, "kWh", "declared", undeclared("power purchase agreements")),
    E_RES_OS: optionalNumber(
      declared.renewableOnSiteKWh,
      "kWh",
      "declared",
      undeclared("on-site renewable production"),
    ),
  };
  if (figures.hoursCovered !== undefined) {
    const hoursInYear = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 3_600_000;
    if (figures.hoursCovered < hoursInYear) {
      const note = `covers ${figures.hoursCovered} of ${hoursInYear} hours of ${year}`;
      for (const key of ["E_DC", "E_IT", "W_IN"]) {
        const field = annexII[key];
        if (field?.status === "reported") annexII[key] = { ...field, note };
      }
    }
  }

  return annexII;
}

/** Annex III: the indicators (PUE, WUE, ERF, REF) as ratios of Annex II's fields. */
function annexIIIOf(annexII: AnnexII): Record<string, Field> {
  const { E_DC: totalEnergy, E_IT: itEnergy, W_IN: waterInput, E_REUSE: reuse, E_RES_TOT: renewableTotal } = annexII;
  return {
    PUE: ratio(totalEnergy, itEnergy, "", "PUE = E_DC / E_IT"),
    WUE: ratio(waterInput, itEnergy, "L/kWh", "WUE = W_IN / E_IT", 1000),
    ERF: ratio(reuse, totalEnergy, "", "ERF = E_REUSE / E_DC"),
    REF: ratio(renewableTotal, totalEnergy, "", "REF = E_RES_TOT / E_DC"),
  };
}

/** One CSV row per field: annex, field, value, unit, status, source, note or reason. */
export function eedReportCsv(report: EedReport): string {
  const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = ["annex,field,value,unit,status,source,note"];
  for (const [annex, fields] of [
    ["I", report.annexI],
    ["II", report.annexII],
    ["III", report.annexIII],
  ] as const) {
    for (const [name, field] of Object.entries(fields)) {
      const cells =
        field.status === "reported"
          ? [annex, name, String(field.value), field.unit, "reported", field.source, field.note ?? ""]
          : [annex, name, "", field.unit, "missing", "", field.why];
      lines.push(cells.map(quote).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}
