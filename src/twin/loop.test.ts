import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  capacityRateKwPerK,
  designRiseLaw,
  type FlowLaw,
  implicitMixedC,
  minimumTargetRiseK,
  pumpSpeed,
  relativeDemand,
  steadyRiseK,
  targetRiseK,
} from "./loop.ts";

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

  it("the general law follows heat as Q^e and takes h of a supply change out of the rise", () => {
    const law: FlowLaw = {
      referenceHeatKw: 700,
      referenceSupplyC: 22,
      referenceRiseK: 14,
      heatExponent: 0.5,
      supplyTracking: 0,
    };
    assert.ok(Math.abs(capacityRateKwPerK(law, 700, 22) - 50) < 1e-12);
    // Four times the heat, double the flow: the rise doubles.
    assert.ok(Math.abs(steadyRiseK(law, 2800, 22) - 28) < 1e-9);
    // h = 1 holds the return temperature: 2 K warmer supply, 2 K less rise (at the reference heat).
    const held: FlowLaw = { ...law, heatExponent: 1, supplyTracking: 1 };
    for (const heatKw of [400, 700, 1000]) {
      for (const supplyC of [18, 22, 26]) {
        assert.ok(Math.abs(supplyC + steadyRiseK(held, heatKw, supplyC) - 36) < 1e-9);
      }
    }
    // h = 0.5: half of a supply change reaches the return.
    assert.ok(Math.abs(steadyRiseK({ ...held, supplyTracking: 0.5 }, 700, 24) - 13) < 1e-9);
    // A supply at or above the held return temperature keeps a small positive rise instead of dividing by zero.
    assert.equal(targetRiseK(held, 40), minimumTargetRiseK);
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
