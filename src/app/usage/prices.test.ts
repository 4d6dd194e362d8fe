import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { costOf, parseUsagePrices } from "./prices.ts";

describe("usage prices", () => {
  it("reads a price list and prices a statement line by model, with * for other models", () => {
    const { prices, problems } = parseUsagePrices(
      '{"currency":"EUR","energyPerKWh":0.1,"gpuHour":{"H200":3,"*":1},"cpuCoreHour":0.01}',
    );
    assert.deepEqual(problems, []);
    const cost = costOf(prices!, { energyKWh: 1000, gpuHoursByModel: { H200: 10, GB300: 5 }, cpuHours: 100 });
    assert.deepEqual(cost, { currency: "EUR", energy: 100, gpu: 35, cpu: 1, total: 136 });
  });
  it("names the field of a bad price list", () => {
    assert.match(parseUsagePrices("{").problems[0]!, /^ALIXAN_USAGE_PRICES: not JSON/);
    assert.match(parseUsagePrices('{"currency":"euro"}').problems.join(), /ALIXAN_USAGE_PRICES\.currency/);
    assert.match(
      parseUsagePrices('{"currency":"EUR","energyPerKWh":-1}').problems.join(),
      /ALIXAN_USAGE_PRICES\.energyPerKWh/,
    );
    assert.match(parseUsagePrices('{"currency":"EUR","free":1}').problems.join(), /ALIXAN_USAGE_PRICES/);
  });
});
