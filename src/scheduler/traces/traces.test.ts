import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { guessTraceFormat } from "./index.ts";
import { readJsonJobs, writeJsonJobs } from "./json.ts";
import { readOpenbPods } from "./openb.ts";
import { readSwf } from "./swf.ts";

const openbHeader =
  "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time";

describe("openb pod reader", () => {
  it("maps timing, GPU shares, model constraints, QoS and phases", () => {
    const text = [
      openbHeader,
      "p0,12000,16384,1,460,,LS,Running,10,110,20",
      "p1,88000,327680,8,1000,V100M16|V100M32,BE,Failed,30,530,30",
      "p2,4000,8192,0,0,nan,Burstable,Pending,40,100,",
    ].join("\n");
    const result = readOpenbPods(text);
    assert.deepEqual(result.diagnostics, []);
    const [share, gang, pending] = result.jobs as [
      (typeof result.jobs)[0],
      (typeof result.jobs)[0],
      (typeof result.jobs)[0],
    ];
    assert.deepEqual(
      [share.submitS, share.durationS, share.gpus, share.gpuMilli, share.priorityClass],
      [10, 90, 1, 460, "high"],
    );
    assert.deepEqual(
      [gang.gpuModels, gang.outcome, gang.priorityClass],
      [["V100M16", "V100M32"], "failed", "best-effort"],
    );
    // Never scheduled in the trace: lasts creation → deletion, withdrawn at deletion if still waiting.
    assert.deepEqual([pending.durationS, pending.cancelAtS, pending.gpus], [60, 100, 0]);
  });

  it("reports malformed rows with their line numbers and keeps the rest", () => {
    const text = [
      openbHeader,
      "ok,1000,1024,1,500,,LS,Running,0,10,0",
      "bad-gpu,1000,1024,2,500,,LS,Running,0,10,0",
      "bad-time,1000,1024,1,500,,LS,Running,50,10,50",
      "short,1000",
      "bad-number,x,1024,1,500,,LS,Running,0,10,0",
    ].join("\n");
    const result = readOpenbPods(text, "pods.csv");
    assert.equal(result.jobs.length, 1);
    assert.deepEqual(
      result.diagnostics.map((item) => item.line),
      [3, 4, 5, 6],
    );
    assert.match(result.diagnostics[0]!.message, /^pods.csv:3: gpu_milli: multi-GPU pods take whole GPUs/);
    assert.match(result.diagnostics[1]!.message, /deletion_time 10 is before creation_time 50; row skipped$/);
    assert.match(result.diagnostics[2]!.message, /2 fields where the header has 11/);
  });

  it("treats a pod list without timing columns as arrivals at 0 that never end", () => {
    const result = readOpenbPods("name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1000,1024,1,1000\n");
    assert.equal(result.jobs[0]!.submitS, 0);
    assert.equal(result.jobs[0]!.durationS, Number.POSITIVE_INFINITY);
  });

  it("skips a pod whose name is already used, naming the first line", () => {
    const rows = ["name,cpu_milli,memory_mib,num_gpu,gpu_milli", "p,1000,1024,1,1000", "q,1,1,0,0", "p,2000,1024,0,0"];
    const result = readOpenbPods(rows.join("\n"), "pods.csv");
    assert.deepEqual(
      result.jobs.map((job) => [job.id, job.cpuMilli]),
      [
        ["p", 1000],
        ["q", 1],
      ],
    );
    assert.deepEqual(
      result.diagnostics.map((item) => item.message),
      ["pods.csv:4: name p is already used at line 2; row skipped"],
    );
  });

  it("reads CR-only line breaks like LF, and refuses a hexadecimal count", () => {
    const rows = ["name,cpu_milli,memory_mib,num_gpu,gpu_milli", "p,1000,1024,1,1000", "q,2000,1024,0,0"];
    assert.deepEqual(
      readOpenbPods(rows.join("\r"), "cr.csv").jobs.map((job) => job.id),
      ["p", "q"],
    );
    const hex = readOpenbPods(`${rows[0]}\np,0x10,1024,1,1000\n`, "hex.csv");
    assert.equal(hex.jobs.length, 0);
    assert.match(hex.diagnostics[0]!.message, /^hex\.csv:2: cpu_milli: expected an integer from 0 to \d+, got "0x10"/);
  });
});

describe("SWF reader", () => {
  // Four jobs in the Standard Workload Format, written for this test.
  const sample = [
    "; Version: 2.2",
    "; Computer: test cluster",
    "; MaxProcs: 64",
    "1   0    5  3600  8  -1 -1  8  7200 -1 1 3 1 -1 1 -1 -1 -1",
    "2   60   0  1200  4  -1 -1 -1    -1 -1 0 4 -1 -1 1 -1 -1 -1",
    "3   120  0  600  12  -1 -1 12   900 -1 1 3 1 -1 1 -1 -1 -1",
    "4   180  0  -1    8  -1 -1  8  7200 -1 5 3 1 -1 1 -1 -1 -1",
    "5   x    0  100   8  -1 -1  8  7200 -1 1 3 1 -1 1 -1 -1 -1",
    "6   200  0  100",
  ].join("\n");

  it("reads processors as GPUs in members of at most 8, with announced times as expectations", () => {
    const result = readSwf(sample, "sample.swf");
    assert.equal(result.jobs.length, 3);
    const [first, second, third] = result.jobs as [
      (typeof result.jobs)[0],
      (typeof result.jobs)[0],
      (typeof result.jobs)[0],
    ];
    assert.deepEqual(
      [first.id, first.queue, first.submitS, first.durationS, first.expectedDurationS, first.members, first.gpus],
      ["swf-1", "group-1", 0, 3600, 7200, 1, 8],
    );
    assert.deepEqual(
      [second.queue, second.outcome, second.gpus, second.expectedDurationS],
      ["user-4", "failed", 4, 1200],
    );
    assert.deepEqual([third.members, third.gpus], [2, 6]);
    assert.deepEqual(
      result.diagnostics.map((item) => item.message),
      [
        "sample.swf:7: run time -1 is unknown or negative; line skipped",
        'sample.swf:8: field 2 is not a number ("x"); line skipped',
        "sample.swf:9: 4 fields where SWF has 18; line skipped",
      ],
    );
    // CR-only line breaks (old Mac tools) give the same jobs and the same line numbers.
    const carriageReturns = readSwf(sample.replaceAll("\n", "\r"), "sample.swf");
    assert.deepEqual(carriageReturns, result);
  });

  it("can read processors as cores instead", () => {
    const result = readSwf(sample, "sample.swf", { unit: "core", coresPerMember: 8 });
    assert.deepEqual([result.jobs[2]!.members, result.jobs[2]!.cpuMilli, result.jobs[2]!.gpus], [2, 6000, 0]);
  });
});

describe("alixan JSON job reader", () => {
  it("reads jobs with defaults and round-trips through the writer", () => {
    const text = JSON.stringify({
      version: 1,
      jobs: [
        {
          id: "train",
          queue: "genai",
          submitS: 0,
          durationS: 3600,
          members: 18,
          gpus: 4,
          gpuModels: "GB300",
          topology: { scope: "nvlink", required: true },
        },
        {
          queue: "diagnostics",
          submitS: 5,
          durationS: 60,
          gpus: 1,
          dataClass: "health",
          deferrable: true,
          deadlineS: 86400,
        },
      ],
    });
    const result = readJsonJobs(text);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.jobs[1]!.id, "job-2");
    assert.equal(result.jobs[1]!.gpuMilli, 1000);
    assert.deepEqual(result.jobs[0]!.topology, { scope: "nvlink", required: true });
    assert.deepEqual(readJsonJobs(writeJsonJobs(result.jobs)).jobs, result.jobs);
  });

  it("names the job, the field and the line of each problem and skips that job", () => {
    const text = `{
  "version": 1,
  "jobs": [
    { "queue": "a", "submitS": 0, "durationS": 10 },
    { "queue": "a", "submitS": 0, "durationS": 10, "gpu": 2 },
    { "queue": "a", "submitS": 0, "durationS": 10, "gpus": 2, "gpuMilli": 500 },
    { "queue": "a", "submitS": 0, "durationS": 10, "dataClass": "secret", "topology": "pod" }
  ]
}`;
    const result = readJsonJobs(text, "jobs.json");
    assert.equal(result.jobs.length, 1);
    assert.deepEqual(
      result.diagnostics.map((item) => item.message),
      [
        'jobs.json:5: jobs[1].gpu: unknown field (did you mean "gpus"?); job skipped',
        "jobs.json:6: jobs[2].gpuMilli: a share of a GPU (500) needs gpus 1, got 2; job skipped",
        'jobs.json:7: jobs[3].topology: scope must be one of: nvlink, rack, row, block, hall; got "pod"; ' +
          'jobs[3].dataClass: must be one of: public, confidential, health; got "secret"; job skipped',
      ],
    );
  });

  it("rejects text that is not JSON", () => {
    const result = readJsonJobs("{ jobs: [", "jobs.json");
    assert.equal(result.rejected, true);
    assert.match(result.diagnostics[0]!.message, /^jobs.json: not JSON/);
  });

  it("guesses formats from file names", () => {
    assert.deepEqual(["a.swf", "b.json", "c.csv", "d.txt"].map(guessTraceFormat), ["swf", "json", "openb", undefined]);
  });
});
