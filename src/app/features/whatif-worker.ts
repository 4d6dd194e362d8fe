/**
 * Worker entry for what-if runs: a full-site comparison takes seconds of CPU, which must not stall the live API.
 * Receives `{ document, scenario, days }` (the site file in force), answers with the outcome of `runWhatIf`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { parseSite } from "../../model/load.ts";
import { runWhatIf, type WhatIfScenario } from "../../twin/whatif.ts";

const { document, scenario, days } = workerData as { document: unknown; scenario: WhatIfScenario; days: number };
const loaded = parseSite(JSON.stringify(document));
if (!loaded.ok || loaded.site === undefined) {
  parentPort!.postMessage({ ok: false, error: "the site in force no longer validates" });
} else {
  parentPort!.postMessage(await runWhatIf(loaded.site, scenario, days, 1, loaded.file));
}
