import { describe, expect, test } from "vitest";
import { FloorController, type Legend } from "./controller.ts";
import { fieldSpec, fieldSpecs, formatFieldValue } from "./fields.ts";
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

  test("the worst values are the highest, or the lowest for headroom, with ties collapsed", () => {
    const { renderer } = recordingRenderer(model.rackCount);
    const controller = new FloorController(model, renderer, fieldSpec("powerKW"));
    controller.showField(fieldSpec("powerKW"));
    const values = [5, 50, 7, Number.NaN, 50, 1, 1, 3, 60, 1];
    controller.applyValues(values);
    expect(controller.worst(3)).toEqual([
      { value: 60, count: 1, racks: [8] },
      { value: 50, count: 2, racks: [1, 4] },
      { value: 7, count: 1, racks: [2] },
    ]);
    controller.showField(fieldSpec("loopHeadroom"));
    controller.applyValues(values.map((value) => value / 100));
    expect(controller.worst(2)).toEqual([
      { value: 0.01, count: 3, racks: [5, 6, 9] },
      { value: 0.03, count: 1, racks: [7] },
    ]);
  });

  test("throttle shows power lost: an unthrottled floor (throttle 1) is 0 % lost everywhere", () => {
    const { renderer } = recordingRenderer(model.rackCount);
    const controller = new FloorController(model, renderer, fieldSpec("throttle"));
    const legends: Legend[] = [];
    controller.onLegend = (legend) => legends.push(legend);
    controller.showField(fieldSpec("throttle"));
    controller.applyValues(new Array<number>(model.rackCount).fill(1));
    expect(controller.valueOf(0)).toBe(0);
    expect(formatFieldValue(fieldSpec("throttle"), controller.valueOf(0))).toBe("0 % lost");
    expect(controller.worst(8)).toEqual([{ value: 0, count: model.rackCount, racks: [0, 1, 2] }]);
    controller.applyValues(new Array<number>(model.rackCount).fill(0.725));
    expect(formatFieldValue(fieldSpec("throttle"), controller.valueOf(3))).toBe("27.5 % lost");
    // A rack's running share shows as the share out of service: a tripped rack is 100 % lost.
    expect(fieldSpec("running").id).toBe("running");
    expect(formatFieldValue(fieldSpec("running"), 1 - 0)).toBe("100 % lost");
    expect(legends).toHaveLength(1);
    expect(legends[0]).toMatchObject({ kind: "continuous", min: 0, max: 1 });
  });

  test("every continuous field has a fixed scale: the legend does not follow the data", () => {
    for (const spec of fieldSpecs.filter((candidate) => candidate.kind === "continuous")) {
      expect(spec.domain, spec.id).toBeDefined();
      expect(spec.note, spec.id).toMatch(/0|Fixed/);
    }
    const { renderer } = recordingRenderer(model.rackCount);
    const controller = new FloorController(model, renderer, fieldSpec("tcsReturnC"));
    const legends: Legend[] = [];
    controller.onLegend = (legend) => legends.push(legend);
    controller.showField(fieldSpec("tcsReturnC"));
    controller.applyValues(new Array<number>(model.rackCount).fill(42));
    controller.applyValues(new Array<number>(model.rackCount).fill(58));
    expect(legends).toHaveLength(1);
    expect(legends[0]).toMatchObject({ min: 20, max: 70 });
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
