import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { Type } from "typebox";
import { firstDifference, registerResponseCheck } from "./response-check.ts";

describe("response schema guard", () => {
  it("names the first difference: a dropped field, a changed value, a shorter array", () => {
    assert.equal(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), undefined);
    assert.match(firstDifference({ a: [1, { b: 2, c: 3 }] }, { a: [1, { b: 2 }] })!, /^\$\.a\[1\]\.c: dropped/);
    assert.match(firstDifference({ n: 1.5 }, { n: 1 })!, /^\$\.n: 1\.5 became 1/);
    assert.match(firstDifference([1, 2], [1])!, /2 items became 1/);
  });

  it("fails an answer its schema would narrow, and lets an exact one through", async () => {
    const app = Fastify();
    registerResponseCheck(app);
    const schema = { response: { 200: Type.Object({ id: Type.String(), count: Type.Integer() }) } };
    app.get("/exact", { schema }, async () => ({ id: "a", count: 2 }));
    app.get("/narrow", { schema }, async () => ({ id: "a", count: 2, extra: true }));
    app.get("/truncated", { schema }, async () => ({ id: "a", count: 2.5 }));
    const exact = await app.inject({ url: "/exact" });
    assert.equal(exact.statusCode, 200);
    assert.deepEqual(exact.json(), { id: "a", count: 2 });
    const narrow = await app.inject({ url: "/narrow" });
    assert.equal(narrow.statusCode, 500);
    assert.match(narrow.json().detail, /GET \/narrow does not match its schema at \$\.extra: dropped/);
    const truncated = await app.inject({ url: "/truncated" });
    assert.equal(truncated.statusCode, 500);
    assert.match(truncated.json().detail, /\$\.count: 2\.5 became 2/);
    await app.close();
  });
});
