/**
 * Building a parsed YAML document's value without an exception escaping: every file reader of the project (site,
 * scenario, queues, grid events, platform configuration) turns the reason into its own one-line error.
 */
import { readFileSync, statSync } from "node:fs";
import { Document, type ErrorCode, LineCounter, parseDocument, YAMLParseError } from "yaml";

const kiB = 1024;
const MiB = 1024 * kiB;

/**
 * The largest YAML or JSON text of each kind read, in bytes, checked before parsing: the `yaml` package parses about
 * 0.1-0.2 MB/s on this machine (a 10,000-event scenario of 0.38 MB in 3.4 s), so a 7.5 MB scenario of 200,000 events
 * cost 17-23 s before its "at most 10,000 events" error. Each is the largest legitimate file with a margin:
 * - site: shipped sites are at most 8 kB (rows and racks are patterns the model expands); 2 MiB is 250 times that.
 * - scenario: the schema's 10,000 events one per line pair are 0.38 MB; 1 MiB leaves room for comments and ids.
 * - queues: 2,000 queues, 200 cohorts and 50 priority classes (the schema's maxItems) fit in about 0.5 MB.
 * - gridEvents: a year of 15-minute prices, carbon and stress (105,120 entries of about 50 bytes) is 5.3 MB.
 * - kueue: the same bounds in Kueue's more verbose objects (about twice the queue file).
 * - config, json (params.json, demo keys): shipped examples are under 2 kB.
 * - telemetry: device lists (Redfish, Modbus, SNMP targets, alarm rules); 10,000 devices of 300 bytes are 3 MB.
 * - profile (an hourly CSV, not YAML): a leap year of 8,784 rows with a timestamp each is about 0.3 MB.
 * - history (CSV, `twin calibrate|validate`): 256 MiB holds the history reader's 600,000 rows of 400 characters.
 * - trace (job traces: openb CSV, SWF, JSON; openb node lists): read whole as one string, and V8 holds at most
 *   2^29 − 24 characters (`buffer.constants.MAX_STRING_LENGTH`, ≈ 512 MiB), so a larger bound (1 GiB) would fail past
 *   that with Node's own error. 500 MiB is about 7 million openb pods (the shipped list: 8,152 pods in 0.56 MB),
 *   hundreds of times any trace the scheduler commands and benches replay.
 */
export const fileByteLimits = {
  site: 2 * MiB,
  scenario: 1 * MiB,
  queues: 1 * MiB,
  gridEvents: 8 * MiB,
  kueue: 2 * MiB,
  config: 1 * MiB,
  json: 1 * MiB,
  profile: 4 * MiB,
  telemetry: 4 * MiB,
  history: 256 * MiB,
  trace: 500 * MiB,
} as const;

/** Which bound of `fileByteLimits` a text is held to. */
export type FileKind = keyof typeof fileByteLimits;

const kindNames: Record<FileKind, string> = {
  site: "a site file",
  scenario: "a scenario",
  queues: "a queue configuration",
  gridEvents: "a grid-events file",
  kueue: "a Kueue configuration",
  config: "a platform configuration",
  json: "this file",
  profile: "an hourly profile",
  telemetry: "a telemetry configuration",
  history: "a measured history file",
  trace: "a trace file",
};

function megabytes(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${Math.ceil(bytes / kiB)} KiB`;
}

/**
 * Why `text` is too large to parse as a `kind` file (`file.tooLarge: 7.2 MiB, more than the 1.0 MiB a scenario may
 * be`), or undefined. Counts UTF-8 bytes without encoding: a string's length in UTF-16 units is at most its bytes.
 */
export function fileTooLarge(text: string, kind: FileKind): string | undefined {
  const limit = fileByteLimits[kind];
  if (text.length <= limit / 3) return undefined;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= limit) return undefined;
  return `file.tooLarge: ${megabytes(bytes)}, more than the ${megabytes(limit)} ${kindNames[kind]} may be (refused before parsing)`;
}

/**
 * Reads a `kind` file as UTF-8 after checking its size on disk, so a file past its bound (a multi-gigabyte log named
 * by mistake) is refused before a byte of it is read into memory, in the words of `fileTooLarge`. Throws as
 * `readFileSync` does otherwise: every caller's read-error path names the file. A pipe or device has no size on disk
 * and is read as before (its text is still bounded before parsing).
 */
export function readBoundedText(path: string, kind: FileKind): string {
  const limit = fileByteLimits[kind];
  const { size } = statSync(path);
  if (size > limit) {
    throw new Error(
      `file.tooLarge: ${megabytes(size)}, more than the ${megabytes(limit)} ${kindNames[kind]} may be (refused before reading)`,
    );
  }
  return readFileSync(path, "utf8");
}

/** The code of the parse error `parseYamlDocument` reports for a text past its size bound. */
export const tooLargeCode = "FILE_TOO_LARGE" as ErrorCode;

/**
 * Parses a project file's YAML text as every reader does (unique keys, errors with positions), after its size bound
 * (`fileByteLimits`): a text past it is an empty document whose one error (code `tooLargeCode`, at line 1) says so.
 * A lone CR is a line break in YAML 1.2, but the `yaml` package reads a CR-only file (old Mac tools) as one line: a
 * configuration whose first line is a comment then parsed as empty and was "valid". One CR becomes one LF, so line
 * numbers hold.
 */
export function parseYamlDocument(text: string, kind: FileKind, lineCounter?: LineCounter): Document.Parsed {
  const tooLarge = fileTooLarge(text, kind);
  if (tooLarge !== undefined) {
    const empty = new Document(null) as unknown as Document.Parsed;
    empty.errors.push(new YAMLParseError([0, 0], tooLargeCode, tooLarge));
    lineCounter?.addNewLine(0);
    return empty;
  }
  const breaks = text.includes("\r") ? text.replace(/\r(?!\n)/g, "\n") : text;
  return parseDocument(breaks, {
    ...(lineCounter === undefined ? {} : { lineCounter }),
    prettyErrors: false,
    uniqueKeys: true,
  });
}

/**
 * The plain value of a parsed document, or why it cannot be built. The `yaml` package throws when aliases (`*name`)
 * expand past `maxAliasCount` copies (a "billion laughs" file that would fill the memory): that is bad input like any
 * other, named here as such.
 */
export function yamlValue(
  document: Pick<Document.Parsed, "toJS">,
  maxAliasCount = 100,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  try {
    return { ok: true, value: document.toJS({ maxAliasCount }) };
  } catch (error) {
    const message = (error as Error).message;
    return {
      ok: false,
      // The package's words for an expansion past the bound; an alias without its anchor is another mistake.
      error: /excessive alias count/i.test(message)
        ? `aliases (*name) expand past ${maxAliasCount.toLocaleString("en")} copies: refused, as a file that would fill the memory`
        : `cannot build the document: ${message.split("\n")[0]}`,
    };
  }
}

/**
 * The plain value of a YAML text of a `kind` whose reader needs no positions beyond the first error's line
 * (`line 3: Map keys must be unique`): size bound, CR-only line breaks, unique keys and bounded aliases, as
 * `parseYamlDocument` and `yamlValue` give them. An empty text is `undefined`.
 */
export function parseYamlText(
  text: string,
  kind: FileKind,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  const lineCounter = new LineCounter();
  const document = parseYamlDocument(text, kind, lineCounter);
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const message = syntax.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    return { ok: false, error: `line ${lineCounter.linePos(syntax.pos[0]).line}: ${message}` };
  }
  const built = yamlValue(document);
  return built.ok ? { ok: true, value: built.value ?? undefined } : built;
}
