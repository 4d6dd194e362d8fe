/**
 * Table types of the alixan store, shared by the PGlite and PostgreSQL drivers (same SQL, same migrations).
 * Timestamps are ISO 8601 UTC strings: they sort as text and hash identically on both drivers.
 */
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** JSON stored as jsonb. */
export type Json = ColumnType<unknown, string, string>;

export interface TenantsTable {
  id: string;
  name: string;
  kind: string;
  /** Data classes the tenant may submit (`health` only for certified health tenants). */
  data_classes: ColumnType<string[], string, string>;
  created_at: string;
}

export interface ProjectsTable {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  /** Null for platform staff (admins, facility operators, auditors). */
  tenant_id: string | null;
  name: string;
  email: string;
  role: string;
  created_at: string;
  disabled_at: string | null;
}

export interface ApiKeysTable {
  /** Public part of the key, also its id (`alx_<id>_<secret>`). */
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the secret part, hex. The secret itself is never stored. */
  secret_hash: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  resource: string;
  before: Json;
  after: Json;
  request_id: string;
  /** The caller's `x-request-id` (validated), beside the server's `request_id`. */
  client_request_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** `sha256` for records written before keying, `hmac-sha256` after. */
  chain: ColumnType<string, string | undefined, string>;
  prev_hash: string;
  /** The chain value: HMAC-SHA256 for keyed records, SHA-256 for legacy ones. */
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface SecurityEventsTable {
  id: Generated<number>;
  at: string;
  /** `auth.failed`, `auth.throttled`, `access.denied` or `suppressed` (a summary of events not written). */
  kind: string;
  address: string;
  actor: string | null;
  method: string | null;
  route: string | null;
  detail: Json;
  /** Events this row stands for (more than 1 for a suppressed summary). */
  count: ColumnType<number, number | undefined, number>;
}

export interface JobsTable {
  id: string;
  tenant_id: string;
  project_id: string;
  user_id: string;
  queue: string;
  name: string;
  state: string;
  reason: string;
  spec: Json;
  placement: ColumnType<unknown, string | null, string | null>;
  submitted_at: string;
  started_at: string | null;
  ended_at: string | null;
  updated_at: string;
  version: Generated<number>;
  /** The batch script body run by a real executor (absent for simulated-only jobs). */
  command: ColumnType<string | null, string | null | undefined, string | null>;
  /** `simulated` or `slurm`, once the job was launched. */
  executor: ColumnType<string | null, string | null | undefined, string | null>;
  /** The backend's id of the run (Slurm job id). */
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  exit_code: ColumnType<number | null, number | null | undefined, number | null>;
  /** Array membership, dependencies and hold (`JobControl`), when the job has any. */
  controls: ColumnType<unknown, string | null | undefined, string | null>;
}

/** One event of a job's history: what happened, when, and its facts (placement, executor id, exit). */
export interface JobEventsTable {
  id: Generated<string>;
  job_id: string;
  at: string;
  kind: string;
  state: string;
  detail: Json;
}

/** One accepted version of the queue configuration, whole, in the queue file's shape. */
export interface QueueSetVersionsTable {
  version: number;
  document: Json;
  summary: string;
  actor: string;
  created_at: string;
}

export interface SiteVersionsTable {
  version: number;
  site_id: string;
  document: Json;
  summary: string;
  actor: string;
  created_at: string;
}

/** A grid curtailment request (see src/app/grid): times ISO 8601 UTC; `report` written when it ends. */
export interface GridEventsTable {
  id: string;
  /** Reduction of grid import, MW; or `reduce_fraction` of the site's IT power (exactly one is set). */
  reduce_mw: number | null;
  reduce_fraction: number | null;
  starts_at: string;
  ends_at: string;
  notice_s: number;
  reason: string;
  /** Lowest GPU power cap, share of dynamic power. */
  minimum_cap: number;
  owner: string;
  created_at: string;
  cancelled_at: string | null;
  cancelled_by: string | null;
  report: ColumnType<unknown, string | null, string | null>;
}

/** A maintenance drain (see src/app/drains): times are ISO 8601 UTC; `ends_at` null drains until resumed. */
export interface DrainsTable {
  id: string;
  /** A hall, row, rack, CDU or busway id of the site. */
  target: string;
  reason: string;
  /** The user who made it. */
  owner: string;
  /** `finish`, `requeue` or `deadline`: what becomes of work running there. */
  policy: string;
  /** With `deadline`: when work still running there is requeued. */
  deadline_at: string | null;
  starts_at: string;
  ends_at: string | null;
  created_at: string;
  resumed_at: string | null;
  resumed_by: string | null;
}

/**
 * What an operator set on the live twin and keeps until they change it (src/app/features/live-equipment.ts): a unit
 * out of service (`kind` `failed`, `subject` its id) or a plant's facility supply set-point (`supply`, the plant id,
 * `supply_c`). Read at start and carried across site changes, so a restart or a new row does not repair a CDU.
 */
export interface LiveEquipmentTable {
  kind: string;
  subject: string;
  supply_c: number | null;
  /** The user who set it, and when (ISO 8601 UTC). */
  actor: string;
  updated_at: string;
}

/**
 * Usage of one hour (of the twin's clock, ISO start) by one tenant, project, user, queue, zone (`""`: none) and GPU
 * model (`"none"` for CPU work): the meter's running totals of that hour, rewritten whole at each flush.
 */
export interface UsageHourlyTable {
  hour_start: string;
  tenant_id: string;
  project_id: string;
  user_id: string;
  queue: string;
  zone_id: string;
  gpu_model: string;
  gpu_hours: number;
  cpu_hours: number;
  it_kwh: number;
  overhead_kwh: number;
  energy_kwh: number;
  co2_kg: number;
  water_l: number;
  updated_at: string;
}

/** The site's energy, water and CO2 of one hour: what usage attribution shares out. */
export interface UsageSiteHourlyTable {
  hour_start: string;
  it_kwh: number;
  total_kwh: number;
  water_l: number;
  co2_kg: number;
  updated_at: string;
}

/** The whole database, for Kysely. */
export interface Database {
  tenants: TenantsTable;
  projects: ProjectsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  security_events: SecurityEventsTable;
  jobs: JobsTable;
  job_events: JobEventsTable;
  queue_set_versions: QueueSetVersionsTable;
  site_versions: SiteVersionsTable;
  drains: DrainsTable;
  live_equipment: LiveEquipmentTable;
  grid_events: GridEventsTable;
  usage_hourly: UsageHourlyTable;
  usage_site_hourly: UsageSiteHourlyTable;
}

export type Tenant = Selectable<TenantsTable>;
export type Project = Selectable<ProjectsTable>;
export type User = Selectable<UsersTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type AuditRecord = Selectable<AuditLogTable>;
export type SecurityEvent = Selectable<SecurityEventsTable>;
export type Job = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
