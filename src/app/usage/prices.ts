/**
 * Prices of monthly statements: an operator may set a price per kWh of attributed energy (IT plus its share of the
 * facility overhead), per GPU-hour (by model, `*` for any other) and per CPU-core-hour. Without prices a statement
 * carries quantities only (`cost: null`). Given as JSON in ALIXAN_USAGE_PRICES, e.g.
 * `{"currency":"EUR","energyPerKWh":0.11,"gpuHour":{"H200":2.4,"*":1.8},"cpuCoreHour":0.01}`.
 */
import { type Static, Type } from "typebox";
import { formatPath } from "../../model/diagnostics.ts";
import { checkSchema } from "../../model/schema-check.ts";

const price = Type.Number({ minimum: 0, maximum: 1_000_000 });

/** The price list's schema (one source for the decoder and the API's answer). */
export const usagePricesSchema = Type.Object(
  {
    currency: Type.String({ pattern: "^[A-Z]{3}$", description: "ISO 4217 code" }),
    energyPerKWh: Type.Optional(price),
    gpuHour: Type.Optional(Type.Record(Type.String({ pattern: "^[A-Za-z0-9*._-]{1,40}$" }), price)),
    cpuCoreHour: Type.Optional(price),
  },
  { additionalProperties: false },
);

/** Prices of monthly statements. */
export type UsagePrices = Static<typeof usagePricesSchema>;

/** The prices in `text` (JSON), or the problems naming the field. */
export function parseUsagePrices(text: string): { prices?: UsagePrices; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [`ALIXAN_USAGE_PRICES: not JSON (${(error as Error).message})`] };
  }
  const problems = checkSchema(usagePricesSchema, value, { nullIsAbsent: false }).problems.map(
    (problem) =>
      `ALIXAN_USAGE_PRICES${problem.path.length === 0 ? "" : `.${formatPath(problem.path)}`}: ${problem.message}`,
  );
  return problems.length > 0 ? { problems } : { prices: value as UsagePrices, problems };
}

/** A statement's cost under the prices: energy, GPU-hours (by model), CPU-hours, and their total. */
export function costOf(
  prices: UsagePrices,
  line: { energyKWh: number; gpuHoursByModel: Record<string, number>; cpuHours: number },
): { currency: string; energy: number; gpu: number; cpu: number; total: number } {
  const energy = line.energyKWh * (prices.energyPerKWh ?? 0);
  let gpu = 0;
  for (const [model, hours] of Object.entries(line.gpuHoursByModel)) {
    gpu += hours * (prices.gpuHour?.[model] ?? prices.gpuHour?.["*"] ?? 0);
  }
  const cpu = line.cpuHours * (prices.cpuCoreHour ?? 0);
  const cents = (amount: number) => Math.round(amount * 100) / 100;
  return {
    currency: prices.currency,
    energy: cents(energy),
    gpu: cents(gpu),
    cpu: cents(cpu),
    total: cents(energy) + cents(gpu) + cents(cpu),
  };
}
