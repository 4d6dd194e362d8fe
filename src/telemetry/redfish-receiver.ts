/**
 * `POST /v1/telemetry/redfish/events/:target`: the Destination of alixan's Redfish push subscriptions
 * (adapters/redfish/subscription.ts). A service posts `Event` bodies (alarms raised and cleared by message id) and
 * `MetricReport` bodies (samples) here.
 *
 * BMCs cannot be given an alixan API key on most firmware, so the route takes either of two credentials: no
 * `Authorization` header and the subscription's secret as the body's `Context` (compared in constant time; the
 * route is marked `contextAuth` so the platform's key check lets such requests through to here), or a
 * `telemetry-writer` (or staff) key for services that can send headers (`HttpHeaders` of the subscription).
 * Bodies are bounded (4 MiB, at most 1,000 event records or 10,000 metric values) and checked against a TypeBox
 * schema before anything is read.
 *
 * A metric report some of whose values' units could not be looked up at the service (metric-units.ts) is answered
 * 503 with Retry-After, nothing stored, when a look-up made for it failed in a way that may pass (no answer, a 5xx);
 * otherwise (a failure remembered from an earlier look-up, or one that will not pass: 404, not a MetricDefinition,
 * a link off the service) 200 with those values in `rejected`, each naming its definition and why (subscription.ts
 * pushAgain).
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { problems } from "../server/openapi.ts";
import { sendProblem } from "../server/problem.ts";
import { sendLimitRefusal } from "./receivers.ts";
import { RedfishPushReplySchema, RedfishPushSchema } from "./schemas.ts";
import type { TelemetryService } from "./service.ts";

/** Largest pushed body. */
export const redfishPushBodyLimit = 4 * 1024 * 1024;

/** Registers the receiver route on the telemetry scope. */
export function registerRedfishReceiver(scope: FastifyInstance, service: TelemetryService): void {
  scope.post<{ Params: { target: string }; Body: Record<string, unknown> }>(
    "/v1/telemetry/redfish/events/:target",
    {
      bodyLimit: redfishPushBodyLimit,
      config: { contextAuth: true },
      schema: {
        tags: ["telemetry"],
        operationId: "receiveRedfishPush",
        ...problems(404, 503),
        summary: "Receive an event or metric report a Redfish service pushes to its subscription",
        description:
          "Authenticated by the subscription's secret echoed as Context (no Authorization header), or by a telemetry-writer key.",
        params: Type.Object({ target: Type.String({ minLength: 1, maxLength: 128 }) }),
        body: RedfishPushSchema,
        response: { 200: RedfishPushReplySchema },
      },
    },
    async (request, reply) => {
      const target = request.params.target;
      const trusted = request.principal !== null;
      if (!service.hasPushSubscription(target)) {
        // Only a caller with a key learns which targets exist.
        if (trusted) return sendProblem(reply, 404, `target: ${target} has no push subscription`);
        return sendProblem(reply, 401, "Context: not the secret of a subscription of this target");
      }
      const received = await service.receiveRedfishPush(target, request.body, trusted);
      if (!received.ok) return sendProblem(reply, 401, received.problem);
      const outcome = received.value;
      const again = outcome.sendAgain;
      if (again !== undefined) {
        // A unit look-up failed at the service in a way that may pass: nothing is stored, the service sends it again.
        reply.header("retry-after", String(again.afterSeconds));
        return sendProblem(reply, 503, again.problem, { members: { retryAfterSeconds: again.afterSeconds } });
      }
      const report = outcome.report;
      if (report === undefined) return { kind: outcome.kind, count: outcome.count };
      if (report.limit !== undefined) return sendLimitRefusal(reply, report);
      const batch = report.rejected.find((rejection) => rejection.path === "batch");
      // Not durable (a full disk): 503 makes the service deliver the report again, as its retry policy says.
      if (report.accepted === 0 && batch !== undefined) return sendProblem(reply, 503, batch.problem);
      return {
        kind: outcome.kind,
        count: outcome.count,
        accepted: report.accepted,
        rejectedCount: report.rejectedCount,
        rejected: [...report.rejected],
      };
    },
  );
}
