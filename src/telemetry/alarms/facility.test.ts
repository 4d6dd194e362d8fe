import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadSite, parseSite } from "../../model/load.ts";
import { LiveTwin } from "../../twin/live.ts";
import { indexSite } from "../site-index.ts";
import { calmSnapshot } from "../testing/facility-snapshot.ts";
import { type Alarm, AlarmBook } from "./book.ts";
import { FacilityWatch } from "./facility.ts";

const site = loadSite("lab").site!;
const start = Date.parse("2027-07-01T10:00:00Z");

function active(book: AlarmBook, source: string): Alarm[] {
  return book.list().filter((alarm) => alarm.source === source);
}

/** A calm snapshot of the lab: every loop at 40 % of capacity, supply 30 °C, nothing throttled. */
const calm = () => calmSnapshot(site, start);

describe("facility watch", () => {
  it("a CDU failed on the live twin raises one alarm naming it, its row and hall, and clears on repair", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const watch = new FacilityWatch(book, site);
    const twin = new LiveTwin(site, { startMs: start });
    watch.evaluate(twin.snapshot(), start);
    assert.deepEqual(active(book, "facility-unit-failed"), [], "nothing failed yet");

    assert.ok(twin.failCdu("cdu:h1-r03-01").ok);
    twin.advanceTo(start + 5_000);
    watch.evaluate(twin.snapshot(), start + 5_000);
    const [alarm, ...others] = active(book, "facility-unit-failed");
    assert.equal(others.length, 0);
    assert.ok(alarm);
    assert.equal(alarm.equipment, "cdu:h1-r03-01");
    assert.equal(alarm.title, "CDU out of service");
    assert.deepEqual(alarm.rows, ["row:h1-r03"]);
    assert.equal(alarm.location.hall, "hall:h1");
    assert.match(alarm.message, /^CDU h1-r03-01 is out of service\. Its loop in row h1-r03 has .* of cooling spare/);
    assert.doesNotMatch(alarm.message, /[{}=]/, "plain words, no metric syntax");

    assert.ok(twin.repairCdu("cdu:h1-r03-01").ok);
    twin.advanceTo(start + 10_000);
    watch.evaluate(twin.snapshot(), start + 10_000);
    assert.deepEqual(active(book, "facility-unit-failed"), []);
  });

  it("racks tripped on the live twin raise one critical alarm for their row, apart from throttling, until back", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const watch = new FacilityWatch(book, site);
    const twin = new LiveTwin(site, { startMs: start });
    const step = (seconds: number) => {
      twin.advanceTo(twin.timeMs + seconds * 1000);
      watch.evaluate(twin.snapshot(), twin.timeMs);
    };
    step(60);
    assert.deepEqual(active(book, "facility-racks-tripped"), []);
    // Both CDUs of the NVL72 row: its four racks throttle within a minute, then trip.
    assert.ok(twin.failCdu("cdu:h1-r01-01").ok);
    assert.ok(twin.failCdu("cdu:h1-r01-02").ok);
    step(50);
    assert.equal(active(book, "facility-throttling").length, 1, "a minute in, they throttle");
    assert.deepEqual(active(book, "facility-racks-tripped"), []);
    step(300);
    const [tripped, ...more] = active(book, "facility-racks-tripped");
    assert.equal(more.length, 0);
    assert.ok(tripped);
    assert.equal(tripped.severity, "critical");
    assert.deepEqual(tripped.rows, ["row:h1-r01"]);
    assert.equal(tripped.value, 4);
    assert.match(tripped.message, /^4 racks of row h1-r01 are off after a protective trip .*: their jobs stopped\.$/);
    // A tripped rack draws nothing: it is not also counted as throttling.
    assert.deepEqual(active(book, "facility-throttling"), []);
    // Repaired: the loop cools, the racks restart over 10 minutes, and the alarm clears once they all run.
    assert.ok(twin.repairCdu("cdu:h1-r01-01").ok);
    assert.ok(twin.repairCdu("cdu:h1-r01-02").ok);
    step(300);
    assert.equal(active(book, "facility-racks-tripped").length, 1, "still restarting");
    for (let minute = 0; minute < 30 && active(book, "facility-racks-tripped").length > 0; minute++) step(60);
    assert.deepEqual(active(book, "facility-racks-tripped"), []);
    assert.ok(twin.snapshot().racks.running.every((share) => share === 1));
  });

  it("pumps, dry coolers and air handlers failed on the live twin raise critical alarms on their plant", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const watch = new FacilityWatch(book, site);
    const twin = new LiveTwin(site, { startMs: start });
    assert.ok(twin.failUnit("pump:lab-fws-01").ok);
    assert.ok(twin.failUnit("drycooler:lab-02").ok);
    assert.ok(twin.failUnit("pump:lab-air-01").ok);
    assert.ok(twin.failUnit("crah:h2-01").ok);
    assert.match(
      (twin.failUnit("pump:nope") as { error: string }).error,
      /no CDU, pump \(facility water or air side\), dry cooler, chiller or hall air handler \(CRAH\) pump:nope/,
    );
    twin.advanceTo(start + 2_000);
    watch.evaluate(twin.snapshot(), start + 2_000);
    const titles = active(book, "facility-unit-failed")
      .map((alarm) => `${alarm.severity} ${alarm.title}: ${alarm.equipment}`)
      .sort();
    assert.deepEqual(titles, [
      "critical Air handler (CRAH) out of service: crah:h2-01",
      "critical Air-side chilled-water pump out of service: pump:lab-air-01",
      "critical Dry cooler out of service: drycooler:lab-02",
      "critical Facility water pump out of service: pump:lab-fws-01",
    ]);
    const pump = active(book, "facility-unit-failed").find((alarm) => alarm.equipment === "pump:lab-fws-01")!;
    assert.equal(pump.rows.length, site.rows.length, "a plant unit feeds every row of its halls");
    assert.ok(twin.repairUnit("pump:lab-fws-01").ok);
    twin.advanceTo(start + 3_000);
    watch.evaluate(twin.snapshot(), start + 3_000);
    assert.deepEqual(
      active(book, "facility-unit-failed")
        .map((alarm) => alarm.equipment)
        .sort(),
      ["crah:h2-01", "drycooler:lab-02", "pump:lab-air-01"],
    );
  });

  it("a site change hands the alarms over: those still true stay the same alarms, acknowledged, unannounced; the others clear", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const events: string[] = [];
    book.onEvent((event) => events.push(`${event.type} ${event.alarm.key}`));
    const state = calm();
    state.tcs[0]!.failedCdus = ["cdu:h1-r01-01"];
    state.tcs[4]!.failedCdus = ["cdu:h2-r02-02"];
    Object.assign(state.plants[0]!, { failedUnits: ["pump:lab-fws-01"] });
    const before = new FacilityWatch(book, site);
    before.evaluate(state, start);
    const cdu = active(book, "facility-unit-failed").find((alarm) => alarm.equipment === "cdu:h1-r01-01")!;
    assert.ok(book.acknowledge(cdu.id, "camille", start + 500).ok);

    // The change removes hall 2's last row (its CDUs with it): the new site's loops are the first four.
    const text = readFileSync(new URL("../../../sites/lab.yaml", import.meta.url), "utf8");
    const lastRow = "      - { pattern: cpu-row, racks: [{ type: cpu, count: 6 }] }\n";
    const changed = parseSite(
      text.slice(0, text.lastIndexOf(lastRow)) + text.slice(text.lastIndexOf(lastRow) + lastRow.length),
    );
    assert.ok(changed.ok && changed.site !== undefined && changed.site.rows.length === site.rows.length - 1);
    const after = new FacilityWatch(book, changed.site, {}, before.raisedKeys);
    events.length = 0;
    const next = calm();
    next.tcs.pop();
    next.tcs[0]!.failedCdus = ["cdu:h1-r01-01"];
    Object.assign(next.plants[0]!, { failedUnits: ["pump:lab-fws-01"] });
    after.evaluate(next, start + 1000);

    const failed = active(book, "facility-unit-failed");
    assert.deepEqual(failed.map((alarm) => alarm.equipment).sort(), ["cdu:h1-r01-01", "pump:lab-fws-01"]);
    const kept = failed.find((alarm) => alarm.equipment === "cdu:h1-r01-01")!;
    assert.equal(kept.id, cdu.id, "the same alarm");
    assert.equal(kept.acknowledged?.by, "camille", "still acknowledged");
    assert.deepEqual(events, ["cleared facility-unit-failed|cdu:h2-r02-02"], "no new raise; the removed CDU's clears");
  });

  it("a platform starting again takes over the restored facility alarms: one whose condition went clears", () => {
    const stored = new AlarmBook({ site: indexSite(site) });
    const state = calm();
    state.tcs[0]!.failedCdus = ["cdu:h1-r01-01"];
    state.tcs[1]!.failedCdus = ["cdu:h1-r02-01"];
    new FacilityWatch(stored, site).evaluate(state, start);
    // The store's copy of the book, as the telemetry service restores it at start.
    const book = new AlarmBook({ site: indexSite(site) });
    for (const alarm of stored.list()) book.restore(alarm);
    const restoredIds = active(book, "facility-unit-failed").map((alarm) => alarm.id);
    assert.equal(restoredIds.length, 2);
    // While the platform was stopped, h1-r02's CDU was repaired: only h1-r01's is still out.
    const next = calm();
    next.tcs[0]!.failedCdus = ["cdu:h1-r01-01"];
    FacilityWatch.resuming(book, site).evaluate(next, start + 60_000);
    const [kept, ...others] = active(book, "facility-unit-failed");
    assert.equal(others.length, 0, "the repaired CDU's alarm cleared");
    assert.equal(kept?.equipment, "cdu:h1-r01-01");
    assert.ok(restoredIds.includes(kept.id), "the same alarm as before the restart");
  });

  it("loop supply above the rack limit, hot outlets, throttling and low headroom raise one alarm per loop", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const watch = new FacilityWatch(book, site);
    const state = calm();
    watch.evaluate(state, start);
    assert.deepEqual(book.list(), [], "a calm facility has no alarm");

    // Row h1-r03 (12 racks; its lowest type limit is 40 °C): supply 42 °C, half its racks throttled to 60 %.
    const row = site.rows[2]!;
    state.tcs[2]!.supplyC = 42;
    for (let rack = row.rackStart; rack < row.rackStart + 6; rack++) {
      state.racks.throttle[rack] = 0.6;
      state.racks.powerKW[rack] = 12;
      state.racks.tcsReturnC[rack] = 70;
    }
    // Row h2-r01: 5 % spare, under the 10 % warning level; h2-r02: 2 %, under the 3 % critical one.
    Object.assign(state.tcs[3]!, { heatKW: 950, headroomKW: 50 });
    Object.assign(state.tcs[4]!, { heatKW: 980, headroomKW: 20 });
    watch.evaluate(state, start + 1000);

    const supply = active(book, "facility-loop-supply");
    assert.equal(supply.length, 1);
    assert.equal(supply[0]!.severity, "critical");
    assert.match(supply[0]!.message, /row h1-r03 is 42\.0 °C, above the 40\.0 °C its racks accept/);
    const throttling = active(book, "facility-throttling");
    assert.equal(throttling.length, 1);
    // 6 racks drawing 12 kW at 60 % would draw 20 kW: 6 × 8 kW lost.
    assert.match(throttling[0]!.message, /^6 racks of row h1-r03 run below full power .*: 48 kW of IT power lost/);
    assert.equal(active(book, "facility-rack-outlet").length, 1);
    const headroom = active(book, "facility-loop-headroom").sort((a, b) => a.rows[0]!.localeCompare(b.rows[0]!));
    assert.deepEqual(
      headroom.map((alarm) => [alarm.rows[0], alarm.severity]),
      [
        ["row:h2-r01", "warning"],
        ["row:h2-r02", "critical"],
      ],
    );

    // Hysteresis: 11 % spare keeps the warning (clears above 12 %); 13 % clears it.
    Object.assign(state.tcs[3]!, { heatKW: 890, headroomKW: 110 });
    watch.evaluate(state, start + 2000);
    assert.equal(active(book, "facility-loop-headroom").length, 2);
    Object.assign(state.tcs[3]!, { heatKW: 870, headroomKW: 130 });
    watch.evaluate(state, start + 3000);
    assert.deepEqual(
      active(book, "facility-loop-headroom").map((alarm) => alarm.rows[0]),
      ["row:h2-r02"],
    );

    // Back to calm: everything clears.
    watch.evaluate(calm(), start + 4000);
    assert.deepEqual(book.list(), []);
  });

  it("thresholds are the operator's: a 70 % headroom warning level flags the calm lab", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const watch = new FacilityWatch(book, site, { headroomWarningPercent: 70 });
    watch.evaluate(calm(), start);
    assert.equal(active(book, "facility-loop-headroom").length, site.rows.length);
  });

  it("a stale facility state and an expiring certification raise alarms", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const watch = new FacilityWatch(book, site);
    watch.evaluate(calm(), start);
    watch.checkStale(start + 20_000);
    assert.equal(active(book, "facility-state-stale").length, 0);
    watch.checkStale(start + 45_000);
    const [stale] = active(book, "facility-state-stale");
    assert.equal(stale?.severity, "critical");
    assert.match(stale!.message, /No new facility state for 45 s/);
    watch.evaluate(calm(), start + 46_000);
    assert.equal(active(book, "facility-state-stale").length, 0, "a new step clears it");

    // The lab's HDS zone is certified until 2029-06-30.
    const nearEnd = Date.parse("2029-06-10T00:00:00Z");
    watch.evaluate(calm(), nearEnd);
    const [expiring] = active(book, "facility-certification");
    assert.equal(expiring?.severity, "warning");
    assert.match(
      expiring!.message,
      /HDS, ISO-27001 certification of Health data suite \(HDS\) ends on 2029-06-30 \(in 20 days\)/,
    );
    watch.evaluate(calm(), Date.parse("2029-07-01T00:00:00Z"));
    assert.equal(active(book, "facility-certification")[0]?.severity, "critical");
  });

  it("the book asks the resolver for each alarm's impact when raised and on refresh", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    let tenants = ["valdiag"];
    book.setImpactResolver((alarm) => ({
      halls: [],
      rows: [...alarm.rows],
      rackCount: 1,
      racks: [],
      jobs: [],
      jobCount: tenants.length,
      tenants: tenants.map((id) => ({ id, name: id })),
      summary: `${alarm.title} touches ${tenants.join(", ")}`,
    }));
    const watch = new FacilityWatch(book, site);
    const state = calm();
    state.tcs[0]!.failedCdus = ["cdu:h1-r01-01"];
    watch.evaluate(state, start);
    assert.equal(book.list()[0]?.impact?.summary, "CDU out of service touches valdiag");
    tenants = ["valdiag", "rhone-pharma"];
    book.refreshImpacts();
    assert.deepEqual(
      book.list()[0]?.impact?.tenants.map((tenant) => tenant.id),
      ["valdiag", "rhone-pharma"],
    );
  });
});
