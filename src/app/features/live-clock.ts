/**
 * The live twin's clock: the twin of the site in force stepped to wall-clock time (or accelerated), its latest
 * snapshot handed to the scheduler and to every listener, the per-rack fields served from a cache cleared each step,
 * and the plant, loop and site figures published to telemetry every 10 s. Routes read it (live-routes.ts); nothing
 * here knows HTTP.
 */
import { AppError } from "../../core/errors.ts";
import type { Site } from "../../model/site.ts";
import { rackIndex } from "../../server/routes/site.ts";
import type { Reply } from "../../server/schemas.ts";
import { SampleBuffer } from "../../telemetry/samples.ts";
import type { SeriesRegistry } from "../../telemetry/series.ts";
import { type Labels, RejectionList } from "../../telemetry/types.ts";
import { type LiveSnapshot, LiveTwin } from "../../twin/live.ts";
import type { LiveCoupling } from "./live.ts";
import type { SiteStateSchema } from "./live-schemas.ts";
import type { TelemetryFeature } from "./telemetry.ts";

/** Fields of the per-rack state. */
export const rackStateFields = [
  "powerKW",
  "utilisation",
  "tcsSupplyC",
  "tcsReturnC",
  "headroomKW",
  "loopHeadroom",
  "throttle",
  "running",
] as const;
/** One field of the per-rack state. */
export type RackField = (typeof rackStateFields)[number];
const units: Record<RackField, string> = {
  powerKW: "kW",
  utilisation: "fraction",
  tcsSupplyC: "degC",
  tcsReturnC: "degC",
  headroomKW: "kW",
  loopHeadroom: "fraction",
  throttle: "fraction",
  running: "fraction",
};

/** Seconds of wall clock between two publications of the twin's figures to telemetry. */
const publishEveryMs = 10_000;

/** `value` rounded to `digits` decimals (figures are served in hundredths unless said otherwise). */
export const round = (value: number, digits = 2) => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

function roundedArray(values: Float32Array): number[] {
  const out = new Array<number>(values.length);
  for (let index = 0; index < values.length; index++) out[index] = Math.round(values[index]! * 100) / 100;
  return out;
}

/**
 * Each rack's loop's spare cooling as a share of the loop's capacity (0 for a loop with none): the quantity that
 * says whether a loop can take more, where the rack's own kW share of it paints small CPU racks red.
 */
function loopHeadroomOfRacks(site: Site, state: LiveSnapshot): Float32Array {
  const values = new Float32Array(site.racks.length);
  for (const row of site.rows) {
    const loop = state.tcs[row.index];
    const share = loop === undefined || !(loop.capacityKW > 0) ? 0 : Math.max(0, loop.headroomKW / loop.capacityKW);
    values.fill(share, row.rackStart, row.rackStart + row.rackCount);
  }
  return values;
}

/** The series the twin publishes to telemetry, in the order of `publishedValues`. */
function publishedSeries(site: Site, state: LiveSnapshot): { name: string; labels: Labels }[] {
  const series: { name: string; labels: Labels }[] = [];
  for (const name of ["site_it_power_kw", "site_facility_power_kw", "site_pue", "outdoor_dry_bulb_celsius"]) {
    series.push({ name, labels: { site: site.id } });
  }
  for (const plant of state.plants) {
    for (const name of ["fws_supply_celsius", "fws_return_celsius", "plant_heat_kw", "chiller_heat_kw"]) {
      series.push({ name, labels: { plant: plant.id } });
    }
  }
  state.tcs.forEach((loop, rowIndex) => {
    for (const name of ["tcs_supply_celsius", "tcs_heat_kw", "tcs_headroom_kw"]) {
      series.push({ name, labels: { row: site.rows[rowIndex]!.id, equipment: loop.id } });
    }
  });
  return series;
}

/** The published figures of a step, in the order of `publishedSeries`. */
function publishedValues(state: LiveSnapshot): number[] {
  const values = [state.kpis.itKW, state.kpis.facilityKW, state.kpis.pue, state.weather.dryBulbC];
  for (const plant of state.plants) values.push(plant.fwsSupplyC, plant.fwsReturnC, plant.heatKW, plant.chillerKW);
  for (const loop of state.tcs) values.push(loop.supplyC, loop.heatKW, loop.headroomKW);
  return values;
}

/** What the clock is built with. */
export interface LiveClockOptions {
  /** Simulated seconds per wall-clock second. */
  readonly speed: number;
  readonly coupling: LiveCoupling | undefined;
  /** Publish twin figures as telemetry samples through this feature. */
  readonly telemetry: TelemetryFeature | undefined;
  /** Where a failed publication is reported (it is retried at the next one). */
  readonly warn: (message: string) => void;
}

/** The live twin, its clock and its latest snapshot. */
export class LiveClock {
  readonly #options: LiveClockOptions;
  #twin: LiveTwin | undefined;
  #snapshot: LiveSnapshot | undefined;
  #epochWallMs = 0;
  #epochSimulatedMs = 0;
  readonly #fieldCache = new Map<RackField, string>();
  readonly #listeners = new Set<(snapshot: LiveSnapshot) => void>();
  #lastPublishedMs = 0;
  #publishing: NodeJS.Immediate | undefined;
  /** A step and its snapshot's delivery are under way (a listener calling `freshen` must not step again inside). */
  #busy = false;
  /** Series ids of the published figures, in `publishedValues` order, interned once per site version. */
  #published: { site: Site; registry: SeriesRegistry; ids: (number | undefined)[] } | undefined;

  /** A clock with no twin yet (`build` makes one). */
  constructor(options: LiveClockOptions) {
    this.#options = options;
  }

  /** Simulated seconds per wall-clock second. */
  get speed(): number {
    return this.#options.speed;
  }

  /**
   * A new twin of `site` (at start and at each site change); `prepare` sets it up (what operators hold failed or set)
   * before its first snapshot is served. The first starts now; the twin of a site change goes on from the one before
   * (`LiveTwin.carryFrom`): its clock, its thermal and trip state mapped onto the new site, and its history, so a
   * change that touches nothing thermal changes nothing the floor shows.
   */
  build(site: Site, prepare?: (twin: LiveTwin) => void): void {
    const utilisation = this.#options.coupling?.utilisation?.(site);
    const previous = this.#twin;
    if (previous === undefined) {
      const startMs = Date.now();
      this.#epochWallMs = startMs;
      this.#epochSimulatedMs = startMs;
    }
    // The twin reads the placements at its first step after they change (a job starts, ends, is paused), not
    // every second over 500,000 nodes; the 10 s refresh is a safety net.
    const make = (continues: LiveTwin | undefined) => {
      const made = new LiveTwin(site, {
        ...(continues === undefined ? { startMs: this.#epochSimulatedMs } : { continues }),
        ...(utilisation === undefined ? {} : { utilisation, utilisationRefreshS: 10 }),
      });
      prepare?.(made);
      return made;
    };
    let twin = make(previous);
    if (previous !== undefined) {
      try {
        twin.carryFrom(previous);
      } catch (error) {
        // Continuity is worth less than a site change that has committed: a twin that could not take the state
        // (half taken, maybe) is replaced by one that starts cold, on the same clock.
        this.#options.warn(`the live twin starts cold after the site change: ${(error as Error).message}`);
        twin = make(previous);
      }
    }
    this.#twin = twin;
    this.#snapshot = twin.snapshot();
    this.#fieldCache.clear();
    // Built now rather than inside the first rack read or publication.
    rackIndex(site);
    const telemetry = this.#options.telemetry;
    if (telemetry !== undefined) {
      try {
        this.#publishedIds(telemetry.service().registry, site, this.#snapshot);
      } catch (error) {
        // Telemetry is not running (yet): the first publication interns them.
        if (!(error instanceof AppError)) throw error;
      }
    }
  }

  /** One tick of the wall clock: the twin steps to the time it should show, and every 10 s its figures are published. */
  tick(): void {
    const twin = this.#twin;
    if (this.#busy || twin === undefined) return;
    this.#busy = true;
    try {
      twin.advanceTo(this.#epochSimulatedMs + (Date.now() - this.#epochWallMs) * this.#options.speed);
      const state = this.#deliver(twin);
      const telemetry = this.#options.telemetry;
      if (telemetry !== undefined && Date.now() - this.#lastPublishedMs >= publishEveryMs) {
        this.#lastPublishedMs = Date.now();
        const site = twin.site;
        // After the requests waiting now: the step and the publication are separate stretches of the loop.
        this.#publishing = setImmediate(() => {
          this.#publishing = undefined;
          this.#publish(telemetry, site, state).catch((error: Error) => {
            this.#options.warn(`publishing twin telemetry failed: ${error.message}`);
          });
        });
      }
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Makes the last snapshot draw the scheduler's placements in force: when they changed since the twin's last step
   * (a job started, resumed or was paused within the tick), the twin takes its next step now, that step ahead of
   * the clock (the following ticks take none until the clock has caught up), and every listener gets it before this
   * returns. One step of the whole campus and its snapshot, once per grid plan. Answers whether the last snapshot
   * draws them (false: no twin yet, or called from inside a step's delivery).
   */
  freshen(): boolean {
    const twin = this.#twin;
    if (twin === undefined) return false;
    if (!twin.utilisationStale) return true;
    if (this.#busy) return false;
    this.#busy = true;
    try {
      twin.advanceTo(twin.timeMs + twin.stepS * 1000);
      this.#deliver(twin);
    } finally {
      this.#busy = false;
    }
    return !twin.utilisationStale;
  }

  /** Calls `listener` with every new snapshot; answers what stops it. */
  onSnapshot(listener: (snapshot: LiveSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The twin and its latest snapshot; a 503 while the twin is starting. */
  current(): { twin: LiveTwin; snapshot: LiveSnapshot } {
    const [twin, snapshot] = [this.#twin, this.#snapshot];
    if (twin === undefined || snapshot === undefined) throw new AppError("unavailable", "the live twin is starting");
    return { twin, snapshot };
  }

  /** The site's figures of a snapshot, as `GET /v1/state/site` answers them. */
  siteState(state: LiveSnapshot): Reply<typeof SiteStateSchema> {
    return {
      time: new Date(state.time).toISOString(),
      mode: "simulated" as const,
      speed: this.#options.speed,
      weather: {
        dryBulbC: round(state.weather.dryBulbC, 1),
        relativeHumidity: round(state.weather.relativeHumidity, 3),
      },
      // A figure with no value (PUE with no IT load) is null, as JSON has no NaN.
      kpis: Object.fromEntries(
        Object.entries(state.kpis).map(([key, value]) => [
          key,
          Number.isFinite(value) ? round(value, key === "pue" ? 4 : 2) : null,
        ]),
      ) as Reply<typeof SiteStateSchema>["kpis"],
      plants: state.plants,
      // Rounded as the weather is: hundredths of a kelvin and of a kW.
      halls: state.halls.map((hall) => ({
        id: hall.id,
        airC: round(hall.airC, 2),
        rackMassC: round(hall.rackMassC, 2),
        slabAndWallsC: round(hall.slabAndWallsC, 2),
        rearDoorExtraKW: round(hall.rearDoorExtraKW, 2),
        envelopeLossKW: round(hall.envelopeLossKW, 2),
      })),
    };
  }

  /** One field of every rack of a snapshot, as JSON text (`GET /v1/state/racks`), computed once per step. */
  rackField(state: LiveSnapshot, field: RackField): string {
    let cached = this.#fieldCache.get(field);
    if (cached === undefined) {
      const values =
        field === "loopHeadroom" ? loopHeadroomOfRacks(this.current().twin.site, state) : state.racks[field];
      cached = JSON.stringify({
        time: new Date(state.time).toISOString(),
        field,
        unit: units[field],
        values: roundedArray(values),
      });
      this.#fieldCache.set(field, cached);
    }
    return cached;
  }

  /** Stops publishing and forgets the listeners (the interval is the feature's). */
  stop(): void {
    if (this.#publishing !== undefined) clearImmediate(this.#publishing);
    this.#listeners.clear();
  }

  /** Takes the snapshot of the step just taken and hands it to the scheduler and every listener. */
  #deliver(live: LiveTwin): LiveSnapshot {
    const state = live.snapshot();
    this.#snapshot = state;
    this.#fieldCache.clear();
    this.#options.coupling?.onSnapshot?.(state);
    for (const listener of this.#listeners) listener(state);
    return state;
  }

  // The figures go in as samples of series interned once: decoding them as a JSON batch every 10 s (2,500 samples
  // on the campus) held the event loop for 10-20 ms.
  /** The ids of the published series (interning new ones takes ~30 ms on the campus: done when the twin is built). */
  #publishedIds(registry: SeriesRegistry, site: Site, state: LiveSnapshot): (number | undefined)[] {
    const published = this.#published;
    if (published !== undefined && published.site === site && published.registry === registry) return published.ids;
    const ids = publishedSeries(site, state).map(({ name, labels }) => {
      const interned = registry.intern(name, labels);
      return interned.ok ? interned.value : undefined;
    });
    this.#published = { site, registry, ids };
    return ids;
  }

  async #publish(telemetry: TelemetryFeature, site: Site, state: LiveSnapshot): Promise<void> {
    const service = telemetry.service();
    const ids = this.#publishedIds(service.registry, site, state);
    const values = publishedValues(state);
    const samples = new SampleBuffer(Math.max(256, values.length));
    // Wall-clock time: an accelerated twin runs ahead of now, and telemetry refuses samples from the future.
    const at = Date.now();
    values.forEach((value, slot) => {
      const id = ids[slot];
      if (id !== undefined && Number.isFinite(value)) samples.push(id, at, value);
    });
    await service.ingestBuffer(samples, new RejectionList(), "twin");
  }
}
