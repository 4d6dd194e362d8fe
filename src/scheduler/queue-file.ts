/**
 * Writing a queue configuration back in the file's shape (the shape `parseQueueConfig` and `readQueueConfig` read):
 * the API serves it, `alixan queue export` prints it, and an edit read back gives the same configuration.
 * Quotas stay in configuration units (GPUs, cores, GiB); fields at their defaults are left out.
 */
import { stringify } from "yaml";
import {
  defaultPreemption,
  type NewTenantRule,
  type QueuePreemption,
  type QueueSetConfig,
  type ResourceQuota,
} from "./queues.ts";

/** A quota as written in the file. */
export interface QuotaDocument {
  nominal: number;
  borrowingLimit?: number;
  lendingLimit?: number;
}

/** A plain JSON object in the queue file's shape. */
export type QueueSetDocument = Record<string, unknown>;

function quotaDocument(quota: Readonly<Record<string, ResourceQuota>>): Record<string, QuotaDocument> {
  const result: Record<string, QuotaDocument> = {};
  for (const [resource, limits] of Object.entries(quota)) {
    result[resource] = {
      nominal: limits.nominal,
      ...(limits.borrowingLimit === undefined ? {} : { borrowingLimit: limits.borrowingLimit }),
      ...(limits.lendingLimit === undefined ? {} : { lendingLimit: limits.lendingLimit }),
    };
  }
  return result;
}

/** The preemption block with only the fields that differ from Kueue's defaults; undefined when none does. */
export function preemptionDocument(preemption: QueuePreemption | undefined): Record<string, unknown> | undefined {
  if (preemption === undefined) return undefined;
  const result: Record<string, unknown> = {};
  if (preemption.withinClusterQueue !== defaultPreemption.withinClusterQueue)
    result["withinClusterQueue"] = preemption.withinClusterQueue;
  if (preemption.reclaimWithinCohort !== defaultPreemption.reclaimWithinCohort)
    result["reclaimWithinCohort"] = preemption.reclaimWithinCohort;
  const borrow = preemption.borrowWithinCohort;
  if (borrow.policy !== "Never" || borrow.maxPriorityThreshold !== undefined) {
    result["borrowWithinCohort"] = {
      policy: borrow.policy,
      ...(borrow.maxPriorityThreshold === undefined ? {} : { maxPriorityThreshold: borrow.maxPriorityThreshold }),
    };
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

function ruleDocument(rule: NewTenantRule): Record<string, unknown> {
  const preemption = preemptionDocument(rule.preemption);
  return {
    ...(rule.kinds === undefined ? {} : { kinds: [...rule.kinds] }),
    ...(rule.cohort === undefined ? {} : { cohort: rule.cohort }),
    priorityClass: rule.priorityClass,
    ...(rule.weight === 1 ? {} : { weight: rule.weight }),
    quota: quotaDocument(rule.quota),
    ...(preemption === undefined ? {} : { preemption }),
  };
}

/** A configuration in the file's shape. */
export function queueSetDocument(config: QueueSetConfig): QueueSetDocument {
  return {
    version: 1,
    fairShare: { halfLifeHours: config.fairShareHalfLifeHours },
    priorityClasses: config.priorityClasses.map((entry) => ({
      name: entry.name,
      value: entry.value,
      ...(entry.preempts ? { preempts: true } : {}),
    })),
    cohorts: config.cohorts.map((cohort) => ({
      name: cohort.name,
      ...(cohort.parent === undefined ? {} : { parent: cohort.parent }),
      quota: quotaDocument(cohort.quota),
    })),
    queues: config.queues.map((queue) => {
      const preemption = preemptionDocument(queue.preemption);
      return {
        name: queue.name,
        tenant: queue.tenant,
        ...(queue.cohort === undefined ? {} : { cohort: queue.cohort }),
        ...(queue.weight === 1 ? {} : { weight: queue.weight }),
        priorityClass: queue.priorityClass,
        quota: quotaDocument(queue.quota),
        ...(preemption === undefined ? {} : { preemption }),
        ...(queue.flexibility === undefined ? {} : { flexibility: queue.flexibility }),
      };
    }),
    ...(config.defaultQueue === undefined ? {} : { defaultQueue: config.defaultQueue }),
    ...(config.newTenants === undefined || config.newTenants.length === 0
      ? {}
      : { newTenants: config.newTenants.map(ruleDocument) }),
  };
}

/** A configuration as YAML, readable by `parseQueueConfig`. */
export function queueSetYaml(config: QueueSetConfig): string {
  return stringify(queueSetDocument(config), { lineWidth: 0 });
}
