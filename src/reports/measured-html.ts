/**
 * The measured report's own HTML sections (data quality, measured against simulated), placed by eed's HTML page
 * after the annexes. Kept apart from html.ts so the simulated report's page stays as it is.
 */
import { escapeHtml } from "./html.ts";
import type { MeasuredEedReport } from "./measured.ts";

const number = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The data-quality table, its flags and, when compared, the monthly comparison table. */
export function measuredSectionsHtml(report: MeasuredEedReport): string {
  const quality = report.dataQuality;
  const meterRows = quality.meters
    .map(
      (line) =>
        `<tr><th scope="row">${escapeHtml(line.id)}</th><td>${escapeHtml(line.kind)}</td><td class="value">${line.series}</td><td class="value">${number(line.total)} ${line.unit}</td><td class="value">${number(line.coverage * 100, 1)} %</td><td class="value">${line.hoursEstimated} (${line.estimatedIntervals})</td><td class="value">${line.hoursMissing}</td><td class="value">${line.gapCount} / ${line.longestGapH} h</td><td class="value">${line.counterResets}</td></tr>`,
    )
    .join("\n");
  const flags =
    quality.flags.length === 0
      ? "<p>No flags: every meter covers every hour.</p>"
      : `<ul>${quality.flags.map((flag) => `<li>${escapeHtml(flag)}</li>`).join("")}</ul>`;
  const section = `<section><h2>Data quality (${quality.hoursInYear} h in ${report.year})</h2><table><thead><tr><th>meter</th><th>kind</th><th>series</th><th>total</th><th>coverage</th><th>estimated h (intervals)</th><th>missing h</th><th>gaps / longest</th><th>counter resets</th></tr></thead><tbody>${meterRows}</tbody></table>${flags}</section>`;
  if (report.comparison === undefined) return section;
  const monthRows = report.comparison
    .map(
      (month) =>
        `<tr><th scope="row">${month.month}</th><td class="value">${number(month.measuredTotalKWh)}</td><td class="value">${number(month.simulatedTotalKWh)}</td><td class="value">${number(month.measuredItKWh)}</td><td class="value">${number(month.simulatedItKWh)}</td><td class="value">${month.measuredPue === undefined ? "" : month.measuredPue.toFixed(3)}</td><td class="value">${month.simulatedPue === undefined ? "" : month.simulatedPue.toFixed(3)}</td><td class="value">${number(month.measuredCoverage * 100, 1)} %</td></tr>`,
    )
    .join("\n");
  return `${section}<section><h2>Measured against simulated (twin), per month</h2><table><thead><tr><th>month</th><th>E_DC measured kWh</th><th>E_DC twin kWh</th><th>E_IT measured kWh</th><th>E_IT twin kWh</th><th>PUE measured</th><th>PUE twin</th><th>coverage</th></tr></thead><tbody>${monthRows}</tbody></table></section>`;
}
