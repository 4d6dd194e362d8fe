/**
 * The EED report as a self-contained HTML page: the three annexes as tables (missing fields with their reason) and
 * two inline SVG charts from the monthly figures (energy by month, PUE by month). No scripts, no external assets:
 * it prints to PDF from any browser.
 */
import type { EedReport, Field } from "./eed.ts";

/** Escapes text for HTML content and attribute values. */
export const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function formatValue(field: Field): string {
  if (field.status === "missing") return `<span class="missing">missing</span>`;
  if (typeof field.value === "string") return escapeHtml(field.value);
  const digits = Math.abs(field.value) >= 100 ? 0 : 3;
  return field.value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function table(title: string, fields: Readonly<Record<string, Field>>): string {
  const rows = Object.entries(fields)
    .map(([name, field]) => {
      const detail = field.status === "missing" ? field.why : [field.source, field.note].filter(Boolean).join(" — ");
      return `<tr><th scope="row">${escapeHtml(name)}</th><td class="value">${formatValue(field)}</td><td>${escapeHtml(field.unit)}</td><td>${escapeHtml(detail)}</td></tr>`;
    })
    .join("\n");
  return `<section><h2>${escapeHtml(title)}</h2><table><thead><tr><th>field</th><th>value</th><th>unit</th><th>source / reason</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Monthly bars of IT and non-IT energy (MWh), stacked. */
function energyChart(monthly: NonNullable<EedReport["monthly"]>): string {
  const width = 640;
  const height = 240;
  const left = 56;
  const bottom = 28;
  const top = 16;
  const maximum = Math.max(1, ...monthly.map((month) => month.totalKWh / 1000));
  const barWidth = (width - left - 16) / 12;
  const scale = (value: number) => ((height - bottom - top) * value) / maximum;
  const bars = monthly
    .map((month) => {
      const x = left + (month.month - 1) * barWidth + 4;
      const it = scale(month.itKWh / 1000);
      const overhead = scale((month.totalKWh - month.itKWh) / 1000);
      const base = height - bottom;
      return `<rect x="${x.toFixed(1)}" y="${(base - it).toFixed(1)}" width="${(barWidth - 8).toFixed(1)}" height="${it.toFixed(1)}" fill="#2f6f9f"><title>${monthNames[month.month - 1]} IT ${(month.itKWh / 1000).toFixed(0)} MWh</title></rect><rect x="${x.toFixed(1)}" y="${(base - it - overhead).toFixed(1)}" width="${(barWidth - 8).toFixed(1)}" height="${overhead.toFixed(1)}" fill="#e0a030"><title>${monthNames[month.month - 1]} cooling and losses ${((month.totalKWh - month.itKWh) / 1000).toFixed(0)} MWh</title></rect><text x="${(x + (barWidth - 8) / 2).toFixed(1)}" y="${height - 10}" font-size="11" text-anchor="middle">${monthNames[month.month - 1]}</text>`;
    })
    .join("");
  return `<figure><svg role="img" aria-label="Energy by month" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><line x1="${left}" y1="${height - bottom}" x2="${width - 8}" y2="${height - bottom}" stroke="#444"/><text x="8" y="${top + 8}" font-size="11">${maximum.toFixed(0)} MWh</text>${bars}</svg><figcaption>Energy by month: IT (blue) and cooling and losses (amber).</figcaption></figure>`;
}

/** PUE by month as a line. */
function pueChart(monthly: NonNullable<EedReport["monthly"]>): string {
  const width = 640;
  const height = 200;
  const left = 56;
  const bottom = 28;
  const top = 16;
  const values = monthly.map((month) => (month.itKWh > 0 ? month.totalKWh / month.itKWh : 1));
  const low = Math.min(1, ...values);
  const high = Math.max(low + 0.05, ...values);
  const x = (index: number) => left + ((width - left - 16) * (monthly[index]!.month - 0.5)) / 12;
  const y = (value: number) => height - bottom - ((height - bottom - top) * (value - low)) / (high - low);
  const points = values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
  const dots = values
    .map(
      (value, index) =>
        `<circle cx="${x(index).toFixed(1)}" cy="${y(value).toFixed(1)}" r="3" fill="#2f6f9f"><title>${monthNames[monthly[index]!.month - 1]} PUE ${value.toFixed(3)}</title></circle>`,
    )
    .join("");
  return `<figure><svg role="img" aria-label="PUE by month" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><line x1="${left}" y1="${height - bottom}" x2="${width - 8}" y2="${height - bottom}" stroke="#444"/><text x="8" y="${top + 8}" font-size="11">${high.toFixed(3)}</text><text x="8" y="${height - bottom}" font-size="11">${low.toFixed(3)}</text><polyline points="${points}" fill="none" stroke="#2f6f9f" stroke-width="2"/>${dots}</svg><figcaption>PUE by month (E_DC / E_IT).</figcaption></figure>`;
}

/** Renders the report as a standalone HTML document. */
export function eedReportHtml(report: EedReport, extraSections = ""): string {
  const charts =
    report.monthly !== undefined && report.monthly.length > 0
      ? `<section><h2>Charts</h2>${energyChart(report.monthly)}${pueChart(report.monthly)}</section>`
      : "<p>No monthly figures: charts omitted.</p>";
  const missingCount = [report.annexI, report.annexII, report.annexIII]
    .flatMap((fields) => Object.values(fields))
    .filter((field) => field.status === "missing").length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EED data-centre report ${report.year} — ${escapeHtml(report.siteId)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#1d2733}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}th,td{border-bottom:1px solid #d5dbe1;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.value{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.missing{color:#a33;font-weight:600}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#556}
</style></head><body>
<h1>EU Energy Efficiency Directive — data-centre report ${report.year}</h1>
<p>Site <strong>${escapeHtml(report.siteId)}</strong>; figures from <strong>${escapeHtml(report.source)}</strong> data; generated ${escapeHtml(report.generatedAt)}.
Directive (EU) 2023/1791 Art. 12 and Delegated Regulation (EU) 2024/1364. ${missingCount} field(s) missing, each with the reason.</p>
${table("Annex I — information about the data centre", report.annexI)}
${table("Annex II — key performance indicators", report.annexII)}
${table("Annex III — sustainability indicators", report.annexIII)}
${extraSections}
${charts}
</body></html>
`;
}
