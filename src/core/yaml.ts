/**
 * Building a parsed YAML document's value without an exception escaping: every file reader of the project (site,
 * scenario, queues, grid events, platform configuration) turns the reason into its own one-line error.
 */
import { type Document, type LineCounter, parseDocument } from "yaml";

/**
 * Parses a project file's YAML text as every reader does (unique keys, errors with positions). A lone CR is a line
 * break in YAML 1.2, but the `yaml` package reads a CR-only file (old Mac tools) as one line: a configuration whose
 * first line is a comment then parsed as empty and was "valid". One CR becomes one LF, so line numbers hold.
 */
export function parseYamlDocument(text: string, lineCounter?: LineCounter): Document.Parsed {
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
  document: Document.Parsed,
  maxAliasCount = 100,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  try {
    return { ok: true, value: document.toJS({ maxAliasCount }) };
  } catch (error) {
    const message = (error as Error).message;
    return {
      ok: false,
      error: /alias/i.test(message)
        ? `aliases (*name) expand past ${maxAliasCount.toLocaleString("en")} copies: refused, as a file that would fill the memory`
        : `cannot build the document: ${message.split("\n")[0]}`,
    };
  }
}
