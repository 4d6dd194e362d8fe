/**
 * Property tests: random valid sites validate clean; each injected defect is reported with the right code at the
 * right path. A failing seed found here becomes a named case in corpus.test.ts or below.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { type SitePlan, siteFromPlan, sitePlanArbitrary } from "../../test/support/site-arbitrary.ts";
import { formatDiagnostic } from "./diagnostics.ts";
import { parseSite } from "./load.ts";

// biome-ignore lint/suspicious/noExplicitAny: defects reach into generated plain data at any depth.
type SiteData = Record<string, any>;

/** A defect: how to break a valid site, and the error code and path it must produce. */
interface Defect {
  readonly name: string;
  apply(site: SiteData, plan: SitePlan, hall: number, row: number): { code: string; path: string };
}

const defects: readonly Defect[] = [
  {
    name: "negative design power",
    apply(site) {
      site.rackTypes[1].designPowerKW = -5;
      return { code: "range", path: "rackTypes[1].designPowerKW" };
    },
  },
  {
    name: "capture fraction above 1",
    apply(site) {
      site.rackTypes[0].liquidCaptureFraction = 1.2;
      return { code: "range", path: "rackTypes[0].liquidCaptureFraction" };
    },
  },
  {
    name: "unknown rack type",
    apply(site, _plan, hall, row) {
      site.halls[hall].rows[row].racks[0].type = "quantum";
      return { code: "ref.unknown", path: `halls[${hall}].rows[${row}].racks[0].type` };
    },
  },
  {
    name: "duplicate hall id",
    apply(site) {
      site.halls.push({ ...structuredClone(site.halls[0]) });
      return { code: "id.duplicate", path: `halls[${site.halls.length - 1}]` };
    },
  },
  {
    name: "undersized CDU group",
    apply(site, plan, hall, row) {
      const rowPlan = plan.halls[hall]![row]!;
      const type = site.rackTypes[rowPlan.type];
      const heat = type.airCooling === "rdhx" ? type.designPowerKW : type.designPowerKW * type.liquidCaptureFraction;
      site.cduModels[0].capacityKW = Math.max(0.5, heat * rowPlan.racks) / 10;
      site.halls[hall].rows[row].cdus.count = 1;
      return { code: "capacity.cdus", path: `halls[${hall}].rows[${row}].cdus` };
    },
  },
  {
    name: "undersized UPS",
    apply(site, _plan, hall) {
      site.halls[hall].power.ups.count = 1;
      site.halls[hall].power.ups.ratingKW = 1;
      return { code: "capacity.ups", path: `halls[${hall}].power.ups` };
    },
  },
  {
    name: "undersized busways",
    apply(site, _plan, hall, row) {
      site.halls[hall].rows[row].busways.ratingKW = 1;
      return { code: "capacity.busways", path: `halls[${hall}].rows[${row}].busways` };
    },
  },
  {
    name: "unknown zone",
    apply(site, _plan, hall) {
      site.halls[hall].zone = "zone:nowhere";
      return { code: "ref.unknown", path: `halls[${hall}].zone` };
    },
  },
  {
    name: "unreachable TCS set-point",
    apply(site, _plan, hall, row) {
      site.halls[hall].rows[row].tcs.supplySetpointC = 30;
      return { code: "setpoint.unreachable", path: `halls[${hall}].rows[${row}].tcs.supplySetpointC` };
    },
  },
  {
    name: "idle above design",
    apply(site) {
      site.rackTypes[2].idlePowerKW = 99;
      return { code: "range.idle", path: "rackTypes[2].idlePowerKW" };
    },
  },
  {
    name: "misspelt field",
    apply(site, _plan, hall) {
      site.halls[hall].whiteSpaceM2s = 10;
      return { code: "field.unknown", path: `halls[${hall}].whiteSpaceM2s` };
    },
  },
];

describe("random valid sites", () => {
  it("validate with no error and no warning", () => {
    fc.assert(
      fc.property(sitePlanArbitrary, (plan) => {
        const result = parseSite(stringify(siteFromPlan(plan)), { today: "2026-11-25" });
        assert.deepEqual(
          result.diagnostics.map((item) => formatDiagnostic(item)),
          [],
        );
        const racks = plan.halls.flat().reduce((sum, row) => sum + row.racks, 0);
        assert.equal(result.site?.racks.length, racks);
      }),
      { numRuns: 150 },
    );
  });

  it("report each injected defect with its code at its path", () => {
    const located = sitePlanArbitrary.chain((plan) =>
      fc
        .integer({ min: 0, max: plan.halls.length - 1 })
        .chain((hall) =>
          fc.tuple(fc.constant(plan), fc.constant(hall), fc.integer({ min: 0, max: plan.halls[hall]!.length - 1 })),
        ),
    );
    fc.assert(
      fc.property(located, fc.constantFrom(...defects), ([plan, hall, row], defect) => {
        const site = siteFromPlan(plan);
        const expected = defect.apply(site, plan, hall, row);
        const result = parseSite(stringify(site), { today: "2026-11-25" });
        assert.equal(result.ok, false, `${defect.name} must make the site invalid`);
        const found = result.diagnostics.some(
          (item) => item.severity === "error" && item.code === expected.code && item.path === expected.path,
        );
        assert.ok(
          found,
          `${defect.name}: expected ${expected.code} at ${expected.path}, got\n${result.diagnostics.map((item) => formatDiagnostic(item)).join("\n")}`,
        );
      }),
      { numRuns: 300 },
    );
  });
});
