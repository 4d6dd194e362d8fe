/**
 * The usage meter: turns the live twin's minute history and the jobs running now into hourly usage rows in the
 * store, so attributed energy, GPU-hours, CPU-hours, water and CO2 outlive site changes (which rebuild the twin and
 * empty its history) and restarts.
 *
 * Each new minute point of the twin's history is shared out among the jobs running when the meter reads it
 * (`shareInterval` of reports/usage.ts: a job's IT energy at its estimated power, scaled down when the jobs together
 * would exceed the metered IT energy; the facility overhead by the minute's PUE; water by the share of energy; CO2
 * by the grid intensity). Totals are kept per hour in memory and flushed periodically: a flush writes each touched
 * hour's totals whole (upsert of absolute values), so a flush retried after an error, or written twice, never counts
 * twice; a crash loses at most the accrual since the last flush. An hour first touched by this process (or touched
 * again after a restart) starts from what the store already holds for it.
 *
 * One meter writes a store: with several servers on one PostgreSQL, only one should run the live twin.
 */
import type { Kysely } from "kysely";
import { shareInterval } from "../../reports/usage.ts";
import type { Database } from "../../store/schema.ts";
import type { LiveHistory, LiveTwin } from "../../twin/live.ts";
import { defaultGridIntensity } from "../../twin/results.ts";

const hourMs = 3_600_000;

/** What one running job contributes, grouped by the row key it bills to. */
export interface RunningUsage {
  readonly tenantId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly queue: string;
  /** `""` when the job's racks are in no zone. */
  readonly zoneId: string;
  /** `"none"` for work holding no GPU. */
  readonly gpuModel: string;
  readonly gpus: number;
  readonly cpuCores: number;
  /** Estimated IT power of the job's share of its racks. */
  readonly itPowerKW: number;
}

/** Running totals of one row of an hour. */
interface LineTotals {
  readonly key: RowKey;
  gpuHours: number;
  cpuHours: number;
  itKWh: number;
  overheadKWh: number;
  energyKWh: number;
  co2Kg: number;
  waterL: number;
}

/** The identifying columns of a usage row besides its hour. */
type RowKey = Pick<RunningUsage, "tenantId" | "projectId" | "userId" | "queue" | "zoneId" | "gpuModel">;

/** One hour's totals: the site's and each row's. */
interface HourTotals {
  readonly hourStartMs: number;
  /** Whether the store's earlier totals of this hour were added in (done before its first write). */
  loaded: boolean;
  dirty: boolean;
  site: { itKWh: number; totalKWh: number; waterL: number; co2Kg: number };
  readonly lines: Map<string, LineTotals>;
}

/** Options of the meter. */
export interface UsageMeterOptions {
  /** The twin in force (replaced by site changes). */
  readonly twin: () => LiveTwin | undefined;
  /** Jobs running now, with the figures they bill. */
  readonly running: () => Iterable<RunningUsage>;
  /** Grid carbon intensity at a time, gCO2/kWh (default: the twin's default intensity). */
  readonly intensityGPerKWh?: (timeMs: number) => number;
  readonly log?: (message: string) => void;
}

function keyString(key: RowKey): string {
  return JSON.stringify([key.tenantId, key.projectId, key.userId, key.queue, key.zoneId, key.gpuModel]);
}

/** Meters usage into the store; `sample()` after every twin step, `flush()` periodically and at stop. */
export class UsageMeter {
  readonly #db: Kysely<Database>;
  readonly #options: UsageMeterOptions;
  readonly #hours = new Map<number, HourTotals>();
  #twin: LiveTwin | undefined;
  /** Start time of the last history point metered from `#twin`. */
  #lastPointMs = Number.NEGATIVE_INFINITY;
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Kysely<Database>, options: UsageMeterOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** Meters the minute points the twin added since the last call (nothing when it added none). */
  sample(): void {
    const twin = this.#options.twin();
    if (twin === undefined) return;
    if (twin !== this.#twin) {
      // A new twin (site change) starts its own history: meter it from its first point.
      this.#twin = twin;
      this.#lastPointMs = Number.NEGATIVE_INFINITY;
    }
    const sinceMs = twin.timeMs - this.#lastPointMs;
    // Only the points not yet metered: ask for that many minutes (all the ring holds after a new twin).
    const history = twin.history(Number.isFinite(sinceMs) ? Math.ceil(sinceMs / 60_000) + 1 : undefined);
    const fresh: number[] = [];
    for (let point = 0; point < history.time.length; point++) {
      if (history.time[point]! > this.#lastPointMs) fresh.push(point);
    }
    if (fresh.length === 0) return;
    // Jobs are read once per call: a minute at real time, one tick of an accelerated twin.
    const groups = groupRunning(this.#options.running());
    const waterLPerH = twin.snapshot().kpis.makeUpWaterLPerH;
    const intervalMs = pointIntervalMs(history);
    for (const point of fresh) {
      this.#meterPoint(history, point, intervalMs, waterLPerH, groups);
    }
    this.#lastPointMs = history.time[fresh[fresh.length - 1]!]!;
  }

  #meterPoint(
    history: LiveHistory,
    point: number,
    intervalMs: number,
    waterLPerH: number,
    groups: readonly { key: RowKey; keyText: string; gpus: number; cpuCores: number; itPowerKW: number }[],
  ): void {
    const startMs = history.time[point]!;
    const hours = intervalMs / hourMs;
    const siteIt = history.itKW[point]! * hours;
    const siteTotal = history.facilityKW[point]! * hours;
    const water = waterLPerH * hours;
    const intensity = this.#options.intensityGPerKWh?.(startMs) ?? defaultGridIntensity;
    const hour = this.#hour(Math.floor(startMs / hourMs) * hourMs);
    hour.dirty = true;
    hour.site.itKWh += siteIt;
    hour.site.totalKWh += siteTotal;
    hour.site.waterL += water;
    hour.site.co2Kg += (siteTotal * intensity) / 1000;
    const shares = shareInterval(
      { itKWh: siteIt, totalKWh: siteTotal, waterL: water, intensityGPerKWh: intensity },
      hours,
      groups,
    );
    groups.forEach((group, index) => {
      const share = shares[index]!;
      let line = hour.lines.get(group.keyText);
      if (line === undefined) {
        line = {
          key: group.key,
          gpuHours: 0,
          cpuHours: 0,
          itKWh: 0,
          overheadKWh: 0,
          energyKWh: 0,
          co2Kg: 0,
          waterL: 0,
        };
        hour.lines.set(group.keyText, line);
      }
      line.gpuHours += share.gpuHours;
      line.cpuHours += share.cpuHours;
      line.itKWh += share.itKWh;
      line.overheadKWh += share.overheadKWh;
      line.energyKWh += share.energyKWh;
      line.co2Kg += share.co2Kg;
      line.waterL += share.waterL;
    });
  }

  #hour(hourStartMs: number): HourTotals {
    let hour = this.#hours.get(hourStartMs);
    if (hour === undefined) {
      hour = {
        hourStartMs,
        loaded: false,
        dirty: false,
        site: { itKWh: 0, totalKWh: 0, waterL: 0, co2Kg: 0 },
        lines: new Map(),
      };
      this.#hours.set(hourStartMs, hour);
    }
    return hour;
  }

  /** Writes every hour touched since the last flush; flushes run one at a time, in order. */
  flush(): Promise<void> {
    const next = this.#flushing.then(() => this.#flushOnce());
    this.#flushing = next.catch((error: Error) => this.#options.log?.(`usage flush failed: ${error.message}`));
    return next;
  }

  async #flushOnce(): Promise<void> {
    const dirty = [...this.#hours.values()].filter((hour) => hour.dirty);
    for (const hour of dirty) if (!hour.loaded) await this.#load(hour);
    if (dirty.length === 0) return;
    const now = new Date().toISOString();
    const siteRows = dirty.map((hour) => ({
      hour_start: new Date(hour.hourStartMs).toISOString(),
      it_kwh: hour.site.itKWh,
      total_kwh: hour.site.totalKWh,
      water_l: hour.site.waterL,
      co2_kg: hour.site.co2Kg,
      updated_at: now,
    }));
    const lineRows = dirty.flatMap((hour) =>
      [...hour.lines.values()].map((line) => ({
        hour_start: new Date(hour.hourStartMs).toISOString(),
        tenant_id: line.key.tenantId,
        project_id: line.key.projectId,
        user_id: line.key.userId,
        queue: line.key.queue,
        zone_id: line.key.zoneId,
        gpu_model: line.key.gpuModel,
        gpu_hours: line.gpuHours,
        cpu_hours: line.cpuHours,
        it_kwh: line.itKWh,
        overhead_kwh: line.overheadKWh,
        energy_kwh: line.energyKWh,
        co2_kg: line.co2Kg,
        water_l: line.waterL,
        updated_at: now,
      })),
    );
    // Clean before the write: accrual during it marks the hour dirty again for the next flush.
    for (const hour of dirty) hour.dirty = false;
    try {
      await this.#db.transaction().execute(async (transaction) => {
        for (let start = 0; start < siteRows.length; start += 500) {
          await transaction
            .insertInto("usage_site_hourly")
            .values(siteRows.slice(start, start + 500))
            .onConflict((conflict) =>
              conflict.column("hour_start").doUpdateSet((update) => ({
                it_kwh: update.ref("excluded.it_kwh"),
                total_kwh: update.ref("excluded.total_kwh"),
                water_l: update.ref("excluded.water_l"),
                co2_kg: update.ref("excluded.co2_kg"),
                updated_at: update.ref("excluded.updated_at"),
              })),
            )
            .execute();
        }
        for (let start = 0; start < lineRows.length; start += 500) {
          await transaction
            .insertInto("usage_hourly")
            .values(lineRows.slice(start, start + 500))
            .onConflict((conflict) =>
              conflict
                .columns(["hour_start", "tenant_id", "project_id", "user_id", "queue", "zone_id", "gpu_model"])
                .doUpdateSet((update) => ({
                  gpu_hours: update.ref("excluded.gpu_hours"),
                  cpu_hours: update.ref("excluded.cpu_hours"),
                  it_kwh: update.ref("excluded.it_kwh"),
                  overhead_kwh: update.ref("excluded.overhead_kwh"),
                  energy_kwh: update.ref("excluded.energy_kwh"),
                  co2_kg: update.ref("excluded.co2_kg"),
                  water_l: update.ref("excluded.water_l"),
                  updated_at: update.ref("excluded.updated_at"),
                })),
            )
            .execute();
        }
      });
    } catch (error) {
      for (const hour of dirty) hour.dirty = true;
      throw error;
    }
    // Hours left behind by the twin's clock are done: drop them (a later touch reloads them from the store).
    const currentHourMs = Math.floor((this.#twin?.timeMs ?? Date.now()) / hourMs) * hourMs;
    for (const [start, hour] of this.#hours) {
      if (!hour.dirty && start < currentHourMs - hourMs) this.#hours.delete(start);
    }
  }

  /** Adds what the store already holds of an hour (from before a restart, or an earlier twin) to its totals. */
  async #load(hour: HourTotals): Promise<void> {
    const hourStart = new Date(hour.hourStartMs).toISOString();
    const [site, lines] = await Promise.all([
      this.#db.selectFrom("usage_site_hourly").selectAll().where("hour_start", "=", hourStart).executeTakeFirst(),
      this.#db.selectFrom("usage_hourly").selectAll().where("hour_start", "=", hourStart).execute(),
    ]);
    if (site !== undefined) {
      hour.site.itKWh += Number(site.it_kwh);
      hour.site.totalKWh += Number(site.total_kwh);
      hour.site.waterL += Number(site.water_l);
      hour.site.co2Kg += Number(site.co2_kg);
    }
    for (const row of lines) {
      const key: RowKey = {
        tenantId: row.tenant_id,
        projectId: row.project_id,
        userId: row.user_id,
        queue: row.queue,
        zoneId: row.zone_id,
        gpuModel: row.gpu_model,
      };
      const keyText = keyString(key);
      const line = hour.lines.get(keyText) ?? {
        key,
        gpuHours: 0,
        cpuHours: 0,
        itKWh: 0,
        overheadKWh: 0,
        energyKWh: 0,
        co2Kg: 0,
        waterL: 0,
      };
      line.gpuHours += Number(row.gpu_hours);
      line.cpuHours += Number(row.cpu_hours);
      line.itKWh += Number(row.it_kwh);
      line.overheadKWh += Number(row.overhead_kwh);
      line.energyKWh += Number(row.energy_kwh);
      line.co2Kg += Number(row.co2_kg);
      line.waterL += Number(row.water_l);
      hour.lines.set(keyText, line);
    }
    hour.loaded = true;
  }
}

/** The interval of the history's points (the twin's default minute when it holds fewer than two). */
function pointIntervalMs(history: LiveHistory): number {
  const count = history.time.length;
  return count >= 2 ? history.time[count - 1]! - history.time[count - 2]! : 60_000;
}

/** Running jobs summed by the row they bill to. */
function groupRunning(
  running: Iterable<RunningUsage>,
): { key: RowKey; keyText: string; gpus: number; cpuCores: number; itPowerKW: number }[] {
  const groups = new Map<string, { key: RowKey; keyText: string; gpus: number; cpuCores: number; itPowerKW: number }>();
  for (const job of running) {
    const keyText = keyString(job);
    let group = groups.get(keyText);
    if (group === undefined) {
      const { tenantId, projectId, userId, queue, zoneId, gpuModel } = job;
      group = {
        key: { tenantId, projectId, userId, queue, zoneId, gpuModel },
        keyText,
        gpus: 0,
        cpuCores: 0,
        itPowerKW: 0,
      };
      groups.set(keyText, group);
    }
    group.gpus += job.gpus;
    group.cpuCores += job.cpuCores;
    group.itPowerKW += job.itPowerKW;
  }
  return [...groups.values()];
}
