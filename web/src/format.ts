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

/** Milliseconds since the epoch, or an ISO string, as a date and time of the viewer's zone. */
export function formatTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return "–";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(locale, { dateStyle: "short", timeStyle: "medium" });
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
