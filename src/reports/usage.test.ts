import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { attributeUsage, type HourlySite, type JobUsage, usageCsv } from "./usage.ts";

const hour = 3_600_000;

function site(hours: number, itKWh: number[], totalKWh: number[]): HourlySite {
  return {
    hourStartMs: Float64Array.from({ length: hours }, (_, index) => index * hour),
    itKWh: Float64Array.from(itKWh),
    totalKWh: Float64Array.from(totalKWh),
    waterL: new Float64Array(hours).fill(10),
    intensityGPerKWh: new Float64Array(hours).fill(30),
  };
}

const job = (overrides: Partial<JobUsage>): JobUsage => ({
  jobId: "j",
  tenantId: "t",
  projectId: "p",
  gpuModel: "H200",
  gpus: 8,
  itPowerKW: 10,
  submittedMs: 0,
  startMs: 0,
  endMs: hour,
  preemptions: 0,
  ...overrides,
});

describe("usage attribution", () => {
  it("hand-computed: two tenants over two hours", () => {
    // Hour 0: IT 100 kWh, total 120 (PUE 1.2). Hour 1: IT 100, total 150 (PUE 1.5).
    // Job a (tenant x): 10 kW for both hours → IT 20 kWh, overhead 2 + 5 = 7 kWh.
    // Job b (tenant y): 40 kW in hour 1 only, queued 30 min → IT 40 kWh, overhead 20 kWh.
    const report = attributeUsage(
      site(2, [100, 100], [120, 150]),
      [
        job({ jobId: "a", tenantId: "x", endMs: 2 * hour }),
        job({
          jobId: "b",
          tenantId: "y",
          gpus: 4,
          itPowerKW: 40,
          submittedMs: hour / 2,
          startMs: hour,
          endMs: 2 * hour,
          preemptions: 1,
        }),
      ],
      0,
      2 * hour,
    );
    const [x, y] = report.tenants;
    assert.equal(x?.itEnergyKWh, 20);
    assert.ok(Math.abs(x!.overheadEnergyKWh - 7) < 1e-9);
    assert.equal(x?.gpuHoursByModel["H200"], 16);
    assert.equal(y?.itEnergyKWh, 40);
    assert.ok(Math.abs(y!.overheadEnergyKWh - 20) < 1e-9);
    assert.equal(y?.meanQueueingS, 1800);
    assert.equal(y?.preemptions, 1);
    assert.ok(Math.abs(y!.co2Kg - (60 * 30) / 1000) < 1e-9);
    assert.equal(report.idleItEnergyKWh, 140);
    assert.equal(report.siteEnergyKWh, 270);
    assert.match(usageCsv(report.tenants), /^tenant,project,jobs,gpu_hours_H200,/);
  });

  it("tenants + idle + overhead equals site energy, and never exceeds metered IT", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 48 }).chain((hours) =>
          fc.tuple(
            fc.constant(hours),
            fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: hours, maxLength: hours }),
            fc.array(fc.double({ min: 1, max: 2, noNaN: true }), { minLength: hours, maxLength: hours }),
            fc.array(
              fc.record({
                tenant: fc.constantFrom("a", "b", "c"),
                start: fc.double({ min: 0, max: hours, noNaN: true }),
                length: fc.double({ min: 0, max: hours, noNaN: true }),
                power: fc.double({ min: 0, max: 800, noNaN: true }),
              }),
              { maxLength: 30 },
            ),
          ),
        ),
        ([hours, it, pue, runs]) => {
          const total = it.map((value, index) => value * pue[index]!);
          const jobs = runs.map((run, index) =>
            job({
              jobId: `j${index}`,
              tenantId: run.tenant,
              startMs: run.start * hour,
              endMs: (run.start + run.length) * hour,
              itPowerKW: run.power,
            }),
          );
          const report = attributeUsage(site(hours, it, total), jobs, 0, hours * hour);
          const attributed = report.tenants.reduce((sum, line) => sum + line.energyKWh, 0);
          const sum = attributed + report.idleItEnergyKWh + report.idleOverheadEnergyKWh;
          assert.ok(
            Math.abs(sum - report.siteEnergyKWh) <= 1e-6 * Math.max(1, report.siteEnergyKWh),
            `${sum} vs ${report.siteEnergyKWh}`,
          );
          assert.ok(report.idleItEnergyKWh >= -1e-6 * Math.max(1, report.siteItEnergyKWh));
          const projects = report.projects.reduce((sum, line) => sum + line.energyKWh, 0);
          assert.ok(Math.abs(projects - attributed) <= 1e-6 * Math.max(1, attributed));
        },
      ),
      { numRuns: 300 },
    );
  });
});
