/**
 * The admission check of grid events: while an event holds (from its notice to its end), new work that is not
 * protected waits, unless the site's IT power with it stays under the event's ceiling. Looked at again every 30
 * scheduler seconds (the twin's power moves) and whenever an event starts or ends.
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

/** Seconds after which a held job is looked at again. */
const retryS = 30;

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

  gate(job: Job, nowS: number): Wait | undefined {
    const reason = this.#feed.holdReason(job);
    return reason === undefined ? undefined : { reason, retryAtS: nowS + retryS };
  }
}
