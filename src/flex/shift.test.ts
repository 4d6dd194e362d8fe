import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { inventoryFromOpenbNodes } from "../scheduler/inventory.ts";
import { type JobSpec, jobSpec } from "../scheduler/jobs.ts";
import { replay } from "../scheduler/replay.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { queueConfigForJobs, standardChecks } from "../scheduler/setup.ts";
import { CostCurve, costSeries, hourlyFromPoints, hourS, planStart, ShiftLedger } from "./shift.ts";
import { jobGpus, ShiftCheck, withDeferralRules } from "./shift-check.ts";

const h = hourS;

/** A cost curve over hourly values from time 0. */
function curve(values: readonly number[]): CostCurve {
  return new CostCurve({ originS: 0, values: Float64Array.from(values) }, "€/MWh");
}

/** A typical day: expensive, with a cheap night at 02:00–05:00. */
const cheapNight = Array.from({ length: 48 }, (_, hour) => (hour % 24 >= 2 && hour % 24 < 5 ? 30 : 120));

describe("hourly series from a file's points", () => {
  it("averages points over each hour and leaves hours without a value as gaps", () => {
    const points = [
      { atS: 0, value: 100 },
      { atS: 0.5 * h, value: 50 },
      { atS: 1 * h, value: 80 },
    ];
    const series = hourlyFromPoints(points, 0, 3, 1.5 * h);
    assert.equal(series.values[0], 75, "two half hours");
    assert.equal(series.values[1], 80);
    assert.ok(Number.isNaN(series.values[2]!), "the last value holds only 1.5 h");
    const before = hourlyFromPoints([{ atS: h, value: 1 }], 0, 2);
    assert.ok(Number.isNaN(before.values[0]!), "nothing before the first point");
    assert.equal(before.values[1], 1);
  });

  it("weighs price and carbon at the carbon price for both", () => {
    const price = { originS: 0, values: Float64Array.from([100, 20]) };
    const carbon = { originS: 0, values: Float64Array.from([50, 400]) };
    const weights = { priceWeight: 1, carbonPriceEurPerTonne: 100 };
    assert.deepEqual([...costSeries("price", price, carbon, weights).values], [100, 20]);
    assert.deepEqual([...costSeries("carbon", price, carbon, weights).values], [50, 400]);
    // 50 g/kWh = 50 kg/MWh = 0.05 t/MWh at 100 €/t: 5 €/MWh.
    assert.deepEqual([...costSeries("both", price, carbon, weights).values], [105, 60]);
  });
});

describe("shifting policy", () => {
  it("starts a job at the cheapest hours within its window", () => {
    const plan = planStart(curve(cheapNight), { nowS: 20 * h, latestStartS: 30 * h, durationS: 2 * h, gpus: 1 });
    assert.equal(plan.verdict, "shifted");
    assert.equal(plan.startS, 26 * h, "02:00 the next day: both hours at 30");
    assert.equal(plan.costPlanned, 30);
    assert.equal(plan.costNow, 120);
  });

  it("keeps the earliest of equal starts (least delay), and starts at once on a flat price", () => {
    const plan = planStart(curve(cheapNight), { nowS: 20 * h, latestStartS: 30 * h, durationS: h, gpus: 1 });
    assert.equal(plan.startS, 26 * h, "02:00, 03:00 and 04:00 cost the same: the first");
    const flat = planStart(curve(Array(48).fill(80)), { nowS: 3 * h, latestStartS: 30 * h, durationS: h, gpus: 1 });
    assert.equal(flat.verdict, "no-gain");
    assert.equal(flat.startS, 3 * h);
  });

  it("may end exactly at the deadline, never after it", () => {
    // Deadline at 05:00 for a 3 h job: latest start 02:00, exactly the cheap window.
    const edge = planStart(curve(cheapNight), { nowS: 0, latestStartS: 2 * h, durationS: 3 * h, gpus: 1 });
    assert.equal(edge.startS, 2 * h);
    assert.equal(edge.costPlanned, 30);
    // One second less of slack: the cheap window is out of reach, the best is partly in it.
    const short = planStart(curve(cheapNight), { nowS: 0, latestStartS: 2 * h - 1, durationS: 3 * h, gpus: 1 });
    assert.ok(short.startS <= 2 * h - 1);
    assert.ok(short.costPlanned > 30);
  });

  it("starts a job longer than its window at once (no slack to use)", () => {
    const plan = planStart(curve(cheapNight), { nowS: 20 * h, latestStartS: 19 * h, durationS: 8 * h, gpus: 1 });
    assert.equal(plan.verdict, "no-slack");
    assert.equal(plan.startS, 20 * h);
  });

  it("never picks hours without a price and does not shift when the cost at once is unknown", () => {
    const gaps = cheapNight.map((value, hour) => (hour === 26 ? Number.NaN : value));
    const plan = planStart(curve(gaps), { nowS: 20 * h, latestStartS: 30 * h, durationS: h, gpus: 1 });
    assert.equal(plan.startS, 27 * h, "02:00 has no price: 03:00");
    const unknownNow = planStart(curve(gaps), { nowS: 26 * h, latestStartS: 30 * h, durationS: h, gpus: 1 });
    assert.equal(unknownNow.verdict, "unknown-now");
    assert.equal(unknownNow.startS, 26 * h);
    const beyond = planStart(curve(cheapNight), { nowS: 45 * h, latestStartS: 60 * h, durationS: 2 * h, gpus: 1 });
    assert.ok(beyond.startS + 2 * h <= 48 * h, "nothing is planned past the end of the series");
  });

  it("shifts only for at least the minimum gain", () => {
    const values = Array(24).fill(100);
    values[5] = 99.5;
    const small = planStart(curve(values), { nowS: 0, latestStartS: 10 * h, durationS: h, gpus: 1 });
    assert.equal(small.verdict, "no-gain", "0.5 % is below the default 1 %");
    const any = planStart(curve(values), { nowS: 0, latestStartS: 10 * h, durationS: h, gpus: 1 }, { minimumGain: 0 });
    assert.equal(any.startS, 5 * h);
  });

  it("keeps planned GPUs within the ledger's capacity", () => {
    const costs = curve(cheapNight);
    const ledger = new ShiftLedger(costs.series, 8);
    const window = { nowS: 20 * h, latestStartS: 30 * h, durationS: h, gpus: 6 };
    const first = planStart(costs, window, { ledger });
    ledger.book(first.startS, window.durationS, window.gpus, 1);
    const second = planStart(costs, window, { ledger });
    assert.equal(first.startS, 26 * h);
    assert.equal(second.startS, 27 * h, "02:00 is full: the next cheap hour");
    assert.equal(ledger.plannedAt(26.5 * h), 6);
  });

  it("never plans before now or past the latest start, and finds the cheapest start (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -50, max: 300 }), fc.constant(Number.NaN)), {
          minLength: 2,
          maxLength: 72,
        }),
        fc.integer({ min: 0, max: 72 * 60 }),
        fc.integer({ min: -120, max: 48 * 60 }),
        fc.integer({ min: 0, max: 12 * 60 }),
        (values, nowMinute, slackMinutes, durationMinutes) => {
          const costs = curve(values);
          const nowS = nowMinute * 60;
          const durationS = durationMinutes * 60;
          const latestStartS = nowS + slackMinutes * 60;
          const plan = planStart(costs, { nowS, latestStartS, durationS, gpus: 1 }, { minimumGain: 0 });
          assert.ok(plan.startS >= nowS);
          assert.ok(plan.startS === nowS || plan.startS <= latestStartS, "ends by the deadline");
          if (plan.verdict !== "shifted") return;
          // Brute force on a one-minute grid: nothing in the window is cheaper than the plan.
          const spanH = Math.max(durationS, 1) / h;
          const mean = (s: number) => (durationS > 0 ? costs.integral(s, s + durationS) / spanH : costs.at(s));
          for (let s = nowS; s <= latestStartS; s += 60) {
            const cost = mean(s);
            if (Number.isFinite(cost)) assert.ok(cost >= plan.costPlanned - 1e-6, `start ${s} costs ${cost}`);
          }
          assert.ok(plan.costPlanned < plan.costNow);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("deferral rules", () => {
  it("gives jobs of a queue or priority class a deadline, keeps a trace's own deadline", () => {
    const jobs = [
      jobSpec({ id: "a", queue: "research", submitS: 100, durationS: 3600 }),
      jobSpec({ id: "b", queue: "prod", submitS: 0, durationS: 60, priorityClass: "best-effort" }),
      jobSpec({ id: "c", queue: "research", submitS: 0, durationS: 60, deferrable: true, deadlineS: 500 }),
      jobSpec({ id: "d", queue: "prod", submitS: 0, durationS: 60 }),
    ];
    const rules = [
      { queue: "research", slackH: 12 },
      { priorityClass: "best-effort", slackH: 2 },
    ];
    const [a, b, c, d] = withDeferralRules(jobs, rules);
    assert.equal(a!.deferrable, true);
    assert.equal(a!.deadlineS, 100 + 3600 + 12 * h);
    assert.equal(b!.deadlineS, 60 + 2 * h);
    assert.equal(c!.deadlineS, 500);
    assert.equal(d!.deferrable, false);
    assert.equal(d!.deadlineS, undefined);
  });
});

/** A flat cluster of `count` nodes with 8 GPUs each. */
function cluster(count: number) {
  const rows = Array.from({ length: count }, (_, index) => `n${index},64000,262144,8,A100`);
  return inventoryFromOpenbNodes(`sn,cpu_milli,memory_mib,gpu,model\n${rows.join("\n")}\n`).inventory!;
}

/** Replays `jobs` on `nodes` 8-GPU nodes, with a shift check over `values` when given. */
function run(jobs: readonly JobSpec[], nodes: number, values?: readonly number[]) {
  const inventory = cluster(nodes);
  const checks = standardChecks(inventory);
  assert.ok(typeof checks !== "string");
  let check: ShiftCheck | undefined;
  if (values !== undefined) {
    const costs = curve(values);
    check = new ShiftCheck(costs, {
      what: "energy price",
      describeTime: (timeS) => `hour ${timeS / h}`,
      ledger: new ShiftLedger(costs.series, inventory.gpuCount / 2),
    });
    checks.push(check);
  }
  const scheduler = new Scheduler(inventory, {
    policy: "alixan",
    queues: queueConfigForJobs(jobs),
    checks,
    fullPassIntervalS: 0,
  });
  return { result: replay(scheduler, jobs), check };
}

describe("the scheduler holds deferrable jobs", () => {
  it("names the chosen hour while it holds a job, and leaves other work alone", () => {
    const jobs = [
      jobSpec({ id: "batch", queue: "q", submitS: 20 * h, durationS: h, gpus: 1, deferrable: true, deadlineS: 32 * h }),
      jobSpec({ id: "online", queue: "q", submitS: 20 * h, durationS: h, gpus: 1 }),
    ];
    const inventory = cluster(1);
    const checks = standardChecks(inventory);
    assert.ok(typeof checks !== "string");
    const costs = curve(cheapNight);
    checks.push(new ShiftCheck(costs, { what: "energy price", describeTime: (timeS) => `hour ${timeS / h}` }));
    const scheduler = new Scheduler(inventory, { policy: "alixan", queues: queueConfigForJobs(jobs), checks });
    const batch = scheduler.submit(jobs[0]!, 20 * h);
    const online = scheduler.submit(jobs[1]!, 20 * h);
    scheduler.cycle(20 * h);
    assert.equal(online.state, "admitted");
    assert.equal(batch.state, "queued");
    assert.match(
      batch.reason,
      /held for a lower energy price: starts hour 26 \(mean 30 €\/MWh .* 120 €\/MWh at once\); must end by hour 32/,
    );
    assert.equal(batch.notBeforeS, 26 * h);
  });

  it("misses no deadline and delays no other job when capacity is ample (property)", () => {
    const jobArbitrary = fc.record({
      submitH: fc.integer({ min: 0, max: 24 }),
      durationMinutes: fc.integer({ min: 1, max: 8 * 60 }),
      gpus: fc.integer({ min: 1, max: 8 }),
      slackMinutes: fc.option(fc.integer({ min: 0, max: 20 * 60 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 60, maxLength: 60 }),
        fc.array(jobArbitrary, { minLength: 1, maxLength: 12 }),
        (values, shapes) => {
          const jobs = shapes.map((shape, index) => {
            const submitS = shape.submitH * h;
            const durationS = shape.durationMinutes * 60;
            return jobSpec({
              id: `j${index}`,
              queue: "q",
              submitS,
              durationS,
              gpus: shape.gpus,
              deferrable: shape.slackMinutes !== undefined,
              deadlineS: shape.slackMinutes === undefined ? undefined : submitS + durationS + shape.slackMinutes * 60,
            });
          });
          // Two GPUs per GPU any job could ask: every job fits at any time, held or not.
          const nodes = Math.ceil((jobs.reduce((sum, spec) => sum + jobGpus(spec), 0) * 2) / 8);
          const shifted = run(jobs, nodes, values).result;
          for (const job of shifted.jobs) {
            const { spec } = job;
            if (spec.deadlineS !== undefined) assert.ok(job.endS <= spec.deadlineS, `${spec.id} ends by its deadline`);
            if (!spec.deferrable) assert.equal(job.firstStartS, spec.submitS, `${spec.id} starts at submission`);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
