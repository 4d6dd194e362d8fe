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
