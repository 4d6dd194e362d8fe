import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CliError } from "../output.ts";
import { queueFileValue } from "./queue.ts";

/** The message `queueFileValue` refuses `text` with. */
function refusal(text: string): string {
  try {
    queueFileValue(text, "q.yaml");
  } catch (error) {
    assert.ok(error instanceof CliError, String(error));
    assert.doesNotMatch(error.message, /\n| {4}at /);
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(text.slice(0, 40))}`);
}

describe("queue apply: reading the file", () => {
  it("reads a queue file with LF, CRLF or CR-only line breaks and a byte-order mark alike", () => {
    const lines = ["# queues of the lab", "version: 1", "queues:", "  - name: research"];
    const expected = { version: 1, queues: [{ name: "research" }] };
    for (const lineBreak of ["\n", "\r\n", "\r"]) {
      assert.deepEqual(queueFileValue(lines.join(lineBreak), "q.yaml"), expected, JSON.stringify(lineBreak));
    }
    assert.deepEqual(queueFileValue(`\uFEFF${lines.join("\n")}`, "q.yaml"), expected);
  });

  it("names what is wrong with an empty, scalar, list, duplicate-key, binary or huge file", () => {
    assert.match(refusal(""), /^q\.yaml: empty; a queue file is a mapping/);
    assert.match(refusal("# only a comment\r"), /^q\.yaml: empty/);
    assert.match(refusal("just text"), /^q\.yaml: not a mapping \(string\)/);
    assert.match(refusal("- a\n- b\n"), /^q\.yaml: not a mapping \(a list\)/);
    assert.match(refusal("version: 1\nversion: 2\n"), /^q\.yaml: line 2: Map keys must be unique/);
    assert.match(refusal("a: [\u0000\u0001\u0002"), /^q\.yaml: line \d+: /);
    assert.match(refusal(`queues:\n${"  - name: q\n".repeat(100_000)}`), /^q\.yaml: line 1: file\.tooLarge: /);
  });
});
