/**
 * The pieces of the Slurm executor that need no cluster: host lists both ways, the execution file's decoder, and
 * reading squeue's JSON (Slurm 22.05 and 23.02+ shapes) and sinfo's lines.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { inventoryFromSite } from "../scheduler/inventory.ts";
import { decodeExecution, simulatedExecution } from "./config.ts";
import { compressHostlist, expandHostlist } from "./hostlist.ts";
import { formatShare, gpuWattsAt, powerCapArgs, powerCapCalls } from "./power-cap.ts";
import { nativePrelude, outcomeOf } from "./slurm.ts";
import { readSinfo, readSlurmJob, SlurmCli } from "./slurm-cli.ts";
import { slurmNodeNames } from "./slurm-config.ts";

describe("host lists", () => {
  it("compresses runs of the last number and expands them back", () => {
    const names = ["h1-r02-01-n01", "h1-r02-01-n02", "h1-r02-01-n03", "h1-r02-01-n07", "h1-r02-02-n01", "login"];
    const list = compressHostlist(names);
    assert.equal(list, "h1-r02-01-n[01-03,07],h1-r02-02-n01,login");
    assert.deepEqual(expandHostlist(list), names);
    assert.deepEqual(expandHostlist("a[1-2]-b[01-02]"), ["a1-b01", "a1-b02", "a2-b01", "a2-b02"]);
    assert.equal(expandHostlist("a[3-1]"), 'host list "a[3-1]": range "3-1" runs backwards');
    assert.equal(expandHostlist("a[1"), 'host list "a[1": unmatched "["');
  });
});

describe("execution file", () => {
  it("decodes backends per site and hall with Slurm settings", () => {
    const decoded = decodeExecution({
      backend: "slurm",
      halls: { "hall:h2": "simulated" },
      slurm: { conf: "/etc/slurm/slurm.conf", pollSeconds: 5, preemption: "cancel" },
    });
    assert.ok("config" in decoded);
    assert.equal(decoded.config.backend, "slurm");
    assert.deepEqual(decoded.config.halls, { h2: "simulated" });
    assert.equal(decoded.config.slurm.pollSeconds, 5);
    assert.equal(decoded.config.slurm.preemption, "cancel");
    assert.equal(decoded.config.slurm.workDir, "/tmp");
  });

  it("names every bad field", () => {
    const decoded = decodeExecution({ backend: "kubernetes", slurm: { pollSeconds: -1, preemtion: "x" } });
    assert.ok("problems" in decoded);
    assert.deepEqual(decoded.problems, [
      'backend: must be one of: simulated, slurm; got "kubernetes"',
      'slurm.preemtion: unknown field "preemtion" (did you mean "preemption"?)',
      "slurm.pollSeconds: must be at least 0.1, got -1",
    ]);
  });
});

describe("GPU power caps (powerCap)", () => {
  const lab = loadSite("lab").site!;
  const typeOf = (id: string) => lab.rackTypes.find((type) => type.id === id)!;

  it("reads a powerCap section with its defaults", () => {
    const decoded = decodeExecution({
      backend: "slurm",
      powerCap: { command: ["/usr/local/sbin/gpu-cap", "--job={job}", "{nodes}", "{share}", "{watts}W"] },
    });
    assert.ok("config" in decoded, JSON.stringify(decoded));
    assert.deepEqual(decoded.config.powerCap, {
      command: ["/usr/local/sbin/gpu-cap", "--job={job}", "{nodes}", "{share}", "{watts}W"],
      timeoutSeconds: 30,
      retries: 1,
    });
    const without = decodeExecution({ backend: "slurm" });
    assert.ok("config" in without);
    assert.equal(without.config.powerCap, undefined, "without the section caps stay modelled");
  });

  it("refuses an unknown placeholder, a placeholder as the program and a bad shape, naming the path", () => {
    const typo = decodeExecution({ powerCap: { command: ["gpu-cap", "{jobid}", "{nodes}", "x{wats}"] } });
    assert.deepEqual("problems" in typo ? typo.problems : [], [
      'powerCap.command[1]: unknown placeholder "{jobid}" (known: {job}, {nodes}, {share}, {watts})',
      'powerCap.command[3]: unknown placeholder "{wats}" (known: {job}, {nodes}, {share}, {watts})',
    ]);
    const program = decodeExecution({ powerCap: { command: ["{job}"] } });
    assert.deepEqual("problems" in program ? program.problems : [], [
      "powerCap.command[0]: the program must be a path or a name, not a placeholder",
    ]);
    const shape = decodeExecution({ powerCap: { command: [], timeoutSeconds: 0, retry: 2 } });
    assert.ok("problems" in shape);
    assert.ok(shape.problems.some((problem) => problem.startsWith("powerCap.command: ")));
    assert.ok(shape.problems.some((problem) => problem.startsWith("powerCap.timeoutSeconds: ")));
    assert.ok(shape.problems.some((problem) => /powerCap.retry: unknown field "retry"/.test(problem)));
    // Braces that are not a placeholder pass through (a JSON argument, a shell-like range).
    assert.ok("config" in decodeExecution({ powerCap: { command: ["tool", '{"a":1}', "n{1,2}", "{"] } }));
  });

  it("per-GPU limit: idle + share × (design − idle), from the rack type's power over its GPUs", () => {
    // hgx: 42 kW design, 9 kW idle, 32 GPUs → 1,312.5 W and 281.25 W per GPU.
    assert.equal(gpuWattsAt(typeOf("hgx"), 0.6), 900);
    assert.equal(gpuWattsAt(typeOf("hgx"), 1), 1313);
    assert.equal(gpuWattsAt(typeOf("hgx"), 0), 281);
    // nvl72: 132 kW design, 30 kW idle, 72 GPUs.
    assert.equal(gpuWattsAt(typeOf("nvl72"), 0.5), 1125);
    assert.equal(gpuWattsAt(typeOf("hgx"), 1.7), 1313, "a share above 1 is full power");
    assert.equal(gpuWattsAt(typeOf("cpu"), 0.5), undefined, "no GPUs, no per-GPU limit");
  });

  it("fills placeholders in every argument and leaves other text", () => {
    const args = powerCapArgs(["tool", "--job={job}", "{nodes}", "{share}", "{watts}W", "{other}"], {
      job: "12",
      nodes: "h2-r01-01-n[01-02]",
      share: formatShare(0.6),
      watts: "900",
    });
    assert.deepEqual(args, ["tool", "--job=12", "h2-r01-01-n[01-02]", "0.6", "900W", "{other}"]);
    assert.equal(formatShare(1 / 3), "0.333");
  });

  it("one call per per-GPU limit: a gang across rack types gets one host list per type", () => {
    const inventory = inventoryFromSite(lab);
    const names = slurmNodeNames(inventory);
    const rackLevel = inventory.levels[inventory.facility!.rackLevel]!;
    const typeOfNode = (node: number) => lab.rackTypes[lab.racks[rackLevel.groupOfNode[node]!]!.typeIndex]!.id;
    const hgx = Array.from({ length: inventory.nodeCount }, (_, node) => node).filter((n) => typeOfNode(n) === "hgx");
    const nvl = Array.from({ length: inventory.nodeCount }, (_, node) => node).filter((n) => typeOfNode(n) === "nvl72");
    const nodes = [hgx[0]!, hgx[1]!, nvl[0]!, hgx[1]!];
    const calls = powerCapCalls(inventory, nodes, (node) => names[node]!, 0.6);
    assert.deepEqual(
      calls.map((call) => [call.nodes, call.watts]),
      [
        [compressHostlist([names[hgx[0]!]!, names[hgx[1]!]!]), 900],
        [names[nvl[0]!]!, gpuWattsAt(typeOf("nvl72"), 0.6)],
      ],
    );
  });
});

describe("reading Slurm", () => {
  it("reads a Slurm 22.05 job: wait status, epoch seconds, host lists", () => {
    const job = readSlurmJob({
      job_id: 12,
      job_state: "FAILED",
      exit_code: 768,
      start_time: 1_795_576_008,
      end_time: 1_795_576_010,
      nodes: "h1-r02-01-n[01-02]",
      comment: "alixan:lab:job_1",
      restart_cnt: 0,
      state_reason: "NonZeroExitCode",
      priority: 1,
    });
    assert.equal(job.exitCode, 3);
    assert.equal(job.signal, null);
    assert.deepEqual(job.nodes, ["h1-r02-01-n01", "h1-r02-01-n02"]);
    assert.equal(job.startMs, 1_795_576_008_000);
    assert.deepEqual(outcomeOf(job), ["failed", "Slurm job 12 FAILED (exit code 3; NonZeroExitCode)"]);
  });

  it("reads a Slurm 23.02+ job: state lists, number objects, exit code objects, held jobs", () => {
    const held = readSlurmJob({
      job_id: { set: true, infinite: false, number: 40 },
      job_state: ["PENDING", "REQUEUED"],
      exit_code: { status: ["PENDING"], return_code: { set: false, number: 0 } },
      start_time: { set: true, number: 0 },
      nodes: "",
      required_nodes: "h2-r01-01-n04",
      comment: "alixan:lab:job_2",
      priority: { set: true, number: 0 },
      state_reason: "job requeued in held state",
    });
    assert.equal(held.id, 40);
    assert.equal(held.state, "PENDING");
    assert.equal(held.held, true);
    assert.equal(held.exitCode, null);
    assert.deepEqual(held.requiredNodes, ["h2-r01-01-n04"]);
    const done = readSlurmJob({
      job_id: 41,
      job_state: ["COMPLETED"],
      exit_code: { status: ["SUCCESS"], return_code: { set: true, number: 0 } },
    });
    assert.deepEqual(outcomeOf(done), ["succeeded", "Slurm job 41 completed (exit code 0)"]);
  });

  it("reads array tasks: a task split off has its ArrayJobId and index, the array's own record no index", () => {
    // As 22.05 answered in test/slurm-native.test.ts: task 3 split off as job 2, tasks 0-2,4-5 still in job 1.
    const task = readSlurmJob({ job_id: 2, array_job_id: 1, array_task_id: 3, job_state: "PENDING", priority: 0 });
    assert.equal(task.arrayJobId, 1);
    assert.equal(task.arrayTaskId, 3);
    assert.equal(task.held, true);
    const rest = readSlurmJob({ job_id: 1, array_job_id: 1, array_task_id: null, array_task_string: "0-2,4-5%2" });
    assert.equal(rest.arrayJobId, 1);
    assert.equal(rest.arrayTaskId, undefined);
    // 22.05 says 0 outside arrays, 23.02+ an unset number object.
    const plain = readSlurmJob({ job_id: 5, array_job_id: 0, array_task_id: null });
    assert.equal(plain.arrayJobId, undefined);
    assert.equal(plain.arrayTaskId, undefined);
    const newer = readSlurmJob({
      job_id: 6,
      array_job_id: { set: true, number: 0 },
      array_task_id: { set: false, number: 0 },
    });
    assert.equal(newer.arrayJobId, undefined);
    assert.equal(newer.arrayTaskId, undefined);
  });

  it("gives a native array's shell scripts the task's alixan ids after their #SBATCH lines, and leaves others", () => {
    const exported =
      'export ALIXAN_ARRAY_TASK_ID="$SLURM_ARRAY_TASK_ID" ALIXAN_JOB_ID="$ALIXAN_ARRAY_JOB_ID"_"$SLURM_ARRAY_TASK_ID"';
    assert.equal(nativePrelude("#!/bin/sh\necho hi\n"), `#!/bin/sh\n${exported}\necho hi\n`);
    assert.equal(
      nativePrelude("#!/usr/bin/env bash\n#SBATCH --mail-type=END\n\n# a comment\npython train.py\n"),
      `#!/usr/bin/env bash\n#SBATCH --mail-type=END\n\n# a comment\n${exported}\npython train.py\n`,
    );
    const python = "#!/usr/bin/env python3\nimport os\n";
    assert.equal(nativePrelude(python), python);
  });

  it("reads sinfo: only idle, allocated, mixed and completing nodes that respond take work", () => {
    const nodes = readSinfo(
      [
        "h1-r02-01-n01|idle|none",
        "h1-r02-01-n[02-03]|down*|no slurmd in this test",
        "h1-r02-02-n01|drained|disk swap",
        "h1-r02-02-n02|mixed|none",
        "h1-r02-02-n03|idle*|none",
      ].join("\n"),
    );
    assert.deepEqual(
      nodes.map((node) => [node.name, node.available]),
      [
        ["h1-r02-01-n01", true],
        ["h1-r02-01-n02", false],
        ["h1-r02-01-n03", false],
        ["h1-r02-02-n01", false],
        ["h1-r02-02-n02", true],
        ["h1-r02-02-n03", false],
      ],
    );
    assert.equal(nodes[3]!.reason, "disk swap");
  });
});

describe("bounded Slurm commands", () => {
  // 160 rather than 2,000 submissions keeps the test to seconds: the bound is the same whatever the burst.
  it("a burst of submissions forks at most maxConcurrentCommands processes at once", async () => {
    const bin = mkdtempSync(join(tmpdir(), "alixan-fake-slurm-"));
    // A stand-in sbatch: reads the script and answers a job id like `sbatch --parsable`.
    writeFileSync(join(bin, "sbatch"), "#!/bin/sh\ncat >/dev/null\necho 4242\n", { mode: 0o755 });
    try {
      const cli = new SlurmCli({ ...simulatedExecution.slurm, bin, maxConcurrentCommands: 8 });
      let peakSeen = 0;
      const ids = await Promise.all(
        Array.from({ length: 160 }, async () => {
          const id = await cli.sbatch(["--job-name=x"], "#!/bin/sh\ntrue\n");
          peakSeen = Math.max(peakSeen, cli.load.running);
          return id;
        }),
      );
      assert.equal(ids.length, 160);
      assert.ok(ids.every((id) => id === 4242));
      assert.equal(cli.load.started, 160);
      assert.equal(cli.load.peak, 8);
      assert.ok(peakSeen <= 8);
      assert.deepEqual([cli.load.running, cli.load.waiting], [0, 0]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("reads maxConcurrentCommands from the execution file and names a bad value", () => {
    const ok = decodeExecution({ slurm: { maxConcurrentCommands: 8 } });
    assert.ok("config" in ok);
    assert.equal(ok.config.slurm.maxConcurrentCommands, 8);
    assert.equal(simulatedExecution.slurm.maxConcurrentCommands, 4);
    const bad = decodeExecution({ slurm: { maxConcurrentCommands: 0.5 } });
    assert.deepEqual("problems" in bad ? bad.problems : [], [
      "slurm.maxConcurrentCommands: expected a whole number, got 0.5",
    ]);
  });
});
