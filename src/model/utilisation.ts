/**
 * The contract between whatever decides how busy racks are (synthetic profiles in the twin, a scheduler replay,
 * live telemetry) and whatever turns that into power and heat (the twin). Utilisation is 0 (idle) to 1 (design power).
 */

/** Supplies the utilisation of every rack over time. */
export interface UtilisationSource {
  /**
   * Writes the utilisation (0–1) of every rack, in `site.racks` order, at `timeS` seconds after the start of the run
   * into `out` (length = number of racks). Must not allocate per call: the twin calls it every step.
   */
  fill(timeS: number, out: Float64Array): void;
}

/**
 * A source whose values change only when something happens (a scheduler's placements: a job starts, ends, is paused)
 * and that says so: a reader reads it again after `version` moved rather than on a timer. However many changes come
 * between two reads, one read takes them all.
 */
export interface VersionedUtilisationSource extends UtilisationSource {
  /** Moves whenever a value `fill` writes may have changed other than with time; unchanged, a read gives the same. */
  readonly version: number;
}

/**
 * A source whose own clock starts at `offsetS` of the run's clock: a scheduled trace's time 0 is the run's start
 * (`simulate --from`), while the twin asks for seconds into the typical year.
 */
export class OffsetUtilisation implements UtilisationSource {
  readonly #source: UtilisationSource;
  readonly #offsetS: number;

  /** Wraps `source`, whose time 0 is `offsetS` on the caller's clock. */
  constructor(source: UtilisationSource, offsetS: number) {
    this.#source = source;
    this.#offsetS = offsetS;
  }

  fill(timeS: number, out: Float64Array): void {
    this.#source.fill(timeS - this.#offsetS, out);
  }
}
