/**
 * The queue configuration a platform starts with when its store has none: for the seeded sample tenants, the demo
 * queues and cohorts of `scheduler/demo.ts` (so a local demo looks as before); otherwise one root cohort holding every
 * GPU of the site, from which tenants' queues borrow. Either way every tenant already in the store gets a queue by
 * the new-tenant rules, and those rules are part of the configuration (an admin can change them).
 */
import { demoQueues } from "../../scheduler/demo.ts";
import type { Inventory } from "../../scheduler/inventory.ts";
import {
  defaultPriorityClasses,
  type NewTenantRule,
  type QueueConfig,
  type QueueSetConfig,
  type ResourceQuota,
  resolvePreemption,
} from "../../scheduler/queues.ts";

/** The demo scheduler's tenant names mapped to the seeded sample tenants (src/app/seed.ts). */
export const sampleTenantIds: Readonly<Record<string, string>> = {
  pharma: "rhone-pharma",
  "genai-startups": "atelier-genai",
  diagnostics: "valdiag",
  "hospital-consortium": "hopitaux-drome",
  "training-campus": "campus-valence",
};

/** A new tenant's queue takes back what it lent whatever the borrower's priority (demo load included). */
const reclaimAny = resolvePreemption({ reclaimWithinCohort: "Any" });

/** A tenant as the rules see it. */
export interface TenantRef {
  readonly id: string;
  readonly kind: string;
}

/** The queue the first matching rule gives `tenant`, or undefined when no rule matches. */
export function queueForTenant(config: QueueSetConfig, tenant: TenantRef): QueueConfig | undefined {
  const rule = (config.newTenants ?? []).find((candidate) => candidate.kinds?.includes(tenant.kind) ?? true);
  if (rule === undefined) return undefined;
  return {
    name: tenant.id,
    tenant: tenant.id,
    cohort: rule.cohort,
    weight: rule.weight,
    priorityClass: rule.priorityClass,
    quota: rule.quota,
    ...(rule.preemption === undefined ? {} : { preemption: rule.preemption }),
  };
}

function rule(kinds: readonly string[] | undefined, cohort: string, priorityClass: string): NewTenantRule {
  return { kinds, cohort, priorityClass, weight: 1, quota: {}, preemption: reclaimAny };
}

/** GPUs per model of an inventory. */
function gpusByModel(inventory: Inventory): Map<string, number> {
  const counts = new Map<string, number>();
  for (let node = 0; node < inventory.nodeCount; node++) {
    const model = inventory.pools[inventory.nodePool[node]!]!.model;
    if (model < 0) continue;
    const name = inventory.gpuModels[model]!;
    counts.set(name, (counts.get(name) ?? 0) + inventory.nodeGpuCount[node]!);
  }
  return counts;
}

/** The starting configuration for a store whose tenants are `tenants` (see the file's comment). */
export function initialQueueSet(inventory: Inventory, tenants: readonly TenantRef[]): QueueSetConfig {
  const known = new Set(tenants.map((tenant) => tenant.id));
  const demo = demoQueues(inventory);
  const sampleQueues = demo.queues
    .map((queue) => ({ ...queue, tenant: sampleTenantIds[queue.tenant] ?? queue.tenant }))
    .filter((queue) => known.has(queue.tenant));
  let config: QueueSetConfig;
  if (sampleQueues.length > 0) {
    config = {
      ...demo,
      queues: sampleQueues,
      newTenants: [
        rule(["diagnostics", "hospital"], "health", "high"),
        rule(["campus"], "education", "low"),
        rule(undefined, "commercial", "normal"),
      ],
    };
  } else {
    const root: Record<string, ResourceQuota> = {};
    for (const [model, count] of gpusByModel(inventory)) {
      root[`gpu.${model}`] = { nominal: count, borrowingLimit: undefined, lendingLimit: undefined };
    }
    config = {
      fairShareHalfLifeHours: 168,
      priorityClasses: defaultPriorityClasses,
      cohorts: [{ name: "site", parent: undefined, quota: root }],
      queues: [],
      defaultQueue: undefined,
      newTenants: [rule(undefined, "site", "normal")],
    };
  }
  const queued = new Set(config.queues.map((queue) => queue.tenant));
  const added: QueueConfig[] = [];
  for (const tenant of tenants) {
    if (queued.has(tenant.id) || config.queues.some((queue) => queue.name === tenant.id)) continue;
    const queue = queueForTenant(config, tenant);
    if (queue !== undefined) added.push(queue);
  }
  return { ...config, queues: [...config.queues, ...added] };
}
