/**
 * The admission check of grid events: while an event holds (from its notice to its end), new work that is not
 * protected waits, unless the site's IT power with it stays under the event's ceiling. Held jobs are looked at again
 * whenever the feed's version moves: when an event starts or ends, and every 30 s while one is active (the twin's
 * power moves). No per-job retry time: a job must be free to start the moment the event ends.
 */
import type { AdmissionCheck, Wait } from "../../scheduler/checks.ts";
import type { Job } from "../../scheduler/jobs.ts";

/** What the check reads from the grid event service. */
export interface GridFeed {
  /** Moves whenever an event starts holding work or stops. */
  readonly version: number;
  /** Why `job` must wait now because of a grid event, or undefined. */
  holdReason(job: Job): string | undefined;
}

/** Holds non-protected work during grid events (see the module comment). */
export class GridCheck implements AdmissionCheck {
  readonly name = "grid";
  readonly #feed: GridFeed;
  #seen = Number.NaN;

  constructor(feed: GridFeed) {
    this.#feed = feed;
  }

  refresh(): boolean {
    const version = this.#feed.version;
    if (version === this.#seen) return false;
    this.#seen = version;
    return true;
  }

  gate(job: Job): Wait | undefined {
    const reason = this.#feed.holdReason(job);
    return reason === undefined ? undefined : { reason, retryAtS: Number.POSITIVE_INFINITY };
  }
}
