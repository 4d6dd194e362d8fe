/**
 * The store's migrations, in order. Plain SQL that PGlite and PostgreSQL 15 both run; applied by Kysely's Migrator
 * at open. Never edit a shipped migration: add the next one.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";

const migrations: Record<string, Migration> = {
  "0001_tenancy_audit_jobs": {
    async up(db: Kysely<unknown>) {
      await sql`
        create table tenants (
          id text primary key,
          name text not null,
          kind text not null,
          data_classes jsonb not null default '[]',
          created_at text not null
        )`.execute(db);
      await sql`
        create table projects (
          id text primary key,
          tenant_id text not null references tenants(id),
          name text not null,
          created_at text not null,
          unique (tenant_id, name)
        )`.execute(db);
      await sql`
        create table users (
          id text primary key,
          tenant_id text references tenants(id),
          name text not null,
          email text not null unique,
          role text not null,
          created_at text not null,
          disabled_at text
        )`.execute(db);
      await sql`
        create table api_keys (
          id text primary key,
          user_id text not null references users(id),
          name text not null,
          secret_hash text not null,
          created_at text not null,
          expires_at text,
          revoked_at text
        )`.execute(db);
      await sql`create index api_keys_user on api_keys(user_id)`.execute(db);
      await sql`
        create table audit_log (
          seq bigint primary key,
          at text not null,
          actor text not null,
          action text not null,
          resource text not null,
          before jsonb,
          after jsonb,
          request_id text not null,
          prev_hash text not null,
          hash text not null
        )`.execute(db);
      // One row holding the head of the chain: appends lock it, so records are chained in a single order.
      await sql`create table audit_head (id integer primary key, seq bigint not null, hash text not null)`.execute(db);
      await sql`insert into audit_head (id, seq, hash) values (1, 0, ${"0".repeat(64)})`.execute(db);
      // Append-only: the application can never rewrite history; an attacker must disable the trigger, which
      // `alixan audit verify` then catches through the hash chain.
      await sql`
        create function audit_log_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'audit_log is append-only';
        end $$`.execute(db);
      await sql`
        create trigger audit_log_no_rewrite before update or delete on audit_log
        for each row execute function audit_log_append_only()`.execute(db);
      await sql`
        create table jobs (
          id text primary key,
          tenant_id text not null references tenants(id),
          project_id text not null references projects(id),
          user_id text not null references users(id),
          queue text not null,
          name text not null,
          state text not null,
          reason text not null default '',
          spec jsonb not null,
          placement jsonb,
          submitted_at text not null,
          started_at text,
          ended_at text,
          updated_at text not null,
          version integer not null default 1
        )`.execute(db);
      await sql`create index jobs_tenant_state on jobs(tenant_id, state)`.execute(db);
      await sql`
        create table queues (
          name text primary key,
          tenant_id text references tenants(id),
          spec jsonb not null,
          updated_at text not null
        )`.execute(db);
    },
  },
  "0002_site_versions": {
    async up(db: Kysely<unknown>) {
      // Every accepted change to the site file, whole: the latest is the site the platform runs.
      await sql`
        create table site_versions (
          version integer primary key,
          site_id text not null,
          document jsonb not null,
          summary text not null,
          actor text not null,
          created_at text not null
        )`.execute(db);
    },
  },
  "0003_job_execution": {
    async up(db: Kysely<unknown>) {
      // Where a job runs (simulated or slurm), the backend's id for it, what it runs and how it exited.
      await sql`alter table jobs add column command text`.execute(db);
      await sql`alter table jobs add column executor text`.execute(db);
      await sql`alter table jobs add column external_id text`.execute(db);
      await sql`alter table jobs add column exit_code integer`.execute(db);
    },
  },
  "0004_keyed_audit_security_events": {
    async up(db: Kysely<unknown>) {
      // Records from here on are keyed (HMAC with a key kept outside the store); older ones stay plain SHA-256.
      await sql`alter table audit_log add column chain text not null default 'sha256'`.execute(db);
      // The caller's own `x-request-id`, kept beside the server's request id.
      await sql`alter table audit_log add column client_request_id text`.execute(db);
      // TRUNCATE fires no row trigger: a statement trigger refuses it too.
      await sql`
        create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function audit_log_append_only()`.execute(db);
      // Failed authentications and authorisation denials: a security log apart from the audit chain, written
      // rate-limited so a flood of bad requests cannot flood the store.
      await sql`
        create table security_events (
          id bigserial primary key,
          at text not null,
          kind text not null,
          address text not null,
          actor text,
          method text,
          route text,
          detail jsonb not null,
          count integer not null default 1
        )`.execute(db);
      await sql`create index security_events_at on security_events(at)`.execute(db);
    },
  },
  "0005_job_events": {
    async up(db: Kysely<unknown>) {
      // Each job's history (submitted, started where, preempted, ended how), kept for ever and readable by its tenant:
      // the jobs row holds only the latest state, and the audit log is for auditors.
      await sql`
        create table job_events (
          id bigint generated always as identity primary key,
          job_id text not null references jobs(id),
          at text not null,
          kind text not null,
          state text not null,
          detail jsonb not null
        )`.execute(db);
      await sql`create index job_events_job on job_events(job_id, id)`.execute(db);
    },
  },
  "0006_drains": {
    async up(db: Kysely<unknown>) {
      // Maintenance drains: what takes no new work (a hall, row, rack, or what a CDU or busway feeds), why, who
      // asked, when, and what becomes of running work. Kept after they end: the maintenance history of the site.
      await sql`
        create table drains (
          id text primary key,
          target text not null,
          reason text not null,
          owner text not null,
          policy text not null,
          deadline_at text,
          starts_at text not null,
          ends_at text,
          created_at text not null,
          resumed_at text,
          resumed_by text
        )`.execute(db);
      await sql`create index drains_created on drains(created_at, id)`.execute(db);
    },
  },
  "0007_queue_set_versions": {
    async up(db: Kysely<unknown>) {
      // Queues, cohorts and quotas as data: every accepted change is a new whole version (like the site file), so
      // the configuration in force survives restarts and earlier ones can be read back. The per-queue table of the
      // first schema was never written: the set is checked as a whole (cohort cycles, quotas), so it is kept whole.
      await sql`drop table queues`.execute(db);
      await sql`
        create table queue_set_versions (
          version integer primary key,
          document jsonb not null,
          summary text not null,
          actor text not null,
          created_at text not null
        )`.execute(db);
    },
  },
  "0008_usage_hourly": {
    async up(db: Kysely<unknown>) {
      // Usage as it accrues, one row per hour (of the twin's clock) and tenant, project, user, queue, zone and GPU
      // model: the live twin's history is rebuilt by every site change and lost at every restart, the bill is not.
      // Rows are written whole (the meter's running totals of the hour), so writing one twice never counts twice.
      await sql`
        create table usage_hourly (
          hour_start text not null,
          tenant_id text not null,
          project_id text not null,
          user_id text not null,
          queue text not null,
          zone_id text not null,
          gpu_model text not null,
          gpu_hours double precision not null,
          cpu_hours double precision not null,
          it_kwh double precision not null,
          overhead_kwh double precision not null,
          energy_kwh double precision not null,
          co2_kg double precision not null,
          water_l double precision not null,
          updated_at text not null,
          primary key (hour_start, tenant_id, project_id, user_id, queue, zone_id, gpu_model)
        )`.execute(db);
      await sql`create index usage_hourly_tenant on usage_hourly(tenant_id, hour_start)`.execute(db);
      // The site's own figures per hour: what attribution shares out, and what stays idle.
      await sql`
        create table usage_site_hourly (
          hour_start text primary key,
          it_kwh double precision not null,
          total_kwh double precision not null,
          water_l double precision not null,
          co2_kg double precision not null,
          updated_at text not null
        )`.execute(db);
    },
  },
  "0009_job_controls": {
    async up(db: Kysely<unknown>) {
      // What a user controls of a job besides its demand: array membership and its %N, dependencies, a hold. Kept
      // with the job so that a restart restores holds, dependencies and array throttles.
      await sql`alter table jobs add column controls jsonb`.execute(db);
    },
  },
  "0010_grid_events": {
    async up(db: Kysely<unknown>) {
      // Grid curtailment requests and, once each has ended, its report (what was asked, delivered and lost).
      await sql`
        create table grid_events (
          id text primary key,
          reduce_mw double precision,
          reduce_fraction double precision,
          starts_at text not null,
          ends_at text not null,
          notice_s integer not null,
          reason text not null,
          minimum_cap double precision not null,
          owner text not null,
          created_at text not null,
          cancelled_at text,
          cancelled_by text,
          report jsonb
        )`.execute(db);
      await sql`create index grid_events_created on grid_events(created_at, id)`.execute(db);
    },
  },
  "0011_live_equipment": {
    async up(db: Kysely<unknown>) {
      // Units an operator took out of service on the live twin, and plant set-points they changed: kept until they
      // change them, across restarts and site changes (the twin itself is rebuilt at each).
      await sql`
        create table live_equipment (
          kind text not null,
          subject text not null,
          supply_c double precision,
          actor text not null,
          updated_at text not null,
          primary key (kind, subject)
        )`.execute(db);
    },
  },
};

/** Provides the migrations to Kysely's Migrator. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
