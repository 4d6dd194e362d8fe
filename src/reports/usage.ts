/**
 * Usage and chargeback per tenant and project: GPU-hours by model, CPU-hours, energy attributed (the job's IT energy
 * plus the facility overhead by the PUE of the interval), CO2, water, queueing and preemptions. The live platform
 * meters it minute by minute (app/usage/meter.ts) and stores it hourly; attribution closes: consumers' energy + idle
 * IT + idle overhead = site energy.
 */

import { csvField } from "../core/csv.ts";

/** A tenant's or project's usage over a period. */
export interface UsageLine {
  readonly tenantId: string;
  readonly projectId: string | undefined;
  readonly jobs: number;
  readonly gpuHoursByModel: Record<string, number>;
  readonly cpuHours: number;
  readonly itEnergyKWh: number;
  readonly overheadEnergyKWh: number;
  readonly energyKWh: number;
  readonly co2Kg: number;
  readonly waterL: number;
  readonly meanQueueingS: number;
  readonly preemptions: number;
}

/** The site's metered figures over one interval (a minute of the live twin's history). */
export interface IntervalSite {
  readonly itKWh: number;
  readonly totalKWh: number;
  /** Water input over the interval, litres (make-up and evaporation). */
  readonly waterL: number;
  /** Grid carbon intensity, gCO2/kWh. */
  readonly intensityGPerKWh: number;
}

/** What one consumer (a job, or jobs billed together) held during the interval. */
export interface IntervalDemand {
  /** Estimated IT power of its share of its racks (from placement and rack power). */
  readonly itPowerKW: number;
  /** GPUs held (fractions allowed). */
  readonly gpus: number;
  readonly cpuCores: number;
}

/** What one consumer is billed for the interval. */
export interface IntervalShare {
  readonly gpuHours: number;
  readonly cpuHours: number;
  readonly itKWh: number;
  readonly overheadKWh: number;
  readonly energyKWh: number;
  readonly co2Kg: number;
  readonly waterL: number;
}

/**
 * Shares one interval of `hours` among the consumers running in it: each one's IT energy at its estimated power,
 * scaled down when together they would exceed the metered IT energy (attribution never exceeds what was metered);
 * the facility overhead by the interval's PUE; water by share of the site's energy; CO2 at the grid intensity.
 * What no consumer takes is the site's idle energy.
 */
export function shareInterval(site: IntervalSite, hours: number, demands: readonly IntervalDemand[]): IntervalShare[] {
  let demand = 0;
  for (const consumer of demands) demand += consumer.itPowerKW * hours;
  const short = demand > site.itKWh;
  const pue = site.itKWh > 0 ? site.totalKWh / site.itKWh : 1;
  return demands.map((consumer) => {
    // When the jobs' estimates exceed what was metered, each gets the metered IT times its share of the estimates
    // (a fraction ≤ 1 first, so that tiny or subnormal meter readings never round a share above the reading).
    const estimate = consumer.itPowerKW * hours;
    const it = short ? (demand > 0 ? site.itKWh * (estimate / demand) : 0) : estimate;
    const energy = it * pue;
    return {
      gpuHours: consumer.gpus * hours,
      cpuHours: consumer.cpuCores * hours,
      itKWh: it,
      overheadKWh: energy - it,
      energyKWh: energy,
      co2Kg: (energy * site.intensityGPerKWh) / 1000,
      // Water by share of energy, which is the share of IT (one PUE for the interval), capped at the whole.
      waterL: site.itKWh > 0 ? Math.min(1, it / site.itKWh) * site.waterL : 0,
    };
  });
}

/** GPU models with hours in any of the lines, sorted: one `gpu_hours_<model>` column each. */
export function usageModels(lines: Iterable<UsageLine>): string[] {
  const models = new Set<string>();
  for (const line of lines) for (const model of Object.keys(line.gpuHoursByModel)) models.add(model);
  return [...models].sort();
}

/** Column names shared by every usage CSV, from tenant to water. */
export function usageColumns(models: readonly string[]): string[] {
  return [
    "tenant",
    "project",
    "jobs",
    ...models.map((model) => `gpu_hours_${model}`),
    "cpu_hours",
    "it_energy_kwh",
    "overhead_energy_kwh",
    "energy_kwh",
    "co2_kg",
    "water_l",
  ];
}

/** A line's cells for `usageColumns`, quoted where needed. */
export function usageCells(line: UsageLine, models: readonly string[]): string[] {
  return [
    csvField(line.tenantId),
    csvField(line.projectId ?? ""),
    String(line.jobs),
    ...models.map((model) => (line.gpuHoursByModel[model] ?? 0).toFixed(3)),
    line.cpuHours.toFixed(3),
    line.itEnergyKWh.toFixed(3),
    line.overheadEnergyKWh.toFixed(3),
    line.energyKWh.toFixed(3),
    line.co2Kg.toFixed(3),
    line.waterL.toFixed(3),
  ];
}

/** Usage lines as CSV, one row per tenant or project. */
export function usageCsv(lines: readonly UsageLine[]): string {
  const models = usageModels(lines);
  const header = [...usageColumns(models), "mean_queueing_s", "preemptions"];
  const rows = lines.map((line) =>
    [...usageCells(line, models), line.meanQueueingS.toFixed(1), String(line.preemptions)].join(","),
  );
  return `${[header.join(","), ...rows].join("\n")}\n`;
}
