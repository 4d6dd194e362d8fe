/**
 * Grid events: what the grid asks of the site, read from a YAML or JSON file (one TypeBox schema): curtailment
 * requests (reduce by MW or by a fraction of the site's IT power, at a time, for a duration, with a notice), the
 * day-ahead price series (€/MWh) and stress levels in the style of RTE's EcoWatt (green, orange, red by hour), plus
 * the grid's carbon intensity (gCO2/kWh, RTE éCO2mix style), the settings of price- and carbon-aware shifting, the
 * fleet's flexibility classes and the control's timings. Times are absolute (ISO 8601 with a date, read on the
 * site's wall clock) or offsets from the simulation start (`+2h`). Every problem names its path and line.
 */
import { type Static, Type } from "typebox";
import { Value } from "typebox/value";
import { LineCounter } from "yaml";
import { parseYamlDocument, yamlValue } from "../core/yaml.ts";
import { formatPath } from "../model/diagnostics.ts";
import { type FlexClass, flexClasses } from "../model/flexibility.ts";
import { checkSchema } from "../model/schema-check.ts";
import { failure, type Outcome, success } from "../twin/outcome.ts";
import { parseDuration, secondsPer, yearTimeOf } from "../twin/time.ts";

/** Flexibility classes (one list for the twin, queues and jobs: `src/model/flexibility.ts`). */
export { type FlexClass, flexClasses };

const Time = Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Number({ minimum: 0 })], {
  description: "ISO 8601 date-time (site wall clock unless it names an offset) or '+duration' from the start",
});
const Duration = Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Number({ exclusiveMinimum: 0 })]);

const CurtailmentSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    at: Time,
    duration: Duration,
    notice: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Number({ minimum: 0 })])),
    reduceMW: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 })),
    reduceFraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
const PriceSchema = Type.Object(
  { at: Time, eurPerMWh: Type.Number({ minimum: -10_000, maximum: 100_000 }) },
  { additionalProperties: false },
);
const StressSchema = Type.Object(
  { at: Time, level: Type.Union([Type.Literal("green"), Type.Literal("orange"), Type.Literal("red")]) },
  { additionalProperties: false },
);
const CarbonSchema = Type.Object(
  { at: Time, gCO2PerKWh: Type.Number({ minimum: 0, maximum: 2000 }) },
  { additionalProperties: false, description: "grid carbon intensity (RTE éCO2mix style), holds until the next point" },
);
const DeferralRuleSchema = Type.Object(
  {
    queue: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    priorityClass: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Hours a matching job may wait beyond its expected duration (deadline = submission + duration + slack). */
    slackH: Type.Number({ minimum: 0, maximum: 720 }),
  },
  { additionalProperties: false },
);
const ShiftingSchema = Type.Object(
  {
    /** `both`: tCO2 counted at this price, €/t, beside the energy price. */
    carbonPriceEurPerTonne: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000 })),
    /** `both`: weight of the energy price (0 leaves carbon alone at its price). */
    priceWeight: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** A job is shifted only if it saves at least this share of its cost at once. */
    minimumGain: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** Share of the site's GPUs that held jobs may plan in any one hour. */
    capacityShare: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    /** Jobs without a deadline of their own that may wait (first matching rule). */
    deferrable: Type.Optional(Type.Array(DeferralRuleSchema, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
const FleetShareSchema = Type.Object(
  {
    profile: Type.Union([Type.Literal("training"), Type.Literal("inference"), Type.Literal("office-hours")]),
    class: Type.Union(flexClasses.map((name) => Type.Literal(name))),
    share: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    /** Deferrable: hours a job may be paused and still meet its deadline (drawn per rack between the two). */
    slackH: Type.Optional(
      Type.Tuple([Type.Number({ minimum: 0, maximum: 720 }), Type.Number({ minimum: 0, maximum: 720 })]),
    ),
  },
  { additionalProperties: false },
);
const ControlSchema = Type.Object(
  {
    /** Longest time for a command to reach a rack's executor (spread evenly over racks), seconds. */
    dispatchS: Type.Optional(Type.Number({ minimum: 0, maximum: 600 })),
    /** Time for a GPU power limit or a suspend to take full effect once received, seconds. */
    settleS: Type.Optional(Type.Number({ minimum: 0.1, maximum: 600 })),
    /** Racks are released over this time after an event, to bound the rebound, seconds. */
    releaseS: Type.Optional(Type.Number({ minimum: 0, maximum: 7200 })),
    /** How often the plan is recomputed against the racks' uncapped demand, seconds. */
    controlS: Type.Optional(Type.Number({ minimum: 1, maximum: 3600 })),
    /** Lowest power cap, as a share of a rack's dynamic power (GPU minimum power limits). */
    minimumCap: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** Share of the site's overhead (PUE − 1) the plan may count on falling with IT (0: IT only). */
    overheadCredit: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
/** The grid-events file, as written. */
export const GridEventsFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    curtailments: Type.Optional(Type.Array(CurtailmentSchema, { maxItems: 1000 })),
    prices: Type.Optional(Type.Array(PriceSchema, { maxItems: 100_000 })),
    stress: Type.Optional(Type.Array(StressSchema, { maxItems: 100_000 })),
    carbon: Type.Optional(Type.Array(CarbonSchema, { maxItems: 100_000 })),
    shifting: Type.Optional(ShiftingSchema),
    fleet: Type.Optional(Type.Array(FleetShareSchema, { maxItems: 30 })),
    control: Type.Optional(ControlSchema),
  },
  { additionalProperties: false },
);
/** A grid-events file as decoded (before times are resolved). */
export type GridEventsFile = Static<typeof GridEventsFileSchema>;

/** A curtailment on the twin's clock (seconds into the typical year). */
export interface Curtailment {
  readonly id: string;
  /** When the request is issued (start − notice). */
  readonly issueS: number;
  readonly startS: number;
  readonly endS: number;
  readonly reduceMW?: number;
  readonly reduceFraction?: number;
}

/** Control timings (see the schema). */
export interface ControlSettings {
  readonly dispatchS: number;
  readonly settleS: number;
  readonly releaseS: number;
  readonly controlS: number;
  readonly minimumCap: number;
  readonly overheadCredit: number;
}

/** One share of a utilisation profile's racks in a flexibility class. */
export interface FleetShare {
  readonly profile: "training" | "inference" | "office-hours";
  readonly class: FlexClass;
  readonly share: number;
  readonly slackH: readonly [number, number];
}

/** Settings of price- and carbon-aware shifting (see the schema and `shift.ts`). */
export interface ShiftSettings {
  readonly carbonPriceEurPerTonne: number;
  readonly priceWeight: number;
  readonly minimumGain: number;
  readonly capacityShare: number;
  readonly deferrable: readonly { readonly queue?: string; readonly priorityClass?: string; readonly slackH: number }[];
}

/**
 * Default shifting: carbon at 100 €/t (about the EU ETS allowance price of 2023–2025), the energy price at weight 1,
 * a shift only when it saves at least 1 % of the cost at once, held jobs planning at most half the site's GPUs in any
 * hour, and no job deferrable beyond what its trace says.
 */
export const defaultShifting: ShiftSettings = {
  carbonPriceEurPerTonne: 100,
  priceWeight: 1,
  minimumGain: 0.01,
  capacityShare: 0.5,
  deferrable: [],
};

/** Grid events resolved against a run's start. */
export interface GridEvents {
  readonly curtailments: readonly Curtailment[];
  /** Day-ahead prices by time (seconds into the typical year), sorted. */
  readonly prices: readonly { readonly atS: number; readonly eurPerMWh: number }[];
  readonly stress: readonly { readonly atS: number; readonly level: "green" | "orange" | "red" }[];
  /** Grid carbon intensity by time (gCO2/kWh), sorted; empty when the file has none. */
  readonly carbon: readonly { readonly atS: number; readonly gCO2PerKWh: number }[];
  readonly shifting: ShiftSettings;
  readonly fleet: readonly FleetShare[];
  readonly control: ControlSettings;
}

/**
 * Default fleet: health-zone work (diagnostics) and half the GPU inference (latency SLOs) protected, racks without
 * GPUs (CPU, storage, network) always protected; training is half flexible (capped),
 * 40 % deferrable (checkpointed jobs with 4–24 h of slack), 10 % preemptible; the other half of inference is batch
 * work that may be capped. A site states its own mix in the file's `fleet`.
 */
export const defaultFleet: readonly FleetShare[] = [
  { profile: "training", class: "flexible", share: 0.5, slackH: [0, 0] },
  { profile: "training", class: "deferrable", share: 0.4, slackH: [4, 24] },
  { profile: "training", class: "preemptible", share: 0.1, slackH: [0, 0] },
  { profile: "inference", class: "protected", share: 0.5, slackH: [0, 0] },
  { profile: "inference", class: "flexible", share: 0.5, slackH: [0, 0] },
  { profile: "office-hours", class: "protected", share: 1, slackH: [0, 0] },
];

/**
 * Default control timings: commands reach every rack within 10 s (fan-out through the executors), a GPU power
 * limit (`nvidia-smi -pl`, enforced by the board's power controller in well under a second) or a suspend shows
 * in the rack's draw within 2 s; releases are spread over 15 min; the plan is revised every 10 s.
 */
export const defaultControl: ControlSettings = {
  dispatchS: 10,
  settleS: 2,
  releaseS: 900,
  controlS: 10,
  minimumCap: 0.3,
  overheadCredit: 0,
};

/** Where a run starts, to resolve times: seconds into the typical year, and the site's time zone. */
export interface RunClock {
  readonly startS: number;
  readonly durationS: number;
  readonly timeZone: string;
}

/** Seconds into the typical year for a time field, or an error naming it. */
export function resolveTime(value: string | number, clock: RunClock, where: string): Outcome<number> {
  if (typeof value === "number") return success(clock.startS + value);
  const text = value.trim();
  if (text.startsWith("+")) {
    const offset = parseDuration(text.slice(1), where);
    return offset.ok ? success(clock.startS + offset.value) : offset;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) {
    return failure(`${where}: "${text}" is neither an ISO date-time (2026-07-15T17:00) nor an offset (+2h)`);
  }
  // Date.parse rolls 30 February over to 1 March and 24:00 to the next day: a date that does not exist is named
  // here, not reported later as a request outside the run.
  const [year, month, day, hour, minute] = (/^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(text) ?? [])
    .slice(1)
    .map((part) => Number(part ?? "0"));
  const calendar = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!));
  const exists =
    calendar.getUTCMonth() === month! - 1 &&
    calendar.getUTCDate() === day &&
    calendar.getUTCHours() === hour &&
    calendar.getUTCMinutes() === minute;
  if (!exists) return failure(`${where}: "${text}" is not a valid date-time (no such day or time)`);
  const explicitZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const epochMs = explicitZone ? Date.parse(text) : wallClockEpoch(text, clock.timeZone);
  if (!Number.isFinite(epochMs)) return failure(`${where}: "${text}" is not a valid date-time`);
  return success(yearTimeOf(epochMs, clock.timeZone).yearTimeS);
}

/** The instant the wall clock of `timeZone` shows the zone-less ISO `text` (date only means midnight). */
function wallClockEpoch(text: string, timeZone: string): number {
  const asUtc = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`);
  if (!Number.isFinite(asUtc)) return Number.NaN;
  // yearTimeOf reads the zone's wall clock: shift by the zone's offset at that instant (exact outside a clock change).
  const probe = yearTimeOf(asUtc, timeZone);
  const utcYearS = (asUtc - Date.UTC(new Date(asUtc).getUTCFullYear(), 0, 1)) / 1000;
  const offsetS = probe.yearTimeS - utcYearS;
  return asUtc - offsetS * 1000;
}

/** Decodes a grid-events file (YAML or JSON text): the first problem names the file, path and line. */
export function decodeGridEvents(text: string, fileName: string): Outcome<GridEventsFile> {
  const lineCounter = new LineCounter();
  const document = parseYamlDocument(text, "gridEvents", lineCounter);
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const position = lineCounter.linePos(syntax.pos[0]);
    return failure(`${fileName}:${position.line}: ${syntax.message.split("\n")[0]}`);
  }
  const built = yamlValue(document, 100);
  if (!built.ok) return failure(`${fileName}: ${built.error}`);
  const raw: unknown = built.value;
  if (Value.Check(GridEventsFileSchema, raw)) return success(raw);
  // The words every file reader uses (`must be one of: green, orange, red`), not TypeBox's ("must be equal to constant").
  const first = checkSchema(GridEventsFileSchema, raw, { nullIsAbsent: false }).problems[0];
  const segments = first?.path ?? [];
  let node: unknown;
  for (let depth = segments.length; depth > 0 && node === undefined; depth--) {
    node = document.getIn(segments.slice(0, depth), true);
  }
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  const line = range === undefined ? "" : `:${lineCounter.linePos(range[0]).line}`;
  return failure(
    `${fileName}${line}: ${segments.length === 0 ? "(top level)" : formatPath(segments)}: ${first?.message ?? "not a grid-events file"}`,
  );
}

/** Resolves a decoded file against a run: times on the twin's clock, defaults filled, every request checked. */
export function resolveGridEvents(file: GridEventsFile, clock: RunClock, fileName: string): Outcome<GridEvents> {
  const endOfRun = clock.startS + clock.durationS;
  const curtailments: Curtailment[] = [];
  for (const [index, item] of (file.curtailments ?? []).entries()) {
    const where = `${fileName}: curtailments[${index}]`;
    if ((item.reduceMW === undefined) === (item.reduceFraction === undefined)) {
      return failure(`${where}: give exactly one of reduceMW and reduceFraction`);
    }
    const startS = resolveTime(item.at, clock, `${where}.at`);
    if (!startS.ok) return startS;
    const durationS = parseDuration(item.duration, `${where}.duration`);
    if (!durationS.ok) return durationS;
    if (durationS.value <= 0) return failure(`${where}.duration: must be above 0`);
    const noticeS = parseDuration(item.notice ?? 0, `${where}.notice`);
    if (!noticeS.ok) return noticeS;
    const issueS = startS.value - noticeS.value;
    if (issueS < clock.startS || startS.value + durationS.value > endOfRun) {
      return failure(
        `${where}: the request (issued ${formatClock(issueS)}, ends ${formatClock(startS.value + durationS.value)}) is not within the run (${formatClock(clock.startS)} to ${formatClock(endOfRun)}); use --from and --duration to cover it`,
      );
    }
    const previous = curtailments.at(-1);
    if (previous !== undefined && issueS < previous.endS) {
      return failure(`${where}: overlaps curtailments[${index - 1}] (one request at a time, in time order)`);
    }
    curtailments.push({
      id: item.id ?? `curtailment-${index + 1}`,
      issueS,
      startS: startS.value,
      endS: startS.value + durationS.value,
      ...(item.reduceMW === undefined ? {} : { reduceMW: item.reduceMW }),
      ...(item.reduceFraction === undefined ? {} : { reduceFraction: item.reduceFraction }),
    });
  }
  const prices: { atS: number; eurPerMWh: number }[] = [];
  for (const [index, item] of (file.prices ?? []).entries()) {
    const atS = resolveTime(item.at, clock, `${fileName}: prices[${index}].at`);
    if (!atS.ok) return atS;
    prices.push({ atS: atS.value, eurPerMWh: item.eurPerMWh });
  }
  const stress: { atS: number; level: "green" | "orange" | "red" }[] = [];
  for (const [index, item] of (file.stress ?? []).entries()) {
    const atS = resolveTime(item.at, clock, `${fileName}: stress[${index}].at`);
    if (!atS.ok) return atS;
    stress.push({ atS: atS.value, level: item.level });
  }
  const carbon: { atS: number; gCO2PerKWh: number }[] = [];
  for (const [index, item] of (file.carbon ?? []).entries()) {
    const atS = resolveTime(item.at, clock, `${fileName}: carbon[${index}].at`);
    if (!atS.ok) return atS;
    carbon.push({ atS: atS.value, gCO2PerKWh: item.gCO2PerKWh });
  }
  prices.sort((a, b) => a.atS - b.atS);
  stress.sort((a, b) => a.atS - b.atS);
  carbon.sort((a, b) => a.atS - b.atS);
  const shifting = { ...defaultShifting, ...file.shifting };
  const fleet = file.fleet?.map((item) => ({ ...item, slackH: item.slackH ?? ([0, 0] as const) })) ?? defaultFleet;
  for (const profile of ["training", "inference", "office-hours"] as const) {
    const total = fleet.filter((item) => item.profile === profile).reduce((sum, item) => sum + item.share, 0);
    if (total > 1 + 1e-9) return failure(`${fileName}: fleet: the shares of ${profile} add up to ${total}, above 1`);
  }
  for (const [index, item] of fleet.entries()) {
    if (item.slackH[1] < item.slackH[0])
      return failure(`${fileName}: fleet[${index}].slackH: [low, high] with low ≤ high`);
  }
  return success({
    curtailments,
    prices,
    stress,
    carbon,
    shifting,
    fleet,
    control: { ...defaultControl, ...file.control },
  });
}

/** A time on the twin's clock as `day 196 17:00`. */
export function formatClock(yearS: number): string {
  const day = Math.floor(yearS / secondsPer.d);
  const rest = yearS - day * secondsPer.d;
  const hours = Math.floor(rest / secondsPer.h);
  const minutes = Math.floor((rest - hours * secondsPer.h) / 60);
  return `day ${day + 1} ${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}

/** Parses and resolves a grid-events file's text in one go. */
export function parseGridEvents(text: string, fileName: string, clock: RunClock): Outcome<GridEvents> {
  const decoded = decodeGridEvents(text, fileName);
  return decoded.ok ? resolveGridEvents(decoded.value, clock, fileName) : decoded;
}

/** Parses `--from`: a date or date-time on the site's wall clock, as seconds into the typical year. */
export function parseFrom(text: string, timeZone: string): Outcome<number> {
  return resolveTime(text, { startS: 0, durationS: 0, timeZone }, "--from");
}
