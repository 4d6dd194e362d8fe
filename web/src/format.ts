/** Number, power and time formatting shared by the pages (one locale, SI prefixes, explicit units). */

const locale = "en-GB";

/** A number with grouping and at most `digits` decimals. */
export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** A power given in kW, with the prefix that keeps three significant figures (`42.1 kW`, `12.4 MW`, `1.02 GW`). */
export function formatPowerKW(kilowatts: number | null | undefined): string {
  if (kilowatts === null || kilowatts === undefined || !Number.isFinite(kilowatts)) return "–";
  const magnitude = Math.abs(kilowatts);
  if (magnitude >= 1e6) return `${formatNumber(kilowatts / 1e6, 2)} GW`;
  if (magnitude >= 1e3) return `${formatNumber(kilowatts / 1e3, magnitude >= 1e5 ? 0 : 1)} MW`;
  return `${formatNumber(kilowatts, magnitude >= 100 ? 0 : 1)} kW`;
}

/** A temperature in °C. */
export function formatCelsius(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : `${formatNumber(value, 1)} °C`;
}

/** A fraction as a percentage. */
export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction)
    ? "–"
    : `${formatNumber(fraction * 100, digits)} %`;
}

/** The zone every time is shown in: the site's (set at sign-in), else the viewer's. */
let displayTimeZone: string | undefined;

/** Shows every time in the site's zone from now on (an unknown zone keeps the viewer's). */
export function setDisplayTimeZone(zone: string | undefined): void {
  if (zone === undefined) {
    displayTimeZone = undefined;
    return;
  }
  try {
    new Intl.DateTimeFormat(locale, { timeZone: zone });
    displayTimeZone = zone;
  } catch {
    displayTimeZone = undefined;
  }
}

/** The zone times are shown in (IANA name). */
export function timeZoneShown(): string {
  return displayTimeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function parts(date: Date, withSeconds: boolean): Record<string, string> {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: timeZoneShown(),
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
    hourCycle: "h23",
    timeZoneName: "short",
  });
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}

/**
 * Milliseconds since the epoch, or an ISO string, as the console's one date format: `2026-12-04 19:05:03 CET`, in
 * the site's zone, named.
 */
export function formatTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const p = parts(date, true);
  return `${p["year"]}-${p["month"]}-${p["day"]} ${p["hour"]}:${p["minute"]}:${p["second"]} ${p["timeZoneName"]}`;
}

/** A chart tick: `19:05` within a day, `12-04 19:05` over longer spans, in the site's zone. */
export function formatTick(epochMs: number, spanMs: number): string {
  const p = parts(new Date(epochMs), false);
  return spanMs <= 86_400_000 ? `${p["hour"]}:${p["minute"]}` : `${p["month"]}-${p["day"]} ${p["hour"]}:${p["minute"]}`;
}

/** The short name of the shown zone now (`CET`), for axis labels. */
export function timeZoneLabel(at = Date.now()): string {
  return parts(new Date(at), false)["timeZoneName"] ?? timeZoneShown();
}

/** How long ago a time was (`12 s ago`, `5 min ago`). */
export function formatAge(value: number | string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000));
  if (!Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** Seconds as a short duration (`45 min`, `2 h 30 min`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Removes the type prefix of an id for display (`hall:h1` → `h1`). */
export function shortId(id: string): string {
  return id.replace(/^[a-z]+:/, "");
}

/** Relative humidity, given as a fraction (0–1) or in percent (0–100). */
export function formatHumidity(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return formatPercent(value > 1 ? value / 100 : value);
}
