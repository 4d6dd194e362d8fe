/**
 * A periodic task that never overlaps itself: the next run is scheduled when the current one ends, on a grid of
 * the interval so runs do not drift. One owner per timer, released by `stop()`, which also waits for a run in
 * progress (tests and shutdown need "nothing is still going").
 */
export class Periodic {
  readonly #task: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #next = 0;

  constructor(task: () => Promise<void>, intervalMs: number, onError: (error: unknown) => void) {
    this.#task = task;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
  }

  /** Runs the task now and then every interval. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#next = Date.now();
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#task()
        .catch(this.#onError)
        .finally(() => {
          this.#running = undefined;
          if (this.#stopped) return;
          this.#next += this.#intervalMs;
          const now = Date.now();
          // After a run longer than the interval, skip the missed slots rather than running back to back.
          if (this.#next < now) this.#next = now;
          this.#schedule(this.#next - now);
        });
    }, delay);
  }

  /** Runs the task once more right away, unless it is running (then that run stands for it). */
  async runNow(): Promise<void> {
    if (this.#running !== undefined) return this.#running;
    await this.#task().catch(this.#onError);
  }

  /** Stops scheduling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
