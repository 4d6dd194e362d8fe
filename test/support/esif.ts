/**
 * Extracts of NREL's ESIF cooling-loop history for tests, cut at run time from `../shared/data/measured/nrel-esif/`
 * (the data carry no licence: the project reads them where they are and never copies them into the repository).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Where the shared ESIF files live (CI and development machines have `shared/` beside the checkout). */
export const esifDirectory = join(import.meta.dirname, "..", "..", "..", "shared", "data", "measured", "nrel-esif");

/** Named cuts the tests use: which month file and which rows (by their time column). */
const cuts = {
  // Two days with four-digit years and a sensor-fault row (air loop at −18.33 °C on 09/12 15:19).
  "esif-2016-09-11.csv": { month: "201609", rows: /^09\/1[12]\/2016 / },
  // Two-digit years; the repeated local hour when clocks went back; negative liquid heat and air faults on 11/8.
  "esif-2016-11-06.csv": { month: "201611", rows: /^11\/6\/16 [0-2]:|^11\/8\/16 1[3-7]:/ },
  // A later month's day to validate on.
  "esif-2016-12-05.csv": { month: "201612", rows: /^12\/5\/16 / },
} as const;

/** The name of a cut. */
export type EsifCut = keyof typeof cuts;

/** The text of a cut: the month file's header line and the rows the cut selects, unmodified. */
export function esifExtract(name: EsifCut): string {
  const cut = cuts[name];
  const lines = readFileSync(join(esifDirectory, `NREL_HPCDC_${cut.month}.csv`), "utf8").split("\n");
  const kept = [lines[0]!, ...lines.slice(1).filter((line) => cut.rows.test(line))];
  return `${kept.join("\n")}\n`;
}
