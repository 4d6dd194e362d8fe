import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AlarmBook } from "../telemetry/alarms/book.ts";
import { adminKeyAlarm, adminKeyAlarmKey, checkAdminKeys } from "./admin-key-alarm.ts";

const now = Date.parse("2026-12-07T00:00:00Z");
const day = 86_400_000;

describe("admin-key alarm", () => {
  it("warns when every working admin key expires within the warning, not before", () => {
    assert.equal(adminKeyAlarm({ admins: 1, keys: 2, lastExpiryMs: now + 14 * day }, now, 14), undefined);
    const warning = adminKeyAlarm({ admins: 1, keys: 2, lastExpiryMs: now + 14 * day - 1 }, now, 14);
    assert.equal(warning?.severity, "warning");
    assert.match(warning!.message, /Every working platform admin API key expires within 14 days/);
    assert.match(warning!.message, /the last on 2026-12-20T23:59:59\.999Z \(in 14 days\)/);
    assert.equal(adminKeyAlarm({ admins: 1, keys: 1, lastExpiryMs: now + 29 * day }, now, 30)?.severity, "warning");
  });

  it("stays quiet while a key never expires, and with no admin yet (a platform being set up)", () => {
    assert.equal(adminKeyAlarm({ admins: 1, keys: 3, lastExpiryMs: Number.POSITIVE_INFINITY }, now, 14), undefined);
    assert.equal(adminKeyAlarm({ admins: 0, keys: 0, lastExpiryMs: undefined }, now, 14), undefined);
  });

  it("is critical once no admin key works, and names the way back", () => {
    const alarm = adminKeyAlarm({ admins: 2, keys: 0, lastExpiryMs: undefined }, now, 14);
    assert.equal(alarm?.severity, "critical");
    assert.match(alarm!.message, /alixan key create/);
  });

  it("raises, escalates and clears one alarm in the book", () => {
    const book = new AlarmBook();
    const active = () => book.list({ state: "active" }).filter((alarm) => alarm.key === adminKeyAlarmKey);
    checkAdminKeys(book, { admins: 1, keys: 1, lastExpiryMs: now + 3 * day }, now, 14);
    assert.deepEqual(
      active().map((alarm) => [alarm.kind, alarm.severity]),
      [["platform", "warning"]],
    );
    checkAdminKeys(book, { admins: 1, keys: 0, lastExpiryMs: undefined }, now + 4 * day, 14);
    assert.deepEqual(
      active().map((alarm) => alarm.severity),
      ["critical"],
    );
    checkAdminKeys(book, { admins: 1, keys: 1, lastExpiryMs: now + 300 * day }, now + 4 * day, 14);
    assert.deepEqual(active(), []);
  });
});
