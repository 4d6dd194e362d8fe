/**
 * Kueue-compatible import and export of a queue configuration, so a site can move its quotas to or from a
 * Kubernetes cluster running Kueue (kueue.x-k8s.io: ClusterQueue, LocalQueue and WorkloadPriorityClass v1beta1,
 * ResourceFlavor v1beta1, Cohort v1alpha1 with `spec.parent`, as Kueue's concept pages spell them).
 *
 * Mapping: a queue is a ClusterQueue and its tenant a LocalQueue of the same name in the tenant's namespace; GPUs of
 * one model (`gpu.<MODEL>`) are `nvidia.com/gpu` in a ResourceFlavor whose node label `nvidia.com/gpu.product` names
 * the model; `cpu` and `memory` are in the flavour `default-flavor`. What Kueue cannot say travels in `alixan.io/`
 * annotations: the any-model `gpu` quota (Kueue has no quota across flavours), a queue's default priority class and
 * flexibility class (`alixan.io/flexibility-class`, see src/model/flexibility.ts), and a priority class's right to
 * preempt. The fair-share half-life and new-tenant rules are Kueue controller settings,
 * not objects: an import keeps the values of the configuration in force.
 */
import { parseAllDocuments, stringify } from "yaml";
import { fileTooLarge, yamlValue } from "../core/yaml.ts";
import { preemptionDocument, type QueueSetDocument, queueSetDocument } from "./queue-file.ts";
import {
  type ConfigDiagnostic,
  type QueueConfigResult,
  type QueueSetConfig,
  type ResourceQuota,
  readQueueConfig,
} from "./queues.ts";

const group = "kueue.x-k8s.io";
const gpuResource = "nvidia.com/gpu";
const productLabel = "nvidia.com/gpu.product";
const cpuFlavor = "default-flavor";
const annotations = {
  anyModelGpu: "alixan.io/any-model-gpu-quota",
  priorityClass: "alixan.io/default-priority-class",
  preempts: "alixan.io/preempts",
  tenant: "alixan.io/tenant",
  flexibility: "alixan.io/flexibility-class",
} as const;
/** At most this many documents in one import (a site has hundreds of queues, not tens of thousands). */
export const maxKueueDocuments = 5000;

/** A DNS-1123 name for a GPU model's flavour (Kubernetes object names are lower case). */
export function flavorName(model: string): string {
  return (
    model
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, "-")
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "") || "gpu"
  );
}

/** Every governed resource of a configuration, in its spelling. */
function governed(config: QueueSetConfig): string[] {
  const resources = new Set<string>();
  for (const owner of [...config.cohorts, ...config.queues])
    for (const name of Object.keys(owner.quota)) resources.add(name);
  return [...resources].sort();
}

function quantity(resource: string, value: number): number | string {
  return resource === "memory" ? `${value}Gi` : value;
}

function resourceEntry(
  resource: string,
  kueueName: string,
  limits: ResourceQuota | undefined,
): Record<string, unknown> {
  return {
    name: kueueName,
    nominalQuota: quantity(resource, limits?.nominal ?? 0),
    ...(limits?.borrowingLimit === undefined ? {} : { borrowingLimit: quantity(resource, limits.borrowingLimit) }),
    ...(limits?.lendingLimit === undefined ? {} : { lendingLimit: quantity(resource, limits.lendingLimit) }),
  };
}

/** Kueue resource groups for a quota: every governed resource appears, at nominal 0 where the owner names none. */
function resourceGroups(resources: readonly string[], quota: Readonly<Record<string, ResourceQuota>>): unknown[] {
  const groups: unknown[] = [];
  const models = resources.filter((resource) => resource.startsWith("gpu.")).map((resource) => resource.slice(4));
  if (models.length > 0) {
    groups.push({
      coveredResources: [gpuResource],
      flavors: models.map((model) => ({
        name: flavorName(model),
        resources: [resourceEntry(`gpu.${model}`, gpuResource, quota[`gpu.${model}`])],
      })),
    });
  }
  const plain = resources.filter((resource) => resource === "cpu" || resource === "memory");
  if (plain.length > 0) {
    groups.push({
      coveredResources: plain,
      flavors: [
        { name: cpuFlavor, resources: plain.map((resource) => resourceEntry(resource, resource, quota[resource])) },
      ],
    });
  }
  return groups;
}

function anyModel(quota: Readonly<Record<string, ResourceQuota>>): Record<string, string> {
  const limits = quota["gpu"];
  if (limits === undefined) return {};
  const document: Record<string, number> = { nominal: limits.nominal };
  if (limits.borrowingLimit !== undefined) document["borrowingLimit"] = limits.borrowingLimit;
  if (limits.lendingLimit !== undefined) document["lendingLimit"] = limits.lendingLimit;
  return { [annotations.anyModelGpu]: JSON.stringify(document) };
}

function withAnnotations(name: string, extra: Record<string, string>, namespace?: string): Record<string, unknown> {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(Object.keys(extra).length === 0 ? {} : { annotations: extra }),
  };
}

/** The configuration as Kueue objects, one YAML document each. */
export function kueueExport(config: QueueSetConfig): string {
  const resources = governed(config);
  const documents: unknown[] = [];
  for (const entry of config.priorityClasses) {
    documents.push({
      apiVersion: `${group}/v1beta1`,
      kind: "WorkloadPriorityClass",
      metadata: withAnnotations(flavorName(entry.name), entry.preempts ? { [annotations.preempts]: "true" } : {}),
      value: entry.value,
      description: `alixan priority class ${entry.name}`,
    });
  }
  for (const resource of resources.filter((name) => name.startsWith("gpu."))) {
    const model = resource.slice(4);
    documents.push({
      apiVersion: `${group}/v1beta1`,
      kind: "ResourceFlavor",
      metadata: { name: flavorName(model) },
      spec: { nodeLabels: { [productLabel]: model } },
    });
  }
  if (resources.includes("cpu") || resources.includes("memory")) {
    documents.push({ apiVersion: `${group}/v1beta1`, kind: "ResourceFlavor", metadata: { name: cpuFlavor } });
  }
  for (const cohort of config.cohorts) {
    documents.push({
      apiVersion: `${group}/v1alpha1`,
      kind: "Cohort",
      metadata: withAnnotations(cohort.name, anyModel(cohort.quota)),
      spec: {
        ...(cohort.parent === undefined ? {} : { parent: cohort.parent }),
        resourceGroups: resourceGroups(resources, cohort.quota),
      },
    });
  }
  for (const queue of config.queues) {
    const preemption = preemptionDocument(queue.preemption);
    documents.push({
      apiVersion: `${group}/v1beta1`,
      kind: "ClusterQueue",
      metadata: withAnnotations(queue.name, {
        [annotations.tenant]: queue.tenant,
        [annotations.priorityClass]: queue.priorityClass,
        ...(queue.flexibility === undefined ? {} : { [annotations.flexibility]: queue.flexibility }),
        ...anyModel(queue.quota),
      }),
      spec: {
        ...(queue.cohort === undefined ? {} : { cohort: queue.cohort }),
        namespaceSelector: {},
        ...(queue.weight === 1 ? {} : { fairSharing: { weight: String(queue.weight) } }),
        ...(preemption === undefined ? {} : { preemption }),
        resourceGroups: resourceGroups(resources, queue.quota),
      },
    });
    documents.push({
      apiVersion: `${group}/v1beta1`,
      kind: "LocalQueue",
      metadata: { name: queue.name, namespace: queue.tenant },
      spec: { clusterQueue: queue.name },
    });
  }
  return documents.map((document) => stringify(document, { lineWidth: 0 })).join("---\n");
}

const quantityPattern = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const suffixes: Readonly<Record<string, number>> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity ("8", "500m", "64Gi") as a number of base units; undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = quantityPattern.exec(value.trim());
  if (match === null) return undefined;
  const result = Number(match[1]) * (match[2] === undefined ? 1 : suffixes[match[2]]!);
  return Number.isFinite(result) && result >= 0 ? result : undefined;
}

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads Kueue objects into the queue file's shape, collecting problems by document. */
class KueueReader {
  readonly diagnostics: ConfigDiagnostic[] = [];
  readonly flavorModel = new Map<string, string>();
  problem(path: string, message: string): void {
    this.diagnostics.push({ path, message });
  }

  /** The quota document of a cohort or ClusterQueue's `spec.resourceGroups` (plus the any-model annotation). */
  quota(spec: Raw, metadata: Raw, path: string): Record<string, Record<string, number>> {
    const quota: Record<string, Record<string, number>> = {};
    const groups = spec["resourceGroups"] ?? [];
    if (!Array.isArray(groups)) {
      this.problem(`${path}.spec.resourceGroups`, "expected a list");
      return quota;
    }
    groups.forEach((groupValue, groupIndex) => {
      const flavors = isRecord(groupValue) ? groupValue["flavors"] : undefined;
      if (!Array.isArray(flavors)) {
        this.problem(`${path}.spec.resourceGroups[${groupIndex}].flavors`, "expected a list");
        return;
      }
      flavors.forEach((flavorValue, flavorIndex) => {
        const at = `${path}.spec.resourceGroups[${groupIndex}].flavors[${flavorIndex}]`;
        if (
          !isRecord(flavorValue) ||
          typeof flavorValue["name"] !== "string" ||
          !Array.isArray(flavorValue["resources"])
        ) {
          this.problem(at, "expected { name, resources: [...] }");
          return;
        }
        const flavor = flavorValue["name"];
        (flavorValue["resources"] as unknown[]).forEach((resourceValue, resourceIndex) => {
          const where = `${at}.resources[${resourceIndex}]`;
          if (!isRecord(resourceValue) || typeof resourceValue["name"] !== "string") {
            this.problem(where, "expected { name, nominalQuota }");
            return;
          }
          const name = this.resourceName(resourceValue["name"], flavor, where);
          if (name === undefined) return;
          const scale = name === "memory" ? 2 ** 30 : 1;
          const limits: Record<string, number> = {};
          for (const field of ["nominalQuota", "borrowingLimit", "lendingLimit"] as const) {
            if (resourceValue[field] === undefined) continue;
            const amount = parseQuantity(resourceValue[field]);
            if (amount === undefined) {
              this.problem(`${where}.${field}`, `expected a quantity, got ${JSON.stringify(resourceValue[field])}`);
              continue;
            }
            limits[field === "nominalQuota" ? "nominal" : field] = amount / scale;
          }
          if (limits["nominal"] === undefined) this.problem(`${where}.nominalQuota`, "missing");
          if (quota[name] !== undefined) {
            this.problem(where, `${name} is given twice (alixan counts ${name} as one resource)`);
            return;
          }
          quota[name] = limits;
        });
      });
    });
    const any = (metadata["annotations"] as Raw | undefined)?.[annotations.anyModelGpu];
    if (typeof any === "string") {
      try {
        const parsed: unknown = JSON.parse(any);
        if (isRecord(parsed)) quota["gpu"] = parsed as Record<string, number>;
        else throw new Error("not an object");
      } catch {
        this.problem(`${path}.metadata.annotations["${annotations.anyModelGpu}"]`, "expected a JSON quota object");
      }
    }
    return quota;
  }

  resourceName(name: string, flavor: string, where: string): string | undefined {
    if (name === gpuResource) return `gpu.${this.flavorModel.get(flavor) ?? flavor.toUpperCase()}`;
    if (name === "cpu" || name === "memory") return name;
    this.problem(
      `${where}.name`,
      `resource ${name} is not scheduled by alixan (expected ${gpuResource}, cpu or memory)`,
    );
    return undefined;
  }
}

type QuotaOwner = { quota: Record<string, Record<string, number>> };

/**
 * Kueue needs a nominal quota of 0 written out for a queue to borrow a flavour; alixan reads a resource that an owner
 * does not name as nominal 0 once anyone governs it. The written-out zeros are dropped where some owner governs the
 * resource otherwise, so that an export imports back to the same configuration.
 */
function dropExplicitZeros(owners: readonly QuotaOwner[]): void {
  const trivial = (limits: Record<string, number>) =>
    limits["nominal"] === 0 && limits["borrowingLimit"] === undefined && limits["lendingLimit"] === undefined;
  const governedOtherwise = new Set<string>();
  for (const owner of owners)
    for (const [resource, limits] of Object.entries(owner.quota)) if (!trivial(limits)) governedOtherwise.add(resource);
  for (const owner of owners) {
    for (const [resource, limits] of Object.entries(owner.quota))
      if (trivial(limits) && governedOtherwise.has(resource)) delete owner.quota[resource];
  }
}

const kinds = ["ResourceFlavor", "WorkloadPriorityClass", "Cohort", "ClusterQueue", "LocalQueue"] as const;

/** One Kueue object of the import. */
interface KueueObject {
  readonly kind: (typeof kinds)[number];
  readonly value: Raw;
  readonly metadata: Raw;
  readonly name: string;
  readonly path: string;
}

function readObject(
  document: ReturnType<typeof parseAllDocuments>[number],
  path: string,
  reader: KueueReader,
): KueueObject | undefined {
  if (document.errors.length > 0) {
    reader.problem(path, document.errors[0]!.message.split("\n")[0]!);
    return undefined;
  }
  // Built within the alias bound, and an alias without its anchor named: `toJS` throws on both.
  const built = yamlValue(document);
  if (!built.ok) {
    reader.problem(path, built.error);
    return undefined;
  }
  const value = built.value;
  if (value === null || value === undefined) return undefined;
  if (!isRecord(value)) {
    reader.problem(path, "expected a Kubernetes object");
    return undefined;
  }
  const apiVersion = value["apiVersion"];
  if (typeof apiVersion !== "string" || !apiVersion.startsWith(`${group}/`)) {
    reader.problem(`${path}.apiVersion`, `expected ${group}/…, got ${JSON.stringify(apiVersion)}`);
    return undefined;
  }
  const kind = value["kind"];
  if (!(kinds as readonly unknown[]).includes(kind)) {
    reader.problem(`${path}.kind`, `must be one of: ${kinds.join(", ")}; got ${JSON.stringify(kind)}`);
    return undefined;
  }
  const metadata = value["metadata"];
  if (!isRecord(metadata) || typeof metadata["name"] !== "string" || metadata["name"] === "") {
    reader.problem(`${path}.metadata.name`, "missing");
    return undefined;
  }
  return { kind: kind as (typeof kinds)[number], value, metadata, name: metadata["name"], path };
}

/**
 * Reads Kueue objects (multi-document YAML) into a queue configuration, checked as any other (cohort cycles,
 * unknown parents, lending above nominal…). `base` gives what Kueue objects do not carry (fair-share half-life,
 * new-tenant rules; priority classes when the text has none). Never throws.
 */
export function kueueImport(text: string, base: QueueSetConfig): QueueConfigResult & { document?: QueueSetDocument } {
  const tooLarge = fileTooLarge(text, "kueue");
  if (tooLarge !== undefined) return { config: undefined, diagnostics: [{ path: "body", message: tooLarge }] };
  const parsed = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  if (documents.length > maxKueueDocuments) {
    return { config: undefined, diagnostics: [{ path: "body", message: `more than ${maxKueueDocuments} documents` }] };
  }
  const reader = new KueueReader();
  const objects: KueueObject[] = [];
  documents.forEach((document, index) => {
    const object = readObject(document, `documents[${index}]`, reader);
    if (object !== undefined) objects.push(object);
  });
  for (const object of objects.filter((candidate) => candidate.kind === "ResourceFlavor")) {
    const labels = (object.value["spec"] as Raw | undefined)?.["nodeLabels"];
    const product = isRecord(labels) ? labels[productLabel] : undefined;
    if (typeof product === "string" && product !== "") reader.flavorModel.set(object.name, product);
  }
  const tenantOf = new Map<string, string>();
  for (const object of objects.filter((candidate) => candidate.kind === "LocalQueue")) {
    const target = (object.value["spec"] as Raw | undefined)?.["clusterQueue"];
    const namespace = object.metadata["namespace"];
    if (typeof target !== "string" || typeof namespace !== "string") {
      reader.problem(object.path, "a LocalQueue needs metadata.namespace and spec.clusterQueue");
      continue;
    }
    const known = tenantOf.get(target);
    if (known !== undefined && known !== namespace) {
      reader.problem(`${object.path}.metadata.namespace`, `ClusterQueue ${target} is already the queue of ${known}`);
      continue;
    }
    tenantOf.set(target, namespace);
  }
  const classes = objects
    .filter((object) => object.kind === "WorkloadPriorityClass")
    .map((object) => ({
      name: object.name,
      value: object.value["value"],
      ...((object.metadata["annotations"] as Raw | undefined)?.[annotations.preempts] === "true"
        ? { preempts: true }
        : {}),
    }));
  const baseDocument = queueSetDocument(base);
  const document: QueueSetDocument = {
    version: 1,
    fairShare: baseDocument["fairShare"],
    priorityClasses: classes.length > 0 ? classes : baseDocument["priorityClasses"],
    cohorts: objects
      .filter((object) => object.kind === "Cohort")
      .map((object) => {
        const spec = isRecord(object.value["spec"]) ? object.value["spec"] : {};
        const parent = spec["parent"] ?? spec["parentName"];
        return {
          name: object.name,
          ...(typeof parent === "string" && parent !== "" ? { parent } : {}),
          quota: reader.quota(spec, object.metadata, object.path),
        };
      }),
    queues: objects
      .filter((object) => object.kind === "ClusterQueue")
      .map((object) => {
        const spec = isRecord(object.value["spec"]) ? object.value["spec"] : {};
        const notes = (object.metadata["annotations"] as Raw | undefined) ?? {};
        const weight = parseQuantity((spec["fairSharing"] as Raw | undefined)?.["weight"]);
        const tenant = tenantOf.get(object.name) ?? notes[annotations.tenant] ?? object.name;
        return {
          name: object.name,
          tenant,
          ...(typeof spec["cohort"] === "string" ? { cohort: spec["cohort"] } : {}),
          ...(weight === undefined || weight <= 0 ? {} : { weight }),
          ...(typeof notes[annotations.priorityClass] === "string"
            ? { priorityClass: notes[annotations.priorityClass] }
            : {}),
          ...(typeof notes[annotations.flexibility] === "string"
            ? { flexibility: notes[annotations.flexibility] }
            : {}),
          quota: reader.quota(spec, object.metadata, object.path),
          ...(spec["preemption"] === undefined ? {} : { preemption: spec["preemption"] }),
        };
      }),
    ...(baseDocument["newTenants"] === undefined ? {} : { newTenants: baseDocument["newTenants"] }),
  };
  if (reader.diagnostics.length > 0) return { config: undefined, diagnostics: reader.diagnostics };
  dropExplicitZeros([...(document["cohorts"] as QuotaOwner[]), ...(document["queues"] as QuotaOwner[])]);
  const checked = readQueueConfig(document, "", { allowEmpty: true });
  // Name the Kueue object a problem is in: `queues[3].quota` says less than `ClusterQueue pharma`.
  const cohorts = document["cohorts"] as { name: string }[];
  const queues = document["queues"] as { name: string }[];
  const diagnostics = checked.diagnostics.map((item) => ({
    ...item,
    path: item.path
      .replace(/^\.?cohorts\[(\d+)\]/, (_, index: string) => `Cohort ${cohorts[Number(index)]?.name ?? index}`)
      .replace(/^\.?queues\[(\d+)\]/, (_, index: string) => `ClusterQueue ${queues[Number(index)]?.name ?? index}`)
      .replace(/^\./, ""),
  }));
  return { config: checked.config, diagnostics, document };
}
