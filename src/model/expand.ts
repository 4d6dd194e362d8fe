/**
 * Expands a decoded site file into the full campus: hall templates and row patterns are merged and repeated,
 * every unit gets its generated id, and every reference (rack type, pattern, template, zone, plant, feed, CDU model)
 * is resolved or reported with its path.
 */
import { type DiagnosticSink, didYouMean } from "./diagnostics.ts";
import { type FeedId, type HallId, type Id, type IdKind, localOf, makeId, pad, type ZoneId } from "./ids.ts";
import { checkMeters } from "./meters.ts";
import { type RackRun, type RackRuns, registerRackRuns } from "./rack-runs.ts";
import {
  type CduModelSpec,
  type CrahGroupSpec,
  type GridFeedSpec,
  HallBodySchema,
  type HallBodySpec,
  type HallPowerSpec,
  type HeatOfftakeSpec,
  type NamedPlantSpec,
  type PlantSpec,
  type RackTypeSpec,
  type RangeSpec,
  type Redundancy,
  type RowEntrySpec,
  RowSchema,
  type RowSpec,
  type SiteFile,
  type UncertainParameter,
  type ZoneSpec,
} from "./schema.ts";
import { checkInto } from "./schema-check.ts";
import type { CduModel, Hall, LeakDetector, Plant, Rack, RackType, Row, Site, UnitGroup } from "./site.ts";
import {
  celsius,
  cubicMeters,
  fraction,
  kelvin,
  kilograms,
  kilovoltAmperes,
  kilowatts,
  litersPerMinute,
  megawatts,
  megawattsToKilowatts,
  realPowerOf,
  squareMeters,
} from "./units.ts";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep-merges plain mappings: fields of `override` win, nested mappings merge, lists are replaced whole. */
export function mergeLayers(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeLayers(base[key], value);
  return merged;
}

/** The fewest digits of a row's number in its hall, a rack's in its row and a unit's in its group, unless stated. */
const defaultDigits = 2;

/** What is numbered past 99, with the field that states its digits and what it names. */
const numberedThings = {
  row: { field: "rowDigits", example: "r01…r99, r100", prefix: "r", namedBy: "drains, jobs and history name racks" },
  rack: { field: "rackDigits", example: "01…99, 100", prefix: "", namedBy: "drains, jobs and history name racks" },
  unit: {
    field: "unitDigits",
    example: "-01…-99, -100",
    prefix: "-",
    namedBy: "drains, failures, alarms, telemetry, maintenance and history name units",
  },
} as const;

/**
 * Warns of a hall, row entry or group of units whose numbers pass 99 (`last`) with no digits stated. Its names are
 * stable as it grows, but alixan until session 17 (18 for groups of units) padded every number of such a hall, row or
 * group to the digits of the last (`h1-r001`, `cdu:h1-r01-001`), so a site file written then now names its first 99
 * otherwise: whatever holds the old names must be told, or the file must state the digits it had. Stating them,
 * either way, is the answer.
 */
function warnUnstatedDigits(
  sink: DiagnosticSink,
  path: string,
  what: string,
  of: keyof typeof numberedThings,
  last: number,
): void {
  const { field, example, prefix, namedBy } = numberedThings[of];
  const oldWidth = String(last).length;
  sink.warning(
    `${of}.digits`,
    `${path}.${field}`,
    `${what} numbers its ${of}s past 99 with no ${field}: ${of}s 1 to 99 keep two digits (${example}), so that no id changes as it grows, and ids sorted as text put ${of} 100 after 10; earlier versions padded them all to the digits of the last (${prefix}${pad(1, oldWidth)}…). State ${field}: ${oldWidth} to keep those names (${namedBy} by them), or ${field}: 2 to keep these`,
  );
}

/** A group of units as the site file gives it: how many, and the digits of their numbers when stated. */
interface UnitCount {
  readonly count: number;
  readonly unitDigits?: number | undefined;
}

/**
 * Numbered local names `${prefix}-01` …: two digits (or the group's `unitDigits`), and a number that needs more
 * written in full, never padding the others to it, so that no unit's id changes as its group grows past 99.
 */
function numbered(prefix: string, units: UnitCount): string[] {
  const width = units.unitDigits ?? defaultDigits;
  const names: string[] = [];
  for (let i = 1; i <= units.count; i++) names.push(`${prefix}-${pad(i, width)}`);
  return names;
}

/** Unit ids for a group: `${kind}:${prefix}-01` …. */
function unitIds<Kind extends IdKind>(kind: Kind, prefix: string, units: UnitCount): Id<Kind>[] {
  return numbered(prefix, units).map((local) => makeId(kind, local));
}

/** Warns of each group of units (by its path) numbered past 99 with no `unitDigits` (see warnUnstatedDigits). */
function warnUnitGroups(sink: DiagnosticSink, groups: readonly [path: string, units: UnitCount | undefined][]): void {
  for (const [path, units] of groups) {
    if (units !== undefined && units.unitDigits === undefined && units.count > 99) {
      warnUnstatedDigits(sink, path, `group ${path}`, "unit", units.count);
    }
  }
}

/** Busway ids: sides `a`/`b` for 2N pairs, numbered otherwise. */
function buswayIds(prefix: string, units: UnitCount, redundancy: Redundancy) {
  if (redundancy === "2N" && units.count === 2) {
    return [makeId("busway", `${prefix}-a`), makeId("busway", `${prefix}-b`)];
  }
  return unitIds("busway", prefix, units);
}

function group<Id extends string>(ids: Id[], unitCapacity: number, redundancy: Redundancy): UnitGroup<Id> {
  return { ids, unitCapacity: kilowatts(unitCapacity), redundancy };
}

/** Reports a duplicate in `seen` (keyed by id) and returns whether `id` was new. */
function claim(seen: Map<string, string>, id: string, path: string, sink: DiagnosticSink): boolean {
  const first = seen.get(id);
  if (first !== undefined) {
    sink.error("id.duplicate", path, `duplicate id ${id} (first defined at ${first})`);
    return false;
  }
  seen.set(id, path);
  return true;
}

function unknownReference(
  sink: DiagnosticSink,
  path: string,
  what: string,
  name: string,
  known: Iterable<string>,
): void {
  const candidates = [...known];
  const list = candidates.length === 0 ? "none are defined" : `known: ${candidates.slice(0, 8).join(", ")}`;
  sink.error("ref.unknown", path, `unknown ${what} "${name}"${didYouMean(name, candidates)}; ${list}`);
}

function buildRackType(spec: RackTypeSpec, index: number): RackType {
  return {
    index,
    id: spec.id,
    description: spec.description ?? spec.id,
    designPower: kilowatts(spec.designPowerKW),
    idlePower: kilowatts(spec.idlePowerKW),
    gpusPerRack: spec.gpusPerRack,
    gpuModel: spec.gpuModel,
    servers: spec.servers,
    cpuCoresPerServer: spec.cpuCoresPerServer,
    liquidCaptureFraction: fraction(spec.liquidCaptureFraction),
    nvlinkDomainSize: spec.nvlinkDomainSize,
    weight: kilograms(spec.weightKg),
    airCooling: spec.airCooling,
    rdhxCapacity: spec.rdhxCapacityKW === undefined ? undefined : kilowatts(spec.rdhxCapacityKW),
    maxCoolantSupply: celsius(spec.maxCoolantSupplyC),
  };
}

function buildPlant(spec: PlantSpec, id: Id<"plant">, index: number, path: string, sink: DiagnosticSink): Plant {
  const local = localOf(id);
  warnUnitGroups(sink, [
    [`${path}.fws.pumps`, spec.fws.pumps],
    [`${path}.dryCoolers`, spec.dryCoolers],
    [`${path}.chillers`, spec.chillers],
    [`${path}.airSide.pumps`, spec.airSide?.pumps],
    [`${path}.airSide.chillers`, spec.airSide?.chillers],
  ]);
  return {
    index,
    id,
    hallIndexes: [],
    waterClass: spec.fws.waterClass,
    supplySetpoint: celsius(spec.fws.supplySetpointC),
    designDeltaT: kelvin(spec.fws.designDeltaTK),
    waterVolume: cubicMeters(spec.fws.waterVolumeM3),
    pumps: {
      ...group(unitIds("pump", `${local}-fws`, spec.fws.pumps), 0, spec.fws.pumps.redundancy),
      ratedFlow: litersPerMinute(spec.fws.pumps.ratedFlowLpm),
      unitPower: kilowatts(spec.fws.pumps.powerKW),
    },
    dryCoolers: {
      ...group(unitIds("drycooler", local, spec.dryCoolers), spec.dryCoolers.capacityKW, spec.dryCoolers.redundancy),
      designAmbient: celsius(spec.dryCoolers.designAmbientC),
      approach: kelvin(spec.dryCoolers.approachK),
      fanPower: kilowatts(spec.dryCoolers.fanPowerKW),
    },
    chillers: {
      ...group(unitIds("chiller", local, spec.chillers), spec.chillers.capacityKW, spec.chillers.redundancy),
      copCurve: spec.chillers.copCurve,
    },
    adiabatic: {
      enabled: spec.adiabatic.enabled,
      effectiveness: fraction(spec.adiabatic.effectiveness),
      startAbove: celsius(spec.adiabatic.startAboveC),
    },
    makeUpLossM3PerDay: spec.makeUp.lossM3PerDay,
    airSide:
      spec.airSide === undefined
        ? undefined
        : {
            supplySetpoint: celsius(spec.airSide.supplySetpointC),
            designDeltaT: kelvin(spec.airSide.designDeltaTK),
            waterVolume: cubicMeters(spec.airSide.waterVolumeM3),
            pumps: {
              ...group(unitIds("pump", `${local}-air`, spec.airSide.pumps), 0, spec.airSide.pumps.redundancy),
              ratedFlow: litersPerMinute(spec.airSide.pumps.ratedFlowLpm),
              unitPower: kilowatts(spec.airSide.pumps.powerKW),
            },
            chillers: {
              ...group(
                unitIds("chiller", `${local}-air`, spec.airSide.chillers),
                spec.airSide.chillers.capacityKW,
                spec.airSide.chillers.redundancy,
              ),
              copCurve: spec.airSide.chillers.copCurve,
              freeCoolingDifference: kelvin(spec.airSide.chillers.freeCoolingDifferenceK),
              fanPower: kilowatts(spec.airSide.chillers.fanPowerKW),
            },
          },
    path,
  };
}

/** Mutable plant while halls attach to it. */
type PlantDraft = Plant & { hallIndexes: number[] };

/**
 * Racks and units with their own ids (CDUs, busways, leak detectors, pumps, dry coolers, chillers, transformers,
 * UPS, air handlers) one site may hold: over five times the full 40,000-rack campus with its units. Each count is
 * bounded by the schema, but repeats multiply them: the total is checked before ids are made, so a site file or an
 * API change asking for millions is refused with a diagnostic rather than exhausting the server's memory.
 */
export const maximumSiteUnits = 500_000;

/** Units with their own ids a plant adds to the site. */
function plantUnitCount(spec: PlantSpec): number {
  const airSide = spec.airSide === undefined ? 0 : spec.airSide.pumps.count + spec.airSide.chillers.count;
  return spec.fws.pumps.count + spec.dryCoolers.count + spec.chillers.count + airSide;
}

/**
 * Counts units against maximumSiteUnits: the returned check adds `units` at `path` and answers false (reporting the
 * first path that passes the maximum, once) when the site would pass it; then nothing of it should be built.
 */
function unitBudget(sink: DiagnosticSink): (path: string, units: number) => boolean {
  let total = 0;
  let exceeded = false;
  return (path, units) => {
    if (exceeded) return false;
    if (total + units <= maximumSiteUnits) {
      total += units;
      return true;
    }
    exceeded = true;
    sink.error(
      "site.tooLarge",
      path,
      `the site would hold more than ${maximumSiteUnits.toLocaleString("en-US")} racks and units ` +
        `(${total.toLocaleString("en-US")} before this, ${units.toLocaleString("en-US")} here)`,
    );
    return false;
  };
}

/** What the expansion of a site file has built so far, and the tables its halls and rows are checked against. */
interface Expansion {
  readonly file: SiteFile;
  readonly sink: DiagnosticSink;
  /** Every id claimed so far, with the path that claimed it. */
  readonly ids: Map<string, string>;
  readonly zones: Map<string, ZoneSpec>;
  readonly rackTypeIndex: Map<string, number>;
  readonly cduModels: Map<string, CduModel>;
  readonly feeds: readonly GridFeedSpec[];
  readonly plants: PlantDraft[];
  readonly plantIndexById: Map<string, number>;
  readonly withinBudget: (path: string, units: number) => boolean;
  readonly halls: Hall[];
  readonly rows: Row[];
  readonly rowPlans: RowPlan[];
  rackTotal: number;
  leakDetectorTotal: number;
}

/** The hall whose row entries are being expanded. */
interface HallPlace {
  readonly id: string;
  readonly path: string;
  readonly entryIndex: number;
  readonly index: number;
  readonly local: string;
  readonly zone: string | undefined;
  readonly plantIndex: number;
  /** The fewest digits of its rows' numbers. */
  readonly rowWidth: number;
}

/** A hall's row numbering as its entries are read: the last number given, and the rows made. */
interface RowNumbering {
  rowNumber: number;
  rowOrdinal: number;
}

/** The plant a hall's body names (its own, made here, or a shared one), or undefined with the error reported. */
function hallPlantIndex(x: Expansion, body: HallBodySpec, hallPath: string, hallLocal: string): number | undefined {
  if (body.plant !== undefined && body.plantRef !== undefined) {
    x.sink.error(
      "plant.ambiguous",
      hallPath,
      `set either "plant" (its own plant) or "plantRef" (a shared plant), not both`,
    );
    return undefined;
  }
  if (body.plantRef !== undefined) {
    const found = x.plantIndexById.get(body.plantRef);
    if (found === undefined) {
      unknownReference(x.sink, `${hallPath}.plantRef`, "plant", body.plantRef, x.plantIndexById.keys());
      return undefined;
    }
    return found;
  }
  if (body.plant !== undefined) {
    const plantId = makeId("plant", hallLocal);
    if (!claim(x.ids, plantId, `${hallPath}.plant`, x.sink)) return undefined;
    const plantSpec = body.plant;
    const plantIndex = x.plants.length;
    x.plantIndexById.set(plantId, plantIndex);
    x.plants.push(buildPlant(plantSpec, plantId, plantIndex, `${hallPath}.plant`, x.sink) as PlantDraft);
    return plantIndex;
  }
  x.sink.error("field.missing", `${hallPath}.plant`, `hall has no cooling plant: set "plant" or "plantRef"`);
  return undefined;
}

/** Expands one hall entry (template applied) with its rows into `x`; a hall that cannot be resolved is skipped. */
function expandHall(x: Expansion, hallEntry: SiteFile["halls"][number], hallEntryIndex: number): void {
  const hallPath = `halls[${hallEntryIndex}]`;
  if (hallEntry.id === undefined) {
    x.sink.error("field.missing", `${hallPath}.id`, `required field "id" is missing`);
    return;
  }
  if (!claim(x.ids, hallEntry.id, hallPath, x.sink)) return;
  let layered: unknown = hallEntry;
  if (hallEntry.template !== undefined) {
    const template = x.file.hallTemplates[hallEntry.template];
    if (template === undefined) {
      unknownReference(
        x.sink,
        `${hallPath}.template`,
        "hall template",
        hallEntry.template,
        Object.keys(x.file.hallTemplates),
      );
      return;
    }
    layered = mergeLayers(template, hallEntry);
  }
  const { id: _id, name: _name, template: _template, zone: _zone, ...bodyRaw } = layered as Record<string, unknown>;
  const errorsBefore = x.sink.errorCount;
  const body = checkInto(HallBodySchema, bodyRaw, x.sink, { path: ["halls", hallEntryIndex] }) as
    | HallBodySpec
    | undefined;
  if (body === undefined || x.sink.errorCount > errorsBefore) return;

  const hallUnits = body.power.transformers.count + body.power.ups.count + (body.crah?.count ?? 0);
  if (!x.withinBudget(hallPath, hallUnits + (body.plant === undefined ? 0 : plantUnitCount(body.plant)))) return;
  warnUnitGroups(x.sink, [
    [`${hallPath}.power.transformers`, body.power.transformers],
    [`${hallPath}.power.ups`, body.power.ups],
    [`${hallPath}.crah`, body.crah],
  ]);
  const hallLocal = localOf(hallEntry.id);
  const hallIndex = x.halls.length;
  const hallZone = hallEntry.zone;
  if (hallZone !== undefined && !x.zones.has(hallZone)) {
    unknownReference(x.sink, `${hallPath}.zone`, "zone", hallZone, x.zones.keys());
  }

  const plantIndex = hallPlantIndex(x, body, hallPath, hallLocal);
  if (plantIndex === undefined) return;
  x.plants[plantIndex]!.hallIndexes.push(hallIndex);

  const power: HallPowerSpec = body.power;
  const feedIds = (power.transformers.feeds ?? x.feeds.map((feed) => feed.id)) as FeedId[];
  power.transformers.feeds?.forEach((feed, index) => {
    if (!x.feeds.some((known) => known.id === feed)) {
      unknownReference(
        x.sink,
        `${hallPath}.power.transformers.feeds[${index}]`,
        "grid feed",
        feed,
        x.feeds.map((known) => known.id),
      );
    }
  });

  const rowStart = x.rows.length;
  const rackStart = x.rackTotal;
  // Row numbers: an entry's `number` where given (stable names when rows before it are removed), else the next.
  const lastRow = body.rows.reduce(
    (last, entry) => Math.max(last, (entry.number ?? last + 1) - 1) + (entry.count ?? 1),
    0,
  );
  // Digits of a row's number: the hall's `rowDigits`, 2 by default; a number with more is written in full, never
  // padding the others to it, so that no id changes as the hall grows past 99 rows (docs/site-format.md, names).
  const rowWidth = body.rowDigits ?? defaultDigits;
  if (body.rowDigits === undefined && lastRow > 99) {
    warnUnstatedDigits(x.sink, hallPath, `hall ${hallEntry.id}`, "row", lastRow);
  }
  const hall: HallPlace = {
    id: hallEntry.id,
    path: hallPath,
    entryIndex: hallEntryIndex,
    index: hallIndex,
    local: hallLocal,
    zone: hallZone,
    plantIndex,
    rowWidth,
  };
  const numbering: RowNumbering = { rowNumber: 0, rowOrdinal: 0 };
  body.rows.forEach((entry: RowEntrySpec, entryIndex) => {
    const resolved = resolveRowEntry(x, hall, numbering, entry, entryIndex);
    if (resolved !== undefined) addRows(x, hall, numbering, entry, resolved);
  });

  const crah: CrahGroupSpec | undefined = body.crah;
  x.halls.push({
    index: hallIndex,
    id: hallEntry.id as HallId,
    name: hallEntry.name ?? hallLocal.toUpperCase(),
    zoneId: hallZone !== undefined && x.zones.has(hallZone) ? (hallZone as ZoneId) : undefined,
    whiteSpace: squareMeters(body.whiteSpaceM2),
    rowStart,
    rowCount: x.rows.length - rowStart,
    rackStart,
    rackCount: x.rackTotal - rackStart,
    transformers: {
      ...group(
        unitIds("transformer", hallLocal, power.transformers),
        realPowerOf(kilovoltAmperes(power.transformers.ratingKVA), fraction(x.file.power.powerFactor)),
        power.transformers.redundancy,
      ),
      unitRating: kilovoltAmperes(power.transformers.ratingKVA),
      noLoadLoss: kilowatts(power.transformers.noLoadLossKW),
      loadLoss: kilowatts(power.transformers.loadLossKW),
      feedIds,
    },
    ups: {
      ...group(unitIds("ups", hallLocal, power.ups), power.ups.ratingKW, power.ups.redundancy),
      efficiencyCurve: [...power.ups.efficiencyCurve].sort((a, b) => a.load - b.load),
    },
    crah:
      crah === undefined
        ? undefined
        : {
            ...group(numbered(`crah:${hallLocal}`, crah), crah.capacityKW, crah.redundancy),
            fanPower: kilowatts(crah.fanPowerKW),
          },
    plantIndex,
    path: hallPath,
  });
}

/** A row entry resolved against the site's patterns, CDU models, zones and rack types. */
interface ResolvedRow {
  readonly row: RowSpec;
  readonly model: CduModel;
  readonly rowZone: ZoneId | undefined;
  readonly segments: readonly { typeIndex: number; count: number }[];
}

/**
 * Resolves a row entry (its pattern, fields, CDU model, zone and rack types, within the unit budget); undefined, with
 * the errors reported and its rows' numbers passed over, when it cannot be built.
 */
function resolveRowEntry(
  x: Expansion,
  hall: HallPlace,
  numbering: RowNumbering,
  entry: RowEntrySpec,
  entryIndex: number,
): ResolvedRow | undefined {
  const entryPath = `${hall.path}.rows[${entryIndex}]`;
  if (entry.number !== undefined) {
    if (entry.number <= numbering.rowNumber) {
      x.sink.error(
        "row.numberOrder",
        `${entryPath}.number`,
        `row number ${entry.number} is not after the previous row (${numbering.rowNumber}): row numbers go up through a hall`,
      );
    } else numbering.rowNumber = entry.number - 1;
  }
  let rowRaw: unknown = entry;
  if (entry.pattern !== undefined) {
    const pattern = x.file.rowPatterns[entry.pattern];
    if (pattern === undefined) {
      unknownReference(x.sink, `${entryPath}.pattern`, "row pattern", entry.pattern, Object.keys(x.file.rowPatterns));
      numbering.rowNumber += entry.count ?? 1;
      return undefined;
    }
    rowRaw = mergeLayers(pattern, entry);
  }
  const {
    pattern: _pattern,
    count: _count,
    number: _number,
    zone: _rowZone,
    ...rowFields
  } = rowRaw as Record<string, unknown>;
  const before = x.sink.errorCount;
  const row = checkInto(RowSchema, rowFields, x.sink, { path: ["halls", hall.entryIndex, "rows", entryIndex] });
  if (row === undefined || x.sink.errorCount > before) {
    numbering.rowNumber += entry.count ?? 1;
    return undefined;
  }
  const model = x.cduModels.get(row.cdus.model);
  if (model === undefined) {
    unknownReference(x.sink, `${entryPath}.cdus.model`, "CDU model", row.cdus.model, x.cduModels.keys());
  }
  let rowZone = hall.zone as ZoneId | undefined;
  if (entry.zone !== undefined) {
    if (!x.zones.has(entry.zone)) unknownReference(x.sink, `${entryPath}.zone`, "zone", entry.zone, x.zones.keys());
    else if (hall.zone !== undefined && entry.zone !== hall.zone) {
      x.sink.error(
        "zone.conflict",
        `${entryPath}.zone`,
        `row is in ${entry.zone} but its hall ${hall.id} is entirely in ${hall.zone}`,
      );
    } else rowZone = entry.zone as ZoneId;
  }
  const segments: { typeIndex: number; count: number }[] = [];
  row.racks.forEach((segment, segmentIndex) => {
    const typeIndex = x.rackTypeIndex.get(segment.type);
    if (typeIndex === undefined) {
      unknownReference(
        x.sink,
        `${entryPath}.racks[${segmentIndex}].type`,
        "rack type",
        segment.type,
        x.rackTypeIndex.keys(),
      );
    } else segments.push({ typeIndex, count: segment.count });
  });
  if (model === undefined || segments.length !== row.racks.length) {
    numbering.rowNumber += entry.count ?? 1;
    return undefined;
  }
  const racksPerRow = segments.reduce((sum, segment) => sum + segment.count, 0);
  const detectorsPerRow = racksPerRow * row.leakDetectors.perRack + row.cdus.count * row.leakDetectors.perCdu;
  const unitsPerRow = racksPerRow + row.cdus.count + row.busways.count + detectorsPerRow;
  if (row.rackDigits === undefined && racksPerRow > 99) {
    warnUnstatedDigits(x.sink, entryPath, "row entry", "rack", racksPerRow);
  }
  warnUnitGroups(x.sink, [
    [`${entryPath}.cdus`, row.cdus],
    [`${entryPath}.busways`, row.busways],
  ]);
  if (!x.withinBudget(entryPath, unitsPerRow * (entry.count ?? 1))) {
    numbering.rowNumber += entry.count ?? 1;
    return undefined;
  }
  return { row, model, rowZone, segments };
}

/** Adds the rows of a resolved entry (its `count` of them), each with its plan for racks and leak detectors. */
function addRows(
  x: Expansion,
  hall: HallPlace,
  numbering: RowNumbering,
  entry: RowEntrySpec,
  resolved: ResolvedRow,
): void {
  const { row, model, rowZone, segments } = resolved;
  for (let repeat = 0; repeat < (entry.count ?? 1); repeat++) {
    numbering.rowNumber++;
    numbering.rowOrdinal++;
    const rowLocal = `${hall.local}-r${pad(numbering.rowNumber, hall.rowWidth)}`;
    const rowIndex = x.rows.length;
    const rowRackStart = x.rackTotal;
    const rackCountInRow = segments.reduce((sum, segment) => sum + segment.count, 0);
    x.rackTotal += rackCountInRow;
    const cduIds = unitIds("cdu", rowLocal, row.cdus);
    x.leakDetectorTotal += rackCountInRow * row.leakDetectors.perRack + cduIds.length * row.leakDetectors.perCdu;
    x.rowPlans.push({
      local: rowLocal,
      rackWidth: row.rackDigits ?? defaultDigits,
      segments,
      perRack: row.leakDetectors.perRack,
      perCdu: row.leakDetectors.perCdu,
    });
    x.rows.push({
      index: rowIndex,
      id: makeId("row", rowLocal),
      hallIndex: hall.index,
      zoneId: rowZone,
      numbered: entry.number !== undefined,
      rackStart: rowRackStart,
      rackCount: rackCountInRow,
      busways: {
        ...group(
          buswayIds(rowLocal, row.busways, row.busways.redundancy),
          row.busways.ratingKW,
          row.busways.redundancy,
        ),
        phases: row.busways.phases,
      },
      tcs: {
        ...group(cduIds, model.capacity, row.cdus.redundancy),
        id: makeId("tcs", rowLocal),
        rowIndex,
        plantIndex: hall.plantIndex,
        model,
        supplySetpoint: celsius(row.tcs.supplySetpointC),
        designRise: kelvin(row.tcs.designRiseK),
        fluid: row.tcs.fluid,
      },
      path: `halls[${hall.index}].rows[${numbering.rowOrdinal - 1}]`,
    });
  }
}

/**
 * Expands `file` into a `Site`. Reference errors go to `sink`; halls or rows that cannot be resolved are skipped so
 * the rest of the site is still checked.
 */
export function expandSite(file: SiteFile, sink: DiagnosticSink): Site {
  const ids = new Map<string, string>();

  const zones = new Map<string, ZoneSpec>();
  file.zones.forEach((zone, index) => {
    if (claim(ids, zone.id, `zones[${index}]`, sink)) zones.set(zone.id, zone);
  });

  const rackTypes: RackType[] = [];
  const rackTypeIndex = new Map<string, number>();
  file.rackTypes.forEach((spec, index) => {
    if (!claim(ids, `racktype:${spec.id}`, `rackTypes[${index}]`, sink)) return;
    rackTypeIndex.set(spec.id, rackTypes.length);
    rackTypes.push(buildRackType(spec, rackTypes.length));
  });

  const cduModels = new Map<string, CduModel>();
  file.cduModels.forEach((spec: CduModelSpec, index) => {
    if (!claim(ids, `cdumodel:${spec.model}`, `cduModels[${index}]`, sink)) return;
    cduModels.set(spec.model, {
      model: spec.model,
      capacity: kilowatts(spec.capacityKW),
      approach: kelvin(spec.approachK),
      pumpPower: kilowatts(spec.pumpPowerKW),
      ratedFlow: litersPerMinute(spec.ratedFlowLpm),
    });
  });

  const feeds = file.power.gridFeeds.filter((feed: GridFeedSpec, index) =>
    claim(ids, feed.id, `power.gridFeeds[${index}]`, sink),
  );

  const plants: PlantDraft[] = [];
  const plantIndexById = new Map<string, number>();
  const withinBudget = unitBudget(sink);
  file.plants.forEach((spec: NamedPlantSpec, index) => {
    if (!claim(ids, spec.id, `plants[${index}]`, sink)) return;
    if (!withinBudget(`plants[${index}]`, plantUnitCount(spec))) return;
    plantIndexById.set(spec.id, plants.length);
    plants.push(buildPlant(spec, spec.id as Id<"plant">, plants.length, `plants[${index}]`, sink) as PlantDraft);
  });

  const expansion: Expansion = {
    file,
    sink,
    ids,
    zones,
    rackTypeIndex,
    cduModels,
    feeds,
    plants,
    plantIndexById,
    withinBudget,
    halls: [],
    rows: [],
    rowPlans: [],
    rackTotal: 0,
    leakDetectorTotal: 0,
  };
  file.halls.forEach((hallEntry, hallEntryIndex) => {
    expandHall(expansion, hallEntry, hallEntryIndex);
  });
  const { halls, rows, rowPlans, rackTotal, leakDetectorTotal } = expansion;

  for (const hall of halls) {
    if (hall.rackCount === 0) sink.warning("hall.empty", hall.path, `hall ${hall.id} has no racks`);
  }

  const site: Site = {
    id: file.site.id,
    name: file.site.name,
    operator: file.site.operator,
    location: { ...file.site.location },
    timezone: file.site.timezone,
    gridConnection: megawattsToKilowatts(megawatts(file.site.gridConnectionMW)),
    startOfOperation: file.site.startOfOperation,
    buildingArea: file.site.buildingAreaM2 === undefined ? undefined : squareMeters(file.site.buildingAreaM2),
    // `off` (a site file reads null as "not set"): no operator response.
    ...(file.site.operatorResponseS === undefined
      ? {}
      : { operatorResponseS: file.site.operatorResponseS === "off" ? null : file.site.operatorResponseS }),
    powerFactor: fraction(file.power.powerFactor),
    gridFeeds: feeds.map((feed) => ({
      id: feed.id as FeedId,
      capacity: megawattsToKilowatts(megawatts(feed.capacityMW)),
      voltageKV: feed.voltageKV,
    })),
    gridRedundancy: file.power.gridRedundancy,
    zones: [...zones.values()].map((zone) => ({
      id: zone.id as ZoneId,
      name: zone.name,
      certifications: zone.certifications,
      dataClasses: zone.dataClasses,
      validUntil: zone.validUntil,
    })),
    rackTypes,
    plants,
    halls,
    rows,
    racks: [],
    leakDetectors: [],
    uncertainty: checkedRanges(file, sink),
    ...(file.heatOfftake === undefined ? {} : { heatOfftake: heatOfftakeOf(file.heatOfftake, sink) }),
    meters: checkMeters(file.meters ?? [], sink),
  };
  registerRackRuns(site, runsOf(rows, rowPlans, rackTotal, leakDetectorTotal));
  deferRacks(site, rows, rowPlans);
  return site;
}

/** How a row's racks and leak detectors are generated, kept so that they are built only when first read. */
interface RowPlan {
  /** The row's local name (`h1-r07`), which its racks' names extend. */
  readonly local: string;
  /** The fewest digits of its racks' numbers (`rackDigits`). */
  readonly rackWidth: number;
  readonly segments: readonly { readonly typeIndex: number; readonly count: number }[];
  readonly perRack: number;
  readonly perCdu: number;
}

/** The rack runs validation and the summary read, straight from the row plans (no Rack objects). */
function runsOf(rows: readonly Row[], plans: readonly RowPlan[], count: number, leakDetectors: number): RackRuns {
  const runs: RackRun[] = [];
  for (const row of rows) {
    let start = row.rackStart;
    let previous: RackRun | undefined;
    for (const segment of plans[row.index]!.segments) {
      if (segment.count === 0) continue;
      // Two segments of one type in a row are one run, as the racks they give would read.
      if (previous !== undefined && previous.typeIndex === segment.typeIndex) {
        previous = { ...previous, count: previous.count + segment.count };
        runs[runs.length - 1] = previous;
      } else {
        previous = {
          start,
          count: segment.count,
          typeIndex: segment.typeIndex,
          rowIndex: row.index,
          hallIndex: row.hallIndex,
          zoneId: row.zoneId,
        };
        runs.push(previous);
      }
      start += segment.count;
    }
  }
  return { count, runs, leakDetectorCount: leakDetectors };
}

/** Every rack, and every leak detector (a row's racks' detectors, then its CDUs'), row by row. */
function buildRacks(rows: readonly Row[], plans: readonly RowPlan[]): { racks: Rack[]; leakDetectors: LeakDetector[] } {
  const racks: Rack[] = [];
  const leakDetectors: LeakDetector[] = [];
  for (const row of rows) {
    const plan = plans[row.index]!;
    const rowIndex = row.index;
    const rackWidth = plan.rackWidth;
    let position = 0;
    for (const segment of plan.segments) {
      for (let k = 0; k < segment.count; k++) {
        position++;
        const rackIndex = racks.length;
        const rackLocal = `${plan.local}-${pad(position, rackWidth)}`;
        racks.push({
          index: rackIndex,
          id: makeId("rack", rackLocal),
          hallIndex: row.hallIndex,
          rowIndex,
          typeIndex: segment.typeIndex,
          position,
          zoneId: row.zoneId,
        });
        for (let d = 1; d <= plan.perRack; d++) {
          leakDetectors.push({
            id: makeId("leak", plan.perRack === 1 ? rackLocal : `${rackLocal}-${d}`),
            rowIndex,
            cduId: undefined,
            rackIndex,
          });
        }
      }
    }
    for (const cduId of row.tcs.ids) {
      for (let d = 1; d <= plan.perCdu; d++) {
        leakDetectors.push({ id: makeId("leak", `${localOf(cduId)}-${d}`), rowIndex, cduId, rackIndex: undefined });
      }
    }
  }
  return { racks, leakDetectors };
}

/**
 * Makes `site.racks` and `site.leakDetectors` build on first read (both at once) and then become plain data
 * properties, the same as if they had been built with the site: 40,000 racks are most of the allocation of a load,
 * and checking or summarising a site reads only their runs (rack-runs.ts).
 */
function deferRacks(site: Site, rows: readonly Row[], plans: readonly RowPlan[]): void {
  const keys = ["racks", "leakDetectors"] as const;
  let built: { racks: Rack[]; leakDetectors: LeakDetector[] } | undefined;
  const settle = (key: (typeof keys)[number], value: unknown) => {
    // Still deferred (not assigned meanwhile) and not frozen: becomes the data property it stands for.
    if (Object.getOwnPropertyDescriptor(site, key)?.configurable === true) {
      Object.defineProperty(site, key, { value, writable: true, enumerable: true, configurable: true });
    }
  };
  const build = () => {
    if (built === undefined) {
      built = buildRacks(rows, plans);
      for (const key of keys)
        if (Object.getOwnPropertyDescriptor(site, key)?.get !== undefined) settle(key, built[key]);
    }
    return built;
  };
  for (const key of keys) {
    Object.defineProperty(site, key, {
      get: () => build()[key],
      set: (value: unknown) => settle(key, value),
      enumerable: true,
      configurable: true,
    });
  }
}

/** The file's uncertainty ranges, each with low ≤ high (an inverted range is an error naming it). */
function checkedRanges(file: SiteFile, sink: DiagnosticSink): Site["uncertainty"] {
  const ranges: Partial<Record<UncertainParameter, { low: number; high: number }>> = {};
  for (const [name, range] of Object.entries(file.uncertainty ?? {}) as [UncertainParameter, RangeSpec][]) {
    if (range.low > range.high) {
      sink.error("uncertainty.range", `uncertainty.${name}`, `low ${range.low} is above high ${range.high}`);
      continue;
    }
    ranges[name] = { low: range.low, high: range.high };
  }
  return ranges;
}

/** The heat offtake with its contract checked: one value per month. */
function heatOfftakeOf(spec: HeatOfftakeSpec, sink: DiagnosticSink): HeatOfftakeSpec {
  if (spec.contractMW.length !== 12) {
    sink.error(
      "heat.contract",
      "heatOfftake.contractMW",
      `${spec.contractMW.length} values: give one contracted MW per month, January to December`,
    );
  }
  return { ...spec, contractMW: [...spec.contractMW] };
}
