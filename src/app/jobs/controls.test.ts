/** Array expressions, dependency verdicts and the job controls' admission gate (holds, dependencies, %N). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Job, jobSpec } from "../../scheduler/jobs.ts";
import { formatArray, maxArrayTasks, parseArray } from "./arrays.ts";
import { JobControls } from "./controls.ts";
import { judge, parseDependencyOption, singleTarget } from "./dependencies.ts";

const jobOf = (id: string) => new Job(0, jobSpec({ id, queue: "q", submitS: 0, durationS: 60 }));

describe("job arrays", () => {
  it("expands Slurm's syntax: ranges, lists, steps and %N", () => {
    const a = parseArray("0-99%10");
    assert.ok(typeof a !== "string");
    assert.equal(a.indexes.length, 100);
    assert.equal(a.maxRunning, 10);
    const b = parseArray("0-15:4");
    assert.ok(typeof b !== "string");
    assert.deepEqual(b.indexes, [0, 4, 8, 12]);
    const c = parseArray("1,3,5-7,3");
    assert.ok(typeof c !== "string");
    assert.deepEqual(c.indexes, [1, 3, 5, 6, 7]);
    assert.equal(formatArray(c), "1,3,5-7");
    assert.equal(formatArray({ indexes: [0, 1, 2], maxRunning: 2 }), "0-2%2");
  });

  it("refuses bad and huge expressions without expanding them", () => {
    for (const bad of ["", "5-1", "0-10:0", "a-b", "1,,2", "0-9%0", "0-9%1%2", "0-9%x", "-3"])
      assert.equal(typeof parseArray(bad), "string", bad);
    assert.match(parseArray("0-4000000") as string, /go up to/);
    assert.match(parseArray(`0-${maxArrayTasks}`) as string, /more than 10000 tasks/);
    assert.match(parseArray("0-5000,10000-15000") as string, /more than/);
    assert.equal(typeof parseArray(`0-${maxArrayTasks - 1}`), "object");
  });
});

describe("dependencies", () => {
  it("judges afterok, afterany and afternotok as Slurm does", () => {
    const ok = { kind: "afterok", jobId: "a" } as const;
    const any = { kind: "afterany", jobId: "a" } as const;
    const notok = { kind: "afternotok", jobId: "a" } as const;
    assert.equal(judge(ok, singleTarget("running")).kind, "open");
    assert.equal(judge(ok, singleTarget("succeeded")).kind, "met");
    assert.equal(judge(ok, singleTarget("failed")).kind, "never");
    assert.equal(judge(any, singleTarget("cancelled")).kind, "met");
    assert.equal(judge(any, singleTarget("queued")).kind, "open");
    assert.equal(judge(notok, singleTarget("failed")).kind, "met");
    assert.equal(judge(notok, singleTarget("succeeded")).kind, "never");
    // An array: afterok needs every task to succeed, and fails as soon as one does not.
    assert.equal(judge(ok, { total: 3, succeeded: 2, unsuccessful: 0 }).kind, "open");
    assert.equal(judge(ok, { total: 3, succeeded: 1, unsuccessful: 1 }).kind, "never");
    assert.equal(judge(notok, { total: 3, succeeded: 2, unsuccessful: 1 }).kind, "met");
  });

  it("parses the --dependency option", () => {
    assert.deepEqual(parseDependencyOption("afterok:a:b,afterany:c"), [
      { kind: "afterok", jobId: "a" },
      { kind: "afterok", jobId: "b" },
      { kind: "afterany", jobId: "c" },
    ]);
    assert.equal(typeof parseDependencyOption("after:a"), "string");
    assert.equal(typeof parseDependencyOption("afterok"), "string");
    assert.equal(typeof parseDependencyOption("afterok::"), "string");
  });
});

describe("job controls", () => {
  it("holds, waits on dependencies and cancels dependents that can never run", () => {
    const states = new Map<string, string>([["dep", "running"]]);
    const controls = new JobControls((id) => states.get(id));
    const invalid: string[] = [];
    controls.onInvalid = (id, why) => invalid.push(`${id}: ${why}`);
    const child = jobOf("child");
    controls.add("child", { dependsOn: [{ kind: "afterok", jobId: "dep" }] }, "queued");
    assert.match(controls.gate(child)!.reason, /waiting for job dep to succeed/);
    controls.observe("dep", "succeeded");
    assert.equal(controls.gate(child), undefined);

    const held = jobOf("held");
    const control = { hold: { by: "u1", staff: false, at: "" } };
    controls.add("held", control, "queued");
    assert.match(controls.gate(held)!.reason, /^held by u1/);
    (control as { hold?: unknown }).hold = undefined;
    assert.equal(controls.gate(held), undefined);

    // A chain: b after a, c after b. a fails: b can never run (cancelled by the engine), and then c.
    states.set("a", "running");
    controls.add("b", { dependsOn: [{ kind: "afterok", jobId: "a" }] }, "queued");
    controls.add("c", { dependsOn: [{ kind: "afterok", jobId: "b" }] }, "queued");
    controls.observe("a", "failed");
    assert.deepEqual(invalid, ["b: dependency never satisfied: job a ended without success (afterok)"]);
    controls.observe("b", "cancelled");
    assert.equal(invalid.length, 2);
    assert.match(invalid[1]!, /^c: .*job b ended without success/);
  });

  it("keeps an array within its %N and counts its tasks for dependents", () => {
    const controls = new JobControls(() => undefined);
    const tasks = ["t_0", "t_1", "t_2"];
    for (const [index, id] of tasks.entries())
      controls.add(id, { arrayJobId: "t", arrayTaskId: index, arrayMaxRunning: 2 }, "queued");
    controls.add("after", { dependsOn: [{ kind: "afterany", jobId: "t" }] }, "queued");
    controls.observe("t_0", "running");
    assert.equal(controls.gate(jobOf("t_1")), undefined);
    controls.observe("t_1", "admitted");
    assert.match(controls.gate(jobOf("t_2"))!.reason, /runs 2 tasks, at most 2 at once \(%2\)/);
    // A placed task is never held back by its own array's limit.
    assert.equal(controls.gate(jobOf("t_1")), undefined);
    controls.observe("t_0", "succeeded");
    assert.equal(controls.gate(jobOf("t_2")), undefined);
    assert.match(controls.gate(jobOf("after"))!.reason, /waiting for job t to end/);
    controls.observe("t_1", "failed");
    controls.observe("t_2", "succeeded");
    assert.equal(controls.gate(jobOf("after")), undefined);
    assert.deepEqual(controls.target("t"), { total: 3, succeeded: 2, unsuccessful: 1 });
  });
});
