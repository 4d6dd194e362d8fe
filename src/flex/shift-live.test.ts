import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inventoryFromOpenbNodes } from "../scheduler/inventory.ts";
import { jobSpec } from "../scheduler/jobs.ts";
import { Scheduler } from "../scheduler/scheduler.ts";
import { queueConfigForJobs, standardChecks } from "../scheduler/setup.ts";
import { liveShift } from "./shift-live.ts";

const inventory = inventoryFromOpenbNodes("sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,8,A100\n").inventory!;
const h = 3_600;

/** A file with a day of prices from 2026-03-02 00:00 UTC: 100 €/MWh, 20 €/MWh from 03:00 to 05:00. */
const file = [
  "version: 1",
  "prices:",
  ...Array.from(
    { length: 24 },
    (_, hour) =>
      `  - { at: '2026-03-02T${String(hour).padStart(2, "0")}:00Z', eurPerMWh: ${hour >= 3 && hour < 5 ? 20 : 100} }`,
  ),
  // A curtailment long past is the live controller's business: it must not stop the shift.
  "curtailments: [{ at: '2026-01-01T10:00Z', duration: 1h, reduceMW: 5 }]",
].join("\n");

describe("shifting on the live platform", () => {
  it("holds a deferrable job until the cheap hours on the wall clock, naming them, within its deadline", () => {
    const factory = liveShift(file, "signals.yaml", "price");
    assert.ok(factory.ok, factory.ok ? "" : factory.error);
    const epochMs = Date.parse("2026-03-02T00:30:00Z");
    const jobs = [
      jobSpec({ id: "batch", queue: "q", submitS: 0, durationS: h, gpus: 1, deferrable: true, deadlineS: 8 * h }),
      jobSpec({ id: "tight", queue: "q", submitS: 0, durationS: h, gpus: 1, deferrable: true, deadlineS: 2 * h }),
      jobSpec({ id: "online", queue: "q", submitS: 0, durationS: h, gpus: 1 }),
    ];
    const checks = standardChecks(inventory);
    assert.ok(typeof checks !== "string");
    checks.push(factory.value(inventory, epochMs, "Europe/Paris"));
    const scheduler = new Scheduler(inventory, { policy: "alixan", queues: queueConfigForJobs(jobs), checks });
    const [batch, tight, online] = jobs.map((spec) => scheduler.submit(spec, 0));
    scheduler.cycle(0);
    assert.equal(batch!.state, "queued");
    assert.match(batch!.reason, /starts 2026-03-02T03:00Z .* must end by 2026-03-02T08:30Z/);
    assert.equal(batch!.notBeforeS, 2.5 * h, "03:00 is 2.5 h after the epoch");
    assert.equal(tight!.state, "admitted", "its deadline leaves no room to reach the cheap hours");
    assert.equal(online!.state, "admitted");
  });

  it("refuses a price shift without prices, and names a bad field", () => {
    const none = liveShift("version: 1\ncarbon: [{ at: '+0h', gCO2PerKWh: 20 }]", "s.yaml", "price");
    assert.ok(!none.ok && /s\.yaml: prices: --shift price needs a price series/.test(none.error));
    assert.ok(liveShift("version: 1\ncarbon: [{ at: '+0h', gCO2PerKWh: 20 }]", "s.yaml", "carbon").ok);
    const bad = liveShift("version: 1\nprices: [{ at: '+0h', eurPerMWh: 'cheap' }]", "s.yaml", "price");
    assert.ok(!bad.ok && /^s\.yaml:2: prices\[0\]\.eurPerMWh/.test(bad.error), bad.ok ? "" : bad.error);
  });
});
