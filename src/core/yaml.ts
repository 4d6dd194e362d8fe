/**
 * Building a parsed YAML document's value without an exception escaping: every file reader of the project (site,
 * scenario, queues, grid events, platform configuration) turns the reason into its own one-line error.
 */
import type { Document } from "yaml";

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
