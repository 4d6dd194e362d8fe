/**
 * Shapes of the HTTP API the console reads, as docs/api.md gives them. The console only speaks HTTP and SSE, so these
 * are written down here rather than imported from the server.
 */

/** Roles of the platform. */
export type Role =
  | "platform-admin"
  | "facility-operator"
  | "auditor"
  | "tenant-admin"
  | "tenant-member"
  | "student"
  | "metrics-reader"
  | "telemetry-writer";

/** `GET /v1/me`. */
export interface Me {
  readonly userId: string;
  readonly tenantId: string | null;
  readonly role: Role;
  readonly name: string;
  readonly keyId?: string;
}

/** `GET /v1/site`. */
export interface SiteSummary {
  readonly version: number;
  readonly id: string;
  readonly name: string;
  /** IANA zone of the site (`Europe/Paris`); older servers omit it. */
  readonly timezone?: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly racksByType?: Readonly<Record<string, number>>;
  readonly gpusByModel?: Readonly<Record<string, number>>;
  readonly zones?: readonly { id: string; racks: number; gpus: number }[];
  readonly designItMW: number;
  readonly designPue: number;
  readonly gridConnectionMW?: number;
  readonly coolingInstalledMW?: number;
  readonly coolingAvailableMW?: number;
  readonly levels?: readonly SiteLevel[];
}

/** One level of the power or cooling chain in the site summary. */
export interface SiteLevel {
  readonly level: string;
  readonly unit: string;
  readonly groups: number;
  readonly units: number;
  readonly redundancy: readonly string[];
  readonly totalLoad: number;
  readonly totalAvailable: number;
  readonly minHeadroomFraction: number;
  readonly minHeadroomAt: string;
}

/** `GET /v1/site/layout`: what the floor map needs, in rack-index order. */
export interface SiteLayout {
  readonly version: number;
  readonly rackTypes: readonly {
    id: string;
    designPowerKW: number;
    gpus: number;
    gpuModel: string | null;
    /** Coolant supply above which the type throttles, °C (servers before this field: absent). */
    maxCoolantSupplyC?: number;
  }[];
  readonly zones: readonly { id: string; name: string }[];
  readonly halls: readonly {
    id: string;
    name: string;
    plantId: string;
    zoneId: string | null;
    rowStart: number;
    rowCount: number;
  }[];
  readonly rows: readonly {
    id: string;
    hallIndex: number;
    rackStart: number;
    rackCount: number;
    zoneId: string | null;
    tcsLoop: string;
    cdus: readonly string[];
  }[];
  readonly racks: { readonly count: number; readonly ids: readonly string[]; readonly typeIndex: readonly number[] };
}

/** `GET /v1/site/racks/:id`. */
export interface RackInventory {
  readonly id: string;
  readonly type: string;
  readonly position: number;
  readonly rowId: string;
  readonly hallId: string;
  readonly zoneId: string | null;
  readonly designPowerKW: number;
  readonly idlePowerKW: number;
  readonly gpus: number;
  readonly gpuModel: string | null;
  readonly liquidCaptureFraction: number;
  readonly powerPath: {
    readonly feeds: readonly string[];
    readonly transformers: readonly string[];
    readonly ups: readonly string[];
    readonly busways: readonly string[];
  };
  readonly cooling: {
    readonly tcsLoop: string;
    readonly cdus: readonly string[];
    readonly plant: string;
    readonly airCooling?: string | null;
  };
}

/** Rack fields the live state serves, one value per rack. */
export const rackFields = [
  "powerKW",
  "utilisation",
  "tcsSupplyC",
  "tcsReturnC",
  "headroomKW",
  "loopHeadroom",
  "throttle",
] as const;
/** One live rack field. */
export type RackField = (typeof rackFields)[number];

/** Site KPIs of the live state. */
export interface SiteKpis {
  readonly itKW: number;
  readonly facilityKW: number;
  readonly pue: number;
  readonly coolingKW: number;
  readonly lossesKW: number;
  readonly makeUpWaterLPerH: number;
  readonly carbonKgPerH: number;
  readonly gpuUtilisation: number;
  readonly throttledRacks: number;
}

/** A cooling plant in the live state. */
export interface PlantState {
  readonly id: string;
  readonly fwsSupplyC: number;
  readonly fwsReturnC: number;
  readonly heatKW: number;
  readonly dryCoolerKW: number;
  readonly chillerKW: number;
  readonly fanKW: number;
  readonly pumpKW: number;
  readonly chillersRunning: number;
  readonly adiabaticOn: boolean;
}

/** `GET /v1/state/site` and the `site` event of the stream. */
export interface SiteState {
  readonly time: number | string;
  readonly mode: "simulated" | "measured";
  readonly speed: number;
  readonly weather: { readonly dryBulbC: number; readonly relativeHumidity: number };
  readonly kpis: SiteKpis;
  readonly plants: readonly PlantState[];
}

/** `GET /v1/state/racks?field=F` and the `racks` event of the stream. */
export interface RackValues {
  readonly time: number | string;
  readonly field: string;
  readonly unit?: string;
  readonly values: readonly number[];
}

/** A row's technology cooling loop. */
export interface TcsState {
  readonly id: string;
  readonly heatKW: number;
  readonly capacityKW: number;
  readonly headroomKW: number;
  readonly supplyC: number;
  readonly returnC: number;
  readonly flowLpm: number;
  readonly failedCdus: number | readonly string[];
  readonly rowId?: string;
  readonly plantId?: string;
}

/** `GET /v1/state/racks/:id`. */
export interface RackState {
  readonly id: string;
  readonly time: number | string;
  readonly powerKW: number;
  readonly designPowerKW: number;
  readonly utilisation: number;
  readonly tcsSupplyC: number;
  readonly tcsReturnC: number;
  readonly throttle: number;
  readonly tcs: TcsState;
  readonly jobs: readonly { id: string; name: string; tenantId: string; gpus: number }[];
}

/** `GET /v1/state/plants/:id`. */
export interface PlantDetail extends PlantState {
  readonly tcs: readonly { id: string; heatKW: number; capacityKW?: number; headroomKW: number; supplyC: number }[];
}

/** `GET /v1/state/history?minutes=N`: site series, one array per field. */
export interface SiteHistory {
  readonly time: readonly number[];
  readonly itKW: readonly number[];
  readonly facilityKW: readonly number[];
  readonly pue: readonly number[];
  readonly coolingKW: readonly number[];
  readonly lossesKW: readonly number[];
  readonly dryBulbC: readonly number[];
  readonly fwsSupplyC: readonly number[];
}

/** Job states. */
export const jobStates = ["queued", "admitted", "running", "succeeded", "failed", "preempted", "cancelled"] as const;
/** One job state. */
export type JobState = (typeof jobStates)[number];

/** A job. */
export interface Job {
  readonly id: string;
  readonly tenantId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly name: string;
  readonly queue: string;
  readonly state: JobState;
  readonly reason: string | null;
  readonly gpus: number;
  readonly gpuModel: string | null;
  readonly dataClass: string;
  readonly submittedAt: string | number;
  readonly startedAt: string | number | null;
  readonly endedAt: string | number | null;
  readonly placement: { readonly racks: readonly string[]; readonly zoneId: string | null } | null;
}

/** A queue with its quota and usage. */
export interface Queue {
  readonly name: string;
  readonly tenantId: string;
  readonly cohort: string | null;
  readonly nominal: Readonly<Record<string, number>>;
  readonly borrowingLimit: Readonly<Record<string, number>>;
  readonly usage: Readonly<Record<string, number>>;
  readonly pending: number;
  readonly running: number;
}

/** A tenant. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly dataClasses: readonly string[];
}

/** A project. */
export interface Project {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
}

/** Alarm severities, least severe first. */
export const severities = ["info", "warning", "critical"] as const;
/** One severity. */
export type Severity = (typeof severities)[number];

/** An alarm. */
export interface Alarm {
  readonly id: string;
  readonly source: string;
  readonly kind: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly equipment?: string;
  readonly location: { equipment?: string; rack?: string; row?: string; hall?: string; plant?: string };
  readonly rows: readonly string[];
  readonly value?: number;
  readonly state: "active" | "cleared";
  readonly raisedAt: number;
  readonly updatedAt: number;
  readonly occurrences: number;
  readonly acknowledged?: { by: string; at: number; comment?: string };
  readonly shelved?: { by: string; at: number; until: number; comment?: string };
  readonly clearedAt?: number;
  /** Racks, jobs and tenants touched (absent when the platform does not know them). */
  readonly impact?: AlarmImpact;
}

/** What an alarm touches: its halls, rows and racks, the running jobs on them and their tenants. */
export interface AlarmImpact {
  readonly halls: readonly string[];
  readonly rows: readonly string[];
  readonly rackCount: number;
  readonly racks: readonly string[];
  readonly jobs: readonly { id: string; name: string; tenantId: string }[];
  readonly jobCount: number;
  readonly tenants: readonly { id: string; name: string }[];
  readonly summary: string;
}

/** `GET /v1/alarms/summary`: active alarms by severity (shelved apart). */
export interface AlarmSummary {
  readonly info: number;
  readonly warning: number;
  readonly critical: number;
  readonly shelved: number;
  readonly unacknowledged: number;
}

/** `GET /v1/incidents`: an incident touching the caller's jobs, without facility internals. */
export interface Incident {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly since: string;
  readonly jobs: readonly { id: string; name: string }[];
}

/** Shipped scenarios a what-if can start from (the names of `alixan simulate --scenario`). */
export const scenarios = ["heat-wave", "cdu-failure", "w32", "w45", "growth"] as const;
/** One shipped scenario. */
export type Scenario = (typeof scenarios)[number];
/** ASHRAE facility water classes. */
export const waterClasses = ["W17", "W27", "W32", "W40", "W45", "W+"] as const;

/** `POST /v1/whatif` body: a shipped scenario, parameters, or both. */
export interface WhatIfRequest {
  readonly scenario?: Scenario;
  readonly days?: number;
  readonly startDay?: number;
  readonly heatWave?: { peakC: number; days: number; nightMinimumC: number; startDay?: number };
  readonly heatWaveInBaseline?: boolean;
  readonly fail?: readonly string[];
  readonly waterClass?: (typeof waterClasses)[number];
  readonly rackRatings?: readonly { rackType?: string; maxCoolantSupplyC: number }[];
  readonly moreRacks?: { hall: string; pattern: string; rows: number; startDay?: number };
}

/** KPIs of a what-if run. */
export interface WhatIfKpis {
  readonly pue: number;
  readonly itMWh: number;
  readonly facilityMWh: number;
  readonly chillerHours: number;
  readonly peakGridMW: number;
  readonly hoursAboveLimit: number;
  readonly throttledGpuHours: number;
  readonly throttledRackHours: number;
  readonly waterM3: number;
  readonly wue: number;
  readonly maxFwsSupplyC: number;
  readonly maxTcsSupplyC: number;
  readonly maxOutdoorC: number;
}

/** Series of one side of a what-if. */
export interface WhatIfSeries {
  readonly pue: readonly number[];
  readonly fwsSupplyC: readonly number[];
  readonly facilityKW: readonly number[];
  readonly outdoorC: readonly number[];
}

/** Throttling of one rack type in both runs of a what-if. */
export interface WhatIfThrottling {
  readonly rackType: string;
  readonly description: string;
  readonly racks: number;
  readonly baselineRackHours: number;
  readonly variantRackHours: number;
}

/** `POST /v1/whatif`. */
export interface WhatIfResult {
  readonly scenario?: Scenario;
  readonly days: number;
  readonly startDay: number;
  /** What ran, in the server's words. */
  readonly description: string;
  readonly changes: readonly string[];
  readonly weather: { readonly baseline: string; readonly variant: string };
  readonly baseline: WhatIfKpis;
  readonly variant: WhatIfKpis;
  readonly throttling: readonly WhatIfThrottling[];
  readonly series: {
    readonly time: readonly number[];
    readonly baseline: WhatIfSeries;
    readonly variant: WhatIfSeries;
  };
}

/** An RFC 9457 problem. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly { field: string; message: string }[];
  readonly requestId?: string;
}

/** A queue as `GET /v1/queues` lists it; quotas and usage in configuration units (GPUs, cores, GiB). */
export interface QueueSummary {
  readonly name: string;
  readonly tenantId: string;
  readonly cohort: string | null;
  readonly priorityClass: string;
  readonly nominal: Readonly<Record<string, number>>;
  /** Per resource: how much more it may borrow from its cohort; null: no limit. */
  readonly borrowingLimit: Readonly<Record<string, number | null>>;
  readonly usage: Readonly<Record<string, number>>;
  readonly pending: number;
  readonly running: number;
}

/** One resource's quota in the queue file (configuration units). */
export interface QuotaLimits {
  readonly nominal: number;
  readonly borrowingLimit?: number;
  readonly lendingLimit?: number;
}

/** A queue in the queue file's shape. */
export interface QueueFileQueue {
  readonly name: string;
  readonly tenant: string;
  readonly cohort?: string;
  readonly weight?: number;
  readonly priorityClass?: string;
  readonly quota?: Readonly<Record<string, QuotaLimits>>;
  readonly preemption?: Readonly<Record<string, unknown>>;
}

/** A cohort in the queue file's shape. */
export interface QueueFileCohort {
  readonly name: string;
  readonly parent?: string;
  readonly quota?: Readonly<Record<string, QuotaLimits>>;
}

/** `GET /v1/queue-config` (staff): the configuration in force and its version. */
export interface QueueConfigAnswer {
  readonly version: number;
  readonly config: {
    readonly priorityClasses: readonly { readonly name: string; readonly value: number }[];
    readonly cohorts: readonly QueueFileCohort[];
    readonly queues: readonly QueueFileQueue[];
  };
}

/** `GET /v1/demo`: whether the demo load runs, at what share of the site's GPUs, and what it submitted. */
export interface DemoStatus {
  readonly running: boolean;
  readonly load: number;
  readonly startedAt: string | null;
  readonly submitted: number;
  readonly active: number;
}
