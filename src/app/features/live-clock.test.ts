import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../../model/load.ts";
import { LiveTwin } from "../../twin/live.ts";
import { LiveClock } from "./live-clock.ts";

const lab = loadSite("lab").site!;

describe("live clock: a site change's twin", () => {
  it("goes on from the one before, and starts cold on the same clock when the state cannot be carried", (t) => {
    const warnings: string[] = [];
    const clock = new LiveClock({ speed: 1, coupling: undefined, telemetry: undefined, warn: (m) => warnings.push(m) });
    clock.build(lab, (twin) => twin.failCdu("cdu:h1-r01-01"));
    const first = clock.current().twin;
    // Both CDUs of the row out for ten simulated minutes: its loop heats far above a fresh twin's.
    first.failCdu("cdu:h1-r01-02");
    first.advanceTo(first.timeMs + 600_000);
    const hotC = first.snapshot().tcs.find((loop) => loop.id === "tcs:h1-r01")!.supplyC;

    clock.build(lab);
    const carried = clock.current();
    assert.notEqual(carried.twin, first);
    assert.equal(carried.twin.timeMs, first.timeMs, "the clock goes on");
    assert.equal(carried.snapshot.tcs.find((loop) => loop.id === "tcs:h1-r01")!.supplyC, hotC, "the loop stays hot");
    assert.deepEqual(warnings, []);

    // A carry that throws halfway leaves a twin that starts cold, not half carried, and says so.
    const carryFrom = LiveTwin.prototype.carryFrom;
    t.mock.method(LiveTwin.prototype, "carryFrom", function (this: LiveTwin, previous: LiveTwin) {
      carryFrom.call(this, previous);
      throw new Error("carried state has other unit groups");
    });
    clock.build(lab);
    const cold = clock.current();
    assert.equal(cold.twin.timeMs, carried.twin.timeMs, "on the same clock");
    const coldC = cold.snapshot.tcs.find((loop) => loop.id === "tcs:h1-r01")!.supplyC;
    assert.ok(coldC < hotC - 5, `cold loop ${coldC} °C against ${hotC} °C`);
    assert.match(warnings.join("\n"), /starts cold after the site change: carried state has other unit groups/);
    clock.stop();
  });
});
