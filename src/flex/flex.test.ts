import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { OffsetUtilisation } from "../model/utilisation.ts";
import { inventoryFromSite } from "../scheduler/inventory.ts";
import { type JobSpec, jobSpec } from "../scheduler/jobs.ts";
import { parseQueueConfig } from "../scheduler/queues.ts";
import { readJsonJobs, writeJsonJobs } from "../scheduler/traces/json.ts";
import { utilisationFromJobs } from "../scheduler/utilisation.ts";
import { buildPartition } from "../twin/layout.ts";
import { RackSourceLoad, SyntheticLoad } from "../twin/profiles.ts";
import { secondsPer } from "../twin/time.ts";
import { valenceTypicalYear } from "../twin/weather.ts";
import { parseFrom, parseGridEvents } from "./events.ts";
import { simulateWithGridEvents } from "./metrics.ts";
import { FlexController, throughputAt } from "./plan.ts";

const clock = { startS: 195 * secondsPer.d, durationS: secondsPer.d, timeZone: "Europe/Paris" };

describe("grid-events file", () => {
  it("reads absolute times on the site's clock and offsets from the start", () => {
    const text = [
      "version: 1",
      "curtailments:",
      "  - { at: '2026-07-15T17:00', duration: 3h, reduceFraction: 0.25 }",
      "  - { at: '+22h', duration: 30m, notice: 15m, reduceMW: 40 }",
      "prices:",
      "  - { at: '2026-07-15T17:00:00+02:00', eurPerMWh: 180 }",
      "stress: [{ at: '+0s', level: red }]",
    ].join("\n");
    const events = parseGridEvents(text, "ev.yaml", clock);
    assert.ok(events.ok, events.ok ? "" : events.error);
    const [first, second] = events.value.curtailments;
    // 15 July is day 196 of a non-leap year; 17:00 on the Paris wall clock.
    assert.equal(first!.startS, 195 * secondsPer.d + 17 * secondsPer.h);
    assert.equal(first!.endS - first!.startS, 3 * secondsPer.h);
    assert.equal(second!.startS, clock.startS + 22 * secondsPer.h);
    assert.equal(second!.issueS, second!.startS - 15 * 60);
    assert.equal(events.value.prices[0]!.atS, first!.startS, "an explicit +02:00 offset is the same instant");
    assert.equal(events.value.stress[0]!.level, "red");
  });

  it("names the path and line of a bad field", () => {
    const text = "version: 1\ncurtailments:\n  - at: '+1h'\n    duration: 1h\n    reduceFraction: 1.5\n";
    const events = parseGridEvents(text, "ev.yaml", clock);
    assert.ok(!events.ok);
    assert.match(events.error, /^ev\.yaml:5: curtailments\[0\]\.reduceFraction: /);
  });

  it("names the allowed values of a stress level, an unknown field and a mistyped number, each with its line", () => {
    const cases: [string, RegExp][] = [
      [
        "version: 1\nstress:\n  - at: '+1h'\n    level: purple\n",
        /^ev\.yaml:4: stress\[0\]\.level: must be one of: green, orange, red; got "purple"$/,
      ],
      ["version: 2\n", /^ev\.yaml:1: version: must be 1; got 2$/],
      [
        "version: 1\nshifting:\n  priceWieght: 2\n",
        /^ev\.yaml:3: shifting\.priceWieght: unknown field "priceWieght" \(did you mean "priceWeight"\?\)$/,
      ],
      ["version: 1\ncontrol:\n  dispatchS: soon\n", /^ev\.yaml:3: control\.dispatchS: expected a number, got "soon"$/],
    ];
    for (const [text, expected] of cases) {
      const events = parseGridEvents(text, "ev.yaml", clock);
      assert.ok(!events.ok, text);
      assert.match(events.error, expected);
      assert.doesNotMatch(events.error, /equal to constant|must match a schema/);
    }
  });

  it("refuses a request outside the run, with both or neither size, and overlapping requests", () => {
    const outside = parseGridEvents(
      "version: 1\ncurtailments: [{ at: '+23h', duration: 2h, reduceMW: 5 }]",
      "e",
      clock,
    );
    assert.ok(!outside.ok && /not within the run/.test(outside.error));
    const both = parseGridEvents(
      "version: 1\ncurtailments: [{ at: '+1h', duration: 1h, reduceMW: 5, reduceFraction: 0.1 }]",
      "e",
      clock,
    );
    assert.ok(!both.ok && /exactly one of reduceMW and reduceFraction/.test(both.error));
    const overlap = parseGridEvents(
      "version: 1\ncurtailments: [{ at: '+1h', duration: 2h, reduceMW: 5 }, { at: '+2h', duration: 1h, reduceMW: 5 }]",
      "e",
      clock,
    );
    assert.ok(!overlap.ok && /overlaps curtailments\[0\]/.test(overlap.error));
    const bad = parseGridEvents("version: 1\nstress: [{ at: 'tomorrow', level: red }]", "e", clock);
    assert.ok(!bad.ok && /stress\[0\]\.at/.test(bad.error));
    // 30 February is not 1 March, nor 24:00 the next midnight: named as dates that do not exist.
    for (const at of ["2026-02-30T17:00", "2026-07-15T24:00", "2026-13-01"]) {
      const missing = parseGridEvents(`version: 1\nstress: [{ at: '${at}', level: red }]`, "e", clock);
      assert.ok(!missing.ok);
      assert.match(missing.error, /stress\[0\]\.at: ".*" is not a valid date-time \(no such day or time\)/, at);
    }
  });

  it("parses --from on the site's wall clock", () => {
    const from = parseFrom("2026-07-15T16:30", "Europe/Paris");
    assert.ok(from.ok);
    assert.equal(from.value, 195 * secondsPer.d + 16.5 * secondsPer.h);
    assert.ok(!parseFrom("soon", "Europe/Paris").ok);
  });

  it("models capping as a concave power-to-throughput curve", () => {
    assert.equal(throughputAt(1), 1);
    assert.ok(throughputAt(0.5) > 0.5 && throughputAt(0.5) < 0.75);
    assert.ok(throughputAt(0.8) > throughputAt(0.7));
  });
});

describe("curtailment plan", () => {
  const lab = loadSite("lab").site!;
  const partition = buildPartition(
    lab,
    lab.plants.map((plant) => plant.index),
  );
  const startS = 195 * secondsPer.d + 16 * secondsPer.h;
  /** Steps the controller alone for 2 h at 10 s; returns it with the most any protected rack was held under demand. */
  function drive(fleet: string, request: string) {
    const events = parseGridEvents(`version: 1\ncurtailments: [${request}]\nfleet: ${fleet}\n`, "plan.yaml", {
      startS,
      durationS: 2 * secondsPer.h,
      timeZone: lab.timezone,
    });
    assert.ok(events.ok, events.ok ? "" : events.error);
    const controller = new FlexController(new SyntheticLoad(partition.racks, 1), partition, events.value, 1);
    const reference = new SyntheticLoad(partition.racks, 1);
    const held = new Float64Array(partition.racks.count);
    const demand = new Float64Array(partition.racks.count);
    let protectedCut = 0;
    for (let timeS = startS; timeS < startS + 2 * secondsPer.h; timeS += 10) {
      controller.fill(timeS, held);
      reference.fill(timeS, demand);
      for (let rack = 0; rack < held.length; rack++) {
        if (controller.classes[rack] === 0) protectedCut = Math.max(protectedCut, demand[rack]! - held[rack]!);
      }
    }
    return { controller, protectedCut };
  }

  it("pauses a deferrable job only for as long as its deadline slack allows, and never touches protected racks", () => {
    const { controller, protectedCut } = drive(
      "[{ profile: training, class: deferrable, share: 1, slackH: [0.5, 1] }, { profile: inference, class: flexible, share: 0.5 }]",
      "{ at: '+10m', duration: 90m, reduceFraction: 0.5 }",
    );
    const [record] = controller.records;
    assert.ok(record !== undefined);
    // Slack of 0.5–1 h cannot wait out 90 min: those racks are capped first and paused only when the rest of the event and the
    // 15-minute release fit in it, so no job is held past its slack.
    assert.ok(record.pausedRacks > 0);
    const gpusPerRack = 72;
    assert.ok(
      record.deferredGpuHours <= record.pausedRacks * gpusPerRack * 1,
      `${record.deferredGpuHours} GPU-h deferred on ${record.pausedRacks} racks`,
    );
    assert.ok(record.flexibleWorkLost > 0, "capped until then");
    assert.ok(record.shortSteps > 0, "half the site's IT is more than the flexible racks hold");
    assert.equal(protectedCut, 0);
    assert.equal(record.protectedWorkLost, 0);
  });

  it("pauses deferrable jobs with slack before capping anything", () => {
    const { controller } = drive(
      "[{ profile: training, class: deferrable, share: 1, slackH: [6, 12] }, { profile: inference, class: flexible, share: 0.5 }]",
      "{ at: '+10m', duration: 1h, reduceMW: 0.05 }",
    );
    const [record] = controller.records;
    assert.ok(record !== undefined && record.pausedRacks > 0 && record.deferredGpuHours > 0);
    assert.equal(record.flexibleWorkLost, 0, "a small request is met by deferral alone");
  });
});

describe("curtailment plan under a job trace", () => {
  const lab = loadSite("lab").site!;
  const partition = buildPartition(
    lab,
    lab.plants.map((plant) => plant.index),
  );
  const startS = 195 * secondsPer.d + 16 * secondsPer.h;
  const runS = 3 * secondsPer.h;
  // One job per NVL72 training rack (18 trays of 4 GPUs): racks the default fleet shares never protect.
  const whole = { durationS: 6 * secondsPer.h, members: 18, gpus: 4, gpuModels: ["GB300"], submitS: 0 };
  const nvlink = { scope: "nvlink", required: true } as const;
  const jobs = [
    jobSpec({ id: "guarded", queue: "critical", ...whole, topology: nvlink }),
    // Paused for 90 min plus the 15-minute release, it still ends 2 days before its deadline.
    jobSpec({
      id: "patient",
      queue: "shared",
      ...whole,
      topology: nvlink,
      flexibility: "deferrable",
      deadlineS: 2 * secondsPer.d,
    }),
    // 10 minutes of slack, less than the 15-minute release alone: capped, never paused.
    jobSpec({
      id: "hurried",
      queue: "shared",
      ...whole,
      topology: nvlink,
      flexibility: "deferrable",
      deadlineS: 6 * secondsPer.h + 600,
    }),
    jobSpec({ id: "steady", queue: "shared", ...whole, topology: nvlink }),
    // A tenant may not take protection its queue does not grant: it gets the queue's class.
    jobSpec({
      id: "bold",
      queue: "shared",
      submitS: 0,
      durationS: 6 * secondsPer.h,
      gpus: 8,
      gpuModels: ["H200"],
      flexibility: "protected",
    }),
  ];
  const queues = parseQueueConfig(
    "queues:\n  - { name: critical, flexibility: protected }\n  - { name: shared, flexibility: flexible }\n",
  ).config!;

  /**
   * Schedules `specs` on the lab, steps the controller alone over 3 h at 10 s with `request`, and returns it with, per
   * job, the lowest share of its racks' demand they were held to while it ran there.
   */
  function driveJobs(specs: readonly JobSpec[], request: string) {
    const scheduled = utilisationFromJobs(lab, specs, { queues });
    assert.ok(scheduled.ok, scheduled.ok ? "" : scheduled.error);
    const placements = {
      changes: scheduled.source.changes,
      jobs: scheduled.jobs.map((job) => job.spec),
      queues,
      offsetS: startS,
    };
    const events = parseGridEvents(`version: 1\ncurtailments: [${request}]\n`, "jobs.yaml", {
      startS,
      durationS: runS,
      timeZone: lab.timezone,
    });
    assert.ok(events.ok, events.ok ? "" : events.error);
    const source = new OffsetUtilisation(scheduled.source, startS);
    const load = () =>
      new RackSourceLoad(source, partition.racks, lab.racks.length, { refreshS: 10, asActivity: true });
    const controller = new FlexController(load(), partition, events.value, 1, placements);
    const reference = load();
    // Racks of each job (partition indexes), as the scheduler placed it, and its run (trace time).
    const inventory = inventoryFromSite(lab);
    const rackOfNode = inventory.levels[inventory.facility!.rackLevel]!.groupOfNode;
    const localOf = new Map<number, number>();
    for (let rack = 0; rack < partition.racks.count; rack++) localOf.set(partition.racks.globalIndex[rack]!, rack);
    const changes = scheduled.source.changes;
    const runs = scheduled.jobs.map((job) => {
      assert.ok(job.state === "succeeded" || job.state === "running", `${job.spec.id} ran`);
      let fromS = Number.POSITIVE_INFINITY;
      let toS = Number.POSITIVE_INFINITY;
      for (let index = 0; index < changes.times.length; index++) {
        if (changes.jobs[index] !== job.index) continue;
        if (changes.deltas[index]! > 0) fromS = Math.min(fromS, changes.times[index]!);
        else toS = changes.times[index]!;
      }
      return { job, fromS, toS, racks: new Set([...job.nodes].map((node) => localOf.get(rackOfNode[node]!)!)) };
    });
    const lowest = new Map<string, number>();
    const held = new Float64Array(partition.racks.count);
    const demand = new Float64Array(partition.racks.count);
    for (let timeS = startS; timeS < startS + runS; timeS += 10) {
      controller.fill(timeS, held);
      reference.fill(timeS, demand);
      for (const { job, fromS, toS, racks } of runs) {
        if (timeS - startS < fromS || timeS - startS >= toS) continue;
        for (const rack of racks) {
          if (demand[rack]! > 0)
            lowest.set(job.spec.id, Math.min(lowest.get(job.spec.id) ?? 1, held[rack]! / demand[rack]!));
        }
      }
    }
    const [record] = controller.records;
    assert.ok(record !== undefined);
    return { controller, record, lowest };
  }

  it("takes each rack's class from its jobs: protected queues untouched, deferrable paused within slack, flexible capped", () => {
    const { controller, record, lowest } = driveJobs(jobs, "{ at: '+1h', duration: 90m, reduceFraction: 0.5 }");
    assert.equal(controller.classSource, "jobs");
    assert.equal(lowest.get("guarded"), 1, "the protected queue's rack is never touched");
    assert.equal(record.protectedWorkLost, 0);
    assert.equal(lowest.get("patient"), 0, "paused");
    assert.ok(record.deferredGpuHours > 0 && record.pausedRacks >= 1);
    const hurried = lowest.get("hurried")!;
    assert.ok(hurried > 0 && hurried < 1, `not paused (no slack for the event), capped: ${hurried}`);
    const steady = lowest.get("steady")!;
    assert.ok(steady > 0 && steady < 1, `capped: ${steady}`);
    assert.ok(lowest.get("bold")! < 1, "a refused declaration of protection leaves it in its queue's class");
    assert.ok(record.flexibleWorkLost > 0);
    const counts = controller.jobClasses!.counts;
    assert.deepEqual(counts.byClass, { protected: 1, flexible: 2, deferrable: 2, preemptible: 0 });
    assert.equal(counts.refused, 1);
    assert.match(
      counts.refusals[0]!,
      /job bold \(queue shared\): flexibility protected is more protected than queue class flexible/,
    );
  });

  it("lifts a cap at once when protected work starts on the rack during the event", () => {
    // Flexible work on every training rack ends 30 minutes into the event; protected work then takes one of them.
    const early = { ...whole, durationS: 1.5 * secondsPer.h, topology: nvlink };
    const specs = [
      ...[1, 2, 3, 4].map((index) => jobSpec({ id: `early-${index}`, queue: "shared", ...early })),
      jobSpec({ id: "late", queue: "critical", ...whole, submitS: 1.5 * secondsPer.h, topology: nvlink }),
    ];
    const { record, lowest } = driveJobs(specs, "{ at: '+1h', duration: 90m, reduceFraction: 0.5 }");
    assert.ok(lowest.get("early-1")! < 1, "the flexible work was capped");
    assert.equal(lowest.get("late"), 1, "its rack was released when it started");
    assert.equal(record.protectedWorkLost, 0);
  });

  it("reads a job's declared class from an alixan JSON trace", () => {
    const trace = readJsonJobs(
      JSON.stringify({ jobs: [{ id: "a", queue: "q", submitS: 0, durationS: 60, flexibility: "deferrable" }] }),
    );
    assert.equal(trace.jobs[0]!.flexibility, "deferrable");
    assert.match(writeJsonJobs(trace.jobs), /"flexibility":"deferrable"/);
    const bad = readJsonJobs(JSON.stringify({ jobs: [{ queue: "q", submitS: 0, durationS: 60, flexibility: "x" }] }));
    assert.match(bad.diagnostics[0]!.message, /jobs\[0\]\.flexibility: must be one of: protected, flexible/);
  });
});

describe("campus curtailment (twin)", () => {
  it("delivers 25 % of site IT for 3 h from 17:00 on a summer day within 30 s, protected work untouched", async () => {
    // The 40,000-rack campus at 1 s steps over the needed window only (16:55 to 20:25: the event, its 15-minute
    // staggered release and a margin), run twice (with and without the request) — under a minute on one core.
    const site = loadSite("alixan").site!;
    const startS = parseFrom("2026-07-15T16:55", site.timezone);
    assert.ok(startS.ok);
    const durationS = 3.5 * secondsPer.h;
    const events = parseGridEvents(
      "version: 1\ncurtailments: [{ at: '2026-07-15T17:00', duration: 3h, reduceFraction: 0.25 }]\n",
      "summer.yaml",
      { startS: startS.value, durationS, timeZone: site.timezone },
    );
    assert.ok(events.ok, events.ok ? "" : events.error);
    const run = await simulateWithGridEvents(
      { site, weather: valenceTypicalYear(1), durationS, stepS: 1, startS: startS.value, seriesIntervalS: 600 },
      events.value,
    );
    assert.ok(run.ok, run.ok ? "" : run.error);
    const [event] = run.value.flexibility.events;
    assert.ok(event !== undefined);
    const itMW = run.value.flexibility.baseline.itEnergyMWh / (durationS / secondsPer.h);
    assert.ok(event.requestedMW > 0.2 * itMW && event.requestedMW < 0.3 * itMW, "a quarter of the site's IT");
    assert.ok(event.deliveredMW >= 0.98 * event.requestedMW, `delivered ${event.deliveredMW} of ${event.requestedMW}`);
    assert.ok(event.responseS !== null && event.responseS <= 30, `90 % reached after ${event.responseS} s`);
    assert.equal(event.protectedWorkLost, 0);
    assert.ok(event.flexibleWorkLost > 0 && event.deferredGpuHours > 0, "caps and pauses both used");
    assert.ok(event.reboundPeakMW < event.gridConnectionMW, `rebound ${event.reboundPeakMW} MW`);
    assert.ok(run.value.flexibility.available.length >= 3);
    assert.ok(run.value.flexibility.available.every((hour) => hour.availableMW >= hour.capsMW));
  });
});
