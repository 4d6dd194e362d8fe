import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseSite } from "../model/load.ts";
import { buildEedReport } from "../reports/eed.ts";
import { figuresFromTwin, withHeatReuse } from "../reports/sources.ts";
import { simulate } from "../twin/run.ts";
import { secondsPer } from "../twin/time.ts";
import { valenceTypicalYear } from "../twin/weather.ts";
import { heatPumpCop, heatReuseOf } from "./heat.ts";

const labText = readFileSync(join(import.meta.dirname, "..", "..", "sites", "lab.yaml"), "utf8");
const offtake = (contract: string) =>
  `${labText}\nheatOfftake:\n  networkSupplyC: 70\n  contractMW: ${contract}\n  carnotEfficiency: 0.5\n  approachK: 3\n  heatPriceEurPerMWh: 40\n`;

describe("heat reuse", () => {
  it("takes the COP as a Carnot fraction of the lift from facility return to network supply", () => {
    // Lift (75 + 3) − (46 − 3) = 35 K, condensing at 351.15 K: Carnot 10.03, half of it 5.02.
    const cop = heatPumpCop(46, { networkSupplyC: 75, carnotEfficiency: 0.5, approachK: 3 });
    assert.ok(Math.abs(cop - (0.5 * 351.15) / 35) < 1e-9);
    assert.ok(
      heatPumpCop(30, { networkSupplyC: 75, carnotEfficiency: 0.5, approachK: 3 }) < cop,
      "a higher lift costs",
    );
  });

  it("refuses a contract that is not one value per month, naming the field", () => {
    const loaded = parseSite(offtake("[1, 2, 3]"));
    assert.ok(!loaded.ok);
    assert.ok(loaded.diagnostics.some((item) => item.path.startsWith("heatOfftake.contractMW")));
  });

  it("delivers the contract from the loops, counts heat-pump energy and relieved cooling, and feeds the EED report", async () => {
    const loaded = parseSite(offtake("[0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]"));
    assert.ok(loaded.ok && loaded.site !== undefined, JSON.stringify(loaded.diagnostics.slice(0, 2)));
    const site = loaded.site;
    const run = await simulate({ site, weather: valenceTypicalYear(1), durationS: 2 * secondsPer.d, stepS: 300 });
    assert.ok(run.ok);
    const heat = heatReuseOf(site, run.value);
    assert.ok(heat !== undefined);
    const heatToLoopMWh = run.value.plants.reduce((sum, frame) => {
      const series = frame.fields["heatToLoopKw"]!;
      return sum + series.reduce((inner, kw, point) => inner + (kw * frame.spanS[point]!) / 3_600_000, 0);
    }, 0);
    assert.ok(heat.deliveredHeatMWh <= heat.contractedHeatMWh + 1e-9);
    assert.ok(heat.reusedHeatMWh < heatToLoopMWh, "never more than the loops carry");
    assert.ok(Math.abs(heat.deliveredHeatMWh - heat.reusedHeatMWh - heat.heatPumpEnergyMWh) < 1e-6, "Q = Q_evap + W");
    assert.ok(heat.meanCop > 2 && heat.meanCop < 10);
    assert.ok(heat.dryCoolerFanEnergySavedMWh >= 0 && heat.chillerEnergySavedMWh >= 0);
    const expectedTotal =
      run.value.kpis.totalEnergyMWh +
      heat.heatPumpEnergyMWh -
      heat.chillerEnergySavedMWh -
      heat.dryCoolerFanEnergySavedMWh;
    assert.ok(Math.abs(heat.totalEnergyMWh - expectedTotal) < 1e-9);
    assert.ok(Math.abs(heat.erf - heat.reusedHeatMWh / heat.totalEnergyMWh) < 1e-12);
    assert.ok(Math.abs(heat.revenueEur! - heat.deliveredHeatMWh * 40) < 1e-6);

    const figures = withHeatReuse(figuresFromTwin(run.value, 2026), heat);
    const report = buildEedReport(site, 1332, 2026, figures, {});
    const reuse = report.annexII["E_REUSE"]!;
    assert.ok(reuse.status === "reported" && reuse.source === "simulated");
    assert.ok(Math.abs((reuse.value as number) - heat.reusedHeatMWh * 1000) < 1e-6);
    const erf = report.annexIII["ERF"]!;
    assert.ok(erf.status === "reported" && Math.abs((erf.value as number) - heat.erf) < 1e-9);
    const declared = buildEedReport(site, 1332, 2026, figures, { wasteHeatReusedKWh: 5 });
    const declaredReuse = declared.annexII["E_REUSE"]!;
    assert.ok(declaredReuse.status === "reported" && declaredReuse.source === "declared", "a declaration wins");
  });
});
