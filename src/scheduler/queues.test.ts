import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseQueueConfig, type QueueSetConfig, QuotaTree, type ResourceQuota } from "./queues.ts";

const example = `
version: 1
fairShare: { halfLifeHours: 24 }
cohorts:
  - name: alixan
  - name: education
    parent: alixan
queues:
  - name: pharma
    cohort: alixan
    quota:
      gpu.H200: { nominal: 16, lendingLimit: 8 }
  - name: campus
    tenant: training-campus
    cohort: education
    priorityClass: low
    quota:
      gpu: { nominal: 8, borrowingLimit: 0 }
`;

function config(yaml: string): QueueSetConfig {
  const result = parseQueueConfig(yaml);
  assert.deepEqual(result.diagnostics, []);
  return result.config!;
}

/** Request vector for a tree: GPUs of resource `name`. */
function gpus(tree: QuotaTree, name: string, count: number): Float64Array {
  const request = new Float64Array(tree.resources.length);
  request[tree.resource(name)] = count * 1000;
  return request;
}

describe("queue configuration", () => {
  it("reads cohorts, queues, quotas and defaults", () => {
    const parsed = config(example);
    assert.equal(parsed.fairShareHalfLifeHours, 24);
    assert.equal(parsed.queues[1]!.tenant, "training-campus");
    assert.deepEqual(parsed.queues[0]!.quota["gpu.H200"], { nominal: 16, borrowingLimit: undefined, lendingLimit: 8 });
    assert.equal(parsed.priorityClasses.find((c) => c.name === "critical")?.preempts, true);
  });

  it("names the field and the line of every problem in the file's shape", () => {
    const result = parseQueueConfig(`version: 1
cohorts:
  - name: a
    parent: b
queues:
  - name: q
    cohort: nowhere
    weight: 0
    priorityClass: urgent
    quota:
      gpu.H200: { nominal: lots }
      tpu: { nominal: 1 }
      cpu: { nominal: 4, lendingLimit: 8 }
  - name: q
    prioriyClass: high
`);
    assert.equal(result.config, undefined);
    assert.deepEqual(
      result.diagnostics.map((item) => `${item.line}: ${item.path}: ${item.message}`),
      [
        "8: queues[0].weight: must be greater than 0, got 0",
        '11: queues[0].quota["gpu.H200"].nominal: expected a number, got "lots"',
        '12: queues[0].quota.tpu: expected a resource: gpu, gpu.<MODEL>, cpu or memory, got "tpu"',
        '15: queues[1].prioriyClass: unknown field "prioriyClass" (did you mean "priorityClass"?)',
      ],
    );
  });

  it("then checks the rules between entries, each at its field and line", () => {
    const result = parseQueueConfig(`version: 1
cohorts:
  - name: a
    parent: b
queues:
  - name: q
    cohort: nowhere
    weight: 2
    priorityClass: urgent
    quota:
      gpu.H200: { nominal: 8, lendingLimit: 9 }
      cpu: { nominal: 4, lendingLimit: 8 }
  - name: q
defaultQueue: r
`);
    assert.equal(result.config, undefined);
    assert.deepEqual(
      result.diagnostics.map((item) => `${item.line}: ${item.path}: ${item.message}`),
      [
        '4: cohorts[0].parent: no cohort named "b"',
        '7: queues[0].cohort: no cohort named "nowhere"',
        '9: queues[0].priorityClass: no priority class named "urgent" (known: critical, high, normal, low, best-effort)',
        '11: queues[0].quota["gpu.H200"].lendingLimit: 9 exceeds the nominal quota 8',
        "12: queues[0].quota.cpu.lendingLimit: 8 exceeds the nominal quota 4",
        '13: queues[1].name: duplicate queue "q"',
        '14: defaultQueue: no queue named "r"',
      ],
    );
  });

  it("parses the shipped example for the Alixan campus", () => {
    const text = readFileSync(join(import.meta.dirname, "queues.example.yaml"), "utf8");
    const parsed = config(text);
    assert.deepEqual(
      parsed.queues.map((queue) => queue.tenant),
      ["pharma", "genai-startups", "diagnostics", "hospital-consortium", "training-campus", "training-campus"],
    );
    const tree = new QuotaTree(parsed);
    assert.equal(tree.available(tree.queueIndex("campus-course"), tree.resource("gpu")), 8000);
  });

  it("reports YAML syntax errors with their line", () => {
    const result = parseQueueConfig("queues:\n  - name: [a\n");
    assert.equal(result.config, undefined);
    assert.equal(result.diagnostics[0]!.line, 3);
  });
});

describe("quota tree (Kueue semantics)", () => {
  it("lets a queue borrow what others lend, within the lending limit", () => {
    const tree = new QuotaTree(
      config(`
cohorts: [{ name: root }]
queues:
  - { name: a, cohort: root, quota: { gpu: { nominal: 10, lendingLimit: 4 } } }
  - { name: b, cohort: root, quota: { gpu: { nominal: 10 } } }
`),
    );
    const a = tree.queueIndex("a");
    const b = tree.queueIndex("b");
    // b may use its 10 and borrow a's lendable 4; a keeps 6 guaranteed.
    assert.equal(tree.available(b, 0), 14_000);
    tree.charge(b, gpus(tree, "gpu", 14), 1);
    assert.equal(tree.firstShortfall(b, gpus(tree, "gpu", 1)), 0);
    assert.equal(tree.available(a, 0), 6_000);
    assert.equal(tree.borrowing(b), true);
    assert.match(
      tree.explain(b, 0, gpus(tree, "gpu", 1)),
      /^quota of queue b exhausted \(gpu: 14 in use \+ 1 asked, 0 GPUs available; nominal 10\)$/,
    );
  });

  it("caps borrowing at the borrowing limit, through cohorts of cohorts", () => {
    const tree = new QuotaTree(config(example));
    const campus = tree.queueIndex("campus");
    const pharma = tree.queueIndex("pharma");
    assert.equal(tree.available(campus, tree.resource("gpu")), 8000);
    // `gpu` is governed now: pharma has a nominal 0 of it and nobody lends any.
    assert.equal(tree.available(pharma, tree.resource("gpu")), 8000);
    tree.charge(campus, gpus(tree, "gpu", 8), 1);
    assert.equal(tree.available(campus, tree.resource("gpu")), 0);
  });
});

/** A random cohort tree with random limits, one GPU resource. */
const quotaArbitrary = fc.record({
  cohorts: fc.integer({ min: 1, max: 3 }),
  queues: fc.array(
    fc.record({
      cohort: fc.nat(2),
      nominal: fc.integer({ min: 0, max: 16 }),
      borrowing: fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined }),
      lending: fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  cohortNominal: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 3, maxLength: 3 }),
  operations: fc.array(fc.record({ queue: fc.nat(4), gpus: fc.integer({ min: 1, max: 12 }), release: fc.boolean() }), {
    maxLength: 60,
  }),
});

describe("quota property", () => {
  it("a queue never exceeds its quota plus its allowed borrowing; nothing exceeds what the tree holds", () => {
    fc.assert(
      fc.property(quotaArbitrary, (input) => {
        const cohorts = Array.from({ length: input.cohorts }, (_, index) => ({
          name: `c${index}`,
          parent: index === 0 ? undefined : `c${Math.floor((index - 1) / 2)}`,
          quota: { gpu: { nominal: input.cohortNominal[index]!, borrowingLimit: undefined, lendingLimit: undefined } },
        }));
        const queues = input.queues.map((queue, index) => {
          const quota: ResourceQuota = {
            nominal: queue.nominal,
            borrowingLimit: queue.borrowing,
            lendingLimit: queue.lending === undefined ? undefined : Math.min(queue.lending, queue.nominal),
          };
          return {
            name: `q${index}`,
            tenant: `q${index}`,
            cohort: `c${queue.cohort % input.cohorts}`,
            weight: 1,
            priorityClass: "normal",
            quota: { gpu: quota },
          };
        });
        const tree = new QuotaTree({
          fairShareHalfLifeHours: 1,
          priorityClasses: [{ name: "normal", value: 0, preempts: false }],
          cohorts,
          queues,
          defaultQueue: undefined,
        });
        const admitted: { queue: number; request: Float64Array }[] = [];
        for (const operation of input.operations) {
          if (operation.release && admitted.length > 0) {
            const [done] = admitted.splice(operation.queue % admitted.length, 1);
            tree.charge(done!.queue, done!.request, -1);
          } else {
            const queue = tree.queueIndex(`q${operation.queue % queues.length}`);
            const request = gpus(tree, "gpu", operation.gpus);
            if (tree.firstShortfall(queue, request) < 0) {
              tree.charge(queue, request, 1);
              admitted.push({ queue, request });
            }
          }
          for (let node = 0; node < tree.names.length; node++) {
            const usage = tree.usage[node]!;
            const ceiling = tree.subtreeQuota[node]! + tree.borrowingLimit[node]!;
            assert.ok(usage <= ceiling + 1e-6, `${tree.names[node]} uses ${usage} > ${ceiling}`);
            if (tree.parent[node]! < 0) assert.ok(usage <= tree.subtreeQuota[node]! + 1e-6);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
