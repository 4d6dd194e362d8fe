/**
 * What the scheduler needs to know about the facility: how much power each rack, row busway group and hall UPS may
 * deliver to scheduled work, and how much heat each row's CDU group (technology loop) may take. The design-based
 * view below derives these from the site's ratings and redundancy; the twin will implement the same interface from
 * its live state (a failed CDU or a heat wave lowers the limits, and `nextChangeS` tells the replay when).
 */
import { localOf } from "../model/ids.ts";
import { unitsAvailable } from "../model/physics.ts";
import type { Site } from "../model/site.ts";

/** Limits in kW, indexed like `site.racks`, `site.rows` and `site.halls`. */
export interface FacilityLimits {
  readonly rackPowerKw: Float64Array;
  /** Busway group of each row. */
  readonly rowPowerKw: Float64Array;
  /** UPS of each hall. */
  readonly hallPowerKw: Float64Array;
  /** Heat the CDU group (technology loop) of each row may take. */
  readonly rowCoolingKw: Float64Array;
}

/** Allocates limit arrays sized for a site. */
export function facilityLimitsFor(site: Site): FacilityLimits {
  return {
    rackPowerKw: new Float64Array(site.racks.length),
    rowPowerKw: new Float64Array(site.rows.length),
    hallPowerKw: new Float64Array(site.halls.length),
    rowCoolingKw: new Float64Array(site.rows.length),
  };
}

/** A source of facility limits over time. */
export interface FacilityView {
  /** Writes the limits in force at `timeS` (seconds from the start of the run). Must not allocate. */
  fill(timeS: number, limits: FacilityLimits): void;
  /** The next time after `timeS` at which the limits change; `Infinity` when they never do. */
  nextChangeS(timeS: number): number;
}

/** Reductions of the design limits: units out of service and operator caps, by id. */
export interface FacilityDerates {
  /** CDUs out of service per technology loop (`tcs:h1-r003`) or row (`row:h1-r003`). */
  readonly cdusOutOfService?: Readonly<Record<string, number>>;
  /** Busways out of service per row (`row:h1-r003`). */
  readonly buswaysOutOfService?: Readonly<Record<string, number>>;
  /** UPS modules out of service per hall (`hall:h1`). */
  readonly upsOutOfService?: Readonly<Record<string, number>>;
  /** Operator caps on power (kW) by rack, row or hall id, for example a hall held at 80 % during a heat wave. */
  readonly powerCapKw?: Readonly<Record<string, number>>;
  /** Operator caps on CDU group heat (kW) by technology loop or row id. */
  readonly coolingCapKw?: Readonly<Record<string, number>>;
}

/** Names in a derate table that match no rack, row, technology loop or hall of the site. */
export function unknownDerateIds(site: Site, derates: FacilityDerates): string[] {
  const known = new Set<string>([
    ...site.racks.map((rack) => rack.id),
    ...site.rows.flatMap((row) => [row.id, row.tcs.id]),
    ...site.halls.map((hall) => hall.id),
  ]);
  const tables = [
    derates.cdusOutOfService,
    derates.buswaysOutOfService,
    derates.upsOutOfService,
    derates.powerCapKw,
    derates.coolingCapKw,
  ];
  return tables.flatMap((table) => Object.keys(table ?? {}).filter((id) => !known.has(id)));
}

/**
 * Limits from the design: rack design power; busways and UPS modules available under their redundancy; CDUs
 * available under their redundancy. Derates remove units or cap a domain. Constant over time.
 */
export class DesignFacilityView implements FacilityView {
  private readonly limits: FacilityLimits;

  constructor(site: Site, derates: FacilityDerates = {}) {
    const limits = facilityLimitsFor(site);
    const cap = (id: string, value: number) => Math.min(value, derates.powerCapKw?.[id] ?? Number.POSITIVE_INFINITY);
    for (const rack of site.racks) {
      limits.rackPowerKw[rack.index] = cap(rack.id, site.rackTypes[rack.typeIndex]!.designPower);
    }
    for (const row of site.rows) {
      const busways = row.busways.ids.length - (derates.buswaysOutOfService?.[row.id] ?? 0);
      limits.rowPowerKw[row.index] = cap(
        row.id,
        unitsAvailable(Math.max(0, busways), row.busways.redundancy) * row.busways.unitCapacity,
      );
      const out = derates.cdusOutOfService?.[row.tcs.id] ?? derates.cdusOutOfService?.[row.id] ?? 0;
      const cdus = unitsAvailable(Math.max(0, row.tcs.ids.length - out), row.tcs.redundancy) * row.tcs.unitCapacity;
      const coolingCap = Math.min(
        derates.coolingCapKw?.[row.tcs.id] ?? Number.POSITIVE_INFINITY,
        derates.coolingCapKw?.[row.id] ?? Number.POSITIVE_INFINITY,
      );
      limits.rowCoolingKw[row.index] = Math.min(cdus, coolingCap);
    }
    for (const hall of site.halls) {
      const modules = hall.ups.ids.length - (derates.upsOutOfService?.[hall.id] ?? 0);
      limits.hallPowerKw[hall.index] = cap(
        hall.id,
        unitsAvailable(Math.max(0, modules), hall.ups.redundancy) * hall.ups.unitCapacity,
      );
    }
    this.limits = limits;
  }

  fill(_timeS: number, limits: FacilityLimits): void {
    limits.rackPowerKw.set(this.limits.rackPowerKw);
    limits.rowPowerKw.set(this.limits.rowPowerKw);
    limits.hallPowerKw.set(this.limits.hallPowerKw);
    limits.rowCoolingKw.set(this.limits.rowCoolingKw);
  }

  nextChangeS(): number {
    return Number.POSITIVE_INFINITY;
  }
}

/** Readable name of a row's CDU group for reasons (`tcs:h1-r003`). */
export function coolingGroupName(site: Site, row: number): string {
  return site.rows[row]!.tcs.id;
}

/** Readable name of a row's busway group for reasons (`busways of row h1-r003`). */
export function buswayGroupName(site: Site, row: number): string {
  return `busways of row ${localOf(site.rows[row]!.id)}`;
}
