/**
 * A small CSV reader for trace files: a header row naming the columns, then one record per line. Quoted fields
 * (`"a,b"`, `""` for a quote) are supported. Problems are values with line numbers, never exceptions.
 */
import { splitCsvRecord } from "../core/csv.ts";

/** A problem found in a trace or node file, with its 1-based line (0 for the whole file). */
export interface TraceDiagnostic {
  readonly line: number;
  readonly message: string;
}

/** One record, with typed accessors that collect problems instead of throwing. */
export interface CsvRow {
  readonly line: number;
  /** Trimmed text of a column; empty when the column is absent from the header. */
  field(column: string): string;
  /**
   * The column as an integer within `[min, max]`; on a problem, appends `column: ...` to `problems` and returns 0.
   * An empty field is a problem unless `fallback` is given.
   */
  integer(column: string, problems: string[], min: number, max: number, fallback?: number): number;
}

/** The records of a file, or `rows: undefined` when the file is unusable (missing header columns). */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly CsvRow[] | undefined;
  readonly diagnostics: readonly TraceDiagnostic[];
}

/**
 * Parses CSV text whose header must contain every column of `required`. Blank lines are ignored; a record with a
 * different number of fields than the header is reported and skipped.
 */
export function parseCsv(text: string, required: readonly string[], fileName: string): CsvTable {
  // CRLF, LF or CR-only (old Mac tools) line breaks.
  const lines = text.split(/\r\n|\r|\n/);
  const headerLine = lines.findIndex((line) => line.trim() !== "");
  if (headerLine < 0) return { header: [], rows: undefined, diagnostics: [{ line: 0, message: `${fileName}: empty` }] };
  const header = splitCsvRecord(lines[headerLine]!).map((name) => name.trim());
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    return {
      header,
      rows: undefined,
      diagnostics: [
        {
          line: headerLine + 1,
          message: `${fileName}:${headerLine + 1}: header lacks column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (found ${header.join(", ")})`,
        },
      ],
    };
  }
  const columnIndex = new Map(header.map((name, index) => [name, index]));
  const rows: CsvRow[] = [];
  const diagnostics: TraceDiagnostic[] = [];
  for (let index = headerLine + 1; index < lines.length; index++) {
    const text = lines[index]!;
    if (text.trim() === "") continue;
    const fields = splitCsvRecord(text);
    const line = index + 1;
    if (fields.length !== header.length) {
      diagnostics.push({
        line,
        message: `${fileName}:${line}: ${fields.length} fields where the header has ${header.length}; row skipped`,
      });
      continue;
    }
    const field = (column: string) => {
      const at = columnIndex.get(column);
      return at === undefined ? "" : fields[at]!.trim();
    };
    rows.push({
      line,
      field,
      integer(column, problems, min, max, fallback) {
        const value = field(column);
        if (value === "") {
          if (fallback !== undefined) return fallback;
          problems.push(`${column} is empty`);
          return 0;
        }
        // Number() alone would read "0x10" as 16: only decimal text is a count.
        const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : Number.NaN;
        if (!Number.isInteger(number) || number < min || number > max) {
          problems.push(`${column}: expected an integer from ${min} to ${max}, got "${value}"`);
          return 0;
        }
        return number;
      },
    });
  }
  return { header, rows, diagnostics };
}
