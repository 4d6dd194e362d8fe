/**
 * The broken-site corpus: each file under test/fixtures/broken starts with `# expect: CODE [PATH]`; loading it must
 * fail with that error at that path, in one line, and never throw.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { formatDiagnostic } from "./diagnostics.ts";
import { parseSite } from "./load.ts";

const corpus = join(import.meta.dirname, "..", "..", "test", "fixtures", "broken");

describe("broken site corpus", () => {
  const files = readdirSync(corpus).filter((name) => name.endsWith(".yaml"));
  it("holds at least 30 broken files", () => {
    assert.ok(files.length >= 30, `only ${files.length} files`);
  });
  for (const name of files) {
    it(name, () => {
      const text = readFileSync(join(corpus, name), "utf8");
      const header = /^# expect: (\S+)(?: (\S+))?/.exec(text);
      assert.ok(header, "the file starts with # expect: CODE [PATH]");
      const [, code, path = ""] = header;
      const result = parseSite(text, { fileName: name, today: "2026-11-25" });
      assert.equal(result.ok, false, "the site must be rejected");
      const found = result.diagnostics.find(
        (item) => item.severity === "error" && item.code === code && item.path === path,
      );
      assert.ok(
        found,
        `expected error ${code} at "${path}", got:\n${result.diagnostics.map((item) => formatDiagnostic(item)).join("\n")}`,
      );
      const line = formatDiagnostic(found, name);
      assert.ok(!line.includes("\n"), "one line per finding");
      if (code === "yaml.syntax") assert.ok(found.line !== undefined && found.column !== undefined, "line and column");
    });
  }
});
