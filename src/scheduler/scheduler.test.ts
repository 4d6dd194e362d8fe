import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import type { AdmissionCheck, Drain } from "./checks.ts";
import { type Inventory, inventoryFromOpenbNodes, inventoryFromSite } from "./inventory.ts";
import { type JobSpec, jobSpec } from "./jobs.ts";
import { parseQueueConfig, type QueueSetConfig } from "./queues.ts";
import { replay } from "./replay.ts";
import { type PolicyName, Scheduler } from "./scheduler.ts";
import { queueConfigForJobs, standardChecks } from "./setup.ts";

const lab = inventoryFromSite(loadSite("lab").site!);

/** A flat cluster of `count` identical nodes with `gpus` GPUs each. */
function cluster(count: number, gpus: number, model = "A100"): Inventory {
  const rows = Array.from({ length: count }, (_, index) => `n${index},64000,262144,${gpus},${model}`);
  return inventoryFromOpenbNodes(`sn,cpu_milli,memory_mib,gpu,model\n${rows.join("\n")}\n`).inventory!;
}

function queues(yaml: string): QueueSetConfig {
  const result = parseQueueConfig(yaml);
  assert.deepEqual(result.diagnostics, []);
  return result.config!;
}

function scheduler(
  inventory: Inventory,
  policy: PolicyName,
  jobs: readonly JobSpec[],
  options: { queues?: QueueSetConfig; checks?: readonly AdmissionCheck[] } = {},
): Scheduler {
  let checks = options.checks;
  if (checks === undefined) {
    const standard = standardChecks(inventory);
    assert.ok(typeof standard !== "string");
    checks = standard;
  }
  return new Scheduler(inventory, {
    policy,
    queues: options.queues ?? queueConfigForJobs(jobs),
    checks,
    fullPassIntervalS: 0,
  });
}

function job(fields: Partial<JobSpec> & { id: string }): JobSpec {
  return jobSpec({ queue: "q", submitS: 0, durationS: 100, cpuMilli: 1000, memoryMib: 1024, ...fields });
}

function byId(instance: Scheduler, id: string) {
  const found = instance.jobs.find((candidate) => candidate.spec.id === id);
  assert.ok(found, `job ${id}`);
  return found;
}

describe("job lifecycle", () => {
  it("goes queued → admitted → running → succeeded, with its times", () => {
    const jobs = [job({ id: "a", gpus: 2, submitS: 5, durationS: 50 })];
    const instance = scheduler(cluster(1, 8), "alixan", jobs);
    const states: string[] = [];
    instance.listener = { admitted: (admitted) => states.push(admitted.state) };
    const submitted = instance.submit(jobs[0]!, 5);
    states.push(submitted.state);
    instance.cycle(5);
    instance.run(submitted, 5);
    states.push(submitted.state);
    instance.finish(submitted, 55, "succeeded");
    states.push(submitted.state);
    assert.deepEqual(states, ["queued", "admitted", "running", "succeeded"]);
    assert.deepEqual([submitted.firstStartS, submitted.endS], [5, 55]);
    assert.equal(instance.state.allocatedGpuMilli, 0);
  });

  it("rejects at submission what can never run, saying why", () => {
    const jobs = [
      job({ id: "too-big", gpus: 16 }),
      job({ id: "no-model", gpus: 1, gpuModels: ["H100"] }),
      job({ id: "health", gpus: 1, dataClass: "health" }),
      job({ id: "rack", gpus: 1, members: 2, topology: { scope: "rack", required: true } }),
      job({ id: "queue", gpus: 1, queue: "nobody" }),
    ];
    const instance = scheduler(cluster(2, 8), "alixan", jobs, { queues: queueConfigForJobs([jobs[0]!]) });
    for (const spec of jobs) instance.submit(spec, 0);
    assert.deepEqual(
      instance.jobs.map((rejected) => [rejected.state, rejected.reason]),
      [
        ["failed", "rejected: one member (16 A100 GPUs, 1 cores, 1 GiB) fits on no node it may use"],
        ["failed", "rejected: GPU models H100 not in openb 2 nodes (it has A100)"],
        ["failed", "rejected: health data requires a certified zone; openb 2 nodes has none"],
        ["failed", "rejected: topology scope rack required but openb 2 nodes does not model it"],
        ["failed", 'rejected: no queue named "nobody" (configured: q)'],
      ],
    );
  });
});

describe("waiting reasons", () => {
  it("says when a queue's quota is exhausted", () => {
    const config = queues(`
queues:
  - { name: campus, quota: { gpu: { nominal: 8, borrowingLimit: 0 } } }
`);
    const jobs = [job({ id: "a", queue: "campus", gpus: 8 }), job({ id: "b", queue: "campus", gpus: 1 })];
    const instance = scheduler(cluster(2, 8), "alixan", jobs, { queues: config });
    for (const spec of jobs) instance.submit(spec, 0);
    instance.cycle(0);
    assert.equal(byId(instance, "a").state, "admitted");
    assert.equal(
      byId(instance, "b").reason,
      "quota of queue campus exhausted (gpu: 8 in use + 1 asked, 0 GPUs available; nominal 8 + 0 borrowing limit)",
    );
  });

  it("says when health data waits for the certified zone", () => {
    // The lab's certified suite has 6 HGX racks: 24 servers of 8 H200 GPUs.
    const jobs = [
      ...Array.from({ length: 24 }, (_, index) => job({ id: `fill-${index}`, gpus: 8, dataClass: "health" })),
      job({ id: "late", gpus: 8, dataClass: "health" }),
    ];
    const instance = scheduler(lab, "alixan", jobs);
    for (const spec of jobs) instance.submit(spec, 0);
    instance.cycle(0);
    assert.equal(byId(instance, "late").state, "queued");
    assert.equal(
      byId(instance, "late").reason,
      "health data requires zone zone:hds: no room for 8 H200 GPUs, 1 cores, 1 GiB",
    );
  });

  it("says when a CDU group's cooling headroom is too low", () => {
    // Row h1-r01 holds the 4 NVL72 racks; capped at 100 kW of heat it cannot take a whole NVL72 rack's 119 kW.
    const checks = standardChecks(lab, { derates: { coolingCapKw: { "tcs:h1-r01": 100 } } });
    assert.ok(typeof checks !== "string");
    const jobs = [
      job({ id: "big", gpus: 4, members: 18, gpuModels: ["GB300"], topology: { scope: "nvlink", required: true } }),
    ];
    const instance = scheduler(lab, "alixan", jobs, { checks });
    instance.submit(jobs[0]!, 0);
    instance.cycle(0);
    assert.equal(byId(instance, "big").state, "queued");
    assert.equal(
      byId(instance, "big").reason,
      "cooling headroom of cdu group tcs:h1-r01 is 100 kW, below the 118.8 kW this 18-member job needs",
    );
  });

  it("says which row is drained", () => {
    const checks = standardChecks(lab, {
      drains: [{ target: "row:h1-r01", fromS: 0, untilS: 1000, reason: "leak on cdu:h1-r01-01" }],
    });
    assert.ok(typeof checks !== "string");
    const jobs = [job({ id: "big", gpus: 4, gpuModels: ["GB300"] })];
    const instance = scheduler(lab, "alixan", jobs, { checks });
    instance.submit(jobs[0]!, 0);
    instance.cycle(0);
    assert.equal(byId(instance, "big").reason, "row:h1-r01 drained for maintenance (leak on cdu:h1-r01-01)");
    instance.cycle(1000);
    assert.equal(byId(instance, "big").state, "admitted");
  });
});

describe("live drains", () => {
  it("follows a drain feed: a CDU's row takes no new work, the reason names the drain, lifting it lets work in", () => {
    const feed: { version: number; drains: Drain[] } = { version: 0, drains: [] };
    const checks = standardChecks(lab, { drainFeed: feed });
    assert.ok(typeof checks !== "string");
    // Row h1-r01 holds the only GB300 racks: drained, a GB300 job has nowhere to go.
    const jobs = [
      job({ id: "first", gpus: 4, gpuModels: ["GB300"] }),
      job({ id: "second", gpus: 4, gpuModels: ["GB300"] }),
    ];
    const instance = scheduler(lab, "alixan", jobs, { checks });
    instance.submit(jobs[0]!, 0);
    instance.cycle(0);
    assert.equal(byId(instance, "first").state, "admitted");
    feed.drains = [{ id: "drn_1", target: "cdu:h1-r01-02", reason: "pump swap", fromS: -Infinity, untilS: Infinity }];
    feed.version++;
    instance.submit(jobs[1]!, 1);
    instance.cycle(1);
    assert.equal(byId(instance, "second").state, "queued");
    assert.equal(
      byId(instance, "second").reason,
      "row:h1-r01 drained for maintenance: drain drn_1 of cdu:h1-r01-02 (pump swap)",
    );
    // Work already there stays; a run found there (after a restart) is bound where it runs: not a new placement.
    assert.equal(byId(instance, "first").state, "admitted");
    const rackLevel = lab.levels[lab.facility!.rackLevel]!;
    const node = rackLevel.childStart[4]! - 1;
    assert.equal(
      lab.levels[lab.facility!.rowLevel]!.groupId(lab.levels[lab.facility!.rowLevel]!.groupOfNode[node]!),
      "row:h1-r01",
    );
    const gpu = lab.nodeGpuStart[node]!;
    const found = instance.adopt(
      job({ id: "found", gpus: 4, gpuModels: ["GB300"] }),
      [node],
      [gpu, gpu + 1, gpu + 2, gpu + 3],
      1,
    );
    assert.equal(found.state, "admitted", found.reason);
    feed.drains = [];
    feed.version++;
    instance.cycle(2);
    assert.equal(byId(instance, "second").state, "admitted");
  });

  it("ignores live drains whose target the site does not have", () => {
    const feed = {
      version: 1,
      drains: [{ id: "drn_2", target: "row:h9-r01", reason: "", fromS: -Infinity, untilS: Infinity }],
    };
    const checks = standardChecks(lab, { drainFeed: feed });
    assert.ok(typeof checks !== "string");
    const jobs = [job({ id: "a", gpus: 4, gpuModels: ["GB300"] })];
    const instance = scheduler(lab, "alixan", jobs, { checks });
    instance.submit(jobs[0]!, 0);
    instance.cycle(0);
    assert.equal(byId(instance, "a").state, "admitted");
  });
});

describe("check configuration", () => {
  it("refuses drains and derates that name nothing on the site", () => {
    assert.equal(
      standardChecks(lab, { drains: [{ target: "row:h9-r01", fromS: 0, untilS: 1, reason: "" }] }),
      "drain target row:h9-r01 names no hall, row, rack, CDU or busway of site lab",
    );
    assert.equal(
      standardChecks(lab, { derates: { cdusOutOfService: { "tcs:h9-r01": 1 } } }),
      "derates name no rack, row, technology loop or hall of lab: tcs:h9-r01",
    );
  });
});

describe("topology", () => {
  it("places an NVL72 gang in one NVLink domain", () => {
    const jobs = [
      job({ id: "small", gpus: 4, gpuModels: ["GB300"] }),
      job({ id: "domain", gpus: 4, members: 18, gpuModels: ["GB300"], topology: { scope: "nvlink", required: true } }),
    ];
    const instance = scheduler(lab, "alixan", jobs);
    for (const spec of jobs) instance.submit(spec, 0);
    instance.cycle(0);
    const domain = byId(instance, "domain");
    assert.equal(domain.state, "admitted");
    const domains = new Set(Array.from(domain.nodes, (node) => lab.nodeDomain[node]));
    assert.equal(domains.size, 1);
    // The small job took a tray of another rack: the gang's rack was whole.
    assert.notEqual(lab.nodeDomain[byId(instance, "small").nodes[0]!], [...domains][0]);
  });
});

describe("policies", () => {
  it("EASY backfill: a short job may pass the reserved head, a long one may not", () => {
    // Two 8-GPU nodes; `running` holds one until 100; `head` needs both; `short` ends before 100, `long` does not.
    const jobs = [
      job({ id: "running", gpus: 8, durationS: 100 }),
      job({ id: "head", gpus: 8, members: 2, submitS: 1, durationS: 100 }),
      job({ id: "short", gpus: 8, submitS: 2, durationS: 50 }),
      job({ id: "long", gpus: 8, submitS: 2, durationS: 500 }),
    ];
    const instance = scheduler(cluster(2, 8), "alixan", jobs);
    const result = replay(instance, jobs);
    const start = (id: string) => result.jobs.find((candidate) => candidate.spec.id === id)!.firstStartS;
    assert.equal(start("short"), 2);
    assert.equal(start("head"), 100);
    assert.equal(start("long"), 200);
  });

  it("a run adopted after a restart keeps its expected end from its start, not from its adoption", () => {
    // `running` started at 950 and was adopted at 1000 (a restart): it is expected to end at 1050. `head` needs both
    // nodes and reserves from then; `medium` (80 s) would end at 1080 and may not pass it.
    const jobs = [
      job({ id: "running", gpus: 8, durationS: 100 }),
      job({ id: "head", gpus: 8, members: 2, submitS: 1000 }),
      job({ id: "medium", gpus: 8, submitS: 1000, durationS: 80 }),
    ];
    const inventory = cluster(2, 8);
    const instance = scheduler(inventory, "alixan", jobs);
    const gpus = Array.from({ length: 8 }, (_, index) => inventory.nodeGpuStart[0]! + index);
    const running = instance.adopt(jobs[0]!, [0], gpus, 1000);
    instance.run(running, 1000);
    assert.equal(instance.expectedEndS(running), 1100);
    instance.backdateStart(running, 950);
    assert.equal(running.startS, 950);
    assert.equal(instance.expectedEndS(running), 1050);
    instance.submit(jobs[1]!, 1000);
    instance.submit(jobs[2]!, 1000);
    instance.cycle(1000);
    assert.equal(byId(instance, "medium").state, "queued");
    assert.equal(byId(instance, "medium").reason, "backfill would delay job head, which has a reservation from 1050 s");
  });

  it("first-fit without a reservation lets the long job starve the head", () => {
    const jobs = [
      job({ id: "running", gpus: 8, durationS: 100 }),
      job({ id: "head", gpus: 8, members: 2, submitS: 1, durationS: 100 }),
      job({ id: "long", gpus: 8, submitS: 2, durationS: 500 }),
    ];
    const result = replay(scheduler(cluster(2, 8), "first-fit", jobs), jobs);
    assert.equal(result.jobs.find((candidate) => candidate.spec.id === "head")!.firstStartS, 502);
  });

  it("FIFO: everyone waits behind a blocked head", () => {
    const jobs = [
      job({ id: "running", gpus: 8, durationS: 100 }),
      job({ id: "head", gpus: 8, members: 2, submitS: 1 }),
      job({ id: "small", gpus: 1, submitS: 2 }),
    ];
    const instance = scheduler(cluster(2, 8), "fifo", jobs);
    for (const spec of jobs) instance.submit(spec, spec.submitS);
    instance.cycle(2);
    assert.equal(byId(instance, "small").state, "queued");
    assert.equal(byId(instance, "small").reason, "waiting behind job head (first come, first served)");
  });
});

describe("preemption", () => {
  const config = queues(`
cohorts: [{ name: root }]
queues:
  - { name: a, cohort: root, quota: { gpu: { nominal: 8 } }, preemption: { reclaimWithinCohort: Any } }
  - { name: b, cohort: root, quota: { gpu: { nominal: 8 } }, preemption: { reclaimWithinCohort: Any } }
`);

  it("reclaims lent quota from a borrower with the fewest and smallest victims", () => {
    const jobs = [
      job({ id: "b-1", queue: "b", gpus: 8, durationS: 1000 }),
      job({ id: "b-2", queue: "b", gpus: 4, durationS: 1000 }),
      job({ id: "b-3", queue: "b", gpus: 4, durationS: 1000 }),
      job({ id: "a-1", queue: "a", gpus: 4, submitS: 10, durationS: 10 }),
    ];
    const instance = scheduler(cluster(2, 8), "alixan", jobs, { queues: config });
    for (const spec of jobs.slice(0, 3)) instance.submit(spec, 0);
    instance.cycle(0);
    const borrower = instance.submit(jobs[3]!, 10);
    instance.cycle(10);
    assert.equal(borrower.state, "admitted");
    const evicted = instance.jobs.filter((candidate) => candidate.preemptions > 0);
    assert.deepEqual(
      evicted.map((victim) => [victim.spec.id, victim.state, victim.reason]),
      [["b-2", "queued", "preempted by job a-1 (a, priority 100)"]],
    );
    assert.equal(instance.counters.preemptions, 1);
  });

  it("lets a critical job evict lower-priority work when the cluster is full", () => {
    const jobs = [
      job({ id: "low", gpus: 8, durationS: 1000, priorityClass: "low" }),
      job({ id: "normal", gpus: 8, durationS: 1000 }),
      job({ id: "urgent", gpus: 8, submitS: 5, durationS: 10, priorityClass: "critical" }),
    ];
    const result = replay(scheduler(cluster(2, 8), "alixan", jobs), jobs);
    const find = (id: string) => result.jobs.find((candidate) => candidate.spec.id === id)!;
    assert.equal(find("urgent").firstStartS, 5);
    assert.equal(find("low").preemptions, 1);
    assert.equal(find("normal").preemptions, 0);
    assert.equal(find("low").state, "succeeded");
  });

  it("never preempts under the baselines", () => {
    const jobs = [
      job({ id: "low", gpus: 8, durationS: 1000, priorityClass: "low" }),
      job({ id: "urgent", gpus: 8, submitS: 5, durationS: 10, priorityClass: "critical" }),
    ];
    const result = replay(scheduler(cluster(1, 8), "first-fit", jobs), jobs);
    assert.equal(result.scheduler.counters.preemptions, 0);
  });
});

describe("carbon-aware deferral", () => {
  it("waits for the lowest-carbon window that still meets the deadline", () => {
    const values = Float64Array.from({ length: 48 }, (_, hour) => (hour >= 5 && hour < 8 ? 50 : 300));
    const checks = standardChecks(cluster(1, 8), {
      signal: { name: "carbon intensity", unit: "gCO2/kWh", startS: 0, values },
    });
    assert.ok(typeof checks !== "string");
    const jobs = [
      job({ id: "student", gpus: 1, durationS: 3600, deferrable: true, deadlineS: 12 * 3600 }),
      job({ id: "urgent", gpus: 1, durationS: 3600, deferrable: true, deadlineS: 3600 }),
    ];
    const instance = scheduler(cluster(1, 8), "alixan", jobs, { checks });
    const result = replay(instance, jobs);
    const find = (id: string) => result.jobs.find((candidate) => candidate.spec.id === id)!;
    assert.equal(find("student").firstStartS, 5 * 3600);
    assert.equal(find("urgent").firstStartS, 0);
  });
});

describe("fair share", () => {
  it("serves the queue with the smaller dominant share first at equal priority", () => {
    const jobs = [
      job({ id: "heavy-1", queue: "heavy", gpus: 8, durationS: 100 }),
      job({ id: "heavy-2", queue: "heavy", gpus: 8, submitS: 1, durationS: 100 }),
      job({ id: "light-1", queue: "light", gpus: 8, submitS: 2, durationS: 100 }),
    ];
    const result = replay(scheduler(cluster(1, 8), "alixan", jobs), jobs);
    const find = (id: string) => result.jobs.find((candidate) => candidate.spec.id === id)!;
    // heavy-2 arrived first, but heavy has used the cluster: light goes next.
    assert.equal(find("light-1").firstStartS, 100);
    assert.equal(find("heavy-2").firstStartS, 200);
  });
});
