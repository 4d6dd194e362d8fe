/**
 * The console's route module on a bare Fastify server: index.html for console paths, files from the build, long
 * caching for hashed assets only, a clear page when the console is not built, and nothing outside web/dist.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { consoleRoutes } from "../../src/server/routes/console.ts";

async function serve(directory: string): Promise<FastifyInstance> {
  const app = Fastify();
  consoleRoutes(directory)(app);
  await app.ready();
  return app;
}

describe("console route module", () => {
  let root: string;
  let dist: string;
  let app: FastifyInstance;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "alixan-console-"));
    dist = join(root, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log(1)");
    writeFileSync(join(root, "secret.txt"), "not for the web");
    app = await serve(dist);
  });

  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test("console paths get index.html, never cached", async () => {
    for (const url of ["/", "/floor", "/racks/rack%3Ah1-r001-01?x=1"]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /id="root"/);
      assert.equal(response.headers["cache-control"], "no-cache");
    }
  });

  test("hashed assets are served with a year of immutable caching", async () => {
    const response = await app.inject({ url: "/assets/index-abc123.js" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, "console.log(1)");
    assert.match(String(response.headers["cache-control"]), /max-age=31536000.*immutable/);
  });

  test("API paths, missing assets and paths outside the build are not the console", async () => {
    for (const url of [
      "/v1/nothing",
      "/docs/x",
      "/metrics",
      "/assets/gone.js",
      "/..%2fsecret.txt",
      "/%2e%2e/secret.txt",
    ]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode === 404 || /id="root"/.test(response.body), true, url);
      assert.doesNotMatch(response.body, /not for the web/, url);
    }
    assert.equal((await app.inject({ url: "/v1/nothing" })).statusCode, 404);
  });

  test("without a build, a page says how to build the console", async () => {
    const empty = await serve(join(root, "missing"));
    try {
      const response = await empty.inject({ url: "/floor" });
      assert.equal(response.statusCode, 503);
      assert.match(response.body, /npx vite build --config web\/vite.config.ts/);
    } finally {
      await empty.close();
    }
  });
});
