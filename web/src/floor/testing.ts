/** Layouts for the floor's unit tests. */
import type { SiteLayout } from "../api/types.ts";

/** A layout of `halls` halls × `rows` rows × `racks` racks, the last row of each hall one rack short. */
export function syntheticLayout(halls: number, rows: number, racks: number): SiteLayout {
  const layoutRows: SiteLayout["rows"][number][] = [];
  const ids: string[] = [];
  const typeIndex: number[] = [];
  for (let hall = 0; hall < halls; hall++) {
    for (let row = 0; row < rows; row++) {
      const count = row === rows - 1 ? racks - 1 : racks;
      const id = `row:h${hall + 1}-r${String(row + 1).padStart(3, "0")}`;
      layoutRows.push({
        id,
        hallIndex: hall,
        rackStart: ids.length,
        rackCount: count,
        zoneId: hall === 0 ? "zone:hds" : null,
        tcsLoop: id.replace("row:", "tcs:"),
        cdus: [],
      });
      for (let position = 0; position < count; position++) {
        ids.push(`${id.replace("row:", "rack:")}-${String(position + 1).padStart(2, "0")}`);
        typeIndex.push(position % 2);
      }
    }
  }
  return {
    version: 3,
    rackTypes: [
      { id: "nvl72", designPowerKW: 132, gpus: 72, gpuModel: "GB300", maxCoolantSupplyC: 45 },
      { id: "cpu", designPowerKW: 12, gpus: 0, gpuModel: null, maxCoolantSupplyC: 45 },
    ],
    zones: [{ id: "zone:hds", name: "Health data" }],
    halls: Array.from({ length: halls }, (_, hall) => ({
      id: `hall:h${hall + 1}`,
      name: `H${hall + 1}`,
      plantId: `plant:h${hall + 1}`,
      zoneId: null,
      rowStart: hall * rows,
      rowCount: rows,
    })),
    rows: layoutRows,
    racks: { count: ids.length, ids, typeIndex },
  };
}
