import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite, loadSiteFile, shippedSites } from "./load.ts";

describe("shipped sites", () => {
  for (const name of shippedSites) {
    it(`${name} validates with no error and no warning`, () => {
      const result = loadSite(name, { today: "2026-11-25" });
      assert.deepEqual(result.diagnostics, []);
      assert.equal(result.ok, true);
    });
  }

  it("alixan has 40,000 racks in 8 halls and about 1 GW of IT", () => {
    const result = loadSite("alixan");
    assert.equal(result.site?.racks.length, 40_000);
    assert.equal(result.site?.halls.length, 8);
    assert.equal(result.analysis?.figures.totalIt, 1_020_000);
  });

  it("phase-1 has 4,000 racks and about 100 MW of IT", () => {
    const result = loadSite("phase-1");
    assert.equal(result.site?.racks.length, 4_000);
    assert.equal(result.analysis?.figures.totalIt, 102_000);
  });

  it("alixan-heat is alixan with a heat offtake: same plant, racks and halls", () => {
    // The variant copies alixan.yaml; a change to the campus (e.g. its dry coolers) must reach it too.
    const campus = loadSite("alixan").site;
    const variant = loadSiteFile(new URL("../../sites/alixan-heat.yaml", import.meta.url).pathname).site;
    assert.ok(campus !== undefined && variant !== undefined);
    assert.deepEqual(variant.plants, campus.plants);
    assert.deepEqual(variant.halls, campus.halls);
    assert.equal(variant.racks.length, campus.racks.length);
    assert.ok(variant.heatOfftake !== undefined);
  });
});
