/**
 * Response schemas of the telemetry and alarm routes (routes.ts, receivers.ts): ingest reports, query frames, series,
 * status, alarms and their events. One source for the serializer, the OpenAPI document and the console's types.
 */
import { type TSchema, Type } from "typebox";
import { Nullable, StringEnum } from "../server/schemas.ts";
import { DeviceStatusSchema } from "./adapters/device-poller.ts";
import { ScrapeStatusSchema } from "./adapters/prometheus.ts";
import { PollStatusSchema } from "./adapters/redfish/poller.ts";
import { alarmEventTypes, alarmKinds } from "./alarms/book.ts";
import { severities } from "./types.ts";

/** What an ingest call did (the answer of every push route, and the members of its 400/429 problems). */
export const IngestReportSchema = Type.Object({
  accepted: Type.Integer({ description: "samples now durable" }),
  rejected: Type.Array(
    Type.Object({
      line: Type.Optional(Type.Integer({ description: "1-based, for text formats" })),
      path: Type.String({ description: "samples[3].value, or the field on a line" }),
      problem: Type.String(),
    }),
    { description: "the first rejections (at most 100)" },
  ),
  rejectedCount: Type.Integer(),
  seriesLimited: Type.Optional(Type.Integer({ description: "inputs refused at a series limit" })),
});

const LabelsSchema = Type.Record(Type.String(), Type.String());

const LocationSchema = Type.Object({
  equipment: Type.Optional(Type.String()),
  rack: Type.Optional(Type.String()),
  row: Type.Optional(Type.String()),
  hall: Type.Optional(Type.String()),
  plant: Type.Optional(Type.String()),
});

/** `GET /v1/telemetry/query`: one frame per series or group; values without a number (NaN) are null. */
export const TelemetryQuerySchema = Type.Object({
  from: Type.Number({ description: "epoch ms" }),
  to: Type.Number({ description: "epoch ms" }),
  source: StringEnum(["hot", "history"]),
  resolution: StringEnum(["raw", "1m", "1h"]),
  step: Type.Optional(Type.Number({ description: "bucket width, ms" })),
  frames: Type.Array(
    Type.Object({
      name: Type.String({ description: "the series key, or the group's value (row:h1-r07, all)" }),
      labels: LabelsSchema,
      seriesCount: Type.Integer(),
      timestamps: Type.Array(Type.Number()),
      values: Type.Array(Nullable(Type.Number())),
    }),
  ),
});

/** `GET /v1/telemetry/series`: each matching series with its latest sample. */
export const TelemetrySeriesSchema = Type.Object({
  series: Type.String({ description: "canonical series key" }),
  name: Type.String(),
  labels: LabelsSchema,
  location: LocationSchema,
  timestamp: Nullable(Type.Number()),
  value: Nullable(Type.Number()),
});

/** One Modbus or SNMP device: its name, bound equipment and last poll. */
const DeviceStateSchema = Type.Object({
  device: Type.String(),
  equipment: Type.Optional(Type.String()),
  status: Type.Optional(DeviceStatusSchema),
});

/** `GET /v1/telemetry/status`: pollers, scrapes and queues; each source's entry as its adapter reports it. */
export const TelemetryStatusSchema = Type.Object({
  series: Type.Integer(),
  pendingSamples: Type.Integer(),
  redfish: Type.Array(
    Type.Object({
      target: Type.String(),
      status: Type.Optional(PollStatusSchema),
      events: Type.Optional(
        Type.Object({ connected: Type.Boolean(), events: Type.Integer(), lastProblem: Type.Optional(Type.String()) }),
      ),
      subscription: Type.Optional(
        Type.Object({
          destination: Type.String({ description: "the receiver URL the service posts to" }),
          subscriptions: Type.Array(Type.String(), { description: "this run's subscription URIs on the service" }),
          events: Type.Integer({ description: "event records received" }),
          reports: Type.Integer({ description: "metric reports received" }),
          lastProblem: Type.Optional(Type.String()),
        }),
      ),
    }),
  ),
  prometheus: Type.Array(ScrapeStatusSchema),
  modbus: Type.Array(DeviceStateSchema),
  snmp: Type.Array(DeviceStateSchema),
  remoteWrite: Type.Optional(
    Type.Object({
      queued: Type.Integer(),
      sent: Type.Integer(),
      failed: Type.Integer(),
      dropped: Type.Integer(),
      lastProblem: Type.Optional(Type.String()),
    }),
  ),
});

const UserActionSchema = Type.Object({
  by: Type.String(),
  at: Type.Number({ description: "epoch ms" }),
  comment: Type.Optional(Type.String()),
});

/** An alarm as the console and the API show it. Times are epoch ms. */
export const AlarmSchema = Type.Object({
  id: Type.String(),
  key: Type.String({ description: "condition key used for deduplication" }),
  source: Type.String({ description: "the rule id, or redfish" }),
  kind: StringEnum(alarmKinds),
  severity: StringEnum(severities),
  title: Type.String(),
  message: Type.String(),
  equipment: Type.Optional(Type.String()),
  location: LocationSchema,
  rows: Type.Array(Type.String()),
  series: Type.Optional(Type.String()),
  value: Type.Optional(Type.Number()),
  state: StringEnum(["active", "cleared"]),
  raisedAt: Type.Number(),
  updatedAt: Type.Number(),
  clearedAt: Type.Optional(Type.Number()),
  occurrences: Type.Integer(),
  acknowledged: Type.Optional(UserActionSchema),
  shelved: Type.Optional(Type.Object({ ...UserActionSchema.properties, until: Type.Number() })),
  impact: Type.Optional(
    Type.Object({
      halls: Type.Array(Type.String()),
      rows: Type.Array(Type.String()),
      rackCount: Type.Integer(),
      racks: Type.Array(Type.String(), { description: "the first 50" }),
      jobs: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), tenantId: Type.String() })),
      jobCount: Type.Integer(),
      tenants: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
      summary: Type.String({ description: "what happened, where, and whom it touches" }),
    }),
  ),
});

/** `GET /v1/alarms/history`: one change, with the alarm as it stood after it. */
export const AlarmEventSchema = Type.Object({
  at: Type.Number(),
  type: StringEnum(alarmEventTypes, {
    description: "renamed: its equipment took another id at a site change (same alarm, new key)",
  }),
  alarmId: Type.String(),
  alarm: AlarmSchema,
});

/**
 * A pushed property that may also be `null`. A pushed body is checked as sent (no coercion), and Redfish services
 * send `null` for properties they do not fill (DSP0266 allows it for nullable properties, and services differ): one
 * such property must not make the whole push a 400, which the service retries and then suspends its subscription for,
 * losing the events in it. The readers take a field only when it has the type they need.
 */
function pushed<Schema extends TSchema>(schema: Schema) {
  return Type.Optional(Nullable(schema));
}

/** One record of a pushed Redfish `Event` (DSP0268 EventRecord): the fields alixan reads, bounded. */
const RedfishEventRecordSchema = Type.Object(
  {
    EventType: pushed(Type.String({ maxLength: 64 })),
    MessageId: pushed(Type.String({ maxLength: 256 })),
    // Strings in the schema; a service that sends a number or a boolean is read as its text (events.ts).
    MessageArgs: pushed(
      Type.Array(Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean(), Type.Null()]), {
        maxItems: 32,
      }),
    ),
    MessageSeverity: pushed(Type.String({ maxLength: 64 })),
    Severity: pushed(Type.String({ maxLength: 64 })),
    Message: pushed(Type.String({ maxLength: 4096 })),
    Context: pushed(Type.String({ maxLength: 256 })),
    OriginOfCondition: pushed(
      Type.Union([
        Type.String({ maxLength: 1024 }),
        Type.Object({ "@odata.id": Type.String({ maxLength: 1024 }) }, { additionalProperties: true }),
      ]),
    ),
  },
  { additionalProperties: true },
);

/** One value of a pushed `MetricReport` (DSP0268 MetricValue); `MetricValue` is text in the schema. */
const RedfishMetricValueSchema = Type.Object(
  {
    MetricId: pushed(Type.String({ maxLength: 256 })),
    MetricProperty: pushed(Type.String({ maxLength: 1024 })),
    MetricValue: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Null()])),
    Timestamp: pushed(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);

/** What a Redfish service pushes to `POST /v1/telemetry/redfish/events/:target`: an `Event` or a `MetricReport`. */
export const RedfishPushSchema = Type.Object(
  {
    "@odata.type": pushed(Type.String({ maxLength: 128 })),
    Id: pushed(Type.String({ maxLength: 256 })),
    Context: pushed(Type.String({ maxLength: 256, description: "the subscription's secret, echoed" })),
    Timestamp: pushed(Type.String({ maxLength: 64 })),
    Events: Type.Optional(Type.Array(RedfishEventRecordSchema, { maxItems: 1000 })),
    MetricValues: Type.Optional(Type.Array(RedfishMetricValueSchema, { maxItems: 10_000 })),
  },
  { additionalProperties: true },
);

/** The answer to a pushed body. */
export const RedfishPushReplySchema = Type.Object({
  kind: StringEnum(["event", "metric-report"]),
  count: Type.Integer({ description: "event records applied, or metric values turned into samples" }),
  accepted: Type.Optional(Type.Integer({ description: "samples made durable (metric reports)" })),
  rejectedCount: Type.Optional(Type.Integer()),
  rejected: Type.Optional(IngestReportSchema.properties.rejected),
});
