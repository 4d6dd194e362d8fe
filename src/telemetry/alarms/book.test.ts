import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadSite } from "../../model/load.ts";
import { indexSite } from "../site-index.ts";
import { AlarmBook, type AlarmEvent, type AlarmReport } from "./book.ts";

const site = indexSite(loadSite("lab").site!);

function report(overrides: Partial<AlarmReport> = {}): AlarmReport {
  return {
    key: "leak|cdu",
    source: "leak-detector",
    kind: "state",
    severity: "warning",
    title: "Leak detected",
    message: "moisture",
    equipment: "cdu:h1-r02-01",
    at: 1000,
    ...overrides,
  };
}

describe("alarm book", () => {
  it("names the equipment and the rows it feeds, deduplicates repeats and escalates", () => {
    const book = new AlarmBook({ site });
    const events: AlarmEvent[] = [];
    book.onEvent((event) => events.push(event));
    book.raise(report());
    book.raise(report({ at: 2000 }));
    book.raise(report({ at: 3000, severity: "critical", message: "pooling" }));
    const [alarm] = book.list();
    assert.equal(alarm!.equipment, "cdu:h1-r02-01");
    assert.deepEqual(alarm!.rows, ["row:h1-r02"]);
    assert.equal(alarm!.location.hall, "hall:h1");
    assert.equal(alarm!.severity, "critical");
    assert.equal(alarm!.occurrences, 3);
    assert.deepEqual(
      events.map((event) => event.type),
      ["raised", "escalated"],
    );
  });

  it("records who acknowledged and shelved, re-asks acknowledgement on escalation, expires shelving", () => {
    const book = new AlarmBook({ site, maxShelveMs: 3_600_000 });
    const events: AlarmEvent[] = [];
    book.onEvent((event) => events.push(event));
    book.raise(report());
    const id = book.list()[0]!.id;
    const acknowledged = book.acknowledge(id, "camille", 1500, "draining rows");
    assert.ok(acknowledged.ok);
    assert.deepEqual(acknowledged.value.acknowledged, { by: "camille", at: 1500, comment: "draining rows" });
    const twice = book.acknowledge(id, "yanis", 1600);
    assert.deepEqual(twice, { ok: false, problem: `alarm ${id} was already acknowledged by camille` });
    book.raise(report({ severity: "critical", at: 1700 }));
    assert.equal(book.get(id)!.acknowledged, undefined, "escalation asks for a new acknowledgement");

    assert.deepEqual(book.shelve(id, "camille", 1800 + 7_200_000, 1800), {
      ok: false,
      problem: "shelving is limited to 60 minutes",
    });
    assert.deepEqual(book.shelve(id, "camille", 1000, 1800), {
      ok: false,
      problem: "the shelving must end in the future",
    });
    const shelved = book.shelve(id, "camille", 61_800, 1800, "known, crew on site");
    assert.ok(shelved.ok);
    assert.equal(book.list({ shelved: false }).length, 0);
    book.expireShelvings(50_000);
    assert.ok(book.get(id)!.shelved !== undefined);
    book.expireShelvings(61_800);
    assert.equal(book.get(id)!.shelved, undefined);
    const last = events.at(-1)!;
    assert.equal(last.type, "unshelved");
    assert.equal(last.user, "system");

    book.clear("leak|cdu", 70_000);
    assert.equal(book.list().length, 0);
    assert.equal(book.list({ state: "cleared" })[0]!.clearedAt, 70_000);
    assert.deepEqual(book.acknowledge(id, "camille", 80_000), { ok: false, problem: `alarm ${id} is already cleared` });
    assert.deepEqual(book.acknowledge("nope", "camille", 80_000), { ok: false, problem: 'no alarm "nope"' });
    assert.deepEqual(
      events.map((event) => [event.type, event.user]),
      [
        ["raised", undefined],
        ["acknowledged", "camille"],
        ["escalated", undefined],
        ["shelved", "camille"],
        ["unshelved", "system"],
        ["cleared", undefined],
      ],
    );
  });

  it("counts and filters active alarms by severity, row and hall", () => {
    const book = new AlarmBook({ site });
    book.raise(report());
    book.raise(report({ key: "b", severity: "critical", equipment: "rack:h2-r01-01" }));
    assert.deepEqual(book.activeCounts(), { info: 0, warning: 1, critical: 1 });
    assert.equal(book.list({ minimumSeverity: "critical" }).length, 1);
    assert.equal(book.list({ row: "row:h2-r01" })[0]!.equipment, "rack:h2-r01-01");
    assert.equal(book.list({ hall: "hall:h1" }).length, 1);
  });

  it("rekeys an alarm to its equipment's new id: same id, acknowledgement and shelving, one renamed event", () => {
    const book = new AlarmBook({ site, maxShelveMs: 3_600_000 });
    const events: AlarmEvent[] = [];
    book.onEvent((event) => events.push(event));
    book.raise(report({ key: "f|cdu:h1-r02-01", equipment: "cdu:h1-r02-01" }));
    const id = book.list()[0]!.id;
    assert.ok(book.acknowledge(id, "camille", 1100).ok);
    assert.ok(book.shelve(id, "camille", 1_000_000, 1200).ok);
    book.setImpactResolver((alarm) => ({
      halls: [],
      rows: [...alarm.rows],
      rackCount: 0,
      racks: [],
      jobs: [],
      jobCount: 0,
      tenants: [],
      summary: `about ${alarm.equipment}`,
    }));
    events.length = 0;
    const location = { equipment: "cdu:h1-r01-01", row: "row:h1-r01", hall: "hall:h1", plant: "plant:lab" };
    const moved = book.rekey(
      new Map([
        [
          "f|cdu:h1-r02-01",
          { key: "f|cdu:h1-r01-01", equipment: "cdu:h1-r01-01", location, rows: ["row:h1-r01"], comment: "why" },
        ],
      ]),
      2000,
    );
    assert.ok(moved.ok);
    assert.equal(moved.value.length, 1);
    const alarm = book.activeAlarm("f|cdu:h1-r01-01")!;
    assert.equal(book.activeAlarm("f|cdu:h1-r02-01"), undefined, "nothing left under the old key");
    assert.equal(alarm.id, id);
    assert.equal(alarm.key, "f|cdu:h1-r01-01");
    assert.equal(alarm.equipment, "cdu:h1-r01-01");
    assert.deepEqual(alarm.location, location);
    assert.deepEqual(alarm.rows, ["row:h1-r01"]);
    assert.equal(alarm.acknowledged?.by, "camille");
    assert.equal(alarm.shelved?.until, 1_000_000);
    assert.equal(alarm.raisedAt, 1000);
    assert.equal(alarm.impact?.summary, "about cdu:h1-r01-01", "the impact is worked out again");
    assert.deepEqual(
      events.map((event) => [event.type, event.alarm.key, event.comment]),
      [["renamed", "f|cdu:h1-r01-01", "why"]],
    );
    // The condition reported under the new key is the same alarm.
    book.raise(report({ key: "f|cdu:h1-r01-01", equipment: "cdu:h1-r01-01", at: 3000 }));
    assert.equal(book.list().length, 1);
    assert.equal(book.list()[0]!.occurrences, 2);
    assert.equal(events.length, 1, "no raised event");
  });

  it("rekeys a batch at once (one alarm onto the key another leaves) and refuses unknown keys or collisions", () => {
    const book = new AlarmBook({ site });
    book.raise(report({ key: "f|a", equipment: "cdu:h1-r01-01" }));
    book.raise(report({ key: "f|b", equipment: "cdu:h1-r02-01" }));
    const [a, b] = [book.activeAlarm("f|a")!.id, book.activeAlarm("f|b")!.id];
    const move = (key: string) => ({ key, location: {}, rows: [] });
    const events: AlarmEvent[] = [];
    book.onEvent((event) => events.push(event));
    assert.deepEqual(book.rekey(new Map([["f|zz", move("f|c")]]), 2000), {
      ok: false,
      problem: 'no active alarm under key "f|zz"',
    });
    assert.deepEqual(book.rekey(new Map([["f|a", move("f|b")]]), 2000), {
      ok: false,
      problem: `key "f|b" is held by active alarm ${b}`,
    });
    assert.deepEqual(
      book.rekey(
        new Map([
          ["f|a", move("f|c")],
          ["f|b", move("f|c")],
        ]),
        2000,
      ),
      { ok: false, problem: "two alarms would be moved to one key" },
    );
    assert.equal(events.length, 0, "a refused batch changes nothing");
    assert.equal(book.activeAlarm("f|a")!.id, a);
    const moved = book.rekey(
      new Map([
        ["f|a", move("f|b")],
        ["f|b", move("f|c")],
      ]),
      2000,
    );
    assert.ok(moved.ok);
    assert.equal(book.activeAlarm("f|b")!.id, a);
    assert.equal(book.activeAlarm("f|c")!.id, b);
    assert.deepEqual(
      events.map((event) => event.type),
      ["renamed", "renamed"],
    );
  });
});
