/**
 * What a cluster user controls of a job beyond its demand: holds, dependencies and array membership with its `%N`
 * throttle. The controls are one admission check every scheduler generation carries: a held job, one whose
 * dependencies are still open, or an array task beyond its array's limit waits with the reason; nothing else of the
 * scheduler knows about them. Array task counts are kept up to date from every state change (`observe`), so the
 * check costs the same for a task of a 10,000-task array as for a plain job.
 */
import type { AdmissionCheck, Wait } from "../../scheduler/checks.ts";
import type { Job, JobState } from "../../scheduler/jobs.ts";
import { type Dependency, type DependencyTarget, isFinal, judge, singleTarget, waitingReason } from "./dependencies.ts";

/** Who holds a job: the user, and whether platform staff did (a tenant cannot release a staff hold). */
export interface Hold {
  readonly by: string;
  readonly staff: boolean;
  readonly at: string;
}

/** The stored controls of one job (the jobs table's `controls` column). */
export interface JobControl {
  readonly arrayJobId?: string | undefined;
  readonly arrayTaskId?: number | undefined;
  /** The array's `%N` (kept on every task so a restart restores the throttle). */
  readonly arrayMaxRunning?: number | undefined;
  readonly dependsOn?: readonly Dependency[] | undefined;
  hold?: Hold | undefined;
}

/** An array's tasks and the counts its throttle and dependents read. */
interface ArrayState {
  readonly tasks: Set<string>;
  /** Tasks in task order, and the first that may still wait (tasks before it all ended). */
  readonly order: string[];
  scanFrom: number;
  maxRunning: number | undefined;
  readonly placed: Set<string>;
  readonly succeeded: Set<string>;
  readonly unsuccessful: Set<string>;
}

/** The jobs' controls and the admission check that applies them. */
export class JobControls implements AdmissionCheck {
  readonly name = "job-controls";
  readonly #controls = new Map<string, JobControl>();
  readonly #arrays = new Map<string, ArrayState>();
  /** Last state seen of every job with controls or dependents (the caller notes a new dependency's target first). */
  readonly #states = new Map<string, JobState | string>();
  /** Jobs waiting on each job or array id. */
  readonly #dependents = new Map<string, Set<string>>();
  /** Called with the ids of jobs whose dependencies can never be met now, and why. */
  onInvalid: (jobId: string, why: string) => void = () => {};
  /**
   * Called with jobs that may go on now (a dependency met, room under their array's %N): the scheduler only looks
   * again at jobs that changed, so they are woken.
   */
  onReady: (jobId: string) => void = () => {};
  /** The state of a job the platform holds now (records and jobs ended under earlier generations). */
  readonly #stateOf: (jobId: string) => string | undefined;

  constructor(stateOf: (jobId: string) => string | undefined) {
    this.#stateOf = stateOf;
  }

  /** The controls of a job, if it has any. */
  get(jobId: string): JobControl | undefined {
    return this.#controls.get(jobId);
  }

  /** Whether `id` names an array. */
  isArray(id: string): boolean {
    return this.#arrays.has(id);
  }

  /** The task ids of an array, in task order. */
  tasksOf(arrayJobId: string): readonly string[] {
    return [...(this.#arrays.get(arrayJobId)?.order ?? [])];
  }

  /** Registers a job's controls (at submission or restore), with its state now. */
  add(jobId: string, control: JobControl, state: JobState | string): void {
    this.#controls.set(jobId, control);
    if (control.arrayJobId !== undefined) {
      let array = this.#arrays.get(control.arrayJobId);
      if (array === undefined) {
        array = {
          tasks: new Set(),
          order: [],
          scanFrom: 0,
          maxRunning: control.arrayMaxRunning,
          placed: new Set(),
          succeeded: new Set(),
          unsuccessful: new Set(),
        };
        this.#arrays.set(control.arrayJobId, array);
      }
      array.tasks.add(jobId);
      // In task order (a restore may bring tasks in any order): binary insertion.
      const taskOf = (id: string) => this.#controls.get(id)?.arrayTaskId ?? 0;
      const taskId = control.arrayTaskId ?? 0;
      let low = 0;
      let high = array.order.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (taskOf(array.order[middle]!) <= taskId) low = middle + 1;
        else high = middle;
      }
      array.order.splice(low, 0, jobId);
      array.scanFrom = Math.min(array.scanFrom, low);
    }
    for (const dependency of control.dependsOn ?? []) {
      const set = this.#dependents.get(dependency.jobId) ?? new Set();
      set.add(jobId);
      this.#dependents.set(dependency.jobId, set);
      // Followed from now on; what it is now is read here (it may have ended since the submission was checked).
      const now = this.#stateOf(dependency.jobId);
      if (now !== undefined) this.#states.set(dependency.jobId, now);
    }
    this.observe(jobId, state);
    const never = isFinal(state) ? undefined : this.#neverMet(jobId);
    if (never !== undefined) this.onInvalid(jobId, never);
  }

  /** Records a state a job is known to have (ended jobs read from the store after a restart too). */
  noteState(jobId: string, state: JobState | string): void {
    this.#states.set(jobId, state);
  }

  /** Follows a job's change of state: array counts, and dependents whose dependencies can no longer be met. */
  observe(jobId: string, state: JobState | string): void {
    // Only jobs with controls or dependents are followed: demo load and plain jobs cost a map lookup.
    if (!this.#controls.has(jobId) && !this.#dependents.has(jobId)) return;
    const before = this.#states.get(jobId);
    if (before === state) return;
    this.#states.set(jobId, state);
    const control = this.#controls.get(jobId);
    const array = control?.arrayJobId === undefined ? undefined : this.#arrays.get(control.arrayJobId);
    if (array !== undefined) {
      if (state === "admitted" || state === "running") array.placed.add(jobId);
      else if (array.placed.delete(jobId)) this.#wakeArray(array);
      if (state === "succeeded") array.succeeded.add(jobId);
      else if (isFinal(state)) array.unsuccessful.add(jobId);
    }
    if (!isFinal(state)) return;
    this.#checkDependents(jobId);
    if (control?.arrayJobId !== undefined) this.#checkDependents(control.arrayJobId);
  }

  #checkDependents(targetId: string): void {
    for (const dependent of this.#dependents.get(targetId) ?? []) {
      if (isFinal(this.#states.get(dependent) ?? "queued")) continue;
      const never = this.#neverMet(dependent);
      if (never !== undefined) this.onInvalid(dependent, never);
      else this.onReady(dependent);
    }
  }

  /** Wakes as many waiting tasks of an array as its %N has room for, in task order. */
  #wakeArray(array: ArrayState): void {
    if (array.maxRunning === undefined) return;
    let room = array.maxRunning - array.placed.size;
    while (array.scanFrom < array.order.length && isFinal(this.#states.get(array.order[array.scanFrom]!) ?? ""))
      array.scanFrom++;
    for (let at = array.scanFrom; at < array.order.length && room > 0; at++) {
      const task = array.order[at]!;
      if (this.#states.get(task) !== "queued") continue;
      this.onReady(task);
      room--;
    }
  }

  /** What a dependency names, as it stands; undefined when the platform does not know it (yet). */
  target(id: string): DependencyTarget | undefined {
    const array = this.#arrays.get(id);
    if (array !== undefined)
      return { total: array.tasks.size, succeeded: array.succeeded.size, unsuccessful: array.unsuccessful.size };
    const state = this.#states.get(id);
    return state === undefined ? undefined : singleTarget(state);
  }

  #neverMet(jobId: string): string | undefined {
    for (const dependency of this.#controls.get(jobId)?.dependsOn ?? []) {
      const target = this.target(dependency.jobId);
      if (target === undefined) continue;
      const verdict = judge(dependency, target);
      if (verdict.kind === "never") return `dependency never satisfied: ${verdict.why}`;
    }
    return undefined;
  }

  /** Why a job may not be admitted now: held, a dependency open, its array at its `%N`; undefined lets it go on. */
  gate(job: Job): Wait | undefined {
    const control = this.#controls.get(job.spec.id);
    if (control === undefined) return undefined;
    if (control.hold !== undefined)
      return {
        reason: `held by ${control.hold.by}${control.hold.staff ? " (platform staff)" : ""}: release it to let it run`,
        retryAtS: Number.POSITIVE_INFINITY,
      };
    for (const dependency of control.dependsOn ?? []) {
      const target = this.target(dependency.jobId);
      const verdict = target === undefined ? { kind: "open" as const } : judge(dependency, target);
      if (verdict.kind === "open") return { reason: waitingReason(dependency), retryAtS: Number.POSITIVE_INFINITY };
      if (verdict.kind === "never")
        return { reason: `dependency never satisfied: ${verdict.why}`, retryAtS: Number.POSITIVE_INFINITY };
    }
    const array = control.arrayJobId === undefined ? undefined : this.#arrays.get(control.arrayJobId);
    if (array?.maxRunning !== undefined && array.placed.size >= array.maxRunning && !array.placed.has(job.spec.id)) {
      return {
        reason: `array ${control.arrayJobId} runs ${array.placed.size} tasks, at most ${array.maxRunning} at once (%${array.maxRunning})`,
        retryAtS: Number.POSITIVE_INFINITY,
      };
    }
    return undefined;
  }
}
