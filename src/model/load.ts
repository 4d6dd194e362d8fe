/**
 * Loading a site: YAML text → decoded file → expanded site → validated, with every problem as a diagnostic.
 * Never throws for bad input: a caller gets `ok: false` and the list of findings, each with its path and, where the
 * finding maps to the file, its line and column.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LineCounter } from "yaml";
import { parseYamlDocument, readBoundedText, tooLargeCode, yamlValue } from "../core/yaml.ts";
import type { CapacityAnalysis } from "./capacity.ts";
import { type Diagnostic, DiagnosticSink, parsePath } from "./diagnostics.ts";
import { expandSite } from "./expand.ts";
import { type SiteFile, SiteFileSchema } from "./schema.ts";
import { checkInto } from "./schema-check.ts";
import type { Site } from "./site.ts";
import { type ValidateOptions, validateSite } from "./validate.ts";

/** The outcome of loading a site. `site` is present whenever the file could be expanded, even with errors. */
export interface LoadResult {
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly site?: Site;
  readonly analysis?: CapacityAnalysis;
  /** The decoded file (defaults applied), for export. */
  readonly file?: SiteFile;
}

/** Options for parsing a site. */
export interface ParseOptions extends ValidateOptions {
  /** Named in diagnostics. */
  readonly fileName?: string;
}

const shippedDirectory = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "sites");

/** Names of the sites shipped with alixan. */
export const shippedSites = ["alixan", "phase-1", "lab"] as const;

/** Path of a shipped site by name, or of a file; undefined when neither exists. */
export function resolveSite(nameOrPath: string): string | undefined {
  if ((shippedSites as readonly string[]).includes(nameOrPath)) return join(shippedDirectory, `${nameOrPath}.yaml`);
  const path = resolve(nameOrPath);
  return existsSync(path) ? path : undefined;
}

/** Parses, expands and validates a site from YAML (or JSON, a subset of YAML) text. */
export function parseSite(text: string, options: ParseOptions = {}): LoadResult {
  const lineCounter = new LineCounter();
  const document = parseYamlDocument(text, "site", lineCounter);
  if (document.errors.length > 0) {
    // Later syntax errors are mostly echoes of the first one: report that one, where the file went wrong.
    const diagnostics: Diagnostic[] = document.errors.slice(0, 1).map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return {
        severity: "error",
        code: error.code === tooLargeCode ? "file.tooLarge" : "yaml.syntax",
        path: "",
        message: error.message
          .split("\n")[0]!
          .replace(/ at line \d+, column \d+:?$/, "")
          .replace(/^file\.tooLarge: /, ""),
        line: position.line,
        column: position.col,
      };
    });
    return { ok: false, diagnostics };
  }
  const sink = new DiagnosticSink();
  const built = yamlValue(document, 1000);
  if (!built.ok) {
    return { ok: false, diagnostics: [{ severity: "error", code: "yaml.alias", path: "", message: built.error }] };
  }
  const raw: unknown = built.value;
  const file = checkInto(SiteFileSchema, raw, sink) as SiteFile | undefined;
  let site: Site | undefined;
  let analysis: CapacityAnalysis | undefined;
  let sourceMapped = sink.items.length;
  if (file !== undefined && sink.errorCount === 0) {
    site = expandSite(file, sink);
    sourceMapped = sink.items.length;
    if (sink.errorCount === 0) analysis = validateSite(site, sink, options);
  }
  // No site and no error would read as a valid site of nothing (a checker that failed without saying why did once).
  if (site === undefined && sink.errorCount === 0)
    sink.error("site.unreadable", "", "the file could not be read as a site");
  const diagnostics = sink.items.map((item, index) => {
    // Findings on expanded halls and rows carry expanded indices; only source-level paths map to file positions.
    if (index >= sourceMapped && item.path.startsWith("halls")) return item;
    const segments = parsePath(item.path);
    let node: unknown;
    for (let depth = segments.length; depth > 0 && node === undefined; depth--) {
      node = document.getIn(segments.slice(0, depth), true);
      if (
        node !== undefined &&
        depth < segments.length &&
        item.code !== "field.missing" &&
        item.code !== "field.unknown"
      ) {
        node = undefined;
        break;
      }
    }
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range === undefined) return item;
    const position = lineCounter.linePos(range[0]);
    return { ...item, line: position.line, column: position.col };
  });
  const ok = !diagnostics.some((item) => item.severity === "error");
  return {
    ok,
    diagnostics,
    ...(site === undefined ? {} : { site }),
    ...(analysis === undefined ? {} : { analysis }),
    ...(file === undefined ? {} : { file }),
  };
}

/** Reads and parses a site file; a missing or unreadable file is a diagnostic, not an exception. */
export function loadSiteFile(path: string, options: ValidateOptions = {}): LoadResult {
  let text: string;
  try {
    text = readBoundedText(path, "site");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    return {
      ok: false,
      diagnostics: [{ severity: "error", code: "io", path: "", message: `cannot read ${path}: ${reason}` }],
    };
  }
  return parseSite(text, { ...options, fileName: path });
}

/** Loads a shipped site by name or a site file by path. */
export function loadSite(nameOrPath: string, options: ValidateOptions = {}): LoadResult {
  const path = resolveSite(nameOrPath);
  if (path === undefined) {
    return {
      ok: false,
      diagnostics: [
        {
          severity: "error",
          code: "io",
          path: "",
          message: `no shipped site or file named "${nameOrPath}" (shipped: ${shippedSites.join(", ")})`,
        },
      ],
    };
  }
  return loadSiteFile(path, options);
}
