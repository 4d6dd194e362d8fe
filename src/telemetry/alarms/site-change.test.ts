import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadSite, parseSite } from "../../model/load.ts";
import type { Site } from "../../model/site.ts";
import { indexSite } from "../site-index.ts";
import { calmSnapshot } from "../testing/facility-snapshot.ts";
import { AlarmBook, type AlarmEvent } from "./book.ts";
import { FacilityWatch } from "./facility.ts";
import { followSiteChange, siteIdRenames } from "./site-change.ts";

const site = loadSite("lab").site!;
const start = Date.parse("2027-07-01T10:00:00Z");
const labText = readFileSync(new URL("../../../sites/lab.yaml", import.meta.url), "utf8");

/** The lab with `edit` applied to its file's text. */
function labWith(edit: (text: string) => string): Site {
  const parsed = parseSite(edit(labText));
  assert.ok(parsed.ok && parsed.site !== undefined, JSON.stringify(parsed.diagnostics));
  return parsed.site;
}

/** Hall 1 without its first row: its other rows (and their loops, CDUs and racks) are numbered one lower. */
const firstRowRemoved = labWith((text) =>
  text.replace("      - { pattern: gpu-row, racks: [{ type: nvl72, count: 4 }] }\n", ""),
);

describe("alarms across a site change", () => {
  it("reads one index per site: telemetry's re-placing and the renames of one change share it", () => {
    assert.equal(indexSite(firstRowRemoved), indexSite(firstRowRemoved));
    assert.notEqual(indexSite(firstRowRemoved), indexSite(site));
  });

  it("names the new ids of renamed racks, rows, loops and units, and the removed ones whose id passes on", () => {
    const renames = siteIdRenames(site, firstRowRemoved);
    assert.equal(renames.get("row:h1-r02"), "row:h1-r01");
    assert.equal(renames.get("tcs:h1-r03"), "tcs:h1-r02");
    assert.equal(renames.get("cdu:h1-r02-01"), "cdu:h1-r01-01");
    assert.equal(renames.get("rack:h1-r02-05"), "rack:h1-r01-05");
    assert.ok(renames.has("row:h1-r01") && renames.get("row:h1-r01") === undefined, "removed, its id passes on");
    assert.ok(renames.has("cdu:h1-r01-01") && renames.get("cdu:h1-r01-01") === undefined);
    assert.equal(renames.has("row:h2-r01"), false, "hall 2 is untouched");
  });

  it("moves facility and Redfish alarms to their equipment's new ids, ends those of removed equipment", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const before = new FacilityWatch(book, site);
    const state = calmSnapshot(site, start);
    state.tcs[0]!.failedCdus = ["cdu:h1-r01-01"];
    state.tcs[1]!.failedCdus = ["cdu:h1-r02-01"];
    // Row h1-r02 (racks 4..11) throttles: one loop alarm keyed by its loop.
    state.racks.throttle.fill(0.9, 4, 12);
    before.evaluate(state, start);
    const cdu = book.activeAlarm("facility-unit-failed|cdu:h1-r02-01")!;
    assert.ok(book.acknowledge(cdu.id, "camille", start + 100).ok);
    const throttling = book.activeAlarm("facility-throttling|tcs:h1-r02")!;
    assert.ok(throttling);
    book.raise({
      key: "redfish|bmc|/redfish/v1/Chassis/cdu3|Leak",
      source: "redfish",
      kind: "redfish",
      severity: "warning",
      title: "Leak",
      message: "leak on cdu 3",
      equipment: "cdu:h1-r03-01",
      at: start,
    });
    book.raise({
      key: 'cdu-temp|cdu_supply_c{equipment="cdu:h1-r02-01"}|above',
      source: "cdu-temp",
      kind: "threshold",
      severity: "warning",
      title: "CDU supply hot",
      message: "hot",
      equipment: "cdu:h1-r02-01",
      series: 'cdu_supply_c{equipment="cdu:h1-r02-01"}',
      at: start,
    });
    const events: AlarmEvent[] = [];
    book.onEvent((event) => events.push(event));

    const followed = followSiteChange(book, site, firstRowRemoved, before.raisedKeys, start + 1000);
    assert.equal(followed.problem, undefined);
    assert.equal(followed.renamed, 3);
    assert.equal(followed.cleared, 1);
    assert.deepEqual(events.map((event) => `${event.type} ${event.alarm.key}`).sort(), [
      "cleared facility-unit-failed|cdu:h1-r01-01",
      "renamed facility-throttling|tcs:h1-r01",
      "renamed facility-unit-failed|cdu:h1-r01-01",
      "renamed redfish|bmc|/redfish/v1/Chassis/cdu3|Leak",
    ]);
    const ended = events.find((event) => event.type === "cleared")!.alarm;
    assert.match(ended.message, /^cdu:h1-r01-01 was removed from the site by a site change/);
    const moved = book.activeAlarm("facility-unit-failed|cdu:h1-r01-01")!;
    assert.equal(moved.id, cdu.id, "the same alarm under the new key");
    assert.equal(moved.acknowledged?.by, "camille");
    assert.equal(moved.equipment, "cdu:h1-r01-01");
    assert.deepEqual(moved.rows, ["row:h1-r01"]);
    assert.equal(moved.location.row, "row:h1-r01");
    assert.equal(book.activeAlarm("facility-throttling|tcs:h1-r01")!.id, throttling.id);
    const redfish = book.activeAlarm("redfish|bmc|/redfish/v1/Chassis/cdu3|Leak")!;
    assert.equal(redfish.equipment, "cdu:h1-r02-01", "its key names no site id: its equipment follows");
    assert.equal(redfish.location.row, "row:h1-r02");
    const series = book.list().find((alarm) => alarm.kind === "threshold")!;
    assert.equal(series.equipment, "cdu:h1-r02-01", "keyed by its series: left as the data names it");

    // The watch of the new site takes the moved keys over: the same conditions keep the same alarms, unannounced.
    events.length = 0;
    const after = new FacilityWatch(book, firstRowRemoved, {}, followed.keys);
    const next = calmSnapshot(firstRowRemoved, start);
    next.tcs[0]!.failedCdus = ["cdu:h1-r01-01"];
    next.racks.throttle.fill(0.9, 0, 8);
    after.evaluate(next, start + 2000);
    assert.deepEqual(events, [], "no clearing, no second raise");
    assert.equal(book.activeAlarm("facility-unit-failed|cdu:h1-r01-01")!.id, cdu.id);
  });

  it("follows a digits change of a unit group (cdu:h1-r01-02 becomes cdu:h1-r01-002)", () => {
    const threeDigits = labWith((text) =>
      text.replace(
        "cdus: { model: cdu-800, count: 2, redundancy: N+1 }\n    tcs: { supplySetpointC: 39.5",
        "cdus: { model: cdu-800, count: 2, redundancy: N+1, unitDigits: 3 }\n    tcs: { supplySetpointC: 39.5",
      ),
    );
    const book = new AlarmBook({ site: indexSite(site) });
    const before = new FacilityWatch(book, site);
    const state = calmSnapshot(site, start);
    state.tcs[0]!.failedCdus = ["cdu:h1-r01-02"];
    before.evaluate(state, start);
    const id = book.activeAlarm("facility-unit-failed|cdu:h1-r01-02")!.id;
    const followed = followSiteChange(book, site, threeDigits, before.raisedKeys, start + 1000);
    assert.deepEqual(followed.keys, ["facility-unit-failed|cdu:h1-r01-002"]);
    assert.equal(book.activeAlarm("facility-unit-failed|cdu:h1-r01-002")!.id, id);
  });

  it("changes nothing when the change renames nothing an alarm names", () => {
    const book = new AlarmBook({ site: indexSite(site) });
    const before = new FacilityWatch(book, site);
    const state = calmSnapshot(site, start);
    state.tcs[3]!.failedCdus = ["cdu:h2-r01-01"];
    before.evaluate(state, start);
    const events: AlarmEvent[] = [];
    book.onEvent((event) => events.push(event));
    const followed = followSiteChange(book, site, firstRowRemoved, before.raisedKeys, start + 1000);
    assert.deepEqual(followed.keys, before.raisedKeys);
    assert.deepEqual(events, []);
  });
});
