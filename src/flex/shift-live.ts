/**
 * Shifting on the live platform (`alixan serve --grid-signals FILE --shift price|carbon|both`): the same hold as in
 * the twin (`ShiftCheck`, same policy and deadline rule) over the file's series, on the live scheduler's clock
 * (seconds since its epoch, real time: the live speed must be 1). Hours the file does not cover are unknown: a job
 * whose run now would touch one starts at once, and no job is planned into one. Carbon falls back on the twin's
 * default intensity where the file has none. The waiting reason names the planned start as an ISO date-time.
 * The file is read once at start; a new file needs a restart (a new generation plans jobs it still holds again, from
 * then, within the same deadline).
 */
import type { AdmissionCheck } from "../scheduler/checks.ts";
import type { Inventory } from "../scheduler/inventory.ts";
import { failure, type Outcome, success } from "../twin/outcome.ts";
import { defaultGridIntensity } from "../twin/results.ts";
import { yearTimeOf } from "../twin/time.ts";
import { decodeGridEvents, type GridEvents, type GridEventsFile, resolveGridEvents } from "./events.ts";
import { CostCurve, costSeries, hourlyFromPoints, hourS, ShiftLedger, type ShiftObjective } from "./shift.ts";
import { ShiftCheck } from "./shift-check.ts";

/** How far ahead a file is read (its times resolve within this span from the live epoch). */
const horizonS = 366 * 86_400;

/** Builds the live shift check of a generation from its inventory, its scheduler's epoch and the site's time zone. */
export type LiveShiftFactory = (inventory: Inventory, epochMs: number, timeZone: string) => AdmissionCheck;

/** A factory of live shift checks from a grid-signals file's text, or the file's first problem. */
export function liveShift(text: string, fileName: string, objective: ShiftObjective): Outcome<LiveShiftFactory> {
  const decoded = decodeGridEvents(text, fileName);
  if (!decoded.ok) return decoded;
  // Curtailments are the live controller's business, not the shift's (and may lie in the past).
  const file: GridEventsFile = { ...decoded.value, curtailments: [] };
  const resolve = (startS: number, timeZone: string) =>
    resolveGridEvents(file, { startS, durationS: horizonS, timeZone }, fileName);
  // Resolved once at start, so a bad time stops `serve` rather than the first generation.
  const checked = resolve(0, "UTC");
  if (!checked.ok) return checked;
  if (objective !== "carbon" && checked.value.prices.length === 0) {
    return failure(`${fileName}: prices: --shift ${objective} needs a price series`);
  }
  return success((inventory, epochMs, timeZone) => {
    const startS = yearTimeOf(epochMs, timeZone).yearTimeS;
    const events = resolve(startS, timeZone);
    // Every time resolved above; with no curtailment nothing else can fail.
    if (!events.ok) throw new Error(events.error);
    return liveCheck(events.value, objective, startS, epochMs, inventory.gpuCount);
  });
}

/** The check over `events` resolved at year time `startS` (the scheduler's time 0, at `epochMs`). */
function liveCheck(
  events: GridEvents,
  objective: ShiftObjective,
  startS: number,
  epochMs: number,
  gpuCount: number,
): ShiftCheck {
  const lastS = Math.max(0, ...events.prices.map((item) => item.atS), ...events.carbon.map((item) => item.atS));
  const firstHour = Math.floor(startS / hourS);
  const originS = firstHour * hourS - startS;
  const hours = Math.max(1, Math.ceil((lastS + 86_400 - startS - originS) / hourS));
  const toLive = <Item extends { atS: number }>(items: readonly Item[], value: (item: Item) => number) =>
    items.map((item) => ({ atS: item.atS - startS, value: value(item) }));
  const price = hourlyFromPoints(
    toLive(events.prices, (item) => item.eurPerMWh),
    originS,
    hours,
  );
  const carbon = hourlyFromPoints(
    toLive(events.carbon, (item) => item.gCO2PerKWh),
    originS,
    hours,
  );
  for (let hour = 0; hour < hours; hour++) {
    if (!Number.isFinite(carbon.values[hour]!)) carbon.values[hour] = defaultGridIntensity;
  }
  const cost = costSeries(objective, price, carbon, events.shifting);
  const curve = new CostCurve(cost, objective === "carbon" ? "gCO2/kWh" : "€/MWh");
  const what = { price: "energy price", carbon: "carbon intensity", both: "price and carbon cost" }[objective];
  return new ShiftCheck(curve, {
    what,
    minimumGain: events.shifting.minimumGain,
    ledger: new ShiftLedger(cost, gpuCount * events.shifting.capacityShare),
    describeTime: (timeS) => new Date(epochMs + timeS * 1000).toISOString().slice(0, 16).concat("Z"),
  });
}
