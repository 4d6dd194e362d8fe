/**
 * Warm what-if workers: each thread loads the twin's modules once (seconds under tsx on a loaded machine) and then
 * runs what-ifs one at a time, each posted with an id and answered by it. A worker stopped at the time limit, or one
 * that crashes or exits, is dropped and a replacement starts in the background; closing the pool stops them all.
 * Workers start on the first request, never at boot: most platforms (and test files) never ask a what-if.
 */
import type { Worker } from "node:worker_threads";
import { AppError } from "../../core/errors.ts";
import { startTypeScriptWorker } from "../../core/worker.ts";

/** The outcome a what-if worker posts: `runWhatIf`'s, or a site that no longer validates. */
export type WhatIfOutcome = { ok: boolean; error?: string; value?: unknown };

/** What the pool posts to a worker: one run, answered with the same id. */
export interface WhatIfJob {
  readonly id: number;
  readonly document: unknown;
  readonly request: unknown;
}

/** What a worker posts back: the outcome of the run `id`. */
export interface WhatIfReply {
  readonly id: number;
  readonly outcome: WhatIfOutcome;
}

/** A question to an idle worker, for tests: how much heap its runs left behind (answered with `HeapReply`). */
export interface HeapProbe {
  readonly id: number;
  readonly probe: "heap";
}

/** A worker's heap in use, after a full collection when the process exposes `gc` (`--expose-gc`). */
export interface HeapReply {
  readonly id: number;
  readonly heapUsedBytes: number;
  /** Whether the last run's parsed site or its outcome is still reachable after that collection. */
  readonly lastRunHeld: boolean;
}

/** The run a worker is on: its id and how to settle the caller's promise. */
interface Pending {
  readonly id: number;
  readonly resolve: (outcome: WhatIfOutcome) => void;
  readonly reject: (error: Error) => void;
}

/** Every live what-if worker of this process, and how many were ever started (read by tests only). */
const live = new Set<WarmWorker>();
let started = 0;

/**
 * The what-if worker threads of this process now (each busy with a run or idle), and how many were started since it
 * began. For tests (a second run reuses its worker, a stopped one is replaced, close leaves none): the API never
 * exposes threads.
 */
export function whatIfWorkers(): {
  readonly started: number;
  readonly workers: readonly { readonly thread: Worker; readonly busy: boolean }[];
} {
  return { started, workers: [...live].map((worker) => ({ thread: worker.thread, busy: worker.busy })) };
}

/** The heap in use of the idle what-if worker `thread`, and whether its last run is still held (for tests). */
export function heapOf(thread: Worker): Promise<{ readonly usedBytes: number; readonly lastRunHeld: boolean }> {
  // Negative ids are never a run's, so the pool ignores this answer.
  const id = -1;
  return new Promise((resolve) => {
    const listener = (reply: HeapReply) => {
      if (reply.id !== id) return;
      thread.off("message", listener);
      thread.unref();
      resolve({ usedBytes: reply.heapUsedBytes, lastRunHeld: reply.lastRunHeld });
    };
    thread.on("message", listener);
    // The idle thread is unref'd: without this the process could end before it answers.
    thread.ref();
    thread.postMessage({ id, probe: "heap" } satisfies HeapProbe);
  });
}

/** One worker thread and the run it is on, if any. */
class WarmWorker {
  readonly thread: Worker;
  #pending: Pending | undefined;
  #nextId = 0;

  constructor(onExit: (worker: WarmWorker) => void) {
    this.thread = startTypeScriptWorker(new URL("./whatif-worker.ts", import.meta.url));
    started++;
    live.add(this);
    this.thread.on("message", (reply: WhatIfReply) => {
      if (reply.id === this.#pending?.id) this.#settle()?.resolve(reply.outcome);
    });
    // Always listened to: an 'error' with no listener would throw in the main thread.
    this.thread.on("error", (error) => this.#settle()?.reject(error));
    this.thread.once("exit", (code) => {
      live.delete(this);
      this.#settle()?.reject(new Error(`the what-if worker stopped (exit code ${code})`));
      onExit(this);
    });
    // An idle worker must not keep the process alive (tests and `npm start` exit promptly); a run refs it. After the
    // listeners: adding a 'message' listener refs the thread again.
    this.thread.unref();
  }

  /** Whether a run is in progress. */
  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** Posts one run and resolves with its outcome; rejects if the thread errs or exits first. */
  run(document: unknown, request: unknown): Promise<WhatIfOutcome> {
    const id = ++this.#nextId;
    return new Promise<WhatIfOutcome>((resolve, reject) => {
      this.#pending = { id, resolve, reject };
      this.thread.ref();
      this.thread.postMessage({ id, document, request } satisfies WhatIfJob);
    });
  }

  /** Fails the run in progress, if any, with `error` (before the thread is stopped). */
  fail(error: Error): void {
    this.#settle()?.reject(error);
  }

  /** Ends the run in progress, if any, and hands back its callbacks; the thread is idle again. */
  #settle(): Pending | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    this.thread.unref();
    return pending;
  }
}

/**
 * At most as many warm workers as runs go at once (the route bounds those): a run takes an idle worker or starts
 * one, and gives it back when it answers.
 */
export class WhatIfPool {
  readonly #idle: WarmWorker[] = [];
  readonly #busy = new Set<WarmWorker>();
  #closed = false;

  /**
   * Runs a what-if on a warm worker and answers its outcome. Past `timeoutMs` of wall clock the worker is stopped
   * (its memory comes back; a replacement starts) and the caller gets a 503 naming the limit; a worker that errs or
   * exits rejects with a plain error (a 500 to the caller, logged) and is replaced the same way.
   */
  async run(document: unknown, request: unknown, timeoutMs: number): Promise<WhatIfOutcome> {
    if (this.#closed) throw new AppError("unavailable", "the platform is shutting down; the what-if did not run");
    const worker = this.#idle.pop() ?? this.#start();
    this.#busy.add(worker);
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    try {
      const outcome = await new Promise<WhatIfOutcome>((resolve, reject) => {
        worker.run(document, request).then(resolve, reject);
        timer = setTimeout(() => {
          const seconds = timeoutMs / 1000;
          worker.fail(
            new AppError(
              "unavailable",
              `the what-if ran longer than its limit of ${seconds} s (whatif.timeoutSeconds in alixan.yaml) and was stopped; ask for fewer days or a smaller change`,
            ),
          );
        }, timeoutMs);
      });
      answered = true;
      return outcome;
    } finally {
      clearTimeout(timer);
      this.#busy.delete(worker);
      if (answered && !this.#closed) this.#idle.push(worker);
      else await this.#replace(worker);
    }
  }

  /** Stops every worker, idle or running (a run in progress answers 503); later runs are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = [...this.#idle, ...this.#busy];
    this.#idle.length = 0;
    for (const worker of workers)
      worker.fail(new AppError("unavailable", "the platform is shutting down; the what-if was stopped"));
    await Promise.all(workers.map((worker) => worker.thread.terminate()));
  }

  /** Starts a worker that leaves the pool when its thread exits (a crash while idle included). */
  #start(): WarmWorker {
    return new WarmWorker((worker) => {
      const index = this.#idle.indexOf(worker);
      if (index >= 0) this.#idle.splice(index, 1);
    });
  }

  /** Stops a worker that timed out or failed and, unless closing, starts its replacement in the background. */
  async #replace(worker: WarmWorker): Promise<void> {
    await worker.thread.terminate();
    if (!this.#closed) this.#idle.push(this.#start());
  }
}
