import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseSite } from "../model/load.ts";
import type { Site } from "../model/site.ts";
import { carryMap } from "./carry.ts";
import { PartitionKernel } from "./kernel.ts";
import { buildPartition } from "./layout.ts";
import type { RackLoad } from "./profiles.ts";
import type { TwinEvent } from "./scenario.ts";
import { valenceTypicalYear } from "./weather.ts";

const labPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "sites", "lab.yaml");
/** The lab with `edits` (text replaced) applied to its file. */
function labWith(...edits: [string, string][]): Site {
  let text = readFileSync(labPath, "utf8");
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `the lab file has ${from}`);
    text = text.replace(from, to);
  }
  const loaded = parseSite(text, { fileName: labPath });
  assert.ok(loaded.ok && loaded.site !== undefined, JSON.stringify(loaded.diagnostics));
  return loaded.site;
}

/** Hall 1 without its rear-door row: at full load with its air handlers out, its racks trip and latch. */
const noDoors: [string, string] = ["      - { pattern: cpu-row, racks: [{ type: cpu, count: 12 }] }\n", ""];
const full: RackLoad = { fill: (_timeS, out) => out.fill(1) };
const weather = valenceTypicalYear(1);
/** 17 July, 15:00 on the typical year. */
const julyS = (197 * 24 + 15) * 3600;
const stepS = 5;

function kernelOf(site: Site, startS: number): PartitionKernel {
  const partition = buildPartition(
    site,
    site.plants.map((plant) => plant.index),
  );
  return new PartitionKernel(partition, weather, full, [], [], stepS, startS);
}

const unit = (unit: TwinEvent & { kind: "unit" }): TwinEvent => unit;
const crahOut = (timeS: number) =>
  [0, 1].map(() => unit({ timeS, kind: "unit", unit: "crah", index: 0, delta: -1 })) as TwinEvent[];

describe("kernel state carried into another kernel", () => {
  it("takes every state that moves the next steps: trip windows, latches, alarms, restart ramps, hall masses", () => {
    const site = labWith(noDoors);
    const old = kernelOf(site, julyS);
    old.applyNow(crahOut(old.timeS));
    // 45 minutes: hall 1's racks tripped, restarted and tripped again, latched, their operator alarm waiting.
    for (let step = 0; step < (45 * 60) / stepS; step++) old.step();
    // A CDU of hall 2 fails and returns: its restart ramp is under way.
    old.applyNow([unit({ timeS: old.timeS, kind: "unit", unit: "cdu", index: 2, delta: -1 })]);
    old.step();
    old.applyNow([unit({ timeS: old.timeS, kind: "unit", unit: "cdu", index: 2, delta: 1 })]);
    old.step();
    const state = old.exportState();
    assert.ok(old.latched.some((value) => value === 1) && old.hallMassRiseK[0]! > 1, "latched, hall 1 warm");
    assert.ok(Array.from(state.rows.alarmS!).some(Number.isFinite), "an operator alarm waits");
    assert.ok(old.cduInService[2]! < 2, `CDUs in service ${old.cduInService[2]}`);

    // The new kernel re-takes the old one's last step from cold, is given what is held, then the state.
    const next = kernelOf(site, old.timeS - stepS);
    next.step();
    next.applyNow(crahOut(next.timeS));
    next.importState(state, carryMap({ site, partition: old.partition }, { site, partition: next.partition }));
    assert.deepEqual(next.exportState(), state);
    // 40 minutes on: the operator's round falls due (the alarm was raised before the change), racks restart and trip.
    for (let step = 0; step < (40 * 60) / stepS; step++) {
      old.step();
      next.step();
    }
    assert.deepEqual(next.exportState(), old.exportState());
    assert.deepEqual(next.hallCrahInletC, old.hallCrahInletC);
    assert.deepEqual(next.hallGridKw, old.hallGridKw);
  });

  it("maps racks and rows as the site change reads them, halls and plants by id; what is new maps to nothing", () => {
    const before = labWith();
    // A row of two HGX racks at the head of hall 1, and hall 2's CPU row gone.
    const after = labWith(
      [
        "    rows:\n      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n",
        "    rows:\n      - { pattern: gpu-row, racks: [{ type: hgx, count: 2 }], busways: { ratingKW: 400 } }\n" +
          "      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n",
      ],
      ["      - { pattern: cpu-row, racks: [{ type: cpu, count: 6 }] }\n", ""],
    );
    const partitionOf = (site: Site) =>
      buildPartition(
        site,
        site.plants.map((plant) => plant.index),
      );
    const map = carryMap(
      { site: before, partition: partitionOf(before) },
      { site: after, partition: partitionOf(after) },
    );
    // Rows before: h1-r01 (NVL72), h1-r02, h1-r03, h2-r01, h2-r02; after, the new row first and no h2-r02.
    assert.deepEqual(Array.from(map.rows), [-1, 0, 1, 2, 3]);
    const rackCount = before.racks.length - 6;
    assert.deepEqual(Array.from(map.racks), [-1, -1, ...Array.from({ length: rackCount }, (_, rack) => rack)]);
    assert.deepEqual([Array.from(map.halls), Array.from(map.plants)], [[0, 1], [0]]);
  });
});
