import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { simulatedGeneration } from "../../../test/support/generation.ts";
import { loadSite } from "../../model/load.ts";
import { jobSpec } from "../../scheduler/jobs.ts";
import { dynamicKwOf, runningDynamicKw } from "./curtailment.ts";

const site = loadSite("lab").site!;
const generation = simulatedGeneration(site);
after(() => generation.live.dispose());

const job = generation.live.submit(
  jobSpec({ id: "train", queue: "default", submitS: 0, durationS: 3600, gpus: 2, gpuModels: ["H200"] }),
);
const rackLevel = generation.inventory.levels[generation.inventory.facility!.rackLevel]!;
const rackIndex = rackLevel.groupOfNode[job.nodes[0]!]!;
const type = site.rackTypes[site.racks[rackIndex]!.typeIndex]!;
const idleKw = Number(type.idlePower);
const designKw = (Number(type.designPower) - idleKw) * (2 / type.gpusPerRack);
const racksAt = (kw: number) => site.racks.map((_, index) => (index === rackIndex ? kw : idleKw));

describe("the power a curtailment plan counts for a running job", () => {
  it("is the job's share of what the twin drew above idle on its rack", () => {
    assert.equal(job.state, "running");
    assert.ok(Math.abs(dynamicKwOf(generation, job, racksAt(idleKw + 1)) - 1) < 1e-9, "alone on its rack");
  });

  it("is never more than the job's design power", () => {
    assert.ok(Math.abs(dynamicKwOf(generation, job, racksAt(idleKw + 1000)) - designKw) < 1e-9);
  });

  it("is design power without a twin reading, or with one taken before the work on its rack drew anything", () => {
    assert.ok(designKw > 0);
    assert.equal(dynamicKwOf(generation, job, undefined), designKw);
    assert.equal(dynamicKwOf(generation, job, racksAt(idleKw)), designKw, "a job just resumed is not free to pause");
    assert.equal(dynamicKwOf(generation, job, [idleKw]), designKw, "a reading of another site's racks");
  });

  it("is what the twin drew, idle included, with a reading of the placements in force", () => {
    assert.equal(dynamicKwOf(generation, job, racksAt(idleKw), true), 0, "a rack between runs draws nothing now");
    assert.ok(Math.abs(dynamicKwOf(generation, job, racksAt(idleKw + 1), true) - 1) < 1e-9);
    assert.equal(dynamicKwOf(generation, job, undefined, true), designKw, "no reading: design power");
  });

  it("counts a cap in force once: a current reading shows it, design power and older readings are held under it", () => {
    assert.ok(generation.live.cap(job, 0.5));
    try {
      // The twin drew 1 kW above idle with the cap in force: that is what the job draws, not half of it.
      assert.ok(Math.abs(runningDynamicKw(generation, job, racksAt(idleKw + 1), true) - 1) < 1e-9);
      assert.ok(Math.abs(runningDynamicKw(generation, job, undefined, true) - designKw / 2) < 1e-9, "no reading");
      assert.ok(Math.abs(runningDynamicKw(generation, job, undefined, false) - designKw / 2) < 1e-9, "no reading");
      // An older reading may predate the cap: never more than the capped design power, never scaled again.
      const stale = runningDynamicKw(generation, job, racksAt(idleKw + 1000), false);
      assert.ok(Math.abs(stale - designKw / 2) < 1e-9);
      assert.ok(Math.abs(runningDynamicKw(generation, job, racksAt(idleKw + 1), false) - 1) < 1e-9);
    } finally {
      generation.live.cap(job, 1);
    }
  });
});
