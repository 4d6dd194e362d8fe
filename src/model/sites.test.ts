import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite, shippedSites } from "./load.ts";

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
});
