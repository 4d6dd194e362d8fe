/**
 * Live events and site changes one at a time: an event sent while a site change is under way lands wholly before it
 * (its failure carried to the unit's new id) or wholly after it (on the new twin, where an old id is refused), never
 * lost with the old twin or held under an id the site no longer has; two changes sent at once are two versions, the
 * second on the site the first left; a change refused by a writer lets the next event and change run. The order is
 * made, not waited for: a change writer of the test holds the change inside its transaction until the test lets go,
 * and a hook tells when the other request has reached its handler. On PGlite on disk and on PostgreSQL.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";
import { AppError } from "../src/core/errors.ts";
import type { StoreLocation } from "../src/store/database.ts";
import { type ApiAnswer, callApi } from "./support/api.ts";
import { startTestPostgres } from "./support/postgres.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

const directories: string[] = [];
const temporary = (prefix: string) => {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  directories.push(directory, `${directory}.audit`);
  return directory;
};
const postgres = await startTestPostgres();
after(() => {
  if (!("skipped" in postgres)) postgres.stop();
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A platform under test: its app and URL, and the operator's key. */
interface Platform {
  readonly app: ComposedApp;
  readonly url: string;
  readonly operator: string;
  /** Closes the app (again: nothing). */
  close(): Promise<void>;
  /** Resolves once a request to `path` has passed its last hook, and its handler has run up to its first wait. */
  reached(path: string): Promise<void>;
}

/** The lab platform on `store` (seeded at its first start), listening on a free port. */
async function boot(store: StoreLocation, operator?: string): Promise<Platform> {
  const app = await composeApp({
    site: "lab",
    store,
    seed: operator === undefined,
    features: platformFeatures({ speed: 60, telemetryInMemory: true }).features,
  });
  const waiting: { path: string; resolve: () => void }[] = [];
  // The last hook before a handler: once it has passed, the handler starts in the same turn of the event loop.
  app.server.addHook("preHandler", async (request) => {
    for (const waiter of waiting.filter((candidate) => candidate.path === request.url)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    close: () => {
      closing ??= app.close();
      return closing;
    },
    operator: operator ?? app.demoKeys!.find((key) => key.role === "facility-operator")!.token,
    reached: async (path) => {
      await new Promise<void>((resolve) => waiting.push({ path, resolve }));
      // The handler runs once the hooks' promises have settled: after this turn's microtasks.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * Sends `change` (a site change) and holds it inside its transaction (a change writer of the test, after the
 * platform's own); once it is held, sends `other` to `path`; once that has reached its handler, lets the change
 * commit, or roll back with `refusal` thrown by the writer. Answers both.
 */
async function race(
  platform: Platform,
  change: () => Promise<ApiAnswer>,
  path: string,
  other: () => Promise<ApiAnswer>,
  refusal?: Error,
): Promise<[ApiAnswer, ApiAnswer]> {
  let entered!: () => void;
  const held = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let release!: () => void;
  let refuse!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    release = resolve;
    refuse = reject;
  });
  const remove = platform.app.inventory.addChangeWriter(async () => {
    remove();
    entered();
    await gate;
  });
  const changing = change();
  await held;
  const arrived = platform.reached(path);
  const sending = other();
  await arrived;
  if (refusal === undefined) release();
  else refuse(refusal);
  return [await changing, await sending];
}

const api = (platform: Platform, method: string, path: string, body?: unknown) =>
  callApi(platform.url, method, path, platform.operator, body);
const event = (platform: Platform, action: string, id: string) =>
  api(platform, "POST", "/v1/state/events", { action, id });
const patchSite = (platform: Platform, summary: string, patch: Json) =>
  api(platform, "POST", "/v1/site/changes", { summary, patch });
const failedCdus = async (platform: Platform, loop: string) =>
  (await api(platform, "GET", `/v1/state/tcs/${loop}`)).body.failedCdus as string[];
/** Waits (10 s at most) for a loop's failed CDUs to be `expected`: an event shows from the twin's next step. */
const untilFailed = async (platform: Platform, loop: string, expected: readonly string[]) => {
  const deadline = Date.now() + 10_000;
  let failed = await failedCdus(platform, loop);
  while (!isDeepStrictEqual(failed, expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    failed = await failedCdus(platform, loop);
  }
  assert.deepEqual(failed, expected, `${loop}'s failed CDUs`);
};
const heldRows = async (platform: Platform) =>
  (
    await platform.app.store.db
      .selectFrom("live_equipment")
      .select("subject")
      .where("kind", "=", "failed")
      .orderBy("subject")
      .execute()
  ).map((row) => row.subject);

/** Runs `body` on a new store of each kind (PGlite on disk, PostgreSQL), closing every platform it booted. */
function onEachStore(title: string, body: (start: (operator?: string) => Promise<Platform>) => Promise<void>) {
  const stores: [string, () => StoreLocation | string][] = [
    ["PGlite on disk", () => ({ kind: "pglite", dataDir: temporary("alixan-live-race-") })],
    [
      "PostgreSQL",
      () =>
        "skipped" in postgres
          ? postgres.skipped
          : {
              kind: "postgres",
              url: postgres.createDatabase(`live_race_${directories.length}`),
              auditDir: temporary("alixan-live-race-pg-audit-"),
            },
    ],
  ];
  for (const [name, location] of stores) {
    it(`${title} (${name})`, { timeout: 120_000 }, async (context) => {
      const store = location();
      if (typeof store === "string") {
        context.skip(store);
        return;
      }
      const booted: Platform[] = [];
      try {
        await body(async (operator) => {
          const platform = await boot(store, operator);
          booted.push(platform);
          return platform;
        });
      } finally {
        for (const platform of booted) await platform.close();
      }
    });
  }
}

const threeDigitCdus = { rowPatterns: { "gpu-row": { cdus: { unitDigits: 3 } } } };

describe("live events and site changes one at a time", () => {
  onEachStore("an event during a change that renames its CDU is carried or refused, never lost", async (start) => {
    let platform = await start();
    // Held before: one failure the change renames, one it leaves alone (CPU rows keep two-digit CDU ids).
    assert.equal((await event(platform, "fail-cdu", "cdu:h1-r01-01")).status, 200);
    assert.equal((await event(platform, "fail-cdu", "cdu:h2-r02-02")).status, 200);
    const [changed, failed] = await race(
      platform,
      () => patchSite(platform, "three-digit CDU ids in GPU rows", threeDigitCdus),
      "/v1/state/events",
      () => event(platform, "fail-cdu", "cdu:h1-r01-02"),
    );
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    // Before the change: carried to -002 with -01's failure; after it: the old id is not in the site.
    const expected = failed.status === 200 ? ["cdu:h1-r01-001", "cdu:h1-r01-002"] : ["cdu:h1-r01-001"];
    if (failed.status !== 200) {
      assert.equal(failed.status, 400, JSON.stringify(failed.body));
      assert.equal(failed.body.errors[0].field, "body.id");
    }
    assert.deepEqual(await failedCdus(platform, "tcs:h1-r01"), expected, "the twin after the change");
    assert.deepEqual(await heldRows(platform), [...expected, "cdu:h2-r02-02"], "the store after the change");
    // What memory holds is what the next twin is built with: a change that renames nothing rebuilds it.
    const renamed = await patchSite(platform, "rename the site", { site: { name: "Alixan lab (renamed)" } });
    assert.equal(renamed.status, 201, JSON.stringify(renamed.body));
    assert.deepEqual(await failedCdus(platform, "tcs:h1-r01"), expected, "the twin rebuilt from memory");
    assert.deepEqual(await failedCdus(platform, "tcs:h2-r02"), ["cdu:h2-r02-02"]);
    await platform.close();
    platform = await start(platform.operator);
    assert.deepEqual(await failedCdus(platform, "tcs:h1-r01"), expected, "the twin after a restart");
    assert.deepEqual(await heldRows(platform), [...expected, "cdu:h2-r02-02"], "the store after a restart");
  });

  onEachStore("two site changes sent at once are two versions, the second on the first's site", async (start) => {
    const platform = await start();
    const version = (await api(platform, "GET", "/v1/site")).body.version as number;
    const [a, b] = await race(
      platform,
      () => patchSite(platform, "rename the site", { site: { name: "Alixan lab A" } }),
      "/v1/site/changes",
      () => patchSite(platform, "change the operator", { site: { operator: "Alixan Lab B SAS" } }),
    );
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(b.status, 201, JSON.stringify(b.body));
    assert.deepEqual([a.body.version, b.body.version], [version + 1, version + 2]);
    const document = (await api(platform, "GET", "/v1/site/document")).body;
    assert.deepEqual([document.site.name, document.site.operator], ["Alixan lab A", "Alixan Lab B SAS"]);

    // The same change sent twice at once: the second finds it done, and says nothing changed.
    const smallerGrid = () => patchSite(platform, "a smaller grid connection", { site: { gridConnectionMW: 2.4 } });
    const [c, d] = await race(platform, smallerGrid, "/v1/site/changes", smallerGrid);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(d.status, 200, JSON.stringify(d.body));
    assert.deepEqual([c.body.version, d.body.version], [version + 3, version + 3]);
    const versions = await platform.app.store.db
      .selectFrom("site_versions")
      .select("version")
      .where("version", ">", version)
      .orderBy("version")
      .execute();
    assert.deepEqual(
      versions.map((row) => row.version),
      [version + 1, version + 2, version + 3],
    );
  });

  onEachStore("a change refused by a writer lets the event waiting on it and the next change run", async (start) => {
    const platform = await start();
    const [refused, failed] = await race(
      platform,
      () => patchSite(platform, "three-digit CDU ids in GPU rows", threeDigitCdus),
      "/v1/state/events",
      () => event(platform, "fail-cdu", "cdu:h1-r02-02"),
      new AppError("conflict", "refused by the test's writer", { field: "body.patch" }),
    );
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    // The change rolled back: the event ran on the twin it left, under the id the site still has.
    assert.equal(failed.status, 200, JSON.stringify(failed.body));
    await untilFailed(platform, "tcs:h1-r02", ["cdu:h1-r02-02"]);
    assert.deepEqual(await heldRows(platform), ["cdu:h1-r02-02"]);
    // The section is free: the same change now applies and carries the failure.
    const changed = await patchSite(platform, "three-digit CDU ids in GPU rows", threeDigitCdus);
    assert.equal(changed.status, 201, JSON.stringify(changed.body));
    assert.deepEqual(await failedCdus(platform, "tcs:h1-r02"), ["cdu:h1-r02-002"]);
    assert.equal((await event(platform, "repair-cdu", "cdu:h1-r02-002")).status, 200);
    assert.deepEqual(await heldRows(platform), []);
  });
});
