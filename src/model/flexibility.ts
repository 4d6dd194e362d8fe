/**
 * Flexibility classes: what a curtailment (a grid request to use less power) may do to a piece of work, and the rule
 * that decides a job's class from what it declares, its queue and its data class.
 *
 * The class is about protection, ordered from never touched to stopped and requeued. Protection is granted by the
 * platform, never taken by a tenant: a queue's class (set by platform admins) is the most protected class its jobs
 * may have, and their default; a job may always declare itself *less* protected (a tenant volunteering work to be
 * capped or paused), never more. Health-data jobs are the exception: they are protected by default and may declare
 * `protected` in any queue, because the right to submit health data is itself granted by the platform (the tenant's
 * allowed data classes) and such work (diagnostics) runs in certified zones only. A queue without a class grants no
 * protection: its jobs may declare any class but `protected`; a job with no class at all (neither declared nor from
 * its queue) takes the class of the rack it runs on (`rackFallbackClass`).
 */

/** Flexibility classes, from never touched to stopped and requeued. */
export const flexClasses = ["protected", "flexible", "deferrable", "preemptible"] as const;
/** One flexibility class. */
export type FlexClass = (typeof flexClasses)[number];

/** How much a class protects: 0 protected … 3 preemptible (lower is more protected). */
export function flexRank(flexClass: FlexClass): number {
  return flexClasses.indexOf(flexClass);
}

/** What decides a job's class. */
export interface FlexClassInputs {
  /** What the job declares (undefined: nothing). */
  readonly declared: FlexClass | undefined;
  /** Its queue's class (undefined: the queue grants no protection and sets no default). */
  readonly queueClass: FlexClass | undefined;
  readonly dataClass: string;
}

/**
 * The class a job gets (undefined: none, the rack's class applies when a curtailment looks at it), or the reason the
 * declaration is refused (see the module comment for the rule).
 */
export function jobFlexClass(inputs: FlexClassInputs): { class: FlexClass | undefined } | { refused: string } {
  const { declared, queueClass, dataClass } = inputs;
  const health = dataClass === "health";
  if (declared === undefined) return { class: health ? "protected" : queueClass };
  if (health) return { class: declared };
  const floor = queueClass ?? "flexible";
  if (flexRank(declared) < flexRank(floor)) {
    return {
      refused:
        queueClass === undefined
          ? `${declared} is more protected than this queue allows: its queue has no flexibility class, so its jobs may be flexible, deferrable or preemptible (platform admins grant protected to a queue)`
          : `${declared} is more protected than queue class ${queueClass} allows (a job may declare ${flexClasses
              .slice(flexRank(queueClass))
              .join(", ")})`,
    };
  }
  return { class: declared };
}

/**
 * The class of work on a rack with no job or queue class, by the rack's utilisation profile (the twin's `profileOf`):
 * the most protected class the twin's default fleet gives that profile, so nothing that might serve latency-bound
 * inference or health diagnostics is slowed without someone saying it may be. Training racks: flexible (capped);
 * inference and office-hours racks, and racks without GPUs: protected.
 */
export function rackFallbackClass(profile: "training" | "inference" | "office-hours", gpus: number): FlexClass {
  if (gpus === 0) return "protected";
  return profile === "training" ? "flexible" : "protected";
}
