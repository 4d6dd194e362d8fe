import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { buildEedReport, eedReportCsv, type Field } from "./eed.ts";
import { eedReportHtml } from "./html.ts";

const value = (field: Field | undefined) => {
  assert.ok(field?.status === "reported", `expected a reported field, got ${JSON.stringify(field)}`);
  return field.value;
};

describe("EED report: hand-computed worked example (lab site, one day)", () => {
  // One day on the lab site: 1,000 kW of IT all day, 1,100 kW at the grid meter; 0.6 m³ of make-up water;
  // 1,320 kWh of heat sold to a greenhouse at 38 °C; renewables 13,200 kWh (GO) + 2,640 kWh (PPA).
  const { site } = loadSite("lab");
  const report = buildEedReport(
    site!,
    1332,
    2026,
    { source: "measured", totalEnergyKWh: 26_400, itEnergyKWh: 24_000, waterInputM3: 0.6, hoursCovered: 24 },
    {
      potableWaterM3: 0.6,
      wasteHeatReusedKWh: 1_320,
      wasteHeatMeanTemperatureC: 38,
      itIntakeAirSetpointC: 27,
      renewableGuaranteesOfOriginKWh: 13_200,
      renewablePpaKWh: 2_640,
      renewableOnSiteKWh: 0,
    },
    "2027-05-01T00:00:00.000Z",
  );

  it("computes every Annex III indicator exactly", () => {
    assert.equal(value(report.annexIII["PUE"]), 1.1); // 26,400 / 24,000
    assert.equal(value(report.annexIII["WUE"]), 0.025); // 600 L / 24,000 kWh
    assert.equal(value(report.annexIII["ERF"]), 0.05); // 1,320 / 26,400
    assert.equal(value(report.annexIII["REF"]), 0.6); // 15,840 / 26,400
  });

  it("reports every Annex II figure with its unit", () => {
    assert.equal(value(report.annexII["PD_IT"]), 1332);
    assert.equal(value(report.annexII["S_DC"]), 1600);
    assert.equal(value(report.annexII["S_CR"]), 550); // 400 + 150 m² of white space
    assert.equal(value(report.annexII["E_DC"]), 26_400);
    assert.equal(value(report.annexII["E_IT"]), 24_000);
    assert.equal(value(report.annexII["W_IN"]), 0.6);
    assert.equal(value(report.annexII["W_IN_POT"]), 0.6);
    assert.equal(value(report.annexII["E_REUSE"]), 1_320);
    assert.equal(value(report.annexII["T_REUSE"]), 38);
    assert.equal(value(report.annexII["IT_INTAKE_SETPOINT"]), 27);
    assert.equal(value(report.annexII["E_RES_TOT"]), 15_840);
    assert.equal(report.annexII["E_DC"]?.unit, "kWh");
    assert.equal(report.annexII["W_IN"]?.unit, "m3");
    assert.equal(report.annexIII["WUE"]?.unit, "L/kWh");
  });

  it("lists undeclared fields as missing with the reason, never a number", () => {
    const backup = report.annexII["E_BACKUP"];
    assert.equal(backup?.status, "missing");
    assert.match(backup.status === "missing" ? backup.why : "", /backup generator energy/);
    assert.match(JSON.stringify(report.annexII["E_DC"]), /covers 24 of 8760 hours of 2026/);
  });

  it("writes CSV with one field per row and its unit, and HTML with both charts or their absence", () => {
    const csv = eedReportCsv(report).trim().split("\n");
    assert.equal(csv[0], "annex,field,value,unit,status,source,note");
    assert.ok(csv.includes("III,PUE,1.1,,reported,measured,"));
    assert.ok(csv.some((line) => line.startsWith("II,E_BACKUP,,kWh,missing,,not declared")));
    const html = eedReportHtml(report);
    assert.match(html, /<h1>EU Energy Efficiency Directive — data-centre report 2026<\/h1>/);
    assert.match(html, /No monthly figures/);
  });

  it("leaves indicators missing when their inputs are, and names which", () => {
    const bare = buildEedReport(site!, 1332, 2026, { source: "simulated", totalEnergyKWh: 100, itEnergyKWh: 90 }, {});
    const ref = bare.annexIII["REF"];
    assert.equal(ref?.status, "missing");
    assert.match(ref.status === "missing" ? ref.why : "", /numerator missing/);
    assert.equal(bare.annexIII["WUE"]?.status, "missing");
    assert.ok(Math.abs(Number(value(bare.annexIII["PUE"])) - 100 / 90) < 1e-12);
  });
});
