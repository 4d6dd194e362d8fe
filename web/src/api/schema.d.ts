/**
 * The alixan HTTP API's types, generated from its OpenAPI document by openapi-typescript: do not edit by hand.
 * Regenerate with `npm run gen:api` after changing a route's schema (test/openapi.test.ts checks this file).
 */

export type paths = {
    "/api/v1/write": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Prometheus remote-write 1.0 (snappy protobuf WriteRequest) */
        post: operations["remoteWrite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v2/write": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** InfluxDB 2 line protocol write (gzip accepted) */
        post: operations["writeInflux2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and store */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus exposition: platform metrics and the latest facility samples */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: store and telemetry answer (503 problem+json naming the failing part otherwise) */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alarms, most severe and newest first, filtered by state, severity, equipment, row and hall; X-Total-Count and X-Next-Cursor page through them (200 a page unless `limit` says) */
        get: operations["listAlarms"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One alarm, active or cleared */
        get: operations["getAlarm"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms/{id}/acknowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledge an alarm (a fresh acknowledgement is asked after an escalation) */
        post: operations["acknowledgeAlarm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms/{id}/shelve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Shelve an alarm for some minutes or until a time: hidden from notifications */
        post: operations["shelveAlarm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms/{id}/unshelve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Bring a shelved alarm back */
        post: operations["unshelveAlarm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alarm events (raised, escalated, acknowledged, shelved, cleared…), newest first */
        get: operations["listAlarmEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/alarms/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Active alarms by severity (shelved ones apart), for the console's banner */
        get: operations["getAlarmSummary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit records in sequence order after `after` (or the cursor), filtered by resource, resource prefix, actor, action and time; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listAuditRecords"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recompute the keyed chain, compare it with the head checkpoint, check the append-only triggers */
        get: operations["verifyAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/cohorts/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Create or replace a cohort (platform admins) */
        put: operations["putCohort"];
        post?: never;
        /** Remove a cohort (platform admins; refused while it is in use) */
        delete: operations["deleteCohort"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/demo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the demo load runs (platform admins) */
        get: operations["getDemoLoad"];
        /** Start or stop the demo load (platform admins) */
        put: operations["setDemoLoad"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/drains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Drains, newest first, filtered by state (or open: scheduled and active), target kind and target prefix; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listDrains"];
        put?: never;
        /** Drain a hall, row, rack, or what a CDU or busway feeds, for maintenance: no new work there in the window; running work finishes, is requeued now, or by a deadline */
        post: operations["createDrain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/drains/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One drain, with the racks it covers and the jobs it moves */
        get: operations["getDrain"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/drains/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** End a drain now: its racks take new work again */
        post: operations["resumeDrain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/grid/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Grid events, newest first, optionally in one state; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listGridEvents"];
        put?: never;
        /** A grid curtailment request: from its notice new non-protected work waits; at its start deferrable jobs are suspended, flexible ones GPU-capped and preemptible ones requeued; all released at its end */
        post: operations["createGridEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/grid/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One grid event with its report: requested and delivered MW, jobs capped, suspended, requeued and work lost by class */
        get: operations["getGridEvent"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/grid/events/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a grid event: a scheduled one never runs; an active one is released now */
        post: operations["cancelGridEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/incidents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Active incidents touching the caller's running jobs, in plain words */
        get: operations["listIncidents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/job-arrays/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job array: its tasks' states, counted and listed in task order (offset/limit page the list) */
        get: operations["getJobArray"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/job-arrays/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel every waiting or running task of a job array */
        post: operations["cancelJobArray"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/job-arrays/{id}/hold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Hold every waiting task of a job array not held yet (running and ended tasks are left alone): none starts until released */
        post: operations["holdJobArray"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/job-arrays/{id}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Release every held waiting task of a job array; a tenant's call leaves tasks held by platform staff held (keptHeld), 403 when all are */
        post: operations["releaseJobArray"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Jobs the caller may see, newest first, filtered by state, tenant, queue, zone, hall, rack, data class, name prefix and submission time, arrays as one row each with arrays=collapse; X-Total-Count and X-Next-Cursor headers page through them */
        get: operations["listJobs"];
        put?: never;
        /** Submit a GPU job (tenant roles) */
        post: operations["submitJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job, live or ended (also from before the last restart) */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a waiting or running job (its owner, tenant admins, staff) */
        post: operations["cancelJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's history, oldest first: submission, each start with its racks, zone and halls, preemptions, end and exit; X-Next-Cursor pages */
        get: operations["getJobHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/hold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Hold a waiting job: it is not started until released */
        post: operations["holdJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Release a held job: it waits for its turn again */
        post: operations["releaseJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/requeue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Requeue a placed job: its resources go back and it waits again (history kept); hold: true also holds it */
        post: operations["requeueJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API keys visible to the caller, in id order; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listKeys"];
        put?: never;
        /** Create an API key; the token is shown in this answer only */
        post: operations["createKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key */
        delete: operations["revokeKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's identity and role */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Projects visible to the caller, in id order; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listProjects"];
        put?: never;
        /** Create a project in a tenant */
        post: operations["createProject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/projects/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One project */
        get: operations["getProject"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queue-config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The queue configuration in force (staff): JSON, YAML or Kueue objects */
        get: operations["getQueueConfig"];
        /** Replace the whole queue configuration (platform admins) */
        put: operations["replaceQueueConfig"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queue-config/kueue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the queue configuration by Kueue objects (platform admins) */
        post: operations["importKueueConfig"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queue-config/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Versions of the queue configuration, newest first (staff) */
        get: operations["listQueueConfigVersions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Queues, quotas and usage (GPUs, cores, GiB) */
        get: operations["listQueues"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/queues/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Create or replace a queue (platform admins) */
        put: operations["putQueue"];
        post?: never;
        /** Remove a queue (platform admins; refused while it is in use) */
        delete: operations["deleteQueue"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/security/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Security events (failed authentications, throttling, denials), newest first, filtered by kind, address and time; X-Total-Count and X-Next-Cursor (or `before`) page through them */
        get: operations["listSecurityEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Site summary: counts, design power, redundancy */
        get: operations["getSite"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site/changes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change the site: a whole document or a JSON merge patch, validated before it applies */
        post: operations["changeSite"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site/document": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The site file in force, normalised */
        get: operations["getSiteDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site/halls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Halls with their design IT load */
        get: operations["listHalls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site/layout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything a floor map needs, in rack-index order */
        get: operations["getSiteLayout"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site/racks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Racks, filtered and paged */
        get: operations["listRacks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site/racks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One rack: type, power path and cooling */
        get: operations["getRack"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/site/rows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Rows, of one hall or all, with their loop and design load */
        get: operations["listRows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Drive the live twin: fail or repair a CDU (or any pump, dry cooler, chiller), change a plant's supply set-point, restart a row's racks latched off after repeated trips */
        post: operations["postStateEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Site series of the last minutes, columnar, oldest first */
        get: operations["getStateHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/plants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A cooling plant now, with its rows' loops */
        get: operations["getPlantState"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/racks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One field of every rack, in rack-index order */
        get: operations["getRackField"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/racks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One rack now: power, coolant, throttling, its loop and the jobs on it the caller may see */
        get: operations["getRackState"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/site": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Site KPIs, weather, plants and halls' air now */
        get: operations["getSiteState"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-sent events: `site` and `racks` every second */
        get: operations["streamState"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/state/tcs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A row's technology loop (or the loop of a CDU) */
        get: operations["getTcsState"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/export.parquet": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Raw samples of selected series over a time range as a Parquet file (time, name, labels, value) */
        get: operations["exportTelemetryParquet"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/influx": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ingest Influx line protocol */
        post: operations["ingestInflux"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/prometheus": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ingest Prometheus exposition text (pushed) */
        post: operations["ingestPrometheus"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/query": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Samples of selected series over a time range, raw or aggregated per step */
        get: operations["queryTelemetry"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/redfish/events/{target}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Receive an event or metric report a Redfish service pushes to its subscription
         * @description Authenticated by the subscription's secret echoed as Context (no Authorization header), or by a telemetry-writer key.
         */
        post: operations["receiveRedfishPush"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/samples": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Ingest a JSON batch of samples and/or frames */
        post: operations["ingestSamples"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Series matching a selection, with their latest sample */
        get: operations["listTelemetrySeries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Pollers, scrapes, queues */
        get: operations["getTelemetryStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/telemetry/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-sent events: `samples` of the selected series and `alarm` changes */
        get: operations["streamTelemetry"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Tenants visible to the caller, in id order, optionally of one kind; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listTenants"];
        put?: never;
        /** Create a tenant (platform admins) */
        post: operations["createTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One tenant */
        get: operations["getTenant"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage and chargeback per tenant and project over a period (default: the last 24 h), from the stored hourly usage: hours count whole, by their start */
        get: operations["getUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/hours": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Stored hourly usage rows (tenant, project, user, queue, zone, GPU model), newest hour first, filtered by tenant, project, queue, zone and period; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listUsageHours"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage/statements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Monthly statements per tenant (UTC calendar month): each project's and the tenant's usage, and cost when the platform has prices (ALIXAN_USAGE_PRICES); X-Total-Count is the number of statements */
        get: operations["listUsageStatements"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users visible to the caller, in id order, optionally of one tenant or role; X-Total-Count and X-Next-Cursor page through them */
        get: operations["listUsers"];
        put?: never;
        /** Create a user (platform staff, or a tenant admin in their tenant) */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user */
        get: operations["getUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable a user: their keys stop working */
        post: operations["disableUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/whatif": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Compare a scenario (a shipped one, parameters, or both) with the baseline over the same days (runs the twin in a worker) */
        post: operations["runWhatIf"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/write": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** InfluxDB 1 line protocol write (gzip accepted) */
        post: operations["writeInflux1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        /** Problem */
        Problem: {
            /** @description what is wrong, naming the field at fault */
            detail: string;
            /** @description machine-readable details (site validation diagnostics...) */
            diagnostics?: unknown[];
            /** @description fields at fault, for invalid requests */
            errors?: {
                /** @description body.name, querystring.limit, params.id... */
                field: string;
                message: string;
            }[];
            /** @description the request path and query, without any access_token */
            instance: string;
            /** @description finds the request in the server log */
            requestId: string;
            status: number;
            /** @description short name of the HTTP status */
            title: string;
            /** @description URI of the problem kind (https://alixan.dev/problems/invalid...) */
            type: string;
        } & {
            [key: string]: unknown;
        };
    };
    responses: {
        /** @description Invalid request: `errors` names each field at fault (any URL whose query is not valid text, too) */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The resource's state does not allow this now (the detail says why) */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The caller's role may not do this */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request line and headers are too large (answered before the request is read) */
        HeadersTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such resource, or one outside the caller's tenant (never confirmed as another's) */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is larger than this operation accepts */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `If-Match` names a version that is no longer the one in force (the detail names both): read again */
        PreconditionFailed: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Server errors: the request id finds the cause in the server log */
        ServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description A part this operation needs is not available now (`Retry-After` when known) */
        ServiceUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description Too many requests for this key (`Retry-After` says when to retry) */
        TooManyRequests: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No API key, or a key that is unknown, revoked or expired */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body's content type (or encoding) is not one this operation takes */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The URL is longer than 8,192 characters */
        UriTooLong: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description The `cursor` of the next page; absent on the last page */
        NextCursor: string;
        /** @description Items matching the filters the caller may see, on every page */
        TotalCount: number;
        /** @description The version read, as a strong entity tag (`"v12"`): sent back as `If-Match`, a change applies only to that version */
        VersionTag: string;
    };
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    remoteWrite: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description A snappy-compressed protobuf WriteRequest (Prometheus remote-write 1.0) */
        requestBody: {
            content: {
                "application/x-protobuf": string;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Every sample was taken */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    writeInflux2: {
        parameters: {
            query?: {
                bucket?: string;
                org?: string;
                orgID?: string;
                precision?: "ns" | "us" | "ms" | "s";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Influx line protocol, gzip accepted (Content-Encoding: gzip) */
        requestBody: {
            content: {
                "text/plain": string;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Every sample was taken */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        racks: number;
                        site: string;
                        siteVersion: number;
                        /** @enum {string} */
                        status: "ok";
                        /** @enum {string} */
                        store: "pglite" | "postgres";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            414: components["responses"]["UriTooLong"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getMetrics: {
        parameters: {
            query?: {
                /** @description series names (repeat for several) */
                name?: string[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Prometheus text exposition format 0.0.4 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description each part checked (store, telemetry...) */
                        checks: {
                            [key: string]: string;
                        };
                        /** @enum {string} */
                        status: "ready";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            414: components["responses"]["UriTooLong"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listAlarms: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                equipment?: string;
                hall?: string;
                /** @description items per page */
                limit?: number;
                row?: string;
                severity?: "info" | "warning" | "critical";
                state?: "active" | "cleared" | "all";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        acknowledged?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                        };
                        clearedAt?: number;
                        equipment?: string;
                        id: string;
                        impact?: {
                            halls: string[];
                            jobCount: number;
                            jobs: {
                                id: string;
                                name: string;
                                tenantId: string;
                            }[];
                            rackCount: number;
                            /** @description the first 50 */
                            racks: string[];
                            rows: string[];
                            /** @description what happened, where, and whom it touches */
                            summary: string;
                            tenants: {
                                id: string;
                                name: string;
                            }[];
                        };
                        /** @description condition key used for deduplication */
                        key: string;
                        /** @enum {string} */
                        kind: "threshold" | "rate" | "stale" | "state" | "capacity" | "redfish" | "facility" | "platform";
                        location: {
                            equipment?: string;
                            hall?: string;
                            plant?: string;
                            rack?: string;
                            row?: string;
                        };
                        message: string;
                        occurrences: number;
                        raisedAt: number;
                        rows: string[];
                        series?: string;
                        /** @enum {string} */
                        severity: "info" | "warning" | "critical";
                        shelved?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                            until: number;
                        };
                        /** @description the rule id, or redfish */
                        source: string;
                        /** @enum {string} */
                        state: "active" | "cleared";
                        title: string;
                        updatedAt: number;
                        value?: number;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getAlarm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        acknowledged?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                        };
                        clearedAt?: number;
                        equipment?: string;
                        id: string;
                        impact?: {
                            halls: string[];
                            jobCount: number;
                            jobs: {
                                id: string;
                                name: string;
                                tenantId: string;
                            }[];
                            rackCount: number;
                            /** @description the first 50 */
                            racks: string[];
                            rows: string[];
                            /** @description what happened, where, and whom it touches */
                            summary: string;
                            tenants: {
                                id: string;
                                name: string;
                            }[];
                        };
                        /** @description condition key used for deduplication */
                        key: string;
                        /** @enum {string} */
                        kind: "threshold" | "rate" | "stale" | "state" | "capacity" | "redfish" | "facility" | "platform";
                        location: {
                            equipment?: string;
                            hall?: string;
                            plant?: string;
                            rack?: string;
                            row?: string;
                        };
                        message: string;
                        occurrences: number;
                        raisedAt: number;
                        rows: string[];
                        series?: string;
                        /** @enum {string} */
                        severity: "info" | "warning" | "critical";
                        shelved?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                            until: number;
                        };
                        /** @description the rule id, or redfish */
                        source: string;
                        /** @enum {string} */
                        state: "active" | "cleared";
                        title: string;
                        updatedAt: number;
                        value?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    acknowledgeAlarm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    comment?: string;
                    user?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        acknowledged?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                        };
                        clearedAt?: number;
                        equipment?: string;
                        id: string;
                        impact?: {
                            halls: string[];
                            jobCount: number;
                            jobs: {
                                id: string;
                                name: string;
                                tenantId: string;
                            }[];
                            rackCount: number;
                            /** @description the first 50 */
                            racks: string[];
                            rows: string[];
                            /** @description what happened, where, and whom it touches */
                            summary: string;
                            tenants: {
                                id: string;
                                name: string;
                            }[];
                        };
                        /** @description condition key used for deduplication */
                        key: string;
                        /** @enum {string} */
                        kind: "threshold" | "rate" | "stale" | "state" | "capacity" | "redfish" | "facility" | "platform";
                        location: {
                            equipment?: string;
                            hall?: string;
                            plant?: string;
                            rack?: string;
                            row?: string;
                        };
                        message: string;
                        occurrences: number;
                        raisedAt: number;
                        rows: string[];
                        series?: string;
                        /** @enum {string} */
                        severity: "info" | "warning" | "critical";
                        shelved?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                            until: number;
                        };
                        /** @description the rule id, or redfish */
                        source: string;
                        /** @enum {string} */
                        state: "active" | "cleared";
                        title: string;
                        updatedAt: number;
                        value?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    shelveAlarm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    comment?: string;
                    minutes?: number;
                    /** @description RFC 3339 end of the shelving */
                    until?: string;
                    user?: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        acknowledged?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                        };
                        clearedAt?: number;
                        equipment?: string;
                        id: string;
                        impact?: {
                            halls: string[];
                            jobCount: number;
                            jobs: {
                                id: string;
                                name: string;
                                tenantId: string;
                            }[];
                            rackCount: number;
                            /** @description the first 50 */
                            racks: string[];
                            rows: string[];
                            /** @description what happened, where, and whom it touches */
                            summary: string;
                            tenants: {
                                id: string;
                                name: string;
                            }[];
                        };
                        /** @description condition key used for deduplication */
                        key: string;
                        /** @enum {string} */
                        kind: "threshold" | "rate" | "stale" | "state" | "capacity" | "redfish" | "facility" | "platform";
                        location: {
                            equipment?: string;
                            hall?: string;
                            plant?: string;
                            rack?: string;
                            row?: string;
                        };
                        message: string;
                        occurrences: number;
                        raisedAt: number;
                        rows: string[];
                        series?: string;
                        /** @enum {string} */
                        severity: "info" | "warning" | "critical";
                        shelved?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                            until: number;
                        };
                        /** @description the rule id, or redfish */
                        source: string;
                        /** @enum {string} */
                        state: "active" | "cleared";
                        title: string;
                        updatedAt: number;
                        value?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    unshelveAlarm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    comment?: string;
                    user?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        acknowledged?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                        };
                        clearedAt?: number;
                        equipment?: string;
                        id: string;
                        impact?: {
                            halls: string[];
                            jobCount: number;
                            jobs: {
                                id: string;
                                name: string;
                                tenantId: string;
                            }[];
                            rackCount: number;
                            /** @description the first 50 */
                            racks: string[];
                            rows: string[];
                            /** @description what happened, where, and whom it touches */
                            summary: string;
                            tenants: {
                                id: string;
                                name: string;
                            }[];
                        };
                        /** @description condition key used for deduplication */
                        key: string;
                        /** @enum {string} */
                        kind: "threshold" | "rate" | "stale" | "state" | "capacity" | "redfish" | "facility" | "platform";
                        location: {
                            equipment?: string;
                            hall?: string;
                            plant?: string;
                            rack?: string;
                            row?: string;
                        };
                        message: string;
                        occurrences: number;
                        raisedAt: number;
                        rows: string[];
                        series?: string;
                        /** @enum {string} */
                        severity: "info" | "warning" | "critical";
                        shelved?: {
                            /** @description epoch ms */
                            at: number;
                            by: string;
                            comment?: string;
                            until: number;
                        };
                        /** @description the rule id, or redfish */
                        source: string;
                        /** @enum {string} */
                        state: "active" | "cleared";
                        title: string;
                        updatedAt: number;
                        value?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listAlarmEvents: {
        parameters: {
            query?: {
                alarm?: string;
                from?: string;
                limit?: number;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alarm: {
                            acknowledged?: {
                                /** @description epoch ms */
                                at: number;
                                by: string;
                                comment?: string;
                            };
                            clearedAt?: number;
                            equipment?: string;
                            id: string;
                            impact?: {
                                halls: string[];
                                jobCount: number;
                                jobs: {
                                    id: string;
                                    name: string;
                                    tenantId: string;
                                }[];
                                rackCount: number;
                                /** @description the first 50 */
                                racks: string[];
                                rows: string[];
                                /** @description what happened, where, and whom it touches */
                                summary: string;
                                tenants: {
                                    id: string;
                                    name: string;
                                }[];
                            };
                            /** @description condition key used for deduplication */
                            key: string;
                            /** @enum {string} */
                            kind: "threshold" | "rate" | "stale" | "state" | "capacity" | "redfish" | "facility" | "platform";
                            location: {
                                equipment?: string;
                                hall?: string;
                                plant?: string;
                                rack?: string;
                                row?: string;
                            };
                            message: string;
                            occurrences: number;
                            raisedAt: number;
                            rows: string[];
                            series?: string;
                            /** @enum {string} */
                            severity: "info" | "warning" | "critical";
                            shelved?: {
                                /** @description epoch ms */
                                at: number;
                                by: string;
                                comment?: string;
                                until: number;
                            };
                            /** @description the rule id, or redfish */
                            source: string;
                            /** @enum {string} */
                            state: "active" | "cleared";
                            title: string;
                            updatedAt: number;
                            value?: number;
                        };
                        alarmId: string;
                        at: number;
                        /**
                         * @description renamed: its equipment took another id at a site change (same alarm, new key)
                         * @enum {string}
                         */
                        type: "raised" | "escalated" | "deescalated" | "cleared" | "acknowledged" | "shelved" | "unshelved" | "renamed";
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getAlarmSummary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        critical: number;
                        info: number;
                        shelved: number;
                        unacknowledged: number;
                        warning: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listAuditRecords: {
        parameters: {
            query?: {
                action?: string;
                actor?: string;
                after?: number;
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                from?: string;
                /** @description items per page */
                limit?: number;
                resource?: string;
                /** @description e.g. job: or tenant: */
                resourcePrefix?: string;
                /** @description exclusive */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        action: string;
                        actor: string;
                        /** @description the resource after the change (JSON), or null */
                        after: unknown;
                        /** @description ISO 8601 UTC */
                        at: string;
                        /** @description the resource before the change (JSON), or null */
                        before: unknown;
                        /** @description sha256 (legacy records) or hmac-sha256 */
                        chain: string;
                        clientRequestId: string | null;
                        hash: string;
                        requestId: string;
                        resource: string;
                        seq: number;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    verifyAudit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checkpoint: {
                            at: string;
                            seq: number;
                        } | null;
                        firstProblem: {
                            /** @description edited, forged, missing, checkpoint, trigger... */
                            kind: string;
                            problem: string;
                            seq: number | null;
                        } | null;
                        keyedRecords: number;
                        ok: boolean;
                        problems: {
                            /** @description edited, forged, missing, checkpoint, trigger... */
                            kind: string;
                            problem: string;
                            seq: number | null;
                        }[];
                        records: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    putCohort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    parent?: string;
                    quota?: {
                        [key: string]: {
                            borrowingLimit?: number;
                            lendingLimit?: number;
                            nominal: number;
                        };
                    };
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the configuration version now in force */
                        version: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    deleteCohort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the configuration version now in force */
                        version: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getDemoLoad: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description demo jobs waiting or running now */
                        active: number;
                        /** @description offered GPU load as a share of the site's GPUs */
                        load: number;
                        running: boolean;
                        startedAt: string | null;
                        /** @description demo jobs submitted since it started */
                        submitted: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    setDemoLoad: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description share of the site's GPUs */
                    load?: number;
                    running: boolean;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description demo jobs waiting or running now */
                        active: number;
                        /** @description offered GPU load as a share of the site's GPUs */
                        load: number;
                        running: boolean;
                        startedAt: string | null;
                        /** @description demo jobs submitted since it started */
                        submitted: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listDrains: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                /** @description drains of targets of this kind */
                kind?: "rack" | "row" | "hall" | "cdu" | "busway";
                /** @description rows per page (default 200) */
                limit?: number;
                /** @description a state, or open (scheduled or active) */
                state?: "scheduled" | "active" | "ended" | "open";
                /** @description drains whose target begins with this text */
                targetPrefix?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        area: string | null;
                        createdAt: string;
                        deadline: string | null;
                        endsAt: string | null;
                        id: string;
                        owner: string;
                        /** @enum {string} */
                        policy: "finish" | "requeue" | "deadline";
                        /** @description racks it drains in the site in force */
                        racks: number;
                        reason: string;
                        resumedAt: string | null;
                        resumedBy: string | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended";
                        target: string;
                        /** @enum {string} */
                        targetKind: "rack" | "row" | "hall" | "cdu" | "busway";
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    createDrain: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: date-time
                     * @description with policy deadline: when running work is requeued
                     */
                    deadline?: string;
                    /**
                     * Format: date-time
                     * @description end of the window (default: until resumed)
                     */
                    endsAt?: string;
                    /**
                     * @description for running work (default finish)
                     * @enum {string}
                     */
                    policy?: "finish" | "requeue" | "deadline";
                    /** @description why, shown in the waiting reasons of jobs */
                    reason: string;
                    /**
                     * Format: date-time
                     * @description start of the window (default now)
                     */
                    startsAt?: string;
                    /** @description what to drain: a rack, row, hall, cdu, busway id of the site in force (row:h1-r02, cdu:h1-r02-01) */
                    target: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        area: string | null;
                        createdAt: string;
                        deadline: string | null;
                        endsAt: string | null;
                        id: string;
                        owner: string;
                        /** @enum {string} */
                        policy: "finish" | "requeue" | "deadline";
                        /** @description racks it drains in the site in force */
                        racks: number;
                        reason: string;
                        resumedAt: string | null;
                        resumedBy: string | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended";
                        target: string;
                        /** @enum {string} */
                        targetKind: "rack" | "row" | "hall" | "cdu" | "busway";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getDrain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        area: string | null;
                        createdAt: string;
                        deadline: string | null;
                        endsAt: string | null;
                        id: string;
                        owner: string;
                        /** @enum {string} */
                        policy: "finish" | "requeue" | "deadline";
                        /** @description racks it drains in the site in force */
                        racks: number;
                        reason: string;
                        resumedAt: string | null;
                        resumedBy: string | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended";
                        target: string;
                        /** @enum {string} */
                        targetKind: "rack" | "row" | "hall" | "cdu" | "busway";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    resumeDrain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        area: string | null;
                        createdAt: string;
                        deadline: string | null;
                        endsAt: string | null;
                        id: string;
                        owner: string;
                        /** @enum {string} */
                        policy: "finish" | "requeue" | "deadline";
                        /** @description racks it drains in the site in force */
                        racks: number;
                        reason: string;
                        resumedAt: string | null;
                        resumedBy: string | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended";
                        target: string;
                        /** @enum {string} */
                        targetKind: "rack" | "row" | "hall" | "cdu" | "busway";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listGridEvents: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                /** @description rows per page (default 200) */
                limit?: number;
                state?: "scheduled" | "active" | "ended" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cancelledAt: string | null;
                        cancelledBy: string | null;
                        createdAt: string;
                        durationS: number;
                        endsAt: string;
                        id: string;
                        /** @description start − notice: from then new non-protected work is held */
                        issuedAt: string;
                        minimumCap: number;
                        noticeS: number;
                        owner: string;
                        reason: string;
                        reduceFraction: number | null;
                        reduceMW: number | null;
                        report: {
                            /** @description wall-clock seconds to work out the plan and issue every command */
                            applyS: number;
                            baselineMW: number | null;
                            capShare: number | null;
                            /** @description GPU-hours paused and resumed (not lost) */
                            deferredGpuHours: number;
                            deliveredMW: number | null;
                            deliveredShare: number | null;
                            duringMW: number | null;
                            jobs: {
                                capped: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                requeued: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                suspended: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                            };
                            /** @description IT power the plan expects to shed */
                            plannedMW: number;
                            /** @description GPU-hours of protected work lost: always 0 */
                            protectedWorkLost: number;
                            releasedAt: string | null;
                            /** @description grid MW asked (a fraction is taken of the site's IT at the start) */
                            requestedMW: number;
                            responseS: number | null;
                            /** @description each time a restarted platform took the event back: its plan re-applied, or released */
                            restarts: {
                                /** @description when the restarted platform re-applied or released the plan */
                                at: string;
                                /** @description jobs of the plan no longer running as it left them (ended, or requeued by the restart) */
                                gone: number;
                                /** @description jobs found as the plan left them (suspended in Slurm, requeued and waiting; capped, when the event had ended: the release lifts the cap): not commanded twice */
                                kept: number;
                                lastSampleAt: string | null;
                                /**
                                 * @description reapplied: the event was still active; released: it had ended or been cancelled meanwhile
                                 * @enum {string}
                                 */
                                outcome: "reapplied" | "released";
                                /** @description jobs the plan's command was issued to again */
                                reapplied: number;
                            }[];
                            resumed: number;
                            sampledS: number | null;
                            samples: number;
                            /** @description IT power the plan could not find among non-protected jobs */
                            shortMW: number;
                            /** @description each time the site (or the queues) changed during the event: its commands carried to the new scheduler */
                            siteChanges: {
                                /** @description when the new generation took the jobs over */
                                at: string;
                                /** @description jobs still paused, capped or held as the plan left them: carried over, not commanded again */
                                kept: number;
                                /** @description jobs the plan's command was issued to again (none expected) */
                                reapplied: number;
                                /** @description jobs the event let go: displaced by the change (racks gone, zone no longer allowed) or ended; work until then is counted */
                                released: number;
                                /** @description the first 20 released jobs */
                                releasedJobs: {
                                    jobId: string;
                                    /** @enum {string} */
                                    kind: "suspend" | "cap" | "requeue";
                                    /** @description why the job left the event: the displacement's reason, or its end */
                                    reason: string;
                                }[];
                                /** @description the site version in force from then on */
                                siteVersion: number;
                                /** @description what rebuilt the scheduler: site change, queue change, a lapsed certification */
                                why: string;
                            }[];
                            workLostGpuHours: {
                                deferrable: number;
                                flexible: number;
                                preemptible: number;
                                protected: number;
                            };
                        } | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended" | "cancelled";
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    createGridEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description how long it is held, seconds */
                    durationS: number;
                    /** @description lowest GPU power cap, share of dynamic power (default 0.3) */
                    minimumCap?: number;
                    /** @description the grid's notice before the start, seconds: new non-protected work is held from then */
                    noticeS?: number;
                    /** @description the grid signal (RTE, aggregator, test) */
                    reason: string;
                    /** @description reduction as a share of the site's IT power */
                    reduceFraction?: number;
                    /** @description reduction of grid import, MW */
                    reduceMW?: number;
                    /**
                     * Format: date-time
                     * @description when the reduction starts (default now)
                     */
                    start?: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cancelledAt: string | null;
                        cancelledBy: string | null;
                        createdAt: string;
                        durationS: number;
                        endsAt: string;
                        id: string;
                        /** @description start − notice: from then new non-protected work is held */
                        issuedAt: string;
                        minimumCap: number;
                        noticeS: number;
                        owner: string;
                        reason: string;
                        reduceFraction: number | null;
                        reduceMW: number | null;
                        report: {
                            /** @description wall-clock seconds to work out the plan and issue every command */
                            applyS: number;
                            baselineMW: number | null;
                            capShare: number | null;
                            /** @description GPU-hours paused and resumed (not lost) */
                            deferredGpuHours: number;
                            deliveredMW: number | null;
                            deliveredShare: number | null;
                            duringMW: number | null;
                            jobs: {
                                capped: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                requeued: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                suspended: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                            };
                            /** @description IT power the plan expects to shed */
                            plannedMW: number;
                            /** @description GPU-hours of protected work lost: always 0 */
                            protectedWorkLost: number;
                            releasedAt: string | null;
                            /** @description grid MW asked (a fraction is taken of the site's IT at the start) */
                            requestedMW: number;
                            responseS: number | null;
                            /** @description each time a restarted platform took the event back: its plan re-applied, or released */
                            restarts: {
                                /** @description when the restarted platform re-applied or released the plan */
                                at: string;
                                /** @description jobs of the plan no longer running as it left them (ended, or requeued by the restart) */
                                gone: number;
                                /** @description jobs found as the plan left them (suspended in Slurm, requeued and waiting; capped, when the event had ended: the release lifts the cap): not commanded twice */
                                kept: number;
                                lastSampleAt: string | null;
                                /**
                                 * @description reapplied: the event was still active; released: it had ended or been cancelled meanwhile
                                 * @enum {string}
                                 */
                                outcome: "reapplied" | "released";
                                /** @description jobs the plan's command was issued to again */
                                reapplied: number;
                            }[];
                            resumed: number;
                            sampledS: number | null;
                            samples: number;
                            /** @description IT power the plan could not find among non-protected jobs */
                            shortMW: number;
                            /** @description each time the site (or the queues) changed during the event: its commands carried to the new scheduler */
                            siteChanges: {
                                /** @description when the new generation took the jobs over */
                                at: string;
                                /** @description jobs still paused, capped or held as the plan left them: carried over, not commanded again */
                                kept: number;
                                /** @description jobs the plan's command was issued to again (none expected) */
                                reapplied: number;
                                /** @description jobs the event let go: displaced by the change (racks gone, zone no longer allowed) or ended; work until then is counted */
                                released: number;
                                /** @description the first 20 released jobs */
                                releasedJobs: {
                                    jobId: string;
                                    /** @enum {string} */
                                    kind: "suspend" | "cap" | "requeue";
                                    /** @description why the job left the event: the displacement's reason, or its end */
                                    reason: string;
                                }[];
                                /** @description the site version in force from then on */
                                siteVersion: number;
                                /** @description what rebuilt the scheduler: site change, queue change, a lapsed certification */
                                why: string;
                            }[];
                            workLostGpuHours: {
                                deferrable: number;
                                flexible: number;
                                preemptible: number;
                                protected: number;
                            };
                        } | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended" | "cancelled";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getGridEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cancelledAt: string | null;
                        cancelledBy: string | null;
                        createdAt: string;
                        durationS: number;
                        endsAt: string;
                        id: string;
                        /** @description start − notice: from then new non-protected work is held */
                        issuedAt: string;
                        minimumCap: number;
                        noticeS: number;
                        owner: string;
                        reason: string;
                        reduceFraction: number | null;
                        reduceMW: number | null;
                        report: {
                            /** @description wall-clock seconds to work out the plan and issue every command */
                            applyS: number;
                            baselineMW: number | null;
                            capShare: number | null;
                            /** @description GPU-hours paused and resumed (not lost) */
                            deferredGpuHours: number;
                            deliveredMW: number | null;
                            deliveredShare: number | null;
                            duringMW: number | null;
                            jobs: {
                                capped: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                requeued: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                suspended: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                            };
                            /** @description IT power the plan expects to shed */
                            plannedMW: number;
                            /** @description GPU-hours of protected work lost: always 0 */
                            protectedWorkLost: number;
                            releasedAt: string | null;
                            /** @description grid MW asked (a fraction is taken of the site's IT at the start) */
                            requestedMW: number;
                            responseS: number | null;
                            /** @description each time a restarted platform took the event back: its plan re-applied, or released */
                            restarts: {
                                /** @description when the restarted platform re-applied or released the plan */
                                at: string;
                                /** @description jobs of the plan no longer running as it left them (ended, or requeued by the restart) */
                                gone: number;
                                /** @description jobs found as the plan left them (suspended in Slurm, requeued and waiting; capped, when the event had ended: the release lifts the cap): not commanded twice */
                                kept: number;
                                lastSampleAt: string | null;
                                /**
                                 * @description reapplied: the event was still active; released: it had ended or been cancelled meanwhile
                                 * @enum {string}
                                 */
                                outcome: "reapplied" | "released";
                                /** @description jobs the plan's command was issued to again */
                                reapplied: number;
                            }[];
                            resumed: number;
                            sampledS: number | null;
                            samples: number;
                            /** @description IT power the plan could not find among non-protected jobs */
                            shortMW: number;
                            /** @description each time the site (or the queues) changed during the event: its commands carried to the new scheduler */
                            siteChanges: {
                                /** @description when the new generation took the jobs over */
                                at: string;
                                /** @description jobs still paused, capped or held as the plan left them: carried over, not commanded again */
                                kept: number;
                                /** @description jobs the plan's command was issued to again (none expected) */
                                reapplied: number;
                                /** @description jobs the event let go: displaced by the change (racks gone, zone no longer allowed) or ended; work until then is counted */
                                released: number;
                                /** @description the first 20 released jobs */
                                releasedJobs: {
                                    jobId: string;
                                    /** @enum {string} */
                                    kind: "suspend" | "cap" | "requeue";
                                    /** @description why the job left the event: the displacement's reason, or its end */
                                    reason: string;
                                }[];
                                /** @description the site version in force from then on */
                                siteVersion: number;
                                /** @description what rebuilt the scheduler: site change, queue change, a lapsed certification */
                                why: string;
                            }[];
                            workLostGpuHours: {
                                deferrable: number;
                                flexible: number;
                                preemptible: number;
                                protected: number;
                            };
                        } | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended" | "cancelled";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    cancelGridEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cancelledAt: string | null;
                        cancelledBy: string | null;
                        createdAt: string;
                        durationS: number;
                        endsAt: string;
                        id: string;
                        /** @description start − notice: from then new non-protected work is held */
                        issuedAt: string;
                        minimumCap: number;
                        noticeS: number;
                        owner: string;
                        reason: string;
                        reduceFraction: number | null;
                        reduceMW: number | null;
                        report: {
                            /** @description wall-clock seconds to work out the plan and issue every command */
                            applyS: number;
                            baselineMW: number | null;
                            capShare: number | null;
                            /** @description GPU-hours paused and resumed (not lost) */
                            deferredGpuHours: number;
                            deliveredMW: number | null;
                            deliveredShare: number | null;
                            duringMW: number | null;
                            jobs: {
                                capped: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                requeued: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                                suspended: {
                                    deferrable: number;
                                    flexible: number;
                                    preemptible: number;
                                    protected: number;
                                };
                            };
                            /** @description IT power the plan expects to shed */
                            plannedMW: number;
                            /** @description GPU-hours of protected work lost: always 0 */
                            protectedWorkLost: number;
                            releasedAt: string | null;
                            /** @description grid MW asked (a fraction is taken of the site's IT at the start) */
                            requestedMW: number;
                            responseS: number | null;
                            /** @description each time a restarted platform took the event back: its plan re-applied, or released */
                            restarts: {
                                /** @description when the restarted platform re-applied or released the plan */
                                at: string;
                                /** @description jobs of the plan no longer running as it left them (ended, or requeued by the restart) */
                                gone: number;
                                /** @description jobs found as the plan left them (suspended in Slurm, requeued and waiting; capped, when the event had ended: the release lifts the cap): not commanded twice */
                                kept: number;
                                lastSampleAt: string | null;
                                /**
                                 * @description reapplied: the event was still active; released: it had ended or been cancelled meanwhile
                                 * @enum {string}
                                 */
                                outcome: "reapplied" | "released";
                                /** @description jobs the plan's command was issued to again */
                                reapplied: number;
                            }[];
                            resumed: number;
                            sampledS: number | null;
                            samples: number;
                            /** @description IT power the plan could not find among non-protected jobs */
                            shortMW: number;
                            /** @description each time the site (or the queues) changed during the event: its commands carried to the new scheduler */
                            siteChanges: {
                                /** @description when the new generation took the jobs over */
                                at: string;
                                /** @description jobs still paused, capped or held as the plan left them: carried over, not commanded again */
                                kept: number;
                                /** @description jobs the plan's command was issued to again (none expected) */
                                reapplied: number;
                                /** @description jobs the event let go: displaced by the change (racks gone, zone no longer allowed) or ended; work until then is counted */
                                released: number;
                                /** @description the first 20 released jobs */
                                releasedJobs: {
                                    jobId: string;
                                    /** @enum {string} */
                                    kind: "suspend" | "cap" | "requeue";
                                    /** @description why the job left the event: the displacement's reason, or its end */
                                    reason: string;
                                }[];
                                /** @description the site version in force from then on */
                                siteVersion: number;
                                /** @description what rebuilt the scheduler: site change, queue change, a lapsed certification */
                                why: string;
                            }[];
                            workLostGpuHours: {
                                deferrable: number;
                                flexible: number;
                                preemptible: number;
                                protected: number;
                            };
                        } | null;
                        startsAt: string;
                        /** @enum {string} */
                        state: "scheduled" | "active" | "ended" | "cancelled";
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listIncidents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        incidents: {
                            id: string;
                            jobs: {
                                id: string;
                                name: string;
                            }[];
                            message: string;
                            /** @enum {string} */
                            severity: "info" | "warning" | "critical";
                            since: string;
                            title: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getJobArray: {
        parameters: {
            query?: {
                limit?: number;
                offset?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        /** @description waiting tasks held (released with POST /v1/job-arrays/:id/release) */
                        held: number;
                        maxRunning: number | null;
                        /** @description tasks per state */
                        states: {
                            [key: string]: number;
                        };
                        taskCount: number;
                        tasks: {
                            arrayTaskId: number | null;
                            id: string;
                            reason: string;
                            state: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    cancelJobArray: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string;
                        cancelled: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    holdJobArray: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string;
                        /** @description tasks held by this call */
                        held: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    releaseJobArray: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string;
                        /** @description held tasks left held: held by platform staff, whom only staff release */
                        keptHeld: number;
                        /** @description tasks released by this call */
                        released: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listJobs: {
        parameters: {
            query?: {
                /** @description tasks (default): every task a row; collapse: one row per array, its first task with arrayTasks */
                arrays?: "tasks" | "collapse";
                cursor?: string;
                dataClass?: "public" | "confidential" | "health";
                /** @description where it runs or last ran */
                hallId?: string;
                includeDemo?: boolean;
                limit?: number;
                namePrefix?: string;
                queue?: string;
                /** @description where it runs or last ran */
                rack?: string;
                state?: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                submittedFrom?: string;
                /** @description exclusive */
                submittedTo?: string;
                tenantId?: string;
                /** @description where it runs or last ran */
                zoneId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string | null;
                        arrayTaskId: number | null;
                        /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                        arrayTasks?: {
                            /** @description tasks of the array that match the list's filters */
                            count: number;
                            /** @description those tasks by state */
                            states: {
                                [key: string]: number;
                            };
                        };
                        curtailment: {
                            gridEventId: string | null;
                            /** @enum {string} */
                            kind: "suspended" | "capped";
                            /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                            powerShare: number;
                            until: string | null;
                        } | null;
                        /** @enum {string} */
                        dataClass: "public" | "confidential" | "health";
                        /**
                         * Format: date-time
                         * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                         */
                        deadline?: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        endedAt: string | null;
                        execution: {
                            /** @description slurm */
                            backend: string;
                            endedAt?: string | null;
                            exitCode: number | null;
                            /** @description the executor's job id */
                            externalId: string;
                            nodes?: string[];
                            restarts?: number;
                            signal?: number | null;
                            startedAt?: string | null;
                            /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                            state?: string;
                        } | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        /** @description share of each GPU in thousandths */
                        gpuMilli: number;
                        gpuModel: string | null;
                        gpuModels: string[];
                        /** @description GPUs over all gang members */
                        gpus: number;
                        held: {
                            at: string;
                            by: string;
                            staff: boolean;
                        } | null;
                        id: string;
                        members: number;
                        name: string;
                        placement: {
                            halls: string[];
                            racks: string[];
                            zoneId: string | null;
                        } | null;
                        priorityClass: string | null;
                        projectId: string;
                        projectName: string | null;
                        queue: string;
                        /** @description why it waits or ended (quota exhausted, zone required...) */
                        reason: string;
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                        submittedAt: string | null;
                        /** @description demo load */
                        synthetic: boolean;
                        tenantId: string;
                        userId: string;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    submitJob: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Slurm --array syntax: indexes, ranges a-b, steps a-b:s, and %N tasks at once (at most 10000 tasks) */
                    array?: string;
                    /** @description What the job runs on a real cluster: a shell command, or a whole batch script starting with #!. Required when jobs run on Slurm; the simulation runs for durationS. */
                    command?: string;
                    /** @enum {string} */
                    dataClass: "public" | "confidential" | "health";
                    /** Format: date-time */
                    deadline?: string;
                    deferrable?: boolean;
                    /** @description Slurm's afterok, afterany, afternotok */
                    dependsOn?: {
                        /** @description a job or array id of the same tenant */
                        jobId: string;
                        /** @enum {string} */
                        kind: "afterok" | "afterany" | "afternotok";
                    }[];
                    durationS: number;
                    /**
                     * @description What a grid curtailment may do to it: no more protected than its queue allows (default: the queue's class; health data: protected)
                     * @enum {string}
                     */
                    flexibility?: "protected" | "flexible" | "deferrable" | "preemptible";
                    gang?: number;
                    gpuMilli?: number;
                    gpuModel?: string;
                    /** @description GPU models the job accepts, any of them (instead of gpuModel) */
                    gpuModels?: string[];
                    gpus: number;
                    /** @description submit it held (Slurm's sbatch --hold): it waits until released */
                    hold?: boolean;
                    name: string;
                    /** @description A priority class no higher than the queue's own (default: the queue's) */
                    priorityClass?: string;
                    projectId: string;
                    /** @description One of the tenant's queues (GET /v1/queues); default: the tenant's first, a student's course queue */
                    queue?: string;
                    /** @enum {string} */
                    topology?: "nvlink" | "rack" | "row" | "block" | "hall" | "any";
                    topologyRequired?: boolean;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string | null;
                        arrayTaskId: number | null;
                        /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                        arrayTasks?: {
                            /** @description tasks of the array that match the list's filters */
                            count: number;
                            /** @description those tasks by state */
                            states: {
                                [key: string]: number;
                            };
                        };
                        curtailment: {
                            gridEventId: string | null;
                            /** @enum {string} */
                            kind: "suspended" | "capped";
                            /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                            powerShare: number;
                            until: string | null;
                        } | null;
                        /** @enum {string} */
                        dataClass: "public" | "confidential" | "health";
                        /**
                         * Format: date-time
                         * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                         */
                        deadline?: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        endedAt: string | null;
                        execution: {
                            /** @description slurm */
                            backend: string;
                            endedAt?: string | null;
                            exitCode: number | null;
                            /** @description the executor's job id */
                            externalId: string;
                            nodes?: string[];
                            restarts?: number;
                            signal?: number | null;
                            startedAt?: string | null;
                            /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                            state?: string;
                        } | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        /** @description share of each GPU in thousandths */
                        gpuMilli: number;
                        gpuModel: string | null;
                        gpuModels: string[];
                        /** @description GPUs over all gang members */
                        gpus: number;
                        held: {
                            at: string;
                            by: string;
                            staff: boolean;
                        } | null;
                        id: string;
                        members: number;
                        name: string;
                        placement: {
                            halls: string[];
                            racks: string[];
                            zoneId: string | null;
                        } | null;
                        priorityClass: string | null;
                        projectId: string;
                        projectName: string | null;
                        queue: string;
                        /** @description why it waits or ended (quota exhausted, zone required...) */
                        reason: string;
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                        submittedAt: string | null;
                        /** @description demo load */
                        synthetic: boolean;
                        tenantId: string;
                        userId: string;
                    } | {
                        /** @description the array expression as normalised, e.g. 0-99%10 */
                        array: string;
                        arrayJobId: string;
                        maxRunning: number | null;
                        taskCount: number;
                        /** @description the first 100 tasks; GET /v1/job-arrays/{id} lists them all */
                        tasks: {
                            arrayJobId: string | null;
                            arrayTaskId: number | null;
                            /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                            arrayTasks?: {
                                /** @description tasks of the array that match the list's filters */
                                count: number;
                                /** @description those tasks by state */
                                states: {
                                    [key: string]: number;
                                };
                            };
                            curtailment: {
                                gridEventId: string | null;
                                /** @enum {string} */
                                kind: "suspended" | "capped";
                                /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                                powerShare: number;
                                until: string | null;
                            } | null;
                            /** @enum {string} */
                            dataClass: "public" | "confidential" | "health";
                            /**
                             * Format: date-time
                             * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                             */
                            deadline?: string;
                            dependsOn: {
                                jobId: string;
                                /** @enum {string} */
                                kind: "afterok" | "afterany" | "afternotok";
                            }[];
                            endedAt: string | null;
                            execution: {
                                /** @description slurm */
                                backend: string;
                                endedAt?: string | null;
                                exitCode: number | null;
                                /** @description the executor's job id */
                                externalId: string;
                                nodes?: string[];
                                restarts?: number;
                                signal?: number | null;
                                startedAt?: string | null;
                                /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                                state?: string;
                            } | null;
                            flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                            /** @description share of each GPU in thousandths */
                            gpuMilli: number;
                            gpuModel: string | null;
                            gpuModels: string[];
                            /** @description GPUs over all gang members */
                            gpus: number;
                            held: {
                                at: string;
                                by: string;
                                staff: boolean;
                            } | null;
                            id: string;
                            members: number;
                            name: string;
                            placement: {
                                halls: string[];
                                racks: string[];
                                zoneId: string | null;
                            } | null;
                            priorityClass: string | null;
                            projectId: string;
                            projectName: string | null;
                            queue: string;
                            /** @description why it waits or ended (quota exhausted, zone required...) */
                            reason: string;
                            startedAt: string | null;
                            /** @enum {string} */
                            state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                            submittedAt: string | null;
                            /** @description demo load */
                            synthetic: boolean;
                            tenantId: string;
                            userId: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string | null;
                        arrayTaskId: number | null;
                        /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                        arrayTasks?: {
                            /** @description tasks of the array that match the list's filters */
                            count: number;
                            /** @description those tasks by state */
                            states: {
                                [key: string]: number;
                            };
                        };
                        curtailment: {
                            gridEventId: string | null;
                            /** @enum {string} */
                            kind: "suspended" | "capped";
                            /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                            powerShare: number;
                            until: string | null;
                        } | null;
                        /** @enum {string} */
                        dataClass: "public" | "confidential" | "health";
                        /**
                         * Format: date-time
                         * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                         */
                        deadline?: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        endedAt: string | null;
                        execution: {
                            /** @description slurm */
                            backend: string;
                            endedAt?: string | null;
                            exitCode: number | null;
                            /** @description the executor's job id */
                            externalId: string;
                            nodes?: string[];
                            restarts?: number;
                            signal?: number | null;
                            startedAt?: string | null;
                            /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                            state?: string;
                        } | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        /** @description share of each GPU in thousandths */
                        gpuMilli: number;
                        gpuModel: string | null;
                        gpuModels: string[];
                        /** @description GPUs over all gang members */
                        gpus: number;
                        held: {
                            at: string;
                            by: string;
                            staff: boolean;
                        } | null;
                        id: string;
                        members: number;
                        name: string;
                        placement: {
                            halls: string[];
                            racks: string[];
                            zoneId: string | null;
                        } | null;
                        priorityClass: string | null;
                        projectId: string;
                        projectName: string | null;
                        queue: string;
                        /** @description why it waits or ended (quota exhausted, zone required...) */
                        reason: string;
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                        submittedAt: string | null;
                        /** @description demo load */
                        synthetic: boolean;
                        tenantId: string;
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string | null;
                        arrayTaskId: number | null;
                        /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                        arrayTasks?: {
                            /** @description tasks of the array that match the list's filters */
                            count: number;
                            /** @description those tasks by state */
                            states: {
                                [key: string]: number;
                            };
                        };
                        curtailment: {
                            gridEventId: string | null;
                            /** @enum {string} */
                            kind: "suspended" | "capped";
                            /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                            powerShare: number;
                            until: string | null;
                        } | null;
                        /** @enum {string} */
                        dataClass: "public" | "confidential" | "health";
                        /**
                         * Format: date-time
                         * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                         */
                        deadline?: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        endedAt: string | null;
                        execution: {
                            /** @description slurm */
                            backend: string;
                            endedAt?: string | null;
                            exitCode: number | null;
                            /** @description the executor's job id */
                            externalId: string;
                            nodes?: string[];
                            restarts?: number;
                            signal?: number | null;
                            startedAt?: string | null;
                            /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                            state?: string;
                        } | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        /** @description share of each GPU in thousandths */
                        gpuMilli: number;
                        gpuModel: string | null;
                        gpuModels: string[];
                        /** @description GPUs over all gang members */
                        gpus: number;
                        held: {
                            at: string;
                            by: string;
                            staff: boolean;
                        } | null;
                        id: string;
                        members: number;
                        name: string;
                        placement: {
                            halls: string[];
                            racks: string[];
                            zoneId: string | null;
                        } | null;
                        priorityClass: string | null;
                        projectId: string;
                        projectName: string | null;
                        queue: string;
                        /** @description why it waits or ended (quota exhausted, zone required...) */
                        reason: string;
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                        submittedAt: string | null;
                        /** @description demo load */
                        synthetic: boolean;
                        tenantId: string;
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getJobHistory: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        at: string;
                        /** @description a start's racks, zoneId, halls, nodes and site version; other events' facts */
                        detail: unknown;
                        /** @description job.submit, job.start, job.preempted, job.succeeded... */
                        event: string;
                        state: string;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    holdJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string | null;
                        arrayTaskId: number | null;
                        /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                        arrayTasks?: {
                            /** @description tasks of the array that match the list's filters */
                            count: number;
                            /** @description those tasks by state */
                            states: {
                                [key: string]: number;
                            };
                        };
                        curtailment: {
                            gridEventId: string | null;
                            /** @enum {string} */
                            kind: "suspended" | "capped";
                            /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                            powerShare: number;
                            until: string | null;
                        } | null;
                        /** @enum {string} */
                        dataClass: "public" | "confidential" | "health";
                        /**
                         * Format: date-time
                         * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                         */
                        deadline?: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        endedAt: string | null;
                        execution: {
                            /** @description slurm */
                            backend: string;
                            endedAt?: string | null;
                            exitCode: number | null;
                            /** @description the executor's job id */
                            externalId: string;
                            nodes?: string[];
                            restarts?: number;
                            signal?: number | null;
                            startedAt?: string | null;
                            /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                            state?: string;
                        } | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        /** @description share of each GPU in thousandths */
                        gpuMilli: number;
                        gpuModel: string | null;
                        gpuModels: string[];
                        /** @description GPUs over all gang members */
                        gpus: number;
                        held: {
                            at: string;
                            by: string;
                            staff: boolean;
                        } | null;
                        id: string;
                        members: number;
                        name: string;
                        placement: {
                            halls: string[];
                            racks: string[];
                            zoneId: string | null;
                        } | null;
                        priorityClass: string | null;
                        projectId: string;
                        projectName: string | null;
                        queue: string;
                        /** @description why it waits or ended (quota exhausted, zone required...) */
                        reason: string;
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                        submittedAt: string | null;
                        /** @description demo load */
                        synthetic: boolean;
                        tenantId: string;
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    releaseJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string | null;
                        arrayTaskId: number | null;
                        /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                        arrayTasks?: {
                            /** @description tasks of the array that match the list's filters */
                            count: number;
                            /** @description those tasks by state */
                            states: {
                                [key: string]: number;
                            };
                        };
                        curtailment: {
                            gridEventId: string | null;
                            /** @enum {string} */
                            kind: "suspended" | "capped";
                            /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                            powerShare: number;
                            until: string | null;
                        } | null;
                        /** @enum {string} */
                        dataClass: "public" | "confidential" | "health";
                        /**
                         * Format: date-time
                         * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                         */
                        deadline?: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        endedAt: string | null;
                        execution: {
                            /** @description slurm */
                            backend: string;
                            endedAt?: string | null;
                            exitCode: number | null;
                            /** @description the executor's job id */
                            externalId: string;
                            nodes?: string[];
                            restarts?: number;
                            signal?: number | null;
                            startedAt?: string | null;
                            /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                            state?: string;
                        } | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        /** @description share of each GPU in thousandths */
                        gpuMilli: number;
                        gpuModel: string | null;
                        gpuModels: string[];
                        /** @description GPUs over all gang members */
                        gpus: number;
                        held: {
                            at: string;
                            by: string;
                            staff: boolean;
                        } | null;
                        id: string;
                        members: number;
                        name: string;
                        placement: {
                            halls: string[];
                            racks: string[];
                            zoneId: string | null;
                        } | null;
                        priorityClass: string | null;
                        projectId: string;
                        projectName: string | null;
                        queue: string;
                        /** @description why it waits or ended (quota exhausted, zone required...) */
                        reason: string;
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                        submittedAt: string | null;
                        /** @description demo load */
                        synthetic: boolean;
                        tenantId: string;
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    requeueJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description hold it once requeued (Slurm's requeuehold) */
                    hold?: boolean;
                    reason?: string;
                } | null;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        arrayJobId: string | null;
                        arrayTaskId: number | null;
                        /** @description in a list with arrays=collapse: the array's tasks this one row stands for */
                        arrayTasks?: {
                            /** @description tasks of the array that match the list's filters */
                            count: number;
                            /** @description those tasks by state */
                            states: {
                                [key: string]: number;
                            };
                        };
                        curtailment: {
                            gridEventId: string | null;
                            /** @enum {string} */
                            kind: "suspended" | "capped";
                            /** @description share of its GPUs' dynamic power it may draw (0 while suspended) */
                            powerShare: number;
                            until: string | null;
                        } | null;
                        /** @enum {string} */
                        dataClass: "public" | "confidential" | "health";
                        /**
                         * Format: date-time
                         * @description the instant it was asked to end by (submission's deadline), unchanged by restarts and --speed; absent when none
                         */
                        deadline?: string;
                        dependsOn: {
                            jobId: string;
                            /** @enum {string} */
                            kind: "afterok" | "afterany" | "afternotok";
                        }[];
                        endedAt: string | null;
                        execution: {
                            /** @description slurm */
                            backend: string;
                            endedAt?: string | null;
                            exitCode: number | null;
                            /** @description the executor's job id */
                            externalId: string;
                            nodes?: string[];
                            restarts?: number;
                            signal?: number | null;
                            startedAt?: string | null;
                            /** @description PENDING, RUNNING, COMPLETED, FAILED... */
                            state?: string;
                        } | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        /** @description share of each GPU in thousandths */
                        gpuMilli: number;
                        gpuModel: string | null;
                        gpuModels: string[];
                        /** @description GPUs over all gang members */
                        gpus: number;
                        held: {
                            at: string;
                            by: string;
                            staff: boolean;
                        } | null;
                        id: string;
                        members: number;
                        name: string;
                        placement: {
                            halls: string[];
                            racks: string[];
                            zoneId: string | null;
                        } | null;
                        priorityClass: string | null;
                        projectId: string;
                        projectName: string | null;
                        queue: string;
                        /** @description why it waits or ended (quota exhausted, zone required...) */
                        reason: string;
                        startedAt: string | null;
                        /** @enum {string} */
                        state: "queued" | "admitted" | "running" | "succeeded" | "failed" | "preempted" | "cancelled";
                        submittedAt: string | null;
                        /** @description demo load */
                        synthetic: boolean;
                        tenantId: string;
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listKeys: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                /** @description rows per page (default 200) */
                limit?: number;
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        expiresAt: string | null;
                        id: string;
                        name: string;
                        revokedAt: string | null;
                        userId: string;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    createKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    expiresAt?: string;
                    name: string;
                    userId?: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        key: {
                            createdAt: string;
                            expiresAt: string | null;
                            id: string;
                            name: string;
                            revokedAt: string | null;
                            userId: string;
                        };
                        token: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    revokeKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        expiresAt: string | null;
                        id: string;
                        name: string;
                        revokedAt: string | null;
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description absent for the local operator */
                        keyId?: string;
                        name: string;
                        /** @enum {string} */
                        role: "platform-admin" | "facility-operator" | "tenant-admin" | "tenant-member" | "auditor" | "student" | "metrics-reader" | "telemetry-writer";
                        tenantId: string | null;
                        userId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listProjects: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                /** @description rows per page (default 200) */
                limit?: number;
                tenantId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        id: string;
                        name: string;
                        tenantId: string;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    createProject: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    tenantId: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        id: string;
                        name: string;
                        tenantId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getProject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        id: string;
                        name: string;
                        tenantId: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getQueueConfig: {
        parameters: {
            query?: {
                format?: "json" | "yaml" | "kueue";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description JSON by default; YAML (the queue file, or Kueue objects) with format=yaml or kueue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * alixan queue file
                         * @description Tenants' queues and quotas (Kueue ClusterQueue and cohort semantics).
                         */
                        config: {
                            cohorts?: {
                                name: string;
                                parent?: string;
                                quota?: {
                                    [key: string]: {
                                        borrowingLimit?: number;
                                        lendingLimit?: number;
                                        nominal: number;
                                    };
                                };
                            }[];
                            defaultQueue?: string;
                            fairShare?: {
                                /** @description Half-life of the usage fair share remembers (168; at most ten years) */
                                halfLifeHours?: number;
                            };
                            newTenants?: {
                                cohort?: string;
                                /** @description Tenant kinds the rule applies to (all) */
                                kinds?: string[];
                                preemption?: {
                                    borrowWithinCohort?: {
                                        maxPriorityThreshold?: number;
                                        /** @enum {unknown} */
                                        policy?: "Never" | "LowerPriority";
                                    };
                                    /** @enum {unknown} */
                                    reclaimWithinCohort?: "Never" | "LowerPriority" | "Any";
                                    /** @enum {unknown} */
                                    withinClusterQueue?: "Never" | "LowerPriority" | "LowerOrNewerEqualPriority";
                                };
                                priorityClass?: string;
                                quota?: {
                                    [key: string]: {
                                        borrowingLimit?: number;
                                        lendingLimit?: number;
                                        nominal: number;
                                    };
                                };
                                weight?: number;
                            }[];
                            /** @description Priority classes; none listed: critical, high, normal, low, best-effort */
                            priorityClasses?: {
                                name: string;
                                preempts?: boolean;
                                value: number;
                            }[];
                            queues?: {
                                cohort?: string;
                                /**
                                 * @description Most protected flexibility class its jobs may have, and their default (none: no protection granted)
                                 * @enum {unknown}
                                 */
                                flexibility?: "protected" | "flexible" | "deferrable" | "preemptible";
                                name: string;
                                preemption?: {
                                    borrowWithinCohort?: {
                                        maxPriorityThreshold?: number;
                                        /** @enum {unknown} */
                                        policy?: "Never" | "LowerPriority";
                                    };
                                    /** @enum {unknown} */
                                    reclaimWithinCohort?: "Never" | "LowerPriority" | "Any";
                                    /** @enum {unknown} */
                                    withinClusterQueue?: "Never" | "LowerPriority" | "LowerOrNewerEqualPriority";
                                };
                                priorityClass?: string;
                                quota?: {
                                    [key: string]: {
                                        borrowingLimit?: number;
                                        lendingLimit?: number;
                                        nominal: number;
                                    };
                                };
                                tenant?: string;
                                /** @description Fair-share weight (1) */
                                weight?: number;
                            }[];
                            /** @enum {number} */
                            version?: 1;
                        };
                        version: number;
                    };
                    "application/yaml": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    replaceQueueConfig: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * alixan queue file
                     * @description Tenants' queues and quotas (Kueue ClusterQueue and cohort semantics).
                     */
                    config: {
                        cohorts?: {
                            name: string;
                            parent?: string;
                            quota?: {
                                [key: string]: {
                                    borrowingLimit?: number;
                                    lendingLimit?: number;
                                    nominal: number;
                                };
                            };
                        }[];
                        defaultQueue?: string;
                        fairShare?: {
                            /** @description Half-life of the usage fair share remembers (168; at most ten years) */
                            halfLifeHours?: number;
                        };
                        newTenants?: {
                            cohort?: string;
                            /** @description Tenant kinds the rule applies to (all) */
                            kinds?: string[];
                            preemption?: {
                                borrowWithinCohort?: {
                                    maxPriorityThreshold?: number;
                                    /** @enum {unknown} */
                                    policy?: "Never" | "LowerPriority";
                                };
                                /** @enum {unknown} */
                                reclaimWithinCohort?: "Never" | "LowerPriority" | "Any";
                                /** @enum {unknown} */
                                withinClusterQueue?: "Never" | "LowerPriority" | "LowerOrNewerEqualPriority";
                            };
                            priorityClass?: string;
                            quota?: {
                                [key: string]: {
                                    borrowingLimit?: number;
                                    lendingLimit?: number;
                                    nominal: number;
                                };
                            };
                            weight?: number;
                        }[];
                        /** @description Priority classes; none listed: critical, high, normal, low, best-effort */
                        priorityClasses?: {
                            name: string;
                            preempts?: boolean;
                            value: number;
                        }[];
                        queues?: {
                            cohort?: string;
                            /**
                             * @description Most protected flexibility class its jobs may have, and their default (none: no protection granted)
                             * @enum {unknown}
                             */
                            flexibility?: "protected" | "flexible" | "deferrable" | "preemptible";
                            name: string;
                            preemption?: {
                                borrowWithinCohort?: {
                                    maxPriorityThreshold?: number;
                                    /** @enum {unknown} */
                                    policy?: "Never" | "LowerPriority";
                                };
                                /** @enum {unknown} */
                                reclaimWithinCohort?: "Never" | "LowerPriority" | "Any";
                                /** @enum {unknown} */
                                withinClusterQueue?: "Never" | "LowerPriority" | "LowerOrNewerEqualPriority";
                            };
                            priorityClass?: string;
                            quota?: {
                                [key: string]: {
                                    borrowingLimit?: number;
                                    lendingLimit?: number;
                                    nominal: number;
                                };
                            };
                            tenant?: string;
                            /** @description Fair-share weight (1) */
                            weight?: number;
                        }[];
                        /** @enum {number} */
                        version?: 1;
                    };
                    summary?: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the configuration version now in force */
                        version: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    importKueueConfig: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    summary?: string;
                    /** @description Kueue objects, multi-document YAML */
                    yaml: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the configuration version now in force */
                        version: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listQueueConfigVersions: {
        parameters: {
            query?: {
                before?: number;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        actor: string;
                        createdAt: string;
                        summary: string;
                        version: number;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listQueues: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description null: no limit */
                        borrowingLimit: {
                            [key: string]: number | null;
                        };
                        cohort: string | null;
                        flexibility: ("protected" | "flexible" | "deferrable" | "preemptible") | null;
                        name: string;
                        /** @description by resource: gpu:<model>, cpu, memory */
                        nominal: {
                            [key: string]: number;
                        };
                        pending: number;
                        priorityClass: string;
                        /** @description the classes a job of this queue may ask for (priorityClass of POST /v1/jobs), highest first */
                        priorityClasses: string[];
                        running: number;
                        tenantId: string;
                        usage: {
                            [key: string]: number;
                        };
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    putQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    cohort?: string;
                    /**
                     * @description the most protected flexibility class its jobs may have, and their default (absent: none)
                     * @enum {string}
                     */
                    flexibility?: "protected" | "flexible" | "deferrable" | "preemptible";
                    preemption?: {
                        borrowWithinCohort?: {
                            maxPriorityThreshold?: number;
                            /** @enum {unknown} */
                            policy?: "Never" | "LowerPriority";
                        };
                        /** @enum {unknown} */
                        reclaimWithinCohort?: "Never" | "LowerPriority" | "Any";
                        /** @enum {unknown} */
                        withinClusterQueue?: "Never" | "LowerPriority" | "LowerOrNewerEqualPriority";
                    };
                    priorityClass?: string;
                    quota?: {
                        [key: string]: {
                            borrowingLimit?: number;
                            lendingLimit?: number;
                            nominal: number;
                        };
                    };
                    tenant: string;
                    weight?: number;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the configuration version now in force */
                        version: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    deleteQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the configuration version now in force */
                        version: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listSecurityEvents: {
        parameters: {
            query?: {
                address?: string;
                /** @description only events with a smaller id */
                before?: number;
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                from?: string;
                kind?: "auth.failed" | "auth.throttled" | "access.denied" | "suppressed";
                /** @description items per page */
                limit?: number;
                /** @description exclusive */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            actor: string | null;
                            address: string;
                            /** @description ISO 8601 UTC */
                            at: string;
                            /** @description events this row stands for (more than 1 for a suppressed summary) */
                            count: number;
                            detail: unknown;
                            id: number;
                            /** @description auth.failed, auth.throttled, access.denied, suppressed */
                            kind: string;
                            method: string | null;
                            route: string | null;
                        }[];
                        next: number | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getSite: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    ETag: components["headers"]["VersionTag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        coolingAvailableMW: number;
                        coolingInstalledMW: number;
                        counts: {
                            busways: number;
                            cdus: number;
                            chillers: number;
                            crahUnits: number;
                            dryCoolers: number;
                            fwsPumps: number;
                            gpus: number;
                            halls: number;
                            leakDetectors: number;
                            plants: number;
                            racks: number;
                            rows: number;
                            servers: number;
                            transformers: number;
                            upsModules: number;
                        };
                        designGridDemandMW: number;
                        designHeatMW: number;
                        designItMW: number;
                        /** @description grid demand over IT at design (not an annual PUE) */
                        designPue: number;
                        gpusByModel: {
                            [key: string]: number;
                        };
                        gridConnectionMW: number;
                        id: string;
                        levels: {
                            groups: number;
                            /** @enum {string} */
                            level: "grid feeds" | "transformers" | "UPS" | "busways" | "CDUs" | "CRAH" | "FWS pumps" | "dry coolers" | "chillers" | "air-side pumps" | "air-side chillers";
                            minHeadroom: number;
                            minHeadroomAt: string;
                            minHeadroomFraction: number;
                            redundancy: string[];
                            redundancyMet: number;
                            totalAvailable: number;
                            totalLoad: number;
                            /** @enum {string} */
                            unit: "kW" | "L/min";
                            units: number;
                        }[];
                        name: string;
                        racksByType: {
                            [key: string]: number;
                        };
                        /** @description IANA zone of the site; the console shows times in it */
                        timezone: string;
                        version: number;
                        warnings: {
                            /** @description stable code such as capacity.cdu or ref.unknown */
                            code: string;
                            column?: number;
                            line?: number;
                            message: string;
                            /** @description where in the expanded site, such as halls[2].rows[7].cdus */
                            path: string;
                            /** @enum {string} */
                            severity: "error" | "warning";
                        }[];
                        zones: {
                            gpus: number;
                            id: string;
                            racks: number;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    changeSite: {
        parameters: {
            query?: never;
            header?: {
                /** @description Apply only if this version is in force (`"v12"`, the ETag read), else 412; `*`: any version */
                "if-match"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    patch?: {
                        [key: string]: unknown;
                    };
                    site?: {
                        [key: string]: unknown;
                    };
                    summary: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description The change left the site as it was */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        summary: {
                            coolingAvailableMW: number;
                            coolingInstalledMW: number;
                            counts: {
                                busways: number;
                                cdus: number;
                                chillers: number;
                                crahUnits: number;
                                dryCoolers: number;
                                fwsPumps: number;
                                gpus: number;
                                halls: number;
                                leakDetectors: number;
                                plants: number;
                                racks: number;
                                rows: number;
                                servers: number;
                                transformers: number;
                                upsModules: number;
                            };
                            designGridDemandMW: number;
                            designHeatMW: number;
                            designItMW: number;
                            /** @description grid demand over IT at design (not an annual PUE) */
                            designPue: number;
                            gpusByModel: {
                                [key: string]: number;
                            };
                            gridConnectionMW: number;
                            id: string;
                            levels: {
                                groups: number;
                                /** @enum {string} */
                                level: "grid feeds" | "transformers" | "UPS" | "busways" | "CDUs" | "CRAH" | "FWS pumps" | "dry coolers" | "chillers" | "air-side pumps" | "air-side chillers";
                                minHeadroom: number;
                                minHeadroomAt: string;
                                minHeadroomFraction: number;
                                redundancy: string[];
                                redundancyMet: number;
                                totalAvailable: number;
                                totalLoad: number;
                                /** @enum {string} */
                                unit: "kW" | "L/min";
                                units: number;
                            }[];
                            name: string;
                            racksByType: {
                                [key: string]: number;
                            };
                            zones: {
                                gpus: number;
                                id: string;
                                racks: number;
                            }[];
                        };
                        version: number;
                        warnings: {
                            /** @description stable code such as capacity.cdu or ref.unknown */
                            code: string;
                            column?: number;
                            line?: number;
                            message: string;
                            /** @description where in the expanded site, such as halls[2].rows[7].cdus */
                            path: string;
                            /** @enum {string} */
                            severity: "error" | "warning";
                        }[];
                    };
                };
            };
            /** @description A new site version applies */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        summary: {
                            coolingAvailableMW: number;
                            coolingInstalledMW: number;
                            counts: {
                                busways: number;
                                cdus: number;
                                chillers: number;
                                crahUnits: number;
                                dryCoolers: number;
                                fwsPumps: number;
                                gpus: number;
                                halls: number;
                                leakDetectors: number;
                                plants: number;
                                racks: number;
                                rows: number;
                                servers: number;
                                transformers: number;
                                upsModules: number;
                            };
                            designGridDemandMW: number;
                            designHeatMW: number;
                            designItMW: number;
                            /** @description grid demand over IT at design (not an annual PUE) */
                            designPue: number;
                            gpusByModel: {
                                [key: string]: number;
                            };
                            gridConnectionMW: number;
                            id: string;
                            levels: {
                                groups: number;
                                /** @enum {string} */
                                level: "grid feeds" | "transformers" | "UPS" | "busways" | "CDUs" | "CRAH" | "FWS pumps" | "dry coolers" | "chillers" | "air-side pumps" | "air-side chillers";
                                minHeadroom: number;
                                minHeadroomAt: string;
                                minHeadroomFraction: number;
                                redundancy: string[];
                                redundancyMet: number;
                                totalAvailable: number;
                                totalLoad: number;
                                /** @enum {string} */
                                unit: "kW" | "L/min";
                                units: number;
                            }[];
                            name: string;
                            racksByType: {
                                [key: string]: number;
                            };
                            zones: {
                                gpus: number;
                                id: string;
                                racks: number;
                            }[];
                        };
                        version: number;
                        warnings: {
                            /** @description stable code such as capacity.cdu or ref.unknown */
                            code: string;
                            column?: number;
                            line?: number;
                            message: string;
                            /** @description where in the expanded site, such as halls[2].rows[7].cdus */
                            path: string;
                            /** @enum {string} */
                            severity: "error" | "warning";
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getSiteDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description A campus for alixan: site, zones, rack types, power, plants, halls (docs/site-format.md). */
            200: {
                headers: {
                    ETag: components["headers"]["VersionTag"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cduModels: {
                            approachK: number;
                            capacityKW: number;
                            model: string;
                            pumpPowerKW: number;
                            ratedFlowLpm: number;
                        }[];
                        halls: {
                            crah?: {
                                capacityKW?: number;
                                count?: number;
                                fanPowerKW?: number;
                                /** @enum {unknown} */
                                redundancy?: "N" | "N+1" | "N+2" | "2N";
                                /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                unitDigits?: number;
                            };
                            id?: string;
                            name?: string;
                            plant?: {
                                adiabatic?: {
                                    /** @description Share of the wet-bulb depression the pads achieve */
                                    effectiveness?: number;
                                    enabled?: boolean;
                                    /** @description Dry bulb above which sprays run */
                                    startAboveC?: number;
                                };
                                airSide?: {
                                    chillers?: {
                                        capacityKW?: number;
                                        copCurve?: {
                                            cop?: number;
                                            liftK?: number;
                                        }[];
                                        count?: number;
                                        /** @description Fans of one unit at full speed in free cooling (the COP curve already counts them with compressors) */
                                        fanPowerKW?: number;
                                        /** @description Return water minus outdoor air at which one unit's free-cooling coil carries its rated capacity, K */
                                        freeCoolingDifferenceK?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    designDeltaTK?: number;
                                    pumps?: {
                                        count?: number;
                                        powerKW?: number;
                                        ratedFlowLpm?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    supplySetpointC?: number;
                                    waterVolumeM3?: number;
                                };
                                chillers?: {
                                    capacityKW?: number;
                                    copCurve?: {
                                        cop?: number;
                                        liftK?: number;
                                    }[];
                                    count?: number;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                dryCoolers?: {
                                    approachK?: number;
                                    capacityKW?: number;
                                    count?: number;
                                    designAmbientC?: number;
                                    fanPowerKW?: number;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                fws?: {
                                    designDeltaTK?: number;
                                    pumps?: {
                                        count?: number;
                                        powerKW?: number;
                                        ratedFlowLpm?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    supplySetpointC?: number;
                                    /** @enum {unknown} */
                                    waterClass?: "W17" | "W27" | "W32" | "W40" | "W45" | "W+";
                                    waterVolumeM3?: number;
                                };
                                makeUp?: {
                                    lossM3PerDay?: number;
                                };
                            };
                            plantRef?: string;
                            power?: {
                                transformers?: {
                                    count?: number;
                                    /** @description Grid feeds this group draws from (default: all) */
                                    feeds?: string[];
                                    loadLossKW?: number;
                                    noLoadLossKW?: number;
                                    ratingKVA?: number;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                ups?: {
                                    count?: number;
                                    efficiencyCurve?: {
                                        efficiency?: number;
                                        load?: number;
                                    }[];
                                    ratingKW?: number;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                            };
                            /** @description Fewest digits of a row's number in the hall (default 2; more as needed) */
                            rowDigits?: number;
                            rows?: {
                                busways?: {
                                    count?: number;
                                    phases?: number;
                                    ratingKW?: number;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                cdus?: {
                                    count?: number;
                                    model?: string;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                count?: number;
                                leakDetectors?: {
                                    perCdu?: number;
                                    perRack?: number;
                                };
                                number?: number;
                                pattern?: string;
                                /** @description Fewest digits of a rack's number in the row (default 2; more as needed) */
                                rackDigits?: number;
                                racks?: {
                                    count?: number;
                                    type?: string;
                                }[];
                                tcs?: {
                                    designRiseK?: number;
                                    fluid?: string;
                                    supplySetpointC?: number;
                                };
                                zone?: string;
                            }[];
                            template?: string;
                            whiteSpaceM2?: number;
                            zone?: string;
                        }[];
                        /** @default {} */
                        hallTemplates: {
                            [key: string]: {
                                crah?: {
                                    capacityKW?: number;
                                    count?: number;
                                    fanPowerKW?: number;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                plant?: {
                                    adiabatic?: {
                                        /** @description Share of the wet-bulb depression the pads achieve */
                                        effectiveness?: number;
                                        enabled?: boolean;
                                        /** @description Dry bulb above which sprays run */
                                        startAboveC?: number;
                                    };
                                    airSide?: {
                                        chillers?: {
                                            capacityKW?: number;
                                            copCurve?: {
                                                cop?: number;
                                                liftK?: number;
                                            }[];
                                            count?: number;
                                            /** @description Fans of one unit at full speed in free cooling (the COP curve already counts them with compressors) */
                                            fanPowerKW?: number;
                                            /** @description Return water minus outdoor air at which one unit's free-cooling coil carries its rated capacity, K */
                                            freeCoolingDifferenceK?: number;
                                            /** @enum {unknown} */
                                            redundancy?: "N" | "N+1" | "N+2" | "2N";
                                            /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                            unitDigits?: number;
                                        };
                                        designDeltaTK?: number;
                                        pumps?: {
                                            count?: number;
                                            powerKW?: number;
                                            ratedFlowLpm?: number;
                                            /** @enum {unknown} */
                                            redundancy?: "N" | "N+1" | "N+2" | "2N";
                                            /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                            unitDigits?: number;
                                        };
                                        supplySetpointC?: number;
                                        waterVolumeM3?: number;
                                    };
                                    chillers?: {
                                        capacityKW?: number;
                                        copCurve?: {
                                            cop?: number;
                                            liftK?: number;
                                        }[];
                                        count?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    dryCoolers?: {
                                        approachK?: number;
                                        capacityKW?: number;
                                        count?: number;
                                        designAmbientC?: number;
                                        fanPowerKW?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    fws?: {
                                        designDeltaTK?: number;
                                        pumps?: {
                                            count?: number;
                                            powerKW?: number;
                                            ratedFlowLpm?: number;
                                            /** @enum {unknown} */
                                            redundancy?: "N" | "N+1" | "N+2" | "2N";
                                            /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                            unitDigits?: number;
                                        };
                                        supplySetpointC?: number;
                                        /** @enum {unknown} */
                                        waterClass?: "W17" | "W27" | "W32" | "W40" | "W45" | "W+";
                                        waterVolumeM3?: number;
                                    };
                                    makeUp?: {
                                        lossM3PerDay?: number;
                                    };
                                };
                                plantRef?: string;
                                power?: {
                                    transformers?: {
                                        count?: number;
                                        /** @description Grid feeds this group draws from (default: all) */
                                        feeds?: string[];
                                        loadLossKW?: number;
                                        noLoadLossKW?: number;
                                        ratingKVA?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    ups?: {
                                        count?: number;
                                        efficiencyCurve?: {
                                            efficiency?: number;
                                            load?: number;
                                        }[];
                                        ratingKW?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                };
                                /** @description Fewest digits of a row's number in the hall (default 2; more as needed) */
                                rowDigits?: number;
                                rows?: {
                                    busways?: {
                                        count?: number;
                                        phases?: number;
                                        ratingKW?: number;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    cdus?: {
                                        count?: number;
                                        model?: string;
                                        /** @enum {unknown} */
                                        redundancy?: "N" | "N+1" | "N+2" | "2N";
                                        /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                        unitDigits?: number;
                                    };
                                    count?: number;
                                    leakDetectors?: {
                                        perCdu?: number;
                                        perRack?: number;
                                    };
                                    number?: number;
                                    pattern?: string;
                                    /** @description Fewest digits of a rack's number in the row (default 2; more as needed) */
                                    rackDigits?: number;
                                    racks?: {
                                        count?: number;
                                        type?: string;
                                    }[];
                                    tcs?: {
                                        designRiseK?: number;
                                        fluid?: string;
                                        supplySetpointC?: number;
                                    };
                                    zone?: string;
                                }[];
                                whiteSpaceM2?: number;
                            };
                        };
                        heatOfftake?: {
                            /**
                             * @description Temperature differences across the heat pumps' evaporator and condenser, K
                             * @default 3
                             */
                            approachK: number;
                            /**
                             * @description Share of the Carnot COP the heat pumps reach (0.4–0.6 for large industrial heat pumps)
                             * @default 0.5
                             */
                            carnotEfficiency: number;
                            /** @description Heat the network contracts to take, MW of delivered heat, one value per month (January first) */
                            contractMW: number[];
                            /** @description €/MWh of heat */
                            heatPriceEurPerMWh?: number;
                            /** @description Network operator (named in the report) */
                            network?: string;
                            /** @description Network supply temperature, °C */
                            networkSupplyC: number;
                        };
                        /** @default [] */
                        meters: {
                            id: string;
                            /** @enum {unknown} */
                            kind: "gridImport" | "itOutput" | "cooling" | "waterMakeUp" | "heatReuse" | "renewableOnSite";
                            /** @description Labels the series must carry with exactly these values (every matching series is summed) */
                            labels?: {
                                [key: string]: string;
                            };
                            /**
                             * @description Longest gap (hours) a gauge's hours may be estimated over by linear interpolation (0 = never)
                             * @default 6
                             */
                            maxInterpolationH: number;
                            /** @description The series' metric name */
                            metric: string;
                            /** @enum {unknown} */
                            unit: "W" | "kW" | "MW" | "m3/h" | "L/min" | "L/s" | "Wh" | "kWh" | "MWh" | "GJ" | "m3" | "L";
                        }[];
                        /** @default [] */
                        plants: {
                            /** @default {} */
                            adiabatic: {
                                /**
                                 * @description Share of the wet-bulb depression the pads achieve
                                 * @default 0.7
                                 */
                                effectiveness: number;
                                /** @default false */
                                enabled: boolean;
                                /**
                                 * @description Dry bulb above which sprays run
                                 * @default 28
                                 */
                                startAboveC: number;
                            };
                            airSide?: {
                                chillers: {
                                    capacityKW: number;
                                    copCurve: {
                                        cop: number;
                                        liftK: number;
                                    }[];
                                    count: number;
                                    /** @description Fans of one unit at full speed in free cooling (the COP curve already counts them with compressors) */
                                    fanPowerKW: number;
                                    /**
                                     * @description Return water minus outdoor air at which one unit's free-cooling coil carries its rated capacity, K
                                     * @default 10
                                     */
                                    freeCoolingDifferenceK: number;
                                    /**
                                     * @default N
                                     * @enum {unknown}
                                     */
                                    redundancy: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                /** @default 6 */
                                designDeltaTK: number;
                                pumps: {
                                    count: number;
                                    powerKW: number;
                                    ratedFlowLpm: number;
                                    /**
                                     * @default N
                                     * @enum {unknown}
                                     */
                                    redundancy: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                supplySetpointC: number;
                                waterVolumeM3: number;
                            };
                            chillers: {
                                capacityKW: number;
                                copCurve: {
                                    cop: number;
                                    liftK: number;
                                }[];
                                count: number;
                                /**
                                 * @default N
                                 * @enum {unknown}
                                 */
                                redundancy: "N" | "N+1" | "N+2" | "2N";
                                /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                unitDigits?: number;
                            };
                            dryCoolers: {
                                approachK: number;
                                capacityKW: number;
                                count: number;
                                /** @default 35 */
                                designAmbientC: number;
                                fanPowerKW: number;
                                /**
                                 * @default N
                                 * @enum {unknown}
                                 */
                                redundancy: "N" | "N+1" | "N+2" | "2N";
                                /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                unitDigits?: number;
                            };
                            fws: {
                                designDeltaTK: number;
                                pumps: {
                                    count: number;
                                    powerKW: number;
                                    ratedFlowLpm: number;
                                    /**
                                     * @default N
                                     * @enum {unknown}
                                     */
                                    redundancy: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                supplySetpointC: number;
                                /** @enum {unknown} */
                                waterClass: "W17" | "W27" | "W32" | "W40" | "W45" | "W+";
                                waterVolumeM3: number;
                            };
                            id: string;
                            /** @default {} */
                            makeUp: {
                                /** @default 0.5 */
                                lossM3PerDay: number;
                            };
                        }[];
                        power: {
                            gridFeeds: {
                                capacityMW: number;
                                id: string;
                                /** @default 225 */
                                voltageKV: number;
                            }[];
                            /**
                             * @default N
                             * @enum {unknown}
                             */
                            gridRedundancy: "N" | "N+1" | "N+2" | "2N";
                            /** @default 0.95 */
                            powerFactor: number;
                        };
                        rackTypes: {
                            /**
                             * @default crah
                             * @enum {unknown}
                             */
                            airCooling: "rdhx" | "crah";
                            /**
                             * @description CPU cores per server (all sockets): turns a rack type's lost busy rack-hours into CPU core-hours
                             * @default 0
                             */
                            cpuCoresPerServer: number;
                            description?: string;
                            designPowerKW: number;
                            gpuModel?: string;
                            /** @default 0 */
                            gpusPerRack: number;
                            id: string;
                            idlePowerKW: number;
                            liquidCaptureFraction: number;
                            /**
                             * @description Highest technology-loop supply temperature before GPUs throttle
                             * @default 45
                             */
                            maxCoolantSupplyC: number;
                            /** @default 0 */
                            nvlinkDomainSize: number;
                            /** @description Rear-door exchanger capacity per rack (airCooling rdhx) */
                            rdhxCapacityKW?: number;
                            servers: number;
                            weightKg: number;
                        }[];
                        /** @default {} */
                        rowPatterns: {
                            [key: string]: {
                                busways?: {
                                    count?: number;
                                    phases?: number;
                                    ratingKW?: number;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                cdus?: {
                                    count?: number;
                                    model?: string;
                                    /** @enum {unknown} */
                                    redundancy?: "N" | "N+1" | "N+2" | "2N";
                                    /** @description Fewest digits of a unit's number in the group (default 2; more as needed) */
                                    unitDigits?: number;
                                };
                                leakDetectors?: {
                                    perCdu?: number;
                                    perRack?: number;
                                };
                                /** @description Fewest digits of a rack's number in the row (default 2; more as needed) */
                                rackDigits?: number;
                                racks?: {
                                    count?: number;
                                    type?: string;
                                }[];
                                tcs?: {
                                    designRiseK?: number;
                                    fluid?: string;
                                    supplySetpointC?: number;
                                };
                            };
                        };
                        site: {
                            buildingAreaM2?: number;
                            gridConnectionMW: number;
                            id: string;
                            location: {
                                /** @default 0 */
                                elevationM: number;
                                latitude: number;
                                longitude: number;
                            };
                            name: string;
                            operator: string;
                            /** @description Seconds until the operator restarts racks latched off after repeated trips with no failure open in their scope (default 1800; off: no response, they wait for a repair or a scenario's restartRacks) */
                            operatorResponseS?: number | "off";
                            /** Format: date */
                            startOfOperation?: string;
                            timezone: string;
                        };
                        uncertainty?: {
                            containmentRiseK?: {
                                high: number;
                                low: number;
                            };
                            copScale?: {
                                high: number;
                                low: number;
                            };
                            crahApproachK?: {
                                high: number;
                                low: number;
                            };
                            dryCoolerApproachK?: {
                                high: number;
                                low: number;
                            };
                            houseWPerM2?: {
                                high: number;
                                low: number;
                            };
                            pumpFanPowerScale?: {
                                high: number;
                                low: number;
                            };
                            rearDoorEffectiveness?: {
                                high: number;
                                low: number;
                            };
                            serverAirRiseK?: {
                                high: number;
                                low: number;
                            };
                            substationPei?: {
                                high: number;
                                low: number;
                            };
                            upsLossScale?: {
                                high: number;
                                low: number;
                            };
                        };
                        /**
                         * @description Format version
                         * @default 1
                         */
                        version: number;
                        /** @default [] */
                        zones: {
                            /** @default [] */
                            certifications: string[];
                            /**
                             * @default [
                             *       "public",
                             *       "confidential"
                             *     ]
                             */
                            dataClasses: ("public" | "confidential" | "health")[];
                            id: string;
                            name: string;
                            /** Format: date */
                            validUntil?: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listHalls: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        designItKW: number;
                        id: string;
                        name: string;
                        plantId: string;
                        racks: number;
                        rows: number;
                        whiteSpaceM2: number;
                        zoneId: string | null;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getSiteLayout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        halls: {
                            id: string;
                            name: string;
                            plantId: string;
                            rowCount: number;
                            rowStart: number;
                            zoneId: string | null;
                        }[];
                        racks: {
                            count: number;
                            ids: string[];
                            typeIndex: number[];
                        };
                        rackTypes: {
                            designPowerKW: number;
                            gpuModel: string | null;
                            gpus: number;
                            id: string;
                            maxCoolantSupplyC: number;
                        }[];
                        rows: {
                            cdus: string[];
                            hallIndex: number;
                            id: string;
                            rackCount: number;
                            rackStart: number;
                            tcsLoop: string;
                            zoneId: string | null;
                        }[];
                        version: number;
                        zones: {
                            id: string;
                            name: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listRacks: {
        parameters: {
            query?: {
                hall?: string;
                limit?: number;
                offset?: number;
                row?: string;
                zone?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        offset: number;
                        racks: {
                            cooling: {
                                /** @enum {string} */
                                airCooling: "rdhx" | "crah";
                                cdus: string[];
                                plant: string;
                                tcsLoop: string;
                            };
                            designPowerKW: number;
                            gpuModel: string | null;
                            gpus: number;
                            hallId: string;
                            id: string;
                            idlePowerKW: number;
                            liquidCaptureFraction: number;
                            /** @description 1-based position in its row */
                            position: number;
                            powerPath: {
                                busways: string[];
                                feeds: string[];
                                transformers: string[];
                                ups: string[];
                            };
                            rowId: string;
                            type: string;
                            zoneId: string | null;
                        }[];
                        total: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getRack: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cooling: {
                            /** @enum {string} */
                            airCooling: "rdhx" | "crah";
                            cdus: string[];
                            plant: string;
                            tcsLoop: string;
                        };
                        designPowerKW: number;
                        gpuModel: string | null;
                        gpus: number;
                        hallId: string;
                        id: string;
                        idlePowerKW: number;
                        liquidCaptureFraction: number;
                        /** @description 1-based position in its row */
                        position: number;
                        powerPath: {
                            busways: string[];
                            feeds: string[];
                            transformers: string[];
                            ups: string[];
                        };
                        rowId: string;
                        type: string;
                        zoneId: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listRows: {
        parameters: {
            query?: {
                hall?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        busways: string[];
                        cduCapacityKW: number;
                        /** @enum {string} */
                        cduRedundancy: "N" | "N+1" | "N+2" | "2N";
                        cdus: string[];
                        designItKW: number;
                        firstRack: string | null;
                        hallId: string;
                        id: string;
                        liquidHeatKW: number;
                        racks: number;
                        tcsLoop: string;
                        zoneId: string | null;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    postStateEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    action: "fail-cdu" | "repair-cdu" | "fail-unit" | "repair-unit" | "set-supply" | "restart-racks";
                    id: string;
                    supplyC?: number;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        applied: {
                            /** @enum {string} */
                            action: "fail-cdu" | "repair-cdu" | "fail-unit" | "repair-unit" | "set-supply" | "restart-racks";
                            id: string;
                            supplyC?: number;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getStateHistory: {
        parameters: {
            query?: {
                minutes?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        coolingKW: (number | null)[];
                        dryBulbC: (number | null)[];
                        facilityKW: (number | null)[];
                        fwsSupplyC: (number | null)[];
                        itKW: (number | null)[];
                        lossesKW: (number | null)[];
                        pue: (number | null)[];
                        /** @description start of each point's interval, epoch ms */
                        time: number[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getPlantState: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        adiabaticOn: boolean;
                        chillerKW: number;
                        chillersRunning: number;
                        dryCoolerKW: number;
                        /** @description pumps, dry coolers, chillers and the plant's halls' air handlers out of service */
                        failedUnits: string[];
                        fanKW: number;
                        fwsReturnC: number;
                        fwsSupplyC: number;
                        /** @description The supply set-point held: the site's, or one an operator set. */
                        fwsSupplySetpointC: number;
                        heatKW: number;
                        id: string;
                        pumpKW: number;
                        tcs: {
                            capacityKW: number;
                            headroomKW: number;
                            heatKW: number;
                            id: string;
                            supplyC: number;
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getRackField: {
        parameters: {
            query?: {
                field?: "powerKW" | "utilisation" | "tcsSupplyC" | "tcsReturnC" | "headroomKW" | "loopHeadroom" | "throttle" | "running";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        field: string;
                        time: string;
                        /** @description kW, fraction or degC */
                        unit: string;
                        values: number[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getRackState: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        designPowerKW: number;
                        headroomKW: number;
                        id: string;
                        jobs: {
                            gpus: number;
                            id: string;
                            name: string;
                            tenantId: string;
                        }[];
                        /** @description off after a second trip within the hour until a repair or an operator's restart (action restart-racks) */
                        latched: boolean;
                        powerKW: number;
                        /** @description share of the rack running: 1 in service, 0 tripped, between while it restarts */
                        running: number;
                        tcs: {
                            capacityKW: number;
                            failedCdus: string[];
                            flowLpm: number;
                            headroomKW: number;
                            heatKW: number;
                            /** @description tcs:h1-r001 */
                            id: string;
                            returnC: number;
                            supplyC: number;
                        };
                        tcsReturnC: number;
                        tcsSupplyC: number;
                        /** @description share of power left, 1 = not throttled */
                        throttle: number;
                        time: string;
                        /** @description off after a trip, or still restarting (running below 1) */
                        tripped: boolean;
                        utilisation: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getSiteState: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        halls: {
                            /** @description hall air at the racks' inlet: air handlers' supply + containment leakage, + its rise when they fall short */
                            airC: number;
                            /** @description heat its envelope loses beyond normal while it is warm */
                            envelopeLossKW: number;
                            /** @description hall:h1 */
                            id: string;
                            /** @description air-cooled mass of its installed racks, trailing the air after a shortfall */
                            rackMassC: number;
                            /** @description heat its rear doors take from a warm room beyond their racks' own */
                            rearDoorExtraKW: number;
                            /** @description heat-storing layer of its floor slab and walls, the slowest to recover */
                            slabAndWallsC: number;
                        }[];
                        /** @description null when a figure has no value (PUE with no IT load) */
                        kpis: {
                            carbonKgPerH: number | null;
                            coolingKW: number | null;
                            facilityKW: number | null;
                            gpuUtilisation: number | null;
                            itKW: number | null;
                            latchedRacks: number | null;
                            lossesKW: number | null;
                            makeUpWaterLPerH: number | null;
                            pue: number | null;
                            throttledRacks: number | null;
                            trippedRacks: number | null;
                        };
                        /** @enum {string} */
                        mode: "simulated" | "measured";
                        plants: {
                            adiabaticOn: boolean;
                            chillerKW: number;
                            chillersRunning: number;
                            dryCoolerKW: number;
                            /** @description pumps, dry coolers, chillers and the plant's halls' air handlers out of service */
                            failedUnits: string[];
                            fanKW: number;
                            fwsReturnC: number;
                            fwsSupplyC: number;
                            /** @description The supply set-point held: the site's, or one an operator set. */
                            fwsSupplySetpointC: number;
                            heatKW: number;
                            id: string;
                            pumpKW: number;
                        }[];
                        /** @description simulated seconds per second */
                        speed: number;
                        time: string;
                        weather: {
                            dryBulbC: number;
                            relativeHumidity: number;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    streamState: {
        parameters: {
            query?: {
                access_token?: string;
                field?: "powerKW" | "utilisation" | "tcsSupplyC" | "tcsReturnC" | "headroomKW" | "loopHeadroom" | "throttle" | "running";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description An event stream: `event: site` with the GET /v1/state/site object and `event: racks` with the GET /v1/state/racks object, every second; `event: end` when the key expires */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getTcsState: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        capacityKW: number;
                        failedCdus: string[];
                        flowLpm: number;
                        headroomKW: number;
                        heatKW: number;
                        /** @description tcs:h1-r001 */
                        id: string;
                        plantId: string;
                        returnC: number;
                        rowId: string;
                        supplyC: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    exportTelemetryParquet: {
        parameters: {
            query?: {
                equipment?: string;
                from?: string;
                hall?: string;
                /** @description series names (repeat for several) */
                name?: string[];
                plant?: string;
                rack?: string;
                row?: string;
                /** @description canonical series keys */
                series?: string[];
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description A Parquet file; X-Alixan-Rows says how many samples it holds */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.apache.parquet": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    ingestInflux: {
        parameters: {
            query?: {
                precision?: "ns" | "us" | "ms" | "s";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Influx line protocol */
        requestBody: {
            content: {
                "text/plain": string;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description samples now durable */
                        accepted: number;
                        /** @description the first rejections (at most 100) */
                        rejected: {
                            /** @description 1-based, for text formats */
                            line?: number;
                            /** @description samples[3].value, or the field on a line */
                            path: string;
                            problem: string;
                        }[];
                        rejectedCount: number;
                        /** @description inputs refused at a series limit */
                        seriesLimited?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    ingestPrometheus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Prometheus or OpenMetrics exposition text */
        requestBody: {
            content: {
                "application/openmetrics-text": string;
                "text/plain": string;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description samples now durable */
                        accepted: number;
                        /** @description the first rejections (at most 100) */
                        rejected: {
                            /** @description 1-based, for text formats */
                            line?: number;
                            /** @description samples[3].value, or the field on a line */
                            path: string;
                            problem: string;
                        }[];
                        rejectedCount: number;
                        /** @description inputs refused at a series limit */
                        seriesLimited?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    queryTelemetry: {
        parameters: {
            query?: {
                aggregation?: "avg" | "min" | "max" | "last" | "sum" | "count";
                combine?: "sum" | "avg" | "min" | "max" | "last";
                equipment?: string;
                /** @description ms, RFC 3339, or -1h (default -1h) */
                from?: string;
                groupBy?: "series" | "equipment" | "rack" | "row" | "hall" | "plant" | "all";
                hall?: string;
                /** @description series names (repeat for several) */
                name?: string[];
                plant?: string;
                rack?: string;
                row?: string;
                /** @description canonical series keys */
                series?: string[];
                /** @description bucket width: 60s, 5m, 1h or ms; absent: raw samples */
                step?: string;
                /** @description ms, RFC 3339, or -5m (default now) */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        frames: {
                            labels: {
                                [key: string]: string;
                            };
                            /** @description the series key, or the group's value (row:h1-r07, all) */
                            name: string;
                            seriesCount: number;
                            timestamps: number[];
                            values: (number | null)[];
                        }[];
                        /** @description epoch ms */
                        from: number;
                        /** @enum {string} */
                        resolution: "raw" | "1m" | "1h";
                        /** @enum {string} */
                        source: "hot" | "history";
                        /** @description bucket width, ms */
                        step?: number;
                        /** @description epoch ms */
                        to: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    receiveRedfishPush: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                target: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    "@odata.type"?: string | null;
                    Context?: string | null;
                    Events?: ({
                        Context?: string | null;
                        EventType?: string | null;
                        Message?: string | null;
                        MessageArgs?: (string | number | boolean | null)[] | null;
                        MessageId?: string | null;
                        MessageSeverity?: string | null;
                        OriginOfCondition?: (string | ({
                            "@odata.id": string;
                        } & {
                            [key: string]: unknown;
                        })) | null;
                        Severity?: string | null;
                    } & {
                        [key: string]: unknown;
                    })[];
                    Id?: string | null;
                    MetricValues?: ({
                        MetricId?: string | null;
                        MetricProperty?: string | null;
                        MetricValue?: string | number | null;
                        Timestamp?: string | null;
                    } & {
                        [key: string]: unknown;
                    })[];
                    Timestamp?: string | null;
                } & {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description samples made durable (metric reports) */
                        accepted?: number;
                        /** @description event records applied, or metric values turned into samples */
                        count: number;
                        /** @enum {string} */
                        kind: "event" | "metric-report";
                        /** @description the first rejections (at most 100) */
                        rejected?: {
                            /** @description 1-based, for text formats */
                            line?: number;
                            /** @description samples[3].value, or the field on a line */
                            path: string;
                            problem: string;
                        }[];
                        rejectedCount?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    ingestSamples: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    frames?: unknown[];
                    samples?: unknown[];
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description samples now durable */
                        accepted: number;
                        /** @description the first rejections (at most 100) */
                        rejected: {
                            /** @description 1-based, for text formats */
                            line?: number;
                            /** @description samples[3].value, or the field on a line */
                            path: string;
                            problem: string;
                        }[];
                        rejectedCount: number;
                        /** @description inputs refused at a series limit */
                        seriesLimited?: number;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listTelemetrySeries: {
        parameters: {
            query?: {
                equipment?: string;
                hall?: string;
                limit?: number;
                /** @description series names (repeat for several) */
                name?: string[];
                plant?: string;
                rack?: string;
                row?: string;
                /** @description canonical series keys */
                series?: string[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        labels: {
                            [key: string]: string;
                        };
                        location: {
                            equipment?: string;
                            hall?: string;
                            plant?: string;
                            rack?: string;
                            row?: string;
                        };
                        name: string;
                        /** @description canonical series key */
                        series: string;
                        timestamp: number | null;
                        value: number | null;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getTelemetryStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        modbus: {
                            device: string;
                            equipment?: string;
                            status?: {
                                /** @description time of the last attempt, ms */
                                at: number;
                                consecutiveFailures: number;
                                /** @description points of the last answered poll that could not be read as numbers (the decode_errors series) */
                                decodeErrors: number;
                                device: string;
                                lastSuccessAt?: number;
                                /** @description when the next attempt is due (later than the interval while backing off) */
                                nextAttemptAt: number;
                                ok: boolean;
                                problems: string[];
                                samples: number;
                                /** @description no good read for staleAfterMs */
                                stale: boolean;
                            };
                        }[];
                        pendingSamples: number;
                        prometheus: {
                            /** @description time of the scrape, ms */
                            at: number;
                            problem?: string;
                            samples: number;
                            up: boolean;
                            url: string;
                        }[];
                        redfish: {
                            events?: {
                                connected: boolean;
                                events: number;
                                lastProblem?: string;
                            };
                            status?: {
                                /** @description time of the poll, ms */
                                at: number;
                                /**
                                 * @description how requests authenticated (a session, Basic, or none)
                                 * @enum {unknown}
                                 */
                                authentication: "none" | "session" | "basic";
                                /** @description readings the service answered but that could not be decoded (the redfish decode_errors series) */
                                decodeErrors: number;
                                /** @description metric reports read (when the target reads them) */
                                metricReports?: number;
                                /** @description metric definitions or sensors whose unit look-up failed and is remembered: not asked again before a wait of 1 min doubling to 1 h (when the target reads or is pushed metric reports) */
                                metricUnitFailures?: number;
                                /** @description resources the service answered 304 Not Modified (ETag): read from the last answer, not sent again */
                                notModified: number;
                                /** @description resources that could not be read, with why */
                                problems: string[];
                                resources: number;
                                samples: number;
                            };
                            subscription?: {
                                /** @description the receiver URL the service posts to */
                                destination: string;
                                /** @description event records received */
                                events: number;
                                lastProblem?: string;
                                /** @description metric reports received */
                                reports: number;
                                /** @description this run's subscription URIs on the service */
                                subscriptions: string[];
                            };
                            target: string;
                        }[];
                        remoteWrite?: {
                            dropped: number;
                            failed: number;
                            lastProblem?: string;
                            queued: number;
                            sent: number;
                        };
                        series: number;
                        snmp: {
                            device: string;
                            equipment?: string;
                            status?: {
                                /** @description time of the last attempt, ms */
                                at: number;
                                consecutiveFailures: number;
                                /** @description points of the last answered poll that could not be read as numbers (the decode_errors series) */
                                decodeErrors: number;
                                device: string;
                                lastSuccessAt?: number;
                                /** @description when the next attempt is due (later than the interval while backing off) */
                                nextAttemptAt: number;
                                ok: boolean;
                                problems: string[];
                                samples: number;
                                /** @description no good read for staleAfterMs */
                                stale: boolean;
                            };
                        }[];
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    streamTelemetry: {
        parameters: {
            query?: {
                alarms?: boolean;
                equipment?: string;
                hall?: string;
                /** @description series names (repeat for several) */
                name?: string[];
                plant?: string;
                rack?: string;
                row?: string;
                /** @description canonical series keys */
                series?: string[];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description An event stream: `samples` events carry query frames, `alarm` events an alarm event (GET /v1/alarms/history items); comments keep it alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    listTenants: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                kind?: "operator" | "pharma" | "diagnostics" | "hospital" | "campus" | "genai" | "research";
                /** @description rows per page (default 200) */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        dataClasses: string[];
                        id: string;
                        kind: string;
                        name: string;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    createTenant: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    dataClasses?: ("public" | "confidential" | "health")[];
                    id: string;
                    /** @enum {string} */
                    kind: "operator" | "pharma" | "diagnostics" | "hospital" | "campus" | "genai" | "research";
                    name: string;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        dataClasses: string[];
                        id: string;
                        kind: string;
                        name: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        dataClasses: string[];
                        id: string;
                        kind: string;
                        name: string;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getUsage: {
        parameters: {
            query?: {
                format?: "json" | "csv";
                from?: string;
                tenant?: string;
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description The report as JSON, or its lines as CSV with format=csv */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        from: string;
                        idleItEnergyKWh?: number;
                        idleOverheadEnergyKWh?: number;
                        projects: {
                            co2Kg: number;
                            cpuHours: number;
                            energyKWh: number;
                            gpuHoursByModel: {
                                [key: string]: number;
                            };
                            itEnergyKWh: number;
                            jobs: number;
                            meanQueueingS: number;
                            overheadEnergyKWh: number;
                            preemptions: number;
                            projectId?: string;
                            /** @description the project's name, on project lines */
                            projectName?: string;
                            tenantId: string;
                            waterL: number;
                        }[];
                        siteCo2Kg?: number;
                        siteEnergyKWh?: number;
                        siteItEnergyKWh?: number;
                        siteWaterL?: number;
                        /** @description where the energy figures come from */
                        source: string;
                        tenants: {
                            co2Kg: number;
                            cpuHours: number;
                            energyKWh: number;
                            gpuHoursByModel: {
                                [key: string]: number;
                            };
                            itEnergyKWh: number;
                            jobs: number;
                            meanQueueingS: number;
                            overheadEnergyKWh: number;
                            preemptions: number;
                            projectId?: string;
                            /** @description the project's name, on project lines */
                            projectName?: string;
                            tenantId: string;
                            waterL: number;
                        }[];
                        to: string;
                    };
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listUsageHours: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                from?: string;
                /** @description items per page */
                limit?: number;
                project?: string;
                queue?: string;
                tenant?: string;
                to?: string;
                zone?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        co2Kg: number;
                        cpuHours: number;
                        energyKWh: number;
                        gpuHours: number;
                        gpuModel: string;
                        hourStart: string;
                        itEnergyKWh: number;
                        overheadEnergyKWh: number;
                        projectId: string;
                        queue: string;
                        tenantId: string;
                        userId: string;
                        waterL: number;
                        zoneId: string | null;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listUsageStatements: {
        parameters: {
            query: {
                format?: "json" | "csv";
                /** @description YYYY-MM (UTC), year 2000 or later */
                month: string;
                tenant?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description The statements as JSON, or their lines as CSV with format=csv */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        month: string;
                        prices: {
                            cpuCoreHour?: number;
                            /** @description ISO 4217 code */
                            currency: string;
                            energyPerKWh?: number;
                            gpuHour?: {
                                [key: string]: number;
                            };
                        } | null;
                        statements: {
                            cost: {
                                cpu: number;
                                currency: string;
                                energy: number;
                                gpu: number;
                                projects: {
                                    cpu: number;
                                    currency: string;
                                    energy: number;
                                    gpu: number;
                                    projectId?: string;
                                    projectName?: string;
                                    total: number;
                                }[];
                                total: number;
                            } | null;
                            from: string;
                            month: string;
                            projects: {
                                co2Kg: number;
                                cpuHours: number;
                                energyKWh: number;
                                gpuHoursByModel: {
                                    [key: string]: number;
                                };
                                itEnergyKWh: number;
                                jobs: number;
                                meanQueueingS: number;
                                overheadEnergyKWh: number;
                                preemptions: number;
                                projectId?: string;
                                /** @description the project's name, on project lines */
                                projectName?: string;
                                tenantId: string;
                                waterL: number;
                            }[];
                            tenantId: string;
                            to: string;
                            total: {
                                co2Kg: number;
                                cpuHours: number;
                                energyKWh: number;
                                gpuHoursByModel: {
                                    [key: string]: number;
                                };
                                itEnergyKWh: number;
                                jobs: number;
                                meanQueueingS: number;
                                overheadEnergyKWh: number;
                                preemptions: number;
                                projectId?: string;
                                /** @description the project's name, on project lines */
                                projectName?: string;
                                tenantId: string;
                                waterL: number;
                            };
                        }[];
                    };
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listUsers: {
        parameters: {
            query?: {
                /** @description X-Next-Cursor of the previous page */
                cursor?: string;
                /** @description rows per page (default 200) */
                limit?: number;
                role?: "platform-admin" | "facility-operator" | "tenant-admin" | "tenant-member" | "auditor" | "student" | "metrics-reader" | "telemetry-writer";
                tenantId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    "X-Next-Cursor": components["headers"]["NextCursor"];
                    "X-Total-Count": components["headers"]["TotalCount"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        disabledAt: string | null;
                        email: string;
                        id: string;
                        name: string;
                        role: string;
                        tenantId: string | null;
                    }[];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email: string;
                    name: string;
                    /** @enum {string} */
                    role: "platform-admin" | "facility-operator" | "tenant-admin" | "tenant-member" | "auditor" | "student" | "metrics-reader" | "telemetry-writer";
                    tenantId: string | null;
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        disabledAt: string | null;
                        email: string;
                        id: string;
                        name: string;
                        role: string;
                        tenantId: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        disabledAt: string | null;
                        email: string;
                        id: string;
                        name: string;
                        role: string;
                        tenantId: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            414: components["responses"]["UriTooLong"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    disableUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        createdAt: string;
                        disabledAt: string | null;
                        email: string;
                        id: string;
                        name: string;
                        role: string;
                        tenantId: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
        };
    };
    runWhatIf: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    days?: number;
                    fail?: string[];
                    heatWave?: {
                        days: number;
                        nightMinimumC: number;
                        peakC: number;
                        startDay?: number;
                    };
                    heatWaveInBaseline?: boolean;
                    moreRacks?: {
                        hall: string;
                        pattern: string;
                        rows: number;
                        startDay?: number;
                    };
                    /** @description Seconds until the operator restarts racks latched off after repeated trips with no failure open in their scope (default 1800; off: no response, they wait for a repair or a scenario's restartRacks) */
                    operatorResponseS?: number | "off";
                    rackRatings?: {
                        maxCoolantSupplyC: number;
                        rackType?: string;
                    }[];
                    /** @enum {string} */
                    scenario?: "heat-wave" | "cdu-failure" | "w32" | "w45" | "growth";
                    startDay?: number;
                    /** @enum {string} */
                    waterClass?: "W17" | "W27" | "W32" | "W40" | "W45" | "W+";
                };
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        baseline: {
                            chillerHours: number;
                            facilityMWh: number;
                            hoursAboveLimit: number;
                            itMWh: number;
                            /** @description of the tripped rack-hours, those racks spent latched off after repeated trips (until a repair or the operator's restart) */
                            latchedRackHours: number;
                            /** @description busy rack-hours of every type lost to throttling and trips */
                            lostBusyRackHours: number;
                            /** @description busy CPU core-hours lost to throttling and trips */
                            lostCpuCoreHours: number;
                            /** @description highest facility water supply of any plant, °C */
                            maxFwsSupplyC: number;
                            /** @description hottest hourly mean outdoor dry bulb of the window, °C */
                            maxOutdoorC: number;
                            /** @description highest TCS supply of any row, °C */
                            maxTcsSupplyC: number;
                            /** @description highest 10-minute mean grid demand */
                            peakGridMW: number;
                            pue: number;
                            /** @description busy GPU-hours lost to throttling and trips */
                            throttledGpuHours: number;
                            /** @description hours racks of every type spent throttled */
                            throttledRackHours: number;
                            /** @description hours racks of every type spent tripped (off, or the share not yet back while restarting) */
                            trippedRackHours: number;
                            waterM3: number;
                            /** @description L/kWh of IT */
                            wue: number;
                        };
                        /** @description each change of the scenario as it ran */
                        changes: string[];
                        days: number;
                        /** @description what ran, in one line: the changes and the window */
                        description: string;
                        /**
                         * @description the shipped scenario it started from
                         * @enum {string}
                         */
                        scenario?: "heat-wave" | "cdu-failure" | "w32" | "w45" | "growth";
                        series: {
                            baseline: {
                                facilityKW: number[];
                                fwsSupplyC: number[];
                                /** @description outdoor dry bulb, °C */
                                outdoorC: number[];
                                pue: number[];
                            };
                            /** @description start of each hour, epoch ms */
                            time: number[];
                            variant: {
                                facilityKW: number[];
                                fwsSupplyC: number[];
                                /** @description outdoor dry bulb, °C */
                                outdoorC: number[];
                                pue: number[];
                            };
                        };
                        startDay: number;
                        /** @description per rack type of the site, every type */
                        throttling: {
                            /** @description of the tripped rack-hours, those latched off */
                            baselineLatchedRackHours: number;
                            /** @description busy rack-hours lost to throttling and trips */
                            baselineLostBusyRackHours: number;
                            /** @description throttled rack-hours */
                            baselineRackHours: number;
                            baselineTrippedRackHours: number;
                            description: string;
                            racks: number;
                            rackType: string;
                            /** @description of the tripped rack-hours, those latched off */
                            variantLatchedRackHours: number;
                            /** @description busy rack-hours lost to throttling and trips */
                            variantLostBusyRackHours: number;
                            /** @description throttled rack-hours */
                            variantRackHours: number;
                            variantTrippedRackHours: number;
                        }[];
                        /** @description tripped rack-hours per hall of the site, every hall */
                        trippedByHall: {
                            baselineRackHours: number;
                            hall: string;
                            variantRackHours: number;
                        }[];
                        variant: {
                            chillerHours: number;
                            facilityMWh: number;
                            hoursAboveLimit: number;
                            itMWh: number;
                            /** @description of the tripped rack-hours, those racks spent latched off after repeated trips (until a repair or the operator's restart) */
                            latchedRackHours: number;
                            /** @description busy rack-hours of every type lost to throttling and trips */
                            lostBusyRackHours: number;
                            /** @description busy CPU core-hours lost to throttling and trips */
                            lostCpuCoreHours: number;
                            /** @description highest facility water supply of any plant, °C */
                            maxFwsSupplyC: number;
                            /** @description hottest hourly mean outdoor dry bulb of the window, °C */
                            maxOutdoorC: number;
                            /** @description highest TCS supply of any row, °C */
                            maxTcsSupplyC: number;
                            /** @description highest 10-minute mean grid demand */
                            peakGridMW: number;
                            pue: number;
                            /** @description busy GPU-hours lost to throttling and trips */
                            throttledGpuHours: number;
                            /** @description hours racks of every type spent throttled */
                            throttledRackHours: number;
                            /** @description hours racks of every type spent tripped (off, or the share not yet back while restarting) */
                            trippedRackHours: number;
                            waterM3: number;
                            /** @description L/kWh of IT */
                            wue: number;
                        };
                        weather: {
                            baseline: string;
                            variant: string;
                        };
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    writeInflux1: {
        parameters: {
            query?: {
                db?: string;
                /** @description n, ns, u, us, ms, s, m or h (default ns) */
                precision?: string;
                rp?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Influx line protocol, gzip accepted (Content-Encoding: gzip) */
        requestBody: {
            content: {
                "text/plain": string;
            };
        };
        responses: {
            "5XX": components["responses"]["ServerError"];
            /** @description Every sample was taken */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            414: components["responses"]["UriTooLong"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["TooManyRequests"];
            431: components["responses"]["HeadersTooLarge"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
}
