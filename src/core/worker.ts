/**
 * Worker threads on TypeScript entries. Node 20 does not apply an inherited `--import tsx` to a worker's TypeScript
 * entry in time, so a tiny evaluated bootstrap registers tsx first, then imports the entry; this works under
 * `node --import tsx` (tests) and `npx tsx` alike.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** Starts a worker running the TypeScript module at `entry`. */
export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, "eval"> = {}): Worker {
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
