/**
 * Queue configurations written back in the file's shape and as Kueue objects read back to the same configuration;
 * Kueue imports with problems are refused naming the object and field.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { flavorName, kueueExport, kueueImport, parseQuantity } from "./kueue-yaml.ts";
import { queueSetDocument, queueSetYaml } from "./queue-file.ts";
import { parseQueueConfig, type QueueSetConfig, readQueueConfig } from "./queues.ts";

const example = (): QueueSetConfig => {
  const result = parseQueueConfig(readFileSync(new URL("./queues.example.yaml", import.meta.url), "utf8"));
  assert.ok(result.config, JSON.stringify(result.diagnostics));
  return result.config;
};

describe("queue file writer", () => {
  it("reads back what it writes, as YAML and as a JSON body", () => {
    const config = {
      ...example(),
      newTenants: [
        {
          kinds: ["hospital"],
          cohort: "health",
          priorityClass: "high",
          weight: 1,
          quota: { "gpu.H200": { nominal: 0, borrowingLimit: 16, lendingLimit: undefined } },
        },
      ],
    } satisfies QueueSetConfig;
    const fromYaml = parseQueueConfig(queueSetYaml(config));
    assert.deepEqual(fromYaml.diagnostics, []);
    assert.deepEqual(fromYaml.config, config);
    const fromJson = readQueueConfig(JSON.parse(JSON.stringify(queueSetDocument(config))), "body");
    assert.deepEqual(fromJson.config, config);
  });

  it("names the field of a bad body under its prefix", () => {
    const result = readQueueConfig({ queues: [{ name: "a", quota: { gpu: { nominal: -1 } } }] }, "body");
    assert.equal(result.config, undefined);
    assert.ok(
      result.diagnostics.some((item) => item.path === "body.queues[0].quota.gpu.nominal"),
      JSON.stringify(result.diagnostics),
    );
    assert.equal(readQueueConfig({ queues: [] }, "body").config, undefined);
    assert.ok(readQueueConfig({ queues: [] }, "body", { allowEmpty: true }).config);
  });
});

describe("Kueue import and export", () => {
  it("exports ClusterQueues, LocalQueues, Cohorts, flavours and priority classes that import back the same", () => {
    const config = example();
    const text = kueueExport(config);
    const objects = parseAllDocuments(text).map((document) => document.toJS());
    const kinds = (kind: string) => objects.filter((object) => object.kind === kind);
    assert.equal(kinds("ClusterQueue").length, config.queues.length);
    assert.equal(kinds("LocalQueue").length, config.queues.length);
    assert.equal(kinds("Cohort").length, config.cohorts.length);
    assert.deepEqual(
      kinds("ResourceFlavor").map((object) => object.metadata.name),
      ["gb300", "h200"],
    );
    const course = kinds("LocalQueue").find((object) => object.metadata.name === "campus-course");
    assert.equal(course.metadata.namespace, "training-campus");
    // Borrowing needs an explicit nominal of 0 in Kueue: every governed flavour is listed on every queue.
    const diagnostics = kinds("ClusterQueue").find((object) => object.metadata.name === "diagnostics");
    const gpuFlavors = diagnostics.spec.resourceGroups[0].flavors.map((flavor: { name: string }) => flavor.name);
    assert.deepEqual(gpuFlavors, ["gb300", "h200"]);
    assert.equal(diagnostics.spec.resourceGroups[0].flavors[0].resources[0].nominalQuota, 0);
    const back = kueueImport(text, config);
    assert.deepEqual(back.diagnostics, []);
    assert.deepEqual(back.config, config);
  });

  it("reads Kubernetes quantities and refuses what alixan cannot schedule, naming the object", () => {
    assert.equal(parseQuantity("500m"), 0.5);
    assert.equal(parseQuantity("64Gi"), 64 * 2 ** 30);
    assert.equal(parseQuantity("1e3"), 1000);
    assert.equal(parseQuantity("-1"), undefined);
    assert.equal(parseQuantity("lots"), undefined);
    assert.equal(flavorName("GB300 NVL72"), "gb300-nvl72");
    const config = example();
    const bad = kueueImport(
      `apiVersion: kueue.x-k8s.io/v1beta1
kind: ClusterQueue
metadata: { name: q }
spec:
  resourceGroups:
  - coveredResources: [example.com/fpga]
    flavors:
    - name: default-flavor
      resources:
      - { name: example.com/fpga, nominalQuota: 2 }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: x }
`,
      config,
    );
    assert.equal(bad.config, undefined);
    assert.ok(
      bad.diagnostics.some((item) => item.path.endsWith("resources[0].name")),
      JSON.stringify(bad.diagnostics),
    );
    assert.ok(
      bad.diagnostics.some((item) => item.path === "documents[1].apiVersion"),
      JSON.stringify(bad.diagnostics),
    );
    const cycle = kueueImport(
      `apiVersion: kueue.x-k8s.io/v1alpha1
kind: Cohort
metadata: { name: a }
spec: { parent: b }
---
apiVersion: kueue.x-k8s.io/v1alpha1
kind: Cohort
metadata: { name: b }
spec: { parent: a }
`,
      config,
    );
    assert.equal(cycle.config, undefined);
    assert.ok(
      cycle.diagnostics.some((item) => item.path.startsWith("Cohort a")),
      JSON.stringify(cycle.diagnostics),
    );
  });
});
