import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Command } from "commander";
import { captureStdout } from "../../../test/support/cli.ts";
import { loadSite } from "../../model/load.ts";
import { CliError } from "../output.ts";
import { registerSimulateCommand } from "./simulate.ts";

/** Runs `alixan <args>` in-process and returns what it printed on standard output. */
async function alixan(...args: string[]): Promise<string> {
  const program = new Command("alixan").option("--json").exitOverride();
  registerSimulateCommand(program);
  const { stdout } = await captureStdout(() => program.parseAsync(args, { from: "user" }));
  return stdout;
}

async function failure(args: string[]): Promise<CliError> {
  try {
    await alixan(...args);
  } catch (error) {
    assert.ok(error instanceof CliError, String(error));
    return error;
  }
  assert.fail("expected a CliError");
}

describe("alixan simulate", () => {
  it("prints KPIs as JSON and writes series, charts and a rack's series", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-simulate-"));
    try {
      const output = await alixan(
        "--json",
        "simulate",
        "--site",
        "lab",
        "--duration",
        "2d",
        "--step",
        "5m",
        "--out",
        directory,
        "--plot",
        "--rack",
        "rack:h2-r01-01",
        "--rack",
        "rack:h1-r01-02",
        "--racks",
        "all",
      );
      const summary = JSON.parse(output) as { kpis: { pue: number }; files: string[]; rackSteps: number };
      assert.ok(summary.kpis.pue > 1 && summary.kpis.pue < 1.3);
      assert.equal(summary.files.length, 10);
      const rackCount = loadSite("lab").site!.racks.length;
      assert.equal(summary.rackSteps, rackCount * 576, "every rack at every 5-minute step of 2 days");
      const rackSeries = readFileSync(join(directory, "rack.csv"), "utf8");
      assert.match(rackSeries, /rack:h1-r01-02/);
      const all = readFileSync(join(directory, "racks.csv"), "utf8").trim().split("\n");
      assert.equal(all[0], "time,rack,powerKW,utilisation,returnC,throttle");
      assert.equal(all.length, 1 + 48 * rackCount, "every rack at every hourly point");
      assert.match(all[1]!, /^0,rack:[\w-]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+$/);
      const site = readFileSync(join(directory, "site.csv"), "utf8").trim().split("\n");
      assert.equal(site.length, 49, "a header and 48 hourly points");
      assert.match(site[0]!, /^timeS,entity,outdoorDryBulbC,/);
      assert.match(readFileSync(join(directory, "rack.csv"), "utf8"), /rack:h2-r01-01/);
      const chart = readFileSync(join(directory, "pue.svg"), "utf8");
      assert.match(chart, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.match(chart, /<polyline points="[\d., ]+"/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("prints a KPI table for people", async () => {
    const output = await alixan("simulate", "--site", "lab", "--duration", "1d", "--step", "15m");
    assert.match(output, /^lab: 1d at 15m steps/);
    assert.match(output, /PUE \(EN 50600-4-2\) +1\.\d{3}/);
  });

  it("turns bad input into one-line errors with exit codes", async () => {
    const usage = await failure(["simulate", "--site", "lab", "--duration", "1 year"]);
    assert.equal(usage.exitCode, 2);
    assert.equal(
      usage.message,
      '--duration: "1 year" is not a duration (use seconds or a number with s, m, h, d, w or y: 60s, 1y)',
    );
    assert.equal((await failure(["simulate", "--site", "lab", "--duration", "1d", "--step", "7s"])).exitCode, 2);
    const missing = await failure(["simulate", "--site", "lab", "--weather", "/nonexistent/x.epw"]);
    assert.deepEqual(
      [missing.exitCode, missing.message],
      [1, "cannot read weather file /nonexistent/x.epw: no such file"],
    );
    assert.equal((await failure(["simulate", "--site", "nowhere"])).exitCode, 1);
    const racks = await failure(["simulate", "--site", "lab", "--racks", "some"]);
    assert.deepEqual([racks.exitCode, racks.message.split(":")[0]], [2, "--racks"]);
    const noOut = await failure(["simulate", "--site", "lab", "--racks", "all"]);
    assert.deepEqual([noOut.exitCode, noOut.message], [2, "--racks all: needs --out DIR (it writes DIR/racks.csv)"]);
    const rackNoOut = await failure(["simulate", "--site", "lab", "--rack", "rack:h1-r01-01"]);
    assert.deepEqual(
      [rackNoOut.exitCode, rackNoOut.message],
      [2, "--rack: needs --out DIR (it writes each rack's series to DIR/rack.csv)"],
    );
    const directory = mkdtempSync(join(tmpdir(), "alixan-scenario-"));
    try {
      const scenario = join(directory, "bad.yaml");
      writeFileSync(scenario, "events:\n  - { at: 1d, fail: cdu:h1-r07-01 }\n");
      const bad = await failure(["simulate", "--site", "lab", "--scenario", scenario]);
      assert.equal(bad.exitCode, 1);
      assert.match(bad.message, /bad\.yaml:2: events\[0\]\.fail: no CDU/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
  it("--uncertainty runs N samples and prints their percentiles; single-run outputs are refused with it", async () => {
    const run = JSON.parse(
      await alixan("--json", "simulate", "--site", "lab", "--duration", "2h", "--step", "60s", "--uncertainty", "2"),
    );
    assert.equal(run.uncertainty.samples, 2);
    assert.ok(run.uncertainty.ranges.length > 0);
    for (const [flag, value] of [
      ["--plot", undefined],
      ["--grid-events", "events.yaml"],
      ["--racks", "all"],
    ] as const) {
      const refused = await failure([
        "simulate",
        "--site",
        "lab",
        "--uncertainty",
        "2",
        flag,
        ...(value === undefined ? [] : [value]),
      ]);
      assert.deepEqual(
        [refused.exitCode, refused.message],
        [2, `--uncertainty: ${flag} is not available with uncertainty runs`],
      );
    }
    const tooMany = await failure(["simulate", "--site", "lab", "--uncertainty", "100000"]);
    assert.deepEqual([tooMany.exitCode, tooMany.message.split(":")[0]], [2, "--uncertainty"]);
  });

  it("drives rack load from a scheduled job trace with --jobs", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-jobs-"));
    try {
      const trace = join(directory, "jobs.json");
      writeFileSync(
        trace,
        JSON.stringify({ jobs: [{ id: "train", queue: "q", submitS: 0, durationS: 86_400, members: 4, gpus: 8 }] }),
      );
      const args = ["--json", "simulate", "--site", "lab", "--duration", "1d", "--step", "5m"];
      const driven = JSON.parse(await alixan(...args, "--jobs", trace));
      const synthetic = JSON.parse(await alixan(...args));
      // 32 busy GPUs out of 736 leave most racks idle: far less IT energy than the synthetic profiles.
      assert.ok(
        driven.kpis.itEnergyMWh < synthetic.kpis.itEnergyMWh * 0.6,
        `${driven.kpis.itEnergyMWh} vs ${synthetic.kpis.itEnergyMWh}`,
      );
      assert.ok(driven.kpis.gpuHours > 0);
      const missing = await failure([
        "simulate",
        "--site",
        "lab",
        "--duration",
        "1d",
        "--jobs",
        join(directory, "nope.json"),
      ]);
      assert.match(missing.message, /--jobs: /);
      // A job asking for a GPU model the site lacks is rejected, and the run says so (its racks stay idle).
      const foreign = join(directory, "foreign.json");
      writeFileSync(
        foreign,
        JSON.stringify({
          jobs: [{ id: "v100", queue: "q", submitS: 0, durationS: 3_600, gpus: 1, gpuModels: ["V100"] }],
        }),
      );
      const errors: string[] = [];
      const writeError = process.stderr.write;
      process.stderr.write = ((chunk: string) => errors.push(chunk) > 0) as typeof process.stderr.write;
      try {
        await alixan(...args, "--jobs", foreign);
      } finally {
        process.stderr.write = writeError;
      }
      assert.match(
        errors.join(""),
        /--jobs: rejected at submission: 1 job\(s\): GPU models V100 not in site lab \(it has GB300, H200\)/,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("answers a grid-events file from --from, against the same run without it, and names a bad field's line", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-grid-"));
    try {
      const events = join(directory, "events.yaml");
      writeFileSync(
        events,
        "version: 1\ncurtailments:\n  - { at: '+30m', duration: 1h, reduceFraction: 0.2 }\nstress: [{ at: '+0s', level: orange }]\n",
      );
      const args = ["--json", "simulate", "--site", "lab", "--from", "2026-07-15T16:00", "--duration", "2h"];
      const run = JSON.parse(await alixan(...args, "--step", "10s", "--grid-events", events));
      const [event] = run.flexibility.events;
      assert.ok(event.requestedMW > 0);
      assert.ok(event.deliveredMW >= 0.98 * event.requestedMW, `${event.deliveredMW} of ${event.requestedMW}`);
      assert.equal(event.protectedWorkLost, 0);
      assert.ok(run.flexibility.baseline.itEnergyMWh > run.kpis.itEnergyMWh, "the curtailed run used less IT energy");
      assert.equal(run.flexibility.available[0].stress, "orange");
      writeFileSync(events, "version: 1\ncurtailments:\n  - at: '+30m'\n    duration: 1h\n    reduceMW: -3\n");
      const bad = await failure(["simulate", "--site", "lab", "--duration", "2h", "--grid-events", events]);
      assert.match(bad.message, /events\.yaml:5: curtailments\[0\]\.reduceMW: /);
      const late = await failure(["simulate", "--site", "lab", "--from", "someday", "--duration", "2h"]);
      assert.match(late.message, /--from: /);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("--jobs with --grid-events takes the racks' classes from the jobs and their queues (--queues)", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-jobclasses-"));
    try {
      const day = 86_400;
      // Every NVL72 training rack (which the default fleet shares would cap, pause or preempt) runs protected work.
      const guarded = [1, 2, 3, 4].map((index) => ({
        id: `guarded-${index}`,
        queue: "critical",
        submitS: 0,
        durationS: day,
        members: 18,
        gpus: 4,
        gpuModels: ["GB300"],
        topology: { scope: "nvlink", required: true },
      }));
      const hgx = {
        submitS: 0,
        durationS: day,
        members: 4,
        gpus: 8,
        gpuModels: ["H200"],
        topology: { scope: "rack", required: true },
      };
      const jobs = [
        ...guarded,
        { id: "steady", queue: "shared", ...hgx },
        { id: "patient", queue: "shared", ...hgx, flexibility: "deferrable", deadlineS: 3 * day },
      ];
      const trace = join(directory, "jobs.json");
      writeFileSync(trace, JSON.stringify({ version: 1, jobs }));
      const queues = join(directory, "queues.yaml");
      writeFileSync(
        queues,
        "queues:\n  - { name: critical, flexibility: protected }\n  - { name: shared, flexibility: flexible }\n",
      );
      const events = join(directory, "events.yaml");
      writeFileSync(events, "version: 1\ncurtailments:\n  - { at: '+30m', duration: 1h, reduceFraction: 0.3 }\n");
      const args = ["--json", "simulate", "--site", "lab", "--from", "2026-07-15T16:00", "--duration", "2h"];
      const run = JSON.parse(
        await alixan(...args, "--step", "10s", "--jobs", trace, "--queues", queues, "--grid-events", events),
      );
      assert.equal(run.flexibility.classSource, "jobs");
      assert.deepEqual(run.flexibility.jobClasses.byClass, {
        protected: 4,
        flexible: 1,
        deferrable: 1,
        preemptible: 0,
      });
      const [event] = run.flexibility.events;
      assert.equal(event.protectedWorkLost, 0);
      assert.equal(event.preemptedRacks, 0, "nothing preemptible runs");
      assert.equal(event.pausedRacks, 1, "the deferrable job's rack");
      assert.ok(event.deferredGpuHours > 0 && event.flexibleWorkLost > 0, "paused and capped");
      assert.ok(event.deliveredMW > 0);
      const synthetic = JSON.parse(await alixan(...args, "--step", "10s", "--grid-events", events));
      assert.equal(synthetic.flexibility.classSource, "fleet");
      const lonely = await failure(["simulate", "--site", "lab", "--queues", queues]);
      assert.match(lonely.message, /--queues: needs --jobs/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("--shift prints flexibility.shifting from both schedules, and names what it needs", async () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-shift-"));
    try {
      const signals = join(directory, "signals.yaml");
      // Day-ahead shape made up for the test, from the run's start (22:00): 120 €/MWh, 25 €/MWh from 23:00 to 03:00.
      const prices = Array.from(
        { length: 24 },
        (_, hour) => `  - { at: '+${hour}h', eurPerMWh: ${hour >= 1 && hour < 5 ? 25 : 120} }`,
      );
      writeFileSync(
        signals,
        ["version: 1", "prices:", ...prices, "shifting: { deferrable: [{ queue: batch, slackH: 8 }] }"].join("\n"),
      );
      const trace = join(directory, "jobs.json");
      const jobs = Array.from({ length: 6 }, (_, index) => ({
        id: `b${index}`,
        queue: "batch",
        submitS: 0,
        durationS: 7200,
        gpus: 8,
      }));
      writeFileSync(trace, JSON.stringify({ jobs }));
      const args = [
        "--json",
        "simulate",
        "--site",
        "lab",
        "--from",
        "2026-07-14T22:00",
        "--duration",
        "1d",
        "--step",
        "5m",
      ];
      const run = JSON.parse(await alixan(...args, "--jobs", trace, "--grid-events", signals, "--shift", "price"));
      const shifting = run.flexibility.shifting;
      assert.equal(shifting.jobsShifted, 6, "all wait for 23:00");
      assert.ok(Math.abs(shifting.meanDelayH - 1) < 1e-9, `delay ${shifting.meanDelayH} h`);
      assert.ok(shifting.eurSaved > 0);
      assert.equal(shifting.deadlinesMissed, 0);
      const noJobs = await failure(["simulate", "--site", "lab", "--grid-events", signals, "--shift", "price"]);
      assert.match(noJobs.message, /--shift: needs --jobs TRACE/);
      const wrong = await failure([
        "simulate",
        "--site",
        "lab",
        "--jobs",
        trace,
        "--grid-events",
        signals,
        "--shift",
        "cheap",
      ]);
      assert.match(wrong.message, /--shift: "cheap" is not one of price, carbon, both/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
