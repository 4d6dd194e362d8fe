import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readDemoKeys } from "./serve.ts";

describe("demo keys file", () => {
  it("reads a list of keys, with or without a byte-order mark", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-keys-"));
    const file = join(directory, "demo-keys.json");
    const keys = [{ email: "a@b", role: "platform-admin", tenantId: null, userId: "u1", token: "alx_x" }];
    writeFileSync(file, `\uFEFF${JSON.stringify(keys)}`);
    assert.deepEqual(readDemoKeys(file), keys);
  });

  it("a file that is not a list of keys is a warning and no keys, never a crash", () => {
    const directory = mkdtempSync(join(tmpdir(), "alixan-keys-"));
    const file = join(directory, "demo-keys.json");
    const warnings: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((text: string) => warnings.push(text) > 0) as typeof process.stderr.write;
    try {
      for (const text of [
        "",
        "{}",
        "[null]",
        '[{"role": 1}]',
        "\u0000\u0001binary",
        "[1,",
        "x".repeat(2 * 1024 * 1024),
      ]) {
        writeFileSync(file, text);
        assert.equal(readDemoKeys(file), undefined, text.slice(0, 20));
      }
    } finally {
      process.stderr.write = write;
    }
    assert.equal(warnings.length, 7);
    for (const warning of warnings) assert.match(warning, /^alixan: .*demo-keys\.json: .*; the admin key is not shown/);
    assert.match(warnings[2]!, /\[0\]: expected a key with a role and a token/);
    assert.match(warnings[6]!, /file\.tooLarge/);
  });
});
