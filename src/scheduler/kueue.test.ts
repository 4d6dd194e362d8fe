/**
 * Kueue conformance: admission order across queues and the ClusterQueue `preemption` policies, one scenario per
 * rule (the table in SPEC.md names them). Reference: Kueue's ClusterQueue and preemption documentation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Inventory, inventoryFromOpenbNodes } from "./inventory.ts";
import { type Job, type JobSpec, jobSpec } from "./jobs.ts";
import { parseQueueConfig, type QueueSetConfig } from "./queues.ts";
import { Scheduler } from "./scheduler.ts";

function cluster(count: number): Inventory {
  const rows = Array.from({ length: count }, (_, index) => `n${index},64000,262144,8,A100`);
  return inventoryFromOpenbNodes(`sn,cpu_milli,memory_mib,gpu,model\n${rows.join("\n")}\n`).inventory!;
}

function queues(yaml: string): QueueSetConfig {
  const result = parseQueueConfig(yaml);
  assert.deepEqual(result.diagnostics, []);
  return result.config!;
}

function job(id: string, queue: string, gpus: number, priorityClass = "normal", submitS = 0): JobSpec {
  return jobSpec({ id, queue, submitS, durationS: 1e6, gpus, cpuMilli: 1000, memoryMib: 1024, priorityClass });
}

class Scenario {
  readonly scheduler: Scheduler;
  constructor(nodes: number, yaml: string) {
    this.scheduler = new Scheduler(cluster(nodes), { policy: "alixan", queues: queues(yaml), fullPassIntervalS: 0 });
  }
  /** Submits and runs one cycle at `nowS`, then starts everything admitted. */
  submit(nowS: number, ...specs: JobSpec[]): Job[] {
    const jobs = specs.map((spec) => this.scheduler.submit({ ...spec, submitS: spec.submitS || nowS }, nowS));
    this.scheduler.cycle(nowS);
    for (const candidate of this.scheduler.jobs)
      if (candidate.state === "admitted") this.scheduler.run(candidate, nowS);
    return jobs;
  }
  /** Binds a running job as an executor found it: `gpus` whole GPUs on node `node`, from GPU `first`. */
  adopt(spec: JobSpec, node: number, first: number, nowS: number): Job {
    const gpus = Array.from({ length: spec.gpus }, (_, i) => node * 8 + first + i);
    const adopted = this.scheduler.adopt(spec, [node], gpus, nowS);
    assert.equal(adopted.state, "admitted", adopted.reason);
    this.scheduler.run(adopted, nowS);
    return adopted;
  }
  state(id: string): string {
    return this.scheduler.jobs.find((candidate) => candidate.spec.id === id)!.state;
  }
}

const twoQueues = (a: string, b: string, nominalA = 8, nominalB = 8) => `
cohorts: [{ name: root }]
queues:
  - { name: a, cohort: root, quota: { gpu: { nominal: ${nominalA} } }${a === "" ? "" : `, preemption: ${a}`} }
  - { name: b, cohort: root, quota: { gpu: { nominal: ${nominalB} } }${b === "" ? "" : `, preemption: ${b}`} }
`;

describe("Kueue admission order", () => {
  it("K1: a head within its nominal quota goes before a borrowing head, even of higher priority", () => {
    const scenario = new Scenario(2, twoQueues("", ""));
    // a-1 (high) takes a's nominal 8; a-2 (high) would then borrow; b-1 (normal) is within b's nominal.
    scenario.submit(0, job("a-1", "a", 8, "high"), job("a-2", "a", 8, "high"), job("b-1", "b", 8));
    assert.equal(scenario.state("a-1"), "running");
    assert.equal(scenario.state("b-1"), "running");
    assert.equal(scenario.state("a-2"), "queued");
  });

  it("K1 for arrivals: the same order among jobs that arrive together", () => {
    const scenario = new Scenario(2, twoQueues("", ""));
    scenario.submit(0, job("a-1", "a", 8));
    scenario.submit(10, job("a-2", "a", 8, "high"), job("b-1", "b", 8));
    assert.equal(scenario.state("b-1"), "running");
    assert.equal(scenario.state("a-2"), "queued");
  });

  it("K2: among heads within nominal quota, priority first, then arrival", () => {
    const byPriority = new Scenario(1, twoQueues("", ""));
    byPriority.submit(5, job("a-1", "a", 8, "normal", 1), job("b-1", "b", 8, "high", 2));
    assert.equal(byPriority.state("b-1"), "running");
    assert.equal(byPriority.state("a-1"), "queued");
    const byArrival = new Scenario(1, twoQueues("", ""));
    byArrival.submit(5, job("b-1", "b", 8, "normal", 2), job("a-1", "a", 8, "normal", 1));
    assert.equal(byArrival.state("a-1"), "running");
    assert.equal(byArrival.state("b-1"), "queued");
  });
});

describe("Kueue preemption: withinClusterQueue", () => {
  const oneQueue = (policy: string) => `
queues:
  - { name: q, quota: { gpu: { nominal: 8 } }${policy === "" ? "" : `, preemption: { withinClusterQueue: ${policy} }`} }
`;
  it("K3 Never (the default): a higher-priority job waits; nothing is evicted", () => {
    const scenario = new Scenario(1, oneQueue(""));
    scenario.submit(0, job("low", "q", 8, "low"));
    scenario.submit(10, job("high", "q", 8, "high"));
    assert.equal(scenario.state("high"), "queued");
    assert.equal(scenario.scheduler.counters.preemptions, 0);
  });

  it("K4 LowerPriority: evicts lower priority, never equal priority", () => {
    const scenario = new Scenario(1, oneQueue("LowerPriority"));
    scenario.submit(0, job("low", "q", 8, "low"));
    scenario.submit(10, job("high", "q", 8, "high"));
    assert.equal(scenario.state("high"), "running");
    assert.equal(scenario.state("low"), "queued");
    const equal = new Scenario(1, oneQueue("LowerPriority"));
    equal.scheduler.submit(job("late", "q", 8, "normal", 0), 0);
    equal.adopt(job("running", "q", 8, "normal", 5), 0, 0, 5);
    equal.submit(10);
    assert.equal(equal.state("late"), "queued");
  });

  it("K5 LowerOrNewerEqualPriority: also evicts equal-priority work submitted after the preemptor, not before", () => {
    const scenario = new Scenario(1, oneQueue("LowerOrNewerEqualPriority"));
    scenario.scheduler.submit(job("pending", "q", 4, "normal", 1), 1);
    scenario.adopt(job("older", "q", 4, "normal", 0), 0, 0, 2);
    scenario.adopt(job("newer", "q", 4, "normal", 5), 0, 4, 5);
    scenario.submit(10);
    assert.equal(scenario.state("pending"), "running");
    assert.equal(scenario.state("newer"), "queued");
    assert.equal(scenario.state("older"), "running");
  });
});

describe("Kueue preemption: reclaimWithinCohort", () => {
  // b borrows a's unused nominal (16 GPUs in use for a nominal 8), then a asks for its own 8 back.
  const borrowed = (policy: string, bClass: string) => {
    const scenario = new Scenario(2, twoQueues(policy === "" ? "" : `{ reclaimWithinCohort: ${policy} }`, ""));
    scenario.submit(0, job("b-1", "b", 8, bClass), job("b-2", "b", 8, bClass));
    assert.equal(scenario.state("b-2"), "running");
    scenario.submit(10, job("a-1", "a", 8));
    return scenario;
  };
  it("K6 Never (the default): the lender waits until the borrower ends", () => {
    const scenario = borrowed("", "low");
    assert.equal(scenario.state("a-1"), "queued");
    assert.equal(scenario.scheduler.counters.preemptions, 0);
  });
  it("K7 LowerPriority: reclaims from lower-priority borrowing work only", () => {
    assert.equal(borrowed("LowerPriority", "low").state("a-1"), "running");
    const equal = borrowed("LowerPriority", "normal");
    assert.equal(equal.state("a-1"), "queued");
    assert.equal(equal.scheduler.counters.preemptions, 0);
  });
  it("K8 Any: reclaims whatever the borrower's priority, one victim", () => {
    const scenario = borrowed("Any", "high");
    assert.equal(scenario.state("a-1"), "running");
    assert.equal(scenario.scheduler.counters.preemptions, 1);
  });
});

describe("Kueue preemption: borrowWithinCohort", () => {
  // a (nominal 2) must borrow for a 4-GPU job; b (nominal 14) borrows a's 2 with low-priority work.
  const borrowing = (policy: string) => {
    const scenario = new Scenario(2, twoQueues(policy, "", 2, 14));
    scenario.submit(0, job("b-1", "b", 8, "low"), job("b-2", "b", 8, "low"));
    assert.equal(scenario.state("b-2"), "running");
    scenario.submit(10, job("a-1", "a", 4));
    return scenario;
  };
  it("K9 Never (the default): a job that must borrow preempts nothing", () => {
    assert.equal(borrowing("").state("a-1"), "queued");
  });
  it("K10 LowerPriority: evicts lower-priority work of a borrowing queue", () => {
    const scenario = borrowing("{ borrowWithinCohort: { policy: LowerPriority } }");
    assert.equal(scenario.state("a-1"), "running");
    assert.equal(scenario.scheduler.counters.preemptions, 1);
  });
  it("K11 maxPriorityThreshold: only work at or below the threshold", () => {
    const below = borrowing("{ borrowWithinCohort: { policy: LowerPriority, maxPriorityThreshold: 10 } }");
    assert.equal(below.state("a-1"), "running");
    const above = borrowing("{ borrowWithinCohort: { policy: LowerPriority, maxPriorityThreshold: 5 } }");
    assert.equal(above.state("a-1"), "queued");
  });
});

describe("Kueue: work within nominal quota is never preempted by another queue", () => {
  it("K12 a preempting class evicts its own queue's lower work, not another queue's within nominal", () => {
    const yaml = twoQueues("{ reclaimWithinCohort: Any, borrowWithinCohort: { policy: LowerPriority } }", "");
    const scenario = new Scenario(2, yaml);
    scenario.submit(0, job("a-normal", "a", 8), job("b-low", "b", 8, "low"));
    scenario.submit(10, job("a-critical", "a", 8, "critical"));
    assert.equal(scenario.state("a-critical"), "running");
    assert.equal(scenario.state("a-normal"), "queued");
    assert.equal(scenario.state("b-low"), "running");
  });
  it("K12 once that queue borrows, its lower-priority work may go", () => {
    const yaml = twoQueues("{ borrowWithinCohort: { policy: LowerPriority } }", "", 8, 4);
    const scenario = new Scenario(2, yaml);
    scenario.submit(0, job("b-low", "b", 8, "low"), job("a-high", "a", 8, "high"));
    scenario.submit(10, job("a-more", "a", 4, "high"));
    // a is at its nominal 8 and must borrow 4; b uses 8 for a nominal 4: it is borrowing.
    assert.equal(scenario.state("a-more"), "running");
    assert.equal(scenario.state("b-low"), "queued");
  });
});

describe("queue preemption configuration", () => {
  it("fills Kueue's defaults and names the field of a bad value with the allowed ones", () => {
    const ok = parseQueueConfig(
      "queues:\n  - name: a\n    preemption: { borrowWithinCohort: { policy: LowerPriority } }\n",
    );
    assert.deepEqual(ok.config?.queues[0]?.preemption, {
      withinClusterQueue: "Never",
      reclaimWithinCohort: "Never",
      borrowWithinCohort: { policy: "LowerPriority", maxPriorityThreshold: undefined },
    });
    const bad = parseQueueConfig(
      "queues:\n  - name: a\n    preemption:\n      withinClusterQueue: Sometimes\n      reclaim: Any\n      borrowWithinCohort: { maxPriorityThreshold: 1.5 }\n",
    );
    assert.equal(bad.config, undefined);
    assert.deepEqual(
      bad.diagnostics.map((item) => [item.path, item.message, item.line]),
      [
        [
          "queues[0].preemption.withinClusterQueue",
          'must be one of: Never, LowerPriority, LowerOrNewerEqualPriority; got "Sometimes"',
          4,
        ],
        [
          "queues[0].preemption.reclaim",
          'unknown field "reclaim" (expected one of withinClusterQueue, reclaimWithinCohort, borrowWithinCohort)',
          5,
        ],
        ["queues[0].preemption.borrowWithinCohort.maxPriorityThreshold", "expected a whole number, got 1.5", 6],
      ],
    );
  });

  it("bounds priorities to Kueue's 32 bits, quotas to a billion, names and new-tenant kinds", () => {
    const bad = parseQueueConfig(
      [
        "priorityClasses: [{ name: top, value: 9007199254740993 }]",
        "queues:",
        "  - name: a",
        "    weight: 1.0e300",
        "    quota: { gpu: { nominal: 1.0e308 } }",
        "    preemption: { borrowWithinCohort: { policy: LowerPriority, maxPriorityThreshold: 2147483648 } }",
        `  - name: ${"q".repeat(101)}`,
        "newTenants: [{ kinds: [pharma, pharma] }]",
      ].join("\n"),
    );
    assert.equal(bad.config, undefined);
    assert.deepEqual(bad.diagnostics.map((item) => item.path).sort(), [
      "newTenants[0].kinds",
      "priorityClasses[0].value",
      "queues[0].preemption.borrowWithinCohort.maxPriorityThreshold",
      "queues[0].quota.gpu.nominal",
      "queues[0].weight",
      "queues[1].name",
    ]);
    const edge = parseQueueConfig(
      "queues:\n  - name: a\n    preemption: { borrowWithinCohort: { policy: LowerPriority, maxPriorityThreshold: -2147483648 } }\n",
    );
    assert.deepEqual(edge.diagnostics, []);
  });
});
