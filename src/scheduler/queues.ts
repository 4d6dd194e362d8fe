/**
 * Tenants' queues and their quotas, with Kueue's ClusterQueue and cohort semantics extended to a tree of cohorts:
 * every queue or cohort has, per resource, a nominal quota, an optional borrowing limit (how far above its subtree
 * quota it may go by borrowing from its parent) and an optional lending limit (how much of its unused quota others
 * may borrow; the rest is guaranteed to it). Availability follows Kueue's hierarchical cohorts
 * (pkg/cache resource_node): a node may use its guaranteed quota plus whatever its parent can make available, capped
 * by its borrowing limit.
 *
 * Resources are `gpu.<MODEL>` (GPUs of one model: a Kueue flavour), `gpu` (GPUs of any model), `cpu` (cores) and
 * `memory` (GiB) in the configuration; internally GPU and CPU are in milli and memory in MiB. A resource nobody
 * configures is not governed; once any queue or cohort names it, those that do not have a nominal quota of 0.
 */
import { type Static, Type } from "typebox";
import { LineCounter } from "yaml";
import { parseYamlDocument, yamlValue } from "../core/yaml.ts";
import { formatPath, parsePath } from "../model/diagnostics.ts";
import { type FlexClass, flexClasses } from "../model/flexibility.ts";
import { checkSchema, closedObject } from "../model/schema-check.ts";

/** A problem in a queue configuration, naming the field and, when known, the line. */
export interface ConfigDiagnostic {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
}

/** Quota of one resource for a queue or cohort, in configuration units. */
export interface ResourceQuota {
  readonly nominal: number;
  readonly borrowingLimit: number | undefined;
  readonly lendingLimit: number | undefined;
}

/** A priority class: higher values go first; `preempts` lets its jobs evict lower-priority work. */
export interface PriorityClass {
  readonly name: string;
  readonly value: number;
  readonly preempts: boolean;
}

/** A cohort: a node of the sharing tree. */
export interface CohortConfig {
  readonly name: string;
  readonly parent: string | undefined;
  readonly quota: Readonly<Record<string, ResourceQuota>>;
}

/** Kueue's `withinClusterQueue`: which work of the same queue a pending job may preempt. */
export const withinClusterQueuePolicies = ["Never", "LowerPriority", "LowerOrNewerEqualPriority"] as const;
/** Kueue's `reclaimWithinCohort`: which borrowing work of other queues a job within its nominal quota may preempt. */
export const reclaimWithinCohortPolicies = ["Never", "LowerPriority", "Any"] as const;
/** Kueue's `borrowWithinCohort.policy`: whether a job that must borrow may preempt other queues' borrowing work. */
export const borrowWithinCohortPolicies = ["Never", "LowerPriority"] as const;

/** Priority values as Kueue keeps them: 32-bit signed integers (WorkloadPriorityClass `value`, `maxPriorityThreshold`). */
const priorityValue = (description?: string) =>
  Type.Integer({
    minimum: -2_147_483_648,
    maximum: 2_147_483_647,
    ...(description === undefined ? {} : { description }),
  });

/** The `preemption` block of a queue, as Kueue's ClusterQueue spells it (every field optional). */
export const QueuePreemptionSchema = closedObject({
  withinClusterQueue: Type.Optional(Type.Enum(withinClusterQueuePolicies)),
  reclaimWithinCohort: Type.Optional(Type.Enum(reclaimWithinCohortPolicies)),
  borrowWithinCohort: Type.Optional(
    closedObject({
      policy: Type.Optional(Type.Enum(borrowWithinCohortPolicies)),
      maxPriorityThreshold: Type.Optional(priorityValue()),
    }),
  ),
});

/** A queue's preemption block as written. */
export type QueuePreemptionInput = Static<typeof QueuePreemptionSchema>;

/** A queue's preemption policies with Kueue's defaults filled in. */
export interface QueuePreemption {
  readonly withinClusterQueue: (typeof withinClusterQueuePolicies)[number];
  readonly reclaimWithinCohort: (typeof reclaimWithinCohortPolicies)[number];
  readonly borrowWithinCohort: {
    readonly policy: (typeof borrowWithinCohortPolicies)[number];
    /** Only work of at most this priority may be preempted while borrowing; undefined: any lower priority. */
    readonly maxPriorityThreshold: number | undefined;
  };
}

/** Kueue's defaults: a queue preempts nothing. */
export const defaultPreemption: QueuePreemption = {
  withinClusterQueue: "Never",
  reclaimWithinCohort: "Never",
  borrowWithinCohort: { policy: "Never", maxPriorityThreshold: undefined },
};

/** Fills Kueue's defaults into a preemption block as written. */
export function resolvePreemption(input: QueuePreemptionInput | undefined): QueuePreemption {
  return {
    withinClusterQueue: input?.withinClusterQueue ?? defaultPreemption.withinClusterQueue,
    reclaimWithinCohort: input?.reclaimWithinCohort ?? defaultPreemption.reclaimWithinCohort,
    borrowWithinCohort: {
      policy: input?.borrowWithinCohort?.policy ?? "Never",
      maxPriorityThreshold: input?.borrowWithinCohort?.maxPriorityThreshold,
    },
  };
}

/** A tenant queue (Kueue ClusterQueue). */
export interface QueueConfig {
  readonly name: string;
  readonly tenant: string;
  readonly cohort: string | undefined;
  /** Fair-share weight: a queue of weight 2 is entitled to twice the dominant share. */
  readonly weight: number;
  /** Priority class of jobs that name none. */
  readonly priorityClass: string;
  readonly quota: Readonly<Record<string, ResourceQuota>>;
  /** Which running work this queue's jobs may preempt; Kueue's defaults (nothing) when absent. */
  readonly preemption?: QueuePreemption;
  /**
   * The most protected flexibility class its jobs may have, and their default (`src/model/flexibility.ts`); absent:
   * the queue grants no protection.
   */
  readonly flexibility?: FlexClass;
}

/**
 * The queue a tenant gets when it is created: the first rule whose `kinds` include the tenant's kind (or that names
 * no kinds) gives its cohort, priority class, quota and preemption; the queue is named after the tenant.
 */
export interface NewTenantRule {
  /** Tenant kinds the rule applies to; undefined: every kind. */
  readonly kinds: readonly string[] | undefined;
  readonly cohort: string | undefined;
  readonly priorityClass: string;
  readonly weight: number;
  readonly quota: Readonly<Record<string, ResourceQuota>>;
  readonly preemption?: QueuePreemption;
}

/** A whole queue configuration. */
export interface QueueSetConfig {
  /** Half-life of the usage that fair share remembers. */
  readonly fairShareHalfLifeHours: number;
  readonly priorityClasses: readonly PriorityClass[];
  readonly cohorts: readonly CohortConfig[];
  readonly queues: readonly QueueConfig[];
  /** Queue for jobs naming a queue that is not configured; without it such jobs are rejected. */
  readonly defaultQueue: string | undefined;
  /** How a new tenant's queue is made; absent or empty: new tenants get no queue until an admin gives one. */
  readonly newTenants?: readonly NewTenantRule[];
}

/** The priority classes used when a configuration names none. */
export const defaultPriorityClasses: readonly PriorityClass[] = [
  { name: "critical", value: 1000, preempts: true },
  { name: "high", value: 500, preempts: false },
  { name: "normal", value: 100, preempts: false },
  { name: "low", value: 10, preempts: false },
  { name: "best-effort", value: 0, preempts: false },
];

/** One ungoverned queue named `default` that takes every job: the configuration of a plain trace replay. */
export function singleQueueConfig(): QueueSetConfig {
  return {
    fairShareHalfLifeHours: 168,
    priorityClasses: defaultPriorityClasses,
    cohorts: [],
    queues: [{ name: "default", tenant: "default", cohort: undefined, weight: 1, priorityClass: "normal", quota: {} }],
    defaultQueue: "default",
  };
}

/** Multiplier from configuration units to internal units for a resource name. */
function unitScale(resource: string): number {
  return resource === "memory" ? 1024 : 1000;
}

const name = () => Type.String({ pattern: "\\S", maxLength: 100 });

/**
 * The largest quota of one resource, in configuration units (a billion GPUs, cores or GiB: far above any campus, and
 * in internal milli or MiB units still an exact integer), the bound `PUT /v1/queues/:name` already kept.
 */
export const maxQuota = 1e9;

/** Quota of one resource as written: nominal, and optional borrowing and lending limits, in configuration units. */
export const QuotaLimitsSchema = closedObject({
  nominal: Type.Number({ minimum: 0, maximum: maxQuota }),
  borrowingLimit: Type.Optional(Type.Number({ minimum: 0, maximum: maxQuota })),
  lendingLimit: Type.Optional(Type.Number({ minimum: 0, maximum: maxQuota })),
});

/** Quotas by resource: `gpu` (any model), `gpu.<MODEL>`, `cpu` (cores), `memory` (GiB). */
export const QuotaSchema = Type.Record(Type.String(), QuotaLimitsSchema, {
  maxProperties: 100,
  propertyNames: {
    pattern: "^(gpu(\\.[A-Za-z0-9_-]+)?|cpu|memory)$",
    patternErrorMessage: "expected a resource: gpu, gpu.<MODEL>, cpu or memory",
  },
});

/**
 * How many queues, cohorts, priority classes and new-tenant rules one configuration may hold (a campus has hundreds
 * of tenants, not tens of thousands). In the schema, so they
 * are refused before the rules between entries are checked: those walk the cohort tree, and a chain of 3,000 cohorts
 * held the server for 10 s (20,000 for minutes) before a count checked afterwards refused it.
 */
export const queueSetLimits = { queues: 2000, cohorts: 200, priorityClasses: 50, newTenants: 200 } as const;

/** The queue file (YAML or JSON; also API bodies): priority classes, the cohort tree, queues, new-tenant rules. */
export const QueueFileSchema = closedObject(
  {
    version: Type.Optional(Type.Literal(1)),
    fairShare: Type.Optional(
      closedObject({
        halfLifeHours: Type.Optional(
          Type.Number({
            exclusiveMinimum: 0,
            maximum: 87_600,
            description: "Half-life of the usage fair share remembers (168; at most ten years)",
          }),
        ),
      }),
    ),
    priorityClasses: Type.Optional(
      Type.Array(closedObject({ name: name(), value: priorityValue(), preempts: Type.Optional(Type.Boolean()) }), {
        description: "Priority classes; none listed: critical, high, normal, low, best-effort",
        maxItems: queueSetLimits.priorityClasses,
      }),
    ),
    cohorts: Type.Optional(
      Type.Array(closedObject({ name: name(), parent: Type.Optional(name()), quota: Type.Optional(QuotaSchema) }), {
        maxItems: queueSetLimits.cohorts,
      }),
    ),
    queues: Type.Optional(
      Type.Array(
        closedObject({
          name: name(),
          tenant: Type.Optional(name()),
          cohort: Type.Optional(name()),
          weight: Type.Optional(
            Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: "Fair-share weight (1)" }),
          ),
          priorityClass: Type.Optional(name()),
          quota: Type.Optional(QuotaSchema),
          preemption: Type.Optional(QueuePreemptionSchema),
          flexibility: Type.Optional(
            Type.Enum(flexClasses, {
              description:
                "Most protected flexibility class its jobs may have, and their default (none: no protection granted)",
            }),
          ),
        }),
        { maxItems: queueSetLimits.queues },
      ),
    ),
    defaultQueue: Type.Optional(name()),
    newTenants: Type.Optional(
      Type.Array(
        closedObject({
          kinds: Type.Optional(
            Type.Array(name(), {
              maxItems: 50,
              uniqueItems: true,
              description: "Tenant kinds the rule applies to (all)",
            }),
          ),
          cohort: Type.Optional(name()),
          weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
          priorityClass: Type.Optional(name()),
          quota: Type.Optional(QuotaSchema),
          preemption: Type.Optional(QueuePreemptionSchema),
        }),
        { maxItems: queueSetLimits.newTenants },
      ),
    ),
  },
  { title: "alixan queue file", description: "Tenants' queues and quotas (Kueue ClusterQueue and cohort semantics)." },
);

/** A queue file as written (fields at their defaults may be left out). */
export type QueueFileDocument = Static<typeof QueueFileSchema>;

/** The result of reading a queue configuration: the configuration when it has no error, and every problem found. */
export interface QueueConfigResult {
  readonly config: QueueSetConfig | undefined;
  readonly diagnostics: readonly ConfigDiagnostic[];
}

/**
 * Parses and checks a queue configuration (YAML or JSON). Never throws: every problem comes back with its path and
 * line. Checks the shape (`QueueFileSchema`), then the rules between entries (`checkQueueRules`).
 */
export function parseQueueConfig(text: string, options: QueueReadOptions = {}): QueueConfigResult {
  const lineCounter = new LineCounter();
  const document = parseYamlDocument(text, "queues", lineCounter);
  if (document.errors.length > 0) {
    return {
      config: undefined,
      diagnostics: document.errors.map((error) => ({
        path: "",
        message: error.message.split("\n")[0]!,
        line: lineCounter.linePos(error.pos[0]).line,
      })),
    };
  }
  const built = yamlValue(document);
  if (!built.ok) return { config: undefined, diagnostics: [{ path: "", message: built.error }] };
  const read = readQueueConfig(built.value, "", options);
  const diagnostics = read.diagnostics.map((item) => {
    const segments = parsePath(item.path);
    for (let depth = segments.length; depth > 0; depth--) {
      const node = document.getIn(segments.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return { ...item, line: lineCounter.linePos(node.range[0]).line };
    }
    return item;
  });
  diagnostics.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  return { config: read.config, diagnostics };
}

/** Options of reading a queue configuration. */
export interface QueueReadOptions {
  /** Accept a configuration with no queue (a platform whose tenants have none yet); by default that is an error. */
  readonly allowEmpty?: boolean;
}

/**
 * Checks a queue configuration already parsed (an API body in the file's shape). Never throws; paths are prefixed
 * with `prefix` (for example `body`).
 */
export function readQueueConfig(value: unknown, prefix: string, options: QueueReadOptions = {}): QueueConfigResult {
  const checked = checkSchema(QueueFileSchema, value ?? {});
  if (!checked.ok) {
    return {
      config: undefined,
      diagnostics: checked.problems.map((problem) => ({
        path: joinPath(prefix, formatPath(problem.path)),
        message: problem.message,
      })),
    };
  }
  const problems: ConfigDiagnostic[] = [];
  const config = resolveQueueFile(checked.value);
  checkQueueRules(config, checked.value, options, (path, message) =>
    problems.push({ path: joinPath(prefix, path), message }),
  );
  return { config: problems.length === 0 ? config : undefined, diagnostics: problems };
}

function joinPath(prefix: string, path: string): string {
  if (path === "") return prefix;
  if (prefix === "" || path.startsWith("[")) return `${prefix}${path}`;
  return `${prefix}.${path}`;
}

function resolveQuota(quota: Static<typeof QuotaSchema> | undefined): Record<string, ResourceQuota> {
  const resolved: Record<string, ResourceQuota> = {};
  for (const [resource, limits] of Object.entries(quota ?? {})) {
    resolved[resource] = {
      nominal: limits.nominal,
      borrowingLimit: limits.borrowingLimit,
      lendingLimit: limits.lendingLimit,
    };
  }
  return resolved;
}

/** The configuration a schema-valid queue file gives, defaults filled in. */
function resolveQueueFile(file: QueueFileDocument): QueueSetConfig {
  const priorityClasses =
    file.priorityClasses !== undefined && file.priorityClasses.length > 0
      ? file.priorityClasses.map((entry) => ({
          name: entry.name,
          value: entry.value,
          preempts: entry.preempts === true,
        }))
      : defaultPriorityClasses;
  const newTenants: NewTenantRule[] = (file.newTenants ?? []).map((rule) => ({
    kinds: rule.kinds,
    cohort: rule.cohort,
    priorityClass: rule.priorityClass ?? "normal",
    weight: rule.weight ?? 1,
    quota: resolveQuota(rule.quota),
    ...(rule.preemption === undefined ? {} : { preemption: resolvePreemption(rule.preemption) }),
  }));
  return {
    fairShareHalfLifeHours: file.fairShare?.halfLifeHours ?? 168,
    priorityClasses,
    cohorts: (file.cohorts ?? []).map((cohort) => ({
      name: cohort.name,
      parent: cohort.parent,
      quota: resolveQuota(cohort.quota),
    })),
    queues: (file.queues ?? []).map((queue) => ({
      name: queue.name,
      tenant: queue.tenant ?? queue.name,
      cohort: queue.cohort,
      weight: queue.weight ?? 1,
      priorityClass: queue.priorityClass ?? "normal",
      quota: resolveQuota(queue.quota),
      ...(queue.preemption === undefined ? {} : { preemption: resolvePreemption(queue.preemption) }),
      ...(queue.flexibility === undefined ? {} : { flexibility: queue.flexibility }),
    })),
    defaultQueue: file.defaultQueue,
    ...(newTenants.length > 0 ? { newTenants } : {}),
  };
}

/** Paths of quotas as the file names them: a resource such as `gpu.H200` holds a dot, so it is quoted. */
function quotaProblems(
  quota: Readonly<Record<string, ResourceQuota>>,
  path: string,
  report: (path: string, message: string) => void,
): void {
  for (const [resource, limits] of Object.entries(quota)) {
    if (limits.lendingLimit !== undefined && limits.lendingLimit > limits.nominal) {
      report(
        `${path}${formatPath(["_", resource, "lendingLimit"]).slice(1)}`,
        `${limits.lendingLimit} exceeds the nominal quota ${limits.nominal}`,
      );
    }
  }
}

/**
 * The rules between entries that a schema cannot state: unique names, known parents, cohorts and priority classes,
 * no cohort cycles, lending ≤ nominal, a queue configured (unless allowed empty), a known default queue.
 */
function checkQueueRules(
  config: QueueSetConfig,
  file: QueueFileDocument,
  options: QueueReadOptions,
  report: (path: string, message: string) => void,
): void {
  const { cohorts, queues, priorityClasses } = config;
  const classNames = new Set<string>();
  (file.priorityClasses ?? []).forEach((entry, index) => {
    if (classNames.has(entry.name))
      report(`priorityClasses[${index}].name`, `duplicate priority class "${entry.name}"`);
    classNames.add(entry.name);
  });
  const cohortNames = new Set<string>();
  cohorts.forEach((cohort, index) => {
    if (cohortNames.has(cohort.name)) report(`cohorts[${index}].name`, `duplicate cohort "${cohort.name}"`);
    cohortNames.add(cohort.name);
    quotaProblems(cohort.quota, `cohorts[${index}].quota`, report);
  });
  cohorts.forEach((cohort, index) => {
    if (cohort.parent !== undefined && !cohortNames.has(cohort.parent)) {
      report(`cohorts[${index}].parent`, `no cohort named "${cohort.parent}"`);
    }
    // Walk up the parents: coming back to the start is a cycle.
    let current = cohort.parent;
    for (let steps = 0; current !== undefined && steps <= cohorts.length; steps++) {
      if (current === cohort.name) {
        report(`cohorts[${index}].parent`, `cohort "${cohort.name}" is its own ancestor`);
        break;
      }
      current = cohorts.find((other) => other.name === current)?.parent;
    }
  });
  const knownClasses = priorityClasses.map((entry) => entry.name);
  const checkReferences = (
    entry: { cohort: string | undefined; priorityClass: string; quota: Readonly<Record<string, ResourceQuota>> },
    path: string,
  ) => {
    if (entry.cohort !== undefined && !cohortNames.has(entry.cohort)) {
      report(`${path}.cohort`, `no cohort named "${entry.cohort}"`);
    }
    if (!knownClasses.includes(entry.priorityClass)) {
      report(
        `${path}.priorityClass`,
        `no priority class named "${entry.priorityClass}" (known: ${knownClasses.join(", ")})`,
      );
    }
    quotaProblems(entry.quota, `${path}.quota`, report);
  };
  const queueNames = new Set<string>();
  queues.forEach((queue, index) => {
    const path = `queues[${index}]`;
    checkReferences(queue, path);
    if (queueNames.has(queue.name)) report(`${path}.name`, `duplicate queue "${queue.name}"`);
    if (cohortNames.has(queue.name)) report(`${path}.name`, `"${queue.name}" is also a cohort`);
    queueNames.add(queue.name);
  });
  if (queues.length === 0 && options.allowEmpty !== true) report("queues", "no queue configured");
  if (config.defaultQueue !== undefined && !queueNames.has(config.defaultQueue)) {
    report("defaultQueue", `no queue named "${config.defaultQueue}"`);
  }
  (config.newTenants ?? []).forEach((rule, index) => {
    checkReferences(rule, `newTenants[${index}]`);
  });
}

/**
 * Quota accounting over the cohort tree. Nodes are cohorts then queues; every per-resource quantity is a
 * Float64Array indexed `node * resourceCount + resource`, in internal units.
 */
export class QuotaTree {
  readonly config: QueueSetConfig;
  /** Governed resource names, in the configuration's spelling. */
  readonly resources: readonly string[];
  /** Node names: cohorts first, then queues. */
  readonly names: readonly string[];
  readonly parent: Int32Array;
  readonly queueCount: number;
  readonly cohortCount: number;
  readonly nominal: Float64Array;
  readonly borrowingLimit: Float64Array;
  readonly lendingLimit: Float64Array;
  readonly usage: Float64Array;
  readonly subtreeQuota: Float64Array;
  readonly guaranteed: Float64Array;
  private readonly resourceIndex: Map<string, number>;

  constructor(config: QueueSetConfig) {
    this.config = config;
    const resources = new Set<string>();
    for (const owner of [...config.cohorts, ...config.queues])
      for (const name of Object.keys(owner.quota)) resources.add(name);
    this.resources = [...resources].sort();
    this.resourceIndex = new Map(this.resources.map((name, index) => [name, index]));
    this.cohortCount = config.cohorts.length;
    this.queueCount = config.queues.length;
    this.names = [...config.cohorts.map((c) => c.name), ...config.queues.map((q) => q.name)];
    const nodes = this.names.length;
    const width = this.resources.length;
    const cohortIndex = new Map(config.cohorts.map((cohort, index) => [cohort.name, index]));
    this.parent = Int32Array.from([...config.cohorts, ...config.queues], (owner) => {
      const parentName = "parent" in owner ? owner.parent : owner.cohort;
      return parentName === undefined ? -1 : (cohortIndex.get(parentName) ?? -1);
    });
    this.nominal = new Float64Array(nodes * width);
    this.borrowingLimit = new Float64Array(nodes * width).fill(Number.POSITIVE_INFINITY);
    this.lendingLimit = new Float64Array(nodes * width).fill(Number.POSITIVE_INFINITY);
    this.usage = new Float64Array(nodes * width);
    this.subtreeQuota = new Float64Array(nodes * width);
    this.guaranteed = new Float64Array(nodes * width);
    [...config.cohorts, ...config.queues].forEach((owner, node) => {
      for (const [name, quota] of Object.entries(owner.quota)) {
        const r = this.resourceIndex.get(name)!;
        const scale = unitScale(name);
        this.nominal[node * width + r] = quota.nominal * scale;
        if (quota.borrowingLimit !== undefined) this.borrowingLimit[node * width + r] = quota.borrowingLimit * scale;
        if (quota.lendingLimit !== undefined) this.lendingLimit[node * width + r] = quota.lendingLimit * scale;
      }
    });
    // Subtree quotas bottom-up: queues first, then cohorts deepest first.
    const depth = (node: number) => {
      let d = 0;
      for (let p = this.parent[node]!; p >= 0; p = this.parent[p]!) d++;
      return d;
    };
    const order = Array.from({ length: nodes }, (_, node) => node).sort((a, b) => depth(b) - depth(a));
    for (let i = 0; i < this.subtreeQuota.length; i++) this.subtreeQuota[i] = this.nominal[i]!;
    for (const node of order) {
      for (let r = 0; r < width; r++) {
        const cell = node * width + r;
        const lendable = Math.min(this.lendingLimit[cell]!, this.subtreeQuota[cell]!);
        this.guaranteed[cell] = Math.max(0, this.subtreeQuota[cell]! - this.lendingLimit[cell]!);
        const parent = this.parent[node]!;
        if (parent >= 0) this.subtreeQuota[parent * width + r]! += lendable;
      }
    }
  }

  /** Index of a governed resource, or -1. */
  resource(name: string): number {
    return this.resourceIndex.get(name) ?? -1;
  }

  /** Node index of a queue by name, or -1. */
  queueIndex(name: string): number {
    const at = this.config.queues.findIndex((queue) => queue.name === name);
    return at < 0 ? -1 : this.cohortCount + at;
  }

  /** The configuration of a queue node. */
  queueConfig(node: number): QueueConfig {
    return this.config.queues[node - this.cohortCount]!;
  }

  /** How much of resource `r` node `node` can still take (Kueue's hierarchical `available`). */
  available(node: number, r: number): number {
    const width = this.resources.length;
    const cell = node * width + r;
    const usage = this.usage[cell]!;
    const parent = this.parent[node]!;
    if (parent < 0) return this.subtreeQuota[cell]! - usage;
    const guaranteed = this.guaranteed[cell]!;
    const local = Math.max(0, guaranteed - usage);
    let fromParent = this.available(parent, r);
    const borrowing = this.borrowingLimit[cell]!;
    if (borrowing !== Number.POSITIVE_INFINITY) {
      const storedInParent = this.subtreeQuota[cell]! - guaranteed;
      const usedInParent = Math.max(0, usage - guaranteed);
      fromParent = Math.min(fromParent, storedInParent - usedInParent + borrowing);
    }
    return local + fromParent;
  }

  /** The first governed resource a request does not fit in for queue `queue`, or -1 when it fits. */
  firstShortfall(queue: number, request: Float64Array): number {
    for (let r = 0; r < request.length; r++) {
      const amount = request[r]!;
      if (amount > 0 && amount > this.available(queue, r) + 1e-6) return r;
    }
    return -1;
  }

  /** Adds (sign 1) or removes (sign -1) a request's usage at a queue and the cohorts above it. */
  charge(queue: number, request: Float64Array, sign: 1 | -1): void {
    const width = this.resources.length;
    for (let r = 0; r < width; r++) {
      let delta = request[r]! * sign;
      for (let node = queue; node >= 0 && delta !== 0; node = this.parent[node]!) {
        const cell = node * width + r;
        const before = Math.max(0, this.usage[cell]! - this.guaranteed[cell]!);
        this.usage[cell]! += delta;
        if (Math.abs(this.usage[cell]!) < 1e-6) this.usage[cell] = 0;
        // A cohort's usage counts what its children use beyond their guaranteed quota.
        delta = Math.max(0, this.usage[cell]! - this.guaranteed[cell]!) - before;
      }
    }
  }

  /** The root cohort (or the queue itself) above a node. */
  root(node: number): number {
    let current = node;
    while (this.parent[current]! >= 0) current = this.parent[current]!;
    return current;
  }

  /** Whether the queue uses more than its nominal quota of any resource (it is borrowing). */
  borrowing(queue: number): boolean {
    const width = this.resources.length;
    for (let r = 0; r < width; r++) {
      if (this.usage[queue * width + r]! > this.nominal[queue * width + r]! + 1e-6) return true;
    }
    return false;
  }

  /** Whether a queue has a nominal quota of its own (an ungoverned queue is guaranteed nothing). */
  hasQuota(queue: number): boolean {
    return Object.keys(this.queueConfig(queue).quota).length > 0;
  }

  /**
   * Whether a queue's running work is protected from other queues' preemption: it has a quota and uses no more than
   * its nominal quota of any resource (Kueue never preempts work within nominal quota for another queue).
   */
  withinNominalQuota(queue: number): boolean {
    return this.hasQuota(queue) && !this.borrowing(queue);
  }

  /** Whether `request` would keep the queue within its nominal quota on every resource. */
  withinNominal(queue: number, request: Float64Array): boolean {
    const width = this.resources.length;
    for (let r = 0; r < width; r++) {
      if (request[r]! > 0 && this.usage[queue * width + r]! + request[r]! > this.nominal[queue * width + r]! + 1e-6) {
        return false;
      }
    }
    return true;
  }

  /** A sentence saying why `request` does not fit resource `r` of `queue`. */
  explain(queue: number, r: number, request: Float64Array): string {
    const width = this.resources.length;
    const name = this.resources[r]!;
    const scale = unitScale(name);
    const show = (value: number) => `${Math.round((value / scale) * 100) / 100}`;
    const cell = queue * width + r;
    const borrowing = this.borrowingLimit[cell]!;
    const available = this.available(queue, r);
    const cap = borrowing === Number.POSITIVE_INFINITY ? "" : ` + ${show(borrowing)} borrowing limit`;
    const unit = name === "memory" ? " GiB" : name === "cpu" ? " cores" : " GPUs";
    return (
      `quota of queue ${this.names[queue]} exhausted (${name}: ${show(this.usage[cell]!)} in use + ` +
      `${show(request[r]!)} asked, ${show(Math.max(0, available))}${unit} available; nominal ${show(this.nominal[cell]!)}${cap})`
    );
  }
}

/**
 * Per-queue dominant-resource fair share with exponentially decaying usage: usage integrates allocation over time
 * and forgets it with the configured half-life; a queue's share is its largest (usage / capacity) over resources,
 * divided by its weight. The scheduler serves the queue with the smallest share first among equal priorities.
 */
export class FairShare {
  private readonly decayPerSecond: number;
  private readonly dimensions: number;
  /** Decayed resource-seconds per queue and dimension. */
  private readonly decayed: Float64Array;
  /** Current allocation per queue and dimension. */
  private readonly current: Float64Array;
  private readonly lastUpdate: Float64Array;
  private readonly capacity: Float64Array;
  private readonly weights: Float64Array;

  /** `capacity`: what the inventory has of each dimension (same order as the allocation vectors). */
  constructor(queueCount: number, capacity: Float64Array, weights: Float64Array, halfLifeHours: number) {
    this.dimensions = capacity.length;
    this.decayPerSecond = Math.LN2 / (halfLifeHours * 3600);
    this.decayed = new Float64Array(queueCount * this.dimensions);
    this.current = new Float64Array(queueCount * this.dimensions);
    this.lastUpdate = new Float64Array(queueCount);
    this.capacity = capacity;
    this.weights = weights;
  }

  private advance(queue: number, nowS: number): void {
    const elapsed = nowS - this.lastUpdate[queue]!;
    if (elapsed <= 0) return;
    const keep = Math.exp(-this.decayPerSecond * elapsed);
    // Exact integral of a constant allocation under exponential decay over the interval.
    const gained = (1 - keep) / this.decayPerSecond;
    const base = queue * this.dimensions;
    for (let d = 0; d < this.dimensions; d++) {
      this.decayed[base + d] = this.decayed[base + d]! * keep + this.current[base + d]! * gained;
    }
    this.lastUpdate[queue] = nowS;
  }

  /** Changes a queue's current allocation by `sign` × `amounts` at `nowS`. */
  allocate(queue: number, amounts: Float64Array, sign: 1 | -1, nowS: number): void {
    this.advance(queue, nowS);
    const base = queue * this.dimensions;
    for (let d = 0; d < this.dimensions; d++) this.current[base + d]! += amounts[d]! * sign;
  }

  /** Weighted dominant share of a queue at `nowS`: 1 means it used a whole resource for a whole mean life. */
  share(queue: number, nowS: number): number {
    this.advance(queue, nowS);
    const base = queue * this.dimensions;
    const meanLife = 1 / this.decayPerSecond;
    let dominant = 0;
    for (let d = 0; d < this.dimensions; d++) {
      const capacity = this.capacity[d]!;
      if (capacity > 0) dominant = Math.max(dominant, this.decayed[base + d]! / (capacity * meanLife));
    }
    return dominant / this.weights[queue]!;
  }
}
