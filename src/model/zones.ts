/**
 * Which data classes a certified zone may host at a given moment. The site file says what a zone is meant to host
 * (`dataClasses`); health data also needs the zone's HDS certification to be held and in force: a zone whose
 * certification lapsed (`validUntil` passed) or that never held HDS hosts no health data, whatever it lists. The
 * validator only warns about these (a site may be declared before its audit); placement obeys this function.
 */
import type { Site, Zone } from "./site.ts";

/** Certification required to host French health data (hébergeur de données de santé). */
export const healthCertification = "HDS";

/** The UTC calendar day of an instant, as the ISO date the site file uses for `validUntil`. */
export function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Why `zone` may not host `dataClass` at `epochMs`, or undefined when it may. */
export function zoneRefusal(zone: Zone, dataClass: string, epochMs: number): string | undefined {
  if (!zone.dataClasses.includes(dataClass)) {
    return `${zone.id} does not list ${dataClass} data (it hosts ${zone.dataClasses.join(", ") || "nothing"})`;
  }
  if (dataClass !== "health") return undefined;
  if (!zone.certifications.includes(healthCertification)) {
    return `${zone.id} does not hold ${healthCertification} certification`;
  }
  // `validUntil` is the last day of validity, as the validator reads it.
  if (zone.validUntil !== undefined && zone.validUntil < isoDay(epochMs)) {
    return `${zone.id} certification expired on ${zone.validUntil}`;
  }
  return undefined;
}

/** The data classes each zone of `site` may host at `epochMs`, in zone order. */
export function hostedClasses(site: Site, epochMs: number): string[][] {
  return site.zones.map((zone) => zone.dataClasses.filter((dataClass) => !zoneRefusal(zone, dataClass, epochMs)));
}

/**
 * A key that changes exactly when what some zone may host changes (site change or a certification lapsing), so a
 * caller polling on the clock rebuilds only then.
 */
export function zonePolicyKey(site: Site, epochMs: number): string {
  const hosted = hostedClasses(site, epochMs);
  return site.zones.map((zone, index) => `${zone.id}=${hosted[index]!.join("+")}`).join(";");
}

/** Epoch ms at which the next certification in force lapses (the day after `validUntil`), or Infinity. */
export function nextLapseMs(site: Site, epochMs: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const zone of site.zones) {
    if (zone.validUntil === undefined) continue;
    const lapse = Date.parse(`${zone.validUntil}T00:00:00Z`) + 86_400_000;
    if (lapse > epochMs && lapse < next) next = lapse;
  }
  return next;
}
