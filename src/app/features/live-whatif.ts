/**
 * What-if comparisons on the live site: `POST /v1/whatif` runs the scenario and its baseline on a twin of the site in
 * force, in a worker thread (a whole twin each), at most two at once and each under a wall-clock limit. The threads
 * stay warm between requests (whatif-pool.ts) and stop when the server closes.
 */
import type { FastifyInstance } from "fastify";
import { AppError } from "../../core/errors.ts";
import { contextOf } from "../../server/auth.ts";
import { problems } from "../../server/openapi.ts";
import { authorize } from "../../tenancy/service.ts";
import { nothingAsked, type WhatIfProblem, whatIfProblemOf } from "../../twin/whatif.ts";
import { WhatIfResultSchema } from "./live-schemas.ts";
import { WhatIfPool } from "./whatif-pool.ts";
import { type WhatIfBody, whatIfBody } from "./whatif-schema.ts";

/** What-if runs one platform serves at once (each a worker thread with its own twin of the site). */
export const maximumConcurrentWhatIfs = 2;

/**
 * The default wall-clock limit of one what-if run: the longest shipped case, 14 days on the 40,000-rack alixan site,
 * takes about a minute on two cores; five minutes leaves room for a loaded machine and cuts only a runaway.
 */
export const defaultWhatIfTimeoutMs = 300_000;

/** `POST /v1/whatif` over the site document `siteDocument` answers at the time of each request. */
export function registerWhatIfRoute(app: FastifyInstance, siteDocument: () => unknown, timeoutMs: number): void {
  let whatIfsRunning = 0;
  const pool = new WhatIfPool();
  app.addHook("onClose", () => pool.close());
  app.post<{ Body: WhatIfBody }>(
    "/v1/whatif",
    {
      schema: {
        tags: ["state"],
        operationId: "runWhatIf",
        ...problems(503),
        summary:
          "Compare a scenario (a shipped one, parameters, or both) with the baseline over the same days (runs the twin in a worker)",
        response: { 200: WhatIfResultSchema },
        body: whatIfBody,
      },
    },
    async (request) => {
      authorize(contextOf(request).principal, "site:change");
      const refuse = (problem: WhatIfProblem) =>
        new AppError("invalid", `${problem.field}: ${problem.message}`, { field: `body.${problem.field}` });
      const empty = nothingAsked(request.body);
      if (empty !== undefined) throw refuse(empty);
      // Each run is a worker thread holding a whole twin: a bound keeps a burst of requests from exhausting memory.
      if (whatIfsRunning >= maximumConcurrentWhatIfs) {
        throw new AppError(
          "tooMany",
          `${whatIfsRunning} what-if runs are in progress (at most ${maximumConcurrentWhatIfs}); retry when one ends`,
        );
      }
      whatIfsRunning++;
      try {
        const outcome = await pool.run(siteDocument(), request.body, timeoutMs);
        if (!outcome.ok) throw refuse(whatIfProblemOf(outcome.error ?? "the what-if failed"));
        return outcome.value;
      } finally {
        whatIfsRunning--;
      }
    },
  );
}
