/**
 * Prometheus text exposition format 0.0.4: the body of `/metrics`. One `# HELP` and one `# TYPE` line per family,
 * then its samples; label values escape `\`, `"` and newlines, help text escapes `\` and newlines, and special
 * values are written NaN, +Inf and -Inf, as the format requires.
 */

/** Prometheus metric types written here. */
export type MetricType = "counter" | "gauge" | "histogram" | "untyped";

/** One sample of a family. */
export interface ExpositionSample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch; omitted unless the sample's own time matters (federated equipment data). */
  readonly timestamp?: number;
  /** Appended to the family name: a histogram's `_bucket`, `_sum` and `_count` series. */
  readonly suffix?: "_bucket" | "_sum" | "_count";
}

/** A metric family. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly ExpositionSample[];
}

/** Escapes `# HELP` text. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Escapes a label value. */
function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Formats a sample value. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  if (labels === undefined) return "";
  const names = Object.keys(labels);
  if (names.length === 0) return "";
  return `{${names.map((name) => `${name}="${escapeLabelValue(labels[name]!)}"`).join(",")}}`;
}

/** Renders families as exposition text (families with no samples still get their HELP and TYPE lines). */
export function renderExposition(families: readonly MetricFamily[]): string {
  const parts: string[] = [];
  for (const family of families) {
    parts.push(`# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`);
    for (const sample of family.samples) {
      const timestamp = sample.timestamp === undefined ? "" : ` ${Math.round(sample.timestamp)}`;
      const name = `${family.name}${sample.suffix ?? ""}`;
      parts.push(`${name}${labelText(sample.labels)} ${formatValue(sample.value)}${timestamp}\n`);
    }
  }
  return parts.join("");
}

/** The content type of exposition text. */
export const expositionContentType = "text/plain; version=0.0.4; charset=utf-8";
