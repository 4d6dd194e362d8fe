/**
 * The platform's watch over its own administration: when every working API key of its platform admins expires within
 * a few days, nobody will be able to administer it over the API (revoking the last key is refused with a 409, but an
 * expiry simply comes). The warning comes ahead, while an admin can still create a key; it clears as soon as a key
 * that lasts longer (or never expires) exists. With no working admin key left the alarm is critical and says how to
 * recover on the host (`alixan key create`).
 */
import type { AlarmBook, AlarmReport } from "../telemetry/alarms/book.ts";
import type { AdminKeyHorizon } from "./service.ts";

/** Days ahead of the last admin key's expiry the warning is raised (alixan.yaml `apiKeys.adminExpiryWarningDays`). */
export const defaultAdminKeyWarningDays = 14;

/** The alarm's condition key: one alarm for the whole platform. */
export const adminKeyAlarmKey = "platform-admin-keys";

const dayMs = 86_400_000;

/** The alarm the horizon calls for at `now` (epoch ms), or undefined when the admins' keys last long enough. */
export function adminKeyAlarm(
  horizon: AdminKeyHorizon,
  now: number,
  warningDays: number,
): Omit<AlarmReport, "at"> | undefined {
  const base = { key: adminKeyAlarmKey, source: adminKeyAlarmKey, kind: "platform", location: {} } as const;
  // No admin at all is a platform not set up yet (`alixan user create`, then `alixan key create`), not a lock-out.
  if (horizon.admins === 0) return undefined;
  if (horizon.lastExpiryMs === undefined) {
    return {
      ...base,
      severity: "critical",
      title: "No platform admin API key works",
      message:
        "No enabled platform admin holds a working API key: nobody can administer the platform over the API. " +
        "On the platform host, `alixan key create --user <admin e-mail>` makes one.",
    };
  }
  const left = horizon.lastExpiryMs - now;
  if (left >= warningDays * dayMs) return undefined;
  const last = new Date(horizon.lastExpiryMs).toISOString();
  const keys =
    horizon.keys === 1
      ? "The only working platform admin API key expires"
      : "Every working platform admin API key expires";
  return {
    ...base,
    severity: "warning",
    title: "Platform admin API keys expiring",
    message:
      `${keys} within ${warningDays} days, the last on ${last} (in ${Math.max(1, Math.ceil(left / dayMs))} days): ` +
      "create a key for a platform admin (POST /v1/keys or `alixan key create`) before then, or nobody can administer the platform over the API.",
  };
}

/** Raises, updates or clears the admin-key alarm in `book` from the horizon at `now`. */
export function checkAdminKeys(book: AlarmBook, horizon: AdminKeyHorizon, now: number, warningDays: number): void {
  const alarm = adminKeyAlarm(horizon, now, warningDays);
  if (alarm === undefined) book.clear(adminKeyAlarmKey, now, "A platform admin API key lasts beyond the warning.");
  else book.raise({ ...alarm, at: now });
}
