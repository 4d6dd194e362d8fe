/**
 * The API shapes the console reads, named for its pages: each is the type generated from the server's OpenAPI
 * document (schema.d.ts, `npm run gen:api`), so a route's schema and the console cannot drift apart. The only
 * values written here are the option lists the console offers in its menus (job states, severities, scenarios, water
 * classes), each checked against the generated type it lists.
 */
import type { components, paths } from "./schema.d.ts";

type Method = "get" | "put" | "post" | "delete";

/** The JSON body of a path's success answer (200, else 201). */
export type ApiResponse<Path extends keyof paths, M extends Method = "get"> = paths[Path][M] extends {
  responses: infer Responses;
}
  ? Responses extends { 200: { content: { "application/json": infer Body } } }
    ? Body
    : Responses extends { 201: { content: { "application/json": infer Body } } }
      ? Body
      : never
  : never;

/** The JSON body a path's operation takes. */
export type ApiRequest<Path extends keyof paths, M extends Method = "post"> = paths[Path][M] extends {
  requestBody: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

type Item<List> = List extends readonly (infer Element)[] ? Element : never;

/** `GET /v1/me`. */
export type Me = ApiResponse<"/v1/me">;
/** Roles of the platform. */
export type Role = Me["role"];

/** `GET /v1/site`. */
export type SiteSummary = ApiResponse<"/v1/site">;
/** One level of the power or cooling chain in the site summary. */
export type SiteLevel = Item<SiteSummary["levels"]>;
/** `GET /v1/site/layout`: what the floor map needs, in rack-index order. */
export type SiteLayout = ApiResponse<"/v1/site/layout">;
/** `GET /v1/site/racks/{id}`. */
export type RackInventory = ApiResponse<"/v1/site/racks/{id}">;

/** `GET /v1/state/site` and the `site` event of the stream. */
export type SiteState = ApiResponse<"/v1/state/site">;
/** Site KPIs of the live state (null where a figure has no value). */
export type SiteKpis = SiteState["kpis"];
/** A cooling plant in the live state. */
export type PlantState = Item<SiteState["plants"]>;
/** A hall's air now: what its racks breathe, its racks' mass and its slab and walls (°C). */
export type HallState = Item<SiteState["halls"]>;
/** `GET /v1/state/racks?field=F` and the `racks` event of the stream. */
export type RackValues = ApiResponse<"/v1/state/racks">;
/** A row's technology cooling loop (`GET /v1/state/tcs/{id}`). */
export type TcsState = ApiResponse<"/v1/state/tcs/{id}">;
/** `GET /v1/state/racks/{id}`. */
export type RackState = ApiResponse<"/v1/state/racks/{id}">;
/** `GET /v1/state/plants/{id}`. */
export type PlantDetail = ApiResponse<"/v1/state/plants/{id}">;
/** `GET /v1/state/history?minutes=N`: site series, one array per field. */
export type SiteHistory = ApiResponse<"/v1/state/history">;

/**
 * One live rack field: the server's list (rackStateFields, src/app/features/live-clock.ts) as the route's schema
 * states it, so no second list is kept here (the floor's fields, floor/fields.ts, are typed by it).
 */
export type RackField = NonNullable<NonNullable<paths["/v1/state/racks"]["get"]["parameters"]["query"]>["field"]>;

/** A job. */
export type Job = ApiResponse<"/v1/jobs/{id}">;
/** One job state. */
export type JobState = Job["state"];
/** Job states, in the order a job goes through them. */
export const jobStates = [
  "queued",
  "admitted",
  "running",
  "succeeded",
  "failed",
  "preempted",
  "cancelled",
] as const satisfies readonly JobState[];

/** The answer to an array submission (`POST /v1/jobs` with `array`). */
export type JobArraySubmission = Extract<ApiResponse<"/v1/jobs", "post">, { arrayJobId: string; taskCount: number }>;
/** `GET /v1/job-arrays/{id}`: an array's tasks, counted by state and listed in task order. */
export type JobArray = ApiResponse<"/v1/job-arrays/{id}">;
/** One job's history event (`GET /v1/jobs/{id}/history`). */
export type JobEvent = Item<ApiResponse<"/v1/jobs/{id}/history">>;

/** A queue as `GET /v1/queues` lists it; quotas and usage in configuration units (GPUs, cores, GiB). */
export type QueueSummary = Item<ApiResponse<"/v1/queues">>;
/** A queue with its quota and usage. */
export type Queue = QueueSummary;
/** A queue in the queue file's shape (the body of `PUT /v1/queues/{name}`, with its name). */
export type QueueFileQueue = ApiRequest<"/v1/queues/{name}", "put"> & { readonly name: string };
/** A cohort in the queue file's shape (the body of `PUT /v1/cohorts/{name}`, with its name). */
export type QueueFileCohort = ApiRequest<"/v1/cohorts/{name}", "put"> & { readonly name: string };
/** One resource's quota in the queue file (configuration units). */
export type QuotaLimits = NonNullable<NonNullable<QueueFileQueue["quota"]>[string]>;
/**
 * `GET /v1/queue-config` (staff): the configuration in force and its version. The document is the queue file, an
 * open record in the API; the console reads its classes, cohorts and queues in the shapes their own routes take.
 */
export type QueueConfigAnswer = Omit<ApiResponse<"/v1/queue-config">, "config"> & {
  readonly config: {
    readonly priorityClasses: readonly { readonly name: string; readonly value: number }[];
    readonly cohorts: readonly QueueFileCohort[];
    readonly queues: readonly QueueFileQueue[];
  };
};
/** `GET /v1/demo`: whether the demo load runs, at what share of the site's GPUs, and what it submitted. */
export type DemoStatus = ApiResponse<"/v1/demo">;

/** `GET /v1/usage/statements?month=`: each tenant's month by project, with cost when the platform has prices. */
export type UsageStatements = ApiResponse<"/v1/usage/statements">;
/** The platform's prices of usage statements (null: none configured). */
export type UsagePrices = UsageStatements["prices"];
/** `GET /v1/usage`: a period's usage per tenant and project. */
export type UsageReport = ApiResponse<"/v1/usage">;

/** A tenant. */
export type Tenant = ApiResponse<"/v1/tenants/{id}">;
/** A project. */
export type Project = ApiResponse<"/v1/projects/{id}">;

/** An alarm. */
export type Alarm = ApiResponse<"/v1/alarms/{id}">;
/** One severity. */
export type Severity = Alarm["severity"];
/** Alarm severities, least severe first. */
export const severities = ["info", "warning", "critical"] as const satisfies readonly Severity[];
/** What an alarm touches: its halls, rows and racks, the running jobs on them and their tenants. */
export type AlarmImpact = NonNullable<Alarm["impact"]>;
/** `GET /v1/alarms/summary`: active alarms by severity (shelved apart). */
export type AlarmSummary = ApiResponse<"/v1/alarms/summary">;
/** `GET /v1/incidents`: an incident touching the caller's jobs, without facility internals. */
export type Incident = Item<ApiResponse<"/v1/incidents">["incidents"]>;

/** `POST /v1/whatif` body: a shipped scenario, parameters, or both. */
export type WhatIfRequest = ApiRequest<"/v1/whatif">;
/** `POST /v1/whatif`. */
export type WhatIfResult = ApiResponse<"/v1/whatif", "post">;
/** One shipped scenario. */
export type Scenario = NonNullable<WhatIfResult["scenario"]>;
/** Shipped scenarios a what-if can start from (the names of `alixan simulate --scenario`). */
export const scenarios = ["heat-wave", "cdu-failure", "w32", "w45", "growth"] as const satisfies readonly Scenario[];
/** ASHRAE facility water classes. */
export const waterClasses = ["W17", "W27", "W32", "W40", "W45", "W+"] as const satisfies readonly NonNullable<
  WhatIfRequest["waterClass"]
>[];
/** KPIs of a what-if run. */
export type WhatIfKpis = WhatIfResult["baseline"];
/** Series of one side of a what-if. */
export type WhatIfSeries = WhatIfResult["series"]["baseline"];
/** Throttling of one rack type in both runs of a what-if. */
export type WhatIfThrottling = Item<WhatIfResult["throttling"]>;

/**
 * An RFC 9457 problem as the client holds it: the server's problem document, or what the client makes of an answer
 * that is not one (a proxy's error page), with at least the status.
 */
export type Problem = Partial<components["schemas"]["Problem"]> & { readonly status: number };

/** `GET /v1/grid/events`: one grid curtailment event, with its report once it has started. */
export type GridEvent = Item<ApiResponse<"/v1/grid/events">>;
