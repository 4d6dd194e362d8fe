import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { capacityRateKwPerK, designRiseLaw, type FlowLaw, implicitMixedC, pumpSpeed, relativeDemand } from "./loop.ts";

describe("loop equations shared by the kernel and the calibration", () => {
  it("clamps the pump speed between the minimum and full speed", () => {
    assert.equal(pumpSpeed(0.1, 0.3), 0.3);
    assert.equal(pumpSpeed(0.55, 0.3), 0.55);
    assert.equal(pumpSpeed(1.7, 0.3), 1);
  });

  it("the twin's design-rise law carries any heat at the design rise", () => {
    const law = designRiseLaw(12, 800, 30);
    for (const heatKw of [200, 800, 1500]) {
      for (const supplyC of [20, 30, 40]) {
        assert.ok(Math.abs(heatKw / capacityRateKwPerK(law, heatKw, supplyC) - 12) < 1e-12);
        assert.ok(Math.abs(relativeDemand(law, heatKw, supplyC) - heatKw / 800) < 1e-12);
      }
    }
  });

  it("the general law moves the capacity rate with heat^e and exp(k · supply)", () => {
    const law: FlowLaw = {
      referenceHeatKw: 700,
      referenceSupplyC: 22,
      referenceRiseK: 14,
      heatExponent: 0.5,
      supplyCoefficientPerK: 0.07,
    };
    assert.ok(Math.abs(capacityRateKwPerK(law, 700, 22) - 50) < 1e-12);
    // Four times the heat, double the flow: the rise doubles.
    assert.ok(Math.abs(2800 / capacityRateKwPerK(law, 2800, 22) - 28) < 1e-9);
    // One kelvin warmer supply: 7.25 % more flow, the rise falls by the same factor.
    assert.ok(Math.abs(capacityRateKwPerK(law, 700, 23) / 50 - Math.exp(0.07)) < 1e-12);
  });

  it("the implicit coolant mass settles at sink + heat / conductance and moves by what it stores", () => {
    const heatKw = 500;
    const conductance = 40;
    const storage = 2000 / 60;
    let temperatureC = 20;
    for (let step = 0; step < 2000; step++) {
      const next = implicitMixedC(temperatureC, heatKw, conductance, 20, storage);
      // Energy balance of the step: stored = in − out at the new temperature (backward Euler).
      const stored = storage * (next - temperatureC);
      assert.ok(Math.abs(stored - (heatKw - conductance * (next - 20))) < 1e-9);
      temperatureC = next;
    }
    assert.ok(Math.abs(temperatureC - (20 + heatKw / conductance)) < 1e-9);
  });
});
