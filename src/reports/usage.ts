/**
 * Usage and chargeback per tenant and project: GPU-hours by model, energy attributed (the job's IT energy plus the
 * facility overhead by the PUE of each hour), CO2, water, queueing and preemptions. Attribution closes exactly:
 * tenants' energy + idle IT + idle overhead = site energy, hour by hour.
 */

/** Site energy per hour over the period, from telemetry or a twin run. */
export interface HourlySite {
  /** Start of each hour, epoch ms: consecutive hours. */
  readonly hourStartMs: Float64Array;
  readonly itKWh: Float64Array;
  readonly totalKWh: Float64Array;
  /** Water input per hour, litres (make-up and evaporation). */
  readonly waterL: Float64Array;
  /** Grid carbon intensity per hour, gCO2/kWh. */
  readonly intensityGPerKWh: Float64Array;
}

/** One job's use of the site: its run interval and the IT power of the resources it held. */
export interface JobUsage {
  readonly jobId: string;
  readonly tenantId: string;
  readonly projectId: string;
  readonly gpuModel: string;
  /** GPUs held (fractions allowed). */
  readonly gpus: number;
  /** IT power of the job's share of its racks, kW (from placement and rack power). */
  readonly itPowerKW: number;
  readonly submittedMs: number;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  readonly preemptions: number;
}

/** A tenant's or project's usage over the period. */
export interface UsageLine {
  readonly tenantId: string;
  readonly projectId: string | undefined;
  readonly jobs: number;
  readonly gpuHoursByModel: Record<string, number>;
  readonly itEnergyKWh: number;
  readonly overheadEnergyKWh: number;
  readonly energyKWh: number;
  readonly co2Kg: number;
  readonly waterL: number;
  readonly meanQueueingS: number;
  readonly preemptions: number;
}

/** The whole attribution. */
export interface UsageReport {
  readonly fromMs: number;
  readonly toMs: number;
  readonly tenants: readonly UsageLine[];
  readonly projects: readonly UsageLine[];
  readonly idleItEnergyKWh: number;
  readonly idleOverheadEnergyKWh: number;
  readonly siteEnergyKWh: number;
  readonly siteItEnergyKWh: number;
}

const hourMs = 3_600_000;

/** A usage line while it is summed. */
interface Accumulator {
  readonly tenantId: string;
  readonly projectId: string | undefined;
  jobs: number;
  readonly gpuHoursByModel: Record<string, number>;
  itEnergyKWh: number;
  overheadEnergyKWh: number;
  energyKWh: number;
  co2Kg: number;
  waterL: number;
  queueingTotalS: number;
  started: number;
  preemptions: number;
}

function emptyLine(tenantId: string, projectId: string | undefined): Accumulator {
  return {
    tenantId,
    projectId,
    jobs: 0,
    gpuHoursByModel: {},
    itEnergyKWh: 0,
    overheadEnergyKWh: 0,
    energyKWh: 0,
    co2Kg: 0,
    waterL: 0,
    queueingTotalS: 0,
    started: 0,
    preemptions: 0,
  };
}

/**
 * Attributes the site's energy to jobs hour by hour. When the jobs' estimated IT power exceeds the metered IT
 * energy of an hour, their shares are scaled down so that attribution never exceeds what was metered.
 */
export function attributeUsage(site: HourlySite, jobs: readonly JobUsage[], fromMs: number, toMs: number): UsageReport {
  const hours = site.hourStartMs.length;
  // IT energy the jobs would use in each hour at their estimated power.
  const demand = new Float64Array(hours);
  const overlaps: { job: number; hour: number; hours: number }[] = [];
  jobs.forEach((job, index) => {
    if (job.startMs === undefined) return;
    const start = Math.max(job.startMs, fromMs);
    const end = Math.min(job.endMs ?? toMs, toMs);
    if (end <= start) return;
    // Hours are consecutive: visit only those the run overlaps, not every hour of the period.
    const firstHour = Math.max(0, Math.floor((start - site.hourStartMs[0]!) / hourMs));
    const lastHour = Math.min(hours - 1, Math.floor((end - site.hourStartMs[0]!) / hourMs));
    for (let hour = firstHour; hour <= lastHour; hour++) {
      const hourStart = site.hourStartMs[hour]!;
      const overlap = Math.min(end, hourStart + hourMs) - Math.max(start, hourStart);
      if (overlap <= 0) continue;
      const overlapHours = overlap / hourMs;
      overlaps.push({ job: index, hour, hours: overlapHours });
      demand[hour]! += job.itPowerKW * overlapHours;
    }
  });
  const scale = new Float64Array(hours);
  for (let hour = 0; hour < hours; hour++) {
    scale[hour] = demand[hour]! > site.itKWh[hour]! ? site.itKWh[hour]! / demand[hour]! : 1;
  }

  const tenants = new Map<string, Accumulator>();
  const projects = new Map<string, Accumulator>();
  const lineOf = (map: typeof tenants, key: string, tenantId: string, projectId: string | undefined) => {
    let line = map.get(key);
    if (line === undefined) {
      line = emptyLine(tenantId, projectId);
      map.set(key, line);
    }
    return line;
  };
  const attributedIt = new Float64Array(hours);
  for (const { job: index, hour, hours: overlapHours } of overlaps) {
    const job = jobs[index]!;
    const it = job.itPowerKW * overlapHours * scale[hour]!;
    const pue = site.itKWh[hour]! > 0 ? site.totalKWh[hour]! / site.itKWh[hour]! : 1;
    const overhead = it * (pue - 1);
    const energy = it + overhead;
    const share = site.totalKWh[hour]! > 0 ? energy / site.totalKWh[hour]! : 0;
    attributedIt[hour]! += it;
    for (const line of [
      lineOf(tenants, job.tenantId, job.tenantId, undefined),
      lineOf(projects, `${job.tenantId}/${job.projectId}`, job.tenantId, job.projectId),
    ]) {
      line.gpuHoursByModel[job.gpuModel] = (line.gpuHoursByModel[job.gpuModel] ?? 0) + job.gpus * overlapHours;
      line.itEnergyKWh += it;
      line.overheadEnergyKWh += overhead;
      line.energyKWh += energy;
      line.co2Kg += (energy * site.intensityGPerKWh[hour]!) / 1000;
      line.waterL += share * site.waterL[hour]!;
    }
  }
  for (const job of jobs) {
    if (job.submittedMs >= toMs || (job.endMs !== undefined && job.endMs < fromMs)) continue;
    for (const line of [
      lineOf(tenants, job.tenantId, job.tenantId, undefined),
      lineOf(projects, `${job.tenantId}/${job.projectId}`, job.tenantId, job.projectId),
    ]) {
      line.jobs += 1;
      line.preemptions += job.preemptions;
      if (job.startMs !== undefined) {
        line.queueingTotalS += (job.startMs - job.submittedMs) / 1000;
        line.started += 1;
      }
    }
  }
  let idleIt = 0;
  let idleOverhead = 0;
  let siteEnergy = 0;
  let siteIt = 0;
  for (let hour = 0; hour < hours; hour++) {
    const idle = site.itKWh[hour]! - attributedIt[hour]!;
    const pue = site.itKWh[hour]! > 0 ? site.totalKWh[hour]! / site.itKWh[hour]! : 1;
    idleIt += idle;
    idleOverhead += site.itKWh[hour]! > 0 ? idle * (pue - 1) : site.totalKWh[hour]!;
    siteEnergy += site.totalKWh[hour]!;
    siteIt += site.itKWh[hour]!;
  }
  const finish = ({ queueingTotalS, started, ...rest }: Accumulator): UsageLine => ({
    ...rest,
    meanQueueingS: started > 0 ? queueingTotalS / started : 0,
  });
  return {
    fromMs,
    toMs,
    tenants: [...tenants.values()].map(finish).sort((a, b) => a.tenantId.localeCompare(b.tenantId)),
    projects: [...projects.values()]
      .map(finish)
      .sort((a, b) => `${a.tenantId}/${a.projectId}`.localeCompare(`${b.tenantId}/${b.projectId}`)),
    idleItEnergyKWh: idleIt,
    idleOverheadEnergyKWh: idleOverhead,
    siteEnergyKWh: siteEnergy,
    siteItEnergyKWh: siteIt,
  };
}

/** Usage lines as CSV, one row per tenant or project. */
export function usageCsv(lines: readonly UsageLine[]): string {
  const models = [...new Set(lines.flatMap((line) => Object.keys(line.gpuHoursByModel)))].sort();
  const header = [
    "tenant",
    "project",
    "jobs",
    ...models.map((model) => `gpu_hours_${model}`),
    "it_energy_kwh",
    "overhead_energy_kwh",
    "energy_kwh",
    "co2_kg",
    "water_l",
    "mean_queueing_s",
    "preemptions",
  ];
  const rows = lines.map((line) =>
    [
      line.tenantId,
      line.projectId ?? "",
      String(line.jobs),
      ...models.map((model) => (line.gpuHoursByModel[model] ?? 0).toFixed(3)),
      line.itEnergyKWh.toFixed(3),
      line.overheadEnergyKWh.toFixed(3),
      line.energyKWh.toFixed(3),
      line.co2Kg.toFixed(3),
      line.waterL.toFixed(3),
      line.meanQueueingS.toFixed(1),
      String(line.preemptions),
    ].join(","),
  );
  return `${[header.join(","), ...rows].join("\n")}\n`;
}
