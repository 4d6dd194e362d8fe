/**
 * The floor as the heat map needs it: halls, their rows, and per rack its id, row, type and zone, in rack-index order
 * (the order of every `/v1/state/racks` answer). Built once per site version from `/v1/site/layout`, or from the
 * inventory rows when the layout route is not deployed.
 */
import type { SiteLayout } from "../api/types.ts";

/** One hall: a block of rows. */
export interface FloorHall {
  readonly id: string;
  readonly name: string;
  readonly plantId: string | null;
  readonly rowStart: number;
  readonly rowCount: number;
}

/** One row: a line of racks. */
export interface FloorRow {
  readonly id: string;
  readonly hallIndex: number;
  readonly rackStart: number;
  readonly rackCount: number;
  readonly tcsLoop: string | null;
}

/** A categorical value (zone, tenant): its id and a readable label. */
export interface Category {
  readonly id: string;
  readonly label: string;
}

/** The floor model. Per-rack data lives in typed arrays indexed by rack index. */
export interface FloorModel {
  readonly version: number;
  readonly rackCount: number;
  readonly rackIds: readonly string[];
  readonly halls: readonly FloorHall[];
  readonly rows: readonly FloorRow[];
  /** Row index of each rack. */
  readonly rowOfRack: Int32Array;
  /** Design power of each rack in kW (NaN when unknown). */
  readonly designPowerKW: Float64Array;
  /** Rack type label of each rack, by index into `rackTypes`, -1 when unknown. */
  readonly typeOfRack: Int16Array;
  readonly rackTypes: readonly {
    id: string;
    designPowerKW: number;
    gpus: number;
    gpuModel: string | null;
    maxCoolantSupplyC?: number;
  }[];
  /** Zones, and the zone of each rack (index into `zones`, -1 for the general floor). */
  readonly zones: readonly Category[];
  readonly zoneOfRack: Int16Array;
  /** How the model was obtained, for the status line. */
  readonly source: "layout" | "inventory";
}

/** Builds the model from `/v1/site/layout`. Fails with a message naming the inconsistent part. */
export function floorModelFromLayout(layout: SiteLayout): FloorModel {
  const count = layout.racks.count;
  if (layout.racks.ids.length !== count || layout.racks.typeIndex.length !== count) {
    throw new Error(
      `layout: racks.count is ${count} but ids has ${layout.racks.ids.length} and typeIndex ${layout.racks.typeIndex.length}`,
    );
  }
  const rowOfRack = new Int32Array(count).fill(-1);
  const zoneOfRack = new Int16Array(count).fill(-1);
  const zoneIndex = new Map(layout.zones.map((zone, index) => [zone.id, index]));
  layout.rows.forEach((row, rowIndex) => {
    const zoneId = row.zoneId ?? layout.halls[row.hallIndex]?.zoneId ?? null;
    const zone = zoneId === null ? -1 : (zoneIndex.get(zoneId) ?? -1);
    if (row.rackStart + row.rackCount > count) {
      throw new Error(
        `layout: rows[${rowIndex}] (${row.id}) reaches rack ${row.rackStart + row.rackCount} of ${count}`,
      );
    }
    rowOfRack.fill(rowIndex, row.rackStart, row.rackStart + row.rackCount);
    zoneOfRack.fill(zone, row.rackStart, row.rackStart + row.rackCount);
  });
  const typeOfRack = new Int16Array(count);
  const designPowerKW = new Float64Array(count);
  for (let rack = 0; rack < count; rack++) {
    const type = layout.racks.typeIndex[rack]!;
    typeOfRack[rack] = type;
    designPowerKW[rack] = layout.rackTypes[type]?.designPowerKW ?? Number.NaN;
  }
  return {
    version: layout.version,
    rackCount: count,
    rackIds: layout.racks.ids,
    halls: layout.halls.map((hall) => ({
      id: hall.id,
      name: hall.name,
      plantId: hall.plantId,
      rowStart: hall.rowStart,
      rowCount: hall.rowCount,
    })),
    rows: layout.rows.map((row) => ({
      id: row.id,
      hallIndex: row.hallIndex,
      rackStart: row.rackStart,
      rackCount: row.rackCount,
      tcsLoop: row.tcsLoop,
    })),
    rowOfRack,
    designPowerKW,
    typeOfRack,
    rackTypes: layout.rackTypes,
    zones: layout.zones.map((zone) => ({ id: zone.id, label: zone.name })),
    zoneOfRack,
    source: "layout",
  };
}

/** A row of `GET /v1/site/rows`. */
export interface InventoryRow {
  readonly id: string;
  readonly hallId: string;
  readonly zoneId: string | null;
  readonly racks: number;
  readonly firstRack: string | null;
  readonly tcsLoop: string;
}

/** A hall of `GET /v1/site/halls`. */
export interface InventoryHall {
  readonly id: string;
  readonly name: string;
  readonly zoneId: string | null;
  readonly plantId: string;
}

/**
 * Builds the model from the inventory rows when `/v1/site/layout` is not deployed. Racks are numbered row by row, as
 * the site model numbers them; rack ids follow the first rack's pattern (`rack:h1-r001-01` → `-02`, …). Rack types
 * are unknown this way.
 */
export function floorModelFromInventory(
  version: number,
  halls: readonly InventoryHall[],
  rows: readonly InventoryRow[],
): FloorModel {
  const hallIndex = new Map(halls.map((hall, index) => [hall.id, index]));
  const zoneIds = [...new Set([...halls.map((hall) => hall.zoneId), ...rows.map((row) => row.zoneId)])].filter(
    (zone): zone is string => zone !== null,
  );
  const zoneIndex = new Map(zoneIds.map((zone, index) => [zone, index]));
  const count = rows.reduce((sum, row) => sum + row.racks, 0);
  const rackIds: string[] = [];
  const rowOfRack = new Int32Array(count);
  const zoneOfRack = new Int16Array(count).fill(-1);
  const floorRows: FloorRow[] = [];
  const hallRows = halls.map(() => ({ start: -1, count: 0 }));
  rows.forEach((row, rowIndex) => {
    const hall = hallIndex.get(row.hallId) ?? 0;
    const span = hallRows[hall]!;
    if (span.start < 0) span.start = rowIndex;
    span.count++;
    const rackStart = rackIds.length;
    const match = row.firstRack === null ? null : /^(.*?)(\d+)$/.exec(row.firstRack);
    for (let position = 0; position < row.racks; position++) {
      if (match === null) rackIds.push(`${row.id.replace(/^row:/, "rack:")}-${position + 1}`);
      else {
        const first = Number(match[2]);
        rackIds.push(`${match[1]}${String(first + position).padStart(match[2]!.length, "0")}`);
      }
    }
    const zoneId = row.zoneId ?? halls[hall]?.zoneId ?? null;
    rowOfRack.fill(rowIndex, rackStart, rackStart + row.racks);
    zoneOfRack.fill(zoneId === null ? -1 : zoneIndex.get(zoneId)!, rackStart, rackStart + row.racks);
    floorRows.push({ id: row.id, hallIndex: hall, rackStart, rackCount: row.racks, tcsLoop: row.tcsLoop });
  });
  return {
    version,
    rackCount: count,
    rackIds,
    halls: halls.map((hall, index) => ({
      id: hall.id,
      name: hall.name,
      plantId: hall.plantId,
      rowStart: Math.max(0, hallRows[index]!.start),
      rowCount: hallRows[index]!.count,
    })),
    rows: floorRows,
    rowOfRack,
    designPowerKW: new Float64Array(count).fill(Number.NaN),
    typeOfRack: new Int16Array(count).fill(-1),
    rackTypes: [],
    zones: zoneIds.map((zone) => ({ id: zone, label: zone.replace(/^zone:/, "") })),
    zoneOfRack,
    source: "inventory",
  };
}
