import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  capacityRateKwPerK,
  designRiseLaw,
  type FlowLaw,
  implicitMixedC,
  integralTrimLimit,
  integralTrimStep,
  minimumTargetRiseK,
  pumpSpeed,
  relativeDemand,
  relativeDemandFromLog,
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

  it("the calibration's exp/log form of the law agrees with the power form", () => {
    const base: FlowLaw = {
      referenceHeatKw: 650,
      referenceSupplyC: 20.4,
      referenceRiseK: 9.9,
      heatExponent: 0.52,
      supplyTracking: 0.39,
    };
    for (const heatExponent of [0, 0.15, 0.52, 1, 1.7]) {
      const law = { ...base, heatExponent };
      for (const heatKw of [1, 180, 650, 1400]) {
        for (const supplyC of [18, 20.4, 23]) {
          const exact = relativeDemand(law, heatKw, supplyC);
          const fast = relativeDemandFromLog(law, heatKw, Math.log(heatKw) - Math.log(650), supplyC);
          assert.ok(Math.abs(fast / exact - 1) < 1e-13, `e ${heatExponent}, Q ${heatKw}: ${fast} against ${exact}`);
        }
      }
    }
    // e = 1 takes the exact path (bit for bit, the twin's own law); no heat with e = 0 is 0^0 = 1, not NaN.
    const proportional = { ...base, heatExponent: 1 };
    assert.equal(
      relativeDemandFromLog(proportional, 300, Math.log(300 / 650), 21),
      relativeDemand(proportional, 300, 21),
    );
    const constant = { ...base, heatExponent: 0 };
    assert.equal(relativeDemandFromLog(constant, 0, Math.log(0), 21), relativeDemand(constant, 0, 21));
  });

  it("the integral trim integrates the return error over R_ref · T_i, within its anti-windup bound", () => {
    // 1 K above the set-point for an hour with R_ref 10 K and T_i 1 day: z grows by 3600 / (10 · 86400).
    assert.ok(Math.abs(integralTrimStep(0, 31, 30, 10, 86_400, 3600) - 3600 / 864_000) < 1e-15);
    // Below the set-point the trim takes flow away (z falls), by the same rule.
    assert.ok(Math.abs(integralTrimStep(0.1, 29.5, 30, 10, 86_400, 3600) - (0.1 - 1800 / 864_000)) < 1e-15);
    // No integral action: z never moves.
    assert.equal(integralTrimStep(0.2, 45, 30, 10, Number.POSITIVE_INFINITY, 60), 0.2);
    // A return that cannot reach the set-point winds z only to the bound, both ways.
    let z = 0;
    for (let step = 0; step < 10_000; step++) z = integralTrimStep(z, 40, 30, 10, 3600, 60);
    assert.equal(z, integralTrimLimit);
    for (let step = 0; step < 10_000; step++) z = integralTrimStep(z, 20, 30, 10, 3600, 60);
    assert.equal(z, -integralTrimLimit);
    assert.ok(Math.abs(Math.exp(integralTrimLimit) - 3) < 1e-12);
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
