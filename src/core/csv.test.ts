import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { csvField, splitCsvRecord } from "./csv.ts";

describe("CSV fields", () => {
  it("quotes only fields holding a comma, quote or line break", () => {
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField("a,b"), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField("two\nlines"), '"two\nlines"');
    assert.equal(csvField("cr\rhere"), '"cr\rhere"');
  });

  it("reads back what it writes for any fields without line breaks", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((text) => !/[\r\n]/.test(text)),
          { minLength: 1, maxLength: 8 },
        ),
        (fields) => {
          assert.deepEqual(splitCsvRecord(fields.map(csvField).join(",")), fields);
        },
      ),
      { numRuns: 500 },
    );
  });
});
