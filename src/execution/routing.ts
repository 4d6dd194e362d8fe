/**
 * One executor per hall: jobs placed in halls the execution file gives to Slurm run there, the others in the
 * simulation. A job's gang stays in one hall's partition (its first member decides).
 */
import type { Job } from "../scheduler/jobs.ts";
import type { JobExecutor } from "../scheduler/live.ts";

/** Routes each job to the executor of the hall its first member is placed in. */
export class RoutingExecutor implements JobExecutor {
  readonly #pick: (node: number) => JobExecutor;
  constructor(pick: (node: number) => JobExecutor) {
    this.#pick = pick;
  }
  launch(job: Job, nowS: number): void {
    this.#pick(job.nodes[0]!).launch(job, nowS);
  }
  stop(job: Job, why: "cancelled" | "preempted", nowS: number): void {
    // A released job keeps the nodes of its last run: the executor that ran it hears of the stop.
    this.#pick(job.nodes[0]!).stop(job, why, nowS);
  }
  suspend(job: Job, nowS: number): void {
    this.#pick(job.nodes[0]!).suspend?.(job, nowS);
  }
  resume(job: Job, nowS: number): void {
    this.#pick(job.nodes[0]!).resume?.(job, nowS);
  }
  cap(job: Job, share: number, nowS: number): void {
    this.#pick(job.nodes[0]!).cap?.(job, share, nowS);
  }
}
