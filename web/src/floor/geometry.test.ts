import { describe, expect, test } from "vitest";
import { chooseColumns, computeGeometry, neighbourRack } from "./geometry.ts";
import { floorModelFromInventory, floorModelFromLayout } from "./model.ts";
import { syntheticLayout } from "./testing.ts";

describe("floor model and geometry", () => {
  test("the layout becomes typed per-rack arrays", () => {
    const model = floorModelFromLayout(syntheticLayout(2, 3, 4));
    expect(model.rackCount).toBe(2 * (3 * 4 - 1));
    expect(model.rowOfRack[0]).toBe(0);
    expect(model.rowOfRack[model.rackCount - 1]).toBe(5);
    expect(model.designPowerKW[0]).toBe(132);
    expect(model.designPowerKW[1]).toBe(12);
    expect(model.zoneOfRack[0]).toBe(0);
    expect(model.zoneOfRack[model.rackCount - 1]).toBe(-1);
  });

  test("an inconsistent layout is refused with the part at fault", () => {
    const layout = syntheticLayout(1, 2, 2);
    expect(() => floorModelFromLayout({ ...layout, racks: { ...layout.racks, count: 99 } })).toThrow(/racks.count/);
  });

  test("every rack gets its own pixel and the pixel names the rack back (the 40,000-rack campus)", () => {
    const model = floorModelFromLayout(syntheticLayout(8, 100, 50));
    expect(model.rackCount).toBe(8 * (100 * 50 - 1));
    const geometry = computeGeometry(model, chooseColumns(model, 1077, 563));
    const seen = new Set<number>();
    for (let rack = 0; rack < model.rackCount; rack++) {
      const pixel = geometry.pixelOfRack[rack]!;
      expect(pixel).toBeGreaterThanOrEqual(0);
      expect(geometry.rackAtPixel[pixel]).toBe(rack);
      seen.add(pixel);
    }
    expect(seen.size).toBe(model.rackCount);
    let racksOnMap = 0;
    for (const rack of geometry.rackAtPixel) if (rack >= 0) racksOnMap++;
    expect(racksOnMap).toBe(model.rackCount);
  });

  test("halls are laid out as blocks, rows as lines, racks left to right", () => {
    const model = floorModelFromLayout(syntheticLayout(4, 3, 5));
    const geometry = computeGeometry(model, 2);
    expect(geometry.hallBoxes).toHaveLength(4);
    const [first, second, third] = geometry.hallBoxes;
    expect(second!.y).toBe(first!.y);
    expect(second!.x).toBeGreaterThan(first!.x + first!.width);
    expect(third!.y).toBeGreaterThan(first!.y + first!.height);
    const x = (rack: number) => geometry.pixelOfRack[rack]! % geometry.width;
    const y = (rack: number) => Math.floor(geometry.pixelOfRack[rack]! / geometry.width);
    expect(x(1)).toBe(x(0) + 1);
    expect(y(1)).toBe(y(0));
    expect(y(5)).toBe(y(0) + 1);
  });

  test("a wide view gets more halls per line than a tall one", () => {
    const model = floorModelFromLayout(syntheticLayout(8, 100, 50));
    expect(chooseColumns(model, 2000, 300)).toBeGreaterThan(chooseColumns(model, 300, 2000));
  });

  test("without the layout route, rack ids follow each row's first rack", () => {
    const model = floorModelFromInventory(
      1,
      [{ id: "hall:h1", name: "H1", zoneId: null, plantId: "plant:h1" }],
      [
        {
          id: "row:h1-r001",
          hallId: "hall:h1",
          zoneId: "zone:hds",
          racks: 3,
          firstRack: "rack:h1-r001-01",
          tcsLoop: "tcs:h1-r001",
        },
        {
          id: "row:h1-r002",
          hallId: "hall:h1",
          zoneId: null,
          racks: 2,
          firstRack: "rack:h1-r002-01",
          tcsLoop: "tcs:h1-r002",
        },
      ],
    );
    expect(model.rackIds).toEqual([
      "rack:h1-r001-01",
      "rack:h1-r001-02",
      "rack:h1-r001-03",
      "rack:h1-r002-01",
      "rack:h1-r002-02",
    ]);
    expect(model.halls[0]).toMatchObject({ rowStart: 0, rowCount: 2 });
    expect([...model.zoneOfRack]).toEqual([0, 0, 0, -1, -1]);
  });

  test("arrow keys move cell to cell: along a row, across rows and halls, and stop at the floor's edge", () => {
    // Two halls of three rows of four racks, the last rack of each hall missing (a shorter last row).
    const model = floorModelFromLayout(syntheticLayout(2, 3, 4));
    const geometry = computeGeometry(model, 2);
    const at = (rack: number) => {
      const pixel = geometry.pixelOfRack[rack]!;
      return { x: pixel % geometry.width, y: Math.floor(pixel / geometry.width) };
    };
    expect(neighbourRack(geometry, 0, 1, 0)).toBe(1);
    expect(neighbourRack(geometry, 0, -1, 0)).toBe(0);
    expect(neighbourRack(geometry, 0, 0, -1)).toBe(0);
    expect(neighbourRack(geometry, 0, 0, 1)).toBe(4);
    // From the end of a hall's first row to the next hall, across the gap.
    const across = neighbourRack(geometry, 3, 1, 0);
    expect(model.rowOfRack[across]).toBe(3);
    expect(at(across).y).toBe(at(3).y);
    // Down from the last position onto the shorter last row: its last cell.
    expect(neighbourRack(geometry, 7, 0, 1)).toBe(10);
    // Every move lands on a rack, and a move there and back returns where it started along rows.
    for (let rack = 0; rack < model.rackCount; rack++) {
      for (const [dx, dy] of [
        [1, 0],
        [-1, 0],
        [0, 1],
        [0, -1],
      ] as const) {
        const next = neighbourRack(geometry, rack, dx, dy);
        expect(next).toBeGreaterThanOrEqual(0);
        expect(next).toBeLessThan(model.rackCount);
      }
      const right = neighbourRack(geometry, rack, 1, 0);
      if (right !== rack && at(right).x === at(rack).x + 1) expect(neighbourRack(geometry, right, -1, 0)).toBe(rack);
    }
  });
});
