import { describe, expect, test } from "vitest";
import {
  categoricalPalette,
  indexCategories,
  indexValues,
  noDataIndex,
  packPixel,
  rampColour,
  rampPalette,
} from "./colour.ts";

describe("colour scales", () => {
  test("packs pixels as a little-endian Uint32 view of RGBA reads them", () => {
    const pixel = packPixel({ r: 0x11, g: 0x22, b: 0x33 });
    const bytes = new Uint8ClampedArray(new Uint32Array([pixel]).buffer);
    expect([...bytes]).toEqual([0x11, 0x22, 0x33, 0xff]);
  });

  test("indexes values over a domain: min → 1, max → 255, NaN → no data, outside → clamped", () => {
    const indexes = new Uint8Array(6);
    indexValues([10, 20, 15, Number.NaN, -5, 99], 10, 20, indexes);
    expect(indexes[0]).toBe(1);
    expect(indexes[1]).toBe(255);
    expect(indexes[2]).toBe(128);
    expect(indexes[3]).toBe(noDataIndex);
    expect(indexes[4]).toBe(1);
    expect(indexes[5]).toBe(255);
  });

  test("a flat domain does not divide by zero", () => {
    const indexes = new Uint8Array(2);
    indexValues([5, 5], 5, 5, indexes);
    expect([...indexes]).toEqual([1, 1]);
  });

  test("missing values at the end become no data", () => {
    const indexes = new Uint8Array(3).fill(9);
    indexValues([1], 0, 1, indexes);
    expect([...indexes]).toEqual([255, noDataIndex, noDataIndex]);
  });

  test("categories map to 1 + k, none to no data", () => {
    const indexes = new Uint8Array(3);
    indexCategories(new Int16Array([0, -1, 4]), indexes);
    expect([...indexes]).toEqual([1, noDataIndex, 5]);
  });

  test("palettes keep index 0 for no data and fill 255 steps", () => {
    const palette = rampPalette("thermal");
    expect(palette.length).toBe(256);
    expect(palette[1]).toBe(packPixel(rampColour("thermal", 0)));
    expect(palette[255]).toBe(packPixel(rampColour("thermal", 1)));
    expect(categoricalPalette(3)[1]).not.toBe(categoricalPalette(3)[2]);
  });

  test("the throttle ramp starts quiet: 0 % lost is not a warning colour", () => {
    const none = rampColour("loss", 0);
    const spread = Math.max(none.r, none.g, none.b) - Math.min(none.r, none.g, none.b);
    expect(spread).toBeLessThan(16);
    const all = rampColour("loss", 1);
    expect(all.r).toBeGreaterThan(all.g + 100);
  });
});
