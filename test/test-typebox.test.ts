/**
 * scripts/test-typebox.mjs: the TypeBox bundle `npm test` points tsx at is complete (every entry the sources import),
 * kept while nothing changes, and what a test process loads: the sources run on it, validating as they do on
 * node_modules' TypeBox.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";
// @ts-expect-error: a plain JavaScript script of the repository, without type declarations.
import { typeboxEntries, typeboxTsconfig } from "../scripts/test-typebox.mjs";

const root = join(import.meta.dirname, "..");

describe("TypeBox bundled for the test processes", () => {
  const directory = mkdtempSync(join(tmpdir(), "alixan-test-typebox-"));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it("maps every TypeBox entry the sources import to the bundle, which the sources then run on", () => {
    const entries = typeboxEntries([join(root, "src"), join(root, "test")]) as string[];
    assert.ok(entries.includes("typebox") && entries.includes("typebox/value"), entries.join(", "));
    const tsconfig = typeboxTsconfig(root, directory) as string;
    const config = JSON.parse(readFileSync(tsconfig, "utf8")) as {
      extends: string;
      compilerOptions: { paths: Record<string, string[]> };
    };
    assert.equal(resolve(dirname(tsconfig), config.extends), join(root, "tsconfig.json"));
    for (const entry of entries) {
      const target = config.compilerOptions.paths[entry]?.[0];
      assert.ok(target !== undefined, `${entry} is mapped`);
      assert.ok(existsSync(resolve(directory, target)), `${entry}: ${target} exists`);
    }
    const bundled = join(directory, "typebox", "index.js");
    const builtMs = statSync(bundled).mtimeMs;
    assert.equal(typeboxTsconfig(root, directory), tsconfig);
    assert.equal(statSync(bundled).mtimeMs, builtMs, "kept, not bundled again");

    // A process on that tsconfig resolves TypeBox to the bundle, and the site schema (TypeBox's Compile) answers as
    // on node_modules' TypeBox: the lab site accepted, a broken one refused with the same diagnostics.
    const script = `
const { loadSite } = await import(${JSON.stringify(join(root, "src", "model", "load.ts"))});
const broken = ${JSON.stringify(join(root, "test", "fixtures", "broken", "negative-power.yaml"))};
const lab = loadSite("lab");
const bad = loadSite(broken);
console.log(JSON.stringify({ typebox: import.meta.resolve("typebox"), racks: lab.site?.racks.length, bad: bad.diagnostics }));
`;
    const runWith = (tsconfigPath: string | undefined) => {
      const environment: NodeJS.ProcessEnv = { ...process.env, TSX_TSCONFIG_PATH: tsconfigPath };
      if (tsconfigPath === undefined) delete environment["TSX_TSCONFIG_PATH"];
      const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: root,
        encoding: "utf8",
        env: environment,
      });
      assert.equal(run.status, 0, run.stderr);
      return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { typebox: string; racks: number; bad: unknown[] };
    };
    const onBundle = runWith(tsconfig);
    const onPackage = runWith(undefined);
    assert.equal(onBundle.typebox, `file://${bundled}`);
    assert.match(onPackage.typebox, /\/node_modules\/typebox\//);
    assert.equal(onBundle.racks, 36);
    assert.ok(onBundle.bad.length > 0, "the broken site is refused");
    assert.deepEqual({ racks: onBundle.racks, bad: onBundle.bad }, { racks: onPackage.racks, bad: onPackage.bad });
  });
});
