/**
 * Worker entry for what-if runs: a full-site comparison takes seconds of CPU, which must not stall the live API.
 * The thread stays warm (whatif-pool.ts): it loads these modules once, then answers each posted `{ id, document,
 * request }` (the site file in force and the checked request) with `{ id, outcome }`, the outcome of `runWhatIf`.
 * Nothing of a run outlives it (the site and both twins are locals), so an idle worker holds no twin.
 */
import { parentPort } from "node:worker_threads";
import { parseSite } from "../../model/load.ts";
import { runWhatIf, type WhatIfRequest } from "../../twin/whatif.ts";
import type { HeapProbe, HeapReply, WhatIfJob, WhatIfOutcome, WhatIfReply } from "./whatif-pool.ts";

const port = parentPort;
if (port === null) throw new Error("whatif-worker.ts must run in a worker thread");

/** The last run's site and outcome, weakly: a probe tells whether the thread let them go. */
let lastRun: { readonly site: WeakRef<object>; readonly outcome: WeakRef<object> } | undefined;

/** The outcome of one run on the site file `document`. */
async function outcomeOf(document: unknown, request: WhatIfRequest): Promise<WhatIfOutcome> {
  const loaded = parseSite(JSON.stringify(document));
  if (!loaded.ok || loaded.site === undefined) return { ok: false, error: "the site in force no longer validates" };
  const outcome = await runWhatIf(loaded.site, request, 1, loaded.file);
  lastRun = { site: new WeakRef(loaded.site), outcome: new WeakRef(outcome) };
  return outcome;
}

// One run at a time (the pool posts the next only after this one answers). A run that throws is not caught: the
// thread crashes, the caller gets a 500 (the error logged) and the pool starts a fresh worker in its place.
port.on("message", async (message: WhatIfJob | HeapProbe) => {
  if ("probe" in message) {
    // Tests expose `gc` (v8 --expose-gc) so the figure is what runs left behind, not garbage not yet collected.
    (globalThis as { gc?: () => void }).gc?.();
    port.postMessage({
      id: message.id,
      heapUsedBytes: process.memoryUsage().heapUsed,
      lastRunHeld:
        lastRun === undefined ? false : lastRun.site.deref() !== undefined || lastRun.outcome.deref() !== undefined,
    } satisfies HeapReply);
    return;
  }
  const outcome = await outcomeOf(message.document, message.request as WhatIfRequest);
  port.postMessage({ id: message.id, outcome } satisfies WhatIfReply);
});
