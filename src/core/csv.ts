/**
 * CSV records as the project's inputs write them (openb traces, measured histories): comma-separated, fields quoted
 * with `"` where they hold commas.
 */

/** Splits one CSV record; quoted fields may hold commas (`"Q_flow,in,air [kW]"`), `""` is a quote. */
export function splitCsvRecord(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        current += '"';
        index++;
      } else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      fields.push(current);
      current = "";
    } else current += char;
  }
  fields.push(current);
  return fields;
}

/** One CSV field as written: quoted (with `""` for a quote) when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
