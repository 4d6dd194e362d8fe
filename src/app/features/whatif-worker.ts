/**
 * Worker entry for what-if runs: a full-site comparison takes seconds of CPU, which must not stall the live API.
 * Receives `{ document, request }` (the site file in force and the checked request), answers with the outcome of
 * `runWhatIf`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { parseSite } from "../../model/load.ts";
import { runWhatIf, type WhatIfRequest } from "../../twin/whatif.ts";

const { document, request } = workerData as { document: unknown; request: WhatIfRequest };
const loaded = parseSite(JSON.stringify(document));
if (!loaded.ok || loaded.site === undefined) {
  parentPort!.postMessage({ ok: false, error: "the site in force no longer validates" });
} else {
  parentPort!.postMessage(await runWhatIf(loaded.site, request, 1, loaded.file));
}
