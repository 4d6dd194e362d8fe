import { describe, expect, test } from "vitest";
import { FloorController, type Legend } from "./controller.ts";
import { fieldSpec } from "./fields.ts";
import { floorModelFromLayout } from "./model.ts";
import type { FloorRenderer } from "./renderer.ts";
import { syntheticLayout } from "./testing.ts";

/** A renderer that records what the controller asks, with the real renderer's change detection. */
function recordingRenderer(count: number) {
  const current = new Uint8Array(count);
  const calls = { palettes: 0, changed: [] as number[] };
  const renderer = {
    setPalette: () => {
      calls.palettes++;
    },
    update: (indexes: Uint8Array) => {
      let changed = 0;
      for (let rack = 0; rack < count; rack++) {
        if (indexes[rack] !== current[rack]) {
          current[rack] = indexes[rack]!;
          changed++;
        }
      }
      calls.changed.push(changed);
      return changed;
    },
  };
  return { renderer: renderer as unknown as FloorRenderer, calls };
}

describe("floor controller", () => {
  const model = floorModelFromLayout(syntheticLayout(2, 2, 3));

  test("recolours only what changed, and keeps the legend while the scale holds", () => {
    const { renderer, calls } = recordingRenderer(model.rackCount);
    const controller = new FloorController(model, renderer, fieldSpec("tcsReturnC"));
    const legends: Legend[] = [];
    controller.onLegend = (legend) => legends.push(legend);
    controller.showField(fieldSpec("tcsReturnC"));
    const values = Array.from({ length: model.rackCount }, (_, rack) => 25 + rack);
    controller.applyValues(values);
    expect(calls.changed.at(-1)).toBe(model.rackCount);
    expect(legends).toHaveLength(1);
    values[3] = 34;
    controller.applyValues(values);
    expect(calls.changed.at(-1)).toBe(1);
    expect(legends).toHaveLength(1);
    controller.applyValues(values);
    expect(calls.changed.at(-1)).toBe(0);
  });

  test("the worst racks are the highest values, or the lowest for headroom", () => {
    const { renderer } = recordingRenderer(model.rackCount);
    const controller = new FloorController(model, renderer, fieldSpec("powerKW"));
    controller.showField(fieldSpec("powerKW"));
    const values = [5, 50, 7, Number.NaN, 40, 1, 2, 3, 60, 4];
    controller.applyValues(values);
    expect(controller.worst(3)).toEqual([8, 1, 4]);
    controller.showField(fieldSpec("headroomKW"));
    controller.applyValues(values);
    expect(controller.worst(3)).toEqual([5, 6, 7]);
  });

  test("categories count their racks in the legend", () => {
    const { renderer } = recordingRenderer(model.rackCount);
    const controller = new FloorController(model, renderer, fieldSpec("zone"));
    let legend: Legend | undefined;
    controller.onLegend = (next) => {
      legend = next;
    };
    controller.showField(fieldSpec("zone"));
    controller.applyCategories(model.zoneOfRack, model.zones, "General floor");
    expect(legend?.kind).toBe("categorical");
    if (legend?.kind !== "categorical") return;
    expect(legend.items[0]).toMatchObject({ label: "Health data", racks: 5 });
    expect(legend.noneRacks).toBe(5);
    expect(controller.categoryOf(0)).toBe("Health data");
    expect(controller.categoryOf(model.rackCount - 1)).toBeUndefined();
  });
});
