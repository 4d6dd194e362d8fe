/**
 * The scheduler side of price- and carbon-aware shifting: an admission check that holds a deferrable job with a
 * deadline until the start `planStart` chose for it (its waiting reason names that hour), then lets it go like any
 * other job. Other jobs pass untouched. The plan is made once, the first time the job is looked at, and kept: a job
 * released at its hour that then waits for capacity is not held again, and the hold never outlasts the latest start
 * (deadline − expected duration).
 *
 * Which jobs are deferrable: a trace's own `deferrable` + `deadlineS` fields, or, for traces without them (openb, SWF),
 * the grid-signals file's `shifting.deferrable` rules, which give jobs of a queue or priority class a slack in hours
 * beyond their expected duration (`withDeferralRules`).
 */
import { formatNumber } from "../model/units.ts";
import type { AdmissionCheck, Wait } from "../scheduler/checks.ts";
import type { Job, JobSpec } from "../scheduler/jobs.ts";
import { type CostCurve, type PlanOptions, planStart, type ShiftLedger, type ShiftPlan } from "./shift.ts";

/** A rule of the grid-signals file: jobs of this queue and/or priority class may wait `slackH` hours. */
export interface DeferralRule {
  readonly queue?: string;
  readonly priorityClass?: string;
  readonly slackH: number;
}

/**
 * Jobs with the rules applied: a job that has no deadline of its own and matches a rule (every field the rule gives
 * equals the job's; the first matching rule wins) becomes deferrable with deadline = submission + expected duration +
 * slack. A job with its own deadline keeps it; a job without either is left as it is.
 */
export function withDeferralRules(jobs: readonly JobSpec[], rules: readonly DeferralRule[]): JobSpec[] {
  if (rules.length === 0) return [...jobs];
  return jobs.map((spec) => {
    if (spec.deadlineS !== undefined) return spec;
    const rule = rules.find(
      (candidate) =>
        (candidate.queue === undefined || candidate.queue === spec.queue) &&
        (candidate.priorityClass === undefined || candidate.priorityClass === spec.priorityClass),
    );
    if (rule === undefined) return spec;
    return {
      ...spec,
      deferrable: true,
      deadlineS: spec.submitS + spec.expectedDurationS + rule.slackH * 3_600,
    };
  });
}

/** GPUs a job holds while it runs (shares of a GPU count as their share). */
export function jobGpus(spec: JobSpec): number {
  return (spec.members * spec.gpus * spec.gpuMilli) / 1000;
}

/** Options of the shift check. */
export interface ShiftCheckOptions extends PlanOptions {
  /** What the cost is (`price`, `carbon intensity`, `price and carbon`), for reasons. */
  readonly what: string;
  /** A scheduler time as people read it (`day 196 03:00`, an ISO date). */
  readonly describeTime: (timeS: number) => string;
  readonly ledger?: ShiftLedger;
}

/** Holds deferrable jobs until their cheapest start (see the module comment). */
export class ShiftCheck implements AdmissionCheck {
  readonly name = "shift";
  readonly #curve: CostCurve;
  readonly #options: ShiftCheckOptions;
  /** The plan of every deferrable job looked at, by job index. */
  readonly plans = new Map<number, ShiftPlan>();

  /** A check over `curve` (on the scheduler's clock). */
  constructor(curve: CostCurve, options: ShiftCheckOptions) {
    this.#curve = curve;
    this.#options = options;
  }

  gate(job: Job, nowS: number): Wait | undefined {
    const spec = job.spec;
    if (!spec.deferrable || spec.deadlineS === undefined) return undefined;
    let plan = this.plans.get(job.index);
    if (plan === undefined) {
      const durationS = spec.expectedDurationS;
      plan = planStart(
        this.#curve,
        { nowS, latestStartS: spec.deadlineS - durationS, durationS, gpus: jobGpus(spec) },
        this.#options,
      );
      this.plans.set(job.index, plan);
      if (plan.verdict === "shifted") this.#options.ledger?.book(plan.startS, durationS, jobGpus(spec), 1);
    }
    if (plan.verdict !== "shifted" || nowS >= plan.startS) return undefined;
    const { describeTime, what } = this.#options;
    const unit = this.#curve.unit;
    return {
      reason:
        `held for a lower ${what}: starts ${describeTime(plan.startS)} (mean ${formatNumber(plan.costPlanned)} ${unit} ` +
        `over its run against ${formatNumber(plan.costNow)} ${unit} at once); must end by ${describeTime(spec.deadlineS)}`,
      retryAtS: plan.startS,
    };
  }
}
