/**
 * Worker threads on the platform's own modules. Callers name the TypeScript entry beside them
 * (`new URL("./worker.ts", import.meta.url)`). From the compiled build (dist/, what `bin/alixan.js` and the published
 * package run) the entry is its compiled `.js` sibling and starts as plain JavaScript. From the sources, Node 20
 * does not apply an inherited `--import tsx` to a worker's TypeScript entry in time, so a tiny evaluated bootstrap
 * registers tsx first, then imports the entry; this works under `node --import tsx` (tests) and `npx tsx` alike.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** Whether this module runs compiled (dist/*.js) rather than from its TypeScript source. */
const compiled = import.meta.url.endsWith(".js");

/** Starts a worker running the module at `entry` (a `.ts` URL), compiled or through tsx as this module runs. */
export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  if (compiled) return new Worker(new URL(entry.href.replace(/\.ts$/, ".js")), options);
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
